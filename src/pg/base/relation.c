/*
 * relation.c -- tables and their columns as acq's arguments name them: a
 * table's display name, a column's type, the checks of feature, label and id
 * columns, and the right to read a table.  The messages are written once,
 * here.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "pg/base/base.h"

char *
acq_rel_display_name(Oid relid)
{
	char	   *rel = get_rel_name(relid);

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), rel);
}

Oid
acq_column_type(Oid relid, const char *col, const char *argname)
{
	AttrNumber	attnum = get_attnum(relid, col);

	if (attnum == InvalidAttrNumber || attnum < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" does not exist in %s", col, acq_rel_display_name(relid)),
				 errhint("Argument \"%s\" names a column of that table.", argname)));
	/* a domain is its base type (a domain over float8[] holds float8[] values) */
	return getBaseType(get_atttype(relid, attnum));
}

bool
acq_is_numeric_type(Oid t)
{
	return t == FLOAT8OID || t == FLOAT4OID || t == NUMERICOID ||
		t == INT2OID || t == INT4OID || t == INT8OID;
}

/* an array of a numeric type (read as float8[]) */
void
acq_check_array_column(Oid relid, const char *col, const char *argname, const char *hint)
{
	Oid			t = acq_column_type(relid, col, argname);
	Oid			elem = get_element_type(t);

	if (!OidIsValid(elem) || !acq_is_numeric_type(elem))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s column \"%s\" of %s must be float8[], not %s",
						argname, col, acq_rel_display_name(relid), format_type_be(t)),
				 hint ? errhint("%s", hint) : 0));
}

/* a numeric column (read as float8); returns its type */
Oid
acq_check_numeric_column(Oid relid, const char *col, const char *argname, const char *hint)
{
	Oid			t = acq_column_type(relid, col, argname);

	if (!acq_is_numeric_type(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s column \"%s\" of %s must be numeric, not %s",
						argname, col, acq_rel_display_name(relid), format_type_be(t)),
				 hint ? errhint("%s", hint) : 0));
	return t;
}

/* an integer column (smallint, int or bigint); returns its type */
Oid
acq_check_integer_column(Oid relid, const char *col, const char *argname, const char *hint)
{
	Oid			t = acq_column_type(relid, col, argname);

	if (t != INT2OID && t != INT4OID && t != INT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s column \"%s\" of %s must be an integer, not %s",
						argname, col, acq_rel_display_name(relid), format_type_be(t)),
				 hint ? errhint("%s", hint) : 0));
	return t;
}

/* may the current role read the table? */
void
acq_check_select(Oid relid, const char *hint)
{
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", get_rel_name(relid)),
				 hint ? errhint("%s", hint) : 0));
}
