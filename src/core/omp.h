/*
 * omp.h -- gradient matching by regularised Orthogonal Matching Pursuit
 * (Mycroft, section 3.2 eq. (1), Appendix B eq. (2), Appendix C Algorithm 3).
 *
 * Candidates j = 0..N-1 each have an "atom" g_j in R^M, a per-sample
 * gradient of the loss; the target b in R^M is the mean gradient over the
 * hard rows D_hard.  We look for a support S, |S| <= k, and weights w_S
 * minimising
 *
 *     e(w) = || sum_{j in S} w_j g_j - b ||^2 + lambda ||w||^2
 *            + lambda2 ||Psi_S w||^2                                   (*)
 *
 * greedily (Algorithm 3):
 *
 *     S = {}, w = 0, r = b
 *     while |S| < k and ||r|| > tol:
 *         j* = argmax_{j not in S} |<g_j, r>|     (ties: the lowest j)
 *         S  = S + {j*}
 *         w_S = argmin (*) over S: the SPD system
 *               (G_S' G_S + lambda I + lambda2 Psi_S' Psi_S) w_S = G_S' b
 *         r  = b - G_S w_S
 *
 * The paper writes the data term of eq. (1) unsquared; the authors' code
 * (and every OMP) solves the squared one through the normal equations,
 * which is what (*) is.  tol is on ||r||, not ||r||^2 (scikit-learn's
 * orthogonal_mp(tol=t) is ours with tol = sqrt(t) and k = N).
 *
 * The system is solved through a Cholesky factor L (L L' = the matrix
 * above) grown by one row per atom: O(|S|^2) per step for the row and the
 * two triangular solves, so a step costs one pass over the dictionary for
 * the projections, O(|S| M) for the Gram column and the residual, and
 * O(|S|^2) for the solve -- O(N M + k M + k^2) per iteration, below the
 * O(N M + M k + k^3) of the paper's Appendix C.2.
 *
 * Sign.  Eq. (1) has no sign constraint on w, and neither have these
 * functions: the selection uses |<g_j, r>| and the weights are the
 * unconstrained (ridge) least-squares solution, as in scikit-learn.  The
 * authors' code (CORDS' GradMatch, which Mycroft builds on) runs with
 * positive=True: it picks argmax <g_j, r> (positive projections only) and
 * drops atoms whose weight comes out negative, because GradMatch trains on
 * the weighted subset and a negative sample weight makes no sense there.
 * Mycroft only ranks and shares the selected rows, so the paper's
 * unconstrained objective is followed; a caller that wants only rows whose
 * gradient agrees with the hard rows' can drop those with w_j < 0.
 *
 * Dependent atoms.  An atom that is (numerically) in the span of the
 * support makes the system singular when lambda = lambda2 = 0: its pivot
 * d^2 = A_jj - ||L^-1 A_Sj||^2 is below ACQ_OMP_PIVOT_TOL * A_jj.  Such a
 * candidate is passed over for good (counted in `skipped') and the next
 * best projection of the same iteration is tried.  When no candidate is
 * left, or the best projection is exactly 0 (r is orthogonal to every
 * atom, so no atom can lower (*) with lambda = 0), the pursuit stops early.
 * scikit-learn stops with a warning in the first case instead.
 *
 * Combined method (Appendix B, eq. (2)).  Psi penalises candidates far
 * from the hard rows in a feature space.  Two forms:
 *   n_psi >= 1: Psi is N x n_psi row-major, row j = psi_j (e.g. candidate
 *       j's distances to the n_psi hard rows); Psi w = sum_j w_j psi_j and
 *       (Psi_S' Psi_S)_ij = psi_i . psi_j.
 *   n_psi == ACQ_OMP_PSI_DIAGONAL: Psi is a vector of N numbers d_j and the
 *       matrix is diag(d): ||Psi w||^2 = sum_j d_j^2 w_j^2.  This is what
 *       the authors' code does (d_j = the distance from candidate j's
 *       Unicom embedding to the geometric median of the hard rows'
 *       embeddings, per class): a per-candidate ridge.
 * With lambda2 = 0 Psi is ignored.  Psi enters the weights only; the
 * selection stays argmax |<g_j, r>| (Algorithm 3, line 4).
 *
 * Other differences from the authors' code (CORDS omp_solvers.py,
 * OrthogonalMP_REG_Parallel_V1 and ..._Joint_Optimization):
 *   - they solve the first step without lambda (w = <g, b> / ||g||^2) and
 *     the later ones with it; here every step solves (*);
 *   - with lambda > 0 the residual is not orthogonal to the support, so a
 *     selected atom can win the argmax again: they then stop (or, in V1,
 *     append the atom's row once more); here the support is excluded from
 *     the argmax (Algorithm 3 adds a new element to X each step);
 *   - their tolerance is relative, ||r|| / ||b|| < tol, and is set to
 *     1e-100 in Mycroft's runs (off); here tol is absolute on ||r||, as in
 *     Algorithm 3 line 3 (a caller wanting a relative one passes
 *     tol * ||b||);
 *   - they solve with a least-squares routine (lstsq) from scratch each
 *     step; here the incremental Cholesky factor (the system is SPD).
 * Their GradMatch also runs one pursuit per class with a share of the
 * budget (selection_type PerClass); that is the caller's business.
 *
 * Two representations of the dictionary, with the same pursuit:
 *
 *   acq_omp_explicit: G is N x M row-major, one atom per row (gradients the
 *       user supplies).  The projections are one DGEMV G r per iteration,
 *       memory-bound: N M doubles read.
 *
 *   acq_omp_softmax: the gradients of a softmax last layer with bias.  For
 *       a row with last-layer input h_j in R^D, class probabilities p_j and
 *       one-hot label y_j, e_j = p_j - y_j in R^K is the gradient of the
 *       cross-entropy w.r.t. the logits and
 *           g_j = vec(e_j h'_j'),  h'_j = [h_j, 1] in R^(D+1),
 *       i.e. g_j[c (D+1) + t] = e_jc h'_jt (K x (D+1) row-major: weights of
 *       class c, then its bias), M = K (D+1).  With r reshaped likewise to
 *       R = [R_w | r_b] (K x D and K),
 *           <g_j, r> = e_j' (R_w h_j + r_b),
 *       one DGEMM H R_w' (N x K) and a row-wise dot with E: N (K + D)
 *       numbers read instead of N K (D + 1).  Between atoms
 *           <g_i, g_j> = (e_i . e_j) (h_i . h_j + 1).
 *       The authors' layout is [bias (K), weights (K x D)], a permutation
 *       of the coordinates: inner products, hence the pursuit, are the same.
 *
 * Memory: O(N) for the projections and the exclusion flags, O(k^2) for the
 * factor.  Interrupts are polled once per iteration; everything is
 * allocated with acq_alloc.
 */
#ifndef ACQ_OMP_H
#define ACQ_OMP_H

#include "core/acq_core.h"

/* n_psi of a diagonal Psi given as N per-candidate numbers */
#define ACQ_OMP_PSI_DIAGONAL (-1)

/* relative pivot below which an atom counts as dependent on the support */
#define ACQ_OMP_PIVOT_TOL 1e-10

typedef struct AcqOmpParams
{
	int			k;				/* at most k atoms (>= 0) */
	double		lambda;			/* lambda1 >= 0: ridge on w */
	double		tol;			/* >= 0: stop once ||r|| <= tol */
	double		lambda2;		/* >= 0: weight of ||Psi w||^2 */
	int			screen;			/* explicit G: 0 auto, 1 always, -1 never (below) */
} AcqOmpParams;

typedef enum AcqOmpStop
{
	ACQ_OMP_STOP_K = 0,			/* k atoms selected (or no more possible) */
	ACQ_OMP_STOP_TOL,			/* ||r|| <= tol */
	ACQ_OMP_STOP_EXHAUSTED		/* no candidate left that lowers (*) */
} AcqOmpStop;

typedef struct AcqOmpResult
{
	int			n;				/* atoms selected */
	int64_t    *index;			/* n candidate indexes, in selection order */
	double	   *weight;			/* their weights w_S */
	double		residual_norm;	/* ||b - G_S w_S|| */
	int			iterations;		/* passes over the dictionary (polls) */
	int			skipped;		/* candidates passed over as dependent */
	AcqOmpStop	stop;			/* why the pursuit ended */
} AcqOmpResult;

/*
 * Screening (explicit G only).  Each step's pass over G is memory-bound,
 * so an int8 copy of G cuts it to an eighth of the bytes: row j is
 * q_j = round(g_j / s_j) with s_j = max_i |g_ji| / 127.  Each step rounds
 * the residual likewise to int16, q_r = round(r / s_r), s_r = max |r| /
 * 32767, and the screened projection s_j s_r (q_j . q_r) -- the dot
 * product exact in integers -- is computed for every candidate in one
 * vectorised pass (vecmath.c).  Only the candidates whose projection could
 * still be the largest -- those within a rigorous bound,
 *     |screened - <g_j, r>| <= ||g_j - s_j q_j|| ||r|| + s_j ||q_j|| ||r - s_r q_r||
 * plus the rounding of the double arithmetic and of the exact recomputation
 * (4 M u ||g_j|| ||r||, u = 2^-53), underflow, and a 1% margin -- of the
 * best lower bound are recomputed in double.  So the atom chosen is the one
 * the double pass would choose (argmax |<g_j, r>|, lowest index on ties);
 * on Gaussian rows a handful of candidates is recomputed a step.  It costs
 * an int8 copy of G (N M bytes) and a quantising pass.  screen = 0 uses it
 * when it pays (k >= 8, N M >= 2^20) and the copy stays under 2 GB; 1
 * whenever the values allow (M ||g_j|| ||b|| < 1e300); -1 never.
 *
 * G: N x M row-major; b: M numbers; Psi: NULL, N x n_psi row-major, or N
 * numbers with n_psi = ACQ_OMP_PSI_DIAGONAL (see above).
 *
 * At most min(k, N) atoms, and at most M when lambda = lambda2 = 0 (more
 * are always dependent).  Returns ACQ_OK with the selection in *out
 * (release with acq_omp_result_free, also after an error: then a no-op);
 * ACQ_ERR_EMPTY for N = 0; ACQ_ERR_ARGUMENT for a parameter out of range,
 * lambda2 > 0 without Psi, or a value that is not finite in any input (all
 * are scanned once).  errbuf (may be NULL) receives a message on error.
 */
/*
 * The most a pursuit allocates, in bytes, the atoms not counted: over an
 * explicit G (acq_omp_explicit), a quantised one with fetched rows
 * (acq_omp_quantized; the AcqOmpQuant itself not counted: N M + 24 N), or
 * softmax atoms (acq_omp_softmax, M = K (D + 1)).  For an estimate before
 * the call.
 */
typedef enum AcqOmpWork
{
	ACQ_OMP_WORK_EXPLICIT,
	ACQ_OMP_WORK_QUANTIZED,
	ACQ_OMP_WORK_SOFTMAX
} AcqOmpWork;
double		acq_omp_work_bytes(AcqOmpWork kind, int64_t N, int M, int64_t k);

AcqStatus	acq_omp_explicit(const double *G, int64_t N, int M, const double *b,
							 const double *Psi, int n_psi,
							 const AcqOmpParams *p, AcqOmpResult *out,
							 char *errbuf, size_t errlen);

/*
 * The screened pursuit without G in memory.  A caller that reads the rows
 * from elsewhere (a table) quantises each as it arrives into an
 * AcqOmpQuant -- N M bytes instead of 8 N M -- and hands the pursuit a
 * fetch function for the exact rows it needs: the few candidates a step
 * recomputes and the support (each row is fetched once and kept).
 *
 * acq_omp_quant_create: room for cap rows of M numbers (NULL if cap < 1 or
 * M < 1).  acq_omp_quant_add: quantise g as the next row; 0 if a value is
 * not finite (or the quant is full): the row is not added.
 *
 * fetch(arg, index, n, rows) fills rows (n x M, row-major) with the rows
 * of those indexes (ascending, in the order they were added), exactly as
 * they were added, and returns 0; anything else fails the pursuit with
 * ACQ_ERR_ARGUMENT (a host may also leave by longjmp, as PostgreSQL's
 * ereport does: everything is allocated with acq_alloc).
 *
 * acq_omp_quantized: acq_omp_explicit with screen = 1 over the rows added
 * (same selection, same weights).  ACQ_ERR_TOO_LARGE when the values are
 * out of the screen's range (see above) or a step's residual falls below
 * 1e-300: the caller must then run acq_omp_explicit with the rows in
 * memory (in that case out holds the selection so far; free it).
 */
typedef struct AcqOmpQuant AcqOmpQuant;
typedef int (*AcqOmpFetch) (void *arg, const int64_t *index, int64_t n, double *rows);

AcqOmpQuant *acq_omp_quant_create(int64_t cap, int M);
int			acq_omp_quant_add(AcqOmpQuant *q, const double *g);
int64_t		acq_omp_quant_rows(const AcqOmpQuant *q);
void		acq_omp_quant_free(AcqOmpQuant *q);
AcqStatus	acq_omp_quantized(const AcqOmpQuant *q, AcqOmpFetch fetch, void *arg,
							  const double *b, const double *Psi, int n_psi,
							  const AcqOmpParams *p, AcqOmpResult *out,
							  char *errbuf, size_t errlen);

/*
 * The softmax last-layer dictionary: E is N x K (e_j = p_j - onehot(y_j)),
 * H is N x D (last-layer inputs, without the constant 1: the bias is
 * implicit), b has K (D + 1) numbers laid out as g_j (see above), e.g. from
 * acq_omp_softmax_target.  D may be 0 (bias only).  Otherwise as
 * acq_omp_explicit, with M = K (D + 1).
 */
AcqStatus	acq_omp_softmax(const double *E, const double *H, int64_t N, int K,
							int D, const double *b,
							const double *Psi, int n_psi,
							const AcqOmpParams *p, AcqOmpResult *out,
							char *errbuf, size_t errlen);

/*
 * The target of acq_omp_softmax: the mean last-layer gradient of n >= 1
 * rows, b = (1/n) sum_i vec(e_i [h_i, 1]'), K (D + 1) numbers.  The paper's
 * "averaged gradient" (the authors' code sums; a scale of b scales w and,
 * with lambda > 0, trades against the penalty).
 */
void		acq_omp_softmax_target(const double *E, const double *H, int64_t n,
								   int K, int D, double *b);

/*
 * E = proba - onehot(y) for n rows of K class probabilities (may be the
 * same array as proba): the cross-entropy's gradient w.r.t. the logits.
 * ACQ_ERR_ARGUMENT (E untouched) for a label outside 0..K-1.
 */
AcqStatus	acq_omp_softmax_factor(const double *proba, const int *y,
								   int64_t n, int K, double *E);

void		acq_omp_result_free(AcqOmpResult *r);

#endif							/* ACQ_OMP_H */
