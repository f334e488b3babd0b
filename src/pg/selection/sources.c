/*
 * sources.c -- read the sources' rows and the validation rows through SPI.
 *
 * The sources are either the leaf partitions of a partitioned table (named
 * by relation name) or the distinct values of a column.  Rows are read
 * through the table the user named, with the caller's rights, streamed from
 * the executor (base's read path: no cursor, no copy of a row, each array
 * copied once), into one contiguous row-major block per source.  Every row is
 * checked: a NULL, ragged, multi-dimensional or non-finite feature array, a
 * NULL or non-binary label gets an ERROR that names the source and the row.
 *
 * Memory is checked before it is taken: once the first row gives the width,
 * the whole call's needs are estimated from the planner's row counts
 * (pg_class.reltuples) and checked against acq.max_memory; then each time a
 * row buffer is about to grow, the rows held so far and the growth.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "pg/selection/selection.h"


typedef struct ReadCtx
{
	const char *what;			/* "source" or "validation table" */
	char	  **names;
	int			m;
	int			p;				/* -1 until the first row */
	bool		binary;
	bool		sensitive;
	AcqRowBuf  *bufs;			/* one per source */
	MemoryContext datactx;
	const AcqEvalConfig *cfg;	/* memory estimates, or NULL */
	double		est_rows;		/* the planner's rows of the sources, or -1 */
	double		est_val;		/* ... of the validation table, or -1 */
	double	   *held;			/* bytes of row buffers held (shared by readers) */
	Oid		   *leaf_oids;		/* sources by partition: each one's oid, or NULL */
	double	   *est_src;		/* the planner's rows of each source, or NULL */
	int64		rowno;			/* rows read so far */
	int			last_src;		/* the previous row's source, or -1 */
	bool		may_stream;		/* past acq.max_memory: stop (over), do not fail */
	bool		over;			/* stopped: the rows would not fit */
} ReadCtx;

/* a row buffer's first allocation: 1,024 rows, or fewer wide rows in 64 kB */
#define FIRST_BUFFER_BYTES (64 * 1024)

static char *
features_expr(Oid relid, const char *col)
{
	acq_check_array_column(relid, col, "features", "Store each row's features as one float8[] array.");
	return psprintf("(%s)::pg_catalog.float8[]", quote_identifier(col));
}

static char *
label_expr(Oid relid, const char *col)
{
	Oid			t = acq_column_type(relid, col, "label");

	if (t == BOOLOID)
		return psprintf("(%s)::pg_catalog.int4::pg_catalog.float8", quote_identifier(col));
	if (!acq_is_numeric_type(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("label column \"%s\" of %s must be numeric or boolean, not %s",
						col, acq_rel_display_name(relid), format_type_be(t))));
	return psprintf("(%s)::pg_catalog.float8", quote_identifier(col));
}

/* the sensitive attribute as 1 (privileged), 0 (protected) or NULL; $2 = privileged */
static char *
sensitive_expr(Oid relid, const char *col, const char *privileged)
{
	Oid			t = acq_column_type(relid, col, "sensitive");
	const char *q = quote_identifier(col);

	if (privileged != NULL)
		return psprintf("CASE WHEN (%s) IS NULL THEN NULL "
						"WHEN (%s)::pg_catalog.text OPERATOR(pg_catalog.=) $2 THEN 1.0 "
						"ELSE 0.0 END::pg_catalog.float8", q, q);
	if (t == BOOLOID)
		return psprintf("(%s)::pg_catalog.int4::pg_catalog.float8", q);
	if (acq_is_numeric_type(t))
		return psprintf("(%s)::pg_catalog.float8", q);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("sensitive column \"%s\" is of type %s", col, format_type_be(t)),
			 errhint("Pass privileged => '<value>' to say which value marks the privileged group, or use a boolean or 0/1 column.")));
	return NULL;				/* keep compiler quiet */
}

/*
 * Rows are named by ctid in error messages where the relation has one and
 * the caller may read it (a role with column privileges only may not).
 */
static bool
has_ctid(Oid relid)
{
	char		k = get_rel_relkind(relid);

	return (k == RELKIND_RELATION || k == RELKIND_PARTITIONED_TABLE ||
			k == RELKIND_MATVIEW) &&
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
}

/*
 * Room for one more row in b, its memory checked first: a buffer's first
 * allocation holds the planner's row count of its source where that fits
 * acq.max_memory (one allocation, no copy as it grows), else 1,024 rows
 * (fewer if they are wide); a full one doubles; the buffer checks the
 * call's rows at its new size.
 */
static void
reserve_row(ReadCtx *rc, AcqRowBuf *b, int src)
{
	double		rowbytes = acq_rowbuf_row_bytes(b);
	int64		newcap;

	if (b->n < b->cap)
		return;
	if (b->cap == 0)
	{
		newcap = Max(1, Min(1024, (int64) (FIRST_BUFFER_BYTES / rowbytes)));
		if (rc->est_src != NULL && rc->est_src[src] > newcap &&
			!acq_memory_over(*rc->held + rc->est_src[src] * rowbytes))
			newcap = (int64) rc->est_src[src];
	}
	else
		newcap = 2 * b->cap;
	if (rc->may_stream && acq_memory_over(*rc->held + (double) (newcap - b->cap) * rowbytes))
	{
		rc->over = true;		/* the caller streams statistics instead */
		acq_spi_stream_stop();
		return;
	}
	/* the buffer checks the call's rows and the growth against acq.max_memory */
	b->held = rc->held;
	acq_rowbuf_reserve(b, newcap);
}

/* the row as messages name it: its ctid ("(0,7)"), or its number where the relation has none */
static char *
row_name(ReadCtx *rc, TupleTableSlot *slot)
{
	if (slot->tts_isnull[1])
		return psprintf(INT64_FORMAT, rc->rowno);
	return DatumGetCString(DirectFunctionCall1(tidout, slot->tts_values[1]));
}

#define ROW_ERROR(rc, src, slot, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_DATA_EXCEPTION), \
			 errmsg(__VA_ARGS__), \
			 errdetail("%s \"%s\", row %s", (rc)->what, (rc)->names[src], row_name(rc, slot))))

/*
 * The source of a row: by its partition (tableoid, looked up here among the
 * leaves' oids), or by the column's value (array_position in the query).
 */
static int
row_source(ReadCtx *rc, TupleTableSlot *slot)
{
	if (!slot->tts_isnull[0] && rc->leaf_oids != NULL)
	{
		Oid			oid = DatumGetObjectId(slot->tts_values[0]);

		if (rc->last_src >= 0 && rc->leaf_oids[rc->last_src] == oid)
			return rc->last_src;
		for (int i = 0; i < rc->m; i++)
			if (rc->leaf_oids[i] == oid)
				return rc->last_src = i;
	}
	else if (!slot->tts_isnull[0])
		return DatumGetInt32(slot->tts_values[0]) - 1;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("a row's source is NULL or appeared while the sources were being read"),
			 errhint("Sources named by a column need a value in every row; retry if the table is being written.")));
	return -1;					/* keep compiler quiet */
}

/*
 * One row as the executor hands it over (base's acq_spi_stream): (source,
 * ctid tid, features float8[], label float8[, a float8]).  The features are
 * seen in place and copied once, into the source's block, and checked
 * there (base's read path); the ctid is formatted only for a message.
 */
static void
read_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	ReadCtx    *rc = (ReadCtx *) arg;
	int			src;
	AcqArrayView v;
	int			n,
				j;
	double	   *x;
	double		label;
	AcqRowBuf  *b;
	int64		r;
	MemoryContext mine;

	rc->rowno++;
	src = row_source(rc, slot);
	if (slot->tts_isnull[2])
		ROW_ERROR(rc, src, slot, "features are NULL");
	/* a toasted array is detoasted in the row's scratch context */
	mine = MemoryContextSwitchTo(rowcxt);
	acq_float8_view(slot->tts_values[2], &v);
	MemoryContextSwitchTo(mine);
	if (v.ndim != 1)
		ROW_ERROR(rc, src, slot, "features must be a one-dimensional array, not %d-dimensional",
				  v.ndim);
	if (v.hasnull)
		ROW_ERROR(rc, src, slot, "features contain a NULL element");
	n = v.n;
	if (n < 1)
		ROW_ERROR(rc, src, slot, "features are empty");
	if (v.copy == NULL)
		acq_prefetch_next_row(v.data, n);	/* read.c */
	if (rc->p < 0)
	{
		rc->p = n;
		/* the width is known: what the whole call will need, estimated */
		if (rc->cfg != NULL && rc->est_rows > 0.0)
		{
			if (rc->may_stream &&
				acq_memory_over(acq_selection_memory(rc->cfg, rc->sensitive, rc->m, n, rc->est_rows,
													 Max(rc->est_val, 0.0), NULL)))
			{
				rc->over = true;	/* the caller streams statistics instead */
				acq_spi_stream_stop();
				return;
			}
			acq_check_selection_memory(rc->cfg, rc->sensitive, rc->m, n, rc->est_rows,
									   Max(rc->est_val, 0.0), true);
			/* the rows and the evaluator's memory, mapped before they are written */
			acq_memory_prefault(acq_selection_memory(rc->cfg, rc->sensitive, rc->m, n, rc->est_rows,
													 Max(rc->est_val, 0.0), NULL));
		}
	}
	else if (n != rc->p)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features have %d dimensions, expected %d", n, rc->p),
				 errdetail("%s \"%s\", row %s", rc->what, rc->names[src], row_name(rc, slot)),
				 errhint("Every row of the sources and the validation table needs feature arrays of one length.")));

	/*
	 * Copied once, into the source's block, and checked there; when the
	 * block is full, into scratch first, so that the row's own errors come
	 * before the block's growth is checked against acq.max_memory.
	 */
	b = &rc->bufs[src];
	b->d = rc->p;
	b->with_attr = rc->sensitive;
	b->cxt = rc->datactx;
	x = b->n < b->cap ? b->X + b->n * rc->p : MemoryContextAlloc(rowcxt, sizeof(double) * n);
	memcpy(x, v.data, sizeof(double) * n);
	if (!acq_row_surely_fine(x, n))
	{
		for (j = 0; j < n; j++)
			if (!isfinite(x[j]))
				ROW_ERROR(rc, src, slot, "features contain NaN or Infinity (element %d)", j + 1);
		if (acq_row_norm_over(x, n) > 0.0)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("features have a Euclidean norm of %.3g: float8 arithmetic on them overflows",
							acq_row_norm_over(x, n)),
					 errdetail("%s \"%s\", row %s; acq sums the squares of the features in float8, "
							   "which holds them up to a norm of about %.2g.",
							   rc->what, rc->names[src], row_name(rc, slot), ACQ_MAX_ROW_NORM),
					 errhint("Rescale the features column (for example to unit variance) and call again.")));
	}

	if (slot->tts_isnull[3])
		ROW_ERROR(rc, src, slot, "label is NULL");
	label = DatumGetFloat8(slot->tts_values[3]);
	if (!isfinite(label))
		ROW_ERROR(rc, src, slot, "label is NaN or Infinity");
	if (rc->binary && label != 0.0 && label != 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("label %g is not 0 or 1", label),
				 errdetail("%s \"%s\", row %s", rc->what, rc->names[src], row_name(rc, slot)),
				 errhint("Classification and fairness tasks need 0/1 (or boolean) labels; use task => 'regression' for a numeric target.")));

	if (b->n == b->cap)
	{
		reserve_row(rc, b, src);
		if (rc->over)
			return;
		memcpy(b->X + b->n * rc->p, x, sizeof(double) * n);
	}
	r = b->n;
	b->y[r] = label;
	if (rc->sensitive)
	{
		bool		isnull = slot->tts_isnull[4];

		b->a[r] = isnull ? NAN : DatumGetFloat8(slot->tts_values[4]);
		if (!isnull && b->a[r] != 0.0 && b->a[r] != 1.0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("sensitive value %g is not 0 or 1", b->a[r]),
					 errdetail("%s \"%s\", row %s", rc->what, rc->names[src], row_name(rc, slot)),
					 errhint("Pass privileged => '<value>' to compare the column's text with the privileged value.")));
	}
	b->n++;
	/* a stream of wide rows takes a while to detoast */
	if ((rc->rowno & 63) == 0)
		CHECK_FOR_INTERRUPTS();
}

/*
 * Stream the query's rows into the blocks: the executor hands each row
 * over as it produces it, with no SPI tuple table and no copy of the row.
 */
static void
run_query(ReadCtx *rc, const char *query, int nargs, Oid *argtypes, Datum *values, const char *table)
{
	SPIPlanPtr	plan = acq_spi_prepare(query, nargs, argtypes, "reading the rows");
	AcqReadClock clock;
	int64		total = 0;

	acq_read_clock_start(&clock);
	rc->rowno = 0;
	rc->last_src = -1;
	acq_spi_read_plan(plan, values, NULL, true, "reading the rows", read_row, rc);
	SPI_freeplan(plan);
	for (int i = 0; i < rc->m; i++)
		total += rc->bufs[i].n;
	acq_read_clock_done(&clock, rc->what, table, total, rc->p);
}

/*
 * The leaf partitions of parent, in byte order of their names (a source is
 * named by its partition's relation name; names that occur in several
 * schemas are schema-qualified, each part quoted as quote_ident quotes it).
 * What pg_partition_tree(parent) lists with isleaf, from the catalog caches
 * (it took a query through SPI, parsed and planned on every call: a tenth
 * of the first call of a session); the partitions are locked as it locks
 * them (AccessShareLock).  Oids and names in cxt.
 */
typedef struct Leaf
{
	Oid			oid;
	Oid			nsp;
	char	   *relname;
	char	   *name;
} Leaf;

static int
leaf_cmp(const void *a, const void *b)
{
	return strcmp(((const Leaf *) a)->name, ((const Leaf *) b)->name);
}

void
acq_list_leaves(Oid parent, int *m, Oid **oids, char ***names, MemoryContext cxt)
{
	char	   *rel = acq_rel_display_name(parent);
	List	   *all = find_all_inheritors(parent, AccessShareLock, NULL);
	Leaf	   *leaves = palloc(sizeof(Leaf) * Max(list_length(all), 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, all)
	{
		Oid			relid = lfirst_oid(lc);
		HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
		Form_pg_class form;

		if (!HeapTupleIsValid(tup))
			continue;			/* dropped meanwhile: not in pg_class */
		form = (Form_pg_class) GETSTRUCT(tup);
		if (form->relkind != RELKIND_PARTITIONED_TABLE &&
			form->relkind != RELKIND_PARTITIONED_INDEX)
		{
			leaves[n].oid = relid;
			leaves[n].nsp = form->relnamespace;
			leaves[n].relname = pstrdup(NameStr(form->relname));
			n++;
		}
		ReleaseSysCache(tup);
	}
	for (int i = 0; i < n; i++)
	{
		bool		dup = false;

		for (int j = 0; j < n && !dup; j++)
			dup = (j != i && strcmp(leaves[i].relname, leaves[j].relname) == 0);
		leaves[i].name = dup ?
			psprintf("%s.%s", quote_identifier(get_namespace_name(leaves[i].nsp)),
					 quote_identifier(leaves[i].relname)) :
			leaves[i].relname;
	}
	*m = n;
	if (*m == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("%s has no partitions: there are no sources", rel)));
	if (*m > ACQ_MAX_SOURCES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has %d leaf partitions; acq selects among at most %d sources",
						rel, *m, ACQ_MAX_SOURCES)));
	qsort(leaves, n, sizeof(Leaf), leaf_cmp);
	*names = MemoryContextAlloc(cxt, sizeof(char *) * *m);
	*oids = MemoryContextAlloc(cxt, sizeof(Oid) * *m);
	for (int i = 0; i < *m; i++)
	{
		(*oids)[i] = leaves[i].oid;
		(*names)[i] = MemoryContextStrdup(cxt, leaves[i].name);
	}
}

/* the label expressions of the sources and the validation table, checked */
void
acq_check_load_spec_columns(const AcqLoadSpec *spec, char **lab, char **vlab)
{
	(void) features_expr(spec->sources, spec->features);
	(void) features_expr(spec->validation, spec->features);
	*lab = label_expr(spec->sources, spec->label);
	*vlab = label_expr(spec->validation, spec->label);
}

/*
 * The validation rows alone (the logistic terms path: the sources stay
 * where they are), checked as acq_load_sources checks them; p: the width
 * the sources gave.  SPI not connected.
 */
int
acq_load_validation(const AcqLoadSpec *spec, int p, AcqBlock *out)
{
	char	   *valrel = acq_rel_display_name(spec->validation);
	char	   *vfeat = features_expr(spec->validation, spec->features);
	char	   *vlab = label_expr(spec->validation, spec->label);
	char	   *vsens = spec->sensitive ? sensitive_expr(spec->validation, spec->sensitive, spec->privileged) : NULL;
	char	   *valname = valrel;
	ReadCtx		vc;
	Datum		args[2];
	Oid			argtypes[2] = {INT4OID, TEXTOID};
	double		held = 0.0;
	int			ret;
	char	   *q;
	MemoryContext callerctx = CurrentMemoryContext;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	q = psprintf("SELECT 1::pg_catalog.int4, %s, %s, %s%s%s FROM %s",
				 has_ctid(spec->validation) ? "ctid" : "NULL::pg_catalog.tid",
				 vfeat, vlab, vsens ? ", " : "", vsens ? vsens : "", valrel);
	memset(&vc, 0, sizeof(vc));
	vc.what = "validation table";
	vc.names = &valname;
	vc.m = 1;
	vc.p = p;
	vc.binary = spec->binary_labels;
	vc.sensitive = (spec->sensitive != NULL);
	vc.bufs = MemoryContextAllocZero(callerctx, sizeof(AcqRowBuf));
	vc.est_rows = acq_rel_rows_estimate(spec->validation);
	vc.datactx = callerctx;
	vc.held = &held;
	vc.est_src = vc.est_rows > 0.0 ? &vc.est_rows : NULL;
	args[0] = Int32GetDatum(0);
	args[1] = spec->privileged ? CStringGetTextDatum(spec->privileged) : (Datum) 0;
	run_query(&vc, q, spec->privileged ? 2 : 1, argtypes, args, valrel);
	SPI_finish();
	if (vc.bufs[0].n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("validation table %s is empty", valrel)));
	out->X = vc.bufs[0].X;
	out->y = vc.bufs[0].y;
	out->a = vc.bufs[0].a;
	out->n = vc.bufs[0].n;
	return vc.p;
}

/*
 * What acq_load_sources checks before reading a row: the columns exist with
 * usable types, the sources are partitioned (or a source column is given),
 * and the caller may read both tables.  Used at job submission.
 */
void
acq_check_load_spec(const AcqLoadSpec *spec)
{
	(void) features_expr(spec->sources, spec->features);
	(void) label_expr(spec->sources, spec->label);
	(void) features_expr(spec->validation, spec->features);
	(void) label_expr(spec->validation, spec->label);
	if (spec->sensitive)
	{
		(void) sensitive_expr(spec->sources, spec->sensitive, spec->privileged);
		(void) sensitive_expr(spec->validation, spec->sensitive, spec->privileged);
	}
	if (spec->source_column != NULL)
		(void) acq_column_type(spec->sources, spec->source_column, "source_column");
	else if (get_rel_relkind(spec->sources) != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s is not a partitioned table", acq_rel_display_name(spec->sources)),
				 errhint("Pass source_column => '<column>' to name the sources by a column's values, or partition the table so that each leaf partition is a source.")));
	acq_check_select(spec->sources, "A job reads its tables as the role that submits it.");
	acq_check_select(spec->validation, "A job reads its tables as the role that submits it.");
}

/*
 * A column's planner statistics (pg_statistic, the table's own or,
 * partitioned, its inheritance tree's): stadistinct and stawidth; false
 * when the column was never analysed.
 */
static bool
column_stats(Oid relid, const char *column, double *ndistinct, int *width)
{
	AttrNumber	att = get_attnum(relid, column);
	bool		inh = get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE;
	HeapTuple	tup = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid),
									  Int16GetDatum(att), BoolGetDatum(inh));

	if (!HeapTupleIsValid(tup))
		return false;
	*ndistinct = ((Form_pg_statistic) GETSTRUCT(tup))->stadistinct;
	*width = ((Form_pg_statistic) GETSTRUCT(tup))->stawidth;
	ReleaseSysCache(tup);
	return true;
}

/*
 * The most sources the source column may name, from its stadistinct: twice
 * the estimate, for the estimate's error, at most ACQ_MAX_SOURCES;
 * ACQ_MAX_SOURCES when the column was never analysed.
 */
static int
sources_bound(const AcqLoadSpec *spec, double rows)
{
	double		nd = 0.0;		/* stays 0 when never analysed */
	int			width;

	(void) column_stats(spec->sources, spec->source_column, &nd, &width);
	if (nd < 0.0)
		nd = -nd * rows;		/* a fraction of the rows */
	if (nd <= 0.0 || 2.0 * nd >= ACQ_MAX_SOURCES)
		return ACQ_MAX_SOURCES;
	return (int) ceil(2.0 * nd);
}

/*
 * Sources named by a column's values, in a table the planner counts more
 * rows of than acq.max_memory can hold at the width of its first row, even
 * as one source -- while the statistics of the most sources it may name
 * (sources_bound) fit:
 * true, with that width and count.  The caller then streams the sources'
 * statistics (or logistic terms), whose query names the sources, without
 * the pass over the table that would discover them first.  Otherwise (the
 * table empty or unanalysed, a NULL first row, rows that may fit, statistics
 * that may not) false: read as always.
 */
/* would rows of p features, as one source, fit acq.max_memory? */
static bool
rows_fit(const AcqLoadSpec *spec, bool sensitive, int p, double rows)
{
	return !acq_memory_over(acq_selection_memory(spec->cfg, sensitive, 1, p, rows,
												 Max(acq_rel_rows_estimate(spec->validation), 0.0),
												 NULL));
}

static bool
too_many_rows(const AcqLoadSpec *spec, const char *srcrel, const char *feat, bool sensitive,
			  int *p_out, double *rows_out)
{
	double		rows = acq_rel_rows_estimate(spec->sources);
	bool		isnull;
	Datum		d;
	int			p;
	int			ret;
	int			level;

	if (!spec->may_stream || spec->cfg == NULL || rows <= 0.0)
		return false;

	/*
	 * Most tables fit: when they would at twice the features column's
	 * average width in the statistics (stawidth, bytes: more than 8 per
	 * element), there is no need to read a row for its width.
	 */
	{
		double		nd;
		int			width;

		if (spec->features != NULL &&
			column_stats(spec->sources, spec->features, &nd, &width) && width > 0 &&
			rows_fit(spec, sensitive, Max(1, width / 4), rows))
			return false;
	}
	level = acq_jit_off();
	ret = SPI_execute(psprintf("SELECT pg_catalog.array_length(%s, 1) FROM %s LIMIT 1", feat, srcrel),
					  true, 1);
	acq_guc_restore(level);
	acq_spi_check(ret, SPI_OK_SELECT, "reading the width of the sources' features");
	if (SPI_processed == 0)
		return false;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	SPI_freetuptable(SPI_tuptable);
	if (isnull || (p = DatumGetInt32(d)) < 1)
		return false;
	if (rows_fit(spec, sensitive, p, rows) ||
		acq_memory_over(acq_stats_memory(sources_bound(spec, rows), p)))
		return false;
	elog(DEBUG1, "acq: %s holds about %.0f rows of %d features, more than acq.max_memory holds: streaming without discovering the sources first",
		 srcrel, rows, p);
	*p_out = p;
	*rows_out = rows;
	return true;
}

void
acq_load_sources(const AcqLoadSpec *spec, AcqSourceData *out)
{
	char	   *srcrel = acq_rel_display_name(spec->sources);
	char	   *valrel = acq_rel_display_name(spec->validation);
	char	   *feat,
			   *lab,
			   *sens = NULL,
			   *vfeat,
			   *vlab,
			   *vsens = NULL;
	StringInfoData q;
	ReadCtx		rc;
	ReadCtx		vc;
	char	   *valname;
	Datum		args[2];
	Oid			argtypes[2];
	Datum		idxarray;
	int			i;
	int			ret;
	double		est_rows = -1.0;
	double		held = 0.0;
	Oid		   *leaf_oids = NULL;
	double	   *est_src = NULL;
	MemoryContext callerctx = CurrentMemoryContext;

	memset(out, 0, sizeof(*out));
	feat = features_expr(spec->sources, spec->features);
	lab = label_expr(spec->sources, spec->label);
	vfeat = features_expr(spec->validation, spec->features);
	vlab = label_expr(spec->validation, spec->label);
	if (spec->sensitive)
	{
		sens = sensitive_expr(spec->sources, spec->sensitive, spec->privileged);
		vsens = sensitive_expr(spec->validation, spec->sensitive, spec->privileged);
	}

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));

	/* ---- the sources' names ---- */
	initStringInfo(&q);
	if (spec->source_column == NULL)
	{
		Datum	   *oids;

		if (get_rel_relkind(spec->sources) != RELKIND_PARTITIONED_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("%s is not a partitioned table", srcrel),
					 errhint("Pass source_column => '<column>' to name the sources by a column's values, or partition the table so that each leaf partition is a source.")));
		acq_list_leaves(spec->sources, &out->m, &leaf_oids, &out->names, callerctx);
		oids = palloc(sizeof(Datum) * out->m);
		est_src = palloc(sizeof(double) * out->m);
		est_rows = 0.0;
		for (i = 0; i < out->m; i++)
		{
			oids[i] = ObjectIdGetDatum(leaf_oids[i]);
			est_src[i] = acq_rel_rows_estimate(leaf_oids[i]);
			/* the planner's rows of every leaf, if it knows them all */
			if (est_rows >= 0.0)
				est_rows = (est_src[i] > 0.0) ? est_rows + est_src[i] : -1.0;
		}
		idxarray = PointerGetDatum(construct_array(oids, out->m, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
		/* a row's partition is looked up among the leaves as it comes (row_source); $1 is unused */
		appendStringInfo(&q, "SELECT tableoid, ");
		argtypes[0] = OIDARRAYOID;
	}
	else
	{
		const char *col = quote_identifier(spec->source_column);
		char	   *nq;
		int			level;

		(void) acq_column_type(spec->sources, spec->source_column, "source_column");
		if (too_many_rows(spec, srcrel, feat, sens != NULL, &out->p, &est_rows))
		{
			/* the caller streams statistics, whose one query names the sources */
			SPI_finish();
			out->over_memory = true;
			out->total_rows = (int64) est_rows;
			return;
		}
		nq = psprintf("SELECT DISTINCT (%s)::pg_catalog.text COLLATE \"C\" FROM %s ORDER BY 1 NULLS FIRST",
					  col, srcrel);
		/* a pass over the table: without JIT, as every read of acq's (base's acq_jit_off) */
		level = acq_jit_off();
		ret = SPI_execute(nq, true, 0);
		acq_guc_restore(level);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "reading the sources of %s failed: %s", srcrel,
				 SPI_result_code_string(ret));
		out->m = (int) SPI_processed;
		if (out->m == 0)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA),
					 errmsg("%s is empty: there are no sources", srcrel)));
		if (SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("source column \"%s\" of %s is NULL in some rows",
							spec->source_column, srcrel),
					 errhint("Every row needs a source; filter the NULL rows out with a view.")));
		if (out->m > ACQ_MAX_SOURCES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("column \"%s\" of %s has %d distinct values; acq selects among at most %d sources",
							spec->source_column, srcrel, out->m, ACQ_MAX_SOURCES)));
		out->names = MemoryContextAlloc(callerctx, sizeof(char *) * out->m);
		for (i = 0; i < out->m; i++)
			out->names[i] = MemoryContextStrdup(callerctx,
												SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		idxarray = acq_text_array_datum(out->names, out->m);
		est_rows = acq_rel_rows_estimate(spec->sources);
		appendStringInfo(&q, "SELECT pg_catalog.array_position($1::pg_catalog.text[], (%s)::pg_catalog.text)::pg_catalog.int4, ",
						 col);
		argtypes[0] = TEXTARRAYOID;
	}
	SPI_freetuptable(SPI_tuptable);

	/* ---- the sources' rows ---- */
	appendStringInfo(&q, "%s, %s, %s%s%s FROM %s",
					 has_ctid(spec->sources) ? "ctid" : "NULL::pg_catalog.tid",
					 feat, lab, sens ? ", " : "", sens ? sens : "", srcrel);
	memset(&rc, 0, sizeof(rc));
	rc.what = "source";
	rc.names = out->names;
	rc.m = out->m;
	rc.p = -1;
	rc.binary = spec->binary_labels;
	rc.sensitive = (spec->sensitive != NULL);
	rc.bufs = MemoryContextAllocZero(callerctx, sizeof(AcqRowBuf) * out->m);
	rc.datactx = callerctx;
	rc.cfg = spec->cfg;
	rc.est_rows = est_rows;
	rc.est_val = acq_rel_rows_estimate(spec->validation);
	rc.held = &held;
	rc.leaf_oids = leaf_oids;
	rc.est_src = est_src;
	rc.may_stream = spec->may_stream;
	args[0] = idxarray;
	args[1] = spec->privileged ? CStringGetTextDatum(spec->privileged) : (Datum) 0;
	argtypes[1] = TEXTOID;
	run_query(&rc, q.data, spec->privileged ? 2 : 1, argtypes, args, srcrel);
	if (rc.over)
	{
		/* past acq.max_memory: give the rows back, the caller streams statistics */
		for (i = 0; i < out->m; i++)
		{
			out->total_rows += rc.bufs[i].n;	/* read before it stopped */
			if (rc.bufs[i].X)
				pfree(rc.bufs[i].X);
			if (rc.bufs[i].y)
				pfree(rc.bufs[i].y);
			if (rc.bufs[i].a)
				pfree(rc.bufs[i].a);
		}
		SPI_finish();
		out->over_memory = true;
		out->p = rc.p;
		/* rows read, or the planner's count if it stopped from that */
		if ((double) out->total_rows < rc.est_rows)
			out->total_rows = (int64) rc.est_rows;
		return;
	}

	/* ---- the validation rows ---- */
	resetStringInfo(&q);
	appendStringInfo(&q, "SELECT 1::pg_catalog.int4, %s, %s, %s%s%s FROM %s",
					 has_ctid(spec->validation) ? "ctid" : "NULL::pg_catalog.tid",
					 vfeat, vlab, vsens ? ", " : "", vsens ? vsens : "", valrel);
	memset(&vc, 0, sizeof(vc));
	valname = valrel;
	vc.what = "validation table";
	vc.names = &valname;
	vc.m = 1;
	vc.p = rc.p;
	vc.binary = spec->binary_labels;
	vc.sensitive = (spec->sensitive != NULL);
	vc.bufs = MemoryContextAllocZero(callerctx, sizeof(AcqRowBuf));
	vc.est_rows = acq_rel_rows_estimate(spec->validation);
	vc.datactx = callerctx;
	vc.held = &held;
	vc.est_src = vc.est_rows > 0.0 ? &vc.est_rows : NULL;
	args[0] = Int32GetDatum(0);
	argtypes[0] = INT4OID;
	/* $1 is unused by the validation query; keep $2 = privileged */
	run_query(&vc, q.data, spec->privileged ? 2 : 1, argtypes, args, valrel);

	SPI_finish();

	/* ---- checks ---- */
	for (i = 0; i < out->m; i++)
		if (rc.bufs[i].n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA),
					 errmsg("source \"%s\" is empty", out->names[i]),
					 errhint("Every source needs rows; detach or drop the empty partition.")));
	if (vc.bufs[0].n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("validation table %s is empty", valrel)));

	out->p = rc.p;
	out->blocks = MemoryContextAllocZero(callerctx, sizeof(AcqBlock) * out->m);
	for (i = 0; i < out->m; i++)
	{
		out->blocks[i].X = rc.bufs[i].X;
		out->blocks[i].y = rc.bufs[i].y;
		out->blocks[i].a = rc.bufs[i].a;
		out->blocks[i].n = rc.bufs[i].n;
		out->total_rows += rc.bufs[i].n;
	}
	out->validation.X = vc.bufs[0].X;
	out->validation.y = vc.bufs[0].y;
	out->validation.a = vc.bufs[0].a;
	out->validation.n = vc.bufs[0].n;
}
