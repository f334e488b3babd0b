/*
 * vecmath.h -- the element-wise loops of the logistic fit (one exp and one
 * log1p per row per Newton step), compiled for vector math: see vecmath.c.
 */
#ifndef ACQ_VECMATH_H
#define ACQ_VECMATH_H

#include <stdint.h>

typedef struct AcqVecOps
{
	/*
	 * For i < n: zi = z[i] + t zd[i], h = exp(-|zi| / 2), eh[i] = h;
	 * returns sum_i max(zi, 0) - y[i] zi + log1p(h^2), the log-loss.
	 */
	double		(*logistic_loss) (const double *z, const double *zd, double t,
								  const double *y, double *eh, int64_t n);
	/*
	 * r[i] = C (sigma(z[i]) - y[i]) with sigma from eh[i] = exp(-|z[i]|/2);
	 * returns sum_i r[i].
	 */
	double		(*logistic_residuals) (const double *z, const double *eh,
									   const double *y, double C, double *r,
									   int64_t n);
	/* z2[i] = z[i] + zd[i], eh[i] = exp(-|z2[i]| / 2): a step without its loss */
	void		(*logistic_step) (const double *z, const double *zd, double *z2,
								  double *eh, int64_t n);

	/*
	 * H (d x d, row-major, upper triangle) += sign * sum_{i < m} sw_i^2 z_i z_i^T,
	 * z_i row i of X: column-major (colmajor, column a at X + a ld) or
	 * row-major (row i at X + i ld); with ones_last z_i ends with a 1 that X
	 * does not hold.  d <= ACQ_VEC_GRAM_MAXD.  The logistic Hessian.
	 */
	void		(*weighted_gram) (const double *X, int64_t ld, int colmajor, int64_t m,
								  int d, int ones_last, const double *sw, double sign,
								  double *H);

	/*
	 * out[i] = sum_k Q[i m + k] r[k] for i < n, exactly, in integers: the
	 * int8 rows of an OMP dictionary's screen against the residual
	 * quantised to int16 (omp.c).  |Q| <= 127 and |r| <= 32767 (so blocks
	 * of 512 products fit an int32, and every sum fits an int64).
	 */
	void		(*int8_rows_dot) (const int8_t *Q, int64_t n, int m, const int16_t *r,
								  int64_t *out);

	/*
	 * Quantise g (m numbers) to q = round(g / s), s = max |g| / 127 (0 for a
	 * zero row); *scale = s, sums = { sum (g - s q)^2, sum q^2, sum g^2 }.
	 * Returns false if a value is not finite (then the rest is undefined).
	 */
	int			(*quantize_row) (const double *g, int m, int8_t *q, double *scale,
								 double *sums);

	/*
	 * Products with a column-major m x ncol block (column j at X + j ld),
	 * the logistic fit's two passes a step: cm_gemv_n sets z[i] =
	 * sum_j X[j ld + i] d[j] for i < m; cm_gemv_t adds sum_i X[j ld + i] r[i]
	 * to g[j] for j < ncol.  What OpenBLAS's DGEMV computes, for the narrow
	 * blocks it handles poorly (vecmath.c).
	 */
	void		(*cm_gemv_n) (const double *X, int64_t ld, int64_t m, int ncol,
							  const double *d, double *z);
	void		(*cm_gemv_t) (const double *X, int64_t ld, int64_t m, int ncol,
							  const double *r, double *g);

	/* whether every x[i], i < n, is finite (tested on the bits: NaN and infinities) */
	int			(*all_finite) (const double *x, int64_t n);

	/* lo[j] = min(lo[j], x[j]), hi[j] = max(hi[j], x[j]) for j < n; x finite */
	void		(*minmax_update) (const double *x, int n, double *lo, double *hi);

	/* b[j] += a[j] for j < n (n >= 1); returns the smallest b[j] */
	float		(*add_min_f) (float *b, const float *a, int64_t n);

	/* the j < n with b[j] <= t, ascending, into idx; returns how many */
	int64_t		(*below_f) (const float *b, int64_t n, float t, int32_t *idx);

	/*
	 * The softmax regression's pass over m rows (softmax.c) with Kp <=
	 * ACQ_VEC_SOFTMAX_MAXK classes, kw = Kp rounded up to a multiple of 4:
	 * row i (X + i d) has logits z = x W + b (W: d x kw row-major, b: kw;
	 * columns >= Kp ignored) and class c = cls[y[i]] in 0..Kp-1; with
	 * r = softmax(z) - e_c, it adds r to gb (kw) and x^T r to gW (d x kw),
	 * and returns sum_i log sum_k exp(z_k - max z) - (z_c - max z), the
	 * cross-entropy.  The two products of a row share its load (no BLAS
	 * packing), which matters for few classes: OpenBLAS's DGEMM spends a
	 * third of its time packing X when the other side is 10 columns wide.
	 */
	double		(*softmax_pass) (const double *X, int64_t m, int d, const int *y,
								 const int *cls, int Kp, const double *W, const double *b,
								 double *gW, double *gb);

	/*
	 * whether every |x[i]|, i < n, is at most bound (finite, >= 0): compared
	 * on the bits, so a NaN or an infinity is never within
	 */
	int			(*all_within) (const double *x, int64_t n, double bound);
} AcqVecOps;

#define ACQ_VEC_GRAM_MAXD 64
#define ACQ_VEC_SOFTMAX_MAXK 12

/* the fastest variant this CPU runs (AVX2+FMA or baseline x86-64) */
const AcqVecOps *acq_vec_ops(void);

#endif							/* ACQ_VECMATH_H */
