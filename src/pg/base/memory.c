/*
 * memory.c -- memory checked before it is taken: the GUC acq.max_memory and
 * the check a call makes with its estimate before it allocates, so that a
 * call too large for the server fails with an error that says what to
 * change instead of growing until the kernel kills the backend (which
 * restarts every backend of the server).
 */
#include "postgres.h"

#include <math.h>

#include "utils/guc.h"

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

void
acq_check_memory(double bytes, const char *what, const char *hint)
{
	double		limit = (double) acq_max_memory * 1024.0;

	if (bytes > limit || isnan(bytes))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s needs %.0f MB, more than acq.max_memory (%d MB)",
						what, ceil(bytes / (1024.0 * 1024.0)), acq_max_memory / 1024),
				 hint ? errhint("%s", hint) : 0));
}
