/*
 * test_wide.c -- the regression evaluator's two paths (AcqLinPath): wide
 * data fitted in the row space without any (p+1) x (p+1) statistics, with
 * the same gains as the statistics' path; tall data on the statistics'
 * path bit for bit; subsets with fewer rows than features inside a tall
 * problem; a fit refused at a limit reaches the error handler; the memory
 * estimate.
 */
#include "unit.h"

#include <string.h>

#include "core/select.h"

#include "hooks.h"

/* the largest single allocation, on top of the counting hooks */
static size_t max_alloc = 0;

static void *
max_alloc_hook(size_t size)
{
	if (size > max_alloc)
		max_alloc = size;
	return count_alloc(size);
}

static const AcqHooks max_hooks = {max_alloc_hook, count_free, count_interrupts, count_pending, NULL};

/* m sources of rows[s] rows each, p features, and nv validation rows */
typedef struct Problem
{
	int			m;
	int			p;
	AcqBlock	src[16];
	AcqBlock	val;
} Problem;

static void
fill(AcqSplitMix *sm, double *X, double *y, int64_t n, int p, double flip)
{
	AcqRng		r = {acq_splitmix_next, sm};
	int64_t		i;
	int			j;

	for (i = 0; i < n; i++)
	{
		double		t = 0.5;

		for (j = 0; j < p; j++)
		{
			X[i * p + j] = 4.0 * acq_rng_double(&r) - 2.0 + 0.1 * j;
			if (j < 5)
				t += flip * (j - 2.0) * X[i * p + j];
		}
		y[i] = t + 0.3 * (acq_rng_double(&r) - 0.5);
	}
}

static void
make_problem(Problem *pr, int m, const int *rows, int p, int nv, uint64_t seed)
{
	AcqSplitMix sm = {seed};
	int			s;

	pr->m = m;
	pr->p = p;
	for (s = 0; s < m; s++)
	{
		double	   *X = malloc(sizeof(double) * rows[s] * p);
		double	   *y = malloc(sizeof(double) * rows[s]);

		/* sources 1 and 3 follow another model */
		fill(&sm, X, y, rows[s], p, (s == 1 || s == 3) ? -1.0 : 1.0);
		pr->src[s] = (AcqBlock) {X, y, NULL, rows[s]};
	}
	{
		double	   *X = malloc(sizeof(double) * nv * p);
		double	   *y = malloc(sizeof(double) * nv);

		fill(&sm, X, y, nv, p, 1.0);
		pr->val = (AcqBlock) {X, y, NULL, nv};
	}
}

static void
free_problem(Problem *pr)
{
	int			s;

	for (s = 0; s < pr->m; s++)
	{
		free((void *) pr->src[s].X);
		free((void *) pr->src[s].y);
	}
	free((void *) pr->val.X);
	free((void *) pr->val.y);
}

static AcqEvaluator *
eval_of(const Problem *pr, double alpha, AcqLinPath path)
{
	AcqEvalConfig cfg;
	char		err[200];
	AcqEvaluator *ev;

	acq_eval_default_config(&cfg);
	cfg.task = ACQ_TASK_REGRESSION;
	cfg.alpha = alpha;
	cfg.linreg_path = path;
	ev = acq_eval_create(pr->m, pr->p, pr->src, &pr->val, &cfg, err, sizeof(err));
	CHECK(ev != NULL);
	return ev;
}

/*
 * Every subset scored both ways: gains and MSEs agree to rtol (0: exactly);
 * subsets with at least min_rows rows must agree exactly.
 */
static void
compare_paths(const Problem *pr, double alpha, AcqLinPath a, AcqLinPath b,
			  double rtol, int64_t exact_from)
{
	AcqEvaluator *ea = eval_of(pr, alpha, a);
	AcqEvaluator *eb = eval_of(pr, alpha, b);
	uint64_t	mask;

	for (mask = 1; mask < ((uint64_t) 1 << pr->m); mask++)
	{
		AcqSet		s = acq_set_from_mask(mask);
		const AcqEvalEntry *x = acq_eval_get(ea, &s);
		const AcqEvalEntry *y = acq_eval_get(eb, &s);

		CHECK(x->n_rows == y->n_rows);
		CHECK(isfinite(x->gain) && x->gain > 0.0 && x->gain <= 100.0);
		if (x->n_rows >= exact_from)
		{
			CHECK(x->gain == y->gain);
			CHECK(x->mse == y->mse);
		}
		else
		{
			CHECK_REL(x->gain, y->gain, rtol);
			CHECK_REL(x->mse, y->mse, rtol);
			CHECK_REL(x->r2, y->r2, rtol);
		}
	}
	CHECK(acq_eval_status(ea, NULL, 0) == ACQ_OK);
	acq_eval_free(ea);
	acq_eval_free(eb);
}

/* wide: 4 sources of 3 rows, 15 features; the row space equals the statistics */
static void
test_wide_matches_stats(void)
{
	int			rows[4] = {3, 3, 3, 3};
	Problem		pr;

	make_problem(&pr, 4, rows, 15, 20, 7);
	compare_paths(&pr, 0.0, ACQ_LINPATH_AUTO, ACQ_LINPATH_STATS, 1e-9, INT64_MAX);
	compare_paths(&pr, 0.7, ACQ_LINPATH_AUTO, ACQ_LINPATH_STATS, 1e-9, INT64_MAX);
	compare_paths(&pr, 0.0, ACQ_LINPATH_ROWS, ACQ_LINPATH_STATS, 1e-9, INT64_MAX);
	free_problem(&pr);

	/* 6 rows of 15 features in one source, n = 6, d = 16 */
	rows[0] = 6;
	make_problem(&pr, 1, rows, 15, 10, 8);
	compare_paths(&pr, 0.0, ACQ_LINPATH_AUTO, ACQ_LINPATH_STATS, 1e-9, INT64_MAX);
	free_problem(&pr);
}

/* tall: the automatic path is the statistics' path, bit for bit */
static void
test_tall_unchanged(void)
{
	int			rows[6] = {40, 30, 18, 50, 12, 24};
	Problem		pr;

	make_problem(&pr, 6, rows, 4, 100, 9);
	compare_paths(&pr, 0.0, ACQ_LINPATH_AUTO, ACQ_LINPATH_STATS, 0.0, 0);
	compare_paths(&pr, 2.5, ACQ_LINPATH_AUTO, ACQ_LINPATH_STATS, 0.0, 0);
	/* and the row space agrees with it on tall subsets too */
	compare_paths(&pr, 0.0, ACQ_LINPATH_ROWS, ACQ_LINPATH_STATS, 1e-9, INT64_MAX);
	free_problem(&pr);
}

/*
 * Tall in all (60 rows, 10 features) but two sources of 4 and 5 rows: the
 * subsets of those two alone are fitted from their rows, the others from
 * the statistics, exactly as before.
 */
static void
test_mixed(void)
{
	int			rows[4] = {30, 21, 4, 5};
	Problem		pr;

	make_problem(&pr, 4, rows, 10, 25, 10);
	compare_paths(&pr, 0.0, ACQ_LINPATH_AUTO, ACQ_LINPATH_STATS, 1e-9, 11);
	compare_paths(&pr, 0.3, ACQ_LINPATH_AUTO, ACQ_LINPATH_STATS, 1e-9, 11);
	free_problem(&pr);
}

/*
 * 24 rows of 3,000 features in 6 sources: no allocation near the 72 MB of
 * one source's statistics, every allocation freed, interrupts polled while
 * each subset is fitted.
 */
static void
test_wide_no_statistics(void)
{
	int			rows[6] = {4, 4, 4, 4, 4, 4};
	int			p = 3000;
	Problem		pr;
	AcqEvaluator *ev;
	AcqSelectParams prm;
	AcqSelectResult res;
	bool		rows_path = false;
	double		bytes;

	make_problem(&pr, 6, rows, p, 12, 11);
	bytes = acq_eval_memory(6, p, 24, 12, &(AcqEvalConfig) {.task = ACQ_TASK_REGRESSION}, &rows_path);
	CHECK(rows_path);
	CHECK(bytes < 2e6);
	acq_set_hooks(&max_hooks);
	n_alloc = n_free = n_interrupts = 0;
	max_alloc = 0;
	ev = eval_of(&pr, 0.0, ACQ_LINPATH_AUTO);
	acq_select_default_params(&prm, 6);
	CHECK(acq_select_greedy(ev, &prm, &res) == ACQ_OK);
	CHECK(isfinite(res.gain) && res.gain > 0.0);
	CHECK(max_alloc < (size_t) 8 * (p + 1) * (p + 1) / 20);
	CHECK(max_alloc <= bytes);
	CHECK(n_interrupts >= 3 * acq_eval_models_trained(ev));
	acq_eval_free(ev);
	CHECK(n_alloc == n_free);
	acq_set_hooks(NULL);
	free_problem(&pr);
}

/* the error handler: called for each subset refused, which scores NaN */
static int	n_errors = 0;
static AcqStatus last_error = ACQ_OK;

static void
on_error(void *arg, AcqStatus st, const char *msg)
{
	n_errors++;
	last_error = st;
	CHECK(strstr(msg, "linearly dependent") != NULL);
}

static void
test_error_handler(void)
{
	int			rows[2] = {ACQ_LINREG_MAX_EIGEN + 1, 1};
	int			p = ACQ_LINREG_MAX_EIGEN + 60;
	Problem		pr;
	AcqEvaluator *ev;
	AcqSet		s;
	const AcqEvalEntry *e;
	char		msg[256];

	make_problem(&pr, 2, rows, p, 10, 12);
	/* source 1's row repeats source 0's first row, with another label */
	memcpy((double *) pr.src[1].X, pr.src[0].X, sizeof(double) * p);
	((double *) pr.src[1].y)[0] = pr.src[0].y[0] + 1.0;
	ev = eval_of(&pr, 0.0, ACQ_LINPATH_AUTO);
	acq_eval_set_error_handler(ev, on_error, NULL);

	s = acq_set_from_mask(1);
	e = acq_eval_get(ev, &s);
	CHECK(isfinite(e->gain) && n_errors == 0);
	CHECK(acq_eval_status(ev, msg, sizeof(msg)) == ACQ_OK);
	s = acq_set_from_mask(3);
	e = acq_eval_get(ev, &s);
	CHECK(isnan(e->gain) && isnan(e->mse));
	CHECK(n_errors == 1 && last_error == ACQ_ERR_TOO_LARGE);
	CHECK(acq_eval_status(ev, msg, sizeof(msg)) == ACQ_ERR_TOO_LARGE);
	CHECK(strstr(msg, "1002 rows") != NULL);
	acq_eval_free(ev);

	/* ridge has no such limit */
	ev = eval_of(&pr, 0.1, ACQ_LINPATH_AUTO);
	acq_eval_set_error_handler(ev, on_error, NULL);
	e = acq_eval_get(ev, &s);
	CHECK(isfinite(e->gain) && n_errors == 1);
	acq_eval_free(ev);
	free_problem(&pr);
}

/* what the evaluator says it needs */
static void
test_memory_estimate(void)
{
	AcqEvalConfig reg;
	AcqEvalConfig cls;
	bool		rows_path;
	double		d = 10001.0;

	acq_eval_default_config(&reg);
	reg.task = ACQ_TASK_REGRESSION;
	acq_eval_default_config(&cls);
	/* the call: 24 rows of 10,000 features */
	CHECK(acq_eval_memory(24, 10000, 24, 24, &reg, &rows_path) < 4e6);
	CHECK(rows_path);
	/* with 20,000 rows: each source's statistics */
	CHECK(acq_eval_memory(24, 10000, 20000, 24, &reg, &rows_path) > 26 * 8 * d * d);
	CHECK(!rows_path);
	/* forced onto the statistics */
	reg.linreg_path = ACQ_LINPATH_STATS;
	CHECK(acq_eval_memory(24, 10000, 24, 24, &reg, &rows_path) > 26 * 8 * d * d);
	CHECK(!rows_path);
	/* classification: a column-major copy of the rows */
	CHECK(acq_eval_memory(24, 10000, 24, 24, &cls, &rows_path) > 8 * 48 * d);
	CHECK(!rows_path);
}

int
main(void)
{
	RUN(test_wide_matches_stats);
	RUN(test_tall_unchanged);
	RUN(test_mixed);
	RUN(test_wide_no_statistics);
	RUN(test_error_handler);
	RUN(test_memory_estimate);
	return unit_summary("test_wide");
}
