/*
 * distributions.c -- Student's t CDF and quantile, normal quantile, and normal,
 * gamma and beta variates (see distributions.h).
 *
 * Notation: nu = df, B(a, b) the beta function, I_x(a, b) the regularized
 * incomplete beta function, Phi / phi the standard normal CDF / density.
 */
#include <float.h>
#include <math.h>

#include "core/distributions.h"

#define LN_SQRT_2PI		0.91893853320467274178	/* log(sqrt(2 pi)) */
#define INV_SQRT_2PI	0.39894228040143267794	/* 1 / sqrt(2 pi) */
#define SQRT1_2			0.70710678118654752440	/* 1 / sqrt(2) */

/* continued fraction: stop when a factor is this close to 1 */
#define CF_EPS			1e-15
#define CF_TINY			1e-300
#define CF_MAX_ITER		100000

/* quantile refinement: stop when a step changes log|t| by less than this */
#define QUANTILE_EPS	1e-12
#define QUANTILE_MAX_ITER 200

/* ---- log beta ----------------------------------------------------------- */

/*
 * delta(x) = lgamma(x) - [(x - 1/2) log x - x + log sqrt(2 pi)], the
 * remainder of Stirling's approximation.  For x >= 10 from its asymptotic
 * series  sum_k B_2k / (2k (2k - 1) x^(2k - 1))
 *       = 1/(12x) - 1/(360x^3) + 1/(1260x^5) - 1/(1680x^7) + 1/(1188x^9) - ...
 * (the first omitted term is below 2e-14 at x = 10); below 10 from libm's
 * lgamma, where the subtraction loses nothing of note.
 */
static double
stirling_delta(double x)
{
	double		r,
				r2;

	if (x < 10.0)
		return lgamma(x) - ((x - 0.5) * log(x) - x + LN_SQRT_2PI);
	r = 1.0 / x;
	r2 = r * r;
	return r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 -
				r2 * (1.0 / 1680.0 - r2 * (1.0 / 1188.0)))));
}

/*
 * log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b).
 *
 * When an argument is large, lgamma(a) and lgamma(a + b) are large and
 * nearly equal, and their difference would lose about log10(lgamma(a))
 * digits (4 at df = 10^4).  There Stirling's formula is subtracted
 * analytically: with a >= b,
 *
 *   log B(a, b) = log sqrt(2 pi) - (a - 1/2) log1p(b / a)
 *                 + (b - 1/2) log(b / (a + b)) - (1/2) log(a + b)
 *                 + delta(a) + delta(b) - delta(a + b),
 *
 * whose terms carry no cancellation.
 */
static double
log_beta(double a, double b)
{
	double		t;

	if (a < b)
	{
		t = a;
		a = b;
		b = t;
	}
	if (a < 10.0)
		return lgamma(a) + lgamma(b) - lgamma(a + b);
	return LN_SQRT_2PI - (a - 0.5) * log1p(b / a)
		+ (b - 0.5) * log(b / (a + b)) - 0.5 * log(a + b)
		+ stirling_delta(a) + stirling_delta(b) - stirling_delta(a + b);
}

/* ---- regularized incomplete beta ---------------------------------------- */

/*
 * The continued fraction for I_x(a, b) (DLMF 8.17.22):
 *
 *   I_x(a, b) = x^a (1 - x)^b / (a B(a, b)) * 1 / f,
 *   f = 1 + d1 / (1 + d2 / (1 + d3 / (1 + ...))),
 *
 *   d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),   m >= 0
 *   d_{2m}   =  m (b - m) x / ((a + 2m - 1)(a + 2m)),            m >= 1
 *
 * It converges quickly for x < (a + 1) / (a + b + 2).  Evaluated as it
 * stands it cancels badly when a is large and x near 1 (the t CDF at large
 * df): every d_{2m+1} is then close to -1, each 1 + d_{2m+1} is O(1/a), and
 * the relative error grows like a * DBL_EPSILON.  So we evaluate its even
 * part (the contraction that merges each pair of levels),
 *
 *   f = 1 + d1 / (1 + d2 - d2 d3 / (1 + d3 + d4 - d4 d5 / (1 + d5 + d6 - ...))),
 *
 * whose terms 1 + d_{2m+1} + d_{2m+2} are formed exactly from y = 1 - x:
 *
 *   1 + d_{2m+1} = [a (2m + 1 - b) + m (3m + 2 - b) + (a + m)(a + b + m) y]
 *                  / ((a + 2m)(a + 2m + 1)),
 *
 * with no cancellation for b <= 1 (where x is near 1 for t; for x <= 1/2
 * the plain form is used).  Writing G = 1 + d1 + d2 - d2 d3 / (...), which
 * is small when d1 ~ -1, f = G / (G - d1).  G is evaluated front to back by
 * the modified Lentz method (Lentz 1976; Thompson and Barnett 1986): for
 * G = beta_0 + alpha_1 / (beta_1 + alpha_2 / (beta_2 + ...)), with
 * G_0 = C_0 = beta_0 and D_0 = 0, for k = 1, 2, ...
 *
 *   D_k = 1 / (beta_k + alpha_k D_{k-1}),  C_k = beta_k + alpha_k / C_{k-1},
 *   G_k = G_{k-1} C_k D_k,
 *
 * where a zero D or C is replaced by a tiny number, until C_k D_k = 1 to
 * working precision.  Here beta_0 = 1 + d1 + d2, alpha_k = -d_{2k} d_{2k+1},
 * beta_k = 1 + d_{2k+1} + d_{2k+2}.
 */
static double
cf_d_even(int m, double a, double b, double x)
{
	return m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
}

static double
cf_d_odd(int m, double a, double b, double x)
{
	return -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
}

/* 1 + d_{2m+1}, without cancellation when x is near 1 */
static double
cf_one_plus_d_odd(int m, double a, double b, double x, double y)
{
	if (x <= 0.5)
		return 1.0 + cf_d_odd(m, a, b, x);
	return (a * (2 * m + 1 - b) + m * (3.0 * m + 2 - b) + (a + m) * (a + b + m) * y)
		/ ((a + 2 * m) * (a + 2 * m + 1));
}

static double
beta_cf(double x, double y, double a, double b)
{
	double		d1 = cf_d_odd(0, a, b, x);
	double		g = cf_one_plus_d_odd(0, a, b, x, y) + cf_d_even(1, a, b, x);
	double		c,
				d = 0.0;
	int			k;

	if (fabs(g) < CF_TINY)
		g = CF_TINY;
	c = g;
	for (k = 1; k <= CF_MAX_ITER; k++)
	{
		double		alpha = -cf_d_even(k, a, b, x) * cf_d_odd(k, a, b, x);
		double		beta = cf_one_plus_d_odd(k, a, b, x, y) + cf_d_even(k + 1, a, b, x);
		double		delta;

		d = beta + alpha * d;
		if (fabs(d) < CF_TINY)
			d = CF_TINY;
		c = beta + alpha / c;
		if (fabs(c) < CF_TINY)
			c = CF_TINY;
		d = 1.0 / d;
		delta = c * d;
		g *= delta;
		if (fabs(delta - 1.0) < CF_EPS)
			break;
	}
	return g / (g - d1);
}

/*
 * I_x(a, b) given x, y = 1 - x and their logarithms lx, ly (the caller may
 * know y and the logs more accurately than 1 - x and log(x) would give).
 * Where x is beyond the fraction's region of quick convergence, the
 * symmetry I_x(a, b) = 1 - I_y(b, a) swaps the roles.
 */
static double
inc_beta_xy(double x, double y, double lx, double ly, double a, double b)
{
	double		front;

	/* by the logs: x itself may have underflowed where x^a does not */
	if (lx == -INFINITY)
		return 0.0;
	if (ly == -INFINITY)
		return 1.0;
	/* x^a y^b / B(a, b) */
	front = exp(a * lx + b * ly - log_beta(a, b));
	if (x < (a + 1.0) / (a + b + 2.0))
		return front / (a * beta_cf(x, y, a, b));
	return 1.0 - front / (b * beta_cf(y, x, b, a));
}

double
acq_inc_beta(double x, double a, double b)
{
	if (isnan(x) || isnan(a) || isnan(b) || a <= 0.0 || b <= 0.0 ||
		x < 0.0 || x > 1.0 || isinf(a) || isinf(b))
		return NAN;
	return inc_beta_xy(x, 1.0 - x, log(x), log1p(-x), a, b);
}

/* ---- normal --------------------------------------------------------------- */

/* Phi(z) = erfc(-z / sqrt 2) / 2, accurate in the lower tail */
double
acq_normal_cdf(double z)
{
	return 0.5 * erfc(-z * SQRT1_2);
}

/*
 * Phi^-1(p).  Start from the rational approximation of Hastings (1955),
 * Abramowitz and Stegun 26.2.23 (absolute error < 4.5e-4): for q <= 1/2,
 * with w = sqrt(-2 log q),
 *
 *   Phi^-1(q) ~ -(w - (c0 + c1 w + c2 w^2) / (1 + d1 w + d2 w^2 + d3 w^3)),
 *
 * then apply Halley's method to h(z) = Phi(z) - q, h' = phi, h'' = -z phi:
 *
 *   z <- z - u / (1 + z u / 2),   u = (Phi(z) - q) / phi(z).
 *
 * Convergence is cubic, so two or three steps reach double precision.
 */
double
acq_normal_quantile(double p)
{
	double		q,
				w,
				z;
	int			i;

	if (!(p > 0.0 && p < 1.0))
		return NAN;
	if (p == 0.5)
		return 0.0;
	q = (p < 0.5) ? p : 1.0 - p;	/* exact for p >= 1/2 */
	w = sqrt(-2.0 * log(q));
	z = -(w - (2.515517 + w * (0.802853 + w * 0.010328)) /
		  (1.0 + w * (1.432788 + w * (0.189269 + w * 0.001308))));
	for (i = 0; i < 8; i++)
	{
		double		dens = INV_SQRT_2PI * exp(-0.5 * z * z);
		double		u,
					step;

		if (dens <= 0.0)
			break;				/* q below the density's range */
		u = (acq_normal_cdf(z) - q) / dens;
		step = u / (1.0 + 0.5 * z * u);
		z -= step;
		if (fabs(step) <= 1e-15 * fabs(z))
			break;
	}
	return (p < 0.5) ? z : -z;
}

/* ---- Student's t ---------------------------------------------------------- */

/*
 * For T ~ t(nu) and x >= 0,
 *
 *   P(T <= -x) = P(T >= x) = I_w(nu/2, 1/2) / 2,   w = nu / (nu + x^2)
 *
 * (Abramowitz and Stegun 26.7.1 with 26.5.27).  With r = x / sqrt(nu),
 * w = 1 / (1 + r^2) and 1 - w = r^2 / (1 + r^2); both, and their logs, are
 * formed from r (or 1/r when r > 1) so that neither cancels nor overflows.
 */
static double
t_lower_tail(double x, double df)
{
	double		r = x / sqrt(df);
	double		w,
				v,
				lw,
				lv;

	if (r <= 1.0)
	{
		double		r2 = r * r;

		w = 1.0 / (1.0 + r2);
		v = r2 / (1.0 + r2);
		lw = -log1p(r2);
		lv = 2.0 * log(r) + lw;
	}
	else
	{
		double		u = 1.0 / r;
		double		u2 = u * u;

		w = u2 / (1.0 + u2);
		v = 1.0 / (1.0 + u2);
		lv = -log1p(u2);
		lw = 2.0 * log(u) + lv;
	}
	return 0.5 * inc_beta_xy(w, v, lw, lv, 0.5 * df, 0.5);
}

/*
 * log of the t density,
 *
 *   f(x) = (1 + x^2/nu)^(-(nu + 1)/2) / (sqrt(nu) B(nu/2, 1/2)),
 *
 * with log(1 + x^2/nu) formed without overflow.
 */
static double
t_log_pdf(double x, double df)
{
	double		r = fabs(x) / sqrt(df);
	double		l1p = (r < 1e100) ? log1p(r * r) : 2.0 * log(r);

	return -0.5 * (df + 1.0) * l1p - 0.5 * log(df) - log_beta(0.5 * df, 0.5);
}

double
acq_t_cdf(double t, double df)
{
	double		tail;

	if (isnan(t) || isnan(df) || df <= 0.0)
		return NAN;
	if (isinf(df))
		return acq_normal_cdf(t);
	if (t == 0.0)
		return 0.5;
	if (isinf(t))
		return (t > 0.0) ? 1.0 : 0.0;
	tail = t_lower_tail(fabs(t), df);
	return (t < 0.0) ? tail : 1.0 - tail;
}

/*
 * Starting points for x = -t_nu^-1(q), q < 1/2.
 *
 * Tail bound: since (1 + u^2/nu)^(-(nu+1)/2) <= (u^2/nu)^(-(nu+1)/2),
 *
 *   P(T <= -x) < int_x^inf nu^((nu+1)/2) u^-(nu+1) du / (sqrt(nu) B(nu/2, 1/2))
 *              = K x^-nu,   K = nu^(nu/2 - 1) / B(nu/2, 1/2),
 *
 * so the quantile is below x_tail = (K / q)^(1/nu), and close to it in the
 * far tail (exact to O(q^2) for nu = 1, where K = 1/pi).  Returns log x_tail.
 */
static double
t_log_tail_bound(double q, double df)
{
	return ((0.5 * df - 1.0) * log(df) - log_beta(0.5 * df, 0.5) - log(q)) / df;
}

/*
 * Cornish-Fisher (Fisher 1925) expansion of the t quantile in powers of
 * 1/nu around the normal quantile z (Abramowitz and Stegun 26.7.5):
 *
 *   x ~ z + g1/nu + g2/nu^2 + g3/nu^3 + g4/nu^4,
 *   g1 = (z^3 + z) / 4,
 *   g2 = (5z^5 + 16z^3 + 3z) / 96,
 *   g3 = (3z^7 + 19z^5 + 17z^3 - 15z) / 384,
 *   g4 = (79z^9 + 776z^7 + 1482z^5 - 1920z^3 - 945z) / 92160.
 *
 * Very accurate for large nu; for small nu it is only a rough start (and can
 * even be negative for nu < 1, when the caller ignores it).
 */
static double
t_cornish_fisher(double q, double df)
{
	double		z = -acq_normal_quantile(q);
	double		z2 = z * z;
	double		g1 = (z2 + 1.0) * z / 4.0;
	double		g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
	double		g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
	double		g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2
					  - 945.0) * z / 92160.0;

	return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

/*
 * x > 0 with P(T <= -x) = q, for 0 < q < 1/2.
 *
 * Newton's method on psi(s) = log P(T <= -e^s) - log q in s = log x:
 *
 *   psi'(s) = -x f(x) / P(T <= -x),    s <- s - psi(s) / psi'(s).
 *
 * In these variables the heavy tail is nearly linear (psi ~ -nu s), so the
 * steps converge fast from far out, and a step's size is the relative change
 * of x.  psi is decreasing, and concave because the elasticity
 * x f(x) / P(T <= -x) grows with x; so from above the root the iterates
 * decrease monotonically onto it, and from below the first step at worst
 * overshoots.  (That the elasticity grows was checked numerically for nu
 * from 0.1 to 1000.)  As a safeguard, the root is kept bracketed ([-inf, log
 * x_tail] to begin with) and a step leaving the bracket bisects it instead.
 * Iteration stops when a step is below QUANTILE_EPS (relative), after which
 * the quadratic convergence leaves x accurate to rounding.
 */
static double
t_quantile_lower(double q, double df)
{
	double		s_hi = t_log_tail_bound(q, df) + 1e-9;
	double		s_lo = -INFINITY;
	double		s = s_hi;
	double		lq = log(q);
	int			iter;

	if (df >= 1.0)
	{
		double		xcf = t_cornish_fisher(q, df);

		if (xcf > 0.0 && isfinite(xcf) && log(xcf) < s_hi)
			s = log(xcf);
	}
	for (iter = 0; iter < QUANTILE_MAX_ITER; iter++)
	{
		double		x = exp(s);
		double		tail = t_lower_tail(x, df);
		double		psi,
					dpsi,
					s_new;

		if (tail <= 0.0)
			psi = -INFINITY;	/* underflow: x is far too large */
		else
			psi = log(tail) - lq;
		if (psi == 0.0)
			break;
		if (psi > 0.0)
		{
			s_lo = s;
			if (s >= s_hi)
				s_hi = INFINITY;	/* the bound failed by rounding: drop it */
		}
		else
			s_hi = s;
		dpsi = -exp(s + t_log_pdf(x, df) - log(tail));
		s_new = s - psi / dpsi;
		if (!(s_new > s_lo && s_new < s_hi))
		{
			/* out of the bracket (or NaN): bisect, or step by a factor e */
			if (isfinite(s_lo) && isfinite(s_hi))
				s_new = 0.5 * (s_lo + s_hi);
			else if (isfinite(s_lo))
				s_new = s_lo + 1.0;
			else
				s_new = s_hi - 1.0;
		}
		if (fabs(s_new - s) < QUANTILE_EPS)
		{
			s = s_new;
			break;
		}
		s = s_new;
	}
	return exp(s);
}

double
acq_t_quantile(double p, double df)
{
	double		x;

	if (isnan(p) || isnan(df) || df <= 0.0 || !(p > 0.0 && p < 1.0))
		return NAN;
	if (p == 0.5)
		return 0.0;
	if (isinf(df))
		return acq_normal_quantile(p);
	/* by symmetry, solve in the lower tail; 1 - p is exact for p >= 1/2 */
	x = t_quantile_lower((p < 0.5) ? p : 1.0 - p, df);
	return (p < 0.5) ? -x : x;
}

/* ---- random variates ---------------------------------------------------- */

/* a uniform in (0, 1]: never 0, so its log is finite */
static double
rng_open01(AcqRng *rng)
{
	return 1.0 - acq_rng_double(rng);
}

/*
 * N(0, 1) by Marsaglia's polar method (Marsaglia and Bray 1964): for
 * (u, v) uniform in the unit disc, s = u^2 + v^2, u sqrt(-2 log(s) / s) is
 * standard normal.  The method yields a pair; the second (v ...) is
 * discarded so that no state outlives the call.
 */
double
acq_rng_normal(AcqRng *rng)
{
	double		u,
				v,
				s;

	do
	{
		u = 2.0 * acq_rng_double(rng) - 1.0;
		v = 2.0 * acq_rng_double(rng) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	return u * sqrt(-2.0 * log(s) / s);
}

/*
 * Gamma(shape, 1) for shape >= 1 by Marsaglia and Tsang (2000), "A simple
 * method for generating gamma variables", ACM TOMS 26(3): with d = shape -
 * 1/3 and c = 1 / sqrt(9d), draw z ~ N(0,1) until v = (1 + cz)^3 > 0, then
 * accept d v if, for u ~ U(0,1), u < 1 - 0.0331 z^4 (the quick squeeze) or
 * log u < z^2/2 + d (1 - v + log v).
 */
static double
gamma_mt(AcqRng *rng, double shape)
{
	double		d = shape - 1.0 / 3.0;
	double		c = 1.0 / sqrt(9.0 * d);

	for (;;)
	{
		double		z,
					v,
					u;

		do
		{
			z = acq_rng_normal(rng);
			v = 1.0 + c * z;
		} while (v <= 0.0);
		v = v * v * v;
		u = acq_rng_double(rng);
		if (u < 1.0 - 0.0331 * (z * z) * (z * z))
			return d * v;
		if (log(u) < 0.5 * z * z + d * (1.0 - v + log(v)))
			return d * v;
	}
}

/*
 * log of a Gamma(shape, 1) variate.  For shape < 1, the boost of Marsaglia
 * and Tsang (2000, section 6): if G ~ Gamma(shape + 1) and U ~ U(0,1), then
 * G U^(1/shape) ~ Gamma(shape).  In logs, log G + log(U) / shape stays finite
 * where U^(1/shape) would underflow (shape = 1e-6 makes it 0 almost surely).
 */
static double
rng_log_gamma(AcqRng *rng, double shape)
{
	double		g;

	if (shape >= 1.0)
		return log(gamma_mt(rng, shape));
	g = gamma_mt(rng, shape + 1.0);
	return log(g) + log(rng_open01(rng)) / shape;
}

double
acq_rng_gamma(AcqRng *rng, double shape)
{
	double		g;

	if (!(shape > 0.0) || isinf(shape))
		return NAN;
	if (shape >= 1.0)
		return gamma_mt(rng, shape);
	/* the boost of rng_log_gamma, in the linear domain */
	g = gamma_mt(rng, shape + 1.0);
	return g * pow(rng_open01(rng), 1.0 / shape);
}

/*
 * Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), formed from the
 * logs as 1 / (1 + exp(log Y - log X)): no 0/0 when both gammas underflow
 * (tiny shapes), and the result is always in [0, 1].
 *
 * Shapes below ACQ_BETA_MIN_SHAPE (1e-6), including zero and negative ones,
 * are raised to it: Thompson sampling's sliding-window "forget" step scales
 * and subtracts pseudo-counts and may leave them at or just below zero by
 * rounding; such a draw is then, as it should be, almost surely 0 or 1.
 * NaN or infinite shapes give NaN.
 */
double
acq_rng_beta(AcqRng *rng, double a, double b)
{
	double		lx,
				ly;

	if (isnan(a) || isnan(b) || isinf(a) || isinf(b))
		return NAN;
	a = fmax(a, ACQ_BETA_MIN_SHAPE);
	b = fmax(b, ACQ_BETA_MIN_SHAPE);
	lx = rng_log_gamma(rng, a);
	ly = rng_log_gamma(rng, b);
	return 1.0 / (1.0 + exp(ly - lx));
}
