/*
 * test_tree.c -- acq_tree_* against scikit-learn's DecisionTreeClassifier
 * (fixtures/tree_fixture.h, from fixtures/make_tree_fixture.py): the same
 * tree node by node on tie-free synthetic data, and close agreement on a
 * sample of Statlog Shuttle (integer features: ties); the stopping rules,
 * the tie rule, random feature subsets, argument errors, the memory and
 * interrupt hooks, acq_f1_class / acq_f1_macro, and a timing print.
 */
#include "core/tree.h"
#include "core/models.h"
#include "unit.h"

#include <string.h>
#include <time.h>

#include "fixtures/tree_fixture.h"

#include "hooks.h"

typedef struct TreeCase
{
	const char *name;
	const double *X;
	const int  *y;
	const double *w;
	int			n;
	int			d;
	int			K;
	const double *Xte;
	int			nte;
	AcqTreeParams p;
	int			nodes;
	int			leaves;
	int			depth;
	const int  *feature;
	const double *threshold;
	const double *impurity;
	const int  *pred;
	const double *proba;
} TreeCase;

/* a fixture case: data set DATA, sklearn's parameters, its tree */
#define CASE(NAME, DATA, CRIT, DEPTH, MSL, W, MSS, MID) \
	{#NAME, TR_##DATA##_X, TR_##DATA##_Y, (W) ? TR_##DATA##_W : NULL, \
	 TR_##DATA##_N, TR_##DATA##_D, TR_##DATA##_K, TR_##DATA##_XTE, TR_##DATA##_NTE, \
	 {CRIT, DEPTH, MSS, MSL, MID, 0}, \
	 TR_##NAME##_NODES, TR_##NAME##_LEAVES, TR_##NAME##_DEPTH, \
	 TR_##NAME##_FEATURE, TR_##NAME##_THRESHOLD, TR_##NAME##_IMPURITY, \
	 TR_##NAME##_PRED_TE, TR_##NAME##_PROBA_TE}

#define G ACQ_TREE_GINI
#define E ACQ_TREE_ENTROPY

/* as make_tree_fixture.py's CASES (max_depth None is 0 or -1 here) */
static const TreeCase cases[] = {
	CASE(G2D3, K2, G, 3, 1, false, 2, 0.0),
	CASE(E2D3W, K2, E, 3, 1, true, 2, 0.0),
	CASE(G2D4L5W, K2, G, 4, 5, true, 2, 0.0),
	CASE(G3FULL, K3C, G, 0, 1, false, 2, 0.0),
	CASE(E3FULL, K3C, E, -1, 1, false, 2, 0.0),
	CASE(G1FULL, K2D1, G, 0, 1, false, 2, 0.0),
	CASE(E1FULL, K2D1, E, 0, 1, false, 2, 0.0),
	CASE(G1FULLW, K2D1, G, 0, 1, true, 2, 0.0),
	CASE(E4D3, K4, E, 3, 1, false, 2, 0.0),
	CASE(G4D3L5, K4, G, 3, 5, false, 2, 0.0),
	CASE(G4L5W, K4, G, 0, 5, true, 2, 0.0),
	CASE(E4L5W, K4, E, 0, 5, true, 2, 0.0),
	CASE(G4MIS, K4, G, 6, 1, false, 10, 0.01),
};

static void
check_case(const TreeCase *c)
{
	AcqTree		t;
	char		err[128];
	int		   *pred = malloc(sizeof(int) * c->nte);
	double	   *proba = malloc(sizeof(double) * c->nte * c->K);
	int			bad_node = 0;
	int			bad_pred = 0;
	int			bad_proba = 0;
	int			i;

	unit_current = c->name;
	n_alloc = n_free = n_interrupts = 0;
	CHECK(acq_tree_fit(c->X, c->y, c->w, c->n, c->d, c->K, &c->p, NULL, &t,
					   err, sizeof(err)) == ACQ_OK);
	CHECK(t.n_nodes == c->nodes);
	CHECK(acq_tree_leaves(&t) == c->leaves);
	CHECK(acq_tree_depth(&t) == c->depth);
	/* polled once per feature (presort) and once per node */
	CHECK(n_interrupts == c->d + t.n_nodes);
	if (t.n_nodes == c->nodes)
		for (i = 0; i < t.n_nodes; i++)
		{
			const AcqTreeNode *nd = &t.nodes[i];

			/* same split, same (float32-exact) midpoint, in preorder */
			if (nd->feature != c->feature[i] ||
				(nd->feature >= 0 && nd->threshold != c->threshold[i]) ||
				!(fabs(nd->impurity - c->impurity[i]) <= 1e-12))
				bad_node++;
		}
	CHECK(bad_node == 0);

	acq_tree_predict(&t, c->Xte, c->nte, pred);
	acq_tree_predict_proba(&t, c->Xte, c->nte, proba);
	for (i = 0; i < c->nte; i++)
		bad_pred += (pred[i] != c->pred[i]);
	for (i = 0; i < c->nte * c->K; i++)
		bad_proba += !(fabs(proba[i] - c->proba[i]) <= 1e-12);
	CHECK(bad_pred == 0);
	CHECK(bad_proba == 0);
	acq_tree_free(&t);
	CHECK(n_alloc > 0 && n_alloc == n_free);
	free(pred);
	free(proba);
}

static void
test_fixture(void)
{
	size_t		i;

	acq_set_hooks(&counting_hooks);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	acq_set_hooks(NULL);
}

/* ---- Statlog Shuttle: integer features, so tied splits ------------------ */

static double *
int_to_double(const int *a, int64_t n)
{
	double	   *x = malloc(sizeof(double) * n);
	int64_t		i;

	for (i = 0; i < n; i++)
		x[i] = a[i];
	return x;
}

static void
check_shuttle(const char *tag, AcqTreeCriterion crit, int max_depth,
			  const int *want_te, double want_acc_tr, int want_leaves,
			  int want_depth, const double *X, const double *Xte)
{
	AcqTreeParams p;
	AcqTree		t;
	int		   *pred_tr = malloc(sizeof(int) * SH_N);
	int		   *pred_te = malloc(sizeof(int) * SH_NTE);
	double		agree,
				acc_tr;

	acq_tree_default_params(&p);
	p.criterion = crit;
	p.max_depth = max_depth;
	CHECK(acq_tree_fit(X, SH_Y, NULL, SH_N, SH_D, SH_K, &p, NULL, &t,
					   NULL, 0) == ACQ_OK);
	acq_tree_predict(&t, X, SH_N, pred_tr);
	acq_tree_predict(&t, Xte, SH_NTE, pred_te);
	agree = acq_accuracy_int(want_te, pred_te, SH_NTE);
	acc_tr = acq_accuracy_int(SH_Y, pred_tr, SH_N);
	printf("  shuttle %s: test agreement with sklearn %.4f; train accuracy "
		   "%.4f (sklearn %.4f); leaves %d (%d), depth %d (%d)\n",
		   tag, agree, acc_tr, want_acc_tr, acq_tree_leaves(&t), want_leaves,
		   acq_tree_depth(&t), want_depth);
	CHECK(agree >= 0.99);
	CHECK_CLOSE(acc_tr, want_acc_tr, 0.005);
	acq_tree_free(&t);
	free(pred_tr);
	free(pred_te);
}

static void
test_shuttle(void)
{
	double	   *X = int_to_double(SH_X, (int64_t) SH_N * SH_D);
	double	   *Xte = int_to_double(SH_XTE, (int64_t) SH_NTE * SH_D);

	check_shuttle("gini", ACQ_TREE_GINI, 0, SH_GFULL_PRED_TE,
				  SH_GFULL_ACC_TR, SH_GFULL_LEAVES, SH_GFULL_DEPTH, X, Xte);
	check_shuttle("entropy depth 5", ACQ_TREE_ENTROPY, 5, SH_ED5_PRED_TE,
				  SH_ED5_ACC_TR, SH_ED5_LEAVES, SH_ED5_DEPTH, X, Xte);
	free(X);
	free(Xte);
}

/* ---- hand-made cases ------------------------------------------------------ */

/* pure node, constant features, single row: the root is the only leaf */
static void
test_root_leaf(void)
{
	double		X[6] = {1, 2, 1, 2, 1, 2};
	int			y0[3] = {1, 1, 1};
	int			y1[3] = {0, 2, 2};
	double		proba[3];
	int			pred;
	AcqTreeParams p;
	AcqTree		t;

	acq_tree_default_params(&p);
	/* a single class */
	CHECK(acq_tree_fit(X, y0, NULL, 3, 2, 3, &p, NULL, &t, NULL, 0) == ACQ_OK);
	CHECK(t.n_nodes == 1 && acq_tree_leaves(&t) == 1 && acq_tree_depth(&t) == 0);
	acq_tree_predict(&t, X, 1, &pred);
	CHECK(pred == 1);
	acq_tree_free(&t);
	/* every feature constant: no split, class 2 has the majority */
	CHECK(acq_tree_fit(X, y1, NULL, 3, 2, 3, &p, NULL, &t, NULL, 0) == ACQ_OK);
	CHECK(t.n_nodes == 1);
	acq_tree_predict(&t, X, 1, &pred);
	acq_tree_predict_proba(&t, X, 1, proba);
	CHECK(pred == 2);
	CHECK_CLOSE(proba[0], 1.0 / 3.0, 1e-15);
	CHECK(proba[1] == 0.0);
	CHECK_CLOSE(proba[2], 2.0 / 3.0, 1e-15);
	acq_tree_free(&t);
	/* argmax ties go to the lower class */
	CHECK(acq_tree_fit(X, y1, NULL, 2, 2, 3, &p, NULL, &t, NULL, 0) == ACQ_OK);
	acq_tree_predict(&t, X, 1, &pred);
	CHECK(pred == 0);
	acq_tree_free(&t);
}

/*
 * XOR: every split of the root decreases the impurity by zero; like
 * scikit-learn the root is still split (the children then separate the
 * classes).  A positive min_impurity_decrease keeps the root a leaf.
 */
static void
test_zero_decrease(void)
{
	double		X[8] = {0, 0, 1, 1, 0, 1, 1, 0};
	int			y[4] = {0, 0, 1, 1};
	int			pred[4];
	AcqTreeParams p;
	AcqTree		t;

	acq_tree_default_params(&p);
	CHECK(acq_tree_fit(X, y, NULL, 4, 2, 2, &p, NULL, &t, NULL, 0) == ACQ_OK);
	CHECK(acq_tree_leaves(&t) == 4 && acq_tree_depth(&t) == 2);
	/* tie rule: the first feature, at its midpoint */
	CHECK(t.nodes[0].feature == 0 && t.nodes[0].threshold == 0.5);
	acq_tree_predict(&t, X, 4, pred);
	CHECK(acq_accuracy_int(y, pred, 4) == 1.0);
	acq_tree_free(&t);

	p.min_impurity_decrease = 1e-9;
	CHECK(acq_tree_fit(X, y, NULL, 4, 2, 2, &p, NULL, &t, NULL, 0) == ACQ_OK);
	CHECK(t.n_nodes == 1);
	acq_tree_free(&t);
}

/*
 * Ties: features 0 and 1 split the rows identically (the first feature
 * wins); within feature 0 of the second set, x <= 1.5 and x <= 4.5 both
 * isolate one row of class 1 (the lower threshold wins).  Max depth 1.
 */
static void
test_ties(void)
{
	double		X1[8] = {1, 10, 2, 20, 3, 30, 4, 40};
	int			y1[4] = {0, 0, 1, 1};
	double		X2[5] = {1, 2, 3, 4, 5};
	int			y2[5] = {1, 0, 0, 0, 1};
	double		adj[2];
	int			yadj[2] = {0, 1};
	int			pred[2];
	AcqTreeParams p;
	AcqTree		t;

	acq_tree_default_params(&p);
	p.max_depth = 1;
	CHECK(acq_tree_fit(X1, y1, NULL, 4, 2, 2, &p, NULL, &t, NULL, 0) == ACQ_OK);
	CHECK(t.nodes[0].feature == 0 && t.nodes[0].threshold == 2.5);
	acq_tree_free(&t);
	CHECK(acq_tree_fit(X2, y2, NULL, 5, 1, 2, &p, NULL, &t, NULL, 0) == ACQ_OK);
	CHECK(t.nodes[0].feature == 0 && t.nodes[0].threshold == 1.5);
	acq_tree_free(&t);

	/* adjacent doubles: the midpoint rounds up, the lower value is used */
	adj[0] = 1.0;
	adj[1] = nextafter(1.0, 2.0);
	CHECK(acq_tree_fit(adj, yadj, NULL, 2, 1, 2, &p, NULL, &t, NULL, 0) == ACQ_OK);
	CHECK(t.n_nodes == 3 && t.nodes[0].threshold == 1.0);
	acq_tree_predict(&t, adj, 2, pred);
	CHECK(pred[0] == 0 && pred[1] == 1);
	acq_tree_free(&t);
}

/* stopping rules: min_samples_split, min_samples_leaf, max_depth */
static void
test_stopping(void)
{
	const TreeCase *c = &cases[5];	/* G1FULL: one feature, deep */
	AcqTreeParams p = c->p;
	AcqTree		t;
	int			i;
	int			bad = 0;

	p.min_samples_leaf = 7;
	p.min_samples_split = 20;
	p.max_depth = 5;
	CHECK(acq_tree_fit(c->X, c->y, NULL, c->n, c->d, c->K, &p, NULL, &t,
					   NULL, 0) == ACQ_OK);
	CHECK(acq_tree_depth(&t) <= 5);
	for (i = 0; i < t.n_nodes; i++)
	{
		const AcqTreeNode *nd = &t.nodes[i];

		if (nd->rows < 7)
			bad++;
		if (nd->feature >= 0 && (nd->rows < 20 || nd->depth >= 5))
			bad++;
		if (nd->feature >= 0 &&
			t.nodes[nd->left].rows + t.nodes[nd->right].rows != nd->rows)
			bad++;
	}
	CHECK(bad == 0);
	acq_tree_free(&t);
}

/* max_features: seeded random subsets, reproducible; NULL rng refused */
static void
test_max_features(void)
{
	const TreeCase *c = &cases[10];	/* G4L5W: 5 features */
	AcqTreeParams p;
	AcqTree		t1,
				t2,
				t3;
	AcqSplitMix sm1 = {5},
				sm2 = {5};
	AcqRng		r1 = {acq_splitmix_next, &sm1};
	AcqRng		r2 = {acq_splitmix_next, &sm2};
	int		   *pred = malloc(sizeof(int) * c->n);
	int			i;
	bool		same = true;

	acq_tree_default_params(&p);
	p.max_features = 2;
	CHECK(acq_tree_fit(c->X, c->y, NULL, c->n, c->d, c->K, &p, NULL, &t1,
					   NULL, 0) == ACQ_ERR_ARGUMENT);
	n_alloc = n_free = 0;
	acq_set_hooks(&counting_hooks);
	CHECK(acq_tree_fit(c->X, c->y, NULL, c->n, c->d, c->K, &p, &r1, &t1,
					   NULL, 0) == ACQ_OK);
	CHECK(acq_tree_fit(c->X, c->y, NULL, c->n, c->d, c->K, &p, &r2, &t2,
					   NULL, 0) == ACQ_OK);
	CHECK(t1.n_nodes == t2.n_nodes);
	for (i = 0; i < t1.n_nodes && i < t2.n_nodes; i++)
		same = same && t1.nodes[i].feature == t2.nodes[i].feature &&
			t1.nodes[i].threshold == t2.nodes[i].threshold;
	CHECK(same);
	/* grown until pure: the training rows are all distinct */
	acq_tree_predict(&t1, c->X, c->n, pred);
	CHECK(acq_accuracy_int(c->y, pred, c->n) == 1.0);
	acq_tree_free(&t1);
	acq_tree_free(&t2);
	/* max_features = d is the full search (the fixture's tree) */
	p = c->p;
	p.max_features = c->d;
	CHECK(acq_tree_fit(c->X, c->y, c->w, c->n, c->d, c->K, &p, &r1, &t3,
					   NULL, 0) == ACQ_OK);
	CHECK(t3.n_nodes == c->nodes);
	acq_tree_free(&t3);
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);
	free(pred);
}

static void
test_errors(void)
{
	double		X[4] = {0, 1, NAN, 3};
	int			y[4] = {0, 1, 0, 2};
	double		w[4] = {1, 1, -1, 1};
	double		w0[4] = {0, 0, 0, 0};
	AcqTreeParams p;
	AcqTree		t;
	char		err[128];

	acq_tree_default_params(&p);
	CHECK(acq_tree_fit(X, y, NULL, 0, 1, 3, &p, NULL, &t, err, sizeof(err)) == ACQ_ERR_EMPTY);
	CHECK(t.nodes == NULL);
	acq_tree_free(&t);
	CHECK(acq_tree_fit(X, y, NULL, 2, 1, 1, &p, NULL, &t, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(strstr(err, "label") != NULL);
	CHECK(acq_tree_fit(X, y, NULL, 3, 1, 3, &p, NULL, &t, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(strstr(err, "finite") != NULL);
	CHECK(acq_tree_fit(X + 3, y, w + 2, 1, 1, 3, &p, NULL, &t, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(acq_tree_fit(X, y, w0, 2, 1, 3, &p, NULL, &t, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	CHECK(acq_tree_fit(X, y, NULL, 2, 0, 3, &p, NULL, &t, err, sizeof(err)) == ACQ_ERR_ARGUMENT);
	p.min_samples_leaf = 0;
	CHECK(acq_tree_fit(X, y, NULL, 2, 1, 3, &p, NULL, &t, NULL, 0) == ACQ_ERR_ARGUMENT);
	acq_tree_default_params(&p);
	p.min_samples_split = 1;
	CHECK(acq_tree_fit(X, y, NULL, 2, 1, 3, &p, NULL, &t, NULL, 0) == ACQ_ERR_ARGUMENT);
	acq_tree_default_params(&p);
	p.criterion = (AcqTreeCriterion) 7;
	CHECK(acq_tree_fit(X, y, NULL, 2, 1, 3, &p, NULL, &t, NULL, 0) == ACQ_ERR_ARGUMENT);
	/* zero-weight rows are allowed while some weight remains */
	acq_tree_default_params(&p);
	w0[1] = 2.0;
	CHECK(acq_tree_fit(X, y, w0, 2, 1, 3, &p, NULL, &t, NULL, 0) == ACQ_OK);
	CHECK(t.n_nodes == 1);		/* class 0 has no weight: pure */
	acq_tree_free(&t);
}

/* ---- metrics --------------------------------------------------------------- */

static void
test_f1(void)
{
	const int  *y = TR_K4_YTE;
	const int  *yhat = TR_G4L5W_PRED_TE;
	int			ky[TR_K4_NTE];
	int			kp[TR_K4_NTE];
	int			nk = 0;
	int			i,
				k;

	for (k = 0; k < 4; k++)
		CHECK_CLOSE(acq_f1_class(y, yhat, TR_K4_NTE, k), TR_F1_CLASS[k], 1e-12);
	CHECK_CLOSE(acq_f1_macro(y, yhat, TR_K4_NTE, 4), TR_F1_MACRO, 1e-12);
	for (i = 0; i < TR_K4_NTE; i++)
		if (y[i] != 3 && yhat[i] != 3)
		{
			ky[nk] = y[i];
			kp[nk++] = yhat[i];
		}
	CHECK(nk == TR_F1_NKEEP);
	CHECK_CLOSE(acq_f1_macro(ky, kp, nk, 4), TR_F1_MACRO_KEEP, 1e-12);
	CHECK(acq_f1_class(ky, kp, nk, 3) == 0.0);
	CHECK(isnan(acq_f1_macro(ky, kp, 0, 4)));
}

/* ---- timing (printed, not asserted) ---------------------------------------- */

static double
gauss(AcqRng *rng)
{
	double		u1 = acq_rng_double(rng);
	double		u2 = acq_rng_double(rng);

	return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
test_timing(void)
{
	int64_t		n = 200000;
	int			d = 9;
	double	   *X = malloc(sizeof(double) * n * d);
	int		   *y = malloc(sizeof(int) * n);
	int		   *pred = malloc(sizeof(int) * n);
	AcqSplitMix sm = {2024};
	AcqRng		rng = {acq_splitmix_next, &sm};
	AcqTreeParams p;
	AcqTree		t;
	int64_t		i;
	int			depth;

	for (i = 0; i < n * d; i++)
		X[i] = gauss(&rng);
	for (i = 0; i < n; i++)
	{
		const double *x = X + i * d;
		double		s = x[0] + 0.5 * x[1] * x[1] - x[2] * x[3] + 0.5 * gauss(&rng);

		y[i] = (s > 1.0) + (s > 0.0) + (s > -1.0);
	}
	for (depth = 10; depth >= 0; depth -= 10)
	{
		double		t0;
		double		fit_s;
		double		pred_s;

		acq_tree_default_params(&p);
		p.max_depth = depth;
		t0 = seconds();
		CHECK(acq_tree_fit(X, y, NULL, n, d, 4, &p, NULL, &t, NULL, 0) == ACQ_OK);
		fit_s = seconds() - t0;
		t0 = seconds();
		acq_tree_predict(&t, X, n, pred);
		pred_s = seconds() - t0;
		printf("  timing %lld x %d, 4 classes, %s: fit %.3f s, predict %.3f s "
			   "(%d nodes, depth %d, train accuracy %.3f)\n",
			   (long long) n, d, depth ? "max_depth 10" : "unlimited depth",
			   fit_s, pred_s, t.n_nodes, acq_tree_depth(&t),
			   acq_accuracy_int(y, pred, n));
		acq_tree_free(&t);
	}
	free(X);
	free(y);
	free(pred);
}

int
main(void)
{
	RUN(test_fixture);
	RUN(test_shuttle);
	RUN(test_root_leaf);
	RUN(test_zero_decrease);
	RUN(test_ties);
	RUN(test_stopping);
	RUN(test_max_features);
	RUN(test_errors);
	RUN(test_f1);
	RUN(test_timing);
	return unit_summary("test_tree");
}
