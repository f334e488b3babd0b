/*
 * overflow.h -- where the squares of a regression's data overflow float8
 * (issue 18: no score computed from overflowed arithmetic).
 *
 * Every sum a least-squares fit or its error is built from -- the entries
 * of the statistics (models.h's AcqLinStats), of the row space's Gram
 * matrix, the validation labels' variance -- is bounded, by Cauchy-Schwarz,
 * by the sums of squares of the columns about the shift over all the rows.
 * These functions compute those sums (and the shift, the means) and, if one
 * is not finite, name the column (-1 for the label), the block holding its
 * largest value and that value's magnitude, so that the host can say which
 * table and column to rescale.  Below the limit the fits are exact up to
 * rounding and do not depend on the data's scale; nothing is rescaled.
 */
#ifndef ACQ_OVERFLOW_H
#define ACQ_OVERFLOW_H

#include "core/acq_core.h"

typedef struct AcqOverflow
{
	int			block;			/* index into the blocks */
	int			column;			/* feature index, or -1: the label */
	double		magnitude;		/* the largest |value| of that column there */
} AcqOverflow;

/*
 * true (and *where) if the squares about the shift overflow, over the rows
 * of blocks 0..nblocks-1 (p features a row).  shift_x (p values) and shift_y
 * are the shift; shift_x NULL: no shift.  Blocks of n <= 0 rows count for
 * nothing.  The label is looked at first.
 */
bool		acq_linreg_overflow(const AcqBlock *blocks, int nblocks, int p,
								const double *shift_x, double shift_y,
								AcqOverflow *where);
/*
 * The means of the columns over the rows of the blocks into mean_x (p) and
 * *mean_y (summed block by block, row by row, as the evaluator always did);
 * false if a mean overflowed (then *where names the column, as above)
 */
bool		acq_linreg_means(const AcqBlock *blocks, int nblocks, int p,
							 double *mean_x, double *mean_y, AcqOverflow *where);
/*
 * The source-selection evaluator's check (select.h): the shift, the
 * training rows' means, into shift (p) and *yshift; true if the squares of
 * the training rows about it, those of the validation rows about the same
 * shift, or the validation labels' variance overflow.  *where names the
 * column and the block: 0..m-1 a source, m the validation rows.
 * acq_eval_create refuses such data.
 */
bool		acq_regression_overflow(int m, int p, const AcqBlock *sources,
									const AcqBlock *validation, double *shift,
									double *yshift, AcqOverflow *where);

#endif							/* ACQ_OVERFLOW_H */
