/*
 * mycroft.c -- Mycroft (Sarwar et al.): a model trainer finds the test rows
 * its model gets wrong (acq.hard_examples); each data owner, inside its own
 * database, picks the k rows most useful for them (acq.mycroft_select) and
 * shares only those; the trainer retrains on each owner's k rows and ranks
 * the owners (acq.rank_owners).
 *
 * Owner-side methods (src/core):
 *   feature   squared Euclidean distance to the nearest hard row, one DGEMM
 *             per block of owner rows streamed from the table (mycroft.c);
 *   binning   the binned distance of Algorithms 4-5 (binning.c), bins fitted
 *             on the hard rows and a seeded sample of the owner, then
 *             streamed like feature;
 *   omp       gradient matching by regularised OMP (omp.c) on per-row
 *             last-layer gradients of a softmax regression the owner trains
 *             here, or on a gradient column the owner supplies;
 *   combined  omp with the feature-distance penalty lambda2 ||Psi w||^2;
 *   random    k random rows among those with D_hard's labels (the paper's
 *             baseline).
 * Every table is read with the caller's rights; only the chosen rows' ids
 * leave the function.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"

#include "pg/mycroft/mycroft.h"
#include "core/classifier.h"
#include "core/distance.h"
#include "core/models.h"
#include "core/nearest.h"
#include "core/omp.h"
#include "core/softmax.h"

PG_FUNCTION_INFO_V1(acq_hard_examples);
PG_FUNCTION_INFO_V1(acq_mycroft_select);
PG_FUNCTION_INFO_V1(acq_rank_owners);

/* ---- rows ------------------------------------------------------------------ */

typedef struct Rows
{
	int64	   *id;
	double	   *X;
	double	   *y;
	double	   *G;				/* optional per-row vectors (gradients) */
	int64		n;
	int64		cap;
	int			d;				/* -1 until the first row */
	int			m;				/* gradient length, -1 until the first row */
} Rows;

static void
rows_reserve(Rows *r, bool with_g)
{
	if (r->n < r->cap && r->X != NULL && (!with_g || r->G != NULL))
		return;
	if (r->n < r->cap)
	{
		/* sized in advance (scan_rows counted): the arrays that wait for d and m */
		if (r->X == NULL)
			r->X = palloc_extended(sizeof(double) * r->cap * r->d, MCXT_ALLOC_HUGE);
		if (with_g && r->G == NULL)
			r->G = palloc_extended(sizeof(double) * r->cap * r->m, MCXT_ALLOC_HUGE);
		return;
	}
	r->cap = r->cap ? r->cap * 2 : 1024;
	r->id = r->id ? repalloc_huge(r->id, sizeof(int64) * r->cap) :
		palloc_extended(sizeof(int64) * r->cap, MCXT_ALLOC_HUGE);
	r->X = r->X ? repalloc_huge(r->X, sizeof(double) * r->cap * r->d) :
		palloc_extended(sizeof(double) * r->cap * r->d, MCXT_ALLOC_HUGE);
	r->y = r->y ? repalloc_huge(r->y, sizeof(double) * r->cap) :
		palloc_extended(sizeof(double) * r->cap, MCXT_ALLOC_HUGE);
	if (with_g)
		r->G = r->G ? repalloc_huge(r->G, sizeof(double) * r->cap * r->m) :
			palloc_extended(sizeof(double) * r->cap * r->m, MCXT_ALLOC_HUGE);
}

/* a float8[] value, checked (acq_checked_vector), naming the row by id */
static double *
checked_vector(Datum d, bool isnull, int *len, const char *what, const char *table, int64 id)
{
	return acq_checked_vector(d, isnull, len, what, table, "id", id,
							  "The owner's and the hard rows' arrays must have one length.");
}

typedef struct ReadSpec
{
	Oid			rel;
	const char *id;
	const char *features;
	const char *label;
	const char *gradients;		/* NULL: none */
	/* optional: note which of these sorted labels the scanned rows carry */
	const double *want;
	int			nwant;
	bool	   *seen;			/* seen[j]: some row has label want[j] */
	/* streamed OMP (select_omp_streamed): rows also carry their ctid */
	bool		with_ctid;
	bool		read_only;		/* SPI read_only: the caller's active snapshot */
} ReadSpec;

static void
check_columns(const ReadSpec *rs)
{
	acq_check_select(rs->rel, "acq reads the tables with your rights.");
	acq_check_integer_column(rs->rel, rs->id, "id", NULL);
	acq_check_array_column(rs->rel, rs->features, "features", NULL);
	acq_check_numeric_column(rs->rel, rs->label, "label", NULL);
	if (rs->gradients)
		acq_check_array_column(rs->rel, rs->gradients, "gradients", NULL);
}

/* what scan_rows hands a chunk of rows to */
typedef void (*ChunkFn) (void *arg, const Rows *chunk);

/* a scan in progress: rows arrive one by one from the executor (stream.c) */
typedef struct RowScan
{
	const ReadSpec *rs;
	Rows	   *all;			/* collecting every row, or NULL: chunks to fn */
	Rows		chunk;
	ChunkFn		fn;
	void	   *arg;
	int		   *d;
	int		   *m;
	const char *table;
	struct OmpStream *os;		/* non-NULL: gradients go to os, not into G */
} RowScan;

static void omp_stream_row(struct OmpStream *os, const double *g, int m, ItemPointer tid,
						   int64 row, double y, int64 id, const char *table);

static void
scan_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	RowScan  *ss = (RowScan *) arg;
	const ReadSpec *rs = ss->rs;
	Rows	   *into = ss->all ? ss->all : &ss->chunk;
	MemoryContext mine = CurrentMemoryContext;
	int64		id;
	double	   *x;
	double	   *g = NULL;
	double		y;

	if (slot->tts_isnull[0])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a row of %s has a NULL id", ss->table),
				 errhint("Every row needs an id: the selection names rows by it.")));
	id = DatumGetInt64(slot->tts_values[0]);
	/* arrays are detoasted, if they must be, in the row's scratch context */
	MemoryContextSwitchTo(rowcxt);
	x = checked_vector(slot->tts_values[1], slot->tts_isnull[1], ss->d, "features", ss->table, id);
	if (rs->gradients && ss->os)
		g = acq_checked_array(slot->tts_values[3], slot->tts_isnull[3], ss->m, "gradients",
							  ss->table, "id", id, "The owner's and the hard rows' arrays must have one length.");
	else if (rs->gradients)
		g = checked_vector(slot->tts_values[3], slot->tts_isnull[3], ss->m, "gradients", ss->table, id);
	MemoryContextSwitchTo(mine);
	if (slot->tts_isnull[2] || !isfinite(DatumGetFloat8(slot->tts_values[2])))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("label is NULL or not finite in %s, id " INT64_FORMAT, ss->table, id)));
	y = DatumGetFloat8(slot->tts_values[2]);
	if (rs->seen)
	{
		const double *hit = bsearch(&y, rs->want, rs->nwant, sizeof(double), acq_cmp_double);

		if (hit)
			rs->seen[hit - rs->want] = true;
	}
	into->d = *ss->d;
	into->m = ss->m ? *ss->m : 0;
	rows_reserve(into, g != NULL && ss->os == NULL);
	if (g && ss->os)
		omp_stream_row(ss->os, g, into->m, (ItemPointer) DatumGetPointer(slot->tts_values[4]),
					   into->n, y, id, ss->table);
	else if (g)
		memcpy(into->G + into->n * into->m, g, sizeof(double) * into->m);
	into->id[into->n] = id;
	memcpy(into->X + into->n * into->d, x, sizeof(double) * into->d);
	into->y[into->n] = y;
	into->n++;
	if (!ss->all && ss->chunk.n == ACQ_FETCH_BATCH)
	{
		ss->fn(ss->arg, &ss->chunk);
		ss->chunk.n = 0;
	}
	CHECK_FOR_INTERRUPTS();
}

/*
 * Stream a table's rows (id, features, label[, gradients]) in chunks of up to
 * FETCH_BATCH through fn, or collect them all into *all.  Rows are checked;
 * ids must be unique and not NULL (the check needs all ids: done by the
 * caller for streamed tables, through a sorted copy).  Rows come straight
 * from the executor (stream.c): no copy of them is kept but ours.
 */
static void
scan_rows_os(const ReadSpec *rs, Rows *all, ChunkFn fn, void *arg, int *d, int *m,
			 struct OmpStream *os);

static void
scan_rows(const ReadSpec *rs, Rows *all, ChunkFn fn, void *arg, int *d, int *m)
{
	scan_rows_os(rs, all, fn, arg, d, m, NULL);
}

static void
scan_rows_os(const ReadSpec *rs, Rows *all, ChunkFn fn, void *arg, int *d, int *m,
			 struct OmpStream *os)
{
	MemoryContext mine = CurrentMemoryContext;
	char	   *table = acq_rel_display_name(rs->rel);
	char	   *sql;
	RowScan	ss;

	check_columns(rs);
	if (rs->gradients)
		sql = psprintf("SELECT (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[], (%s)::pg_catalog.float8,"
					   " (%s)::pg_catalog.float8[]%s FROM %s",
					   quote_identifier(rs->id), quote_identifier(rs->features),
					   quote_identifier(rs->label), quote_identifier(rs->gradients),
					   rs->with_ctid ? ", ctid" : "", table);
	else
		sql = psprintf("SELECT (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[], (%s)::pg_catalog.float8 FROM %s",
					   quote_identifier(rs->id), quote_identifier(rs->features),
					   quote_identifier(rs->label), table);
	if (all && all->cap == 0)
	{
		/*
		 * Collecting every row: size the arrays once (a count does not
		 * detoast), rather than doubling them through the scan.
		 */
		bool		isnull;
		int64		n;

		acq_spi_check(SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM %s", table),
								  rs->read_only, 0),
					  SPI_OK_SELECT, "counting rows");
		n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		MemoryContextSwitchTo(mine);
		all->cap = Max(n, 1);
		all->id = palloc_extended(sizeof(int64) * all->cap, MCXT_ALLOC_HUGE);
		all->y = palloc_extended(sizeof(double) * all->cap, MCXT_ALLOC_HUGE);
		all->X = NULL;			/* sized at the first row, when d is known */
	}
	memset(&ss, 0, sizeof(ss));
	ss.rs = rs;
	ss.all = all;
	ss.fn = fn;
	ss.arg = arg;
	ss.d = d;
	ss.m = m;
	ss.table = table;
	ss.os = os;
	acq_spi_stream(sql, rs->read_only, SPI_OK_SELECT, "reading rows", scan_row, &ss);
	if (!all && ss.chunk.n > 0)
		fn(arg, &ss.chunk);
}

static void
check_unique_ids(int64 *ids, int64 n, const char *table)
{
	qsort(ids, n, sizeof(int64), acq_cmp_int64);
	for (int64 i = 1; i < n; i++)
		if (ids[i] == ids[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("id " INT64_FORMAT " appears more than once in %s", ids[i], table),
					 errhint("The selection names rows by id: make it unique (a primary key).")));
}

static char *
format_labels(const double *v, int n)
{
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < n; i++)
		appendStringInfo(&s, "%s%g", i ? ", " : "", v[i]);
	return s.data;
}

/* ---- models ------------------------------------------------------------- */

typedef struct ModelSpec
{
	AcqClfParams clf;
} ModelSpec;

static const AcqOption model_options[] = {
	{"tree", ACQ_CLF_TREE},
	{"softmax", ACQ_CLF_SOFTMAX},
	{"knn", ACQ_CLF_KNN},
	{NULL, 0}
};

static const AcqOption criterion_options[] = {
	{"gini", ACQ_TREE_GINI},
	{"entropy", ACQ_TREE_ENTROPY},
	{NULL, 0}
};

static void
model_spec(ModelSpec *m, const char *model, int max_depth, int min_samples_leaf,
		   const char *criterion, int k, double c)
{
	AcqClfKind	kind;

	kind = (AcqClfKind) acq_parse_option(model_options, model, "model",
										 "Use 'tree' (CART), 'softmax' or 'knn'.");
	acq_clf_default_params(&m->clf, kind);
	if (max_depth < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_depth must be 0 (unlimited) or positive, not %d", max_depth)));
	if (min_samples_leaf < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_samples_leaf must be positive, not %d", min_samples_leaf)));
	m->clf.tree.max_depth = max_depth;
	m->clf.tree.min_samples_leaf = min_samples_leaf;
	m->clf.tree.criterion = acq_parse_option(criterion_options, criterion, "criterion",
											 "Use 'gini' or 'entropy'.");
	if (k < 1 || k > 1024)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 1 and 1024, not %d", k)));
	m->clf.k = k;
	if (!(c > 0.0) || !isfinite(c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("c must be positive, not %g", c)));
	m->clf.c = c;
}

static void
fit_model(const ModelSpec *m, const double *X, const int *y, int64 n, int d, int K,
		  int64 seed, AcqClassifier *clf)
{
	char		errbuf[256];
	pg_prng_state st;
	AcqRng		rng;
	AcqStatus	s;

	acq_pg_rng_init(&rng, &st, seed);
	s = acq_clf_fit(&m->clf, X, y, n, d, K, &rng, clf, errbuf, sizeof(errbuf));
	if (s != ACQ_OK && s != ACQ_ERR_NO_CONVERGENCE && s != ACQ_ERR_SINGLE_CLASS)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("training the model failed: %s", errbuf)));
}

/* ---- acq.hard_examples ---------------------------------------------------- */

/*
 * acq.hard_examples(train, test, features, label, model, id, labels, shared,
 *                   max_depth, min_samples_leaf, criterion, k, c, seed)
 * The test rows the model trained on train gets wrong (of the given true
 * labels), each marked shared (sent to the owners) or not (held back to
 * judge them), a seeded split.
 */
Datum
acq_hard_examples(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ReadSpec	tr = {0},
				te = {0};
	Rows		train = {0},
				test = {0};
	ModelSpec	ms;
	double	   *only = NULL;
	int			nonly = 0;
	double		share;
	int64		seed;
	int			d = -1;
	double	   *classes;
	int			K;
	int		   *ytr,
			   *yte,
			   *pred;
	AcqClassifier clf;
	int64	   *miss;
	int64		nmiss = 0,
				nshare;
	pg_prng_state st;
	AcqRng		rng;
	MemoryContext old;
	double	   *all;

	InitMaterializedSRF(fcinfo, 0);
	tr.rel = acq_arg_regclass(fcinfo, 0, "train");
	te.rel = acq_arg_regclass(fcinfo, 1, "test");
	tr.features = te.features = acq_arg_name(fcinfo, 2, "features", true);
	tr.label = te.label = acq_arg_name(fcinfo, 3, "label", true);
	tr.id = te.id = acq_arg_name(fcinfo, 5, "id", true);
	acq_arg_require(fcinfo, 7, "share");
	acq_arg_require(fcinfo, 8, "max_depth");
	acq_arg_require(fcinfo, 9, "min_samples_leaf");
	acq_arg_require(fcinfo, 11, "k");
	acq_arg_require(fcinfo, 12, "c");
	acq_arg_require(fcinfo, 13, "seed");
	model_spec(&ms, acq_arg_text(fcinfo, 4, "model", true), PG_GETARG_INT32(8), PG_GETARG_INT32(9),
			   acq_arg_text(fcinfo, 10, "criterion", true), PG_GETARG_INT32(11), PG_GETARG_FLOAT8(12));
	if (!PG_ARGISNULL(6))
	{
		ArrayType  *a = PG_GETARG_ARRAYTYPE_P(6);
		Datum	   *e;
		bool	   *nulls;

		deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &e, &nulls, &nonly);
		only = palloc(sizeof(double) * (nonly + 1));
		for (int i = 0; i < nonly; i++)
			only[i] = nulls[i] ? NAN : DatumGetFloat8(e[i]);
		qsort(only, nonly, sizeof(double), acq_cmp_double);
	}
	share = PG_GETARG_FLOAT8(7);
	if (!(share >= 0.0 && share <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("share must be in [0, 1], not %g", share),
				 errhint("share is the share of the hard examples sent to the owners; the rest judges them.")));
	seed = PG_GETARG_INT64(13);

	old = CurrentMemoryContext;
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	MemoryContextSwitchTo(old);
	scan_rows(&tr, &train, NULL, NULL, &d, NULL);
	scan_rows(&te, &test, NULL, NULL, &d, NULL);
	SPI_finish();
	if (train.n == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND), errmsg("the training table has no rows")));
	if (test.n == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND), errmsg("the test table has no rows")));
	{
		int64	   *ids = palloc_extended(sizeof(int64) * test.n, MCXT_ALLOC_HUGE);

		memcpy(ids, test.id, sizeof(int64) * test.n);
		check_unique_ids(ids, test.n, acq_rel_display_name(te.rel));
	}

	all = palloc_extended(sizeof(double) * (train.n + test.n), MCXT_ALLOC_HUGE);
	memcpy(all, train.y, sizeof(double) * train.n);
	memcpy(all + train.n, test.y, sizeof(double) * test.n);
	K = acq_distinct_values(all, train.n + test.n, &classes);
	ytr = palloc_extended(sizeof(int) * train.n, MCXT_ALLOC_HUGE);
	yte = palloc_extended(sizeof(int) * test.n, MCXT_ALLOC_HUGE);
	pred = palloc_extended(sizeof(int) * test.n, MCXT_ALLOC_HUGE);
	acq_value_codes(train.y, train.n, classes, K, ytr);
	acq_value_codes(test.y, test.n, classes, K, yte);
	fit_model(&ms, train.X, ytr, train.n, d, K, seed, &clf);
	acq_clf_predict(&clf, test.X, test.n, pred);
	acq_clf_free(&clf);

	miss = palloc_extended(sizeof(int64) * test.n, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < test.n; i++)
		if (pred[i] != yte[i] && (only == NULL || acq_has_value(only, nonly, test.y[i])))
			miss[nmiss++] = i;
	if (nmiss == 0)
		ereport(NOTICE,
				(errmsg("the model gets every test row%s right: there are no hard examples",
						only ? " of those labels" : "")));
	/* a seeded shuffle: the first round(share n) are shared */
	acq_pg_rng_init(&rng, &st, seed);
	for (int64 i = nmiss - 1; i > 0; i--)
	{
		int64		j = (int64) acq_rng_below(&rng, (uint64) i + 1);
		int64		t = miss[i];

		miss[i] = miss[j];
		miss[j] = t;
	}
	nshare = (int64) floor(share * nmiss + 0.5);
	for (int64 r = 0; r < nmiss; r++)
	{
		int64		i = miss[r];
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Int64GetDatum(test.id[i]);
		values[1] = acq_float8_array_datum(test.X + i * d, d);
		values[2] = Float8GetDatum(test.y[i]);
		values[3] = Float8GetDatum(classes[pred[i]]);
		values[4] = BoolGetDatum(r < nshare);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---- owner-side selection ----------------------------------------------- */

typedef enum SelMethod
{
	SEL_FEATURE,
	SEL_BINNING,
	SEL_OMP,
	SEL_COMBINED,
	SEL_RANDOM
} SelMethod;

typedef struct SelSpec
{
	ReadSpec	owner;
	ReadSpec	hard;
	int64		k;
	SelMethod	method;
	bool		same_label;
	double		sample_rate;
	int			min_bins;
	int		   *candidates;
	int			ncand;
	int		   *bin_features;	/* 0-based; NULL: all */
	int			nbin_features;
	double		lambda;
	double		tol;
	double		lambda2;
	double		c;
	int64		seed;
} SelSpec;

typedef struct SelResult
{
	int64		n;
	int64	   *id;
	double	   *score;			/* NaN: none */
	double	   *weight;			/* NaN: none */
	double	   *missing;		/* D_hard's labels the owner lacks */
	int			nmissing;
	int64		owner_rows;
} SelResult;

static const AcqOption method_options[] = {
	{"feature", SEL_FEATURE},
	{"binning", SEL_BINNING},
	{"omp", SEL_OMP},
	{"combined", SEL_COMBINED},
	{"random", SEL_RANDOM},
	{NULL, 0}
};

static void
check_sel_spec(const SelSpec *s)
{
	if (s->k <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be positive, not " INT64_FORMAT, s->k),
				 errhint("k is the number of rows the owner shares.")));
	if (!(s->lambda >= 0.0) || !isfinite(s->lambda) || !(s->lambda2 >= 0.0) || !isfinite(s->lambda2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lambda and lambda2 must be non-negative, not %g and %g", s->lambda, s->lambda2)));
	if (!(s->tol >= 0.0) || !isfinite(s->tol))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tol must be non-negative, not %g", s->tol)));
	if (!(s->sample_rate > 0.0 && s->sample_rate <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample_rate must be in (0, 1], not %g", s->sample_rate)));
	if (s->min_bins < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_bins must be at least 2, not %d", s->min_bins),
				 errhint("A feature binned into one bin tells no rows apart.")));
	for (int i = 0; i < s->ncand; i++)
		if (s->candidates[i] < 2 || (i > 0 && s->candidates[i] <= s->candidates[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bin_candidates must be ascending bin counts of at least 2"),
					 errhint("For example '{5,10,20,50,100}'.")));
	if (!(s->c > 0.0) || !isfinite(s->c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("c must be positive, not %g", s->c)));
}

/* feature/binning: stream the owner's rows past the hard rows */
typedef struct StreamCtx
{
	SelSpec    *s;
	AcqHardSet *hs;
	AcqBinning *bins;
	const Rows *hard;
	double	   *hlabels;		/* NULL unless same_label */
	AcqTopK    *topk;
	double	   *dist;
	int64	   *ids;			/* every owner id, for the uniqueness check */
	int64		nids;
	int64		cap;
	AcqRng	   *rng;			/* binning: tie-breaking jitter */
	Rows		sample;			/* binning's first pass */
	bool		sampling;
} StreamCtx;

/* append a chunk's ids to a growing array (*ids, *n of *cap) */
static void
append_ids(int64 **ids, int64 *n, int64 *cap, const Rows *chunk)
{
	if (*n + chunk->n > *cap)
	{
		*cap = Max(*cap * 2, *n + chunk->n);
		*ids = *ids ? repalloc_huge(*ids, sizeof(int64) * *cap) :
			palloc_extended(sizeof(int64) * *cap, MCXT_ALLOC_HUGE);
	}
	memcpy(*ids + *n, chunk->id, sizeof(int64) * chunk->n);
	*n += chunk->n;
}

static void
stream_chunk(void *arg, const Rows *chunk)
{
	StreamCtx  *c = (StreamCtx *) arg;
	const double *ylab = c->hlabels ? chunk->y : NULL;

	if (c->sampling)
	{
		/* binning, first pass: a seeded Bernoulli sample of the owner */
		double	   *dst;

		c->sample.d = chunk->d;
		while (c->sample.cap < c->sample.n + chunk->n)
		{
			c->sample.cap = c->sample.cap ? c->sample.cap * 2 : 1024;
			c->sample.X = c->sample.X ? repalloc_huge(c->sample.X, sizeof(double) * c->sample.cap * chunk->d) :
				palloc_extended(sizeof(double) * c->sample.cap * chunk->d, MCXT_ALLOC_HUGE);
		}
		dst = c->sample.X + c->sample.n * chunk->d;
		c->sample.n += acq_sample_rows(c->rng, c->s->sample_rate, chunk->X, chunk->n, chunk->d, dst);
		return;
	}
	append_ids(&c->ids, &c->nids, &c->cap, chunk);
	if (c->dist == NULL)
		c->dist = palloc(sizeof(double) * ACQ_FETCH_BATCH);
	if (c->bins)
	{
		acq_binning_min_dist(c->bins, chunk->X, ylab, chunk->n, c->hard->X, c->hlabels,
							 c->hard->n, c->dist);
		/* binned distances are whole numbers: break ties at random, seeded */
		for (int64 i = 0; i < chunk->n; i++)
			c->dist[i] += 0.5 * acq_rng_double(c->rng);
	}
	else
	{
		acq_hardset_min_dist(c->hs, chunk->X, ylab, chunk->n, c->dist);
		for (int64 i = 0; i < chunk->n; i++)
			c->dist[i] = sqrt(c->dist[i]);
	}
	acq_topk_push_array(c->topk, c->dist, chunk->id, chunk->n, 0);
}

/* random: a seeded reservoir sample among rows with D_hard's labels */
typedef struct ReservoirCtx
{
	int64		k;
	int64		seen;
	int64	   *ids;
	const double *hard_labels;
	int			nlabels;
	AcqRng	   *rng;
	int64	   *all;
	int64		nall;
	int64		cap;
} ReservoirCtx;

static void
reservoir_chunk(void *arg, const Rows *chunk)
{
	ReservoirCtx *c = (ReservoirCtx *) arg;

	append_ids(&c->all, &c->nall, &c->cap, chunk);
	for (int64 i = 0; i < chunk->n; i++)
	{
		if (!acq_has_value(c->hard_labels, c->nlabels, chunk->y[i]))
			continue;
		if (c->seen < c->k)
			c->ids[c->seen] = chunk->id[i];
		else
		{
			int64		j = (int64) acq_rng_below(c->rng, (uint64) c->seen + 1);

			if (j < c->k)
				c->ids[j] = chunk->id[i];
		}
		c->seen++;
	}
}

/* ---- omp / combined ---------------------------------------------------- */

/* the owner's rows as read: ids unique, at least k of them; counted in res */
static void
check_owner_rows(const SelSpec *s, const Rows *owner, SelResult *res)
{
	int64	   *ids = palloc_extended(sizeof(int64) * (owner->n + 1), MCXT_ALLOC_HUGE);

	res->owner_rows = owner->n;
	memcpy(ids, owner->id, sizeof(int64) * owner->n);
	if (owner->n > 0)
		check_unique_ids(ids, owner->n, acq_rel_display_name(s->owner.rel));
	pfree(ids);
	if (s->k > owner->n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k = " INT64_FORMAT " is more than the owner's " INT64_FORMAT " rows", s->k, owner->n)));
}

static void
omp_params(const SelSpec *s, AcqOmpParams *op)
{
	op->k = (int) s->k;
	op->screen = 0;
	op->lambda = s->lambda;
	op->tol = s->tol;
	op->lambda2 = s->method == SEL_COMBINED ? s->lambda2 : 0.0;
}

static void
omp_check_candidates(const SelSpec *s, int64 nc)
{
	if (nc < s->k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k = " INT64_FORMAT " is more than the owner's " INT64_FORMAT " candidate rows",
						s->k, nc)));
}

/* combined: Psi, each candidate's distance to its nearest hard row (diagonal form) */
static double *
omp_psi(const SelSpec *s, const Rows *owner, const Rows *hard, const int64 *cand, int64 nc)
{
	AcqHardSet *hs;
	double	   *X,
			   *y,
			   *psi;

	if (s->method != SEL_COMBINED)
		return NULL;
	hs = acq_hardset_create(hard->X, s->same_label ? hard->y : NULL, hard->n, hard->d);
	X = palloc_extended(sizeof(double) * nc * owner->d, MCXT_ALLOC_HUGE);
	y = palloc_extended(sizeof(double) * nc, MCXT_ALLOC_HUGE);
	psi = palloc_extended(sizeof(double) * nc, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < nc; i++)
	{
		memcpy(X + i * owner->d, owner->X + cand[i] * owner->d, sizeof(double) * owner->d);
		y[i] = owner->y[cand[i]];
	}
	acq_hardset_min_dist(hs, X, s->same_label ? y : NULL, nc, psi);
	for (int64 i = 0; i < nc; i++)
		psi[i] = isfinite(psi[i]) ? sqrt(psi[i]) : 1e30;
	acq_hardset_free(hs);
	pfree(X);
	pfree(y);
	return psi;
}

/* the target: the hard rows' mean gradient */
static double *
omp_gradient_target(const Rows *hard, int m)
{
	double	   *b = palloc0(sizeof(double) * m);

	if (hard->m != m)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("gradients have %d dimensions in the owner's table and %d in the hard rows", m, hard->m)));
	for (int64 i = 0; i < hard->n; i++)
		for (int j = 0; j < m; j++)
			b[j] += hard->G[i * m + j] / hard->n;
	return b;
}

/* the pursuit's atoms (candidate indexes) as owner ids */
static void
omp_result(const SelSpec *s, SelResult *res, AcqOmpResult *or, const int64 *cand,
		   const int64 *ids, const double *psi)
{
	res->n = or->n;
	res->id = palloc(sizeof(int64) * (or->n + 1));
	res->score = palloc(sizeof(double) * (or->n + 1));
	res->weight = palloc(sizeof(double) * (or->n + 1));
	for (int i = 0; i < or->n; i++)
	{
		res->id[i] = ids[cand[or->index[i]]];
		res->score[i] = psi ? psi[or->index[i]] : NAN;
		res->weight[i] = or->weight[i];
	}
	if (or->n < s->k)
		ereport(NOTICE,
				(errmsg("gradient matching stopped after %d of " INT64_FORMAT " rows", or->n, s->k),
				 errdetail(or->stop == ACQ_OMP_STOP_TOL ? "The residual fell below tol." :
						   "No remaining row lowers the matching error.")));
	acq_omp_result_free(or);
}

/*
 * omp/combined: the owner's rows in memory; atoms are last-layer gradients
 * of a softmax regression trained here on the owner's rows (or the given
 * gradient column), the target their mean over the hard rows.
 */
static void
select_omp(SelSpec *s, Rows *owner, const Rows *hard, const double *hlabels_sorted, int nhl,
		   SelResult *res)
{
	int64		n = owner->n;
	int64	   *cand = palloc_extended(sizeof(int64) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE);
	int64		nc = 0;
	AcqOmpParams op;
	AcqOmpResult or;
	AcqStatus	st;
	char		errbuf[256];
	double	   *psi;

	/* candidates: every owner row, or those with D_hard's labels */
	for (int64 i = 0; i < n; i++)
		if (!s->same_label || acq_has_value(hlabels_sorted, nhl, owner->y[i]))
			cand[nc++] = i;
	omp_check_candidates(s, nc);
	omp_params(s, &op);
	psi = omp_psi(s, owner, hard, cand, nc);
	if (s->owner.gradients)
	{
		int			m = owner->m;
		double	   *G;
		double	   *b = omp_gradient_target(hard, m);

		if (nc == n)
			G = owner->G;		/* every row is a candidate: no copy */
		else
		{
			G = palloc_extended(sizeof(double) * nc * m, MCXT_ALLOC_HUGE);
			for (int64 i = 0; i < nc; i++)
				memcpy(G + i * m, owner->G + cand[i] * m, sizeof(double) * m);
		}
		st = acq_omp_explicit(G, nc, m, b, psi, psi ? ACQ_OMP_PSI_DIAGONAL : 0, &op, &or,
							  errbuf, sizeof(errbuf));
	}
	else
	{
		/* the owner's softmax regression, on the owner's rows, over every label seen */
		double	   *all = palloc_extended(sizeof(double) * (n + hard->n), MCXT_ALLOC_HUGE);
		double	   *classes;
		int			K;
		int		   *yo = palloc_extended(sizeof(int) * n, MCXT_ALLOC_HUGE);
		int		   *yh = palloc_extended(sizeof(int) * hard->n, MCXT_ALLOC_HUGE);
		AcqSoftmax	sm;
		int			d = owner->d;
		double	   *P,
				   *Ph,
				   *E,
				   *H,
				   *b;

		memcpy(all, owner->y, sizeof(double) * n);
		memcpy(all + n, hard->y, sizeof(double) * hard->n);
		K = acq_distinct_values(all, n + hard->n, &classes);
		acq_value_codes(owner->y, n, classes, K, yo);
		acq_value_codes(hard->y, hard->n, classes, K, yh);
		st = acq_softmax_fit(owner->X, yo, n, d, K, s->c, 1000, 1e-4, &sm, errbuf, sizeof(errbuf));
		if (st != ACQ_OK && st != ACQ_ERR_NO_CONVERGENCE && st != ACQ_ERR_SINGLE_CLASS)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("training the owner's softmax regression failed: %s", errbuf)));
		P = palloc_extended(sizeof(double) * n * K, MCXT_ALLOC_HUGE);
		Ph = palloc_extended(sizeof(double) * hard->n * K, MCXT_ALLOC_HUGE);
		acq_softmax_predict_proba(&sm, owner->X, n, P);
		acq_softmax_predict_proba(&sm, hard->X, hard->n, Ph);
		acq_softmax_free(&sm);
		(void) acq_omp_softmax_factor(P, yo, n, K, P);
		(void) acq_omp_softmax_factor(Ph, yh, hard->n, K, Ph);
		b = palloc(sizeof(double) * K * (d + 1));
		acq_omp_softmax_target(Ph, hard->X, hard->n, K, d, b);
		E = palloc_extended(sizeof(double) * nc * K, MCXT_ALLOC_HUGE);
		H = palloc_extended(sizeof(double) * nc * d, MCXT_ALLOC_HUGE);
		for (int64 i = 0; i < nc; i++)
		{
			memcpy(E + i * K, P + cand[i] * K, sizeof(double) * K);
			memcpy(H + i * d, owner->X + cand[i] * d, sizeof(double) * d);
		}
		st = acq_omp_softmax(E, H, nc, K, d, b, psi, psi ? ACQ_OMP_PSI_DIAGONAL : 0, &op, &or,
							 errbuf, sizeof(errbuf));
	}
	if (st != ACQ_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("gradient matching failed: %s", errbuf)));
	omp_result(s, res, &or, cand, owner->id, psi);
}

/*
 * omp on a gradient column, streamed.  The in-memory path above holds the
 * owner's gradients twice over (8 N M bytes, then the screen's int8 copy);
 * here each row is quantised as the scan hands it over (omp.h,
 * acq_omp_quantized) and only the int8 copy is kept.  The exact rows the
 * pursuit asks for -- a few candidates a step, and the support -- are
 * fetched back by ctid (a TID scan) under the snapshot the scan read, so
 * they are the very rows quantised.
 */
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

static void
omp_stream_row(OmpStream *os, const double *g, int m, ItemPointer tid, int64 row, double y,
			   int64 id, const char *table)
{
	if (os->want && !acq_has_value(os->want, os->nwant, y))
		return;
	if (acq_omp_quant_rows(os->quant) >= os->cap)
		elog(ERROR, "%s has more rows than counted under the same snapshot", table);
	if (!acq_omp_quant_add(os->quant, g))
	{
		acq_check_finite(g, m, "gradients", table, "id", id);	/* names the element */
		elog(ERROR, "quantising a row of %s failed", table);
	}
	os->cand[os->nc] = row;
	os->tid[os->nc] = *tid;
	os->nc++;
}

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
 * under the scan's snapshot (select_omp_streamed).
 */
static bool
omp_streamable(const SelSpec *s, const Rows *hard)
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
static bool
select_omp_streamed(SelSpec *s, const Rows *hard, const double *hl, int nhl, SelResult *res)
{
	MemoryContext mine = CurrentMemoryContext;
	Rows		owner = {0};
	OmpStream	os = {0};
	OmpFetch	f = {0};
	int			d = -1,
				m = hard->m;
	AcqOmpParams op;
	AcqOmpResult or;
	AcqStatus	st;
	char		errbuf[256];
	double	   *psi,
			   *b;
	Oid			argtype = TIDARRAYOID;
	bool		selected;
	bool		isnull;
	int64		nrows;

	/* one snapshot for the count, the scan and every fetch */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	acq_spi_check(SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM %s",
									   acq_rel_display_name(s->owner.rel)), true, 0),
				  SPI_OK_SELECT, "counting rows");
	nrows = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	MemoryContextSwitchTo(mine);
	if (!omp_stream_size_ok(nrows, hard->m))
	{
		PopActiveSnapshot();
		return false;
	}
	b = omp_gradient_target(hard, m);
	os.cap = Max(nrows, 1);
	os.quant = acq_omp_quant_create(os.cap, m);
	os.want = s->same_label ? hl : NULL;
	os.nwant = nhl;
	os.cand = palloc_extended(sizeof(int64) * Max(nrows, 1), MCXT_ALLOC_HUGE);
	os.tid = palloc_extended(sizeof(ItemPointerData) * Max(nrows, 1), MCXT_ALLOC_HUGE);

	s->owner.with_ctid = true;
	s->owner.read_only = true;
	owner.cap = Max(nrows, 1);
	owner.id = palloc_extended(sizeof(int64) * owner.cap, MCXT_ALLOC_HUGE);
	owner.y = palloc_extended(sizeof(double) * owner.cap, MCXT_ALLOC_HUGE);
	scan_rows_os(&s->owner, &owner, NULL, NULL, &d, &m, &os);
	s->owner.with_ctid = false;
	s->owner.read_only = false;
	if (m != hard->m)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("gradients have %d dimensions in the owner's table and %d in the hard rows", m, hard->m)));

	check_owner_rows(s, &owner, res);
	omp_check_candidates(s, os.nc);
	omp_params(s, &op);
	psi = omp_psi(s, &owner, hard, os.cand, os.nc);

	f.os = &os;
	f.ids = owner.id;
	f.m = m;
	f.table = acq_rel_display_name(s->owner.rel);
	f.plan = acq_spi_prepare(psprintf("SELECT ctid, (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[] FROM %s"
									  " WHERE ctid = ANY ($1)",
									  quote_identifier(s->owner.id), quote_identifier(s->owner.gradients),
									  f.table), 1, &argtype, "the row fetch");
	MemoryContextSwitchTo(mine);
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
		omp_result(s, res, &or, os.cand, owner.id, psi);
	SPI_freeplan(f.plan);
	return selected;
}

/*
 * Run a selection: the owner's k rows for the hard rows.  Reads the tables
 * through SPI (the caller is connected).
 */
static void
run_selection(SelSpec *s, SelResult *res)
{
	Rows		hard = {0};
	int			d = -1,
				m = -1;
	double	   *hl;
	int			nhl;
	pg_prng_state st;
	AcqRng		rng;

	memset(res, 0, sizeof(*res));
	check_sel_spec(s);
	scan_rows(&s->hard, &hard, NULL, NULL, &d, s->hard.gradients ? &m : NULL);
	if (hard.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("the hard examples table %s has no rows", acq_rel_display_name(s->hard.rel)),
				 errhint("D_hard holds the rows the trainer's model gets wrong: acq.hard_examples.")));
	nhl = acq_distinct_values(hard.y, hard.n, &hl);
	/* every method scans all of the owner: it notes which of D_hard's labels it has */
	s->owner.want = hl;
	s->owner.nwant = nhl;
	s->owner.seen = palloc0(sizeof(bool) * nhl);
	acq_pg_rng_init(&rng, &st, s->seed);

	if (s->method == SEL_FEATURE || s->method == SEL_BINNING)
	{
		StreamCtx	c = {0};
		int64	   *ids;
		int64		nres;

		c.s = s;
		c.hard = &hard;
		c.hlabels = s->same_label ? hard.y : NULL;
		c.topk = acq_topk_create(s->k);
		c.rng = &rng;
		if (s->method == SEL_BINNING)
		{
			int		   *features;
			int			nf;
			char		errbuf[256];

			c.sampling = true;
			scan_rows(&s->owner, NULL, stream_chunk, &c, &d, NULL);
			c.sampling = false;
			if (s->bin_features)
			{
				features = s->bin_features;
				nf = s->nbin_features;
				for (int i = 0; i < nf; i++)
					if (features[i] < 0 || features[i] >= d)
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("bin_features names dimension %d but the features have %d",
										features[i] + 1, d)));
			}
			else
			{
				nf = d;
				features = palloc(sizeof(int) * d);
				for (int i = 0; i < d; i++)
					features[i] = i;
			}
			if (acq_binning_fit(hard.X, hard.n, c.sample.X, c.sample.n, d, features, nf,
								s->candidates, s->ncand, s->min_bins, &c.bins,
								errbuf, sizeof(errbuf)) != ACQ_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("fitting the bins failed: %s", errbuf)));
		}
		else
			c.hs = acq_hardset_create(hard.X, c.hlabels, hard.n, d);
		scan_rows(&s->owner, NULL, stream_chunk, &c, &d, NULL);
		res->owner_rows = c.nids;
		if (c.nids > 0)
			check_unique_ids(c.ids, c.nids, acq_rel_display_name(s->owner.rel));
		if (s->k > c.nids)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("k = " INT64_FORMAT " is more than the owner's " INT64_FORMAT " rows", s->k, c.nids),
					 errhint("An owner shares at most all of its rows.")));
		ids = palloc(sizeof(int64) * s->k);
		res->score = palloc(sizeof(double) * s->k);
		nres = acq_topk_result(c.topk, ids, res->score);
		res->n = nres;
		res->id = ids;
		res->weight = palloc(sizeof(double) * (nres + 1));
		for (int64 i = 0; i < nres; i++)
		{
			res->weight[i] = NAN;
			if (s->method == SEL_BINNING)
				res->score[i] = floor(res->score[i]);
			if (!isfinite(res->score[i]))
				res->score[i] = NAN;	/* no hard row of its label */
		}
		acq_topk_free(c.topk);
		if (c.hs)
			acq_hardset_free(c.hs);
		if (c.bins)
			acq_binning_free(c.bins);
	}
	else if (s->method == SEL_RANDOM)
	{
		ReservoirCtx c = {0};

		c.k = s->k;
		c.ids = palloc(sizeof(int64) * s->k);
		c.hard_labels = hl;
		c.nlabels = nhl;
		c.rng = &rng;
		scan_rows(&s->owner, NULL, reservoir_chunk, &c, &d, NULL);
		res->owner_rows = c.nall;
		if (c.nall > 0)
			check_unique_ids(c.all, c.nall, acq_rel_display_name(s->owner.rel));
		if (s->k > c.nall)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("k = " INT64_FORMAT " is more than the owner's " INT64_FORMAT " rows", s->k, c.nall)));
		res->n = Min(c.seen, c.k);
		res->id = c.ids;
		res->score = palloc(sizeof(double) * (res->n + 1));
		res->weight = palloc(sizeof(double) * (res->n + 1));
		for (int64 i = 0; i < res->n; i++)
			res->score[i] = res->weight[i] = NAN;
		if (c.seen < c.k)
			ereport(NOTICE,
					(errmsg("the owner has only " INT64_FORMAT " rows with D_hard's labels; " INT64_FORMAT " were asked",
							c.seen, c.k)));
	}
	else if (!(omp_streamable(s, &hard) && select_omp_streamed(s, &hard, hl, nhl, res)))
	{
		/* omp/combined with the owner's rows in memory */
		Rows		owner = {0};

		scan_rows(&s->owner, &owner, NULL, NULL, &d, s->owner.gradients ? &m : NULL);
		check_owner_rows(s, &owner, res);
		select_omp(s, &owner, &hard, hl, nhl, res);
	}

	/* D_hard's labels the owner lacks: say so (the selection stands) */
	res->missing = palloc(sizeof(double) * (nhl + 1));
	for (int i = 0; i < nhl; i++)
		if (!s->owner.seen[i])
			res->missing[res->nmissing++] = hl[i];
	s->owner.seen = NULL;
	if (res->nmissing > 0)
		ereport(NOTICE,
				(errmsg("owner %s has no rows with label%s %s of D_hard; it selected from what it has",
						acq_rel_display_name(s->owner.rel), res->nmissing > 1 ? "s" : "",
						format_labels(res->missing, res->nmissing))));
}

/* an int[] argument, each element less offset (1-based to 0-based) */
static int *
int_array_arg(FunctionCallInfo fcinfo, int argno, const char *argname, int *n, int offset)
{
	int		   *out = acq_int4_array_arg(PG_GETARG_ARRAYTYPE_P(argno), n, argname);

	for (int i = 0; i < *n; i++)
		out[i] -= offset;
	return out;
}

/*
 * The selection arguments shared by acq.mycroft_select and acq.rank_owners,
 * from argument first on: method, same_label, sample_rate, min_bins,
 * bin_candidates, bin_features, lambda, tol, lambda2, gradients, c.
 */
static void
sel_args(FunctionCallInfo fcinfo, int first, SelSpec *s)
{
	static const char *names[] = {"method", "same_label", "sample_rate", "min_bins",
	"bin_candidates", "bin_features", "lambda", "tol", "lambda2", "gradients", "c"};

	for (int i = 0; i < 11; i++)
		if (i != 5 && i != 9)
			acq_arg_require(fcinfo, first + i, names[i]);
	s->method = acq_parse_option(method_options, acq_arg_text(fcinfo, first, "method", true), "method",
								 "Use 'feature', 'binning', 'omp', 'combined' or 'random'.");
	s->same_label = PG_GETARG_BOOL(first + 1);
	s->sample_rate = PG_GETARG_FLOAT8(first + 2);
	s->min_bins = PG_GETARG_INT32(first + 3);
	s->candidates = int_array_arg(fcinfo, first + 4, "bin_candidates", &s->ncand, 0);
	if (s->ncand < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bin_candidates must not be empty")));
	if (!PG_ARGISNULL(first + 5))
		s->bin_features = int_array_arg(fcinfo, first + 5, "bin_features", &s->nbin_features, 1);
	s->lambda = PG_GETARG_FLOAT8(first + 6);
	s->tol = PG_GETARG_FLOAT8(first + 7);
	s->lambda2 = PG_GETARG_FLOAT8(first + 8);
	s->owner.gradients = acq_arg_name(fcinfo, first + 9, "gradients", false);
	s->hard.gradients = s->owner.gradients;
	if (s->owner.gradients && s->method != SEL_OMP && s->method != SEL_COMBINED)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("gradients is for the 'omp' and 'combined' methods")));
	s->c = PG_GETARG_FLOAT8(first + 10);
}

/*
 * acq.mycroft_select(owner, hard, id, features, label, k, method, same_label,
 *   sample_rate, min_bins, bin_candidates, bin_features, lambda, tol,
 *   lambda2, gradients, c, seed, hard_features, hard_label)
 */
Datum
acq_mycroft_select(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SelSpec		s = {0};
	SelResult	res;
	MemoryContext old;

	InitMaterializedSRF(fcinfo, 0);
	s.owner.rel = acq_arg_regclass(fcinfo, 0, "owner");
	s.hard.rel = acq_arg_regclass(fcinfo, 1, "hard");
	s.owner.id = s.hard.id = acq_arg_name(fcinfo, 2, "id", true);
	s.owner.features = acq_arg_name(fcinfo, 3, "features", true);
	s.owner.label = acq_arg_name(fcinfo, 4, "label", true);
	acq_arg_require(fcinfo, 5, "k");
	s.k = PG_GETARG_INT32(5);
	sel_args(fcinfo, 6, &s);
	acq_arg_require(fcinfo, 17, "seed");
	s.seed = PG_GETARG_INT64(17);
	s.hard.features = PG_ARGISNULL(18) ? s.owner.features : acq_arg_name(fcinfo, 18, "hard_features", false);
	s.hard.label = PG_ARGISNULL(19) ? s.owner.label : acq_arg_name(fcinfo, 19, "hard_label", false);
	if (s.owner.rel == s.hard.rel)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("owner and hard must be different tables")));

	old = CurrentMemoryContext;
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	MemoryContextSwitchTo(old);
	run_selection(&s, &res);
	SPI_finish();
	for (int64 i = 0; i < res.n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum((int32) (i + 1));
		values[1] = Int64GetDatum(res.id[i]);
		values[2] = Float8GetDatum(res.score[i]);
		nulls[2] = isnan(res.score[i]);
		values[3] = Float8GetDatum(res.weight[i]);
		nulls[3] = isnan(res.weight[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---- acq.rank_owners ------------------------------------------------------ */

typedef struct Scores
{
	double		accuracy;
	double		f1;
} Scores;

/* accuracy, and F1 (of the positive class, or macro over the true labels present) */
static Scores
score_rows(const int *y, const int *pred, int64 n, int K, int positive)
{
	Scores		s;

	s.accuracy = acq_accuracy_int(y, pred, n);
	s.f1 = positive >= 0 ? acq_f1_class(y, pred, n, positive) : acq_f1_macro_present(y, pred, n, K);
	return s;
}

typedef struct OwnerScore
{
	int			index;			/* in the owners argument: breaks ties */
	Oid			owner;
	int64		shared;
	Scores		hard;
	Scores		test;
	double	   *missing;
	int			nmissing;
} OwnerScore;

static int
cmp_owner_score(const void *a, const void *b)
{
	const OwnerScore *x = a,
			   *y = b;

	if (x->hard.f1 != y->hard.f1)
		return x->hard.f1 > y->hard.f1 ? -1 : 1;
	if (x->hard.accuracy != y->hard.accuracy)
		return x->hard.accuracy > y->hard.accuracy ? -1 : 1;
	return x->index - y->index;
}

/* the rows of a table with these ids */
static void
fetch_rows(const ReadSpec *rs, const int64 *ids, int64 n, int *d, Rows *out)
{
	ReadSpec	sub = *rs;
	Datum		arr = acq_int8_array_datum(ids, (int) n);
	char	   *sql;
	Oid			t = INT8ARRAYOID;
	MemoryContext mine = CurrentMemoryContext;
	char	   *table = acq_rel_display_name(rs->rel);

	sql = psprintf("SELECT (%s)::pg_catalog.int8, (%s)::pg_catalog.float8[], (%s)::pg_catalog.float8 FROM %s"
				   " WHERE (%s)::pg_catalog.int8 OPERATOR(pg_catalog.=) ANY ($1)",
				   quote_identifier(sub.id), quote_identifier(sub.features), quote_identifier(sub.label),
				   table, quote_identifier(sub.id));
	acq_spi_check(SPI_execute_with_args(sql, 1, &t, &arr, NULL, true, 0), SPI_OK_SELECT, "reading the shared rows");
	MemoryContextSwitchTo(mine);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		double	   *x = checked_vector(SPI_getbinval(tup, desc, 2, &isnull), isnull, d, "features", table, id);
		Datum		yv = SPI_getbinval(tup, desc, 3, &isnull);

		out->d = *d;
		rows_reserve(out, false);
		out->id[out->n] = id;
		memcpy(out->X + out->n * out->d, x, sizeof(double) * out->d);
		out->y[out->n] = DatumGetFloat8(yv);
		out->n++;
	}
}

/*
 * acq.rank_owners(trainer, hard, held_out, owners, features, label, k,
 *   method, same_label, sample_rate, min_bins, bin_candidates, bin_features,
 *   lambda, tol, lambda2, gradients, c, model, test, id, positive,
 *   max_depth, min_samples_leaf, criterion, knn_k, model_c, seed)
 *
 * For each owner: its k rows for the shared hard rows (run here, as the
 * owner would in its own database), the trainer's model retrained on
 * trainer + those rows, scored on the held-back hard rows (and the full test
 * set); owners ranked by F1 on the held-back rows, then accuracy.
 */
Datum
acq_rank_owners(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ReadSpec	trs = {0},
				ors = {0},
				tes = {0};
	Rows		trainer = {0},
				held = {0},
				test = {0};
	Datum	   *owners;
	bool	   *onulls;
	int			nowners;
	SelSpec		s = {0};
	ModelSpec	ms;
	int			d = -1;
	bool		has_test;
	bool		has_positive;
	double		positive_value = 0;
	OwnerScore *scores;
	Rows	   *shared;
	MemoryContext old;
	int64		seed;
	int64		nall;
	double	   *all;
	double	   *classes;
	int			K;
	int			positive = -1;
	int		   *yh,
			   *yt = NULL,
			   *pred;

	InitMaterializedSRF(fcinfo, 0);
	trs.rel = acq_arg_regclass(fcinfo, 0, "trainer");
	s.hard.rel = acq_arg_regclass(fcinfo, 1, "hard");
	ors.rel = acq_arg_regclass(fcinfo, 2, "held_out");
	acq_arg_require(fcinfo, 3, "owners");
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(3), REGCLASSOID, 4, true, TYPALIGN_INT, &owners, &onulls, &nowners);
	if (nowners < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("owners must name at least one table")));
	for (int i = 0; i < nowners; i++)
		if (onulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("owners must not contain NULL")));
	trs.features = s.hard.features = s.owner.features = ors.features = tes.features =
		acq_arg_name(fcinfo, 4, "features", true);
	trs.label = s.hard.label = s.owner.label = ors.label = tes.label =
		acq_arg_name(fcinfo, 5, "label", true);
	acq_arg_require(fcinfo, 6, "k");
	s.k = PG_GETARG_INT32(6);
	sel_args(fcinfo, 7, &s);
	has_test = !PG_ARGISNULL(19);
	if (has_test)
		tes.rel = PG_GETARG_OID(19);
	trs.id = s.hard.id = s.owner.id = ors.id = tes.id = acq_arg_name(fcinfo, 20, "id", true);
	has_positive = !PG_ARGISNULL(21);
	if (has_positive)
		positive_value = PG_GETARG_FLOAT8(21);
	acq_arg_require(fcinfo, 22, "max_depth");
	acq_arg_require(fcinfo, 23, "min_samples_leaf");
	acq_arg_require(fcinfo, 25, "knn_k");
	acq_arg_require(fcinfo, 26, "model_c");
	model_spec(&ms, acq_arg_text(fcinfo, 18, "model", true), PG_GETARG_INT32(22), PG_GETARG_INT32(23),
			   acq_arg_text(fcinfo, 24, "criterion", true), PG_GETARG_INT32(25), PG_GETARG_FLOAT8(26));
	acq_arg_require(fcinfo, 27, "seed");
	seed = PG_GETARG_INT64(27);
	s.seed = seed;

	old = CurrentMemoryContext;
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	MemoryContextSwitchTo(old);
	scan_rows(&trs, &trainer, NULL, NULL, &d, NULL);
	scan_rows(&ors, &held, NULL, NULL, &d, NULL);
	if (has_test)
		scan_rows(&tes, &test, NULL, NULL, &d, NULL);
	if (trainer.n == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND), errmsg("the trainer's table has no rows")));
	if (held.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("the held-out hard table has no rows"),
				 errhint("Owners are judged on hard examples they did not see: acq.hard_examples marks them shared = false.")));

	/* each owner's k rows, selected as the owner would */
	scores = palloc0(sizeof(OwnerScore) * nowners);
	shared = palloc0(sizeof(Rows) * nowners);
	for (int o = 0; o < nowners; o++)
	{
		SelResult	res;

		s.owner.rel = DatumGetObjectId(owners[o]);
		if (s.owner.rel == s.hard.rel)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an owner cannot be the hard examples table")));
		run_selection(&s, &res);
		fetch_rows(&s.owner, res.id, res.n, &d, &shared[o]);
		scores[o].index = o;
		scores[o].owner = s.owner.rel;
		scores[o].shared = shared[o].n;
		scores[o].missing = res.missing;
		scores[o].nmissing = res.nmissing;
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();

	/* classes: every label seen */
	nall = trainer.n + held.n + test.n;
	for (int o = 0; o < nowners; o++)
		nall += shared[o].n;
	all = palloc_extended(sizeof(double) * nall, MCXT_ALLOC_HUGE);
	{
		int64		p = 0;

		memcpy(all + p, trainer.y, sizeof(double) * trainer.n);
		p += trainer.n;
		memcpy(all + p, held.y, sizeof(double) * held.n);
		p += held.n;
		memcpy(all + p, test.y, sizeof(double) * test.n);
		p += test.n;
		for (int o = 0; o < nowners; o++)
		{
			memcpy(all + p, shared[o].y, sizeof(double) * shared[o].n);
			p += shared[o].n;
		}
	}
	K = acq_distinct_values(all, nall, &classes);
	if (has_positive)
	{
		double	   *hit = bsearch(&positive_value, classes, K, sizeof(double), acq_cmp_double);

		if (hit == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("positive label %g appears in no table", positive_value)));
		positive = (int) (hit - classes);
	}
	yh = palloc_extended(sizeof(int) * held.n, MCXT_ALLOC_HUGE);
	acq_value_codes(held.y, held.n, classes, K, yh);
	if (has_test)
	{
		yt = palloc_extended(sizeof(int) * test.n, MCXT_ALLOC_HUGE);
		acq_value_codes(test.y, test.n, classes, K, yt);
	}
	pred = palloc_extended(sizeof(int) * Max(held.n, test.n), MCXT_ALLOC_HUGE);

	/* the trainer's model on trainer + each owner's rows */
	for (int o = 0; o < nowners; o++)
	{
		int64		n = trainer.n + shared[o].n;
		double	   *X = palloc_extended(sizeof(double) * n * d, MCXT_ALLOC_HUGE);
		double	   *yv = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
		int		   *y = palloc_extended(sizeof(int) * n, MCXT_ALLOC_HUGE);
		AcqClassifier clf;

		memcpy(X, trainer.X, sizeof(double) * trainer.n * d);
		memcpy(X + trainer.n * d, shared[o].X, sizeof(double) * shared[o].n * d);
		memcpy(yv, trainer.y, sizeof(double) * trainer.n);
		memcpy(yv + trainer.n, shared[o].y, sizeof(double) * shared[o].n);
		acq_value_codes(yv, n, classes, K, y);
		fit_model(&ms, X, y, n, d, K, seed, &clf);
		acq_clf_predict(&clf, held.X, held.n, pred);
		scores[o].hard = score_rows(yh, pred, held.n, K, positive);
		if (has_test)
		{
			acq_clf_predict(&clf, test.X, test.n, pred);
			scores[o].test = score_rows(yt, pred, test.n, K, positive);
		}
		acq_clf_free(&clf);
		pfree(X);
		pfree(yv);
		pfree(y);
		CHECK_FOR_INTERRUPTS();
	}

	qsort(scores, nowners, sizeof(OwnerScore), cmp_owner_score);
	for (int o = 0; o < nowners; o++)
	{
		Datum		values[8];
		bool		nulls[8] = {false, false, false, false, false, false, false, false};

		values[0] = Int32GetDatum(o + 1);
		values[1] = ObjectIdGetDatum(scores[o].owner);
		values[2] = Int32GetDatum((int32) scores[o].shared);
		values[3] = Float8GetDatum(scores[o].hard.accuracy);
		values[4] = Float8GetDatum(scores[o].hard.f1);
		nulls[4] = isnan(scores[o].hard.f1);
		values[5] = Float8GetDatum(scores[o].test.accuracy);
		values[6] = Float8GetDatum(scores[o].test.f1);
		nulls[5] = nulls[6] = !has_test;
		values[7] = acq_float8_array_datum(scores[o].missing, scores[o].nmissing);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(acq_check_rank_owners);

/*
 * acq._check_rank_owners(<acq.rank_owners' arguments>): the checks that need
 * no data, at a job's submission: arguments in range, columns of the right
 * types, and the right to read every table.
 */
Datum
acq_check_rank_owners(PG_FUNCTION_ARGS)
{
	ReadSpec	rs = {0};
	Datum	   *owners;
	bool	   *onulls;
	int			nowners;
	SelSpec		s = {0};
	ModelSpec	ms;
	Oid			fixed[3];

	for (int i = 0; i < 3; i++)
		fixed[i] = acq_arg_regclass(fcinfo, i, i == 0 ? "trainer" : i == 1 ? "hard" : "held_out");
	acq_arg_require(fcinfo, 3, "owners");
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(3), REGCLASSOID, 4, true, TYPALIGN_INT, &owners, &onulls, &nowners);
	if (nowners < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("owners must name at least one table")));
	rs.features = acq_arg_name(fcinfo, 4, "features", true);
	rs.label = acq_arg_name(fcinfo, 5, "label", true);
	rs.id = acq_arg_name(fcinfo, 20, "id", true);
	acq_arg_require(fcinfo, 6, "k");
	s.k = PG_GETARG_INT32(6);
	sel_args(fcinfo, 7, &s);
	check_sel_spec(&s);
	acq_arg_require(fcinfo, 22, "max_depth");
	acq_arg_require(fcinfo, 23, "min_samples_leaf");
	acq_arg_require(fcinfo, 25, "knn_k");
	acq_arg_require(fcinfo, 26, "model_c");
	acq_arg_require(fcinfo, 27, "seed");
	model_spec(&ms, acq_arg_text(fcinfo, 18, "model", true), PG_GETARG_INT32(22), PG_GETARG_INT32(23),
			   acq_arg_text(fcinfo, 24, "criterion", true), PG_GETARG_INT32(25), PG_GETARG_FLOAT8(26));
	for (int i = 0; i < 3; i++)
	{
		rs.rel = fixed[i];
		rs.gradients = i == 1 ? s.owner.gradients : NULL;
		check_columns(&rs);
	}
	for (int i = 0; i < nowners; i++)
	{
		if (onulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("owners must not contain NULL")));
		rs.rel = DatumGetObjectId(owners[i]);
		rs.gradients = s.owner.gradients;
		check_columns(&rs);
	}
	if (!PG_ARGISNULL(19))
	{
		rs.rel = PG_GETARG_OID(19);
		rs.gradients = NULL;
		check_columns(&rs);
	}
	PG_RETURN_VOID();
}
