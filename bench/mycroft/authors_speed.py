#!/usr/bin/python3
"""acq.mycroft_select(method => 'binning') against the authors' own tabular code.

Called by bench/mycroft/authors_speed.sh (which builds the tables and sets
PGHOST/PGPORT); MYCROFT_DIR names a checkout of
https://github.com/zainsarwar865/Mycroft-Data-Sharing.

For each owner table given (the hard table is bench.hard):

  acq      acq.mycroft_select(owner, 'bench.hard', 'id', 'features', 'label', K,
           method => 'binning', seed => SEED), called REPEAT + 1 times in one
           session (the first dropped); wall time on the client around the
           call, CPU time of the backend from /proc/<pid>/schedstat (both
           medians).
  authors  their calculate_binning_distance.find_binning_distance (binning_mode
           'dharddo', as enola_e2e.sh sets it) on the owner's and D_hard's
           CSV files, then evaluate_share_performance.get_enola_data on the
           distance file it writes -- sharing modes 'enola-sample_K' (the K
           smallest distances, ties in a shuffled order) and 'enola' (every
           row at the smallest distance).  Their modules are imported from
           the checkout and called unmodified, in this process (Python's and
           pandas' start-up not counted); AUTHORS_REPEAT runs, median; wall
           time and time.process_time().  Modules the checkout imports that
           Debian does not package are empty stand-ins in sys.modules (none
           on Debian 12 with python3-xgboost; only if it is missing).

Roles.  find_binning_distance(fn_base, fn_dhard, ...) gives every row of
fn_base its distance; the shared Dhard file is its second argument.  Their
calculate_binning_distance.py main() passes the MT's Dhard file first and the
DO file second (enola_e2e.sh: MT_path = Dhard), which would score D_hard's
rows, not the owner's; the selection (get_enola_data on "DO_binning_dist.csv")
needs the owner's rows scored, so the harness passes the owner's file as
fn_base and D_hard's as fn_dhard.

Agreement.  acq is also called with k = every owner row, giving every row's
binned distance; the authors' distances come from their DO_binning_dist.csv.
Printed: both top-K sets and their overlap; the sets at the smallest
distance; Spearman's rho between the two distances over all rows; and, to
separate the two differences (docs/mycroft.md), the paper's pairwise distance
(min over hard rows of the sum over features of |bin difference|) computed
on the authors' own bin coordinates (their DO_/Dhard_binning_coordinates.csv):
how much of the disagreement is the distance's definition and how much the
bin edges.
"""
import os
import statistics
import subprocess
import sys
import time
import types

import numpy as np

K = int(os.environ.get('K', 20))
SEED = int(os.environ.get('SEED', 0))
REPEAT = int(os.environ.get('REPEAT', 5))
AUTHORS_REPEAT = int(os.environ.get('AUTHORS_REPEAT', 3))


class Psql:
    """One psql session, statement by statement."""

    def __init__(self):
        self.p = subprocess.Popen(['psql', '-X', '-q', '-At', '-F', ',', '-v', 'ON_ERROR_STOP=1'],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def query(self, sql):
        self.p.stdin.write(sql.rstrip().rstrip(';') + ';\n\\echo __end__\n')
        self.p.stdin.flush()
        out = []
        for line in self.p.stdout:
            line = line.rstrip('\n')
            if line == '__end__':
                return out
            out.append(line)
        sys.exit('psql ended: ' + sql)


def backend_cpu_ns(pid):
    with open('/proc/%d/schedstat' % pid) as f:
        return int(f.read().split()[0])


def load_authors():
    d = os.environ.get('MYCROFT_DIR')
    scripts = os.path.join(d or '', 'src', 'Mycroft-IoT', 'scripts')
    if not d or not os.path.isfile(os.path.join(scripts, 'enola', 'calculate_binning_distance.py')):
        sys.exit('MYCROFT_DIR must name a checkout of https://github.com/zainsarwar865/Mycroft-Data-Sharing')
    stubbed = []
    for mod in ('xgboost',):       # Supplement/data.py imports XGBClassifier at the top
        try:
            __import__(mod)
        except ImportError:
            m = types.ModuleType(mod)
            m.XGBClassifier = None
            sys.modules[mod] = m
            stubbed.append(mod)
    sys.path.insert(0, os.path.join(scripts, 'enola'))
    sys.path.insert(0, os.path.join(scripts, 'share_data'))
    sys.path.insert(0, scripts)
    import calculate_binning_distance as cbd
    import evaluate_share_performance as esp
    return cbd, esp, stubbed


def write_csv(path, rows, columns):
    with open(path, 'w') as f:
        f.write(','.join(columns + ['id', 'label']) + '\n')
        for rid, feats, label in rows:
            f.write(','.join(repr(float(v)) for v in feats) + ',%d,%s\n' % (rid, label))


def read_rows(db, table):
    out = []
    for line in db.query("SELECT id, array_to_string(features, ' '), label FROM %s ORDER BY id" % table):
        rid, feats, label = line.split(',')
        out.append((int(rid), [float(x) for x in feats.split()], label))
    return out


def spearman(a, b):
    ra = np.argsort(np.argsort(a, kind='stable'), kind='stable').astype(float)
    rb = np.argsort(np.argsort(b, kind='stable'), kind='stable').astype(float)
    # average ranks for ties
    for r, v in ((ra, a), (rb, b)):
        vals, inv = np.unique(v, return_inverse=True)
        for j in range(len(vals)):
            m = inv == j
            r[m] = r[m].mean()
    return float(np.corrcoef(ra, rb)[0, 1])


def pairwise_min_l1(base, hard):
    """min over hard rows of sum_f |base_f - hard_f| (the paper's binned distance)"""
    best = np.full(len(base), np.inf)
    for s in range(0, len(hard), 256):
        h = hard[s:s + 256]
        d = np.abs(base[:, None, :] - h[None, :, :]).sum(axis=2).min(axis=1)
        best = np.minimum(best, d)
    return best


def fmt_set(ids, n=12):
    ids = sorted(ids)
    return '{%s%s}' % (','.join(map(str, ids[:n])), ',...' if len(ids) > n else '')


def main():
    work = sys.argv[sys.argv.index('--work') + 1]
    owners = [a for a in sys.argv[1:] if a.startswith('bench.')]
    cbd, esp, stubbed = load_authors()
    columns = list(cbd.columns)
    db = Psql()
    pid = int(db.query('SELECT pg_backend_pid()')[0])
    hard = read_rows(db, 'bench.hard')
    hard_csv = os.path.join(work, 'Dhard.csv')
    write_csv(hard_csv, hard, columns)
    print('stand-ins for modules Debian lacks: %s' % (', '.join(stubbed) or 'none'))
    print('D_hard (shared half): %d rows of %d features; K = %d; seed %d; acq: median of %d calls after a '
          'first, authors: median of %d runs' % (len(hard), len(columns), K, SEED, REPEAT, AUTHORS_REPEAT))
    print()
    for owner in owners:
        rows = read_rows(db, owner)
        n = len(rows)
        owner_csv = os.path.join(work, owner.split('.')[-1] + '.csv')
        write_csv(owner_csv, rows, columns)
        call = ("SELECT rank, id, score FROM acq.mycroft_select('%s', 'bench.hard', 'id', 'features', 'label', %%d, "
                "method => 'binning', seed => %d)" % (owner, SEED))
        walls, cpus = [], []
        for i in range(REPEAT + 1):
            c0 = backend_cpu_ns(pid)
            t0 = time.perf_counter()
            db.query('SELECT count(*) FROM (%s) s' % (call % K))
            t1 = time.perf_counter()
            c1 = backend_cpu_ns(pid)
            if i:
                walls.append(t1 - t0)
                cpus.append((c1 - c0) / 1e9)
        acq_wall, acq_cpu = statistics.median(walls), statistics.median(cpus)
        acq_top = [int(line.split(',')[1]) for line in db.query(call % K)]
        acq_all = {int(r.split(',')[1]): float(r.split(',')[2]) for r in db.query(call % n)}

        folder = os.path.join(work, 'authors_' + owner.split('.')[-1]) + '/'
        os.makedirs(folder, exist_ok=True)
        import contextlib
        import io
        import pandas as pd
        walls, cpus = [], []
        for i in range(AUTHORS_REPEAT):
            np.random.seed(SEED)      # get_enola_data's df.sample(frac=1) draws from numpy's global RNG
            with contextlib.redirect_stdout(io.StringIO()):
                t0, c0 = time.perf_counter(), time.process_time()
                cbd.find_binning_distance(owner_csv, hard_csv, 'dharddo', columns, folder)
                dist_df = pd.read_csv(folder + 'DO_binning_dist.csv')
                top = esp.get_enola_data(dist_df.copy(), 'enola-sample_%d' % K)
                at_min = esp.get_enola_data(dist_df.copy(), 'enola')
                t1, c1 = time.perf_counter(), time.process_time()
            walls.append(t1 - t0)
            cpus.append(c1 - c0)
        au_wall, au_cpu = statistics.median(walls), statistics.median(cpus)
        au_top = [int(x) for x in top['id']]
        au_min = set(int(x) for x in at_min['id'])
        au_all = dict(zip(dist_df['id'].astype(int), dist_df['Binning dist'].astype(float)))

        print('== owner %s: %d rows x %d features, against %d hard rows' % (owner, n, len(columns), len(hard)))
        print('time     acq %8.4f s wall %8.4f s CPU | authors %8.3f s wall %8.3f s CPU | authors/acq: wall %7.1fx, CPU %7.1fx'
              % (acq_wall, acq_cpu, au_wall, au_cpu, au_wall / acq_wall, au_cpu / acq_cpu))
        ids = sorted(acq_all)
        a = np.array([acq_all[i] for i in ids])
        b = np.array([au_all[i] for i in ids])
        acq_min = set(i for i in ids if acq_all[i] == a.min())
        print('top %d    acq %s | authors %s | in both: %d of %d'
              % (K, fmt_set(acq_top), fmt_set(au_top), len(set(acq_top) & set(au_top)), K))
        print('smallest distance: acq %g on %d rows, authors %g on %d rows (their "enola" share); in both: %d'
              % (a.min(), len(acq_min), b.min(), len(au_min), len(acq_min & au_min)))
        print('acq\'s top %d at the authors\' smallest distance: %d; the authors\' top %d at acq\'s smallest: %d'
              % (K, sum(au_all[i] == b.min() for i in acq_top), K, sum(acq_all[i] == a.min() for i in au_top)))
        print('Spearman rho, acq distance vs authors\' distance over all %d rows: %.3f' % (n, spearman(a, b)))
        # the paper's distance on the authors' own bins: separates definition from edges
        cb = pd.read_csv(folder + 'DO_binning_coordinates.csv')[columns].to_numpy(float)
        ch = pd.read_csv(folder + 'Dhard_binning_coordinates.csv')[columns].to_numpy(float)
        pw = pairwise_min_l1(cb, ch)
        order = list(dist_df['id'].astype(int))
        pw_by_id = dict(zip(order, pw))
        c = np.array([pw_by_id[i] for i in ids])
        c_min = set(i for i in ids if pw_by_id[i] == c.min())
        print('the paper\'s pairwise distance on the authors\' bins: rho with authors\' %.3f, with acq\'s %.3f; '
              'its smallest-distance set (%d rows) meets acq\'s in %d, the authors\' in %d'
              % (spearman(c, b), spearman(c, a), len(c_min), len(c_min & acq_min), len(c_min & au_min)))
        print()


if __name__ == '__main__':
    main()
