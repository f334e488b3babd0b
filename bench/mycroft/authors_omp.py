#!/usr/bin/python3
"""acq.mycroft_select(method => 'omp') against the authors' own OMP solvers.

Called by bench/mycroft/authors_omp.sh (which loads the tables and sets
PGHOST/PGPORT); MYCROFT_DIR names a checkout of
https://github.com/zainsarwar865/Mycroft-Data-Sharing.

Mycroft's gradient matching runs GradMatch (the checkout's
src/GradMatch/cords), whose selection strategy calls the solvers of
cords/selectionstrategies/helpers/omp_solvers.py: OrthogonalMP_REG (numpy)
when its device is the CPU, OrthogonalMP_REG_Parallel_V1 (torch) otherwise.
The rest of that path (Unicom features, a pretrained network's gradients)
needs a GPU and downloads; the solvers run on the CPU as they are.  The file
is imported from the checkout (importlib, by path) and called unmodified.

The data: bench/mycroft/prepare.py's performance arrays (the rows of
run.sh's omp row: 100,000 candidates with a 1,000-dimension `gradients`
column, 1,000 hard rows), the same doubles acq reads from bench.o_owner and
bench.o_hard.  A = G^T (one column per candidate), b the hard rows' mean
gradient (acq's target; GradMatch passes the sum, which changes no selection
at lambda = 0), k = K (100).

  acq        SELECT id, weight FROM acq.mycroft_select('bench.o_owner', 'bench.o_hard', 'id',
             'features', 'label', K, method => 'omp', gradients => 'gradients', lambda => L)
             in one session: a first call, then REPEAT calls; client wall time and the
             backend's CPU time (/proc/<pid>/stat), medians.  Reading the 800 MB table is
             included; the authors' arrays are in memory before their clock starts.  Also
             k = 8 (reading, quantising and 8 steps), which separates the read.
  authors    OrthogonalMP_REG(A, b, nnz=K, positive=False, lam=L): the same problem at
             lambda = 0 (acq selects what scikit-learn's OMP selects; the normal equations
             they solve give the same rows); at lambda = 0.5 acq also regularises the first
             step, theirs does not (docs/mycroft.md), so the rows may differ after it.
             OrthogonalMP_REG(A, sum of hard gradients, nnz=K, positive=True, lam=0): their
             CPU setting as GradMatch calls it; acq has no sign constraint, so this is their
             time on their own problem, not the same rows.
             OrthogonalMP_REG_Parallel_V1 (torch, float32, device 'cpu', one thread), lambda 0
             and 0.5, unconstrained: their GPU path's solver, on the CPU.  Skipped, and said
             so, without python3-torch.
             AUTHORS_REPEAT runs each, median; wall time and time.process_time().

Printed: times, ratios (authors / acq), and how many of acq's K rows each
authors' call selects too.
"""
import importlib.util
import json
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import prepare  # noqa: E402

K = int(os.environ.get('K', 100))
REPEAT = int(os.environ.get('REPEAT', 3))
AUTHORS_REPEAT = int(os.environ.get('AUTHORS_REPEAT', 3))
LAMBDAS = [float(v) for v in os.environ.get('LAMBDAS', '0,0.5').split(',')]


def proc_cpu(pid):
    f = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')


def acq_run(lam, k=K):
    import psycopg
    sql = ("SELECT id, weight FROM acq.mycroft_select('bench.o_owner', 'bench.o_hard', 'id', 'features', "
           "'label', %d, method => 'omp', gradients => 'gradients', lambda => %r)" % (k, lam))
    walls, cpus, rows = [], [], None
    with psycopg.connect(autocommit=True) as c:
        pid = c.execute('SELECT pg_backend_pid()').fetchone()[0]
        for i in range(REPEAT + 1):
            c0, t0 = proc_cpu(pid), time.perf_counter()
            rows = c.execute(sql).fetchall()
            if i > 0:
                walls.append(time.perf_counter() - t0)
                cpus.append(proc_cpu(pid) - c0)
    return statistics.median(walls), statistics.median(cpus), {int(r[0]) for r in rows}


def load_solvers(d):
    path = os.path.join(d, 'src/GradMatch/cords/cords/selectionstrategies/helpers/omp_solvers.py')
    try:
        import torch  # noqa: F401  (their module imports it at the top)
        have_torch = True
    except ImportError:
        import types
        sys.modules['torch'] = types.ModuleType('torch')   # unused by the numpy solver
        have_torch = False
    spec = importlib.util.spec_from_file_location('omp_solvers', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod, have_torch


THEIRS_ERR = None   # numpy's error settings as their module leaves them (np.seterr(all='raise'))


def authors_run(fn, *args, **kw):
    """their solver under their numpy error settings, AUTHORS_REPEAT times: median wall, CPU"""
    walls, cpus, x = [], [], None
    with np.errstate(**THEIRS_ERR):
        for _ in range(AUTHORS_REPEAT):
            c0, t0 = time.process_time(), time.perf_counter()
            x = fn(*args, **kw)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), walls, x


def main():
    d = os.environ.get('MYCROFT_DIR')
    if not d or not os.path.isfile(os.path.join(d, 'src/GradMatch/cords/cords/selectionstrategies/helpers/omp_solvers.py')):
        sys.exit('MYCROFT_DIR must name a checkout of https://github.com/zainsarwar865/Mycroft-Data-Sharing')
    global THEIRS_ERR
    saved = np.geterr()
    mod, have_torch = load_solvers(d)          # their module sets np.seterr(all='raise')
    THEIRS_ERR = np.geterr()
    oid, _, _, G = prepare.perf_array('omp_owner')
    _, _, _, H = prepare.perf_array('omp_hard')
    np.seterr(**saved)
    A = G.T
    b_mean = H.mean(axis=0)
    b_sum = H.sum(axis=0)
    print('candidates %d, dims %d, hard rows %d, k %d; acq REPEAT %d, authors AUTHORS_REPEAT %d; torch %s'
          % (G.shape[0], G.shape[1], H.shape[0], K, REPEAT, AUTHORS_REPEAT,
             __import__('torch').__version__ if have_torch else 'not installed (the torch solver skipped)'))
    out = []

    def ids_of(x):
        x = np.asarray(x)
        return {int(oid[i]) for i in np.flatnonzero(x)}

    def report(name, lam, acq_t, t, x):
        a_wall, a_cpu, a_ids = acq_t
        wall, cpu, walls, sel = t[0], t[1], t[2], ids_of(x)
        row = {'solver': name, 'lambda': lam, 'acq_s': a_wall, 'acq_cpu_s': a_cpu, 'authors_s': wall,
               'authors_runs': walls, 'authors_cpu_s': cpu, 'ratio': wall / a_wall,
               'cpu_ratio': cpu / max(a_cpu, 1e-9), 'authors_rows': len(sel),
               'same_rows': len(sel & a_ids), 'acq_rows': len(a_ids)}
        out.append(row)
        print('%-46s lambda %-4g acq %6.2f s (CPU %6.2f) | authors %6.2f s (CPU %6.2f) | authors/acq %5.2fx wall, %5.2fx CPU'
              ' | rows in both: %d of acq\'s %d (theirs %d)'
              % (name, lam, a_wall, a_cpu, wall, cpu, row['ratio'], row['cpu_ratio'], row['same_rows'],
                 len(a_ids), len(sel)), flush=True)

    acq_times = {lam: acq_run(lam) for lam in LAMBDAS}
    # k = 8, the smallest k of the streamed path (run.sh): reading and quantising the table and 8 steps
    r8 = acq_run(LAMBDAS[0], 8)
    print('acq at k = 8 (reading the 100,000 rows, quantising them, 8 steps): %.2f s (CPU %.2f)' % (r8[0], r8[1]),
          flush=True)
    out.append({'acq_k8_s': r8[0], 'acq_k8_cpu_s': r8[1]})
    for lam in LAMBDAS:
        t = authors_run(mod.OrthogonalMP_REG, A, b_mean, nnz=K, positive=False, lam=lam)
        report('OrthogonalMP_REG (numpy), unconstrained', lam, acq_times[lam], t, t[3])
    if 0.0 in acq_times:
        t = authors_run(mod.OrthogonalMP_REG, A, b_sum, nnz=K, positive=True, lam=0)
        report('OrthogonalMP_REG (numpy), positive: GradMatch', 0.0, acq_times[0.0], t, t[3])
    if have_torch:
        import torch
        torch.set_num_threads(1)
        At = torch.from_numpy(A.astype(np.float32))
        bt = torch.from_numpy(b_mean.astype(np.float32))
        for lam in LAMBDAS:
            t = authors_run(mod.OrthogonalMP_REG_Parallel_V1, At, bt, nnz=K, positive=False, lam=lam, device='cpu')
            report('OrthogonalMP_REG_Parallel_V1 (torch, float32)', lam, acq_times[lam], t, t[3].numpy())
    print(json.dumps(out))


if __name__ == '__main__':
    main()
