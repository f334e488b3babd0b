/*
 * entry.c -- an acquisition's entry points: acq.acquire (a plan run in the
 * caller's transaction, all or nothing), its checks buying nothing
 * (acq.submit_acquire's) and the target and plan row (the first step of a
 * job).
 */
#include "postgres.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "pg/acquisition/acquisition.h"

PG_FUNCTION_INFO_V1(acq_acquire);

/*
 * The checks, the target (created if need be) and the plan row; returns its
 * id.  First the target's lock (lock.c): acq.acquire's for its transaction,
 * a job's for its worker's life -- only in a background worker, so that a
 * session calling 0.1.0's acq._create_acquisition_plan (compat.c) keeps no lock past
 * its transaction.
 */
static int64
create_plan(AcqSpec *s, int64 job_id)
{
	acquisition_lock_target_name(s, job_id > 0 && IsBackgroundWorker);
	s->target = acquisition_check_spec(s);
	acquisition_check_target_snapshot(s, s->target);
	if (!OidIsValid(s->target))
		s->target = acquisition_create_target(s);
	return acquisition_insert_plan(s, job_id);
}

/* acq.acquire's row: plan_id, bought, rounds, budget_left, predicate_names, counts */
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
	values[4] = acq_text_array_datum(names, run->np);
	values[5] = acq_int4_array_datum(counts, run->np);
	memset(nulls, 0, sizeof(bool) * 6);
}

/* the checks of acq.acquire (fcinfo holds its arguments), buying nothing */
void
acquisition_check_args(FunctionCallInfo fcinfo)
{
	AcqSpec		s;

	acquisition_spec_from_args(fcinfo, &s);
	(void) acquisition_check_spec(&s);
}

static void
run_all(void *arg)
{
	Run		   *run = arg;

	acquisition_setup_run(run);
	acquisition_set_predicate_names(run);
	acquisition_run_rounds(run, NULL);
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
	acquisition_spec_from_args(fcinfo, &run->s);
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	MemoryContextSwitchTo(cxt);
	run->plan_id = create_plan(&run->s, 0);
	acq_on_server(acq_foreign_server(run->s.provider),
				  psprintf("the provider %s", acq_rel_display_name(run->s.provider)), run_all, run);
	acquisition_finish_plan(run);
	run_summary(run, values, nulls);
	MemoryContextSwitchTo(old);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	SPI_finish();
	return (Datum) 0;
}

/*
 * A job's first step: the target and the plan row, from acq.acquire's
 * arguments (fcinfo); the caller is connected to SPI.  Returns the plan's id.
 */
int64
acquisition_create_job_plan(FunctionCallInfo fcinfo, int64 job_id)
{
	AcqSpec		s;

	acquisition_spec_from_args(fcinfo, &s);
	return create_plan(&s, job_id);
}
