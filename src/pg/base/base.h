/*
 * base.h -- what every part of acq's PostgreSQL adapter needs and that knows
 * no capability and no job: binding the core to PostgreSQL, SPI, rights,
 * arguments, relation and column checks, rows and values.
 *
 * Rules (docs/architecture.md; `make check-layers`): files under src/pg/base
 * include PostgreSQL, the core and this header only -- never src/pg/jobs nor
 * a capability's folder.
 */
#ifndef ACQ_PG_BASE_H
#define ACQ_PG_BASE_H

#include "postgres.h"

#include "common/pg_prng.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "portability/instr_time.h"
#include "utils/array.h"

#include "core/acq_core.h"

/* rows a streamed reader hands on in one chunk (mycroft_stream_rows) */
#define ACQ_FETCH_BATCH 10000

/* ---- in hooks.c: the core bound to PostgreSQL ------------------------------ */

/* core allocations, interrupts and errors through PostgreSQL; called by _PG_init */
void		acq_base_init(void);

/* an AcqRng drawing from pg_prng, seeded with seed */
void		acq_pg_rng_init(AcqRng *rng, pg_prng_state *state, int64 seed);

/* ---- in memory.c: memory checked before it is taken -------------------------- */

/* GUC acq.max_memory (kB): the most one call may plan to use */
extern int	acq_max_memory;

/* GUC acq.retain_memory (MB): freed memory a backend keeps for its next call (memory.c) */
extern int	acq_retain_memory;

/* defines acq.max_memory and acq.retain_memory; called by _PG_init */
void		acq_memory_init(void);

/*
 * About to write about bytes of new memory (an estimate): with
 * acq.retain_memory, grow the heap by that much now, mapped in one go
 * (huge pages where the system allows), so that the call's blocks do not
 * fault page by page.  Changes no result.
 */
void		acq_memory_prefault(double bytes);

/*
 * An ERROR 54000 "<what> needs N MB, more than acq.max_memory (M MB)" if
 * bytes is over acq.max_memory, with the hint "<hint>, or raise the limit:
 * SET acq.max_memory = 'NMB'." (hint names what to lower: rows, features, k,
 * budget...; NULL: only the setting).  Call it with an estimate of what the
 * call will hold at once, before allocating.  Every memory error of acq
 * comes from here.
 */
void		acq_check_memory(double bytes, const char *what, const char *hint);
/* acq_check_memory(*held + bytes, ...), then *held += bytes: a call's running tally */
void		acq_memory_take(double *held, double bytes, const char *what, const char *hint);
/* is bytes over acq.max_memory?  (to build a message only when it is) */
bool		acq_memory_over(double bytes);
/*
 * The executor's share of acq.max_memory while acq streams a table through
 * its aggregates (the statistics and logistic-terms paths, whose own
 * holdings are small): the query's executor state, the aggregate's hash
 * table and per-group states of the leader, the Gather's tuple queues and
 * SPI's result -- measured at 2.7 MB of backend growth (RssAnon + RssFile)
 * over 2M and 10M rows of 8 features in 10 sources, with JIT off
 * (acq_jit_off), acq's own share included.  Those paths plan their memory as
 * what they hold plus this reserve, so that the backend's whole growth
 * during the call stays under the bound (docs/scale-out.md).
 */
#define ACQ_EXECUTOR_RESERVE (4.0 * 1024.0 * 1024.0)
/* the planner's row count of a relation (pg_class.reltuples), -1 if unknown or 0 */
double		acq_rel_rows_estimate(Oid relid);

/* ---- in spi.c: SPI ----------------------------------------------------------- */

/* an ERROR naming what failed unless ret is the SPI_OK_* code expected */
void		acq_spi_check(int ret, int expected, const char *what);
/*
 * jit = off for acq's own queries (no LLVM mapped into the backend), until
 * acq_guc_restore(the level returned); acq_spi_stream does it itself
 */
int			acq_jit_off(void);
void		acq_guc_restore(int level);

/* SPI_prepare, or an ERROR naming what failed */
SPIPlanPtr	acq_spi_prepare(const char *sql, int nargs, Oid *types, const char *what);

/*
 * Run a statement through SPI, handing each result row to fn as it is
 * produced, not copied into SPI_tuptable.  fn runs in the caller's memory
 * context; rowcxt is scratch, reset after each row.  expected is the
 * SPI_OK_* code; returns the number of rows processed.
 */
typedef void (*AcqRowFn) (TupleTableSlot *slot, MemoryContext rowcxt, void *arg);
uint64		acq_spi_stream(const char *sql, bool read_only, int expected, const char *what,
						   AcqRowFn fn, void *arg);
uint64		acq_spi_stream_plan(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only,
								int expected, const char *what, AcqRowFn fn, void *arg);
/*
 * acq_spi_stream_plan of a SELECT whose rows fn reads: fn's errors carry
 * the caller's error context, not the statement's (they name the table and
 * the row themselves)
 */
uint64		acq_spi_read_plan(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only,
							  const char *what, AcqRowFn fn, void *arg);
uint64		acq_spi_read(const char *sql, bool read_only, const char *what, AcqRowFn fn, void *arg);
/* from a stream's callback: no more rows (the statement ends normally) */
void		acq_spi_stream_stop(void);

/* a background worker's own transaction, with SPI and a snapshot */
void		acq_worker_begin(void);
void		acq_worker_commit(void);

/* ---- in rights.c: writing acq's catalog as the extension owner --------------- */
typedef struct Elevation
{
	Oid			saved_user;
	int			saved_context;
} Elevation;

void		acq_elevate(Elevation *e);
void		acq_unelevate(Elevation *e);

/* ---- in args.c: SQL arguments, with errors that name the argument ------------ */
void		acq_arg_require(FunctionCallInfo fcinfo, int argno, const char *argname);
char	   *acq_arg_text(FunctionCallInfo fcinfo, int argno, const char *argname, bool required);
char	   *acq_arg_name(FunctionCallInfo fcinfo, int argno, const char *argname, bool required);
/* a regclass argument: not NULL, a relation whose rows can be read (ACQ_REL_READABLE) */
Oid			acq_arg_regclass(FunctionCallInfo fcinfo, int argno, const char *argname);

/*
 * A text argument naming a relation, [schema.]name as SQL writes it (an
 * unquoted part is folded to lower case, a quoted one kept as it is), as a
 * list of String; no part longer than NAMEDATALEN - 1 bytes (ERROR 42622
 * naming the part), no empty or malformed name (42602).
 */
List	   *acq_arg_qualified_name(FunctionCallInfo fcinfo, int argno, const char *argname);
List	   *acq_parse_qualified_name(const char *raw, const char *argname);
double		acq_arg_float8(FunctionCallInfo fcinfo, int argno, const char *argname, double dflt);
int			acq_arg_int4(FunctionCallInfo fcinfo, int argno, const char *argname, int dflt);

/*
 * A text argument that names one of a fixed set of options: a table of
 * (name, value) pairs ended by {NULL, 0}.  An unknown name is an ERROR
 * "unknown <what> "<name>"" with hint; acq_option_name is the reverse.
 */
typedef struct AcqOption
{
	const char *name;
	int			value;
} AcqOption;

int			acq_parse_option(const AcqOption *options, const char *name, const char *what,
							 const char *hint);
bool		acq_find_option(const AcqOption *options, const char *name, int *value);
const char *acq_option_name(const AcqOption *options, int value);

/* array arguments: one-dimensional, no NULL (float8: finite); *n elements */
double	   *acq_float8_array_arg(ArrayType *a, int *n, const char *argname);
int		   *acq_int4_array_arg(ArrayType *a, int *n, const char *argname);
char	  **acq_text_array_arg(ArrayType *a, int *n, const char *argname);

/* ---- in relation.c: tables, columns and the right to read them --------------- */
char	   *acq_rel_display_name(Oid relid);
/* the relation's columns for messages: "id, features, label" */
char	   *acq_rel_column_list(Oid relid);

/*
 * Relation kinds an argument takes (acq_check_relkind); ACQ_REL_READABLE,
 * every kind whose rows a query reads, is what acq_arg_regclass accepts.
 */
#define ACQ_REL_TABLE		0x01
#define ACQ_REL_PARTITIONED	0x02
#define ACQ_REL_VIEW		0x04
#define ACQ_REL_MATVIEW		0x08
#define ACQ_REL_FOREIGN		0x10
#define ACQ_REL_READABLE	(ACQ_REL_TABLE | ACQ_REL_PARTITIONED | ACQ_REL_VIEW | \
							 ACQ_REL_MATVIEW | ACQ_REL_FOREIGN)
/* relid exists and is of one of kinds, or an ERROR (42P01, 42809) naming argname */
void		acq_check_relkind(Oid relid, const char *argname, int kinds);

/*
 * A column's type (a domain's base type); an ERROR 42703 if the table has no column col (the hint
 * lists its columns), 42P10 if col is a system column (ctid, xmin, ...).
 */
Oid			acq_column_type(Oid relid, const char *col, const char *argname);
bool		acq_is_numeric_type(Oid t);

/*
 * Column checks: errors say "<argname> column "<col>" of <table> must be
 * ..., not <type>", with hint when it is not NULL.
 */
void		acq_check_array_column(Oid relid, const char *col, const char *argname,
								   const char *hint);
Oid			acq_check_numeric_column(Oid relid, const char *col, const char *argname,
									 const char *hint);
Oid			acq_check_integer_column(Oid relid, const char *col, const char *argname,
									 const char *hint);
/* SELECT on the table, or an ERROR 42501 (hint may be NULL) */
void		acq_check_select(Oid relid, const char *hint);

/* ---- in rows.c: a row's values, checked -------------------------------------- */

/*
 * A float8[] value read from a table, checked: not NULL, one-dimensional,
 * without NULL elements, finite, and *len long (*len < 0: set by this, the
 * first, row).  Errors name the table and the row ("id 17" or "row 3":
 * rowkind and rowno); what is "features" or "gradients"; hint (may be NULL)
 * says what must agree in length.  Returns the elements (in the datum's
 * detoasted copy, or in place).
 */
double	   *acq_checked_vector(Datum d, bool isnull, int *len, const char *what,
							   const char *table, const char *rowkind, int64 rowno,
							   const char *hint);
/* acq_checked_vector without the check of the values (the caller makes it) */
double	   *acq_checked_array(Datum d, bool isnull, int *len, const char *what,
							  const char *table, const char *rowkind, int64 rowno,
							  const char *hint);
void		acq_check_finite(const double *x, int n, const char *what, const char *table,
							 const char *rowkind, int64 rowno);
/*
 * Feature rows are refused whose squared Euclidean norm is above
 * ACQ_MAX_ROW_SQNORM (a quarter of float8's largest, a norm of about
 * 6.7e153): then every squared distance |a|^2 + |b|^2 - 2 a.b between two
 * such rows, and every dot product, is finite.  acq_row_norm_over is 0 for a
 * row within the limit, else its norm; acq_check_scale raises 22003 naming
 * the table and the row (as acq_check_finite).  acq_checked_vector makes it.
 */
#define ACQ_MAX_ROW_SQNORM 4.49423283715578976e307	/* DBL_MAX / 4 */
#define ACQ_MAX_ROW_NORM 6.703903964971298e153
double		acq_row_norm_over(const double *x, int n);
bool		acq_row_surely_fine(const double *x, int n);
void		acq_check_scale(const double *x, int n, const char *what, const char *table,
							const char *rowkind, int64 rowno);
/* a label: not NULL, finite ("label is NULL in <table>, <rowkind> <rowno>") */
double		acq_checked_label(Datum d, bool isnull, const char *table, const char *rowkind,
							  int64 rowno);

/*
 * For readers that copy each row's elements: the array of datum d detoasted
 * (NULL if isnull), freed by acq_free_detoasted(d, a) once copied, so that
 * reading wide (toasted) arrays holds one row's copy at a time.
 */
ArrayType  *acq_detoast_array(Datum d, bool isnull);
void		acq_free_detoasted(Datum d, ArrayType *a);

/*
 * A growable row-major block of rows: n rows of d doubles, a label per row,
 * and optionally an id (with_ids) and an attribute (with_attr) per row.  d
 * must be set before the first row.  Memory comes from cxt (NULL: the
 * current context); huge allocations are allowed.  Each growth is checked
 * against acq.max_memory first: held (NULL: only this buffer) counts the
 * bytes the call holds, this buffer included, and is kept up to date;
 * row_extra is bytes per row the caller keeps alongside (gradients);
 * what and hint make the error's words (NULL: "reading the rows", and
 * "use fewer rows or features").
 */
typedef struct AcqRowBuf
{
	int64		n;
	int64		cap;
	int			d;
	bool		with_ids;
	bool		with_attr;
	MemoryContext cxt;
	double	   *X;
	double	   *y;
	double	   *a;
	int64	   *ids;
	double	   *held;
	double		row_extra;
	const char *what;
	const char *hint;
} AcqRowBuf;

/* bytes a row takes, row_extra included */
double		acq_rowbuf_row_bytes(const AcqRowBuf *b);
/* room for at least cap rows, the memory checked first */
void		acq_rowbuf_reserve(AcqRowBuf *b, int64 cap);
/* one more row (the capacity doubles, from 1,024 rows): its index; the caller fills it */
int64		acq_rowbuf_add(AcqRowBuf *b);
/* append a row: x (d values), its label and id */
void		acq_rowbuf_push(AcqRowBuf *b, const double *x, double y, int64 id);

/* ---- in read.c: the read path of float8[] columns ----------------------------- */

/*
 * A float8[] datum seen where it lies (a heap page, a slot): its dimensions,
 * whether it has NULL elements, its first dimension's length n and its
 * elements (data; possibly unaligned: copy them with memcpy).  Only a
 * compressed, out-of-line or short-with-NULLs array is detoasted (copy, in
 * the current memory context; acq_float8_view_release frees it).
 */
typedef struct AcqArrayView
{
	int			ndim;
	int			n;
	bool		hasnull;
	const void *data;
	void	   *copy;
} AcqArrayView;

bool		acq_float8_view(Datum d, AcqArrayView *v);
void		acq_float8_view_release(AcqArrayView *v);

/* a hint to the CPU: the next row's array, in a heap page, is likely the bytes below this one's */
void		acq_prefetch_next_row(const void *data, int n);

/* a read's wall time, reported at DEBUG2 as "acq read: <what> <table>: N rows of d features in T ms" */
typedef struct AcqReadClock
{
	instr_time	start;
} AcqReadClock;

void		acq_read_clock_start(AcqReadClock *c);
void		acq_read_clock_done(const AcqReadClock *c, const char *what, const char *table,
								int64 rows, int d);

/* ---- in values.c: comparisons, distinct values, array builders --------------- */
int			acq_cmp_int64(const void *a, const void *b);
int			acq_cmp_double(const void *a, const void *b);
int			acq_distinct_values(const double *v, int64 n, double **out);
void		acq_value_codes(const double *v, int64 n, const double *sorted, int K, int *codes);
bool		acq_has_value(const double *sorted, int n, double v);

/* the elements of a float8[] of any shape, in order, a NULL element as NaN (no check) */
double	   *acq_float8_array_values(ArrayType *a, int *n);

Datum		acq_float8_array_datum(const double *v, int n);
Datum		acq_int4_array_datum(const int *v, int n);
Datum		acq_int8_array_datum(const int64 *v, int n);
Datum		acq_text_array_datum(char *const *v, int n);

/* ---- in remote.c: tables on other servers (postgres_fdw, dblink) ------------- */

/* a foreign table's server, or NULL if rel is not a foreign table */
ForeignServer *acq_foreign_server(Oid rel);
/* a foreign table's "schema"."table" on its server (postgres_fdw's options) */
char	   *acq_remote_table_name(Oid rel);
/* a foreign table's column's name on its server (column_name, or the local name) */
const char *acq_remote_column_name(Oid rel, const char *column);
/* does srv's `extensions` option (a comma-separated list) name ext? */
bool		acq_server_lists_extension(ForeignServer *srv, const char *ext);
/* is srv a postgres_fdw server? */
bool		acq_server_is_postgres_fdw(ForeignServer *srv);
/*
 * An ERROR (HV00D) naming srv and the fix unless its `extensions` option
 * lists acq; why is the DETAIL (what acq runs there).  Every caller's one
 * message.
 */
void		acq_check_server_lists_acq(ForeignServer *srv, const char *why);
/*
 * Before relying on acq's functions on srv (a postgres_fdw server): the
 * extensions option as above, then acq installed there in this database's
 * version, read through postgres_fdw (a temporary foreign table on the
 * server's pg_extension; no dblink).  ERRORs (55000) name the server, both
 * versions and the fix; an unreachable server is acq_on_server's ERROR.
 * The caller is connected to SPI.
 */
void		acq_check_remote_acq(ForeignServer *srv, const char *why);
/* what needs no connection (a job's submission): the extensions option, dblink installed here */
void		acq_check_remote_declared(ForeignServer *srv, const char *why);
/*
 * remote_sql run on srv through dblink by the server's name (the caller's
 * user mapping), rows typed by coldefs handed to fn as by acq_spi_stream; an
 * unreachable server is an ERROR naming it.  The caller is connected to SPI.
 */
/*
 * fn(arg), a connection failure on the way (SQLSTATE class 08) reported as
 * an ERROR naming srv and the fix; srv NULL: fn(arg) as it is
 */
/* e lost a remote server: SQLSTATE class 08, or 57P01-57P03 from the server */
bool		acq_error_lost_server(const ErrorData *e);
/*
 * ERROR 'server "X" cannot be reached (what)', e's SQLSTATE, its message as
 * DETAIL, the fix as HINT
 */
void		acq_report_unreachable(ForeignServer *srv, const char *what, ErrorData *e) pg_attribute_noreturn();
void		acq_on_server(ForeignServer *srv, const char *what, void (*fn) (void *), void *arg);
uint64		acq_remote_stream(ForeignServer *srv, const char *remote_sql, const char *coldefs,
							  const char *what, AcqRowFn fn, void *arg);

#endif							/* ACQ_PG_BASE_H */
