--
-- strategy => 'curve' (docs/acquisition.md): learning curves per predicate
-- fitted on the consumer's model, the budget allocated by them round by
-- round; the log's fits; determinism; a background job, a failure mid-plan
-- and its resume; every bad input.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Four classes on a plane; class c sits around (c mod 2, c div 2) with a
-- spread that grows with c: class 3 overlaps its neighbours most, class 0
-- least.  The consumer holds 80 records of classes 0 and 1, 8 of class 2
-- and 4 of class 3; the validation table is balanced.
CREATE TABLE cv_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO cv_prov
SELECT i, ARRAY[(i % 4) % 2 + sin(i * 0.731) * (0.3 + 0.2 * (i % 4)),
                (i % 4) / 2 + cos(i * 1.127) * (0.3 + 0.2 * (i % 4))], i % 4
FROM generate_series(1, 4000) i;
CREATE TABLE cv_cons (id bigint, x float8[], y int);
INSERT INTO cv_cons
SELECT 100000 + i, ARRAY[(i % 4) % 2 + sin(i * 0.377) * (0.3 + 0.2 * (i % 4)),
                         (i % 4) / 2 + cos(i * 0.913) * (0.3 + 0.2 * (i % 4))], i % 4
FROM generate_series(1, 320) i
WHERE i % 4 < 2 OR (i % 4 = 2 AND i <= 32) OR (i % 4 = 3 AND i <= 16);
CREATE TABLE cv_val AS
SELECT 300000 + i AS id, ARRAY[(i % 4) % 2 + sin(i * 0.211) * (0.3 + 0.2 * (i % 4)),
                               (i % 4) / 2 + cos(i * 0.619) * (0.3 + 0.2 * (i % 4))] AS x, i % 4 AS y
FROM generate_series(1, 400) i;
SELECT y, count(*) FROM cv_cons GROUP BY y ORDER BY y;

-- curve: four allocation rounds of 100 (a quarter of the budget by default)
SELECT plan_id AS p1, bought, rounds, budget_left, predicate_names, counts
FROM acq.acquire('cv_cons', 'cv_prov', 'cv_b1', 'x', 'y', 400, strategy => 'curve',
                 validation => 'cv_val', seed => 1) \gset
SELECT :bought AS bought, :budget_left AS budget_left, :'predicate_names' AS predicates;
-- the classes the consumer holds least of get the most
SELECT (:'counts'::int[])[3] + (:'counts'::int[])[4] > (:'counts'::int[])[1] + (:'counts'::int[])[2]
       AS scarce_classes_get_more;
SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids FROM cv_b1;
SELECT strategy, batch, validation, curve_model, fairness_lambda, curve_points
FROM acq.acquisition_plans WHERE plan_id = :p1;
-- every round is logged; each allocation round's first query carries its fits
SELECT stage, count(*) AS queries, sum(received) AS received, count(curve) AS with_fits
FROM acq.acquisition_rounds WHERE plan_id = :p1 GROUP BY stage;
SELECT (curve->>'allocation_round')::int AS allocation_round, (curve->>'training_rows')::int AS training_rows,
       curve->'subset_sizes' AS subset_sizes, (curve->>'round_budget')::int AS round_budget,
       (SELECT sum(e::int) FROM jsonb_array_elements_text(curve->'allocation') e) AS allocated,
       jsonb_array_length(curve->'a') AS curves,
       (SELECT bool_and(e::float8 > 0 AND e::float8 <= 2) FROM jsonb_array_elements_text(curve->'a') e) AS exponents_ok,
       (SELECT bool_and(e::float8 > 0) FROM jsonb_array_elements_text(curve->'b') e) AS scales_ok
FROM acq.acquisition_rounds WHERE plan_id = :p1 AND curve IS NOT NULL ORDER BY round;
-- the allocation is what the queries asked: per allocation round, per predicate
WITH r AS (
  SELECT round, predicate, requested, curve,
         count(curve) OVER (ORDER BY round) AS alloc_round
  FROM acq.acquisition_rounds WHERE plan_id = :p1)
SELECT bool_and(asked = (alloc.curve->'allocation'->>(predicate - 1))::int) AS queries_follow_allocation
FROM (SELECT alloc_round, predicate, sum(requested) AS asked FROM r GROUP BY 1, 2) q
JOIN (SELECT alloc_round, curve FROM r WHERE curve IS NOT NULL) alloc USING (alloc_round);
-- the training rows grow by what was bought
SELECT array_agg((curve->>'training_rows')::int ORDER BY round) AS training_rows
FROM acq.acquisition_rounds WHERE plan_id = :p1 AND curve IS NOT NULL;

-- same seed, same plan; another seed, other records
SELECT counts AS counts_again FROM acq.acquire('cv_cons', 'cv_prov', 'cv_b2', 'x', 'y', 400, strategy => 'curve',
                                               validation => 'cv_val', seed => 1) \gset
SELECT :'counts' = :'counts_again' AS same_counts,
       (SELECT array_agg(id ORDER BY id) FROM cv_b1) = (SELECT array_agg(id ORDER BY id) FROM cv_b2) AS same_records,
       (SELECT array_agg(row(round, predicate, requested, received, curve) ORDER BY round)::text
          FROM acq.acquisition_rounds WHERE plan_id = :p1) =
       (SELECT array_agg(row(round, predicate, requested, received, curve) ORDER BY round)::text
          FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
         WHERE p.target = 'cv_b2'::regclass) AS same_log;
SELECT bought FROM acq.acquire('cv_cons', 'cv_prov', 'cv_b3', 'x', 'y', 400, strategy => 'curve',
                               validation => 'cv_val', seed => 2);
SELECT (SELECT array_agg(id ORDER BY id) FROM cv_b1) <> (SELECT array_agg(id ORDER BY id) FROM cv_b3) AS other_records;

-- the fairness term moves records towards the predicates whose loss is above the mean
-- (each predicate's own curve: under one common curve, curve_pooling's 'full', it has nothing to move)
SELECT counts AS own_counts FROM acq.acquire('cv_cons', 'cv_prov', 'cv_b4n', 'x', 'y', 400, strategy => 'curve',
                                             validation => 'cv_val', curve_pooling => 'none', seed => 1) \gset
SELECT counts AS fair_counts FROM acq.acquire('cv_cons', 'cv_prov', 'cv_b4', 'x', 'y', 400, strategy => 'curve',
                                              validation => 'cv_val', fairness_lambda => 100,
                                              curve_pooling => 'none', seed => 1) \gset
SELECT :'fair_counts' <> :'own_counts' AS fairness_changes_the_plan,
       (SELECT fairness_lambda FROM acq.acquisition_plans WHERE target = 'cv_b4'::regclass) AS lambda_logged;

-- k-NN, batch, curve_points; the sql and grid predicates
SELECT bought, rounds, counts FROM acq.acquire('cv_cons', 'cv_prov', 'cv_b5', 'x', 'y', 150, strategy => 'curve',
                               validation => 'cv_val', model => 'knn', batch => 50, curve_points => 3, seed => 1);
SELECT count(*) AS allocation_rounds, min(jsonb_array_length(curve->'subset_sizes')) AS points
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'cv_b5'::regclass AND curve IS NOT NULL;
SELECT bought, predicate_names FROM acq.acquire('cv_cons', 'cv_prov', 'cv_b6', 'x', 'y', 100, strategy => 'curve',
                               validation => 'cv_val', predicates => 'sql',
                               predicate_sql => ARRAY['x[1] < 0.5', 'x[1] >= 0.5'], seed => 1);
-- regression on a grid: k-NN (default) and least squares
CREATE TABLE cvr_prov AS SELECT id, x, (x[1] * 2 + x[2])::float8 AS t FROM cv_prov;
ALTER TABLE cvr_prov ADD PRIMARY KEY (id);
CREATE TABLE cvr_cons AS SELECT id, x, (x[1] * 2 + x[2])::float8 AS t FROM cv_cons;
CREATE TABLE cvr_val AS SELECT id, x, (x[1] * 2 + x[2])::float8 AS t FROM cv_val;
SELECT bought, rounds > 0 AS ran FROM acq.acquire('cvr_cons', 'cvr_prov', 'cvr_b1', 'x', 't', 200, strategy => 'curve',
                               validation => 'cvr_val', predicates => 'grid', grid_size => 2,
                               task => 'regression', seed => 1);
SELECT bought FROM acq.acquire('cvr_cons', 'cvr_prov', 'cvr_b2', 'x', 't', 200, strategy => 'curve',
                               validation => 'cvr_val', predicates => 'grid', grid_size => 2,
                               task => 'regression', model => 'linear', seed => 1);

-- a background job, the same plan as the call
SELECT acq.submit_acquire('cv_cons', 'cv_prov', 'cv_j1', 'x', 'y', 400, strategy => 'curve',
                          validation => 'cv_val', seed => 1) AS job \gset
SELECT acq.job_wait(:job);
SELECT a.status, a.bought, (SELECT array_agg(id ORDER BY id) FROM cv_j1) =
       (SELECT array_agg(id ORDER BY id) FROM cv_b1) AS same_records_as_the_call
FROM acq.acquisitions a WHERE a.job_id = :job;

-- a job that fails mid-plan (a trigger on its target refuses round 4) keeps
-- its committed rounds; resumed, it finishes the budget
CREATE TABLE cv_j2 (id bigint PRIMARY KEY, x float8[] NOT NULL, y int NOT NULL,
                    plan_id bigint NOT NULL, round int NOT NULL);
CREATE TABLE cv_stop (round int);
INSERT INTO cv_stop VALUES (4);
CREATE FUNCTION cv_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.round >= (SELECT min(round) FROM cv_stop) THEN
    RAISE EXCEPTION 'refused round %', NEW.round;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cv_refuse BEFORE INSERT ON cv_j2 FOR EACH ROW EXECUTE FUNCTION cv_refuse();
SELECT acq.submit_acquire('cv_cons', 'cv_prov', 'cv_j2', 'x', 'y', 400, strategy => 'curve',
                          validation => 'cv_val', seed => 1) AS job2 \gset
SELECT acq.job_wait(:job2);
SELECT a.plan_id AS p2, a.status, a.rounds, a.bought = (SELECT count(*) FROM cv_j2) AS log_matches_target
FROM acq.acquisitions a WHERE a.job_id = :job2 \gset
SELECT :'status' AS status, :rounds AS rounds_committed, :'log_matches_target' AS log_matches_target;
DELETE FROM cv_stop;
SELECT acq.resume_acquire(:p2) AS job3 \gset
SELECT acq.job_wait(:job3);
SELECT status, bought, budget_left, (SELECT count(*) FROM cv_j2) AS in_target
FROM acq.acquisitions WHERE plan_id = :p2;
-- the resumed plan kept the allocation round it was in, then fitted the next ones
SELECT count(*) FILTER (WHERE curve IS NOT NULL) AS allocation_rounds,
       sum(received) AS received
FROM acq.acquisition_rounds WHERE plan_id = :p2;

-- ---- errors (each followed by its SQLSTATE) ---------------------------------
-- no validation table
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve');
\echo :LAST_ERROR_SQLSTATE
-- validation or model for another strategy
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, validation => 'cv_val');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'uniform', model => 'knn');
\echo :LAST_ERROR_SQLSTATE
-- a model of the other task, an unknown one
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val', model => 'linear');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val', model => 'forest');
\echo :LAST_ERROR_SQLSTATE
-- fairness_lambda, curve_points out of range; NULL
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val', fairness_lambda => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val', fairness_lambda => 'infinity');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val', curve_points => 1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val', curve_points => NULL);
\echo :LAST_ERROR_SQLSTATE
-- a validation table of another shape: a missing column, another feature length, a non-numeric label
CREATE TABLE cv_val_nolabel AS SELECT id, x FROM cv_val;
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val_nolabel');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE cv_val_3d AS SELECT id, x || 0.0::float8 AS x, y FROM cv_val;
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val_3d');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE cv_val_text AS SELECT id, x, y::text AS y FROM cv_val;
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val_text');
\echo :LAST_ERROR_SQLSTATE
-- the provider as validation; a missing table; an index
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_prov');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'no_such_table');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_prov_pkey');
\echo :LAST_ERROR_SQLSTATE
-- an empty validation table; a predicate without validation rows
CREATE TABLE cv_val_empty AS SELECT * FROM cv_val WHERE false;
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val_empty');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE cv_val_no3 AS SELECT * FROM cv_val WHERE y <> 3;
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val_no3');
\echo :LAST_ERROR_SQLSTATE
-- ... unless that predicate is left out
SELECT bought, predicate_names FROM acq.acquire('cv_cons', 'cv_prov', 'cv_e2', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val_no3', labels => '{0,1,2}', seed => 1);
-- an SQL predicate the validation table cannot evaluate
CREATE TABLE cv_val_z AS SELECT id, x, y FROM cv_val;  -- no column z
ALTER TABLE cv_prov ADD COLUMN z int DEFAULT 0;
ALTER TABLE cv_cons ADD COLUMN z int DEFAULT 0;
CREATE TABLE cv_ez (id bigint PRIMARY KEY, x float8[] NOT NULL, y int NOT NULL,
                    plan_id bigint NOT NULL, round int NOT NULL, z int DEFAULT 0);
SELECT * FROM acq.acquire('cv_cons', 'cv_prov', 'cv_ez', 'x', 'y', 100, strategy => 'curve',
                          validation => 'cv_val_z', predicates => 'sql',
                          predicate_sql => ARRAY['z = 0', 'z <> 0']);
\echo :LAST_ERROR_SQLSTATE
-- nothing was written by the failed calls
SELECT count(*) AS failed_targets FROM pg_class WHERE relname IN ('cv_e');
-- the jobs of this file leave (jobs.sql counts those of earlier tests)
DELETE FROM acq.jobs WHERE id IN (:job, :job2, :job3);
