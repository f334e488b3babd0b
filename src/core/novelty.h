/*
 * novelty.h -- the utility of a predicate (Li, Yu, Koudas, "Data Acquisition
 * for Improving Machine Learning Models", VLDB 2021, §3 eq. 1).
 *
 * Novelty measures how well a classifier (CLF) tells records newly acquired
 * for a predicate P from the records already held for P.  As in the authors'
 * code, CLF is a k-NN classifier trained on the held records (class 0) and a
 * random 80% of the new ones (class 1), scored on the other 20% of the new
 * ones; the score is averaged over repeated random splits.  A high score
 * means the new records lie where the consumer has nothing yet.
 */
#ifndef ACQ_NOVELTY_H
#define ACQ_NOVELTY_H

#include "core/acq_core.h"

typedef struct AcqNoveltyParams
{
	int			k;				/* neighbours of CLF (default 1) */
	int			splits;			/* random 80/20 splits averaged (default 50) */
	double		test_fraction;	/* share of new records scored (default 0.2) */
	int			min_new;		/* fewer new records than this: novelty 0 (default 5) */
} AcqNoveltyParams;

void		acq_novelty_defaults(AcqNoveltyParams *p);

/*
 * Novelty in [0,1] of the nn new rows N against the nh held rows H (both
 * row-major, d columns).  nh may be 0 (everything new is novel: 1).
 * Randomness (the splits) comes from rng.  Cost: one DGEMM of N against H and
 * one of N against itself, then O(splits * nn^2) comparisons; above 2048 new
 * rows the N-against-N distances are computed per split instead of held.
 * With k = 1 the new-against-held distances are screened by a float SGEMM
 * and only the few that can be the nearest computed in double (novelty.c):
 * the same nearest distances, exactly, at about half the DGEMM's cost.
 */
double		acq_novelty(const double *H, int64_t nh, const double *N, int64_t nn, int d,
						const AcqNoveltyParams *p, AcqRng *rng);

/*
 * Scratch memory kept across calls (a caller measuring novelty round after
 * round saves allocating, and the kernel zeroing, megabytes each time).
 * Zero-initialise; release with acq_novelty_work_free.
 */
#define ACQ_NOVELTY_WORK_SLOTS 20
typedef struct AcqNoveltyWork
{
	void	   *buf[ACQ_NOVELTY_WORK_SLOTS];
	size_t		cap[ACQ_NOVELTY_WORK_SLOTS];
} AcqNoveltyWork;

/* the most a workspace holds for nn new rows against nh held ones, in bytes */
double		acq_novelty_work_bytes(int64_t nh, int64_t nn, int d, int k);
void		acq_novelty_work_free(AcqNoveltyWork *w);

/*
 * With a workspace (NULL not allowed), the held rows' norms (NULL: computed)
 * and the held rows rounded to float (hf, NULL: rounded here), which screen
 * the held rows before the exact distances (k = 1; see novelty.c): a caller
 * measuring against the same held set round after round keeps hf.
 */
double		acq_novelty_ws(const double *H, const float *hf, const double *hnorm, int64_t nh,
						   const double *N, int64_t nn, int d,
						   const AcqNoveltyParams *p, AcqRng *rng, AcqNoveltyWork *w);

/*
 * Novelty of a growing set of new rows against a fixed held set, as EA
 * measures it (everything bought through P so far against what was held at
 * the start): each new row's nearest held distances are kept in c, so a call
 * computes them only for the rows appended since the last call -- the
 * DGEMM against H is paid once per row, not once per measurement.  The
 * result, and the draws from rng, are acq_novelty_ws's.  The caller
 * guarantees that H and N's first c->n rows have not changed since c was
 * filled (a call with fewer rows, or another k, starts c afresh).
 * Zero-initialise c; release with acq_novelty_cache_free.
 */
typedef struct AcqNoveltyCache
{
	double	   *heldk;			/* k nearest held distances per row */
	int		   *nheld;
	int64_t		n;				/* rows cached */
	int64_t		cap;
	int			k;
} AcqNoveltyCache;

double		acq_novelty_cached(const double *H, const float *hf, const double *hnorm, int64_t nh,
							   const double *N, int64_t nn, int d,
							   const AcqNoveltyParams *p, AcqRng *rng,
							   AcqNoveltyWork *w, AcqNoveltyCache *c);
void		acq_novelty_cache_free(AcqNoveltyCache *c);

/* the same, given the held rows' squared norms (hnorm, nh of them; NULL: computed) */
double		acq_novelty_normed(const double *H, const double *hnorm, int64_t nh,
							   const double *N, int64_t nn, int d,
							   const AcqNoveltyParams *p, AcqRng *rng);

#endif							/* ACQ_NOVELTY_H */
