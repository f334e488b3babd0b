/*
 * job.c -- an acquisition as a background job: the kind "acquire" of
 * acq_job_kinds (acq.submit_acquire, acq.resume_acquire).  run creates the
 * plan through acq._create_acquisition_plan (or takes the one to resume) and
 * sets it up in a first step, then runs its rounds, one step each;
 * write_result finishes the plan with the last one.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "pg/acquisition/acquisition.h"

/* the job's params (jsonb text) as acq._check_acquire's arguments, through SQL */
static const char *create_plan_sql =
"SELECT acq._create_acquisition_plan("
"  ($1 OPERATOR(pg_catalog.->>) 'consumer')::pg_catalog.oid::pg_catalog.regclass,"
"  ($1 OPERATOR(pg_catalog.->>) 'provider')::pg_catalog.oid::pg_catalog.regclass,"
"  $1 OPERATOR(pg_catalog.->>) 'target',"
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

void
acq_acquisition_job_run(AcqJob *job)
{
	MemoryContext cxt = AllocSetContextCreate(job->cxt, "acq acquire job", ALLOCSET_DEFAULT_SIZES);
	Run		   *run = MemoryContextAllocZero(cxt, sizeof(Run));
	Oid			types[2] = {JSONBOID, INT8OID};
	Datum		v[2];
	bool		isnull;

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
		acquisition_take_plan(run->plan_id, job->id);	/* a resumed plan is this job's now */
	snprintf(job->label, sizeof(job->label), "plan " INT64_FORMAT, run->plan_id);
	MemoryContextSwitchTo(cxt);
	acquisition_read_plan(run->plan_id, &run->s, NULL);
	acquisition_check_plan_tables(run->plan_id, &run->s, true);
	acquisition_check_read_rights(&run->s);
	acquisition_setup_run(run);
	acquisition_set_predicate_names(run);
	acq_job_commit_step(job);
	MemoryContextSwitchTo(cxt);

	acquisition_run_rounds(run, job);
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
	acquisition_finish_plan(run);
	message = psprintf("plan " INT64_FORMAT ": bought %d records", run->plan_id, bought);
	acquisition_free_plans(run);
	MemoryContextDelete(run->cxt);
	job->state = NULL;
	return message;
}
