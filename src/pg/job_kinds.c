/*
 * job_kinds.c -- the table of background job kinds (src/pg/jobs/jobs.h).
 *
 * A new kind is an entry here (and its name in acq.jobs.kind's CHECK); the
 * job machinery knows capabilities only through this table.  This file and
 * acq.c are the only ones that name every part of the adapter.
 */
#include "postgres.h"

#include "pg/jobs/jobs.h"
#include "pg/acquisition/acquisition.h"
#include "pg/mycroft/mycroft.h"
#include "pg/selection/selection.h"

const AcqJobKind acq_job_kinds[] = {
	{"select_sources", acq_selection_job_run, acq_selection_job_write, NULL},
	{"acquire", acq_acquisition_job_run, acq_acquisition_job_write,
	"the rounds it committed are kept; continue with acq.resume_acquire(plan_id)"},
	{"rank_owners", acq_rank_job_run, acq_rank_job_write, NULL},
	{NULL, NULL, NULL, NULL}
};
