/*
 * acquisition.h -- data acquisition: acq.acquire, acq.submit_acquire's and
 * acq.resume_acquire's background job, acq.evaluate and
 * acq.acquisition_curve.  Buying records from a provider through predicate
 * queries (Li, Yu, Koudas, VLDB 2021).
 *
 * A plan is a row of acq.acquisition_plans holding every parameter; its
 * rounds (one per query (P, I)) are rows of acq.acquisition_rounds.  A run:
 *
 *   set-up   one read of the consumer, the target (records bought before)
 *            and the provider: checks every row, assigns provider rows to
 *            predicates and keeps, in id order, per predicate, the row
 *            numbers of what is for sale (the features of the pool are not
 *            kept);
 *   rounds   the planner (src/core/planner.c) names (P, I); I row numbers
 *            are drawn at random without replacement from P's pool
 *            (src/core/pool.c), bought by one INSERT ... SELECT ... WHERE
 *            id = ANY(...) (or ctid = ANY(...), see
 *            acquisition_tid_is_stable) RETURNING, which charges only for
 *            the rows that come back; their novelty is measured when the
 *            planner wants it; the round and the planner's state are logged.
 *
 * acq.acquire runs every round in the caller's transaction: all or nothing.
 * A background job commits each round (its records, its log row and the
 * plan's counters together), so a job that dies leaves a consistent prefix;
 * acq.resume_acquire continues it from the log: the planner's state and the
 * strategy's random state are restored from the last round, and everything
 * already in the target counts as held.  The target's primary key on the
 * provider id makes buying a record twice impossible.
 *
 * The user's tables are read and written with the caller's rights; the
 * catalog is written as the extension owner (acq_elevate), for the plan of
 * the role that runs it.
 *
 * The files:
 *   entry.c     acq.acquire, its checks (acq.submit_acquire's) and a
 *               job's plan
 *   spec.c      a plan's parameters from the SQL arguments, checked; the
 *               target checked or created
 *   lock.c      one acquisition at a time per target
 *   catalog.c   the plan's rows: insert, read back, take, log a round,
 *               finish
 *   read.c      reading consumer, target and provider rows
 *   rounds.c    the set-up (predicates, pools, planner) and the round loop
 *   measure.c   novelty's sets per predicate, and measuring a batch
 *   buy.c       buying a round's records
 *   curve.c     strategy => 'curve': training and validation rows, the
 *               learning curves and each round's allocation
 *   job.c       the job kind "acquire"
 *   evaluate.c  acq.evaluate and acq.acquisition_curve
 *
 * Rules (docs/architecture.md): files here include PostgreSQL, the core,
 * src/pg/base, src/pg/jobs and this header -- never another capability.
 */
#ifndef ACQ_PG_ACQUISITION_H
#define ACQ_PG_ACQUISITION_H

#include "storage/itemptr.h"

#include "pg/base/base.h"
#include "pg/jobs/jobs.h"
#include "core/novelty.h"
#include "core/planner.h"
#include "core/pool.h"
#include "core/curvepool.h"

#define MAX_SQL_PREDICATES 64	/* a row's SQL predicates are the bits of a uint64 */
#define MAX_PREDICATES 4096		/* label and grid predicates */
#define ACQUISITION_NARGS 32	/* acq.acquire's arguments */
#define CURVE_MAX_POINTS 20		/* curve_points: at most */

typedef struct Run Run;

/* ---- in spec.c: a plan's parameters from the SQL arguments, checked ---------- */

typedef enum PredKind
{
	PRED_LABEL,
	PRED_GRID,
	PRED_SQL
} PredKind;

/* the parameters of a plan (a row of acq.acquisition_plans) */
typedef struct AcqSpec
{
	Oid			consumer;
	Oid			provider;
	Oid			target;			/* InvalidOid until created */
	List	   *target_name;	/* qualified name list, as given */
	char	   *features;
	char	   *label;
	char	   *id;
	int			budget;
	AcqStrategy strategy;
	PredKind	kind;
	bool		regression;
	int			nlabels;
	double	   *labels;
	int			ngrid;
	int		   *grid_dims;		/* 1-based */
	int			grid_size;
	int			nsql;
	char	  **sql;
	int			batch;
	int			tau;
	double		l;
	double		delta;
	AcqAllocation allocation;
	int			novelty_k;
	int			novelty_splits;
	bool		scale;
	int64		seed;
	/* curve */
	Oid			validation;		/* InvalidOid: none */
	char	   *model;			/* as acq.evaluate names it; NULL: the task's default */
	double		fairness_lambda;
	int			curve_points;
	AcqCurvePooling curve_pooling;	/* partial pooling of the curves (core/curvepool.h) */
	double		separation;		/* SPS: coverage rule's level (1: the paper's) */
	double		curve_min_exponent;	/* curve, 'auto': least common exponent of a learning model */
	double		curve_hedge;	/* curve: share of each round water-filled to equal counts */
	double		fill_cap;		/* EA 'fill': a predicate counts as at most this times its held records */
} AcqSpec;

/* the names of strategy, predicates, task and allocation, as SQL gives them */
extern const AcqOption acquisition_strategies[];
extern const AcqOption acquisition_predicate_kinds[];
extern const AcqOption acquisition_tasks[];	/* value: regression */
extern const AcqOption acquisition_allocations[];
extern const AcqOption acquisition_curve_poolings[];

/* an ERROR 22023 with msg and hint (may be NULL) */
void		acquisition_param_error(const char *msg, const char *hint);
/* the SQL arguments of acq.acquire (and of the job's first step) */
void		acquisition_spec_from_args(FunctionCallInfo fcinfo, AcqSpec *s);
/* in entry.c: acq.acquire's checks, buying nothing; a job's target and plan row */
void		acquisition_check_args(FunctionCallInfo fcinfo);
int64		acquisition_create_job_plan(FunctionCallInfo fcinfo, int64 job_id);
/* everything that can be checked before reading rows; returns the target if it exists */
Oid			acquisition_check_spec(AcqSpec *s);
/* curve's parameters (none but for curve); resolves s->model */
void		acquisition_check_curve_values(AcqSpec *s);

/* ---- in lock.c: one acquisition at a time per target ------------------------- */

/* wait for the target's lock, named as the spec names it (the target may not exist yet) */
void		acquisition_lock_target_name(const AcqSpec *s, bool session);
/* the same lock, for an existing target (a plan resumed) */
void		acquisition_lock_target(Oid target, bool session);
/* under REPEATABLE READ or SERIALIZABLE: 40001 if the target changed after the snapshot */
void		acquisition_check_target_snapshot(const AcqSpec *s, Oid target);
/* the right to read consumer and provider */
void		acquisition_check_read_rights(const AcqSpec *s);
/* create the target (with the caller's rights); returns it */
Oid			acquisition_create_target(const AcqSpec *s);

/* ---- in catalog.c: the plan's rows (acq.acquisition_plans, _rounds) ---------- */

/* the plan's log so far, read at set-up */
typedef struct PlanLog
{
	int			nround;
	int		   *round_pred;		/* per round: its predicate (0-based) */
	int64		bought;			/* received, summed over the rounds */
	double	   *state;			/* the planner's state after the last round */
	int			nstate;
	int64		rng[2];			/* the strategy's random state after it */
} PlanLog;

/* insert the plan row (as the extension owner); returns its id */
int64		acquisition_insert_plan(const AcqSpec *s, int64 job_id);

/*
 * The parameters of a plan, from its row; an ERROR (with hint, may be NULL)
 * if the caller cannot see it.  acquisition_check_plan_tables: an ERROR if
 * consumer, target (or, with provider, the provider) was dropped.
 */
void		acquisition_read_plan(int64 plan_id, AcqSpec *s, const char *hint);
void		acquisition_check_plan_tables(int64 plan_id, const AcqSpec *s, bool provider);

/* a resumed plan becomes job_id's (as the extension owner) */
void		acquisition_take_plan(int64 plan_id, int64 job_id);
/* the plan's log so far, in run->cxt */
void		acquisition_read_log(Run *run, PlanLog *log);
void		acquisition_set_predicate_names(Run *run);
void		acquisition_log_round(Run *run, int round, int p, int64 requested, int received,
								  double utility);
void		acquisition_finish_plan(Run *run);

/* ---- in read.c: consumer, target and provider rows --------------------------- */

/*
 * Rows are read from the executor's slot as they are produced (base's
 * acq_spi_stream): column i of a row is slot->tts_values[i - 1].
 */
static inline Datum
acquisition_slot_col(TupleTableSlot *slot, int col, bool *isnull)
{
	*isnull = slot->tts_isnull[col - 1];
	return slot->tts_values[col - 1];
}

/* a row's id (column 1), features and label, checked */
int64		acquisition_row_id(TupleTableSlot *slot, const char *table);
double	   *acquisition_row_features(Run *run, TupleTableSlot *slot, MemoryContext rowcxt,
									 int col, const char *table, int64 id);
double		acquisition_row_label(TupleTableSlot *slot, int col, const char *table, int64 id);

/* a row of consumer or target, kept for novelty until predicates are known */
typedef struct HeldRow
{
	double	   *x;				/* d features, then the label */
	uint64		mask;
	int64		id;
	int			plan_round;		/* > 0: bought by this plan in that round */
} HeldRow;

typedef struct HeldRows
{
	HeldRow    *rows;
	int64		n;
	int64		cap;
	double	   *block;			/* the rows' features are carved from blocks of about 1 MB */
	int64		block_left;		/* rows the current block still has room for */
} HeldRows;

/* the bytes a held row takes (its struct and its palloc'd features) */
double		acquisition_held_row_bytes(int d);

/* append a row to h (its memory checked and counted) */
void		acquisition_held_append(Run *run, HeldRows *h, const char *table, int64 id,
									const double *x, double y, uint64 mask, int plan_round);

/* append the rows of the consumer (or the target: is_target) to h */
void		acquisition_read_held(Run *run, Oid rel, const char *table, bool is_target,
								  HeldRows *h);

/* provider rows for sale, read at set-up */
typedef struct PoolScan
{
	int64	   *id;
	ItemPointerData *tid;		/* use_tid only */
	double	   *label;
	double	   *grid;			/* ngrid coordinates per row */
	uint64	   *mask;
	int64		n;
	int64		cap;
} PoolScan;

/* the bytes a record for sale takes at set-up */
double		acquisition_pool_row_bytes(const Run *run);

/* the provider's feature length, when neither consumer nor target has a row */
void		acquisition_provider_dimensions(Run *run);
/* the provider's rows not held, in id order (run->held_ids must be set) */
void		acquisition_scan_provider(Run *run, PoolScan *ps);

/* ids: sorted ascending; found by bisection */
void		acquisition_sort_ids(int64 *first, size_t n);

/* where id is in the ascending ids[0..n), or -1 */
static inline int64
acquisition_find_id(const int64 *ids, int64 n, int64 id)
{
	int64		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id ? lo : -1;
}

/* ---- in measure.c: novelty's sets per predicate ------------------------------ */

/* a growing row-major matrix of novelty vectors */
typedef struct Mat
{
	double	   *x;
	float	   *xf;				/* mirror: x rounded to float (novelty's screen) */
	bool		mirror;			/* keep xf */
	double	   *nrm;			/* squared norms of the rows */
	int64		n;
	int64		cap;
	int64		want;			/* rows counted before a reserve (set-up) */
	int			d;
	double	   *held;			/* the run's bytes held: growth is checked against acq.max_memory */
} Mat;

/*
 * Append a row, its squared norm left to the caller: acquisition_mat_set_norms
 * computes those of rows [from, n) in one call.
 */
void		acquisition_mat_append(Mat *m, const double *v);
void		acquisition_mat_set_norms(Mat *m, int64 from);

/* a predicate: its name and novelty's sets (its pool: run->pool->preds) */
typedef struct Pred
{
	char	   *name;
	Mat			held;			/* novelty vectors held for P (SPS: and bought through P) */
	Mat			bought;			/* EA: novelty vectors bought through P by this plan */
	AcqNoveltyCache bought_near;	/* EA: each bought row's nearest held distances */
} Pred;

/* novelty's sets at set-up: held at the start, bought by this plan */
void		acquisition_novelty_sets(Run *run, const HeldRows *held, const PlanLog *log);
/* novelty of the records just bought through P (they then join P's sets) */
double		acquisition_measure(Run *run, int p, const Mat *batch);
/* the records just bought through P join P's sets, unmeasured */
void		acquisition_keep_bought(Run *run, int p, const Mat *batch);

/* ---- in rounds.c: a run -- the set-up and the round loop --------------------- */

/* a running acquisition */
struct Run
{
	AcqSpec		s;
	int64		plan_id;
	MemoryContext cxt;			/* everything below; outlives the worker's transactions */
	int			d;				/* feature dimensions */
	int			nd;				/* novelty dimensions (d, +1 for regression) */
	AcqScaling	scaling;		/* novelty vectors, scaled to the held records' ranges */
	AcqGrid		grid;			/* grid predicates: ranges over provider and held records */
	int			np;
	Pred	   *preds;
	AcqPool    *pool;			/* provider rows for sale at set-up, by predicate */
	int64	   *pool_id;
	ItemPointerData *pool_tid;	/* use_tid: where each row was at set-up */
	bool		use_tid;		/* buy by ctid (see acquisition_tid_is_stable) */
	int64	   *held_ids;		/* sorted: consumer and target ids */
	int64		nheld;
	AcqPlanner *planner;
	pg_prng_state pick_state;	/* provider's draws */
	pg_prng_state strat_state;	/* strategy's draws (Thompson sampling, novelty splits) */
	AcqRng		pick_rng;
	AcqRng		strat_rng;
	bool		wants_novelty;
	AcqNoveltyWork novelty_work;	/* novelty's scratch, reused round after round */
	SPIPlanPtr	buy_plan;		/* the per-round statements, prepared once */
	SPIPlanPtr	buy_tid_plan;
	SPIPlanPtr	null_plan;		/* which bought row had a NULL (buy) */
	SPIPlanPtr	log_plan;
	SPIPlanPtr	count_plan;
	bool		keep_plans;		/* a worker's run outlives SPI connections: keep them */
	double		mem;			/* bytes the run holds (acq_memory_take), checked against acq.max_memory */
	char	   *q_target;		/* quoted names for SQL */
	char	   *q_provider;
	char	   *q_id;
	char	   *q_features;
	char	   *q_label;
	/* curve (curve.c) */
	HeldRows   *curve_train;	/* consumer and target rows, then every record bought */
	HeldRows   *curve_val_rows;	/* the validation rows as read */
	struct AcqCurveSet *curve_val;	/* ... in id order, with their predicates */
	double	   *curve_classes;	/* classification: the distinct labels, ascending */
	int			curve_nclasses;
	char	   *curve_log;		/* the allocation round's jsonb, for its first query's log row */
};

/*
 * Set the run up for run->plan_id: read consumer, target and provider,
 * build the predicates, pools and planner; restore the planner from the
 * last logged round when the plan has rounds already.  Allocates in
 * run->cxt.
 */
void		acquisition_setup_run(Run *run);

/*
 * The rounds, until the planner is done.  In a background job (job not
 * NULL), every round is a transaction of its own.
 */
void		acquisition_run_rounds(Run *run, AcqJob *job);

/* a per-round statement, planned once (kept across a worker's transactions) */
SPIPlanPtr	acquisition_prepare(Run *run, const char *sql, int nargs, Oid *types,
								const char *what);
/* free the statements a worker's run kept */
void		acquisition_free_plans(Run *run);

/* ---- in curve.c: strategy => 'curve' ------------------------------------------ */

/* the training rows (held: consumer and target) and the validation rows, checked */
void		acquisition_curve_setup(Run *run, HeldRows *held, const PoolScan *ps);
/* a record bought joins the training rows */
void		acquisition_curve_keep(Run *run, int64 id, const double *x, double y, int round);
/* the next allocation round: curves fitted, budget allocated, run->curve_log set */
void		acquisition_curve_allocate(Run *run);

/* ---- in buy.c: buying a round's records --------------------------------------- */

/* can the rounds find the provider's rows by the ctid the set-up saw? */
bool		acquisition_tid_is_stable(Run *run);

/*
 * Buy pool rows rows[0..n) in round round: into the target, checked; their
 * novelty vectors into got (in id order) if vectors.  Returns the number
 * received (charged).
 */
int			acquisition_buy(Run *run, const int *rows, int n, int round, Mat *got, bool vectors);

/* ---- in job.c: an acquisition as a background job ----------------------------- */
void		acq_acquisition_job_run(AcqJob *job);
char	   *acq_acquisition_job_write(AcqJob *job);

#endif							/* ACQ_PG_ACQUISITION_H */
