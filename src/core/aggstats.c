/*
 * aggstats.c -- per-source statistics that combine (aggstats.h): the
 * centred sufficient statistics of linear regression and the logistic
 * log-loss terms at K weight vectors, built from rows buffered in chunks.
 */
#include "core/aggstats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

/* multiply-adds of one BLAS call at most (as linreg.c's blocks) */
#define AGG_BLOCK_MACS 5e8
#define AGG_MAX_CHUNK 4096
/* the rows an aggregate's state buffers: at most 128 kB (a state per group) */
#define AGG_BUFFER_BYTES (128.0 * 1024.0)

static int
chunk_rows(double per_row, double row_bytes)
{
	double		c = AGG_BLOCK_MACS / (per_row > 1.0 ? per_row : 1.0);

	if (c > AGG_MAX_CHUNK)
		c = AGG_MAX_CHUNK;
	if (c > AGG_BUFFER_BYTES / row_bytes)
		c = AGG_BUFFER_BYTES / row_bytes;
	return c < 1.0 ? 1 : (int) c;
}

/* ---- linear ------------------------------------------------------------------ */

AcqLinAcc *
acq_linacc_create(int p)
{
	AcqLinAcc  *a;

	if (p < 1)
		return NULL;
	a = acq_alloc(sizeof(AcqLinAcc));
	a->p = p;
	a->mean_x = acq_alloc_array((size_t) p * 2 + (size_t) p * p, sizeof(double));
	a->cxy = a->mean_x + p;
	a->cxx = a->cxy + p;
	a->cap = chunk_rows(0.5 * (double) p * p, sizeof(double) * (p + 1.0));
	a->bx = NULL;				/* on the first row */
	return a;
}

void
acq_linacc_free(AcqLinAcc *a)
{
	if (a == NULL)
		return;
	acq_free(a->mean_x);
	acq_free(a->bx);
	acq_free(a);
}

double
acq_linacc_memory(int p)
{
	double		cap = chunk_rows(0.5 * (double) p * p, sizeof(double) * (p + 1.0));

	return sizeof(AcqLinAcc) + sizeof(double) * (2.0 * p + (double) p * p + cap * (p + 1.0));
}

void
acq_linacc_add_row(AcqLinAcc *a, const double *x, double y)
{
	if (a->bx == NULL)
		a->bx = acq_alloc_array((size_t) a->cap * (a->p + 1), sizeof(double));
	a->by = a->bx + (size_t) a->cap * a->p;
	memcpy(a->bx + (size_t) a->nbuf * a->p, x, sizeof(double) * a->p);
	a->by[a->nbuf] = y;
	if (++a->nbuf == a->cap)
		acq_linacc_flush(a);
}

/*
 * dst's statistics += (nb rows of mean mxb, myb and centred sums cxxb,
 * cxyb, cyyb): the pairwise update.  cxxb full symmetric.
 */
static void
lin_combine(AcqLinAcc *dst, double nb, const double *mxb, double myb,
			const double *cxxb, const double *cxyb, double cyyb)
{
	int			p = dst->p;
	double		na = dst->n;
	double		n = na + nb;
	double		f;
	double		dy;

	if (nb <= 0.0)
		return;
	if (na <= 0.0)
	{
		dst->n = nb;
		memcpy(dst->mean_x, mxb, sizeof(double) * p);
		dst->mean_y = myb;
		memcpy(dst->cxx, cxxb, sizeof(double) * p * p);
		memcpy(dst->cxy, cxyb, sizeof(double) * p);
		dst->cyy = cyyb;
		return;
	}
	f = na * nb / n;
	dy = myb - dst->mean_y;
	for (int j = 0; j < p; j++)
	{
		double		dj = mxb[j] - dst->mean_x[j];
		double	   *row = dst->cxx + (size_t) j * p;
		const double *rowb = cxxb + (size_t) j * p;

		for (int k = 0; k < p; k++)
			row[k] += rowb[k] + f * dj * (mxb[k] - dst->mean_x[k]);
		dst->cxy[j] += cxyb[j] + f * dj * dy;
	}
	dst->cyy += cyyb + f * dy * dy;
	for (int j = 0; j < p; j++)
		dst->mean_x[j] += (mxb[j] - dst->mean_x[j]) * (nb / n);
	dst->mean_y += dy * (nb / n);
	dst->n = n;
}

void
acq_linacc_flush(AcqLinAcc *a)
{
	int			p = a->p;
	int			m = a->nbuf;
	double	   *mx;
	double	   *cxx;
	double	   *cxy;
	double		my = 0.0,
				cyy = 0.0;

	if (m == 0)
		return;
	mx = acq_alloc_array((size_t) p * (p + 2), sizeof(double));
	cxy = mx + p;
	cxx = cxy + p;
	for (int i = 0; i < m; i++)
	{
		const double *x = a->bx + (size_t) i * p;

		for (int j = 0; j < p; j++)
			mx[j] += x[j];
		my += a->by[i];
	}
	for (int j = 0; j < p; j++)
		mx[j] /= m;
	my /= m;
	/* a second pass corrects the means for the rounding of large sums */
	{
		double		ey = 0.0;

		for (int i = 0; i < m; i++)
		{
			const double *x = a->bx + (size_t) i * p;

			for (int j = 0; j < p; j++)
				cxy[j] += x[j] - mx[j];
			ey += a->by[i] - my;
		}
		for (int j = 0; j < p; j++)
		{
			mx[j] += cxy[j] / m;
			cxy[j] = 0.0;
		}
		my += ey / m;
	}
	/* centre the chunk in place */
	for (int i = 0; i < m; i++)
	{
		double	   *x = a->bx + (size_t) i * p;

		for (int j = 0; j < p; j++)
			x[j] -= mx[j];
		a->by[i] -= my;
	}
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, p, m, 1.0, a->bx, p, 0.0, cxx, p);
	for (int j = 0; j < p; j++)
		for (int k = 0; k < j; k++)
			cxx[(size_t) j * p + k] = cxx[(size_t) k * p + j];
	cblas_dgemv(CblasRowMajor, CblasTrans, m, p, 1.0, a->bx, p, a->by, 1, 0.0, cxy, 1);
	cyy = cblas_ddot(m, a->by, 1, a->by, 1);
	a->nbuf = 0;
	lin_combine(a, (double) m, mx, my, cxx, cxy, cyy);
	acq_free(mx);
	acq_check_interrupts();
}

void
acq_linacc_merge(AcqLinAcc *dst, AcqLinAcc *src)
{
	acq_linacc_flush(dst);
	acq_linacc_flush(src);
	lin_combine(dst, src->n, src->mean_x, src->mean_y, src->cxx, src->cxy, src->cyy);
}

size_t
acq_linacc_flat_len(int p)
{
	return 4 + 2 * (size_t) p + (size_t) p * (p + 1) / 2;
}

void
acq_linacc_flatten(AcqLinAcc *a, double *out)
{
	int			p = a->p;
	double	   *o;

	acq_linacc_flush(a);
	out[0] = p;
	out[1] = a->n;
	out[2] = a->mean_y;
	out[3] = a->cyy;
	memcpy(out + 4, a->mean_x, sizeof(double) * p);
	memcpy(out + 4 + p, a->cxy, sizeof(double) * p);
	o = out + 4 + 2 * p;
	for (int j = 0; j < p; j++)
		for (int k = j; k < p; k++)
			*o++ = a->cxx[(size_t) j * p + k];
}

AcqLinAcc *
acq_linacc_unflatten(const double *in, size_t len, char *errbuf, size_t errlen)
{
	AcqLinAcc  *a;
	int			p;
	const double *o;

	if (len < 5 || !(in[0] >= 1.0) || in[0] > 1e6 || in[0] != floor(in[0]) ||
		acq_linacc_flat_len((int) in[0]) != len || !(in[1] >= 0.0))
	{
		acq_set_error(errbuf, errlen, "not the linear statistics of acq.linear_stats");
		return NULL;
	}
	p = (int) in[0];
	a = acq_linacc_create(p);
	a->n = in[1];
	a->mean_y = in[2];
	a->cyy = in[3];
	memcpy(a->mean_x, in + 4, sizeof(double) * p);
	memcpy(a->cxy, in + 4 + p, sizeof(double) * p);
	o = in + 4 + 2 * p;
	for (int j = 0; j < p; j++)
		for (int k = j; k < p; k++)
		{
			a->cxx[(size_t) j * p + k] = *o;
			a->cxx[(size_t) k * p + j] = *o++;
		}
	return a;
}

void
acq_linacc_to_linstats(const AcqLinAcc *a, const double *shift, double yshift,
					   AcqLinStats *dst)
{
	int			p = a->p;
	int			d = p + 1;
	double		n = a->n;
	double		dy = a->mean_y - yshift;
	double	   *dx = acq_alloc_array(p, sizeof(double));

	for (int j = 0; j < p; j++)
		dx[j] = a->mean_x[j] - (shift ? shift[j] : 0.0);
	for (int j = 0; j < p; j++)
	{
		for (int k = 0; k < p; k++)
			dst->ztz[(size_t) j * d + k] = a->cxx[(size_t) j * p + k] + n * dx[j] * dx[k];
		dst->ztz[(size_t) j * d + p] = n * dx[j];
		dst->ztz[(size_t) p * d + j] = n * dx[j];
		dst->zty[j] = a->cxy[j] + n * dx[j] * dy;
	}
	dst->ztz[(size_t) p * d + p] = n;
	dst->zty[p] = n * dy;
	dst->yty = a->cyy + n * dy * dy;
	dst->n = n;
	acq_free(dx);
}

bool
acq_linacc_finite(const AcqLinAcc *a)
{
	int			p = a->p;

	if (!isfinite(a->n) || !isfinite(a->mean_y) || !isfinite(a->cyy))
		return false;
	for (int j = 0; j < p; j++)
		if (!isfinite(a->mean_x[j]) || !isfinite(a->cxy[j]) ||
			!isfinite(a->cxx[(size_t) j * p + j]))
			return false;
	return true;
}

/* ---- logistic ------------------------------------------------------------------ */

AcqLogAcc *
acq_logacc_create(int p, int K, const double *W)
{
	AcqLogAcc  *a;
	int			d = p + 1;

	if (p < 1 || K < 1)
		return NULL;
	a = acq_alloc(sizeof(AcqLogAcc));
	a->p = p;
	a->K = K;
	a->W = acq_alloc_array((size_t) K * d, sizeof(double));
	memcpy(a->W, W, sizeof(double) * K * d);
	a->loss = acq_alloc_array(K, sizeof(double));
	a->grad = acq_alloc_array((size_t) K * d, sizeof(double));
	a->hess = acq_alloc_array((size_t) K * d * d, sizeof(double));
	/* a chunk's Hessians cost K d^2 / 2 multiply-adds a row */
	a->cap = chunk_rows(0.5 * (double) K * d * d, sizeof(double) * (2.0 * d + 1.0 + K));
	return a;
}

void
acq_logacc_free(AcqLogAcc *a)
{
	if (a == NULL)
		return;
	acq_free(a->W);
	acq_free(a->loss);
	acq_free(a->grad);
	acq_free(a->hess);
	acq_free(a->bz);
	acq_free(a);
}

double
acq_logacc_memory(int p, int K)
{
	double		d = p + 1.0;
	double		cap = chunk_rows(0.5 * (double) K * d * d, sizeof(double) * (2.0 * d + 1.0 + K));

	return sizeof(AcqLogAcc) + sizeof(double) * ((double) K * (2.0 * d + 1.0 + d * d) +
												 cap * (2.0 * d + 1.0 + K));
}

void
acq_logacc_add_row(AcqLogAcc *a, const double *x, double y)
{
	int			d = a->p + 1;

	if (a->bz == NULL)
	{
		a->bz = acq_alloc_array((size_t) a->cap * (2 * d + 1 + a->K), sizeof(double));
		a->by = a->bz + (size_t) a->cap * d;
		a->margins = a->by + a->cap;
		a->scaled = a->margins + (size_t) a->cap * a->K;
	}
	memcpy(a->bz + (size_t) a->nbuf * d, x, sizeof(double) * a->p);
	a->bz[(size_t) a->nbuf * d + a->p] = 1.0;
	a->by[a->nbuf] = y;
	if (++a->nbuf == a->cap)
		acq_logacc_flush(a);
}

void
acq_logacc_flush(AcqLogAcc *a)
{
	int			d = a->p + 1;
	int			m = a->nbuf;
	int			K = a->K;
	double	   *r;

	if (m == 0)
		return;
	/* margins = Z W^T (m x K) */
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, K, d, 1.0, a->bz, d,
				a->W, d, 0.0, a->margins, K);
	r = acq_alloc_array(m, sizeof(double));
	for (int k = 0; k < K; k++)
	{
		double		loss = 0.0;

		for (int i = 0; i < m; i++)
		{
			double		z = a->margins[(size_t) i * K + k];
			double		y = a->by[i];
			double		s = 1.0 / (1.0 + exp(-z));
			double		w = s * (1.0 - s);
			double		sw = sqrt(w);
			const double *zi = a->bz + (size_t) i * d;
			double	   *si = a->scaled + (size_t) i * d;

			/* log(1 + e^z) - y z, without overflow */
			loss += (z > 0.0 ? z : 0.0) + log1p(exp(-fabs(z))) - y * z;
			r[i] = s - y;
			for (int j = 0; j < d; j++)
				si[j] = zi[j] * sw;
		}
		a->loss[k] += loss;
		cblas_dgemv(CblasRowMajor, CblasTrans, m, d, 1.0, a->bz, d, r, 1, 1.0,
					a->grad + (size_t) k * d, 1);
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, m, 1.0, a->scaled, d,
					1.0, a->hess + (size_t) k * d * d, d);
		if (K > 1)
			acq_check_interrupts();
	}
	acq_free(r);
	a->n += m;
	a->nbuf = 0;
	acq_check_interrupts();
}

void
acq_logacc_merge(AcqLogAcc *dst, AcqLogAcc *src)
{
	int			d = dst->p + 1;

	acq_logacc_flush(dst);
	acq_logacc_flush(src);
	dst->n += src->n;
	for (int k = 0; k < dst->K; k++)
	{
		dst->loss[k] += src->loss[k];
		for (int j = 0; j < d; j++)
			dst->grad[(size_t) k * d + j] += src->grad[(size_t) k * d + j];
		for (int j = 0; j < d; j++)
			for (int l = j; l < d; l++)
				dst->hess[(size_t) k * d * d + (size_t) j * d + l] +=
					src->hess[(size_t) k * d * d + (size_t) j * d + l];
	}
}

size_t
acq_logacc_flat_len(int p, int K)
{
	size_t		d = (size_t) p + 1;

	return 3 + (size_t) K * (1 + d + d * (d + 1) / 2);
}

void
acq_logacc_flatten(AcqLogAcc *a, double *out)
{
	int			d = a->p + 1;
	int			K = a->K;
	double	   *o;

	acq_logacc_flush(a);
	out[0] = a->p;
	out[1] = K;
	out[2] = a->n;
	memcpy(out + 3, a->loss, sizeof(double) * K);
	memcpy(out + 3 + K, a->grad, sizeof(double) * K * d);
	o = out + 3 + (size_t) K * (1 + d);
	for (int k = 0; k < K; k++)
		for (int j = 0; j < d; j++)
			for (int l = j; l < d; l++)
				*o++ = a->hess[(size_t) k * d * d + (size_t) j * d + l];
}

bool
acq_logflat_add(const double *flat, size_t len, int p, int k,
				double *loss, double *g, double *H, double *n)
{
	int			d = p + 1;
	int			K;
	const double *o;

	if (len < 3 || flat[0] != (double) p || !(flat[1] >= 1.0) || flat[1] > 1e6)
		return false;
	K = (int) flat[1];
	if (acq_logacc_flat_len(p, K) != len || k < 0 || k >= K)
		return false;
	*n += flat[2];
	*loss += flat[3 + k];
	for (int j = 0; j < d; j++)
		g[j] += flat[3 + K + (size_t) k * d + j];
	o = flat + 3 + (size_t) K * (1 + d) + (size_t) k * d * (d + 1) / 2;
	for (int j = 0; j < d; j++)
		for (int l = j; l < d; l++)
		{
			H[(size_t) j * d + l] += *o;
			if (l != j)
				H[(size_t) l * d + j] += *o;
			o++;
		}
	return true;
}

bool
acq_logterms_newton(int p, double C, const double *coef, double n,
					const double *g, const double *H, double *step,
					double *gnorm, double *objective, double loss)
{
	int			d = p + 1;
	double	   *A = acq_alloc_array((size_t) d * d, sizeof(double));
	double		gmax = 0.0;
	double		reg = 0.0;
	bool		ok;

	for (int j = 0; j < d; j++)
	{
		double		gj = C * g[j] + (j < p ? coef[j] : 0.0);

		step[j] = gj;
		if (fabs(gj) > gmax)
			gmax = fabs(gj);
		for (int l = 0; l < d; l++)
			A[(size_t) j * d + l] = C * H[(size_t) j * d + l] + (j == l && j < p ? 1.0 : 0.0);
		if (j < p)
			reg += coef[j] * coef[j];
	}
	*gnorm = gmax / (C * n > 1.0 ? C * n : 1.0);
	*objective = C * loss + 0.5 * reg;
	ok = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', d, 1, A, d, step, 1) == 0;
	for (int j = 0; ok && j < d; j++)
		ok = isfinite(step[j]);
	acq_free(A);
	return ok;
}
