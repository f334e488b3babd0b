/*
 * jobs.h -- background jobs: the queue, admission, cancelling, the worker
 * that runs one job as its owner, and live progress.  This folder is the
 * only writer of acq.jobs.
 *
 * A job kind (select_sources, acquire, rank_owners, ...) is an entry of the
 * table acq_job_kinds (src/pg/job_kinds.c): its name in acq.jobs.kind, a run
 * function and a result writer.  The worker opens a transaction, calls run
 * as the job's owner, then write_result as the extension's owner in the same
 * transaction, and marks the job succeeded with the message write_result
 * returns: all of it commits, or none of it.  A kind that works in steps
 * (acquire: one round a step) commits each with acq_job_commit_step.  Run
 * functions never touch acq.jobs: the handle carries what they need.
 *
 * Rules (docs/architecture.md): files here include PostgreSQL, the core,
 * src/pg/base and this header -- never a capability's folder; they reach
 * capabilities only through acq_job_kinds.
 */
#ifndef ACQ_PG_JOBS_H
#define ACQ_PG_JOBS_H

#include "pg/base/base.h"

/* GUC acq.max_jobs (queue.c) */
extern int	acq_max_jobs;

/* the handle a kind's functions receive */
typedef struct AcqJob
{
	int64		id;
	Oid			role;			/* the job's owner: the worker runs as it */
	const char *kind;			/* acq.jobs.kind */
	const char *params;			/* the job's arguments: acq.jobs.params, jsonb as text */
	MemoryContext cxt;			/* lives as long as the job (survives steps) */
	void	   *state;			/* the kind's own, from run to write_result */
	char		label[64];		/* shown in progress ("splice", "plan 3"); may stay empty */
} AcqJob;

typedef struct AcqJobKind
{
	const char *name;
	/* the work, as the job's owner, in a transaction the worker began */
	void		(*run) (AcqJob *job);
	/*
	 * Then, in the same transaction and as the extension's owner: write the
	 * job's results to acq's tables; returns the job's message (palloc'd).
	 */
	char	   *(*write_result) (AcqJob *job);
	/*
	 * What is left when the worker dies mid-run, for the job's error message
	 * (NULL: "nothing of it was kept; submit it again").
	 */
	const char *on_worker_death;
} AcqJobKind;

/* in src/pg/job_kinds.c: every kind, ended by an entry whose name is NULL */
extern const AcqJobKind acq_job_kinds[];

/* ---- in queue.c: submission, the queue, cancelling -------------------------- */

/* what a job's worker is told at start (bgw_extra) */
typedef struct JobWorkerArgs
{
	Oid			database;
	Oid			role;
	int64		job_id;
	TransactionId submitter_xid;	/* the job's row is visible once it commits */
} JobWorkerArgs;

void		acq_jobs_init(void);
/* start a worker for job_id as role (0: a worker that only kicks the queue) */
bool		acq_start_job_worker(int64 job_id, Oid role);
/* record dead jobs, start workers for queued ones; the caller holds the admission lock */
int			acq_kick_queue(void);
void		acq_take_admission_lock(void);
bool		acq_is_job_worker(int pid);
/* from a user's backend: start a worker that kicks the queue (at most once a second) */
bool		acq_kick_soon(void);

/*
 * An acq.submit_* function's body, after its checks: store fcinfo's
 * arguments as the job's params -- params_sql is a SELECT of one jsonb from
 * $1..$n, the function's arguments with their SQL types -- and queue a job
 * of kind for the calling role.  Returns the job's id.
 */
int64		acq_submit_job(FunctionCallInfo fcinfo, const char *kind, const char *params_sql);
/* queue a job of kind with params (jsonb), checked by the caller, for the calling role */
int64		acq_enqueue_job(const char *kind, Datum params);

/* ---- in progress.c: what a running job shows ---------------------------------- */

/*
 * A running job's progress (0..1) and what it is doing (printf-style: "45
 * models trained", "round 3"): read live by acq.job_status, through
 * pg_stat_activity (the text) and acq.job_live (the fraction).
 */
void		acq_job_progress(AcqJob *job, double fraction, const char *fmt,...) pg_attribute_printf(3, 4);
void		acq_job_progress_start(AcqJob *job);
void		acq_job_progress_end(void);
/* the progress job's worker pid reports, if the caller may see it; false if none */
bool		acq_job_progress_read(int64 job, int pid, double *progress);

/* ---- in worker.c: running a job ------------------------------------------------ */

/* commit what the job did so far and begin its next transaction */
void		acq_job_commit_step(AcqJob *job);

#endif							/* ACQ_PG_JOBS_H */
