/*
 * read.c -- reading the rows of a run's tables at set-up, streamed and
 * checked as they come: the consumer's and the target's (held: kept for
 * novelty and the predicates), and the provider's (for sale: its ids,
 * labels and what the predicates need, in id order, computed on a foreign
 * provider's own server; not the feature arrays, which are read and checked
 * only for the records bought).  Also a row's id, features and label for
 * buy.c, and the sorted ids.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "pg/acquisition/acquisition.h"

#define FEATURES_HINT "Consumer, provider and target need feature arrays of one length."

/* ids: sorted by a specialised sort (lib/sort_template.h) */
#define ST_SORT acquisition_sort_ids
#define ST_ELEMENT_TYPE int64
#define ST_COMPARE(a, b) (*(a) < *(b) ? -1 : *(a) > *(b) ? 1 : 0)
#define ST_SCOPE extern
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

/* a provider row at set-up: its id and where the scan met it */
typedef struct PoolKey
{
	int64		id;
	int64		row;
} PoolKey;

#define ST_SORT sort_pool_keys
#define ST_ELEMENT_TYPE PoolKey
#define ST_COMPARE(a, b) ((a)->id < (b)->id ? -1 : (a)->id > (b)->id ? 1 : 0)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

static void append_sql_predicates(StringInfo q, Run *run, bool remote);
static char *read_sql(Run *run, Oid rel, const char *extra);
static uint64 row_sql_mask(Run *run, TupleTableSlot *slot, MemoryContext rowcxt, int col);
static void sort_pool(Run *run, PoolScan *ps);

/* ---- a row's values ------------------------------------------------------------ */

/*
 * A row's features, checked; NULL-free, finite, run->d long (set by the
 * first row).  Points into the row's array, detoasted in rowcxt if need be.
 */
double *
acquisition_row_features(Run *run, TupleTableSlot *slot, MemoryContext rowcxt, int col,
						 const char *table, int64 id)
{
	bool		isnull;
	Datum		d = acquisition_slot_col(slot, col, &isnull);
	MemoryContext old = MemoryContextSwitchTo(rowcxt);
	double	   *x = acq_checked_vector(d, isnull, &run->d, "features", table, "id", id, FEATURES_HINT);

	MemoryContextSwitchTo(old);
	return x;
}

double
acquisition_row_label(TupleTableSlot *slot, int col, const char *table, int64 id)
{
	bool		isnull;
	Datum		d = acquisition_slot_col(slot, col, &isnull);

	return acq_checked_label(d, isnull, table, "id", id);
}

int64
acquisition_row_id(TupleTableSlot *slot, const char *table)
{
	bool		isnull;
	Datum		d = acquisition_slot_col(slot, 1, &isnull);

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a row of %s has a NULL id", table),
				 errhint("Every record needs an id.")));
	return DatumGetInt64(d);
}

/*
 * ", ARRAY[<the SQL predicates' values>]": false where one is NULL (for a
 * foreign provider as a CASE, which postgres_fdw ships and COALESCE not)
 */
static void
append_sql_predicates(StringInfo q, Run *run, bool remote)
{
	appendStringInfoString(q, ", ARRAY[");
	for (int i = 0; i < run->s.nsql; i++)
		appendStringInfo(q, remote ? "%sCASE WHEN (%s)::pg_catalog.bool THEN true ELSE false END" :
						 "%sCOALESCE((%s)::pg_catalog.bool, false)", i ? ", " : "", run->s.sql[i]);
	appendStringInfoString(q, "]");
}

/*
 * The SQL that reads id, features, label (and the SQL predicates) of a
 * table: consumer, provider and target share those columns' names.
 */
static char *
read_sql(Run *run, Oid rel, const char *extra)
{
	StringInfoData q;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[], (%s)::pg_catalog.float8",
					 run->q_id, run->q_features, run->q_label);
	if (run->s.kind == PRED_SQL)
		append_sql_predicates(&q, run, false);
	if (extra)
		appendStringInfo(&q, ", %s", extra);
	appendStringInfo(&q, " FROM %s", acq_rel_display_name(rel));
	return q.data;
}

/* the SQL predicates' values of a row: bit i set if predicate i holds */
static uint64
row_sql_mask(Run *run, TupleTableSlot *slot, MemoryContext rowcxt, int col)
{
	bool		isnull;
	Datum		d = acquisition_slot_col(slot, col, &isnull);
	Datum	   *e;
	bool	   *nulls;
	int			n;
	uint64		mask = 0;
	MemoryContext old = MemoryContextSwitchTo(rowcxt);

	deconstruct_array(DatumGetArrayTypeP(d), BOOLOID, 1, true, TYPALIGN_CHAR, &e, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i] && DatumGetBool(e[i]))
			mask |= UINT64CONST(1) << i;
	MemoryContextSwitchTo(old);
	return mask;
}

/* ---- held rows: the consumer's and the target's ----------------------------- */

double
acquisition_held_row_bytes(int d)
{
	Size		x = sizeof(double) * (d + 1);

	/* palloc's chunk: a power of 2 up to 8 kB, and its header */
	if (x <= 8192)
	{
		Size		c = 8;

		while (c < x)
			c *= 2;
		x = c;
	}
	return (double) x + 16.0 + sizeof(HeldRow);
}

static void
held_push(Run *run, HeldRows *h, const char *table, int64 id, const double *x, double y, uint64 mask,
		  int plan_round)
{
	HeldRow    *r;
	double		need = run->mem + acquisition_held_row_bytes(run->d) +
		(h->n == h->cap ? sizeof(HeldRow) * (h->cap ? h->cap : 1024.0) : 0.0);

	/* the row, and the array of rows when it doubles */
	if (acq_memory_over(need))
		acq_check_memory(need,
						 psprintf("reading %s (" INT64_FORMAT " records of %d features held so far)",
								  table, h->n + 1, run->d),
						 "The consumer's and the target's records are held in memory (8 bytes a feature): "
						 "use fewer records or features");
	run->mem += acquisition_held_row_bytes(run->d);
	if (h->n == h->cap)
	{
		run->mem += sizeof(HeldRow) * (double) (h->cap ? h->cap : 1024);
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->rows = h->rows ? repalloc_huge(h->rows, sizeof(HeldRow) * h->cap) :
			palloc_extended(sizeof(HeldRow) * h->cap, MCXT_ALLOC_HUGE);
	}
	r = &h->rows[h->n++];
	/*
	 * Carved from a block of about 1 MB, not palloc'd one by one: no
	 * power-of-two rounding (a 1,160-byte row took a 2 kB chunk), fewer
	 * pages to touch (acquisition_held_row_bytes still counts the rounded
	 * chunk: an upper bound)
	 */
	if (h->block_left == 0)
	{
		h->block_left = Max(1, (1024 * 1024) / (int64) (sizeof(double) * (run->d + 1)));
		h->block = palloc_extended(sizeof(double) * (run->d + 1) * h->block_left, MCXT_ALLOC_HUGE);
	}
	r->x = h->block;
	h->block += run->d + 1;
	h->block_left--;
	memcpy(r->x, x, sizeof(double) * run->d);
	r->x[run->d] = y;
	r->mask = mask;
	r->id = id;
	r->plan_round = plan_round;
}

void
acquisition_held_append(Run *run, HeldRows *h, const char *table, int64 id, const double *x,
						double y, uint64 mask, int plan_round)
{
	held_push(run, h, table, id, x, y, mask, plan_round);
}

/* reading the consumer's (or the target's) rows */
typedef struct HeldScan
{
	Run		   *run;
	HeldRows   *h;
	const char *table;
	bool		is_target;
	int			roundcol;
} HeldScan;

static void
held_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	HeldScan   *hs = arg;
	Run		   *run = hs->run;
	int64		id = acquisition_row_id(slot, hs->table);
	double	   *x = acquisition_row_features(run, slot, rowcxt, 2, hs->table, id);
	double		y = acquisition_row_label(slot, 3, hs->table, id);
	uint64		mask = run->s.kind == PRED_SQL ? row_sql_mask(run, slot, rowcxt, 4) : 0;
	int			plan_round = 0;
	bool		isnull;

	if (hs->is_target)
		plan_round = DatumGetInt32(acquisition_slot_col(slot, hs->roundcol, &isnull));
	held_push(run, hs->h, hs->table, id, x, y, mask, plan_round);
	CHECK_FOR_INTERRUPTS();
}

void
acquisition_read_held(Run *run, Oid rel, const char *table, bool is_target, HeldRows *h)
{
	char	   *sql = read_sql(run, rel, is_target ?
							   psprintf("CASE WHEN plan_id OPERATOR(pg_catalog.=) " INT64_FORMAT
										" THEN round ELSE 0 END", run->plan_id) : NULL);
	HeldScan	hs;
	AcqReadClock clock;
	int64		before = h->n;

	acq_read_clock_start(&clock);
	hs.run = run;
	hs.h = h;
	hs.table = table;
	hs.is_target = is_target;
	hs.roundcol = run->s.kind == PRED_SQL ? 5 : 4;
	acq_spi_stream(sql, false, SPI_OK_SELECT, "reading held records", held_row, &hs);
	acq_read_clock_done(&clock, is_target ? "target" : "consumer", table, h->n - before, run->d);
}

/* ---- the provider ------------------------------------------------------------- */

/* the bytes a record for sale takes at set-up: id, label, mask, ctid, grid cells, a pool entry */
double
acquisition_pool_row_bytes(const Run *run)
{
	int			ng = run->s.kind == PRED_GRID ? run->s.ngrid : 0;

	return 3.0 * sizeof(int64) + (run->use_tid ? sizeof(ItemPointerData) : 0) +
		sizeof(double) * ng + sizeof(int64) * (run->s.kind == PRED_SQL ? Max(run->s.nsql, 1) : 1);
}

static bool
is_held(Run *run, int64 id)
{
	return acquisition_find_id(run->held_ids, run->nheld, id) >= 0;
}

static void
pool_push(Run *run, PoolScan *ps, int64 id, const double *coords, double y, uint64 mask,
		  const ItemPointerData *tid)
{
	int			ng = run->s.kind == PRED_GRID ? run->s.ngrid : 0;

	if (ps->n == ps->cap)
	{
		double		rowbytes = acquisition_pool_row_bytes(run);
		int64		newcap = ps->cap ? ps->cap * 2 : 4096;

		/* the arrays at their new size (grown in place: rows.c) */
		if (acq_memory_over(run->mem + rowbytes * (newcap - ps->cap)))
			acq_check_memory(run->mem + rowbytes * (newcap - ps->cap),
							 psprintf("reading the provider %s (" INT64_FORMAT " records for sale so far)",
									  run->q_provider, ps->n),
							 "Each record for sale is held as its id, label and predicates (about 24 bytes): "
							 "use a provider with fewer records");
		run->mem += rowbytes * (newcap - ps->cap);
		ps->cap = newcap;
#define GROW(f, sz) ps->f = ps->f ? repalloc_huge(ps->f, (sz) * ps->cap) : palloc_extended((sz) * ps->cap, MCXT_ALLOC_HUGE)
		GROW(id, sizeof(int64));
		GROW(label, sizeof(double));
		GROW(mask, sizeof(uint64));
		if (run->use_tid)
			GROW(tid, sizeof(ItemPointerData));
		if (ng)
			GROW(grid, sizeof(double) * ng);
#undef GROW
	}
	ps->id[ps->n] = id;
	ps->label[ps->n] = y;
	ps->mask[ps->n] = mask;
	if (run->use_tid)
		ps->tid[ps->n] = *tid;
	for (int g = 0; g < ng; g++)
		ps->grid[ps->n * ng + g] = coords[g];
	ps->n++;
}

void
acquisition_provider_dimensions(Run *run)
{
	char	   *sql = psprintf("SELECT pg_catalog.array_length((%s)::pg_catalog.float8[], 1) FROM %s"
							   " WHERE %s IS NOT NULL LIMIT 1",
							   run->q_features, run->q_provider, run->q_features);
	bool		isnull;
	MemoryContext mine = CurrentMemoryContext;

	acq_spi_check(SPI_execute(sql, false, 1), SPI_OK_SELECT, "reading the provider's dimensions");
	/* SPI leaves its own context current: a job's ends with the step */
	MemoryContextSwitchTo(mine);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("provider %s has no records", run->q_provider)));
	run->d = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull || run->d < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("features of %s are empty", run->q_provider)));
}

typedef struct ProviderScan
{
	Run		   *run;
	PoolScan   *ps;
	const char *table;
	int			ng;
	int			tidcol;			/* use_tid: the ctid's column */
	int			countcol;		/* a remote provider's grouped read: count(*) */
} ProviderScan;

static void
provider_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	ProviderScan *sc = arg;
	Run		   *run = sc->run;
	int64		id = acquisition_row_id(slot, sc->table);
	double		y = acquisition_row_label(slot, 2, sc->table, id);
	uint64		mask = 0;
	double		coords[64];

	for (int g = 0; g < sc->ng; g++)
	{
		bool		isnull;
		Datum		v = acquisition_slot_col(slot, 3 + g, &isnull);

		coords[g] = isnull ? NAN : DatumGetFloat8(v);
		if (!isfinite(coords[g]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("features in %s, id " INT64_FORMAT ", have no finite value in grid dimension %d",
							sc->table, id, run->s.grid_dims[g])));
	}
	if (sc->countcol)
	{
		bool		isnull;

		if (DatumGetInt64(acquisition_slot_col(slot, sc->countcol, &isnull)) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("id " INT64_FORMAT " appears more than once in %s", id, sc->table),
					 errhint("The provider's id must identify one record; add a primary key.")));
	}
	acq_grid_widen(&run->grid, coords);
	if (run->s.kind == PRED_SQL)
		mask = row_sql_mask(run, slot, rowcxt, 3);
	if (!is_held(run, id))
	{
		ItemPointer tid = NULL;

		if (run->use_tid)
		{
			bool		isnull;

			tid = (ItemPointer) DatumGetPointer(acquisition_slot_col(slot, sc->tidcol, &isnull));
		}
		pool_push(run, sc->ps, id, coords, y, mask, tid);
	}
	CHECK_FOR_INTERRUPTS();
}

/* a new array of n rows of size bytes: row i is rows[keys[i].row]; rows is freed */
static void *
permuted(void *rows, size_t size, const PoolKey *keys, int64 n)
{
	char	   *out = palloc_extended(size * n, MCXT_ALLOC_HUGE);

	for (int64 i = 0; i < n; i++)
		memcpy(out + size * i, (char *) rows + size * keys[i].row, size);
	pfree(rows);
	return out;
}

/*
 * The pool in id order, whatever order the scan met the rows in (another
 * physical order, or a synchronised scan that starts mid-table): the seed's
 * draws are positions in it, so the same seed buys the same records from the
 * same data however it is stored.  A table loaded in id order is left as is.
 */
static void
sort_pool(Run *run, PoolScan *ps)
{
	PoolKey    *keys;
	int			ng = run->s.kind == PRED_GRID ? run->s.ngrid : 0;
	bool		in_order = true;

	for (int64 i = 1; i < ps->n && in_order; i++)
		in_order = ps->id[i - 1] < ps->id[i];
	if (in_order)
		return;
	/* the keys, and one array at a time copied in id order */
	acq_check_memory(run->mem + (sizeof(PoolKey) + sizeof(double) * Max(ng, 1)) * (double) ps->n,
					 psprintf("sorting the provider's " INT64_FORMAT " records for sale by id", ps->n),
					 "Use a provider with fewer records");
	keys = palloc_extended(sizeof(PoolKey) * ps->n, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < ps->n; i++)
	{
		keys[i].id = ps->id[i];
		keys[i].row = i;
	}
	sort_pool_keys(keys, ps->n);
	for (int64 i = 0; i < ps->n; i++)
		ps->id[i] = keys[i].id;
	ps->label = permuted(ps->label, sizeof(double), keys, ps->n);
	ps->mask = permuted(ps->mask, sizeof(uint64), keys, ps->n);
	if (ps->tid)
		ps->tid = permuted(ps->tid, sizeof(ItemPointerData), keys, ps->n);
	if (ng)
		ps->grid = permuted(ps->grid, sizeof(double) * ng, keys, ps->n);
	pfree(keys);
}

/*
 * A foreign provider's set-up with grid or SQL predicates reads grouped by
 * every column it reads: postgres_fdw then ships the whole query, so the
 * provider's server computes the grid coordinates (features[g]) and the
 * predicates, and only ids, labels, coordinates and predicate bits cross the
 * network -- a plain scan would fetch every feature array, as postgres_fdw
 * computes a base scan's expressions locally.  It ships the grouping only if
 * every function in it is built in or in an extension the server's
 * `extensions` option lists: otherwise the feature arrays do cross, and a
 * NOTICE says so (the result is the same).
 */
static void
check_remote_setup(Run *run, const char *sql, int nforeign)
{
	char	   *explain = psprintf("EXPLAIN (VERBOSE, FORMAT JSON) %s", sql);
	bool		isnull;
	char	   *plan;
	int			pushed = 0;
	MemoryContext mine = CurrentMemoryContext;

	acq_spi_check(SPI_execute(explain, false, 0), SPI_OK_UTILITY, "explaining the provider's read");
	MemoryContextSwitchTo(mine);
	if (SPI_processed < 1)
		return;
	plan = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	for (const char *c = plan; (c = strstr(c, "\"Relations\": \"Aggregate on")) != NULL; c++)
		pushed++;
	if (pushed < nforeign && get_rel_relkind(run->s.provider) == RELKIND_FOREIGN_TABLE)
		ereport(NOTICE,
				(errmsg("the set-up reads the feature arrays of %s from server \"%s\"", run->q_provider,
						acq_foreign_server(run->s.provider)->servername),
				 errdetail("Its %s could not be computed on that server.",
						   run->s.kind == PRED_GRID ? "grid coordinates" : "SQL predicates"),
				 errhint("Use only built-in functions in the predicates, or list their extension in the server's extensions option.")));
	else if (pushed < nforeign)
		ereport(NOTICE,
				(errmsg("the set-up reads the feature arrays of %s from its foreign partitions' servers", run->q_provider),
				 errdetail("Its %s could not be computed there (%d of %d foreign tables).",
						   run->s.kind == PRED_GRID ? "grid coordinates" : "SQL predicates",
						   nforeign - pushed, nforeign),
				 errhint("Use only built-in functions in the predicates, or list their extension in the server's extensions option.")));
}

/* is rel a postgres_fdw foreign table? */
static bool
is_pg_foreign(Oid rel)
{
	ForeignServer *srv = acq_foreign_server(rel);

	return srv != NULL && acq_server_is_postgres_fdw(srv);
}

static bool
has_foreign_leaf(Oid rel)
{
	ListCell   *lc;

	foreach(lc, find_all_inheritors(rel, AccessShareLock, NULL))
		if (is_pg_foreign(lfirst_oid(lc)))
			return true;
	return false;
}

/*
 * One table's part of the set-up's read: SELECT id, label, [grid
 * coordinates], [the SQL predicates' bits], [ctid], [count(*)] FROM table,
 * grouped by everything read when it is a postgres_fdw foreign table (so
 * that postgres_fdw ships it whole); count 1 for a local table of a
 * partitioned provider read leaf by leaf (grouped: the partition's own rows).
 */
static void
append_setup_read(StringInfo q, Run *run, const char *table, bool remote, bool counted, int ng)
{
	int			ncol = 2 + ng + (run->s.kind == PRED_SQL ? 1 : 0);

	appendStringInfo(q, "SELECT (%s)::pg_catalog.int8, (%s)::pg_catalog.float8", run->q_id, run->q_label);
	for (int g = 0; g < ng; g++)
		appendStringInfo(q, remote ? ", ((%s)[%d])::pg_catalog.float8" : ", ((%s)::pg_catalog.float8[])[%d]",
						 run->q_features, run->s.grid_dims[g]);
	if (run->s.kind == PRED_SQL)
		append_sql_predicates(q, run, remote);
	if (run->use_tid)
		appendStringInfoString(q, ", ctid");
	if (counted)
		appendStringInfoString(q, remote ? ", pg_catalog.count(*)" : ", 1::pg_catalog.int8");
	appendStringInfo(q, " FROM %s", table);
	if (remote)
	{
		/* grouped by everything read: postgres_fdw ships it whole (check_remote_setup) */
		appendStringInfoString(q, " GROUP BY 1, 2");
		for (int c = 3; c <= ncol; c++)
			appendStringInfo(q, ", %d", c);
	}
}

/*
 * The provider at set-up: ids, labels and what the predicates need (grid
 * coordinates, the SQL predicates' values) of the rows not held -- not the
 * feature arrays; every row widens the grid's ranges.
 */
void
acquisition_scan_provider(Run *run, PoolScan *ps)
{
	StringInfoData q;
	char	   *table = run->q_provider;
	int			ng = run->s.kind == PRED_GRID ? run->s.ngrid : 0;
	ProviderScan sc;
	AcqReadClock clock;
	bool		needs_remote = ng > 0 || run->s.kind == PRED_SQL;
	bool		remote = get_rel_relkind(run->s.provider) == RELKIND_FOREIGN_TABLE && needs_remote;
	int			nforeign = 0;

	acq_read_clock_start(&clock);
	initStringInfo(&q);
	sc.tidcol = 3 + ng + (run->s.kind == PRED_SQL ? 1 : 0);
	if (needs_remote && get_rel_relkind(run->s.provider) == RELKIND_PARTITIONED_TABLE &&
		has_foreign_leaf(run->s.provider))
	{
		/*
		 * A partitioned provider: PostgreSQL ships an aggregate to a foreign
		 * partition only when the grouping has the partition key
		 * (partitionwise aggregation), which the set-up's does not; read it
		 * leaf by leaf instead, each foreign leaf grouped (shipped whole),
		 * each local leaf as it is, one UNION ALL.
		 */
		List	   *rels = find_all_inheritors(run->s.provider, AccessShareLock, NULL);
		ListCell   *lc;
		int			nleaf = 0;

		foreach(lc, rels)
		{
			Oid			leaf = lfirst_oid(lc);
			char		kind = get_rel_relkind(leaf);
			bool		fdw = is_pg_foreign(leaf);

			if (kind == RELKIND_PARTITIONED_TABLE)
				continue;
			if (nleaf++ > 0)
				appendStringInfoString(&q, " UNION ALL ");
			append_setup_read(&q, run, acq_rel_display_name(leaf), fdw, true, ng);
			nforeign += fdw ? 1 : 0;
		}
		remote = true;
	}
	else
		append_setup_read(&q, run, table, remote, remote, ng);
	sc.countcol = remote ? sc.tidcol : 0;
	if (remote)
		check_remote_setup(run, q.data, Max(nforeign, 1));	/* a foreign table: 1 */
	sc.run = run;
	sc.ps = ps;
	sc.table = table;
	sc.ng = ng;
	acq_spi_stream(q.data, false, SPI_OK_SELECT, "reading the provider", provider_row, &sc);
	acq_read_clock_done(&clock, "provider", table, ps->n, 0);
	sort_pool(run, ps);
	/* a duplicate id would be sold twice */
	for (int64 i = 1; i < ps->n; i++)
		if (ps->id[i] == ps->id[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("id " INT64_FORMAT " appears more than once in %s", ps->id[i], table),
					 errhint("The provider's id must identify one record; add a primary key.")));
}
