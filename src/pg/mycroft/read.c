/*
 * read.c -- reading Mycroft's tables (training, test, hard and owner rows):
 * the columns checked, then each row's id, features, label and, for omp,
 * gradients, checked as the executor hands it over (base's acq_spi_stream)
 * and kept in base's row buffer, or handed on in chunks, or its gradients
 * handed to a callback instead of kept (the streamed omp, omp_stream.c).
 * Also the rows with given ids (acq.rank_owners reads each owner's k rows)
 * and the check that ids are unique.
 */
#include "postgres.h"

#include <math.h>

#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "pg/mycroft/mycroft.h"

#define LENGTH_HINT "The owner's and the hard rows' arrays must have one length."

/* a scan in progress: rows arrive one by one from the executor */
typedef struct RowScan
{
	const ReadSpec *rs;
	Rows	   *all;			/* collecting every row, or NULL: chunks to fn */
	int64		presize;		/* all: room for this many rows at the first row */
	Rows		chunk;
	ChunkFn		fn;
	void	   *arg;
	int		   *d;
	int		   *m;
	const char *table;
} RowScan;

/* a float8[] value, checked (acq_checked_vector), naming the row by id */
static double *
checked_vector(Datum d, bool isnull, int *len, const char *what, const char *table, int64 id)
{
	return acq_checked_vector(d, isnull, len, what, table, "id", id, LENGTH_HINT);
}

void
mycroft_check_columns(const ReadSpec *rs)
{
	acq_check_select(rs->rel, "acq reads the tables with your rights.");
	acq_check_integer_column(rs->rel, rs->id, "id", NULL);
	acq_check_array_column(rs->rel, rs->features, "features", NULL);
	acq_check_numeric_column(rs->rel, rs->label, "label", NULL);
	if (rs->gradients)
		acq_check_array_column(rs->rel, rs->gradients, "gradients", NULL);
}

int64
mycroft_count_rows(Oid rel, bool read_only)
{
	MemoryContext mine = CurrentMemoryContext;
	bool		isnull;
	int64		n;

	acq_spi_check(SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM %s", acq_rel_display_name(rel)),
							  read_only, 0),
				  SPI_OK_SELECT, "counting rows");
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	MemoryContextSwitchTo(mine);
	return n;
}

/* room for one more row in *into (and its gradients if kept): its index */
static int64
add_row(RowScan *sc, Rows *into, bool keep_gradients)
{
	int64		i;

	if (into->b.cap == 0)
	{
		into->b.d = *sc->d;
		into->b.with_ids = true;
		/* checked against acq.max_memory as it grows, gradients kept included */
		into->b.held = sc->rs->held;
		into->b.row_extra = keep_gradients ? sizeof(double) * (double) into->m : 0.0;
		into->b.what = psprintf("reading %s", sc->table);
		if (keep_gradients)
			into->b.hint = psprintf("The rows are held in memory, 8 bytes a feature and a gradient (%d each): "
									"use fewer rows, features or gradients", into->m);
		if (sc->presize > 0)
			acq_rowbuf_reserve(&into->b, sc->presize);
	}
	i = acq_rowbuf_add(&into->b);
	if (keep_gradients && into->gcap < into->b.cap)
	{
		into->G = into->G ? repalloc_huge(into->G, sizeof(double) * into->b.cap * into->m) :
			palloc_extended(sizeof(double) * into->b.cap * into->m, MCXT_ALLOC_HUGE);
		into->gcap = into->b.cap;
	}
	return i;
}

static void
scan_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	RowScan    *sc = (RowScan *) arg;
	const ReadSpec *rs = sc->rs;
	Rows	   *into = sc->all ? sc->all : &sc->chunk;
	MemoryContext mine = CurrentMemoryContext;
	int64		id;
	int64		i;
	double	   *x;
	double	   *g = NULL;
	double		y;

	if (slot->tts_isnull[0])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a row of %s has a NULL id", sc->table),
				 errhint("Every row needs an id: the selection names rows by it.")));
	id = DatumGetInt64(slot->tts_values[0]);
	/* arrays are detoasted, if they must be, in the row's scratch context */
	MemoryContextSwitchTo(rowcxt);
	x = checked_vector(slot->tts_values[1], slot->tts_isnull[1], sc->d, "features", sc->table, id);
	if (rs->gradients && rs->gradient_fn)
		g = acq_checked_array(slot->tts_values[3], slot->tts_isnull[3], sc->m, "gradients",
							  sc->table, "id", id, LENGTH_HINT);
	else if (rs->gradients)
		g = checked_vector(slot->tts_values[3], slot->tts_isnull[3], sc->m, "gradients", sc->table, id);
	MemoryContextSwitchTo(mine);
	if (slot->tts_isnull[2] || !isfinite(DatumGetFloat8(slot->tts_values[2])))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("label is NULL or not finite in %s, id " INT64_FORMAT, sc->table, id)));
	y = DatumGetFloat8(slot->tts_values[2]);
	if (rs->seen)
	{
		const double *hit = bsearch(&y, rs->want, rs->nwant, sizeof(double), acq_cmp_double);

		if (hit)
			rs->seen[hit - rs->want] = true;
	}
	if (g)
		into->m = *sc->m;
	i = add_row(sc, into, g != NULL && rs->gradient_fn == NULL);
	if (g && rs->gradient_fn)
		rs->gradient_fn(rs->gradient_arg, g, into->m, (ItemPointer) DatumGetPointer(slot->tts_values[4]),
						i, y, id, sc->table);
	else if (g)
		memcpy(into->G + i * into->m, g, sizeof(double) * into->m);
	into->b.ids[i] = id;
	memcpy(into->b.X + i * into->b.d, x, sizeof(double) * into->b.d);
	into->b.y[i] = y;
	if (!sc->all && into->b.n == ACQ_FETCH_BATCH)
	{
		sc->fn(sc->arg, &into->b);
		into->b.n = 0;
	}
	CHECK_FOR_INTERRUPTS();
}

/*
 * The scan behind mycroft_read_rows and mycroft_stream_rows.  Rows come
 * straight from the executor (base's acq_spi_stream): no copy of them is
 * kept but ours.
 */
static void
scan_rows(const ReadSpec *rs, Rows *all, int64 nrows, ChunkFn fn, void *arg, int *d, int *m)
{
	char	   *table = acq_rel_display_name(rs->rel);
	char	   *sql;
	RowScan		sc;
	AcqReadClock clock;

	acq_read_clock_start(&clock);
	Assert(rs->gradient_fn == NULL || rs->gradients != NULL);
	mycroft_check_columns(rs);
	if (rs->gradients)
		sql = psprintf("SELECT (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[], (%s)::pg_catalog.float8,"
					   " (%s)::pg_catalog.float8[]%s FROM %s",
					   quote_identifier(rs->id), quote_identifier(rs->features),
					   quote_identifier(rs->label), quote_identifier(rs->gradients),
					   rs->gradient_fn ? ", ctid" : "", table);
	else
		sql = psprintf("SELECT (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[], (%s)::pg_catalog.float8 FROM %s",
					   quote_identifier(rs->id), quote_identifier(rs->features),
					   quote_identifier(rs->label), table);
	memset(&sc, 0, sizeof(sc));
	if (all && nrows < 0)
	{
		/*
		 * Collecting every row: size the arrays once (a count does not
		 * detoast), rather than doubling them through the scan.
		 */
		nrows = mycroft_count_rows(rs->rel, rs->read_only);
	}
	sc.rs = rs;
	sc.all = all;
	sc.presize = all ? Max(nrows, 1) : 0;
	sc.fn = fn;
	sc.arg = arg;
	sc.d = d;
	sc.m = m;
	sc.table = table;
	acq_spi_stream(sql, rs->read_only, SPI_OK_SELECT, "reading rows", scan_row, &sc);
	acq_read_clock_done(&clock, "rows of", table, all ? all->b.n : -1, *d);
	if (!all && sc.chunk.b.n > 0)
		fn(arg, &sc.chunk.b);
}

void
mycroft_read_rows(const ReadSpec *rs, Rows *all, int64 nrows, int *d, int *m)
{
	scan_rows(rs, all, nrows, NULL, NULL, d, m);
}

void
mycroft_stream_rows(const ReadSpec *rs, ChunkFn fn, void *arg, int *d)
{
	scan_rows(rs, NULL, -1, fn, arg, d, NULL);
}

void
mycroft_check_unique_ids(int64 *ids, int64 n, const char *table)
{
	qsort(ids, n, sizeof(int64), acq_cmp_int64);
	for (int64 i = 1; i < n; i++)
		if (ids[i] == ids[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("id " INT64_FORMAT " appears more than once in %s", ids[i], table),
					 errhint("The selection names rows by id: make it unique (a primary key).")));
}

void
mycroft_fetch_rows(const ReadSpec *rs, const int64 *ids, int64 n, int *d, Rows *out)
{
	Datum		arr = acq_int8_array_datum(ids, (int) n);
	char	   *sql;
	Oid			t = INT8ARRAYOID;
	MemoryContext mine = CurrentMemoryContext;
	char	   *table = acq_rel_display_name(rs->rel);

	/* the id uncast: an index on an int4 id serves int4 = int8 (on a foreign owner's server too) */
	sql = psprintf("SELECT (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[], (%s)::pg_catalog.float8 FROM %s"
				   " WHERE %s OPERATOR(pg_catalog.=) ANY ($1)",
				   quote_identifier(rs->id), quote_identifier(rs->features), quote_identifier(rs->label),
				   table, quote_identifier(rs->id));
	acq_spi_check(SPI_execute_with_args(sql, 1, &t, &arr, NULL, true, 0), SPI_OK_SELECT, "reading the shared rows");
	MemoryContextSwitchTo(mine);
	out->b.with_ids = true;
	out->b.held = rs->held;
	out->b.what = psprintf("reading the rows %s shares", table);
	out->b.hint = "The k rows are held in memory (8 bytes a feature): lower k";
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		double	   *x = checked_vector(SPI_getbinval(tup, desc, 2, &isnull), isnull, d, "features", table, id);
		Datum		yv = SPI_getbinval(tup, desc, 3, &isnull);

		out->b.d = *d;
		acq_rowbuf_push(&out->b, x, DatumGetFloat8(yv), id);
		/* many wide rows take a while to detoast */
		if ((i & 63) == 63)
			CHECK_FOR_INTERRUPTS();
	}
}
