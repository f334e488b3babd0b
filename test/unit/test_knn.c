/*
 * test_knn.c -- acq_knn_* against scikit-learn's KNeighborsClassifier and
 * KNeighborsRegressor (fixtures/knn_fixture.h, from
 * fixtures/make_models_fixture.py), against a naive reimplementation on
 * generated data spanning several query and training blocks, and the
 * documented tie rules.
 */
#include "core/knn.h"
#include "core/models.h"
#include "unit.h"

#include <string.h>

#include "fixtures/knn_fixture.h"

#include "hooks.h"

static void
check_fixture_k(int k, const int *want_cls, const double *want_reg)
{
	int			cls[KN_NQ];
	double		reg[KN_NQ];
	int			i;
	int			same = 0;

	CHECK(acq_knn_classify(KN_XTR, KN_YCLS, KN_NTR, KN_D, KN_K, KN_XQ, KN_NQ,
						   k, cls) == ACQ_OK);
	CHECK(acq_knn_regress(KN_XTR, KN_YREG, KN_NTR, KN_D, KN_XQ, KN_NQ, k,
						  reg) == ACQ_OK);
	for (i = 0; i < KN_NQ; i++)
	{
		same += (cls[i] == want_cls[i]);
		CHECK_CLOSE(reg[i], want_reg[i], 1e-9);
	}
	CHECK(same == KN_NQ);
	CHECK_CLOSE(acq_accuracy_int(want_cls, cls, KN_NQ), 1.0, 0.0);
}

/* 700 query rows: three query blocks of 256 */
static void
test_fixture(void)
{
	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	check_fixture_k(1, KN_CLS_K1, KN_REG_K1);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	/* once per query block and once per training tile in it, two calls */
	CHECK(n_interrupts == 2 * 3 * (1 + (KN_NTR + 4095) / 4096));
	check_fixture_k(3, KN_CLS_K3, KN_REG_K3);
	check_fixture_k(4, KN_CLS_K4, KN_REG_K4);	/* even k: vote ties */
	check_fixture_k(5, KN_CLS_K5, KN_REG_K5);
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);
}

/* ---- generated data over several training blocks --------------------- */

static double
gauss(AcqRng *rng)
{
	double		u1 = acq_rng_double(rng);
	double		u2 = acq_rng_double(rng);

	return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

/*
 * The k nearest by the definition: exact distances (long double, no norm
 * trick), a full selection, ties to the lower index.
 */
static void
naive_neighbours(const double *Xtr, int64_t ntr, int d, const double *q,
				 int k, int64_t *idx)
{
	long double *dist = malloc(sizeof(long double) * ntr);
	char	   *taken = calloc(ntr, 1);
	int64_t		j;
	int			c,
				t;

	for (j = 0; j < ntr; j++)
	{
		long double s = 0.0L;

		for (t = 0; t < d; t++)
		{
			long double diff = (long double) Xtr[j * d + t] - q[t];

			s += diff * diff;
		}
		dist[j] = s;
	}
	for (c = 0; c < k; c++)
	{
		int64_t		best = -1;

		for (j = 0; j < ntr; j++)
			if (!taken[j] && (best < 0 || dist[j] < dist[best]))
				best = j;
		taken[best] = 1;
		idx[c] = best;
	}
	free(dist);
	free(taken);
}

static void
test_generated_blocks(void)
{
	int64_t		ntr = 9000;		/* three training blocks of 4096 */
	int64_t		nq = 300;		/* two query blocks */
	int			d = 7;
	int			K = 3;
	int			k = 7;
	double	   *Xtr = malloc(sizeof(double) * ntr * d);
	double	   *Xq = malloc(sizeof(double) * nq * d);
	int		   *ycls = malloc(sizeof(int) * ntr);
	double	   *yreg = malloc(sizeof(double) * ntr);
	int		   *cls = malloc(sizeof(int) * nq);
	double	   *reg = malloc(sizeof(double) * nq);
	AcqSplitMix sm = {77};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int64_t		i;
	int			bad_cls = 0;
	int			bad_reg = 0;

	for (i = 0; i < ntr * d; i++)
		Xtr[i] = gauss(&rng);
	for (i = 0; i < nq * d; i++)
		Xq[i] = gauss(&rng);
	for (i = 0; i < ntr; i++)
	{
		ycls[i] = (int) acq_rng_below(&rng, K);
		yreg[i] = Xtr[i * d] + 0.1 * gauss(&rng);
	}

	acq_set_hooks(&counting_hooks);
	n_alloc = n_free = n_interrupts = 0;
	CHECK(acq_knn_classify(Xtr, ycls, ntr, d, K, Xq, nq, k, cls) == ACQ_OK);
	CHECK(acq_knn_regress(Xtr, yreg, ntr, d, Xq, nq, k, reg) == ACQ_OK);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	CHECK(n_interrupts == 2 * 2 * (1 + 3));	/* 2 calls x 2 query blocks x (1 + 3 tiles) */
	acq_set_hooks(NULL);

	for (i = 0; i < nq; i++)
	{
		int64_t		idx[7];
		int			votes[3] = {0, 0, 0};
		int			best = 0;
		double		s = 0.0;
		int			c;

		naive_neighbours(Xtr, ntr, d, Xq + i * d, k, idx);
		for (c = 0; c < k; c++)
		{
			votes[ycls[idx[c]]]++;
			s += yreg[idx[c]];
		}
		for (c = 1; c < K; c++)
			if (votes[c] > votes[best])
				best = c;
		bad_cls += (cls[i] != best);
		bad_reg += !(fabs(reg[i] - s / k) <= 1e-12);
	}
	CHECK(bad_cls == 0);
	CHECK(bad_reg == 0);
	free(Xtr);
	free(Xq);
	free(ycls);
	free(yreg);
	free(cls);
	free(reg);
}

/*
 * Ties.  Training rows (1-d): 0 at x=0 (class 1), 1 at x=2 (class 0),
 * 2 at x=-2 (class 2), 3 at x=2 (class 1), 4 at x=0 (class 0).
 */
static void
test_ties_and_k(void)
{
	double		Xtr[5] = {0.0, 2.0, -2.0, 2.0, 0.0};
	int			ycls[5] = {1, 0, 2, 1, 0};
	double		yreg[5] = {10.0, 20.0, 30.0, 40.0, 50.0};
	double		q0[1] = {0.0};
	double		q2[1] = {2.0};
	double		q1[1] = {1.0};
	int			cls;
	double		reg;

	/* equal distances: the lower training index (row 0, not row 4) */
	CHECK(acq_knn_classify(Xtr, ycls, 5, 1, 3, q0, 1, 1, &cls) == ACQ_OK);
	CHECK(cls == 1);
	CHECK(acq_knn_regress(Xtr, yreg, 5, 1, q0, 1, 1, &reg) == ACQ_OK);
	CHECK(reg == 10.0);
	/* at x = 2, rows 1 and 3 tie: row 1 */
	CHECK(acq_knn_regress(Xtr, yreg, 5, 1, q2, 1, 1, &reg) == ACQ_OK);
	CHECK(reg == 20.0);
	/* k = 2 at x = 0: rows 0 and 4, classes 1 and 0 tie: class 0 */
	CHECK(acq_knn_classify(Xtr, ycls, 5, 1, 3, q0, 1, 2, &cls) == ACQ_OK);
	CHECK(cls == 0);
	/*
	 * k = 3 at x = 1: distances 1 (rows 0, 1, 3, 4); the lower indices
	 * 0, 1, 3 are kept: classes 1, 0, 1 -> class 1; mean 70/3
	 */
	CHECK(acq_knn_classify(Xtr, ycls, 5, 1, 3, q1, 1, 3, &cls) == ACQ_OK);
	CHECK(cls == 1);
	CHECK(acq_knn_regress(Xtr, yreg, 5, 1, q1, 1, 3, &reg) == ACQ_OK);
	CHECK_CLOSE(reg, 70.0 / 3.0, 1e-12);
	/* k > ntr: all rows */
	CHECK(acq_knn_regress(Xtr, yreg, 5, 1, q1, 1, 50, &reg) == ACQ_OK);
	CHECK_CLOSE(reg, 30.0, 1e-12);
	CHECK(acq_knn_classify(Xtr, ycls, 5, 1, 3, q1, 1, 50, &cls) == ACQ_OK);
	CHECK(cls == 0);			/* votes 2, 2, 1: class 0 */

	/* errors */
	CHECK(acq_knn_classify(Xtr, ycls, 5, 1, 3, q1, 1, 0, &cls) == ACQ_ERR_ARGUMENT);
	CHECK(acq_knn_classify(Xtr, ycls, 5, 1, 2, q1, 1, 1, &cls) == ACQ_ERR_ARGUMENT);
	CHECK(acq_knn_classify(Xtr, ycls, 0, 1, 3, q1, 1, 1, &cls) == ACQ_ERR_EMPTY);
	CHECK(acq_knn_regress(Xtr, yreg, 5, 0, q1, 1, 1, &reg) == ACQ_ERR_ARGUMENT);
	CHECK(acq_knn_regress(Xtr, yreg, 5, 1, q1, 0, 1, &reg) == ACQ_OK);
}

int
main(void)
{
	RUN(test_fixture);
	RUN(test_generated_blocks);
	RUN(test_ties_and_k);
	return unit_summary("test_knn");
}
