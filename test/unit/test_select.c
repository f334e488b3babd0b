/*
 * test_select.c -- the evaluator and the source-selection methods on a
 * planted problem: 8 regression sources drawn from y = x.w + noise, three of
 * them corrupted (labels from another model), so the best subset is known.
 */
#include "unit.h"

#include <string.h>

#include "core/select.h"

#define M 8
#define P 3
#define N 200
#define NV 400

static double X[M][N * P];
static double Y[M][N];
static double XV[NV * P];
static double YV[NV];
static AcqBlock blocks[M];
static AcqBlock val;

static double
noise(AcqSplitMix *sm)
{
	AcqRng		r = {acq_splitmix_next, sm};

	return acq_rng_double(&r) - 0.5;
}

static void
make_data(void)
{
	AcqSplitMix sm = {12345};
	const double w[P] = {1.5, -2.0, 0.7};
	int			s,
				i,
				j;

	for (s = 0; s < M; s++)
	{
		bool		bad = (s == 1 || s == 4 || s == 6);

		for (i = 0; i < N; i++)
		{
			double		y = 0.3;

			for (j = 0; j < P; j++)
			{
				X[s][i * P + j] = 4.0 * noise(&sm);
				y += (bad ? -w[j] : w[j]) * X[s][i * P + j];
			}
			Y[s][i] = y + 0.5 * noise(&sm);
		}
		blocks[s].X = X[s];
		blocks[s].y = Y[s];
		blocks[s].n = N;
	}
	for (i = 0; i < NV; i++)
	{
		double		y = 0.3;

		for (j = 0; j < P; j++)
		{
			XV[i * P + j] = 4.0 * noise(&sm);
			y += w[j] * XV[i * P + j];
		}
		YV[i] = y + 0.5 * noise(&sm);
	}
	val.X = XV;
	val.y = YV;
	val.n = NV;
}

static AcqEvaluator *
new_eval(AcqEvalConfig *cfg)
{
	char		err[200];
	AcqEvaluator *ev = acq_eval_create(M, P, blocks, &val, cfg, err, sizeof(err));

	CHECK(ev != NULL);
	return ev;
}

/* the best subset by brute force, without the evaluator's memo */
static AcqSet
brute_force(AcqEvalConfig *cfg, double *best_profit)
{
	AcqEvaluator *ev = new_eval(cfg);
	AcqSet		best = acq_set_from_mask(0);
	uint64_t	mask;

	*best_profit = -1e300;
	for (mask = 1; mask < (1u << M); mask++)
	{
		AcqSet		s = acq_set_from_mask(mask);
		AcqEvalEntry e;

		acq_eval_compute(ev, &s, &e);
		if (e.profit > *best_profit)
		{
			*best_profit = e.profit;
			best = s;
		}
	}
	acq_eval_free(ev);
	return best;
}

static void
test_sets(void)
{
	AcqSet		s;

	acq_set_clear(&s);
	acq_set_add(&s, 3);
	acq_set_add(&s, 200);
	CHECK(acq_set_has(&s, 3) && acq_set_has(&s, 200) && !acq_set_has(&s, 4));
	CHECK(acq_set_count(&s) == 2);
	acq_set_del(&s, 200);
	CHECK(acq_set_eq(&s, &(AcqSet) {{8, 0, 0, 0}}));
}

static void
test_memo_and_regression_gain(void)
{
	AcqEvalConfig cfg;
	AcqEvaluator *ev;
	AcqSet		good = acq_set_from_mask(0x01 | 0x04);
	const AcqEvalEntry *e1,
			   *e2;

	acq_eval_default_config(&cfg);
	cfg.task = ACQ_TASK_REGRESSION;
	ev = new_eval(&cfg);
	e1 = acq_eval_get(ev, &good);
	e2 = acq_eval_get(ev, &good);
	CHECK(e1 == e2);
	CHECK(acq_eval_models_trained(ev) == 1);
	/* gain = 100 / (1 + mse / var), r2 = 1 - mse / var */
	CHECK_CLOSE(e1->gain, 100.0 / (2.0 - e1->r2), 1e-9);
	CHECK(e1->r2 > 0.9);
	CHECK(e1->n_rows == 2 * N);
	CHECK(acq_eval_profit(ev, &(AcqSet) {{0}}) == 0.0);
	CHECK(acq_eval_models_trained(ev) == 1);
	acq_eval_free(ev);
}

static void
check_method(const char *name,
			 AcqStatus (*fn) (AcqEvaluator *, const AcqSelectParams *, AcqSelectResult *),
			 AcqEvalConfig *cfg, bool must_be_optimal)
{
	double		bestp;
	AcqSet		best = brute_force(cfg, &bestp);
	AcqEvaluator *ev = new_eval(cfg);
	AcqSelectParams prm;
	AcqSelectResult res;
	AcqSplitMix sm = {7};
	AcqRng		rng = {acq_splitmix_next, &sm};

	unit_current = name;
	acq_select_default_params(&prm, M);
	prm.rng = &rng;
	prm.samples = 100;
	CHECK(fn(ev, &prm, &res) == ACQ_OK);
	CHECK(res.profit <= bestp + 1e-9);
	if (must_be_optimal)
	{
		CHECK(acq_set_eq(&res.best, &best));
		CHECK_CLOSE(res.profit, bestp, 1e-9);
	}
	/* never more models than distinct subsets, and each trained once */
	CHECK(acq_eval_models_trained(ev) <= (1 << M) - 1);
	CHECK(acq_eval_models_trained(ev) >= acq_eval_num_entries(ev));
	CHECK_CLOSE(res.gain - res.cost, res.profit, 1e-12);
	acq_eval_free(ev);
}

static void
test_methods(void)
{
	AcqEvalConfig cfg;

	acq_eval_default_config(&cfg);
	cfg.task = ACQ_TASK_REGRESSION;
	check_method("splice", acq_select_splice, &cfg, true);
	check_method("grasp", acq_select_grasp, &cfg, true);
	check_method("exhaustive", acq_select_exhaustive, &cfg, true);
	check_method("greedy", acq_select_greedy, &cfg, false);
	check_method("random", acq_select_random, &cfg, false);
	check_method("datamodels", acq_select_datamodels, &cfg, false);
}

static void
test_planted_subset(void)
{
	AcqEvalConfig cfg;
	double		bestp;
	AcqSet		best;
	int			s;

	acq_eval_default_config(&cfg);
	cfg.task = ACQ_TASK_REGRESSION;
	best = brute_force(&cfg, &bestp);
	/* the corrupted sources 1, 4, 6 are left out */
	for (s = 0; s < M; s++)
		if (s == 1 || s == 4 || s == 6)
			CHECK(!acq_set_has(&best, s));
	CHECK(acq_set_count(&best) >= 1);
}

static void
test_costs(void)
{
	AcqEvalConfig cfg;
	double		costs[M] = {0};
	AcqEvaluator *ev;
	AcqSelectParams prm;
	AcqSelectResult res;
	AcqSet		one;
	double		g0;

	/* a prohibitive cost on source 0 keeps it out */
	acq_eval_default_config(&cfg);
	cfg.task = ACQ_TASK_REGRESSION;
	costs[0] = 1000.0;
	cfg.cost_mode = ACQ_COST_GIVEN;
	cfg.given_costs = costs;
	ev = new_eval(&cfg);
	acq_select_default_params(&prm, M);
	CHECK(acq_select_exhaustive(ev, &prm, &res) == ACQ_OK);
	CHECK(!acq_set_has(&res.best, 0));
	CHECK(res.cost == 0.0);
	acq_eval_free(ev);

	/* gain-based costs: C(s) = scale * max(0, G(s) - offset)^t */
	acq_eval_default_config(&cfg);
	cfg.task = ACQ_TASK_REGRESSION;
	cfg.cost_mode = ACQ_COST_GAIN;
	cfg.cost_exponent = 2;
	cfg.cost_scale = 0.001;
	cfg.cost_offset = 50.0;
	ev = new_eval(&cfg);
	acq_set_clear(&one);
	acq_set_add(&one, 0);
	g0 = acq_eval_get(ev, &one)->gain;
	CHECK(acq_eval_models_trained(ev) == M);	/* every singleton, once */
	CHECK_CLOSE(acq_eval_source_cost(ev, 0), 0.001 * (g0 - 50.0) * (g0 - 50.0), 1e-12);
	CHECK_CLOSE(acq_eval_get(ev, &one)->cost, acq_eval_source_cost(ev, 0), 1e-12);
	acq_eval_free(ev);
}

static void
test_determinism(void)
{
	AcqEvalConfig cfg;
	AcqSelectResult r1,
				r2;
	int			run;

	acq_eval_default_config(&cfg);
	cfg.task = ACQ_TASK_REGRESSION;
	for (run = 0; run < 2; run++)
	{
		AcqEvaluator *ev = new_eval(&cfg);
		AcqSelectParams prm;
		AcqSplitMix sm = {99};
		AcqRng		rng = {acq_splitmix_next, &sm};

		acq_select_default_params(&prm, M);
		prm.rng = &rng;
		prm.iterations = 3;
		CHECK(acq_select_random(ev, &prm, run == 0 ? &r1 : &r2) == ACQ_OK);
		acq_eval_free(ev);
	}
	CHECK(acq_set_eq(&r1.best, &r2.best));
	CHECK(r1.profit == r2.profit);
}

/*
 * Classification: the same planted sources with labels y > 0.3.  A subset's
 * profit must not depend on how its logistic fit was warm-started: every
 * subset scored through the memo (neighbour warm starts, carried Hessians)
 * matches a cold fit of the same subset in a fresh evaluator.
 */
static double YC[M][N];
static double YVC[NV];
static AcqBlock cblocks[M];
static AcqBlock cval;

static void
make_class_data(void)
{
	int			s,
				i;

	for (s = 0; s < M; s++)
	{
		for (i = 0; i < N; i++)
			YC[s][i] = Y[s][i] > 0.3 ? 1.0 : 0.0;
		cblocks[s] = blocks[s];
		cblocks[s].y = YC[s];
	}
	for (i = 0; i < NV; i++)
		YVC[i] = YV[i] > 0.3 ? 1.0 : 0.0;
	cval = val;
	cval.y = YVC;
}

static void
test_classification_warm_starts(void)
{
	AcqEvalConfig cfg;
	char		err[200];
	AcqEvaluator *warm;
	AcqSelectParams prm;
	AcqSelectResult res;
	uint64_t	mask;
	int			i,
				mismatches = 0;
	double		worst = 0.0;

	make_class_data();
	acq_eval_default_config(&cfg);
	warm = acq_eval_create(M, P, cblocks, &cval, &cfg, err, sizeof(err));
	CHECK(warm != NULL);
	acq_select_default_params(&prm, M);
	CHECK(acq_select_splice(warm, &prm, &res) == ACQ_OK);
	/* the corrupted sources hurt the classifier too */
	CHECK(!acq_set_has(&res.best, 1) && !acq_set_has(&res.best, 4) && !acq_set_has(&res.best, 6));
	CHECK(res.gain > 90.0);

	for (i = 0; i < acq_eval_num_entries(warm); i++)
	{
		const AcqEvalEntry *e = acq_eval_entry(warm, i);
		AcqEvaluator *cold = acq_eval_create(M, P, cblocks, &cval, &cfg, err, sizeof(err));
		AcqEvalEntry c;

		acq_eval_compute(cold, &e->set, &c);
		worst = fmax(worst, fabs(c.profit - e->profit));
		mismatches += (c.profit != e->profit);
		acq_eval_free(cold);
	}
	/* identical predictions: gains are multiples of 100/NV apart, so any flip shows */
	CHECK(worst < 1e-9);

	acq_eval_free(warm);
	CHECK(mismatches == 0);

	/* exhaustive (Gray-code order, warm starts from the last fit) finds the
	 * same best profit as cold fits of every subset */
	{
		AcqEvaluator *ex = acq_eval_create(M, P, cblocks, &cval, &cfg, err, sizeof(err));
		double		best_cold = -1e300;

		CHECK(acq_select_exhaustive(ex, &prm, &res) == ACQ_OK);
		for (mask = 1; mask < (1u << M); mask++)
		{
			AcqSet		s = acq_set_from_mask(mask);
			AcqEvaluator *cold = acq_eval_create(M, P, cblocks, &cval, &cfg, err, sizeof(err));
			AcqEvalEntry c;

			acq_eval_compute(cold, &s, &c);
			best_cold = fmax(best_cold, c.profit);
			acq_eval_free(cold);
		}
		CHECK_CLOSE(res.profit, best_cold, 1e-9);
		acq_eval_free(ex);
	}
}

static void
test_bad_input(void)
{
	AcqEvalConfig cfg;
	char		err[200];
	AcqBlock	empty = {XV, YV, NULL, 0};

	acq_eval_default_config(&cfg);
	CHECK(acq_eval_create(0, P, blocks, &val, &cfg, err, sizeof(err)) == NULL);
	CHECK(acq_eval_create(M, P, blocks, &empty, &cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "validation") != NULL);
}

int
main(void)
{
	make_data();
	RUN(test_sets);
	RUN(test_memo_and_regression_gain);
	RUN(test_planted_subset);
	RUN(test_methods);
	RUN(test_costs);
	RUN(test_determinism);
	RUN(test_classification_warm_starts);
	RUN(test_bad_input);
	return unit_summary("test_select");
}
