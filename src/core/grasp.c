/*
 * grasp.c -- SourceGrasp (SourceSplice paper, Algorithm 1): N iterations of
 * a randomised greedy construction followed by a local search.
 *
 * Construction grows the selected set one source at a time, each drawn
 * uniformly from the restricted candidate list (RCL): the k remaining
 * sources of largest marginal profit G(S u s) - G(S) - C(s), which equals
 * P(S u s) - P(S) because costs add.  It returns the best prefix seen.
 * Local search drops one selected source at a time and reconstructs
 * without it, accepting the first improvement, until none is found.
 */
#include "core/select.h"

#include <math.h>
#include <stdlib.h>

typedef struct Cand
{
	int			idx;
	double		val;
} Cand;

static int
cand_desc(const void *a, const void *b)
{
	const Cand *x = a;
	const Cand *y = b;

	if (x->val > y->val)
		return -1;
	if (x->val < y->val)
		return 1;
	return x->idx - y->idx;
}

/*
 * Grow sel within the sources of allowed; returns the best set seen (or sel
 * itself when nothing beats pmax) in *opt and its profit.
 */
static double
construction(AcqEvaluator *ev, const AcqSet *allowed, const AcqSet *sel_in,
			 double pmax, int k, AcqRng *rng, AcqSet *opt)
{
	int			m = acq_eval_num_sources(ev);
	Cand	   *cand = acq_alloc_array(m, sizeof(Cand));
	AcqSet		sel = *sel_in;

	*opt = sel;
	for (;;)
	{
		double		psel = acq_eval_profit(ev, &sel);
		int			nc = 0,
					s,
					rcl;
		double		p;

		for (s = 0; s < m; s++)
		{
			AcqSet		with;

			if (!acq_set_has(allowed, s) || acq_set_has(&sel, s))
				continue;
			with = sel;
			acq_set_add(&with, s);
			cand[nc].idx = s;
			cand[nc].val = acq_eval_profit(ev, &with) - psel;
			nc++;
		}
		if (nc == 0)
			break;
		qsort(cand, nc, sizeof(Cand), cand_desc);
		rcl = nc < k ? nc : k;
		acq_set_add(&sel, cand[acq_rng_below(rng, (uint64_t) rcl)].idx);
		p = acq_eval_profit(ev, &sel);
		if (p > pmax)
		{
			pmax = p;
			*opt = sel;
		}
	}
	acq_free(cand);
	return pmax;
}

static double
local_search(AcqEvaluator *ev, AcqSet *sel, double pmax, int k, AcqRng *rng)
{
	int			m = acq_eval_num_sources(ev);
	bool		improved = true;

	while (improved)
	{
		int			s;

		improved = false;
		for (s = 0; s < m; s++)
		{
			AcqSet		tmp,
						allowed,
						got;
			double		p,
						ptmp;
			int			j;

			if (!acq_set_has(sel, s))
				continue;
			tmp = *sel;
			acq_set_del(&tmp, s);
			acq_set_clear(&allowed);
			for (j = 0; j < m; j++)
				if (j != s)
					acq_set_add(&allowed, j);
			ptmp = acq_set_count(&tmp) ? acq_eval_profit(ev, &tmp) : -INFINITY;
			p = construction(ev, &allowed, &tmp, ptmp, k, rng, &got);
			if (p > pmax && acq_set_count(&got) > 0)
			{
				*sel = got;
				pmax = p;
				improved = true;
				break;
			}
		}
	}
	return pmax;
}

AcqStatus
acq_select_grasp(AcqEvaluator *ev, const AcqSelectParams *prm,
				 AcqSelectResult *res)
{
	int			m = acq_eval_num_sources(ev);
	AcqSet		all,
				empty,
				best;
	double		pbest = -INFINITY;
	int			it,
				s;

	if (prm->iterations < 1 || prm->rcl_size < 1 || prm->rng == NULL)
		return ACQ_ERR_ARGUMENT;
	acq_set_clear(&all);
	acq_set_clear(&empty);
	acq_set_clear(&best);
	for (s = 0; s < m; s++)
		acq_set_add(&all, s);

	for (it = 0; it < prm->iterations; it++)
	{
		AcqSet		sel;
		double		p;

		p = construction(ev, &all, &empty, -INFINITY, prm->rcl_size, prm->rng, &sel);
		p = local_search(ev, &sel, p, prm->rcl_size, prm->rng);
		if (p > pbest)
		{
			pbest = p;
			best = sel;
		}
		acq_select_progress(prm, (double) (it + 1) / prm->iterations);
	}
	acq_select_result_set(res, acq_eval_get(ev, &best));
	return ACQ_OK;
}
