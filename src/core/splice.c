/*
 * splice.c -- SourceSplice (SourceSplice paper, Algorithm 2).
 *
 * For every active-set size i = 1..s_max, start from the i sources with the
 * highest individual profits and splice until the active set stops changing
 * (fixedSupport).  One splicing round values every active source by
 * rmVal(s) = P(A) - P(A \ s) and, for k = 1..k_max, swaps the k active
 * sources of lowest rmVal for the k inactive sources of highest
 * addVal(s) = P(A' u s) - P(A'), keeping the best set seen.
 *
 * The implementation follows the paper's pseudocode line by line: within
 * one splicing round the swaps compound (step k starts from the set step
 * k-1 produced), and both valuations of a step are taken on the step's
 * active set before any swap.  (The prose after the paper's Example 4.1
 * suggests valuing the inactive sources after the removal; on the demo data
 * that variant found worse subsets: docs/source-selection.md.)
 *
 * Ties (AcqTieBreak): with ACQ_TIE_LOSS (the default) two valuations, or
 * two profits, that tie on the profit grid are ordered by the validation
 * loss of the models behind them: a removal by the loss of A \ s, an
 * addition by the loss of A u s, a set by its own loss; and a step "beats"
 * the best set seen when it is better in that order.  On a plateau of equal
 * accuracy (imbalanced labels: every subset predicting the majority class)
 * the search then still moves towards better models.  ACQ_TIE_NONE is the
 * paper's pseudocode: profits alone, a step beats the best only with a
 * strictly higher profit.  Remaining ties go to the lower source index
 * (sources are indexed in name order), so a run is deterministic.
 *
 * Restarts (prm->restarts, issue 14): after the sizes 1..s_max, R times:
 * flip 2, 3, 4, 2, 3, 4, ... random sources (restart r flips 2 + r % 3) of
 * the best set seen (prm->rng; the same seed gives the same run), then climb
 * by single-source flips (add or drop one source), taking the best flip
 * while one beats the current set, and keep the result if it beats the
 * best; no set has more than s_max sources.  R = 0 is the paper's
 * Algorithm 2.  Chosen on the suite of bench/source_selection/
 * (docs/source-selection.md, "The suite").
 */
#include "core/select.h"

#include <math.h>
#include <stdlib.h>

/*
 * A source valued for a swap: val in profit units and loss, the loss of the
 * set the swap would leave; larger val is better, then smaller loss.
 */
typedef struct Scored
{
	int			idx;
	double		val;
	double		loss;
} Scored;

static AcqTieBreak sort_tb;		/* qsort has no argument: set before each sort */

/* best first: larger val, then (ACQ_TIE_LOSS) smaller loss, then lower index */
static int
cmp_best_first(const void *a, const void *b)
{
	const Scored *x = a;
	const Scored *y = b;
	int			c = acq_profit_cmp(x->val, x->loss, y->val, y->loss, sort_tb);

	if (c != 0)
		return -c;
	return x->idx - y->idx;
}

static void
sort_best_first(Scored *sc, int n, AcqTieBreak tb)
{
	sort_tb = tb;
	qsort(sc, n, sizeof(Scored), cmp_best_first);
}

/* indices of all sources sorted by their individual profit, best first */
int *
acq_sources_by_profit(AcqEvaluator *ev, AcqTieBreak tb)
{
	int			m = acq_eval_num_sources(ev);
	Scored	   *sc = acq_alloc_array(m, sizeof(Scored));
	int		   *order = acq_alloc_array(m, sizeof(int));
	int			s;
	AcqSet	   *ones = acq_alloc_array(m, sizeof(AcqSet));

	/* the singles, fitted together where that saves round trips */
	for (s = 0; s < m; s++)
	{
		acq_set_clear(&ones[s]);
		acq_set_add(&ones[s], s);
	}
	acq_eval_prefetch(ev, ones, m);
	acq_free(ones);
	for (s = 0; s < m; s++)
	{
		AcqSet		one;
		const AcqEvalEntry *e;

		acq_set_clear(&one);
		acq_set_add(&one, s);
		e = acq_eval_get(ev, &one);
		sc[s].idx = s;
		sc[s].val = e->profit;
		sc[s].loss = e->loss;
	}
	sort_best_first(sc, m, tb);
	for (s = 0; s < m; s++)
		order[s] = sc[s].idx;
	acq_free(sc);
	return order;
}

/*
 * One splicing round (the paper's procedure splicing), from active set a.
 * Each step k = 1..k_max values the current active set A by
 * rmVal(s) = P(A) - P(A \ s) and the inactive sources by
 * addVal(s) = P(A u s) - P(A), swaps the k active sources of lowest rmVal
 * for the k inactive ones of highest addVal, and continues from the result.
 * Returns the best set seen (a itself if no step beats it) and its entry.
 */
static const AcqEvalEntry *
splicing(AcqEvaluator *ev, const AcqSet *a, int k_max, AcqTieBreak tb,
		 AcqSet *best)
{
	int			m = acq_eval_num_sources(ev);
	const AcqEvalEntry *emax = acq_eval_get(ev, a);
	AcqSet		cur = *a;
	Scored	   *act = acq_alloc_array(m, sizeof(Scored));
	Scored	   *inact = acq_alloc_array(m, sizeof(Scored));
	int			k;

	*best = *a;
	for (k = 1; k <= k_max; k++)
	{
		double		pc;
		AcqSet		next;
		const AcqEvalEntry *enext;
		int			na = 0,
					ni = 0,
					s,
					j;

		for (s = 0; s < m; s++)
		{
			if (acq_set_has(&cur, s))
				act[na++].idx = s;
			else
				inact[ni++].idx = s;
		}
		if (k > na || k > ni)
			break;
		{
			/* every valuation of this step, fitted together where that saves round trips */
			AcqSet	   *cand = acq_alloc_array(m + 1, sizeof(AcqSet));
			int			nc = 0;

			cand[nc++] = cur;
			for (j = 0; j < na; j++)
			{
				cand[nc] = cur;
				acq_set_del(&cand[nc++], act[j].idx);
			}
			for (j = 0; j < ni; j++)
			{
				cand[nc] = cur;
				acq_set_add(&cand[nc++], inact[j].idx);
			}
			acq_eval_prefetch(ev, cand, nc);
			acq_free(cand);
		}
		pc = acq_eval_profit(ev, &cur);
		for (j = 0; j < na; j++)
		{
			AcqSet		t = cur;
			const AcqEvalEntry *e;

			acq_set_del(&t, act[j].idx);
			e = acq_eval_get(ev, &t);
			act[j].val = -(pc - e->profit);	/* -rmVal: lowest rmVal first */
			act[j].loss = e->loss;
		}
		for (j = 0; j < ni; j++)
		{
			AcqSet		t = cur;
			const AcqEvalEntry *e;

			acq_set_add(&t, inact[j].idx);
			e = acq_eval_get(ev, &t);
			inact[j].val = e->profit - pc;	/* addVal */
			inact[j].loss = e->loss;
		}
		sort_best_first(act, na, tb);
		sort_best_first(inact, ni, tb);

		next = cur;
		for (j = 0; j < k; j++)
		{
			acq_set_del(&next, act[j].idx);
			acq_set_add(&next, inact[j].idx);
		}
		enext = acq_eval_get(ev, &next);
		if (acq_entry_better(enext, emax, tb))
		{
			emax = enext;
			*best = next;
		}
		cur = next;
	}
	acq_free(act);
	acq_free(inact);
	return emax;
}

/* splice from a until the active set no longer changes */
static const AcqEvalEntry *
fixed_support(AcqEvaluator *ev, const AcqSet *a, int k_max, AcqTieBreak tb,
			  AcqSet *out)
{
	AcqSet		prev;
	AcqSet		curr = *a;
	const AcqEvalEntry *p;

	do
	{
		int			k;

		prev = curr;
		k = acq_set_count(&prev);
		if (k > k_max)
			k = k_max;
		p = splicing(ev, &prev, k, tb, &curr);
	} while (!acq_set_eq(&prev, &curr));
	*out = curr;
	return p;
}

/*
 * climb from *s by single-source flips while the best flip beats the set;
 * sets stay within 1..s_max sources
 */
static const AcqEvalEntry *
flip_climb(AcqEvaluator *ev, AcqSet *s, int s_max, AcqTieBreak tb)
{
	int			m = acq_eval_num_sources(ev);
	const AcqEvalEntry *cur = acq_eval_get(ev, s);

	for (;;)
	{
		const AcqEvalEntry *bn = cur;
		AcqSet		bs = *s;
		int			j;

		for (j = 0; j < m; j++)
		{
			AcqSet		t = *s;
			const AcqEvalEntry *e;

			if (acq_set_has(&t, j))
				acq_set_del(&t, j);
			else
				acq_set_add(&t, j);
			if (acq_set_count(&t) == 0 || acq_set_count(&t) > s_max)
				continue;
			e = acq_eval_get(ev, &t);
			if (acq_entry_better(e, bn, tb))
			{
				bn = e;
				bs = t;
			}
		}
		if (bn == cur)
			return cur;
		*s = bs;
		cur = bn;
	}
}

/*
 * R random restarts from the best set seen: flip 2 + r % 3 random sources
 * (a draw may hit a source twice: then fewer flips), climb, keep the result
 * if it beats the best.  Two flips alone often leave a low-loss point of a
 * plateau of equal accuracy only to climb back to it; three and four reach
 * other basins (bench/source_selection/results/restarts_*.md).  Without prm->rng (a caller of the
 * C library that gives none), a SplitMix64 seeded with 0.
 */
static const AcqEvalEntry *
restart_from_best(AcqEvaluator *ev, const AcqSelectParams *prm,
				  const AcqEvalEntry *ebest, AcqSet *best)
{
	int			m = acq_eval_num_sources(ev);
	AcqSplitMix sm = {0};
	AcqRng		own = {acq_splitmix_next, &sm};
	AcqRng	   *rng = prm->rng ? prm->rng : &own;
	int			r;

	for (r = 0; r < prm->restarts; r++)
	{
		AcqSet		s = *best;
		const AcqEvalEntry *e;
		int			f;

		for (f = 0; f < 2 + r % 3; f++)
		{
			int			j = (int) acq_rng_below(rng, (uint64_t) m);

			if (acq_set_has(&s, j))
				acq_set_del(&s, j);
			else
				acq_set_add(&s, j);
		}
		if (acq_set_count(&s) == 0 || acq_set_count(&s) > prm->s_max)
			continue;
		e = flip_climb(ev, &s, prm->s_max, prm->tie_break);
		if (acq_entry_better(e, ebest, prm->tie_break))
		{
			ebest = e;
			*best = s;
		}
		acq_select_progress(prm, (double) (prm->s_max + r + 1) / (prm->s_max + prm->restarts));
	}
	return ebest;
}

AcqStatus
acq_select_splice(AcqEvaluator *ev, const AcqSelectParams *prm,
				  AcqSelectResult *res)
{
	int			m = acq_eval_num_sources(ev);
	int		   *order;
	AcqSet		best;
	const AcqEvalEntry *ebest = NULL;
	int			i;

	if (prm->s_max < 1 || prm->s_max > m || prm->k_max < 1 || prm->restarts < 0)
		return ACQ_ERR_ARGUMENT;

	order = acq_sources_by_profit(ev, prm->tie_break);
	acq_set_clear(&best);
	for (i = 1; i <= prm->s_max; i++)
	{
		AcqSet		a;
		AcqSet		local;
		const AcqEvalEntry *p;
		int			j;

		acq_set_clear(&a);
		for (j = 0; j < i; j++)
			acq_set_add(&a, order[j]);
		p = fixed_support(ev, &a, prm->k_max, prm->tie_break, &local);
		if (ebest == NULL || acq_entry_better(p, ebest, prm->tie_break))
		{
			ebest = p;
			best = local;
		}
		acq_select_progress(prm, (double) i / (prm->s_max + prm->restarts));
	}
	acq_free(order);
	if (prm->restarts > 0 && m > 1)
		ebest = restart_from_best(ev, prm, ebest, &best);
	acq_select_result_set(res, acq_eval_get(ev, &best));
	return ACQ_OK;
}
