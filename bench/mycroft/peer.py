#!/usr/bin/python3
"""The Python peers of bench/mycroft/run.sh's performance part.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/mycroft/peer.py feature [--k 100] [--block 10000] [--ids FILE]
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/mycroft/peer.py omp [--k 100] [--ids FILE]

Both build the arrays with prepare.py's generators (the same numbers acq
reads from its tables), then time only the computation on arrays already in
memory, and print one JSON object (seconds, and what was found).

feature  numpy + OpenBLAS: the 1,000,000 x 64 owner rows against the 1,000
         hard rows, in blocks of --block owner rows: squared distances
         ||x||^2 + ||q||^2 - 2 x.q (one DGEMM per block), the minimum per
         owner row, then the k smallest over all rows (argpartition, then a
         sort of those k).  Mycroft's FeatureSimilarity (Algorithm 2) with
         Euclidean distance; the BLAS limit of the computation.
omp      scikit-learn's orthogonal_mp (the function behind
         OrthogonalMatchingPursuit) with n_nonzero_coefs = k on the
         dictionary X = G.T (1,000 x 100,000: one column per candidate row's
         gradient) and the target b = the mean gradient of the 1,000 hard
         rows; precompute=False (scikit-learn's choice for one target with
         more columns than rows).  The selected rows are the non-zero
         coefficients (scikit-learn does not return the order in which OMP
         picked them); --ids writes them by id with their weights.
"""
import argparse
import json
import os
import sys
import time

for v in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(v, '1')

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prepare  # noqa: E402


def feature(k, block, ids_out):
    oid, X, _, _ = prepare.perf_array('feature_owner')
    _, Q, _, _ = prepare.perf_array('feature_hard')
    X = np.ascontiguousarray(X)
    Q = np.ascontiguousarray(Q)
    t0 = time.perf_counter()
    qn = np.einsum('ij,ij->i', Q, Q)
    best = np.empty(len(X))
    for a in range(0, len(X), block):
        B = X[a:a + block]
        G = B @ Q.T                                   # DGEMM, block x 1000
        G *= -2.0
        G += qn
        best[a:a + block] = G.min(axis=1) + np.einsum('ij,ij->i', B, B)
    np.maximum(best, 0.0, out=best)
    top = np.argpartition(best, k - 1)[:k]
    top = top[np.lexsort((oid[top], best[top]))]
    dist = np.sqrt(best[top])
    secs = time.perf_counter() - t0
    if ids_out:
        with open(ids_out, 'w') as f:
            for i, d in zip(oid[top], dist):
                f.write('%d\t%.17g\n' % (i, d))
    return {'method': 'feature', 'seconds': secs, 'owner_rows': len(X), 'hard_rows': len(Q),
            'dims': X.shape[1], 'k': k, 'block': block, 'kth_distance': float(dist[-1])}


def omp(k, ids_out):
    from sklearn.linear_model import orthogonal_mp
    oid, _, _, G = prepare.perf_array('omp_owner')
    _, _, _, H = prepare.perf_array('omp_hard')
    b = H.mean(axis=0)
    X = G.T                                               # dictionary: one atom per column
    t0 = time.perf_counter()
    coef = orthogonal_mp(X, b, n_nonzero_coefs=k, precompute=False)
    secs = time.perf_counter() - t0
    sel = np.flatnonzero(coef)
    if ids_out:
        with open(ids_out, 'w') as f:
            for i in sel:
                f.write('%d\t%.17g\n' % (oid[i], coef[i]))
    resid = float(np.linalg.norm(X[:, sel] @ coef[sel] - b))
    return {'method': 'omp', 'seconds': secs, 'candidates': G.shape[0], 'dims': G.shape[1], 'k': k,
            'selected': int(len(sel)), 'residual_norm': resid, 'target_norm': float(np.linalg.norm(b))}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('what', choices=['feature', 'omp'])
    p.add_argument('--k', type=int, default=100)
    p.add_argument('--block', type=int, default=10000)
    p.add_argument('--ids')
    a = p.parse_args()
    r = feature(a.k, a.block, a.ids) if a.what == 'feature' else omp(a.k, a.ids)
    import numpy
    import sklearn
    r['numpy'] = numpy.__version__
    r['sklearn'] = sklearn.__version__
    print(json.dumps(r))


if __name__ == '__main__':
    main()
