-- acq: which outside data is worth having.
\echo Use "CREATE EXTENSION acq" to load this file. \quit

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
