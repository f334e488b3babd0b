/*
 * datamodels.c -- the DsDM baseline (Engstrom et al. 2024, as used in the
 * SourceSplice paper, section 5.2.2): train `samples` random subsets, fit a
 * linear surrogate  profit ~ w . membership + b  on them (ridge regression,
 * solved from sufficient statistics), take the subset the surrogate
 * predicts best (every source with w_j > 0; the single best source if none
 * is positive), verify it by training, and return the best subset trained.
 *
 * Random subsets draw each source independently with probability 1/2 (the
 * empty set is redrawn); a subset drawn twice is trained once.
 */
#include "core/select.h"

#include <math.h>

AcqStatus
acq_select_datamodels(AcqEvaluator *ev, const AcqSelectParams *prm,
					  AcqSelectResult *res)
{
	int			m = acq_eval_num_sources(ev);
	int64_t		target = prm->samples;
	int64_t		attempts = 0;
	int			first = acq_eval_num_entries(ev);
	AcqLinStats *stats;
	double	   *x,
			   *beta,
			   *shift;
	double		y;
	AcqSet		pred;
	AcqSet	   *batch;
	int			i,
				j,
				npos = 0,
				argmax = 0;
	const AcqEvalEntry *best = NULL;

	if (prm->samples < 1 || prm->rng == NULL || prm->surrogate_alpha < 0)
		return ACQ_ERR_ARGUMENT;
	if (m < 62 && target > (int64_t) (((uint64_t) 1 << m) - 1))
		target = (int64_t) (((uint64_t) 1 << m) - 1);

	(void) acq_eval_source_cost(ev, 0); /* gain-based costs train singletons */
	first = acq_eval_num_entries(ev);

	/*
	 * Draw until `target` distinct subsets are trained, m + 1 new ones at a
	 * time, fitted together where that saves round trips (the same draws,
	 * in the same order, as one at a time).
	 */
	batch = acq_alloc_array(m + 1, sizeof(AcqSet));
	while (acq_eval_num_entries(ev) - first < target && attempts < 50 * target)
	{
		int64_t		want = target - (acq_eval_num_entries(ev) - first);
		int			nb = 0;

		while (nb < want && nb < m + 1 && attempts < 50 * target)
		{
			AcqSet		s;
			bool		seen;

			attempts++;
			acq_set_clear(&s);
			for (j = 0; j < m; j++)
				if (acq_rng_u64(prm->rng) >> 63)
					acq_set_add(&s, j);
			if (acq_set_count(&s) == 0)
				continue;
			seen = acq_eval_lookup(ev, &s) != NULL;
			for (i = 0; i < nb && !seen; i++)
				seen = acq_set_eq(&batch[i], &s);
			if (!seen)
				batch[nb++] = s;
		}
		acq_eval_prefetch(ev, batch, nb);
		for (i = 0; i < nb; i++)
		{
			(void) acq_eval_get(ev, &batch[i]);
			acq_select_progress(prm, (double) (acq_eval_num_entries(ev) - first) / (target + 1));
		}
	}
	acq_free(batch);

	/* surrogate: ridge regression of profit on membership */
	stats = acq_linstats_create(m);
	x = acq_alloc_array(m, sizeof(double));
	shift = acq_alloc_array(m, sizeof(double));
	beta = acq_alloc_array(m + 1, sizeof(double));
	for (j = 0; j < m; j++)
		shift[j] = 0.5;
	for (i = first; i < acq_eval_num_entries(ev); i++)
	{
		const AcqEvalEntry *e = acq_eval_entry(ev, i);

		for (j = 0; j < m; j++)
			x[j] = acq_set_has(&e->set, j) ? 1.0 : 0.0;
		y = e->profit;
		acq_linstats_accumulate(stats, x, &y, 1, shift, 0.0);
	}
	acq_linreg_solve(stats, prm->surrogate_alpha, beta);

	acq_set_clear(&pred);
	for (j = 0; j < m; j++)
	{
		if (beta[j] > 0)
		{
			acq_set_add(&pred, j);
			npos++;
		}
		if (beta[j] > beta[argmax])
			argmax = j;
	}
	if (npos == 0)
		acq_set_add(&pred, argmax);
	(void) acq_eval_get(ev, &pred);	/* verify the prediction by training */

	/* the best subset trained in this run */
	for (i = 0; i < acq_eval_num_entries(ev); i++)
	{
		const AcqEvalEntry *e = acq_eval_entry(ev, i);

		if (best == NULL || acq_entry_better(e, best, prm->tie_break))
			best = e;
	}
	acq_select_result_set(res, best);

	acq_linstats_free(stats);
	acq_free(x);
	acq_free(shift);
	acq_free(beta);
	return ACQ_OK;
}
