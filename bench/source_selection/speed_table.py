#!/usr/bin/python3
"""bench/source_selection/speed_table.py -- acq against the authors' own code, per method, from one
run of the suite (run.py's suite.json): the same rows, the same run, each side's wall time.

  /usr/bin/python3 bench/source_selection/speed_table.py [results/suite.json]

Pairs (acq method / the authors' function, as run.py names them):
  SourceSplice  acq splice_k7_r0 (k_max 7, restarts 0: the paper's search) / splice.get_best_subset
  SourceGrasp   acq grasp (N = 20, k = 5)                                    / grasp.grasp (<= 10 sources)
  DsDM          acq datamodels (the same number of samples)                  / dsdm.get_dsdm_result
  exhaustive    acq exhaustive                                               / baselines.brute_force (<= 8 sources)
Prints one row per task and method (seconds, models, ratio = authors / acq), then per method the
median and range of the ratios.  acq's time is end to end inside the server (reading the rows,
training, searching); the authors' leaves out their read of the rows (run.py COPYs them once).
"""
import json
import os
import statistics
import sys

PAIRS = [("SourceSplice", "splice_k7_r0", "splice_k7"), ("SourceGrasp", "grasp", "grasp"),
         ("DsDM", "datamodels", "datamodels"), ("exhaustive", "exhaustive", "exhaustive")]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results", "suite.json")
    tasks = json.load(open(path))
    ratios = {name: [] for name, _, _ in PAIRS}
    print("| task | m | method | acq s (models) | authors s (models) | ratio |")
    print("|---|---|---|---|---|---|")
    for t in tasks:
        runs = {(r["who"], r["method"]): r for r in t["runs"]}
        for name, mine, theirs in PAIRS:
            a, b = runs.get(("acq", mine)), runs.get(("authors", theirs))
            if not a or not b or a["seconds"] <= 0:
                continue
            r = b["seconds"] / a["seconds"]
            ratios[name].append(r)
            print("| %s | %d | %s | %.3f (%d) | %.2f (%d) | %.0f× |" % (
                t["task"]["name"], t["task"]["m"], name, a["seconds"], a["models"], b["seconds"], b["models"], r))
    print()
    print("| method | tasks | median ratio | range |")
    print("|---|---|---|---|")
    for name, _, _ in PAIRS:
        v = ratios[name]
        if v:
            print("| %s | %d | %.0f× | %.0f–%.0f× |" % (name, len(v), statistics.median(v), min(v), max(v)))


if __name__ == "__main__":
    main()
