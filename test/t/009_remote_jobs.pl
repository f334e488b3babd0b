# Sources on other PostgreSQL servers (issue 17, docs/scale-out.md), the
# paths 007 does not cover: a coordinator and two data nodes, acq on each.
# - acq.submit_select_sources over foreign partitions succeeds and records
#   the local run's subset, gain, models and every subset trained;
# - the fairness task over the same foreign partitions equals the local run;
# - a node lost midway through a classification search: node2's table is
#   read through a view whose gate lets the first two queries through and
#   makes the third (a Newton step of the search) wait for an advisory lock
#   held by another session; node2 is stopped once a query waits there, so
#   the loss falls mid-search whatever the machine's speed.  The call fails
#   with the ERROR naming node2; a job does too, recorded failed, and writes
#   no plan and no subset.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $coord = PostgreSQL::Test::Cluster->new('coord');
my $node1 = PostgreSQL::Test::Cluster->new('node1');
my $node2 = PostgreSQL::Test::Cluster->new('node2');
for my $n ($coord, $node1, $node2)
{
	$n->init;
	$n->append_conf('postgresql.conf', "max_worker_processes = 16\n");
	$n->start;
	$n->safe_psql('postgres', 'CREATE EXTENSION acq');
}

# rows: features of 4 dimensions, a label (y) and a class (c) that depend on the
# source, a sensitive attribute g
sub rows
{
	my ($src, $k, $n, $from) = @_;
	$from //= 1;
	return qq{SELECT '$src', f, y, CASE WHEN y + 0.8 * sin(i * 3.7 + $k) > 0.3 THEN 1 ELSE 0 END, (i % 3 = 0)::int
	  FROM (SELECT i, ARRAY[sin(i * 0.37 + $k), cos(i * 1.3), sin(i * 0.11) * cos(i * 0.7), (i % 17) / 17.0] f,
	               2 * sin(i * 0.37 + $k) - cos(i * 1.3) + ($k % 3) * sin(i * 0.11) * cos(i * 0.7) + 1.5 * sin(i * 7.1) y
	          FROM generate_series($from, $from + $n - 1) i) r};
}
my $cols = 'src text, features float8[], y float8, c int, g int';
$node1->safe_psql('postgres', qq{
CREATE TABLE obs_a ($cols);
CREATE TABLE obs_b ($cols);
INSERT INTO obs_a } . rows('a', 1, 3000) . qq{;
INSERT INTO obs_b } . rows('b', 2, 2500) . qq{;});
# node2: obs_d is also read through a view whose gate holds a query past the
# second (the initplan runs once per query)
$node2->safe_psql('postgres', qq{
CREATE TABLE obs_c ($cols);
CREATE TABLE obs_d ($cols);
INSERT INTO obs_c } . rows('c', 3, 2000) . qq{;
INSERT INTO obs_d } . rows('d', 4, 3500) . q{;
CREATE SEQUENCE gate_seq;
CREATE FUNCTION gate() RETURNS boolean LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog AS $$
BEGIN
  IF nextval('public.gate_seq') > 2 THEN PERFORM pg_advisory_lock_shared(4017); END IF;
  RETURN true;
END $$;
CREATE VIEW obs_d_gated AS SELECT * FROM obs_d WHERE (SELECT public.gate());});

my ($h1, $p1, $h2, $p2) = ($node1->host, $node1->port, $node2->host, $node2->port);
$coord->safe_psql('postgres', qq{
CREATE EXTENSION postgres_fdw;
CREATE SERVER node1 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '$h1', port '$p1', dbname 'postgres', extensions 'acq', async_capable 'true');
CREATE SERVER node2 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '$h2', port '$p2', dbname 'postgres', extensions 'acq', async_capable 'true');
CREATE USER MAPPING FOR CURRENT_USER SERVER node1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER node2 OPTIONS (user 'postgres');
CREATE TABLE obs ($cols) PARTITION BY LIST (src);
CREATE FOREIGN TABLE obs_a PARTITION OF obs FOR VALUES IN ('a') SERVER node1;
CREATE FOREIGN TABLE obs_b PARTITION OF obs FOR VALUES IN ('b') SERVER node1;
CREATE FOREIGN TABLE obs_c PARTITION OF obs FOR VALUES IN ('c') SERVER node2;
CREATE FOREIGN TABLE obs_d PARTITION OF obs FOR VALUES IN ('d') SERVER node2;
CREATE TABLE obs_e PARTITION OF obs FOR VALUES IN ('e');
INSERT INTO obs_e } . rows('e', 5, 1500) . qq{;
-- the same sources, node2's obs_d through the gated view
CREATE TABLE gated ($cols) PARTITION BY LIST (src);
CREATE FOREIGN TABLE gated_a PARTITION OF gated FOR VALUES IN ('a') SERVER node1 OPTIONS (table_name 'obs_a');
CREATE FOREIGN TABLE gated_d PARTITION OF gated FOR VALUES IN ('d') SERVER node2 OPTIONS (table_name 'obs_d_gated');
CREATE FOREIGN TABLE gated_c PARTITION OF gated FOR VALUES IN ('c') SERVER node2 OPTIONS (table_name 'obs_c');
CREATE TABLE val (features float8[], y float8, c int, g int);
INSERT INTO val SELECT features, y, c, g FROM (} . rows('v', 1, 1000, 100001) . qq{) v(s, features, y, c, g);
-- the same rows, all local, under the same leaf names
CREATE SCHEMA l;
CREATE TABLE l.obs ($cols) PARTITION BY LIST (src);
CREATE TABLE l.obs_a PARTITION OF l.obs FOR VALUES IN ('a');
CREATE TABLE l.obs_b PARTITION OF l.obs FOR VALUES IN ('b');
CREATE TABLE l.obs_c PARTITION OF l.obs FOR VALUES IN ('c');
CREATE TABLE l.obs_d PARTITION OF l.obs FOR VALUES IN ('d');
CREATE TABLE l.obs_e PARTITION OF l.obs FOR VALUES IN ('e');
INSERT INTO l.obs SELECT * FROM obs;
CREATE TABLE l.gated ($cols) PARTITION BY LIST (src);
CREATE TABLE l.gated_a PARTITION OF l.gated FOR VALUES IN ('a');
CREATE TABLE l.gated_d PARTITION OF l.gated FOR VALUES IN ('d');
CREATE TABLE l.gated_c PARTITION OF l.gated FOR VALUES IN ('c');
INSERT INTO l.gated SELECT * FROM obs WHERE src IN ('a', 'c', 'd');});

sub sql { return $coord->safe_psql('postgres', $_[0]); }

# ---- a select_sources job over the foreign partitions: the local run, recorded
for my $case ([ 'regression', "'y', task => 'regression'", 1e-9 ], [ 'classification', "'c'", 0 ])
{
	my ($name, $args, $tol) = @$case;
	my $job = sql("SELECT acq.submit_select_sources('obs', 'val', 'features', $args)");
	is(sql("SELECT acq.job_wait($job, '300 s')"), 'succeeded', "$name job over foreign partitions: succeeded");
	my @j = split /\|/, sql("SELECT sources, gain, models_trained, n_rows FROM acq.source_selection_plans WHERE job_id = $job");
	my @l = split /\|/, sql("SELECT sources, gain, models_trained, n_rows FROM acq.select_sources('l.obs', 'val', 'features', $args)");
	is($j[0], $l[0], "$name job: the local run's subset ($l[0])");
	cmp_ok(abs($j[1] - $l[1]), '<=', $tol * abs($l[1]) + 1e-12, "$name job: the local run's gain ($j[1] vs $l[1])");
	is("$j[2]|$j[3]", "$l[2]|$l[3]", "$name job: the local run's models trained and rows");
	# every subset it trained, in order, against the local call's
	is(sql(qq{SELECT count(*) FROM acq.source_selection_subsets s
	  JOIN acq.subset_profits('l.obs', 'val', 'features', $args) l USING (sources)
	 WHERE s.job_id = $job AND abs(s.gain - l.gain) <= $tol * abs(l.gain) + 1e-12 AND s.n_rows = l.n_rows}),
		sql("SELECT count(*) FROM acq.source_selection_subsets WHERE job_id = $job"),
		"$name job: every subset recorded scores as the local run's");
	isnt(sql("SELECT count(*) FROM acq.source_selection_subsets WHERE job_id = $job"), '0', "$name job: subsets recorded");
}

# ---- fairness over the foreign partitions: the local run
for my $extra ('', ", method => 'greedy'", ", lambda => 40, source_column => 'src'")
{
	my $q = q{SELECT sources, round(gain::numeric, 9), models_trained, n_rows FROM acq.select_sources('%s', 'val', 'features', 'c', task => 'fairness', sensitive => 'g'} . $extra . ')';
	my $l = sql(sprintf($q, 'l.obs'));
	is(sql(sprintf($q, 'obs')), $l, "fairness$extra over foreign partitions: the local run ($l)");
}
is(sql(q{SELECT count(*) FROM acq.subset_profits('obs', 'val', 'features', 'c', task => 'fairness', sensitive => 'g') r
  JOIN acq.subset_profits('l.obs', 'val', 'features', 'c', task => 'fairness', sensitive => 'g') l USING (sources)
 WHERE abs(r.gain - l.gain) <= 1e-9 AND r.n_rows = l.n_rows}), '31', 'fairness: all 31 subsets score as the local run');

# ---- a node lost midway through a classification search
my $search = q{SELECT sources FROM acq.select_sources('gated', 'val', 'features', 'c')};

# hold node2's gate (an advisory lock in a session of node2's), reset the gate's count
sub hold_gate
{
	$node2->safe_psql('postgres', q{SELECT setval('gate_seq', 1, false)});
	my ($in, $out) = ("SELECT pg_advisory_lock(4017);\nSELECT 'held';\n", '');
	my $h = IPC::Run::start([ 'psql', '-XAtq', '-d', $node2->connstr('postgres') ],
		'<', \$in, '>', \$out, '2>', \my $err);
	$h->pump until $out =~ /held/;
	return $h;
}
# wait until a query of the search waits at the gate, then lose node2
sub lose_node2_at_gate
{
	$node2->poll_query_until('postgres',
		q{SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted}, 't')
	  or die 'no query of the search reached the gate';
	$node2->stop('immediate');
}

my $gate = hold_gate();
my ($in, $out, $err) = ("$search;\n", '', '');
my $call = IPC::Run::start([ 'psql', '-XAtq', '-d', $coord->connstr('postgres') ],
	'<', \$in, '>', \$out, '2>', \$err);
$call->pump while length $in;
lose_node2_at_gate();
$call->finish;
$gate->finish;
like($err, qr/ERROR:  server "node2" cannot be reached \(computing the sources' logistic terms\)/,
	'node2 lost mid-search: the call fails with the ERROR naming node2');

$node2->start;
$gate = hold_gate();
my $job = sql(qq{SELECT acq.submit_select_sources('gated', 'val', 'features', 'c')});
lose_node2_at_gate();
$gate->finish;
is(sql("SELECT acq.job_wait($job, '300 s')"), 'failed', 'node2 lost mid-search: the job fails');
like(sql("SELECT error_sqlstate || ' ' || error_message FROM acq.jobs WHERE id = $job"),
	qr/^(08...|57P0.) server "node2" cannot be reached \(computing the sources' logistic terms\)$/,
	'... its error names node2');
is(sql("SELECT (SELECT count(*) FROM acq.source_selection_plans WHERE job_id = $job) || ' '
          || (SELECT count(*) FROM acq.source_selection_subsets WHERE job_id = $job)"), '0 0',
	'... and nothing half-written: no plan, no subset');

# node2 back, the gate open: the same search runs and gives the local run's subset
$node2->start;
$node2->safe_psql('postgres', q{SELECT setval('gate_seq', 1, false); DROP VIEW obs_d_gated;
CREATE VIEW obs_d_gated AS SELECT * FROM obs_d});
my $lg = sql(q{SELECT sources, gain, models_trained FROM acq.select_sources('l.gated', 'val', 'features', 'c')});
is(sql(q{SELECT sources, gain, models_trained FROM acq.select_sources('gated', 'val', 'features', 'c')}), $lg,
	"node2 back: the search runs again, with the local run's result ($lg)");

done_testing();
