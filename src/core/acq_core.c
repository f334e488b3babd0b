/*
 * acq_core.c -- host hooks (memory, interrupts) and random-number helpers.
 */
#include "core/acq_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
default_alloc(size_t size)
{
	void	   *p = calloc(1, size ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

static void
default_check_interrupts(void)
{
}

static bool
default_interrupt_pending(void)
{
	return false;
}

static AcqHooks hooks = {default_alloc, free, default_check_interrupts, default_interrupt_pending,
default_alloc};

void
acq_set_hooks(const AcqHooks *h)
{
	hooks.alloc = (h && h->alloc) ? h->alloc : default_alloc;
	hooks.free = (h && h->free) ? h->free : free;
	hooks.check_interrupts = (h && h->check_interrupts) ?
		h->check_interrupts : default_check_interrupts;
	hooks.interrupt_pending = (h && h->interrupt_pending) ?
		h->interrupt_pending : default_interrupt_pending;
	hooks.alloc_uninit = (h && h->alloc_uninit) ? h->alloc_uninit : hooks.alloc;
}

void *
acq_alloc(size_t size)
{
	return hooks.alloc(size);
}

void *
acq_alloc_array(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		abort();
	return hooks.alloc(n * size);
}

void *
acq_alloc_array_uninit(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		abort();
	return hooks.alloc_uninit(n * size);
}

void
acq_free(void *ptr)
{
	if (ptr)
		hooks.free(ptr);
}

void
acq_check_interrupts(void)
{
	hooks.check_interrupts();
}

bool
acq_interrupt_pending(void)
{
	return hooks.interrupt_pending();
}

uint64_t
acq_rng_u64(AcqRng *rng)
{
	return rng->next(rng->state);
}

double
acq_rng_double(AcqRng *rng)
{
	/* 53 random bits */
	return (double) (acq_rng_u64(rng) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t
acq_rng_below(AcqRng *rng, uint64_t n)
{
	uint64_t	limit;
	uint64_t	r;

	if (n <= 1)
		return 0;
	/* rejection sampling: reject the biased tail */
	limit = UINT64_MAX - (UINT64_MAX % n);
	do
		r = acq_rng_u64(rng);
	while (r >= limit);
	return r % n;
}

void
acq_rng_shuffle_int(AcqRng *rng, int *a, int n)
{
	int			i;

	for (i = n - 1; i > 0; i--)
	{
		int			j = (int) acq_rng_below(rng, (uint64_t) i + 1);
		int			t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

uint64_t
acq_splitmix_next(void *state)
{
	AcqSplitMix *sm = (AcqSplitMix *) state;
	uint64_t	z = (sm->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
acq_set_error(char *errbuf, size_t errlen, const char *msg)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "%s", msg);
}
