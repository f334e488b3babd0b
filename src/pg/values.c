/*
 * values.c -- small helpers over values that acquire.c, evaluate.c and
 * mycroft.c share: comparators, distinct sorted values and their codes, and
 * array arguments read with errors that name the argument.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "acq_pg.h"

int
acq_cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a,
				y = *(const int64 *) b;

	return x < y ? -1 : x > y;
}

int
acq_cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : x > y;
}

/* the distinct values of v, ascending, in a new array *out; returns their number */
int
acq_distinct_values(const double *v, int64 n, double **out)
{
	double	   *s = palloc_extended(sizeof(double) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE);
	int			k = 0;

	memcpy(s, v, sizeof(double) * n);
	qsort(s, n, sizeof(double), acq_cmp_double);
	for (int64 i = 0; i < n; i++)
		if (i == 0 || s[i] != s[i - 1])
			s[k++] = s[i];
	*out = s;
	return k;
}

/* codes[i] = the index of v[i] among the K sorted distinct values, or -1 */
void
acq_value_codes(const double *v, int64 n, const double *sorted, int K, int *codes)
{
	for (int64 i = 0; i < n; i++)
	{
		double	   *hit = bsearch(&v[i], sorted, K, sizeof(double), acq_cmp_double);

		codes[i] = hit ? (int) (hit - sorted) : -1;
	}
}

/* is v among the n sorted values? */
bool
acq_has_value(const double *sorted, int n, double v)
{
	return bsearch(&v, sorted, n, sizeof(double), acq_cmp_double) != NULL;
}

static void
array_error(const char *argname, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must %s", argname, what)));
}

/* a float8[] argument: one-dimensional, no NULL, finite */
double *
acq_float8_array_arg(ArrayType *a, int *n, const char *argname)
{
	Datum	   *d;
	bool	   *nulls;
	double	   *out;

	if (ARR_NDIM(a) > 1)
		array_error(argname, "be a one-dimensional array");
	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &d, &nulls, n);
	out = palloc(sizeof(double) * (*n > 0 ? *n : 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			array_error(argname, "not contain NULL");
		out[i] = DatumGetFloat8(d[i]);
		if (!isfinite(out[i]))
			array_error(argname, "not contain NaN or Infinity");
	}
	return out;
}

/* an int[] argument: one-dimensional, no NULL */
int *
acq_int4_array_arg(ArrayType *a, int *n, const char *argname)
{
	Datum	   *d;
	bool	   *nulls;
	int		   *out;

	if (ARR_NDIM(a) > 1)
		array_error(argname, "be a one-dimensional array");
	deconstruct_array(a, INT4OID, 4, true, TYPALIGN_INT, &d, &nulls, n);
	out = palloc(sizeof(int) * (*n > 0 ? *n : 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			array_error(argname, "not contain NULL");
		out[i] = DatumGetInt32(d[i]);
	}
	return out;
}

/* a text[] argument: one-dimensional, no NULL */
char	  **
acq_text_array_arg(ArrayType *a, int *n, const char *argname)
{
	Datum	   *d;
	bool	   *nulls;
	char	  **out;

	if (ARR_NDIM(a) > 1)
		array_error(argname, "be a one-dimensional array");
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &d, &nulls, n);
	out = palloc(sizeof(char *) * (*n > 0 ? *n : 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			array_error(argname, "not contain NULL");
		out[i] = TextDatumGetCString(d[i]);
	}
	return out;
}
