/*
 * measure.c -- novelty's sets per predicate and measuring a batch against
 * them (the arithmetic is src/core/novelty.c).  Each predicate P holds the
 * novelty vectors of the records held for it at the start (SPS: and those
 * bought through P since); EA keeps what it bought through P apart.  The
 * sets are growing matrices (Mat) with each row's squared norm and a float
 * mirror, the shapes the core's screens read.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "pg/acquisition/acquisition.h"
#include "core/distance.h"

static void mat_reserve(Mat *m, int64 cap);
static void mat_push_normed(Mat *m, const double *v, double nrm);

/* ---- growing matrices ----------------------------------------------------------- */

/* room for at least cap rows, checked first against acq.max_memory (the run's holdings at the new size) */
static void
mat_reserve(Mat *m, int64 cap)
{
	double		rowbytes = (sizeof(double) + (m->mirror ? sizeof(float) : 0)) * (double) m->d + sizeof(double);

	if (cap <= m->cap)
		return;
	if (m->held)
	{
		double		need = *m->held + rowbytes * (double) (cap - m->cap);

		if (acq_memory_over(need))
			acq_check_memory(need,
							 psprintf("keeping novelty's vectors (" INT64_FORMAT " records of %d dimensions for a predicate)",
									  cap, m->d),
							 "Novelty keeps every held and bought record's vector (12 bytes a feature): "
							 "use fewer held records or features, a smaller budget, or strategy => 'uniform'");
		*m->held += rowbytes * (double) (cap - m->cap);
	}
	if (m->x == NULL)
	{
		m->x = palloc_extended(sizeof(double) * cap * m->d, MCXT_ALLOC_HUGE);
		m->nrm = palloc_extended(sizeof(double) * cap, MCXT_ALLOC_HUGE);
		if (m->mirror)
			m->xf = palloc_extended(sizeof(float) * cap * m->d, MCXT_ALLOC_HUGE);
	}
	else
	{
		m->x = repalloc_huge(m->x, sizeof(double) * cap * m->d);
		m->nrm = repalloc_huge(m->nrm, sizeof(double) * cap);
		if (m->mirror)
			m->xf = repalloc_huge(m->xf, sizeof(float) * cap * m->d);
	}
	m->cap = cap;
}

/*
 * Append a row, its squared norm left to the caller: mat_push_normed gives
 * it, acquisition_mat_set_norms computes those of rows [from, n) in one call
 * (which interleaves rows: the same sums, faster than one row at a time).
 */
void
acquisition_mat_append(Mat *m, const double *v)
{
	if (m->n == m->cap)
		mat_reserve(m, m->cap ? m->cap * 2 : 64);
	memcpy(m->x + m->n * m->d, v, sizeof(double) * m->d);
	if (m->mirror)
		for (int j = 0; j < m->d; j++)
			m->xf[m->n * m->d + j] = (float) v[j];
	m->n++;
}

static void
mat_push_normed(Mat *m, const double *v, double nrm)
{
	acquisition_mat_append(m, v);
	m->nrm[m->n - 1] = nrm;
}

void
acquisition_mat_set_norms(Mat *m, int64 from)
{
	if (m->n > from)
		acq_row_sqnorms(m->x + from * m->d, m->n - from, m->d, m->nrm + from);
}

/* count a row for m (reserve pass), or push it */
static inline void
mat_take(Mat *m, const double *v, bool count)
{
	if (count)
		m->want++;
	else
		acquisition_mat_append(m, v);	/* norms: acquisition_mat_set_norms once all are in */
}

/* ---- the sets at set-up ------------------------------------------------------- */

/*
 * Which predicate holds a consumer/target row (label/grid), or the mask bits
 * (sql).  Called twice per row: to count (count, v unused), so that every
 * set is allocated once at its size, then to copy.
 */
static void
held_to_predicates(Run *run, const HeldRow *r, const int *round_pred, int nround, double *v,
				   bool count)
{
	int			preds[MAX_SQL_PREDICATES];	/* room for every predicate a row can be in */
	int			n;

	if (!count)
		acq_scaling_vector(&run->scaling, r->x, r->x[run->d], v);
	if (r->plan_round > 0)
	{
		/* bought by this plan: it counts for the predicate it was bought through */
		if (r->plan_round <= nround && round_pred[r->plan_round - 1] >= 0)
		{
			Pred	   *q = &run->preds[round_pred[r->plan_round - 1]];

			/* SPS holds what it bought with the rest; EA keeps it apart */
			mat_take(run->s.strategy == ACQ_STRATEGY_SPS ? &q->held : &q->bought, v, count);
		}
		return;
	}
	n = acq_pool_preds_of(run->pool, r->x, r->x[run->d], r->mask, preds);
	for (int i = 0; i < n; i++)
		mat_take(&run->preds[preds[i]].held, v, count);
}

/* the held rows' vectors into the sets of the predicates they belong to */
void
acquisition_novelty_sets(Run *run, const HeldRows *held, const PlanLog *log)
{
	for (int p = 0; p < run->np; p++)
	{
		run->preds[p].held.d = run->nd;
		run->preds[p].held.mirror = true;
		run->preds[p].bought.d = run->nd;
		run->preds[p].held.held = run->preds[p].bought.held = &run->mem;
	}
	if (run->wants_novelty)
	{
		double	   *v = palloc(sizeof(double) * run->nd);

		for (int64 i = 0; i < held->n; i++)
			held_to_predicates(run, &held->rows[i], log->round_pred, log->nround, v, true);
		for (int p = 0; p < run->np; p++)
		{
			mat_reserve(&run->preds[p].held, run->preds[p].held.want);
			mat_reserve(&run->preds[p].bought, run->preds[p].bought.want);
		}
		for (int64 i = 0; i < held->n; i++)
			held_to_predicates(run, &held->rows[i], log->round_pred, log->nround, v, false);
		for (int p = 0; p < run->np; p++)
		{
			acquisition_mat_set_norms(&run->preds[p].held, 0);
			acquisition_mat_set_norms(&run->preds[p].bought, 0);
		}
		pfree(v);
	}
}

/* ---- a round's batch ---------------------------------------------------------- */

double
acquisition_measure(Run *run, int p, const Mat *batch)
{
	Pred	   *q = &run->preds[p];
	AcqNoveltyParams np;
	double		u;

	acq_novelty_defaults(&np);
	np.k = run->s.novelty_k;
	np.splits = run->s.novelty_splits;
	if (run->s.strategy == ACQ_STRATEGY_EA)
	{
		/*
		 * EA: everything bought through P so far against what was held at
		 * the start.  P's held set does not change and its bought rows are
		 * only appended, so each row meets the held set once (the cache).
		 */
		double		need;

		for (int64 i = 0; i < batch->n; i++)
			mat_push_normed(&q->bought, batch->x + i * batch->d, batch->nrm[i]);
		need = run->mem + acq_novelty_work_bytes(q->held.n, q->bought.n, run->nd, np.k);
		if (acq_memory_over(need))
			acq_check_memory(need,
							 psprintf("EA's novelty of the " INT64_FORMAT " records bought through predicate %s",
									  q->bought.n, q->name),
							 "EA compares every record bought through a predicate with the others: "
							 "use a smaller budget, strategy => 'sps', or fewer features");
		u = acq_novelty_cached(q->held.x, q->held.xf, q->held.nrm, q->held.n, q->bought.x, q->bought.n,
							   run->nd, &np, &run->strat_rng, &run->novelty_work, &q->bought_near);
		return u;
	}
	else
	{
		/*
		 * SPS: the batch against everything held for P, bought ones
		 * included.  SPS keeps what it buys in P's held set itself, so that
		 * set is one contiguous matrix.
		 */
		u = acq_novelty_ws(q->held.x, q->held.xf, q->held.nrm, q->held.n, batch->x, batch->n, run->nd,
						   &np, &run->strat_rng, &run->novelty_work);
		for (int64 i = 0; i < batch->n; i++)
			mat_push_normed(&q->held, batch->x + i * batch->d, batch->nrm[i]);
		return u;
	}
}

void
acquisition_keep_bought(Run *run, int p, const Mat *batch)
{
	for (int64 i = 0; i < batch->n; i++)
		mat_push_normed(run->s.strategy == ACQ_STRATEGY_SPS ? &run->preds[p].held : &run->preds[p].bought,
						batch->x + i * batch->d, batch->nrm[i]);
}
