/*
 * bench/fused_pass.c -- a diagnostic, not part of acq and not a speed claim:
 * where the time of one pass of the logistic fit goes (issue 19).
 *
 * A Newton step of the classification fit (src/core/logreg.c, logreg_fused)
 * streams a source's rows 64 at a time through four kernels of vecmath.c:
 * cm_gemv_n (the margins of a direction), logistic_step (z + zd and the
 * vector exp), logistic_residuals and cm_gemv_t (the gradient).  This times
 * that pass per row, on synthetic rows of 9 features and the intercept
 * (the flights demo's shape), for row counts whose column-major copy lies
 * in L1/L2 (1,000 and 3,000 rows), spills out of L2 (12,000 - 45,000: a
 * SourceSplice model at 7 flights sources is 21,000 rows, 1.7 MB) and lies
 * in memory (200,000); then each kernel alone on 3,000 rows.  The kernels
 * are the ones acq_vec_ops() picks on this CPU (AVX2 + FMA where present).
 * Best of three rounds; ns per row.
 *
 *   make test/unit/vecmath.o test/unit/vecmath_avx2.o
 *   gcc -O2 -std=gnu11 -Isrc -o fused_pass.bin bench/fused_pass.c \
 *       test/unit/vecmath.o test/unit/vecmath_avx2.o -lmvec -lm
 *   taskset -c 1 ./fused_pass.bin
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/vecmath.h"

#define NCOL 10
#define CHUNK 64

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

typedef struct Rows
{
	int64_t		m;
	double	   *X,
			   *y,
			   *z,
			   *zd,
			   *z2,
			   *eh;
} Rows;

static Rows
rows_make(int64_t m)
{
	Rows		r = {m, malloc(sizeof(double) * m * NCOL), malloc(sizeof(double) * m),
		calloc(m, sizeof(double)), malloc(sizeof(double) * m), malloc(sizeof(double) * m),
	malloc(sizeof(double) * m)};
	uint64_t	st = 42;

	if (!r.X || !r.y || !r.z || !r.zd || !r.z2 || !r.eh)
	{
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (int64_t i = 0; i < m * NCOL; i++)
	{
		st = st * 6364136223846793005ULL + 1442695040888963407ULL;
		r.X[i] = (double) (st >> 11) / 9007199254740992.0 - 0.5;
	}
	for (int64_t i = 0; i < m; i++)
		r.y[i] = (double) ((i * 7) % 3 == 0);
	for (int64_t i = 0; i < m; i++)		/* the intercept's column */
		r.X[(NCOL - 1) * m + i] = 1.0;
	return r;
}

static void
rows_free(Rows *r)
{
	free(r->X);
	free(r->y);
	free(r->z);
	free(r->zd);
	free(r->z2);
	free(r->eh);
}

/* kernel mask: 1 gemv_n, 2 step, 4 residuals, 8 gemv_t; returns ns per row, best of 3 */
static double
pass_ns(const AcqVecOps *v, Rows *r, int mask)
{
	static const double dir[NCOL] = {0.01, -0.02, 0.03, 0.04, -0.05, 0.06, 0.07, -0.08, 0.09, 0.1};
	double		g[NCOL];
	int			reps = (int) (2e7 / (double) r->m) + 1;
	double		best = 1e30;

	for (int round = 0; round < 3; round++)
	{
		double		t0 = now(),
					t;

		for (int rep = 0; rep < reps; rep++)
		{
			memset(g, 0, sizeof(g));
			for (int64_t s = 0; s < r->m; s += CHUNK)
			{
				int			k = (int) (r->m - s < CHUNK ? r->m - s : CHUNK);

				if (mask & 1)
					v->cm_gemv_n(r->X + s, r->m, k, NCOL, dir, r->zd + s);
				if (mask & 2)
					v->logistic_step(r->z + s, r->zd + s, r->z2 + s, r->eh + s, k);
				if (mask & 4)
					(void) v->logistic_residuals(r->z2 + s, r->eh + s, r->y + s, 1.0,
												 r->zd + s, k);
				if (mask & 8)
					v->cm_gemv_t(r->X + s, r->m, k, NCOL, r->zd + s, g);
			}
		}
		t = (now() - t0) / reps / (double) r->m * 1e9;
		best = t < best ? t : best;
	}
	return best;
}

int
main(void)
{
	static const int64_t sizes[] = {1000, 3000, 12000, 21000, 45000, 200000};
	static const struct
	{
		const char *name;
		int			mask;
	}			kernels[] = {{"cm_gemv_n", 1}, {"logistic_step (exp)", 2},
	{"logistic_residuals", 4}, {"cm_gemv_t", 8}};
	const AcqVecOps *v = acq_vec_ops();
	Rows		r;

	printf("the fused pass (4 kernels, 64 rows at a time), %d columns:\n", NCOL);
	for (int i = 0; i < 6; i++)
	{
		r = rows_make(sizes[i]);
		printf("  %7lld rows (%5.2f MB)  %.2f ns/row\n", (long long) sizes[i],
			   sizes[i] * NCOL * 8 / 1e6, pass_ns(v, &r, 15));
		rows_free(&r);
	}
	r = rows_make(3000);
	printf("each kernel alone, 3,000 rows:\n");
	for (int k = 0; k < 4; k++)
		printf("  %-22s %.2f ns/row\n", kernels[k].name, pass_ns(v, &r, kernels[k].mask));
	rows_free(&r);
	return 0;
}
