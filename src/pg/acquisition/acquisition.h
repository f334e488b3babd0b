/*
 * acquisition.h -- data acquisition: acq.acquire, acq.resume_acquire's and
 * acq.submit_acquire's background job, acq.evaluate and
 * acq.acquisition_curve.
 *
 * Rules (docs/architecture.md): files here include PostgreSQL, the core,
 * src/pg/base, src/pg/jobs and this header -- never another capability.
 */
#ifndef ACQ_PG_ACQUISITION_H
#define ACQ_PG_ACQUISITION_H

#include "pg/base/base.h"
#include "pg/jobs/jobs.h"

/* ---- in acquire.c: an acquisition as a background job ------------------------- */
void		acq_acquisition_job_run(AcqJob *job);
char	   *acq_acquisition_job_write(AcqJob *job);

#endif							/* ACQ_PG_ACQUISITION_H */
