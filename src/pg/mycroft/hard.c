/*
 * hard.c -- the trainer's side of Mycroft: its model (tree, softmax or knn:
 * the arguments checked, the fit) and acq.hard_examples, the test rows the
 * model gets wrong, split by seed into those shared with the owners and
 * those held back to judge them.  acq.rank_owners (rank.c) retrains the
 * same model.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/memutils.h"

#include "pg/mycroft/mycroft.h"

PG_FUNCTION_INFO_V1(acq_hard_examples);

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

void
mycroft_model_spec(ModelSpec *m, const char *model, int max_depth, int min_samples_leaf,
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

void
mycroft_fit_model(const ModelSpec *m, const double *X, const int *y, int64 n, int d, int K,
				  int64 seed, double held, int64 npredict, AcqClassifier *clf)
{
	char		errbuf[256];
	pg_prng_state st;
	AcqRng		rng;
	AcqStatus	s;
	double		need = held + acq_clf_fit_bytes(&m->clf, n, d, K, npredict);

	if (acq_memory_over(need))
		acq_check_memory(need,
						 psprintf("training the %s model on " INT64_FORMAT " rows of %d features",
								  acq_option_name(model_options, m->clf.kind), n, d),
						 m->clf.kind == ACQ_CLF_TREE ?
						 "A tree sorts the rows by every feature (12 bytes a row and a feature) and may grow a node "
						 "for every min_samples_leaf rows: use fewer training rows or features, or set max_depth "
						 "or min_samples_leaf" :
						 m->clf.kind == ACQ_CLF_KNN ?
						 "knn keeps a copy of the training rows (8 bytes a feature): use fewer training rows or features" :
						 "The rows are held in memory (8 bytes a feature): use fewer training rows or features");
	acq_pg_rng_init(&rng, &st, seed);
	s = acq_clf_fit(&m->clf, X, y, n, d, K, &rng, clf, errbuf, sizeof(errbuf));
	if (s != ACQ_OK && s != ACQ_ERR_NO_CONVERGENCE && s != ACQ_ERR_SINGLE_CLASS)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("training the model failed: %s", errbuf)));
}

/* the labels argument, sorted (a NULL element is NaN: it matches no row) */
static double *
labels_arg(ArrayType *a, int *n)
{
	double	   *v = acq_float8_array_values(a, n);

	qsort(v, *n, sizeof(double), acq_cmp_double);
	return v;
}

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
	MemoryContext rowcxt;
	double	   *all;
	double		held = 0.0;		/* bytes held: the rows, then the arrays below */
	int64	   *ids;

	InitMaterializedSRF(fcinfo, 0);
	tr.rel = acq_arg_regclass(fcinfo, 0, "train");
	te.rel = acq_arg_regclass(fcinfo, 1, "test");
	tr.features = te.features = acq_arg_name(fcinfo, 2, "features", true);
	tr.label = te.label = acq_arg_name(fcinfo, 3, "label", true);
	tr.id = te.id = acq_arg_name(fcinfo, 5, "id", true);
	tr.held = te.held = &held;
	acq_arg_require(fcinfo, 7, "share");
	acq_arg_require(fcinfo, 8, "max_depth");
	acq_arg_require(fcinfo, 9, "min_samples_leaf");
	acq_arg_require(fcinfo, 11, "k");
	acq_arg_require(fcinfo, 12, "c");
	acq_arg_require(fcinfo, 13, "seed");
	mycroft_model_spec(&ms, acq_arg_text(fcinfo, 4, "model", true), PG_GETARG_INT32(8),
					   PG_GETARG_INT32(9), acq_arg_text(fcinfo, 10, "criterion", true),
					   PG_GETARG_INT32(11), PG_GETARG_FLOAT8(12));
	if (!PG_ARGISNULL(6))
		only = labels_arg(PG_GETARG_ARRAYTYPE_P(6), &nonly);
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
	mycroft_read_rows(&tr, &train, -1, &d, NULL);
	mycroft_read_rows(&te, &test, -1, &d, NULL);
	SPI_finish();
	if (train.b.n == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA), errmsg("the training table %s has no rows", acq_rel_display_name(tr.rel))));
	if (test.b.n == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA), errmsg("the test table %s has no rows", acq_rel_display_name(te.rel))));
	/* ids, labels, classes, predictions and misses */
	acq_memory_take(&held, 12.0 * train.b.n + 40.0 * test.b.n, "finding the hard examples",
					"Use fewer training or test rows");
	ids = palloc_extended(sizeof(int64) * test.b.n, MCXT_ALLOC_HUGE);
	memcpy(ids, test.b.ids, sizeof(int64) * test.b.n);
	mycroft_check_unique_ids(ids, test.b.n, acq_rel_display_name(te.rel));

	all = palloc_extended(sizeof(double) * (train.b.n + test.b.n), MCXT_ALLOC_HUGE);
	memcpy(all, train.b.y, sizeof(double) * train.b.n);
	memcpy(all + train.b.n, test.b.y, sizeof(double) * test.b.n);
	K = acq_distinct_values(all, train.b.n + test.b.n, &classes);
	ytr = palloc_extended(sizeof(int) * train.b.n, MCXT_ALLOC_HUGE);
	yte = palloc_extended(sizeof(int) * test.b.n, MCXT_ALLOC_HUGE);
	pred = palloc_extended(sizeof(int) * test.b.n, MCXT_ALLOC_HUGE);
	acq_value_codes(train.b.y, train.b.n, classes, K, ytr);
	acq_value_codes(test.b.y, test.b.n, classes, K, yte);
	mycroft_fit_model(&ms, train.b.X, ytr, train.b.n, d, K, seed, held, test.b.n, &clf);
	acq_clf_predict(&clf, test.b.X, test.b.n, pred);
	acq_clf_free(&clf);

	miss = palloc_extended(sizeof(int64) * test.b.n, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < test.b.n; i++)
		if (pred[i] != yte[i] && (only == NULL || acq_has_value(only, nonly, test.b.y[i])))
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
	/* each row's features array is built in rowcxt: the tuplestore keeps a copy */
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "acq hard example", ALLOCSET_DEFAULT_SIZES);
	for (int64 r = 0; r < nmiss; r++)
	{
		int64		i = miss[r];
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = Int64GetDatum(test.b.ids[i]);
		old = MemoryContextSwitchTo(rowcxt);
		values[1] = acq_float8_array_datum(test.b.X + i * d, d);
		MemoryContextSwitchTo(old);
		values[2] = Float8GetDatum(test.b.y[i]);
		values[3] = Float8GetDatum(classes[pred[i]]);
		values[4] = BoolGetDatum(r < nshare);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextReset(rowcxt);
	}
	MemoryContextDelete(rowcxt);
	return (Datum) 0;
}
