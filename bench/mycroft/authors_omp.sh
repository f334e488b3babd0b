#!/usr/bin/env bash
# bench/mycroft/authors_omp.sh -- acq.mycroft_select(method => 'omp') against the
# authors' own OMP solvers (zainsarwar865/Mycroft-Data-Sharing: GradMatch's
# cords/selectionstrategies/helpers/omp_solvers.py, numpy and torch), run
# unmodified on the CPU on the same gradients in the same invocation: wall and
# CPU time, and how many selected rows agree.  Prints figures, never asserts
# them.  Not part of scripts/test.sh.  See authors_omp.py for what is timed.
#
#   git clone https://github.com/zainsarwar865/Mycroft-Data-Sharing /tmp/mycroft-authors
#   MYCROFT_DIR=/tmp/mycroft-authors bench/mycroft/authors_omp.sh
#   K=100 REPEAT=3 AUTHORS_REPEAT=3 LAMBDAS=0,0.5 ...     # defaults
#   TORCH=0 ...                       # do not install python3-torch (the torch solver is then skipped)
#   SKIP_INSTALL=1 PG_BIN_OVERRIDE=/opt/x/usr/lib/postgresql/15/bin ...   # a private install
#
# The tables are run.sh's omp rows (prepare.py perf: 100,000 candidates with a
# 1,000-dimension gradients column, 1,000 hard rows), loaded by binary COPY so
# that acq and the authors' solvers hold the same doubles.  About 2 GB of
# memory and a few minutes.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
acq_bench_start 55476
acq_one_thread
[ -n "${MYCROFT_DIR:-}" ] && [ -f "$MYCROFT_DIR/src/GradMatch/cords/cords/selectionstrategies/helpers/omp_solvers.py" ] || {
	echo "MYCROFT_DIR must name a checkout of https://github.com/zainsarwar865/Mycroft-Data-Sharing" >&2; exit 2; }
if [ "${SKIP_INSTALL:-0}" != 1 ]; then
	extra="python3-scipy"
	[ "${TORCH:-1}" = 1 ] && extra="$extra python3-torch"
	acq_ensure_packages $ACQ_BENCH_PACKAGES $extra
	acq_build_install
fi
trap 'acq_stop_cluster' EXIT
acq_start_cluster "$PORT" "shared_buffers = 1GB" "work_mem = 64MB" "max_wal_size = 4GB"
acq_psql -c 'CREATE EXTENSION acq' -c 'CREATE SCHEMA bench'
for t in "o_owner omp_owner" "o_hard omp_hard"; do
	set -- $t
	acq_psql -c "CREATE TABLE bench.$1 (id bigint PRIMARY KEY, features float8[] NOT NULL, label float8 NOT NULL, gradients float8[] NOT NULL)"
	$PY bench/mycroft/prepare.py perf "$2" | acq_psql -c "COPY bench.$1 FROM STDIN (FORMAT binary)"
	acq_psql -c "VACUUM ANALYZE bench.$1"
done
echo "Mycroft OMP: acq against the authors' solvers — $(date -u +%F), $(getconf _NPROCESSORS_ONLN) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "PostgreSQL $(psql -XAtc 'SHOW server_version'), acq $(git log -1 --format=%h)$(git diff --quiet HEAD -- src sql || echo '+local changes'), authors' checkout $(git -C "$MYCROFT_DIR" log -1 --format=%h 2>/dev/null || echo '(no git)'), numpy $($PY -c 'import numpy; print(numpy.__version__)')"
$PY bench/mycroft/authors_omp.py
