/*
 * acq_pg.h -- the PostgreSQL adapter: shared declarations of src/pg.
 */
#ifndef ACQ_PG_H
#define ACQ_PG_H

#include "postgres.h"

#include "executor/spi.h"
#include "executor/tuptable.h"
#include "utils/array.h"
#include "utils/timestamp.h"

#include "core/acq_core.h"
#include "common/pg_prng.h"
#include "core/select.h"

/* GUCs */
extern int	acq_max_exhaustive_sources;

/* acq.c: a pg_prng-backed AcqRng */
void		acq_pg_rng_init(AcqRng *rng, pg_prng_state *state, int64 seed);

/* ---- reading sources and validation rows (sources.c) ----------------------- */
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
} AcqLoadSpec;

typedef struct AcqSourceData
{
	int			m;				/* sources */
	int			p;				/* features */
	char	  **names;			/* m source names, in C-collation order */
	AcqBlock   *blocks;			/* m */
	AcqBlock	validation;
	int64		total_rows;
} AcqSourceData;

void		acq_load_sources(const AcqLoadSpec *spec, AcqSourceData *out);
void		acq_check_load_spec(const AcqLoadSpec *spec);

/* ---- background jobs (jobs.c) ----------------------------------------------- */
extern int	acq_max_jobs;

/*
 * Set by a job's worker while it runs acq.select_sources through SPI: the
 * function then reports progress in pg_stat_activity and hands the subsets
 * it trained to the worker, which writes them as the job's plan.
 */
typedef struct AcqJobContext
{
	int64		job_id;
	const char *method;
	double		progress;
	int			models_trained;
	MemoryContext mcxt;			/* outlives the SPI call: subsets go here */
	int			nsubsets;
	int			subsets_capacity;
	struct AcqJobSubset *subsets;
} AcqJobContext;

typedef struct AcqJobSubset
{
	Datum		sources;		/* text[] */
	double		gain;
	double		cost;
	double		profit;
	int64		n_rows;
} AcqJobSubset;

extern AcqJobContext *acq_current_job;

/* catalog writes run as the extension owner (jobs.c) */
typedef struct Elevation
{
	Oid			saved_user;
	int			saved_context;
} Elevation;
void		acq_elevate(Elevation *e);
void		acq_unelevate(Elevation *e);
void		acq_spi_check(int ret, int expected, const char *what);

/*
 * Run a statement through SPI, handing each result row to fn as it is
 * produced (stream.c), not copied into SPI_tuptable.  fn runs in the
 * caller's memory context; rowcxt is scratch, reset after each row.
 * expected is the SPI_OK_* code; returns the number of rows processed.
 */
typedef void (*AcqRowFn) (TupleTableSlot *slot, MemoryContext rowcxt, void *arg);
uint64		acq_spi_stream(const char *sql, bool read_only, int expected, const char *what,
						   AcqRowFn fn, void *arg);
uint64		acq_spi_stream_plan(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only,
								int expected, const char *what, AcqRowFn fn, void *arg);
/* a background worker's own transaction, with SPI and a snapshot */
void		acq_worker_begin(void);
void		acq_worker_commit(void);

/* ---- data acquisition (acquire.c) ------------------------------------------ */
/* run an acquisition job: a new plan from params (jsonb text) or a resumed one */
void		acq_acquire_job(int64 job_id, Oid role, const char *params);

/* ---- helpers shared with sources.c ----------------------------------------- */
char	   *acq_rel_display_name(Oid relid);
Oid			acq_column_type(Oid relid, const char *col, const char *argname);
bool		acq_is_numeric_type(Oid t);
void		acq_job_report(AcqJobContext *job, int models_trained, bool force);

/* ---- argument helpers (args.c) -------------------------------------------- */
char	   *acq_arg_text(FunctionCallInfo fcinfo, int argno, const char *argname,
						 bool required);
char	   *acq_arg_name(FunctionCallInfo fcinfo, int argno, const char *argname,
						 bool required);
Oid			acq_arg_regclass(FunctionCallInfo fcinfo, int argno, const char *argname);
void		acq_arg_require(FunctionCallInfo fcinfo, int argno, const char *argname);
/* ---- shared helpers over values (values.c) ----------------------------- */
int			acq_cmp_int64(const void *a, const void *b);
int			acq_cmp_double(const void *a, const void *b);
int			acq_distinct_values(const double *v, int64 n, double **out);
void		acq_value_codes(const double *v, int64 n, const double *sorted, int K, int *codes);
bool		acq_has_value(const double *sorted, int n, double v);
double	   *acq_float8_array_arg(ArrayType *a, int *n, const char *argname);
int		   *acq_int4_array_arg(ArrayType *a, int *n, const char *argname);
char	  **acq_text_array_arg(ArrayType *a, int *n, const char *argname);

double	   *acq_checked_vector(Datum d, bool isnull, int *len, const char *what,
							   const char *table, const char *rowkind, int64 rowno,
							   const char *hint);
double	   *acq_checked_array(Datum d, bool isnull, int *len, const char *what,
							  const char *table, const char *rowkind, int64 rowno,
							  const char *hint);
void		acq_check_finite(const double *x, int n, const char *what, const char *table,
							 const char *rowkind, int64 rowno);
ArrayType  *acq_detoast_array(Datum d, bool isnull);
void		acq_free_detoasted(Datum d, ArrayType *a);

#endif							/* ACQ_PG_H */
