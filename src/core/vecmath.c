/*
 * vecmath.c -- element-wise loops of the logistic fit, vectorised.
 *
 * Each Newton step of the logistic fit evaluates one exp() and one log1p()
 * per row; with scalar libm calls that is most of the time of a fit on
 * 10-20 features.  This file alone is compiled with -O3 -ffast-math so that
 * GCC vectorises the loops and calls glibc's vector math library (libmvec:
 * _ZGV*_exp, accurate to a few ulps; log1p is a short series below).  It is
 * built twice: as is (SSE2, any x86-64) and, through vecmath_avx2.c, with -mavx2 -mfma;
 * acq_vec_ops() picks the AVX2 build when the CPU has it.  The inputs are
 * finite (the callers check the data), so -ffast-math's assumptions hold.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "core/vecmath.h"

#ifdef ACQ_VEC_AVX2
#define VEC(name) name##_avx2
#else
#define VEC(name) name##_base
#endif

double		VEC(acq_vec_logistic_loss) (const double *z, const double *zd, double t,
										const double *y, double *eh, int64_t n);
double		VEC(acq_vec_logistic_residuals) (const double *z, const double *eh,
											 const double *y, double C,
											 double *r, int64_t n);
void		VEC(acq_vec_logistic_step) (const double *z, const double *zd, double *z2,
										double *eh, int64_t n);
void		VEC(acq_vec_weighted_gram) (const double *X, int64_t ld, int colmajor, int64_t m,
										int d, int ones_last, const double *sw, double sign,
										double *H);
void		VEC(acq_vec_int8_rows_dot) (const int8_t *Q, int64_t n, int m, const int16_t *r,
										int64_t *out);
int			VEC(acq_vec_quantize_row) (const double *g, int m, int8_t *q, double *scale,
									   double *sums);
void		VEC(acq_vec_cm_gemv_n) (const double *X, int64_t ld, int64_t m, int ncol,
									const double *d, double *z);
void		VEC(acq_vec_cm_gemv_t) (const double *X, int64_t ld, int64_t m, int ncol,
									const double *r, double *g);
int			VEC(acq_vec_all_finite) (const double *x, int64_t n);
double		VEC(acq_vec_softmax_pass) (const double *X, int64_t m, int d, const int *y,
									   const int *cls, int Kp, const double *W, const double *b,
									   double *gW, double *gb);
int			VEC(acq_vec_all_within) (const double *x, int64_t n, double bound);

/*
 * The column-major products.  OpenBLAS's DGEMV walks a narrow block four
 * columns at a time, reading and writing the long vector once per group;
 * here the long dimension is the outer loop and a block of rows stays in
 * registers across every column: z for 8 rows at a time (two 4-wide
 * accumulators, one load of each column), g for 8 columns at a time (eight
 * accumulators, r loaded once per group).  Vector types are GCC's; the
 * SSE2 build splits them in halves.
 */
typedef double v4d __attribute__((vector_size(32)));
typedef double v4du __attribute__((vector_size(32), aligned(8)));

/*
 * cm_gemv_n reads each column where it is first touched (the logistic
 * fit's pass streams [X, 1] from memory 64 rows at a time, column by
 * column: 13 streams at the flights demo's 12 features, more than the
 * hardware prefetcher follows).  It asks for each column's data
 * CM_PREFETCH rows ahead: on the 2-core VM under load the flights
 * classification search took a third to a quarter of the time
 * (bench/source_selection.sh).  A prefetch never faults and changes no
 * arithmetic: the same products in the same order.
 */
#define CM_PREFETCH 64

/*
 * z[i .. i + 4 NV) of [X] d: NV 4-row accumulators, each a chain of ncol
 * multiply-adds taken over j in order (so a row's sum does not depend on
 * NV).  Inlined with a constant NV.
 */
static inline __attribute__((always_inline)) void
cm_gemv_n_rows(const double *X, int64_t ld, int64_t i, int ncol, const double *d, double *z,
			   int NV)
{
	v4d			a[4] = {{0}};

	for (int j = 0; j < ncol; j++)
	{
		const double *c = X + j * ld + i;
		v4d			dj = {d[j], d[j], d[j], d[j]};

		for (int v = 0; v < NV; v += 2)
			__builtin_prefetch(c + CM_PREFETCH + 4 * v);
		for (int v = 0; v < NV; v++)
			a[v] += *(const v4du *) (c + 4 * v) * dj;
	}
	for (int v = 0; v < NV; v++)
		*(v4du *) (z + i + 4 * v) = a[v];
}

/*
 * 16 rows at a time: four independent chains, so that the adder's latency
 * is hidden (two chains left it idle half the time); then 8, then one.
 */
void
VEC(acq_vec_cm_gemv_n) (const double *X, int64_t ld, int64_t m, int ncol,
						const double *d, double *z)
{
	int64_t		i = 0;

	for (; i + 16 <= m; i += 16)
		cm_gemv_n_rows(X, ld, i, ncol, d, z, 4);
	for (; i + 8 <= m; i += 8)
		cm_gemv_n_rows(X, ld, i, ncol, d, z, 2);
	for (; i < m; i++)
	{
		double		a = 0.0;

		for (int j = 0; j < ncol; j++)
			a += X[j * ld + i] * d[j];
		z[i] = a;
	}
}

/*
 * g[j0 + k] += sum_i X[(j0 + k) ld + i] r[i] for k < K (K <= 12): K
 * accumulators, r loaded once per 4 rows.  Inlined with a constant K, so
 * the accumulators stay in registers.
 */
static inline __attribute__((always_inline)) void
cm_gemv_t_cols(const double *X, int64_t ld, int64_t m, int j0, int K, const double *r,
			   double *g)
{
	v4d			a[12] = {{0}};
	double		t[12] = {0};
	int64_t		i = 0;

	for (; i + 4 <= m; i += 4)
	{
		v4d			rv = *(const v4du *) (r + i);

		for (int k = 0; k < K; k++)
			a[k] += *(const v4du *) (X + (j0 + k) * ld + i) * rv;
	}
	for (; i < m; i++)
		for (int k = 0; k < K; k++)
			t[k] += X[(j0 + k) * ld + i] * r[i];
	for (int k = 0; k < K; k++)
		g[j0 + k] += (a[k][0] + a[k][1]) + (a[k][2] + a[k][3]) + t[k];
}

/*
 * The columns in groups of at most 12 (registers: 12 accumulators, r and a
 * column), each group one pass over r: the 10 columns of 9 features and
 * the intercept are one pass, not a group of 8 and two single columns,
 * each of which was one chain of dependent multiply-adds.  A column's sum
 * is taken in the same order whatever its group: the same bits.
 */
void
VEC(acq_vec_cm_gemv_t) (const double *X, int64_t ld, int64_t m, int ncol,
						const double *r, double *g)
{
	int			j0 = 0;

	while (j0 < ncol)
	{
		int			K = ncol - j0 > 12 ? 8 : ncol - j0;

		switch (K)
		{
#define CM_T_CASE(k) case k: cm_gemv_t_cols(X, ld, m, j0, k, r, g); break
				CM_T_CASE(1);
				CM_T_CASE(2);
				CM_T_CASE(3);
				CM_T_CASE(4);
				CM_T_CASE(5);
				CM_T_CASE(6);
				CM_T_CASE(7);
				CM_T_CASE(8);
				CM_T_CASE(9);
				CM_T_CASE(10);
				CM_T_CASE(11);
				CM_T_CASE(12);
#undef CM_T_CASE
		}
		j0 += K;
	}
}

/*
 * The softmax pass (vecmath.h) on R rows (R = 4 or 1) and NV 4-wide
 * column vectors (NV = kw / 4 <= 3), both constants once inlined: the
 * logits of the R rows stay in R x NV accumulators (12 of AVX2's 16
 * registers at most) over one sweep of W, then become the residuals r and
 * stay there over one sweep of gW.  The exponentials of the R rows are one
 * loop (libmvec).
 */
#define SMX_MAXV (ACQ_VEC_SOFTMAX_MAXK / 4)

/*
 * exp of 4 lanes by libmvec's vector exp, called by name (its x86-64
 * vector ABI): the vectoriser left some of these loops scalar under
 * PostgreSQL's compiler flags.
 */
#ifdef ACQ_VEC_AVX2
extern v4d	_ZGVdN4v_exp(v4d x);
#define smx_exp4(in, out) (*(v4du *) (out) = _ZGVdN4v_exp(*(const v4du *) (in)))
#else
typedef double v2d __attribute__((vector_size(16)));
typedef double v2du __attribute__((vector_size(16), aligned(8)));
extern v2d	_ZGVbN2v_exp(v2d x);
#define smx_exp4(in, out) \
	(*(v2du *) (out) = _ZGVbN2v_exp(*(const v2du *) (in)), \
	 *(v2du *) ((out) + 2) = _ZGVbN2v_exp(*(const v2du *) ((in) + 2)))
#endif
static inline __attribute__((always_inline)) double
softmax_rows(const double *X, int d, const int *y, const int *cls, int Kp, int NV, int R,
			 const double *W, const double *b, double *gW, double *gb)
{
	v4d			acc[4][SMX_MAXV];
	double		t[4 * ACQ_VEC_SOFTMAX_MAXK],
				e[4 * ACQ_VEC_SOFTMAX_MAXK],
				loss = 0.0;
	int			kw = 4 * NV;

	for (int r = 0; r < R; r++)
		for (int v = 0; v < NV; v++)
			acc[r][v] = *(const v4du *) (b + 4 * v);
	for (int j = 0; j < d; j++)
	{
		v4d			w[SMX_MAXV];

		for (int v = 0; v < NV; v++)
			w[v] = *(const v4du *) (W + (int64_t) j * kw + 4 * v);
		for (int r = 0; r < R; r++)
		{
			double		xv = X[(int64_t) r * d + j];
			v4d			xb = {xv, xv, xv, xv};

			for (int v = 0; v < NV; v++)
				acc[r][v] += xb * w[v];
		}
	}
	for (int r = 0; r < R; r++)
	{
		double	   *z = t + r * kw;
		double		zmax;

		for (int v = 0; v < NV; v++)
			*(v4du *) (z + 4 * v) = acc[r][v];
		zmax = z[0];
		for (int k = 1; k < Kp; k++)
			zmax = z[k] > zmax ? z[k] : zmax;
		loss -= z[cls[y[r]]] - zmax;

		/*
		 * exp(z - max z) of the classes, exp(-600) for the padding: the
		 * vector exp takes a slow scalar path below about -708, and a term
		 * under exp(-600) = 2.7e-261 changes neither the sum (>= 1) nor any
		 * probability that matters (the padding's are dropped)
		 */
		for (int k = 0; k < kw; k++)
			z[k] = k < Kp && z[k] - zmax > -600.0 ? z[k] - zmax : -600.0;
	}
	for (int q = 0; q < R * kw; q += 4)
		smx_exp4(t + q, e + q);
	for (int r = 0; r < R; r++)
	{
		double	   *p = e + r * kw;
		double		s = 0.0,
					inv;

		for (int k = 0; k < kw; k++)
			s += p[k];
		/* s >= 1: the largest term is exp(0) */
		loss += log(s);
		inv = 1.0 / s;
		for (int k = 0; k < kw; k++)
			p[k] *= inv;
		p[cls[y[r]]] -= 1.0;
		for (int v = 0; v < NV; v++)
		{
			acc[r][v] = *(const v4du *) (p + 4 * v);
			*(v4du *) (gb + 4 * v) += acc[r][v];
		}
	}
	for (int j = 0; j < d; j++)
	{
		v4d			g[SMX_MAXV];

		for (int v = 0; v < NV; v++)
			g[v] = *(const v4du *) (gW + (int64_t) j * kw + 4 * v);
		for (int r = 0; r < R; r++)
		{
			double		xv = X[(int64_t) r * d + j];
			v4d			xb = {xv, xv, xv, xv};

			for (int v = 0; v < NV; v++)
				g[v] += xb * acc[r][v];
		}
		for (int v = 0; v < NV; v++)
			*(v4du *) (gW + (int64_t) j * kw + 4 * v) = g[v];
	}
	return loss;
}

static inline __attribute__((always_inline)) double
softmax_pass_nv(const double *X, int64_t m, int d, const int *y, const int *cls, int Kp,
				int NV, const double *W, const double *b, double *gW, double *gb)
{
	double		loss = 0.0;
	int64_t		i = 0;

	for (; i + 4 <= m; i += 4)
		loss += softmax_rows(X + i * d, d, y + i, cls, Kp, NV, 4, W, b, gW, gb);
	for (; i < m; i++)
		loss += softmax_rows(X + i * d, d, y + i, cls, Kp, NV, 1, W, b, gW, gb);
	return loss;
}

double
VEC(acq_vec_softmax_pass) (const double *X, int64_t m, int d, const int *y, const int *cls,
						   int Kp, const double *W, const double *b, double *gW, double *gb)
{
	switch ((Kp + 3) / 4)
	{
		case 1:
			return softmax_pass_nv(X, m, d, y, cls, Kp, 1, W, b, gW, gb);
		case 2:
			return softmax_pass_nv(X, m, d, y, cls, Kp, 2, W, b, gW, gb);
		default:
			return softmax_pass_nv(X, m, d, y, cls, Kp, 3, W, b, gW, gb);
	}
}

void		VEC(acq_vec_minmax_update) (const double *x, int n, double *lo, double *hi);
float		VEC(acq_vec_add_min_f) (float *b, const float *a, int64_t n);
int64_t		VEC(acq_vec_below_f) (const float *b, int64_t n, float t, int32_t *idx);

/*
 * The bits of a double are NaN or infinite iff its exponent is all ones;
 * -ffast-math's assumption that values are finite does not touch integer
 * arithmetic, so this is safe where isfinite() would not be.
 */
int
VEC(acq_vec_all_finite) (const double *x, int64_t n)
{
	uint64_t	bad = 0;

	for (int64_t i = 0; i < n; i++)
	{
		uint64_t	bits;

		memcpy(&bits, &x[i], sizeof(bits));
		bad |= (~bits & UINT64_C(0x7ff0000000000000)) == 0;
	}
	return bad == 0;
}

/*
 * |x| <= bound for a finite bound >= 0, on the bits as all_finite: with the
 * sign bit cleared, the bits of non-negative doubles order as the values do,
 * and a NaN's or an infinity's are above every finite value's.  One pass
 * that a row's finiteness and norm checks can share (base's rows.c).
 */
int
VEC(acq_vec_all_within) (const double *x, int64_t n, double bound)
{
	uint64_t	lim;
	uint64_t	over = 0;

	memcpy(&lim, &bound, sizeof(lim));
	for (int64_t i = 0; i < n; i++)
	{
		uint64_t	bits;

		memcpy(&bits, &x[i], sizeof(bits));
		over |= (bits & UINT64_C(0x7fffffffffffffff)) > lim;
	}
	return over == 0;
}

/*
 * One addition per element, then a minimum (exact in any order of the
 * comparisons): nothing -ffast-math can reorder changes the result.
 */
float
VEC(acq_vec_add_min_f) (float *restrict b, const float *restrict a, int64_t n)
{
	float		m;

	for (int64_t j = 0; j < n; j++)
		b[j] += a[j];
	m = b[0];
	for (int64_t j = 1; j < n; j++)
		m = b[j] < m ? b[j] : m;
	return m;
}

/* few hits, usually: a vectorised minimum per 32 values finds the blocks to scan */
int64_t
VEC(acq_vec_below_f) (const float *b, int64_t n, float t, int32_t *idx)
{
	int64_t		c = 0,
				j = 0;

	for (; j + 32 <= n; j += 32)
	{
		float		m = b[j];

		for (int l = 1; l < 32; l++)
			m = b[j + l] < m ? b[j + l] : m;
		if (m <= t)
			for (int l = 0; l < 32; l++)
				if (b[j + l] <= t)
					idx[c++] = (int32_t) (j + l);
	}
	for (; j < n; j++)
		if (b[j] <= t)
			idx[c++] = (int32_t) j;
	return c;
}

void
VEC(acq_vec_minmax_update) (const double *restrict x, int n, double *restrict lo,
							double *restrict hi)
{
	for (int j = 0; j < n; j++)
	{
		lo[j] = x[j] < lo[j] ? x[j] : lo[j];
		hi[j] = x[j] > hi[j] ? x[j] : hi[j];
	}
}

/*
 * The int8 screen's rows (omp.c).  -ffast-math may reorder the sums and
 * fuse g - s q into one rounding: the caller's bound takes the error sum
 * with a margin, and it is measured from the q actually chosen, whatever
 * the rounding.  Finiteness is tested on the bits (fast-math assumes it).
 */
int
VEC(acq_vec_quantize_row) (const double *g, int m, int8_t *q, double *scale, double *sums)
{
	double		amax = 0.0,
				sc,
				inv,
				ee = 0.0,
				qq = 0.0,
				gg = 0.0;
	uint64_t	bad = 0;

	for (int k = 0; k < m; k++)
	{
		uint64_t	bits;
		double		a = fabs(g[k]);

		memcpy(&bits, &g[k], sizeof(bits));
		bad |= ((bits >> 52) & 0x7ff) == 0x7ff;
		amax = a > amax ? a : amax;
	}
	if (bad)
		return 0;
	sc = amax / 127.0;
	*scale = sc;
	if (!(sc > 0.0))
	{
		memset(q, 0, (size_t) m);
		sums[0] = sums[1] = sums[2] = 0.0;
		*scale = 0.0;
		return 1;
	}
	inv = 127.0 / amax;
	for (int k = 0; k < m; k++)
	{
		double		x = g[k] * inv;
		int			qi = (int) (x + (x >= 0.0 ? 0.5 : -0.5));
		double		qk,
					e;

		qi = qi > 127 ? 127 : (qi < -127 ? -127 : qi);
		q[k] = (int8_t) qi;
		qk = (double) qi;
		e = g[k] - sc * qk;
		ee += e * e;
		qq += qk * qk;
		gg += g[k] * g[k];
	}
	sums[0] = ee;
	sums[1] = qq;
	sums[2] = gg;
	return 1;
}

/*
 * One exact integer dot product per int8 row, against the int16 residual.
 * The inner loop over a block of 512 products accumulates in int32 (no
 * overflow: 512 * 127 * 32767 < 2^31, and every partial sum GCC's
 * vectorisation forms is a sum of some of those products); GCC turns it
 * into pmaddwd (16-bit multiply, pairwise add) on sign-extended rows.  The
 * blocks add up in int64.  At ~4 ms for 100k x 1k rows it runs close to
 * the speed of merely reading them; the earlier float version (convert,
 * multiply-add) took ~7 ms and needed a rounding term in the bound.
 */
void
VEC(acq_vec_int8_rows_dot) (const int8_t *Q, int64_t n, int m, const int16_t *r, int64_t *out)
{
	for (int64_t i = 0; i < n; i++)
	{
		const int8_t *q = Q + i * m;
		int64_t		acc = 0;

		for (int k0 = 0; k0 < m; k0 += 512)
		{
			int			end = (m - k0 < 512) ? m : k0 + 512;
			int32_t		part = 0;

			for (int k = k0; k < end; k++)
				part += (int32_t) q[k] * (int32_t) r[k];
			acc += part;
		}
		out[i] = acc;
	}
}

void
VEC(acq_vec_logistic_step) (const double *z, const double *zd, double *z2,
							double *eh, int64_t n)
{
	int64_t		i;

	for (i = 0; i < n; i++)
	{
		double		zi = z[i] + zd[i];

		z2[i] = zi;
		eh[i] = exp(-0.5 * fabs(zi));
	}
}

double
VEC(acq_vec_logistic_loss) (const double *z, const double *zd, double t,
							const double *y, double *eh, int64_t n)
{
	double		loss = 0.0;
	int64_t		i;

	for (i = 0; i < n; i++)
	{
		double		zi = z[i] + t * zd[i];
		double		h = exp(-0.5 * fabs(zi));
		double		e = h * h;
		double		u = e / (2.0 + e);
		double		u2 = u * u;
		double		ser = 1.0 / 31.0;

		/*
		 * log1p(e) for e = exp(-|zi|) in (0, 1], as 2 atanh(u) with
		 * u = e / (2 + e) in (0, 1/3]: the odd series 2 (u + u^3/3 + ...)
		 * to u^31 has only positive terms and a truncation error below
		 * 2e-17 relative, and vectorises to a few FMAs (glibc's vector
		 * log and log1p cost several times more than its vector exp).
		 */
		ser = ser * u2 + 1.0 / 29.0;
		ser = ser * u2 + 1.0 / 27.0;
		ser = ser * u2 + 1.0 / 25.0;
		ser = ser * u2 + 1.0 / 23.0;
		ser = ser * u2 + 1.0 / 21.0;
		ser = ser * u2 + 1.0 / 19.0;
		ser = ser * u2 + 1.0 / 17.0;
		ser = ser * u2 + 1.0 / 15.0;
		ser = ser * u2 + 1.0 / 13.0;
		ser = ser * u2 + 1.0 / 11.0;
		ser = ser * u2 + 1.0 / 9.0;
		ser = ser * u2 + 1.0 / 7.0;
		ser = ser * u2 + 1.0 / 5.0;
		ser = ser * u2 + 1.0 / 3.0;
		ser = ser * u2 + 1.0;

		eh[i] = h;
		loss += (zi > 0.0 ? zi : 0.0) - y[i] * zi + 2.0 * u * ser;
	}
	return loss;
}

double
VEC(acq_vec_logistic_residuals) (const double *z, const double *eh,
								 const double *y, double C, double *r,
								 int64_t n)
{
	double		sum = 0.0;
	int64_t		i;

	for (i = 0; i < n; i++)
	{
		/* sigma(z) from e = exp(-|z|) = h^2 without overflow */
		double		e = eh[i] * eh[i];
		double		s = ((z[i] >= 0.0) ? 1.0 : e) / (1.0 + e);

		r[i] = C * (s - y[i]);
		sum += r[i];
	}
	return sum;
}


/*
 * H (d x d, row-major, upper triangle) += sign * sum_{i < m} (sw_i z_i)(sw_i z_i)^T
 * where z_i is row i of X: column-major (column a at X + a ld) or row-major
 * (row i at X + i ld); with ones_last, z_i's last entry is 1 and X holds
 * only the first d - 1 columns.  The Hessian of the logistic fit.
 *
 * BLAS's dsyrk is slow for this shape (d of a few dozen, thousands of
 * rows: it packs for large outputs), so: per block of GRAM_ROWS rows, the
 * scaled rows go column by column into a small buffer T, and 3 x 4 tiles of
 * H are accumulated over the block with 4-wide vectors (twelve running sums
 * in registers).  d <= ACQ_VEC_GRAM_MAXD.
 */
#define GRAM_ROWS 128
typedef double gram_v4 __attribute__((vector_size(32)));

void
VEC(acq_vec_weighted_gram) (const double *X, int64_t ld, int colmajor, int64_t m, int d,
							int ones_last, const double *sw, double sign, double *H)
{
	double		T[(ACQ_VEC_GRAM_MAXD + 4) * GRAM_ROWS] __attribute__((aligned(32)));
	int			dp = (d + 3) & ~3;	/* tiles of 4 columns: pad with zeros */
	int			nx = ones_last ? d - 1 : d;

	for (int64_t s = 0; s < m; s += GRAM_ROWS)
	{
		int			rows = (int) (m - s < GRAM_ROWS ? m - s : GRAM_ROWS);
		int			rp = (rows + 3) & ~3;

		for (int a = 0; a < dp; a++)
		{
			double	   *t = T + a * GRAM_ROWS;
			int			i;

			if (a < nx && colmajor)
			{
				const double *x = X + a * ld + s;

				/* the column's next rows, as cm_gemv_n (no arithmetic changes) */
				for (i = 0; i < GRAM_ROWS; i += 8)
					__builtin_prefetch(x + GRAM_ROWS + i);
				for (i = 0; i < rows; i++)
					t[i] = sw[s + i] * x[i];
			}
			else if (a < nx)
			{
				const double *x = X + s * ld + a;

				for (i = 0; i < rows; i++)
					t[i] = sw[s + i] * x[i * ld];
			}
			else if (a < d)
				for (i = 0; i < rows; i++)
					t[i] = sw[s + i];
			else
				for (i = 0; i < rows; i++)
					t[i] = 0.0;
			for (i = rows; i < rp; i++)
				t[i] = 0.0;
		}
		for (int a0 = 0; a0 < d; a0 += 3)
		{
			const double *ta0 = T + a0 * GRAM_ROWS;
			const double *ta1 = T + (a0 + 1 < dp ? a0 + 1 : a0) * GRAM_ROWS;
			const double *ta2 = T + (a0 + 2 < dp ? a0 + 2 : a0) * GRAM_ROWS;

			for (int b0 = (a0 / 4) * 4; b0 < d; b0 += 4)
			{
				const double *tb = T + b0 * GRAM_ROWS;
				gram_v4		acc[3][4];

				for (int u = 0; u < 3; u++)
					for (int v = 0; v < 4; v++)
						acc[u][v] = (gram_v4) {0.0, 0.0, 0.0, 0.0};
				for (int i = 0; i < rp; i += 4)
				{
					gram_v4		xa0 = *(const gram_v4 *) (ta0 + i);
					gram_v4		xa1 = *(const gram_v4 *) (ta1 + i);
					gram_v4		xa2 = *(const gram_v4 *) (ta2 + i);

					for (int v = 0; v < 4; v++)
					{
						gram_v4		xb = *(const gram_v4 *) (tb + v * GRAM_ROWS + i);

						acc[0][v] += xa0 * xb;
						acc[1][v] += xa1 * xb;
						acc[2][v] += xa2 * xb;
					}
				}
				for (int u = 0; u < 3; u++)
					for (int v = 0; v < 4; v++)
					{
						int			a = a0 + u,
									b = b0 + v;

						if (a < d && b < d && b >= a)
							H[a * d + b] += sign * (acc[u][v][0] + acc[u][v][1] +
													acc[u][v][2] + acc[u][v][3]);
					}
			}
		}
	}
}

#ifndef ACQ_VEC_AVX2
double		acq_vec_logistic_loss_avx2(const double *z, const double *zd, double t,
									   const double *y, double *eh, int64_t n);
double		acq_vec_logistic_residuals_avx2(const double *z, const double *eh,
											const double *y, double C,
											double *r, int64_t n);
void		acq_vec_logistic_step_avx2(const double *z, const double *zd, double *z2,
									   double *eh, int64_t n);
void		acq_vec_weighted_gram_avx2(const double *X, int64_t ld, int colmajor, int64_t m,
									   int d, int ones_last, const double *sw, double sign,
									   double *H);
void		acq_vec_int8_rows_dot_avx2(const int8_t *Q, int64_t n, int m, const int16_t *r,
									   int64_t *out);
int			acq_vec_quantize_row_avx2(const double *g, int m, int8_t *q, double *scale,
									  double *sums);
void		acq_vec_cm_gemv_n_avx2(const double *X, int64_t ld, int64_t m, int ncol,
								   const double *d, double *z);
void		acq_vec_cm_gemv_t_avx2(const double *X, int64_t ld, int64_t m, int ncol,
								   const double *r, double *g);
int			acq_vec_all_finite_avx2(const double *x, int64_t n);
int			acq_vec_all_within_avx2(const double *x, int64_t n, double bound);
void		acq_vec_minmax_update_avx2(const double *x, int n, double *lo, double *hi);
float		acq_vec_add_min_f_avx2(float *b, const float *a, int64_t n);
int64_t		acq_vec_below_f_avx2(const float *b, int64_t n, float t, int32_t *idx);
double		acq_vec_softmax_pass_avx2(const double *X, int64_t m, int d, const int *y,
									  const int *cls, int Kp, const double *W, const double *b,
									  double *gW, double *gb);

static const AcqVecOps base_ops = {acq_vec_logistic_loss_base,
	acq_vec_logistic_residuals_base, acq_vec_logistic_step_base,
acq_vec_weighted_gram_base, acq_vec_int8_rows_dot_base, acq_vec_quantize_row_base,
acq_vec_cm_gemv_n_base, acq_vec_cm_gemv_t_base,
acq_vec_all_finite_base, acq_vec_minmax_update_base,
acq_vec_add_min_f_base, acq_vec_below_f_base, acq_vec_softmax_pass_base,
acq_vec_all_within_base};
static const AcqVecOps avx2_ops = {acq_vec_logistic_loss_avx2,
	acq_vec_logistic_residuals_avx2, acq_vec_logistic_step_avx2,
acq_vec_weighted_gram_avx2, acq_vec_int8_rows_dot_avx2, acq_vec_quantize_row_avx2,
acq_vec_cm_gemv_n_avx2, acq_vec_cm_gemv_t_avx2,
acq_vec_all_finite_avx2, acq_vec_minmax_update_avx2,
acq_vec_add_min_f_avx2, acq_vec_below_f_avx2, acq_vec_softmax_pass_avx2,
acq_vec_all_within_avx2};

const AcqVecOps *
acq_vec_ops(void)
{
	static const AcqVecOps *ops = NULL;

	if (ops == NULL)
	{
#if defined(__x86_64__) || defined(__i386__)
		__builtin_cpu_init();
		ops = (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ?
			&avx2_ops : &base_ops;
#else
		ops = &base_ops;
#endif
	}
	return ops;
}
#endif
