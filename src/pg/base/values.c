/*
 * values.c -- small helpers over values that every capability shares:
 * comparators, distinct sorted values and their codes, and array builders.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "pg/base/base.h"

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

/* ---- arrays to C values, C values to arrays --------------------------------- */

double *
acq_float8_array_values(ArrayType *a, int *n)
{
	Datum	   *d;
	bool	   *nulls;
	double	   *out;

	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &d, &nulls, n);
	out = palloc(sizeof(double) * (*n + 1));
	for (int i = 0; i < *n; i++)
		out[i] = nulls[i] ? NAN : DatumGetFloat8(d[i]);
	return out;
}


Datum
acq_float8_array_datum(const double *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

Datum
acq_int4_array_datum(const int *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		d[i] = Int32GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, INT4OID, 4, true, TYPALIGN_INT));
}

Datum
acq_int8_array_datum(const int64 *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

Datum
acq_text_array_datum(char *const *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}
