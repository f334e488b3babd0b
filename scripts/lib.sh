# scripts/lib.sh -- shared by scripts/test.sh, scripts/demo.sh and bench/*.
# Source it; it defines functions and changes nothing by itself.

ACQ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin
PG_CONFIG=$PG_BIN/pg_config
export DEBIAN_FRONTEND=noninteractive

# Debian packages the build, the demo and the tests need (liblbfgs-dev: the
# L-BFGS optimiser of the softmax regression, MIT licence; python3-psycopg:
# the fuzz suite, test/fuzz) ...
ACQ_PACKAGES="postgresql-15 postgresql-contrib postgresql-server-dev-15 postgresql-client-15
 postgresql-15-cron libopenblas-dev libopenblas0-serial liblapacke-dev liblbfgs-dev libc6-dev libipc-run-perl make gcc gzip
 python3 python3-psycopg"
# ... and the benchmarks' Python peer (bench/) and test-fixture generators
ACQ_BENCH_PACKAGES="python3 python3-numpy python3-sklearn python3-pandas python3-tqdm"
# ... and bench/acquisition/evidence.sh: the authors' acquisition code (EA.py, SPS.py,
# Measure.py, TS.py import scipy, scikit-image, imbalanced-learn and matplotlib at the top) and the plots
ACQ_AUTHORS_ACQ_PACKAGES="python3-scipy python3-skimage python3-imblearn python3-matplotlib gnuplot-nox"

acq_log() { printf '==> %s\n' "$*" >&2; }

# Install whatever is missing (apt-get update only when something is).
acq_ensure_packages() {
	local missing="" p
	for p in $ACQ_PACKAGES "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		if [ "$(id -u)" != 0 ]; then
			echo "missing Debian packages:$missing (run as root, or install them)" >&2
			return 1
		fi
		acq_log "installing:$missing"
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 $missing >/dev/null
	fi
}

# Build (warnings are errors) and install the extension.
acq_build_install() {
	acq_log "building acq"
	make -C "$ACQ_ROOT" -s PG_CONFIG="$PG_CONFIG" >/dev/null
	make -C "$ACQ_ROOT" -s PG_CONFIG="$PG_CONFIG" install >/dev/null
}

# Start a throwaway cluster; sets ACQ_PGDIR, PGHOST, PGPORT, PGUSER, PGDATABASE.
# It is stopped and removed by acq_stop_cluster (install a trap).
acq_start_cluster() {
	local port=${1:-55432}
	shift || true
	ACQ_PGDIR=$(mktemp -d /tmp/acq-pg.XXXXXX)
	chown postgres: "$ACQ_PGDIR"
	(cd / && runuser -u postgres -- "$PG_BIN/initdb" -D "$ACQ_PGDIR/data" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync >/dev/null)
	cat >>"$ACQ_PGDIR/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$ACQ_PGDIR'
fsync = off
max_worker_processes = 16
CONF
	for extra in "$@"; do echo "$extra" >>"$ACQ_PGDIR/data/postgresql.conf"; done
	(cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$ACQ_PGDIR/data" -l "$ACQ_PGDIR/server.log" -w start >/dev/null)
	export PGHOST=$ACQ_PGDIR PGPORT=$port PGUSER=postgres PGDATABASE=postgres
}

acq_stop_cluster() {
	if [ -n "${ACQ_PGDIR:-}" ] && [ -d "$ACQ_PGDIR" ]; then
		(cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$ACQ_PGDIR/data" -m immediate -w stop >/dev/null 2>&1) || true
		rm -rf "$ACQ_PGDIR"
	fi
}

acq_psql() { psql -X -v ON_ERROR_STOP=1 -q "$@"; }

# The common start of the bench/ scripts: the repository as working directory,
# PORT (the script's default, $1, unless set), PY (Debian's python3, whose numpy
# and scikit-learn the peers use), PG_BIN_OVERRIDE (a private install, made by
# make install DESTDIR=...), and root (they install packages and run the server
# as postgres).
acq_bench_start() {
	cd "$ACQ_ROOT"
	PORT=${PORT:-$1}
	PY=/usr/bin/python3
	if [ -n "${PG_BIN_OVERRIDE:-}" ]; then PG_BIN=$PG_BIN_OVERRIDE; fi
	if [ "$(id -u)" != 0 ]; then
		echo "run as root (installs packages, runs the server as postgres)" >&2
		exit 2
	fi
}

# One thread for every numeric library (OpenBLAS, OpenMP, MKL): a peer on one
# core, as each acq backend is.
acq_one_thread() { export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1; }
