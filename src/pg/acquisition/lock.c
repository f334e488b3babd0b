/*
 * lock.c -- one acquisition at a time per target.
 *
 * A plan's set-up reads what the target holds and counts it as held; its
 * rounds then buy from what is left.  Two plans filling one target at once
 * would each miss what the other buys: the later INSERT would meet the
 * other's rows on the target's primary key (an error 23505 after waiting for
 * the other transaction, or a job failing mid-loop).  So a plan takes an
 * exclusive advisory lock named after the target (schema and name: the
 * target may not exist yet, and two plans must not both create it) before
 * it looks at the target, and keeps it to the end: acq.acquire for its
 * transaction, a job (acq.submit_acquire, acq.resume_acquire) for its
 * worker's life (a session lock, across the rounds' commits).  A second
 * plan waits; under READ COMMITTED its set-up then sees everything the first
 * bought.  A transaction whose snapshot predates the other plan's commit
 * (REPEATABLE READ, SERIALIZABLE) cannot see those records: it gets a
 * serialization failure (40001) instead of buying blind.
 *
 * The lock shows in pg_locks as locktype 'advisory', classid
 * TARGET_LOCK_CLASS, objsubid 2, objid a hash of the target's name.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

#include "pg/acquisition/acquisition.h"

#define TARGET_LOCK_CLASS 1634955604	/* "acqT" as an int */

static void
lock_name(const char *schema, const char *relname, bool session)
{
	StringInfoData key;
	LOCKTAG		tag;

	initStringInfo(&key);
	appendStringInfo(&key, "%s", schema ? schema : "");
	appendStringInfoChar(&key, '\0');
	appendStringInfo(&key, "%s", relname);
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, TARGET_LOCK_CLASS,
						 DatumGetUInt32(hash_any((const unsigned char *) key.data, key.len)), 2);
	pfree(key.data);
	/* waits for the other plan's end; a cancel or statement_timeout stops the wait */
	(void) LockAcquire(&tag, ExclusiveLock, session, false);
	/* the other plan may have created the target meanwhile */
	AcceptInvalidationMessages();
}

void
acquisition_lock_target_name(const AcqSpec *s, bool session)
{
	RangeVar   *rv = makeRangeVarFromNameList(s->target_name);
	const char *schema = rv->schemaname ? rv->schemaname :
		get_namespace_name(get_rel_namespace(s->consumer));

	lock_name(schema, rv->relname, session);
}

void
acquisition_lock_target(Oid target, bool session)
{
	char	   *relname = get_rel_name(target);

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the target of the acquisition plan no longer exists")));
	lock_name(get_namespace_name(get_rel_namespace(target)), relname, session);
}

/*
 * Under a transaction snapshot (REPEATABLE READ, SERIALIZABLE), the target
 * must read the same as the latest committed state: otherwise another plan
 * (or anyone) wrote it after this transaction's snapshot, and the set-up
 * would count as for sale records the target already holds.
 */
void
acquisition_check_target_snapshot(const AcqSpec *s, Oid target)
{
	SPIPlanPtr	plan;
	char	   *seen[2];

	if (!IsolationUsesXactSnapshot() || !OidIsValid(target))
		return;
	plan = acq_spi_prepare(psprintf("SELECT pg_catalog.count(*)::pg_catalog.text"
									" OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||)"
									" COALESCE(pg_catalog.sum((%s)::pg_catalog.numeric), 0)::pg_catalog.text"
									" FROM %s",
									quote_identifier(s->id), acq_rel_display_name(target)),
						   0, NULL, "reading the target");
	for (int i = 0; i < 2; i++)
	{
		acq_spi_check(SPI_execute_snapshot(plan, NULL, NULL, i == 0 ? GetTransactionSnapshot() : GetLatestSnapshot(),
										   InvalidSnapshot, true, false, 1),
					  SPI_OK_SELECT, "reading the target");
		seen[i] = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	}
	SPI_freeplan(plan);
	if (strcmp(seen[0], seen[1]) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access to target %s: it was written after this transaction's snapshot",
						acq_rel_display_name(target)),
				 errdetail("Another acquisition (or another session) committed records into it that this transaction cannot see; nothing was bought."),
				 errhint("Retry the transaction, or run acq.acquire under READ COMMITTED: it then waits for the other acquisition and counts what it bought as held.")));
}
