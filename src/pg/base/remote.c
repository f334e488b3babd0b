/*
 * remote.c -- tables on other PostgreSQL servers: a foreign table's server,
 * its remote name and columns (postgres_fdw's options), the server's
 * declaration that it runs acq (its `extensions` option) and the acq version
 * it runs, and statements run on that server through dblink, by the server's
 * name -- so with the caller's user mapping, and dblink's rule that a role
 * other than a superuser must connect with a password.  A server that cannot
 * be reached gives one ERROR naming it and the fix.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "catalog/pg_class.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "pg/base/base.h"

static const char *
option_value(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, name) == 0)
			return defGetString(def);
	}
	return NULL;
}

ForeignServer *
acq_foreign_server(Oid rel)
{
	if (get_rel_relkind(rel) != RELKIND_FOREIGN_TABLE)
		return NULL;
	return GetForeignServer(GetForeignTable(rel)->serverid);
}

/* "schema"."table" on the remote server: postgres_fdw's schema_name and table_name, or the local names */
char *
acq_remote_table_name(Oid rel)
{
	ForeignTable *ft = GetForeignTable(rel);
	const char *nsp = option_value(ft->options, "schema_name");
	const char *name = option_value(ft->options, "table_name");

	if (nsp == NULL)
		nsp = get_namespace_name(get_rel_namespace(rel));
	if (name == NULL)
		name = get_rel_name(rel);
	return quote_qualified_identifier(nsp, name);
}

/* a column's name on the remote server: postgres_fdw's column_name, or the local name */
const char *
acq_remote_column_name(Oid rel, const char *column)
{
	AttrNumber	att = get_attnum(rel, column);
	const char *remote;

	if (att == InvalidAttrNumber)
		return column;
	remote = option_value(GetForeignColumnOptions(rel, att), "column_name");
	return remote ? remote : column;
}

/* does the server's `extensions` option (a comma-separated list) name ext? */
bool
acq_server_lists_extension(ForeignServer *srv, const char *ext)
{
	const char *opt = option_value(srv->options, "extensions");
	List	   *names;
	ListCell   *lc;

	if (opt == NULL || !SplitIdentifierString(pstrdup(opt), ',', &names))
		return false;
	foreach(lc, names)
		if (strcmp((char *) lfirst(lc), ext) == 0)
			return true;
	return false;
}

/* dblink's schema in this database, or an ERROR saying how to install it */
static const char *
dblink_schema(const char *server)
{
	Oid			ext = get_extension_oid("dblink", true);
	Oid			nsp = InvalidOid;

	if (OidIsValid(ext))
	{
		Relation	r = table_open(ExtensionRelationId, AccessShareLock);
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	tup;

		ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(ext));
		scan = systable_beginscan(r, ExtensionOidIndexId, true, NULL, 1, &key);
		tup = systable_getnext(scan);
		if (HeapTupleIsValid(tup))
			nsp = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
		systable_endscan(scan);
		table_close(r, AccessShareLock);
	}
	if (!OidIsValid(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("running acq on server \"%s\" needs the dblink extension in this database", server),
				 errdetail("acq runs the computation on the table's own server through dblink, by the server's name and your user mapping."),
				 errhint("CREATE EXTENSION dblink (it is in PostgreSQL's contrib).")));
	return quote_identifier(get_namespace_name(nsp));
}

/*
 * Did e lose a remote server: a connection failure (SQLSTATE class 08), or
 * the server's backend terminated under the query (57P01-57P03: the server
 * shut down, crashed, or is starting)?
 */
bool
acq_error_lost_server(const ErrorData *e)
{
	return ERRCODE_TO_CATEGORY(e->sqlerrcode) == ERRCODE_CONNECTION_EXCEPTION ||
		e->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
		e->sqlerrcode == ERRCODE_CRASH_SHUTDOWN ||
		e->sqlerrcode == ERRCODE_CANNOT_CONNECT_NOW;
}

void
acq_report_unreachable(ForeignServer *srv, const char *what, ErrorData *e)
{
	ereport(ERROR,
			(errcode(e->sqlerrcode),
			 errmsg("server \"%s\" cannot be reached (%s)", srv->servername, what),
			 errdetail("%s%s%s", e->message, e->detail ? ": " : "", e->detail ? e->detail : ""),
			 errhint("Start that server, or fix its host and port (ALTER SERVER %s OPTIONS (SET ...)) or your user mapping (ALTER USER MAPPING).",
					 quote_identifier(srv->servername))));
}

/*
 * fn(arg), with a connection failure (SQLSTATE class 08: postgres_fdw's or
 * dblink's) reported as srv that cannot be reached; srv NULL: just fn(arg).
 * fn may commit (a job's step): the error is copied into the transaction
 * that is current when it is raised.
 */
void
acq_on_server(ForeignServer *srv, const char *what, void (*fn) (void *), void *arg)
{
	if (srv == NULL)
	{
		fn(arg);
		return;
	}
	PG_TRY();
	{
		fn(arg);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(CurTransactionContext);
		e = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(e->sqlerrcode) != ERRCODE_CONNECTION_EXCEPTION)
			PG_RE_THROW();
		FlushErrorState();
		acq_report_unreachable(srv, what, e);
	}
	PG_END_TRY();
}

typedef struct RemoteCall
{
	const char *server;
	const char *what;
} RemoteCall;

static void
remote_context(void *arg)
{
	RemoteCall *c = arg;

	errcontext("%s, on server \"%s\"", c->what, c->server);
}

/*
 * Run remote_sql on srv through dblink (one connection, closed at the end),
 * its result typed by coldefs ("a int, b float8[]"), each row handed to fn
 * as acq_spi_stream does.  The caller is connected to SPI.  A server that
 * cannot be reached (SQLSTATE class 08) is an ERROR naming it; any other
 * error is the remote one, with the server in its context.
 */
uint64
acq_remote_stream(ForeignServer *srv, const char *remote_sql, const char *coldefs, const char *what,
				  AcqRowFn fn, void *arg)
{
	char	   *sql = psprintf("SELECT * FROM %s.dblink(%s, %s) AS t(%s)", dblink_schema(srv->servername),
							   quote_literal_cstr(srv->servername), quote_literal_cstr(remote_sql), coldefs);
	MemoryContext mine = CurrentMemoryContext;
	ErrorContextCallback cb;
	RemoteCall	call;
	uint64		n = 0;

	call.server = srv->servername;
	call.what = what;
	cb.callback = remote_context;
	cb.arg = &call;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	PG_TRY();
	{
		n = acq_spi_stream(sql, false, SPI_OK_SELECT, what, fn, arg);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(mine);
		e = CopyErrorData();
		if (ERRCODE_TO_CATEGORY(e->sqlerrcode) != ERRCODE_CONNECTION_EXCEPTION)
			PG_RE_THROW();
		FlushErrorState();
		error_context_stack = cb.previous;
		acq_report_unreachable(srv, what, e);
	}
	PG_END_TRY();
	error_context_stack = cb.previous;
	return n;
}

/*
 * An ERROR (HV00D) unless srv's `extensions` option lists acq -- the
 * server owner's declaration that acq runs there, and what lets
 * postgres_fdw ship acq's aggregates.  why: the DETAIL, what acq runs on
 * that server and what would go wrong without the option.
 */
void
acq_check_server_lists_acq(ForeignServer *srv, const char *why)
{
	if (!acq_server_lists_extension(srv, "acq"))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" does not list acq in its extensions option", srv->servername),
				 errdetail("%s", why),
				 errhint("Install acq on that server (CREATE EXTENSION acq), then: ALTER SERVER %s OPTIONS (ADD extensions 'acq'), or SET if the option exists.",
						 quote_identifier(srv->servername))));
}

/*
 * What can be checked without connecting (a job's submission): srv lists
 * acq in its `extensions` option, and dblink is installed here.
 */
void
acq_check_remote_declared(ForeignServer *srv, const char *why)
{
	acq_check_server_lists_acq(srv, why);
	(void) dblink_schema(srv->servername);
}

static char *
local_acq_version(void)
{
	int			ret = SPI_execute("SELECT extversion FROM pg_catalog.pg_extension "
								  "WHERE extname OPERATOR(pg_catalog.=) 'acq'", true, 1);

	acq_spi_check(ret, SPI_OK_SELECT, "reading acq's version");
	if (SPI_processed != 1)
		elog(ERROR, "acq is not installed in this database");
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* an error while a server is asked: name it */
static void
probe_context(void *arg)
{
	errcontext("asking server \"%s\" for its acq version", (const char *) arg);
}

typedef struct VersionProbe
{
	ForeignServer *srv;
	char	   *version;		/* out: NULL if acq is not installed there */
} VersionProbe;

/*
 * The server's acq version, read through postgres_fdw from its
 * pg_extension: a temporary foreign table on the server's catalog, dropped
 * after -- the same connection and user mapping the caller's foreign
 * tables use, and no dblink.
 */
static void
probe_version(void *arg)
{
	VersionProbe *vp = arg;
	ForeignServer *srv = vp->srv;
	char	   *tmp = psprintf("acq_probe_%u", srv->serverid);
	ErrorContextCallback cb;
	int			ret;

	cb.callback = probe_context;
	cb.arg = srv->servername;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	ret = SPI_execute(psprintf("CREATE FOREIGN TABLE pg_temp.%s (extname pg_catalog.name, "
							   "extversion pg_catalog.text) SERVER %s "
							   "OPTIONS (schema_name 'pg_catalog', table_name 'pg_extension')",
							   tmp, quote_identifier(srv->servername)), false, 0);
	acq_spi_check(ret, SPI_OK_UTILITY, "creating a probe of a foreign server");
	ret = SPI_execute(psprintf("SELECT extversion FROM pg_temp.%s "
							   "WHERE extname OPERATOR(pg_catalog.=) 'acq'", tmp), true, 0);
	acq_spi_check(ret, SPI_OK_SELECT, "reading a foreign server's acq version");
	vp->version = NULL;
	if (SPI_processed == 1)
		vp->version = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	ret = SPI_execute(psprintf("DROP FOREIGN TABLE pg_temp.%s", tmp), false, 0);
	acq_spi_check(ret, SPI_OK_UTILITY, "dropping a probe of a foreign server");
	error_context_stack = cb.previous;
}

/*
 * The checks before acq relies on acq's functions on srv: its `extensions`
 * option lists acq (acq_check_server_lists_acq, why its DETAIL), acq is
 * installed there, in this database's version -- a different body under the
 * same signature would give silently wrong results.  The version is read
 * through postgres_fdw (srv must be a postgres_fdw server); a server that
 * cannot be reached is the ERROR of acq_on_server.  The caller is connected
 * to SPI or not (it opens a connection of its own).
 */
void
acq_check_remote_acq(ForeignServer *srv, const char *why)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	   *local;
	VersionProbe vp;
	int			ret;

	acq_check_server_lists_acq(srv, why);
	if (!acq_server_is_postgres_fdw(srv))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("server \"%s\" is not a postgres_fdw server", srv->servername),
				 errdetail("acq runs its functions on other servers through postgres_fdw only.")));
	/* a connection of its own: the caller's SPI results stay as they are */
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	local = MemoryContextStrdup(cxt, local_acq_version());
	vp.srv = srv;
	vp.version = NULL;
	acq_on_server(srv, "checking acq's version", probe_version, &vp);
	if (vp.version != NULL)
		vp.version = MemoryContextStrdup(cxt, vp.version);
	SPI_finish();
	if (vp.version == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("acq is not installed on server \"%s\"", srv->servername),
				 errdetail("The database that server's options name, with your user mapping, has no extension acq."),
				 errhint("Run CREATE EXTENSION acq VERSION '%s' there.", local)));
	if (strcmp(vp.version, local) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("server \"%s\" runs acq %s, this database acq %s", srv->servername, vp.version, local),
				 errdetail("acq's functions run there; another version may compute something else, silently."),
				 errhint("Install the same acq on both (ALTER EXTENSION acq UPDATE TO '%s').", local)));
}

/* is srv a postgres_fdw server? */
bool
acq_server_is_postgres_fdw(ForeignServer *srv)
{
	ForeignDataWrapper *fdw = GetForeignDataWrapper(srv->fdwid);

	return OidIsValid(fdw->fdwhandler) &&
		strcmp(get_func_name(fdw->fdwhandler), "postgres_fdw_handler") == 0;
}
