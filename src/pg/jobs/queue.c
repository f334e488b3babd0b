/*
 * queue.c -- the job queue: submission (acq_submit_job), starting workers,
 * admission's lock, kicking the queue, cancelling (acq.cancel) and telling a
 * live job worker (acq._worker_alive).
 *
 * A job is a row of acq.jobs.  A submit_* function (C) checks its arguments
 * and calls acq_submit_job, which stores them as the job's params, inserts
 * the row ('queued') and registers a dynamic background worker for it
 * (worker.c).  A worker that ends, and acq.job_wait on a queued job, start
 * workers for the oldest queued jobs (acq_kick_soon).  No SQL function
 * reaches the queue but the public ones: acq's internal functions are not
 * executable by PUBLIC (sql/acq.sql), so a job, its owner and its params
 * cannot be forged.
 *
 * Users can read their rows of the catalog (row-level security) but not
 * write them: every write is made here and in worker.c, under the extension
 * owner's rights (acq_elevate), for the job of the role that asked.  A worker
 * that dies (killed, server crash or restart) leaves its row 'running':
 * acq.job_status shows such a job as failed at once, and the next kick
 * records it so.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/procarray.h"
#include "storage/proc.h"
#include <signal.h>
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "pg/jobs/jobs.h"

PG_FUNCTION_INFO_V1(acq_cancel_job);
PG_FUNCTION_INFO_V1(acq_worker_alive);

int			acq_max_jobs = 4;

#define ADMISSION_LOCK_KEY 1633907505	/* "acq1" as an int: serialises admissions */

/* what the worker of a job that died says, whatever its kind */
#define DEAD_WORKER_MESSAGE "the job's worker exited without finishing (killed, server crash or restart); "
#define DEAD_WORKER_DEFAULT "nothing of it was kept; submit it again"

void
acq_jobs_init(void)
{
	DefineCustomIntVariable("acq.max_jobs",
							"Most background jobs that run at once in a database; the others wait in the queue.",
							NULL,
							&acq_max_jobs,
							4, 1, 1024,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
}

/* ---- workers ------------------------------------------------------------ */

/*
 * Is pid a live acq job worker?  Its PGPROC (in the proc array from the
 * moment it connects) must be a background worker's, and its worker slot,
 * once the postmaster has recorded the pid there (it does so right after the
 * fork, so a young worker may not be listed yet), of type "acq job".
 */
bool
acq_is_job_worker(int pid)
{
	PGPROC	   *proc;
	const char *type;

	if (pid <= 0)
		return false;
	proc = BackendPidGetProc(pid);
	if (proc == NULL || !proc->isBackgroundWorker)
		return false;
	type = GetBackgroundWorkerTypeByPid((pid_t) pid);
	return type == NULL || strcmp(type, "acq job") == 0;
}

/* acq._worker_alive(pid): is pid a running acq job worker?  (shared memory, live) */
Datum
acq_worker_alive(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!PG_ARGISNULL(0) && acq_is_job_worker(PG_GETARG_INT32(0)));
}

bool
acq_start_job_worker(int64 job_id, Oid role)
{
	BackgroundWorker w;
	JobWorkerArgs args;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "acq");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "acq_job_worker_main");
	if (job_id == 0)
		snprintf(w.bgw_name, BGW_MAXLEN, "acq job queue kick");
	else
		snprintf(w.bgw_name, BGW_MAXLEN, "acq job " INT64_FORMAT, job_id);
	snprintf(w.bgw_type, BGW_MAXLEN, "acq job");
	args.database = MyDatabaseId;
	args.role = role;
	args.job_id = job_id;
	args.submitter_xid = GetTopTransactionIdIfAny();
	memcpy(w.bgw_extra, &args, sizeof(args));
	w.bgw_main_arg = Int64GetDatum(job_id);
	w.bgw_notify_pid = 0;
	return RegisterDynamicBackgroundWorker(&w, NULL);
}

/*
 * The message of a job whose worker died, by kind, as an SQL expression over
 * j.kind (acq.job_status in sql/acq.sql shows the same texts).
 */
static char *
dead_worker_message_sql(void)
{
	StringInfoData sql;

	initStringInfo(&sql);
	appendStringInfoString(&sql, "CASE");
	for (const AcqJobKind *k = acq_job_kinds; k->name != NULL; k++)
		if (k->on_worker_death != NULL)
			appendStringInfo(&sql, " WHEN j.kind OPERATOR(pg_catalog.=) %s THEN %s",
							 quote_literal_cstr(k->name),
							 quote_literal_cstr(psprintf(DEAD_WORKER_MESSAGE "%s", k->on_worker_death)));
	appendStringInfo(&sql, " ELSE %s END", quote_literal_cstr(DEAD_WORKER_MESSAGE DEAD_WORKER_DEFAULT));
	return sql.data;
}

/*
 * Under elevated rights: record jobs whose worker is gone as failed, then
 * start workers for the oldest queued jobs that have none, while fewer than
 * acq.max_jobs are running or about to.  The caller holds the admission
 * lock (acq_take_admission_lock).  Workers admit themselves (admit_job), so a surplus worker just
 * exits.  Returns how many workers were started.
 */
int
acq_kick_queue(void)
{
	int64		busy;
	int			started = 0;
	bool		isnull;
	uint64		i,
				n;
	SPITupleTable *queued;
	Datum		lim;
	Oid			limtype = INT8OID;

	acq_spi_check(SPI_execute(psprintf("UPDATE acq.jobs j SET status = 'failed',"
									   " finished_at = pg_catalog.clock_timestamp(), error_sqlstate = '57P02',"
									   " error_message = %s"
									   " WHERE j.status OPERATOR(pg_catalog.=) 'running'"
									   " AND (j.started_at OPERATOR(pg_catalog.<) pg_catalog.pg_postmaster_start_time()"
									   "      OR NOT acq._worker_alive(j.worker_pid))",
									   dead_worker_message_sql()),
							  false, 0), SPI_OK_UPDATE, "recording dead jobs");
	/* running, or queued with a worker on its way (a minute at most) */
	acq_spi_check(SPI_execute("SELECT pg_catalog.count(*) FROM acq.jobs"
						  " WHERE status OPERATOR(pg_catalog.=) 'running'"
						  "    OR (status OPERATOR(pg_catalog.=) 'queued'"
						  "        AND worker_requested_at OPERATOR(pg_catalog.>)"
						  "            (pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) interval '1 minute'))",
						  false, 0), SPI_OK_SELECT, "counting running jobs");
	busy = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (busy >= acq_max_jobs)
		return 0;

	lim = Int64GetDatum(acq_max_jobs - busy);
	acq_spi_check(SPI_execute_with_args("SELECT id, owner::pg_catalog.oid FROM acq.jobs"
									" WHERE status OPERATOR(pg_catalog.=) 'queued'"
									"   AND (worker_requested_at IS NULL OR worker_requested_at OPERATOR(pg_catalog.<=)"
									"        (pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) interval '1 minute'))"
									" ORDER BY id LIMIT $1",
									1, &limtype, &lim, NULL, false, 0),
			  SPI_OK_SELECT, "reading queued jobs");
	queued = SPI_tuptable;
	n = SPI_processed;
	for (i = 0; i < n; i++)
	{
		int64		id = DatumGetInt64(SPI_getbinval(queued->vals[i], queued->tupdesc, 1, &isnull));
		Oid			owner = DatumGetObjectId(SPI_getbinval(queued->vals[i], queued->tupdesc, 2, &isnull));
		Datum		idd = Int64GetDatum(id);
		Oid			idtype = INT8OID;

		if (!acq_start_job_worker(id, owner))
			break;				/* no free slot: max_worker_processes */
		acq_spi_check(SPI_execute_with_args("UPDATE acq.jobs SET worker_requested_at = pg_catalog.clock_timestamp()"
										" WHERE id OPERATOR(pg_catalog.=) $1",
										1, &idtype, &idd, NULL, false, 0),
				  SPI_OK_UPDATE, "noting the worker");
		started++;
	}
	return started;
}

/*
 * Start a worker that kicks the queue in a transaction of its own (acq.job_wait
 * does, for a queued job whose workers died).  Nothing is written in the
 * caller's transaction, which must not hold rows or locks that workers wait
 * for.  At most one kick a second from a backend: a waiting loop cannot fill
 * the background-worker slots.
 */
bool
acq_kick_soon(void)
{
	static TimestampTz last = 0;
	TimestampTz now = GetCurrentTimestamp();

	if (last != 0 && !TimestampDifferenceExceeds(last, now, 1000))
		return false;
	last = now;
	return acq_start_job_worker(0, GetUserId());
}

/*
 * A background worker connects as the job's owner: refuse a role that may
 * not log in (PostgreSQL 15 would end the worker with FATAL, and the job
 * would stay queued).
 */
static void
check_role_can_run(Oid role)
{
	HeapTuple	tup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(role));
	bool		canlogin;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for role %u", role);
	canlogin = ((Form_pg_authid) GETSTRUCT(tup))->rolcanlogin;
	ReleaseSysCache(tup);
	if (!canlogin)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" cannot run background jobs because it cannot log in",
						GetUserNameFromId(role, false)),
				 errdetail("A job's worker connects as the role that submits it."),
				 errhint("Submit as a role with LOGIN (RESET ROLE, or SET ROLE to one), or call the synchronous function (acq.select_sources, acq.acquire, acq.rank_owners).")));
}

/*
 * Insert a queued job of kind with params (jsonb, checked by the caller),
 * owned by the calling role, and start a worker for it.  The worker waits for this transaction
 * to commit, then admits itself.
 */
int64
acq_enqueue_job(const char *kind, Datum params)
{
	Oid			role = GetUserId();
	Elevation	e;
	Datum		args[4];
	Oid			types[4] = {TEXTOID, JSONBOID, OIDOID, TEXTOID};
	char		nulls[4] = {' ', ' ', ' ', 'n'};
	const char *reset = GetConfigOptionResetString("acq.max_memory");
	int64		id;
	bool		isnull;

	check_role_can_run(role);
	args[0] = CStringGetTextDatum(kind);
	args[1] = params;
	args[2] = ObjectIdGetDatum(role);
	/*
	 * acq.max_memory as the submitter set it in the session (SET): the
	 * worker runs under it.  Not recorded when it is the value the worker's
	 * own session gets (the server's, the database's or the role's).
	 */
	if (reset != NULL && atoi(reset) != acq_max_memory)
	{
		args[3] = CStringGetTextDatum(psprintf("%dkB", acq_max_memory));
		nulls[3] = ' ';
	}
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	acq_elevate(&e);
	acq_spi_check(SPI_execute_with_args("INSERT INTO acq.jobs (kind, params, owner, worker_requested_at)"
									" VALUES ($1, CASE WHEN $4 IS NULL THEN $2"
									" ELSE $2 OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('max_memory', $4) END,"
									" $3::pg_catalog.regrole, pg_catalog.clock_timestamp()) RETURNING id",
									4, types, args, nulls, false, 0),
			  SPI_OK_INSERT_RETURNING, "queueing the job");
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	acq_unelevate(&e);
	SPI_finish();

	if (!acq_start_job_worker(id, role))
	{
		acq_elevate(&e);
		acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
		acq_spi_check(SPI_execute_with_args("UPDATE acq.jobs SET worker_requested_at = NULL"
										" WHERE id OPERATOR(pg_catalog.=) $1",
										1, (Oid[]) {INT8OID}, (Datum[]) {Int64GetDatum(id)},
										NULL, false, 0),
				  SPI_OK_UPDATE, "leaving the job queued");
		SPI_finish();
		acq_unelevate(&e);
		ereport(NOTICE,
				(errmsg("job " INT64_FORMAT " waits for a free background worker slot", id),
				 errhint("It starts when another job ends, or on acq.job_wait; max_worker_processes limits the workers.")));
	}
	return id;
}

int64
acq_submit_job(FunctionCallInfo fcinfo, const char *kind, const char *params_sql)
{
	Oid		   *argtypes;
	int			nargs;
	Datum	   *values;
	char	   *nulls;
	Datum		params;
	bool		isnull;
	MemoryContext caller = CurrentMemoryContext;

	(void) get_func_signature(fcinfo->flinfo->fn_oid, &argtypes, &nargs);
	Assert(nargs == PG_NARGS());
	values = palloc(sizeof(Datum) * Max(nargs, 1));
	nulls = palloc(Max(nargs, 1));
	for (int i = 0; i < nargs; i++)
	{
		values[i] = PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
		nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
	}
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	acq_spi_check(SPI_execute_with_args(params_sql, nargs, argtypes, values, nulls, true, 1),
				  SPI_OK_SELECT, "storing the job's arguments");
	params = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	Assert(!isnull);
	{
		MemoryContext spi = MemoryContextSwitchTo(caller);

		params = PointerGetDatum(PG_DETOAST_DATUM_COPY(params));
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();
	return acq_enqueue_job(kind, params);
}

/*
 * acq.cancel(job): cancel a job the caller can see (row-level security
 * decides, as for every read).  A queued job is cancelled at once; a running
 * one's worker gets SIGINT -- only if it is an acq job worker -- and records
 * 'cancelled' when it stops.  False if the job had already ended.
 */
Datum
acq_cancel_job(PG_FUNCTION_ARGS)
{
	int64		job;
	Datum		arg;
	Oid			argtype = INT8OID;
	Elevation	e;
	char	   *status;
	bool		isnull;
	int			pid = 0;
	bool		result = true;

	acq_arg_require(fcinfo, 0, "job");
	job = PG_GETARG_INT64(0);
	arg = Int64GetDatum(job);
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	/* as the caller: may it see the job? */
	acq_spi_check(SPI_execute_with_args("SELECT status FROM acq.jobs WHERE id OPERATOR(pg_catalog.=) $1",
									1, &argtype, &arg, NULL, true, 0),
			  SPI_OK_SELECT, "looking for the job");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("there is no job " INT64_FORMAT " that you can see", job),
				 errhint("acq.job_status lists your jobs.")));

	acq_elevate(&e);
	/*
	 * NO KEY UPDATE, not UPDATE: a job's first transaction inserts rows that
	 * reference the job (an acquisition plan), which key-share-locks its row
	 * until that transaction ends -- possibly a long set-up, or a wait for
	 * its target (src/pg/acquisition/lock.c).  FOR UPDATE would wait for it,
	 * and the cancel would hang until then instead of interrupting it.
	 */
	acq_spi_check(SPI_execute_with_args("SELECT status, worker_pid FROM acq.jobs"
									" WHERE id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE",
									1, &argtype, &arg, NULL, false, 0),
			  SPI_OK_SELECT, "locking the job");
	status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);

		if (!isnull)
			pid = DatumGetInt32(d);
	}
	if (strcmp(status, "queued") == 0)
		acq_spi_check(SPI_execute_with_args("UPDATE acq.jobs SET status = 'cancelled', cancel_requested = true,"
										" finished_at = pg_catalog.clock_timestamp(),"
										" message = 'cancelled before it started'"
										" WHERE id OPERATOR(pg_catalog.=) $1",
										1, &argtype, &arg, NULL, false, 0),
				  SPI_OK_UPDATE, "cancelling the job");
	else if (strcmp(status, "running") == 0)
	{
		acq_spi_check(SPI_execute_with_args("UPDATE acq.jobs SET cancel_requested = true"
										" WHERE id OPERATOR(pg_catalog.=) $1",
										1, &argtype, &arg, NULL, false, 0),
				  SPI_OK_UPDATE, "cancelling the job");
		/* only ever signal an acq job worker */
		if (pid != 0 && acq_is_job_worker(pid))
			(void) kill(pid, SIGINT);
	}
	else
		result = false;
	acq_unelevate(&e);
	SPI_finish();
	PG_RETURN_BOOL(result);
}


/*
 * Serialise admissions and kicks for the rest of the worker's transaction,
 * then look at the rows (and acq.max_jobs) as they are now: the lock may
 * have waited for another worker's commit, or for a reload.
 */
void
acq_take_admission_lock(void)
{
	acq_spi_check(SPI_execute("SELECT pg_catalog.pg_advisory_xact_lock(" CppAsString2(ADMISSION_LOCK_KEY) ")",
						  false, 0), SPI_OK_SELECT, "taking the admission lock");
	PopActiveSnapshot();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
	}
}
