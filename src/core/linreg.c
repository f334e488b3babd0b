/*
 * linreg.c -- least squares and ridge regression from sufficient statistics.
 *
 * With d = p + 1, z = [x - shift_x, 1] and u = y - shift_y, the statistics
 * ztz = sum z zt, zty = sum z u, yty = sum u^2 and n determine
 *
 *     ||u - Z beta||^2 = yty - 2 beta.zty + beta' ztz beta
 *
 * for every beta, so both the fit and the error of a fit on other rows need
 * only the statistics.  The normal equations of the ridge problem (intercept
 * unpenalised) are
 *
 *     (ztz + alpha diag(1, ..., 1, 0)) beta = zty,
 *
 * whose w part is also scikit-learn's Ridge / LinearRegression coefficient
 * vector (they centre the data, which the unpenalised intercept does
 * implicitly).  In original coordinates the intercept is
 * b = beta[p] + shift_y - shift_x.w.
 */
#include "core/models.h"

#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

/* rows per scratch chunk of acq_linstats_accumulate */
#define LINSTATS_CHUNK 4096

/*
 * Rank threshold on the Jacobi-scaled (unit diagonal) normal matrix: a
 * Cholesky pivot, i.e. 1 - R^2 of a column regressed on the columns before
 * it, or an eigenvalue relative to the largest, below this counts as zero.
 * Exactly collinear columns give ~1e-16 here; 1e-10 leaves room for the
 * rounding of sums over many rows.
 */
#define LINREG_RANK_TOL 1e-10
/* a feature whose centred sum of squares is below this fraction of its raw
 * sum of squares is constant in the rows, up to rounding */
#define LINREG_CONST_TOL 1e-12

AcqLinStats *
acq_linstats_create(int p)
{
	AcqLinStats *s;
	int			d = p + 1;

	if (p < 0)
		return NULL;
	s = (AcqLinStats *) acq_alloc(sizeof(AcqLinStats));
	s->p = p;
	s->n = 0.0;
	s->ztz = (double *) acq_alloc_array((size_t) d * d, sizeof(double));
	s->zty = (double *) acq_alloc_array((size_t) d, sizeof(double));
	s->yty = 0.0;
	return s;
}

void
acq_linstats_zero(AcqLinStats *s)
{
	int			d = s->p + 1;

	s->n = 0.0;
	s->yty = 0.0;
	memset(s->ztz, 0, sizeof(double) * d * d);
	memset(s->zty, 0, sizeof(double) * d);
}

void
acq_linstats_accumulate(AcqLinStats *s, const double *X, const double *y,
						int64_t n, const double *shift_x, double shift_y)
{
	int			p = s->p;
	int			d = p + 1;
	int64_t		chunk = (n < LINSTATS_CHUNK) ? n : LINSTATS_CHUNK;
	double	   *Z;
	double	   *u;
	int64_t		start;
	int			i;
	int			j;

	if (n <= 0)
		return;
	Z = (double *) acq_alloc_array((size_t) chunk * (d + 1), sizeof(double));
	u = Z + chunk * d;

	for (start = 0; start < n; start += LINSTATS_CHUNK)
	{
		int			m = (int) ((n - start < LINSTATS_CHUNK) ?
							   n - start : LINSTATS_CHUNK);
		int			k;

		/* the shifted, intercept-augmented rows of this chunk */
		for (k = 0; k < m; k++)
		{
			const double *xk = X + (start + k) * p;
			double	   *zk = Z + (int64_t) k * d;

			for (j = 0; j < p; j++)
				zk[j] = xk[j] - (shift_x ? shift_x[j] : 0.0);
			zk[p] = 1.0;
			u[k] = y[start + k] - shift_y;
		}
		/* ztz += Zt Z (upper triangle), zty += Zt u, yty += u.u */
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, m, 1.0,
					Z, d, 1.0, s->ztz, d);
		cblas_dgemv(CblasRowMajor, CblasTrans, m, d, 1.0, Z, d, u, 1,
					1.0, s->zty, 1);
		s->yty += cblas_ddot(m, u, 1, u, 1);
	}
	s->n += (double) n;

	/* keep ztz full symmetric: mirror the updated upper triangle */
	for (i = 0; i < d; i++)
		for (j = 0; j < i; j++)
			s->ztz[i * d + j] = s->ztz[j * d + i];

	acq_free(Z);
}

void
acq_linstats_add(AcqLinStats *dst, const AcqLinStats *src)
{
	int			d = dst->p + 1;
	int			i;

	for (i = 0; i < d * d; i++)
		dst->ztz[i] += src->ztz[i];
	for (i = 0; i < d; i++)
		dst->zty[i] += src->zty[i];
	dst->yty += src->yty;
	dst->n += src->n;
}

void
acq_linstats_sub(AcqLinStats *dst, const AcqLinStats *src)
{
	int			d = dst->p + 1;
	int			i;

	for (i = 0; i < d * d; i++)
		dst->ztz[i] -= src->ztz[i];
	for (i = 0; i < d; i++)
		dst->zty[i] -= src->zty[i];
	dst->yty -= src->yty;
	dst->n -= src->n;
}

void
acq_linstats_copy(AcqLinStats *dst, const AcqLinStats *src)
{
	int			d = dst->p + 1;

	memcpy(dst->ztz, src->ztz, sizeof(double) * d * d);
	memcpy(dst->zty, src->zty, sizeof(double) * d);
	dst->yty = src->yty;
	dst->n = src->n;
}

void
acq_linstats_free(AcqLinStats *s)
{
	if (s == NULL)
		return;
	acq_free(s->ztz);
	acq_free(s->zty);
	acq_free(s);
}

/*
 * Minimum-norm solution of the consistent, rank-deficient system
 * A beta = b, A = S At S with At (d x d, unit diagonal, column-major lower
 * triangle used) the scaled matrix and S = diag(sc), bt = S b.
 *
 * The eigendecomposition At = V diag(lambda) Vt splits V into V+ (lambda
 * above the rank threshold) and V0.  beta0 = S V+ diag(1/lambda) V+t bt
 * solves A beta = b, and every solution is beta0 + N c with N = S V0 (the
 * null space of A in original coordinates).  lstsq's minimum-norm solution
 * removes from beta0 its orthogonal projection on span(N):
 * beta = beta0 - N (Nt N)^-1 Nt beta0.
 * Scaling first makes the rank decision independent of the columns' units.
 */
static AcqStatus
linreg_min_norm(double *At, const double *sc, const double *bt, int d,
				double *beta)
{
	double	   *mem;
	double	   *lam;
	double	   *tmp;
	double	   *N;
	double	   *NtN;
	double	   *c;
	double		lmax;
	double		wsize = 0.0;
	lapack_int	info;
	int			k = 0;
	int			i;
	int			j;
	int			l;
	AcqStatus	status = ACQ_OK;

	mem = (double *) acq_alloc_array((size_t) 2 * d + 2 * (size_t) d * d + d,
									 sizeof(double));
	lam = mem;
	tmp = lam + d;
	N = tmp + d;
	NtN = N + (size_t) d * d;
	c = NtN + (size_t) d * d;

	/*
	 * At is overwritten by the eigenvectors (columns), lam ascending.  The
	 * _work interface with a workspace query keeps LAPACKE from calling
	 * malloc: all memory comes from acq_alloc.
	 */
	info = LAPACKE_dsyev_work(LAPACK_COL_MAJOR, 'V', 'L', d, At, d, lam,
							  &wsize, -1);
	if (info == 0)
	{
		lapack_int	lwork = (lapack_int) wsize;
		double	   *work = (double *) acq_alloc_array((size_t) lwork,
													  sizeof(double));

		info = LAPACKE_dsyev_work(LAPACK_COL_MAJOR, 'V', 'L', d, At, d, lam,
								  work, lwork);
		acq_free(work);
	}
	if (info != 0)
	{
		acq_free(mem);
		return ACQ_ERR_SINGULAR;
	}
	lmax = lam[d - 1];
	memset(tmp, 0, sizeof(double) * d);
	for (l = 0; l < d; l++)
	{
		const double *v = At + (size_t) l * d;

		if (lmax > 0.0 && lam[l] > LINREG_RANK_TOL * lmax)
		{
			/* beta0 (scaled) += v (v.bt) / lambda */
			double		coef = cblas_ddot(d, v, 1, bt, 1) / lam[l];

			cblas_daxpy(d, coef, v, 1, tmp, 1);
		}
		else
		{
			/* null vector, in original coordinates: column k of N */
			for (i = 0; i < d; i++)
				N[(size_t) k * d + i] = sc[i] * v[i];
			k++;
		}
	}
	for (i = 0; i < d; i++)
		beta[i] = sc[i] * tmp[i];

	if (k > 0)
	{
		/* c = (Nt N)^-1 Nt beta0; N is column-major d x k */
		for (i = 0; i < k; i++)
		{
			for (j = 0; j < k; j++)
				NtN[i * k + j] = cblas_ddot(d, N + (size_t) i * d, 1,
											N + (size_t) j * d, 1);
			c[i] = cblas_ddot(d, N + (size_t) i * d, 1, beta, 1);
		}
		if (LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', k, 1, NtN, k, c, k) == 0)
		{
			for (i = 0; i < k; i++)
				cblas_daxpy(d, -c[i], N + (size_t) i * d, 1, beta, 1);
		}
		else
			status = ACQ_ERR_SINGULAR;	/* cannot happen: N has full rank */
	}
	acq_free(mem);
	return status;
}

AcqStatus
acq_linreg_solve(const AcqLinStats *s, double alpha, double *beta)
{
	int			p = s->p;
	int			d = p + 1;
	double		n = s->n;
	double	   *mem;
	double	   *A;
	double	   *sc;
	double	   *bt;
	double	   *mx;
	double	   *w;
	int		   *act;
	int			q;
	double		my;
	AcqStatus	status = ACQ_OK;
	bool		full_rank = false;
	int			i;
	int			j;

	memset(beta, 0, sizeof(double) * d);
	if (!(alpha >= 0.0) || isinf(alpha))
		return ACQ_ERR_ARGUMENT;
	if (!(n > 0.0))
		return ACQ_ERR_EMPTY;
	/* NaN or infinity in the data */
	for (i = 0; i < d; i++)
	{
		if (!isfinite(s->zty[i]))
			return ACQ_ERR_ARGUMENT;
		for (j = 0; j < d; j++)
			if (!isfinite(s->ztz[i * d + j]))
				return ACQ_ERR_ARGUMENT;
	}

	mem = (double *) acq_alloc_array((size_t) p * p + 5 * (size_t) d,
									 sizeof(double));
	A = mem;
	sc = A + (size_t) p * p;
	bt = sc + d;
	mx = bt + d;
	w = mx + d;
	act = (int *) (w + d);		/* d ints fit in d doubles */

	/*
	 * Centre on the rows' own means, as scikit-learn does: with
	 * mx = mean(z[0..p-1]) and my = mean(y) (both in shifted coordinates,
	 * read off the intercept row), the weights solve
	 *     (Sxx - n mx mx^T + alpha I) w = Sxy - n mx my
	 * and the intercept is my - mx.w.  The intercept is thus never part of
	 * the minimum-norm choice below: a feature that is constant in these
	 * rows gets weight 0, whatever the shift.
	 */
	for (j = 0; j < p; j++)
		mx[j] = s->ztz[j * d + p] / n;
	my = s->zty[p] / n;
	if (p == 0)
	{
		beta[0] = my;
		acq_free(mem);
		return ACQ_OK;
	}

	/*
	 * A feature that is constant in these rows (its centred sum of squares
	 * is rounding noise next to its raw one) gets weight 0, exactly, as in
	 * scikit-learn; the others form a q x q system.  Without this, the
	 * scaling below would blow the noise up to unit size.
	 */
	q = 0;
	for (i = 0; i < p; i++)
	{
		double		cii = s->ztz[i * d + i] - n * mx[i] * mx[i];

		if (cii > LINREG_CONST_TOL * s->ztz[i * d + i] && cii > 0.0)
			act[q++] = i;
	}
	if (q == 0)
		goto intercept;

	/*
	 * Jacobi scaling At = S A S with S = diag(1/sqrt(A_jj)), bt = S b: At
	 * has a unit diagonal, so the pivots below are scale-free.
	 */
#define CENTRED(i, j) (s->ztz[(i) * d + (j)] - n * mx[i] * mx[j] + ((i) == (j) ? alpha : 0.0))
	for (i = 0; i < q; i++)
		sc[i] = 1.0 / sqrt(CENTRED(act[i], act[i]));
	for (i = 0; i < q; i++)
	{
		for (j = 0; j < q; j++)
			A[i * q + j] = sc[i] * CENTRED(act[i], act[j]) * sc[j];
		bt[i] = sc[i] * (s->zty[act[i]] - n * mx[act[i]] * my);
	}

	/*
	 * Cholesky of the symmetric At (its lower triangle in column-major
	 * order is its upper triangle in row-major order: no transpose).  Accept
	 * it only if every pivot L_jj^2 is clearly positive.
	 */
	memcpy(w, bt, sizeof(double) * q);
	if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', q, A, q) == 0)
	{
		full_rank = true;
		for (j = 0; j < q; j++)
			if (!(A[j * q + j] * A[j * q + j] > LINREG_RANK_TOL))
				full_rank = false;
	}
	if (full_rank)
	{
		if (LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', q, 1, A, q, w, q) != 0)
			status = ACQ_ERR_SINGULAR;
		for (j = 0; j < q; j++)
			w[j] *= sc[j];
	}
	else
	{
		/* rank deficient: rebuild At (dpotrf overwrote it), minimum norm */
		for (i = 0; i < q; i++)
			for (j = 0; j < q; j++)
				A[i * q + j] = sc[i] * CENTRED(act[i], act[j]) * sc[j];
		status = linreg_min_norm(A, sc, bt, q, w);
	}
	for (j = 0; j < q; j++)
		beta[act[j]] = w[j];
#undef CENTRED
intercept:
	if (status == ACQ_OK)
	{
		double		b = my;

		for (j = 0; j < p; j++)
			b -= mx[j] * beta[j];
		beta[p] = b;
	}
	else
		memset(beta, 0, sizeof(double) * d);
	acq_free(mem);
	return status;
}

double
acq_linreg_mse_stats(const AcqLinStats *val, const double *beta)
{
	int			d = val->p + 1;
	double		quad = 0.0;
	double		lin = 0.0;
	double		sse;
	int			i;
	int			j;

	if (!(val->n > 0.0))
		return NAN;
	/* sum (u - z.beta)^2 = yty - 2 beta.zty + beta' ztz beta */
	for (i = 0; i < d; i++)
	{
		double		row = 0.0;

		for (j = 0; j < d; j++)
			row += val->ztz[i * d + j] * beta[j];
		quad += beta[i] * row;
		lin += beta[i] * val->zty[i];
	}
	sse = val->yty - 2.0 * lin + quad;
	return (sse > 0.0) ? sse / val->n : 0.0;
}

double
acq_linstats_label_var(const AcqLinStats *s)
{
	double		mean;
	double		var;

	if (!(s->n > 0.0))
		return NAN;
	/*
	 * zty[p] = sum (y - shift_y) (the intercept column is 1), so this is the
	 * population variance of y - shift_y, which equals that of y.
	 */
	mean = s->zty[s->p] / s->n;
	var = s->yty / s->n - mean * mean;
	return (var > 0.0) ? var : 0.0;
}
