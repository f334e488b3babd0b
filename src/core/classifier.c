/*
 * classifier.c -- one interface over the core's classifiers (classifier.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/classifier.h"
#include "core/knn.h"

void
acq_clf_default_params(AcqClfParams *p, AcqClfKind kind)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	acq_tree_default_params(&p->tree);
	p->c = 1.0;
	p->max_iter = 1000;
	p->tol = 1e-4;
	p->k = 5;
}

AcqStatus
acq_clf_fit(const AcqClfParams *p, const double *X, const int *y, int64_t n,
			int d, int K, AcqRng *rng, AcqClassifier *out,
			char *errbuf, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->kind = p->kind;
	out->d = d;
	out->K = K;
	if (n < 1)
	{
		if (errbuf)
			snprintf(errbuf, errlen, "there are no training rows");
		return ACQ_ERR_EMPTY;
	}
	switch (p->kind)
	{
		case ACQ_CLF_TREE:
			return acq_tree_fit(X, y, NULL, n, d, K, &p->tree, rng, &out->tree, errbuf, errlen);
		case ACQ_CLF_SOFTMAX:
			return acq_softmax_fit(X, y, n, d, K, p->c, p->max_iter, p->tol, &out->softmax,
								   errbuf, errlen);
		case ACQ_CLF_KNN:
			out->k = p->k;
			out->n = n;
			out->X = acq_alloc_array((size_t) n * (size_t) d, sizeof(double));
			out->y = acq_alloc_array(n, sizeof(int));
			memcpy(out->X, X, sizeof(double) * (size_t) n * (size_t) d);
			memcpy(out->y, y, sizeof(int) * (size_t) n);
			return ACQ_OK;
	}
	return ACQ_ERR_ARGUMENT;
}

/*
 * What acq_clf_fit and one acq_clf_predict of m rows allocate at most, in
 * bytes (the training rows not counted; knn keeps a copy of them).
 */
double
acq_clf_fit_bytes(const AcqClfParams *p, int64_t n, int d, int K, int64_t m)
{
	switch (p->kind)
	{
		case ACQ_CLF_TREE:
			return acq_tree_fit_bytes(n, d, K, &p->tree);
		case ACQ_CLF_SOFTMAX:
			return acq_softmax_fit_bytes(n, d, K);
		case ACQ_CLF_KNN:
			return acq_knn_classify_bytes(n, d, K, m, p->k) +
				(sizeof(double) * (double) d + sizeof(int)) * (double) n;
	}
	return 0.0;
}

void
acq_clf_predict(const AcqClassifier *c, const double *X, int64_t n, int *pred)
{
	switch (c->kind)
	{
		case ACQ_CLF_TREE:
			acq_tree_predict(&c->tree, X, n, pred);
			break;
		case ACQ_CLF_SOFTMAX:
			acq_softmax_predict(&c->softmax, X, n, pred);
			break;
		case ACQ_CLF_KNN:
			(void) acq_knn_classify(c->X, c->y, c->n, c->d, c->K, X, n, c->k, pred);
			break;
	}
}

void
acq_clf_free(AcqClassifier *c)
{
	switch (c->kind)
	{
		case ACQ_CLF_TREE:
			acq_tree_free(&c->tree);
			break;
		case ACQ_CLF_SOFTMAX:
			acq_softmax_free(&c->softmax);
			break;
		case ACQ_CLF_KNN:
			if (c->X)
				acq_free(c->X);
			if (c->y)
				acq_free(c->y);
			c->X = NULL;
			c->y = NULL;
			break;
	}
}
