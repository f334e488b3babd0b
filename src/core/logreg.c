/*
 * logreg.c -- binary logistic regression with an L2 penalty.
 *
 * It is one thing past 1,000 lines: the fit, a source's share of its
 * gradient and Hessian (the warm starts of source selection) and the
 * predictions share the objective's kernels (hessian_chunk, the
 * factorisation, the chunking).
 *
 * With theta = (w, b), margins z_i = x_i.w + b and labels y_i in {0,1}, we
 * minimise
 *
 *     f(theta) = C * sum_i l(y_i, z_i) + 0.5 * ||w||^2,
 *     l(y, z)  = log(1 + exp(z)) - y z
 *              = max(z, 0) - y z + log1p(exp(-|z|))     (stable form),
 *
 * the objective of scikit-learn's LogisticRegression(C=C, penalty='l2',
 * fit_intercept=True).  f is strictly convex in w and (given both classes)
 * in b, so Newton's method converges to the unique optimum:
 *
 *     gradient  g = C * Zt (sigma(z) - y) + (w, 0)
 *     Hessian   H = C * Zt D Z + diag(1, ..., 1, 0),  D = diag(s_i (1 - s_i))
 *
 * where Z = [X, 1] and s_i = sigma(z_i).  H is assembled chunk by chunk from
 * a scratch copy of the rows scaled by sqrt(C D_i) with cblas_dsyrk (BLAS
 * level 3), and the direction solves H dir = -g by Cholesky.  Between
 * rebuilds H is improved by BFGS updates.  A full step is taken when it at
 * least halves the gradient (that needs only the exp the next gradient needs
 * anyway); otherwise a backtracking (Armijo) line search on f decides.  The
 * stopping test is always the exact gradient's, so the optimum reached does
 * not depend on these choices, only the number of steps.
 *
 * Per fit we keep four n-vectors (the margins z, the margins of the
 * direction zd, h = exp(-|z|/2), and the margins of a trial point), so a
 * line-search trial costs O(n) scalar work and no BLAS call, and sigma(z)
 * and the Hessian weights at the accepted point come for free from the
 * trial's h.  The weighted copy of the rows is bounded by LOGREG_CHUNK rows
 * whatever n is.  The blocks are never copied; optional column-major copies
 * of them (AcqLogregParams.xcol) serve the matrix-vector products.
 */
#include "core/models.h"
#include "core/vecmath.h"

#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

/* rows per scratch chunk of the Hessian assembly and per BLAS call */
#ifndef LOGREG_CHUNK
#define LOGREG_CHUNK 4096
#endif

/* the most multiply-adds of one DSYRK of the Hessian (hessian_chunk) */
#define LOGREG_SYRK_MADDS 500000000.0

/* intercept of the constant predictor returned for single-class input */
#define LOGREG_SINGLE_CLASS_B 30.0

/* Armijo sufficient-decrease constant and maximum step halvings */
#define LOGREG_ARMIJO 1e-4
#define LOGREG_MAX_HALVINGS 40

typedef struct LogregWork
{
	const AcqBlock *blocks;
	int			nblocks;
	int			p;
	int			d;				/* p + 1 */
	int64_t		n;				/* total rows */
	double		C;
	double	   *z;				/* n: margins at the current theta */
	double	   *zd;				/* n: margins of the direction; residuals */
	double	   *eh;				/* n: exp(-|z|/2) at the last evaluated point */
	double	   *S;				/* LOGREG_CHUNK x d: weighted rows */
	const AcqVecOps *vec;		/* vectorised element-wise loops */
	const double *const *xcol;	/* NULL, or per block [X, 1] column-major */
} LogregWork;

void
acq_logreg_default_params(AcqLogregParams *prm)
{
	prm->C = 1.0;
	prm->max_iter = 100;
	prm->tol = 1e-8;
	prm->warm_start = false;
	prm->hess_init = NULL;
	prm->hess_out = NULL;
	prm->init_step = NULL;
	prm->init_grad = NULL;
	prm->xcol = NULL;
	prm->work = NULL;
	prm->work_len = 0;
	prm->block_pos = NULL;
}

/*
 * f(theta + t * dir), given the margins z of theta and zd of dir.  Stores
 * h = exp(-|z + t zd| / 2) of every row in w->eh, so that after a trial is
 * accepted the gradient and Hessian need no further exp() or sqrt():
 * e = exp(-|z|) = h^2 and sqrt(s (1 - s)) = h / (1 + e).
 */
static double
logreg_objective(LogregWork *w, const double *theta, const double *dir,
				 double t)
{
	double		loss = 0.0;
	double		pen = 0.0;
	int64_t		off = 0;
	int			bi;
	int			j;

	for (bi = 0; bi < w->nblocks; bi++)
	{
		const AcqBlock *blk = &w->blocks[bi];

		loss += w->vec->logistic_loss(w->z + off, w->zd + off, t, blk->y,
									  w->eh + off, blk->n);
		off += blk->n;
	}
	for (j = 0; j < w->p; j++)
	{
		double		wj = theta[j] + t * dir[j];

		pen += wj * wj;
	}
	return w->C * loss + 0.5 * pen;
}

/*
 * Gradient g at the current point, from w->z and w->eh:
 * g = Zt r + (w, 0) with residuals r_i = C (s_i - y_i), s_i = sigma(z_i),
 * which are left in w->zd.
 */
static void
logreg_gradient(LogregWork *w, const double *theta, double *g)
{
	int			p = w->p;
	double		C = w->C;
	int64_t		off = 0;
	int			bi;
	int			j;

	memset(g, 0, sizeof(double) * w->d);
	for (bi = 0; bi < w->nblocks; bi++)
	{
		const AcqBlock *blk = &w->blocks[bi];
		int64_t		start;

		for (start = 0; start < blk->n; start += LOGREG_CHUNK)
		{
			int			m = (int) ((blk->n - start < LOGREG_CHUNK) ?
								   blk->n - start : LOGREG_CHUNK);
			double	   *r = w->zd + off + start;

			double		rsum = w->vec->logistic_residuals(w->z + off + start,
														  w->eh + off + start,
														  blk->y + start, C, r, m);

			/* with the column of ones, the intercept's entry comes from BLAS */
			if (w->xcol)
				w->vec->cm_gemv_t(w->xcol[bi] + start, blk->n, m, p + 1, r, g);
			else
				g[p] += rsum;
			if (p > 0 && !w->xcol)
				cblas_dgemv(CblasRowMajor, CblasTrans, m, p, 1.0,
							blk->X + start * p, p, r, 1, 1.0, g, 1);
		}
		off += blk->n;
	}
	/* the penalty 0.5 ||w||^2 */
	for (j = 0; j < p; j++)
		g[j] += theta[j];
}

/* rows per step of logreg_fused's pass: [X, 1] of 64 rows stays in L1 */
#define LOGREG_FUSE 64

/*
 * One pass over the rows (w->xcol set), per 64 rows: the margins of dir,
 * zd = [X, 1] dir; the margins zout = base + zd (base NULL: zout = zd) with
 * eh = exp(-|zout| / 2); the residuals r (left in zd); and g = [X, 1]^T r
 * + (theta, 0), the gradient at theta.  logreg_dir_margins, logistic_step
 * and logreg_gradient fused, so that the rows are read from memory once,
 * not twice, and the per-row vectors touched while in cache.  A full
 * step's trial is (dir, w->z, z2, theta + dir); a warm start (coef, NULL,
 * w->z, coef).
 */
static void
logreg_fused(LogregWork *w, const double *dir, const double *base, double *zout,
			 const double *theta, double *g)
{
	static const double zero[LOGREG_FUSE];
	int			p = w->p;
	int64_t		off = 0;
	int			bi;
	int			j;

	memset(g, 0, sizeof(double) * w->d);
	for (bi = 0; bi < w->nblocks; bi++)
	{
		const AcqBlock *blk = &w->blocks[bi];
		int64_t		start;

		for (start = 0; start < blk->n; start += LOGREG_FUSE)
		{
			int			m = (int) ((blk->n - start < LOGREG_FUSE) ?
								   blk->n - start : LOGREG_FUSE);
			int64_t		o = off + start;
			const double *xc = w->xcol[bi] + start;

			w->vec->cm_gemv_n(xc, blk->n, m, p + 1, dir, w->zd + o);
			w->vec->logistic_step(base ? base + o : zero, w->zd + o, zout + o, w->eh + o, m);
			(void) w->vec->logistic_residuals(zout + o, w->eh + o, blk->y + start, w->C,
											  w->zd + o, m);
			w->vec->cm_gemv_t(xc, blk->n, m, p + 1, w->zd + o, g);
		}
		off += blk->n;
	}
	for (j = 0; j < p; j++)
		g[j] += theta[j];
}

/*
 * H += sign * S^T S for m rows, S = diag(sw) [X, 1]: the Hessian share of a
 * chunk of rows.  On entry the row weights sw are in S's last column; the
 * rows of S are filled here (S is m x (p+1), row-major).
 */
static void
hessian_chunk(const double *X, int m, int p, double sign, double *S, double *H)
{
	int			d = p + 1;
	int			k,
				j;

	for (k = 0; k < m; k++)
	{
		const double *restrict xk = X + (int64_t) k * p;
		double	   *restrict Sk = S + (int64_t) k * d;
		double		sw = Sk[p];

		for (j = 0; j < p; j++)
			Sk[j] = sw * xk[j];
	}
	/*
	 * At most ~LOGREG_SYRK_MADDS multiply-adds a call: for d above ~490 the
	 * rows go in slices with an interrupt check between them (the sum's
	 * order then differs from one call's, as the chunking's does).
	 */
	{
		int			rows = (int) fmin((double) m,
									  fmax(1.0, LOGREG_SYRK_MADDS / (0.5 * (double) d * d)));
		int			k0;

		for (k0 = 0; k0 < m; k0 += rows)
		{
			if (k0 > 0)
				acq_check_interrupts();
			cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d,
						m - k0 < rows ? m - k0 : rows, sign,
						S + (int64_t) k0 * d, d, 1.0, H, d);
		}
	}
}

/*
 * Hessian H = C Zt D Z + diag(1, ..., 1, 0) at the current point (row-major,
 * upper triangle only), from w->eh.  Each chunk of rows is copied to the
 * scratch S scaled by sqrt(C D_i) and added with one rank-m update St S.
 */
static void
logreg_hessian(LogregWork *w, double *H)
{
	int			p = w->p;
	int			d = w->d;
	double		sqrtC = sqrt(w->C);
	int64_t		off = 0;
	int			bi;
	int			j;

	memset(H, 0, sizeof(double) * d * d);
	for (bi = 0; bi < w->nblocks; bi++)
	{
		const AcqBlock *blk = &w->blocks[bi];
		int64_t		start;

		for (start = 0; start < blk->n; start += LOGREG_CHUNK)
		{
			int			m = (int) ((blk->n - start < LOGREG_CHUNK) ?
								   blk->n - start : LOGREG_CHUNK);
			const double *eh = w->eh + off + start;
			int			k;

			acq_check_interrupts(); /* n d^2 / 2 over all rows: look per chunk */

			/*
			 * D = s (1 - s) = e / (1 + e)^2 with e = exp(-|z|) = h^2, so the
			 * row weight sqrt(C D) is sqrt(C) h / (1 + e).
			 */
			if (d <= ACQ_VEC_GRAM_MAXD)
			{
				/* the vectorised kernel (vecmath.c), on the column-major copy if any */
				for (k = 0; k < m; k++)
					w->S[k] = sqrtC * eh[k] / (1.0 + eh[k] * eh[k]);
				if (w->xcol)
					w->vec->weighted_gram(w->xcol[bi] + start, blk->n, 1, m, d, 0, w->S, 1.0, H);
				else
					w->vec->weighted_gram(blk->X + start * p, p, 0, m, d, 1, w->S, 1.0, H);
				continue;
			}
			/* the weights go in the last column of S until hessian_chunk scales the rows */
			for (k = 0; k < m; k++)
				w->S[(int64_t) k * d + p] = sqrtC * eh[k] / (1.0 + eh[k] * eh[k]);
			hessian_chunk(blk->X + start * p, m, p, 1.0, w->S, H);
		}
		off += blk->n;
	}
	/* the penalty 0.5 ||w||^2 */
	for (j = 0; j < p; j++)
		H[j * d + j] += 1.0;
}

/* zd = Z dir over all rows */
static void
logreg_dir_margins(LogregWork *w, const double *dir)
{
	int			p = w->p;
	int64_t		off = 0;
	int			bi;

	for (bi = 0; bi < w->nblocks; bi++)
	{
		const AcqBlock *blk = &w->blocks[bi];
		int64_t		start;
		int64_t		i;

		for (start = 0; start < blk->n; start += LOGREG_CHUNK)
		{
			int			m = (int) ((blk->n - start < LOGREG_CHUNK) ?
								   blk->n - start : LOGREG_CHUNK);

			if (w->xcol)		/* [X, 1] dir, the intercept included */
				w->vec->cm_gemv_n(w->xcol[bi] + start, blk->n, m, p + 1, dir,
								  w->zd + off + start);
			else if (p > 0)
				cblas_dgemv(CblasRowMajor, CblasNoTrans, m, p, 1.0,
							blk->X + start * p, p, dir, 1, 0.0,
							w->zd + off + start, 1);
			else
				memset(w->zd + off + start, 0, sizeof(double) * m);
		}
		if (!w->xcol)
			for (i = 0; i < blk->n; i++)
				w->zd[off + i] += dir[p];
		off += blk->n;
	}
}

/*
 * Factor H = L L^T into L.  H is row-major with its upper triangle filled,
 * i.e. the lower triangle in LAPACK's column-major view, so LAPACK needs no
 * transpose.  If H is not numerically positive definite (only possible when
 * the weights D_i underflow), retry with a growing ridge.
 */
static bool
logreg_factor(const double *H, int d, double *L)
{
	double		maxdiag = 0.0;
	double		ridge = 0.0;
	int			attempt;
	int			j;

	for (j = 0; j < d; j++)
		maxdiag = fmax(maxdiag, H[j * d + j]);
	if (!(maxdiag > 0.0))
		maxdiag = 1.0;

	for (attempt = 0; attempt < 8; attempt++)
	{
		memcpy(L, H, sizeof(double) * d * d);
		for (j = 0; j < d; j++)
			L[j * d + j] += ridge;
		if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', d, L, d) == 0)
			return true;
		ridge = (ridge == 0.0) ? 1e-12 * maxdiag : ridge * 100.0;
	}
	return false;
}

/* dir = -H^{-1} g from the factor L of H */
static bool
logreg_solve(const double *L, const double *g, int d, double *dir)
{
	int			j;

	for (j = 0; j < d; j++)
		dir[j] = -g[j];
	return LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', d, 1, L, d, dir, d) == 0;
}

/*
 * The BFGS update of H (row-major, upper triangle) from the last step s and
 * the change of gradient y = g - g_prev (g_prev is overwritten by y):
 * H += y y'/(y's) - (H s)(H s)'/(s'H s).  y's > 0 for this strictly convex
 * objective; where it is not (rounding) H is left alone and false returned.
 */
static bool
bfgs_update(double *H, int d, const double *g, double *g_prev, const double *step, double *Hs)
{
	double		ys = 0.0,
				sHs = 0.0;
	int			a,
				c;

	for (a = 0; a < d; a++)
		g_prev[a] = g[a] - g_prev[a];	/* y */
	for (a = 0; a < d; a++)
	{
		double		acc = 0.0;

		for (c = 0; c < d; c++)
			acc += H[(a <= c) ? a * d + c : c * d + a] * step[c];
		Hs[a] = acc;
		ys += g_prev[a] * step[a];
		sHs += step[a] * acc;
	}
	if (!(ys > 1e-12 * sHs && sHs > 0.0))
		return false;
	for (a = 0; a < d; a++)
		for (c = a; c < d; c++)
			H[a * d + c] += g_prev[a] * g_prev[c] / ys - Hs[a] * Hs[c] / sHs;
	return true;
}

AcqStatus
acq_logreg_fit(const AcqBlock *blocks, int nblocks, int p,
			   const AcqLogregParams *prm, double *coef, int *iterations)
{
	AcqLogregParams defaults;
	LogregWork	w;
	int			d = p + 1;
	int64_t		n = 0;
	int64_t		n1 = 0;
	int64_t		chunk = 0;
	double	   *mem;
	double	   *g;
	double	   *H;
	double	   *L;
	double	   *dir;
	double	   *g_prev;			/* gradient before the last step */
	double	   *step;			/* the last step, t dir */
	double	   *Hs;				/* scratch: H step */
	bool		have_step = false;
	double	   *cnew;			/* a trial point (fast acceptance) */
	double	   *gnew;			/* its gradient */
	double	   *z2;				/* its margins */
	bool		have_g = false; /* g already holds the current gradient */
	bool		try_fast = true;
	double		gbest = INFINITY;	/* the smallest gradient seen at an iterate */
	double		f;
	double		gtol;
	AcqStatus	status = ACQ_ERR_NO_CONVERGENCE;
	bool		warm;
	bool		have_factor = false;
	double		gmax_prev = INFINITY;
	int			iter;
	int			bi;
	int			j;

	if (iterations)
		*iterations = 0;
	if (prm == NULL)
	{
		acq_logreg_default_params(&defaults);
		prm = &defaults;
	}
	if (p < 0 || nblocks < 0 || (nblocks > 0 && blocks == NULL) ||
		coef == NULL || !(prm->C > 0.0) || isinf(prm->C) ||
		prm->max_iter < 0 || !(prm->tol >= 0.0))
		return ACQ_ERR_ARGUMENT;
	warm = prm->warm_start;
	for (j = 0; warm && j < d; j++)
		warm = isfinite(coef[j]) && fabs(coef[j]) < 1e6;
	if (!warm)
		memset(coef, 0, sizeof(double) * d);

	/* count rows and classes; labels must be exactly 0 or 1 */
	for (bi = 0; bi < nblocks; bi++)
	{
		const AcqBlock *blk = &blocks[bi];
		int64_t		i;

		if (blk->n < 0 || (blk->n > 0 && (blk->y == NULL ||
										  (p > 0 && blk->X == NULL))))
			return ACQ_ERR_ARGUMENT;
		/*
		 * Without branches: labels in random order mispredicted one branch
		 * in two (5% of a source selection's time on the flights demo).
		 * The caller may know the counts (block_pos).
		 */
		if (prm->block_pos != NULL)
			n1 += prm->block_pos[bi];
		else
		{
			int64_t		bad = 0;

			for (i = 0; i < blk->n; i++)
			{
				n1 += (blk->y[i] == 1.0);
				bad += (blk->y[i] != 1.0) & (blk->y[i] != 0.0);
			}
			if (bad)
			{
				memset(coef, 0, sizeof(double) * d);
				return ACQ_ERR_ARGUMENT;
			}
		}
		n += blk->n;
		if (blk->n > chunk)
			chunk = blk->n;
	}
	if (n == 0)
	{
		memset(coef, 0, sizeof(double) * d);
		return ACQ_ERR_EMPTY;
	}
	if (n1 == 0 || n1 == n)
	{
		memset(coef, 0, sizeof(double) * d);
		/* constant predictor of the only class */
		coef[p] = (n1 == n) ? LOGREG_SINGLE_CLASS_B : -LOGREG_SINGLE_CLASS_B;
		return ACQ_ERR_SINGLE_CLASS;
	}
	if (chunk > LOGREG_CHUNK)
		chunk = LOGREG_CHUNK;

	/*
	 * One block of scratch: z, zd, eh, z2 (n each), S (chunk x d), g, dir,
	 * H, L and seven more d-vectors -- the caller's (prm->work), if it is
	 * large enough: every entry is written before it is read.
	 */
	if (prm->work != NULL && prm->work_len >= acq_logreg_work_size(n, p))
		mem = prm->work;
	else
		mem = (double *) acq_alloc_array(acq_logreg_work_size(n, p), sizeof(double));
	w.blocks = blocks;
	w.nblocks = nblocks;
	w.p = p;
	w.d = d;
	w.n = n;
	w.C = prm->C;
	w.vec = acq_vec_ops();
	w.xcol = prm->xcol;
	for (bi = 0; w.xcol && bi < nblocks; bi++)
		if (blocks[bi].n > 0x7fffffff || (blocks[bi].n > 0 && w.xcol[bi] == NULL))
			w.xcol = NULL;		/* lda must fit an int; every block needs one */
	w.z = mem;
	w.zd = w.z + n;
	w.eh = w.zd + n;
	w.S = w.eh + n;
	g = w.S + chunk * d;
	dir = g + d;
	H = dir + d;
	L = H + (size_t) d * d;
	g_prev = L + (size_t) d * d;
	step = g_prev + d;
	Hs = step + d;
	cnew = Hs + d;
	gnew = cnew + d;
	z2 = gnew + d;

	/*
	 * Start at w = 0 and the intercept of the class balance, the optimum of
	 * the intercept-only model; then z_i = b for every row.
	 */
	if (warm)
	{
		/*
		 * Warm start (the caller's coef, e.g. the optimum of a similar set
		 * of rows): the margins are X w + b.  The optimum is unique, so
		 * only the number of Newton steps depends on the start.
		 */
		if (w.xcol)
		{
			/* margins, eh and the first gradient in one pass */
			logreg_fused(&w, coef, NULL, w.z, coef, g);
			have_g = true;
		}
		else
		{
			logreg_dir_margins(&w, coef);
			memcpy(w.z, w.zd, sizeof(double) * n);
		}

		/* a Hessian for the first step, saving a pass of O(n d^2) */
		if (prm->hess_init != NULL)
		{
			memcpy(H, prm->hess_init, sizeof(double) * d * d);
			have_factor = logreg_factor(H, d, L);
			/*
			 * The step that led here and the gradient before it: the first
			 * iteration improves H along that step (BFGS) before using it.
			 */
			if (have_factor && prm->init_step != NULL && prm->init_grad != NULL)
			{
				memcpy(step, prm->init_step, sizeof(double) * d);
				memcpy(g_prev, prm->init_grad, sizeof(double) * d);
				have_step = true;
			}
		}
	}
	else
	{
		int64_t		i;

		coef[p] = log((double) n1 / (double) (n - n1));
		for (i = 0; i < n; i++)
			w.z[i] = coef[p];
	}
	/*
	 * eh at the start, for the first gradient.  The objective itself is
	 * needed only by the line search, which computes it if it ever runs
	 * (the first full step is usually accepted on the gradient alone).
	 */
	if (!have_g)
	{
		memset(w.zd, 0, sizeof(double) * n);
		w.vec->logistic_step(w.z, w.zd, z2, w.eh, n);
	}
	f = NAN;

	/*
	 * Stop when the gradient of the objective divided by C n, i.e. of the
	 * mean log-loss + ||w||^2 / (2 C n) (the scaling scikit-learn >= 1.1
	 * optimises), is below tol in every entry; a C n below 1 counts as 1.
	 */
	gtol = prm->tol * fmax(1.0, prm->C * (double) n);

	for (iter = 0;; iter++)
	{
		double		gmax = 0.0;
		double		slope;
		double		t;
		double		fnew = f;
		bool		accepted = false;
		int			h;

		acq_check_interrupts();

		if (!have_g)
			logreg_gradient(&w, coef, g);
		have_g = false;
		for (j = 0; j < d; j++)
		{
			if (!isfinite(g[j]))
				gmax = INFINITY;
			else
				gmax = fmax(gmax, fabs(g[j]));
		}
		if (isinf(gmax))
		{
			status = ACQ_ERR_ARGUMENT;	/* NaN or inf in the data */
			break;
		}
		if (gmax <= gtol)
		{
			/*
			 * The Hessian handed out (a neighbouring fit's first step) is
			 * better for the last step's update too.
			 */
			if (prm->hess_out != NULL && have_factor && have_step)
				(void) bfgs_update(H, d, g, g_prev, step, Hs);
			status = ACQ_OK;
			break;
		}
		gbest = fmin(gbest, gmax);
		if (iter >= prm->max_iter)
			break;

		/*
		 * Between Hessian rebuilds, improve H by the BFGS update from the
		 * last step s and the change of gradient y = g - g_prev:
		 * H += y y'/(y's) - (H s)(H s)'/(s'H s).  The gradient is exact, so
		 * the optimum is unchanged; the steps become superlinear instead
		 * of the chord steps' linear rate.  y's > 0 for this strictly
		 * convex objective; a step where it is not (rounding) is skipped.
		 */
		if (have_factor && have_step && bfgs_update(H, d, g, g_prev, step, Hs))
			have_factor = logreg_factor(H, d, L);

		/*
		 * Newton with Hessian reuse: rebuild H (the costly O(n d^2) part)
		 * only when the last step with the current factor did not at least
		 * halve the gradient, or was damped; otherwise step with the
		 * (BFGS-updated) factor of the last H.  Near the optimum H changes
		 * little, so these steps converge almost as fast as Newton steps at
		 * a fraction of the cost.
		 */
		if (!have_factor || gmax > 0.5 * gmax_prev)
		{
			logreg_hessian(&w, H);
			if (!logreg_factor(H, d, L))
			{
				status = ACQ_ERR_SINGULAR;
				break;
			}
			have_factor = true;
		}
		gmax_prev = gmax;
		if (!logreg_solve(L, g, d, dir))
		{
			status = ACQ_ERR_SINGULAR;
			break;
		}
		slope = 0.0;			/* directional derivative g.dir < 0 */
		for (j = 0; j < d; j++)
			slope += g[j] * dir[j];
		if (!(slope < 0.0))
			break;				/* no descent direction left: stuck */

		/* the direction's margins (the fused trial, logreg_fused, computes its own) */
		if (!(try_fast && w.xcol))
			logreg_dir_margins(&w, dir);

		/*
		 * Fast acceptance: take the full step if it at least halves the
		 * largest gradient entry -- relative to the smallest seen at any
		 * iterate so far.  Near the optimum a (quasi-)Newton step does far
		 * better, and this needs only the exp() the next gradient needs
		 * anyway, not the loss (a log1p per row).  Each step that passes
		 * halves the best gradient, so there are at most log2(g0 / tol) of
		 * them, and in between the line search below decreases f: the fit
		 * converges to the unique optimum, and cannot cycle between a
		 * line-search step that raises the gradient and a fast step that
		 * raises f.  After a fast step fails, the line search decides until
		 * it accepts a full step again.
		 */
		if (try_fast)
		{
			double	   *zcur = w.z;
			double		gmax_new = 0.0;

			for (j = 0; j < d; j++)
				cnew[j] = coef[j] + dir[j];
			if (w.xcol)
				logreg_fused(&w, dir, w.z, z2, cnew, gnew);	/* zd: residuals */
			else
				w.vec->logistic_step(w.z, w.zd, z2, w.eh, n);
			w.z = z2;
			if (!w.xcol)
				logreg_gradient(&w, cnew, gnew);	/* overwrites w.zd */
			for (j = 0; j < d; j++)
				gmax_new = isfinite(gnew[j]) ? fmax(gmax_new, fabs(gnew[j])) : INFINITY;
			if (gmax_new <= 0.5 * gbest)
			{
				/* accepted: z2 becomes the margins, gnew the gradient */
				z2 = zcur;
				for (j = 0; j < d; j++)
					step[j] = dir[j];
				memcpy(g_prev, g, sizeof(double) * d);
				memcpy(coef, cnew, sizeof(double) * d);
				memcpy(g, gnew, sizeof(double) * d);
				have_step = true;
				have_g = true;
				f = NAN;		/* not computed; the line search computes it */
				if (iterations)
					*iterations = iter + 1;
				continue;
			}
			/* rejected: back to the current point, with a line search */
			w.z = zcur;
			try_fast = false;
			logreg_dir_margins(&w, dir);
			if (isnan(f))
				f = logreg_objective(&w, coef, dir, 0.0);
		}

		/*
		 * Backtracking: accept the first t = 1, 1/2, 1/4, ... with
		 * f(t) <= f + c t slope.  The slack of a few ulps of f lets the
		 * quadratically convergent full step through when the decrease is
		 * at the level of rounding.
		 */
		t = 1.0;
		for (h = 0; h < LOGREG_MAX_HALVINGS; h++)
		{
			if (h > 0)
				acq_check_interrupts();
			fnew = logreg_objective(&w, coef, dir, t);
			if (fnew <= f + LOGREG_ARMIJO * t * slope + 1e-13 * fabs(f))
			{
				accepted = true;
				break;
			}
			t *= 0.5;
		}
		if (!accepted)
			break;
		if (t < 1.0)
			have_factor = false;	/* far from the optimum: rebuild H */
		else
			try_fast = true;	/* a full step passed: try the cheap test again */

		/* move: theta += t dir, z += t zd (eh already holds the new point) */
		for (j = 0; j < d; j++)
		{
			coef[j] += t * dir[j];
			step[j] = t * dir[j];
		}
		memcpy(g_prev, g, sizeof(double) * d);
		have_step = true;
		{
			int64_t		i;

			for (i = 0; i < n; i++)
				w.z[i] += t * w.zd[i];
		}
		f = fnew;
		if (iterations)
			*iterations = iter + 1;
	}

	if (prm->hess_out != NULL && (have_factor || iter > 0))
		memcpy(prm->hess_out, H, sizeof(double) * d * d);
	if (mem != prm->work)
		acq_free(mem);
	return status;
}

size_t
acq_logreg_work_size(int64_t n, int p)
{
	size_t		d = (size_t) p + 1;
	size_t		chunk = (n < LOGREG_CHUNK) ? (size_t) (n > 0 ? n : 1) : LOGREG_CHUNK;

	return 4 * (size_t) n + chunk * d + 7 * d + 2 * d * d;
}

/* rows of source_terms' scratch for blocks of at most n rows */
static int64_t
source_terms_chunk(int64_t n)
{
	return n < 1 ? 1 : (n < LOGREG_CHUNK ? n : LOGREG_CHUNK);
}

size_t
acq_logreg_source_terms_size(int64_t n, int p)
{
	return (size_t) source_terms_chunk(n) * ((size_t) p + 1 + 4);
}

void
acq_logreg_source_terms(const AcqBlock *blocks, int nblocks, int p, double C,
						const double *coef, double sign, double *H, double *g,
						const double *const *xcol)
{
	int64_t		nmax = 1;
	double	   *work;

	for (int bi = 0; bi < nblocks; bi++)
		if (blocks[bi].n > nmax)
			nmax = blocks[bi].n;
	work = acq_alloc_array(acq_logreg_source_terms_size(nmax, p), sizeof(double));
	acq_logreg_source_terms_work(blocks, nblocks, p, C, coef, sign, H, g, xcol, work);
	acq_free(work);
}

void
acq_logreg_source_terms_work(const AcqBlock *blocks, int nblocks, int p, double C,
							 const double *coef, double sign, double *H, double *g,
							 const double *const *xcol, double *work)
{
	int			d = p + 1;
	int64_t		chunk = 1;
	double	   *S;
	double	   *z;
	double	   *r;
	double	   *eh;
	double	   *zero;
	double		sqrtC = sqrt(C);
	const AcqVecOps *vec = acq_vec_ops();
	int			bi;

	/* scratch for the largest block's rows, at most LOGREG_CHUNK */
	for (bi = 0; bi < nblocks; bi++)
		if (blocks[bi].n > chunk)
			chunk = source_terms_chunk(blocks[bi].n);
	S = work;
	z = S + (size_t) chunk * d;
	r = z + chunk;
	eh = r + chunk;
	zero = eh + chunk;			/* 0: logistic_step's direction (set below) */
	memset(zero, 0, sizeof(double) * chunk);

	for (bi = 0; bi < nblocks; bi++)
	{
		const AcqBlock *blk = &blocks[bi];
		int64_t		start;

		for (start = 0; start < blk->n; start += LOGREG_CHUNK)
		{
			int			m = (int) ((blk->n - start < LOGREG_CHUNK) ?
								   blk->n - start : LOGREG_CHUNK);
			const double *X = blk->X + start * p;
			const double *xc = (xcol && xcol[bi] && blk->n <= 0x7fffffff) ?
				xcol[bi] + start : NULL;
			const double *y = blk->y + start;
			int			k;

			if (xc)				/* [X, 1] coef, the intercept included */
				vec->cm_gemv_n(xc, blk->n, m, d, coef, z);
			else
			{
				if (p > 0)
					cblas_dgemv(CblasRowMajor, CblasNoTrans, m, p, 1.0, X, p,
								coef, 1, 0.0, z, 1);
				else
					memset(z, 0, sizeof(double) * m);
				for (k = 0; k < m; k++)
					z[k] += coef[p];
			}

			/*
			 * With h = exp(-|z|/2) (vectorised, into eh), e = h^2:
			 * sigma(z) = (z >= 0 ? 1 : e) / (1 + e), so r = sign C (sigma -
			 * y), and sqrt(C s (1 - s)) = sqrt(C) h / (1 + e), the row
			 * weight, which replaces the margin.
			 */
			vec->logistic_step(z, zero, r, eh, m);
			(void) vec->logistic_residuals(z, eh, y, sign * C, r, m);
			for (k = 0; k < m; k++)
				z[k] = sqrtC * eh[k] / (1.0 + eh[k] * eh[k]);
			if (H != NULL && xc && d <= ACQ_VEC_GRAM_MAXD)
				vec->weighted_gram(xc, blk->n, 1, m, d, 0, z, sign, H);
			else if (H != NULL && d <= ACQ_VEC_GRAM_MAXD)
				vec->weighted_gram(X, p, 0, m, d, 1, z, sign, H);
			else if (H != NULL)
			{
				/* hessian_chunk takes the weights in S's last column */
				for (k = 0; k < m; k++)
					S[(int64_t) k * d + p] = z[k];
				hessian_chunk(X, m, p, sign, S, H);
			}
			if (g != NULL && xc)
				vec->cm_gemv_t(xc, blk->n, m, d, r, g);	/* the intercept's entry too */
			else if (g != NULL)
			{
				if (p > 0)
					cblas_dgemv(CblasRowMajor, CblasTrans, m, p, 1.0, X, p,
								r, 1, 1.0, g, 1);
				for (k = 0; k < m; k++)
					g[p] += r[k];
			}
		}
	}
}

bool
acq_logreg_newton_step(const double *H, const double *g, int p, double *coef)
{
	int			d = p + 1;
	double	   *L = acq_alloc_array((size_t) d * (d + 1), sizeof(double));
	double	   *dir = L + (size_t) d * d;
	bool		ok;
	int			j;

	ok = logreg_factor(H, d, L) && logreg_solve(L, g, d, dir);
	for (j = 0; ok && j < d; j++)
		ok = isfinite(dir[j]);
	if (ok)
	{
		/*
		 * A step far longer than the point itself comes from an
		 * ill-conditioned Hessian, not from the flipped source: the fit
		 * then starts from coef as it is rather than from a point it may
		 * not recover from.
		 */
		double		cn = 0.0,
					dn = 0.0;

		for (j = 0; j < d; j++)
		{
			cn += coef[j] * coef[j];
			dn += dir[j] * dir[j];
		}
		ok = dn <= 100.0 * (cn + 1.0);
	}
	if (ok)
		for (j = 0; j < d; j++)
			coef[j] += dir[j];
	acq_free(L);
	return ok;
}

/* z = X w + b for n rows, in BLAS-sized chunks */
static void
logreg_margins(const double *X, int64_t n, int p, const double *coef,
			   double *z)
{
	int64_t		start;
	int64_t		i;

	for (start = 0; start < n; start += LOGREG_CHUNK)
	{
		int			m = (int) ((n - start < LOGREG_CHUNK) ?
							   n - start : LOGREG_CHUNK);

		if (p > 0)
			cblas_dgemv(CblasRowMajor, CblasNoTrans, m, p, 1.0,
						X + start * p, p, coef, 1, 0.0, z + start, 1);
		else
			memset(z + start, 0, sizeof(double) * m);
	}
	for (i = 0; i < n; i++)
		z[i] += coef[p];
}

void
acq_logreg_predict(const double *X, int64_t n, int p, const double *coef,
				   double *yhat)
{
	int64_t		i;

	/* class 1 iff the margin is positive, as sklearn's predict */
	logreg_margins(X, n, p, coef, yhat);
	for (i = 0; i < n; i++)
		yhat[i] = (yhat[i] > 0.0) ? 1.0 : 0.0;
}

void
acq_logreg_predict_proba(const double *X, int64_t n, int p,
						 const double *coef, double *prob)
{
	int64_t		i;

	logreg_margins(X, n, p, coef, prob);
	for (i = 0; i < n; i++)
	{
		/* sigma(z) without overflow: e = exp(-|z|) <= 1 */
		double		z = prob[i];
		double		e = exp(-fabs(z));

		prob[i] = (z >= 0.0) ? 1.0 / (1.0 + e) : e / (1.0 + e);
	}
}
