/*
 * test_logreg.c -- acq_logreg_* against scikit-learn's LogisticRegression
 * (fixtures/logreg_fixture.h, from fixtures/make_fixtures.py), plus the
 * optimality condition on larger generated data.
 */
#include "core/models.h"
#include "unit.h"

#include <float.h>
#include <string.h>
#include <time.h>

#include "fixtures/logreg_fixture.h"

#include "hooks.h"

static double
max_abs(const double *v, int n)
{
	double		m = 0.0;
	int			i;

	for (i = 0; i < n; i++)
		m = fmax(m, fabs(v[i]));
	return m;
}

/* coefficients within 1e-6 of the largest coefficient's magnitude */
static void
check_coef(const double *got, const double *want, int d)
{
	double		scale = max_abs(want, d);
	int			j;

	for (j = 0; j < d; j++)
		CHECK_CLOSE(got[j], want[j], 1e-6 * scale);
}

static AcqLogregParams
params_c(double C)
{
	AcqLogregParams prm;

	acq_logreg_default_params(&prm);
	prm.C = C;
	return prm;
}

static void
test_defaults(void)
{
	AcqLogregParams prm;

	acq_logreg_default_params(&prm);
	CHECK(prm.C == 1.0);
	CHECK(prm.max_iter == 100);
	CHECK(prm.tol == 1e-8);
}

/* case A: one block, C = 1 and C = 0.01; held-out probabilities/labels */
static void
fit_case_a(double C, const double *want_coef, const double *want_proba,
		   const double *want_pred, double want_acc)
{
	AcqBlock	blk = {LR_A_X, LR_A_Y, NULL, LR_A_N};
	AcqLogregParams prm = params_c(C);
	double		coef[LR_A_P + 1];
	double		prob[LR_A_NTE];
	double		pred[LR_A_NTE];
	int			iters = -1;
	int			i;
	int			same = 0;

	CHECK(acq_logreg_fit(&blk, 1, LR_A_P, &prm, coef, &iters) == ACQ_OK);
	CHECK(iters > 0 && iters < 20);
	check_coef(coef, want_coef, LR_A_P + 1);

	acq_logreg_predict_proba(LR_A_XTE, LR_A_NTE, LR_A_P, coef, prob);
	acq_logreg_predict(LR_A_XTE, LR_A_NTE, LR_A_P, coef, pred);
	for (i = 0; i < LR_A_NTE; i++)
	{
		CHECK_CLOSE(prob[i], want_proba[i], 1e-7);
		same += (pred[i] == want_pred[i]);
	}
	CHECK(same == LR_A_NTE);
	CHECK_CLOSE(acq_accuracy(LR_A_YTE, pred, LR_A_NTE), want_acc, 1e-15);
}

static void
test_case_a(void)
{
	fit_case_a(LR_A_C, LR_A_COEF, LR_A_PROBA_TE, LR_A_PRED_TE, LR_A_ACC_TE);
}

static void
test_case_a_strong_penalty(void)
{
	fit_case_a(LR_A_C001_C, LR_A_C001_COEF, LR_A_C001_PROBA_TE,
			   LR_A_C001_PRED_TE, LR_A_C001_ACC_TE);
}

/* the same rows cut into blocks (one empty) give the same fit */
static void
test_case_a_blocks(void)
{
	AcqBlock	blks[4] = {
		{LR_A_X, LR_A_Y, NULL, 100},
		{LR_A_X + 100 * LR_A_P, LR_A_Y + 100, NULL, 0},
		{LR_A_X + 100 * LR_A_P, LR_A_Y + 100, NULL, 1},
		{LR_A_X + 101 * LR_A_P, LR_A_Y + 101, NULL, LR_A_N - 101},
	};
	AcqLogregParams prm = params_c(LR_A_C);
	double		coef[LR_A_P + 1];

	CHECK(acq_logreg_fit(blks, 4, LR_A_P, &prm, coef, NULL) == ACQ_OK);
	check_coef(coef, LR_A_COEF, LR_A_P + 1);
}

/* case B: two sources, 8 features, C = 0.5; NULL params = defaults */
static void
test_case_b_two_blocks(void)
{
	AcqBlock	blks[2] = {
		{LR_B_X, LR_B_Y, NULL, LR_B_N1},
		{LR_B_X + LR_B_N1 * LR_B_P, LR_B_Y + LR_B_N1, NULL, LR_B_N2},
	};
	AcqLogregParams prm = params_c(LR_B_C);
	double		coef[LR_B_P + 1];
	double		pred[LR_B_N1 + LR_B_N2];
	int			i;
	int			same = 0;

	CHECK(acq_logreg_fit(blks, 2, LR_B_P, &prm, coef, NULL) == ACQ_OK);
	check_coef(coef, LR_B_COEF, LR_B_P + 1);
	acq_logreg_predict(LR_B_X, LR_B_N1 + LR_B_N2, LR_B_P, coef, pred);
	for (i = 0; i < LR_B_N1 + LR_B_N2; i++)
		same += (pred[i] == LR_B_PRED[i]);
	CHECK(same == LR_B_N1 + LR_B_N2);
}

/* case C: nearly separable data, weak penalty (C = 100) */
static void
test_case_c_separable(void)
{
	AcqBlock	blk = {LR_C_X, LR_C_Y, NULL, LR_C_N};
	AcqLogregParams prm = params_c(LR_C_C);
	double		coef[LR_C_P + 1];
	double		pred[LR_C_N];
	int			iters = 0;
	int			i;
	int			same = 0;

	CHECK(acq_logreg_fit(&blk, 1, LR_C_P, &prm, coef, &iters) == ACQ_OK);
	CHECK(iters < 40);
	check_coef(coef, LR_C_COEF, LR_C_P + 1);
	acq_logreg_predict(LR_C_X, LR_C_N, LR_C_P, coef, pred);
	for (i = 0; i < LR_C_N; i++)
		same += (pred[i] == LR_C_PRED[i]);
	CHECK(same == LR_C_N);
}

static void
test_single_class_and_errors(void)
{
	double		X[4] = {1.0, 2.0, 3.0, 4.0};
	double		y0[4] = {0.0, 0.0, 0.0, 0.0};
	double		y1[4] = {1.0, 1.0, 1.0, 1.0};
	double		ybad[4] = {0.0, 1.0, 2.0, 0.0};
	AcqBlock	blk0 = {X, y0, NULL, 4};
	AcqBlock	blk1 = {X, y1, NULL, 4};
	AcqBlock	bad = {X, ybad, NULL, 4};
	AcqBlock	empty = {X, y0, NULL, 0};
	AcqLogregParams prm = params_c(1.0);
	double		coef[2] = {7.0, 7.0};
	double		prob[4];
	double		pred[4];
	int			iters = 5;

	CHECK(acq_logreg_fit(&blk0, 1, 1, &prm, coef, &iters) == ACQ_ERR_SINGLE_CLASS);
	CHECK(coef[0] == 0.0 && coef[1] == -30.0 && iters == 0);
	acq_logreg_predict(X, 4, 1, coef, pred);
	CHECK(pred[0] == 0.0 && pred[3] == 0.0);
	CHECK(acq_logreg_fit(&blk1, 1, 1, &prm, coef, NULL) == ACQ_ERR_SINGLE_CLASS);
	CHECK(coef[0] == 0.0 && coef[1] == 30.0);
	acq_logreg_predict_proba(X, 4, 1, coef, prob);
	CHECK(prob[0] > 0.999999 && prob[0] <= 1.0);

	CHECK(acq_logreg_fit(&empty, 1, 1, &prm, coef, NULL) == ACQ_ERR_EMPTY);
	CHECK(acq_logreg_fit(NULL, 0, 1, &prm, coef, NULL) == ACQ_ERR_EMPTY);
	CHECK(acq_logreg_fit(&bad, 1, 1, &prm, coef, NULL) == ACQ_ERR_ARGUMENT);
	prm.C = 0.0;
	CHECK(acq_logreg_fit(&blk0, 1, 1, &prm, coef, NULL) == ACQ_ERR_ARGUMENT);
	prm.C = 1.0;
	{
		double		Xnan[4] = {1.0, NAN, 3.0, 4.0};
		double		ymix[4] = {0.0, 1.0, 0.0, 1.0};
		AcqBlock	nanblk = {Xnan, ymix, NULL, 4};

		CHECK(acq_logreg_fit(&nanblk, 1, 1, &prm, coef, NULL) == ACQ_ERR_ARGUMENT);
	}
	prm.C = 1.0;
	CHECK(acq_logreg_fit(&blk0, 1, -1, &prm, coef, NULL) == ACQ_ERR_ARGUMENT);
}

/* p = 0: the intercept-only model, b = logit(mean y) (unpenalised) */
static void
test_intercept_only(void)
{
	double		y[5] = {1.0, 0.0, 1.0, 1.0, 0.0};
	AcqBlock	blk = {NULL, y, NULL, 5};
	double		coef[1];
	double		prob[5];
	int			iters = -1;

	CHECK(acq_logreg_fit(&blk, 1, 0, NULL, coef, &iters) == ACQ_OK);
	CHECK_CLOSE(coef[0], log(3.0 / 2.0), 1e-12);
	CHECK(iters == 0);			/* the starting point is the optimum */
	acq_logreg_predict_proba(NULL, 5, 0, coef, prob);
	CHECK_CLOSE(prob[4], 0.6, 1e-12);
}

static void
test_max_iter(void)
{
	AcqBlock	blk = {LR_C_X, LR_C_Y, NULL, LR_C_N};
	AcqLogregParams prm = params_c(LR_C_C);
	double		coef[LR_C_P + 1];
	int			iters = -1;

	prm.max_iter = 1;
	CHECK(acq_logreg_fit(&blk, 1, LR_C_P, &prm, coef, &iters) ==
		  ACQ_ERR_NO_CONVERGENCE);
	CHECK(iters == 1);
	CHECK(isfinite(coef[0]) && isfinite(coef[LR_C_P]));
}

/* ---- generated data larger than the chunk size --------------------------- */

static double
gauss(AcqRng *rng)
{
	/* Box-Muller */
	double		u1 = acq_rng_double(rng);
	double		u2 = acq_rng_double(rng);

	return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

static void
make_data(uint64_t seed, int64_t n, int p, double *X, double *y)
{
	AcqSplitMix sm = {seed};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int64_t		i;
	int			j;

	for (i = 0; i < n; i++)
	{
		double		z = -0.5;

		for (j = 0; j < p; j++)
		{
			double		x = gauss(&rng) * (1.0 + j % 3) + 0.1 * j;

			X[i * p + j] = x;
			z += x * ((j % 2) ? 0.3 : -0.2);
		}
		y[i] = (acq_rng_double(&rng) < 1.0 / (1.0 + exp(-z))) ? 1.0 : 0.0;
	}
}

/*
 * The fit's gradient C Zt (sigma - y) + (w, 0), recomputed naively with long
 * double sums, relative to C n.
 */
static double
naive_grad_max(const double *X, const double *y, int64_t n, int p,
			   double C, const double *coef)
{
	long double *g = calloc(p + 1, sizeof(long double));
	double		gmax = 0.0;
	int64_t		i;
	int			j;

	for (i = 0; i < n; i++)
	{
		long double z = coef[p];
		long double r;

		for (j = 0; j < p; j++)
			z += (long double) X[i * p + j] * coef[j];
		r = 1.0L / (1.0L + expl(-z)) - y[i];
		for (j = 0; j < p; j++)
			g[j] += r * X[i * p + j];
		g[p] += r;
	}
	for (j = 0; j <= p; j++)
	{
		long double gj = C * g[j] + (j < p ? coef[j] : 0.0);

		gmax = fmax(gmax, fabs((double) gj));
	}
	free(g);
	return gmax / (C * (double) n);
}

static void
test_large_chunks(void)
{
	int64_t		n1 = 6000;
	int64_t		n2 = 7001;
	int			p = 12;
	double	   *X = malloc(sizeof(double) * (n1 + n2) * p);
	double	   *y = malloc(sizeof(double) * (n1 + n2));
	AcqBlock	blks[2];
	AcqLogregParams prm = params_c(2.0);
	double		coef[13];
	double		coef2[13];
	int			iters = 0;
	int			j;

	make_data(42, n1 + n2, p, X, y);
	blks[0].X = X;
	blks[0].y = y;
	blks[0].a = NULL;
	blks[0].n = n1;
	blks[1].X = X + n1 * p;
	blks[1].y = y + n1;
	blks[1].a = NULL;
	blks[1].n = n2;

	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	CHECK(acq_logreg_fit(blks, 2, p, &prm, coef, &iters) == ACQ_OK);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	/* once per iteration, and per chunk of each Hessian build and per halving */
	CHECK(n_interrupts >= iters + 1);
	acq_set_hooks(NULL);

	CHECK(iters > 0 && iters < 15);
	CHECK(naive_grad_max(X, y, n1 + n2, p, 2.0, coef) <= 1e-8);

	/* a tighter tolerance is reached too, in a step or two more */
	prm.tol = 1e-13;
	CHECK(acq_logreg_fit(blks, 2, p, &prm, coef, &iters) == ACQ_OK);
	CHECK(iters > 0 && iters < 17);
	CHECK(naive_grad_max(X, y, n1 + n2, p, 2.0, coef) <= 1e-13);

	/* one block of all rows: the same optimum */
	blks[0].n = n1 + n2;
	CHECK(acq_logreg_fit(blks, 1, p, &prm, coef2, NULL) == ACQ_OK);
	for (j = 0; j <= p; j++)
		CHECK_CLOSE(coef2[j], coef[j], 1e-9);
	free(X);
	free(y);
}

/* informational: the cost of one fit of the size a selection run makes */
static void
test_timing(void)
{
	int64_t		n = 50000;
	int			p = 20;
	double	   *X = malloc(sizeof(double) * n * p);
	double	   *y = malloc(sizeof(double) * n);
	AcqBlock	blk = {X, y, NULL, n};
	AcqLogregParams prm = params_c(1.0);
	double		coef[21];
	int			iters = 0;
	int			reps = 10;
	int			r;
	struct timespec t0;
	struct timespec t1;

	make_data(7, n, p, X, y);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < reps; r++)
		CHECK(acq_logreg_fit(&blk, 1, p, &prm, coef, &iters) == ACQ_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  logreg fit %ld x %d: %d Newton iterations, %.2f ms per fit\n",
		   (long) n, p, iters,
		   ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / reps);
	free(X);
	free(y);
}

/*
 * The warm-start pieces on case B (two sources): at the optimum of source 1
 * alone, source 2's gradient and Hessian share (acq_logreg_source_terms)
 * added to source 1's give one Newton step towards the two-source optimum;
 * the gradient they give matches a finite difference of the objective; and
 * a fit started there with that Hessian reaches the fixture's optimum.
 */
#define LR_B_D (LR_B_P + 1)

static double
objective_b(const AcqBlock *blks, int nb, const double *coef)
{
	double		f = 0.0;
	int			b,
				j;
	int64_t		i;

	for (b = 0; b < nb; b++)
		for (i = 0; i < blks[b].n; i++)
		{
			double		z = coef[LR_B_P];

			for (j = 0; j < LR_B_P; j++)
				z += blks[b].X[i * LR_B_P + j] * coef[j];
			f += LR_B_C * (log1p(exp(-fabs(z))) + (z > 0 ? z : 0) - blks[b].y[i] * z);
		}
	for (j = 0; j < LR_B_P; j++)
		f += 0.5 * coef[j] * coef[j];
	return f;
}

/*
 * The column-major copies (AcqLogregParams.xcol) change only the layout
 * the products read: the same optimum, and (with one chunk a block) the
 * same number of steps; a block without its copy falls back to X.
 */
static void
test_column_major(void)
{
	AcqBlock	both[2] = {{LR_B_X, LR_B_Y, NULL, LR_B_N1},
	{LR_B_X + LR_B_N1 * LR_B_P, LR_B_Y + LR_B_N1, NULL, LR_B_N2}};
	double	   *xc[2];
	const double *xcp[2];
	AcqLogregParams prm = params_c(LR_B_C);
	double		c0[LR_B_D],
				c1[LR_B_D];
	int			it0,
				it1,
				b,
				j;
	int64_t		i;

	for (b = 0; b < 2; b++)
	{
		xc[b] = malloc(sizeof(double) * both[b].n * (LR_B_P + 1));
		for (i = 0; i < both[b].n; i++)
		{
			for (j = 0; j < LR_B_P; j++)
				xc[b][j * both[b].n + i] = both[b].X[i * LR_B_P + j];
			xc[b][LR_B_P * both[b].n + i] = 1.0;
		}
		xcp[b] = xc[b];
	}
	CHECK(acq_logreg_fit(both, 2, LR_B_P, &prm, c0, &it0) == ACQ_OK);
	prm.xcol = xcp;
	CHECK(acq_logreg_fit(both, 2, LR_B_P, &prm, c1, &it1) == ACQ_OK);
	CHECK(it0 == it1);
	for (j = 0; j < LR_B_D; j++)
		CHECK_CLOSE(c1[j], c0[j], 1e-10);
	xcp[1] = NULL;
	CHECK(acq_logreg_fit(both, 2, LR_B_P, &prm, c1, &it1) == ACQ_OK);
	for (j = 0; j < LR_B_D; j++)
		CHECK_CLOSE(c1[j], c0[j], 1e-10);
	free(xc[0]);
	free(xc[1]);
}

/* a caller's scratch (AcqLogregParams.work): same fit, nothing allocated */
static void
test_work_buffer(void)
{
	AcqBlock	blk = {LR_B_X, LR_B_Y, NULL, LR_B_N1};
	AcqLogregParams prm = params_c(LR_B_C);
	size_t		len = acq_logreg_work_size(LR_B_N1, LR_B_P);
	double	   *work = malloc(sizeof(double) * len);
	double		c0[LR_B_D],
				c1[LR_B_D];
	int			j;

	CHECK(acq_logreg_fit(&blk, 1, LR_B_P, &prm, c0, NULL) == ACQ_OK);
	for (size_t i = 0; i < len; i++)
		work[i] = NAN;			/* nothing may be read before it is written */
	prm.work = work;
	prm.work_len = len;
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = 0;
	CHECK(acq_logreg_fit(&blk, 1, LR_B_P, &prm, c1, NULL) == ACQ_OK);
	CHECK(n_alloc == 0);
	prm.work_len = len - 1;		/* too small: allocates its own */
	CHECK(acq_logreg_fit(&blk, 1, LR_B_P, &prm, c1, NULL) == ACQ_OK);
	CHECK(n_alloc == 1 && n_free == 1);
	acq_set_hooks(NULL);
	for (j = 0; j < LR_B_D; j++)
		CHECK_CLOSE(c1[j], c0[j], 1e-12);
	free(work);
}

/*
 * The fit with the caller's label counts (block_pos) is the fit that
 * counts them, bit for bit; without them a label other than 0/1 is still
 * refused.  A source's terms from the caller's scratch (left dirty by a
 * larger call, NaN elsewhere) equal the allocating version's bit for bit,
 * row-major and column-major.
 */
static void
test_block_pos_and_terms_work(void)
{
	const double *Y2 = LR_B_Y + LR_B_N1;
	const double *X2 = LR_B_X + (int64_t) LR_B_N1 * LR_B_P;
	AcqBlock	blk[2] = {{LR_B_X, LR_B_Y, NULL, LR_B_N1}, {X2, Y2, NULL, LR_B_N2}};
	AcqLogregParams prm = params_c(LR_B_C);
	int64_t		pos[2] = {0, 0};
	int64_t		none[2] = {0, 0};
	double		c0[LR_B_D],
				c1[LR_B_D];
	int			it0 = -1,
				it1 = -2;
	double	   *ybad = malloc(sizeof(double) * LR_B_N2);
	size_t		len = acq_logreg_source_terms_size(LR_B_N2, LR_B_P);
	double	   *work = malloc(sizeof(double) * len);
	double	   *xc = malloc(sizeof(double) * LR_B_N1 * LR_B_D);
	const double *xcs[1] = {xc};

	for (int b = 0; b < 2; b++)
		for (int64_t i = 0; i < blk[b].n; i++)
			pos[b] += (blk[b].y[i] == 1.0);
	CHECK(pos[0] > 0 && pos[1] > 0);
	CHECK(acq_logreg_fit(blk, 2, LR_B_P, &prm, c0, &it0) == ACQ_OK);
	prm.block_pos = pos;
	CHECK(acq_logreg_fit(blk, 2, LR_B_P, &prm, c1, &it1) == ACQ_OK);
	CHECK(it0 == it1);
	CHECK(memcmp(c0, c1, sizeof(c0)) == 0);
	/* the counts are believed: no label 1 at all is the single-class model */
	prm.block_pos = none;
	CHECK(acq_logreg_fit(blk, 2, LR_B_P, &prm, c1, NULL) == ACQ_ERR_SINGLE_CLASS);
	/* without them, a label 2 in the second block is refused */
	memcpy(ybad, Y2, sizeof(double) * LR_B_N2);
	ybad[LR_B_N2 - 1] = 2.0;
	{
		AcqBlock	bad[2] = {blk[0], {X2, ybad, NULL, LR_B_N2}};

		prm.block_pos = NULL;
		CHECK(acq_logreg_fit(bad, 2, LR_B_P, &prm, c1, NULL) == ACQ_ERR_ARGUMENT);
		CHECK(max_abs(c1, LR_B_D) == 0.0);
	}

	for (int64_t i = 0; i < LR_B_N1; i++)
	{
		for (int j = 0; j < LR_B_P; j++)
			xc[(int64_t) j * LR_B_N1 + i] = LR_B_X[i * LR_B_P + j];
		xc[(int64_t) LR_B_P * LR_B_N1 + i] = 1.0;
	}
	for (size_t i = 0; i < len; i++)
		work[i] = NAN;
	for (int pass = 0; pass < 2; pass++)
	{
		double		Ha[LR_B_D * LR_B_D] = {0},
					ga[LR_B_D] = {0},
					Hw[LR_B_D * LR_B_D] = {0},
					gw[LR_B_D] = {0};
		const double *const *xcol = pass ? xcs : NULL;

		/* the larger block first, leaving the scratch dirty */
		acq_logreg_source_terms_work(&blk[1], 1, LR_B_P, LR_B_C, c0, 1.0, Hw, gw, NULL, work);
		memset(Hw, 0, sizeof(Hw));
		memset(gw, 0, sizeof(gw));
		acq_logreg_source_terms(&blk[0], 1, LR_B_P, LR_B_C, c0, -1.0, Ha, ga, xcol);
		acq_logreg_source_terms_work(&blk[0], 1, LR_B_P, LR_B_C, c0, -1.0, Hw, gw, xcol, work);
		CHECK(memcmp(Ha, Hw, sizeof(Ha)) == 0);
		CHECK(memcmp(ga, gw, sizeof(ga)) == 0);
		CHECK(max_abs(ga, LR_B_D) > 0.0);
	}
	free(ybad);
	free(work);
	free(xc);
}

/* a Newton step from a near-singular H is refused, and coef left alone */
static void
test_newton_step_guard(void)
{
	/* p = 1: H = [[1, 1], [1, 1 + 1e-9]] (upper triangle used), g = (1, 0) */
	double		H[4] = {1.0, 1.0, 0.0, 1.0 + 1e-9};
	double		g[2] = {1.0, 0.0};
	double		coef[2] = {0.5, -0.25};
	double		Hok[4] = {2.0, 0.0, 0.0, 4.0};
	double		gok[2] = {1.0, 2.0};

	CHECK(!acq_logreg_newton_step(H, g, 1, coef));
	CHECK(coef[0] == 0.5 && coef[1] == -0.25);
	/* a well-conditioned H: the step is taken, coef - H^-1 g */
	CHECK(acq_logreg_newton_step(Hok, gok, 1, coef));
	CHECK_CLOSE(coef[0], 0.0, 1e-15);
	CHECK_CLOSE(coef[1], -0.75, 1e-15);
}

static void
test_source_terms_and_warm_hessian(void)
{
	AcqBlock	one = {LR_B_X, LR_B_Y, NULL, LR_B_N1};
	AcqBlock	two = {LR_B_X + LR_B_N1 * LR_B_P, LR_B_Y + LR_B_N1, NULL, LR_B_N2};
	AcqBlock	both[2];
	AcqLogregParams prm = params_c(LR_B_C);
	double		coef1[LR_B_D],
				coef[LR_B_D],
				g[LR_B_D],
				gsum[LR_B_D],
				H[LR_B_D * LR_B_D],
				H1[LR_B_D * LR_B_D];
	double		g_before = 0.0,
				g_after = 0.0;
	int			j,
				iters;

	both[0] = one;
	both[1] = two;

	/* source 1 alone, keeping its last Hessian */
	prm.hess_out = H1;
	CHECK(acq_logreg_fit(&one, 1, LR_B_P, &prm, coef1, NULL) == ACQ_OK);
	prm.hess_out = NULL;

	/* the gradient from source_terms against central differences */
	memset(g, 0, sizeof(g));
	acq_logreg_source_terms(both, 2, LR_B_P, LR_B_C, coef1, 1.0, NULL, g, NULL);
	for (j = 0; j < LR_B_P; j++)
		g[j] += coef1[j];		/* the penalty's gradient */
	for (j = 0; j < LR_B_D; j++)
	{
		double		cp[LR_B_D],
					cm[LR_B_D];
		double		h = 1e-6;

		memcpy(cp, coef1, sizeof(cp));
		memcpy(cm, coef1, sizeof(cm));
		cp[j] += h;
		cm[j] -= h;
		CHECK_CLOSE(g[j], (objective_b(both, 2, cp) - objective_b(both, 2, cm)) / (2 * h),
					1e-4 * fmax(1.0, fabs(g[j])));
	}

	/* one source's share: at source 1's optimum the union's gradient is source 2's */
	memset(gsum, 0, sizeof(gsum));
	acq_logreg_source_terms(&two, 1, LR_B_P, LR_B_C, coef1, 1.0, NULL, gsum, NULL);
	for (j = 0; j < LR_B_D; j++)
		CHECK_CLOSE(gsum[j], g[j], 1e-5 * fmax(1.0, fabs(g[j])));

	/* Hessian of the union = source 1's + source 2's share; a Newton step shrinks the gradient */
	memcpy(H, H1, sizeof(H));
	memset(gsum, 0, sizeof(gsum));
	acq_logreg_source_terms(&two, 1, LR_B_P, LR_B_C, coef1, 1.0, H, gsum, NULL);
	/* the same share through a column-major [X, 1] copy (vecmath's kernels) */
	{
		double	   *xc = malloc(sizeof(double) * two.n * LR_B_D);
		const double *xcs[1] = {xc};
		double		Hx[LR_B_D * LR_B_D],
					gx[LR_B_D];

		for (int64_t i = 0; i < two.n; i++)
		{
			for (j = 0; j < LR_B_P; j++)
				xc[(int64_t) j * two.n + i] = two.X[i * LR_B_P + j];
			xc[(int64_t) LR_B_P * two.n + i] = 1.0;
		}
		memcpy(Hx, H1, sizeof(Hx));
		memset(gx, 0, sizeof(gx));
		acq_logreg_source_terms(&two, 1, LR_B_P, LR_B_C, coef1, 1.0, Hx, gx, xcs);
		for (j = 0; j < LR_B_D; j++)
			CHECK_CLOSE(gx[j], gsum[j], 1e-12 * fmax(1.0, fabs(gsum[j])));
		for (j = 0; j < LR_B_D; j++)
			for (int k = j; k < LR_B_D; k++)
				CHECK_CLOSE(Hx[j * LR_B_D + k], H[j * LR_B_D + k],
							1e-12 * fmax(1.0, fabs(H[j * LR_B_D + k])));
		free(xc);
	}
	memcpy(coef, coef1, sizeof(coef));
	CHECK(acq_logreg_newton_step(H, gsum, LR_B_P, coef));
	memset(g, 0, sizeof(g));
	acq_logreg_source_terms(both, 2, LR_B_P, LR_B_C, coef, 1.0, NULL, g, NULL);
	for (j = 0; j < LR_B_D; j++)
	{
		double		gj = g[j] + (j < LR_B_P ? coef[j] : 0.0);

		g_after = fmax(g_after, fabs(gj));
		g_before = fmax(g_before, fabs(gsum[j]));
	}
	CHECK(g_after < 0.2 * g_before);

	/* warm start there, with that Hessian: the same optimum as a cold fit */
	{
		double		start[LR_B_D],
					step[LR_B_D],
					junk[LR_B_D];
		int			iters_pair;

		memcpy(start, coef, sizeof(start));
		prm.warm_start = true;
		prm.hess_init = H;
		CHECK(acq_logreg_fit(both, 2, LR_B_P, &prm, coef, &iters) == ACQ_OK);
		check_coef(coef, LR_B_COEF, LR_B_D);

		/*
		 * and with the step that led there and the gradient before it (the
		 * first step's Hessian BFGS-updated): the same optimum (whether it
		 * takes fewer steps depends on the problem: bench/source_selection)
		 */
		for (j = 0; j < LR_B_D; j++)
			step[j] = start[j] - coef1[j];
		prm.init_step = step;
		prm.init_grad = gsum;
		memcpy(coef, start, sizeof(coef));
		CHECK(acq_logreg_fit(both, 2, LR_B_P, &prm, coef, &iters_pair) == ACQ_OK);
		check_coef(coef, LR_B_COEF, LR_B_D);
		CHECK(iters_pair >= 1);

		/* a pair with no curvature (y = 0) is skipped: still the optimum */
		memset(g, 0, sizeof(g));
		acq_logreg_source_terms(both, 2, LR_B_P, LR_B_C, start, 1.0, NULL, g, NULL);
		for (j = 0; j < LR_B_D; j++)
			junk[j] = g[j] + (j < LR_B_P ? start[j] : 0.0);
		prm.init_grad = junk;
		memcpy(coef, start, sizeof(coef));
		CHECK(acq_logreg_fit(both, 2, LR_B_P, &prm, coef, &iters_pair) == ACQ_OK);
		check_coef(coef, LR_B_COEF, LR_B_D);
		prm.init_step = prm.init_grad = NULL;
	}

	/* removing a source: sign -1 takes source 2's share out again */
	memset(gsum, 0, sizeof(gsum));
	acq_logreg_source_terms(&two, 1, LR_B_P, LR_B_C, coef1, 1.0, H1, gsum, NULL);
	acq_logreg_source_terms(&two, 1, LR_B_P, LR_B_C, coef1, -1.0, H1, gsum, NULL);
	for (j = 0; j < LR_B_D; j++)
		CHECK_CLOSE(gsum[j], 0.0, 1e-12);
}

/*
 * The Hessian kernel (vecmath.c: acq_vec_weighted_gram, both builds) against
 * a plain triple loop: column- and row-major rows, with and without the
 * implicit column of ones, both signs, d and m around its block and tile
 * sizes; only the upper triangle is written.
 */
void		acq_vec_weighted_gram_base(const double *X, int64_t ld, int colmajor, int64_t m,
									   int d, int ones_last, const double *sw, double sign,
									   double *H);
void		acq_vec_weighted_gram_avx2(const double *X, int64_t ld, int colmajor, int64_t m,
									   int d, int ones_last, const double *sw, double sign,
									   double *H);

static void
test_weighted_gram(void)
{
	static const int ds[] = {1, 2, 3, 4, 5, 17, 18, 33, 64};
	static const int64_t ms[] = {1, 3, 4, 127, 128, 129, 1000};
	bool		avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	uint64_t	seed = 12345;

	for (int a = 0; a < 9; a++)
		for (int b = 0; b < 7; b++)
			for (int layout = 0; layout < 4; layout++)
			{
				int			d = ds[a];
				int64_t		m = ms[b];
				int			colmajor = layout & 1;
				int			ones = (layout >> 1) & 1;
				int			nx = ones ? d - 1 : d;
				int64_t		ld = colmajor ? m + 3 : nx + 2;	/* padded leading dimensions */
				double	   *X = calloc((size_t) (colmajor ? ld * (nx > 0 ? nx : 1) : m * ld) + 1, sizeof(double));
				double	   *sw = malloc(sizeof(double) * m);
				double	   *ref = calloc((size_t) d * d, sizeof(double));
				double	   *got = malloc(sizeof(double) * d * d);
				double		sign = (b & 1) ? -1.0 : 1.0;
				double		scale = 0.0;

				for (int64_t i = 0; i < m; i++)
				{
					seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
					sw[i] = (double) (seed >> 11) / 9007199254740992.0;
					for (int c = 0; c < nx; c++)
					{
						seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
						X[colmajor ? c * ld + i : i * ld + c] = (double) (seed >> 11) / 4503599627370496.0 - 1.0;
					}
				}
				for (int64_t i = 0; i < m; i++)
					for (int r = 0; r < d; r++)
						for (int c = r; c < d; c++)
						{
							double		xr = r < nx ? X[colmajor ? r * ld + i : i * ld + r] : 1.0;
							double		xc = c < nx ? X[colmajor ? c * ld + i : i * ld + c] : 1.0;

							ref[r * d + c] += sign * sw[i] * sw[i] * xr * xc;
						}
				for (int k = 0; k < d * d; k++)
					scale = fmax(scale, fabs(ref[k]));
				for (int variant = 0; variant < (avx2 ? 2 : 1); variant++)
				{
					for (int k = 0; k < d * d; k++)
						got[k] = 7.0;	/* the lower triangle stays as it was */
					for (int r = 0; r < d; r++)
						for (int c = r; c < d; c++)
							got[r * d + c] = 0.0;
					(variant ? acq_vec_weighted_gram_avx2 : acq_vec_weighted_gram_base)
						(X, ld, colmajor, m, d, ones, sw, sign, got);
					for (int r = 0; r < d; r++)
						for (int c = 0; c < d; c++)
						{
							if (c < r)
								CHECK(got[r * d + c] == 7.0);
							else
								CHECK_CLOSE(got[r * d + c], ref[r * d + c], 1e-12 * fmax(1.0, scale));
						}
				}
				free(got);
				free(ref);
				free(sw);
				free(X);
			}
}

/*
 * vecmath.c's all_finite and minmax_update (both builds): every non-finite
 * value (NaN of either sign, +-Inf) at every position of short and long
 * vectors is found; subnormals, zeros and DBL_MAX are finite; the ranges
 * match a plain loop.
 */
int			acq_vec_all_finite_base(const double *x, int64_t n);
int			acq_vec_all_finite_avx2(const double *x, int64_t n);
void		acq_vec_minmax_update_base(const double *x, int n, double *lo, double *hi);
void		acq_vec_minmax_update_avx2(const double *x, int n, double *lo, double *hi);
int			acq_vec_all_within_base(const double *x, int64_t n, double bound);
int			acq_vec_all_within_avx2(const double *x, int64_t n, double bound);

static void
test_finite_and_ranges(void)
{
	bool		avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	const double bad[4] = {NAN, -NAN, INFINITY, -INFINITY};
	double		x[37];

	for (int variant = 0; variant < (avx2 ? 2 : 1); variant++)
	{
		int			(*fin) (const double *, int64_t) =
			variant ? acq_vec_all_finite_avx2 : acq_vec_all_finite_base;
		void		(*mm) (const double *, int, double *, double *) =
			variant ? acq_vec_minmax_update_avx2 : acq_vec_minmax_update_base;

		for (int n = 0; n <= 37; n++)
		{
			double		lo[37],
						hi[37];

			for (int i = 0; i < n; i++)
				x[i] = (i % 3 == 0) ? 5e-324 * i : (i % 3 == 1 ? -1.5 * i : DBL_MAX);
			CHECK(fin(x, n) == 1);
			for (int i = 0; i < n; i++)
				for (int b = 0; b < 4; b++)
				{
					double		keep = x[i];

					x[i] = bad[b];
					CHECK(fin(x, n) == 0);
					x[i] = keep;
				}
			for (int i = 0; i < n; i++)
			{
				lo[i] = 0.25 * i - 3.0;
				hi[i] = 0.5 * i - 4.0;
			}
			mm(x, n, lo, hi);
			for (int i = 0; i < n; i++)
			{
				CHECK(lo[i] == fmin(0.25 * i - 3.0, x[i]));
				CHECK(hi[i] == fmax(0.5 * i - 4.0, x[i]));
			}
		}
	}
}

/*
 * vecmath.c's all_within (both builds) against a plain loop: values at the
 * bound of either sign are within, the next double above it is not, nor is
 * a NaN (either sign) or an infinity at any position; zeros, subnormals; a
 * bound of 0; every length around the vector widths.
 */
static void
test_all_within(void)
{
	bool		avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	const double bounds[3] = {1.0e150, 3.25, 0.0};
	double		x[37];

	for (int variant = 0; variant < (avx2 ? 2 : 1); variant++)
	{
		int			(*win) (const double *, int64_t, double) =
			variant ? acq_vec_all_within_avx2 : acq_vec_all_within_base;

		for (int bi = 0; bi < 3; bi++)
		{
			double		bound = bounds[bi];
			const double bad[6] = {NAN, -NAN, INFINITY, -INFINITY, nextafter(bound, INFINITY),
				-nextafter(bound, INFINITY)};

			for (int n = 0; n <= 37; n++)
			{
				for (int i = 0; i < n; i++)
					x[i] = (i % 4 == 0) ? bound : (i % 4 == 1 ? -bound : (i % 4 == 2 ? 0.0 : -0.0));
				CHECK(win(x, n, bound) == 1);
				for (int i = 0; i < n; i++)
					for (int b = 0; b < 6; b++)
					{
						double		keep = x[i];

						x[i] = bad[b];
						CHECK(win(x, n, bound) == 0);
						x[i] = keep;
					}
				for (int i = 0; i < n; i++)
					x[i] = (i % 2 ? -5e-324 : 5e-324) * (bound > 0.0);
				CHECK(win(x, n, bound) == 1);
			}
		}
	}
}

/*
 * vecmath.c's column-major products (both builds) against plain loops:
 * every row count around the 8-row and 4-row blocks, column counts around
 * the 8- and 4-column groups, a padded leading dimension; gemv_t adds to g.
 */
void		acq_vec_cm_gemv_n_base(const double *X, int64_t ld, int64_t m, int ncol,
								   const double *d, double *z);
void		acq_vec_cm_gemv_n_avx2(const double *X, int64_t ld, int64_t m, int ncol,
								   const double *d, double *z);
void		acq_vec_cm_gemv_t_base(const double *X, int64_t ld, int64_t m, int ncol,
								   const double *r, double *g);
void		acq_vec_cm_gemv_t_avx2(const double *X, int64_t ld, int64_t m, int ncol,
								   const double *r, double *g);

static void
test_cm_gemv(void)
{
	bool		avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	static const int ncols[] = {1, 3, 4, 5, 8, 9, 12, 13, 18, 33};
	uint64_t	st = 777;

	for (int a = 0; a < 10; a++)
		for (int64_t m = 0; m <= 40; m += (m < 20 ? 1 : 7))
		{
			int			nc = ncols[a];
			int64_t		ld = m + 5;
			double	   *X = malloc(sizeof(double) * (ld * nc + 1));
			double		d[33],
						g0[33],
						g[33],
						gref[33];
			double		z[41],
						zref[41],
						r[41];

			for (int64_t i = 0; i < ld * nc; i++)
			{
				st = st * 6364136223846793005ULL + 1442695040888963407ULL;
				X[i] = (double) (st >> 11) / 4503599627370496.0 - 1.0;
			}
			for (int j = 0; j < nc; j++)
			{
				d[j] = 0.5 - 0.1 * j;
				g0[j] = 0.25 * j;
			}
			for (int64_t i = 0; i < m; i++)
				r[i] = 1.0 - 0.03 * i;
			for (int64_t i = 0; i < m; i++)
			{
				zref[i] = 0.0;
				for (int j = 0; j < nc; j++)
					zref[i] += X[j * ld + i] * d[j];
			}
			for (int j = 0; j < nc; j++)
			{
				gref[j] = g0[j];
				for (int64_t i = 0; i < m; i++)
					gref[j] += X[j * ld + i] * r[i];
			}
			for (int variant = 0; variant < (avx2 ? 2 : 1); variant++)
			{
				for (int64_t i = 0; i < m; i++)
					z[i] = NAN;
				memcpy(g, g0, sizeof(double) * nc);
				(variant ? acq_vec_cm_gemv_n_avx2 : acq_vec_cm_gemv_n_base) (X, ld, m, nc, d, z);
				(variant ? acq_vec_cm_gemv_t_avx2 : acq_vec_cm_gemv_t_base) (X, ld, m, nc, r, g);
				for (int64_t i = 0; i < m; i++)
					CHECK_CLOSE(z[i], zref[i], 1e-12 * (1.0 + fabs(zref[i])) * nc);
				for (int j = 0; j < nc; j++)
					CHECK_CLOSE(g[j], gref[j], 1e-12 * (1.0 + fabs(gref[j])) * (m + 1));
			}
			free(X);
		}
}

int
main(void)
{
	RUN(test_defaults);
	RUN(test_case_a);
	RUN(test_case_a_strong_penalty);
	RUN(test_case_a_blocks);
	RUN(test_case_b_two_blocks);
	RUN(test_case_c_separable);
	RUN(test_single_class_and_errors);
	RUN(test_intercept_only);
	RUN(test_max_iter);
	RUN(test_source_terms_and_warm_hessian);
	RUN(test_column_major);
	RUN(test_work_buffer);
	RUN(test_block_pos_and_terms_work);
	RUN(test_newton_step_guard);
	RUN(test_large_chunks);
	RUN(test_weighted_gram);
	RUN(test_finite_and_ranges);
	RUN(test_all_within);
	RUN(test_cm_gemv);
	RUN(test_timing);
	return unit_summary("test_logreg");
}
