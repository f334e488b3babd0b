/*
 * metrics.c -- classification, fairness and regression metrics.
 *
 * Labels and predictions of classifiers are 0/1 doubles; the positive class
 * is 1.  Definitions follow sklearn.metrics (accuracy_score, f1_score,
 * mean_squared_error, r2_score).  A metric over zero rows is NaN.
 */
#include "core/models.h"
#include "core/vecmath.h"

#include <math.h>

double
acq_accuracy(const double *y, const double *yhat, int64_t n)
{
	int64_t		hit = 0;
	int64_t		i;

	if (n <= 0)
		return NAN;
	for (i = 0; i < n; i++)
		if (y[i] == yhat[i])
			hit++;
	return (double) hit / (double) n;
}

double
acq_accuracy_int(const int *y, const int *yhat, int64_t n)
{
	int64_t		hit = 0;
	int64_t		i;

	if (n <= 0)
		return NAN;
	for (i = 0; i < n; i++)
		if (y[i] == yhat[i])
			hit++;
	return (double) hit / (double) n;
}

double
acq_f1(const double *y, const double *yhat, int64_t n)
{
	int64_t		tp = 0;
	int64_t		fp = 0;
	int64_t		fn = 0;
	int64_t		i;

	if (n <= 0)
		return NAN;
	for (i = 0; i < n; i++)
	{
		bool		pos = (y[i] == 1.0);
		bool		pred = (yhat[i] == 1.0);

		if (pos && pred)
			tp++;
		else if (pred)
			fp++;
		else if (pos)
			fn++;
	}
	/* F1 = 2 P R / (P + R) = 2 tp / (2 tp + fp + fn); 0 without tp */
	if (tp == 0)
		return 0.0;
	return (2.0 * (double) tp) / (double) (2 * tp + fp + fn);
}

/* F1 from its counts: 2 tp / (2 tp + fp + fn), 0 without tp */
static double
f1_counts(int64_t tp, int64_t fp, int64_t fn)
{
	if (tp == 0)
		return 0.0;
	return (2.0 * (double) tp) / (double) (2 * tp + fp + fn);
}

/* true positives, false positives and false negatives of class cls */
static void
class_counts(const int *y, const int *yhat, int64_t n, int cls,
			 int64_t *tp, int64_t *fp, int64_t *fn)
{
	*tp = *fp = *fn = 0;
	for (int64_t i = 0; i < n; i++)
	{
		bool		pos = (y[i] == cls);
		bool		pred = (yhat[i] == cls);

		if (pos && pred)
			(*tp)++;
		else if (pred)
			(*fp)++;
		else if (pos)
			(*fn)++;
	}
}

double
acq_f1_class(const int *y, const int *yhat, int64_t n, int cls)
{
	int64_t		tp,
				fp,
				fn;

	if (n <= 0)
		return NAN;
	class_counts(y, yhat, n, cls, &tp, &fp, &fn);
	return f1_counts(tp, fp, fn);
}

double
acq_f1_macro(const int *y, const int *yhat, int64_t n, int K)
{
	double		sum = 0.0;
	int			classes = 0;
	int			k;

	if (n <= 0 || K < 1)
		return NAN;
	/* one pass per class: K is small for the models that use this */
	for (k = 0; k < K; k++)
	{
		int64_t		tp,
					fp,
					fn;

		class_counts(y, yhat, n, k, &tp, &fp, &fn);
		if (tp + fp + fn == 0)
			continue;			/* class absent from y and yhat */
		sum += f1_counts(tp, fp, fn);
		classes++;
	}
	return classes ? sum / classes : 0.0;
}

double
acq_f1_macro_present(const int *y, const int *yhat, int64_t n, int K)
{
	double		sum = 0.0;
	int			classes = 0;
	int			k;

	/* one pass per class, as acq_f1_macro */
	for (k = 0; k < K; k++)
	{
		int64_t		tp,
					fp,
					fn;

		class_counts(y, yhat, n, k, &tp, &fp, &fn);
		if (tp + fn == 0)
			continue;			/* class absent from y */
		sum += f1_counts(tp, fp, fn);
		classes++;
	}
	return classes ? sum / classes : NAN;
}

bool
acq_tpr_gap(const double *y, const double *yhat, const double *a,
			int64_t n, double *gap)
{
	int64_t		pos[2] = {0, 0};	/* rows with y = 1, by group */
	int64_t		hit[2] = {0, 0};	/* ... and yhat = 1 */
	int64_t		i;

	*gap = 0.0;
	for (i = 0; i < n; i++)
	{
		int			g;

		if (y[i] != 1.0)
			continue;
		if (a[i] == 0.0)
			g = 0;
		else if (a[i] == 1.0)
			g = 1;
		else
			continue;			/* NaN (unknown) or not a group */
		pos[g]++;
		if (yhat[i] == 1.0)
			hit[g]++;
	}
	if (pos[0] == 0 || pos[1] == 0)
		return false;
	/* TPR(protected) - TPR(privileged) */
	*gap = (double) hit[0] / (double) pos[0] -
		(double) hit[1] / (double) pos[1];
	return true;
}

void
acq_classification_metrics(const double *y, const double *yhat, const double *a,
						   int64_t n, double *accuracy, double *f1, double *gap)
{
	int64_t		hit = 0,
				tp = 0,
				fp = 0,
				fn = 0;
	int64_t		pos[2] = {0, 0},
				phit[2] = {0, 0};
	int64_t		i;

	for (i = 0; i < n; i++)
	{
		bool		p1 = (y[i] == 1.0);
		bool		h1 = (yhat[i] == 1.0);

		hit += (y[i] == yhat[i]);
		tp += p1 & h1;
		fp += !p1 & h1;
		fn += p1 & !h1;
		if (a && p1 && (a[i] == 0.0 || a[i] == 1.0))
		{
			int			g = (a[i] == 1.0);

			pos[g]++;
			phit[g] += h1;
		}
	}
	*accuracy = n > 0 ? (double) hit / (double) n : NAN;
	*f1 = n > 0 ? f1_counts(tp, fp, fn) : NAN;
	if (a && pos[0] > 0 && pos[1] > 0)
		*gap = (double) phit[0] / (double) pos[0] - (double) phit[1] / (double) pos[1];
}

double
acq_fairness_gain(double accuracy, double gap, double lambda)
{
	return 100.0 * accuracy + lambda * gap;
}

double
acq_mse(const double *y, const double *yhat, int64_t n)
{
	double		sse = 0.0;
	int64_t		i;

	if (n <= 0)
		return NAN;
	for (i = 0; i < n; i++)
	{
		double		r = y[i] - yhat[i];

		sse += r * r;
	}
	return sse / (double) n;
}

double
acq_r2(const double *y, const double *yhat, int64_t n)
{
	double		mean = 0.0;
	double		sst = 0.0;
	double		sse = 0.0;
	int64_t		i;

	if (n <= 0)
		return NAN;
	for (i = 0; i < n; i++)
		mean += y[i];
	mean /= (double) n;
	/* R^2 = 1 - SSE / SST, two-pass SST */
	for (i = 0; i < n; i++)
	{
		double		r = y[i] - yhat[i];
		double		c = y[i] - mean;

		sse += r * r;
		sst += c * c;
	}
	/* constant y: sklearn (force_finite) gives 1 for a perfect fit, else 0 */
	if (sst == 0.0)
		return (sse == 0.0) ? 1.0 : 0.0;
	return 1.0 - sse / sst;
}

/*
 * Mean log-loss of margins z on labels y in {0, 1}: softplus(-z) for class 1,
 * softplus(z) for class 0, computed without overflow.  Class 1 is y == 1,
 * as in the metrics.  By vecmath's logistic_loss (its vector exp and log1p
 * series, as the fit's own loss), 256 rows at a time: glibc's scalar log1p
 * was a tenth of a classification search, one call per model trained.
 */
double
acq_validation_log_loss(const double *y, const double *z, int64_t n)
{
	static const double zero[256];	/* no direction: the margins z alone */
	const AcqVecOps *ops = acq_vec_ops();
	double		yy[256],
				eh[256],
				sum = 0.0;

	for (int64_t i0 = 0; i0 < n; i0 += 256)
	{
		int64_t		m = n - i0 < 256 ? n - i0 : 256;

		for (int64_t j = 0; j < m; j++)
			yy[j] = (y[i0 + j] == 1.0) ? 1.0 : 0.0;
		sum += ops->logistic_loss(z + i0, zero, 0.0, yy, eh, m);
	}
	return n > 0 ? sum / (double) n : NAN;
}
