/*
 * knn.c -- k-nearest neighbours by blocked brute force (see knn.h).
 *
 * For a block of query rows, the squared distances to a block of training
 * rows come from acq_sqdist (||q||^2 + ||t||^2 - 2 q.t, one DGEMM; the
 * squared norms are computed once per row).  Each query row keeps its best
 * k (distance, training index) pairs sorted by distance.  A candidate is
 * first compared with the current k-th distance, which rejects almost all
 * of them in O(1); an accepted one is inserted by shifting the worse
 * entries down (O(k), k is small).  The training rows are scanned in index
 * order and a candidate must be strictly closer than an entry to pass it,
 * so among equal distances the lower training index is kept.
 */
#include "core/knn.h"
#include "core/distance.h"

#include <math.h>
#include <string.h>

/* query rows per block, training rows per block */
#define KNN_QUERY_BLOCK 256
#define KNN_TRAIN_BLOCK 4096

/* the k nearest training rows of every query row of a block */
typedef struct KnnBlock
{
	int			k;
	int		   *count;			/* per query row: entries held (<= k) */
	double	   *dist;			/* per query row: k distances, ascending */
	int64_t    *idx;			/* per query row: k training indices */
} KnnBlock;

/* offer training row j at squared distance dj to query row i's list */
static inline void
knn_offer(KnnBlock *kb, int i, double dj, int64_t j)
{
	int			k = kb->k;
	double	   *dist = kb->dist + (int64_t) i * k;
	int64_t    *idx = kb->idx + (int64_t) i * k;
	int			c = kb->count[i];
	int			pos;

	if (c == k && !(dj < dist[k - 1]))
		return;					/* not better than the k-th: the common case */
	if (c < k)
		kb->count[i] = ++c;
	/* shift worse entries down one place (the last one drops out) */
	for (pos = c - 1; pos > 0 && dj < dist[pos - 1]; pos--)
	{
		dist[pos] = dist[pos - 1];
		idx[pos] = idx[pos - 1];
	}
	dist[pos] = dj;
	idx[pos] = j;
}

/*
 * Fill kb with the k nearest training rows of the m query rows Xq, given
 * the squared norms of both; D is KNN_QUERY_BLOCK x KNN_TRAIN_BLOCK scratch.
 */
static void
knn_block(const double *Xtr, const double *trnorm, int64_t ntr, int d,
		  const double *Xq, const double *qnorm, int m, KnnBlock *kb,
		  double *D)
{
	int64_t		tb = acq_gemm_cols(KNN_QUERY_BLOCK, d, KNN_TRAIN_BLOCK);
	int64_t		t0;
	int			i;

	memset(kb->count, 0, sizeof(int) * m);
	for (t0 = 0; t0 < ntr; t0 += tb)
	{
		int64_t		nt = (ntr - t0 < tb) ? ntr - t0 : tb;

		/* a block of queries meets every training row: look between tiles */
		acq_check_interrupts();
		acq_sqdist(Xq, m, Xtr + t0 * d, nt, d, qnorm, trnorm + t0, D);
		for (i = 0; i < m; i++)
		{
			const double *row = D + (int64_t) i * nt;
			int64_t		j;

			for (j = 0; j < nt; j++)
				knn_offer(kb, i, row[j], t0 + j);
		}
	}
}

/* what to do with the neighbours of a query row */
typedef void (*KnnReduce) (const void *ytr, int K, const int64_t *idx, int k,
						   int *votes, void *pred, int64_t q);

static void
knn_vote(const void *ytr, int K, const int64_t *idx, int k, int *votes,
		 void *pred, int64_t q)
{
	const int  *y = (const int *) ytr;
	int			best = 0;
	int			c;

	memset(votes, 0, sizeof(int) * K);
	for (c = 0; c < k; c++)
		votes[y[idx[c]]]++;
	/* strict >: the smallest class wins a tie of votes */
	for (c = 1; c < K; c++)
		if (votes[c] > votes[best])
			best = c;
	((int *) pred)[q] = best;
}

static void
knn_mean(const void *ytr, int K, const int64_t *idx, int k, int *votes,
		 void *pred, int64_t q)
{
	const double *y = (const double *) ytr;
	double		s = 0.0;
	int			c;

	for (c = 0; c < k; c++)
		s += y[idx[c]];
	((double *) pred)[q] = s / k;
}

/* what knn_run allocates, in bytes (acq_knn_classify_bytes) */
double
acq_knn_classify_bytes(int64_t ntr, int d, int K, int64_t nq, int k)
{
	double		qb = (double) ((nq < KNN_QUERY_BLOCK) ? nq : KNN_QUERY_BLOCK);
	double		tb = (double) ((ntr < KNN_TRAIN_BLOCK) ? ntr : KNN_TRAIN_BLOCK);

	(void) d;
	return sizeof(double) * ((double) ntr + qb + qb * tb) + sizeof(int) * ((double) K + qb) +
		(sizeof(double) + sizeof(int64_t)) * qb * (double) k;
}

/* the blocked driver shared by the classifier and the regressor */
static AcqStatus
knn_run(const double *Xtr, const void *ytr, int64_t ntr, int d, int K,
		const double *Xq, int64_t nq, int k, KnnReduce reduce, void *pred)
{
	int64_t		qb = (nq < KNN_QUERY_BLOCK) ? nq : KNN_QUERY_BLOCK;
	int64_t		tb = (ntr < KNN_TRAIN_BLOCK) ? ntr : KNN_TRAIN_BLOCK;
	double	   *trnorm;
	double	   *qnorm;
	double	   *D;
	int		   *votes;
	KnnBlock	kb;
	int64_t		q0;

	if (k > ntr)
		k = (int) ntr;
	if (nq <= 0)
		return ACQ_OK;

	trnorm = acq_alloc_array(ntr, sizeof(double));
	qnorm = acq_alloc_array(qb, sizeof(double));
	D = acq_alloc_array((size_t) qb * tb, sizeof(double));
	votes = acq_alloc_array(K, sizeof(int));
	kb.k = k;
	kb.count = acq_alloc_array(qb, sizeof(int));
	kb.dist = acq_alloc_array((size_t) qb * k, sizeof(double));
	kb.idx = acq_alloc_array((size_t) qb * k, sizeof(int64_t));

	acq_row_sqnorms(Xtr, ntr, d, trnorm);
	for (q0 = 0; q0 < nq; q0 += KNN_QUERY_BLOCK)
	{
		int			m = (int) ((nq - q0 < KNN_QUERY_BLOCK) ? nq - q0 : KNN_QUERY_BLOCK);
		int			i;

		acq_check_interrupts();
		acq_row_sqnorms(Xq + q0 * d, m, d, qnorm);
		knn_block(Xtr, trnorm, ntr, d, Xq + q0 * d, qnorm, m, &kb, D);
		for (i = 0; i < m; i++)
			reduce(ytr, K, kb.idx + (int64_t) i * k, kb.count[i], votes,
				   pred, q0 + i);
	}

	acq_free(kb.idx);
	acq_free(kb.dist);
	acq_free(kb.count);
	acq_free(votes);
	acq_free(D);
	acq_free(qnorm);
	acq_free(trnorm);
	return ACQ_OK;
}

static AcqStatus
knn_check(const double *Xtr, const void *ytr, int64_t ntr, int d,
		  const double *Xq, int64_t nq, int k, const void *pred)
{
	if (ntr < 0 || nq < 0 || d < 1 || k < 1 || k > KNN_MAX_K ||
		(ntr > 0 && (Xtr == NULL || ytr == NULL)) ||
		(nq > 0 && (Xq == NULL || pred == NULL)))
		return ACQ_ERR_ARGUMENT;
	if (ntr == 0)
		return ACQ_ERR_EMPTY;
	return ACQ_OK;
}

AcqStatus
acq_knn_classify(const double *Xtr, const int *ytr, int64_t ntr, int d,
				 int K, const double *Xq, int64_t nq, int k, int *pred)
{
	AcqStatus	st = knn_check(Xtr, ytr, ntr, d, Xq, nq, k, pred);
	int64_t		i;

	if (st != ACQ_OK)
		return st;
	if (K < 1)
		return ACQ_ERR_ARGUMENT;
	for (i = 0; i < ntr; i++)
		if (ytr[i] < 0 || ytr[i] >= K)
			return ACQ_ERR_ARGUMENT;
	return knn_run(Xtr, ytr, ntr, d, K, Xq, nq, k, knn_vote, pred);
}

AcqStatus
acq_knn_regress(const double *Xtr, const double *ytr, int64_t ntr, int d,
				const double *Xq, int64_t nq, int k, double *pred)
{
	AcqStatus	st = knn_check(Xtr, ytr, ntr, d, Xq, nq, k, pred);

	if (st != ACQ_OK)
		return st;
	return knn_run(Xtr, ytr, ntr, d, 1, Xq, nq, k, knn_mean, pred);
}
