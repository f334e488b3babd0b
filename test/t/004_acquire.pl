# Data acquisition as background jobs (docs/acquisition.md): acq.submit_acquire
# commits every round -- the records it bought, its log row and the plan's
# counters together.  Checked here: a worker killed mid-loop (SIGKILL with
# crash recovery, an immediate server restart, SIGTERM, acq.cancel) leaves a
# consistent prefix: the target holds exactly what the log says was bought,
# nothing twice, within the budget; the plan shows 'interrupted';
# acq.resume_acquire continues it from the log to exactly the budget, with no
# record bought twice and no round lost; a job runs as its owner.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('acq_acquire');
$node->init;
$node->append_conf('postgresql.conf', q{
max_worker_processes = 16
restart_after_crash = on
});
$node->start;

# a provider of 40,000 records in 5 classes; small batches make a long loop
$node->safe_psql('postgres', q{
CREATE EXTENSION acq;
CREATE TABLE prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO prov SELECT i, ARRAY[(i % 5) + sin(i * 0.731), (i % 5) + cos(i * 1.127), sin(i * 0.07)], i % 5
  FROM generate_series(1, 40000) i;
CREATE TABLE cons (id bigint, x float8[], y int);
INSERT INTO cons SELECT 1000000 + i, ARRAY[(i % 5) + sin(i * 0.377), (i % 5) + cos(i * 0.913), cos(i * 0.05)], i % 5
  FROM generate_series(1, 500) i;
-- start_long's hold: a round past the 20th waits for advisory lock 4004
CREATE FUNCTION hold_round() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(4004);
  RETURN NEW;
END $$;
});

sub sql { return $node->safe_psql($_[1] // 'postgres', $_[0]); }

sub poll
{
	my ($secs, $cond) = @_;
	my $deadline = time() + $secs;
	while (time() < $deadline)
	{
		return 1 if $cond->();
		usleep(50_000);
	}
	return 0;
}

sub wait_server
{
	$node->poll_query_until('postgres', 'SELECT 1', '1') or die 'server did not come back';
}

# submit a long acquisition and hold its worker mid-loop, deterministically
# (however fast the machine): the target exists beforehand with a trigger
# that, from round 21 on, takes a shared advisory lock another session holds
# exclusively from before the submission.  The worker commits rounds 1-20,
# then waits in its next INSERT until release_hold; the interruption below
# always finds the job running with 20 rounds committed.
my ($hold_in, $hold_out, $hold);
sub start_long
{
	my ($target, $strategy, $budget) = @_;
	sql(qq{CREATE TABLE $target (id bigint PRIMARY KEY, x float8[] NOT NULL, y int NOT NULL,
		plan_id bigint NOT NULL, round int NOT NULL);
		CREATE TRIGGER hold BEFORE INSERT ON $target FOR EACH ROW
		WHEN (NEW.round > 20) EXECUTE FUNCTION hold_round()});
	($hold_in, $hold_out) = ("SELECT pg_advisory_lock(4004);\nSELECT 'held';\n", '');
	$hold = IPC::Run::start([ 'psql', '-XAtq', '-d', $node->connstr('postgres') ],
		'<', \$hold_in, '>', \$hold_out, '2>', \my $hold_err);
	$hold->pump until $hold_out =~ /held/;
	my $job = sql(qq{SELECT acq.submit_acquire('cons', 'prov', '$target', 'x', 'y', $budget,
		strategy => '$strategy', batch => 3, l => 0.001, seed => 11)});
	my $pid;
	ok(poll(60, sub {
		$pid = sql("SELECT worker_pid FROM acq.jobs WHERE id = $job");
		$pid ne '' && sql("SELECT count(*) > 0 FROM pg_locks WHERE pid = $pid AND NOT granted") eq 't' }),
		"$strategy job $job waits mid-loop");
	is(sql("SELECT rounds FROM acq.acquisition_plans WHERE job_id = $job"), '20',
		"$strategy job $job committed 20 rounds before the hold");
	my $plan = sql("SELECT plan_id FROM acq.acquisition_plans WHERE job_id = $job");
	return ($job, $plan, $pid);
}

# let the held worker go (the holder is gone already after a crash or a restart)
sub release_hold
{
	$hold_in .= "SELECT pg_advisory_unlock(4004);\n";
	eval { $hold->finish; };
	$hold = undef;
}

# what a plan's log, counters and target say, and that they agree
sub check_consistent
{
	my ($plan, $target, $budget, $what) = @_;
	my ($rows, $distinct, $logsum, $bought, $left, $rounds, $maxround, $nlog) = split /\|/, sql(qq{
		SELECT (SELECT count(*) FROM $target WHERE plan_id = $plan),
		       (SELECT count(DISTINCT id) FROM $target WHERE plan_id = $plan),
		       (SELECT coalesce(sum(received), 0) FROM acq.acquisition_rounds WHERE plan_id = $plan),
		       bought, budget_left, rounds,
		       (SELECT coalesce(max(round), 0) FROM acq.acquisition_rounds WHERE plan_id = $plan),
		       (SELECT count(*) FROM acq.acquisition_rounds WHERE plan_id = $plan)
		FROM acq.acquisition_plans WHERE plan_id = $plan});
	is($rows, $logsum, "$what: the target holds exactly what the log says was bought ($rows)");
	is($distinct, $rows, "$what: no record bought twice");
	is($bought, $rows, "$what: the plan's counter agrees");
	is($bought + $left, $budget, "$what: bought + budget_left = budget");
	ok($bought <= $budget, "$what: the budget is never exceeded");
	is($nlog, $maxround, "$what: rounds 1..$maxround, none lost");
	is($rounds, $maxround, "$what: the plan counts $rounds rounds");
	is(sql(qq{SELECT count(*) FROM (SELECT round, received FROM acq.acquisition_rounds
	           WHERE plan_id = $plan) r LEFT JOIN (SELECT DISTINCT round FROM $target
	           WHERE plan_id = $plan) t USING (round)
	           WHERE r.received > 0 AND t.round IS NULL}), '0',
		"$what: every round that received records has them in the target");
	return $rows;
}

sub resume_to_end
{
	my ($plan, $target, $budget, $what, $twice) = @_;
	is(sql("SELECT status FROM acq.acquisitions WHERE plan_id = $plan"), 'interrupted',
		"$what: the plan shows interrupted");
	my $job2;
	if ($twice)
	{
		# two resumes of one plan, submitted together: one takes the plan,
		# the other is refused and changes nothing
		my ($ja, $jb) = split /\|/,
		  sql("SELECT acq.resume_acquire($plan) || '|' || acq.resume_acquire($plan)");
		my %st = map { $_ => sql("SELECT acq.job_wait($_, '120 s')") } ($ja, $jb);
		is(join(',', sort values %st), 'failed,succeeded',
			"$what: of two resumes of one plan, one runs and one fails");
		($job2) = grep { $st{$_} eq 'succeeded' } keys %st;
		my ($other) = grep { $st{$_} eq 'failed' } keys %st;
		like(sql("SELECT error_sqlstate || ' ' || error_message FROM acq.job_status WHERE id = $other"),
			qr/^55000 acquisition plan $plan is \w+ under job $job2, not interrupted/,
			"$what: the second resume says the plan is taken");
		is(sql("SELECT job_id FROM acq.acquisitions WHERE plan_id = $plan"), $job2,
			"$what: the plan belongs to the job that ran it");
	}
	else
	{
		$job2 = sql("SELECT acq.resume_acquire($plan)");
		is(sql("SELECT acq.job_wait($job2, '120 s')"), 'succeeded', "$what: the resumed job succeeds");
	}
	is(sql("SELECT status FROM acq.acquisitions WHERE plan_id = $plan"), 'succeeded',
		"$what: the plan succeeded");
	my $rows = check_consistent($plan, $target, $budget, "$what, resumed");
	is($rows, $budget, "$what: exactly the budget bought in the end");
	is(sql("SELECT count(*) FROM $target"), sql("SELECT count(DISTINCT id) FROM $target"),
		"$what: the target's ids are unique");
}

# ---------------------------------------------------------------------------
# 1. SIGKILL of the worker: crash recovery, then resume
# ---------------------------------------------------------------------------
my ($job, $plan, $pid) = start_long('t_kill', 'sps', 12000);
my $log_offset = -s $node->logfile;
ok(kill('KILL', $pid), "SIGKILL the worker (pid $pid)");
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
wait_server();
release_hold();
is(sql("SELECT status FROM acq.job_status WHERE id = $job"), 'failed', 'SIGKILL: the job shows failed');
like(sql("SELECT error_message FROM acq.job_status WHERE id = $job"), qr/resume_acquire/,
	'SIGKILL: the message says how to continue');
my $before = check_consistent($plan, 't_kill', 12000, 'SIGKILL');
ok($before > 0 && $before < 12000, "SIGKILL: interrupted mid-loop ($before of 12000 bought)");
resume_to_end($plan, 't_kill', 12000, 'SIGKILL', 1);

# ---------------------------------------------------------------------------
# 2. immediate restart of the server mid-loop (random this time: EA asks
#    for few, large queries, so its loop is short)
# ---------------------------------------------------------------------------
($job, $plan, $pid) = start_long('t_restart', 'random', 9000);
$node->stop('immediate');
release_hold();
$node->start;
wait_server();
is(sql("SELECT status FROM acq.job_status WHERE id = $job"), 'failed', 'restart: the job shows failed');
$before = check_consistent($plan, 't_restart', 9000, 'restart');
ok($before > 0, "restart: interrupted mid-loop ($before of 9000 bought)");
resume_to_end($plan, 't_restart', 9000, 'restart');

# ---------------------------------------------------------------------------
# 3. SIGTERM (pg_terminate_backend) and acq.cancel: the same
# ---------------------------------------------------------------------------
($job, $plan, $pid) = start_long('t_term', 'uniform', 15000);
sql("SELECT pg_terminate_backend($pid)");
ok(poll(30, sub { sql("SELECT status FROM acq.job_status WHERE id = $job") eq 'failed' }),
	'SIGTERM: the job fails');
release_hold();
check_consistent($plan, 't_term', 15000, 'SIGTERM');
resume_to_end($plan, 't_term', 15000, 'SIGTERM');

($job, $plan, $pid) = start_long('t_cancel', 'sps', 12000);
is(sql("SELECT acq.cancel($job)"), 't', 'cancel a running acquisition');
ok(poll(30, sub { sql("SELECT status FROM acq.job_status WHERE id = $job") eq 'cancelled' }),
	'cancel: the job is cancelled');
release_hold();
check_consistent($plan, 't_cancel', 12000, 'cancel');
resume_to_end($plan, 't_cancel', 12000, 'cancel');

# ---------------------------------------------------------------------------
# 4. a job runs as its owner: no SELECT on the provider, no job
# ---------------------------------------------------------------------------
$node->safe_psql('postgres', q{
CREATE ROLE dana LOGIN;
GRANT SELECT ON cons TO dana;
GRANT CREATE ON SCHEMA public TO dana;
});
my ($ret, $out, $err) = $node->psql('postgres',
	q{SELECT acq.submit_acquire('cons', 'prov', 't_dana', 'x', 'y', 100)},
	extra_params => ['-U', 'dana']);
isnt($ret, 0, 'a role without SELECT on the provider cannot submit');
like($err, qr/permission denied for table prov/, "the error names the provider: $err");
sql('GRANT SELECT ON prov TO dana');
$job = $node->safe_psql('postgres',
	q{SELECT acq.submit_acquire('cons', 'prov', 't_dana', 'x', 'y', 100)},
	extra_params => ['-U', 'dana']);
is($node->safe_psql('postgres', "SELECT acq.job_wait($job, '60 s')", extra_params => ['-U', 'dana']),
	'succeeded', 'with SELECT, her job succeeds');
is(sql("SELECT tableowner FROM pg_tables WHERE tablename = 't_dana'"), 'dana',
	'the target was created by the job as its owner');
is(sql("SELECT owner FROM acq.acquisition_plans WHERE job_id = $job"), 'dana', 'the plan is hers');
is($node->safe_psql('postgres', 'SELECT count(*) FROM acq.acquisitions', extra_params => ['-U', 'dana']),
	'1', 'she sees only her own plan');

# ---------------------------------------------------------------------------
# 5. an empty consumer and a new target: the job's set-up survives its first
#    commit (it once kept set-up state in SPI's memory, freed by the commit)
#    and buys what acq.acquire buys
# ---------------------------------------------------------------------------
sql('CREATE TABLE cons_empty (id bigint, x float8[], y int)');
$job = sql(q{SELECT acq.submit_acquire('cons_empty', 'prov', 't_empty_job', 'x', 'y', 300,
	batch => 30, seed => 5)});
is(sql("SELECT acq.job_wait($job, '120 s')"), 'succeeded', 'an empty consumer: the job succeeds');
sql(q{SELECT * FROM acq.acquire('cons_empty', 'prov', 't_empty_call', 'x', 'y', 300,
	batch => 30, seed => 5)});
is(sql('SELECT array_agg(id ORDER BY id) FROM t_empty_job'), sql('SELECT array_agg(id ORDER BY id) FROM t_empty_call'),
	'an empty consumer: the job buys what acq.acquire buys');
is(sql('SELECT count(*) FROM t_empty_job'), '300', 'an empty consumer: the whole budget bought');

$node->stop;
done_testing();
