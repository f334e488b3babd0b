--
-- errors: every bad input to acq.select_sources, acq.subset_profits and
-- acq.subset_gain gets an ERROR that says what is wrong (and where).
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- A small, valid problem: two sources named by a column, 2 features.
CREATE TABLE e_good (source text, x float8[], y int, t float8, lab text,
                     g text, b bool, n int, arr2 float8[]);
INSERT INTO e_good
SELECT 's' || (i % 2 + 1), ARRAY[sin(i), cos(i)], (sin(i) + cos(i) > 0)::int,
       sin(i) - cos(i), 'row' || i, CASE WHEN i % 3 = 0 THEN 'f' ELSE 'm' END,
       i % 3 <> 0, (i % 3 <> 0)::int, ARRAY[sin(i), cos(i)]
FROM generate_series(1, 20) i;
CREATE TABLE e_val AS
SELECT ARRAY[x[1] + 0.1, x[2] - 0.1] AS x, y, t, lab, g, b, n, arr2 FROM e_good;
-- the same problem as a partitioned table
CREATE TABLE e_part (source text, x float8[], y int, t float8) PARTITION BY LIST (source);
CREATE TABLE e_part_s1 PARTITION OF e_part FOR VALUES IN ('s1');
CREATE TABLE e_part_s2 PARTITION OF e_part FOR VALUES IN ('s2');
INSERT INTO e_part SELECT source, x, y, t FROM e_good;

-- sanity: the valid problem works
SELECT sources, models_trained, n_rows
FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source');
SELECT sources, models_trained, n_rows
FROM acq.select_sources('e_part', 'e_val', 'x', 'y');

-- ---- tables and columns ----------------------------------------------------
SELECT * FROM acq.select_sources('e_nope', 'e_val', 'x', 'y', source_column => 'source');
SELECT * FROM acq.select_sources('e_good', 'e_nope', 'x', 'y', source_column => 'source');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'nope', 'y', source_column => 'source');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'nope', source_column => 'source');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'nope');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 task => 'fairness', sensitive => 'nope');
-- a column the validation table lacks
CREATE TABLE e_val_nolabel AS SELECT x FROM e_val;
SELECT * FROM acq.select_sources('e_good', 'e_val_nolabel', 'x', 'y', source_column => 'source');
-- features not an array
SELECT * FROM acq.select_sources('e_good', 'e_val', 'lab', 'y', source_column => 'source');
-- label not numeric
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'lab', source_column => 'source');
-- system columns are not arguments
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'ctid', source_column => 'source');

-- ---- bad rows: each names the source (or validation table) and the row ------
CREATE TABLE e_nullfeat AS SELECT * FROM e_good;
INSERT INTO e_nullfeat (source, x, y) VALUES ('s2', NULL, 1);
SELECT * FROM acq.select_sources('e_nullfeat', 'e_val', 'x', 'y', source_column => 'source');
CREATE TABLE e_ragged AS SELECT * FROM e_good;
INSERT INTO e_ragged (source, x, y) VALUES ('s1', '{1,2,3}', 1);
SELECT * FROM acq.select_sources('e_ragged', 'e_val', 'x', 'y', source_column => 'source');
CREATE TABLE e_2d AS SELECT * FROM e_good;
INSERT INTO e_2d (source, x, y) VALUES ('s1', '{{1,2},{3,4}}', 1);
SELECT * FROM acq.select_sources('e_2d', 'e_val', 'x', 'y', source_column => 'source');
CREATE TABLE e_emptyarr AS SELECT * FROM e_good;
INSERT INTO e_emptyarr (source, x, y) VALUES ('s1', '{}', 1);
SELECT * FROM acq.select_sources('e_emptyarr', 'e_val', 'x', 'y', source_column => 'source');
CREATE TABLE e_nan AS SELECT * FROM e_good;
INSERT INTO e_nan (source, x, y) VALUES ('s2', '{1,NaN}', 1);
SELECT * FROM acq.select_sources('e_nan', 'e_val', 'x', 'y', source_column => 'source');
CREATE TABLE e_inf AS SELECT * FROM e_good;
INSERT INTO e_inf (source, x, y) VALUES ('s1', '{-Infinity,0}', 0);
SELECT * FROM acq.select_sources('e_inf', 'e_val', 'x', 'y', source_column => 'source');
CREATE TABLE e_nullelem AS SELECT * FROM e_good;
INSERT INTO e_nullelem (source, x, y) VALUES ('s1', '{1,NULL}', 0);
SELECT * FROM acq.select_sources('e_nullelem', 'e_val', 'x', 'y', source_column => 'source');
CREATE TABLE e_nulllabel AS SELECT * FROM e_good;
INSERT INTO e_nulllabel (source, x, y) VALUES ('s2', '{1,2}', NULL);
SELECT * FROM acq.select_sources('e_nulllabel', 'e_val', 'x', 'y', source_column => 'source');
CREATE TABLE e_label2 AS SELECT * FROM e_good;
INSERT INTO e_label2 (source, x, y, t) VALUES ('s2', '{1,2}', 2, 2);
SELECT * FROM acq.select_sources('e_label2', 'e_val', 'x', 'y', source_column => 'source');
-- ... but label 2 is a fine regression target
SELECT sources FROM acq.select_sources('e_label2', 'e_val', 'x', 'y', source_column => 'source',
                                       task => 'regression');
CREATE TABLE e_nanlabel AS SELECT * FROM e_good;
INSERT INTO e_nanlabel (source, x, y, t) VALUES ('s2', '{1,2}', 1, 'NaN');
SELECT * FROM acq.select_sources('e_nanlabel', 'e_val', 'x', 't', source_column => 'source',
                                 task => 'regression');
-- the validation rows are checked too
CREATE TABLE e_val_ragged AS SELECT x, y FROM e_val;
INSERT INTO e_val_ragged VALUES ('{1,2,3}', 1);
SELECT * FROM acq.select_sources('e_good', 'e_val_ragged', 'x', 'y', source_column => 'source');
CREATE TABLE e_val_3d AS SELECT ARRAY[x[1], x[2], 0] AS x, y FROM e_val;
SELECT * FROM acq.select_sources('e_good', 'e_val_3d', 'x', 'y', source_column => 'source');
CREATE TABLE e_val_nulllabel AS SELECT x, y FROM e_val;
INSERT INTO e_val_nulllabel VALUES ('{1,2}', NULL);
SELECT * FROM acq.select_sources('e_good', 'e_val_nulllabel', 'x', 'y', source_column => 'source');
-- numeric[] and int[] features are cast to float8[]; a numeric NaN is caught
CREATE TABLE e_numeric AS SELECT source, x::numeric[] AS x, y FROM e_good;
INSERT INTO e_numeric VALUES ('s1', '{NaN,1}', 1);
SELECT * FROM acq.select_sources('e_numeric', 'e_val', 'x', 'y', source_column => 'source');
CREATE TABLE e_int AS SELECT source, ARRAY[round(x[1] * 10)::int, round(x[2] * 10)::int] AS x, y FROM e_good;
CREATE TABLE e_val_int AS SELECT ARRAY[round(x[1] * 10)::int, round(x[2] * 10)::int] AS x, y FROM e_val;
SELECT sources, gain FROM acq.select_sources('e_int', 'e_val_int', 'x', 'y', source_column => 'source');
-- rows of a view have no ctid: the detail gives the row's number
CREATE VIEW e_nan_view AS SELECT * FROM e_nan;
SELECT * FROM acq.select_sources('e_nan_view', 'e_val', 'x', 'y', source_column => 'source');

-- ---- the sources themselves ------------------------------------------------
-- not partitioned, and no source_column
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y');
-- a partitioned table without partitions
CREATE TABLE e_nopart (source text, x float8[], y int) PARTITION BY LIST (source);
SELECT * FROM acq.select_sources('e_nopart', 'e_val', 'x', 'y');
-- an empty leaf partition
CREATE TABLE e_part_s3 PARTITION OF e_part FOR VALUES IN ('s3');
SELECT * FROM acq.select_sources('e_part', 'e_val', 'x', 'y');
DROP TABLE e_part_s3;
-- an empty table with a source column
CREATE TABLE e_empty AS SELECT * FROM e_good WHERE false;
SELECT * FROM acq.select_sources('e_empty', 'e_val', 'x', 'y', source_column => 'source');
-- an empty validation table
CREATE TABLE e_val_empty AS SELECT * FROM e_val WHERE false;
SELECT * FROM acq.select_sources('e_good', 'e_val_empty', 'x', 'y', source_column => 'source');
-- NULL in the source column
CREATE TABLE e_nullsource AS SELECT * FROM e_good;
INSERT INTO e_nullsource (source, x, y) VALUES (NULL, '{1,2}', 1);
SELECT * FROM acq.select_sources('e_nullsource', 'e_val', 'x', 'y', source_column => 'source');
-- a single class in all the sources
CREATE TABLE e_oneclass AS SELECT source, x, 0 AS y FROM e_good;
SELECT * FROM acq.select_sources('e_oneclass', 'e_val', 'x', 'y', source_column => 'source');
CREATE TABLE e_oneclass1 AS SELECT source, x, true AS y FROM e_good;
SELECT * FROM acq.select_sources('e_oneclass1', 'e_val', 'x', 'y', source_column => 'source');

-- ---- task, fairness ----------------------------------------------------------
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 task => 'clustering');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 task => 'fairness');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 privileged => 'm');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 task => 'fairness', sensitive => 'g');
-- an array column is no sensitive attribute either
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 task => 'fairness', sensitive => 'arr2');
-- a numeric sensitive column must hold 0/1
SELECT sources FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                       task => 'fairness', sensitive => 'n');
CREATE TABLE e_val_n2 AS SELECT * FROM e_val;
INSERT INTO e_val_n2 (x, y, n) VALUES ('{1,2}', 1, 2);
SELECT * FROM acq.select_sources('e_good', 'e_val_n2', 'x', 'y', source_column => 'source',
                                 task => 'fairness', sensitive => 'n');
-- the text and the boolean sensitive columns work
SELECT sources FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                       task => 'fairness', sensitive => 'g', privileged => 'm');
SELECT sources FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                       task => 'fairness', sensitive => 'b');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 task => 'fairness', sensitive => 'g', privileged => 'm',
                                 lambda => -1);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 task => 'fairness', sensitive => 'g', privileged => 'm',
                                 lambda => 'NaN');

-- ---- method and search parameters -------------------------------------------
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 method => 'annealing');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 s_max => 0);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 s_max => 3);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 k_max => 0);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 k_max => 3);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 method => 'grasp', iterations => 0);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 method => 'random', iterations => -1);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 method => 'grasp', rcl_size => 0);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 method => 'datamodels', samples => 0);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 c => 0);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 c => 'Infinity');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 't', source_column => 'source',
                                 task => 'regression', alpha => -0.5);
-- the logistic fit's tolerance must be in (0, 1), in every entry point
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 tol => 0);
SELECT count(*) FROM acq.subset_profits('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                        tol => 1.5);
SELECT * FROM acq.submit_select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                        tol => 'NaN');

-- exhaustive search and subset_profits are limited by acq.max_exhaustive_sources
CREATE TABLE e_six (source text, x float8[], y int);
INSERT INTO e_six
SELECT 'p' || (i % 6), ARRAY[sin(i), cos(i)], (sin(i) + cos(i) > 0)::int
FROM generate_series(1, 60) i;
SET acq.max_exhaustive_sources = 3;
SELECT * FROM acq.select_sources('e_six', 'e_val', 'x', 'y', source_column => 'source',
                                 method => 'exhaustive');
SELECT count(*) FROM acq.subset_profits('e_six', 'e_val', 'x', 'y', source_column => 'source');
-- the other methods do not care
SELECT cardinality(sources) > 0 AS ok
FROM acq.select_sources('e_six', 'e_val', 'x', 'y', source_column => 'source');
SET acq.max_exhaustive_sources = 0;
SET acq.max_exhaustive_sources = 63;
RESET acq.max_exhaustive_sources;
SELECT count(*) FROM acq.subset_profits('e_six', 'e_val', 'x', 'y', source_column => 'source');
SET acq.no_such_setting = 1;

-- ---- costs ------------------------------------------------------------------
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 costs => '{"s1": -1}');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 costs => '{"s1": 1, "s9": 2}');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 costs => '[1, 2]');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 costs => '3');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 costs => '{"s1": "cheap"}');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 costs => '{"s1": null}');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 costs => '{"s1": {"eur": 1}}');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 costs => '{"s1": 1}', cost_exponent => 1);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 cost_exponent => 3);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 cost_exponent => -1);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 cost_exponent => 1, cost_scale => -0.01);
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 cost_exponent => 1, cost_offset => 'Infinity');
-- costs beyond float8, or whose sum would be: profit = gain - cost must stay
-- finite (found by the fuzz suite, test/fuzz)
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                 costs => '{"s1": 1e400}');
SELECT * FROM acq.subset_gain('e_good', 'e_val', 'x', 'y', '{s1,s2}', source_column => 'source',
                              costs => '{"s1": 1e308, "s2": 1e308}');
SELECT * FROM acq.subset_gain('e_good', 'e_val', 'x', 't', '{s1}', source_column => 'source',
                              task => 'regression', cost_exponent => 2, cost_scale => 1e308);
SELECT count(*) FROM acq.subset_profits('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                        task => 'fairness', sensitive => 'b', lambda => 1e308,
                                        costs => '{"s1": 1e308}');
-- a cost too small for float8 is 0; large but finite costs are fine
SELECT cost FROM acq.subset_gain('e_good', 'e_val', 'x', 'y', '{s1}', source_column => 'source',
                                 costs => '{"s1": 1e-400}');
SELECT cost, profit FROM acq.subset_gain('e_good', 'e_val', 'x', 'y', '{s1,s2}', source_column => 'source',
                                         costs => '{"s1": 1e307, "s2": 1e307}');
-- the same checks in the other two functions
SELECT count(*) FROM acq.subset_profits('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                        costs => '{"s3": 1}');
SELECT * FROM acq.subset_gain('e_good', 'e_val', 'x', 'y', '{s1}', source_column => 'source',
                              cost_exponent => 5);

-- ---- NULL arguments ---------------------------------------------------------
SELECT * FROM acq.select_sources(NULL, 'e_val', 'x', 'y', source_column => 'source');
SELECT * FROM acq.select_sources('e_good', NULL, 'x', 'y', source_column => 'source');
SELECT * FROM acq.select_sources('e_good', 'e_val', NULL, 'y', source_column => 'source');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', NULL, source_column => 'source');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', method => NULL, source_column => 'source');
SELECT * FROM acq.select_sources('e_good', 'e_val', 'x', 'y', task => NULL, source_column => 'source');
SELECT count(*) FROM acq.subset_profits('e_good', 'e_val', 'x', 'y', task => NULL,
                                        source_column => 'source');
SELECT * FROM acq.subset_gain('e_good', 'e_val', 'x', 'y', NULL, source_column => 'source');
-- NULL optional arguments take their defaults
SELECT sources, cost FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source',
                                             lambda => NULL, s_max => NULL, k_max => NULL,
                                             seed => NULL, c => NULL, costs => NULL);

-- ---- acq.subset_gain's subset -------------------------------------------------
SELECT * FROM acq.subset_gain('e_good', 'e_val', 'x', 'y', '{}', source_column => 'source');
SELECT * FROM acq.subset_gain('e_good', 'e_val', 'x', 'y', '{s1,s7}', source_column => 'source');
SELECT * FROM acq.subset_gain('e_good', 'e_val', 'x', 'y', ARRAY['s1', NULL], source_column => 'source');
SELECT * FROM acq.subset_gain('e_good', 'e_val', 'x', 'y', '{{s1},{s2}}', source_column => 'source');
-- a source whose rows are all of one class cannot train a classifier alone
CREATE TABLE e_mixed AS SELECT * FROM e_good;
UPDATE e_mixed SET source = 's3', y = 1 WHERE y = 1 AND lab IN ('row1', 'row2', 'row7', 'row8');
SELECT * FROM acq.subset_gain('e_mixed', 'e_val', 'x', 'y', '{s3}', source_column => 'source');
SELECT n_rows FROM acq.subset_gain('e_mixed', 'e_val', 'x', 'y', '{s1,s3}', source_column => 'source');
-- (the search methods and subset_profits score it as the constant predictor
-- of its class instead)
SELECT gain = 100 * (SELECT avg(y) FROM e_val) AS constant_predictor
FROM acq.subset_profits('e_mixed', 'e_val', 'x', 'y', source_column => 'source')
WHERE sources = '{s3}';
-- regression needs validation labels that vary
CREATE TABLE e_val_const AS SELECT x, 1.5::float8 AS t FROM e_val;
SELECT * FROM acq.subset_gain('e_good', 'e_val_const', 'x', 't', '{s1}', source_column => 'source',
                              task => 'regression');
SELECT * FROM acq.select_sources('e_good', 'e_val_const', 'x', 't', source_column => 'source',
                                 task => 'regression');

-- ---- privileges: rows are read with the caller's rights ----------------------
CREATE ROLE regress_acq_user;
GRANT USAGE ON SCHEMA acq TO regress_acq_user;
CREATE TABLE e_secret AS SELECT * FROM e_good;
GRANT SELECT ON e_good, e_val TO regress_acq_user;
SET ROLE regress_acq_user;
SELECT * FROM acq.select_sources('e_secret', 'e_val', 'x', 'y', source_column => 'source');
SELECT * FROM acq.select_sources('e_good', 'e_secret', 'x', 'y', source_column => 'source');
SELECT * FROM acq.subset_gain('e_secret', 'e_val', 'x', 'y', '{s1}', source_column => 'source');
SELECT count(*) FROM acq.subset_profits('e_secret', 'e_val', 'x', 'y', source_column => 'source');
SELECT sources, n_rows FROM acq.select_sources('e_good', 'e_val', 'x', 'y', source_column => 'source');
RESET ROLE;
-- a partition the role may not read directly is read through its parent
GRANT SELECT ON e_part TO regress_acq_user;
SET ROLE regress_acq_user;
SELECT sources, n_rows FROM acq.select_sources('e_part', 'e_val', 'x', 'y');
RESET ROLE;
REVOKE ALL ON e_good, e_val, e_part FROM regress_acq_user;
REVOKE USAGE ON SCHEMA acq FROM regress_acq_user;
DROP ROLE regress_acq_user;
