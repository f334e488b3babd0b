-- acq 0.1.0 -> 0.2.0: a running job's progress is read as a number
-- (acq._job_progress, from the worker's backend status), not parsed back out
-- of its pg_stat_activity text; acq.job_wait refuses a NULL timeout; the acquisition functions take their target as text.  No table changes: every job, plan, round
-- and ranking is kept as it is.
\echo Use "ALTER EXTENSION acq UPDATE TO '0.2.0'" to load this file. \quit

CREATE FUNCTION acq._job_progress(job bigint, pid int) RETURNS float8
AS 'MODULE_PATHNAME', 'acq_job_progress_sql'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq._job_progress IS 'the progress (0..1) job''s worker pid reports (read from shared memory, live), or NULL';

CREATE OR REPLACE VIEW acq.job_status WITH (security_invoker = true) AS
SELECT j.id, j.kind, j.owner, j.params ->> 'method' AS method,
       CASE WHEN d.dead THEN 'failed' ELSE j.status END AS status,
       CASE WHEN j.status = 'running' AND NOT d.dead
            THEN COALESCE(acq._job_progress(j.id, j.worker_pid), j.progress)
            ELSE j.progress END AS progress,
       CASE WHEN j.status = 'running' AND NOT d.dead THEN COALESCE(w.query, j.message)
            ELSE j.message END AS message,
       CASE WHEN j.started_at IS NULL THEN NULL
            ELSE COALESCE(j.finished_at, pg_catalog.clock_timestamp()) - j.started_at END AS elapsed,
       j.created_at, j.started_at, j.finished_at, j.worker_pid,
       CASE WHEN d.dead THEN '57P02' ELSE j.error_sqlstate END AS error_sqlstate,
       CASE WHEN d.dead
            THEN CASE WHEN j.kind = 'acquire'
                      THEN 'the job''s worker exited without finishing (killed, server crash or restart); the rounds it committed are kept; continue with acq.resume_acquire(plan_id)'
                      ELSE 'the job''s worker exited without finishing (killed, server crash or restart); nothing of it was kept; submit it again' END
            ELSE j.error_message END AS error_message
  FROM acq.jobs j
  LEFT JOIN LATERAL (SELECT a.query FROM pg_catalog.pg_stat_activity a
                      WHERE a.pid = j.worker_pid AND a.backend_type = 'acq job') w ON true
 CROSS JOIN LATERAL (SELECT j.status = 'running'
                            AND acq._job_dead(j.id, j.worker_pid, j.started_at) AS dead) d;

CREATE OR REPLACE FUNCTION acq.job_wait(job bigint, timeout interval DEFAULT '1 hour')
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    st text;
    deadline timestamptz := clock_timestamp() + timeout;
    next_kick timestamptz := clock_timestamp() + interval '1 second';
BEGIN
    IF job IS NULL THEN
        RAISE EXCEPTION 'job must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF timeout IS NULL THEN
        RAISE EXCEPTION 'timeout must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass an interval to wait at most; the default is 1 hour.';
    END IF;
    IF EXISTS (SELECT 1 FROM acq.jobs j WHERE j.id = job AND age(j.xmin) = 0) THEN
        RAISE EXCEPTION 'job % was submitted in this transaction', job
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Its worker starts only when the submitting transaction commits.',
                  HINT = 'Commit, then call acq.job_wait.';
    END IF;
    LOOP
        SELECT s.status INTO st FROM acq.job_status s WHERE s.id = job;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'there is no job % that you can see', job
                USING ERRCODE = 'undefined_object',
                      HINT = 'acq.job_status lists your jobs.';
        END IF;
        IF st IN ('succeeded', 'failed', 'cancelled') THEN
            IF st = 'failed' THEN
                PERFORM acq._kick();        -- records a dead worker's failure
            END IF;
            RETURN st;
        END IF;
        EXIT WHEN clock_timestamp() >= deadline;
        -- a queued job whose workers all died (crash, restart) needs a kick
        IF st = 'queued' AND clock_timestamp() >= next_kick THEN
            PERFORM acq._kick();
            next_kick := clock_timestamp() + interval '1 second';
        END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN st;
END $$;

-- The acquisition functions' target is text, parsed as [schema.]table (each
-- part at most 63 bytes, an error rather than a truncated name: as name, a
-- longer target was cut to 63 bytes before acq saw it, and acq created a
-- table named other than asked).  An argument's type is part of the
-- signature: drop the old functions and create the new ones.  Nothing depends
-- on them in acq (submit_acquire and the job worker call the others by name);
-- an object of yours that does (a view calling acq.acquire) stops the update:
-- drop it, update, and create it again.
DROP FUNCTION acq.acquire(regclass, regclass, name, name, name, int, text, text, name, text, float8[], int[], int, text[], int, int, float8, float8, text, int, int, boolean, bigint);
DROP FUNCTION acq.submit_acquire(regclass, regclass, name, name, name, int, text, text, name, text, float8[], int[], int, text[], int, int, float8, float8, text, int, int, boolean, bigint);
DROP FUNCTION acq._check_acquire(regclass, regclass, name, name, name, int, text, text, name, text, float8[], int[], int, text[], int, int, float8, float8, text, int, int, boolean, bigint);
DROP FUNCTION acq._create_acquisition_plan(regclass, regclass, name, name, name, int, text, text, name, text, float8[], int[], int, text[], int, int, float8, float8, text, int, int, boolean, bigint, bigint);

CREATE FUNCTION acq.acquire(
    consumer        regclass,
    provider        regclass,
    target          text,               -- [schema.]table, as in SQL (created if missing)
    features        name,
    label           name,
    budget          int,
    strategy        text    DEFAULT 'sps',
    predicates      text    DEFAULT 'label',
    id              name    DEFAULT 'id',
    task            text    DEFAULT 'classification',
    labels          float8[] DEFAULT NULL,
    grid_dims       int[]   DEFAULT NULL,
    grid_size       int     DEFAULT 4,
    predicate_sql   text[]  DEFAULT NULL,
    batch           int     DEFAULT NULL,     -- 100, or the budget if smaller
    tau             int     DEFAULT 1,
    l               float8  DEFAULT 0.01,
    delta           float8  DEFAULT 0.001,
    allocation      text    DEFAULT 'linear',
    novelty_k       int     DEFAULT 1,
    novelty_splits  int     DEFAULT 50,
    scale           boolean DEFAULT true,
    seed            bigint  DEFAULT 0)
RETURNS TABLE (plan_id bigint, bought int, rounds int, budget_left int,
               predicate_names text[], counts int[])
AS 'MODULE_PATHNAME', 'acq_acquire'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off;      -- acq's queries are simple scans: compiling them only costs
COMMENT ON FUNCTION acq.acquire IS
'buy up to budget records from provider into target, by EA, SPS, uniform or random predicate queries; returns the plan''s summary';

CREATE FUNCTION acq._check_acquire(
    consumer regclass, provider regclass, target text, features name, label name, budget int,
    strategy text, predicates text, id name, task text, labels float8[], grid_dims int[],
    grid_size int, predicate_sql text[], batch int, tau int, l float8, delta float8,
    allocation text, novelty_k int, novelty_splits int, scale boolean, seed bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'acq_check_acquire'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION acq.submit_acquire(
    consumer        regclass,
    provider        regclass,
    target          text,               -- [schema.]table, as in SQL (created if missing)
    features        name,
    label           name,
    budget          int,
    strategy        text    DEFAULT 'sps',
    predicates      text    DEFAULT 'label',
    id              name    DEFAULT 'id',
    task            text    DEFAULT 'classification',
    labels          float8[] DEFAULT NULL,
    grid_dims       int[]   DEFAULT NULL,
    grid_size       int     DEFAULT 4,
    predicate_sql   text[]  DEFAULT NULL,
    batch           int     DEFAULT NULL,     -- 100, or the budget if smaller
    tau             int     DEFAULT 1,
    l               float8  DEFAULT 0.01,
    delta           float8  DEFAULT 0.001,
    allocation      text    DEFAULT 'linear',
    novelty_k       int     DEFAULT 1,
    novelty_splits  int     DEFAULT 50,
    scale           boolean DEFAULT true,
    seed            bigint  DEFAULT 0)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM acq._check_acquire(consumer, provider, target, features, label, budget,
        strategy, predicates, id, task, labels, grid_dims, grid_size, predicate_sql,
        batch, tau, l, delta, allocation, novelty_k, novelty_splits, scale, seed);
    RETURN acq._enqueue('acquire', jsonb_build_object(
        'consumer', consumer::oid, 'consumer_name', consumer::text,
        'provider', provider::oid, 'provider_name', provider::text,
        'target', target, 'features', features, 'label', label, 'budget', budget,
        'strategy', strategy, 'predicates', predicates, 'id', id, 'task', task,
        'labels', labels, 'grid_dims', grid_dims, 'grid_size', grid_size,
        'predicate_sql', predicate_sql, 'batch', batch, 'tau', tau, 'l', l,
        'delta', delta, 'allocation', allocation, 'novelty_k', novelty_k,
        'novelty_splits', novelty_splits, 'scale', scale, 'seed', seed));
END $$;
COMMENT ON FUNCTION acq.submit_acquire IS
'acq.acquire as a background job that commits every round: returns the job id (acq.acquisitions shows its plan)';

CREATE FUNCTION acq._create_acquisition_plan(
    consumer regclass, provider regclass, target text, features name, label name, budget int,
    strategy text, predicates text, id name, task text, labels float8[], grid_dims int[],
    grid_size int, predicate_sql text[], batch int, tau int, l float8, delta float8,
    allocation text, novelty_k int, novelty_splits int, scale boolean, seed bigint,
    job_id bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'acq_create_acquisition_plan'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off;      -- acq's queries are simple scans: compiling them only costs
