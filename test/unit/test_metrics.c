/*
 * test_metrics.c -- the metrics against sklearn.metrics
 * (fixtures/metrics_fixture.h, from fixtures/make_fixtures.py) and small
 * hand-computed cases.
 */
#include "core/models.h"
#include "unit.h"

#include "fixtures/metrics_fixture.h"

static void
test_fixture_classification(void)
{
	double		a[MT_N];
	double		gap = 99.0;
	int			i;

	CHECK_CLOSE(acq_accuracy(MT_Y, MT_YHAT, MT_N), MT_ACC, 1e-15);
	CHECK_CLOSE(acq_f1(MT_Y, MT_YHAT, MT_N), MT_F1, 1e-15);
	/* the fixture marks unknown sensitive attributes with -1 */
	for (i = 0; i < MT_N; i++)
		a[i] = (MT_A[i] < 0.0) ? NAN : MT_A[i];
	CHECK(acq_tpr_gap(MT_Y, MT_YHAT, a, MT_N, &gap));
	CHECK_CLOSE(gap, MT_TPR_GAP, 1e-15);
}

static void
test_fixture_regression(void)
{
	CHECK_REL(acq_mse(MT_YR, MT_YP, MT_N), MT_MSE, 1e-12);
	CHECK_REL(acq_r2(MT_YR, MT_YP, MT_N), MT_R2, 1e-12);
}

static void
test_hand_classification(void)
{
	/*
	 * y    1 1 1 0 0 1 1 0
	 * yhat 1 0 1 1 0 1 0 0
	 * a    0 0 0 1 1 1 1 NaN
	 * tp = 3, fp = 1, fn = 2: accuracy 5/8, F1 = 6 / 9.
	 * protected (a=0) positives: rows 0,1,2, hits 2 -> TPR 2/3;
	 * privileged (a=1) positives: rows 5,6, hits 1 -> TPR 1/2.
	 */
	double		y[8] = {1, 1, 1, 0, 0, 1, 1, 0};
	double		yhat[8] = {1, 0, 1, 1, 0, 1, 0, 0};
	double		a[8] = {0, 0, 0, 1, 1, 1, 1, NAN};
	double		gap = 0.0;

	CHECK_CLOSE(acq_accuracy(y, yhat, 8), 5.0 / 8.0, 1e-15);
	CHECK_CLOSE(acq_f1(y, yhat, 8), 6.0 / 9.0, 1e-15);
	CHECK(acq_tpr_gap(y, yhat, a, 8, &gap));
	CHECK_CLOSE(gap, 2.0 / 3.0 - 1.0 / 2.0, 1e-15);
	CHECK_CLOSE(acq_fairness_gain(0.625, gap, 10.0),
				62.5 + 10.0 * (2.0 / 3.0 - 0.5), 1e-12);
	CHECK(acq_fairness_gain(0.8, -0.2, 0.0) == 80.0);
	CHECK_CLOSE(acq_fairness_gain(0.8, -0.2, 50.0), 70.0, 1e-12);
}

static void
test_edge_cases(void)
{
	double		y[4] = {0, 0, 1, 1};
	double		zeros[4] = {0, 0, 0, 0};
	double		a_priv[4] = {1, 1, 1, 1};
	double		a_nan[4] = {NAN, NAN, 0, NAN};
	double		c[3] = {2.0, 2.0, 2.0};
	double		d[3] = {2.0, 2.0, 3.0};
	double		gap = 5.0;

	/* no true positives: F1 = 0 (sklearn's zero_division) */
	CHECK(acq_f1(y, zeros, 4) == 0.0);
	CHECK(acq_f1(zeros, zeros, 4) == 0.0);
	CHECK(acq_accuracy(y, zeros, 4) == 0.5);
	/* a group without positive rows: no gap */
	CHECK(!acq_tpr_gap(y, y, a_priv, 4, &gap));
	CHECK(gap == 0.0);
	gap = 5.0;
	CHECK(!acq_tpr_gap(y, y, a_nan, 4, &gap));
	CHECK(gap == 0.0);
	/* perfect prediction */
	CHECK(acq_mse(y, y, 4) == 0.0);
	CHECK(acq_r2(y, y, 4) == 1.0);
	/* constant y: r2 1 if perfect, else 0 (sklearn force_finite) */
	CHECK(acq_r2(c, c, 3) == 1.0);
	CHECK(acq_r2(c, d, 3) == 0.0);
	CHECK_CLOSE(acq_mse(c, d, 3), 1.0 / 3.0, 1e-15);
	/* r2 can be negative */
	CHECK_CLOSE(acq_r2(y, zeros, 4), 1.0 - 2.0 / 1.0, 1e-15);
	/* no rows: NaN */
	CHECK(isnan(acq_accuracy(y, y, 0)));
	CHECK(isnan(acq_f1(y, y, 0)));
	CHECK(isnan(acq_mse(y, y, 0)));
	CHECK(isnan(acq_r2(y, y, 0)));
	CHECK(!acq_tpr_gap(y, y, a_priv, 0, &gap));
}

/* the one-pass metrics agree with acq_accuracy, acq_f1 and acq_tpr_gap */
static void
test_one_pass(void)
{
	uint64_t	st = 99;

	for (int trial = 0; trial < 200; trial++)
	{
		int64_t		n = trial % 37;
		double		y[40],
					yh[40],
					a[40];
		double		acc,
					f1,
					gap = -7.0,
					ref;
		bool		have;

		for (int64_t i = 0; i < n; i++)
		{
			st = st * 6364136223846793005ULL + 1442695040888963407ULL;
			y[i] = (double) ((st >> 33) & 1);
			yh[i] = (double) ((st >> 34) & 1);
			a[i] = ((st >> 35) & 3) == 3 ? NAN : (double) ((st >> 36) & 1);
			if (trial % 5 == 0)
				a[i] = 1.0;		/* one group only: no gap */
		}
		acq_classification_metrics(y, yh, trial % 2 ? a : NULL, n, &acc, &f1, &gap);
		if (n == 0)
			CHECK(isnan(acc) && isnan(f1));
		else
		{
			CHECK(acc == acq_accuracy(y, yh, n));
			CHECK(f1 == acq_f1(y, yh, n));
		}
		have = acq_tpr_gap(y, yh, a, n, &ref);
		if (trial % 2 && have)
			CHECK(gap == ref);
		else
			CHECK(gap == -7.0);
	}
}

/*
 * Macro F1 over the true labels present:
 * y    0 0 1 1 2 2
 * yhat 0 1 1 1 0 3
 * class 0: tp 1, fp 1, fn 1 -> 2/4; class 1: tp 2, fp 1 -> 4/5; class 2:
 * no tp -> 0; class 3 is predicted but absent from y: it does not count
 * (acq_f1_macro counts it, as 0).
 */
static void
test_f1_macro_present_hand(void)
{
	int			y[6] = {0, 0, 1, 1, 2, 2};
	int			yhat[6] = {0, 1, 1, 1, 0, 3};
	int			y_out[4] = {0, 7, -1, 0};
	int			yhat_out[4] = {0, 0, 0, 1};
	int			none[2] = {5, -3};

	CHECK_CLOSE(acq_f1_macro_present(y, yhat, 6, 4), (0.5 + 0.8 + 0.0) / 3.0, 1e-15);
	CHECK_CLOSE(acq_f1_macro(y, yhat, 6, 4), (0.5 + 0.8 + 0.0 + 0.0) / 4.0, 1e-15);
	/* every class right: 1 */
	CHECK(acq_f1_macro_present(y, y, 6, 3) == 1.0);
	/*
	 * labels outside 0..K-1 belong to no class (but a prediction of class 0
	 * on such a row is a false positive of class 0): class 0 has tp 1, fp 2,
	 * fn 1 -> 2/5; class 1 is not in y
	 */
	CHECK_CLOSE(acq_f1_macro_present(y_out, yhat_out, 4, 2), 2.0 / 5.0, 1e-15);
	/* no class present: NaN */
	CHECK(isnan(acq_f1_macro_present(y, yhat, 0, 4)));
	CHECK(isnan(acq_f1_macro_present(y, yhat, 6, 0)));
	CHECK(isnan(acq_f1_macro_present(none, none, 2, 4)));
}

/* the mean of acq_f1_class over the classes of y, exactly */
static void
test_f1_macro_present_classes(void)
{
	uint64_t	st = 7;

	for (int trial = 0; trial < 300; trial++)
	{
		int64_t		n = trial % 41;
		int			K = 1 + trial % 6;
		int			y[41],
					yh[41];
		double		sum = 0.0;
		int			np = 0;

		for (int64_t i = 0; i < n; i++)
		{
			st = st * 6364136223846793005ULL + 1442695040888963407ULL;
			y[i] = (int) ((st >> 33) % (uint64_t) K);
			yh[i] = (int) ((st >> 40) % (uint64_t) (K + 1)) - (trial % 3 == 0);
		}
		for (int c = 0; c < K; c++)
		{
			bool		present = false;

			for (int64_t i = 0; i < n; i++)
				present |= (y[i] == c);
			if (present)
			{
				sum += acq_f1_class(y, yh, n, c);
				np++;
			}
		}
		if (np == 0)
			CHECK(isnan(acq_f1_macro_present(y, yh, n, K)));
		else
			CHECK(acq_f1_macro_present(y, yh, n, K) == sum / np);
	}
}

int
main(void)
{
	RUN(test_fixture_classification);
	RUN(test_fixture_regression);
	RUN(test_hand_classification);
	RUN(test_edge_cases);
	RUN(test_one_pass);
	RUN(test_f1_macro_present_hand);
	RUN(test_f1_macro_present_classes);
	return unit_summary("test_metrics");
}
