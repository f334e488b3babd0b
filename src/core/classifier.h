/*
 * classifier.h -- one interface over the core's classifiers (CART tree,
 * softmax regression, k-NN), for callers that train "the model trainer's
 * model" without caring which: Mycroft's hard examples and owner ranking.
 *
 * Labels are class codes 0..K-1 (the caller maps its label values).
 */
#ifndef ACQ_CLASSIFIER_H
#define ACQ_CLASSIFIER_H

#include "core/acq_core.h"
#include "core/softmax.h"
#include "core/tree.h"

typedef enum AcqClfKind
{
	ACQ_CLF_TREE = 0,
	ACQ_CLF_SOFTMAX,
	ACQ_CLF_KNN
} AcqClfKind;

typedef struct AcqClfParams
{
	AcqClfKind	kind;
	AcqTreeParams tree;			/* tree */
	double		c;				/* softmax: inverse L2 strength (scikit-learn's C) */
	int			max_iter;		/* softmax */
	double		tol;			/* softmax: mean-loss gradient tolerance */
	int			k;				/* knn */
} AcqClfParams;

void		acq_clf_default_params(AcqClfParams *p, AcqClfKind kind);

typedef struct AcqClassifier
{
	AcqClfKind	kind;
	int			d;
	int			K;
	AcqTree		tree;
	AcqSoftmax	softmax;
	int			k;				/* knn: neighbours */
	double	   *X;				/* knn: a copy of the training rows */
	int		   *y;
	int64_t		n;
} AcqClassifier;

/*
 * Fit on n rows (X n x d row-major, y in 0..K-1).  ACQ_OK, or an error
 * status with a message; a softmax that did not converge in max_iter is
 * still a usable model (ACQ_ERR_NO_CONVERGENCE).  Release with
 * acq_clf_free, also after an error.
 */
/*
 * The most acq_clf_fit and then acq_clf_predict of m rows allocate, in
 * bytes, the training rows not counted: for an estimate before the fit.
 */
double		acq_clf_fit_bytes(const AcqClfParams *p, int64_t n, int d, int K, int64_t m);
AcqStatus	acq_clf_fit(const AcqClfParams *p, const double *X, const int *y, int64_t n,
						int d, int K, AcqRng *rng, AcqClassifier *out,
						char *errbuf, size_t errlen);
void		acq_clf_predict(const AcqClassifier *c, const double *X, int64_t n, int *pred);
void		acq_clf_free(AcqClassifier *c);

#endif							/* ACQ_CLASSIFIER_H */
