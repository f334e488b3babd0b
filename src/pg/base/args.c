/*
 * args.c -- reading SQL arguments, with errors that name the argument: plain
 * values, options named by text (one table-driven parser) and arrays.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "nodes/value.h"
#include "parser/scansup.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

#include "pg/base/base.h"

void
acq_arg_require(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" must not be NULL", argname)));
}

char *
acq_arg_text(FunctionCallInfo fcinfo, int argno, const char *argname,
			 bool required)
{
	if (PG_ARGISNULL(argno))
	{
		if (required)
			acq_arg_require(fcinfo, argno, argname);
		return NULL;
	}
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

char *
acq_arg_name(FunctionCallInfo fcinfo, int argno, const char *argname,
			 bool required)
{
	if (PG_ARGISNULL(argno))
	{
		if (required)
			acq_arg_require(fcinfo, argno, argname);
		return NULL;
	}
	return pstrdup(NameStr(*PG_GETARG_NAME(argno)));
}

Oid
acq_arg_regclass(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	Oid			relid;

	acq_arg_require(fcinfo, argno, argname);
	relid = PG_GETARG_OID(argno);
	acq_check_relkind(relid, argname, ACQ_REL_READABLE);
	return relid;
}

/*
 * The type the called function declares for argument argno; text for a
 * call made from C without an SQL function (a job's arguments read back).
 */
static Oid
declared_arg_type(FunctionCallInfo fcinfo, int argno)
{
	HeapTuple	tup;
	Oid			t;

	if (fcinfo->flinfo == NULL || !OidIsValid(fcinfo->flinfo->fn_oid))
		return TEXTOID;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
	t = ((Form_pg_proc) GETSTRUCT(tup))->proargtypes.values[argno];
	ReleaseSysCache(tup);
	return t;
}

List *
acq_arg_qualified_name(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	/*
	 * text since 0.2.0; name in an installation still at 0.1.0, whose SQL
	 * functions this library serves until ALTER EXTENSION acq UPDATE
	 */
	if (declared_arg_type(fcinfo, argno) == NAMEOID)
		return acq_parse_qualified_name(acq_arg_name(fcinfo, argno, argname, true), argname);
	return acq_parse_qualified_name(acq_arg_text(fcinfo, argno, argname, true), argname);
}

static void
name_syntax_error(const char *raw, const char *argname, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_NAME),
			 errmsg("invalid %s name \"%s\": %s", argname, raw, why),
			 errhint("Write [schema.]table as in SQL: unquoted parts are folded to lower case; quote a part with double quotes (\"\" for a quote) to keep its case, spaces or dots.")));
}

/*
 * [schema.]name as SQL writes it, the rules of PostgreSQL's
 * SplitIdentifierString (stringToQualifiedNameList), but a part longer than
 * NAMEDATALEN - 1 bytes is an error, not silently truncated: a name acq
 * creates would otherwise not be the one asked for.
 */
List *
acq_parse_qualified_name(const char *raw, const char *argname)
{
	const char *p = raw;
	List	   *parts = NIL;

	while (scanner_isspace(*p))
		p++;
	if (*p == '\0')
		name_syntax_error(raw, argname, "it is empty");
	for (;;)
	{
		char	   *part;

		if (*p == '"')
		{
			StringInfoData buf;

			initStringInfo(&buf);
			for (p++;; p++)
			{
				if (*p == '\0')
					name_syntax_error(raw, argname, "a quoted part is not closed");
				if (*p == '"')
				{
					if (p[1] != '"')
						break;
					p++;		/* "" is one quote */
				}
				appendStringInfoChar(&buf, *p);
			}
			p++;
			if (buf.len == 0)
				name_syntax_error(raw, argname, "a quoted part is empty");
			part = buf.data;
		}
		else
		{
			const char *start = p;

			while (*p != '\0' && *p != '.' && *p != '"' && !scanner_isspace(*p))
				p++;
			if (p == start)
				name_syntax_error(raw, argname, "a part is empty");
			part = downcase_identifier(start, p - start, false, false);
		}
		if (strlen(part) > NAMEDATALEN - 1)
			ereport(ERROR,
					(errcode(ERRCODE_NAME_TOO_LONG),
					 errmsg("%s name part \"%s\" is too long: %d bytes, the limit is %d",
							argname, part, (int) strlen(part), NAMEDATALEN - 1),
					 errdetail("PostgreSQL names have at most %d bytes (NAMEDATALEN - 1) and would be truncated; acq refuses rather than use a name other than \"%s\".",
							   NAMEDATALEN - 1, raw),
					 errhint("Use a shorter name.")));
		parts = lappend(parts, makeString(part));
		while (scanner_isspace(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p != '.')
			name_syntax_error(raw, argname, "parts must be separated by a dot");
		p++;
		while (scanner_isspace(*p))
			p++;
	}
	if (list_length(parts) > 2)
		name_syntax_error(raw, argname, "it has more than two parts");
	return parts;
}


/* a float8 argument, dflt when NULL */
double
acq_arg_float8(FunctionCallInfo fcinfo, int argno, const char *argname, double dflt)
{
	return PG_ARGISNULL(argno) ? dflt : PG_GETARG_FLOAT8(argno);
}

/* an int argument, dflt when NULL */
int
acq_arg_int4(FunctionCallInfo fcinfo, int argno, const char *argname, int dflt)
{
	return PG_ARGISNULL(argno) ? dflt : PG_GETARG_INT32(argno);
}

/* ---- options named by text ------------------------------------------------- */

/* is name one of the options?  Its value in *value if so */
bool
acq_find_option(const AcqOption *options, const char *name, int *value)
{
	for (const AcqOption *o = options; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
		{
			*value = o->value;
			return true;
		}
	return false;
}

/* the value of option name, or an ERROR "unknown <what> "<name>"" with hint */
int
acq_parse_option(const AcqOption *options, const char *name, const char *what, const char *hint)
{
	int			value;

	if (!acq_find_option(options, name, &value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown %s \"%s\"", what, name),
				 hint ? errhint("%s", hint) : 0));
	return value;
}

/* the name of the option with this value ("?" if none has it) */
const char *
acq_option_name(const AcqOption *options, int value)
{
	for (const AcqOption *o = options; o->name != NULL; o++)
		if (o->value == value)
			return o->name;
	return "?";
}

/* ---- array arguments ---------------------------------------------------------- */

static void
array_error(const char *argname, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must %s", argname, what)));
}

/* a float8[] argument: one-dimensional, no NULL, finite */
double *
acq_float8_array_arg(ArrayType *a, int *n, const char *argname)
{
	Datum	   *d;
	bool	   *nulls;
	double	   *out;

	if (ARR_NDIM(a) > 1)
		array_error(argname, "be a one-dimensional array");
	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &d, &nulls, n);
	out = palloc(sizeof(double) * (*n > 0 ? *n : 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			array_error(argname, "not contain NULL");
		out[i] = DatumGetFloat8(d[i]);
		if (!isfinite(out[i]))
			array_error(argname, "not contain NaN or Infinity");
	}
	return out;
}

/* an int[] argument: one-dimensional, no NULL */
int *
acq_int4_array_arg(ArrayType *a, int *n, const char *argname)
{
	Datum	   *d;
	bool	   *nulls;
	int		   *out;

	if (ARR_NDIM(a) > 1)
		array_error(argname, "be a one-dimensional array");
	deconstruct_array(a, INT4OID, 4, true, TYPALIGN_INT, &d, &nulls, n);
	out = palloc(sizeof(int) * (*n > 0 ? *n : 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			array_error(argname, "not contain NULL");
		out[i] = DatumGetInt32(d[i]);
	}
	return out;
}

/* a text[] argument: one-dimensional, no NULL */
char	  **
acq_text_array_arg(ArrayType *a, int *n, const char *argname)
{
	Datum	   *d;
	bool	   *nulls;
	char	  **out;

	if (ARR_NDIM(a) > 1)
		array_error(argname, "be a one-dimensional array");
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &d, &nulls, n);
	out = palloc(sizeof(char *) * (*n > 0 ? *n : 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			array_error(argname, "not contain NULL");
		out[i] = TextDatumGetCString(d[i]);
	}
	return out;
}
