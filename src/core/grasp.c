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
 *
 * Ties (AcqTieBreak): with ACQ_TIE_LOSS candidates of equal marginal profit
 * are ranked by the validation loss of S u s, and a set improves on another
 * of equal profit when its loss is lower; ACQ_TIE_NONE compares profits
 * alone, as the paper does.
 *
 * Each construction step asks for its candidates S u s together
 * (acq_eval_prefetch): over remote sources their logistic fits share one
 * round trip per Newton step; with rows it changes nothing.
 */
#include "core/select.h"

#include <math.h>
#include <stdlib.h>

typedef struct Cand
{
	int			idx;
	double		val;
	double		loss;			/* of S u s */
} Cand;

static AcqTieBreak sort_tb;		/* qsort has no argument: set before each sort */

static int
cand_desc(const void *a, const void *b)
{
	const Cand *x = a;
	const Cand *y = b;
	int			c = acq_profit_cmp(x->val, x->loss, y->val, y->loss, sort_tb);

	if (c != 0)
		return -c;
	return x->idx - y->idx;
}

/* the entry of sel, or NULL (worse than any) for the empty set */
static const AcqEvalEntry *
entry_or_null(AcqEvaluator *ev, const AcqSet *sel)
{
	return acq_set_count(sel) ? acq_eval_get(ev, sel) : NULL;
}

/* a better than b, where NULL is worse than any set */
static bool
better(const AcqEvalEntry *a, const AcqEvalEntry *b, AcqTieBreak tb)
{
	if (a == NULL)
		return false;
	return b == NULL || acq_entry_better(a, b, tb);
}

/*
 * Grow sel within the sources of allowed; returns the best set seen (or sel
 * itself when nothing beats emax; NULL stands for no set) in *opt and its
 * entry.
 */
static const AcqEvalEntry *
construction(AcqEvaluator *ev, const AcqSet *allowed, const AcqSet *sel_in,
			 const AcqEvalEntry *emax, int k, AcqRng *rng, AcqTieBreak tb,
			 AcqSet *opt)
{
	int			m = acq_eval_num_sources(ev);
	Cand	   *cand = acq_alloc_array(m, sizeof(Cand));
	AcqSet	   *with = acq_alloc_array(m, sizeof(AcqSet));
	AcqSet		sel = *sel_in;

	*opt = sel;
	for (;;)
	{
		double		psel = acq_eval_profit(ev, &sel);
		int			nc = 0,
					s,
					rcl;
		const AcqEvalEntry *e;

		/* the step's candidates, fitted together where that saves round trips */
		for (s = 0; s < m; s++)
			if (acq_set_has(allowed, s) && !acq_set_has(&sel, s))
			{
				cand[nc].idx = s;
				with[nc] = sel;
				acq_set_add(&with[nc++], s);
			}
		acq_eval_prefetch(ev, with, nc);
		for (int i = 0; i < nc; i++)
		{
			e = acq_eval_get(ev, &with[i]);
			cand[i].val = e->profit - psel;
			cand[i].loss = e->loss;
		}
		if (nc == 0)
			break;
		sort_tb = tb;
		qsort(cand, nc, sizeof(Cand), cand_desc);
		rcl = nc < k ? nc : k;
		acq_set_add(&sel, cand[acq_rng_below(rng, (uint64_t) rcl)].idx);
		e = acq_eval_get(ev, &sel);
		if (better(e, emax, tb))
		{
			emax = e;
			*opt = sel;
		}
	}
	acq_free(with);
	acq_free(cand);
	return emax;
}

static const AcqEvalEntry *
local_search(AcqEvaluator *ev, AcqSet *sel, const AcqEvalEntry *emax, int k,
			 AcqRng *rng, AcqTieBreak tb)
{
	int			m = acq_eval_num_sources(ev);
	AcqSet	   *drops = acq_alloc_array(m, sizeof(AcqSet));
	bool		improved = true;

	while (improved)
	{
		int			s,
					nd = 0;

		improved = false;
		/* the sets without one source each, fitted together */
		for (s = 0; s < m; s++)
			if (acq_set_has(sel, s))
			{
				drops[nd] = *sel;
				acq_set_del(&drops[nd++], s);
			}
		acq_eval_prefetch(ev, drops, nd);
		for (s = 0; s < m; s++)
		{
			AcqSet		tmp,
						allowed,
						got;
			const AcqEvalEntry *p;
			int			j;

			if (!acq_set_has(sel, s))
				continue;
			tmp = *sel;
			acq_set_del(&tmp, s);
			acq_set_clear(&allowed);
			for (j = 0; j < m; j++)
				if (j != s)
					acq_set_add(&allowed, j);
			p = construction(ev, &allowed, &tmp, entry_or_null(ev, &tmp), k, rng,
							 tb, &got);
			if (acq_set_count(&got) > 0 && better(p, emax, tb))
			{
				*sel = got;
				emax = p;
				improved = true;
				break;
			}
		}
	}
	acq_free(drops);
	return emax;
}

AcqStatus
acq_select_grasp(AcqEvaluator *ev, const AcqSelectParams *prm,
				 AcqSelectResult *res)
{
	int			m = acq_eval_num_sources(ev);
	AcqSet		all,
				empty,
				best;
	const AcqEvalEntry *ebest = NULL;
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
		const AcqEvalEntry *p;

		p = construction(ev, &all, &empty, NULL, prm->rcl_size, prm->rng,
						 prm->tie_break, &sel);
		p = local_search(ev, &sel, p, prm->rcl_size, prm->rng, prm->tie_break);
		if (better(p, ebest, prm->tie_break))
		{
			ebest = p;
			best = sel;
		}
		acq_select_progress(prm, (double) (it + 1) / prm->iterations);
	}
	acq_select_result_set(res, acq_eval_get(ev, &best));
	return ACQ_OK;
}
