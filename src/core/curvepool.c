/*
 * curvepool.c -- partial pooling of the slices' learning curves: exponents
 * shrunk toward a common one with empirical-Bayes weights, or one common
 * curve (curvepool.h).
 */
#include "core/curvepool.h"

#include <math.h>
#include <string.h>

static inline bool
usable(double n, double loss)
{
	return n >= 1.0 && isfinite(n) && isfinite(loss) && loss > 0.0;
}

/*
 * The slope of one slice's nested points under the nested design's noise
 * model: consecutive points j < j+1 (by count) give the pair slope
 * d_j = (y_{j+1} - y_j) / (x_{j+1} - x_j), independent of the other pairs,
 * with variance s^2 v_j, v_j = (1/n_j - 1/n_{j+1}) / (x_{j+1} - x_j)^2.  The
 * weighted mean of the d_j is the slope (*beta), sum 1/v_j its precision
 * over s^2 (*prec), and sum (d_j - beta)^2 / v_j the residual (*rss) on
 * (pairs - 1) degrees of freedom.  Returns the number of pairs.
 */
static int
nested_slope(const double *n, const double *loss, int m, double *beta, double *prec, double *rss)
{
	double		sw = 0.0,
				swd = 0.0,
				px = 0.0,
				py = 0.0,
				pn = 0.0;
	int			pairs = 0,
				have = 0;
	double		d[64],
				v[64];

	*beta = *prec = *rss = 0.0;
	for (int i = 0; i < m && pairs < 64; i++)
	{
		double		x,
					y;

		if (!usable(n[i], loss[i]))
			continue;
		x = log(n[i]);
		y = log(loss[i]);
		if (have && n[i] > pn)
		{
			double		dx = x - px;

			d[pairs] = (y - py) / dx;
			v[pairs] = (1.0 / pn - 1.0 / n[i]) / (dx * dx);
			sw += 1.0 / v[pairs];
			swd += d[pairs] / v[pairs];
			pairs++;
		}
		if (!have || n[i] > pn)
		{
			px = x;
			py = y;
			pn = n[i];
			have = 1;
		}
	}
	if (pairs == 0)
		return 0;
	*beta = swd / sw;
	*prec = sw;
	for (int j = 0; j < pairs; j++)
		*rss += (d[j] - *beta) * (d[j] - *beta) / v[j];
	return pairs;
}

void
acq_curve_pool(int np, int points, const double *pt_n, const double *pt_loss,
			   const AcqCurveFitKind *kind, AcqCurvePooling mode, double min_exponent,
			   double *a, double *b, double *w, AcqCurvePoolStats *stats)
{
	double	   *beta = acq_alloc_array(np > 0 ? np : 1, sizeof(double));
	double	   *prec = acq_alloc_array(np > 0 ? np : 1, sizeof(double));
	int		   *pairs = acq_alloc_array(np > 0 ? np : 1, sizeof(int));
	double		gx = 0.0,
				gy = 0.0,
				rss = 0.0,
				df = 0.0,
				mean_beta = 0.0,
				a0,
				b0;
	int			gk = 0,
				ns = 0;

	stats->a0 = stats->b0 = stats->sigma2 = stats->tau2 = stats->learning_t = NAN;
	stats->slopes = 0;
	stats->learning = -1;
	for (int p = 0; p < np; p++)
		w[p] = 1.0;
	if (mode == ACQ_CURVE_POOL_NONE || np < 1)
		goto done;

	/* each slice's nested slope; the centroid of every usable point */
	for (int p = 0; p < np; p++)
	{
		const double *n = pt_n + (size_t) p * points,
				   *l = pt_loss + (size_t) p * points;
		double		r;

		pairs[p] = 0;
		if (kind[p] == ACQ_CURVE_FIT_ZERO || !(b[p] > 0.0))
			continue;
		for (int i = 0; i < points; i++)
			if (usable(n[i], l[i]))
			{
				gx += log(n[i]);
				gy += log(l[i]);
				gk++;
			}
		pairs[p] = nested_slope(n, l, points, &beta[p], &prec[p], &r);
		if (pairs[p] >= 2)
		{
			rss += r;
			df += pairs[p] - 1;
			mean_beta += beta[p];
			ns++;
		}
	}
	if (gk == 0)
		goto done;				/* nothing measured: nothing to pool toward */
	if (ns > 0)
		mean_beta /= ns;

	/* the common curve */
	a0 = ns > 0 ? -mean_beta : NAN;
	if (!(a0 > 0.0))
		a0 = ACQ_CURVE_DEFAULT_EXPONENT;
	if (a0 > ACQ_CURVE_MAX_EXPONENT)
		a0 = ACQ_CURVE_MAX_EXPONENT;
	b0 = exp(gy / gk + a0 * (gx / gk));
	stats->a0 = a0;
	stats->b0 = b0;
	stats->slopes = ns;

	if (mode == ACQ_CURVE_POOL_AUTO)
	{
		double		sigma2,
					tau2,
					var_beta = 0.0,
					mean_s2 = 0.0;

		if (df <= 0.0)
		{
			/* no residual: the noise is not measured (fewer than 3 points) */
			stats->a0 = stats->b0 = NAN;
			goto done;
		}
		sigma2 = rss / df;
		for (int p = 0; p < np; p++)
			if (pairs[p] >= 2)
			{
				var_beta += (beta[p] - mean_beta) * (beta[p] - mean_beta);
				mean_s2 += sigma2 / prec[p];
			}
		var_beta = ns > 1 ? var_beta / (ns - 1) : 0.0;
		mean_s2 /= ns;
		tau2 = var_beta - mean_s2;
		if (!(tau2 > 0.0))
			tau2 = 0.0;
		stats->sigma2 = sigma2;
		stats->tau2 = tau2;
		/*
		 * Does the model learn at all?  The t statistic of the mean exponent
		 * over the slices (its standard error from the slopes' spread) must
		 * reach ACQ_CURVE_LEARNING_T, and the mean exponent itself
		 * min_exponent: a model whose loss falls by less than 1 - 2^-a0 per
		 * doubling of its data gains too little from any allocation for the
		 * curves' differences to be worth more than their noise.  Otherwise
		 * one common curve (equal counts).
		 */
		stats->learning_t = ns > 1 ? (var_beta > 0.0 ? -mean_beta / sqrt(var_beta / ns) :
									  (mean_beta < 0.0 ? INFINITY : 0.0)) : 0.0;
		stats->learning = stats->learning_t >= ACQ_CURVE_LEARNING_T && -mean_beta >= min_exponent;
		if (!stats->learning)
		{
			mode = ACQ_CURVE_POOL_FULL;
			for (int p = 0; p < np; p++)
				w[p] = 0.0;
			goto apply;
		}
		for (int p = 0; p < np; p++)
		{
			double		s2;

			if (kind[p] != ACQ_CURVE_FIT_OK || pairs[p] < 2)
			{
				w[p] = 0.0;
				continue;
			}
			s2 = sigma2 / prec[p];
			w[p] = tau2 + s2 > 0.0 ? tau2 / (tau2 + s2) : 1.0;
		}
	}
	else
		for (int p = 0; p < np; p++)
			w[p] = 0.0;

apply:
	for (int p = 0; p < np; p++)
	{
		double		at;

		if (kind[p] == ACQ_CURVE_FIT_ZERO || !(b[p] > 0.0))
		{
			w[p] = 1.0;			/* nothing to gain: left as it is */
			continue;
		}
		if (mode == ACQ_CURVE_POOL_FULL)
		{
			a[p] = a0;
			b[p] = b0;
			continue;
		}
		/* auto: the exponent pooled, the curve still through its own loss at the current count */
		at = pt_n[(size_t) p * points + points - 1];
		if (!(at >= 0.5) || !isfinite(at))
			at = 0.5;
		{
			double		an = w[p] * a[p] + (1.0 - w[p]) * a0;

			b[p] = b[p] * pow(at, an - a[p]);
			a[p] = an;
		}
	}
done:
	acq_free(beta);
	acq_free(prec);
	acq_free(pairs);
}
