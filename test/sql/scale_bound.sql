-- acq.max_memory bounds the backend's growth on the streamed paths (issue 17):
-- they plan what they hold plus the executor's share (ACQ_EXECUTOR_RESERVE,
-- 4 MB) of the query that streams the rows through acq's aggregate, and run
-- that query with jit = off (LLVM would map ~60 MB into the backend), the
-- caller's jit setting restored after, also after an ERROR.
CREATE TABLE sb AS
SELECT 's' || (i % 6) AS src,
       ARRAY(SELECT sin(i * g * 0.37) + (i % 6) * 0.1 FROM generate_series(1, 40) g) AS features,
       sin(i * 0.37) + (i % 6 % 3) * sin(i * 0.74) + 0.5 * sin(i * 7.1) AS y,
       (sin(i * 0.37) + (i % 6 % 3) * sin(i * 0.74) + 0.5 * sin(i * 7.1) > 0)::int AS c
  FROM generate_series(1, 20000) i;
CREATE TABLE sb_val AS
SELECT ARRAY(SELECT sin(i * g * 0.37) + 0.2 FROM generate_series(1, 40) g) AS features,
       sin(i * 0.37) + sin(i * 0.74) + 0.5 * sin(i * 7.1) AS y,
       (sin(i * 0.37) + sin(i * 0.74) + 0.5 * sin(i * 7.1) > 0)::int AS c
  FROM generate_series(100001, 101000) i;
ANALYZE sb;
CREATE TEMP TABLE sb_held AS
SELECT * FROM acq.select_sources('sb', 'sb_val', 'features', 'y', task => 'regression', source_column => 'src');

-- 20,000 rows of 40 features take 6.6 MB: they do not fit in 6MB; the statistics
-- (1.2 MB) and the executor's 4 MB do: streamed, the run with the rows held
SET acq.max_memory = '6MB';
SET jit = on;
SELECT s.sources = h.sources AS same_subset, abs(s.gain - h.gain) <= 1e-9 * h.gain AS same_gain,
       s.models_trained = h.models_trained AS same_models, s.n_rows
  FROM acq.select_sources('sb', 'sb_val', 'features', 'y', task => 'regression', source_column => 'src') s, sb_held h;
SHOW jit;
-- at 5MB the statistics fit but not with the executor's share: refused up front
SET acq.max_memory = '5MB';
SELECT sources FROM acq.select_sources('sb', 'sb_val', 'features', 'y', task => 'regression', source_column => 'src');
SHOW jit;
-- the caller's own jit = off stays off
SET jit = off;
SET acq.max_memory = '6MB';
SELECT count(*) FROM acq.select_sources('sb', 'sb_val', 'features', 'y', task => 'regression', source_column => 'src');
SHOW jit;
-- within a transaction, SET LOCAL jit = on is the caller's to the end of it
BEGIN;
SET LOCAL jit = on;
SELECT count(*) FROM acq.select_sources('sb', 'sb_val', 'features', 'y', task => 'regression', source_column => 'src');
SHOW jit;
COMMIT;
SHOW jit;
RESET jit;

-- classification past the limit: the logistic terms, streamed per batch of Newton
-- steps, with the same executor's share in the plan
RESET acq.max_memory;
CREATE TEMP TABLE sb_cheld AS
SELECT * FROM acq.select_sources('sb', 'sb_val', 'features', 'c', source_column => 'src');
SET acq.max_memory = '6MB';
SELECT s.sources = h.sources AS same_subset, abs(s.gain - h.gain) <= 1e-9 AS same_gain,
       s.models_trained = h.models_trained AS same_models, s.n_rows
  FROM acq.select_sources('sb', 'sb_val', 'features', 'c', source_column => 'src') s, sb_cheld h;
SET acq.max_memory = '4MB';
SELECT sources FROM acq.select_sources('sb', 'sb_val', 'features', 'c', source_column => 'src');
RESET acq.max_memory;
DROP TABLE sb, sb_val;

-- a tall table whose planner's row count is past the limit at the width of its
-- first row (160,000 rows of 4 features: 6.6 MB held, 6 MB allowed): streamed at
-- once, the sources named by the statistics' own query, without a first pass
-- over the table to discover them (the DEBUG line says so); the same result as
-- with the rows held, and the same errors as the rows' path
CREATE TABLE st AS
SELECT 't' || (i % 5) AS src,
       ARRAY[sin(i * 0.37), sin(i * 0.74) + (i % 5) * 0.1, sin(i * 1.3), cos(i * 0.21)] AS features,
       sin(i * 0.37) + (i % 5 % 3) * sin(i * 0.74) + 0.5 * sin(i * 7.1) AS y
  FROM generate_series(1, 160000) i;
CREATE TABLE st_val AS SELECT features, y FROM st WHERE src = 't1' LIMIT 2000;
ANALYZE st;
ANALYZE st_val;
CREATE TEMP TABLE st_held AS
SELECT * FROM acq.select_sources('st', 'st_val', 'features', 'y', task => 'regression', source_column => 'src');
SET acq.max_memory = '6MB';
SET client_min_messages = debug1;
SELECT s.sources = h.sources AS same_subset, abs(s.gain - h.gain) <= 1e-9 * abs(h.gain) AS same_gain,
       s.models_trained = h.models_trained AS same_models, s.n_rows
  FROM acq.select_sources('st', 'st_val', 'features', 'y', task => 'regression', source_column => 'src') s, st_held h;
RESET client_min_messages;
INSERT INTO st VALUES (NULL, '{1,2,3,4}', 1, 1);
SELECT sources FROM acq.select_sources('st', 'st_val', 'features', 'y', task => 'regression', source_column => 'src');
RESET acq.max_memory;
SELECT sources FROM acq.select_sources('st', 'st_val', 'features', 'y', task => 'regression', source_column => 'src');
DROP TABLE st, st_val;
