#!/usr/bin/python3
"""EA's allocation and SPS's first round, judged by scikit-learn (issue 15).

  /usr/bin/python3 bench/acquisition/plans.py --out DIR [--datasets flights,etopo,fashion]
      [--seeds 0,1,2] [--budgets 500,2000,5000] [--variants sps,ea,...]

Needs a running PostgreSQL with acq installed (PGHOST/PGPORT/PGUSER in the
environment; psql on the PATH) and Debian's python3-sklearn.  For each data
set, seed, budget and strategy variant it calls acq.acquire once, reads the
ids bought from the target, trains three scikit-learn judges on consumer +
bought and scores them on a balanced (classification) or random (regression)
test set that acq never sees.  Results are appended to DIR/cells.jsonl (one
line per data set, seed, budget, variant, judge); DIR/summary.md is the mean
and standard deviation over the seeds.

Data sets (every one with a skewed consumer):
  flights  data/ flights_2001_us.csv.gz: predict the destination state among
           the 12 most frequent ones from origin lat/lon, distance, departure
           hour, day of week and month (z-scored).  One predicate per label.
           Provider: 650 records per label (the consumer's among them); test: 300 per
           label (balanced);
           consumer: a power-law skew from 2 to 50 records per label
           (2 * 25^(i/11), labels in a random order per seed).  The split is
           fixed (seed 15); the consumer changes with the seed.
  etopo    bench/acquisition/prepare.py's ETOPO5 set-up (4x4 grid predicates,
           consumer 1% with a power-law skew over the cells), test: a fixed
           10,000-row sample of its test set; acquire(l => 0.001) as the
           authors' RoadNet script.
  fashion  prepare.py's Fashion-MNIST HOG set-up (consumer 12,000 with a
           power-law class skew, 218 to 2,182 per label); test: a fixed
           5,000-row sample of the 10,000 test images.
The provider is every candidate row: the consumer's own are never sold.

Judges: classification DecisionTreeClassifier(random_state=0),
LogisticRegression(max_iter=1000), KNeighborsClassifier(5) (accuracy);
regression DecisionTreeRegressor(random_state=0), LinearRegression,
KNeighborsRegressor(5) (R^2).  "none" is the consumer alone.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import prepare  # noqa: E402

SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))

VARIANTS = {
    "sps": "strategy => 'sps'",
    "ea_linear": "strategy => 'ea', allocation => 'linear'",
    "ea_sqrt": "strategy => 'ea', allocation => 'sqrt'",
    "ea_mixed": "strategy => 'ea', allocation => 'mixed'",
    "uniform": "strategy => 'uniform'",
    "random": "strategy => 'random'",
}


def psql(sql, stdin=None):
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                       input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("psql failed: %s\n%s" % (sql[:200], r.stderr))
    return r.stdout, r.stderr


def fmt_row(i, x, y):
    return "%d\t{%s}\t%s\n" % (i, ",".join(repr(float(v)) for v in x), repr(float(y)))


def load_table(name, ids, X, y):
    psql("DROP TABLE IF EXISTS %s; CREATE TABLE %s (id bigint PRIMARY KEY, features float8[], label float8)"
         % (name, name))
    psql("COPY %s FROM STDIN" % name, "".join(fmt_row(i, x, v) for i, x, v in zip(ids, X, y)))
    psql("ANALYZE %s" % name)


class Setup:
    """rows (candidates: provider), test, and a consumer per seed, as numpy arrays."""

    def __init__(self, name, task, ids, X, y, tX, ty, init_fn, args):
        self.name, self.task = name, task
        self.ids, self.X, self.y = ids, X, y
        self.tX, self.ty = tX, ty
        self.init_fn = init_fn      # seed -> sorted ids of the consumer
        self.args = args            # extra acquire() arguments


def flights_xy():
    """The flights rows of the 12 most common destination states: 6 z-scored features and
    the destination's index (shared by plans.py, evidence.py and curve_evidence.py)."""
    df = pd.read_csv(os.path.join(SHARED, "flights_2001_us.csv.gz"),
                     usecols=["dep_hour", "day_of_week", "month", "distance_mi",
                              "origin_lat", "origin_lon", "dest_state"])
    top = df["dest_state"].value_counts().index[:12].sort_values()
    df = df[df["dest_state"].isin(top)].reset_index(drop=True)
    cols = ["origin_lat", "origin_lon", "distance_mi", "dep_hour", "day_of_week", "month"]
    X = df[cols].to_numpy(dtype=np.float64)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = np.searchsorted(np.array(top), df["dest_state"].to_numpy()).astype(np.float64)
    return X, y


def flights_setup():
    X, y = flights_xy()
    rng = np.random.default_rng(15)
    prov, test = [], []
    for c in range(12):
        idx = rng.permutation(np.flatnonzero(y == c))
        prov.append(idx[:650])          # 600 for sale + up to 50 the consumer may hold
        test.append(idx[650:950])
    prov = np.sort(np.concatenate(prov))
    test = np.sort(np.concatenate(test))
    ids = np.arange(len(prov), dtype=np.int64) + 1
    Xp, yp = X[prov], y[prov]

    def init(seed):
        r = np.random.default_rng([seed, 15])
        order = r.permutation(12)
        chosen = []
        for i, c in enumerate(order):
            n = int(round(2 * 25 ** (i / 11)))
            chosen.append(r.choice(np.flatnonzero(yp == c), size=n, replace=False))
        return np.sort(ids[np.concatenate(chosen)])
    return Setup("flights", "classification", ids, Xp, yp, X[test], y[test], init, "")


def prepared_setup(name, ntest, args):
    ds = prepare.load(name, os.path.join(HERE, "..", "..", "data"))
    r = np.random.default_rng(15)
    t = np.sort(r.choice(len(ds.tids), size=ntest, replace=False))

    def init(seed):
        return prepare.init_ids(ds, seed)
    task = "classification" if name == "fashion" else "regression"
    return Setup(name, task, ds.ids, ds.X, ds.y.astype(np.float64), ds.tX[t],
                 ds.ty[t].astype(np.float64), init, args)


def judges(task):
    if task == "classification":
        return {"tree": lambda: DecisionTreeClassifier(random_state=0),
                "logistic": lambda: LogisticRegression(max_iter=1000),
                "5nn": lambda: KNeighborsClassifier(5)}
    return {"tree": lambda: DecisionTreeRegressor(random_state=0),
            "linear": lambda: LinearRegression(),
            "5nn": lambda: KNeighborsRegressor(5)}


def score(st, train_idx):
    out = {}
    for j, make in judges(st.task).items():
        m = make().fit(st.X[train_idx], st.y[train_idx])
        out[j] = float(m.score(st.tX, st.ty))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--datasets", default="flights,etopo,fashion")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--budgets", default="500,2000,5000")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cells = open(os.path.join(a.out, "cells.jsonl"), "a")
    plans = open(os.path.join(a.out, "plans.jsonl"), "a")
    seeds = [int(s) for s in a.seeds.split(",")]
    budgets = [int(b) for b in a.budgets.split(",")]
    variants = a.variants.split(",")
    for dname in a.datasets.split(","):
        t0 = time.time()
        if dname == "flights":
            st = flights_setup()
        elif dname == "etopo":
            st = prepared_setup("etopo", 10000, ", task => 'regression', predicates => 'grid', l => 0.001")
        else:
            st = prepared_setup("fashion", 5000, "")
        rows = "plans_%s_rows" % dname
        load_table(rows, st.ids, st.X, st.y)
        pos = {int(i): k for k, i in enumerate(st.ids)}
        print("%s: %d candidates, %d test, loaded in %.0f s" % (dname, len(st.ids), len(st.ty), time.time() - t0),
              flush=True)
        for seed in seeds:
            init = st.init_fn(seed)
            ii = np.array([pos[int(i)] for i in init])
            cons = "plans_%s_init" % dname
            load_table(cons, st.ids[ii], st.X[ii], st.y[ii])
            for j, v in score(st, ii).items():
                cells.write(json.dumps({"dataset": dname, "seed": seed, "budget": 0, "variant": "none",
                                        "judge": j, "score": v}) + "\n")
            for budget in budgets:
                for var in variants:
                    tgt = "plans_%s_bought" % dname
                    psql("DROP TABLE IF EXISTS %s" % tgt)
                    t1 = time.time()
                    out, err = psql("SELECT bought, counts FROM acq.acquire('%s', '%s', '%s', 'features', 'label', %d, %s%s, seed => %d)"
                                    % (cons, rows, tgt, budget, VARIANTS[var], st.args, seed))
                    secs = time.time() - t1
                    got, _ = psql("SELECT id FROM %s ORDER BY id" % tgt)
                    bought = np.array([pos[int(x)] for x in got.split()], dtype=np.int64)
                    notice = " ".join(l for l in err.splitlines() if "NOTICE" in l)
                    plans.write(json.dumps({"dataset": dname, "seed": seed, "budget": budget, "variant": var,
                                            "result": out.strip(), "notice": notice, "seconds": secs}) + "\n")
                    plans.flush()
                    sc = score(st, np.concatenate([ii, bought]))
                    for j, v in sc.items():
                        cells.write(json.dumps({"dataset": dname, "seed": seed, "budget": budget, "variant": var,
                                                "judge": j, "score": v}) + "\n")
                    cells.flush()
                    print("%s seed %d B %d %-10s %s  (%.2f s acquire)" % (
                        dname, seed, budget, var, " ".join("%s %.4f" % kv for kv in sc.items()), secs), flush=True)
        psql("DROP TABLE IF EXISTS plans_%s_bought, %s, plans_%s_init" % (dname, rows, dname))
    cells.close()
    summarize(a.out)


def summarize(out):
    rows = [json.loads(l) for l in open(os.path.join(out, "cells.jsonl"))]
    df = pd.DataFrame(rows)
    lines = []
    order = [v for v in ["none"] + list(VARIANTS) if v in set(df.variant)]
    for dname in df.dataset.unique():
        d = df[df.dataset == dname]
        for judge in d.judge.unique():
            dj = d[d.judge == judge]
            lines.append("\n**%s, %s** (mean ± sd over seeds %s)\n" % (
                dname, judge, ",".join(str(s) for s in sorted(dj.seed.unique()))))
            lines.append("| B | " + " | ".join(order) + " |")
            lines.append("|---" * (len(order) + 1) + "|")
            base = dj[dj.variant == "none"].score
            for b in sorted(x for x in dj.budget.unique() if x > 0):
                cellv = []
                for v in order:
                    s = base if v == "none" else dj[(dj.budget == b) & (dj.variant == v)].score
                    cellv.append("%.4f ± %.4f" % (s.mean(), s.std(ddof=1)) if len(s) > 1 else
                                 ("%.4f" % s.mean() if len(s) else ""))
                lines.append("| %d | %s |" % (b, " | ".join(cellv)))
    # the verdict per variant: over every (data set, budget, judge) cell, the mean over seeds
    # against the better baseline and against EA's linear (the paper's) allocation
    means = df[df.variant != "none"].groupby(["dataset", "budget", "judge", "variant"]).score.mean().unstack()
    base = means[[c for c in ("uniform", "random") if c in means]].max(axis=1)
    lines.append("\n**Over all %d cells** (data set x budget x judge; mean over seeds)\n" % len(means))
    lines.append("| variant | cells >= max(uniform, random) | mean difference to it | cells >= ea_linear | mean difference to ea_linear |")
    lines.append("|---|---|---|---|---|")
    for v in means.columns:
        d = means[v] - base
        row = "| %s | %d | %+.4f |" % (v, int((d >= 0).sum()), d.mean())
        if "ea_linear" in means:
            e = means[v] - means["ea_linear"]
            row += " %d | %+.4f |" % (int((e >= 0).sum()), e.mean())
        lines.append(row)
    with open(os.path.join(out, "summary.md"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summarize":
        summarize(sys.argv[2])
    else:
        main()
