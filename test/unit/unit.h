/*
 * unit.h -- a minimal test harness for the core's C unit tests.
 *
 * Each test_*.c is one program: it calls CHECK* macros from functions run by
 * RUN(), and returns unit_summary() from main.  A program exits non-zero when
 * any check failed.
 */
#ifndef ACQ_UNIT_H
#define ACQ_UNIT_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int	unit_checks = 0;
static int	unit_failures = 0;
static const char *unit_current = "";

#define CHECK(cond) \
	do { unit_checks++; if (!(cond)) { unit_failures++; \
		fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, unit_current, #cond); } } while (0)

#define CHECK_CLOSE(got, want, tol) \
	do { double g_ = (got), w_ = (want); unit_checks++; \
		if (!(fabs(g_ - w_) <= (tol))) { unit_failures++; \
		fprintf(stderr, "%s:%d: %s: %s = %.12g, want %.12g (tol %g)\n", __FILE__, __LINE__, unit_current, #got, g_, w_, (double) (tol)); } } while (0)

#define CHECK_REL(got, want, rtol) \
	do { double g_ = (got), w_ = (want); unit_checks++; \
		if (!(fabs(g_ - w_) <= (rtol) * fmax(fabs(w_), 1e-300))) { unit_failures++; \
		fprintf(stderr, "%s:%d: %s: %s = %.12g, want %.12g (rel tol %g)\n", __FILE__, __LINE__, unit_current, #got, g_, w_, (double) (rtol)); } } while (0)

#define RUN(fn) do { unit_current = #fn; fn(); } while (0)

static inline int
unit_summary(const char *name)
{
	printf("%-28s %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
