/*
 * planner.c -- EA, SPS, uniform and random acquisition planners (planner.h).
 *
 * Where the paper and the authors' code differ, this follows the paper and
 * says so:
 *   - EA's sample standard deviation is S_P = sqrt(U(1-U)) (§4.1, eq. 4);
 *     the authors' code uses U(1-U).
 *   - EA's allocation visits predicates by descending estimated utility
 *     (§4.3), in the first pass and in the passes that spend what is left.
 *   - SPS rewards are weighted by the records a query actually returned
 *     (alpha += U*n, beta += (1-U)*n, eq. 12 with N = U*n); the authors use
 *     the requested batch size.  They agree except on a predicate's last,
 *     short batch.  The window (eq. 13) keeps the last tau rewards and the
 *     posterior is recomputed from it, so no rounding drift accumulates.
 *   - No query asks for more than the budget left (the authors' last SPS
 *     batch may overshoot the budget).
 * From the authors' code: EA's initial max(5, ceil(l*|R_P|)) records, its
 * grid of 99 candidate epsilons below epsilon_0, the heuristic reward
 * (B' - dB)(1 - eps), and utilities floored at 1e-5 before allocating.
 *
 * Beyond the paper: the first round covers every predicate whatever the
 * budget (acq_planner_start).  When the budget cannot pay for one batch per
 * predicate (SPS) or EA's initial shares, the first round shrinks to an equal
 * split of the budget; uniform hands out its records in turn, so that no
 * predicate gets a second record before every one has had a first.  EA's
 * 'mixed' allocation spends half the budget by utility and half equally;
 * 'fill' half equally and half water-filling the effective held counts that
 * the utilities imply.  SPS queries Thompson sampling's choice only where its
 * novelty beats the least-bought predicate's at the level `separation`, and
 * that predicate otherwise (separation = 1: the paper's SPS).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/planner.h"
#include "core/distributions.h"

#define STATE_VERSION 1
#define HEADER_FIELDS 14
#define PRED_FIELDS 9
#define EA_EPS_STEPS 99

const char *
acq_stage_name(AcqStage stage)
{
	switch (stage)
	{
		case ACQ_STAGE_INIT:
			return "init";
		case ACQ_STAGE_ESTIMATE:
			return "estimate";
		case ACQ_STAGE_ALLOCATE:
			return "allocate";
		case ACQ_STAGE_FILL:
			return "fill";
		case ACQ_STAGE_SAMPLE:
			return "sample";
		case ACQ_STAGE_UNIFORM:
			return "uniform";
		case ACQ_STAGE_RANDOM:
			return "random";
		case ACQ_STAGE_DONE:
			return "done";
		case ACQ_STAGE_CURVE:
			return "curve";
	}
	return "?";
}

AcqPlanner *
acq_planner_create(const AcqPlanParams *p, int np, const int64_t *pool,
				   char *errbuf, size_t errlen)
{
	AcqPlanner *pl;

	if (np < 1)
	{
		snprintf(errbuf, errlen, "there are no predicates");
		return NULL;
	}
	if (p->budget < 1 || p->batch < 1 || p->tau < 1 ||
		!(p->l > 0.0 && p->l <= 1.0) || !(p->delta > 0.0 && p->delta < 1.0) ||
		!(p->separation >= 0.0 && p->separation <= 1.0) ||
		!(p->fill_cap >= 0.0 && p->fill_cap <= ACQ_EA_MAX_FILL_CAP))
	{
		snprintf(errbuf, errlen, "a planner parameter is out of range");
		return NULL;
	}
	pl = acq_alloc(sizeof(AcqPlanner));
	pl->p = *p;
	pl->np = np;
	pl->preds = acq_alloc_array(np, sizeof(AcqPlanPred));
	pl->order = acq_alloc_array(np, sizeof(int));
	pl->fill = acq_alloc_array(np, sizeof(double));
	for (int i = 0; i < np; i++)
	{
		AcqPlanPred *q = &pl->preds[i];

		q->held = -1;
		q->pool = pool[i];
		q->available = pool[i];
		q->exhausted = pool[i] <= 0;
		q->win_u = acq_alloc_array(p->tau, sizeof(double));
		q->win_n = acq_alloc_array(p->tau, sizeof(double));
		pl->order[i] = i;
	}
	pl->budget_left = p->budget;
	switch (p->strategy)
	{
		case ACQ_STRATEGY_SPS:
		case ACQ_STRATEGY_EA:
			pl->stage = ACQ_STAGE_INIT;
			break;
		case ACQ_STRATEGY_UNIFORM:
			pl->stage = ACQ_STAGE_UNIFORM;
			break;
		case ACQ_STRATEGY_RANDOM:
			pl->stage = ACQ_STAGE_RANDOM;
			break;
		case ACQ_STRATEGY_CURVE:
			pl->stage = ACQ_STAGE_CURVE;
			break;
	}
	pl->cursor = 0;
	pl->last_pred = -1;
	pl->last_eps0 = NAN;
	pl->last_eps_star = NAN;
	return pl;
}

void
acq_planner_free(AcqPlanner *pl)
{
	if (pl == NULL)
		return;
	for (int i = 0; i < pl->np; i++)
	{
		acq_free(pl->preds[i].win_u);
		acq_free(pl->preds[i].win_n);
	}
	acq_free(pl->preds);
	acq_free(pl->order);
	acq_free(pl->fill);
	acq_free(pl);
}

void
acq_planner_set_available(AcqPlanner *pl, int pred, int64_t available)
{
	AcqPlanPred *q = &pl->preds[pred];

	q->available = available;
	if (available <= 0)
		q->exhausted = true;
}

void
acq_planner_set_held(AcqPlanner *pl, int pred, int64_t held)
{
	pl->preds[pred].held = held;
}

static bool
all_exhausted(const AcqPlanner *pl)
{
	for (int i = 0; i < pl->np; i++)
		if (!pl->preds[i].exhausted)
			return false;
	return true;
}

static int64_t ea_initial_count(const AcqPlanner *pl, const AcqPlanPred *q);

/* what the strategy's first round asks of P, before any shrinking */
static int64_t
init_wanted(const AcqPlanner *pl, const AcqPlanPred *q)
{
	int64_t		w = pl->p.strategy == ACQ_STRATEGY_EA ? ea_initial_count(pl, q) : pl->p.batch;

	/* a pool smaller than that answers short: only what it holds is charged */
	return w < q->pool ? w : q->pool;
}

void
acq_planner_start(const AcqPlanner *pl, AcqPlanStart *st)
{
	memset(st, 0, sizeof(*st));
	for (int i = 0; i < pl->np; i++)
	{
		const AcqPlanPred *q = &pl->preds[i];

		if (q->pool <= 0)
			continue;
		st->active++;
		if (pl->p.strategy == ACQ_STRATEGY_SPS || pl->p.strategy == ACQ_STRATEGY_EA)
			st->asked += init_wanted(pl, q);
	}
	st->covers = pl->p.budget >= st->active;
	switch (pl->p.strategy)
	{
		case ACQ_STRATEGY_SPS:
		case ACQ_STRATEGY_EA:
			if (st->asked > pl->p.budget && st->active > 0)
			{
				st->shrunk = true;
				st->share = pl->p.budget / st->active;
				st->extra = (int) (pl->p.budget % st->active);
			}
			break;
		case ACQ_STRATEGY_UNIFORM:
			st->asked = pl->p.batch < pl->p.budget ? pl->p.batch : pl->p.budget;
			st->in_turn = st->asked < st->active;
			break;
		case ACQ_STRATEGY_RANDOM:
			st->asked = pl->p.batch < pl->p.budget ? pl->p.batch : pl->p.budget;
			break;
		case ACQ_STRATEGY_CURVE:
			/* the curves measure every predicate on the validation rows: no first round to cover them */
			st->asked = pl->p.batch < pl->p.budget ? pl->p.batch : pl->p.budget;
			st->covers = true;
			break;
	}
}

/*
 * The first round's request for P (SPS, EA): the strategy's own, or, when
 * that does not fit the budget, the equal share (one more for the first
 * `extra` predicates with records for sale, by index).  Computed from the
 * pools at set-up, which a restored state keeps, so a resumed plan agrees.
 */
static int64_t
init_count(const AcqPlanner *pl, int pred)
{
	AcqPlanStart st;
	int			rank = 0;

	acq_planner_start(pl, &st);
	if (!st.shrunk)
		return pl->p.strategy == ACQ_STRATEGY_EA ?
			ea_initial_count(pl, &pl->preds[pred]) : pl->p.batch;
	for (int i = 0; i < pred; i++)
		if (pl->preds[i].pool > 0)
			rank++;
	return st.share + (rank < st.extra ? 1 : 0);
}

/* ---- SPS ------------------------------------------------------------------ */

void
acq_planner_posterior(const AcqPlanner *pl, int pred, double *alpha, double *beta)
{
	const AcqPlanPred *q = &pl->preds[pred];
	double		a = 1.0,
				b = 1.0;			/* Beta(1,1) prior */

	for (int i = 0; i < q->nwin; i++)
	{
		a += q->win_u[i] * q->win_n[i];
		b += (1.0 - q->win_u[i]) * q->win_n[i];
	}
	*alpha = a;
	*beta = b;
}

/* the predicate still for sale that this plan bought least of (lowest index on ties) */
static int
least_bought(const AcqPlanner *pl)
{
	int			best = -1;

	for (int i = 0; i < pl->np; i++)
		if (!pl->preds[i].exhausted && (best < 0 || pl->preds[i].bought < pl->preds[best].bought))
			best = i;
	return best;
}

/* Thompson sampling: the predicate whose Beta draw is largest (lowest index on ties) */
static int
sps_choose(AcqPlanner *pl, AcqRng *rng)
{
	int			best = -1;
	double		best_theta = -1.0;

	for (int i = 0; i < pl->np; i++)
	{
		double		a,
					b,
					theta;

		if (pl->preds[i].exhausted)
			continue;
		acq_planner_posterior(pl, i, &a, &b);
		theta = acq_rng_beta(rng, a, b);
		if (theta > best_theta)
		{
			best_theta = theta;
			best = i;
		}
	}
	return best;
}

static void
sps_reward(AcqPlanPred *q, int tau, int64_t received, double utility)
{
	if (received <= 0 || isnan(utility))
		return;
	if (q->nwin == tau)
	{
		/* forget the oldest reward (eq. 13) */
		memmove(q->win_u, q->win_u + 1, sizeof(double) * (tau - 1));
		memmove(q->win_n, q->win_n + 1, sizeof(double) * (tau - 1));
		q->nwin--;
	}
	q->win_u[q->nwin] = utility;
	q->win_n[q->nwin] = (double) received;
	q->nwin++;
}

/* ---- EA ------------------------------------------------------------------- */

static int64_t
ea_initial_count(const AcqPlanner *pl, const AcqPlanPred *q)
{
	int64_t		c = (int64_t) ceil(pl->p.l * (double) q->pool - 1e-9);

	return c < 5 ? 5 : c;
}

/*
 * One decision of the estimation stage (Algorithm 1, lines 4-12): find
 * epsilon_0, the best epsilon_* below it and the records each predicate
 * needs to reach it; queue them as the next pass, or return false to stop.
 */
static bool
ea_plan_estimation(AcqPlanner *pl)
{
	double		eps0 = 0.0,
				current,
				best = 0.0,
				best_eps = NAN;
	double		Bp = (double) pl->budget_left;
	double	   *as = acq_alloc_array(pl->np, sizeof(double));
	int64_t    *need = acq_alloc_array(pl->np, sizeof(int64_t));
	int64_t    *best_need = acq_alloc_array(pl->np, sizeof(int64_t));
	bool		go;

	/* A_P * S_P for each predicate with a utility from >= 2 records */
	for (int i = 0; i < pl->np; i++)
	{
		AcqPlanPred *q = &pl->preds[i];

		as[i] = 0.0;
		if (q->bought <= 1 || !q->has_utility || q->exhausted)
			continue;
		as[i] = -acq_t_quantile(pl->p.delta / 2.0, (double) (q->bought - 1)) *
			sqrt(fmax(q->utility * (1.0 - q->utility), 0.0));
		eps0 = fmax(eps0, as[i] / sqrt((double) q->bought));
	}
	pl->last_eps0 = eps0;
	pl->last_eps_star = NAN;
	if (eps0 <= 0.0 || pl->budget_left <= 0)
	{
		go = false;
		goto done;
	}
	current = (1.0 - eps0) * Bp;
	for (int s = 1; s <= EA_EPS_STEPS; s++)
	{
		double		eps = eps0 * (1.0 - 0.01 * s);
		double		total = 0.0,
					reward;

		for (int i = 0; i < pl->np; i++)
		{
			AcqPlanPred *q = &pl->preds[i];
			double		want;

			need[i] = 0;
			if (as[i] <= 0.0 || q->exhausted)
				continue;
			want = (as[i] / eps) * (as[i] / eps) - (double) q->bought;
			if (want <= 0.0)
				continue;
			need[i] = (int64_t) ceil(want);
			if (need[i] > q->available)
				need[i] = q->available;
			total += (double) need[i];
		}
		reward = (Bp - total) * (1.0 - eps);
		if (reward > best)
		{
			best = reward;
			best_eps = eps;
			memcpy(best_need, need, sizeof(int64_t) * pl->np);
		}
	}
	go = !isnan(best_eps) && best > current;
	if (go)
	{
		int64_t		total = 0;

		for (int i = 0; i < pl->np; i++)
		{
			pl->preds[i].pending = best_need[i];
			total += best_need[i];
		}
		go = total > 0;
		pl->last_eps_star = best_eps;
	}
done:
	acq_free(best_need);
	acq_free(need);
	acq_free(as);
	return go;
}

static double
ea_floored(const AcqPlanPred *q)
{
	return q->has_utility ? fmax(q->utility, ACQ_EA_MIN_UTILITY) : ACQ_EA_MIN_UTILITY;
}

/* pl->usum for the mixed weights, pl->fill for 'fill': from the utilities */
static void
ea_weight_prepare(AcqPlanner *pl)
{
	pl->usum = 0.0;
	for (int i = 0; i < pl->np; i++)
		pl->usum += ea_floored(&pl->preds[i]);
	if (pl->p.allocation == ACQ_ALLOCATION_FILL)
	{
		for (int i = 0; i < pl->np; i++)
			pl->fill[i] = acq_ea_fill_held(ea_floored(&pl->preds[i]), pl->preds[i].bought_est,
										   pl->preds[i].held, pl->p.fill_cap);
		acq_ea_fill_targets(pl->fill, pl->np, (double) pl->p.budget, pl->fill);
	}
}

static double
ea_weight(const AcqPlanner *pl, const AcqPlanPred *q)
{
	double		u = ea_floored(q);

	switch (pl->p.allocation)
	{
		case ACQ_ALLOCATION_SQRT:
			return sqrt(u);
		case ACQ_ALLOCATION_MIXED:
			/* sums to 2 over every predicate: half by utility, half equal */
			return u / pl->usum + 1.0 / (double) pl->np;
		case ACQ_ALLOCATION_FILL:
			/* sums to B over every predicate: the target total of P */
			return pl->fill[q - pl->preds];
		case ACQ_ALLOCATION_LINEAR:
			break;
	}
	return u;
}

/* predicates by descending utility, ties by index: the allocation order */
static void
ea_sort_order(AcqPlanner *pl)
{
	for (int i = 0; i < pl->np; i++)
		pl->order[i] = i;
	for (int i = 1; i < pl->np; i++)
	{
		int			v = pl->order[i];
		double		uv = ea_weight(pl, &pl->preds[v]);
		int			j = i;

		while (j > 0 && ea_weight(pl, &pl->preds[pl->order[j - 1]]) < uv)
		{
			pl->order[j] = pl->order[j - 1];
			j--;
		}
		pl->order[j] = v;
	}
}

/* first allocation pass (§4.3): M_P = B w_P / sum(w) - B_P */
static void
ea_plan_allocation(AcqPlanner *pl)
{
	double		wsum = 0.0;

	ea_weight_prepare(pl);
	ea_sort_order(pl);
	for (int i = 0; i < pl->np; i++)
		wsum += ea_weight(pl, &pl->preds[i]);
	for (int i = 0; i < pl->np; i++)
	{
		AcqPlanPred *q = &pl->preds[i];
		int64_t		m = (int64_t) floor((double) pl->p.budget * ea_weight(pl, q) / wsum);

		m -= q->bought;
		q->pending = m > 0 && !q->exhausted ? m : 0;
	}
}

/* a pass that spends what is left, in proportion to the weights of what is for sale */
static bool
ea_plan_fill(AcqPlanner *pl)
{
	double		wsum = 0.0;

	ea_weight_prepare(pl);
	for (int i = 0; i < pl->np; i++)
		if (!pl->preds[i].exhausted)
			wsum += ea_weight(pl, &pl->preds[i]);
	if (wsum <= 0.0 || pl->budget_left <= 0)
		return false;
	pl->fill_unit = ceil((double) pl->budget_left / wsum);
	for (int i = 0; i < pl->np; i++)
	{
		AcqPlanPred *q = &pl->preds[i];

		q->pending = q->exhausted ? 0 :
			(int64_t) ceil(pl->fill_unit * ea_weight(pl, q) - 1e-9);
	}
	pl->pass++;
	return true;
}

/* ---- uniform -------------------------------------------------------------- */

/*
 * One round: min(batch, budget left) split equally, the remainder handed out
 * in turn: pl->pass is where the next round's remainder starts, just after
 * the last predicate that had one.  A round smaller than the predicates thus
 * serves them in turn, and no predicate gets a second record before every
 * one has had a first.
 */
static bool
uniform_plan_round(AcqPlanner *pl)
{
	int			active = 0,
				last = -1,
				r;
	int64_t		total = pl->p.batch < pl->budget_left ? pl->p.batch : pl->budget_left;
	int64_t		share,
				rem;
	int			start;

	for (int i = 0; i < pl->np; i++)
		if (!pl->preds[i].exhausted)
			active++;
	if (active == 0 || total <= 0)
		return false;
	share = total / active;
	rem = total % active;
	start = (int) (pl->pass % pl->np);
	r = 0;
	for (int c = 0; c < pl->np; c++)
	{
		int			i = (start + c) % pl->np;
		AcqPlanPred *q = &pl->preds[i];

		pl->order[c] = i;
		q->pending = 0;
		if (q->exhausted)
			continue;
		q->pending = share + (r < rem ? 1 : 0);
		if (r < rem)
			last = i;
		r++;
	}
	if (last >= 0)
		pl->pass = (last + 1) % pl->np;
	return true;
}

/* ---- the state machine ---------------------------------------------------- */

/* the next predicate with a pending request in the current pass, or -1 */
static int
next_pending(AcqPlanner *pl)
{
	while (pl->cursor < pl->np)
	{
		int			i = pl->order[pl->cursor];
		AcqPlanPred *q = &pl->preds[i];

		if (q->pending > 0 && !q->exhausted)
			return i;
		q->pending = 0;
		pl->cursor++;
	}
	return -1;
}

static bool
hand_out(AcqPlanner *pl, int pred, int64_t want, int *out_pred, int64_t *out_count)
{
	if (want > pl->budget_left)
		want = pl->budget_left;
	if (want <= 0)
		return false;
	pl->last_pred = pred;
	pl->last_count = want;
	*out_pred = pred;
	*out_count = want;
	return true;
}

bool
acq_planner_next(AcqPlanner *pl, AcqRng *rng, int *pred, int64_t *count)
{
	for (;;)
	{
		int			i;

		if (pl->budget_left <= 0 || all_exhausted(pl))
			pl->stage = ACQ_STAGE_DONE;
		switch (pl->stage)
		{
			case ACQ_STAGE_DONE:
				return false;

			case ACQ_STAGE_INIT:
				/* one query per predicate, in index order */
				while (pl->cursor < pl->np && pl->preds[pl->cursor].exhausted)
					pl->cursor++;
				if (pl->cursor < pl->np)
				{
					int64_t		want = init_count(pl, pl->cursor);

					if (want <= 0)
					{
						/* a budget below the predicates: the host refuses it */
						pl->cursor++;
						continue;
					}
					return hand_out(pl, pl->cursor, want, pred, count);
				}
				pl->cursor = 0;
				if (pl->p.strategy == ACQ_STRATEGY_SPS)
					pl->stage = ACQ_STAGE_SAMPLE;
				else if (ea_plan_estimation(pl))
					pl->stage = ACQ_STAGE_ESTIMATE;
				else
				{
					ea_plan_allocation(pl);
					pl->stage = ACQ_STAGE_ALLOCATE;
				}
				continue;

			case ACQ_STAGE_ESTIMATE:
				i = next_pending(pl);
				if (i >= 0)
					return hand_out(pl, i, pl->preds[i].pending, pred, count);
				pl->cursor = 0;
				if (!ea_plan_estimation(pl))
				{
					ea_plan_allocation(pl);
					pl->stage = ACQ_STAGE_ALLOCATE;
				}
				continue;

			case ACQ_STAGE_ALLOCATE:
			case ACQ_STAGE_FILL:
				i = next_pending(pl);
				if (i >= 0)
					return hand_out(pl, i, pl->preds[i].pending, pred, count);
				pl->cursor = 0;
				pl->stage = ACQ_STAGE_FILL;
				if (!ea_plan_fill(pl))
					pl->stage = ACQ_STAGE_DONE;
				continue;

			case ACQ_STAGE_SAMPLE:
				i = sps_choose(pl, rng);
				if (i < 0)
				{
					pl->stage = ACQ_STAGE_DONE;
					continue;
				}
				if (pl->p.separation < 1.0)
				{
					/*
					 * Coverage: the draw's choice only where its novelty
					 * beats the least-bought predicate's at the level;
					 * else that predicate (every draw is still taken, so
					 * the generator's stream does not depend on it).
					 */
					int			low = least_bought(pl);
					double		a1,
								b1,
								a0,
								b0;

					acq_planner_posterior(pl, i, &a1, &b1);
					acq_planner_posterior(pl, low, &a0, &b0);
					if (low != i && !acq_sps_separates(a1, b1, a0, b0, pl->p.separation))
						i = low;
				}
				return hand_out(pl, i, pl->p.batch, pred, count);

			case ACQ_STAGE_UNIFORM:
				i = next_pending(pl);
				if (i >= 0)
					return hand_out(pl, i, pl->preds[i].pending, pred, count);
				pl->cursor = 0;
				if (!uniform_plan_round(pl))
					pl->stage = ACQ_STAGE_DONE;
				continue;

			case ACQ_STAGE_CURVE:
				i = next_pending(pl);
				if (i >= 0)
					return hand_out(pl, i, pl->preds[i].pending, pred, count);
				/* the host sets the next allocation first (acq_planner_wants_allocation) */
				return false;

			case ACQ_STAGE_RANDOM:
				/* the host offers a single predicate: the whole pool */
				for (i = 0; i < pl->np; i++)
					if (!pl->preds[i].exhausted)
						return hand_out(pl, i, pl->p.batch, pred, count);
				pl->stage = ACQ_STAGE_DONE;
				continue;
		}
	}
}

/* ---- curve: the host's allocations ------------------------------------------ */

bool
acq_planner_wants_allocation(const AcqPlanner *pl)
{
	if (pl->stage != ACQ_STAGE_CURVE || pl->budget_left <= 0 || all_exhausted(pl))
		return false;
	for (int i = 0; i < pl->np; i++)
		if (pl->preds[i].pending > 0 && !pl->preds[i].exhausted)
			return false;
	return true;
}

int64_t
acq_planner_round_budget(const AcqPlanner *pl)
{
	return pl->p.batch < pl->budget_left ? pl->p.batch : pl->budget_left;
}

void
acq_planner_set_allocation(AcqPlanner *pl, const int64_t *x)
{
	for (int i = 0; i < pl->np; i++)
	{
		pl->order[i] = i;
		pl->preds[i].pending = pl->preds[i].exhausted || x[i] < 0 ? 0 : x[i];
	}
	pl->cursor = 0;
	pl->pass++;
}

bool
acq_planner_wants_utility(const AcqPlanner *pl)
{
	switch (pl->stage)
	{
		case ACQ_STAGE_INIT:
		case ACQ_STAGE_ESTIMATE:
			return true;
		case ACQ_STAGE_SAMPLE:
			return true;
		default:
			return false;
	}
}

bool
acq_planner_will_measure(const AcqPlanner *pl)
{
	/* the stages only move forward: INIT -> ESTIMATE -> ALLOCATE -> FILL, INIT -> SAMPLE */
	switch (pl->stage)
	{
		case ACQ_STAGE_INIT:
		case ACQ_STAGE_ESTIMATE:
		case ACQ_STAGE_SAMPLE:
			return true;
		default:
			return false;
	}
}

void
acq_planner_observe(AcqPlanner *pl, int64_t received, double utility)
{
	int			i = pl->last_pred;
	AcqPlanPred *q;

	if (i < 0)
		return;
	q = &pl->preds[i];
	if (received < 0)
		received = 0;
	if (received > pl->last_count)
		received = pl->last_count;
	q->bought += received;
	q->available -= received;
	pl->budget_left -= received;
	pl->rounds++;
	if (received < pl->last_count || q->available <= 0)
		q->exhausted = true;
	if (!isnan(utility))
	{
		q->utility = utility;
		q->has_utility = true;
	}
	switch (pl->stage)
	{
		case ACQ_STAGE_INIT:
			if (pl->p.strategy == ACQ_STRATEGY_EA)
				q->bought_est += received;
			else
				sps_reward(q, pl->p.tau, received, utility);
			pl->cursor++;
			break;
		case ACQ_STAGE_ESTIMATE:
			q->bought_est += received;
			q->pending = 0;
			pl->cursor++;
			break;
		case ACQ_STAGE_SAMPLE:
			sps_reward(q, pl->p.tau, received, utility);
			break;
		case ACQ_STAGE_ALLOCATE:
		case ACQ_STAGE_FILL:
		case ACQ_STAGE_UNIFORM:
		case ACQ_STAGE_CURVE:
			q->pending = 0;
			pl->cursor++;
			break;
		default:
			break;
	}
	pl->last_pred = -1;
}

/* ---- state ---------------------------------------------------------------- */

size_t
acq_planner_state_size(const AcqPlanner *pl)
{
	return HEADER_FIELDS + (size_t) pl->np * (PRED_FIELDS + 1 + 2 * (size_t) pl->p.tau);
}

void
acq_planner_save(const AcqPlanner *pl, double *out)
{
	double	   *o = out;

	*o++ = STATE_VERSION;
	*o++ = pl->p.strategy;
	*o++ = pl->np;
	*o++ = pl->p.tau;
	*o++ = pl->stage;
	*o++ = pl->cursor;
	*o++ = (double) pl->budget_left;
	*o++ = (double) pl->rounds;
	*o++ = (double) pl->pass;
	*o++ = pl->fill_unit;
	*o++ = (double) pl->p.budget;
	*o++ = pl->p.batch;
	*o++ = pl->last_eps0;
	*o++ = pl->last_eps_star;
	for (int i = 0; i < pl->np; i++)
	{
		const AcqPlanPred *q = &pl->preds[i];

		*o++ = (double) q->pool;
		*o++ = (double) q->available;
		*o++ = (double) q->bought;
		*o++ = (double) q->bought_est;
		*o++ = q->exhausted;
		*o++ = q->has_utility;
		*o++ = q->utility;
		*o++ = (double) q->pending;
		*o++ = q->nwin;
		*o++ = pl->order[i];
		for (int w = 0; w < pl->p.tau; w++)
		{
			*o++ = w < q->nwin ? q->win_u[w] : 0.0;
			*o++ = w < q->nwin ? q->win_n[w] : 0.0;
		}
	}
}

/* a whole number in [lo, hi] (NaN and fractions refused) */
static bool
whole_in(double v, double lo, double hi)
{
	return v >= lo && v <= hi && v == floor(v);
}

/* the stages each strategy passes through */
static bool
stage_of_strategy(AcqStrategy strategy, int stage)
{
	switch (strategy)
	{
		case ACQ_STRATEGY_SPS:
			return stage == ACQ_STAGE_INIT || stage == ACQ_STAGE_SAMPLE || stage == ACQ_STAGE_DONE;
		case ACQ_STRATEGY_EA:
			return stage == ACQ_STAGE_INIT || stage == ACQ_STAGE_ESTIMATE ||
				stage == ACQ_STAGE_ALLOCATE || stage == ACQ_STAGE_FILL || stage == ACQ_STAGE_DONE;
		case ACQ_STRATEGY_UNIFORM:
			return stage == ACQ_STAGE_UNIFORM || stage == ACQ_STAGE_DONE;
		case ACQ_STRATEGY_RANDOM:
			return stage == ACQ_STAGE_RANDOM || stage == ACQ_STAGE_DONE;
		case ACQ_STRATEGY_CURVE:
			return stage == ACQ_STAGE_CURVE || stage == ACQ_STAGE_DONE;
	}
	return false;
}

/*
 * Everything is checked before anything is written: a refused state leaves
 * the planner as it was.
 */
bool
acq_planner_restore(AcqPlanner *pl, const double *state, size_t n)
{
	const double *s = state;
	const double big = 9007199254740992.0;	/* 2^53: counts are exact below */

	if (n != acq_planner_state_size(pl) || s[0] != STATE_VERSION ||
		s[1] != (double) pl->p.strategy || s[2] != (double) pl->np ||
		s[3] != (double) pl->p.tau || s[10] != (double) pl->p.budget ||
		s[11] != (double) pl->p.batch ||
		!whole_in(s[4], 0, ACQ_STAGE_CURVE) || !stage_of_strategy(pl->p.strategy, (int) s[4]) ||
		!whole_in(s[5], 0, pl->np) || !whole_in(s[6], 0, (double) pl->p.budget) ||
		!whole_in(s[7], 0, big) || !whole_in(s[8], 0, big) || isnan(s[9]))
		return false;
	s += HEADER_FIELDS;
	for (int i = 0; i < pl->np; i++)
	{
		if (!whole_in(s[0], 0, big) || !whole_in(s[1], -big, big) || !whole_in(s[2], 0, big) ||
			!whole_in(s[3], 0, big) || !whole_in(s[4], 0, 1) || !whole_in(s[5], 0, 1) ||
			!whole_in(s[7], 0, big) || !whole_in(s[8], 0, pl->p.tau) ||
			!whole_in(s[9], 0, pl->np - 1))
			return false;
		s += PRED_FIELDS + 1;
		for (int w = 0; w < pl->p.tau; w++, s += 2)
			if (isnan(s[0]) || !(s[1] >= 0.0))
				return false;
	}

	s = state;
	pl->stage = (AcqStage) (int) s[4];
	pl->cursor = (int) s[5];
	pl->budget_left = (int64_t) s[6];
	pl->rounds = (int64_t) s[7];
	pl->pass = (int64_t) s[8];
	pl->fill_unit = s[9];
	pl->last_eps0 = s[12];
	pl->last_eps_star = s[13];
	s += HEADER_FIELDS;
	for (int i = 0; i < pl->np; i++)
	{
		AcqPlanPred *q = &pl->preds[i];

		q->pool = (int64_t) s[0];
		q->available = (int64_t) s[1];
		q->bought = (int64_t) s[2];
		q->bought_est = (int64_t) s[3];
		q->exhausted = s[4] != 0.0;
		q->has_utility = s[5] != 0.0;
		q->utility = s[6];
		q->pending = (int64_t) s[7];
		q->nwin = (int) s[8];
		pl->order[i] = (int) s[9];
		s += PRED_FIELDS + 1;
		for (int w = 0; w < pl->p.tau; w++)
		{
			q->win_u[w] = s[0];
			q->win_n[w] = s[1];
			s += 2;
		}
	}
	pl->last_pred = -1;
	return true;
}
