# Every long path stops within a second of statement_timeout, a
# pg_cancel_backend or a pg_terminate_backend (issue 16, item 1).
#
# Each case starts one long call in a background psql session, lets it run
# for a moment (so that the cancel lands mid-flight: in the model fits, the
# pursuit, the novelty, not while rows are read), stops it, and measures on
# the server -- from the signal (or from query_start + statement_timeout) to
# the backend no longer being 'active' (or gone) -- with a PL/pgSQL loop that
# polls pg_stat_activity every 2 ms.  Then the same session (a new one after
# a terminate) must answer SELECT 1 and run the same function on small input.
#
# The bound asserted is ACQ_CANCEL_LIMIT seconds (default 1.5: the issue asks
# for 1 s; the margin is for a loaded test machine); every measured figure is
# printed (prove -v, or the "stopped in" test names) and docs/hardening.md
# lists them.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $limit = $ENV{ACQ_CANCEL_LIMIT} // 1.5;

my $node = PostgreSQL::Test::Cluster->new('acq_cancel');
$node->init;
$node->start;

# Inputs are random (seeded); each long call runs for several seconds when
# left alone, the small ones in milliseconds.
my $t_setup = time();
$node->safe_psql('postgres', q{
CREATE EXTENSION acq;
SELECT setseed(0.16);
-- classification sources: 14 sources x 1,500 rows x 12 features
CREATE TABLE cls AS
SELECT 's' || lpad((i % 14)::text, 2, '0') AS src, f AS features,
       CASE WHEN f[1] + 0.5 * f[2] - f[3] + 0.3 * random() > 0.1 THEN 1 ELSE 0 END AS y
  FROM (SELECT i, ARRAY(SELECT random() - 0.5 + 0 * i FROM generate_series(1, 12)) AS f
          FROM generate_series(1, 14 * 1500) i) q;
CREATE TABLE cls_val AS SELECT features, y FROM cls WHERE src < 's02';
-- the same, wider and longer, for SourceSplice (which leaves a plateau fast):
-- 14 sources x 3,000 rows x 48 features, several seconds on a fast machine
CREATE TABLE clsb AS
SELECT 's' || lpad((i % 14)::text, 2, '0') AS src, f AS features,
       CASE WHEN f[1] + 0.5 * f[2] - f[3] + 0.2 * f[i % 40 + 1] + 0.3 * random() > 0.1 THEN 1 ELSE 0 END AS y
  FROM (SELECT i, ARRAY(SELECT random() - 0.5 + 0 * i FROM generate_series(1, 48)) AS f
          FROM generate_series(1, 14 * 3000) i) q;
CREATE TABLE clsb_val AS SELECT features, y FROM clsb WHERE src < 's02';
-- wide regression (rows < features: the row-space path): 8 sources x 300 rows x 2,500 features
CREATE TABLE wide AS
SELECT 'w' || (i % 8) AS src, f AS features, f[1] - 2 * f[2] + random() AS y
  FROM (SELECT i, ARRAY(SELECT random() + 0 * i FROM generate_series(1, 2500)) AS f
          FROM generate_series(1, 2400) i) q;
CREATE TABLE wide_val AS SELECT features, y FROM wide WHERE src = 'w0';
-- acquisition, evaluation, Mycroft: 60,000 records, 32 features, 10 classes
CREATE TABLE prov AS
SELECT i AS id, f AS features, (i % 10) AS label
  FROM (SELECT i, ARRAY(SELECT random() + (i % 10) * 0.05 FROM generate_series(1, 32)) AS f
          FROM generate_series(1, 70000) i) q;
CREATE TABLE cons AS SELECT * FROM prov WHERE id <= 10000;
DELETE FROM prov WHERE id <= 10000;
ALTER TABLE prov ADD PRIMARY KEY (id);
CREATE TABLE hard AS SELECT * FROM cons WHERE id <= 2000;
-- Mycroft's feature method over 30,000 hard rows (4 s alone; 10,000 took 1.6 s)
CREATE TABLE cons_big AS SELECT * FROM prov WHERE id % 2 = 0;
-- many classes for softmax: 40,000 rows x 64 features x 100 classes
CREATE TABLE many AS
SELECT i AS id, f AS features, (i % 100) AS label
  FROM (SELECT i, ARRAY(SELECT random() + (i % 100) * 0.01 FROM generate_series(1, 64)) AS f
          FROM generate_series(1, 40000) i) q;
-- small versions of each, for "the same function still works"
CREATE TABLE cls_s AS SELECT * FROM cls WHERE src < 's03' LIMIT 150;
CREATE TABLE cls_val_s AS SELECT * FROM cls_val LIMIT 50;
CREATE TABLE clsb_s AS SELECT * FROM clsb WHERE src < 's03' LIMIT 150;
CREATE TABLE clsb_val_s AS SELECT * FROM clsb_val LIMIT 50;
CREATE TABLE wide_s AS SELECT src, features[1:20] AS features, y FROM wide LIMIT 80;
CREATE TABLE wide_val_s AS SELECT features[1:20] AS features, y FROM wide_val LIMIT 20;
CREATE TABLE prov_s AS SELECT * FROM prov WHERE id <= 10500;
ALTER TABLE prov_s ADD PRIMARY KEY (id);
CREATE TABLE cons_s AS SELECT * FROM cons WHERE id <= 200;
CREATE TABLE hard_s AS SELECT * FROM hard WHERE id <= 50;
CREATE TABLE many_s AS SELECT * FROM many WHERE id <= 500;
ANALYZE;
-- a plan for acquisition_curve: 30,000 records bought (and a small one)
SELECT plan_id FROM acq.acquire('cons', 'prov', 'curve', 'features', 'label', 30000,
                                strategy => 'random', batch => 10000);
SELECT plan_id FROM acq.acquire('cons_s', 'prov_s', 'curve_s', 'features', 'label', 100,
                                strategy => 'random', batch => 100);

-- Stop a running statement of backend `target` and return the seconds
-- until it is no longer active: from the signal, or for 'timeout' from its
-- query_start + timeout_ms.  -1: it did not stop within 60 s; -2: it was not
-- running when the signal was due (the input is too small).
CREATE FUNCTION stop_after(target int, how text, delay float8, timeout_ms float8 DEFAULT 0)
RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; qs timestamptz; started timestamptz := clock_timestamp();
BEGIN
  LOOP  -- wait for the call to start
    PERFORM pg_stat_clear_snapshot();
    SELECT query_start INTO qs FROM pg_stat_activity WHERE pid = target AND state = 'active';
    EXIT WHEN qs IS NOT NULL;
    IF clock_timestamp() - started > interval '30 s' THEN RETURN -2; END IF;
    PERFORM pg_sleep(0.002);
  END LOOP;
  IF how <> 'timeout' THEN
    PERFORM pg_sleep(delay);  -- let it get going
    PERFORM pg_stat_clear_snapshot();
    IF NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = target AND state = 'active'
                   AND query_start = qs) THEN
      RETURN -2;
    END IF;
  END IF;
  IF how = 'cancel' THEN PERFORM pg_cancel_backend(target);
  ELSIF how = 'terminate' THEN PERFORM pg_terminate_backend(target);
  END IF;
  t0 := CASE WHEN how = 'timeout' THEN qs + timeout_ms * interval '1 ms' ELSE clock_timestamp() END;
  LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = target AND state = 'active');
    IF clock_timestamp() - t0 > interval '60 s' THEN RETURN -1; END IF;
    PERFORM pg_sleep(0.002);
  END LOOP;
  RETURN round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3);
END $$;
});
note sprintf('set-up: %.1f s', time() - $t_setup);

my ($plan, $plan_s) = split /\n/, $node->safe_psql('postgres',
	q{SELECT plan_id FROM acq.acquisition_plans ORDER BY plan_id});

my %small = (
	cls => 'cls_s', cls_val => 'cls_val_s', clsb => 'clsb_s', clsb_val => 'clsb_val_s', wide => 'wide_s', wide_val => 'wide_val_s',
	prov => 'prov_s', cons => 'cons_s', cons_big => 'cons_s', hard => 'hard_s', many => 'many_s');

# [name, how (cancel, timeout or terminate), the long call, seconds to let it
# run before a cancel or terminate (default 1)]; the small call is the same
# with the small tables, small k, batch and budget, and a fresh target
my @cases = (
	# source selection: logistic fits (classification), the row space (wide regression)
	[ 'select_sources exhaustive', 'cancel',
	  q{SELECT profit FROM acq.select_sources('cls', 'cls_val', 'features', 'y', method => 'exhaustive', source_column => 'src')} ],
	[ 'select_sources exhaustive', 'timeout',
	  q{SELECT profit FROM acq.select_sources('cls', 'cls_val', 'features', 'y', method => 'exhaustive', source_column => 'src')} ],
	[ 'select_sources grasp', 'cancel',
	  q{SELECT profit FROM acq.select_sources('cls', 'cls_val', 'features', 'y', method => 'grasp', iterations => 200, source_column => 'src')} ],
	[ 'select_sources splice f1', 'cancel',
	  q{SELECT profit FROM acq.select_sources('clsb', 'clsb_val', 'features', 'y', task => 'f1', k_max => 14, source_column => 'src')} ],
	[ 'select_sources datamodels', 'terminate',
	  q{SELECT profit FROM acq.select_sources('cls', 'cls_val', 'features', 'y', method => 'datamodels', samples => 20000, source_column => 'src')} ],
	[ 'select_sources regression wide greedy', 'cancel',
	  q{SELECT profit FROM acq.select_sources('wide', 'wide_val', 'features', 'y', task => 'regression', method => 'greedy', source_column => 'src')} ],
	[ 'select_sources regression wide exhaustive', 'timeout',
	  q{SELECT profit FROM acq.select_sources('wide', 'wide_val', 'features', 'y', task => 'regression', method => 'exhaustive', source_column => 'src')} ],
	[ 'subset_profits (landscape)', 'cancel',
	  q{SELECT count(*) FROM acq.subset_profits('cls', 'cls_val', 'features', 'y', source_column => 'src')} ],
	[ 'subset_profits (landscape) regression wide', 'terminate',
	  q{SELECT count(*) FROM acq.subset_profits('wide', 'wide_val', 'features', 'y', task => 'regression', source_column => 'src')} ],
	# one model over 2,400 x 2,500: under a second on a quiet machine, so the
	# cancel comes at 0.25 s (in the read or in the row-space solve; either must answer)
	[ 'subset_gain regression wide', 'cancel',
	  q{SELECT profit FROM acq.subset_gain('wide', 'wide_val', 'features', 'y', '{w0,w1,w2,w3,w4,w5,w6,w7}', task => 'regression', source_column => 'src')}, 0.25 ],
	# acquisition and novelty
	[ 'acquire sps (novelty k = 5)', 'cancel',
	  q{SELECT bought FROM acq.acquire('cons', 'prov', 'bought_TAG', 'features', 'label', 30000, strategy => 'sps', batch => 3000, novelty_k => 5)} ],
	[ 'acquire sps (novelty k = 5)', 'terminate',
	  q{SELECT bought FROM acq.acquire('cons', 'prov', 'bought_TAG', 'features', 'label', 30000, strategy => 'sps', batch => 3000, novelty_k => 5)} ],
	[ 'acquire ea', 'cancel',
	  q{SELECT bought FROM acq.acquire('cons', 'prov', 'bought_TAG', 'features', 'label', 40000, strategy => 'ea', l => 0.5, novelty_k => 50)} ],
	# 30 allocation rounds of 20 fits each: the warm-started fused fits made 4 rounds end near the second
	[ 'acquire curve (softmax fits)', 'cancel',
	  q{SELECT bought FROM acq.acquire('cons', 'prov', 'bought_TAG', 'features', 'label', 30000, strategy => 'curve', validation => 'hard', curve_points => 20, batch => 1000)} ],
	[ 'acquire uniform', 'timeout',
	  q{SELECT bought FROM acq.acquire('cons', 'prov', 'bought_TAG', 'features', 'label', 50000, strategy => 'uniform', batch => 20)} ],
	# evaluation
	# prov three times (210,000 rows): the full scaling fits prov alone in about a second
	[ 'evaluate softmax', 'cancel',
	  q{SELECT accuracy FROM acq.evaluate('{prov,prov,prov}', 'cons', 'features', 'label', model => 'softmax', max_iter => 100000, tol => 1e-12)} ],
	[ 'evaluate softmax (100 classes)', 'timeout',
	  q{SELECT accuracy FROM acq.evaluate('{many}', 'many', 'features', 'label', model => 'softmax', max_iter => 100000, tol => 1e-12)} ],
	[ 'evaluate knn', 'cancel',
	  q{SELECT accuracy FROM acq.evaluate('{prov}', 'cons', 'features', 'label', model => 'knn')} ],
	[ 'acquisition_curve knn', 'cancel',
	  q{SELECT count(*) FROM acq.acquisition_curve(PLAN, 'cons', '{0,10000,20000,30000}', model => 'knn')} ],
	[ 'evaluate knn regression, wide rows (while reading)', 'cancel',
	  q{SELECT r2 FROM acq.evaluate('{wide}', 'wide', 'features', 'y', task => 'regression', model => 'knn')}, 0.1 ],
	[ 'evaluate knn regression', 'terminate',
	  q{SELECT r2 FROM acq.evaluate('{prov}', 'cons', 'features', 'label', task => 'regression', model => 'knn')} ],
	# Mycroft
	[ 'hard_examples tree', 'cancel',
	  q{SELECT count(*) FROM acq.hard_examples('many', 'many', 'features', 'label', model => 'tree')} ],
	[ 'hard_examples softmax', 'cancel',
	  q{SELECT count(*) FROM acq.hard_examples('many', 'many', 'features', 'label', model => 'softmax', c => 100)} ],
	[ 'hard_examples knn', 'timeout',
	  q{SELECT count(*) FROM acq.hard_examples('prov', 'cons', 'features', 'label', model => 'knn')} ],
	[ 'mycroft_select feature', 'cancel',
	  q{SELECT count(*) FROM acq.mycroft_select('prov', 'cons_big', 'id', 'features', 'label', 100, method => 'feature')} ],
	[ 'mycroft_select binning', 'cancel',
	  q{SELECT count(*) FROM acq.mycroft_select('prov', 'cons', 'id', 'features', 'label', 100, method => 'binning', sample_rate => 1)} ],
	[ 'mycroft_select omp', 'cancel',
	  q{SELECT count(*) FROM acq.mycroft_select('prov', 'hard', 'id', 'features', 'label', 500, method => 'omp')} ],
	[ 'mycroft_select omp', 'timeout',
	  q{SELECT count(*) FROM acq.mycroft_select('prov', 'hard', 'id', 'features', 'label', 500, method => 'omp')} ],
	[ 'mycroft_select combined', 'terminate',
	  q{SELECT count(*) FROM acq.mycroft_select('prov', 'hard', 'id', 'features', 'label', 500, method => 'combined')} ],
	[ 'rank_owners omp', 'cancel',
	  q{SELECT count(*) FROM acq.rank_owners('prov', 'hard', 'hard', '{prov, cons}', 'features', 'label', k => 300, method => 'omp')} ],
);

my @figures;
my $n = 0;
for my $case (@cases)
{
	my ($name, $how, $sql, $delay) = @$case;
	$delay //= 1.0;
	$n++;
	(my $long = $sql) =~ s/_TAG/_$n/g;
	$long =~ s/PLAN/$plan/;
	(my $short = $sql) =~ s/_TAG/_s$n/g;
	$short =~ s/'label', \d+,/'label', 100,/;    # acquire: a small budget
	$short =~ s/PLAN, 'cons', '\{[\d,]+\}'/$plan_s, 'cons_s', '{0,50,100}'/;
	$short =~ s/'(\w+)'/exists $small{$1} ? "'$small{$1}'" : "'$1'"/ge;
	$short =~ s#\{([\w, ]+)\}#'{' . join(', ', map { $small{$_} // $_ } split(/,\s*/, $1)) . '}'#ge;
	$short =~ s/k_max => \d+/k_max => 2/;
	$short =~ s/batch => \d+/batch => 10/;
	$short =~ s/\bk => \d+/k => 20/;

	my $bg = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $bg->query_safe('SELECT pg_backend_pid()');
	chomp $pid;
	my $timeout_ms = 1000;
	$bg->query_safe("SET statement_timeout = $timeout_ms") if $how eq 'timeout';
	$bg->query_until(qr/started/, "\\echo started\n$long;\n");
	my $secs = $node->safe_psql('postgres',
		"SELECT stop_after($pid, '$how', $delay, $timeout_ms)");
	push @figures, sprintf('%-45s %-9s %6.3f s', $name, $how, $secs);
	ok($secs >= 0 && $secs <= $limit, "$name: $how stopped in $secs s (limit $limit s)")
	  or diag($secs == -2 ? 'the call was not running when the signal was due'
		: 'the call did not stop');

	my $session = $bg;
	if ($how eq 'terminate')
	{
		eval { $bg->quit; };
		is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid"),
			'0', "$name: the terminated backend is gone");
		$session = $node->background_psql('postgres', on_error_stop => 0);
	}
	else
	{
		my ($out) = $bg->query('SELECT 1 AS alive');
		my $want = $how eq 'timeout'
		  ? qr/canceling statement due to statement timeout/
		  : qr/canceling statement due to user request/;
		like($bg->{stderr}, $want, "$name: the call ended with 57014 ($how)");
		like($out, qr/(^|\n)1$/, "$name: the session answers after the $how");
		$bg->{stderr} = '';
		$bg->query_safe('RESET statement_timeout');
	}
	my ($out) = $session->query($short);
	ok($session->{stderr} !~ /ERROR|FATAL/ && $out =~ /\S/,
		"$name: the same function on small input works in that session")
	  or diag("$short: $session->{stderr}");
	$session->quit;
}

note "time from the signal (timeout: from query_start + statement_timeout) to the backend idle or gone:";
note $_ for @figures;
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server is up');
# client backends only: an autovacuum worker reports 'active' too, and the
# tables the cases bought into are fair game for it; the last session's
# backend may take a moment to exit after its \q (2 s at most)
my $left = '';
for (1 .. 20)
{
	$left = $node->safe_psql('postgres',
		q{SELECT string_agg(pid || ': ' || left(query, 60), '; ') FROM pg_stat_activity
		  WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()});
	last if $left eq '';
	select(undef, undef, undef, 0.1);
}
is($left, '', 'nothing is left running');

$node->stop;
done_testing();
