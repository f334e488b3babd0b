--
-- strategy => 'curve', curve_hedge (docs/acquisition.md): each allocation
-- round first gives round(curve_hedge * the round's budget) records to the
-- predicates with the fewest (toward equal counts), then allocates the rest
-- by the curves.  Default 0.5; 0 is the curves alone (Slice Tuner's, with
-- curve_pooling => 'none'), 1 equal counts.  Logged in the plan and in each
-- round's jsonb (hedged); passed through a job; bad values refused.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- curve_pooling.sql's four classes: the consumer holds 80, 80, 8 and 4 of them
CREATE TABLE ch_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO ch_prov
SELECT i, ARRAY[(i % 4) % 2 + sin(i * 0.731) * (0.3 + 0.2 * (i % 4)),
                (i % 4) / 2 + cos(i * 1.127) * (0.3 + 0.2 * (i % 4))], i % 4
FROM generate_series(1, 4000) i;
CREATE TABLE ch_cons (id bigint, x float8[], y int);
INSERT INTO ch_cons
SELECT 100000 + i, ARRAY[(i % 4) % 2 + sin(i * 0.377) * (0.3 + 0.2 * (i % 4)),
                         (i % 4) / 2 + cos(i * 0.913) * (0.3 + 0.2 * (i % 4))], i % 4
FROM generate_series(1, 320) i
WHERE i % 4 < 2 OR (i % 4 = 2 AND i <= 32) OR (i % 4 = 3 AND i <= 16);
CREATE TABLE ch_val AS
SELECT 300000 + i AS id, ARRAY[(i % 4) % 2 + sin(i * 0.211) * (0.3 + 0.2 * (i % 4)),
                               (i % 4) / 2 + cos(i * 0.619) * (0.3 + 0.2 * (i % 4))] AS x, i % 4 AS y
FROM generate_series(1, 400) i;

-- the default and 0 (the curves alone), 'none' (each predicate's own curve)
SELECT bought, counts FROM acq.acquire('ch_cons', 'ch_prov', 'ch_def', 'x', 'y', 400, strategy => 'curve',
                                       validation => 'ch_val', curve_pooling => 'none', seed => 1);
SELECT bought, counts FROM acq.acquire('ch_cons', 'ch_prov', 'ch_zero', 'x', 'y', 400, strategy => 'curve',
                                       validation => 'ch_val', curve_pooling => 'none', curve_hedge => 0, seed => 1);
SELECT target::text, curve_pooling, curve_hedge FROM acq.acquisition_plans
WHERE target::text IN ('ch_def', 'ch_zero') ORDER BY 1;
-- each round: hedged = round(hedge * round budget) (nothing runs out here);
-- the two plans agree until the curves of 'none' would put nearly the whole
-- round on one class (round 7: 98 of 100 to class 1), where the hedge
-- spreads half of it over the classes with the fewest records
SELECT p.target::text, r.round, (curve->>'round_budget')::int AS round_budget, (curve->>'hedged')::int AS hedged,
       curve->'n' AS n, curve->'allocation' AS allocation
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target::text IN ('ch_def', 'ch_zero') AND curve IS NOT NULL ORDER BY 1, 2;

-- 1: equal counts, the records of curve_pooling => 'full'
SELECT counts AS one_counts FROM acq.acquire('ch_cons', 'ch_prov', 'ch_one', 'x', 'y', 400, strategy => 'curve',
                                             validation => 'ch_val', curve_pooling => 'none', curve_hedge => 1,
                                             seed => 1) \gset
SELECT counts AS full_counts FROM acq.acquire('ch_cons', 'ch_prov', 'ch_full', 'x', 'y', 400, strategy => 'curve',
                                              validation => 'ch_val', curve_pooling => 'full', curve_hedge => 0,
                                              seed => 1) \gset
SELECT :'one_counts' AS one_counts, :'one_counts' = :'full_counts' AS same_as_full,
       (SELECT array_agg(id ORDER BY id) FROM ch_one) = (SELECT array_agg(id ORDER BY id) FROM ch_full) AS same_records;

-- the same seed, the same plan
SELECT bought FROM acq.acquire('ch_cons', 'ch_prov', 'ch_def2', 'x', 'y', 400, strategy => 'curve',
                               validation => 'ch_val', curve_pooling => 'none', seed => 1);
SELECT (SELECT array_agg(id ORDER BY id) FROM ch_def) = (SELECT array_agg(id ORDER BY id) FROM ch_def2)
       AS same_records;

-- through a job: the plan keeps the value, and buys what the call bought
SELECT acq.submit_acquire('ch_cons', 'ch_prov', 'ch_job', 'x', 'y', 400, strategy => 'curve',
                          validation => 'ch_val', curve_pooling => 'none', curve_hedge => 0, seed => 1) AS job \gset
SELECT acq.job_wait(:job);
SELECT a.status, p.curve_hedge, (SELECT array_agg(id ORDER BY id) FROM ch_job) =
       (SELECT array_agg(id ORDER BY id) FROM ch_zero) AS same_records_as_the_call
FROM acq.acquisitions a JOIN acq.acquisition_plans p USING (plan_id) WHERE a.job_id = :job;

-- bad values
SELECT * FROM acq.acquire('ch_cons', 'ch_prov', 'ch_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'ch_val', curve_hedge => -0.5);
SELECT * FROM acq.acquire('ch_cons', 'ch_prov', 'ch_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'ch_val', curve_hedge => 1.01);
SELECT * FROM acq.acquire('ch_cons', 'ch_prov', 'ch_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'ch_val', curve_hedge => 'NaN');
SELECT * FROM acq.acquire('ch_cons', 'ch_prov', 'ch_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'ch_val', curve_hedge => NULL);
SELECT acq.submit_acquire('ch_cons', 'ch_prov', 'ch_bad', 'x', 'y', 100, strategy => 'curve',
                          validation => 'ch_val', curve_hedge => 2);
SELECT count(*) AS bad_plans FROM acq.acquisition_plans WHERE target::text LIKE 'ch_bad%';

-- the job of this file leaves (jobs.sql counts those of earlier tests)
DELETE FROM acq.jobs WHERE id = :job;
DROP TABLE ch_prov, ch_cons, ch_val, ch_def, ch_def2, ch_zero, ch_one, ch_full, ch_job;
