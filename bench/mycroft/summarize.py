#!/usr/bin/python3
"""Summaries and gnuplot data of bench/mycroft/run.sh.

  /usr/bin/python3 bench/mycroft/summarize.py RESULTS_DIR

Reads fidelity_raw.csv and ranking_raw.csv; writes shuttle.dat, fashion.dat
(k; no sharing; full information; then mean and sd over seeds [x owners] of
feature, the second method -- binning on Shuttle, omp on Fashion -- and
random), fidelity.md, ranking.csv (Spearman per seed), and prints a summary.
"""
import csv
import os
import sys
from collections import defaultdict

import numpy as np
from scipy.stats import spearmanr

res = sys.argv[1]
KS = [5, 10, 20, 50, 100]
SECOND = {'shuttle': 'binning', 'fashion': 'omp'}
METRIC = {'shuttle': 'f1_hard', 'fashion': 'accuracy_hard'}

v = defaultdict(list)
vt = defaultdict(list)
for r in csv.DictReader(open(os.path.join(res, 'fidelity_raw.csv'))):
    ds, m = r['dataset'], r['method']
    val = float(r[METRIC[ds]]) if r[METRIC[ds]] not in ('', None) else float('nan')
    v[(ds, m, int(r['k']))].append(val)
    if r['accuracy_test']:
        vt[(ds, m, int(r['k']))].append(float(r['accuracy_test']))


def mean(x):
    return float(np.mean(x)) if x else float('nan')


def sd(x):
    return float(np.std(x, ddof=1)) if len(x) > 1 else 0.0


md = []
for ds in ('shuttle', 'fashion'):
    methods = ['feature', SECOND[ds], 'random']
    none, full = mean(v[(ds, 'none', 0)]), mean(v[(ds, 'full', 0)])
    with open(os.path.join(res, ds + '.dat'), 'w') as f:
        f.write('# k none full ' + ' '.join('%s_mean %s_sd' % (m, m) for m in methods) + '\n')
        for k in KS:
            f.write('%d %.6f %.6f' % (k, none, full))
            for m in methods:
                f.write(' %.6f %.6f' % (mean(v[(ds, m, k)]), sd(v[(ds, m, k)])))
            f.write('\n')
    n = len(v[(ds, 'feature', 5)])
    print('%s: %s on the held-back hard rows, mean over %d (seed%s) runs; no sharing %.4f, full information %.4f'
          % (ds, METRIC[ds], n, ', owner' if ds == 'shuttle' else '', none, full))
    md.append('| %s (%s) | k | ' % (ds, METRIC[ds]) + ' | '.join(methods) + ' | feature > random | %s > random |' % SECOND[ds])
    md.append('|---|---|' + '---|' * (len(methods) + 2))
    for k in KS:
        g = {m: mean(v[(ds, m, k)]) for m in methods}
        ok1 = g['feature'] > g['random']
        ok2 = g[SECOND[ds]] > g['random']
        print('  k=%3d  feature %.4f  %-7s %.4f  random %.4f   feature>random: %s  %s>random: %s   (test accuracy: feature %.4f, random %.4f)'
              % (k, g['feature'], SECOND[ds], g[SECOND[ds]], g['random'], 'yes' if ok1 else 'NO',
                 SECOND[ds], 'yes' if ok2 else 'NO', mean(vt[(ds, 'feature', k)]), mean(vt[(ds, 'random', k)])))
        md.append('| | %d | ' % k + ' | '.join('%.3f ± %.3f' % (mean(v[(ds, m, k)]), sd(v[(ds, m, k)])) for m in methods)
                  + ' | %s | %s |' % ('yes' if ok1 else 'no', 'yes' if ok2 else 'no'))
    md.append('')
with open(os.path.join(res, 'fidelity.md'), 'w') as f:
    f.write('\n'.join(md) + '\n')

# ---- ranking ----
path = os.path.join(res, 'ranking_raw.csv')
if os.path.exists(path):
    rows = list(csv.DictReader(open(path)))
    seeds = sorted({int(r['seed']) for r in rows})
    truth = [1, 2, 3, 4, 5]
    out = []
    sp = defaultdict(list)
    for s in seeds:
        full = {int(r['owner']): float(r['accuracy_hard']) for r in rows if int(r['seed']) == s and r['method'] == 'full'}
        # the order full information gives (1 = best)
        fo = sorted(full, key=lambda o: -full[o])
        full_rank = [fo.index(o) + 1 for o in truth]
        sp['full'].append(spearmanr(truth, full_rank)[0])
        line = {'seed': s, 'full_order': ''.join(map(str, fo)), 'spearman_full_vs_construction': sp['full'][-1]}
        for m in ('feature', 'random'):
            rk = {int(r['owner']): int(r['rank']) for r in rows if int(r['seed']) == s and r['method'] == m}
            order = sorted(rk, key=lambda o: rk[o])
            sp[m].append(spearmanr(truth, [rk[o] for o in truth])[0])
            sp[m + '_vs_full'].append(spearmanr(full_rank, [rk[o] for o in truth])[0])
            line[m + '_order'] = ''.join(map(str, order))
            line['spearman_' + m] = sp[m][-1]
        out.append(line)
    with open(os.path.join(res, 'ranking.csv'), 'w') as f:
        w = csv.DictWriter(f, fieldnames=list(out[0]))
        w.writeheader()
        w.writerows(out)
    print('ranking (Scenario 3, Fashion, 5 owners, k = 100): Spearman between the rank and the known order 1>2>3>4>5')
    for line in out:
        print('  seed %d: full information orders %s (rho %.2f); acq feature %s (rho %.2f); random %s (rho %.2f)'
              % (line['seed'], line['full_order'], line['spearman_full_vs_construction'], line['feature_order'],
                 line['spearman_feature'], line['random_order'], line['spearman_random']))
    print('  mean rho: feature %.3f (target >= 0.9; min %.2f), random %.3f; full information vs construction %.3f; feature vs full information %.3f'
          % (mean(sp['feature']), min(sp['feature']), mean(sp['random']), mean(sp['full']), mean(sp['feature_vs_full'])))
    ck = os.path.join(res, 'ranking_check_sklearn.csv')
    if os.path.exists(ck):
        c = list(csv.DictReader(open(ck)))
        for s in sorted({r['seed'] for r in c}):
            acc = ['%.3f' % float(r['full_accuracy_hard']) for r in c if r['seed'] == s]
            print('  scikit-learn check, seed %s: full-information accuracy DO-1..DO-5 = %s' % (s, ' '.join(acc)))
