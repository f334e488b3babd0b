/*
 * job.c -- an acquisition as a background job: the kind "acquire" of
 * acq_job_kinds, submitted by acq.submit_acquire and acq.resume_acquire
 * (here).  run creates the plan from the params (or takes the one to
 * resume) and sets it up in a first step, then runs its rounds, one step
 * each; write_result finishes the plan with the last one.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "pg/acquisition/acquisition.h"

PG_FUNCTION_INFO_V1(acq_submit_acquire);
PG_FUNCTION_INFO_V1(acq_resume_acquire);

#define ACQUIRE_NARGS ACQUISITION_NARGS

/* acq.submit_acquire's arguments ($1..$32) as the job's params */
static const char *params_sql =
"SELECT pg_catalog.jsonb_build_object("
"  'consumer', $1::pg_catalog.oid, 'consumer_name', $1::pg_catalog.text,"
"  'provider', $2::pg_catalog.oid, 'provider_name', $2::pg_catalog.text,"
"  'target', $3, 'features', $4, 'label', $5, 'budget', $6,"
"  'strategy', $7, 'predicates', $8, 'id', $9, 'task', $10,"
"  'labels', $11, 'grid_dims', $12, 'grid_size', $13,"
"  'predicate_sql', $14, 'batch', $15, 'tau', $16, 'l', $17,"
"  'delta', $18, 'allocation', $19, 'novelty_k', $20,"
"  'novelty_splits', $21, 'scale', $22, 'seed', $23,"
"  'validation', $24::pg_catalog.oid, 'validation_name', $24::pg_catalog.text,"
"  'model', $25, 'fairness_lambda', $26, 'curve_points', $27, 'curve_pooling', $28,"
"  'separation', $29, 'curve_min_exponent', $30, 'curve_hedge', $31, 'fill_cap', $32)";

/*
 * the job's params ($1, jsonb) back as acq.acquire's 32 arguments (a job
 * queued before curve's arguments, separation, curve_min_exponent,
 * curve_hedge or fill_cap existed gets their defaults; separation 1: the
 * paper's SPS, which it was submitted for; curve_min_exponent and
 * curve_hedge 0: the curve it was submitted for; fill_cap 0: EA 'fill'
 * without the cap)
 */
static const char *args_sql =
"SELECT ($1 OPERATOR(pg_catalog.->>) 'consumer')::pg_catalog.oid::pg_catalog.regclass,"
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
"  ($1 OPERATOR(pg_catalog.->>) 'validation')::pg_catalog.oid::pg_catalog.regclass,"
"  $1 OPERATOR(pg_catalog.->>) 'model',"
"  COALESCE(($1 OPERATOR(pg_catalog.->>) 'fairness_lambda')::pg_catalog.float8, 0),"
"  COALESCE(($1 OPERATOR(pg_catalog.->>) 'curve_points')::pg_catalog.int4, 5),"
"  COALESCE($1 OPERATOR(pg_catalog.->>) 'curve_pooling', 'auto'),"
"  COALESCE(($1 OPERATOR(pg_catalog.->>) 'separation')::pg_catalog.float8, 1),"
"  COALESCE(($1 OPERATOR(pg_catalog.->>) 'curve_min_exponent')::pg_catalog.float8, 0),"
"  COALESCE(($1 OPERATOR(pg_catalog.->>) 'curve_hedge')::pg_catalog.float8, 0),"
"  COALESCE(($1 OPERATOR(pg_catalog.->>) 'fill_cap')::pg_catalog.float8, 0)";

/* acq.submit_acquire(<acq.acquire's arguments>): checked, then queued */
Datum
acq_submit_acquire(PG_FUNCTION_ARGS)
{
	acquisition_check_args(fcinfo);
	PG_RETURN_INT64(acq_submit_job(fcinfo, "acquire", params_sql));
}

/*
 * acq.resume_acquire(plan_id): a plan the caller can see whose job died or
 * failed continues as a new job.  The new job takes the plan only if it is
 * still interrupted then (acquisition_take_plan): two resumes of one plan
 * never both run.
 */
Datum
acq_resume_acquire(PG_FUNCTION_ARGS)
{
	int64		plan_id;
	Oid			t = INT8OID;
	Datum		v;
	char	   *status;

	acq_arg_require(fcinfo, 0, "plan_id");
	plan_id = PG_GETARG_INT64(0);
	v = Int64GetDatum(plan_id);
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	acq_spi_check(SPI_execute_with_args("SELECT status FROM acq.acquisitions"
										" WHERE plan_id OPERATOR(pg_catalog.=) $1",
										1, &t, &v, NULL, false, 1),
				  SPI_OK_SELECT, "looking for the plan");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("there is no acquisition plan " INT64_FORMAT " that you can see", plan_id),
				 errhint("acq.acquisitions lists your plans.")));
	status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (strcmp(status, "interrupted") != 0 && strcmp(status, "failed") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("acquisition plan " INT64_FORMAT " is %s, not interrupted", plan_id, status),
				 errhint("Only a plan whose job died or failed can be resumed.")));
	SPI_finish();
	PG_RETURN_INT64(acq_submit_job(fcinfo, "acquire",
								   "SELECT pg_catalog.jsonb_build_object('resume_plan', $1)"));
}

/* a new plan from the job's params: its target and row; returns its id */
static int64
create_plan(AcqJob *job, Datum params)
{
	Oid			type = JSONBOID;
	LOCAL_FCINFO(args, ACQUIRE_NARGS);

	acq_spi_check(SPI_execute_with_args(args_sql, 1, &type, &params, NULL, false, 1),
				  SPI_OK_SELECT, "reading the job's arguments");
	InitFunctionCallInfoData(*args, NULL, ACQUIRE_NARGS, InvalidOid, NULL, NULL);
	for (int i = 0; i < ACQUIRE_NARGS; i++)
		args->args[i].value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1,
											&args->args[i].isnull);
	return acquisition_create_job_plan(args, job->id);
}

/* set-up, then the rounds (a foreign provider's server unreachable: one ERROR naming it) */
static void
job_steps(void *arg)
{
	AcqJob	   *job = arg;
	Run		   *run = (Run *) job->state;

	acquisition_setup_run(run);
	acquisition_set_predicate_names(run);
	acq_job_commit_step(job);
	MemoryContextSwitchTo(run->cxt);
	acquisition_run_rounds(run, job);
}

void
acq_acquisition_job_run(AcqJob *job)
{
	MemoryContext cxt = AllocSetContextCreate(job->cxt, "acq acquire job", ALLOCSET_DEFAULT_SIZES);
	Run		   *run = MemoryContextAllocZero(cxt, sizeof(Run));
	Oid			type = JSONBOID;
	Datum		params;
	bool		isnull;

	job->state = run;
	run->cxt = cxt;
	run->keep_plans = true;
	/* as acq.acquire's SET clause: compiling acq's simple queries only costs */
	SetConfigOption("jit", "off", PGC_USERSET, PGC_S_SESSION);
	params = DirectFunctionCall1(jsonb_in, CStringGetDatum(job->params));
	acq_spi_check(SPI_execute_with_args("SELECT ($1 OPERATOR(pg_catalog.->>) 'resume_plan')::pg_catalog.int8",
										1, &type, &params, NULL, false, 0), SPI_OK_SELECT, "reading the job");
	run->plan_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
	{
		/* the target's lock is taken there, for the worker's life (lock.c) */
		run->plan_id = create_plan(job, params);
		MemoryContextSwitchTo(cxt);
		acquisition_read_plan(run->plan_id, &run->s, NULL);
		acquisition_check_plan_tables(run->plan_id, &run->s, true);
	}
	else
	{
		MemoryContextSwitchTo(cxt);
		acquisition_read_plan(run->plan_id, &run->s, NULL);
		acquisition_check_plan_tables(run->plan_id, &run->s, true);
		/*
		 * The target's lock first (lock.c): a job that resumed the plan
		 * before this one, or another plan filling the target, has ended
		 * when it is granted; then the plan is this job's if it is still
		 * interrupted.
		 */
		acquisition_lock_target(run->s.target, true);
		acquisition_take_plan(run->plan_id, job->id);
		MemoryContextSwitchTo(cxt);
	}
	snprintf(job->label, sizeof(job->label), "plan " INT64_FORMAT, run->plan_id);
	acquisition_check_read_rights(&run->s);
	acq_on_server(acq_foreign_server(run->s.provider),
				  psprintf("the provider %s", acq_rel_display_name(run->s.provider)), job_steps, job);
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
