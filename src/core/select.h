/*
 * select.h -- source selection (SourceSplice paper, sections 2-4).
 *
 * The evaluator owns the sources' rows, the validation rows, the task and
 * the cost model, and answers P(S) = G(S) - C(S) for a subset S, memoised so
 * that one run never trains a subset twice.  The search methods (splice,
 * grasp, greedy, random, exhaustive, datamodels) only talk to the evaluator.
 */
#ifndef ACQ_SELECT_H
#define ACQ_SELECT_H

#include "core/acq_core.h"
#include "core/models.h"

#define ACQ_MAX_SOURCES 256

/* a subset of at most ACQ_MAX_SOURCES sources, as a bitset */
typedef struct AcqSet
{
	uint64_t	w[ACQ_MAX_SOURCES / 64];
} AcqSet;

static inline void
acq_set_clear(AcqSet *s)
{
	int			i;

	for (i = 0; i < ACQ_MAX_SOURCES / 64; i++)
		s->w[i] = 0;
}
static inline bool
acq_set_has(const AcqSet *s, int i)
{
	return (s->w[i >> 6] >> (i & 63)) & 1;
}
static inline void
acq_set_add(AcqSet *s, int i)
{
	s->w[i >> 6] |= (uint64_t) 1 << (i & 63);
}
static inline void
acq_set_del(AcqSet *s, int i)
{
	s->w[i >> 6] &= ~((uint64_t) 1 << (i & 63));
}
static inline bool
acq_set_eq(const AcqSet *a, const AcqSet *b)
{
	int			i;

	for (i = 0; i < ACQ_MAX_SOURCES / 64; i++)
		if (a->w[i] != b->w[i])
			return false;
	return true;
}
static inline int
acq_set_count(const AcqSet *s)
{
	int			i,
				c = 0;

	for (i = 0; i < ACQ_MAX_SOURCES / 64; i++)
		c += __builtin_popcountll(s->w[i]);
	return c;
}
/* the set whose first 64 members are the bits of mask */
static inline AcqSet
acq_set_from_mask(uint64_t mask)
{
	AcqSet		s;

	acq_set_clear(&s);
	s.w[0] = mask;
	return s;
}

/* the i-th subset in Gray-code order (neighbours differ by one source) */
static inline uint64_t
acq_gray_code(uint64_t i)
{
	return i ^ (i >> 1);
}

typedef enum AcqTask
{
	ACQ_TASK_CLASSIFICATION,	/* 100 * accuracy (logistic regression) */
	ACQ_TASK_F1,				/* 100 * F1 of class 1 (logistic regression) */
	ACQ_TASK_FAIRNESS,			/* 100 * accuracy + lambda * TPR gap */
	ACQ_TASK_REGRESSION			/* 100 / (1 + MSE / Var(y_val)) (linear/ridge) */
} AcqTask;

typedef enum AcqCostMode
{
	ACQ_COST_NONE,				/* C(s) = 0 */
	ACQ_COST_GIVEN,				/* C(s) given per source */
	ACQ_COST_GAIN				/* C(s) = scale * max(0, G({s}) - offset)^t */
} AcqCostMode;

/*
 * How the regression models are fitted.  By shape (ACQ_LINPATH_AUTO):
 * with at least p + 1 training rows in all, each source is reduced to its
 * (p+1) x (p+1) sufficient statistics once and a subset's fit costs O(p^3)
 * (acq_linreg_solve), except a subset with fewer than p + 1 rows, which is
 * fitted from its rows; with fewer rows in all than p + 1, no statistics
 * are built and every subset is fitted from its rows in the n x n row space
 * (acq_linreg_solve_rows), scored on the validation rows directly.  The
 * other two force one path, for tests and comparisons.
 */
typedef enum AcqLinPath
{
	ACQ_LINPATH_AUTO = 0,
	ACQ_LINPATH_STATS,
	ACQ_LINPATH_ROWS
} AcqLinPath;

typedef struct AcqEvalConfig
{
	AcqTask		task;
	double		lambda;			/* fairness weight, >= 0 */
	AcqLogregParams logreg;		/* classification models */
	double		alpha;			/* ridge penalty for regression, >= 0 */
	AcqLinPath	linreg_path;	/* regression: statistics or rows (above) */
	AcqCostMode cost_mode;
	const double *given_costs;	/* m costs, for ACQ_COST_GIVEN */
	int			cost_exponent;	/* t in {0,1,2} */
	double		cost_scale;		/* c */
	double		cost_offset;	/* F(x) = max(0, x - offset) */
} AcqEvalConfig;

void		acq_eval_default_config(AcqEvalConfig *cfg);

/* what one trained subset scored */
typedef struct AcqEvalEntry
{
	AcqSet		set;
	double		gain;
	double		cost;
	double		profit;
	int64_t		n_rows;			/* training rows of the union */
	double		accuracy;		/* NaN where the task has no such metric */
	double		f1;
	double		tpr_gap;
	double		mse;
	double		r2;
	bool		single_class;	/* the union held one class: constant model */
	/*
	 * A continuous score of the same model on the same validation rows,
	 * lower is better: the mean validation log-loss of the logistic model
	 * (classification, f1, fairness) or the validation MSE (regression).
	 * Never part of the gain; the search methods break ties between equal
	 * profits with it (AcqTieBreak).  +Inf for the empty set (no model).
	 */
	double		loss;
} AcqEvalEntry;

typedef struct AcqEvaluator AcqEvaluator;

/* called after every model trained (progress, logging) */
typedef void (*AcqEvalCallback) (void *arg, const AcqEvalEntry *entry,
								 int models_trained);

/*
 * Create an evaluator over m sources of p features.  The blocks are borrowed
 * (not copied) and must outlive the evaluator.  Returns NULL with a message
 * in errbuf on bad input (see acq_eval_create's checks).
 */
AcqEvaluator *acq_eval_create(int m, int p, const AcqBlock *sources,
							  const AcqBlock *validation,
							  const AcqEvalConfig *cfg,
							  char *errbuf, size_t errlen);
void		acq_eval_set_callback(AcqEvaluator *ev, AcqEvalCallback cb, void *arg);

/*
 * The logistic terms of every source at K weight vectors (K x (p+1), end to
 * end): flat[s] receives source s's flat form (aggstats.h, acq_logacc_flatten;
 * allocated with acq_alloc, freed by the caller), len[s] its length.  The
 * host computes them where the rows are (acq.logistic_terms) and may leave
 * non-locally on an error.
 */
typedef void (*AcqTermsFn) (void *arg, const double *W, int K, double **flat, size_t *len);

/*
 * A classification evaluator without training rows: each source's row
 * count n and positive labels pos, the validation rows (local), and the
 * host's terms function.  Each model is fitted by Newton steps from summed
 * terms (one call of fn a step); acq_eval_prefetch fits many subsets with
 * one call a step.
 */
AcqEvaluator *acq_eval_create_terms(int m, int p, const int64_t *n, const double *pos,
									const AcqBlock *validation, const AcqEvalConfig *cfg,
									AcqTermsFn fn, void *arg, char *errbuf, size_t errlen);
/* fit these subsets together before they are asked for (no-op with rows) */
void		acq_eval_prefetch(AcqEvaluator *ev, const AcqSet *sets, int nsets);
/* calls of the terms function so far */
int			acq_eval_round_trips(const AcqEvaluator *ev);

/*
 * A regression evaluator from statistics alone: each source's and the
 * validation rows' centred statistics (core/aggstats.h, as the aggregate
 * acq.linear_stats returns them, flushed; read only).  No row is held; every subset
 * is fitted from sums of statistics.  NULL with a message on bad input.
 */
struct AcqLinAcc;
AcqEvaluator *acq_eval_create_stats(int m, int p, struct AcqLinAcc *const *sources,
									const struct AcqLinAcc *validation,
									const AcqEvalConfig *cfg, char *errbuf,
									size_t errlen);

/*
 * Called when a subset cannot be scored within the core's limits (a fit
 * refused with ACQ_ERR_TOO_LARGE: see ACQ_LINREG_MAX_EIGEN; or a regression
 * whose squared errors overflow float8, ACQ_ERR_OVERFLOW), with the status
 * and a message.  The host may leave non-locally (PostgreSQL raises an
 * ERROR).  If it returns, or none is set, the subset's gain is NaN and
 * acq_eval_status reports the first such failure.
 */
typedef void (*AcqEvalErrorFn) (void *arg, AcqStatus status, const char *msg);
void		acq_eval_set_error_handler(AcqEvaluator *ev, AcqEvalErrorFn fn, void *arg);
AcqStatus	acq_eval_status(const AcqEvaluator *ev, char *errbuf, size_t errlen);
/* the subset being scored (the one an error handler is called about) */
const AcqSet *acq_eval_scoring(const AcqEvaluator *ev);

/*
 * What an evaluator over m sources of p features, n_rows training rows in
 * all and n_val validation rows allocates beyond the rows themselves: at
 * creation and, at most, while it scores one subset (the memo of scored
 * subsets, ~100 bytes a subset, aside).  *rows_path (may be NULL) is set to
 * whether regression fits from rows (no statistics).  In bytes.
 */
double		acq_eval_memory(int m, int p, int64_t n_rows, int64_t n_val,
							const AcqEvalConfig *cfg, bool *rows_path);
int			acq_eval_num_sources(const AcqEvaluator *ev);
int			acq_eval_models_trained(const AcqEvaluator *ev);
/* of those, how many saw a single class, and how many fits stopped short */
void		acq_eval_model_counts(const AcqEvaluator *ev, int *single_class,
								  int *unconverged);
double		acq_eval_source_cost(AcqEvaluator *ev, int s);

/*
 * P(S), memoised.  The empty set has profit 0 and is never trained.  The
 * returned entry stays valid until the evaluator is freed.
 */
const AcqEvalEntry *acq_eval_get(AcqEvaluator *ev, const AcqSet *s);
double		acq_eval_profit(AcqEvaluator *ev, const AcqSet *s);
/* the memoised entry of S, or NULL if S was not trained yet */
const AcqEvalEntry *acq_eval_lookup(const AcqEvaluator *ev, const AcqSet *s);
/* compute S into *out without memoising it (exhaustive enumeration) */
void		acq_eval_compute(AcqEvaluator *ev, const AcqSet *s, AcqEvalEntry *out);
/* entries trained so far, in the order they were trained */
int			acq_eval_num_entries(const AcqEvaluator *ev);
const AcqEvalEntry *acq_eval_entry(const AcqEvaluator *ev, int i);
void		acq_eval_free(AcqEvaluator *ev);

/* ---- search methods ----------------------------------------------------- */
typedef struct AcqSelectResult
{
	AcqSet		best;
	double		gain;
	double		cost;
	double		profit;
	int64_t		n_rows;
} AcqSelectResult;

/*
 * How the search methods compare two profits that tie (acq_profit_cmp).
 * Accuracy is a step function: on imbalanced labels many subsets score the
 * same majority-class accuracy, and a search that only sees profits is flat
 * there.
 */
typedef enum AcqTieBreak
{
	ACQ_TIE_LOSS = 0,			/* equal profits: the lower validation loss wins */
	ACQ_TIE_NONE				/* the paper: profits alone (ties by source index) */
} AcqTieBreak;

/*
 * Profits (and differences of profits) are compared on a grid of
 * ACQ_TIE_QUANTUM percentage points: two values in the same cell tie.
 * Gains are in percentage points; the smallest real step of an accuracy
 * gain is 100 / n_val (1e-5 at ten million validation rows), while
 * profits that are equal in exact arithmetic differ by at most a few ulps
 * (~1e-14 at 100) when costs are summed in another order.  A grid, not a
 * tolerance |a - b| <= tol, so that "ties" is an equivalence relation and
 * the comparison a strict weak order: sorts are consistent and a search
 * that only moves to strictly better subsets cannot cycle.
 */
#define ACQ_TIE_QUANTUM 1e-9

/*
 * SourceSplice's default number of random restarts from the best set seen
 * (AcqSelectParams.restarts; 0 is the paper's Algorithm 2).  Chosen on the
 * 22-task suite of bench/source_selection/ (docs/source-selection.md).
 */
#define ACQ_SPLICE_RESTARTS 16

/*
 * Compare (profit pa, loss la) with (pb, lb): > 0 if a is better, < 0 if
 * b is, 0 if they tie.  A NaN profit is worse than any other (a subset
 * that could not be scored); a NaN loss is the worst loss.  With
 * ACQ_TIE_NONE, profits alone are compared, exactly.
 */
int			acq_profit_cmp(double pa, double la, double pb, double lb,
						   AcqTieBreak tb);
/* a better than b (entries), by acq_profit_cmp */
bool		acq_entry_better(const AcqEvalEntry *a, const AcqEvalEntry *b,
							 AcqTieBreak tb);

typedef struct AcqSelectParams
{
	int			s_max;			/* splice: largest active set, 1..m */
	int			k_max;			/* splice: most swaps per splicing, >= 1 */
	int			restarts;		/* splice: random restarts from the best, >= 0 (0: the paper) */
	int			iterations;		/* grasp: N; random: permutations */
	int			rcl_size;		/* grasp: restricted candidate list k */
	int			samples;		/* datamodels: random subsets trained */
	double		surrogate_alpha;	/* datamodels: ridge penalty of the surrogate */
	AcqRng	   *rng;			/* randomised methods */
	AcqTieBreak tie_break;		/* how every method compares equal profits */
	/* optional: told the fraction of the search done, now and then */
	void		(*progress) (void *arg, double fraction);
	void	   *progress_arg;
} AcqSelectParams;

/* report progress through prm, if it asks for it */
static inline void
acq_select_progress(const AcqSelectParams *prm, double fraction)
{
	if (prm->progress)
		prm->progress(prm->progress_arg, fraction);
}

void		acq_select_default_params(AcqSelectParams *prm, int m);

AcqStatus	acq_select_splice(AcqEvaluator *ev, const AcqSelectParams *prm,
							  AcqSelectResult *res);
AcqStatus	acq_select_grasp(AcqEvaluator *ev, const AcqSelectParams *prm,
							 AcqSelectResult *res);
AcqStatus	acq_select_greedy(AcqEvaluator *ev, const AcqSelectParams *prm,
							  AcqSelectResult *res);
AcqStatus	acq_select_random(AcqEvaluator *ev, const AcqSelectParams *prm,
							  AcqSelectResult *res);
AcqStatus	acq_select_exhaustive(AcqEvaluator *ev, const AcqSelectParams *prm,
								  AcqSelectResult *res);
AcqStatus	acq_select_datamodels(AcqEvaluator *ev, const AcqSelectParams *prm,
								  AcqSelectResult *res);

/*
 * indices of all sources by individual profit, best first, equal profits
 * ordered by tb (caller frees)
 */
int		   *acq_sources_by_profit(AcqEvaluator *ev, AcqTieBreak tb);

/* fill res from a trained entry */
void		acq_select_result_set(AcqSelectResult *res, const AcqEvalEntry *e);

#endif							/* ACQ_SELECT_H */
