#!/bin/bash
# bench/scale_out/remote.sh -- what crosses the network for a remote provider
# (acq.acquire on a postgres_fdw foreign table) and a remote owner
# (acq.rank_owners, the selection run on the owner's node), against pulling
# the table.  Two throwaway clusters (a coordinator and a data node); a
# byte-counting relay (relay.py) between them counts the libpq bytes both ways;
# the data node's pg_stat_user_tables gives the rows read there.
#
#   bench/scale_out/remote.sh            N=100000 rows, D=16 features
#   N=20000 D=8 bench/scale_out/remote.sh
#   BENCH_PG_BIN=/path/to/bin ...        another PostgreSQL build (default: lib.sh's)
# Ports: BASE_PORT (coordinator), BASE_PORT+1 (data node), BASE_PORT+5 (relay).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/lib.sh"
PG_BIN=${BENCH_PG_BIN:-$PG_BIN}
N=${N:-100000}
D=${D:-16}
BASE_PORT=${BASE_PORT:-56150}
CPORT=$BASE_PORT
NPORT=$((BASE_PORT + 1))
RPORT=$((BASE_PORT + 5))
W=$(mktemp -d /tmp/acq-scale-out.XXXXXX)
chown postgres: "$W"
RELAY_LOG=$W/relay.log
cleanup() {
	[ -n "${RELAY_PID:-}" ] && kill "$RELAY_PID" 2>/dev/null || true
	for p in $CPORT $NPORT; do
		[ -d "$W/d$p" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$W/d$p" -m fast -w stop >/dev/null 2>&1 || true
	done
	rm -rf "$W"
}
trap cleanup EXIT
for p in $CPORT $NPORT; do
	(cd / && runuser -u postgres -- "$PG_BIN/initdb" -D "$W/d$p" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null)
	printf "port = %d\nlisten_addresses = ''\nunix_socket_directories = '%s'\nfsync = off\n" "$p" "$W" >>"$W/d$p/postgresql.conf"
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$W/d$p" -l "$W/log$p" -w start >/dev/null
done
/usr/bin/python3 "$HERE/relay.py" "$RPORT" "$W/.s.PGSQL.$NPORT" "$RELAY_LOG" &
RELAY_PID=$!
sleep 0.5
C() { psql -X -q -At -h "$W" -p "$CPORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }
R() { psql -X -q -At -h "$W" -p "$NPORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }

acq_log "data node: provider and owner, $N rows of $D features each"
R <<SQL
CREATE EXTENSION acq;
CREATE TABLE prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO prov SELECT i, ARRAY(SELECT (i % 4) + sin(i * 0.731 + j) * 0.9 FROM generate_series(1, $D) j), i % 4
  FROM generate_series(1, $N) i;
CREATE TABLE owner_t (id bigint PRIMARY KEY, features float8[], label int);
INSERT INTO owner_t SELECT i, ARRAY(SELECT (i % 2) * 3 + sin(i * 0.377 + j) FROM generate_series(1, $D) j), i % 2
  FROM generate_series(1, $N) i;
VACUUM ANALYZE;
SQL
C <<SQL
CREATE EXTENSION acq; CREATE EXTENSION postgres_fdw; CREATE EXTENSION dblink;
CREATE SERVER node FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port '$RPORT', dbname 'postgres', extensions 'acq');
CREATE USER MAPPING FOR CURRENT_USER SERVER node OPTIONS (user 'postgres');
CREATE SCHEMA r;
IMPORT FOREIGN SCHEMA public FROM SERVER node INTO r;
CREATE TABLE cons (id bigint, x float8[], y int);
INSERT INTO cons SELECT 10000000 + i, ARRAY(SELECT (i % 4) + sin(i * 0.377 + j) * 0.9 FROM generate_series(1, $D) j), i % 4
  FROM generate_series(1, 2000) i WHERE i % 4 < 3;
CREATE TABLE trainer AS SELECT i AS id, ARRAY(SELECT (i % 2) * 3 + cos(i * 0.5 + j) FROM generate_series(1, $D) j) AS features,
  i % 2 AS label FROM generate_series(1, 1000) i;
CREATE TABLE hard AS SELECT 20000000 + i AS id, ARRAY(SELECT 1.5 + sin(i + j) FROM generate_series(1, $D) j) AS features,
  i % 2 AS label FROM generate_series(1, 50) i;
CREATE TABLE held AS SELECT 30000000 + i AS id, ARRAY(SELECT 1.5 + cos(i + j) FROM generate_series(1, $D) j) AS features,
  i % 2 AS label FROM generate_series(1, 50) i;
SQL

# one phase: SQL on the coordinator in a session of its own (its remote
# connections close with it, so the relay has logged them when it ends)
OUT=$W/out.txt
: >"$OUT"
phase() {
	local name=$1 sql=$2 t0 t1 up down nconn stats
	: >"$RELAY_LOG"
	R -c "SELECT pg_stat_reset()" >/dev/null
	t0=$(date +%s.%N)
	C -c "$sql" >/dev/null
	t1=$(date +%s.%N)
	sleep 0.3
	read -r up down nconn < <(awk '{u += $1; d += $2; n++} END {printf "%d %d %d\n", u, d, n}' "$RELAY_LOG")
	sleep 0.7   # the data node's backends flush their statistics as they exit
	stats=$(R -c "SELECT coalesce(sum(seq_tup_read), 0) || ' ' || coalesce(sum(idx_tup_fetch), 0) FROM pg_stat_user_tables WHERE relname IN ('prov', 'owner_t')")
	printf "%-46s %12d %14d %6d %14s %12s %8.2f\n" "$name" "$up" "$down" "$nconn" ${stats} "$(echo "$t1 - $t0" | bc)" >>"$OUT"
}

# the set-up session's own connection (IMPORT FOREIGN SCHEMA) is logged as it
# closes: let it land before the first phase clears the log
sleep 2
acq_log "phases"
phase "provider grid: acq.acquire, remote"   "SELECT bought FROM acq.acquire('cons', 'r.prov', 't_grid', 'x', 'y', 2000, predicates => 'grid', task => 'regression', batch => 100, seed => 1)"
phase "provider label: acq.acquire, remote"  "SELECT bought FROM acq.acquire('cons', 'r.prov', 't_label', 'x', 'y', 2000, batch => 100, seed => 1)"
phase "provider: pull (CREATE TABLE AS)"     "CREATE TABLE prov_pulled AS SELECT * FROM r.prov"
phase "owner: acq.rank_owners, remote"       "SELECT count(*) FROM acq.rank_owners('trainer', 'hard', 'held', '{r.owner_t}', 'features', 'label', k => 20)"
phase "owner: mycroft_select here, over fdw" "SELECT count(*) FROM acq.mycroft_select('r.owner_t', 'hard', 'id', 'features', 'label', 20)"
phase "owner: pull (CREATE TABLE AS)"        "CREATE TABLE owner_pulled AS SELECT * FROM r.owner_t"

{
	echo "N = $N rows of D = $D features (provider and owner); bytes: libpq protocol bytes through the relay"
	printf "%-46s %12s %14s %6s %14s %12s %8s\n" phase "to node" "from node" conns "node rows seq" "node idx" "s"
	cat "$OUT"
} | tee "$HERE/results/remote_${N}x${D}.txt"
