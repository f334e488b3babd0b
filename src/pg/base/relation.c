/*
 * relation.c -- tables and their columns as acq's arguments name them: a
 * table's display name, a column's type, the checks of feature, label and id
 * columns, and the right to read a table.  The messages are written once,
 * here.
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
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

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" does not exist in %s", col, acq_rel_display_name(relid)),
		/* a name argument arrives truncated to NAMEDATALEN - 1 bytes */
				 strlen(col) >= NAMEDATALEN - 1 ?
				 errdetail("Argument \"%s\" is of type name: a longer value is truncated to %d bytes, as PostgreSQL truncates every identifier, and no column has a longer name.",
						   argname, NAMEDATALEN - 1) : 0,
				 errhint("Argument \"%s\" names a column of that table; it has %s.", argname,
						 acq_rel_column_list(relid))));
	if (attnum < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
				 errmsg("%s column \"%s\" of %s is a system column", argname, col,
						acq_rel_display_name(relid)),
				 errdetail("acq reads only a table's own columns: system columns (ctid, xmin, tableoid, ...) are not data, and a row's ctid changes when it is updated."),
				 errhint("Name one of %s's columns: %s.", acq_rel_display_name(relid),
						 acq_rel_column_list(relid))));
	/* a domain is its base type (a domain over float8[] holds float8[] values) */
	return getBaseType(get_atttype(relid, attnum));
}

/* the relation's columns, quoted and comma-separated ("no columns" if none) */
char *
acq_rel_column_list(Oid relid)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped)
			continue;
		appendStringInfo(&s, "%s%s", s.len ? ", " : "", quote_identifier(NameStr(a->attname)));
	}
	relation_close(rel, AccessShareLock);
	return s.len ? s.data : pstrdup("no columns");
}

/* what kind of relation relkind is, for messages ("an index") */
static const char *
relkind_description(char relkind)
{
	switch (relkind)
	{
		case RELKIND_RELATION:
			return "a table";
		case RELKIND_PARTITIONED_TABLE:
			return "a partitioned table";
		case RELKIND_VIEW:
			return "a view";
		case RELKIND_MATVIEW:
			return "a materialized view";
		case RELKIND_FOREIGN_TABLE:
			return "a foreign table";
		case RELKIND_INDEX:
			return "an index";
		case RELKIND_PARTITIONED_INDEX:
			return "a partitioned index";
		case RELKIND_SEQUENCE:
			return "a sequence";
		case RELKIND_COMPOSITE_TYPE:
			return "a composite type";
		case RELKIND_TOASTVALUE:
			return "a TOAST table";
	}
	return "a relation of another kind";
}

static const struct
{
	int			flag;
	char		relkind;
}			relkind_flags[] = {
	{ACQ_REL_TABLE, RELKIND_RELATION},
	{ACQ_REL_PARTITIONED, RELKIND_PARTITIONED_TABLE},
	{ACQ_REL_VIEW, RELKIND_VIEW},
	{ACQ_REL_MATVIEW, RELKIND_MATVIEW},
	{ACQ_REL_FOREIGN, RELKIND_FOREIGN_TABLE},
};

/*
 * The relation exists and is of one of the kinds (ACQ_REL_* flags), or an
 * ERROR: 42P01 for an OID no relation has, 42809 "<argname> <rel> is not a
 * table" naming what it is and what argname takes.
 */
void
acq_check_relkind(Oid relid, const char *argname, int kinds)
{
	char		relkind = get_rel_relkind(relid);
	StringInfoData takes;
	int			n = 0,
				seen = 0;

	if (relkind == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid),
				 errhint("Argument \"%s\" names a table.", argname)));
	for (int i = 0; i < (int) lengthof(relkind_flags); i++)
		if (kinds & relkind_flags[i].flag)
		{
			if (relkind_flags[i].relkind == relkind)
				return;
			n++;
		}
	initStringInfo(&takes);
	for (int i = 0; i < (int) lengthof(relkind_flags); i++)
		if (kinds & relkind_flags[i].flag)
		{
			seen++;
			appendStringInfo(&takes, "%s%s", seen == 1 ? "" : seen == n ? " or " : ", ",
							 relkind_description(relkind_flags[i].relkind));
		}
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("%s %s is not a table", argname, acq_rel_display_name(relid)),
			 errdetail("It is %s; argument \"%s\" takes %s.", relkind_description(relkind),
					   argname, takes.data)));
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
