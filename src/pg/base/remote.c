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
static bool
lists_extension(ForeignServer *srv, const char *ext)
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

static void
unreachable(ForeignServer *srv, const char *what, ErrorData *e)
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
		unreachable(srv, what, e);
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
		unreachable(srv, what, e);
	}
	PG_END_TRY();
	error_context_stack = cb.previous;
	return n;
}

static void
version_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, 1, &isnull);

	*(char **) arg = isnull ? NULL : TextDatumGetCString(d);
}

/*
 * What can be checked without connecting (a job's submission): srv lists
 * acq in its `extensions` option, and dblink is installed here.
 */
void
acq_check_remote_declared(ForeignServer *srv, const char *what)
{
	if (!lists_extension(srv, "acq"))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("server \"%s\" does not list acq in its extensions option", srv->servername),
				 errdetail("%s runs acq's functions on that server; the option declares that it has acq installed.", what),
				 errhint("Install acq on that server, then: ALTER SERVER %s OPTIONS (ADD extensions 'acq'), or SET if the option exists.",
						 quote_identifier(srv->servername))));
	(void) dblink_schema(srv->servername);
}

/*
 * The checks before acq relies on acq's functions on srv (what: for what,
 * in the messages): the server lists acq in its `extensions` option (its
 * owner's declaration that the server runs acq), and the server's acq is this
 * one's version -- a different body under the same signature would give
 * silently wrong results.  The caller is connected to SPI.
 */
void
acq_check_remote_acq(ForeignServer *srv, const char *what)
{
	const char *vsql = "SELECT extversion FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'acq'";
	char	   *local = NULL;
	char	   *remote = NULL;

	acq_check_remote_declared(srv, what);
	acq_spi_stream(vsql, true, SPI_OK_SELECT, "reading acq's version", version_row, &local);
	acq_remote_stream(srv, vsql, "extversion text", "checking acq's version", version_row, &remote);
	if (remote == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("acq is not installed on server \"%s\"", srv->servername),
				 errhint("CREATE EXTENSION acq in the database that server's options name.")));
	if (strcmp(remote, local) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("server \"%s\" runs acq %s, this database acq %s", srv->servername, remote, local),
				 errdetail("%s runs acq's functions there; another version may compute something else.", what),
				 errhint("ALTER EXTENSION acq UPDATE on both, to the same version.")));
}
