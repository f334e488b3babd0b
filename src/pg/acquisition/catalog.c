/*
 * catalog.c -- every read and write of a plan's rows: its row of
 * acq.acquisition_plans (inserted, read back, taken by a job that resumes
 * it, named, finished) and its log, acq.acquisition_rounds (read at set-up,
 * a row per round).  Writes are made as the extension owner (acq_elevate).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "pg/acquisition/acquisition.h"

/*
 * Does the catalog have curve's columns (0.2.0)?  A 0.1.0 catalog, not yet
 * updated, runs the other strategies with the new library: its plans are
 * written and read without them.
 */
static bool
catalog_has_curve(void)
{
	Oid			ns = get_namespace_oid("acq", true);
	Oid			rel = OidIsValid(ns) ? get_relname_relid("acquisition_rounds", ns) : InvalidOid;

	return OidIsValid(rel) && get_attnum(rel, "curve") != InvalidAttrNumber;
}


int64
acquisition_insert_plan(const AcqSpec *s, int64 job_id)
{
	Oid			types[34];
	Datum		v[34];
	char		n[34];
	Elevation	e;
	bool		isnull;
	int64		plan_id;
	int			i = 0;
	bool		curve;

	memset(n, ' ', sizeof(n));
#define ARG(t, d) do { types[i] = (t); v[i] = (d); i++; } while (0)
#define NULLARG(t) do { types[i] = (t); v[i] = (Datum) 0; n[i] = 'n'; i++; } while (0)
	if (job_id > 0)
		ARG(INT8OID, Int64GetDatum(job_id));
	else
		NULLARG(INT8OID);
	ARG(OIDOID, ObjectIdGetDatum(s->consumer));
	ARG(OIDOID, ObjectIdGetDatum(s->provider));
	ARG(OIDOID, ObjectIdGetDatum(s->target));
	ARG(TEXTOID, CStringGetTextDatum(s->features));
	ARG(TEXTOID, CStringGetTextDatum(s->label));
	ARG(TEXTOID, CStringGetTextDatum(s->id));
	ARG(INT4OID, Int32GetDatum(s->budget));
	ARG(TEXTOID, CStringGetTextDatum(acq_option_name(acquisition_strategies, s->strategy)));
	ARG(TEXTOID, CStringGetTextDatum(acq_option_name(acquisition_predicate_kinds, s->kind)));
	ARG(TEXTOID, CStringGetTextDatum(acq_option_name(acquisition_tasks, s->regression)));
	if (s->labels)
		ARG(FLOAT8ARRAYOID, acq_float8_array_datum(s->labels, s->nlabels));
	else
		NULLARG(FLOAT8ARRAYOID);
	if (s->grid_dims)
		ARG(INT4ARRAYOID, acq_int4_array_datum(s->grid_dims, s->ngrid));
	else
		NULLARG(INT4ARRAYOID);
	ARG(INT4OID, Int32GetDatum(s->grid_size));
	if (s->sql)
		ARG(TEXTARRAYOID, acq_text_array_datum(s->sql, s->nsql));
	else
		NULLARG(TEXTARRAYOID);
	ARG(INT4OID, Int32GetDatum(s->batch));
	ARG(INT4OID, Int32GetDatum(s->tau));
	ARG(FLOAT8OID, Float8GetDatum(s->l));
	ARG(FLOAT8OID, Float8GetDatum(s->delta));
	ARG(TEXTOID, CStringGetTextDatum(acq_option_name(acquisition_allocations, s->allocation)));
	ARG(INT4OID, Int32GetDatum(s->novelty_k));
	ARG(INT4OID, Int32GetDatum(s->novelty_splits));
	ARG(BOOLOID, BoolGetDatum(s->scale));
	ARG(INT8OID, Int64GetDatum(s->seed));
	ARG(OIDOID, ObjectIdGetDatum(GetUserId()));
	curve = catalog_has_curve();
	if (OidIsValid(s->validation))
		ARG(OIDOID, ObjectIdGetDatum(s->validation));
	else
		NULLARG(OIDOID);
	if (s->model)
		ARG(TEXTOID, CStringGetTextDatum(s->model));
	else
		NULLARG(TEXTOID);
	ARG(FLOAT8OID, Float8GetDatum(s->fairness_lambda));
	ARG(INT4OID, Int32GetDatum(s->curve_points));
	ARG(TEXTOID, CStringGetTextDatum(acq_option_name(acquisition_curve_poolings, s->curve_pooling)));
	ARG(FLOAT8OID, Float8GetDatum(s->separation));
	ARG(FLOAT8OID, Float8GetDatum(s->curve_min_exponent));
	ARG(FLOAT8OID, Float8GetDatum(s->curve_hedge));
	ARG(FLOAT8OID, Float8GetDatum(s->fill_cap));
#undef ARG
#undef NULLARG
	acq_elevate(&e);
	acq_spi_check(SPI_execute_with_args(curve ?
										"INSERT INTO acq.acquisition_plans (job_id, consumer, provider, target, features, label,"
										" id_column, budget, strategy, predicates, task, labels, grid_dims, grid_size,"
										" predicate_sql, batch, tau, l, delta, allocation, novelty_k, novelty_splits, scale,"
										" seed, owner, budget_left, validation, curve_model, fairness_lambda, curve_points,"
										" curve_pooling, separation, curve_min_exponent, curve_hedge, fill_cap)"
										" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
										" $18, $19, $20, $21, $22, $23, $24, $25::pg_catalog.regrole, $8, $26, $27, $28, $29,"
										" $30, $31, $32, $33, $34)"
										" RETURNING plan_id" :
										"INSERT INTO acq.acquisition_plans (job_id, consumer, provider, target, features, label,"
										" id_column, budget, strategy, predicates, task, labels, grid_dims, grid_size,"
										" predicate_sql, batch, tau, l, delta, allocation, novelty_k, novelty_splits, scale,"
										" seed, owner, budget_left)"
										" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
										" $18, $19, $20, $21, $22, $23, $24, $25::pg_catalog.regrole, $8) RETURNING plan_id",
										curve ? i : 25, types, v, n, false, 0),
				  SPI_OK_INSERT_RETURNING, "inserting the plan");
	plan_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	acq_unelevate(&e);
	return plan_id;
}

/*
 * Read as the caller (row-level security: plans of roles the caller is a
 * member of); allocates in the caller's memory context.
 */
void
acquisition_read_plan(int64 plan_id, AcqSpec *s, const char *hint)
{
	Oid			t = INT8OID;
	Datum		v = Int64GetDatum(plan_id);
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;
	MemoryContext mine = CurrentMemoryContext;
	bool		curve = catalog_has_curve();

	acq_spi_check(SPI_execute_with_args(curve ?
										"SELECT consumer::pg_catalog.oid, provider::pg_catalog.oid,"
										" target::pg_catalog.oid, features::pg_catalog.text, label::pg_catalog.text,"
										" id_column::pg_catalog.text, budget, strategy, predicates, task, labels,"
										" grid_dims, grid_size, predicate_sql, batch, tau, l, delta, allocation,"
										" novelty_k, novelty_splits, scale, seed, validation::pg_catalog.oid, curve_model,"
										" fairness_lambda, curve_points, curve_pooling, separation, curve_min_exponent,"
										" curve_hedge, fill_cap"
										" FROM acq.acquisition_plans WHERE plan_id OPERATOR(pg_catalog.=) $1" :
										"SELECT consumer::pg_catalog.oid, provider::pg_catalog.oid,"
										" target::pg_catalog.oid, features::pg_catalog.text, label::pg_catalog.text,"
										" id_column::pg_catalog.text, budget, strategy, predicates, task, labels,"
										" grid_dims, grid_size, predicate_sql, batch, tau, l, delta, allocation,"
										" novelty_k, novelty_splits, scale, seed"
										" FROM acq.acquisition_plans WHERE plan_id OPERATOR(pg_catalog.=) $1",
										1, &t, &v, NULL, false, 0),
				  SPI_OK_SELECT, "reading the plan");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("there is no acquisition plan " INT64_FORMAT " that you can see", plan_id),
				 hint ? errhint("%s", hint) : 0));
	MemoryContextSwitchTo(mine);
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	memset(s, 0, sizeof(*s));
#define COL(i) SPI_getbinval(row, desc, (i), &isnull)
#define TXT(i) SPI_getvalue(row, desc, (i))
	s->consumer = DatumGetObjectId(COL(1));
	s->provider = DatumGetObjectId(COL(2));
	s->target = DatumGetObjectId(COL(3));
	s->features = TXT(4);
	s->label = TXT(5);
	s->id = TXT(6);
	s->budget = DatumGetInt32(COL(7));
	/* written by acquisition_insert_plan from these tables: no hint needed */
	s->strategy = acq_parse_option(acquisition_strategies, TXT(8), "strategy", NULL);
	s->kind = acq_parse_option(acquisition_predicate_kinds, TXT(9), "predicates", NULL);
	s->regression = acq_parse_option(acquisition_tasks, TXT(10), "task", NULL);
	d = COL(11);
	if (!isnull)
		s->labels = acq_float8_array_arg(DatumGetArrayTypeP(d), &s->nlabels, "labels");
	d = COL(12);
	if (!isnull)
		s->grid_dims = acq_int4_array_arg(DatumGetArrayTypeP(d), &s->ngrid, "grid_dims");
	s->grid_size = DatumGetInt32(COL(13));
	d = COL(14);
	if (!isnull)
		s->sql = acq_text_array_arg(DatumGetArrayTypeP(d), &s->nsql, "predicate_sql");
	s->batch = DatumGetInt32(COL(15));
	s->tau = DatumGetInt32(COL(16));
	s->l = DatumGetFloat8(COL(17));
	s->delta = DatumGetFloat8(COL(18));
	s->allocation = acq_parse_option(acquisition_allocations, TXT(19), "allocation", NULL);
	s->novelty_k = DatumGetInt32(COL(20));
	s->novelty_splits = DatumGetInt32(COL(21));
	s->scale = DatumGetBool(COL(22));
	s->seed = DatumGetInt64(COL(23));
	s->curve_points = 5;
	s->curve_pooling = ACQ_CURVE_POOL_AUTO;
	s->separation = 1.0;
	s->curve_min_exponent = 0.0;
	s->curve_hedge = 0.0;
	s->fill_cap = 0.0;
	if (!curve)
		goto done;
	d = COL(24);
	if (!isnull)
		s->validation = DatumGetObjectId(d);
	d = COL(25);
	if (!isnull)
		s->model = TextDatumGetCString(d);
	s->fairness_lambda = DatumGetFloat8(COL(26));
	s->curve_points = DatumGetInt32(COL(27));
	s->curve_pooling = acq_parse_option(acquisition_curve_poolings, TXT(28), "curve_pooling", NULL);
	s->separation = DatumGetFloat8(COL(29));
	s->curve_min_exponent = DatumGetFloat8(COL(30));
	s->curve_hedge = DatumGetFloat8(COL(31));
	s->fill_cap = DatumGetFloat8(COL(32));
done:;
#undef COL
#undef TXT
}

void
acquisition_check_plan_tables(int64 plan_id, const AcqSpec *s, bool provider)
{
	if (get_rel_name(s->target) == NULL || (provider && get_rel_name(s->provider) == NULL) ||
		get_rel_name(s->consumer) == NULL ||
		(provider && OidIsValid(s->validation) && get_rel_name(s->validation) == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("a table of acquisition plan " INT64_FORMAT " no longer exists", plan_id)));
}

void
acquisition_take_plan(int64 plan_id, int64 job_id)
{
	Datum		a[3];
	Oid			t[3] = {INT8OID, INT8OID, OIDOID};
	Elevation	e;
	bool		isnull;

	a[0] = Int64GetDatum(plan_id);
	a[1] = Int64GetDatum(job_id);
	a[2] = ObjectIdGetDatum(GetUserId());	/* the job's owner, before elevating */
	acq_elevate(&e);
	/*
	 * Only a plan whose job failed, was cancelled or died: a second resume of
	 * the same plan waits here for the first's commit, then finds the plan
	 * running under the first's job.
	 */
	acq_spi_check(SPI_execute_with_args("UPDATE acq.acquisition_plans p SET job_id = $2, status = 'running',"
										" message = NULL WHERE p.plan_id OPERATOR(pg_catalog.=) $1"
										" AND pg_catalog.pg_has_role($3, p.owner, 'MEMBER')"
										" AND (p.status OPERATOR(pg_catalog.=) 'failed'"
										"      OR (p.status OPERATOR(pg_catalog.=) 'running'"
										"          AND EXISTS (SELECT 1 FROM acq.job_status j"
										"                       WHERE j.id OPERATOR(pg_catalog.=) p.job_id"
										"                         AND j.status OPERATOR(pg_catalog.=) ANY ('{failed,cancelled}'))))",
										3, t, a, NULL, false, 0), SPI_OK_UPDATE, "taking the plan");
	if (SPI_processed == 1)
	{
		acq_unelevate(&e);
		return;
	}
	acq_spi_check(SPI_execute_with_args("SELECT status, job_id FROM acq.acquisition_plans p"
										" WHERE p.plan_id OPERATOR(pg_catalog.=) $1"
										" AND pg_catalog.pg_has_role($3, p.owner, 'MEMBER')",
										3, t, a, NULL, false, 1), SPI_OK_SELECT, "reading the plan");
	acq_unelevate(&e);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("there is no acquisition plan " INT64_FORMAT " of yours to resume", plan_id)));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("acquisition plan " INT64_FORMAT " is %s under job " INT64_FORMAT ", not interrupted",
					plan_id, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
					DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull))),
			 errhint("Another acq.resume_acquire took it; acq.acquisitions shows its state.")));
}

/* ---- the log ---------------------------------------------------------------- */

/* each round's predicate, what was bought, and the state after the last round */
void
acquisition_read_log(Run *run, PlanLog *log)
{
	Oid			t = INT8OID;
	Datum		v = Int64GetDatum(run->plan_id);

	memset(log, 0, sizeof(*log));
	acq_spi_check(SPI_execute_with_args("SELECT round, predicate, received, state, rng"
										" FROM acq.acquisition_rounds WHERE plan_id OPERATOR(pg_catalog.=) $1"
										" ORDER BY round", 1, &t, &v, NULL, false, 0),
				  SPI_OK_SELECT, "reading the plan's rounds");
	MemoryContextSwitchTo(run->cxt);
	log->nround = (int) SPI_processed;
	log->round_pred = palloc(sizeof(int) * (log->nround + 1));
	for (int i = 0; i < log->nround; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		if (DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull)) != i + 1)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the log of acquisition plan " INT64_FORMAT " misses round %d", run->plan_id, i + 1)));
		log->round_pred[i] = DatumGetInt32(SPI_getbinval(tup, desc, 2, &isnull)) - 1;
		log->bought += DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
		if (i == log->nround - 1)
		{
			int			n;
			Datum	   *e;
			bool	   *nulls;

			/* the planner's state: NaN is a legitimate value there */
			log->state = acq_float8_array_values(DatumGetArrayTypePCopy(SPI_getbinval(tup, desc, 4, &isnull)),
									 &log->nstate);
			deconstruct_array(DatumGetArrayTypePCopy(SPI_getbinval(tup, desc, 5, &isnull)),
							  INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &e, &nulls, &n);
			if (n == 2)
			{
				log->rng[0] = DatumGetInt64(e[0]);
				log->rng[1] = DatumGetInt64(e[1]);
			}
		}
	}
	SPI_freetuptable(SPI_tuptable);
	MemoryContextSwitchTo(run->cxt);
}

/* the plan's predicate_names, once the set-up has named them */
void
acquisition_set_predicate_names(Run *run)
{
	Oid			types[2] = {INT8OID, TEXTARRAYOID};
	Datum		v[2];
	char	  **names = palloc(sizeof(char *) * run->np);
	Elevation	e;

	for (int i = 0; i < run->np; i++)
		names[i] = run->preds[i].name;
	v[0] = Int64GetDatum(run->plan_id);
	v[1] = acq_text_array_datum(names, run->np);
	acq_elevate(&e);
	acq_spi_check(SPI_execute_with_args("UPDATE acq.acquisition_plans SET predicate_names = $2"
										" WHERE plan_id OPERATOR(pg_catalog.=) $1",
										2, types, v, NULL, false, 0),
				  SPI_OK_UPDATE, "naming the predicates");
	acq_unelevate(&e);
}

/* a round's row of the log (and, in a job, the plan's counters) */
void
acquisition_log_round(Run *run, int round, int p, int64 requested, int received, double utility)
{
	Oid			types[15] = {INT8OID, INT4OID, TEXTOID, INT4OID, TEXTOID, INT4OID, INT4OID,
	FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, INT4OID, FLOAT8ARRAYOID, INT8ARRAYOID, TEXTOID};
	Datum		v[15];
	char		n[15];
	size_t		ns = acq_planner_state_size(run->planner);
	double	   *state = palloc(sizeof(double) * ns);
	int64		rng[2];
	Elevation	e;
	AcqPlanPred *q = &run->planner->preds[p];

	memset(n, ' ', sizeof(n));
	acq_planner_save(run->planner, state);
	rng[0] = (int64) run->strat_state.s0;
	rng[1] = (int64) run->strat_state.s1;
	v[0] = Int64GetDatum(run->plan_id);
	v[1] = Int32GetDatum(round);
	v[2] = CStringGetTextDatum(acq_stage_name(run->planner->stage));
	v[3] = Int32GetDatum(p + 1);
	v[4] = CStringGetTextDatum(run->preds[p].name);
	v[5] = Int32GetDatum((int) requested);
	v[6] = Int32GetDatum(received);
	v[7] = Float8GetDatum(utility);
	n[7] = isnan(utility) ? 'n' : ' ';
	if (run->s.strategy == ACQ_STRATEGY_SPS)
	{
		double		a,
					b;

		acq_planner_posterior(run->planner, p, &a, &b);
		v[8] = Float8GetDatum(a);
		v[9] = Float8GetDatum(b);
	}
	else
		n[8] = n[9] = 'n';
	v[10] = Float8GetDatum(q->utility);
	n[10] = run->s.strategy == ACQ_STRATEGY_EA && q->has_utility ? ' ' : 'n';
	v[11] = Int32GetDatum((int) run->planner->budget_left);
	v[12] = acq_float8_array_datum(state, (int) ns);
	v[13] = acq_int8_array_datum(rng, 2);
	/* curve: the allocation round's fits, on its first query */
	if (run->curve_log)
		v[14] = CStringGetTextDatum(run->curve_log);
	else
		n[14] = 'n';
	acq_elevate(&e);
	if (run->log_plan == NULL)
	{
		run->log_plan = catalog_has_curve() ?
			acquisition_prepare(run, "INSERT INTO acq.acquisition_rounds (plan_id, round, owner, stage,"
								" predicate, predicate_name, requested, received, utility, alpha, beta,"
								" estimate, budget_left, state, rng, curve)"
								" SELECT $1, $2, p.owner, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
								" $15::pg_catalog.jsonb"
								" FROM acq.acquisition_plans p WHERE p.plan_id OPERATOR(pg_catalog.=) $1",
								15, types, "logging the round") :
			acquisition_prepare(run, "INSERT INTO acq.acquisition_rounds (plan_id, round, owner, stage,"
								" predicate, predicate_name, requested, received, utility, alpha, beta,"
								" estimate, budget_left, state, rng)"
								" SELECT $1, $2, p.owner, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14"
								" FROM acq.acquisition_plans p WHERE p.plan_id OPERATOR(pg_catalog.=) $1",
								14, types, "logging the round");
		if (run->keep_plans)
			run->count_plan = acquisition_prepare(run, "UPDATE acq.acquisition_plans SET bought = bought OPERATOR(pg_catalog.+) $7,"
												  " rounds = $2, budget_left = $12"
												  " WHERE plan_id OPERATOR(pg_catalog.=) $1",
												  12, types, "updating the plan");
	}
	acq_spi_check(SPI_execute_plan(run->log_plan, v, n, false, 0), SPI_OK_INSERT, "logging the round");
	/*
	 * A job's plan shows its progress round by round; acq.acquire's is one
	 * transaction, so its counters are written once, by
	 * acquisition_finish_plan.
	 */
	if (run->keep_plans)
		acq_spi_check(SPI_execute_plan(run->count_plan, v, n, false, 0), SPI_OK_UPDATE, "updating the plan");
	acq_unelevate(&e);
	pfree(state);
}

/* the plan succeeded: its counters and message */
void
acquisition_finish_plan(Run *run)
{
	Oid			types[5] = {INT8OID, TEXTOID, INT4OID, INT4OID, INT4OID};
	Datum		v[5];
	Elevation	e;
	int			bought = (int) (run->s.budget - run->planner->budget_left);

	v[0] = Int64GetDatum(run->plan_id);
	v[1] = CStringGetTextDatum(psprintf("bought %d records in " INT64_FORMAT " rounds",
										bought, run->planner->rounds));
	v[2] = Int32GetDatum(bought);
	v[3] = Int32GetDatum((int) run->planner->rounds);
	v[4] = Int32GetDatum((int) run->planner->budget_left);
	acq_elevate(&e);
	acq_spi_check(SPI_execute_with_args("UPDATE acq.acquisition_plans SET status = 'succeeded',"
										" finished_at = pg_catalog.clock_timestamp(), message = $2,"
										" bought = $3, rounds = $4, budget_left = $5"
										" WHERE plan_id OPERATOR(pg_catalog.=) $1",
										5, types, v, NULL, false, 0),
				  SPI_OK_UPDATE, "finishing the plan");
	acq_unelevate(&e);
}
