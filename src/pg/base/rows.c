/*
 * rows.c -- the values of a row read from a table, checked, with errors that
 * name the table and the row; and one growable buffer of rows.
 */
#include "postgres.h"

#include <math.h>

#include "utils/array.h"
#include "utils/memutils.h"

#include "pg/base/base.h"
#include "core/vecmath.h"

/*
 * For readers that copy each row's elements: the array of datum d detoasted
 * (NULL if isnull), to pass to acq_checked_vector as PointerGetDatum(a), and
 * freed by acq_free_detoasted(d, a) once copied, so that reading a table of
 * wide (toasted) arrays holds one row's copy at a time rather than all of
 * them until the call ends.
 */
ArrayType *
acq_detoast_array(Datum d, bool isnull)
{
	return isnull ? NULL : DatumGetArrayTypeP(d);
}

void
acq_free_detoasted(Datum d, ArrayType *a)
{
	if (a != NULL && (Pointer) a != DatumGetPointer(d))
		pfree(a);
}

double *
acq_checked_vector(Datum d, bool isnull, int *len, const char *what, const char *table,
				   const char *rowkind, int64 rowno, const char *hint)
{
	double	   *x = acq_checked_array(d, isnull, len, what, table, rowkind, rowno, hint);

	/* one pass for the usual row; the checks themselves (and their errors) otherwise */
	if (!acq_row_surely_fine(x, *len))
	{
		acq_check_finite(x, *len, what, table, rowkind, rowno);
		acq_check_scale(x, *len, what, table, rowkind, rowno);
	}
	return x;
}

/*
 * True when every |x_j| is at most sqrt(limit / 2n), which
 * acq_row_norm_over's first test asks: then every element is finite and the
 * norm is within the limit, so acq_check_finite and acq_check_scale would
 * pass -- answered in one pass over the row, on the bits (vecmath's
 * all_within), rather than one for finiteness and one for the bound.  False
 * says nothing: the caller makes the checks, which find the error or pass.
 */
bool
acq_row_surely_fine(const double *x, int n)
{
	if (n <= 0 || n > (1 << 20))
		return false;
	return acq_vec_ops()->all_within(x, n, sqrt(ACQ_MAX_ROW_SQNORM / 2.0 / n));
}

double
acq_row_norm_over(const double *x, int n)
{
	double		ss = 0.0;
	double		mx = 0.0;

	/*
	 * Every |x_j| at most sqrt(limit / 2n): the sum of their squares, in
	 * any order and however rounded (n up to 2^20: a relative error under
	 * 2^-32), is within the limit -- the answer the sum below gives, found
	 * without its chain of dependent additions (a NaN fails the test and
	 * takes the sum).
	 */
	if (n > 0 && n <= (1 << 20))
	{
		double		bound = sqrt(ACQ_MAX_ROW_SQNORM / 2.0 / n);
		int			j = 0;

		for (; j + 4 <= n; j += 4)
			if (!(fabs(x[j]) <= bound && fabs(x[j + 1]) <= bound &&
				  fabs(x[j + 2]) <= bound && fabs(x[j + 3]) <= bound))
				break;
		for (; j < n; j++)
			if (!(fabs(x[j]) <= bound))
				break;
		if (j == n)
			return 0.0;
	}
	for (int j = 0; j < n; j++)
		ss += x[j] * x[j];
	if (ss <= ACQ_MAX_ROW_SQNORM)
		return 0.0;
	/* the norm itself, scaled by the largest element so that it does not overflow */
	for (int j = 0; j < n; j++)
		mx = Max(mx, fabs(x[j]));
	ss = 0.0;
	for (int j = 0; j < n; j++)
		ss += (x[j] / mx) * (x[j] / mx);
	return mx * sqrt(ss);
}

void
acq_check_scale(const double *x, int n, const char *what, const char *table,
				const char *rowkind, int64 rowno)
{
	double		norm = acq_row_norm_over(x, n);

	if (norm > 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s in %s, %s " INT64_FORMAT ", have a Euclidean norm of %.3g: float8 arithmetic on them overflows",
						what, table, rowkind, rowno, norm),
				 errdetail("acq computes distances, dot products and sums of squares of rows in float8; "
						   "their squares fit it up to a norm of about %.2g.", ACQ_MAX_ROW_NORM),
				 errhint("Rescale the column (for example to unit variance, or divide it by %.0e) and call again.",
						 pow(10.0, floor(log10(norm))))));
}

/* an error naming the first element of x[0..n-1] that is NaN or infinite, if any */
void
acq_check_finite(const double *x, int n, const char *what, const char *table,
				 const char *rowkind, int64 rowno)
{
	if (acq_vec_ops()->all_finite(x, n))
		return;
	for (int j = 0; j < n; j++)
		if (!isfinite(x[j]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s in %s, %s " INT64_FORMAT ", contain NaN or Infinity (element %d)",
							what, table, rowkind, rowno, j + 1)));
}

/* acq_checked_vector without the check of the values (the caller makes it) */
double *
acq_checked_array(Datum d, bool isnull, int *len, const char *what, const char *table,
				  const char *rowkind, int64 rowno, const char *hint)
{
	ArrayType  *a;
	int			n;
	double	   *x;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s are NULL in %s, %s " INT64_FORMAT, what, table, rowkind, rowno)));
	a = DatumGetArrayTypeP(d);
	if (ARR_NDIM(a) != 1 || array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s in %s, %s " INT64_FORMAT ", must be a one-dimensional array without NULLs",
						what, table, rowkind, rowno)));
	n = ARR_DIMS(a)[0];
	if (*len < 0)
		*len = n;
	if (n != *len || n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s in %s, %s " INT64_FORMAT ", have %d dimensions, expected %d",
						what, table, rowkind, rowno, n, *len),
				 hint ? errhint("%s", hint) : 0));
	x = (double *) ARR_DATA_PTR(a);
	/* in place in the page (not detoasted): the next row is likely just below (read.c) */
	if ((Pointer) a == DatumGetPointer(d))
		acq_prefetch_next_row(x, n);
	return x;
}

/* a label value: not NULL, finite */
double
acq_checked_label(Datum d, bool isnull, const char *table, const char *rowkind, int64 rowno)
{
	double		y;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("label is NULL in %s, %s " INT64_FORMAT, table, rowkind, rowno)));
	y = DatumGetFloat8(d);
	if (!isfinite(y))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("label is NaN or Infinity in %s, %s " INT64_FORMAT, table, rowkind, rowno)));
	return y;
}

/* ---- a growable block of rows ------------------------------------------------ */

static void *
grow(void *p, int64 cap, size_t size)
{
	return p ? repalloc_huge(p, mul_size(size, cap)) : palloc_extended(mul_size(size, cap), MCXT_ALLOC_HUGE);
}

/* bytes a row of b takes: features, label, attribute, id and the caller's extra */
double
acq_rowbuf_row_bytes(const AcqRowBuf *b)
{
	return sizeof(double) * (b->d + 1.0 + (b->with_attr ? 1.0 : 0.0)) +
		(b->with_ids ? sizeof(int64) : 0.0) + b->row_extra;
}

/*
 * Room for cap rows, the memory checked first: the call's holdings
 * (*b->held, which counts this buffer too) with the buffer at its new size.
 * A huge block grows by realloc (PostgreSQL's large chunks are malloc'd),
 * which glibc does in place with mremap for blocks past its mmap threshold:
 * the old and the new block are not held at once (measured; hardening.md).
 */
void
acq_rowbuf_reserve(AcqRowBuf *b, int64 cap)
{
	MemoryContext old;
	double		rowbytes = acq_rowbuf_row_bytes(b);
	double		before = (double) b->cap * rowbytes;
	double		after = (double) cap * rowbytes;
	double		total;

	if (cap <= b->cap)
		return;
	total = (b->held ? *b->held : before) - before + after;
	if (acq_memory_over(total))
		acq_check_memory(total,
						 psprintf("%s (" INT64_FORMAT " rows of %d features)",
								  b->what ? b->what : "reading the rows", cap, b->d),
						 b->hint ? b->hint :
						 "The rows are held in memory (8 bytes a feature): use fewer rows or features");
	old = MemoryContextSwitchTo(b->cxt ? b->cxt : CurrentMemoryContext);
	b->X = grow(b->X, cap, sizeof(double) * b->d);
	b->y = grow(b->y, cap, sizeof(double));
	if (b->with_attr)
		b->a = grow(b->a, cap, sizeof(double));
	if (b->with_ids)
		b->ids = grow(b->ids, cap, sizeof(int64));
	MemoryContextSwitchTo(old);
	if (b->held)
		*b->held += after - before;
	b->cap = cap;
}

int64
acq_rowbuf_add(AcqRowBuf *b)
{
	if (b->n == b->cap)
		acq_rowbuf_reserve(b, b->cap ? 2 * b->cap : 1024);
	return b->n++;
}

void
acq_rowbuf_push(AcqRowBuf *b, const double *x, double y, int64 id)
{
	int64		i = acq_rowbuf_add(b);

	memcpy(b->X + i * b->d, x, sizeof(double) * b->d);
	b->y[i] = y;
	if (b->with_ids)
		b->ids[i] = id;
}
