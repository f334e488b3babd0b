--
-- names: acq's settings before its library is loaded, a target named as in
-- SQL and never truncated, relations of the wrong kind, system columns, and
-- messages that name the argument and the table (issue 18).
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- ---- settings before the library is loaded ---------------------------------
-- CREATE EXTENSION does not load acq's library into other sessions: until an
-- acq function runs (or LOAD 'acq', or session_preload_libraries), PostgreSQL
-- does not know acq's settings.  This session has called nothing of acq yet.
-- (On a server that preloads acq, shared_preload_libraries = 'acq', every
-- session knows them from its start: test/expected/names_1.out.)
SHOW acq.max_jobs;
SELECT current_setting('acq.max_memory', true) IS NULL AS not_defined_yet;
-- a SET before the load is kept as a placeholder and checked when the library
-- defines the setting: a bad value is refused then (a WARNING, the default
-- stays), a good one kept, a setting acq does not have removed
SET acq.max_memory = 'lots';
SET acq.max_exhaustive_sources = 5;
SET acq.max_jobs = 2;               -- sighup: a session cannot set it
SET acq.no_such_setting = 1;
LOAD 'acq';
SHOW acq.max_jobs;
SHOW acq.max_memory;
SHOW acq.max_exhaustive_sources;
SHOW acq.no_such_setting;
-- once loaded, SET checks at once, and the acq prefix is reserved
SET acq.max_memory = 'lots';
SET acq.no_such_setting = 1;
RESET acq.max_exhaustive_sources;
-- a role (or database) with session_preload_libraries = 'acq' sees them at once
SELECT current_user AS me \gset
CREATE ROLE acq_names_preload LOGIN;
ALTER ROLE acq_names_preload SET session_preload_libraries = 'acq';
\c - acq_names_preload
SHOW acq.max_jobs;
SHOW acq.max_exhaustive_sources;
\c - :me
DROP ROLE acq_names_preload;

-- ---- a consumer and a provider ---------------------------------------------
SELECT coalesce(max(plan_id), 0) AS plan0 FROM acq.acquisition_plans \gset
SELECT coalesce(max(id), 0) AS job0 FROM acq.jobs \gset
CREATE SCHEMA nm;
CREATE TABLE nm.prov (id bigint PRIMARY KEY, x float8[], y int, f int);
INSERT INTO nm.prov
SELECT i, ARRAY[(i % 3) + sin(i * 0.7), (i % 3) + cos(i * 1.3)], i % 3, i
FROM generate_series(1, 300) i;
CREATE TABLE nm.cons AS SELECT 10000 + id AS id, x, y, f FROM nm.prov WHERE id % 10 = 0;

-- ---- the target: [schema.]table as SQL writes it, never truncated ----------
-- 70 bytes: refused (as name, it was cut to 63 bytes and acq created that table)
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.' || repeat('t', 70), 'x', 'y', 10);
SELECT acq.submit_acquire('nm.cons', 'nm.prov', repeat('s', 64) || '.bought', 'x', 'y', 10);
SELECT count(*) AS tables_created FROM pg_class WHERE relname LIKE 'ttt%';
-- 63 bytes, the limit: created with exactly that name
SELECT bought FROM acq.acquire('nm.cons', 'nm.prov', 'nm.' || repeat('t', 63), 'x', 'y', 10,
                               batch => 10);
SELECT relname = repeat('t', 63) AS exact_name FROM pg_class
WHERE relnamespace = 'nm'::regnamespace AND relname LIKE 'ttt%' AND relkind = 'r';
-- names that need quotes: mixed case, spaces, a dot and a quote inside quoted parts
CREATE SCHEMA "My Schema";
SELECT bought FROM acq.acquire('nm.cons', 'nm.prov', ' "My Schema" . "Bought. ""Q"" 1" ', 'x', 'y', 10,
                               batch => 10);
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname LIKE 'Bought%' AND c.relkind = 'r';
-- unquoted parts fold to lower case, as in SQL: the same table again (it grows)
SELECT bought FROM acq.acquire('nm.cons', 'nm.prov', 'NM.TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT',
                               'x', 'y', 10, batch => 10, seed => 1);
SELECT target, bought FROM acq.acquisitions WHERE plan_id > :plan0 ORDER BY plan_id;
SELECT count(*) FROM nm.ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt;
-- a job: the same name, checked at submission and used as given
SELECT acq.submit_acquire('nm.cons', 'nm.prov', 'nm."Job Target"', 'x', 'y', 10, batch => 10) AS job \gset
SELECT acq.job_wait(:job);
SELECT count(*) FROM nm."Job Target";
-- malformed names
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', '', 'x', 'y', 10);
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.', 'x', 'y', 10);
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', '"unclosed', 'x', 'y', 10);
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.""', 'x', 'y', 10);
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'two words', 'x', 'y', 10);
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'db.nm.t', 'x', 'y', 10);
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', NULL, 'x', 'y', 10);
-- column arguments are of type name (an identifier, as PostgreSQL takes it):
-- a longer one arrives truncated, and the message says so
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.b', repeat('x', 70), 'y', 10);

-- ---- relations of the wrong kind -------------------------------------------
CREATE INDEX nm_prov_y ON nm.prov (y);
CREATE SEQUENCE nm.seq;
CREATE TYPE nm.comp AS (id bigint, x float8[], y int);
CREATE TABLE nm.empty_part (id bigint, x float8[], y int, s text) PARTITION BY LIST (s);
CREATE VIEW nm.cons_view AS SELECT * FROM nm.cons;
CREATE MATERIALIZED VIEW nm.prov_mv AS SELECT * FROM nm.prov;
SELECT * FROM acq.acquire('nm.cons', 'nm.nm_prov_y', 'nm.b', 'x', 'y', 10);
SELECT * FROM acq.acquire('nm.seq', 'nm.prov', 'nm.b', 'x', 'y', 10);
SELECT * FROM acq.acquire('nm.cons', 'nm.comp', 'nm.b', 'x', 'y', 10);
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.comp', 'x', 'y', 10);
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.cons_view', 'x', 'y', 10);
SELECT * FROM acq.select_sources('nm.nm_prov_y', 'nm.cons', 'x', 'y', source_column => 'f');
SELECT * FROM acq.subset_gain('nm.cons', 'nm.seq', 'x', 'y', '{1}', source_column => 'f');
SELECT * FROM acq.evaluate('{nm.cons,nm.comp}', 'nm.cons', 'x', 'y');
SELECT * FROM acq.evaluate('{nm.cons}', 'nm.nm_prov_y', 'x', 'y');
SELECT * FROM acq.hard_examples('nm.seq', 'nm.cons', 'x', 'y');
SELECT * FROM acq.mycroft_select('nm.cons', 'nm.comp', 'id', 'x', 'y', 3);
SELECT * FROM acq.rank_owners('nm.cons', 'nm.cons', 'nm.cons', '{nm.prov,nm.nm_prov_y}', 'x', 'y');
SELECT * FROM acq.rank_owners('nm.cons', 'nm.cons', 'nm.cons', '{nm.prov}', 'x', 'y', test => 'nm.seq');
SELECT acq.submit_rank_owners('nm.cons', 'nm.cons', 'nm.seq', '{nm.prov}', 'x', 'y');
SELECT * FROM acq.evaluate('{nm.cons}', 0, 'x', 'y');
-- views and materialized views are read like tables
SELECT model, n_train, n_test, accuracy > 0.5 AS learns
FROM acq.evaluate('{nm.prov_mv}', 'nm.cons_view', 'x', 'y', model => 'knn');
-- a partitioned table without partitions is an empty table
SELECT * FROM acq.acquire('nm.cons', 'nm.empty_part', 'nm.b', 'x', 'y', 10);
SELECT * FROM acq.select_sources('nm.empty_part', 'nm.cons', 'x', 'y');
SELECT * FROM acq.evaluate('{nm.empty_part}', 'nm.cons', 'x', 'y');

-- ---- system columns ----------------------------------------------------------
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.b', 'x', 'y', 10, id => 'ctid');
SELECT * FROM acq.mycroft_select('nm.prov', 'nm.cons', 'xmin', 'x', 'y', 3);
SELECT * FROM acq.evaluate('{nm.cons}', 'nm.prov', 'x', 'tableoid');
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.b', 'x', 'y', 10, id => 'no_such');

-- ---- messages that say what to fix ---------------------------------------------
-- a cost beyond float8 names the argument and the source
SELECT * FROM acq.select_sources('nm.cons', 'nm.cons', 'x', 'y', source_column => 'y',
                                 task => 'regression', costs => '{"1": 1e400}');
-- predicate_sql naming a column one of the three tables lacks: which
-- predicate, which table, which columns it has -- the target too, before it
-- exists, and at submission
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.b', 'x', 'y', 10, predicates => 'sql',
                          predicate_sql => '{"y = 1", "f > 100"}');
SELECT acq.submit_acquire('nm.cons', 'nm.prov', 'nm.b', 'x', 'y', 10, predicates => 'sql',
                          predicate_sql => '{"y = 1", "f > 100"}');
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm."My Target"', 'x', 'y', 10, predicates => 'sql',
                          predicate_sql => '{"g > 1"}');
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt',
                          'x', 'y', 10, predicates => 'sql', predicate_sql => '{"f > 1"}');
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.b', 'x', 'y', 10, predicates => 'sql',
                          predicate_sql => '{"y = "}');
SELECT * FROM acq.acquire('nm.cons', 'nm.prov', 'nm.b', 'x', 'y', 10, predicates => 'sql',
                          predicate_sql => '{"x"}');
SELECT count(*) AS nothing_created FROM pg_class WHERE relname IN ('b', 'My Target');
-- predicates over the shared columns work
SELECT bought, predicate_names FROM acq.acquire('nm.cons', 'nm.prov', 'nm.b', 'x', 'y', 20,
       predicates => 'sql', predicate_sql => '{"y = 1", "x[1] > 2"}', batch => 10);

-- ---- clean up: the tables and the plans and jobs of this file -------------------
DELETE FROM acq.acquisition_plans WHERE plan_id > :plan0;
DELETE FROM acq.jobs WHERE id > :job0;
SET client_min_messages = warning;
DROP SCHEMA nm, "My Schema" CASCADE;
