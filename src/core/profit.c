/*
 * profit.c -- the profit oracle P(S) = G(S) - C(S) behind every source
 * selection method, with memoisation (a subset is never trained twice).
 *
 * Gains (SourceSplice paper, Definition 2.1 and section 5.1.3):
 *   classification  100 * accuracy of logistic regression trained on the union
 *   f1              100 * F1 of class 1
 *   fairness        100 * accuracy + lambda * TPR gap (protected - privileged)
 *   regression      100 / (1 + MSE / Var(y_val)) of linear (ridge) regression:
 *                   100 for a perfect model, 50 for one no better than the
 *                   validation mean, towards 0 for worse; strictly decreasing
 *                   in MSE, so profits rank subsets exactly as MSE does.
 * Regression chooses its path by shape (AcqLinPath).  With at least p + 1
 * training rows in all, each source is reduced to its sufficient statistics
 * once, and a subset's fit and validation MSE come from their sums; a subset
 * with fewer rows than p + 1 is fitted from its rows.  With fewer rows in all
 * (wide data), no (p+1) x (p+1) statistics are built at all: every subset is
 * fitted in the row space from the sources' blocks and scored on the
 * validation rows.
 *
 * With acq_eval_create_stats there are no rows at all: each source comes as
 * its statistics (core/aggstats.h, what acq.linear_stats computes where
 * the rows are), and every subset is fitted from their sums.
 *
 * It is one thing past 1,000 lines: the oracle's paths (statistics, rows,
 * wide, statistics only) share its memo, scoring, tie-break loss and error
 * reporting.
 */
#include "core/select.h"
#include "core/aggstats.h"
#include "core/overflow.h"
#include "core/vecmath.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cblas.h>

#define CHUNK_BITS 10
#define CHUNK_SIZE (1 << CHUNK_BITS)
#define ENTRY(ev, i) (&(ev)->chunks[(i) >> CHUNK_BITS][(i) & (CHUNK_SIZE - 1)])

struct AcqEvaluator
{
	int			m;
	int			p;
	const AcqBlock *src;
	AcqBlock	val;
	AcqEvalConfig cfg;
	double	   *cost;			/* per-source cost, m */
	bool		costs_ready;

	/* classification scratch */
	AcqBlock   *blocks;			/* m */
	double	  **src_xcol;		/* classification: each source's X column-major */
	const double **xcol;		/* m: the column-major X of blocks[] */
	double	   *coef;			/* p + 1: the last model fitted */
	bool		warm;			/* coef is a converged logistic fit */
	bool		warm_hess;		/* hess_last is that fit's Hessian */
	AcqSet		last_set;		/* the subset of that fit */
	double	   *yhat;			/* val.n */
	double	   *val_xcol;		/* classification: [val.X, 1] column-major, or NULL */

	/* regression */
	bool		reg_rows;		/* no statistics: every subset from its rows */
	bool		stats_only;		/* no rows at all: every subset from statistics */
	/* classification from terms (no training rows): acq_eval_create_terms */
	AcqTermsFn	terms_fn;
	void	   *terms_arg;
	double	   *pos;			/* m: positive labels per source */
	int			npref;			/* fits prefetched (acq_eval_prefetch) */
	AcqSet	   *pref_sets;
	double	   *pref_coefs;		/* npref x (p+1) */
	AcqStatus  *pref_status;
	int			round_trips;
	AcqBlock   *own_src;		/* stats_only: the m row counts (X NULL) */
	double	   *shift;			/* p: the mean of all training rows */
	double		yshift;
	AcqLinStats **src_stats;	/* m, or NULL with reg_rows */
	AcqLinStats *val_stats;
	AcqLinStats *sum_stats;
	double		val_var;

	/* a subset that could not be scored (acq_eval_status) */
	AcqStatus	status;
	char		errmsg[256];
	AcqEvalErrorFn on_error;
	void	   *on_error_arg;
	AcqSet		scoring;		/* the subset being scored (for on_error) */

	/*
	 * memo: entries in training order, in fixed-size chunks so that pointers
	 * handed out stay valid, plus an open-addressing index
	 */
	AcqEvalEntry **chunks;
	int			nchunks;
	int			capchunks;
	int			nentries;
	double	  **coef_chunks;	/* classification: each entry's model, CHUNK_SIZE x model_size */
	int			model_size;		/* p+1 coefficients, then (p+1)^2 Hessian if kept */
	double	   *hess0;			/* (p+1)^2: Hessian handed to the next fit */
	double	   *hess_last;		/* (p+1)^2: Hessian of the last fit */
	double	   *init_step;		/* p + 1: the neighbour's Newton step */
	double	   *init_grad;		/* p + 1: s's gradient before it */
	double	   *terms_work;		/* scratch of acq_logreg_source_terms_work */
	int64_t    *src_pos;		/* m: each source's labels 1, or NULL (a label not 0/1) */
	int64_t    *block_pos;		/* m: src_pos of blocks[] */
	bool		have_init_step;
	int32_t    *slots;			/* -1 empty, else entry index */
	uint32_t	nslots;			/* power of two */

	int			models_trained;
	int			single_class_models;	/* trained on one class: constant model */
	int			unconverged_models; /* Newton stopped short of the tolerance */
	AcqEvalCallback callback;
	void	   *callback_arg;
};

void
acq_eval_default_config(AcqEvalConfig *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->task = ACQ_TASK_CLASSIFICATION;
	cfg->lambda = 10.0;
	acq_logreg_default_params(&cfg->logreg);

	/*
	 * Source selection trains thousands of models whose only use is their
	 * validation accuracy: stop Newton at a mean-loss gradient of 1e-6
	 * (scikit-learn's default tolerance is 1e-4).  Coefficients are then
	 * within ~1e-6 of the optimum, far below what moves a prediction.
	 */
	cfg->logreg.tol = 1e-6;
	cfg->alpha = 0.0;
	cfg->cost_mode = ACQ_COST_NONE;
	cfg->cost_exponent = 1;
	cfg->cost_scale = 0.01;
	cfg->cost_offset = 0.0;
}

static uint32_t
set_hash(const AcqSet *s)
{
	uint64_t	h = 0x84222325cbf29ce4ULL;
	int			i;

	for (i = 0; i < ACQ_MAX_SOURCES / 64; i++)
	{
		h ^= s->w[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return (uint32_t) (h ^ (h >> 32));
}

static void
memo_grow(AcqEvaluator *ev)
{
	uint32_t	newn = ev->nslots ? ev->nslots * 2 : 1024;
	int32_t    *slots = acq_alloc_array(newn, sizeof(int32_t));
	uint32_t	i;
	int			e;

	for (i = 0; i < newn; i++)
		slots[i] = -1;
	for (e = 0; e < ev->nentries; e++)
	{
		uint32_t	h = set_hash(&ENTRY(ev, e)->set) & (newn - 1);

		while (slots[h] >= 0)
			h = (h + 1) & (newn - 1);
		slots[h] = e;
	}
	acq_free(ev->slots);
	ev->slots = slots;
	ev->nslots = newn;
}

static int
memo_find_index(const AcqEvaluator *ev, const AcqSet *s)
{
	uint32_t	h;

	if (ev->nslots == 0)
		return -1;
	h = set_hash(s) & (ev->nslots - 1);
	while (ev->slots[h] >= 0)
	{
		const AcqEvalEntry *e = ENTRY(ev, ev->slots[h]);

		if (acq_set_eq(&e->set, s))
			return ev->slots[h];
		h = (h + 1) & (ev->nslots - 1);
	}
	return -1;
}

static const AcqEvalEntry *
memo_find(const AcqEvaluator *ev, const AcqSet *s)
{
	int			i = memo_find_index(ev, s);

	return i < 0 ? NULL : ENTRY(ev, i);
}

/* the stored model of entry i (classification), or NULL */
static double *
entry_coef(const AcqEvaluator *ev, int i)
{
	double	   *c;

	if (ev->coef_chunks == NULL || (i >> CHUNK_BITS) >= ev->nchunks)
		return NULL;
	c = ev->coef_chunks[i >> CHUNK_BITS] + (size_t) (i & (CHUNK_SIZE - 1)) * ev->model_size;
	return isnan(c[0]) ? NULL : c;
}

/*
 * ev->coef holds the optimum of a neighbour of s (s with source j flipped)
 * and ev->hess0 that neighbour's Hessian.  The neighbour's gradient there is
 * ~0, so s's gradient and Hessian at that point are the flipped source's
 * share (plus the neighbour's Hessian): a pass over source j alone gives a
 * full Newton step towards s's optimum, taken here.
 */
static void
newton_from_neighbour(AcqEvaluator *ev, const AcqSet *s, int j)
{
	int			d = ev->p + 1;
	double		sign = acq_set_has(s, j) ? 1.0 : -1.0;
	double	   *g = ev->hess0 + (size_t) d * d;	/* d spare doubles */
	const double *const *xc = ev->src_xcol ? (const double *const *) &ev->src_xcol[j] : NULL;

	memset(g, 0, sizeof(double) * d);
	if (ev->terms_work)
		acq_logreg_source_terms_work(&ev->src[j], 1, ev->p, ev->cfg.logreg.C,
									 ev->coef, sign, ev->hess0, g, xc, ev->terms_work);
	else
		acq_logreg_source_terms(&ev->src[j], 1, ev->p, ev->cfg.logreg.C,
								ev->coef, sign, ev->hess0, g, xc);
	memcpy(ev->init_step, ev->coef, sizeof(double) * d);
	ev->have_init_step = acq_logreg_newton_step(ev->hess0, g, ev->p, ev->coef);
	/* the step taken, and s's gradient before it, for the fit's first BFGS update */
	for (int k = 0; k < d; k++)
		ev->init_step[k] = ev->coef[k] - ev->init_step[k];
	memcpy(ev->init_grad, g, sizeof(double) * d);
}

/*
 * A warm start for the logistic fit of s: the stored model of the trained
 * neighbour (s with one source added or removed) that shares the largest
 * fraction of its rows with s.  Where the neighbour's Hessian is stored too,
 * *hess0 becomes the Hessian for s at the neighbour's optimum (the
 * neighbour's plus or minus the flipped source's share, one pass over that
 * source), so the first Newton step needs no pass over all of s's rows.
 * Returns false if no neighbour is trained.
 */
static bool
warm_start_from_neighbour(AcqEvaluator *ev, const AcqSet *s, int64_t nrows,
						  bool *have_hess)
{
	int			d = ev->p + 1;
	double		best = -1.0;
	const double *bestc = NULL;
	int			bestj = -1;
	int			j;

	*have_hess = false;
	for (j = 0; j < ev->m; j++)
	{
		AcqSet		nb = *s;
		double		share;
		int			i;
		const double *c;

		if (acq_set_has(s, j))
		{
			acq_set_del(&nb, j);
			share = (double) (nrows - ev->src[j].n) / (double) nrows;
		}
		else
		{
			acq_set_add(&nb, j);
			share = (double) nrows / (double) (nrows + ev->src[j].n);
		}
		if (share <= best)
			continue;
		i = memo_find_index(ev, &nb);
		if (i < 0 || (c = entry_coef(ev, i)) == NULL)
			continue;
		best = share;
		bestc = c;
		bestj = j;
	}
	if (bestc == NULL)
	{
		/*
		 * No trained neighbour in the memo (exhaustive enumeration does not
		 * memoise): the last fit is one, if it differs from s by a single
		 * source, as consecutive subsets in Gray-code order do.
		 */
		AcqSet		diff;
		int			w;

		if (!ev->warm_hess)
			return false;
		for (w = 0; w < ACQ_MAX_SOURCES / 64; w++)
			diff.w[w] = s->w[w] ^ ev->last_set.w[w];
		if (acq_set_count(&diff) != 1)
			return false;
		for (bestj = 0; !acq_set_has(&diff, bestj); bestj++)
			;
		memcpy(ev->hess0, ev->hess_last, sizeof(double) * d * d);
		newton_from_neighbour(ev, s, bestj);
		*have_hess = true;
		return true;
	}
	memcpy(ev->coef, bestc, sizeof(double) * d);
	if (ev->model_size > d && !isnan(bestc[d]))
	{
		memcpy(ev->hess0, bestc + d, sizeof(double) * d * d);
		newton_from_neighbour(ev, s, bestj);
		*have_hess = true;
	}
	return true;
}

/* grow a directory of chunk pointers from n to newcap entries */
static void *
grow_directory(void *dir, int n, int newcap, size_t elem)
{
	void	   *nd = acq_alloc_array(newcap, elem);

	if (n)
		memcpy(nd, dir, elem * n);
	acq_free(dir);
	return nd;
}

static int
memo_insert(AcqEvaluator *ev, const AcqEvalEntry *entry, const double *coef,
			const double *hess)
{
	uint32_t	h;
	int			i;
	bool		keep_coef = (ev->cfg.task != ACQ_TASK_REGRESSION);

	if ((uint32_t) (ev->nentries + 1) * 2 > ev->nslots)
		memo_grow(ev);
	if (ev->nentries == ev->nchunks * CHUNK_SIZE)
	{
		if (ev->nchunks == ev->capchunks)
		{
			int			newcap = ev->capchunks ? ev->capchunks * 2 : 16;

			ev->chunks = grow_directory(ev->chunks, ev->nchunks, newcap,
										sizeof(AcqEvalEntry *));
			if (keep_coef)
				ev->coef_chunks = grow_directory(ev->coef_chunks, ev->nchunks,
												 newcap, sizeof(double *));
			ev->capchunks = newcap;
		}
		ev->chunks[ev->nchunks] = acq_alloc_array(CHUNK_SIZE, sizeof(AcqEvalEntry));
		if (keep_coef)
			ev->coef_chunks[ev->nchunks] =
				acq_alloc_array((size_t) CHUNK_SIZE * ev->model_size, sizeof(double));
		ev->nchunks++;
	}
	i = ev->nentries++;
	*ENTRY(ev, i) = *entry;
	if (keep_coef)
	{
		int			d = ev->p + 1;
		double	   *c = ev->coef_chunks[i >> CHUNK_BITS] +
			(size_t) (i & (CHUNK_SIZE - 1)) * ev->model_size;

		if (coef)
			memcpy(c, coef, sizeof(double) * d);
		else
			c[0] = NAN;
		if (ev->model_size > d)
		{
			if (coef && hess)
				memcpy(c + d, hess, sizeof(double) * d * d);
			else
				c[d] = NAN;
		}
	}
	h = set_hash(&entry->set) & (ev->nslots - 1);
	while (ev->slots[h] >= 0)
		h = (h + 1) & (ev->nslots - 1);
	ev->slots[h] = i;
	return i;
}

/* population variance of y, two-pass: exactly 0 for constant labels */
static double
label_variance(const double *y, int64_t n)
{
	double		mean = 0.0,
				ss = 0.0;
	int64_t		i;

	for (i = 0; i < n; i++)
		mean += y[i];
	mean /= (double) n;
	for (i = 0; i < n; i++)
		ss += (y[i] - mean) * (y[i] - mean);
	return ss / (double) n;
}

/*
 * [X, 1] column-major (column j at X + j n, the last all ones), as the
 * logistic fit's and vecmath's kernels read rows; NULL for n <= 0, or above
 * an int's range.
 */
static double *
colmajor_with_ones(const double *X, int64_t n, int p)
{
	double	   *c;

	if (n <= 0 || n > 0x7fffffff)
		return NULL;
	c = acq_alloc_array((size_t) n * (p + 1), sizeof(double));
	for (int64_t i = 0; i < n; i++)
	{
		for (int j = 0; j < p; j++)
			c[(int64_t) j * n + i] = X[i * p + j];
		c[(int64_t) p * n + i] = 1.0;
	}
	return c;
}

/*
 * What every evaluator starts from (rows, statistics or terms): m sources of
 * p features, the configuration, and the sources' costs where they are given
 * (the gain's costs wait for the gains)
 */
static AcqEvaluator *
evaluator_new(int m, int p, const AcqEvalConfig *cfg)
{
	AcqEvaluator *ev = acq_alloc(sizeof(AcqEvaluator));

	ev->m = m;
	ev->p = p;
	ev->cfg = *cfg;
	ev->cost = acq_alloc_array(m, sizeof(double));
	if (cfg->cost_mode == ACQ_COST_GIVEN)
		memcpy(ev->cost, cfg->given_costs, sizeof(double) * m);
	ev->costs_ready = (cfg->cost_mode != ACQ_COST_GAIN);
	ev->cfg.given_costs = NULL;
	return ev;
}

AcqEvaluator *
acq_eval_create(int m, int p, const AcqBlock *sources,
				const AcqBlock *validation, const AcqEvalConfig *cfg,
				char *errbuf, size_t errlen)
{
	AcqEvaluator *ev;
	int			s;
	bool		regression = (cfg->task == ACQ_TASK_REGRESSION);

	if (m < 1 || m > ACQ_MAX_SOURCES)
	{
		snprintf(errbuf, errlen, "%d sources given; acq selects among 1 to %d sources",
				 m, ACQ_MAX_SOURCES);
		return NULL;
	}
	if (p < 1)
	{
		snprintf(errbuf, errlen, "feature vectors are empty");
		return NULL;
	}
	if (validation->n < 1)
	{
		snprintf(errbuf, errlen, "the validation set has no rows");
		return NULL;
	}
	for (s = 0; s < m; s++)
		if (sources[s].n < 1)
		{
			snprintf(errbuf, errlen, "source %d has no rows", s + 1);
			return NULL;
		}

	ev = evaluator_new(m, p, cfg);
	ev->src = sources;
	ev->val = *validation;

	if (regression)
	{
		/* shift by the mean of all training rows, for conditioning */
		double	   *shift = acq_alloc_array(p, sizeof(double));
		double		yshift = 0.0;
		double		ntot = 0.0;
		AcqOverflow where;

		for (s = 0; s < m; s++)
			ntot += (double) sources[s].n;
		ev->shift = shift;
		if (acq_regression_overflow(m, p, sources, validation, shift, &yshift, &where))
		{
			snprintf(errbuf, errlen, "the %s of the rows reach %g in absolute value: "
					 "their squares overflow float8",
					 where.column < 0 ? "labels" : "features", where.magnitude);
			acq_eval_free(ev);
			return NULL;
		}
		ev->yshift = yshift;
		ev->reg_rows = (cfg->linreg_path == ACQ_LINPATH_ROWS ||
						(cfg->linreg_path == ACQ_LINPATH_AUTO && ntot < p + 1.0));

		if (!ev->reg_rows)
		{
			ev->src_stats = acq_alloc_array(m, sizeof(AcqLinStats *));
			for (s = 0; s < m; s++)
			{
				ev->src_stats[s] = acq_linstats_create(p);
				acq_linstats_accumulate(ev->src_stats[s], sources[s].X,
										sources[s].y, sources[s].n, shift, yshift);
				acq_check_interrupts();
			}
			ev->val_stats = acq_linstats_create(p);
			acq_linstats_accumulate(ev->val_stats, validation->X, validation->y,
									validation->n, shift, yshift);
			ev->sum_stats = acq_linstats_create(p);
		}
		ev->blocks = acq_alloc_array(m, sizeof(AcqBlock));
		ev->val_var = label_variance(validation->y, validation->n);
		if (!(ev->val_var > 0.0))
		{
			snprintf(errbuf, errlen, "the validation labels are constant: a regression gain needs their variance");
			acq_eval_free(ev);
			return NULL;
		}
		ev->coef = acq_alloc_array(p + 1, sizeof(double));
	}
	else
	{
		int			d = p + 1;

		ev->blocks = acq_alloc_array(m, sizeof(AcqBlock));
		ev->coef = acq_alloc_array(d, sizeof(double));

		/*
		 * A column-major copy of each source, with a column of ones, for
		 * the fits' matrix-vector products (AcqLogregParams.xcol).
		 */
		{
			int64_t		total = 0;

			for (s = 0; s < m; s++)
				total += sources[s].n > 0 ? sources[s].n : 0;
			ev->cfg.logreg.work_len = acq_logreg_work_size(total, p);
			ev->cfg.logreg.work = acq_alloc_array(ev->cfg.logreg.work_len, sizeof(double));
		}
		/*
		 * Each source's labels 1, counted once (the fits then skip their
		 * pass over the labels); with a label other than 0 or 1 the fits
		 * check them themselves.
		 */
		ev->src_pos = acq_alloc_array(m, sizeof(int64_t));
		ev->block_pos = acq_alloc_array(m, sizeof(int64_t));
		for (s = 0; s < m && ev->src_pos; s++)
			for (int64_t i = 0; i < sources[s].n; i++)
			{
				if (sources[s].y[i] == 1.0)
					ev->src_pos[s]++;
				else if (sources[s].y[i] != 0.0)
				{
					acq_free(ev->src_pos);
					ev->src_pos = NULL;
					break;
				}
			}
		ev->xcol = acq_alloc_array(m, sizeof(double *));
		ev->src_xcol = acq_alloc_array(m, sizeof(double *));
		for (s = 0; s < m && p > 0; s++)
			ev->src_xcol[s] = colmajor_with_ones(sources[s].X, sources[s].n, p);
		/* the validation rows likewise, for the predictions (vecmath's kernel) */
		ev->val_xcol = colmajor_with_ones(validation->X, validation->n, p);
		/*
		 * Keep each trained subset's Hessian beside its coefficients (warm
		 * starts, above) while that stays small: d <= 48 is at most 18 KB a
		 * subset.
		 */
		ev->model_size = d;
		if (d <= 48)
		{
			ev->model_size = d + d * d;
			ev->hess0 = acq_alloc_array((size_t) d * (d + 1), sizeof(double));
			ev->hess_last = acq_alloc_array((size_t) d * d, sizeof(double));
			ev->init_step = acq_alloc_array((size_t) 2 * d, sizeof(double));
			ev->init_grad = ev->init_step + d;
			{
				int64_t		nmax = 1;

				for (s = 0; s < m; s++)
					nmax = sources[s].n > nmax ? sources[s].n : nmax;
				ev->terms_work = acq_alloc_array(acq_logreg_source_terms_size(nmax, p),
												 sizeof(double));
			}
		}
		ev->yhat = acq_alloc_array(validation->n, sizeof(double));
	}
	return ev;
}

/*
 * A regression evaluator from each source's statistics alone (no rows):
 * what acq.linear_stats returned for each source and for the validation
 * rows.  The shift is the mean of all training rows, as acq_eval_create's;
 * every subset is fitted from the sums of statistics (a subset of fewer
 * than p + 1 rows gets the minimum-norm solution from them).  The
 * accumulators are only read.
 */
AcqEvaluator *
acq_eval_create_stats(int m, int p, AcqLinAcc *const *sources,
					  const AcqLinAcc *validation, const AcqEvalConfig *cfg,
					  char *errbuf, size_t errlen)
{
	AcqEvaluator *ev;
	double		ntot = 0.0;

	if (cfg->task != ACQ_TASK_REGRESSION)
	{
		snprintf(errbuf, errlen, "only regression is scored from statistics");
		return NULL;
	}
	if (m < 1 || m > ACQ_MAX_SOURCES || p < 1)
	{
		snprintf(errbuf, errlen, "%d sources of %d features: acq selects among 1 to %d sources of at least one feature",
				 m, p, ACQ_MAX_SOURCES);
		return NULL;
	}
	if (validation->p != p || !(validation->n >= 1.0))
	{
		snprintf(errbuf, errlen, "the validation set has no rows");
		return NULL;
	}
	for (int s = 0; s < m; s++)
	{
		if (sources[s]->p != p || !(sources[s]->n >= 1.0))
		{
			snprintf(errbuf, errlen, "source %d has no rows", s + 1);
			return NULL;
		}
		ntot += sources[s]->n;
	}
	ev = evaluator_new(m, p, cfg);
	ev->stats_only = true;
	ev->own_src = acq_alloc_array(m, sizeof(AcqBlock));
	ev->src = ev->own_src;
	ev->val.n = (int64_t) validation->n;

	/* the shift: the mean of all training rows, from the sources' means */
	ev->shift = acq_alloc_array(p, sizeof(double));
	for (int s = 0; s < m; s++)
	{
		double		w = sources[s]->n / ntot;

		ev->own_src[s].n = (int64_t) sources[s]->n;
		for (int j = 0; j < p; j++)
			ev->shift[j] += w * sources[s]->mean_x[j];
		ev->yshift += w * sources[s]->mean_y;
	}
	ev->src_stats = acq_alloc_array(m, sizeof(AcqLinStats *));
	for (int s = 0; s < m; s++)
	{
		ev->src_stats[s] = acq_linstats_create(p);
		acq_linacc_to_linstats(sources[s], ev->shift, ev->yshift, ev->src_stats[s]);
		acq_check_interrupts();
	}
	ev->val_stats = acq_linstats_create(p);
	acq_linacc_to_linstats(validation, ev->shift, ev->yshift, ev->val_stats);
	ev->sum_stats = acq_linstats_create(p);
	ev->blocks = acq_alloc_array(m, sizeof(AcqBlock));
	ev->val_var = validation->cyy / validation->n;
	if (!isfinite(ev->val_var))
	{
		snprintf(errbuf, errlen, "the squares of the validation labels overflow float8");
		acq_eval_free(ev);
		return NULL;
	}
	if (!(ev->val_var > 0.0))
	{
		snprintf(errbuf, errlen, "the validation labels are constant: a regression gain needs their variance");
		acq_eval_free(ev);
		return NULL;
	}
	ev->coef = acq_alloc_array(p + 1, sizeof(double));
	return ev;
}

/* ---- classification from terms: no training rows (acq_eval_create_terms) ---- */

/* the stored model of a trained neighbour of s (one source flipped), or NULL */
static const double *
terms_neighbour(const AcqEvaluator *ev, const AcqSet *s)
{
	for (int j = 0; j < ev->m; j++)
	{
		AcqSet		nb = *s;
		int			i;
		const double *c;

		if (acq_set_has(s, j))
			acq_set_del(&nb, j);
		else
			acq_set_add(&nb, j);
		i = memo_find_index(ev, &nb);
		if (i >= 0 && (c = entry_coef(ev, i)) != NULL)
			return c;
	}
	return NULL;
}

/*
 * Fit the logistic models of nsets subsets together: every Newton step of
 * every subset not yet converged is evaluated by one call of the host's
 * terms function (one query, one round trip), at the K = active subsets'
 * weights; each subset sums its sources' terms.  A step that raises the
 * objective is halved back.  coefs: nsets x (p+1), st: nsets.
 */
static void
terms_fit(AcqEvaluator *ev, const AcqSet *sets, int nsets, double *coefs, AcqStatus *st)
{
	int			p = ev->p;
	int			d = p + 1;
	int			m = ev->m;
	int		   *active = acq_alloc_array(nsets, sizeof(int));
	double	   *prev = acq_alloc_array((size_t) nsets * d, sizeof(double));
	double	   *prev_obj = acq_alloc_array(nsets, sizeof(double));
	double	   *W = acq_alloc_array((size_t) nsets * d, sizeof(double));
	double	  **flat = acq_alloc_array(m, sizeof(double *));
	size_t	   *len = acq_alloc_array(m, sizeof(size_t));
	double	   *H = acq_alloc_array((size_t) d * d, sizeof(double));
	double	   *g = acq_alloc_array(d, sizeof(double));
	double	   *step = acq_alloc_array(d, sizeof(double));
	int			nact = 0;

	for (int k = 0; k < nsets; k++)
	{
		double		n = 0.0,
					pos = 0.0;
		const double *warm = terms_neighbour(ev, &sets[k]);
		double	   *c = coefs + (size_t) k * d;

		for (int s = 0; s < m; s++)
			if (acq_set_has(&sets[k], s))
			{
				n += (double) ev->src[s].n;
				pos += ev->pos[s];
			}
		memset(c, 0, sizeof(double) * d);
		prev_obj[k] = INFINITY;
		if (pos == 0.0 || pos == n)
		{
			/* one class: the constant model, as acq_logreg_fit gives it */
			c[p] = pos == 0.0 ? -30.0 : 30.0;
			st[k] = ACQ_ERR_SINGLE_CLASS;
			continue;
		}
		if (warm)
			memcpy(c, warm, sizeof(double) * d);
		st[k] = ACQ_ERR_NO_CONVERGENCE;
		active[nact++] = k;
	}
	for (int iter = 0; iter < ev->cfg.logreg.max_iter && nact > 0; iter++)
	{
		int			still = 0;

		for (int a = 0; a < nact; a++)
			memcpy(W + (size_t) a * d, coefs + (size_t) active[a] * d, sizeof(double) * d);
		memset(flat, 0, sizeof(double *) * m);
		ev->terms_fn(ev->terms_arg, W, nact, flat, len);
		ev->round_trips++;
		for (int a = 0; a < nact; a++)
		{
			int			k = active[a];
			double	   *c = coefs + (size_t) k * d;
			double		loss = 0.0,
						n = 0.0,
						gnorm,
						obj;
			bool		ok = true;

			memset(H, 0, sizeof(double) * d * d);
			memset(g, 0, sizeof(double) * d);
			for (int s = 0; s < m && ok; s++)
				if (acq_set_has(&sets[k], s))
					ok = flat[s] != NULL &&
						acq_logflat_add(flat[s], len[s], p, a, &loss, g, H, &n);
			if (!ok || !acq_logterms_newton(p, ev->cfg.logreg.C, c, n, g, H, step, &gnorm,
											&obj, loss))
			{
				st[k] = ACQ_ERR_SINGULAR;
				continue;
			}
			if (gnorm <= ev->cfg.logreg.tol)
			{
				st[k] = ACQ_OK;
				continue;
			}
			if (obj > prev_obj[k] * (1.0 + 1e-12) && isfinite(prev_obj[k]))
			{
				/* the last step overshot: halve it back, evaluate again */
				for (int j = 0; j < d; j++)
					c[j] = 0.5 * (c[j] + prev[(size_t) k * d + j]);
			}
			else
			{
				prev_obj[k] = obj;
				memcpy(prev + (size_t) k * d, c, sizeof(double) * d);
				for (int j = 0; j < d; j++)
					c[j] -= step[j];
			}
			active[still++] = k;
		}
		nact = still;
		for (int s = 0; s < m; s++)
			acq_free(flat[s]);
		acq_check_interrupts();
	}
	acq_free(active);
	acq_free(prev);
	acq_free(prev_obj);
	acq_free(W);
	acq_free(flat);
	acq_free(len);
	acq_free(H);
	acq_free(g);
	acq_free(step);
}

/*
 * one subset's fit: prefetched (and then taken off the list: the memo keeps
 * it from here), or fitted alone
 */
static AcqStatus
terms_fit_one(AcqEvaluator *ev, const AcqSet *s, double *coef)
{
	int			d = ev->p + 1;
	AcqStatus	st;

	for (int i = 0; i < ev->npref; i++)
		if (acq_set_eq(&ev->pref_sets[i], s))
		{
			int			last = --ev->npref;

			memcpy(coef, ev->pref_coefs + (size_t) i * d, sizeof(double) * d);
			st = ev->pref_status[i];
			ev->pref_sets[i] = ev->pref_sets[last];
			memcpy(ev->pref_coefs + (size_t) i * d, ev->pref_coefs + (size_t) last * d,
				   sizeof(double) * d);
			ev->pref_status[i] = ev->pref_status[last];
			return st;
		}
	terms_fit(ev, s, 1, coef, &st);
	return st;
}

/*
 * Fit the sets not yet trained nor prefetched, together; the fits prefetched
 * earlier and not yet asked for are kept (a search may prefetch the next
 * sets before it has used the last ones).
 */
void
acq_eval_prefetch(AcqEvaluator *ev, const AcqSet *sets, int nsets)
{
	int			d = ev->p + 1;
	int			kept = ev->npref;
	int			n = kept;
	AcqSet	   *ps;
	double	   *pc;
	AcqStatus  *pst;

	if (ev->terms_fn == NULL)
		return;
	ps = acq_alloc_array(kept + nsets > 0 ? kept + nsets : 1, sizeof(AcqSet));
	for (int i = 0; i < kept; i++)
		ps[i] = ev->pref_sets[i];
	for (int i = 0; i < nsets; i++)
	{
		bool		dup = false;

		if (acq_set_count(&sets[i]) == 0 || memo_find(ev, &sets[i]) != NULL)
			continue;
		for (int j = 0; j < n && !dup; j++)
			dup = acq_set_eq(&ps[j], &sets[i]);
		if (!dup)
			ps[n++] = sets[i];
	}
	pc = acq_alloc_array((size_t) (n > 0 ? n : 1) * d, sizeof(double));
	pst = acq_alloc_array(n > 0 ? n : 1, sizeof(AcqStatus));
	if (kept > 0)
	{
		memcpy(pc, ev->pref_coefs, sizeof(double) * kept * d);
		memcpy(pst, ev->pref_status, sizeof(AcqStatus) * kept);
	}
	if (n > kept)
		terms_fit(ev, ps + kept, n - kept, pc + (size_t) kept * d, pst + kept);
	acq_free(ev->pref_sets);
	acq_free(ev->pref_coefs);
	acq_free(ev->pref_status);
	ev->pref_sets = ps;
	ev->pref_coefs = pc;
	ev->pref_status = pst;
	ev->npref = n;
}

int
acq_eval_round_trips(const AcqEvaluator *ev)
{
	return ev->round_trips;
}

AcqEvaluator *
acq_eval_create_terms(int m, int p, const int64_t *n, const double *pos,
					  const AcqBlock *validation, const AcqEvalConfig *cfg,
					  AcqTermsFn fn, void *arg, char *errbuf, size_t errlen)
{
	AcqEvaluator *ev;
	int			d = p + 1;

	if (cfg->task == ACQ_TASK_REGRESSION)
	{
		snprintf(errbuf, errlen, "regression is scored from linear statistics");
		return NULL;
	}
	if (m < 1 || m > ACQ_MAX_SOURCES || p < 1 || validation->n < 1)
	{
		snprintf(errbuf, errlen, "%d sources of %d features: acq selects among 1 to %d sources, with validation rows",
				 m, p, ACQ_MAX_SOURCES);
		return NULL;
	}
	ev = evaluator_new(m, p, cfg);
	ev->val = *validation;
	ev->terms_fn = fn;
	ev->terms_arg = arg;
	ev->own_src = acq_alloc_array(m, sizeof(AcqBlock));
	ev->src = ev->own_src;
	ev->pos = acq_alloc_array(m, sizeof(double));
	for (int s = 0; s < m; s++)
	{
		if (n[s] < 1)
		{
			snprintf(errbuf, errlen, "source %d has no rows", s + 1);
			acq_eval_free(ev);
			return NULL;
		}
		ev->own_src[s].n = n[s];
		ev->pos[s] = pos[s];
	}
	ev->blocks = acq_alloc_array(m, sizeof(AcqBlock));
	ev->xcol = acq_alloc_array(m, sizeof(double *));
	ev->src_xcol = acq_alloc_array(m, sizeof(double *));	/* all NULL: no rows */
	ev->coef = acq_alloc_array(d, sizeof(double));
	ev->val_xcol = colmajor_with_ones(validation->X, validation->n, p);
	ev->model_size = d;
	ev->yhat = acq_alloc_array(validation->n, sizeof(double));
	return ev;
}

void
acq_eval_set_callback(AcqEvaluator *ev, AcqEvalCallback cb, void *arg)
{
	ev->callback = cb;
	ev->callback_arg = arg;
}

void
acq_eval_set_error_handler(AcqEvaluator *ev, AcqEvalErrorFn fn, void *arg)
{
	ev->on_error = fn;
	ev->on_error_arg = arg;
}

const AcqSet *
acq_eval_scoring(const AcqEvaluator *ev)
{
	return &ev->scoring;
}

AcqStatus
acq_eval_status(const AcqEvaluator *ev, char *errbuf, size_t errlen)
{
	if (ev->status != ACQ_OK)
		acq_set_error(errbuf, errlen, ev->errmsg);
	return ev->status;
}

int
acq_eval_num_sources(const AcqEvaluator *ev)
{
	return ev->m;
}

int
acq_eval_models_trained(const AcqEvaluator *ev)
{
	return ev->models_trained;
}

void
acq_eval_model_counts(const AcqEvaluator *ev, int *single_class, int *unconverged)
{
	*single_class = ev->single_class_models;
	*unconverged = ev->unconverged_models;
}

int
acq_eval_num_entries(const AcqEvaluator *ev)
{
	return ev->nentries;
}

const AcqEvalEntry *
acq_eval_entry(const AcqEvaluator *ev, int i)
{
	return ENTRY(ev, i);
}

/*
 * A subset of nrows rows could not be scored (its fit, from rows or from
 * statistics, returned st): tell the host, remember the first such failure.
 */
static void
eval_fail(AcqEvaluator *ev, AcqStatus st, int64_t nrows, bool from_rows)
{
	char		msg[256];

	if (st == ACQ_ERR_OVERFLOW)
		snprintf(msg, sizeof(msg),
				 "the squared errors of a model trained on a subset of %lld rows overflow float8 "
				 "on the validation rows",
				 (long long) nrows);
	else if (st != ACQ_ERR_TOO_LARGE)
		snprintf(msg, sizeof(msg),
				 "the least-squares system of a subset of %lld rows and %d features could not be solved",
				 (long long) nrows, ev->p);
	else if (from_rows && nrows > ACQ_LINREG_MAX_ROWS)
		snprintf(msg, sizeof(msg),
				 "a subset of %lld rows is more than the %d rows a fit in the row space takes",
				 (long long) nrows, ACQ_LINREG_MAX_ROWS);
	else if (from_rows)
		snprintf(msg, sizeof(msg),
				 "the %lld rows of a subset are linearly dependent (repeated rows?): their "
				 "least-squares fit needs an eigendecomposition of order %lld, more than "
				 "the %d acq runs without a chance to cancel",
				 (long long) nrows, (long long) nrows, ACQ_LINREG_MAX_EIGEN);
	else
		snprintf(msg, sizeof(msg),
				 "the %d features of a subset are collinear: their least-squares fit needs "
				 "an eigendecomposition of order above %d, more than acq runs without a "
				 "chance to cancel",
				 ev->p, ACQ_LINREG_MAX_EIGEN);
	if (ev->status == ACQ_OK)
	{
		ev->status = st;
		acq_set_error(ev->errmsg, sizeof(ev->errmsg), msg);
	}
	if (ev->on_error)
		ev->on_error(ev->on_error_arg, st, msg);
}

static AcqStatus terms_fit_one(AcqEvaluator *ev, const AcqSet *s, double *coef);

/* train on the union of s and score on the validation set: gain only */
static void
compute_gain(AcqEvaluator *ev, const AcqSet *s, AcqEvalEntry *out)
{
	int			p = ev->p;
	int			i;
	int			nb = 0;
	int64_t		nrows = 0;

	out->set = *s;
	out->accuracy = out->f1 = out->tpr_gap = out->mse = out->r2 = out->loss = NAN;
	out->single_class = false;
	ev->scoring = *s;

	if (ev->cfg.task == ACQ_TASK_REGRESSION)
	{
		double		mse;
		AcqStatus	st;
		bool		from_rows;

		for (i = 0; i < ev->m; i++)
			if (acq_set_has(s, i))
			{
				ev->blocks[nb++] = ev->src[i];
				nrows += ev->src[i].n;
			}
		from_rows = ev->reg_rows ||
			(!ev->stats_only && ev->cfg.linreg_path == ACQ_LINPATH_AUTO &&
			 nrows < (int64_t) p + 1);
		if (from_rows)
		{
			/* fewer rows than p + 1: the row space */
			st = acq_linreg_solve_rows(ev->blocks, nb, p, ev->cfg.alpha,
									   ev->shift, ev->yshift, ev->coef);
			if (ev->reg_rows)
				mse = acq_linreg_mse_rows(&ev->val, p, ev->coef, ev->shift,
										  ev->yshift);
			else
				mse = acq_linreg_mse_stats(ev->val_stats, ev->coef);
		}
		else
		{
			acq_linstats_zero(ev->sum_stats);
			for (i = 0; i < ev->m; i++)
				if (acq_set_has(s, i))
				{
					acq_linstats_add(ev->sum_stats, ev->src_stats[i]);
					acq_check_interrupts();
				}
			st = acq_linreg_solve(ev->sum_stats, ev->cfg.alpha, ev->coef);
			mse = acq_linreg_mse_stats(ev->val_stats, ev->coef);
		}
		out->mse = mse;
		out->loss = mse;
		out->r2 = 1.0 - mse / ev->val_var;
		out->gain = 100.0 / (1.0 + mse / ev->val_var);
		if (st != ACQ_OK && st != ACQ_ERR_ARGUMENT)
		{
			/* refused at a limit, or (a guard) a system that could not be solved */
			out->mse = out->r2 = out->gain = out->loss = NAN;
			eval_fail(ev, st, nrows, from_rows);
		}
		else if (st == ACQ_ERR_ARGUMENT || !isfinite(out->mse) || !isfinite(out->r2) ||
				 !isfinite(out->gain))
		{
			/*
			 * The data's squares fit float8 (acq_eval_create checked), so
			 * this is the model's predictions on the validation rows: never
			 * a perfect or NaN score from overflowed arithmetic.
			 */
			out->mse = out->r2 = out->gain = out->loss = NAN;
			eval_fail(ev, ACQ_ERR_OVERFLOW, nrows, from_rows);
		}
	}
	else
	{
		AcqStatus	st;
		int			iters;
		double		acc;
		bool		have_hess = false;

		bool		have_xcol = p > 0;

		for (i = 0; i < ev->m; i++)
			if (acq_set_has(s, i))
			{
				ev->xcol[nb] = ev->src_xcol[i];
				if (ev->src_pos)
					ev->block_pos[nb] = ev->src_pos[i];
				have_xcol = have_xcol && (ev->src_xcol[i] != NULL || ev->src[i].n == 0);
				ev->blocks[nb++] = ev->src[i];
				nrows += ev->src[i].n;
			}
		ev->cfg.logreg.xcol = have_xcol ? ev->xcol : NULL;
		ev->cfg.logreg.block_pos = ev->src_pos ? ev->block_pos : NULL;
		/*
		 * Warm-start Newton from the nearest trained neighbour, else from
		 * the last model: the search methods train neighbouring subsets one
		 * after another.  The optimum does not depend on the start.
		 */
		ev->have_init_step = false;
		ev->cfg.logreg.warm_start = !ev->terms_fn &&
			(warm_start_from_neighbour(ev, s, nrows, &have_hess) || ev->warm);
		ev->cfg.logreg.hess_init = have_hess ? ev->hess0 : NULL;
		ev->cfg.logreg.init_step = (ev->cfg.logreg.hess_init && ev->have_init_step) ? ev->init_step : NULL;
		ev->cfg.logreg.init_grad = ev->init_grad;
		ev->cfg.logreg.hess_out = ev->hess_last;
		if (ev->hess_last)
			ev->hess_last[0] = NAN;
		if (ev->terms_fn)
			st = terms_fit_one(ev, s, ev->coef);
		else
			st = acq_logreg_fit(ev->blocks, nb, p, &ev->cfg.logreg, ev->coef, &iters);
		ev->warm = (st == ACQ_OK);
		ev->warm_hess = ev->warm && ev->hess_last && !isnan(ev->hess_last[0]);
		ev->last_set = *s;
		out->single_class = (st == ACQ_ERR_SINGLE_CLASS);
		if (out->single_class)
			ev->single_class_models++;
		else if (st != ACQ_OK)
			ev->unconverged_models++;
		if (ev->val_xcol)
			/* margins through the column-major copy */
			acq_vec_ops()->cm_gemv_n(ev->val_xcol, ev->val.n, ev->val.n, p + 1,
									 ev->coef, ev->yhat);
		else
			for (int64_t i = 0; i < ev->val.n; i++)
			{
				const double *x = ev->val.X + i * p;
				double		z = ev->coef[p];

				for (int j = 0; j < p; j++)
					z += x[j] * ev->coef[j];
				ev->yhat[i] = z;
			}
		/* the same predictions' mean log-loss (the tie-break), then class 1 iff positive */
		out->loss = acq_validation_log_loss(ev->val.y, ev->yhat, ev->val.n);
		for (int64_t i = 0; i < ev->val.n; i++)
			ev->yhat[i] = (ev->yhat[i] > 0.0) ? 1.0 : 0.0;
		acq_classification_metrics(ev->val.y, ev->yhat, ev->val.a, ev->val.n,
									&acc, &out->f1, &out->tpr_gap);
		out->accuracy = acc;
		switch (ev->cfg.task)
		{
			case ACQ_TASK_F1:
				out->gain = 100.0 * out->f1;
				break;
			case ACQ_TASK_FAIRNESS:
				out->gain = acq_fairness_gain(acc, isnan(out->tpr_gap) ? 0.0 : out->tpr_gap,
											  ev->cfg.lambda);
				break;
			default:
				out->gain = 100.0 * acc;
				break;
		}
	}
	out->n_rows = nrows;
	ev->models_trained++;
	acq_check_interrupts();
}

static double
gain_cost(const AcqEvalConfig *cfg, double gain)
{
	double		f = gain - cfg->cost_offset;

	if (f < 0.0)
		f = 0.0;
	switch (cfg->cost_exponent)
	{
		case 0:
			return cfg->cost_scale;
		case 1:
			return cfg->cost_scale * f;
		default:
			return cfg->cost_scale * f * f;
	}
}

/*
 * Costs that depend on the sources' own gains need every singleton trained
 * first; those trainings are memoised and count as models trained.
 */
static void
ensure_costs(AcqEvaluator *ev)
{
	int			s;
	AcqEvalEntry *tmp;

	if (ev->costs_ready)
		return;
	tmp = acq_alloc_array(ev->m, sizeof(AcqEvalEntry));
	for (s = 0; s < ev->m; s++)
	{
		AcqSet		one;

		acq_set_clear(&one);
		acq_set_add(&one, s);
		compute_gain(ev, &one, &tmp[s]);
		ev->cost[s] = gain_cost(&ev->cfg, tmp[s].gain);
	}
	ev->costs_ready = true;
	for (s = 0; s < ev->m; s++)
	{
		tmp[s].cost = ev->cost[s];
		tmp[s].profit = tmp[s].gain - tmp[s].cost;
		(void) memo_insert(ev, &tmp[s], NULL, NULL);
		if (ev->callback)
			ev->callback(ev->callback_arg, &tmp[s], ev->models_trained);
	}
	acq_free(tmp);
}

double
acq_eval_source_cost(AcqEvaluator *ev, int s)
{
	ensure_costs(ev);
	return ev->cost[s];
}

void
acq_eval_compute(AcqEvaluator *ev, const AcqSet *s, AcqEvalEntry *out)
{
	int			i;
	double		cost = 0.0;

	ensure_costs(ev);
	compute_gain(ev, s, out);
	for (i = 0; i < ev->m; i++)
		if (acq_set_has(s, i))
			cost += ev->cost[i];
	out->cost = cost;
	out->profit = out->gain - cost;
	if (ev->callback)
		ev->callback(ev->callback_arg, out, ev->models_trained);
}

const AcqEvalEntry *
acq_eval_get(AcqEvaluator *ev, const AcqSet *s)
{
	static const AcqEvalEntry empty_entry = {.loss = INFINITY};
	const AcqEvalEntry *e;
	AcqEvalEntry tmp;
	int			i;

	if (acq_set_count(s) == 0)
		return &empty_entry;	/* P(empty) = 0, never trained */
	ensure_costs(ev);
	e = memo_find(ev, s);
	if (e)
		return e;
	acq_eval_compute(ev, s, &tmp);
	i = memo_insert(ev, &tmp, ev->warm ? ev->coef : NULL,
					ev->warm_hess ? ev->hess_last : NULL);
	return ENTRY(ev, i);
}

const AcqEvalEntry *
acq_eval_lookup(const AcqEvaluator *ev, const AcqSet *s)
{
	return memo_find(ev, s);
}

double
acq_eval_profit(AcqEvaluator *ev, const AcqSet *s)
{
	return acq_eval_get(ev, s)->profit;
}

void
acq_eval_free(AcqEvaluator *ev)
{
	int			s;

	if (ev == NULL)
		return;
	if (ev->src_stats)
	{
		for (s = 0; s < ev->m; s++)
			acq_linstats_free(ev->src_stats[s]);
		acq_free(ev->src_stats);
	}
	acq_linstats_free(ev->val_stats);
	acq_linstats_free(ev->sum_stats);
	acq_free(ev->shift);
	acq_free(ev->own_src);
	acq_free(ev->pos);
	acq_free(ev->pref_sets);
	acq_free(ev->pref_coefs);
	acq_free(ev->pref_status);
	if (ev->src_xcol)
	{
		for (s = 0; s < ev->m; s++)
			acq_free(ev->src_xcol[s]);
		acq_free(ev->src_xcol);
	}
	acq_free(ev->xcol);
	acq_free(ev->val_xcol);
	acq_free(ev->cfg.logreg.work);
	acq_free(ev->blocks);
	acq_free(ev->coef);
	acq_free(ev->yhat);
	acq_free(ev->cost);
	for (s = 0; s < ev->nchunks; s++)
	{
		acq_free(ev->chunks[s]);
		if (ev->coef_chunks)
			acq_free(ev->coef_chunks[s]);
	}
	acq_free(ev->coef_chunks);
	acq_free(ev->hess0);
	acq_free(ev->hess_last);
	acq_free(ev->init_step);
	acq_free(ev->terms_work);
	acq_free(ev->src_pos);
	acq_free(ev->block_pos);
	acq_free(ev->chunks);
	acq_free(ev->slots);
	acq_free(ev);
}

double
acq_eval_memory(int m, int p, int64_t n_rows, int64_t n_val,
				const AcqEvalConfig *cfg, bool *rows_path)
{
	double		d = (double) p + 1.0;
	double		n = (double) n_rows;
	double		bytes = sizeof(AcqEvaluator) + sizeof(double) * (double) m;
	bool		rows = false;

	if (cfg->task == ACQ_TASK_REGRESSION)
	{
		rows = (cfg->linreg_path == ACQ_LINPATH_ROWS ||
				(cfg->linreg_path == ACQ_LINPATH_AUTO && n < d));
		bytes += sizeof(AcqBlock) * (double) m + sizeof(double) * (2.0 * d);
		if (rows)
			bytes += acq_linreg_rows_memory(n_rows, p);
		else
		{
			/* each source's statistics, the validation's and their sum */
			double		fit = acq_linreg_solve_memory(p, n_rows > n_val ? n_rows : n_val);

			bytes += (m + 2.0) * acq_linstats_memory(p);
			/* subsets with fewer rows than d are fitted from their rows */
			if (cfg->linreg_path == ACQ_LINPATH_AUTO)
			{
				double		r = acq_linreg_rows_memory(n_rows < p ? n_rows : p, p);

				if (r > fit)
					fit = r;
			}
			bytes += fit;
		}
	}
	else
	{
		/*
		 * the column-major copies of the sources and the validation rows,
		 * the fit's workspace, the Hessians kept for warm starts (d <= 48)
		 * and the first chunk of stored models
		 */
		double		model = (d <= 48) ? d + d * d : d;

		bytes += sizeof(double) * (n * d + (double) n_val * d +
								   (double) acq_logreg_work_size(n_rows, p) +
								   (d <= 48 ? (double) acq_logreg_source_terms_size(n_rows, p) : 0.0) +
								   3.0 * d * d + 4.0 * d + (double) n_val +
								   (double) CHUNK_SIZE * model);
		bytes += (sizeof(AcqBlock) + 2.0 * sizeof(double *) + 2.0 * sizeof(int64_t)) * m;
	}
	if (rows_path)
		*rows_path = rows;
	return bytes;
}
