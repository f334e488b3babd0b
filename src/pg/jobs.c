/*
 * jobs.c -- background jobs: dispatch, and the worker that runs one job.
 *
 * A job is a row of acq.jobs.  acq.submit_select_sources checks the
 * arguments and calls acq._enqueue(), which inserts the row ('queued') and
 * registers a dynamic background worker for it.  The worker connects as the
 * job's owner (never as a superuser).  Once the submitting transaction has
 * committed, it admits itself in a short transaction of its own: under an
 * advisory lock it counts the jobs running in the database and, if fewer
 * than acq.max_jobs do, claims its row ('running'); otherwise it leaves the
 * job queued and exits.  It then runs acq.select_sources through SPI -- so
 * it reads exactly what its role may read -- and, in the transaction that
 * marks the job 'succeeded', writes the plan and every subset trained.  An
 * error (a cancel included) rolls all of that back and records 'failed' or
 * 'cancelled' with the error.  A worker that ends, and acq.job_wait on a
 * queued job, start workers for the oldest queued jobs (acq._kick()).
 *
 * Users can read their rows of the catalog (row-level security) but not
 * write them: every write is made here, under the extension owner's rights
 * (elevate()), for the job of the role that asked.  A worker that dies
 * (killed, server crash or restart) leaves its row 'running': acq.job_status
 * shows such a job as failed at once, and the next kick records it so.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "storage/proc.h"
#include <signal.h>
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "acq_pg.h"

PG_FUNCTION_INFO_V1(acq_enqueue);
PG_FUNCTION_INFO_V1(acq_kick);
PG_FUNCTION_INFO_V1(acq_cancel_job);
PG_FUNCTION_INFO_V1(acq_worker_alive);
PGDLLEXPORT void acq_job_worker_main(Datum main_arg);

int			acq_max_jobs = 4;
AcqJobContext *acq_current_job = NULL;

/* what a job's worker is told at start (bgw_extra) */
typedef struct JobWorkerArgs
{
	Oid			database;
	Oid			role;
	int64		job_id;
	TransactionId submitter_xid;	/* the job's row is visible once it commits */
} JobWorkerArgs;

#define CLAIM_POLL_MS 50
#define CLAIM_WAIT_MS 60000		/* for a row whose submitter has no xid */
#define ADMISSION_LOCK_KEY 1633907505	/* "acq1" as an int: serialises admissions */

/* as an SQL literal (acq.job_status in sql/acq.sql shows the same text) */
#define DEAD_WORKER_MESSAGE_SQL \
	"CASE WHEN j.kind OPERATOR(pg_catalog.=) 'acquire' THEN" \
	" 'the job''s worker exited without finishing (killed, server crash or restart); the rounds it committed are kept; continue with acq.resume_acquire(plan_id)'" \
	" ELSE 'the job''s worker exited without finishing (killed, server crash or restart); nothing of it was kept; submit it again' END"

/* ---- rights ------------------------------------------------------------- */


/*
 * Writes to the catalog run as the extension's owner: users may read their
 * rows but not write them, so that nobody can forge a job's owner, status or
 * worker.  Only the statements between elevate() and lower() run so, and
 * they only touch acq's own tables; an error restores the caller's rights
 * with the transaction's abort.
 */
void
acq_elevate(Elevation *e)
{
	Oid			ext = get_extension_oid("acq", false);
	HeapTuple	tup;
	Oid			owner = InvalidOid;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(owner))
		elog(ERROR, "extension acq has no owner");

	GetUserIdAndSecContext(&e->saved_user, &e->saved_context);
	SetUserIdAndSecContext(owner, e->saved_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}

void
acq_unelevate(Elevation *e)
{
	SetUserIdAndSecContext(e->saved_user, e->saved_context);
}

void
acq_spi_check(int ret, int expected, const char *what)
{
	if (ret != expected)
		elog(ERROR, "%s failed: %s", what, SPI_result_code_string(ret));
}

/* ---- progress ----------------------------------------------------------- */

/*
 * Report a running job's progress in pg_stat_activity, which acq.job_status
 * reads: after every model trained and every step of the search (a write to
 * the backend's own shared-memory slot, no transaction).
 */
void
acq_job_report(AcqJobContext *job, int models_trained, bool force)
{
	char		msg[256];

	if (models_trained >= 0)
		job->models_trained = models_trained;
	snprintf(msg, sizeof(msg), "acq job " INT64_FORMAT " (select_sources, %s): progress %.3f, %d models trained",
			 job->job_id, job->method ? job->method : "?", job->progress, job->models_trained);
	pgstat_report_activity(STATE_RUNNING, msg);
}

/* ---- workers ------------------------------------------------------------ */

/*
 * Is pid a live acq job worker?  Its PGPROC (in the proc array from the
 * moment it connects) must be a background worker's, and its worker slot,
 * once the postmaster has recorded the pid there (it does so right after the
 * fork, so a young worker may not be listed yet), of type "acq job".
 */
static bool
is_job_worker(int pid)
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
	PG_RETURN_BOOL(!PG_ARGISNULL(0) && is_job_worker(PG_GETARG_INT32(0)));
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
 * Under elevated rights: record jobs whose worker is gone as failed, then
 * start workers for the oldest queued jobs that have none, while fewer than
 * acq.max_jobs are running or about to.  The caller holds the admission
 * lock (take_admission_lock).  Workers admit themselves (admit_job), so a surplus worker just
 * exits.  Returns how many workers were started.
 */
static int
kick_queue(void)
{
	int64		busy;
	int			started = 0;
	bool		isnull;
	uint64		i,
				n;
	SPITupleTable *queued;
	Datum		lim;
	Oid			limtype = INT8OID;

	acq_spi_check(SPI_execute("UPDATE acq.jobs j SET status = 'failed',"
						  " finished_at = pg_catalog.clock_timestamp(), error_sqlstate = '57P02',"
						  " error_message = " DEAD_WORKER_MESSAGE_SQL
						  " WHERE j.status OPERATOR(pg_catalog.=) 'running'"
						  " AND (j.started_at OPERATOR(pg_catalog.<) pg_catalog.pg_postmaster_start_time()"
						  "      OR NOT acq._worker_alive(j.worker_pid))",
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

		if (!start_worker(id, owner))
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
 * acq._kick(): start a worker that kicks the queue in a transaction of its
 * own (acq.job_wait calls it).  Nothing is written in the caller's
 * transaction, which must not hold rows or locks that workers wait for.
 */
Datum
acq_kick(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(start_worker(0, GetUserId()));
}

/*
 * acq._enqueue(kind, params): insert a queued job owned by the calling role
 * and start a worker for it.  The worker waits for this transaction to
 * commit, then admits itself.
 */
Datum
acq_enqueue(PG_FUNCTION_ARGS)
{
	Oid			role = GetUserId();
	Elevation	e;
	Datum		args[3];
	Oid			types[3] = {TEXTOID, JSONBOID, OIDOID};
	int64		id;
	bool		isnull;

	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = ObjectIdGetDatum(role);
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	acq_elevate(&e);
	acq_spi_check(SPI_execute_with_args("INSERT INTO acq.jobs (kind, params, owner, worker_requested_at)"
									" VALUES ($1, $2, $3::pg_catalog.regrole, pg_catalog.clock_timestamp()) RETURNING id",
									3, types, args, NULL, false, 0),
			  SPI_OK_INSERT_RETURNING, "queueing the job");
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	acq_unelevate(&e);
	SPI_finish();

	if (!start_worker(id, role))
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
	PG_RETURN_INT64(id);
}

/*
 * acq._cancel(job): cancel a job the caller can see (row-level security
 * decides, as for every read).  A queued job is cancelled at once; a running
 * one's worker gets SIGINT -- only if it is an acq job worker -- and records
 * 'cancelled' when it stops.  False if the job had already ended.
 */
Datum
acq_cancel_job(PG_FUNCTION_ARGS)
{
	int64		job = PG_GETARG_INT64(0);
	Datum		arg = Int64GetDatum(job);
	Oid			argtype = INT8OID;
	Elevation	e;
	char	   *status;
	bool		isnull;
	int			pid = 0;
	bool		result = true;

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
	acq_spi_check(SPI_execute_with_args("SELECT status, worker_pid FROM acq.jobs"
									" WHERE id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
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
		if (pid != 0 && is_job_worker(pid))
			(void) kill(pid, SIGINT);
	}
	else
		result = false;
	acq_unelevate(&e);
	SPI_finish();
	PG_RETURN_BOOL(result);
}

/* ---- the worker --------------------------------------------------------- */

/* a transaction of the worker's own, with SPI and a snapshot */
void
acq_worker_begin(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	PushActiveSnapshot(GetTransactionSnapshot());
}

void
acq_worker_commit(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/*
 * Serialise admissions and kicks for the rest of the worker's transaction,
 * then look at the rows (and acq.max_jobs) as they are now: the lock may
 * have waited for another worker's commit, or for a reload.
 */
static void
take_admission_lock(void)
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

	acq_worker_begin();
	acq_elevate(&e);
	take_admission_lock();
	acq_spi_check(SPI_execute_with_args("SELECT status,"
									" (SELECT pg_catalog.count(*) FROM acq.jobs r"
									"   WHERE r.status OPERATOR(pg_catalog.=) 'running'"
									"     AND acq._worker_alive(r.worker_pid)),"
									" params::pg_catalog.text, kind"
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
"  seed => ($1 OPERATOR(pg_catalog.->>) 'seed')::pg_catalog.int8,"
"  tol => ($1 OPERATOR(pg_catalog.->>) 'tol')::pg_catalog.float8) r";

/* acq.rank_owners with the arguments stored in the job's params */
static const char *run_rank_sql =
"SELECT r.rank, r.owner, r.shared, r.accuracy_hard, r.f1_hard, r.accuracy_test, r.f1_test, r.missing_labels"
" FROM acq.rank_owners("
"  trainer => ($1 OPERATOR(pg_catalog.->>) 'trainer')::pg_catalog.oid::pg_catalog.regclass,"
"  hard => ($1 OPERATOR(pg_catalog.->>) 'hard')::pg_catalog.oid::pg_catalog.regclass,"
"  held_out => ($1 OPERATOR(pg_catalog.->>) 'held_out')::pg_catalog.oid::pg_catalog.regclass,"
"  owners => (SELECT pg_catalog.array_agg(e::pg_catalog.oid::pg_catalog.regclass ORDER BY i)"
"             FROM pg_catalog.jsonb_array_elements_text($1 OPERATOR(pg_catalog.->) 'owners')"
"                  WITH ORDINALITY AS u(e, i)),"
"  features => ($1 OPERATOR(pg_catalog.->>) 'features')::pg_catalog.name,"
"  label => ($1 OPERATOR(pg_catalog.->>) 'label')::pg_catalog.name,"
"  k => ($1 OPERATOR(pg_catalog.->>) 'k')::pg_catalog.int4,"
"  method => $1 OPERATOR(pg_catalog.->>) 'method',"
"  same_label => ($1 OPERATOR(pg_catalog.->>) 'same_label')::pg_catalog.bool,"
"  sample_rate => ($1 OPERATOR(pg_catalog.->>) 'sample_rate')::pg_catalog.float8,"
"  min_bins => ($1 OPERATOR(pg_catalog.->>) 'min_bins')::pg_catalog.int4,"
"  bin_candidates => (SELECT pg_catalog.array_agg(e::pg_catalog.int4 ORDER BY i)"
"             FROM pg_catalog.jsonb_array_elements_text($1 OPERATOR(pg_catalog.->) 'bin_candidates')"
"                  WITH ORDINALITY AS u(e, i)),"
"  bin_features => (SELECT pg_catalog.array_agg(e::pg_catalog.int4 ORDER BY i)"
"             FROM pg_catalog.jsonb_array_elements_text(NULLIF($1 OPERATOR(pg_catalog.->) 'bin_features', 'null'))"
"                  WITH ORDINALITY AS u(e, i)),"
"  lambda => ($1 OPERATOR(pg_catalog.->>) 'lambda')::pg_catalog.float8,"
"  tol => ($1 OPERATOR(pg_catalog.->>) 'tol')::pg_catalog.float8,"
"  lambda2 => ($1 OPERATOR(pg_catalog.->>) 'lambda2')::pg_catalog.float8,"
"  gradients => ($1 OPERATOR(pg_catalog.->>) 'gradients')::pg_catalog.name,"
"  c => ($1 OPERATOR(pg_catalog.->>) 'c')::pg_catalog.float8,"
"  model => $1 OPERATOR(pg_catalog.->>) 'model',"
"  test => ($1 OPERATOR(pg_catalog.->>) 'test')::pg_catalog.oid::pg_catalog.regclass,"
"  id => ($1 OPERATOR(pg_catalog.->>) 'id')::pg_catalog.name,"
"  positive => ($1 OPERATOR(pg_catalog.->>) 'positive')::pg_catalog.float8,"
"  max_depth => ($1 OPERATOR(pg_catalog.->>) 'max_depth')::pg_catalog.int4,"
"  min_samples_leaf => ($1 OPERATOR(pg_catalog.->>) 'min_samples_leaf')::pg_catalog.int4,"
"  criterion => $1 OPERATOR(pg_catalog.->>) 'criterion',"
"  knn_k => ($1 OPERATOR(pg_catalog.->>) 'knn_k')::pg_catalog.int4,"
"  model_c => ($1 OPERATOR(pg_catalog.->>) 'model_c')::pg_catalog.float8,"
"  seed => ($1 OPERATOR(pg_catalog.->>) 'seed')::pg_catalog.int8) r";

/*
 * An owner ranking, as the job's owner; in the same transaction, its rows
 * and the job's success: all of it commits, or none of it.
 */
static void
run_rank_job(const JobWorkerArgs *wargs, const char *params)
{
	Datum		a[1];
	Oid			t[1] = {JSONBOID};
	SPITupleTable *res;
	uint64		n;
	SPIPlanPtr	ins;
	Oid			types[10] = {INT8OID, OIDOID, INT4OID, OIDOID, INT4OID, FLOAT8OID, FLOAT8OID,
	FLOAT8OID, FLOAT8OID, FLOAT8ARRAYOID};
	Elevation	e;

	acq_worker_begin();
	a[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(params));
	acq_spi_check(SPI_execute_with_args(run_rank_sql, 1, t, a, NULL, false, 0),
				  SPI_OK_SELECT, "running the job");
	res = SPI_tuptable;
	n = SPI_processed;
	acq_elevate(&e);
	ins = SPI_prepare("INSERT INTO acq.owner_rankings (job_id, owner, rank, data_owner, shared,"
					  " accuracy_hard, f1_hard, accuracy_test, f1_test, missing_labels)"
					  " VALUES ($1, $2::pg_catalog.regrole, $3, $4::pg_catalog.regclass, $5, $6, $7, $8, $9, $10)",
					  10, types);
	if (ins == NULL)
		elog(ERROR, "preparing the ranking insert failed: %s", SPI_result_code_string(SPI_result));
	for (uint64 i = 0; i < n; i++)
	{
		Datum		v[10];
		char		nulls[10];

		v[0] = Int64GetDatum(wargs->job_id);
		v[1] = ObjectIdGetDatum(wargs->role);
		nulls[0] = nulls[1] = ' ';
		for (int c = 1; c <= 8; c++)
		{
			bool		isnull;

			v[c + 1] = SPI_getbinval(res->vals[i], res->tupdesc, c, &isnull);
			nulls[c + 1] = isnull ? 'n' : ' ';
		}
		acq_spi_check(SPI_execute_plan(ins, v, nulls, false, 0), SPI_OK_INSERT, "writing the ranking");
	}
	a[0] = Int64GetDatum(wargs->job_id);
	t[0] = INT8OID;
	acq_spi_check(SPI_execute_with_args("UPDATE acq.jobs SET status = 'succeeded', progress = 1,"
										" finished_at = pg_catalog.clock_timestamp(),"
										" message = pg_catalog.format('%s owners ranked',"
										"   (SELECT pg_catalog.count(*) FROM acq.owner_rankings r"
										"     WHERE r.job_id OPERATOR(pg_catalog.=) $1))"
										" WHERE id OPERATOR(pg_catalog.=) $1"
										" AND status OPERATOR(pg_catalog.=) 'running'",
										1, t, a, NULL, false, 0),
				  SPI_OK_UPDATE, "marking the job succeeded");
	acq_unelevate(&e);
	acq_worker_commit();
}

/*
 * Run the job as its owner and, in the same transaction, write its plan and
 * subsets and mark it succeeded: either all of it commits, or none of it.
 */
static void
run_job(const JobWorkerArgs *wargs, const char *params, AcqJobContext *job)
{
	Datum		args[8];
	Oid			types[8];
	HeapTuple	row;
	TupleDesc	desc;
	SPIPlanPtr	ins;
	Elevation	e;
	int			i;

	acq_worker_begin();

	/* the search itself, with the owner's rights */
	acq_current_job = job;
	args[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(params));
	types[0] = JSONBOID;
	acq_spi_check(SPI_execute_with_args(run_select_sql, 1, types, args, NULL, false, 1),
			  SPI_OK_SELECT, "running the job");
	acq_current_job = NULL;
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;

	/* the plan: the chosen subset */
	acq_elevate(&e);
	args[0] = Int64GetDatum(wargs->job_id);
	types[0] = INT8OID;
	args[1] = ObjectIdGetDatum(wargs->role);
	types[1] = OIDOID;
	for (i = 1; i <= 6; i++)
	{
		bool		isnull;

		args[i + 1] = SPI_getbinval(row, desc, i, &isnull);
		types[i + 1] = SPI_gettypeid(desc, i);
	}
	acq_spi_check(SPI_execute_with_args("INSERT INTO acq.source_selection_plans"
									" (job_id, owner, sources, gain, cost, profit, models_trained, n_rows)"
									" VALUES ($1, $2::pg_catalog.regrole, $3, $4, $5, $6, $7, $8)",
									8, types, args, NULL, false, 0),
			  SPI_OK_INSERT, "writing the plan");

	/* every subset trained, in order */
	types[0] = INT8OID;
	types[1] = INT4OID;
	types[2] = OIDOID;
	types[3] = TEXTARRAYOID;
	types[4] = FLOAT8OID;
	types[5] = FLOAT8OID;
	types[6] = FLOAT8OID;
	types[7] = INT8OID;
	ins = SPI_prepare("INSERT INTO acq.source_selection_subsets"
					  " (job_id, ord, owner, sources, gain, cost, profit, n_rows)"
					  " VALUES ($1, $2, $3::pg_catalog.regrole, $4, $5, $6, $7, $8)", 8, types);
	if (ins == NULL)
		elog(ERROR, "preparing the subsets insert failed: %s", SPI_result_code_string(SPI_result));
	for (i = 0; i < job->nsubsets; i++)
	{
		AcqJobSubset *s = &job->subsets[i];

		args[0] = Int64GetDatum(wargs->job_id);
		args[1] = Int32GetDatum(i + 1);
		args[2] = ObjectIdGetDatum(wargs->role);
		args[3] = s->sources;
		args[4] = Float8GetDatum(s->gain);
		args[5] = Float8GetDatum(s->cost);
		args[6] = Float8GetDatum(s->profit);
		args[7] = Int64GetDatum(s->n_rows);
		acq_spi_check(SPI_execute_plan(ins, args, NULL, false, 0), SPI_OK_INSERT, "writing a subset");
		if ((i & 255) == 0)
			CHECK_FOR_INTERRUPTS();
	}

	args[0] = Int64GetDatum(wargs->job_id);
	args[1] = Int32GetDatum(job->nsubsets);
	types[0] = INT8OID;
	types[1] = INT4OID;
	acq_spi_check(SPI_execute_with_args("UPDATE acq.jobs SET status = 'succeeded', progress = 1,"
									" finished_at = pg_catalog.clock_timestamp(),"
									" message = pg_catalog.format('%s subsets trained', $2)"
									" WHERE id OPERATOR(pg_catalog.=) $1"
									" AND status OPERATOR(pg_catalog.=) 'running'",
									2, types, args, NULL, false, 0),
			  SPI_OK_UPDATE, "marking the job succeeded");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("job " INT64_FORMAT " was no longer running when it finished", wargs->job_id)));
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
	take_admission_lock();
	(void) kick_queue();
	acq_unelevate(&e);
	acq_worker_commit();
}

void
acq_job_worker_main(Datum main_arg)
{
	JobWorkerArgs args;
	MemoryContext jobcxt;
	AcqJobContext job;
	char	   *volatile params = NULL;
	char	   *volatile kind = NULL;
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

	{
		char	   *p = NULL;
		char	   *k = NULL;

		if (args.job_id == 0)
		{
			/* started by acq._kick(): only kick the queue */
			worker_kick();
			proc_exit(0);
		}
		if (!claim_job(&args, &p, &k))
			proc_exit(0);
		params = p;
		kind = k;
	}

	jobcxt = AllocSetContextCreate(TopMemoryContext, "acq job", ALLOCSET_DEFAULT_SIZES);
	memset(&job, 0, sizeof(job));
	job.job_id = args.job_id;
	job.mcxt = jobcxt;
	acq_job_report(&job, 0, true);

	PG_TRY();
	{
		if (strcmp(kind, "acquire") == 0)
			acq_acquire_job(args.job_id, args.role, params);
		else if (strcmp(kind, "rank_owners") == 0)
			run_rank_job(&args, params);
		else
			run_job(&args, params, &job);
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
	worker_kick();
	proc_exit(0);
}
