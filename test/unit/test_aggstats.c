/*
 * test_aggstats.c -- the statistics acq's aggregates compute (aggstats.h):
 * linear statistics built in any split and order, merged and flattened,
 * equal the statistics of all the rows at once (models.h's AcqLinStats)
 * about any shift, and give the same fit; the logistic terms at K weight
 * vectors equal acq_logreg_source_terms at each, and Newton steps from them
 * reach acq_logreg_fit's optimum.  Frees what it allocates.
 */
#include "core/aggstats.h"
#include "core/select.h"
#include "unit.h"

#include <string.h>

#include "hooks.h"

static uint64_t lcg = 12345;

static double
unif(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double) (lcg >> 11) / 9007199254740992.0;
}

#define N 1500
#define P 4

static double X[N * P];
static double Y[N];
static double YB[N];

static void
make_data(void)
{
	for (int i = 0; i < N; i++)
	{
		double		t = 0.0;

		for (int j = 0; j < P; j++)
		{
			/* large means, small spread: raw sums of squares would cancel */
			X[i * P + j] = 1e4 * (j + 1) + (unif() - 0.5) * (j + 1);
			t += (X[i * P + j] - 1e4 * (j + 1)) * (j - 1.5);
		}
		Y[i] = 3.0 + t + 0.1 * (unif() - 0.5);
		YB[i] = (t + 0.5 * (unif() - 0.5) > 0.0) ? 1.0 : 0.0;
	}
}

/* rows [lo, hi) into a fresh accumulator, row by row */
static AcqLinAcc *
lin_of(int lo, int hi)
{
	AcqLinAcc  *a = acq_linacc_create(P);

	for (int i = lo; i < hi; i++)
		acq_linacc_add_row(a, X + i * P, Y[i]);
	return a;
}

static void
test_linear_merge(void)
{
	double		shift[P];
	double		yshift = 2.5;
	AcqLinStats *direct = acq_linstats_create(P);
	AcqLinStats *viaagg = acq_linstats_create(P);
	AcqLinAcc  *a = lin_of(0, 7);
	AcqLinAcc  *b = lin_of(7, 900);
	AcqLinAcc  *c = lin_of(900, N);
	AcqLinAcc  *e = acq_linacc_create(P);	/* empty: merges as nothing */
	size_t		len = acq_linacc_flat_len(P);
	double	   *flat = malloc(sizeof(double) * len);
	AcqLinAcc  *back;
	double		b1[P + 1],
				b2[P + 1];
	char		err[128];
	int			d = P + 1;

	for (int j = 0; j < P; j++)
		shift[j] = 1e4 * (j + 1) + 0.01;
	acq_linstats_accumulate(direct, X, Y, N, shift, yshift);

	/* c + (a + b) + empty, through the flat form */
	acq_linacc_merge(a, b);
	acq_linacc_merge(c, a);
	acq_linacc_merge(c, e);
	acq_linacc_flatten(c, flat);
	CHECK(flat[0] == P && flat[1] == N);
	back = acq_linacc_unflatten(flat, len, err, sizeof(err));
	CHECK(back != NULL);
	CHECK(acq_linacc_finite(back));
	acq_linacc_to_linstats(back, shift, yshift, viaagg);
	CHECK(viaagg->n == N);
	/* to 1e-10 of the entry's natural scale, sqrt(ztz_jj ztz_kk) (Cauchy-Schwarz) */
	for (int i = 0; i < d * d; i++)
		CHECK_CLOSE(viaagg->ztz[i], direct->ztz[i],
					1e-10 * sqrt(direct->ztz[(i / d) * (d + 1)] * direct->ztz[(i % d) * (d + 1)]));
	for (int i = 0; i < d; i++)
		CHECK_CLOSE(viaagg->zty[i], direct->zty[i], 1e-9 * fmax(1.0, fabs(direct->zty[i])));
	CHECK_REL(viaagg->yty, direct->yty, 1e-10);
	CHECK(acq_linreg_solve(direct, 0.0, b1) == ACQ_OK);
	CHECK(acq_linreg_solve(viaagg, 0.0, b2) == ACQ_OK);
	for (int j = 0; j < d; j++)
		CHECK_REL(b2[j], b1[j], 1e-8);

	/* a wrong flat form is refused */
	CHECK(acq_linacc_unflatten(flat, len - 1, err, sizeof(err)) == NULL);
	flat[0] = P + 1;
	CHECK(acq_linacc_unflatten(flat, len, err, sizeof(err)) == NULL);

	free(flat);
	acq_linacc_free(a);
	acq_linacc_free(b);
	acq_linacc_free(c);
	acq_linacc_free(e);
	acq_linacc_free(back);
	acq_linstats_free(direct);
	acq_linstats_free(viaagg);
}

/* a non-finite statistic is reported */
static void
test_linear_overflow(void)
{
	AcqLinAcc  *a = acq_linacc_create(2);
	double		x[2] = {1e200, 1.0};

	acq_linacc_add_row(a, x, 0.0);
	x[0] = -1e200;
	acq_linacc_add_row(a, x, 1.0);
	acq_linacc_flush(a);
	CHECK(!acq_linacc_finite(a));
	acq_linacc_free(a);
}

static void
test_logistic_terms(void)
{
	int			d = P + 1;
	int			K = 3;
	double		W[3 * (P + 1)];
	AcqLogAcc  *a,
			   *b;
	size_t		len = acq_logacc_flat_len(P, K);
	double	   *flat = malloc(sizeof(double) * len);
	AcqBlock	blk = {X, YB, NULL, N};
	double	   *Xc = malloc(sizeof(double) * N * P);

	/* centred features, as a model would see scaled data */
	for (int i = 0; i < N; i++)
		for (int j = 0; j < P; j++)
			Xc[i * P + j] = X[i * P + j] - 1e4 * (j + 1);
	blk.X = Xc;
	for (int k = 0; k < K; k++)
		for (int j = 0; j < d; j++)
			W[k * d + j] = (k == 0) ? 0.0 : (unif() - 0.5) * k;
	a = acq_logacc_create(P, K, W);
	b = acq_logacc_create(P, K, W);
	for (int i = 0; i < N; i++)
		acq_logacc_add_row(i < 600 ? a : b, Xc + i * P, YB[i]);
	acq_logacc_merge(a, b);
	acq_logacc_flatten(a, flat);
	for (int k = 0; k < K; k++)
	{
		double		H[(P + 1) * (P + 1)] = {0},
					g[P + 1] = {0};
		double		Hr[(P + 1) * (P + 1)] = {0},
					gr[P + 1] = {0};
		double		loss = 0.0,
					n = 0.0,
					lref = 0.0;

		CHECK(acq_logflat_add(flat, len, P, k, &loss, g, H, &n));
		CHECK(n == N);
		acq_logreg_source_terms(&blk, 1, P, 1.0, W + k * d, 1.0, Hr, gr, NULL);
		for (int j = 0; j < d; j++)
		{
			CHECK_CLOSE(g[j], gr[j], 1e-9 * fmax(1.0, fabs(gr[j])));
			for (int l = j; l < d; l++)
				CHECK_CLOSE(H[j * d + l], Hr[j * d + l], 1e-9 * fmax(1.0, fabs(Hr[j * d + l])));
		}
		for (int i = 0; i < N; i++)
		{
			double		z = W[k * d + P];

			for (int j = 0; j < P; j++)
				z += Xc[i * P + j] * W[k * d + j];
			lref += log(1.0 + exp(z)) - YB[i] * z;
		}
		CHECK_REL(loss, lref, 1e-10);
	}
	CHECK(!acq_logflat_add(flat, len, P + 1, 0, NULL, NULL, NULL, NULL));
	CHECK(!acq_logflat_add(flat, len, P, K, NULL, NULL, NULL, NULL));
	acq_logacc_free(a);
	acq_logacc_free(b);

	/* Newton from the terms reaches the fit's optimum */
	{
		double		coef[P + 1] = {0},
					ref[P + 1] = {0};
		double		C = 0.5;
		AcqLogregParams prm;
		int			iters;
		double		gnorm = 1.0;
		int			steps = 0;

		acq_logreg_default_params(&prm);
		prm.C = C;
		prm.tol = 1e-10;
		CHECK(acq_logreg_fit(&blk, 1, P, &prm, ref, &iters) == ACQ_OK);
		while (gnorm > 1e-10 && steps < 50)
		{
			double		H[(P + 1) * (P + 1)] = {0},
						g[P + 1] = {0},
						step[P + 1];
			double		loss = 0.0,
						n = 0.0,
						obj;
			AcqLogAcc  *one = acq_logacc_create(P, 1, coef);
			double	   *f1 = malloc(sizeof(double) * acq_logacc_flat_len(P, 1));

			for (int i = 0; i < N; i++)
				acq_logacc_add_row(one, Xc + i * P, YB[i]);
			acq_logacc_flatten(one, f1);
			CHECK(acq_logflat_add(f1, acq_logacc_flat_len(P, 1), P, 0, &loss, g, H, &n));
			CHECK(acq_logterms_newton(P, C, coef, n, g, H, step, &gnorm, &obj, loss));
			if (gnorm > 1e-10)
				for (int j = 0; j < d; j++)
					coef[j] -= step[j];
			acq_logacc_free(one);
			free(f1);
			steps++;
		}
		CHECK(steps < 50);
		for (int j = 0; j < d; j++)
			CHECK_CLOSE(coef[j], ref[j], 1e-6 * fmax(1.0, fabs(ref[j])));
	}
	free(flat);
	free(Xc);
}

/*
 * The evaluator from statistics alone gives every subset the gain of the
 * evaluator over the rows (4 sources, 1 of them smaller than p + 1 rows is
 * avoided: the row path differs there by design), and the same search.
 */
static void
test_evaluator_from_stats(void)
{
	int			cuts[5] = {0, 300, 700, 1100, 1400};
	AcqBlock	blocks[4];
	AcqBlock	val = {X + 1400 * P, Y + 1400, NULL, N - 1400};
	AcqLinAcc  *accs[4];
	AcqLinAcc  *vacc = acq_linacc_create(P);
	AcqEvalConfig cfg;
	AcqEvaluator *rows,
			   *stats;
	char		err[256];
	AcqSelectParams prm;
	AcqSelectResult r1,
				r2;

	for (int s = 0; s < 4; s++)
	{
		blocks[s].X = X + cuts[s] * P;
		blocks[s].y = Y + cuts[s];
		blocks[s].a = NULL;
		blocks[s].n = cuts[s + 1] - cuts[s];
		/* each source split in two accumulators, merged */
		accs[s] = lin_of(cuts[s], cuts[s] + 5);
		{
			AcqLinAcc  *rest = lin_of(cuts[s] + 5, cuts[s + 1]);

			acq_linacc_merge(accs[s], rest);
			acq_linacc_free(rest);
		}
	}
	for (int i = 1400; i < N; i++)
		acq_linacc_add_row(vacc, X + i * P, Y[i]);
	acq_linacc_flush(vacc);		/* the evaluator reads flushed statistics */
	acq_eval_default_config(&cfg);
	cfg.task = ACQ_TASK_REGRESSION;
	cfg.alpha = 0.1;
	rows = acq_eval_create(4, P, blocks, &val, &cfg, err, sizeof(err));
	stats = acq_eval_create_stats(4, P, accs, vacc, &cfg, err, sizeof(err));
	if (rows == NULL || stats == NULL)
		fprintf(stderr, "%s\n", err);
	CHECK(rows != NULL && stats != NULL);
	for (uint64_t mask = 1; mask < 16; mask++)
	{
		AcqSet		set = acq_set_from_mask(mask);

		CHECK_REL(acq_eval_get(stats, &set)->gain, acq_eval_get(rows, &set)->gain, 1e-9);
		CHECK(acq_eval_get(stats, &set)->n_rows == acq_eval_get(rows, &set)->n_rows);
	}
	acq_select_default_params(&prm, 4);
	CHECK(acq_select_splice(rows, &prm, &r1) == ACQ_OK);
	CHECK(acq_select_splice(stats, &prm, &r2) == ACQ_OK);
	CHECK(acq_set_eq(&r1.best, &r2.best));
	/* classification is not scored from these statistics */
	cfg.task = ACQ_TASK_CLASSIFICATION;
	CHECK(acq_eval_create_stats(4, P, accs, vacc, &cfg, err, sizeof(err)) == NULL);
	acq_eval_free(rows);
	acq_eval_free(stats);
	for (int s = 0; s < 4; s++)
		acq_linacc_free(accs[s]);
	acq_linacc_free(vacc);
}

/* the test's host: every source's logistic terms from its rows, in memory */
typedef struct TermsHost
{
	const AcqBlock *blocks;
	int			m;
	int			calls;
} TermsHost;

static void
host_terms(void *arg, const double *W, int K, double **flat, size_t *len)
{
	TermsHost  *h = (TermsHost *) arg;

	h->calls++;
	for (int s = 0; s < h->m; s++)
	{
		AcqLogAcc  *a = acq_logacc_create(P, K, W);

		for (int64_t i = 0; i < h->blocks[s].n; i++)
			acq_logacc_add_row(a, h->blocks[s].X + i * P, h->blocks[s].y[i]);
		len[s] = acq_logacc_flat_len(P, K);
		flat[s] = acq_alloc_array(len[s], sizeof(double));
		acq_logacc_flatten(a, flat[s]);
		acq_logacc_free(a);
	}
}

/* five classification sources, two with flipped labels, and their terms host */
typedef struct TermsFixture
{
	double	   *Xc;
	double	   *yb;
	AcqBlock	blocks[5];
	AcqBlock	val;
	int64_t		n[5];
	double		pos[5];
	AcqEvalConfig cfg;
	TermsHost	host;
} TermsFixture;

static void
fixture_make(TermsFixture *f)
{
	int			cuts[6] = {0, 200, 500, 800, 1100, 1300};

	f->Xc = malloc(sizeof(double) * N * P);
	f->yb = malloc(sizeof(double) * N);
	for (int i = 0; i < N; i++)
	{
		for (int j = 0; j < P; j++)
			f->Xc[i * P + j] = X[i * P + j] - 1e4 * (j + 1);
		/* sources 2 and 4 have their labels flipped: worth leaving out */
		f->yb[i] = ((i >= 500 && i < 800) || (i >= 1100 && i < 1300)) ? 1.0 - YB[i] : YB[i];
	}
	for (int s = 0; s < 5; s++)
	{
		f->blocks[s].X = f->Xc + cuts[s] * P;
		f->blocks[s].y = f->yb + cuts[s];
		f->blocks[s].a = NULL;
		f->blocks[s].n = cuts[s + 1] - cuts[s];
		f->n[s] = f->blocks[s].n;
		f->pos[s] = 0.0;
		for (int64_t i = 0; i < f->n[s]; i++)
			f->pos[s] += f->blocks[s].y[i];
	}
	f->val.X = f->Xc + 1300 * P;
	f->val.y = YB + 1300;
	f->val.a = NULL;
	f->val.n = N - 1300;
	acq_eval_default_config(&f->cfg);
	f->host.blocks = f->blocks;
	f->host.m = 5;
	f->host.calls = 0;
}

static void
fixture_free(TermsFixture *f)
{
	free(f->Xc);
	free(f->yb);
}

/*
 * The classification evaluator from terms: every subset's accuracy and
 * log-loss as from the rows (the same optimum, to the fit's tolerance), the
 * same SourceSplice result, with fits batched: fewer terms calls than
 * models trained.
 */
static void
test_evaluator_from_terms(void)
{
	TermsFixture f;
	AcqEvaluator *rows,
			   *terms;
	char		err[256];
	AcqSelectParams prm;
	AcqSelectResult r1,
				r2;

	fixture_make(&f);
	rows = acq_eval_create(5, P, f.blocks, &f.val, &f.cfg, err, sizeof(err));
	terms = acq_eval_create_terms(5, P, f.n, f.pos, &f.val, &f.cfg, host_terms, &f.host, err, sizeof(err));
	CHECK(rows != NULL && terms != NULL);
	acq_select_default_params(&prm, 5);
	CHECK(acq_select_splice(rows, &prm, &r1) == ACQ_OK);
	CHECK(acq_select_splice(terms, &prm, &r2) == ACQ_OK);
	CHECK(acq_set_eq(&r1.best, &r2.best));
	CHECK_CLOSE(r2.gain, r1.gain, 1e-9);
	CHECK(!acq_set_has(&r2.best, 2) && !acq_set_has(&r2.best, 4));
	CHECK(acq_eval_models_trained(terms) == acq_eval_models_trained(rows));
	CHECK(acq_eval_round_trips(terms) == f.host.calls);
	for (uint64_t mask = 1; mask < 32; mask++)
	{
		AcqSet		set = acq_set_from_mask(mask);
		const AcqEvalEntry *a = acq_eval_get(rows, &set);
		const AcqEvalEntry *b = acq_eval_get(terms, &set);

		CHECK_CLOSE(b->accuracy, a->accuracy, 1e-12);
		/* the same optimum to the fit's tolerance (gradient 1e-6) */
		CHECK_REL(b->loss, a->loss, 1e-4);
	}
	acq_eval_free(terms);

	/* all 31 subsets fitted together take as many calls as the slowest fit ... */
	{
		AcqSet		all[31];
		int			batched,
					alone;

		for (int i = 0; i < 31; i++)
			all[i] = acq_set_from_mask((uint64_t) i + 1);
		f.host.calls = 0;
		terms = acq_eval_create_terms(5, P, f.n, f.pos, &f.val, &f.cfg, host_terms, &f.host, err, sizeof(err));
		acq_eval_prefetch(terms, all, 31);
		for (int i = 0; i < 31; i++)
			CHECK_CLOSE(acq_eval_get(terms, &all[i])->accuracy, acq_eval_get(rows, &all[i])->accuracy, 1e-12);
		batched = f.host.calls;
		acq_eval_free(terms);
		/* ... one by one, at least one call each */
		f.host.calls = 0;
		terms = acq_eval_create_terms(5, P, f.n, f.pos, &f.val, &f.cfg, host_terms, &f.host, err, sizeof(err));
		for (int i = 0; i < 31; i++)
			(void) acq_eval_get(terms, &all[i]);
		alone = f.host.calls;
		acq_eval_free(terms);
		CHECK(batched < 31 && alone >= 31);
		CHECK(batched <= 20);
		printf("terms calls: 31 subsets batched %d, one by one %d\n", batched, alone);
	}
	acq_eval_free(rows);
	fixture_free(&f);
}

/*
 * Every search method over the terms evaluator: the subset the rows give,
 * the gain to the fit's tolerance, the same models trained, and each step's
 * models fitted together (acq_eval_prefetch): fewer round trips than
 * models, where one model at a time takes at least one each.
 */
static void
test_methods_from_terms(void)
{
	static const char *const names[] = {"grasp", "greedy", "random", "exhaustive", "datamodels"};
	TermsFixture f;
	char		err[256];

	fixture_make(&f);
	for (int meth = 0; meth < 5; meth++)
	{
		AcqEvaluator *rows = acq_eval_create(5, P, f.blocks, &f.val, &f.cfg, err, sizeof(err));
		AcqEvaluator *terms = acq_eval_create_terms(5, P, f.n, f.pos, &f.val, &f.cfg, host_terms,
													&f.host, err, sizeof(err));
		AcqSelectResult res[2];
		int			models,
					batched,
					alone;

		CHECK(rows != NULL && terms != NULL);
		f.host.calls = 0;
		for (int e = 0; e < 2; e++)
		{
			AcqEvaluator *ev = e == 0 ? rows : terms;
			AcqSplitMix sm = {11};
			AcqRng		rng = {acq_splitmix_next, &sm};
			AcqSelectParams prm;
			AcqStatus	st;

			acq_select_default_params(&prm, 5);
			prm.rng = &rng;
			prm.iterations = 3;
			prm.samples = 12;
			st = meth == 0 ? acq_select_grasp(ev, &prm, &res[e])
				: meth == 1 ? acq_select_greedy(ev, &prm, &res[e])
				: meth == 2 ? acq_select_random(ev, &prm, &res[e])
				: meth == 3 ? acq_select_exhaustive(ev, &prm, &res[e])
				: acq_select_datamodels(ev, &prm, &res[e]);
			CHECK(st == ACQ_OK);
		}
		CHECK(acq_set_eq(&res[0].best, &res[1].best));
		CHECK_CLOSE(res[1].gain, res[0].gain, 1e-9);
		models = acq_eval_models_trained(terms);
		CHECK(models == acq_eval_models_trained(rows));
		CHECK(acq_eval_round_trips(terms) == f.host.calls);
		batched = f.host.calls;
		/* the same models one at a time (exhaustive's are not memoised: all 31) */
		{
			AcqEvaluator *one = acq_eval_create_terms(5, P, f.n, f.pos, &f.val, &f.cfg, host_terms,
													  &f.host, err, sizeof(err));
			int			nsets = meth == 3 ? 31 : acq_eval_num_entries(terms);

			f.host.calls = 0;
			for (int i = 0; i < nsets; i++)
			{
				AcqSet		set = meth == 3 ? acq_set_from_mask((uint64_t) i + 1)
					: acq_eval_entry(terms, i)->set;

				(void) acq_eval_get(one, &set);
			}
			alone = f.host.calls;
			acq_eval_free(one);
		}
		/*
		 * GRASP's steps follow one another (each grows the set its last
		 * draw chose) and fit few new candidates each: less than half the
		 * others' calls, still fewer than one at a time
		 */
		CHECK(meth == 0 ? 3 * batched < 2 * alone : 2 * batched < alone);
		printf("  %-10s models %2d: terms calls %3d batched, %3d one at a time\n", names[meth],
			   meth == 3 ? 31 : models, batched, alone);
		acq_eval_free(rows);
		acq_eval_free(terms);
	}
	fixture_free(&f);
}

int
main(void)
{
	make_data();
	acq_set_hooks(&counting_hooks);
	RUN(test_linear_merge);
	RUN(test_linear_overflow);
	RUN(test_logistic_terms);
	RUN(test_evaluator_from_stats);
	RUN(test_evaluator_from_terms);
	RUN(test_methods_from_terms);
	CHECK(n_alloc == n_free);
	CHECK(n_interrupts > 0);
	acq_set_hooks(NULL);
	return unit_summary("test_aggstats");
}
