/*
 * remote.c -- an owner that is a foreign table: its selection runs on the
 * owner's own server, as the protocol has it (docs/mycroft.md).  One dblink
 * connection by the server's name (so with the caller's user mapping) sends
 * the shared hard rows into a temporary table there and runs
 * acq.mycroft_select on the owner's table; only the k rows' ids, scores and
 * weights come back (and D_hard's labels the owner lacks).  The owner's
 * table never crosses: the caller then fetches the k rows through the
 * foreign table, id = ANY($1) pushed down.  The server must list acq in its
 * `extensions` option and run this database's acq version (base's
 * acq_check_remote_acq).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_class.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "pg/mycroft/mycroft.h"

/* the DETAIL of the extensions-option ERROR for a remote owner */
const char *
mycroft_remote_why(Oid owner)
{
	return psprintf("Owner %s's selection runs on that server (acq.mycroft_select); the option declares that acq is installed there.",
					acq_rel_display_name(owner));
}

bool
mycroft_owner_is_remote(Oid rel)
{
	return get_rel_relkind(rel) == RELKIND_FOREIGN_TABLE;
}

static const char *
method_name(SelMethod m)
{
	switch (m)
	{
		case SEL_FEATURE:
			return "feature";
		case SEL_BINNING:
			return "binning";
		case SEL_OMP:
			return "omp";
		case SEL_COMBINED:
			return "combined";
		case SEL_RANDOM:
			return "random";
	}
	return "feature";
}

static void
append_float(StringInfo q, double v)
{
	appendStringInfo(q, "'%.17g'::pg_catalog.float8", v);
}

static void
append_float_array(StringInfo q, const double *v, int n)
{
	appendStringInfoString(q, "'{");
	for (int i = 0; i < n; i++)
		appendStringInfo(q, "%s%.17g", i ? "," : "", v[i]);
	appendStringInfoString(q, "}'::pg_catalog.float8[]");
}

static void
append_int_array(StringInfo q, const int *v, int n, int offset)
{
	appendStringInfoString(q, "'{");
	for (int i = 0; i < n; i++)
		appendStringInfo(q, "%s%d", i ? "," : "", v[i] + offset);
	appendStringInfoString(q, "}'::pg_catalog.int4[]");
}

/* what comes back: the k rows in rank order, then the labels missing */
typedef struct RemoteScan
{
	SelResult  *res;
	int64		k;
	int			nhl;
} RemoteScan;

static void
remote_row(TupleTableSlot *slot, MemoryContext rowcxt, void *arg)
{
	RemoteScan *rs = arg;
	SelResult  *res = rs->res;
	bool		isnull;
	Datum		v = slot_getattr(slot, 2, &isnull);

	if (isnull)
	{
		v = slot_getattr(slot, 5, &isnull);
		if (!isnull && res->nmissing < rs->nhl)
			res->missing[res->nmissing++] = DatumGetFloat8(v);
		return;
	}
	if (res->n >= rs->k)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the owner's server returned more than k = " INT64_FORMAT " rows", rs->k)));
	res->id[res->n] = DatumGetInt64(v);
	v = slot_getattr(slot, 3, &isnull);
	res->score[res->n] = isnull ? NAN : DatumGetFloat8(v);
	v = slot_getattr(slot, 4, &isnull);
	res->weight[res->n] = isnull ? NAN : DatumGetFloat8(v);
	res->n++;
}

/*
 * The owner's k rows for the hard rows, selected on the owner's server.
 * The caller is connected to SPI.
 */
void
mycroft_run_remote_selection(SelSpec *s, SelResult *res)
{
	ForeignServer *srv = acq_foreign_server(s->owner.rel);
	const char *table = acq_remote_table_name(s->owner.rel);
	const char *id = acq_remote_column_name(s->owner.rel, s->owner.id);
	const char *features = acq_remote_column_name(s->owner.rel, s->owner.features);
	const char *label = acq_remote_column_name(s->owner.rel, s->owner.label);
	const char *grad = s->owner.gradients ? acq_remote_column_name(s->owner.rel, s->owner.gradients) : NULL;
	Rows		hard = {0};
	int			d = -1,
				m = -1;
	double	   *hl;
	StringInfoData q;
	RemoteScan	rs;
	double		own = 0.0;

	memset(res, 0, sizeof(*res));
	mycroft_check_sel_spec(s);
	acq_check_remote_declared(srv, mycroft_remote_why(s->owner.rel));
	acq_check_remote_acq(srv, mycroft_remote_why(s->owner.rel));
	if (s->held == NULL)
		s->held = &own;
	s->hard.held = s->held;
	mycroft_read_rows(&s->hard, &hard, -1, &d, grad ? &m : NULL);
	if (hard.b.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("the hard examples table %s has no rows", acq_rel_display_name(s->hard.rel)),
				 errhint("D_hard holds the rows the trainer's model gets wrong: acq.hard_examples.")));
	rs.nhl = acq_distinct_values(hard.b.y, hard.b.n, &hl);
	acq_memory_take(s->held, (double) s->k * (sizeof(int64) + 2 * sizeof(double)) +
					(double) hard.b.n * (d + (m > 0 ? m : 0) + 2) * 26.0,
					"sending the hard rows and keeping the k rows selected",
					"Use fewer hard rows, or lower k");

	/* the hard rows, in a temporary table on the owner's server */
	initStringInfo(&q);
	appendStringInfo(&q, "CREATE TEMP TABLE acq_hard_rows (%s pg_catalog.int8, %s pg_catalog.float8[], %s pg_catalog.float8",
					 quote_identifier(id), quote_identifier(features), quote_identifier(label));
	if (grad)
		appendStringInfo(&q, ", %s pg_catalog.float8[]", quote_identifier(grad));
	appendStringInfoString(&q, "); INSERT INTO pg_temp.acq_hard_rows VALUES ");
	for (int64 i = 0; i < hard.b.n; i++)
	{
		appendStringInfo(&q, "%s(" INT64_FORMAT ", ", i ? ", " : "", hard.b.ids[i]);
		append_float_array(&q, hard.b.X + i * d, d);
		appendStringInfoString(&q, ", ");
		append_float(&q, hard.b.y[i]);
		if (grad)
		{
			appendStringInfoString(&q, ", ");
			append_float_array(&q, hard.G + i * m, m);
		}
		appendStringInfoChar(&q, ')');
	}

	/* the selection, with every parameter as given here */
	appendStringInfo(&q, "; SELECT s.rank, s.id, s.score, s.weight, NULL::pg_catalog.float8"
					 " FROM acq.mycroft_select(%s::pg_catalog.regclass, 'pg_temp.acq_hard_rows'::pg_catalog.regclass,"
					 " %s, %s, %s, " INT64_FORMAT ", method => '%s', same_label => %s, sample_rate => ",
					 quote_literal_cstr(table), quote_literal_cstr(id), quote_literal_cstr(features),
					 quote_literal_cstr(label), s->k, method_name(s->method), s->same_label ? "true" : "false");
	append_float(&q, s->sample_rate);
	appendStringInfo(&q, ", min_bins => %d, bin_candidates => ", s->min_bins);
	append_int_array(&q, s->candidates, s->ncand, 0);
	if (s->bin_features)
	{
		appendStringInfoString(&q, ", bin_features => ");
		append_int_array(&q, s->bin_features, s->nbin_features, 1);
	}
	appendStringInfoString(&q, ", lambda => ");
	append_float(&q, s->lambda);
	appendStringInfoString(&q, ", tol => ");
	append_float(&q, s->tol);
	appendStringInfoString(&q, ", lambda2 => ");
	append_float(&q, s->lambda2);
	if (grad)
		appendStringInfo(&q, ", gradients => %s", quote_literal_cstr(grad));
	appendStringInfoString(&q, ", c => ");
	append_float(&q, s->c);
	appendStringInfo(&q, ", seed => " INT64_FORMAT ") s", s->seed);

	/*
	 * D_hard's labels the owner lacks: one probe per label, stopping at the
	 * owner's first row of it (a full scan only for a label it lacks)
	 */
	appendStringInfo(&q, " UNION ALL SELECT NULL, NULL, NULL, NULL, h.l FROM"
					 " (SELECT DISTINCT %s AS l FROM pg_temp.acq_hard_rows) h"
					 " WHERE (SELECT true FROM %s o WHERE (o.%s)::pg_catalog.float8 OPERATOR(pg_catalog.=) h.l LIMIT 1) IS NULL",
					 quote_identifier(label), table, quote_identifier(label));

	res->id = palloc(sizeof(int64) * Max(s->k, 1));
	res->score = palloc(sizeof(double) * Max(s->k, 1));
	res->weight = palloc(sizeof(double) * Max(s->k, 1));
	res->missing = palloc(sizeof(double) * (rs.nhl + 1));
	rs.res = res;
	rs.k = s->k;
	acq_remote_stream(srv, q.data, "rank int4, id int8, score float8, weight float8, missing float8",
					  psprintf("selecting owner %s's rows", acq_rel_display_name(s->owner.rel)),
					  remote_row, &rs);
	res->owner_rows = -1;
	if (res->nmissing > 1)
		qsort(res->missing, res->nmissing, sizeof(double), acq_cmp_double);
	if (s->held == &own)
		s->held = s->hard.held = NULL;
	if (res->nmissing > 0)
		ereport(NOTICE,
				(errmsg("owner %s has no rows with label%s %s of D_hard; it selected from what it has",
						acq_rel_display_name(s->owner.rel), res->nmissing > 1 ? "s" : "",
						mycroft_format_labels(res->missing, res->nmissing))));
}
