/*
 * vecmath.c -- element-wise loops of the logistic fit, vectorised.
 *
 * Each Newton step of the logistic fit evaluates one exp() and one log1p()
 * per row; with scalar libm calls that is most of the time of a fit on
 * 10-20 features.  This file alone is compiled with -O3 -ffast-math so that
 * GCC vectorises the loops and calls glibc's vector math library (libmvec:
 * _ZGV*_exp, accurate to a few ulps; log1p is a short series below).  It is
 * built twice: as is (SSE2, any x86-64) and, through vecmath_avx2.c, with -mavx2 -mfma;
 * acq_vec_ops() picks the AVX2 build when the CPU has it.  The inputs are
 * finite (the callers check the data), so -ffast-math's assumptions hold.
 */
#include <math.h>
#include <stddef.h>

#include "vecmath.h"

#ifdef ACQ_VEC_AVX2
#define VEC(name) name##_avx2
#else
#define VEC(name) name##_base
#endif

double		VEC(acq_vec_logistic_loss) (const double *z, const double *zd, double t,
										const double *y, double *eh, int64_t n);
double		VEC(acq_vec_logistic_residuals) (const double *z, const double *eh,
											 const double *y, double C,
											 double *r, int64_t n);
void		VEC(acq_vec_logistic_step) (const double *z, const double *zd, double *z2,
										double *eh, int64_t n);

void
VEC(acq_vec_logistic_step) (const double *z, const double *zd, double *z2,
							double *eh, int64_t n)
{
	int64_t		i;

	for (i = 0; i < n; i++)
	{
		double		zi = z[i] + zd[i];

		z2[i] = zi;
		eh[i] = exp(-0.5 * fabs(zi));
	}
}

double
VEC(acq_vec_logistic_loss) (const double *z, const double *zd, double t,
							const double *y, double *eh, int64_t n)
{
	double		loss = 0.0;
	int64_t		i;

	for (i = 0; i < n; i++)
	{
		double		zi = z[i] + t * zd[i];
		double		h = exp(-0.5 * fabs(zi));
		double		e = h * h;
		double		u = e / (2.0 + e);
		double		u2 = u * u;
		double		ser = 1.0 / 31.0;

		/*
		 * log1p(e) for e = exp(-|zi|) in (0, 1], as 2 atanh(u) with
		 * u = e / (2 + e) in (0, 1/3]: the odd series 2 (u + u^3/3 + ...)
		 * to u^31 has only positive terms and a truncation error below
		 * 2e-17 relative, and vectorises to a few FMAs (glibc's vector
		 * log and log1p cost several times more than its vector exp).
		 */
		ser = ser * u2 + 1.0 / 29.0;
		ser = ser * u2 + 1.0 / 27.0;
		ser = ser * u2 + 1.0 / 25.0;
		ser = ser * u2 + 1.0 / 23.0;
		ser = ser * u2 + 1.0 / 21.0;
		ser = ser * u2 + 1.0 / 19.0;
		ser = ser * u2 + 1.0 / 17.0;
		ser = ser * u2 + 1.0 / 15.0;
		ser = ser * u2 + 1.0 / 13.0;
		ser = ser * u2 + 1.0 / 11.0;
		ser = ser * u2 + 1.0 / 9.0;
		ser = ser * u2 + 1.0 / 7.0;
		ser = ser * u2 + 1.0 / 5.0;
		ser = ser * u2 + 1.0 / 3.0;
		ser = ser * u2 + 1.0;

		eh[i] = h;
		loss += (zi > 0.0 ? zi : 0.0) - y[i] * zi + 2.0 * u * ser;
	}
	return loss;
}

double
VEC(acq_vec_logistic_residuals) (const double *z, const double *eh,
								 const double *y, double C, double *r,
								 int64_t n)
{
	double		sum = 0.0;
	int64_t		i;

	for (i = 0; i < n; i++)
	{
		/* sigma(z) from e = exp(-|z|) = h^2 without overflow */
		double		e = eh[i] * eh[i];
		double		s = ((z[i] >= 0.0) ? 1.0 : e) / (1.0 + e);

		r[i] = C * (s - y[i]);
		sum += r[i];
	}
	return sum;
}

#ifndef ACQ_VEC_AVX2
double		acq_vec_logistic_loss_avx2(const double *z, const double *zd, double t,
									   const double *y, double *eh, int64_t n);
double		acq_vec_logistic_residuals_avx2(const double *z, const double *eh,
											const double *y, double C,
											double *r, int64_t n);
void		acq_vec_logistic_step_avx2(const double *z, const double *zd, double *z2,
									   double *eh, int64_t n);

static const AcqVecOps base_ops = {acq_vec_logistic_loss_base,
	acq_vec_logistic_residuals_base, acq_vec_logistic_step_base};
static const AcqVecOps avx2_ops = {acq_vec_logistic_loss_avx2,
	acq_vec_logistic_residuals_avx2, acq_vec_logistic_step_avx2};

const AcqVecOps *
acq_vec_ops(void)
{
	static const AcqVecOps *ops = NULL;

	if (ops == NULL)
	{
#if defined(__x86_64__) || defined(__i386__)
		__builtin_cpu_init();
		ops = (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ?
			&avx2_ops : &base_ops;
#else
		ops = &base_ops;
#endif
	}
	return ops;
}
#endif
