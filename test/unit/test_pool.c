/*
 * test_pool.c -- the records for sale by predicate (pool.h).
 *
 * Grid cells: the dimension check, the cell count and its limit, cells at
 * and past the edges of the range (the first and the last segment take what
 * falls outside, a segment is closed below and open above, the last one
 * closed), a range of width 0, dimension 1 varying fastest, the segments
 * naming each cell and agreeing with the cells points fall in, and how the
 * ranges widen (0 against -0: a held record's features keep the bound, a
 * provider's coordinates replace it).  Labels: bisection, the distinct labels of the rows, the
 * labels asked for, and their errors.  Pools of each kind (one predicate,
 * labels, grid cells, overlapping masks): what each predicate offers, in row
 * order; the predicates a held record counts for.  Draws: against a
 * reference partial Fisher-Yates over the same generator (the same records
 * and the same generator state), fixed records for a fixed seed, draws
 * without replacement that end with the pool, records taken through an
 * overlapping predicate skipped and counted out once.  The vectors novelty
 * compares, and a batch sorted by id.  Every test frees all it allocates
 * (counting hooks); nothing here polls for interrupts.
 */
#include "core/pool.h"
#include "unit.h"

#include <stdint.h>
#include <string.h>

#include "hooks.h"

static AcqRng
rng_of(AcqSplitMix *sm)
{
	AcqRng		r = {acq_splitmix_next, sm};

	return r;
}

/* every allocation of the test freed; counters reset */
static void
check_balanced(void)
{
	CHECK(n_alloc == n_free);
	CHECK(n_interrupts == 0);
	n_alloc = n_free = n_interrupts = 0;
}

/* pool p offers exactly rows want[0..n), in that order */
static bool
offers(const AcqPool *pool, int p, const int *want, int n)
{
	const AcqPoolPred *q = &pool->preds[p];

	if (q->nrows != n || q->available != n || q->drawn != 0)
		return false;
	for (int i = 0; i < n; i++)
		if (q->rows[i] != want[i])
			return false;
	return true;
}

/* ---- grid cells ----------------------------------------------------------- */

static void
test_grid_init(void)
{
	AcqGrid		g;
	int			dims[3] = {2, 5, 1};
	char		err[128] = "";

	/* a dimension past the features' */
	CHECK(acq_grid_init(&g, dims, 3, 4, 4, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(strcmp(err, "grid_dims names dimension 5 but the features have 4") == 0);
	CHECK(n_alloc == 0);
	/* no error buffer: the status alone */
	CHECK(acq_grid_init(&g, dims, 3, 4, 4, NULL, 0) == ACQ_ERR_ARGUMENT);

	CHECK(acq_grid_init(&g, dims, 3, 4, 5, err, sizeof(err)) == ACQ_OK);
	CHECK(g.ndims == 3 && g.dims == dims && g.size == 4);
	for (int k = 0; k < 3; k++)
		CHECK(g.lo[k] == INFINITY && g.hi[k] == -INFINITY);
	acq_grid_free(&g);
	CHECK(g.lo == NULL && g.hi == NULL && g.ndims == 0);
	check_balanced();
}

static void
test_grid_cells(void)
{
	AcqGrid		g;
	int			dims[3] = {1, 2, 3};
	int			ncell = -1;
	char		err[128] = "";

	CHECK(acq_grid_init(&g, dims, 2, 64, 3, err, sizeof(err)) == ACQ_OK);
	CHECK(acq_grid_cells(&g, 4096, &ncell, err, sizeof(err)) == ACQ_OK && ncell == 4096);
	CHECK(acq_grid_cells(&g, 4095, &ncell, err, sizeof(err)) == ACQ_ERR_TOO_LARGE);
	CHECK(strcmp(err, "the grid would have more than 4095 cells") == 0);
	acq_grid_free(&g);

	CHECK(acq_grid_init(&g, dims, 3, 64, 3, err, sizeof(err)) == ACQ_OK);
	CHECK(acq_grid_cells(&g, 4096, &ncell, err, sizeof(err)) == ACQ_ERR_TOO_LARGE);
	CHECK(strcmp(err, "the grid would have more than 4096 cells") == 0);
	acq_grid_free(&g);

	CHECK(acq_grid_init(&g, dims, 3, 16, 3, err, sizeof(err)) == ACQ_OK);
	CHECK(acq_grid_cells(&g, 4096, &ncell, err, sizeof(err)) == ACQ_OK && ncell == 4096);
	acq_grid_free(&g);

	/* one segment per dimension: one cell however many dimensions */
	CHECK(acq_grid_init(&g, dims, 3, 1, 3, err, sizeof(err)) == ACQ_OK);
	CHECK(acq_grid_cells(&g, 1, &ncell, err, sizeof(err)) == ACQ_OK && ncell == 1);
	acq_grid_free(&g);
	check_balanced();
}

static void
test_grid_cell_edges(void)
{
	AcqGrid		g;
	int			dims[1] = {1};
	double		c;

	CHECK(acq_grid_init(&g, dims, 1, 4, 1, NULL, 0) == ACQ_OK);
	c = 0.0;
	acq_grid_widen(&g, &c);
	c = 4.0;
	acq_grid_widen(&g, &c);
	CHECK(g.lo[0] == 0.0 && g.hi[0] == 4.0);

	/* [0,1) [1,2) [2,3) [3,4]: closed below, open above; the last closed */
	c = 0.0;
	CHECK(acq_grid_cell(&g, &c) == 0);
	c = 0.999999;
	CHECK(acq_grid_cell(&g, &c) == 0);
	c = 1.0;
	CHECK(acq_grid_cell(&g, &c) == 1);
	c = 2.5;
	CHECK(acq_grid_cell(&g, &c) == 2);
	c = 3.0;
	CHECK(acq_grid_cell(&g, &c) == 3);
	c = 4.0;
	CHECK(acq_grid_cell(&g, &c) == 3);
	/* outside the range: the nearest segment */
	c = -100.0;
	CHECK(acq_grid_cell(&g, &c) == 0);
	c = 4.5;
	CHECK(acq_grid_cell(&g, &c) == 3);
	c = 100.0;
	CHECK(acq_grid_cell(&g, &c) == 3);

	/* a range of width 0 (one value), or none yet: everything in segment 0 */
	g.lo[0] = g.hi[0] = 2.0;
	c = 2.0;
	CHECK(acq_grid_cell(&g, &c) == 0);
	c = 7.0;
	CHECK(acq_grid_cell(&g, &c) == 0);
	g.lo[0] = INFINITY;
	g.hi[0] = -INFINITY;
	CHECK(acq_grid_cell(&g, &c) == 0);
	acq_grid_free(&g);

	/* one segment: one cell */
	CHECK(acq_grid_init(&g, dims, 1, 1, 1, NULL, 0) == ACQ_OK);
	g.lo[0] = -1.0;
	g.hi[0] = 1.0;
	c = -1.0;
	CHECK(acq_grid_cell(&g, &c) == 0);
	c = 1.0;
	CHECK(acq_grid_cell(&g, &c) == 0);
	acq_grid_free(&g);
	check_balanced();
}

/* two dimensions: the first varies fastest; features picked by dims */
static void
test_grid_cell_dims(void)
{
	AcqGrid		g;
	int			dims[2] = {3, 1};	/* x[3] first, then x[1] */
	double		c[2];
	double		x[3];

	CHECK(acq_grid_init(&g, dims, 2, 3, 3, NULL, 0) == ACQ_OK);
	/* x[3] over [0, 3], x[1] over [10, 13] */
	g.lo[0] = 0.0;
	g.hi[0] = 3.0;
	g.lo[1] = 10.0;
	g.hi[1] = 13.0;
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++)
		{
			c[0] = a + 0.5;
			c[1] = 10.0 + b + 0.5;
			CHECK(acq_grid_cell(&g, c) == a + 3 * b);
			x[0] = c[1];
			x[1] = -1e9;		/* not a grid dimension */
			x[2] = c[0];
			CHECK(acq_grid_features_cell(&g, x) == a + 3 * b);
		}
	acq_grid_free(&g);
	check_balanced();
}

/* each cell's segments hold the points of that cell, and only those */
static void
test_grid_segments(void)
{
	AcqGrid		g;
	int			dims[2] = {1, 2};
	double		lo,
				hi;
	AcqSplitMix sm = {11};
	AcqRng		rng = rng_of(&sm);

	CHECK(acq_grid_init(&g, dims, 2, 4, 2, NULL, 0) == ACQ_OK);
	g.lo[0] = -2.0;
	g.hi[0] = 6.0;				/* width 2 */
	g.lo[1] = 0.0;
	g.hi[1] = 1.0;				/* width 0.25 */
	/* cell 13 = 1 + 4 * 3: x[1] in [0, 2), x[2] in [0.75, 1] */
	CHECK(!acq_grid_segment(&g, 13, 0, &lo, &hi));
	CHECK(lo == 0.0 && hi == 2.0);
	CHECK(acq_grid_segment(&g, 13, 1, &lo, &hi));
	CHECK(lo == 0.75 && hi == 1.0);
	/* the last segment ends at the range's end exactly */
	CHECK(acq_grid_segment(&g, 3, 0, &lo, &hi));
	CHECK(lo == 4.0 && hi == 6.0);
	CHECK(!acq_grid_segment(&g, 3, 1, &lo, &hi));
	CHECK(lo == 0.0 && hi == 0.25);
	/* where lo + size * width rounds below the end, the end still closes it */
	g.lo[1] = 0.1;
	g.hi[1] = 1.0;
	g.size = 3;
	CHECK(acq_grid_segment(&g, 6, 1, &lo, &hi));
	CHECK(hi == 1.0 && lo == 0.1 + 2 * ((1.0 - 0.1) / 3));
	g.size = 4;
	g.lo[1] = 0.0;

	for (int i = 0; i < 2000; i++)
	{
		double		c[2];
		int			cell;
		bool		inside = true;

		c[0] = -2.0 + 8.0 * acq_rng_double(&rng);
		c[1] = acq_rng_double(&rng);
		cell = acq_grid_cell(&g, c);
		CHECK(cell >= 0 && cell < 16);
		for (int k = 0; k < 2; k++)
		{
			bool		last = acq_grid_segment(&g, cell, k, &lo, &hi);

			inside = inside && c[k] >= lo && (last ? c[k] <= hi : c[k] < hi);
		}
		CHECK(inside);
	}
	acq_grid_free(&g);
	check_balanced();
}

static void
test_grid_widen(void)
{
	AcqGrid		g;
	int			dims[2] = {2, 1};
	double		x1[2] = {5.0, -1.0};
	double		x2[2] = {-3.0, 2.0};
	double		c[2] = {7.0, -4.0};
	double		z[2] = {-0.0, -0.0};

	CHECK(acq_grid_init(&g, dims, 2, 2, 2, NULL, 0) == ACQ_OK);
	acq_grid_widen_features(&g, x1);
	CHECK(g.lo[0] == -1.0 && g.hi[0] == -1.0);
	CHECK(g.lo[1] == 5.0 && g.hi[1] == 5.0);
	acq_grid_widen_features(&g, x2);
	CHECK(g.lo[0] == -1.0 && g.hi[0] == 2.0);
	CHECK(g.lo[1] == -3.0 && g.hi[1] == 5.0);
	/* grid coordinates, in grid order */
	acq_grid_widen(&g, c);
	CHECK(g.lo[0] == -1.0 && g.hi[0] == 7.0);
	CHECK(g.lo[1] == -4.0 && g.hi[1] == 5.0);
	acq_grid_free(&g);

	/*
	 * 0 against -0: features keep the bound, grid coordinates replace it
	 * (as the adapter's fmin(lo, c) and fmax(hi, c) did)
	 */
	CHECK(acq_grid_init(&g, dims, 2, 2, 2, NULL, 0) == ACQ_OK);
	g.lo[0] = g.hi[0] = g.lo[1] = g.hi[1] = 0.0;
	acq_grid_widen_features(&g, z);
	CHECK(g.lo[0] == 0.0 && !signbit(g.lo[0]) && !signbit(g.hi[0]));
	CHECK(!signbit(g.lo[1]) && !signbit(g.hi[1]));
	acq_grid_widen(&g, z);
	CHECK(g.lo[0] == 0.0 && signbit(g.lo[0]) && signbit(g.hi[0]));
	CHECK(signbit(g.lo[1]) && signbit(g.hi[1]));
	z[0] = 0.0;
	acq_grid_widen(&g, z);
	CHECK(!signbit(g.lo[0]) && !signbit(g.hi[0]) && signbit(g.lo[1]));
	/* a larger or smaller one replaces it either way */
	z[1] = 1.0;
	acq_grid_widen(&g, z);
	CHECK(g.hi[1] == 1.0 && signbit(g.lo[1]));
	acq_grid_free(&g);

	/* no grid: nothing to widen */
	memset(&g, 0, sizeof(g));
	acq_grid_widen_features(&g, x1);
	acq_grid_widen(&g, c);
	CHECK(g.lo == NULL);
	check_balanced();
}

/* ---- labels ------------------------------------------------------------- */

static void
test_label_index(void)
{
	double		v[4] = {-1.5, 0.0, 2.0, 7.0};

	CHECK(acq_label_index(v, 4, -1.5, false) == 0);
	CHECK(acq_label_index(v, 4, 0.0, false) == 1);
	CHECK(acq_label_index(v, 4, -0.0, false) == 1);
	CHECK(acq_label_index(v, 4, 7.0, false) == 3);
	CHECK(acq_label_index(v, 4, 1.0, false) == -1);
	CHECK(acq_label_index(v, 4, -9.0, false) == -1);
	CHECK(acq_label_index(v, 4, 9.0, false) == -1);
	CHECK(acq_label_index(v, 0, 1.0, false) == -1);
	/* insert: where it is, or would go */
	CHECK(acq_label_index(v, 4, -9.0, true) == 0);
	CHECK(acq_label_index(v, 4, -1.5, true) == 0);
	CHECK(acq_label_index(v, 4, 1.0, true) == 2);
	CHECK(acq_label_index(v, 4, 2.0, true) == 2);
	CHECK(acq_label_index(v, 4, 9.0, true) == 4);
	CHECK(acq_label_index(v, 0, 1.0, true) == 0);
}

/* ---- pools ---------------------------------------------------------------- */

static void
test_pool_one(void)
{
	AcqPool    *pool = acq_pool_one(5);
	int			all[5] = {0, 1, 2, 3, 4};
	int			out[8];
	double		x[1] = {0.0};

	CHECK(pool->kind == ACQ_POOL_ONE && pool->np == 1 && pool->n == 5);
	CHECK(offers(pool, 0, all, 5));
	CHECK(acq_pool_offered(pool) == 5);
	CHECK(acq_pool_preds_of(pool, x, 3.0, 0, out) == 1 && out[0] == 0);
	acq_pool_free(pool);

	/* no rows */
	pool = acq_pool_one(0);
	CHECK(pool->np == 1 && pool->preds[0].nrows == 0 && acq_pool_offered(pool) == 0);
	acq_pool_free(pool);
	acq_pool_free(NULL);
	check_balanced();
}

static void
test_pool_labels(void)
{
	double		label[8] = {2, 1, 2, 2, 3, 1, 1, 2};
	AcqPool    *pool = NULL;
	char		err[128] = "";
	int			r1[3] = {1, 5, 6};
	int			r2[4] = {0, 2, 3, 7};
	int			r3[1] = {4};
	int			out[4];
	double		x[1] = {0.0};

	/* the distinct labels, ascending */
	CHECK(acq_pool_by_label(label, 8, NULL, 0, 4096, &pool, err, sizeof(err)) == ACQ_OK);
	CHECK(pool->kind == ACQ_POOL_LABEL && pool->np == 3 && pool->n == 8);
	CHECK(pool->labels[0] == 1 && pool->labels[1] == 2 && pool->labels[2] == 3);
	CHECK(offers(pool, 0, r1, 3));
	CHECK(offers(pool, 1, r2, 4));
	CHECK(offers(pool, 2, r3, 1));
	CHECK(pool->pred[0] == 1 && pool->pred[4] == 2 && pool->pred[5] == 0);
	CHECK(acq_pool_offered(pool) == 8);
	/* a held record counts for its label's predicate, if any */
	CHECK(acq_pool_preds_of(pool, x, 3.0, 0, out) == 1 && out[0] == 2);
	CHECK(acq_pool_preds_of(pool, x, 1.0, ~UINT64_C(0), out) == 1 && out[0] == 0);
	CHECK(acq_pool_preds_of(pool, x, 5.0, 0, out) == 0);
	acq_pool_free(pool);

	/* exactly max distinct labels is fine; one more is not */
	CHECK(acq_pool_by_label(label, 8, NULL, 0, 3, &pool, err, sizeof(err)) == ACQ_OK);
	CHECK(pool->np == 3);
	acq_pool_free(pool);
	pool = (AcqPool *) 1;
	CHECK(acq_pool_by_label(label, 8, NULL, 0, 2, &pool, err, sizeof(err)) == ACQ_ERR_TOO_LARGE);
	CHECK(pool == NULL);
	CHECK(strcmp(err, "the provider has more than 2 distinct labels") == 0);

	/* labels asked for: rows of other labels are in no predicate */
	{
		double		given[2] = {1, 3};
		double		none[1] = {0};

		CHECK(acq_pool_by_label(label, 8, given, 2, 4096, &pool, err, sizeof(err)) == ACQ_OK);
		CHECK(pool->np == 2 && pool->labels[0] == 1 && pool->labels[1] == 3);
		CHECK(offers(pool, 0, r1, 3));
		CHECK(offers(pool, 1, r3, 1));
		CHECK(pool->pred[0] == -1 && pool->pred[7] == -1);
		CHECK(acq_pool_offered(pool) == 4);
		CHECK(acq_pool_preds_of(pool, x, 2.0, 0, out) == 0);
		acq_pool_free(pool);

		/* a label no row has: an empty pool */
		given[1] = 9;
		CHECK(acq_pool_by_label(label, 8, given, 2, 4096, &pool, err, sizeof(err)) == ACQ_OK);
		CHECK(pool->preds[1].nrows == 0 && pool->preds[1].available == 0);
		acq_pool_free(pool);

		/* none asked for: no predicate */
		CHECK(acq_pool_by_label(label, 8, none, 0, 4096, &pool, err, sizeof(err)) == ACQ_OK);
		CHECK(pool->np == 0 && acq_pool_offered(pool) == 0);
		acq_pool_free(pool);
	}

	/* a label asked for twice; -0 and 0 are one label */
	{
		double		twice[4] = {-1, 0.5, 3, 3};
		double		zeros[3] = {-0.0, 0.0, 1.0};

		CHECK(acq_pool_by_label(label, 8, twice, 4, 4096, &pool, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
		CHECK(pool == NULL && strcmp(err, "labels names 3 twice") == 0);
		twice[2] = 0.5;
		CHECK(acq_pool_by_label(label, 8, twice, 4, 4096, &pool, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
		CHECK(strcmp(err, "labels names 0.5 twice") == 0);
		CHECK(acq_pool_by_label(label, 8, zeros, 3, 4096, &pool, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
		CHECK(strcmp(err, "labels names 0 twice") == 0);
	}

	/* the distinct labels: -0 and 0 are one, the first seen kept */
	{
		double		zl[4] = {-0.0, 1.0, 0.0, -0.0};
		int			z0[3] = {0, 2, 3};

		CHECK(acq_pool_by_label(zl, 4, NULL, 0, 4096, &pool, err, sizeof(err)) == ACQ_OK);
		CHECK(pool->np == 2 && pool->labels[0] == 0.0 && signbit(pool->labels[0]));
		CHECK(offers(pool, 0, z0, 3));
		acq_pool_free(pool);
	}
	check_balanced();
}

#define MANY_ROWS 5000
#define MANY_LABELS 300

/* many labels in every order: sorted, distinct, each row in its own */
static void
test_pool_labels_many(void)
{
	double	   *label = malloc(sizeof(double) * MANY_ROWS);
	AcqSplitMix sm = {21};
	AcqRng		rng = rng_of(&sm);
	AcqPool    *pool;
	int64_t		total = 0;
	bool		ok = true;

	for (int i = 0; i < MANY_ROWS; i++)
		label[i] = (double) acq_rng_below(&rng, MANY_LABELS) * 0.5 - 20.0;
	CHECK(acq_pool_by_label(label, MANY_ROWS, NULL, 0, 4096, &pool, NULL, 0) == ACQ_OK);
	CHECK(pool->np <= MANY_LABELS && pool->np > MANY_LABELS - 5);
	for (int p = 1; p < pool->np; p++)
		ok = ok && pool->labels[p - 1] < pool->labels[p];
	for (int p = 0; p < pool->np; p++)
	{
		const AcqPoolPred *q = &pool->preds[p];

		total += q->nrows;
		for (int64_t i = 0; i < q->nrows; i++)
		{
			ok = ok && label[q->rows[i]] == pool->labels[p] && pool->pred[q->rows[i]] == p;
			ok = ok && (i == 0 || q->rows[i - 1] < q->rows[i]);
		}
	}
	CHECK(ok);
	CHECK(total == MANY_ROWS);
	acq_pool_free(pool);
	free(label);
	check_balanced();
}

static void
test_pool_grid(void)
{
	AcqGrid		g;
	int			dims[2] = {1, 2};
	/* five points over [0,2] x [0,2], 2 x 2 cells */
	double		coords[10] = {0, 0, 2, 2, 1.5, 0.2, 0.1, 1.9, 1.0, 1.0};
	AcqPool    *pool = NULL;
	char		err[128] = "";
	int			c0[1] = {0};
	int			c1[1] = {2};
	int			c2[1] = {3};
	int			c3[2] = {1, 4};
	int			out[4];
	double		x[2] = {1.2, 0.3};

	CHECK(acq_grid_init(&g, dims, 2, 2, 2, NULL, 0) == ACQ_OK);
	for (int i = 0; i < 5; i++)
		acq_grid_widen(&g, coords + 2 * i);
	CHECK(acq_pool_by_grid(&g, coords, 5, 4096, &pool, err, sizeof(err)) == ACQ_OK);
	CHECK(pool->kind == ACQ_POOL_GRID && pool->np == 4 && pool->grid == &g);
	CHECK(offers(pool, 0, c0, 1));
	CHECK(offers(pool, 1, c1, 1));
	CHECK(offers(pool, 2, c2, 1));
	CHECK(offers(pool, 3, c3, 2));
	CHECK(acq_pool_offered(pool) == 5);
	/* a held record: its features' cell */
	CHECK(acq_pool_preds_of(pool, x, 0.0, 0, out) == 1 && out[0] == 1);
	acq_pool_free(pool);

	/* too many cells */
	pool = (AcqPool *) 1;
	CHECK(acq_pool_by_grid(&g, coords, 5, 3, &pool, err, sizeof(err)) == ACQ_ERR_TOO_LARGE);
	CHECK(pool == NULL && strcmp(err, "the grid would have more than 3 cells") == 0);
	acq_grid_free(&g);
	check_balanced();
}

static void
test_pool_mask(void)
{
	/* P0: rows 0, 2, 3; P1: rows 1, 2; P2: none; row 4 in none */
	uint64_t	mask[5] = {1, 2, 3, 1, 0};
	AcqPool    *pool = acq_pool_by_mask(mask, 5, 3);
	int			r0[3] = {0, 2, 3};
	int			r1[2] = {1, 2};
	int			out[64];
	double		x[1] = {0};

	CHECK(pool->kind == ACQ_POOL_MASK && pool->np == 3 && pool->pred == NULL);
	CHECK(offers(pool, 0, r0, 3));
	CHECK(offers(pool, 1, r1, 2));
	CHECK(offers(pool, 2, NULL, 0));
	/* row 2 is offered twice but counts once */
	CHECK(acq_pool_offered(pool) == 4);
	CHECK(acq_pool_preds_of(pool, x, 0.0, 5, out) == 2 && out[0] == 0 && out[1] == 2);
	CHECK(acq_pool_preds_of(pool, x, 0.0, 0, out) == 0);
	acq_pool_free(pool);

	/* 64 predicates: bit 63 too */
	{
		uint64_t	m[3] = {UINT64_C(1) << 63, ~UINT64_C(0), 0};

		pool = acq_pool_by_mask(m, 3, 64);
		CHECK(pool->preds[63].nrows == 2 && pool->preds[0].nrows == 1);
		CHECK(acq_pool_preds_of(pool, x, 0.0, ~UINT64_C(0), out) == 64 && out[63] == 63);
		CHECK(acq_pool_offered(pool) == 2);
		acq_pool_free(pool);
	}
	check_balanced();
}

/* ---- draws ---------------------------------------------------------------- */

/* the definition: a partial Fisher-Yates over a copy of P's rows */
static int
ref_draw(int *rows, int64_t nrows, int64_t *drawn, const bool *taken, int want, AcqRng *rng,
		 int *out)
{
	int			got = 0;

	while (got < want && *drawn < nrows)
	{
		int64_t		j = *drawn + (int64_t) acq_rng_below(rng, (uint64_t) (nrows - *drawn));
		int			r = rows[j];

		rows[j] = rows[*drawn];
		rows[*drawn] = r;
		(*drawn)++;
		if (!taken[r])
			out[got++] = r;
	}
	return got;
}

#define DRAW_ROWS 1000

static void
test_draw_reference(void)
{
	int		   *rows = malloc(sizeof(int) * DRAW_ROWS);
	bool	   *taken = calloc(DRAW_ROWS, sizeof(bool));
	int64_t		drawn = 0;
	AcqPool    *pool = acq_pool_one(DRAW_ROWS);
	AcqSplitMix s1 = {77},
				s2 = {77};
	AcqRng		r1 = rng_of(&s1),
				r2 = rng_of(&s2);
	int			a[DRAW_ROWS],
				b[DRAW_ROWS];
	int64_t		total = 0;
	static const int wants[] = {1, 7, 40, 100, 3, 500, 1000};

	for (int i = 0; i < DRAW_ROWS; i++)
		rows[i] = i;
	for (int w = 0; w < 7; w++)
	{
		int			na = acq_pool_draw(pool, 0, wants[w], &r1, a);
		int			nb = ref_draw(rows, DRAW_ROWS, &drawn, taken, wants[w], &r2, b);

		CHECK(na == nb && memcmp(a, b, sizeof(int) * na) == 0);
		CHECK(s1.s == s2.s);
		CHECK(pool->preds[0].drawn == drawn);
		for (int i = 0; i < na; i++)
		{
			acq_pool_take(pool, a[i]);
			taken[b[i]] = true;
		}
		total += na;
		CHECK(pool->preds[0].available == DRAW_ROWS - total);
	}
	/* everything drawn once: the pool is spent, and a draw costs nothing */
	CHECK(total == DRAW_ROWS);
	for (int i = 0; i < DRAW_ROWS; i++)
		CHECK(taken[i] && pool->taken[i]);
	{
		uint64_t	before = s1.s;

		CHECK(acq_pool_draw(pool, 0, 10, &r1, a) == 0);
		CHECK(s1.s == before);
	}
	acq_pool_free(pool);
	free(taken);
	free(rows);
	check_balanced();
}

/* a plan's draws must not change: the same seed buys the same records */
static void
test_draw_fixed_seed(void)
{
	AcqPool    *pool = acq_pool_one(20);
	AcqSplitMix sm = {42};
	AcqRng		rng = rng_of(&sm);
	int			out[20];
	/* SplitMix64 from 42, acq_rng_below, Fisher-Yates: worked out independently */
	static const int want1[5] = {13, 16, 2, 8, 6};
	static const int want2[5] = {17, 15, 19, 9, 7};

	CHECK(acq_pool_draw(pool, 0, 5, &rng, out) == 5);
	CHECK(memcmp(out, want1, sizeof(want1)) == 0);
	CHECK(acq_pool_draw(pool, 0, 5, &rng, out) == 5);
	CHECK(memcmp(out, want2, sizeof(want2)) == 0);
	acq_pool_free(pool);
	check_balanced();
}

/* overlapping predicates: a record taken through one leaves the others */
static void
test_draw_overlap(void)
{
	/* rows 0..9: P0 offers 0..5, P1 offers 3..9, P2 offers 4 and 9 */
	uint64_t	mask[10] = {1, 1, 1, 3, 7, 3, 2, 2, 2, 6};
	AcqPool    *pool = acq_pool_by_mask(mask, 10, 3);
	AcqSplitMix sm = {5};
	AcqRng		rng = rng_of(&sm);
	int			out[10];
	bool		seen[10] = {false};
	int			n0,
				n1,
				n2;

	CHECK(pool->preds[0].available == 6 && pool->preds[1].available == 7 &&
		  pool->preds[2].available == 2);
	/* all of P0 */
	n0 = acq_pool_draw(pool, 0, 10, &rng, out);
	CHECK(n0 == 6);
	for (int i = 0; i < n0; i++)
	{
		CHECK(out[i] >= 0 && out[i] <= 5 && !seen[out[i]]);
		seen[out[i]] = true;
		acq_pool_take(pool, out[i]);
	}
	CHECK(pool->preds[0].available == 0);
	CHECK(pool->preds[1].available == 4);	/* 6..9 */
	CHECK(pool->preds[2].available == 1);	/* 9 */
	/* P1: only 6..9 come out, though 3..5 are in its pool */
	n1 = acq_pool_draw(pool, 1, 10, &rng, out);
	CHECK(n1 == 4);
	CHECK(pool->preds[1].drawn == 7);
	for (int i = 0; i < n1; i++)
	{
		CHECK(out[i] >= 6 && !seen[out[i]]);
		seen[out[i]] = true;
	}
	/* drawn, not yet taken: P2 still has row 9 */
	CHECK(pool->preds[2].available == 1);
	for (int i = 0; i < n1; i++)
		acq_pool_take(pool, out[i]);
	CHECK(pool->preds[1].available == 0 && pool->preds[2].available == 0);
	n2 = acq_pool_draw(pool, 2, 10, &rng, out);
	CHECK(n2 == 0 && pool->preds[2].drawn == 2);

	/* taking twice counts once */
	acq_pool_take(pool, 4);
	CHECK(pool->preds[0].available == 0 && pool->preds[2].available == 0);
	acq_pool_free(pool);
	check_balanced();
}

/* a taken record (vanished, or bought) is no longer for sale */
static void
test_take(void)
{
	double		label[6] = {1, 2, 1, 2, 1, 3};
	double		given[2] = {1, 2};
	AcqPool    *pool;
	AcqSplitMix sm = {9};
	AcqRng		rng = rng_of(&sm);
	int			out[6];
	int			n;

	CHECK(acq_pool_by_label(label, 6, given, 2, 4096, &pool, NULL, 0) == ACQ_OK);
	acq_pool_take(pool, 2);
	acq_pool_take(pool, 5);		/* in no predicate */
	acq_pool_take(pool, 2);
	CHECK(pool->preds[0].available == 2 && pool->preds[1].available == 2);
	CHECK(pool->taken[2] && pool->taken[5] && !pool->taken[0]);
	n = acq_pool_draw(pool, 0, 3, &rng, out);
	CHECK(n == 2);
	for (int i = 0; i < n; i++)
		CHECK(out[i] == 0 || out[i] == 4);
	acq_pool_free(pool);
	check_balanced();
}

/* ---- novelty vectors ------------------------------------------------------- */

#define SCALE_D 37
#define SCALE_H 50

static void
test_scaling(void)
{
	AcqScaling	s;
	double		h1[3] = {0.0, 10.0, 5.0};
	double		h2[3] = {2.0, 30.0, 5.0};
	double		x[3] = {1.0, 40.0, 7.0};
	double		out[4];

	/* no scaling: the features, then the label for regression */
	acq_scaling_init(&s, 3, true, false);
	acq_scaling_widen(&s, h1, 1.0);
	CHECK(s.lo[0] == INFINITY);	/* ranges are not kept */
	acq_scaling_vector(&s, x, -2.0, out);
	CHECK(out[0] == 1.0 && out[1] == 40.0 && out[2] == 7.0 && out[3] == -2.0);
	acq_scaling_free(&s);
	CHECK(s.lo == NULL);

	/* no held record: nothing is scaled */
	acq_scaling_init(&s, 3, true, true);
	acq_scaling_vector(&s, x, -2.0, out);
	CHECK(out[0] == 1.0 && out[1] == 40.0 && out[2] == 7.0 && out[3] == -2.0);

	/* to the held records' ranges; a constant dimension shifted to 0 */
	acq_scaling_widen(&s, h1, 1.0);
	acq_scaling_widen(&s, h2, 3.0);
	CHECK(s.lo[0] == 0.0 && s.hi[0] == 2.0 && s.lo[1] == 10.0 && s.hi[1] == 30.0);
	CHECK(s.lo[2] == 5.0 && s.hi[2] == 5.0 && s.lo[3] == 1.0 && s.hi[3] == 3.0);
	acq_scaling_vector(&s, x, -2.0, out);
	CHECK(out[0] == 0.5 && out[1] == 1.5 && out[2] == 2.0 && out[3] == -1.5);
	acq_scaling_free(&s);

	/* classification: no label dimension (out[3] untouched) */
	acq_scaling_init(&s, 3, false, true);
	acq_scaling_widen(&s, h1, 1.0);
	acq_scaling_widen(&s, h2, 3.0);
	out[3] = 99.0;
	acq_scaling_vector(&s, x, -2.0, out);
	CHECK(out[0] == 0.5 && out[1] == 1.5 && out[2] == 2.0 && out[3] == 99.0);
	acq_scaling_free(&s);

	/* many dimensions (the vectorised min/max), against plain loops */
	{
		AcqSplitMix sm = {31};
		AcqRng		rng = rng_of(&sm);
		double		h[SCALE_H][SCALE_D];
		double		lo[SCALE_D + 1],
					hi[SCALE_D + 1];
		double		v[SCALE_D + 1];
		bool		ok = true;

		for (int j = 0; j <= SCALE_D; j++)
		{
			lo[j] = INFINITY;
			hi[j] = -INFINITY;
		}
		acq_scaling_init(&s, SCALE_D, true, true);
		for (int i = 0; i < SCALE_H; i++)
		{
			double		y = acq_rng_double(&rng) * 4.0 - 1.0;

			for (int j = 0; j < SCALE_D; j++)
			{
				h[i][j] = acq_rng_double(&rng) * (j + 1) - j;
				lo[j] = fmin(lo[j], h[i][j]);
				hi[j] = fmax(hi[j], h[i][j]);
			}
			lo[SCALE_D] = fmin(lo[SCALE_D], y);
			hi[SCALE_D] = fmax(hi[SCALE_D], y);
			acq_scaling_widen(&s, h[i], y);
		}
		for (int j = 0; j <= SCALE_D; j++)
			ok = ok && s.lo[j] == lo[j] && s.hi[j] == hi[j];
		acq_scaling_vector(&s, h[7], 0.5, v);
		for (int j = 0; j < SCALE_D; j++)
			ok = ok && v[j] == (h[7][j] - lo[j]) / (hi[j] - lo[j]) && v[j] >= 0.0 && v[j] <= 1.0;
		ok = ok && v[SCALE_D] == (0.5 - lo[SCALE_D]) / (hi[SCALE_D] - lo[SCALE_D]);
		CHECK(ok);
		acq_scaling_free(&s);
	}
	check_balanced();
}

#define BATCH_N 3000
#define BATCH_D 3

static void
test_sort_batch(void)
{
	/* four 2-d vectors with ids 30, 10, 40, 20 */
	double		x[8] = {3, 3.5, 1, 1.5, 4, 4.5, 2, 2.5};
	double		nrm[4] = {30, 10, 40, 20};
	int64_t		ids[4] = {30, 10, 40, 20};
	double		sx[8] = {1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5};

	acq_pool_sort_batch(x, nrm, ids, 4, 2);
	CHECK(memcmp(x, sx, sizeof(sx)) == 0);
	CHECK(nrm[0] == 10 && nrm[1] == 20 && nrm[2] == 30 && nrm[3] == 40);
	CHECK(ids[0] == 10 && ids[1] == 20 && ids[2] == 30 && ids[3] == 40);
	CHECK(n_alloc > 0);
	check_balanced();

	/* in order already: left as it is, nothing allocated */
	acq_pool_sort_batch(x, nrm, ids, 4, 2);
	CHECK(memcmp(x, sx, sizeof(sx)) == 0 && n_alloc == 0);
	acq_pool_sort_batch(x, nrm, ids, 1, 2);
	acq_pool_sort_batch(x, nrm, ids, 0, 2);
	CHECK(n_alloc == 0);

	/* a large batch in reverse order (negative ids too) */
	{
		double	   *bx = malloc(sizeof(double) * BATCH_N * BATCH_D);
		double	   *bn = malloc(sizeof(double) * BATCH_N);
		int64_t    *bi = malloc(sizeof(int64_t) * BATCH_N);
		bool		ok = true;

		for (int i = 0; i < BATCH_N; i++)
		{
			bi[i] = (int64_t) (BATCH_N - i) * 7 - 5000;
			bn[i] = (double) bi[i];
			for (int j = 0; j < BATCH_D; j++)
				bx[i * BATCH_D + j] = (double) bi[i] + j;
		}
		acq_pool_sort_batch(bx, bn, bi, BATCH_N, BATCH_D);
		for (int i = 0; i < BATCH_N; i++)
		{
			ok = ok && (i == 0 || bi[i - 1] < bi[i]) && bn[i] == (double) bi[i];
			for (int j = 0; j < BATCH_D; j++)
				ok = ok && bx[i * BATCH_D + j] == (double) bi[i] + j;
		}
		CHECK(ok);
		free(bi);
		free(bn);
		free(bx);
	}
	check_balanced();
}

int
main(void)
{
	acq_set_hooks(&counting_hooks);
	RUN(test_grid_init);
	RUN(test_grid_cells);
	RUN(test_grid_cell_edges);
	RUN(test_grid_cell_dims);
	RUN(test_grid_segments);
	RUN(test_grid_widen);
	RUN(test_label_index);
	RUN(test_pool_one);
	RUN(test_pool_labels);
	RUN(test_pool_labels_many);
	RUN(test_pool_grid);
	RUN(test_pool_mask);
	RUN(test_draw_reference);
	RUN(test_draw_fixed_seed);
	RUN(test_draw_overlap);
	RUN(test_take);
	RUN(test_scaling);
	RUN(test_sort_batch);
	acq_set_hooks(NULL);
	return unit_summary("test_pool");
}
