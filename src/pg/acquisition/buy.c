/*
 * buy.c -- buying a round's records: the provider's rows drawn are inserted
 * into the target by one INSERT ... SELECT ... RETURNING, found by the ctid
 * the set-up saw when that is safe (acquisition_tid_is_stable) and by id
 * otherwise.  What comes back is checked, charged, and turned into novelty
 * vectors when the planner will measure them.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "pg/acquisition/acquisition.h"

/* the rows a purchase returns */
typedef struct BuyScan
{
	Run		   *run;
	Mat		   *got;
	int64	   *got_ids;		/* vectors: the id of each row of got */
	bool		vectors;
	const char *table;
	double	   *vec;
	int			round;
	const int64 *sorted;		/* the ids drawn, sorted */
	bool	   *seen;			/* per sorted id: came back */
	int			n;
} BuyScan;

static int	buy_query(Run *run, BuyScan *b, bool by_tid, Datum rows, int round);
static void bought_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg);

/*
 * Can a round find the provider's rows by the ctid the set-up saw?  Only if
 * one transaction holds the set-up and every round (acq.acquire, not a job)
 * and the provider is one heap (a table or materialised view without
 * inheritance children: theirs would repeat ctids).  Then no row the set-up
 * saw can be pruned and its line pointer reused before the end: the calling
 * statement's snapshot, older than the set-up's, keeps it from VACUUM, and
 * the lock taken at set-up keeps VACUUM FULL and CLUSTER out.  A row updated
 * since moved away from its ctid: acquisition_buy looks for it by id
 * instead.
 */
bool
acquisition_tid_is_stable(Run *run)
{
	char		kind = get_rel_relkind(run->s.provider);
	Relation	r;
	bool		heap;

	if (run->keep_plans || (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW) ||
		has_subclass(run->s.provider))
		return false;
	r = table_open(run->s.provider, AccessShareLock);
	heap = r->rd_rel->relam == HEAP_TABLE_AM_OID;
	table_close(r, AccessShareLock);
	return heap;
}

static void
bought_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	BuyScan    *b = arg;
	Run		   *run = b->run;
	int64		id = acquisition_row_id(slot, b->table);
	double	   *x = acquisition_row_features(run, slot, rowcxt, 2, b->table, id);
	double		y = acquisition_row_label(slot, 3, b->table, id);
	int64		at = acquisition_find_id(b->sorted, b->n, id);

	/*
	 * By ctid, a row that is not one drawn would mean a reused line pointer,
	 * which acquisition_tid_is_stable rules out; the statement is undone
	 * with the call.
	 */
	if (at < 0 || b->seen[at])
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("%s changed during the acquisition: the row at a drawn record's place has id " INT64_FORMAT,
						b->table, id),
				 errdetail("Nothing was bought."),
				 errhint("Run the acquisition again.")));
	b->seen[at] = true;
	if (b->vectors)
	{
		acq_scaling_vector(&run->scaling, x, y, b->vec);
		b->got_ids[b->got->n] = id;
		acquisition_mat_append(b->got, b->vec);	/* norms: at the end of acquisition_buy */
	}
	/* else: checked; nothing will measure against it */
	if (run->curve_train)
		acquisition_curve_keep(run, id, x, y, b->round);
}

static Datum
tid_array_datum(const ItemPointerData *tids, const int *rows, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
		d[i] = PointerGetDatum(&tids[rows[i]]);
	return PointerGetDatum(construct_array(d, n, TIDOID, sizeof(ItemPointerData), false, TYPALIGN_SHORT));
}

/* the drawn ids that have not come back (yet) */
static int
missing_ids(const BuyScan *b, int64 *out)
{
	int			m = 0;

	for (int i = 0; i < b->n; i++)
		if (!b->seen[i])
			out[m++] = b->sorted[i];
	return m;
}

/* one INSERT ... SELECT ... RETURNING, by id or by ctid */
static int
buy_query(Run *run, BuyScan *b, bool by_tid, Datum rows, int round)
{
	Oid			types[3] = {by_tid ? TIDARRAYOID : INT8ARRAYOID, INT8OID, INT4OID};
	SPIPlanPtr *plan = by_tid ? &run->buy_tid_plan : &run->buy_plan;
	Datum		v[3];

	v[0] = rows;
	v[1] = Int64GetDatum(run->plan_id);
	v[2] = Int32GetDatum(round);
	if (*plan == NULL)
		*plan = acquisition_prepare(run, psprintf("INSERT INTO %s (%s, %s, %s, plan_id, round)"
												  " SELECT p.%s, p.%s, p.%s, $2, $3 FROM %s p"
												  " WHERE p.%s OPERATOR(pg_catalog.=) ANY ($1)"
												  " AND p.%s IS NOT NULL AND p.%s IS NOT NULL"
												  " RETURNING (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[],"
												  " (%s)::pg_catalog.float8",
												  run->q_target, run->q_id, run->q_features, run->q_label,
												  run->q_id, run->q_features, run->q_label, run->q_provider,
												  by_tid ? "ctid" : run->q_id, run->q_features, run->q_label,
												  run->q_id, run->q_features, run->q_label),
									3, types, "buying records");
	return (int) acq_spi_stream_plan(*plan, v, NULL, false, SPI_OK_INSERT_RETURNING,
									 "buying records", bought_row, b);
}

/*
 * Buy: insert the provider's rows drawn into the target, getting them back
 * as inserted (RETURNING, streamed: no copy of the rows is kept but the
 * novelty vectors, and those only if vectors).  The provider charges only
 * for what comes back.  Rows are found by the ctid the set-up saw when that
 * is safe (acquisition_tid_is_stable; no index descent per row), and by id
 * otherwise, or if a row has moved since.  Features and labels are checked
 * as they come; a row the target cannot take (NULL features or label) is
 * left out of the insert, and if any id is missing from what came back, one
 * more query tells a NULL (an error naming the row) from a row that
 * vanished.
 */
int
acquisition_buy(Run *run, const int *rows, int n, int round, Mat *got, bool vectors)
{
	char	   *table = acq_rel_display_name(run->s.provider);
	int64	   *sorted = palloc(sizeof(int64) * (n > 0 ? n : 1));
	int64	   *missing;
	int			nmissing;
	int			received;
	BuyScan		b;

	for (int i = 0; i < n; i++)
		sorted[i] = run->pool_id[rows[i]];
	acquisition_sort_ids(sorted, n);
	got->n = 0;
	memset(&b, 0, sizeof(b));
	b.run = run;
	b.got = got;
	b.vectors = vectors;
	b.table = table;
	b.vec = palloc(sizeof(double) * (run->nd > 0 ? run->nd : 1));
	b.got_ids = vectors ? palloc(sizeof(int64) * (n > 0 ? n : 1)) : NULL;
	b.sorted = sorted;
	b.seen = palloc0(sizeof(bool) * (n > 0 ? n : 1));
	b.n = n;
	b.round = round;
	if (run->use_tid)
		received = buy_query(run, &b, true, tid_array_datum(run->pool_tid, rows, n), round);
	else
		received = buy_query(run, &b, false, acq_int8_array_datum(sorted, n), round);
	missing = palloc(sizeof(int64) * (n > 0 ? n : 1));
	nmissing = received < n ? missing_ids(&b, missing) : 0;
	if (nmissing > 0 && run->use_tid)
	{
		/* moved since the set-up (updated): by id */
		received += buy_query(run, &b, false, acq_int8_array_datum(missing, nmissing), round);
		nmissing = received < n ? missing_ids(&b, missing) : 0;
	}
	if (nmissing > 0)
	{
		Oid			type = INT8ARRAYOID;
		Datum		v = acq_int8_array_datum(missing, nmissing);

		/* a NULL left a row out, or rows vanished since the set-up (not charged) */
		if (run->null_plan == NULL)
			run->null_plan = acquisition_prepare(run, psprintf("SELECT (p.%s)::pg_catalog.int8, p.%s IS NULL FROM %s p"
															   " WHERE p.%s OPERATOR(pg_catalog.=) ANY ($1)"
															   " AND (p.%s IS NULL OR p.%s IS NULL) ORDER BY 1 LIMIT 1",
															   run->q_id, run->q_features, run->q_provider, run->q_id,
															   run->q_features, run->q_label),
												 1, &type, "checking the records bought");
		acq_spi_check(SPI_execute_plan(run->null_plan, &v, NULL, true, 1), SPI_OK_SELECT,
					  "checking the records bought");
		if (SPI_processed > 0)
		{
			bool		isnull;
			int64		id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

			if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("features are NULL in %s, id " INT64_FORMAT, table, id)));
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("label is NULL in %s, id " INT64_FORMAT, table, id)));
		}
		SPI_freetuptable(SPI_tuptable);
	}
	if (vectors)
	{
		acquisition_mat_set_norms(got, 0);
		/* novelty compares a batch in id order, however the rows came back */
		acq_pool_sort_batch(got->x, got->nrm, b.got_ids, got->n, got->d);
	}
	return received;
}
