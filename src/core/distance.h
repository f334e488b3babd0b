/*
 * distance.h -- squared Euclidean distances between row sets, on BLAS.
 *
 * ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b: one DGEMM per block of rows, so
 * memory stays bounded (a block of A against all of B) whatever the sizes.
 */
#ifndef ACQ_DISTANCE_H
#define ACQ_DISTANCE_H

#include "core/acq_core.h"

/*
 * Most multiply-adds of one distance DGEMM (a few hundredths of a second on
 * one core): callers tile their row sets so that no BLAS call runs longer,
 * and look for interrupts between tiles.
 */
#define ACQ_GEMM_MAX_MADDS 500000000.0

/*
 * The most columns, at most cap and at least 1, that a DGEMM of rows x
 * columns x d may have within ACQ_GEMM_MAX_MADDS: cap unless d is large.
 */
int64_t		acq_gemm_cols(int64_t rows, int d, int64_t cap);

/* squared norms of the n rows of X (n x d, row-major) */
void		acq_row_sqnorms(const double *X, int64_t n, int d, double *out);

/*
 * D (na x nb, row-major) = squared distances between rows of A (na x d) and
 * rows of B (nb x d).  anorm/bnorm: the rows' squared norms, or NULL to have
 * them computed.  Results are clamped at 0 (cancellation).
 */
void		acq_sqdist(const double *A, int64_t na, const double *B, int64_t nb, int d,
					   const double *anorm, const double *bnorm, double *D);

/*
 * For each row of A, the squared distance to its nearest row of B (nb >= 1),
 * in blocks of A so that at most block x nb distances are held at once.
 */
void		acq_min_sqdist(const double *A, int64_t na, const double *B, int64_t nb, int d,
						   double *out);

#endif							/* ACQ_DISTANCE_H */
