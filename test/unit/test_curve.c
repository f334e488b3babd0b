/*
 * test_curve.c -- the learning-curve strategy's core (curve.h) and the
 * planner's curve stage.
 *
 * Fit: known power laws are recovered exactly (and within noise under
 * multiplicative noise); too few points, a rising curve, zero losses and a
 * too steep slope take their documented paths; the fallback uses the
 * median exponent through the current loss.
 * Allocation: equal to brute force over every allocation of small
 * instances (with and without the fairness term, with caps); on larger
 * instances the discrete optimality conditions of a separable convex
 * problem hold (no record moved from one slice to another lowers the
 * objective), the budget is spent exactly, caps are kept.
 * Measurement: nested subsets, per-slice counts, a decreasing validation
 * loss on separable data, the same seed giving the same points; every
 * allocation freed.
 * Planner: curve hands out the host's allocation in index order, wants the
 * next one when it is spent, carries a shortfall to the next round, and
 * resumes from a saved state mid-round.
 */
#include "core/curve.h"
#include "core/planner.h"
#include "unit.h"

#include <stdint.h>
#include <string.h>

#include "hooks.h"



/* ---- fit ----------------------------------------------------------------- */

static void
test_fit_exact(void)
{
	const double as[] = {0.1, 0.35, 0.5, 1.0, 1.7};
	const double bs[] = {0.3, 2.0, 7.5, 40.0, 1e3};

	for (int t = 0; t < 5; t++)
	{
		double		n[6],
					l[6],
					a = -1,
					b = -1;

		for (int i = 0; i < 6; i++)
		{
			n[i] = 25.0 * pow(2.0, i) + 3 * i;
			l[i] = bs[t] * pow(n[i], -as[t]);
		}
		CHECK(acq_curve_fit(n, l, 6, &a, &b) == ACQ_CURVE_FIT_OK);
		CHECK_REL(a, as[t], 1e-10);
		CHECK_REL(b, bs[t], 1e-9);
	}
}

static void
test_fit_noise(void)
{
	AcqSplitMix sm = {42};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double		n[40],
				l[40],
				a,
				b;

	/* +-5% multiplicative noise over 40 points spanning two decades */
	for (int i = 0; i < 40; i++)
	{
		n[i] = 10.0 * pow(10.0, 2.0 * i / 39.0);
		l[i] = 3.0 * pow(n[i], -0.6) * (1.0 + 0.1 * (acq_rng_double(&rng) - 0.5));
	}
	CHECK(acq_curve_fit(n, l, 40, &a, &b) == ACQ_CURVE_FIT_OK);
	CHECK_CLOSE(a, 0.6, 0.03);
	CHECK_CLOSE(log(b), log(3.0), 0.1);
}

static void
test_fit_guards(void)
{
	double		a = 7,
				b = 7;
	double		one_n[] = {100}, one_l[] = {0.5};
	double		same_n[] = {100, 100, 100}, same_l[] = {0.5, 0.4, 0.6};
	double		up_n[] = {10, 20, 40}, up_l[] = {0.3, 0.35, 0.5};
	double		zero_n[] = {10, 20, 40}, zero_l[] = {0, 0, 0};
	double		sub_n[] = {0, 0.5, 40}, sub_l[] = {0.9, 0.8, 0.5};
	double		steep_n[] = {10, 20, 40}, steep_l[3];
	double		mixed_n[] = {10, 20, 40, 80}, mixed_l[] = {0.4, 0, 0.1, NAN};

	CHECK(acq_curve_fit(one_n, one_l, 1, &a, &b) == ACQ_CURVE_FIT_FEW);
	CHECK(a == 7 && b == 7);
	CHECK(acq_curve_fit(same_n, same_l, 3, &a, &b) == ACQ_CURVE_FIT_FEW);
	CHECK(acq_curve_fit(up_n, up_l, 3, &a, &b) == ACQ_CURVE_FIT_FLAT);
	CHECK(acq_curve_fit(zero_n, zero_l, 3, &a, &b) == ACQ_CURVE_FIT_ZERO);
	/* n < 1 does not count: a single point is left */
	CHECK(acq_curve_fit(sub_n, sub_l, 3, &a, &b) == ACQ_CURVE_FIT_FEW);
	CHECK(acq_curve_fit(NULL, NULL, 0, &a, &b) == ACQ_CURVE_FIT_FEW);
	for (int i = 0; i < 3; i++)
		steep_l[i] = 5.0 * pow(steep_n[i], -3.0);
	CHECK(acq_curve_fit(steep_n, steep_l, 3, &a, &b) == ACQ_CURVE_FIT_OK);
	CHECK(a == ACQ_CURVE_MAX_EXPONENT);
	/* through the centroid of the logs */
	CHECK_CLOSE(log(b) - a * (log(10) + log(20) + log(40)) / 3,
				(log(steep_l[0]) + log(steep_l[1]) + log(steep_l[2])) / 3, 1e-12);
	/* a zero loss and a NaN are left out: two points remain */
	CHECK(acq_curve_fit(mixed_n, mixed_l, 4, &a, &b) == ACQ_CURVE_FIT_OK);
	CHECK_REL(a, log(4.0) / log(4.0), 1e-12);
}

static void
test_fallback(void)
{
	AcqCurveFitKind kind[5] = {ACQ_CURVE_FIT_OK, ACQ_CURVE_FIT_FEW, ACQ_CURVE_FIT_OK,
	ACQ_CURVE_FIT_FLAT, ACQ_CURVE_FIT_ZERO};
	double		a[5] = {0.2, 9, 0.8, 9, 9};
	double		b[5] = {1, 9, 2, 9, 9};
	double		cn[5] = {10, 50, 10, 0, 30};
	double		cl[5] = {0.5, 0.4, 0.3, 0.7, 0.0};

	acq_curve_fallback(5, kind, cn, cl, a, b);
	CHECK(a[0] == 0.2 && b[0] == 1 && a[2] == 0.8 && b[2] == 2);
	CHECK_CLOSE(a[1], 0.5, 1e-15);	/* median of 0.2 and 0.8 */
	CHECK_REL(b[1] * pow(50.0, -a[1]), 0.4, 1e-12);	/* through its current loss */
	CHECK_REL(b[3] * pow(0.5, -a[3]), 0.7, 1e-12);	/* no rows: counted as 1/2 */
	CHECK(b[4] == 0.0);

	/* nothing fitted: the default exponent */
	{
		AcqCurveFitKind k2[2] = {ACQ_CURVE_FIT_FEW, ACQ_CURVE_FIT_FLAT};
		double		a2[2], b2[2], n2[2] = {4, 9}, l2[2] = {1, 2};

		acq_curve_fallback(2, k2, n2, l2, a2, b2);
		CHECK(a2[0] == ACQ_CURVE_DEFAULT_EXPONENT && a2[1] == ACQ_CURVE_DEFAULT_EXPONENT);
		CHECK_REL(b2[1], 2.0 * 3.0, 1e-12);
	}
}

/* ---- allocation ------------------------------------------------------------ */

static double
total_objective(int np, const double *a, const double *b, const double *n0, const int64_t *x,
				double lambda)
{
	double		c = acq_curve_counter_loss(np, a, b, n0),
				f = 0.0;

	for (int p = 0; p < np; p++)
		f += acq_curve_objective(a[p], b[p], n0[p] + x[p], lambda, lambda > 0 ? c : 0.0);
	return f;
}

/* the best objective over every x with sum x = total, 0 <= x <= cap (np <= 4) */
static double
brute_force(int np, const double *a, const double *b, const double *n0, const int64_t *cap,
			double lambda, int64_t total)
{
	int64_t		x[4] = {0, 0, 0, 0};
	double		best = INFINITY;

	for (x[0] = 0; x[0] <= cap[0]; x[0]++)
		for (x[1] = 0; x[1] <= (np > 1 ? cap[1] : 0); x[1]++)
			for (x[2] = 0; x[2] <= (np > 2 ? cap[2] : 0); x[2]++)
			{
				int64_t		s = x[0] + x[1] + x[2];

				if (np > 3)
				{
					x[3] = total - s;
					if (x[3] < 0 || x[3] > cap[3])
						continue;
				}
				else if (s != total)
					continue;
				{
					double		f = total_objective(np, a, b, n0, x, lambda);

					if (f < best)
						best = f;
				}
			}
	return best;
}

static void
test_allocate_brute_force(void)
{
	AcqSplitMix sm = {7};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int			cases = 0;

	for (int t = 0; t < 300; t++)
	{
		int			np = 2 + (int) acq_rng_below(&rng, 3);	/* 2..4 */
		double		a[4],
					b[4],
					n0[4];
		int64_t		cap[4],
					x[4],
					sumcap = 0,
					total,
					got;
		double		lambda = (t % 3 == 0) ? 0.0 : (t % 3 == 1 ? 1.0 : 10.0);
		double		best,
					mine;

		for (int p = 0; p < np; p++)
		{
			a[p] = 0.05 + 1.5 * acq_rng_double(&rng);
			b[p] = 0.1 + 5.0 * acq_rng_double(&rng);
			n0[p] = (double) acq_rng_below(&rng, 30);
			cap[p] = (int64_t) acq_rng_below(&rng, 16);
			sumcap += cap[p];
		}
		total = (int64_t) acq_rng_below(&rng, 25);
		got = acq_curve_allocate(np, a, b, n0, cap, lambda, total, x);
		CHECK(got == (total < sumcap ? total : sumcap));
		for (int p = 0; p < np; p++)
			CHECK(x[p] >= 0 && x[p] <= cap[p]);
		best = brute_force(np, a, b, n0, cap, lambda, got);
		mine = total_objective(np, a, b, n0, x, lambda);
		CHECK(mine <= best + 1e-12 * fabs(best));
		cases++;
	}
	CHECK(cases == 300);
}

/*
 * curve_hedge: hedge 0 is acq_curve_allocate, 1 water-filling (equal counts);
 * in between, round(hedge * total) records water-filled first, and the rest
 * the exact allocation of the curves from there (brute force on small
 * instances); a hand-checked case.
 */
static void
test_allocate_hedged(void)
{
	AcqSplitMix sm = {23};
	AcqRng		rng = {acq_splitmix_next, &sm};
	const double hedges[3] = {0.25, 0.5, 0.75};

	for (int t = 0; t < 300; t++)
	{
		int			np = 2 + (int) acq_rng_below(&rng, 3);	/* 2..4 */
		double		a[4],
					b[4],
					n0[4],
					n1[4],
					ea[4],
					eb[4];
		int64_t		cap[4],
					cap1[4],
					x[4],
					y[4],
					x1[4],
					sumcap = 0,
					total,
					got,
					filled,
					fill;
		double		lambda = (t % 2 == 0) ? 0.0 : 1.0,
					h = hedges[t % 3];

		for (int p = 0; p < np; p++)
		{
			a[p] = 0.05 + 1.5 * acq_rng_double(&rng);
			b[p] = 0.1 + 5.0 * acq_rng_double(&rng);
			n0[p] = (double) acq_rng_below(&rng, 30);
			cap[p] = (int64_t) acq_rng_below(&rng, 16);
			sumcap += cap[p];
			ea[p] = 0.5;
			eb[p] = 1.0;
		}
		total = (int64_t) acq_rng_below(&rng, 25);

		/* 0: the curves alone, record for record */
		got = acq_curve_allocate_hedged(np, a, b, n0, cap, lambda, total, 0.0, x, &filled);
		CHECK(acq_curve_allocate(np, a, b, n0, cap, lambda, total, y) == got && filled == 0);
		for (int p = 0; p < np; p++)
			CHECK(x[p] == y[p]);
		/* 1: equal counts (one curve for every slice) */
		got = acq_curve_allocate_hedged(np, a, b, n0, cap, lambda, total, 1.0, x, &filled);
		CHECK(acq_curve_allocate(np, ea, eb, n0, cap, 0.0, total, y) == got && filled == got);
		for (int p = 0; p < np; p++)
			CHECK(x[p] == y[p]);

		/* h: the water-filled part, then the curves' exact allocation of the rest */
		got = acq_curve_allocate_hedged(np, a, b, n0, cap, 0.0, total, h, x, &filled);
		fill = (int64_t) floor(h * (double) total + 0.5);
		CHECK(got == (total < sumcap ? total : sumcap));
		CHECK(filled == (fill < sumcap ? fill : sumcap));
		CHECK(acq_curve_allocate(np, ea, eb, n0, cap, 0.0, fill, x1) == filled);
		for (int p = 0; p < np; p++)
		{
			CHECK(x[p] >= x1[p] && x[p] <= cap[p]);
			n1[p] = n0[p] + (double) x1[p];
			cap1[p] = cap[p] - x1[p];
			y[p] = x[p] - x1[p];
		}
		{
			double		best = brute_force(np, a, b, n1, cap1, 0.0, got - filled),
						mine = total_objective(np, a, b, n1, y, 0.0);

			CHECK(mine <= best + 1e-12 * fabs(best));
		}
	}

	/* by hand: from 10 and 10, half of 10 to equal counts (3, 2: ties to the lower index), then
	 * the other 5 all to the slice whose curve is 100 times higher */
	{
		double		a[2] = {0.5, 0.5},
					b[2] = {1.0, 100.0},
					n0[2] = {10, 10};
		int64_t		cap[2] = {100, 100},
					x[2],
					filled;

		CHECK(acq_curve_allocate_hedged(2, a, b, n0, cap, 0.0, 10, 0.5, x, &filled) == 10);
		CHECK(filled == 5 && x[0] == 3 && x[1] == 7);
		CHECK(acq_curve_allocate_hedged(2, a, b, n0, cap, 0.0, 10, 0.0, x, &filled) == 10);
		CHECK(filled == 0 && x[0] == 0 && x[1] == 10);
	}
}

/* discrete optimality: moving one record from P to Q never lowers the objective */
static void
test_allocate_kkt(void)
{
	AcqSplitMix sm = {11};
	AcqRng		rng = {acq_splitmix_next, &sm};
	enum
	{
	NP = 40};
	double		a[NP],
				b[NP],
				n0[NP];
	int64_t		cap[NP],
				x[NP],
				sum = 0;

	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = 0;
	for (int t = 0; t < 6; t++)
	{
		double		lambda = t < 3 ? 0.0 : 2.0;
		double		c;

		for (int p = 0; p < NP; p++)
		{
			a[p] = 0.1 + acq_rng_double(&rng);
			b[p] = 0.5 + 3.0 * acq_rng_double(&rng);
			n0[p] = (double) acq_rng_below(&rng, 500);
			cap[p] = p % 7 == 0 ? 3 : 100000;
		}
		n0[5] = 0;				/* a slice the consumer has nothing of */
		c = acq_curve_counter_loss(NP, a, b, n0);
		sum = acq_curve_allocate(NP, a, b, n0, cap, lambda, 5000, x);
		CHECK(sum == 5000);
		{
			int64_t		s = 0;

			for (int p = 0; p < NP; p++)
				s += x[p];
			CHECK(s == 5000);
		}
		for (int p = 0; p < NP; p++)
		{
			double		give_up;

			if (x[p] == 0)
				continue;
			give_up = acq_curve_objective(a[p], b[p], n0[p] + x[p] - 1, lambda, lambda > 0 ? c : 0) -
				acq_curve_objective(a[p], b[p], n0[p] + x[p], lambda, lambda > 0 ? c : 0);
			for (int q = 0; q < NP; q++)
			{
				double		gain;

				if (q == p || x[q] >= cap[q])
					continue;
				gain = acq_curve_objective(a[q], b[q], n0[q] + x[q], lambda, lambda > 0 ? c : 0) -
					acq_curve_objective(a[q], b[q], n0[q] + x[q] + 1, lambda, lambda > 0 ? c : 0);
				CHECK(gain <= give_up + 1e-15);
			}
		}
		CHECK(x[5] > 0);
	}
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);

	/* the fairness term moves records to the slice above the mean loss */
	{
		double		a2[2] = {0.5, 0.5},
					b2[2] = {1.0, 3.0},
					n2[2] = {100, 400};
		int64_t		cap2[2] = {1000, 1000},
					x0[2],
					x1[2];

		acq_curve_allocate(2, a2, b2, n2, cap2, 0.0, 200, x0);
		acq_curve_allocate(2, a2, b2, n2, cap2, 50.0, 200, x1);
		CHECK(x1[1] > x0[1]);
		CHECK(x0[0] + x0[1] == 200 && x1[0] + x1[1] == 200);
	}
	/* zero gains everywhere: the records go to the slices with fewest records */
	{
		double		a3[3] = {0.5, 0.5, 0.5},
					b3[3] = {0, 0, 0},
					n3[3] = {10, 2, 5};
		int64_t		cap3[3] = {100, 100, 100},
					x3[3];

		acq_curve_allocate(3, a3, b3, n3, cap3, 0.0, 11, x3);
		CHECK(x3[0] == 0 && x3[1] == 7 && x3[2] == 4);
	}
	/* the caps bind: everything for sale */
	{
		double		a4[2] = {0.5, 0.5},
					b4[2] = {1, 1},
					n4[2] = {1, 1};
		int64_t		cap4[2] = {2, 0},
					x4[2];

		CHECK(acq_curve_allocate(2, a4, b4, n4, cap4, 0.0, 10, x4) == 2);
		CHECK(x4[0] == 2 && x4[1] == 0);
	}
}

/* ---- measuring ------------------------------------------------------------- */

/* two classes, Gaussian blobs 2.4 apart in each of 3 dimensions; a row's slice is its class */
static void
make_blobs(int64_t n, uint64_t seed, double *X, int *cls, int64_t *off, int *idx)
{
	AcqSplitMix sm = {seed};
	AcqRng		rng = {acq_splitmix_next, &sm};

	for (int64_t i = 0; i < n; i++)
	{
		int			c = (int) (i % 2);

		for (int j = 0; j < 3; j++)
		{
			double		u1 = acq_rng_double(&rng) + 1e-12,
						u2 = acq_rng_double(&rng);

			X[i * 3 + j] = (c ? 1.2 : -1.2) + sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
		}
		cls[i] = c;
		off[i] = i;
		idx[i] = c;
	}
	off[n] = n;
}

static void
test_measure(void)
{
	enum
	{
	NT = 1200, NV = 600, PTS = 5};
	static double Xt[NT * 3],
				Xv[NV * 3];
	static int	ct[NT],
				cv[NV],
				it[NT],
				iv[NV];
	static int64_t ot[NT + 1],
				ov[NV + 1];
	AcqCurveSet tr = {Xt, NULL, ct, NT, 3, ot, it};
	AcqCurveSet va = {Xv, NULL, cv, NV, 3, ov, iv};
	AcqCurveModelParams mp = {ACQ_CURVE_SOFTMAX, 2, 5, 1.0, 1000, 1e-4};
	double		pn[2 * PTS],
				pl[2 * PTS],
				pn2[2 * PTS],
				pl2[2 * PTS];
	char		err[256];

	make_blobs(NT, 1, Xt, ct, ot, it);
	make_blobs(NV, 2, Xv, cv, ov, iv);
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	{
		AcqSplitMix sm = {5};
		AcqRng		rng = {acq_splitmix_next, &sm};

		CHECK(acq_curve_measure(&tr, &va, 2, &mp, PTS, &rng, pn, pl, err, sizeof(err)) == ACQ_OK);
	}
	CHECK(n_interrupts >= PTS);
	{
		AcqSplitMix sm = {5};
		AcqRng		rng = {acq_splitmix_next, &sm};

		CHECK(acq_curve_measure(&tr, &va, 2, &mp, PTS, &rng, pn2, pl2, err, sizeof(err)) == ACQ_OK);
	}
	CHECK(memcmp(pn, pn2, sizeof(pn)) == 0 && memcmp(pl, pl2, sizeof(pl)) == 0);
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);
	for (int j = 0; j < PTS; j++)
	{
		int64_t		m = acq_curve_subset_size(NT, PTS, j);

		CHECK(pn[0 * PTS + j] + pn[1 * PTS + j] == (double) m);
	}
	CHECK(acq_curve_subset_size(NT, PTS, PTS - 1) == NT);
	CHECK(acq_curve_subset_size(NT, PTS, 0) == 75);
	CHECK(pn[1 * PTS + PTS - 1] == 600.0);
	/* more data, lower loss: the full set beats the smallest subset over the slices */
	CHECK(pl[PTS - 1] + pl[2 * PTS - 1] < pl[0] + pl[PTS]);
	for (int p = 0; p < 2; p++)
		CHECK(pl[p * PTS + PTS - 1] > 0.0 && pl[p * PTS + PTS - 1] < log(2.0));

	/* k-NN: 0/1 error; regression models: squared error */
	{
		double		yt[NT],
					yv[NV];
		AcqCurveModelParams knn = {ACQ_CURVE_KNN_CLASSIFY, 2, 5, 1.0, 1000, 1e-4};
		AcqCurveModelParams lin = {ACQ_CURVE_LINEAR, 0, 5, 1.0, 1000, 1e-4};
		AcqCurveModelParams knr = {ACQ_CURVE_KNN_REGRESS, 0, 5, 1.0, 1000, 1e-4};
		AcqCurveSet trr = tr,
					var = va;
		int64_t		rows[NT];
		double		loss[2],
					cnt[2];

		for (int64_t i = 0; i < NT; i++)
		{
			yt[i] = 2.0 * Xt[i * 3] - Xt[i * 3 + 2] + 1.0;
			rows[i] = i;
		}
		for (int64_t i = 0; i < NV; i++)
			yv[i] = 2.0 * Xv[i * 3] - Xv[i * 3 + 2] + 1.0;
		trr.y = yt;
		trr.cls = NULL;
		var.y = yv;
		var.cls = NULL;
		CHECK(acq_curve_losses(&tr, rows, NT, &va, 2, &knn, loss, cnt, err, sizeof(err)) == ACQ_OK);
		CHECK(loss[0] >= 0 && loss[0] < 0.3 && loss[1] >= 0 && loss[1] < 0.3);
		CHECK(cnt[0] == 600 && cnt[1] == 600);
		CHECK(acq_curve_losses(&trr, rows, NT, &var, 2, &lin, loss, cnt, err, sizeof(err)) == ACQ_OK);
		CHECK(loss[0] < 1e-20 && loss[1] < 1e-20);	/* an exact linear target */
		CHECK(acq_curve_losses(&trr, rows, NT, &var, 2, &knr, loss, cnt, err, sizeof(err)) == ACQ_OK);
		CHECK(loss[0] > 0 && loss[0] < 1.0);
	}
}

/* ---- the planner's curve stage --------------------------------------------- */

static void
test_planner_curve(void)
{
	AcqPlanParams p = {ACQ_STRATEGY_CURVE, 100, 40, 1, 0.01, 0.001, ACQ_ALLOCATION_MIXED, 1.0, 0.0};
	int64_t		pool[3] = {50, 5, 100};
	char		err[128];
	AcqPlanner *pl = acq_planner_create(&p, 3, pool, err, sizeof(err));
	AcqPlanner *pl2;
	AcqSplitMix sm = {1};
	AcqRng		rng = {acq_splitmix_next, &sm};
	AcqPlanStart st;
	int			pred;
	int64_t		count;
	int64_t		x1[3] = {10, 20, 10};	/* P2 has only 5: a short answer */
	double	   *state;

	CHECK(pl != NULL);
	acq_planner_start(pl, &st);
	CHECK(st.covers && !st.shrunk);
	CHECK(acq_planner_wants_allocation(pl));
	CHECK(acq_planner_round_budget(pl) == 40);
	CHECK(!acq_planner_next(pl, &rng, &pred, &count));	/* nothing set yet */
	acq_planner_set_allocation(pl, x1);
	CHECK(!acq_planner_wants_allocation(pl));
	CHECK(acq_planner_next(pl, &rng, &pred, &count) && pred == 0 && count == 10);
	CHECK(strcmp(acq_stage_name(pl->stage), "curve") == 0);
	acq_planner_observe(pl, 10, NAN);
	/* mid-round: save, restore into a new planner, continue the same way */
	state = malloc(sizeof(double) * acq_planner_state_size(pl));
	acq_planner_save(pl, state);
	pl2 = acq_planner_create(&p, 3, pool, err, sizeof(err));
	CHECK(acq_planner_restore(pl2, state, acq_planner_state_size(pl)));
	CHECK(acq_planner_next(pl2, &rng, &pred, &count) && pred == 1 && count == 20);
	acq_planner_observe(pl2, 5, NAN);	/* short: exhausted */
	CHECK(pl2->preds[1].exhausted);
	CHECK(acq_planner_next(pl2, &rng, &pred, &count) && pred == 2 && count == 10);
	acq_planner_observe(pl2, 10, NAN);
	CHECK(pl2->budget_left == 75);
	CHECK(acq_planner_wants_allocation(pl2));
	CHECK(pl2->pass == 1);
	{
		int64_t		x2[3] = {40, 0, 0};

		acq_planner_set_allocation(pl2, x2);
	}
	CHECK(acq_planner_next(pl2, &rng, &pred, &count) && pred == 0 && count == 40);
	acq_planner_observe(pl2, 40, NAN);
	CHECK(acq_planner_round_budget(pl2) == 35);
	{
		int64_t		x3[3] = {0, 9, 35};	/* an exhausted predicate gets nothing */

		acq_planner_set_allocation(pl2, x3);
	}
	CHECK(acq_planner_next(pl2, &rng, &pred, &count) && pred == 2 && count == 35);
	acq_planner_observe(pl2, 35, NAN);
	CHECK(pl2->budget_left == 0);
	CHECK(!acq_planner_wants_allocation(pl2));
	CHECK(!acq_planner_next(pl2, &rng, &pred, &count));
	CHECK(pl2->stage == ACQ_STAGE_DONE);
	/* a state of another strategy's stage is refused */
	state[4] = ACQ_STAGE_SAMPLE;
	CHECK(!acq_planner_restore(pl, state, acq_planner_state_size(pl)));
	free(state);
	acq_planner_free(pl);
	acq_planner_free(pl2);
}

int
main(void)
{
	RUN(test_fit_exact);
	RUN(test_fit_noise);
	RUN(test_fit_guards);
	RUN(test_fallback);
	RUN(test_allocate_brute_force);
	RUN(test_allocate_kkt);
	RUN(test_allocate_hedged);
	RUN(test_measure);
	RUN(test_planner_curve);
	return unit_summary("test_curve");
}
