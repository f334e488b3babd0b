#!/usr/bin/python3
"""Merge evidence.py runs into one cells.jsonl, later directories overriding earlier ones for the
same data set, seed, budget, strategy and judge (as significance.py reads them), keeping only the
strategies named; then `evidence.py --summarize OUT` and `evidence.py --plot OUT docs/img` draw
the current state of every set (issue 15).

    /usr/bin/python3 bench/acquisition/merge_cells.py OUT --strategies sps,sps_cover,ea_fill,uniform,random,curve DIR...
"""
import argparse
import json
import os


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--strategies", required=True)
    a = ap.parse_args()
    keep = set(a.strategies.split(",")) | {"none"}
    cells = {}
    for d in a.dirs:
        for line in open(os.path.join(d, "cells.jsonl")):
            c = json.loads(line)
            if c["strategy"] in keep:
                cells[(c["dataset"], c["seed"], c["budget"], c["strategy"], c["judge"])] = c
    # a strategy run at only some of a data set's budgets (a re-run of some cells) would make
    # evidence.py's summary drop the whole set: leave such a strategy out of that set, and say so
    budgets = {}
    for (ds, _, b, s, _) in cells:
        budgets.setdefault((ds, s), set()).add(b)
    for (ds, s), bs in sorted(budgets.items()):
        every = set().union(*(v for (d2, s2), v in budgets.items() if d2 == ds and s2 != "none"))
        if s != "none" and bs != every:
            print("left out: %s on %s (budgets %s of %s)" % (s, ds, sorted(bs), sorted(every)))
            cells = {k: v for k, v in cells.items() if not (k[0] == ds and k[3] == s)}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "cells.jsonl"), "w") as f:
        for k in sorted(cells, key=lambda k: (k[0], k[1], k[2], k[3], k[4])):
            f.write(json.dumps(cells[k]) + "\n")
    print("%d cells in %s" % (len(cells), os.path.join(a.out, "cells.jsonl")))


if __name__ == "__main__":
    main()
