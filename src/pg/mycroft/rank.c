/*
 * rank.c -- acq.rank_owners: for each owner, its k rows for the shared hard
 * rows (selected here, as the owner would in its own database), the
 * trainer's model retrained on trainer + those rows and scored on the
 * held-back hard rows (and the full test set); owners ranked by F1 on the
 * held-back rows, then accuracy.  Its arguments are read by one function,
 * rank_spec_from_args, for the call and for acq._check_rank_owners (a job's
 * submission, src/pg/mycroft/job.c runs it).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/memutils.h"

#include "pg/mycroft/mycroft.h"
#include "core/models.h"

PG_FUNCTION_INFO_V1(acq_rank_owners);

/* acq.rank_owners' arguments */
typedef struct RankSpec
{
	ReadSpec	trainer;
	ReadSpec	held;
	bool		has_test;
	ReadSpec	test;
	Oid		   *owners;
	int			nowners;
	SelSpec		sel;			/* sel.hard: the shared hard rows; sel.owner: each owner in turn */
	ModelSpec	model;
	bool		has_positive;
	double		positive;
	int64		seed;
} RankSpec;

typedef struct Scores
{
	double		accuracy;
	double		f1;
} Scores;

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

/*
 * acq.rank_owners(trainer, hard, held_out, owners, features, label, k,
 *   method, same_label, sample_rate, min_bins, bin_candidates, bin_features,
 *   lambda, tol, lambda2, gradients, c, model, test, id, positive,
 *   max_depth, min_samples_leaf, criterion, knn_k, model_c, seed),
 * read and checked as far as it needs no data (the selection's ranges are
 * checked by the selection).
 */
static void
rank_spec_from_args(FunctionCallInfo fcinfo, RankSpec *r)
{
	Datum	   *owners;
	bool	   *onulls;
	char	   *features,
			   *label,
			   *id;

	memset(r, 0, sizeof(*r));
	r->trainer.rel = acq_arg_regclass(fcinfo, 0, "trainer");
	r->sel.hard.rel = acq_arg_regclass(fcinfo, 1, "hard");
	r->held.rel = acq_arg_regclass(fcinfo, 2, "held_out");
	acq_arg_require(fcinfo, 3, "owners");
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(3), REGCLASSOID, 4, true, TYPALIGN_INT, &owners, &onulls,
					  &r->nowners);
	if (r->nowners < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("owners must name at least one table")));
	r->owners = palloc(sizeof(Oid) * r->nowners);
	for (int i = 0; i < r->nowners; i++)
	{
		if (onulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("owners must not contain NULL")));
		r->owners[i] = DatumGetObjectId(owners[i]);
		acq_check_relkind(r->owners[i], "owners", ACQ_REL_READABLE);
	}
	features = acq_arg_name(fcinfo, 4, "features", true);
	label = acq_arg_name(fcinfo, 5, "label", true);
	acq_arg_require(fcinfo, 6, "k");
	r->sel.k = PG_GETARG_INT32(6);
	mycroft_sel_args(fcinfo, 7, &r->sel);
	r->has_test = !PG_ARGISNULL(19);
	if (r->has_test)
		r->test.rel = acq_arg_regclass(fcinfo, 19, "test");
	id = acq_arg_name(fcinfo, 20, "id", true);
	r->has_positive = !PG_ARGISNULL(21);
	if (r->has_positive)
	{
		r->positive = PG_GETARG_FLOAT8(21);
		if (!isfinite(r->positive))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("positive must be a finite label, not %g", r->positive),
					 errhint("positive names the label whose F1 is reported; NULL gives the macro F1.")));
	}
	acq_arg_require(fcinfo, 22, "max_depth");
	acq_arg_require(fcinfo, 23, "min_samples_leaf");
	acq_arg_require(fcinfo, 25, "knn_k");
	acq_arg_require(fcinfo, 26, "model_c");
	mycroft_model_spec(&r->model, acq_arg_text(fcinfo, 18, "model", true), PG_GETARG_INT32(22),
					   PG_GETARG_INT32(23), acq_arg_text(fcinfo, 24, "criterion", true),
					   PG_GETARG_INT32(25), PG_GETARG_FLOAT8(26));
	acq_arg_require(fcinfo, 27, "seed");
	r->seed = PG_GETARG_INT64(27);
	r->sel.seed = r->seed;

	/* one set of columns for every table; the hard rows' and owners' gradients from sel_args */
	r->trainer.features = r->held.features = r->test.features = features;
	r->sel.hard.features = r->sel.owner.features = features;
	r->trainer.label = r->held.label = r->test.label = label;
	r->sel.hard.label = r->sel.owner.label = label;
	r->trainer.id = r->held.id = r->test.id = id;
	r->sel.hard.id = r->sel.owner.id = id;
}

/* accuracy, and F1 (of the positive class, or macro over the true labels present) */
static Scores
score_rows(const int *y, const int *pred, int64 n, int K, int positive)
{
	Scores		s;

	s.accuracy = acq_accuracy_int(y, pred, n);
	s.f1 = positive >= 0 ? acq_f1_class(y, pred, n, positive) : acq_f1_macro_present(y, pred, n, K);
	return s;
}

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

/* the labels of r appended at all + p; returns the new end */
static int64
append_labels(double *all, int64 p, const Rows *r)
{
	if (r->b.n > 0)
		memcpy(all + p, r->b.y, sizeof(double) * r->b.n);
	return p + r->b.n;
}

/* the classes (every label seen) and the index of the positive one (or -1) */
static int
rank_classes(const RankSpec *r, const Rows *trainer, const Rows *held, const Rows *test,
			 const Rows *shared, double **classes, int *positive)
{
	int64		nall = trainer->b.n + held->b.n + test->b.n;
	int64		p = 0;
	double	   *all;
	int			K;

	for (int o = 0; o < r->nowners; o++)
		nall += shared[o].b.n;
	all = palloc_extended(sizeof(double) * nall, MCXT_ALLOC_HUGE);
	p = append_labels(all, p, trainer);
	p = append_labels(all, p, held);
	p = append_labels(all, p, test);
	for (int o = 0; o < r->nowners; o++)
		p = append_labels(all, p, &shared[o]);
	K = acq_distinct_values(all, nall, classes);
	*positive = -1;
	if (r->has_positive)
	{
		double	   *hit = bsearch(&r->positive, *classes, K, sizeof(double), acq_cmp_double);

		if (hit == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("positive label %g appears in no table", r->positive)));
		*positive = (int) (hit - *classes);
	}
	return K;
}

Datum
acq_rank_owners(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RankSpec	r;
	SelSpec    *s = &r.sel;
	Rows		trainer = {0},
				held = {0},
				test = {0};
	int			d = -1;
	OwnerScore *scores;
	Rows	   *shared;
	MemoryContext old;
	double	   *classes;
	int			K;
	int			positive;
	int		   *yh,
			   *yt = NULL,
			   *pred;
	double		mem = 0.0;		/* bytes held by the call (acq_memory_take) */

	InitMaterializedSRF(fcinfo, 0);
	rank_spec_from_args(fcinfo, &r);

	old = CurrentMemoryContext;
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	MemoryContextSwitchTo(old);
	r.trainer.held = r.held.held = r.test.held = s->held = &mem;
	mycroft_read_rows(&r.trainer, &trainer, -1, &d, NULL);
	mycroft_read_rows(&r.held, &held, -1, &d, NULL);
	if (r.has_test)
		mycroft_read_rows(&r.test, &test, -1, &d, NULL);
	if (trainer.b.n == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA), errmsg("the trainer's table %s has no rows", acq_rel_display_name(r.trainer.rel))));
	if (held.b.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("the held-out hard table %s has no rows", acq_rel_display_name(r.held.rel)),
				 errhint("Owners are judged on hard examples they did not see: acq.hard_examples marks them shared = false.")));
	if (r.has_test && test.b.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("the test table %s has no rows", acq_rel_display_name(r.test.rel)),
				 errhint("Pass a test table with rows, or test => NULL to rank on the held-out hard rows alone.")));

	/* each owner's k rows, selected as the owner would */
	scores = palloc0(sizeof(OwnerScore) * r.nowners);
	shared = palloc0(sizeof(Rows) * r.nowners);
	for (int o = 0; o < r.nowners; o++)
	{
		SelResult	res;

		s->owner.rel = r.owners[o];
		if (s->owner.rel == s->hard.rel)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an owner cannot be the hard examples table")));
		if (mycroft_owner_is_remote(s->owner.rel))
			mycroft_run_remote_selection(s, &res);
		else
			mycroft_run_selection(s, &res);
		mycroft_fetch_rows(&s->owner, res.id, res.n, &d, &shared[o]);
		scores[o].index = o;
		scores[o].owner = s->owner.rel;
		scores[o].shared = shared[o].b.n;
		scores[o].missing = res.missing;
		scores[o].nmissing = res.nmissing;
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();

	/* the labels of every row, their codes and the predictions */
	acq_memory_take(&mem, 8.0 * (trainer.b.n + held.b.n + test.b.n) + 12.0 * (held.b.n + test.b.n),
					"ranking the owners", "Use fewer trainer, held-out or test rows");
	K = rank_classes(&r, &trainer, &held, &test, shared, &classes, &positive);
	yh = palloc_extended(sizeof(int) * held.b.n, MCXT_ALLOC_HUGE);
	acq_value_codes(held.b.y, held.b.n, classes, K, yh);
	if (r.has_test)
	{
		yt = palloc_extended(sizeof(int) * test.b.n, MCXT_ALLOC_HUGE);
		acq_value_codes(test.b.y, test.b.n, classes, K, yt);
	}
	pred = palloc_extended(sizeof(int) * Max(held.b.n, test.b.n), MCXT_ALLOC_HUGE);

	/* the trainer's model on trainer + each owner's rows */
	for (int o = 0; o < r.nowners; o++)
	{
		int64		n = trainer.b.n + shared[o].b.n;
		double		copy = (sizeof(double) * ((double) d + 1.0) + sizeof(int)) * (double) n;
		double	   *X;
		double	   *yv;
		int		   *y;
		AcqClassifier clf;

		/* the trainer's rows and the owner's, copied together, and the fit */
		acq_check_memory(mem + copy,
						 psprintf("copying the trainer's " INT64_FORMAT " rows and the owner's " INT64_FORMAT,
								  trainer.b.n, shared[o].b.n),
						 "Use fewer trainer rows or features, or a smaller k");
		X = palloc_extended(sizeof(double) * n * d, MCXT_ALLOC_HUGE);
		yv = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
		y = palloc_extended(sizeof(int) * n, MCXT_ALLOC_HUGE);

		memcpy(X, trainer.b.X, sizeof(double) * trainer.b.n * d);
		if (shared[o].b.n > 0)
			memcpy(X + trainer.b.n * d, shared[o].b.X, sizeof(double) * shared[o].b.n * d);
		append_labels(yv, 0, &trainer);
		append_labels(yv, trainer.b.n, &shared[o]);
		acq_value_codes(yv, n, classes, K, y);
		mycroft_fit_model(&r.model, X, y, n, d, K, r.seed, mem + copy, Max(held.b.n, test.b.n), &clf);
		acq_clf_predict(&clf, held.b.X, held.b.n, pred);
		scores[o].hard = score_rows(yh, pred, held.b.n, K, positive);
		if (r.has_test)
		{
			acq_clf_predict(&clf, test.b.X, test.b.n, pred);
			scores[o].test = score_rows(yt, pred, test.b.n, K, positive);
		}
		acq_clf_free(&clf);
		pfree(X);
		pfree(yv);
		pfree(y);
		CHECK_FOR_INTERRUPTS();
	}

	qsort(scores, r.nowners, sizeof(OwnerScore), cmp_owner_score);
	for (int o = 0; o < r.nowners; o++)
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
		nulls[5] = nulls[6] = !r.has_test;
		values[7] = acq_float8_array_datum(scores[o].missing, scores[o].nmissing);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * The checks of acq.submit_rank_owners (acq.rank_owners' arguments) that
 * need no data: arguments in range, columns of the right types, and the
 * right to read every table.
 */
void
mycroft_check_rank_args(FunctionCallInfo fcinfo)
{
	RankSpec	r;
	ReadSpec	owner;

	rank_spec_from_args(fcinfo, &r);
	mycroft_check_sel_spec(&r.sel);
	mycroft_check_columns(&r.trainer);
	mycroft_check_columns(&r.sel.hard);
	mycroft_check_columns(&r.held);
	owner = r.sel.owner;
	for (int i = 0; i < r.nowners; i++)
	{
		owner.rel = r.owners[i];
		mycroft_check_columns(&owner);
		if (mycroft_owner_is_remote(owner.rel))
			acq_check_remote_declared(acq_foreign_server(owner.rel), mycroft_remote_why(owner.rel));
	}
	if (r.has_test)
		mycroft_check_columns(&r.test);
}
