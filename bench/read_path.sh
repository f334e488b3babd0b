#!/usr/bin/env bash
# bench/read_path.sh -- acq's reading of float8[] feature columns against
# PostgreSQL's own scan of the same table, in one session, interleaved.
#
# acq's time is its own clock (src/pg/base/read.c: each reader reports
# "acq read: <what> <table>: N rows of d features in T ms" at DEBUG2): the
# whole read -- planning its query, the executor's scan, and checking and
# copying every row into acq's matrices.  PostgreSQL's is a DO block timing
#   SELECT sum(array_length(features, 1)) FROM <table>
# (a scan that opens every array, as acq must, but reads only its header),
#   COPY (SELECT features FROM <table>) TO '/dev/null' (FORMAT binary)
# (PostgreSQL handing every element over, as to a client),
#   SELECT sum(array_length(features[1:], 1)) FROM <table>
# (a scan that copies every element inside the executor: the slice of a
# NULL-free fixed-width array is a new array with all of its data, no output
# function -- the cheapest query we found that touches every element), and for the provider
#   SELECT count(label) FROM <table> and a binary COPY of id and label,
# as its set-up reads ids and labels, not the arrays.
# Each line prints both medians over REPEAT calls and their ratio.
#
#   bench/read_path.sh                 # build, install, run (root: a throwaway cluster)
#   REPEAT=9 bench/read_path.sh        # more calls (default 7; the first is dropped)
#   SKIP_INSTALL=1 PG_BIN_OVERRIDE=/opt/x/usr/lib/postgresql/15/bin bench/read_path.sh
#                                      # a private install (make install DESTDIR=/opt/x), already there
#
# Reads measured: select_sources' sources and validation (flights demo:
# 45,000 x float8[12] in 15 partitions, 5,000 validation rows),
# acquire's consumer (Fashion-MNIST HOG, 12,000 x float8[144]) and provider
# (48,000 rows, ids and labels), mycroft_select's owner (the 48,000 rows).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
acq_bench_start 55472
REPEAT=${REPEAT:-7}
[ "$REPEAT" -ge 2 ] 2>/dev/null || { echo "REPEAT must be at least 2: the first call is dropped" >&2; exit 2; }

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
	acq_ensure_packages $ACQ_BENCH_PACKAGES
	acq_build_install
fi
W=$(mktemp -d /tmp/acq-bench-read.XXXXXX)
trap 'acq_stop_cluster; rm -rf "$W"' EXIT
acq_start_cluster "$PORT" "shared_buffers = 256MB" "work_mem = 64MB" "max_wal_size = 4GB"
acq_psql -c 'CREATE EXTENSION acq'
acq_psql -v datadir="$ACQ_ROOT/data" -f data/load.sql >/dev/null
$PY bench/acquisition/prepare.py --dataset fashion --out "$W/fashion" --seeds 0 >/dev/null
acq_psql -c 'CREATE SCHEMA bench' \
	-c "CREATE TABLE bench.fashion_rows (id bigint PRIMARY KEY, features float8[] NOT NULL, label int NOT NULL)" \
	-c "\\copy bench.fashion_rows FROM '$W/fashion/rows.tsv'" \
	-c "CREATE TABLE bench.init_ids (id bigint PRIMARY KEY)" \
	-c "\\copy bench.init_ids FROM '$W/fashion/init_0.ids'" \
	-c "CREATE TABLE bench.consumer AS SELECT r.* FROM bench.fashion_rows r JOIN bench.init_ids USING (id) ORDER BY id" \
	-c "CREATE TABLE bench.provider AS SELECT r.* FROM bench.fashion_rows r WHERE NOT EXISTS (SELECT 1 FROM bench.init_ids i WHERE i.id = r.id) ORDER BY id" \
	-c "ALTER TABLE bench.consumer ADD PRIMARY KEY (id)" -c "ALTER TABLE bench.provider ADD PRIMARY KEY (id)" \
	-c "CREATE TABLE bench.hard AS SELECT id + 1000000 AS id, features, label FROM bench.consumer WHERE id % 97 = 0" \
	-c "VACUUM ANALYZE"

echo "acq read path benchmark — $(date -u +%F), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "PostgreSQL $(psql -XAtc 'SHOW server_version'), acq $(git log -1 --format=%h)$(git diff --quiet HEAD -- src sql || echo '+local changes'), acq.retain_memory $(psql -XAtc 'LOAD '"'"'acq'"'"'; SHOW acq.retain_memory' | tail -1)"
echo "median of $((REPEAT - 1)) calls after a first, one session; PostgreSQL's scan timed between acq's calls"
echo

# time_scan GROUP SQL -> a DO block that prints "scan GROUP <ms>"
time_scan() {
	echo "DO \$\$ DECLARE t0 timestamptz := clock_timestamp(); v bigint; BEGIN $2; RAISE NOTICE 'scan $1 %', extract(epoch FROM clock_timestamp() - t0) * 1000; END \$\$;"
}

# measure LABEL "ACQ CALL" "READ PATTERN" TABLE...  (after each call, PostgreSQL's scans of
# each table, summed: A = sum(array_length(features, 1)), B = COPY of the column in binary,
# C = sum(array_length(features[1:], 1)), a copy of every element)
measure() {
	local label=$1 call=$2 pattern=$3 t
	shift 3
	{
		for i in $(seq "$REPEAT"); do
			echo "SET client_min_messages = debug2;"
			echo "$call"
			echo "RESET client_min_messages;"
			for t in "$@"; do
				if [ "${t#provider:}" != "$t" ]; then
					time_scan A "SELECT count(label) INTO v FROM ${t#provider:}"
					time_scan B "EXECUTE 'COPY (SELECT id, label FROM ${t#provider:}) TO ''/dev/null'' (FORMAT binary)'"
					time_scan C "SELECT count(label) INTO v FROM ${t#provider:}"
				else
					time_scan A "SELECT sum(pg_catalog.array_length(features, 1)) INTO v FROM $t"
					time_scan B "EXECUTE 'COPY (SELECT features FROM $t) TO ''/dev/null'' (FORMAT binary)'"
					time_scan C "SELECT sum(pg_catalog.array_length(features[1:], 1)) INTO v FROM $t"
				fi
			done
			echo "SELECT 'end';"
		done
	} | psql -X -q -At 2>&1 | $PY -c '
import re, statistics, sys
label, pattern = sys.argv[1], re.compile(sys.argv[2])
acq, sa, sb, sc, cur = [], [], [], [], {"acq": 0.0, "A": 0.0, "B": 0.0, "C": 0.0}
for line in sys.stdin:
    m = re.search(r"acq read: (.*): \S+ rows of -?\d+ features in ([0-9.]+) ms", line)
    if m and pattern.search(m.group(1)):
        cur["acq"] += float(m.group(2))
    m = re.search(r"NOTICE:  scan ([ABC]) ([0-9.]+)", line)
    if m:
        cur[m.group(1)] += float(m.group(2))
    if line.strip() == "end":
        acq.append(cur["acq"]); sa.append(cur["A"]); sb.append(cur["B"]); sc.append(cur["C"])
        cur = {"acq": 0.0, "A": 0.0, "B": 0.0, "C": 0.0}
if len(acq) < 2:
    sys.exit("no measurement for " + label)
a, x, y, z = (statistics.median(v[1:]) for v in (acq, sa, sb, sc))
print("%-52s acq %7.2f ms | scan %7.2f ms: ratio %5.2f | copy scan %7.2f ms: ratio %5.2f | binary COPY %7.2f ms: ratio %5.2f"
      % (label, a, x, a / x, z, a / z, y, a / y))
' "$label" "$pattern"
}

echo "scan: SELECT sum(array_length(features, 1)) FROM t (the provider: count(label)); copy scan: SELECT sum(array_length(features[1:], 1)) FROM t (the provider: count(label) again); binary COPY: COPY (SELECT features FROM t) TO '/dev/null' (FORMAT binary) (the provider: id, label)"
FL="'acq_demo.flights', 'acq_demo.flights_validation', 'features', 'arr_delay_min', task => 'regression', tie_break => 'none', s_max => 7, k_max => 7"
measure "select_sources: flights sources (45,000 x 12)" \
	"SELECT count(*) FROM acq.select_sources($FL);" '^source ' acq_demo.flights
measure "select_sources: sources + validation (50,000 x 12)" \
	"SELECT count(*) FROM acq.select_sources($FL);" '^(source|validation table) ' \
	acq_demo.flights acq_demo.flights_validation
ACQ="'bench.consumer', 'bench.provider', 'bench.target', 'features', 'label', 1000, strategy => 'uniform', predicates => 'label', task => 'classification', batch => 100, seed => 0"
measure "acquire: consumer (12,000 x 144)" \
	"DROP TABLE IF EXISTS bench.target; SELECT count(*) FROM acq.acquire($ACQ);" '^consumer ' bench.consumer
measure "acquire: provider ids and labels (48,000 rows)" \
	"DROP TABLE IF EXISTS bench.target; SELECT count(*) FROM acq.acquire($ACQ);" '^provider ' provider:bench.provider
measure "mycroft_select: owner (48,000 x 144)" \
	"SELECT count(*) FROM acq.mycroft_select('bench.provider', 'bench.hard', 'id', 'features', 'label', 100, method => 'random');" \
	'^rows of bench\.provider' bench.provider
