/*
 * entry.c -- the SQL entry points of source selection: acq.select_sources,
 * acq.subset_profits, acq.subset_gain and the submission check
 * acq._check_select_sources; the search methods by name; a job's progress.
 *
 * Thin: the arguments and the data come from problem.c, the rows from
 * sources.c; here the method runs and the result is shaped.  No math here.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "utils/guc.h"

#include "pg/selection/selection.h"

PG_FUNCTION_INFO_V1(acq_select_sources);
PG_FUNCTION_INFO_V1(acq_subset_profits);
PG_FUNCTION_INFO_V1(acq_subset_gain);

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
	s->sources = acq_set_names_array(job_problem, &entry->set);
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
 *     c, alpha, seed, tol, tie_break, restarts)
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

	acq_load_problem(fcinfo, &ix, &pr);
	m = pr.data.m;

	acq_parse_select_params(fcinfo, &prm, m);
	if (method->run == acq_select_exhaustive)
		acq_check_exhaustive_limit(m, "Use method => 'splice', or raise acq.max_exhaustive_sources.");

	acq_pg_rng_init(&rng, &prng, PG_ARGISNULL(21) ? 0 : PG_GETARG_INT64(21));
	prm.rng = &rng;

	ev = acq_make_evaluator(&pr);
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
	acq_report_models(ev);

	values[0] = acq_set_names_array(&pr, &res.best);
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

	acq_load_problem(fcinfo, &ix, &pr);
	acq_check_exhaustive_limit(pr.data.m, "Raise acq.max_exhaustive_sources to enumerate them all.");
	ev = acq_make_evaluator(&pr);
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
		values[0] = acq_set_names_array(&pr, &s);
		values[1] = Float8GetDatum(e->gain);
		values[2] = Float8GetDatum(e->cost);
		values[3] = Float8GetDatum(e->profit);
		values[4] = Int64GetDatum(e->n_rows);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		pfree(DatumGetPointer(values[0]));
	}
	acq_report_models(ev);
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

	acq_load_problem(fcinfo, &ix, &pr);
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

	ev = acq_make_evaluator(&pr);
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
 * The checks of acq.submit_select_sources (the arguments of
 * acq.select_sources): every check that needs no row, so that a bad
 * argument is refused at once instead of failing later in the worker.
 */
void
acq_selection_check_args(FunctionCallInfo fcinfo)
{
	static const ProblemArgs ix = {5, 6, 7, 8, 9, 10, 11, 12, 13, 19, 20, 22};
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext work;
	Problem		pr;
	AcqSelectParams prm;

	work = AllocSetContextCreate(caller, "acq check select sources", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work);
	(void) find_method(acq_arg_text(fcinfo, 4, "method", true));
	acq_parse_problem(fcinfo, &ix, &pr);
	acq_parse_select_params(fcinfo, &prm, -1);
	acq_check_load_spec(&pr.spec);
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(work);
}
