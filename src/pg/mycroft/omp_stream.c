/*
 * omp_stream.c -- omp (and combined) on a wide gradient column, streamed.
 * The in-memory path (omp_select.c) holds the owner's gradients twice over (8 N M
 * bytes, then the screen's int8 copy); here each row is quantised as the
 * scan hands it over (omp.h, acq_omp_quantized) and only the int8 copy is
 * kept.  The exact rows the pursuit asks for -- a few candidates a step,
 * and the support -- are fetched back by ctid (a TID scan) under the
 * snapshot the scan read, so they are the very rows quantised.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "pg/mycroft/mycroft.h"

/* the candidates quantised so far (the reader's GradientFn) */
typedef struct OmpStream
{
	AcqOmpQuant *quant;
	const double *want;			/* D_hard's labels (sorted), or NULL: every row */
	int			nwant;
	int64	   *cand;			/* candidate -> owner row */
	ItemPointerData *tid;		/* candidate -> its tuple */
	int64		nc;
	int64		cap;			/* rows counted */
} OmpStream;

/* the rows the pursuit asks for, fetched back by ctid (acq_omp_quantized's fetch) */
typedef struct OmpFetch
{
	SPIPlanPtr	plan;
	const OmpStream *os;
	const int64 *ids;			/* owner row -> id */
	int			m;
	const char *table;
	/* one call */
	int64		n;
	int64	   *order;			/* positions 0..n-1 sorted by tid */
	const int64_t *index;
	double	   *rows;
	bool	   *got;
	int64		fetched;		/* rows fetched, for DEBUG1 */
	int			calls;
} OmpFetch;

static void
stream_gradients(void *arg, const double *g, int m, ItemPointer tid, int64 row, double y,
				 int64 id, const char *table)
{
	OmpStream  *os = (OmpStream *) arg;

	if (os->want && !acq_has_value(os->want, os->nwant, y))
		return;
	if (acq_omp_quant_rows(os->quant) >= os->cap)
		elog(ERROR, "%s has more rows than counted under the same snapshot", table);
	if (!acq_omp_quant_add(os->quant, g))
	{
		acq_check_finite(g, m, "gradients", table, "id", id);	/* names the element */
		acq_check_scale(g, m, "gradients", table, "id", id);
		elog(ERROR, "quantising a row of %s failed", table);
	}
	os->cand[os->nc] = row;
	os->tid[os->nc] = *tid;
	os->nc++;
}

static int
cmp_fetch_pos(const void *a, const void *b, void *arg)
{
	const OmpFetch *f = (const OmpFetch *) arg;

	return ItemPointerCompare(&f->os->tid[f->index[*(const int64 *) a]],
							  &f->os->tid[f->index[*(const int64 *) b]]);
}

static void
fetch_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	OmpFetch   *f = (OmpFetch *) arg;
	ItemPointer tid = (ItemPointer) DatumGetPointer(slot->tts_values[0]);
	int64		lo = 0,
				hi = f->n - 1,
				pos = -1;
	int			m = f->m;
	double	   *g;
	MemoryContext mine = CurrentMemoryContext;

	while (lo <= hi)
	{
		int64		mid = (lo + hi) / 2;
		int			c = ItemPointerCompare(tid, &f->os->tid[f->index[f->order[mid]]]);

		if (c == 0)
		{
			pos = f->order[mid];
			break;
		}
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	if (pos < 0 || f->got[pos] || slot->tts_isnull[1] ||
		DatumGetInt64(slot->tts_values[1]) != f->ids[f->os->cand[f->index[pos]]])
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("a row of %s changed while acq was selecting from it", f->table)));
	MemoryContextSwitchTo(rowcxt);
	g = acq_checked_array(slot->tts_values[2], slot->tts_isnull[2], &m, "gradients", f->table,
						  "id", DatumGetInt64(slot->tts_values[1]), NULL);
	MemoryContextSwitchTo(mine);
	memcpy(f->rows + pos * f->m, g, sizeof(double) * f->m);
	f->got[pos] = true;
}

static int
omp_fetch(void *arg, const int64_t *index, int64_t n, double *rows)
{
	OmpFetch   *f = (OmpFetch *) arg;
	Datum	   *tids = palloc(sizeof(Datum) * n);
	Datum		param;

	f->n = n;
	f->fetched += n;
	f->calls++;
	f->index = index;
	f->rows = rows;
	f->order = palloc(sizeof(int64) * n);
	f->got = palloc0(sizeof(bool) * n);
	for (int64 i = 0; i < n; i++)
	{
		f->order[i] = i;
		tids[i] = PointerGetDatum(&f->os->tid[index[i]]);
	}
	qsort_arg(f->order, n, sizeof(int64), cmp_fetch_pos, f);
	param = PointerGetDatum(construct_array(tids, (int) n, TIDOID, sizeof(ItemPointerData),
											false, TYPALIGN_SHORT));
	acq_spi_stream_plan(f->plan, &param, NULL, true, SPI_OK_SELECT, "fetching rows", fetch_row, f);
	for (int64 i = 0; i < n; i++)
		if (!f->got[i])
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("a row of %s changed while acq was selecting from it", f->table)));
	pfree(f->order);
	pfree(f->got);
	pfree(DatumGetPointer(param));
	pfree(tids);
	return 0;
}

/*
 * Whether omp over the owner's gradient column can run streamed: a plain
 * table without inheritance children (ctid names one row of it), and k
 * large enough for the screen.  The size test needs the row count, taken
 * under the scan's snapshot (mycroft_select_omp_streamed).
 */
bool
mycroft_omp_streamable(const SelSpec *s, const Rows *hard)
{
	char		kind = get_rel_relkind(s->owner.rel);

	return s->owner.gradients && (kind == RELKIND_RELATION || kind == RELKIND_MATVIEW) &&
		!has_subclass(s->owner.rel) && s->k >= 8 && hard->m >= 1;
}

/* the screen pays and its copy stays under 2 GB (as acq_omp_explicit decides) */
static bool
omp_stream_size_ok(int64 n, int m)
{
	double		nm = (double) n * m;

	return nm >= 1048576.0 && nm <= 2147483648.0;
}

/*
 * Returns false, having selected nothing, when the values are out of the
 * screen's range: the caller then runs the in-memory path.
 */
bool
mycroft_select_omp_streamed(SelSpec *s, const Rows *hard, const double *hl, int nhl,
							SelResult *res)
{
	MemoryContext mine = CurrentMemoryContext;
	ReadSpec	rs = s->owner;
	Rows		owner = {0};
	OmpStream	os = {0};
	OmpFetch	f = {0};
	int			d = hard->b.d,	/* the owner's features must match the hard rows' */
				m = hard->m;
	AcqOmpParams op;
	AcqOmpResult or;
	AcqStatus	st;
	char		errbuf[256];
	double	   *psi,
			   *b;
	Oid			argtype = TIDARRAYOID;
	bool		selected;
	int64		nrows;

	/* one snapshot for the count, the scan and every fetch */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	nrows = mycroft_count_rows(s->owner.rel, true);
	if (!omp_stream_size_ok(nrows, hard->m))
	{
		PopActiveSnapshot();
		return false;
	}
	/* the gradients' int8 copy (and its scales), candidates and row addresses */
	acq_memory_take(s->held, (double) Max(nrows, 1) * (m + 3.0 * sizeof(double) + sizeof(int64) +
														sizeof(ItemPointerData)),
					psprintf("omp: quantising the gradients of " INT64_FORMAT " rows (%d values each)", nrows, m),
					"The gradients are kept as one byte a value: use an owner table with fewer rows or gradients");
	b = mycroft_omp_gradient_target(hard, m);
	os.cap = Max(nrows, 1);
	os.quant = acq_omp_quant_create(os.cap, m);
	os.want = s->same_label ? hl : NULL;
	os.nwant = nhl;
	os.cand = palloc_extended(sizeof(int64) * Max(nrows, 1), MCXT_ALLOC_HUGE);
	os.tid = palloc_extended(sizeof(ItemPointerData) * Max(nrows, 1), MCXT_ALLOC_HUGE);

	/* the owner's rows: ids, features and labels kept, gradients quantised */
	rs.gradient_fn = stream_gradients;
	rs.gradient_arg = &os;
	rs.read_only = true;
	mycroft_read_rows(&rs, &owner, nrows, &d, &m);
	if (m != hard->m)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("gradients have %d dimensions in the owner's table and %d in the hard rows", m, hard->m)));

	mycroft_check_owner_rows(s, &owner, res);
	mycroft_omp_check_candidates(s, os.nc);
	mycroft_omp_params(s, &op);
	psi = mycroft_omp_psi(s, &owner, hard, os.cand, os.nc);

	f.os = &os;
	f.ids = owner.b.ids;
	f.m = m;
	f.table = acq_rel_display_name(s->owner.rel);
	f.plan = acq_spi_prepare(psprintf("SELECT ctid, (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[] FROM %s"
									  " WHERE ctid = ANY ($1)",
									  quote_identifier(s->owner.id), quote_identifier(s->owner.gradients),
									  f.table), 1, &argtype, "the row fetch");
	MemoryContextSwitchTo(mine);
	mycroft_check_pursuit(s, ACQ_OMP_WORK_QUANTIZED, os.nc, m);
	st = acq_omp_quantized(os.quant, omp_fetch, &f, b, psi, psi ? ACQ_OMP_PSI_DIAGONAL : 0,
						   &op, &or, errbuf, sizeof(errbuf));
	PopActiveSnapshot();
	ereport(DEBUG1,
			(errmsg_internal("omp streamed over %s: " INT64_FORMAT " candidates quantised",
							 f.table, os.nc),
			 errdetail_internal(INT64_FORMAT " rows fetched in %d queries", f.fetched, f.calls)));
	acq_omp_quant_free(os.quant);
	selected = (st == ACQ_OK);
	if (st == ACQ_ERR_TOO_LARGE)
		acq_omp_result_free(&or);
	else if (st != ACQ_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("gradient matching failed: %s", errbuf)));
	else
		mycroft_omp_result(s, res, &or, os.cand, owner.b.ids, psi);
	SPI_freeplan(f.plan);
	return selected;
}
