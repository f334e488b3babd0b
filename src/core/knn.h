/*
 * knn.h -- k-nearest-neighbour classification and regression (brute force).
 *
 * The neighbours of a query row are the k training rows at the smallest
 * squared Euclidean distance (distance.h: one DGEMM per block).  The query
 * rows are taken in blocks of KNN_QUERY_BLOCK and the training rows in
 * blocks of KNN_TRAIN_BLOCK, so the distances held at once are bounded
 * (256 x 4096 doubles, 8 MiB) whatever the row counts; each query row keeps
 * its k best in a small sorted list that the training blocks update.
 *
 * Ties: when distances tie at the k-th place, the lower training index is
 * preferred (scikit-learn leaves that order unspecified).
 *
 * k larger than the number of training rows is clamped to it (all rows are
 * neighbours); scikit-learn raises an error instead.  k must be >= 1 and
 * at most KNN_MAX_K.  Interrupts are polled once per query block.
 *
 * Both return ACQ_OK, ACQ_ERR_EMPTY when there are no training rows, or
 * ACQ_ERR_ARGUMENT for k < 1 or > KNN_MAX_K, d < 1, a negative row count or
 * (classifier) a label outside 0..K-1.
 */
#ifndef ACQ_KNN_H
#define ACQ_KNN_H

#include "core/acq_core.h"

#define KNN_MAX_K 1024

/*
 * Majority vote among the k nearest training rows, labels 0..K-1; a tie
 * between classes goes to the smallest class, as scikit-learn's
 * KNeighborsClassifier(weights='uniform').
 */
/* the most acq_knn_classify allocates, in bytes (the rows not counted) */
double		acq_knn_classify_bytes(int64_t ntr, int d, int K, int64_t nq, int k);
AcqStatus	acq_knn_classify(const double *Xtr, const int *ytr, int64_t ntr,
							 int d, int K, const double *Xq, int64_t nq,
							 int k, int *pred);

/* mean of the k nearest training targets, as KNeighborsRegressor */
AcqStatus	acq_knn_regress(const double *Xtr, const double *ytr, int64_t ntr,
							int d, const double *Xq, int64_t nq, int k,
							double *pred);

#endif							/* ACQ_KNN_H */
