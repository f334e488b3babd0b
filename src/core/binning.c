/*
 * binning.c -- Mycroft's binned distance (Algorithms 4-5 of the paper; see
 * nearest.h).
 *
 * What the paper says and what the authors' code does, and what we do:
 *
 *  - Bin count per feature.  Algorithm 5 walks the candidate bin counts in
 *    increasing order and takes the first one under which the union of
 *    D_hard and the owner sample fills at least b bins (its line 10 reads
 *    "NumBin <- b", evidently meant as "<- n": b is a count of non-empty
 *    bins, not a bin count); failing all, the largest candidate.  The
 *    authors' script (find_best_binning_for_feature) walks
 *    [200, 100, 50, 20, 10, 5] downwards and keeps the first with at most 6
 *    non-empty bins, over one data set (the owner's, or D_hard's to set a
 *    bin width).  We follow the paper: ascending, ">= b"; with the script's
 *    list the defaults are candidates {5, 10, 20, 50, 100, 200}, b = 6.
 *
 *  - Edges.  Both use numpy.histogram's equal-width bins: n + 1 edges
 *    spaced evenly over [min, max] of the data (a constant column gets
 *    [v - 0.5, v + 0.5]).  The paper takes them over D_hard union a sample
 *    of the owner at rate r; the script over the full owner column, or with
 *    a width from D_hard depending on the ratio of the two ranges.  We take
 *    the paper's union (the caller draws the sample, acq_sample_rows; the
 *    script's behaviour is r = 1).
 *
 *  - Binning coordinates.  The script maps a value with numpy.digitize on
 *    those edges: the number of edges <= the value, 0 .. n + 1, so the
 *    column maximum lands alone in n + 1 (numpy.histogram would put it in
 *    the last bin) and values outside the fitted range get 0 or n + 1.  We
 *    reproduce digitize exactly, NaN included (n + 1).
 *
 *  - GetDistance.  Per feature the script uses |bin(x) - bin(h)|.  It then
 *    sums, over features, each feature's minimum over the hard rows
 *    (get_smallest_binning per column), whereas Algorithms 4 and 2 compute
 *    one distance per (owner row, hard row) pair and take its minimum over
 *    the hard rows.  We follow the paper: min_h sum_f |bin_f(x) - bin_f(h)|,
 *    the L1 distance of the coordinates (acq_binning_min_dist); the
 *    script's aggregation is acq_binning_min_dist_featurewise.  (The script
 *    also passes the files swapped: its "base" is D_hard and its "dhard" the
 *    owner; we score the owner's rows, as the paper intends.)
 *
 *  - Selection.  The script shares every owner row at the minimum distance
 *    ("enola"), or the first k after a random shuffle and a sort
 *    ("enola-sample_k"); with AcqTopK ties go to the lower row id.  It has
 *    no label restriction (all its hard rows are one attack class); ours is
 *    optional.
 *
 * Speed: the coordinates are small ints.  Per call the hard rows are coded,
 * grouped by label and deduplicated (rows with identical coordinates give
 * identical distances), and stored feature-major as int16 in tiles of
 * BIN_TILE; the distances of 32 of them at a time are accumulated over the
 * features in SSE2 registers (eight int16 lanes each; a plain loop of fixed
 * trip count elsewhere); a row stops early at distance 0.  int16 holds every distance because the fit refuses a binning
 * whose sum over features of (bins + 1) -- the largest possible distance --
 * exceeds BIN_MAX_SUM (with 200 bins, that is 163 features).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nearest.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define BIN_TILE 256
#define BIN_MAX_FEATURES ACQ_BINNING_MAX_FEATURES
#define BIN_MAX_SUM 32767		/* sum_f (nbins_f + 1): distances fit int16 */

struct AcqBinning
{
	int			d;
	int			nf;
	int		   *features;		/* nf column indices */
	int		   *nbins;			/* nf bin counts */
	int64_t    *eoff;			/* nf offsets into edges */
	double	   *edges;			/* per feature nbins + 1 edges */
};

/* ---- fitting ------------------------------------------------------------ */

/* numpy.histogram_bin_edges(v, n) for values in [lo, hi]: linspace */
static void
bin_edges(double lo, double hi, int n, double *e)
{
	double		step;

	if (lo == hi)
	{
		lo -= 0.5;
		hi += 0.5;
	}
	step = (hi - lo) / n;
	for (int i = 0; i < n; i++)
		e[i] = (double) i * step + lo;	/* numpy: arange * step + start */
	e[n] = hi;
}

/* the number of edges e[0..ne) that are <= x (numpy.digitize) */
static inline int
edges_upper(const double *e, int ne, double x)
{
	int			lo = 0,
				hi = ne;

	if (isnan(x))
		return ne;
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (e[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* non-empty bins among n (numpy.histogram's: last bin closed) */
static int
count_nonempty(const double *v, int64_t m, const double *e, int n, char *mark)
{
	int			filled = 0;

	memset(mark, 0, (size_t) (n > 0 ? n : 0));
	for (int64_t i = 0; i < m; i++)
	{
		int			b = edges_upper(e, n + 1, v[i]) - 1;

		b = b < 0 ? 0 : (b > n - 1 ? n - 1 : b);
		if (!mark[b])
		{
			mark[b] = 1;
			filled++;
		}
	}
	return filled;
}

static AcqStatus
binning_check(int64_t nh, int64_t ns, int d, const int *features, int nf,
			  const int *candidates, int ncand, int min_bins,
			  char *errbuf, size_t errlen)
{
	if (nh < 1)
	{
		snprintf(errbuf, errlen, "binning needs at least one hard row");
		return ACQ_ERR_EMPTY;
	}
	if (ns < 0 || d < 1 || nf < 1 || nf > BIN_MAX_FEATURES)
	{
		snprintf(errbuf, errlen, "binning bins 1 to %d features, not %d (of %d)",
				 BIN_MAX_FEATURES, nf, d);
		return ACQ_ERR_ARGUMENT;
	}
	if (ncand < 1)
	{
		snprintf(errbuf, errlen, "binning needs at least one candidate bin count");
		return ACQ_ERR_ARGUMENT;
	}
	if (min_bins < 1)
	{
		snprintf(errbuf, errlen, "binning needs min_bins >= 1, not %d", min_bins);
		return ACQ_ERR_ARGUMENT;
	}
	for (int f = 0; f < nf; f++)
		if (features[f] < 0 || features[f] >= d)
		{
			snprintf(errbuf, errlen, "binning feature %d is not a column (0..%d)",
					 features[f], d - 1);
			return ACQ_ERR_ARGUMENT;
		}
	for (int c = 0; c < ncand; c++)
		if (candidates[c] < 1 || candidates[c] > ACQ_BINNING_MAX_BINS ||
			(c > 0 && candidates[c] <= candidates[c - 1]))
		{
			snprintf(errbuf, errlen,
					 "binning candidates must be strictly ascending bin counts in 1..%d",
					 ACQ_BINNING_MAX_BINS);
			return ACQ_ERR_ARGUMENT;
		}
	return ACQ_OK;
}

/*
 * Column col of hard union sample into v; false if a value is not finite.
 */
static bool
union_column(const double *hard, int64_t nh, const double *sample, int64_t ns,
			 int d, int col, double *v, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (int64_t i = 0; i < nh + ns; i++)
	{
		double		x = i < nh ? hard[i * d + col] : sample[(i - nh) * d + col];

		if (!isfinite(x))
			return false;
		v[i] = x;
		*lo = x < *lo ? x : *lo;
		*hi = x > *hi ? x : *hi;
	}
	return true;
}

/* Algorithm 5, lines 6-13: the bin count of one feature */
static int
choose_nbins(const double *v, int64_t m, double lo, double hi,
			 const int *candidates, int ncand, int min_bins, double *e, char *mark)
{
	for (int c = 0; c < ncand; c++)
	{
		bin_edges(lo, hi, candidates[c], e);
		if (count_nonempty(v, m, e, candidates[c], mark) >= min_bins)
			return candidates[c];
	}
	return candidates[ncand - 1];
}

AcqStatus
acq_binning_fit(const double *hard, int64_t nh, const double *sample,
				int64_t ns, int d, const int *features, int nf,
				const int *candidates, int ncand, int min_bins,
				AcqBinning **out, char *errbuf, size_t errlen)
{
	AcqStatus	st;
	AcqBinning *b;
	double	   *v,
			   *e;
	char	   *mark;
	int			maxc;
	int64_t		tot = 0;

	*out = NULL;
	st = binning_check(nh, ns, d, features, nf, candidates, ncand, min_bins,
					   errbuf, errlen);
	if (st != ACQ_OK)
		return st;
	maxc = candidates[ncand - 1];
	b = acq_alloc(sizeof(AcqBinning));
	b->d = d;
	b->nf = nf;
	b->features = acq_alloc_array(nf, sizeof(int));
	b->nbins = acq_alloc_array(nf, sizeof(int));
	b->eoff = acq_alloc_array(nf, sizeof(int64_t));
	b->edges = acq_alloc_array((size_t) nf * (maxc + 1), sizeof(double));
	v = acq_alloc_array(nh + ns, sizeof(double));
	e = acq_alloc_array(maxc + 1, sizeof(double));
	mark = acq_alloc(maxc);
	for (int f = 0; f < nf && st == ACQ_OK; f++)
	{
		double		lo,
					hi;

		if (!union_column(hard, nh, sample, ns, d, features[f], v, &lo, &hi))
		{
			snprintf(errbuf, errlen, "binning feature %d has a non-finite value",
					 features[f]);
			st = ACQ_ERR_ARGUMENT;
			break;
		}
		b->features[f] = features[f];
		b->nbins[f] = choose_nbins(v, nh + ns, lo, hi, candidates, ncand,
								   min_bins, e, mark);
		b->eoff[f] = tot;
		bin_edges(lo, hi, b->nbins[f], b->edges + tot);
		tot += b->nbins[f] + 1;
		acq_check_interrupts();
	}
	if (st == ACQ_OK && tot > BIN_MAX_SUM)
	{
		snprintf(errbuf, errlen,
				 "binning: the sum over features of (bins + 1) is %ld, over %d",
				 (long) tot, BIN_MAX_SUM);
		st = ACQ_ERR_TOO_LARGE;
	}
	acq_free(v);
	acq_free(e);
	acq_free(mark);
	if (st != ACQ_OK)
		acq_binning_free(b);
	else
		*out = b;
	return st;
}

void
acq_binning_free(AcqBinning *b)
{
	if (b == NULL)
		return;
	acq_free(b->features);
	acq_free(b->nbins);
	acq_free(b->eoff);
	acq_free(b->edges);
	acq_free(b);
}

int
acq_binning_nfeatures(const AcqBinning *b)
{
	return b->nf;
}

int
acq_binning_feature(const AcqBinning *b, int f)
{
	return b->features[f];
}

int
acq_binning_nbins(const AcqBinning *b, int f)
{
	return b->nbins[f];
}

const double *
acq_binning_edges(const AcqBinning *b, int f)
{
	return b->edges + b->eoff[f];
}

/*
 * numpy.digitize on equal-width edges: a guess from the width, corrected
 * against the edges themselves (as numpy.histogram does), so the result is
 * exactly the number of edges <= x.
 */
static inline int
digitize_uniform(const double *e, int n, double inv, double x)
{
	int			i;

	if (!(x >= e[0]))
		return isnan(x) ? n + 1 : 0;
	if (x >= e[n])
		return n + 1;
	i = (int) ((x - e[0]) * inv);
	i = i < 0 ? 0 : (i > n - 1 ? n - 1 : i);
	while (i > 0 && x < e[i])
		i--;
	while (i < n - 1 && x >= e[i + 1])
		i++;
	return i + 1;				/* e[i] <= x < e[i + 1] */
}

void
acq_binning_coords(const AcqBinning *b, const double *row, int *codes)
{
	for (int f = 0; f < b->nf; f++)
	{
		const double *e = b->edges + b->eoff[f];
		int			n = b->nbins[f];

		codes[f] = digitize_uniform(e, n, n / (e[n] - e[0]), row[b->features[f]]);
	}
}

int64_t
acq_sample_rows(AcqRng *rng, double r, const double *X, int64_t n, int d,
				double *dst)
{
	int64_t		m = 0;

	for (int64_t i = 0; i < n; i++)
		if (acq_rng_double(rng) < r)
			memcpy(dst + m++ * d, X + i * d, sizeof(double) * d);
	return m;
}

/* ---- the hard rows, coded ------------------------------------------------ */

/* one label group: distinct coordinate vectors, feature-major, padded */
typedef struct BinGroup
{
	int64_t		nu;				/* distinct vectors */
	int64_t		npad;			/* nu rounded up to BIN_TILE */
	int16_t    *H;				/* nf x npad; padding repeats vector 0 */
	int32_t   **near;			/* featurewise: per feature, per code, distance
								 * to the nearest hard code */
} BinGroup;

typedef struct BinHard
{
	AcqLabelGroups groups;
	BinGroup   *g;
} BinHard;

/* a hard row's coordinates, for sorting */
typedef struct CodeRef
{
	const int32_t *c;
	int			nf;
} CodeRef;

static int
code_cmp(const void *a, const void *b)
{
	const CodeRef *x = a;
	const CodeRef *y = b;

	for (int f = 0; f < x->nf; f++)
		if (x->c[f] != y->c[f])
			return x->c[f] < y->c[f] ? -1 : 1;
	return 0;
}

/* the distinct coordinate vectors of rows[0..m) of C (nh x nf), padded */
static void
group_unique(const int32_t *C, int nf, const int64_t *rows, int64_t m, BinGroup *g)
{
	CodeRef    *ref = acq_alloc_array(m, sizeof(CodeRef));
	int64_t		nu = 0;

	for (int64_t i = 0; i < m; i++)
	{
		ref[i].c = C + rows[i] * nf;
		ref[i].nf = nf;
	}
	qsort(ref, m, sizeof(CodeRef), code_cmp);
	for (int64_t i = 0; i < m; i++)
		if (i == 0 || code_cmp(&ref[i], &ref[i - 1]) != 0)
			ref[nu++] = ref[i];
	g->nu = nu;
	g->npad = (nu + BIN_TILE - 1) / BIN_TILE * BIN_TILE;
	g->H = acq_alloc_array((size_t) nf * (g->npad > 0 ? g->npad : 1), sizeof(int16_t));
	for (int f = 0; f < nf; f++)
		for (int64_t u = 0; u < g->npad; u++)
			g->H[f * g->npad + u] = (int16_t) ref[u < nu ? u : 0].c[f];
	acq_free(ref);
}

/*
 * near[c] = min over the group's codes h of |c - h|, c = 0 .. nb + 1: a
 * forward and a backward sweep from the codes present.
 */
static int32_t *
nearest_code_table(const BinGroup *g, int f, int nb)
{
	int			nc = nb + 2;
	int32_t    *t = acq_alloc_array(nc, sizeof(int32_t));
	const int16_t *h = g->H + f * g->npad;
	int32_t		far = INT32_MAX / 2;

	for (int c = 0; c < nc; c++)
		t[c] = far;
	for (int64_t u = 0; u < g->nu; u++)
		t[h[u]] = 0;
	for (int c = 1; c < nc; c++)
		if (t[c - 1] + 1 < t[c])
			t[c] = t[c - 1] + 1;
	for (int c = nc - 2; c >= 0; c--)
		if (t[c + 1] + 1 < t[c])
			t[c] = t[c + 1] + 1;
	return t;
}

static void
bin_hard_build(const AcqBinning *b, const double *hard, const double *hlab,
			   int64_t nh, bool tables, BinHard *bh)
{
	int			nf = b->nf;
	int32_t    *C = acq_alloc_array((size_t) (nh > 0 ? nh : 1) * nf, sizeof(int32_t));
	int		   *codes = acq_alloc_array(nf, sizeof(int));

	for (int64_t i = 0; i < nh; i++)
	{
		acq_binning_coords(b, hard + i * b->d, codes);
		for (int f = 0; f < nf; f++)
			C[i * nf + f] = codes[f];
	}
	acq_label_groups_build(hlab, nh, &bh->groups);
	bh->g = acq_alloc_array(bh->groups.ngroups > 0 ? bh->groups.ngroups : 1,
							sizeof(BinGroup));
	for (int k = 0; k < bh->groups.ngroups; k++)
	{
		BinGroup   *g = &bh->g[k];

		group_unique(C, nf, bh->groups.rows + bh->groups.start[k],
					 bh->groups.start[k + 1] - bh->groups.start[k], g);
		if (!tables)
			continue;
		g->near = acq_alloc_array(nf, sizeof(int32_t *));
		for (int f = 0; f < nf; f++)
			g->near[f] = nearest_code_table(g, f, b->nbins[f]);
	}
	acq_free(codes);
	acq_free(C);
}

static void
bin_hard_free(const AcqBinning *b, BinHard *bh)
{
	for (int k = 0; k < bh->groups.ngroups; k++)
	{
		acq_free(bh->g[k].H);
		if (bh->g[k].near)
		{
			for (int f = 0; f < b->nf; f++)
				acq_free(bh->g[k].near[f]);
			acq_free(bh->g[k].near);
		}
	}
	acq_free(bh->g);
	acq_label_groups_free(&bh->groups);
}

/* ---- distances ---------------------------------------------------------- */

/*
 * min over the group's distinct vectors of sum_f |c_f - H_f|, tile by tile,
 * stopping at 0.  The padding repeats the first vector, so it never changes
 * the minimum.  With SSE2: 32 vectors at a time in four registers of eight
 * int16 lanes, accumulated over the features without touching memory.
 */
#ifdef __SSE2__
static int
group_min_l1(const BinGroup *g, const int *c, int nf)
{
	__m128i		best = _mm_set1_epi16(INT16_MAX);
	int16_t		lanes[8];
	int16_t		m = INT16_MAX;

	for (int64_t u0 = 0; u0 < g->npad && m > 0; u0 += BIN_TILE)
	{
		for (int64_t u = u0; u < u0 + BIN_TILE; u += 32)
		{
			__m128i		a0 = _mm_setzero_si128(),
						a1 = a0,
						a2 = a0,
						a3 = a0;

			for (int f = 0; f < nf; f++)
			{
				const int16_t *h = g->H + f * g->npad + u;
				__m128i		cf = _mm_set1_epi16((int16_t) c[f]);
				__m128i		h0 = _mm_loadu_si128((const __m128i *) h);
				__m128i		h1 = _mm_loadu_si128((const __m128i *) (h + 8));
				__m128i		h2 = _mm_loadu_si128((const __m128i *) (h + 16));
				__m128i		h3 = _mm_loadu_si128((const __m128i *) (h + 24));

				a0 = _mm_add_epi16(a0, _mm_max_epi16(_mm_sub_epi16(h0, cf), _mm_sub_epi16(cf, h0)));
				a1 = _mm_add_epi16(a1, _mm_max_epi16(_mm_sub_epi16(h1, cf), _mm_sub_epi16(cf, h1)));
				a2 = _mm_add_epi16(a2, _mm_max_epi16(_mm_sub_epi16(h2, cf), _mm_sub_epi16(cf, h2)));
				a3 = _mm_add_epi16(a3, _mm_max_epi16(_mm_sub_epi16(h3, cf), _mm_sub_epi16(cf, h3)));
			}
			best = _mm_min_epi16(best, _mm_min_epi16(_mm_min_epi16(a0, a1),
													 _mm_min_epi16(a2, a3)));
		}
		_mm_storeu_si128((__m128i *) lanes, best);
		for (int l = 0; l < 8; l++)
			m = lanes[l] < m ? lanes[l] : m;
	}
	return m;
}
#else
static int
group_min_l1(const BinGroup *g, const int *c, int nf)
{
	int16_t		best = INT16_MAX;
	int16_t		acc[BIN_TILE];

	for (int64_t u0 = 0; u0 < g->npad && best > 0; u0 += BIN_TILE)
	{
		memset(acc, 0, sizeof(acc));
		for (int f = 0; f < nf; f++)
		{
			const int16_t *h = g->H + f * g->npad + u0;
			int16_t		cf = (int16_t) c[f];

			for (int u = 0; u < BIN_TILE; u++)
			{
				int16_t		a = (int16_t) (h[u] - cf);
				int16_t		b = (int16_t) (cf - h[u]);

				acc[u] = (int16_t) (acc[u] + (a > b ? a : b));
			}
		}
		for (int u = 0; u < BIN_TILE; u++)
			best = acc[u] < best ? acc[u] : best;
	}
	return best;
}
#endif

/* the score of one owner row's coordinates against group k */
static double
bin_score(const AcqBinning *b, const BinHard *bh, int k, const int *c,
		  bool featurewise)
{
	const BinGroup *g;
	int32_t		s = 0;

	if (k < 0 || k >= bh->groups.ngroups || bh->g[k].nu == 0)
		return INFINITY;
	g = &bh->g[k];
	if (!featurewise)
		return (double) group_min_l1(g, c, b->nf);
	for (int f = 0; f < b->nf; f++)
		s += g->near[f][c[f]];
	return (double) s;
}

static void
binning_scores(const AcqBinning *b, const double *X, const double *ylab,
			   int64_t n, const double *hard, const double *hlab, int64_t nh,
			   bool featurewise, double *out)
{
	bool		labelled = (ylab != NULL && hlab != NULL);
	int		   *codes = acq_alloc_array(b->nf, sizeof(int));
	BinHard		bh;

	/*
	 * A row's score meets every (distinct) hard row: poll every 1,024 rows,
	 * or more often against many hard rows (about every 5e7 comparisons).
	 */
	double		per_row = (double) (nh > 0 ? nh : 1) * (double) (b->nf > 0 ? b->nf : 1);
	int64_t		stride = per_row >= 5e7 / 1024.0 ?
		(int64_t) fmax(1.0, 5e7 / per_row) : 1024;
	int64_t		since = 0;

	memset(&bh, 0, sizeof(bh));
	bin_hard_build(b, hard, labelled ? hlab : NULL, nh, featurewise, &bh);
	for (int64_t i = 0; i < n; i++)
	{
		int			k = labelled ? acq_label_groups_find(&bh.groups, ylab[i]) : 0;

		acq_binning_coords(b, X + i * b->d, codes);
		out[i] = bin_score(b, &bh, k, codes, featurewise);
		if (++since == stride)
		{
			since = 0;
			acq_check_interrupts();
		}
	}
	acq_check_interrupts();
	bin_hard_free(b, &bh);
	acq_free(codes);
}

void
acq_binning_min_dist(const AcqBinning *b, const double *X, const double *ylab,
					 int64_t n, const double *hard, const double *hlab,
					 int64_t nh, double *out)
{
	binning_scores(b, X, ylab, n, hard, hlab, nh, false, out);
}

void
acq_binning_min_dist_featurewise(const AcqBinning *b, const double *X,
								 const double *ylab, int64_t n,
								 const double *hard, const double *hlab,
								 int64_t nh, double *out)
{
	binning_scores(b, X, ylab, n, hard, hlab, nh, true, out);
}
