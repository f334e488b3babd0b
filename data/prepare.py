#!/usr/bin/python3
"""Maintainer tool: regenerate data/flights15.csv.gz and data/mpls15.csv.gz.

NOT run by the demo, the tests or the benchmarks -- they only read the two
prepared files shipped next to this script.  Re-running it on the same input
files (and the same numpy/pandas) rewrites both files byte-identically.

    /usr/bin/python3 data/prepare.py [--src DIR] [--out DIR]

--src holds the raw extracts flights_2001_us.csv.gz and mpls_stops_2017.csv.gz
(see data/README.md for where they come from); --out defaults to the directory
of this script.  Needs numpy and pandas (Debian: python3-numpy python3-pandas).

Every random choice uses numpy's legacy RandomState (whose streams numpy keeps
stable across versions), seeded with 42.
"""
import argparse
import csv
import gzip
import io
import os

import numpy as np
import pandas as pd

SEED = 42

# ---- flights -----------------------------------------------------------------
FLIGHTS_N_STATES = 15
FLIGHTS_MIN_ROWS = 3000        # states eligible for the random choice
FLIGHTS_TRAIN_PER_STATE = 3000
FLIGHTS_VALIDATION = 5000
FLIGHTS_FEATURES = [
    "dep_hour",       # actual departure hour, 0..24 (fractional)
    "dep_hour_sin",   # sin(2*pi*dep_hour/24)
    "dep_hour_cos",   # cos(2*pi*dep_hour/24)
    "month_sin",      # sin(2*pi*month/12)
    "month_cos",      # cos(2*pi*month/12)
    "dow_sin",        # sin(2*pi*day_of_week/7), day_of_week 0 = Sunday
    "dow_cos",        # cos(2*pi*day_of_week/7)
    "weekend",        # 1 if day_of_week in (0, 6) else 0
    "log_distance",   # ln(distance_mi)
    "dest_lat",
    "dest_lon",
    "log_dest_volume",  # ln(number of flights to the destination airport in
                        # the whole 500,000-row extract)
]
# Deliberately no origin-airport features (origin lat/lon, origin == dest
# state): they are constant, or collinear with the intercept, inside a state
# served by one or two airports (CT, MD, UT, MA, OR, IN ...), which would make
# every single-state OLS fit rank-deficient and solver-dependent.

# ---- Minneapolis stops ---------------------------------------------------------
MPLS_N_NEIGHBOURHOODS = 15
MPLS_VALIDATION_FRACTION = 0.2
MPLS_GENDERS = ["Male", "Female", "Unknown"]          # missing gender: all three 0
MPLS_PRERACES = ["Asian", "Black", "East African", "Latino", "Native American",
                 "Other", "Unknown", "White"]
MPLS_FEATURES = (["traffic"]
                 + ["gender_" + g for g in MPLS_GENDERS]
                 + ["prerace_" + r for r in MPLS_PRERACES]
                 + ["lat", "long", "hour_sin", "hour_cos", "weekend"])


def fmt(x):
    """6 significant digits; never '-0'."""
    s = "%.6g" % x
    return "0" if s in ("-0", "0") else s


def pg_array(row):
    return "{" + ",".join(fmt(v) for v in row) + "}"


def standardise(train, other):
    """Standardise both matrices with the mean/population std of `train`."""
    mu = train.mean(axis=0)
    sd = train.std(axis=0)
    sd[sd == 0] = 1.0
    return (train - mu) / sd, (other - mu) / sd, mu, sd


def write_csv_gz(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    raw = buf.getvalue().encode("utf-8")
    with open(path, "wb") as fh:
        # mtime=0 and no file name in the header: byte-identical re-runs
        with gzip.GzipFile(filename="", mode="wb", fileobj=fh, compresslevel=9, mtime=0) as gz:
            gz.write(raw)


def flights(src, out):
    df = pd.read_csv(os.path.join(src, "flights_2001_us.csv.gz"),
                     keep_default_na=False, na_values=[""])
    rs = np.random.RandomState(SEED)

    counts = df["origin_state"].dropna().value_counts()
    eligible = sorted(counts[counts >= FLIGHTS_MIN_ROWS].index)
    states = sorted(rs.choice(eligible, FLIGHTS_N_STATES, replace=False).tolist())

    train_idx, rest_idx = [], []
    for st in states:
        idx = np.flatnonzero((df["origin_state"] == st).to_numpy())
        perm = rs.permutation(len(idx))
        train_idx.append(np.sort(idx[perm[:FLIGHTS_TRAIN_PER_STATE]]))
        rest_idx.append(idx[perm[FLIGHTS_TRAIN_PER_STATE:]])
    train_idx = np.concatenate(train_idx)              # by state, then file order
    rest = np.sort(np.concatenate(rest_idx))
    val_idx = np.sort(rest[rs.choice(len(rest), FLIGHTS_VALIDATION, replace=False)])

    h = df["dep_hour"].to_numpy(float)
    mo = df["month"].to_numpy(float)
    dw = df["day_of_week"].to_numpy(float)
    X = np.column_stack([
        h,
        np.sin(2 * np.pi * h / 24), np.cos(2 * np.pi * h / 24),
        np.sin(2 * np.pi * mo / 12), np.cos(2 * np.pi * mo / 12),
        np.sin(2 * np.pi * dw / 7), np.cos(2 * np.pi * dw / 7),
        ((dw == 0) | (dw == 6)).astype(float),
        np.log(df["distance_mi"].to_numpy(float)),
        df["dest_lat"].to_numpy(float), df["dest_lon"].to_numpy(float),
        np.log(df["destination"].map(df["destination"].value_counts()).to_numpy(float)),
    ])
    assert X.shape[1] == len(FLIGHTS_FEATURES)
    Xtr, Xva, mu, sd = standardise(X[train_idx], X[val_idx])

    y = df["arr_delay_min"].to_numpy()
    st = df["origin_state"].to_numpy()
    rows = [[st[i], "train", pg_array(Xtr[k]), int(y[i])] for k, i in enumerate(train_idx)]
    rows += [[st[i], "validation", pg_array(Xva[k]), int(y[i])] for k, i in enumerate(val_idx)]
    path = os.path.join(out, "flights15.csv.gz")
    write_csv_gz(path, ["origin_state", "split", "features", "arr_delay_min"], rows)
    print("flights: states", " ".join(states))
    print("flights: %d train + %d validation rows, %d features -> %s (%d bytes)"
          % (len(train_idx), len(val_idx), X.shape[1], path, os.path.getsize(path)))
    vs = pd.Series(st[val_idx]).value_counts()
    print("flights: validation rows per state", dict(sorted(vs.items())))


def mpls(src, out):
    df = pd.read_csv(os.path.join(src, "mpls_stops_2017.csv.gz"),
                     keep_default_na=False, na_values=[""])
    df = df[df["MDC"] == "MDC"].reset_index(drop=True)
    rs = np.random.RandomState(SEED)

    counts = df["neighborhood"].value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    hoods = sorted(k for k, _ in ranked[:MPLS_N_NEIGHBOURHOODS])

    train_idx, val_idx = [], []
    for nb in hoods:
        idx = np.flatnonzero((df["neighborhood"] == nb).to_numpy())
        perm = rs.permutation(len(idx))
        nv = int(round(MPLS_VALIDATION_FRACTION * len(idx)))
        val_idx.append(np.sort(idx[perm[:nv]]))
        train_idx.append(np.sort(idx[perm[nv:]]))
    train_idx = np.concatenate(train_idx)              # by neighbourhood, then file order
    val_idx = np.concatenate(val_idx)

    ts = pd.to_datetime(df["date"], format="%Y-%m-%d %H:%M:%S")
    hour = (ts.dt.hour + ts.dt.minute / 60 + ts.dt.second / 3600).to_numpy(float)
    cols = [(df["problem"] == "traffic").to_numpy(float)]
    cols += [(df["gender"] == g).to_numpy(float) for g in MPLS_GENDERS]
    cols += [(df["preRace"] == r).to_numpy(float) for r in MPLS_PRERACES]
    cols += [df["lat"].to_numpy(float), df["long"].to_numpy(float),
             np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
             (ts.dt.dayofweek >= 5).to_numpy(float)]
    X = np.column_stack(cols)
    assert X.shape[1] == len(MPLS_FEATURES)
    assert set(df["preRace"]) <= set(MPLS_PRERACES)
    Xtr, Xva, mu, sd = standardise(X[train_idx], X[val_idx])

    y = (df["personSearch"] == "YES").to_numpy(int)
    nb = df["neighborhood"].to_numpy()
    race = df["race"].to_numpy()
    assert not pd.isna(race).any()
    rows = [[nb[i], "train", pg_array(Xtr[k]), int(y[i]), race[i]] for k, i in enumerate(train_idx)]
    rows += [[nb[i], "validation", pg_array(Xva[k]), int(y[i]), race[i]] for k, i in enumerate(val_idx)]
    path = os.path.join(out, "mpls15.csv.gz")
    write_csv_gz(path, ["neighborhood", "split", "features", "person_search", "race"], rows)
    print("mpls: neighbourhoods", "; ".join(hoods))
    print("mpls: %d train + %d validation rows, %d features -> %s (%d bytes)"
          % (len(train_idx), len(val_idx), X.shape[1], path, os.path.getsize(path)))
    print("mpls: person_search rate train %.4f validation %.4f"
          % (y[train_idx].mean(), y[val_idx].mean()))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default="/work/shared/data")
    ap.add_argument("--out", default=here)
    a = ap.parse_args()
    flights(a.src, a.out)
    mpls(a.src, a.out)


if __name__ == "__main__":
    main()
