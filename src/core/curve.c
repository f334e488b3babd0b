/*
 * curve.c -- learning curves per slice and the allocation they imply
 * (curve.h): measuring a model's validation loss per slice on nested
 * subsets, fitting power laws, and the exact greedy allocation of a
 * separable convex objective.
 */
#include "core/curve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/knn.h"
#include "core/models.h"
#include "core/softmax.h"

const char *
acq_curve_fit_name(AcqCurveFitKind kind)
{
	switch (kind)
	{
		case ACQ_CURVE_FIT_OK:
			return "fit";
		case ACQ_CURVE_FIT_FEW:
			return "few points";
		case ACQ_CURVE_FIT_FLAT:
			return "not decreasing";
		case ACQ_CURVE_FIT_ZERO:
			return "zero loss";
	}
	return "?";
}

/* ---- fitting ------------------------------------------------------------- */

AcqCurveFitKind
acq_curve_fit(const double *n, const double *loss, int m, double *a, double *b)
{
	double		sx = 0.0,
				sy = 0.0,
				sxx = 0.0,
				sxy = 0.0,
				xmin = INFINITY,
				xmax = -INFINITY;
	int			k = 0,
				usable = 0;

	for (int i = 0; i < m; i++)
	{
		if (!(n[i] >= 1.0) || !isfinite(n[i]) || !isfinite(loss[i]) || loss[i] < 0.0)
			continue;
		usable++;
		if (loss[i] <= 0.0)
			continue;
		k++;
		sx += log(n[i]);
		sy += log(loss[i]);
	}
	if (usable > 0 && k == 0)
		return ACQ_CURVE_FIT_ZERO;
	if (k < 2)
		return ACQ_CURVE_FIT_FEW;
	sx /= k;
	sy /= k;
	for (int i = 0; i < m; i++)
	{
		double		lx,
					ly;

		if (!(n[i] >= 1.0) || !isfinite(n[i]) || !isfinite(loss[i]) || !(loss[i] > 0.0))
			continue;
		lx = log(n[i]) - sx;
		ly = log(loss[i]) - sy;
		sxx += lx * lx;
		sxy += lx * ly;
		if (n[i] < xmin)
			xmin = n[i];
		if (n[i] > xmax)
			xmax = n[i];
	}
	if (xmin == xmax || !(sxx > 0.0))
		return ACQ_CURVE_FIT_FEW;
	{
		double		slope = sxy / sxx;
		double		ea = -slope;

		if (!(ea > 0.0))
			return ACQ_CURVE_FIT_FLAT;
		if (ea > ACQ_CURVE_MAX_EXPONENT)
			ea = ACQ_CURVE_MAX_EXPONENT;
		/* through the centroid of the log points */
		*a = ea;
		*b = exp(sy + ea * sx);
	}
	return ACQ_CURVE_FIT_OK;
}

static int
cmp_double(const void *x, const void *y)
{
	double		a = *(const double *) x,
				b = *(const double *) y;

	return a < b ? -1 : a > b ? 1 : 0;
}

void
acq_curve_fallback(int np, const AcqCurveFitKind *kind, const double *cur_n,
				   const double *cur_loss, double *a, double *b)
{
	double	   *fitted = acq_alloc_array(np > 0 ? np : 1, sizeof(double));
	int			nf = 0;
	double		pooled = ACQ_CURVE_DEFAULT_EXPONENT;

	for (int p = 0; p < np; p++)
		if (kind[p] == ACQ_CURVE_FIT_OK)
			fitted[nf++] = a[p];
	if (nf > 0)
	{
		qsort(fitted, nf, sizeof(double), cmp_double);
		pooled = nf % 2 ? fitted[nf / 2] : 0.5 * (fitted[nf / 2 - 1] + fitted[nf / 2]);
	}
	for (int p = 0; p < np; p++)
	{
		double		m = cur_n[p] > 0.5 ? cur_n[p] : 0.5;

		if (kind[p] == ACQ_CURVE_FIT_OK)
			continue;
		a[p] = pooled;
		if (kind[p] == ACQ_CURVE_FIT_ZERO || !(cur_loss[p] > 0.0) || !isfinite(cur_loss[p]))
			b[p] = 0.0;
		else
			b[p] = cur_loss[p] * pow(m, pooled);
	}
	acq_free(fitted);
}

/* ---- allocation ---------------------------------------------------------- */

static inline double
curve_loss(double a, double b, double m)
{
	if (m < 0.5)
		m = 0.5;
	return b * pow(m, -a);
}

double
acq_curve_objective(double a, double b, double m, double lambda, double c)
{
	double		l = curve_loss(a, b, m);
	double		f = l;

	if (lambda > 0.0 && c > 0.0 && l / c - 1.0 > 0.0)
		f += lambda * (l / c - 1.0);
	return f;
}

double
acq_curve_counter_loss(int np, const double *a, const double *b, const double *n0)
{
	double		s = 0.0;

	if (np < 1)
		return 0.0;
	for (int p = 0; p < np; p++)
		s += curve_loss(a[p], b[p], n0[p]);
	return s / np;
}

/* a slice in the greedy's heap: its next marginal decrease */
typedef struct HeapItem
{
	double		gain;
	double		m;				/* records it would have before the next one */
	int			p;
} HeapItem;

/* a before b: larger gain, then fewer records, then lower index */
static inline bool
heap_before(const HeapItem *x, const HeapItem *y)
{
	if (x->gain != y->gain)
		return x->gain > y->gain;
	if (x->m != y->m)
		return x->m < y->m;
	return x->p < y->p;
}

static void
heap_down(HeapItem *h, int n, int i)
{
	for (;;)
	{
		int			l = 2 * i + 1,
					r = l + 1,
					best = i;
		HeapItem	t;

		if (l < n && heap_before(&h[l], &h[best]))
			best = l;
		if (r < n && heap_before(&h[r], &h[best]))
			best = r;
		if (best == i)
			return;
		t = h[i];
		h[i] = h[best];
		h[best] = t;
		i = best;
	}
}

/*
 * The greedy from x (in: records already given each slice, counted in its
 * start n0 + x; out: the total), up to total more, c the counter-loss.
 * Returns what it gave.
 */
static int64_t
greedy_from(int np, const double *a, const double *b, const double *n0, const int64_t *cap,
			double lambda, double c, int64_t total, int64_t *x)
{
	HeapItem   *h = acq_alloc_array(np > 0 ? np : 1, sizeof(HeapItem));
	int			nh = 0;
	int64_t		given = 0;

	for (int p = 0; p < np; p++)
	{
		if (x[p] >= cap[p])
			continue;
		h[nh].p = p;
		h[nh].m = n0[p] + (double) x[p];
		h[nh].gain = acq_curve_objective(a[p], b[p], h[nh].m, lambda, c) -
			acq_curve_objective(a[p], b[p], h[nh].m + 1.0, lambda, c);
		nh++;
	}
	for (int i = nh / 2 - 1; i >= 0; i--)
		heap_down(h, nh, i);
	while (given < total && nh > 0)
	{
		HeapItem   *t = &h[0];
		int			p = t->p;

		x[p]++;
		given++;
		if (x[p] >= cap[p])
		{
			h[0] = h[--nh];
			heap_down(h, nh, 0);
			continue;
		}
		t->m = n0[p] + (double) x[p];
		t->gain = acq_curve_objective(a[p], b[p], t->m, lambda, c) -
			acq_curve_objective(a[p], b[p], t->m + 1.0, lambda, c);
		heap_down(h, nh, 0);
	}
	acq_free(h);
	return given;
}

int64_t
acq_curve_allocate(int np, const double *a, const double *b, const double *n0,
				   const int64_t *cap, double lambda, int64_t total, int64_t *x)
{
	double		c = lambda > 0.0 ? acq_curve_counter_loss(np, a, b, n0) : 0.0;

	for (int p = 0; p < np; p++)
		x[p] = 0;
	return greedy_from(np, a, b, n0, cap, lambda, c, total, x);
}

int64_t
acq_curve_allocate_hedged(int np, const double *a, const double *b, const double *n0,
						  const int64_t *cap, double lambda, int64_t total, double hedge,
						  int64_t *x, int64_t *filled)
{
	double		c = lambda > 0.0 ? acq_curve_counter_loss(np, a, b, n0) : 0.0;
	double	   *ea = acq_alloc_array(np > 0 ? np : 1, sizeof(double));
	double	   *eb = acq_alloc_array(np > 0 ? np : 1, sizeof(double));
	int64_t		fill = (int64_t) floor(hedge * (double) total + 0.5),
				given;

	if (fill > total)
		fill = total;
	if (fill < 0)
		fill = 0;
	for (int p = 0; p < np; p++)
	{
		x[p] = 0;
		ea[p] = ACQ_CURVE_DEFAULT_EXPONENT;	/* one curve: the fewest records first */
		eb[p] = 1.0;
	}
	given = greedy_from(np, ea, eb, n0, cap, 0.0, 0.0, fill, x);
	*filled = given;
	given += greedy_from(np, a, b, n0, cap, lambda, c, total - given, x);
	acq_free(ea);
	acq_free(eb);
	return given;
}

/* ---- measuring -------------------------------------------------------------- */

int64_t
acq_curve_subset_size(int64_t n, int points, int j)
{
	double		s = ceil((double) n / pow(2.0, points - 1 - j));

	if (s < 1.0)
		s = 1.0;
	return s > (double) n ? n : (int64_t) s;
}

double
acq_curve_losses_bytes(const AcqCurveModelParams *mp, int64_t m, int d, int64_t nval)
{
	double		rows = 8.0 * (double) m * (d + 1) + 4.0 * m;	/* the subset's copy */

	switch (mp->model)
	{
		case ACQ_CURVE_SOFTMAX:
			/* and the previous subset's model, the fit's start */
			return rows + acq_softmax_fit_bytes(m, d, mp->K) + 8.0 * (double) nval * mp->K +
				8.0 * (d + 1.0) * mp->K;
		case ACQ_CURVE_KNN_CLASSIFY:
			return rows + acq_knn_classify_bytes(m, d, mp->K, nval, mp->k) + 4.0 * nval;
		case ACQ_CURVE_KNN_REGRESS:
			return rows + acq_knn_classify_bytes(m, d, 1, nval, mp->k) + 8.0 * nval;
		case ACQ_CURVE_LINEAR:
			return rows + 2.0 * acq_linstats_memory(d) + acq_linreg_solve_memory(d, m) + 8.0 * (d + 1.0);
	}
	return rows;
}

/* the per-row losses of val, added to its slices */
static void
add_slice_losses(const AcqCurveSet *val, int64_t i, double l, double *sum, double *cnt)
{
	for (int64_t o = val->off[i]; o < val->off[i + 1]; o++)
	{
		sum[val->idx[o]] += l;
		cnt[val->idx[o]] += 1.0;
	}
}

/*
 * Train the model on the m rows X (m x d), cls or y, and add each
 * validation row's loss to its slices (sum, cnt: np each, zeroed here).
 * Softmax: warm (may be NULL) is the fit's start if it holds a model, and
 * receives the new model (the old one freed).
 */
static AcqStatus
curve_model_losses(const double *X, const int *cls, const double *y, int64_t m, int d,
				   const AcqCurveSet *val, int np, const AcqCurveModelParams *mp,
				   AcqSoftmax *warm, double *sum, double *cnt, char *errbuf, size_t errlen)
{
	AcqStatus	st = ACQ_OK;

	for (int p = 0; p < np; p++)
		sum[p] = cnt[p] = 0.0;
	switch (mp->model)
	{
		case ACQ_CURVE_SOFTMAX:
			{
				AcqSoftmax	sm;
				double	   *proba;

				memset(&sm, 0, sizeof(sm));
				st = acq_softmax_fit_scaled(X, cls, m, d, mp->K, mp->C, mp->max_iter, mp->tol,
										  warm != NULL && warm->W != NULL ? warm : NULL, &sm,
										  errbuf, errlen);
				if (st == ACQ_ERR_NO_CONVERGENCE || st == ACQ_ERR_SINGLE_CLASS)
					st = ACQ_OK;	/* a usable model: the last point, or the constant one */
				if (st != ACQ_OK)
				{
					acq_softmax_free(&sm);
					break;
				}
				proba = acq_alloc_array((size_t) val->n * mp->K, sizeof(double));
				acq_softmax_predict_proba(&sm, val->X, val->n, proba);
				for (int64_t i = 0; i < val->n; i++)
				{
					double		pr = proba[i * mp->K + val->cls[i]];

					if (!(pr > ACQ_CURVE_PROB_FLOOR))
						pr = ACQ_CURVE_PROB_FLOOR;
					add_slice_losses(val, i, -log(pr), sum, cnt);
				}
				acq_free(proba);
				if (warm != NULL)
				{
					acq_softmax_free(warm);
					*warm = sm;
				}
				else
					acq_softmax_free(&sm);
			}
			break;
		case ACQ_CURVE_KNN_CLASSIFY:
			{
				int		   *pred = acq_alloc_array((size_t) val->n, sizeof(int));

				st = acq_knn_classify(X, cls, m, d, mp->K, val->X, val->n, mp->k, pred);
				if (st == ACQ_OK)
					for (int64_t i = 0; i < val->n; i++)
						add_slice_losses(val, i, pred[i] == val->cls[i] ? 0.0 : 1.0, sum, cnt);
				else
					acq_set_error(errbuf, errlen, "the k-NN classifier could not be trained");
				acq_free(pred);
			}
			break;
		case ACQ_CURVE_KNN_REGRESS:
			{
				double	   *pred = acq_alloc_array((size_t) val->n, sizeof(double));

				st = acq_knn_regress(X, y, m, d, val->X, val->n, mp->k, pred);
				if (st == ACQ_OK)
					for (int64_t i = 0; i < val->n; i++)
					{
						double		e = pred[i] - val->y[i];

						add_slice_losses(val, i, e * e, sum, cnt);
					}
				else
					acq_set_error(errbuf, errlen, "the k-NN regressor could not be trained");
				acq_free(pred);
			}
			break;
		case ACQ_CURVE_LINEAR:
			{
				AcqLinStats *s = acq_linstats_create(d);
				double	   *zero = acq_alloc_array((size_t) d, sizeof(double));
				double	   *beta = acq_alloc_array((size_t) d + 1, sizeof(double));

				acq_linstats_accumulate(s, X, y, m, zero, 0.0);
				st = acq_linreg_solve(s, 0.0, beta);
				if (st == ACQ_OK)
					for (int64_t i = 0; i < val->n; i++)
					{
						double		yh = beta[d];

						for (int j = 0; j < d; j++)
							yh += val->X[i * d + j] * beta[j];
						yh -= val->y[i];
						add_slice_losses(val, i, yh * yh, sum, cnt);
					}
				else
					acq_set_error(errbuf, errlen,
								  "the least-squares fit needs an eigendecomposition too large to run uninterrupted (collinear features)");
				acq_linstats_free(s);
				acq_free(zero);
				acq_free(beta);
			}
			break;
	}
	return st;
}

/* train's rows rows[0..m) copied in that order: X, and cls or y */
static void
curve_copy_rows(const AcqCurveSet *train, const int64_t *rows, int64_t m, bool classify,
				double *X, int *cls, double *y)
{
	int			d = train->d;

	for (int64_t i = 0; i < m; i++)
	{
		int64_t		r = rows[i];

		memcpy(X + i * d, train->X + r * d, sizeof(double) * d);
		if (classify)
			cls[i] = train->cls[r];
		else
			y[i] = train->y[r];
		if ((i & 65535) == 65535)
			acq_check_interrupts();
	}
}

/* count[P] += the slices of train's rows rows[from..to) */
static void
curve_count_rows(const AcqCurveSet *train, const int64_t *rows, int64_t from, int64_t to,
				 double *count)
{
	for (int64_t i = from; i < to; i++)
		for (int64_t o = train->off[rows[i]]; o < train->off[rows[i] + 1]; o++)
			count[train->idx[o]] += 1.0;
}

static inline bool
curve_classifies(const AcqCurveModelParams *mp)
{
	return mp->model == ACQ_CURVE_SOFTMAX || mp->model == ACQ_CURVE_KNN_CLASSIFY;
}

AcqStatus
acq_curve_losses(const AcqCurveSet *train, const int64_t *rows, int64_t m,
				 const AcqCurveSet *val, int np, const AcqCurveModelParams *mp,
				 double *loss, double *count, char *errbuf, size_t errlen)
{
	int			d = train->d;
	double	   *X,
			   *y = NULL,
			   *sum,
			   *cnt;
	int		   *cls = NULL;
	AcqStatus	st;
	bool		classify = curve_classifies(mp);

	if (m < 1 || val->n < 1 || d < 1 || np < 1)
	{
		acq_set_error(errbuf, errlen, "no rows to train or score on");
		return ACQ_ERR_EMPTY;
	}
	X = acq_alloc_array((size_t) m * d, sizeof(double));
	if (classify)
		cls = acq_alloc_array((size_t) m, sizeof(int));
	else
		y = acq_alloc_array((size_t) m, sizeof(double));
	sum = acq_alloc_array(np, sizeof(double));
	cnt = acq_alloc_array(np, sizeof(double));
	for (int p = 0; p < np; p++)
		count[p] = 0.0;
	curve_copy_rows(train, rows, m, classify, X, cls, y);
	curve_count_rows(train, rows, 0, m, count);
	acq_check_interrupts();
	st = curve_model_losses(X, cls, y, m, d, val, np, mp, NULL, sum, cnt, errbuf, errlen);
	for (int p = 0; p < np; p++)
		loss[p] = cnt[p] > 0.0 ? sum[p] / cnt[p] : NAN;
	acq_free(X);
	acq_free(cls);
	acq_free(y);
	acq_free(sum);
	acq_free(cnt);
	return st;
}

AcqStatus
acq_curve_measure(const AcqCurveSet *train, const AcqCurveSet *val, int np,
				  const AcqCurveModelParams *mp, int points, AcqRng *rng,
				  double *pt_n, double *pt_loss, char *errbuf, size_t errlen)
{
	int64_t		n = train->n,
				done = 0;
	int			d = train->d;
	int64_t    *order;
	double	   *X,
			   *y = NULL,
			   *sum,
			   *cnt,
			   *count;
	int		   *cls = NULL;
	bool		classify = curve_classifies(mp);
	AcqSoftmax	warm;
	AcqStatus	st = ACQ_OK;

	if (n < 1 || points < 1 || val->n < 1 || d < 1 || np < 1)
	{
		acq_set_error(errbuf, errlen, "no training rows");
		return ACQ_ERR_EMPTY;
	}
	order = acq_alloc_array((size_t) n, sizeof(int64_t));
	for (int64_t i = 0; i < n; i++)
		order[i] = i;
	/* Fisher-Yates: prefixes are nested random subsets */
	for (int64_t i = n - 1; i > 0; i--)
	{
		int64_t		j = (int64_t) acq_rng_below(rng, (uint64_t) i + 1);
		int64_t		t = order[i];

		order[i] = order[j];
		order[j] = t;
	}

	/*
	 * One copy of the rows in the shuffled order: each subset is a prefix of
	 * it (no copy per model).  Softmax: each model starts from the previous
	 * (smaller) subset's optimum, which is near its own (warm).
	 */
	X = acq_alloc_array((size_t) n * d, sizeof(double));
	if (classify)
		cls = acq_alloc_array((size_t) n, sizeof(int));
	else
		y = acq_alloc_array((size_t) n, sizeof(double));
	curve_copy_rows(train, order, n, classify, X, cls, y);
	sum = acq_alloc_array(np, sizeof(double));
	cnt = acq_alloc_array(np, sizeof(double));
	count = acq_alloc_array(np, sizeof(double));
	memset(&warm, 0, sizeof(warm));
	for (int j = 0; j < points && st == ACQ_OK; j++)
	{
		int64_t		m = acq_curve_subset_size(n, points, j);

		acq_check_interrupts();
		curve_count_rows(train, order, done, m, count);
		done = m;
		st = curve_model_losses(X, cls, y, m, d, val, np, mp, &warm, sum, cnt, errbuf, errlen);
		for (int p = 0; p < np; p++)
		{
			pt_n[(size_t) p * points + j] = count[p];
			pt_loss[(size_t) p * points + j] = cnt[p] > 0.0 ? sum[p] / cnt[p] : NAN;
		}
	}
	acq_softmax_free(&warm);
	acq_free(order);
	acq_free(X);
	acq_free(cls);
	acq_free(y);
	acq_free(sum);
	acq_free(cnt);
	acq_free(count);
	return st;
}
