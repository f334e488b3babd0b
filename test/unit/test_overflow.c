/*
 * test_overflow.c -- numeric edges (issue 18): where the squares of a
 * regression's data overflow float8 (acq_linreg_means, acq_linreg_overflow,
 * acq_regression_overflow), the evaluator's refusal of such data and of a model
 * whose squared errors overflow (never a perfect or NaN score), scale-free
 * results below the limit, and binning's and softmax's messages.
 */
#include "unit.h"

#include <float.h>
#include <string.h>

#include "core/nearest.h"
#include "core/overflow.h"
#include "core/select.h"
#include "core/softmax.h"

#include "hooks.h"

#define N 20

/* two sources of N/2 rows and a validation set of N rows, 2 features */
typedef struct Data
{
	double		X[N * 2];
	double		y[N];
	double		Xv[N * 2];
	double		yv[N];
	AcqBlock	src[2];
	AcqBlock	val;
} Data;

static void
make_data(Data *d, double xs_train, double xs_val, double ys)
{
	for (int i = 0; i < N; i++)
	{
		double		a = sin(i + 1.0),
					b = cos(i + 1.0);

		d->X[2 * i] = a * xs_train;
		d->X[2 * i + 1] = b * xs_train;
		d->y[i] = (a - b + 0.1 * sin(7.0 * (i + 1))) * ys;
		d->Xv[2 * i] = (a + 0.1) * xs_val;
		d->Xv[2 * i + 1] = (b - 0.1) * xs_val;
		d->yv[i] = (a - b + 0.2 + 0.1 * cos(5.0 * (i + 1))) * ys;
	}
	d->src[0] = (AcqBlock) {d->X, d->y, NULL, N / 2};
	d->src[1] = (AcqBlock) {d->X + N, d->y + N / 2, NULL, N / 2};
	d->val = (AcqBlock) {d->Xv, d->yv, NULL, N};
}

/* the evaluator's check, its shift discarded */
static bool
eval_overflow(const Data *d, AcqOverflow *w)
{
	double		shift[2],
				yshift;

	return acq_regression_overflow(2, 2, d->src, &d->val, shift, &yshift, w);
}

static AcqEvaluator *
regression(const Data *d, char *err, size_t errlen)
{
	AcqEvalConfig cfg;

	acq_eval_default_config(&cfg);
	cfg.task = ACQ_TASK_REGRESSION;
	return acq_eval_create(2, 2, d->src, &d->val, &cfg, err, errlen);
}

static void
test_where(void)
{
	Data		d;
	AcqOverflow w;
	double		mx[2],
				my;

	make_data(&d, 1.0, 1.0, 1.0);
	CHECK(acq_linreg_means(d.src, 2, 2, mx, &my, &w));
	CHECK(!acq_linreg_overflow(d.src, 2, 2, mx, my, &w));
	CHECK(!eval_overflow(&d, &w));

	/* one label of 1e200 in source 1: its square overflows */
	d.y[15] = 1e200;
	CHECK(acq_linreg_overflow(d.src, 2, 2, NULL, 0.0, &w));
	CHECK(w.column == -1 && w.block == 1 && w.magnitude == 1e200);
	CHECK(eval_overflow(&d, &w));
	CHECK(w.column == -1 && w.block == 1);

	/* feature 2 of 1e200 in source 0 */
	make_data(&d, 1.0, 1.0, 1.0);
	d.X[2 * 3 + 1] = -1e200;
	CHECK(acq_linreg_overflow(d.src, 2, 2, NULL, 0.0, &w));
	CHECK(w.column == 1 && w.block == 0 && w.magnitude == 1e200);

	/* labels of 1e308: the mean itself overflows */
	make_data(&d, 1.0, 1.0, 1.0);
	for (int i = 0; i < N; i++)
		d.y[i] = 1e308;
	CHECK(!acq_linreg_means(d.src, 2, 2, mx, &my, &w));
	CHECK(w.column == -1 && w.magnitude == 1e308);

	/* only the validation labels: block m (2) */
	make_data(&d, 1.0, 1.0, 1.0);
	for (int i = 0; i < N; i++)
		d.yv[i] = (i % 2) ? 1e308 : -1e308;
	CHECK(eval_overflow(&d, &w));
	CHECK(w.block == 2 && w.column == -1 && w.magnitude == 1e308);
}

static void
test_refused(void)
{
	Data		d;
	char		err[256];

	/* labels +-1e308: was gain 100, mse 0, r2 1 */
	make_data(&d, 1.0, 1.0, 1.0);
	for (int i = 0; i < N; i++)
	{
		d.y[i] = d.y[i] > 0 ? 1e308 : -1e308;
		d.yv[i] = d.yv[i] > 0 ? 1e308 : -1e308;
	}
	err[0] = '\0';
	CHECK(regression(&d, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "labels") != NULL && strstr(err, "overflow") != NULL);

	/* features near 1e307: was mse 0, r2 1 */
	make_data(&d, 1e307, 1e307, 1.0);
	err[0] = '\0';
	CHECK(regression(&d, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "features") != NULL);
}

/* the error handler: what the evaluator reports */
static int	n_errors = 0;
static AcqStatus last_error = ACQ_OK;

static void
on_error(void *arg, AcqStatus st, const char *msg)
{
	n_errors++;
	last_error = st;
	CHECK(strstr(msg, "overflow") != NULL);
}

static void
test_prediction_overflow(void)
{
	Data		d;
	char		err[256];
	AcqEvaluator *ev;
	AcqSet		s = acq_set_from_mask(3);
	const AcqEvalEntry *e;
	AcqOverflow w;

	/* slope ~1e100 from training features near 1e-100; validation near 1e150 */
	make_data(&d, 1e-100, 1e150, 1.0);
	CHECK(!eval_overflow(&d, &w));
	ev = regression(&d, err, sizeof(err));
	CHECK(ev != NULL);
	if (ev == NULL)
		return;
	acq_eval_set_error_handler(ev, on_error, NULL);
	e = acq_eval_get(ev, &s);
	CHECK(isnan(e->gain) && isnan(e->mse) && isnan(e->r2));
	CHECK(n_errors == 1 && last_error == ACQ_ERR_OVERFLOW);
	CHECK(acq_eval_status(ev, err, sizeof(err)) == ACQ_ERR_OVERFLOW);
	CHECK(acq_set_eq(acq_eval_scoring(ev), &s));
	acq_eval_free(ev);
}

/* below the limit, the scores do not depend on the scale */
static void
test_scale_free(void)
{
	Data		d;
	char		err[256];
	double		g[3],
				r2[3];
	double		scale[3][2] = {{1.0, 1.0}, {1e150, 1.0}, {1.0, 1e150}};
	AcqSet		s = acq_set_from_mask(3);

	for (int k = 0; k < 3; k++)
	{
		AcqEvaluator *ev;
		const AcqEvalEntry *e;

		make_data(&d, scale[k][0], scale[k][0], scale[k][1]);
		ev = regression(&d, err, sizeof(err));
		CHECK(ev != NULL);
		if (ev == NULL)
			return;
		e = acq_eval_get(ev, &s);
		g[k] = e->gain;
		r2[k] = e->r2;
		CHECK(isfinite(e->mse) && e->mse > 0.0);
		acq_eval_free(ev);
	}
	CHECK(r2[0] > 0.5 && r2[0] < 1.0);
	CHECK_REL(g[1], g[0], 1e-12);
	CHECK_REL(g[2], g[0], 1e-12);
	CHECK_REL(r2[1], r2[0], 1e-12);
	CHECK_REL(r2[2], r2[0], 1e-12);
}

/* an MSE of overflowed statistics is NaN, not the 0 of a perfect fit */
static void
test_mse_stats_nan(void)
{
	AcqLinStats *s = acq_linstats_create(1);
	double		x[2] = {1e200, -1e200};
	double		y[2] = {1.0, 2.0};
	double		beta[2] = {1.0, 0.0};

	acq_linstats_accumulate(s, x, y, 2, NULL, 0.0);
	CHECK(!isfinite(s->ztz[0]));
	CHECK(isnan(acq_linreg_mse_stats(s, beta)));
	acq_linstats_free(s);
}

static void
test_binning_messages(void)
{
	double		hard[4] = {0.0, 1.0, 2.0, 3.0};
	int			features[1] = {0};
	int			cand[2] = {2, 4};
	AcqBinning *b = NULL;
	char		err[256];

	CHECK(acq_binning_fit(hard, 4, NULL, 0, 1, features, 0, cand, 2, 2, &b, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(strstr(err, "1 to 1024 features, not 0") != NULL);
	CHECK(acq_binning_fit(hard, 4, NULL, 0, 1, features, 1, cand, 0, 2, &b, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(strstr(err, "candidate") != NULL && strstr(err, "features") == NULL);
	CHECK(acq_binning_fit(hard, 4, NULL, 0, 1, features, 1, cand, 2, 0, &b, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(strstr(err, "min_bins >= 1, not 0") != NULL);
	CHECK(acq_binning_fit(hard, 4, NULL, 0, 1, features, 1, cand, 2, 2, &b, err, sizeof(err)) == ACQ_OK);
	acq_binning_free(b);
}

int
main(void)
{
	acq_set_hooks(&counting_hooks);
	RUN(test_where);
	RUN(test_refused);
	RUN(test_prediction_overflow);
	RUN(test_scale_free);
	RUN(test_mse_stats_nan);
	RUN(test_binning_messages);
	CHECK(n_alloc == n_free);
	return unit_summary("test_overflow");
}
