/*
 * omp.c -- regularised Orthogonal Matching Pursuit for gradient matching.
 * One thing: the pursuit and the two dictionaries it runs over (an explicit
 * matrix, the factorised softmax gradients) share its private state and
 * kernels, so they stay in one file.
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
#include "core/omp.h"
#include "core/vecmath.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cblas.h>

/* rows per BLAS call of the projections (keeps int arguments in range and
 * the softmax path's N x K scratch small) */
#define OMP_BLOCK 4096

/* ---- the dictionary ----------------------------------------------------- */

/* the screen's int8 copy of the rows (omp.h) */
struct AcqOmpQuant
{
	int64_t		N;				/* rows added */
	int64_t		cap;
	int			M;
	int8_t	   *Q8;				/* cap x M: q_j = round(g_j / s_j) */
	double	   *qscale;			/* s_j = max |g_j| / 127 */
	double	   *qerr;			/* ||g_j - s_j q_j||, with margins (screen_bound) */
	double	   *qnorm;			/* s_j ||q_j|| */
	double		gmax;			/* max ||g_j|| */
	const AcqVecOps *vec;
};

/* rows fetched on demand (acq_omp_quantized): row j at cache + slot[j] M */
typedef struct OmpRows
{
	AcqOmpFetch fetch;
	void	   *arg;
	int64_t    *slot;			/* N, -1: not fetched */
	double	   *cache;
	int64_t		n;
	int64_t		cap;
	int64_t    *want;			/* N: scratch, the rows a fetch asks for */
} OmpRows;

/* a screened step's state: the residual in int16 and its bound terms */
typedef struct OmpScreen
{
	int16_t    *r16;			/* M: q_r = round(r / s_r) */
	int64_t    *dots;			/* OMP_BLOCK: q_j . q_r */
	double		rterm;			/* ||r - s_r q_r|| + rounding, with margins */
	double		abs;			/* absolute slack for underflow */
} OmpScreen;

typedef struct OmpDict OmpDict;

struct OmpDict
{
	int64_t		N;
	int			M;
	/* explicit: the rows in memory (G), or fetched (rows) */
	const double *G;
	OmpRows    *rows;
	/* explicit, screened (quant NULL: not) */
	const AcqOmpQuant *quant;
	OmpScreen  *scr;
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

/* row j of an explicit dictionary (fetched rows: after rows_need) */
static inline const double *
explicit_row(const OmpDict *d, int64_t j)
{
	if (d->G)
		return d->G + j * d->M;
	return d->rows->cache + d->rows->slot[j] * d->M;
}

/* explicit: one DGEMV per block of rows, proj = G r (rows in memory) */
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
 * explicit, screened: r is quantised to int16, q_r = round(r / s_r) with
 * s_r = max |r| / 32767, and proj_j = s_j s_r (q_j . q_r), the dot
 * product exact in integers: one pass over the int8 rows, an eighth of the
 * bytes of explicit_project.  The values are approximations; see
 * omp_argmax_screened and screen_bound.  Returns false, leaving proj alone,
 * when r is too small to scale (max |r| < 1e-300): the caller then needs
 * the exact pass.
 */
static bool
screened_project(const OmpDict *d, const double *r, double rnorm, double *proj)
{
	const AcqOmpQuant *q = d->quant;
	OmpScreen  *scr = d->scr;
	double		amax = 0.0,
				sr,
				inv,
				ee = 0.0,
				qq = 0.0;
	int64_t		start;
	int			i;

	for (i = 0; i < d->M; i++)
		amax = fabs(r[i]) > amax ? fabs(r[i]) : amax;
	if (!(amax >= 1e-300))
		return false;
	sr = amax / 32767.0;
	inv = 32767.0 / amax;
	for (i = 0; i < d->M; i++)
	{
		double		x = r[i] * inv;
		int			qi = (int) (x + (x >= 0.0 ? 0.5 : -0.5));
		double		e;

		qi = qi > 32767 ? 32767 : (qi < -32767 ? -32767 : qi);
		scr->r16[i] = (int16_t) qi;
		e = r[i] - sr * (double) qi;
		ee += e * e;
		qq += (double) qi * (double) qi;
	}

	/*
	 * ||r - s_r q_r||: a 1% margin for the rounding of its computation, plus
	 * 4 u ||r|| for that of each s_r q_ri and 2 sqrt(M DBL_MIN) for squares
	 * lost to underflow; then 2 u s_r ||q_r|| for rounding s_j s_r D_j
	 */
	scr->rterm = 1.01 * sqrt(ee) + 4.0 * ldexp(1.0, -53) * rnorm +
		2.0 * sqrt(d->M * DBL_MIN) + 2.0 * ldexp(1.0, -53) * sr * sqrt(qq);
	for (start = 0; start < d->N; start += OMP_BLOCK)
	{
		int			m = (int) ((d->N - start < OMP_BLOCK) ? d->N - start : OMP_BLOCK);

		q->vec->int8_rows_dot(q->Q8 + start * d->M, m, d->M, scr->r16, scr->dots);
		for (i = 0; i < m; i++)
			proj[start + i] = (q->qscale[start + i] * sr) * (double) scr->dots[i];
	}
	return true;
}

/*
 * The screened projection's error bound for row j (omp.h):
 *     <g_j, r> - s_j s_r q_j.q_r = <g_j - s_j q_j, r> + s_j <q_j, r - s_r q_r>,
 * so |error| <= ||g_j - s_j q_j|| ||r|| + s_j ||q_j|| ||r - s_r q_r||
 * (Cauchy-Schwarz), plus the rounding of the double products and of the
 * exact recomputation, which both terms carry (qerr, rterm), a 1% margin,
 * and the absolute slack for underflow.
 */
static inline double
screen_bound(const OmpDict *d, int64_t j, double rnorm)
{
	return 1.01 * (d->quant->qerr[j] * rnorm + d->quant->qnorm[j] * d->scr->rterm) +
		d->scr->abs;
}

static double
explicit_dot(const OmpDict *d, int64_t i, int64_t j)
{
	return cblas_ddot(d->M, explicit_row(d, i), 1, explicit_row(d, j), 1);
}

static double
explicit_dotv(const OmpDict *d, int64_t j, const double *v)
{
	return cblas_ddot(d->M, explicit_row(d, j), 1, v, 1);
}

static void
explicit_axpy(const OmpDict *d, double a, int64_t j, double *v)
{
	cblas_daxpy(d->M, a, explicit_row(d, j), 1, v, 1);
}

/*
 * Fetched rows: make rows idx[0..n-1] (ascending) available, asking the
 * caller's fetch for those not fetched yet, in one call.  Every fetched row
 * is kept: the support's rows are needed at every step, and a candidate
 * that came close once tends to again.  False if the fetch failed.
 */
static bool
rows_need(const OmpDict *d, const int64_t *idx, int64_t n)
{
	OmpRows    *rw = d->rows;
	int64_t		nw = 0;
	int64_t		i;

	for (i = 0; i < n; i++)
		if (rw->slot[idx[i]] < 0)
			rw->want[nw++] = idx[i];
	if (nw == 0)
		return true;
	if (rw->n + nw > rw->cap)
	{
		int64_t		cap = rw->cap ? rw->cap : 64;
		double	   *c;

		while (cap < rw->n + nw)
			cap *= 2;
		c = (double *) acq_alloc_array((size_t) cap * (size_t) d->M, sizeof(double));
		if (rw->n > 0)
			memcpy(c, rw->cache, sizeof(double) * (size_t) rw->n * (size_t) d->M);
		acq_free(rw->cache);
		rw->cache = c;
		rw->cap = cap;
	}
	if (rw->fetch(rw->arg, rw->want, nw, rw->cache + rw->n * d->M) != 0)
		return false;
	for (i = 0; i < nw; i++)
		rw->slot[rw->want[i]] = rw->n + i;
	rw->n += nw;
	return true;
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
	int64_t    *cand;			/* screened: N, the candidates a step recomputes */
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
 * the best lower bound max_k (|proj_k| - e_k), e_j = screen_bound(j),
 * might be the argmax; those (usually a few) are recomputed in double --
 * fetching their rows first, if the rows are not in memory -- and the
 * exact value of each is left in st->proj[j].  Scanning in index order
 * with a strict comparison keeps the lowest index on ties.  Returns -1 if
 * nothing is admissible, -2 if a fetch failed.
 */
static int64_t
omp_argmax_screened(OmpState *st, const OmpDict *dict, double rnorm)
{
	double		lb = -INFINITY;
	double		bestval = -1.0;
	int64_t		best = -1;
	int64_t		nc = 0;
	int64_t		j;

	for (j = 0; j < dict->N; j++)
	{
		double		low = fabs(st->proj[j]) - screen_bound(dict, j, rnorm);

		if (!st->excluded[j] && low > lb)
			lb = low;
	}
	if (lb == -INFINITY)
		return -1;				/* nothing admissible */
	for (j = 0; j < dict->N; j++)
		if (!st->excluded[j] && fabs(st->proj[j]) + screen_bound(dict, j, rnorm) >= lb)
			st->cand[nc++] = j;
	if (dict->rows && !rows_need(dict, st->cand, nc))
		return -2;
	for (j = 0; j < nc; j++)
	{
		int64_t		c = st->cand[j];
		double		exact = explicit_dotv(dict, c, st->r);

		if (fabs(exact) > bestval)
		{
			best = c;
			bestval = fabs(exact);
		}
		st->proj[c] = exact;	/* exact from now on: its bound is loose */
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
 * room for kmax.  Returns ACQ_OK; with fetched rows, ACQ_ERR_TOO_LARGE if a
 * step cannot be screened (a residual below 1e-300: the rows must be in
 * memory for the exact pass) or ACQ_ERR_ARGUMENT if a fetch failed, the
 * selection so far in out.
 */
static AcqStatus
omp_pursue(const OmpDict *dict, const double *b, const OmpPenalty *pen,
		   const AcqOmpParams *p, int kmax, AcqOmpResult *out)
{
	OmpState	st;
	double		rnorm;
	AcqStatus	status = ACQ_OK;

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
	if (dict->quant)
		st.cand = (int64_t *) acq_alloc_array((size_t) dict->N, sizeof(int64_t));

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
		bool		screened = false;

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
		else if (dict->quant && screened_project(dict, st.r, rnorm, st.proj))
			screened = true;
		else if (dict->G || !dict->rows)
			dict->project(dict, st.r, st.proj);
		else
		{
			status = ACQ_ERR_TOO_LARGE;
			break;
		}

		/* the best candidate; a dependent one is passed over for good */
		for (;;)
		{
			j = screened ? omp_argmax_screened(&st, dict, rnorm) :
				omp_argmax(&st, dict->N);
			if (j == -2)
				break;
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
		if (j == -2)
		{
			status = ACQ_ERR_ARGUMENT;
			break;
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
	acq_free(st.cand);
	if (st.C)
	{
		acq_free(st.C);
		acq_free(st.projb);
	}
	return status;
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

/*
 * What a pursuit over N atoms of M numbers allocates at most, in bytes
 * (the atoms themselves not counted): the Cholesky factor and residual
 * (k^2 + k + M), a projection and a mark per atom (9 N), the result;
 * explicit: the screen's int8 copy (N M + 24 N) where it is used;
 * quantized: the candidates and the fetch's slots (24 N) and the fetched
 * rows' cache (2 k M, doubling); softmax: the atoms' inner-product columns
 * (N k + N) where they stay under 512 MB.
 */
double
acq_omp_work_bytes(AcqOmpWork kind, int64_t N, int M, int64_t k)
{
	double		kmax = (double) ((k < N) ? k : N);
	double		n = (double) N;
	double		bytes = sizeof(double) * (kmax * kmax + kmax + M + n) + n +
		(sizeof(double) + sizeof(int64_t)) * kmax + 2.0 * sizeof(int16_t) * M +
		sizeof(int64_t) * OMP_BLOCK;

	switch (kind)
	{
		case ACQ_OMP_WORK_EXPLICIT:
			if (kmax >= 8 && n * M >= 1048576.0 && n * M <= 2147483648.0)
				bytes += n * M + (3.0 * sizeof(double) + sizeof(int64_t)) * n;
			break;
		case ACQ_OMP_WORK_QUANTIZED:
			bytes += 3.0 * sizeof(int64_t) * n + 2.0 * sizeof(double) * kmax * M;
			break;
		case ACQ_OMP_WORK_SOFTMAX:
			if (n * kmax * sizeof(double) <= 512.0 * 1024 * 1024)
				bytes += sizeof(double) * (n * kmax + n);
			bytes += sizeof(double) * OMP_BLOCK * (double) M;
			break;
	}
	return bytes;
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

/* ---- the screen's int8 rows ----------------------------------------------- */

AcqOmpQuant *
acq_omp_quant_create(int64_t cap, int M)
{
	AcqOmpQuant *q;

	if (cap < 1 || M < 1)
		return NULL;
	q = (AcqOmpQuant *) acq_alloc(sizeof(AcqOmpQuant));
	q->cap = cap;
	q->M = M;
	/* rows [0, N) are written by acq_omp_quant_add before anything reads them */
	q->Q8 = (int8_t *) acq_alloc_array_uninit((size_t) cap * (size_t) M, sizeof(int8_t));
	q->qscale = (double *) acq_alloc_array((size_t) cap, sizeof(double));
	q->qerr = (double *) acq_alloc_array((size_t) cap, sizeof(double));
	q->qnorm = (double *) acq_alloc_array((size_t) cap, sizeof(double));
	q->vec = acq_vec_ops();
	return q;
}

/*
 * Row N is q = round(g / s), s = max_i |g_i| / 127.  qerr holds
 * ||g - s q|| (as computed) + 4 M u ||g|| for the rounding of that norm
 * and of the exact recomputation <g, r> in double + 2 sqrt(M DBL_MIN) for
 * squares lost to underflow; qnorm s ||q||.  The quantising pass reads
 * every value: the check for finite values comes with it.
 */
int
acq_omp_quant_add(AcqOmpQuant *q, const double *g)
{
	double		sc,
				sums[3],
				gn;
	int64_t		i = q->N;

	if (i >= q->cap)
		return 0;
	if (!q->vec->quantize_row(g, q->M, q->Q8 + i * q->M, &sc, sums))
		return 0;
	gn = sqrt(sums[2]);
	q->qscale[i] = sc;
	q->qerr[i] = sqrt(sums[0]) + 4.0 * q->M * ldexp(1.0, -53) * gn +
		2.0 * sqrt(q->M * DBL_MIN);
	q->qnorm[i] = sc * sqrt(sums[1]);
	q->gmax = gn > q->gmax ? gn : q->gmax;
	q->N = i + 1;
	return 1;
}

int64_t
acq_omp_quant_rows(const AcqOmpQuant *q)
{
	return q ? q->N : 0;
}

void
acq_omp_quant_free(AcqOmpQuant *q)
{
	if (q == NULL)
		return;
	acq_free(q->Q8);
	acq_free(q->qscale);
	acq_free(q->qerr);
	acq_free(q->qnorm);
	acq_free(q);
}

/*
 * Whether the screen's arithmetic stays in range for target b: every
 * |<g_j, r>| <= ||g_j|| ||b|| (the residual is never longer than b), and
 * the norms and products stay far from overflow while M ||g_j|| ||b|| <
 * 1e300.
 */
static bool
screen_in_range(const AcqOmpQuant *q, const double *b)
{
	double		bnorm = cblas_dnrm2(q->M, b, 1);

	return bnorm < 1e300 && q->gmax < 1e300 && q->gmax * bnorm * q->M < 1e300;
}

static void
screen_init(OmpDict *d, OmpScreen *scr, const AcqOmpQuant *q)
{
	memset(scr, 0, sizeof(*scr));
	scr->r16 = (int16_t *) acq_alloc_array((size_t) d->M, sizeof(int16_t));
	scr->dots = (int64_t *) acq_alloc_array(OMP_BLOCK, sizeof(int64_t));
	/* underflow in s_j s_r and its product with D_j (|D_j| <= 127 * 32767 M) */
	scr->abs = ldexp(1.0, -1074) * (2.0 + 4161409.0 * d->M);
	d->quant = q;
	d->scr = scr;
}

static void
screen_done(OmpScreen *scr)
{
	acq_free(scr->r16);
	acq_free(scr->dots);
}

static void
explicit_dict(OmpDict *d, const double *G, int64_t N, int M)
{
	memset(d, 0, sizeof(*d));
	d->N = N;
	d->M = M;
	d->G = G;
	d->project = explicit_project;
	d->dot = explicit_dot;
	d->dotv = explicit_dotv;
	d->axpy = explicit_axpy;
}

AcqStatus
acq_omp_explicit(const double *G, int64_t N, int M, const double *b,
				 const double *Psi, int n_psi,
				 const AcqOmpParams *p, AcqOmpResult *out,
				 char *errbuf, size_t errlen)
{
	OmpDict		dict;
	OmpPenalty	pen;
	OmpScreen	scr;
	AcqOmpQuant *q = NULL;
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
	explicit_dict(&dict, G, N, M);

	/*
	 * The screen (omp.h) when asked for, or by default when it pays (k >= 8,
	 * N M >= 2^20) and its copy stays under 2 GB.  Its quantising pass
	 * checks the values; without a screen, a pass of its own.
	 */
	if (p->screen > 0 ||
		(p->screen == 0 && kmax >= 8 && (double) N * M >= 1048576.0 &&
		 (double) N * M <= 2147483648.0))
	{
		int64_t		i;

		q = acq_omp_quant_create(N, M);
		for (i = 0; i < N && !nonfinite; i++)
		{
			nonfinite = !acq_omp_quant_add(q, G + i * M);
			if ((i & 1023) == 0)
				acq_check_interrupts();
		}
		if (nonfinite || !screen_in_range(q, b))
		{
			acq_omp_quant_free(q);
			q = NULL;
		}
	}
	if (nonfinite || (q == NULL && !all_finite(G, N * M)))
	{
		acq_set_error(errbuf, errlen, "omp: a gradient value is not finite");
		return ACQ_ERR_ARGUMENT;
	}
	if (q)
		screen_init(&dict, &scr, q);

	omp_result_init(out, kmax);
	(void) omp_pursue(&dict, b, &pen, p, kmax, out);	/* rows in memory: cannot fail */
	if (q)
	{
		screen_done(&scr);
		acq_omp_quant_free(q);
	}
	return ACQ_OK;
}

AcqStatus
acq_omp_quantized(const AcqOmpQuant *q, AcqOmpFetch fetch, void *arg,
				  const double *b, const double *Psi, int n_psi,
				  const AcqOmpParams *p, AcqOmpResult *out,
				  char *errbuf, size_t errlen)
{
	OmpDict		dict;
	OmpPenalty	pen;
	OmpScreen	scr;
	OmpRows		rows;
	int			kmax;
	int64_t		i;
	AcqStatus	st;

	if (out == NULL)
		return ACQ_ERR_ARGUMENT;
	memset(out, 0, sizeof(*out));
	if (q == NULL || fetch == NULL)
	{
		acq_set_error(errbuf, errlen, "omp: invalid argument");
		return ACQ_ERR_ARGUMENT;
	}
	st = omp_check(q->N, q->M, b, Psi, n_psi, p, &pen, &kmax, errbuf, errlen);
	if (st != ACQ_OK)
		return st;
	if (!screen_in_range(q, b))
	{
		acq_set_error(errbuf, errlen, "omp: values too large to screen");
		return ACQ_ERR_TOO_LARGE;
	}
	explicit_dict(&dict, NULL, q->N, q->M);
	memset(&rows, 0, sizeof(rows));
	rows.fetch = fetch;
	rows.arg = arg;
	rows.slot = (int64_t *) acq_alloc_array((size_t) q->N, sizeof(int64_t));
	rows.want = (int64_t *) acq_alloc_array((size_t) q->N, sizeof(int64_t));
	for (i = 0; i < q->N; i++)
		rows.slot[i] = -1;
	dict.rows = &rows;
	screen_init(&dict, &scr, q);

	omp_result_init(out, kmax);
	st = omp_pursue(&dict, b, &pen, p, kmax, out);
	if (st == ACQ_ERR_TOO_LARGE)
		acq_set_error(errbuf, errlen, "omp: a residual too small to screen");
	else if (st != ACQ_OK)
		acq_set_error(errbuf, errlen, "omp: fetching rows failed");
	screen_done(&scr);
	acq_free(rows.slot);
	acq_free(rows.want);
	acq_free(rows.cache);
	return st;
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
	(void) omp_pursue(&dict, b, &pen, p, kmax, out);	/* in memory: cannot fail */
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
