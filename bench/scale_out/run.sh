#!/bin/bash
# bench/scale_out/run.sh -- issue 17: sources on other servers and sources larger than memory.
#
#   1. what crosses the network: rows and bytes of a regression's sources, pushed down
#      (acq.linear_stats on the node) against pulled (the rows through postgres_fdw, text
#      format as postgres_fdw fetches them);
#   2. wall time of select_sources over the same sources on two nodes against one node
#      (2c: every search method, classification, with the queries a node served);
#   3. a BIG-row regression on one server: peak backend memory (private: RssAnon + RssFile,
#      polled by peak.py; and VmHWM) and time, with
#      acq.max_memory low (the statistics streamed) against high enough to hold the rows.
#
# Env: PG_BIN (default /usr/lib/postgresql/15/bin, with acq installed), PORT0 (default 56147:
# PORT0..PORT0+2), ROWS (rows per source in 1-2, default 250000), P (features, default 20),
# BIG (rows of 3, default 10000000; SKIP_BIG=1 skips 3, ONLY_BIG=1 runs 3 alone), BIGP (its
# features, default 8; BIG_CLS=0 skips its classification), METHODS (2c's methods).  Run as root (clusters run
# as postgres).  Prints one line per figure.
set -euo pipefail
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
. "$(dirname "$0")/../../scripts/lib.sh"
PG_BIN=$BIN
PORT0=${PORT0:-56147}
ROWS=${ROWS:-250000}
P=${P:-20}
BIG=${BIG:-10000000}
BIGP=${BIGP:-8}
SKIP_BIG=${SKIP_BIG:-0}
ONLY_BIG=${ONLY_BIG:-0}
W=$(mktemp -d /tmp/acq-scale.XXXXXX)
chown postgres: "$W"
trap 'for i in 0 1 2; do runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$W/d$i" -m immediate stop >/dev/null 2>&1 || true; done; rm -rf "$W"' EXIT
for i in 0 1 2; do
	runuser -u postgres -- "$PG_BIN/initdb" -D "$W/d$i" -U postgres -A trust --no-sync >/dev/null
	cat >>"$W/d$i/postgresql.conf" <<CONF
port = $((PORT0 + i))
listen_addresses = ''
unix_socket_directories = '$W'
fsync = off
shared_buffers = 256MB
shared_preload_libraries = 'pg_stat_statements'
CONF
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$W/d$i" -l "$W/log$i" -w start >/dev/null
done
q() { local i=$1; shift; psql -X -q -At -h "$W" -p $((PORT0 + i)) -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

gen() {	# gen <source> <k> <rows> <from>: rows of P features, a label depending on the source
	echo "SELECT '$1', ARRAY(SELECT sin(i * g * 0.37 + $2) FROM generate_series(1, $P) g),
	  sin(i * 0.37 + $2) + ($2 % 3) * sin(i * 0.74) + 0.5 * sin(i * 7.1),
	  (sin(i * 0.37 + $2) + ($2 % 3) * sin(i * 0.74) + sin(i * 7.1) > 0)::int
	  FROM generate_series($4, $4 + $3 - 1) i"
}
for i in 0 1 2; do q $i -c "CREATE EXTENSION acq"; done
if [ "$ONLY_BIG" != 1 ]; then
# four sources a-d: in layout "two" a,b on node1 and c,d on node2; in layout "one" all on node1
for i in 1 2; do
	q $i -c "CREATE TABLE s_a (src text, features float8[], y float8, c int); CREATE TABLE s_b (LIKE s_a);
	         CREATE TABLE s_c (LIKE s_a); CREATE TABLE s_d (LIKE s_a);"
done
q 1 -c "INSERT INTO s_a $(gen a 1 $ROWS 1); INSERT INTO s_b $(gen b 2 $ROWS 1); INSERT INTO s_c $(gen c 3 $ROWS 1); INSERT INTO s_d $(gen d 4 $ROWS 1)"
q 2 -c "INSERT INTO s_c $(gen c 3 $ROWS 1); INSERT INTO s_d $(gen d 4 $ROWS 1)"
q 0 -c "CREATE EXTENSION postgres_fdw;
  CREATE SERVER node1 FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$W', port '$((PORT0 + 1))', dbname 'postgres', extensions 'acq', async_capable 'true');
  CREATE SERVER node2 FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$W', port '$((PORT0 + 2))', dbname 'postgres', extensions 'acq', async_capable 'true');
  CREATE USER MAPPING FOR postgres SERVER node1 OPTIONS (user 'postgres');
  CREATE USER MAPPING FOR postgres SERVER node2 OPTIONS (user 'postgres');
  CREATE TABLE two (src text, features float8[], y float8, c int) PARTITION BY LIST (src);
  CREATE FOREIGN TABLE two_a PARTITION OF two FOR VALUES IN ('a') SERVER node1 OPTIONS (table_name 's_a');
  CREATE FOREIGN TABLE two_b PARTITION OF two FOR VALUES IN ('b') SERVER node1 OPTIONS (table_name 's_b');
  CREATE FOREIGN TABLE two_c PARTITION OF two FOR VALUES IN ('c') SERVER node2 OPTIONS (table_name 's_c');
  CREATE FOREIGN TABLE two_d PARTITION OF two FOR VALUES IN ('d') SERVER node2 OPTIONS (table_name 's_d');
  CREATE TABLE one (src text, features float8[], y float8, c int) PARTITION BY LIST (src);
  CREATE FOREIGN TABLE one_a PARTITION OF one FOR VALUES IN ('a') SERVER node1 OPTIONS (table_name 's_a');
  CREATE FOREIGN TABLE one_b PARTITION OF one FOR VALUES IN ('b') SERVER node1 OPTIONS (table_name 's_b');
  CREATE FOREIGN TABLE one_c PARTITION OF one FOR VALUES IN ('c') SERVER node1 OPTIONS (table_name 's_c');
  CREATE FOREIGN TABLE one_d PARTITION OF one FOR VALUES IN ('d') SERVER node1 OPTIONS (table_name 's_d');
  CREATE TABLE val (features float8[], y float8, c int);
  INSERT INTO val SELECT features, y, c FROM ($(gen v 1 2000 100000001)) v(s, features, y, c);"

echo "== 1. what crosses the network per source (${ROWS} rows of ${P} features)"
q 1 -c "SELECT 'pushed down: 1 row, ' || octet_length(acq.linear_stats(features, y)::text) || ' bytes (text)' FROM s_a;
        SELECT 'pulled:      ' || count(*) || ' rows, ' || sum(octet_length(features::text) + octet_length(y::text)) || ' bytes (text)' FROM s_a;"

echo "== 2. select_sources (regression, splice) over 4 sources: two nodes vs one (async Append)"
for layout in two one two one; do
	t=$(q 0 -c '\timing on' -c "SELECT sources, round(gain::numeric, 9) FROM acq.select_sources('$layout', 'val', 'features', 'y', task => 'regression')" | tr '\n' ' ')
	echo "$layout node(s): $t"
done
echo "== 2b. select_sources (classification, splice) over the same 4 sources: two nodes vs one"
for layout in two one two one; do
	t=$(q 0 -c '\timing on' -c "SELECT sources, gain, models_trained FROM acq.select_sources('$layout', 'val', 'features', 'c')" | tr '\n' ' ')
	echo "$layout node(s): $t"
done
# every method batches a step's logistic fits: the queries node1 served (pg_stat_statements,
# the statements that call acq.logistic_terms over its leaf s_a: one a round trip) against the
# models the search trained
for i in 1 2; do q $i -c "CREATE EXTENSION pg_stat_statements"; done
lq() { q 1 -c "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '%acq.logistic_terms(%' AND query LIKE '%public.s_a%' AND query NOT LIKE '%pg_stat_statements%'"; }
echo "== 2c. classification by every method over the same 4 sources: two nodes vs one, queries node1 served"
for meth in ${METHODS:-grasp greedy random exhaustive datamodels}; do
	for layout in two one; do
		before=$(lq)
		t=$(q 0 -c '\timing on' -c "SELECT sources, gain, models_trained FROM acq.select_sources('$layout', 'val', 'features', 'c', method => '$meth', iterations => 5, samples => 10, seed => 1)" | tr '\n' ' ')
		echo "$meth, $layout node(s): $t queries on node1: $(($(lq) - before))"
	done
done
echo "pulling the same rows through postgres_fdw (COPY of the four foreign leaves to /dev/null, layout two):"
q 0 -c '\timing on' -c "COPY (SELECT features, y FROM two) TO '/dev/null'" | tr '\n' ' '; echo

fi
[ "$SKIP_BIG" = 1 ] && exit 0
echo "== 3. ${BIG} rows of ${BIGP} features, 10 sources, on one server"
q 1 -c "CREATE TABLE big (src int, features float8[], y float8, c int);
        INSERT INTO big SELECT i % 10, f, v, (v > 0)::int
          FROM (SELECT i, f, f[1] - 2 * f[2] + (i % 10 % 3) * f[3] + sin(i * 7.1) v
                  FROM (SELECT i, ARRAY(SELECT sin(i * g * 0.37) FROM generate_series(1, $BIGP) g) f
                          FROM generate_series(1, $BIG) i) s) t;
        CREATE TABLE bigval AS SELECT features, y, (y > 0)::int c
          FROM (SELECT f AS features, f[1] - 2 * f[2] + f[3] + sin(i * 7.1) AS y
                  FROM (SELECT i, ARRAY(SELECT sin(i * g * 0.37) FROM generate_series(1, $BIGP) g) f
                          FROM generate_series(100000001, 100010000) i) s) t;
        ANALYZE big; ANALYZE bigval;"
q 1 -c "SELECT 'table: ' || pg_size_pretty(pg_total_relation_size('big'))"
# the backend's peak private memory (RssAnon + RssFile, polled by peak.py) and its growth
# during the call; JIT as the server has it (on), acq's own queries run without it
for limit in 64MB 4GB; do
	echo "acq.max_memory = $limit: $(/usr/bin/python3 "$(dirname "$0")/peak.py" "$W" $((PORT0 + 1)) $limit \
	  "SELECT sources, round(gain::numeric, 9), models_trained FROM acq.select_sources('big', 'bigval', 'features', 'y', task => 'regression', source_column => 'src')")"
done
# classification (label c = y > 0) over the same rows, a small search (s_max = k_max = 2): with the
# bound every Newton step is one streamed pass of acq.logistic_terms over the table
[ "${BIG_CLS:-1}" = 1 ] || exit 0
for limit in 64MB 4GB; do
	echo "classification, acq.max_memory = $limit: $(/usr/bin/python3 "$(dirname "$0")/peak.py" "$W" $((PORT0 + 1)) $limit \
	  "SELECT sources, round(gain::numeric, 9), models_trained FROM acq.select_sources('big', 'bigval', 'features', 'c', source_column => 'src', s_max => 2, k_max => 2)")"
done
