# Tables on other PostgreSQL servers (docs/scale-out.md): a coordinator and
# two data nodes, acq on each.
# - A remote provider (a postgres_fdw foreign table on node2): acq.acquire and
#   acq.submit_acquire buy the same records as the all-local run on the same
#   rows with the same seed; node2's statement log shows the set-up reading
#   grouped, with the grid coordinates computed there (features[g]), and
#   every purchase pushing id = ANY(...); no statement reads the feature
#   arrays without it.
# - Remote owners (foreign tables on node1 and node2): acq.rank_owners and
#   its job equal the run on local copies; the selection runs on the owner's
#   node (its statistics: one scan of the owner's table there, the k rows
#   fetched by the primary key); only the hard rows go and the k rows come.
# - Errors: an owner's server without extensions 'acq', an owner's node
#   running another acq version, dblink missing, and a stopped node (for the
#   provider and for an owner, in the call and in a job) each give their
#   ERROR naming the server.
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
}
$node2->append_conf('postgresql.conf', "log_statement = 'all'\n");
$_->start for ($coord, $node1, $node2);

my $owners_sql = q{
CREATE FUNCTION my_pt(i int, cx float8, cy float8) RETURNS float8[] LANGUAGE sql IMMUTABLE AS
$$ SELECT ARRAY[cx + sin(i * 0.731) * 1.5, cy + cos(i * 1.127) * 1.5, sin(i * 0.071)] $$;
CREATE TABLE my_useful (id bigint PRIMARY KEY, features float8[], label int);
INSERT INTO my_useful SELECT 5000 + i, my_pt(i * 3, 0, CASE WHEN i % 2 = 0 THEN 0 ELSE -6 END), i % 2
  FROM generate_series(1, 600) i;
CREATE TABLE my_useless (id bigint PRIMARY KEY, features float8[], label int);
INSERT INTO my_useless SELECT 7000 + i, my_pt(i * 5, CASE WHEN i % 2 = 0 THEN 0 ELSE 6 END,
                                 CASE WHEN i % 2 = 0 THEN 0 ELSE 6 END), i % 2
  FROM generate_series(1, 600) i;
};
my $prov_sql = q{
CREATE TABLE prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO prov SELECT i, ARRAY[(i % 4) + sin(i * 0.731) * 0.9, (i % 4) + cos(i * 1.127) * 0.9, sin(i * 0.05)], i % 4
  FROM generate_series(1, 4000) i;
};
$node1->safe_psql('postgres', "CREATE EXTENSION acq;\n$owners_sql");
$node2->safe_psql('postgres', "CREATE EXTENSION acq;\n$owners_sql\n$prov_sql");

# the coordinator: local copies of the same rows, and the foreign tables
my $servers = '';
for my $n ([ 'node1', $node1 ], [ 'node2', $node2 ])
{
	my ($name, $c) = @$n;
	$servers .= sprintf(q{
CREATE SERVER %s FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '%s', port '%d', dbname 'postgres', extensions 'acq');
CREATE USER MAPPING FOR CURRENT_USER SERVER %s;
CREATE SCHEMA r_%s;
}, $name, $c->host, $c->port, $name, $name);
}
$coord->safe_psql('postgres', qq{
CREATE EXTENSION acq;
CREATE EXTENSION postgres_fdw;
CREATE EXTENSION dblink;
$owners_sql
$prov_sql
$servers
IMPORT FOREIGN SCHEMA public LIMIT TO (my_useful) FROM SERVER node1 INTO r_node1;
IMPORT FOREIGN SCHEMA public LIMIT TO (my_useless, prov) FROM SERVER node2 INTO r_node2;
CREATE TABLE cons (id bigint, x float8[], y int);
INSERT INTO cons SELECT 100000 + i, ARRAY[(i % 4) + sin(i * 0.377) * 0.9, (i % 4) + cos(i * 0.913) * 0.9, cos(i * 0.05)], i % 4
  FROM generate_series(1, 600) i WHERE i % 4 < 3;
CREATE TABLE my_trainer AS
SELECT i AS id, my_pt(i, CASE WHEN i % 2 = 0 THEN 0 ELSE 6 END, CASE WHEN i % 2 = 0 THEN 0 ELSE 6 END) AS features,
       i % 2 AS label FROM generate_series(1, 400) i;
CREATE TABLE my_test AS
SELECT 1000 + i AS id,
       my_pt(i * 7, CASE WHEN i % 3 = 1 THEN 6 ELSE 0 END, CASE i % 3 WHEN 0 THEN 0 WHEN 1 THEN 6 ELSE -6 END) AS features,
       CASE WHEN i % 3 = 0 THEN 0 ELSE 1 END AS label FROM generate_series(1, 300) i;
CREATE TABLE my_hard_all AS SELECT * FROM acq.hard_examples('my_trainer', 'my_test', 'features', 'label', seed => 3);
CREATE TABLE my_hard AS SELECT id, features, label FROM my_hard_all WHERE shared;
CREATE TABLE my_held AS SELECT id, features, label FROM my_hard_all WHERE NOT shared;
});

sub sql { return $coord->safe_psql('postgres', $_[0]); }

# the plan a target holds: its rounds and ids
sub bought
{
	my ($target) = @_;
	return sql("SELECT round, array_agg(id ORDER BY id) FROM $target GROUP BY round ORDER BY round");
}

# ---- a remote provider -------------------------------------------------------

my $log_at = -s $node2->logfile;
for my $pred ('label', 'grid')
{
	my $args = "'x', 'y', 600, predicates => '$pred', task => 'regression', batch => 40, seed => 7";
	$args = "'x', 'y', 600, batch => 40, seed => 7" if $pred eq 'label';
	my $l = sql("SELECT bought, rounds, counts FROM acq.acquire('cons', 'prov', 'loc_$pred', $args)");
	my $r = sql("SELECT bought, rounds, counts FROM acq.acquire('cons', 'r_node2.prov', 'rem_$pred', $args)");
	is($r, $l, "remote provider, $pred predicates: the local run's counts ($l)");
	is(bought("rem_$pred"), bought("loc_$pred"), "remote provider, $pred predicates: the same records, round by round");
}
my $log = slurp_file($node2->logfile, $log_at);
# each remote statement: from DECLARE to the next log line
my @stmts = $log =~ /DECLARE c\d+ CURSOR FOR\s+(.*?)\n(?=\S)/sg;
ok(scalar(grep { /^SELECT id, y(::double precision)?, \(x\[1\]\), \(x\[2\]\), count\(\*\) FROM public\.prov GROUP BY 1, 2, 3, 4$/ } @stmts) == 1,
	'grid set-up: one grouped read, features[1] and features[2] computed on node2')
  or diag(join("\n", @stmts[0 .. 2]));
ok(scalar(grep { /^SELECT id, y(::double precision)? FROM public\.prov$/ } @stmts) == 1,
	'label set-up: ids and labels only');
my @with_x = grep { /\bx\b/ && !/GROUP BY/ } @stmts;
ok(@with_x > 0 && !grep({ !/id = ANY/ } @with_x),
	'every read of the feature arrays on node2 is a purchase, id = ANY(...) pushed down (' . scalar(@with_x) . ' statements)')
  or diag(join("\n", grep { !/id = ANY/ } @with_x));

# SQL predicates: built-in operators are computed on node2 (no NOTICE); a
# PL/pgSQL function (not inlined, in no listed extension) cannot be shipped: the set-up then fetches
# the feature arrays, says so, and buys the same records
sql(q{CREATE FUNCTION public.low_x(float8[]) RETURNS bool IMMUTABLE LANGUAGE plpgsql AS 'BEGIN RETURN $1[1] < 1.5; END'});
for my $case ([ 'builtin', q{'{"x[1] < 1.5", "x[1] >= 1.5"}'} ], [ 'local_fn', q{'{"public.low_x(x)", "NOT public.low_x(x)"}'} ])
{
	my ($name, $preds) = @$case;
	my $args = "'x', 'y', 400, predicates => 'sql', predicate_sql => $preds, batch => 40, seed => 7";
	sql("SELECT bought FROM acq.acquire('cons', 'prov', 'loc_$name', $args)");
	my ($ret, $out, $stderr) = $coord->psql('postgres', "SELECT bought FROM acq.acquire('cons', 'r_node2.prov', 'rem_$name', $args)");
	is(bought("rem_$name"), bought("loc_$name"), "remote provider, SQL predicates ($name): the local run's records");
	if ($name eq 'builtin')
	{
		unlike($stderr, qr/reads the feature arrays/, '... computed on node2, no NOTICE');
	}
	else
	{
		like($stderr, qr/NOTICE:  the set-up reads the feature arrays of r_node2\.prov from server "node2"/,
			'... a function it cannot ship: a NOTICE that the feature arrays cross');
	}
}

# the same as a job
my $job = sql("SELECT acq.submit_acquire('cons', 'r_node2.prov', 'job_grid', 'x', 'y', 600, predicates => 'grid', task => 'regression', batch => 40, seed => 7)");
is(sql("SELECT acq.job_wait($job)"), 'succeeded', 'remote provider as a job: succeeded');
is(bought('job_grid'), bought('loc_grid'), 'remote provider as a job: the local run\'s records');

# a partitioned provider with a foreign leaf (node2's rows of labels 0 and 1) and a local one:
# the set-up reads it leaf by leaf, the foreign leaf grouped and shipped whole (the grid
# coordinates computed on node2), and buys the local run's records
$node2->safe_psql('postgres', q{CREATE TABLE prov_lo (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO prov_lo SELECT * FROM prov WHERE y < 2});
sql(q{CREATE TABLE pprov (id bigint, x float8[], y int) PARTITION BY LIST (y);
CREATE FOREIGN TABLE pprov_lo PARTITION OF pprov FOR VALUES IN (0, 1) SERVER node2 OPTIONS (table_name 'prov_lo');
CREATE TABLE pprov_hi PARTITION OF pprov FOR VALUES IN (2, 3);
INSERT INTO pprov_hi SELECT * FROM prov WHERE y >= 2});
my $plog_at = -s $node2->logfile;
{
	my $args = "'x', 'y', 600, predicates => 'grid', task => 'regression', batch => 40, seed => 7";
	my ($ret, $out, $stderr) = $coord->psql('postgres', "SELECT bought, rounds, counts FROM acq.acquire('cons', 'pprov', 'part_grid', $args)");
	is($out, sql("SELECT bought, rounds, counts FROM acq.acquire('cons', 'prov', 'loc_grid2', $args)"),
		'partitioned provider with a foreign leaf, grid predicates: the local run\'s counts');
	unlike($stderr, qr/reads the feature arrays/, '... no NOTICE: the foreign leaf\'s grid computed on node2');
	is(bought('part_grid'), bought('loc_grid2'), '... the same records, round by round');
	my @pst = slurp_file($node2->logfile, $plog_at) =~ /DECLARE c\d+ CURSOR FOR\s+(.*?)\n(?=\S)/sg;
	ok(scalar(grep { /^SELECT id, y(::double precision)?, \(x\[1\]\), \(x\[2\]\), count\(\*\) FROM public\.prov_lo GROUP BY 1, 2, 3, 4$/ } @pst) == 1,
		'... the foreign leaf\'s set-up: one grouped read on node2')
	  or diag(join("\n", @pst[0 .. 2]));
	my @px = grep { /\bx\b/ && !/GROUP BY/ } @pst;
	ok(@px > 0 && !grep({ !/id = ANY/ } @px), '... every other read of its feature arrays is a purchase by id (' . scalar(@px) . ')')
	  or diag(join("\n", grep { !/id = ANY/ } @px));
}

# ---- remote owners -------------------------------------------------------------

my $rank = q{SELECT rank, regexp_replace(owner::text, '^r_node[12]\.', ''), shared, accuracy_hard, f1_hard, accuracy_test, f1_test, missing_labels
  FROM acq.rank_owners('my_trainer', 'my_hard', 'my_held', '%s', 'features', 'label', k => 20, test => 'my_test', method => '%s') ORDER BY rank};
for my $method ('feature', 'binning', 'omp')
{
	my $l = sql(sprintf($rank, '{my_useless,my_useful}', $method));
	my $r = sql(sprintf($rank, '{r_node2.my_useless,r_node1.my_useful}', $method));
	is($r, $l, "remote owners, $method: the ranking of the local copies");
}
# node1's statistics over one ranking (feature) of an owner of 20,000 rows:
# one scan of its rows (the selection, on node1), a row or two for the probe
# of D_hard's labels, and the k rows fetched by primary key
$node1->safe_psql('postgres', q{
CREATE TABLE my_big (id bigint PRIMARY KEY, features float8[], label int);
INSERT INTO my_big SELECT 100000 + i, my_pt(i * 3, 0, CASE WHEN i % 2 = 0 THEN 0 ELSE -6 END), i % 2
  FROM generate_series(1, 20000) i;
ANALYZE my_big;
SELECT pg_stat_reset();
});
sql('IMPORT FOREIGN SCHEMA public LIMIT TO (my_big) FROM SERVER node1 INTO r_node1');
sql(sprintf($rank, '{r_node1.my_big}', 'feature'));
$node1->poll_query_until('postgres',
	q{SELECT seq_scan + coalesce(idx_scan, 0) >= 2 FROM pg_stat_user_tables WHERE relname = 'my_big'}, 't')
  or die 'no statistics';
my ($seq_scan, $seq_read, $idx_fetch) = split /\|/, $node1->safe_psql('postgres',
	q{SELECT seq_scan, seq_tup_read, idx_tup_fetch FROM pg_stat_user_tables WHERE relname = 'my_big'});
note("node1 my_big (20,000 rows) after one ranking: seq_scan $seq_scan, seq_tup_read $seq_read, idx_tup_fetch $idx_fetch");
ok($seq_read >= 20000 && $seq_read < 20100,
	"the owner's 20,000 rows were read on node1, once (seq_tup_read $seq_read)");
is($idx_fetch, 20, 'the k = 20 rows it shares, fetched by primary key');

my $rjob = sql(q{SELECT acq.submit_rank_owners('my_trainer', 'my_hard', 'my_held', '{r_node2.my_useless,r_node1.my_useful}', 'features', 'label', k => 20, test => 'my_test')});
is(sql("SELECT acq.job_wait($rjob)"), 'succeeded', 'remote owners as a job: succeeded');
is(sql("SELECT rank, shared, f1_hard FROM acq.owner_rankings WHERE job_id = $rjob ORDER BY rank"),
	sql(q{SELECT rank, shared, f1_hard FROM acq.rank_owners('my_trainer', 'my_hard', 'my_held', '{my_useless,my_useful}', 'features', 'label', k => 20, test => 'my_test') ORDER BY rank}),
	'remote owners as a job: the local ranking');

# ---- errors ----------------------------------------------------------------------

sub err
{
	my ($q) = @_;
	my ($ret, $out, $stderr) = $coord->psql('postgres', $q);
	return $stderr;
}
my $remote_rank = q{SELECT * FROM acq.rank_owners('my_trainer', 'my_hard', 'my_held', '{r_node1.my_useful}', 'features', 'label', k => 20)};

sql(q{ALTER SERVER node1 OPTIONS (DROP extensions)});
like(err($remote_rank), qr/server "node1" does not list acq in its extensions option.*HINT:.*ALTER SERVER node1 OPTIONS \(ADD extensions 'acq'\)/s,
	'an owner\'s server without extensions acq: ERROR naming it and the fix');
like(err(q{SELECT acq.submit_rank_owners('my_trainer', 'my_hard', 'my_held', '{r_node1.my_useful}', 'features', 'label', k => 20)}),
	qr/server "node1" does not list acq in its extensions option/, '... and a ranking job is refused at submission');
sql(q{ALTER SERVER node1 OPTIONS (ADD extensions 'acq')});

$node1->safe_psql('postgres', q{UPDATE pg_extension SET extversion = '0.1.0' WHERE extname = 'acq'});
like(err($remote_rank), qr/server "node1" runs acq 0\.1\.0, this database acq 0\.2\.0/,
	'an owner\'s node on another acq version: ERROR naming both');
$node1->safe_psql('postgres', q{UPDATE pg_extension SET extversion = '0.2.0' WHERE extname = 'acq'});

sql('DROP EXTENSION dblink');
like(err($remote_rank), qr/running acq on server "node1" needs the dblink extension.*HINT:  CREATE EXTENSION dblink/s,
	'remote owners without dblink: ERROR saying how to install it');
sql('CREATE EXTENSION dblink');

# node2 goes down mid-run: a job held in its third round (a trigger on a
# pre-made target waits for an advisory lock another session holds), node2
# stopped, the lock released.  The job fails with the ERROR naming node2;
# what it committed is consistent: the target holds exactly what the log says
# it bought.
sql(q{CREATE FUNCTION hold_round() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_xact_lock_shared(4017); RETURN NEW; END $$;
CREATE TABLE mid_job (id bigint PRIMARY KEY, x float8[] NOT NULL, y int NOT NULL, plan_id bigint NOT NULL, round int NOT NULL);
CREATE TRIGGER hold BEFORE INSERT ON mid_job FOR EACH ROW WHEN (NEW.round > 2) EXECUTE FUNCTION hold_round()});
my ($hold_in, $hold_out) = ("SELECT pg_advisory_lock(4017);\nSELECT 'held';\n", '');
my $hold = IPC::Run::start([ 'psql', '-XAtq', '-d', $coord->connstr('postgres') ],
	'<', \$hold_in, '>', \$hold_out, '2>', \my $hold_err);
$hold->pump until $hold_out =~ /held/;
$job = sql(q{SELECT acq.submit_acquire('cons', 'r_node2.prov', 'mid_job', 'x', 'y', 600, batch => 40, seed => 7)});
$coord->poll_query_until('postgres', qq{SELECT count(*) > 0 FROM pg_locks l JOIN acq.jobs j ON l.pid = j.worker_pid
	WHERE j.id = $job AND NOT l.granted}, 't') or die 'the job did not reach its third round';
$node2->stop;
$hold_in .= "SELECT pg_advisory_unlock(4017);\n\\q\n";
$hold->finish;
is(sql("SELECT acq.job_wait($job)"), 'failed', 'node2 stopped mid-run: the job fails');
like(sql("SELECT error_sqlstate || ' ' || error_message FROM acq.jobs WHERE id = $job"),
	qr/^08... server "node2" cannot be reached \(the provider r_node2\.prov\)$/, '... with the ERROR naming node2');
is(sql(q{SELECT (SELECT count(*) FROM mid_job) || ' ' || (SELECT coalesce(sum(received), 0) FROM acq.acquisition_rounds r
	JOIN acq.acquisitions a USING (plan_id) WHERE a.target = 'mid_job'::regclass)}) =~ /^(\d+) \1$/ ? 1 : 0, 1,
	'... and the target holds exactly what the log says was bought');

like(err(q{SELECT * FROM acq.acquire('cons', 'r_node2.prov', 'stopped', 'x', 'y', 600, batch => 40, seed => 7)}),
	qr/ERROR:  server "node2" cannot be reached \(the provider r_node2\.prov\).*HINT:  Start that server/s,
	'a stopped provider node: ERROR naming it');
is(sql(q{SELECT count(*) FROM pg_class WHERE relname = 'stopped'}), '0', '... and nothing written');
$job = sql(q{SELECT acq.submit_acquire('cons', 'r_node2.prov', 'stopped_job', 'x', 'y', 600, batch => 40, seed => 7)});
is(sql("SELECT acq.job_wait($job)"), 'failed', 'a stopped provider node: the job fails');
is(sql("SELECT error_sqlstate || ' ' || error_message FROM acq.jobs WHERE id = $job"),
	'08001 server "node2" cannot be reached (the provider r_node2.prov)', '... with the ERROR naming it');
is(sql(q{SELECT to_regclass('stopped_job') IS NULL}), 't', '... and its first step (target, plan, set-up) rolled back whole');
like(err(q{SELECT * FROM acq.rank_owners('my_trainer', 'my_hard', 'my_held', '{r_node1.my_useful,r_node2.my_useless}', 'features', 'label', k => 20)}),
	qr/ERROR:  server "node2" cannot be reached/, 'a stopped owner node: ERROR naming it');
$rjob = sql(q{SELECT acq.submit_rank_owners('my_trainer', 'my_hard', 'my_held', '{r_node1.my_useful,r_node2.my_useless}', 'features', 'label', k => 20)});
is(sql("SELECT acq.job_wait($rjob)"), 'failed', 'a stopped owner node: the ranking job fails');
is(sql("SELECT count(*) FROM acq.owner_rankings WHERE job_id = $rjob"), '0', '... and writes no ranking');

done_testing();
