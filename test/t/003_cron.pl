# Scheduled background jobs (docs/jobs.md, "Nightly runs with pg_cron"):
# pg_cron, running its commands in background workers, submits a
# source-selection job every minute; the job runs and succeeds.  acq itself
# needs no shared_preload_libraries.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('acq_cron');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 16
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION pg_cron;
CREATE EXTENSION acq;
CREATE TABLE t AS
SELECT 's' || (i % 5) AS src,
       ARRAY[sin(i * 0.37), cos(i * 1.3)] AS x,
       CASE WHEN (sin(i * 0.37) + 0.5 * cos(i * 1.3) > 0.1) <> (i % 5 = 4) THEN 1 ELSE 0 END AS y
  FROM generate_series(1, 5 * 200) i;
CREATE TABLE v AS
SELECT ARRAY[sin(i * 0.37), cos(i * 1.3)] AS x,
       CASE WHEN sin(i * 0.37) + 0.5 * cos(i * 1.3) > 0.1 THEN 1 ELSE 0 END AS y
  FROM generate_series(10001, 10400) i;
});

my $cron_id = $node->safe_psql('postgres', q{
SELECT cron.schedule('acq-nightly', '* * * * *',
  $$SELECT acq.submit_select_sources('t', 'v', 'x', 'y', source_column => 'src')$$)});
like($cron_id, qr/^\d+$/, 'pg_cron schedules the submission every minute');

# the first run comes at the next full minute
my $t0 = time();
my $job;
while (time() - $t0 < 90)
{
	$job = $node->safe_psql('postgres',
		q{SELECT min(id) FROM acq.job_status WHERE status = 'succeeded'});
	last if $job ne '';
	usleep(500_000);
}
my $elapsed = time() - $t0;
isnt($job, '', sprintf('a job submitted by pg_cron succeeded (after %.0fs)', $elapsed))
  or diag $node->safe_psql('postgres', 'SELECT * FROM acq.job_status')
  . "\n" . $node->safe_psql('postgres', 'SELECT * FROM cron.job_run_details');

SKIP:
{
	skip 'no job ran', 4 unless $job ne '';
	is($node->safe_psql('postgres', "SELECT owner, method FROM acq.job_status WHERE id = $job"),
		'postgres|splice', 'owned by the role of the cron job, default method');
	is( $node->safe_psql('postgres',
			"SELECT sources, gain, cost, profit, models_trained, n_rows FROM acq.job_result($job)"),
		$node->safe_psql('postgres',
			q{SELECT sources, gain, cost, profit, models_trained, n_rows
			    FROM acq.select_sources('t', 'v', 'x', 'y', source_column => 'src')}),
		'its result equals a direct acq.select_sources call');
	is( $node->safe_psql('postgres',
			q{SELECT count(*) > 0 FROM cron.job_run_details d JOIN cron.job j USING (jobid)
			   WHERE j.jobname = 'acq-nightly' AND d.status = 'succeeded'}),
		't', 'cron.job_run_details records the submission as succeeded');
	is( $node->safe_psql('postgres',
			"SELECT count(*) FROM acq.source_selection_subsets WHERE job_id = $job"),
		$node->safe_psql('postgres', "SELECT models_trained FROM acq.job_result($job)"),
		'its subsets are kept');
}

is($node->safe_psql('postgres', q{SELECT cron.unschedule('acq-nightly')}), 't', 'unschedule');
is($node->safe_psql('postgres', q{SELECT count(*) FROM cron.job WHERE jobname = 'acq-nightly'}), '0',
	'the schedule is gone');
# no job of ours is left running
ok( $node->poll_query_until('postgres',
		q{SELECT count(*) = 0 FROM acq.job_status WHERE status IN ('queued', 'starting', 'running')}),
	'no acq job left queued or running');

$node->stop;
done_testing();
