# pg_dump / pg_restore keep every plan (acq's catalog tables are
# pg_extension_config_dump tables): a source-selection job with its subsets,
# an acquisition plan with its rounds and target, and an owner ranking are
# dumped from one cluster and restored into a fresh one, row for row; the
# restored plans read back through acq's views and functions, and new jobs
# run there with fresh ids.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = PostgreSQL::Test::Cluster->new('acq_dump_src');
$src->init;
$src->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$src->start;

$src->safe_psql('postgres', q{
CREATE EXTENSION acq;
CREATE TABLE obs (src text, features float8[], y int);
INSERT INTO obs
SELECT 's' || (i % 5), ARRAY[sin(i * 0.37), cos(i * 1.3)],
       CASE WHEN sin(i * 0.37) + 0.5 * cos(i * 1.3) > 0.1 THEN 1 ELSE 0 END
  FROM generate_series(1, 1000) i;
CREATE TABLE obs_val AS
SELECT ARRAY[sin(i * 0.37), cos(i * 1.3)] AS features,
       CASE WHEN sin(i * 0.37) + 0.5 * cos(i * 1.3) > 0.1 THEN 1 ELSE 0 END AS y
  FROM generate_series(5001, 5300) i;
CREATE TABLE prov (id bigint PRIMARY KEY, features float8[], y int);
INSERT INTO prov SELECT i, ARRAY[(i % 3) + sin(i * 0.731), (i % 3) + cos(i * 1.127)], i % 3
  FROM generate_series(1, 3000) i;
CREATE TABLE cons AS SELECT 100000 + id AS id, features, y FROM prov WHERE id % 20 = 0;
CREATE TABLE test_rows AS SELECT id + 200000 AS id, features, y FROM prov WHERE id % 7 = 0;
-- Mycroft: a trainer, hard rows (shared or held back) and two owners
CREATE TABLE trainer AS SELECT id, features, y AS label FROM prov WHERE id % 5 = 0;
CREATE TABLE hard AS SELECT id + 300000 AS id, features, y AS label FROM prov WHERE id % 11 = 0 AND id % 2 = 0;
CREATE TABLE held AS SELECT id + 400000 AS id, features, y AS label FROM prov WHERE id % 11 = 0 AND id % 2 = 1;
CREATE TABLE owner_a AS SELECT id + 500000 AS id, features, y AS label FROM prov WHERE id % 3 <> 1;
CREATE TABLE owner_b AS SELECT id + 600000 AS id, features, y AS label FROM prov WHERE id % 4 = 1;
});

sub sql { my ($node, $q) = @_; return $node->safe_psql('postgres', $q); }

my $sel = sql($src, q{SELECT acq.submit_select_sources('obs', 'obs_val', 'features', 'y',
	source_column => 'src', method => 'greedy')});
is(sql($src, "SELECT acq.job_wait($sel, '120 s')"), 'succeeded', 'selection job succeeds');
my $acqjob = sql($src, q{SELECT acq.submit_acquire('cons', 'prov', 'bought', 'features', 'y', 300,
	batch => 30, seed => 2)});
is(sql($src, "SELECT acq.job_wait($acqjob, '120 s')"), 'succeeded', 'acquisition job succeeds');
my $rank = sql($src, q{SELECT acq.submit_rank_owners('trainer', 'hard', 'held', '{owner_a,owner_b}',
	'features', 'label', k => 10)});
is(sql($src, "SELECT acq.job_wait($rank, '120 s')"), 'succeeded', 'ranking job succeeds');

# every catalog row, and the target, as text in a fixed order
my %tables = (
	jobs => 'SELECT id, kind, owner, params, status, progress, message, created_at, started_at, finished_at, error_sqlstate, error_message FROM acq.jobs ORDER BY id',
	plans => 'SELECT * FROM acq.source_selection_plans ORDER BY job_id',
	subsets => 'SELECT * FROM acq.source_selection_subsets ORDER BY job_id, ord',
	acquisition_plans => 'SELECT * FROM acq.acquisition_plans ORDER BY plan_id',
	acquisition_rounds => 'SELECT * FROM acq.acquisition_rounds ORDER BY plan_id, round',
	rankings => 'SELECT * FROM acq.owner_rankings ORDER BY job_id, rank',
	bought => 'SELECT * FROM bought ORDER BY id');
my %before;
for my $t (sort keys %tables)
{
	$before{$t} = sql($src, $tables{$t});
	ok(length($before{$t}) > 0, "$t has rows before the dump");
}
my $result = sql($src, "SELECT row(r.*)::text FROM acq.job_result($sel) r");

my $dump = $PostgreSQL::Test::Utils::tmp_check . '/acq.dump';
$src->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $src->connstr('postgres') ], 'pg_dump');

my $dst = PostgreSQL::Test::Cluster->new('acq_dump_dst');
$dst->init;
$dst->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$dst->start;
$dst->command_ok([ 'pg_restore', '--exit-on-error', '-d', $dst->connstr('postgres'), $dump ],
	'pg_restore into a fresh cluster');

for my $t (sort keys %tables)
{
	is(sql($dst, $tables{$t}), $before{$t}, "$t: the same rows after the restore");
}
is(sql($dst, "SELECT row(r.*)::text FROM acq.job_result($sel) r"), $result,
	'the restored selection job gives the same result');
is(sql($dst, "SELECT status, bought FROM acq.acquisitions WHERE job_id = $acqjob"), 'succeeded|300',
	'the restored acquisition reads back through acq.acquisitions');
is(sql($dst, q{SELECT count(*) FROM acq.acquisition_curve(
	(SELECT plan_id FROM acq.acquisition_plans LIMIT 1), 'test_rows', '{0,300}')}), '2',
	'acq.acquisition_curve runs on the restored plan');

# the sequences came along: a new job gets a fresh id and runs
my $new = sql($dst, q{SELECT acq.submit_select_sources('obs', 'obs_val', 'features', 'y',
	source_column => 'src', method => 'greedy')});
ok($new > $rank, "a new job after the restore gets a fresh id ($new)");
is(sql($dst, "SELECT acq.job_wait($new, '120 s')"), 'succeeded', 'and runs');
is(sql($dst, "SELECT row(r.*)::text FROM acq.job_result($new) r"), $result, 'to the same result');

$src->stop;
$dst->stop;
done_testing();
