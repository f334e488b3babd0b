-- acq 0.1.0 -> 0.2.0.  No table changes: every job, plan, round and ranking
-- is kept as it is.
--  * A running job's progress is read as a number from the worker's backend
--    status (acq.job_live), not parsed back out of its pg_stat_activity text.
--  * acq.job_wait refuses a NULL timeout.
--  * Internal functions are no longer callable by PUBLIC (issue 18): the
--    submit functions, acq.job_wait, acq.cancel and acq.resume_acquire are C
--    functions that check and queue a job themselves; acq._enqueue, _kick,
--    _cancel, _job_dead, the _check_* family and _create_acquisition_plan are
--    gone; acq._worker_alive stays, for acq's own code only.
--  * The acquisition functions take their target as text, and EA's allocation
--    defaults to 'mixed' (issue 15; docs/acquisition.md), below.
--  * acq.select_sources and acq.submit_select_sources take tie_break
--    (issue 14): how the search compares equal profits, and restarts:
--    SourceSplice's random restarts from the best set seen.
\echo Use "ALTER EXTENSION acq UPDATE TO '0.2.0'" to load this file. \quit

CREATE FUNCTION acq.job_live(job bigint, OUT dead boolean, OUT progress float8)
AS 'MODULE_PATHNAME', 'acq_job_live'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.job_live IS
'for a running job you can see: whether its worker is gone (killed, crash, restart) and the progress it reports live; (false, NULL) otherwise';

CREATE OR REPLACE VIEW acq.job_status WITH (security_invoker = true) AS
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

DROP FUNCTION acq._job_dead(bigint, int, timestamptz);

-- tie_break and restarts (issue 14): acq.select_sources and
-- acq.submit_select_sources take a 24th and a 25th argument, so both are
-- dropped and created again.
DROP FUNCTION acq.select_sources(regclass, regclass, name, name, text, text, name, name, text, float8, jsonb, int, float8, float8, int, int, int, int, int, float8, float8, bigint, float8);
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

DROP FUNCTION acq.submit_select_sources(regclass, regclass, name, name, text, text, name, name, text, float8, jsonb, int, float8, float8, int, int, int, int, int, float8, float8, bigint, float8);
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

CREATE OR REPLACE FUNCTION acq.job_wait(job bigint, timeout interval DEFAULT '1 hour')
RETURNS text
AS 'MODULE_PATHNAME', 'acq_job_wait'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.job_wait IS 'wait until a job ends (or timeout passes); returns its status';

CREATE OR REPLACE FUNCTION acq.cancel(job bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'acq_cancel_job'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.cancel IS 'cancel a queued or running job; its worker stops within a second';

CREATE OR REPLACE FUNCTION acq.resume_acquire(plan_id bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'acq_resume_acquire'
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION acq.resume_acquire IS
'continue an interrupted or failed acquisition plan from its log, as a new background job; returns the job id';

CREATE OR REPLACE FUNCTION acq.submit_rank_owners(
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

-- strategy => 'curve' (learning curves per predicate, issue 15): its
-- parameters in the plan, each allocation round's fits in the log.
ALTER TABLE acq.acquisition_plans
    ADD COLUMN validation      regclass,
    ADD COLUMN curve_model     text,
    ADD COLUMN fairness_lambda float8 NOT NULL DEFAULT 0,
    ADD COLUMN curve_points    int NOT NULL DEFAULT 5,
    ADD COLUMN curve_pooling   text NOT NULL DEFAULT 'auto',
    -- SPS's coverage rule (issue 15): 1 is the paper's SPS, which every plan before it ran
    ADD COLUMN separation      float8 NOT NULL DEFAULT 1,
    -- curve 'auto''s least common exponent (issue 15): 0 is the t test alone, which every plan before it ran
    ADD COLUMN curve_min_exponent float8 NOT NULL DEFAULT 0,
    -- curve's hedge toward equal counts (issue 15): 0 is the curves alone, as every plan before it
    ADD COLUMN curve_hedge     float8 NOT NULL DEFAULT 0,
    -- EA 'fill''s cap on how covered a predicate of few held records counts (issue 15, session 29):
    -- 0 is no cap, as every plan before it
    ADD COLUMN fill_cap        float8 NOT NULL DEFAULT 0;
ALTER TABLE acq.acquisition_rounds ADD COLUMN curve jsonb;

-- The acquisition functions' target is text, parsed as [schema.]table (each
-- part at most 63 bytes, an error rather than a truncated name: as name, a
-- longer target was cut to 63 bytes before acq saw it, and acq created a
-- table named other than asked).  An argument's type is part of the
-- signature: drop the old functions and create the new ones.  Nothing depends
-- on them in acq; an object of yours that does (a view calling acq.acquire)
-- stops the update: drop it, update, and create it again.
DROP FUNCTION acq.acquire(regclass, regclass, name, name, name, int, text, text, name, text, float8[], int[], int, text[], int, int, float8, float8, text, int, int, boolean, bigint);
DROP FUNCTION acq.submit_acquire(regclass, regclass, name, name, name, int, text, text, name, text, float8[], int[], int, text[], int, int, float8, float8, text, int, int, boolean, bigint);

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

DROP FUNCTION acq._enqueue(text, jsonb);
DROP FUNCTION acq._kick();
DROP FUNCTION acq._cancel(bigint);
DROP FUNCTION acq._check_select_sources(regclass, regclass, name, name, text, text, name, name, text,
    float8, jsonb, int, float8, float8, int, int, int, int, int, float8, float8, bigint, float8);
DROP FUNCTION acq._check_acquire(regclass, regclass, name, name, name, int, text, text, name, text,
    float8[], int[], int, text[], int, int, float8, float8, text, int, int, boolean, bigint);
DROP FUNCTION acq._create_acquisition_plan(regclass, regclass, name, name, name, int, text, text, name,
    text, float8[], int[], int, text[], int, int, float8, float8, text, int, int, boolean, bigint, bigint);
DROP FUNCTION acq._check_rank_owners(regclass, regclass, regclass, regclass[], name, name, int, text,
    boolean, float8, int, int[], int[], float8, float8, float8, name, float8, text, regclass, name,
    float8, int, int, text, int, float8, bigint);

COMMENT ON FUNCTION acq._worker_alive IS 'is pid a running acq job worker (read from shared memory, live); internal';
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
