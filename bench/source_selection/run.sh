#!/bin/bash
# bench/source_selection/run.sh -- the source-selection suite (issue 14) against the
# authors' own code.  Needs a server with acq installed (PG* environment, psql) and a
# checkout of the authors' code:
#   git clone https://github.com/am-barish/Splice /somewhere/Splice
#   SPLICE_DIR=/somewhere/Splice bench/source_selection/run.sh [SHARED_DATA_DIR]
# Loads the 22 tasks (prepare.py, ~1 minute), then runs run.py (29 minutes in one run on a loaded
# 2-core machine); results in bench/source_selection/results/ (suite.json, table.md).
# STUDY=1 RESTARTS_GRID=0,2,4,8,16 runs only acq's SourceSplice at each number of restarts
# (results/restarts.json, restarts.md; ~5 minutes, no authors' code needed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-$here/../../../shared/data}
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS acq CASCADE"
if [ "${SKIP_PREPARE:-}" != 1 ]; then
	/usr/bin/python3 "$here/prepare.py" "$data"
fi
if [ "${STUDY:-}" != 1 ] && [ -z "${SPLICE_DIR:-}" ]; then
	echo "set SPLICE_DIR to a checkout of https://github.com/am-barish/Splice" >&2
	exit 2
fi
SPLICE_DIR=${SPLICE_DIR:-none} /usr/bin/python3 "$here/run.py"
