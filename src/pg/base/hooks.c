/*
 * hooks.c -- the core bound to PostgreSQL: its allocations go to memory
 * contexts, its interrupt polls to CHECK_FOR_INTERRUPTS, its random numbers
 * to pg_prng; and one BLAS thread per backend.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "pg/base/base.h"

#include <cblas.h>

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
acq_base_init(void)
{
	AcqHooks	hooks = {pg_core_alloc, pg_core_free, pg_core_check_interrupts,
	pg_core_interrupt_pending};

	acq_set_hooks(&hooks);

	/* parallelism belongs to PostgreSQL, not to BLAS threads in a backend */
	openblas_set_num_threads(1);
}
