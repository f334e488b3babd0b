/*
 * acq_core.h -- shared definitions of acq's PostgreSQL-free core.
 *
 * Nothing under src/core includes a PostgreSQL header.  The host (the
 * PostgreSQL adapter in src/pg, or a unit-test driver) installs hooks for
 * memory, interrupts and randomness; the core never calls malloc/free or a
 * random number generator directly.
 *
 * Error model: core functions return an AcqStatus; a non-OK status comes with
 * a message in a caller-supplied buffer where one is useful.  A hook may also
 * leave the core non-locally (PostgreSQL's ereport longjmps out of
 * acq_check_interrupts); everything the core allocates goes through
 * acq_alloc, so the host's memory context reclaims it.
 */
#ifndef ACQ_CORE_H
#define ACQ_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef enum AcqStatus
{
	ACQ_OK = 0,
	ACQ_ERR_ARGUMENT,			/* an argument out of range */
	ACQ_ERR_SINGULAR,			/* a linear system could not be solved */
	ACQ_ERR_NO_CONVERGENCE,		/* an iterative fit did not converge */
	ACQ_ERR_SINGLE_CLASS,		/* a classifier saw only one class */
	ACQ_ERR_EMPTY,				/* no rows */
	ACQ_ERR_TOO_LARGE,			/* a request over a configured limit */
	ACQ_ERR_OVERFLOW			/* an intermediate overflowed float8 */
} AcqStatus;

/* ---- host hooks ------------------------------------------------------- */
typedef struct AcqHooks
{
	void	   *(*alloc) (size_t size);		/* zeroed memory; never returns NULL */
	void		(*free) (void *ptr);
	void		(*check_interrupts) (void);	/* may not return */
	bool		(*interrupt_pending) (void);	/* never jumps: is a check due? */
	void	   *(*alloc_uninit) (size_t size);	/* contents undefined; NULL: alloc */
} AcqHooks;

/* Install hooks; NULL members fall back to calloc/free/no-op. */
void		acq_set_hooks(const AcqHooks *hooks);
void	   *acq_alloc(size_t size);		/* zeroed */
void	   *acq_alloc_array(size_t n, size_t size);	/* overflow-checked */

/*
 * An array the caller fills before it reads any of it (the host may skip
 * the zeroing: a large buffer's memset is a pass of its own)
 */
void	   *acq_alloc_array_uninit(size_t n, size_t size);
void		acq_free(void *ptr);
void		acq_check_interrupts(void);

/* copy msg into the caller's error buffer, if it gave one (errbuf may be NULL) */
void		acq_set_error(char *errbuf, size_t errlen, const char *msg);

/*
 * For code that runs inside a library that allocates with malloc (liblbfgs):
 * ask whether an interrupt is pending, stop the library cleanly, and only
 * then call acq_check_interrupts().
 */
bool		acq_interrupt_pending(void);

/* ---- randomness --------------------------------------------------------- */
/*
 * A random source is a callback returning 64 uniformly random bits.  The
 * PostgreSQL adapter wraps pg_prng (seeded from the user's seed); unit tests
 * use acq_rng_splitmix.
 */
typedef struct AcqRng
{
	uint64_t	(*next) (void *state);
	void	   *state;
} AcqRng;

uint64_t	acq_rng_u64(AcqRng *rng);
double		acq_rng_double(AcqRng *rng);	/* [0, 1) */
uint64_t	acq_rng_below(AcqRng *rng, uint64_t n); /* [0, n), unbiased */
void		acq_rng_shuffle_int(AcqRng *rng, int *a, int n);

/* SplitMix64, for tests and tools that have no pg_prng. */
typedef struct AcqSplitMix
{
	uint64_t	s;
} AcqSplitMix;
uint64_t	acq_splitmix_next(void *state);

/* ---- data blocks -------------------------------------------------------- */
/*
 * A block of rows: X is row-major n x p, y has n labels, a (optional) the
 * sensitive attribute per row (1 privileged, 0 protected, NaN unknown).
 * Training on a union of sources passes one block per source: no copying.
 */
typedef struct AcqBlock
{
	const double *X;
	const double *y;
	const double *a;
	int64_t		n;
} AcqBlock;

#endif							/* ACQ_CORE_H */
