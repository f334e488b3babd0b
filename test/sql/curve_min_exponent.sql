--
-- strategy => 'curve', curve_min_exponent (docs/acquisition.md): with
-- curve_pooling => 'auto' the predicates' curves are followed only where the
-- model learns: the t statistic of the mean exponent at least 2 AND the
-- common exponent a0 at least curve_min_exponent (default 0.05); otherwise
-- one common curve (equal counts).  0 is the rule before it (the t test
-- alone).  Logged in the plan and in each round's jsonb (common.learning);
-- passed through a job; bad values refused.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- curve_pooling.sql's four classes: the consumer holds 80, 80, 8 and 4 of them
CREATE TABLE me_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO me_prov
SELECT i, ARRAY[(i % 4) % 2 + sin(i * 0.731) * (0.3 + 0.2 * (i % 4)),
                (i % 4) / 2 + cos(i * 1.127) * (0.3 + 0.2 * (i % 4))], i % 4
FROM generate_series(1, 4000) i;
CREATE TABLE me_cons (id bigint, x float8[], y int);
INSERT INTO me_cons
SELECT 100000 + i, ARRAY[(i % 4) % 2 + sin(i * 0.377) * (0.3 + 0.2 * (i % 4)),
                         (i % 4) / 2 + cos(i * 0.913) * (0.3 + 0.2 * (i % 4))], i % 4
FROM generate_series(1, 320) i
WHERE i % 4 < 2 OR (i % 4 = 2 AND i <= 32) OR (i % 4 = 3 AND i <= 16);
CREATE TABLE me_val AS
SELECT 300000 + i AS id, ARRAY[(i % 4) % 2 + sin(i * 0.211) * (0.3 + 0.2 * (i % 4)),
                               (i % 4) / 2 + cos(i * 0.619) * (0.3 + 0.2 * (i % 4))] AS x, i % 4 AS y
FROM generate_series(1, 400) i;

-- the default (0.05) and the rule before it (0): recorded in the plan
SELECT counts AS default_counts FROM acq.acquire('me_cons', 'me_prov', 'me_def', 'x', 'y', 400, strategy => 'curve',
                                                 validation => 'me_val', seed => 1) \gset
SELECT counts AS t_only_counts FROM acq.acquire('me_cons', 'me_prov', 'me_t', 'x', 'y', 400, strategy => 'curve',
                                                validation => 'me_val', curve_min_exponent => 0, seed => 1) \gset
SELECT target::text, curve_pooling, curve_min_exponent FROM acq.acquisition_plans
WHERE target::text IN ('me_def', 'me_t') ORDER BY 1;

-- every round logs whether the curves were followed, and the rule holds:
-- learning = (t >= 2 and a0 >= curve_min_exponent); where it learns each curve
-- keeps its own level, where it does not every predicate has one curve
WITH c AS (
  SELECT p.target::text AS plan, p.curve_min_exponent AS m, curve,
         (curve->'common'->>'learning_t')::float8 AS t, (curve->'common'->>'a')::float8 AS a0,
         (curve->'common'->>'learning')::boolean AS learning,
         (SELECT count(DISTINCT e) FROM jsonb_array_elements_text(curve->'b') e) = 1 AS one_curve
  FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
  WHERE p.target::text IN ('me_def', 'me_t') AND curve IS NOT NULL)
SELECT plan, count(*) AS allocation_rounds, count(*) FILTER (WHERE learning) AS rounds_following_curves,
       bool_and(learning = (t >= 2 AND a0 >= m)) AS rule_holds,
       bool_and(learning OR one_curve) AS otherwise_one_curve
FROM c GROUP BY plan ORDER BY plan;

-- the data learn fast (a0 well above 0.05): the default changes nothing here
SELECT :'default_counts' = :'t_only_counts' AS same_plan_as_t_test_alone;

-- a least exponent above every measured a0 (the most, 2): never learning,
-- so the plan is 'full''s (one common curve: equal counts), record for record
SELECT counts AS strict_counts FROM acq.acquire('me_cons', 'me_prov', 'me_strict', 'x', 'y', 400, strategy => 'curve',
                                                validation => 'me_val', curve_min_exponent => 2, seed => 1) \gset
SELECT counts AS full_counts FROM acq.acquire('me_cons', 'me_prov', 'me_full', 'x', 'y', 400, strategy => 'curve',
                                              validation => 'me_val', curve_pooling => 'full', seed => 1) \gset
SELECT :'strict_counts' AS strict_counts, :'strict_counts' = :'full_counts' AS same_as_full,
       (SELECT array_agg(id ORDER BY id) FROM me_strict) = (SELECT array_agg(id ORDER BY id) FROM me_full)
         AS same_records;
SELECT bool_and(NOT (curve->'common'->>'learning')::boolean) AS never_learning
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'me_strict'::regclass AND curve IS NOT NULL;
-- the plan ends with equal counts: consumer + bought of each class
SELECT array_agg(n ORDER BY y) AS consumer_plus_bought
FROM (SELECT y, count(*) AS n FROM (SELECT y FROM me_cons UNION ALL SELECT y FROM me_strict) u GROUP BY y) c;

-- 'none' and 'full' do not ask (learning null), whatever curve_min_exponent
SELECT acq.acquire('me_cons', 'me_prov', 'me_none', 'x', 'y', 200, strategy => 'curve', validation => 'me_val',
                   curve_pooling => 'none', curve_min_exponent => 2, seed => 1) IS NOT NULL AS ran;
SELECT p.target::text, bool_and(curve->'common'->'learning' = 'null'::jsonb) AS learning_null
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target::text IN ('me_none', 'me_full') AND curve IS NOT NULL GROUP BY 1 ORDER BY 1;

-- through a job: the plan keeps the value, and buys what the call bought
SELECT acq.submit_acquire('me_cons', 'me_prov', 'me_job', 'x', 'y', 400, strategy => 'curve',
                          validation => 'me_val', curve_min_exponent => 2, seed => 1) AS job \gset
SELECT acq.job_wait(:job);
SELECT a.status, p.curve_min_exponent, (SELECT array_agg(id ORDER BY id) FROM me_job) =
       (SELECT array_agg(id ORDER BY id) FROM me_strict) AS same_records_as_the_call
FROM acq.acquisitions a JOIN acq.acquisition_plans p USING (plan_id) WHERE a.job_id = :job;

-- bad values
SELECT * FROM acq.acquire('me_cons', 'me_prov', 'me_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'me_val', curve_min_exponent => -0.01);
SELECT * FROM acq.acquire('me_cons', 'me_prov', 'me_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'me_val', curve_min_exponent => 2.5);
SELECT * FROM acq.acquire('me_cons', 'me_prov', 'me_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'me_val', curve_min_exponent => 'NaN');
SELECT * FROM acq.acquire('me_cons', 'me_prov', 'me_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'me_val', curve_min_exponent => NULL);
SELECT acq.submit_acquire('me_cons', 'me_prov', 'me_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'me_val', curve_min_exponent => 'Infinity');
SELECT count(*) AS bad_plans FROM acq.acquisition_plans WHERE target::text LIKE 'me_bad%';

-- the job of this file leaves (jobs.sql counts those of earlier tests)
DELETE FROM acq.jobs WHERE id = :job;
DROP TABLE me_prov, me_cons, me_val, me_def, me_t, me_strict, me_full, me_none, me_job;
