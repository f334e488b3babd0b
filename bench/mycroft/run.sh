#!/usr/bin/env bash
# bench/mycroft/run.sh -- acq's Mycroft (acq.hard_examples, acq.mycroft_select,
# acq.rank_owners): fidelity on Statlog Shuttle and Fashion-MNIST-HOG over
# seeds, the ranking of Scenario 3's five owners, and speed against numpy +
# OpenBLAS (feature distances) and scikit-learn (OMP) measured in the same run.
# Prints ratios, never timed assertions.  Not part of scripts/test.sh.
#
#   bench/mycroft/run.sh            # 10 seeds (~10 min on 2 cores)
#   bench/mycroft/run.sh --quick    # 2 seeds
#   bench/mycroft/run.sh --no-perf  # fidelity and ranking only
#   bench/mycroft/run.sh --perf-only  # performance only (results/perf_summary.txt)
#
# Writes bench/mycroft/results/ (CSV, summary.txt, the run's log) and the
# curves docs/img/mycroft_shuttle.png, docs/img/mycroft_fashion.png.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
acq_bench_start 55470

QUICK=0 PERF=1 FIDELITY=1
PEER_REPEAT=${PEER_REPEAT:-3}    # performance: the peers run this many times, median kept
for a in "$@"; do
	case $a in
		--quick) QUICK=1 ;;
		--no-perf) PERF=0 ;;
		--perf-only) FIDELITY=0 ;;
		*) echo "usage: $0 [--quick] [--no-perf | --perf-only]" >&2; exit 2 ;;
	esac
done
if [ $QUICK = 1 ]; then SEEDS=(0 1); else SEEDS=(0 1 2 3 4 5 6 7 8 9); fi
KS=(5 10 20 50 100)
RANK_K=100
HERE=bench/mycroft
RES=$HERE/results
IMG=docs/img
acq_one_thread
export PGOPTIONS="-c client_min_messages=warning"

acq_ensure_packages $ACQ_BENCH_PACKAGES gnuplot-nox python3-scipy
acq_build_install
W=$(mktemp -d /tmp/acq-bench-mycroft.XXXXXX)
trap 'acq_stop_cluster; rm -rf "$W"' EXIT
acq_start_cluster "$PORT" "shared_buffers = 1GB" "work_mem = 64MB" "max_wal_size = 8GB"
acq_psql -c 'CREATE EXTENSION acq' -c 'CREATE SCHEMA bench'
mkdir -p "$RES" "$IMG"
LOG=$RES/$([ $FIDELITY = 1 ] && echo run_log.txt || echo perf_run_log.txt)
: >"$LOG"
say() { printf '%s\n' "$*" | tee -a "$LOG"; }
sqlv() { psql -X -At -F, -v ON_ERROR_STOP=1 -c "$1"; }
json() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])" "$@"; }
py() { $PY -c "import sys; a = [float(x) for x in sys.argv[2:]]; print($1)" "$@"; }
# server-side wall time of one statement, in seconds
timed() {
	sqlv "DO \$\$ DECLARE t0 timestamptz := clock_timestamp(); n bigint; BEGIN
		$1; RAISE WARNING 'OUT %', extract(epoch FROM clock_timestamp() - t0); END \$\$" 2>&1 >/dev/null |
		sed -n 's/^WARNING:  OUT //p'
}

# DIR/rows.tsv -> bench.<ds>_rows (id, features, label, class/split)
load_rows() {
	local ds=$1 extra=$2 dir=$3
	acq_psql -c "CREATE TABLE bench.${ds}_rows (id bigint PRIMARY KEY, features float8[] NOT NULL, label float8 NOT NULL, $extra text)" \
		-c "\\copy bench.${ds}_rows FROM '$W/$dir/rows.tsv'" -c "ANALYZE bench.${ds}_rows"
}
# a table of the rows whose ids are in FILE
table_of_ids() {
	local ds=$1 table=$2 file=$3
	acq_psql -c "DROP TABLE IF EXISTS $table, bench.ids" -c "CREATE TABLE bench.ids (id bigint PRIMARY KEY)" \
		-c "\\copy bench.ids FROM '$file'" \
		-c "CREATE TABLE $table AS SELECT r.id, r.features, r.label FROM bench.${ds}_rows r JOIN bench.ids USING (id) ORDER BY id" \
		-c "ALTER TABLE $table ADD PRIMARY KEY (id)" -c "ANALYZE $table" -c "DROP TABLE bench.ids"
}
# D_hard of a trainer: bench.<p>_hard (shared), bench.<p>_held (held back), bench.<p>_rest (test minus shared)
hard_tables() {
	local p=$1 model=$2 labels=$3 seed=$4
	acq_psql -c "DROP TABLE IF EXISTS bench.${p}_hard_all, bench.${p}_hard, bench.${p}_held, bench.${p}_rest" \
		-c "CREATE TABLE bench.${p}_hard_all AS SELECT * FROM acq.hard_examples('bench.${p}_mt', 'bench.${p}_test', 'features', 'label', model => '$model', labels => '$labels', seed => $seed)" \
		-c "CREATE TABLE bench.${p}_hard AS SELECT id, features, label FROM bench.${p}_hard_all WHERE shared" \
		-c "CREATE TABLE bench.${p}_held AS SELECT id, features, label FROM bench.${p}_hard_all WHERE NOT shared" \
		-c "CREATE TABLE bench.${p}_rest AS SELECT * FROM bench.${p}_test t WHERE NOT EXISTS (SELECT 1 FROM bench.${p}_hard h WHERE h.id = t.id)"
}

# accuracy of the tree trained on the union of tables (comma-separated) on TEST: acq.evaluate has
# no tree, so 1 - (acq.hard_examples' misses) / rows
tree_acc() {
	local tables=$1 test=$2 seed=$3 sel="" t
	for t in ${tables//,/ }; do sel="$sel${sel:+ UNION ALL }SELECT id, features, label FROM $t"; done
	acq_psql -c "DROP TABLE IF EXISTS bench.u" -c "CREATE TABLE bench.u AS $sel"
	sqlv "SELECT 1 - (SELECT count(*) FROM acq.hard_examples('bench.u', '$test', 'features', 'label', model => 'tree', seed => $seed))::float8
	                 / (SELECT count(*) FROM $test)"
}

say "acq Mycroft benchmark — $(date -u +%F), $(env -u OMP_NUM_THREADS nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
say "scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)'), numpy $($PY -c 'import numpy; print(numpy.__version__)'), PostgreSQL $(psql -XAtc 'SHOW server_version'), acq $(git log -1 --format=%h)$(git diff --quiet HEAD -- src sql || echo '+local changes'); seeds: ${#SEEDS[@]}"
say ""
T0=$(date +%s)
SEEDS_CSV=$(IFS=,; echo "${SEEDS[*]}")
if [ $FIDELITY = 1 ]; then
acq_log "preparing data"
$PY $HERE/prepare.py shuttle --out "$W/shuttle" --seeds "$SEEDS_CSV"
$PY $HERE/prepare.py fashion --out "$W/fashion" --seeds "$SEEDS_CSV" --check 2 2>>"$LOG"
cp "$W/fashion/check.csv" "$RES/ranking_check_sklearn.csv"
load_rows sh class shuttle
load_rows fa split fashion

# ---- a. fidelity: Shuttle ------------------------------------------------------------
say "== a. fidelity, Statlog Shuttle: trainer's tree (CART) on normal rows + 12 abnormal; D_hard = its misses among abnormal test rows, half shared; owners A, B, C (skewed abnormal mixes); same_label; F1 of the abnormal class"
echo "dataset,seed,method,k,owner,shared,accuracy_hard,f1_hard,accuracy_test,f1_test" >"$RES/fidelity_raw.csv"
echo "dataset,seed,hard_shared,hard_held,hard_classes" >"$RES/hard_sizes.csv"
for seed in "${SEEDS[@]}"; do
	ts=$(date +%s)
	table_of_ids sh bench.sh_mt "$W/shuttle/mt_$seed.ids"
	table_of_ids sh bench.sh_test "$W/shuttle/test_$seed.ids"
	for o in A B C; do table_of_ids sh bench.sh_own$o "$W/shuttle/own${o}_$seed.ids"; done
	hard_tables sh tree '{1}' "$seed"
	echo "shuttle,$seed,$(sqlv "SELECT count(*) FILTER (WHERE shared), count(*) FILTER (WHERE NOT shared), string_agg(DISTINCT r.class, ' ') FROM bench.sh_hard_all h JOIN bench.sh_rows r USING (id)")" >>"$RES/hard_sizes.csv"
	# no sharing, and full information (D_MT + the whole owner); held rows are all abnormal, so F1 = 2a/(1+a)
	a0=$(tree_acc bench.sh_mt bench.sh_held "$seed")
	t0=$(tree_acc bench.sh_mt bench.sh_rest "$seed")
	echo "shuttle,$seed,none,0,-,0,$a0,$(py '2*a[0]/(1+a[0])' "$a0"),$t0," >>"$RES/fidelity_raw.csv"
	for o in A B C; do
		a=$(tree_acc bench.sh_mt,bench.sh_own$o bench.sh_held "$seed")
		t=$(tree_acc bench.sh_mt,bench.sh_own$o bench.sh_rest "$seed")
		echo "shuttle,$seed,full,0,$o,-1,$a,$(py '2*a[0]/(1+a[0])' "$a"),$t," >>"$RES/fidelity_raw.csv"
	done
	for method in feature binning random; do
		for k in "${KS[@]}"; do
			sqlv "SELECT '$method', $k, replace(owner::text, 'bench.sh_own', ''), shared, accuracy_hard, f1_hard, accuracy_test, f1_test
			      FROM acq.rank_owners('bench.sh_mt', 'bench.sh_hard', 'bench.sh_held', '{bench.sh_ownA,bench.sh_ownB,bench.sh_ownC}',
			                           'features', 'label', k => $k, method => '$method', same_label => true, model => 'tree',
			                           positive => 1, test => 'bench.sh_rest', seed => $seed)" |
				sed "s/^/shuttle,$seed,/" >>"$RES/fidelity_raw.csv"
		done
	done
	acq_log "shuttle seed $seed: $(( $(date +%s) - ts )) s"
done
say "(section a: $(( $(date +%s) - T0 )) s)"

# ---- b. fidelity: Fashion-MNIST-HOG --------------------------------------------------------
say "== b. fidelity, Fashion-MNIST-HOG: trainer's softmax regression (C = 1) short of classes 0,2,4,6; D_hard = its misses among test rows of 2,4,6 (Pullover, Coat, Shirt), half shared; one owner (1,000 rows of 2,4,6, only 200 of them rows the trainer gets wrong, + 4,000 others); same_label; accuracy on the held-back hard rows"
T1=$(date +%s)
table_of_ids fa bench.fa_test "$W/fashion/test.ids"
for seed in "${SEEDS[@]}"; do
	ts=$(date +%s)
	table_of_ids fa bench.fa_mt "$W/fashion/mt_$seed.ids"
	table_of_ids fa bench.fa_useful "$W/fashion/useful_$seed.ids"
	hard_tables fa softmax '{2,4,6}' "$seed"
	echo "fashion,$seed,$(sqlv "SELECT count(*) FILTER (WHERE shared), count(*) FILTER (WHERE NOT shared), string_agg(DISTINCT label::text, ' ') FROM bench.fa_hard_all")" >>"$RES/hard_sizes.csv"
	a0=$(sqlv "SELECT accuracy FROM acq.evaluate('{bench.fa_mt}', 'bench.fa_held', 'features', 'label', model => 'softmax')")
	t0=$(sqlv "SELECT accuracy FROM acq.evaluate('{bench.fa_mt}', 'bench.fa_rest', 'features', 'label', model => 'softmax')")
	echo "fashion,$seed,none,0,-,0,$a0,,$t0," >>"$RES/fidelity_raw.csv"
	a=$(sqlv "SELECT accuracy FROM acq.evaluate('{bench.fa_mt,bench.fa_useful}', 'bench.fa_held', 'features', 'label', model => 'softmax')")
	t=$(sqlv "SELECT accuracy FROM acq.evaluate('{bench.fa_mt,bench.fa_useful}', 'bench.fa_rest', 'features', 'label', model => 'softmax')")
	echo "fashion,$seed,full,0,useful,-1,$a,,$t," >>"$RES/fidelity_raw.csv"
	for method in feature omp random; do
		for k in "${KS[@]}"; do
			sqlv "SELECT '$method', $k, 'useful', shared, accuracy_hard, f1_hard, accuracy_test, f1_test
			      FROM acq.rank_owners('bench.fa_mt', 'bench.fa_hard', 'bench.fa_held', '{bench.fa_useful}',
			                           'features', 'label', k => $k, method => '$method', same_label => true, model => 'softmax',
			                           test => 'bench.fa_rest', seed => $seed)" |
				sed "s/^/fashion,$seed,/" >>"$RES/fidelity_raw.csv"
		done
	done
	acq_log "fashion seed $seed: $(( $(date +%s) - ts )) s"
done
say "(section b: $(( $(date +%s) - T1 )) s)"

# ---- c. ranking: Scenario 3's five owners (Fashion) ----------------------------------------
say "== c. ranking, Fashion-MNIST-HOG, Scenario 3: DO-1 (3,000 rows the trainer gets wrong + 1,000 others) > DO-2 (DO-1 + noise) > DO-3 (1,000 random rows) > DO-4 (40 of DO-1's useful rows + 100 others) > DO-5 (no row of labels 2,4,6); k = $RANK_K, owners passed in a seeded random order"
T1=$(date +%s)
echo "seed,method,owner,rank,shared,accuracy_hard,f1_hard" >"$RES/ranking_raw.csv"
for seed in "${SEEDS[@]}"; do
	ts=$(date +%s)
	table_of_ids fa bench.fa_mt "$W/fashion/mt_$seed.ids"
	hard_tables fa softmax '{2,4,6}' "$seed"
	for i in 1 3 4 5; do table_of_ids fa bench.do$i "$W/fashion/do${i}_$seed.ids"; done
	acq_psql -c "DROP TABLE IF EXISTS bench.do2" -c "CREATE TABLE bench.do2 (id bigint PRIMARY KEY, features float8[] NOT NULL, label float8 NOT NULL)" \
		-c "\\copy bench.do2 FROM '$W/fashion/do2_$seed.tsv'" -c "ANALYZE bench.do2"
	order=$($PY -c "import random,sys; r = random.Random(int(sys.argv[1])); o = [1,2,3,4,5]; r.shuffle(o); print(','.join('bench.do%d' % i for i in o))" "$seed")
	for i in 1 2 3 4 5; do
		a=$(sqlv "SELECT accuracy FROM acq.evaluate('{bench.fa_mt,bench.do$i}', 'bench.fa_held', 'features', 'label', model => 'softmax')")
		echo "$seed,full,$i,,-1,$a," >>"$RES/ranking_raw.csv"
	done
	for method in feature random; do
		sqlv "SELECT '$method', replace(owner::text, 'bench.do', ''), rank, shared, accuracy_hard, f1_hard
		      FROM acq.rank_owners('bench.fa_mt', 'bench.fa_hard', 'bench.fa_held', '{$order}', 'features', 'label',
		                           k => $RANK_K, method => '$method', same_label => true, model => 'softmax', seed => $seed)" |
			sed "s/^/$seed,/" >>"$RES/ranking_raw.csv"
	done
	acq_log "ranking seed $seed: $(( $(date +%s) - ts )) s"
done
say "(section c: $(( $(date +%s) - T1 )) s)"
$PY $HERE/summarize.py "$RES" | tee -a "$LOG" >"$RES/fidelity_summary.txt"
gnuplot -e "dat='$RES/shuttle.dat'; out='$IMG/mycroft_shuttle.png'; ylab='F1 of the abnormal class on the held-back hard rows'; ttl='Statlog Shuttle: trainer = tree on normal rows + 12 abnormal; owners A, B, C; ${#SEEDS[@]} seeds x 3 owners, mean ± sd'; m2='binning'; keypos='bottom right'" $HERE/plot.gp
gnuplot -e "dat='$RES/fashion.dat'; out='$IMG/mycroft_fashion.png'; ylab='accuracy on the held-back hard rows (Pullover, Coat, Shirt)'; ttl='Fashion-MNIST-HOG: trainer = softmax regression short of classes 0,2,4,6; one owner; ${#SEEDS[@]} seeds, mean ± sd'; m2='omp'" $HERE/plot.gp

fi  # FIDELITY

# ---- d. performance ------------------------------------------------------------------------
PERF_LINES=()
if [ $PERF = 1 ]; then
	say ""
	say "== d. performance: acq (SQL call, server-side wall time, median of ${ACQ_REPEAT:-3} calls after a first; reading the table included) vs the peer on in-memory arrays (bench/mycroft/peer.py, one BLAS thread, median of $PEER_REPEAT runs)"
	T1=$(date +%s)
	load_bin() {  # table what [gradients]
		local cols="id bigint PRIMARY KEY, features float8[] NOT NULL, label float8 NOT NULL"
		[ -n "${3:-}" ] && cols="$cols, gradients float8[] NOT NULL"
		acq_psql -c "DROP TABLE IF EXISTS $1" -c "CREATE TABLE $1 ($cols)"
		$PY $HERE/prepare.py perf "$2" | acq_psql -c "COPY $1 FROM STDIN (FORMAT binary)"
		acq_psql -c "VACUUM ANALYZE $1"
	}
	acq_log "loading the performance tables"
	load_bin bench.p_owner feature_owner; load_bin bench.p_hard feature_hard
	load_bin bench.o_owner omp_owner g; load_bin bench.o_hard omp_hard g
	load_bin bench.f_owner fact_owner; load_bin bench.f_hard fact_hard
	echo "what,acq_seconds_first,acq_seconds,peer_seconds,ratio_acq_over_peer,ratio_peer_over_acq,agreement" >"$RES/perf.csv"
	# "first median": the first call in a session, then the median of ACQ_REPEAT more (default 3)
	twice() {
		local a i t=()
		a=$(timed "$1")
		for i in $(seq "${ACQ_REPEAT:-3}"); do t+=("$(timed "$1")"); done
		echo "$a $(printf '%s\n' "${t[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
	}
	# peer_median VAR WHAT ARGS...: run the peer PEER_REPEAT times (its time moves +-15% between
	# runs on a VM), set VAR to the median seconds; the last run's JSON is left in $W/peer_WHAT.json
	peer_median() {
		local var=$1 what=$2 i times=()
		shift 2
		for i in $(seq "$PEER_REPEAT"); do
			$PY $HERE/peer.py "$what" --k 100 "$@" >"$W/peer_$what.json"
			times+=("$(json "$W/peer_$what.json" seconds)")
		done
		printf -v "$var" '%s' "$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
		say "peer $what: $(printf '%.2f ' "${times[@]}")s, median ${!var}"
	}

	# feature: 1M x 64 owner rows, 1k hard rows, k = 100
	Q="SELECT count(*) INTO n FROM acq.mycroft_select('bench.p_owner', 'bench.p_hard', 'id', 'features', 'label', 100, method => 'feature')"
	read -r f1 f2 <<<"$(twice "$Q")"
	sqlv "SELECT id FROM acq.mycroft_select('bench.p_owner', 'bench.p_hard', 'id', 'features', 'label', 100, method => 'feature')" | sort >"$W/acq_feature.ids"
	peer_median pf feature --ids "$W/peer_feature.tsv"
	agree=$(cut -f1 "$W/peer_feature.tsv" | sort | comm -12 - "$W/acq_feature.ids" | wc -l)
	echo "feature_1M_x_64,$f1,$f2,$pf,$(py '"%.3f" % (a[0]/a[1])' "$f2" "$pf"),$(py '"%.3f" % (a[1]/a[0])' "$f2" "$pf"),$agree/100" >>"$RES/perf.csv"
	PERF_LINES+=("$(printf "feature  1M x 64 vs 1k hard rows, k=100: acq %.2f s (first run %.2f) | numpy+OpenBLAS %.2f s | acq/numpy = %.2f (target <= 1.5) | same top-100: %s" "$f2" "$f1" "$pf" "$(py 'a[0]/a[1]' "$f2" "$pf")" "$agree/100")")
	say "${PERF_LINES[-1]}"

	# omp on supplied gradients: 100k candidates x 1k dims, k = 100, lambda = 0 (scikit-learn's problem)
	Q="SELECT count(*) INTO n FROM acq.mycroft_select('bench.o_owner', 'bench.o_hard', 'id', 'features', 'label', 100, method => 'omp', gradients => 'gradients', lambda => 0)"
	read -r o1 o2 <<<"$(twice "$Q")"
	# k = 8, the smallest k that takes the streamed path (docs/mycroft.md): reading and quantising the
	# table, and 8 steps
	Q1="SELECT count(*) INTO n FROM acq.mycroft_select('bench.o_owner', 'bench.o_hard', 'id', 'features', 'label', 8, method => 'omp', gradients => 'gradients', lambda => 0)"
	o_read=$(timed "$Q1")
	sqlv "SELECT id FROM acq.mycroft_select('bench.o_owner', 'bench.o_hard', 'id', 'features', 'label', 100, method => 'omp', gradients => 'gradients', lambda => 0)" | sort >"$W/acq_omp.ids"
	peer_median po omp --ids "$W/peer_omp.tsv"
	agree=$(cut -f1 "$W/peer_omp.tsv" | sort | comm -12 - "$W/acq_omp.ids" | wc -l)
	echo "omp_gradients_100k_x_1k,$o1,$o2,$po,$(py '"%.3f" % (a[0]/a[1])' "$o2" "$po"),$(py '"%.3f" % (a[1]/a[0])' "$o2" "$po"),$agree/100" >>"$RES/perf.csv"
	echo "omp_gradients_k8,,$o_read,,,," >>"$RES/perf.csv"
	PERF_LINES+=("$(printf "omp      100k x 1k supplied gradients, k=100, lambda=0: acq %.2f s (first %.2f; k=8, i.e. reading and quantising the table and 8 steps, %.2f) | scikit-learn orthogonal_mp %.2f s | sklearn/acq = %.2f (target >= 3); the other 92 steps (k=100 minus k=8) %.2f s | same 100 rows: %s" "$o2" "$o1" "$o_read" "$po" "$(py 'a[1]/a[0]' "$o2" "$po")" "$(py 'a[0]-a[1]' "$o2" "$o_read")" "$agree/100")")
	say "${PERF_LINES[-1]}"

	# omp with acq's own softmax gradients: 100k x 99 features, 10 classes -> 10 x 100 = 1k dims
	Q="SELECT count(*) INTO n FROM acq.mycroft_select('bench.f_owner', 'bench.f_hard', 'id', 'features', 'label', 100, method => 'omp', lambda => 0)"
	read -r s1 s2 <<<"$(twice "$Q")"
	sfit=$(timed "SELECT count(*) INTO n FROM acq.evaluate('{bench.f_owner}', 'bench.f_hard', 'features', 'label', model => 'softmax')")
	echo "omp_softmax_100k_x_99_10cls,$s1,$s2,$po,$(py '"%.3f" % (a[0]/a[1])' "$s2" "$po"),$(py '"%.3f" % (a[1]/a[0])' "$s2" "$po"),fit=$sfit" >>"$RES/perf.csv"
	PERF_LINES+=("$(printf "omp      100k x 99 features, 10 classes, acq's own softmax gradients (10 x 100 = 1k dims, never materialised), k=100: acq %.2f s (first %.2f; its softmax fit alone ~%.2f s) | vs the same-size scikit-learn OMP above (%.2f s, which has no fit): sklearn/acq = %.2f" "$s2" "$s1" "$sfit" "$po" "$(py 'a[1]/a[0]' "$s2" "$po")")")
	say "${PERF_LINES[-1]}"
	say "(section d: $(( $(date +%s) - T1 )) s)"
fi

# ---- summary -------------------------------------------------------------------------------
if [ $FIDELITY = 0 ]; then
	{
		echo "==================== Mycroft benchmark, performance only ($(date -u +%F), $(( $(date +%s) - T0 )) s) ===================="
		printf '  %s\n' "${PERF_LINES[@]}"
	} | tee "$RES/perf_summary.txt"
	exit 0
fi
{
	echo "==================== Mycroft benchmark summary ($(date -u +%F), ${#SEEDS[@]} seeds, $(( $(date +%s) - T0 )) s) ===================="
	cat "$RES/fidelity_summary.txt"
	if [ $PERF = 1 ]; then
		echo "performance:"
		printf '  %s\n' "${PERF_LINES[@]}"
	fi
} | tee "$RES/summary.txt"
