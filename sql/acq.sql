-- acq: which outside data is worth having.
\echo Use "CREATE EXTENSION acq" to load this file. \quit

-- Every role may call acq's functions; they run with the caller's rights
-- (a caller reads only the tables it may read, and sees only its own jobs).
GRANT USAGE ON SCHEMA acq TO PUBLIC;

-- ---------------------------------------------------------------------------
-- Source selection (SourceSplice paper): choose the subset of sources whose
-- union trains the best model, net of the sources' costs.
-- ---------------------------------------------------------------------------

CREATE TYPE acq.source_selection AS (
    sources         text[],         -- the chosen subset, in name order
    gain            float8,         -- G(S)
    cost            float8,         -- C(S)
    profit          float8,         -- P(S) = G(S) - C(S)
    models_trained  int,            -- distinct subsets trained by the search
    n_rows          bigint          -- training rows in the chosen subset
);
COMMENT ON TYPE acq.source_selection IS 'result of acq.select_sources';

CREATE TYPE acq.subset_profit AS (
    sources text[],
    gain    float8,
    cost    float8,
    profit  float8,
    n_rows  bigint
);
COMMENT ON TYPE acq.subset_profit IS 'one subset of sources, as listed by acq.subset_profits';

CREATE TYPE acq.subset_score AS (
    gain     float8,
    cost     float8,
    profit   float8,
    n_rows   bigint,
    accuracy float8,    -- classification tasks: validation accuracy in [0,1]
    f1       float8,    -- classification tasks: F1 of class 1 in [0,1]
    tpr_gap  float8,    -- with a sensitive attribute: TPR(protected) - TPR(privileged)
    mse      float8,    -- regression: validation mean squared error
    r2       float8     -- regression: validation R^2
);
COMMENT ON TYPE acq.subset_score IS 'result of acq.subset_gain';

CREATE FUNCTION acq.select_sources(
    sources         regclass,
    validation      regclass,
    features        name,
    label           name,
    method          text    DEFAULT 'splice',
    task            text    DEFAULT 'classification',
    source_column   name    DEFAULT NULL,
    sensitive       name    DEFAULT NULL,
    privileged      text    DEFAULT NULL,
    lambda          float8  DEFAULT 10,
    costs           jsonb   DEFAULT NULL,
    cost_exponent   int     DEFAULT NULL,
    cost_scale      float8  DEFAULT 0.01,
    cost_offset     float8  DEFAULT 0,
    s_max           int     DEFAULT NULL,
    k_max           int     DEFAULT NULL,
    iterations      int     DEFAULT 20,
    rcl_size        int     DEFAULT 5,
    samples         int     DEFAULT 1000,
    c               float8  DEFAULT 1.0,
    alpha           float8  DEFAULT 0,
    seed            bigint  DEFAULT 0)
RETURNS acq.source_selection
AS 'MODULE_PATHNAME', 'acq_select_sources'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.select_sources IS
'choose the subset of sources that maximises gain - cost (methods: splice, grasp, greedy, random, exhaustive, datamodels)';

CREATE FUNCTION acq.subset_profits(
    sources         regclass,
    validation      regclass,
    features        name,
    label           name,
    task            text    DEFAULT 'classification',
    source_column   name    DEFAULT NULL,
    sensitive       name    DEFAULT NULL,
    privileged      text    DEFAULT NULL,
    lambda          float8  DEFAULT 10,
    costs           jsonb   DEFAULT NULL,
    cost_exponent   int     DEFAULT NULL,
    cost_scale      float8  DEFAULT 0.01,
    cost_offset     float8  DEFAULT 0,
    c               float8  DEFAULT 1.0,
    alpha           float8  DEFAULT 0)
RETURNS SETOF acq.subset_profit
AS 'MODULE_PATHNAME', 'acq_subset_profits'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 32767
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.subset_profits IS
'gain, cost and profit of every non-empty subset of sources (at most acq.max_exhaustive_sources sources)';

CREATE FUNCTION acq.subset_gain(
    sources         regclass,
    validation      regclass,
    features        name,
    label           name,
    subset          text[],
    task            text    DEFAULT 'classification',
    source_column   name    DEFAULT NULL,
    sensitive       name    DEFAULT NULL,
    privileged      text    DEFAULT NULL,
    lambda          float8  DEFAULT 10,
    costs           jsonb   DEFAULT NULL,
    cost_exponent   int     DEFAULT NULL,
    cost_scale      float8  DEFAULT 0.01,
    cost_offset     float8  DEFAULT 0,
    c               float8  DEFAULT 1.0,
    alpha           float8  DEFAULT 0)
RETURNS acq.subset_score
AS 'MODULE_PATHNAME', 'acq_subset_gain'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.subset_gain IS
'gain, cost, profit and validation metrics of the model trained on one subset of sources';

-- ---------------------------------------------------------------------------
-- Background jobs (docs/jobs.md): long runs go to a background worker that
-- runs as the submitting role; plans land in catalog tables.
-- ---------------------------------------------------------------------------

-- Members of acq_admin see, wait on and cancel every role's jobs.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'acq_admin') THEN
        CREATE ROLE acq_admin NOLOGIN;
    END IF;
END $$;

CREATE TABLE acq.jobs (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('select_sources')),
    owner            regrole NOT NULL DEFAULT pg_catalog.quote_ident(current_user)::pg_catalog.regrole,
    params           jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    cancel_requested boolean NOT NULL DEFAULT false,
    progress         float8 NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    message          text,
    created_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    worker_requested_at timestamptz,    -- a worker was started for this queued job
    started_at       timestamptz,
    finished_at      timestamptz,
    worker_pid       int,
    error_sqlstate   text,
    error_message    text
);
COMMENT ON TABLE acq.jobs IS 'background jobs: one row per submitted run (acq.submit_select_sources)';

CREATE TABLE acq.source_selection_plans (
    job_id          bigint PRIMARY KEY REFERENCES acq.jobs (id) ON DELETE CASCADE,
    owner           regrole NOT NULL DEFAULT pg_catalog.quote_ident(current_user)::pg_catalog.regrole,
    sources         text[] NOT NULL,
    gain            float8 NOT NULL,
    cost            float8 NOT NULL,
    profit          float8 NOT NULL,
    models_trained  int NOT NULL,
    n_rows          bigint NOT NULL
);
COMMENT ON TABLE acq.source_selection_plans IS 'the subset a source-selection job chose';

CREATE TABLE acq.source_selection_subsets (
    job_id   bigint NOT NULL REFERENCES acq.jobs (id) ON DELETE CASCADE,
    ord      int NOT NULL,
    owner    regrole NOT NULL DEFAULT pg_catalog.quote_ident(current_user)::pg_catalog.regrole,
    sources  text[] NOT NULL,
    gain     float8 NOT NULL,
    cost     float8 NOT NULL,
    profit   float8 NOT NULL,
    n_rows   bigint NOT NULL,
    PRIMARY KEY (job_id, ord)
);
COMMENT ON TABLE acq.source_selection_subsets IS 'every subset a source-selection job trained, in training order';

-- Each role sees its own rows; acq_admin members see all.  Nobody writes
-- them directly: acq's functions do (as the extension owner, for the role
-- that asks), so that a job's owner, status and worker cannot be forged.
-- A role may delete its own rows (housekeeping).
ALTER TABLE acq.jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE acq.source_selection_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE acq.source_selection_subsets ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_jobs ON acq.jobs FOR SELECT
    USING (pg_catalog.pg_has_role(current_user, owner, 'MEMBER')
           OR pg_catalog.pg_has_role(current_user, 'acq_admin', 'MEMBER'));
-- only ended jobs may be deleted (cancel a queued or running one first)
CREATE POLICY delete_ended_jobs ON acq.jobs FOR DELETE
    USING ((pg_catalog.pg_has_role(current_user, owner, 'MEMBER')
            OR pg_catalog.pg_has_role(current_user, 'acq_admin', 'MEMBER'))
           AND status IN ('succeeded', 'failed', 'cancelled'));
CREATE POLICY own_plans ON acq.source_selection_plans
    USING (pg_catalog.pg_has_role(current_user, owner, 'MEMBER')
           OR pg_catalog.pg_has_role(current_user, 'acq_admin', 'MEMBER'));
CREATE POLICY own_subsets ON acq.source_selection_subsets
    USING (pg_catalog.pg_has_role(current_user, owner, 'MEMBER')
           OR pg_catalog.pg_has_role(current_user, 'acq_admin', 'MEMBER'));
GRANT SELECT, DELETE ON acq.jobs, acq.source_selection_plans,
    acq.source_selection_subsets TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('acq.jobs', '');
SELECT pg_catalog.pg_extension_config_dump('acq.jobs_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('acq.source_selection_plans', '');
SELECT pg_catalog.pg_extension_config_dump('acq.source_selection_subsets', '');

-- argument checks of acq.submit_select_sources, without reading the data
CREATE FUNCTION acq._check_select_sources(
    sources regclass, validation regclass, features name, label name,
    method text, task text, source_column name, sensitive name, privileged text,
    lambda float8, costs jsonb, cost_exponent int, cost_scale float8, cost_offset float8,
    s_max int, k_max int, iterations int, rcl_size int, samples int,
    c float8, alpha float8, seed bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'acq_check_select_sources'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;

-- Internal, called by the functions below (src/pg/jobs.c).  None is
-- SECURITY DEFINER: they write the catalog as the extension owner in C, only
-- for the job of the role that calls them.
CREATE FUNCTION acq._enqueue(kind text, params jsonb) RETURNS bigint
AS 'MODULE_PATHNAME', 'acq_enqueue'
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION acq._kick() RETURNS boolean
AS 'MODULE_PATHNAME', 'acq_kick'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION acq._cancel(job bigint) RETURNS boolean
AS 'MODULE_PATHNAME', 'acq_cancel_job'
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION acq._worker_alive(pid int) RETURNS boolean
AS 'MODULE_PATHNAME', 'acq_worker_alive'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq._worker_alive IS 'is pid a running acq job worker (read from shared memory, live)';

-- Did a job that the caller's snapshot shows running lose its worker?  The
-- worker may also have finished and exited since that snapshot was taken:
-- look at the row again, after the liveness check, with a fresh snapshot.
CREATE FUNCTION acq._job_dead(job bigint, pid int, started timestamptz) RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF started >= pg_postmaster_start_time() AND acq._worker_alive(pid) THEN
        RETURN false;
    END IF;
    RETURN EXISTS (SELECT 1 FROM acq.jobs j WHERE j.id = job AND j.status = 'running');
END $$;

CREATE FUNCTION acq.submit_select_sources(
    sources         regclass,
    validation      regclass,
    features        name,
    label           name,
    method          text    DEFAULT 'splice',
    task            text    DEFAULT 'classification',
    source_column   name    DEFAULT NULL,
    sensitive       name    DEFAULT NULL,
    privileged      text    DEFAULT NULL,
    lambda          float8  DEFAULT 10,
    costs           jsonb   DEFAULT NULL,
    cost_exponent   int     DEFAULT NULL,
    cost_scale      float8  DEFAULT 0.01,
    cost_offset     float8  DEFAULT 0,
    s_max           int     DEFAULT NULL,
    k_max           int     DEFAULT NULL,
    iterations      int     DEFAULT 20,
    rcl_size        int     DEFAULT 5,
    samples         int     DEFAULT 1000,
    c               float8  DEFAULT 1.0,
    alpha           float8  DEFAULT 0,
    seed            bigint  DEFAULT 0)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM acq._check_select_sources(sources, validation, features, label, method, task,
        source_column, sensitive, privileged, lambda, costs, cost_exponent, cost_scale,
        cost_offset, s_max, k_max, iterations, rcl_size, samples, c, alpha, seed);
    RETURN acq._enqueue('select_sources', jsonb_build_object(
        'sources', sources::oid, 'sources_name', sources::text,
        'validation', validation::oid, 'validation_name', validation::text,
        'features', features, 'label', label, 'method', method, 'task', task,
        'source_column', source_column, 'sensitive', sensitive, 'privileged', privileged,
        'lambda', lambda, 'costs', costs, 'cost_exponent', cost_exponent,
        'cost_scale', cost_scale, 'cost_offset', cost_offset, 's_max', s_max,
        'k_max', k_max, 'iterations', iterations, 'rcl_size', rcl_size,
        'samples', samples, 'c', c, 'alpha', alpha, 'seed', seed));
END $$;
COMMENT ON FUNCTION acq.submit_select_sources IS
'acq.select_sources as a background job: returns the job id (see acq.job_status, acq.job_wait, acq.job_result)';

CREATE VIEW acq.job_status WITH (security_invoker = true) AS
SELECT j.id, j.kind, j.owner, j.params ->> 'method' AS method,
       CASE WHEN d.dead THEN 'failed' ELSE j.status END AS status,
       CASE WHEN j.status = 'running' AND NOT d.dead
            THEN COALESCE(pg_catalog.substring(w.query, 'progress ([0-9.]+)')::float8, j.progress)
            ELSE j.progress END AS progress,
       CASE WHEN j.status = 'running' AND NOT d.dead THEN COALESCE(w.query, j.message)
            ELSE j.message END AS message,
       CASE WHEN j.started_at IS NULL THEN NULL
            ELSE COALESCE(j.finished_at, pg_catalog.clock_timestamp()) - j.started_at END AS elapsed,
       j.created_at, j.started_at, j.finished_at, j.worker_pid,
       CASE WHEN d.dead THEN '57P02' ELSE j.error_sqlstate END AS error_sqlstate,
       CASE WHEN d.dead
            THEN 'the job''s worker exited without finishing (killed, server crash or restart); nothing of it was kept; submit it again'
            ELSE j.error_message END AS error_message
  FROM acq.jobs j
  LEFT JOIN LATERAL (SELECT a.query FROM pg_catalog.pg_stat_activity a
                      WHERE a.pid = j.worker_pid AND a.backend_type = 'acq job') w ON true
 CROSS JOIN LATERAL (SELECT j.status = 'running'
                            AND acq._job_dead(j.id, j.worker_pid, j.started_at) AS dead) d;
COMMENT ON VIEW acq.job_status IS
'jobs you may see, with live progress; a job whose worker died shows as failed';
GRANT SELECT ON acq.job_status TO PUBLIC;

CREATE FUNCTION acq.job_wait(job bigint, timeout interval DEFAULT '1 hour')
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
COMMENT ON FUNCTION acq.job_wait IS 'wait until a job ends (or timeout passes); returns its status';

CREATE FUNCTION acq.cancel(job bigint)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF job IS NULL THEN
        RAISE EXCEPTION 'job must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    RETURN acq._cancel(job);
END $$;
COMMENT ON FUNCTION acq.cancel IS 'cancel a queued or running job; its worker stops within a second';

CREATE FUNCTION acq.job_result(job bigint)
RETURNS acq.source_selection
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s record;
    r acq.source_selection;
BEGIN
    SELECT * INTO s FROM acq.job_status j WHERE j.id = job;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no job % that you can see', job
            USING ERRCODE = 'undefined_object', HINT = 'acq.job_status lists your jobs.';
    END IF;
    IF s.status <> 'succeeded' THEN
        RAISE EXCEPTION 'job % has no result: it is %', job, s.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = COALESCE(s.error_sqlstate || ': ' || s.error_message, ''),
                  HINT = CASE WHEN s.status IN ('queued', 'running')
                              THEN 'Wait for it with acq.job_wait.' ELSE 'acq.job_status shows why.' END;
    END IF;
    SELECT p.sources, p.gain, p.cost, p.profit, p.models_trained, p.n_rows INTO r
      FROM acq.source_selection_plans p WHERE p.job_id = job;
    RETURN r;
END $$;
COMMENT ON FUNCTION acq.job_result IS 'the result of a succeeded source-selection job (same columns as acq.select_sources)';
