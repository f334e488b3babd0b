/*
 * args.c -- reading SQL arguments, with errors that name the argument.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "acq_pg.h"
#include "core/vecmath.h"

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

/*
 * A float8[] value read from a table, checked: not NULL, one-dimensional,
 * without NULL elements, finite, and *len long (*len < 0: set by this, the
 * first, row).  Errors name the table and the row ("id 17" or "row 3":
 * rowkind and rowno); what is "features" or "gradients"; hint (may be NULL)
 * says what must agree in length.  Returns the elements (in the datum's
 * detoasted copy, or in place).
 */
/*
 * For readers that copy each row's elements: the array of datum d detoasted
 * (NULL if isnull), to pass to acq_checked_vector as PointerGetDatum(a), and
 * freed by acq_free_detoasted(d, a) once copied, so that reading a table of
 * wide (toasted) arrays holds one row's copy at a time rather than all of
 * them until the call ends.
 */
ArrayType *
acq_detoast_array(Datum d, bool isnull)
{
	return isnull ? NULL : DatumGetArrayTypeP(d);
}

void
acq_free_detoasted(Datum d, ArrayType *a)
{
	if (a != NULL && (Pointer) a != DatumGetPointer(d))
		pfree(a);
}

double *
acq_checked_vector(Datum d, bool isnull, int *len, const char *what, const char *table,
				   const char *rowkind, int64 rowno, const char *hint)
{
	double	   *x = acq_checked_array(d, isnull, len, what, table, rowkind, rowno, hint);

	acq_check_finite(x, *len, what, table, rowkind, rowno);
	return x;
}

/* an error naming the first element of x[0..n-1] that is NaN or infinite, if any */
void
acq_check_finite(const double *x, int n, const char *what, const char *table,
				 const char *rowkind, int64 rowno)
{
	if (acq_vec_ops()->all_finite(x, n))
		return;
	for (int j = 0; j < n; j++)
		if (!isfinite(x[j]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s in %s, %s " INT64_FORMAT ", contain NaN or Infinity (element %d)",
							what, table, rowkind, rowno, j + 1)));
}

/* acq_checked_vector without the check of the values (the caller makes it) */
double *
acq_checked_array(Datum d, bool isnull, int *len, const char *what, const char *table,
				  const char *rowkind, int64 rowno, const char *hint)
{
	ArrayType  *a;
	int			n;
	double	   *x;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s are NULL in %s, %s " INT64_FORMAT, what, table, rowkind, rowno)));
	a = DatumGetArrayTypeP(d);
	if (ARR_NDIM(a) != 1 || array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s in %s, %s " INT64_FORMAT ", must be a one-dimensional array without NULLs",
						what, table, rowkind, rowno)));
	n = ARR_DIMS(a)[0];
	if (*len < 0)
		*len = n;
	if (n != *len || n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s in %s, %s " INT64_FORMAT ", have %d dimensions, expected %d",
						what, table, rowkind, rowno, n, *len),
				 hint ? errhint("%s", hint) : 0));
	x = (double *) ARR_DATA_PTR(a);
	return x;
}
