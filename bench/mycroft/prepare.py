#!/usr/bin/python3
"""Tables for the Mycroft benchmark (bench/mycroft/run.sh), from data/.

  /usr/bin/python3 bench/mycroft/prepare.py shuttle --out DIR --seeds 0,1,...
  /usr/bin/python3 bench/mycroft/prepare.py fashion --out DIR --seeds 0,1,... [--check N]
  /usr/bin/python3 bench/mycroft/prepare.py perf WHAT      # binary COPY on stdout

Text output is PostgreSQL COPY text (tab-separated, no header; `features` is a
float8[] literal '{...}').  Every table has the columns (id bigint, features
float8[], label float8); rows.tsv has a fourth, `class` (text).  Per seed s the
tables are id lists (one id per line) into rows.tsv, joined in SQL by run.sh.

shuttle  data/statlog_shuttle.csv.gz (58,000 rows, 9 integer features, classes
         Rad.Flow = normal and High, Bypass, Fpv.Open, Fpv.Close, Bpv.Open,
         Bpv.Close = abnormal).  label = 0 normal, 1 abnormal: the paper's IoT
         task is benign vs attack, its metric the F1 of the attack class.
         Per seed s (numpy default_rng(s)), every class shuffled:
           mt_<s>.ids     the model trainer's D_MT: 10,000 normal rows plus 2
                          rows of each abnormal class (12 rows): "trained on
                          normal data plus a few abnormal rows" (the authors'
                          MTs see benign traffic only, generate_fake_MT.py /
                          evaluate_share_performance.py; a few abnormal rows
                          let the tree know the label exists)
           test_<s>.ids   5,000 normal rows plus 30% of each abnormal class's
                          remaining rows; D_hard = the tree's misses among its
                          abnormal rows (acq.hard_examples(labels => '{1}')),
                          half shared, half held back
           own<X>_<s>.ids three owners with skewed, disjoint class mixes (the
                          authors mix attack captures into fake owners,
                          generate_fake_DO.py): each 8,000 normal rows plus
                            A: High 100, Bypass 1,200, rare 50
                            B: High 300, Bypass 800,   rare 50
                            C: High 40,  Bypass 280,   rare = what is left
                          ("rare" = the four Fpv/Bpv classes, drawn together)
         The trainer's tree misses mostly High rows; an owner's High rows are
         the useful few among its abnormal ones.

fashion  data/fashion_mnist_hog.csv.gz (60,000 train + 10,000 test, 144 HOG
         features, 10 classes).  Hard classes Pullover 2, Coat 4, Shirt 6;
         T-shirt 0 is the fourth class the trainer is short of.
         Per seed s (default_rng(1000 + s)), the training split shuffled per
         class:
           mt_<s>.ids     D_MT: 1,500 rows of each of classes 1,3,5,7,8,9 and
                          50 of each of 0,2,4,6 (the paper trains its image
                          MTs with ~10% of the data of the classes to improve;
                          with a linear model on HOG features 10% still leaves
                          the hard classes ~60% right, 50 rows ~40%).
                          Test = the 10,000 test rows (seed-independent);
                          D_hard = the trainer's softmax misses among test
                          rows of labels 2, 4, 6.
           useful_<s>.ids the fidelity owner, heterogeneous as the paper's
                          Dogs & Wolves owner (only a subset is useful): 1,000
                          rows of labels 2,4,6 -- 200 that the trainer's model
                          (below) gets wrong, 800 it gets right -- and 4,000
                          rows of labels 1,3,5,7,8,9, from training rows not
                          in D_MT
           do1..do5       Scenario 3's five owners of graded usefulness
                          (paper, Appendix F), from training rows not in D_MT
                          (disjoint, except DO-2 and DO-4, built from DO-1):
             do1_<s>.ids  DO-1, "the most data from D_hard's distribution":
                          3,000 rows of labels 2,4,6 that the trainer's model
                          gets wrong (scikit-learn LogisticRegression(C=1) on
                          D_MT, standing in for acq's softmax) + 1,000 rows of
                          labels 1,3,5,7,8,9
             do2_<s>.tsv  DO-2, "a noisy version of DO-1": DO-1's rows with
                          N(0, 0.15^2) added to every feature, clipped at 0,
                          4 decimals; ids 1,000,000 + DO-1's id
             do3_<s>.ids  DO-3, "a random sample containing some useful rows":
                          1,000 rows drawn uniformly from the training rows
                          left after D_MT and DO-1 (all labels)
             do4_<s>.ids  DO-4, "a small subset of DO-1's useful rows": 40 of
                          DO-1's rows of labels 2,4,6, plus 100 rows of labels
                          1,3,5,7,8,9 (not DO-1's) so that the owner holds
                          more than k = 100 rows (acq refuses k > rows)
             do5_<s>.ids  DO-5, "only the MT's own distribution": 4,000 rows of
                          labels 1,3,5,7,8,9
         --check N: for the first N seeds, full-information utilities in
         scikit-learn (retrain on D_MT + the whole owner, accuracy on the
         trainer's held-back misses, D_hard split as by a seeded half) --
         written to check.csv, so the ground-truth order is known to be
         graded without acq.

perf WHAT  random data for the performance part, as binary COPY (columns id
         bigint, features float8[], label float8 [, gradients float8[]]),
         generated from fixed seeds; peer.py calls the same generators:
           feature_owner  1,000,000 rows x 64, N(0,1)           (seed 11)
           feature_hard   1,000 rows x 64, N(0,1)               (seed 12)
           omp_owner      100,000 rows: features {0}, gradients 1,000 x N(0,1) (seed 21)
           omp_hard       1,000 rows, the same                  (seed 22)
           fact_owner     100,000 rows x 99, 10 classes (Gaussian class means) (seed 31)
           fact_hard      1,000 rows, the same distribution     (seed 32)

Everything is seeded; re-running writes the same bytes.
"""
import argparse
import gzip
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', '..', 'data')

SH_ABNORMAL = ['High', 'Bypass', 'Fpv.Open', 'Fpv.Close', 'Bpv.Open', 'Bpv.Close']
SH_RARE = SH_ABNORMAL[2:]
SH_OWNERS = {'A': (100, 1200, 50), 'B': (300, 800, 50), 'C': (40, 280, None)}
FA_HARD = [2, 4, 6]
FA_SHORT = [0, 2, 4, 6]
FA_NOISE = 0.15


def arr_literal(row, fmt=None):
    if fmt is None:
        return '{' + ','.join(row) + '}'
    return '{' + ','.join(fmt % v for v in row) + '}'


def write_ids(path, ids):
    with open(path, 'w') as f:
        for i in sorted(int(x) for x in ids):
            f.write('%d\n' % i)


# ---- Shuttle -------------------------------------------------------------------
def load_shuttle():
    import pandas as pd
    d = pd.read_csv(os.path.join(DATA, 'statlog_shuttle.csv.gz'))
    X = d[['V%d' % i for i in range(1, 10)]].to_numpy(np.int64)
    cls = d['Class'].to_numpy()
    return X, cls


def shuttle(out, seeds):
    X, cls = load_shuttle()
    n = len(cls)
    y = (cls != 'Rad.Flow').astype(int)
    with open(os.path.join(out, 'rows.tsv'), 'w') as f:
        for i in range(n):
            f.write('%d\t{%s}\t%d\t%s\n' % (i, ','.join(str(v) for v in X[i]), y[i], cls[i]))
    for s in seeds:
        rng = np.random.default_rng(s)
        idx = {c: rng.permutation(np.where(cls == c)[0]) for c in ['Rad.Flow'] + SH_ABNORMAL}
        nm = idx['Rad.Flow']
        mt, test = list(nm[:10000]), list(nm[10000:15000])
        normal_pool = nm[15000:]
        pool = {}
        for c in SH_ABNORMAL:
            ii = idx[c]
            mt += list(ii[:2])
            rest = ii[2:]
            nt = len(rest) * 3 // 10
            test += list(rest[:nt])
            pool[c] = list(rest[nt:])
        rare = list(rng.permutation(np.concatenate([pool[c] for c in SH_RARE])))
        high, byp = pool['High'], pool['Bypass']
        for j, (name, (nh, nb, nr)) in enumerate(sorted(SH_OWNERS.items())):
            rows = list(normal_pool[j * 8000:(j + 1) * 8000])
            rows += high[:nh]; high = high[nh:]
            rows += byp[:nb]; byp = byp[nb:]
            nr = len(rare) if nr is None else nr
            rows += rare[:nr]; rare = rare[nr:]
            write_ids(os.path.join(out, 'own%s_%d.ids' % (name, s)), rows)
        write_ids(os.path.join(out, 'mt_%d.ids' % s), mt)
        write_ids(os.path.join(out, 'test_%d.ids' % s), test)


# ---- Fashion-MNIST HOG ------------------------------------------------------------
def load_fashion():
    import pandas as pd
    d = pd.read_csv(os.path.join(DATA, 'fashion_mnist_hog.csv.gz'), dtype={'split': str})
    hog = ['hog_%03d' % i for i in range(144)]
    text = d[hog].astype(str).to_numpy()         # the file's own decimal strings
    X = d[hog].to_numpy(float)
    return d['id'].to_numpy(), d['split'].to_numpy(), d['label'].to_numpy(), X, text


def softmax_fit(X, y):
    import warnings
    from sklearn.linear_model import LogisticRegression
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return LogisticRegression(C=1.0, max_iter=500).fit(X, y)


def fashion(out, seeds, check):
    ids, split, y, X, text = load_fashion()
    assert (ids == np.arange(len(ids))).all()
    with open(os.path.join(out, 'rows.tsv'), 'w') as f:
        for i in range(len(ids)):
            f.write('%d\t%s\t%d\t%s\n' % (i, arr_literal(text[i]), y[i], split[i]))
    train = np.where(split == 'train')[0]
    test = np.where(split == 'test')[0]
    write_ids(os.path.join(out, 'test.ids'), test)
    checks = []
    for si, s in enumerate(seeds):
        rng = np.random.default_rng(1000 + s)
        mt, rest = [], []
        for c in range(10):
            ii = rng.permutation(train[y[train] == c])
            m = 50 if c in FA_SHORT else 1500
            mt += list(ii[:m]); rest += list(ii[m:])
        mt = np.array(mt)
        rest = rng.permutation(np.array(rest))
        write_ids(os.path.join(out, 'mt_%d.ids' % s), mt)
        hard_rows = rest[np.isin(y[rest], FA_HARD)]
        other_rows = rest[~np.isin(y[rest], FA_SHORT)]
        model = softmax_fit(X[mt], y[mt])
        wrong = model.predict(X[hard_rows]) != y[hard_rows]
        # the fidelity owner: rows of labels 2,4,6, of which only 200 are rows the trainer's
        # model gets wrong (D_hard's distribution), 800 it already gets right; 4,000 others
        useful = np.concatenate([hard_rows[wrong][:200], hard_rows[~wrong][:800], other_rows[:4000]])
        write_ids(os.path.join(out, 'useful_%d.ids' % s), useful)
        # Scenario 3, from rows the fidelity owner does not hold
        missed = hard_rows[wrong][200:]
        other_rows = other_rows[4000:]
        do1 = np.concatenate([missed[:3000], other_rows[:1000]])
        do4 = np.concatenate([missed[:40], other_rows[1000:1100]])
        do5 = other_rows[1100:5100]
        left = np.setdiff1d(rest, np.concatenate([useful, do1, do4, do5]))
        do3 = rng.choice(left, 1000, replace=False)
        noisy = np.clip(X[do1] + rng.normal(0.0, FA_NOISE, (len(do1), X.shape[1])), 0.0, None)
        with open(os.path.join(out, 'do2_%d.tsv' % s), 'w') as f:
            for j in np.argsort(do1):
                f.write('%d\t%s\t%d\n' % (1000000 + do1[j], arr_literal(noisy[j], '%.4f'), y[do1[j]]))
        for name, rows in (('do1', do1), ('do3', do3), ('do4', do4), ('do5', do5)):
            write_ids(os.path.join(out, '%s_%d.ids' % (name, s)), rows)
        if si < check:
            tt = test[np.isin(y[test], FA_HARD)]
            miss = rng.permutation(tt[model.predict(X[tt]) != y[tt]])
            held = miss[len(miss) // 2:]
            owners = [(X[do1], y[do1]), (noisy, y[do1]), (X[do3], y[do3]), (X[do4], y[do4]), (X[do5], y[do5])]
            for k, (Xo, yo) in enumerate(owners):
                mm = softmax_fit(np.vstack([X[mt], Xo]), np.concatenate([y[mt], yo]))
                checks.append((s, k + 1, len(yo), float((mm.predict(X[held]) == y[held]).mean())))
                print('check seed %d DO-%d (%d rows): full-information accuracy on held-back misses %.3f'
                      % checks[-1], file=sys.stderr)
    if check:
        with open(os.path.join(out, 'check.csv'), 'w') as f:
            f.write('seed,owner,rows,full_accuracy_hard\n')
            for c in checks:
                f.write('%d,%d,%d,%.6f\n' % c)


# ---- performance data -----------------------------------------------------------
PERF = {
    'feature_owner': (11, 1000000),
    'feature_hard': (12, 1000),
    'omp_owner': (21, 100000),
    'omp_hard': (22, 1000),
    'fact_owner': (31, 100000),
    'fact_hard': (32, 1000),
}
FEATURE_DIM, GRAD_DIM, FACT_DIM, FACT_CLASSES = 64, 1000, 99, 10
CHUNK = 10000


def perf_chunks(what):
    """Yield (ids, features, labels, gradients-or-None) chunks of the data set WHAT."""
    seed, n = PERF[what]
    rng = np.random.default_rng(seed)
    if what.startswith('fact'):
        means = np.random.default_rng(30).normal(0.0, 1.0, (FACT_CLASSES, FACT_DIM))
    for a in range(0, n, CHUNK):
        m = min(CHUNK, n - a)
        ids = np.arange(a + 1, a + m + 1, dtype=np.int64)
        if what.startswith('feature'):
            yield ids, rng.standard_normal((m, FEATURE_DIM)), np.zeros(m), None
        elif what.startswith('omp'):
            yield ids, np.zeros((m, 1)), np.zeros(m), rng.standard_normal((m, GRAD_DIM))
        else:
            lab = rng.integers(0, FACT_CLASSES, m)
            yield ids, means[lab] + 2.0 * rng.standard_normal((m, FACT_DIM)), lab.astype(float), None


def perf_array(what):
    parts = list(perf_chunks(what))
    ids = np.concatenate([p[0] for p in parts])
    X = np.vstack([p[1] for p in parts])
    y = np.concatenate([p[2] for p in parts])
    G = np.vstack([p[3] for p in parts]) if parts[0][3] is not None else None
    return ids, X, y, G


def _array_dtype(n):
    return [('len', '>i4'), ('ndim', '>i4'), ('flags', '>i4'), ('oid', '>u4'), ('dim', '>i4'),
            ('lb', '>i4'), ('el', [('elen', '>i4'), ('v', '>f8')], (n,))]


def perf_copy(what, f):
    """Binary COPY of WHAT: (id, features, label[, gradients])."""
    f.write(b'PGCOPY\n\xff\r\n\x00' + struct.pack('>ii', 0, 0))
    for ids, X, y, G in perf_chunks(what):
        m, d = X.shape
        fields = [('nf', '>i2'), ('idlen', '>i4'), ('id', '>i8'), ('features', _array_dtype(d)),
                  ('lablen', '>i4'), ('label', '>f8')]
        if G is not None:
            fields.append(('gradients', _array_dtype(G.shape[1])))
        r = np.zeros(m, dtype=fields)
        r['nf'] = 4 if G is not None else 3
        r['idlen'] = 8
        r['id'] = ids
        r['lablen'] = 8
        r['label'] = y
        for col, A in (('features', X), ('gradients', G)):
            if A is None:
                continue
            r[col]['len'] = 20 + 12 * A.shape[1]
            r[col]['ndim'] = 1
            r[col]['oid'] = 701
            r[col]['dim'] = A.shape[1]
            r[col]['lb'] = 1
            r[col]['el']['elen'] = 8
            r[col]['el']['v'] = A
        f.write(r.tobytes())
    f.write(struct.pack('>h', -1))
    f.flush()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('what', choices=['shuttle', 'fashion', 'perf'])
    p.add_argument('name', nargs='?')
    p.add_argument('--out')
    p.add_argument('--seeds', default='0')
    p.add_argument('--check', type=int, default=0)
    a = p.parse_args()
    if a.what == 'perf':
        perf_copy(a.name, sys.stdout.buffer)
        return
    os.makedirs(a.out, exist_ok=True)
    seeds = [int(s) for s in a.seeds.split(',')]
    if a.what == 'shuttle':
        shuttle(a.out, seeds)
    else:
        fashion(a.out, seeds, a.check)


if __name__ == '__main__':
    main()
