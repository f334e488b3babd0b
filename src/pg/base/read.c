/*
 * read.c -- the read path of float8[] feature columns, shared by every
 * capability: an array seen where the executor left it, its elements copied
 * once into the caller's matrix; and a clock that says what a read cost.
 *
 * A row's array reaches a streamed reader (spi.c's receiver) as a datum
 * pointing into the heap page.  A short array (under 127 bytes: float8[15]
 * or fewer) is stored with a one-byte header, and DatumGetArrayTypeP would
 * palloc an aligned copy of it for every row; a longer one in place is an
 * ArrayType already.  acq_float8_view reads the header where it is (the
 * one-byte case through memcpy: its fields and data are not aligned), so a
 * reader copies the elements once, straight into the row of its own matrix
 * (memcpy of the data when there is no NULL), and checks them there
 * (select_sources' sources.c; the other readers use acq_checked_vector,
 * whose array is in place unless it is short).  Only a
 * compressed or out-of-line (toasted) array is detoasted, into the current
 * memory context (a streamed reader's per-row context); an array with a
 * NULL bitmap in a one-byte header is rare enough to take the aligned copy.
 *
 * The clock: acq_read_clock_done reports a read at DEBUG2 ("acq read: ..."),
 * which bench/read_path.sh sets to compare a capability's read with
 * PostgreSQL's own scan of the same column.
 */
#include "postgres.h"

#include "portability/instr_time.h"
#include "utils/array.h"

#include "pg/base/base.h"

/* the view's fields from a header at p (an ArrayType's, less vl_len_), possibly unaligned */
static void
view_from_header(const char *p, AcqArrayView *v)
{
	int32		ndim,
				dataoffset,
				dim0 = 0;

	memcpy(&ndim, p, sizeof(int32));
	memcpy(&dataoffset, p + sizeof(int32), sizeof(int32));
	if (ndim >= 1)
		memcpy(&dim0, p + 3 * sizeof(int32), sizeof(int32));
	v->ndim = ndim;
	v->hasnull = dataoffset != 0;
	v->n = dim0;				/* the first dimension's length: read only when ndim is 1 */
}

bool
acq_float8_view(Datum d, AcqArrayView *v)
{
	struct varlena *p = (struct varlena *) DatumGetPointer(d);

	v->copy = NULL;
	if (VARATT_IS_SHORT(p) && !VARATT_IS_EXTERNAL(p))
	{
		/* a one-byte header: the ArrayType's fields after it, unaligned */
		const char *body = VARDATA_SHORT(p);
		int32		ndim;
		int32		dataoffset;

		memcpy(&ndim, body, sizeof(int32));
		memcpy(&dataoffset, body + sizeof(int32), sizeof(int32));
		if (dataoffset == 0 && ndim >= 0 && ndim <= MAXDIM)
		{
			view_from_header(body, v);
			/* ARR_DATA_OFFSET of a NULL-free array, less the four-byte header */
			v->data = body + ARR_OVERHEAD_NONULLS(ndim) - VARHDRSZ;
			return true;
		}
		/* with a NULL bitmap: the aligned copy, as PostgreSQL makes it */
	}
	if (VARATT_IS_EXTENDED(p))
	{
		/* compressed, out of line, or short with NULLs: detoasted in the current context */
		p = (struct varlena *) PG_DETOAST_DATUM(d);
		v->copy = p;
	}
	{
		ArrayType  *a = (ArrayType *) p;

		v->ndim = ARR_NDIM(a);
		v->hasnull = array_contains_nulls(a);
		v->n = v->ndim >= 1 ? ARR_DIMS(a)[0] : 0;
		v->data = ARR_DATA_PTR(a);
	}
	return true;
}

/*
 * The next row's array, fetched into the cache while this row is checked.
 *
 * A wide array is read where it lies, in a shared buffer, and a row of
 * float8[144] is 19 cache lines that no other part of the scan has touched:
 * the executor reads the tuple's header and the array's, and the first pass
 * over the elements (the finiteness check) waited on memory for each of
 * them in turn (perf: a quarter of reading 48,000 such rows; the scan that
 * reads only headers took a quarter of acq's time).  A heap page is filled from
 * its end down, each tuple just below the one inserted before it (bufpage.c,
 * PageAddItemExtended), and a sequential scan returns them in that order, so
 * the next row's tuple usually lies right below this one: the n elements'
 * width below data, plus 128 bytes for the tuples' headers, the columns
 * before the array and the array's own header.  Prefetching that range while
 * this row is checked and copied overlaps the two rows' memory traffic.
 *
 * Only a hint: a prefetch never faults or changes memory, so when the guess
 * is wrong (a new page, rows of other widths or order, an array detoasted
 * into a palloc'd copy -- acq_checked_array does not call it then) a few
 * cache lines are fetched for nothing.  No value read changes.
 */
void
acq_prefetch_next_row(const void *data, int n)
{
#if defined(__GNUC__)
	const char *hi = (const char *) data;
	/* a tuple in a page is never larger than the page */
	size_t		span = Min((size_t) Max(n, 0) * sizeof(float8) + 128, (size_t) BLCKSZ);

	if ((uintptr_t) hi < span)
		return;
	for (const char *q = hi - span; q < hi; q += 64)
		__builtin_prefetch(q, 0, 3);
#endif
}

void
acq_float8_view_release(AcqArrayView *v)
{
	if (v->copy != NULL)
		pfree(v->copy);
	v->copy = NULL;
}

/* ---- the clock ------------------------------------------------------------------ */

void
acq_read_clock_start(AcqReadClock *c)
{
	INSTR_TIME_SET_CURRENT(c->start);
}

void
acq_read_clock_done(const AcqReadClock *c, const char *what, const char *table, int64 rows, int d)
{
	instr_time	now;

	if (!message_level_is_interesting(DEBUG2))
		return;
	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, c->start);
	elog(DEBUG2, "acq read: %s %s: " INT64_FORMAT " rows of %d features in %.3f ms",
		 what, table, rows, d, INSTR_TIME_GET_MILLISEC(now));
}
