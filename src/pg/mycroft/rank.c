/*
 * rank.c -- acq.rank_owners: for each owner, its k rows for the shared hard
 * rows (selected here, as the owner would in its own database), the
 * trainer's model retrained on trainer + those rows and scored on the
 * held-back hard rows (and the full test set); owners ranked by F1 on the
 * held-back rows, then accuracy.  And acq._check_rank_owners, its checks at
 * a job's submission (job.c runs the job).
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
PG_FUNCTION_INFO_V1(acq_check_rank_owners);

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

/* the labels of r appended at all + p; returns the new end */
static int64
append_labels(double *all, int64 p, const Rows *r)
{
	if (r->b.n > 0)
		memcpy(all + p, r->b.y, sizeof(double) * r->b.n);
	return p + r->b.n;
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
	mycroft_sel_args(fcinfo, 7, &s);
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
	mycroft_model_spec(&ms, acq_arg_text(fcinfo, 18, "model", true), PG_GETARG_INT32(22),
					   PG_GETARG_INT32(23), acq_arg_text(fcinfo, 24, "criterion", true),
					   PG_GETARG_INT32(25), PG_GETARG_FLOAT8(26));
	acq_arg_require(fcinfo, 27, "seed");
	seed = PG_GETARG_INT64(27);
	s.seed = seed;

	old = CurrentMemoryContext;
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	MemoryContextSwitchTo(old);
	mycroft_read_rows(&trs, &trainer, -1, &d, NULL);
	mycroft_read_rows(&ors, &held, -1, &d, NULL);
	if (has_test)
		mycroft_read_rows(&tes, &test, -1, &d, NULL);
	if (trainer.b.n == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND), errmsg("the trainer's table has no rows")));
	if (held.b.n == 0)
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
		mycroft_run_selection(&s, &res);
		mycroft_fetch_rows(&s.owner, res.id, res.n, &d, &shared[o]);
		scores[o].index = o;
		scores[o].owner = s.owner.rel;
		scores[o].shared = shared[o].b.n;
		scores[o].missing = res.missing;
		scores[o].nmissing = res.nmissing;
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();

	/* classes: every label seen */
	nall = trainer.b.n + held.b.n + test.b.n;
	for (int o = 0; o < nowners; o++)
		nall += shared[o].b.n;
	all = palloc_extended(sizeof(double) * nall, MCXT_ALLOC_HUGE);
	{
		int64		p = 0;

		p = append_labels(all, p, &trainer);
		p = append_labels(all, p, &held);
		p = append_labels(all, p, &test);
		for (int o = 0; o < nowners; o++)
			p = append_labels(all, p, &shared[o]);
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
	yh = palloc_extended(sizeof(int) * held.b.n, MCXT_ALLOC_HUGE);
	acq_value_codes(held.b.y, held.b.n, classes, K, yh);
	if (has_test)
	{
		yt = palloc_extended(sizeof(int) * test.b.n, MCXT_ALLOC_HUGE);
		acq_value_codes(test.b.y, test.b.n, classes, K, yt);
	}
	pred = palloc_extended(sizeof(int) * Max(held.b.n, test.b.n), MCXT_ALLOC_HUGE);

	/* the trainer's model on trainer + each owner's rows */
	for (int o = 0; o < nowners; o++)
	{
		int64		n = trainer.b.n + shared[o].b.n;
		double	   *X = palloc_extended(sizeof(double) * n * d, MCXT_ALLOC_HUGE);
		double	   *yv = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
		int		   *y = palloc_extended(sizeof(int) * n, MCXT_ALLOC_HUGE);
		AcqClassifier clf;

		memcpy(X, trainer.b.X, sizeof(double) * trainer.b.n * d);
		if (shared[o].b.n > 0)
			memcpy(X + trainer.b.n * d, shared[o].b.X, sizeof(double) * shared[o].b.n * d);
		append_labels(yv, 0, &trainer);
		append_labels(yv, trainer.b.n, &shared[o]);
		acq_value_codes(yv, n, classes, K, y);
		mycroft_fit_model(&ms, X, y, n, d, K, seed, &clf);
		acq_clf_predict(&clf, held.b.X, held.b.n, pred);
		scores[o].hard = score_rows(yh, pred, held.b.n, K, positive);
		if (has_test)
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
	mycroft_sel_args(fcinfo, 7, &s);
	mycroft_check_sel_spec(&s);
	acq_arg_require(fcinfo, 22, "max_depth");
	acq_arg_require(fcinfo, 23, "min_samples_leaf");
	acq_arg_require(fcinfo, 25, "knn_k");
	acq_arg_require(fcinfo, 26, "model_c");
	acq_arg_require(fcinfo, 27, "seed");
	mycroft_model_spec(&ms, acq_arg_text(fcinfo, 18, "model", true), PG_GETARG_INT32(22),
					   PG_GETARG_INT32(23), acq_arg_text(fcinfo, 24, "criterion", true),
					   PG_GETARG_INT32(25), PG_GETARG_FLOAT8(26));
	for (int i = 0; i < 3; i++)
	{
		rs.rel = fixed[i];
		rs.gradients = i == 1 ? s.owner.gradients : NULL;
		mycroft_check_columns(&rs);
	}
	for (int i = 0; i < nowners; i++)
	{
		if (onulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("owners must not contain NULL")));
		rs.rel = DatumGetObjectId(owners[i]);
		rs.gradients = s.owner.gradients;
		mycroft_check_columns(&rs);
	}
	if (!PG_ARGISNULL(19))
	{
		rs.rel = PG_GETARG_OID(19);
		rs.gradients = NULL;
		mycroft_check_columns(&rs);
	}
	PG_RETURN_VOID();
}
