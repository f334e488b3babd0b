--
-- Upgrades (sql/acq--A--B.sql): every plan made under the previous version
-- survives ALTER EXTENSION acq UPDATE, and the upgraded schema is the one a
-- fresh install creates.  Runs in databases of its own.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- the catalog of schema acq, as text: functions (signature, body, settings),
-- views, columns, constraints and policies, and who may execute each function
\set catalog_digest 'SELECT md5(string_agg(d, E''\n'' ORDER BY d)) FROM (SELECT p.oid::regprocedure::text || coalesce(p.prosrc, '''') || coalesce(p.proconfig::text, '''') || p.provolatile::text || p.proisstrict::text || coalesce(p.proacl::text, ''PUBLIC'') AS d FROM pg_proc p WHERE p.pronamespace = ''acq''::regnamespace UNION ALL SELECT c.relname || c.relkind::text || coalesce(pg_get_viewdef(c.oid), '''') FROM pg_class c WHERE c.relnamespace = ''acq''::regnamespace UNION ALL SELECT a.attrelid::regclass::text || a.attname || format_type(a.atttypid, a.atttypmod) || a.attnotnull::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = ''acq''::regnamespace AND a.attnum > 0 AND NOT a.attisdropped UNION ALL SELECT conrelid::regclass::text || conname || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = ''acq''::regnamespace UNION ALL SELECT polrelid::regclass::text || polname || coalesce(pg_get_expr(polqual, polrelid), '''') FROM pg_policy) s'

CREATE DATABASE acq_fresh;
CREATE DATABASE acq_upgrade;

\c acq_fresh
CREATE EXTENSION acq;
SELECT extversion FROM pg_extension WHERE extname = 'acq';
:catalog_digest \gset fresh_

\c acq_upgrade
CREATE EXTENSION acq VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'acq';

-- plans made under 0.1.0: a source-selection job, an acquisition and an
-- owner ranking
CREATE TABLE up_src (src text, x float8[], y int);
INSERT INTO up_src
SELECT 's' || (i % 4), ARRAY[sin(i * 0.37), cos(i * 1.3)],
       CASE WHEN sin(i * 0.37) + 0.5 * cos(i * 1.3) > 0.1 THEN 1 ELSE 0 END
FROM generate_series(1, 400) i;
CREATE TABLE up_val AS
SELECT ARRAY[sin(i * 0.37), cos(i * 1.3)] AS x,
       CASE WHEN sin(i * 0.37) + 0.5 * cos(i * 1.3) > 0.1 THEN 1 ELSE 0 END AS y
FROM generate_series(1001, 1100) i;
SELECT acq.submit_select_sources('up_src', 'up_val', 'x', 'y', source_column => 'src',
                                 method => 'greedy') AS job \gset
SELECT acq.job_wait(:job);
CREATE TABLE up_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO up_prov
SELECT i, ARRAY[(i % 3) + sin(i * 0.731), (i % 3) + cos(i * 1.127)], i % 3
FROM generate_series(1, 900) i;
CREATE TABLE up_cons AS SELECT 10000 + id AS id, x, y FROM up_prov WHERE id % 9 = 0;
SELECT plan_id, bought, rounds FROM acq.acquire('up_cons', 'up_prov', 'up_bought', 'x', 'y', 60,
                                                batch => 10, seed => 3);
CREATE TABLE up_train AS SELECT * FROM up_prov WHERE id <= 300;
CREATE TABLE up_hard AS SELECT * FROM up_prov WHERE id > 300 AND id <= 400;
CREATE TABLE up_held AS SELECT * FROM up_prov WHERE id > 400 AND id <= 500;
CREATE TABLE up_own1 AS SELECT * FROM up_prov WHERE id > 500 AND id <= 700;
CREATE TABLE up_own2 AS SELECT * FROM up_prov WHERE id > 700;
SELECT acq.submit_rank_owners('up_train', 'up_hard', 'up_held', '{up_own1,up_own2}', 'x', 'y',
                              k => 5) AS rank_job \gset
SELECT acq.job_wait(:rank_job);
SELECT count(*) AS owners_ranked FROM acq.owner_rankings;

CREATE TABLE before AS
SELECT 'jobs' AS t, md5(string_agg(row(j.*)::text, ',' ORDER BY id)) AS h FROM acq.jobs j
UNION ALL SELECT 'plans', md5(string_agg(row(p.*)::text, ',' ORDER BY job_id)) FROM acq.source_selection_plans p
UNION ALL SELECT 'subsets', md5(string_agg(row(s.*)::text, ',' ORDER BY job_id, ord)) FROM acq.source_selection_subsets s
UNION ALL SELECT 'acquisition_plans', md5(string_agg((to_jsonb(a) - '{validation,curve_model,fairness_lambda,curve_points,curve_pooling,separation,curve_min_exponent,curve_hedge,fill_cap}'::text[])::text, ',' ORDER BY plan_id)) FROM acq.acquisition_plans a
UNION ALL SELECT 'acquisition_rounds', md5(string_agg((to_jsonb(r) - 'curve')::text, ',' ORDER BY plan_id, round)) FROM acq.acquisition_rounds r
UNION ALL SELECT 'rankings', md5(string_agg(row(o.*)::text, ',' ORDER BY job_id, rank)) FROM acq.owner_rankings o
UNION ALL SELECT 'bought', md5(string_agg(row(b.*)::text, ',' ORDER BY id)) FROM up_bought b;
SELECT (SELECT row(r.*)::text FROM acq.job_result(:job) r) AS result_before \gset

ALTER EXTENSION acq UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'acq';

-- every row is still there, unchanged (0.2.0's new columns aside: curve's
-- parameters and fits, SPS's separation: their defaults or NULL on the old rows)
SELECT b.t, b.h = a.h AS unchanged, b.h IS NOT NULL AS had_rows
FROM before b JOIN (
SELECT 'jobs' AS t, md5(string_agg(row(j.*)::text, ',' ORDER BY id)) AS h FROM acq.jobs j
UNION ALL SELECT 'plans', md5(string_agg(row(p.*)::text, ',' ORDER BY job_id)) FROM acq.source_selection_plans p
UNION ALL SELECT 'subsets', md5(string_agg(row(s.*)::text, ',' ORDER BY job_id, ord)) FROM acq.source_selection_subsets s
UNION ALL SELECT 'acquisition_plans', md5(string_agg((to_jsonb(a) - '{validation,curve_model,fairness_lambda,curve_points,curve_pooling,separation,curve_min_exponent,curve_hedge,fill_cap}'::text[])::text, ',' ORDER BY plan_id)) FROM acq.acquisition_plans a
UNION ALL SELECT 'acquisition_rounds', md5(string_agg((to_jsonb(r) - 'curve')::text, ',' ORDER BY plan_id, round)) FROM acq.acquisition_rounds r
UNION ALL SELECT 'rankings', md5(string_agg(row(o.*)::text, ',' ORDER BY job_id, rank)) FROM acq.owner_rankings o
UNION ALL SELECT 'bought', md5(string_agg(row(b.*)::text, ',' ORDER BY id)) FROM up_bought b) a USING (t)
ORDER BY b.t;
-- the plans made before SPS's coverage rule keep the paper's SPS (separation 1)
SELECT array_agg(DISTINCT separation) AS separation_of_old_plans FROM acq.acquisition_plans;
-- and EA 'fill' without the cap (fill_cap 0)
SELECT array_agg(DISTINCT fill_cap) AS fill_cap_of_old_plans FROM acq.acquisition_plans;
-- and reads as before through the views and functions
SELECT (SELECT row(r.*)::text FROM acq.job_result(:job) r) = :'result_before' AS same_result;
SELECT kind, status, progress, message FROM acq.job_status ORDER BY id;
SELECT status, bought, rounds, budget_left FROM acq.acquisitions ORDER BY plan_id;
-- jobs still run after the upgrade
SELECT acq.submit_select_sources('up_src', 'up_val', 'x', 'y', source_column => 'src',
                                 method => 'greedy') AS job2 \gset
SELECT acq.job_wait(:job2);
SELECT (SELECT row(r.*)::text FROM acq.job_result(:job2) r) = :'result_before' AS same_result_after;
SELECT acq.submit_acquire('up_cons', 'up_prov', 'up_bought2', 'x', 'y', 30, batch => 10, seed => 3) AS job3 \gset
SELECT acq.job_wait(:job3);
SELECT a.bought, a.rounds, (SELECT count(*) FROM up_bought2) AS in_target
FROM acq.acquisitions a WHERE a.job_id = :job3;
SELECT acq.submit_rank_owners('up_train', 'up_hard', 'up_held', '{up_own1,up_own2}', 'x', 'y',
                              k => 5) AS rank_job2 \gset
SELECT acq.job_wait(:rank_job2);
SELECT (SELECT array_agg(row(o.rank, o.data_owner, o.shared, o.accuracy_hard) ORDER BY rank)::text
          FROM acq.owner_rankings o WHERE o.job_id = :rank_job2) =
       (SELECT array_agg(row(o.rank, o.data_owner, o.shared, o.accuracy_hard) ORDER BY rank)::text
          FROM acq.owner_rankings o WHERE o.job_id = :rank_job) AS same_ranking_after;
-- and 0.1.0's internal functions are gone or closed to PUBLIC
SELECT p.oid::regprocedure AS internal_function_open
FROM pg_proc p WHERE p.pronamespace = 'acq'::regnamespace AND p.proname LIKE '\_%'
  AND has_function_privilege('public', p.oid, 'EXECUTE');

-- the upgraded schema is a fresh install's
:catalog_digest \gset upgraded_
SELECT :'upgraded_md5' = :'fresh_md5' AS same_catalog_as_fresh_install;

\c contrib_regression
DROP DATABASE acq_upgrade WITH (FORCE);
DROP DATABASE acq_fresh WITH (FORCE);
