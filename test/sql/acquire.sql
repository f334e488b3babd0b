--
-- Data acquisition (docs/acquisition.md): acq.acquire with each strategy and
-- kind of predicate, the round log, acq.evaluate, acq.acquisition_curve, and
-- an error for each bad input.  Background acquisition jobs, a killed
-- worker and resuming from the log are TAP tests (test/t/004_acquire.pl).
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- A provider of 4 classes on a plane; class c sits around (c, c).  The
-- consumer holds plenty of classes 0-2 but only a corner of class 3: class 3
-- is where new records are novel.
CREATE TABLE acq_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO acq_prov
SELECT i, ARRAY[(i % 4) + sin(i * 0.731) * 0.9, (i % 4) + cos(i * 1.127) * 0.9], i % 4
FROM generate_series(1, 4000) i;
CREATE TABLE acq_cons (id bigint, x float8[], y int);
INSERT INTO acq_cons
SELECT 100000 + i, ARRAY[(i % 4) + sin(i * 0.377) * 0.9, (i % 4) + cos(i * 0.913) * 0.9], i % 4
FROM generate_series(1, 600) i WHERE i % 4 < 3;
INSERT INTO acq_cons
SELECT 200000 + i, ARRAY[3.5 + sin(i * 0.5) * 0.1, 3.5 + cos(i * 0.5) * 0.1], 3
FROM generate_series(1, 20) i;
CREATE TABLE acq_test AS
SELECT i AS id, ARRAY[(i % 4) + sin(i * 0.211) * 0.9, (i % 4) + cos(i * 0.619) * 0.9] AS x, i % 4 AS y
FROM generate_series(1, 800) i;

-- SPS, the paper's (separation => 1: Thompson sampling alone; the default's
-- coverage rule is test/sql/sps_coverage.sql): class 3 is bought most; the
-- log accounts for every record
SELECT plan_id, bought, rounds, budget_left, predicate_names, counts
FROM acq.acquire('acq_cons', 'acq_prov', 'acq_sps', 'x', 'y', 600, batch => 40, separation => 1, seed => 1);
SELECT (SELECT counts[4] = (SELECT max(c) FROM unnest(counts) c)
        FROM acq.acquisition_plans p, LATERAL (SELECT array_agg(n ORDER BY pr) AS counts
             FROM (SELECT predicate pr, sum(received) n FROM acq.acquisition_rounds r
                   WHERE r.plan_id = p.plan_id GROUP BY predicate) s) c
        WHERE p.plan_id = 1) AS class3_most;
SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids, min(round), max(round),
       bool_and(plan_id = 1) AS plan_1
FROM acq_sps;
SELECT round, stage, predicate, predicate_name, requested, received,
       utility BETWEEN 0 AND 1 AS utility_ok, alpha > 0 AND beta > 0 AS posterior_ok,
       budget_left
FROM acq.acquisition_rounds WHERE plan_id = 1 ORDER BY round LIMIT 6;
-- the first four rounds are SPS's initial batch per predicate; a posterior
-- after a round is Beta(1 + U n, 1 + (1 - U) n) with tau = 1
SELECT bool_and(abs(alpha - (1 + utility * received)) < 1e-9
                AND abs(beta - (1 + (1 - utility) * received)) < 1e-9) AS posterior_is_eq13
FROM acq.acquisition_rounds WHERE plan_id = 1;
SELECT status, bought, rounds, budget_left, message FROM acq.acquisitions WHERE plan_id = 1;

-- the same seed buys the same records; another seed others
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov', 'acq_sps_again', 'x', 'y', 600, batch => 40, separation => 1, seed => 1);
SELECT count(*) AS differing FROM acq_sps a FULL JOIN acq_sps_again b USING (id)
WHERE a.id IS NULL OR b.id IS NULL;
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov', 'acq_sps_other', 'x', 'y', 600, batch => 40, separation => 1, seed => 2);
SELECT count(*) > 0 AS differs FROM acq_sps a FULL JOIN acq_sps_other b USING (id)
WHERE a.id IS NULL OR b.id IS NULL;

-- EA: initial max(5, ceil(l |R_P|)) per predicate, estimation, then
-- allocation ('fill' by default: half equally, half water-filling the
-- effective held counts, so all four classes get an allocation round; class
-- 3 gets the largest share)
SELECT bought, budget_left, predicate_names, counts[4] = (SELECT max(c) FROM unnest(counts) c) AS class3_most
FROM acq.acquire('acq_cons', 'acq_prov', 'acq_ea', 'x', 'y', 600, strategy => 'ea', l => 0.02, seed => 1);
SELECT stage, count(*) AS rounds, sum(received) AS received,
       bool_and(utility IS NOT NULL) AS measured, bool_and(estimate IS NOT NULL) AS estimated
FROM acq.acquisition_rounds WHERE plan_id = 4 GROUP BY stage ORDER BY min(round);
SELECT requested FROM acq.acquisition_rounds WHERE plan_id = 4 AND stage = 'init' ORDER BY round;
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov', 'acq_ea_sqrt', 'x', 'y', 600, strategy => 'ea',
                               allocation => 'sqrt', seed => 1);

-- uniform: equal shares each round; random: one predicate, the whole pool
SELECT bought, counts FROM acq.acquire('acq_cons', 'acq_prov', 'acq_uni', 'x', 'y', 600,
                                       strategy => 'uniform', batch => 40, seed => 1);
SELECT bought, rounds, predicate_names FROM acq.acquire('acq_cons', 'acq_prov', 'acq_rnd', 'x', 'y', 600,
                                                        strategy => 'random', batch => 100, seed => 1);

-- only chosen labels
SELECT bought, predicate_names, counts FROM acq.acquire('acq_cons', 'acq_prov', 'acq_lab', 'x', 'y', 200,
                                                        labels => '{1,3}', batch => 20, seed => 1);

-- a consumer that holds nothing yet (the paper's D_init = {}): everything is novel
CREATE TABLE acq_nothing (id bigint, x float8[], y int);
SELECT bought, rounds, counts FROM acq.acquire('acq_nothing', 'acq_prov', 'acq_from_nothing', 'x', 'y', 300,
                                               batch => 50, seed => 1);
SELECT bool_and(utility = 1) AS all_novel FROM acq.acquisition_rounds r
JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target = 'acq_from_nothing'::regclass AND r.stage = 'init';

-- a target that exists is reused: what it holds counts as held, never bought again
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov', 'acq_sps', 'x', 'y', 300, batch => 50, seed => 3);
SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids, count(DISTINCT plan_id) AS plans FROM acq_sps;

-- grid predicates for a regression target (4 x 4 cells over x[1], x[2]);
-- the label joins the vectors novelty compares
CREATE TABLE acq_geo (id int PRIMARY KEY, x float8[], z float8);
INSERT INTO acq_geo
SELECT i, ARRAY[(i % 97) / 97.0 * 10, (i % 89) / 89.0 * 10],
       sin((i % 97) / 97.0 * 6) * 100 + cos((i % 89) / 89.0 * 5) * 50
FROM generate_series(1, 3000) i;
CREATE TABLE acq_geo_cons AS SELECT id + 100000 AS id, x, z FROM acq_geo WHERE id % 50 = 0;
CREATE TABLE acq_geo_test AS SELECT id + 200000 AS id, x, z FROM acq_geo WHERE id % 7 = 3;
SELECT bought, array_length(predicate_names, 1) AS cells, predicate_names[1], predicate_names[16]
FROM acq.acquire('acq_geo_cons', 'acq_geo', 'acq_geo_bought', 'x', 'z', 500, predicates => 'grid',
                 task => 'regression', batch => 30, seed => 1);
SELECT bought, array_length(predicate_names, 1) AS cells
FROM acq.acquire('acq_geo_cons', 'acq_geo', 'acq_geo_ea', 'x', 'z', 500, predicates => 'grid',
                 grid_dims => '{1}', grid_size => 5, task => 'regression', strategy => 'ea', seed => 1);
-- SQL predicates over the provider's columns
SELECT bought, predicate_names, counts
FROM acq.acquire('acq_geo_cons', 'acq_geo', 'acq_geo_sql', 'x', 'z', 300, predicates => 'sql',
                 predicate_sql => ARRAY['x[1] < 5', 'x[1] >= 5 AND z > 0', 'z <= -50'],
                 task => 'regression', batch => 30, seed => 1);

-- judging acquisitions in SQL
SELECT model, n_train, n_test, round(accuracy::numeric, 2) AS accuracy, r2
FROM acq.evaluate('{acq_cons}', 'acq_test', 'x', 'y');
SELECT model, n_train, round(accuracy::numeric, 2) AS accuracy
FROM acq.evaluate('{acq_cons,acq_sps_again}', 'acq_test', 'x', 'y', model => 'knn', k => 3);
SELECT budget, n_train, accuracy >= 0.5 AS learns FROM acq.acquisition_curve(1, 'acq_test', '{0,200,600,5000}');
SELECT model, n_train, round(r2::numeric, 2) > 0.5 AS fits
FROM acq.evaluate('{acq_geo_cons,acq_geo_bought}', 'acq_geo_test', 'x', 'z', task => 'regression');
SELECT model, n_train, r2 < 1 AS r2_below_1
FROM acq.evaluate('{acq_geo_cons,acq_geo_bought}', 'acq_geo_test', 'x', 'z', model => 'linear', task => 'regression');
SELECT budget, n_train, round(r2::numeric, 3) > 0 AS positive
FROM acq.acquisition_curve((SELECT plan_id FROM acq.acquisition_plans WHERE target = 'acq_geo_bought'::regclass),
                           'acq_geo_test', '{0,500}');
-- labels whose squares overflow float8: an error, not R^2 NaN
CREATE TABLE acq_huge AS SELECT x, z * 1e300 AS z FROM acq_geo_test;
SELECT * FROM acq.evaluate('{acq_huge}', 'acq_huge', 'x', 'z', model => 'linear', task => 'regression');
DROP TABLE acq_huge;

-- ---- bad input ----------------------------------------------------------
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 0);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100000);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, batch => 0);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, batch => 101);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, labels => '{1,9}');
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, labels => '{1,NULL}');
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, labels => '{1,NaN}');
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, predicates => 'sql', predicate_sql => ARRAY['x[1] > 0', NULL]);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, strategy => 'ea', delta => 1);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, strategy => 'ea', delta => 0);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, strategy => 'ea', l => 0);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, strategy => 'ea', l => 1.5);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, strategy => 'greedy');
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, predicates => 'cells');
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, allocation => 'log');
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, task => 'ranking');
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, tau => 0);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, novelty_k => 0);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, predicates => 'sql');
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, predicates => 'grid', grid_dims => '{3}');
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, predicates => 'grid', grid_size => 0);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, predicates => 'grid', grid_size => 1,
                          grid_dims => ARRAY(SELECT generate_series(1, 65)));
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', NULL);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'nope', 'y', 100);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 100, id => 'x');
SELECT * FROM acq.acquire('acq_cons', 'acq_cons', 'acq_x', 'x', 'y', 100);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_prov', 'x', 'y', 100);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_test', 'x', 'y', 100);
SELECT * FROM acq.acquire('acq_geo_cons', 'acq_geo', 'acq_x', 'x', 'z', 100, task => 'regression');
-- rows that cannot be used, named by table and id: the provider's features
-- are read and checked when bought (here all of them are), ids at set-up
CREATE TABLE acq_prov3 (id bigint, x float8[], y int);
INSERT INTO acq_prov3 SELECT i, ARRAY[i, i, i], i % 2 FROM generate_series(1, 50) i;
SELECT * FROM acq.acquire('acq_cons', 'acq_prov3', 'acq_x', 'x', 'y', 50, strategy => 'random');
CREATE TABLE acq_prov_bad (id bigint, x float8[], y int);
INSERT INTO acq_prov_bad SELECT i, ARRAY[i, i], i % 2 FROM generate_series(1, 50) i;
UPDATE acq_prov_bad SET x = ARRAY[1, 'NaN'::float8] WHERE id = 17;
SELECT * FROM acq.acquire('acq_cons', 'acq_prov_bad', 'acq_x', 'x', 'y', 50, batch => 50, strategy => 'random');
UPDATE acq_prov_bad SET x = NULL WHERE id = 17;
SELECT * FROM acq.acquire('acq_cons', 'acq_prov_bad', 'acq_x', 'x', 'y', 50, batch => 50, strategy => 'random');
-- a NULL label is found when the provider is read, before anything is bought
UPDATE acq_prov_bad SET x = ARRAY[1, 2], y = NULL WHERE id = 17;
SELECT * FROM acq.acquire('acq_cons', 'acq_prov_bad', 'acq_x', 'x', 'y', 50, batch => 50, strategy => 'random');
UPDATE acq_prov_bad SET y = 1 WHERE id = 17;
UPDATE acq_prov_bad SET x = ARRAY[1, 2], id = 18 WHERE id = 17;
SELECT * FROM acq.acquire('acq_cons', 'acq_prov_bad', 'acq_x', 'x', 'y', 10);
UPDATE acq_prov_bad SET id = NULL WHERE id = 18 AND y = 1;
SELECT * FROM acq.acquire('acq_cons', 'acq_prov_bad', 'acq_x', 'x', 'y', 10);
-- grid coordinates are read at set-up
UPDATE acq_prov_bad SET id = 17, x = ARRAY[1]::float8[] WHERE id IS NULL;
SELECT * FROM acq.acquire('acq_cons', 'acq_prov_bad', 'acq_x', 'x', 'y', 10, predicates => 'grid');
-- nothing was created by the failed calls
SELECT count(*) AS stray_targets FROM pg_class WHERE relname = 'acq_x';
SELECT count(*) AS plans FROM acq.acquisition_plans;

-- evaluate's errors
SELECT * FROM acq.evaluate('{acq_cons}', 'acq_test', 'x', 'y', model => 'linear');
SELECT * FROM acq.evaluate('{acq_cons}', 'acq_test', 'x', 'y', k => 0, model => 'knn');
SELECT * FROM acq.evaluate('{acq_cons}', 'acq_test', 'x', 'y', c => 0);
SELECT * FROM acq.evaluate('{}', 'acq_test', 'x', 'y');
SELECT * FROM acq.evaluate('{acq_prov3}', 'acq_test', 'x', 'y');
SELECT * FROM acq.acquisition_curve(424242, 'acq_test', '{1}');

-- resuming needs an interrupted plan of yours
SELECT acq.resume_acquire(1);
SELECT acq.resume_acquire(424242);

-- rights: a role without SELECT on the provider, and the plans of others
CREATE ROLE acq_buyer;
GRANT SELECT ON acq_cons TO acq_buyer;
GRANT CREATE ON SCHEMA public TO acq_buyer;
SET ROLE acq_buyer;
SELECT * FROM acq.acquire('acq_cons', 'acq_prov', 'acq_x', 'x', 'y', 10);
SELECT count(*) AS visible_plans FROM acq.acquisitions;
SELECT count(*) AS visible_rounds FROM acq.acquisition_rounds;
UPDATE acq.acquisition_plans SET bought = 0;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM acq_buyer;
REVOKE SELECT ON acq_cons FROM acq_buyer;
DROP ROLE acq_buyer;

-- a provider (and a Mycroft owner) behind postgres_fdw: the set-up scans it,
-- each purchase fetches only the rows bought (id = ANY(...) runs remotely)
CREATE EXTENSION postgres_fdw;
DO $$
BEGIN
    EXECUTE format('CREATE SERVER acq_loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L)',
                   split_part(current_setting('unix_socket_directories'), ',', 1),
                   current_setting('port'), current_database());
END $$;
CREATE USER MAPPING FOR CURRENT_USER SERVER acq_loopback;
CREATE FOREIGN TABLE acq_prov_remote (id bigint, x float8[], y int)
    SERVER acq_loopback OPTIONS (table_name 'acq_prov');
SELECT bought, rounds, counts FROM acq.acquire('acq_cons', 'acq_prov_remote', 'acq_remote_bought', 'x', 'y', 200,
                                               batch => 50, seed => 1);
SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids,
       count(*) FILTER (WHERE id IN (SELECT id FROM acq_prov)) AS from_the_provider
FROM acq_remote_bought;
-- the same seed over the local table buys the same records
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov', 'acq_local_bought', 'x', 'y', 200, batch => 50, seed => 1);
SELECT count(*) AS differing FROM acq_remote_bought r FULL JOIN acq_local_bought l USING (id)
WHERE r.id IS NULL OR l.id IS NULL;
DROP FOREIGN TABLE acq_prov_remote;
DROP USER MAPPING FOR CURRENT_USER SERVER acq_loopback;
DROP SERVER acq_loopback;
DROP EXTENSION postgres_fdw;

-- acq.acquire finds the rows it buys by the ctid its set-up saw (one heap,
-- one transaction): no index lookup per row.  The rows come back in the
-- heap's order; novelty takes them in id order, so a provider stored in
-- another order buys the same records.
CREATE TABLE acq_prov_shuffled AS SELECT * FROM acq_prov ORDER BY (id * 7919) % 4001;
ALTER TABLE acq_prov_shuffled ADD PRIMARY KEY (id);
BEGIN;
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov_shuffled', 'acq_shuffled_sps', 'x', 'y', 600, batch => 40, separation => 1, seed => 1);
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov_shuffled', 'acq_shuffled_ea', 'x', 'y', 600, strategy => 'ea', l => 0.02, seed => 1);
SELECT idx_scan AS provider_index_scans FROM pg_stat_xact_user_tables WHERE relname = 'acq_prov_shuffled';
COMMIT;
SELECT count(*) AS differing FROM acq_sps_again a FULL JOIN acq_shuffled_sps b USING (id) WHERE a.id IS NULL OR b.id IS NULL;
SELECT count(*) AS differing FROM acq_ea a FULL JOIN acq_shuffled_ea b USING (id) WHERE a.id IS NULL OR b.id IS NULL;
-- a row updated during the acquisition has left its ctid: it is found by id
-- (here a trigger on the target rewrites every third provider row after
-- each round; the values stay, so the same records are bought)
CREATE TABLE acq_prov_moving AS SELECT * FROM acq_prov ORDER BY id;
ALTER TABLE acq_prov_moving ADD PRIMARY KEY (id);
CREATE TABLE acq_moving_sps (id bigint PRIMARY KEY, x float8[] NOT NULL, y int NOT NULL,
                             plan_id bigint NOT NULL, round int NOT NULL);
CREATE FUNCTION acq_move_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE public.acq_prov_moving SET x = x WHERE id % 3 = 0;
    RETURN NULL;
END $$;
CREATE TRIGGER acq_move AFTER INSERT ON acq_moving_sps FOR EACH STATEMENT EXECUTE FUNCTION acq_move_rows();
BEGIN;
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov_moving', 'acq_moving_sps', 'x', 'y', 600, batch => 40, separation => 1, seed => 1);
SELECT idx_scan > 0 AS found_by_id FROM pg_stat_xact_user_tables WHERE relname = 'acq_prov_moving';
COMMIT;
SELECT count(*) AS differing FROM acq_sps_again a FULL JOIN acq_moving_sps b USING (id) WHERE a.id IS NULL OR b.id IS NULL;
SELECT bool_and(requested = received) AS every_round_full FROM acq.acquisition_rounds r
WHERE r.plan_id = (SELECT max(plan_id) FROM acq.acquisition_plans);
-- an inheritance parent repeats ctids across its children: bought by id
CREATE TABLE acq_prov_parent (id bigint PRIMARY KEY, x float8[], y int);
CREATE TABLE acq_prov_child (PRIMARY KEY (id)) INHERITS (acq_prov_parent);
INSERT INTO acq_prov_parent SELECT * FROM acq_prov WHERE id % 2 = 0;
INSERT INTO acq_prov_child SELECT * FROM acq_prov WHERE id % 2 = 1;
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov_parent', 'acq_parent_sps', 'x', 'y', 600, batch => 40, separation => 1, seed => 1);
SELECT count(*) AS differing FROM acq_sps_again a FULL JOIN acq_parent_sps b USING (id) WHERE a.id IS NULL OR b.id IS NULL;
-- a materialised view is one heap too (by ctid); a partitioned table is not (by id)
CREATE MATERIALIZED VIEW acq_prov_mv AS SELECT * FROM acq_prov ORDER BY (id * 7919) % 4001;
CREATE UNIQUE INDEX ON acq_prov_mv (id);
CREATE TABLE acq_prov_parts (id bigint PRIMARY KEY, x float8[], y int) PARTITION BY RANGE (id);
CREATE TABLE acq_prov_parts_1 PARTITION OF acq_prov_parts FOR VALUES FROM (MINVALUE) TO (2001);
CREATE TABLE acq_prov_parts_2 PARTITION OF acq_prov_parts FOR VALUES FROM (2001) TO (MAXVALUE);
INSERT INTO acq_prov_parts SELECT * FROM acq_prov;
BEGIN;
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov_mv', 'acq_mv_sps', 'x', 'y', 600, batch => 40, separation => 1, seed => 1);
SELECT bought FROM acq.acquire('acq_cons', 'acq_prov_parts', 'acq_parts_sps', 'x', 'y', 600, batch => 40, separation => 1, seed => 1);
SELECT relname, idx_scan > 0 AS by_id FROM pg_stat_xact_user_tables
WHERE relname IN ('acq_prov_mv', 'acq_prov_parts_1', 'acq_prov_parts_2') ORDER BY relname;
COMMIT;
SELECT count(*) AS differing FROM acq_sps_again a FULL JOIN acq_mv_sps b USING (id) WHERE a.id IS NULL OR b.id IS NULL;
SELECT count(*) AS differing FROM acq_sps_again a FULL JOIN acq_parts_sps b USING (id) WHERE a.id IS NULL OR b.id IS NULL;
DROP TABLE acq_prov_parent, acq_prov_child, acq_prov_moving, acq_moving_sps, acq_prov_shuffled,
           acq_shuffled_sps, acq_shuffled_ea, acq_parent_sps, acq_prov_parts, acq_mv_sps, acq_parts_sps;
DROP MATERIALIZED VIEW acq_prov_mv;
DROP FUNCTION acq_move_rows();
-- an empty provider: nothing to buy, nothing created
CREATE TABLE acq_prov_empty (id bigint PRIMARY KEY, x float8[], y int);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov_empty', 'acq_x', 'x', 'y', 10);
SELECT * FROM acq.acquire('acq_cons', 'acq_prov_empty', 'acq_x', 'x', 'y', 10, strategy => 'ea');
SELECT count(*) AS stray_targets FROM pg_class WHERE relname = 'acq_x';
DROP TABLE acq_prov_empty;
