/*
 * overflow.c -- where the squares of a regression's data overflow float8;
 * see overflow.h.
 */
#include "core/overflow.h"

#include <math.h>
#include <string.h>

/* the population variance of the labels of b (two passes) */
static double
label_variance(const AcqBlock *b)
{
	double		mean = 0.0;
	double		ss = 0.0;
	int64_t		i;

	for (i = 0; i < b->n; i++)
		mean += b->y[i];
	mean /= (double) b->n;
	for (i = 0; i < b->n; i++)
		ss += (b->y[i] - mean) * (b->y[i] - mean);
	return ss / (double) b->n;
}

/* the block holding the largest |value| of column c (-1: the label) */
static void
overflow_where(const AcqBlock *blocks, int nblocks, int p, int c, AcqOverflow *where)
{
	int			k;

	where->block = 0;
	where->column = c;
	where->magnitude = 0.0;
	for (k = 0; k < nblocks; k++)
	{
		int64_t		i;

		for (i = 0; i < blocks[k].n; i++)
		{
			double		v = fabs(c < 0 ? blocks[k].y[i] : blocks[k].X[i * p + c]);

			if (v > where->magnitude || isnan(v))
			{
				where->magnitude = v;
				where->block = k;
			}
		}
	}
}

bool
acq_linreg_means(const AcqBlock *blocks, int nblocks, int p, double *mean_x,
				 double *mean_y, AcqOverflow *where)
{
	double		ntot = 0.0;
	double		sy = 0.0;
	int			k;
	int			j;

	if (p > 0)
		memset(mean_x, 0, sizeof(double) * p);	/* mean_x may be NULL when p = 0 */
	for (k = 0; k < nblocks; k++)
	{
		int64_t		i;

		for (i = 0; i < blocks[k].n; i++)
		{
			const double *x = blocks[k].X + i * p;

			for (j = 0; j < p; j++)
				mean_x[j] += x[j];
			sy += blocks[k].y[i];
		}
		if (blocks[k].n > 0)
			ntot += (double) blocks[k].n;
		acq_check_interrupts();
	}
	for (j = 0; j < p; j++)
		mean_x[j] /= ntot;
	*mean_y = sy / ntot;
	if (!isfinite(*mean_y))
	{
		overflow_where(blocks, nblocks, p, -1, where);
		return false;
	}
	for (j = 0; j < p; j++)
		if (!isfinite(mean_x[j]))
		{
			overflow_where(blocks, nblocks, p, j, where);
			return false;
		}
	return true;
}

bool
acq_linreg_overflow(const AcqBlock *blocks, int nblocks, int p,
					const double *shift_x, double shift_y, AcqOverflow *where)
{
	double	   *ss = (double *) acq_alloc_array((size_t) (p > 0 ? p : 1), sizeof(double));
	double		ssy = 0.0;
	int			bad = -2;
	int			k;
	int			j;

	for (k = 0; k < nblocks; k++)
	{
		int64_t		i;

		for (i = 0; i < blocks[k].n; i++)
		{
			const double *x = blocks[k].X + i * p;
			double		u = blocks[k].y[i] - shift_y;

			for (j = 0; j < p; j++)
			{
				double		z = x[j] - (shift_x ? shift_x[j] : 0.0);

				ss[j] += z * z;
			}
			ssy += u * u;
		}
		acq_check_interrupts();
	}
	/* the label first: labels beyond float8's square root are the usual case */
	if (!isfinite(ssy))
		bad = -1;
	else
		for (j = 0; j < p; j++)
			if (!isfinite(ss[j]))
			{
				bad = j;
				break;
			}
	acq_free(ss);
	if (bad == -2)
		return false;
	overflow_where(blocks, nblocks, p, bad, where);
	return true;
}

/*
 * The regression's shift (the training rows' means) into shift and *yshift,
 * and whether the squares of the data about it overflow float8 (*where:
 * block m is the validation rows)
 */
bool
acq_regression_overflow(int m, int p, const AcqBlock *sources, const AcqBlock *validation,
						double *shift, double *yshift, AcqOverflow *where)
{
	if (!acq_linreg_means(sources, m, p, shift, yshift, where) ||
		acq_linreg_overflow(sources, m, p, shift, *yshift, where))
		return true;
	if (acq_linreg_overflow(validation, 1, p, shift, *yshift, where))
	{
		where->block = m;
		return true;
	}
	if (!isfinite(label_variance(validation)))
	{
		/* the labels' sum, about their own mean */
		where->block = m;
		where->column = -1;
		where->magnitude = 0.0;
		for (int64_t i = 0; i < validation->n; i++)
			if (fabs(validation->y[i]) > where->magnitude)
				where->magnitude = fabs(validation->y[i]);
		return true;
	}
	return false;
}
