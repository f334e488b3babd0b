#!/usr/bin/env bash
# bench/sanitize.sh -- acq under AddressSanitizer + UndefinedBehaviorSanitizer
# (docs/hardening.md, "Sanitizers"; issue 16 item 5):
#
#   1. `make unit-sanitize`: every core unit test built with ASan+UBSan;
#   2. acq.so itself built with ASan+UBSan (in a copy of the tree, so the
#      checkout's own objects are untouched) and installed;
#   3. a throwaway cluster whose postgres runs with libasan/libubsan in
#      LD_PRELOAD (PostgreSQL itself is not instrumented); pg_regress (every
#      test/sql file) and a short fuzz run (test/fuzz/fuzz.py) against it;
#   4. the server log scanned for reports and abnormal backend exits: any
#      fails the run; then a self-check (bench/sanitize/canary.c) proves that
#      a heap overflow and a signed overflow are reported where it looked;
#   5. the normal (uninstrumented) acq.so built and installed again, on any
#      exit, so the install is never left sanitized.
#
# It installs into the PostgreSQL install dir like scripts/test.sh: on a
# machine shared with others, hold their install lock around it, e.g.
#   flock -o /tmp/acq-pgtest.lock bench/sanitize.sh
#
#   bench/sanitize.sh                    # pg_regress + 500 fuzz calls
#   CALLS=2000 SEED=3 bench/sanitize.sh  # a longer fuzz run
#   CALLS=0 bench/sanitize.sh            # no fuzz run
#   VALGRIND=1 bench/sanitize.sh         # also the unit tests under valgrind
#                                        # (~25 min; VALGRIND_TIMEOUT per test, 900 s)
#   PORT=55441 bench/sanitize.sh         # the cluster's port
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$ACQ_ROOT"
PORT=${PORT:-55441}
CALLS=${CALLS:-500}
SEED=${SEED:-1}
VALGRIND=${VALGRIND:-0}
VALGRIND_TIMEOUT=${VALGRIND_TIMEOUT:-900}
SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

[ "$(id -u)" = 0 ] || { echo "run as root (installs acq, runs the server as postgres)" >&2; exit 2; }
acq_ensure_packages libasan8 libubsan1
[ "$VALGRIND" = 0 ] || acq_ensure_packages valgrind
LIBASAN=$(gcc -print-file-name=libasan.so)
LIBUBSAN=$(gcc -print-file-name=libubsan.so)
LIBASAN=$(readlink -f "$LIBASAN"); LIBUBSAN=$(readlink -f "$LIBUBSAN")
[ -f "$LIBASAN" ] && [ -f "$LIBUBSAN" ] || { echo "libasan/libubsan not found" >&2; exit 2; }

failed=0
t0=$(date +%s)
echo "acq sanitizers -- $(date -u +%F), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?'), gcc $(gcc -dumpversion), PostgreSQL $($PG_BIN/postgres --version | awk '{print $3}')"

# ---- 1. the core's unit tests under ASan + UBSan ---------------------------
acq_log "unit tests under ASan+UBSan (make unit-sanitize)"
make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" unit-sanitize || failed=1

if [ "$VALGRIND" != 0 ]; then
	# memcheck sees what ASan cannot: a branch on an uninitialised value.
	# OpenBLAS picks its kernels by CPU; valgrind knows no AVX-512, so the
	# Haswell (AVX2) kernels are forced.
	acq_log "unit tests under valgrind (memcheck)"
	make -s PG_CONFIG="$PG_CONFIG" unit >/dev/null 2>&1 || true
	for t in test/unit/test_*.bin; do
		set +e
		OPENBLAS_CORETYPE=Haswell timeout "$VALGRIND_TIMEOUT" valgrind -q --error-exitcode=99 \
			--track-origins=yes --leak-check=full --errors-for-leak-kinds=definite "./$t" >/dev/null 2>"$t.vg"
		rc=$?
		set -e
		case $rc in
			0) echo "valgrind ok: $t" ;;
			*)
				if [ $rc = 124 ] && ! grep -q '^==[0-9]*== [A-Z]' "$t.vg"; then
					echo "valgrind: $t did not finish in $VALGRIND_TIMEOUT s (no error until then)"
				else
					echo "valgrind FAILED: $t"; head -60 "$t.vg"; failed=1
				fi ;;
		esac
	done
fi

# ---- 2. acq.so with ASan + UBSan, in a copy of the tree --------------------
acq_log "building acq.so with ASan+UBSan"
B=$(mktemp -d /tmp/acq-san.XXXXXX)
cp -r Makefile acq.control src sql test "$B/"
ln -s "$ACQ_ROOT/data" "$B/data"   # the data sets test/sql/fidelity.sql loads
make -C "$B" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" clean >/dev/null
# COPT goes into PGXS's CFLAGS and LDFLAGS: -O1 (after PostgreSQL's -O2) for
# exact stacks, and acq.so is linked against libasan and libubsan
make -C "$B" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" COPT="-O1 -g $SAN_FLAGS" >/dev/null
nm -D "$B/acq.so" | grep __asan_report_load >/dev/null || { echo "acq.so is not instrumented" >&2; exit 1; }
# the normal build, ready before the sanitized one is installed
acq_log "building the normal acq.so (installed again at the end)"
make -s PG_CONFIG="$PG_CONFIG" >/dev/null

restore() {
	acq_stop_cluster
	acq_log "installing the normal acq.so again"
	make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
	rm -rf "$B"
}
trap restore EXIT
make -C "$B" -s PG_CONFIG="$PG_CONFIG" install >/dev/null

# ---- 3. a cluster whose server preloads the sanitizers' runtimes -----------
acq_start_cluster "$PORT"
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$ACQ_PGDIR/data" -m fast -w stop >/dev/null
SAN_LOG=$ACQ_PGDIR/san
mkdir -p "$SAN_LOG"; chown postgres: "$SAN_LOG"
# detect_leaks=0: PostgreSQL frees memory by dropping whole memory contexts
#   and leaves the rest to process exit, so LeakSanitizer would report every
#   backend.
# allocator_may_return_null=1: a malloc that cannot be served returns NULL,
#   as glibc's does, and PostgreSQL raises "out of memory" (ASan would abort).
# abort_on_error=1, halt_on_error=1: an ASan report ends the backend with
#   SIGABRT, which the postmaster logs as a crash and the fuzz suite counts
#   as one.  (A UBSan report ends it with exit code 1 all the same: gcc 12's
#   libubsan does not take these from UBSAN_OPTIONS next to libasan; the
#   postmaster logs that too, and step 5 looks for both.)
# The reports go to the server's stderr, i.e. the server log (log_path is
# not used: gcc 12's libubsan ignores it next to libasan).
ASAN_ENV="detect_leaks=0:allocator_may_return_null=1:abort_on_error=1:halt_on_error=1"
UBSAN_ENV="print_stacktrace=1:halt_on_error=1:abort_on_error=1"
# bench/sanitize/swift_demangle_shim.c: without it postgres hangs before main
# under preloaded libasan (see the file)
gcc -shared -fPIC -O2 -Wall -Werror -o "$SAN_LOG/swift_demangle_shim.so" bench/sanitize/swift_demangle_shim.c
chmod 755 "$SAN_LOG/swift_demangle_shim.so"
PRELOAD="$LIBASAN $LIBUBSAN $SAN_LOG/swift_demangle_shim.so"
(cd / && timeout 120 runuser -u postgres -- env LD_PRELOAD="$PRELOAD" ASAN_OPTIONS="$ASAN_ENV" \
	UBSAN_OPTIONS="$UBSAN_ENV" "$PG_BIN/pg_ctl" -D "$ACQ_PGDIR/data" -l "$ACQ_PGDIR/server.log" -w start >/dev/null)

# the backend really runs the instrumented acq.so under the runtime
maps=$(psql -XAtq -c "LOAD 'acq'" -c "SELECT pg_read_file('/proc/self/maps')" |
	grep -oE '(libasan|libubsan|acq)\.so[^ ]*' | sort -u | tr '\n' ' ')
echo "a backend maps: $maps"
case "$maps" in *acq.so*libasan*) ;; *) echo "the server does not run acq.so under ASan" >&2; exit 1 ;; esac

# ---- 4. pg_regress and the fuzz suite against it ----------------------------
acq_log "pg_regress under ASan+UBSan"
set +e
make -C "$B" -s PG_CONFIG="$PG_CONFIG" installcheck PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
	>"$ACQ_PGDIR/regress.out" 2>&1
rc=$?
set -e
n_tests=$(grep -cE '^(test| ) ?[a-z_0-9]+ +\.\.\. ' "$ACQ_PGDIR/regress.out" || true)
n_fail=$(grep -cE '\.\.\. FAILED' "$ACQ_PGDIR/regress.out" || true)
echo "pg_regress: $((n_tests - n_fail)) of $n_tests tests ok (exit $rc)"
if [ $rc -ne 0 ]; then
	failed=1; cat "$ACQ_PGDIR/regress.out"; head -100 "$B/regression.diffs" 2>/dev/null || true
fi

if [ "$CALLS" != 0 ]; then
	acq_log "fuzz suite under ASan+UBSan: seed $SEED, $CALLS calls"
	set +e
	/usr/bin/python3 test/fuzz/fuzz.py --seed "$SEED" --calls "$CALLS" --timeout 60 \
		--server-log "$ACQ_PGDIR/server.log" >"$ACQ_PGDIR/fuzz.out" 2>&1
	rc=$?
	set -e
	grep -E '^fuzz: |^total' "$ACQ_PGDIR/fuzz.out" || true
	if [ $rc -ne 0 ]; then failed=1; grep -A3 '^FAIL' "$ACQ_PGDIR/fuzz.out" | head -60 || tail -30 "$ACQ_PGDIR/fuzz.out"; fi
fi

# ---- 5. the reports ---------------------------------------------------------
# a sanitizer's report, or a backend that ended abnormally (a report ends it
# with SIGABRT or exit code 1; background workers whose job failed exit 1 as
# usual, so only "server process" counts there)
pattern='AddressSanitizer|LeakSanitizer|runtime error:|terminated by signal|was terminated by exception|server process \(PID [0-9]+\) exited with exit code'
reports=$(grep -cE "$pattern" "$ACQ_PGDIR/server.log" || true)
echo "sanitizer reports and abnormal exits in the server log: $reports"
if [ "$reports" != 0 ]; then
	failed=1
	grep -E -B2 -A30 "$pattern" "$ACQ_PGDIR/server.log" | head -200
fi

# ---- 6. self-check: would a finding have been seen? -------------------------
# bench/sanitize/canary.c, built like acq.so: a heap overflow and a signed
# overflow, each called once; both must show up where step 5 looked
acq_log "self-check: a deliberate heap overflow and signed overflow"
gcc -O1 -g -fPIC -shared -Wall -Werror $SAN_FLAGS -I"$($PG_CONFIG --includedir-server)" \
	-o "$SAN_LOG/canary.so" bench/sanitize/canary.c
chmod 755 "$SAN_LOG/canary.so"
lines0=$(wc -l <"$ACQ_PGDIR/server.log")
psql -XAtq -c "CREATE FUNCTION pg_temp.canary(int, int) RETURNS int AS '$SAN_LOG/canary.so', 'acq_san_canary' LANGUAGE C STRICT" \
	-c "SELECT pg_temp.canary(1, 15)" -c "SELECT pg_temp.canary(2, 0)" >/dev/null
for call in "1, 16" "2, 1"; do
	for i in $(seq 60); do psql -XAtqc 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
	psql -XAtq -c "CREATE FUNCTION pg_temp.canary(int, int) RETURNS int AS '$SAN_LOG/canary.so', 'acq_san_canary' LANGUAGE C STRICT" \
		-c "SELECT pg_temp.canary($call)" >/dev/null 2>&1 && { echo "self-check: canary($call) returned" >&2; failed=1; }
done
sleep 1
tail -n +"$((lines0 + 1))" "$ACQ_PGDIR/server.log" >"$ACQ_PGDIR/canary.log"
asan_seen=$(grep -c 'ERROR: AddressSanitizer: heap-buffer-overflow' "$ACQ_PGDIR/canary.log" || true)
ubsan_seen=$(grep -c 'runtime error: signed integer overflow' "$ACQ_PGDIR/canary.log" || true)
echo "self-check: heap overflow reported $asan_seen time(s), signed overflow $ubsan_seen time(s)"
if [ "$asan_seen" = 0 ] || [ "$ubsan_seen" = 0 ]; then
	failed=1; echo "self-check FAILED: the scan would miss a finding"; cat "$ACQ_PGDIR/canary.log"
fi
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$ACQ_PGDIR/data" -m fast -w stop >/dev/null || true

echo "sanitize: $(( $(date +%s) - t0 )) s"
if [ $failed -eq 0 ]; then echo "sanitize: 0 findings"; else echo "sanitize: FAILED"; fi
exit $failed
