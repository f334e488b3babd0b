--
-- Mycroft (docs/mycroft.md): hard examples, each owner-side method, owner
-- ranking (synchronous and as a job), and an error for each bad input.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- The trainer knows class 0 around (0, 0) and class 1 around (6, 6); the
-- test set also has class 1 around (0, -6), which the trainer has never seen
-- (every model calls it class 0).
CREATE FUNCTION my_pt(i int, cx float8, cy float8) RETURNS float8[] LANGUAGE sql IMMUTABLE AS
$$ SELECT ARRAY[cx + sin(i * 0.731) * 1.5, cy + cos(i * 1.127) * 1.5, sin(i * 0.071)] $$;
CREATE TABLE my_trainer AS
SELECT i AS id, my_pt(i, CASE WHEN i % 2 = 0 THEN 0 ELSE 6 END, CASE WHEN i % 2 = 0 THEN 0 ELSE 6 END) AS features,
       i % 2 AS label
FROM generate_series(1, 400) i;
CREATE TABLE my_test AS
SELECT 1000 + i AS id,
       my_pt(i * 7, CASE WHEN i % 3 = 1 THEN 6 ELSE 0 END,
             CASE i % 3 WHEN 0 THEN 0 WHEN 1 THEN 6 ELSE -6 END) AS features,
       CASE WHEN i % 3 = 0 THEN 0 ELSE 1 END AS label
FROM generate_series(1, 300) i;
-- owners: one with the unseen region, one without, one with five rows of it
CREATE TABLE my_useful AS
SELECT 5000 + i AS id, my_pt(i * 3, 0, CASE WHEN i % 2 = 0 THEN 0 ELSE -6 END) AS features, i % 2 AS label
FROM generate_series(1, 600) i;
CREATE TABLE my_useless AS
SELECT 7000 + i AS id, my_pt(i * 5, CASE WHEN i % 2 = 0 THEN 0 ELSE 6 END,
                             CASE WHEN i % 2 = 0 THEN 0 ELSE 6 END) AS features, i % 2 AS label
FROM generate_series(1, 600) i;
CREATE TABLE my_some AS
SELECT id + 4000 AS id, features, label FROM my_useless WHERE id % 10 <> 0
UNION ALL SELECT id + 4000, features, label FROM my_useful WHERE id % 120 = 1;

-- the hard examples: the unseen region, half shared with the owners
CREATE TABLE my_hard_all AS
SELECT * FROM acq.hard_examples('my_trainer', 'my_test', 'features', 'label', seed => 3);
SELECT label, predicted, shared, count(*), bool_and(features[2] < -2) AS all_unseen_region
FROM my_hard_all GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
CREATE TABLE my_hard AS SELECT id, features, label FROM my_hard_all WHERE shared;
CREATE TABLE my_held AS SELECT id, features, label FROM my_hard_all WHERE NOT shared;
-- the same seed splits the same way; the models agree on what they miss
SELECT (SELECT array_agg(id ORDER BY id) FROM acq.hard_examples('my_trainer', 'my_test', 'features', 'label', seed => 3) WHERE shared)
     = (SELECT array_agg(id ORDER BY id) FROM my_hard) AS same_split;
SELECT model, count(*) AS misses
FROM unnest('{tree,softmax,knn}'::text[]) model,
     LATERAL acq.hard_examples('my_trainer', 'my_test', 'features', 'label', model => model) h
GROUP BY 1 ORDER BY 1;

-- owner side: every method returns k rows of the useful owner's unseen region
-- (omp: with lambda = 0 the 8-dimensional gradients of a 2-class model on 3
-- features admit at most 8 rows; the default lambda = 0.5 has no such limit)
SELECT method, count(*) AS k, count(DISTINCT id) AS distinct_rows,
       bool_and(u.features[2] < -2) AS all_from_unseen_region,
       bool_and(score IS NOT NULL) AS scored, bool_and(weight IS NOT NULL) AS weighted
FROM unnest('{feature,binning,omp,combined}'::text[]) WITH ORDINALITY m(method, o),
     LATERAL acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 10, method => method) s
     JOIN my_useful u USING (id)
GROUP BY method, o ORDER BY o;
-- feature: ascending distance to the nearest hard row
SELECT bool_and(score >= prev) AS ascending FROM (
  SELECT score, lag(score, 1, 0.0) OVER (ORDER BY rank) AS prev
  FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 20)) s;
-- random: rows with D_hard's labels, seeded
SELECT count(*) AS k, bool_and(u.label = 1) AS hard_labels_only
FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 10, method => 'random', seed => 5) s
JOIN my_useful u USING (id);
SELECT (SELECT array_agg(id) FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 10,
                                                     method => 'random', seed => 5))
     = (SELECT array_agg(id) FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 10,
                                                     method => 'random', seed => 5)) AS same_seed_same_rows;
-- same_label: only rows of D_hard's labels, compared with hard rows of their own label
SELECT count(*) FILTER (WHERE u.label = 1) AS label_1
FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 10, same_label => true) s
JOIN my_useful u USING (id);
-- gradients supplied by the owner (here: the features, as a stand-in)
CREATE TABLE my_useful_g AS SELECT id, features, label, features || ARRAY[label::float8] AS g FROM my_useful;
CREATE TABLE my_hard_g AS SELECT id, features, label, features || ARRAY[label::float8] AS g FROM my_hard;
SELECT count(*) AS k, bool_and(weight IS NOT NULL) AS weighted
FROM acq.mycroft_select('my_useful_g', 'my_hard_g', 'id', 'features', 'label', 3, method => 'omp', gradients => 'g');
SELECT count(*) AS k
FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 10, method => 'omp', lambda => 0);
-- omp over a wide gradient column (N M >= 2^20, k >= 8): the owner's rows
-- are quantised as they are read and the exact rows the pursuit needs are
-- fetched back by ctid (DEBUG1 says so); through a view the rows are held
-- in memory instead.  Both select the same rows with the same weights.
CREATE TABLE my_wide_g AS
SELECT i AS id, ARRAY[sin(i), cos(i)] AS features, i % 3 AS label,
       ARRAY(SELECT sin(i * 0.37 + j * 1.91) + 0.1 * cos(i * j * 0.013) FROM generate_series(1, 1100) j) AS g
FROM generate_series(1, 1000) i;
CREATE VIEW my_wide_v AS SELECT * FROM my_wide_g;
CREATE TABLE my_wide_hard AS SELECT id + 100000 AS id, features, label, g FROM my_wide_g WHERE id % 97 = 0;
CREATE FUNCTION my_omp_rows(owner regclass, method text, same boolean) RETURNS text[] LANGUAGE sql AS $$
  SELECT array_agg(id || ':' || round(weight::numeric, 8) ORDER BY id)
  FROM acq.mycroft_select(owner, 'my_wide_hard', 'id', 'features', 'label', 12, method => method,
                          gradients => 'g', lambda => 0.01, same_label => same) $$;
-- (terse: the detail, how many rows were fetched, depends on the CPU's rounding)
\set VERBOSITY terse
SET client_min_messages = debug1;
SELECT cardinality(my_omp_rows('my_wide_g', 'omp', false)) AS k;
RESET client_min_messages;
\set VERBOSITY default
SELECT method, same, my_omp_rows('my_wide_g', method, same) = my_omp_rows('my_wide_v', method, same) AS same_rows
FROM unnest('{omp,combined}'::text[]) method, unnest('{false,true}'::boolean[]) same ORDER BY 1, 2;
-- a table with inheritance children (ctid does not name one row there): held in memory
CREATE TABLE my_wide_parent (LIKE my_wide_g);
CREATE TABLE my_wide_child () INHERITS (my_wide_parent);
INSERT INTO my_wide_parent SELECT * FROM my_wide_g WHERE id > 500;
INSERT INTO my_wide_child SELECT * FROM my_wide_g WHERE id <= 500;
SELECT my_omp_rows('my_wide_parent', 'omp', false) = my_omp_rows('my_wide_v', 'omp', false) AS same_rows;
-- a value that is not finite is found while quantising, and named
UPDATE my_wide_g SET g[3] = 'NaN' WHERE id = 5;
SELECT my_omp_rows('my_wide_g', 'omp', false);
-- a ragged or NULL gradient, likewise
UPDATE my_wide_g SET g = g[1:1099] WHERE id = 5;
SELECT my_omp_rows('my_wide_g', 'omp', false);
UPDATE my_wide_g SET g = NULL WHERE id = 5;
SELECT my_omp_rows('my_wide_g', 'omp', false);
-- an owner whose features are shorter than the hard rows' is an error on the
-- streamed path too (it read past the end of its rows before)
CREATE TABLE my_wide_short AS SELECT id, features[1:1] AS features, label, g FROM my_wide_g WHERE id <> 5;
SELECT my_omp_rows('my_wide_short', 'combined', false);
DROP TABLE my_wide_short;
-- hard rows named by other columns
CREATE TABLE my_hard_renamed AS SELECT id, features AS x, label AS y FROM my_hard;
SELECT count(*) FROM acq.mycroft_select('my_useful', 'my_hard_renamed', 'id', 'features', 'label', 5,
                                        hard_features => 'x', hard_label => 'y');

-- the trainer ranks the owners by their k rows
SELECT rank, owner, shared, round(accuracy_hard::numeric, 2) AS accuracy_hard,
       round(f1_hard::numeric, 2) AS f1_hard, accuracy_test > 0.6 AS test_ok, missing_labels
FROM acq.rank_owners('my_trainer', 'my_hard', 'my_held', '{my_useless,my_some,my_useful}',
                     'features', 'label', k => 10, test => 'my_test', positive => 1);
SELECT array_agg(owner::text ORDER BY rank) AS order_by_binning
FROM acq.rank_owners('my_trainer', 'my_hard', 'my_held', '{my_useless,my_some,my_useful}',
                     'features', 'label', k => 10, method => 'binning');
-- as a background job
SELECT acq.submit_rank_owners('my_trainer', 'my_hard', 'my_held', '{my_useless,my_some,my_useful}',
                              'features', 'label', k => 10, positive => 1) AS job \gset
SELECT acq.job_wait(:job);
SELECT status, message FROM acq.job_status WHERE id = :job;
SELECT rank, data_owner, shared, round(f1_hard::numeric, 2) AS f1_hard
FROM acq.owner_rankings WHERE job_id = :job ORDER BY rank;

-- ---- bad input ----------------------------------------------------------
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 0);
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 601);
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 5, method => 'closest');
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 5, method => 'omp', lambda => -1);
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 5, method => 'binning', min_bins => 1);
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 5, method => 'binning', bin_candidates => '{10,5}');
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 5, method => 'binning', bin_candidates => '{10,NULL}');
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 5, method => 'binning', bin_features => '{{1,2},{3,4}}');
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 5, method => 'binning', sample_rate => 0);
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 5, gradients => 'g');
SELECT * FROM acq.mycroft_select('my_useful', 'my_useful', 'id', 'features', 'label', 5);
CREATE TABLE my_empty (id int, features float8[], label int);
SELECT * FROM acq.mycroft_select('my_useful', 'my_empty', 'id', 'features', 'label', 5);
CREATE TABLE my_hard_2d AS SELECT id, features[1:2] AS features, label FROM my_hard;
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard_2d', 'id', 'features', 'label', 5);
-- labels of D_hard the owner lacks: said, and the selection stands
CREATE TABLE my_only0 AS SELECT * FROM my_useful WHERE label = 0;
SELECT count(*) FROM acq.mycroft_select('my_only0', 'my_hard', 'id', 'features', 'label', 5);
-- rows that cannot be used
CREATE TABLE my_bad AS SELECT * FROM my_useful;
UPDATE my_bad SET features = ARRAY[1, 'NaN'::float8, 2] WHERE id = 5007;
SELECT * FROM acq.mycroft_select('my_bad', 'my_hard', 'id', 'features', 'label', 5);
UPDATE my_bad SET features = NULL WHERE id = 5007;
SELECT * FROM acq.mycroft_select('my_bad', 'my_hard', 'id', 'features', 'label', 5);
UPDATE my_bad SET features = ARRAY[1, 2, 3], id = 5008 WHERE id = 5007;
SELECT * FROM acq.mycroft_select('my_bad', 'my_hard', 'id', 'features', 'label', 5);
UPDATE my_bad SET id = NULL WHERE id = 5008 AND features = ARRAY[1, 2, 3]::float8[];
SELECT * FROM acq.mycroft_select('my_bad', 'my_hard', 'id', 'features', 'label', 5);
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'nope', 'label', 5);
-- the trainer's side
SELECT * FROM acq.hard_examples('my_trainer', 'my_test', 'features', 'label', share => 1.5);
SELECT * FROM acq.hard_examples('my_trainer', 'my_test', 'features', 'label', model => 'forest');
SELECT * FROM acq.hard_examples('my_trainer', 'my_test', 'features', 'label', criterion => 'log');
SELECT * FROM acq.hard_examples('my_trainer', 'my_empty', 'features', 'label');
SELECT * FROM acq.rank_owners('my_trainer', 'my_hard', 'my_empty', '{my_useful}', 'features', 'label');
SELECT * FROM acq.rank_owners('my_trainer', 'my_hard', 'my_held', '{}', 'features', 'label');
SELECT * FROM acq.rank_owners('my_trainer', 'my_hard', 'my_held', '{my_useful}', 'features', 'label', positive => 7);
SELECT * FROM acq.rank_owners('my_trainer', 'my_hard', 'my_held', '{my_useful}', 'features', 'label', positive => 'NaN');
SELECT * FROM acq.rank_owners('my_trainer', 'my_hard', 'my_held', '{my_useful}', 'features', 'label', test => 'my_empty');
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 2147483647, method => 'random');
SELECT acq.submit_rank_owners('my_trainer', 'my_hard', 'my_held', '{my_useful}', 'features', 'label', k => 0);
-- rights: an owner's table the caller may not read
CREATE ROLE my_trainer_role;
GRANT SELECT ON my_hard, my_trainer, my_held TO my_trainer_role;
SET ROLE my_trainer_role;
SELECT * FROM acq.mycroft_select('my_useful', 'my_hard', 'id', 'features', 'label', 5);
SELECT acq.submit_rank_owners('my_trainer', 'my_hard', 'my_held', '{my_useful}', 'features', 'label');
SELECT count(*) AS visible_rankings FROM acq.owner_rankings;
RESET ROLE;
REVOKE SELECT ON my_hard, my_trainer, my_held FROM my_trainer_role;
DROP ROLE my_trainer_role;
