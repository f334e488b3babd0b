/*
 * aggregates.c -- acq.linear_stats and acq.logistic_terms, the per-source
 * statistics of source selection as SQL aggregates (issue 17): IMMUTABLE,
 * PARALLEL SAFE, with combine, serial and deserial functions, so that
 * PostgreSQL runs them in parallel workers and postgres_fdw pushes them to
 * the server that holds a foreign partition's rows.  The math is the
 * core's (core/aggstats.h); here a row's values are checked and the state
 * lives in the aggregate's memory context.
 *
 *   acq.linear_stats(features float8[], label float8) -> float8[]
 *       [p, n, mean_y, C_yy, mean_x (p), C_xy (p), C_xx (upper, packed)]
 *   acq.logistic_terms(features float8[], label float8, weights float8[])
 *       -> float8[] [p, K, n, loss (K), gradient (K (p+1)), X^T W X (K, packed)]
 *       weights: K vectors of p + 1 (w, then the intercept), end to end
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "pg/selection/selection.h"
#include "core/aggstats.h"

PG_FUNCTION_INFO_V1(acq_linear_stats_step);
PG_FUNCTION_INFO_V1(acq_linear_stats_combine);
PG_FUNCTION_INFO_V1(acq_linear_stats_serial);
PG_FUNCTION_INFO_V1(acq_linear_stats_deserial);
PG_FUNCTION_INFO_V1(acq_linear_stats_final);
PG_FUNCTION_INFO_V1(acq_logistic_terms_step);
PG_FUNCTION_INFO_V1(acq_logistic_terms_combine);
PG_FUNCTION_INFO_V1(acq_logistic_terms_serial);
PG_FUNCTION_INFO_V1(acq_logistic_terms_deserial);
PG_FUNCTION_INFO_V1(acq_logistic_terms_final);

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s is an aggregate's support function", fn),
				 errhint("Call the aggregate (acq.linear_stats or acq.logistic_terms).")));
	return cxt;
}

/* a row's features, checked; p: the width so far (-1: none) */
static double *
row_features(FunctionCallInfo fcinfo, int p, int *n, const char *agg)
{
	ArrayType  *arr;
	double	   *x;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: features are NULL", agg),
				 errhint("Every row needs a feature array; filter NULL rows out with a view.")));
	arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(arr) != 1 || ARR_ELEMTYPE(arr) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: features must be a one-dimensional float8 array", agg)));
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: features contain a NULL element", agg)));
	*n = ARR_DIMS(arr)[0];
	if (*n < 1 || (p >= 0 && *n != p))
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: features have %d dimensions, expected %d", agg, *n, p < 0 ? 1 : p),
				 errhint("Every row needs feature arrays of one length.")));
	x = (double *) ARR_DATA_PTR(arr);
	for (int j = 0; j < *n; j++)
		if (!isfinite(x[j]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s: features contain NaN or Infinity (element %d)", agg, j + 1)));
	if (acq_row_norm_over(x, *n) > 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: features have a Euclidean norm of %.3g: float8 arithmetic on them overflows",
						agg, acq_row_norm_over(x, *n)),
				 errhint("Rescale the features column (for example to unit variance) and call again.")));
	return x;
}

static double
row_label(FunctionCallInfo fcinfo, const char *agg, bool binary)
{
	double		y;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: label is NULL", agg)));
	y = PG_GETARG_FLOAT8(2);
	if (!isfinite(y))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s: label is NaN or Infinity", agg)));
	if (binary && y != 0.0 && y != 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s: label %g is not 0 or 1", agg, y)));
	return y;
}

static Datum
flat_bytea(const double *flat, size_t len, const double *extra, size_t nextra)
{
	Size		sz = sizeof(double) * (len + nextra);
	bytea	   *b = palloc(VARHDRSZ + sz);

	SET_VARSIZE(b, VARHDRSZ + sz);
	memcpy(VARDATA(b), flat, sizeof(double) * len);
	if (nextra)
		memcpy(VARDATA(b) + sizeof(double) * len, extra, sizeof(double) * nextra);
	PG_RETURN_BYTEA_P(b);
}

/* ---- acq.linear_stats ----------------------------------------------------------- */

Datum
acq_linear_stats_step(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "acq.linear_stats_step");
	MemoryContext old;
	AcqLinAcc  *a = PG_ARGISNULL(0) ? NULL : (AcqLinAcc *) PG_GETARG_POINTER(0);
	int			n;
	double	   *x = row_features(fcinfo, a ? a->p : -1, &n, "acq.linear_stats");
	double		y = row_label(fcinfo, "acq.linear_stats", false);

	old = MemoryContextSwitchTo(cxt);
	if (a == NULL)
		a = acq_linacc_create(n);
	acq_linacc_add_row(a, x, y);
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

Datum
acq_linear_stats_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "acq.linear_stats_combine");
	MemoryContext old;
	AcqLinAcc  *a = PG_ARGISNULL(0) ? NULL : (AcqLinAcc *) PG_GETARG_POINTER(0);
	AcqLinAcc  *b = PG_ARGISNULL(1) ? NULL : (AcqLinAcc *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a != NULL && a->p != b->p)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("acq.linear_stats: features have %d dimensions, expected %d", b->p, a->p)));
	old = MemoryContextSwitchTo(cxt);
	if (a == NULL)
		a = acq_linacc_create(b->p);
	acq_linacc_merge(a, b);
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

Datum
acq_linear_stats_serial(PG_FUNCTION_ARGS)
{
	AcqLinAcc  *a = (AcqLinAcc *) PG_GETARG_POINTER(0);
	size_t		len = acq_linacc_flat_len(a->p);
	double	   *flat = palloc(sizeof(double) * len);

	(void) agg_context(fcinfo, "acq.linear_stats_serial");
	acq_linacc_flatten(a, flat);
	return flat_bytea(flat, len, NULL, 0);
}

Datum
acq_linear_stats_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "acq.linear_stats_deserial");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(b) / sizeof(double);
	double	   *flat = palloc(sizeof(double) * Max(len, 1));
	char		err[128];
	AcqLinAcc  *a;
	MemoryContext old;

	memcpy(flat, VARDATA_ANY(b), sizeof(double) * len);
	old = MemoryContextSwitchTo(cxt);
	a = acq_linacc_unflatten(flat, len, err, sizeof(err));
	MemoryContextSwitchTo(old);
	if (a == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("acq.linear_stats: %s", err)));
	PG_RETURN_POINTER(a);
}

Datum
acq_linear_stats_final(PG_FUNCTION_ARGS)
{
	AcqLinAcc  *a;
	size_t		len;
	double	   *flat;

	(void) agg_context(fcinfo, "acq.linear_stats_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();		/* no rows */
	a = (AcqLinAcc *) PG_GETARG_POINTER(0);
	len = acq_linacc_flat_len(a->p);
	flat = palloc(sizeof(double) * len);
	acq_linacc_flatten(a, flat);
	PG_RETURN_DATUM(acq_float8_array_datum(flat, (int) len));
}

/* ---- acq.logistic_terms --------------------------------------------------------- */

Datum
acq_logistic_terms_step(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "acq.logistic_terms_step");
	MemoryContext old;
	AcqLogAcc  *a = PG_ARGISNULL(0) ? NULL : (AcqLogAcc *) PG_GETARG_POINTER(0);
	int			n;
	double	   *x = row_features(fcinfo, a ? a->p : -1, &n, "acq.logistic_terms");
	double		y = row_label(fcinfo, "acq.logistic_terms", true);

	if (a == NULL)
	{
		int			nw;
		double	   *w;

		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("acq.logistic_terms: weights are NULL")));
		w = acq_float8_array_arg(PG_GETARG_ARRAYTYPE_P(3), &nw, "weights");
		if (nw < n + 1 || nw % (n + 1) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("acq.logistic_terms: %d weights are not K vectors of %d (features + 1)", nw, n + 1),
					 errhint("Give each weight vector as its %d feature weights, then the intercept, end to end.", n)));
		for (int j = 0; j < nw; j++)
			if (!isfinite(w[j]))
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("acq.logistic_terms: weights contain NaN or Infinity")));
		old = MemoryContextSwitchTo(cxt);
		a = acq_logacc_create(n, nw / (n + 1), w);
		MemoryContextSwitchTo(old);
	}
	old = MemoryContextSwitchTo(cxt);
	acq_logacc_add_row(a, x, y);
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

Datum
acq_logistic_terms_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "acq.logistic_terms_combine");
	MemoryContext old;
	AcqLogAcc  *a = PG_ARGISNULL(0) ? NULL : (AcqLogAcc *) PG_GETARG_POINTER(0);
	AcqLogAcc  *b = PG_ARGISNULL(1) ? NULL : (AcqLogAcc *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a != NULL && (a->p != b->p || a->K != b->K))
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("acq.logistic_terms: states of different shapes")));
	old = MemoryContextSwitchTo(cxt);
	if (a == NULL)
		a = acq_logacc_create(b->p, b->K, b->W);
	acq_logacc_merge(a, b);
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

Datum
acq_logistic_terms_serial(PG_FUNCTION_ARGS)
{
	AcqLogAcc  *a = (AcqLogAcc *) PG_GETARG_POINTER(0);
	size_t		len = acq_logacc_flat_len(a->p, a->K);
	double	   *flat = palloc(sizeof(double) * len);

	(void) agg_context(fcinfo, "acq.logistic_terms_serial");
	acq_logacc_flatten(a, flat);
	/* the weights follow the terms */
	return flat_bytea(flat, len, a->W, (size_t) a->K * (a->p + 1));
}

Datum
acq_logistic_terms_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "acq.logistic_terms_deserial");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	size_t		len = VARSIZE_ANY_EXHDR(b) / sizeof(double);
	double	   *flat = palloc(sizeof(double) * Max(len, 3));
	AcqLogAcc  *a;
	MemoryContext old;
	int			p,
				K,
				d;
	size_t		tl;
	const double *o;

	memcpy(flat, VARDATA_ANY(b), sizeof(double) * len);
	if (len < 3 || !(flat[0] >= 1.0) || flat[0] > 1e6 || !(flat[1] >= 1.0) || flat[1] > 1e6 ||
		(tl = acq_logacc_flat_len((int) flat[0], (int) flat[1])) +
		(size_t) flat[1] * ((size_t) flat[0] + 1) != len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("acq.logistic_terms: not a serialised state")));
	p = (int) flat[0];
	K = (int) flat[1];
	d = p + 1;
	old = MemoryContextSwitchTo(cxt);
	a = acq_logacc_create(p, K, flat + tl);
	MemoryContextSwitchTo(old);
	a->n = flat[2];
	memcpy(a->loss, flat + 3, sizeof(double) * K);
	memcpy(a->grad, flat + 3 + K, sizeof(double) * K * d);
	o = flat + 3 + (size_t) K * (1 + d);
	for (int k = 0; k < K; k++)
		for (int j = 0; j < d; j++)
			for (int l = j; l < d; l++)
				a->hess[(size_t) k * d * d + (size_t) j * d + l] = *o++;
	PG_RETURN_POINTER(a);
}

Datum
acq_logistic_terms_final(PG_FUNCTION_ARGS)
{
	AcqLogAcc  *a;
	size_t		len;
	double	   *flat;

	(void) agg_context(fcinfo, "acq.logistic_terms_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	a = (AcqLogAcc *) PG_GETARG_POINTER(0);
	len = acq_logacc_flat_len(a->p, a->K);
	flat = palloc(sizeof(double) * len);
	acq_logacc_flatten(a, flat);
	PG_RETURN_DATUM(acq_float8_array_datum(flat, (int) len));
}
