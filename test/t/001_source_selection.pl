# Source selection on a throwaway cluster: same seed gives the same plan in
# separate sessions; a long search honours statement_timeout and cancel
# without harming the server; functions run with the caller's rights.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('acq_select');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION acq;
CREATE TABLE obs (src text, features float8[], y int);
-- 14 sources; the label follows the features except in sources s3, s7, s11
INSERT INTO obs
SELECT 's' || (i % 14),
       ARRAY[sin(i * 0.37), cos(i * 1.3), sin(i * 0.11) * cos(i * 0.7)],
       CASE WHEN (sin(i * 0.37) + 0.6 * cos(i * 1.3) > 0.2) <> (i % 14 IN (3, 7, 11))
            THEN 1 ELSE 0 END
  FROM generate_series(1, 14 * 300) i;
CREATE TABLE obs_val AS
SELECT ARRAY[sin(i * 0.37), cos(i * 1.3), sin(i * 0.11) * cos(i * 0.7)] AS features,
       CASE WHEN sin(i * 0.37) + 0.6 * cos(i * 1.3) > 0.2 THEN 1 ELSE 0 END AS y
  FROM generate_series(100001, 101000) i;
});

my $grasp = q{SELECT sources, profit, models_trained FROM acq.select_sources('obs', 'obs_val',
  'features', 'y', method => 'grasp', source_column => 'src', iterations => 3, seed => 42)};
my $r1 = $node->safe_psql('postgres', $grasp);
my $r2 = $node->safe_psql('postgres', $grasp);
is($r1, $r2, 'grasp: same seed, same plan in two sessions');
unlike($r1, qr/\bs(3|7|11)\b/, 'grasp leaves the corrupted sources out');

my $dm = q{SELECT sources, models_trained FROM acq.select_sources('obs', 'obs_val',
  'features', 'y', method => 'datamodels', source_column => 'src', samples => 60, seed => 7)};
is($node->safe_psql('postgres', $dm), $node->safe_psql('postgres', $dm),
	'datamodels: same seed, same plan');

# an exhaustive search over 2^14 - 1 subsets stops at statement_timeout
my $t0 = time();
my ($ret, $stdout, $stderr) = $node->psql('postgres', q{
SET statement_timeout = '300ms';
SELECT * FROM acq.select_sources('obs', 'obs_val', 'features', 'y',
  method => 'exhaustive', source_column => 'src');});
my $elapsed = time() - $t0;
isnt($ret, 0, 'exhaustive search was interrupted');
like($stderr, qr/canceling statement due to statement timeout/, 'by the statement timeout');
cmp_ok($elapsed, '<', 10, "interrupt honoured promptly (${elapsed}s)");
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server still healthy after the interrupt');

# pg_cancel_backend from another session
my $bg = $node->background_psql('postgres', on_error_stop => 0);
my $pid = $bg->query_safe('SELECT pg_backend_pid()');
$bg->query_until(qr/started/, q{\echo started
SELECT * FROM acq.select_sources('obs', 'obs_val', 'features', 'y', method => 'exhaustive', source_column => 'src');
});
$node->poll_query_until('postgres',
	qq{SELECT state = 'active' AND query ~ 'exhaustive' FROM pg_stat_activity WHERE pid = $pid})
  or die 'query did not start';
$t0 = time();
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
$node->poll_query_until('postgres',
	qq{SELECT state = 'idle' FROM pg_stat_activity WHERE pid = $pid}) or die 'cancel did not land';
$elapsed = time() - $t0;
cmp_ok($elapsed, '<', 5, "pg_cancel_backend stops the search (${elapsed}s)");
$bg->quit;

# the caller's rights: a role without SELECT on the sources gets an error
$node->safe_psql('postgres', q{
CREATE ROLE acq_tap_user LOGIN;
GRANT USAGE ON SCHEMA acq TO acq_tap_user;
GRANT SELECT ON obs_val TO acq_tap_user;
});
($ret, $stdout, $stderr) = $node->psql('postgres',
	q{SELECT * FROM acq.select_sources('obs', 'obs_val', 'features', 'y', source_column => 'src')},
	extra_params => [ '-U', 'acq_tap_user' ]);
like($stderr, qr/permission denied for table obs/, 'no SELECT on the sources, no selection');
$node->safe_psql('postgres', 'GRANT SELECT ON obs TO acq_tap_user');
($ret, $stdout, $stderr) = $node->psql('postgres',
	q{SELECT array_length(sources, 1) > 0 FROM acq.select_sources('obs', 'obs_val', 'features', 'y', source_column => 'src')},
	extra_params => [ '-U', 'acq_tap_user' ]);
is($stdout, 't', 'with SELECT granted the same call works');

$node->stop;
done_testing();
