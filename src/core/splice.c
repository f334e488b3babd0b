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
 * Ties are broken by source index (sources are indexed in name order), so a
 * run is deterministic.
 */
#include "core/select.h"

#include <math.h>
#include <stdlib.h>

typedef struct Scored
{
	int			idx;
	double		val;
} Scored;

static int
cmp_asc(const void *a, const void *b)
{
	const Scored *x = a;
	const Scored *y = b;

	if (x->val < y->val)
		return -1;
	if (x->val > y->val)
		return 1;
	return x->idx - y->idx;
}

static int
cmp_desc(const void *a, const void *b)
{
	const Scored *x = a;
	const Scored *y = b;

	if (x->val > y->val)
		return -1;
	if (x->val < y->val)
		return 1;
	return x->idx - y->idx;
}

/* indices of all sources sorted by their individual profit, best first */
int *
acq_sources_by_profit(AcqEvaluator *ev)
{
	int			m = acq_eval_num_sources(ev);
	Scored	   *sc = acq_alloc_array(m, sizeof(Scored));
	int		   *order = acq_alloc_array(m, sizeof(int));
	int			s;

	for (s = 0; s < m; s++)
	{
		AcqSet		one;

		acq_set_clear(&one);
		acq_set_add(&one, s);
		sc[s].idx = s;
		sc[s].val = acq_eval_profit(ev, &one);
	}
	qsort(sc, m, sizeof(Scored), cmp_desc);
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
 * Returns the best set seen (a itself if no step beats it) and its profit.
 */
static double
splicing(AcqEvaluator *ev, const AcqSet *a, int k_max, AcqSet *best)
{
	int			m = acq_eval_num_sources(ev);
	double		pmax = acq_eval_profit(ev, a);
	AcqSet		cur = *a;
	Scored	   *act = acq_alloc_array(m, sizeof(Scored));
	Scored	   *inact = acq_alloc_array(m, sizeof(Scored));
	int			k;

	*best = *a;
	for (k = 1; k <= k_max; k++)
	{
		double		pc;
		AcqSet		next;
		double		pnext;
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
		pc = acq_eval_profit(ev, &cur);
		for (j = 0; j < na; j++)
		{
			AcqSet		t = cur;

			acq_set_del(&t, act[j].idx);
			act[j].val = pc - acq_eval_profit(ev, &t);	/* rmVal */
		}
		for (j = 0; j < ni; j++)
		{
			AcqSet		t = cur;

			acq_set_add(&t, inact[j].idx);
			inact[j].val = acq_eval_profit(ev, &t) - pc;	/* addVal */
		}
		qsort(act, na, sizeof(Scored), cmp_asc);
		qsort(inact, ni, sizeof(Scored), cmp_desc);

		next = cur;
		for (j = 0; j < k; j++)
		{
			acq_set_del(&next, act[j].idx);
			acq_set_add(&next, inact[j].idx);
		}
		pnext = acq_eval_profit(ev, &next);
		if (pnext > pmax)
		{
			pmax = pnext;
			*best = next;
		}
		cur = next;
	}
	acq_free(act);
	acq_free(inact);
	return pmax;
}

/* splice from a until the active set no longer changes */
static double
fixed_support(AcqEvaluator *ev, const AcqSet *a, int k_max, AcqSet *out)
{
	AcqSet		prev;
	AcqSet		curr = *a;
	double		p;

	do
	{
		int			k;

		prev = curr;
		k = acq_set_count(&prev);
		if (k > k_max)
			k = k_max;
		p = splicing(ev, &prev, k, &curr);
	} while (!acq_set_eq(&prev, &curr));
	*out = curr;
	return p;
}

AcqStatus
acq_select_splice(AcqEvaluator *ev, const AcqSelectParams *prm,
				  AcqSelectResult *res)
{
	int			m = acq_eval_num_sources(ev);
	int		   *order;
	AcqSet		best;
	double		pbest = -INFINITY;
	int			i;

	if (prm->s_max < 1 || prm->s_max > m || prm->k_max < 1)
		return ACQ_ERR_ARGUMENT;

	order = acq_sources_by_profit(ev);
	acq_set_clear(&best);
	for (i = 1; i <= prm->s_max; i++)
	{
		AcqSet		a;
		AcqSet		local;
		double		p;
		int			j;

		acq_set_clear(&a);
		for (j = 0; j < i; j++)
			acq_set_add(&a, order[j]);
		p = fixed_support(ev, &a, prm->k_max, &local);
		if (p > pbest)
		{
			pbest = p;
			best = local;
		}
		acq_select_progress(prm, (double) i / prm->s_max);
	}
	acq_free(order);
	acq_select_result_set(res, acq_eval_get(ev, &best));
	return ACQ_OK;
}
