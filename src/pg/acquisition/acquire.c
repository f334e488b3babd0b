/*
 * acquire.c -- acq.acquire, acq.submit_acquire's job and acq.resume_acquire:
 * buying records from a provider through predicate queries.
 *
 * A plan is a row of acq.acquisition_plans holding every parameter; its
 * rounds (one per query (P, I)) are rows of acq.acquisition_rounds.  A run:
 *
 *   set-up   one read of the consumer, the target (records bought before)
 *            and the provider: checks every row, assigns provider rows to
 *            predicates and keeps, in id order, per predicate, the row
 *            numbers of what is for sale (the features of the pool are not
 *            kept);
 *   rounds   the planner (src/core/planner.c) names (P, I); I row numbers
 *            are drawn at random without replacement from P's pool (a
 *            partial Fisher-Yates shuffle: O(I) per query, whatever the pool
 *            size), bought by one INSERT ... SELECT ... WHERE id = ANY(...)
 *            (or ctid = ANY(...), see tid_is_stable) RETURNING, which
 *            charges only for the rows that come back;
 *            their novelty is measured when the planner wants it; the round
 *            and the planner's state are logged.
 *
 * acq.acquire runs every round in the caller's transaction: all or nothing.
 * A background job commits each round (its records, its log row and the
 * plan's counters together), so a job that dies leaves a consistent prefix;
 * acq.resume_acquire continues it from the log: the planner's state and the
 * strategy's random state are restored from the last round, and everything
 * already in the target counts as held.  The target's primary key on the
 * provider id makes buying a record twice impossible.
 *
 * The user's tables are read and written with the caller's rights; the
 * catalog is written as the extension owner (acq_elevate), for the plan of
 * the role that runs it.
 */
#include "postgres.h"


#include <math.h>

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "pg/acquisition/acquisition.h"
#include "core/vecmath.h"
#include "core/planner.h"
#include "core/distance.h"
#include "core/novelty.h"

PG_FUNCTION_INFO_V1(acq_acquire);
PG_FUNCTION_INFO_V1(acq_check_acquire);

#define MAX_SQL_PREDICATES 64
#define MAX_PREDICATES 4096

/* the records for sale by predicate, draws, novelty vectors (src/core/pool.c) */
#include "core/pool.h"

typedef enum PredKind
{
	PRED_LABEL,
	PRED_GRID,
	PRED_SQL
} PredKind;

/* the parameters of a plan (a row of acq.acquisition_plans) */
typedef struct AcqSpec
{
	Oid			consumer;
	Oid			provider;
	Oid			target;			/* InvalidOid until created */
	List	   *target_name;	/* qualified name list, as given */
	char	   *features;
	char	   *label;
	char	   *id;
	int			budget;
	AcqStrategy strategy;
	PredKind	kind;
	bool		regression;
	int			nlabels;
	double	   *labels;
	int			ngrid;
	int		   *grid_dims;		/* 1-based */
	int			grid_size;
	int			nsql;
	char	  **sql;
	int			batch;
	int			tau;
	double		l;
	double		delta;
	AcqAllocation allocation;
	int			novelty_k;
	int			novelty_splits;
	bool		scale;
	int64		seed;
} AcqSpec;

/* a growing row-major matrix of novelty vectors */
typedef struct Mat
{
	double	   *x;
	float	   *xf;				/* mirror: x rounded to float (novelty's screen) */
	bool		mirror;			/* keep xf */
	double	   *nrm;			/* squared norms of the rows */
	int64		n;
	int64		cap;
	int64		want;			/* rows counted before a reserve (set-up) */
	int			d;
} Mat;

/* a predicate: its name and novelty's sets (its pool: run->pool->preds) */
typedef struct Pred
{
	char	   *name;
	Mat			held;			/* novelty vectors held for P (SPS: and bought through P) */
	Mat			bought;			/* EA: novelty vectors bought through P by this plan */
	AcqNoveltyCache bought_near;	/* EA: each bought row's nearest held distances */
} Pred;

/* a running acquisition */
typedef struct Run
{
	AcqSpec		s;
	int64		plan_id;
	MemoryContext cxt;			/* everything below; outlives the worker's transactions */
	int			d;				/* feature dimensions */
	int			nd;				/* novelty dimensions (d, +1 for regression) */
	AcqScaling	scaling;		/* novelty vectors, scaled to the held records' ranges */
	AcqGrid		grid;			/* grid predicates: ranges over provider and held records */
	int			np;
	Pred	   *preds;
	AcqPool    *pool;			/* provider rows for sale at set-up, by predicate */
	int64	   *pool_id;
	ItemPointerData *pool_tid;	/* use_tid: where each row was at set-up */
	bool		use_tid;		/* buy by ctid (see tid_is_stable) */
	int64	   *held_ids;		/* sorted: consumer and target ids */
	int64		nheld;
	AcqPlanner *planner;
	pg_prng_state pick_state;	/* provider's draws */
	pg_prng_state strat_state;	/* strategy's draws (Thompson sampling, novelty splits) */
	AcqRng		pick_rng;
	AcqRng		strat_rng;
	bool		wants_novelty;
	AcqNoveltyWork novelty_work;	/* novelty's scratch, reused round after round */
	SPIPlanPtr	buy_plan;		/* the per-round statements, prepared once */
	SPIPlanPtr	buy_tid_plan;
	SPIPlanPtr	null_plan;		/* which bought row had a NULL (buy) */
	SPIPlanPtr	log_plan;
	SPIPlanPtr	count_plan;
	bool		keep_plans;		/* a worker's run outlives SPI connections: keep them */
	char	   *q_target;		/* quoted names for SQL */
	char	   *q_provider;
	char	   *q_id;
	char	   *q_features;
	char	   *q_label;
} Run;

/* ---- argument checks ------------------------------------------------------ */

static void
param_error(const char *msg, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s", msg),
			 hint ? errhint("%s", hint) : 0));
}

static AcqStrategy
parse_strategy(const char *s)
{
	if (strcmp(s, "sps") == 0)
		return ACQ_STRATEGY_SPS;
	if (strcmp(s, "ea") == 0)
		return ACQ_STRATEGY_EA;
	if (strcmp(s, "uniform") == 0)
		return ACQ_STRATEGY_UNIFORM;
	if (strcmp(s, "random") == 0)
		return ACQ_STRATEGY_RANDOM;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown strategy \"%s\"", s),
			 errhint("Use 'sps', 'ea', 'uniform' or 'random'.")));
	return ACQ_STRATEGY_SPS;
}

static const char *
strategy_name(AcqStrategy s)
{
	switch (s)
	{
		case ACQ_STRATEGY_SPS:
			return "sps";
		case ACQ_STRATEGY_EA:
			return "ea";
		case ACQ_STRATEGY_UNIFORM:
			return "uniform";
		case ACQ_STRATEGY_RANDOM:
			return "random";
	}
	return "?";
}

static const char *
kind_name(PredKind k)
{
	return k == PRED_LABEL ? "label" : k == PRED_GRID ? "grid" : "sql";
}

/* the planner's state: NaN is a legitimate value there */
static double *
state_array(ArrayType *a, int *n)
{
	Datum	   *d;
	bool	   *nulls;
	double	   *out;

	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &d, &nulls, n);
	out = palloc(sizeof(double) * (*n > 0 ? *n : 1));
	for (int i = 0; i < *n; i++)
		out[i] = nulls[i] ? NAN : DatumGetFloat8(d[i]);
	return out;
}

/* the SQL arguments of acq.acquire / acq._check_acquire, checked */
static void
spec_from_args(FunctionCallInfo fcinfo, AcqSpec *s)
{
	char	   *strategy,
			   *predicates,
			   *task,
			   *allocation,
			   *target;

	memset(s, 0, sizeof(*s));
	s->consumer = acq_arg_regclass(fcinfo, 0, "consumer");
	s->provider = acq_arg_regclass(fcinfo, 1, "provider");
	target = acq_arg_name(fcinfo, 2, "target", true);
	s->target_name = stringToQualifiedNameList(target);
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
	/* batch NULL: 100, or the budget if smaller */
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

	s->strategy = parse_strategy(strategy);
	if (strcmp(predicates, "label") == 0)
		s->kind = PRED_LABEL;
	else if (strcmp(predicates, "grid") == 0)
		s->kind = PRED_GRID;
	else if (strcmp(predicates, "sql") == 0)
		s->kind = PRED_SQL;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown predicates \"%s\"", predicates),
				 errhint("Use 'label' (one predicate per class label), 'grid' (equal-width cells over grid_dims) or 'sql' (the expressions in predicate_sql).")));
	if (strcmp(task, "classification") == 0)
		s->regression = false;
	else if (strcmp(task, "regression") == 0)
		s->regression = true;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown task \"%s\"", task),
				 errhint("Use 'classification' or 'regression' (the label is then appended to the vectors novelty compares).")));
	if (strcmp(allocation, "linear") == 0)
		s->allocation = ACQ_ALLOCATION_LINEAR;
	else if (strcmp(allocation, "sqrt") == 0)
		s->allocation = ACQ_ALLOCATION_SQRT;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown allocation \"%s\"", allocation),
				 errhint("Use 'linear' or 'sqrt'.")));
}

/* ranges that need no data */
static void
check_spec_values(const AcqSpec *s)
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
				 errhint("batch is I_Delta, the records one SPS query (or one uniform/random round) asks for.")));
	if (s->tau < 1 || s->tau > 1000)
		param_error(psprintf("tau must be between 1 and 1000, not %d", s->tau),
					"tau is the number of recent queries per predicate whose rewards SPS remembers.");
	if (!(s->l > 0.0 && s->l <= 1.0))
		param_error(psprintf("l must be in (0, 1], not %g", s->l),
					"l is the share of each predicate's records EA buys to start its estimates.");
	if (!(s->delta > 0.0 && s->delta < 1.0))
		param_error(psprintf("delta must be in (0, 1), not %g", s->delta),
					"delta is EA's significance level for its error bounds.");
	if (s->novelty_k < 1 || s->novelty_k > 100)
		param_error(psprintf("novelty_k must be between 1 and 100, not %d", s->novelty_k), NULL);
	if (s->novelty_splits < 1 || s->novelty_splits > 10000)
		param_error(psprintf("novelty_splits must be between 1 and 10000, not %d", s->novelty_splits), NULL);
	if (s->kind == PRED_GRID)
	{
		if (s->grid_size < 1 || s->grid_size > 64)
			param_error(psprintf("grid_size must be between 1 and 64, not %d", s->grid_size),
						"grid_size is the number of equal-width cells per grid dimension.");
		if (s->ngrid < 1 && s->grid_dims != NULL)
			param_error("grid_dims must not be empty", NULL);
		for (int i = 0; i < s->ngrid; i++)
		{
			if (s->grid_dims[i] < 1)
				param_error(psprintf("grid_dims must hold 1-based feature dimensions, not %d", s->grid_dims[i]), NULL);
			for (int j = 0; j < i; j++)
				if (s->grid_dims[j] == s->grid_dims[i])
					param_error(psprintf("grid_dims names dimension %d twice", s->grid_dims[i]), NULL);
		}
	}
	if (s->kind == PRED_SQL)
	{
		if (s->nsql < 1)
			param_error("predicates => 'sql' needs predicate_sql", "Pass predicate_sql => ARRAY['<boolean SQL expression>', ...].");
		if (s->nsql > MAX_SQL_PREDICATES)
			param_error(psprintf("at most %d SQL predicates are supported, not %d", MAX_SQL_PREDICATES, s->nsql), NULL);
	}
	if (s->kind == PRED_LABEL && s->regression)
		param_error("label predicates need task => 'classification'",
					"For a regression target use predicates => 'grid' or 'sql'.");
}

/* an integer column of a table, for ids */
static Oid
check_id_column(Oid rel, const char *col)
{
	Oid			t = acq_column_type(rel, col, "id");

	if (t != INT2OID && t != INT4OID && t != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("id column \"%s\" of %s must be an integer, not %s",
						col, acq_rel_display_name(rel), format_type_be(t)),
				 errhint("acq identifies records by an integer id shared by consumer and provider.")));
	return t;
}

static void
check_features_column(Oid rel, const char *col)
{
	Oid			t = acq_column_type(rel, col, "features");
	Oid			elem = get_element_type(t);

	if (!OidIsValid(elem) || !acq_is_numeric_type(elem))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("features column \"%s\" of %s must be float8[], not %s",
						col, acq_rel_display_name(rel), format_type_be(t))));
}

static Oid
check_label_column(Oid rel, const char *col)
{
	Oid			t = acq_column_type(rel, col, "label");

	if (!acq_is_numeric_type(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("label column \"%s\" of %s must be numeric, not %s",
						col, acq_rel_display_name(rel), format_type_be(t))));
	return t;
}

static void
check_select(Oid rel, const char *role_of)
{
	if (pg_class_aclcheck(rel, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", get_rel_name(rel)),
				 errhint("acq reads the %s with your rights.", role_of)));
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
		param_error("target must be a table other than the consumer and the provider",
					"Bought records go to a table of their own; the consumer's model then trains on consumer and target.");
	if (get_rel_relkind(rel) != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("target %s is not a table", acq_rel_display_name(rel))));
	PG_TRY();
	{
		check_id_column(rel, s->id);
		check_features_column(rel, s->features);
		check_label_column(rel, s->label);
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

/* everything that can be checked before reading rows */
static Oid
check_spec(const AcqSpec *s)
{
	check_spec_values(s);
	check_id_column(s->consumer, s->id);
	check_id_column(s->provider, s->id);
	check_features_column(s->consumer, s->features);
	check_features_column(s->provider, s->features);
	check_label_column(s->consumer, s->label);
	check_label_column(s->provider, s->label);
	check_select(s->consumer, "consumer's table");
	check_select(s->provider, "provider's table");
	if (s->consumer == s->provider)
		param_error("consumer and provider must be different tables", NULL);
	return check_target(s);
}

/* ---- plans ---------------------------------------------------------------- */

static Datum
float8_array_datum(const double *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static Datum
int4_array_datum(const int *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		d[i] = Int32GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, INT4OID, 4, true, TYPALIGN_INT));
}

static Datum
text_array_datum(char **v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* create the target (with the caller's rights) if it does not exist */
static Oid
create_target(const AcqSpec *s)
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

/* insert the plan row (as the extension owner); returns its id */
static int64
insert_plan(const AcqSpec *s, int64 job_id)
{
	Oid			types[27];
	Datum		v[27];
	char		n[27];
	Elevation	e;
	bool		isnull;
	int64		plan_id;
	int			i = 0;

	memset(n, ' ', sizeof(n));
#define ARG(t, d) do { types[i] = (t); v[i] = (d); i++; } while (0)
#define NULLARG(t) do { types[i] = (t); v[i] = (Datum) 0; n[i] = 'n'; i++; } while (0)
	if (job_id > 0)
		ARG(INT8OID, Int64GetDatum(job_id));
	else
		NULLARG(INT8OID);
	ARG(OIDOID, ObjectIdGetDatum(s->consumer));
	ARG(OIDOID, ObjectIdGetDatum(s->provider));
	ARG(OIDOID, ObjectIdGetDatum(s->target));
	ARG(TEXTOID, CStringGetTextDatum(s->features));
	ARG(TEXTOID, CStringGetTextDatum(s->label));
	ARG(TEXTOID, CStringGetTextDatum(s->id));
	ARG(INT4OID, Int32GetDatum(s->budget));
	ARG(TEXTOID, CStringGetTextDatum(strategy_name(s->strategy)));
	ARG(TEXTOID, CStringGetTextDatum(kind_name(s->kind)));
	ARG(TEXTOID, CStringGetTextDatum(s->regression ? "regression" : "classification"));
	if (s->labels)
		ARG(FLOAT8ARRAYOID, float8_array_datum(s->labels, s->nlabels));
	else
		NULLARG(FLOAT8ARRAYOID);
	if (s->grid_dims)
		ARG(INT4ARRAYOID, int4_array_datum(s->grid_dims, s->ngrid));
	else
		NULLARG(INT4ARRAYOID);
	ARG(INT4OID, Int32GetDatum(s->grid_size));
	if (s->sql)
		ARG(TEXTARRAYOID, text_array_datum(s->sql, s->nsql));
	else
		NULLARG(TEXTARRAYOID);
	ARG(INT4OID, Int32GetDatum(s->batch));
	ARG(INT4OID, Int32GetDatum(s->tau));
	ARG(FLOAT8OID, Float8GetDatum(s->l));
	ARG(FLOAT8OID, Float8GetDatum(s->delta));
	ARG(TEXTOID, CStringGetTextDatum(s->allocation == ACQ_ALLOCATION_SQRT ? "sqrt" : "linear"));
	ARG(INT4OID, Int32GetDatum(s->novelty_k));
	ARG(INT4OID, Int32GetDatum(s->novelty_splits));
	ARG(BOOLOID, BoolGetDatum(s->scale));
	ARG(INT8OID, Int64GetDatum(s->seed));
	ARG(OIDOID, ObjectIdGetDatum(GetUserId()));
#undef ARG
#undef NULLARG
	acq_elevate(&e);
	acq_spi_check(SPI_execute_with_args(
										"INSERT INTO acq.acquisition_plans (job_id, consumer, provider, target, features, label,"
										" id_column, budget, strategy, predicates, task, labels, grid_dims, grid_size,"
										" predicate_sql, batch, tau, l, delta, allocation, novelty_k, novelty_splits, scale,"
										" seed, owner, budget_left)"
										" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
										" $18, $19, $20, $21, $22, $23, $24, $25::pg_catalog.regrole, $8) RETURNING plan_id",
										i, types, v, n, false, 0),
				  SPI_OK_INSERT_RETURNING, "inserting the plan");
	plan_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	acq_unelevate(&e);
	return plan_id;
}

/* the plan's parameters, read back from its row (a resumed plan) */
static void
spec_from_plan(int64 plan_id, AcqSpec *s)
{
	Oid			t = INT8OID;
	Datum		v = Int64GetDatum(plan_id);
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;
	MemoryContext mine = CurrentMemoryContext;

	acq_spi_check(SPI_execute_with_args("SELECT consumer::pg_catalog.oid, provider::pg_catalog.oid,"
										" target::pg_catalog.oid, features::pg_catalog.text, label::pg_catalog.text,"
										" id_column::pg_catalog.text, budget, strategy, predicates, task, labels,"
										" grid_dims, grid_size, predicate_sql, batch, tau, l, delta, allocation,"
										" novelty_k, novelty_splits, scale, seed"
										" FROM acq.acquisition_plans WHERE plan_id OPERATOR(pg_catalog.=) $1",
										1, &t, &v, NULL, false, 0),
				  SPI_OK_SELECT, "reading the plan");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("there is no acquisition plan " INT64_FORMAT " that you can see", plan_id)));
	MemoryContextSwitchTo(mine);
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	memset(s, 0, sizeof(*s));
#define COL(i) SPI_getbinval(row, desc, (i), &isnull)
#define TXT(i) SPI_getvalue(row, desc, (i))
	s->consumer = DatumGetObjectId(COL(1));
	s->provider = DatumGetObjectId(COL(2));
	s->target = DatumGetObjectId(COL(3));
	s->features = TXT(4);
	s->label = TXT(5);
	s->id = TXT(6);
	s->budget = DatumGetInt32(COL(7));
	s->strategy = parse_strategy(TXT(8));
	s->kind = strcmp(TXT(9), "label") == 0 ? PRED_LABEL : strcmp(TXT(9), "grid") == 0 ? PRED_GRID : PRED_SQL;
	s->regression = strcmp(TXT(10), "regression") == 0;
	d = COL(11);
	if (!isnull)
		s->labels = acq_float8_array_arg(DatumGetArrayTypeP(d), &s->nlabels, "labels");
	d = COL(12);
	if (!isnull)
		s->grid_dims = acq_int4_array_arg(DatumGetArrayTypeP(d), &s->ngrid, "grid_dims");
	s->grid_size = DatumGetInt32(COL(13));
	d = COL(14);
	if (!isnull)
		s->sql = acq_text_array_arg(DatumGetArrayTypeP(d), &s->nsql, "predicate_sql");
	s->batch = DatumGetInt32(COL(15));
	s->tau = DatumGetInt32(COL(16));
	s->l = DatumGetFloat8(COL(17));
	s->delta = DatumGetFloat8(COL(18));
	s->allocation = strcmp(TXT(19), "sqrt") == 0 ? ACQ_ALLOCATION_SQRT : ACQ_ALLOCATION_LINEAR;
	s->novelty_k = DatumGetInt32(COL(20));
	s->novelty_splits = DatumGetInt32(COL(21));
	s->scale = DatumGetBool(COL(22));
	s->seed = DatumGetInt64(COL(23));
#undef COL
#undef TXT
	if (get_rel_name(s->target) == NULL || get_rel_name(s->provider) == NULL ||
		get_rel_name(s->consumer) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("a table of acquisition plan " INT64_FORMAT " no longer exists", plan_id)));
}

/* ---- reading rows ----------------------------------------------------------- */

/* room for at least cap rows */
static void
mat_reserve(Mat *m, int64 cap)
{
	if (cap <= m->cap)
		return;
	if (m->x == NULL)
	{
		m->x = palloc_extended(sizeof(double) * cap * m->d, MCXT_ALLOC_HUGE);
		m->nrm = palloc_extended(sizeof(double) * cap, MCXT_ALLOC_HUGE);
		if (m->mirror)
			m->xf = palloc_extended(sizeof(float) * cap * m->d, MCXT_ALLOC_HUGE);
	}
	else
	{
		m->x = repalloc_huge(m->x, sizeof(double) * cap * m->d);
		m->nrm = repalloc_huge(m->nrm, sizeof(double) * cap);
		if (m->mirror)
			m->xf = repalloc_huge(m->xf, sizeof(float) * cap * m->d);
	}
	m->cap = cap;
}

/*
 * Append a row, its squared norm left to the caller: mat_push_normed gives
 * it, mat_set_norms computes those of rows [from, n) in one call (which
 * interleaves rows: the same sums, faster than one row at a time).
 */
static void
mat_append(Mat *m, const double *v)
{
	if (m->n == m->cap)
		mat_reserve(m, m->cap ? m->cap * 2 : 64);
	memcpy(m->x + m->n * m->d, v, sizeof(double) * m->d);
	if (m->mirror)
		for (int j = 0; j < m->d; j++)
			m->xf[m->n * m->d + j] = (float) v[j];
	m->n++;
}

static void
mat_push_normed(Mat *m, const double *v, double nrm)
{
	mat_append(m, v);
	m->nrm[m->n - 1] = nrm;
}

static void
mat_set_norms(Mat *m, int64 from)
{
	if (m->n > from)
		acq_row_sqnorms(m->x + from * m->d, m->n - from, m->d, m->nrm + from);
}

#define FEATURES_HINT "Consumer, provider and target need feature arrays of one length."

/*
 * Rows are read from the executor's slot as they are produced (stream.c):
 * column i of a row is slot->tts_values[i - 1].
 */
static inline Datum
slot_col(TupleTableSlot *slot, int col, bool *isnull)
{
	*isnull = slot->tts_isnull[col - 1];
	return slot->tts_values[col - 1];
}

/*
 * A row's features, checked; NULL-free, finite, run->d long (set by the
 * first row).  Points into the row's array, detoasted in rowcxt if need be.
 */
static double *
row_features(Run *run, TupleTableSlot *slot, MemoryContext rowcxt, int col, const char *table,
			 int64 id)
{
	bool		isnull;
	Datum		d = slot_col(slot, col, &isnull);
	MemoryContext old = MemoryContextSwitchTo(rowcxt);
	double	   *x = acq_checked_vector(d, isnull, &run->d, "features", table, "id", id, FEATURES_HINT);

	MemoryContextSwitchTo(old);
	return x;
}

static double
row_label(TupleTableSlot *slot, int col, const char *table, int64 id)
{
	bool		isnull;
	Datum		d = slot_col(slot, col, &isnull);
	double		y;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("label is NULL in %s, id " INT64_FORMAT, table, id)));
	y = DatumGetFloat8(d);
	if (!isfinite(y))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("label is NaN or Infinity in %s, id " INT64_FORMAT, table, id)));
	return y;
}

static int64
row_id(TupleTableSlot *slot, const char *table)
{
	bool		isnull;
	Datum		d = slot_col(slot, 1, &isnull);

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a row of %s has a NULL id", table),
				 errhint("Every record needs an id.")));
	return DatumGetInt64(d);
}

/*
 * The SQL that reads id, features, label (and the SQL predicates) of a
 * table: consumer, provider and target share those columns' names.
 */
static char *
read_sql(Run *run, Oid rel, const char *extra)
{
	StringInfoData q;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[], (%s)::pg_catalog.float8",
					 run->q_id, run->q_features, run->q_label);
	if (run->s.kind == PRED_SQL)
	{
		appendStringInfoString(&q, ", ARRAY[");
		for (int i = 0; i < run->s.nsql; i++)
			appendStringInfo(&q, "%sCOALESCE((%s)::pg_catalog.bool, false)", i ? ", " : "", run->s.sql[i]);
		appendStringInfoString(&q, "]");
	}
	if (extra)
		appendStringInfo(&q, ", %s", extra);
	appendStringInfo(&q, " FROM %s", acq_rel_display_name(rel));
	return q.data;
}

static uint64
row_sql_mask(Run *run, TupleTableSlot *slot, MemoryContext rowcxt, int col)
{
	bool		isnull;
	Datum		d = slot_col(slot, col, &isnull);
	Datum	   *e;
	bool	   *nulls;
	int			n;
	uint64		mask = 0;
	MemoryContext old = MemoryContextSwitchTo(rowcxt);

	deconstruct_array(DatumGetArrayTypeP(d), BOOLOID, 1, true, TYPALIGN_CHAR, &e, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i] && DatumGetBool(e[i]))
			mask |= UINT64CONST(1) << i;
	MemoryContextSwitchTo(old);
	return mask;
}

/* a row kept for novelty until predicates are known */
typedef struct HeldRow
{
	double	   *x;				/* d features, then the label */
	uint64		mask;
	int64		id;
	int			plan_round;		/* > 0: bought by this plan in that round */
} HeldRow;

typedef struct HeldRows
{
	HeldRow    *rows;
	int64		n;
	int64		cap;
} HeldRows;

static void
held_push(Run *run, HeldRows *h, int64 id, const double *x, double y, uint64 mask, int plan_round)
{
	HeldRow    *r;

	if (h->n == h->cap)
	{
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->rows = h->rows ? repalloc_huge(h->rows, sizeof(HeldRow) * h->cap) :
			palloc_extended(sizeof(HeldRow) * h->cap, MCXT_ALLOC_HUGE);
	}
	r = &h->rows[h->n++];
	r->x = palloc(sizeof(double) * (run->d + 1));
	memcpy(r->x, x, sizeof(double) * run->d);
	r->x[run->d] = y;
	r->mask = mask;
	r->id = id;
	r->plan_round = plan_round;
}

/* reading the consumer's (or the target's) rows */
typedef struct HeldScan
{
	Run		   *run;
	HeldRows   *h;
	const char *table;
	bool		is_target;
	int			roundcol;
} HeldScan;

static void
held_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	HeldScan   *hs = arg;
	Run		   *run = hs->run;
	int64		id = row_id(slot, hs->table);
	double	   *x = row_features(run, slot, rowcxt, 2, hs->table, id);
	double		y = row_label(slot, 3, hs->table, id);
	uint64		mask = run->s.kind == PRED_SQL ? row_sql_mask(run, slot, rowcxt, 4) : 0;
	int			plan_round = 0;
	bool		isnull;

	if (hs->is_target)
		plan_round = DatumGetInt32(slot_col(slot, hs->roundcol, &isnull));
	held_push(run, hs->h, id, x, y, mask, plan_round);
	CHECK_FOR_INTERRUPTS();
}

static void
read_held(Run *run, Oid rel, const char *table, bool is_target, HeldRows *h)
{
	char	   *sql = read_sql(run, rel, is_target ?
							   psprintf("CASE WHEN plan_id OPERATOR(pg_catalog.=) " INT64_FORMAT
										" THEN round ELSE 0 END", run->plan_id) : NULL);
	HeldScan	hs;

	hs.run = run;
	hs.h = h;
	hs.table = table;
	hs.is_target = is_target;
	hs.roundcol = run->s.kind == PRED_SQL ? 5 : 4;
	acq_spi_stream(sql, false, SPI_OK_SELECT, "reading held records", held_row, &hs);
}

/* ids: sorted by a specialised sort (lib/sort_template.h), found by bisection */
#define ST_SORT sort_ids
#define ST_ELEMENT_TYPE int64
#define ST_COMPARE(a, b) (*(a) < *(b) ? -1 : *(a) > *(b) ? 1 : 0)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* where id is in the ascending ids[0..n), or -1 */
static inline int64
find_id(const int64 *ids, int64 n, int64 id)
{
	int64		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id ? lo : -1;
}

static bool
is_held(Run *run, int64 id)
{
	return find_id(run->held_ids, run->nheld, id) >= 0;
}

/* ---- set-up ----------------------------------------------------------------- */

/* provider rows during the scan */
typedef struct PoolScan
{
	int64	   *id;
	ItemPointerData *tid;		/* use_tid only */
	double	   *label;
	double	   *grid;			/* ngrid coordinates per row */
	uint64	   *mask;
	int64		n;
	int64		cap;
} PoolScan;

static void
pool_push(Run *run, PoolScan *ps, int64 id, const double *coords, double y, uint64 mask,
		  const ItemPointerData *tid)
{
	int			ng = run->s.kind == PRED_GRID ? run->s.ngrid : 0;

	if (ps->n == ps->cap)
	{
		ps->cap = ps->cap ? ps->cap * 2 : 4096;
#define GROW(f, sz) ps->f = ps->f ? repalloc_huge(ps->f, (sz) * ps->cap) : palloc_extended((sz) * ps->cap, MCXT_ALLOC_HUGE)
		GROW(id, sizeof(int64));
		GROW(label, sizeof(double));
		GROW(mask, sizeof(uint64));
		if (run->use_tid)
			GROW(tid, sizeof(ItemPointerData));
		if (ng)
			GROW(grid, sizeof(double) * ng);
#undef GROW
	}
	ps->id[ps->n] = id;
	ps->label[ps->n] = y;
	ps->mask[ps->n] = mask;
	if (run->use_tid)
		ps->tid[ps->n] = *tid;
	for (int g = 0; g < ng; g++)
		ps->grid[ps->n * ng + g] = coords[g];
	ps->n++;
}

/* the provider's feature length, when neither consumer nor target has a row */
static void
provider_dimensions(Run *run)
{
	char	   *sql = psprintf("SELECT pg_catalog.array_length((%s)::pg_catalog.float8[], 1) FROM %s"
							   " WHERE %s IS NOT NULL LIMIT 1",
							   run->q_features, run->q_provider, run->q_features);
	bool		isnull;

	acq_spi_check(SPI_execute(sql, false, 1), SPI_OK_SELECT, "reading the provider's dimensions");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("provider %s has no records", run->q_provider)));
	run->d = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull || run->d < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("features of %s are empty", run->q_provider)));
}

typedef struct ProviderScan
{
	Run		   *run;
	PoolScan   *ps;
	const char *table;
	int			ng;
	int			tidcol;			/* use_tid: the ctid's column */
} ProviderScan;

static void
provider_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	ProviderScan *sc = arg;
	Run		   *run = sc->run;
	int64		id = row_id(slot, sc->table);
	double		y = row_label(slot, 2, sc->table, id);
	uint64		mask = 0;
	double		coords[64];

	for (int g = 0; g < sc->ng; g++)
	{
		bool		isnull;
		Datum		v = slot_col(slot, 3 + g, &isnull);

		coords[g] = isnull ? NAN : DatumGetFloat8(v);
		if (!isfinite(coords[g]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("features in %s, id " INT64_FORMAT ", have no finite value in grid dimension %d",
							sc->table, id, run->s.grid_dims[g])));
	}
	acq_grid_widen(&run->grid, coords);
	if (run->s.kind == PRED_SQL)
		mask = row_sql_mask(run, slot, rowcxt, 3);
	if (!is_held(run, id))
	{
		ItemPointer tid = NULL;

		if (run->use_tid)
		{
			bool		isnull;

			tid = (ItemPointer) DatumGetPointer(slot_col(slot, sc->tidcol, &isnull));
		}
		pool_push(run, sc->ps, id, coords, y, mask, tid);
	}
	CHECK_FOR_INTERRUPTS();
}

/* a provider row at set-up: its id and where the scan met it */
typedef struct PoolKey
{
	int64		id;
	int64		row;
} PoolKey;

#define ST_SORT sort_pool_keys
#define ST_ELEMENT_TYPE PoolKey
#define ST_COMPARE(a, b) ((a)->id < (b)->id ? -1 : (a)->id > (b)->id ? 1 : 0)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* a new array of n rows of size bytes: row i is rows[keys[i].row]; rows is freed */
static void *
permuted(void *rows, size_t size, const PoolKey *keys, int64 n)
{
	char	   *out = palloc_extended(size * n, MCXT_ALLOC_HUGE);

	for (int64 i = 0; i < n; i++)
		memcpy(out + size * i, (char *) rows + size * keys[i].row, size);
	pfree(rows);
	return out;
}

/*
 * The pool in id order, whatever order the scan met the rows in (another
 * physical order, or a synchronised scan that starts mid-table): the seed's
 * draws are positions in it, so the same seed buys the same records from the
 * same data however it is stored.  A table loaded in id order is left as is.
 */
static void
sort_pool(Run *run, PoolScan *ps)
{
	PoolKey    *keys;
	int			ng = run->s.kind == PRED_GRID ? run->s.ngrid : 0;
	bool		in_order = true;

	for (int64 i = 1; i < ps->n && in_order; i++)
		in_order = ps->id[i - 1] < ps->id[i];
	if (in_order)
		return;
	keys = palloc_extended(sizeof(PoolKey) * ps->n, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < ps->n; i++)
	{
		keys[i].id = ps->id[i];
		keys[i].row = i;
	}
	sort_pool_keys(keys, ps->n);
	for (int64 i = 0; i < ps->n; i++)
		ps->id[i] = keys[i].id;
	ps->label = permuted(ps->label, sizeof(double), keys, ps->n);
	ps->mask = permuted(ps->mask, sizeof(uint64), keys, ps->n);
	if (ps->tid)
		ps->tid = permuted(ps->tid, sizeof(ItemPointerData), keys, ps->n);
	if (ng)
		ps->grid = permuted(ps->grid, sizeof(double) * ng, keys, ps->n);
	pfree(keys);
}

/*
 * Can a round find the provider's rows by the ctid the set-up saw?  Only if
 * one transaction holds the set-up and every round (acq.acquire, not a job)
 * and the provider is one heap (a table or materialised view without
 * inheritance children: theirs would repeat ctids).  Then no row the set-up
 * saw can be pruned and its line pointer reused before the end: the calling
 * statement's snapshot, older than the set-up's, keeps it from VACUUM, and
 * the lock taken at set-up keeps VACUUM FULL and CLUSTER out.  A row updated
 * since moved away from its ctid: buy() looks for it by id instead.
 */
static bool
tid_is_stable(Run *run)
{
	char		kind = get_rel_relkind(run->s.provider);
	Relation	r;
	bool		heap;

	if (run->keep_plans || (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW) ||
		has_subclass(run->s.provider))
		return false;
	r = table_open(run->s.provider, AccessShareLock);
	heap = r->rd_rel->relam == HEAP_TABLE_AM_OID;
	table_close(r, AccessShareLock);
	return heap;
}

/*
 * The provider at set-up: ids, labels and what the predicates need (grid
 * coordinates, the SQL predicates' values) -- not the feature arrays, which
 * are read and checked only for the records bought.
 */
static void
scan_provider(Run *run, PoolScan *ps)
{
	StringInfoData q;
	char	   *table = run->q_provider;
	int			ng = run->s.kind == PRED_GRID ? run->s.ngrid : 0;
	ProviderScan sc;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT (%s)::pg_catalog.int8, (%s)::pg_catalog.float8", run->q_id, run->q_label);
	for (int g = 0; g < ng; g++)
		appendStringInfo(&q, ", ((%s)::pg_catalog.float8[])[%d]", run->q_features, run->s.grid_dims[g]);
	if (run->s.kind == PRED_SQL)
	{
		appendStringInfoString(&q, ", ARRAY[");
		for (int i = 0; i < run->s.nsql; i++)
			appendStringInfo(&q, "%sCOALESCE((%s)::pg_catalog.bool, false)", i ? ", " : "", run->s.sql[i]);
		appendStringInfoString(&q, "]");
	}
	sc.tidcol = 3 + ng + (run->s.kind == PRED_SQL ? 1 : 0);
	if (run->use_tid)
		appendStringInfoString(&q, ", ctid");
	appendStringInfo(&q, " FROM %s", table);
	sc.run = run;
	sc.ps = ps;
	sc.table = table;
	sc.ng = ng;
	acq_spi_stream(q.data, false, SPI_OK_SELECT, "reading the provider", provider_row, &sc);
	sort_pool(run, ps);
	/* a duplicate id would be sold twice */
	for (int64 i = 1; i < ps->n; i++)
		if (ps->id[i] == ps->id[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("id " INT64_FORMAT " appears more than once in %s", ps->id[i], table),
					 errhint("The provider's id must identify one record; add a primary key.")));
}

static char *
format_label(double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return psprintf("%.0f", v);
	return psprintf("%.17g", v);
}

/* the name of predicate p, as the log and the summary show it */
static char *
predicate_name(Run *run, int p)
{
	AcqSpec    *s = &run->s;
	StringInfoData n;

	switch (run->pool->kind)
	{
		case ACQ_POOL_ONE:
			return pstrdup("true");
		case ACQ_POOL_LABEL:
			return psprintf("%s = %s", s->label, format_label(run->pool->labels[p]));
		case ACQ_POOL_GRID:
			initStringInfo(&n);
			for (int g = 0; g < s->ngrid; g++)
			{
				double		lo,
							hi;
				bool		last = acq_grid_segment(&run->grid, p, g, &lo, &hi);

				appendStringInfo(&n, "%s%s[%d] in [%.6g, %.6g%s", g ? " and " : "", s->features,
								 s->grid_dims[g], lo, hi, last ? "]" : ")");
			}
			return n.data;
		case ACQ_POOL_MASK:
			return pstrdup(s->sql[p]);
	}
	return NULL;
}

/*
 * The predicates and their pools: the core assigns each pool row to the
 * predicates that offer it and keeps, per predicate, the row numbers of what
 * is for sale (src/core/pool.c); the names are made here.
 */
static void
build_predicates(Run *run, PoolScan *ps)
{
	AcqSpec    *s = &run->s;
	AcqStatus	st = ACQ_OK;
	char		errbuf[256];

	if (s->strategy == ACQ_STRATEGY_RANDOM)
		run->pool = acq_pool_one(ps->n);	/* one predicate: every record for sale */
	else if (s->kind == PRED_LABEL)
	{
		double	   *given = NULL;

		if (s->labels)
		{
			/*
			 * PostgreSQL's qsort, as ever: with 0 and -0 among the labels, it
			 * decides which one the error of a duplicate names
			 */
			given = palloc(sizeof(double) * s->nlabels);
			memcpy(given, s->labels, sizeof(double) * s->nlabels);
			qsort(given, s->nlabels, sizeof(double), acq_cmp_double);
		}
		st = acq_pool_by_label(ps->label, ps->n, given, s->nlabels, MAX_PREDICATES, &run->pool,
							   errbuf, sizeof(errbuf));
		if (st == ACQ_ERR_TOO_LARGE)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s", errbuf),
					 errhint("Choose the labels to query with labels => ARRAY[...].")));
		if (st != ACQ_OK)
			param_error(errbuf, NULL);
	}
	else if (s->kind == PRED_GRID)
	{
		st = acq_pool_by_grid(&run->grid, ps->grid, ps->n, MAX_PREDICATES, &run->pool,
							  errbuf, sizeof(errbuf));
		if (st != ACQ_OK)
			param_error(errbuf, "Use fewer grid_dims or a smaller grid_size.");
	}
	else
		run->pool = acq_pool_by_mask(ps->mask, ps->n, s->nsql);
	run->np = run->pool->np;
	run->preds = palloc0(sizeof(Pred) * (run->np > 0 ? run->np : 1));
	for (int p = 0; p < run->np; p++)
		run->preds[p].name = predicate_name(run, p);
	run->pool_id = ps->id;
	run->pool_tid = ps->tid;
}

/* count a row for m (reserve pass), or push it */
static inline void
mat_take(Mat *m, const double *v, bool count)
{
	if (count)
		m->want++;
	else
		mat_append(m, v);	/* norms: mat_set_norms once all are in */
}

/*
 * Which predicate holds a consumer/target row (label/grid), or the mask bits
 * (sql).  Called twice per row: to count (count, v unused), so that every
 * set is allocated once at its size, then to copy.
 */
static void
held_to_predicates(Run *run, const HeldRow *r, const int *round_pred, int nround, double *v,
				   bool count)
{
	int			preds[MAX_SQL_PREDICATES];	/* room for every predicate a row can be in */
	int			n;

	if (!count)
		acq_scaling_vector(&run->scaling, r->x, r->x[run->d], v);
	if (r->plan_round > 0)
	{
		/* bought by this plan: it counts for the predicate it was bought through */
		if (r->plan_round <= nround && round_pred[r->plan_round - 1] >= 0)
		{
			Pred	   *q = &run->preds[round_pred[r->plan_round - 1]];

			/* SPS holds what it bought with the rest; EA keeps it apart */
			mat_take(run->s.strategy == ACQ_STRATEGY_SPS ? &q->held : &q->bought, v, count);
		}
		return;
	}
	n = acq_pool_preds_of(run->pool, r->x, r->x[run->d], r->mask, preds);
	for (int i = 0; i < n; i++)
		mat_take(&run->preds[preds[i]].held, v, count);
}

/* ---- rounds ----------------------------------------------------------------- */

static ArrayType *
int8_array(const int64 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	return construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/*
 * A per-round statement, planned once.  A worker's run keeps its plans
 * across its transactions (SPI_keepplan); acq.acquire's die with its SPI
 * connection, so that an error leaves nothing behind.
 */
static SPIPlanPtr
prepare(Run *run, const char *sql, int nargs, Oid *types)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	if (plan == NULL)
		elog(ERROR, "preparing \"%s\" failed: %s", sql, SPI_result_code_string(SPI_result));
	if (run->keep_plans)
		SPI_keepplan(plan);
	return plan;
}

/* the rows a purchase returns */
typedef struct BuyScan
{
	Run		   *run;
	Mat		   *got;
	int64	   *got_ids;		/* vectors: the id of each row of got */
	bool		vectors;
	const char *table;
	double	   *vec;
	const int64 *sorted;		/* the ids drawn, sorted */
	bool	   *seen;			/* per sorted id: came back */
	int			n;
} BuyScan;

static void
bought_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	BuyScan    *b = arg;
	Run		   *run = b->run;
	int64		id = row_id(slot, b->table);
	double	   *x = row_features(run, slot, rowcxt, 2, b->table, id);
	double		y = row_label(slot, 3, b->table, id);
	int64		at = find_id(b->sorted, b->n, id);

	/*
	 * By ctid, a row that is not one drawn would mean a reused line pointer,
	 * which tid_is_stable rules out; the statement is undone with the call.
	 */
	if (at < 0 || b->seen[at])
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("%s changed during the acquisition: the row at a drawn record's place has id " INT64_FORMAT,
						b->table, id),
				 errdetail("Nothing was bought."),
				 errhint("Run the acquisition again.")));
	b->seen[at] = true;
	if (b->vectors)
	{
		acq_scaling_vector(&run->scaling, x, y, b->vec);
		b->got_ids[b->got->n] = id;
		mat_append(b->got, b->vec);	/* norms: at the end of buy() */
	}
	/* else: checked; nothing will measure against it */
}

static ArrayType *
tid_array(const ItemPointerData *tids, const int *rows, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		d[i] = PointerGetDatum(&tids[rows[i]]);
	return construct_array(d, n, TIDOID, sizeof(ItemPointerData), false, TYPALIGN_SHORT);
}

/* the drawn ids that have not come back (yet) */
static int
missing_ids(const BuyScan *b, int64 *out)
{
	int			m = 0;

	for (int i = 0; i < b->n; i++)
		if (!b->seen[i])
			out[m++] = b->sorted[i];
	return m;
}

/* one INSERT ... SELECT ... RETURNING, by id or by ctid */
static int
buy_query(Run *run, BuyScan *b, bool by_tid, Datum rows, int round)
{
	Oid			types[3] = {by_tid ? TIDARRAYOID : INT8ARRAYOID, INT8OID, INT4OID};
	SPIPlanPtr *plan = by_tid ? &run->buy_tid_plan : &run->buy_plan;
	Datum		v[3];

	v[0] = rows;
	v[1] = Int64GetDatum(run->plan_id);
	v[2] = Int32GetDatum(round);
	if (*plan == NULL)
		*plan = prepare(run, psprintf("INSERT INTO %s (%s, %s, %s, plan_id, round)"
									  " SELECT p.%s, p.%s, p.%s, $2, $3 FROM %s p"
									  " WHERE p.%s OPERATOR(pg_catalog.=) ANY ($1)"
									  " AND p.%s IS NOT NULL AND p.%s IS NOT NULL"
									  " RETURNING (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[],"
									  " (%s)::pg_catalog.float8",
									  run->q_target, run->q_id, run->q_features, run->q_label,
									  run->q_id, run->q_features, run->q_label, run->q_provider,
									  by_tid ? "ctid" : run->q_id, run->q_features, run->q_label,
									  run->q_id, run->q_features, run->q_label),
						3, types);
	return (int) acq_spi_stream_plan(*plan, v, NULL, false, SPI_OK_INSERT_RETURNING,
									 "buying records", bought_row, b);
}

/*
 * Buy: insert the provider's rows drawn into the target, getting them back
 * as inserted (RETURNING, streamed: no copy of the rows is kept but the
 * novelty vectors, and those only if vectors).  The provider charges only
 * for what comes back.  Rows are found by the ctid the set-up saw when that
 * is safe (tid_is_stable; no index descent per row), and by id otherwise,
 * or if a row has moved since.  Features and labels are checked as they
 * come; a row the target cannot take (NULL features or label) is left out
 * of the insert, and if any id is missing from what came back, one more
 * query tells a NULL (an error naming the row) from a row that vanished.
 */
static int
buy(Run *run, const int *rows, int n, int round, Mat *got, bool vectors)
{
	char	   *table = acq_rel_display_name(run->s.provider);
	int64	   *sorted = palloc(sizeof(int64) * (n > 0 ? n : 1));
	int64	   *missing;
	int			nmissing;
	int			received;
	BuyScan		b;

	for (int i = 0; i < n; i++)
		sorted[i] = run->pool_id[rows[i]];
	sort_ids(sorted, n);
	got->n = 0;
	memset(&b, 0, sizeof(b));
	b.run = run;
	b.got = got;
	b.vectors = vectors;
	b.table = table;
	b.vec = palloc(sizeof(double) * (run->nd > 0 ? run->nd : 1));
	b.got_ids = vectors ? palloc(sizeof(int64) * (n > 0 ? n : 1)) : NULL;
	b.sorted = sorted;
	b.seen = palloc0(sizeof(bool) * (n > 0 ? n : 1));
	b.n = n;
	if (run->use_tid)
		received = buy_query(run, &b, true, PointerGetDatum(tid_array(run->pool_tid, rows, n)), round);
	else
		received = buy_query(run, &b, false, PointerGetDatum(int8_array(sorted, n)), round);
	missing = palloc(sizeof(int64) * (n > 0 ? n : 1));
	nmissing = received < n ? missing_ids(&b, missing) : 0;
	if (nmissing > 0 && run->use_tid)
	{
		/* moved since the set-up (updated): by id */
		received += buy_query(run, &b, false, PointerGetDatum(int8_array(missing, nmissing)), round);
		nmissing = received < n ? missing_ids(&b, missing) : 0;
	}
	if (nmissing > 0)
	{
		Oid			type = INT8ARRAYOID;
		Datum		v = PointerGetDatum(int8_array(missing, nmissing));

		/* a NULL left a row out, or rows vanished since the set-up (not charged) */
		if (run->null_plan == NULL)
			run->null_plan = prepare(run, psprintf("SELECT (p.%s)::pg_catalog.int8, p.%s IS NULL FROM %s p"
												   " WHERE p.%s OPERATOR(pg_catalog.=) ANY ($1)"
												   " AND (p.%s IS NULL OR p.%s IS NULL) ORDER BY 1 LIMIT 1",
												   run->q_id, run->q_features, run->q_provider, run->q_id,
												   run->q_features, run->q_label),
									 1, &type);
		acq_spi_check(SPI_execute_plan(run->null_plan, &v, NULL, true, 1), SPI_OK_SELECT,
					  "checking the records bought");
		if (SPI_processed > 0)
		{
			bool		isnull;
			int64		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

			if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("features are NULL in %s, id " INT64_FORMAT, table, id)));
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("label is NULL in %s, id " INT64_FORMAT, table, id)));
		}
		SPI_freetuptable(SPI_tuptable);
	}
	if (vectors)
	{
		mat_set_norms(got, 0);
		/* novelty compares a batch in id order, however the rows came back */
		acq_pool_sort_batch(got->x, got->nrm, b.got_ids, got->n, got->d);
	}
	return received;
}

/* novelty of the records just bought through P (before they join P's sets) */
static double
measure(Run *run, int p, const Mat *batch)
{
	Pred	   *q = &run->preds[p];
	AcqNoveltyParams np;
	double		u;

	acq_novelty_defaults(&np);
	np.k = run->s.novelty_k;
	np.splits = run->s.novelty_splits;
	if (run->s.strategy == ACQ_STRATEGY_EA)
	{
		/*
		 * EA: everything bought through P so far against what was held at
		 * the start.  P's held set does not change and its bought rows are
		 * only appended, so each row meets the held set once (the cache).
		 */
		for (int64 i = 0; i < batch->n; i++)
			mat_push_normed(&q->bought, batch->x + i * batch->d, batch->nrm[i]);
		u = acq_novelty_cached(q->held.x, q->held.xf, q->held.nrm, q->held.n, q->bought.x, q->bought.n,
							   run->nd, &np, &run->strat_rng, &run->novelty_work, &q->bought_near);
		return u;
	}
	else
	{
		/*
		 * SPS: the batch against everything held for P, bought ones
		 * included.  SPS keeps what it buys in P's held set itself (see
		 * run_rounds), so that set is one contiguous matrix.
		 */
		u = acq_novelty_ws(q->held.x, q->held.xf, q->held.nrm, q->held.n, batch->x, batch->n, run->nd,
						   &np, &run->strat_rng, &run->novelty_work);
		for (int64 i = 0; i < batch->n; i++)
			mat_push_normed(&q->held, batch->x + i * batch->d, batch->nrm[i]);
		return u;
	}
}

static void
log_round(Run *run, int round, int p, int64 requested, int received, double utility)
{
	Oid			types[14] = {INT8OID, INT4OID, TEXTOID, INT4OID, TEXTOID, INT4OID, INT4OID,
	FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, INT4OID, FLOAT8ARRAYOID, INT8ARRAYOID};
	Datum		v[14];
	char		n[14];
	size_t		ns = acq_planner_state_size(run->planner);
	double	   *state = palloc(sizeof(double) * ns);
	int64		rng[2];
	Elevation	e;
	AcqPlanPred *q = &run->planner->preds[p];

	memset(n, ' ', sizeof(n));
	acq_planner_save(run->planner, state);
	rng[0] = (int64) run->strat_state.s0;
	rng[1] = (int64) run->strat_state.s1;
	v[0] = Int64GetDatum(run->plan_id);
	v[1] = Int32GetDatum(round);
	v[2] = CStringGetTextDatum(acq_stage_name(run->planner->stage));
	v[3] = Int32GetDatum(p + 1);
	v[4] = CStringGetTextDatum(run->preds[p].name);
	v[5] = Int32GetDatum((int) requested);
	v[6] = Int32GetDatum(received);
	v[7] = Float8GetDatum(utility);
	n[7] = isnan(utility) ? 'n' : ' ';
	if (run->s.strategy == ACQ_STRATEGY_SPS)
	{
		double		a,
					b;

		acq_planner_posterior(run->planner, p, &a, &b);
		v[8] = Float8GetDatum(a);
		v[9] = Float8GetDatum(b);
	}
	else
		n[8] = n[9] = 'n';
	v[10] = Float8GetDatum(q->utility);
	n[10] = run->s.strategy == ACQ_STRATEGY_EA && q->has_utility ? ' ' : 'n';
	v[11] = Int32GetDatum((int) run->planner->budget_left);
	v[12] = float8_array_datum(state, (int) ns);
	v[13] = PointerGetDatum(int8_array(rng, 2));
	acq_elevate(&e);
	if (run->log_plan == NULL)
	{
		run->log_plan = prepare(run, "INSERT INTO acq.acquisition_rounds (plan_id, round, owner, stage,"
								" predicate, predicate_name, requested, received, utility, alpha, beta,"
								" estimate, budget_left, state, rng)"
								" SELECT $1, $2, p.owner, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14"
								" FROM acq.acquisition_plans p WHERE p.plan_id OPERATOR(pg_catalog.=) $1",
								14, types);
		if (run->keep_plans)
			run->count_plan = prepare(run, "UPDATE acq.acquisition_plans SET bought = bought OPERATOR(pg_catalog.+) $7,"
								  " rounds = $2, budget_left = $12"
								  " WHERE plan_id OPERATOR(pg_catalog.=) $1",
								  12, types);
	}
	acq_spi_check(SPI_execute_plan(run->log_plan, v, n, false, 0), SPI_OK_INSERT, "logging the round");
	/*
	 * A job's plan shows its progress round by round; acq.acquire's is one
	 * transaction, so its counters are written once, by finish_plan.
	 */
	if (run->keep_plans)
		acq_spi_check(SPI_execute_plan(run->count_plan, v, n, false, 0), SPI_OK_UPDATE, "updating the plan");
	acq_unelevate(&e);
	pfree(state);
}

static void
finish_plan(Run *run, const char *message)
{
	Oid			types[5] = {INT8OID, TEXTOID, INT4OID, INT4OID, INT4OID};
	Datum		v[5];
	Elevation	e;

	v[0] = Int64GetDatum(run->plan_id);
	v[1] = CStringGetTextDatum(message);
	v[2] = Int32GetDatum((int) (run->s.budget - run->planner->budget_left));
	v[3] = Int32GetDatum((int) run->planner->rounds);
	v[4] = Int32GetDatum((int) run->planner->budget_left);
	acq_elevate(&e);
	acq_spi_check(SPI_execute_with_args("UPDATE acq.acquisition_plans SET status = 'succeeded',"
										" finished_at = pg_catalog.clock_timestamp(), message = $2,"
										" bought = $3, rounds = $4, budget_left = $5"
										" WHERE plan_id OPERATOR(pg_catalog.=) $1",
										5, types, v, NULL, false, 0),
				  SPI_OK_UPDATE, "finishing the plan");
	acq_unelevate(&e);
}

static void
set_plan_predicates(Run *run)
{
	Oid			types[2] = {INT8OID, TEXTARRAYOID};
	Datum		v[2];
	char	  **names = palloc(sizeof(char *) * run->np);
	Elevation	e;

	for (int i = 0; i < run->np; i++)
		names[i] = run->preds[i].name;
	v[0] = Int64GetDatum(run->plan_id);
	v[1] = text_array_datum(names, run->np);
	acq_elevate(&e);
	acq_spi_check(SPI_execute_with_args("UPDATE acq.acquisition_plans SET predicate_names = $2"
										" WHERE plan_id OPERATOR(pg_catalog.=) $1",
										2, types, v, NULL, false, 0),
				  SPI_OK_UPDATE, "naming the predicates");
	acq_unelevate(&e);
}

/*
 * Set the run up for plan_id: read consumer, target and provider, build the
 * predicates, pools and planner; restore the planner from the last logged
 * round when the plan has rounds already.  Allocates in run->cxt.
 */
static void
setup_run(Run *run)
{
	AcqSpec    *s = &run->s;
	HeldRows	held = {0};
	PoolScan	ps = {0};
	int		   *round_pred = NULL;
	int			nround = 0;
	int64		plan_bought = 0;
	AcqPlanParams pp;
	int64	   *pool;
	char		errbuf[256];
	double	   *state = NULL;
	int			nstate = 0;
	int64		rng[2] = {0, 0};

	run->q_target = acq_rel_display_name(s->target);
	run->q_provider = acq_rel_display_name(s->provider);
	run->q_id = pstrdup(quote_identifier(s->id));
	run->q_features = pstrdup(quote_identifier(s->features));
	run->q_label = pstrdup(quote_identifier(s->label));
	run->d = -1;

	/* the log so far: each round's predicate, and the last state */
	{
		Oid			t = INT8OID;
		Datum		v = Int64GetDatum(run->plan_id);

		acq_spi_check(SPI_execute_with_args("SELECT round, predicate, received, state, rng"
											" FROM acq.acquisition_rounds WHERE plan_id OPERATOR(pg_catalog.=) $1"
											" ORDER BY round", 1, &t, &v, NULL, false, 0),
					  SPI_OK_SELECT, "reading the plan's rounds");
		MemoryContextSwitchTo(run->cxt);
		nround = (int) SPI_processed;
		round_pred = palloc(sizeof(int) * (nround + 1));
		for (int i = 0; i < nround; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;

			if (DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull)) != i + 1)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("the log of acquisition plan " INT64_FORMAT " misses round %d", run->plan_id, i + 1)));
			round_pred[i] = DatumGetInt32(SPI_getbinval(tup, desc, 2, &isnull)) - 1;
			plan_bought += DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
			if (i == nround - 1)
			{
				int			n;

				state = state_array(DatumGetArrayTypePCopy(SPI_getbinval(tup, desc, 4, &isnull)), &nstate);
				{
					Datum	   *e;
					bool	   *nulls;

					deconstruct_array(DatumGetArrayTypePCopy(SPI_getbinval(tup, desc, 5, &isnull)),
									  INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &e, &nulls, &n);
					if (n == 2)
					{
						rng[0] = DatumGetInt64(e[0]);
						rng[1] = DatumGetInt64(e[1]);
					}
				}
			}
		}
		SPI_freetuptable(SPI_tuptable);
		MemoryContextSwitchTo(run->cxt);
	}

	/* what the consumer holds: its own rows and everything in the target */
	read_held(run, s->consumer, acq_rel_display_name(s->consumer), false, &held);
	read_held(run, s->target, run->q_target, true, &held);
	{
		int64		mine = 0;

		for (int64 i = 0; i < held.n; i++)
			if (held.rows[i].plan_round > 0)
				mine++;
		if (mine != plan_bought)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("target %s holds " INT64_FORMAT " records of acquisition plan " INT64_FORMAT
							" but its log says " INT64_FORMAT " were bought",
							run->q_target, mine, run->plan_id, plan_bought),
					 errhint("Were rows of the target deleted or inserted by hand?")));
	}
	run->held_ids = palloc_extended(sizeof(int64) * (held.n > 0 ? held.n : 1), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < held.n; i++)
		run->held_ids[i] = held.rows[i].id;
	run->nheld = held.n;
	sort_ids(run->held_ids, run->nheld);

	/* the provider: what is for sale */
	if (run->d < 0)
		provider_dimensions(run);
	if (s->kind == PRED_GRID && s->grid_dims == NULL)
	{
		/* default: the first two dimensions (or the only one) */
		s->ngrid = run->d == 1 ? 1 : 2;
		s->grid_dims = palloc(sizeof(int) * 2);
		s->grid_dims[0] = 1;
		s->grid_dims[1] = 2;
	}
	/* the ranges: grid_dims must name dimensions the features have */
	if (s->kind == PRED_GRID &&
		acq_grid_init(&run->grid, s->grid_dims, s->ngrid, s->grid_size, run->d,
					  errbuf, sizeof(errbuf)) != ACQ_OK)
		param_error(errbuf, NULL);
	acq_scaling_init(&run->scaling, run->d, s->regression, s->scale);
	for (int64 i = 0; i < held.n; i++)
	{
		acq_scaling_widen(&run->scaling, held.rows[i].x, held.rows[i].x[run->d]);
		acq_grid_widen_features(&run->grid, held.rows[i].x);
	}
	run->use_tid = tid_is_stable(run);
	scan_provider(run, &ps);
	run->nd = run->d + (s->regression ? 1 : 0);
	build_predicates(run, &ps);

	if (nround == 0)
	{
		int64		total;
		int			empty = 0;

		for (int p = 0; p < run->np; p++)
		{
			/* an empty grid cell, or a label all of whose records are held, is just left out */
			if (run->pool->preds[p].nrows == 0 &&
				(s->kind == PRED_GRID || (s->kind == PRED_LABEL && s->labels == NULL)) &&
				s->strategy != ACQ_STRATEGY_RANDOM)
			{
				empty++;
				continue;
			}
			if (run->pool->preds[p].nrows == 0)
				ereport(ERROR,
						(errcode(ERRCODE_NO_DATA_FOUND),
						 errmsg("predicate \"%s\" selects no record for sale in %s", run->preds[p].name, run->q_provider),
						 errdetail("Nothing was bought."),
						 errhint(s->kind == PRED_LABEL ? "Query only labels the provider has (labels => ARRAY[...])." :
								 s->kind == PRED_GRID ? "Use a coarser grid (grid_size) or other grid_dims." :
								 "Every SQL predicate must select records the consumer does not hold yet.")));
		}
		if (empty == run->np)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA_FOUND),
					 errmsg("no predicate selects a record for sale in %s", run->q_provider),
					 errdetail("Nothing was bought.")));
		if (empty > 0)
			ereport(NOTICE,
					(errmsg("%d of %d predicates select no record for sale; they are left out",
							empty, run->np)));
		/* overlapping SQL predicates offer a record once */
		total = acq_pool_offered(run->pool);
		if (total < s->budget)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("budget %d is larger than the " INT64_FORMAT " records the predicates offer",
							s->budget, total),
					 errdetail("Nothing was bought."),
					 errhint("Lower the budget to at most " INT64_FORMAT ".", total)));
	}

	/* novelty's sets: held at the start, bought by this plan */
	run->wants_novelty = s->strategy == ACQ_STRATEGY_SPS || s->strategy == ACQ_STRATEGY_EA;
	for (int p = 0; p < run->np; p++)
	{
		run->preds[p].held.d = run->nd;
		run->preds[p].held.mirror = true;
		run->preds[p].bought.d = run->nd;
	}
	if (run->wants_novelty)
	{
		double	   *v = palloc(sizeof(double) * run->nd);

		for (int64 i = 0; i < held.n; i++)
			held_to_predicates(run, &held.rows[i], round_pred, nround, v, true);
		for (int p = 0; p < run->np; p++)
		{
			mat_reserve(&run->preds[p].held, run->preds[p].held.want);
			mat_reserve(&run->preds[p].bought, run->preds[p].bought.want);
		}
		for (int64 i = 0; i < held.n; i++)
			held_to_predicates(run, &held.rows[i], round_pred, nround, v, false);
		for (int p = 0; p < run->np; p++)
		{
			mat_set_norms(&run->preds[p].held, 0);
			mat_set_norms(&run->preds[p].bought, 0);
		}
		pfree(v);
	}

	/* the planner, fresh or restored */
	memset(&pp, 0, sizeof(pp));
	pp.strategy = s->strategy;
	pp.budget = s->budget;
	pp.batch = s->batch;
	pp.tau = s->tau;
	pp.l = s->l;
	pp.delta = s->delta;
	pp.allocation = s->allocation;
	pool = palloc(sizeof(int64) * run->np);
	for (int p = 0; p < run->np; p++)
		pool[p] = run->pool->preds[p].nrows;
	run->planner = acq_planner_create(&pp, run->np, pool, errbuf, sizeof(errbuf));
	if (run->planner == NULL)
		param_error(errbuf, NULL);
	acq_pg_rng_init(&run->pick_rng, &run->pick_state, s->seed ^ (int64) (nround * UINT64CONST(0x9E3779B97F4A7C15)));
	acq_pg_rng_init(&run->strat_rng, &run->strat_state, s->seed + 1);
	if (nround > 0)
	{
		if (!acq_planner_restore(run->planner, state, nstate))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the log of acquisition plan " INT64_FORMAT " does not match its parameters", run->plan_id)));
		run->strat_state.s0 = (uint64) rng[0];
		run->strat_state.s1 = (uint64) rng[1];
	}
	for (int p = 0; p < run->np; p++)
		acq_planner_set_available(run->planner, p, run->pool->preds[p].available);
	pfree(pool);
}

/* the summary row */
static void
run_summary(Run *run, Datum *values, bool *nulls)
{
	int		   *counts = palloc0(sizeof(int) * run->np);
	char	  **names = palloc(sizeof(char *) * run->np);

	for (int p = 0; p < run->np; p++)
	{
		counts[p] = (int) run->planner->preds[p].bought;
		names[p] = run->preds[p].name;
	}
	values[0] = Int64GetDatum(run->plan_id);
	values[1] = Int32GetDatum((int) (run->s.budget - run->planner->budget_left));
	values[2] = Int32GetDatum((int) run->planner->rounds);
	values[3] = Int32GetDatum((int) run->planner->budget_left);
	values[4] = text_array_datum(names, run->np);
	values[5] = int4_array_datum(counts, run->np);
	memset(nulls, 0, sizeof(bool) * 6);
}

/*
 * The rounds, until the planner is done.  In a background job (job not
 * NULL), every round is a transaction of its own.  Persistent state lives in
 * run->cxt; each round's scratch in a context reset every round.
 */
static void
run_rounds(Run *run, AcqJob *job)
{
	MemoryContext roundcxt = AllocSetContextCreate(run->cxt, "acq round", ALLOCSET_DEFAULT_SIZES);
	int		   *rows = NULL;
	int			cap = 0;

	for (;;)
	{
		int			p;
		int64		want;
		int			ndrawn,
					received;
		bool		keep;
		double		utility = NAN;
		Mat			got;
		MemoryContext old;
		int			round;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(run->cxt);
		if (!acq_planner_next(run->planner, &run->strat_rng, &p, &want))
		{
			MemoryContextSwitchTo(old);
			break;
		}
		if (want > cap)
		{
			cap = (int) want;
			rows = rows ? repalloc(rows, sizeof(int) * cap) : palloc(sizeof(int) * cap);
		}
		MemoryContextSwitchTo(roundcxt);
		round = (int) run->planner->rounds + 1;
		ndrawn = acq_pool_draw(run->pool, p, (int) want, &run->pick_rng, rows);
		for (int i = 0; i < ndrawn; i++)
			acq_pool_take(run->pool, rows[i]);
		memset(&got, 0, sizeof(got));
		got.d = run->nd;
		keep = run->wants_novelty && acq_planner_will_measure(run->planner);
		received = ndrawn > 0 ? buy(run, rows, ndrawn, round, &got, keep) : 0;
		if (received < ndrawn)
			ereport(WARNING,
					(errmsg("the provider returned %d of %d records drawn for \"%s\"",
							received, ndrawn, run->preds[p].name),
					 errdetail("Records that vanished from the provider since the set-up are not charged.")));
		MemoryContextSwitchTo(run->cxt);
		if (acq_planner_wants_utility(run->planner) && received > 0)
			utility = measure(run, p, &got);
		else if (keep)
			for (int64 i = 0; i < got.n; i++)
				mat_push_normed(run->s.strategy == ACQ_STRATEGY_SPS ? &run->preds[p].held : &run->preds[p].bought,
								got.x + i * got.d, got.nrm[i]);
		for (int q = 0; q < run->np; q++)
			acq_planner_set_available(run->planner, q, run->pool->preds[q].available);
		/* observe after set_available so that the log's state is current */
		acq_planner_observe(run->planner, received, utility);
		MemoryContextSwitchTo(roundcxt);
		log_round(run, round, p, want, received, utility);
		if (job)
			acq_job_progress(job, (double) (run->s.budget - run->planner->budget_left) / run->s.budget,
							 "round %d", round);
		MemoryContextSwitchTo(old);
		MemoryContextReset(roundcxt);
		if (job)
			acq_job_commit_step(job);
	}
}

/* ---- SQL entry points ------------------------------------------------------- */

/* acq._check_acquire(...): the checks of acq.acquire, buying nothing */
Datum
acq_check_acquire(PG_FUNCTION_ARGS)
{
	AcqSpec		s;

	spec_from_args(fcinfo, &s);
	(void) check_spec(&s);
	PG_RETURN_VOID();
}

/* acq.acquire(...): a plan run in the caller's transaction */
Datum
acq_acquire(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "acq acquire", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	Run		   *run;
	Datum		values[6];
	bool		nulls[6];

	InitMaterializedSRF(fcinfo, 0);
	old = MemoryContextSwitchTo(cxt);
	run = palloc0(sizeof(Run));
	run->cxt = cxt;
	spec_from_args(fcinfo, &run->s);
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	MemoryContextSwitchTo(cxt);
	run->s.target = check_spec(&run->s);
	if (!OidIsValid(run->s.target))
		run->s.target = create_target(&run->s);
	run->plan_id = insert_plan(&run->s, 0);
	setup_run(run);
	set_plan_predicates(run);
	run_rounds(run, NULL);
	finish_plan(run, psprintf("bought %d records in " INT64_FORMAT " rounds",
							  (int) (run->s.budget - run->planner->budget_left), run->planner->rounds));
	run_summary(run, values, nulls);
	MemoryContextSwitchTo(old);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	SPI_finish();
	return (Datum) 0;
}

/* the job's params (jsonb text) as acq._check_acquire's arguments, through SQL */
static const char *create_plan_sql =
"SELECT acq._create_acquisition_plan("
"  ($1 OPERATOR(pg_catalog.->>) 'consumer')::pg_catalog.oid::pg_catalog.regclass,"
"  ($1 OPERATOR(pg_catalog.->>) 'provider')::pg_catalog.oid::pg_catalog.regclass,"
"  ($1 OPERATOR(pg_catalog.->>) 'target')::pg_catalog.name,"
"  ($1 OPERATOR(pg_catalog.->>) 'features')::pg_catalog.name,"
"  ($1 OPERATOR(pg_catalog.->>) 'label')::pg_catalog.name,"
"  ($1 OPERATOR(pg_catalog.->>) 'budget')::pg_catalog.int4,"
"  $1 OPERATOR(pg_catalog.->>) 'strategy',"
"  $1 OPERATOR(pg_catalog.->>) 'predicates',"
"  ($1 OPERATOR(pg_catalog.->>) 'id')::pg_catalog.name,"
"  $1 OPERATOR(pg_catalog.->>) 'task',"
"  (SELECT pg_catalog.array_agg(e::pg_catalog.float8) FROM pg_catalog.jsonb_array_elements_text(NULLIF($1 OPERATOR(pg_catalog.->) 'labels', 'null')) e),"
"  (SELECT pg_catalog.array_agg(e::pg_catalog.int4) FROM pg_catalog.jsonb_array_elements_text(NULLIF($1 OPERATOR(pg_catalog.->) 'grid_dims', 'null')) e),"
"  ($1 OPERATOR(pg_catalog.->>) 'grid_size')::pg_catalog.int4,"
"  (SELECT pg_catalog.array_agg(e) FROM pg_catalog.jsonb_array_elements_text(NULLIF($1 OPERATOR(pg_catalog.->) 'predicate_sql', 'null')) e),"
"  ($1 OPERATOR(pg_catalog.->>) 'batch')::pg_catalog.int4,"
"  ($1 OPERATOR(pg_catalog.->>) 'tau')::pg_catalog.int4,"
"  ($1 OPERATOR(pg_catalog.->>) 'l')::pg_catalog.float8,"
"  ($1 OPERATOR(pg_catalog.->>) 'delta')::pg_catalog.float8,"
"  $1 OPERATOR(pg_catalog.->>) 'allocation',"
"  ($1 OPERATOR(pg_catalog.->>) 'novelty_k')::pg_catalog.int4,"
"  ($1 OPERATOR(pg_catalog.->>) 'novelty_splits')::pg_catalog.int4,"
"  ($1 OPERATOR(pg_catalog.->>) 'scale')::pg_catalog.bool,"
"  ($1 OPERATOR(pg_catalog.->>) 'seed')::pg_catalog.int8,"
"  $2)";

PG_FUNCTION_INFO_V1(acq_create_acquisition_plan);

/* acq._create_acquisition_plan(<acquire's arguments>, job_id): target and plan row */
Datum
acq_create_acquisition_plan(PG_FUNCTION_ARGS)
{
	AcqSpec		s;
	int64		plan_id;

	spec_from_args(fcinfo, &s);
	acq_arg_require(fcinfo, 23, "job_id");
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	s.target = check_spec(&s);
	if (!OidIsValid(s.target))
		s.target = create_target(&s);
	plan_id = insert_plan(&s, PG_GETARG_INT64(23));
	SPI_finish();
	PG_RETURN_INT64(plan_id);
}

/*
 * A background job (the kind "acquire" of acq_job_kinds): create the plan
 * (or take the one to resume) in a first step, then run its rounds, one step
 * each; acq_acquisition_job_write finishes the plan with the last one.
 */
void
acq_acquisition_job_run(AcqJob *job)
{
	MemoryContext cxt = AllocSetContextCreate(job->cxt, "acq acquire job", ALLOCSET_DEFAULT_SIZES);
	Run		   *run = MemoryContextAllocZero(cxt, sizeof(Run));
	Oid			types[2] = {JSONBOID, INT8OID};
	Datum		v[2];
	bool		isnull;
	Elevation	e;

	job->state = run;
	run->cxt = cxt;
	run->keep_plans = true;
	/* as acq.acquire's SET clause: compiling acq's simple queries only costs */
	SetConfigOption("jit", "off", PGC_USERSET, PGC_S_SESSION);
	v[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(job->params));
	v[1] = Int64GetDatum(job->id);
	acq_spi_check(SPI_execute_with_args("SELECT ($1 OPERATOR(pg_catalog.->>) 'resume_plan')::pg_catalog.int8",
										1, types, v, NULL, false, 0), SPI_OK_SELECT, "reading the job");
	run->plan_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
	{
		acq_spi_check(SPI_execute_with_args(create_plan_sql, 2, types, v, NULL, false, 0),
					  SPI_OK_SELECT, "creating the plan");
		run->plan_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	else
	{
		/* a resumed plan is this job's now */
		Datum		a[2];
		Oid			t[2] = {INT8OID, INT8OID};

		a[0] = Int64GetDatum(run->plan_id);
		a[1] = Int64GetDatum(job->id);
		acq_elevate(&e);
		acq_spi_check(SPI_execute_with_args("UPDATE acq.acquisition_plans SET job_id = $2, status = 'running',"
											" message = NULL WHERE plan_id OPERATOR(pg_catalog.=) $1"
											" AND pg_catalog.pg_has_role(owner, 'MEMBER')",
											2, t, a, NULL, false, 0), SPI_OK_UPDATE, "taking the plan");
		acq_unelevate(&e);
		if (SPI_processed != 1)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("there is no acquisition plan " INT64_FORMAT " of yours to resume", run->plan_id)));
	}
	snprintf(job->label, sizeof(job->label), "plan " INT64_FORMAT, run->plan_id);
	MemoryContextSwitchTo(cxt);
	spec_from_plan(run->plan_id, &run->s);
	check_select(run->s.consumer, "consumer's table");
	check_select(run->s.provider, "provider's table");
	setup_run(run);
	set_plan_predicates(run);
	acq_job_commit_step(job);
	MemoryContextSwitchTo(cxt);

	run_rounds(run, job);
}

/* the plan finished, in the job's last step; the job's message */
char *
acq_acquisition_job_write(AcqJob *job)
{
	Run		   *run = (Run *) job->state;
	int			bought = (int) (run->s.budget - run->planner->budget_left);
	char	   *message;

	/* the run's context goes below: work in the job's */
	MemoryContextSwitchTo(job->cxt);
	finish_plan(run, psprintf("bought %d records in " INT64_FORMAT " rounds",
							  bought, run->planner->rounds));
	message = psprintf("plan " INT64_FORMAT ": bought %d records", run->plan_id, bought);
	if (run->buy_plan)
		SPI_freeplan(run->buy_plan);
	if (run->null_plan)
		SPI_freeplan(run->null_plan);
	if (run->log_plan)
		SPI_freeplan(run->log_plan);
	if (run->count_plan)
		SPI_freeplan(run->count_plan);
	MemoryContextDelete(run->cxt);
	job->state = NULL;
	return message;
}
