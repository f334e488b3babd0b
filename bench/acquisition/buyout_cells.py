#!/usr/bin/python3
"""Which evidence cells the buy-out fix changes (issue 15, session 30).

Until session 30 the host set the planner's count of a predicate's records for sale to the pool's
(which already excluded a purchase) and then the planner took the purchase off again, so a query
buying at least what its predicate had left after it marked the predicate exhausted, records still for sale.  This runs
the plans of evidence.py's cells with the fixed build (no judging: only acq.acquire) and reads
each plan's round log: a plan is changed by the fix exactly when some round received at least
what its predicate had left after that round, and that was not nothing (the old rule's trigger;
a predicate bought out is exhausted under both builds, and before the trigger the two builds run
the same plan: checked on 22 plans of letter, flights and ETOPO, the same records bought).  Writes DIR/buyout.jsonl (one line per plan) and prints, per data set,
budget and strategy, how many of the seeds' plans are changed.

    PGHOST=... /usr/bin/python3 bench/acquisition/buyout_cells.py --out DIR --datasets mpls,letter \
        --strategies uniform,random,sps,ea_fill,curve
"""
import argparse
import collections
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evidence as ev  # noqa: E402
import plans  # noqa: E402

HEADER, PRED = 14, 10        # planner.c: HEADER_FIELDS, PRED_FIELDS + the order field


def changed_round(log):
    """the first round whose purchase was at least what its predicate had left after it (> 0), or None"""
    for rnd, pred, received, state in log:
        tau = int(state[3])
        at = HEADER + (pred - 1) * (PRED + 2 * tau)
        if 0 < state[at + 1] <= received:
            return rnd
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--seeds", default="0,1,2,3,4,5,6,7,8,9")
    ap.add_argument("--budgets", default="500,1000,2000,5000,10000")
    ap.add_argument("--strategies", default="uniform,random,sps,ea_fill,curve")
    ap.add_argument("--tag", default="bo")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    out = open(os.path.join(a.out, "buyout.jsonl"), "a")
    count = collections.defaultdict(lambda: [0, 0])
    T = a.tag
    for dname in a.datasets.split(","):
        st = ev.setup(dname)
        rows, val, cons, tgt = "%s_rows" % T, "%s_val" % T, "%s_init" % T, "%s_t" % T
        plans.load_table(rows, st.ids, st.X, st.y)
        plans.load_table(val, np.arange(len(st.vy)) + 1, st.vX, st.vy)
        pos = {int(i): k for k, i in enumerate(st.ids)}
        for seed in (int(s) for s in a.seeds.split(",")):
            ii = np.array([pos[int(i)] for i in st.init_fn(seed)])
            plans.load_table(cons, st.ids[ii], st.X[ii], st.y[ii])
            for b in sorted(int(x) for x in a.budgets.split(",")):
                if b > len(st.ids) - len(ii):
                    continue
                for s in a.strategies.split(","):
                    plans.psql("DROP TABLE IF EXISTS %s" % tgt)
                    got, _ = plans.psql(
                        "SELECT plan_id FROM acq.acquire('%s', '%s', '%s', 'features', 'label', %d, %s%s, seed => %d)"
                        % (cons, rows, tgt, b, ev.STRATEGIES[s].format(val=val), st.args, seed))
                    pid = int(got.split()[0])
                    txt, _ = plans.psql("SELECT round, predicate, received, state FROM acq.acquisition_rounds "
                                        "WHERE plan_id = %d ORDER BY round" % pid)
                    log = []
                    for line in txt.split("\n"):
                        if line.strip():
                            r, p, rc, stt = line.split("|")
                            log.append((int(r), int(p), int(rc),
                                        [float(v) for v in stt.strip("{}").replace("NaN", "nan").split(",")]))
                    first = changed_round(log)
                    out.write(json.dumps({"dataset": dname, "seed": seed, "budget": b, "strategy": s,
                                          "rounds": len(log), "changed_at": first}) + "\n")
                    out.flush()
                    c = count[(dname, b, s)]
                    c[0] += first is not None
                    c[1] += 1
                    plans.psql("DELETE FROM acq.acquisition_plans WHERE plan_id = %d" % pid)
        plans.psql("DROP TABLE IF EXISTS %s, %s, %s, %s" % (rows, val, cons, tgt))
        for (d, b, s), (k, n) in sorted(count.items()):
            if d == dname:
                print("%-12s B %-6d %-8s changed in %d of %d plans" % (d, b, s, k, n), flush=True)


if __name__ == "__main__":
    main()
