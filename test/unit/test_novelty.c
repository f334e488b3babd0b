/*
 * test_novelty.c -- acq_novelty against a naive reference written here: the
 * same random 80/20 splits (the same AcqRng calls in the same order), then a
 * brute-force k-NN classifier over the held rows (class 0) and the training
 * part of the new rows (class 1), with plain-loop distances and a full sort.
 * Both must agree exactly, on the path that keeps the new-against-new
 * distances whole and on the one that recomputes them per split (> 2048 new
 * rows).  Then the documented behaviour: too few new rows, no held rows,
 * new rows like the held ones, new rows far from them, determinism, and the
 * hooks (everything freed, interrupts polled).
 *
 * No scikit-learn fixture: the reference below is the definition
 * (KNeighborsClassifier's prediction with the documented tie rules), and
 * python3-sklearn is not installed on the build host.
 */
#include "core/novelty.h"
#include "unit.h"

#include <stdint.h>
#include <string.h>

#include "core/distance.h"
#include "hooks.h"

/* ---- data ------------------------------------------------------------- */

static double
gauss(AcqRng *rng)
{
	double		u1 = acq_rng_double(rng);
	double		u2 = acq_rng_double(rng);

	return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

/* n x d Gaussian rows with the given centre (same in every column) and scale */
static double *
gauss_rows(AcqRng *rng, int64_t n, int d, double centre, double scale)
{
	double	   *X = malloc(sizeof(double) * (size_t) (n > 0 ? n : 1) * (size_t) d);

	for (int64_t i = 0; i < n * d; i++)
		X[i] = centre + scale * gauss(rng);
	return X;
}

/* ---- the reference ------------------------------------------------------ */

typedef struct Cand
{
	double		dist;
	int			cls;			/* 0 held, 1 new */
	int64_t		idx;
} Cand;

/* by distance; equal distances: held (class 0) first, then by index */
static int
cand_cmp(const void *a, const void *b)
{
	const Cand *x = a;
	const Cand *y = b;

	if (x->dist < y->dist)
		return -1;
	if (x->dist > y->dist)
		return 1;
	if (x->cls != y->cls)
		return x->cls - y->cls;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static double
sqdist_plain(const double *a, const double *b, int d)
{
	double		s = 0.0;

	for (int c = 0; c < d; c++)
		s += (a[c] - b[c]) * (a[c] - b[c]);
	return s;
}

/*
 * Novelty by the definition: per split, a partial Fisher-Yates over 0..nn-1
 * picks the ntest scored rows (acq_rng_below(rng, nn - i) for i < ntest),
 * the rest of the permutation is the training part of the new rows; each
 * scored row is predicted "new" when more than half of its k nearest
 * training points (held rows and training new rows, held first on equal
 * distances; fewer than k if there are fewer points) are new.
 */
static double
ref_novelty(const double *H, int64_t nh, const double *N, int64_t nn, int d,
			const AcqNoveltyParams *p, AcqRng *rng)
{
	int64_t		ntest,
				ntrain;
	int64_t    *perm;
	Cand	   *cand;
	double		total = 0.0;

	if (nn < p->min_new || nn < 2)
		return 0.0;
	ntest = (int64_t) ceil(p->test_fraction * (double) nn - 1e-12);
	if (ntest < 1)
		ntest = 1;
	if (ntest >= nn)
		ntest = nn - 1;
	ntrain = nn - ntest;
	perm = malloc(sizeof(int64_t) * nn);
	cand = malloc(sizeof(Cand) * (size_t) (nh + ntrain));

	for (int s = 0; s < p->splits; s++)
	{
		int64_t		correct = 0;

		for (int64_t i = 0; i < nn; i++)
			perm[i] = i;
		for (int64_t i = 0; i < ntest; i++)
		{
			int64_t		j = i + (int64_t) acq_rng_below(rng, (uint64_t) (nn - i));
			int64_t		t = perm[i];

			perm[i] = perm[j];
			perm[j] = t;
		}
		for (int64_t i = 0; i < ntest; i++)
		{
			const double *x = N + perm[i] * d;
			int64_t		nc = 0;
			int			taken,
						votes_new = 0;

			for (int64_t h = 0; h < nh; h++)
			{
				cand[nc].dist = sqdist_plain(x, H + h * d, d);
				cand[nc].cls = 0;
				cand[nc].idx = h;
				nc++;
			}
			for (int64_t j = ntest; j < nn; j++)
			{
				cand[nc].dist = sqdist_plain(x, N + perm[j] * d, d);
				cand[nc].cls = 1;
				cand[nc].idx = perm[j];
				nc++;
			}
			qsort(cand, nc, sizeof(Cand), cand_cmp);
			taken = nc < p->k ? (int) nc : p->k;
			for (int c = 0; c < taken; c++)
				votes_new += cand[c].cls;
			if (2 * votes_new > taken)
				correct++;
		}
		total += (double) correct / (double) ntest;
	}
	free(cand);
	free(perm);
	return total / (double) p->splits;
}

/* ---- agreement ----------------------------------------------------------- */

static int	n_compared = 0;
static int	n_interior = 0;	/* comparisons with a score strictly inside (0,1) */

static void
compare_one(int64_t nh, int64_t nn, int d, int k, int splits, uint64_t seed)
{
	AcqSplitMix data_sm = {seed * 7919 + 13};
	AcqRng		data = {acq_splitmix_next, &data_sm};
	/* held around 0, new rows overlapping them (centre 0.2): scores in (0,1) */
	double	   *H = gauss_rows(&data, nh, d, 0.0, 1.0);
	double	   *N = gauss_rows(&data, nn, d, 0.2, 1.0);
	AcqNoveltyParams p;
	AcqSplitMix s1 = {seed};
	AcqSplitMix s2 = {seed};
	AcqRng		r1 = {acq_splitmix_next, &s1};
	AcqRng		r2 = {acq_splitmix_next, &s2};
	double		got,
				want;

	acq_novelty_defaults(&p);
	p.k = k;
	p.splits = splits;
	got = acq_novelty(nh > 0 ? H : NULL, nh, N, nn, d, &p, &r1);
	want = ref_novelty(H, nh, N, nn, d, &p, &r2);
	unit_checks++;
	if (got != want || s1.s != s2.s)
	{
		unit_failures++;
		fprintf(stderr, "%s:%d: %s: nh=%lld nn=%lld d=%d k=%d: novelty %.17g, reference %.17g%s\n",
				__FILE__, __LINE__, unit_current, (long long) nh, (long long) nn, d, k,
				got, want, s1.s != s2.s ? " (generators diverged)" : "");
	}
	CHECK(got >= 0.0 && got <= 1.0);
	n_compared++;
	if (got > 0.0 && got < 1.0)
		n_interior++;
	free(N);
	free(H);
}

static void
test_against_reference(void)
{
	static const int ks[] = {1, 3, 4, 5};
	static const int64_t nhs[] = {0, 1, 50, 700};
	static const int64_t nns[] = {5, 7, 100, 300};
	static const int ds[] = {1, 2, 9};
	uint64_t	seed = 1;

	n_compared = n_interior = 0;
	for (int a = 0; a < 4; a++)
		for (int b = 0; b < 4; b++)
			for (int c = 0; c < 4; c++)
				for (int e = 0; e < 3; e++)
					compare_one(nhs[b], nns[c], ds[e], ks[a], nns[c] >= 100 ? 4 : 20, seed++);
	CHECK(n_compared == 4 * 4 * 4 * 3);
	/*
	 * not all trivial: nh = 0 always scores 1, one held row is rarely a
	 * nearest neighbour, 5 or 7 new rows among 50+ held ones score 0
	 */
	CHECK(n_interior >= 4 * 4 * 4 * 3 / 4);
	/* the default 50 splits on a few mid-sized cases */
	compare_one(50, 100, 2, 1, 50, 901);
	compare_one(700, 300, 9, 3, 50, 902);
	compare_one(1, 7, 1, 4, 50, 903);
}

/*
 * Exact ties: rows on a small integer grid, so that held and new rows
 * coincide and many distances are equal (the DGEMM distances of small
 * integers are exact).  Equal distances go to the held row, a tied vote
 * (even k) to "held".
 */
static void
compare_grid(int64_t nh, int64_t nn, int d, int k, int splits, uint64_t seed)
{
	AcqSplitMix data_sm = {seed};
	AcqRng		data = {acq_splitmix_next, &data_sm};
	double	   *H = malloc(sizeof(double) * (size_t) (nh > 0 ? nh : 1) * d);
	double	   *N = malloc(sizeof(double) * (size_t) nn * d);
	AcqNoveltyParams p;
	AcqSplitMix s1 = {seed + 1};
	AcqSplitMix s2 = {seed + 1};
	AcqRng		r1 = {acq_splitmix_next, &s1};
	AcqRng		r2 = {acq_splitmix_next, &s2};
	double		got,
				want;

	for (int64_t i = 0; i < nh * d; i++)
		H[i] = (double) acq_rng_below(&data, 4);
	for (int64_t i = 0; i < nn * d; i++)
		N[i] = (double) acq_rng_below(&data, 4);
	acq_novelty_defaults(&p);
	p.k = k;
	p.splits = splits;
	got = acq_novelty(H, nh, N, nn, d, &p, &r1);
	want = ref_novelty(H, nh, N, nn, d, &p, &r2);
	unit_checks++;
	if (got != want || s1.s != s2.s)
	{
		unit_failures++;
		fprintf(stderr, "%s:%d: %s: grid nh=%lld nn=%lld d=%d k=%d: novelty %.17g, reference %.17g\n",
				__FILE__, __LINE__, unit_current, (long long) nh, (long long) nn, d, k, got, want);
	}
	free(N);
	free(H);
}

static void
test_ties(void)
{
	AcqNoveltyParams p;
	double		H[2] = {0.0, 0.0};
	double		N[5 * 2] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	AcqSplitMix sm = {3};
	AcqRng		rng = {acq_splitmix_next, &sm};

	for (int k = 1; k <= 5; k++)
	{
		compare_grid(30, 40, 2, k, 20, 500 + k);
		compare_grid(10, 60, 1, k, 20, 600 + k);
		compare_grid(60, 25, 3, k, 20, 700 + k);
	}

	/*
	 * Everything at one point: all distances 0, the held row comes first.
	 * k = 1: the held row wins; k = 2: one held, one new, a tie -> held;
	 * k = 3: one held, two new -> new.
	 */
	acq_novelty_defaults(&p);
	p.k = 1;
	CHECK(acq_novelty(H, 1, N, 5, 2, &p, &rng) == 0.0);
	p.k = 2;
	CHECK(acq_novelty(H, 1, N, 5, 2, &p, &rng) == 0.0);
	p.k = 3;
	CHECK(acq_novelty(H, 1, N, 5, 2, &p, &rng) == 1.0);
}

/* more than 2048 new rows: distances per split, the same permutations */
static void
test_large_path(void)
{
	compare_one(120, 2100, 2, 1, 2, 4001);
	compare_one(120, 2100, 2, 4, 2, 4002);
	compare_one(0, 2100, 3, 3, 2, 4003);
	compare_one(300, 2300, 1, 5, 2, 4004);
}

/* ---- behaviour ------------------------------------------------------------ */

static void
test_few_new_rows(void)
{
	AcqSplitMix sm = {5};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *H = gauss_rows(&rng, 30, 2, 0.0, 1.0);
	double	   *N = gauss_rows(&rng, 5, 2, 50.0, 1.0);
	AcqNoveltyParams p;
	uint64_t	before;

	acq_novelty_defaults(&p);
	CHECK(p.k == 1 && p.splits == 50 && p.min_new == 5);
	CHECK_CLOSE(p.test_fraction, 0.2, 0.0);
	before = sm.s;
	for (int nn = 0; nn < 5; nn++)
		CHECK(acq_novelty(H, 30, N, nn, 2, &p, &rng) == 0.0);
	CHECK(sm.s == before);		/* no randomness spent */
	/* five far-away rows are enough */
	CHECK(acq_novelty(H, 30, N, 5, 2, &p, &rng) == 1.0);
	/* a larger min_new */
	p.min_new = 6;
	CHECK(acq_novelty(H, 30, N, 5, 2, &p, &rng) == 0.0);
	free(N);
	free(H);
}

static void
test_no_held_rows(void)
{
	AcqSplitMix sm = {6};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *N = gauss_rows(&rng, 40, 3, 0.0, 1.0);
	AcqNoveltyParams p;

	acq_novelty_defaults(&p);
	for (int k = 1; k <= 5; k++)
	{
		p.k = k;
		CHECK(acq_novelty(NULL, 0, N, 40, 3, &p, &rng) == 1.0);
	}
	free(N);
}

/* new rows like the held ones, many more held: 1-NN mostly finds a held row */
static void
test_same_distribution(void)
{
	AcqSplitMix sm = {7};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *H = gauss_rows(&rng, 3000, 2, 0.0, 1.0);
	double	   *N = gauss_rows(&rng, 100, 2, 0.0, 1.0);
	AcqNoveltyParams p;
	double		v;

	acq_novelty_defaults(&p);
	v = acq_novelty(H, 3000, N, 100, 2, &p, &rng);
	/* about 80 / (3000 + 80) of the nearest neighbours are new rows */
	CHECK(v < 0.15);
	CHECK(v >= 0.0);
	p.k = 3;
	v = acq_novelty(H, 3000, N, 100, 2, &p, &rng);
	CHECK(v < 0.1);
	free(N);
	free(H);
}

/* new rows in a cluster far from the held rows: every scored row is "new" */
static void
test_shifted_cluster(void)
{
	AcqSplitMix sm = {8};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *H = gauss_rows(&rng, 500, 4, 0.0, 1.0);
	double	   *N = gauss_rows(&rng, 60, 4, 40.0, 1.0);
	double	   *Nnear = gauss_rows(&rng, 60, 4, 3.0, 1.0);
	AcqNoveltyParams p;
	double		v;

	acq_novelty_defaults(&p);
	for (int k = 1; k <= 5; k++)
	{
		p.k = k;
		CHECK(acq_novelty(H, 500, N, 60, 4, &p, &rng) == 1.0);
	}
	/* a nearer cluster (3 sd away): most, not necessarily all, are new */
	p.k = 1;
	v = acq_novelty(H, 500, Nnear, 60, 4, &p, &rng);
	CHECK(v > 0.6 && v <= 1.0);
	free(Nnear);
	free(N);
	free(H);
}

static void
test_determinism(void)
{
	AcqSplitMix sm = {9};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *H = gauss_rows(&rng, 200, 3, 0.0, 1.0);
	double	   *N = gauss_rows(&rng, 80, 3, 0.5, 1.0);
	AcqNoveltyParams p;
	AcqSplitMix a = {1234};
	AcqSplitMix b = {1234};
	AcqRng		ra = {acq_splitmix_next, &a};
	AcqRng		rb = {acq_splitmix_next, &b};
	double		v1,
				v2,
				v3;

	acq_novelty_defaults(&p);
	v1 = acq_novelty(H, 200, N, 80, 3, &p, &ra);
	v2 = acq_novelty(H, 200, N, 80, 3, &p, &rb);
	CHECK(v1 == v2);
	CHECK(a.s == b.s);
	/* the generator moved on: the next call draws other splits, still in [0,1] */
	v3 = acq_novelty(H, 200, N, 80, 3, &p, &ra);
	CHECK(v3 >= 0.0 && v3 <= 1.0);
	CHECK(v1 > 0.0 && v1 < 1.0);
	free(N);
	free(H);
}

/* everything allocated is freed; interrupts polled per held block and split */
static void
test_hooks(void)
{
	AcqSplitMix sm = {10};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *H = gauss_rows(&rng, 100, 2, 0.0, 1.0);
	double	   *N = gauss_rows(&rng, 2100, 2, 0.3, 1.0);
	AcqNoveltyParams p;

	acq_novelty_defaults(&p);
	acq_set_hooks(&counting_hooks);

	/* small path: ceil(600/256) = 3 held blocks (each: one tile of held rows, then the block) + 50 splits */
	n_alloc = n_free = n_interrupts = 0;
	(void) acq_novelty(H, 100, N, 600, 2, &p, &rng);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	CHECK(n_interrupts == 2 * 3 + 50);

	/* no held rows: only the splits */
	n_alloc = n_free = n_interrupts = 0;
	(void) acq_novelty(NULL, 0, N, 600, 2, &p, &rng);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	CHECK(n_interrupts == 50);

	/* large path: ceil(2100/256) = 9 held blocks (a tile, then the block) + 3 splits */
	p.splits = 3;
	n_alloc = n_free = n_interrupts = 0;
	(void) acq_novelty(H, 100, N, 2100, 2, &p, &rng);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	CHECK(n_interrupts == 2 * 9 + 3);

	/* too few rows: nothing allocated */
	n_alloc = n_free = n_interrupts = 0;
	(void) acq_novelty(H, 100, N, 4, 2, &p, &rng);
	CHECK(n_alloc == 0 && n_free == 0);

	acq_set_hooks(NULL);
	free(N);
	free(H);
}

/*
 * The cache of nearest held distances (EA's use): a growing set of new rows
 * measured call after call against one held set gives, at every call, the
 * value and the generator state of an uncached call on the same rows -- in
 * the kept-whole and the per-split (> 2048 rows) paths, for k = 1 and 3, from
 * 4 rows (below min_new: 0, but cached) on; and a cache handed fewer rows or
 * another k starts again.
 */
static void
test_cache(void)
{
	static const int ks[] = {1, 3};
	AcqSplitMix data_sm = {77};
	AcqRng		data = {acq_splitmix_next, &data_sm};
	const int	d = 5;
	const int64_t nh = 400;
	const int64_t steps[] = {4, 9, 60, 61, 300, 2100, 2300};
	double	   *H = gauss_rows(&data, nh, d, 0.0, 1.0);
	double	   *N = gauss_rows(&data, 2300, d, 0.3, 1.0);

	for (int a = 0; a < 2; a++)
	{
		AcqNoveltyParams p;
		AcqNoveltyWork w1,
					w2;
		AcqNoveltyCache c;
		AcqSplitMix s1 = {5 + a};
		AcqSplitMix s2 = {5 + a};
		AcqRng		r1 = {acq_splitmix_next, &s1};
		AcqRng		r2 = {acq_splitmix_next, &s2};
		int			interior = 0;

		memset(&w1, 0, sizeof(w1));
		memset(&w2, 0, sizeof(w2));
		memset(&c, 0, sizeof(c));
		acq_novelty_defaults(&p);
		p.k = ks[a];
		p.splits = 7;
		for (int i = 0; i < 7; i++)
		{
			double		got = acq_novelty_cached(H, NULL, NULL, nh, N, steps[i], d, &p, &r1, &w1, &c);
			double		want = acq_novelty_ws(H, NULL, NULL, nh, N, steps[i], d, &p, &r2, &w2);

			CHECK(got == want);
			CHECK(s1.s == s2.s);
			CHECK(c.n == steps[i]);
			if (got > 0.0 && got < 1.0)
				interior++;
		}
		CHECK(interior >= 4);

		/* fewer rows than cached: a fresh cache (here, other rows) */
		{
			double		got = acq_novelty_cached(H, NULL, NULL, nh, N + 1000 * d, 50, d, &p, &r1, &w1, &c);
			double		want = acq_novelty_ws(H, NULL, NULL, nh, N + 1000 * d, 50, d, &p, &r2, &w2);

			CHECK(got == want && s1.s == s2.s && c.n == 50);
		}
		/* another k: a fresh cache too */
		p.k = ks[a] + 1;
		{
			double		got = acq_novelty_cached(H, NULL, NULL, nh, N + 1000 * d, 80, d, &p, &r1, &w1, &c);
			double		want = acq_novelty_ws(H, NULL, NULL, nh, N + 1000 * d, 80, d, &p, &r2, &w2);

			CHECK(got == want && s1.s == s2.s && c.k == p.k);
		}
		/* no held rows: every new row is novel */
		{
			AcqNoveltyCache c0;

			memset(&c0, 0, sizeof(c0));
			CHECK(acq_novelty_cached(NULL, NULL, NULL, 0, N, 20, d, &p, &r1, &w1, &c0) == 1.0);
			acq_novelty_cache_free(&c0);
		}
		acq_novelty_cache_free(&c);
		CHECK(c.heldk == NULL && c.n == 0);
		acq_novelty_work_free(&w1);
		acq_novelty_work_free(&w2);
	}
	free(N);
	free(H);
}

/*
 * The float screen (k = 1) against its definition: each new row's nearest
 * held distance must equal, exactly, the smallest over every held row of
 * ((-2 x.y + |x|^2) + |y|^2) clamped at 0, x.y summed in double with four
 * running sums (novelty.c's exact_sqdist), whatever the data: Gaussian rows,
 * held rows repeated among the new ones (distance 0), near-duplicates 1e-9
 * apart, a ring of held rows all about equally far, tiny values (1e-18) and
 * large ones (1e12); more held rows than a block (1024) and new rows than a
 * block (256); with the float rows supplied or rounded by the call.  Values
 * whose squares pass 1e30 take the DGEMM path: there the nearest agrees to
 * rounding.
 */
static double
oracle_sqdist(const double *x, const double *y, int d, double xn, double yn)
{
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0,
				v;
	int			l = 0;

	for (; l + 4 <= d; l += 4)
	{
		s0 += x[l] * y[l];
		s1 += x[l + 1] * y[l + 1];
		s2 += x[l + 2] * y[l + 2];
		s3 += x[l + 3] * y[l + 3];
	}
	for (; l < d; l++)
		s0 += x[l] * y[l];
	v = (-2.0 * ((s0 + s1) + (s2 + s3)) + xn) + yn;
	return v > 0.0 ? v : 0.0;
}

static void
screen_case(const char *what, const double *H, int64_t nh, const double *N, int64_t nn, int d,
			bool give_float, bool exact)
{
	AcqNoveltyParams p;
	AcqNoveltyWork w;
	AcqNoveltyCache c;
	AcqSplitMix sm = {3};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *hn = malloc(sizeof(double) * (size_t) nh);
	double	   *xn = malloc(sizeof(double) * (size_t) nn);
	float	   *hf = malloc(sizeof(float) * (size_t) (nh * d));
	int			bad = 0;

	for (int64_t i = 0; i < nh * d; i++)
		hf[i] = (float) H[i];
	acq_row_sqnorms(H, nh, d, hn);
	acq_row_sqnorms(N, nn, d, xn);
	memset(&w, 0, sizeof(w));
	memset(&c, 0, sizeof(c));
	acq_novelty_defaults(&p);
	p.splits = 3;
	(void) acq_novelty_cached(H, give_float ? hf : NULL, NULL, nh, N, nn, d, &p, &rng, &w, &c);
	CHECK(c.n == nn);
	for (int64_t i = 0; i < nn; i++)
	{
		double		best = INFINITY;

		for (int64_t j = 0; j < nh; j++)
		{
			double		v = oracle_sqdist(N + i * d, H + j * d, d, xn[i], hn[j]);

			best = v < best ? v : best;
		}
		if (c.nheld[i] != 1 ||
			(exact ? c.heldk[i] != best : fabs(c.heldk[i] - best) > 1e-9 * (xn[i] + best)))
		{
			if (bad++ < 3)
				fprintf(stderr, "%s:%d: screen %s: row %lld: nearest %.17g, definition %.17g\n",
						__FILE__, __LINE__, what, (long long) i, c.heldk[i], best);
		}
	}
	CHECK(bad == 0);
	acq_novelty_cache_free(&c);
	acq_novelty_work_free(&w);
	free(hf);
	free(xn);
	free(hn);
}

static void
test_screen(void)
{
	AcqSplitMix data_sm = {91};
	AcqRng		data = {acq_splitmix_next, &data_sm};
	const int	d = 37;
	const int64_t nh = 2500,
				nn = 600;
	double	   *H = gauss_rows(&data, nh, d, 0.0, 1.0);
	double	   *N = gauss_rows(&data, nn, d, 0.1, 1.0);
	double	   *S = malloc(sizeof(double) * (size_t) (nh > nn ? nh : nn) * d);
	double	   *T = malloc(sizeof(double) * (size_t) (nh > nn ? nh : nn) * d);

	screen_case("gaussian", H, nh, N, nn, d, true, true);
	screen_case("gaussian, float rows rounded by the call", H, nh, N, nn, d, false, true);
	/* every fifth new row is a held row, every seventh one 1e-9 from one */
	memcpy(S, N, sizeof(double) * nn * d);
	for (int64_t i = 0; i < nn; i += 5)
		memcpy(S + i * d, H + (i * 3 % nh) * d, sizeof(double) * d);
	for (int64_t i = 1; i < nn; i += 7)
		for (int l = 0; l < d; l++)
			S[i * d + l] = H[(i * 11 % nh) * d + l] + (l == i % d ? 1e-9 : 0.0);
	screen_case("duplicates and near-duplicates", H, nh, S, nn, d, true, true);
	/* held rows on a ring around the new ones: all nearly equally far */
	for (int64_t j = 0; j < nh; j++)
		for (int l = 0; l < d; l++)
			T[j * d + l] = (l == 0 ? cos(j * 0.0025) : l == 1 ? sin(j * 0.0025) : 0.0) * 10.0
				+ 1e-7 * gauss(&data);
	for (int64_t i = 0; i < nn * d; i++)
		S[i] = 1e-3 * gauss(&data);
	screen_case("a ring of nearly equidistant held rows", T, nh, S, nn, d, true, true);
	/* tiny and large magnitudes */
	for (int64_t i = 0; i < nh * d; i++)
		T[i] = H[i] * 1e-18;
	for (int64_t i = 0; i < nn * d; i++)
		S[i] = N[i] * 1e-18;
	screen_case("tiny values", T, nh, S, nn, d, true, true);
	for (int64_t i = 0; i < nh * d; i++)
		T[i] = H[i] * 1e12;
	for (int64_t i = 0; i < nn * d; i++)
		S[i] = N[i] * 1e12;
	screen_case("large values", T, nh, S, nn, d, true, true);
	for (int64_t i = 0; i < nh * d; i++)
		T[i] = H[i] * 1e16;
	for (int64_t i = 0; i < nn * d; i++)
		S[i] = N[i] * 1e16;
	screen_case("values past float's range (DGEMM path)", T, nh, S, nn, d, true, false);
	/* one held row, one new row, d = 1 */
	screen_case("one by one", H, 1, N, 1, 1, true, true);
	free(T);
	free(S);
	free(N);
	free(H);
}

/*
 * vecmath.c's minima (both builds) against plain loops: add_min_f's sums
 * and minimum; below_f's indices, ascending, for every
 * length around its 32-value blocks and thresholds below, at and above the
 * values.
 */
float		acq_vec_add_min_f_base(float *b, const float *a, int64_t n);
float		acq_vec_add_min_f_avx2(float *b, const float *a, int64_t n);
int64_t		acq_vec_below_f_base(const float *b, int64_t n, float t, int32_t *idx);
int64_t		acq_vec_below_f_avx2(const float *b, int64_t n, float t, int32_t *idx);

static void
test_vec_minima(void)
{
	bool		avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

	for (int variant = 0; variant < (avx2 ? 2 : 1); variant++)
	{
		float		(*amin) (float *, const float *, int64_t) =
			variant ? acq_vec_add_min_f_avx2 : acq_vec_add_min_f_base;
		int64_t		(*below) (const float *, int64_t, float, int32_t *) =
			variant ? acq_vec_below_f_avx2 : acq_vec_below_f_base;

		for (int64_t n = 1; n <= 100; n++)
		{
			float		b[100],
						a[100],
						want[100];
			int32_t		idx[100];

			for (int64_t i = 0; i < n; i++)
			{
				b[i] = (float) cos(i * 0.9 + n);
				a[i] = (float) (i % 5);
				want[i] = b[i] + a[i];
			}
			{
				float		m = want[0],
							got = amin(b, a, n);

				for (int64_t i = 1; i < n; i++)
					m = fminf(m, want[i]);
				CHECK(got == m);
				for (int64_t i = 0; i < n; i++)
					CHECK(b[i] == want[i]);
			}
			for (int t = 0; t < 4; t++)
			{
				float		thr = t == 0 ? -10.0f : t == 1 ? b[n / 2] : t == 2 ? 1.5f : 10.0f;
				int64_t		c = below(b, n, thr, idx),
							k = 0;

				for (int64_t i = 0; i < n; i++)
					if (b[i] <= thr)
					{
						CHECK(k < c && idx[k] == i);
						k++;
					}
				CHECK(k == c);
			}
		}
	}
}

int
main(void)
{
	RUN(test_against_reference);
	RUN(test_ties);
	RUN(test_large_path);
	RUN(test_few_new_rows);
	RUN(test_no_held_rows);
	RUN(test_same_distribution);
	RUN(test_shifted_cluster);
	RUN(test_determinism);
	RUN(test_hooks);
	RUN(test_cache);
	RUN(test_screen);
	RUN(test_vec_minima);
	return unit_summary("test_novelty");
}
