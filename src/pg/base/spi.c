/*
 * spi.c -- SPI: checked results and plans, a background worker's own
 * transactions, and running a statement that hands each result row to a
 * callback as the executor produces it (the streaming receiver).
 *
 * SPI_execute and SPI_cursor_fetch copy every row into an SPI tuple table
 * (a fresh heap tuple per row, in memory that is freed only with the table):
 * for rows with wide float8[] columns that copy, and the page faults of the
 * memory it needs, cost more than reading the rows.  A DestReceiver of our
 * own (SPI_execute_extended / SPI_execute_plan_extended, PostgreSQL 14+)
 * sees each row in the executor's slot instead; the callback reads the
 * datums it needs and copies what it keeps.  Nothing is kept by SPI.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "executor/tuptable.h"
#include "nodes/params.h"
#include "tcop/dest.h"
#include "access/xact.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "pg/base/base.h"

/*
 * jit = off until acq_guc_restore(level): acq's own queries are a scan under
 * a C aggregate or a row receiver, where JIT compiles a few expressions and
 * saves nothing measurable, but loading LLVM maps its library (about 50 MB
 * here) and its compiler's memory (about 10 MB) into the backend, and into
 * each parallel worker -- 60 MB the backend grew by past acq.max_memory in
 * bench/scale_out (docs/scale-out.md, "Bounded memory").  Parallel workers
 * inherit the setting.  An ERROR on the way restores it with the
 * transaction.
 */
int
acq_jit_off(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	return level;
}

void
acq_guc_restore(int level)
{
	AtEOXact_GUC(true, level);
}

void
acq_spi_check(int ret, int expected, const char *what)
{
	if (ret != expected)
		elog(ERROR, "%s failed: %s", what, SPI_result_code_string(ret));
}

SPIPlanPtr
acq_spi_prepare(const char *sql, int nargs, Oid *types, const char *what)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	if (plan == NULL)
		elog(ERROR, "preparing %s failed: %s", what, SPI_result_code_string(SPI_result));
	return plan;
}

/* a transaction of the worker's own, with SPI and a snapshot */
void
acq_worker_begin(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	PushActiveSnapshot(GetTransactionSnapshot());
}

void
acq_worker_commit(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/* ---- the streaming receiver -------------------------------------------------- */

typedef struct StreamReceiver
{
	DestReceiver pub;
	AcqRowFn	fn;
	void	   *arg;
	MemoryContext cxt;			/* the callback runs here */
	MemoryContext rowcxt;		/* reset after each row */
	bool		hide_context;	/* the callback's errors without the statement's context */
	ErrorContextCallback *outer;	/* the error context outside SPI */
	bool		stop;			/* the callback asked for no more rows */
} StreamReceiver;

/* the stream whose callback is running (acq_spi_stream_stop's target) */
static StreamReceiver *current_stream = NULL;

static bool
stream_receive(TupleTableSlot *slot, DestReceiver *self)
{
	StreamReceiver *r = (StreamReceiver *) self;
	MemoryContext old;

	slot_getallattrs(slot);
	/* the callback's own allocations go to cxt; it may use rowcxt for scratch */
	old = MemoryContextSwitchTo(r->cxt);
	if (r->hide_context)
	{
		ErrorContextCallback *inner = error_context_stack;

		error_context_stack = r->outer;
		r->fn(slot, r->rowcxt, r->arg);
		error_context_stack = inner;
	}
	else
		r->fn(slot, r->rowcxt, r->arg);
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->rowcxt);
	/* false ends the executor's run: no further rows are produced */
	return !r->stop;
}

/*
 * Called from a stream's callback: the rows after this one are not wanted
 * (the executor stops producing them; the statement still ends normally)
 */
void
acq_spi_stream_stop(void)
{
	Assert(current_stream != NULL);
	if (current_stream != NULL)
		current_stream->stop = true;
}

static void
stream_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
stream_shutdown(DestReceiver *self)
{
}

static void
stream_destroy(DestReceiver *self)
{
}

static uint64
stream_run(SPIPlanPtr plan, const char *sql, Datum *values, const char *nulls,
		   bool read_only, int expected, const char *what, AcqRowFn fn, void *arg,
		   bool hide_context)
{
	StreamReceiver r;
	StreamReceiver *prev = current_stream;
	SPIExecuteOptions opts;
	MemoryContext cxt = CurrentMemoryContext;
	int			ret;
	int			level;

	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = stream_receive;
	r.pub.rStartup = stream_startup;
	r.pub.rShutdown = stream_shutdown;
	r.pub.rDestroy = stream_destroy;
	/*
	 * Not DestNone (SPI would report a SELECT as SPI_OK_UTILITY) nor DestSPI
	 * (SPI would look for its tuple table): plpgsql's RETURN QUERY streams
	 * into a tuplestore receiver the same way.
	 */
	r.pub.mydest = DestTuplestore;
	r.fn = fn;
	r.arg = arg;
	r.cxt = cxt;
	r.hide_context = hide_context;
	r.outer = error_context_stack;
	r.rowcxt = AllocSetContextCreate(cxt, "acq streamed row", ALLOCSET_SMALL_SIZES);

	memset(&opts, 0, sizeof(opts));
	opts.read_only = read_only;
	opts.dest = (DestReceiver *) &r;
	current_stream = &r;		/* after an ERROR, the next stream sets it again */
	level = acq_jit_off();
	if (plan != NULL)
	{
		int			nargs = SPI_getargcount(plan);

		if (nargs > 0)
		{
			ParamListInfo params = makeParamList(nargs);

			for (int i = 0; i < nargs; i++)
			{
				ParamExternData *p = &params->params[i];

				p->value = values[i];
				p->isnull = nulls != NULL && nulls[i] == 'n';
				p->pflags = PARAM_FLAG_CONST;
				p->ptype = SPI_getargtypeid(plan, i);
			}
			opts.params = params;
		}
		ret = SPI_execute_plan_extended(plan, &opts);
	}
	else
		ret = SPI_execute_extended(sql, &opts);
	acq_guc_restore(level);
	current_stream = prev;
	/* SPI leaves its own context current */
	MemoryContextSwitchTo(cxt);
	acq_spi_check(ret, expected, what);
	MemoryContextDelete(r.rowcxt);
	return SPI_processed;
}

uint64
acq_spi_stream(const char *sql, bool read_only, int expected, const char *what,
			   AcqRowFn fn, void *arg)
{
	return stream_run(NULL, sql, NULL, NULL, read_only, expected, what, fn, arg, false);
}

uint64
acq_spi_stream_plan(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only,
					int expected, const char *what, AcqRowFn fn, void *arg)
{
	return stream_run(plan, NULL, values, nulls, read_only, expected, what, fn, arg, false);
}

/*
 * A reader's stream: a SELECT whose rows fn checks and keeps.  The errors
 * fn raises name the table and the row; they carry the caller's error
 * context, not the statement acq wrote (as when the rows were fetched
 * through a cursor and checked after).
 */
uint64
acq_spi_read_plan(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only,
				  const char *what, AcqRowFn fn, void *arg)
{
	return stream_run(plan, NULL, values, nulls, read_only, SPI_OK_SELECT, what, fn, arg, true);
}

/* acq_spi_read_plan of a statement given as text */
uint64
acq_spi_read(const char *sql, bool read_only, const char *what, AcqRowFn fn, void *arg)
{
	return stream_run(NULL, sql, NULL, NULL, read_only, SPI_OK_SELECT, what, fn, arg, true);
}
