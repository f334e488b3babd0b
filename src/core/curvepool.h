/*
 * curvepool.h -- partial pooling of the slices' learning curves (the
 * 'curve' strategy, curve.h), beyond Slice Tuner.
 *
 * Each slice's power law loss_P(n) ~ b_P n^(-a_P) is fitted on a handful of
 * points (K nested subsets).  When the model barely learns, the fitted
 * exponents are noise, and an allocation that trusts them spends unevenly
 * where even spending was as good.  Partial pooling replaces each curve by a
 * weighted geometric mean of its own fit and one common curve:
 *
 *     log L'_P(m) = w_P log L_P(m) + (1 - w_P) log L_0(m),
 *
 * i.e. a'_P = w_P a_P + (1 - w_P) a_0 and log b'_P = w_P log b_P + (1 - w_P)
 * log b_0.  With every w_P = 0 all slices share one curve, and the exact
 * allocation (acq_curve_allocate) then fills the slices with the fewest
 * records first: water-filling to equal counts.
 *
 * The weights ('auto') are empirical Bayes on the log-log slopes.  Per slice
 * P with k_P >= 3 usable points: the least-squares slope beta_P, its residual
 * sum of squares RSS_P and S_xx,P.  The residual variance is pooled over the
 * slices, sigma^2 = sum RSS_P / sum (k_P - 2); the slope's sampling variance is
 * s_P^2 = sigma^2 / S_xx,P; the variance of the true slopes between slices is
 * the method-of-moments estimate
 *
 *     tau^2 = max(0, var(beta_P) - mean(s_P^2))   (var: unbiased, over those slices)
 *
 * and w_P = tau^2 / (tau^2 + s_P^2) for a slice whose fit is a decreasing power
 * law (ACQ_CURVE_FIT_OK); 0 for one whose fit failed (few points, not
 * decreasing): it takes the common curve.  The common curve: a_0 = minus the
 * mean of those slopes (clamped to (0, ACQ_CURVE_MAX_EXPONENT]; the default
 * exponent if it is not positive), b_0 through the centroid of every slice's
 * usable points on log-log.  Slices with b_P = 0 (zero loss) are left alone.
 */
#ifndef ACQ_CURVEPOOL_H
#define ACQ_CURVEPOOL_H

#include "core/curve.h"

typedef enum AcqCurvePooling
{
	ACQ_CURVE_POOL_NONE = 0,	/* each slice its own fit (Slice Tuner) */
	ACQ_CURVE_POOL_AUTO,		/* empirical-Bayes weights */
	ACQ_CURVE_POOL_FULL			/* one common curve: water-filling */
} AcqCurvePooling;

/* what acq_curve_pool measured (NaN where not measured) */
typedef struct AcqCurvePoolStats
{
	double		a0;				/* the common curve */
	double		b0;
	double		sigma2;			/* pooled residual variance on log-log */
	double		tau2;			/* between-slice variance of the slopes */
	int			slopes;			/* slices with >= 3 usable points */
} AcqCurvePoolStats;

/*
 * Pool the curves a, b (np slices, after acq_curve_fit and
 * acq_curve_fallback; kind[P] as acq_curve_fit returned it) measured at the
 * points pt_n, pt_loss (np x points, slice-major).  a and b are replaced by
 * the pooled curves; w[P] receives P's own weight (1: its own fit, 0: the
 * common curve).  NONE leaves a and b and sets every w to 1.  AUTO with
 * fewer than 3 points per curve (no residual to measure the noise) acts as
 * NONE.  With no usable point at all, nothing is pooled.
 */
void		acq_curve_pool(int np, int points, const double *pt_n, const double *pt_loss,
						   const AcqCurveFitKind *kind, AcqCurvePooling mode,
						   double *a, double *b, double *w, AcqCurvePoolStats *stats);

#endif							/* ACQ_CURVEPOOL_H */
