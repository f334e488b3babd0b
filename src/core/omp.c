/*
 * omp.c -- regularised Orthogonal Matching Pursuit for gradient matching.
 *
 * See omp.h for the problem, the algorithm and the choices made against
 * the authors' code.  The pursuit (omp_pursue) sees the dictionary only
 * through four operations, implemented twice: for an explicit N x M matrix
 * and for the factorised softmax last-layer gradients.
 *
 * The incremental Cholesky step.  With A_S = G_S' G_S + lambda I +
 * lambda2 Psi_S' Psi_S = L L' and a new atom j, the bordered matrix
 *
 *     [ A_S   a  ]          [ L   0 ]
 *     [ a'  A_jj ] = L+ L+', L+ = [ v'  d ],  L v = a,  d^2 = A_jj - v'v,
 *
 * so the new row costs one triangular solve.  The right-hand side
 * c_S = G_S' b grows by c_j = <g_j, b>, and z = L^-1 c grows by
 * z_j = (c_j - v'z) / d; the weights are w = L'^-1 z, one more solve.
 * d^2 is the squared distance of the (penalised) atom from the span of the
 * support's; a d^2 at rounding level means the atom is dependent.
 */
#include "omp.h"
#include "vecmath.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cblas.h>

/* rows per BLAS call of the projections (keeps int arguments in range and
 * the softmax path's N x K scratch small) */
#define OMP_BLOCK 4096

/* ---- the dictionary ----------------------------------------------------- */

typedef struct OmpDict OmpDict;

struct OmpDict
{
	int64_t		N;
	int			M;
	/* explicit */
	const double *G;
	/*
	 * explicit, screened (Q8 NULL: not): G quantised to int8 per row,
	 * g_j ~ qscale_j q_j, and each row's bound coefficient (omp.h)
	 */
	int8_t	   *Q8;
	double	   *qscale;
	double	   *qcoef;			/* |approx - <g_j, r>| <= qcoef_j ||r|| + screen_abs */
	float	   *r32;			/* M: the residual in float */
	float	   *proj32;			/* OMP_BLOCK: a block's float projections */
	double		screen_abs;		/* absolute slack for underflow */
	const AcqVecOps *vec;
	/* softmax */
	const double *E;
	const double *H;
	int			K;
	int			D;
	double	   *scratch;		/* K x OMP_BLOCK */
	/* proj[j] = <g_j, r> for every j */
	void		(*project) (const OmpDict *d, const double *r, double *proj);
	/* <g_i, g_j> */
	double		(*dot) (const OmpDict *d, int64_t i, int64_t j);
	/* <g_j, v> for v in R^M */
	double		(*dotv) (const OmpDict *d, int64_t j, const double *v);
	/* v += a g_j */
	void		(*axpy) (const OmpDict *d, double a, int64_t j, double *v);
	/* col[i] = <g_i, g_j> for every i, or NULL: projections from r instead */
	void		(*column) (const OmpDict *d, int64_t j, double *col);
};

/* explicit: one DGEMV per block of rows, proj = G r */
static void
explicit_project(const OmpDict *d, const double *r, double *proj)
{
	int64_t		start;

	for (start = 0; start < d->N; start += OMP_BLOCK)
	{
		int			m = (int) ((d->N - start < OMP_BLOCK) ? d->N - start : OMP_BLOCK);

		cblas_dgemv(CblasRowMajor, CblasNoTrans, m, d->M, 1.0,
					d->G + start * d->M, d->M, r, 1, 0.0, proj + start, 1);
	}
}

/*
 * explicit, screened: proj_j = qscale_j fl32(q_j . r32), one pass over the
 * int8 rows -- an eighth of the bytes of explicit_project.  The values are
 * approximations; see omp_argmax_screened.
 */
static void
screened_project(const OmpDict *d, const double *r, double *proj)
{
	int64_t		start;
	int			i;

	for (i = 0; i < d->M; i++)
		d->r32[i] = (float) r[i];
	for (start = 0; start < d->N; start += OMP_BLOCK)
	{
		int			m = (int) ((d->N - start < OMP_BLOCK) ? d->N - start : OMP_BLOCK);

		d->vec->int8_rows_dot(d->Q8 + start * d->M, m, d->M, d->r32, d->proj32);
		for (i = 0; i < m; i++)
			proj[start + i] = d->qscale[start + i] * (double) d->proj32[i];
	}
}

static double
explicit_dot(const OmpDict *d, int64_t i, int64_t j)
{
	return cblas_ddot(d->M, d->G + i * d->M, 1, d->G + j * d->M, 1);
}

static double
explicit_dotv(const OmpDict *d, int64_t j, const double *v)
{
	return cblas_ddot(d->M, d->G + j * d->M, 1, v, 1);
}

static void
explicit_axpy(const OmpDict *d, double a, int64_t j, double *v)
{
	cblas_daxpy(d->M, a, d->G + j * d->M, 1, v, 1);
}

/*
 * softmax: r is R = [R_w | r_b], K x (D+1).  Per block of m rows,
 * P = R_w H_blk' (K x m, one DGEMM; this orientation, the long dimension
 * as the DGEMM's columns, runs ~20% faster than H_blk R_w' with OpenBLAS),
 * then proj_j = sum_c e_jc (P_cj + r_b[c]).
 */
static void
softmax_project(const OmpDict *d, const double *r, double *proj)
{
	int			K = d->K;
	int			D = d->D;
	int			Dp = D + 1;
	double	   *P = d->scratch;
	int64_t		start;

	for (start = 0; start < d->N; start += OMP_BLOCK)
	{
		int			m = (int) ((d->N - start < OMP_BLOCK) ? d->N - start : OMP_BLOCK);
		int			i;

		if (D > 0)
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, K, m, D, 1.0,
						r, Dp, d->H + start * D, D, 0.0, P, m);
		else
			memset(P, 0, sizeof(double) * m * K);
		for (i = 0; i < m; i++)
		{
			const double *e = d->E + (start + i) * K;
			double		s = 0.0;
			int			c;

			for (c = 0; c < K; c++)
				s += e[c] * (P[(int64_t) c * m + i] + r[c * Dp + D]);
			proj[start + i] = s;
		}
	}
}

/* <g_i, g_j> = (e_i . e_j) (h_i . h_j + 1) */
static double
softmax_dot(const OmpDict *d, int64_t i, int64_t j)
{
	double		ee = cblas_ddot(d->K, d->E + i * d->K, 1, d->E + j * d->K, 1);
	double		hh = (d->D > 0) ?
		cblas_ddot(d->D, d->H + i * d->D, 1, d->H + j * d->D, 1) : 0.0;

	return ee * (hh + 1.0);
}

/* <g_j, v> = sum_c e_jc (v_c,w . h_j + v_c,bias) */
static double
softmax_dotv(const OmpDict *d, int64_t j, const double *v)
{
	const double *e = d->E + j * d->K;
	const double *h = d->H + j * d->D;
	int			Dp = d->D + 1;
	double		s = 0.0;
	int			c;

	for (c = 0; c < d->K; c++)
	{
		const double *vc = v + (int64_t) c * Dp;
		double		t = vc[d->D];

		if (d->D > 0)
			t += cblas_ddot(d->D, vc, 1, h, 1);
		s += e[c] * t;
	}
	return s;
}

/* v += a e_j [h_j, 1]' (a rank-one update of the K x (D+1) reshape) */
static void
softmax_axpy(const OmpDict *d, double a, int64_t j, double *v)
{
	const double *e = d->E + j * d->K;
	const double *h = d->H + j * d->D;
	int			Dp = d->D + 1;
	int			c;

	for (c = 0; c < d->K; c++)
	{
		double	   *vc = v + (int64_t) c * Dp;
		double		ae = a * e[c];

		if (d->D > 0)
			cblas_daxpy(d->D, ae, h, 1, vc, 1);
		vc[d->D] += ae;
	}
}

/*
 * col[i] = <g_i, g_j> = (e_i . e_j) (h_i . h_j + 1) for every i: one DGEMV
 * over E and one over H, N (K + D) numbers read.  With these columns the
 * projections follow without touching the dictionary again:
 *     <g_i, r> = <g_i, b> - sum_{s in S} w_s <g_i, g_s>,
 * N |S| operations where a projection from r costs N K D.
 */
static void
softmax_column(const OmpDict *d, int64_t j, double *col)
{
	int64_t		start;

	for (start = 0; start < d->N; start += OMP_BLOCK)
	{
		int			m = (int) ((d->N - start < OMP_BLOCK) ? d->N - start : OMP_BLOCK);
		double	   *hh = d->scratch;
		int			i;

		cblas_dgemv(CblasRowMajor, CblasNoTrans, m, d->K, 1.0, d->E + start * d->K, d->K,
					d->E + j * d->K, 1, 0.0, col + start, 1);
		if (d->D > 0)
			cblas_dgemv(CblasRowMajor, CblasNoTrans, m, d->D, 1.0, d->H + start * d->D, d->D,
						d->H + j * d->D, 1, 0.0, hh, 1);
		else
			memset(hh, 0, sizeof(double) * m);
		for (i = 0; i < m; i++)
			col[start + i] *= hh[i] + 1.0;
	}
}

/* ---- the penalty Psi ------------------------------------------------------ */

typedef struct OmpPenalty
{
	const double *Psi;			/* NULL: none */
	int			n_psi;			/* >= 1, or ACQ_OMP_PSI_DIAGONAL */
	double		lambda2;
} OmpPenalty;

/* lambda2 (Psi' Psi)_ij */
static double
penalty_entry(const OmpPenalty *pen, int64_t i, int64_t j)
{
	if (pen->Psi == NULL)
		return 0.0;
	if (pen->n_psi == ACQ_OMP_PSI_DIAGONAL)
		return (i == j) ? pen->lambda2 * pen->Psi[i] * pen->Psi[i] : 0.0;
	return pen->lambda2 * cblas_ddot(pen->n_psi, pen->Psi + i * pen->n_psi, 1,
									 pen->Psi + j * pen->n_psi, 1);
}

/* ---- the pursuit ---------------------------------------------------------- */

typedef struct OmpState
{
	int			kmax;			/* capacity: rows of L */
	int			s;				/* atoms in the support */
	int64_t    *S;				/* the support, in selection order */
	double	   *L;				/* kmax x kmax lower-triangular, row-major */
	double	   *z;				/* L^-1 c */
	double	   *w;				/* L'^-1 z */
	double	   *r;				/* residual b - G_S w */
	double	   *proj;			/* <g_j, r>, N */
	double	   *projb;			/* with columns: <g_j, b>, N */
	double	   *C;				/* with columns: N x kmax, column s = <g_., g_S[s]> */
	char	   *excluded;		/* selected or dependent, N */
} OmpState;

/* the best admissible candidate: argmax |proj|, lowest index; -1 if none */
static int64_t
omp_argmax(const OmpState *st, int64_t N)
{
	int64_t		best = -1;
	double		bestval = -1.0;
	int64_t		j;

	for (j = 0; j < N; j++)
	{
		double		a = fabs(st->proj[j]);

		if (!st->excluded[j] && a > bestval)
		{
			best = j;
			bestval = a;
		}
	}
	return best;
}

/*
 * The same choice as omp_argmax over exact projections, from the screened
 * projections in st->proj: every admissible j whose |proj_j| + e_j reaches
 * the best lower bound max_k (|proj_k| - e_k), e_j = qcoef_j ||r|| + abs,
 * might be the argmax; those (usually a few) are recomputed in double, and
 * the exact value of each is left in st->proj[j].  Scanning in index order
 * with a strict comparison keeps the lowest index on ties.
 */
static int64_t
omp_argmax_screened(OmpState *st, const OmpDict *dict, double rnorm)
{
	double		lb = -INFINITY;
	double		bestval = -1.0;
	int64_t		best = -1;
	int64_t		j;

	for (j = 0; j < dict->N; j++)
	{
		double		low = fabs(st->proj[j]) - (rnorm * dict->qcoef[j] + dict->screen_abs);

		if (!st->excluded[j] && low > lb)
			lb = low;
	}
	if (lb == -INFINITY)
		return -1;				/* nothing admissible */
	for (j = 0; j < dict->N; j++)
	{
		double		exact;

		if (st->excluded[j] ||
			fabs(st->proj[j]) + (rnorm * dict->qcoef[j] + dict->screen_abs) < lb)
			continue;
		exact = explicit_dotv(dict, j, st->r);
		if (fabs(exact) > bestval)
		{
			best = j;
			bestval = fabs(exact);
		}
		st->proj[j] = exact;	/* exact from now on: its bound is loose */
	}
	return best;
}

/*
 * Try to add atom j: border L with the row [v', d].  Returns false (and
 * leaves the state alone) when j is dependent on the support.
 */
static bool
omp_extend(OmpState *st, const OmpDict *dict, const OmpPenalty *pen,
		   double lambda, const double *b, int64_t j)
{
	int			s = st->s;
	double	   *v = st->L + (int64_t) s * st->kmax;	/* row s of L */
	double		ajj;
	double		d2;
	int			i;

	/* a = column j of A_S+j against the support, then v = L^-1 a */
	for (i = 0; i < s; i++)
		v[i] = dict->dot(dict, st->S[i], j) + penalty_entry(pen, st->S[i], j);
	if (s > 0)
		cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit,
					s, st->L, st->kmax, v, 1);
	ajj = dict->dot(dict, j, j) + lambda + penalty_entry(pen, j, j);
	d2 = ajj - (s > 0 ? cblas_ddot(s, v, 1, v, 1) : 0.0);
	if (!(ajj > 0.0) || !(d2 > ACQ_OMP_PIVOT_TOL * ajj))
	{
		memset(v, 0, sizeof(double) * s);
		return false;
	}
	v[s] = sqrt(d2);
	/* z grows by (c_j - v'z) / d, c_j = <g_j, b> */
	st->z[s] = (dict->dotv(dict, j, b) -
				(s > 0 ? cblas_ddot(s, v, 1, st->z, 1) : 0.0)) / v[s];
	st->S[s] = j;
	st->s = s + 1;
	return true;
}

/* w = L'^-1 z, then r = b - sum_i w_i g_i; returns ||r|| */
static double
omp_solve_residual(OmpState *st, const OmpDict *dict, const double *b)
{
	int			i;

	memcpy(st->w, st->z, sizeof(double) * st->s);
	cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit,
				st->s, st->L, st->kmax, st->w, 1);
	memcpy(st->r, b, sizeof(double) * dict->M);
	for (i = 0; i < st->s; i++)
		dict->axpy(dict, -st->w[i], st->S[i], st->r);
	return cblas_dnrm2(dict->M, st->r, 1);
}

/*
 * Algorithm 3.  out->index / out->weight are allocated by the caller with
 * room for kmax.
 */
static void
omp_pursue(const OmpDict *dict, const double *b, const OmpPenalty *pen,
		   const AcqOmpParams *p, int kmax, AcqOmpResult *out)
{
	OmpState	st;
	double		rnorm;

	memset(&st, 0, sizeof(st));
	st.kmax = kmax;
	st.S = out->index;
	st.w = out->weight;
	st.L = (double *) acq_alloc_array((size_t) kmax * kmax + kmax + dict->M,
									  sizeof(double));
	st.z = st.L + (size_t) kmax * kmax;
	st.r = st.z + kmax;
	st.proj = (double *) acq_alloc_array((size_t) dict->N, sizeof(double));
	st.excluded = (char *) acq_alloc((size_t) dict->N);

	memcpy(st.r, b, sizeof(double) * dict->M);
	rnorm = cblas_dnrm2(dict->M, b, 1);
	out->stop = ACQ_OMP_STOP_K;
	if (dict->column)
	{
		st.projb = (double *) acq_alloc_array((size_t) dict->N, sizeof(double));
		st.C = (double *) acq_alloc_array((size_t) dict->N * (size_t) kmax, sizeof(double));
		dict->project(dict, b, st.projb);
	}

	while (st.s < kmax)
	{
		int64_t		j;

		if (!(rnorm > p->tol))
		{
			out->stop = ACQ_OMP_STOP_TOL;
			break;
		}
		acq_check_interrupts();
		out->iterations++;
		if (st.C)
		{
			/* proj = <g, b> - C_S w_S */
			memcpy(st.proj, st.projb, sizeof(double) * dict->N);
			if (st.s > 0)
				cblas_dgemv(CblasColMajor, CblasNoTrans, (int) dict->N, st.s, -1.0, st.C,
							(int) dict->N, st.w, 1, 1.0, st.proj, 1);
		}
		else if (dict->Q8)
			screened_project(dict, st.r, st.proj);
		else
			dict->project(dict, st.r, st.proj);

		/* the best candidate; a dependent one is passed over for good */
		for (;;)
		{
			j = dict->Q8 ? omp_argmax_screened(&st, dict, rnorm) :
				omp_argmax(&st, dict->N);
			if (j < 0 || st.proj[j] == 0.0)
			{
				j = -1;
				break;
			}
			st.excluded[j] = 1;
			if (omp_extend(&st, dict, pen, p->lambda, b, j))
			{
				if (st.C)
					dict->column(dict, j, st.C + (size_t) (st.s - 1) * (size_t) dict->N);
				break;
			}
			out->skipped++;
		}
		if (j < 0)
		{
			out->stop = ACQ_OMP_STOP_EXHAUSTED;
			break;
		}
		rnorm = omp_solve_residual(&st, dict, b);
	}

	out->n = st.s;
	out->residual_norm = rnorm;
	acq_free(st.L);
	acq_free(st.proj);
	acq_free(st.excluded);
	if (st.C)
	{
		acq_free(st.C);
		acq_free(st.projb);
	}
}

/* ---- argument checks and entry points ----------------------------------- */

static bool
all_finite(const double *x, int64_t n)
{
	int64_t		i;

	for (i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

/*
 * Checks shared by both representations (M atoms' length); on success
 * fills pen and *kmax.
 */
static AcqStatus
omp_check(int64_t N, int M, const double *b, const double *Psi, int n_psi,
		  const AcqOmpParams *p, OmpPenalty *pen, int *kmax,
		  char *errbuf, size_t errlen)
{
	int64_t		k;

	if (p == NULL || b == NULL || N < 0 || M < 1 || p->k < 0 ||
		!(p->lambda >= 0.0) || !isfinite(p->lambda) ||
		!(p->lambda2 >= 0.0) || !isfinite(p->lambda2) ||
		!(p->tol >= 0.0) || !isfinite(p->tol))
	{
		acq_set_error(errbuf, errlen, "omp: invalid argument");
		return ACQ_ERR_ARGUMENT;
	}
	if (p->lambda2 > 0.0 &&
		(Psi == NULL || !(n_psi >= 1 || n_psi == ACQ_OMP_PSI_DIAGONAL)))
	{
		acq_set_error(errbuf, errlen, "omp: lambda2 > 0 needs a distance matrix Psi");
		return ACQ_ERR_ARGUMENT;
	}
	if (N == 0)
	{
		acq_set_error(errbuf, errlen, "omp: no candidates");
		return ACQ_ERR_EMPTY;
	}
	pen->Psi = (p->lambda2 > 0.0) ? Psi : NULL;
	pen->n_psi = n_psi;
	pen->lambda2 = p->lambda2;
	if (!all_finite(b, M) ||
		(pen->Psi != NULL &&
		 !all_finite(Psi, (n_psi == ACQ_OMP_PSI_DIAGONAL) ? N : N * n_psi)))
	{
		acq_set_error(errbuf, errlen, "omp: a target or distance value is not finite");
		return ACQ_ERR_ARGUMENT;
	}

	/* without regularisation, more than M atoms are always dependent */
	k = (p->k < N) ? p->k : N;
	if (p->lambda == 0.0 && pen->Psi == NULL && k > M)
		k = M;
	*kmax = (int) k;
	return ACQ_OK;
}

static void
omp_result_init(AcqOmpResult *out, int kmax)
{
	memset(out, 0, sizeof(*out));
	out->index = (int64_t *) acq_alloc_array((size_t) (kmax > 0 ? kmax : 1),
											 sizeof(int64_t));
	out->weight = (double *) acq_alloc_array((size_t) (kmax > 0 ? kmax : 1),
											 sizeof(double));
}

/*
 * The int8 copy of G for screening (omp.h), if asked for and safe.  Row j
 * is q_j = round(g_j / s_j), s_j = max_i |g_ji| / 127, and
 *     |s_j fl32(q_j . fl32(r)) - <g_j, r>|
 *         <= ||g_j - s_j q_j|| ||r||              (the quantisation)
 *          + (M + 3) u s_j ||q_j|| ||r||          (float rounding, u = 2^-24)
 * (Cauchy-Schwarz; rounding r to float, each product and any order of
 * summation are in the second term), plus 4 M 2^-53 ||g_j|| ||r|| for the
 * double arithmetic of the first norm, all with a 1% margin: that is
 * qcoef_j.  Underflow in float adds at most screen_abs.  Every
 * |<g_j, r>| <= ||g_j|| ||b|| (the residual is never longer than b), so no
 * float overflows while 127 M ||b|| and M ||g_j|| ||b|| stay below 1e36.
 * Quantising reads every value: a value that is not finite sets
 * *nonfinite (and no screen), so the caller need not scan G again.
 */
static void
screen_setup(OmpDict *d, const double *b, int screen, int kmax, bool *nonfinite)
{
	double		u = ldexp(1.0, -24);
	double		bnorm = cblas_dnrm2(d->M, b, 1);
	double		gmax = 0.0;
	double		smax = 0.0;
	int64_t		i;

	if (screen < 0 || d->N == 0)
		return;
	if (screen == 0 &&
		(kmax < 8 || (double) d->N * d->M < 1048576.0 ||
		 (double) d->N * d->M > 2147483648.0))
		return;
	if (!(bnorm < 1e36) || !(127.0 * d->M * bnorm < 1e36))
		return;
	d->Q8 = (int8_t *) acq_alloc_array((size_t) d->N * (size_t) d->M, sizeof(int8_t));
	d->qscale = (double *) acq_alloc_array((size_t) d->N, sizeof(double));
	d->qcoef = (double *) acq_alloc_array((size_t) d->N, sizeof(double));
	d->vec = acq_vec_ops();
	for (i = 0; i < d->N; i++)
	{
		double		sc,
					sums[3],
					gn;

		if (!d->vec->quantize_row(d->G + i * d->M, d->M, d->Q8 + i * d->M, &sc, sums))
		{
			*nonfinite = true;	/* the caller reports it */
			break;
		}
		gn = sqrt(sums[2]);
		d->qscale[i] = sc;
		d->qcoef[i] = 1.01 * (sqrt(sums[0]) + (d->M + 3) * u * sc * sqrt(sums[1]) +
							  4.0 * d->M * ldexp(1.0, -53) * gn);
		gmax = gn > gmax ? gn : gmax;
		smax = sc > smax ? sc : smax;
		if ((i & 1023) == 0)
			acq_check_interrupts();
	}
	if (*nonfinite || !(gmax * bnorm * d->M < 1e36) || !(gmax < 1e36))
	{
		acq_free(d->Q8);
		acq_free(d->qscale);
		acq_free(d->qcoef);
		d->Q8 = NULL;
		d->qscale = d->qcoef = NULL;
		return;
	}
	d->r32 = (float *) acq_alloc_array((size_t) d->M, sizeof(float));
	d->proj32 = (float *) acq_alloc_array(OMP_BLOCK, sizeof(float));
	/* underflow: each of M + 2 float operations, and r's rounding, off by FLT_MIN */
	d->screen_abs = (d->M + 2) * (double) FLT_MIN * (1.0 + gmax + bnorm) * (1.0 + 128.0 * smax);
}

AcqStatus
acq_omp_explicit(const double *G, int64_t N, int M, const double *b,
				 const double *Psi, int n_psi,
				 const AcqOmpParams *p, AcqOmpResult *out,
				 char *errbuf, size_t errlen)
{
	OmpDict		dict;
	OmpPenalty	pen;
	int			kmax;
	AcqStatus	st;
	bool		nonfinite = false;

	if (out == NULL)
		return ACQ_ERR_ARGUMENT;
	memset(out, 0, sizeof(*out));
	if (G == NULL && N > 0)
	{
		acq_set_error(errbuf, errlen, "omp: invalid argument");
		return ACQ_ERR_ARGUMENT;
	}
	st = omp_check(N, M, b, Psi, n_psi, p, &pen, &kmax, errbuf, errlen);
	if (st != ACQ_OK)
		return st;
	memset(&dict, 0, sizeof(dict));
	dict.N = N;
	dict.M = M;
	dict.G = G;
	dict.project = explicit_project;
	dict.dot = explicit_dot;
	dict.dotv = explicit_dotv;
	dict.axpy = explicit_axpy;
	/* the screen's quantising pass checks the values; without a screen, a pass of its own */
	screen_setup(&dict, b, p->screen, kmax, &nonfinite);
	if (nonfinite || (dict.Q8 == NULL && !all_finite(G, N * M)))
	{
		acq_set_error(errbuf, errlen, "omp: a gradient value is not finite");
		return ACQ_ERR_ARGUMENT;
	}

	omp_result_init(out, kmax);
	omp_pursue(&dict, b, &pen, p, kmax, out);
	if (dict.Q8)
	{
		acq_free(dict.Q8);
		acq_free(dict.qscale);
		acq_free(dict.qcoef);
		acq_free(dict.r32);
		acq_free(dict.proj32);
	}
	return ACQ_OK;
}

AcqStatus
acq_omp_softmax(const double *E, const double *H, int64_t N, int K, int D,
				const double *b, const double *Psi, int n_psi,
				const AcqOmpParams *p, AcqOmpResult *out,
				char *errbuf, size_t errlen)
{
	OmpDict		dict;
	OmpPenalty	pen;
	int			kmax;
	int64_t		M;
	AcqStatus	st;

	if (out == NULL)
		return ACQ_ERR_ARGUMENT;
	memset(out, 0, sizeof(*out));
	M = (int64_t) K * (D + 1);
	if (K < 1 || D < 0 || M > 0x7fffffff || (N > 0 && E == NULL) ||
		(N > 0 && D > 0 && H == NULL))
	{
		acq_set_error(errbuf, errlen, "omp: invalid argument");
		return ACQ_ERR_ARGUMENT;
	}
	st = omp_check(N, (int) M, b, Psi, n_psi, p, &pen, &kmax, errbuf, errlen);
	if (st != ACQ_OK)
		return st;
	if (!all_finite(E, N * K) || (D > 0 && !all_finite(H, N * D)))
	{
		acq_set_error(errbuf, errlen, "omp: a gradient factor is not finite");
		return ACQ_ERR_ARGUMENT;
	}

	memset(&dict, 0, sizeof(dict));
	dict.N = N;
	dict.M = (int) M;
	dict.E = E;
	dict.H = H;
	dict.K = K;
	dict.D = D;
	dict.project = softmax_project;
	dict.dot = softmax_dot;
	dict.dotv = softmax_dotv;
	dict.axpy = softmax_axpy;
	/* the atoms' inner-product columns, unless they would take over 512 MB */
	if ((double) N * kmax * sizeof(double) <= 512.0 * 1024 * 1024)
		dict.column = softmax_column;
	dict.scratch = (double *) acq_alloc_array((size_t) OMP_BLOCK * (K > 1 ? K : 1),
											  sizeof(double));

	omp_result_init(out, kmax);
	omp_pursue(&dict, b, &pen, p, kmax, out);
	acq_free(dict.scratch);
	return ACQ_OK;
}

/*
 * b = (1/n) sum_i vec(e_i [h_i, 1]'): the weight part is (1/n) E' H (one
 * DGEMM per block of rows, accumulated), the bias part the column means
 * of E.
 */
void
acq_omp_softmax_target(const double *E, const double *H, int64_t n,
					   int K, int D, double *b)
{
	int			Dp = D + 1;
	double		scale = 1.0 / (double) n;
	int64_t		start;
	int			c;

	memset(b, 0, sizeof(double) * K * Dp);
	for (start = 0; start < n; start += OMP_BLOCK)
	{
		int			m = (int) ((n - start < OMP_BLOCK) ? n - start : OMP_BLOCK);
		int			i;

		if (D > 0)
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, D, m, scale,
						E + start * K, K, H + start * D, D, 1.0, b, Dp);
		for (i = 0; i < m; i++)
			for (c = 0; c < K; c++)
				b[c * Dp + D] += scale * E[(start + i) * K + c];
	}
}

AcqStatus
acq_omp_softmax_factor(const double *proba, const int *y, int64_t n, int K,
					   double *E)
{
	int64_t		i;

	for (i = 0; i < n; i++)
		if (y[i] < 0 || y[i] >= K)
			return ACQ_ERR_ARGUMENT;
	if (E != proba)
		memcpy(E, proba, sizeof(double) * n * K);
	for (i = 0; i < n; i++)
		E[i * K + y[i]] -= 1.0;
	return ACQ_OK;
}

void
acq_omp_result_free(AcqOmpResult *r)
{
	if (r == NULL)
		return;
	if (r->index != NULL)
		acq_free(r->index);
	if (r->weight != NULL)
		acq_free(r->weight);
	r->index = NULL;
	r->weight = NULL;
	r->n = 0;
}
