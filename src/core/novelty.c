/*
 * novelty.c -- predicate utility by a k-NN two-sample classifier (novelty.h).
 *
 * Refitting a k-NN classifier for each of the (default) 50 splits, as the
 * authors' scikit-learn code does, repeats the same distance computations 50
 * times.  Here the distances are computed once:
 *   - for every new row, its k nearest held rows (blocked DGEMM against H);
 *   - the new-against-new distance matrix (one DGEMM).
 * A split then only chooses which new rows are scored (the test part) and
 * which are training points of class 1; each test row's k nearest training
 * points are the merge of its k nearest held rows with its nearest training
 * new rows.  The prediction is "new" when more than k/2 of the k nearest are
 * new rows; a tie in the vote, or equal distances, go to "held" (scikit-learn
 * breaks vote ties towards the smaller class label, 0 = held).
 */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/distance.h"
#include "core/vecmath.h"
#include "core/novelty.h"

/* new-against-new distances are kept whole up to this many new rows */
#define FULL_NN_MAX 2048
/* new rows, and held rows, per DGEMM block of the new-against-held distances */
#define HELD_BLOCK 256
#define HELD_COLS 1024

void
acq_novelty_defaults(AcqNoveltyParams *p)
{
	p->k = 1;
	p->splits = 50;
	p->test_fraction = 0.2;
	p->min_new = 5;
}

/* insert v into the ascending array a[0..*n) of capacity k (keeps the k smallest) */
static inline void
keep_smallest(double *a, int *n, int k, double v)
{
	int			i;

	if (*n == k)
	{
		if (v >= a[k - 1])
			return;
		i = k - 1;
	}
	else
		i = (*n)++;
	while (i > 0 && a[i - 1] > v)
	{
		a[i] = a[i - 1];
		i--;
	}
	a[i] = v;
}

/* a workspace buffer of at least n bytes (kept, and reused, across calls) */
static void *
ws_get(AcqNoveltyWork *w, int slot, size_t n)
{
	if (w->cap[slot] < n)
	{
		size_t		cap = n + n / 2;

		if (w->buf[slot])
			acq_free(w->buf[slot]);
		w->buf[slot] = acq_alloc(cap);
		w->cap[slot] = cap;
	}
	return w->buf[slot];
}

/*
 * The most a novelty workspace holds for nn new rows against nh held ones
 * of d dimensions (ws_get keeps the largest buffers, half again): the new
 * rows as floats, a block of distances in float and double, the norms, the
 * new rows' own distances (nn^2 up to FULL_NN_MAX, else the split's
 * ntest x ntrain and its copies), the short lists and the k nearest.
 */
double
acq_novelty_work_bytes(int64_t nh, int64_t nn, int d, int k)
{
	double		hb = (double) (nh < HELD_COLS ? nh : HELD_COLS);
	double		n = (double) nn;
	double		self = (nn <= FULL_NN_MAX) ? 8.0 * n * n + 8.0 * n :
		8.0 * n * d + 8.0 * (n / 2.0) * (n / 2.0);

	return 1.5 * (4.0 * n * d + 12.0 * (double) nh + 12.0 * HELD_BLOCK * hb + 4.0 * hb + 8.0 * n + self +
				  8.0 * k + 24.0 * n + 8.0 * n * k);
}

void
acq_novelty_work_free(AcqNoveltyWork *w)
{
	for (int i = 0; i < ACQ_NOVELTY_WORK_SLOTS; i++)
	{
		if (w->buf[i])
			acq_free(w->buf[i]);
		w->buf[i] = NULL;
		w->cap[i] = 0;
	}
}

enum
{
	WS_NNORM, WS_D, WS_HN, WS_HELDK, WS_NHELD, WS_DNN, WS_GTEST, WS_GTRAIN, WS_DSPLIT, WS_NEWD, WS_PERM,
	WS_LSTART, WS_LITEMS, WS_STAMP, WS_NF, WS_HF, WS_HNF, WS_DF, WS_CAND, WS_NNN
};

/*
 * A new row's nearest held row, exactly, for a fraction of the DGEMM's cost
 * (k = 1, the default).  The squared distance of new row x to held row y is
 * defined as ((-2 x.y + |x|^2) + |y|^2), clamped at 0, with x.y summed in
 * double in a fixed order (exact_sqdist); the result is the smallest of those
 * over the held rows, as if every one were computed.  A float SGEMM screens
 * the held rows first: s = |y|^2 + fl(-2 x.y) (float, one rounding of the
 * norm and of the sum) is within E = c (|x| + max |y|)^2 of the true squared
 * distance less |x|^2, and the exact value within the double part of c, with
 * c = (d + 8) (2^-24 + 2^-53) 1.01 (the float inputs, the dot products'
 * rounding, gamma_d, in any summation order, and the norms' and sums'
 * roundings), plus an absolute slack for float underflow.  So only a held row
 * with s <= min s + 2E can be the nearest, and only one with s < B - |x|^2 + E
 * can beat an exact distance B found already; those few are computed
 * exactly.  Values too large for float products (|x|^2 > 1e30) take the DGEMM
 * path.
 */
#define SCREEN_MAX_NORM 1e30

static double
exact_sqdist(const double *x, const double *y, int d, double xn, double yn)
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

/* the smallest float >= t (t finite or +inf) */
static float
float_at_least(double t)
{
	float		f;

	if (t >= (double) FLT_MAX)
		return INFINITY;
	f = (float) t;
	if ((double) f < t)
		f = nextafterf(f, INFINITY);
	return f;
}

static bool
screen_applies(const double *hnorm, int64_t nh, const double *nnorm, int64_t nn, double *hmax)
{
	double		m = 0.0;

	for (int64_t j = 0; j < nh; j++)
		m = hnorm[j] > m ? hnorm[j] : m;
	for (int64_t i = 0; i < nn; i++)
		if (nnorm[i] > SCREEN_MAX_NORM)
			return false;
	*hmax = sqrt(m);
	return m <= SCREEN_MAX_NORM;
}

static void
nearest_held_screened(const double *H, const float *Hf, const double *hnorm, int64_t nh,
					  const double *N, const double *nnorm, int64_t nn, int d, double hmax,
					  double *heldk, int *nheld, AcqNoveltyWork *w)
{
	const AcqVecOps *ops = acq_vec_ops();
	int64_t		hb = acq_gemm_cols(HELD_BLOCK, d, nh < HELD_COLS ? nh : HELD_COLS);
	float	   *Nf = ws_get(w, WS_NF, sizeof(float) * (size_t) nn * (size_t) d);
	float	   *hnf = ws_get(w, WS_HNF, sizeof(float) * (size_t) nh);
	float	   *Df = ws_get(w, WS_DF, sizeof(float) * (size_t) HELD_BLOCK * (size_t) hb);
	int32_t    *cand = ws_get(w, WS_CAND, sizeof(int32_t) * (size_t) hb);
	double		c = ((double) d + 8.0) * (0x1p-24 + 0x1p-53) * 1.01;
	double		slack = 1e-30 * (1.0 + (double) d);

	for (int64_t i = 0; i < nn * d; i++)
		Nf[i] = (float) N[i];
	if (Hf == NULL)
	{
		float	   *hf = ws_get(w, WS_HF, sizeof(float) * (size_t) nh * (size_t) d);

		for (int64_t i = 0; i < nh * d; i++)
			hf[i] = (float) H[i];
		Hf = hf;
	}
	for (int64_t j = 0; j < nh; j++)
		hnf[j] = (float) hnorm[j];
	for (int64_t i = 0; i < nn; i++)
		nheld[i] = 0;
	for (int64_t s = 0; s < nn; s += HELD_BLOCK)
	{
		int64_t		m = nn - s < HELD_BLOCK ? nn - s : HELD_BLOCK;

		for (int64_t h = 0; h < nh; h += hb)
		{
			int64_t		cb = nh - h < hb ? nh - h : hb;

			acq_check_interrupts(); /* a block of new rows meets every held one */
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) m, (int) cb, d,
						-2.0f, Nf + s * d, d, Hf + h * d, d, 0.0f, Df, (int) cb);
			for (int64_t i = 0; i < m; i++)
			{
				int64_t		r = s + i;
				float	   *b = Df + i * cb;
				double		xn = nnorm[r];
				double		rx = sqrt(xn);
				double		E = c * (rx + hmax) * (rx + hmax) + slack;
				double		best = nheld[r] ? heldk[r] : INFINITY;
				double		mf = (double) ops->add_min_f(b, hnf + h, cb);
				int64_t		nc;

				if (mf + xn - E >= best)
					continue;	/* nothing here can beat what is found */
				nc = ops->below_f(b, cb, float_at_least(fmin(best - xn + E, mf + 2.0 * E)), cand);
				for (int64_t q = 0; q < nc; q++)
				{
					int64_t		j = h + cand[q];
					double		v = exact_sqdist(N + r * d, H + j * d, d, xn, hnorm[j]);

					best = v < best ? v : best;
				}
				heldk[r] = best;
				nheld[r] = 1;
			}
		}
		acq_check_interrupts();
	}
}

/*
 * For each of the nn new rows, the (up to) k smallest squared distances to
 * held rows, ascending, in heldk[i*k ..]; nheld[i] says how many (min(k,nh)).
 * Blocks of new rows against blocks of held rows keep the distance buffer
 * small (it stays in cache) whatever the held set's size.  hn: the held
 * rows' squared norms, or NULL.
 */
static void
nearest_held(const double *H, const float *Hf, const double *hnorm, int64_t nh,
			 const double *N, int64_t nn, int d, int k, double *heldk, int *nheld,
			 AcqNoveltyWork *w)
{
	double	   *nnorm = ws_get(w, WS_NNORM, sizeof(double) * nn);
	int64_t		hb = acq_gemm_cols(HELD_BLOCK, d, nh < HELD_COLS ? nh : HELD_COLS);
	double	   *D;
	double		hmax;

	if (hnorm == NULL)
	{
		double	   *hn = ws_get(w, WS_HN, sizeof(double) * nh);

		acq_row_sqnorms(H, nh, d, hn);
		hnorm = hn;
	}
	acq_row_sqnorms(N, nn, d, nnorm);
	if (k == 1 && screen_applies(hnorm, nh, nnorm, nn, &hmax))
	{
		nearest_held_screened(H, Hf, hnorm, nh, N, nnorm, nn, d, hmax, heldk, nheld, w);
		return;
	}
	D = ws_get(w, WS_D, sizeof(double) * (size_t) HELD_BLOCK * (size_t) hb);
	for (int64_t s = 0; s < nn; s += HELD_BLOCK)
	{
		int64_t		m = nn - s < HELD_BLOCK ? nn - s : HELD_BLOCK;

		for (int64_t i = 0; i < m; i++)
			nheld[s + i] = 0;
		for (int64_t h = 0; h < nh; h += hb)
		{
			int64_t		c = nh - h < hb ? nh - h : hb;

			acq_check_interrupts(); /* a block of new rows meets every held one */
			acq_sqdist(N + s * d, m, H + h * d, c, d, nnorm + s, hnorm + h, D);
			for (int64_t i = 0; i < m; i++)
			{
				const double *row = D + i * c;
				double	   *best = heldk + (s + i) * k;
				int			nb = nheld[s + i];

				for (int64_t j = 0; j < c; j++)
					keep_smallest(best, &nb, k, row[j]);
				nheld[s + i] = nb;
			}
		}
		acq_check_interrupts();
	}
}

/*
 * Is test row t predicted "new"?  held: its ascending k nearest held
 * distances (nh_t of them); newd: its ascending nearest training-new
 * distances (nn_t of them).  Equal distances count the held row first.
 */
static inline bool
predicted_new(const double *held, int nh_t, const double *newd, int nn_t, int k)
{
	int			i = 0,
				j = 0,
				votes_new = 0,
				taken = 0;

	while (taken < k && (i < nh_t || j < nn_t))
	{
		if (j >= nn_t || (i < nh_t && held[i] <= newd[j]))
			i++;
		else
		{
			j++;
			votes_new++;
		}
		taken++;
	}
	return 2 * votes_new > taken;
}

double
acq_novelty(const double *H, int64_t nh, const double *N, int64_t nn, int d,
			const AcqNoveltyParams *p, AcqRng *rng)
{
	return acq_novelty_normed(H, NULL, nh, N, nn, d, p, rng);
}

double
acq_novelty_normed(const double *H, const double *hnorm, int64_t nh, const double *N,
				   int64_t nn, int d, const AcqNoveltyParams *p, AcqRng *rng)
{
	AcqNoveltyWork w;
	double		u;

	memset(&w, 0, sizeof(w));
	u = acq_novelty_ws(H, NULL, hnorm, nh, N, nn, d, p, rng, &w);
	acq_novelty_work_free(&w);
	return u;
}

/*
 * The splits, given each new row's k nearest held distances (heldk, nheld)
 * and N's squared norms (nnorm; NULL: computed).
 */
static double
novelty_splits(const double *heldk, const int *nheld, const double *N, const double *nnorm,
			   int64_t nn, int d,
			   const AcqNoveltyParams *p, AcqRng *rng, AcqNoveltyWork *w)
{
	int			k = p->k;
	int64_t		ntest,
				ntrain;
	double	   *Dnn = NULL;
	double	   *newd;
	int		   *perm;
	double	   *gtest = NULL,
			   *gtrain = NULL,
			   *Dsplit = NULL;
	int64_t    *lstart = NULL;
	int		   *litems = NULL;
	int		   *stamp = NULL;
	double		total = 0.0;

	ntest = (int64_t) ceil(p->test_fraction * (double) nn - 1e-12);
	if (ntest < 1)
		ntest = 1;
	if (ntest >= nn)
		ntest = nn - 1;
	ntrain = nn - ntest;

	if (nn <= FULL_NN_MAX)
	{
		Dnn = ws_get(w, WS_DNN, sizeof(double) * (size_t) nn * (size_t) nn);
		if (nnorm == NULL)
		{
			double	   *nn_norm = ws_get(w, WS_NNN, sizeof(double) * (size_t) nn);

			acq_row_sqnorms(N, nn, d, nn_norm);
			nnorm = nn_norm;
		}
		acq_sqdist(N, nn, N, nn, d, nnorm, nnorm, Dnn);
	}
	else
	{
		gtest = ws_get(w, WS_GTEST, sizeof(double) * (size_t) ntest * (size_t) d);
		gtrain = ws_get(w, WS_GTRAIN, sizeof(double) * (size_t) ntrain * (size_t) d);
		Dsplit = ws_get(w, WS_DSPLIT, sizeof(double) * (size_t) ntest * (size_t) ntrain);
	}
	newd = ws_get(w, WS_NEWD, sizeof(double) * k);
	perm = ws_get(w, WS_PERM, sizeof(int) * nn);

	/*
	 * k = 1 with the new-against-new distances at hand (the default): a test
	 * row t is predicted new iff some training new row is strictly closer
	 * than its nearest held row (a tie goes to held).  So list, once, the
	 * rows closer to t than that; a split then only asks whether one of them
	 * is in its training part, usually answered by the list's first entry,
	 * instead of scanning every training row.  Same predictions, same draws.
	 */
	if (k == 1 && Dnn)
	{
		int64_t		nitems = 0;

		lstart = ws_get(w, WS_LSTART, sizeof(int64_t) * (size_t) (nn + 1));
		for (int64_t t = 0; t < nn; t++)
		{
			lstart[t] = nitems;
			if (nheld[t] > 0)
			{
				const double *row = Dnn + t * nn;
				double		h = heldk[t];

				for (int64_t j = 0; j < nn; j++)
					nitems += (j != t && row[j] < h);
			}
		}
		lstart[nn] = nitems;
		litems = ws_get(w, WS_LITEMS, sizeof(int) * (size_t) (nitems > 0 ? nitems : 1));
		for (int64_t t = 0; t < nn; t++)
		{
			int64_t		q = lstart[t];

			if (nheld[t] > 0)
			{
				const double *row = Dnn + t * nn;
				double		h = heldk[t];

				for (int64_t j = 0; j < nn; j++)
					if (j != t && row[j] < h)
						litems[q++] = (int) j;
			}
		}
		stamp = ws_get(w, WS_STAMP, sizeof(int) * (size_t) nn);
		memset(stamp, 0, sizeof(int) * (size_t) nn);
	}

	for (int s = 0; s < p->splits; s++)
	{
		int64_t		correct = 0;

		/* a random permutation: the first ntest rows are scored */
		for (int64_t i = 0; i < nn; i++)
			perm[i] = (int) i;
		for (int64_t i = 0; i < ntest; i++)
		{
			int64_t		j = i + (int64_t) acq_rng_below(rng, (uint64_t) (nn - i));
			int			tmp = perm[i];

			perm[i] = perm[j];
			perm[j] = tmp;
		}
		if (litems)
		{
			/* stamp[r] == s + 1: row r is scored (test) in this split */
			for (int64_t i = 0; i < ntest; i++)
				stamp[perm[i]] = s + 1;
			for (int64_t i = 0; i < ntest; i++)
			{
				int			t = perm[i];

				if (nheld[t] == 0)
					correct++;	/* nothing held: the nearest is a training new row */
				else
					for (int64_t q = lstart[t]; q < lstart[t + 1]; q++)
						if (stamp[litems[q]] != s + 1)
						{
							correct++;
							break;
						}
			}
			total += (double) correct / (double) ntest;
			acq_check_interrupts();
			continue;
		}
		if (Dsplit)
		{
			for (int64_t i = 0; i < ntest; i++)
				memcpy(gtest + i * d, N + (int64_t) perm[i] * d, sizeof(double) * d);
			for (int64_t j = 0; j < ntrain; j++)
				memcpy(gtrain + j * d, N + (int64_t) perm[ntest + j] * d, sizeof(double) * d);
			acq_sqdist(gtest, ntest, gtrain, ntrain, d, NULL, NULL, Dsplit);
		}
		for (int64_t i = 0; i < ntest; i++)
		{
			int			t = perm[i];
			int			nb = 0;

			if (Dsplit)
			{
				const double *row = Dsplit + i * ntrain;

				for (int64_t j = 0; j < ntrain; j++)
					keep_smallest(newd, &nb, k, row[j]);
			}
			else
			{
				const double *row = Dnn + (int64_t) t * nn;

				for (int64_t j = ntest; j < nn; j++)
					keep_smallest(newd, &nb, k, row[perm[j]]);
			}
			if (predicted_new(heldk + (int64_t) t * k, nheld[t], newd, nb, k))
				correct++;
		}
		total += (double) correct / (double) ntest;
		acq_check_interrupts();
	}

	return total / (double) p->splits;
}

double
acq_novelty_ws(const double *H, const float *hf, const double *hnorm, int64_t nh,
			   const double *N, int64_t nn, int d, const AcqNoveltyParams *p, AcqRng *rng,
			   AcqNoveltyWork *w)
{
	int			k = p->k;
	double	   *heldk;
	int		   *nheld;

	if (nn < p->min_new || nn < 2)
		return 0.0;
	heldk = ws_get(w, WS_HELDK, sizeof(double) * (size_t) nn * (size_t) k);
	nheld = ws_get(w, WS_NHELD, sizeof(int) * nn);
	if (nh > 0)
		nearest_held(H, hf, hnorm, nh, N, nn, d, k, heldk, nheld, w);
	else
		memset(nheld, 0, sizeof(int) * nn);
	/* nearest_held left N's norms in WS_NNORM */
	return novelty_splits(heldk, nheld, N, nh > 0 ? w->buf[WS_NNORM] : NULL, nn, d, p, rng, w);
}

void
acq_novelty_cache_free(AcqNoveltyCache *c)
{
	acq_free(c->heldk);
	acq_free(c->nheld);
	memset(c, 0, sizeof(*c));
}

double
acq_novelty_cached(const double *H, const float *hf, const double *hnorm, int64_t nh,
				   const double *N, int64_t nn, int d, const AcqNoveltyParams *p,
				   AcqRng *rng, AcqNoveltyWork *w, AcqNoveltyCache *c)
{
	int			k = p->k;

	if (c->n > nn || (c->n > 0 && c->k != k))
		acq_novelty_cache_free(c);	/* not the rows it was filled for: start again */
	if (nn > c->cap)
	{
		int64_t		cap = nn + nn / 2 + 16;
		double	   *heldk = acq_alloc(sizeof(double) * (size_t) cap * (size_t) k);
		int		   *nheld = acq_alloc(sizeof(int) * (size_t) cap);

		if (c->n > 0)
		{
			memcpy(heldk, c->heldk, sizeof(double) * (size_t) c->n * (size_t) k);
			memcpy(nheld, c->nheld, sizeof(int) * (size_t) c->n);
		}
		acq_free(c->heldk);	/* NULL-safe */
		acq_free(c->nheld);
		c->heldk = heldk;
		c->nheld = nheld;
		c->cap = cap;
	}
	c->k = k;
	/* only the rows added since the last call meet the held set */
	if (nn > c->n)
	{
		if (nh > 0)
			nearest_held(H, hf, hnorm, nh, N + c->n * d, nn - c->n, d, k, c->heldk + c->n * k,
						 c->nheld + c->n, w);
		else
			memset(c->nheld + c->n, 0, sizeof(int) * (size_t) (nn - c->n));
		c->n = nn;
	}
	if (nn < p->min_new || nn < 2)
		return 0.0;
	return novelty_splits(c->heldk, c->nheld, N, NULL, nn, d, p, rng, w);
}
