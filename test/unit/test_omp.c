/*
 * test_omp.c -- acq_omp_* against scikit-learn's orthogonal_mp and a numpy
 * greedy (fixtures/omp_fixture.h, from fixtures/make_omp_fixture.py; the
 * dictionaries are regenerated here from the same SplitMix64 seeds), the
 * factorised softmax path against the explicit path on the expanded
 * dictionary, the combined penalty, dependent atoms, ties, argument
 * errors, the hooks, and (printed, not checked, only with ACQ_UNIT_BENCH=1
 * in the environment) timings: N = 100000 candidates, M = 1000, k = 100,
 * ~1 GB and ~10 s.  scikit-learn's time on the same size:
 * make_omp_fixture.py --bench.
 */
#include "core/omp.h"
#include "unit.h"

#include <string.h>
#include <time.h>

#include "fixtures/omp_fixture.h"

#include "hooks.h"

/* ---- generated data ---------------------------------------------------- */

/* n values 2u - 1 (or u with unit = 1) from the stream rng */
static void
fill_uniform(AcqRng *rng, double *x, int64_t n, bool unit)
{
	int64_t		i;

	for (i = 0; i < n; i++)
		x[i] = unit ? acq_rng_double(rng) : 2.0 * acq_rng_double(rng) - 1.0;
}

/* the fixture's dictionary: G (N x M) then b (M), from one SplitMix64 */
static void
make_problem(uint64_t seed, int64_t N, int M, double **G, double **b)
{
	AcqSplitMix sm = {seed};
	AcqRng		rng = {acq_splitmix_next, &sm};

	*G = malloc(sizeof(double) * N * M);
	*b = malloc(sizeof(double) * M);
	fill_uniform(&rng, *G, N * M, false);
	fill_uniform(&rng, *b, M, false);
}

static double *
make_unit(uint64_t seed, int64_t n)
{
	AcqSplitMix sm = {seed};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *x = malloc(sizeof(double) * n);

	fill_uniform(&rng, x, n, true);
	return x;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* ---- fixture cases ------------------------------------------------------- */

/*
 * Run the explicit path on a fixture case and compare the support (in
 * order, hence as a set), the weights and the residual norm.
 */
static void
check_case(uint64_t seed, int N, int M, const AcqOmpParams *p,
		   const double *Psi, int n_psi,
		   int nsel, const int *idx, const double *w, double rnorm)
{
	double	   *G;
	double	   *b;
	AcqOmpResult res;
	char		err[128] = "";
	int			i;
	int			same = 0;

	make_problem(seed, N, M, &G, &b);
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	CHECK(acq_omp_explicit(G, N, M, b, Psi, n_psi, p, &res, err, sizeof(err)) == ACQ_OK);
	CHECK(res.n == nsel);
	CHECK(n_interrupts == res.iterations);
	CHECK(res.iterations == res.n);
	CHECK(res.skipped == 0);
	if (res.n == nsel)
	{
		for (i = 0; i < nsel; i++)
		{
			same += (res.index[i] == idx[i]);
			CHECK_CLOSE(res.weight[i], w[i], 1e-12);
		}
		CHECK(same == nsel);
		CHECK_CLOSE(res.residual_norm, rnorm, 1e-12);
	}
	acq_omp_result_free(&res);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	acq_set_hooks(NULL);
	free(G);
	free(b);
}

static void
test_sklearn(void)
{
	AcqOmpParams pa = {OMP_A_K, 0.0, 0.0, 0.0, 0};
	AcqOmpParams pb = {OMP_B_K, 0.0, 0.0, 0.0, 0};

	check_case(OMP_A_SEED, OMP_A_N, OMP_A_M, &pa, NULL, 0,
			   OMP_A_NSEL, OMP_A_IDX, OMP_A_W, OMP_A_RNORM);
	check_case(OMP_B_SEED, OMP_B_N, OMP_B_M, &pb, NULL, 0,
			   OMP_B_NSEL, OMP_B_IDX, OMP_B_W, OMP_B_RNORM);
}

/* sklearn's tol bounds ||r||^2: ours is its square root, k = N */
static void
test_tol(void)
{
	AcqOmpParams p = {OMP_TOL_K, 0.0, sqrt(OMP_TOL_TOLSQ), 0.0, 0};
	double	   *G;
	double	   *b;
	AcqOmpResult res;

	check_case(OMP_TOL_SEED, OMP_TOL_N, OMP_TOL_M, &p, NULL, 0,
			   OMP_TOL_NSEL, OMP_TOL_IDX, OMP_TOL_W, OMP_TOL_RNORM);
	make_problem(OMP_TOL_SEED, OMP_TOL_N, OMP_TOL_M, &G, &b);
	CHECK(acq_omp_explicit(G, OMP_TOL_N, OMP_TOL_M, b, NULL, 0, &p, &res, NULL, 0) == ACQ_OK);
	CHECK(res.stop == ACQ_OMP_STOP_TOL);
	CHECK(res.residual_norm <= p.tol);
	acq_omp_result_free(&res);
	/* tol at ||b|| or above: nothing to do */
	p.tol = 1e3;
	CHECK(acq_omp_explicit(G, OMP_TOL_N, OMP_TOL_M, b, NULL, 0, &p, &res, NULL, 0) == ACQ_OK);
	CHECK(res.n == 0 && res.iterations == 0 && res.stop == ACQ_OMP_STOP_TOL);
	acq_omp_result_free(&res);
	free(G);
	free(b);
}

static void
test_ridge(void)
{
	AcqOmpParams p = {OMP_RIDGE_K, OMP_RIDGE_LAMBDA, 0.0, 0.0, 0};

	check_case(OMP_RIDGE_SEED, OMP_RIDGE_N, OMP_RIDGE_M, &p, NULL, 0,
			   OMP_RIDGE_NSEL, OMP_RIDGE_IDX, OMP_RIDGE_W, OMP_RIDGE_RNORM);
}

static void
test_combined(void)
{
	AcqOmpParams pg = {OMP_PSI_K, OMP_PSI_LAMBDA, 0.0, OMP_PSI_LAMBDA2, 0};
	AcqOmpParams pd = {OMP_DIAG_K, OMP_DIAG_LAMBDA, 0.0, OMP_DIAG_LAMBDA2, 0};
	double	   *Psi = make_unit(OMP_PSI_PSISEED, (int64_t) OMP_PSI_N * OMP_PSI_NPSI);
	double	   *d = make_unit(OMP_DIAG_PSISEED, OMP_DIAG_N);

	check_case(OMP_PSI_SEED, OMP_PSI_N, OMP_PSI_M, &pg, Psi, OMP_PSI_NPSI,
			   OMP_PSI_NSEL, OMP_PSI_IDX, OMP_PSI_W, OMP_PSI_RNORM);
	check_case(OMP_DIAG_SEED, OMP_DIAG_N, OMP_DIAG_M, &pd, d, ACQ_OMP_PSI_DIAGONAL,
			   OMP_DIAG_NSEL, OMP_DIAG_IDX, OMP_DIAG_W, OMP_DIAG_RNORM);
	free(Psi);
	free(d);
}

/* lambda2 = 0 with a Psi: exactly the plain pursuit */
static void
test_combined_zero(void)
{
	AcqOmpParams p = {15, 0.2, 0.0, 0.0, 0};
	double	   *G;
	double	   *b;
	double	   *Psi = make_unit(99, 300 * 5);
	AcqOmpResult r1;
	AcqOmpResult r2;
	int			i;

	make_problem(21, 300, 40, &G, &b);
	CHECK(acq_omp_explicit(G, 300, 40, b, NULL, 0, &p, &r1, NULL, 0) == ACQ_OK);
	CHECK(acq_omp_explicit(G, 300, 40, b, Psi, 5, &p, &r2, NULL, 0) == ACQ_OK);
	CHECK(r1.n == 15 && r2.n == 15);
	for (i = 0; i < r1.n && i < r2.n; i++)
	{
		CHECK(r1.index[i] == r2.index[i]);
		CHECK(r1.weight[i] == r2.weight[i]);
	}
	acq_omp_result_free(&r1);
	acq_omp_result_free(&r2);
	free(G);
	free(b);
	free(Psi);
}

/* ---- factorised softmax gradients ---------------------------------------- */

/*
 * Random softmax factors: e_j = p_j - onehot(y_j) with p_j the softmax of
 * Gaussian-ish logits, h_j uniform.
 */
static void
make_factors(uint64_t seed, int64_t N, int K, int D, double *E, double *H)
{
	AcqSplitMix sm = {seed};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int		   *y = malloc(sizeof(int) * N);
	int64_t		j;
	int			c;

	for (j = 0; j < N; j++)
	{
		double		s = 0.0;

		for (c = 0; c < K; c++)
		{
			E[j * K + c] = exp(3.0 * acq_rng_double(&rng));
			s += E[j * K + c];
		}
		for (c = 0; c < K; c++)
			E[j * K + c] /= s;
		y[j] = (int) acq_rng_below(&rng, K);
	}
	CHECK(acq_omp_softmax_factor(E, y, N, K, E) == ACQ_OK);
	fill_uniform(&rng, H, N * D, false);
	free(y);
}

/* G[j] = vec(e_j [h_j, 1]'), K x (D+1) row-major */
static void
expand(const double *E, const double *H, int64_t N, int K, int D, double *G)
{
	int			Dp = D + 1;
	int64_t		j;
	int			c;
	int			t;

	for (j = 0; j < N; j++)
		for (c = 0; c < K; c++)
		{
			double	   *g = G + j * K * Dp + c * Dp;

			for (t = 0; t < D; t++)
				g[t] = E[j * K + c] * H[j * D + t];
			g[D] = E[j * K + c];
		}
}

static double
norm2(const double *x, int n)
{
	double		s = 0.0;
	int			i;

	for (i = 0; i < n; i++)
		s += x[i] * x[i];
	return sqrt(s);
}

static void
compare_results(const AcqOmpResult *a, const AcqOmpResult *b, double rtol)
{
	int			i;
	int			same = 0;

	CHECK(a->n == b->n);
	CHECK(a->stop == b->stop);
	for (i = 0; i < a->n && i < b->n; i++)
	{
		same += (a->index[i] == b->index[i]);
		CHECK_REL(a->weight[i], b->weight[i], rtol);
	}
	CHECK(same == a->n);
	CHECK_REL(a->residual_norm, b->residual_norm, rtol);
}

static void
test_softmax_vs_explicit(void)
{
	int64_t		N = 5000;		/* two blocks of the projections (4096) */
	int			K = 5;
	int			D = 13;
	int			M = K * (D + 1);
	int64_t		nh = 50;
	double	   *E = malloc(sizeof(double) * N * K);
	double	   *H = malloc(sizeof(double) * N * D);
	double	   *Eh = malloc(sizeof(double) * nh * K);
	double	   *Hh = malloc(sizeof(double) * nh * D);
	double	   *G = malloc(sizeof(double) * N * M);
	double	   *Gh = malloc(sizeof(double) * nh * M);
	double	   *b = malloc(sizeof(double) * M);
	double	   *Psi = make_unit(5, N * 3);
	AcqOmpParams ps[4] = {{30, 0.0, 0.0, 0.0, 0}, {30, 0.05, 0.0, 0.0, 0},
	{30, 0.05, 0.0, 0.5, 0}, {200, 0.0, 0.0, 0.0, 0}};
	int			i;
	int			t;

	make_factors(31, N, K, D, E, H);
	make_factors(32, nh, K, D, Eh, Hh);
	expand(E, H, N, K, D, G);
	expand(Eh, Hh, nh, K, D, Gh);

	/* the target: the mean of the expanded hard gradients */
	acq_omp_softmax_target(Eh, Hh, nh, K, D, b);
	for (t = 0; t < M; t++)
	{
		double		s = 0.0;

		for (i = 0; i < nh; i++)
			s += Gh[i * M + t];
		CHECK_CLOSE(b[t], s / nh, 1e-15);
	}

	/* the last run: no k limit (M caps it), stop at a third of ||b|| */
	ps[3].tol = norm2(b, M) / 3.0;

	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	for (i = 0; i < 4; i++)
	{
		AcqOmpResult re;
		AcqOmpResult rs;
		long		polls = n_interrupts;

		CHECK(acq_omp_explicit(G, N, M, b, Psi, 3, &ps[i], &re, NULL, 0) == ACQ_OK);
		CHECK(acq_omp_softmax(E, H, N, K, D, b, Psi, 3, &ps[i], &rs, NULL, 0) == ACQ_OK);
		CHECK(n_interrupts - polls == re.iterations + rs.iterations);
		CHECK(re.n > 0);
		CHECK(i < 3 ? re.stop == ACQ_OMP_STOP_K : re.stop == ACQ_OMP_STOP_TOL);
		compare_results(&re, &rs, 1e-9);
		acq_omp_result_free(&re);
		acq_omp_result_free(&rs);
	}
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);
	free(E);
	free(H);
	free(Eh);
	free(Hh);
	free(G);
	free(Gh);
	free(b);
	free(Psi);
}

/* D = 0: the bias gradients alone, g_j = e_j */
static void
test_softmax_bias_only(void)
{
	double		E[4 * 3] = {0.2, -0.5, 0.3, -0.9, 0.4, 0.5, 0.1, 0.1, -0.2, 0.3, 0.3, -0.6};
	double		b[3] = {0.1, -0.3, 0.5};
	AcqOmpParams p = {2, 0.0, 0.0, 0.0, 0};
	AcqOmpResult re;
	AcqOmpResult rs;

	CHECK(acq_omp_explicit(E, 4, 3, b, NULL, 0, &p, &re, NULL, 0) == ACQ_OK);
	CHECK(acq_omp_softmax(E, NULL, 4, 3, 0, b, NULL, 0, &p, &rs, NULL, 0) == ACQ_OK);
	compare_results(&re, &rs, 1e-12);
	acq_omp_result_free(&re);
	acq_omp_result_free(&rs);
}

/* ---- edge cases ---------------------------------------------------------- */

/*
 * Rows 0 and 1 are the same atom.  With a tiny lambda the residual after
 * row 0 keeps a projection lambda w on row 1, the largest but for row 3's
 * even smaller one; row 1 is dependent (pivot ~ 2 lambda) and is passed
 * over, row 3 is taken in the same iteration.  Row 2 is orthogonal to r.
 */
static void
test_dependent(void)
{
	double		G[4 * 3] = {1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1e-16};
	double		b[3] = {1, 0, 1};
	AcqOmpParams p = {3, 1e-14, 0.0, 0.0, 0};
	AcqOmpResult r;

	CHECK(acq_omp_explicit(G, 4, 3, b, NULL, 0, &p, &r, NULL, 0) == ACQ_OK);
	CHECK(r.n == 2);
	CHECK(r.n == 2 && r.index[0] == 0 && r.index[1] == 3);
	CHECK(r.skipped == 1);
	CHECK(r.iterations == 3);	/* the third finds only row 2, projection 0 */
	CHECK(r.stop == ACQ_OMP_STOP_EXHAUSTED);
	CHECK(isfinite(r.weight[0]) && isfinite(r.weight[1]));
	acq_omp_result_free(&r);

	/* lambda = 0: an exact duplicate has projection 0 after its twin */
	p.lambda = 0.0;
	CHECK(acq_omp_explicit(G, 3, 3, b, NULL, 0, &p, &r, NULL, 0) == ACQ_OK);
	CHECK(r.n == 1 && r.index[0] == 0 && r.weight[0] == 1.0);
	CHECK(r.stop == ACQ_OMP_STOP_EXHAUSTED);
	CHECK_CLOSE(r.residual_norm, 1.0, 1e-15);
	acq_omp_result_free(&r);

	/* a zero atom is never taken */
	{
		double		Z[2 * 2] = {0, 0, 0, 1};
		double		bz[2] = {1, 1};

		p.k = 2;
		CHECK(acq_omp_explicit(Z, 2, 2, bz, NULL, 0, &p, &r, NULL, 0) == ACQ_OK);
		CHECK(r.n == 1 && r.index[0] == 1);
		acq_omp_result_free(&r);
	}
}

/* ties in |<g_j, r>|: the lowest index; negative projections count */
static void
test_ties(void)
{
	double		G[4 * 2] = {0, -1, 1, 0, 1, 0, 0, 1};
	double		b[2] = {1, 1};
	AcqOmpParams p = {4, 0.0, 0.0, 0.0, 0};
	AcqOmpResult r;

	CHECK(acq_omp_explicit(G, 4, 2, b, NULL, 0, &p, &r, NULL, 0) == ACQ_OK);
	/* M = 2 caps the support at 2 atoms without regularisation */
	CHECK(r.n == 2 && r.index[0] == 0 && r.index[1] == 1);
	CHECK(r.n == 2 && r.weight[0] == -1.0 && r.weight[1] == 1.0);
	CHECK(r.residual_norm == 0.0);
	acq_omp_result_free(&r);
}

/*
 * Screening (omp.h): the int8 pass must choose exactly what the double
 * pass chooses.  Random problems (plain, ridge, diagonal Psi), rows with
 * one entry a thousand times the others (coarse quantisation: loose
 * bounds, many candidates recomputed), a near-tie below float resolution
 * whose winner is the higher index, an exact tie (lowest index), and values
 * that would overflow a float (screening must decline).
 */
static int
run_screen(const double *G, int64_t N, int M, const double *b, const double *Psi,
		   AcqOmpParams p, int screen, AcqOmpResult *r)
{
	int			allocs;

	p.screen = screen;
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = 0;
	CHECK(acq_omp_explicit(G, N, M, b, Psi, Psi ? ACQ_OMP_PSI_DIAGONAL : 0, &p, r,
						   NULL, 0) == ACQ_OK);
	allocs = n_alloc;
	acq_set_hooks(NULL);
	return allocs;
}

/* acq_omp_quantized's fetch over rows in memory, checking what is asked */
typedef struct FetchG
{
	const double *G;
	int64_t		N;
	int			M;
	char	   *seen;			/* each row is fetched at most once */
	int64_t		rows;			/* rows fetched */
	int			calls;
	int			bad;			/* an index out of order, range, or fetched twice */
	int			fail_at;		/* > 0: fail that call */
} FetchG;

static int
fetch_g(void *arg, const int64_t *index, int64_t n, double *rows)
{
	FetchG	   *f = (FetchG *) arg;
	int64_t		i;

	f->calls++;
	if (f->fail_at > 0 && f->calls == f->fail_at)
		return 1;
	for (i = 0; i < n; i++)
	{
		if (index[i] < 0 || index[i] >= f->N || f->seen[index[i]] ||
			(i > 0 && index[i] <= index[i - 1]))
		{
			f->bad++;
			continue;
		}
		f->seen[index[i]] = 1;
		memcpy(rows + i * f->M, f->G + index[i] * f->M, sizeof(double) * f->M);
	}
	f->rows += n;
	return 0;
}

/* the rows quantised one by one, then the pursuit with fetched rows */
static AcqStatus
run_quantized(const double *G, int64_t N, int M, const double *b, const double *Psi,
			  AcqOmpParams p, AcqOmpResult *r, FetchG *f)
{
	AcqOmpQuant *q = acq_omp_quant_create(N, M);
	AcqStatus	st;
	int64_t		i;

	memset(f, 0, sizeof(*f));
	f->G = G;
	f->N = N;
	f->M = M;
	f->seen = calloc(N, 1);
	for (i = 0; i < N; i++)
		CHECK(acq_omp_quant_add(q, G + i * M) == 1);
	CHECK(acq_omp_quant_rows(q) == N);
	st = acq_omp_quantized(q, fetch_g, f, b, Psi, Psi ? ACQ_OMP_PSI_DIAGONAL : 0, &p, r,
						   NULL, 0);
	acq_omp_quant_free(q);
	free(f->seen);
	return st;
}

static void
check_same_pursuit(const double *G, int64_t N, int M, const double *b,
				   const double *Psi, AcqOmpParams p, bool expect_screen)
{
	AcqOmpResult r0,
				r1,
				r2;
	FetchG		f;
	int			a0 = run_screen(G, N, M, b, Psi, p, -1, &r0);
	int			a1 = run_screen(G, N, M, b, Psi, p, 1, &r1);
	int			same = 0;
	int			i;
	AcqStatus	st;

	/*
	 * screening allocates 8 blocks (the int8 rows: a header and 4 arrays;
	 * the residual in int16, a block's dot products, the candidate list);
	 * declining after quantising (out of range), the first 5
	 */
	CHECK(a1 == a0 + (expect_screen ? 8 : 5));
	CHECK(r0.n == r1.n && r0.n > 0);
	for (i = 0; i < r0.n && i < r1.n; i++)
	{
		same += (r0.index[i] == r1.index[i]);
		CHECK_CLOSE(r1.weight[i], r0.weight[i], 1e-12);
	}
	CHECK(same == r0.n);
	CHECK(r0.skipped == r1.skipped && r0.stop == r1.stop);

	/* the same pursuit from quantised rows and fetches; nothing leaks */
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = 0;
	st = run_quantized(G, N, M, b, Psi, p, &r2, &f);
	acq_omp_result_free(&r2);
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);
	st = run_quantized(G, N, M, b, Psi, p, &r2, &f);
	if (expect_screen)
	{
		CHECK(st == ACQ_OK);
		CHECK(r2.n == r0.n && f.bad == 0);
		for (i = 0, same = 0; i < r0.n && i < r2.n; i++)
		{
			same += (r0.index[i] == r2.index[i]);
			CHECK_CLOSE(r2.weight[i], r0.weight[i], 1e-12);
		}
		CHECK(same == r0.n);
		CHECK(r0.skipped == r2.skipped && r0.stop == r2.stop);
		CHECK_CLOSE(r2.residual_norm, r0.residual_norm, 1e-9 * (1.0 + r0.residual_norm));
		/* at least the support, at most one call a step */
		CHECK(f.rows >= r2.n && f.calls <= r2.iterations + r2.skipped);
	}
	else
		CHECK(st == ACQ_ERR_TOO_LARGE && f.calls == 0);
	acq_omp_result_free(&r0);
	acq_omp_result_free(&r1);
	acq_omp_result_free(&r2);
}

static void
test_screen(void)
{
	const int	N = 3000,
				M = 60;
	double	   *G;
	double	   *b;
	double	   *G2;
	double	   *b2;
	double	   *psi = make_unit(99, N);
	AcqOmpParams plain = {40, 0.0, 0.0, 0.0, 0};
	AcqOmpParams ridge = {40, 0.3, 0.0, 0.0, 0};
	AcqOmpParams comb = {40, 0.1, 0.0, 0.5, 0};
	uint64_t	seed;
	int			i,
				j;

	for (seed = 11; seed <= 13; seed++)
	{
		make_problem(seed, N, M, &G, &b);
		check_same_pursuit(G, N, M, b, NULL, plain, true);
		check_same_pursuit(G, N, M, b, NULL, ridge, true);
		check_same_pursuit(G, N, M, b, psi, comb, true);
		/* heavy-tailed rows: quantisation steps of ~1000x the typical entry */
		for (i = 0; i < N; i++)
			G[(int64_t) i * M + (i * 7) % M] *= 1000.0;
		check_same_pursuit(G, N, M, b, NULL, plain, true);
		check_same_pursuit(G, N, M, b, NULL, ridge, true);
		free(G);
		free(b);
	}

	/* a near-tie: atom 7 = atom 3 (1 + 1e-9), b along atom 3: 7 wins */
	make_problem(21, 50, 20, &G, &b);
	for (j = 0; j < 20; j++)
	{
		G[7 * 20 + j] = G[3 * 20 + j] * (1.0 + 1e-9);
		b[j] = G[3 * 20 + j] + 1e-3 * b[j];
	}
	{
		AcqOmpResult r;
		AcqOmpParams p = {5, 0.0, 0.0, 0.0, 0};

		run_screen(G, 50, 20, b, NULL, p, 1, &r);
		CHECK(r.n >= 1 && r.index[0] == 7);
		acq_omp_result_free(&r);
		check_same_pursuit(G, 50, 20, b, NULL, p, true);

		/* an exact tie: the lowest index */
		memcpy(G + 7 * 20, G + 3 * 20, sizeof(double) * 20);
		run_screen(G, 50, 20, b, NULL, p, 1, &r);
		CHECK(r.n >= 1 && r.index[0] == 3);
		acq_omp_result_free(&r);
		check_same_pursuit(G, 50, 20, b, NULL, p, true);

		/* a value that is not finite: found by the screen's quantising pass, nothing leaks */
		{
			double		keep = G[13 * 20 + 5];
			double		badv[2] = {NAN, -INFINITY};
			AcqOmpParams ps = p;

			ps.screen = 1;
			for (i = 0; i < 2; i++)
			{
				G[13 * 20 + 5] = badv[i];
				acq_set_hooks(&counting_hooks);
				n_alloc = n_free = 0;
				CHECK(acq_omp_explicit(G, 50, 20, b, NULL, 0, &ps, &r, NULL, 0) == ACQ_ERR_ARGUMENT);
				CHECK(n_alloc == n_free);
				acq_set_hooks(NULL);
				acq_omp_result_free(&r);
			}
			G[13 * 20 + 5] = keep;
		}

		/* a failed fetch fails the pursuit, nothing leaks */
		{
			FetchG		f;

			make_problem(31, 3000, 60, &G2, &b2);
			acq_set_hooks(&counting_hooks);
			n_alloc = n_free = 0;
			f.fail_at = 3;
			{
				AcqOmpQuant *q = acq_omp_quant_create(3000, 60);
				AcqOmpParams pq = {40, 0.0, 0.0, 0.0, 0};

				memset(&f, 0, sizeof(f));
				f.G = G2;
				f.N = 3000;
				f.M = 60;
				f.seen = calloc(3000, 1);
				f.fail_at = 3;
				for (i = 0; i < 3000; i++)
					acq_omp_quant_add(q, G2 + (int64_t) i * 60);
				CHECK(acq_omp_quantized(q, fetch_g, &f, b2, NULL, 0, &pq, &r, NULL, 0) == ACQ_ERR_ARGUMENT);
				CHECK(r.n == 2 && f.calls == 3);
				acq_omp_result_free(&r);
				/* a value that is not finite is not added */
				G2[5] = NAN;
				CHECK(acq_omp_quant_add(q, G2) == 0);
				CHECK(acq_omp_quant_rows(q) == 3000);
				acq_omp_quant_free(q);
				free(f.seen);
			}
			CHECK(n_alloc == n_free);
			acq_set_hooks(NULL);
			free(G2);
			free(b2);
		}

		/*
		 * beyond the screen's range (M ||g|| ||b|| >= 1e300): in memory the
		 * screen declines and the pursuit is unchanged; quantised, the
		 * caller is told to use the rows in memory
		 */
		for (i = 0; i < 50 * 20; i++)
			G[i] *= 1e150;
		for (i = 0; i < 20; i++)
			b[i] *= 1e150;
		check_same_pursuit(G, 50, 20, b, NULL, p, false);
	}
	free(G);
	free(b);
	free(psi);
}

static void
test_arguments(void)
{
	double		G[2 * 2] = {1, 0, 0, 1};
	double		b[2] = {1, 1};
	double		bad[2] = {1, NAN};
	AcqOmpParams p = {1, 0.0, 0.0, 0.0, 0};
	AcqOmpResult r;
	char		err[128];

	p.k = -1;
	CHECK(acq_omp_explicit(G, 2, 2, b, NULL, 0, &p, &r, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	acq_omp_result_free(&r);	/* a no-op */
	p.k = 1;
	p.lambda = -1.0;
	CHECK(acq_omp_explicit(G, 2, 2, b, NULL, 0, &p, &r, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	p.lambda = 0.0;
	p.tol = NAN;
	CHECK(acq_omp_explicit(G, 2, 2, b, NULL, 0, &p, &r, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	p.tol = 0.0;
	p.lambda2 = 1.0;
	CHECK(acq_omp_explicit(G, 2, 2, b, NULL, 0, &p, &r, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(strstr(err, "Psi") != NULL);
	p.lambda2 = 0.0;
	CHECK(acq_omp_explicit(G, 2, 2, bad, NULL, 0, &p, &r, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(acq_omp_explicit(bad, 1, 2, b, NULL, 0, &p, &r, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(acq_omp_explicit(G, 0, 2, b, NULL, 0, &p, &r, err, sizeof(err)) == ACQ_ERR_EMPTY);
	CHECK(acq_omp_softmax(G, G, 2, 0, 1, b, NULL, 0, &p, &r, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	{
		double		P[2 * 2] = {0.5, 0.5, 0.2, 0.8};
		int			y[2] = {0, 2};

		CHECK(acq_omp_softmax_factor(P, y, 2, 2, P) == ACQ_ERR_ARGUMENT);
		CHECK(P[0] == 0.5);
	}
	/* k = 0: an empty selection */
	p.k = 0;
	CHECK(acq_omp_explicit(G, 2, 2, b, NULL, 0, &p, &r, err, sizeof(err)) == ACQ_OK);
	CHECK(r.n == 0 && r.iterations == 0);
	CHECK_CLOSE(r.residual_norm, sqrt(2.0), 1e-15);
	acq_omp_result_free(&r);
}

/* ---- timings (printed only) --------------------------------------------- */

/*
 * One softmax dictionary, N = 100000, K = 10, D = 99 (M = 1000), timed
 * through the factorised path and, expanded (800 MB), the explicit one.
 */
static void
bench(void)
{
	int64_t		N = 100000;
	int			K = 10;
	int			D = 99;
	int			M = K * (D + 1);
	int64_t		nh = 500;
	double	   *E = malloc(sizeof(double) * N * K);
	double	   *H = malloc(sizeof(double) * N * D);
	double	   *Eh = malloc(sizeof(double) * nh * K);
	double	   *Hh = malloc(sizeof(double) * nh * D);
	double	   *b = malloc(sizeof(double) * M);
	double	   *G = malloc(sizeof(double) * N * M);
	AcqOmpParams p = {100, 0.0, 0.0, 0.0, 0};
	AcqOmpResult re;
	AcqOmpResult rs;
	double		t0;
	double		te;
	double		ts;
	int			i;
	int			same = 0;

	if (getenv("ACQ_UNIT_BENCH") == NULL || G == NULL)
	{
		printf("test_omp bench skipped\n");
		goto done;
	}
	make_factors(41, N, K, D, E, H);
	make_factors(42, nh, K, D, Eh, Hh);
	acq_omp_softmax_target(Eh, Hh, nh, K, D, b);
	expand(E, H, N, K, D, G);

	t0 = now();
	CHECK(acq_omp_softmax(E, H, N, K, D, b, NULL, 0, &p, &rs, NULL, 0) == ACQ_OK);
	ts = now() - t0;
	t0 = now();
	CHECK(acq_omp_explicit(G, N, M, b, NULL, 0, &p, &re, NULL, 0) == ACQ_OK);
	te = now() - t0;
	for (i = 0; i < re.n && i < rs.n; i++)
		same += (re.index[i] == rs.index[i]);
	printf("test_omp bench N=%ld M=%d k=%d: explicit %.3f s (%.1f ms/iter), "
		   "factorised K=%d D=%d %.3f s (%.1f ms/iter), same order %d/%d\n",
		   (long) N, M, p.k, te, 1e3 * te / re.iterations, K, D, ts,
		   1e3 * ts / rs.iterations, same, re.n);
	acq_omp_result_free(&re);
	acq_omp_result_free(&rs);
done:
	free(E);
	free(H);
	free(Eh);
	free(Hh);
	free(b);
	free(G);
}

int
main(void)
{
	RUN(test_sklearn);
	RUN(test_tol);
	RUN(test_ridge);
	RUN(test_combined);
	RUN(test_combined_zero);
	RUN(test_softmax_vs_explicit);
	RUN(test_softmax_bias_only);
	RUN(test_dependent);
	RUN(test_ties);
	RUN(test_screen);
	RUN(test_arguments);
	RUN(bench);
	return unit_summary("test_omp");
}
