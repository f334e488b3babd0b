/*
 * test_classifier.c -- the one interface over tree, softmax and k-NN: each
 * kind fits separable data, predicts it, frees what it allocated; errors.
 */
#include "core/classifier.h"
#include "hooks.h"
#include "unit.h"

#include <string.h>

#define N 300
#define D 2

static double X[N * D];
static int	y[N];

static void
make_data(void)
{
	AcqSplitMix sm = {7};
	AcqRng		rng = {acq_splitmix_next, &sm};

	for (int i = 0; i < N; i++)
	{
		int			c = i % 3;

		X[i * D] = 4.0 * c + acq_rng_double(&rng);
		X[i * D + 1] = -2.0 * c + acq_rng_double(&rng);
		y[i] = c;
	}
}

static void
each_kind_learns(void)
{
	AcqClfKind	kinds[] = {ACQ_CLF_TREE, ACQ_CLF_SOFTMAX, ACQ_CLF_KNN};

	for (int k = 0; k < 3; k++)
	{
		AcqClfParams p;
		AcqClassifier c;
		int			pred[N];
		int			right = 0;
		char		err[128];

		n_alloc = n_free = 0;
		acq_clf_default_params(&p, kinds[k]);
		CHECK(acq_clf_fit(&p, X, y, N, D, 3, NULL, &c, err, sizeof(err)) == ACQ_OK);
		acq_clf_predict(&c, X, N, pred);
		for (int i = 0; i < N; i++)
			right += pred[i] == y[i];
		CHECK(right == N);
		acq_clf_free(&c);
		CHECK(n_alloc == n_free);
	}
}

static void
knn_keeps_its_own_copy(void)
{
	AcqClfParams p;
	AcqClassifier c;
	double		Xc[N * D];
	int			yc[N];
	int			pred[1];
	double		q[D] = {8.5, -3.5};

	memcpy(Xc, X, sizeof(Xc));
	memcpy(yc, y, sizeof(yc));
	acq_clf_default_params(&p, ACQ_CLF_KNN);
	CHECK(acq_clf_fit(&p, Xc, yc, N, D, 3, NULL, &c, NULL, 0) == ACQ_OK);
	memset(Xc, 0, sizeof(Xc));	/* the caller's rows may go away */
	acq_clf_predict(&c, q, 1, pred);
	CHECK(pred[0] == 2);
	acq_clf_free(&c);
}

static void
errors(void)
{
	AcqClfParams p;
	AcqClassifier c;
	char		err[128];

	acq_clf_default_params(&p, ACQ_CLF_TREE);
	CHECK(acq_clf_fit(&p, X, y, 0, D, 3, NULL, &c, err, sizeof(err)) == ACQ_ERR_EMPTY);
	acq_clf_free(&c);
	p.kind = ACQ_CLF_SOFTMAX;
	CHECK(acq_clf_fit(&p, X, y, 0, D, 3, NULL, &c, err, sizeof(err)) == ACQ_ERR_EMPTY);
	acq_clf_free(&c);
}

int
main(void)
{
	acq_set_hooks(&counting_hooks);
	make_data();
	RUN(each_kind_learns);
	RUN(knn_keeps_its_own_copy);
	RUN(errors);
	return unit_summary("test_classifier");
}
