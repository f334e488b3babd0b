/*
 * models.h -- the core's supervised models and metrics.
 *
 * All dense work goes through OpenBLAS (cblas) and LAPACKE.
 */
#ifndef ACQ_MODELS_H
#define ACQ_MODELS_H

#include "core/acq_core.h"

/* ---- binary logistic regression with L2 ---------------------------------
 * Minimises  C * sum_i logloss(y_i, x_i.w + b) + 0.5 * ||w||^2
 * (the intercept b is not penalised), i.e. the objective of scikit-learn's
 * LogisticRegression(penalty='l2', C=C, fit_intercept=True).  Solved by
 * Newton's method with a backtracking line search; the Hessian is assembled
 * per block with cblas_dsyrk and factorised with LAPACKE_dpotrf.
 * coef has p+1 entries: w[0..p-1], then the intercept b.  With
 * prm->warm_start, coef holds the starting point on input (Newton then
 * needs fewer steps; the optimum it converges to is the same).
 * The gradient tolerance is relative: ||grad||_inf <= tol * max(1, C n),
 * i.e. tol on the gradient of the mean log-loss, as scikit-learn scales it.
 * Labels must be 0/1.  If the rows hold a single class the function returns
 * ACQ_ERR_SINGLE_CLASS and sets coef to the constant predictor of that class
 * (w = 0, b = +/-inf is avoided: b = +/-30).
 */
typedef struct AcqLogregParams
{
	double		C;				/* inverse regularisation strength, > 0 */
	int			max_iter;		/* Newton iterations, default 100 */
	double		tol;			/* stop when ||grad||_inf <= tol * max(1, C n), default 1e-8 */
	bool		warm_start;		/* start from the coef passed in (if finite) */
	const double *hess_init;	/* optional, with warm_start: an approximation
								 * of the Hessian at the start (d x d, d = p+1,
								 * row-major, upper triangle, penalty included) */
	const double *init_step;	/* optional, with hess_init: the step s that led
								 * to coef, and the gradient at coef - s */
	const double *init_grad;	/* (init_grad): hess_init is BFGS-updated with
								 * them before the first step */
	double	   *hess_out;		/* optional: receives the last Hessian the fit
								 * built or was given (same layout) */
	const double *const *xcol;	/* optional: per block, [X, 1] column-major
								 * (n x (p+1), leading dimension n, the last
								 * column all ones): the fit's matrix-vector
								 * products run ~1.5x faster on p of a few
								 * dozen, and carry the intercept */
	double	   *work;			/* optional scratch of work_len doubles: with
								 * work_len >= acq_logreg_work_size(n, p) the
								 * fit allocates nothing (saves zeroing it) */
	size_t		work_len;
	const int64_t *block_pos;	/* optional: per block, its rows labelled 1,
								 * every label known to be 0 or 1: the fit
								 * then does not read the labels to count
								 * them (a caller that fits many unions of
								 * the same blocks counts once) */
} AcqLogregParams;

/* doubles of scratch a fit on n rows of p features uses */
size_t		acq_logreg_work_size(int64_t n, int p);

void		acq_logreg_default_params(AcqLogregParams *prm);
AcqStatus	acq_logreg_fit(const AcqBlock *blocks, int nblocks, int p,
						   const AcqLogregParams *prm, double *coef,
						   int *iterations);
/*
 * One source's share of the Hessian and gradient of the objective at coef:
 *     H += sign * C * sum_i s_i (1 - s_i) z_i z_i^T   (upper triangle)
 *     g += sign * C * sum_i (s_i - y_i) z_i
 * over the rows of the blocks, with z_i = [x_i, 1], s_i = sigma(z_i . coef);
 * H or g may be NULL.  At the optimum of a set of rows, the Hessian and
 * gradient of that set with one source more (sign +1) or less (-1) cost a
 * pass over that source only.  xcol (may be NULL, or hold NULLs) gives
 * each block's [X, 1] column-major (ld = its rows), as
 * AcqLogregParams.xcol: the products then run through vecmath's kernels.
 */
void		acq_logreg_source_terms(const AcqBlock *blocks, int nblocks, int p,
									double C, const double *coef, double sign,
									double *H, double *g, const double *const *xcol);
/*
 * The same with the caller's scratch: work holds at least
 * acq_logreg_source_terms_size(n, p) doubles for blocks of at most n rows
 * (its contents do not matter); nothing is allocated.  A source selection
 * calls it once a model.
 */
size_t		acq_logreg_source_terms_size(int64_t n, int p);
void		acq_logreg_source_terms_work(const AcqBlock *blocks, int nblocks, int p,
										 double C, const double *coef, double sign,
										 double *H, double *g, const double *const *xcol,
										 double *work);
/*
 * coef -= H^{-1} g (H as above, penalty included); false, leaving coef
 * alone, if H is singular or the step is more than ten times longer than
 * (coef, 1) -- the mark of an ill-conditioned H, from which the fit would
 * start far off
 */
bool		acq_logreg_newton_step(const double *H, const double *g, int p,
								   double *coef);

/* predicted labels (0/1) for n rows of X (row-major n x p) */
void		acq_logreg_predict(const double *X, int64_t n, int p,
							   const double *coef, double *yhat);
/* predicted probabilities P(y=1|x) */
void		acq_logreg_predict_proba(const double *X, int64_t n, int p,
									 const double *coef, double *prob);

/* ---- linear and ridge regression from sufficient statistics --------------
 * For data shifted by a fixed vector (shift_x, shift_y), with d = p + 1 and
 * z = [x - shift_x, 1], the statistics are
 *     ztz = sum z z^T (d x d, full symmetric, row-major),
 *     zty = sum z (y - shift_y),  yty = sum (y - shift_y)^2,  n.
 * Statistics add: the statistics of a union of sources are the sums of the
 * sources' statistics, so a subset's least-squares fit and its validation
 * MSE cost O(p^3) whatever its row count.  The shift (e.g. the mean of all
 * training rows) only improves conditioning; use the same shift for the
 * training and validation statistics.
 */
typedef struct AcqLinStats
{
	int			p;
	double		n;
	double	   *ztz;			/* (p+1)^2 */
	double	   *zty;			/* p+1 */
	double		yty;
} AcqLinStats;

AcqLinStats *acq_linstats_create(int p);
void		acq_linstats_zero(AcqLinStats *s);
void		acq_linstats_accumulate(AcqLinStats *s, const double *X,
									const double *y, int64_t n,
									const double *shift_x, double shift_y);
void		acq_linstats_add(AcqLinStats *dst, const AcqLinStats *src);
void		acq_linstats_sub(AcqLinStats *dst, const AcqLinStats *src);
void		acq_linstats_copy(AcqLinStats *dst, const AcqLinStats *src);
void		acq_linstats_free(AcqLinStats *s);

/*
 * Solve for beta (p+1 entries, intercept last, in shifted coordinates)
 * minimising ||y - Z beta||^2 + alpha ||w||^2 (intercept unpenalised).
 * alpha = 0 is ordinary least squares (scikit-learn LinearRegression); a
 * rank-deficient system gets the minimum-norm solution, as lstsq does
 * (ACQ_ERR_TOO_LARGE if that needs an eigendecomposition of order above
 * ACQ_LINREG_MAX_EIGEN, below).
 */
AcqStatus	acq_linreg_solve(const AcqLinStats *s, double alpha, double *beta);
/* bytes of one AcqLinStats; the most acq_linreg_solve or
 * acq_linstats_accumulate (of at most n rows a call) allocate at once */
double		acq_linstats_memory(int p);
double		acq_linreg_solve_memory(int p, int64_t n);
/* mean squared error of beta on the rows summarised by val */
double		acq_linreg_mse_stats(const AcqLinStats *val, const double *beta);
/* variance of the labels summarised by s (population, /n) */
double		acq_linstats_label_var(const AcqLinStats *s);


/*
 * What these functions refuse rather than run uninterrupted for long:
 * a rank-deficient fit (collinear features, repeated rows) needs one
 * eigendecomposition, a LAPACK call that cannot be interrupted; of order
 * above ACQ_LINREG_MAX_EIGEN (0.6 s on one 2020s server core) it returns
 * ACQ_ERR_TOO_LARGE.  Every other BLAS or LAPACK call does at most ~5e8
 * multiply-adds (a few hundredths of a second), with acq_check_interrupts
 * between them.
 */
#define ACQ_LINREG_MAX_EIGEN 1000
/* the row-space solver's most rows (its n x n matrices are indexed in int) */
#define ACQ_LINREG_MAX_ROWS 46340

/*
 * The same fit as acq_linreg_solve, from the rows themselves instead of
 * statistics: for n rows (the union of the blocks, X row-major n x p) fewer
 * than p + 1, through the n x n Gram matrix G of the centred rows,
 *     w = Xc' c,  (G + alpha I) c = yc,
 * c the minimum-norm solution when alpha = 0 (then w is lstsq's minimum-norm
 * solution, as acq_linreg_solve gives); never a (p+1) x (p+1) matrix.  beta
 * (p+1 entries) is in the coordinates shifted by (shift_x, shift_y), as
 * acq_linreg_solve's; shift_x may be NULL (no shift).  Features constant in
 * the rows get weight 0.  Costs O(n^2 p) time and acq_linreg_rows_memory
 * bytes.  ACQ_ERR_TOO_LARGE above ACQ_LINREG_MAX_ROWS rows, or when the
 * centred rows are linearly dependent and n > ACQ_LINREG_MAX_EIGEN.
 */
AcqStatus	acq_linreg_solve_rows(const AcqBlock *blocks, int nblocks, int p,
								  double alpha, const double *shift_x,
								  double shift_y, double *beta);
/* bytes acq_linreg_solve_rows allocates for n rows of p features */
double		acq_linreg_rows_memory(int64_t n, int p);
/* mean squared error of beta (shifted coordinates, as above) on the rows of val */
double		acq_linreg_mse_rows(const AcqBlock *val, int p, const double *beta,
								const double *shift_x, double shift_y);

/* ---- metrics ------------------------------------------------------------ */
/* fraction of rows with y == yhat, in [0,1] */
double		acq_accuracy(const double *y, const double *yhat, int64_t n);
/* the same for int class labels (multi-class models) */
double		acq_accuracy_int(const int *y, const int *yhat, int64_t n);
/* F1 of the positive class 1, in [0,1]; 0 when there are no true positives */
double		acq_f1(const double *y, const double *yhat, int64_t n);
/*
 * F1 of class cls among int class labels (the other classes are negative),
 * as f1_score(y, yhat, labels=[cls], average=None); 0 without true
 * positives.
 */
double		acq_f1_class(const int *y, const int *yhat, int64_t n, int cls);
/*
 * Macro F1 over the classes 0..K-1 that occur in y or yhat, as
 * f1_score(y, yhat, average='macro'); labels outside 0..K-1 belong to no
 * class.  NaN for n <= 0 or K < 1.
 */
double		acq_f1_macro(const int *y, const int *yhat, int64_t n, int K);
/*
 * Macro F1 over the classes 0..K-1 that occur in y (the true labels only), as
 * f1_score(y, yhat, labels=<the classes of y>, average='macro'): the mean of
 * acq_f1_class over those classes, in ascending order.  A class predicted
 * but absent from y does not count; labels outside 0..K-1 belong to no
 * class.  NaN when no class occurs in y (so for n <= 0 or K < 1).
 */
double		acq_f1_macro_present(const int *y, const int *yhat, int64_t n, int K);
/*
 * True-positive-rate gap: P(yhat=1 | a=0, y=1) - P(yhat=1 | a=1, y=1), in
 * [-1,1] (a=1 privileged, a=0 protected, NaN ignored).  Returns false (and
 * *gap = 0) when either group has no positive rows.
 */
bool		acq_tpr_gap(const double *y, const double *yhat, const double *a,
						int64_t n, double *gap);

/*
 * acq_accuracy, acq_f1 and (with a non-NULL a) acq_tpr_gap in one pass:
 * *accuracy and *f1 always, *gap only when acq_tpr_gap would return true
 * (left alone otherwise).
 */
/*
 * Mean log-loss of logistic margins z on labels y (class 1 iff y == 1), as
 * sklearn.metrics.log_loss of sigma(z); NaN over zero rows.
 */
double		acq_validation_log_loss(const double *y, const double *z, int64_t n);
void		acq_classification_metrics(const double *y, const double *yhat, const double *a,
									   int64_t n, double *accuracy, double *f1, double *gap);
/* the paper's fairness gain: 100*accuracy + lambda*gap (SourceSplice 5.1.3) */
double		acq_fairness_gain(double accuracy, double gap, double lambda);
double		acq_mse(const double *y, const double *yhat, int64_t n);
double		acq_r2(const double *y, const double *yhat, int64_t n);

#endif							/* ACQ_MODELS_H */
