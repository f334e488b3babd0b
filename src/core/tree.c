/*
 * tree.c -- CART decision-tree classifier (see tree.h for the algorithm,
 * the stopping rules and the tie rule).
 *
 * Layout of the fit.  For every feature f, rows[f] holds the row indexes
 * sorted by x[row][f] once at the start, with two arrays alongside:
 * rank[f], the rank of the value among the feature's distinct values
 * (equal values, equal ranks: the boundaries between distinct values are
 * where the rank changes), and cls[f], the row's label.  A node is a range
 * [start, end) that is the same set of rows in every feature's arrays, each
 * sorted by its own feature.  The split search of feature f is one
 * sequential scan of rank[f] / cls[f] over the range (no random access to
 * X or y, which matters once the rows outgrow the caches); the split itself
 * marks the rows going left (they are a prefix of the split feature's
 * range) and stably partitions every other feature's range into left rows
 * then right rows, so both children are again ranges that are sorted in
 * every feature.  The thresholds are read back from X.
 *
 * The nodes are grown depth first with an explicit stack (the right child
 * is pushed first, so the left subtree is numbered first: preorder).
 */
#include "core/tree.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* fewer rows than this keep the node count (< 2n) within int32 */
#define TREE_MAX_ROWS ((int64_t) 1 << 30)

typedef struct StackItem
{
	int32_t		start;
	int32_t		end;
	int32_t		depth;
	int32_t		parent;			/* -1 for the root */
	bool		is_left;
} StackItem;

/* the best split found so far at a node */
typedef struct Split
{
	int			feature;		/* -1: none yet */
	int32_t		pos;			/* first row of the right child (absolute) */
	double		proxy;			/* criterion proxy, larger is better */
} Split;

typedef struct TreeBuild
{
	/* the problem */
	const double *X;
	const int  *y;
	const double *w;			/* NULL: all 1 */
	int32_t		n;
	int			d;
	int			K;
	const AcqTreeParams *p;
	AcqRng	   *rng;
	double		wtotal;			/* weight of all rows */

	/* presorted features, partitioned down the tree */
	int32_t   **rows;			/* d arrays of n: row indexes */
	int32_t   **rank;			/* d arrays of n: ranks of the values */
	int32_t   **cls;			/* d arrays of n: labels */

	/* scratch */
	int32_t    *tmp_rows;		/* n */
	int32_t    *tmp_rank;		/* n */
	int32_t    *tmp_cls;		/* n */
	double	   *xlogx;			/* entropy without weights: c log2 c for
								 * the whole counts c = 0..n; else NULL */
	uint8_t    *goleft;			/* n, by row */
	double	   *cnode;			/* K: class weights of the node */
	double	   *cleft;			/* K: class weights left of a boundary */
	int		   *present;		/* classes with weight in the node */
	int			npresent;
	int		   *feat;			/* d: the order features are searched */

	int32_t		cap;			/* room in the tree's node arrays */

	/* pending nodes */
	StackItem  *stack;
	int32_t		stack_len;
	int32_t		stack_cap;
} TreeBuild;

static inline int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

void
acq_tree_default_params(AcqTreeParams *p)
{
	p->criterion = ACQ_TREE_GINI;
	p->max_depth = 0;
	p->min_samples_split = 2;
	p->min_samples_leaf = 1;
	p->min_impurity_decrease = 0.0;
	p->max_features = 0;
}

/*
 * Nodes of at least this many rows look for interrupts before each
 * feature's split search and partition (grow_node looks once per node):
 * the root's d scans of n rows can take seconds.
 */
#define TREE_CHECK_ROWS 4096

/* ---- presorting ----------------------------------------------------------- */

/*
 * Features are sorted by an LSD radix sort of their values' bit patterns:
 * RADIX_BITS bits per pass, lowest digit first; each pass is a stable
 * counting sort, so the result is sorted by value with equal values in
 * row order.
 */
#define RADIX_BITS 11
#define RADIX_SIZE (1 << RADIX_BITS)
#define RADIX_PASSES ((64 + RADIX_BITS - 1) / RADIX_BITS)

/*
 * An unsigned integer key with the order of the double v: the sign bit is
 * flipped for v >= 0 and all bits are flipped for v < 0 (IEEE 754 doubles
 * of one sign are ordered as their bit patterns); -0 is taken as +0.
 */
static inline uint64_t
sort_key(double v)
{
	uint64_t	u;

	if (v == 0.0)
		v = 0.0;
	memcpy(&u, &v, sizeof(u));
	return (u >> 63) ? ~u : (u | ((uint64_t) 1 << 63));
}

/*
 * Sort n (key, row) pairs by key, stably, with (tk, tr) as scratch and
 * count (RADIX_PASSES x RADIX_SIZE) for the digit histograms.  A pass
 * whose digit is the same for every key is skipped.
 */
static void
radix_sort(uint64_t *key, int32_t *row, uint64_t *tk, int32_t *tr,
		   int32_t *count, int32_t n)
{
	uint64_t   *sk = key,
			   *dk = tk;
	int32_t    *sr = row,
			   *dr = tr;
	int			pass;
	int32_t		i;

	memset(count, 0, sizeof(int32_t) * RADIX_PASSES * RADIX_SIZE);
	for (i = 0; i < n; i++)
		for (pass = 0; pass < RADIX_PASSES; pass++)
			count[pass * RADIX_SIZE +
				  ((key[i] >> (pass * RADIX_BITS)) & (RADIX_SIZE - 1))]++;

	for (pass = 0; pass < RADIX_PASSES; pass++)
	{
		int32_t    *c = count + pass * RADIX_SIZE;
		int			shift = pass * RADIX_BITS;
		int32_t		sum = 0;
		int			digit;

		if (c[(sk[0] >> shift) & (RADIX_SIZE - 1)] == n)
			continue;			/* one digit value: nothing to reorder */
		/* counts -> first output position of each digit */
		for (digit = 0; digit < RADIX_SIZE; digit++)
		{
			int32_t		t = c[digit];

			c[digit] = sum;
			sum += t;
		}
		for (i = 0; i < n; i++)
		{
			int32_t		o = c[(sk[i] >> shift) & (RADIX_SIZE - 1)]++;

			dk[o] = sk[i];
			dr[o] = sr[i];
		}
		{
			uint64_t   *xk = sk;
			int32_t    *xr = sr;

			sk = dk, dk = xk;
			sr = dr, dr = xr;
		}
	}
	if (sk != key)
	{
		memcpy(key, sk, sizeof(uint64_t) * n);
		memcpy(row, sr, sizeof(int32_t) * n);
	}
}

/*
 * rows[f] := the rows sorted by feature f (equal values in row order),
 * rank[f] and cls[f] alongside.
 */
static void
presort(TreeBuild *b)
{
	uint64_t   *key = acq_alloc_array(b->n, sizeof(uint64_t));
	uint64_t   *tmp = acq_alloc_array(b->n, sizeof(uint64_t));
	int32_t    *count = acq_alloc_array(RADIX_PASSES * RADIX_SIZE,
										sizeof(int32_t));
	int			f;
	int32_t		i;

	for (f = 0; f < b->d; f++)
	{
		int32_t    *rows,
				   *rank,
				   *cls;

		acq_check_interrupts();
		rows = b->rows[f] = acq_alloc_array(b->n, sizeof(int32_t));
		rank = b->rank[f] = acq_alloc_array(b->n, sizeof(int32_t));
		cls = b->cls[f] = acq_alloc_array(b->n, sizeof(int32_t));
		for (i = 0; i < b->n; i++)
		{
			rows[i] = i;
			key[i] = sort_key(b->X[(int64_t) i * b->d + f]);
		}
		radix_sort(key, rows, tmp, b->tmp_rows, count, b->n);
		/* equal values have equal keys */
		rank[0] = 0;
		for (i = 1; i < b->n; i++)
			rank[i] = rank[i - 1] + (key[i] != key[i - 1]);
		for (i = 0; i < b->n; i++)
			cls[i] = b->y[rows[i]];
	}
	acq_free(key);
	acq_free(tmp);
	acq_free(count);
}

/* ---- impurity ------------------------------------------------------------- */

static inline double
row_weight(const TreeBuild *b, int32_t row)
{
	return b->w ? b->w[row] : 1.0;
}

/*
 * Impurity of class weights c (total wt > 0) over the present classes:
 * Gini 1 - sum p^2, entropy -sum p log2 p.
 */
static double
impurity(const TreeBuild *b, const double *c, double wt)
{
	double		s = 0.0;
	int			i;

	for (i = 0; i < b->npresent; i++)
	{
		double		pk = c[b->present[i]] / wt;

		if (b->p->criterion == ACQ_TREE_GINI)
			s += pk * pk;
		else if (pk > 0.0)
			s -= pk * log2(pk);
	}
	return b->p->criterion == ACQ_TREE_GINI ? 1.0 - s : s;
}

/* c log2 c (0 for c = 0), from the table when the counts are whole */
static inline double
xlog2x(const TreeBuild *b, double c)
{
	if (b->xlogx)
		return b->xlogx[(int64_t) c];
	return c > 0.0 ? c * log2(c) : 0.0;
}

/*
 * The quantity the split search maximises: minus the weighted impurity of
 * the children, -(wl I(l) + wr I(r)), up to a constant of the node.
 *   Gini:    wI = w - sum c^2 / w           -> sum_l c^2 / wl + sum_r c^2 / wr
 *   entropy: wI = w log2 w - sum c log2 c   -> sum c log2 c - w log2 w, both sides
 * The right-hand class weights are the node's minus the left's.
 */
static double
split_proxy(const TreeBuild *b, double wl, double wr)
{
	const double *cl = b->cleft;
	const double *cn = b->cnode;
	int			i;

	if (b->p->criterion == ACQ_TREE_GINI)
	{
		double		sl = 0.0,
					sr = 0.0;

		for (i = 0; i < b->npresent; i++)
		{
			int			k = b->present[i];
			double		r = cn[k] - cl[k];

			sl += cl[k] * cl[k];
			sr += r * r;
		}
		return sl / wl + sr / wr;
	}
	else
	{
		double		s = -xlog2x(b, wl) - xlog2x(b, wr);

		for (i = 0; i < b->npresent; i++)
		{
			int			k = b->present[i];

			s += xlog2x(b, cl[k]) + xlog2x(b, cn[k] - cl[k]);
		}
		return s;
	}
}

/* cnode, present := the node's class weights and the classes present */
static double
node_counts(TreeBuild *b, int32_t start, int32_t end)
{
	const int32_t *rows = b->rows[0];
	const int32_t *cls = b->cls[0];
	double		wt = 0.0;
	int32_t		i;
	int			k;

	memset(b->cnode, 0, sizeof(double) * b->K);
	for (i = start; i < end; i++)
	{
		double		wi = row_weight(b, rows[i]);

		b->cnode[cls[i]] += wi;
		wt += wi;
	}
	b->npresent = 0;
	for (k = 0; k < b->K; k++)
		if (b->cnode[k] > 0.0)
			b->present[b->npresent++] = k;
	return wt;
}

/* ---- split search --------------------------------------------------------- */

/*
 * Scan feature f over the node [start, end) (class weights in cnode, total
 * wt): every boundary between distinct consecutive values that leaves
 * min_samples_leaf rows and a positive weight on each side is a candidate;
 * a candidate strictly better than *best replaces it.  Returns false when
 * the feature is constant on the node.
 */
static bool
search_feature(TreeBuild *b, int f, int32_t start, int32_t end, double wt,
			   Split *best)
{
	const int32_t *rows = b->rows[f];
	const int32_t *rank = b->rank[f];
	const int32_t *cls = b->cls[f];
	int32_t		msl = b->p->min_samples_leaf;
	double		wl = 0.0;
	int32_t		i;

	if (rank[end - 1] == rank[start])
		return false;
	for (i = 0; i < b->npresent; i++)
		b->cleft[b->present[i]] = 0.0;

	for (i = start; i < end - 1; i++)
	{
		double		wi = row_weight(b, rows[i]);
		double		proxy;

		b->cleft[cls[i]] += wi;
		wl += wi;
		if (rank[i + 1] == rank[i])
			continue;			/* not a boundary */
		if (i + 1 - start < msl)
			continue;
		if (end - (i + 1) < msl)
			break;
		if (!(wl > 0.0) || !(wt - wl > 0.0))
			continue;
		proxy = split_proxy(b, wl, wt - wl);
		if (best->feature < 0 || proxy > best->proxy)
		{
			best->feature = f;
			best->pos = i + 1;
			best->proxy = proxy;
		}
	}
	return true;
}

/*
 * The best split of node [start, end) over all features, or over
 * max_features of them in a random order (constant features do not count
 * towards max_features).  false when there is no candidate.
 */
static bool
best_split(TreeBuild *b, int32_t start, int32_t end, double wt, Split *best)
{
	int			mf = b->p->max_features;
	int			searched = 0;
	int			i;

	best->feature = -1;
	best->pos = end;
	best->proxy = -INFINITY;
	if (mf <= 0 || mf >= b->d)
		mf = b->d;
	else
		acq_rng_shuffle_int(b->rng, b->feat, b->d);

	for (i = 0; i < b->d && searched < mf; i++)
	{
		/* a large node's search is d scans of its rows: look between them */
		if (end - start >= TREE_CHECK_ROWS)
			acq_check_interrupts();
		if (search_feature(b, b->feat[i], start, end, wt, best))
			searched++;
	}
	return best->feature >= 0;
}

/* the split's threshold: midpoint of the values either side of it */
static double
split_threshold(const TreeBuild *b, const Split *s)
{
	const int32_t *rows = b->rows[s->feature];
	double		lo = b->X[(int64_t) rows[s->pos - 1] * b->d + s->feature];
	double		hi = b->X[(int64_t) rows[s->pos] * b->d + s->feature];
	double		t = lo / 2.0 + hi / 2.0;

	/* between adjacent doubles the midpoint rounds to one of them */
	if (t >= hi || !isfinite(t))
		t = lo;
	return t;
}

/*
 * Weighted impurity decrease of split s of node [start, end) with impurity
 * imp and weight wt, relative to all rows (min_impurity_decrease's scale).
 */
static double
split_decrease(TreeBuild *b, const Split *s, int32_t start, int32_t end,
			   double imp, double wt)
{
	const int32_t *rows = b->rows[s->feature];
	const int32_t *cls = b->cls[s->feature];
	double		wl = 0.0;
	double		il,
				ir;
	int32_t		i;
	int			k;

	memset(b->cleft, 0, sizeof(double) * b->K);
	for (i = start; i < s->pos; i++)
	{
		double		wi = row_weight(b, rows[i]);

		b->cleft[cls[i]] += wi;
		wl += wi;
	}
	il = impurity(b, b->cleft, wl);
	/* the right side's class weights, in cleft */
	for (k = 0; k < b->K; k++)
		b->cleft[k] = b->cnode[k] - b->cleft[k];
	ir = impurity(b, b->cleft, wt - wl);
	return wt / b->wtotal *
		(imp - (wt - wl) / wt * ir - wl / wt * il);
}

/* ---- partitioning --------------------------------------------------------- */

/*
 * Split node [start, end) at s: the rows before s->pos in the split
 * feature's order go left.  Every other feature's range is partitioned
 * stably (left rows first, each side still sorted).
 */
static void
partition(TreeBuild *b, const Split *s, int32_t start, int32_t end)
{
	int			f;
	int32_t		i;

	for (i = start; i < end; i++)
		b->goleft[b->rows[s->feature][i]] = (i < s->pos);

	for (f = 0; f < b->d; f++)
	{
		int32_t    *rows = b->rows[f];
		int32_t    *rank = b->rank[f];
		int32_t    *cls = b->cls[f];
		int32_t		l = start;
		int32_t		r = 0;

		if (end - start >= TREE_CHECK_ROWS)
			acq_check_interrupts();

		if (f == s->feature)
			continue;
		for (i = start; i < end; i++)
		{
			int32_t		row = rows[i];

			if (b->goleft[row])
			{
				rows[l] = row;
				rank[l] = rank[i];
				cls[l++] = cls[i];
			}
			else
			{
				b->tmp_rows[r] = row;
				b->tmp_rank[r] = rank[i];
				b->tmp_cls[r++] = cls[i];
			}
		}
		memcpy(rows + l, b->tmp_rows, sizeof(int32_t) * r);
		memcpy(rank + l, b->tmp_rank, sizeof(int32_t) * r);
		memcpy(cls + l, b->tmp_cls, sizeof(int32_t) * r);
	}
}

/* ---- growing -------------------------------------------------------------- */

static void
push(TreeBuild *b, int32_t start, int32_t end, int32_t depth, int32_t parent,
	 bool is_left)
{
	StackItem  *it;

	if (b->stack_len == b->stack_cap)
	{
		/* at most depth + 2 <= n + 1 entries are pending */
		int32_t		cap = (int32_t) min64((int64_t) b->stack_cap * 2,
										(int64_t) b->n + 1);
		StackItem  *s = acq_alloc_array(cap, sizeof(StackItem));

		memcpy(s, b->stack, sizeof(StackItem) * b->stack_len);
		acq_free(b->stack);
		b->stack = s;
		b->stack_cap = cap;
	}
	it = &b->stack[b->stack_len++];
	it->start = start;
	it->end = end;
	it->depth = depth;
	it->parent = parent;
	it->is_left = is_left;
}

/* a new node at the end of the tree's arrays (grown by doubling) */
static int32_t
new_node(TreeBuild *b, AcqTree *t)
{
	if (t->n_nodes == b->cap)
	{
		/* a binary tree of n leaves at most has 2n - 1 nodes */
		int32_t		cap = (int32_t) min64((int64_t) b->cap * 2,
										2 * (int64_t) b->n - 1);
		AcqTreeNode *nodes = acq_alloc_array(cap, sizeof(AcqTreeNode));
		double	   *value = acq_alloc_array((size_t) cap * b->K, sizeof(double));

		memcpy(nodes, t->nodes, sizeof(AcqTreeNode) * t->n_nodes);
		memcpy(value, t->value, sizeof(double) * t->n_nodes * b->K);
		acq_free(t->nodes);
		acq_free(t->value);
		t->nodes = nodes;
		t->value = value;
		b->cap = cap;
	}
	return t->n_nodes++;
}

/* is a node of this many rows, depth and impurity a leaf before searching? */
static bool
leaf_by_rule(const TreeBuild *b, int32_t rows, int32_t depth, double imp)
{
	const AcqTreeParams *p = b->p;

	return (p->max_depth > 0 && depth >= p->max_depth) ||
		rows < p->min_samples_split ||
		rows < 2 * (int64_t) p->min_samples_leaf ||
		imp <= DBL_EPSILON;
}

/* grow the node on top of the stack: record it, split it or not */
static void
grow_node(TreeBuild *b, AcqTree *t)
{
	StackItem	it = b->stack[--b->stack_len];
	int32_t		id;
	AcqTreeNode *node;
	double		wt,
				imp;
	Split		s;

	acq_check_interrupts();
	id = new_node(b, t);
	if (it.parent >= 0)
	{
		if (it.is_left)
			t->nodes[it.parent].left = id;
		else
			t->nodes[it.parent].right = id;
	}
	wt = node_counts(b, it.start, it.end);
	imp = impurity(b, b->cnode, wt);
	memcpy(t->value + (size_t) id * b->K, b->cnode, sizeof(double) * b->K);

	node = &t->nodes[id];
	node->feature = -1;
	node->left = node->right = -1;
	node->depth = it.depth;
	node->threshold = 0.0;
	node->impurity = imp;
	node->weight = wt;
	node->rows = it.end - it.start;

	if (leaf_by_rule(b, it.end - it.start, it.depth, imp) ||
		!best_split(b, it.start, it.end, wt, &s) ||
		split_decrease(b, &s, it.start, it.end, imp, wt) + DBL_EPSILON <
		b->p->min_impurity_decrease)
	{
		t->n_leaves++;
		if (it.depth > t->depth)
			t->depth = it.depth;
		return;
	}

	node->feature = s.feature;
	node->threshold = split_threshold(b, &s);
	partition(b, &s, it.start, it.end);
	push(b, s.pos, it.end, it.depth + 1, id, false);
	push(b, it.start, s.pos, it.depth + 1, id, true);
}

/* ---- fit ------------------------------------------------------------------ */

static AcqStatus
fail(AcqStatus st, char *errbuf, size_t errlen, const char *msg)
{
	acq_set_error(errbuf, errlen, msg);
	return st;
}

/* check the arguments; on success *wtotal is the weight of all rows */
static AcqStatus
check_args(const double *X, const int *y, const double *w, int64_t n, int d,
		   int K, const AcqTreeParams *p, AcqRng *rng, double *wtotal,
		   char *errbuf, size_t errlen)
{
	int64_t		i;

	if (n < 0 || d < 1 || K < 1 || p == NULL)
		return fail(ACQ_ERR_ARGUMENT, errbuf, errlen,
					"tree: need n >= 0, d >= 1, K >= 1 and parameters");
	if (n == 0)
		return fail(ACQ_ERR_EMPTY, errbuf, errlen, "tree: no training rows");
	if (n >= TREE_MAX_ROWS)
		return fail(ACQ_ERR_TOO_LARGE, errbuf, errlen,
					"tree: 2^30 training rows or more");
	if (p->criterion != ACQ_TREE_GINI && p->criterion != ACQ_TREE_ENTROPY)
		return fail(ACQ_ERR_ARGUMENT, errbuf, errlen, "tree: unknown criterion");
	if (p->min_samples_split < 2 || p->min_samples_leaf < 1 ||
		!(p->min_impurity_decrease >= 0.0) || p->max_features < 0)
		return fail(ACQ_ERR_ARGUMENT, errbuf, errlen,
					"tree: need min_samples_split >= 2, min_samples_leaf >= 1, "
					"min_impurity_decrease >= 0 and max_features >= 0");
	if (p->max_features > 0 && p->max_features < d && rng == NULL)
		return fail(ACQ_ERR_ARGUMENT, errbuf, errlen,
					"tree: max_features < d needs a random source");
	for (i = 0; i < n; i++)
		if (y[i] < 0 || y[i] >= K)
			return fail(ACQ_ERR_ARGUMENT, errbuf, errlen,
						"tree: a label is outside 0..K-1");
	for (i = 0; i < n * d; i++)
		if (!isfinite(X[i]))
			return fail(ACQ_ERR_ARGUMENT, errbuf, errlen,
						"tree: a feature value is not finite");
	*wtotal = 0.0;
	for (i = 0; i < n; i++)
	{
		double		wi = w ? w[i] : 1.0;

		if (!(wi >= 0.0) || !isfinite(wi))
			return fail(ACQ_ERR_ARGUMENT, errbuf, errlen,
						"tree: a sample weight is negative or not finite");
		*wtotal += wi;
	}
	if (!(*wtotal > 0.0))
		return fail(ACQ_ERR_ARGUMENT, errbuf, errlen,
					"tree: the sample weights sum to zero");
	return ACQ_OK;
}

/* c log2 c for c = 0..n, computed as xlog2x computes it without a table */
static double *
xlogx_table(int64_t n)
{
	double	   *t = acq_alloc_array(n + 1, sizeof(double));
	int64_t		c;

	for (c = 1; c <= n; c++)
		t[c] = (double) c * log2((double) c);
	return t;
}

static void
build_free(TreeBuild *b)
{
	int			f;

	for (f = 0; f < b->d; f++)
	{
		acq_free(b->rows[f]);
		acq_free(b->rank[f]);
		acq_free(b->cls[f]);
	}
	acq_free(b->rows);
	acq_free(b->rank);
	acq_free(b->cls);
	acq_free(b->tmp_rows);
	acq_free(b->tmp_rank);
	acq_free(b->tmp_cls);
	acq_free(b->xlogx);
	acq_free(b->goleft);
	acq_free(b->cnode);
	acq_free(b->cleft);
	acq_free(b->present);
	acq_free(b->feat);
	acq_free(b->stack);
}

/* trim the node arrays to the tree's size */
static void
shrink_tree(AcqTree *t, int32_t cap)
{
	AcqTreeNode *nodes;
	double	   *value;

	if (t->n_nodes == cap)
		return;
	nodes = acq_alloc_array(t->n_nodes, sizeof(AcqTreeNode));
	value = acq_alloc_array((size_t) t->n_nodes * t->K, sizeof(double));
	memcpy(nodes, t->nodes, sizeof(AcqTreeNode) * t->n_nodes);
	memcpy(value, t->value, sizeof(double) * t->n_nodes * t->K);
	acq_free(t->nodes);
	acq_free(t->value);
	t->nodes = nodes;
	t->value = value;
}

/*
 * What acq_tree_fit allocates at most, in bytes (the rows not counted): per
 * feature the rows sorted by it, their ranks and classes (12 n d); the
 * presort's keys and scratch (16 n); three row-length scratch arrays and
 * the split marks (13 n); the entropy table (8 n); and the nodes, at most
 * 2 leaves - 1 (leaves: at most n / min_samples_leaf, and 2^max_depth),
 * each a node and K class values, half again while the arrays double.
 */
double
acq_tree_fit_bytes(int64_t n, int d, int K, const AcqTreeParams *p)
{
	double		leaves = (double) n / (p->min_samples_leaf > 1 ? p->min_samples_leaf : 1);
	double		nodes;

	if (p->max_depth > 0 && p->max_depth < 60)
		leaves = fmin(leaves, ldexp(1.0, p->max_depth));
	nodes = fmax(64.0, 2.0 * ceil(leaves) - 1.0);
	return 12.0 * n * d + 16.0 * n + 13.0 * n + 8.0 * (n + 1.0) +
		1.5 * nodes * (sizeof(AcqTreeNode) + sizeof(double) * (double) K) +
		(3.0 * sizeof(int32_t *) + sizeof(int)) * d;
}

AcqStatus
acq_tree_fit(const double *X, const int *y, const double *w, int64_t n, int d,
			 int K, const AcqTreeParams *p, AcqRng *rng, AcqTree *out,
			 char *errbuf, size_t errlen)
{
	TreeBuild	b;
	AcqStatus	st;
	double		wtotal = 0.0;
	int			f;

	memset(out, 0, sizeof(AcqTree));
	st = check_args(X, y, w, n, d, K, p, rng, &wtotal, errbuf, errlen);
	if (st != ACQ_OK)
		return st;

	memset(&b, 0, sizeof(b));
	b.X = X;
	b.y = y;
	b.w = w;
	b.n = (int32_t) n;
	b.d = d;
	b.K = K;
	b.p = p;
	b.rng = rng;
	b.wtotal = wtotal;
	b.rows = acq_alloc_array(d, sizeof(int32_t *));
	b.rank = acq_alloc_array(d, sizeof(int32_t *));
	b.cls = acq_alloc_array(d, sizeof(int32_t *));
	b.tmp_rows = acq_alloc_array(n, sizeof(int32_t));
	b.tmp_rank = acq_alloc_array(n, sizeof(int32_t));
	b.tmp_cls = acq_alloc_array(n, sizeof(int32_t));
	if (p->criterion == ACQ_TREE_ENTROPY && w == NULL)
		b.xlogx = xlogx_table(n);
	b.goleft = acq_alloc_array(n, 1);
	b.cnode = acq_alloc_array(K, sizeof(double));
	b.cleft = acq_alloc_array(K, sizeof(double));
	b.present = acq_alloc_array(K, sizeof(int));
	b.feat = acq_alloc_array(d, sizeof(int));
	for (f = 0; f < d; f++)
		b.feat[f] = f;
	b.stack_cap = 64;
	b.stack = acq_alloc_array(b.stack_cap, sizeof(StackItem));
	b.cap = 64;

	out->d = d;
	out->K = K;
	out->nodes = acq_alloc_array(b.cap, sizeof(AcqTreeNode));
	out->value = acq_alloc_array((size_t) b.cap * K, sizeof(double));

	presort(&b);
	push(&b, 0, b.n, 0, -1, false);
	while (b.stack_len > 0)
		grow_node(&b, out);

	build_free(&b);
	shrink_tree(out, b.cap);
	return ACQ_OK;
}

/* ---- prediction ----------------------------------------------------------- */

/* the leaf row x falls in (a NaN goes right) */
static int32_t
leaf_of(const AcqTree *t, const double *x)
{
	int32_t		i = 0;

	while (t->nodes[i].feature >= 0)
	{
		const AcqTreeNode *nd = &t->nodes[i];

		i = (x[nd->feature] <= nd->threshold) ? nd->left : nd->right;
	}
	return i;
}

void
acq_tree_apply(const AcqTree *t, const double *X, int64_t n, int32_t *leaf)
{
	int64_t		i;

	for (i = 0; i < n; i++)
		leaf[i] = leaf_of(t, X + i * t->d);
}

void
acq_tree_predict(const AcqTree *t, const double *X, int64_t n, int *pred)
{
	int64_t		i;

	for (i = 0; i < n; i++)
	{
		const double *v = t->value + (size_t) leaf_of(t, X + i * t->d) * t->K;
		int			best = 0;
		int			k;

		for (k = 1; k < t->K; k++)
			if (v[k] > v[best])
				best = k;
		pred[i] = best;
	}
}

void
acq_tree_predict_proba(const AcqTree *t, const double *X, int64_t n,
					   double *proba)
{
	int64_t		i;

	for (i = 0; i < n; i++)
	{
		const double *v = t->value + (size_t) leaf_of(t, X + i * t->d) * t->K;
		double	   *out = proba + i * t->K;
		double		s = 0.0;
		int			k;

		for (k = 0; k < t->K; k++)
			s += v[k];
		for (k = 0; k < t->K; k++)
			out[k] = v[k] / s;
	}
}

int
acq_tree_depth(const AcqTree *t)
{
	return t->depth;
}

int
acq_tree_leaves(const AcqTree *t)
{
	return t->n_leaves;
}

void
acq_tree_free(AcqTree *t)
{
	acq_free(t->nodes);
	acq_free(t->value);
	t->nodes = NULL;
	t->value = NULL;
	t->n_nodes = 0;
	t->n_leaves = 0;
}
