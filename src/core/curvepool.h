/*
 * curvepool.h -- partial pooling of the slices' learning curves (the
 * 'curve' strategy, curve.h), beyond Slice Tuner.
 *
 * Each slice's power law loss_P(n) ~ b_P n^(-a_P) is fitted on a handful of
 * points (K nested subsets).  When the model barely learns, the fitted
 * exponents are noise, and an allocation that trusts them spends unevenly
 * where even spending was as good.
 *
 * 'auto' shrinks each exponent toward a common one, by how well the
 * slice's own exponent is measured (empirical Bayes):
 *
 *     a'_P = w_P a_P + (1 - w_P) a_0,
 *
 * and keeps the curve through the slice's own fitted loss at its current
 * count n_P (the last point's count): b'_P = b_P n_P^(a'_P - a_P).  The
 * levels are measured on all the current data and are kept; the exponents
 * are the extrapolation, and are pooled.
 *
 * The weights come from the nested design's noise model.  The K points of a
 * slice are nested subsets, so their errors are not independent; the
 * increments between consecutive points are (approximately): the pair slope
 * d_j = (y_{j+1} - y_j) / (x_{j+1} - x_j) (x = log n, y = log loss) has
 * variance s^2 v_j, v_j = (1/n_j - 1/n_{j+1}) / (x_{j+1} - x_j)^2 (a mean over
 * n rows has variance proportional to 1/n).  Per slice with >= 2 pairs: the
 * slope beta_P = the v-weighted mean of its pair slopes, precision
 * sum 1/v_j, residual sum (d_j - beta_P)^2 / v_j on (pairs - 1) degrees of
 * freedom.  Pooled over the slices: s^2 = sum residual / sum degrees of
 * freedom; slice P's sampling variance s_P^2 = s^2 / precision_P; the variance
 * of the true slopes between slices by the method of moments,
 *
 *     tau^2 = max(0, var(beta_P) - mean(s_P^2))   (var: unbiased, over those slices)
 *
 * and w_P = tau^2 / (tau^2 + s_P^2) for a slice whose fit is a decreasing power
 * law (ACQ_CURVE_FIT_OK); 0 for one whose fit failed (few points, not
 * decreasing).  a_0 = minus the mean of the beta_P (clamped to
 * (0, ACQ_CURVE_MAX_EXPONENT]; the default exponent if not positive).
 *
 * But pooled exponents through the slices' own levels still spend by the
 * levels alone, and where the model barely learns (a_0 near 0) the levels
 * say nothing about where records help.  So 'auto' first asks whether the
 * model learns at all: t = a_0 / sqrt(var(beta_P) / slices), the t statistic
 * of the mean exponent over the slices, and how much it learns: a_0 itself
 * (a_0 = minus the mean slope, before the clamp above; the loss falls by
 * 1 - 2^-a_0 per doubling of the data).  With t below ACQ_CURVE_LEARNING_T,
 * a_0 below min_exponent, or fewer than 2 slices measured, 'auto' acts as
 * 'full'.  min_exponent 0 is the rule before it existed (t alone).
 *
 * 'full' gives every slice one common curve, a_0 and b_0 through the
 * centroid of every slice's usable points on log-log: the exact allocation
 * (acq_curve_allocate) then fills the slices with the fewest records first,
 * water-filling to equal counts.  'none' is each slice's own fit.
 * Slices with b_P = 0 (zero loss) are left alone by both.
 */
#ifndef ACQ_CURVEPOOL_H
#define ACQ_CURVEPOOL_H

#include "core/curve.h"

/* auto: below this t statistic of the mean exponent, one common curve */
#define ACQ_CURVE_LEARNING_T 2.0

typedef enum AcqCurvePooling
{
	ACQ_CURVE_POOL_NONE = 0,	/* each slice its own fit (Slice Tuner) */
	ACQ_CURVE_POOL_AUTO,		/* exponents shrunk, empirical-Bayes weights */
	ACQ_CURVE_POOL_FULL			/* one common curve: water-filling */
} AcqCurvePooling;

/* what acq_curve_pool measured (NaN where not measured) */
typedef struct AcqCurvePoolStats
{
	double		a0;				/* the common curve */
	double		b0;
	double		sigma2;			/* pooled residual variance on log-log */
	double		tau2;			/* between-slice variance of the slopes */
	double		learning_t;		/* auto: t statistic of the mean exponent */
	int			learning;		/* auto: 1 the slices' curves used, 0 one common
								 * curve (t or a_0 too small); -1 not asked */
	int			slopes;			/* slices with >= 3 usable points */
} AcqCurvePoolStats;

/*
 * Pool the curves a, b (np slices, after acq_curve_fit and
 * acq_curve_fallback; kind[P] as acq_curve_fit returned it) measured at the
 * points pt_n, pt_loss (np x points, slice-major).  a and b are replaced by
 * the pooled curves; w[P] receives P's own weight (1: its own fit, 0: the
 * common exponent or curve).  min_exponent (>= 0) is AUTO's least common
 * exponent for a model that learns.  NONE leaves a and b and sets every w to 1.  AUTO with
 * fewer than 3 points per curve (no residual to measure the noise) acts as
 * NONE.  With no usable point at all, nothing is pooled.
 */
void		acq_curve_pool(int np, int points, const double *pt_n, const double *pt_loss,
						   const AcqCurveFitKind *kind, AcqCurvePooling mode, double min_exponent,
						   double *a, double *b, double *w, AcqCurvePoolStats *stats);

#endif							/* ACQ_CURVEPOOL_H */
