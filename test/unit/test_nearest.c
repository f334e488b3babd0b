/*
 * test_nearest.c -- Mycroft's feature-similarity selection (nearest.h):
 * the streaming top-k against a full sort, the squared distance to the
 * nearest hard row against a naive double loop (with and without the
 * same-label restriction, fed in one call or in chunks), the binning of
 * Algorithms 4-5 against a numpy reference on statlog_shuttle
 * (fixtures/binning_fixture.h, from fixtures/make_binning_fixture.py), and
 * a timing (no assertion) of 1,000,000 x 64 owner rows against 1,000 hard
 * rows, beside numpy doing the same when /usr/bin/python3 has it.  Set
 * ACQ_UNIT_BENCH=1 to run the timing (it is not part of every test run).
 */
#include "core/nearest.h"
#include "unit.h"

#include <string.h>
#include <time.h>

#include "fixtures/binning_fixture.h"

#include "hooks.h"

static double
gauss(AcqRng *rng)
{
	double		u1 = acq_rng_double(rng);
	double		u2 = acq_rng_double(rng);

	return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

static double *
random_rows(AcqRng *rng, int64_t n, int d, bool integer)
{
	double	   *X = malloc(sizeof(double) * n * d);

	for (int64_t i = 0; i < n * d; i++)
		X[i] = integer ? (double) acq_rng_below(rng, 7) : gauss(rng);
	return X;
}

/* ---- top-k ------------------------------------------------------------ */

typedef struct Pair
{
	double		s;
	int64_t		id;
} Pair;

static int
pair_cmp(const void *a, const void *b)
{
	const Pair *x = a,
			   *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* k smallest of n tied-heavy scores with shuffled ids, vs qsort */
static void
check_topk(int64_t n, int64_t k, AcqRng *rng)
{
	Pair	   *all = malloc(sizeof(Pair) * n);
	int		   *perm = malloc(sizeof(int) * n);
	int64_t    *ids = malloc(sizeof(int64_t) * (n + 1));
	double	   *sc = malloc(sizeof(double) * (n + 1));
	AcqTopK    *t = acq_topk_create(k);
	int64_t		m = 0,
				got,
				want;
	bool		same = true;

	for (int i = 0; i < n; i++)
		perm[i] = i;
	acq_rng_shuffle_int(rng, perm, (int) n);
	for (int64_t i = 0; i < n; i++)
	{
		double		s = (double) acq_rng_below(rng, 40);

		if (i % 97 == 5)
			s = NAN;			/* ignored */
		else if (i % 101 == 3)
			s = INFINITY;		/* kept, ranks last */
		acq_topk_push(t, s, perm[i]);
		if (!isnan(s))
		{
			all[m].s = s;
			all[m++].id = perm[i];
		}
	}
	qsort(all, m, sizeof(Pair), pair_cmp);
	want = k < m ? k : m;
	got = acq_topk_result(t, ids, sc);
	CHECK(got == want && acq_topk_count(t) == want);
	for (int64_t i = 0; i < want && i < got; i++)
		same = same && ids[i] == all[i].id && sc[i] == all[i].s;
	CHECK(same);
	/* still usable: a better pair enters, the result stays sorted */
	acq_topk_push(t, -1.0, 123456789);
	got = acq_topk_result(t, ids, sc);
	CHECK(k == 0 || (ids[0] == 123456789 && sc[0] == -1.0));
	for (int64_t i = 1; i < got; i++)
		CHECK(sc[i - 1] < sc[i] || (sc[i - 1] == sc[i] && ids[i - 1] < ids[i]));
	acq_topk_free(t);
	free(all);
	free(perm);
	free(ids);
	free(sc);
}

static void
test_topk(void)
{
	AcqSplitMix sm = {11};
	AcqRng		rng = {acq_splitmix_next, &sm};

	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = 0;
	check_topk(5000, 1, &rng);
	check_topk(5000, 7, &rng);
	check_topk(5000, 100, &rng);
	check_topk(5000, 3000, &rng);	/* storage grows past 1024 */
	check_topk(5000, 6000, &rng);	/* k above n */
	check_topk(100, 0, &rng);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	acq_set_hooks(NULL);
}

/* ---- distances to the nearest hard row --------------------------------- */

/* exact (long double) squared distance, min over hard rows of a label */
static double
naive_min(const double *x, double ylab, const double *Q, const double *hlab,
		  int64_t nh, int d, bool labelled)
{
	long double best = INFINITY;

	for (int64_t j = 0; j < nh; j++)
	{
		long double s = 0.0L;

		if (labelled && !(hlab[j] == ylab))
			continue;
		for (int t = 0; t < d; t++)
		{
			long double diff = (long double) x[t] - Q[j * d + t];

			s += diff * diff;
		}
		if (s < best)
			best = s;
	}
	return (double) best;
}

static void
check_against_naive(const double *X, const double *ylab, int64_t n,
					const double *Q, const double *hlab, int64_t nh, int d,
					const double *got)
{
	int			bad = 0;

	for (int64_t i = 0; i < n; i++)
	{
		double		w = naive_min(X + i * d, ylab ? ylab[i] : 0, Q, hlab, nh, d,
								  ylab != NULL);

		if (isinf(w) ? got[i] != w : !(fabs(got[i] - w) <= 1e-9 * fabs(w)))
		{
			if (bad++ < 5)
				fprintf(stderr, "row %ld: got %.17g, want %.17g\n", (long) i, got[i], w);
		}
	}
	CHECK(bad == 0);
}

/* 3000 owner rows (12 blocks) against 2500 hard rows (two tiles) */
static void
test_min_dist(void)
{
	AcqSplitMix sm = {21};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int64_t		n = 3000,
				nh = 2500;
	int			d = 13;
	double	   *X = random_rows(&rng, n, d, false);
	double	   *Q = random_rows(&rng, nh, d, false);
	double	   *out = malloc(sizeof(double) * n);

	/* shift so that the norm trick has something to cancel */
	for (int64_t i = 0; i < n * d; i++)
		X[i] += 3.0;
	for (int64_t i = 0; i < nh * d; i++)
		Q[i] += 3.0;
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	acq_min_dist_to_hard(X, NULL, n, Q, NULL, nh, d, out);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	/* once per block of 256 owner rows, and before each tile of 2048 hard rows in it */
	CHECK(n_interrupts == (n + 255) / 256 * (1 + (nh + 2047) / 2048));
	acq_set_hooks(NULL);
	check_against_naive(X, NULL, n, Q, NULL, nh, d, out);
	/* a hard row itself is at distance 0 */
	acq_min_dist_to_hard(Q + 17 * d, NULL, 1, Q, NULL, nh, d, out);
	CHECK_CLOSE(out[0], 0.0, 1e-12);
	free(X);
	free(Q);
	free(out);
}

static void
test_same_label(void)
{
	AcqSplitMix sm = {31};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int64_t		n = 1100,
				nh = 700;
	int			d = 5;
	double	   *X = random_rows(&rng, n, d, false);
	double	   *Q = random_rows(&rng, nh, d, false);
	double	   *ylab = malloc(sizeof(double) * n);
	double	   *hlab = malloc(sizeof(double) * nh);
	double	   *out = malloc(sizeof(double) * n);
	double	   *all = malloc(sizeof(double) * n);
	const double hl[4] = {0.0, 1.0, 5.0, NAN};
	const double yl[5] = {0.0, 1.0, 5.0, 3.0, NAN};	/* 3, NaN: no hard row */

	for (int64_t j = 0; j < nh; j++)
		hlab[j] = hl[acq_rng_below(&rng, 4)];
	for (int64_t i = 0; i < n; i++)
		ylab[i] = yl[acq_rng_below(&rng, 5)];
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	acq_min_dist_to_hard(X, ylab, n, Q, hlab, nh, d, out);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	CHECK(n_interrupts >= 3);
	acq_set_hooks(NULL);
	check_against_naive(X, ylab, n, Q, hlab, nh, d, out);
	for (int64_t i = 0; i < n; i++)
		CHECK(isinf(out[i]) == (ylab[i] == 3.0 || isnan(ylab[i])));
	/* labels on one side only: no restriction */
	acq_min_dist_to_hard(X, NULL, n, Q, hlab, nh, d, all);
	check_against_naive(X, NULL, n, Q, NULL, nh, d, all);
	acq_min_dist_to_hard(X, ylab, n, Q, NULL, nh, d, out);
	for (int64_t i = 0; i < n; i++)
		CHECK(out[i] == all[i]);
	free(X);
	free(Q);
	free(ylab);
	free(hlab);
	free(out);
	free(all);
}

/* chunks of 1, 255, 1000 and the rest give the one-shot distances and top-k */
static void
test_chunked(void)
{
	AcqSplitMix sm = {41};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int64_t		n = 4000,
				nh = 300,
				k = 150;
	int			d = 3;			/* 343 distinct rows: many exact hits */
	double	   *X = random_rows(&rng, n, d, true);	/* integers: exact */
	double	   *Q = random_rows(&rng, nh, d, true);
	double	   *ylab = malloc(sizeof(double) * n);
	double	   *hlab = malloc(sizeof(double) * nh);
	double	   *one = malloc(sizeof(double) * n);
	double	   *part = malloc(sizeof(double) * n);
	int64_t		chunks[4] = {1, 255, 1000, 4000 - 1256};
	int64_t		id1[150],
				id2[150];
	double		s1[150],
				s2[150];
	AcqHardSet *h;
	AcqTopK    *t1,
			   *t2;
	int64_t		s = 0;
	bool		same = true;

	for (int64_t i = 0; i < n; i++)
		ylab[i] = (double) acq_rng_below(&rng, 3);
	for (int64_t j = 0; j < nh; j++)
		hlab[j] = (double) acq_rng_below(&rng, 3);
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = 0;
	acq_min_dist_to_hard(X, ylab, n, Q, hlab, nh, d, one);
	t1 = acq_topk_create(k);
	acq_topk_push_array(t1, one, NULL, n, 0);
	h = acq_hardset_create(Q, hlab, nh, d);
	t2 = acq_topk_create(k);
	for (int c = 0; c < 4; c++)
	{
		acq_hardset_min_dist(h, X + s * d, ylab + s, chunks[c], part + s);
		acq_topk_push_array(t2, part + s, NULL, chunks[c], s);
		s += chunks[c];
	}
	CHECK(acq_topk_result(t1, id1, s1) == k);
	CHECK(acq_topk_result(t2, id2, s2) == k);
	for (int64_t i = 0; i < n; i++)
		same = same && one[i] == part[i];
	for (int64_t i = 0; i < k; i++)
		same = same && id1[i] == id2[i] && s1[i] == s2[i];
	CHECK(same);
	/* many zero distances: the ties went to the lowest ids */
	CHECK(s1[k - 1] == 0.0);
	for (int64_t i = 1; i < k; i++)
		CHECK(id1[i - 1] < id1[i]);
	acq_hardset_free(h);
	acq_topk_free(t1);
	acq_topk_free(t2);
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);
	check_against_naive(X, ylab, n, Q, hlab, nh, d, one);
	free(X);
	free(Q);
	free(ylab);
	free(hlab);
	free(one);
	free(part);
}

/* ---- binning ------------------------------------------------------------ */

typedef struct BinConf
{
	int			nf,
				ncand,
				b;
	const int  *features,
			   *candidates,
			   *nbins,
			   *coords;
	const double *edges,
			   *dist,
			   *dist_label,
			   *fw,
			   *fw_label;
} BinConf;

#define CONF(p) {p##NF, p##NCAND, p##B, p##FEATURES, p##CANDIDATES, p##NBINS, \
	p##COORDS, p##EDGES, p##DIST, p##DIST_LABEL, p##FW, p##FW_LABEL}

static const BinConf confs[BF_NCONF] = {CONF(BF0_), CONF(BF1_), CONF(BF2_)};

/* equal, +Inf included */
static int
count_diff(const double *got, const double *want, int n)
{
	int			bad = 0;

	for (int i = 0; i < n; i++)
		if (!(got[i] == want[i]))
		{
			if (bad++ < 3)
				fprintf(stderr, "row %d: got %g, want %g\n", i, got[i], want[i]);
		}
	return bad;
}

static void
check_conf(const BinConf *c)
{
	AcqBinning *b = NULL;
	char		err[256] = "";
	double		out[BF_NO];
	int			codes[16];
	int64_t		e0 = 0;
	int			bad = 0;

	CHECK(acq_binning_fit(BF_HARD, BF_NH, BF_SAMPLE, BF_NS, BF_D, c->features, c->nf,
						  c->candidates, c->ncand, c->b, &b, err, sizeof(err)) == ACQ_OK);
	if (b == NULL)
		return;
	CHECK(acq_binning_nfeatures(b) == c->nf);
	for (int f = 0; f < c->nf; f++)
	{
		const double *e = acq_binning_edges(b, f);

		CHECK(acq_binning_feature(b, f) == c->features[f]);
		CHECK(acq_binning_nbins(b, f) == c->nbins[f]);
		for (int i = 0; i <= c->nbins[f]; i++)
			bad += !(e[i] == c->edges[e0 + i]);		/* bit for bit */
		e0 += c->nbins[f] + 1;
	}
	CHECK(bad == 0);
	for (int i = 0; i < BF_NO; i++)
	{
		acq_binning_coords(b, BF_OWNER + i * BF_D, codes);
		for (int f = 0; f < c->nf; f++)
			bad += codes[f] != c->coords[i * c->nf + f];
	}
	CHECK(bad == 0);
	acq_binning_min_dist(b, BF_OWNER, NULL, BF_NO, BF_HARD, NULL, BF_NH, out);
	CHECK(count_diff(out, c->dist, BF_NO) == 0);
	acq_binning_min_dist(b, BF_OWNER, BF_YLAB, BF_NO, BF_HARD, BF_HLAB, BF_NH, out);
	CHECK(count_diff(out, c->dist_label, BF_NO) == 0);
	acq_binning_min_dist_featurewise(b, BF_OWNER, NULL, BF_NO, BF_HARD, NULL, BF_NH, out);
	CHECK(count_diff(out, c->fw, BF_NO) == 0);
	acq_binning_min_dist_featurewise(b, BF_OWNER, BF_YLAB, BF_NO, BF_HARD, BF_HLAB,
									 BF_NH, out);
	CHECK(count_diff(out, c->fw_label, BF_NO) == 0);
	acq_binning_free(b);
}

static void
test_binning_fixture(void)
{
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	for (int k = 0; k < BF_NCONF; k++)
		check_conf(&confs[k]);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	CHECK(n_interrupts >= 4 * BF_NCONF);
	acq_set_hooks(NULL);
}

/* the paper's min of sums is never below the script's sum of mins */
static void
test_binning_bound(void)
{
	for (int k = 0; k < BF_NCONF; k++)
		for (int i = 0; i < BF_NO; i++)
			CHECK(confs[k].fw[i] <= confs[k].dist[i]);
}

/* scores in chunks, then top-k, equal the one-shot ones */
static void
test_binning_chunked(void)
{
	const BinConf *c = &confs[0];
	AcqBinning *b;
	char		err[256];
	double		part[BF_NO];
	int64_t		ids[40],
				want[40];
	double		sc[40],
				wsc[40];
	AcqTopK    *t = acq_topk_create(40);
	AcqTopK    *tw = acq_topk_create(40);
	int64_t		s = 0,
				step = 37;

	CHECK(acq_binning_fit(BF_HARD, BF_NH, BF_SAMPLE, BF_NS, BF_D, c->features, c->nf,
						  c->candidates, c->ncand, c->b, &b, err, sizeof(err)) == ACQ_OK);
	for (s = 0; s < BF_NO; s += step)
	{
		int64_t		m = BF_NO - s < step ? BF_NO - s : step;

		acq_binning_min_dist(b, BF_OWNER + s * BF_D, BF_YLAB + s, m, BF_HARD, BF_HLAB,
							 BF_NH, part + s);
		acq_topk_push_array(t, part + s, NULL, m, s);
	}
	CHECK(count_diff(part, c->dist_label, BF_NO) == 0);
	acq_topk_push_array(tw, c->dist_label, NULL, BF_NO, 0);
	CHECK(acq_topk_result(t, ids, sc) == 40);
	CHECK(acq_topk_result(tw, want, wsc) == 40);
	CHECK(memcmp(ids, want, sizeof(ids)) == 0);
	acq_topk_free(t);
	acq_topk_free(tw);
	acq_binning_free(b);
}

static void
test_binning_errors(void)
{
	AcqBinning *b = (AcqBinning *) &b;
	char		err[256];
	int			feats[2] = {0, 9};
	int			cands[3] = {5, 10, 10};
	int			good[2] = {5, 10};
	double		hard[BF_D * 2];

	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = 0;
	CHECK(acq_binning_fit(BF_HARD, BF_NH, NULL, 0, BF_D, feats, 2, good, 2, 3, &b,
						  err, sizeof(err)) == ACQ_ERR_ARGUMENT && b == NULL);
	CHECK(strstr(err, "feature 9") != NULL);
	CHECK(acq_binning_fit(BF_HARD, BF_NH, NULL, 0, BF_D, feats, 1, cands, 3, 3, &b,
						  err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(acq_binning_fit(BF_HARD, BF_NH, NULL, 0, BF_D, feats, 1, good, 2, 0, &b,
						  err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(acq_binning_fit(BF_HARD, 0, NULL, 0, BF_D, feats, 1, good, 2, 3, &b,
						  err, sizeof(err)) == ACQ_ERR_EMPTY);
	memcpy(hard, BF_HARD, sizeof(hard));
	hard[BF_D] = NAN;
	CHECK(acq_binning_fit(hard, 2, NULL, 0, BF_D, feats, 1, good, 2, 3, &b,
						  err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(strstr(err, "non-finite") != NULL);
	CHECK(n_alloc == n_free);
	/* a constant column: numpy's [v - 0.5, v + 0.5], one non-empty bin */
	hard[BF_D] = hard[0];
	CHECK(acq_binning_fit(hard, 2, NULL, 0, BF_D, feats, 1, good, 2, 2, &b,
						  err, sizeof(err)) == ACQ_OK);
	CHECK(acq_binning_nbins(b, 0) == 10);
	CHECK(acq_binning_edges(b, 0)[0] == hard[0] - 0.5);
	CHECK(acq_binning_edges(b, 0)[10] == hard[0] + 0.5);
	acq_binning_free(b);
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);
}

static void
test_sample_rows(void)
{
	AcqSplitMix sm = {51};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int64_t		n = 20000;
	double	   *X = random_rows(&rng, n, 2, false);
	double	   *dst = malloc(sizeof(double) * n * 2);
	int64_t		m = acq_sample_rows(&rng, 0.1, X, n, 2, dst);

	CHECK(fabs((double) m - 2000.0) < 4.0 * sqrt(n * 0.1 * 0.9));
	CHECK(acq_sample_rows(&rng, 0.0, X, n, 2, dst) == 0);
	CHECK(acq_sample_rows(&rng, 1.0, X, 10, 2, dst) == 10 && dst[19] == X[19]);
	free(X);
	free(dst);
}

/* ---- timing ------------------------------------------------------------- */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

#define BENCH_PY \
	"import time, numpy as np\n" \
	"rng = np.random.default_rng(1)\n" \
	"X = rng.standard_normal((1000000, 64)); Q = rng.standard_normal((1000, 64))\n" \
	"best = None\n" \
	"for B in (4096, 16384):\n" \
	"    t = time.perf_counter()\n" \
	"    qn = (Q ** 2).sum(1); out = np.empty(len(X))\n" \
	"    for s in range(0, len(X), B):\n" \
	"        Xb = X[s:s + B]\n" \
	"        out[s:s + B] = ((Xb ** 2).sum(1)[:, None] - 2 * Xb @ Q.T + qn).min(1)\n" \
	"    idx = np.argpartition(out, 100)[:100]\n" \
	"    idx = idx[np.lexsort((idx, out[idx]))]\n" \
	"    t = time.perf_counter() - t\n" \
	"    best = t if best is None else min(best, t)\n" \
	"print('%.3f' % best)\n"

static double
bench_numpy(void)
{
	FILE	   *p;
	double		t = -1.0;

	if (system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0)
		return -1.0;
	setenv("OPENBLAS_NUM_THREADS", "1", 1);
	p = popen("/usr/bin/python3 - 2>/dev/null <<'EOF'\n" BENCH_PY "EOF\n", "r");
	if (p == NULL)
		return -1.0;
	if (fscanf(p, "%lf", &t) != 1)
		t = -1.0;
	pclose(p);
	return t;
}

static void
bench(void)
{
	int64_t		n = 1000000,
				nh = 1000,
				k = 100;
	int			d = 64;
	AcqSplitMix sm = {61};
	AcqRng		rng = {acq_splitmix_next, &sm};
	double	   *X,
			   *Q,
			   *out;
	int64_t		ids[100];
	AcqHardSet *h;
	AcqTopK    *t;
	double		t0,
				tc,
				tp;
	const char *run = getenv("ACQ_UNIT_BENCH");

	if (run == NULL || *run == '\0' || strcmp(run, "0") == 0)
		return;
	X = random_rows(&rng, n, d, false);
	Q = random_rows(&rng, nh, d, false);
	out = malloc(sizeof(double) * n);
	t0 = now();
	h = acq_hardset_create(Q, NULL, nh, d);
	t = acq_topk_create(k);
	acq_hardset_min_dist(h, X, NULL, n, out);
	acq_topk_push_array(t, out, NULL, n, 0);
	CHECK(acq_topk_result(t, ids, NULL) == k);
	tc = now() - t0;
	acq_topk_free(t);
	acq_hardset_free(h);
	free(X);
	free(Q);
	free(out);
	tp = bench_numpy();
	printf("mycroft bench: %ld x %d owner rows vs %ld hard rows, top-%ld: acq %.3f s",
		   (long) n, d, (long) nh, (long) k, tc);
	if (tp > 0)
		printf(", numpy (OPENBLAS_NUM_THREADS=1) %.3f s, ratio acq/numpy %.2f\n", tp, tc / tp);
	else
		printf(" (numpy not available)\n");
}

int
main(void)
{
	RUN(test_topk);
	RUN(test_min_dist);
	RUN(test_same_label);
	RUN(test_chunked);
	RUN(test_binning_fixture);
	RUN(test_binning_bound);
	RUN(test_binning_chunked);
	RUN(test_binning_errors);
	RUN(test_sample_rows);
	RUN(bench);
	return unit_summary("test_nearest");
}
