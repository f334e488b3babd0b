#!/usr/bin/env bash
# bench/acquisition/evidence.sh -- issue 15's evidence and the authors' own code (issue 19):
# acq.acquire's strategies and the authors' EA_Buyer / SPS_Buyer (run unmodified from a
# checkout) on flights, ETOPO5 and Fashion-MNIST HOG, judged by acq.evaluate and three
# scikit-learn models; then issue 19's speed comparison.  Not part of scripts/test.sh.
#
#   git clone https://github.com/AwesomeYifan/Data-acquisition-for-ML /tmp/ea-sps
#   EA_SPS_DIR=/tmp/ea-sps bench/acquisition/evidence.sh [evidence.py options]
#       e.g. --seeds 0,1 --datasets flights   (defaults: 10 seeds, three data sets)
#   STRATEGIES=sps,ea_mixed,ea_linear,uniform,random,curve EA_SPS_DIR=... bench/acquisition/evidence.sh
#
# As root: installs what is missing (scripts/lib.sh), builds and installs acq, starts a throwaway
# cluster on PORT (default 55470).  Writes bench/acquisition/results/evidence/run/ and
# docs/img/acquisition_evidence_<data set>.png.  See README.md here, section e.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
acq_bench_start 55470
[ -n "${EA_SPS_DIR:-}" ] || { echo "set EA_SPS_DIR to a checkout of https://github.com/AwesomeYifan/Data-acquisition-for-ML" >&2; exit 2; }
acq_one_thread
export EA_SPS_DIR
export PGOPTIONS="-c client_min_messages=warning"
acq_ensure_packages $ACQ_BENCH_PACKAGES $ACQ_AUTHORS_ACQ_PACKAGES
acq_build_install
trap 'acq_stop_cluster' EXIT
acq_start_cluster "$PORT" "shared_buffers = 512MB" "work_mem = 64MB" "max_wal_size = 4GB"
acq_psql -c 'CREATE EXTENSION acq'
OUT=bench/acquisition/results/evidence/run
mkdir -p "$OUT"
/usr/bin/python3 bench/acquisition/evidence.py --out "$OUT" --strategies "${STRATEGIES:-sps,ea_mixed,ea_linear,uniform,random}" "$@"
/usr/bin/python3 bench/acquisition/evidence.py --out "$OUT" --speed
/usr/bin/python3 bench/acquisition/evidence.py --summarize "$OUT" >/dev/null
/usr/bin/python3 bench/acquisition/evidence.py --plot "$OUT" docs/img
