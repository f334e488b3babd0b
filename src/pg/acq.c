/*
 * acq.c -- the module: _PG_init calls each part's set-up (the core's hooks,
 * and the GUCs of memory, jobs and source selection).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "pg/base/base.h"
#include "pg/jobs/jobs.h"
#include "pg/selection/selection.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	acq_base_init();
	acq_memory_init();
	acq_selection_init();
	acq_jobs_init();
	MarkGUCPrefixReserved("acq");
}
