/*
 * job.c -- acq.rank_owners as a background job: the kind "rank_owners" of
 * acq_job_kinds, submitted by acq.submit_rank_owners (here, with the
 * arguments as the job's params).  run calls acq.rank_owners through SPI with the arguments
 * stored at submission, as the job's owner; write_result writes its rows to
 * acq.owner_rankings.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "pg/mycroft/mycroft.h"

PG_FUNCTION_INFO_V1(acq_submit_rank_owners);

/* acq.submit_rank_owners' arguments ($1..$28) as the job's params */
static const char *params_sql =
"SELECT pg_catalog.jsonb_build_object("
"  'trainer', $1::pg_catalog.oid, 'hard', $2::pg_catalog.oid, 'held_out', $3::pg_catalog.oid,"
"  'owners', (SELECT pg_catalog.jsonb_agg(o::pg_catalog.oid ORDER BY i)"
"             FROM pg_catalog.unnest($4) WITH ORDINALITY u(o, i)),"
"  'owner_names', (SELECT pg_catalog.jsonb_agg(o::pg_catalog.text ORDER BY i)"
"                  FROM pg_catalog.unnest($4) WITH ORDINALITY u(o, i)),"
"  'features', $5, 'label', $6, 'k', $7, 'method', $8, 'same_label', $9,"
"  'sample_rate', $10, 'min_bins', $11, 'bin_candidates', $12,"
"  'bin_features', $13, 'lambda', $14, 'tol', $15, 'lambda2', $16,"
"  'gradients', $17, 'c', $18, 'model', $19, 'test', $20::pg_catalog.oid, 'id', $21,"
"  'positive', $22, 'max_depth', $23, 'min_samples_leaf', $24,"
"  'criterion', $25, 'knn_k', $26, 'model_c', $27, 'seed', $28)";

/* acq.submit_rank_owners(<acq.rank_owners' arguments>): checked, then queued */
Datum
acq_submit_rank_owners(PG_FUNCTION_ARGS)
{
	mycroft_check_rank_args(fcinfo);
	PG_RETURN_INT64(acq_submit_job(fcinfo, "rank_owners", params_sql));
}

/* acq.rank_owners with the arguments stored in the job's params */
static const char *run_rank_sql =
"SELECT r.rank, r.owner, r.shared, r.accuracy_hard, r.f1_hard, r.accuracy_test, r.f1_test, r.missing_labels"
" FROM acq.rank_owners("
"  trainer => ($1 OPERATOR(pg_catalog.->>) 'trainer')::pg_catalog.oid::pg_catalog.regclass,"
"  hard => ($1 OPERATOR(pg_catalog.->>) 'hard')::pg_catalog.oid::pg_catalog.regclass,"
"  held_out => ($1 OPERATOR(pg_catalog.->>) 'held_out')::pg_catalog.oid::pg_catalog.regclass,"
"  owners => (SELECT pg_catalog.array_agg(e::pg_catalog.oid::pg_catalog.regclass ORDER BY i)"
"             FROM pg_catalog.jsonb_array_elements_text($1 OPERATOR(pg_catalog.->) 'owners')"
"                  WITH ORDINALITY AS u(e, i)),"
"  features => ($1 OPERATOR(pg_catalog.->>) 'features')::pg_catalog.name,"
"  label => ($1 OPERATOR(pg_catalog.->>) 'label')::pg_catalog.name,"
"  k => ($1 OPERATOR(pg_catalog.->>) 'k')::pg_catalog.int4,"
"  method => $1 OPERATOR(pg_catalog.->>) 'method',"
"  same_label => ($1 OPERATOR(pg_catalog.->>) 'same_label')::pg_catalog.bool,"
"  sample_rate => ($1 OPERATOR(pg_catalog.->>) 'sample_rate')::pg_catalog.float8,"
"  min_bins => ($1 OPERATOR(pg_catalog.->>) 'min_bins')::pg_catalog.int4,"
"  bin_candidates => (SELECT pg_catalog.array_agg(e::pg_catalog.int4 ORDER BY i)"
"             FROM pg_catalog.jsonb_array_elements_text($1 OPERATOR(pg_catalog.->) 'bin_candidates')"
"                  WITH ORDINALITY AS u(e, i)),"
"  bin_features => (SELECT pg_catalog.array_agg(e::pg_catalog.int4 ORDER BY i)"
"             FROM pg_catalog.jsonb_array_elements_text(NULLIF($1 OPERATOR(pg_catalog.->) 'bin_features', 'null'))"
"                  WITH ORDINALITY AS u(e, i)),"
"  lambda => ($1 OPERATOR(pg_catalog.->>) 'lambda')::pg_catalog.float8,"
"  tol => ($1 OPERATOR(pg_catalog.->>) 'tol')::pg_catalog.float8,"
"  lambda2 => ($1 OPERATOR(pg_catalog.->>) 'lambda2')::pg_catalog.float8,"
"  gradients => ($1 OPERATOR(pg_catalog.->>) 'gradients')::pg_catalog.name,"
"  c => ($1 OPERATOR(pg_catalog.->>) 'c')::pg_catalog.float8,"
"  model => $1 OPERATOR(pg_catalog.->>) 'model',"
"  test => ($1 OPERATOR(pg_catalog.->>) 'test')::pg_catalog.oid::pg_catalog.regclass,"
"  id => ($1 OPERATOR(pg_catalog.->>) 'id')::pg_catalog.name,"
"  positive => ($1 OPERATOR(pg_catalog.->>) 'positive')::pg_catalog.float8,"
"  max_depth => ($1 OPERATOR(pg_catalog.->>) 'max_depth')::pg_catalog.int4,"
"  min_samples_leaf => ($1 OPERATOR(pg_catalog.->>) 'min_samples_leaf')::pg_catalog.int4,"
"  criterion => $1 OPERATOR(pg_catalog.->>) 'criterion',"
"  knn_k => ($1 OPERATOR(pg_catalog.->>) 'knn_k')::pg_catalog.int4,"
"  model_c => ($1 OPERATOR(pg_catalog.->>) 'model_c')::pg_catalog.float8,"
"  seed => ($1 OPERATOR(pg_catalog.->>) 'seed')::pg_catalog.int8) r";

typedef struct RankJob
{
	SPITupleTable *rows;		/* acq.rank_owners' result */
	uint64		n;
} RankJob;

void
acq_rank_job_run(AcqJob *job)
{
	RankJob    *rj = MemoryContextAllocZero(job->cxt, sizeof(RankJob));
	Datum		arg = DirectFunctionCall1(jsonb_in, CStringGetDatum(job->params));
	Oid			type = JSONBOID;

	acq_spi_check(SPI_execute_with_args(run_rank_sql, 1, &type, &arg, NULL, false, 0),
				  SPI_OK_SELECT, "running the job");
	rj->rows = SPI_tuptable;
	rj->n = SPI_processed;
	job->state = rj;
}

/* the ranking's rows, in acq.owner_rankings */
char *
acq_rank_job_write(AcqJob *job)
{
	RankJob    *rj = (RankJob *) job->state;
	Oid			types[10] = {INT8OID, OIDOID, INT4OID, OIDOID, INT4OID, FLOAT8OID, FLOAT8OID,
	FLOAT8OID, FLOAT8OID, FLOAT8ARRAYOID};
	SPIPlanPtr	ins;

	ins = acq_spi_prepare("INSERT INTO acq.owner_rankings (job_id, owner, rank, data_owner, shared,"
						  " accuracy_hard, f1_hard, accuracy_test, f1_test, missing_labels)"
						  " VALUES ($1, $2::pg_catalog.regrole, $3, $4::pg_catalog.regclass, $5, $6, $7, $8, $9, $10)",
						  10, types, "the ranking insert");
	for (uint64 i = 0; i < rj->n; i++)
	{
		Datum		v[10];
		char		nulls[10];

		v[0] = Int64GetDatum(job->id);
		v[1] = ObjectIdGetDatum(job->role);
		nulls[0] = nulls[1] = ' ';
		for (int c = 1; c <= 8; c++)
		{
			bool		isnull;

			v[c + 1] = SPI_getbinval(rj->rows->vals[i], rj->rows->tupdesc, c, &isnull);
			nulls[c + 1] = isnull ? 'n' : ' ';
		}
		acq_spi_check(SPI_execute_plan(ins, v, nulls, false, 0), SPI_OK_INSERT, "writing the ranking");
	}
	return psprintf(UINT64_FORMAT " owners ranked", rj->n);
}
