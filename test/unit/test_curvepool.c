/*
 * test_curvepool.c -- partial pooling of the learning curves (curvepool.h).
 *
 * Known inputs, known outputs: 'none' changes nothing; 'full' gives every
 * slice one curve and the exact allocation then fills to equal counts
 * (water-filling; a known allocation); 'auto' on exact power laws (no
 * noise) keeps each slice's own curve; 'auto' on points built so that the
 * nested-design statistics are known in closed form gives the weight
 * tau^2 / (tau^2 + s^2) = 5/9 and the pooled exponents computed by hand,
 * each curve still through its own fitted loss at the current count; slices
 * whose fit failed take the common exponent through their current loss,
 * zero-loss slices are left alone; where the mean exponent is not
 * significantly positive (t < 2) 'auto' acts as 'full', and where it is
 * below min_exponent however significant;
 * with two points per curve 'auto' acts as 'none'; every allocation freed.
 */
#include "core/curvepool.h"
#include "unit.h"

#include <math.h>
#include <string.h>

#include "hooks.h"

#define NP 3
#define KP 3

/*
 * Three slices, points at n = 1, 4, 16 (x = 0, L, 2L; L = log 4), log loss
 * 0, L d1, L (d1 + d2) with d1 = beta - 0.4, d2 = beta + 0.1, beta = -0.2,
 * -0.5, -0.8.  Nested design: v1 = 0.75 / L^2, v2 = 0.1875 / L^2, so the
 * slope is 0.2 d1 + 0.8 d2 = beta, its precision 6.6667 L^2, the residual
 * 26.667 L^2 (0.1)^2 on one degree of freedom per slice: sigma^2 = 0.2667 L^2,
 * s^2 = sigma^2 / precision = 0.04.  var(beta) = 0.09 (unbiased), so
 * tau^2 = 0.05 and w = 0.05 / 0.09 = 5/9.  The own fits (least squares on
 * logs): slope (d1 + d2) / 2 = beta - 0.15, so a = 0.35, 0.65, 0.95, and log b
 * = mean y + a mean x = -L/12 for each.  The common curve: a0 = 0.5, log b0 =
 * mean of all 9 y + a0 L = L (-6.6 / 9 + 0.5).
 */
static void
points_with(const double *beta, double *pt_n, double *pt_loss)
{
	const double L = log(4.0);

	for (int p = 0; p < NP; p++)
	{
		double		d1 = beta[p] - 0.4,
					d2 = beta[p] + 0.1;

		pt_n[p * KP + 0] = 1;
		pt_n[p * KP + 1] = 4;
		pt_n[p * KP + 2] = 16;
		pt_loss[p * KP + 0] = 1.0;
		pt_loss[p * KP + 1] = exp(L * d1);
		pt_loss[p * KP + 2] = exp(L * (d1 + d2));
	}
}

static void
known_points(double *pt_n, double *pt_loss)
{
	const double beta[NP] = {-0.2, -0.5, -0.8};

	points_with(beta, pt_n, pt_loss);
}

static void
fit_all(const double *pt_n, const double *pt_loss, int np, int k, AcqCurveFitKind *kind,
		double *a, double *b)
{
	double		cn[8],
				cl[8];

	for (int p = 0; p < np; p++)
	{
		kind[p] = acq_curve_fit(pt_n + p * k, pt_loss + p * k, k, &a[p], &b[p]);
		cn[p] = pt_n[p * k + k - 1];
		cl[p] = pt_loss[p * k + k - 1];
	}
	acq_curve_fallback(np, kind, cn, cl, a, b);
}

static void
test_none(void)
{
	double		pt_n[NP * KP],
				pt_loss[NP * KP],
				a[NP],
				b[NP],
				a0[NP],
				b0[NP],
				w[NP];
	AcqCurveFitKind kind[NP];
	AcqCurvePoolStats st;

	known_points(pt_n, pt_loss);
	fit_all(pt_n, pt_loss, NP, KP, kind, a, b);
	memcpy(a0, a, sizeof(a));
	memcpy(b0, b, sizeof(b));
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_NONE, 0.0, a, b, w, &st);
	for (int p = 0; p < NP; p++)
	{
		CHECK(a[p] == a0[p] && b[p] == b0[p]);
		CHECK(w[p] == 1.0);
	}
	CHECK(isnan(st.a0) && isnan(st.tau2));
}

static void
test_auto_known(void)
{
	const double L = log(4.0);
	const double own_a[NP] = {0.35, 0.65, 0.95};
	double		pt_n[NP * KP],
				pt_loss[NP * KP],
				a[NP],
				b[NP],
				w[NP];
	AcqCurveFitKind kind[NP];
	AcqCurvePoolStats st;
	double		logb0 = L * (-6.6 / 9.0 + 0.5);

	known_points(pt_n, pt_loss);
	fit_all(pt_n, pt_loss, NP, KP, kind, a, b);
	for (int p = 0; p < NP; p++)
	{
		CHECK(kind[p] == ACQ_CURVE_FIT_OK);
		CHECK_CLOSE(a[p], own_a[p], 1e-12);
		CHECK_CLOSE(log(b[p]), -L / 12.0, 1e-12);
	}
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.0, a, b, w, &st);
	CHECK_CLOSE(st.a0, 0.5, 1e-12);
	CHECK_CLOSE(log(st.b0), logb0, 1e-12);
	CHECK_CLOSE(st.sigma2, (16.0 / 0.75 + 1.0 / 0.1875) * 0.01 * L * L, 1e-12);
	CHECK_CLOSE(st.tau2, 0.05, 1e-12);
	/* the model learns: t = 0.5 / sqrt(0.09 / 3) = 2.887 >= 2 */
	CHECK_CLOSE(st.learning_t, 0.5 / sqrt(0.03), 1e-9);
	CHECK(st.slopes == NP);
	for (int p = 0; p < NP; p++)
	{
		CHECK_CLOSE(w[p], 5.0 / 9.0, 1e-12);
		double		an = 5.0 / 9.0 * own_a[p] + 4.0 / 9.0 * 0.5;

		CHECK_CLOSE(a[p], an, 1e-12);
		/* the level at the current count (16) is the own fit's */
		CHECK_CLOSE(log(b[p]), -L / 12.0 + (an - own_a[p]) * log(16.0), 1e-12);
	}
}

static void
test_auto_exact_keeps(void)
{
	/* exact power laws of different exponents: no residual, so each keeps its own */
	const double as[NP] = {0.2, 0.5, 0.9},
				bs[NP] = {3.0, 1.0, 0.5};
	double		pt_n[NP * 5],
				pt_loss[NP * 5],
				a[NP],
				b[NP],
				w[NP];
	AcqCurveFitKind kind[NP];
	AcqCurvePoolStats st;

	for (int p = 0; p < NP; p++)
		for (int j = 0; j < 5; j++)
		{
			pt_n[p * 5 + j] = (p + 2) * pow(2.0, j);
			pt_loss[p * 5 + j] = bs[p] * pow(pt_n[p * 5 + j], -as[p]);
		}
	fit_all(pt_n, pt_loss, NP, 5, kind, a, b);
	acq_curve_pool(NP, 5, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.0, a, b, w, &st);
	CHECK(st.sigma2 < 1e-20);
	CHECK(st.tau2 > 0.0);
	for (int p = 0; p < NP; p++)
	{
		CHECK_CLOSE(w[p], 1.0, 1e-9);
		CHECK_CLOSE(a[p], as[p], 1e-9);
		CHECK_CLOSE(b[p], bs[p], 1e-9);
	}
	/* identical slopes up to noise: tau^2 = 0, every slice takes the common exponent, its own level */
	for (int p = 0; p < NP; p++)
		for (int j = 0; j < 5; j++)
		{
			pt_n[p * 5 + j] = 10 * pow(2.0, j);
			pt_loss[p * 5 + j] = 2.0 * pow(pt_n[p * 5 + j], -0.3) * (1.0 + 0.05 * (((j + p) % 3) - 1));
		}
	fit_all(pt_n, pt_loss, NP, 5, kind, a, b);
	{
		double		lev[NP];

		for (int p = 0; p < NP; p++)
			lev[p] = b[p] * pow(160.0, -a[p]);
		acq_curve_pool(NP, 5, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.0, a, b, w, &st);
		CHECK(st.tau2 == 0.0);
		for (int p = 0; p < NP; p++)
		{
			CHECK(w[p] == 0.0);
			CHECK_CLOSE(a[p], st.a0, 1e-12);
			CHECK_CLOSE(b[p] * pow(160.0, -a[p]), lev[p], 1e-12);
		}
	}
}

static void
test_auto_no_learning(void)
{
	/*
	 * slopes 0.05, -0.02, -0.04: mean -0.00333, var 0.00223, so t = 0.122 < 2:
	 * the model does not learn measurably, 'auto' acts as 'full' (one curve,
	 * equal counts)
	 */
	const double beta[NP] = {0.05, -0.02, -0.04};
	double		pt_n[NP * KP],
				pt_loss[NP * KP],
				a[NP],
				b[NP],
				w[NP],
				n0[NP] = {2, 10, 30};
	int64_t		cap[NP] = {1000, 1000, 1000},
				x[NP];
	AcqCurveFitKind kind[NP];
	AcqCurvePoolStats st;
	double		m = (0.05 - 0.02 - 0.04) / 3.0,
				v = (pow(0.05 - m, 2) + pow(-0.02 - m, 2) + pow(-0.04 - m, 2)) / 2.0;

	points_with(beta, pt_n, pt_loss);
	fit_all(pt_n, pt_loss, NP, KP, kind, a, b);
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.0, a, b, w, &st);
	CHECK_CLOSE(st.learning_t, -m / sqrt(v / 3.0), 1e-9);
	CHECK(st.learning_t < ACQ_CURVE_LEARNING_T);
	CHECK_CLOSE(st.a0, -m, 1e-12);
	for (int p = 0; p < NP; p++)
	{
		CHECK(w[p] == 0.0);
		CHECK(a[p] == st.a0 && b[p] == st.b0);
	}
	CHECK(acq_curve_allocate(NP, a, b, n0, cap, 0.0, 50, x) == 50);
	CHECK(x[0] == 29 && x[1] == 21 && x[2] == 0);
}

static void
test_auto_min_exponent(void)
{
	/*
	 * min_exponent: the known points (a0 = 0.5, t = 2.887) learn at a least
	 * exponent of 0.49 (the weights of test_auto_known) and not at 0.51 (one
	 * common curve, though t >= 2).  Slopes -0.02, -0.03, -0.04 are
	 * significant (t = 0.03 / sqrt(0.0001 / 3) = 5.196) but slow: the t test
	 * alone (0) follows the slices' curves, min_exponent 0.05 gives every
	 * slice the common curve (one level too), and the allocation fills to
 * equal counts.
	 */
	const double slow[NP] = {-0.02, -0.03, -0.04};
	double		pt_n[NP * KP],
				pt_loss[NP * KP],
				a[NP],
				b[NP],
				w[NP],
				n0[NP] = {2, 10, 30};
	int64_t		cap[NP] = {1000, 1000, 1000},
				x[NP];
	AcqCurveFitKind kind[NP];
	AcqCurvePoolStats st;

	known_points(pt_n, pt_loss);
	fit_all(pt_n, pt_loss, NP, KP, kind, a, b);
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.49, a, b, w, &st);
	CHECK(st.learning == 1);
	for (int p = 0; p < NP; p++)
		CHECK_CLOSE(w[p], 5.0 / 9.0, 1e-12);

	fit_all(pt_n, pt_loss, NP, KP, kind, a, b);
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.51, a, b, w, &st);
	CHECK(st.learning == 0);
	CHECK_CLOSE(st.learning_t, 0.5 / sqrt(0.03), 1e-9);
	CHECK(st.learning_t >= ACQ_CURVE_LEARNING_T);
	CHECK_CLOSE(st.a0, 0.5, 1e-12);
	for (int p = 0; p < NP; p++)
		CHECK(w[p] == 0.0 && a[p] == st.a0 && b[p] == st.b0);

	points_with(slow, pt_n, pt_loss);
	fit_all(pt_n, pt_loss, NP, KP, kind, a, b);
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.0, a, b, w, &st);
	CHECK(st.learning == 1);
	CHECK_CLOSE(st.learning_t, 0.03 / sqrt(0.0001 / 3.0), 1e-9);
	CHECK_CLOSE(st.a0, 0.03, 1e-12);
	/* tau^2 = 0 (var 0.0001 < s^2 = 0.04): the exponents pooled, each level its own */
	for (int p = 0; p < NP; p++)
		CHECK(w[p] == 0.0 && fabs(a[p] - st.a0) < 1e-12);
	CHECK(b[0] != b[1] && b[1] != b[2]);

	fit_all(pt_n, pt_loss, NP, KP, kind, a, b);
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.05, a, b, w, &st);
	CHECK(st.learning == 0);
	CHECK_CLOSE(st.learning_t, 0.03 / sqrt(0.0001 / 3.0), 1e-9);
	for (int p = 0; p < NP; p++)
		CHECK(w[p] == 0.0 && a[p] == st.a0 && b[p] == st.b0);
	/* equal counts: 2 -> 10 (8), then 21 to 30 and 30 each less the rest: 29, 21, 0 */
	CHECK(acq_curve_allocate(NP, a, b, n0, cap, 0.0, 50, x) == 50);
	CHECK(x[0] == 29 && x[1] == 21 && x[2] == 0);

	/* 'none' and 'full' do not ask */
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_NONE, 0.05, a, b, w, &st);
	CHECK(st.learning == -1);
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_FULL, 0.05, a, b, w, &st);
	CHECK(st.learning == -1);
}

static void
test_full_water_filling(void)
{
	/* every slice one curve: the exact allocation fills to equal counts */
	double		pt_n[NP * KP],
				pt_loss[NP * KP],
				a[NP],
				b[NP],
				w[NP],
				n0[NP] = {2, 10, 30};
	int64_t		cap[NP] = {1000, 1000, 1000},
				x[NP];
	AcqCurveFitKind kind[NP];
	AcqCurvePoolStats st;

	known_points(pt_n, pt_loss);
	fit_all(pt_n, pt_loss, NP, KP, kind, a, b);
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_FULL, 0.0, a, b, w, &st);
	for (int p = 0; p < NP; p++)
	{
		CHECK(w[p] == 0.0);
		CHECK(a[p] == st.a0 && b[p] == st.b0);
	}
	CHECK(isnan(st.tau2));
	/* 2 -> 10, then both to 30, then the last 2 to the lower indices: 31, 31, 30 */
	CHECK(acq_curve_allocate(NP, a, b, n0, cap, 0.0, 50, x) == 50);
	CHECK(x[0] == 29 && x[1] == 21 && x[2] == 0);
	/* the same with caps: slice 0 can take 5 */
	cap[0] = 5;
	CHECK(acq_curve_allocate(NP, a, b, n0, cap, 0.0, 50, x) == 50);
	CHECK(x[0] == 5 && x[1] == 20 + 13 && x[2] == 12);
}

static void
test_failed_and_zero(void)
{
	/*
	 * slices 0, 4, 5 fit, slice 1 rises (not decreasing), slice 2 has zero loss,
	 * slice 3 one point; the mean exponent is significant (t >= 2)
	 */
	double		pt_n[6 * KP] = {1, 4, 16, 1, 4, 16, 1, 4, 16, 0, 0, 3, 1, 4, 16, 1, 4, 16},
				pt_loss[6 * KP] = {1.0, 0.5, 0.3, 0.5, 0.6, 0.7, 0, 0, 0, NAN, NAN, 0.8,
		1.0, 0.5, 0.3, 2.0, 1.0, 0.6},
				a[6],
				b[6],
				w[6];
	AcqCurveFitKind kind[6];
	AcqCurvePoolStats st;

	fit_all(pt_n, pt_loss, 6, KP, kind, a, b);
	CHECK(kind[0] == ACQ_CURVE_FIT_OK && kind[1] == ACQ_CURVE_FIT_FLAT &&
		  kind[2] == ACQ_CURVE_FIT_ZERO && kind[3] == ACQ_CURVE_FIT_FEW &&
		  kind[4] == ACQ_CURVE_FIT_OK && kind[5] == ACQ_CURVE_FIT_OK);
	acq_curve_pool(6, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.0, a, b, w, &st);
	CHECK(st.slopes == 4);		/* slices 0, 1, 4, 5 have two pairs each */
	CHECK(st.learning_t >= ACQ_CURVE_LEARNING_T);
	CHECK(w[1] == 0.0 && w[3] == 0.0);
	CHECK(a[1] == st.a0 && a[3] == st.a0);
	/* through the loss at the current count, as the fallback made them */
	CHECK_CLOSE(b[1] * pow(16.0, -a[1]), 0.7, 1e-12);
	CHECK_CLOSE(b[3] * pow(3.0, -a[3]), 0.8, 1e-12);
	CHECK(w[2] == 1.0 && b[2] == 0.0);
	CHECK(w[0] >= 0.0 && w[0] <= 1.0);

	/* without slices 4 and 5 the mean exponent is not significant: one common curve */
	fit_all(pt_n, pt_loss, 4, KP, kind, a, b);
	acq_curve_pool(4, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.0, a, b, w, &st);
	CHECK(st.slopes == 2 && st.learning_t < ACQ_CURVE_LEARNING_T);
	CHECK(a[0] == st.a0 && b[0] == st.b0 && a[1] == st.a0 && b[1] == st.b0 && a[3] == st.a0 && b[3] == st.b0);
	CHECK(w[2] == 1.0 && b[2] == 0.0);

	/* two points per curve: no residual, 'auto' acts as 'none' */
	{
		double		n2[2 * 2] = {5, 10, 5, 10},
					l2[2 * 2] = {1.0, 0.8, 1.0, 0.5},
					a2[2],
					b2[2],
					c2[2],
					d2[2],
					w2[2];
		AcqCurveFitKind k2[2];

		fit_all(n2, l2, 2, 2, k2, a2, b2);
		memcpy(c2, a2, sizeof(a2));
		memcpy(d2, b2, sizeof(b2));
		acq_curve_pool(2, 2, n2, l2, k2, ACQ_CURVE_POOL_AUTO, 0.0, a2, b2, w2, &st);
		CHECK(w2[0] == 1.0 && w2[1] == 1.0);
		CHECK(a2[0] == c2[0] && a2[1] == c2[1] && b2[0] == d2[0] && b2[1] == d2[1]);
	}
}

static void
test_frees(void)
{
	double		pt_n[NP * KP],
				pt_loss[NP * KP],
				a[NP],
				b[NP],
				w[NP];
	AcqCurveFitKind kind[NP];
	AcqCurvePoolStats st;

	acq_set_hooks(&counting_hooks);
	known_points(pt_n, pt_loss);
	fit_all(pt_n, pt_loss, NP, KP, kind, a, b);
	n_alloc = n_free = 0;
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_AUTO, 0.0, a, b, w, &st);
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_FULL, 0.0, a, b, w, &st);
	acq_curve_pool(NP, KP, pt_n, pt_loss, kind, ACQ_CURVE_POOL_NONE, 0.0, a, b, w, &st);
	CHECK(n_alloc > 0 && n_alloc == n_free);
}

int
main(void)
{
	RUN(test_none);
	RUN(test_auto_known);
	RUN(test_auto_exact_keeps);
	RUN(test_auto_no_learning);
	RUN(test_auto_min_exponent);
	RUN(test_full_water_filling);
	RUN(test_failed_and_zero);
	RUN(test_frees);
	return unit_summary("test_curvepool");
}
