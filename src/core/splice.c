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
 * Two choices the paper leaves open, made here and documented in
 * docs/source-selection.md:
 *  - addVal is measured against A' (the active set after the k removals), as
 *    the paper's text after Example 4.1 says ("before evaluating the marginal
 *    profit for sources in I, s4 was already removed from A"); the
 *    pseudocode's line order would measure it against A.
 *  - each k starts from the round's active set A (swap k out, k in), as in
 *    the splicing of ABESS (Zhu et al. 2020) that the paper adapts, rather
 *    than compounding the swaps of earlier k.
 * Ties are broken by source index (sources are indexed in name order), so a
 * run is deterministic.
 */
#include "select.h"

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

/* one splicing round on active set a; returns the best set seen and its profit */
static double
splicing(AcqEvaluator *ev, const AcqSet *a, int k_max, AcqSet *best)
{
	int			m = acq_eval_num_sources(ev);
	double		pa = acq_eval_profit(ev, a);
	double		pmax = pa;
	Scored	   *act = acq_alloc_array(m, sizeof(Scored));
	Scored	   *inact = acq_alloc_array(m, sizeof(Scored));
	int			na = 0,
				ni = 0,
				s,
				k,
				j;

	*best = *a;
	for (s = 0; s < m; s++)
	{
		if (acq_set_has(a, s))
		{
			AcqSet		without = *a;

			acq_set_del(&without, s);
			act[na].idx = s;
			act[na].val = pa - acq_eval_profit(ev, &without);	/* rmVal */
			na++;
		}
		else
			inact[ni++].idx = s;
	}
	qsort(act, na, sizeof(Scored), cmp_asc);

	for (k = 1; k <= k_max; k++)
	{
		AcqSet		reduced = *a;
		AcqSet		next;
		double		pred,
					pnext;

		if (k > na || k > ni)
			break;
		for (j = 0; j < k; j++)
			acq_set_del(&reduced, act[j].idx);
		pred = acq_eval_profit(ev, &reduced);
		for (j = 0; j < ni; j++)
		{
			AcqSet		with = reduced;

			acq_set_add(&with, inact[j].idx);
			inact[j].val = acq_eval_profit(ev, &with) - pred;	/* addVal */
		}
		qsort(inact, ni, sizeof(Scored), cmp_desc);
		next = reduced;
		for (j = 0; j < k; j++)
			acq_set_add(&next, inact[j].idx);

		pnext = acq_eval_profit(ev, &next);
		if (pnext > pmax)
		{
			pmax = pnext;
			*best = next;
		}
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
	}
	acq_free(order);
	acq_select_result_set(res, acq_eval_get(ev, &best));
	return ACQ_OK;
}
