/*
 * planrules.c -- the planners' closed-form rules (planner.h): EA's confidence
 * width (eq. 5), the effective held counts and water-filling targets of its
 * 'fill' allocation, the first round EA could not measure, and SPS's
 * separation test of the coverage rule.  Pure
 * functions of their arguments, each unit-tested (test_planner); the state
 * machine that applies them is planner.c.
 */
#include <math.h>
#include <string.h>

#include "core/planner.h"
#include "core/distributions.h"

double
acq_ea_epsilon(double u, int64_t n, double delta)
{
	double		a,
				s;

	if (n <= 1)
		return 0.0;
	a = -acq_t_quantile(delta / 2.0, (double) (n - 1));
	s = sqrt(fmax(u * (1.0 - u), 0.0));
	return a * s / sqrt((double) n);
}

double
acq_ea_effective_held(double u, int64_t n)
{
	/* 1-NN novelty of n new records against h held from one distribution: ~0.8n / (0.8n + h) */
	u = fmin(fmax(u, ACQ_EA_MIN_UTILITY), 1.0);
	return 0.8 * (double) (n > 1 ? n : 1) * (1.0 - u) / u;
}

double
acq_ea_fill_held(double u, int64_t n, int64_t held, double cap)
{
	double		h = acq_ea_effective_held(u, n);

	if (cap > 0.0 && held >= 0)
		h = fmin(h, cap * (double) (held > 1 ? held : 1));
	return h;
}

void
acq_ea_fill_targets(const double *h, int np, double budget, double *target)
{
	double	   *sorted = acq_alloc_array(np, sizeof(double));
	double		half = budget / 2.0,
				lambda,
				sum = 0.0;
	int			k;

	memcpy(sorted, h, sizeof(double) * np);
	/* insertion sort: |P| is small */
	for (int i = 1; i < np; i++)
	{
		double		v = sorted[i];
		int			j = i;

		while (j > 0 && sorted[j - 1] > v)
		{
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = v;
	}
	/* the level lambda: the k lowest levels are raised to it, spending half */
	lambda = sorted[0] + half;
	for (k = 1; k <= np; k++)
	{
		sum += sorted[k - 1];
		lambda = (half + sum) / k;
		if (k == np || lambda <= sorted[k])
			break;
	}
	for (int i = 0; i < np; i++)
		target[i] = budget / (2.0 * np) + fmax(0.0, lambda - h[i]);
	acq_free(sorted);
}

bool
acq_sps_separates(double a1, double b1, double a0, double b0, double level)
{
	double		m1 = a1 / (a1 + b1),
				m0 = a0 / (a0 + b0),
				v1 = a1 * b1 / ((a1 + b1) * (a1 + b1) * (a1 + b1 + 1.0)),
				v0 = a0 * b0 / ((a0 + b0) * (a0 + b0) * (a0 + b0 + 1.0));

	if (!(level < 1.0))
		return true;
	return m1 - m0 >= acq_normal_quantile(1.0 - level) * sqrt(v1 + v0);
}

double
acq_ea_unmeasured(const AcqPlanner *pl, int64_t few, int *count, int64_t *lo, int64_t *hi)
{
	int64_t		pool = 0;
	double		l;

	*count = 0;
	*lo = *hi = 0;
	for (int i = 0; i < pl->np; i++)
	{
		const AcqPlanPred *q = &pl->preds[i];

		if (!q->has_utility || q->utility != 0.0 || q->bought_est >= few || q->exhausted)
			continue;
		*lo = *count == 0 ? q->bought_est : (q->bought_est < *lo ? q->bought_est : *lo);
		*hi = q->bought_est > *hi ? q->bought_est : *hi;
		pool = *count == 0 ? q->pool : (q->pool < pool ? q->pool : pool);
		(*count)++;
	}
	l = fmin(1.0, ceil(100.0 * (double) few / (double) (pool > 1 ? pool : 1)) / 100.0);
	return (*count > 0 && l > pl->p.l) ? l : 0.0;
}
