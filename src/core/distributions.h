/*
 * distributions.h -- Student's t distribution and random variates (normal, gamma,
 * beta) for the core's statistical tests and Thompson sampling.
 *
 * Everything is plain C on libm: the t CDF goes through the regularized
 * incomplete beta function (continued fraction, modified Lentz), the
 * quantiles are refined by Newton steps on the CDF, and the variates draw
 * their uniforms from an AcqRng only, keeping no state of their own, so a
 * sequence of draws is reproducible from the generator's state alone.
 *
 * Invalid arguments (NaN, df <= 0, p outside (0, 1), shape <= 0) give NaN,
 * except acq_rng_beta, which raises tiny or non-positive shapes to
 * ACQ_BETA_MIN_SHAPE (see there).
 */
#ifndef ACQ_DISTRIBUTIONS_H
#define ACQ_DISTRIBUTIONS_H

#include "core/acq_core.h"

/* ---- distributions ------------------------------------------------------ */

/* P(T <= t) for T ~ Student t with df > 0 degrees of freedom (df may be
 * fractional; df = +Inf is the standard normal) */
double		acq_t_cdf(double t, double df);

/* the t with P(T <= t) = p, for p in (0, 1) and df > 0 */
double		acq_t_quantile(double p, double df);

/* standard normal CDF and quantile (p in (0, 1)) */
double		acq_normal_cdf(double z);
double		acq_normal_quantile(double p);

/* I_x(a, b), the regularized incomplete beta function, a, b > 0, x in [0,1] */
double		acq_inc_beta(double x, double a, double b);

/* ---- random variates ---------------------------------------------------- */

/*
 * Beta shapes below this (including zero, negative and rounded-away values
 * left by Thompson sampling's sliding-window "forget" step) are raised to it.
 */
#define ACQ_BETA_MIN_SHAPE 1e-6

double		acq_rng_normal(AcqRng *rng);	/* N(0, 1) */
double		acq_rng_gamma(AcqRng *rng, double shape);	/* Gamma(shape, 1) */
double		acq_rng_beta(AcqRng *rng, double a, double b);	/* in [0, 1] */

#endif							/* ACQ_DISTRIBUTIONS_H */
