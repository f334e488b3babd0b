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
/*
 * A large block is zeroed in slices with an interrupt check between them:
 * zeroing touches every page, and a first touch is a page fault, so one
 * memset of hundreds of megabytes can take a second or more on a loaded
 * virtual machine (Mycroft's OMP asks N x k doubles at once: 400 MB for
 * 100,000 rows and k = 500).  The core must already survive an ERROR from
 * any allocation (out of memory), so a cancel here is no new way out.
 */
#define CORE_ZERO_SLICE ((size_t) 16 * 1024 * 1024)

static void *
pg_core_alloc(size_t size)
{
	char	   *p;
	size_t		off;

	if (size <= 4 * CORE_ZERO_SLICE)
		return MemoryContextAllocExtended(CurrentMemoryContext, size,
										  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	p = MemoryContextAllocExtended(CurrentMemoryContext, size, MCXT_ALLOC_HUGE);
	for (off = 0; off < size; off += CORE_ZERO_SLICE)
	{
		CHECK_FOR_INTERRUPTS();
		memset(p + off, 0, Min(CORE_ZERO_SLICE, size - off));
	}
	return p;
}

/* not zeroed: the caller fills it first (acq_alloc_array_uninit) */
static void *
pg_core_alloc_uninit(size_t size)
{
	return MemoryContextAllocExtended(CurrentMemoryContext, size, MCXT_ALLOC_HUGE);
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

/*
 * Only an interrupt that CHECK_FOR_INTERRUPTS would process counts: one held
 * off stays pending however often it is looked at, and code that stops a
 * library (liblbfgs) to service it would otherwise stop it again and again.
 */
static bool
pg_core_interrupt_pending(void)
{
	return INTERRUPTS_PENDING_CONDITION() && INTERRUPTS_CAN_BE_PROCESSED();
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
	pg_core_interrupt_pending, pg_core_alloc_uninit};

	acq_set_hooks(&hooks);

	/* parallelism belongs to PostgreSQL, not to BLAS threads in a backend */
	openblas_set_num_threads(1);
}
