--
-- No degenerate plans (issue 15, docs/acquisition.md "The first round"):
-- whatever the budget, a plan's first round buys at least one record of
-- every predicate.  SPS's first batch per predicate (and EA's initial
-- share) shrinks to fit a budget below what it asks, with a NOTICE; uniform
-- rounds smaller than the predicates serve them in turn; a budget below the
-- number of predicates is an ERROR.  EA's 'mixed' allocation.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- 12 class labels on a line; the consumer holds a skewed few of each
CREATE TABLE pl_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO pl_prov
SELECT i, ARRAY[(i % 12) + sin(i * 0.731) * 0.4, cos(i * 1.127)], i % 12
FROM generate_series(1, 2400) i;
CREATE TABLE pl_cons (id bigint, x float8[], y int);
INSERT INTO pl_cons
SELECT 100000 + c * 100 + j, ARRAY[c + sin(j * 0.377) * 0.4, cos(j * 0.913)], c
FROM generate_series(0, 11) c, generate_series(1, 2 + 4 * c) j;

-- SPS, B = 500 < 12 x 100: the first round shrinks to 42 records each (the
-- first 8 predicates 41 + 1), so every label gets some; nothing is left to
-- sample
SELECT bought, rounds, budget_left, counts
FROM acq.acquire('pl_cons', 'pl_prov', 'pl_sps', 'x', 'y', 500, batch => 100, seed => 1);
SELECT stage, count(*) AS rounds, min(requested), max(requested), sum(received)
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'pl_sps'::regclass GROUP BY stage ORDER BY stage;
SELECT count(DISTINCT y) AS labels_bought FROM pl_sps;

-- SPS with batch 5: 12 x 5 = 60 fits B = 200, so no NOTICE; the rest by
-- Thompson sampling and, where its choice does not separate from the
-- least-bought label, that label (the default coverage rule): every label at
-- least its 5, here 15
SELECT bought, budget_left, (SELECT min(c) FROM unnest(counts) c) AS fewest
FROM acq.acquire('pl_cons', 'pl_prov', 'pl_sps2', 'x', 'y', 200, batch => 5, seed => 1);
SELECT stage, min(requested), max(requested)
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'pl_sps2'::regclass AND stage = 'init' GROUP BY stage;

-- the default batch (100, or the budget if smaller): B = 30 is 2 or 3 each
SELECT bought, counts
FROM acq.acquire('pl_cons', 'pl_prov', 'pl_sps3', 'x', 'y', 30, seed => 1);

-- B = |P| exactly: one record each
SELECT bought, counts
FROM acq.acquire('pl_cons', 'pl_prov', 'pl_sps4', 'x', 'y', 12, seed => 1);

-- EA: initial shares (max(5, 1% of 200) = 5 each, 60 in all) above B = 40 shrink too
SELECT bought, counts
FROM acq.acquire('pl_cons', 'pl_prov', 'pl_ea', 'x', 'y', 40, strategy => 'ea', seed => 1);

-- uniform: rounds of 5 records over 12 predicates serve them in turn (NOTICE);
-- no label gets a second record before every label has a first
SELECT bought, counts
FROM acq.acquire('pl_cons', 'pl_prov', 'pl_uni', 'x', 'y', 17, strategy => 'uniform', batch => 5, seed => 1);
SELECT round, predicate, requested
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'pl_uni'::regclass ORDER BY round;
-- with the default batch the first round already covers the 12 labels: no NOTICE
SELECT bought, counts
FROM acq.acquire('pl_cons', 'pl_prov', 'pl_uni2', 'x', 'y', 30, strategy => 'uniform', seed => 1);

-- a budget below the predicates cannot cover them: nothing is bought
SELECT * FROM acq.acquire('pl_cons', 'pl_prov', 'pl_small', 'x', 'y', 11, seed => 1);
SELECT * FROM acq.acquire('pl_cons', 'pl_prov', 'pl_small', 'x', 'y', 11, strategy => 'uniform', seed => 1);
SELECT * FROM acq.acquire('pl_cons', 'pl_prov', 'pl_small', 'x', 'y', 3, strategy => 'ea', seed => 1);
SELECT to_regclass('pl_small') IS NULL AS no_target;
-- random has one predicate, the whole pool: any budget
SELECT bought FROM acq.acquire('pl_cons', 'pl_prov', 'pl_rnd', 'x', 'y', 3, strategy => 'random', seed => 1);
-- fewer predicates are the way out
SELECT bought, counts
FROM acq.acquire('pl_cons', 'pl_prov', 'pl_few', 'x', 'y', 11, labels => '{0,1,2,3,4,5,6,7,8,9,10}', seed => 1);

-- EA's mixed allocation: half by utility, half equal; every label gets more
-- than its initial 5; same seed, same plan
SELECT bought, (SELECT min(c) FROM unnest(counts) c) > 5 AS all_above_init
FROM acq.acquire('pl_cons', 'pl_prov', 'pl_mix', 'x', 'y', 1200, strategy => 'ea', allocation => 'mixed', seed => 1);
SELECT allocation, stage, count(*) > 0 AS rounds
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'pl_mix'::regclass AND stage = 'allocate' GROUP BY 1, 2;
SELECT bought FROM acq.acquire('pl_cons', 'pl_prov', 'pl_mix2', 'x', 'y', 1200, strategy => 'ea', allocation => 'mixed', seed => 1);
SELECT count(*) AS differing FROM pl_mix a FULL JOIN pl_mix2 b USING (id)
WHERE a.id IS NULL OR b.id IS NULL;
SELECT * FROM acq.acquire('pl_cons', 'pl_prov', 'pl_x', 'x', 'y', 100, strategy => 'ea', allocation => 'floor');

DROP TABLE pl_prov, pl_cons, pl_sps, pl_sps2, pl_sps3, pl_sps4, pl_ea, pl_uni, pl_uni2, pl_rnd, pl_few, pl_mix, pl_mix2;
DELETE FROM acq.acquisition_plans;
