# Background jobs (docs/jobs.md): acq.submit_select_sources runs a search in
# a dynamic background worker ('acq job') as the submitting role.  Checked
# here: a job's result equals the foreground call's; acq.max_jobs bounds the
# workers of one database; cancel is prompt; a worker that dies (SIGKILL,
# immediate restart) leaves a failed job and nothing half-written; roles see
# only their own jobs, acq_admin members see all.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('acq_jobs');
$node->init;
$node->append_conf('postgresql.conf', q{
max_worker_processes = 16
acq.max_jobs = 2
restart_after_crash = on
});
$node->start;

# Three problems, all with a few corrupted sources:
#   small: 6 sources x 200 rows  (exhaustive: 63 subsets, well under a second)
#   mid:  14 sources x 300 rows  (exhaustive: 16383 subsets, about a second)
#   big:  15 sources x 4000 rows (exhaustive: 32767 subsets, ~15 s; every job
#         on it must still be running when the tests cancel it -- 14 x 2000
#         rows took under 4 s once the logistic fits got faster)
my $data = q{
CREATE EXTENSION acq;
CREATE FUNCTION feat(i int, n int) RETURNS float8[] LANGUAGE sql IMMUTABLE AS $$
  SELECT (ARRAY[sin(i * 0.37), cos(i * 1.3), sin(i * 0.11) * cos(i * 0.7),
                sin(i * 0.013), cos(i * 0.071)])[1:n] $$;
CREATE FUNCTION lab(i int) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN sin(i * 0.37) + 0.6 * cos(i * 1.3) > 0.2 THEN 1 ELSE 0 END $$;
CREATE TABLE small AS
SELECT 's' || (i % 6) AS src, feat(i, 3) AS features,
       CASE WHEN i % 6 = 2 THEN 1 - lab(i) ELSE lab(i) END AS y
  FROM generate_series(1, 6 * 200) i;
CREATE TABLE small_val AS
SELECT feat(i, 3) AS features, lab(i) AS y FROM generate_series(100001, 100500) i;
CREATE TABLE mid AS
SELECT 's' || (i % 14) AS src, feat(i, 3) AS features,
       CASE WHEN i % 14 IN (3, 7, 11) THEN 1 - lab(i) ELSE lab(i) END AS y
  FROM generate_series(1, 14 * 300) i;
CREATE TABLE mid_val AS
SELECT feat(i, 3) AS features, lab(i) AS y FROM generate_series(100001, 101000) i;
CREATE TABLE big AS
SELECT 's' || lpad((i % 15)::text, 2, '0') AS src, feat(i, 5) AS features,
       CASE WHEN i % 15 IN (3, 7, 11) THEN 1 - lab(i) ELSE lab(i) END AS y
  FROM generate_series(1, 15 * 4000) i;
CREATE TABLE big_val AS
SELECT feat(i, 5) AS features, lab(i) AS y FROM generate_series(100001, 102000) i;
};
$node->safe_psql('postgres', $data);

my $SMALL = q{'small', 'small_val', 'features', 'y', method => 'exhaustive', source_column => 'src'};
my $MID   = q{'mid', 'mid_val', 'features', 'y', method => 'exhaustive', source_column => 'src'};
my $BIG   = q{'big', 'big_val', 'features', 'y', method => 'exhaustive', source_column => 'src'};

sub sql { return $node->safe_psql($_[1] // 'postgres', $_[0]); }

# psql as $role; returns ($ret, $stdout, $stderr), errors with their SQLSTATE
sub psql_as
{
	my ($role, $q, $db) = @_;
	return $node->psql($db // 'postgres', "\\set VERBOSITY verbose\n$q",
		extra_params => [ '-U', $role ]);
}

sub submit { return sql("SELECT acq.submit_select_sources($_[0])", $_[1]); }
sub status { return sql("SELECT status FROM acq.job_status WHERE id = $_[0]", $_[1]); }

# poll $cond every 50 ms for up to $timeout seconds; its last value
sub poll
{
	my ($timeout, $cond) = @_;
	my $t0 = time();
	my $v;
	while (1)
	{
		$v = $cond->();
		return $v if $v || time() - $t0 > $timeout;
		usleep(50_000);
	}
}

# wait until the job runs in an 'acq job' worker; returns the worker's pid
sub wait_running
{
	my ($job, $db) = @_;
	my $pid = poll(60, sub {
		my $r = sql(qq{SELECT s.worker_pid FROM acq.job_status s
			JOIN pg_stat_activity a ON a.pid = s.worker_pid AND a.backend_type = 'acq job'
			WHERE s.id = $job AND s.status = 'running'}, $db);
		return $r ne '' ? $r : undef;
	});
	die "job $job did not start running: " . sql("SELECT * FROM acq.job_status WHERE id = $job", $db)
	  unless $pid;
	return $pid;
}

sub n_workers
{
	return sql(qq{SELECT count(*) FROM pg_stat_activity
		WHERE backend_type = 'acq job' AND datname = current_database()}, $_[0]);
}

# crash recovery or restart: wait until the server takes queries again
sub wait_server
{
	$node->poll_query_until('postgres', 'SELECT 1', '1') or die 'server did not come back';
}

# ---------------------------------------------------------------------------
# 1. a job succeeds, with the foreground call's result
# ---------------------------------------------------------------------------
my $t0 = time();
my $job = submit($SMALL);
like($job, qr/^\d+$/, 'submit returns a job id');
is(sql("SELECT acq.job_wait($job, '60 s')"), 'succeeded', 'small job succeeds');
note sprintf('small job: %.2fs from submit to job_wait', time() - $t0);
is( sql("SELECT sources, gain, cost, profit, models_trained, n_rows FROM acq.job_result($job)"),
	sql("SELECT sources, gain, cost, profit, models_trained, n_rows FROM acq.select_sources($SMALL)"),
	'job_result equals select_sources on the same arguments');
is(sql("SELECT models_trained FROM acq.job_result($job)"), '63', 'exhaustive on 6 sources: 63 models');
is( sql(qq{SELECT count(*) FROM acq.source_selection_subsets WHERE job_id = $job}),
	'63', 'the subsets table holds models_trained rows');
is( sql(qq{SELECT count(DISTINCT ord) = count(*) AND max(ord) - min(ord) + 1 = count(*)
	         AND count(DISTINCT sources) = count(*)
	FROM acq.source_selection_subsets WHERE job_id = $job}),
	't', 'subsets: one row per distinct subset, ord without gaps');
is( sql(qq{SELECT p.profit = (SELECT max(profit) FROM acq.source_selection_subsets WHERE job_id = $job)
	          AND EXISTS (SELECT 1 FROM acq.source_selection_subsets s
	                       WHERE s.job_id = $job AND s.sources = p.sources AND s.profit = p.profit)
	FROM acq.source_selection_plans p WHERE p.job_id = $job}),
	't', 'exhaustive: the plan is the best subset trained');
is( sql(qq{SELECT kind, owner, method, status, progress, error_sqlstate IS NULL, error_message IS NULL,
	         started_at IS NOT NULL, finished_at >= started_at, started_at >= created_at,
	         elapsed = finished_at - started_at, worker_pid IS NOT NULL
	FROM acq.job_status WHERE id = $job}),
	'select_sources|postgres|exhaustive|succeeded|1|t|t|t|t|t|t|t', 'job_status of a succeeded job');
ok(poll(5, sub { n_workers() eq '0' }), 'no worker is left once the job is done');

# the same with the default method (splice), whose subsets are memoised
my $SPLICE = q{'mid', 'mid_val', 'features', 'y', source_column => 'src', seed => 3};
my $sjob = submit($SPLICE);
is(sql("SELECT acq.job_wait($sjob, '60 s')"), 'succeeded', 'splice job succeeds');
is( sql("SELECT sources, gain, cost, profit, models_trained, n_rows FROM acq.job_result($sjob)"),
	sql("SELECT sources, gain, cost, profit, models_trained, n_rows FROM acq.select_sources($SPLICE)"),
	'splice: job_result equals select_sources');
is( sql(qq{SELECT count(*) = (SELECT models_trained FROM acq.source_selection_plans WHERE job_id = $sjob)
	          AND max(ord) - min(ord) + 1 = count(*) AND count(DISTINCT sources) = count(*)
	FROM acq.source_selection_subsets WHERE job_id = $sjob}),
	't', 'splice: models_trained subset rows, ord without gaps');

# a result is only there for a succeeded job
my ($ret, $stdout, $stderr) = psql_as('postgres', 'SELECT acq.job_wait(-1)');
like($stderr, qr/ERROR:\s+42704/, 'job_wait on an unknown job: undefined_object');

# ---------------------------------------------------------------------------
# 2. four jobs at once: all succeed, never more than acq.max_jobs = 2 workers
# ---------------------------------------------------------------------------
$t0 = time();
my @jobs = map { submit($MID) } 1 .. 4;
my ($max_workers, $max_active, $max_queued, $samples) = (0, 0, 0, 0);
poll(180, sub {
	my ($w, $active, $queued, $open) = split /\|/, sql(qq{
		SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'acq job'),
		       count(*) FILTER (WHERE status = 'running'),
		       count(*) FILTER (WHERE status = 'queued'),
		       count(*) FILTER (WHERE status IN ('queued', 'running'))
		  FROM acq.job_status WHERE id IN (@{[ join ',', @jobs ]})});
	$samples++;
	$max_workers = $w      if $w > $max_workers;
	$max_active  = $active if $active > $max_active;
	$max_queued  = $queued if $queued > $max_queued;
	return $open == 0;
});
my $elapsed = time() - $t0;
note sprintf('4 mid jobs: %.1fs, %d samples', $elapsed, $samples);
is( sql("SELECT string_agg(status, ',' ORDER BY id) FROM acq.job_status WHERE id IN (@{[ join ',', @jobs ]})"),
	'succeeded,succeeded,succeeded,succeeded', 'four jobs submitted at once all succeed');
cmp_ok($max_workers, '<=', 2, "at most 2 'acq job' workers at any sampled moment (saw $max_workers)");
cmp_ok($max_active, '<=', 2, "at most 2 jobs running at once (saw $max_active)");
is($max_workers, 2, 'two workers did run side by side');
cmp_ok($max_queued, '>=', 1, "some jobs waited in the queue (saw $max_queued)");
# the same from the jobs' own times: no instant lies inside three runs
is( sql(qq{SELECT max((SELECT count(*) FROM acq.jobs k WHERE k.id IN (@{[ join ',', @jobs ]})
	                         AND k.started_at <= j.started_at AND j.started_at < k.finished_at))
	FROM acq.jobs j WHERE j.id IN (@{[ join ',', @jobs ]})}),
	'2', 'no job started while two others were running');
is( sql(qq{SELECT count(DISTINCT (sources, profit)) FROM acq.source_selection_plans
	WHERE job_id IN (@{[ join ',', @jobs ]})}), '1', 'the four runs chose the same plan');

# acq.max_jobs is per database: two more run in another database meanwhile
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', $data);
my @here  = map { submit($BIG) } 1 .. 2;
my @there = map { submit($BIG, 'other') } 1 .. 2;
wait_running($_) for @here;
wait_running($_, 'other') for @there;
is(sql("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'acq job'"), '4',
	'acq.max_jobs = 2 per database: four workers in two databases');
# a third job in this database waits; cancelling it while queued
my $queued = submit($SMALL);
usleep(300_000);
is(status($queued), 'queued', 'a third job in a database with two running waits');
is(sql("SELECT acq.cancel($queued)"), 't', 'cancel a queued job');
is(status($queued), 'cancelled', 'a queued job is cancelled at once');
is(sql("SELECT acq.cancel($_)", 'other'), 't', 'cancel a running job') for @there;
is(sql("SELECT acq.cancel($_)"), 't', 'cancel a running job') for @here;
ok(poll(5, sub { n_workers() eq '0' && n_workers('other') eq '0' }), 'all workers gone after cancel');
is(status($queued), 'cancelled', 'the cancelled queued job never started');
is(sql("SELECT worker_pid IS NULL AND started_at IS NULL FROM acq.jobs WHERE id = $queued"), 't',
	'no worker was started for it');

# acq.max_jobs is PGC_SIGHUP: lowered from 2 to 1 while two jobs run, the
# queue waits until only one is left, then moves on when that one ends
my @two = map { submit($BIG) } 1 .. 2;
wait_running($_) for @two;
$queued = submit($SMALL);
$node->append_conf('postgresql.conf', "acq.max_jobs = 1\n");
$node->reload;
usleep(500_000);
sql("SELECT acq.cancel($two[0])");
poll(5, sub { status($two[0]) eq 'cancelled' });
usleep(500_000);
is(status($queued), 'queued',
	'acq.max_jobs lowered to 1 by reload: with one job still running the queued job waits');
sql("SELECT acq.cancel($two[1])");
is(sql("SELECT acq.job_wait($queued, '60 s')"), 'succeeded',
	'the queued job starts when the running one ends');
my $first  = submit($BIG);
my $second = submit($SMALL);
wait_running($first);
usleep(300_000);
is(status($second), 'queued', 'acq.max_jobs = 1: a second job waits behind a running one');
sql("SELECT acq.cancel($_)") for ($first, $second);
$node->append_conf('postgresql.conf', "acq.max_jobs = 2\n");
$node->reload;
poll(10, sub { n_workers() eq '0' });
usleep(300_000);

# ---------------------------------------------------------------------------
# 3. job_wait on a job that starts while it waits; cancel a long running job
# ---------------------------------------------------------------------------
# job_wait on a job that starts while it waits must see it running, not dead:
# two long jobs run, a third and a fourth wait; job_wait on the third while
# the first is cancelled, which hands its slot to the third
my @ab = map { submit($BIG) } 1 .. 2;
wait_running($_) for @ab;
my ($third, $fourth) = map { submit($BIG) } 1 .. 2;
my ($wait_out, $wait_err) = ('', '');
my $waiter = IPC::Run::start(
	[ $node->installed_command('psql'), '-XAtq', '-d', $node->connstr('postgres'),
	  '-c', "SELECT acq.job_wait($third, '4 s')" ],
	'>', \$wait_out, '2>', \$wait_err);
usleep(500_000);
sql("SELECT acq.cancel($ab[0])");
$waiter->finish;
chomp $wait_out;
is($wait_out, 'running', 'job_wait on a queued job that starts while it waits: running')
  or diag $wait_err;
is(sql("SELECT string_agg(status, ',' ORDER BY id) FROM acq.jobs WHERE id IN ($ab[1], $third, $fourth)"),
	'running,running,queued', 'and acq.jobs still says running, running, queued');
cmp_ok(n_workers(), '<=', 2, 'still at most acq.max_jobs workers');
sql("SELECT acq.cancel($fourth)");
sql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE backend_type = 'acq job'");
sql("SELECT acq.cancel(id) FROM acq.jobs WHERE status IN ('queued', 'running')");
poll(10, sub { n_workers() eq '0' }) or die 'workers left behind';

$job = submit($BIG);
my $pid = wait_running($job);
my $progress = poll(20, sub {
	my $p = sql("SELECT progress FROM acq.job_status WHERE id = $job");
	return $p > 0 && $p < 1 ? $p : undef;
});
ok($progress, "a running job reports progress in (0, 1): $progress");
is(sql("SELECT usename FROM pg_stat_activity WHERE pid = $pid"), 'postgres',
	'the worker runs as the submitting role');
$t0 = time();
is(sql("SELECT acq.job_wait($job, '200 ms')"), 'running', 'job_wait with a timeout returns the current status');
$elapsed = time() - $t0;
cmp_ok($elapsed, '<', 2, sprintf('and returns after the timeout (%.2fs)', $elapsed));
($ret, $stdout, $stderr) = psql_as('postgres', "SELECT * FROM acq.job_result($job)");
like($stderr, qr/ERROR:\s+55000/, 'job_result of a running job: object_not_in_prerequisite_state');

$t0 = time();
is(sql("SELECT acq.cancel($job)"), 't', 'cancel a running job');
my $st = poll(5, sub { my $s = status($job); return $s eq 'cancelled' ? $s : undef; });
$elapsed = time() - $t0;
is($st, 'cancelled', 'the job ends cancelled');
cmp_ok($elapsed, '<', 1, sprintf('within a second (%.2fs)', $elapsed));
ok(poll(5, sub { sql("SELECT count(*) FROM pg_stat_activity WHERE pid = $pid") eq '0' }),
	'its worker exits');
is(sql("SELECT status, finished_at IS NOT NULL FROM acq.jobs WHERE id = $job"), 'cancelled|t',
	'acq.jobs: cancelled, with finished_at');
is(sql("SELECT count(*) FROM acq.source_selection_plans WHERE job_id = $job"), '0', 'no plan row');
is(sql("SELECT count(*) FROM acq.source_selection_subsets WHERE job_id = $job"), '0', 'no subset rows');
is(sql("SELECT acq.cancel($job)"), 'f', 'cancelling an ended job returns false');
is(sql("SELECT acq.job_wait($job)"), 'cancelled', 'job_wait on a cancelled job returns at once');

# ---------------------------------------------------------------------------
# 4. SIGKILL of a worker: crash recovery; the job fails, nothing half-written
# ---------------------------------------------------------------------------
# the crash/restart checks of sections 4 and 5
sub check_dead_job
{
	my ($job, $what) = @_;
	is(status($job), 'failed', "$what: acq.job_status shows the job failed right away");
	is(sql("SELECT count(*) FROM acq.source_selection_plans WHERE job_id = $job"), '0',
		"$what: no plan row");
	is(sql("SELECT count(*) FROM acq.source_selection_subsets WHERE job_id = $job"), '0',
		"$what: no subset rows");
	is(sql("SELECT acq.job_wait($job, '10 s')"), 'failed', "$what: job_wait returns failed");
	# job_wait kicks the queue through a worker of its own, which records it
	poll(10, sub { sql("SELECT status FROM acq.jobs WHERE id = $job") eq 'failed' });
	my ($jst, $msg) = split /\|/, sql("SELECT status, error_message FROM acq.jobs WHERE id = $job");
	is($jst, 'failed', "$what: soon after job_wait the acq.jobs row says failed");
	like($msg, qr/without finishing/i, "$what: error_message: $msg");
	like($msg, qr/resubmit|submit it again/i, "$what: error_message says to resubmit");
	is(sql("SELECT finished_at IS NOT NULL FROM acq.jobs WHERE id = $job"), 't',
		"$what: finished_at is set");
	my $next = submit($SMALL);
	is(sql("SELECT acq.job_wait($next, '60 s')"), 'succeeded', "$what: a new job succeeds");
}

$job = submit($BIG);
$pid = wait_running($job);
my $log_offset = -s $node->logfile;
ok(kill('KILL', $pid), "SIGKILL the worker (pid $pid)");
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
wait_server();
check_dead_job($job, 'SIGKILL');

# a job queued when the workers died starts without another submit
my @long = map { submit($BIG) } 1 .. 2;
$pid = wait_running($long[0]);
wait_running($long[1]);
$queued = submit($SMALL);
usleep(200_000);
is(status($queued), 'queued', 'a third job is queued behind two running');
$log_offset = -s $node->logfile;
kill('KILL', $pid);
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
wait_server();
is(sql("SELECT string_agg(status, ',' ORDER BY id) FROM acq.job_status WHERE id IN ($long[0], $long[1])"),
	'failed,failed', 'crash recovery: both running jobs show failed');
is(sql("SELECT acq.job_wait($queued, '20 s')"), 'succeeded',
	'the job queued before the crash runs after it (job_wait alone, no new submit)');

# ---------------------------------------------------------------------------
# 5. immediate restart mid-job: same expectations
# ---------------------------------------------------------------------------
$job = submit($BIG);
wait_running($job);
$node->stop('immediate');
$node->start;
wait_server();
check_dead_job($job, 'immediate restart');

# ---------------------------------------------------------------------------
# 6. roles: permissions at submission, RLS, acq_admin
# ---------------------------------------------------------------------------
$node->safe_psql('postgres', q{
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
CREATE ROLE carol LOGIN IN ROLE acq_admin;
CREATE ROLE nologin_role NOLOGIN;
GRANT USAGE ON SCHEMA acq TO alice, bob, carol, nologin_role;
GRANT SELECT ON small_val, big_val TO alice, nologin_role;
GRANT SELECT ON small TO nologin_role;
});
($ret, $stdout, $stderr) = psql_as('alice', "SELECT acq.submit_select_sources($SMALL)");
like($stderr, qr/ERROR:\s+42501:.*permission denied for table small/,
	'no SELECT on the source table: refused at submission with 42501');
is(sql("SELECT count(*) FROM acq.jobs WHERE owner = 'alice'::regrole"), '0', 'and no job is recorded');
($ret, $stdout, $stderr) = psql_as('bob', "SELECT acq.submit_select_sources($SMALL)");
like($stderr, qr/ERROR:\s+42501/, 'no SELECT on either table: 42501');

$node->safe_psql('postgres', 'GRANT SELECT ON small, big TO alice');
($ret, $stdout, $stderr) = psql_as('alice', "SELECT acq.submit_select_sources($SMALL)");
is($ret, 0, 'with SELECT granted alice can submit') or diag $stderr;
my $alice_small = $stdout;
($ret, $stdout) = psql_as('alice', "SELECT acq.job_wait($alice_small, '60 s')");
is($stdout, 'succeeded', "alice's job succeeds");
($ret, $stdout) = psql_as('alice', "SELECT owner FROM acq.job_status WHERE id = $alice_small");
is($stdout, 'alice', 'owned by alice');
($ret, $stdout) = psql_as('alice', "SELECT models_trained FROM acq.job_result($alice_small)");
is($stdout, '63', 'alice reads her result');

($ret, $stdout) = psql_as('alice', "SELECT acq.submit_select_sources($BIG)");
my $alice_job = $stdout;
$pid = wait_running($alice_job);
is(sql("SELECT usename FROM pg_stat_activity WHERE pid = $pid"), 'alice',
	"the worker of alice's job is connected as alice");

# bob sees nothing of alice's
($ret, $stdout) = psql_as('bob', 'SELECT count(*) FROM acq.job_status');
is($stdout, '0', "bob's acq.job_status is empty");
($ret, $stdout) = psql_as('bob',
	'SELECT (SELECT count(*) FROM acq.jobs) + (SELECT count(*) FROM acq.source_selection_plans)'
	  . ' + (SELECT count(*) FROM acq.source_selection_subsets)');
is($stdout, '0', 'nor any row of the catalog tables');
($ret, $stdout, $stderr) = psql_as('bob', "SELECT acq.job_wait($alice_job, '1 s')");
like($stderr, qr/ERROR:\s+42704/, "bob cannot wait on alice's job");
($ret, $stdout, $stderr) = psql_as('bob', "SELECT acq.cancel($alice_job)");
like($stderr, qr/ERROR:\s+42704/, "bob cannot cancel alice's job");
($ret, $stdout, $stderr) = psql_as('bob', "SELECT * FROM acq.job_result($alice_small)");
like($stderr, qr/ERROR:\s+42704/, "bob cannot read alice's result");
($ret, $stdout, $stderr) = psql_as('bob',
	"UPDATE acq.jobs SET cancel_requested = true, status = 'cancelled' WHERE id = $alice_job");
like($stderr, qr/ERROR:\s+42501/, 'bob cannot UPDATE job rows (only acq\'s functions write them)');
($ret, $stdout, $stderr) = psql_as('bob',
	"INSERT INTO acq.jobs (kind, owner, params) VALUES ('select_sources', 'alice', '{}')");
like($stderr, qr/ERROR:\s+42501/, 'bob cannot INSERT a job row, as alice or anyone');
is(status($alice_job), 'running', "alice's job runs on");

# alice sees only her own jobs
($ret, $stdout) = psql_as('alice', 'SELECT count(*) = count(*) FILTER (WHERE owner = current_user::regrole) FROM acq.job_status');
is($stdout, 't', 'alice sees only her jobs');
($ret, $stdout) = psql_as('alice', 'SELECT count(*) FROM acq.job_status');
is($stdout, '2', 'both of them');

# carol, in acq_admin, sees and waits on every job, and may cancel alice's
($ret, $stdout) = psql_as('carol', "SELECT count(*) FROM acq.job_status WHERE owner = 'alice'::regrole");
is($stdout, '2', "carol (acq_admin) sees alice's jobs");
($ret, $stdout) = psql_as('carol', "SELECT count(*) = (SELECT count(*) FROM acq.jobs) FROM acq.job_status");
is($stdout, 't', 'carol sees every job');
($ret, $stdout) = psql_as('carol', "SELECT acq.job_wait($alice_job, '100 ms')");
is($stdout, 'running', "carol can wait on alice's job");
($ret, $stdout) = psql_as('carol', "SELECT models_trained FROM acq.job_result($alice_small)");
is($stdout, '63', "carol reads alice's result");
($ret, $stdout, $stderr) = psql_as('carol', "SELECT acq.cancel($alice_job)");
is($stdout, 't', "carol can cancel alice's running job") or diag $stderr;
($ret, $stdout) = psql_as('alice', "SELECT acq.job_wait($alice_job, '5 s')");
is($stdout, 'cancelled', "alice's job ends cancelled");
sql("SELECT acq.cancel($alice_job)");    # (as the superuser, should carol's cancel have failed)
poll(10, sub { n_workers() eq '0' });

# the worker checks privileges as the owner when it runs: SELECT revoked
# between submission and start fails the job with 42501
($job) = split /\n/, sql(qq{BEGIN; SET LOCAL ROLE alice; SELECT acq.submit_select_sources($SMALL);
RESET ROLE; REVOKE SELECT ON small FROM alice; COMMIT;});
is(sql("SELECT acq.job_wait($job, '30 s')"), 'failed', 'SELECT revoked before the job runs: it fails');
like(sql("SELECT error_sqlstate || ' ' || error_message FROM acq.jobs WHERE id = $job"),
	qr/^42501 permission denied for table small/, 'with the permission error');
sql('GRANT SELECT ON small TO alice');

# a role that may not log in cannot run a job (workers connect as the owner);
# it is refused at submission or ends failed, never stuck
($ret, $stdout, $stderr) = $node->psql('postgres',
	"\\set VERBOSITY verbose\nSET ROLE nologin_role; SELECT acq.submit_select_sources($SMALL)");
if ($ret != 0)
{
	like($stderr, qr/ERROR:.*log/i, 'a NOLOGIN role is refused at submission');
}
else
{
	is(sql("SELECT acq.job_wait($stdout, '20 s')"), 'failed', 'a NOLOGIN role\'s job fails promptly');
}

# ---------------------------------------------------------------------------
# 7. jobs and the submitting transaction
# ---------------------------------------------------------------------------
# a submit in a transaction that commits late still runs
($job) = split /\n/,
  sql("BEGIN; SELECT acq.submit_select_sources($SMALL); SELECT pg_sleep(2); COMMIT;");
is(sql("SELECT acq.job_wait($job, '60 s')"), 'succeeded',
	'a job whose submitting transaction commits late still succeeds');

# a job cancelled in the transaction that submitted it (it is 'queued'
# there, its worker waiting for the commit) never runs
($job) = split /\n/, sql("BEGIN; SELECT acq.submit_select_sources($BIG) \\gset
SELECT :submit_select_sources; SELECT acq.cancel(:submit_select_sources); COMMIT;");
$st = poll(5, sub { my $s = status($job); return $s =~ /^(succeeded|failed|cancelled)$/ ? $s : undef; });
is($st // status($job), 'cancelled', 'a job cancelled while starting ends cancelled (within 5 s)');
is(sql("SELECT count(*) FROM acq.source_selection_plans WHERE job_id = $job"), '0', 'and has no plan');
sql("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE backend_type = 'acq job'");
poll(10, sub { n_workers() eq '0' });

# a submit left in an open transaction does not hold up other submitters
my $open = $node->background_psql('postgres', on_error_stop => 0);
$open->query_safe("BEGIN; SELECT acq.submit_select_sources($SMALL)");
$t0 = time();
($ret, $stdout, $stderr) = psql_as('alice',
	"SET statement_timeout = '5s'; SELECT acq.submit_select_sources($SMALL)");
$elapsed = time() - $t0;
is($ret, 0, sprintf('a submit while another session holds an uncommitted submit returns (%.1fs)', $elapsed))
  or diag $stderr;
$open->query_safe('COMMIT');
$open->quit;

# a submit in a transaction that rolls back runs nothing
($job) = split /\n/, sql("BEGIN; SELECT acq.submit_select_sources($SMALL); ROLLBACK;");
is(sql("SELECT count(*) FROM acq.jobs WHERE id = $job"), '0', 'rolled-back submit leaves no job');
ok(poll(5, sub { n_workers() eq '0' }), 'and no worker lingers')
  or diag sql(q{SELECT pid, application_name, backend_start FROM pg_stat_activity WHERE backend_type = 'acq job'});

# ---------------------------------------------------------------------------
# 8. the job rows cannot be forged to take slots or another role's rights
# ---------------------------------------------------------------------------
sql("DELETE FROM acq.jobs WHERE status IN ('queued', 'running')");
# bob writes rows that look like two live jobs: every slot taken for ever
($ret, $stdout, $stderr) = psql_as('bob', q{
INSERT INTO acq.jobs (kind, params, status, worker_pid)
SELECT 'select_sources', '{}', 'running', pg_backend_pid() FROM generate_series(1, 2)});
note "bob's forged rows: " . ($ret == 0 ? 'accepted' : $stderr);
($ret, $stdout) = psql_as('alice', "SELECT acq.submit_select_sources($SMALL)");
($ret, $stdout) = psql_as('alice', "SELECT acq.job_wait($stdout, '15 s')");
is($stdout, 'succeeded', "rows another role writes into acq.jobs do not hold alice's job in the queue");
sql("DELETE FROM acq.jobs WHERE owner = 'bob'::regrole");

# an acq_admin member queues a job owned by the superuser, reading a table
# only the superuser may read
sql(q{CREATE TABLE secret AS SELECT * FROM small; CREATE TABLE secret_val AS SELECT * FROM small_val;});
($ret, $stdout, $stderr) = psql_as('carol', q{
INSERT INTO acq.jobs (kind, owner, params)
SELECT 'select_sources', 'postgres', params
       || jsonb_build_object('sources', 'secret'::regclass::oid, 'validation', 'secret_val'::regclass::oid)
  FROM acq.jobs WHERE id = } . $alice_small . q{ RETURNING id});
if ($ret == 0)
{
	my $forged = $stdout;
	sql('SELECT acq._kick()');
	my $fst = sql("SELECT acq.job_wait($forged, '30 s')");
	isnt($fst, 'succeeded', "a job carol queued as the superuser does not run as the superuser (it $fst)");
}
else
{
	like($stderr, qr/ERROR:\s+42501/, 'carol cannot queue a job owned by another role');
}

$node->stop;
done_testing();
