/*
 * hooks.h -- host hooks for unit tests that count allocations, frees and
 * interrupt polls, so a test can check that the core frees what it
 * allocates and polls for interrupts.  Install with acq_set_hooks().
 */
#ifndef ACQ_UNIT_HOOKS_H
#define ACQ_UNIT_HOOKS_H

#include <stdlib.h>

#include "core/acq_core.h"

static long n_alloc = 0;
static long n_free = 0;
static long n_interrupts = 0;
static long n_pending = 0;

static void *
count_alloc(size_t size)
{
	void	   *p = calloc(1, size ? size : 1);

	if (p == NULL)
		abort();
	n_alloc++;
	return p;
}

static void
count_free(void *p)
{
	n_free++;
	free(p);
}

static void
count_interrupts(void)
{
	n_interrupts++;
}

static bool
count_pending(void)
{
	n_pending++;
	return false;
}

static const AcqHooks counting_hooks = {count_alloc, count_free, count_interrupts, count_pending, NULL};

#endif
