/*
 * acq.c -- module set-up: GUCs and the hooks that bind the core to
 * PostgreSQL's memory contexts, interrupts and pg_prng.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "acq_pg.h"

#include <cblas.h>

PG_MODULE_MAGIC;

int			acq_max_exhaustive_sources = 20;

void		_PG_init(void);

/*
 * Core allocations go to CurrentMemoryContext, which every entry point sets
 * to a per-call context: an ERROR (or a cancel raised from
 * acq_check_interrupts) frees everything the core had allocated.
 */
static void *
pg_core_alloc(size_t size)
{
	return MemoryContextAllocExtended(CurrentMemoryContext, size,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

static void
pg_core_free(void *ptr)
{
	pfree(ptr);
}

static void
pg_core_check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static bool
pg_core_interrupt_pending(void)
{
	return INTERRUPTS_PENDING_CONDITION();
}

static uint64_t
pg_rng_next(void *state)
{
	return pg_prng_uint64((pg_prng_state *) state);
}

void
acq_pg_rng_init(AcqRng *rng, pg_prng_state *state, int64 seed)
{
	pg_prng_seed(state, (uint64) seed);
	rng->next = pg_rng_next;
	rng->state = state;
}

void
_PG_init(void)
{
	AcqHooks	hooks = {pg_core_alloc, pg_core_free, pg_core_check_interrupts,
	pg_core_interrupt_pending};

	acq_set_hooks(&hooks);

	/* parallelism belongs to PostgreSQL, not to BLAS threads in a backend */
	openblas_set_num_threads(1);

	DefineCustomIntVariable("acq.max_exhaustive_sources",
							"Largest number of sources the exhaustive method and acq.subset_profits accept.",
							"Both train all 2^m - 1 subsets of m sources.",
							&acq_max_exhaustive_sources,
							20, 1, 62,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("acq.max_jobs",
							"Most background jobs that run at once in a database; the others wait in the queue.",
							NULL,
							&acq_max_jobs,
							4, 1, 1024,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("acq");
}
