#!/usr/bin/env bash
# scripts/test.sh -- install what is missing, build, and run every test:
# the core's C unit tests (plain and under ASan+UBSan), the layers' include
# rules, pg_regress, the concurrency specs (pg_isolation_regress), the
# reduced fuzz suite and the docs' SQL examples on a throwaway cluster, and
# TAP tests.
# Ends with a "N passed, N failed" line; exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ACQ_ROOT"

[ "$(id -u)" = 0 ] || { echo "run scripts/test.sh as root (it installs packages and runs the server as postgres)" >&2; exit 2; }
acq_ensure_packages
make -s PG_CONFIG="$PG_CONFIG" clean >/dev/null
acq_build_install

passed=0; failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }
# count_regress OUT RC DIFFS...: count a pg_regress / pg_isolation_regress run
# from its output OUT and exit status RC, and show its diffs
count_regress() {
	local out=$1 rc=$2 n_tests n_fail d
	shift 2
	n_tests=$(grep -cE '^(ok|not ok) ' "$out" || true)
	n_fail=$(grep -cE '^not ok ' "$out" || true)
	if [ "$n_tests" = 0 ]; then
		# pg_regress 15 prints "test name ... ok"
		n_tests=$(grep -cE '^(test| ) ?[a-z_0-9]+ +\.\.\. ' "$out" || true)
		n_fail=$(grep -cE '\.\.\. FAILED' "$out" || true)
	fi
	if [ "$rc" -ne 0 ] && [ "$n_fail" = 0 ]; then n_fail=1; fi
	count $((n_tests - n_fail)) "$n_fail"
	for d in "$@"; do
		if [ -f "$d" ]; then head -200 "$d"; fi
	done
}

# ---- 1. C unit tests of the core -------------------------------------------
acq_log "core unit tests"
set +e
unit_out=$(make -s PG_CONFIG="$PG_CONFIG" unit 2>&1)
set -e
echo "$unit_out"
if [[ $unit_out =~ unit:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
	count "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
else
	count 0 1
fi

# the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer
# (docs/hardening.md, "Sanitizers"; bench/sanitize.sh runs acq.so under them)
acq_log "core unit tests under ASan+UBSan"
set +e
san_out=$(make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" unit-sanitize 2>&1)
set -e
echo "$san_out" | tail -40
if [[ $san_out =~ unit-sanitize:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
	count "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
else
	count 0 1
fi

# ---- 2. the layers' include rules (docs/architecture.md) -------------------
acq_log "check-layers"
if make -s PG_CONFIG="$PG_CONFIG" check-layers; then count 1 0; else count 0 1; fi

# ---- 3. pg_regress on a throwaway cluster ----------------------------------
acq_log "pg_regress"
trap acq_stop_cluster EXIT
acq_start_cluster 55432
set +e
make -s PG_CONFIG="$PG_CONFIG" installcheck ISOLATION= PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
	>"$ACQ_PGDIR/regress.out" 2>&1
rc=$?
set -e
cat "$ACQ_PGDIR/regress.out"
count_regress "$ACQ_PGDIR/regress.out" $rc regression.diffs

# ---- 3a. the concurrency specs (pg_isolation_regress, test/specs) ----------
# on the same cluster: its max_worker_processes = 16 leaves room for the
# specs' jobs (acq.max_jobs = 4 running, and the workers of queued jobs)
acq_log "isolation specs"
set +e
make -s PG_CONFIG="$PG_CONFIG" isolationcheck PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
	>"$ACQ_PGDIR/isolation.out" 2>&1
rc=$?
set -e
cat "$ACQ_PGDIR/isolation.out"
count_regress "$ACQ_PGDIR/isolation.out" $rc output_iso/regression.diffs

# ---- 3b. the fuzz suite, reduced, on the same cluster (docs/hardening.md) --
# one test: passes when no call crashed the server, raised an internal error,
# hung past its statement_timeout, gave a different result when repeated or
# a non-finite number, other than the known findings of test/fuzz/known.py
acq_log "fuzz suite (reduced; the full one is bench/fuzz.sh)"
set +e
/usr/bin/python3 test/fuzz/fuzz.py --seed "${ACQ_FUZZ_SEED:-1}" --calls "${ACQ_FUZZ_CALLS:-4000}" \
	--server-log "$ACQ_PGDIR/server.log" >"$ACQ_PGDIR/fuzz.out" 2>&1
rc=$?
set -e
grep -A3 '^FAIL' "$ACQ_PGDIR/fuzz.out" | head -60 || true
sed -n '/^per function/,$p' "$ACQ_PGDIR/fuzz.out"
[ -s "$ACQ_PGDIR/fuzz.out" ] && grep -q '^fuzz: seed' "$ACQ_PGDIR/fuzz.out" || tail -20 "$ACQ_PGDIR/fuzz.out"
if [ $rc -eq 0 ]; then count 1 0; else count 0 1; fi
acq_stop_cluster

# ---- 3c. a server that preloads acq (shared_preload_libraries) --------------
# the library loaded once in the postmaster and inherited by every backend and
# job worker (docs/jobs.md, "Configuration"): the settings, a search, the jobs
# and the concurrency specs again
acq_log "pg_regress and isolation specs, acq preloaded"
acq_start_cluster 55433 "shared_preload_libraries = 'acq'"
set +e
make -s PG_CONFIG="$PG_CONFIG" installcheck REGRESS="names select_sources jobs" \
	PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres >"$ACQ_PGDIR/preload.out" 2>&1
rc=$?
set -e
cat "$ACQ_PGDIR/preload.out"
count_regress "$ACQ_PGDIR/preload.out" $rc regression.diffs output_iso/regression.diffs

# ---- 3d. every SQL example of README.md and docs/*.md runs ------------------
# on the demo data, one database per page (test/docs/examples.py); one test a block
acq_log "the docs' examples"
set +e
/usr/bin/python3 test/docs/examples.py >"$ACQ_PGDIR/docs.out" 2>&1
rc=$?
set -e
grep -v '^ok ' "$ACQ_PGDIR/docs.out" || true
if [[ $(tail -1 "$ACQ_PGDIR/docs.out") =~ docs\ examples:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
	count "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	if [ $rc -ne 0 ] && [ "${BASH_REMATCH[2]}" = 0 ]; then count 0 1; fi
else
	count 0 1
fi
acq_stop_cluster
trap - EXIT

# ---- 4. TAP tests (several clusters; run as postgres) ----------------------
acq_log "TAP tests"
# the tests are copied out: the clone may sit where postgres cannot read
T=$(mktemp -d /tmp/acq-tap.XXXXXX)
cp -r test/t "$T/t"
chown -R postgres: "$T"
set +e
(cd "$T" && runuser -u postgres -- env PATH="$PG_BIN:/usr/bin:/bin" TESTDIR="$T" PGPORT=65432 \
	PG_REGRESS=/usr/lib/postgresql/15/lib/pgxs/src/test/regress/pg_regress \
	prove -I /usr/lib/postgresql/15/lib/pgxs/src/test/perl t/*.pl) >"$T/prove.out" 2>&1
rc=$?
set -e
cat "$T/prove.out"
tap_tests=$(sed -nE 's/^Files=[0-9]+, Tests=([0-9]+),.*/\1/p' "$T/prove.out" || true)
tap_failed=$( (grep -oE 'Failed [0-9]+/[0-9]+ subtests' "$T/prove.out" || true) | awk -F'[ /]' '{s+=$2} END {print s+0}')
[ -n "$tap_tests" ] || tap_tests=0
if [ $rc -ne 0 ] && [ "$tap_failed" = 0 ]; then tap_failed=1; fi
count $((tap_tests - tap_failed)) "$tap_failed"
rm -rf "$T"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
