/*
 * baselines.c -- the paper's baselines (SourceSplice paper, section 5.1.2):
 *   greedy      add sources in order of their individual profits and keep
 *               the best prefix (m models, plus the m singletons);
 *   random      add sources in a random order and keep the best prefix,
 *               repeated for `iterations` random orders;
 *   exhaustive  ("Naive") train all 2^m - 1 subsets.
 * Each keeps the best subset by acq_profit_cmp: with ACQ_TIE_LOSS, of equal
 * profits the one of lowest validation loss.  Each asks for the subsets it
 * will score next together (acq_eval_prefetch): over remote sources their
 * logistic fits share one round trip per Newton step; with rows it changes
 * nothing.
 */
#include "core/select.h"

#include <math.h>

/* best prefix of order[0..m-1]; updates best and *ebest (NULL: none yet) */
static void
best_prefix(AcqEvaluator *ev, const int *order, int m, AcqTieBreak tb,
			AcqSet *best, const AcqEvalEntry **ebest)
{
	AcqSet		a;
	AcqSet	   *prefixes = acq_alloc_array(m, sizeof(AcqSet));
	int			i;

	/* the m prefixes, fitted together where that saves round trips */
	acq_set_clear(&a);
	for (i = 0; i < m; i++)
	{
		acq_set_add(&a, order[i]);
		prefixes[i] = a;
	}
	acq_eval_prefetch(ev, prefixes, m);
	acq_free(prefixes);
	acq_set_clear(&a);
	for (i = 0; i < m; i++)
	{
		const AcqEvalEntry *e;

		acq_set_add(&a, order[i]);
		e = acq_eval_get(ev, &a);
		if (*ebest == NULL || acq_entry_better(e, *ebest, tb))
		{
			*ebest = e;
			*best = a;
		}
	}
}

AcqStatus
acq_select_greedy(AcqEvaluator *ev, const AcqSelectParams *prm,
				  AcqSelectResult *res)
{
	int			m = acq_eval_num_sources(ev);
	int		   *order = acq_sources_by_profit(ev, prm->tie_break);
	AcqSet		best;
	const AcqEvalEntry *ebest = NULL;

	acq_set_clear(&best);
	best_prefix(ev, order, m, prm->tie_break, &best, &ebest);
	acq_free(order);
	acq_select_result_set(res, acq_eval_get(ev, &best));
	return ACQ_OK;
}

AcqStatus
acq_select_random(AcqEvaluator *ev, const AcqSelectParams *prm,
				  AcqSelectResult *res)
{
	int			m = acq_eval_num_sources(ev);
	int		   *order;
	AcqSet		best;
	const AcqEvalEntry *ebest = NULL;
	int			it,
				s;

	if (prm->iterations < 1 || prm->rng == NULL)
		return ACQ_ERR_ARGUMENT;
	order = acq_alloc_array(m, sizeof(int));
	acq_set_clear(&best);
	for (it = 0; it < prm->iterations; it++)
	{
		for (s = 0; s < m; s++)
			order[s] = s;
		acq_rng_shuffle_int(prm->rng, order, m);
		best_prefix(ev, order, m, prm->tie_break, &best, &ebest);
		acq_select_progress(prm, (double) (it + 1) / prm->iterations);
	}
	acq_free(order);
	acq_select_result_set(res, acq_eval_get(ev, &best));
	return ACQ_OK;
}

AcqStatus
acq_select_exhaustive(AcqEvaluator *ev, const AcqSelectParams *prm,
					  AcqSelectResult *res)
{
	int			m = acq_eval_num_sources(ev);
	uint64_t	mask,
				nmask;
	AcqEvalEntry best,
				cur;
	AcqSet	   *next;
	bool		have_best = false;

	if (m > 62)
		return ACQ_ERR_TOO_LARGE;
	nmask = (uint64_t) 1 << m;
	next = acq_alloc_array(m + 1, sizeof(AcqSet));
	(void) acq_eval_source_cost(ev, 0); /* train singletons first if costs need them */
	/*
	 * Visit the subsets in Gray-code order: each differs from the previous
	 * one by a single source, so every logistic fit warm-starts from a
	 * neighbour's optimum.  Singletons may already be trained (gain-based
	 * costs): reuse them.
	 */
	for (mask = 1; mask < nmask; mask++)
	{
		AcqSet		s = acq_set_from_mask(acq_gray_code(mask));
		const AcqEvalEntry *e;

		if ((mask - 1) % (uint64_t) (m + 1) == 0)
		{
			/*
			 * The next m + 1 subsets fitted together where that saves round
			 * trips (a batch no larger than SourceSplice's largest step)
			 */
			int			nn = 0;

			for (uint64_t j = mask; j < nmask && nn < m + 1; j++)
				next[nn++] = acq_set_from_mask(acq_gray_code(j));
			acq_eval_prefetch(ev, next, nn);
		}
		e = acq_eval_lookup(ev, &s);

		if (e == NULL)
		{
			acq_eval_compute(ev, &s, &cur);
			e = &cur;
		}
		if (!have_best || acq_entry_better(e, &best, prm->tie_break))
		{
			best = *e;
			have_best = true;
		}
		if ((mask & 1023) == 0)
			acq_select_progress(prm, (double) mask / nmask);
	}
	acq_free(next);
	acq_select_result_set(res, &best);
	return ACQ_OK;
}
