#!/usr/bin/python3
"""Tables for the acquisition benchmark (bench/acquisition/run.sh), from data/.

  /usr/bin/python3 bench/acquisition/prepare.py --dataset fashion|etopo \
      --out DIR [--seeds 0,1,...] [--replicate N --replicate-seed S]

Writes PostgreSQL COPY text files (tab-separated, no header; `features` is a
float8[] literal '{...}') into DIR:

  rows.tsv        id, features, label: every record that can be in D_pool or
                  D_init (the training split); seed-independent
  test.tsv        id, features, label: D_test; seed-independent
  init_<s>.ids    one id per line: D_init for seed s (power-law skew, below)
  pool_<N>.tsv    (--replicate N) a provider of exactly N rows for the
                  flat-cost measurement, ids 10,000,000 + i
  cells.sql       (etopo) one SQL boolean expression over `features` per
                  grid cell that holds candidate rows, in cell order: the
                  4x4 grid as acq.acquire(predicates => 'sql') predicates

For seed s the consumer holds D_init = rows whose id is in init_<s>.ids and the
provider sells D_pool = every other row of rows.tsv: pool and init are
disjoint by construction.  run.sh builds the four tables (rows, test, and per
seed init and pool) from these files.

fashion  data/fashion_mnist_hog.csv.gz.  rows = the 60,000 `train` rows, test =
         the 10,000 `test` rows; features = the 144 HOG values (the file's own
         decimal strings, so PostgreSQL and Python parse the same doubles);
         label = class 0..9 (integer).  Predicates: one per label.
         D_init = 20% of the training records (12,000) with the paper's
         power-law skew (section 6.1): a random order of the 10 classes, the
         i-th class (1-based in that order) gets round(12,000 * i / 55) records,
         drawn at random within the class.
etopo    data/etopo5_north_america_land.csv.gz.  lon, lat and elevation are
         min-max scaled to [0, 1] over the whole file, as the authors'
         Utils.load_RoadNet does for RoadNet (MinMaxScaler on X and on y);
         features = {lon, lat}, label = scaled elevation (float8, printed with
         Python's shortest round-trip repr).  test = a random 20% (fixed split
         seed 821, the authors' random_state; independent of --seeds).
         Predicates: the 4x4 equal-width grid over [0,1]^2 (cell = floor(4v),
         clipped to 3, per dimension; cell id = cx + 4*cy as in the authors'
         Utils.get_region_id).  D_init = 1% of rows with the power-law skew
         over the 16 cells (random order of cells, i-th gets round(n*i/136));
         a cell never gives more than half of its rows (the ocean-heavy corner
         cells are small), the shortfall is not redistributed.
--replicate N (etopo only): N rows drawn with replacement from rows.tsv minus
         init_<first seed> (--replicate-seed, default 7), lon/lat jittered by
         N(0, 0.001^2) and clipped to [0,1]: a large provider with the same
         distribution, for the provider-cost-versus-pool-size measurement.

Everything is seeded (numpy.random.default_rng); re-running writes the same
bytes.  The peer (peer.py) imports this module and gets the identical arrays.
"""
import argparse
import gzip
import math
import os
import sys

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "data"))
GRID = 4                 # cells per dimension for etopo
SPLIT_SEED = 821
REPLICA_BASE = 10_000_000


class Dataset:
    """ids, X, y (and their text forms) of the candidate rows and the test rows."""

    def __init__(self, name, ids, X, y, feat_txt, label_txt, tids, tX, ty, tfeat_txt, tlabel_txt):
        self.name = name
        self.ids, self.X, self.y = ids, X, y
        self.feat_txt, self.label_txt = feat_txt, label_txt
        self.tids, self.tX, self.ty = tids, tX, ty
        self.tfeat_txt, self.tlabel_txt = tfeat_txt, tlabel_txt
        self.task = "classification" if name == "fashion" else "regression"

    def predicate_of(self, X=None, y=None):
        """Predicate index of each row: the label (fashion) or the grid cell (etopo)."""
        if self.name == "fashion":
            return (self.y if y is None else y).astype(np.int64)
        return grid_cell(self.X if X is None else X)

    @property
    def n_predicates(self):
        return 10 if self.name == "fashion" else GRID * GRID


def grid_cell(X):
    c = np.clip(np.floor(X[:, :2] * GRID).astype(np.int64), 0, GRID - 1)
    return c[:, 0] + GRID * c[:, 1]


def cell_sql(cell):
    """The grid cell as a boolean expression over features[1], features[2] (same as grid_cell)."""
    parts = []
    for dim, c in ((1, cell % GRID), (2, cell // GRID)):
        if c > 0:
            parts.append("features[%d] >= %s" % (dim, repr(c / GRID)))
        if c < GRID - 1:
            parts.append("features[%d] < %s" % (dim, repr((c + 1) / GRID)))
    return " AND ".join(parts)


def _fmt(v):
    return repr(float(v))


def load_fashion(datadir=DATA):
    path = os.path.join(datadir, "fashion_mnist_hog.csv.gz")
    ids, split, lab, feats = [], [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split(",")
        assert header[:4] == ["id", "split", "label", "label_name"] and len(header) == 148, header[:5]
        for line in fh:
            parts = line.rstrip("\n").split(",", 4)
            ids.append(int(parts[0]))
            split.append(parts[1])
            lab.append(int(parts[2]))
            feats.append(parts[4])
    ids = np.array(ids, dtype=np.int64)
    lab = np.array(lab, dtype=np.int64)
    split = np.array(split)
    feats = np.array(feats, dtype=object)
    X = np.array([np.array(s.split(","), dtype=np.float64) for s in feats])
    tr = split == "train"
    te = split == "test"
    ftxt = np.array(["{" + s + "}" for s in feats], dtype=object)
    ltxt = np.array([str(v) for v in lab], dtype=object)
    return Dataset("fashion", ids[tr], X[tr], lab[tr], ftxt[tr], ltxt[tr],
                   ids[te], X[te], lab[te], ftxt[te], ltxt[te])


def load_etopo(datadir=DATA):
    df = pd.read_csv(os.path.join(datadir, "etopo5_north_america_land.csv.gz"))
    raw = df[["lon", "lat", "elevation_m"]].to_numpy(dtype=np.float64)
    lo, hi = raw.min(axis=0), raw.max(axis=0)
    sc = (raw - lo) / (hi - lo)
    n = len(sc)
    ids = np.arange(n, dtype=np.int64)
    perm = np.random.default_rng(SPLIT_SEED).permutation(n)
    n_test = int(round(0.2 * n))
    test = np.sort(perm[:n_test])
    train = np.sort(perm[n_test:])
    X, y = sc[:, :2], sc[:, 2]
    ftxt = np.array(["{%s,%s}" % (_fmt(a), _fmt(b)) for a, b in X], dtype=object)
    ltxt = np.array([_fmt(v) for v in y], dtype=object)
    return Dataset("etopo", ids[train], X[train], y[train], ftxt[train], ltxt[train],
                   ids[test], X[test], y[test], ftxt[test], ltxt[test])


def load(name, datadir=DATA):
    return load_fashion(datadir) if name == "fashion" else load_etopo(datadir)


def init_ids(ds, seed):
    """D_init for one seed: sorted ids, power-law skew over the predicates."""
    rng = np.random.default_rng([seed, 1])
    pred = ds.predicate_of()
    m = ds.n_predicates
    frac = 0.2 if ds.name == "fashion" else 0.01
    total = int(round(frac * len(ds.ids)))
    order = rng.permutation(m)             # order[i-1] is the i-th predicate
    weight_sum = m * (m + 1) // 2
    chosen = []
    for i, p in enumerate(order, start=1):
        members = np.flatnonzero(pred == p)
        want = int(round(total * i / weight_sum))
        if ds.name == "etopo":
            want = min(want, len(members) // 2)
        want = min(want, len(members))
        if want > 0:
            chosen.append(rng.choice(members, size=want, replace=False))
    sel = np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)
    return np.sort(ds.ids[sel])


def replicated_pool(ds, n, seed, exclude_ids):
    """n provider rows drawn from the candidate rows not in exclude_ids, lon/lat jittered."""
    rng = np.random.default_rng([seed, 2])
    keep = np.flatnonzero(~np.isin(ds.ids, exclude_ids))
    src = rng.choice(keep, size=n, replace=True)
    X = np.clip(ds.X[src] + rng.normal(0.0, 1e-3, size=(n, 2)), 0.0, 1.0)
    ids = REPLICA_BASE + np.arange(n, dtype=np.int64)
    return ids, X, ds.y[src]


def write_rows(path, ids, ftxt, ltxt):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines("%d\t%s\t%s\n" % (i, f, l) for i, f, l in zip(ids, ftxt, ltxt))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", choices=["fashion", "etopo"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seeds", default="0", help="comma-separated seeds for init_<s>.ids")
    ap.add_argument("--replicate", default="", help="comma-separated pool sizes (etopo only)")
    ap.add_argument("--replicate-seed", type=int, default=7)
    ap.add_argument("--datadir", default=DATA)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    ds = load(a.dataset, a.datadir)
    write_rows(os.path.join(a.out, "rows.tsv"), ds.ids, ds.feat_txt, ds.label_txt)
    write_rows(os.path.join(a.out, "test.tsv"), ds.tids, ds.tfeat_txt, ds.tlabel_txt)
    if a.dataset == "etopo":
        present = np.unique(ds.predicate_of())
        with open(os.path.join(a.out, "cells.sql"), "w") as fh:
            fh.writelines(cell_sql(int(c)) + "\n" for c in present)
    seeds = [int(s) for s in a.seeds.split(",") if s != ""]
    for s in seeds:
        ids = init_ids(ds, s)
        with open(os.path.join(a.out, "init_%d.ids" % s), "w") as fh:
            fh.writelines("%d\n" % i for i in ids)
    for n in [int(v) for v in a.replicate.split(",") if v != ""]:
        if a.dataset != "etopo":
            sys.exit("--replicate is for etopo")
        ids, X, y = replicated_pool(ds, n, a.replicate_seed, init_ids(ds, seeds[0] if seeds else 0))
        ftxt = ["{%s,%s}" % (_fmt(u), _fmt(v)) for u, v in X]
        ltxt = [_fmt(v) for v in y]
        write_rows(os.path.join(a.out, "pool_%d.tsv" % n), ids, ftxt, ltxt)
    print("%s: %d rows, %d test, %d predicates, seeds %s -> %s" % (
        a.dataset, len(ds.ids), len(ds.tids), ds.n_predicates, seeds, a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
