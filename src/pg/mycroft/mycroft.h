/*
 * mycroft.h -- Mycroft (Sarwar et al.): a model trainer finds the test rows
 * its model gets wrong (acq.hard_examples); each data owner, inside its own
 * database, picks the k rows most useful for them (acq.mycroft_select) and
 * shares only those; the trainer retrains on each owner's k rows and ranks
 * the owners (acq.rank_owners, also as a background job).
 *
 * Owner-side methods (the arithmetic is the core's, src/core):
 *   feature   Euclidean distance to the nearest hard row, one DGEMM per
 *             block of owner rows streamed from the table (select.c);
 *   binning   the binned distance of Algorithms 4-5 (binning.c), bins fitted
 *             on the hard rows and a seeded sample of the owner, then
 *             streamed like feature (select.c);
 *   omp       gradient matching by regularised OMP (omp_select.c) on per-row
 *             last-layer gradients of a softmax regression the owner trains
 *             here, or on a gradient column the owner supplies, streamed
 *             when that column is wide (omp_stream.c);
 *   combined  omp with the feature-distance penalty lambda2 ||Psi w||^2;
 *   random    k random rows among those with D_hard's labels (the paper's
 *             baseline; select.c).
 * Every table is read with the caller's rights (read.c); only the chosen
 * rows' ids leave the owner's function.
 *
 * Rules (docs/architecture.md): files here include PostgreSQL, the core,
 * src/pg/base, src/pg/jobs and this header -- never another capability.
 */
#ifndef ACQ_PG_MYCROFT_H
#define ACQ_PG_MYCROFT_H

#include "storage/itemptr.h"

#include "pg/base/base.h"
#include "pg/jobs/jobs.h"
#include "core/classifier.h"
#include "core/omp.h"

/* ---- in read.c: reading rows (id, features, label[, gradients]) --------------- */

/* rows read into memory: base's row buffer (with ids), and gradients if read */
typedef struct Rows
{
	AcqRowBuf	b;				/* ids, features (b.d a row) and labels */
	double	   *G;				/* gradients, m a row; NULL if not read */
	int64		gcap;			/* rows G has room for */
	int			m;
} Rows;

/* what mycroft_stream_rows hands each chunk of up to ACQ_FETCH_BATCH rows to */
typedef void (*ChunkFn) (void *arg, const AcqRowBuf *chunk);

/*
 * What a reader that does not keep the gradients gets for each row instead
 * (omp_stream.c): the row's gradients (m values, checked for their shape
 * only: fn checks the values), its tuple, its position among the rows read,
 * its label and id.
 */
typedef void (*GradientFn) (void *arg, const double *g, int m, ItemPointer tid, int64 row,
							double y, int64 id, const char *table);

typedef struct ReadSpec
{
	Oid			rel;
	const char *id;
	const char *features;
	const char *label;
	const char *gradients;		/* NULL: none */
	/* optional: note which of these sorted labels the rows read carry */
	const double *want;
	int			nwant;
	bool	   *seen;			/* seen[j]: some row has label want[j] */
	/* optional, with gradients: each row's gradients to fn, not kept */
	GradientFn	gradient_fn;
	void	   *gradient_arg;
	bool		read_only;		/* SPI read_only: the caller's active snapshot */
	double	   *held;			/* the call's bytes held (acq_memory_take), or NULL */
} ReadSpec;

/* the right to read the table and the types of its columns */
void		mycroft_check_columns(const ReadSpec *rs);
/* the table's row count (through SPI, read_only as SPI_execute's) */
int64		mycroft_count_rows(Oid rel, bool read_only);

/*
 * Read a table's rows, checked, into *all (sized by nrows, the table's row
 * count, or counted first when nrows < 0), or stream them in chunks of up to
 * ACQ_FETCH_BATCH rows through fn.  *d (and *m, with gradients) is each
 * row's length: set by the first row if negative, else required.  Ids must
 * not be NULL; their uniqueness needs every id (mycroft_check_unique_ids).
 * The caller is connected to SPI.
 */
void		mycroft_read_rows(const ReadSpec *rs, Rows *all, int64 nrows, int *d, int *m);
void		mycroft_stream_rows(const ReadSpec *rs, ChunkFn fn, void *arg, int *d);
/* the rows of a table with these ids (id, features and label only), appended to *out */
void		mycroft_fetch_rows(const ReadSpec *rs, const int64 *ids, int64 n, int *d, Rows *out);
/* an ERROR if an id appears twice (sorts ids) */
void		mycroft_check_unique_ids(int64 *ids, int64 n, const char *table);

/* ---- in hard.c: the trainer's model, and acq.hard_examples -------------------- */
typedef struct ModelSpec
{
	AcqClfParams clf;
} ModelSpec;

/* the model arguments, checked (model and criterion by name) */
void		mycroft_model_spec(ModelSpec *m, const char *model, int max_depth,
							   int min_samples_leaf, const char *criterion, int k, double c);
/*
 * Fit the model, its memory checked first: held (the bytes the call holds)
 * plus what the fit and a prediction of npredict rows need.
 */
void		mycroft_fit_model(const ModelSpec *m, const double *X, const int *y, int64 n, int d,
							  int K, int64 seed, double held, int64 npredict, AcqClassifier *clf);

/* ---- in select.c: the owner's selection, acq.mycroft_select ------------------- */
typedef enum SelMethod
{
	SEL_FEATURE,
	SEL_BINNING,
	SEL_OMP,
	SEL_COMBINED,
	SEL_RANDOM
} SelMethod;

typedef struct SelSpec
{
	ReadSpec	owner;
	ReadSpec	hard;
	int64		k;
	SelMethod	method;
	bool		same_label;
	double		sample_rate;
	int			min_bins;
	int		   *candidates;
	int			ncand;
	int		   *bin_features;	/* 0-based; NULL: all */
	int			nbin_features;
	double		lambda;
	double		tol;
	double		lambda2;
	double		c;
	int64		seed;
	double	   *held;			/* the call's bytes held, or NULL: the selection's own */
} SelSpec;

typedef struct SelResult
{
	int64		n;
	int64	   *id;
	double	   *score;			/* NaN: none */
	double	   *weight;			/* NaN: none */
	double	   *missing;		/* D_hard's labels the owner lacks */
	int			nmissing;
	int64		owner_rows;
} SelResult;

/*
 * The selection arguments acq.mycroft_select and acq.rank_owners share,
 * from argument first on: method, same_label, sample_rate, min_bins,
 * bin_candidates, bin_features, lambda, tol, lambda2, gradients, c.
 */
void		mycroft_sel_args(FunctionCallInfo fcinfo, int first, SelSpec *s);
/* the ranges of s's values (no data needed) */
void		mycroft_check_sel_spec(const SelSpec *s);
/* the owner's k rows for the hard rows; the caller is connected to SPI */
void		mycroft_run_selection(SelSpec *s, SelResult *res);
/* labels as "1, 2, 3" for a message */
char	   *mycroft_format_labels(const double *v, int n);
/* the owner's n rows read: unique ids (sorted in place), at least k of them */
void		mycroft_check_owner_ids(const SelSpec *s, int64 *ids, int64 n, SelResult *res);
/* the memory of a pursuit over nc atoms of m numbers, checked against acq.max_memory */
void		mycroft_check_pursuit(const SelSpec *s, AcqOmpWork kind, int64 nc, int m);
/* acq_memory_take of what acq_hardset_create over the hard rows allocates */
void		mycroft_take_hardset(const SelSpec *s, const Rows *hard);

/* ---- in omp_select.c: gradient matching (omp, combined) ----------------------- */

/* omp/combined: streamed when it can be (omp_stream.c), else in memory */
void		mycroft_select_omp(SelSpec *s, const Rows *hard, const double *hl, int nhl,
							   SelResult *res);
/* the parts the streamed path shares */
void		mycroft_check_owner_rows(const SelSpec *s, const Rows *owner, SelResult *res);
void		mycroft_omp_params(const SelSpec *s, AcqOmpParams *op);
void		mycroft_omp_check_candidates(const SelSpec *s, int64 nc);
double	   *mycroft_omp_psi(const SelSpec *s, const Rows *owner, const Rows *hard,
							const int64 *cand, int64 nc);
double	   *mycroft_omp_gradient_target(const Rows *hard, int m);
void		mycroft_omp_result(const SelSpec *s, SelResult *res, AcqOmpResult *or,
							   const int64 *cand, const int64 *ids, const double *psi);

/* ---- in omp_stream.c: omp over a wide gradient column, streamed ---------------- */
bool		mycroft_omp_streamable(const SelSpec *s, const Rows *hard);
bool		mycroft_select_omp_streamed(SelSpec *s, const Rows *hard, const double *hl, int nhl,
										SelResult *res);

/* ---- in rank.c: acq.rank_owners ------------------------------------------------ */
/* the checks of acq.submit_rank_owners: all that needs no row */
void		mycroft_check_rank_args(FunctionCallInfo fcinfo);

/* ---- in job.c: acq.rank_owners as a background job ---------------------------- */
void		acq_rank_job_run(AcqJob *job);
char	   *acq_rank_job_write(AcqJob *job);

/* ---- in remote.c: an owner on another server ------------------------------------ */

/* is the owner a foreign table (its selection then runs on its server)? */
bool		mycroft_owner_is_remote(Oid rel);
/* the DETAIL of the extensions-option ERROR for a remote owner */
const char *mycroft_remote_why(Oid owner);
/* mycroft_run_selection, run on the foreign owner's server; the caller is connected to SPI */
void		mycroft_run_remote_selection(SelSpec *s, SelResult *res);

#endif							/* ACQ_PG_MYCROFT_H */
