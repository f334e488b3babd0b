#!/usr/bin/python3
"""curve's defaults (issue 15, curve3 pass): the tables of docs/acquisition.md from the cells in
results/evidence (see results/evidence/curve3_README.md for the runs).  A cell is a (data set,
budget, judge); its value is the mean over seeds 0-9 minus the better of uniform's and random's
means.  Prints the tuning sweep (flights, ETOPO, Fashion) and old vs new default on every set.

  /usr/bin/python3 bench/acquisition/curve_defaults.py
"""
import collections
import json
import os
import statistics as st

R = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "evidence")
BASE = {"flights": ["acq_fe", "acq_fe2", "acq_fe3"], "etopo": ["acq_fe", "acq_fe2", "acq_fe3"],
        "fashion": ["acq_fashion", "acq_fashion2", "acq_fashion3"], "mpls": ["curveq_mpls"],
        "precinct": ["curve3_precinct"]}
JUDGE = {"acq": "acq", "tree": "tree", "logistic": "logistic", "5nn": "5-NN"}


def load(dirs, strategy, dataset):
    d = collections.defaultdict(dict)
    for name in dirs:
        for line in open(os.path.join(R, name, "cells.jsonl")):
            r = json.loads(line)
            if r["strategy"] == strategy and r["dataset"] == dataset and r["budget"] > 0:
                d[(r["budget"], r["judge"])][r["seed"]] = r["score"]
    return {k: st.mean(v.values()) for k, v in d.items() if len(v) == 10}


def diffs(dataset, spec):
    """[(difference, cell name)] of a run 'dir[:strategy]' against max(uniform, random)"""
    name, _, strategy = spec.partition(":")
    u, r = load(BASE[dataset], "uniform", dataset), load(BASE[dataset], "random", dataset)
    v = load([name], strategy or "curve", dataset)
    out = []
    for k in sorted(v):
        judge = "linear" if dataset == "etopo" and k[1] == "logistic" else JUDGE[k[1]]
        out.append((v[k] - max(u[k], r[k]), "%d, %s" % (k[0], judge)))
    return out


def fmt(d):
    w = min(d)
    return "%d / %d" % (sum(x >= 0 for x, _ in d), len(d)), "%+.4f" % st.mean(x for x, _ in d), \
        "%+.4f (%s)" % w


SWEEP = [
    ("0, 0 (the old default)", {"flights": "curve3_base_flights", "etopo": "curve3_base_etopo",
                                "fashion": "curve3_base_fashion"}),
    ("0.05, 0", {"flights": "curve3_ga05_flights", "etopo": "curve3_ga05_etopo", "fashion": "curve3_ga05_fashion"}),
    ("0.10, 0", {"flights": "curve3_ga10_flights"}),
    ("0, 0.5", {"flights": "curve3_h50_flights", "etopo": "curve3_h50_etopo", "fashion": "curve3_h50_fashion"}),
    ("0.05, 0.25", {"flights": "curve3_m05h25_flights", "etopo": "curve3_m05h25_etopo",
                    "fashion": "curve3_m05h25_fashion"}),
    ("**0.05, 0.5 (the new default)**", {"flights": "curve3_flights", "etopo": "curve3_etopo",
                                         "fashion": "curve3_fashion"}),
    ("0.05, 0.75", {"flights": "curve3_m05h75_flights", "etopo": "curve3_m05h75_etopo",
                    "fashion": "curve3_m05h75_fashion"}),
    ("`curve_pooling => 'full'` (equal counts)", {"flights": "curveq_flights_full:curve_full"}),
]
OLD = {"flights": "curve3_base_flights", "etopo": "curve3_base_etopo", "fashion": "curve3_base_fashion",
       "mpls": "curve3_mpls_auto", "precinct": "curve3_precinct:curve_t"}
NEW = {d: "curve3_" + d for d in BASE}


def main():
    print("| curve_min_exponent, curve_hedge | flights | ETOPO | Fashion | the 55 cells | worst cell |")
    print("|---|---|---|---|---|---|")
    for name, runs in SWEEP:
        row, every = [name], []
        for ds in ("flights", "etopo", "fashion"):
            if ds not in runs:
                row.append("—")
                continue
            d = diffs(ds, runs[ds])
            c, m, _ = fmt(d)
            row.append("%s, %s" % (c, m))
            every += [(x, "%s %s" % (ds, n)) for x, n in d]
        if len(every) == 55:
            c, m, w = fmt(every)
            row += ["%s, %s" % (c, m), w]
        else:
            row += ["—", "%+.4f (%s)" % min(every)]
        print("| " + " | ".join(row) + " |")
    print()
    print("| data set | old: cells ≥ | mean difference | worst cell | new: cells ≥ | mean difference | worst cell |")
    print("|---|---|---|---|---|---|---|")
    tot = {"old": [], "new": []}
    for ds in ("flights", "etopo", "fashion", "mpls", "precinct"):
        row = [ds + (" (held out)" if ds in ("mpls", "precinct") else "")]
        for key, runs in (("old", OLD), ("new", NEW)):
            d = diffs(ds, runs[ds])
            row += list(fmt(d))
            if ds not in ("mpls", "precinct"):
                tot[key] += d
        print("| " + " | ".join(row) + " |")
    row = ["tuning sets"]
    for key in ("old", "new"):
        row += list(fmt(tot[key]))
    print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
