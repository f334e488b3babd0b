/*
 * mycroft.h -- Mycroft: acq.hard_examples, acq.mycroft_select,
 * acq.rank_owners and the owner-ranking background job.
 *
 * Rules (docs/architecture.md): files here include PostgreSQL, the core,
 * src/pg/base, src/pg/jobs and this header -- never another capability.
 */
#ifndef ACQ_PG_MYCROFT_H
#define ACQ_PG_MYCROFT_H

#include "pg/base/base.h"
#include "pg/jobs/jobs.h"

/* ---- in job.c: acq.rank_owners as a background job ---------------------------- */
void		acq_rank_job_run(AcqJob *job);
char	   *acq_rank_job_write(AcqJob *job);

#endif							/* ACQ_PG_MYCROFT_H */
