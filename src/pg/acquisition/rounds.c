/*
 * rounds.c -- a run of a plan: the set-up (what is held, what is for sale,
 * the predicates and their pools, novelty's sets, the planner, fresh or
 * restored from the log) and the round loop (the planner names (P, I); I
 * records are drawn from P's pool, bought, measured and logged).  Also the
 * run's prepared statements, which a worker's run keeps across rounds.
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "pg/acquisition/acquisition.h"

static void build_predicates(Run *run, PoolScan *ps);
static char *predicate_name(Run *run, int p);
static void check_pools(Run *run);
static void create_planner(Run *run, const PlanLog *log);

/* ---- the run's statements --------------------------------------------------------- */

/*
 * A per-round statement, planned once.  A worker's run keeps its plans
 * across its transactions (SPI_keepplan); acq.acquire's die with its SPI
 * connection, so that an error leaves nothing behind.
 */
SPIPlanPtr
acquisition_prepare(Run *run, const char *sql, int nargs, Oid *types, const char *what)
{
	SPIPlanPtr	plan = acq_spi_prepare(sql, nargs, types, what);

	if (run->keep_plans)
		SPI_keepplan(plan);
	return plan;
}

void
acquisition_free_plans(Run *run)
{
	if (run->buy_plan)
		SPI_freeplan(run->buy_plan);
	if (run->buy_tid_plan)
		SPI_freeplan(run->buy_tid_plan);
	if (run->null_plan)
		SPI_freeplan(run->null_plan);
	if (run->log_plan)
		SPI_freeplan(run->log_plan);
	if (run->count_plan)
		SPI_freeplan(run->count_plan);
}

/* ---- set-up ----------------------------------------------------------------------- */

static char *
format_label(double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return psprintf("%.0f", v);
	return psprintf("%.17g", v);
}

/* the name of predicate p, as the log and the summary show it */
static char *
predicate_name(Run *run, int p)
{
	AcqSpec    *s = &run->s;
	StringInfoData n;

	switch (run->pool->kind)
	{
		case ACQ_POOL_ONE:
			return pstrdup("true");
		case ACQ_POOL_LABEL:
			return psprintf("%s = %s", s->label, format_label(run->pool->labels[p]));
		case ACQ_POOL_GRID:
			initStringInfo(&n);
			for (int g = 0; g < s->ngrid; g++)
			{
				double		lo,
							hi;
				bool		last = acq_grid_segment(&run->grid, p, g, &lo, &hi);

				appendStringInfo(&n, "%s%s[%d] in [%.6g, %.6g%s", g ? " and " : "", s->features,
								 s->grid_dims[g], lo, hi, last ? "]" : ")");
			}
			return n.data;
		case ACQ_POOL_MASK:
			return pstrdup(s->sql[p]);
	}
	return NULL;
}

/*
 * The predicates and their pools: the core assigns each pool row to the
 * predicates that offer it and keeps, per predicate, the row numbers of what
 * is for sale (src/core/pool.c); the names are made here.
 */
static void
build_predicates(Run *run, PoolScan *ps)
{
	AcqSpec    *s = &run->s;
	AcqStatus	st = ACQ_OK;
	char		errbuf[256];

	if (s->strategy == ACQ_STRATEGY_RANDOM)
		run->pool = acq_pool_one(ps->n);	/* one predicate: every record for sale */
	else if (s->kind == PRED_LABEL)
	{
		double	   *given = NULL;

		if (s->labels)
		{
			/*
			 * PostgreSQL's qsort, as ever: with 0 and -0 among the labels, it
			 * decides which one the error of a duplicate names
			 */
			given = palloc(sizeof(double) * s->nlabels);
			memcpy(given, s->labels, sizeof(double) * s->nlabels);
			qsort(given, s->nlabels, sizeof(double), acq_cmp_double);
		}
		st = acq_pool_by_label(ps->label, ps->n, given, s->nlabels, MAX_PREDICATES, &run->pool,
							   errbuf, sizeof(errbuf));
		if (st == ACQ_ERR_TOO_LARGE)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s", errbuf),
					 errhint("Choose the labels to query with labels => ARRAY[...].")));
		if (st != ACQ_OK)
			acquisition_param_error(errbuf, NULL);
	}
	else if (s->kind == PRED_GRID)
	{
		st = acq_pool_by_grid(&run->grid, ps->grid, ps->n, MAX_PREDICATES, &run->pool,
							  errbuf, sizeof(errbuf));
		if (st != ACQ_OK)
			acquisition_param_error(errbuf, "Use fewer grid_dims or a smaller grid_size.");
	}
	else
		run->pool = acq_pool_by_mask(ps->mask, ps->n, s->nsql);
	run->np = run->pool->np;
	run->preds = palloc0(sizeof(Pred) * (run->np > 0 ? run->np : 1));
	for (int p = 0; p < run->np; p++)
		run->preds[p].name = predicate_name(run, p);
	run->pool_id = ps->id;
	run->pool_tid = ps->tid;
}

/*
 * A new plan: every predicate must offer something, and together they must
 * offer the budget.
 */
static void
check_pools(Run *run)
{
	AcqSpec    *s = &run->s;
	int64		total;
	int			empty = 0;

	for (int p = 0; p < run->np; p++)
	{
		/* an empty grid cell, or a label all of whose records are held, is just left out */
		if (run->pool->preds[p].nrows == 0 &&
			(s->kind == PRED_GRID || (s->kind == PRED_LABEL && s->labels == NULL)) &&
			s->strategy != ACQ_STRATEGY_RANDOM)
		{
			empty++;
			continue;
		}
		if (run->pool->preds[p].nrows == 0)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA),
					 errmsg("predicate \"%s\" selects no record for sale in %s", run->preds[p].name, run->q_provider),
					 errdetail("Nothing was bought."),
					 errhint(s->kind == PRED_LABEL ? "Query only labels the provider has (labels => ARRAY[...])." :
							 s->kind == PRED_GRID ? "Use a coarser grid (grid_size) or other grid_dims." :
							 "Every SQL predicate must select records the consumer does not hold yet.")));
	}
	if (empty == run->np)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("no predicate selects a record for sale in %s", run->q_provider),
				 errdetail("Nothing was bought.")));
	if (empty > 0)
		ereport(NOTICE,
				(errmsg("%d of %d predicates select no record for sale; they are left out",
						empty, run->np)));
	/* overlapping SQL predicates offer a record once */
	total = acq_pool_offered(run->pool);
	if (total < s->budget)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget %d is larger than the " INT64_FORMAT " records the predicates offer",
						s->budget, total),
				 errdetail("Nothing was bought."),
				 errhint("Lower the budget to at most " INT64_FORMAT ".", total)));
}

/*
 * A new plan's first round covers every predicate (planner.h): a budget
 * below the predicates is refused; a first round shrunk to fit the budget,
 * or uniform rounds smaller than the predicates, are said.
 */
static void
check_start(Run *run)
{
	AcqSpec    *s = &run->s;
	AcqPlanStart st;
	const char *who = s->strategy == ACQ_STRATEGY_SPS ? "SPS" : "EA";

	acq_planner_start(run->planner, &st);
	if (!st.covers)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget %d is smaller than the %d predicates", s->budget, st.active),
				 errdetail("A plan's first round buys at least one record of every predicate. Nothing was bought."),
				 errhint("Raise the budget to at least %d, or use fewer predicates.", st.active)));
	if (st.shrunk)
		ereport(NOTICE,
				(errmsg("%s's first round buys %lld record%s of each of the %d predicates%s, not %s",
						who, (long long) st.share, st.share == 1 ? "" : "s", st.active,
						st.extra > 0 ? psprintf(" (%lld of the first %d)", (long long) st.share + 1, st.extra) : "",
						s->strategy == ACQ_STRATEGY_SPS ? psprintf("batch %d", s->batch) : "its initial shares"),
				 errdetail("The budget %d is smaller than the %lld records that round asks for; it is split equally, so that every predicate is measured.",
						   s->budget, (long long) st.asked),
				 s->strategy == ACQ_STRATEGY_SPS ?
				 errhint("Nothing is left for Thompson sampling unless a predicate runs out: raise the budget to at least %lld for SPS to choose.",
						 (long long) st.asked + 1) : 0));
	if (st.in_turn)
		ereport(NOTICE,
				(errmsg("uniform rounds of %lld records are fewer than the %d predicates: the predicates are served in turn",
						(long long) st.asked, st.active),
				 errdetail("Every predicate gets a record before any gets a second.")));
}

/* the planner, fresh or restored from the log's last round */
static void
create_planner(Run *run, const PlanLog *log)
{
	AcqSpec    *s = &run->s;
	AcqPlanParams pp;
	int64	   *pool;
	char		errbuf[256];

	memset(&pp, 0, sizeof(pp));
	pp.strategy = s->strategy;
	pp.budget = s->budget;
	pp.batch = s->batch;
	pp.tau = s->tau;
	pp.l = s->l;
	pp.delta = s->delta;
	pp.allocation = s->allocation;
	pp.separation = s->separation;
	pp.fill_cap = s->fill_cap;
	pool = palloc(sizeof(int64) * run->np);
	for (int p = 0; p < run->np; p++)
		pool[p] = run->pool->preds[p].nrows;
	run->planner = acq_planner_create(&pp, run->np, pool, errbuf, sizeof(errbuf));
	if (run->planner == NULL)
		acquisition_param_error(errbuf, NULL);
	acq_pg_rng_init(&run->pick_rng, &run->pick_state, s->seed ^ (int64) (log->nround * UINT64CONST(0x9E3779B97F4A7C15)));
	acq_pg_rng_init(&run->strat_rng, &run->strat_state, s->seed + 1);
	if (log->nround > 0)
	{
		if (!acq_planner_restore(run->planner, log->state, log->nstate))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the log of acquisition plan " INT64_FORMAT " does not match its parameters", run->plan_id)));
		run->strat_state.s0 = (uint64) log->rng[0];
		run->strat_state.s1 = (uint64) log->rng[1];
	}
	else
		check_start(run);
	for (int p = 0; p < run->np; p++)
	{
		acq_planner_set_available(run->planner, p, run->pool->preds[p].available);
		/* what novelty holds for P at the start (EA 'fill''s cap): set up before the planner */
		acq_planner_set_held(run->planner, p, run->preds[p].held.n);
	}
	pfree(pool);
}

/*
 * Before the provider is read: what the run will hold, estimated from the
 * provider's row count (pg_class.reltuples; none if it was never analysed:
 * then each growth is checked as it comes) and the records held -- the
 * records for sale (ids, labels, predicates), and for novelty (SPS, EA) a
 * vector per held record and per record bought.
 */
static void
check_run_memory(Run *run, int64 nheld)
{
	AcqSpec    *s = &run->s;
	double		nprov = Max(acq_rel_rows_estimate(s->provider), 0.0);
	int			nd = run->d + (s->regression ? 1 : 0);
	bool		novelty = s->strategy == ACQ_STRATEGY_SPS || s->strategy == ACQ_STRATEGY_EA;
	double		need = run->mem + nprov * acquisition_pool_row_bytes(run) +
		(8.0 * nd + 8.0) * s->batch;

	/*
	 * The vectors, and the first measurement's workspace (a batch).  EA's
	 * later measurements compare everything bought through a predicate:
	 * how much that is depends on the allocation, so acquisition_measure
	 * checks each one before it starts.
	 */
	if (novelty)
		need += ((double) nheld + s->budget) * (12.0 * nd + 8.0) +
			acq_novelty_work_bytes(nheld + s->budget, s->batch, nd, s->novelty_k);

	if (acq_memory_over(need))
		acq_check_memory(need,
						 psprintf("acquiring from about %.0f records for sale, " INT64_FORMAT " held, of %d features "
								  "(budget %d, %s)", nprov, nheld, run->d, s->budget,
								  novelty ? "novelty over every held and bought record" : "no novelty"),
						 novelty ?
						 "Novelty keeps a vector per held and bought record (12 bytes a feature) and distances among a batch "
						 "(EA: among all bought through a predicate), the provider 32 bytes a record: "
						 "use fewer held records or features, a smaller budget, or strategy => 'uniform'" :
						 "The provider's records are held as ids and labels (32 bytes a record): use a provider with fewer records");
}

void
acquisition_setup_run(Run *run)
{
	AcqSpec    *s = &run->s;
	HeldRows	held = {0};
	PoolScan	ps = {0};
	PlanLog		log;
	int64		mine = 0;
	char		errbuf[256];

	run->q_target = acq_rel_display_name(s->target);
	run->q_provider = acq_rel_display_name(s->provider);
	run->q_id = pstrdup(quote_identifier(s->id));
	run->q_features = pstrdup(quote_identifier(s->features));
	run->q_label = pstrdup(quote_identifier(s->label));
	run->d = -1;

	/* the log so far: each round's predicate, and the last state */
	acquisition_read_log(run, &log);

	/* what the consumer holds: its own rows and everything in the target */
	acquisition_read_held(run, s->consumer, acq_rel_display_name(s->consumer), false, &held);
	acquisition_read_held(run, s->target, run->q_target, true, &held);
	for (int64 i = 0; i < held.n; i++)
		if (held.rows[i].plan_round > 0)
			mine++;
	if (mine != log.bought)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("target %s holds " INT64_FORMAT " records of acquisition plan " INT64_FORMAT
						" but its log says " INT64_FORMAT " were bought",
						run->q_target, mine, run->plan_id, log.bought),
				 errhint("Were rows of the target deleted or inserted by hand?")));
	run->held_ids = palloc_extended(sizeof(int64) * (held.n > 0 ? held.n : 1), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < held.n; i++)
		run->held_ids[i] = held.rows[i].id;
	run->nheld = held.n;
	acquisition_sort_ids(run->held_ids, run->nheld);

	/* the provider: what is for sale */
	if (run->d < 0)
		acquisition_provider_dimensions(run);
	if (s->kind == PRED_GRID && s->grid_dims == NULL)
	{
		/* default: the first two dimensions (or the only one) */
		s->ngrid = run->d == 1 ? 1 : 2;
		s->grid_dims = palloc(sizeof(int) * 2);
		s->grid_dims[0] = 1;
		s->grid_dims[1] = 2;
	}
	/* the ranges: grid_dims must name dimensions the features have */
	if (s->kind == PRED_GRID &&
		acq_grid_init(&run->grid, s->grid_dims, s->ngrid, s->grid_size, run->d,
					  errbuf, sizeof(errbuf)) != ACQ_OK)
		acquisition_param_error(errbuf, NULL);
	acq_scaling_init(&run->scaling, run->d, s->regression, s->scale);
	for (int64 i = 0; i < held.n; i++)
	{
		acq_scaling_widen(&run->scaling, held.rows[i].x, held.rows[i].x[run->d]);
		acq_grid_widen_features(&run->grid, held.rows[i].x);
	}
	run->use_tid = acquisition_tid_is_stable(run);
	check_run_memory(run, held.n);
	acquisition_scan_provider(run, &ps);
	run->nd = run->d + (s->regression ? 1 : 0);
	build_predicates(run, &ps);
	if (log.nround == 0)
		check_pools(run);

	/* curve: the training rows (held) and the validation rows */
	if (s->strategy == ACQ_STRATEGY_CURVE)
		acquisition_curve_setup(run, &held, &ps);

	/* novelty's sets: held at the start, bought by this plan */
	run->wants_novelty = s->strategy == ACQ_STRATEGY_SPS || s->strategy == ACQ_STRATEGY_EA;
	acquisition_novelty_sets(run, &held, &log);

	create_planner(run, &log);
}

/*
 * EA, once its first round is measured: predicates whose novelty came out
 * exactly 0 from fewer than EA_FEW_RECORDS records are said.  S_P = 0 keeps
 * the estimation from measuring them again, so the allocation holds them
 * covered for good; on issue 15's letter set that was half the letters, and
 * a larger first round (l) measured them properly.
 */
#define EA_FEW_RECORDS 25

static void
notice_unmeasured(Run *run)
{
	const AcqPlanner *pl = run->planner;
	int			zero;
	int64_t		lo,
				hi;
	double		l = acq_ea_unmeasured(pl, EA_FEW_RECORDS, &zero, &lo, &hi);
	const char *covered;

	if (l == 0.0)
		return;
	/* what the allocation then does with them */
	if (pl->p.allocation == ACQ_ALLOCATION_FILL && pl->p.fill_cap > 0)
		covered = psprintf(": 'fill' takes each of those predicates to be covered as if by %g times the records held for it (fill_cap), so that one of few held records is still filled",
						   pl->p.fill_cap);
	else if (pl->p.allocation == ACQ_ALLOCATION_FILL || pl->p.allocation == ACQ_ALLOCATION_MIXED)
		covered = ", and the allocation treats those predicates as covered: each gets its equal share of half the budget and no more";
	else
		covered = ", and the allocation treats those predicates as covered: they get next to nothing more";
	ereport(NOTICE,
			(errmsg("EA's first round measured no novelty in %d of %d predicates, from " INT64_FORMAT
					"%s records%s", zero, pl->np, (int64) lo,
					lo == hi ? "" : psprintf(" to " INT64_FORMAT, (int64) hi), zero > 1 ? " each" : ""),
			 errdetail("A novelty of 0 is not measured again%s.", covered),
			 errhint("If they are not as well covered as that, a larger first round measures them on more records: l => %.2g (now %g).",
					 l, pl->p.l)));
}

/* ---- the rounds ------------------------------------------------------------------- */

/*
 * Persistent state lives in run->cxt; each round's scratch in a context
 * reset every round.
 */
void
acquisition_run_rounds(Run *run, AcqJob *job)
{
	MemoryContext roundcxt = AllocSetContextCreate(run->cxt, "acq round", ALLOCSET_DEFAULT_SIZES);
	int		   *rows = NULL;
	int			cap = 0;
	bool		said_unmeasured = run->planner->stage != ACQ_STAGE_INIT;	/* resumed past it */

	for (;;)
	{
		int			p;
		int64		want;
		int			ndrawn,
					received;
		bool		keep;
		double		utility = NAN;
		Mat			got;
		MemoryContext old;
		int			round;
		double		roundmem;	/* the run's bytes and this round's batch */

		CHECK_FOR_INTERRUPTS();
		if (run->s.strategy == ACQ_STRATEGY_CURVE && acq_planner_wants_allocation(run->planner))
			acquisition_curve_allocate(run);
		old = MemoryContextSwitchTo(run->cxt);
		if (!acq_planner_next(run->planner, &run->strat_rng, &p, &want))
		{
			MemoryContextSwitchTo(old);
			break;
		}
		if (want > cap)
		{
			cap = (int) want;
			rows = rows ? repalloc(rows, sizeof(int) * cap) : palloc(sizeof(int) * cap);
		}
		MemoryContextSwitchTo(roundcxt);
		round = (int) run->planner->rounds + 1;
		ndrawn = acq_pool_draw(run->pool, p, (int) want, &run->pick_rng, rows);
		for (int i = 0; i < ndrawn; i++)
			acq_pool_take(run->pool, rows[i]);
		memset(&got, 0, sizeof(got));
		got.d = run->nd;
		roundmem = run->mem;
		got.held = &roundmem;
		keep = run->wants_novelty && acq_planner_will_measure(run->planner);
		received = ndrawn > 0 ? acquisition_buy(run, rows, ndrawn, round, &got, keep) : 0;
		if (received < ndrawn)
			ereport(WARNING,
					(errmsg("the provider returned %d of %d records drawn for \"%s\"",
							received, ndrawn, run->preds[p].name),
					 errdetail("Records that vanished from the provider since the set-up are not charged.")));
		MemoryContextSwitchTo(run->cxt);
		if (acq_planner_wants_utility(run->planner) && received > 0)
			utility = acquisition_measure(run, p, &got);
		else if (keep)
			acquisition_keep_bought(run, p, &got);
		/*
		 * observe first: it takes the received records off the predicate's
		 * count as it stood before the purchase.  Then the pool's counts,
		 * which already exclude them, correct every predicate's (a row of
		 * overlapping predicates counts for each).  The other order took
		 * the purchase off twice and marked a predicate exhausted once a
		 * query bought half of what it had left.
		 */
		acq_planner_observe(run->planner, received, utility);
		for (int q = 0; q < run->np; q++)
			acq_planner_set_available(run->planner, q, run->pool->preds[q].available);
		if (!said_unmeasured && run->planner->stage != ACQ_STAGE_INIT)
		{
			said_unmeasured = true;
			if (run->s.strategy == ACQ_STRATEGY_EA)
				notice_unmeasured(run);
		}
		MemoryContextSwitchTo(roundcxt);
		acquisition_log_round(run, round, p, want, received, utility);
		if (run->curve_log)
		{
			pfree(run->curve_log);
			run->curve_log = NULL;
		}
		if (job)
			acq_job_progress(job, (double) (run->s.budget - run->planner->budget_left) / run->s.budget,
							 "round %d", round);
		MemoryContextSwitchTo(old);
		MemoryContextReset(roundcxt);
		if (job)
			acq_job_commit_step(job);
	}
}
