/*
 * nearest.c -- streaming top-k and the squared Euclidean distance of owner
 * rows to their nearest hard row (see nearest.h; Mycroft's Algorithm 2).
 *
 * Layout of the distance computation.  The owner rows come in blocks of
 * MYC_ROW_BLOCK, the hard rows in tiles of MYC_HARD_TILE.  For a block X_b
 * and a tile Q_t one DGEMM gives G = -2 X_b Q_t^T; a single pass over G
 * then takes, per owner row, min_j (G_ij + ||q_j||^2) (the hard norms are
 * computed once, in acq_hardset_create).  ||x_i||^2 does not change the
 * argmin, so it is added to the row's minimum only, not to every entry:
 * apart from the DGEMM, the M x n_h block is read exactly once.  The block
 * (256 x 2048 doubles, 4 MiB at most) stays in cache between the DGEMM and
 * the reduction.
 *
 * With labels, the hard rows are stored grouped by label and the owner rows
 * of a call are ordered by label (a counting sort); the rows of one label
 * are gathered into a contiguous buffer block by block and compared only
 * with their group's hard rows, so no DGEMM work is spent on other labels.
 */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/distance.h"
#include "core/nearest.h"

#ifndef MYC_ROW_BLOCK
#define MYC_ROW_BLOCK 256
#endif
#ifndef MYC_HARD_TILE
#define MYC_HARD_TILE 2048
#endif

/* ======================================================================== */
/* streaming top-k                                                          */
/* ======================================================================== */

typedef struct TopKEntry
{
	double		score;
	int64_t		id;
} TopKEntry;

struct AcqTopK
{
	int64_t		k;				/* capacity asked for */
	int64_t		n;				/* entries held */
	int64_t		cap;			/* entries allocated (grows up to k) */
	TopKEntry  *heap;			/* max-heap: heap[0] is the worst kept */
};

/* a ranks after b: larger score, or equal score and larger id */
static inline bool
topk_after(const TopKEntry *a, const TopKEntry *b)
{
	return a->score > b->score || (a->score == b->score && a->id > b->id);
}

static void
topk_sift_up(TopKEntry *h, int64_t i)
{
	TopKEntry	e = h[i];

	while (i > 0)
	{
		int64_t		p = (i - 1) / 2;

		if (!topk_after(&e, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = e;
}

static void
topk_sift_down(TopKEntry *h, int64_t n, int64_t i)
{
	TopKEntry	e = h[i];

	for (;;)
	{
		int64_t		c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && topk_after(&h[c + 1], &h[c]))
			c++;
		if (!topk_after(&h[c], &e))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = e;
}

AcqTopK *
acq_topk_create(int64_t k)
{
	AcqTopK    *t = acq_alloc(sizeof(AcqTopK));

	t->k = k > 0 ? k : 0;
	t->cap = t->k < 1024 ? t->k : 1024;
	t->heap = acq_alloc_array(t->cap > 0 ? t->cap : 1, sizeof(TopKEntry));
	return t;
}

/* double the storage, up to k entries */
static void
topk_grow(AcqTopK *t)
{
	int64_t		cap = t->cap * 2 < t->k ? t->cap * 2 : t->k;
	TopKEntry  *h = acq_alloc_array(cap, sizeof(TopKEntry));

	memcpy(h, t->heap, sizeof(TopKEntry) * t->n);
	acq_free(t->heap);
	t->heap = h;
	t->cap = cap;
}

void
acq_topk_push(AcqTopK *t, double score, int64_t id)
{
	TopKEntry	e;

	if (isnan(score) || t->k == 0)
		return;
	e.score = score;
	e.id = id;
	if (t->n < t->k)
	{
		if (t->n == t->cap)
			topk_grow(t);
		t->heap[t->n] = e;
		topk_sift_up(t->heap, t->n++);
		return;
	}
	/* full: only a pair ranking before the worst kept one gets in */
	if (score > t->heap[0].score || !topk_after(&t->heap[0], &e))
		return;
	t->heap[0] = e;
	topk_sift_down(t->heap, t->n, 0);
}

void
acq_topk_push_array(AcqTopK *t, const double *scores, const int64_t *ids,
					int64_t n, int64_t id0)
{
	for (int64_t i = 0; i < n; i++)
		acq_topk_push(t, scores[i], ids ? ids[i] : id0 + i);
}

int64_t
acq_topk_count(const AcqTopK *t)
{
	return t->n;
}

/* descending order: the reverse of the result order */
static int
topk_cmp_desc(const void *a, const void *b)
{
	const TopKEntry *x = a;
	const TopKEntry *y = b;

	if (topk_after(x, y))
		return -1;
	if (topk_after(y, x))
		return 1;
	return 0;
}

int64_t
acq_topk_result(AcqTopK *t, int64_t *ids, double *scores)
{
	int64_t		n = t->n;

	/*
	 * Sorted descending, the array is still a valid max-heap (a parent comes
	 * before its children), so the accumulator stays usable.
	 */
	qsort(t->heap, n, sizeof(TopKEntry), topk_cmp_desc);
	for (int64_t i = 0; i < n; i++)
	{
		if (ids)
			ids[i] = t->heap[n - 1 - i].id;
		if (scores)
			scores[i] = t->heap[n - 1 - i].score;
	}
	return n;
}

void
acq_topk_free(AcqTopK *t)
{
	if (t == NULL)
		return;
	acq_free(t->heap);
	acq_free(t);
}

/* ======================================================================== */
/* label groups                                                             */
/* ======================================================================== */

/* a hard row's label and index, sorted by (label, index) */
typedef struct LabelRow
{
	double		label;
	int64_t		row;
} LabelRow;

static int
label_row_cmp(const void *a, const void *b)
{
	const LabelRow *x = a;
	const LabelRow *y = b;

	if (x->label != y->label)
		return x->label < y->label ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

void
acq_label_groups_build(const double *hlab, int64_t nh, AcqLabelGroups *g)
{
	LabelRow   *lr;
	int64_t		m = 0;
	int			ng = 0;

	memset(g, 0, sizeof(*g));
	g->rows = acq_alloc_array(nh > 0 ? nh : 1, sizeof(int64_t));
	if (hlab == NULL)
	{
		g->ngroups = 1;
		g->start = acq_alloc_array(2, sizeof(int64_t));
		for (int64_t i = 0; i < nh; i++)
			g->rows[i] = i;
		g->start[1] = nh;
		return;
	}
	/* rows with a NaN label belong to no group */
	lr = acq_alloc_array(nh > 0 ? nh : 1, sizeof(LabelRow));
	for (int64_t i = 0; i < nh; i++)
		if (!isnan(hlab[i]))
		{
			lr[m].label = hlab[i];
			lr[m++].row = i;
		}
	qsort(lr, m, sizeof(LabelRow), label_row_cmp);
	g->labels = acq_alloc_array(m > 0 ? m : 1, sizeof(double));
	g->start = acq_alloc_array(m + 1, sizeof(int64_t));
	for (int64_t i = 0; i < m; i++)
	{
		g->rows[i] = lr[i].row;
		if (i == 0 || lr[i].label != lr[i - 1].label)
		{
			g->labels[ng] = lr[i].label;
			g->start[ng++] = i;
		}
	}
	g->start[ng] = m;
	g->ngroups = ng;
	acq_free(lr);
}

int
acq_label_groups_find(const AcqLabelGroups *g, double label)
{
	int			lo = 0,
				hi = g->ngroups - 1;

	if (g->labels == NULL)
		return 0;
	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (g->labels[mid] == label)
			return mid;
		if (g->labels[mid] < label)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;					/* also for NaN */
}

void
acq_label_groups_free(AcqLabelGroups *g)
{
	if (g->labels)
		acq_free(g->labels);
	if (g->start)
		acq_free(g->start);
	if (g->rows)
		acq_free(g->rows);
	memset(g, 0, sizeof(*g));
}

/*
 * Owner rows ordered by group (stable counting sort): order[off[g] ..
 * off[g+1]) are the rows of group g; gid[i] is row i's group or -1, and the
 * rows of no group come last, from off[ngroups].  off has ngroups + 2 slots.
 */
static void
group_owner_rows(const AcqLabelGroups *g, const double *ylab, int64_t n,
				 int *gid, int64_t *off, int64_t *order)
{
	int			ng = g->ngroups;
	int64_t    *pos = acq_alloc_array(ng + 1, sizeof(int64_t));

	memset(off, 0, sizeof(int64_t) * (ng + 2));
	for (int64_t i = 0; i < n; i++)
	{
		gid[i] = acq_label_groups_find(g, ylab[i]);
		off[(gid[i] < 0 ? ng : gid[i]) + 1]++;
	}
	for (int k = 0; k <= ng; k++)
		off[k + 1] += off[k];
	memcpy(pos, off, sizeof(int64_t) * (ng + 1));
	for (int64_t i = 0; i < n; i++)
		order[pos[gid[i] < 0 ? ng : gid[i]]++] = i;
	acq_free(pos);
}

/* ======================================================================== */
/* squared Euclidean distance to the nearest hard row                       */
/* ======================================================================== */

struct AcqHardSet
{
	int			d;
	int64_t		nh;
	bool		labelled;
	AcqLabelGroups groups;
	double	   *Q;				/* nh x d: group 0's rows, group 1's, ..., NaN-labelled */
	double	   *qnorm;			/* their squared norms */
	/* scratch for one block of owner rows */
	double	   *G;				/* MYC_ROW_BLOCK x min(nh, MYC_HARD_TILE) */
	double	   *Xbuf;			/* MYC_ROW_BLOCK x d gathered rows */
	double	   *xnorm;			/* MYC_ROW_BLOCK */
	double	   *best;			/* MYC_ROW_BLOCK */
};

AcqHardSet *
acq_hardset_create(const double *Q, const double *hlab, int64_t nh, int d)
{
	AcqHardSet *h = acq_alloc(sizeof(AcqHardSet));
	int64_t		tile = nh < MYC_HARD_TILE ? nh : MYC_HARD_TILE;
	int64_t		m = 0;

	h->d = d;
	h->nh = nh;
	h->labelled = (hlab != NULL);
	acq_label_groups_build(hlab, nh, &h->groups);
	h->Q = acq_alloc_array((size_t) (nh > 0 ? nh : 1) * d, sizeof(double));
	h->qnorm = acq_alloc_array(nh > 0 ? nh : 1, sizeof(double));
	/* grouped rows first, then those of no group (NaN labels) */
	for (int64_t r = 0; r < h->groups.start[h->groups.ngroups]; r++)
		memcpy(h->Q + m++ * d, Q + h->groups.rows[r] * d, sizeof(double) * d);
	for (int64_t i = 0; hlab && i < nh; i++)
		if (isnan(hlab[i]))
			memcpy(h->Q + m++ * d, Q + i * d, sizeof(double) * d);
	acq_row_sqnorms(h->Q, nh, d, h->qnorm);
	h->G = acq_alloc_array((size_t) MYC_ROW_BLOCK * (tile > 0 ? tile : 1), sizeof(double));
	h->Xbuf = acq_alloc_array((size_t) MYC_ROW_BLOCK * d, sizeof(double));
	h->xnorm = acq_alloc_array(MYC_ROW_BLOCK, sizeof(double));
	h->best = acq_alloc_array(MYC_ROW_BLOCK, sizeof(double));
	return h;
}

void
acq_hardset_free(AcqHardSet *h)
{
	if (h == NULL)
		return;
	acq_label_groups_free(&h->groups);
	acq_free(h->Q);
	acq_free(h->qnorm);
	acq_free(h->G);
	acq_free(h->Xbuf);
	acq_free(h->xnorm);
	acq_free(h->best);
	acq_free(h);
}

/*
 * min_j (g[j] + qn[j]) over n entries; a NaN entry never wins (MINPD
 * returns its second operand, the running minimum, when the first is NaN).
 */
static inline double
row_min_plus(const double *g, const double *qn, int64_t n)
{
	double		best = INFINITY;
	int64_t		j = 0;

#ifdef __SSE2__
	__m128d		b0 = _mm_set1_pd(INFINITY),
				b1 = b0,
				b2 = b0,
				b3 = b0;
	double		lanes[2];

	for (; j + 8 <= n; j += 8)
	{
		b0 = _mm_min_pd(_mm_add_pd(_mm_loadu_pd(g + j), _mm_loadu_pd(qn + j)), b0);
		b1 = _mm_min_pd(_mm_add_pd(_mm_loadu_pd(g + j + 2), _mm_loadu_pd(qn + j + 2)), b1);
		b2 = _mm_min_pd(_mm_add_pd(_mm_loadu_pd(g + j + 4), _mm_loadu_pd(qn + j + 4)), b2);
		b3 = _mm_min_pd(_mm_add_pd(_mm_loadu_pd(g + j + 6), _mm_loadu_pd(qn + j + 6)), b3);
	}
	b0 = _mm_min_pd(_mm_min_pd(b0, b1), _mm_min_pd(b2, b3));
	_mm_storeu_pd(lanes, b0);
	best = lanes[0] < lanes[1] ? lanes[0] : lanes[1];
#endif
	for (; j < n; j++)
	{
		double		v = g[j] + qn[j];

		if (v < best)
			best = v;
	}
	return best;
}

/*
 * res[i] = min over hard rows [q0, q0 + nq) of ||Xb_i - q||^2 for the m
 * (<= MYC_ROW_BLOCK) contiguous rows Xb.
 */
static void
hard_block(AcqHardSet *h, const double *Xb, int64_t m, int64_t q0, int64_t nq,
		   double *res)
{
	int			d = h->d;
	int64_t		tile = acq_gemm_cols(MYC_ROW_BLOCK, d, MYC_HARD_TILE);

	acq_row_sqnorms(Xb, m, d, h->xnorm);
	for (int64_t i = 0; i < m; i++)
		h->best[i] = INFINITY;
	for (int64_t t0 = q0; t0 < q0 + nq; t0 += tile)
	{
		int64_t		nt = q0 + nq - t0 < tile ? q0 + nq - t0 : tile;

		/* a block of owner rows meets every hard row: look between tiles */
		acq_check_interrupts();
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) m, (int) nt, d,
					-2.0, Xb, d, h->Q + t0 * d, d, 0.0, h->G, (int) nt);
		for (int64_t i = 0; i < m; i++)
		{
			double		v = row_min_plus(h->G + i * nt, h->qnorm + t0, nt);

			if (v < h->best[i])
				h->best[i] = v;
		}
	}
	for (int64_t i = 0; i < m; i++)
	{
		double		v = h->best[i] + h->xnorm[i];	/* Inf stays Inf, NaN row: NaN */

		res[i] = v > 0.0 || isnan(v) ? v : 0.0;
	}
	acq_check_interrupts();
}

/* every owner row against the hard rows [0, nh): no gathering */
static void
hard_all(AcqHardSet *h, const double *X, int64_t n, int64_t nq, double *out)
{
	for (int64_t s = 0; s < n; s += MYC_ROW_BLOCK)
	{
		int64_t		m = n - s < MYC_ROW_BLOCK ? n - s : MYC_ROW_BLOCK;

		hard_block(h, X + s * h->d, m, 0, nq, out + s);
	}
}

/* owner rows ordered[0 .. cnt) (row indices) against hard rows [q0, q0 + nq) */
static void
hard_gathered(AcqHardSet *h, const double *X, const int64_t *rows, int64_t cnt,
			  int64_t q0, int64_t nq, double *out)
{
	int			d = h->d;
	double		res[MYC_ROW_BLOCK];

	for (int64_t s = 0; s < cnt; s += MYC_ROW_BLOCK)
	{
		int64_t		m = cnt - s < MYC_ROW_BLOCK ? cnt - s : MYC_ROW_BLOCK;

		for (int64_t i = 0; i < m; i++)
			memcpy(h->Xbuf + i * d, X + rows[s + i] * d, sizeof(double) * d);
		hard_block(h, h->Xbuf, m, q0, nq, res);
		for (int64_t i = 0; i < m; i++)
			out[rows[s + i]] = res[i];
	}
}

void
acq_hardset_min_dist(AcqHardSet *h, const double *X, const double *ylab,
					 int64_t n, double *out)
{
	const AcqLabelGroups *g = &h->groups;
	int			ng = g->ngroups;
	int		   *gid;
	int64_t    *off,
			   *order;

	if (n <= 0)
		return;
	if (h->nh <= 0)
	{
		for (int64_t i = 0; i < n; i++)
			out[i] = INFINITY;
		return;
	}
	if (!h->labelled || ylab == NULL)
	{
		hard_all(h, X, n, h->nh, out);
		return;
	}
	gid = acq_alloc_array(n, sizeof(int));
	off = acq_alloc_array(ng + 2, sizeof(int64_t));
	order = acq_alloc_array(n, sizeof(int64_t));
	group_owner_rows(g, ylab, n, gid, off, order);
	for (int k = 0; k < ng; k++)
		hard_gathered(h, X, order + off[k], off[k + 1] - off[k],
					  g->start[k], g->start[k + 1] - g->start[k], out);
	for (int64_t r = off[ng]; r < n; r++)
		out[order[r]] = INFINITY;	/* no hard row has this label */
	acq_free(gid);
	acq_free(off);
	acq_free(order);
}

void
acq_min_dist_to_hard(const double *X, const double *ylab, int64_t n,
					 const double *Q, const double *hlab, int64_t nh, int d,
					 double *out)
{
	AcqHardSet *h = acq_hardset_create(Q, ylab ? hlab : NULL, nh, d);

	acq_hardset_min_dist(h, X, ylab, n, out);
	acq_hardset_free(h);
}
