/*
 * nearest.h -- Mycroft's feature-similarity data selection (Sarwar et al.,
 * "Mycroft: towards effective and efficient external data augmentation",
 * section 3.1 and Appendix C, Algorithms 2, 4 and 5), built to stream an
 * owner table of millions of rows past a set of ~1k "hard" rows.
 *
 * Algorithm 2 (FeatureSimilarity): every owner row gets the distance to its
 * nearest hard row; the k owner rows with the smallest such distance are
 * D_useful.  Two distances are offered:
 *
 *   - squared Euclidean distance on the raw features (the image variant of
 *     the paper uses L2 in an embedding space; here the caller's columns are
 *     the features): AcqHardSet / acq_min_dist_to_hard, one DGEMM per block
 *     of owner rows (see nearest.c for the layout);
 *   - the binned distance of Algorithms 4-5 (the IoT variant): AcqBinning,
 *     in binning.c.
 *
 * The scores of successive chunks of owner rows are fed to an AcqTopK, a
 * bounded max-heap keeping the k smallest (score, id) pairs; ties in score
 * go to the lower id, so the selection is deterministic.
 *
 * Same-label restriction (optional): when labels are passed for both the
 * owner rows and the hard rows, an owner row is compared only with the hard
 * rows of its own label.  An owner row whose label no hard row has (or a NaN
 * label) gets +Inf: it ranks after every row that has a finite score.  Hard
 * rows with a NaN label match no owner row.
 *
 * Memory is bounded by the block sizes whatever the row counts; interrupts
 * are polled once per block of owner rows.
 */
#ifndef ACQ_NEAREST_H
#define ACQ_NEAREST_H

#include "core/acq_core.h"

/* ---- streaming top-k ---------------------------------------------------- */

/* the k smallest (score, id) pairs pushed so far */
typedef struct AcqTopK AcqTopK;

/* k <= 0 keeps nothing; storage grows with use, up to k entries */
AcqTopK    *acq_topk_create(int64_t k);

/* offer one pair; a NaN score is ignored, +Inf is kept like any value */
void		acq_topk_push(AcqTopK *t, double score, int64_t id);

/* offer n pairs: scores[i] with id ids[i], or id0 + i when ids is NULL */
void		acq_topk_push_array(AcqTopK *t, const double *scores,
								const int64_t *ids, int64_t n, int64_t id0);

/* number of pairs held (min(k, pairs pushed)) */
int64_t		acq_topk_count(const AcqTopK *t);

/*
 * Write the pairs held, ascending by score and, among equal scores, by id;
 * returns their number.  ids or scores may be NULL.  The accumulator stays
 * usable: further pushes and results are allowed.
 */
int64_t		acq_topk_result(AcqTopK *t, int64_t *ids, double *scores);

void		acq_topk_free(AcqTopK *t);

/* ---- labels of the hard rows, grouped ------------------------------------ */

/*
 * The hard rows grouped by label: the distinct non-NaN labels ascending, and
 * per group the hard row indices (ascending) in rows[start[g] .. start[g+1]).
 * Without labels there is one group holding every row.
 */
typedef struct AcqLabelGroups
{
	int			ngroups;
	double	   *labels;			/* ngroups distinct labels (NULL: unlabelled) */
	int64_t    *start;			/* ngroups + 1 offsets into rows */
	int64_t    *rows;			/* hard row indices, grouped */
} AcqLabelGroups;

void		acq_label_groups_build(const double *hlab, int64_t nh, AcqLabelGroups *g);
/* the group of an owner row's label, or -1 (no such label, or NaN) */
int			acq_label_groups_find(const AcqLabelGroups *g, double label);
void		acq_label_groups_free(AcqLabelGroups *g);

/* ---- squared Euclidean distance to the nearest hard row ------------------ */

/*
 * The hard rows prepared once: copied in label-group order with their
 * squared norms, plus scratch for the DGEMM blocks (so that feeding owner
 * rows chunk by chunk allocates nothing per block).
 */
typedef struct AcqHardSet AcqHardSet;

/* Q: nh x d row-major (nh >= 1, d >= 1); hlab: nh labels or NULL */
AcqHardSet *acq_hardset_create(const double *Q, const double *hlab, int64_t nh, int d);

/*
 * out[i] = min over hard rows (of ylab[i]'s label when the set has labels
 * and ylab is non-NULL) of ||X_i - Q_j||^2, for the n rows of X (n x d).
 * Computed as ||x||^2 + min_j (||q_j||^2 - 2 x.q_j), clamped at 0: exact
 * for integer data of moderate size, otherwise accurate relative to the
 * norms (a distance far below ||x||^2 carries the cancellation error).
 * A row with a NaN gets NaN (which AcqTopK ignores).  The set's scratch
 * makes it single-threaded; the rows may come in chunks of any size.
 */
void		acq_hardset_min_dist(AcqHardSet *h, const double *X, const double *ylab,
								 int64_t n, double *out);
void		acq_hardset_free(AcqHardSet *h);

/*
 * One-shot form: min squared distance of each of the n rows of X to the nh
 * hard rows Q (same label only if ylab and hlab are both non-NULL).
 */
void		acq_min_dist_to_hard(const double *X, const double *ylab, int64_t n,
								 const double *Q, const double *hlab, int64_t nh,
								 int d, double *out);

/* ---- binned distance (Algorithms 4-5, binning.c) ------------------------- */

/*
 * Per chosen feature: a number of equal-width bins and their edges, fitted
 * on the union of the hard rows and a random sample of the owner's rows.
 * A value's bin ("binning coordinate") is numpy.digitize's: the number of
 * edges <= the value, 0 .. nbins + 1 (NaN: nbins + 1).
 */
typedef struct AcqBinning AcqBinning;

/*
 * Fit the bins.  hard: nh x d, sample: ns x d (ns may be 0), features: nf
 * column indices in [0, d); candidates: ncand bin counts, strictly
 * ascending, each in [1, ACQ_BINNING_MAX_BINS]; min_bins >= 1.  For each
 * feature the bin count is the first candidate under which the union has at
 * least min_bins non-empty bins, else the largest candidate; the edges are
 * equal-width over the union's [min, max] (numpy.histogram_bin_edges).
 * At most ACQ_BINNING_MAX_FEATURES features are binned.
 * Returns ACQ_ERR_ARGUMENT (message in errbuf) for bad arguments or a
 * non-finite value in a chosen feature of the union, ACQ_ERR_EMPTY when
 * nh < 1, ACQ_ERR_TOO_LARGE when the sum over features of (bins + 1), the
 * largest possible binned distance, exceeds 32767 (distances are computed
 * in int16; with 200 bins that allows 163 features).
 */
#define ACQ_BINNING_MAX_BINS 32766
/* the most features one binning bins (nf) */
#define ACQ_BINNING_MAX_FEATURES 1024

AcqStatus	acq_binning_fit(const double *hard, int64_t nh, const double *sample,
							int64_t ns, int d, const int *features, int nf,
							const int *candidates, int ncand, int min_bins,
							AcqBinning **out, char *errbuf, size_t errlen);

/*
 * out[i] = min over the hard rows (same label only if ylab and hlab are both
 * non-NULL) of the binned distance sum_f |c_f(X_i) - c_f(hard_j)|, the L1
 * distance between binning coordinates (Algorithm 4 + Algorithm 2).
 * X and hard are n x d and nh x d, with the d of the fit.
 */
void		acq_binning_min_dist(const AcqBinning *b, const double *X, const double *ylab,
								 int64_t n, const double *hard, const double *hlab,
								 int64_t nh, double *out);

/*
 * The authors' code (calculate_binning_distance.py) instead sums, over the
 * features, each feature's own minimum over the hard rows:
 * out[i] = sum_f min_j |c_f(X_i) - c_f(hard_j)|, a lower bound of the above.
 * Offered for comparison with their published selections.
 */
void		acq_binning_min_dist_featurewise(const AcqBinning *b, const double *X,
											 const double *ylab, int64_t n,
											 const double *hard, const double *hlab,
											 int64_t nh, double *out);

/* the fitted binning: features, bin counts, edges, coordinates of a row */
int			acq_binning_nfeatures(const AcqBinning *b);
int			acq_binning_feature(const AcqBinning *b, int f);
int			acq_binning_nbins(const AcqBinning *b, int f);
const double *acq_binning_edges(const AcqBinning *b, int f);	/* nbins + 1 */
void		acq_binning_coords(const AcqBinning *b, const double *row, int *codes);
void		acq_binning_free(AcqBinning *b);

/*
 * Bernoulli sampling of owner rows at rate r (Algorithm 5's sample(DO, r)),
 * for a caller that streams the owner's rows: each of the n rows of X
 * (n x d) is copied to dst (room for n rows) with probability r; returns
 * the number copied.
 */
int64_t		acq_sample_rows(AcqRng *rng, double r, const double *X, int64_t n, int d,
							double *dst);

#endif							/* ACQ_NEAREST_H */
