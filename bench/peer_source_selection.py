#!/usr/bin/python3
"""Python peer for acq's source selection (the SourceSplice authors' style).

Evaluates a subset of sources the way the authors' notebooks do: pandas.concat
of the selected sources' DataFrames, a scikit-learn fit on the union, a score on
the validation DataFrame.  Reads the prepared files data/flights15.csv.gz and
data/mpls15.csv.gz (never the database), so it sees exactly the rows and the
(6-significant-digit) feature values that data/load.sql puts into acq_demo.

  /usr/bin/python3 bench/peer_source_selection.py --dataset flights|mpls \
      --method splice|exhaustive [--sample N] [--k-max K] [--s-max S] \
      [--task classification|fairness|regression] [--lambda L] [--privileged White] \
      [--c C] [--cost-exponent T --cost-scale X --cost-offset O | --costs JSON] \
      [--seed N] [--dump FILE] [--trace]

Prints one JSON object on stdout.

Sources and their order
  flights: one source per origin state, named like acq's leaf partitions
           (flights_ak, ..., flights_va); regression on arr_delay_min.
  mpls:    one source per neighborhood value (acq's source_column mode);
           label person_search; default task fairness (sensitive race,
           privileged "White", lambda 10).
  Sources are indexed in byte order of their names (PostgreSQL "C" collation).

Gain G(S) of a non-empty subset S (model trained on the union of S's rows)
  classification  100 * accuracy on validation of LogisticRegression(C=c)
                  (lbfgs, L2, intercept; max_iter 10000 so it converges)
  fairness        100 * accuracy + lambda * TPRgap,
                  TPRgap = P(yhat=1 | a=0, y=1) - P(yhat=1 | a=1, y=1),
                  a = 1 for the privileged group (sensitive == --privileged);
                  validation rows with a NULL sensitive value are left out of
                  the gap (not of the accuracy); TPRgap = 0 if either group
                  has no positive validation row
  regression      LinearRegression (OLS with intercept);
                  G = 100 / (1 + MSE / Var(y_val)), Var the population variance
                  (= 100 / (2 - R^2))
  If a training union holds a single class the "model" predicts that class.

Cost and profit
  P(S) = G(S) - sum_{s in S} cost(s);  P(empty) = 0 and is never trained.
  cost(s) = 0 by default; --costs '{"name": cost, ...}' gives them explicitly
  (missing names cost 0); --cost-exponent t gives the paper's polynomial cost
  cost(s) = cost_scale * (G({s}) - cost_offset)^t.
  P is memoised per run: a subset is never trained twice; models_trained
  counts the distinct non-empty subsets trained.

SourceSplice (exactly the variant acq implements)
  order = sources by P({s}) descending, ties by lower index.
  best = None, Pbest = -inf
  for i in 1..s_max: A = first i of order; (S, P) = fixed_support(A);
                     if P > Pbest: best, Pbest = S, P
  fixed_support(A): prev = None; curr = A;
                    while curr != prev: prev = curr;
                        curr, P = splicing(prev, min(k_max, |prev|))
  splicing(A, kmax): Pmax = P(A); best = A; cur = A
    for k in 1..kmax: I = S \\ cur; if k > min(|cur|, |I|): break
      rm[s] = P(cur) - P(cur \\ {s}) for s in cur
      add[s] = P(cur + {s}) - P(cur) for s in I
      next = cur minus the k sources of smallest rm, plus the k sources of I
             with the largest add (ties: lower index first)
      if P(next) > Pmax: Pmax, best = P(next), next
      cur = next
    return best, Pmax
  Defaults: s_max = m, k_max = min(3, m // 2).

Exhaustive trains all 2^m - 1 non-empty subsets (bit-mask order; ties go to
the first one).  With --sample N it trains only N distinct random subsets
(seeded by --seed), reports the best *of the sample*, and extrapolates the run
time to all 2^m - 1 subsets: the output then says "extrapolated": true.

Timing: "seconds" is the wall-clock time of the search alone (every concat,
fit and score); "load_seconds" the one-off reading and parsing of the CSV.
BLAS threads are whatever the environment gives (set OPENBLAS_NUM_THREADS=1
for a one-core comparison).
"""
import argparse
import gzip
import csv
import json
import math
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "data"))

DATASETS = {
    # file, source column, label column, sensitive column, default task
    "flights": ("flights15.csv.gz", "origin_state", "arr_delay_min", None, "regression"),
    "mpls": ("mpls15.csv.gz", "neighborhood", "person_search", "race", "fairness"),
}


# ---------------------------------------------------------------- data loading
def parse_array(s):
    return np.array(s[1:-1].split(","), dtype=np.float64)


def load(dataset, datadir):
    fname, src_col, label, sens, _ = DATASETS[dataset]
    with gzip.open(os.path.join(datadir, fname), "rt", encoding="utf-8", newline="") as fh:
        df = pd.read_csv(fh, keep_default_na=False, na_values=[""],
                         dtype={src_col: str, "split": str, "features": str})
    X = np.vstack([parse_array(s) for s in df["features"]])
    feat_cols = ["f%02d" % j for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=feat_cols)
    frame["label"] = df[label].astype(np.float64).to_numpy()
    frame["sensitive"] = df[sens].to_numpy() if sens else None
    if dataset == "flights":
        names = ("flights_" + df[src_col].str.lower()).to_numpy()
    else:
        names = df[src_col].to_numpy()
    train = (df["split"] == "train").to_numpy()
    frame["source"] = names

    tr = frame[train]
    source_names = sorted(set(tr["source"]), key=lambda s: s.encode("utf-8"))
    sources = [tr[tr["source"] == s].drop(columns=["source"]).reset_index(drop=True)
               for s in source_names]
    validation = frame[~train].drop(columns=["source"]).reset_index(drop=True)
    return source_names, sources, validation, feat_cols


# ---------------------------------------------------------------- gains
class Evaluator:
    """Memoised profit of a subset given as a bit mask over source indices."""

    def __init__(self, names, sources, validation, feat_cols, task, c, lam,
                 privileged, tol, costs, cost_exponent, cost_scale, cost_offset,
                 trace=False):
        self.names, self.sources, self.feat_cols = names, sources, feat_cols
        self.m = len(names)
        self.task, self.c, self.lam, self.tol = task, c, lam, tol
        self.Xv = validation[feat_cols].to_numpy()
        self.yv = validation["label"].to_numpy()
        if task == "fairness":
            sv = validation["sensitive"]
            known = sv.notna().to_numpy()
            priv = (sv.astype(str) == privileged).to_numpy() & known
            pos = self.yv == 1
            self.pos_a0 = known & ~priv & pos
            self.pos_a1 = priv & pos
        self.var_v = float(np.var(self.yv))
        self.costs = costs
        self.cost_exponent, self.cost_scale, self.cost_offset = cost_exponent, cost_scale, cost_offset
        self.memo = {}          # mask -> (gain, n_rows)
        self.trace = [] if trace else None

    def members(self, mask):
        return [i for i in range(self.m) if mask >> i & 1]

    def gain(self, mask):
        """(gain, n_rows) of the model trained on the union of `mask`'s sources."""
        hit = self.memo.get(mask)
        if hit is not None:
            return hit
        # the authors' way: concatenate the selected sources' DataFrames, fit, score
        df = pd.concat([self.sources[i] for i in self.members(mask)], ignore_index=True)
        X = df[self.feat_cols].to_numpy()
        y = df["label"].to_numpy()
        if self.task == "regression":
            pred = LinearRegression().fit(X, y).predict(self.Xv)
            mse = float(np.mean((self.yv - pred) ** 2))
            g = 100.0 / (1.0 + mse / self.var_v)
        else:
            classes = np.unique(y)
            if len(classes) < 2:
                yhat = np.full(len(self.yv), classes[0])
            else:
                clf = LogisticRegression(C=self.c, max_iter=10000, tol=self.tol)
                yhat = clf.fit(X, y).predict(self.Xv)
            g = 100.0 * float(np.mean(yhat == self.yv))
            if self.task == "fairness":
                if self.pos_a0.any() and self.pos_a1.any():
                    gap = float(np.mean(yhat[self.pos_a0] == 1)) - float(np.mean(yhat[self.pos_a1] == 1))
                else:
                    gap = 0.0
                g += self.lam * gap
        r = (g, len(df))
        self.memo[mask] = r
        if self.trace is not None:
            self.trace.append(mask)
        return r

    def source_cost(self, i):
        if self.costs is not None:
            return float(self.costs.get(self.names[i], 0.0))
        if self.cost_exponent is None:
            return 0.0
        g = self.gain(1 << i)[0]
        return self.cost_scale * (g - self.cost_offset) ** self.cost_exponent

    def cost(self, mask):
        return sum(self.source_cost(i) for i in self.members(mask))

    def profit(self, mask):
        if mask == 0:
            return 0.0
        return self.gain(mask)[0] - self.cost(mask)

    @property
    def models_trained(self):
        return len(self.memo)

    def describe(self, mask):
        g, n = self.gain(mask)
        cst = self.cost(mask)
        return {"sources": [self.names[i] for i in self.members(mask)],
                "gain": g, "cost": cst, "profit": g - cst, "n_rows": n}


# ---------------------------------------------------------------- SourceSplice
def popcount(x):
    return bin(x).count("1")


def source_splice(ev, s_max, k_max):
    m = ev.m
    full = (1 << m) - 1
    P = ev.profit
    single = [P(1 << i) for i in range(m)]
    order = sorted(range(m), key=lambda i: (-single[i], i))

    def splicing(A, kmax):
        # the paper's pseudocode: within a round the swaps compound, and
        # both valuations are taken on the current set before the swap
        Pmax, best = P(A), A
        cur = A
        for k in range(1, kmax + 1):
            act = ev.members(cur)
            inact = ev.members(full & ~cur)
            if k > min(len(act), len(inact)):
                break
            pc = P(cur)
            rm = {s: pc - P(cur & ~(1 << s)) for s in act}
            add = {s: P(cur | 1 << s) - pc for s in inact}
            nxt = cur
            for s in sorted(act, key=lambda s: (rm[s], s))[:k]:
                nxt &= ~(1 << s)
            for s in sorted(inact, key=lambda s: (-add[s], s))[:k]:
                nxt |= 1 << s
            pn = P(nxt)
            if pn > Pmax:
                Pmax, best = pn, nxt
            cur = nxt
        return best, Pmax

    def fixed_support(A):
        prev, curr, p = None, A, None
        while curr != prev:
            prev = curr
            curr, p = splicing(prev, min(k_max, popcount(prev)))
        return curr, p

    best, pbest = None, -math.inf
    A = 0
    for i in range(1, s_max + 1):
        A |= 1 << order[i - 1]
        s_loc, p_loc = fixed_support(A)
        if p_loc > pbest:
            best, pbest = s_loc, p_loc
    return best


# ---------------------------------------------------------------- exhaustive
def exhaustive(ev, masks, dump=None):
    best, pbest = None, -math.inf
    for mask in masks:
        p = ev.profit(mask)
        if dump is not None:
            d = ev.describe(mask)
            dump.write(json.dumps(d) + "\n")
        if p > pbest:
            best, pbest = mask, p
    return best


# ---------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description="Python peer for acq source selection",
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    ap.add_argument("--dataset", choices=sorted(DATASETS), required=True)
    ap.add_argument("--method", choices=["splice", "exhaustive"], default="splice")
    ap.add_argument("--task", choices=["classification", "fairness", "regression"],
                    help="default: regression for flights, fairness for mpls")
    ap.add_argument("--sample", type=int, metavar="N",
                    help="exhaustive: train only N random subsets and extrapolate the time")
    ap.add_argument("--k-max", type=int, help="default min(3, m // 2)")
    ap.add_argument("--s-max", type=int, help="default m")
    ap.add_argument("--lambda", dest="lam", type=float, default=10.0)
    ap.add_argument("--privileged", default="White")
    ap.add_argument("--c", type=float, default=1.0, help="LogisticRegression C")
    ap.add_argument("--tol", type=float, default=1e-4,
                    help="LogisticRegression tol (sklearn default 1e-4)")
    ap.add_argument("--costs", help='JSON object {"source name": cost, ...}')
    ap.add_argument("--cost-exponent", type=int)
    ap.add_argument("--cost-scale", type=float, default=0.01)
    ap.add_argument("--cost-offset", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0, help="exhaustive --sample seed")
    ap.add_argument("--datadir", default=DATA)
    ap.add_argument("--dump", metavar="FILE",
                    help="exhaustive: write every evaluated subset as a JSON line")
    ap.add_argument("--trace", action="store_true",
                    help="also list the subsets trained, in training order")
    a = ap.parse_args(argv)

    task = a.task or DATASETS[a.dataset][4]
    if task == "fairness" and DATASETS[a.dataset][3] is None:
        ap.error("dataset %s has no sensitive column" % a.dataset)

    t0 = time.perf_counter()
    names, sources, validation, feat_cols = load(a.dataset, a.datadir)
    load_seconds = time.perf_counter() - t0
    m = len(names)
    ev = Evaluator(names, sources, validation, feat_cols, task, a.c, a.lam,
                   a.privileged, a.tol, json.loads(a.costs) if a.costs else None,
                   a.cost_exponent, a.cost_scale, a.cost_offset, trace=a.trace)

    out = {"dataset": a.dataset, "method": a.method, "task": task, "m": m,
           "n_features": len(feat_cols), "validation_rows": len(validation)}
    if task == "fairness":
        out.update({"lambda": a.lam, "privileged": a.privileged})
    if task != "regression":
        out["c"] = a.c

    t0 = time.perf_counter()
    if a.method == "splice":
        s_max = m if a.s_max is None else a.s_max
        k_max = min(3, m // 2) if a.k_max is None else a.k_max
        best = source_splice(ev, s_max, k_max)
        seconds = time.perf_counter() - t0
        out.update({"s_max": s_max, "k_max": k_max})
    else:
        total = (1 << m) - 1
        dump = open(a.dump, "w") if a.dump else None
        if a.sample:
            rs = np.random.RandomState(a.seed)
            masks = sorted(int(x) + 1 for x in rs.choice(total, min(a.sample, total), replace=False))
        else:
            masks = range(1, total + 1)
        best = exhaustive(ev, masks, dump)
        seconds = time.perf_counter() - t0
        if dump:
            dump.close()
        if a.sample:
            out.update({"extrapolated": True, "sampled_subsets": len(masks),
                        "total_subsets": total, "seconds_sample": seconds,
                        "seconds_extrapolated": seconds / len(masks) * total,
                        "note": "best of the random sample only, NOT the exhaustive optimum; "
                                "seconds_extrapolated = seconds_sample / sampled_subsets * total_subsets"})
        else:
            out.update({"extrapolated": False, "total_subsets": total})

    d = ev.describe(best)
    out.update({"sources": sorted(d["sources"], key=lambda s: s.encode("utf-8")),
                "gain": d["gain"], "cost": d["cost"], "profit": d["profit"],
                "n_rows": d["n_rows"], "models_trained": ev.models_trained,
                "seconds": seconds, "load_seconds": load_seconds})
    if a.trace:
        out["trace"] = [{"sources": [names[i] for i in ev.members(mk)], "profit": ev.profit(mk)}
                        for mk in ev.trace]
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
