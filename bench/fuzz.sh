#!/usr/bin/env bash
# bench/fuzz.sh -- the full fuzz suite (test/fuzz/fuzz.py; docs/hardening.md)
# on a throwaway cluster of its own.  scripts/test.sh runs a reduced form
# (4,000 calls) on its pg_regress cluster.  Exits non-zero on any failure.
#
#   bench/fuzz.sh                       # seed 1, 20,000 calls
#   SEED=7 CALLS=50000 bench/fuzz.sh    # another seed, more calls
#   bench/fuzz.sh --verbose             # extra arguments go to fuzz.py
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
acq_bench_start 55436
SEED=${SEED:-1}
CALLS=${CALLS:-20000}
OUT=bench/out; mkdir -p "$OUT"

acq_ensure_packages
acq_build_install
trap acq_stop_cluster EXIT
acq_start_cluster "$PORT"
echo "acq fuzz suite — $(date -u +%F), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?'), PostgreSQL $(psql -XAtc 'SHOW server_version')"
/usr/bin/python3 test/fuzz/fuzz.py --seed "$SEED" --calls "$CALLS" --server-log "$ACQ_PGDIR/server.log" \
	--markdown "$OUT/fuzz-seed$SEED.md" "$@"
