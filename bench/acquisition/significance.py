#!/usr/bin/python3
"""Which of a strategy's losses to the baselines are larger than the seeds' noise (issue 15).

  /usr/bin/python3 bench/acquisition/significance.py DIR [DIR...] --strategies sps_cover,ea_fill
      [--against uniform|best] [--alpha 0.05] [--batch 100] [--all-cells]

Reads the cells.jsonl of evidence.py runs (later directories override earlier ones for the same
data set, seed, budget, strategy and judge).  For each data set, budget and judge it compares a
strategy with a reference on the seeds both ran, paired by seed (the consumer changes with the
seed): `uniform`, or with --against best the better of uniform's and random's means in that cell
(issue 15's bar for curve; picking the better one after the fact favours the baselines).  One-sided
paired t tests (scipy.stats.ttest_rel) at level alpha sort each cell into: at or above the
reference (mean difference >= 0), below but within the noise, and significantly below; the count
significantly above is printed beside.  Only the target region (B >= 2 |P| batch) unless
--all-cells.  With alpha = 0.05, about one cell in twenty is marked significant by chance alone:
the expected count is printed with each row.
"""
import argparse
import collections
import json
import os

import numpy as np
from scipy import stats

NP = {"flights": 12, "etopo": 16, "fashion": 10, "mpls7": 7, "mpls": 8, "precinct": 5, "origin": 8, "letter": 26, "satellite": 6, "neighborhood": 33, "dna": 3}


def load(dirs):
    cells = collections.defaultdict(dict)
    for d in dirs:
        for line in open(os.path.join(d, "cells.jsonl")):
            c = json.loads(line)
            cells[(c["dataset"], c["budget"], c["strategy"], c["judge"])][c["seed"]] = c["score"]
    return cells


def reference(cells, ds, b, j, against):
    u = cells.get((ds, b, "uniform", j), {})
    if against == "uniform":
        return u
    r = cells.get((ds, b, "random", j), {})
    if not u or not r:
        return {}
    return u if np.mean(list(u.values())) >= np.mean(list(r.values())) else r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--strategies", default="sps_cover,ea_fill")
    ap.add_argument("--against", choices=("uniform", "best"), default="uniform")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--all-cells", action="store_true")
    a = ap.parse_args()
    cells = load(a.dirs)
    keys = sorted({(k[0], k[1], k[3]) for k in cells if k[2] == "uniform"},
                  key=lambda k: (list(NP).index(k[0]) if k[0] in NP else 99, k[1], k[2]))
    # (strategy, data set) -> [cells, >= ref, below within noise, significantly below, significantly above]
    tally = collections.OrderedDict()
    worst = {}
    for s in a.strategies.split(","):
        for ds, b, j in keys:
            if not a.all_cells and b < 2 * NP.get(ds, 10 ** 9) * a.batch:
                continue
            ref = reference(cells, ds, b, j, a.against)
            v = cells.get((ds, b, s, j), {})
            seeds = sorted(set(v) & set(ref))
            if len(seeds) < 3:
                continue
            d = np.array([v[k] - ref[k] for k in seeds])
            t = tally.setdefault((s, ds), [0, 0, 0, 0, 0])
            t[0] += 1
            if np.all(d == 0):          # the same scores (e.g. the same plan): a tie, no test
                t[1] += 1
                continue
            below = stats.ttest_rel([v[k] for k in seeds], [ref[k] for k in seeds], alternative="less").pvalue
            above = stats.ttest_rel([v[k] for k in seeds], [ref[k] for k in seeds], alternative="greater").pvalue
            if d.mean() >= -1e-12:      # a tie up to the rounding of the means
                t[1] += 1
            elif below < a.alpha:
                t[3] += 1
                if (s, ds) not in worst or d.mean() < worst[(s, ds)][0]:
                    worst[(s, ds)] = (d.mean(), b, j, below)
            else:
                t[2] += 1
            if above < a.alpha:
                t[4] += 1
    ref = "uniform" if a.against == "uniform" else "max(uniform, random)"
    print("| strategy | data set | cells | ≥ %s | below, within noise | significantly below | "
          "significantly above | expected by chance (each side) | worst significant loss |" % ref)
    print("|---|---|---|---|---|---|---|---|---|")
    per = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
    for (s, ds), t in tally.items():
        w = worst.get((s, ds))
        wt = "%+.4f (%d, %s, p = %.3f)" % (w[0], w[1], w[2], w[3]) if w else ""
        print("| %s | %s | %d | %d | %d | %d | %d | %.1f | %s |" % (s, ds, t[0], t[1], t[2], t[3], t[4],
                                                                 a.alpha * t[0], wt))
        for i in range(5):
            per[s][i] += t[i]
    for s, t in per.items():
        print("| **%s** | all | %d | %d | %d | %d | %d | %.1f | |" % (s, t[0], t[1], t[2], t[3], t[4], a.alpha * t[0]))


if __name__ == "__main__":
    main()
