/*
 * softmax.c -- multinomial logistic regression with an L2 penalty (see
 * softmax.h for the model and the objective).
 *
 * With R = P - Y (P the n x K class probabilities, Y the one-hot labels) the
 * gradient of f = C * sum_i CE_i + 0.5 ||W||^2 is
 *
 *     df/dW = C * Xt R + W,        df/db = C * 1t R,
 *
 * so one evaluation of f and its gradient costs two DGEMMs over the rows:
 * the logits Z = X W (+ b) and Xt R.  The rows are taken in chunks of
 * SOFTMAX_CHUNK so that the scratch is chunk x K whatever n is; X is never
 * copied.  The cross-entropy uses the stable log-sum-exp
 *
 *     CE_i = log sum_k exp(z_ik - m_i) - (z_i,y_i - m_i),  m_i = max_k z_ik,
 *
 * and P_ik = exp(z_ik - m_i) / sum_j exp(z_ij - m_i) from the same
 * exponentials.  f is convex (strictly in W; along b only up to the common
 * shift b + c 1, to which softmax is invariant), and L-BFGS, a quasi-Newton
 * method that keeps the last m steps and gradient changes as its curvature
 * model, converges to the optimum.
 *
 * L-BFGS is not invariant to a linear change of variables, and raw
 * features make f badly conditioned (a feature's mean couples its weights
 * with the intercepts; its scale sets the curvature).  So L-BFGS works on
 * centred and scaled parameters (V, u), mapped to (W, b) by
 *
 *     W_jk = V_jk / h_j,   b_k = u_k / h_0 - sum_j mu_j W_jk,
 *
 * with mu_j the mean of feature j, h_j = sqrt(1 + C n var_j / 4) and
 * h_0 = sqrt(1 + C n / 4), which makes the diagonal of the Hessian O(1)
 * (the cross-entropy's curvature per row is at most 1/4).  Then
 * x W + b = (x - mu) W + u / h_0: the data are never copied or changed; a
 * reparametrisation does not move the optimum, and the chain rule gives
 *
 *     df/dV_jk = (df/dW_jk - mu_j df/db_k) / h_j,   df/du_k = df/db_k / h_0.
 *
 * The L-BFGS iteration and its More-Thuente line search are liblbfgs
 * (Naoaki Okazaki; MIT licence; Debian package liblbfgs-dev).  Its own
 * stopping tests are switched off (epsilon = 0, past = 0); our progress
 * callback stops it on the gradient tolerance, and polls for interrupts.
 */
#include "core/softmax.h"
#include "core/vecmath.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>
#include <lbfgs.h>

#if LBFGS_FLOAT != 64
#error "liblbfgs must be built for double precision"
#endif

/* rows per chunk of the logits and gradient DGEMMs */
#define SOFTMAX_CHUNK 4096

/*
 * At most this many multiply-adds per DGEMM (a few hundredths of a second):
 * with d x K above SOFTMAX_MAX_MADDS / SOFTMAX_CHUNK (122,070, e.g. 1,221
 * features and 100 classes) a chunk has fewer rows.  Interrupts are looked
 * at between chunks, so an evaluation of f over millions of rows stops
 * within one chunk of a cancel.
 */
#define SOFTMAX_MAX_MADDS 500000000.0

/*
 * The full scaling (softmax_full_scaling): rows per chunk of its Gram
 * matrix, and when it is used -- at most SOFTMAX_FULL_MAX_D features, and
 * a Gram matrix (n d^2 / 2 multiply-adds) costing at most
 * SOFTMAX_FULL_MAX_EVALS evaluations of f (2 n d Kp each).
 */
#define SOFTMAX_GRAM_ROWS 256
#define SOFTMAX_FULL_MAX_D 512
#define SOFTMAX_FULL_MAX_EVALS 16

/* L-BFGS memory (corrections kept) */
#define SOFTMAX_LBFGS_M 10

/*
 * Restarts of L-BFGS (with an empty memory) after it stopped short of the
 * tolerance, e.g. when the line search meets rounding error: a fresh
 * steepest-descent-scaled start usually gets the last digits.
 */
#define SOFTMAX_MAX_RESTARTS 5

/* a relative decrease of f at the level of rounding (scipy's lbfgs ftol) */
#define SOFTMAX_FTOL (64.0 * DBL_EPSILON)

typedef struct SoftmaxWork
{
	bool		interrupted;	/* an interrupt is pending: L-BFGS is being stopped */
	int			chunk;			/* rows per chunk (softmax_chunk_rows) */
	const double *X;
	const int  *y;
	const int  *cls;			/* K: compact index of each class, -1 absent */
	int64_t		n;
	int			d;
	int			Kp;				/* classes present */
	double		C;
	double		gtol;			/* on max |grad f| over (W, b) */
	const double *mu;			/* d: feature means */
	const double *h;			/* d + 1: scales h_1..h_d, then h_0 */
	const double *L;			/* d x d, or NULL: S's Cholesky factor (the full scaling) */
	double	   *T;				/* d x Kp scratch of the full scaling */
	double	   *Wb;				/* (d + 1) x Kp: W, then b */
	double	   *gWb;			/* (d + 1) x Kp: df/dW, then df/db */
	double	   *Z;				/* chunk x Kp scratch */
	const AcqVecOps *vec;		/* Kp <= ACQ_VEC_SOFTMAX_MAXK: the fused pass, else NULL */
	int			kw;				/* Kp rounded up to 4 (the fused pass's width) */
	double	   *Wp;				/* (d + 1) x kw: W, then b, padded (the fused pass) */
	double	   *gWp;			/* (d + 1) x kw: its gradient shares */
	int			iterations;		/* completed, over all L-BFGS runs */
} SoftmaxWork;

/* rows per chunk for d features and K classes: SOFTMAX_CHUNK unless that
 * would make one DGEMM longer than SOFTMAX_MAX_MADDS */
static int
softmax_chunk_rows(int d, int K)
{
	double		rows = SOFTMAX_MAX_MADDS / ((double) (d > 0 ? d : 1) * (double) K);

	if (rows >= SOFTMAX_CHUNK)
		return SOFTMAX_CHUNK;
	return rows >= 1.0 ? (int) rows : 1;
}

static double
max_abs(const double *v, int n)
{
	double		m = 0.0;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (!isfinite(v[i]))
			return INFINITY;
		m = fmax(m, fabs(v[i]));
	}
	return m;
}

/*
 * Cross-entropy of m rows, with the gradient shares added to gW (d x Kp)
 * and gb (Kp), not yet scaled by C.  Z becomes R = P - Y.
 */
static double
softmax_chunk(SoftmaxWork *w, const double *X, const int *y, int m,
			  const double *W, const double *b, double *gW, double *gb)
{
	int			K = w->Kp;
	int			d = w->d;
	double	   *Z = w->Z;
	double		loss = 0.0;
	int			i,
				k;

	/* Z = X W */
	if (d > 0)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, K, d,
					1.0, X, d, W, K, 0.0, Z, K);
	else
		memset(Z, 0, sizeof(double) * m * K);

	for (i = 0; i < m; i++)
	{
		double	   *z = Z + (int64_t) i * K;
		int			yi = w->cls[y[i]];
		double		zmax = -INFINITY;
		double		zy;
		double		s = 0.0;

		for (k = 0; k < K; k++)
		{
			z[k] += b[k];
			if (z[k] > zmax)
				zmax = z[k];
		}
		zy = z[yi] - zmax;
		for (k = 0; k < K; k++)
		{
			z[k] = exp(z[k] - zmax);
			s += z[k];
		}
		/* CE = log sum exp(z - zmax) - (z_y - zmax); s >= 1 */
		loss += log(s) - zy;
		for (k = 0; k < K; k++)
			z[k] /= s;
		z[yi] -= 1.0;
		for (k = 0; k < K; k++)
			gb[k] += z[k];
	}

	/* gW += Xt R */
	if (d > 0)
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d, K, m,
					1.0, X, d, Z, K, 1.0, gW, K);
	return loss;
}

/*
 * softmax_f with the fused pass (vecmath.h): theta copied into the padded
 * Wp, the rows in chunks (interrupts between them), the shares back into g.
 */
static double
softmax_f_fused(SoftmaxWork *w, const double *theta, double *g, int nvar)
{
	int			d = w->d,
				K = w->Kp,
				kw = w->kw;
	double		loss = 0.0,
				pen = 0.0;

	memset(w->Wp, 0, sizeof(double) * (d + 1) * kw);
	memset(w->gWp, 0, sizeof(double) * (d + 1) * kw);
	for (int j = 0; j <= d; j++)
		memcpy(w->Wp + (int64_t) j * kw, theta + (int64_t) j * K, sizeof(double) * K);
	for (int64_t start = 0; start < w->n; start += w->chunk)
	{
		int64_t		m = (w->n - start < w->chunk) ? w->n - start : w->chunk;

		if (w->interrupted || acq_interrupt_pending())
		{
			w->interrupted = true;	/* see softmax_f */
			return NAN;
		}
		loss += w->vec->softmax_pass(w->X + start * w->d, m, d, w->y + start, w->cls, K,
									 w->Wp, w->Wp + (int64_t) d * kw, w->gWp,
									 w->gWp + (int64_t) d * kw);
	}
	for (int j = 0; j <= d; j++)
		for (int k = 0; k < K; k++)
		{
			int64_t		at = (int64_t) j * K + k;
			double		gj = w->C * w->gWp[(int64_t) j * kw + k];

			if (j < d)
			{
				pen += theta[at] * theta[at];
				gj += theta[at];	/* the penalty 0.5 ||W||^2 */
			}
			g[at] = gj;
		}
	return w->C * loss + 0.5 * pen;
}

/* f and its gradient g at theta = [W (d x Kp, row-major), b (Kp)] */
static double
softmax_f(SoftmaxWork *w, const double *theta, double *g, int nvar)
{
	int			dK = w->d * w->Kp;
	double		loss = 0.0;
	double		pen = 0.0;
	int64_t		start;
	int			j;

	memset(g, 0, sizeof(double) * nvar);
	if (w->vec != NULL)
		return softmax_f_fused(w, theta, g, nvar);
	for (start = 0; start < w->n; start += w->chunk)
	{
		int			m = (int) ((w->n - start < w->chunk) ?
							   w->n - start : w->chunk);

		/*
		 * Inside liblbfgs (which holds malloc'd memory) nothing may jump: an
		 * interrupt makes this and every later evaluation return at once, so
		 * that the line search gives up and lbfgs returns; its callers then
		 * call acq_check_interrupts.
		 */
		if (w->interrupted || acq_interrupt_pending())
		{
			w->interrupted = true;
			return NAN;
		}
		loss += softmax_chunk(w, w->X + start * w->d, w->y + start, m,
							  theta, theta + dK, g, g + dK);
	}
	for (j = 0; j < dK; j++)
	{
		pen += theta[j] * theta[j];
		g[j] = w->C * g[j] + theta[j];	/* the penalty 0.5 ||W||^2 */
	}
	for (j = dK; j < nvar; j++)
		g[j] *= w->C;
	return w->C * loss + 0.5 * pen;
}

/*
 * softmax_f outside liblbfgs: an interrupt stopping it is serviced at once
 * (acq_check_interrupts jumps out on a cancel; if it returns, f is
 * evaluated again).
 */
static double
softmax_f_checked(SoftmaxWork *w, const double *theta, double *g, int nvar)
{
	for (;;)
	{
		double		f = softmax_f(w, theta, g, nvar);

		if (!w->interrupted)
			return f;
		w->interrupted = false;
		acq_check_interrupts();
	}
}

/* (W, b) from L-BFGS's variables (V, u) */
static void
softmax_unscale(SoftmaxWork *w, const double *vu, double *Wb)
{
	int			d = w->d;
	int			K = w->Kp;
	double	   *b = Wb + (int64_t) d * K;
	int			j,
				k;

	for (k = 0; k < K; k++)
		b[k] = vu[(int64_t) d * K + k] / w->h[d];
	if (w->L != NULL && d > 0)
	{
		/* W = L^-T V */
		memcpy(Wb, vu, sizeof(double) * d * K);
		cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit,
					d, K, 1.0, w->L, d, Wb, K);
		for (j = 0; j < d; j++)
			for (k = 0; k < K; k++)
				b[k] -= w->mu[j] * Wb[(int64_t) j * K + k];
		return;
	}
	for (j = 0; j < d; j++)
		for (k = 0; k < K; k++)
		{
			double		wjk = vu[(int64_t) j * K + k] / w->h[j];

			Wb[(int64_t) j * K + k] = wjk;
			b[k] -= w->mu[j] * wjk;
		}
}

/* (V, u) from (W, b): the inverse of softmax_unscale */
static void
softmax_scale(SoftmaxWork *w, const double *Wb, double *vu)
{
	int			d = w->d;
	int			K = w->Kp;
	int			j,
				k;

	for (k = 0; k < K; k++)
	{
		double		c = Wb[(int64_t) d * K + k];	/* b + mu.W */

		for (j = 0; j < d; j++)
		{
			c += w->mu[j] * Wb[(int64_t) j * K + k];
			if (w->L == NULL)
				vu[(int64_t) j * K + k] = w->h[j] * Wb[(int64_t) j * K + k];
		}
		vu[(int64_t) d * K + k] = w->h[d] * c;
	}
	if (w->L != NULL && d > 0)
	{
		/* V = L^T W */
		memcpy(vu, Wb, sizeof(double) * d * K);
		cblas_dtrmm(CblasRowMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit,
					d, K, 1.0, w->L, d, vu, K);
	}
}

/* f and its gradient over L-BFGS's variables (V, u), by the chain rule */
static lbfgsfloatval_t
softmax_evaluate(void *instance, const lbfgsfloatval_t *vu,
				 lbfgsfloatval_t *g, const int nvar,
				 const lbfgsfloatval_t step)
{
	SoftmaxWork *w = (SoftmaxWork *) instance;
	int			d = w->d;
	int			K = w->Kp;
	const double *gb = w->gWb + (int64_t) d * K;
	double		f;
	int			j,
				k;

	if (w->interrupted)
		return NAN;				/* being stopped: see softmax_f */
	softmax_unscale(w, vu, w->Wb);
	f = softmax_f(w, w->Wb, w->gWb, nvar);
	if (w->interrupted)
		return NAN;
	for (j = 0; j < d; j++)
		for (k = 0; k < K; k++)
			g[(int64_t) j * K + k] = (w->gWb[(int64_t) j * K + k] - w->mu[j] * gb[k]) /
				(w->L != NULL ? 1.0 : w->h[j]);
	if (w->L != NULL && d > 0)
		/* df/dV = L^-1 df/dW (W = L^-T V) */
		cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit,
					d, K, 1.0, w->L, d, g, K);
	for (k = 0; k < K; k++)
		g[(int64_t) d * K + k] = gb[k] / w->h[d];
	return f;
}

/* max |df/d(W, b)| from the gradient over (V, u) (inverse chain rule) */
static double
softmax_raw_gmax(SoftmaxWork *w, const double *g)
{
	int			d = w->d;
	int			K = w->Kp;
	double		gmax = 0.0;
	int			j,
				k;

	const double *gv = g;

	if (w->L != NULL && d > 0)
	{
		/* L df/dV, then as below with unit scales */
		memcpy(w->T, g, sizeof(double) * d * K);
		cblas_dtrmm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit,
					d, K, 1.0, w->L, d, w->T, K);
		gv = w->T;
	}
	for (k = 0; k < K; k++)
	{
		double		gb = g[(int64_t) d * K + k] * w->h[d];

		gmax = fmax(gmax, fabs(gb));
		for (j = 0; j < d; j++)
			gmax = fmax(gmax, fabs(gv[(int64_t) j * K + k] * (w->L != NULL ? 1.0 : w->h[j]) +
								   w->mu[j] * gb));
	}
	return isfinite(gmax) ? gmax : INFINITY;
}

/* once per L-BFGS iteration: poll, count, stop on the tolerance */
static int
softmax_progress(void *instance, const lbfgsfloatval_t *theta,
				 const lbfgsfloatval_t *g, const lbfgsfloatval_t fx,
				 const lbfgsfloatval_t xnorm, const lbfgsfloatval_t gnorm,
				 const lbfgsfloatval_t step, int nvar, int k, int ls)
{
	SoftmaxWork *w = (SoftmaxWork *) instance;

	/*
	 * liblbfgs allocates with malloc: never jump out of it.  Stop it instead
	 * and let softmax_optimise poll once it has freed its memory.
	 */
	if (acq_interrupt_pending())
	{
		w->interrupted = true;
		return LBFGS_STOP;
	}
	w->iterations++;
	return (softmax_raw_gmax(w, g) <= w->gtol) ? LBFGS_STOP : 0;
}

/*
 * Validate the arguments and map the classes present to 0..Kp-1 (cls[k] =
 * -1 for a class no row has).  Returns Kp, or -1 with a message.
 */
static int
softmax_classes(const double *X, const int *y, int64_t n, int d, int K,
				int *cls, double *logfreq, char *errbuf, size_t errlen)
{
	int64_t    *count = acq_alloc_array(K, sizeof(int64_t));
	int			Kp = 0;
	double		meanlog = 0.0;
	int64_t		i;
	int			k;

	for (i = 0; i < n; i++)
	{
		if (y[i] < 0 || y[i] >= K)
		{
			acq_free(count);
			acq_set_error(errbuf, errlen, "softmax: a label is outside 0..K-1");
			return -1;
		}
		count[y[i]]++;
	}
	for (i = 0; i < n * d; i++)
		if (!isfinite(X[i]))
		{
			acq_free(count);
			acq_set_error(errbuf, errlen, "softmax: a feature value is not finite");
			return -1;
		}
	for (k = 0; k < K; k++)
	{
		cls[k] = (count[k] > 0) ? Kp++ : -1;
		if (count[k] > 0)
		{
			logfreq[cls[k]] = log((double) count[k]);
			meanlog += logfreq[cls[k]];
		}
	}
	/* intercept-only optimum: b_k = log n_k, centred */
	for (k = 0; k < Kp; k++)
		logfreq[k] -= meanlog / Kp;
	acq_free(count);
	return Kp;
}

/*
 * Run L-BFGS from theta = (W, b) until the tolerance, max_iter, or f can be
 * decreased no further.  theta receives the final point, g the gradient
 * there (over (W, b)); returns max |g|.
 *
 * liblbfgs stops early when its line search meets rounding error.  Then we
 * restart it (with an empty memory: a steepest-descent step) unless f did
 * not decrease by more than SOFTMAX_FTOL relative over the run: then f is
 * at its minimum to double precision, and *stuck is set.  (Along a descent
 * direction f falls by about |g|^2 / lambda_max, so a gradient above its
 * rounding floor, about sqrt(eps |f| lambda_max), still lets f decrease.)
 */
static double
softmax_optimise(SoftmaxWork *w, double *theta, double *g, int nvar,
				 int max_iter, double *f, bool *stuck)
{
	lbfgs_parameter_t param;
	double	   *vu = acq_alloc_array(nvar, sizeof(double));
	double		gmax;
	int			restart;

	lbfgs_parameter_init(&param);
	param.m = SOFTMAX_LBFGS_M;
	param.epsilon = 0.0;		/* our progress callback tests the gradient */
	param.past = 0;

	*stuck = false;
	*f = softmax_f_checked(w, theta, g, nvar);
	gmax = max_abs(g, nvar);
	softmax_scale(w, theta, vu);
	for (restart = 0; restart <= SOFTMAX_MAX_RESTARTS; restart++)
	{
		double		fstart = *f;
		lbfgsfloatval_t fx;

		if (!isfinite(*f) || gmax <= w->gtol || w->iterations >= max_iter)
			break;
		param.max_iterations = max_iter - w->iterations;
		/* vu is the last accepted point whatever lbfgs returns */
		(void) lbfgs(nvar, vu, &fx, softmax_evaluate, softmax_progress,
					 w, &param);
		if (w->interrupted)
		{
			/* liblbfgs has freed its memory: now the host may jump */
			w->interrupted = false;
			acq_check_interrupts();

			/*
			 * It returned (the pending interrupt was not a cancel): go on
			 * from the last accepted point, not counting this run.
			 */
			softmax_unscale(w, vu, theta);
			*f = softmax_f_checked(w, theta, g, nvar);
			gmax = max_abs(g, nvar);
			restart--;
			continue;
		}
		softmax_unscale(w, vu, theta);
		*f = softmax_f_checked(w, theta, g, nvar);
		gmax = max_abs(g, nvar);
		if (gmax > w->gtol && w->iterations < max_iter &&
			fstart - *f <= SOFTMAX_FTOL * fmax(1.0, fabs(*f)))
		{
			*stuck = true;
			break;
		}
	}
	acq_free(vu);
	return gmax;
}

/* copy theta (over the Kp classes present) into the model (over all K) */
static void
softmax_store(AcqSoftmax *out, const double *theta, const int *cls, int Kp)
{
	int			d = out->d;
	int			K = out->K;
	const double *b = theta + (int64_t) d * Kp;
	double		bmean = 0.0;
	int			j,
				k;

	for (k = 0; k < Kp; k++)
		bmean += b[k];
	bmean /= Kp;
	for (k = 0; k < K; k++)
	{
		int			c = cls[k];

		for (j = 0; j < d; j++)
			out->W[(int64_t) j * K + k] = (c >= 0) ? theta[(int64_t) j * Kp + c] : 0.0;
		out->b[k] = (c >= 0) ? b[c] - bmean : ACQ_SOFTMAX_ABSENT_B;
	}
}

/*
 * The feature means mu (d) and the scales h (d + 1) of L-BFGS's variables:
 * h_j = sqrt(1 + C n var_j / 4), h_0 = sqrt(1 + C n / 4) (see the top).
 */
static void
softmax_scales(const double *X, int64_t n, int d, double C, double *mu,
			   double *h)
{
	double	   *var = h;		/* the variances, then the scales in place */
	int64_t		i;
	int			j;

	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			mu[j] += X[i * d + j];
	for (j = 0; j < d; j++)
		mu[j] /= (double) n;
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
		{
			double		c = X[i * d + j] - mu[j];

			var[j] += c * c;
		}
	for (j = 0; j < d; j++)
		h[j] = sqrt(1.0 + 0.25 * C * (double) n * (var[j] / (double) n));
	h[d] = sqrt(1.0 + 0.25 * C * (double) n);
}

/* does a fit of d features and Kp classes present take the full scaling? */
static bool
softmax_full_pays(int d, int Kp)
{
	return d >= 2 && d <= SOFTMAX_FULL_MAX_D && d <= 4 * SOFTMAX_FULL_MAX_EVALS * Kp;
}

/*
 * The full scaling: S = I + (C / 4) sum_i (x_i - mu)(x_i - mu)^T, whose
 * diagonal is the h_j^2 of the diagonal scaling, and its Cholesky factor L
 * (S = L L^T, lower, row-major d x d).  With W = L^-T V, V^T V is W^T S W:
 * the penalty plus the most curvature the cross-entropy can have along W,
 * so L-BFGS meets a problem whose correlated features no longer make it
 * ill-conditioned.  A reparametrisation: the optimum and the stopping rule
 * (on df/dW) are the same.  The rows are centred in chunks of
 * SOFTMAX_GRAM_ROWS into buf (interrupts between).  Returns false if S
 * could not be factored (then the diagonal scaling serves).
 */
static bool
softmax_full_scaling(const double *X, int64_t n, int d, double C, const double *mu,
					 double *L, double *buf)
{
	memset(L, 0, sizeof(double) * d * d);
	for (int64_t start = 0; start < n; start += SOFTMAX_GRAM_ROWS)
	{
		int			m = (int) ((n - start < SOFTMAX_GRAM_ROWS) ? n - start : SOFTMAX_GRAM_ROWS);

		acq_check_interrupts();
		for (int i = 0; i < m; i++)
			for (int j = 0; j < d; j++)
				buf[(int64_t) i * d + j] = X[(start + i) * d + j] - mu[j];
		cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, d, m, 0.25 * C, buf, d, 1.0, L, d);
	}
	for (int j = 0; j < d; j++)
		L[(int64_t) j * d + j] += 1.0;
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', d, L, d) != 0)
		return false;
	/* features so large that the Gram matrix overflowed: the diagonal scaling reports it */
	for (int64_t i = 0; i < (int64_t) d * d; i++)
		if (!isfinite(L[i]))
			return false;
	return true;
}

/*
 * What acq_softmax_fit allocates at most, in bytes (the rows not counted):
 * theta and the model ((d + 1) K each), the gradient, two iterates and the
 * chunk's scores (3 (d + 1) K + chunk K), the scales (2 d + 1), the class
 * counts.  A predict after it needs chunk K, less than the fit's scratch.
 */
double
acq_softmax_fit_bytes(int64_t n, int d, int K)
{
	double		chunk = (double) ((n < SOFTMAX_CHUNK) ? (n > 0 ? n : 1) : SOFTMAX_CHUNK);
	double		nvar = (d + 1.0) * K;

	/* a predict's chunk K comes after the fit's scratch is freed */
	/* + the fused pass's padded W and gradient, 2 (d + 1) (K + 3) at most */
	/* + the full scaling's L, scratch and chunk (softmax_full_scaling), when it pays */
	double		full = softmax_full_pays(d, K) ?
		(double) d * d + (double) d * K + (double) SOFTMAX_GRAM_ROWS * d : 0.0;

	return sizeof(double) * (6.0 * nvar + chunk * K + 2.0 * (d + 1.0) * (K + 3.0) + 2.0 * d + 1.0 + full) +
		(sizeof(int) + sizeof(int64_t)) * (double) K;
}

/*
 * theta (W over the Kp classes present, then b) from start: the classes
 * start has; the others keep theta's (W = 0, the frequency intercept).
 */
static void
softmax_start_from(const AcqSoftmax *start, const int *cls, int d, int K,
				   int Kp, double *theta)
{
	for (int k = 0; k < K; k++)
	{
		int			c = cls[k];

		if (c < 0 || !(start->b[k] > 0.5 * ACQ_SOFTMAX_ABSENT_B))
			continue;
		for (int j = 0; j < d; j++)
			theta[(int64_t) j * Kp + c] = start->W[(int64_t) j * K + k];
		theta[(int64_t) d * Kp + c] = start->b[k];
	}
}

static AcqStatus
softmax_fit(const double *X, const int *y, int64_t n, int d, int K,
			double C, int max_iter, double tol, const AcqSoftmax *start,
			bool full, AcqSoftmax *out, char *errbuf, size_t errlen)
{
	SoftmaxWork w;
	double	   *Lbuf = NULL;
	int		   *cls;
	double	   *theta;
	double	   *g;
	double	   *mu;
	double		f;
	double		gmax;
	bool		stuck;
	int			Kp;
	int			nvar;
	int64_t		chunk;
	AcqStatus	status;

	if (out == NULL)
		return ACQ_ERR_ARGUMENT;
	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	if (d < 0 || K < 1 || n < 0 || !(C > 0.0) || isinf(C) || max_iter < 0 ||
		!(tol >= 0.0) || (n > 0 && (y == NULL || (d > 0 && X == NULL))) ||
		(double) (d + 1) * K > (double) (1 << 30) ||
		(start != NULL && (start->d != d || start->K != K || start->W == NULL)))
	{
		acq_set_error(errbuf, errlen, "softmax: invalid argument");
		return ACQ_ERR_ARGUMENT;
	}
	if (n == 0)
	{
		acq_set_error(errbuf, errlen, "softmax: no training rows");
		return ACQ_ERR_EMPTY;
	}

	cls = acq_alloc_array(K, sizeof(int));
	theta = acq_alloc_array((size_t) (d + 1) * K, sizeof(double));
	Kp = softmax_classes(X, y, n, d, K, cls, theta + (int64_t) d * K,
						 errbuf, errlen);
	if (Kp < 0)
	{
		acq_free(theta);
		acq_free(cls);
		return ACQ_ERR_ARGUMENT;
	}
	/* start: W = 0, b = centred log class counts, packed over Kp classes */
	memmove(theta + (int64_t) d * Kp, theta + (int64_t) d * K,
			sizeof(double) * Kp);
	if (start != NULL && Kp > 1)
		softmax_start_from(start, cls, d, K, Kp, theta);

	out->d = d;
	out->K = K;
	out->W = acq_alloc_array((size_t) (d + 1) * K, sizeof(double));
	out->b = out->W + (int64_t) d * K;

	if (Kp == 1)
	{
		/* a constant predictor of the only class (b = 0 for it) */
		softmax_store(out, theta, cls, Kp);
		acq_free(theta);
		acq_free(cls);
		acq_set_error(errbuf, errlen, "softmax: the training rows hold a single class");
		return ACQ_ERR_SINGLE_CLASS;
	}

	/*
	 * one allocation: g, Wb, gWb (nvar each), then Z (chunk x Kp) for the
	 * DGEMMs or Wp and gWp ((d + 1) x kw each) for the fused pass; mu, h
	 */
	nvar = (d + 1) * Kp;
	w.chunk = softmax_chunk_rows(d, Kp);
	chunk = (n < w.chunk) ? n : w.chunk;
	w.kw = (Kp + 3) / 4 * 4;
	w.vec = (Kp <= ACQ_VEC_SOFTMAX_MAXK) ? acq_vec_ops() : NULL;
	if (w.vec != NULL)
		chunk = 0;				/* the fused pass needs no Z, but Wp and gWp */
	g = acq_alloc_array(3 * (size_t) nvar + (size_t) chunk * Kp +
						(w.vec != NULL ? 2 * (size_t) (d + 1) * w.kw : 0), sizeof(double));
	mu = acq_alloc_array(2 * (size_t) d + 1, sizeof(double));
	softmax_scales(X, n, d, C, mu, mu + d);
	w.X = X;
	w.y = y;
	w.cls = cls;
	w.n = n;
	w.d = d;
	w.Kp = Kp;
	w.C = C;
	w.gtol = tol * fmax(1.0, C * (double) n);
	w.mu = mu;
	w.h = mu + d;
	w.Wb = g + nvar;
	w.gWb = w.Wb + nvar;
	w.Z = w.gWb + nvar;
	w.Wp = w.Z + chunk * Kp;
	w.gWp = w.Wp + (int64_t) (d + 1) * w.kw;
	w.iterations = 0;
	w.interrupted = false;
	w.L = NULL;
	if (full && softmax_full_pays(d, Kp))
	{
		Lbuf = acq_alloc_array((size_t) d * d + (size_t) d * Kp + (size_t) SOFTMAX_GRAM_ROWS * d,
							   sizeof(double));
		w.T = Lbuf + (int64_t) d * d;
		if (softmax_full_scaling(X, n, d, C, mu, Lbuf, w.T + (int64_t) d * Kp))
			w.L = Lbuf;
	}

	gmax = softmax_optimise(&w, theta, g, nvar, max_iter, &f, &stuck);

	softmax_store(out, theta, cls, Kp);
	out->iterations = w.iterations;
	out->converged = (gmax <= w.gtol) || (stuck && isfinite(gmax));
	if (!isfinite(f) || isinf(gmax))
	{
		double		xmax = 0.0;

		for (int64_t i = 0; i < n * (int64_t) d; i++)
			xmax = fmax(xmax, fabs(X[i]));
		status = ACQ_ERR_OVERFLOW;
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen,
					 "softmax: the objective overflowed float8 on %lld rows whose features reach %.3g "
					 "in absolute value (C = %g); rescale the features (for example to unit variance) or lower c",
					 (long long) n, xmax, C);
	}
	else if (out->converged)
		status = ACQ_OK;
	else
	{
		status = ACQ_ERR_NO_CONVERGENCE;
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen,
					 "softmax: not converged after %d iterations (max |gradient| %g > %g)",
					 w.iterations, gmax, w.gtol);
	}
	acq_free(Lbuf);
	acq_free(mu);
	acq_free(g);
	acq_free(theta);
	acq_free(cls);
	if (status == ACQ_ERR_ARGUMENT)
		acq_softmax_free(out);
	return status;
}

AcqStatus
acq_softmax_fit(const double *X, const int *y, int64_t n, int d, int K,
				double C, int max_iter, double tol, AcqSoftmax *out,
				char *errbuf, size_t errlen)
{
	return softmax_fit(X, y, n, d, K, C, max_iter, tol, NULL, false, out, errbuf, errlen);
}

AcqStatus
acq_softmax_fit_scaled(const double *X, const int *y, int64_t n, int d, int K,
					   double C, int max_iter, double tol,
					   const AcqSoftmax *start, AcqSoftmax *out,
					   char *errbuf, size_t errlen)
{
	return softmax_fit(X, y, n, d, K, C, max_iter, tol, start, true, out, errbuf, errlen);
}

/* logits Z = X W + b of m rows (m x K) */
static void
softmax_logits(const AcqSoftmax *mdl, const double *X, int m, double *Z)
{
	int			K = mdl->K;
	int			i,
				k;

	if (mdl->d > 0)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, K, mdl->d,
					1.0, X, mdl->d, mdl->W, K, 0.0, Z, K);
	else
		memset(Z, 0, sizeof(double) * m * K);
	for (i = 0; i < m; i++)
		for (k = 0; k < K; k++)
			Z[(int64_t) i * K + k] += mdl->b[k];
}

void
acq_softmax_predict(const AcqSoftmax *mdl, const double *X, int64_t n,
					int *pred)
{
	int			K = mdl->K;
	int			rows = softmax_chunk_rows(mdl->d, K);
	int64_t		chunk = (n < rows) ? n : rows;
	double	   *Z;
	int64_t		start;

	if (n <= 0)
		return;
	Z = acq_alloc_array((size_t) chunk * K, sizeof(double));
	for (start = 0; start < n; start += rows)
	{
		int			m = (int) ((n - start < rows) ? n - start : rows);
		int			i;

		acq_check_interrupts();

		softmax_logits(mdl, X + start * mdl->d, m, Z);
		for (i = 0; i < m; i++)
		{
			const double *z = Z + (int64_t) i * K;
			int			best = 0;
			int			k;

			/* strict >: the lowest class wins a tie, as numpy's argmax */
			for (k = 1; k < K; k++)
				if (z[k] > z[best])
					best = k;
			pred[start + i] = best;
		}
	}
	acq_free(Z);
}

void
acq_softmax_predict_proba(const AcqSoftmax *mdl, const double *X, int64_t n,
						  double *proba)
{
	int			K = mdl->K;
	int			rows = softmax_chunk_rows(mdl->d, K);
	int64_t		start;

	for (start = 0; start < n; start += rows)
	{
		int			m = (int) ((n - start < rows) ? n - start : rows);
		int			i;

		acq_check_interrupts();
		softmax_logits(mdl, X + start * mdl->d, m, proba + start * K);
		for (i = 0; i < m; i++)
		{
			double	   *p = proba + (start + i) * K;
			double		zmax = -INFINITY;
			double		s = 0.0;
			int			k;

			/* exp(z - max z) / sum: no overflow, the largest term is 1 */
			for (k = 0; k < K; k++)
				zmax = fmax(zmax, p[k]);
			for (k = 0; k < K; k++)
			{
				p[k] = exp(p[k] - zmax);
				s += p[k];
			}
			for (k = 0; k < K; k++)
				p[k] /= s;
		}
	}
}

void
acq_softmax_free(AcqSoftmax *mdl)
{
	if (mdl == NULL)
		return;
	if (mdl->W != NULL)
		acq_free(mdl->W);
	mdl->W = NULL;
	mdl->b = NULL;
}
