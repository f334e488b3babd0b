/*
 * memory.c -- memory checked before it is taken: the GUC acq.max_memory and
 * the check a call makes with its estimate before it allocates, so that a
 * call too large for the server fails with an error that says what to
 * change instead of growing until the kernel kills the backend (which
 * restarts every backend of the server).  Every such error of acq is made
 * here: "<what> needs N MB, more than acq.max_memory (M MB)", SQLSTATE
 * 54000, with a hint naming what to lower and the setting that would let it
 * run.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#include "pg/base/base.h"

/* GUC acq.max_memory, in kB */
int			acq_max_memory = 1024 * 1024;

void
acq_memory_init(void)
{
	DefineCustomIntVariable("acq.max_memory",
							"Most memory one acq call may plan to use (its rows and its working memory).",
							"A call estimates what it needs from the sizes of its tables before it allocates, "
							"and refuses with an error if the estimate is larger.",
							&acq_max_memory,
							1024 * 1024, 1024, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
}

bool
acq_memory_over(double bytes)
{
	return isnan(bytes) || bytes > (double) acq_max_memory * 1024.0;
}

void
acq_check_memory(double bytes, const char *what, const char *hint)
{
	double		mb;
	char	   *raise;

	if (!acq_memory_over(bytes))
		return;
	mb = isnan(bytes) ? INFINITY : ceil(bytes / (1024.0 * 1024.0));
	raise = psprintf("SET acq.max_memory = '%.0fMB'", mb);
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s needs %.0f MB, more than acq.max_memory (%d MB)",
					what, mb, acq_max_memory / 1024),
			 hint ? errhint("%s, or raise the limit: %s.", hint, raise) :
			 errhint("Raise the limit: %s.", raise)));
}

/*
 * The call already holds *held bytes and is about to allocate bytes more:
 * check the sum, then count them in *held.
 */
void
acq_memory_take(double *held, double bytes, const char *what, const char *hint)
{
	acq_check_memory(*held + bytes, what, hint);
	*held += bytes;
}

/* the planner's row count of a relation (pg_class.reltuples), -1 if unknown or 0 */
double
acq_rel_rows_estimate(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	double		n = -1.0;

	if (HeapTupleIsValid(tup))
	{
		n = ((Form_pg_class) GETSTRUCT(tup))->reltuples;
		ReleaseSysCache(tup);
	}
	return n > 0.0 ? n : -1.0;
}
