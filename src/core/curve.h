/*
 * curve.h -- the learning-curve acquisition strategy ('curve'), after Tae &
 * Whang, "Slice Tuner: A Selective Data Acquisition Framework for Accurate
 * and Fair Machine Learning Models" (SIGMOD 2021).  Each predicate is a
 * slice.  Per allocation round:
 *
 *   measure   the consumer's model is trained on nested random subsets of
 *             the current training rows (sizes n/2^(K-1), ..., n/2, n) and
 *             scored on a validation set: per slice P, the mean loss of P's
 *             validation rows against the number of P's rows in the subset
 *             (acq_curve_measure);
 *   fit       loss_P(n) ~ b_P n^(-a_P) by least squares on log-log
 *             (acq_curve_fit), with a fallback for slices whose points do
 *             not make a decreasing curve (acq_curve_fallback);
 *   allocate  x_P >= 0 integer, sum x_P = the round's budget, x_P <= what P
 *             has for sale, minimising
 *                 sum_P f_P(n_P + x_P),
 *                 f_P(m) = L_P(m) + lambda * max(0, L_P(m) / c - 1),
 *             L_P(m) = b_P max(m, 1/2)^(-a_P), c = the mean over the slices
 *             of L_P(n_P) (Slice Tuner's loss plus lambda times its
 *             unfairness term, with the authors' counter-loss c).  Each f_P
 *             is convex and non-increasing in m, and the objective is
 *             separable, so handing out records one at a time to the
 *             largest marginal decrease is exact (acq_curve_allocate).
 *
 * Nothing here allocates but through acq_alloc; interrupts are looked at
 * between models and inside their fits.
 */
#ifndef ACQ_CURVE_H
#define ACQ_CURVE_H

#include "core/acq_core.h"

/* a fitted exponent is at most this (a steeper fit is extrapolation noise) */
#define ACQ_CURVE_MAX_EXPONENT 2.0
/* the fallback exponent when no slice has a fit */
#define ACQ_CURVE_DEFAULT_EXPONENT 0.5
/* softmax: probabilities below this count as this (scikit-learn's log_loss clip) */
#define ACQ_CURVE_PROB_FLOOR 1e-15

typedef enum AcqCurveModel
{
	ACQ_CURVE_SOFTMAX = 0,		/* classification: loss = cross-entropy */
	ACQ_CURVE_KNN_CLASSIFY,		/* classification: loss = 0/1 error */
	ACQ_CURVE_KNN_REGRESS,		/* regression: loss = squared error */
	ACQ_CURVE_LINEAR			/* regression: loss = squared error */
} AcqCurveModel;

typedef struct AcqCurveModelParams
{
	AcqCurveModel model;
	int			K;				/* classification: classes 0..K-1 */
	int			k;				/* knn: neighbours */
	double		C;				/* softmax: inverse L2 strength */
	int			max_iter;		/* softmax: L-BFGS iterations */
	double		tol;			/* softmax: tolerance */
} AcqCurveModelParams;

/*
 * Rows with their slices: row i is in slices idx[off[i] .. off[i+1]) (none,
 * one, or several for overlapping predicates).
 */
typedef struct AcqCurveSet
{
	const double *X;			/* n x d, row-major */
	const double *y;			/* regression: targets */
	const int  *cls;			/* classification: classes 0..K-1 */
	int64_t		n;
	int			d;
	const int64_t *off;			/* n + 1 */
	const int  *idx;
} AcqCurveSet;

/* what acq_curve_fit made of a slice's points */
typedef enum AcqCurveFitKind
{
	ACQ_CURVE_FIT_OK = 0,		/* a decreasing power law */
	ACQ_CURVE_FIT_FEW,			/* fewer than 2 points with distinct n >= 1 and loss > 0 */
	ACQ_CURVE_FIT_FLAT,			/* the least-squares loss does not decrease with n */
	ACQ_CURVE_FIT_ZERO			/* every loss is 0: nothing to gain */
} AcqCurveFitKind;

const char *acq_curve_fit_name(AcqCurveFitKind kind);

/*
 * Fit loss ~ b n^(-a) to m points by least squares on (log n, log loss),
 * over the points with n >= 1 and a finite loss > 0.  ACQ_CURVE_FIT_OK: a in
 * (0, ACQ_CURVE_MAX_EXPONENT] (a steeper slope is clamped, b then through
 * the points' centroid); otherwise *a and *b are left for
 * acq_curve_fallback.
 */
AcqCurveFitKind acq_curve_fit(const double *n, const double *loss, int m, double *a, double *b);

/*
 * Curves for the slices whose fit failed: the exponent is the median of the
 * fitted ones (ACQ_CURVE_DEFAULT_EXPONENT if none was fitted), and the
 * curve passes through the slice's loss measured on all the current data,
 * cur_loss[P] at cur_n[P] (counted as max(n, 1/2)); b = 0 for
 * ACQ_CURVE_FIT_ZERO or a loss that is not > 0.
 */
void		acq_curve_fallback(int np, const AcqCurveFitKind *kind, const double *cur_n,
							   const double *cur_loss, double *a, double *b);

/* f_P(m) above, for one slice (c <= 0: no fairness term) */
double		acq_curve_objective(double a, double b, double m, double lambda, double c);

/* the counter-loss c: the mean of b_P max(n_P, 1/2)^(-a_P) over the slices */
double		acq_curve_counter_loss(int np, const double *a, const double *b, const double *n0);

/*
 * The round's allocation: x[P] >= 0, x[P] <= cap[P], sum x = min(total, sum
 * cap), minimising sum_P f_P(n0[P] + x[P]).  Greedy on the marginal
 * decreases; ties go to the slice with the fewest records (n0 + x), then the
 * lowest index.  Returns what was allocated.
 */
int64_t		acq_curve_allocate(int np, const double *a, const double *b, const double *n0,
							   const int64_t *cap, double lambda, int64_t total, int64_t *x);

/*
 * The hedged allocation (curve_hedge): first round(hedge * total) records to
 * the slices with the fewest (n0 + x: water-filling toward equal counts, the
 * ties as above), *filled of them given; then the rest by the curves, each
 * slice starting from n0 + what the first part gave it (the counter-loss c
 * still at n0).  hedge 0 is acq_curve_allocate, 1 equal counts.  Returns what
 * was allocated.
 */
int64_t		acq_curve_allocate_hedged(int np, const double *a, const double *b, const double *n0,
									  const int64_t *cap, double lambda, int64_t total,
									  double hedge, int64_t *x, int64_t *filled);

/* the subset sizes of a measurement: ceil(n / 2^(points-1-j)), j = 0..points-1 */
int64_t		acq_curve_subset_size(int64_t n, int points, int j);

/* the most one model of acq_curve_losses allocates, in bytes, on m training rows */
double		acq_curve_losses_bytes(const AcqCurveModelParams *mp, int64_t m, int d,
								   int64_t nval);

/*
 * Train the model on train's rows rows[0..m) and score val: loss[P] = the
 * mean loss of P's validation rows (NaN without any), count[P] = P's rows
 * among the m.  ACQ_ERR_* with a message in errbuf if the model cannot be
 * trained (a softmax fit that did not converge is used as it is).
 */
AcqStatus	acq_curve_losses(const AcqCurveSet *train, const int64_t *rows, int64_t m,
							 const AcqCurveSet *val, int np, const AcqCurveModelParams *mp,
							 double *loss, double *count, char *errbuf, size_t errlen);

/*
 * A measurement: the training rows shuffled by rng (copied once, in that
 * order), and the model trained on each of the points nested prefixes
 * (acq_curve_subset_size), smallest first; pt_n and pt_loss (np x points,
 * slice-major) receive each slice's count and loss.  Softmax: each fit
 * starts from the previous prefix's model (acq_softmax_fit_scaled's start), the first
 * from W = 0; the optimum is the same, the iterations fewer.
 */
AcqStatus	acq_curve_measure(const AcqCurveSet *train, const AcqCurveSet *val, int np,
							  const AcqCurveModelParams *mp, int points, AcqRng *rng,
							  double *pt_n, double *pt_loss, char *errbuf, size_t errlen);

#endif							/* ACQ_CURVE_H */
