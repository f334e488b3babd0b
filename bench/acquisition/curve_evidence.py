#!/usr/bin/python3
"""strategy => 'curve' against sps, ea, uniform and random (issue 15, part 2).

  /usr/bin/python3 bench/acquisition/curve_evidence.py --out DIR
      [--datasets flights,fashion] [--seeds 0,1,2] [--budgets 500,2000]
      [--variants curve,sps,ea,uniform,random]

Needs a running PostgreSQL with acq installed (PGHOST/PGPORT/PGUSER in the
environment; psql on the PATH) and Debian's python3-sklearn.  The data sets,
consumers and test sets are plans.py's (flights, fashion), unchanged; curve
also needs a validation table, which the judges never see:

  flights  60 rows per label from the rows plans.py leaves out of provider
           and test (the same fixed split, seed 15): balanced, 720 rows;
  fashion  1,000 of the upstream test images not in plans.py's 5,000-image
           test sample (fixed, seed 16).

For each data set, seed, budget and variant: one acq.acquire call (timed
from the client), then two judges trained on consumer + bought and scored
on the test set: acq.evaluate's default model (softmax regression, C = 1)
and scikit-learn's KNeighborsClassifier(5).  Appends DIR/cells.jsonl and
DIR/plans.jsonl; writes DIR/summary.md (mean and sd over seeds).
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from sklearn.neighbors import KNeighborsClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import plans  # noqa: E402
import prepare  # noqa: E402

VARIANTS = {
    "curve": "strategy => 'curve', validation => '%(val)s'",
    "sps": "strategy => 'sps'",
    "ea": "strategy => 'ea'",
    "uniform": "strategy => 'uniform'",
    "random": "strategy => 'random'",
}


def flights_validation():
    """plans.flights_setup's split, and 60 more rows per label for validation."""
    st = plans.flights_setup()
    X, y = plans.flights_xy()
    rng = np.random.default_rng(15)     # the same draws as plans.flights_setup
    val = []
    for c in range(12):
        idx = rng.permutation(np.flatnonzero(y == c))
        val.append(idx[950:1010])
    val = np.sort(np.concatenate(val))
    return st, X[val], y[val]


def fashion_validation():
    ds = prepare.load("fashion", os.path.join(HERE, "..", "..", "data"))
    st = plans.prepared_setup("fashion", 5000, "")
    r = np.random.default_rng(15)       # plans.prepared_setup's test sample
    t = np.sort(r.choice(len(ds.tids), size=5000, replace=False))
    rest = np.setdiff1d(np.arange(len(ds.tids)), t)
    v = np.sort(np.random.default_rng(16).choice(rest, size=1000, replace=False))
    return st, ds.tX[v], ds.ty[v].astype(np.float64)


def knn_judge(st, idx):
    return float(KNeighborsClassifier(5).fit(st.X[idx], st.y[idx]).score(st.tX, st.ty))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--datasets", default="flights,fashion")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--budgets", default="500,2000")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cells = open(os.path.join(a.out, "cells.jsonl"), "a")
    plog = open(os.path.join(a.out, "plans.jsonl"), "a")
    for dname in a.datasets.split(","):
        st, vX, vy = flights_validation() if dname == "flights" else fashion_validation()
        rows, test, val = "cev_%s_rows" % dname, "cev_%s_test" % dname, "cev_%s_val" % dname
        plans.load_table(rows, st.ids, st.X, st.y)
        plans.load_table(test, np.arange(len(st.ty)) + 1, st.tX, st.ty)
        plans.load_table(val, np.arange(len(vy)) + 50000000, vX, vy)
        pos = {int(i): k for k, i in enumerate(st.ids)}
        print("%s: %d candidates, %d test, %d validation" % (dname, len(st.ids), len(st.ty), len(vy)), flush=True)
        for seed in [int(s) for s in a.seeds.split(",")]:
            ii = np.array([pos[int(i)] for i in st.init_fn(seed)])
            cons = "cev_%s_init" % dname
            plans.load_table(cons, st.ids[ii], st.X[ii], st.y[ii])
            out, _ = plans.psql("SELECT accuracy FROM acq.evaluate(ARRAY['%s']::regclass[], '%s', 'features', 'label')"
                                % (cons, test))
            for j, v in (("acq_softmax", float(out)), ("sk_5nn", knn_judge(st, ii))):
                cells.write(json.dumps({"dataset": dname, "seed": seed, "budget": 0, "variant": "none",
                                        "judge": j, "score": v}) + "\n")
            for budget in [int(b) for b in a.budgets.split(",")]:
                for var in a.variants.split(","):
                    tgt = "cev_%s_bought" % dname
                    plans.psql("DROP TABLE IF EXISTS %s" % tgt)
                    t1 = time.time()
                    out, err = plans.psql("SELECT bought, counts FROM acq.acquire('%s', '%s', '%s', 'features', 'label', %d, %s, seed => %d)"
                                          % (cons, rows, tgt, budget, VARIANTS[var] % {"val": val}, seed))
                    secs = time.time() - t1
                    got, _ = plans.psql("SELECT id FROM %s ORDER BY id" % tgt)
                    bought = np.array([pos[int(x)] for x in got.split()], dtype=np.int64)
                    acc, _ = plans.psql("SELECT accuracy FROM acq.evaluate(ARRAY['%s', '%s']::regclass[], '%s', 'features', 'label')"
                                        % (cons, tgt, test))
                    sc = {"acq_softmax": float(acc), "sk_5nn": knn_judge(st, np.concatenate([ii, bought]))}
                    plog.write(json.dumps({"dataset": dname, "seed": seed, "budget": budget, "variant": var,
                                           "result": out.strip(), "seconds": secs}) + "\n")
                    plog.flush()
                    for j, v in sc.items():
                        cells.write(json.dumps({"dataset": dname, "seed": seed, "budget": budget, "variant": var,
                                                "judge": j, "score": v}) + "\n")
                    cells.flush()
                    print("%s seed %d B %d %-8s %s (%.2f s acquire) %s" % (
                        dname, seed, budget, var, " ".join("%s %.4f" % kv for kv in sc.items()), secs,
                        out.strip().split("|")[-1]), flush=True)
        plans.psql("DROP TABLE IF EXISTS cev_%s_bought, %s, %s, %s, cev_%s_init" % (dname, rows, test, val, dname))
    cells.close()
    summarize(a.out)


def summarize(out):
    df = pd.DataFrame([json.loads(l) for l in open(os.path.join(out, "cells.jsonl"))])
    lines = []
    order = [v for v in ["none"] + list(VARIANTS) if v in set(df.variant)]
    for dname in df.dataset.unique():
        for judge in df.judge.unique():
            dj = df[(df.dataset == dname) & (df.judge == judge)]
            lines.append("\n**%s, %s** (mean ± sd over seeds %s)\n" % (
                dname, judge, ",".join(str(s) for s in sorted(dj.seed.unique()))))
            lines.append("| B | " + " | ".join(order) + " |")
            lines.append("|---" * (len(order) + 1) + "|")
            base = dj[dj.variant == "none"].score
            for b in sorted(x for x in dj.budget.unique() if x > 0):
                cv = []
                for v in order:
                    s = base if v == "none" else dj[(dj.budget == b) & (dj.variant == v)].score
                    cv.append("%.4f ± %.4f" % (s.mean(), s.std(ddof=1)) if len(s) > 1 else
                              ("%.4f" % s.mean() if len(s) else ""))
                lines.append("| %d | %s |" % (b, " | ".join(cv)))
    pl = pd.DataFrame([json.loads(l) for l in open(os.path.join(out, "plans.jsonl"))])
    t = pl.groupby(["dataset", "budget", "variant"]).seconds.median().unstack()
    lines.append("\n**acq.acquire seconds (median over seeds, client-timed, loaded 2-core machine)**\n")
    lines.append(t.round(2).to_string())
    with open(os.path.join(out, "summary.md"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--summarize":
        summarize(sys.argv[2])
    else:
        main()
