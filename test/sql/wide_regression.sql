--
-- wide_regression: regression source selection over 24 rows of 10,000
-- features.  With fewer rows than features + 1 the linear models are fitted
-- in the row space (a 24 x 24 Gram matrix at most), never through a
-- 10,001 x 10,001 matrix, so every call here answers at once.  Then
-- acq.max_memory refuses calls before they allocate, a fit that would need
-- an uninterruptible eigendecomposition past the limit is refused, and a
-- long call stops at statement_timeout and leaves the session usable.
--
SET client_min_messages = warning;

-- 6 sources of 4 rows (by a column), 12 validation rows; the label follows
-- the first three features (sources s1 and s4 the opposite way)
CREATE TABLE wreg_train WITH (autovacuum_enabled = false) AS
SELECT 's' || (id % 6) AS src, f AS features,
       CASE WHEN id % 6 IN (1, 4) THEN -1 ELSE 1 END * (f[1] + 2 * f[2] - f[3]) + 0.01 * cos(id) AS y
FROM generate_series(1, 24) id,
     LATERAL (SELECT ARRAY(SELECT sin(id * s * 0.37) + 0.001 * s
                           FROM generate_series(1, 10000) s)::float8[] AS f) a;
CREATE TABLE wreg_val WITH (autovacuum_enabled = false) AS
SELECT f AS features, f[1] + 2 * f[2] - f[3] AS y
FROM generate_series(101, 112) id,
     LATERAL (SELECT ARRAY(SELECT sin(id * s * 0.37) + 0.001 * s
                           FROM generate_series(1, 10000) s)::float8[] AS f) a;
SELECT count(*) AS rows, count(DISTINCT src) AS sources, min(array_length(features, 1)) AS features
FROM wreg_train;

-- ---- the searches and one subset answer, with finite gains ------------------------
CREATE TABLE wreg_greedy AS
SELECT * FROM acq.select_sources('wreg_train', 'wreg_val', 'features', 'y', method => 'greedy',
                                 task => 'regression', source_column => 'src');
SELECT cardinality(sources) >= 1 AS chose_sources, gain > 0 AND gain <= 100 AS finite_gain,
       profit = gain AS no_cost, n_rows = 4 * cardinality(sources) AS four_rows_a_source,
       models_trained >= 6 AS trained
FROM wreg_greedy;
CREATE TABLE wreg_splice AS
SELECT * FROM acq.select_sources('wreg_train', 'wreg_val', 'features', 'y', method => 'splice',
                                 task => 'regression', source_column => 'src');
SELECT cardinality(sources) >= 1 AS chose_sources, gain > 0 AND gain <= 100 AS finite_gain,
       n_rows = 4 * cardinality(sources) AS four_rows_a_source
FROM wreg_splice;
-- a search's gain is that subset's gain
SELECT abs(g.gain - s.gain) < 1e-9 AS same_gain
FROM wreg_greedy s,
     LATERAL acq.subset_gain('wreg_train', 'wreg_val', 'features', 'y', s.sources,
                             task => 'regression', source_column => 'src') g;
-- one source, all of them, and ridge: finite metrics that agree with each other
SELECT subset, n_rows, g.gain > 0 AND g.gain <= 100 AS finite_gain, g.mse >= 0 AS finite_mse,
       abs(g.r2 - (1 - g.mse / v.var)) < 1e-9 AS r2_ok,
       abs(g.gain - 100 / (1 + g.mse / v.var)) < 1e-9 AS gain_ok
FROM (VALUES ('{s0}'::text[], 0.0::float8), ('{s0,s1,s2,s3,s4,s5}', 0.0),
             ('{s0,s1,s2,s3,s4,s5}', 1.0)) AS t(subset, alpha),
     (SELECT var_pop(y) AS var FROM wreg_val) v,
     LATERAL acq.subset_gain('wreg_train', 'wreg_val', 'features', 'y', t.subset,
                             task => 'regression', source_column => 'src', alpha => t.alpha) g
ORDER BY cardinality(subset), alpha;
-- the sources whose labels follow the validation rule beat those that do not
SELECT a.gain > b.gain AS good_beats_flipped
FROM acq.subset_gain('wreg_train', 'wreg_val', 'features', 'y', '{s0,s2,s3,s5}',
                     task => 'regression', source_column => 'src') a,
     acq.subset_gain('wreg_train', 'wreg_val', 'features', 'y', '{s1,s4}',
                     task => 'regression', source_column => 'src') b;

-- ---- acq.max_memory: checked before the memory is taken ----------------------------
SHOW acq.max_memory;
SET acq.max_memory = '1MB';
-- the planner has no row count (never analysed): refused while reading
SELECT * FROM acq.select_sources('wreg_train', 'wreg_val', 'features', 'y', method => 'greedy',
                                 task => 'regression', source_column => 'src');
\echo :LAST_ERROR_SQLSTATE
-- with one, refused at the first row, from the estimate of the whole call
ANALYZE wreg_train, wreg_val;
SELECT * FROM acq.subset_gain('wreg_train', 'wreg_val', 'features', 'y', '{s0}',
                              task => 'regression', source_column => 'src');
\echo :LAST_ERROR_SQLSTATE
-- tall data (480 rows of 400 features): each source's statistics take 1.3 MB
CREATE TABLE wreg_tall WITH (autovacuum_enabled = false) AS
SELECT 't' || (id % 8) AS src,
       ARRAY(SELECT sin(id * s * 0.37) FROM generate_series(1, 400) s)::float8[] AS features,
       sin(id * 0.37) AS y
FROM generate_series(1, 480) id;
ANALYZE wreg_tall;
SET acq.max_memory = '8MB';
SELECT * FROM acq.subset_gain('wreg_tall', 'wreg_tall', 'features', 'y', '{t1}',
                              task => 'regression', source_column => 'src');
\echo :LAST_ERROR_SQLSTATE
SET acq.max_memory = '64MB';
SELECT gain > 0 AND gain <= 100 AS finite_gain
FROM acq.subset_gain('wreg_tall', 'wreg_tall', 'features', 'y', '{t1}',
                     task => 'regression', source_column => 'src');
RESET acq.max_memory;

-- ---- a fit past the eigendecomposition's limit is refused --------------------------
-- 1,002 rows of 1,050 features, the last repeating the first with another
-- label: the least-squares fit needs a 1,002 x 1,002 eigendecomposition
CREATE TABLE wreg_dup AS
SELECT CASE WHEN id <= 1001 THEN 'a' ELSE 'b' END AS src,
       ARRAY(SELECT sin(CASE WHEN id <= 1001 THEN id ELSE 1 END * s * 0.0137 + s)
             FROM generate_series(1, 1050) s)::float8[] AS features,
       sin(id * 0.37) AS y
FROM generate_series(1, 1002) id;
SELECT * FROM acq.subset_gain('wreg_dup', 'wreg_dup', 'features', 'y', '{a,b}',
                              task => 'regression', source_column => 'src');
\echo :LAST_ERROR_SQLSTATE
-- ridge has no such limit
SELECT gain > 0 AND gain <= 100 AS finite_gain
FROM acq.subset_gain('wreg_dup', 'wreg_dup', 'features', 'y', '{a,b}',
                     task => 'regression', source_column => 'src', alpha => 0.1);

-- ---- a long wide call stops at statement_timeout ----------------------------------
-- 16 sources of 2 rows: all 65,535 subsets take minutes
CREATE TABLE wreg_many AS
SELECT 'm' || lpad((id % 16)::text, 2, '0') AS src,
       ARRAY(SELECT sin(id * s * 0.37) + 0.001 * s FROM generate_series(1, 10000) s)::float8[] AS features,
       sin(id * 0.37) AS y
FROM generate_series(1, 32) id;
SELECT count(DISTINCT src) AS sources FROM wreg_many;
SET statement_timeout = '1s';
SELECT count(*) FROM acq.subset_profits('wreg_many', 'wreg_val', 'features', 'y',
                                        task => 'regression', source_column => 'src');
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
-- the session still works, and so does acq
SELECT 1 AS still_here;
SELECT gain > 0 AS finite_gain
FROM acq.subset_gain('wreg_train', 'wreg_val', 'features', 'y', '{s0}',
                     task => 'regression', source_column => 'src');

DROP TABLE wreg_train, wreg_val, wreg_greedy, wreg_splice, wreg_tall, wreg_dup, wreg_many;
