/*
 * job.c -- acq.select_sources as a background job: the kind
 * "select_sources" of acq_job_kinds, submitted by acq.submit_select_sources
 * (here, with the arguments as the job's params).  run calls acq.select_sources through
 * SPI with the arguments stored at submission, as the job's owner, while the
 * call reports its progress and hands over every subset it trains;
 * write_result writes the chosen subset (acq.source_selection_plans) and every
 * subset trained, in order (acq.source_selection_subsets).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "pg/selection/selection.h"

PG_FUNCTION_INFO_V1(acq_submit_select_sources);

AcqSelectionJob *acq_selection_job = NULL;

/* acq.submit_select_sources' arguments ($1..$25) as the job's params */
static const char *params_sql =
"SELECT pg_catalog.jsonb_build_object("
"  'sources', $1::pg_catalog.oid, 'sources_name', $1::pg_catalog.text,"
"  'validation', $2::pg_catalog.oid, 'validation_name', $2::pg_catalog.text,"
"  'features', $3, 'label', $4, 'method', $5, 'task', $6,"
"  'source_column', $7, 'sensitive', $8, 'privileged', $9,"
"  'lambda', $10, 'costs', $11, 'cost_exponent', $12,"
"  'cost_scale', $13, 'cost_offset', $14, 's_max', $15,"
"  'k_max', $16, 'iterations', $17, 'rcl_size', $18,"
"  'samples', $19, 'c', $20, 'alpha', $21, 'seed', $22, 'tol', $23,"
"  'tie_break', $24, 'restarts', $25)";

/* acq.submit_select_sources(<acq.select_sources' arguments>): checked, then queued */
Datum
acq_submit_select_sources(PG_FUNCTION_ARGS)
{
	acq_selection_check_args(fcinfo);
	PG_RETURN_INT64(acq_submit_job(fcinfo, "select_sources", params_sql));
}

/* acq.select_sources with the arguments stored in the job's params */
static const char *run_select_sql =
"SELECT r.sources, r.gain, r.cost, r.profit, r.models_trained, r.n_rows"
" FROM acq.select_sources("
"  sources => ($1 OPERATOR(pg_catalog.->>) 'sources')::pg_catalog.oid::pg_catalog.regclass,"
"  validation => ($1 OPERATOR(pg_catalog.->>) 'validation')::pg_catalog.oid::pg_catalog.regclass,"
"  features => ($1 OPERATOR(pg_catalog.->>) 'features')::pg_catalog.name,"
"  label => ($1 OPERATOR(pg_catalog.->>) 'label')::pg_catalog.name,"
"  method => $1 OPERATOR(pg_catalog.->>) 'method',"
"  task => $1 OPERATOR(pg_catalog.->>) 'task',"
"  source_column => ($1 OPERATOR(pg_catalog.->>) 'source_column')::pg_catalog.name,"
"  sensitive => ($1 OPERATOR(pg_catalog.->>) 'sensitive')::pg_catalog.name,"
"  privileged => $1 OPERATOR(pg_catalog.->>) 'privileged',"
"  lambda => ($1 OPERATOR(pg_catalog.->>) 'lambda')::pg_catalog.float8,"
"  costs => NULLIF($1 OPERATOR(pg_catalog.->) 'costs', 'null'::pg_catalog.jsonb),"
"  cost_exponent => ($1 OPERATOR(pg_catalog.->>) 'cost_exponent')::pg_catalog.int4,"
"  cost_scale => ($1 OPERATOR(pg_catalog.->>) 'cost_scale')::pg_catalog.float8,"
"  cost_offset => ($1 OPERATOR(pg_catalog.->>) 'cost_offset')::pg_catalog.float8,"
"  s_max => ($1 OPERATOR(pg_catalog.->>) 's_max')::pg_catalog.int4,"
"  k_max => ($1 OPERATOR(pg_catalog.->>) 'k_max')::pg_catalog.int4,"
"  iterations => ($1 OPERATOR(pg_catalog.->>) 'iterations')::pg_catalog.int4,"
"  rcl_size => ($1 OPERATOR(pg_catalog.->>) 'rcl_size')::pg_catalog.int4,"
"  samples => ($1 OPERATOR(pg_catalog.->>) 'samples')::pg_catalog.int4,"
"  c => ($1 OPERATOR(pg_catalog.->>) 'c')::pg_catalog.float8,"
"  alpha => ($1 OPERATOR(pg_catalog.->>) 'alpha')::pg_catalog.float8,"
"  seed => ($1 OPERATOR(pg_catalog.->>) 'seed')::pg_catalog.int8,"
"  tol => ($1 OPERATOR(pg_catalog.->>) 'tol')::pg_catalog.float8%s) r";

/*
 * tie_break, for a job whose params name it; a job submitted by 0.1.0's
 * acq.submit_select_sources has none (and may run under 0.1.0's catalog,
 * whose acq.select_sources has no such argument): the default then.
 */
static const char *tie_break_arg =
",  tie_break => $1 OPERATOR(pg_catalog.->>) 'tie_break'";

/* restarts likewise (a job submitted before restarts existed: the default) */
static const char *restarts_arg =
",  restarts => ($1 OPERATOR(pg_catalog.->>) 'restarts')::pg_catalog.int4";


void
acq_selection_job_run(AcqJob *job)
{
	AcqSelectionJob *sj = MemoryContextAllocZero(job->cxt, sizeof(AcqSelectionJob));
	Datum		arg;
	Oid			type = JSONBOID;

	sj->job = job;
	job->state = sj;
	arg = DirectFunctionCall1(jsonb_in, CStringGetDatum(job->params));
	acq_selection_job = sj;
	PG_TRY();
	{
		bool		has_tb = DatumGetBool(DirectFunctionCall2(jsonb_exists, arg,
															  CStringGetTextDatum("tie_break")));
		bool		has_rs = DatumGetBool(DirectFunctionCall2(jsonb_exists, arg,
															  CStringGetTextDatum("restarts")));
		char	   *sql = psprintf(run_select_sql,
								   psprintf("%s%s", has_tb ? tie_break_arg : "",
											has_rs ? restarts_arg : ""));

		acq_spi_check(SPI_execute_with_args(sql, 1, &type, &arg, NULL, false, 1),
					  SPI_OK_SELECT, "running the job");
	}
	PG_FINALLY();
	{
		acq_selection_job = NULL;
	}
	PG_END_TRY();
	for (int i = 1; i <= 6; i++)
	{
		bool		isnull;

		sj->result[i - 1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i, &isnull);
	}
}

/* the plan (the chosen subset) and every subset trained, in order */
char *
acq_selection_job_write(AcqJob *job)
{
	AcqSelectionJob *sj = (AcqSelectionJob *) job->state;
	Datum		args[8];
	Oid			types[8] = {INT8OID, OIDOID, TEXTARRAYOID, FLOAT8OID, FLOAT8OID, FLOAT8OID,
	INT4OID, INT8OID};
	SPIPlanPtr	ins;

	args[0] = Int64GetDatum(job->id);
	args[1] = ObjectIdGetDatum(job->role);
	for (int i = 0; i < 6; i++)
		args[i + 2] = sj->result[i];
	acq_spi_check(SPI_execute_with_args("INSERT INTO acq.source_selection_plans"
										" (job_id, owner, sources, gain, cost, profit, models_trained, n_rows)"
										" VALUES ($1, $2::pg_catalog.regrole, $3, $4, $5, $6, $7, $8)",
										8, types, args, NULL, false, 0),
				  SPI_OK_INSERT, "writing the plan");

	types[0] = INT8OID;
	types[1] = INT4OID;
	types[2] = OIDOID;
	types[3] = TEXTARRAYOID;
	types[4] = FLOAT8OID;
	types[5] = FLOAT8OID;
	types[6] = FLOAT8OID;
	types[7] = INT8OID;
	ins = acq_spi_prepare("INSERT INTO acq.source_selection_subsets"
						  " (job_id, ord, owner, sources, gain, cost, profit, n_rows)"
						  " VALUES ($1, $2, $3::pg_catalog.regrole, $4, $5, $6, $7, $8)", 8, types,
						  "the subsets insert");
	for (int i = 0; i < sj->nsubsets; i++)
	{
		AcqJobSubset *s = &sj->subsets[i];

		args[0] = Int64GetDatum(job->id);
		args[1] = Int32GetDatum(i + 1);
		args[2] = ObjectIdGetDatum(job->role);
		args[3] = s->sources;
		args[4] = Float8GetDatum(s->gain);
		args[5] = Float8GetDatum(s->cost);
		args[6] = Float8GetDatum(s->profit);
		args[7] = Int64GetDatum(s->n_rows);
		acq_spi_check(SPI_execute_plan(ins, args, NULL, false, 0), SPI_OK_INSERT, "writing a subset");
		if ((i & 255) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return psprintf("%d subsets trained", sj->nsubsets);
}
