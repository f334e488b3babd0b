/*
 * progress.c -- what a running job shows: its progress as a number and what
 * it is doing as text.
 *
 * The text goes to the worker's pg_stat_activity entry ("acq job 7
 * (select_sources, splice): progress 0.420, 311 models trained"), the number
 * to the progress parameters of the worker's backend status (the slots
 * pg_stat_progress_* read, with no command set, so no built-in view shows
 * them): parameter 0 holds the job's id, 1 the progress in millionths.
 * acq_job_progress_read reads them back for acq.job_live, live and
 * without a transaction on the worker's side.  Both are writes to the
 * backend's own shared-memory slot.
 */
#include "postgres.h"

#include <stdarg.h>

#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/acl.h"
#include "utils/backend_progress.h"
#include "utils/backend_status.h"

#include "pg/jobs/jobs.h"

#define PARAM_JOB_ID	0
#define PARAM_PROGRESS	1
#define PROGRESS_SCALE	1000000.0

void
acq_job_progress(AcqJob *job, double fraction, const char *fmt,...)
{
	char		detail[160];
	char		msg[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (!(fraction >= 0.0))
		fraction = 0.0;
	if (fraction > 1.0)
		fraction = 1.0;
	pgstat_progress_update_param(PARAM_JOB_ID, job->id);
	pgstat_progress_update_param(PARAM_PROGRESS, (int64) (fraction * PROGRESS_SCALE));
	if (job->label[0] != '\0')
		snprintf(msg, sizeof(msg), "acq job " INT64_FORMAT " (%s, %s): progress %.3f, %s",
				 job->id, job->kind, job->label, fraction, detail);
	else
		snprintf(msg, sizeof(msg), "acq job " INT64_FORMAT " (%s): progress %.3f, %s",
				 job->id, job->kind, fraction, detail);
	pgstat_report_activity(STATE_RUNNING, msg);
}

void
acq_job_progress_start(AcqJob *job)
{
	acq_job_progress(job, 0.0, "starting");
}

void
acq_job_progress_end(void)
{
	pgstat_progress_update_param(PARAM_JOB_ID, 0);
	pgstat_progress_update_param(PARAM_PROGRESS, 0);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * The progress job's worker pid reports, or false (no such worker, not this
 * job's, or not the caller's to see: the rule of pg_stat_activity,
 * pg_read_all_stats or a member of the role).
 */
bool
acq_job_progress_read(int64 job, int pid, double *progress)
{
	int			n = pgstat_fetch_stat_numbackends();

	for (int i = 1; i <= n; i++)
	{
		LocalPgBackendStatus *local = pgstat_fetch_stat_local_beentry(i);
		PgBackendStatus *be;

		if (local == NULL)
			continue;
		be = &local->backendStatus;
		if (be->st_procpid != pid)
			continue;
		if (!has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS) &&
			!has_privs_of_role(GetUserId(), be->st_userid))
			return false;
		if (be->st_progress_command != PROGRESS_COMMAND_INVALID ||
			be->st_progress_param[PARAM_JOB_ID] != job)
			return false;
		*progress = (double) be->st_progress_param[PARAM_PROGRESS] / PROGRESS_SCALE;
		return true;
	}
	return false;
}
