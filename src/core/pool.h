/*
 * pool.h -- the records for sale in a data acquisition, by predicate: which
 * predicate offers each record (a label, a grid cell, or a set of arbitrary
 * predicates given as bit masks), per predicate the pool of the records it
 * offers, random draws from a pool without replacement, and records leaving
 * every pool once bought.  Also the vectors novelty compares (features, and
 * the label for regression, scaled to the held records' ranges).
 *
 * Records are numbered 0..n-1 by the host (in id order: the same seed then
 * draws the same records from the same data, however it is stored); a pool
 * sees only what decides their predicates (labels, grid coordinates, masks),
 * not their ids or features.  Errors come back as an AcqStatus and a
 * message, in the words a user of the acquisition should read.
 */
#ifndef ACQ_POOL_H
#define ACQ_POOL_H

#include "core/acq_core.h"

/* ---- grid cells ----------------------------------------------------------- */

/*
 * A grid over some feature dimensions: each is cut into size equal-width
 * segments over its range; a cell is one segment per dimension.  The range
 * of each dimension grows as records are seen (acq_grid_widen*), and must
 * hold every record before cells are asked for.
 */
typedef struct AcqGrid
{
	int			ndims;			/* grid dimensions (0: no grid) */
	const int  *dims;			/* their feature dimensions, 1-based (the caller's) */
	int			size;			/* segments per grid dimension */
	double	   *lo,
			   *hi;				/* per grid dimension: its range (from +-Inf) */
} AcqGrid;

/*
 * Set g up for records of d features, with empty ranges.  Fails if dims
 * names a dimension past d.
 */
AcqStatus	acq_grid_init(AcqGrid *g, const int *dims, int ndims, int size, int d,
						  char *errbuf, size_t errlen);
void		acq_grid_free(AcqGrid *g);

/* widen the ranges to a record's features x (all d of them; finite) */
void		acq_grid_widen_features(AcqGrid *g, const double *x);

/*
 * widen the ranges to a point given by its ndims grid coordinates (finite);
 * unlike acq_grid_widen_features, a coordinate equal to a bound replaces it
 * (0 and -0: the sign a cell's bounds show)
 */
void		acq_grid_widen(AcqGrid *g, const double *coords);

/* the number of cells, size^ndims; fails if it passes max */
AcqStatus	acq_grid_cells(const AcqGrid *g, int max, int *ncell,
						   char *errbuf, size_t errlen);

/*
 * The cell of a point given by its grid coordinates: grid dimension 1 varies
 * fastest.  A coordinate outside the range counts in the nearest segment.
 */
int			acq_grid_cell(const AcqGrid *g, const double *coords);

/* the cell of a record's features x */
int			acq_grid_features_cell(const AcqGrid *g, const double *x);

/*
 * The segment of cell in grid dimension k (0-based): [*lo, *hi), or [*lo,
 * *hi] for the last segment, for which it returns true.
 */
bool		acq_grid_segment(const AcqGrid *g, int cell, int k, double *lo, double *hi);

/* ---- labels ------------------------------------------------------------- */

/*
 * Where v is in the ascending values[0..n): its index, or -1 if absent; with
 * insert, the index it is at or would go to.  Values are finite.
 */
int			acq_label_index(const double *values, int n, double v, bool insert);

/* ---- pools ---------------------------------------------------------------- */

typedef enum AcqPoolKind
{
	ACQ_POOL_ONE,				/* one predicate: every record */
	ACQ_POOL_LABEL,				/* a predicate per label value */
	ACQ_POOL_GRID,				/* a predicate per grid cell */
	ACQ_POOL_MASK				/* up to 64 predicates; bit p of a record's mask: P offers it */
} AcqPoolKind;

typedef struct AcqPoolPred
{
	int		   *rows;			/* the records P offers, ascending until drawn from */
	int64_t		nrows;
	int64_t		drawn;			/* rows[0..drawn) are drawn (a shuffled prefix) */
	int64_t		available;		/* offered and not taken (through P or another predicate) */
} AcqPoolPred;

typedef struct AcqPool
{
	AcqPoolKind kind;
	int			np;				/* predicates */
	AcqPoolPred *preds;
	int64_t		n;				/* records */
	double	   *labels;			/* LABEL: the np labels, ascending */
	const AcqGrid *grid;		/* GRID: the cells (the caller's) */
	const uint64_t *mask;		/* MASK: per record (the caller's) */
	int		   *pred;			/* not MASK: per record, its predicate (-1: none) */
	bool	   *taken;			/* per record: taken (bought, or gone) */
} AcqPool;

/* one predicate that offers all n records */
AcqPool    *acq_pool_one(int64_t n);

/*
 * A predicate per label: the given ones (ngiven of them, ascending, no two
 * equal), or, with given NULL, every distinct value of label[0..n) (more
 * than max: an error).  Record i goes to the predicate of label[i], if any.
 */
AcqStatus	acq_pool_by_label(const double *label, int64_t n, const double *given, int ngiven,
							  int max, AcqPool **pool, char *errbuf, size_t errlen);

/*
 * A predicate per cell of g (more than max cells: an error); record i goes
 * to the cell of coords[i * g->ndims ...].  g must outlive the pool.
 */
AcqStatus	acq_pool_by_grid(const AcqGrid *g, const double *coords, int64_t n, int max,
							 AcqPool **pool, char *errbuf, size_t errlen);

/*
 * np <= 64 predicates: P offers record i if bit P of mask[i] is set (no bit
 * past np is).  mask must outlive the pool.
 */
AcqPool    *acq_pool_by_mask(const uint64_t *mask, int64_t n, int np);

void		acq_pool_free(AcqPool *pool);

/* the records at least one predicate offers */
int64_t		acq_pool_offered(const AcqPool *pool);

/*
 * The predicates that would offer a record with features x, label y and
 * mask (each by its kind's rule), ascending, in out (room for np); returns
 * how many.
 */
int			acq_pool_preds_of(const AcqPool *pool, const double *x, double y, uint64_t mask,
							  int *out);

/*
 * Draw up to want records from P's pool at random without replacement (a
 * partial Fisher-Yates shuffle: one acq_rng_below per record drawn), skipping
 * records taken through another predicate; returns how many are in out.
 * The records drawn are not taken until acq_pool_take.
 */
int			acq_pool_draw(AcqPool *pool, int p, int want, AcqRng *rng, int *out);

/* record r is taken: it leaves every predicate that offered it (once) */
void		acq_pool_take(AcqPool *pool, int64_t r);

/* ---- novelty vectors ------------------------------------------------------- */

/*
 * The vectors novelty compares: a record's d features, then (label) its
 * label; with scale, each dimension scaled to its range over the held
 * records.
 */
typedef struct AcqScaling
{
	int			d;				/* features */
	bool		label;			/* the label is a dimension (regression) */
	bool		scale;
	double	   *lo,
			   *hi;				/* d + 1: features' and label's ranges (scale) */
} AcqScaling;

void		acq_scaling_init(AcqScaling *s, int d, bool label, bool scale);
void		acq_scaling_free(AcqScaling *s);

/* widen the ranges to a held record (finite x, y) */
void		acq_scaling_widen(AcqScaling *s, const double *x, double y);

/*
 * A record's vector (d + label dimensions) in out.  A dimension without a
 * range (no held record) is left as it is, a constant one shifted to 0.
 */
void		acq_scaling_vector(const AcqScaling *s, const double *x, double y, double *out);

/*
 * Reorder n vectors of d dimensions (rows of x) and their norms nrm by their
 * ids, which must be distinct; ids are sorted with them.
 */
void		acq_pool_sort_batch(double *x, double *nrm, int64_t *ids, int64_t n, int d);

#endif							/* ACQ_POOL_H */
