/*
 * problem.c -- the arguments every source-selection entry point shares,
 * checked without reading a row (the problem: tables, columns, task, cost
 * model, model parameters), then the rows read and checked, the memory the
 * call needs checked against acq.max_memory, the core's evaluator built over
 * them; and the search's own parameters.
 */
#include "postgres.h"

#include <errno.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "pg/selection/selection.h"
#include "core/overflow.h"

static const AcqOption task_options[] = {
	{"classification", ACQ_TASK_CLASSIFICATION},
	{"f1", ACQ_TASK_F1},
	{"fairness", ACQ_TASK_FAIRNESS},
	{"regression", ACQ_TASK_REGRESSION},
	{NULL, 0}
};

static void
check_nonneg(double v, const char *name)
{
	if (!(v >= 0.0) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number >= 0, not %g", name, v)));
}

/*
 * A JSON number as a double.  numeric_float8 would name neither the argument
 * nor the source when the number is beyond float8's range; a number too
 * small to represent is the nearest double (0), as a cost of 1e-400 means.
 */
static double
cost_value(Numeric num, const char *key)
{
	char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
	char	   *end;
	double		c;

	if (numeric_is_nan(num))
		return NAN;
	errno = 0;
	c = strtod(text, &end);
	if (errno == ERANGE && fabs(c) > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the cost of source \"%s\" in costs is out of range for float8", key),
				 errhint("Costs must be finite float8 numbers (at most about 1.8e308); give them in a larger unit.")));
	return c;
}

/* {"source": cost, ...} -> a cost per source (0 for sources not named) */
static double *
parse_costs(Jsonb *jb, const AcqSourceData *data)
{
	double	   *costs = NULL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("costs must be a JSON object mapping source names to costs"),
				 errhint("For example costs => '{\"flights_ca\": 2.5, \"flights_tx\": 1}'.")));
	if (data != NULL)
		costs = palloc0(sizeof(double) * data->m);
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			int			s;
			double		c;

			for (s = 0; data != NULL && s < data->m; s++)
				if (strcmp(data->names[s], key) == 0)
					break;
			if (data != NULL && s == data->m)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("costs names \"%s\", which is not a source", key),
						 errhint("Sources are named by leaf partition name or by source_column value.")));
			if (v.type != jbvNumeric)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the cost of source \"%s\" is not a number", key)));
			c = cost_value(v.val.numeric, key);
			if (!(c >= 0.0) || isinf(c))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the cost of source \"%s\" must be a finite number >= 0, not %g", key, c)));
			if (costs != NULL)
				costs[s] = c;
		}
	}
	return costs;
}

/* parse and check the shared arguments, without reading any row */
void
acq_parse_problem(FunctionCallInfo fcinfo, const ProblemArgs *ix, Problem *pr)
{
	char	   *task;
	Jsonb	   *costs = NULL;
	bool		has_exponent;
	bool		binary;

	memset(pr, 0, sizeof(*pr));
	acq_eval_default_config(&pr->cfg);
	pr->spec.cfg = &pr->cfg;

	pr->spec.sources = acq_arg_regclass(fcinfo, 0, "sources");
	pr->spec.validation = acq_arg_regclass(fcinfo, 1, "validation");
	pr->spec.features = acq_arg_name(fcinfo, 2, "features", true);
	pr->spec.label = acq_arg_name(fcinfo, 3, "label", true);
	task = acq_arg_text(fcinfo, ix->task, "task", true);
	pr->cfg.task = acq_parse_option(task_options, task, "task",
									"Use one of classification, f1, fairness, regression.");
	pr->spec.source_column = acq_arg_name(fcinfo, ix->source_column, "source_column", false);
	pr->spec.sensitive = acq_arg_name(fcinfo, ix->sensitive, "sensitive", false);
	pr->spec.privileged = acq_arg_text(fcinfo, ix->privileged, "privileged", false);
	binary = (pr->cfg.task != ACQ_TASK_REGRESSION);
	pr->spec.binary_labels = binary;

	if (pr->cfg.task == ACQ_TASK_FAIRNESS && pr->spec.sensitive == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("task \"fairness\" needs a sensitive attribute"),
				 errhint("Pass sensitive => '<column>' (and privileged => '<value>' for a text column).")));
	if (pr->spec.privileged != NULL && pr->spec.sensitive == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("privileged is given but sensitive is not"),
				 errhint("privileged names the value of the sensitive column that marks the privileged group.")));

	pr->cfg.lambda = acq_arg_float8(fcinfo, ix->lambda, "lambda", 10.0);
	check_nonneg(pr->cfg.lambda, "lambda");
	pr->cfg.logreg.C = acq_arg_float8(fcinfo, ix->c, "c", 1.0);
	if (!(pr->cfg.logreg.C > 0.0) || isinf(pr->cfg.logreg.C))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("c must be a finite number > 0, not %g", pr->cfg.logreg.C),
				 errhint("c is logistic regression's inverse regularisation strength, as scikit-learn's C.")));
	pr->cfg.alpha = acq_arg_float8(fcinfo, ix->alpha, "alpha", 0.0);
	check_nonneg(pr->cfg.alpha, "alpha");
	pr->cfg.logreg.tol = acq_arg_float8(fcinfo, ix->tol, "tol", pr->cfg.logreg.tol);
	if (!(pr->cfg.logreg.tol > 0.0) || !(pr->cfg.logreg.tol < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tol must be in (0, 1), not %g", pr->cfg.logreg.tol),
				 errhint("tol is where the logistic fit stops: the largest entry of the mean log-loss gradient; 1e-6 by default, scikit-learn's 1e-4.")));

	/* cost model */
	if (!PG_ARGISNULL(ix->costs))
		costs = PG_GETARG_JSONB_P(ix->costs);
	has_exponent = !PG_ARGISNULL(ix->cost_exponent);
	if (costs && has_exponent)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("costs and cost_exponent are alternatives"),
				 errhint("Give per-source costs, or the gain-based cost model C(s) = cost_scale * (G(s) - cost_offset)^cost_exponent, not both.")));
	if (has_exponent)
	{
		pr->cfg.cost_mode = ACQ_COST_GAIN;
		pr->cfg.cost_exponent = PG_GETARG_INT32(ix->cost_exponent);
		if (pr->cfg.cost_exponent < 0 || pr->cfg.cost_exponent > 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cost_exponent must be 0, 1 or 2, not %d", pr->cfg.cost_exponent),
					 errhint("0, 1 and 2 give constant, linear and quadratic costs.")));
		pr->cfg.cost_scale = acq_arg_float8(fcinfo, ix->cost_scale, "cost_scale", 0.01);
		check_nonneg(pr->cfg.cost_scale, "cost_scale");
		pr->cfg.cost_offset = acq_arg_float8(fcinfo, ix->cost_offset, "cost_offset", 0.0);
		if (!isfinite(pr->cfg.cost_offset))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cost_offset must be finite")));
	}

	pr->costs_json = costs;
	if (costs)
		(void) parse_costs(costs, NULL);	/* the shape and values; names once read */
}

/*
 * profit = gain - cost must be a finite number for every subset, or a search
 * compares infinities and returns them: refuse costs whose sum over all m
 * sources, or whose sum with the largest gain, overflows.  A gain lies in
 * [0, 100], or in [-lambda, 100 + lambda] for fairness.
 */
static void
check_cost_bound(const Problem *pr)
{
	const AcqEvalConfig *cfg = &pr->cfg;
	int			m = pr->data.m;
	double		gmax = 100.0 + (cfg->task == ACQ_TASK_FAIRNESS ? cfg->lambda : 0.0);
	double		total = 0.0;

	if (cfg->cost_mode == ACQ_COST_GIVEN)
	{
		int			largest = 0;

		for (int s = 0; s < m; s++)
		{
			total += pr->given_costs[s];
			if (pr->given_costs[s] > pr->given_costs[largest])
				largest = s;
		}
		if (!isfinite(total + gmax))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the costs of the %d sources add up to more than float8 can hold", m),
					 errdetail("The largest is %g, for source \"%s\".", pr->given_costs[largest],
							   pr->data.names[largest]),
					 errhint("Give the costs in a larger unit: profit = gain - cost needs the sum of all costs to be finite.")));
	}
	else if (cfg->cost_mode == ACQ_COST_GAIN)
	{
		double		f = fmax(0.0, gmax - cfg->cost_offset);
		double		one = cfg->cost_scale;

		for (int t = 0; t < cfg->cost_exponent; t++)
			one *= f;
		total = one * m;
		if (!isfinite(total + gmax))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("cost_scale %g with cost_exponent %d can make the costs of the %d sources add up to more than float8 can hold",
							cfg->cost_scale, cfg->cost_exponent, m),
					 errdetail("A source's cost is cost_scale * max(0, gain - cost_offset)^cost_exponent, and a gain is at most %g.",
							   gmax),
					 errhint("Lower cost_scale, or raise cost_offset.")));
	}
}

/* give back the rows of a load (the statistics path replaces them) */
static void
free_rows(AcqSourceData *data)
{
	for (int s = 0; s < data->m; s++)
	{
		if (data->blocks[s].X)
			pfree(unconstify(double *, data->blocks[s].X));
		if (data->blocks[s].y)
			pfree(unconstify(double *, data->blocks[s].y));
		if (data->blocks[s].a)
			pfree(unconstify(double *, data->blocks[s].a));
	}
	if (data->validation.X)
		pfree(unconstify(double *, data->validation.X));
}

/*
 * The data of a call, by where the rows are and how many there are:
 * - sources behind postgres_fdw: a regression reads each source's
 *   statistics, computed on its server (stats.c); the classification tasks
 *   each Newton step's logistic terms, computed there (terms.c);
 * - classification whose rows would take more than acq.max_memory: the
 *   same terms, one pass over the tables per batch of Newton steps;
 * - a regression whose rows would take more than acq.max_memory: the same
 *   statistics, streamed from the tables in one pass (no row held), if they
 *   fit;
 * - otherwise the rows, as always.
 */
static void
load_data(Problem *pr)
{
	bool		regression = (pr->cfg.task == ACQ_TASK_REGRESSION);
	int			m,
				p;

	if (acq_sources_remote(&pr->spec))
	{
		if (regression)
			acq_load_source_stats(&pr->spec, &pr->data);
		else
			acq_load_source_terms(&pr->spec, &pr->data);
		return;
	}
	pr->spec.may_stream = true;
	acq_load_sources(&pr->spec, &pr->data);
	m = pr->data.m;
	p = pr->data.p;
	if (!regression)
	{
		if (!pr->data.over_memory)
			return;
		/* the rows do not fit: one pass over them per batch of Newton steps */
		memset(&pr->data, 0, sizeof(pr->data));
		acq_load_source_terms(&pr->spec, &pr->data);
		return;
	}
	if (!pr->data.over_memory)
	{
		bool		rows_path;
		double		need;

		need = acq_selection_memory(&pr->cfg, false, m, p, (double) pr->data.total_rows,
									(double) pr->data.validation.n, &rows_path);
		/* the rows fit, and their path too: as always */
		if (!acq_memory_over(need) || acq_memory_over(acq_stats_memory(m, p)))
			return;
		free_rows(&pr->data);
	}
	else if (acq_memory_over(acq_stats_memory(m, p)))
	{
		/*
		 * Neither fits.  Tall sources (more rows read than m (p + 1) before
		 * the reading stopped): the statistics are the smaller need, say it.
		 */
		if ((double) pr->data.total_rows >= (double) m * (p + 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("source selection over %d sources of %d features needs more than acq.max_memory (%d MB): "
							"its rows do not fit, and their statistics need %.0f MB with the executor's share",
							m, p, acq_max_memory / 1024,
							ceil(acq_stats_memory(m, p) / (1024.0 * 1024.0))),
					 errdetail("The statistics path streams the rows through an aggregate; it plans %.0f MB for the executor of that query.",
							   ACQ_EXECUTOR_RESERVE / (1024.0 * 1024.0)),
					 errhint("Each source is summarised in 8 (features + 1)^2 bytes: use fewer sources or features, or raise the limit: SET acq.max_memory = '%.0fMB'.",
							 ceil(acq_stats_memory(m, p) / (1024.0 * 1024.0)))));

		/*
		 * Wide data (its statistics are larger than its rows): read as
		 * always, which refuses with what the rows path needs.
		 */
		pr->spec.may_stream = false;
		memset(&pr->data, 0, sizeof(pr->data));
		acq_load_sources(&pr->spec, &pr->data);
		return;
	}
	/* the rows do not fit: stream each source's statistics instead */
	memset(&pr->data, 0, sizeof(pr->data));
	acq_load_source_stats(&pr->spec, &pr->data);
}

/* parse the shared arguments, read the data and check it */
void
acq_load_problem(FunctionCallInfo fcinfo, const ProblemArgs *ix, Problem *pr)
{
	bool		binary;

	acq_parse_problem(fcinfo, ix, pr);
	binary = pr->spec.binary_labels;
	load_data(pr);

	if (pr->costs_json)
	{
		pr->given_costs = parse_costs(pr->costs_json, &pr->data);
		pr->cfg.cost_mode = ACQ_COST_GIVEN;
		pr->cfg.given_costs = pr->given_costs;
	}
	check_cost_bound(pr);

	if (binary && !pr->data.streamed && !pr->data.terms)
	{
		/* the union of all sources must hold both classes */
		int64		ones = 0;
		int			s;
		int64		i;

		for (s = 0; s < pr->data.m; s++)
			for (i = 0; i < pr->data.blocks[s].n; i++)
				ones += (pr->data.blocks[s].y[i] != 0.0);
		if (ones == 0 || ones == pr->data.total_rows)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("the sources hold a single class (every label is %d)", ones ? 1 : 0),
					 errhint("A classifier needs rows of both classes 0 and 1.")));
	}
}

/* enumerating all 2^m - 1 subsets is refused above acq.max_exhaustive_sources */
void
acq_check_exhaustive_limit(int m, const char *hint)
{
	if (m > acq_max_exhaustive_sources)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d sources have %.0f non-empty subsets to train", m, ldexp(1.0, m) - 1),
				 errdetail("acq.max_exhaustive_sources is %d.", acq_max_exhaustive_sources),
				 errhint("%s", hint)));
}

/* say what the user should know about the models behind a result */
void
acq_report_models(const AcqEvaluator *ev)
{
	int			single,
				unconverged;

	acq_eval_model_counts(ev, &single, &unconverged);
	if (single > 0)
		ereport(NOTICE,
				(errmsg("%d of the %d subsets trained held a single class and were scored with a constant model",
						single, acq_eval_models_trained(ev))));
	if (unconverged > 0)
		ereport(WARNING,
				(errmsg("the logistic regression of %d of the %d subsets trained did not converge",
						unconverged, acq_eval_models_trained(ev)),
				 errhint("Their scores come from the last Newton iterate; standardise the features or lower c.")));
}

/* the rows of a call: features, a label and (with sensitive) an attribute each */
static double
rows_bytes(int p, bool sensitive, double n)
{
	return n * sizeof(double) * (p + 1.0 + (sensitive ? 1.0 : 0.0));
}

double
acq_selection_memory(const AcqEvalConfig *cfg, bool sensitive, int m, int p,
					 double n_rows, double n_val, bool *rows_path)
{
	return rows_bytes(p, sensitive, n_rows + n_val) +
		acq_eval_memory(m, p, (int64_t) n_rows, (int64_t) n_val, cfg, rows_path);
}

void
acq_check_selection_memory(const AcqEvalConfig *cfg, bool sensitive, int m, int p,
						   double n_rows, double n_val, bool estimated)
{
	bool		rows_path;
	double		bytes;
	char	   *what;
	char	   *hint;
	const char *about = estimated ? "about " : "";

	bytes = acq_selection_memory(cfg, sensitive, m, p, n_rows, n_val, &rows_path);
	if (bytes <= (double) acq_max_memory * 1024.0)
		return;
	if (cfg->task != ACQ_TASK_REGRESSION)
	{
		what = psprintf("source selection over %s%.0f rows of %d features (logistic regression)",
						about, n_rows, p);
		hint = "The rows are held in memory twice (8 bytes a feature): use fewer rows or features";
	}
	else if (rows_path)
	{
		what = psprintf("source selection over %s%.0f rows of %d features (regression in the row space)",
						about, n_rows, p);
		hint = "The rows are held in memory (8 bytes a feature) and a fit takes 16 bytes per pair of rows: use fewer rows or features";
	}
	else
	{
		what = psprintf("source selection over %d sources of %d features (regression from each source's statistics, %.0f MB each)",
						m, p, ceil(8.0 * (p + 1.0) * (p + 1.0) / (1024.0 * 1024.0)));
		hint = "Each source is summarised in 8 (features + 1)^2 bytes: use fewer sources or features";
	}
	acq_check_memory(bytes, what, hint);
}

typedef struct EvaluatorErrorArg
{
	const Problem *pr;
	AcqEvaluator *ev;
} EvaluatorErrorArg;

/* a subset the core could not score within its limits: an ERROR */
static void
evaluator_error(void *arg, AcqStatus status, const char *msg)
{
	EvaluatorErrorArg *ea = (EvaluatorErrorArg *) arg;

	if (status != ACQ_ERR_TOO_LARGE)
	{
		/* a subset that could not be scored: named, with what to do */
		const AcqSet *set = acq_eval_scoring(ea->ev);
		StringInfoData names;
		int			n = 0;

		initStringInfo(&names);
		for (int s = 0; s < ea->pr->data.m; s++)
			if (acq_set_has(set, s))
				appendStringInfo(&names, "%s\"%s\"", n++ ? ", " : "", ea->pr->data.names[s]);
		if (status != ACQ_ERR_OVERFLOW)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("the least-squares fit on sources {%s} could not be solved", names.data),
					 errdetail("%s.", msg),
					 errhint("Rescale the features (for example to unit variance), remove collinear features, or use ridge (alpha > 0).")));
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the squared errors of the regression trained on sources {%s} overflow float8 on validation table %s",
						names.data, acq_rel_display_name(ea->pr->spec.validation)),
				 errdetail("The data's squares fit float8, but the model's predictions of the label \"%s\" are too far from it.",
						   ea->pr->spec.label),
				 errhint("Rescale the features and the label (for example to unit variance) and call again.")));
	}
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s", msg),
			 errhint("Ridge (alpha > 0) has no such limit; or remove repeated rows and collinear features.")));
}

/*
 * A regression whose data's squares overflow float8 (the statistics, the
 * Gram matrix, the validation variance would be infinite or NaN, and the
 * fit's score meaningless): an ERROR 22003 naming the table, the column and
 * the scale.
 */
static void
check_regression_scale(const Problem *pr)
{
	AcqOverflow where;
	const char *table;
	char	   *what;

	double	   *shift = palloc0(sizeof(double) * Max(pr->data.p, 1));
	double		yshift;

	if (!acq_regression_overflow(pr->data.m, pr->data.p, pr->data.blocks, &pr->data.validation,
								 shift, &yshift, &where))
	{
		pfree(shift);
		return;
	}
	if (where.block >= pr->data.m)
		table = psprintf("validation table %s", acq_rel_display_name(pr->spec.validation));
	else
		table = psprintf("source \"%s\" of table %s", pr->data.names[where.block],
						 acq_rel_display_name(pr->spec.sources));
	if (where.column < 0)
		what = psprintf("the labels (column \"%s\")", pr->spec.label);
	else
		what = psprintf("the features (column \"%s\", element %d)", pr->spec.features, where.column + 1);
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s of %s reach %.3g in absolute value: their squares overflow float8",
					what, table, where.magnitude),
			 errdetail("A regression sums the squares of each column about its mean; float8 holds at most about 1.8e308."),
			 errhint("Rescale the column (for example to unit variance, or divide it by %.0e) and call again.",
					 pow(10.0, floor(log10(where.magnitude))))));
}

AcqEvaluator *
acq_make_evaluator(Problem *pr)
{
	char		err[256];
	AcqEvaluator *ev;
	EvaluatorErrorArg *ea;

	if (pr->data.terms)
	{
		int			d = pr->data.p + 1;
		int			m = pr->data.m;

		/* the validation rows and their copy, and one step's terms of m + 1 models */
		acq_check_memory(ACQ_EXECUTOR_RESERVE + 16.0 * (double) pr->data.validation.n * d +
						 8.0 * m * (3.0 + (m + 1.0) * (1.0 + d + d * (d + 1.0) / 2.0)) +
						 8.0 * (m + 1.0) * 4.0 * d * d,
						 psprintf("source selection over %d sources of %d features (logistic regression from each source's terms)",
								  m, pr->data.p),
						 "Each Newton step receives (features + 1)^2 / 2 numbers per source and model: use fewer sources or features");
		ev = acq_eval_create_terms(m, pr->data.p, pr->data.n, pr->data.pos, &pr->data.validation,
								   &pr->cfg, acq_source_terms, &pr->data, err, sizeof(err));
	}
	else if (pr->data.streamed)
	{
		/* each source's statistics, no row: checked for overflow as they came */
		acq_check_memory(acq_stats_memory(pr->data.m, pr->data.p),
						 psprintf("source selection over %d sources of %d features (regression from each source's statistics, %.0f MB each)",
								  pr->data.m, pr->data.p,
								  ceil(8.0 * (pr->data.p + 1.0) * (pr->data.p + 1.0) / (1024.0 * 1024.0))),
						 "Each source is summarised in 8 (features + 1)^2 bytes: use fewer sources or features");
		ev = acq_eval_create_stats(pr->data.m, pr->data.p, pr->data.stats, pr->data.val_stats,
								   &pr->cfg, err, sizeof(err));
	}
	else
	{
		acq_check_selection_memory(&pr->cfg, pr->spec.sensitive != NULL, pr->data.m, pr->data.p,
								   (double) pr->data.total_rows, (double) pr->data.validation.n,
								   false);
		if (pr->cfg.task == ACQ_TASK_REGRESSION)
			check_regression_scale(pr);
		ev = acq_eval_create(pr->data.m, pr->data.p, pr->data.blocks,
							 &pr->data.validation, &pr->cfg, err, sizeof(err));
	}
	if (ev == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s", err)));
	ea = palloc(sizeof(EvaluatorErrorArg));
	ea->pr = pr;
	ea->ev = ev;
	acq_eval_set_error_handler(ev, evaluator_error, ea);
	return ev;
}

Datum
acq_set_names_array(const Problem *pr, const AcqSet *set)
{
	char	  **names = palloc(sizeof(char *) * pr->data.m);
	int			n = 0;

	for (int s = 0; s < pr->data.m; s++)
		if (acq_set_has(set, s))
			names[n++] = pr->data.names[s];
	return acq_text_array_datum(names, n);
}

/*
 * The search parameters of acq.select_sources (arguments 14..18).  m is the
 * number of sources, or -1 before the data is read (job submission): then
 * only the checks that do not depend on m are made.
 */
void
acq_parse_select_params(FunctionCallInfo fcinfo, AcqSelectParams *prm, int m)
{
	acq_select_default_params(prm, m > 0 ? m : 1);
	prm->s_max = acq_arg_int4(fcinfo, 14, "s_max", m > 0 ? prm->s_max : 1);
	prm->k_max = acq_arg_int4(fcinfo, 15, "k_max", m > 0 ? prm->k_max : 1);
	prm->iterations = acq_arg_int4(fcinfo, 16, "iterations", prm->iterations);
	prm->rcl_size = acq_arg_int4(fcinfo, 17, "rcl_size", prm->rcl_size);
	prm->samples = acq_arg_int4(fcinfo, 18, "samples", prm->samples);
	/* a 0.1.0 catalog's acq.select_sources has no tie_break: the default */
	if (PG_NARGS() > 23)
	{
		const char *tb = acq_arg_text(fcinfo, 23, "tie_break", true);

		if (strcmp(tb, "loss") == 0)
			prm->tie_break = ACQ_TIE_LOSS;
		else if (strcmp(tb, "none") == 0)
			prm->tie_break = ACQ_TIE_NONE;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown tie_break \"%s\"", tb),
					 errhint("Use 'loss' (equal profits: the lower validation loss wins) or 'none' (profits alone, as the paper).")));
	}
	/* restarts: since 0.2.0 (issue 14); NULL is the default */
	if (PG_NARGS() > 24 && !PG_ARGISNULL(24))
	{
		prm->restarts = PG_GETARG_INT32(24);
		if (prm->restarts < 0 || prm->restarts > 100000)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("restarts must be between 0 and 100000, not %d", prm->restarts),
					 errhint("0 is the paper's SourceSplice; each restart trains at most a few times the number of sources.")));
	}
	if (prm->s_max < 1 || (m > 0 && prm->s_max > m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 m > 0 ? errmsg("s_max must be between 1 and the number of sources (%d), not %d", m, prm->s_max)
				 : errmsg("s_max must be at least 1, not %d", prm->s_max)));
	if (prm->k_max < 1 || (m > 0 && prm->k_max > m))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 m > 0 ? errmsg("k_max must be between 1 and the number of sources (%d), not %d", m, prm->k_max)
				 : errmsg("k_max must be at least 1, not %d", prm->k_max),
				 m > 0 ? errhint("A splicing round swaps at most min(|active|, |inactive|) <= %d sources.", m / 2) : 0));
	if (prm->iterations < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("iterations must be at least 1, not %d", prm->iterations)));
	if (prm->rcl_size < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rcl_size must be at least 1, not %d", prm->rcl_size)));
	if (prm->samples < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("samples must be at least 1, not %d", prm->samples)));
}

