/*
 * selection.h -- source selection: acq.select_sources, acq.subset_profits,
 * acq.subset_gain and its background job.
 *
 * Rules (docs/architecture.md): files here include PostgreSQL, the core,
 * src/pg/base, src/pg/jobs and this header -- never another capability.
 */
#ifndef ACQ_PG_SELECTION_H
#define ACQ_PG_SELECTION_H

#include "utils/jsonb.h"

#include "pg/base/base.h"
#include "pg/jobs/jobs.h"
#include "core/select.h"
#include "core/aggstats.h"

/* GUC acq.max_exhaustive_sources (select_sources.c) */
extern int	acq_max_exhaustive_sources;
void		acq_selection_init(void);
/* the checks of acq.submit_select_sources: all that needs no row */
void		acq_selection_check_args(FunctionCallInfo fcinfo);

/* ---- in sources.c: reading sources and validation rows ----------------------- */
typedef struct AcqLoadSpec
{
	Oid			sources;		/* partitioned table, or table with source_column */
	Oid			validation;
	const char *features;
	const char *label;
	const char *source_column;	/* NULL: leaf partitions are the sources */
	const char *sensitive;		/* NULL: none */
	const char *privileged;		/* value of a text sensitive column */
	bool		binary_labels;	/* labels must be 0/1 (classification) */
	/* the call's task and model (memory estimates), or NULL: rows only */
	const AcqEvalConfig *cfg;
	/* rows past acq.max_memory: stop reading (over_memory), do not fail */
	bool		may_stream;
} AcqLoadSpec;

typedef struct AcqSourceData
{
	int			m;				/* sources */
	int			p;				/* features */
	char	  **names;			/* m source names, in C-collation order */
	AcqBlock   *blocks;			/* m */
	AcqBlock	validation;
	int64		total_rows;
	bool		over_memory;	/* may_stream: the rows did not fit; none held
								 * (total_rows: those read, or the estimate) */
	/* streamed (stats.c): each source's statistics instead of rows */
	bool		streamed;
	AcqLinAcc **stats;			/* m */
	AcqLinAcc  *val_stats;
	/* terms (terms.c): classification without training rows */
	bool		terms;
	int64	   *n;				/* m: rows per source */
	double	   *pos;			/* m: positive labels per source */
	const AcqLoadSpec *spec;	/* the sources, for each step's query */
	struct SourceQuery *query;
	char	   *feat;			/* the aggregate's arguments */
	char	   *lab;
	int			queries;		/* round trips made */
} AcqSourceData;

void		acq_load_sources(const AcqLoadSpec *spec, AcqSourceData *out);
void		acq_check_load_spec(const AcqLoadSpec *spec);
/* the leaf partitions of parent in C order of their names (from the catalog caches) */
void		acq_list_leaves(Oid parent, int *m, Oid **oids, char ***names, MemoryContext cxt);
/* the validation rows alone, of p features (-1: any); returns p (the terms path) */
int			acq_load_validation(const AcqLoadSpec *spec, int p, AcqBlock *out);
/* the features' and labels' columns checked; the label expressions */
void		acq_check_load_spec_columns(const AcqLoadSpec *spec, char **lab, char **vlab);

/* ---- in stats.c: sources as statistics computed where the rows are ------------ */
/* does a source live behind postgres_fdw (a foreign leaf, or a foreign table)? */
bool		acq_sources_remote(const AcqLoadSpec *spec);
/*
 * Every source's and the validation rows' acq.linear_stats, in one query
 * (pushed to the foreign servers, which are checked first); no row held.
 */
void		acq_load_source_stats(const AcqLoadSpec *spec, AcqSourceData *out);
/* bytes the statistics path holds for m sources of p features */
double		acq_stats_memory(int m, int p);
/* the per-source query of an aggregate over the sources, and what it reaches */
typedef struct SourceQuery
{
	char	   *sql;			/* with %s for the aggregate's call */
	char	   *where;			/* "node1, node2 and this server" */
	List	   *servers;		/* foreign servers (Oids) behind the sources */
	int			nforeign;
	int			nleaves;		/* 0: sources by source_column of one table */
	char	  **leafnames;
	int			nremote;		/* the foreign tables read: */
	Oid		   *remote_server;	/* each one's server */
	char	  **remote_name;	/* and its "schema"."table" there */
} SourceQuery;
/*
 * Run the query (SPI_execute, read-only, JIT off) over the sources, with the
 * servers it reaches in its error context; a server lost under it (down,
 * shut down, unreachable) is an ERROR naming that server.  SPI connected.
 */
void		acq_run_source_query(const SourceQuery *sq, const char *query, const char *what);
void		acq_build_source_query(const AcqLoadSpec *spec, SourceQuery *sq, MemoryContext cxt);
char	   *acq_fill_query(const char *tmpl, const char *agg);
/* each server lists acq in its extensions option and runs this acq version */
void		acq_check_servers(List *servers, const char *srcrel);
/* every foreign scan of the query is an aggregate pushed down */
void		acq_check_pushdown(const char *query, int nforeign);
void		acq_query_context(void *arg);
int			acq_cmp_names(const void *a, const void *b);

/* ---- in terms.c: classification from logistic terms computed where the rows are */
/* each source's row count and positives (one query); validation rows read here */
void		acq_load_source_terms(const AcqLoadSpec *spec, AcqSourceData *out);
/* the core's terms function over those sources (arg: the AcqSourceData) */
void		acq_source_terms(void *arg, const double *W, int K, double **flat, size_t *len);

/* ---- in problem.c: the arguments every entry point shares ---------------------- */
/* where a function keeps the arguments every entry point shares (argument numbers) */
typedef struct ProblemArgs
{
	int			task;
	int			source_column;
	int			sensitive;
	int			privileged;
	int			lambda;
	int			costs;
	int			cost_exponent;
	int			cost_scale;
	int			cost_offset;
	int			c;
	int			alpha;
	int			tol;
} ProblemArgs;

typedef struct Problem
{
	AcqLoadSpec spec;
	AcqEvalConfig cfg;
	AcqSourceData data;
	Jsonb	   *costs_json;		/* per-source costs as given, or NULL */
	double	   *given_costs;
} Problem;

/* parse and check the shared arguments, without reading any row */
void		acq_parse_problem(FunctionCallInfo fcinfo, const ProblemArgs *ix, Problem *pr);
/* parse the shared arguments, read the data and check it */
void		acq_load_problem(FunctionCallInfo fcinfo, const ProblemArgs *ix, Problem *pr);
void		acq_check_exhaustive_limit(int m, const char *hint);

/*
 * What a call over m sources, n_rows training rows of p features and n_val
 * validation rows needs -- the rows and the evaluator (acq_eval_memory) --
 * checked against acq.max_memory: an ERROR 54000 that names the path and
 * what to change.  estimated: n_rows and n_val are the planner's estimates
 * (pg_class.reltuples), before reading.
 */
void		acq_check_selection_memory(const AcqEvalConfig *cfg, bool sensitive, int m, int p,
									   double n_rows, double n_val, bool estimated);
/* the bytes acq_check_selection_memory compares (rows_path may be NULL) */
double		acq_selection_memory(const AcqEvalConfig *cfg, bool sensitive, int m, int p,
								 double n_rows, double n_val, bool *rows_path);
void		acq_report_models(const AcqEvaluator *ev);
AcqEvaluator *acq_make_evaluator(Problem *pr);
/* the names of the sources in set, as text[] */
Datum		acq_set_names_array(const Problem *pr, const AcqSet *set);
/* the search parameters of acq.select_sources (m < 0: before the data is read) */
void		acq_parse_select_params(FunctionCallInfo fcinfo, AcqSelectParams *prm, int m);

/* ---- in job.c: acq.select_sources as a background job ------------------------- */

/* a subset the job's search trained, for acq.source_selection_subsets */
typedef struct AcqJobSubset
{
	Datum		sources;		/* text[] */
	double		gain;
	double		cost;
	double		profit;
	int64		n_rows;
} AcqJobSubset;

/*
 * While a job runs acq.select_sources, the call reports its progress and
 * hands every subset it trains to the job (the job writes them as its plan).
 */
typedef struct AcqSelectionJob
{
	AcqJob	   *job;
	double		progress;
	int			models_trained;
	int			nsubsets;
	int			subsets_capacity;
	AcqJobSubset *subsets;		/* in job->cxt */
	/* the call's result row, kept for write_result */
	Datum		result[6];
} AcqSelectionJob;

/* the job acq.select_sources reports to, or NULL outside a job */
extern AcqSelectionJob *acq_selection_job;

void		acq_selection_job_run(AcqJob *job);
char	   *acq_selection_job_write(AcqJob *job);

#endif							/* ACQ_PG_SELECTION_H */
