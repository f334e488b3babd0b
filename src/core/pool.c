/*
 * pool.c -- records for sale by predicate, random draws from the pools, and
 * the vectors novelty compares (pool.h).
 *
 * A pool is built in two passes over the records: one counts what each
 * predicate offers, so that every predicate's list is allocated once at its
 * size, the other fills the lists in record order.  Draws are a partial
 * Fisher-Yates shuffle of a predicate's list, O(records drawn) per query
 * whatever the pool's size; a record drawn through one predicate is skipped
 * when another predicate that offers it (masks overlap) draws it later.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vecmath.h"
#include "core/pool.h"

/* ---- grid cells ----------------------------------------------------------- */

AcqStatus
acq_grid_init(AcqGrid *g, const int *dims, int ndims, int size, int d,
			  char *errbuf, size_t errlen)
{
	for (int k = 0; k < ndims; k++)
		if (dims[k] > d)
		{
			char		msg[128];

			snprintf(msg, sizeof(msg), "grid_dims names dimension %d but the features have %d",
					 dims[k], d);
			acq_set_error(errbuf, errlen, msg);
			return ACQ_ERR_ARGUMENT;
		}
	memset(g, 0, sizeof(*g));
	g->ndims = ndims;
	g->dims = dims;
	g->size = size;
	g->lo = acq_alloc_array(ndims > 0 ? ndims : 1, sizeof(double));
	g->hi = acq_alloc_array(ndims > 0 ? ndims : 1, sizeof(double));
	for (int k = 0; k < ndims; k++)
	{
		g->lo[k] = INFINITY;
		g->hi[k] = -INFINITY;
	}
	return ACQ_OK;
}

void
acq_grid_free(AcqGrid *g)
{
	acq_free(g->lo);
	acq_free(g->hi);
	memset(g, 0, sizeof(*g));
}

void
acq_grid_widen_features(AcqGrid *g, const double *x)
{
	for (int k = 0; k < g->ndims; k++)
	{
		double		v = x[g->dims[k] - 1];

		g->lo[k] = v < g->lo[k] ? v : g->lo[k];
		g->hi[k] = v > g->hi[k] ? v : g->hi[k];
	}
}

void
acq_grid_widen(AcqGrid *g, const double *coords)
{
	/*
	 * A coordinate equal to a bound replaces it, as it did when the
	 * provider's scan widened the ranges by glibc's fmin(lo, c) and fmax(hi,
	 * c), which return c on a tie (x86-64); the comparisons above keep the
	 * bound.  They differ only on 0 against -0, and a grid cell's name shows
	 * the sign.  Written out: the compiler may swap fmin's arguments.
	 */
	for (int k = 0; k < g->ndims; k++)
	{
		double		v = coords[k];

		g->lo[k] = g->lo[k] < v ? g->lo[k] : v;
		g->hi[k] = g->hi[k] > v ? g->hi[k] : v;
	}
}

AcqStatus
acq_grid_cells(const AcqGrid *g, int max, int *ncell, char *errbuf, size_t errlen)
{
	int			n = 1;

	for (int k = 0; k < g->ndims; k++)
	{
		if (n > max / g->size)
		{
			char		msg[128];

			snprintf(msg, sizeof(msg), "the grid would have more than %d cells", max);
			acq_set_error(errbuf, errlen, msg);
			return ACQ_ERR_TOO_LARGE;
		}
		n *= g->size;
	}
	*ncell = n;
	return ACQ_OK;
}

/* the segment of grid dimension k that holds v (clamped to the range) */
static inline int
segment(const AcqGrid *g, int k, double v)
{
	double		width = (g->hi[k] - g->lo[k]) / g->size;
	int			seg = width > 0 ? (int) floor((v - g->lo[k]) / width) : 0;

	if (seg < 0)
		seg = 0;
	if (seg >= g->size)
		seg = g->size - 1;
	return seg;
}

/* as in the authors' code, dimension 1 varies fastest */
int
acq_grid_cell(const AcqGrid *g, const double *coords)
{
	int			cell = 0,
				mult = 1;

	for (int k = 0; k < g->ndims; k++)
	{
		cell += segment(g, k, coords[k]) * mult;
		mult *= g->size;
	}
	return cell;
}

int
acq_grid_features_cell(const AcqGrid *g, const double *x)
{
	int			cell = 0,
				mult = 1;

	for (int k = 0; k < g->ndims; k++)
	{
		cell += segment(g, k, x[g->dims[k] - 1]) * mult;
		mult *= g->size;
	}
	return cell;
}

bool
acq_grid_segment(const AcqGrid *g, int cell, int k, double *lo, double *hi)
{
	int			rest = cell;
	int			seg;
	double		width = (g->hi[k] - g->lo[k]) / g->size;
	bool		last;

	for (int j = 0; j < k; j++)
		rest /= g->size;
	seg = rest % g->size;
	last = seg == g->size - 1;
	*lo = g->lo[k] + seg * width;
	*hi = last ? g->hi[k] : g->lo[k] + (seg + 1) * width;
	return last;
}

/* ---- labels ------------------------------------------------------------- */

int
acq_label_index(const double *values, int n, double v, bool insert)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (values[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (insert)
		return lo;
	return lo < n && values[lo] == v ? lo : -1;
}

/*
 * The distinct values of label[0..n), ascending, in values (room for max);
 * false if there are more than max.  Kept sorted as they come: labels are
 * few, usually, and a run of one label costs one comparison per record.
 */
static bool
distinct_labels(const double *label, int64_t n, int max, double *values, int *nvalues)
{
	int			nv = 0;

	for (int64_t i = 0; i < n; i++)
	{
		double		v = label[i];
		int			at;

		if (i > 0 && v == label[i - 1])
			continue;
		at = acq_label_index(values, nv, v, true);
		if (at < nv && values[at] == v)
			continue;
		if (nv >= max)
			return false;
		memmove(values + at + 1, values + at, sizeof(double) * (nv - at));
		values[at] = v;
		nv++;
	}
	*nvalues = nv;
	return true;
}

/* ---- pools ---------------------------------------------------------------- */

static AcqPool *
pool_new(AcqPoolKind kind, int np, int64_t n)
{
	AcqPool    *pool = acq_alloc(sizeof(AcqPool));

	pool->kind = kind;
	pool->np = np;
	pool->n = n;
	pool->preds = acq_alloc_array(np > 0 ? np : 1, sizeof(AcqPoolPred));
	pool->taken = acq_alloc_array(n > 0 ? n : 1, sizeof(bool));
	if (kind != ACQ_POOL_MASK)
		pool->pred = acq_alloc_array(n > 0 ? n : 1, sizeof(int));
	return pool;
}

/* per predicate, the records it offers, in record order */
static void
fill_pools(AcqPool *pool)
{
	int64_t    *count = acq_alloc_array(pool->np > 0 ? pool->np : 1, sizeof(int64_t));

	for (int64_t i = 0; i < pool->n; i++)
	{
		if (pool->mask)
		{
			for (int p = 0; p < pool->np; p++)
				if (pool->mask[i] & (UINT64_C(1) << p))
					count[p]++;
		}
		else if (pool->pred[i] >= 0)
			count[pool->pred[i]]++;
	}
	for (int p = 0; p < pool->np; p++)
	{
		pool->preds[p].rows = acq_alloc_array(count[p] > 0 ? count[p] : 1, sizeof(int));
		pool->preds[p].available = count[p];
	}
	for (int64_t i = 0; i < pool->n; i++)
	{
		if (pool->mask)
		{
			for (int p = 0; p < pool->np; p++)
				if (pool->mask[i] & (UINT64_C(1) << p))
					pool->preds[p].rows[pool->preds[p].nrows++] = (int) i;
		}
		else if (pool->pred[i] >= 0)
		{
			AcqPoolPred *q = &pool->preds[pool->pred[i]];

			q->rows[q->nrows++] = (int) i;
		}
	}
	acq_free(count);
}

AcqPool *
acq_pool_one(int64_t n)
{
	AcqPool    *pool = pool_new(ACQ_POOL_ONE, 1, n);

	for (int64_t i = 0; i < n; i++)
		pool->pred[i] = 0;
	fill_pools(pool);
	return pool;
}

AcqStatus
acq_pool_by_label(const double *label, int64_t n, const double *given, int ngiven,
				  int max, AcqPool **out, char *errbuf, size_t errlen)
{
	double	   *values;
	int			nvalues;
	AcqPool    *pool;

	*out = NULL;
	if (given)
	{
		for (int i = 1; i < ngiven; i++)
			if (given[i] == given[i - 1])
			{
				char		msg[128];

				snprintf(msg, sizeof(msg), "labels names %g twice", given[i]);
				acq_set_error(errbuf, errlen, msg);
				return ACQ_ERR_ARGUMENT;
			}
		nvalues = ngiven;
		values = acq_alloc_array(nvalues > 0 ? nvalues : 1, sizeof(double));
		memcpy(values, given, sizeof(double) * nvalues);
	}
	else
	{
		values = acq_alloc_array(max > 0 ? max : 1, sizeof(double));
		if (!distinct_labels(label, n, max, values, &nvalues))
		{
			char		msg[128];

			acq_free(values);
			snprintf(msg, sizeof(msg), "the provider has more than %d distinct labels", max);
			acq_set_error(errbuf, errlen, msg);
			return ACQ_ERR_TOO_LARGE;
		}
	}
	pool = pool_new(ACQ_POOL_LABEL, nvalues, n);
	pool->labels = values;
	for (int64_t i = 0; i < n; i++)
		pool->pred[i] = acq_label_index(values, nvalues, label[i], false);
	fill_pools(pool);
	*out = pool;
	return ACQ_OK;
}

AcqStatus
acq_pool_by_grid(const AcqGrid *g, const double *coords, int64_t n, int max,
				 AcqPool **out, char *errbuf, size_t errlen)
{
	int			ncell;
	AcqStatus	st;
	AcqPool    *pool;

	*out = NULL;
	st = acq_grid_cells(g, max, &ncell, errbuf, errlen);
	if (st != ACQ_OK)
		return st;
	pool = pool_new(ACQ_POOL_GRID, ncell, n);
	pool->grid = g;
	for (int64_t i = 0; i < n; i++)
		pool->pred[i] = acq_grid_cell(g, coords + i * g->ndims);
	fill_pools(pool);
	*out = pool;
	return ACQ_OK;
}

AcqPool *
acq_pool_by_mask(const uint64_t *mask, int64_t n, int np)
{
	AcqPool    *pool = pool_new(ACQ_POOL_MASK, np, n);

	pool->mask = mask;
	fill_pools(pool);
	return pool;
}

void
acq_pool_free(AcqPool *pool)
{
	if (pool == NULL)
		return;
	for (int p = 0; p < pool->np; p++)
		acq_free(pool->preds[p].rows);
	acq_free(pool->preds);
	acq_free(pool->labels);
	acq_free(pool->pred);
	acq_free(pool->taken);
	acq_free(pool);
}

int64_t
acq_pool_offered(const AcqPool *pool)
{
	int64_t		total = 0;

	for (int64_t i = 0; i < pool->n; i++)
		if (pool->mask ? pool->mask[i] != 0 : pool->pred[i] >= 0)
			total++;
	return total;
}

int
acq_pool_preds_of(const AcqPool *pool, const double *x, double y, uint64_t mask, int *out)
{
	int			n = 0;
	int			p;

	switch (pool->kind)
	{
		case ACQ_POOL_ONE:
			out[n++] = 0;
			break;
		case ACQ_POOL_LABEL:
			p = acq_label_index(pool->labels, pool->np, y, false);
			if (p >= 0)
				out[n++] = p;
			break;
		case ACQ_POOL_GRID:
			out[n++] = acq_grid_features_cell(pool->grid, x);
			break;
		case ACQ_POOL_MASK:
			for (p = 0; p < pool->np; p++)
				if (mask & (UINT64_C(1) << p))
					out[n++] = p;
			break;
	}
	return n;
}

int
acq_pool_draw(AcqPool *pool, int p, int want, AcqRng *rng, int *out)
{
	AcqPoolPred *q = &pool->preds[p];
	int			got = 0;

	while (got < want && q->drawn < q->nrows)
	{
		int64_t		j = q->drawn + (int64_t) acq_rng_below(rng, (uint64_t) (q->nrows - q->drawn));
		int			r = q->rows[j];

		q->rows[j] = q->rows[q->drawn];
		q->rows[q->drawn] = r;
		q->drawn++;
		if (pool->taken[r])
			continue;			/* taken through an overlapping predicate */
		out[got++] = r;
	}
	return got;
}

void
acq_pool_take(AcqPool *pool, int64_t r)
{
	if (pool->taken[r])
		return;
	pool->taken[r] = true;
	if (pool->mask)
	{
		for (int p = 0; p < pool->np; p++)
			if (pool->mask[r] & (UINT64_C(1) << p))
				pool->preds[p].available--;
	}
	else if (pool->pred[r] >= 0)
		pool->preds[pool->pred[r]].available--;
}

/* ---- novelty vectors ------------------------------------------------------- */

void
acq_scaling_init(AcqScaling *s, int d, bool label, bool scale)
{
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->label = label;
	s->scale = scale;
	s->lo = acq_alloc_array((size_t) d + 1, sizeof(double));
	s->hi = acq_alloc_array((size_t) d + 1, sizeof(double));
	for (int j = 0; j <= d; j++)
	{
		s->lo[j] = INFINITY;
		s->hi[j] = -INFINITY;
	}
}

void
acq_scaling_free(AcqScaling *s)
{
	acq_free(s->lo);
	acq_free(s->hi);
	memset(s, 0, sizeof(*s));
}

void
acq_scaling_widen(AcqScaling *s, const double *x, double y)
{
	/* only scaling reads the ranges; values are finite: plain comparisons, vectorised */
	if (!s->scale)
		return;
	acq_vec_ops()->minmax_update(x, s->d, s->lo, s->hi);
	s->lo[s->d] = y < s->lo[s->d] ? y : s->lo[s->d];
	s->hi[s->d] = y > s->hi[s->d] ? y : s->hi[s->d];
}

void
acq_scaling_vector(const AcqScaling *s, const double *x, double y, double *out)
{
	int			nd = s->d + (s->label ? 1 : 0);

	for (int j = 0; j < s->d; j++)
		out[j] = x[j];
	if (s->label)
		out[s->d] = y;
	if (s->scale)
		for (int j = 0; j < nd; j++)
		{
			double		w = s->hi[j] - s->lo[j];

			/* no held record (no range) leaves a dimension unscaled; a constant one is shifted */
			if (isfinite(w) && w > 0)
				out[j] = (out[j] - s->lo[j]) / w;
			else if (isfinite(s->lo[j]))
				out[j] -= s->lo[j];
		}
}

/* a vector's id and its row */
typedef struct IdRow
{
	int64_t		id;
	int64_t		row;
} IdRow;

static int
cmp_id_row(const void *a, const void *b)
{
	int64_t		x = ((const IdRow *) a)->id,
				y = ((const IdRow *) b)->id;

	return x < y ? -1 : x > y;
}

void
acq_pool_sort_batch(double *x, double *nrm, int64_t *ids, int64_t n, int d)
{
	bool		in_order = true;
	IdRow	   *keys;
	double	   *xs,
			   *ns;

	for (int64_t i = 1; i < n && in_order; i++)
		in_order = ids[i - 1] < ids[i];
	if (in_order)
		return;
	keys = acq_alloc_array(n, sizeof(IdRow));
	for (int64_t i = 0; i < n; i++)
	{
		keys[i].id = ids[i];
		keys[i].row = i;
	}
	qsort(keys, n, sizeof(IdRow), cmp_id_row);
	xs = acq_alloc_array((size_t) n * d, sizeof(double));
	ns = acq_alloc_array(n, sizeof(double));
	for (int64_t i = 0; i < n; i++)
	{
		memcpy(xs + i * d, x + keys[i].row * d, sizeof(double) * d);
		ns[i] = nrm[keys[i].row];
		ids[i] = keys[i].id;
	}
	memcpy(x, xs, sizeof(double) * n * d);
	memcpy(nrm, ns, sizeof(double) * n);
	acq_free(ns);
	acq_free(xs);
	acq_free(keys);
}
