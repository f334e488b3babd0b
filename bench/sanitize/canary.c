/*
 * canary.c -- bench/sanitize.sh's self-check: a PostgreSQL function with a
 * deliberate heap overflow (mode 1, AddressSanitizer) and a deliberate
 * signed overflow (mode 2, UBSan), built with the same flags as acq.so and
 * called in the sanitized server after the real run.  The script fails
 * unless each leaves a report where it looks for them, so a run that saw
 * nothing saw nothing because there was nothing, not because the reports
 * went elsewhere.
 */
#include "postgres.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(acq_san_canary);

Datum
acq_san_canary(PG_FUNCTION_ARGS)
{
	int32		mode = PG_GETARG_INT32(0);
	int32		n = PG_GETARG_INT32(1);

	if (mode == 1)
	{
		char	   *volatile p = malloc(16);	/* volatile: no compile-time size */
		volatile char c;

		memset(p, 1, 16);
		c = p[n];				/* n = 16: one past the end */
		free(p);
		PG_RETURN_INT32(c);
	}
	else
	{
		volatile int32 big = INT_MAX;

		PG_RETURN_INT32(big + n);	/* n = 1: signed overflow */
	}
}
