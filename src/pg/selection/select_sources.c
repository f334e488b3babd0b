/*
 * select_sources.c -- acq.select_sources, acq.subset_profits, acq.subset_gain.
 *
 * Thin: parse and check the arguments, read the rows (sources.c), build the
 * core's evaluator, run the method, and shape the result.  No math here.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "utils/guc.h"

#include "pg/selection/selection.h"

PG_FUNCTION_INFO_V1(acq_select_sources);
PG_FUNCTION_INFO_V1(acq_subset_profits);
PG_FUNCTION_INFO_V1(acq_subset_gain);
PG_FUNCTION_INFO_V1(acq_check_select_sources);

int			acq_max_exhaustive_sources = 20;

void
acq_selection_init(void)
{
	DefineCustomIntVariable("acq.max_exhaustive_sources",
							"Largest number of sources the exhaustive method and acq.subset_profits accept.",
							"Both train all 2^m - 1 subsets of m sources.",
							&acq_max_exhaustive_sources,
							20, 1, 62,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
}

/* where a function keeps the arguments every entry point shares */
typedef struct ProblemArgs
{
	int			task;
	int			source_column;
	int			sensitive;
	int			privileged;
	int			lambda;
	int			costs;
	int			cost_exponent;
	int			cost_scale;
	int			cost_offset;
	int			c;
	int			alpha;
	int			tol;
} ProblemArgs;

typedef struct Problem
{
	AcqLoadSpec spec;
	AcqEvalConfig cfg;
	AcqSourceData data;
	Jsonb	   *costs_json;		/* per-source costs as given, or NULL */
	double	   *given_costs;
} Problem;

static AcqTask
parse_task(const char *task)
{
	if (strcmp(task, "classification") == 0)
		return ACQ_TASK_CLASSIFICATION;
	if (strcmp(task, "f1") == 0)
		return ACQ_TASK_F1;
	if (strcmp(task, "fairness") == 0)
		return ACQ_TASK_FAIRNESS;
	if (strcmp(task, "regression") == 0)
		return ACQ_TASK_REGRESSION;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown task \"%s\"", task),
			 errhint("Use one of classification, f1, fairness, regression.")));
	return ACQ_TASK_CLASSIFICATION;
}

static double
arg_float8(FunctionCallInfo fcinfo, int argno, const char *name, double dflt)
{
	return PG_ARGISNULL(argno) ? dflt : PG_GETARG_FLOAT8(argno);
}

static int
arg_int(FunctionCallInfo fcinfo, int argno, const char *name, int dflt)
{
	return PG_ARGISNULL(argno) ? dflt : PG_GETARG_INT32(argno);
}

static void
check_nonneg(double v, const char *name)
{
	if (!(v >= 0.0) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number >= 0, not %g", name, v)));
}

/* {"source": cost, ...} -> a cost per source (0 for sources not named) */
static double *
parse_costs(Jsonb *jb, const AcqSourceData *data)
{
	double	   *costs = NULL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("costs must be a JSON object mapping source names to costs"),
				 errhint("For example costs => '{\"flights_ca\": 2.5, \"flights_tx\": 1}'.")));
	if (data != NULL)
		costs = palloc0(sizeof(double) * data->m);
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			int			s;
			double		c;

			for (s = 0; data != NULL && s < data->m; s++)
				if (strcmp(data->names[s], key) == 0)
					break;
			if (data != NULL && s == data->m)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("costs names \"%s\", which is not a source", key),
						 errhint("Sources are named by leaf partition name or by source_column value.")));
			if (v.type != jbvNumeric)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the cost of source \"%s\" is not a number", key)));
			c = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
												   NumericGetDatum(v.val.numeric)));
			if (!(c >= 0.0) || isinf(c))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the cost of source \"%s\" must be a finite number >= 0, not %g", key, c)));
			if (costs != NULL)
				costs[s] = c;
		}
	}
	return costs;
}

/* parse and check the shared arguments, without reading any row */
static void
parse_problem(FunctionCallInfo fcinfo, const ProblemArgs *ix, Problem *pr)
{
	char	   *task;
	Jsonb	   *costs = NULL;
	bool		has_exponent;
	bool		binary;

	memset(pr, 0, sizeof(*pr));
	acq_eval_default_config(&pr->cfg);

	pr->spec.sources = acq_arg_regclass(fcinfo, 0, "sources");
	pr->spec.validation = acq_arg_regclass(fcinfo, 1, "validation");
	pr->spec.features = acq_arg_name(fcinfo, 2, "features", true);
	pr->spec.label = acq_arg_name(fcinfo, 3, "label", true);
	task = acq_arg_text(fcinfo, ix->task, "task", true);
	pr->cfg.task = parse_task(task);
	pr->spec.source_column = acq_arg_name(fcinfo, ix->source_column, "source_column", false);
	pr->spec.sensitive = acq_arg_name(fcinfo, ix->sensitive, "sensitive", false);
	pr->spec.privileged = acq_arg_text(fcinfo, ix->privileged, "privileged", false);
	binary = (pr->cfg.task != ACQ_TASK_REGRESSION);
	pr->spec.binary_labels = binary;

	if (pr->cfg.task == ACQ_TASK_FAIRNESS && pr->spec.sensitive == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("task \"fairness\" needs a sensitive attribute"),
				 errhint("Pass sensitive => '<column>' (and privileged => '<value>' for a text column).")));
	if (pr->spec.privileged != NULL && pr->spec.sensitive == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("privileged is given but sensitive is not"),
				 errhint("privileged names the value of the sensitive column that marks the privileged group.")));

	pr->cfg.lambda = arg_float8(fcinfo, ix->lambda, "lambda", 10.0);
	check_nonneg(pr->cfg.lambda, "lambda");
	pr->cfg.logreg.C = arg_float8(fcinfo, ix->c, "c", 1.0);
	if (!(pr->cfg.logreg.C > 0.0) || isinf(pr->cfg.logreg.C))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("c must be a finite number > 0, not %g", pr->cfg.logreg.C),
				 errhint("c is logistic regression's inverse regularisation strength, as scikit-learn's C.")));
	pr->cfg.alpha = arg_float8(fcinfo, ix->alpha, "alpha", 0.0);
	check_nonneg(pr->cfg.alpha, "alpha");
	pr->cfg.logreg.tol = arg_float8(fcinfo, ix->tol, "tol", pr->cfg.logreg.tol);
	if (!(pr->cfg.logreg.tol > 0.0) || !(pr->cfg.logreg.tol < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tol must be in (0, 1), not %g", pr->cfg.logreg.tol),
				 errhint("tol is where the logistic fit stops: the largest entry of the mean log-loss gradient; 1e-6 by default, scikit-learn's 1e-4.")));

	/* cost model */
	if (!PG_ARGISNULL(ix->costs))
		costs = PG_GETARG_JSONB_P(ix->costs);
	has_exponent = !PG_ARGISNULL(ix->cost_exponent);
	if (costs && has_exponent)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("costs and cost_exponent are alternatives"),
				 errhint("Give per-source costs, or the gain-based cost model C(s) = cost_scale * (G(s) - cost_offset)^cost_exponent, not both.")));
	if (has_exponent)
	{
		pr->cfg.cost_mode = ACQ_COST_GAIN;
		pr->cfg.cost_exponent = PG_GETARG_INT32(ix->cost_exponent);
		if (pr->cfg.cost_exponent < 0 || pr->cfg.cost_exponent > 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cost_exponent must be 0, 1 or 2, not %d", pr->cfg.cost_exponent),
					 errhint("0, 1 and 2 give constant, linear and quadratic costs.")));
		pr->cfg.cost_scale = arg_float8(fcinfo, ix->cost_scale, "cost_scale", 0.01);
		check_nonneg(pr->cfg.cost_scale, "cost_scale");
		pr->cfg.cost_offset = arg_float8(fcinfo, ix->cost_offset, "cost_offset", 0.0);
		if (!isfinite(pr->cfg.cost_offset))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cost_offset must be finite")));
	}

	pr->costs_json = costs;
	if (costs)
		(void) parse_costs(costs, NULL);	/* the shape and values; names once read */
}

/* parse the shared arguments, read the data and check it */
static void
load_problem(FunctionCallInfo fcinfo, const ProblemArgs *ix, Problem *pr)
{
	bool		binary;

	parse_problem(fcinfo, ix, pr);
	binary = pr->spec.binary_labels;
	acq_load_sources(&pr->spec, &pr->data);

	if (pr->costs_json)
	{
		pr->given_costs = parse_costs(pr->costs_json, &pr->data);
		pr->cfg.cost_mode = ACQ_COST_GIVEN;
		pr->cfg.given_costs = pr->given_costs;
	}

	if (binary)
	{
		/* the union of all sources must hold both classes */
		int64		ones = 0;
		int			s;
		int64		i;

		for (s = 0; s < pr->data.m; s++)
			for (i = 0; i < pr->data.blocks[s].n; i++)
				ones += (pr->data.blocks[s].y[i] != 0.0);
		if (ones == 0 || ones == pr->data.total_rows)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("the sources hold a single class (every label is %d)", ones ? 1 : 0),
					 errhint("A classifier needs rows of both classes 0 and 1.")));
	}
}

/* enumerating all 2^m - 1 subsets is refused above acq.max_exhaustive_sources */
static void
check_exhaustive_limit(int m, const char *hint)
{
	if (m > acq_max_exhaustive_sources)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d sources have %.0f non-empty subsets to train", m, ldexp(1.0, m) - 1),
				 errdetail("acq.max_exhaustive_sources is %d.", acq_max_exhaustive_sources),
				 errhint("%s", hint)));
}

/* say what the user should know about the models behind a result */
static void
report_models(const AcqEvaluator *ev)
{
	int			single,
				unconverged;

	acq_eval_model_counts(ev, &single, &unconverged);
	if (single > 0)
		ereport(NOTICE,
				(errmsg("%d of the %d subsets trained held a single class and were scored with a constant model",
						single, acq_eval_models_trained(ev))));
	if (unconverged > 0)
		ereport(WARNING,
				(errmsg("the logistic regression of %d of the %d subsets trained did not converge",
						unconverged, acq_eval_models_trained(ev)),
				 errhint("Their scores come from the last Newton iterate; standardise the features or lower c.")));
}

static AcqEvaluator *
make_evaluator(Problem *pr)
{
	char		err[256];
	AcqEvaluator *ev = acq_eval_create(pr->data.m, pr->data.p, pr->data.blocks,
									   &pr->data.validation, &pr->cfg,
									   err, sizeof(err));

	if (ev == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s", err)));
	return ev;
}

static Datum
set_names_array(const Problem *pr, const AcqSet *set)
{
	Datum	   *d = palloc(sizeof(Datum) * pr->data.m);
	int			n = 0,
				s;

	for (s = 0; s < pr->data.m; s++)
		if (acq_set_has(set, s))
			d[n++] = CStringGetTextDatum(pr->data.names[s]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * The search parameters of acq.select_sources (arguments 14..18).  m is the
 * number of sources, or -1 before the data is read (job submission): then
 * only the checks that do not depend on m are made.
 */
static void
parse_select_params(FunctionCallInfo fcinfo, AcqSelectParams *prm, int m)
{
	acq_select_default_params(prm, m > 0 ? m : 1);
	prm->s_max = arg_int(fcinfo, 14, "s_max", m > 0 ? prm->s_max : 1);
	prm->k_max = arg_int(fcinfo, 15, "k_max", m > 0 ? prm->k_max : 1);
	prm->iterations = arg_int(fcinfo, 16, "iterations", prm->iterations);
	prm->rcl_size = arg_int(fcinfo, 17, "rcl_size", prm->rcl_size);
	prm->samples = arg_int(fcinfo, 18, "samples", prm->samples);
	if (prm->s_max < 1 || (m > 0 && prm->s_max > m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 m > 0 ? errmsg("s_max must be between 1 and the number of sources (%d), not %d", m, prm->s_max)
				 : errmsg("s_max must be at least 1, not %d", prm->s_max)));
	if (prm->k_max < 1 || (m > 0 && prm->k_max > m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 m > 0 ? errmsg("k_max must be between 1 and the number of sources (%d), not %d", m, prm->k_max)
				 : errmsg("k_max must be at least 1, not %d", prm->k_max),
				 m > 0 ? errhint("A splicing round swaps at most min(|active|, |inactive|) <= %d sources.", m / 2) : 0));
	if (prm->iterations < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("iterations must be at least 1, not %d", prm->iterations)));
	if (prm->rcl_size < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rcl_size must be at least 1, not %d", prm->rcl_size)));
	if (prm->samples < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("samples must be at least 1, not %d", prm->samples)));
}

/* ---- when acq.select_sources runs inside a job's worker ---- */
static const Problem *job_problem;	/* names the sources of the subsets kept */

static void
job_progress(void *arg, double fraction)
{
	AcqSelectionJob *sj = (AcqSelectionJob *) arg;

	sj->progress = fraction;
	acq_job_progress(sj->job, sj->progress, "%d models trained", sj->models_trained);
}

/*
 * Every model trained: report it, and keep the subset for the job's plan
 * (the job writes them all when the search ends).
 */
static void
job_model_trained(void *arg, const AcqEvalEntry *entry, int models_trained)
{
	AcqSelectionJob *sj = (AcqSelectionJob *) arg;
	MemoryContext old = MemoryContextSwitchTo(sj->job->cxt);
	AcqJobSubset *s;

	if (sj->nsubsets == sj->subsets_capacity)
	{
		sj->subsets_capacity = sj->subsets_capacity ? 2 * sj->subsets_capacity : 1024;
		sj->subsets = sj->subsets
			? repalloc_huge(sj->subsets, mul_size(sj->subsets_capacity, sizeof(AcqJobSubset)))
			: palloc_extended(mul_size(sj->subsets_capacity, sizeof(AcqJobSubset)), MCXT_ALLOC_HUGE);
	}
	s = &sj->subsets[sj->nsubsets++];
	s->sources = set_names_array(job_problem, &entry->set);
	s->gain = entry->gain;
	s->cost = entry->cost;
	s->profit = entry->profit;
	s->n_rows = entry->n_rows;
	MemoryContextSwitchTo(old);
	sj->models_trained = models_trained;
	acq_job_progress(sj->job, sj->progress, "%d models trained", sj->models_trained);
}

/* the search methods, by their SQL names */
typedef struct SelectMethod
{
	const char *name;
	AcqStatus	(*run) (AcqEvaluator *, const AcqSelectParams *, AcqSelectResult *);
} SelectMethod;

static const SelectMethod select_methods[] = {
	{"splice", acq_select_splice},
	{"grasp", acq_select_grasp},
	{"greedy", acq_select_greedy},
	{"random", acq_select_random},
	{"exhaustive", acq_select_exhaustive},
	{"datamodels", acq_select_datamodels},
};

static const SelectMethod *
find_method(const char *name)
{
	int			i;

	for (i = 0; i < (int) lengthof(select_methods); i++)
		if (strcmp(select_methods[i].name, name) == 0)
			return &select_methods[i];
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown method \"%s\"", name),
			 errhint("Use one of splice, grasp, greedy, random, exhaustive, datamodels.")));
	return NULL;				/* keep compiler quiet */
}

/*
 * acq.select_sources(sources, validation, features, label, method, task,
 *     source_column, sensitive, privileged, lambda, costs, cost_exponent,
 *     cost_scale, cost_offset, s_max, k_max, iterations, rcl_size, samples,
 *     c, alpha, seed)
 */
Datum
acq_select_sources(PG_FUNCTION_ARGS)
{
	static const ProblemArgs ix = {5, 6, 7, 8, 9, 10, 11, 12, 13, 19, 20, 22};
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext work;
	Problem		pr;
	const SelectMethod *method;
	AcqEvaluator *ev;
	AcqSelectParams prm;
	AcqSelectResult res;
	AcqStatus	st;
	AcqRng		rng;
	pg_prng_state prng;
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false};
	HeapTuple	tuple;
	int			m;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	work = AllocSetContextCreate(caller, "acq select sources", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work);
	method = find_method(acq_arg_text(fcinfo, 4, "method", true));

	load_problem(fcinfo, &ix, &pr);
	m = pr.data.m;

	parse_select_params(fcinfo, &prm, m);
	if (method->run == acq_select_exhaustive)
		check_exhaustive_limit(m, "Use method => 'splice', or raise acq.max_exhaustive_sources.");

	acq_pg_rng_init(&rng, &prng, PG_ARGISNULL(21) ? 0 : PG_GETARG_INT64(21));
	prm.rng = &rng;

	ev = make_evaluator(&pr);
	if (acq_selection_job != NULL)
	{
		/* running as a background job: report progress as it goes */
		AcqSelectionJob *sj = acq_selection_job;

		strlcpy(sj->job->label, method->name, sizeof(sj->job->label));
		sj->nsubsets = 0;
		sj->subsets_capacity = 0;
		sj->subsets = NULL;
		job_problem = &pr;
		prm.progress = job_progress;
		prm.progress_arg = sj;
		acq_eval_set_callback(ev, job_model_trained, sj);
	}
	st = method->run(ev, &prm, &res);
	if (st != ACQ_OK)
		elog(ERROR, "source selection method %s failed with status %d",
			 method->name, (int) st);
	report_models(ev);

	values[0] = set_names_array(&pr, &res.best);
	values[1] = Float8GetDatum(res.gain);
	values[2] = Float8GetDatum(res.cost);
	values[3] = Float8GetDatum(res.profit);
	values[4] = Int32GetDatum(acq_eval_models_trained(ev));
	values[5] = Int64GetDatum(res.n_rows);

	MemoryContextSwitchTo(caller);
	tupdesc = BlessTupleDesc(tupdesc);
	tuple = heap_form_tuple(tupdesc, values, nulls);
	MemoryContextDelete(work);
	PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}

/*
 * acq.subset_profits(sources, validation, features, label, task,
 *     source_column, sensitive, privileged, lambda, costs, cost_exponent,
 *     cost_scale, cost_offset, c, alpha): every non-empty subset.
 */
Datum
acq_subset_profits(PG_FUNCTION_ARGS)
{
	static const ProblemArgs ix = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext work;
	Problem		pr;
	AcqEvaluator *ev;
	uint64		mask,
				nmask;

	InitMaterializedSRF(fcinfo, 0);
	work = AllocSetContextCreate(caller, "acq subset profits", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work);

	load_problem(fcinfo, &ix, &pr);
	check_exhaustive_limit(pr.data.m, "Raise acq.max_exhaustive_sources to enumerate them all.");
	ev = make_evaluator(&pr);
	(void) acq_eval_source_cost(ev, 0);

	nmask = (uint64) 1 << pr.data.m;
	/* Gray-code order: consecutive subsets differ by one source (warm starts) */
	for (mask = 1; mask < nmask; mask++)
	{
		AcqSet		s = acq_set_from_mask(acq_gray_code(mask));
		const AcqEvalEntry *e = acq_eval_lookup(ev, &s);
		AcqEvalEntry cur;
		Datum		values[5];
		bool		nulls[5] = {false};

		if (e == NULL)
		{
			acq_eval_compute(ev, &s, &cur);
			e = &cur;
		}
		values[0] = set_names_array(&pr, &s);
		values[1] = Float8GetDatum(e->gain);
		values[2] = Float8GetDatum(e->cost);
		values[3] = Float8GetDatum(e->profit);
		values[4] = Int64GetDatum(e->n_rows);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		pfree(DatumGetPointer(values[0]));
	}
	report_models(ev);
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
	return (Datum) 0;
}

/*
 * acq.subset_gain(sources, validation, features, label, subset, task,
 *     source_column, sensitive, privileged, lambda, costs, cost_exponent,
 *     cost_scale, cost_offset, c, alpha): one subset, with its metrics.
 */
Datum
acq_subset_gain(PG_FUNCTION_ARGS)
{
	static const ProblemArgs ix = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext work;
	Problem		pr;
	AcqEvaluator *ev;
	ArrayType  *subset;
	Datum	   *elems;
	bool	   *enulls;
	int			nelems,
				i,
				s;
	AcqSet		set;
	const AcqEvalEntry *e;
	TupleDesc	tupdesc;
	Datum		values[9];
	bool		nulls[9] = {false};
	HeapTuple	tuple;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	acq_arg_require(fcinfo, 4, "subset");
	work = AllocSetContextCreate(caller, "acq subset gain", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work);

	subset = PG_GETARG_ARRAYTYPE_P(4);
	if (ARR_NDIM(subset) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("subset must be a one-dimensional text[] of source names")));
	deconstruct_array(subset, TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &nelems);
	if (nelems == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("subset is empty"),
				 errhint("Name at least one source.")));

	load_problem(fcinfo, &ix, &pr);
	acq_set_clear(&set);
	for (i = 0; i < nelems; i++)
	{
		char	   *name;

		if (enulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("subset contains a NULL source name")));
		name = TextDatumGetCString(elems[i]);
		for (s = 0; s < pr.data.m; s++)
			if (strcmp(pr.data.names[s], name) == 0)
				break;
		if (s == pr.data.m)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" is not a source", name),
					 errhint("Sources are named by leaf partition name or by source_column value.")));
		acq_set_add(&set, s);
	}

	ev = make_evaluator(&pr);
	e = acq_eval_get(ev, &set);
	if (e->single_class && pr.cfg.task != ACQ_TASK_REGRESSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the subset's rows hold a single class"),
				 errhint("A classifier needs rows of both classes 0 and 1.")));

	values[0] = Float8GetDatum(e->gain);
	values[1] = Float8GetDatum(e->cost);
	values[2] = Float8GetDatum(e->profit);
	values[3] = Int64GetDatum(e->n_rows);
	values[4] = Float8GetDatum(e->accuracy);
	values[5] = Float8GetDatum(e->f1);
	values[6] = Float8GetDatum(e->tpr_gap);
	values[7] = Float8GetDatum(e->mse);
	values[8] = Float8GetDatum(e->r2);
	for (i = 4; i < 9; i++)
		nulls[i] = isnan(DatumGetFloat8(values[i]));

	MemoryContextSwitchTo(caller);
	tupdesc = BlessTupleDesc(tupdesc);
	tuple = heap_form_tuple(tupdesc, values, nulls);
	MemoryContextDelete(work);
	PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}

/*
 * acq._check_select_sources(<the arguments of acq.select_sources>): every
 * check that needs no row, so that acq.submit_select_sources refuses bad
 * arguments at once instead of failing later in the worker.
 */
Datum
acq_check_select_sources(PG_FUNCTION_ARGS)
{
	static const ProblemArgs ix = {5, 6, 7, 8, 9, 10, 11, 12, 13, 19, 20, 22};
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext work;
	Problem		pr;
	AcqSelectParams prm;
	HeapTuple	roletup;
	bool		canlogin;

	work = AllocSetContextCreate(caller, "acq check select sources", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work);
	(void) find_method(acq_arg_text(fcinfo, 4, "method", true));
	parse_problem(fcinfo, &ix, &pr);
	parse_select_params(fcinfo, &prm, -1);
	acq_check_load_spec(&pr.spec);

	/* a background worker connects as the submitting role: it must log in */
	roletup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(GetUserId()));
	if (!HeapTupleIsValid(roletup))
		elog(ERROR, "cache lookup failed for role %u", GetUserId());
	canlogin = ((Form_pg_authid) GETSTRUCT(roletup))->rolcanlogin;
	ReleaseSysCache(roletup);
	if (!canlogin)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" cannot run background jobs because it cannot log in",
						GetUserNameFromId(GetUserId(), false)),
				 errhint("A job's worker connects as the role that submits it; submit as a role with LOGIN, or call acq.select_sources directly.")));

	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
	PG_RETURN_VOID();
}
