/*
 * softmax.h -- multinomial (softmax) logistic regression with an L2 penalty.
 *
 * With classes 0..K-1, weights W (d x K) and intercepts b (K), the logits of
 * a row x are z = x W + b and P(k | x) = exp(z_k) / sum_j exp(z_j).  The fit
 * minimises
 *
 *     f(W, b) = C * sum_i CE_i + 0.5 * ||W||_F^2,
 *     CE_i    = log sum_k exp(z_ik) - z_i,y_i,
 *
 * (the intercepts are not penalised), the objective of scikit-learn's
 * LogisticRegression(C=C, multi_class='multinomial', fit_intercept=True).
 * Feature standardisation is the caller's business, as in scikit-learn.
 *
 * Classes are int labels 0..K-1; the caller maps its distinct label values
 * to them and should pass K = the number of distinct training classes.  A
 * class in 0..K-1 that no training row has is left out of the fit (so the
 * other classes get exactly the optimum scikit-learn finds on the classes it
 * sees) and gets W column 0 and intercept ACQ_SOFTMAX_ABSENT_B: it is never
 * predicted and its probability is 0.
 *
 * The intercepts are determined only up to a common shift (softmax is
 * invariant to it); the fit reports them centred to sum to zero over the
 * classes present.
 */
#ifndef ACQ_SOFTMAX_H
#define ACQ_SOFTMAX_H

#include "core/acq_core.h"

/* intercept of a class absent from the training rows (finite: 0 * b is 0) */
#define ACQ_SOFTMAX_ABSENT_B (-1e30)

typedef struct AcqSoftmax
{
	int			d;				/* features */
	int			K;				/* classes */
	double	   *W;				/* d x K, row-major (feature-major) */
	double	   *b;				/* K intercepts (inside W's allocation) */
	int			iterations;		/* L-BFGS iterations of the fit */
	bool		converged;		/* the tolerance (or the floor) was reached */
} AcqSoftmax;

/*
 * Fit on n rows of X (row-major n x d) with labels y in 0..K-1.
 *
 * L-BFGS (liblbfgs) from W = 0 and the intercepts of the class frequencies
 * (the optimum of the intercept-only model).  Converged when
 *     max |grad f| <= tol * max(1, C n),
 * i.e. tol on the gradient of the mean cross-entropy + ||W||^2 / (2 C n),
 * the scaling scikit-learn optimises, or when f can no longer be decreased
 * in double precision (relative decrease <= 64 eps over an L-BFGS run, as
 * scikit-learn's lbfgs stops): a line search compares values of f, so the
 * gradient cannot be driven below a rounding floor of about
 * sqrt(eps |f| lambda_max), typically 1e-9..1e-8 * C n; the coefficients
 * are then within about sqrt(eps) relative of the optimum.  tol = 1e-8 is a
 * good choice; smaller means "to the floor".  At most max_iter iterations
 * (max_iter = 0: the starting point).
 *
 * Returns ACQ_OK when converged; ACQ_ERR_NO_CONVERGENCE with the last point
 * as a usable model when not; ACQ_ERR_SINGLE_CLASS with the constant
 * predictor of the only class present (W = 0); ACQ_ERR_EMPTY for n = 0;
 * ACQ_ERR_ARGUMENT for a bad argument, a label outside 0..K-1 or a
 * non-finite value in X (then out->W is NULL); ACQ_ERR_OVERFLOW when the
 * objective overflowed float8 (errbuf gives the features' scale).  With a model, out must be
 * released by acq_softmax_free; on error too (it is then a no-op).  errbuf
 * (may be NULL) receives a message for any status but ACQ_OK.
 *
 * Interrupts are looked at once per iteration (acq_interrupt_pending):
 * liblbfgs allocates its own work vectors with malloc, so a pending
 * interrupt stops it cleanly first, and acq_check_interrupts (which may
 * leave non-locally) runs only after it has freed them: nothing leaks.
 */
/* the most acq_softmax_fit (and a predict after it) allocates, in bytes */
double		acq_softmax_fit_bytes(int64_t n, int d, int K);
AcqStatus	acq_softmax_fit(const double *X, const int *y, int64_t n, int d,
							int K, double C, int max_iter, double tol,
							AcqSoftmax *out, char *errbuf, size_t errlen);

/*
 * acq_softmax_fit from a start, with the full scaling.  L-BFGS begins at
 * start's (W, b) instead of W = 0 (start may be NULL).  start must have the
 * same d and K (else ACQ_ERR_ARGUMENT); a class present in the rows but
 * absent from start (its intercept ACQ_SOFTMAX_ABSENT_B) starts at W column
 * 0 and the intercept of its frequency.  L-BFGS runs on V = L^T W, where
 * L L^T = I + (C / 4) times the centred features' Gram matrix, instead of on
 * W scaled feature by feature.  The objective, the tolerance and the
 * stopping rules are acq_softmax_fit's, so the same optimum within the
 * tolerance, in fewer iterations where the features are correlated (or from
 * a nearby start, e.g. the model of a subset of the rows); it costs one Gram
 * matrix (n d^2 / 2 multiply-adds) and a Cholesky factorisation, and is
 * taken only where that is at most a few evaluations of f (d <= 512 and
 * d <= 64 times the classes present; else the diagonal scaling, as
 * acq_softmax_fit).
 */
AcqStatus	acq_softmax_fit_scaled(const double *X, const int *y, int64_t n, int d,
								   int K, double C, int max_iter, double tol,
								   const AcqSoftmax *start, AcqSoftmax *out,
								   char *errbuf, size_t errlen);

/* argmax class of each of n rows (the lowest class on ties, as numpy) */
void		acq_softmax_predict(const AcqSoftmax *m, const double *X,
								int64_t n, int *pred);

/* class probabilities, n x K row-major */
void		acq_softmax_predict_proba(const AcqSoftmax *m, const double *X,
									  int64_t n, double *proba);

void		acq_softmax_free(AcqSoftmax *m);

#endif							/* ACQ_SOFTMAX_H */
