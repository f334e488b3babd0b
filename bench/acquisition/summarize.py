#!/usr/bin/python3
"""Summaries of the fidelity runs of bench/acquisition/run.sh.

  /usr/bin/python3 bench/acquisition/summarize.py RESULTS_DIR

Reads RESULTS_DIR/fidelity_raw.csv (dataset,seed,strategy,budget,n_train,
metric,plan_id,acquire_seconds; strategy "none" = D_init alone, budget 0) and
writes, per dataset D (fashion: test accuracy, etopo: test R^2):
  D.csv    budget,strategy,seeds,mean,sd (sd: sample standard deviation)
  D.dat    gnuplot data: budget, then mean and sd of none, sps, ea, uniform,
           random
and fidelity.md (tables and the verdict: do SPS and EA beat uniform and random
at every budget?).  Prints the markdown on stdout.
"""
import csv
import math
import os
import sys
from collections import defaultdict

STRATS = ["sps", "ea", "uniform", "random"]
METRIC = {"fashion": "test accuracy (softmax regression)", "etopo": "test R² (k-NN regressor, k = 5)"}
TITLE = {"fashion": "Fashion-MNIST-HOG, 10 label predicates, D_init 12,000 records (power-law skew)",
         "etopo": "ETOPO5 North America, 4×4 lon/lat grid predicates (15 non-empty cells), D_init ~1% (power-law skew)"}


def mean_sd(v):
    m = sum(v) / len(v)
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0.0
    return m, sd


def main():
    res = sys.argv[1]
    rows = list(csv.DictReader(open(os.path.join(res, "fidelity_raw.csv"))))
    out = []
    for ds in ["fashion", "etopo"]:
        r = [x for x in rows if x["dataset"] == ds]
        if not r:
            continue
        vals = defaultdict(dict)          # (strategy, budget) -> seed -> metric
        for x in r:
            vals[(x["strategy"], int(x["budget"]))][int(x["seed"])] = float(x["metric"])
        budgets = sorted({b for (s, b) in vals if s != "none"})
        base = list(vals[("none", 0)].values())
        bm, bsd = mean_sd(base)
        with open(os.path.join(res, ds + ".csv"), "w") as fh:
            fh.write("budget,strategy,seeds,mean,sd\n")
            fh.write("0,none,%d,%.6f,%.6f\n" % (len(base), bm, bsd))
            for b in budgets:
                for s in STRATS:
                    v = list(vals[(s, b)].values())
                    if v:
                        m, sd = mean_sd(v)
                        fh.write("%d,%s,%d,%.6f,%.6f\n" % (b, s, len(v), m, sd))
        with open(os.path.join(res, ds + ".dat"), "w") as fh:
            fh.write("# budget none_mean none_sd " + " ".join("%s_mean %s_sd" % (s, s) for s in STRATS) + "\n")
            for b in budgets:
                cols = [bm, bsd]
                for s in STRATS:
                    v = list(vals[(s, b)].values())
                    cols.extend(mean_sd(v) if v else (float("nan"), float("nan")))
                fh.write("%d %s\n" % (b, " ".join("%.6f" % c for c in cols)))
        nseeds = len(base)
        out.append("### %s\n" % TITLE[ds])
        out.append("%s, mean ± sd over %d seeds; no acquisition (D_init alone): **%.4f ± %.4f**.\n"
                   % (METRIC[ds], nseeds, bm, bsd))
        out.append("| budget | SPS | EA | uniform | random | SPS > both | EA > both |")
        out.append("|---|---|---|---|---|---|---|")
        for b in budgets:
            cells = []
            means = {}
            for s in STRATS:
                v = list(vals[(s, b)].values())
                if v:
                    m, sd = mean_sd(v)
                    means[s] = m
                    cells.append("%.4f ± %.4f" % (m, sd))
                else:
                    cells.append("–")
            verdict = []
            for s in ["sps", "ea"]:
                if s not in means or "uniform" not in means or "random" not in means:
                    verdict.append("–")
                    continue
                best_other = max(means["uniform"], means["random"])
                # seeds where s beats both baselines of the same seed
                wins = sum(1 for seed, x in vals[(s, b)].items()
                           if x > vals[("uniform", b)].get(seed, -1e9) and x > vals[("random", b)].get(seed, -1e9))
                verdict.append("%s (%+.4f; %d/%d seeds)" % ("**yes**" if means[s] > best_other else "**no**",
                                                             means[s] - best_other, wins, len(vals[(s, b)])))
            out.append("| %d | %s | %s |" % (b, " | ".join(cells), " | ".join(verdict)))
        out.append("")
    md = "\n".join(out)
    with open(os.path.join(res, "fidelity.md"), "w") as fh:
        fh.write(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
