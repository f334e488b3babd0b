/*
 * rights.c -- writing acq's catalog as the extension's owner.
 *
 * Users may read their rows of acq's tables but not write them, so that
 * nobody can forge a job's owner, status or worker.  Only the statements
 * between acq_elevate() and acq_unelevate() run so, and they only touch acq's
 * own tables; an error restores the caller's rights with the transaction's
 * abort.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "utils/fmgroids.h"

#include "pg/base/base.h"

void
acq_elevate(Elevation *e)
{
	Oid			ext = get_extension_oid("acq", false);
	HeapTuple	tup;
	Oid			owner = InvalidOid;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(owner))
		elog(ERROR, "extension acq has no owner");

	GetUserIdAndSecContext(&e->saved_user, &e->saved_context);
	SetUserIdAndSecContext(owner, e->saved_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}

void
acq_unelevate(Elevation *e)
{
	SetUserIdAndSecContext(e->saved_user, e->saved_context);
}
