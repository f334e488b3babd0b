/*
 * test_softmax.c -- acq_softmax_* against scikit-learn's multinomial
 * LogisticRegression (fixtures/softmax_fixture.h, from
 * fixtures/make_models_fixture.py), plus the optimality condition on
 * generated data larger than the chunk size.
 */
#include "core/softmax.h"
#include "core/models.h"
#include "unit.h"

#include <setjmp.h>
#include <string.h>

#include "fixtures/softmax_fixture.h"

#include "hooks.h"

/* the fit's tolerance here: max |grad| <= 1e-10 * C n */
#define TOL 1e-10

/*
 * Coefficients (W, d x K) and intercepts (b) within rtol of the largest
 * reference magnitude; the model's classes are cols[0..kref-1].
 */
static double
coef_deviation(const AcqSoftmax *m, const double *W, const double *b,
			   const int *cols, int kref)
{
	double		scale = 0.0;
	double		dev = 0.0;
	int			j,
				c;

	for (c = 0; c < kref; c++)
	{
		for (j = 0; j < m->d; j++)
			scale = fmax(scale, fabs(W[j * kref + c]));
		scale = fmax(scale, fabs(b[c]));
	}
	for (c = 0; c < kref; c++)
	{
		for (j = 0; j < m->d; j++)
			dev = fmax(dev, fabs(m->W[j * m->K + cols[c]] - W[j * kref + c]));
		dev = fmax(dev, fabs(m->b[cols[c]] - b[c]));
	}
	return dev / scale;
}

static void
fit_case(double C, const double *W, const double *b, const double *want_proba,
		 const int *want_pred, double want_acc, bool scaled)
{
	static const int cols[SM_K] = {0, 1, 2, 3};
	AcqSoftmax	m;
	char		err[128] = "";
	int			pred[SM_NTE];
	double		proba[SM_NTE * SM_K];
	double		dev;
	int			same = 0;
	int			i;

	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = n_pending = 0;
	if (scaled)
		CHECK(acq_softmax_fit_scaled(SM_X, SM_Y, SM_N, SM_D, SM_K, C, 1000, TOL, NULL, &m,
									 err, sizeof(err)) == ACQ_OK);
	else
		CHECK(acq_softmax_fit(SM_X, SM_Y, SM_N, SM_D, SM_K, C, 1000, TOL, &m,
							  err, sizeof(err)) == ACQ_OK);
	CHECK(m.converged && m.iterations > 0 && m.iterations < 500);
	CHECK(m.d == SM_D && m.K == SM_K);
	/* once per iteration and before every chunk of rows (one here) of every evaluation */
	CHECK(n_pending > m.iterations);

	dev = coef_deviation(&m, W, b, cols, SM_K);
	printf("  C=%g%s: %d iterations, max |coef - sklearn| / max |coef| = %.2g\n",
		   C, scaled ? " (full scaling)" : "", m.iterations, dev);
	CHECK(dev <= 1e-4);
	CHECK(dev <= 1e-6);			/* in fact much closer */

	acq_softmax_predict(&m, SM_XTE, SM_NTE, pred);
	acq_softmax_predict_proba(&m, SM_XTE, SM_NTE, proba);
	for (i = 0; i < SM_NTE; i++)
		same += (pred[i] == want_pred[i]);
	CHECK(same >= 0.99 * SM_NTE);
	CHECK(same == SM_NTE);
	for (i = 0; i < SM_NTE * SM_K; i++)
		CHECK_CLOSE(proba[i], want_proba[i], 1e-6);
	CHECK_CLOSE(acq_accuracy_int(SM_YTE, pred, SM_NTE), want_acc, 1e-15);

	acq_softmax_free(&m);
	CHECK(m.W == NULL);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	acq_set_hooks(NULL);
}

static void
test_c1(void)
{
	fit_case(SM_C1_C, SM_C1_W, SM_C1_B, SM_C1_PROBA_TE, SM_C1_PRED_TE,
			 SM_C1_ACC_TE, false);
	fit_case(SM_C1_C, SM_C1_W, SM_C1_B, SM_C1_PROBA_TE, SM_C1_PRED_TE,
			 SM_C1_ACC_TE, true);
}

static void
test_c005(void)
{
	fit_case(SM_C005_C, SM_C005_W, SM_C005_B, SM_C005_PROBA_TE,
			 SM_C005_PRED_TE, SM_C005_ACC_TE, false);
	fit_case(SM_C005_C, SM_C005_W, SM_C005_B, SM_C005_PROBA_TE,
			 SM_C005_PRED_TE, SM_C005_ACC_TE, true);
}

/* class 2 has no training row: the others match sklearn's 3-class fit */
static void
test_absent_class(void)
{
	static const int cols[3] = {0, 1, 3};
	AcqSoftmax	m;
	int			pred[SM_NTE];
	double		proba[SM_NTE * SM_K];
	int			i,
				j;
	int			same = 0;

	CHECK(acq_softmax_fit(SM_ABS_X, SM_ABS_Y, SM_ABS_N, SM_D, SM_K, 1.0,
						  1000, TOL, &m, NULL, 0) == ACQ_OK);
	CHECK(coef_deviation(&m, SM_ABS_W, SM_ABS_B, cols, 3) <= 1e-6);
	CHECK(m.b[2] == ACQ_SOFTMAX_ABSENT_B);
	for (j = 0; j < SM_D; j++)
		CHECK(m.W[j * SM_K + 2] == 0.0);
	acq_softmax_predict(&m, SM_XTE, SM_NTE, pred);
	acq_softmax_predict_proba(&m, SM_XTE, SM_NTE, proba);
	for (i = 0; i < SM_NTE; i++)
	{
		same += (pred[i] == SM_ABS_PRED_TE[i]);
		CHECK(pred[i] != 2);
		CHECK(proba[i * SM_K + 2] == 0.0);
		CHECK_CLOSE(proba[i * SM_K] + proba[i * SM_K + 1] + proba[i * SM_K + 3],
					1.0, 1e-12);
	}
	CHECK(same == SM_NTE);
	acq_softmax_free(&m);
}

static void
test_single_class_and_errors(void)
{
	double		X[6] = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
	int			y1[3] = {2, 2, 2};
	int			ybad[3] = {0, 1, 3};
	int			pred[3];
	double		proba[9];
	AcqSoftmax	m;
	char		err[128] = "";

	CHECK(acq_softmax_fit(X, y1, 3, 2, 3, 1.0, 100, TOL, &m, err, sizeof(err))
		  == ACQ_ERR_SINGLE_CLASS);
	CHECK(strstr(err, "single class") != NULL);
	CHECK(m.W != NULL && m.b[2] == 0.0 && m.b[0] == ACQ_SOFTMAX_ABSENT_B);
	acq_softmax_predict(&m, X, 3, pred);
	CHECK(pred[0] == 2 && pred[1] == 2 && pred[2] == 2);
	acq_softmax_predict_proba(&m, X, 3, proba);
	CHECK(proba[2] == 1.0 && proba[0] == 0.0);
	acq_softmax_free(&m);
	acq_softmax_free(&m);		/* idempotent */

	CHECK(acq_softmax_fit(X, ybad, 3, 2, 3, 1.0, 100, TOL, &m, err, sizeof(err))
		  == ACQ_ERR_ARGUMENT);
	CHECK(m.W == NULL);
	CHECK(acq_softmax_fit(X, y1, 0, 2, 3, 1.0, 100, TOL, &m, NULL, 0)
		  == ACQ_ERR_EMPTY);
	CHECK(acq_softmax_fit(X, y1, 3, 2, 3, 0.0, 100, TOL, &m, NULL, 0)
		  == ACQ_ERR_ARGUMENT);
	CHECK(acq_softmax_fit(X, y1, 3, 2, 0, 1.0, 100, TOL, &m, NULL, 0)
		  == ACQ_ERR_ARGUMENT);
	CHECK(acq_softmax_fit(X, y1, 3, 2, 3, 1.0, -1, TOL, &m, NULL, 0)
		  == ACQ_ERR_ARGUMENT);
	{
		double		Xnan[6] = {1.0, NAN, 3.0, 4.0, 5.0, 6.0};
		int			y[3] = {0, 1, 0};

		CHECK(acq_softmax_fit(Xnan, y, 3, 2, 2, 1.0, 100, TOL, &m, err,
							  sizeof(err)) == ACQ_ERR_ARGUMENT);
		CHECK(m.W == NULL);
	}
	acq_softmax_free(&m);
}

/* d = 0: the intercept-only model, P(k) = class frequency */
static void
test_intercept_only(void)
{
	int			y[6] = {0, 1, 1, 2, 2, 2};
	double		proba[3];
	AcqSoftmax	m;

	CHECK(acq_softmax_fit(NULL, y, 6, 0, 3, 1.0, 100, TOL, &m, NULL, 0) == ACQ_OK);
	CHECK(m.iterations == 0);	/* the starting point is the optimum */
	acq_softmax_predict_proba(&m, NULL, 1, proba);
	CHECK_CLOSE(proba[0], 1.0 / 6.0, 1e-12);
	CHECK_CLOSE(proba[1], 2.0 / 6.0, 1e-12);
	CHECK_CLOSE(proba[2], 3.0 / 6.0, 1e-12);
	acq_softmax_free(&m);
}

static void
test_max_iter(void)
{
	AcqSoftmax	m;
	char		err[128] = "";

	CHECK(acq_softmax_fit(SM_X, SM_Y, SM_N, SM_D, SM_K, 1.0, 2, TOL, &m,
						  err, sizeof(err)) == ACQ_ERR_NO_CONVERGENCE);
	CHECK(m.iterations == 2 && !m.converged);
	CHECK(strstr(err, "not converged") != NULL);
	CHECK(isfinite(m.W[0]) && isfinite(m.b[0]));
	acq_softmax_free(&m);
	CHECK(acq_softmax_fit(SM_X, SM_Y, SM_N, SM_D, SM_K, 1.0, 0, TOL, &m,
						  NULL, 0) == ACQ_ERR_NO_CONVERGENCE);
	CHECK(m.iterations == 0 && m.W[0] == 0.0);
	acq_softmax_free(&m);
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

/* n rows, d features, K classes drawn from a random softmax model */
static void
make_data(uint64_t seed, int64_t n, int d, int K, double *X, int *y)
{
	AcqSplitMix sm = {seed};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *Wt = malloc(sizeof(double) * d * K);
	double	   *z = malloc(sizeof(double) * K);
	int64_t		i;
	int			j,
				k;

	for (j = 0; j < d * K; j++)
		Wt[j] = 0.5 * gauss(&rng);
	for (i = 0; i < n; i++)
	{
		double		s = 0.0;
		double		u;

		for (j = 0; j < d; j++)
			X[i * d + j] = gauss(&rng) * (1.0 + j % 3);
		for (k = 0; k < K; k++)
		{
			z[k] = 0.1 * k;
			for (j = 0; j < d; j++)
				z[k] += X[i * d + j] * Wt[j * K + k];
			z[k] = exp(fmin(z[k], 50.0));
			s += z[k];
		}
		u = acq_rng_double(&rng) * s;
		for (k = 0; k < K - 1 && u >= z[k]; k++)
			u -= z[k];
		y[i] = k;
	}
	free(Wt);
	free(z);
}

/* max |gradient| recomputed naively in long double, relative to C n */
static double
naive_grad_max(const double *X, const int *y, int64_t n, int d, int K,
			   double C, const AcqSoftmax *m)
{
	long double *g = calloc((size_t) (d + 1) * K, sizeof(long double));
	long double *z = calloc(K, sizeof(long double));
	double		gmax = 0.0;
	int64_t		i;
	int			j,
				k;

	for (i = 0; i < n; i++)
	{
		long double s = 0.0L;

		for (k = 0; k < K; k++)
		{
			z[k] = m->b[k];
			for (j = 0; j < d; j++)
				z[k] += (long double) X[i * d + j] * m->W[j * K + k];
			z[k] = expl(z[k]);
			s += z[k];
		}
		for (k = 0; k < K; k++)
		{
			long double r = z[k] / s - (y[i] == k ? 1.0L : 0.0L);

			for (j = 0; j < d; j++)
				g[j * K + k] += r * X[i * d + j];
			g[d * K + k] += r;
		}
	}
	for (j = 0; j < (d + 1) * K; j++)
	{
		long double gj = C * g[j] + (j < d * K ? m->W[j] : 0.0);

		gmax = fmax(gmax, fabs((double) gj));
	}
	free(g);
	free(z);
	return gmax / (C * (double) n);
}

static void
test_large_chunks(void)
{
	int64_t		n = 9001;
	int			d = 12;
	int			K = 5;
	double	   *X = malloc(sizeof(double) * n * d);
	int		   *y = malloc(sizeof(int) * n);
	int		   *pred = malloc(sizeof(int) * n);
	double		bsum = 0.0;
	double		gmax;
	double		gfloor;
	AcqSoftmax	m;
	int			k;

	make_data(42, n, d, K, X, y);
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = n_pending = 0;
	CHECK(acq_softmax_fit(X, y, n, d, K, 2.0, 1000, 1e-8, &m, NULL, 0) == ACQ_OK);
	/* polled once per iteration, and before each of the 3 chunks of every evaluation */
	CHECK(n_pending > m.iterations && m.iterations > 0);
	acq_softmax_predict(&m, X, n, pred);
	gmax = naive_grad_max(X, y, n, d, K, 2.0, &m);
	CHECK(gmax <= 1.01e-8);
	acq_softmax_free(&m);

	/*
	 * A tolerance below the rounding floor: the fit stops where f cannot
	 * decrease in double precision, and calls that converged; the gradient
	 * is then at the floor, about sqrt(eps |f| lambda_max) / (C n).
	 */
	CHECK(acq_softmax_fit(X, y, n, d, K, 2.0, 1000, 1e-14, &m, NULL, 0) == ACQ_OK);
	CHECK(m.converged);
	gfloor = naive_grad_max(X, y, n, d, K, 2.0, &m);
	CHECK(gfloor <= 1e-8);
	printf("  gradient / (C n): %.2g at tol 1e-8, %.2g at tol 1e-14 (%d iterations)\n",
		   gmax, gfloor, m.iterations);
	for (k = 0; k < K; k++)
		bsum += m.b[k];
	CHECK_CLOSE(bsum, 0.0, 1e-12);	/* centred intercepts */
	printf("  %ld x %d, %d classes: %d iterations, training accuracy %.3f\n",
		   (long) n, d, K, m.iterations, acq_accuracy_int(y, pred, n));
	CHECK(acq_accuracy_int(y, pred, n) > 0.5);
	acq_softmax_free(&m);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	acq_set_hooks(NULL);
	free(X);
	free(y);
	free(pred);
}

/*
 * A cancel that arrives while L-BFGS evaluates f, between two chunks of
 * rows: the evaluation and the line search give up without touching the
 * rows again, lbfgs returns, and then (never inside liblbfgs) the host's
 * check is called, which jumps out as PostgreSQL's ERROR would.
 */
static jmp_buf cancel_jump;
static long cancel_from;
static long polls_after;

static bool
cancel_pending(void)
{
	n_pending++;
	if (n_pending > cancel_from)
		polls_after++;
	return n_pending >= cancel_from;
}

static void
cancel_check(void)
{
	n_interrupts++;
	if (n_pending >= cancel_from)
		longjmp(cancel_jump, 1);
}

/*
 * A cancel longjmps out of the core, as ereport does in the server, where the
 * memory context then frees what the core held: here the blocks still live
 * are freed after the jump (so that the sanitizers' leak check sees none).
 */
#define MAX_LIVE 256
static void *live[MAX_LIVE];

static void *
live_alloc(size_t size)
{
	void	   *p = count_alloc(size);

	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] == NULL)
		{
			live[i] = p;
			return p;
		}
	abort();
}

static void
live_free(void *p)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] == p)
			live[i] = NULL;
	count_free(p);
}

static void
free_live(void)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] != NULL)
		{
			free(live[i]);
			live[i] = NULL;
		}
}

static void
test_cancel_mid_evaluation(void)
{
	static const AcqHooks cancel_hooks = {live_alloc, live_free, cancel_check, cancel_pending, NULL};
	int64_t		n = 9001;		/* 3 chunks: 3 polls an evaluation */
	int			d = 12;
	int			K = 5;
	double	   *X = malloc(sizeof(double) * n * d);
	int		   *y = malloc(sizeof(int) * n);
	AcqSoftmax	m;
	volatile bool jumped = false;

	make_data(42, n, d, K, X, y);
	acq_set_hooks(&cancel_hooks);
	n_pending = n_interrupts = 0;
	polls_after = 0;
	/*
	 * polls 1-3: the starting point's f (outside L-BFGS); 4-6: L-BFGS's own
	 * evaluation of it; 7-9: the first line search's; so 8 is inside
	 * L-BFGS, before the second chunk of rows
	 */
	cancel_from = 8;
	if (setjmp(cancel_jump) == 0)
		(void) acq_softmax_fit(X, y, n, d, K, 2.0, 1000, 1e-8, &m, NULL, 0);
	else
		jumped = true;
	CHECK(jumped);
	CHECK(n_interrupts == 1);	/* checked once, after lbfgs returned */
	CHECK(polls_after == 0);	/* no chunk of rows after the cancel */
	acq_set_hooks(NULL);
	free_live();				/* what the server's memory context would free */
	free(X);
	free(y);
}

/*
 * The full scaling on correlated features (each a common factor plus a
 * little noise of its own): the same optimum as the diagonal scaling, to the
 * tolerance (the gradient recomputed in long double), in fewer iterations;
 * from a start too; and every allocation freed.
 */
static void
test_full_scaling(void)
{
	int64_t		n = 3000;
	int			d = 40,
				K = 5;
	double	   *X = malloc(sizeof(double) * n * d);
	int		   *y = malloc(sizeof(int) * n);
	double	   *pd = malloc(sizeof(double) * n * K);
	double	   *pf = malloc(sizeof(double) * n * K);
	AcqSoftmax	md,
				mf,
				ms;
	double		dev = 0.0;

	make_data(7, n, d, K, X, y);
	for (int64_t i = 0; i < n; i++)
		for (int j = 1; j < d; j++)
			X[i * d + j] = X[i * d] + 0.05 * X[i * d + j];
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = 0;
	CHECK(acq_softmax_fit(X, y, n, d, K, 1.0, 5000, 1e-6, &md, NULL, 0) == ACQ_OK);
	CHECK(acq_softmax_fit_scaled(X, y, n, d, K, 1.0, 5000, 1e-6, NULL, &mf, NULL, 0) == ACQ_OK);
	CHECK(md.converged && mf.converged);
	CHECK(naive_grad_max(X, y, n, d, K, 1.0, &md) <= 1e-6 * 1.01);
	CHECK(naive_grad_max(X, y, n, d, K, 1.0, &mf) <= 1e-6 * 1.01);
	acq_softmax_predict_proba(&md, X, n, pd);
	acq_softmax_predict_proba(&mf, X, n, pf);
	for (int64_t i = 0; i < n * K; i++)
		dev = fmax(dev, fabs(pd[i] - pf[i]));
	printf("  correlated features: %d iterations diagonal, %d full; max |proba difference| %.2g\n",
		   md.iterations, mf.iterations, dev);
	CHECK(dev <= 1e-4);
	CHECK(2 * mf.iterations < md.iterations);
	/* from its own optimum: at most a step or two */
	CHECK(acq_softmax_fit_scaled(X, y, n, d, K, 1.0, 5000, 1e-6, &mf, &ms, NULL, 0) == ACQ_OK);
	CHECK(ms.iterations <= 2);
	acq_softmax_free(&md);
	acq_softmax_free(&mf);
	acq_softmax_free(&ms);
	/* features so large that the Gram matrix overflows: as the diagonal scaling does */
	for (int e = 0; e < 2; e++)
	{
		double		scale = e == 0 ? 1e100 : 1e160;
		AcqStatus	sd,
					sf;

		for (int64_t i = 0; i < 200 * 3; i++)
			X[i] = scale * (double) ((i * 7919) % 23 - 11);
		for (int64_t i = 0; i < 200; i++)
			y[i] = (int) (i % 2);
		sd = acq_softmax_fit(X, y, 200, 3, 2, 1.0, 200, 1e-4, &md, NULL, 0);
		sf = acq_softmax_fit_scaled(X, y, 200, 3, 2, 1.0, 200, 1e-4, NULL, &mf, NULL, 0);
		printf("  features of %g: status %d diagonal, %d full\n", scale, (int) sd, (int) sf);
		CHECK(sd == sf);
		acq_softmax_free(&md);
		acq_softmax_free(&mf);
	}
	CHECK(n_alloc > 0 && n_alloc == n_free);
	acq_set_hooks(NULL);
	free(X);
	free(y);
	free(pd);
	free(pf);
}

int
main(void)
{
	RUN(test_c1);
	RUN(test_c005);
	RUN(test_absent_class);
	RUN(test_single_class_and_errors);
	RUN(test_intercept_only);
	RUN(test_max_iter);
	RUN(test_large_chunks);
	RUN(test_full_scaling);
	RUN(test_cancel_mid_evaluation);
	return unit_summary("test_softmax");
}
