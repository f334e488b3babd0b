/*
 * select.c -- the owner's side of Mycroft: acq.mycroft_select, its
 * arguments (shared with acq.rank_owners), and a selection run: the hard
 * rows read, then the owner's rows streamed past them (feature: distance to
 * the nearest hard row; binning: the binned distance, bins fitted on a
 * first, sampling pass; random: a seeded reservoir sample), or handed to
 * gradient matching (omp, combined: omp_select.c).  Every method notes the labels
 * of D_hard the owner lacks.
 */
#include "postgres.h"

#include <math.h>

#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/memutils.h"

#include "pg/mycroft/mycroft.h"
#include "core/nearest.h"

PG_FUNCTION_INFO_V1(acq_mycroft_select);

static const AcqOption method_options[] = {
	{"feature", SEL_FEATURE},
	{"binning", SEL_BINNING},
	{"omp", SEL_OMP},
	{"combined", SEL_COMBINED},
	{"random", SEL_RANDOM},
	{NULL, 0}
};

/* ---- arguments ---------------------------------------------------------- */

void
mycroft_check_sel_spec(const SelSpec *s)
{
	if (s->k <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be positive, not " INT64_FORMAT, s->k),
				 errhint("k is the number of rows the owner shares.")));
	/* the k best rows' ids, scores and weights, and the top-k heap */
	acq_check_memory((double) s->k * (2 * sizeof(int64) + 3 * sizeof(double)),
					 "keeping the k rows selected",
					 "Lower k: an owner shares at most all of its rows");
	if (!(s->lambda >= 0.0) || !isfinite(s->lambda) || !(s->lambda2 >= 0.0) || !isfinite(s->lambda2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lambda and lambda2 must be non-negative, not %g and %g", s->lambda, s->lambda2)));
	if (!(s->tol >= 0.0) || !isfinite(s->tol))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tol must be non-negative, not %g", s->tol)));
	if (!(s->sample_rate > 0.0 && s->sample_rate <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sample_rate must be in (0, 1], not %g", s->sample_rate)));
	if (s->min_bins < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_bins must be at least 2, not %d", s->min_bins),
				 errhint("A feature binned into one bin tells no rows apart.")));
	for (int i = 0; i < s->ncand; i++)
		if (s->candidates[i] < 2 || (i > 0 && s->candidates[i] <= s->candidates[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bin_candidates must be ascending bin counts of at least 2"),
					 errhint("For example '{5,10,20,50,100}'.")));
	if (!(s->c > 0.0) || !isfinite(s->c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("c must be positive, not %g", s->c)));
}

/* an int[] argument, each element less offset (1-based to 0-based) */
static int *
int_array_arg(FunctionCallInfo fcinfo, int argno, const char *argname, int *n, int offset)
{
	int		   *out = acq_int4_array_arg(PG_GETARG_ARRAYTYPE_P(argno), n, argname);

	for (int i = 0; i < *n; i++)
		out[i] -= offset;
	return out;
}

void
mycroft_sel_args(FunctionCallInfo fcinfo, int first, SelSpec *s)
{
	static const char *names[] = {"method", "same_label", "sample_rate", "min_bins",
	"bin_candidates", "bin_features", "lambda", "tol", "lambda2", "gradients", "c"};

	for (int i = 0; i < 11; i++)
		if (i != 5 && i != 9)
			acq_arg_require(fcinfo, first + i, names[i]);
	s->method = acq_parse_option(method_options, acq_arg_text(fcinfo, first, "method", true), "method",
								 "Use 'feature', 'binning', 'omp', 'combined' or 'random'.");
	s->same_label = PG_GETARG_BOOL(first + 1);
	s->sample_rate = PG_GETARG_FLOAT8(first + 2);
	s->min_bins = PG_GETARG_INT32(first + 3);
	s->candidates = int_array_arg(fcinfo, first + 4, "bin_candidates", &s->ncand, 0);
	if (s->ncand < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bin_candidates must not be empty")));
	if (!PG_ARGISNULL(first + 5))
		s->bin_features = int_array_arg(fcinfo, first + 5, "bin_features", &s->nbin_features, 1);
	s->lambda = PG_GETARG_FLOAT8(first + 6);
	s->tol = PG_GETARG_FLOAT8(first + 7);
	s->lambda2 = PG_GETARG_FLOAT8(first + 8);
	s->owner.gradients = acq_arg_name(fcinfo, first + 9, "gradients", false);
	s->hard.gradients = s->owner.gradients;
	if (s->owner.gradients && s->method != SEL_OMP && s->method != SEL_COMBINED)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("gradients is for the 'omp' and 'combined' methods")));
	s->c = PG_GETARG_FLOAT8(first + 10);
}

/* ---- feature and binning: the owner's rows streamed past the hard rows ---- */

typedef struct DistanceScan
{
	SelSpec    *s;
	AcqHardSet *hs;				/* feature */
	AcqBinning *bins;			/* binning */
	const Rows *hard;
	double	   *hlabels;		/* NULL unless same_label */
	AcqTopK    *topk;
	double	   *dist;
	int64	   *ids;			/* every owner id, for the uniqueness check */
	int64		nids;
	int64		cap;
	AcqRng	   *rng;			/* binning: the sample, tie-breaking jitter */
	/* binning's first pass: a sample of the owner's rows */
	bool		sampling;
	double	   *sample;
	int64		nsample;
	int64		sample_cap;
} DistanceScan;

/* append a chunk's ids to a growing array (*ids, *n of *cap), its memory checked */
static void
append_ids(int64 **ids, int64 *n, int64 *cap, const AcqRowBuf *chunk, double *held)
{
	if (*n + chunk->n > *cap)
	{
		int64		newcap = Max(*cap * 2, *n + chunk->n);

		/* the array at its new size (grown in place: base's rows.c) */
		acq_check_memory(*held + sizeof(int64) * (double) (newcap - *cap),
						 psprintf("keeping the owner's ids (" INT64_FORMAT " so far)", *n + chunk->n),
						 "Every owner id is kept, to check that ids are unique: use an owner table with fewer rows");
		*held += sizeof(int64) * (double) (newcap - *cap);
		*cap = newcap;
		*ids = *ids ? repalloc_huge(*ids, sizeof(int64) * *cap) :
			palloc_extended(sizeof(int64) * *cap, MCXT_ALLOC_HUGE);
	}
	memcpy(*ids + *n, chunk->ids, sizeof(int64) * chunk->n);
	*n += chunk->n;
}

static void
distance_chunk(void *arg, const AcqRowBuf *chunk)
{
	DistanceScan *c = (DistanceScan *) arg;
	const double *ylab = c->hlabels ? chunk->y : NULL;

	if (c->sampling)
	{
		/* binning, first pass: a seeded Bernoulli sample of the owner */
		while (c->sample_cap < c->nsample + chunk->n)
		{
			int64		newcap = c->sample_cap ? c->sample_cap * 2 : 1024;

			acq_memory_take(c->s->held, sizeof(double) * (double) chunk->d * (newcap - c->sample_cap),
							psprintf("binning: sampling the owner's rows (" INT64_FORMAT " of %d features so far)",
									 c->nsample + chunk->n, chunk->d),
							"The sample is held in memory (8 bytes a feature): lower sample_rate");
			c->sample_cap = newcap;
			c->sample = c->sample ? repalloc_huge(c->sample, sizeof(double) * c->sample_cap * chunk->d) :
				palloc_extended(sizeof(double) * c->sample_cap * chunk->d, MCXT_ALLOC_HUGE);
		}
		c->nsample += acq_sample_rows(c->rng, c->s->sample_rate, chunk->X, chunk->n, chunk->d,
									  c->sample + c->nsample * chunk->d);
		return;
	}
	append_ids(&c->ids, &c->nids, &c->cap, chunk, c->s->held);
	if (c->dist == NULL)
		c->dist = palloc(sizeof(double) * ACQ_FETCH_BATCH);
	if (c->bins)
	{
		acq_binning_min_dist(c->bins, chunk->X, ylab, chunk->n, c->hard->b.X, c->hlabels,
							 c->hard->b.n, c->dist);
		/* binned distances are whole numbers: break ties at random, seeded */
		for (int64 i = 0; i < chunk->n; i++)
			c->dist[i] += 0.5 * acq_rng_double(c->rng);
	}
	else
	{
		acq_hardset_min_dist(c->hs, chunk->X, ylab, chunk->n, c->dist);
		for (int64 i = 0; i < chunk->n; i++)
			c->dist[i] = sqrt(c->dist[i]);
	}
	acq_topk_push_array(c->topk, c->dist, chunk->ids, chunk->n, 0);
}

/* binning: the bins, fitted on the hard rows and a sample of the owner's */
static AcqBinning *
fit_bins(DistanceScan *c, int d)
{
	const SelSpec *s = c->s;
	int		   *features = NULL;
	int			nf = 0;
	AcqStatus	st;
	char		errbuf[256];
	AcqBinning *bins;

	/* the arguments first (bin_candidates and min_bins: mycroft_check_sel_spec) */
	if (s->bin_features)
	{
		features = s->bin_features;
		nf = s->nbin_features;
		if (nf < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bin_features must name at least one feature"),
					 errhint("Pass NULL to bin every feature, or the 1-based features to bin.")));
		if (nf > ACQ_BINNING_MAX_FEATURES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("bin_features names %d features; binning bins at most %d",
							nf, ACQ_BINNING_MAX_FEATURES),
					 errhint("Name at most %d features in bin_features.", ACQ_BINNING_MAX_FEATURES)));
		for (int i = 0; i < nf; i++)
			if (features[i] < 0 || features[i] >= d)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("bin_features names dimension %d but the features have %d",
								features[i] + 1, d)));
	}
	else if (d > ACQ_BINNING_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the features have %d dimensions; binning bins at most %d of them",
						d, ACQ_BINNING_MAX_FEATURES),
				 errhint("Pass bin_features => the (1-based) features to bin, at most %d, or use method => 'feature'.",
						 ACQ_BINNING_MAX_FEATURES)));
	c->sampling = true;
	mycroft_stream_rows(&s->owner, distance_chunk, c, &d);
	c->sampling = false;
	if (s->bin_features == NULL)
	{
		nf = d;
		features = palloc(sizeof(int) * d);
		for (int i = 0; i < d; i++)
			features[i] = i;
	}
	/* the bins' codes of the hard rows and their distinct vectors, the sorted values */
	acq_memory_take(s->held, sizeof(double) * (double) (c->hard->b.n + c->nsample) +
					(6.0 * nf + 24.0) * (double) c->hard->b.n,
					psprintf("binning %d features of " INT64_FORMAT " hard rows", nf, c->hard->b.n),
					"Bin fewer features (bin_features) or use fewer hard rows");
	st = acq_binning_fit(c->hard->b.X, c->hard->b.n, c->sample, c->nsample, d, features, nf,
						 s->candidates, s->ncand, s->min_bins, &bins, errbuf, sizeof(errbuf));
	if (st != ACQ_OK)
		ereport(ERROR,
				(errcode(st == ACQ_ERR_TOO_LARGE ? ERRCODE_PROGRAM_LIMIT_EXCEEDED : ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fitting the bins failed: %s", errbuf),
				 st == ACQ_ERR_TOO_LARGE ?
				 errhint("Binned distances are counted in 16 bits: lower bin_candidates, or bin fewer features (bin_features).") : 0));
	return bins;
}

/* feature or binning: the k owner rows nearest to a hard row */
static void
select_by_distance(SelSpec *s, const Rows *hard, AcqRng *rng, SelResult *res)
{
	DistanceScan c = {0};
	int			d = hard->b.d;
	int64		nres;

	c.s = s;
	c.hard = hard;
	c.hlabels = s->same_label ? hard->b.y : NULL;
	c.topk = acq_topk_create(s->k);
	c.rng = rng;
	if (s->method == SEL_BINNING)
		c.bins = fit_bins(&c, d);
	else
	{
		mycroft_take_hardset(s, hard);
		c.hs = acq_hardset_create(hard->b.X, c.hlabels, hard->b.n, d);
	}
	mycroft_stream_rows(&s->owner, distance_chunk, &c, &d);
	mycroft_check_owner_ids(s, c.ids, c.nids, res);
	res->id = palloc(sizeof(int64) * s->k);
	res->score = palloc(sizeof(double) * s->k);
	nres = acq_topk_result(c.topk, res->id, res->score);
	res->n = nres;
	res->weight = palloc(sizeof(double) * (nres + 1));
	for (int64 i = 0; i < nres; i++)
	{
		res->weight[i] = NAN;
		if (s->method == SEL_BINNING)
			res->score[i] = floor(res->score[i]);
		if (!isfinite(res->score[i]))
			res->score[i] = NAN;	/* no hard row of its label */
	}
	acq_topk_free(c.topk);
	if (c.hs)
		acq_hardset_free(c.hs);
	if (c.bins)
		acq_binning_free(c.bins);
}

/* ---- random: a seeded reservoir sample among rows with D_hard's labels ---- */

typedef struct ReservoirScan
{
	int64		k;
	int64		seen;
	int64	   *ids;
	const double *hard_labels;
	int			nlabels;
	AcqRng	   *rng;
	int64	   *all;
	int64		nall;
	int64		cap;
	double	   *held;
} ReservoirScan;

static void
reservoir_chunk(void *arg, const AcqRowBuf *chunk)
{
	ReservoirScan *c = (ReservoirScan *) arg;

	append_ids(&c->all, &c->nall, &c->cap, chunk, c->held);
	for (int64 i = 0; i < chunk->n; i++)
	{
		if (!acq_has_value(c->hard_labels, c->nlabels, chunk->y[i]))
			continue;
		if (c->seen < c->k)
			c->ids[c->seen] = chunk->ids[i];
		else
		{
			int64		j = (int64) acq_rng_below(c->rng, (uint64) c->seen + 1);

			if (j < c->k)
				c->ids[j] = chunk->ids[i];
		}
		c->seen++;
	}
}

static void
select_random(SelSpec *s, const Rows *hard, const double *hl, int nhl, AcqRng *rng,
			  SelResult *res)
{
	ReservoirScan c = {0};
	int			d = hard->b.d;

	c.k = s->k;
	c.held = s->held;
	c.ids = palloc(sizeof(int64) * s->k);
	c.hard_labels = hl;
	c.nlabels = nhl;
	c.rng = rng;
	mycroft_stream_rows(&s->owner, reservoir_chunk, &c, &d);
	mycroft_check_owner_ids(s, c.all, c.nall, res);
	res->n = Min(c.seen, c.k);
	res->id = c.ids;
	res->score = palloc(sizeof(double) * (res->n + 1));
	res->weight = palloc(sizeof(double) * (res->n + 1));
	for (int64 i = 0; i < res->n; i++)
		res->score[i] = res->weight[i] = NAN;
	if (c.seen < c.k)
		ereport(NOTICE,
				(errmsg("the owner has only " INT64_FORMAT " rows with D_hard's labels; " INT64_FORMAT " were asked",
						c.seen, c.k)));
}

/* ---- a selection ---------------------------------------------------------- */

char *
mycroft_format_labels(const double *v, int n)
{
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < n; i++)
		appendStringInfo(&s, "%s%g", i ? ", " : "", v[i]);
	return s.data;
}

/*
 * The owner's n rows, read: their ids unique (ids is sorted in place), and
 * at least k of them.
 */
void
mycroft_check_owner_ids(const SelSpec *s, int64 *ids, int64 n, SelResult *res)
{
	res->owner_rows = n;
	if (n > 0)
		mycroft_check_unique_ids(ids, n, acq_rel_display_name(s->owner.rel));
	if (s->k > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k = " INT64_FORMAT " is more than the owner's " INT64_FORMAT " rows", s->k, n),
				 errhint("An owner shares at most all of its rows.")));
}

void
mycroft_run_selection(SelSpec *s, SelResult *res)
{
	Rows		hard = {0};
	int			d = -1,
				m = -1;
	double	   *hl;
	int			nhl;
	pg_prng_state st;
	AcqRng		rng;

	double		own = 0.0;

	memset(res, 0, sizeof(*res));
	mycroft_check_sel_spec(s);
	/* the call's tally of what it holds (acq.rank_owners passes its own) */
	if (s->held == NULL)
		s->held = &own;
	s->hard.held = s->owner.held = s->held;
	mycroft_read_rows(&s->hard, &hard, -1, &d, s->hard.gradients ? &m : NULL);
	if (hard.b.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("the hard examples table %s has no rows", acq_rel_display_name(s->hard.rel)),
				 errhint("D_hard holds the rows the trainer's model gets wrong: acq.hard_examples.")));
	nhl = acq_distinct_values(hard.b.y, hard.b.n, &hl);
	/* every method scans all of the owner: it notes which of D_hard's labels it has */
	s->owner.want = hl;
	s->owner.nwant = nhl;
	s->owner.seen = palloc0(sizeof(bool) * nhl);
	acq_pg_rng_init(&rng, &st, s->seed);
	/* the k rows' ids, scores and weights, and the top-k heap */
	acq_memory_take(s->held, (double) s->k * (2 * sizeof(int64) + 3 * sizeof(double)),
					"keeping the k rows selected", "Lower k: an owner shares at most all of its rows");

	if (s->method == SEL_FEATURE || s->method == SEL_BINNING)
		select_by_distance(s, &hard, &rng, res);
	else if (s->method == SEL_RANDOM)
		select_random(s, &hard, hl, nhl, &rng, res);
	else
		mycroft_select_omp(s, &hard, hl, nhl, res);

	/* D_hard's labels the owner lacks: say so (the selection stands) */
	res->missing = palloc(sizeof(double) * (nhl + 1));
	for (int i = 0; i < nhl; i++)
		if (!s->owner.seen[i])
			res->missing[res->nmissing++] = hl[i];
	s->owner.seen = NULL;
	if (s->held == &own)
		s->held = s->hard.held = s->owner.held = NULL;
	if (res->nmissing > 0)
		ereport(NOTICE,
				(errmsg("owner %s has no rows with label%s %s of D_hard; it selected from what it has",
						acq_rel_display_name(s->owner.rel), res->nmissing > 1 ? "s" : "",
						mycroft_format_labels(res->missing, res->nmissing))));
}

/*
 * acq.mycroft_select(owner, hard, id, features, label, k, method, same_label,
 *   sample_rate, min_bins, bin_candidates, bin_features, lambda, tol,
 *   lambda2, gradients, c, seed, hard_features, hard_label)
 */
Datum
acq_mycroft_select(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SelSpec		s = {0};
	SelResult	res;
	MemoryContext old;

	InitMaterializedSRF(fcinfo, 0);
	s.owner.rel = acq_arg_regclass(fcinfo, 0, "owner");
	s.hard.rel = acq_arg_regclass(fcinfo, 1, "hard");
	s.owner.id = s.hard.id = acq_arg_name(fcinfo, 2, "id", true);
	s.owner.features = acq_arg_name(fcinfo, 3, "features", true);
	s.owner.label = acq_arg_name(fcinfo, 4, "label", true);
	acq_arg_require(fcinfo, 5, "k");
	s.k = PG_GETARG_INT32(5);
	mycroft_sel_args(fcinfo, 6, &s);
	acq_arg_require(fcinfo, 17, "seed");
	s.seed = PG_GETARG_INT64(17);
	s.hard.features = PG_ARGISNULL(18) ? s.owner.features : acq_arg_name(fcinfo, 18, "hard_features", false);
	s.hard.label = PG_ARGISNULL(19) ? s.owner.label : acq_arg_name(fcinfo, 19, "hard_label", false);
	if (s.owner.rel == s.hard.rel)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("owner and hard must be different tables")));

	old = CurrentMemoryContext;
	acq_spi_check(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
	MemoryContextSwitchTo(old);
	mycroft_run_selection(&s, &res);
	SPI_finish();
	for (int64 i = 0; i < res.n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum((int32) (i + 1));
		values[1] = Int64GetDatum(res.id[i]);
		values[2] = Float8GetDatum(res.score[i]);
		nulls[2] = isnan(res.score[i]);
		values[3] = Float8GetDatum(res.weight[i]);
		nulls[3] = isnan(res.weight[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
