/*
 * status.c -- what a user sees of a job: acq.job_live (is a running job's
 * worker still there, and how far it is, for acq.job_status) and
 * acq.job_wait (wait until a job ends, kicking the queue when it needs it).
 *
 * Both read acq.jobs as the caller, so row-level security decides which
 * jobs they see, as for every read.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "pg/jobs/jobs.h"

PG_FUNCTION_INFO_V1(acq_job_live);
PG_FUNCTION_INFO_V1(acq_job_wait);

#define WAIT_POLL_MS	50
#define KICK_EVERY_MS	1000

/* one row of the caller's query (SPI connected); false if none */
static bool
query_job(const char *sql, int64 job)
{
	Oid			t = INT8OID;
	Datum		v = Int64GetDatum(job);

	acq_spi_check(SPI_execute_with_args(sql, 1, &t, &v, NULL, false, 1),
				  SPI_OK_SELECT, "reading the job");
	return SPI_processed == 1;
}

/*
 * acq.job_live(job) -> (dead, progress): for a job the caller can see that
 * is running, whether its worker is gone (killed, crash, restart) and the
 * progress it reports live; (false, NULL) for any other job.  A worker may
 * also have finished and exited since the caller's snapshot was taken: the
 * row is read again, with a fresh snapshot, after the liveness check.
 */
Datum
acq_job_live(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[2] = {BoolGetDatum(false), (Datum) 0};
	bool		nulls[2] = {false, true};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "acq.job_live must return a record");
	desc = BlessTupleDesc(desc);
	if (PG_ARGISNULL(0))
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));

	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	if (query_job("SELECT worker_pid,"
				  " started_at OPERATOR(pg_catalog.>=) pg_catalog.pg_postmaster_start_time()"
				  " FROM acq.jobs WHERE id OPERATOR(pg_catalog.=) $1"
				  " AND status OPERATOR(pg_catalog.=) 'running'", PG_GETARG_INT64(0)))
	{
		bool		pid_null,
					young_null;
		Datum		pid = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &pid_null);
		Datum		young = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &young_null);
		double		progress;

		if (!pid_null && !young_null && DatumGetBool(young) &&
			acq_is_job_worker(DatumGetInt32(pid)))
		{
			if (acq_job_progress_read(PG_GETARG_INT64(0), DatumGetInt32(pid), &progress))
			{
				values[1] = Float8GetDatum(progress);
				nulls[1] = false;
			}
		}
		else if (query_job("SELECT 1 FROM acq.jobs WHERE id OPERATOR(pg_catalog.=) $1"
						   " AND status OPERATOR(pg_catalog.=) 'running'", PG_GETARG_INT64(0)))
			values[0] = BoolGetDatum(true);
	}
	SPI_finish();
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * acq.job_wait(job, timeout): wait until the job ends or timeout passes;
 * returns its status.  A queued job whose workers all died (crash, restart)
 * needs a kick: one a second while it waits.  A failed job's kick records
 * a dead worker's failure in acq.jobs.
 */
Datum
acq_job_wait(PG_FUNCTION_ARGS)
{
	int64		job;
	TimestampTz deadline;
	TimestampTz next_kick;
	char		status[16] = "";

	acq_arg_require(fcinfo, 0, "job");
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"timeout\" must not be NULL"),
				 errhint("Pass an interval to wait at most; the default is 1 hour.")));
	job = PG_GETARG_INT64(0);
	deadline = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
													   TimestampTzGetDatum(GetCurrentTimestamp()),
													   PG_GETARG_DATUM(1)));
	next_kick = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), KICK_EVERY_MS);

	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	if (query_job("SELECT 1 FROM acq.jobs j WHERE j.id OPERATOR(pg_catalog.=) $1"
				  " AND j.xmin OPERATOR(pg_catalog.=) pg_catalog.xid(pg_catalog.pg_current_xact_id_if_assigned())", job))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("job " INT64_FORMAT " was submitted in this transaction", job),
				 errdetail("Its worker starts only when the submitting transaction commits."),
				 errhint("Commit, then call acq.job_wait.")));
	for (;;)
	{
		TimestampTz now;

		if (!query_job("SELECT status FROM acq.job_status WHERE id OPERATOR(pg_catalog.=) $1", job))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("there is no job " INT64_FORMAT " that you can see", job),
					 errhint("acq.job_status lists your jobs.")));
		{
			char	   *st = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

			strlcpy(status, st, sizeof(status));
			pfree(st);
			SPI_freetuptable(SPI_tuptable);
		}
		if (strcmp(status, "succeeded") == 0 || strcmp(status, "cancelled") == 0)
			break;
		if (strcmp(status, "failed") == 0)
		{
			(void) acq_kick_soon();		/* records a dead worker's failure */
			break;
		}
		now = GetCurrentTimestamp();
		if (now >= deadline)
			break;
		if (strcmp(status, "queued") == 0 && now >= next_kick)
		{
			(void) acq_kick_soon();
			next_kick = TimestampTzPlusMilliseconds(now, KICK_EVERY_MS);
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Min(WAIT_POLL_MS, Max(1, (deadline - now) / 1000)), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text(status));
}
