/*
 * select.c -- what the source-selection methods share: defaults and results.
 */
#include "core/select.h"

#include <math.h>

void
acq_select_default_params(AcqSelectParams *prm, int m)
{
	prm->s_max = m;
	/*
	 * The paper varies k_max over 3, 5, 7 and finds the subset quality
	 * unchanged while the models trained grow with k_max (section 5.3.2,
	 * Figure 7); 3 is its cheapest setting.
	 */
	prm->k_max = m / 2 < 3 ? m / 2 : 3;
	if (prm->k_max < 1)
		prm->k_max = 1;
	prm->restarts = ACQ_SPLICE_RESTARTS;
	prm->iterations = 20;		/* the paper's N for SourceGrasp */
	prm->rcl_size = 5;			/* the paper's k for SourceGrasp */
	prm->samples = 1000;
	prm->surrogate_alpha = 1.0;
	prm->rng = NULL;
	prm->tie_break = ACQ_TIE_LOSS;
	prm->progress = NULL;
	prm->progress_arg = NULL;
}

void
acq_select_result_set(AcqSelectResult *res, const AcqEvalEntry *e)
{
	res->best = e->set;
	res->gain = e->gain;
	res->cost = e->cost;
	res->profit = e->profit;
	res->n_rows = e->n_rows;
}

/* the grid cell of a profit (ACQ_TIE_QUANTUM); infinities stay infinite */
static double
tie_cell(double p)
{
	return floor(p / ACQ_TIE_QUANTUM + 0.5);
}

int
acq_profit_cmp(double pa, double la, double pb, double lb, AcqTieBreak tb)
{
	if (isnan(pa) || isnan(pb))
		return isnan(pa) ? (isnan(pb) ? 0 : -1) : 1;
	if (tb == ACQ_TIE_NONE)
		return (pa > pb) - (pa < pb);
	pa = tie_cell(pa);
	pb = tie_cell(pb);
	if (pa != pb)
		return pa > pb ? 1 : -1;
	if (isnan(la) || isnan(lb))
		return isnan(la) ? (isnan(lb) ? 0 : -1) : 1;
	return (la < lb) - (la > lb);
}

bool
acq_entry_better(const AcqEvalEntry *a, const AcqEvalEntry *b, AcqTieBreak tb)
{
	return acq_profit_cmp(a->profit, a->loss, b->profit, b->loss, tb) > 0;
}
