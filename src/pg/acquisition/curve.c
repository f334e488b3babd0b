/*
 * curve.c -- strategy => 'curve' (src/core/curve.h): the training rows
 * (consumer and target at set-up, then every record bought) and the
 * validation rows, both assigned to the predicates as the provider's are;
 * per allocation round, the learning curves measured and fitted, the
 * round's budget allocated, and the round's fits as the jsonb the log keeps
 * with its first query.
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "pg/acquisition/acquisition.h"
#include "core/curve.h"

/* rows in id order (then features, for a consumer and a target sharing an id) */
static int
cmp_held_rows(const void *x, const void *y)
{
	const HeldRow *a = *(HeldRow *const *) x;
	const HeldRow *b = *(HeldRow *const *) y;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->plan_round < b->plan_round ? -1 : a->plan_round > b->plan_round ? 1 : 0;
}

/* the class of a label: its index among the sorted labels */
static int
class_of(const Run *run, double y)
{
	return acq_label_index(run->curve_classes, run->curve_nclasses, y, false);
}

/*
 * h's rows, in id order, as the core's set: features, label (class),
 * predicates; allocated in the current context.
 */
static void
build_set(Run *run, const HeldRows *h, AcqCurveSet *set, bool sorted)
{
	int			d = run->d;
	int64		n = h->n;
	HeldRow   **order = palloc_extended(sizeof(HeldRow *) * Max(n, 1), MCXT_ALLOC_HUGE);
	double	   *X = palloc_extended(sizeof(double) * Max(n, 1) * d, MCXT_ALLOC_HUGE);
	double	   *y = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
	int		   *cls = palloc_extended(sizeof(int) * Max(n, 1), MCXT_ALLOC_HUGE);
	int64	   *off = palloc_extended(sizeof(int64) * (n + 1), MCXT_ALLOC_HUGE);
	int64		cap = Max(n, 1),
				k = 0;
	int		   *idx = palloc_extended(sizeof(int) * cap, MCXT_ALLOC_HUGE);
	int		   *tmp = palloc(sizeof(int) * Max(run->np, 1));

	for (int64 i = 0; i < n; i++)
		order[i] = &h->rows[i];
	if (sorted)
		qsort(order, n, sizeof(HeldRow *), cmp_held_rows);
	for (int64 i = 0; i < n; i++)
	{
		const HeldRow *r = order[i];
		int			m = acq_pool_preds_of(run->pool, r->x, r->x[d], r->mask, tmp);

		memcpy(X + i * d, r->x, sizeof(double) * d);
		y[i] = r->x[d];
		cls[i] = run->s.regression ? 0 : Max(class_of(run, r->x[d]), 0);
		off[i] = k;
		if (k + m > cap)
		{
			cap = Max(cap * 2, k + m);
			idx = repalloc_huge(idx, sizeof(int) * cap);
		}
		for (int j = 0; j < m; j++)
			idx[k++] = tmp[j];
		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	off[n] = k;
	pfree(order);
	pfree(tmp);
	set->X = X;
	set->y = y;
	set->cls = run->s.regression ? NULL : cls;
	set->n = n;
	set->d = d;
	set->off = off;
	set->idx = idx;
}

/* the distinct labels of held, validation and provider rows (classification) */
static void
collect_classes(Run *run, const HeldRows *held, const HeldRows *val, const PoolScan *ps)
{
	int64		total = held->n + val->n + ps->n,
				k = 0;
	double	   *all = palloc_extended(sizeof(double) * Max(total, 1), MCXT_ALLOC_HUGE);

	for (int64 i = 0; i < held->n; i++)
		all[k++] = held->rows[i].x[run->d];
	for (int64 i = 0; i < val->n; i++)
		all[k++] = val->rows[i].x[run->d];
	for (int64 i = 0; i < ps->n; i++)
		all[k++] = ps->label[i];
	qsort(all, k, sizeof(double), acq_cmp_double);
	run->curve_nclasses = 0;
	for (int64 i = 0; i < k; i++)
		if (i == 0 || all[i] != all[i - 1])
			all[run->curve_nclasses++] = all[i];
	if (run->curve_nclasses > MAX_PREDICATES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("strategy => 'curve' with a classifier supports at most %d distinct labels, not %d",
						MAX_PREDICATES, run->curve_nclasses),
				 errhint("For a numeric target use task => 'regression'.")));
	run->curve_classes = all;
}

void
acquisition_curve_setup(Run *run, HeldRows *held, const PoolScan *ps)
{
	AcqSpec    *s = &run->s;
	char	   *vname = acq_rel_display_name(s->validation);
	HeldRows   *val = palloc0(sizeof(HeldRows));
	double	   *nval = palloc0(sizeof(double) * Max(run->np, 1));
	int		   *tmp = palloc(sizeof(int) * Max(run->np, 1));

	acquisition_read_held(run, s->validation, vname, false, val);
	if (val->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("validation table %s is empty", vname),
				 errdetail("Nothing was bought."),
				 errhint("strategy => 'curve' measures the model's loss on each predicate's validation rows.")));
	run->curve_train = palloc(sizeof(HeldRows));
	*run->curve_train = *held;
	run->curve_val_rows = val;
	if (!s->regression)
		collect_classes(run, held, val, ps);
	for (int64 i = 0; i < val->n; i++)
	{
		int			m = acq_pool_preds_of(run->pool, val->rows[i].x, val->rows[i].x[run->d],
										  val->rows[i].mask, tmp);

		for (int j = 0; j < m; j++)
			nval[tmp[j]] += 1.0;
	}
	for (int p = 0; p < run->np; p++)
		if (nval[p] == 0 && run->pool->preds[p].nrows > 0)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA),
					 errmsg("predicate \"%s\" has no row in validation table %s", run->preds[p].name, vname),
					 errdetail("Its learning curve cannot be measured. Nothing was bought."),
					 errhint("Add validation rows of every predicate with records for sale, or leave the predicate out (labels => ARRAY[...], a coarser grid).")));
	run->curve_val = palloc0(sizeof(AcqCurveSet));
	build_set(run, val, run->curve_val, true);
	pfree(nval);
	pfree(tmp);
}

/* a record bought: it joins the training rows */
void
acquisition_curve_keep(Run *run, int64 id, const double *x, double y, int round)
{
	MemoryContext old = MemoryContextSwitchTo(run->cxt);
	int64		r = acquisition_find_id(run->pool_id, run->pool->n, id);
	uint64		mask = 0;

	if (run->pool->kind == ACQ_POOL_MASK && r >= 0)
		mask = run->pool->mask[r];
	acquisition_held_append(run, run->curve_train, acq_rel_display_name(run->s.provider), id, x, y,
							mask, round);
	MemoryContextSwitchTo(old);
}

static void
append_number(StringInfo b, double v)
{
	if (isfinite(v))
		appendStringInfo(b, "%.6g", v);
	else
		appendStringInfoString(b, "null");
}

static void
append_array(StringInfo b, const char *key, const double *v, int n, int stride, int at)
{
	appendStringInfo(b, ", \"%s\": [", key);
	for (int p = 0; p < n; p++)
	{
		if (p)
			appendStringInfoString(b, ", ");
		append_number(b, v[(size_t) p * stride + at]);
	}
	appendStringInfoChar(b, ']');
}

static void
curve_error(AcqStatus st, const char *errbuf, const Run *run)
{
	if (st == ACQ_ERR_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("training the %s model of the learning curves failed: %s", run->s.model, errbuf),
				 errhint("Remove collinear features, or use model => 'knn'.")));
	if (st == ACQ_ERR_OVERFLOW)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("training the %s model of the learning curves failed: %s", run->s.model, errbuf),
				 errhint("Rescale the features (for example to unit variance).")));
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("training the %s model of the learning curves failed: %s", run->s.model, errbuf)));
}

/*
 * The next allocation round: measure and fit the curves on the current
 * training rows, allocate the round's budget, hand it to the planner, and
 * keep the round's jsonb in run->curve_log (run->cxt) for its first query.
 */
void
acquisition_curve_allocate(Run *run)
{
	AcqSpec    *s = &run->s;
	MemoryContext cxt = AllocSetContextCreate(run->cxt, "acq curve", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	int			np = run->np,
				K = s->curve_points;
	AcqCurveSet train;
	AcqCurveModelParams mp;
	AcqSplitMix sm;
	AcqRng		rng;
	double	   *pt_n = palloc(sizeof(double) * np * K),
			   *pt_loss = palloc(sizeof(double) * np * K),
			   *a = palloc0(sizeof(double) * np),
			   *b = palloc0(sizeof(double) * np),
			   *cur_n = palloc(sizeof(double) * np),
			   *cur_loss = palloc(sizeof(double) * np),
			   *xd = palloc(sizeof(double) * np),
			   *w = palloc(sizeof(double) * np),
			   *a_fit = palloc(sizeof(double) * np),
			   *b_fit = palloc(sizeof(double) * np);
	AcqCurvePoolStats ps;
	int64	   *cap = palloc(sizeof(int64) * np),
			   *x = palloc(sizeof(int64) * np);
	AcqCurveFitKind *kind = palloc(sizeof(AcqCurveFitKind) * np);
	int64		filled = 0,
				n = run->curve_train->n,
				total = acq_planner_round_budget(run->planner);
	double		need;
	AcqStatus	st;
	char		errbuf[256] = "";
	StringInfoData js;

	memset(&mp, 0, sizeof(mp));
	mp.model = strcmp(s->model, "softmax") == 0 ? ACQ_CURVE_SOFTMAX :
		strcmp(s->model, "linear") == 0 ? ACQ_CURVE_LINEAR :
		s->regression ? ACQ_CURVE_KNN_REGRESS : ACQ_CURVE_KNN_CLASSIFY;
	mp.K = s->regression ? 1 : run->curve_nclasses;
	mp.k = 5;					/* acq.evaluate's defaults */
	mp.C = 1.0;
	mp.max_iter = 1000;
	mp.tol = 1e-4;
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("strategy => 'curve' needs training rows: the consumer %s and the target hold none",
						acq_rel_display_name(s->consumer)),
				 errhint("The learning curves are measured on models trained on the consumer's records.")));

	/* the training rows' copy, their predicates, and the largest model */
	need = run->mem + (double) n * (8.0 * (run->d + 1) + 4.0 + 8.0 * 2 + 4.0 * 2) +
		acq_curve_losses_bytes(&mp, n, run->d, run->curve_val->n);
	if (acq_memory_over(need))
		acq_check_memory(need,
						 psprintf("fitting learning curves on " INT64_FORMAT " training rows of %d features (model %s)",
								  n, run->d, s->model),
						 "The curves train the model on copies of the consumer's and bought records: "
						 "use fewer records or features, or model => 'knn'");
	build_set(run, run->curve_train, &train, true);

	/* the round's subsets: from the seed and the round, so that a resumed plan draws the same */
	sm.s = (uint64) s->seed ^ ((uint64) (run->planner->pass + 1) * UINT64CONST(0x9E3779B97F4A7C15));
	rng.next = acq_splitmix_next;
	rng.state = &sm;
	st = acq_curve_measure(&train, run->curve_val, np, &mp, K, &rng, pt_n, pt_loss,
						   errbuf, sizeof(errbuf));
	if (st != ACQ_OK)
		curve_error(st, errbuf, run);
	for (int p = 0; p < np; p++)
	{
		kind[p] = acq_curve_fit(pt_n + (size_t) p * K, pt_loss + (size_t) p * K, K, &a[p], &b[p]);
		cur_n[p] = pt_n[(size_t) p * K + K - 1];
		cur_loss[p] = pt_loss[(size_t) p * K + K - 1];
		xd[p] = cur_n[p];
		cap[p] = run->planner->preds[p].exhausted ? 0 : run->pool->preds[p].available;
	}
	acq_curve_fallback(np, kind, cur_n, cur_loss, a, b);
	memcpy(a_fit, a, sizeof(double) * np);
	memcpy(b_fit, b, sizeof(double) * np);
	acq_curve_pool(np, K, pt_n, pt_loss, kind, s->curve_pooling, s->curve_min_exponent, a, b, w, &ps);
	(void) acq_curve_allocate_hedged(np, a, b, xd, cap, s->fairness_lambda, total, s->curve_hedge,
									 x, &filled);
	acq_planner_set_allocation(run->planner, x);

	initStringInfo(&js);
	appendStringInfo(&js, "{\"allocation_round\": " INT64_FORMAT ", \"training_rows\": " INT64_FORMAT
					 ", \"round_budget\": " INT64_FORMAT ", \"subset_sizes\": [",
					 run->planner->pass, n, total);
	for (int j = 0; j < K; j++)
		appendStringInfo(&js, "%s" INT64_FORMAT, j ? ", " : "", acq_curve_subset_size(n, K, j));
	appendStringInfoChar(&js, ']');
	append_array(&js, "a", a, np, 1, 0);
	append_array(&js, "b", b, np, 1, 0);
	appendStringInfoString(&js, ", \"fit\": [");
	for (int p = 0; p < np; p++)
		appendStringInfo(&js, "%s\"%s\"", p ? ", " : "", acq_curve_fit_name(kind[p]));
	appendStringInfoChar(&js, ']');
	appendStringInfoString(&js, ", \"points\": [");
	for (int p = 0; p < np; p++)
	{
		appendStringInfoString(&js, p ? ", [" : "[");
		for (int j = 0; j < K; j++)
		{
			appendStringInfoString(&js, j ? ", [" : "[");
			append_number(&js, pt_n[(size_t) p * K + j]);
			appendStringInfoString(&js, ", ");
			append_number(&js, pt_loss[(size_t) p * K + j]);
			appendStringInfoChar(&js, ']');
		}
		appendStringInfoChar(&js, ']');
	}
	appendStringInfoChar(&js, ']');
	append_array(&js, "a_own", a_fit, np, 1, 0);
	append_array(&js, "b_own", b_fit, np, 1, 0);
	append_array(&js, "weight", w, np, 1, 0);
	appendStringInfo(&js, ", \"pooling\": \"%s\", \"common\": {\"a\": ",
					 acq_option_name(acquisition_curve_poolings, s->curve_pooling));
	append_number(&js, ps.a0);
	appendStringInfoString(&js, ", \"b\": ");
	append_number(&js, ps.b0);
	appendStringInfoString(&js, ", \"sigma2\": ");
	append_number(&js, ps.sigma2);
	appendStringInfoString(&js, ", \"tau2\": ");
	append_number(&js, ps.tau2);
	appendStringInfoString(&js, ", \"learning_t\": ");
	append_number(&js, ps.learning_t);
	appendStringInfo(&js, ", \"learning\": %s}", ps.learning < 0 ? "null" : ps.learning ? "true" : "false");
	append_array(&js, "n", cur_n, np, 1, 0);
	append_array(&js, "loss", cur_loss, np, 1, 0);
	for (int p = 0; p < np; p++)
		xd[p] = (double) x[p];
	append_array(&js, "allocation", xd, np, 1, 0);
	appendStringInfo(&js, ", \"hedged\": " INT64_FORMAT, filled);
	appendStringInfoChar(&js, '}');

	MemoryContextSwitchTo(run->cxt);
	run->curve_log = pstrdup(js.data);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
