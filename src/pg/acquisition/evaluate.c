/*
 * evaluate.c -- acq.evaluate and acq.acquisition_curve: train a model on
 * some tables' rows and score it on a test table, so that a user can judge
 * an acquisition (accuracy for classification, R^2 for regression).
 *
 * Models (src/core): multinomial logistic regression ('softmax', L2 with
 * scikit-learn's C), k-nearest neighbours ('knn', classifier or regressor)
 * and least squares ('linear', regression).  Rows are read with the
 * caller's rights; every row is checked as acq.acquire checks them.
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
#include "utils/memutils.h"

#include "pg/acquisition/acquisition.h"
#include "core/knn.h"
#include "core/models.h"
#include "core/overflow.h"
#include "core/softmax.h"

PG_FUNCTION_INFO_V1(acq_evaluate);
PG_FUNCTION_INFO_V1(acq_acquisition_curve);

typedef enum EvalModel
{
	MODEL_SOFTMAX,
	MODEL_KNN,
	MODEL_LINEAR
} EvalModel;

typedef struct EvalSpec
{
	EvalModel	model;
	bool		regression;
	int			k;
	double		c;
	int			max_iter;
	double		tol;			/* softmax: stop at mean-loss gradient <= tol */
	/* for messages: the training rows, the test table, the columns */
	const char *train_what;
	const char *test_what;
	const char *features;
	const char *label;
} EvalSpec;

/* the labels or features of rows whose squares overflow float8: an ERROR 22003 */
static void
scale_error(const EvalSpec *e, const char *rows, const AcqOverflow *w)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 w->column < 0 ?
			 errmsg("the labels (column \"%s\") of %s reach %.3g in absolute value: their squares overflow float8",
					e->label, rows, w->magnitude) :
			 errmsg("the features (column \"%s\", element %d) of %s reach %.3g in absolute value: their squares overflow float8",
					e->features, w->column + 1, rows, w->magnitude),
			 errdetail("R^2 and least squares sum squares of the label and the features in float8, which holds at most about 1.8e308."),
			 errhint("Rescale the column (for example to unit variance, or divide it by %.0e) and call again.",
					 pow(10.0, floor(log10(w->magnitude))))));
}

/* the largest |label| and |feature| of rows [0, n) of r */
static void
row_scale(const AcqRowBuf *r, int64 n, double *ymax, double *xmax)
{
	*ymax = *xmax = 0.0;
	for (int64 i = 0; i < n; i++)
	{
		*ymax = Max(*ymax, fabs(r->y[i]));
		for (int j = 0; j < r->d; j++)
			*xmax = Max(*xmax, fabs(r->X[i * r->d + j]));
	}
}

/* reading (features, label) rows of a query */
typedef struct EvalScan
{
	const char *table;
	AcqRowBuf  *r;
	int64		rowno;
} EvalScan;

static void
eval_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	EvalScan   *sc = arg;
	MemoryContext mine = MemoryContextSwitchTo(rowcxt);
	double	   *x;
	double		y;

	sc->rowno++;
	/* a short or toasted array's copy, if it needs one, in the row's scratch */
	x = acq_checked_vector(slot->tts_values[0], slot->tts_isnull[0], &sc->r->d, "features", sc->table,
						   "row", sc->rowno, "Training and test rows need feature arrays of one length.");
	MemoryContextSwitchTo(mine);
	y = acq_checked_label(slot->tts_values[1], slot->tts_isnull[1], sc->table, "row", sc->rowno);
	acq_rowbuf_push(sc->r, x, y, 0);
	/* a stream of wide rows takes a while to detoast */
	if ((sc->rowno & 63) == 0)
		CHECK_FOR_INTERRUPTS();
}

/*
 * read (features, label) rows of a query, checked, appending to r: streamed
 * from the executor (base's read path), each row copied once into r
 */
static void
read_rows(const char *sql, const char *table, AcqRowBuf *r)
{
	EvalScan	sc;
	AcqReadClock clock;
	int64		before = r->n;

	acq_read_clock_start(&clock);
	sc.table = table;
	sc.r = r;
	sc.rowno = 0;
	acq_spi_read(sql, false, "reading rows", eval_row, &sc);
	acq_read_clock_done(&clock, "rows of", table, r->n - before, r->d);
}

/* SELECT features, label FROM rel, after checking the columns and the right to read */
static void
read_table(Oid rel, const char *features, const char *label, AcqRowBuf *r)
{
	char	   *name = acq_rel_display_name(rel);

	acq_check_array_column(rel, features, "features", NULL);
	acq_check_numeric_column(rel, label, "label", NULL);
	acq_check_select(rel, NULL);
	read_rows(psprintf("SELECT (%s)::pg_catalog.float8[], (%s)::pg_catalog.float8 FROM %s",
					   quote_identifier(features), quote_identifier(label), name),
			  name, r);
}

/* classes: the distinct labels of train and test, mapped to 0..K-1 */
static int
class_codes(const AcqRowBuf *train, const AcqRowBuf *test, int *ytr, int *yte)
{
	int64		n = train->n + test->n;
	double	   *all = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
	double	   *classes;
	int			K;

	memcpy(all, train->y, sizeof(double) * train->n);
	memcpy(all + train->n, test->y, sizeof(double) * test->n);
	K = acq_distinct_values(all, n, &classes);
	if (K > 10000)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d distinct labels is too many for a classifier", K),
				 errhint("Use task => 'regression' for a numeric target.")));
	acq_value_codes(train->y, train->n, classes, K, ytr);
	acq_value_codes(test->y, test->n, classes, K, yte);
	pfree(all);
	pfree(classes);
	return K;
}

/*
 * The model's memory, checked before it is trained: the rows held (the
 * buffers' tally), the labels' codes and the predictions, and what the fit
 * and the prediction allocate (K classes; 1 for regression).
 */
static void
check_model_memory(const EvalSpec *e, const AcqRowBuf *train, int64 ntrain, const AcqRowBuf *test, int K)
{
	double		held = train->held ? *train->held : 0.0;
	int			d = train->d;
	int64		nt = test->n;
	double		need;
	const char *model;

	if (e->model == MODEL_LINEAR)
	{
		need = acq_linstats_memory(d) + acq_linreg_solve_memory(d, ntrain) + sizeof(double) * (nt + d + 1.0);
		model = "least squares";
	}
	else if (e->model == MODEL_KNN)
	{
		need = acq_knn_classify_bytes(ntrain, d, K, nt, e->k);
		model = "k-NN";
	}
	else
	{
		need = acq_softmax_fit_bytes(ntrain, d, K);
		model = "a softmax regression";
	}
	need += 12.0 * (ntrain + nt);	/* codes, predictions */
	if (acq_memory_over(held + need))
		acq_check_memory(held + need,
						 psprintf("evaluating %s on " INT64_FORMAT " training rows of %d features", model, ntrain, d),
						 e->model == MODEL_LINEAR ? "The normal equations take 8 (features + 1)^2 bytes: use fewer features" :
						 "Use fewer training or test rows, or fewer features");
}

/* train on rows [0, ntrain) of train, score on test: accuracy or R^2 */
static double
train_and_score(const EvalSpec *e, const AcqRowBuf *train, int64 ntrain, const AcqRowBuf *test)
{
	char		errbuf[256];

	if (ntrain < 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("%s are empty: there is nothing to train on", e->train_what)));
	if (test->n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("%s has no rows", e->test_what),
				 errhint("A model is scored on the rows of the test table.")));
	if (train->d != test->d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("training rows have %d feature dimensions, test rows %d", train->d, test->d)));
	if (e->regression)
		check_model_memory(e, train, ntrain, test, 1);
	if (!e->regression)
	{
		AcqRowBuf	tr = *train;
		int		   *ytr = palloc_extended(sizeof(int) * ntrain, MCXT_ALLOC_HUGE);
		int		   *yte = palloc_extended(sizeof(int) * test->n, MCXT_ALLOC_HUGE);
		int		   *pred = palloc_extended(sizeof(int) * test->n, MCXT_ALLOC_HUGE);
		int			K;
		double		acc;

		tr.n = ntrain;
		K = class_codes(&tr, test, ytr, yte);
		check_model_memory(e, train, ntrain, test, K);
		if (e->model == MODEL_SOFTMAX)
		{
			AcqSoftmax m;
			AcqStatus	st = acq_softmax_fit_scaled(train->X, ytr, ntrain, train->d, K, e->c, e->max_iter,
													e->tol, NULL, &m, errbuf, sizeof(errbuf));

			if (st == ACQ_ERR_NO_CONVERGENCE)
				ereport(NOTICE,
						(errmsg("the softmax regression did not converge in %d iterations", e->max_iter),
						 errhint("Raise max_iter, or scale the features.")));
			else if (st != ACQ_OK && st != ACQ_ERR_SINGLE_CLASS)
				ereport(ERROR,
						(errcode(st == ACQ_ERR_OVERFLOW ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE : ERRCODE_DATA_EXCEPTION),
						 errmsg("training the softmax regression on %s failed: %s", e->train_what, errbuf)));
			acq_softmax_predict(&m, test->X, test->n, pred);
			acq_softmax_free(&m);
		}
		else
		{
			if (acq_knn_classify(train->X, ytr, ntrain, train->d, K, test->X, test->n, e->k, pred) != ACQ_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("k-NN classification failed")));
		}
		acc = acq_accuracy_int(yte, pred, test->n);
		pfree(pred);
		pfree(yte);
		pfree(ytr);
		return acc;
	}
	else
	{
		double	   *pred;
		double		r2;
		AcqBlock	tb = {train->X, train->y, NULL, ntrain};
		AcqBlock	sb = {test->X, test->y, NULL, test->n};
		AcqOverflow w;
		double		ymean;
		double		ymax;
		double		xmax;

		/* R^2 sums the squares of the test labels about their mean */
		if (!acq_linreg_means(&sb, 1, 0, NULL, &ymean, &w) ||
			acq_linreg_overflow(&sb, 1, 0, NULL, ymean, &w))
			scale_error(e, e->test_what, &w);
		/* least squares sums the squares of the training rows (unshifted) */
		if (e->model == MODEL_LINEAR && acq_linreg_overflow(&tb, 1, train->d, NULL, 0.0, &w))
			scale_error(e, e->train_what, &w);
		pred = palloc_extended(sizeof(double) * test->n, MCXT_ALLOC_HUGE);

		if (e->model == MODEL_KNN)
		{
			if (acq_knn_regress(train->X, train->y, ntrain, train->d, test->X, test->n, e->k, pred) != ACQ_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("k-NN regression failed")));
		}
		else
		{
			AcqLinStats *s = acq_linstats_create(train->d);
			double	   *beta = palloc(sizeof(double) * (train->d + 1));

			AcqStatus	st;

			acq_linstats_accumulate(s, train->X, train->y, ntrain, NULL, 0.0);
			st = acq_linreg_solve(s, 0.0, beta);
			if (st != ACQ_OK)
			{
				row_scale(train, ntrain, &ymax, &xmax);
				ereport(ERROR,
						(errcode(st == ACQ_ERR_TOO_LARGE ? ERRCODE_PROGRAM_LIMIT_EXCEEDED : ERRCODE_DATA_EXCEPTION),
						 errmsg("the least-squares fit on %s could not be solved", e->train_what),
						 st == ACQ_ERR_TOO_LARGE ?
						 errdetail("Its %d features are collinear, and the minimum-norm solution needs an eigendecomposition of order above %d.",
								   train->d, ACQ_LINREG_MAX_EIGEN) :
						 errdetail("%lld rows, %d features; the features reach %.3g and the labels %.3g in absolute value.",
								   (long long) ntrain, train->d, xmax, ymax),
						 errhint("Rescale the features and the label (for example to unit variance), remove collinear features, or use model => 'knn'.")));
			}
			for (int64 i = 0; i < test->n; i++)
			{
				double		v = beta[train->d];

				for (int j = 0; j < train->d; j++)
					v += beta[j] * test->X[i * test->d + j];
				pred[i] = v;
			}
			acq_linstats_free(s);
		}
		r2 = acq_r2(test->y, pred, test->n);
		pfree(pred);
		/* the data's squares fit float8 (checked above): the predictions' errors do not */
		if (!isfinite(r2))
		{
			row_scale(test, test->n, &ymax, &xmax);
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("R^2 of the model on %s is not finite: the squared errors of its predictions overflow float8",
							e->test_what),
					 errdetail("The test rows' features reach %.3g and their labels %.3g in absolute value.", xmax, ymax),
					 errhint("Rescale the label and the features (for example to unit variance) and call again.")));
		}
		return r2;
	}
}

static const AcqOption model_options[] = {
	{"softmax", MODEL_SOFTMAX},
	{"knn", MODEL_KNN},
	{"linear", MODEL_LINEAR},
	{NULL, 0}
};

static void
eval_spec(EvalSpec *e, const char *model, const char *task, int k, double c, int max_iter,
		  double tol)
{
	int			m;

	e->regression = acq_parse_option(acquisition_tasks, task, "task",
									 "Use 'classification' or 'regression'.");
	if (model == NULL)
		e->model = e->regression ? MODEL_KNN : MODEL_SOFTMAX;
	else if (acq_find_option(model_options, model, &m) &&
			 !(m == MODEL_SOFTMAX && e->regression) && !(m == MODEL_LINEAR && !e->regression))
		e->model = m;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model \"%s\" is not available for %s", model, task),
				 errhint("Classification: 'softmax' or 'knn'; regression: 'knn' or 'linear'.")));
	if (k < 1 || k > 1024)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 1 and 1024, not %d", k)));
	if (!(c > 0.0) || !isfinite(c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("c must be positive, not %g", c),
				 errhint("c is the inverse L2 strength, as scikit-learn's C.")));
	if (max_iter < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_iter must be positive, not %d", max_iter)));
	if (!(tol > 0.0) || !isfinite(tol))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tol must be positive, not %g", tol)));
	e->k = k;
	e->c = c;
	e->max_iter = max_iter;
	e->tol = tol;
}

/* acq.evaluate(train regclass[], test regclass, features, label, model, task, k, c, max_iter) */
Datum
acq_evaluate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *arr;
	Datum	   *rels;
	bool	   *nulls;
	int			nrels;
	Oid			test;
	char	   *features,
			   *label,
			   *model,
			   *task;
	EvalSpec	e;
	double		mem = 0.0;		/* bytes held by the call */
	AcqRowBuf	train = {0},
				tst = {0};
	double		score;
	Datum		values[5];
	bool		isnull[5] = {false, false, false, false, false};
	MemoryContext old;

	InitMaterializedSRF(fcinfo, 0);
	/* the rows' buffers check their growth against acq.max_memory, with one tally */
	train.held = tst.held = &mem;
	train.what = "reading the training rows";
	tst.what = "reading the test rows";
	acq_arg_require(fcinfo, 0, "train");
	arr = PG_GETARG_ARRAYTYPE_P(0);
	test = acq_arg_regclass(fcinfo, 1, "test");
	features = acq_arg_name(fcinfo, 2, "features", true);
	label = acq_arg_name(fcinfo, 3, "label", true);
	model = acq_arg_text(fcinfo, 4, "model", false);
	task = acq_arg_text(fcinfo, 5, "task", true);
	acq_arg_require(fcinfo, 6, "k");
	acq_arg_require(fcinfo, 7, "c");
	acq_arg_require(fcinfo, 8, "max_iter");
	acq_arg_require(fcinfo, 9, "tol");
	eval_spec(&e, model, task, PG_GETARG_INT32(6), PG_GETARG_FLOAT8(7), PG_GETARG_INT32(8),
			  PG_GETARG_FLOAT8(9));
	deconstruct_array(arr, REGCLASSOID, 4, true, TYPALIGN_INT, &rels, &nulls, &nrels);
	if (nrels < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("train must name at least one table")));
	train.d = tst.d = -1;
	old = CurrentMemoryContext;
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	MemoryContextSwitchTo(old);
	for (int i = 0; i < nrels; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("train must not contain NULL")));
		acq_check_relkind(DatumGetObjectId(rels[i]), "train", ACQ_REL_READABLE);
		read_table(DatumGetObjectId(rels[i]), features, label, &train);
	}
	read_table(test, features, label, &tst);
	{
		StringInfoData names;

		initStringInfo(&names);
		for (int i = 0; i < nrels; i++)
			appendStringInfo(&names, "%s%s", i ? ", " : "", acq_rel_display_name(DatumGetObjectId(rels[i])));
		e.train_what = psprintf("the training rows (%s)", names.data);
	}
	e.test_what = psprintf("test table %s", acq_rel_display_name(test));
	e.features = features;
	e.label = label;
	score = train_and_score(&e, &train, train.n, &tst);
	SPI_finish();
	values[0] = CStringGetTextDatum(acq_option_name(model_options, e.model));
	values[1] = Int64GetDatum(train.n);
	values[2] = Int64GetDatum(tst.n);
	values[3] = Float8GetDatum(score);
	values[4] = Float8GetDatum(score);
	isnull[3] = e.regression;
	isnull[4] = !e.regression;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isnull);
	return (Datum) 0;
}

/*
 * acq.acquisition_curve(plan_id, test, budgets, model, k, c, max_iter): the
 * model trained on the plan's consumer plus the first b records the plan
 * bought (in round order; within a round in a fixed pseudo-random order),
 * scored on test, for each b.
 */
Datum
acq_acquisition_curve(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		plan_id;
	Oid			test;
	ArrayType  *arr;
	Datum	   *bd;
	bool	   *bnulls;
	int			nb;
	char	   *model;
	EvalSpec	e;
	double		mem = 0.0;		/* bytes held by the call */
	AcqRowBuf	train = {0},
				tst = {0};
	AcqSpec		plan;
	int64		nconsumer;
	MemoryContext old;

	InitMaterializedSRF(fcinfo, 0);
	/* the rows' buffers check their growth against acq.max_memory, with one tally */
	train.held = tst.held = &mem;
	train.what = "reading the training rows";
	tst.what = "reading the test rows";
	acq_arg_require(fcinfo, 0, "plan_id");
	plan_id = PG_GETARG_INT64(0);
	test = acq_arg_regclass(fcinfo, 1, "test");
	acq_arg_require(fcinfo, 2, "budgets");
	arr = PG_GETARG_ARRAYTYPE_P(2);
	model = acq_arg_text(fcinfo, 3, "model", false);
	acq_arg_require(fcinfo, 4, "k");
	acq_arg_require(fcinfo, 5, "c");
	acq_arg_require(fcinfo, 6, "max_iter");
	acq_arg_require(fcinfo, 7, "tol");
	deconstruct_array(arr, INT4OID, 4, true, TYPALIGN_INT, &bd, &bnulls, &nb);

	old = CurrentMemoryContext;
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	MemoryContextSwitchTo(old);
	acquisition_read_plan(plan_id, &plan, "acq.acquisitions lists your plans.");
	eval_spec(&e, model, acq_option_name(acquisition_tasks, plan.regression), PG_GETARG_INT32(4),
			  PG_GETARG_FLOAT8(5), PG_GETARG_INT32(6), PG_GETARG_FLOAT8(7));
	acquisition_check_plan_tables(plan_id, &plan, false);

	train.d = tst.d = -1;
	read_table(plan.consumer, plan.features, plan.label, &train);
	nconsumer = train.n;
	acq_check_select(plan.target, NULL);
	read_rows(psprintf("SELECT (%s)::pg_catalog.float8[], (%s)::pg_catalog.float8 FROM %s"
					   " WHERE plan_id OPERATOR(pg_catalog.=) " INT64_FORMAT
					   " ORDER BY round, pg_catalog.hashint8((%s)::pg_catalog.int8), %s",
					   quote_identifier(plan.features), quote_identifier(plan.label),
					   acq_rel_display_name(plan.target), plan_id, quote_identifier(plan.id),
					   quote_identifier(plan.id)),
			  acq_rel_display_name(plan.target), &train);
	read_table(test, plan.features, plan.label, &tst);
	e.train_what = psprintf("the training rows (%s and the records bought into %s)",
							acq_rel_display_name(plan.consumer), acq_rel_display_name(plan.target));
	e.test_what = psprintf("test table %s", acq_rel_display_name(test));
	e.features = plan.features;
	e.label = plan.label;

	for (int i = 0; i < nb; i++)
	{
		Datum		values[4];
		bool		isn[4] = {false, false, false, false};
		int64		b,
					ntrain;
		double		score;

		if (bnulls[i] || DatumGetInt32(bd[i]) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("budgets must hold non-negative numbers of records")));
		b = DatumGetInt32(bd[i]);
		ntrain = nconsumer + Min(b, train.n - nconsumer);
		score = train_and_score(&e, &train, ntrain, &tst);
		values[0] = Int32GetDatum((int32) b);
		values[1] = Int64GetDatum(ntrain);
		values[2] = Float8GetDatum(score);
		values[3] = Float8GetDatum(score);
		isn[2] = e.regression;
		isn[3] = !e.regression;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, isn);
	}
	SPI_finish();
	return (Datum) 0;
}
