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
 *
 * With fewer rows than p + 1 the same solution lives in the row space: with
 * Xc the centred rows and yc the centred labels, w = Xc' c where
 * (Xc Xc' + alpha I) c = yc (c the minimum-norm solution for alpha = 0), so
 * an n x n Gram matrix replaces the d x d statistics
 * (acq_linreg_solve_rows).
 *
 * Every BLAS or LAPACK call here does at most about LINREG_BLOCK_MACS
 * multiply-adds, or is refused (ACQ_ERR_TOO_LARGE), so that
 * acq_check_interrupts runs at least every fraction of a second: row chunks
 * of the statistics shrink with d, the Gram matrix is built from panels of
 * features, Cholesky factorisations above LINREG_CHOL_BLOCKED are tiled, and
 * the one call that cannot be split, the eigendecomposition behind a
 * rank-deficient fit, is refused above ACQ_LINREG_MAX_EIGEN.
 */
#include "core/models.h"

#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

/* rows per scratch chunk of acq_linstats_accumulate (fewer for d > 494) */
#define LINSTATS_CHUNK 4096

/*
 * Multiply-adds one BLAS call may do: about 0.03 s on one core at 20
 * GMAC/s, so that interrupts are seen well within a second on slower
 * machines too.
 */
#define LINREG_BLOCK_MACS 5e8
/* Cholesky factorisations of larger order are tiled (tiles of the second) */
#define LINREG_CHOL_BLOCKED 2048
#define LINREG_CHOL_TILE 256
/* the row-space solver's feature panels hold at most this many doubles */
#define LINREG_PANEL_DOUBLES (1 << 21)

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

double
acq_linstats_memory(int p)
{
	double		d = (double) p + 1.0;

	return sizeof(AcqLinStats) + sizeof(double) * (d * d + d);
}

double
acq_linreg_solve_memory(int p, int64_t n)
{
	double		d = (double) p + 1.0;
	double		chunk = 2.0 * LINREG_BLOCK_MACS / (d * d);
	double		solve = (double) p * p + 5.0 * d;
	double		accumulate;

	if (chunk > LINSTATS_CHUNK)
		chunk = LINSTATS_CHUNK;
	if (chunk > (double) n)
		chunk = (double) n;
	if (chunk < 1.0)
		chunk = 1.0;
	accumulate = chunk * (d + 1.0);
	/* the minimum-norm fallback: its own 2 d^2 + 3 d, and dsyev's workspace */
	if (p <= ACQ_LINREG_MAX_EIGEN)
		solve += 2.0 * d * d + 3.0 * d + 70.0 * d;
	return sizeof(double) * (solve > accumulate ? solve : accumulate);
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
	int64_t		chunk = LINSTATS_CHUNK;
	double	   *Z;
	double	   *u;
	int64_t		start;
	int			i;
	int			j;

	if (n <= 0)
		return;
	/* each dsyrk below does chunk * d^2 / 2 multiply-adds */
	if ((double) chunk * d * d > 2.0 * LINREG_BLOCK_MACS)
		chunk = (int64_t) (2.0 * LINREG_BLOCK_MACS / ((double) d * d));
	if (chunk < 1)
		chunk = 1;
	if (n < chunk)
		chunk = n;
	Z = (double *) acq_alloc_array((size_t) chunk * (d + 1), sizeof(double));
	u = Z + chunk * d;

	for (start = 0; start < n; start += chunk)
	{
		int			m = (int) ((n - start < chunk) ? n - start : chunk);
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
		if (start + chunk < n)
			acq_check_interrupts();
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
 * Eigendecomposition of the symmetric A (n x n, column-major, lower triangle
 * used): A is overwritten by the eigenvectors (columns), lam gets the
 * eigenvalues in ascending order.  The _work interface with a workspace
 * query keeps LAPACKE from calling malloc: all memory comes from acq_alloc.
 * One LAPACK call that cannot be interrupted: orders above
 * ACQ_LINREG_MAX_EIGEN are refused.
 */
static AcqStatus
sym_eigen(double *A, int n, double *lam)
{
	double		wsize = 0.0;
	lapack_int	info;

	if (n > ACQ_LINREG_MAX_EIGEN)
		return ACQ_ERR_TOO_LARGE;
	info = LAPACKE_dsyev_work(LAPACK_COL_MAJOR, 'V', 'L', n, A, n, lam,
							  &wsize, -1);
	if (info == 0)
	{
		lapack_int	lwork = (lapack_int) wsize;
		double	   *work = (double *) acq_alloc_array((size_t) lwork,
													  sizeof(double));

		info = LAPACKE_dsyev_work(LAPACK_COL_MAJOR, 'V', 'L', n, A, n, lam,
								  work, lwork);
		acq_free(work);
	}
	return info == 0 ? ACQ_OK : ACQ_ERR_SINGULAR;
}

/*
 * Cholesky factorisation A = L L' in place (n x n, column-major, lower
 * triangle): 0, or k > 0 if the leading minor of order k is not positive
 * definite, as dpotrf.  Up to LINREG_CHOL_BLOCKED this is dpotrf itself;
 * above, a right-looking factorisation in tiles of LINREG_CHOL_TILE columns
 * whose every call is small, with interrupt checks between them.
 */
static int
chol_lower(double *A, int n)
{
	size_t		ld = (size_t) n;
	int			k;

	if (n <= LINREG_CHOL_BLOCKED)
		return (int) LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', n, A, n);
	for (k = 0; k < n; k += LINREG_CHOL_TILE)
	{
		int			kb = (n - k < LINREG_CHOL_TILE) ? n - k : LINREG_CHOL_TILE;
		int			rest = n - k - kb;
		double	   *akk = A + k + k * ld;
		lapack_int	info;
		int			j;

		info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', kb, akk, n);
		if (info != 0)
			return k + (int) info;
		if (rest == 0)
			break;
		/* the panel below the diagonal tile: A21 = A21 L11^-T */
		cblas_dtrsm(CblasColMajor, CblasRight, CblasLower, CblasTrans,
					CblasNonUnit, rest, kb, 1.0, akk, n, akk + kb, n);
		acq_check_interrupts();
		/* the trailing matrix, one tile column at a time: A22 -= A21 A21' */
		for (j = k + kb; j < n; j += LINREG_CHOL_TILE)
		{
			int			jb = (n - j < LINREG_CHOL_TILE) ? n - j : LINREG_CHOL_TILE;
			const double *aj = A + j + k * ld;	/* rows j.. of the panel */

			cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, jb, kb,
						-1.0, aj, n, 1.0, A + j + j * ld, n);
			if (j + jb < n)
				cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans,
							n - j - jb, jb, kb, -1.0, aj + jb, n, aj, n,
							1.0, A + (j + jb) + j * ld, n);
			acq_check_interrupts();
		}
	}
	return 0;
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
	int			k = 0;
	int			i;
	int			j;
	int			l;
	AcqStatus	status = ACQ_OK;

	if (d > ACQ_LINREG_MAX_EIGEN)
		return ACQ_ERR_TOO_LARGE;
	mem = (double *) acq_alloc_array((size_t) 2 * d + 2 * (size_t) d * d + d,
									 sizeof(double));
	lam = mem;
	tmp = lam + d;
	N = tmp + d;
	NtN = N + (size_t) d * d;
	c = NtN + (size_t) d * d;

	/* At is overwritten by the eigenvectors (columns), lam ascending */
	status = sym_eigen(At, d, lam);
	if (status != ACQ_OK)
	{
		acq_free(mem);
		return status;
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
			acq_check_interrupts();
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
	if (chol_lower(A, q) == 0)
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

/* ---- the row space ---------------------------------------------------------- */

/*
 * Columns act[0..jb-1] of the centred rows, column-major n x jb (leading
 * dimension n): P[k n + i] = x_i[act[k]] - mx[act[k]].
 */
static void
fill_panel(double *P, const double *const *rows, int n, const int *act,
		   int jb, const double *mx)
{
	int			i;
	int			k;

	for (i = 0; i < n; i++)
	{
		const double *x = rows[i];

		for (k = 0; k < jb; k++)
			P[(size_t) k * n + i] = x[act[k]] - mx[act[k]];
	}
}

/* features per panel: dsyrk on n x jb does n^2 jb / 2 multiply-adds */
static int
panel_width(int n, int q)
{
	double		w = 2.0 * LINREG_BLOCK_MACS / ((double) n * n);

	if (w > (double) LINREG_PANEL_DOUBLES / n)
		w = (double) LINREG_PANEL_DOUBLES / n;
	if (w > q)
		w = q;
	return w < 1.0 ? 1 : (int) w;
}

double
acq_linreg_rows_memory(int64_t n, int p)
{
	double		dn = (double) n;
	double		q = p > 0 ? p : 1;
	double		width = 2.0 * LINREG_BLOCK_MACS / (dn * dn);

	if (width > LINREG_PANEL_DOUBLES / dn)
		width = LINREG_PANEL_DOUBLES / dn;
	if (width > q)
		width = q;
	if (width < 1.0)
		width = 1.0;
	/*
	 * G and its scaled copy (or the eigenvectors), a panel and its products,
	 * vectors, dsyev's workspace (under 70 n), the row pointers
	 */
	return sizeof(double) * (2.0 * dn * dn + (dn + 1.0) * width + 73.0 * dn + 4.0 * q)
		+ sizeof(double *) * dn;
}

AcqStatus
acq_linreg_solve_rows(const AcqBlock *blocks, int nblocks, int p, double alpha,
					  const double *shift_x, double shift_y, double *beta)
{
	int64_t		n64 = 0;
	int			n;
	int			q = 0;
	int			width;
	const double **rows;
	double	   *mem;
	double	   *yc;
	double	   *mx;
	double	   *css;
	double	   *raw;
	double	   *c;
	double	   *sc;
	double	   *G;
	double	   *A;
	double	   *P;
	double	   *wp;
	int		   *act;
	bool	   *varies;
	double		my = 0.0;
	double		trace = 0.0;
	double		b;
	bool		full_rank = false;
	AcqStatus	status = ACQ_OK;
	size_t		ld;
	int			i;
	int			j;
	int			k;

	if (p < 0)
		return ACQ_ERR_ARGUMENT;
	memset(beta, 0, sizeof(double) * (p + 1));
	if (!(alpha >= 0.0) || isinf(alpha))
		return ACQ_ERR_ARGUMENT;
	for (k = 0; k < nblocks; k++)
		if (blocks[k].n > 0)
			n64 += blocks[k].n;
	if (n64 <= 0)
		return ACQ_ERR_EMPTY;
	if (n64 > ACQ_LINREG_MAX_ROWS)
		return ACQ_ERR_TOO_LARGE;
	n = (int) n64;
	ld = (size_t) n;

	rows = (const double **) acq_alloc_array(ld, sizeof(double *));
	mem = (double *) acq_alloc_array(3 * ld + 4 * (size_t) (p > 0 ? p : 1),
									 sizeof(double));
	yc = mem;
	c = yc + n;
	sc = c + n;
	mx = sc + n;
	css = mx + p;
	raw = css + p;
	act = (int *) (raw + p);	/* p ints fit in p doubles */
	varies = (bool *) (act + p);	/* and p bools in the next p doubles */

	/* the rows in order, the label mean and the feature means */
	i = 0;
	for (k = 0; k < nblocks; k++)
	{
		int64_t		r;

		for (r = 0; r < blocks[k].n; r++)
		{
			const double *x = blocks[k].X + r * p;

			rows[i] = x;
			yc[i] = blocks[k].y[r];
			my += yc[i];
			for (j = 0; j < p; j++)
				mx[j] += x[j];
			i++;
		}
		acq_check_interrupts();
	}
	my /= n;
	for (j = 0; j < p; j++)
		mx[j] /= n;
	for (i = 0; i < n; i++)
		yc[i] -= my;
	if (!isfinite(my))
		status = ACQ_ERR_ARGUMENT;
	for (j = 0; j < p; j++)
		if (!isfinite(mx[j]))
			status = ACQ_ERR_ARGUMENT;
	if (status != ACQ_OK)
		goto done;

	/*
	 * A feature that is constant in these rows gets weight 0, exactly, as in
	 * acq_linreg_solve: one whose values are all equal, or whose centred sum
	 * of squares is rounding noise next to its sum of squares about the
	 * shift.
	 */
	for (i = 0; i < n; i++)
	{
		const double *x = rows[i];

		for (j = 0; j < p; j++)
		{
			double		dc = x[j] - mx[j];
			double		ds = x[j] - (shift_x ? shift_x[j] : 0.0);

			css[j] += dc * dc;
			raw[j] += ds * ds;
			if (x[j] != rows[0][j])
				varies[j] = true;
		}
		if ((i & 255) == 255)
			acq_check_interrupts();
	}
	for (j = 0; j < p; j++)
		if (varies[j] && css[j] > LINREG_CONST_TOL * raw[j] && css[j] > 0.0)
			act[q++] = j;
	if (q == 0)
		goto intercept;

	/* G = Xc Xc' (lower triangle), from panels of the active features */
	width = panel_width(n, q);
	G = (double *) acq_alloc_array(ld * ld + (ld + 1) * (size_t) width,
								   sizeof(double));
	P = G + ld * ld;
	wp = P + ld * (size_t) width;
	acq_check_interrupts();
	for (j = 0; j < q; j += width)
	{
		int			jb = (q - j < width) ? q - j : width;

		fill_panel(P, rows, n, act + j, jb, mx);
		cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, n, jb, 1.0, P, n,
					j == 0 ? 0.0 : 1.0, G, n);
		acq_check_interrupts();
	}
	for (i = 0; i < n; i++)
		trace += G[i * ld + i];
	if (!(trace > 0.0) || !isfinite(trace))
	{
		/* every centred row is 0 (or the data overflowed): no weights */
		if (!isfinite(trace))
			status = ACQ_ERR_ARGUMENT;
		acq_free(G);
		goto intercept;
	}
	/* a second n x n matrix, allocated (and zeroed) apart: a shorter step */
	acq_check_interrupts();
	A = (double *) acq_alloc_array(ld * ld, sizeof(double));
	acq_check_interrupts();

	/*
	 * (G + alpha I) c = yc.  G e = 0 for e = 1/sqrt(n) (the rows are
	 * centred) and yc is orthogonal to e, so adding (trace / n) e e' leaves
	 * the solution alone and makes the matrix positive definite whenever the
	 * centred rows span n - 1 dimensions.  Jacobi scaling first, then
	 * Cholesky, accepted only if every pivot is clearly positive, as in
	 * acq_linreg_solve.
	 */
	for (i = 0; i < n; i++)
		sc[i] = 1.0 / sqrt(G[i * ld + i] + trace / ((double) n * n) + alpha);
	for (j = 0; j < n; j++)
	{
		for (i = j; i < n; i++)
			A[j * ld + i] = (G[j * ld + i] + trace / ((double) n * n) +
							 (i == j ? alpha : 0.0)) * (sc[i] * sc[j]);
		c[j] = sc[j] * yc[j];
		if ((j & 255) == 255)
			acq_check_interrupts();
	}
	acq_check_interrupts();
	if (chol_lower(A, n) == 0)
	{
		full_rank = true;
		for (j = 0; j < n; j++)
			if (!(A[j * ld + j] * A[j * ld + j] > LINREG_RANK_TOL))
				full_rank = false;
	}
	if (full_rank)
	{
		if (LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', n, 1, A, n, c, n) != 0)
			status = ACQ_ERR_SINGULAR;
		for (j = 0; j < n; j++)
			c[j] *= sc[j];
	}
	else
	{
		/*
		 * The centred rows are linearly dependent (repeated rows, say): the
		 * minimum-norm solution is w = Xc' pinv(G + alpha I) yc, through the
		 * eigendecomposition of G + alpha I itself (unscaled: pinv is the
		 * orthogonal projection's inverse only in this metric).
		 */
		double	   *lam = sc;	/* n doubles, no longer needed */
		double		lmax;

		for (j = 0; j < n; j++)
			for (i = j; i < n; i++)
				A[j * ld + i] = G[j * ld + i] + (i == j ? alpha : 0.0);
		acq_check_interrupts();
		status = sym_eigen(A, n, lam);
		if (status == ACQ_OK)
		{
			lmax = lam[n - 1];
			memset(c, 0, sizeof(double) * n);
			for (k = 0; k < n; k++)
			{
				const double *v = A + (size_t) k * ld;

				if (lmax > 0.0 && lam[k] > LINREG_RANK_TOL * lmax)
					cblas_daxpy(n, cblas_ddot(n, v, 1, yc, 1) / lam[k], v, 1,
								c, 1);
			}
		}
	}

	/* w = Xc' c, panel by panel */
	if (status == ACQ_OK)
	{
		for (j = 0; j < q; j += width)
		{
			int			jb = (q - j < width) ? q - j : width;

			fill_panel(P, rows, n, act + j, jb, mx);
			cblas_dgemv(CblasColMajor, CblasTrans, n, jb, 1.0, P, n, c, 1,
						0.0, wp, 1);
			for (k = 0; k < jb; k++)
				beta[act[j + k]] = wp[k];
			acq_check_interrupts();
		}
	}
	acq_free(A);
	acq_free(G);

intercept:
	if (status == ACQ_OK)
	{
		/* in shifted coordinates, as acq_linreg_solve */
		b = my - shift_y;
		for (k = 0; k < q; k++)
			b -= (mx[act[k]] - (shift_x ? shift_x[act[k]] : 0.0)) * beta[act[k]];
		beta[p] = b;
	}
done:
	if (status != ACQ_OK)
		memset(beta, 0, sizeof(double) * (p + 1));
	acq_free(mem);
	acq_free(rows);
	return status;
}

double
acq_linreg_mse_rows(const AcqBlock *val, int p, const double *beta,
					const double *shift_x, double shift_y)
{
	double		sse = 0.0;
	int64_t		every;
	int64_t		i;
	int			j;

	if (!(val->n > 0))
		return NAN;
	/* rows between interrupt checks: about 1e8 multiply-adds */
	every = (int64_t) (1e8 / (p > 0 ? p : 1)) + 1;
	for (i = 0; i < val->n; i++)
	{
		const double *x = val->X + i * p;
		double		r = val->y[i] - shift_y - beta[p];

		for (j = 0; j < p; j++)
			r -= (x[j] - (shift_x ? shift_x[j] : 0.0)) * beta[j];
		sse += r * r;
		if (i % every == every - 1)
			acq_check_interrupts();
	}
	return sse / (double) val->n;
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
	/* an overflowed term (NaN or infinity) is not a perfect fit */
	if (!isfinite(sse))
		return NAN;
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
