--
-- SPS's coverage rule and EA's 'fill' allocation (issue 15, second pass;
-- docs/acquisition.md "SPS and EA at large budgets").  SPS queries Thompson
-- sampling's choice only where its novelty beats the least-bought
-- predicate's at the level `separation` (default 0.05), and the
-- least-bought predicate otherwise; separation => 1 is the paper's SPS.
-- EA's default allocation 'fill' spends half the budget equally and half by
-- water-filling the effective held counts its utilities imply.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- 8 labels of alike records; the consumer holds a skewed few of each
CREATE TABLE cov_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO cov_prov
SELECT i, ARRAY[(i % 8) + sin(i * 0.731) * 0.4, cos(i * 1.127)], i % 8
FROM generate_series(1, 16000) i;
CREATE TABLE cov_cons (id bigint, x float8[], y int);
INSERT INTO cov_cons
SELECT 100000 + c * 100 + j, ARRAY[c + sin(j * 0.377) * 0.4, cos(j * 0.913)], c
FROM generate_series(0, 7) c, generate_series(1, 2 + 3 * c) j;

-- SPS at its defaults, B = 4,000 = 5 x |P| x batch: once the labels hold
-- alike numbers, their novelty no longer separates and every label stays
-- within one batch of the others
SELECT bought, rounds, counts,
       (SELECT max(c) - min(c) FROM unnest(counts) c) AS spread
FROM acq.acquire('cov_cons', 'cov_prov', 'cov_sps', 'x', 'y', 4000, seed => 1);
SELECT strategy, separation, allocation
FROM acq.acquisition_plans WHERE target = 'cov_sps'::regclass;
SELECT stage, count(*) AS rounds, sum(received) AS bought
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'cov_sps'::regclass GROUP BY stage ORDER BY stage;

-- the paper's SPS (separation => 1): the same first round, then the Beta
-- draws alone
SELECT bought, rounds, counts,
       (SELECT max(c) - min(c) FROM unnest(counts) c) AS spread
FROM acq.acquire('cov_cons', 'cov_prov', 'cov_sps_paper', 'x', 'y', 4000, separation => 1, seed => 1);

-- at B = 800 (one batch each) the two agree: the rule acts only after the first round
SELECT a.counts = b.counts AS same_first_round
FROM acq.acquire('cov_cons', 'cov_prov', 'cov_a', 'x', 'y', 800, seed => 2) a,
     acq.acquire('cov_cons', 'cov_prov', 'cov_b', 'x', 'y', 800, separation => 1, seed => 2) b;

-- same seed, same plan
SELECT counts FROM acq.acquire('cov_cons', 'cov_prov', 'cov_sps_again', 'x', 'y', 4000, seed => 1);

-- a label the consumer holds far fewer of separates from the others: its
-- batches stay novel, and the rule lets Thompson sampling buy it until the
-- labels hold alike numbers (the consumer: 300 of labels 0-6, 2 of label 7)
CREATE TABLE cov_cons2 (id bigint, x float8[], y int);
INSERT INTO cov_cons2
SELECT 100000 + c * 1000 + j, ARRAY[c + sin(j * 0.377) * 0.4, cos(j * 0.913)], c
FROM generate_series(0, 7) c, generate_series(1, CASE WHEN c = 7 THEN 2 ELSE 300 END) j;
SELECT counts[8] AS label_7, (SELECT max(c) FROM unnest(counts[1:7]) c) AS most_of_the_others,
       (SELECT min(c) FROM unnest(counts[1:7]) c) AS fewest_of_the_others
FROM acq.acquire('cov_cons2', 'cov_prov', 'cov_sps_sep', 'x', 'y', 1600, seed => 1);
-- uniform spreads it evenly
SELECT counts FROM acq.acquire('cov_cons2', 'cov_prov', 'cov_uni', 'x', 'y', 1600, strategy => 'uniform', seed => 1);

-- EA at its defaults: allocation 'fill'; every label gets at least B / (2 |P|) = 250
SELECT bought, counts, (SELECT min(c) FROM unnest(counts) c) >= 250 AS floor_held
FROM acq.acquire('cov_cons', 'cov_prov', 'cov_ea', 'x', 'y', 4000, strategy => 'ea', seed => 1);
SELECT allocation, separation FROM acq.acquisition_plans WHERE target = 'cov_ea'::regclass;
SELECT stage, count(*) > 0 AS rounds
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'cov_ea'::regclass GROUP BY stage ORDER BY stage;
-- the other allocations are still there ('linear' is the paper's)
SELECT bought FROM acq.acquire('cov_cons', 'cov_prov', 'cov_ea_mixed', 'x', 'y', 4000, strategy => 'ea', allocation => 'mixed', seed => 1);
SELECT bought FROM acq.acquire('cov_cons', 'cov_prov', 'cov_ea_linear', 'x', 'y', 4000, strategy => 'ea', allocation => 'linear', seed => 1);
SELECT target, allocation FROM acq.acquisition_plans
WHERE target IN ('cov_ea_mixed'::regclass, 'cov_ea_linear'::regclass) ORDER BY plan_id;

-- a job keeps the separation it was submitted with
SELECT acq.submit_acquire('cov_cons', 'cov_prov', 'cov_job', 'x', 'y', 1200, separation => 0.3, seed => 1) AS job \gset
SELECT acq.job_wait(:job);
SELECT strategy, separation, bought FROM acq.acquisition_plans WHERE target = 'cov_job'::regclass;

-- bad input (SQLSTATE 22023; NULL 22004)
\set VERBOSITY sqlstate
SELECT * FROM acq.acquire('cov_cons', 'cov_prov', 'cov_x', 'x', 'y', 1000, separation => 0);
SELECT * FROM acq.acquire('cov_cons', 'cov_prov', 'cov_x', 'x', 'y', 1000, separation => 1.5);
SELECT * FROM acq.acquire('cov_cons', 'cov_prov', 'cov_x', 'x', 'y', 1000, separation => 'NaN');
SELECT * FROM acq.acquire('cov_cons', 'cov_prov', 'cov_x', 'x', 'y', 1000, separation => NULL);
SELECT * FROM acq.acquire('cov_cons', 'cov_prov', 'cov_x', 'x', 'y', 1000, strategy => 'ea', allocation => 'water');
SELECT acq.submit_acquire('cov_cons', 'cov_prov', 'cov_x', 'x', 'y', 1000, separation => -1);
\set VERBOSITY default
SELECT * FROM acq.acquire('cov_cons', 'cov_prov', 'cov_x', 'x', 'y', 1000, separation => 0);
SELECT * FROM acq.acquire('cov_cons', 'cov_prov', 'cov_x', 'x', 'y', 1000, strategy => 'ea', allocation => 'water');
SELECT to_regclass('cov_x') IS NULL AS nothing_created;
