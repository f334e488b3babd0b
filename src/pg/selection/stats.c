/*
 * stats.c -- a regression's sources as statistics computed where the rows
 * are (issue 17): acq.linear_stats over each source, in one query, instead
 * of copying rows into this backend.
 *
 * Two uses.  Sources behind postgres_fdw (leaf partitions that are foreign
 * tables): each leaf's aggregate is pushed to its server, the leaves' scans
 * are one Append (Async Foreign Scans where the servers are async_capable),
 * and only 4 + 2p + p(p+1)/2 numbers per source cross the network.  Before
 * the query each server is checked: its extensions option lists acq (else
 * postgres_fdw would fetch every row, silently) and it runs this server's
 * acq version (else a different function body could answer); the plan is
 * checked too -- every foreign leaf's scan must be an aggregate pushed
 * down.  And sources too large for acq.max_memory on one server: the same
 * query streams the rows through the aggregate (one pass, parallel workers
 * where the planner chooses them) and holds m + 2 statistics.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "catalog/pg_inherits.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "pg/selection/selection.h"
#include "core/aggstats.h"

/* the foreign server behind a leaf, if it is a postgres_fdw table; else InvalidOid */
static Oid
leaf_pg_server(Oid relid)
{
	ForeignServer *srv = acq_foreign_server(relid);

	if (srv == NULL || !acq_server_is_postgres_fdw(srv))
		return InvalidOid;
	return srv->serverid;
}

bool
acq_sources_remote(const AcqLoadSpec *spec)
{
	List	   *leaves;
	ListCell   *lc;

	if (get_rel_relkind(spec->sources) == RELKIND_FOREIGN_TABLE)
		return OidIsValid(leaf_pg_server(spec->sources));
	if (get_rel_relkind(spec->sources) != RELKIND_PARTITIONED_TABLE)
		return false;
	leaves = find_all_inheritors(spec->sources, AccessShareLock, NULL);
	foreach(lc, leaves)
		if (OidIsValid(leaf_pg_server(lfirst_oid(lc))))
			return true;
	return false;
}

/*
 * Check every foreign server behind the sources (servers: a list of Oids)
 * with base's acq_check_remote_acq: acq listed in its extensions option, the
 * same acq version installed.  SPI connected.
 */
void
acq_check_servers(List *servers, const char *srcrel)
{
	ListCell   *lc;
	char	   *why = psprintf("Sources of %s live on that server; without the option postgres_fdw "
							   "would fetch every row of them instead of computing their statistics there.",
							   srcrel);

	foreach(lc, servers)
		acq_check_remote_acq(GetForeignServer(lfirst_oid(lc)), why);
}

/*
 * The plan must push every foreign leaf's aggregate to its server: a
 * "Foreign Scan" (or "Async Foreign Scan") not on an aggregate would fetch
 * the rows.  EXPLAIN VERBOSE names an aggregate pushed down as
 * "Relations: Aggregate on (...)".
 */
void
acq_check_pushdown(const char *query, int nforeign)
{
	int			ret = SPI_execute(psprintf("EXPLAIN (VERBOSE, COSTS OFF) %s", query), false, 0);
	int			scans = 0,
				pushed = 0;
	char	   *fetched = NULL;

	acq_spi_check(ret, SPI_OK_UTILITY, "planning the statistics query");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *line = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		if (strstr(line, "Foreign Scan") != NULL)
		{
			scans++;
			/* a scan of rows names its relation: "Foreign Scan on public.x" */
			if (strstr(line, "Foreign Scan on ") != NULL && fetched == NULL)
				fetched = pstrdup(strstr(line, "Foreign Scan on ") + strlen("Foreign Scan on "));
		}
		if (strstr(line, "Relations: Aggregate on") != NULL)
			pushed++;
	}
	if (pushed < nforeign || fetched != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("postgres_fdw would fetch the rows of foreign table %s instead of computing their statistics on its server",
						fetched ? fetched : "(one of the sources)"),
				 errdetail("%d of %d foreign scans push the aggregate down.", pushed, scans),
				 errhint("The features and label must be plain columns or immutable built-in expressions of them; acq does not pull rows silently.")));
}

/* one source's statistics from a result row; merged into *acc */
static void
take_stats(AcqLinAcc **acc, Datum d, bool isnull, const char *what, const char *name,
		   int *p, MemoryContext cxt)
{
	ArrayType  *arr;
	int			n;
	double	   *flat;
	char		err[128];
	AcqLinAcc  *a;
	MemoryContext old;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("%s \"%s\" is empty", what, name),
				 errhint("Every source needs rows; detach or drop the empty partition.")));
	arr = DatumGetArrayTypeP(d);
	flat = acq_float8_array_values(arr, &n);
	old = MemoryContextSwitchTo(cxt);
	a = acq_linacc_unflatten(flat, (size_t) n, err, sizeof(err));
	MemoryContextSwitchTo(old);
	if (a == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the statistics of %s \"%s\" are malformed: %s", what, name, err),
				 errhint("Is the same acq installed on every server?")));
	if (*p < 0)
		*p = a->p;
	else if (a->p != *p)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features have %d dimensions, expected %d", a->p, *p),
				 errdetail("%s \"%s\"", what, name),
				 errhint("Every row of the sources and the validation table needs feature arrays of one length.")));
	if (!acq_linacc_finite(a))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the squares of the features or labels of %s \"%s\" overflow float8", what, name),
				 errhint("Rescale the features and the label (for example to unit variance) and call again.")));
	if (*acc == NULL)
		*acc = a;
	else
	{
		old = MemoryContextSwitchTo(cxt);
		acq_linacc_merge(*acc, a);
		MemoryContextSwitchTo(old);
		acq_linacc_free(a);
	}
}

int
acq_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* where a query runs: name the servers it reaches */
void
acq_query_context(void *arg)
{
	errcontext("computing the sources' statistics (acq.linear_stats) on %s", (const char *) arg);
}

/* a foreign table the query reads: its server and its name there (of at most n) */
static void
add_remote(SourceQuery *sq, Oid rel, Oid srv, int n, MemoryContext cxt)
{
	if (sq->remote_server == NULL)
	{
		sq->remote_server = MemoryContextAlloc(cxt, sizeof(Oid) * Max(n, 1));
		sq->remote_name = MemoryContextAlloc(cxt, sizeof(char *) * Max(n, 1));
	}
	sq->remote_server[sq->nremote] = srv;
	sq->remote_name[sq->nremote] = MemoryContextStrdup(cxt, acq_remote_table_name(rel));
	sq->nremote++;
}

/*
 * The server e lost, or NULL: the one whose table the failed remote SQL
 * reads (postgres_fdw's "remote SQL command: ... FROM schema.table" context),
 * else the one e's message names (postgres_fdw's 'could not connect to
 * server "X"', 'connection to server "X" was lost'), else the only one.
 */
static ForeignServer *
lost_server(const SourceQuery *sq, const ErrorData *e)
{
	if (!acq_error_lost_server(e) || sq->nremote == 0)
		return NULL;
	for (int i = 0; i < sq->nremote && e->context; i++)
	{
		const char *sql = strstr(e->context, "remote SQL command: ");
		char	   *from = psprintf(" FROM %s", sq->remote_name[i]);
		const char *hit = sql ? strstr(sql, from) : NULL;

		while (hit != NULL)
		{
			char		next = hit[strlen(from)];

			if (!(isalnum((unsigned char) next) || next == '_' || next == '$' || next == '"'))
				return GetForeignServer(sq->remote_server[i]);
			hit = strstr(hit + 1, from);
		}
	}
	for (int i = 0; i < sq->nremote; i++)
	{
		ForeignServer *srv = GetForeignServer(sq->remote_server[i]);

		if (e->message && strstr(e->message, psprintf("server \"%s\"", srv->servername)))
			return srv;
	}
	if (list_length(sq->servers) == 1)
		return GetForeignServer(linitial_oid(sq->servers));
	return NULL;
}

void
acq_run_source_query(const SourceQuery *sq, const char *query, const char *what)
{
	MemoryContext cxt = CurrentMemoryContext;
	ErrorContextCallback cb;
	int			level;
	int			ret = 0;

	cb.callback = acq_query_context;
	cb.arg = sq->where;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	level = acq_jit_off();
	PG_TRY();
	{
		ret = SPI_execute(query, true, 0);
	}
	PG_CATCH();
	{
		ErrorData  *e;
		ForeignServer *lost;

		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		lost = lost_server(sq, e);
		if (lost == NULL)
			PG_RE_THROW();
		FlushErrorState();
		error_context_stack = cb.previous;
		acq_report_unreachable(lost, what, e);
	}
	PG_END_TRY();
	acq_guc_restore(level);
	error_context_stack = cb.previous;
	acq_spi_check(ret, SPI_OK_SELECT, what);
}

/*
 * SELECT <key>, <agg> FROM <each leaf> [GROUP BY 1] UNION ALL ..., with
 * <agg> a %s; the foreign servers behind the leaves.  SPI connected.
 */
void
acq_build_source_query(const AcqLoadSpec *spec, SourceQuery *sq, MemoryContext cxt)
{
	char	   *srcrel = acq_rel_display_name(spec->sources);
	StringInfoData q;
	StringInfoData where;
	Oid		   *leaves = NULL;

	memset(sq, 0, sizeof(*sq));
	initStringInfo(&q);
	initStringInfo(&where);
	if (get_rel_relkind(spec->sources) == RELKIND_PARTITIONED_TABLE)
	{
		acq_list_leaves(spec->sources, &sq->nleaves, &leaves, &sq->leafnames, cxt);
		for (int i = 0; i < sq->nleaves; i++)
		{
			Oid			srv = leaf_pg_server(leaves[i]);
			char	   *leaf = acq_rel_display_name(leaves[i]);

			if (OidIsValid(srv))
			{
				add_remote(sq, leaves[i], srv, sq->nleaves, cxt);
				sq->nforeign++;
				if (!list_member_oid(sq->servers, srv))
					appendStringInfo(&where, "%s%s", where.len ? ", " : "", GetForeignServer(srv)->servername);
				sq->servers = list_append_unique_oid(sq->servers, srv);
			}
			acq_check_select(leaves[i], "Sources read where they are are read leaf by leaf: the caller needs SELECT on each leaf partition.");
			if (i > 0)
				appendStringInfoString(&q, " UNION ALL ");
			if (spec->source_column == NULL)
				appendStringInfo(&q, "SELECT %d::pg_catalog.text, %%s FROM %s", i + 1, leaf);
			else
				appendStringInfo(&q, "SELECT (%s)::pg_catalog.text, %%s FROM %s GROUP BY 1",
								 quote_identifier(spec->source_column), leaf);
		}
	}
	else if (spec->source_column != NULL)
	{
		Oid			srv = leaf_pg_server(spec->sources);

		if (OidIsValid(srv))
		{
			add_remote(sq, spec->sources, srv, 1, cxt);
			sq->nforeign++;
			sq->servers = lappend_oid(sq->servers, srv);
			appendStringInfoString(&where, GetForeignServer(srv)->servername);
		}
		appendStringInfo(&q, "SELECT (%s)::pg_catalog.text, %%s FROM %s GROUP BY 1",
						 quote_identifier(spec->source_column), srcrel);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s is not a partitioned table", srcrel),
				 errhint("Pass source_column => '<column>' to name the sources by a column's values, or partition the table so that each leaf partition is a source.")));
	if (where.len == 0)
		appendStringInfoString(&where, "this server");
	else
		appendStringInfoString(&where, " and this server");
	sq->sql = q.data;
	sq->where = where.data;
}

/* the query with every %s replaced by agg */
char *
acq_fill_query(const char *tmpl, const char *agg)
{
	StringInfoData q;

	initStringInfo(&q);
	for (const char *c = tmpl; *c; c++)
	{
		if (c[0] == '%' && c[1] == 's')
		{
			appendStringInfoString(&q, agg);
			c++;
		}
		else
			appendStringInfoChar(&q, *c);
	}
	return q.data;
}

void
acq_load_source_stats(const AcqLoadSpec *spec, AcqSourceData *out)
{
	MemoryContext callerctx = CurrentMemoryContext;
	char	   *srcrel = acq_rel_display_name(spec->sources);
	char	   *feat = psprintf("(%s)::pg_catalog.float8[]", quote_identifier(spec->features));
	char	   *lab;
	char	   *vfeat = feat;
	char	   *vlab;
	SourceQuery sq;
	StringInfoData q;
	int			ret;
	int			p = -1;
	int			nleaves;
	char	  **leafnames;
	char	  **keys = NULL;
	Datum	   *vals = NULL;
	bool	   *nulls = NULL;
	uint64		nrows;
	int			level;

	memset(out, 0, sizeof(*out));
	acq_check_load_spec_columns(spec, &lab, &vlab);
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	acq_build_source_query(spec, &sq, callerctx);
	nleaves = sq.nleaves;
	leafnames = sq.leafnames;
	initStringInfo(&q);
	appendStringInfoString(&q, acq_fill_query(sq.sql, psprintf("acq.linear_stats(%s, %s)", feat, lab)));

	/* ---- the servers, then the plan, before any row is read ---- */
	if (sq.servers != NIL)
	{
		acq_check_servers(sq.servers, srcrel);
		acq_check_pushdown(q.data, sq.nforeign);
	}

	/* ---- one query: every source's statistics ---- */
	elog(DEBUG1, "acq: the sources' statistics: %s", q.data);
	acq_run_source_query(&sq, q.data, "computing the sources' statistics");
	nrows = SPI_processed;

	if (nrows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("%s is empty: there are no sources", srcrel)));
	keys = palloc(sizeof(char *) * nrows);
	vals = palloc(sizeof(Datum) * nrows);
	nulls = palloc(sizeof(bool) * nrows);
	for (uint64 r = 0; r < nrows; r++)
	{
		keys[r] = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
		vals[r] = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &nulls[r]);
	}

	if (spec->source_column == NULL)
	{
		out->m = nleaves;
		out->names = leafnames;
		out->stats = MemoryContextAllocZero(callerctx, sizeof(AcqLinAcc *) * out->m);
		for (uint64 r = 0; r < nrows; r++)
		{
			int			i = atoi(keys[r]) - 1;

			take_stats(&out->stats[i], vals[r], nulls[r], "source", leafnames[i], &p, callerctx);
		}
	}
	else
	{
		char	  **sorted = palloc(sizeof(char *) * nrows);
		int			m = 0;

		for (uint64 r = 0; r < nrows; r++)
		{
			if (keys[r] == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("source column \"%s\" of %s is NULL in some rows",
								spec->source_column, srcrel),
						 errhint("Every row needs a source; filter the NULL rows out with a view.")));
			sorted[r] = keys[r];
		}
		qsort(sorted, nrows, sizeof(char *), acq_cmp_names);
		for (uint64 r = 0; r < nrows; r++)
			if (m == 0 || strcmp(sorted[m - 1], sorted[r]) != 0)
				sorted[m++] = sorted[r];
		if (m > ACQ_MAX_SOURCES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("column \"%s\" of %s has %d distinct values; acq selects among at most %d sources",
							spec->source_column, srcrel, m, ACQ_MAX_SOURCES)));
		out->m = m;
		out->names = MemoryContextAlloc(callerctx, sizeof(char *) * m);
		for (int s = 0; s < m; s++)
			out->names[s] = MemoryContextStrdup(callerctx, sorted[s]);
		out->stats = MemoryContextAllocZero(callerctx, sizeof(AcqLinAcc *) * m);
		for (uint64 r = 0; r < nrows; r++)
		{
			char	  **hit = bsearch(&keys[r], out->names, m, sizeof(char *), acq_cmp_names);

			take_stats(&out->stats[hit - out->names], vals[r], nulls[r], "source", *hit, &p, callerctx);
		}
	}
	for (int s = 0; s < out->m; s++)
	{
		if (out->stats[s] == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA),
					 errmsg("source \"%s\" is empty", out->names[s]),
					 errhint("Every source needs rows; detach or drop the empty partition.")));
		out->total_rows += (int64) out->stats[s]->n;
	}

	/* ---- the validation rows' statistics ---- */
	level = acq_jit_off();
	ret = SPI_execute(psprintf("SELECT acq.linear_stats(%s, %s) FROM %s", vfeat, vlab,
							   acq_rel_display_name(spec->validation)), true, 0);
	acq_guc_restore(level);
	acq_spi_check(ret, SPI_OK_SELECT, "computing the validation rows' statistics");
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		char	   *valrel = acq_rel_display_name(spec->validation);

		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NO_DATA),
					 errmsg("validation table %s is empty", valrel)));
		take_stats(&out->val_stats, d, false, "validation table", valrel, &p, callerctx);
	}
	SPI_finish();
	out->p = p;
	out->streamed = true;
}

/*
 * What the statistics path needs: m + 2 statistics, the aggregate states
 * while they are computed, the fit's scratch, and the executor's share
 * (ACQ_EXECUTOR_RESERVE) of the streaming query
 */
double
acq_stats_memory(int m, int p)
{
	double		d = p + 1.0;

	return ACQ_EXECUTOR_RESERVE + (m + 1.0) * acq_linacc_memory(p) +
		(m + 2.0) * acq_linstats_memory(p) + acq_linreg_solve_memory(p, (int64) d) +
		sizeof(double) * (double) m * 8.0;
}
