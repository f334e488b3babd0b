#!/usr/bin/python3
"""bench/source_selection/prepare.py -- build the source-selection suite (issue 14)
from ../shared/data and load it into PostgreSQL (PG* environment, psql).

  /usr/bin/python3 bench/source_selection/prepare.py [SHARED_DATA_DIR]

Every task gets two tables in schema `ss`:
  ss.<task>_src (source text, x float8[], y float8, s text)   -- the sources' rows
  ss.<task>_val (x float8[], y float8, s text)                -- the validation rows
(s: the sensitive attribute for fairness tasks, else NULL), and a row in ss.tasks
(name, data, task, m, privileged, description).  Deterministic: fixed seeds, fixed
row caps per source and for validation; features standardised with the mean and
standard deviation of the task's source rows.  Validation rows never overlap the
sources' rows.
"""
import json, os, subprocess, sys
import numpy as np
import pandas as pd

SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '../../../shared/data')
CAP = 400        # rows per source
VAL = 2000       # validation rows
TASKS = []


def psql(sql):
    subprocess.run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], check=True,
                   env=dict(os.environ, PGOPTIONS='-c client_min_messages=warning'))


def rng(name):
    return np.random.default_rng(abs(hash_name(name)))


def hash_name(name):
    h = 1469598103934665603
    for ch in name.encode():
        h = ((h ^ ch) * 1099511628211) % (1 << 61)
    return h


def pick(idx, n, r):
    idx = np.asarray(idx)
    return np.sort(r.permutation(idx)[:n]) if len(idx) > n else np.sort(idx)


def balanced(idx, y, n, r):
    """n rows of idx, half with y = 1 and half with y = 0 (as far as there are)"""
    idx = np.asarray(idx)
    pos, neg = idx[y[idx] == 1], idx[y[idx] == 0]
    h = min(n // 2, len(pos), len(neg))
    return np.sort(np.concatenate([pick(pos, h, r), pick(neg, h, r)]))


def add(name, data, task, X, y, groups, val_idx, desc, sens=None, privileged=None, noise=None):
    """groups: ordered list of (source name, row indices); noise: {source: fraction of labels flipped}"""
    r = rng(name + '/noise')
    src_idx = np.concatenate([g for _, g in groups])
    if task != 'regression':      # the authors' code cannot fit a single-class subset
        for s_, g in groups:
            assert 0 < y[g].sum() < len(g), (name, s_)
    assert len(np.intersect1d(src_idx, val_idx)) == 0, name
    mu, sd = X[src_idx].mean(0), X[src_idx].std(0)
    sd[sd == 0] = 1
    Z = (X - mu) / sd
    path = f'/tmp/ss_{name}_src.tsv'
    with open(path, 'w') as f:
        for s, g in groups:
            yy = y[g].astype(float).copy()
            if noise and s in noise:
                flip = r.random(len(g)) < noise[s]
                yy[flip] = 1 - yy[flip]
            for i, yi in zip(g, yy):
                sv = '\\N' if sens is None or sens[i] is None else sens[i]
                f.write('%s\t{%s}\t%r\t%s\n' % (s, ','.join('%.7g' % v for v in Z[i]), float(yi), sv))
    vpath = f'/tmp/ss_{name}_val.tsv'
    with open(vpath, 'w') as f:
        for i in val_idx:
            sv = '\\N' if sens is None or sens[i] is None else sens[i]
            f.write('{%s}\t%r\t%s\n' % (','.join('%.7g' % v for v in Z[i]), float(y[i]), sv))
    psql(f"DROP TABLE IF EXISTS ss.{name}_src, ss.{name}_val;"
         f"CREATE TABLE ss.{name}_src (source text, x float8[], y float8, s text);"
         f"CREATE TABLE ss.{name}_val (x float8[], y float8, s text)")
    psql(f"\\copy ss.{name}_src FROM '{path}'")
    psql(f"\\copy ss.{name}_val FROM '{vpath}'")
    os.unlink(path); os.unlink(vpath)
    yv = y[val_idx].astype(float)
    TASKS.append(dict(name=name, data=data, task=task, m=len(groups), privileged=privileged,
                      rows=int(len(src_idx)), val=int(len(val_idx)), p=int(X.shape[1]),
                      val_pos=None if task == 'regression' else round(float(yv.mean()), 4),
                      description=desc))
    print(name, len(groups), 'sources', len(src_idx), 'rows', len(val_idx), 'validation', flush=True)


def owners(name, labels, classes, m, r, cap=CAP, skew=0.6):
    """m simulated data owners: owner j draws `cap` rows, a fraction `skew` of them from
    its favourite class (classes[j % len(classes)]) and the rest uniformly from the others"""
    pool = {c: list(r.permutation(np.where(labels == c)[0])) for c in classes}
    out = []
    for j in range(m):
        fav = classes[j % len(classes)]
        k = int(round(cap * skew))
        rows = [pool[fav].pop() for _ in range(min(k, len(pool[fav]) - 50))]
        others = [c for c in classes if c != fav]
        for t in range(cap - len(rows)):
            c = others[(t + j) % len(others)]
            rows.append(pool[c].pop())
        out.append(('o%02d' % j, np.sort(np.array(rows))))
    rest = np.concatenate([np.array(v, dtype=int) for v in pool.values()])
    return out, rest


def flights():
    f = pd.read_csv(os.path.join(SHARED, 'flights_2001_us.csv.gz'))
    feats = ['month', 'day_of_month', 'day_of_week', 'dep_hour', 'distance_mi',
             'origin_lat', 'origin_lon', 'dest_lat', 'dest_lon']
    f = f.dropna(subset=feats + ['arr_delay_min']).reset_index(drop=True)
    X = f[feats].to_numpy(float)
    d15 = f['arr_delayed_15'].to_numpy(int)
    d60 = (f['arr_delay_min'] >= 60).to_numpy(int)
    delay = f['arr_delay_min'].clip(-60, 600).to_numpy(float)
    st = f['origin_state'].to_numpy(); ap = f['origin'].to_numpy(); dst = f['dest_state'].to_numpy()
    by = lambda col, v: np.where(col == v)[0]
    rank_st = list(f['origin_state'].value_counts().index)
    rank_ap = list(f['origin'].value_counts().index)
    rank_dst = list(f['dest_state'].value_counts().index)

    n = 'fl_st15_pr'; r = rng(n)
    groups = [(s, pick(by(st, s), CAP, r)) for s in sorted(rank_st[:15])]
    val = pick(by(st, 'PR'), VAL, r)
    add(n, 'flights', 'classification', X, d15, groups, val,
        'arr_delayed_15; sources: the 15 largest origin states; validation: Puerto Rico departures')

    n = 'fl_ap12'; r = rng(n)
    groups = [(a, pick(by(ap, a), CAP, r)) for a in sorted(rank_ap[:12])]
    val = pick(np.where(~np.isin(ap, rank_ap[:12]))[0], VAL, r)
    add(n, 'flights', 'classification', X, d15, groups, val,
        'arr_delayed_15; sources: the 12 largest origin airports; validation: other airports')

    n = 'fl_dst10_d60'; r = rng(n)
    groups = [(s, pick(by(dst, s), CAP, r)) for s in sorted(rank_dst[:10])]
    val = pick(np.where(~np.isin(dst, rank_dst[:10]))[0], VAL, r)
    add(n, 'flights', 'classification', X, d60, groups, val,
        'arr_delay >= 60 min (rare); sources: the 10 largest destination states; validation: other destinations')

    n = 'fl_st12_reg'; r = rng(n)
    groups = [(s, pick(by(st, s), CAP, r)) for s in sorted(rank_st[12:24])]
    val = pick(by(st, 'CA'), VAL, r)
    add(n, 'flights', 'regression', X, delay, groups, val,
        'arr_delay_min (clipped to [-60, 600]); sources: origin states ranked 13-24; validation: California departures')

    n = 'fl_hour12_reg'; r = rng(n)
    hour = f['dep_hour'].to_numpy(float)
    blocks = np.minimum((hour // 2).astype(int), 11)
    perm = r.permutation(len(f)); held = np.zeros(len(f), bool); held[perm[:len(f) // 2]] = True
    groups = [('h%02d' % (2 * b), pick(np.where((blocks == b) & ~held)[0], CAP, r)) for b in range(12)]
    val = pick(np.where(held)[0], VAL, r)
    add(n, 'flights', 'regression', X, delay, groups, val,
        'arr_delay_min; sources: 12 two-hour departure blocks; validation: a random sample of all flights')

    n = 'fl_ap12_bal'; r = rng(n)
    groups = [(a, balanced(by(ap, a), d15, CAP, r)) for a in sorted(rank_ap[8:20])]
    val = balanced(np.where(~np.isin(ap, rank_ap[:20]))[0], d15, VAL, r)
    add(n, 'flights', 'classification', X, d15, groups, val,
        'arr_delayed_15, balanced 50/50 in every source and in validation; sources: origin airports ranked 9-20')

    n = 'fl_tx_halfmonth12'; r = rng(n)
    tx = by(st, 'TX'); mo = f['month'].to_numpy(); dom = f['day_of_month'].to_numpy()
    groups = []
    for m_ in range(1, 7):
        for h in (0, 1):
            g = tx[(mo[tx] == m_) & ((dom[tx] > 15) == bool(h))]
            groups.append(('m%d%s' % (m_, 'ab'[h]), pick(g, CAP, r)))
    used = np.concatenate([g for _, g in groups])
    val = pick(np.setdiff1d(by(st, 'OK'), used), VAL, r)
    add(n, 'flights', 'classification', X, d15, groups, val,
        'arr_delayed_15; sources: Texas departures by half-month (Jan-Jun); validation: Oklahoma departures')


def stops():
    m = pd.read_csv(os.path.join(SHARED, 'mpls_stops_2017.csv.gz'))
    m = m[m['MDC'] == 'MDC'].dropna(subset=['lat', 'long']).reset_index(drop=True)
    t = pd.to_datetime(m['date'])
    hr = t.dt.hour.to_numpy() + t.dt.minute.to_numpy() / 60
    wd = t.dt.dayofweek.to_numpy()
    cols = [np.sin(2 * np.pi * hr / 24), np.cos(2 * np.pi * hr / 24),
            (wd >= 5).astype(float), m['lat'].to_numpy(), m['long'].to_numpy(),
            (m['problem'] == 'suspicious').to_numpy(float),
            (m['gender'] == 'Male').to_numpy(float), (m['gender'] == 'Female').to_numpy(float)]
    for pr in ['Black', 'White', 'Unknown', 'East African', 'Native American']:
        cols.append((m['preRace'] == pr).to_numpy(float))
    X = np.column_stack(cols)
    Xnp = np.delete(X, 5, axis=1)           # without `problem`, for the task that predicts it
    search = (m['personSearch'] == 'YES').to_numpy(int)
    susp = (m['problem'] == 'suspicious').to_numpy(int)
    race = [None if v == 'Unknown' or pd.isna(v) else v for v in m['race']]
    gender = [None if v == 'Unknown' or pd.isna(v) else v for v in m['gender']]
    nb = m['neighborhood'].to_numpy(); month = t.dt.month.to_numpy()
    rank = list(m['neighborhood'].value_counts().index)
    by = lambda v: np.where(nb == v)[0]

    n = 'mp_nb15_fair_race'; r = rng(n)
    groups = [(s, pick(by(s), CAP, r)) for s in sorted(rank[:15])]
    val = pick(np.where(np.isin(nb, rank[15:]))[0], VAL, r)
    add(n, 'stops', 'fairness', X, search, groups, val,
        'personSearch (12%), TPR gap by race (White privileged), lambda 10; sources: the 15 busiest neighbourhoods; validation: the others',
        sens=race, privileged='White')

    n = 'mp_nb12_fair_gender'; r = rng(n)
    groups = [(s, pick(by(s), CAP, r)) for s in sorted(rank[15:27])]
    val = pick(np.where(np.isin(nb, rank[:15]))[0], VAL, r)
    add(n, 'stops', 'fairness', X, search, groups, val,
        'personSearch, TPR gap by gender (Male privileged); sources: neighbourhoods ranked 16-27; validation: the 15 busiest',
        sens=gender, privileged='Male')

    n = 'mp_month12'; r = rng(n)
    held = np.zeros(len(m), bool); held[r.permutation(len(m))[:len(m) // 3]] = True
    groups = [('m%02d' % k, pick(np.where((month == k) & ~held)[0], CAP, r)) for k in range(1, 13)]
    val = pick(np.where(held)[0], VAL, r)
    add(n, 'stops', 'classification', X, search, groups, val,
        'personSearch (12%); sources: the 12 months; validation: a random third of the year held out')

    n = 'mp_nb10_bal'; r = rng(n)
    groups = [(s, balanced(by(s), search, 300, r)) for s in sorted(rank[:10])]
    val = balanced(np.where(np.isin(nb, rank[10:]))[0], search, VAL, r)
    add(n, 'stops', 'classification', X, search, groups, val,
        'personSearch balanced 50/50 in every source and in validation; sources: the 10 busiest neighbourhoods')

    n = 'mp_nb12_suspicious'; r = rng(n)
    groups = [(s, pick(by(s), CAP, r)) for s in sorted(rank[3:15])]
    val = pick(np.where(np.isin(nb, rank[:3]))[0], VAL, r)
    add(n, 'stops', 'classification', Xnp, susp, groups, val,
        'problem = suspicious (47%); sources: neighbourhoods ranked 4-15; validation: the 3 busiest')

    n = 'mp_month12_fair_race'; r = rng(n)
    held = np.zeros(len(m), bool); held[r.permutation(len(m))[:len(m) // 3]] = True
    groups = [('m%02d' % k, pick(np.where((month == k) & ~held)[0], CAP, r)) for k in range(1, 13)]
    val = pick(np.where(held)[0], VAL, r)
    add(n, 'stops', 'fairness', X, search, groups, val,
        'personSearch, TPR gap by race (White privileged); sources: the 12 months; validation: a random third held out',
        sens=race, privileged='White')


def shuttle():
    s = pd.read_csv(os.path.join(SHARED, 'statlog_shuttle.csv.gz'))
    V = s[['V%d' % i for i in range(1, 10)]].to_numpy(float)
    cls = s['Class'].to_numpy()
    abnormal = (cls != 'Rad.Flow').astype(int)
    high = (cls == 'High').astype(int)

    n = 'sh_own12'; r = rng(n)
    # 12 owners whose share of abnormal rows ranges over 2%..60%; three flip 25% of their labels
    normal, abn = list(r.permutation(np.where(abnormal == 0)[0])), list(r.permutation(np.where(abnormal == 1)[0]))
    groups = []
    for j in range(12):
        k = int(round(300 * (0.02 + 0.58 * j / 11)))
        g = [abn.pop() for _ in range(k)] + [normal.pop() for _ in range(300 - k)]
        groups.append(('o%02d' % j, np.sort(np.array(g))))
    val = pick(np.concatenate([normal, abn]), VAL, r)
    add(n, 'shuttle', 'classification', V, abnormal, groups, val,
        'abnormal (not Rad.Flow, 21%); 12 owners with 2%..60% abnormal rows, owners o03, o07, o10 flip 25% of labels',
        noise={'o03': 0.25, 'o07': 0.25, 'o10': 0.25})

    n = 'sh_v8bins10_high'; r = rng(n)
    held = np.zeros(len(s), bool); held[r.permutation(len(s))[:len(s) // 3]] = True
    q = np.quantile(V[:, 7], np.linspace(0, 1, 11)[1:-1])
    b = np.searchsorted(q, V[:, 7], side='right')
    groups = [('b%d' % k, pick(np.where((b == k) & ~held)[0], 300, r)) for k in range(10)]
    groups = [(k, g) for k, g in groups if 5 <= high[g].sum() <= len(g) - 5]
    val = pick(np.where(held)[0], VAL, r)
    add(n, 'shuttle', 'classification', V, high, groups, val,
        'class High (15%); sources: bins of V8 by its deciles (bins with < 5 rows of either class dropped); validation: a random third held out')

    n = 'sh_v7bins12_reg'; r = rng(n)
    held = np.zeros(len(s), bool); held[r.permutation(len(s))[:len(s) // 3]] = True
    q = np.quantile(V[:, 6], np.linspace(0, 1, 13)[1:-1])
    b = np.searchsorted(q, V[:, 6], side='right')
    groups = [('b%02d' % k, pick(np.where((b == k) & ~held)[0], 300, r)) for k in range(12) if ((b == k) & ~held).sum() >= 100]
    val = pick(np.where(held)[0], VAL, r)
    add(n, 'shuttle', 'regression', V[:, :8], V[:, 8], groups, val,
        'regression of V9 on V1..V8; sources: bins of V7 by its 12-quantiles; validation: a random third held out')


def fashion():
    f = pd.read_csv(os.path.join(SHARED, 'fashion_mnist_hog.csv.gz'))
    H = f[[c for c in f.columns if c.startswith('hog_')]].to_numpy(float)
    lab = f['label'].to_numpy()
    r = rng('fashion-pca')
    samp = r.permutation(len(H))[:20000]
    mu = H[samp].mean(0)
    _, _, vt = np.linalg.svd(H[samp] - mu, full_matrices=False)
    P = (H - mu) @ vt[:16].T                   # 16 principal components
    shirt = (lab == 6).astype(int)
    top = np.isin(lab, [0, 2, 4, 6]).astype(int)

    n = 'fm_own12_shirt'; r = rng(n)
    groups, rest = owners(n, lab, list(range(10)), 12, r, cap=300)
    val = pick(rest, VAL, r)
    add(n, 'fashion', 'classification', P, shirt, groups, val,
        'Shirt vs the rest (10%); 12 owners, each 60% one class; o02, o05, o09 flip 30% of labels',
        noise={'o02': 0.3, 'o05': 0.3, 'o09': 0.3})

    n = 'fm_own10_top'; r = rng(n)
    groups, rest = owners(n, lab, list(range(10)), 10, r, cap=300, skew=0.5)
    val = pick(rest, VAL, r)
    add(n, 'fashion', 'classification', P, top, groups, val,
        'tops (T-shirt, Pullover, Coat, Shirt: 40%) vs the rest; 10 owners, each 50% one class; o01, o06 flip 30%',
        noise={'o01': 0.3, 'o06': 0.3})

    n = 'fm_own14_coat'; r = rng(n)
    cp = np.where(np.isin(lab, [2, 4]))[0]
    lab2 = np.full(len(lab), -1); lab2[cp] = lab[cp]
    groups, rest = owners(n, lab2, [2, 4], 14, r, cap=250, skew=0.5 + 0.0)
    # owners differ by how much label noise they carry (0, 10%, 20%, 40%)
    noise = {g[0]: [0.0, 0.1, 0.2, 0.4][i % 4] for i, g in enumerate(groups)}
    val = pick(rest, VAL, r)
    coat = (lab == 4).astype(int)
    add(n, 'fashion', 'classification', P, coat, groups, val,
        'Coat vs Pullover (balanced); 14 owners with label noise 0/10/20/40% in turn', noise=noise)


def etopo():
    e = pd.read_csv(os.path.join(SHARED, 'etopo5_north_america_land.csv.gz'))
    lon, lat, z = e['lon'].to_numpy(), e['lat'].to_numpy(), e['elevation_m'].to_numpy(float)
    a, b = (lon + 110) / 30, (lat - 45) / 15
    X = np.column_stack([a, b, a * a, b * b, a * b, np.sin(np.pi * a), np.cos(np.pi * a),
                         np.sin(np.pi * b), np.cos(np.pi * b), np.sin(2 * np.pi * a)])

    n = 'et_lon12_reg'; r = rng(n)
    held = np.zeros(len(e), bool); held[r.permutation(len(e))[:len(e) // 2]] = True
    edges = np.linspace(-170, -50, 13)
    bn = np.clip(np.searchsorted(edges, lon, side='right') - 1, 0, 11)
    groups = [('lon%+04d' % edges[k], pick(np.where((bn == k) & ~held)[0], CAP, r)) for k in range(12) if ((bn == k) & ~held).sum() >= 100]
    val = pick(np.where(held)[0], VAL, r)
    add(n, 'etopo5', 'regression', X, z, groups, val,
        'elevation (m) from lon/lat terms; sources: 10-degree longitude bands; validation: random held-out cells')

    n = 'et_grid16_reg'; r = rng(n)
    box = (lon >= -125) & (lon < -95) & (lat >= 30) & (lat < 50)
    held = np.zeros(len(e), bool); held[r.permutation(len(e))[:len(e) // 2]] = True
    gi = np.clip(((lon + 125) // 7.5).astype(int), 0, 3); gj = np.clip(((lat - 30) // 5).astype(int), 0, 3)
    groups = [('g%d%d' % (i, j), pick(np.where(box & ~held & (gi == i) & (gj == j))[0], CAP, r))
              for i in range(4) for j in range(4)]
    val = pick(np.where(box & held)[0], VAL, r)
    add(n, 'etopo5', 'regression', X, z, groups, val,
        'elevation in the box 125-95W, 30-50N; sources: its 4 x 4 grid cells; validation: random held-out cells of the box')

    n = 'et_lat12_high'; r = rng(n)
    held = np.zeros(len(e), bool); held[r.permutation(len(e))[:len(e) // 2]] = True
    edges = np.linspace(15, 75, 13)
    bn = np.clip(np.searchsorted(edges, lat, side='right') - 1, 0, 11)
    high = (z > 1000).astype(int)
    groups = [('lat%02d' % edges[k], pick(np.where((bn == k) & ~held)[0], CAP, r)) for k in range(12)]
    val = pick(np.where(held)[0], VAL, r)
    add(n, 'etopo5', 'classification', X, high, groups, val,
        'elevation > 1000 m; sources: 5-degree latitude bands; validation: random held-out cells')


def main():
    psql("CREATE SCHEMA IF NOT EXISTS ss")
    flights(); stops(); shuttle(); fashion(); etopo()
    psql("DROP TABLE IF EXISTS ss.tasks; CREATE TABLE ss.tasks (name text PRIMARY KEY, info jsonb)")
    with open('/tmp/ss_tasks.tsv', 'w') as f:
        for t in TASKS:
            f.write('%s\t%s\n' % (t['name'], json.dumps(t).replace('\\', '\\\\')))
    psql("\\copy ss.tasks FROM '/tmp/ss_tasks.tsv'")
    os.unlink('/tmp/ss_tasks.tsv')
    print(len(TASKS), 'tasks')


if __name__ == '__main__':
    main()
