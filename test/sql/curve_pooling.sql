--
-- strategy => 'curve', curve_pooling (docs/acquisition.md): 'auto' (the
-- default) shrinks each predicate's fitted exponent toward a common one by
-- how well it is measured; 'none' is each predicate's own curve (Slice
-- Tuner's, the plans of acq before the parameter); 'full' is one common
-- curve: equal counts (water-filling).  Logged in the plan and in each
-- allocation round's jsonb; passed through a job; bad values refused.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- curve.sql's four classes: the consumer holds 80, 80, 8 and 4 of them
CREATE TABLE cp_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO cp_prov
SELECT i, ARRAY[(i % 4) % 2 + sin(i * 0.731) * (0.3 + 0.2 * (i % 4)),
                (i % 4) / 2 + cos(i * 1.127) * (0.3 + 0.2 * (i % 4))], i % 4
FROM generate_series(1, 4000) i;
CREATE TABLE cp_cons (id bigint, x float8[], y int);
INSERT INTO cp_cons
SELECT 100000 + i, ARRAY[(i % 4) % 2 + sin(i * 0.377) * (0.3 + 0.2 * (i % 4)),
                         (i % 4) / 2 + cos(i * 0.913) * (0.3 + 0.2 * (i % 4))], i % 4
FROM generate_series(1, 320) i
WHERE i % 4 < 2 OR (i % 4 = 2 AND i <= 32) OR (i % 4 = 3 AND i <= 16);
CREATE TABLE cp_val AS
SELECT 300000 + i AS id, ARRAY[(i % 4) % 2 + sin(i * 0.211) * (0.3 + 0.2 * (i % 4)),
                               (i % 4) / 2 + cos(i * 0.619) * (0.3 + 0.2 * (i % 4))] AS x, i % 4 AS y
FROM generate_series(1, 400) i;

-- 'none' with curve_hedge => 0 is the plan acq made before curve_pooling
-- existed (curve.sql's k-NN plan, whose expected counts were {0,0,69,81} then)
SELECT bought, rounds, counts FROM acq.acquire('cp_cons', 'cp_prov', 'cp_none', 'x', 'y', 150, strategy => 'curve',
                               validation => 'cp_val', model => 'knn', batch => 50, curve_points => 3,
                               curve_pooling => 'none', curve_hedge => 0, seed => 1);
-- its weights are all 1 and its curves its own fits
SELECT bool_and(curve->'weight' = (SELECT jsonb_agg(1) FROM jsonb_array_elements(curve->'a'))) AS weights_one,
       bool_and(curve->'a' = curve->'a_own' AND curve->'b' = curve->'b_own') AS own_curves,
       bool_and(curve->>'pooling' = 'none') AS logged
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'cp_none'::regclass AND curve IS NOT NULL;

-- 'full': one curve for every predicate, so the first round of 100 fills the
-- scarce classes to equal counts: 4 -> 8, then 48 more each (56, 56)
SELECT bought, counts FROM acq.acquire('cp_cons', 'cp_prov', 'cp_full', 'x', 'y', 400, strategy => 'curve',
                                       validation => 'cp_val', curve_pooling => 'full', seed => 1);
SELECT round, curve->'allocation' AS allocation, curve->'weight' AS weights,
       (SELECT count(DISTINCT e) FROM jsonb_array_elements_text(curve->'a') e) AS distinct_exponents,
       (SELECT count(DISTINCT e) FROM jsonb_array_elements_text(curve->'b') e) AS distinct_scales
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'cp_full'::regclass AND curve IS NOT NULL ORDER BY round LIMIT 1;
-- the plan ends with equal counts: consumer + bought = 143 of each class
SELECT array_agg(n ORDER BY y) AS consumer_plus_bought
FROM (SELECT y, count(*) AS n FROM (SELECT y FROM cp_cons UNION ALL SELECT y FROM cp_full) u GROUP BY y) c;

-- 'auto' (the default): weights in [0, 1], the common exponent and the
-- learning t logged; where t >= 2 each curve still passes through its own
-- fitted loss at the current count, where t < 2 every predicate has one curve
SELECT bought, counts AS auto_counts FROM acq.acquire('cp_cons', 'cp_prov', 'cp_auto', 'x', 'y', 400, strategy => 'curve',
                                              validation => 'cp_val', seed => 1) \gset
SELECT curve_pooling FROM acq.acquisition_plans WHERE target = 'cp_auto'::regclass;
WITH c AS (
  SELECT curve, (curve->'common'->>'learning_t')::float8 AS t,
         (SELECT bool_and(abs((curve->'b'->>i)::float8 * ((curve->'n'->>i)::float8) ^ (-(curve->'a'->>i)::float8) -
                              (curve->'b_own'->>i)::float8 * ((curve->'n'->>i)::float8) ^ (-(curve->'a_own'->>i)::float8))
                          <= 1e-4 * (curve->'b_own'->>i)::float8 * ((curve->'n'->>i)::float8) ^ (-(curve->'a_own'->>i)::float8))
            FROM generate_series(0, jsonb_array_length(curve->'a') - 1) i) AS levels_kept,
         (SELECT count(DISTINCT e) FROM jsonb_array_elements_text(curve->'a') e) = 1 AND
         (SELECT count(DISTINCT e) FROM jsonb_array_elements_text(curve->'b') e) = 1 AS one_curve
  FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
  WHERE p.target = 'cp_auto'::regclass AND curve IS NOT NULL)
SELECT count(*) AS allocation_rounds,
       count(*) FILTER (WHERE t < 2) AS rounds_not_learning,
       bool_and(curve->>'pooling' = 'auto') AS logged,
       bool_and((SELECT bool_and(e::float8 >= 0 AND e::float8 <= 1) FROM jsonb_array_elements_text(curve->'weight') e))
         AS weights_in_0_1,
       bool_and((curve->'common'->>'a')::float8 > 0 AND (curve->'common'->>'tau2')::float8 >= 0
                AND (curve->'common'->>'sigma2')::float8 >= 0 AND t IS NOT NULL) AS common_logged,
       bool_and(CASE WHEN t >= 2 THEN levels_kept ELSE one_curve END) AS levels_kept_or_one_curve,
       bool_and(jsonb_array_length(curve->'points') = 4 AND jsonb_array_length(curve->'points'->0) = 5) AS points_logged
FROM c;
-- the same seed, the same plan
SELECT counts = :'auto_counts' AS same_counts FROM acq.acquire('cp_cons', 'cp_prov', 'cp_auto2', 'x', 'y', 400,
                                                                strategy => 'curve', validation => 'cp_val', seed => 1);

-- through a job: the plan keeps the value
SELECT acq.submit_acquire('cp_cons', 'cp_prov', 'cp_job', 'x', 'y', 400, strategy => 'curve',
                          validation => 'cp_val', curve_pooling => 'full', seed => 1) AS job \gset
SELECT acq.job_wait(:job);
SELECT a.status, p.curve_pooling, (SELECT array_agg(id ORDER BY id) FROM cp_job) =
       (SELECT array_agg(id ORDER BY id) FROM cp_full) AS same_records_as_the_call
FROM acq.acquisitions a JOIN acq.acquisition_plans p USING (plan_id) WHERE a.job_id = :job;

-- bad values
SELECT * FROM acq.acquire('cp_cons', 'cp_prov', 'cp_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cp_val', curve_pooling => 'partial');
SELECT * FROM acq.acquire('cp_cons', 'cp_prov', 'cp_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cp_val', curve_pooling => NULL);
SELECT acq.submit_acquire('cp_cons', 'cp_prov', 'cp_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cp_val', curve_pooling => 'Auto');
SELECT count(*) AS bad_plans FROM acq.acquisition_plans WHERE target::text LIKE 'cp_bad%';

-- the job of this file leaves (jobs.sql counts those of earlier tests)
DELETE FROM acq.jobs WHERE id = :job;
DROP TABLE cp_prov, cp_cons, cp_val, cp_none, cp_full, cp_auto, cp_auto2, cp_job;
