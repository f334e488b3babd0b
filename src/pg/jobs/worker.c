/*
 * worker.c -- the background worker that runs one job.
 *
 * The worker connects as the job's owner (never as a superuser).  Once the
 * submitting transaction has committed, it admits itself in a short
 * transaction of its own: under the admission lock it counts the jobs
 * running in the database and, if fewer than acq.max_jobs do, claims its row
 * ('running'); otherwise it leaves the job queued and exits.  It then runs
 * the job's kind (acq_job_kinds): run as the owner, write_result as the
 * extension's owner, and the row marked 'succeeded', in one transaction -- or
 * in steps, each committed (acq_job_commit_step).  An error (a cancel
 * included) rolls back what was not committed and records 'failed' or
 * 'cancelled' with the error.  When it ends it kicks the queue.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "pg/jobs/jobs.h"

PGDLLEXPORT void acq_job_worker_main(Datum main_arg);

#define CLAIM_POLL_MS 50
#define CLAIM_WAIT_MS 60000		/* for a row whose submitter has no xid */

typedef enum Admission
{
	ADMIT_RUN,					/* claimed: run it */
	ADMIT_WAIT,					/* not visible yet: look again */
	ADMIT_QUEUED,				/* acq.max_jobs run already: leave it queued */
	ADMIT_GONE					/* cancelled, taken, or rolled back */
} Admission;

/*
 * One admission attempt, in a transaction of its own, under the admission
 * lock so that two workers never both take the last slot.
 */
static Admission
admit_job(int64 job_id, char **params, char **kind)
{
	Datum		arg = Int64GetDatum(job_id);
	Oid			argtype = INT8OID;
	Elevation	e;
	Admission	result;
	char	   *max_memory;

	acq_worker_begin();
	acq_elevate(&e);
	acq_take_admission_lock();
	acq_spi_check(SPI_execute_with_args("SELECT status,"
									" (SELECT pg_catalog.count(*) FROM acq.jobs r"
									"   WHERE r.status OPERATOR(pg_catalog.=) 'running'"
									"     AND acq._worker_alive(r.worker_pid)),"
									" params::pg_catalog.text, kind,"
									" params OPERATOR(pg_catalog.->>) 'max_memory'"
									" FROM acq.jobs WHERE id OPERATOR(pg_catalog.=) $1",
									1, &argtype, &arg, NULL, false, 0),
			  SPI_OK_SELECT, "looking at the job");
	if (SPI_processed == 0)
		result = ADMIT_WAIT;
	else
	{
		char	   *status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		bool		isnull;
		int64		running = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														  SPI_tuptable->tupdesc, 2, &isnull));

		if (strcmp(status, "queued") != 0)
			result = ADMIT_GONE;
		else if (running >= acq_max_jobs)
		{
			/* no slot: the job waits without a worker, for the next kick */
			acq_spi_check(SPI_execute_with_args("UPDATE acq.jobs SET worker_requested_at = NULL"
											" WHERE id OPERATOR(pg_catalog.=) $1",
											1, &argtype, &arg, NULL, false, 0),
					  SPI_OK_UPDATE, "leaving the job queued");
			result = ADMIT_QUEUED;
		}
		else
		{
			*params = MemoryContextStrdup(TopMemoryContext,
										  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3));
			*kind = MemoryContextStrdup(TopMemoryContext,
										SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4));
			max_memory = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5);
			/* the submitter's acq.max_memory (acq_enqueue_job), for this session */
			if (max_memory != NULL)
				SetConfigOption("acq.max_memory", max_memory, PGC_USERSET, PGC_S_SESSION);
			acq_spi_check(SPI_execute_with_args("UPDATE acq.jobs SET status = 'running',"
											" worker_pid = pg_catalog.pg_backend_pid(),"
											" started_at = pg_catalog.clock_timestamp(), message = NULL"
											" WHERE id OPERATOR(pg_catalog.=) $1",
											1, &argtype, &arg, NULL, false, 0),
					  SPI_OK_UPDATE, "claiming the job");
			result = ADMIT_RUN;
		}
	}
	acq_unelevate(&e);
	acq_worker_commit();
	return result;
}

/*
 * Admit the job once its submitter has committed (poll while the submitting
 * transaction runs).  True if this worker is to run it.
 */
static bool
claim_job(const JobWorkerArgs *args, char **params, char **kind)
{
	int			waited = 0;
	bool		last_try = false;

	for (;;)
	{
		Admission	a = admit_job(args->job_id, params, kind);

		if (a == ADMIT_RUN)
			return true;
		if (a != ADMIT_WAIT || last_try)
			return false;
		/* one more look after the submitter ended, in case it just committed */
		if (TransactionIdIsValid(args->submitter_xid) ?
			!TransactionIdIsInProgress(args->submitter_xid) : waited >= CLAIM_WAIT_MS)
			last_try = true;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 CLAIM_POLL_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		waited += CLAIM_POLL_MS;
	}
}

static const AcqJobKind *
find_kind(const char *name)
{
	for (const AcqJobKind *k = acq_job_kinds; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown job kind \"%s\"", name)));
	return NULL;				/* keep compiler quiet */
}

void
acq_job_commit_step(AcqJob *job)
{
	acq_worker_commit();
	acq_worker_begin();
}

/*
 * Run the job as its owner and, in the same transaction, write its results
 * and mark it succeeded: all of what is left to commit commits, or none.
 */
static void
run_job(AcqJob *job, const AcqJobKind *kind)
{
	Datum		args[2];
	Oid			types[2] = {INT8OID, TEXTOID};
	Elevation	e;
	char	   *message;

	acq_worker_begin();
	kind->run(job);
	acq_elevate(&e);
	message = kind->write_result(job);
	args[0] = Int64GetDatum(job->id);
	args[1] = CStringGetTextDatum(message);
	acq_spi_check(SPI_execute_with_args("UPDATE acq.jobs SET status = 'succeeded', progress = 1,"
										" finished_at = pg_catalog.clock_timestamp(), message = $2"
										" WHERE id OPERATOR(pg_catalog.=) $1"
										" AND status OPERATOR(pg_catalog.=) 'running'",
										2, types, args, NULL, false, 0),
				  SPI_OK_UPDATE, "marking the job succeeded");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("job " INT64_FORMAT " was no longer running when it finished", job->id)));
	acq_unelevate(&e);
	acq_worker_commit();
}

/* record how a job ended badly, in a transaction of its own */
static void
record_failure(int64 job_id, ErrorData *edata)
{
	Datum		args[3];
	Oid			types[3] = {INT8OID, TEXTOID, TEXTOID};
	Elevation	e;

	args[0] = Int64GetDatum(job_id);
	args[1] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
	args[2] = CStringGetTextDatum(edata->message ? edata->message : "unknown error");

	acq_worker_begin();
	acq_elevate(&e);
	acq_spi_check(SPI_execute_with_args("UPDATE acq.jobs SET"
									" status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END,"
									" finished_at = pg_catalog.clock_timestamp(),"
									" error_sqlstate = $2, error_message = $3"
									" WHERE id OPERATOR(pg_catalog.=) $1"
									" AND status OPERATOR(pg_catalog.=) 'running'",
									3, types, args, NULL, false, 0),
			  SPI_OK_UPDATE, "recording the failure");
	acq_unelevate(&e);
	acq_worker_commit();
}

/* start workers for what waits in the queue, in a transaction of its own */
static void
worker_kick(void)
{
	Elevation	e;

	acq_worker_begin();
	acq_elevate(&e);
	acq_take_admission_lock();
	(void) acq_kick_queue();
	acq_unelevate(&e);
	acq_worker_commit();
}
void
acq_job_worker_main(Datum main_arg)
{
	JobWorkerArgs args;
	MemoryContext jobcxt;
	AcqJob		job;
	char	   *params = NULL;
	char	   *kind = NULL;
	char		appname[64];

	memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));

	pqsignal(SIGTERM, die);
	pqsignal(SIGINT, StatementCancelHandler);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();

	/* the job's own role, never a superuser's */
	BackgroundWorkerInitializeConnectionByOid(args.database, args.role, 0);
	snprintf(appname, sizeof(appname), "acq job " INT64_FORMAT, args.job_id);
	SetConfigOption("application_name", appname, PGC_USERSET, PGC_S_SESSION);
	pgstat_report_appname(appname);

	if (args.job_id == 0)
	{
		/* started by acq_kick_soon(): only kick the queue */
		worker_kick();
		proc_exit(0);
	}
	if (!claim_job(&args, &params, &kind))
		proc_exit(0);

	jobcxt = AllocSetContextCreate(TopMemoryContext, "acq job", ALLOCSET_DEFAULT_SIZES);
	memset(&job, 0, sizeof(job));
	job.id = args.job_id;
	job.role = args.role;
	job.kind = kind;
	job.params = params;
	job.cxt = jobcxt;
	acq_job_progress_start(&job);

	PG_TRY();
	{
		run_job(&job, find_kind(kind));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(jobcxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		/* keep the cause in the server log too */
		elog(LOG, "acq job " INT64_FORMAT " ended: %s", args.job_id, edata->message);
		record_failure(args.job_id, edata);
	}
	PG_END_TRY();

	acq_job_progress_end();
	worker_kick();
	proc_exit(0);
}
