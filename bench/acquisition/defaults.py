#!/usr/bin/python3
"""SPS's and EA's defaults against uniform (issue 15, second pass).

  /usr/bin/python3 bench/acquisition/defaults.py DIR [DIR...] [--strategies sps,sps_cover,ea_mixed,ea_fill]
      [--batch 100]

Reads the cells.jsonl of evidence.py runs (later directories override earlier
ones for the same data set, seed, budget, strategy and judge) and prints, per
data set, budget and judge, uniform's mean over seeds and each strategy's mean
difference to uniform on the seeds both ran (paired), the seeds, and whether
the cell is in the target region B >= 2 |P| batch.  Then the counts: cells at
or above uniform, in the target region and outside it, and the mean
difference.  |P|: flights 12, etopo 16, fashion 10, mpls7 7 (the held-out set run as "mpls" before the merge), precinct 5, origin 8, letter 26.
"""
import argparse
import collections
import json
import os

import numpy as np

NP = {"flights": 12, "etopo": 16, "fashion": 10, "mpls7": 7, "mpls": 8, "precinct": 5, "origin": 8, "letter": 26}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--strategies", default="sps,sps_cover,ea_mixed,ea_fill")
    ap.add_argument("--batch", type=int, default=100)
    a = ap.parse_args()
    strats = a.strategies.split(",")
    cells = collections.defaultdict(dict)
    for d in a.dirs:
        for line in open(os.path.join(d, "cells.jsonl")):
            c = json.loads(line)
            cells[(c["dataset"], c["budget"], c["strategy"], c["judge"])][c["seed"]] = c["score"]
    keys = sorted({(k[0], k[1], k[3]) for k in cells if k[2] == "uniform"},
                  key=lambda k: (list(NP).index(k[0]) if k[0] in NP else 99, k[1], k[2]))
    tally = {s: {True: [], False: []} for s in strats}
    print("| data | B | judge | target | uniform | " + " | ".join("%s − uniform" % s for s in strats) + " |")
    print("|---" * (5 + len(strats)) + "|")
    for ds, b, j in keys:
        u = cells[(ds, b, "uniform", j)]
        target = b >= 2 * NP.get(ds, 10 ** 9) * a.batch
        row = []
        for s in strats:
            v = cells.get((ds, b, s, j), {})
            seeds = sorted(set(v) & set(u))
            if not seeds:
                row.append("")
                continue
            d = float(np.mean([v[k] - u[k] for k in seeds]))
            tally[s][target].append(d)
            txt = "%+.4f (%d)" % (d, len(seeds))
            row.append("**%s**" % txt if d >= 0 else txt)
        print("| %s | %d | %s | %s | %.4f | %s |" % (ds, b, j, "yes" if target else "", np.mean(list(u.values())),
                                                   " | ".join(row)))
    print()
    print("| strategy | target cells ≥ uniform | mean diff (target) | worst (target) | other cells ≥ uniform | mean diff (other) |")
    print("|---|---|---|---|---|---|")
    for s in strats:
        t, o = tally[s][True], tally[s][False]
        f = lambda x: "%d / %d" % (sum(1 for y in x if y >= 0), len(x))
        m = lambda x: "%+.4f" % np.mean(x) if x else ""
        w = lambda x: "%+.4f" % min(x) if x else ""
        print("| %s | %s | %s | %s | %s | %s |" % (s, f(t), m(t), w(t), f(o), m(o)))


if __name__ == "__main__":
    main()
