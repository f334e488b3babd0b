/*
 * selection.h -- source selection: acq.select_sources, acq.subset_profits,
 * acq.subset_gain and its background job.
 *
 * Rules (docs/architecture.md): files here include PostgreSQL, the core,
 * src/pg/base, src/pg/jobs and this header -- never another capability.
 */
#ifndef ACQ_PG_SELECTION_H
#define ACQ_PG_SELECTION_H

#include "pg/base/base.h"
#include "pg/jobs/jobs.h"
#include "core/select.h"

/* GUC acq.max_exhaustive_sources (select_sources.c) */
extern int	acq_max_exhaustive_sources;
void		acq_selection_init(void);

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
