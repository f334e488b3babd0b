# Sources on other PostgreSQL servers (issue 17, docs/scale-out.md): a
# coordinator and two data nodes, acq on each; the coordinator's sources are
# a partitioned table whose leaves are postgres_fdw foreign tables (and one
# local leaf).  A regression's per-source statistics and a classification's
# logistic terms run on the nodes, as Async Foreign Scans of pushed-down
# aggregates; the results equal the run on a local copy of the same rows; a
# missing extensions option, another acq version and a stopped node each
# give their ERROR, and a job fails.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

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

# rows: features of 4 dimensions, a label that depends on the source
sub rows
{
	my ($src, $k, $n, $from) = @_;
	$from //= 1;
	return qq{SELECT '$src', f, y, CASE WHEN y + 0.8 * sin(i * 3.7 + $k) > 0.3 THEN 1 ELSE 0 END
	  FROM (SELECT i, ARRAY[sin(i * 0.37 + $k), cos(i * 1.3), sin(i * 0.11) * cos(i * 0.7), (i % 17) / 17.0] f,
	               2 * sin(i * 0.37 + $k) - cos(i * 1.3) + ($k % 3) * sin(i * 0.11) * cos(i * 0.7) + 1.5 * sin(i * 7.1) y
	          FROM generate_series($from, $from + $n - 1) i) r};
}
$node1->safe_psql('postgres', qq{
CREATE TABLE obs_a (src text, features float8[], y float8, c int);
CREATE TABLE obs_b (src text, features float8[], y float8, c int);
INSERT INTO obs_a } . rows('a', 1, 3000) . qq{;
INSERT INTO obs_b } . rows('b', 2, 2500) . qq{;});
$node2->safe_psql('postgres', qq{
CREATE SCHEMA exported;
CREATE TABLE exported.obs_c (src text, features float8[], y float8, c int);
CREATE TABLE exported.obs_d (src text, features float8[], y float8, c int);
INSERT INTO exported.obs_c } . rows('c', 3, 2000) . qq{;
INSERT INTO exported.obs_d } . rows('d', 4, 3500) . qq{;});

my ($h1, $p1, $h2, $p2) = ($node1->host, $node1->port, $node2->host, $node2->port);
$coord->safe_psql('postgres', qq{
CREATE EXTENSION postgres_fdw;
CREATE SERVER node1 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '$h1', port '$p1', dbname 'postgres', extensions 'acq', async_capable 'true');
CREATE SERVER node2 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '$h2', port '$p2', dbname 'postgres', extensions 'acq', async_capable 'true');
CREATE USER MAPPING FOR CURRENT_USER SERVER node1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER node2 OPTIONS (user 'postgres');
CREATE TABLE obs (src text, features float8[], y float8, c int) PARTITION BY LIST (src);
-- node1's tables as partitions directly, node2's through IMPORT FOREIGN SCHEMA + ATTACH
CREATE FOREIGN TABLE obs_a PARTITION OF obs FOR VALUES IN ('a') SERVER node1;
CREATE FOREIGN TABLE obs_b PARTITION OF obs FOR VALUES IN ('b') SERVER node1;
CREATE SCHEMA n2;
IMPORT FOREIGN SCHEMA exported FROM SERVER node2 INTO n2;
ALTER TABLE obs ATTACH PARTITION n2.obs_c FOR VALUES IN ('c');
ALTER TABLE obs ATTACH PARTITION n2.obs_d FOR VALUES IN ('d');
CREATE TABLE obs_e PARTITION OF obs FOR VALUES IN ('e');
INSERT INTO obs_e } . rows('e', 5, 1500) . qq{;
CREATE TABLE val (features float8[], y float8, c int);
INSERT INTO val SELECT features, y, c FROM (} . rows('v', 1, 1000, 100001) . qq{) v(s, features, y, c);
-- the same rows, all local, under the same leaf names
CREATE SCHEMA l;
CREATE TABLE l.obs (src text, features float8[], y float8, c int) PARTITION BY LIST (src);
CREATE TABLE l.obs_a PARTITION OF l.obs FOR VALUES IN ('a');
CREATE TABLE l.obs_b PARTITION OF l.obs FOR VALUES IN ('b');
CREATE TABLE l.obs_c PARTITION OF l.obs FOR VALUES IN ('c');
CREATE TABLE l.obs_d PARTITION OF l.obs FOR VALUES IN ('d');
CREATE TABLE l.obs_e PARTITION OF l.obs FOR VALUES IN ('e');
INSERT INTO l.obs SELECT * FROM obs;});

# ---- the query acq runs pushes each foreign leaf's aggregate, asynchronously
my ($ret, $out, $err) = $coord->psql('postgres', q{SET client_min_messages = debug1;
SELECT sources FROM acq.select_sources('obs', 'val', 'features', 'y', task => 'regression');});
is($ret, 0, 'select_sources over foreign partitions runs');
my ($query) = $err =~ /acq: the sources' statistics: (.*)$/m;
ok(defined $query, 'the statistics query is logged at DEBUG1');
my $plan = $coord->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $query");
my $async = () = $plan =~ /Async Foreign Scan/g;
my $pushed = () = $plan =~ /Relations: Aggregate on/g;
is($async, 4, 'four Async Foreign Scans, one per foreign leaf');
is($pushed, 4, 'each an aggregate pushed down');
like($plan, qr/Remote SQL: SELECT .*acq\.linear_stats\(/, 'Remote SQL calls acq.linear_stats');
unlike($plan, qr/Foreign Scan on /, 'no foreign rows are fetched');

# ---- results equal the all-local run
sub result
{
	my ($rel, $extra) = @_;
	return $coord->safe_psql('postgres', qq{SELECT sources, gain, models_trained, n_rows
	  FROM acq.select_sources('$rel', 'val', 'features', 'y', task => 'regression'$extra)});
}
for my $case ([ 'splice', '' ], [ 'greedy', ", method => 'greedy'" ],
	[ 'exhaustive, ridge', ", method => 'exhaustive', alpha => 0.5" ],
	[ 'by source_column', ", source_column => 'src'" ])
{
	my ($name, $extra) = @$case;
	my @r = split /\|/, result('obs', $extra);
	my @l = split /\|/, result('l.obs', $extra);
	is($r[0], $l[0], "$name: the same subset as the local run ($l[0])");
	cmp_ok(abs($r[1] - $l[1]), '<=', 1e-9 * abs($l[1]), "$name: gain within 1e-9 relative ($r[1] vs $l[1])");
	is("$r[2]|$r[3]", "$l[2]|$l[3]", "$name: same models trained and rows");
}
# every one of the 31 subsets: the same gain to 1e-9 relative
is($coord->safe_psql('postgres', q{
SELECT count(*) FROM acq.subset_profits('obs', 'val', 'features', 'y', task => 'regression') r
  JOIN acq.subset_profits('l.obs', 'val', 'features', 'y', task => 'regression') l USING (sources)
 WHERE abs(r.gain - l.gain) <= 1e-9 * abs(l.gain) AND r.n_rows = l.n_rows}), '31',
	'all 31 subsets: gains within 1e-9 relative of the local run');
my $sg = q{SELECT round(mse::numeric, 9) FROM acq.subset_gain('%s', 'val', 'features', 'y', '{obs_a,obs_c,obs_e}', task => 'regression')};
is($coord->safe_psql('postgres', sprintf($sg, 'obs')), $coord->safe_psql('postgres', sprintf($sg, 'l.obs')),
	'subset_gain: the same MSE');

# ---- classification: each batch of Newton steps is one query of acq.logistic_terms
sub cresult
{
	my ($rel, $extra) = @_;
	return $coord->safe_psql('postgres', qq{SELECT sources, round(gain::numeric, 6), models_trained, n_rows
	  FROM acq.select_sources('$rel', 'val', 'features', 'c'$extra)});
}
for my $case ([ 'classification, splice', '' ], [ 'f1, greedy', ", task => 'f1', method => 'greedy'" ],
	[ 'classification, grasp', ", method => 'grasp', seed => 3" ],
	[ 'classification, random', ", method => 'random', seed => 3" ],
	[ 'classification, exhaustive', ", method => 'exhaustive'" ],
	[ 'classification, datamodels', ", method => 'datamodels', samples => 12, seed => 3" ],
	[ 'classification by source_column', ", source_column => 'src'" ])
{
	my ($name, $extra) = @$case;
	my $l = cresult('l.obs', $extra);
	is(cresult('obs', $extra), $l, "$name: the local run's subset, gain, models and rows ($l)");
}
my $cplan = $coord->safe_psql('postgres', 'EXPLAIN (VERBOSE, COSTS OFF) SELECT 1, acq.logistic_terms(features, c::float8, \'{0,0,0,0,0}\') FROM obs_a UNION ALL SELECT 2, acq.logistic_terms(features, c::float8, \'{0,0,0,0,0}\') FROM n2.obs_c');
like($cplan, qr/Async Foreign Scan.*Remote SQL: SELECT .*acq\.logistic_terms\(/s, 'acq.logistic_terms is pushed down too');
my $eq = $coord->safe_psql('postgres', q{
SELECT count(*) FROM acq.subset_profits('obs', 'val', 'features', 'c') r
  JOIN acq.subset_profits('l.obs', 'val', 'features', 'c') l USING (sources)
 WHERE abs(r.gain - l.gain) <= 1e-9 AND r.n_rows = l.n_rows});
is($eq, '31', 'classification: all 31 subsets score the same accuracy as the local run');

# ---- a server without extensions 'acq'
$coord->safe_psql('postgres', 'ALTER SERVER node2 OPTIONS (DROP extensions)');
($ret, $out, $err) = $coord->psql('postgres',
	q{SELECT * FROM acq.select_sources('obs', 'val', 'features', 'y', task => 'regression')});
like($err, qr/ERROR:  server "node2" does not list acq in its extensions option/, 'missing extensions option: ERROR naming the server');
like($err, qr/ALTER SERVER node2 OPTIONS \(ADD extensions 'acq'\)/, '... with the fix');
$coord->safe_psql('postgres', q{ALTER SERVER node2 OPTIONS (ADD extensions 'acq')});

# ---- another acq version on a node
$node1->safe_psql('postgres', q{DROP EXTENSION acq; CREATE EXTENSION acq VERSION '0.1.0'});
($ret, $out, $err) = $coord->psql('postgres',
	q{SELECT * FROM acq.select_sources('obs', 'val', 'features', 'y', task => 'regression')});
like($err, qr/ERROR:  server "node1" runs acq 0\.1\.0, this database acq 0\.2\.0/, 'version mismatch: ERROR naming the server and versions');
$node1->safe_psql('postgres', q{ALTER EXTENSION acq UPDATE});
is(result('obs', '') ne '', 1, 'runs again once the node is updated');

# ---- a node that is down: the call and a job fail, naming it
$node2->stop('immediate');
($ret, $out, $err) = $coord->psql('postgres',
	q{SELECT * FROM acq.select_sources('obs', 'val', 'features', 'y', task => 'regression')});
isnt($ret, 0, 'a stopped node: the call fails');
like($err, qr/node2/, '... naming the server');
my $job = $coord->safe_psql('postgres', q{SELECT acq.submit_select_sources('obs', 'val', 'features', 'y', task => 'regression')});
is($coord->safe_psql('postgres', "SELECT acq.job_wait($job, '60 s')"), 'failed', 'a job over the stopped node fails');
like($coord->safe_psql('postgres', "SELECT row_to_json(j)::text FROM acq.jobs j WHERE id = $job"), qr/node2/,
	'its error names the server');
is($coord->safe_psql('postgres', "SELECT count(*) FROM acq.source_selection_subsets WHERE job_id = $job"), '0',
	'nothing half-written');

$node2->start;
is((split /\|/, result('obs', ''))[0], (split /\|/, result('l.obs', ''))[0],
	'the node is back: the call runs, with the local result');

done_testing();
