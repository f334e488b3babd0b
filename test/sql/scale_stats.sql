--
-- Per-source statistics as aggregates (issue 17, docs/scale-out.md):
-- acq.linear_stats and acq.logistic_terms against the same sums in plain SQL,
-- split and combined (parallel workers), their errors; and a regression whose
-- rows do not fit in acq.max_memory, scored from the same statistics streamed
-- from the table: the same subset and gains as with the rows held.
-- (Foreign servers: test/t/007_scale_out.pl.)
--
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SET extra_float_digits = 0;

CREATE TABLE ss (src text, features float8[], y float8, c int);
INSERT INTO ss
SELECT 's' || (i % 6),
       ARRAY[1000 + sin(i * 0.37), cos(i * 1.3) * 3, sin(i * 0.11) * cos(i * 0.7)],
       2 * sin(i * 0.37) - cos(i * 1.3) + (i % 6 % 3) * sin(i * 0.11) * cos(i * 0.7) + 0.5 * sin(i * 7.1),
       CASE WHEN sin(i * 0.37) + 0.4 * cos(i * 1.3) + 0.3 * sin(i * 5.3) > 0 THEN 1 ELSE 0 END
  FROM generate_series(1, 6000) i;
CREATE TABLE ss_val AS
SELECT ARRAY[1000 + sin(i * 0.37), cos(i * 1.3) * 3, sin(i * 0.11) * cos(i * 0.7)] AS features,
       2 * sin(i * 0.37) - cos(i * 1.3) + sin(i * 0.11) * cos(i * 0.7) + 0.5 * sin(i * 7.1) AS y
  FROM generate_series(100001, 101000) i;

-- ---- acq.linear_stats: {p, n, mean_y, C_yy, mean_x, C_xy, C_xx upper} --------
SELECT s[1] AS p, s[2] AS n, array_length(s, 1) AS len,
       abs(s[3] - (SELECT avg(y) FROM ss)) < 1e-12 AS mean_y,
       abs(s[4] - (SELECT sum((y - m) ^ 2) FROM ss, (SELECT avg(y) m FROM ss) a)) < 1e-9 AS c_yy,
       abs(s[5] - (SELECT avg(features[1]) FROM ss)) < 1e-10 AS mean_x1,
       abs(s[8] - (SELECT sum((features[1] - m1) * (y - my)) FROM ss,
                    (SELECT avg(features[1]) m1, avg(y) my FROM ss) a)) < 1e-9 AS c_x1y,
       abs(s[11] - (SELECT sum((features[1] - m1) * (features[1] - m1)) FROM ss,
                     (SELECT avg(features[1]) m1 FROM ss) a)) < 1e-9 AS c_x1x1,
       abs(s[12] - (SELECT sum((features[1] - m1) * (features[2] - m2)) FROM ss,
                     (SELECT avg(features[1]) m1, avg(features[2]) m2 FROM ss) a)) < 1e-9 AS c_x1x2
  FROM (SELECT acq.linear_stats(features, y) s FROM ss) t;

-- combined from partial states (parallel workers, then the combine function)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE par AS SELECT acq.linear_stats(features, y) s FROM ss;
RESET max_parallel_workers_per_gather;
CREATE TEMP TABLE ser AS SELECT acq.linear_stats(features, y) s FROM ss;
SELECT (SELECT max(abs(p.s[k] - q.s[k]) / greatest(1, abs(q.s[k])))
          FROM generate_series(1, array_length(q.s, 1)) k) < 1e-10 AS parallel_equals_serial
  FROM par p, ser q;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- per group, and no rows at all
SELECT src, s[2] AS n FROM (SELECT src, acq.linear_stats(features, y) s FROM ss GROUP BY src) t ORDER BY src;
SELECT acq.linear_stats(features, y) IS NULL AS no_rows FROM ss WHERE false;

-- ---- acq.logistic_terms at K = 2 weight vectors ---------------------------------
-- at w = 0 every margin is 0: loss n log 2, gradient sum (1/2 - y) z, X^T W X = sum z z^T / 4
SELECT t[1] AS p, t[2] AS k, t[3] AS n, array_length(t, 1) AS len,
       abs(t[4] - 6000 * ln(2)) < 1e-8 AS loss_at_0,
       abs(t[4 + 2 + 3] - (SELECT sum(0.5 - c) FROM ss)) < 1e-8 AS grad_intercept_at_0,
       abs(t[4 + 2 + 8 + 9] - 6000 / 4.0) < 1e-8 AS hess_intercept_at_0,
       abs(t[5] - (SELECT sum(ln(1 + exp(z)) - c * z) FROM
             (SELECT c, 0.01 * features[1] - 0.2 * features[2] + 0.5 * features[3] - 9 AS z FROM ss) q)) < 1e-8 AS loss_at_w
  FROM (SELECT acq.logistic_terms(features, c, '{0,0,0,0, 0.01,-0.2,0.5,-9}') t FROM ss) q;

-- ---- errors ------------------------------------------------------------------------
SELECT acq.linear_stats(f, 1) FROM (VALUES ('{1,2}'::float8[]), ('{1,2,3}')) v(f);
SELECT acq.linear_stats(NULL::float8[], 1);
SELECT acq.linear_stats('{1,NaN}', 1);
SELECT acq.linear_stats('{1,2}', NULL);
SELECT acq.logistic_terms('{1,2}', 1, '{1,2}');
SELECT acq.logistic_terms('{1,2}', 2, '{1,2,3}');

-- ---- a regression past acq.max_memory: the statistics, streamed ---------------------
CREATE TABLE ss_wide AS
SELECT 's' || (i % 6) AS src,
       ARRAY(SELECT sin(i * g * 0.37) + (i % 6) * 0.1 FROM generate_series(1, 40) g) AS features,
       sin(i * 0.37) + (i % 6 % 3) * sin(i * 0.74) + 0.5 * sin(i * 7.1) AS y
  FROM generate_series(1, 20000) i;
CREATE TABLE ss_wide_val AS
SELECT ARRAY(SELECT sin(i * g * 0.37) + 0.2 FROM generate_series(1, 40) g) AS features,
       sin(i * 0.37) + sin(i * 0.74) + 0.5 * sin(i * 7.1) AS y
  FROM generate_series(100001, 101000) i;
ANALYZE ss_wide;
CREATE TEMP TABLE held AS
SELECT * FROM acq.select_sources('ss_wide', 'ss_wide_val', 'features', 'y', task => 'regression',
                                 source_column => 'src');
CREATE TEMP TABLE held_all AS
SELECT * FROM acq.subset_profits('ss_wide', 'ss_wide_val', 'features', 'y', task => 'regression',
                                 source_column => 'src');
SELECT sources, n_rows FROM held;
-- 20,000 rows of 40 features take 6.6 MB: more than 6MB; their statistics and the executor's 4 MB fit
SET acq.max_memory = '6MB';
SELECT s.sources = h.sources AS same_subset, abs(s.gain - h.gain) <= 1e-9 * h.gain AS same_gain,
       s.models_trained = h.models_trained AS same_models, s.n_rows
  FROM acq.select_sources('ss_wide', 'ss_wide_val', 'features', 'y', task => 'regression',
                          source_column => 'src') s, held h;
SELECT count(*) AS subsets, max(abs(s.gain - h.gain) / h.gain) <= 1e-9 AS within_1e_9
  FROM acq.subset_profits('ss_wide', 'ss_wide_val', 'features', 'y', task => 'regression',
                          source_column => 'src') s JOIN held_all h USING (sources);
-- classification past the limit: one pass over the table per batch of Newton steps
-- (acq.logistic_terms), the same subset, gain and models as with the rows held
CREATE TABLE ss_cls AS SELECT src, features, (y > 0)::int AS c FROM ss_wide;
CREATE TABLE ss_cls_val AS SELECT features, (y > 0)::int AS c FROM ss_wide_val;
ANALYZE ss_cls;
RESET acq.max_memory;
CREATE TEMP TABLE cheld AS
SELECT * FROM acq.select_sources('ss_cls', 'ss_cls_val', 'features', 'c', source_column => 'src');
SET acq.max_memory = '6MB';
SELECT s.sources = h.sources AS same_subset, abs(s.gain - h.gain) <= 1e-9 AS same_gain,
       s.models_trained = h.models_trained AS same_models, s.n_rows
  FROM acq.select_sources('ss_cls', 'ss_cls_val', 'features', 'c', source_column => 'src') s, cheld h;
-- too small even for the statistics: refused, with the figure
SET acq.max_memory = '1MB';
SELECT sources FROM acq.select_sources('ss_wide', 'ss_wide_val', 'features', 'y', task => 'regression',
                                       source_column => 'src');
RESET acq.max_memory;
