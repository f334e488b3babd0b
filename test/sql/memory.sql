--
-- Memory checked before it is taken (issue 16, item 3): with acq.max_memory
-- low, every path refuses with 54000 before it allocates what it would need,
-- saying what it was doing, how much it needs against the limit, and what to
-- lower or the SET that would let it run; a call of normal size still runs
-- under the same limit; a job submitted under a tiny limit fails with the
-- same message.  (Source selection and acq.subset_gain: wide_regression.sql.)
--
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;

-- 100-feature rows: 2,000 of them take 1.6 MB (8 bytes a feature)
CREATE FUNCTION mem_vec(i int, c int, n int) RETURNS float8[] LANGUAGE sql IMMUTABLE
RETURN ARRAY(SELECT c + sin(i * 0.37 + s * 1.3) FROM generate_series(1, n) s);
CREATE TABLE mem_wide AS
SELECT i::bigint AS id, mem_vec(i, i % 3, 100) AS features, (i % 3)::float8 AS label
FROM generate_series(1, 2000) i;
CREATE TABLE mem_small AS
SELECT 100000 + i::bigint AS id, mem_vec(i, i % 3, 100) AS features, (i % 3)::float8 AS label
FROM generate_series(1, 300) i;
CREATE TABLE mem_prov AS
SELECT 200000 + i::bigint AS id, mem_vec(i * 7, i % 3, 100) AS features, (i % 3)::float8 AS label
FROM generate_series(1, 3000) i;
CREATE TABLE mem_test AS
SELECT 300000 + i::bigint AS id, mem_vec(i * 5, i % 3, 100) AS features, (i % 3)::float8 AS label
FROM generate_series(1, 200) i;
ANALYZE mem_prov;

LOAD 'acq';
SHOW acq.max_memory;
SET acq.max_memory = '1MB';

-- ---- acquisition ---------------------------------------------------------------
-- the consumer's records are held (with novelty's vectors): refused while reading
SELECT plan_id FROM acq.acquire('mem_wide', 'mem_prov', 'mem_bought', 'features', 'label', 100);
\echo :LAST_ERROR_SQLSTATE
-- a small consumer, but novelty over 300 held and 2,500 bought records:
-- refused from the estimate, before the provider is read
SELECT plan_id FROM acq.acquire('mem_small', 'mem_prov', 'mem_bought', 'features', 'label', 2500);
\echo :LAST_ERROR_SQLSTATE
-- nothing was bought: no plan, no target
SELECT count(*) AS plans FROM acq.acquisition_plans WHERE target::text = 'mem_bought';
SELECT to_regclass('mem_bought') AS target;
-- uniform keeps no novelty vectors: the same budget runs under the same limit
SELECT bought, rounds > 0 AS ran
FROM acq.acquire('mem_small', 'mem_prov', 'mem_bought', 'features', 'label', 2500,
                 strategy => 'uniform', batch => 500);

-- ---- acq.evaluate ----------------------------------------------------------------
-- reading the training rows
SELECT model, n_train FROM acq.evaluate('{mem_wide}', 'mem_test', 'features', 'label');
\echo :LAST_ERROR_SQLSTATE
-- least squares on 2,000 features: 20 rows (16 MB as the buffer's first
-- 1,024 rows) fit in 40 MB, the normal equations (32 MB) and their solve do not
CREATE TABLE mem_tall AS
SELECT i::bigint AS id, mem_vec(i, 0, 2000) AS features, sin(i)::float8 AS label
FROM generate_series(1, 20) i;
SET acq.max_memory = '40MB';
SELECT model, n_train FROM acq.evaluate('{mem_tall}', 'mem_tall', 'features', 'label',
                                        task => 'regression', model => 'linear');
\echo :LAST_ERROR_SQLSTATE
SET acq.max_memory = '1MB';

-- ---- Mycroft ------------------------------------------------------------------
-- acq.hard_examples: reading the training rows
SELECT count(*) FROM acq.hard_examples('mem_wide', 'mem_test', 'features', 'label');
\echo :LAST_ERROR_SQLSTATE
-- a tree sorts the rows by every feature: 1,500 rows of 30 features fit, the tree does not
CREATE TABLE mem_t30 AS
SELECT i::bigint AS id, mem_vec(i, i % 3, 30) AS features, (i % 3)::float8 AS label
FROM generate_series(1, 1500) i;
CREATE TABLE mem_t30_test AS
SELECT 10000 + i::bigint AS id, mem_vec(i * 3, i % 3, 30) AS features, ((i + 1) % 3)::float8 AS label
FROM generate_series(1, 100) i;
SELECT count(*) FROM acq.hard_examples('mem_t30', 'mem_t30_test', 'features', 'label', model => 'tree');
\echo :LAST_ERROR_SQLSTATE
-- a tree of depth 2 has at most 7 nodes: it fits
SELECT count(*) FROM acq.hard_examples('mem_t30', 'mem_t30_test', 'features', 'label', model => 'tree',
                                       max_depth => 2);
-- knn keeps a copy of the training rows
SELECT count(*) FROM acq.hard_examples('mem_t30', 'mem_t30_test', 'features', 'label', model => 'knn');
\echo :LAST_ERROR_SQLSTATE
-- softmax needs little beside the rows: it runs
SELECT count(*) > 0 AS some_hard
FROM acq.hard_examples('mem_t30', 'mem_t30_test', 'features', 'label', model => 'softmax');

-- acq.mycroft_select, feature distance: the owner's rows stream in chunks
SELECT count(*) FROM acq.mycroft_select('mem_wide', 'mem_test', 'id', 'features', 'label', 5);
\echo :LAST_ERROR_SQLSTATE
-- binning: the sample of the owner's rows, and the bins' codes
SELECT count(*) FROM acq.mycroft_select('mem_t30', 'mem_t30_test', 'id', 'features', 'label', 5,
                                        method => 'binning', sample_rate => 1);
\echo :LAST_ERROR_SQLSTATE
-- k itself: its ids, scores and weights
SELECT count(*) FROM acq.mycroft_select('mem_small', 'mem_test', 'id', 'features', 'label', 100000,
                                        method => 'random');
\echo :LAST_ERROR_SQLSTATE
-- omp over a gradient column: the owner's rows and gradients are held
CREATE TABLE mem_owner_g AS
SELECT id, features, label, mem_vec(id::int, 0, 50) AS g FROM mem_wide WHERE id <= 1200;
CREATE TABLE mem_hard_g AS
SELECT id, features, label, mem_vec(id::int * 3, 0, 50) AS g FROM mem_test WHERE id <= 300010;
SELECT count(*) FROM acq.mycroft_select('mem_owner_g', 'mem_hard_g', 'id', 'features', 'label', 5,
                                        method => 'omp', gradients => 'g');
\echo :LAST_ERROR_SQLSTATE
-- omp: the pursuit's factor grows with k squared (k = 400 with lambda > 0: 1.3 MB)
CREATE TABLE mem_owner_k AS
SELECT i::bigint AS id, mem_vec(i, 0, 4) AS features, (i % 2)::float8 AS label,
       mem_vec(i * 3, 0, 4) AS g
FROM generate_series(1, 600) i;
CREATE TABLE mem_hard_k AS
SELECT 5000 + i::bigint AS id, mem_vec(i * 7, 0, 4) AS features, (i % 2)::float8 AS label,
       mem_vec(i * 11, 0, 4) AS g
FROM generate_series(1, 20) i;
SELECT count(*) FROM acq.mycroft_select('mem_owner_k', 'mem_hard_k', 'id', 'features', 'label', 400,
                                        method => 'omp', gradients => 'g', lambda => 0.1);
\echo :LAST_ERROR_SQLSTATE
-- a small k runs
SELECT count(*) AS k FROM acq.mycroft_select('mem_owner_k', 'mem_hard_k', 'id', 'features', 'label', 4,
                                             method => 'omp', gradients => 'g', lambda => 0.1);

-- acq.rank_owners: the trainer's rows, then each owner's selection
SELECT count(*) FROM acq.rank_owners('mem_wide', 'mem_test', 'mem_test', '{mem_small}',
                                     'features', 'label', k => 5);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM acq.rank_owners('mem_small', 'mem_test', 'mem_test', '{mem_wide}',
                                     'features', 'label', k => 5);
\echo :LAST_ERROR_SQLSTATE

-- ---- calls of normal size run under a small limit --------------------------------
SET acq.max_memory = '4MB';
SELECT model, n_train, n_test, accuracy > 0.5 AS learned
FROM acq.evaluate('{mem_small}', 'mem_test', 'features', 'label');
SELECT count(*) AS k FROM acq.mycroft_select('mem_small', 'mem_test', 'id', 'features', 'label', 5);
SELECT count(*) AS k FROM acq.mycroft_select('mem_t30', 'mem_t30_test', 'id', 'features', 'label', 5,
                                             method => 'binning', sample_rate => 0.2);
SELECT rank, shared FROM acq.rank_owners('mem_small', 'mem_test', 'mem_test', '{mem_small}',
                                         'features', 'label', k => 5, model => 'softmax');
SET acq.max_memory = '1MB';

-- ---- a job submitted under a tiny limit ------------------------------------------
-- the worker runs under the submitter's acq.max_memory and fails with its message
SELECT acq.submit_acquire('mem_wide', 'mem_prov', 'mem_job_bought', 'features', 'label', 100) AS job \gset
SELECT (params ->> 'max_memory') AS recorded FROM acq.jobs WHERE id = :job;
SELECT acq.job_wait(:job);
SELECT status, error_sqlstate, error_message FROM acq.jobs WHERE id = :job;

RESET acq.max_memory;
-- under the default limit the same calls run
SELECT count(*) > 0 AS some_hard
FROM acq.hard_examples('mem_t30', 'mem_t30_test', 'features', 'label', model => 'tree');
SELECT count(*) AS k FROM acq.mycroft_select('mem_wide', 'mem_test', 'id', 'features', 'label', 5);
-- a job submitted at the default records no limit of its own
SELECT acq.submit_acquire('mem_small', 'mem_prov', 'mem_job_bought2', 'features', 'label', 100,
                          strategy => 'uniform') AS job2 \gset
SELECT params ? 'max_memory' AS recorded FROM acq.jobs WHERE id = :job2;
SELECT acq.job_wait(:job2);
SELECT count(*) AS bought FROM mem_job_bought2;

-- leave nothing behind for the files that follow
DELETE FROM acq.jobs WHERE id IN (:job, :job2);
DELETE FROM acq.acquisition_plans WHERE target IN ('mem_bought'::regclass, 'mem_job_bought2'::regclass);
DROP TABLE mem_wide, mem_small, mem_prov, mem_test, mem_tall, mem_t30, mem_t30_test, mem_owner_g,
           mem_hard_g, mem_owner_k, mem_hard_k, mem_bought, mem_job_bought2;
DROP FUNCTION mem_vec;
