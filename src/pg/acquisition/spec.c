/*
 * spec.c -- a plan's parameters (AcqSpec) from the SQL arguments of
 * acq.acquire, acq._check_acquire and acq._create_acquisition_plan, and
 * their checks: the ranges that need no data, the columns of consumer and
 * provider, the right to read them, and the target's shape when it exists.
 * A target that does not exist is created here.
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/varlena.h"

#include "pg/acquisition/acquisition.h"

const AcqOption acquisition_strategies[] = {
	{"sps", ACQ_STRATEGY_SPS},
	{"ea", ACQ_STRATEGY_EA},
	{"uniform", ACQ_STRATEGY_UNIFORM},
	{"random", ACQ_STRATEGY_RANDOM},
	{"curve", ACQ_STRATEGY_CURVE},
	{NULL, 0}
};

const AcqOption acquisition_predicate_kinds[] = {
	{"label", PRED_LABEL},
	{"grid", PRED_GRID},
	{"sql", PRED_SQL},
	{NULL, 0}
};

const AcqOption acquisition_tasks[] = {
	{"classification", false},
	{"regression", true},
	{NULL, 0}
};

const AcqOption acquisition_allocations[] = {
	{"linear", ACQ_ALLOCATION_LINEAR},
	{"sqrt", ACQ_ALLOCATION_SQRT},
	{"mixed", ACQ_ALLOCATION_MIXED},
	{"fill", ACQ_ALLOCATION_FILL},
	{NULL, 0}
};

const AcqOption acquisition_curve_poolings[] = {
	{"none", ACQ_CURVE_POOL_NONE},
	{"auto", ACQ_CURVE_POOL_AUTO},
	{"full", ACQ_CURVE_POOL_FULL},
	{NULL, 0}
};

#define ID_HINT "acq identifies records by an integer id shared by consumer and provider."

static void check_spec_values(AcqSpec *s);
static Oid	check_target(const AcqSpec *s);
static void check_sql_predicates(const AcqSpec *s, Oid target);
static void check_validation(const AcqSpec *s);

void
acquisition_param_error(const char *msg, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s", msg),
			 hint ? errhint("%s", hint) : 0));
}

/* the SQL arguments of acq.acquire / acq._check_acquire, checked */
void
acquisition_spec_from_args(FunctionCallInfo fcinfo, AcqSpec *s)
{
	char	   *strategy,
			   *predicates,
			   *task,
			   *allocation;

	memset(s, 0, sizeof(*s));
	s->consumer = acq_arg_regclass(fcinfo, 0, "consumer");
	s->provider = acq_arg_regclass(fcinfo, 1, "provider");
	s->target_name = acq_arg_qualified_name(fcinfo, 2, "target");
	s->features = acq_arg_name(fcinfo, 3, "features", true);
	s->label = acq_arg_name(fcinfo, 4, "label", true);
	acq_arg_require(fcinfo, 5, "budget");
	s->budget = PG_GETARG_INT32(5);
	strategy = acq_arg_text(fcinfo, 6, "strategy", true);
	predicates = acq_arg_text(fcinfo, 7, "predicates", true);
	s->id = acq_arg_name(fcinfo, 8, "id", true);
	task = acq_arg_text(fcinfo, 9, "task", true);
	if (!PG_ARGISNULL(10))
		s->labels = acq_float8_array_arg(PG_GETARG_ARRAYTYPE_P(10), &s->nlabels, "labels");
	if (!PG_ARGISNULL(11))
		s->grid_dims = acq_int4_array_arg(PG_GETARG_ARRAYTYPE_P(11), &s->ngrid, "grid_dims");
	acq_arg_require(fcinfo, 12, "grid_size");
	s->grid_size = PG_GETARG_INT32(12);
	if (!PG_ARGISNULL(13))
		s->sql = acq_text_array_arg(PG_GETARG_ARRAYTYPE_P(13), &s->nsql, "predicate_sql");
	/* batch NULL: 100, or the budget if smaller (curve: a quarter of the budget, below) */
	s->batch = PG_ARGISNULL(14) ? Min(100, Max(s->budget, 1)) : PG_GETARG_INT32(14);
	acq_arg_require(fcinfo, 15, "tau");
	s->tau = PG_GETARG_INT32(15);
	acq_arg_require(fcinfo, 16, "l");
	s->l = PG_GETARG_FLOAT8(16);
	acq_arg_require(fcinfo, 17, "delta");
	s->delta = PG_GETARG_FLOAT8(17);
	allocation = acq_arg_text(fcinfo, 18, "allocation", true);
	acq_arg_require(fcinfo, 19, "novelty_k");
	s->novelty_k = PG_GETARG_INT32(19);
	acq_arg_require(fcinfo, 20, "novelty_splits");
	s->novelty_splits = PG_GETARG_INT32(20);
	acq_arg_require(fcinfo, 21, "scale");
	s->scale = PG_GETARG_BOOL(21);
	acq_arg_require(fcinfo, 22, "seed");
	s->seed = PG_GETARG_INT64(22);
	/*
	 * The arguments 0.2.0 added (curve's, separation, fill_cap): 0.1.0's
	 * internal functions pass only the first 23, and get the behaviour of
	 * 0.1.0 -- the paper's SPS, curve's rules before their parameters
	 * existed, EA 'fill' without the cap
	 */
	s->curve_points = 5;
	s->curve_pooling = ACQ_CURVE_POOL_AUTO;
	s->separation = 1.0;
	s->curve_min_exponent = 0.0;
	s->curve_hedge = 0.0;
	s->fill_cap = 0.0;
	if (PG_NARGS() >= ACQUISITION_NARGS)
	{
		if (!PG_ARGISNULL(23))
			s->validation = acq_arg_regclass(fcinfo, 23, "validation");
		if (!PG_ARGISNULL(24))
			s->model = acq_arg_text(fcinfo, 24, "model", true);
		acq_arg_require(fcinfo, 25, "fairness_lambda");
		s->fairness_lambda = PG_GETARG_FLOAT8(25);
		acq_arg_require(fcinfo, 26, "curve_points");
		s->curve_points = PG_GETARG_INT32(26);
		s->curve_pooling = acq_parse_option(acquisition_curve_poolings,
											acq_arg_text(fcinfo, 27, "curve_pooling", true),
											"curve_pooling",
											"Use 'auto' (empirical-Bayes weights), 'none' (each predicate's own curve, as Slice Tuner) or 'full' (one common curve: equal counts).");
		acq_arg_require(fcinfo, 28, "separation");
		s->separation = PG_GETARG_FLOAT8(28);
		acq_arg_require(fcinfo, 29, "curve_min_exponent");
		s->curve_min_exponent = PG_GETARG_FLOAT8(29);
		acq_arg_require(fcinfo, 30, "curve_hedge");
		s->curve_hedge = PG_GETARG_FLOAT8(30);
		acq_arg_require(fcinfo, 31, "fill_cap");
		s->fill_cap = PG_GETARG_FLOAT8(31);
	}

	s->strategy = acq_parse_option(acquisition_strategies, strategy, "strategy",
								   "Use 'sps', 'ea', 'uniform', 'random' or 'curve'.");
	/* curve: NULL batch is a quarter of the budget (four allocation rounds) */
	if (s->strategy == ACQ_STRATEGY_CURVE && PG_ARGISNULL(14))
		s->batch = Max((s->budget + 3) / 4, 1);
	s->kind = acq_parse_option(acquisition_predicate_kinds, predicates, "predicates",
							   "Use 'label' (one predicate per class label), 'grid' (equal-width cells over grid_dims) or 'sql' (the expressions in predicate_sql).");
	s->regression = acq_parse_option(acquisition_tasks, task, "task",
									 "Use 'classification' or 'regression' (the label is then appended to the vectors novelty compares).");
	s->allocation = acq_parse_option(acquisition_allocations, allocation, "allocation",
									 "Use 'fill', 'mixed', 'linear' or 'sqrt'.");
}

/* ranges that need no data */
static void
check_spec_values(AcqSpec *s)
{
	if (s->budget <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget must be positive, not %d", s->budget),
				 errhint("The budget is the number of records to buy.")));
	if (s->batch <= 0 || s->batch > s->budget)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("batch must be between 1 and the budget (%d), not %d", s->budget, s->batch),
				 errhint("batch is I_Delta, the records one SPS query (or one uniform/random round, or one curve allocation round) asks for.")));
	if (s->tau < 1 || s->tau > 1000)
		acquisition_param_error(psprintf("tau must be between 1 and 1000, not %d", s->tau),
								"tau is the number of recent queries per predicate whose rewards SPS remembers.");
	if (!(s->l > 0.0 && s->l <= 1.0))
		acquisition_param_error(psprintf("l must be in (0, 1], not %g", s->l),
								"l is the share of each predicate's records EA buys to start its estimates.");
	if (!(s->delta > 0.0 && s->delta < 1.0))
		acquisition_param_error(psprintf("delta must be in (0, 1), not %g", s->delta),
								"delta is EA's significance level for its error bounds.");
	if (!(s->separation > 0.0 && s->separation <= 1.0))
		acquisition_param_error(psprintf("separation must be in (0, 1], not %g", s->separation),
								"separation is the level at which SPS's Thompson choice must beat the least-bought predicate's novelty; 1 is the paper's SPS.");
	if (!(s->curve_min_exponent >= 0.0 && s->curve_min_exponent <= ACQ_CURVE_MAX_EXPONENT))
		acquisition_param_error(psprintf("curve_min_exponent must be in [0, %g], not %g",
										 ACQ_CURVE_MAX_EXPONENT, s->curve_min_exponent),
								"curve_min_exponent is the least common exponent a0 of the learning curves (loss ~ n^-a0) at which curve_pooling => 'auto' follows them; below it, equal counts. 0: the t test alone.");
	if (!(s->curve_hedge >= 0.0 && s->curve_hedge <= 1.0))
		acquisition_param_error(psprintf("curve_hedge must be in [0, 1], not %g", s->curve_hedge),
								"curve_hedge is the share of each curve allocation round given to the predicates with the fewest records (toward equal counts) before the curves allocate the rest; 0: the curves alone.");
	if (!(s->fill_cap >= 0.0 && s->fill_cap <= ACQ_EA_MAX_FILL_CAP))
		acquisition_param_error(psprintf("fill_cap must be in [0, %g], not %g", ACQ_EA_MAX_FILL_CAP, s->fill_cap),
								"fill_cap bounds how covered EA's 'fill' allocation may take a predicate to be: at most fill_cap times the records held for it. 0: no bound (acq before this parameter).");
	if (s->novelty_k < 1 || s->novelty_k > 100)
		acquisition_param_error(psprintf("novelty_k must be between 1 and 100, not %d", s->novelty_k), NULL);
	if (s->novelty_splits < 1 || s->novelty_splits > 10000)
		acquisition_param_error(psprintf("novelty_splits must be between 1 and 10000, not %d", s->novelty_splits), NULL);
	if (s->kind == PRED_GRID)
	{
		if (s->grid_size < 1 || s->grid_size > 64)
			acquisition_param_error(psprintf("grid_size must be between 1 and 64, not %d", s->grid_size),
									"grid_size is the number of equal-width cells per grid dimension.");
		if (s->ngrid < 1 && s->grid_dims != NULL)
			acquisition_param_error("grid_dims must not be empty", NULL);
		if (s->ngrid > 64)
			acquisition_param_error(psprintf("grid_dims names %d dimensions, more than 64", s->ngrid),
									"A grid spans at most 64 feature dimensions.");
		for (int i = 0; i < s->ngrid; i++)
		{
			if (s->grid_dims[i] < 1)
				acquisition_param_error(psprintf("grid_dims must hold 1-based feature dimensions, not %d", s->grid_dims[i]), NULL);
			for (int j = 0; j < i; j++)
				if (s->grid_dims[j] == s->grid_dims[i])
					acquisition_param_error(psprintf("grid_dims names dimension %d twice", s->grid_dims[i]), NULL);
		}
	}
	if (s->kind == PRED_SQL)
	{
		if (s->nsql < 1)
			acquisition_param_error("predicates => 'sql' needs predicate_sql", "Pass predicate_sql => ARRAY['<boolean SQL expression>', ...].");
		if (s->nsql > MAX_SQL_PREDICATES)
			acquisition_param_error(psprintf("at most %d SQL predicates are supported, not %d", MAX_SQL_PREDICATES, s->nsql), NULL);
	}
	if (s->kind == PRED_LABEL && s->regression)
		acquisition_param_error("label predicates need task => 'classification'",
								"For a regression target use predicates => 'grid' or 'sql'.");
	acquisition_check_curve_values(s);
}

/* curve's parameters, and the model's name resolved (NULL: the task's default) */
void
acquisition_check_curve_values(AcqSpec *s)
{
	if (s->strategy != ACQ_STRATEGY_CURVE)
	{
		if (OidIsValid(s->validation) || s->model)
			acquisition_param_error(psprintf("%s is used only by strategy => 'curve'",
											 OidIsValid(s->validation) ? "validation" : "model"),
									"Leave validation and model out, or use strategy => 'curve'.");
		return;
	}
	if (!OidIsValid(s->validation))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("strategy => 'curve' needs a validation table"),
				 errdetail("The learning curves are the model's loss on each predicate's validation rows."),
				 errhint("Pass validation => '<table>' with the consumer's id, features and label columns, holding rows of every predicate.")));
	if (s->model == NULL)
		s->model = pstrdup(s->regression ? "knn" : "softmax");
	if (s->regression ? (strcmp(s->model, "knn") != 0 && strcmp(s->model, "linear") != 0) :
		(strcmp(s->model, "softmax") != 0 && strcmp(s->model, "knn") != 0))
		acquisition_param_error(psprintf("model \"%s\" is not a %s model", s->model,
										 s->regression ? "regression" : "classification"),
								s->regression ? "Regression: 'knn' (default) or 'linear'." :
								"Classification: 'softmax' (default) or 'knn'.");
	if (!(s->fairness_lambda >= 0.0) || isinf(s->fairness_lambda))
		acquisition_param_error(psprintf("fairness_lambda must be finite and >= 0, not %g", s->fairness_lambda),
								"fairness_lambda weighs the loss disparity between predicates against the total loss (0: none).");
	if (s->curve_points < 2 || s->curve_points > CURVE_MAX_POINTS)
		acquisition_param_error(psprintf("curve_points must be between 2 and %d, not %d", CURVE_MAX_POINTS, s->curve_points),
								"curve_points is the number of nested subsets the model is trained on to fit each learning curve.");
}

/* the validation table: the consumer's columns, readable, not the provider */
static void
check_validation(const AcqSpec *s)
{
	acq_check_relkind(s->validation, "validation", ACQ_REL_READABLE);
	if (s->validation == s->provider)
		acquisition_param_error("validation must be a table other than the provider",
								"Validation rows judge the model; the provider's are for sale.");
	acq_check_integer_column(s->validation, s->id, "id", ID_HINT);
	acq_check_array_column(s->validation, s->features, "features", NULL);
	acq_check_numeric_column(s->validation, s->label, "label", NULL);
	acq_check_select(s->validation, "acq reads the validation table with your rights.");
}

/* the target if it exists (its shape checked), else InvalidOid */
static Oid
check_target(const AcqSpec *s)
{
	RangeVar   *rv = makeRangeVarFromNameList(s->target_name);
	Oid			rel;
	static const char *cols[] = {"plan_id", "round"};
	static const Oid types[] = {INT8OID, INT4OID};

	if (rv->schemaname == NULL)
		rv->schemaname = get_namespace_name(get_rel_namespace(s->consumer));
	rel = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(rel))
		return InvalidOid;
	if (rel == s->provider || rel == s->consumer)
		acquisition_param_error("target must be a table other than the consumer and the provider",
								"Bought records go to a table of their own; the consumer's model then trains on consumer and target.");
	acq_check_relkind(rel, "target", ACQ_REL_TABLE);
	PG_TRY();
	{
		acq_check_integer_column(rel, s->id, "id", ID_HINT);
		acq_check_array_column(rel, s->features, "features", NULL);
		acq_check_numeric_column(rel, s->label, "label", NULL);
		for (int i = 0; i < 2; i++)
			if (acq_column_type(rel, cols[i], "target") != types[i])
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" must be %s", cols[i], format_type_be(types[i]))));
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(CurTransactionContext);
		e = CopyErrorData();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("target %s exists with another shape", acq_rel_display_name(rel)),
				 errdetail("%s", e->message),
				 errhint("A target needs the provider's id (integer), features (float8[]) and label (numeric) columns, plan_id (bigint) and round (int); name a new table and acq creates it.")));
	}
	PG_END_TRY();
	if (pg_class_aclcheck(rel, GetUserId(), ACL_SELECT | ACL_INSERT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", get_rel_name(rel)),
				 errhint("acq reads the target and inserts the records it buys with your rights.")));
	return rel;
}

void
acquisition_check_read_rights(const AcqSpec *s)
{
	acq_check_select(s->consumer, "acq reads the consumer's table with your rights.");
	acq_check_select(s->provider, "acq reads the provider's table with your rights.");
}

/*
 * The target holds the id, features and label columns under their own
 * names, beside plan_id and round: the names must differ (else CREATE
 * TABLE's raw "specified more than once").
 */
static void
check_distinct_columns(const AcqSpec *s)
{
	const char *args[] = {"id", "features", "label"};
	const char *cols[] = {s->id, s->features, s->label};

	for (int i = 0; i < 3; i++)
	{
		for (int j = i + 1; j < 3; j++)
			if (strcmp(cols[i], cols[j]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s and %s both name column \"%s\"", args[i], args[j], cols[i]),
						 errhint("The id, features and label arguments name three different columns of the consumer and the provider.")));
		if (strcmp(cols[i], "plan_id") == 0 || strcmp(cols[i], "round") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s names column \"%s\", which the target keeps for itself", args[i], cols[i]),
					 errhint("The target's plan_id and round columns record which plan and round bought a record; rename the column.")));
	}
}

Oid
acquisition_check_spec(AcqSpec *s)
{
	Oid			target;

	check_spec_values(s);
	check_distinct_columns(s);
	acq_check_integer_column(s->consumer, s->id, "id", ID_HINT);
	acq_check_integer_column(s->provider, s->id, "id", ID_HINT);
	acq_check_array_column(s->consumer, s->features, "features", NULL);
	acq_check_array_column(s->provider, s->features, "features", NULL);
	acq_check_numeric_column(s->consumer, s->label, "label", NULL);
	acq_check_numeric_column(s->provider, s->label, "label", NULL);
	acquisition_check_read_rights(s);
	if (s->consumer == s->provider)
		acquisition_param_error("consumer and provider must be different tables", NULL);
	if (s->strategy == ACQ_STRATEGY_CURVE)
		check_validation(s);
	target = check_target(s);
	if (s->kind == PRED_SQL)
		check_sql_predicates(s, target);
	return target;
}

/*
 * predicate_sql[i] as a column of a query over from (a table, or the
 * target's columns while it does not exist): planned, not run.  An error --
 * a column the table lacks, a syntax error, not a boolean -- is raised again
 * naming the argument, the table and its columns, not from acq's own query.
 */
static void
check_sql_predicate(const AcqSpec *s, int i, const char *from, const char *role,
					const char *table, const char *columns)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		char	   *sql = psprintf("SELECT COALESCE((%s)::pg_catalog.bool, false) FROM %s",
								   s->sql[i], from);

		(void) acq_spi_prepare(sql, 0, NULL, "checking predicate_sql");
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		FlushErrorState();
		/* a cancel, a lack of memory: not the predicate's fault */
		if (ERRCODE_TO_CATEGORY(e->sqlerrcode) != ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION &&
			ERRCODE_TO_CATEGORY(e->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			ReThrowError(e);
		ereport(ERROR,
				(errcode(e->sqlerrcode),
				 errmsg("predicate_sql[%d] cannot be evaluated on the %s %s: %s",
						i + 1, role, table, e->message),
				 errdetail("predicate_sql[%d] is \"%s\"; %s has the columns %s.",
						   i + 1, s->sql[i], table, columns),
				 strcmp(role, "validation") == 0 ?
				 errhint("strategy => 'curve' assigns the validation rows to the predicates as the provider's: use only columns the validation table shares with consumer, provider and target.") :
				 errhint("acq evaluates every predicate on the consumer's, the provider's and the target's rows: use only columns the three share (a target acq creates has the id, features and label columns, plan_id and round).")));
	}
	PG_END_TRY();
}

static void
check_sql_predicates(const AcqSpec *s, Oid target)
{
	const Oid	rels[] = {s->consumer, s->provider, target, s->validation};
	const char *roles[] = {"consumer", "provider", "target", "validation"};

	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	for (int t = 0; t < 4; t++)
	{
		char	   *from,
				   *table,
				   *columns;

		if (t == 3 && !OidIsValid(rels[t]))
			break;				/* no validation table (not curve) */
		if (OidIsValid(rels[t]))
		{
			from = table = acq_rel_display_name(rels[t]);
			columns = acq_rel_column_list(rels[t]);
		}
		else
		{
			/* the target acq will create (acquisition_create_target), as a row */
			RangeVar   *rv = makeRangeVarFromNameList(s->target_name);

			table = psprintf("%s (to be created)", quote_qualified_identifier(rv->schemaname ? rv->schemaname :
																			  get_namespace_name(get_rel_namespace(s->consumer)),
																			  rv->relname));
			columns = psprintf("%s, %s, %s, plan_id, round", quote_identifier(s->id),
							   quote_identifier(s->features), quote_identifier(s->label));
			from = psprintf("(SELECT NULL::%s AS %s, NULL::pg_catalog.float8[] AS %s, NULL::%s AS %s,"
							" NULL::pg_catalog.int8 AS plan_id, NULL::pg_catalog.int4 AS round) AS %s",
							format_type_be_qualified(acq_column_type(s->provider, s->id, "id")),
							quote_identifier(s->id), quote_identifier(s->features),
							format_type_be_qualified(acq_column_type(s->provider, s->label, "label")),
							quote_identifier(s->label), quote_identifier(rv->relname));
		}
		for (int i = 0; i < s->nsql; i++)
			check_sql_predicate(s, i, from, roles[t], table, columns);
	}
	SPI_finish();
}

/* the target, created with the caller's rights (it does not exist) */
Oid
acquisition_create_target(const AcqSpec *s)
{
	RangeVar   *rv = makeRangeVarFromNameList(s->target_name);
	char	   *schema = rv->schemaname ? rv->schemaname :
		get_namespace_name(get_rel_namespace(s->consumer));
	char	   *qname = quote_qualified_identifier(schema, rv->relname);
	Oid			idtype = acq_column_type(s->provider, s->id, "id");
	Oid			labeltype = acq_column_type(s->provider, s->label, "label");
	char	   *sql;
	Oid			rel;

	sql = psprintf("CREATE TABLE %s (%s %s PRIMARY KEY, %s pg_catalog.float8[] NOT NULL,"
				   " %s %s NOT NULL, plan_id pg_catalog.int8 NOT NULL, round pg_catalog.int4 NOT NULL)",
				   qname, quote_identifier(s->id), format_type_be_qualified(idtype),
				   quote_identifier(s->features), quote_identifier(s->label),
				   format_type_be_qualified(labeltype));
	acq_spi_check(SPI_execute(sql, false, 0), SPI_OK_UTILITY, "creating the target");
	CommandCounterIncrement();
	rv->schemaname = schema;
	rel = RangeVarGetRelid(rv, NoLock, false);
	return rel;
}
