--
-- edges (issue 18, numeric edges): no call returns a perfect, NaN or
-- infinite number computed from overflowed float8 arithmetic -- it fails
-- with 22003 naming the table, the column and the scale; infinite costs are
-- refused at input; empty validation and test tables are 02000 everywhere;
-- the messages say what to fix.  edge_err shows an error's SQLSTATE and
-- message (the numeric cases print their DETAIL and HINT once, directly).
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE FUNCTION edge_err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- two sources named by a column, 2 features, a regression label t
CREATE TABLE ed_src (source text, x float8[], y int, t float8);
INSERT INTO ed_src
SELECT 's' || (i % 2 + 1), ARRAY[sin(i), cos(i)], (sin(i) + cos(i) > 0)::int, sin(i) - cos(i) + 0.1 * sin(7 * i)
FROM generate_series(1, 20) i;
CREATE TABLE ed_val AS SELECT ARRAY[x[1] + 0.1, x[2] - 0.1] AS x, y, t FROM ed_src;
-- sanity: the normal problem
SELECT round(gain::numeric, 6) AS gain, round(r2::numeric, 6) AS r2
FROM acq.subset_gain('ed_src', 'ed_val', 'x', 't', '{s1,s2}', source_column => 'source', task => 'regression');

-- ---- regression labels of +-1e308: was gain 100, mse 0, r2 1 ---------------
CREATE TABLE ed_lab AS SELECT source, x, y, CASE WHEN t > 0 THEN 1e308 ELSE -1e308 END::float8 AS t FROM ed_src;
CREATE TABLE ed_lab_val AS SELECT x, y, CASE WHEN t > 0 THEN 1e308 ELSE -1e308 END::float8 AS t FROM ed_val;
SELECT * FROM acq.subset_gain('ed_lab', 'ed_lab_val', 'x', 't', '{s1,s2}', source_column => 'source', task => 'regression');
SELECT edge_err($$SELECT * FROM acq.select_sources('ed_lab', 'ed_lab_val', 'x', 't', source_column => 'source', task => 'regression')$$);
SELECT edge_err($$SELECT * FROM acq.subset_profits('ed_lab', 'ed_lab_val', 'x', 't', source_column => 'source', task => 'regression')$$);
-- only the validation labels: named as the validation table's
SELECT edge_err($$SELECT * FROM acq.subset_gain('ed_src', 'ed_lab_val', 'x', 't', '{s1}', source_column => 'source', task => 'regression')$$);
-- labels of 1e200: each fits float8, their squares do not
CREATE TABLE ed_lab200 AS SELECT source, x, y, t * 1e200 AS t FROM ed_src;
SELECT edge_err($$SELECT * FROM acq.subset_gain('ed_lab200', 'ed_val', 'x', 't', '{s2}', source_column => 'source', task => 'regression')$$);
-- labels of 1e150: their squares fit, the scores are the normal problem's (scale-free)
CREATE TABLE ed_lab150 AS SELECT source, x, y, t * 1e150 AS t FROM ed_src;
CREATE TABLE ed_val150 AS SELECT x, y, t * 1e150 AS t FROM ed_val;
SELECT round(gain::numeric, 6) AS gain, round(r2::numeric, 6) AS r2
FROM acq.subset_gain('ed_lab150', 'ed_val150', 'x', 't', '{s1,s2}', source_column => 'source', task => 'regression');

-- ---- features near 1e307: was mse 0, r2 1 -----------------------------------
CREATE TABLE ed_big AS SELECT source, ARRAY[x[1] * 1e307, x[2] * 1e307] AS x, y, t FROM ed_src;
CREATE TABLE ed_big_val AS SELECT ARRAY[x[1] * 1e307, x[2] * 1e307] AS x, y, t FROM ed_val;
SELECT * FROM acq.subset_gain('ed_big', 'ed_big_val', 'x', 't', '{s1,s2}', source_column => 'source', task => 'regression');
SELECT edge_err($$SELECT * FROM acq.select_sources('ed_big', 'ed_big_val', 'x', 't', source_column => 'source', task => 'regression')$$);
SELECT edge_err($$SELECT * FROM acq.select_sources('ed_big', 'ed_big_val', 'x', 'y', source_column => 'source')$$);
-- features of 1e150 (squares fit): the normal problem's scores
CREATE TABLE ed_f150 AS SELECT source, ARRAY[x[1] * 1e150, x[2] * 1e150] AS x, y, t FROM ed_src;
CREATE TABLE ed_f150_val AS SELECT ARRAY[x[1] * 1e150, x[2] * 1e150] AS x, y, t FROM ed_val;
SELECT round(gain::numeric, 6) AS gain, round(r2::numeric, 6) AS r2
FROM acq.subset_gain('ed_f150', 'ed_f150_val', 'x', 't', '{s1,s2}', source_column => 'source', task => 'regression');

-- ---- the data fit, the model's predictions do not: the subset is named ------
-- training features near 1e-100 (slope ~1e100), validation features near 1e150
CREATE TABLE ed_tiny AS SELECT source, ARRAY[x[1] * 1e-100, x[2] * 1e-100] AS x, y, t FROM ed_src;
CREATE TABLE ed_far_val AS SELECT ARRAY[x[1] * 1e150, x[2] * 1e150] AS x, y, t FROM ed_val;
SELECT * FROM acq.subset_gain('ed_tiny', 'ed_far_val', 'x', 't', '{s1,s2}', source_column => 'source', task => 'regression');
SELECT edge_err($$SELECT * FROM acq.select_sources('ed_tiny', 'ed_far_val', 'x', 't', source_column => 'source', task => 'regression')$$);

-- ---- acq.evaluate ------------------------------------------------------------
SELECT * FROM acq.evaluate('{ed_lab}', 'ed_lab_val', 'x', 't', task => 'regression', model => 'linear');
SELECT edge_err($$SELECT * FROM acq.evaluate('{ed_lab}', 'ed_lab_val', 'x', 't', task => 'regression')$$);
SELECT edge_err($$SELECT * FROM acq.evaluate('{ed_lab200}', 'ed_val', 'x', 't', task => 'regression', model => 'linear')$$);
SELECT edge_err($$SELECT * FROM acq.evaluate('{ed_big}', 'ed_big_val', 'x', 't', task => 'regression', model => 'linear')$$);
SELECT edge_err($$SELECT * FROM acq.evaluate('{ed_big}', 'ed_val', 'x', 'y')$$);
SELECT edge_err($$SELECT * FROM acq.evaluate('{ed_tiny}', 'ed_far_val', 'x', 't', task => 'regression', model => 'linear')$$);
-- a least-squares fit acq cannot solve says why and what to do: 1,001
-- collinear features need an eigendecomposition of order above 1,000
CREATE TABLE ed_wide AS
SELECT array_fill(i::float8, ARRAY[1001]) AS x, i * 2.0 AS t FROM generate_series(1, 5) i;
SELECT * FROM acq.evaluate('{ed_wide}', 'ed_wide', 'x', 't', task => 'regression', model => 'linear');

-- ---- Mycroft: features near 1e307 (was score NULL on every row) -------------
CREATE TABLE ed_owner AS
SELECT i AS id, ARRAY[sin(i), cos(i), sin(2 * i)] AS features, i % 2 AS label FROM generate_series(1, 60) i;
CREATE TABLE ed_hard AS
SELECT 1000 + i AS id, ARRAY[sin(i) + 0.05, cos(i), sin(2 * i)] AS features, i % 2 AS label FROM generate_series(1, 10) i;
CREATE TABLE ed_owner_big AS SELECT id, ARRAY(SELECT v * 1e307 FROM unnest(features) v) AS features, label FROM ed_owner;
CREATE TABLE ed_hard_big AS SELECT id, ARRAY(SELECT v * 1e307 FROM unnest(features) v) AS features, label FROM ed_hard;
SELECT * FROM acq.mycroft_select('ed_owner_big', 'ed_hard_big', 'id', 'features', 'label', 5);
SELECT method, edge_err(format($$SELECT * FROM acq.mycroft_select('ed_owner_big', 'ed_hard', 'id', 'features', 'label', 5, method => %L)$$, method))
FROM unnest(ARRAY['feature', 'binning', 'omp', 'combined']) method;
-- the normal owner: finite scores
SELECT count(*), bool_and(score IS NOT NULL AND score < 'Infinity') AS finite
FROM acq.mycroft_select('ed_owner', 'ed_hard', 'id', 'features', 'label', 5);
SELECT edge_err($$SELECT * FROM acq.rank_owners('ed_owner', 'ed_hard', 'ed_hard', '{ed_owner_big}', 'features', 'label', k => 3)$$);
SELECT edge_err($$SELECT * FROM acq.hard_examples('ed_owner_big', 'ed_hard', 'features', 'label')$$);

-- ---- costs: an overflowing cost model is refused at input (22003) ----------
SELECT edge_err($$SELECT * FROM acq.select_sources('ed_src', 'ed_val', 'x', 't', source_column => 'source', task => 'regression', cost_exponent => 2, cost_scale => 1e308)$$);
SELECT edge_err($$SELECT * FROM acq.subset_gain('ed_src', 'ed_val', 'x', 't', '{s1}', source_column => 'source', task => 'regression', cost_exponent => 2, cost_scale => 1e308)$$);
SELECT edge_err($$SELECT * FROM acq.subset_gain('ed_src', 'ed_val', 'x', 'y', '{s1}', source_column => 'source', costs => '{"s1": 1e400}')$$);
SELECT edge_err($$SELECT * FROM acq.subset_gain('ed_src', 'ed_val', 'x', 'y', '{s1}', source_column => 'source', costs => '{"s1": 1e308, "s2": 1e308}')$$);

-- ---- empty validation and test tables: 02000 everywhere ---------------------
CREATE TABLE ed_val_empty AS SELECT * FROM ed_val WHERE false;
-- an unlogged table emptied (as crash recovery leaves it)
CREATE UNLOGGED TABLE ed_val_unlogged AS SELECT * FROM ed_val;
TRUNCATE ed_val_unlogged;
CREATE TABLE ed_hard_empty AS SELECT * FROM ed_hard WHERE false;
SELECT edge_err($$SELECT * FROM acq.select_sources('ed_src', 'ed_val_empty', 'x', 'y', source_column => 'source')$$);
SELECT edge_err($$SELECT * FROM acq.select_sources('ed_src', 'ed_val_unlogged', 'x', 't', source_column => 'source', task => 'regression')$$);
SELECT edge_err($$SELECT * FROM acq.subset_gain('ed_src', 'ed_val_empty', 'x', 'y', '{s1}', source_column => 'source')$$);
SELECT edge_err($$SELECT * FROM acq.subset_profits('ed_src', 'ed_val_unlogged', 'x', 'y', source_column => 'source')$$);
SELECT edge_err($$SELECT * FROM acq.evaluate('{ed_src}', 'ed_val_empty', 'x', 'y')$$);
SELECT edge_err($$SELECT * FROM acq.evaluate('{ed_src}', 'ed_val_unlogged', 'x', 't', task => 'regression')$$);
SELECT edge_err($$SELECT * FROM acq.hard_examples('ed_owner', 'ed_hard_empty', 'features', 'label')$$);
SELECT edge_err($$SELECT * FROM acq.mycroft_select('ed_owner', 'ed_hard_empty', 'id', 'features', 'label', 5)$$);
SELECT edge_err($$SELECT * FROM acq.rank_owners('ed_owner', 'ed_hard', 'ed_hard_empty', '{ed_owner}', 'features', 'label', k => 3)$$);
SELECT edge_err($$SELECT * FROM acq.rank_owners('ed_owner', 'ed_hard_empty', 'ed_hard', '{ed_owner}', 'features', 'label', k => 3)$$);
-- acq.acquisition_curve's test table
CREATE TABLE ed_prov AS SELECT id, features, label FROM ed_owner;
CREATE TABLE ed_cons AS SELECT id, features, label FROM ed_owner WHERE id <= 6;
DELETE FROM ed_prov WHERE id <= 6;
SELECT bought FROM acq.acquire('ed_cons', 'ed_prov', 'ed_bought', 'features', 'label', 4);
SELECT edge_err($$SELECT * FROM acq.acquisition_curve((SELECT max(plan_id) FROM acq.acquisitions), 'ed_hard_empty', '{0,4}')$$);

-- ---- other values: positive NaN, a NULL timeout, a k beyond memory ---------
SELECT edge_err($$SELECT * FROM acq.rank_owners('ed_owner', 'ed_hard', 'ed_hard', '{ed_owner}', 'features', 'label', k => 3, positive => 'NaN')$$);
SELECT edge_err($$SELECT acq.job_wait(1, NULL)$$);
SELECT edge_err($$SELECT * FROM acq.mycroft_select('ed_owner', 'ed_hard', 'id', 'features', 'label', 2147483647, method => 'random')$$);

-- ---- binning's arguments, each with its own message; the 1,024 limit -------
SELECT edge_err($$SELECT * FROM acq.mycroft_select('ed_owner', 'ed_hard', 'id', 'features', 'label', 5, method => 'binning', bin_features => '{}')$$);
SELECT edge_err($$SELECT * FROM acq.mycroft_select('ed_owner', 'ed_hard', 'id', 'features', 'label', 5, method => 'binning', bin_features => (SELECT array_agg(1 + i % 3) FROM generate_series(1, 1025) i))$$);
SELECT edge_err($$SELECT * FROM acq.mycroft_select('ed_owner', 'ed_hard', 'id', 'features', 'label', 5, method => 'binning', bin_candidates => '{}')$$);
SELECT edge_err($$SELECT * FROM acq.mycroft_select('ed_owner', 'ed_hard', 'id', 'features', 'label', 5, method => 'binning', min_bins => 0)$$);
CREATE TABLE ed_owner_wide AS SELECT id, array_fill(id::float8, ARRAY[1025]) AS features, label FROM ed_owner;
CREATE TABLE ed_hard_wide AS SELECT id, array_fill(id::float8, ARRAY[1025]) AS features, label FROM ed_hard;
SELECT * FROM acq.mycroft_select('ed_owner_wide', 'ed_hard_wide', 'id', 'features', 'label', 5, method => 'binning');
-- with bin_features naming at most 1,024 of them it runs
SELECT count(*) FROM acq.mycroft_select('ed_owner_wide', 'ed_hard_wide', 'id', 'features', 'label', 5, method => 'binning',
                                        bin_features => '{1,2,3}');

-- ---- a domain over float8[] is a float8[] ----------------------------------
CREATE DOMAIN ed_vec AS float8[];
CREATE TABLE ed_dsrc (source text, x ed_vec, y int, t float8);
INSERT INTO ed_dsrc SELECT * FROM ed_src;
CREATE TABLE ed_dval (x ed_vec, y int, t float8);
INSERT INTO ed_dval SELECT * FROM ed_val;
SELECT (SELECT round(gain::numeric, 6) FROM acq.subset_gain('ed_dsrc', 'ed_dval', 'x', 't', '{s1,s2}',
                                                          source_column => 'source', task => 'regression'))
     = (SELECT round(gain::numeric, 6) FROM acq.subset_gain('ed_src', 'ed_val', 'x', 't', '{s1,s2}',
                                                          source_column => 'source', task => 'regression')) AS same_gain;
SELECT model, n_train, n_test, round(r2::numeric, 6) AS r2 FROM acq.evaluate('{ed_dsrc}', 'ed_dval', 'x', 't', task => 'regression');
CREATE TABLE ed_downer (id int, features ed_vec, label int);
INSERT INTO ed_downer SELECT * FROM ed_owner;
SELECT array_agg(id ORDER BY id) = (SELECT array_agg(id ORDER BY id) FROM acq.mycroft_select('ed_owner', 'ed_hard', 'id', 'features', 'label', 5)) AS same_rows
FROM acq.mycroft_select('ed_downer', 'ed_hard', 'id', 'features', 'label', 5);

-- ---- acq.acquire: id, features and label name three columns ----------------
SELECT edge_err($$SELECT * FROM acq.acquire('ed_cons', 'ed_prov', 'ed_bought2', 'features', 'label', 4, id => 'features')$$);
SELECT edge_err($$SELECT * FROM acq.acquire('ed_cons', 'ed_prov', 'ed_bought2', 'features', 'label', 4, id => 'label')$$);
SELECT edge_err($$SELECT * FROM acq.acquire('ed_cons', 'ed_prov', 'ed_bought2', 'features', 'id', 4)$$);
ALTER TABLE ed_cons RENAME COLUMN label TO round;
ALTER TABLE ed_prov RENAME COLUMN label TO round;
SELECT * FROM acq.acquire('ed_cons', 'ed_prov', 'ed_bought2', 'features', 'round', 4);
