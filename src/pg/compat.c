/*
 * compat.c -- the C entry points of acq 0.1.0's internal SQL functions,
 * which 0.2.0 dropped (sql/acq--0.1.0--0.2.0.sql).
 *
 * They exist so that CREATE EXTENSION acq VERSION '0.1.0' still finds its
 * symbols in this library, and so that a database still on the 0.1.0
 * catalog keeps working with the new library until ALTER EXTENSION acq
 * UPDATE runs.  Each one does what it did in 0.1.0, through the same code
 * 0.2.0's public functions use.  0.1.0's catalog lets PUBLIC call them;
 * 0.2.0's has no SQL function bound to them.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "pg/jobs/jobs.h"
#include "pg/acquisition/acquisition.h"
#include "pg/mycroft/mycroft.h"
#include "pg/selection/selection.h"

PG_FUNCTION_INFO_V1(acq_enqueue);
PG_FUNCTION_INFO_V1(acq_kick);
PG_FUNCTION_INFO_V1(acq_check_select_sources);
PG_FUNCTION_INFO_V1(acq_check_acquire);
PG_FUNCTION_INFO_V1(acq_create_acquisition_plan);
PG_FUNCTION_INFO_V1(acq_check_rank_owners);

/* 0.1.0 acq._enqueue(kind text, params jsonb) */
Datum
acq_enqueue(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(acq_enqueue_job(text_to_cstring(PG_GETARG_TEXT_PP(0)), PG_GETARG_DATUM(1)));
}

/* 0.1.0 acq._kick() */
Datum
acq_kick(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(acq_kick_soon());
}

/* 0.1.0 acq._check_select_sources(<acq.select_sources' arguments>) */
Datum
acq_check_select_sources(PG_FUNCTION_ARGS)
{
	acq_selection_check_args(fcinfo);
	PG_RETURN_VOID();
}

/* 0.1.0 acq._check_acquire(<acq.acquire's arguments>) */
Datum
acq_check_acquire(PG_FUNCTION_ARGS)
{
	acquisition_check_args(fcinfo);
	PG_RETURN_VOID();
}

/* 0.1.0 acq._create_acquisition_plan(<acq.acquire's arguments>, job_id) */
Datum
acq_create_acquisition_plan(PG_FUNCTION_ARGS)
{
	int64		plan_id;

	acq_arg_require(fcinfo, 23, "job_id");
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	plan_id = acquisition_create_job_plan(fcinfo, PG_GETARG_INT64(23));
	SPI_finish();
	PG_RETURN_INT64(plan_id);
}

/* 0.1.0 acq._check_rank_owners(<acq.rank_owners' arguments>) */
Datum
acq_check_rank_owners(PG_FUNCTION_ARGS)
{
	mycroft_check_rank_args(fcinfo);
	PG_RETURN_VOID();
}
