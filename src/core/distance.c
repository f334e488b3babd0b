/*
 * distance.c -- squared Euclidean distances on BLAS (see distance.h).
 */
#include <cblas.h>
#include <math.h>

#include "core/distance.h"

/* rows of A per DGEMM block in acq_min_sqdist: 256 x nb doubles at most */
#define MIN_BLOCK 256

void
acq_row_sqnorms(const double *X, int64_t n, int d, double *out)
{
	int64_t		i = 0;

	/*
	 * Four rows at a time: each row's sum still runs j = 0, 1, ... in order
	 * (the same result as one row alone), but four independent sums keep
	 * the adder busy instead of waiting on one chain.
	 */
	for (; i + 4 <= n; i += 4)
	{
		const double *x0 = X + i * d,
				   *x1 = x0 + d,
				   *x2 = x1 + d,
				   *x3 = x2 + d;
		double		s0 = 0.0,
					s1 = 0.0,
					s2 = 0.0,
					s3 = 0.0;

		for (int j = 0; j < d; j++)
		{
			s0 += x0[j] * x0[j];
			s1 += x1[j] * x1[j];
			s2 += x2[j] * x2[j];
			s3 += x3[j] * x3[j];
		}
		out[i] = s0;
		out[i + 1] = s1;
		out[i + 2] = s2;
		out[i + 3] = s3;
	}
	for (; i < n; i++)
	{
		const double *x = X + i * d;
		double		s = 0.0;

		for (int j = 0; j < d; j++)
			s += x[j] * x[j];
		out[i] = s;
	}
}

int64_t
acq_gemm_cols(int64_t rows, int d, int64_t cap)
{
	double		cols = ACQ_GEMM_MAX_MADDS /
		((double) (rows > 0 ? rows : 1) * (double) (d > 0 ? d : 1));

	if (cols >= (double) cap)
		return cap;
	return cols >= 1.0 ? (int64_t) cols : 1;
}

void
acq_sqdist(const double *A, int64_t na, const double *B, int64_t nb, int d,
		   const double *anorm, const double *bnorm, double *D)
{
	double	   *an = NULL,
			   *bn = NULL;

	if (na <= 0 || nb <= 0)
		return;
	if (anorm == NULL)
	{
		an = acq_alloc_array(na, sizeof(double));
		acq_row_sqnorms(A, na, d, an);
		anorm = an;
	}
	if (bnorm == NULL)
	{
		bn = acq_alloc_array(nb, sizeof(double));
		acq_row_sqnorms(B, nb, d, bn);
		bnorm = bn;
	}
	/* D = -2 A B^T */
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) na, (int) nb, d,
				-2.0, A, d, B, d, 0.0, D, (int) nb);
	for (int64_t i = 0; i < na; i++)
	{
		double	   *row = D + i * nb;

		for (int64_t j = 0; j < nb; j++)
		{
			double		v = row[j] + anorm[i] + bnorm[j];

			row[j] = v > 0.0 ? v : 0.0;
		}
	}
	if (an)
		acq_free(an);
	if (bn)
		acq_free(bn);
}

void
acq_min_sqdist(const double *A, int64_t na, const double *B, int64_t nb, int d,
			   double *out)
{
	double	   *bn,
			   *an,
			   *D;

	if (na <= 0)
		return;
	bn = acq_alloc_array(nb, sizeof(double));
	an = acq_alloc_array(na, sizeof(double));
	D = acq_alloc_array((size_t) MIN_BLOCK * (size_t) nb, sizeof(double));
	acq_row_sqnorms(B, nb, d, bn);
	acq_row_sqnorms(A, na, d, an);
	for (int64_t s = 0; s < na; s += MIN_BLOCK)
	{
		int64_t		m = na - s < MIN_BLOCK ? na - s : MIN_BLOCK;

		acq_sqdist(A + s * d, m, B, nb, d, an + s, bn, D);
		for (int64_t i = 0; i < m; i++)
		{
			const double *row = D + i * nb;
			double		best = INFINITY;

			for (int64_t j = 0; j < nb; j++)
				if (row[j] < best)
					best = row[j];
			out[s + i] = best;
		}
		acq_check_interrupts();
	}
	acq_free(D);
	acq_free(an);
	acq_free(bn);
}
