/*
 * bench/splice_restarts.c -- a study (issue 14), not part of acq: SourceSplice
 * as acq runs it (the paper's pseudocode: within a splicing round the swaps
 * compound) against the splicing of the authors' code (am-barish/Splice,
 * core/splice.py, re-described here, not copied: every swap size k restarts
 * from the round's initial set, removes the k sources of lowest rmVal and
 * values addVal on what remains), each with tie_break 'loss' and 'none';
 * and random restarts from the best set seen.  Percentile of the chosen
 * subset among all subsets (% with a strictly lower profit), models trained.
 *
 *   gcc -O2 -std=gnu11 -Isrc -o splice_restarts.bin bench/splice_restarts.c \
 *       $(ls src/core/[a-uw-z]*.c) test/unit/vecmath.o \
 *       test/unit/vecmath_avx2.o -llapacke -lopenblas -llbfgs -lmvec -lm
 *   ./splice_restarts.bin SOURCES.tsv VALIDATION.tsv [TASK]
 *
 * TSV rows: source name, comma-separated features, label, and for fairness
 * the sensitive attribute (1 privileged, 0 protected, NaN neither), as
 * bench/ties_tasks.py's tables COPY'd out.  Default evaluator configuration
 * (logistic regression C = 1, tol 1e-6; lambda 10; OLS for regression).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/select.h"

typedef struct Row
{
	char		src[64];
	double		x[64];
	double		y;
	double		a;				/* sensitive attribute, NaN if none */
} Row;

static int	P = 0;

static Row *
load(const char *path, int *n)
{
	FILE	   *f = fopen(path, "r");
	char		line[8192];
	Row		   *rows = NULL;
	int			cap = 0;

	if (!f)
	{
		perror(path);
		exit(2);
	}
	*n = 0;
	while (fgets(line, sizeof(line), f))
	{
		char	   *t1 = strchr(line, '\t'),
				   *t2,
				   *p;
		int			j = 0;

		if (!t1 || !(t2 = strchr(t1 + 1, '\t')))
			continue;
		if (*n == cap)
		{
			cap = cap ? 2 * cap : 1024;
			rows = realloc(rows, sizeof(Row) * cap);
		}
		*t1 = *t2 = 0;
		snprintf(rows[*n].src, sizeof(rows[*n].src), "%.63s", line);
		for (p = t1 + 1; *p && j < 64; j++)
		{
			rows[*n].x[j] = strtod(p, &p);
			if (*p == ',')
				p++;
		}
		P = j;
		rows[*n].y = strtod(t2 + 1, &p);
		rows[*n].a = (*p == '\t') ? strtod(p + 1, NULL) : NAN;
		(*n)++;
	}
	fclose(f);
	return rows;
}

static int
cmp_rows(const void *a, const void *b)
{
	return strcmp(((const Row *) a)->src, ((const Row *) b)->src);
}

static int	M;
static AcqTask TASK = ACQ_TASK_CLASSIFICATION;
static AcqBlock blocks[64];
static AcqBlock val;

static AcqEvaluator *
new_eval(void)
{
	AcqEvalConfig cfg;
	char		err[256];
	AcqEvaluator *ev;

	acq_eval_default_config(&cfg);
	cfg.task = TASK;
	ev = acq_eval_create(M, P, blocks, &val, &cfg, err, sizeof(err));
	if (!ev)
	{
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
	return ev;
}

/* ---- the authors' splicing, over the evaluator ---------------------------- */
typedef struct Sc
{
	int			idx;
	double		val,
				loss;
} Sc;
static AcqTieBreak g_tb;
static int
best_first(const void *a, const void *b)
{
	const Sc   *x = a,
			   *y = b;
	int			c = acq_profit_cmp(x->val, x->loss, y->val, y->loss, g_tb);

	return c ? -c : x->idx - y->idx;
}

static const AcqEvalEntry *
authors_splicing(AcqEvaluator *ev, const AcqSet *a, int kmax, AcqTieBreak tb, AcqSet *best)
{
	const AcqEvalEntry *emax = acq_eval_get(ev, a);
	Sc			rm[64],
				ad[64];
	int			na = 0,
				ni = 0,
				k,
				s,
				j;
	double		pa = emax->profit;

	*best = *a;
	g_tb = tb;
	for (s = 0; s < M; s++)
		if (acq_set_has(a, s))
		{
			AcqSet		t = *a;
			const AcqEvalEntry *e;

			acq_set_del(&t, s);
			e = acq_eval_get(ev, &t);
			rm[na].idx = s;
			rm[na].val = -(pa - e->profit);
			rm[na++].loss = e->loss;
		}
	qsort(rm, na, sizeof(Sc), best_first);
	for (s = 0; s < M; s++)
		if (!acq_set_has(a, s))
			ni++;
	for (k = 1; k <= kmax; k++)
	{
		AcqSet		act = *a;
		const AcqEvalEntry *e0,
				   *e;
		int			kk = k;

		if (kk > na)
			kk = na;
		if (kk > ni)
			kk = ni;
		for (j = 0; j < kk; j++)
			acq_set_del(&act, rm[j].idx);
		e0 = acq_eval_get(ev, &act);
		ni = 0;
		for (s = 0; s < M; s++)
			if (!acq_set_has(a, s))
			{
				AcqSet		t = act;

				acq_set_add(&t, s);
				e = acq_eval_get(ev, &t);
				ad[ni].idx = s;
				ad[ni].val = e->profit - e0->profit;
				ad[ni++].loss = e->loss;
			}
		qsort(ad, ni, sizeof(Sc), best_first);
		for (j = 0; j < kk; j++)
			acq_set_add(&act, ad[j].idx);
		e = acq_eval_get(ev, &act);
		if (acq_entry_better(e, emax, tb))
		{
			emax = e;
			*best = act;
		}
	}
	return emax;
}

static const AcqEvalEntry *
authors_splice(AcqEvaluator *ev, int kmax, AcqTieBreak tb)
{
	int		   *order = acq_sources_by_profit(ev, tb);
	const AcqEvalEntry *eb = NULL;
	int			i,
				j;

	for (i = 1; i <= M; i++)
	{
		AcqSet		prev,
					cur;
		const AcqEvalEntry *p;

		acq_set_clear(&cur);
		for (j = 0; j < i; j++)
			acq_set_add(&cur, order[j]);
		do
		{
			int			k = acq_set_count(&cur) < kmax ? acq_set_count(&cur) : kmax;

			prev = cur;
			p = authors_splicing(ev, &prev, k, tb, &cur);
		} while (!acq_set_eq(&prev, &cur));
		if (!eb || acq_entry_better(p, eb, tb))
			eb = p;
	}
	acq_free(order);
	return eb;
}

/* ---- random restarts from the best seen ----------------------------------- */
static const AcqEvalEntry *
restarts(AcqEvaluator *ev, const AcqSelectParams *prm0, int R, uint64_t seed)
{
	AcqSelectParams prm = *prm0;
	AcqSelectResult res;
	const AcqEvalEntry *best;
	AcqSplitMix sm = {seed};
	AcqRng		rng = {acq_splitmix_next, &sm};
	int			r;

	acq_select_splice(ev, &prm, &res);
	best = acq_eval_get(ev, &res.best);
	for (r = 0; r < R; r++)
	{
		/* flip 2 random sources of the best set, then train the neighbours' best */
		AcqSet		s = best->set;
		int			f;

		for (f = 0; f < 2; f++)
		{
			int			j = (int) acq_rng_below(&rng, (uint64_t) M);

			if (acq_set_has(&s, j))
				acq_set_del(&s, j);
			else
				acq_set_add(&s, j);
		}
		if (acq_set_count(&s) == 0)
			continue;
		/* one greedy-improvement pass from s: single flips while they improve */
		for (;;)
		{
			const AcqEvalEntry *cur = acq_eval_get(ev, &s),
					   *bn = cur;
			AcqSet		bs = s;
			int			j;

			for (j = 0; j < M; j++)
			{
				AcqSet		t = s;
				const AcqEvalEntry *e;

				if (acq_set_has(&t, j))
					acq_set_del(&t, j);
				else
					acq_set_add(&t, j);
				if (acq_set_count(&t) == 0)
					continue;
				e = acq_eval_get(ev, &t);
				if (acq_entry_better(e, bn, prm.tie_break))
				{
					bn = e;
					bs = t;
				}
			}
			if (bn == cur)
				break;
			s = bs;
		}
		if (acq_entry_better(acq_eval_get(ev, &s), best, prm.tie_break))
			best = acq_eval_get(ev, &s);
	}
	return best;
}

int
main(int argc, char **argv)
{
	int			n,
				nv,
				s,
				start = 0;
	Row		   *rows,
			   *vrows;
	double	   *land;
	uint64_t	nmask,
				mask;
	AcqEvaluator *ev;
	double	   *vx,
			   *vy,
			   *va;

	if (argc < 3)
	{
		fprintf(stderr, "usage: %s SOURCES.tsv VALIDATION.tsv [classification|fairness|regression]\n", argv[0]);
		return 2;
	}
	if (argc > 3 && strcmp(argv[3], "fairness") == 0)
		TASK = ACQ_TASK_FAIRNESS;
	else if (argc > 3 && strcmp(argv[3], "regression") == 0)
		TASK = ACQ_TASK_REGRESSION;
	rows = load(argv[1], &n);
	qsort(rows, n, sizeof(Row), cmp_rows);
	vrows = load(argv[2], &nv);
	M = 0;
	for (s = 1; s <= n; s++)
		if (s == n || strcmp(rows[s].src, rows[start].src) != 0)
		{
			double	   *X = malloc(sizeof(double) * (s - start) * P),
					   *Y = malloc(sizeof(double) * (s - start)),
					   *A = malloc(sizeof(double) * (s - start));

			for (int i = start; i < s; i++)
			{
				memcpy(X + (size_t) (i - start) * P, rows[i].x, sizeof(double) * P);
				Y[i - start] = rows[i].y;
				A[i - start] = rows[i].a;
			}
			blocks[M].X = X;
			blocks[M].y = Y;
			blocks[M].a = TASK == ACQ_TASK_FAIRNESS ? A : NULL;
			blocks[M].n = s - start;
			M++;
			start = s;
		}
	vx = malloc(sizeof(double) * nv * P);
	vy = malloc(sizeof(double) * nv);
	va = malloc(sizeof(double) * nv);
	for (int i = 0; i < nv; i++)
	{
		memcpy(vx + (size_t) i * P, vrows[i].x, sizeof(double) * P);
		vy[i] = vrows[i].y;
		va[i] = vrows[i].a;
	}
	val.X = vx;
	val.y = vy;
	val.a = TASK == ACQ_TASK_FAIRNESS ? va : NULL;
	val.n = nv;

	nmask = (uint64_t) 1 << M;
	land = malloc(sizeof(double) * nmask);
	ev = new_eval();
	for (mask = 1; mask < nmask; mask++)
	{
		AcqSet		t = acq_set_from_mask(acq_gray_code(mask));
		AcqEvalEntry e;

		acq_eval_compute(ev, &t, &e);
		land[mask] = e.profit;
	}
	acq_eval_free(ev);
	{
		const char *names[] = {"pseudocode (acq)", "authors' restart per k", "acq + 8 restarts"};

		for (int v = 0; v < 3; v++)
			for (int tb = 0; tb < 2; tb++)
			{
				AcqSelectParams prm;
				AcqSelectResult res;
				const AcqEvalEntry *e;
				double		below = 0;

				ev = new_eval();
				acq_select_default_params(&prm, M);
				prm.tie_break = tb ? ACQ_TIE_NONE : ACQ_TIE_LOSS;
				if (v == 0)
				{
					acq_select_splice(ev, &prm, &res);
					e = acq_eval_get(ev, &res.best);
				}
				else if (v == 1)
					e = authors_splice(ev, prm.k_max, prm.tie_break);
				else
					e = restarts(ev, &prm, 8, 42);
				for (mask = 1; mask < nmask; mask++)
					below += land[mask] < e->profit - 1e-9;
				printf("%-24s %-4s profit %.4f percentile %.3f models %d\n", names[v],
					   tb ? "none" : "loss", e->profit, 100.0 * below / (nmask - 1),
					   acq_eval_models_trained(ev));
				acq_eval_free(ev);
			}
	}
	return 0;
}
