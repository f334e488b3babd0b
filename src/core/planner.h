/*
 * planner.h -- the acquisition strategies of Li, Yu, Koudas, "Data
 * Acquisition for Improving Machine Learning Models" (VLDB 2021): EA
 * (estimation and allocation, §4), SPS (sequential predicate selection by
 * Thompson sampling, §5) and the baselines uniform (ACS-Uniform, §6.10) and
 * random.
 *
 * A planner is a state machine that knows nothing of where records come
 * from.  The host asks it for the next query (predicate P, count I), buys
 * from the provider, measures the query's utility when the planner wants it
 * (acq_planner_wants_utility), and reports back with acq_planner_observe.
 * Every query is one round of the acquisition plan.
 *
 * The planner's whole state saves into, and restores from, a flat array of
 * doubles (every field is a small integer or a double), so that a host can
 * log it with each round and resume an interrupted plan from its log.
 */
#ifndef ACQ_PLANNER_H
#define ACQ_PLANNER_H

#include "core/acq_core.h"

typedef enum AcqStrategy
{
	ACQ_STRATEGY_SPS = 0,
	ACQ_STRATEGY_EA,
	ACQ_STRATEGY_UNIFORM,
	ACQ_STRATEGY_RANDOM,
	ACQ_STRATEGY_CURVE			/* learning curves per predicate (core/curve.h): beyond the paper */
} AcqStrategy;

typedef enum AcqAllocation
{
	ACQ_ALLOCATION_LINEAR = 0,	/* w_P = U^_P (the paper's) */
	ACQ_ALLOCATION_SQRT,		/* w_P = sqrt(U^_P) (the paper's §6.4) */
	ACQ_ALLOCATION_MIXED,		/* half the budget linear, half equal: w_P = U^_P / sum U^ + 1 / |P| */
	ACQ_ALLOCATION_FILL			/* half equal, half water-filling the effective held counts
								 * h_P = 0.8 n_P (1 - U^_P) / U^_P (acq_ea_fill_targets) */
} AcqAllocation;

typedef enum AcqStage
{
	ACQ_STAGE_INIT = 0,			/* EA: l-share per predicate; SPS: one batch each */
	ACQ_STAGE_ESTIMATE,			/* EA: budget-aware estimation passes */
	ACQ_STAGE_ALLOCATE,			/* EA: first allocation pass (M_P) */
	ACQ_STAGE_FILL,				/* EA: passes that spend what is left */
	ACQ_STAGE_SAMPLE,			/* SPS: Thompson sampling */
	ACQ_STAGE_UNIFORM,			/* uniform: equal shares per round */
	ACQ_STAGE_RANDOM,			/* random: unconditioned records */
	ACQ_STAGE_DONE,
	ACQ_STAGE_CURVE				/* curve: the host's allocation of a round, query by query */
} AcqStage;

const char *acq_stage_name(AcqStage stage);

typedef struct AcqPlanParams
{
	AcqStrategy strategy;
	int64_t		budget;			/* B */
	int			batch;			/* I_Delta (SPS), records per round (uniform, random) */
	int			tau;			/* SPS window: rewards of the last tau queries per predicate */
	double		l;				/* EA: initial share of |R_P| */
	double		delta;			/* EA: significance level */
	AcqAllocation allocation;	/* EA */
	double		separation;		/* SPS: level at which the Thompson choice must beat the
								 * least-bought predicate's novelty, else that one is
								 * queried (acq_sps_separates); 1 = the paper's SPS */
	double		fill_cap;		/* EA 'fill': a predicate counts as at most fill_cap
								 * times its held records (acq_ea_fill_held); 0: no cap */
} AcqPlanParams;

typedef struct AcqPlanPred
{
	int64_t		pool;			/* |R_P|: records for sale at set-up */
	int64_t		available;		/* records still for sale (host keeps it current) */
	int64_t		bought;			/* bought through P by this plan */
	int64_t		bought_est;		/* EA: bought through P in init/estimation (B_P) */
	int64_t		held;			/* records held for P at the start (host: acq_planner_set_held;
								 * -1 until set: EA 'fill' then has no cap) */
	bool		exhausted;
	bool		has_utility;
	double		utility;		/* last measured novelty (EA: the estimate U^_P) */
	int64_t		pending;		/* request queued in the current pass */
	int			nwin;			/* SPS: rewards in the window */
	double	   *win_u;			/* SPS: last tau rewards (utilities), oldest first */
	double	   *win_n;			/* SPS: records each reward was measured on */
} AcqPlanPred;

typedef struct AcqPlanner
{
	AcqPlanParams p;
	int			np;				/* predicates */
	AcqPlanPred *preds;
	int		   *order;			/* pass order (EA allocation: by utility) */
	int64_t		budget_left;
	int64_t		rounds;			/* queries observed */
	AcqStage	stage;
	int			cursor;			/* position in the current pass */
	int64_t		pass;			/* passes started (uniform rotation, EA fill) */
	double		fill_unit;		/* EA fill: records per unit of weight */
	int			last_pred;		/* the query handed out, awaiting observe */
	int64_t		last_count;
	double		last_eps0;		/* EA: epsilon_0 of the last estimation decision */
	double		last_eps_star;	/* EA: its epsilon_* (NaN when it stopped) */
	double		usum;			/* EA allocation: sum of the floored utilities (not saved) */
	double	   *fill;			/* EA 'fill': each predicate's target total (not saved) */
} AcqPlanner;

/*
 * The first round of a plan covers every predicate with records for sale
 * (SPS: one batch each; EA: its initial share; uniform: records in turn).
 * When the budget cannot pay for what the strategy's first round asks, the
 * first round shrinks to fit: every predicate gets share records and the
 * first `extra` of them (by index) one more, so that it spends the whole
 * budget.  A budget below the number of predicates cannot cover them: the
 * host must refuse it.
 */
typedef struct AcqPlanStart
{
	int			active;			/* predicates with records for sale at set-up */
	int64_t		asked;			/* what the strategy's first round asks in all, unshrunk */
	bool		covers;			/* budget >= active: every predicate gets a record */
	bool		shrunk;			/* SPS/EA: the first round shrank to fit the budget */
	int64_t		share;			/* when shrunk: records per predicate */
	int			extra;			/* when shrunk: predicates that get share + 1 */
	bool		in_turn;		/* uniform: rounds (batch) smaller than the predicates */
} AcqPlanStart;

void		acq_planner_start(const AcqPlanner *pl, AcqPlanStart *st);

/* pool[i] = |R_P_i| (records for sale).  Returns NULL on a bad parameter. */
AcqPlanner *acq_planner_create(const AcqPlanParams *p, int np, const int64_t *pool,
							   char *errbuf, size_t errlen);
void		acq_planner_free(AcqPlanner *pl);

/*
 * the host's count of records still for sale through P (overlapping predicates, vanished rows).
 * After a query, call it after acq_planner_observe, which takes the received records off the
 * count as it stood before: the host's count already excludes them, and setting it first would
 * take them off twice (a predicate marked exhausted with records left, before session 30).
 */
void		acq_planner_set_available(AcqPlanner *pl, int pred, int64_t available);
/* the records held for predicate pred at the start (EA 'fill''s cap reads them) */
void		acq_planner_set_held(AcqPlanner *pl, int pred, int64_t held);

/*
 * The next query: true with *pred and *count set (count >= 1), or false when
 * the plan is complete (budget spent, or nothing left to buy).
 */
bool		acq_planner_next(AcqPlanner *pl, AcqRng *rng, int *pred, int64_t *count);

/* must the host measure the utility of the query just handed out? */
bool		acq_planner_wants_utility(const AcqPlanner *pl);

/*
 * May this query or a later one want a utility?  When not (EA's allocation
 * stages, uniform, random), the host need not keep the records' novelty
 * vectors: nothing will measure against them.
 */
bool		acq_planner_will_measure(const AcqPlanner *pl);

/*
 * What the query returned: received <= requested records (the provider
 * charges only for those), and their utility (NaN when not measured).
 */
void		acq_planner_observe(AcqPlanner *pl, int64_t received, double utility);

/*
 * curve: the planner hands out, predicate by predicate in index order, the
 * allocation the host set for the round (acq_planner_set_allocation); when
 * nothing of it is pending and budget is left, it wants the next one.  A
 * short answer leaves its shortfall to the next round.  pass counts the
 * allocation rounds set so far.
 */
bool		acq_planner_wants_allocation(const AcqPlanner *pl);
/* records the next allocation round spends: min(batch, budget left) */
int64_t		acq_planner_round_budget(const AcqPlanner *pl);
/* x[P] records for each predicate (sum at most the round budget) */
void		acq_planner_set_allocation(AcqPlanner *pl, const int64_t *x);

/* SPS posterior of P: Beta(alpha, beta) over the window (eq. 13) */
void		acq_planner_posterior(const AcqPlanner *pl, int pred, double *alpha, double *beta);

/* state as a flat array of doubles: size, save, restore (false if it does not fit) */
size_t		acq_planner_state_size(const AcqPlanner *pl);
void		acq_planner_save(const AcqPlanner *pl, double *out);
bool		acq_planner_restore(AcqPlanner *pl, const double *state, size_t n);

/* EA floors a utility here before allocating by it (the authors' code) */
#define ACQ_EA_MIN_UTILITY 1e-5
/* EA 'fill': the largest fill_cap (times a predicate's held records) */
#define ACQ_EA_MAX_FILL_CAP 1e6

/*
 * EA's error bound for P (eq. 5-7): epsilon such that Pr(|U - U^| >= eps) =
 * delta, from n records with estimate u: -PCT_{n-1}(delta/2) * S / sqrt(n),
 * S = sqrt(u(1-u)).  0 when n <= 1.
 */
double		acq_ea_epsilon(double u, int64_t n, double delta);

/*
 * SPS's coverage rule: does predicate `choice`'s posterior Beta(a1, b1)
 * exceed the least-bought predicate's Beta(a0, b0) at one-sided level
 * `level`?  Normal approximation: (m1 - m0) / sqrt(v1 + v0) >= z_{1-level}.
 * level >= 1 is always true (the paper's SPS).
 */
bool		acq_sps_separates(double a1, double b1, double a0, double b0, double level);

/*
 * EA's 'fill' allocation: each predicate's target total T_P (records bought
 * through P, all stages) for budget B: B / (2 |P|) plus a water-filling of
 * B / 2 over the effective held counts h[i] (levels; +inf: none of it):
 * sum_P max(0, lambda - h_P) = B / 2.  Writes np targets (not rounded).
 */
void		acq_ea_fill_targets(const double *h, int np, double budget, double *target);
/* the effective held count of a predicate whose n records scored novelty u */
double		acq_ea_effective_held(double u, int64_t n);
/*
 * 'fill''s level for a predicate: its effective held count, capped at cap
 * times the records it holds (at least one), so that a novelty measured at or
 * near 0 on a few records cannot make a predicate of few held records count
 * as covered beyond cap times them.  cap 0 or held < 0: no cap.
 */
double		acq_ea_fill_held(double u, int64_t n, int64_t held, double cap);

/*
 * EA's predicates still for sale whose novelty is exactly 0 from fewer than
 * `few` records: S_P = 0, so the estimation never measures them again and
 * every allocation holds them covered.  Counts them, their fewest and most
 * records (*lo, *hi) and returns the first-round share l that would give
 * each of them `few` (two decimals, at most 1); 0 when there is none or that
 * l is not above the plan's (a larger l would not measure them on more).
 */
double		acq_ea_unmeasured(const AcqPlanner *pl, int64_t few, int *count, int64_t *lo,
							  int64_t *hi);

#endif							/* ACQ_PLANNER_H */
