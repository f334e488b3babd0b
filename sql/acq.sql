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
    seed            bigint  DEFAULT 0,
    tol             float8  DEFAULT 1e-6,
    tie_break       text    DEFAULT 'loss',
    restarts        int     DEFAULT NULL)
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
    alpha           float8  DEFAULT 0,
    tol             float8  DEFAULT 1e-6)
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
    alpha           float8  DEFAULT 0,
    tol             float8  DEFAULT 1e-6)
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
    kind             text NOT NULL CHECK (kind IN ('select_sources', 'acquire', 'rank_owners')),
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

-- Internal: only acq's own code calls it, as the extension owner (the queue,
-- src/pg/jobs/queue.c).  No internal function is executable by PUBLIC
-- (the REVOKE at the end of this file): jobs, their owners and params,
-- plans and kicks are reached only through the public functions, which
-- check their arguments and the caller's rights first.
CREATE FUNCTION acq._worker_alive(pid int) RETURNS boolean
AS 'MODULE_PATHNAME', 'acq_worker_alive'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq._worker_alive IS 'is pid a running acq job worker (read from shared memory, live); internal';

CREATE FUNCTION acq.job_live(job bigint, OUT dead boolean, OUT progress float8)
AS 'MODULE_PATHNAME', 'acq_job_live'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.job_live IS
'for a running job you can see: whether its worker is gone (killed, crash, restart) and the progress it reports live; (false, NULL) otherwise';

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
    seed            bigint  DEFAULT 0,
    tol             float8  DEFAULT 1e-6,
    tie_break       text    DEFAULT 'loss',
    restarts        int     DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'acq_submit_select_sources'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.submit_select_sources IS
'acq.select_sources as a background job: returns the job id (see acq.job_status, acq.job_wait, acq.job_result)';

CREATE VIEW acq.job_status WITH (security_invoker = true) AS
SELECT j.id, j.kind, j.owner, j.params ->> 'method' AS method,
       CASE WHEN d.dead THEN 'failed' ELSE j.status END AS status,
       CASE WHEN j.status = 'running' AND NOT d.dead
            THEN COALESCE(d.progress, j.progress)
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
 CROSS JOIN LATERAL acq.job_live(CASE WHEN j.status = 'running' THEN j.id END) d;
COMMENT ON VIEW acq.job_status IS
'jobs you may see, with live progress; a job whose worker died shows as failed';
GRANT SELECT ON acq.job_status TO PUBLIC;

CREATE FUNCTION acq.job_wait(job bigint, timeout interval DEFAULT '1 hour')
RETURNS text
AS 'MODULE_PATHNAME', 'acq_job_wait'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.job_wait IS 'wait until a job ends (or timeout passes); returns its status';

CREATE FUNCTION acq.cancel(job bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'acq_cancel_job'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
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

-- ---------------------------------------------------------------------------
-- Data acquisition (docs/acquisition.md): buy records from a provider through
-- predicate queries, guided by novelty (EA, SPS; Li, Yu, Koudas, VLDB 2021).
-- ---------------------------------------------------------------------------

CREATE TABLE acq.acquisition_plans (
    plan_id         bigserial PRIMARY KEY,
    owner           regrole NOT NULL DEFAULT pg_catalog.quote_ident(current_user)::pg_catalog.regrole,
    job_id          bigint REFERENCES acq.jobs (id) ON DELETE SET NULL,
    status          text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'succeeded', 'failed')),
    consumer        regclass NOT NULL,
    provider        regclass NOT NULL,
    target          regclass NOT NULL,
    features        name NOT NULL,
    label           name NOT NULL,
    id_column       name NOT NULL,
    budget          int NOT NULL,
    strategy        text NOT NULL,
    predicates      text NOT NULL,
    task            text NOT NULL,
    labels          float8[],
    grid_dims       int[],
    grid_size       int NOT NULL,
    predicate_sql   text[],
    batch           int NOT NULL,
    tau             int NOT NULL,
    l               float8 NOT NULL,
    delta           float8 NOT NULL,
    allocation      text NOT NULL,
    novelty_k       int NOT NULL,
    novelty_splits  int NOT NULL,
    scale           boolean NOT NULL,
    seed            bigint NOT NULL,
    predicate_names text[],             -- filled when the plan starts
    bought          int NOT NULL DEFAULT 0,
    rounds          int NOT NULL DEFAULT 0,
    budget_left     int NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    finished_at     timestamptz,
    message         text,
    validation      regclass,           -- curve: the validation table
    curve_model     text,               -- curve: the model of the learning curves
    fairness_lambda float8 NOT NULL DEFAULT 0,
    curve_points    int NOT NULL DEFAULT 5,
    curve_pooling   text NOT NULL DEFAULT 'auto',  -- curve: partial pooling of the curves
    separation      float8 NOT NULL DEFAULT 1,  -- SPS (1: the paper's; plans made before it existed)
    curve_min_exponent float8 NOT NULL DEFAULT 0, -- curve 'auto' (0: the t test alone, as plans before it)
    curve_hedge     float8 NOT NULL DEFAULT 0,  -- curve (0: the curves alone, as plans before it)
    fill_cap        float8 NOT NULL DEFAULT 0   -- EA 'fill' (0: no cap, as plans before it)
);
COMMENT ON TABLE acq.acquisition_plans IS
'one row per acquisition (acq.acquire, acq.submit_acquire): its parameters and how far it got';

CREATE TABLE acq.acquisition_rounds (
    plan_id         bigint NOT NULL REFERENCES acq.acquisition_plans (plan_id) ON DELETE CASCADE,
    round           int NOT NULL,
    owner           regrole NOT NULL DEFAULT pg_catalog.quote_ident(current_user)::pg_catalog.regrole,
    stage           text NOT NULL,      -- init, estimate, allocate, fill, sample, uniform, random, curve
    predicate       int NOT NULL,       -- 1-based index into the plan's predicate_names
    predicate_name  text NOT NULL,
    requested       int NOT NULL,
    received        int NOT NULL,
    utility         float8,             -- novelty of what was received (when measured)
    alpha           float8,             -- SPS: posterior Beta(alpha, beta) after the round
    beta            float8,
    estimate        float8,             -- EA: the predicate's utility estimate after the round
    budget_left     int NOT NULL,
    state           float8[] NOT NULL,  -- the planner's state after the round (resume)
    rng             bigint[] NOT NULL,  -- the strategy's random state after the round (resume)
    at              timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    curve           jsonb,              -- curve: the allocation round's fitted curves and allocation (its first query)
    PRIMARY KEY (plan_id, round)
);
COMMENT ON TABLE acq.acquisition_rounds IS
'the acquisition plan: one row per query (P, I), committed with the records it bought';

ALTER TABLE acq.acquisition_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE acq.acquisition_rounds ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_acquisition_plans ON acq.acquisition_plans FOR SELECT
    USING (pg_catalog.pg_has_role(current_user, owner, 'MEMBER')
           OR pg_catalog.pg_has_role(current_user, 'acq_admin', 'MEMBER'));
CREATE POLICY delete_ended_acquisition_plans ON acq.acquisition_plans FOR DELETE
    USING ((pg_catalog.pg_has_role(current_user, owner, 'MEMBER')
            OR pg_catalog.pg_has_role(current_user, 'acq_admin', 'MEMBER'))
           AND status IN ('succeeded', 'failed'));
CREATE POLICY own_acquisition_rounds ON acq.acquisition_rounds
    USING (pg_catalog.pg_has_role(current_user, owner, 'MEMBER')
           OR pg_catalog.pg_has_role(current_user, 'acq_admin', 'MEMBER'));
GRANT SELECT, DELETE ON acq.acquisition_plans, acq.acquisition_rounds TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('acq.acquisition_plans', '');
SELECT pg_catalog.pg_extension_config_dump('acq.acquisition_plans_plan_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('acq.acquisition_rounds', '');

-- a plan's status as it is now: a plan whose job's worker died is 'interrupted'
CREATE VIEW acq.acquisitions WITH (security_invoker = true) AS
SELECT p.plan_id, p.owner, p.job_id,
       CASE WHEN p.status = 'running' AND j.status IN ('failed', 'cancelled') THEN 'interrupted'
            ELSE p.status END AS status,
       p.strategy, p.predicates, p.consumer, p.provider, p.target, p.budget, p.bought,
       p.rounds, p.budget_left, p.predicate_names, p.created_at, p.finished_at,
       COALESCE(p.message, j.error_message) AS message
  FROM acq.acquisition_plans p
  LEFT JOIN acq.job_status j ON j.id = p.job_id;
COMMENT ON VIEW acq.acquisitions IS
'acquisition plans you may see; an interrupted one continues with acq.resume_acquire';
GRANT SELECT ON acq.acquisitions TO PUBLIC;

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
    batch           int     DEFAULT NULL,     -- 100, or the budget if smaller (curve: a quarter of it)
    tau             int     DEFAULT 1,
    l               float8  DEFAULT 0.01,
    delta           float8  DEFAULT 0.001,
    allocation      text    DEFAULT 'fill',     -- EA; 'linear': the paper's
    novelty_k       int     DEFAULT 1,
    novelty_splits  int     DEFAULT 50,
    scale           boolean DEFAULT true,
    seed            bigint  DEFAULT 0,
    validation      regclass DEFAULT NULL,  -- curve: the validation rows (same columns)
    model           text    DEFAULT NULL,   -- curve: acq.evaluate's model (NULL: the task's default)
    fairness_lambda float8  DEFAULT 0,      -- curve: weight of the loss disparity between predicates
    curve_points    int     DEFAULT 5,      -- curve: nested subsets per learning curve
    curve_pooling   text    DEFAULT 'auto', -- curve: 'auto' | 'none' (Slice Tuner's own curves) | 'full'
    separation      float8  DEFAULT 0.05,   -- SPS: level at which Thompson's choice must beat the
                                            --   least-bought predicate's novelty; 1: the paper's
    curve_min_exponent float8 DEFAULT 0.05, -- curve 'auto': least common exponent to follow the
                                            --   curves (below: equal counts); 0: t test alone
    curve_hedge     float8  DEFAULT 0.5,    -- curve: share of each round toward equal counts
                                            --   before the curves; 0: the curves alone
    fill_cap        float8  DEFAULT 4)      -- EA 'fill': a predicate counts as covered at most
                                            --   fill_cap times its held records; 0: no bound
RETURNS TABLE (plan_id bigint, bought int, rounds int, budget_left int,
               predicate_names text[], counts int[])
AS 'MODULE_PATHNAME', 'acq_acquire'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off;      -- acq's queries are simple scans: compiling them only costs
COMMENT ON FUNCTION acq.acquire IS
'buy up to budget records from provider into target, by EA, SPS, curve, uniform or random predicate queries; returns the plan''s summary';

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
    batch           int     DEFAULT NULL,     -- 100, or the budget if smaller (curve: a quarter of it)
    tau             int     DEFAULT 1,
    l               float8  DEFAULT 0.01,
    delta           float8  DEFAULT 0.001,
    allocation      text    DEFAULT 'fill',     -- EA; 'linear': the paper's
    novelty_k       int     DEFAULT 1,
    novelty_splits  int     DEFAULT 50,
    scale           boolean DEFAULT true,
    seed            bigint  DEFAULT 0,
    validation      regclass DEFAULT NULL,  -- curve: the validation rows (same columns)
    model           text    DEFAULT NULL,   -- curve: acq.evaluate's model (NULL: the task's default)
    fairness_lambda float8  DEFAULT 0,      -- curve: weight of the loss disparity between predicates
    curve_points    int     DEFAULT 5,      -- curve: nested subsets per learning curve
    curve_pooling   text    DEFAULT 'auto', -- curve: 'auto' | 'none' (Slice Tuner's own curves) | 'full'
    separation      float8  DEFAULT 0.05,   -- SPS: level at which Thompson's choice must beat the
                                            --   least-bought predicate's novelty; 1: the paper's
    curve_min_exponent float8 DEFAULT 0.05, -- curve 'auto': least common exponent to follow the
                                            --   curves (below: equal counts); 0: t test alone
    curve_hedge     float8  DEFAULT 0.5,    -- curve: share of each round toward equal counts
                                            --   before the curves; 0: the curves alone
    fill_cap        float8  DEFAULT 4)      -- EA 'fill': a predicate counts as covered at most
                                            --   fill_cap times its held records; 0: no bound
RETURNS bigint
AS 'MODULE_PATHNAME', 'acq_submit_acquire'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.submit_acquire IS
'acq.acquire as a background job that commits every round: returns the job id (acq.acquisitions shows its plan)';

CREATE FUNCTION acq.resume_acquire(plan_id bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'acq_resume_acquire'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.resume_acquire IS
'continue an interrupted or failed acquisition plan from its log, as a new background job; returns the job id';

CREATE FUNCTION acq.evaluate(
    train           regclass[],
    test            regclass,
    features        name,
    label           name,
    model           text    DEFAULT NULL,
    task            text    DEFAULT 'classification',
    k               int     DEFAULT 5,
    c               float8  DEFAULT 1.0,
    max_iter        int     DEFAULT 1000,
    tol             float8  DEFAULT 1e-4)
RETURNS TABLE (model text, n_train bigint, n_test bigint, accuracy float8, r2 float8)
AS 'MODULE_PATHNAME', 'acq_evaluate'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off;      -- acq's queries are simple scans: compiling them only costs
COMMENT ON FUNCTION acq.evaluate IS
'train a model (softmax or knn for classification, knn or linear for regression) on the union of train and score it on test';

CREATE FUNCTION acq.acquisition_curve(
    plan_id         bigint,
    test            regclass,
    budgets         int[],
    model           text    DEFAULT NULL,
    k               int     DEFAULT 5,
    c               float8  DEFAULT 1.0,
    max_iter        int     DEFAULT 1000,
    tol             float8  DEFAULT 1e-4)
RETURNS TABLE (budget int, n_train bigint, accuracy float8, r2 float8)
AS 'MODULE_PATHNAME', 'acq_acquisition_curve'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off;      -- acq's queries are simple scans: compiling them only costs
COMMENT ON FUNCTION acq.acquisition_curve IS
'accuracy or R2 of the model trained on the consumer plus the first b records a plan bought, for each b';

-- ---------------------------------------------------------------------------
-- Mycroft (docs/mycroft.md): a model trainer's hard examples, the k rows of
-- each data owner most useful for them, and the owners ranked by those rows.
-- ---------------------------------------------------------------------------

CREATE TYPE acq.hard_example AS (
    id          bigint,     -- the test row's id
    features    float8[],
    label       float8,     -- its true label
    predicted   float8,     -- what the model said
    shared      boolean     -- sent to the owners (true) or held back to judge them
);
COMMENT ON TYPE acq.hard_example IS 'a row of acq.hard_examples';

CREATE TYPE acq.owner_row AS (
    rank        int,        -- 1 = the most useful
    id          bigint,     -- the owner's row
    score       float8,     -- feature: distance to the nearest hard row; binning: binned distance
    weight      float8      -- omp, combined: the row's weight in the gradient match
);
COMMENT ON TYPE acq.owner_row IS 'a row of acq.mycroft_select';

CREATE FUNCTION acq.hard_examples(
    train           regclass,
    test            regclass,
    features        name,
    label           name,
    model           text    DEFAULT 'tree',     -- 'tree' | 'softmax' | 'knn'
    id              name    DEFAULT 'id',
    labels          float8[] DEFAULT NULL,      -- only test rows with these true labels
    share           float8  DEFAULT 0.5,        -- share of the misses sent to the owners
    max_depth       int     DEFAULT 0,          -- tree: 0 = unlimited
    min_samples_leaf int    DEFAULT 1,          -- tree
    criterion       text    DEFAULT 'gini',     -- tree: 'gini' | 'entropy'
    k               int     DEFAULT 5,          -- knn
    c               float8  DEFAULT 1.0,        -- softmax
    seed            bigint  DEFAULT 0)
RETURNS SETOF acq.hard_example
AS 'MODULE_PATHNAME', 'acq_hard_examples'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off;
COMMENT ON FUNCTION acq.hard_examples IS
'the test rows the model trained on train gets wrong, each shared with the owners or held back to judge them (seeded)';

CREATE FUNCTION acq.mycroft_select(
    owner           regclass,
    hard            regclass,
    id              name,
    features        name,
    label           name,
    k               int,
    method          text    DEFAULT 'feature',  -- 'feature' | 'binning' | 'omp' | 'combined' | 'random'
    same_label      boolean DEFAULT false,      -- compare only with hard rows of the same label
    sample_rate     float8  DEFAULT 0.1,        -- binning: share of the owner sampled to fit the bins
    min_bins        int     DEFAULT 6,          -- binning: non-empty bins a feature must reach
    bin_candidates  int[]   DEFAULT '{5,10,20,50,100,200}',  -- binning: bin counts tried, ascending
    bin_features    int[]   DEFAULT NULL,       -- binning: 1-based features (NULL: all)
    lambda          float8  DEFAULT 0.5,        -- omp: ridge on the weights (the authors' GradMatch value)
    tol             float8  DEFAULT 0,          -- omp: stop once the residual norm <= tol
    lambda2         float8  DEFAULT 1.0,        -- combined: weight of the feature-distance term
    gradients       name    DEFAULT NULL,       -- omp: a float8[] column of per-row gradients
    c               float8  DEFAULT 1.0,        -- omp: the owner's softmax regression's C
    seed            bigint  DEFAULT 0,
    hard_features   name    DEFAULT NULL,       -- hard's columns, if named otherwise
    hard_label      name    DEFAULT NULL)
RETURNS SETOF acq.owner_row
AS 'MODULE_PATHNAME', 'acq_mycroft_select'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off;
COMMENT ON FUNCTION acq.mycroft_select IS
'a data owner''s k rows most useful for the hard examples (run where the owner''s data is)';

CREATE FUNCTION acq.rank_owners(
    trainer         regclass,
    hard            regclass,
    held_out        regclass,
    owners          regclass[],
    features        name,
    label           name,
    k               int     DEFAULT 10,
    method          text    DEFAULT 'feature',
    same_label      boolean DEFAULT false,
    sample_rate     float8  DEFAULT 0.1,
    min_bins        int     DEFAULT 6,
    bin_candidates  int[]   DEFAULT '{5,10,20,50,100,200}',
    bin_features    int[]   DEFAULT NULL,
    lambda          float8  DEFAULT 0.5,
    tol             float8  DEFAULT 0,
    lambda2         float8  DEFAULT 1.0,
    gradients       name    DEFAULT NULL,
    c               float8  DEFAULT 1.0,
    model           text    DEFAULT 'tree',
    test            regclass DEFAULT NULL,
    id              name    DEFAULT 'id',
    positive        float8  DEFAULT NULL,       -- F1 of this label (NULL: macro F1 over the labels present)
    max_depth       int     DEFAULT 0,
    min_samples_leaf int    DEFAULT 1,
    criterion       text    DEFAULT 'gini',
    knn_k           int     DEFAULT 5,
    model_c         float8  DEFAULT 1.0,
    seed            bigint  DEFAULT 0)
RETURNS TABLE (rank int, owner regclass, shared int, accuracy_hard float8, f1_hard float8,
               accuracy_test float8, f1_test float8, missing_labels float8[])
AS 'MODULE_PATHNAME', 'acq_rank_owners'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off;
COMMENT ON FUNCTION acq.rank_owners IS
'rank data owners by how much their k rows improve the trainer''s model on held-back hard examples';

-- owner rankings as background jobs (docs/jobs.md)
CREATE TABLE acq.owner_rankings (
    job_id          bigint NOT NULL REFERENCES acq.jobs (id) ON DELETE CASCADE,
    owner           regrole NOT NULL DEFAULT pg_catalog.quote_ident(current_user)::pg_catalog.regrole,
    rank            int NOT NULL,
    data_owner      regclass NOT NULL,
    shared          int NOT NULL,
    accuracy_hard   float8,
    f1_hard         float8,
    accuracy_test   float8,
    f1_test         float8,
    missing_labels  float8[],
    PRIMARY KEY (job_id, rank)
);
COMMENT ON TABLE acq.owner_rankings IS 'the ranking an acq.submit_rank_owners job computed';
ALTER TABLE acq.owner_rankings ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_owner_rankings ON acq.owner_rankings
    USING (pg_catalog.pg_has_role(current_user, owner, 'MEMBER')
           OR pg_catalog.pg_has_role(current_user, 'acq_admin', 'MEMBER'));
GRANT SELECT, DELETE ON acq.owner_rankings TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('acq.owner_rankings', '');

CREATE FUNCTION acq.submit_rank_owners(
    trainer         regclass,
    hard            regclass,
    held_out        regclass,
    owners          regclass[],
    features        name,
    label           name,
    k               int     DEFAULT 10,
    method          text    DEFAULT 'feature',
    same_label      boolean DEFAULT false,
    sample_rate     float8  DEFAULT 0.1,
    min_bins        int     DEFAULT 6,
    bin_candidates  int[]   DEFAULT '{5,10,20,50,100,200}',
    bin_features    int[]   DEFAULT NULL,
    lambda          float8  DEFAULT 0.5,
    tol             float8  DEFAULT 0,
    lambda2         float8  DEFAULT 1.0,
    gradients       name    DEFAULT NULL,
    c               float8  DEFAULT 1.0,
    model           text    DEFAULT 'tree',
    test            regclass DEFAULT NULL,
    id              name    DEFAULT 'id',
    positive        float8  DEFAULT NULL,
    max_depth       int     DEFAULT 0,
    min_samples_leaf int    DEFAULT 1,
    criterion       text    DEFAULT 'gini',
    knn_k           int     DEFAULT 5,
    model_c         float8  DEFAULT 1.0,
    seed            bigint  DEFAULT 0)
RETURNS bigint
AS 'MODULE_PATHNAME', 'acq_submit_rank_owners'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.submit_rank_owners IS
'acq.rank_owners as a background job: returns the job id; the ranking lands in acq.owner_rankings';

-- Internal functions are acq's own: no role but the extension's owner may
-- call them (issue 18).  Everything else in schema acq is public API.
REVOKE ALL ON FUNCTION acq._worker_alive(int) FROM PUBLIC;

-- ---- per-source statistics as aggregates (issue 17, docs/scale-out.md) ----------
-- IMMUTABLE and PARALLEL SAFE with combine, serial and deserial functions: they run in
-- parallel workers, and postgres_fdw pushes them to a foreign partition's server when
-- that server's extensions option lists acq.
CREATE FUNCTION acq.linear_stats_step(internal, float8[], float8) RETURNS internal
AS 'MODULE_PATHNAME', 'acq_linear_stats_step' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION acq.linear_stats_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'acq_linear_stats_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION acq.linear_stats_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'acq_linear_stats_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION acq.linear_stats_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'acq_linear_stats_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION acq.linear_stats_final(internal) RETURNS float8[]
AS 'MODULE_PATHNAME', 'acq_linear_stats_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE acq.linear_stats(features float8[], label float8) (
    SFUNC = acq.linear_stats_step, STYPE = internal, FINALFUNC = acq.linear_stats_final,
    COMBINEFUNC = acq.linear_stats_combine, SERIALFUNC = acq.linear_stats_serial,
    DESERIALFUNC = acq.linear_stats_deserial, FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE);
COMMENT ON AGGREGATE acq.linear_stats(float8[], float8) IS
'the centred sufficient statistics of linear regression over the rows: {p, n, mean_y, C_yy, mean_x[p], C_xy[p], C_xx upper triangle}';

CREATE FUNCTION acq.logistic_terms_step(internal, float8[], float8, float8[]) RETURNS internal
AS 'MODULE_PATHNAME', 'acq_logistic_terms_step' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION acq.logistic_terms_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'acq_logistic_terms_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION acq.logistic_terms_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'acq_logistic_terms_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION acq.logistic_terms_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'acq_logistic_terms_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION acq.logistic_terms_final(internal) RETURNS float8[]
AS 'MODULE_PATHNAME', 'acq_logistic_terms_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE acq.logistic_terms(features float8[], label float8, weights float8[]) (
    SFUNC = acq.logistic_terms_step, STYPE = internal, FINALFUNC = acq.logistic_terms_final,
    COMBINEFUNC = acq.logistic_terms_combine, SERIALFUNC = acq.logistic_terms_serial,
    DESERIALFUNC = acq.logistic_terms_deserial, FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE);
COMMENT ON AGGREGATE acq.logistic_terms(float8[], float8, float8[]) IS
'the log-loss, gradient and X^T W X of the rows at K weight vectors (weights: K vectors of features + 1, end to end): {p, K, n, loss[K], gradient[K (p+1)], hessians[K, upper triangles]}';
