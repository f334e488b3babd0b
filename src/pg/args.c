/*
 * args.c -- reading SQL arguments, with errors that name the argument.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "acq_pg.h"

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
	acq_arg_require(fcinfo, argno, argname);
	return PG_GETARG_OID(argno);
}
