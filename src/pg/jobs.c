/*
 * jobs.c -- background jobs: dispatch, and the worker that runs one job.
 *
 * A job is a row of acq.jobs.  acq.submit_select_sources checks the
 * arguments, inserts the row ('queued') and calls acq._dispatch(), which
 * starts one dynamic background worker per job while fewer than
 * acq.max_jobs run in the database ('starting').  The worker connects as the
 * job's owner (never as a superuser), claims the row ('running'), runs
 * acq.select_sources through SPI -- so it reads exactly what its role may
 * read -- and, in the transaction that marks the job 'succeeded', writes the
 * plan and every subset trained.  An error (a cancel included) rolls all of
 * that back and records 'failed' or 'cancelled' with the error.  When it
 * ends, the worker dispatches the jobs waiting behind it.
 *
 * A worker that dies (killed, server crash or restart) leaves its row
 * 'running': acq.job_status shows such a job as failed at once, and the next
 * dispatch records it so (docs/jobs.md).
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
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
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "acq_pg.h"

PG_FUNCTION_INFO_V1(acq_dispatch);
PGDLLEXPORT void acq_job_worker_main(Datum main_arg);

int			acq_max_jobs = 4;
AcqJobContext *acq_current_job = NULL;

/* what a job's worker is told at start (bgw_extra) */
typedef struct JobWorkerArgs
{
	Oid			database;
	Oid			role;
	int64		job_id;
	TransactionId dispatcher_xid;	/* the job's row is visible once it commits */
} JobWorkerArgs;

/* how long a worker waits for the row of a job whose submitter has not committed */
#define CLAIM_WAIT_MS 60000
#define CLAIM_POLL_MS 50

#define DISPATCH_LOCK_KEY 1633907505	/* "acq1" as an int: serialises dispatchers */

/*
 * The condition under which a 'starting' or 'running' job's worker is gone.
 * acq.job_status (sql/acq.sql) shows the same condition as 'failed'.
 */
#define DEAD_WORKER_SQL \
	"(COALESCE(j.started_at, j.dispatched_at) OPERATOR(pg_catalog.<) pg_catalog.pg_postmaster_start_time()" \
	" OR (j.status OPERATOR(pg_catalog.=) 'running' AND NOT EXISTS (" \
	"       SELECT 1 FROM pg_catalog.pg_stat_activity a" \
	"        WHERE a.pid OPERATOR(pg_catalog.=) j.worker_pid AND a.backend_type OPERATOR(pg_catalog.=) 'acq job'))" \
	" OR (j.status OPERATOR(pg_catalog.=) 'starting' AND j.dispatched_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '60 seconds')))"

/*
 * Report a running job's progress in pg_stat_activity, which acq.job_status
 * reads: after every model trained and every step of the search (a write to
 * the backend's own shared-memory slot, no transaction).
 */
void
acq_job_report(AcqJobContext *job, int models_trained, bool force)
{
	char		msg[256];
	static int	last_models = 0;

	if (models_trained >= 0)
		last_models = models_trained;
	snprintf(msg, sizeof(msg), "acq job " INT64_FORMAT " (select_sources, %s): progress %.3f, %d models trained",
			 job->job_id, job->method ? job->method : "?", job->progress, last_models);
	pgstat_report_activity(STATE_RUNNING, msg);
}

static bool
start_worker(int64 job_id, Oid role)
{
	BackgroundWorker w;
	JobWorkerArgs args;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "acq");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "acq_job_worker_main");
	snprintf(w.bgw_name, BGW_MAXLEN, "acq job " INT64_FORMAT, job_id);
	snprintf(w.bgw_type, BGW_MAXLEN, "acq job");
	args.database = MyDatabaseId;
	args.role = role;
	args.job_id = job_id;
	args.dispatcher_xid = GetTopTransactionIdIfAny();
	memcpy(w.bgw_extra, &args, sizeof(args));
	w.bgw_main_arg = Int64GetDatum(job_id);
	w.bgw_notify_pid = 0;
	return RegisterDynamicBackgroundWorker(&w, NULL);
}

static void
spi_check(int ret, int expected, const char *what)
{
	if (ret != expected)
		elog(ERROR, "%s failed: %s", what, SPI_result_code_string(ret));
}

/*
 * acq._dispatch(): record jobs whose worker died as failed, then start
 * queued jobs, oldest first, while fewer than acq.max_jobs are starting or
 * running in this database.  Returns how many it started.
 */
Datum
acq_dispatch(PG_FUNCTION_ARGS)
{
	int64		active;
	int			started = 0;
	uint64		i;
	bool		isnull;
	int			ret;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));

	spi_check(SPI_execute("SELECT pg_catalog.pg_advisory_xact_lock(" CppAsString2(DISPATCH_LOCK_KEY) ")",
						  false, 0), SPI_OK_SELECT, "taking the dispatch lock");

	spi_check(SPI_execute("UPDATE acq.jobs j SET status = 'failed',"
						  " finished_at = pg_catalog.clock_timestamp(), error_sqlstate = '57P02',"
						  " error_message = 'the job''s worker exited without finishing"
						  " (killed, server crash or restart); nothing of it was kept; submit it again'"
						  " WHERE j.status OPERATOR(pg_catalog.=) ANY ('{starting,running}') AND " DEAD_WORKER_SQL,
						  false, 0), SPI_OK_UPDATE, "recording dead jobs");

	spi_check(SPI_execute("SELECT pg_catalog.count(*) FROM acq.jobs"
						  " WHERE status OPERATOR(pg_catalog.=) ANY ('{starting,running}')",
						  false, 0), SPI_OK_SELECT, "counting running jobs");
	active = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

	if (active < acq_max_jobs)
	{
		Datum		lim = Int64GetDatum(acq_max_jobs - active);
		Oid			limtype = INT8OID;
		SPITupleTable *queued;
		uint64		nqueued;

		spi_check(SPI_execute_with_args("SELECT id, owner::pg_catalog.oid FROM acq.jobs"
										" WHERE status OPERATOR(pg_catalog.=) 'queued'"
										" ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
										1, &limtype, &lim, NULL, false, 0),
				  SPI_OK_SELECT, "reading queued jobs");
		queued = SPI_tuptable;
		nqueued = SPI_processed;
		for (i = 0; i < nqueued; i++)
		{
			int64		id = DatumGetInt64(SPI_getbinval(queued->vals[i], queued->tupdesc, 1, &isnull));
			Oid			owner = DatumGetObjectId(SPI_getbinval(queued->vals[i], queued->tupdesc, 2, &isnull));
			Datum		idd = Int64GetDatum(id);
			Oid			idtype = INT8OID;

			if (!start_worker(id, owner))
			{
				spi_check(SPI_execute_with_args("UPDATE acq.jobs SET message ="
												" 'waiting for a free background worker slot (max_worker_processes)'"
												" WHERE id OPERATOR(pg_catalog.=) $1",
												1, &idtype, &idd, NULL, false, 0),
						  SPI_OK_UPDATE, "marking a job as waiting");
				break;
			}
			spi_check(SPI_execute_with_args("UPDATE acq.jobs SET status = 'starting',"
											" dispatched_at = pg_catalog.clock_timestamp(), message = NULL"
											" WHERE id OPERATOR(pg_catalog.=) $1",
											1, &idtype, &idd, NULL, false, 0),
					  SPI_OK_UPDATE, "marking a job as starting");
			started++;
		}
	}
	SPI_finish();
	PG_RETURN_INT32(started);
}

/*
 * Claim the job: its row becomes visible when the dispatching transaction
 * commits, so poll for it while that transaction runs.  False if the job is
 * gone (its submitter rolled back) or no longer 'starting' (cancelled
 * meanwhile).
 */
static bool
claim_job(int64 job_id, TransactionId dispatcher, char **params)
{
	bool		last_try = false;
	Datum		arg = Int64GetDatum(job_id);
	Oid			argtype = INT8OID;
	int			waited;

	for (waited = 0; waited < CLAIM_WAIT_MS; waited += CLAIM_POLL_MS)
	{
		bool		claimed = false;
		bool		exists = false;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
		PushActiveSnapshot(GetTransactionSnapshot());
		spi_check(SPI_execute_with_args("UPDATE acq.jobs SET status = 'running',"
										" worker_pid = pg_catalog.pg_backend_pid(),"
										" started_at = pg_catalog.clock_timestamp(), message = NULL"
										" WHERE id OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'starting'"
										" RETURNING params::pg_catalog.text",
										1, &argtype, &arg, NULL, false, 0),
				  SPI_OK_UPDATE_RETURNING, "claiming the job");
		if (SPI_processed == 1)
		{
			*params = MemoryContextStrdup(TopMemoryContext,
										  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
			claimed = true;
		}
		else
		{
			spi_check(SPI_execute_with_args("SELECT 1 FROM acq.jobs WHERE id OPERATOR(pg_catalog.=) $1",
											1, &argtype, &arg, NULL, true, 0),
					  SPI_OK_SELECT, "looking for the job");
			exists = (SPI_processed == 1);
		}
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		if (claimed)
			return true;
		if (exists || last_try)
			return false;		/* cancelled, or its submitter rolled back */
		/* one more look after the dispatcher ended, in case it just committed */
		if (TransactionIdIsValid(dispatcher) && !TransactionIdIsInProgress(dispatcher))
			last_try = true;

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 CLAIM_POLL_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	return false;
}

/* acq.select_sources with the arguments stored in the job's params */
static const char *run_select_sql =
"SELECT r.sources, r.gain, r.cost, r.profit, r.models_trained, r.n_rows"
" FROM acq.select_sources("
"  sources => ($1 OPERATOR(pg_catalog.->>) 'sources')::pg_catalog.oid::pg_catalog.regclass,"
"  validation => ($1 OPERATOR(pg_catalog.->>) 'validation')::pg_catalog.oid::pg_catalog.regclass,"
"  features => ($1 OPERATOR(pg_catalog.->>) 'features')::pg_catalog.name,"
"  label => ($1 OPERATOR(pg_catalog.->>) 'label')::pg_catalog.name,"
"  method => $1 OPERATOR(pg_catalog.->>) 'method',"
"  task => $1 OPERATOR(pg_catalog.->>) 'task',"
"  source_column => ($1 OPERATOR(pg_catalog.->>) 'source_column')::pg_catalog.name,"
"  sensitive => ($1 OPERATOR(pg_catalog.->>) 'sensitive')::pg_catalog.name,"
"  privileged => $1 OPERATOR(pg_catalog.->>) 'privileged',"
"  lambda => ($1 OPERATOR(pg_catalog.->>) 'lambda')::pg_catalog.float8,"
"  costs => NULLIF($1 OPERATOR(pg_catalog.->) 'costs', 'null'::pg_catalog.jsonb),"
"  cost_exponent => ($1 OPERATOR(pg_catalog.->>) 'cost_exponent')::pg_catalog.int4,"
"  cost_scale => ($1 OPERATOR(pg_catalog.->>) 'cost_scale')::pg_catalog.float8,"
"  cost_offset => ($1 OPERATOR(pg_catalog.->>) 'cost_offset')::pg_catalog.float8,"
"  s_max => ($1 OPERATOR(pg_catalog.->>) 's_max')::pg_catalog.int4,"
"  k_max => ($1 OPERATOR(pg_catalog.->>) 'k_max')::pg_catalog.int4,"
"  iterations => ($1 OPERATOR(pg_catalog.->>) 'iterations')::pg_catalog.int4,"
"  rcl_size => ($1 OPERATOR(pg_catalog.->>) 'rcl_size')::pg_catalog.int4,"
"  samples => ($1 OPERATOR(pg_catalog.->>) 'samples')::pg_catalog.int4,"
"  c => ($1 OPERATOR(pg_catalog.->>) 'c')::pg_catalog.float8,"
"  alpha => ($1 OPERATOR(pg_catalog.->>) 'alpha')::pg_catalog.float8,"
"  seed => ($1 OPERATOR(pg_catalog.->>) 'seed')::pg_catalog.int8) r";

/*
 * Run the job and, in the same transaction, write its plan and subsets and
 * mark it succeeded: either all of it commits, or none of it.
 */
static void
run_job(int64 job_id, const char *params, AcqJobContext *job)
{
	Datum		args[8];
	Oid			types[8];
	char		nulls[8];
	HeapTuple	row;
	TupleDesc	desc;
	SPIPlanPtr	ins;
	int			i;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	PushActiveSnapshot(GetTransactionSnapshot());

	acq_current_job = job;
	args[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(params));
	types[0] = JSONBOID;
	spi_check(SPI_execute_with_args(run_select_sql, 1, types, args, NULL, false, 1),
			  SPI_OK_SELECT, "running the job");
	acq_current_job = NULL;
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;

	/* the plan: the chosen subset */
	memset(nulls, ' ', sizeof(nulls));
	args[0] = Int64GetDatum(job_id);
	types[0] = INT8OID;
	for (i = 1; i <= 6; i++)
	{
		bool		isnull;

		args[i] = SPI_getbinval(row, desc, i, &isnull);
		types[i] = SPI_gettypeid(desc, i);
	}
	spi_check(SPI_execute_with_args("INSERT INTO acq.source_selection_plans"
									" (job_id, sources, gain, cost, profit, models_trained, n_rows)"
									" VALUES ($1, $2, $3, $4, $5, $6, $7)",
									7, types, args, nulls, false, 0),
			  SPI_OK_INSERT, "writing the plan");

	/* every subset trained, in order */
	types[0] = INT8OID;
	types[1] = INT4OID;
	types[2] = TEXTARRAYOID;
	types[3] = FLOAT8OID;
	types[4] = FLOAT8OID;
	types[5] = FLOAT8OID;
	types[6] = INT8OID;
	ins = SPI_prepare("INSERT INTO acq.source_selection_subsets"
					  " (job_id, ord, sources, gain, cost, profit, n_rows)"
					  " VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, types);
	if (ins == NULL)
		elog(ERROR, "preparing the subsets insert failed: %s", SPI_result_code_string(SPI_result));
	for (i = 0; i < job->nsubsets; i++)
	{
		AcqJobSubset *s = &job->subsets[i];

		args[0] = Int64GetDatum(job_id);
		args[1] = Int32GetDatum(i + 1);
		args[2] = s->sources;
		args[3] = Float8GetDatum(s->gain);
		args[4] = Float8GetDatum(s->cost);
		args[5] = Float8GetDatum(s->profit);
		args[6] = Int64GetDatum(s->n_rows);
		spi_check(SPI_execute_plan(ins, args, nulls, false, 0), SPI_OK_INSERT, "writing a subset");
		if ((i & 255) == 0)
			CHECK_FOR_INTERRUPTS();
	}

	args[0] = Int64GetDatum(job_id);
	types[0] = INT8OID;
	spi_check(SPI_execute_with_args("UPDATE acq.jobs SET status = 'succeeded', progress = 1,"
									" finished_at = pg_catalog.clock_timestamp(),"
									" message = pg_catalog.format('%s subsets trained', $2)"
									" WHERE id OPERATOR(pg_catalog.=) $1",
									2, (Oid[]) {INT8OID, INT4OID},
									(Datum[]) {args[0], Int32GetDatum(job->nsubsets)},
									NULL, false, 0),
			  SPI_OK_UPDATE, "marking the job succeeded");

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/* record how a job ended badly, in a transaction of its own */
static void
record_failure(int64 job_id, ErrorData *edata)
{
	Datum		args[3];
	Oid			types[3] = {INT8OID, TEXTOID, TEXTOID};

	args[0] = Int64GetDatum(job_id);
	args[1] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
	args[2] = CStringGetTextDatum(edata->message ? edata->message : "unknown error");

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	PushActiveSnapshot(GetTransactionSnapshot());
	spi_check(SPI_execute_with_args("UPDATE acq.jobs SET"
									" status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END,"
									" finished_at = pg_catalog.clock_timestamp(),"
									" error_sqlstate = $2, error_message = $3"
									" WHERE id OPERATOR(pg_catalog.=) $1",
									3, types, args, NULL, false, 0),
			  SPI_OK_UPDATE, "recording the failure");
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

void
acq_job_worker_main(Datum main_arg)
{
	JobWorkerArgs args;
	MemoryContext jobcxt;
	AcqJobContext job;
	char	   *params = NULL;
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

	if (!claim_job(args.job_id, args.dispatcher_xid, &params))
		proc_exit(0);

	jobcxt = AllocSetContextCreate(TopMemoryContext, "acq job", ALLOCSET_DEFAULT_SIZES);
	memset(&job, 0, sizeof(job));
	job.job_id = args.job_id;
	job.mcxt = jobcxt;
	acq_job_report(&job, 0, true);

	PG_TRY();
	{
		run_job(args.job_id, params, &job);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		acq_current_job = NULL;
		MemoryContextSwitchTo(jobcxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		/* keep the cause in the server log too */
		elog(LOG, "acq job " INT64_FORMAT " ended: %s", args.job_id, edata->message);
		record_failure(args.job_id, edata);
	}
	PG_END_TRY();

	pgstat_report_activity(STATE_IDLE, NULL);

	/* start the jobs waiting for this worker's slot */
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	PushActiveSnapshot(GetTransactionSnapshot());
	spi_check(SPI_execute("SELECT acq._dispatch()", false, 0), SPI_OK_SELECT, "dispatching");
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	proc_exit(0);
}
