#!/usr/bin/env bash
# bench/mycroft/authors_speed.sh -- acq.mycroft_select(method => 'binning')
# against the authors' own tabular Mycroft code (zainsarwar865/Mycroft-Data-Sharing,
# src/Mycroft-IoT/scripts/enola), run unmodified on the same rows in the same
# invocation: wall and CPU time, and whether the selected rows agree.
# Prints figures, never asserts them.  Not part of scripts/test.sh.
#
#   git clone https://github.com/zainsarwar865/Mycroft-Data-Sharing /tmp/mycroft-authors
#   MYCROFT_DIR=/tmp/mycroft-authors bench/mycroft/authors_speed.sh
#   SEED=0 K=20 REPEAT=5 AUTHORS_REPEAT=3 ...      # defaults
#   SKIP_INSTALL=1 PG_BIN_OVERRIDE=/opt/x/usr/lib/postgresql/15/bin ...   # a private install
#
# The rows: bench/mycroft's Statlog Shuttle construction for one seed (prepare.py):
# the trainer's tree (acq.hard_examples, labels {1}) gives D_hard, whose shared
# half is the hard table; the owners are owner A's abnormal rows (1,350: the
# authors' owner files are attack captures only) and owner A whole (9,350 rows).
# Shuttle has 9 features, as many as the authors' hard-coded IoT columns, so
# the harness writes both tables as CSV with those column names (plus id, label).
# See authors_speed.py for what is timed and compared.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
acq_bench_start 55475
acq_one_thread
export SEED=${SEED:-0}
[ -n "${MYCROFT_DIR:-}" ] && [ -f "$MYCROFT_DIR/src/Mycroft-IoT/scripts/enola/calculate_binning_distance.py" ] || {
	echo "MYCROFT_DIR must name a checkout of https://github.com/zainsarwar865/Mycroft-Data-Sharing" >&2; exit 2; }
if [ "${SKIP_INSTALL:-0}" != 1 ]; then
	acq_ensure_packages $ACQ_BENCH_PACKAGES python3-xgboost
	acq_build_install
fi
W=$(mktemp -d /tmp/acq-bench-mycroft-authors.XXXXXX)
chmod 755 "$W"
trap 'acq_stop_cluster; rm -rf "$W"' EXIT
acq_start_cluster "$PORT" "shared_buffers = 256MB" "work_mem = 64MB"
acq_psql -c 'CREATE EXTENSION acq' -c 'CREATE SCHEMA bench'
$PY bench/mycroft/prepare.py shuttle --out "$W/shuttle" --seeds "$SEED" >/dev/null
ids() {
	acq_psql -c "CREATE TABLE bench.ids_$1 (id bigint PRIMARY KEY)" -c "\\copy bench.ids_$1 FROM '$2'" \
		-c "CREATE TABLE bench.$1 AS SELECT r.id, r.features, r.label FROM bench.rows r JOIN bench.ids_$1 USING (id) ORDER BY id" \
		-c "ALTER TABLE bench.$1 ADD PRIMARY KEY (id)"
}
acq_psql -c "CREATE TABLE bench.rows (id bigint PRIMARY KEY, features float8[] NOT NULL, label float8 NOT NULL, class text)" \
	-c "\\copy bench.rows FROM '$W/shuttle/rows.tsv'"
ids mt "$W/shuttle/mt_$SEED.ids"
ids test "$W/shuttle/test_$SEED.ids"
ids own "$W/shuttle/ownA_$SEED.ids"
acq_psql -c "CREATE TABLE bench.hard AS SELECT id, features, label FROM acq.hard_examples('bench.mt', 'bench.test', 'features', 'label', model => 'tree', labels => '{1}', seed => $SEED) WHERE shared" \
	-c "ALTER TABLE bench.hard ADD PRIMARY KEY (id)" \
	-c "CREATE TABLE bench.own_attack AS SELECT * FROM bench.own WHERE label = 1 ORDER BY id" \
	-c "ALTER TABLE bench.own_attack ADD PRIMARY KEY (id)" -c "VACUUM ANALYZE"
echo "Mycroft binning: acq against the authors' code — $(date -u +%F), $(getconf _NPROCESSORS_ONLN) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "PostgreSQL $(psql -XAtc 'SHOW server_version'), acq $(git log -1 --format=%h)$(git diff --quiet HEAD -- src sql || echo '+local changes'), authors' checkout $(git -C "$MYCROFT_DIR" log -1 --format=%h 2>/dev/null || echo '(no git)')"
$PY bench/mycroft/authors_speed.py --work "$W" bench.own_attack bench.own
