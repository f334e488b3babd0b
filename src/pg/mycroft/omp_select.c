/*
 * omp_select.c -- gradient matching, the omp and combined methods of a selection:
 * the candidates (every owner row, or those with D_hard's labels), the
 * atoms (last-layer gradients of a softmax regression the owner trains
 * here, or the owner's gradient column), the target (their mean over the
 * hard rows), combined's feature-distance penalty Psi, and the pursuit's
 * atoms as owner ids.  The owner's rows are held in memory here; a wide
 * gradient column is streamed instead (omp_stream.c), which shares the
 * parts above.
 */
#include "postgres.h"

#include <math.h>

#include "utils/memutils.h"

#include "pg/mycroft/mycroft.h"
#include "core/nearest.h"
#include "core/softmax.h"

/* the owner's rows as read: ids unique, at least k of them; counted in res */
void
mycroft_check_owner_rows(const SelSpec *s, const Rows *owner, SelResult *res)
{
	int64	   *ids = palloc_extended(sizeof(int64) * (owner->b.n + 1), MCXT_ALLOC_HUGE);

	/* a copy: the rows keep their order */
	memcpy(ids, owner->b.ids, sizeof(int64) * owner->b.n);
	mycroft_check_owner_ids(s, ids, owner->b.n, res);
	pfree(ids);
}

void
mycroft_omp_params(const SelSpec *s, AcqOmpParams *op)
{
	op->k = (int) s->k;
	op->screen = 0;
	op->lambda = s->lambda;
	op->tol = s->tol;
	op->lambda2 = s->method == SEL_COMBINED ? s->lambda2 : 0.0;
}

void
mycroft_omp_check_candidates(const SelSpec *s, int64 nc)
{
	if (nc < s->k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k = " INT64_FORMAT " is more than the owner's " INT64_FORMAT " candidate rows",
						s->k, nc)));
}

/* a hard set's memory (acq_hardset_create: a copy of the hard rows and a block's scratch), taken */
void
mycroft_take_hardset(const SelSpec *s, const Rows *hard)
{
	acq_memory_take(s->held, sizeof(double) * ((double) hard->b.n * (hard->b.d + 1.0) +
											   256.0 * (hard->b.d + Min(hard->b.n, 2048) + 2.0)),
					psprintf("measuring distances to " INT64_FORMAT " hard rows of %d features",
							 hard->b.n, hard->b.d),
					"The hard rows are held twice (8 bytes a feature): use fewer hard rows or features");
}

/* combined: Psi, each candidate's distance to its nearest hard row (diagonal form) */
double *
mycroft_omp_psi(const SelSpec *s, const Rows *owner, const Rows *hard, const int64 *cand, int64 nc)
{
	int			d = owner->b.d;
	AcqHardSet *hs;
	double	   *X,
			   *y,
			   *psi;

	if (s->method != SEL_COMBINED)
		return NULL;
	mycroft_take_hardset(s, hard);
	acq_memory_take(s->held, sizeof(double) * (double) nc * (d + 2.0),
					psprintf("combined: the distances of " INT64_FORMAT " candidates of %d features", nc, d),
					"The candidates' features are copied (8 bytes a feature): use an owner table with fewer rows or set same_label");
	hs = acq_hardset_create(hard->b.X, s->same_label ? hard->b.y : NULL, hard->b.n, hard->b.d);
	X = palloc_extended(sizeof(double) * nc * d, MCXT_ALLOC_HUGE);
	y = palloc_extended(sizeof(double) * nc, MCXT_ALLOC_HUGE);
	psi = palloc_extended(sizeof(double) * nc, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < nc; i++)
	{
		memcpy(X + i * d, owner->b.X + cand[i] * d, sizeof(double) * d);
		y[i] = owner->b.y[cand[i]];
	}
	acq_hardset_min_dist(hs, X, s->same_label ? y : NULL, nc, psi);
	for (int64 i = 0; i < nc; i++)
		psi[i] = isfinite(psi[i]) ? sqrt(psi[i]) : 1e30;
	acq_hardset_free(hs);
	pfree(X);
	pfree(y);
	return psi;
}

/* the target: the hard rows' mean gradient */
double *
mycroft_omp_gradient_target(const Rows *hard, int m)
{
	double	   *b = palloc0(sizeof(double) * m);

	if (hard->m != m)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("gradients have %d dimensions in the owner's table and %d in the hard rows", m, hard->m)));
	for (int64 i = 0; i < hard->b.n; i++)
		for (int j = 0; j < m; j++)
			b[j] += hard->G[i * m + j] / hard->b.n;
	return b;
}

/* the pursuit's atoms (candidate indexes) as owner ids */
void
mycroft_omp_result(const SelSpec *s, SelResult *res, AcqOmpResult *or, const int64 *cand,
				   const int64 *ids, const double *psi)
{
	res->n = or->n;
	res->id = palloc(sizeof(int64) * (or->n + 1));
	res->score = palloc(sizeof(double) * (or->n + 1));
	res->weight = palloc(sizeof(double) * (or->n + 1));
	for (int i = 0; i < or->n; i++)
	{
		res->id[i] = ids[cand[or->index[i]]];
		res->score[i] = psi ? psi[or->index[i]] : NAN;
		res->weight[i] = or->weight[i];
	}
	if (or->n < s->k)
		ereport(NOTICE,
				(errmsg("gradient matching stopped after %d of " INT64_FORMAT " rows", or->n, s->k),
				 errdetail(or->stop == ACQ_OMP_STOP_TOL ? "The residual fell below tol." :
						   "No remaining row lowers the matching error.")));
	acq_omp_result_free(or);
}

/* the pursuit's own memory over nc atoms of m numbers, checked (held: the call's) */
void
mycroft_check_pursuit(const SelSpec *s, AcqOmpWork kind, int64 nc, int m)
{
	/* without regularisation the pursuit stops at m atoms (omp.c) */
	int64		k = (s->lambda == 0.0 && !(s->method == SEL_COMBINED && s->lambda2 > 0.0)) ?
		Min(s->k, m) : s->k;

	acq_check_memory(*s->held + acq_omp_work_bytes(kind, nc, m, k),
					 psprintf("gradient matching over " INT64_FORMAT " candidates of %d gradient values, k = " INT64_FORMAT,
							  nc, m, s->k),
					 "The pursuit keeps a value per candidate and step (and the gradients' int8 copy): "
					 "lower k, or use an owner table with fewer rows");
}

/* the owner's gradient column: its candidates' rows, the hard rows' mean */
static AcqStatus
match_gradient_column(const SelSpec *s, const Rows *owner, const Rows *hard, const int64 *cand,
					  int64 nc, const double *psi, const AcqOmpParams *op, AcqOmpResult *or,
					  char *errbuf, size_t errlen)
{
	int			m = owner->m;
	double	   *G;
	double	   *b = mycroft_omp_gradient_target(hard, m);

	if (nc == owner->b.n)
		G = owner->G;			/* every row is a candidate: no copy */
	else
	{
		acq_memory_take(s->held, sizeof(double) * (double) nc * m,
						psprintf("copying the gradients of " INT64_FORMAT " candidates (%d values each)", nc, m),
						"The candidates' gradients are copied (8 bytes a value): use an owner table with fewer rows");
		G = palloc_extended(sizeof(double) * nc * m, MCXT_ALLOC_HUGE);
		for (int64 i = 0; i < nc; i++)
			memcpy(G + i * m, owner->G + cand[i] * m, sizeof(double) * m);
	}
	mycroft_check_pursuit(s, ACQ_OMP_WORK_EXPLICIT, nc, m);
	return acq_omp_explicit(G, nc, m, b, psi, psi ? ACQ_OMP_PSI_DIAGONAL : 0, op, or,
							errbuf, errlen);
}

/* the owner's softmax regression, on the owner's rows, over every label seen */
static AcqStatus
match_softmax(const SelSpec *s, const Rows *owner, const Rows *hard, const int64 *cand,
			  int64 nc, const double *psi, const AcqOmpParams *op, AcqOmpResult *or,
			  char *errbuf, size_t errlen)
{
	int64		n = owner->b.n;
	int64		nh = hard->b.n;
	int			d = owner->b.d;
	double	   *all;
	double	   *classes;
	int			K;
	int		   *yo;
	int		   *yh;
	AcqSoftmax	sm;
	AcqStatus	st;
	double	   *P,
			   *Ph,
			   *E,
			   *H,
			   *b;

	acq_memory_take(s->held, 12.0 * (double) (n + nh), "omp: the owner's and the hard rows' labels",
					"Use an owner table with fewer rows");
	all = palloc_extended(sizeof(double) * (n + nh), MCXT_ALLOC_HUGE);
	yo = palloc_extended(sizeof(int) * n, MCXT_ALLOC_HUGE);
	yh = palloc_extended(sizeof(int) * nh, MCXT_ALLOC_HUGE);
	memcpy(all, owner->b.y, sizeof(double) * n);
	memcpy(all + n, hard->b.y, sizeof(double) * nh);
	K = acq_distinct_values(all, n + nh, &classes);
	acq_value_codes(owner->b.y, n, classes, K, yo);
	acq_value_codes(hard->b.y, nh, classes, K, yh);
	acq_check_memory(*s->held + acq_softmax_fit_bytes(n, d, K),
					 psprintf("training the owner's softmax regression on " INT64_FORMAT " rows of %d features, %d classes",
							  n, d, K),
					 "Use an owner table with fewer rows or features");
	st = acq_softmax_fit(owner->b.X, yo, n, d, K, s->c, 1000, 1e-4, &sm, errbuf, errlen);
	if (st != ACQ_OK && st != ACQ_ERR_NO_CONVERGENCE && st != ACQ_ERR_SINGLE_CLASS)
		ereport(ERROR,
				(errcode(st == ACQ_ERR_OVERFLOW ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE : ERRCODE_DATA_EXCEPTION),
				 errmsg("training the owner's softmax regression on %s failed: %s",
						acq_rel_display_name(s->owner.rel), errbuf)));
	/* the probabilities of every row, then the candidates' factors and features */
	acq_memory_take(s->held, sizeof(double) * ((double) (n + nh) * K + (double) nc * (K + d) + K * (d + 1.0)),
					psprintf("omp: the softmax gradients of " INT64_FORMAT " candidates (%d classes, %d features)",
							 nc, K, d),
					"The candidates' features and class probabilities are copied (8 bytes each): "
					"use an owner table with fewer rows or features, or set same_label");
	P = palloc_extended(sizeof(double) * n * K, MCXT_ALLOC_HUGE);
	Ph = palloc_extended(sizeof(double) * nh * K, MCXT_ALLOC_HUGE);
	acq_softmax_predict_proba(&sm, owner->b.X, n, P);
	acq_softmax_predict_proba(&sm, hard->b.X, nh, Ph);
	acq_softmax_free(&sm);
	(void) acq_omp_softmax_factor(P, yo, n, K, P);
	(void) acq_omp_softmax_factor(Ph, yh, nh, K, Ph);
	b = palloc(sizeof(double) * K * (d + 1));
	acq_omp_softmax_target(Ph, hard->b.X, nh, K, d, b);
	E = palloc_extended(sizeof(double) * nc * K, MCXT_ALLOC_HUGE);
	H = palloc_extended(sizeof(double) * nc * d, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < nc; i++)
	{
		memcpy(E + i * K, P + cand[i] * K, sizeof(double) * K);
		memcpy(H + i * d, owner->b.X + cand[i] * d, sizeof(double) * d);
	}
	mycroft_check_pursuit(s, ACQ_OMP_WORK_SOFTMAX, nc, K * (d + 1));
	return acq_omp_softmax(E, H, nc, K, d, b, psi, psi ? ACQ_OMP_PSI_DIAGONAL : 0, op, or,
						   errbuf, errlen);
}

/* omp/combined with the owner's rows in memory */
static void
select_in_memory(SelSpec *s, const Rows *hard, const double *hl, int nhl, SelResult *res)
{
	Rows		owner = {0};
	int			d = hard->b.d,
				m = hard->m;
	int64		n;
	int64	   *cand;
	int64		nc = 0;
	AcqOmpParams op;
	AcqOmpResult or;
	AcqStatus	st;
	char		errbuf[256];
	double	   *psi;

	mycroft_read_rows(&s->owner, &owner, -1, &d, s->owner.gradients ? &m : NULL);
	mycroft_check_owner_rows(s, &owner, res);
	/* candidates: every owner row, or those with D_hard's labels */
	n = owner.b.n;
	acq_memory_take(s->held, sizeof(int64) * (double) n, "omp: the candidates",
					"Use an owner table with fewer rows");
	cand = palloc_extended(sizeof(int64) * (n > 0 ? n : 1), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < n; i++)
		if (!s->same_label || acq_has_value(hl, nhl, owner.b.y[i]))
			cand[nc++] = i;
	mycroft_omp_check_candidates(s, nc);
	mycroft_omp_params(s, &op);
	psi = mycroft_omp_psi(s, &owner, hard, cand, nc);
	if (s->owner.gradients)
		st = match_gradient_column(s, &owner, hard, cand, nc, psi, &op, &or, errbuf, sizeof(errbuf));
	else
		st = match_softmax(s, &owner, hard, cand, nc, psi, &op, &or, errbuf, sizeof(errbuf));
	if (st != ACQ_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("gradient matching failed: %s", errbuf)));
	mycroft_omp_result(s, res, &or, cand, owner.b.ids, psi);
}

void
mycroft_select_omp(SelSpec *s, const Rows *hard, const double *hl, int nhl, SelResult *res)
{
	if (mycroft_omp_streamable(s, hard) && mycroft_select_omp_streamed(s, hard, hl, nhl, res))
		return;
	select_in_memory(s, hard, hl, nhl, res);
}
