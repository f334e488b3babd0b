/*
 * test_linreg.c -- the AcqLinStats functions against scikit-learn's
 * LinearRegression and Ridge (fixtures/linreg_fixture.h, from
 * fixtures/make_fixtures.py); the row-space solver against them and against
 * the statistics' eigen path on wide data; the limits that keep every call
 * interruptible.
 */
#include "core/models.h"
#include "unit.h"

#include <string.h>

#include "fixtures/linreg_fixture.h"

#include "hooks.h"

/* intercept in original coordinates from beta in shifted coordinates */
static double
intercept_of(const double *beta, int p, const double *shift_x, double shift_y)
{
	double		b = beta[p] + shift_y;
	int			j;

	for (j = 0; j < p; j++)
		b -= (shift_x ? shift_x[j] : 0.0) * beta[j];
	return b;
}

static double
predict_row(const double *x, int p, const double *beta,
			const double *shift_x, double shift_y)
{
	double		v = beta[p] + shift_y;
	int			j;

	for (j = 0; j < p; j++)
		v += (x[j] - (shift_x ? shift_x[j] : 0.0)) * beta[j];
	return v;
}

static AcqLinStats *
stats_of(const double *X, const double *y, int64_t n, int p,
		 const double *shift_x, double shift_y)
{
	AcqLinStats *s = acq_linstats_create(p);

	acq_linstats_accumulate(s, X, y, n, shift_x, shift_y);
	return s;
}

/* case A (300 x 5) for a given shift: coef, intercept, MSEs, label variance */
static void
check_case_a(const double *shift_x, double shift_y)
{
	AcqLinStats *tr = stats_of(LN_A_X, LN_A_Y, LN_A_N, LN_A_P, shift_x, shift_y);
	AcqLinStats *va = stats_of(LN_A_XVA, LN_A_YVA, LN_A_NVA, LN_A_P, shift_x, shift_y);
	double		beta[LN_A_P + 1];
	int			j;

	CHECK(tr->n == LN_A_N && va->n == LN_A_NVA);
	CHECK(acq_linreg_solve(tr, 0.0, beta) == ACQ_OK);
	for (j = 0; j < LN_A_P; j++)
		CHECK_REL(beta[j], LN_A_COEF[j], 1e-8);
	CHECK_REL(intercept_of(beta, LN_A_P, shift_x, shift_y), LN_A_INTERCEPT, 1e-8);
	CHECK_REL(acq_linreg_mse_stats(tr, beta), LN_A_MSE_TR, 1e-6);
	CHECK_REL(acq_linreg_mse_stats(va, beta), LN_A_MSE_VA, 1e-6);
	CHECK_REL(acq_linstats_label_var(tr), LN_A_VAR_TR, 1e-8);
	CHECK_REL(acq_linstats_label_var(va), LN_A_VAR_VA, 1e-8);
	acq_linstats_free(tr);
	acq_linstats_free(va);
}

static void
test_ols_mean_shift(void)
{
	check_case_a(LN_A_MEAN_X, LN_A_MEAN_Y);
}

static void
test_ols_other_shifts(void)
{
	double		shift[LN_A_P] = {-3.0, 1.0, 0.25, 40.0, 2.0};

	check_case_a(NULL, 0.0);
	check_case_a(shift, -10.0);
}

/* statistics add and subtract; copy; zero */
static void
test_add_sub_copy(void)
{
	const double *mx = LN_A_MEAN_X;
	double		my = LN_A_MEAN_Y;
	int			d = LN_A_P + 1;
	AcqLinStats *all = stats_of(LN_A_X, LN_A_Y, LN_A_N, LN_A_P, mx, my);
	AcqLinStats *s1 = stats_of(LN_A_X, LN_A_Y, 120, LN_A_P, mx, my);
	AcqLinStats *s2 = stats_of(LN_A_X + 120 * LN_A_P, LN_A_Y + 120,
							   LN_A_N - 120, LN_A_P, mx, my);
	AcqLinStats *va = stats_of(LN_A_XVA, LN_A_YVA, LN_A_NVA, LN_A_P, mx, my);
	AcqLinStats *t = acq_linstats_create(LN_A_P);
	double		beta[LN_A_P + 1];
	int			i;
	int			j;

	/* s1 + s2 = all */
	acq_linstats_copy(t, s1);
	acq_linstats_add(t, s2);
	CHECK(t->n == all->n);
	CHECK_REL(t->yty, all->yty, 1e-12);
	for (i = 0; i < d; i++)
	{
		CHECK_CLOSE(t->zty[i], all->zty[i], 1e-9);
		for (j = 0; j < d; j++)
		{
			CHECK_CLOSE(t->ztz[i * d + j], all->ztz[i * d + j], 1e-9);
			CHECK(t->ztz[i * d + j] == t->ztz[j * d + i]);	/* symmetric */
		}
	}

	/* all - s2 = s1: the fit on the first 120 rows */
	acq_linstats_copy(t, all);
	acq_linstats_sub(t, s2);
	CHECK(t->n == 120);
	CHECK(acq_linreg_solve(t, 0.0, beta) == ACQ_OK);
	for (j = 0; j < LN_A_P; j++)
		CHECK_REL(beta[j], LN_A1_COEF[j], 1e-7);
	CHECK_REL(intercept_of(beta, LN_A_P, mx, my), LN_A1_INTERCEPT, 1e-7);
	CHECK_REL(acq_linreg_mse_stats(va, beta), LN_A1_MSE_VA, 1e-6);

	/* accumulating twice into one object = s1 then s2 */
	acq_linstats_zero(t);
	CHECK(t->n == 0 && t->yty == 0.0 && t->zty[0] == 0.0 && t->ztz[d * d - 1] == 0.0);
	acq_linstats_accumulate(t, LN_A_X, LN_A_Y, 120, mx, my);
	acq_linstats_accumulate(t, LN_A_X + 120 * LN_A_P, LN_A_Y + 120,
							LN_A_N - 120, mx, my);
	CHECK(acq_linreg_solve(t, 0.0, beta) == ACQ_OK);
	for (j = 0; j < LN_A_P; j++)
		CHECK_REL(beta[j], LN_A_COEF[j], 1e-8);
	for (i = 0; i < d; i++)
		for (j = 0; j < i; j++)
			CHECK(t->ztz[i * d + j] == t->ztz[j * d + i]);

	acq_linstats_free(all);
	acq_linstats_free(s1);
	acq_linstats_free(s2);
	acq_linstats_free(va);
	acq_linstats_free(t);
}

static void
check_ridge(double alpha, const double *coef, double intercept, double mse_va)
{
	AcqLinStats *tr = stats_of(LN_A_X, LN_A_Y, LN_A_N, LN_A_P, LN_A_MEAN_X, LN_A_MEAN_Y);
	AcqLinStats *va = stats_of(LN_A_XVA, LN_A_YVA, LN_A_NVA, LN_A_P, LN_A_MEAN_X, LN_A_MEAN_Y);
	double		beta[LN_A_P + 1];
	int			j;

	CHECK(acq_linreg_solve(tr, alpha, beta) == ACQ_OK);
	for (j = 0; j < LN_A_P; j++)
		CHECK_REL(beta[j], coef[j], 1e-8);
	CHECK_REL(intercept_of(beta, LN_A_P, LN_A_MEAN_X, LN_A_MEAN_Y), intercept, 1e-8);
	CHECK_REL(acq_linreg_mse_stats(va, beta), mse_va, 1e-6);
	acq_linstats_free(tr);
	acq_linstats_free(va);

	/* the ridge solution does not depend on the shift either */
	tr = stats_of(LN_A_X, LN_A_Y, LN_A_N, LN_A_P, NULL, 0.0);
	CHECK(acq_linreg_solve(tr, alpha, beta) == ACQ_OK);
	for (j = 0; j < LN_A_P; j++)
		CHECK_REL(beta[j], coef[j], 1e-7);
	CHECK_REL(intercept_of(beta, LN_A_P, NULL, 0.0), intercept, 1e-7);
	acq_linstats_free(tr);
}

static void
test_ridge(void)
{
	check_ridge(LN_R25_ALPHA, LN_R25_COEF, LN_R25_INTERCEPT, LN_R25_MSE_VA);
	check_ridge(LN_R100_ALPHA, LN_R100_COEF, LN_R100_INTERCEPT, LN_R100_MSE_VA);
}

/*
 * case D: column 4 duplicates column 1 and column 5 is 2 * column 0; lstsq
 * (LinearRegression) returns the minimum-norm coefficients.
 */
static void
check_rank_deficient(const double *shift_x, double shift_y, bool coef_too)
{
	AcqLinStats *tr = stats_of(LN_D_X, LN_D_Y, LN_D_N, LN_D_P, shift_x, shift_y);
	AcqLinStats *va = stats_of(LN_D_XVA, LN_D_YVA, LN_D_NVA, LN_D_P, shift_x, shift_y);
	double		beta[LN_D_P + 1];
	int			i;
	int			j;

	CHECK(acq_linreg_solve(tr, 0.0, beta) == ACQ_OK);
	if (coef_too)
	{
		for (j = 0; j < LN_D_P; j++)
			CHECK_CLOSE(beta[j], LN_D_COEF[j], 1e-8);
		CHECK_CLOSE(intercept_of(beta, LN_D_P, shift_x, shift_y),
					LN_D_INTERCEPT, 1e-8);
	}
	for (i = 0; i < LN_D_NVA; i++)
		CHECK_CLOSE(predict_row(LN_D_XVA + i * LN_D_P, LN_D_P, beta, shift_x, shift_y),
					LN_D_PRED_VA[i], 1e-8);
	CHECK_REL(acq_linreg_mse_stats(tr, beta), LN_D_MSE_TR, 1e-6);
	CHECK_REL(acq_linreg_mse_stats(va, beta), LN_D_MSE_VA, 1e-6);
	acq_linstats_free(tr);
	acq_linstats_free(va);
}

static void
test_rank_deficient(void)
{
	double		shift[LN_D_P] = {0.5, -1.0, 2.0, 1.0, 3.0, -4.0};

	/* with the mean shift (sklearn centres too) the coefficients agree */
	check_rank_deficient(LN_D_MEAN_X, LN_D_MEAN_Y, true);
	/* the null space has no intercept part with shift 0 either */
	check_rank_deficient(NULL, 0.0, true);
	/* any other shift: another least-squares solution, same predictions */
	check_rank_deficient(shift, 1.0, false);
}

/* a feature constant at its shift is a zero column: coefficient 0 */
static void
test_zero_column(void)
{
	int			p = LN_A_P + 1;
	double	   *X = malloc(sizeof(double) * LN_A_N * p);
	double		shift[LN_A_P + 1];
	double		beta[LN_A_P + 2];
	AcqLinStats *s;
	int			i;
	int			j;

	for (i = 0; i < LN_A_N; i++)
	{
		for (j = 0; j < LN_A_P; j++)
			X[i * p + j] = LN_A_X[i * LN_A_P + j];
		X[i * p + LN_A_P] = 7.0;
	}
	memcpy(shift, LN_A_MEAN_X, sizeof(double) * LN_A_P);
	shift[LN_A_P] = 7.0;
	s = stats_of(X, LN_A_Y, LN_A_N, p, shift, LN_A_MEAN_Y);
	CHECK(acq_linreg_solve(s, 0.0, beta) == ACQ_OK);
	for (j = 0; j < LN_A_P; j++)
		CHECK_REL(beta[j], LN_A_COEF[j], 1e-8);
	CHECK(fabs(beta[LN_A_P]) < 1e-12);
	CHECK_REL(intercept_of(beta, p, shift, LN_A_MEAN_Y), LN_A_INTERCEPT, 1e-8);
	acq_linstats_free(s);

	/* a constant column not at its shift is collinear with the intercept */
	shift[LN_A_P] = 0.0;
	s = stats_of(X, LN_A_Y, LN_A_N, p, shift, LN_A_MEAN_Y);
	CHECK(acq_linreg_solve(s, 0.0, beta) == ACQ_OK);
	for (j = 0; j < LN_A_P; j++)
		CHECK_REL(beta[j], LN_A_COEF[j], 1e-8);
	CHECK_REL(acq_linreg_mse_stats(s, beta), LN_A_MSE_TR, 1e-6);
	acq_linstats_free(s);
	free(X);
}

/* p = 0: the intercept-only model predicts the mean */
static void
test_intercept_only(void)
{
	double		y[4] = {1.0, 2.0, 4.0, 9.0};
	double		beta[1];
	AcqLinStats *s = acq_linstats_create(0);

	acq_linstats_accumulate(s, NULL, y, 4, NULL, 3.0);
	CHECK(acq_linreg_solve(s, 1.0, beta) == ACQ_OK);
	CHECK_CLOSE(beta[0] + 3.0, 4.0, 1e-14);
	CHECK_CLOSE(acq_linreg_mse_stats(s, beta), 9.5, 1e-12);
	CHECK_CLOSE(acq_linstats_label_var(s), 9.5, 1e-12);
	acq_linstats_free(s);
}

static void
test_errors(void)
{
	AcqLinStats *s = acq_linstats_create(3);
	double		beta[4] = {1.0, 1.0, 1.0, 1.0};

	CHECK(acq_linreg_solve(s, 0.0, beta) == ACQ_ERR_EMPTY);
	CHECK(beta[0] == 0.0 && beta[3] == 0.0);
	CHECK(isnan(acq_linstats_label_var(s)));
	CHECK(isnan(acq_linreg_mse_stats(s, beta)));
	acq_linstats_accumulate(s, LN_A_X, LN_A_Y, 10, NULL, 0.0);	/* p = 3 view */
	CHECK(acq_linreg_solve(s, -1.0, beta) == ACQ_ERR_ARGUMENT);
	CHECK(acq_linreg_solve(s, 0.0, beta) == ACQ_OK);
	s->ztz[5] = NAN;
	CHECK(acq_linreg_solve(s, 0.0, beta) == ACQ_ERR_ARGUMENT);
	acq_linstats_free(s);
	CHECK(acq_linstats_create(-1) == NULL);
	acq_linstats_free(NULL);
}

/* more rows than a chunk: the statistics equal naive sums */
static void
test_large_chunks(void)
{
	int64_t		n = 10001;
	int			p = 7;
	int			d = p + 1;
	double	   *X = malloc(sizeof(double) * n * p);
	double	   *y = malloc(sizeof(double) * n);
	double		shift[7] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
	double		ztz[64];
	double		zty[8];
	double		yty = 0.0;
	double		beta[8];
	AcqSplitMix sm = {123};
	AcqRng		rng = {acq_splitmix_next, &sm};
	AcqLinStats *s;
	int64_t		i;
	int			j;
	int			k;

	for (i = 0; i < n * p; i++)
		X[i] = acq_rng_double(&rng) * 4.0 - 1.0;
	for (i = 0; i < n; i++)
		y[i] = X[i * p] - 2.0 * X[i * p + 3] + acq_rng_double(&rng);

	memset(ztz, 0, sizeof(ztz));
	memset(zty, 0, sizeof(zty));
	for (i = 0; i < n; i++)
	{
		double		z[8];
		double		u = y[i] - 0.5;

		for (j = 0; j < p; j++)
			z[j] = X[i * p + j] - shift[j];
		z[p] = 1.0;
		for (j = 0; j < d; j++)
		{
			zty[j] += z[j] * u;
			for (k = 0; k < d; k++)
				ztz[j * d + k] += z[j] * z[k];
		}
		yty += u * u;
	}

	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = 0;
	s = stats_of(X, y, n, p, shift, 0.5);
	CHECK(s->n == n);
	CHECK_REL(s->yty, yty, 1e-12);
	for (j = 0; j < d; j++)
	{
		CHECK_REL(s->zty[j], zty[j], 1e-10);
		for (k = 0; k < d; k++)
			CHECK_REL(s->ztz[j * d + k], ztz[j * d + k], 1e-10);
	}
	CHECK(acq_linreg_solve(s, 0.0, beta) == ACQ_OK);
	CHECK_CLOSE(beta[0], 1.0, 0.05);
	CHECK_CLOSE(beta[3], -2.0, 0.05);
	/* residual variance of a U(0,1) noise: 1/12 */
	CHECK_CLOSE(acq_linreg_mse_stats(s, beta), 1.0 / 12.0, 0.005);
	acq_linstats_free(s);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	acq_set_hooks(NULL);
	free(X);
	free(y);
}

/* ---- the row space ----------------------------------------------------------- */

/* n x p rows and labels from a seeded generator; y depends on a few features */
static void
random_problem(uint64_t seed, int n, int p, double *X, double *y)
{
	AcqSplitMix sm = {seed};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int			i;
	int			j;

	for (i = 0; i < n * p; i++)
		X[i] = acq_rng_double(&rng) * 4.0 - 1.5 + (i % p) * 0.5;
	for (i = 0; i < n; i++)
	{
		y[i] = 3.0 + acq_rng_double(&rng);
		for (j = 0; j < p && j < 4; j++)
			y[i] += (j + 1.0) * X[i * p + j];
	}
}

/* the largest |a_i - b_i| over max(|b|): beta agreement, relative to its size */
static double
rel_diff(const double *a, const double *b, int n)
{
	double		num = 0.0;
	double		den = 0.0;
	int			i;

	for (i = 0; i < n; i++)
	{
		num = fmax(num, fabs(a[i] - b[i]));
		den = fmax(den, fabs(b[i]));
	}
	return num / fmax(den, 1e-300);
}

/*
 * The row-space fit equals the statistics' fit (whose wide case is the
 * eigendecomposition's minimum-norm solution): coefficients and validation
 * MSE, with the mean shift and without.
 */
static void
check_rows_vs_stats(const double *X, const double *y, int n, int p,
					const double *Xva, const double *yva, int nva,
					double alpha, double tol)
{
	double	   *shift = calloc(p, sizeof(double));
	double	   *b_stats = malloc(sizeof(double) * (p + 1));
	double	   *b_rows = malloc(sizeof(double) * (p + 1));
	double		shift_y = 0.0;
	AcqBlock	tr = {X, y, NULL, n};
	AcqBlock	va = {Xva, yva, NULL, nva};
	int			pass;
	int			i;
	int			j;

	for (i = 0; i < n; i++)
	{
		for (j = 0; j < p; j++)
			shift[j] += X[i * p + j] / n;
		shift_y += y[i] / n;
	}
	for (pass = 0; pass < 2; pass++)
	{
		const double *sx = pass ? shift : NULL;
		double		sy = pass ? shift_y : 0.0;
		AcqLinStats *st = stats_of(X, y, n, p, sx, sy);
		AcqLinStats *sv = stats_of(Xva, yva, nva, p, sx, sy);

		CHECK(acq_linreg_solve(st, alpha, b_stats) == ACQ_OK);
		CHECK(acq_linreg_solve_rows(&tr, 1, p, alpha, sx, sy, b_rows) == ACQ_OK);
		CHECK(rel_diff(b_rows, b_stats, p) <= tol);
		/* the intercept mean(y) - mean(x).w, to the size of its terms */
		{
			double		b = intercept_of(b_stats, p, sx, sy);
			double		scale = fabs(b);

			for (j = 0; j < p; j++)
				scale += fabs(shift[j] * b_stats[j]);
			CHECK_CLOSE(intercept_of(b_rows, p, sx, sy), b, tol * scale);
		}
		CHECK_REL(acq_linreg_mse_rows(&va, p, b_rows, sx, sy),
				  acq_linreg_mse_stats(sv, b_stats), tol);
		CHECK_REL(acq_linreg_mse_rows(&va, p, b_rows, sx, sy),
				  acq_linreg_mse_stats(sv, b_rows), 1e-9);
		acq_linstats_free(st);
		acq_linstats_free(sv);
	}
	free(shift);
	free(b_stats);
	free(b_rows);
}

/* wide: 6 rows of 15 features, and 12 of 40; least squares and ridge */
static void
test_rows_wide(void)
{
	int			sizes[][2] = {{6, 15}, {12, 40}, {3, 2}};
	int			k;

	for (k = 0; k < 3; k++)
	{
		int			n = sizes[k][0];
		int			p = sizes[k][1];
		double	   *X = malloc(sizeof(double) * n * p);
		double	   *y = malloc(sizeof(double) * n);
		double	   *Xva = malloc(sizeof(double) * 20 * p);
		double	   *yva = malloc(sizeof(double) * 20);
		double	   *beta = malloc(sizeof(double) * (p + 1));
		AcqBlock	tr = {X, y, NULL, n};
		int			i;

		random_problem(11 + k, n, p, X, y);
		random_problem(99 + k, 20, p, Xva, yva);
		check_rows_vs_stats(X, y, n, p, Xva, yva, 20, 0.0, 1e-9);
		check_rows_vs_stats(X, y, n, p, Xva, yva, 20, 0.5, 1e-9);
		check_rows_vs_stats(X, y, n, p, Xva, yva, 20, 25.0, 1e-9);

		/* fewer rows than features: least squares fits the rows exactly */
		CHECK(acq_linreg_solve_rows(&tr, 1, p, 0.0, NULL, 0.0, beta) == ACQ_OK);
		for (i = 0; i < n; i++)
			CHECK_CLOSE(predict_row(X + i * p, p, beta, NULL, 0.0), y[i], 1e-9 * fabs(y[i]) + 1e-9);
		CHECK(acq_linreg_mse_rows(&tr, p, beta, NULL, 0.0) < 1e-18);
		free(X);
		free(y);
		free(Xva);
		free(yva);
		free(beta);
	}
}

/* tall data through the row space (pinv of a rank-p Gram): scikit-learn's fits */
static void
test_rows_tall(void)
{
	double		beta[LN_D_P + 1];
	AcqBlock	a = {LN_A_X, LN_A_Y, NULL, LN_A_N};
	AcqBlock	ava = {LN_A_XVA, LN_A_YVA, NULL, LN_A_NVA};
	AcqBlock	dd = {LN_D_X, LN_D_Y, NULL, LN_D_N};
	AcqBlock	dva = {LN_D_XVA, LN_D_YVA, NULL, LN_D_NVA};
	AcqBlock	halves[2] = {{LN_A_X, LN_A_Y, NULL, 120},
	{LN_A_X + 120 * LN_A_P, LN_A_Y + 120, NULL, LN_A_N - 120}};
	int			j;

	CHECK(acq_linreg_solve_rows(&a, 1, LN_A_P, 0.0, LN_A_MEAN_X, LN_A_MEAN_Y, beta) == ACQ_OK);
	for (j = 0; j < LN_A_P; j++)
		CHECK_REL(beta[j], LN_A_COEF[j], 1e-8);
	CHECK_REL(intercept_of(beta, LN_A_P, LN_A_MEAN_X, LN_A_MEAN_Y), LN_A_INTERCEPT, 1e-8);
	CHECK_REL(acq_linreg_mse_rows(&ava, LN_A_P, beta, LN_A_MEAN_X, LN_A_MEAN_Y), LN_A_MSE_VA, 1e-8);

	/* the rows in two blocks: the same fit */
	CHECK(acq_linreg_solve_rows(halves, 2, LN_A_P, 0.0, NULL, 0.0, beta) == ACQ_OK);
	for (j = 0; j < LN_A_P; j++)
		CHECK_REL(beta[j], LN_A_COEF[j], 1e-8);
	CHECK_REL(intercept_of(beta, LN_A_P, NULL, 0.0), LN_A_INTERCEPT, 1e-8);

	/* ridge */
	CHECK(acq_linreg_solve_rows(&a, 1, LN_A_P, LN_R25_ALPHA, LN_A_MEAN_X, LN_A_MEAN_Y, beta) == ACQ_OK);
	for (j = 0; j < LN_A_P; j++)
		CHECK_REL(beta[j], LN_R25_COEF[j], 1e-8);
	CHECK_REL(intercept_of(beta, LN_A_P, LN_A_MEAN_X, LN_A_MEAN_Y), LN_R25_INTERCEPT, 1e-8);

	/* rank deficient (duplicate and scaled columns): the minimum-norm coefficients */
	CHECK(acq_linreg_solve_rows(&dd, 1, LN_D_P, 0.0, LN_D_MEAN_X, LN_D_MEAN_Y, beta) == ACQ_OK);
	for (j = 0; j < LN_D_P; j++)
		CHECK_CLOSE(beta[j], LN_D_COEF[j], 1e-8);
	CHECK_CLOSE(intercept_of(beta, LN_D_P, LN_D_MEAN_X, LN_D_MEAN_Y), LN_D_INTERCEPT, 1e-8);
	CHECK_REL(acq_linreg_mse_rows(&dva, LN_D_P, beta, LN_D_MEAN_X, LN_D_MEAN_Y), LN_D_MSE_VA, 1e-8);
}

/*
 * Wide and rank deficient: repeated rows (with other labels: no exact fit),
 * a duplicated column, a constant column; the same minimum-norm fit both
 * ways, and the constant column's weight exactly 0.
 */
static void
test_rows_rank_deficient(void)
{
	int			n = 8;
	int			p = 20;
	double		X[8 * 20];
	double		y[8];
	double		Xva[10 * 20];
	double		yva[10];
	double		beta[21];
	double		shift[20];
	AcqBlock	tr = {X, y, NULL, 8};
	int			i;

	random_problem(5, n, p, X, y);
	random_problem(6, 10, p, Xva, yva);
	for (i = 0; i < p; i++)
	{
		X[5 * p + i] = X[1 * p + i];	/* row 5 repeats row 1 ... */
		X[7 * p + i] = X[1 * p + i];	/* ... and so does row 7 */
	}
	y[5] = y[1] + 1.0;
	y[7] = y[1] - 0.25;
	for (i = 0; i < n; i++)
	{
		X[i * p + 9] = X[i * p + 3];	/* column 9 duplicates column 3 */
		X[i * p + 12] = 7.5;	/* column 12 is constant */
	}
	for (i = 0; i < 10; i++)
		Xva[i * p + 9] = Xva[i * p + 3];
	check_rows_vs_stats(X, y, n, p, Xva, yva, 10, 0.0, 1e-9);
	check_rows_vs_stats(X, y, n, p, Xva, yva, 10, 1e-3, 1e-9);
	check_rows_vs_stats(X, y, n, p, Xva, yva, 10, 3.0, 1e-9);

	for (i = 0; i < p; i++)
		shift[i] = 0.25 * i;
	CHECK(acq_linreg_solve_rows(&tr, 1, p, 0.0, shift, 1.0, beta) == ACQ_OK);
	CHECK(beta[12] == 0.0);
	CHECK_REL(beta[9], beta[3], 1e-9);	/* the minimum norm splits them evenly */
	/* the repeated rows' fit is their mean label */
	CHECK_CLOSE(predict_row(X + 1 * p, p, beta, shift, 1.0), (y[1] + y[5] + y[7]) / 3.0, 1e-9);

	/* one row, and rows all alike: the intercept-only model */
	tr.n = 1;
	CHECK(acq_linreg_solve_rows(&tr, 1, p, 0.0, shift, 1.0, beta) == ACQ_OK);
	for (i = 0; i < p; i++)
		CHECK(beta[i] == 0.0);
	CHECK_CLOSE(intercept_of(beta, p, shift, 1.0), y[0], 1e-12);
}

/* argument errors, empty input, and the limits that keep calls interruptible */
static void
test_rows_errors_and_limits(void)
{
	double		X[4] = {1.0, 2.0, 3.0, 5.0};
	double		y[4] = {1.0, 0.0, 2.0, 1.0};
	double		beta[3] = {9.0, 9.0, 9.0};
	AcqBlock	b = {X, y, NULL, 2};
	AcqBlock	none = {X, y, NULL, 0};

	CHECK(acq_linreg_solve_rows(&b, 1, 2, -1.0, NULL, 0.0, beta) == ACQ_ERR_ARGUMENT);
	CHECK(beta[0] == 0.0 && beta[2] == 0.0);
	CHECK(acq_linreg_solve_rows(&none, 1, 2, 0.0, NULL, 0.0, beta) == ACQ_ERR_EMPTY);
	CHECK(acq_linreg_solve_rows(&b, 1, 2, INFINITY, NULL, 0.0, beta) == ACQ_ERR_ARGUMENT);
	CHECK(isnan(acq_linreg_mse_rows(&none, 2, beta, NULL, 0.0)));
	CHECK(acq_linreg_rows_memory(24, 10000) < 4e6);
	CHECK(acq_linreg_rows_memory(1000, 10) > 2 * 8e6);
	CHECK(acq_linstats_memory(10000) > 8e8);
}

/*
 * A rank-deficient fit whose eigendecomposition would exceed
 * ACQ_LINREG_MAX_EIGEN is refused, in the row space (repeated rows) and
 * from statistics (a duplicated column); allocations are all freed.
 */
static void
test_eigen_limit(void)
{
	int			n = ACQ_LINREG_MAX_EIGEN + 2;
	int			p = ACQ_LINREG_MAX_EIGEN + 50;
	double	   *X = malloc(sizeof(double) * n * p);
	double	   *y = malloc(sizeof(double) * n);
	double	   *beta = malloc(sizeof(double) * (n > p ? n : p) * 2);
	AcqBlock	b = {X, y, NULL, n};
	AcqLinStats *s;
	int			i;

	random_problem(21, n, p, X, y);
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	/* full rank: solved (and the rows fitted exactly) */
	CHECK(acq_linreg_solve_rows(&b, 1, p, 0.0, NULL, 0.0, beta) == ACQ_OK);
	CHECK_CLOSE(predict_row(X + 3 * p, p, beta, NULL, 0.0), y[3], 1e-6);
	CHECK(n_interrupts >= 3);
	/* a repeated row with another label: refused */
	memcpy(X + (n - 1) * p, X, sizeof(double) * p);
	y[n - 1] = y[0] + 1.0;
	CHECK(acq_linreg_solve_rows(&b, 1, p, 0.0, NULL, 0.0, beta) == ACQ_ERR_TOO_LARGE);
	CHECK(beta[0] == 0.0 && beta[p] == 0.0);
	/* ... which ridge solves */
	CHECK(acq_linreg_solve_rows(&b, 1, p, 0.1, NULL, 0.0, beta) == ACQ_OK);

	/* statistics of p' = n - 1 features, two of them equal: refused too */
	s = acq_linstats_create(n - 1);
	for (i = 0; i < n; i++)
		X[i * (n - 1) + 5] = X[i * (n - 1) + 4];	/* rows of n - 1 in X's memory */
	acq_linstats_accumulate(s, X, y, n, NULL, 0.0);
	CHECK(acq_linreg_solve(s, 0.0, beta) == ACQ_ERR_TOO_LARGE);
	acq_linstats_free(s);
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);
	free(X);
	free(y);
	free(beta);
}

/*
 * A Gram matrix above LINREG_CHOL_BLOCKED (2048) is factorised in tiles,
 * with interrupt polls between them: the fit still interpolates the rows.
 */
static void
test_blocked_cholesky(void)
{
	int			n = 2100;
	int			p = 2150;
	double	   *X = malloc(sizeof(double) * n * p);
	double	   *y = malloc(sizeof(double) * n);
	double	   *beta = malloc(sizeof(double) * (p + 1));
	AcqBlock	b = {X, y, NULL, n};
	double		worst = 0.0;
	int			i;

	random_problem(31, n, p, X, y);
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	CHECK(acq_linreg_solve_rows(&b, 1, p, 0.0, NULL, 0.0, beta) == ACQ_OK);
	/* 9 tiles of 256: 8 panels and their trailing columns */
	CHECK(n_interrupts > 8 + 36);
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);
	for (i = 0; i < n; i++)
		worst = fmax(worst, fabs(predict_row(X + (size_t) i * p, p, beta, NULL, 0.0) - y[i]));
	CHECK(worst < 1e-6);
	free(X);
	free(y);
	free(beta);
}

/* statistics of wide rows are accumulated in chunks small enough to poll between */
static void
test_accumulate_polls(void)
{
	int			p = 1500;
	int			n = 2000;
	double	   *X = malloc(sizeof(double) * n * p);
	double	   *y = malloc(sizeof(double) * n);
	AcqLinStats *s = acq_linstats_create(p);

	random_problem(41, n, p, X, y);
	acq_set_hooks(&counting_hooks);
	n_interrupts = 0;
	acq_linstats_accumulate(s, X, y, n, NULL, 0.0);
	/* 5e8 * 2 / 1501^2 = 443 rows a chunk: five chunks, a poll between each two */
	CHECK(n_interrupts == 4);
	CHECK(s->n == n);
	acq_set_hooks(NULL);
	acq_linstats_free(s);
	free(X);
	free(y);
}

int
main(void)
{
	RUN(test_ols_mean_shift);
	RUN(test_ols_other_shifts);
	RUN(test_add_sub_copy);
	RUN(test_ridge);
	RUN(test_rank_deficient);
	RUN(test_zero_column);
	RUN(test_intercept_only);
	RUN(test_errors);
	RUN(test_large_chunks);
	RUN(test_rows_wide);
	RUN(test_rows_tall);
	RUN(test_rows_rank_deficient);
	RUN(test_rows_errors_and_limits);
	RUN(test_eigen_limit);
	RUN(test_blocked_cholesky);
	RUN(test_accumulate_polls);
	return unit_summary("test_linreg");
}
