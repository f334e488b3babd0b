/*
 * test_distributions.c -- the t distribution against scipy (fixtures/dist_fixture.h,
 * from fixtures/make_dist_fixture.py), the normal quantile, invalid
 * arguments, and the moments, range and reproducibility of the normal,
 * gamma and beta variates.
 */
#include "core/distributions.h"
#include "unit.h"

#include "fixtures/dist_fixture.h"

#define NDRAW 200000

static void
test_t_cdf_fixture(void)
{
	int			i,
				j;

	for (i = 0; i < DT_NDF; i++)
		for (j = 0; j < DT_NT; j++)
		{
			double		want = DT_CDF[i * DT_NT + j];
			double		got = acq_t_cdf(DT_T[j], DT_DF[i]);

			CHECK_CLOSE(got, want, 1e-10);
			/* the lower tail holds its relative accuracy */
			if (want < 0.5)
				CHECK_REL(got, want, 1e-9);
		}
	for (i = 0; i < DT_NXDF; i++)
		for (j = 0; j < DT_NT; j++)
		{
			double		want = DT_XCDF[i * DT_NT + j];
			double		got = acq_t_cdf(DT_T[j], DT_XDF[i]);

			CHECK_CLOSE(got, want, 1e-10);
			if (want < 0.5)
				CHECK_REL(got, want, 1e-9);
		}
	/* the CDF at the quantiles: tails down to 1e-6, and their complements */
	for (i = 0; i < DT_NDF; i++)
		for (j = 0; j < DT_NP; j++)
		{
			double		want = DT_CDF_PPF[i * DT_NP + j];
			double		got = acq_t_cdf(DT_PPF[i * DT_NP + j], DT_DF[i]);

			CHECK_CLOSE(got, want, 1e-10);
			CHECK_REL(got, want, 1e-9);
		}
}

static void
test_t_quantile_fixture(void)
{
	int			i,
				j;

	for (i = 0; i < DT_NDF; i++)
		for (j = 0; j < DT_NP; j++)
			CHECK_REL(acq_t_quantile(DT_P[j], DT_DF[i]), DT_PPF[i * DT_NP + j], 1e-8);
	for (i = 0; i < DT_NXDF; i++)
		for (j = 0; j < DT_NP; j++)
			CHECK_REL(acq_t_quantile(DT_P[j], DT_XDF[i]), DT_XPPF[i * DT_NP + j], 1e-8);
}

static void
test_t_quantile_closed_forms(void)
{
	double		ps[] = {1e-12, 1e-6, 0.01, 0.3, 0.49, 0.51, 0.8, 0.999};
	int			i;

	/* the paper's example: t_{4, 0.995} = 4.604 */
	CHECK_CLOSE(-acq_t_quantile(0.005, 4.0), 4.604, 5e-4);
	CHECK_REL(acq_t_quantile(0.995, 4.0), -acq_t_quantile(0.005, 4.0), 1e-12);
	for (i = 0; i < (int) (sizeof(ps) / sizeof(ps[0])); i++)
	{
		double		p = ps[i];

		double		al = 4.0 * p * (1.0 - p);
		double		th = acos(sqrt(al));

		/*
		 * closed forms (Shaw 2006): df = 1 (Cauchy) t = -1 / tan(pi p); df =
		 * 2: t = (2p - 1) / sqrt(2p(1 - p)); df = 4: with a = 4p(1 - p), t =
		 * sign(p - 1/2) 2 sqrt(cos(acos(sqrt a) / 3) / sqrt a - 1)
		 */
		CHECK_REL(acq_t_quantile(p, 1.0), -1.0 / tan(M_PI * p), 1e-12);
		CHECK_REL(acq_t_quantile(p, 2.0), (2.0 * p - 1.0) / sqrt(2.0 * p * (1.0 - p)), 1e-12);
		CHECK_REL(acq_t_quantile(p, 4.0),
				  copysign(2.0 * sqrt(cos(th / 3.0) / sqrt(al) - 1.0), p - 0.5), 1e-10);
		/* symmetry where 1 - p is exact, and the CDF inverts the quantile */
		if (1.0 - (1.0 - p) == p)
			CHECK(acq_t_quantile(p, 3.5) == -acq_t_quantile(1.0 - p, 3.5));
		CHECK_REL(acq_t_cdf(acq_t_quantile(p, 6.3), 6.3), p, 1e-12);
	}
	/*
	 * large df: F(t) = Phi(t) - phi(t) (t^3 + t) / (4 df) + O(1/df^2)
	 * (Fisher's expansion; the next term is below 1e-15 here); at t = -2,
	 * Phi(-2) + 10 phi(2) / (4 df).  Evaluated naively, the continued
	 * fraction would lose about log10(df) digits.
	 */
	CHECK_REL(acq_t_cdf(-2.0, 1e7), 0.022750131948179195 + 0.13497741628297015 / 1e7, 1e-13);
	CHECK_REL(acq_t_cdf(-2.0, 1e9), 0.022750131948179195 + 0.13497741628297015 / 1e9, 1e-13);
	CHECK_REL(acq_t_quantile(1e-300, 1.0), 1.0 / (M_PI * -1e-300), 1e-12);
	CHECK(acq_t_quantile(0.5, 3.0) == 0.0);
	CHECK(acq_t_cdf(0.0, 3.0) == 0.5);
	/* df = infinity is the normal distribution */
	CHECK_REL(acq_t_quantile(0.025, INFINITY), -1.959963984540054, 1e-14);
	CHECK_REL(acq_t_cdf(-1.959963984540054, INFINITY), 0.025, 1e-14);
}

static void
test_normal_quantile(void)
{
	/* references from scipy.stats.norm.ppf */
	CHECK_REL(acq_normal_quantile(0.975), 1.959963984540054, 1e-14);
	CHECK_REL(acq_normal_quantile(1e-6), -4.753424308822899, 1e-14);
	CHECK_REL(acq_normal_quantile(5e-4), -3.2905267314918945, 1e-14);
	CHECK_REL(acq_normal_quantile(1e-300), -37.0470962993612, 1e-13);
	CHECK_REL(acq_normal_quantile(0.3), -0.5244005127080407, 1e-14);
	CHECK(acq_normal_quantile(0.5) == 0.0);
	CHECK_CLOSE(acq_normal_cdf(acq_normal_quantile(0.123)), 0.123, 1e-16);
}

static void
test_inc_beta(void)
{
	int			i;

	for (i = 0; i < DT_NBETA; i++)
		CHECK_REL(acq_inc_beta(DT_BETA_X[i], DT_BETA_A[i], DT_BETA_B[i]), DT_BETA_I[i], 1e-12);
	CHECK(acq_inc_beta(0.0, 2.0, 3.0) == 0.0);
	CHECK(acq_inc_beta(1.0, 2.0, 3.0) == 1.0);
}

static void
test_invalid(void)
{
	CHECK(isnan(acq_t_cdf(1.0, 0.0)));
	CHECK(isnan(acq_t_cdf(1.0, -2.0)));
	CHECK(isnan(acq_t_cdf(NAN, 3.0)));
	CHECK(isnan(acq_t_cdf(1.0, NAN)));
	CHECK(acq_t_cdf(-INFINITY, 3.0) == 0.0);
	CHECK(acq_t_cdf(INFINITY, 3.0) == 1.0);
	CHECK(isnan(acq_t_quantile(0.0, 3.0)));
	CHECK(isnan(acq_t_quantile(1.0, 3.0)));
	CHECK(isnan(acq_t_quantile(-0.1, 3.0)));
	CHECK(isnan(acq_t_quantile(NAN, 3.0)));
	CHECK(isnan(acq_t_quantile(0.3, 0.0)));
	CHECK(isnan(acq_t_quantile(0.3, NAN)));
	CHECK(isnan(acq_normal_quantile(0.0)));
	CHECK(isnan(acq_normal_quantile(1.0)));
	CHECK(isnan(acq_inc_beta(0.5, 0.0, 1.0)));
	CHECK(isnan(acq_inc_beta(1.5, 1.0, 1.0)));
}

/* ---- variates ------------------------------------------------------------ */

typedef double (*Sampler) (AcqRng *rng, double a, double b);

static double
draw_normal(AcqRng *rng, double a, double b)
{
	return acq_rng_normal(rng);
}

static double
draw_gamma(AcqRng *rng, double a, double b)
{
	return acq_rng_gamma(rng, a);
}

static double
draw_beta(AcqRng *rng, double a, double b)
{
	return acq_rng_beta(rng, a, b);
}

/*
 * Draw NDRAW variates and check the sample mean and variance against the
 * true mean, variance and fourth central moment mu4, within 4 standard
 * errors: se(mean) = sqrt(var / n), se(sample variance) ~ sqrt((mu4 -
 * var^2) / n).
 */
static void
check_moments(const char *what, Sampler draw, double a, double b, uint64_t seed,
			  double mean, double var, double mu4)
{
	AcqSplitMix sm = {seed};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double		sum = 0.0,
				sumsq = 0.0,
				m,
				v;
	int			i;
	int			bad = 0;

	for (i = 0; i < NDRAW; i++)
	{
		double		x = draw(&rng, a, b);

		if (!isfinite(x))
			bad++;
		sum += x;
	}
	m = sum / NDRAW;
	/* second pass over the same stream for the variance */
	sm.s = seed;
	for (i = 0; i < NDRAW; i++)
	{
		double		d = draw(&rng, a, b) - m;

		sumsq += d * d;
	}
	v = sumsq / (NDRAW - 1);
	unit_current = what;
	CHECK(bad == 0);
	CHECK_CLOSE(m, mean, 4.0 * sqrt(var / NDRAW));
	CHECK_CLOSE(v, var, 4.0 * sqrt((mu4 - var * var) / NDRAW));
}

/* Beta(a, b): mean, variance, and mu4 = var^2 (3 + excess kurtosis) */
static void
check_beta(const char *what, double a, double b, uint64_t seed)
{
	double		s = a + b;
	double		var = a * b / (s * s * (s + 1.0));
	double		exkurt = 6.0 * ((a - b) * (a - b) * (s + 1.0) - a * b * (s + 2.0)) /
		(a * b * (s + 2.0) * (s + 3.0));

	check_moments(what, draw_beta, a, b, seed, a / s, var, var * var * (3.0 + exkurt));
}

/* Gamma(k, 1): mean = var = k, mu4 = 3k^2 + 6k */
static void
check_gamma(const char *what, double k, uint64_t seed)
{
	check_moments(what, draw_gamma, k, 0.0, seed, k, k, 3.0 * k * k + 6.0 * k);
}

static void
test_variate_moments(void)
{
	check_moments("normal", draw_normal, 0.0, 0.0, 101, 0.0, 1.0, 3.0);
	check_gamma("gamma(0.3)", 0.3, 102);
	check_gamma("gamma(4.5)", 4.5, 103);
	check_gamma("gamma(1)", 1.0, 104);
	check_beta("beta(2,5)", 2.0, 5.0, 105);
	check_beta("beta(0.5,0.5)", 0.5, 0.5, 106);
	check_beta("beta(300.2,10.7)", 300.2, 10.7, 107);
	unit_current = "test_variate_moments";
}

static void
test_beta_extreme_shapes(void)
{
	double		shapes[] = {1e-6, 1e-3, 1.0, 1e4};
	AcqSplitMix sm = {2024};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int			i,
				j,
				k;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
		{
			int			bad = 0;

			for (k = 0; k < 20000; k++)
			{
				double		x = acq_rng_beta(&rng, shapes[i], shapes[j]);

				if (!(isfinite(x) && x >= 0.0 && x <= 1.0))
					bad++;
			}
			CHECK(bad == 0);
		}
	/* shapes at or below zero (after "forget") are clamped, not NaN */
	for (k = 0; k < 1000; k++)
	{
		double		x = acq_rng_beta(&rng, 0.0, -1e-17);
		double		y = acq_rng_beta(&rng, -0.5, 3.0);

		CHECK(x >= 0.0 && x <= 1.0);
		CHECK(y >= 0.0 && y <= 1.0);
	}
	/* Beta(1e-3, 1) puts mass 1 - 0.5^1e-3 ~ 6.9e-4 above 1/2: nearly all near 0 */
	{
		int			above = 0;

		for (k = 0; k < 20000; k++)
			above += acq_rng_beta(&rng, 1e-3, 1.0) > 0.5;
		CHECK(above < 60);
	}
	CHECK(isnan(acq_rng_beta(&rng, NAN, 1.0)));
	CHECK(isnan(acq_rng_gamma(&rng, 0.0)));
	CHECK(isnan(acq_rng_gamma(&rng, -1.0)));
}

static void
test_determinism(void)
{
	AcqSplitMix s1 = {77};
	AcqSplitMix s2 = {77};
	AcqRng		r1 = {acq_splitmix_next, &s1};
	AcqRng		r2 = {acq_splitmix_next, &s2};
	int			k;
	int			same = 0;

	for (k = 0; k < 5000; k++)
	{
		same += acq_rng_normal(&r1) == acq_rng_normal(&r2);
		same += acq_rng_gamma(&r1, 0.7) == acq_rng_gamma(&r2, 0.7);
		same += acq_rng_gamma(&r1, 3.0) == acq_rng_gamma(&r2, 3.0);
		same += acq_rng_beta(&r1, 2.5, 0.4) == acq_rng_beta(&r2, 2.5, 0.4);
	}
	CHECK(same == 4 * 5000);
	CHECK(s1.s == s2.s);
	/* a restored state replays the sequence: the variates keep no state */
	{
		AcqSplitMix s3 = {99};
		AcqRng		r3 = {acq_splitmix_next, &s3};
		double		first[10];
		uint64_t	saved;

		acq_rng_normal(&r3);
		saved = s3.s;
		for (k = 0; k < 10; k++)
			first[k] = acq_rng_beta(&r3, 0.3, 0.3) + acq_rng_normal(&r3);
		s3.s = saved;
		for (k = 0; k < 10; k++)
			CHECK(first[k] == acq_rng_beta(&r3, 0.3, 0.3) + acq_rng_normal(&r3));
	}
}

int
main(void)
{
	RUN(test_t_cdf_fixture);
	RUN(test_t_quantile_fixture);
	RUN(test_t_quantile_closed_forms);
	RUN(test_normal_quantile);
	RUN(test_inc_beta);
	RUN(test_invalid);
	RUN(test_variate_moments);
	RUN(test_beta_extreme_shapes);
	RUN(test_determinism);
	return unit_summary("test_distributions");
}
