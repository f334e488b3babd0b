/*
 * terms.c -- the classification tasks over sources whose rows stay where
 * they are (issue 17): on other servers behind postgres_fdw, or past
 * acq.max_memory.  The core fits each model by Newton steps from the
 * sources' logistic terms (core/select.h, acq_eval_create_terms); each
 * step of a batch of models is one query here, a UNION ALL of
 * acq.logistic_terms(features, label, <the K weight vectors>) over the
 * sources, pushed to the foreign servers like acq.linear_stats (stats.c
 * checks the servers and the plan once, at the start).  The validation rows
 * are read here, as always.
 */
#include "postgres.h"

#include <math.h>

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "pg/selection/selection.h"

/* the weights as a float8[] literal, every double exactly */
static char *
weights_literal(const double *W, int n)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfoString(&s, "'{");
	for (int i = 0; i < n; i++)
		appendStringInfo(&s, "%s%.17g", i ? "," : "", W[i]);
	appendStringInfoString(&s, "}'::pg_catalog.float8[]");
	return s.data;
}

/* the source a result row belongs to */
static int
source_of(const AcqSourceData *d, const char *key)
{
	char	  **hit;

	if (key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("source column \"%s\" is NULL in some rows", d->spec->source_column),
				 errhint("Every row needs a source; filter the NULL rows out with a view.")));
	if (d->query->nleaves > 0 && d->spec->source_column == NULL)
		return atoi(key) - 1;
	hit = bsearch(&key, d->names, d->m, sizeof(char *), acq_cmp_names);
	if (hit == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("source \"%s\" appeared while the sources were being read", key),
				 errhint("Retry if the table is being written.")));
	return (int) (hit - d->names);
}

/*
 * One query at K weight vectors: each source's flat terms (summed over the
 * leaves a source spans) into flat[s], allocated in the caller's context.
 */
static void
run_terms(AcqSourceData *d, const double *W, int K, int p, double **flat, size_t *len,
		  bool discover, char ***keys_out, uint64 *nkeys)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	   *agg = psprintf("acq.logistic_terms(%s, %s, %s)", d->feat, d->lab,
							   weights_literal(W, K * (p + 1)));
	char	   *q = acq_fill_query(d->query->sql, agg);
	int			ret;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	acq_run_source_query(d->query, q, "computing the sources' logistic terms");
	d->queries++;
	if (discover)
	{
		*nkeys = SPI_processed;
		*keys_out = MemoryContextAlloc(cxt, sizeof(char *) * Max(SPI_processed, 1));
	}
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		char	   *key = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
		bool		isnull;
		Datum		v = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull);
		int			s;
		int			n;
		double	   *vals;

		if (discover)
		{
			(*keys_out)[r] = key ? MemoryContextStrdup(cxt, key) : NULL;
			continue;
		}
		s = source_of(d, key);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA),
					 errmsg("source \"%s\" is empty", d->names[s]),
					 errhint("Every source needs rows; detach or drop the empty partition.")));
		vals = acq_float8_array_values(DatumGetArrayTypeP(v), &n);
		if ((size_t) n != acq_logacc_flat_len(p, K) || vals[0] != p || vals[1] != K)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("the logistic terms of source \"%s\" are malformed", d->names[s]),
					 errhint("Is the same acq installed on every server, and do all rows have %d features?", p)));
		if (flat[s] == NULL)
		{
			flat[s] = MemoryContextAlloc(cxt, sizeof(double) * n);
			memcpy(flat[s], vals, sizeof(double) * n);
			len[s] = n;
		}
		else
			for (int i = 2; i < n; i++)
				flat[s][i] += vals[i];
	}
	SPI_finish();
}

void
acq_source_terms(void *arg, const double *W, int K, double **flat, size_t *len)
{
	AcqSourceData *d = (AcqSourceData *) arg;

	run_terms(d, W, K, d->p, flat, len, false, NULL, NULL);
	for (int s = 0; s < d->m; s++)
		if (flat[s] == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA),
					 errmsg("source \"%s\" is empty", d->names[s])));
}

void
acq_load_source_terms(const AcqLoadSpec *spec, AcqSourceData *out)
{
	MemoryContext callerctx = CurrentMemoryContext;
	char	   *srcrel = acq_rel_display_name(spec->sources);
	char	   *lab,
			   *vlab;
	SourceQuery *sq = MemoryContextAllocZero(callerctx, sizeof(SourceQuery));
	int			ret;
	int			p;
	double	   *zero;
	double	  **flat;
	size_t	   *len;
	double		total = 0.0,
				ones = 0.0;

	memset(out, 0, sizeof(*out));
	acq_check_load_spec_columns(spec, &lab, &vlab);
	/* the validation rows first: they give the width */
	p = acq_load_validation(spec, -1, &out->validation);
	out->p = p;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	acq_build_source_query(spec, sq, callerctx);
	{
		MemoryContext old = MemoryContextSwitchTo(callerctx);

		sq->sql = pstrdup(sq->sql);
		sq->where = pstrdup(sq->where);
		sq->servers = list_copy(sq->servers);
		MemoryContextSwitchTo(old);
	}
	out->feat = MemoryContextStrdup(callerctx, psprintf("(%s)::pg_catalog.float8[]",
														 quote_identifier(spec->features)));
	out->lab = MemoryContextStrdup(callerctx, lab);
	zero = palloc0(sizeof(double) * (p + 1));
	if (sq->servers != NIL)
	{
		acq_check_servers(sq->servers, srcrel);
		acq_check_pushdown(acq_fill_query(sq->sql,
										  psprintf("acq.logistic_terms(%s, %s, %s)", out->feat, out->lab,
												   weights_literal(zero, p + 1))),
						   sq->nforeign);
	}
	SPI_finish();
	out->spec = spec;
	out->query = sq;

	/* the sources' names */
	if (spec->source_column == NULL)
	{
		out->m = sq->nleaves;
		out->names = sq->leafnames;
	}
	else
	{
		char	  **keys;
		uint64		nkeys;
		int			m = 0;

		out->m = 0;
		run_terms(out, zero, 1, p, NULL, NULL, true, &keys, &nkeys);
		for (uint64 r = 0; r < nkeys; r++)
			if (keys[r] == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("source column \"%s\" of %s is NULL in some rows",
								spec->source_column, srcrel),
						 errhint("Every row needs a source; filter the NULL rows out with a view.")));
		qsort(keys, nkeys, sizeof(char *), acq_cmp_names);
		for (uint64 r = 0; r < nkeys; r++)
			if (m == 0 || strcmp(keys[m - 1], keys[r]) != 0)
				keys[m++] = keys[r];
		if (m == 0)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA),
					 errmsg("%s is empty: there are no sources", srcrel)));
		if (m > ACQ_MAX_SOURCES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("column \"%s\" of %s has %d distinct values; acq selects among at most %d sources",
							spec->source_column, srcrel, m, ACQ_MAX_SOURCES)));
		out->m = m;
		out->names = keys;
	}

	/* each source's rows and positives: its terms at w = 0 (the gradient's intercept is n/2 - positives) */
	flat = palloc0(sizeof(double *) * out->m);
	len = palloc0(sizeof(size_t) * out->m);
	acq_source_terms(out, zero, 1, flat, len);
	out->n = MemoryContextAlloc(callerctx, sizeof(int64) * out->m);
	out->pos = MemoryContextAlloc(callerctx, sizeof(double) * out->m);
	for (int s = 0; s < out->m; s++)
	{
		double		n = flat[s][2];

		out->n[s] = (int64) n;
		out->pos[s] = rint(n / 2.0 - flat[s][4 + p]);
		total += n;
		ones += out->pos[s];
	}
	out->total_rows = (int64) total;
	if (ones == 0.0 || ones == total)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the sources hold a single class (every label is %d)", ones ? 1 : 0),
				 errhint("A classifier needs rows of both classes 0 and 1.")));
	out->terms = true;
}
