/*
 * test_ties.c -- how the source-selection methods compare equal profits
 * (AcqTieBreak, issue 14): the comparison itself, the validation loss the
 * evaluator computes beside each gain, and a plateau where every single
 * source ties at the majority-class accuracy.
 */
#include "unit.h"

#include <float.h>
#include <string.h>

#include "core/select.h"

/* ---- the comparison ------------------------------------------------------ */
static void
test_profit_cmp(void)
{
	double		p = 78.5615;
	double		p_ulp = nextafter(nextafter(p, 100.0), 100.0);

	/* exact tie: the lower loss wins, either way round */
	CHECK(acq_profit_cmp(p, 0.40, p, 0.45, ACQ_TIE_LOSS) > 0);
	CHECK(acq_profit_cmp(p, 0.45, p, 0.40, ACQ_TIE_LOSS) < 0);
	CHECK(acq_profit_cmp(p, 0.40, p, 0.40, ACQ_TIE_LOSS) == 0);
	/* a tie up to a few ulps (costs summed in another order) is a tie */
	CHECK(acq_profit_cmp(p_ulp, 0.45, p, 0.40, ACQ_TIE_LOSS) < 0);
	CHECK(acq_profit_cmp(p + 0.3 * ACQ_TIE_QUANTUM, 0.45, p, 0.40, ACQ_TIE_LOSS) < 0);
	/* one validation row of ten million is not a tie: profit decides */
	CHECK(acq_profit_cmp(p + 1e-5, 9.0, p, 0.1, ACQ_TIE_LOSS) > 0);
	CHECK(acq_profit_cmp(p - 1e-5, 0.1, p, 9.0, ACQ_TIE_LOSS) < 0);
	/* the paper: profits alone, exactly; the loss is never looked at */
	CHECK(acq_profit_cmp(p, 0.40, p, 0.45, ACQ_TIE_NONE) == 0);
	CHECK(acq_profit_cmp(p_ulp, 0.45, p, 0.40, ACQ_TIE_NONE) > 0);
	CHECK(acq_profit_cmp(p, NAN, p, 0.40, ACQ_TIE_NONE) == 0);
	/* NaN profits are worse than any, NaN losses worse than any loss */
	CHECK(acq_profit_cmp(NAN, 0.1, -1e300, 9.0, ACQ_TIE_LOSS) < 0);
	CHECK(acq_profit_cmp(-1e300, 9.0, NAN, 0.1, ACQ_TIE_NONE) > 0);
	CHECK(acq_profit_cmp(NAN, 0.1, NAN, 9.0, ACQ_TIE_LOSS) == 0);
	CHECK(acq_profit_cmp(p, NAN, p, 50.0, ACQ_TIE_LOSS) < 0);
	CHECK(acq_profit_cmp(p, INFINITY, p, 50.0, ACQ_TIE_LOSS) < 0);
	/* -Inf profit (no set yet) loses to any finite profit */
	CHECK(acq_profit_cmp(-INFINITY, 0.0, 0.0, INFINITY, ACQ_TIE_LOSS) < 0);

	/* a strict weak order: ties are transitive across a grid cell */
	{
		double		a = 50.0,
					b = a + 0.2 * ACQ_TIE_QUANTUM,
					c = a + 0.4 * ACQ_TIE_QUANTUM;

		CHECK(acq_profit_cmp(a, 1, b, 1, ACQ_TIE_LOSS) == 0);
		CHECK(acq_profit_cmp(b, 1, c, 1, ACQ_TIE_LOSS) == 0);
		CHECK(acq_profit_cmp(a, 1, c, 1, ACQ_TIE_LOSS) == 0);
	}
}

/* ---- the validation log-loss --------------------------------------------- */
static void
test_log_loss(void)
{
	double		y[4] = {1, 0, 1, 0};
	double		z0[4] = {0, 0, 0, 0};
	double		z[4] = {2.0, -1.0, -3.0, 0.5};
	double		want = 0.0;
	double		big[2] = {1000.0, -1000.0};
	double		yb[2] = {0, 1};
	double		ok[2] = {1, 0};
	int			i;

	CHECK_CLOSE(acq_validation_log_loss(y, z0, 4), log(2.0), 1e-15);
	for (i = 0; i < 4; i++)
	{
		double		s = 1.0 / (1.0 + exp(-z[i]));

		want -= y[i] == 1.0 ? log(s) : log(1.0 - s);
	}
	CHECK_CLOSE(acq_validation_log_loss(y, z, 4), want / 4, 1e-14);
	/* no overflow: a confident wrong margin costs its size */
	CHECK_CLOSE(acq_validation_log_loss(yb, big, 2), 1000.0, 1e-12);
	CHECK_CLOSE(acq_validation_log_loss(ok, big, 2), 0.0, 1e-300);
	CHECK(isnan(acq_validation_log_loss(y, z, 0)));
}

/*
 * ---- a plateau ----------------------------------------------------------
 * test/sql/plateau.sql's task: rows i carry u = sin(1.3 i), w = cos(2.1 i),
 * label u > 0.55, features [0.25 u, w].  Sources 0..4 ("dilutors") hold 100
 * rows each, all labelled 0; sources 5..7 ("signal") 50 rows of the true
 * rule.  Every single source scores the majority accuracy; only unions of
 * two or three signal sources without a dilutor score more.
 */
#define PM 8
#define PP 2
#define PNV 200
static double PX[PM][100 * PP];
static double PY[PM][100];
static double PXV[PNV * PP];
static double PYV[PNV];
static AcqBlock pblocks[PM];
static AcqBlock pval;

static void
plateau_row(int i, double *x, double *y)
{
	x[0] = 0.25 * sin(i * 1.3);
	x[1] = cos(i * 2.1);
	*y = sin(i * 1.3) > 0.55 ? 1.0 : 0.0;
}

static void
make_plateau(void)
{
	int			s,
				r;

	for (s = 0; s < PM; s++)
	{
		bool		signal = s >= 5;
		int			n = signal ? 50 : 100;
		int			first = signal ? 100 + 97 * (s - 5) : 1000 + 300 * s;

		for (r = 0; r < n; r++)
		{
			plateau_row(first + r, &PX[s][r * PP], &PY[s][r]);
			if (!signal)
				PY[s][r] = 0.0;
		}
		pblocks[s].X = PX[s];
		pblocks[s].y = PY[s];
		pblocks[s].n = n;
	}
	for (r = 0; r < PNV; r++)
		plateau_row(5000 + r, &PXV[r * PP], &PYV[r]);
	pval.X = PXV;
	pval.y = PYV;
	pval.n = PNV;
}

static AcqEvaluator *
plateau_eval(void)
{
	AcqEvalConfig cfg;
	char		err[200];
	AcqEvaluator *ev;

	acq_eval_default_config(&cfg);
	ev = acq_eval_create(PM, PP, pblocks, &pval, &cfg, err, sizeof(err));
	CHECK(ev != NULL);
	return ev;
}

static void
test_plateau(void)
{
	AcqEvaluator *ev;
	AcqSelectParams prm;
	AcqSelectResult res;
	double		majority = 66.0;
	double		best = -1.0;
	double		best_loss_at_max = INFINITY;
	int			s,
				above = 0;
	uint64_t	mask;

	ev = plateau_eval();
	/* the landscape: every single source at the majority, some subsets above */
	for (s = 0; s < PM; s++)
	{
		AcqSet		one = acq_set_from_mask((uint64_t) 1 << s);

		CHECK_CLOSE(acq_eval_profit(ev, &one), majority, 1e-12);
	}
	for (mask = 1; mask < (1u << PM); mask++)
	{
		AcqSet		t = acq_set_from_mask(mask);
		const AcqEvalEntry *e = acq_eval_get(ev, &t);

		above += e->profit > majority + 1e-9;
		if (e->profit > best)
		{
			best = e->profit;
			best_loss_at_max = e->loss;
		}
		else if (e->profit == best && e->loss < best_loss_at_max)
			best_loss_at_max = e->loss;
		/* a constant model of one class is a worse fit than a real one */
		if (e->single_class)
			CHECK(e->loss > 1.0);
		CHECK(isfinite(e->loss) && e->loss > 0.0);
	}
	CHECK(above >= 2 && above <= 8);
	acq_eval_free(ev);

	/* the paper's pseudocode (no tie-break, no restarts) stays on the plateau */
	ev = plateau_eval();
	acq_select_default_params(&prm, PM);
	prm.tie_break = ACQ_TIE_NONE;
	prm.restarts = 0;
	CHECK(acq_select_splice(ev, &prm, &res) == ACQ_OK);
	CHECK_CLOSE(res.profit, majority, 1e-12);
	acq_eval_free(ev);

	/* restarts from the best: the same rule leaves the plateau, to the optimum */
	ev = plateau_eval();
	acq_select_default_params(&prm, PM);
	CHECK(prm.restarts == ACQ_SPLICE_RESTARTS && prm.restarts > 0);
	prm.tie_break = ACQ_TIE_NONE;
	CHECK(acq_select_splice(ev, &prm, &res) == ACQ_OK);
	CHECK(res.profit == best);
	CHECK(res.gain == acq_eval_get(ev, &res.best)->gain);
	acq_eval_free(ev);

	/* restarts keep to s_max; a negative count is refused */
	ev = plateau_eval();
	acq_select_default_params(&prm, PM);
	prm.s_max = 2;
	prm.restarts = 40;
	CHECK(acq_select_splice(ev, &prm, &res) == ACQ_OK);
	CHECK(acq_set_count(&res.best) >= 1 && acq_set_count(&res.best) <= 2);
	prm.restarts = -1;
	CHECK(acq_select_splice(ev, &prm, &res) == ACQ_ERR_ARGUMENT);
	acq_eval_free(ev);

	/* the default moves off it, to the optimum; the gain is as defined */
	ev = plateau_eval();
	acq_select_default_params(&prm, PM);
	CHECK(prm.tie_break == ACQ_TIE_LOSS);
	CHECK(acq_select_splice(ev, &prm, &res) == ACQ_OK);
	CHECK(res.profit > majority + 1.0);
	CHECK(res.profit == best);
	CHECK(res.gain == acq_eval_get(ev, &res.best)->gain);
	for (s = 0; s < 5; s++)
		CHECK(!acq_set_has(&res.best, s));
	acq_eval_free(ev);

	/* greedy: the singles' order by loss puts the signal sources first */
	ev = plateau_eval();
	CHECK(acq_select_greedy(ev, &prm, &res) == ACQ_OK);
	CHECK(res.profit > majority + 1.0);
	acq_eval_free(ev);
	ev = plateau_eval();
	prm.tie_break = ACQ_TIE_NONE;
	CHECK(acq_select_greedy(ev, &prm, &res) == ACQ_OK);
	CHECK_CLOSE(res.profit, majority, 1e-12);
	acq_eval_free(ev);

	/* exhaustive: of the subsets at the best profit, the one of lowest loss */
	ev = plateau_eval();
	prm.tie_break = ACQ_TIE_LOSS;
	CHECK(acq_select_exhaustive(ev, &prm, &res) == ACQ_OK);
	CHECK(res.profit == best);
	{
		AcqEvaluator *ev2 = plateau_eval();

		/* the same subset, fitted from another warm start: within the fit's tol */
		CHECK_CLOSE(acq_eval_get(ev2, &res.best)->loss, best_loss_at_max, 1e-6);
		acq_eval_free(ev2);
	}
	acq_eval_free(ev);
}

/*
 * The singles all tie: ordered by loss (a signal source first), or by
 * index with ACQ_TIE_NONE; and a regression's loss is its MSE.
 */
static void
test_tie_among_plateau(void)
{
	AcqEvaluator *ev;
	AcqSelectParams prm;
	AcqSelectResult res;
	AcqSet		one;
	int			s;
	double		lo = INFINITY;
	int			arg = -1;

	/* among the single dilutors and the signal singles: the lowest loss */
	ev = plateau_eval();
	for (s = 0; s < PM; s++)
	{
		const AcqEvalEntry *e;

		one = acq_set_from_mask((uint64_t) 1 << s);
		e = acq_eval_get(ev, &one);
		if (e->loss < lo)
		{
			lo = e->loss;
			arg = s;
		}
	}
	CHECK(arg >= 5);			/* a signal source fits better than a constant */
	{
		int		   *order = acq_sources_by_profit(ev, ACQ_TIE_LOSS);

		CHECK(order[0] == arg);
		for (s = 0; s < 3; s++)
			CHECK(order[s] >= 5);
		acq_free(order);
		order = acq_sources_by_profit(ev, ACQ_TIE_NONE);
		for (s = 0; s < PM; s++)
			CHECK(order[s] == s);	/* all tie: by index */
		acq_free(order);
	}
	acq_eval_free(ev);

	/* a plain regression: loss is the validation MSE */
	{
		AcqEvalConfig cfg;
		char		err[200];
		AcqBlock	rb[2];
		double		ry[2][100];

		acq_eval_default_config(&cfg);
		cfg.task = ACQ_TASK_REGRESSION;
		for (s = 0; s < 2; s++)
		{
			rb[s] = pblocks[s];
			for (int r = 0; r < 100; r++)
				ry[s][r] = 3.0 * PX[s][r * PP] - PX[s][r * PP + 1] + 0.1 * sin(r * 7.0 + s);
			rb[s].y = ry[s];
		}
		ev = acq_eval_create(2, PP, rb, &pval, &cfg, err, sizeof(err));
		CHECK(ev != NULL);
		one = acq_set_from_mask(3);
		CHECK(acq_eval_get(ev, &one)->loss == acq_eval_get(ev, &one)->mse);
		acq_set_clear(&one);
		CHECK(isinf(acq_eval_get(ev, &one)->loss));	/* the empty set: no model */
		acq_select_default_params(&prm, 2);
		CHECK(acq_select_splice(ev, &prm, &res) == ACQ_OK);
		acq_eval_free(ev);
	}
}

/*
 * The evaluator's loss is the log-loss of the model it trained: a cold fit
 * of the same rows, scored by predict_proba, agrees.
 */
static void
test_loss_is_the_models(void)
{
	AcqEvaluator *ev = plateau_eval();
	AcqEvalConfig cfg;
	AcqSet		t = acq_set_from_mask((1u << 5) | (1u << 7));
	const AcqEvalEntry *e = acq_eval_get(ev, &t);
	AcqBlock	b[2] = {pblocks[5], pblocks[7]};
	double		coef[PP + 1];
	double		prob[PNV];
	double		want = 0.0;
	int			iters,
				i;

	acq_eval_default_config(&cfg);
	CHECK(acq_logreg_fit(b, 2, PP, &cfg.logreg, coef, &iters) == ACQ_OK);
	acq_logreg_predict_proba(PXV, PNV, PP, coef, prob);
	for (i = 0; i < PNV; i++)
		want -= PYV[i] == 1.0 ? log(prob[i]) : log(1.0 - prob[i]);
	CHECK_CLOSE(e->loss, want / PNV, 1e-6);
	acq_eval_free(ev);
}

int
main(void)
{
	RUN(test_profit_cmp);
	RUN(test_log_loss);
	make_plateau();
	RUN(test_plateau);
	RUN(test_tie_among_plateau);
	RUN(test_loss_is_the_models);
	return unit_summary("test_ties");
}
