/*
 * aggstats.h -- per-source statistics that travel: what a SQL aggregate of
 * acq computes over one source's rows, where the rows are (issue 17), and
 * the source-selection evaluator then sums per subset.
 *
 * Linear and ridge regression: the centred sufficient statistics of a block
 * of rows -- n, the means of x and y, and the sums of cross-products about
 * those means (C_xx, C_xy, C_yy).  Two sets combine exactly (Chan, Golub &
 * LeVeque's pairwise update), so a source's statistics can be built in any
 * order, in parallel workers or on another server, and shipped as
 * 4 + 2p + p(p+1)/2 doubles, whatever the row count.  Centring on the
 * block's own mean keeps them accurate where features have large means;
 * acq_linacc_to_linstats re-expresses them about any shift (the evaluator's
 * mean of all training rows) with additions only.
 *
 * Logistic regression: the data terms of the log-loss at K given weight
 * vectors -- sum of log-losses, gradient and Hessian (X^T W X) -- over a
 * block of rows, so that one pass (one round trip) evaluates a Newton step
 * for every candidate of a search step.  The penalty is the caller's.
 *
 * Rows are buffered into chunks and reduced with BLAS (dsyrk, dgemm); no
 * call does more than about 5e8 multiply-adds between interrupt checks.
 */
#ifndef ACQ_AGGSTATS_H
#define ACQ_AGGSTATS_H

#include "core/acq_core.h"
#include "core/models.h"

/* ---- linear statistics ---------------------------------------------------- */
typedef struct AcqLinAcc
{
	int			p;
	double		n;
	double		mean_y;
	double		cyy;
	double	   *mean_x;			/* p */
	double	   *cxy;			/* p */
	double	   *cxx;			/* p x p, full symmetric, row-major */
	/* rows not yet reduced */
	int			nbuf;
	int			cap;
	double	   *bx;				/* cap x p */
	double	   *by;				/* cap */
} AcqLinAcc;

AcqLinAcc  *acq_linacc_create(int p);
void		acq_linacc_free(AcqLinAcc *a);
/* one row (x has p values) */
void		acq_linacc_add_row(AcqLinAcc *a, const double *x, double y);
/* reduce the buffered rows into the statistics */
void		acq_linacc_flush(AcqLinAcc *a);
/* dst += src (both flushed first); same p */
void		acq_linacc_merge(AcqLinAcc *dst, AcqLinAcc *src);
/* the flat form: [p, n, mean_y, cyy, mean_x[p], cxy[p], cxx upper packed] */
size_t		acq_linacc_flat_len(int p);
void		acq_linacc_flatten(AcqLinAcc *a, double *out);
/* from the flat form; NULL (and a message) if its length or p is wrong */
AcqLinAcc  *acq_linacc_unflatten(const double *in, size_t len, char *errbuf,
								 size_t errlen);
/*
 * The statistics about a shift (models.h's AcqLinStats: z = [x - shift, 1],
 * y - yshift) into dst (created for p): ztz = C_xx + n d d^T etc., with
 * d = mean - shift.  shift NULL: no shift.
 */
void		acq_linacc_to_linstats(const AcqLinAcc *a, const double *shift,
								   double yshift, AcqLinStats *dst);
/* false if a statistic is not finite (the data's squares overflow) */
bool		acq_linacc_finite(const AcqLinAcc *a);
/* bytes of one accumulator for p features (with its row buffer) */
double		acq_linacc_memory(int p);

/* ---- logistic terms at K weight vectors ------------------------------------ */
typedef struct AcqLogAcc
{
	int			p;
	int			K;
	double	   *W;				/* K x (p+1): w, then the intercept */
	double		n;
	double	   *loss;			/* K: sum of log-losses */
	double	   *grad;			/* K x (p+1): sum (s - y) z */
	double	   *hess;			/* K x (p+1)^2: sum s (1 - s) z z^T (upper) */
	int			nbuf;
	int			cap;
	double	   *bz;				/* cap x (p+1): [x, 1] */
	double	   *by;				/* cap */
	double	   *margins;		/* cap x K */
	double	   *scaled;			/* cap x (p+1) */
} AcqLogAcc;

/* W: K weight vectors of p + 1 (copied); K >= 1 */
AcqLogAcc  *acq_logacc_create(int p, int K, const double *W);
void		acq_logacc_free(AcqLogAcc *a);
void		acq_logacc_add_row(AcqLogAcc *a, const double *x, double y);
void		acq_logacc_flush(AcqLogAcc *a);
void		acq_logacc_merge(AcqLogAcc *dst, AcqLogAcc *src);
/*
 * The flat form: [p, K, n, loss[K], grad[K (p+1)], hess[K (p+1)(p+2)/2]
 * (each upper triangle packed row by row)] -- the weights stay with the
 * caller.
 */
size_t		acq_logacc_flat_len(int p, int K);
void		acq_logacc_flatten(AcqLogAcc *a, double *out);
double		acq_logacc_memory(int p, int K);

/*
 * Read the terms of weight vector k from a flat form into loss, g (p+1) and
 * H ((p+1)^2, full symmetric), adding them (so that sources sum); false if
 * the flat form is malformed or does not match p.
 */
bool		acq_logflat_add(const double *flat, size_t len, int p, int k,
							double *loss, double *g, double *H, double *n);

/*
 * One Newton step of the objective C * sum logloss + 0.5 ||w||^2 (intercept
 * unpenalised) from its data terms at coef (loss, g, H as summed above):
 * the objective's gradient, its largest entry relative to max(1, C n)
 * (the logistic fit's stopping rule, *gnorm), and the step, into step
 * (coef_new = coef - step).  false if the Hessian is singular.
 */
bool		acq_logterms_newton(int p, double C, const double *coef, double n,
								const double *g, const double *H, double *step,
								double *gnorm, double *objective, double loss);

#endif							/* ACQ_AGGSTATS_H */
