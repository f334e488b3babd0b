/*
 * test_memory.c -- the estimates the adapter checks against acq.max_memory
 * before it calls the core (acq_clf_fit_bytes, acq_tree_fit_bytes,
 * acq_softmax_fit_bytes, acq_knn_classify_bytes, acq_omp_work_bytes) bound
 * what the core really allocates at its peak, measured by an allocator that
 * tracks the bytes live; and they are real, not a pessimistic over-count:
 * within a few times the peak (plus a small constant) on shapes where the
 * bound is reachable.
 */
#include "core/classifier.h"
#include "core/knn.h"
#include "core/omp.h"
#include "core/softmax.h"
#include "core/tree.h"
#include "unit.h"

#include <string.h>

/* ---- an allocator that tracks the live and peak bytes ---------------------- */

static double live = 0.0;
static double peak = 0.0;

static void *
peak_alloc(size_t size)
{
	size_t	   *p = calloc(1, size + sizeof(size_t) * 2);

	if (p == NULL)
		abort();
	p[0] = size;
	live += (double) size;
	if (live > peak)
		peak = live;
	return p + 2;
}

static void
peak_free(void *ptr)
{
	size_t	   *p = (size_t *) ptr - 2;

	live -= (double) p[0];
	free(p);
}

static const AcqHooks peak_hooks = {peak_alloc, peak_free, NULL, NULL, NULL};

static void
reset_peak(void)
{
	peak = live;
}

static double *
random_rows(int64_t n, int d, int K, int **y, uint64_t seed)
{
	AcqSplitMix sm = {seed};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *X = malloc(sizeof(double) * n * d);

	*y = malloc(sizeof(int) * n);
	for (int64_t i = 0; i < n; i++)
	{
		(*y)[i] = (int) (i % K);
		for (int j = 0; j < d; j++)
			X[i * d + j] = 0.3 * (*y)[i] + acq_rng_double(&rng);
	}
	return X;
}

/* the fit's peak (then a prediction of m rows) is at most the estimate, and not far below it */
static void
check_clf(AcqClfKind kind, int64_t n, int d, int K, int max_depth, int min_leaf, int64_t m,
		  double slack)
{
	AcqClfParams p;
	AcqClassifier c;
	AcqSplitMix sm = {11};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int		   *y;
	double	   *X = random_rows(n, d, K, &y, 5);
	int		   *pred = malloc(sizeof(int) * m);
	double		est;
	double		base = live;

	acq_clf_default_params(&p, kind);
	p.tree.max_depth = max_depth;
	p.tree.min_samples_leaf = min_leaf;
	est = acq_clf_fit_bytes(&p, n, d, K, m);
	reset_peak();
	CHECK(acq_clf_fit(&p, X, y, n, d, K, &rng, &c, NULL, 0) != ACQ_ERR_ARGUMENT);
	acq_clf_predict(&c, X, m, pred);
	acq_clf_free(&c);
	if (!(peak - base <= est) || !(est <= slack * (peak - base) + 65536.0))
		fprintf(stderr, "kind %d n %ld d %d K %d depth %d leaf %d: peak %.0f, estimate %.0f\n",
				(int) kind, (long) n, d, K, max_depth, min_leaf, peak - base, est);
	CHECK(peak - base <= est);
	CHECK(est <= slack * (peak - base) + 65536.0);
	CHECK(live == base);
	free(X);
	free(y);
	free(pred);
}

static void
tree_estimates(void)
{
	/* the presort dominates: 12 n d */
	check_clf(ACQ_CLF_TREE, 20000, 30, 3, 0, 1, 1000, 2.0);
	check_clf(ACQ_CLF_TREE, 20000, 30, 3, 4, 1, 1000, 2.0);
	check_clf(ACQ_CLF_TREE, 5000, 2, 10, 0, 1, 100, 3.0);
	check_clf(ACQ_CLF_TREE, 5000, 2, 10, 0, 20, 100, 3.0);
}

static void
softmax_estimates(void)
{
	check_clf(ACQ_CLF_SOFTMAX, 20000, 30, 5, 0, 1, 20000, 1.5);
	check_clf(ACQ_CLF_SOFTMAX, 300, 500, 3, 0, 1, 300, 1.5);
	check_clf(ACQ_CLF_SOFTMAX, 100, 2, 2, 0, 1, 100, 1.5);
}

static void
knn_estimates(void)
{
	/* a copy of the rows, a block of distances */
	check_clf(ACQ_CLF_KNN, 20000, 10, 3, 0, 1, 2000, 1.5);
	check_clf(ACQ_CLF_KNN, 500, 50, 3, 0, 1, 100, 1.5);
}

/* a pursuit's peak is at most acq_omp_work_bytes, and not far below it */
static void
check_omp(AcqOmpWork kind, int64_t N, int M, int k, double lambda)
{
	AcqSplitMix sm = {3};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *G = malloc(sizeof(double) * N * M);
	double	   *b = calloc(M, sizeof(double));
	AcqOmpParams p = {k, lambda, 0.0, 0.0, 0};
	AcqOmpResult res;
	double		base = live;
	double		est;
	AcqStatus	st;

	for (int64_t i = 0; i < N * M; i++)
		G[i] = acq_rng_double(&rng) - 0.5;
	for (int64_t i = 0; i < N; i++)
		for (int j = 0; j < M; j++)
			b[j] += G[i * M + j] / N * (i % 3 == 0 ? 3.0 : 1.0);
	reset_peak();
	if (kind == ACQ_OMP_WORK_EXPLICIT)
	{
		int64_t		kmax = (lambda == 0.0 && k > M) ? M : k;

		est = acq_omp_work_bytes(kind, N, M, kmax);
		st = acq_omp_explicit(G, N, M, b, NULL, 0, &p, &res, NULL, 0);
	}
	else
	{
		/* softmax atoms: E (N x K) and H (N x D), M = K (D + 1) */
		int			K = 2;
		int			D = M / K - 1;

		est = acq_omp_work_bytes(kind, N, K * (D + 1), k);
		st = acq_omp_softmax(G, G + N * K, N, K, D, b, NULL, 0, &p, &res, NULL, 0);
	}
	CHECK(st == ACQ_OK);
	acq_omp_result_free(&res);
	if (!(peak - base <= est) || !(est <= 3.0 * (peak - base) + 65536.0))
		fprintf(stderr, "omp kind %d N %ld M %d k %d: peak %.0f, estimate %.0f\n",
				(int) kind, (long) N, M, k, peak - base, est);
	CHECK(peak - base <= est);
	CHECK(est <= 3.0 * (peak - base) + 65536.0);
	CHECK(live == base);
	free(G);
	free(b);
}

static void
omp_estimates(void)
{
	/* with the int8 screen (k >= 8, N M >= 2^20) and without */
	check_omp(ACQ_OMP_WORK_EXPLICIT, 20000, 64, 50, 0.0);
	check_omp(ACQ_OMP_WORK_EXPLICIT, 2000, 16, 400, 0.1);
	check_omp(ACQ_OMP_WORK_EXPLICIT, 500, 8, 5, 0.0);
	/* softmax atoms: their inner-product columns N k */
	check_omp(ACQ_OMP_WORK_SOFTMAX, 20000, 8, 100, 0.1);
}

/*
 * acq_alloc_array_uninit: the host's alloc_uninit when it gives one (and
 * acq_alloc still zeroes through alloc), else alloc -- so the estimates
 * above, measured through alloc, count it either way.
 */
static int	uninit_calls = 0;

static void *
counting_uninit(size_t size)
{
	uninit_calls++;
	return peak_alloc(size);
}

static void
uninit_hook(void)
{
	AcqHooks	h = peak_hooks;
	double		before = live;
	unsigned char *a;
	unsigned char *b;

	a = acq_alloc_array_uninit(1000, 8);
	CHECK(live == before + 8000.0);		/* no alloc_uninit: through alloc */
	acq_free(a);
	h.alloc_uninit = counting_uninit;
	acq_set_hooks(&h);
	a = acq_alloc_array_uninit(1000, 8);
	b = acq_alloc(64);
	CHECK(uninit_calls == 1);
	CHECK(b[0] == 0 && b[63] == 0);
	acq_free(a);
	acq_free(b);
	acq_set_hooks(&peak_hooks);
	a = acq_alloc_array_uninit(10, 8);
	CHECK(uninit_calls == 1);			/* unset again: alloc */
	acq_free(a);
	CHECK(live == before);
}

int
main(void)
{
	acq_set_hooks(&peak_hooks);
	RUN(uninit_hook);
	RUN(tree_estimates);
	RUN(softmax_estimates);
	RUN(knn_estimates);
	RUN(omp_estimates);
	return unit_summary("test_memory");
}
