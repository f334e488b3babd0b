/*
 * tree.h -- CART decision-tree classifier (the best-split algorithm of
 * scikit-learn's DecisionTreeClassifier).
 *
 * Training rows are X (row-major n x d doubles) with int labels y in
 * 0..K-1 and optional non-negative sample weights (NULL: all 1).  The tree
 * is grown depth first from the root.  At each node every feature (or a
 * random subset of max_features of them) is searched for the best binary
 * split "x[f] <= threshold": the node's rows are scanned in increasing
 * order of x[f], and every boundary between two distinct consecutive values
 * x_a < x_b that leaves at least min_samples_leaf rows and a positive
 * weight on each side is a candidate with threshold (x_a + x_b) / 2 (x_a when rounding makes the
 * midpoint equal x_b).  The chosen split maximises the weighted impurity
 * decrease
 *
 *     W_t / W * (I(t) - W_l / W_t * I(l) - W_r / W_t * I(r))
 *
 * (W: weights of all rows, W_t of the node's, I the criterion: Gini
 * 1 - sum_k p_k^2 or entropy -sum_k p_k log2 p_k, p_k the weighted class
 * fractions).  Class counts and min_samples_* count rows; everything else
 * is weighted.
 *
 * A node is a leaf when its depth is max_depth, it has fewer than
 * min_samples_split or 2 * min_samples_leaf rows, it is pure (impurity
 * <= DBL_EPSILON), no candidate split exists (every feature searched is
 * constant on it, or min_samples_leaf rules every boundary out), or the
 * best split's decrease is below min_impurity_decrease.  As in
 * scikit-learn, a node that is not pure is split even when its best split
 * decreases the impurity by zero (min_impurity_decrease = 0): a split of
 * zero decrease can still make way for useful splits further down.
 *
 * Ties.  Features are searched in increasing index order (with
 * max_features: in the random order drawn for the node), thresholds in
 * increasing order, and a candidate replaces the best so far only when
 * strictly better: among equal decreases the first feature searched, then
 * the lowest threshold, wins.  scikit-learn searches the features in a
 * random order (random_state), so on exact ties the two can pick different
 * (equally good) splits; without ties they grow the same tree.
 *
 * Differences from scikit-learn: it converts X to float32 before fitting
 * and predicting (here the doubles are used as given; on float32-exact data
 * the thresholds are identical), and it treats values within 1e-7 of each
 * other as equal when looking for boundaries (here only equal values are).
 *
 * Algorithm.  Each feature's row indexes are sorted once at the start (a
 * radix sort, O(d n)); a node owns the same contiguous range [start, end)
 * of every feature's sorted array, and splitting the node partitions each
 * of those ranges stably into its left rows then its right rows, so the
 * children's ranges stay sorted.  The labels and the ranks of the values
 * are carried alongside the indexes, so the search scans memory
 * sequentially.  Each tree level costs O(d n) whatever its number of
 * nodes; the fit holds about 12 d n bytes besides X (plus 8 n for the
 * entropy criterion without weights).
 *
 * Nodes are numbered in preorder (node, left subtree, right subtree), as
 * scikit-learn's depth-first builder numbers them; node 0 is the root.
 * All memory comes from acq_alloc; interrupts are polled once per feature
 * while presorting and once per node while growing.
 */
#ifndef ACQ_TREE_H
#define ACQ_TREE_H

#include "core/acq_core.h"

typedef enum AcqTreeCriterion
{
	ACQ_TREE_GINI,
	ACQ_TREE_ENTROPY			/* in bits (log2), as scikit-learn */
} AcqTreeCriterion;

typedef struct AcqTreeParams
{
	AcqTreeCriterion criterion; /* default ACQ_TREE_GINI */
	int			max_depth;		/* <= 0: unlimited (default) */
	int			min_samples_split;	/* >= 2, default 2 */
	int			min_samples_leaf;	/* >= 1, default 1 */
	double		min_impurity_decrease;	/* >= 0, default 0 */
	int			max_features;	/* 0 or >= d: all (default); else features
								 * drawn at random per node (needs an rng) */
} AcqTreeParams;

typedef struct AcqTreeNode
{
	int32_t		feature;		/* split feature; -1 at a leaf */
	int32_t		left;			/* child node indexes; -1 at a leaf */
	int32_t		right;
	int32_t		depth;			/* root 0 */
	double		threshold;		/* x[feature] <= threshold goes left */
	double		impurity;		/* criterion of the node's rows */
	double		weight;			/* sum of the node's sample weights */
	int64_t		rows;			/* the node's training rows */
} AcqTreeNode;

typedef struct AcqTree
{
	int			d;				/* features */
	int			K;				/* classes */
	int32_t		n_nodes;
	int32_t		n_leaves;
	int			depth;			/* of the deepest leaf; root alone 0 */
	AcqTreeNode *nodes;			/* n_nodes */
	double	   *value;			/* n_nodes x K weighted class counts */
} AcqTree;

void		acq_tree_default_params(AcqTreeParams *p);

/*
 * Grow a tree on n rows.  w may be NULL; rng may be NULL unless
 * 0 < max_features < d.  A class in 0..K-1 that no row has is simply
 * never predicted.
 *
 * Returns ACQ_OK; ACQ_ERR_EMPTY for n = 0; ACQ_ERR_ARGUMENT for a bad
 * parameter, a label outside 0..K-1, a non-finite value in X, a negative
 * or non-finite weight or a zero total weight; ACQ_ERR_TOO_LARGE for 2^30
 * rows or more.  errbuf (may be NULL) receives a message for any
 * status but ACQ_OK.  out must be released by acq_tree_free, on error too
 * (it is then a no-op).
 */
/* the most acq_tree_fit allocates, in bytes (the rows not counted) */
double		acq_tree_fit_bytes(int64_t n, int d, int K, const AcqTreeParams *p);
AcqStatus	acq_tree_fit(const double *X, const int *y, const double *w,
						 int64_t n, int d, int K, const AcqTreeParams *p,
						 AcqRng *rng, AcqTree *out, char *errbuf,
						 size_t errlen);

/*
 * Index of the leaf each of n rows (row-major n x d) falls in; a NaN
 * feature value goes right (scikit-learn 1.2 refuses NaN).
 */
void		acq_tree_apply(const AcqTree *t, const double *X, int64_t n,
						   int32_t *leaf);

/* class of the leaf's largest weighted count, the lowest class on ties */
void		acq_tree_predict(const AcqTree *t, const double *X, int64_t n,
							 int *pred);

/* the leaf's class counts over their sum, n x K row-major */
void		acq_tree_predict_proba(const AcqTree *t, const double *X,
								   int64_t n, double *proba);

int			acq_tree_depth(const AcqTree *t);
int			acq_tree_leaves(const AcqTree *t);
void		acq_tree_free(AcqTree *t);

#endif							/* ACQ_TREE_H */
