#!/usr/bin/python3
"""bench/source_selection/run.py -- the suite (prepare.py) against the authors' own code.

  SPLICE_DIR=/path/to/Splice /usr/bin/python3 bench/source_selection/run.py [task ...]

(PG* environment for psql; `git clone https://github.com/am-barish/Splice` for SPLICE_DIR.)

For every task in ss.tasks:
  * the landscape: acq.subset_profits, every non-empty subset's profit (acq's models);
  * acq.select_sources with every method, timed inside the server (end to end: reading the
    tables, training, searching);
  * the authors' code, unmodified, imported from SPLICE_DIR: splice.get_best_subset,
    grasp.grasp, dsdm.get_dsdm_result and (up to 10 sources) baselines.brute_force, on the
    same rows (COPY'd out of the same tables), with scikit-learn's LogisticRegression /
    LinearRegression as their metrics.get_scores trains them; their chosen subset is scored on
    acq's landscape.
Percentile = % of all non-empty subsets whose profit is strictly lower (by more than 1e-9).
Writes bench/source_selection/results/suite.json and table.md; prints the summary.
"""
import contextlib, io, json, math, os, subprocess, sys, time
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'results')
SPLICE_DIR = os.environ.get('SPLICE_DIR')
LAMBDA = 10
GRASP_N, RCL = 20, 5           # the paper's N and k (section 5.1)
BRUTE_MAX = 8                  # the authors' exhaustive enumeration up to this many sources
AUTH_GRASP_MAX = 10            # the authors' grasp up to this many sources (~30 ms a model here)
SEED = 0
EXTRA = os.environ.get('ACQ_EXTRA', '')   # extra acq arguments for every select_sources call
# RESTARTS_GRID=0,2,4,8,16: also run acq's splice at each number of restarts with both tie rules;
# STUDY=1: only that (no authors' code, no other method), into results/restarts.json
GRID = [int(v) for v in os.environ.get('RESTARTS_GRID', '').split(',') if v != '']
STUDY = os.environ.get('STUDY') == '1'
# AUTHORS_FROM=results/baseline_suite.json: take the authors' runs (subsets, models, seconds)
# from that earlier run on the same rows instead of running their code again
AUTHORS_FROM = os.environ.get('AUTHORS_FROM')


def psql(sql):
    r = subprocess.run(['psql', '-X', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
                       capture_output=True, text=True,
                       env=dict(os.environ, PGOPTIONS='-c client_min_messages=warning'))
    if r.returncode:
        raise SystemExit(r.stderr)
    return r.stdout


def import_authors():
    """The authors' modules, unmodified.  metrics.py imports torch at the top and its get_gain
    imports wilds_new (torch, torchvision, PIL) and amazon (transformers) on every call, for
    their image and text data sets only.  transformers is not packaged in Debian 12; torch,
    torchvision and PIL are (python3-torch, python3-torchvision, python3-pil) but not installed
    here.  So these imports only are satisfied by empty modules; nothing in the tabular path
    uses them (the names get_gain imports from them raise NotImplementedError if called)."""
    import types
    if not SPLICE_DIR:
        raise SystemExit('set SPLICE_DIR to a checkout of https://github.com/am-barish/Splice')
    for name in ['torch', 'torch.nn', 'torch.nn.functional', 'wilds_new', 'amazon']:
        if name not in sys.modules:
            try:
                if name.startswith('torch'):
                    __import__(name)
                    continue
            except ImportError:
                pass
            sys.modules[name] = types.ModuleType(name)
    def unused(*a, **k):
        raise NotImplementedError('image/text path of the authors\' code: not used by this harness')
    sys.modules['wilds_new'].get_subset_acc = sys.modules['wilds_new'].subset_grad = unused
    sys.modules['amazon'].get_subset_score = sys.modules['amazon'].estimated_gain_text = unused
    sys.modules['torch'].nn = sys.modules['torch.nn']
    sys.modules['torch.nn'].functional = sys.modules['torch.nn.functional']
    sys.path.insert(0, SPLICE_DIR)
    import context, splice, grasp, dsdm, baselines, metrics
    return context, splice, grasp, dsdm, baselines, metrics


def read_rows(sql, p):
    txt = psql(sql)
    X, y, s = [], [], []
    for line in txt.splitlines():
        parts = line.split('\t')
        X.append([float(v) for v in parts[-3].strip('{}').split(',')])
        y.append(float(parts[-2]))
        s.append(parts[-1] if parts[-1] != '' else None)
        if len(parts) == 4:
            s[-1] = (parts[0], s[-1])
    return X, y, s


def task_args(t):
    a = f"'ss.{t['name']}_src', 'ss.{t['name']}_val', 'x', 'y', source_column => 'source'"
    if t['task'] == 'fairness':
        a += f", task => 'fairness', sensitive => 's', privileged => '{t['privileged']}', lambda => {LAMBDA}"
    elif t['task'] == 'regression':
        a += ", task => 'regression'"
    return a


def percentile(land, p):
    return 100.0 * float((land < p - 1e-9).sum()) / len(land)


def run_acq(t, land_by, land, label, extra):
    q = (f"SELECT to_json(r)::text FROM acq.select_sources({task_args(t)}, seed => {SEED}{extra}{EXTRA}) r")
    out = psql(f"SELECT * FROM ss.timed($q${q}$q$)").strip().split('\t')
    r, secs = json.loads(out[0]), float(out[1])
    key = frozenset(r['sources'])
    p = land_by[key]
    return dict(who='acq', method=label, sources=sorted(r['sources']), profit=p,
                percentile=percentile(land, p), optimum=bool(p >= land.max() - 1e-9),
                models=r['models_trained'], seconds=secs)


def authors_context(mods, task, privileged, Xs, ys, Xv, yv, sv):
    """the authors' ExperimentContext holding these rows: sources Xs[i], ys[i] (numpy), validation
    Xv, yv (and sv, the sensitive value per validation row, for fairness); no costs.  The data set
    name picks their model in metrics.get_scores: LinearRegression for ACSTravelTime,
    LogisticRegression otherwise, the fairness gain for ACSIncome."""
    context = mods[0]
    ds = {'classification': 'Scaled_Pubcov', 'fairness': 'ACSIncome', 'regression': 'ACSTravelTime'}[task]
    m = len(Xs)
    ctx = context.ExperimentContext(dataset=ds)
    ctx.source_X = {ds: {i: Xs[i] for i in range(m)}}
    ctx.source_y = {ds: {i: ys[i] for i in range(m)}}
    ctx.test_X_scaled = {ds: Xv}
    ctx.test_y = {ds: yv}
    if task == 'fairness':
        priv = np.array([v == privileged for v in sv])
        prot = np.array([v is not None and v != privileged for v in sv])
        ctx.test_sens_masks = {ds: {1: priv, 2: prot}}
    ctx.gain_lambda = LAMBDA
    ctx.cost_type = 'zero'
    ctx.source_list = list(range(m))
    return ctx


def authors_splice(mods, ctx, src, smax, kmax):
    """their splice.get_best_subset(ctx, src, smax) with ctx.k_max = kmax, from a fresh cache;
    returns (best subset as source indices, wall seconds, models trained as they count them)"""
    splice = mods[1]
    ctx.reset_for_run(); ctx.k_max = kmax
    t0 = time.time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        _, best, _, models, _ = splice.get_best_subset(ctx, src, smax)
    return best, time.time() - t0, models


def read_sources(sql, task):
    """rows of (source, x float8[], y) from `sql`, ordered by source in byte order, as the
    authors' code takes them: (names, [X per source], [y per source]); y int unless regression"""
    by = {}
    for line in psql(sql).splitlines():
        s, x, y = line.split('\t')
        e = by.setdefault(s, ([], []))
        e[0].append([float(v) for v in x.strip('{}').split(',')]); e[1].append(float(y))
    names = sorted(by, key=lambda s: s.encode())
    Xs = [np.array(by[n][0]) for n in names]
    ys = [np.array(by[n][1]) if task == 'regression' else np.array(by[n][1]).astype(int) for n in names]
    return names, Xs, ys


def read_validation(sql, task):
    """rows of (x float8[], y, s) from `sql`: (Xv, yv, sv), sv None where s is NULL"""
    Xv, yv, sv = [], [], []
    for line in psql(sql).splitlines():
        x, y, s = line.split('\t')
        Xv.append([float(v) for v in x.strip('{}').split(',')]); yv.append(float(y)); sv.append(s if s != '' else None)
    Xv = np.array(Xv); yv = np.array(yv) if task == 'regression' else np.array(yv).astype(int)
    return Xv, yv, sv


def run_authors(mods, t, names, Xs, ys, Xv, yv, sv, land_by, land, smax, kmax):
    context, splice, grasp, dsdm, baselines, metrics = mods
    m = len(names)
    ctx = authors_context(mods, t['task'], t.get('privileged'), Xs, ys, Xv, yv, sv)
    src = list(range(m))
    res = []

    def record(label, subset, secs, models):
        key = frozenset(names[i] for i in subset)
        p = land_by.get(key, float('nan'))
        res.append(dict(who='authors', method=label, sources=sorted(key), profit=p,
                        percentile=percentile(land, p) if key else float('nan'),
                        optimum=bool(p >= land.max() - 1e-9), models=models, seconds=secs))

    quiet = lambda: contextlib.ExitStack()
    # the paper's settings (section 5.2: s_max = |S|, k_max = 7; at most floor(m/2) swaps)
    best, secs, models = authors_splice(mods, ctx, src, smax, kmax)
    record('splice_k7', best, secs, models)
    if m <= AUTH_GRASP_MAX:
        ctx.reset_for_run(); np.random.seed(SEED)
        t0 = time.time()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            out = grasp.grasp(ctx, src, GRASP_N, RCL)
        record('grasp', out[1], time.time() - t0, out[5])
    ctx.reset_for_run(); np.random.seed(SEED)
    t0 = time.time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        out = dsdm.get_dsdm_result(ctx, src, dm_samples(m))
    record('datamodels', out[1], time.time() - t0, out[5])
    if m <= BRUTE_MAX:
        ctx.reset_for_run()
        metrics.init_subset_array(ctx, m)
        t0 = time.time()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            out = baselines.brute_force(ctx, src)
        record('exhaustive', out[1], out[4], out[5])
    return res


def dm_samples(m):
    return min(200, (2 ** m - 1) // 2)


def main():
    mods = None if STUDY or AUTHORS_FROM else import_authors()
    psql("CREATE OR REPLACE FUNCTION ss.timed(q text, OUT res text, OUT secs float8) LANGUAGE plpgsql AS $f$ "
         "DECLARE t0 timestamptz := clock_timestamp(); BEGIN EXECUTE q INTO res; "
         "secs := extract(epoch FROM clock_timestamp() - t0); END $f$")
    tasks = [json.loads(l.split('\t', 1)[1]) for l in psql("SELECT name, info FROM ss.tasks ORDER BY name").splitlines()]
    want = sys.argv[1:]
    if want:
        tasks = [t for t in tasks if t['name'] in want]
    os.makedirs(OUT, exist_ok=True)
    allres = []
    for t in tasks:
        m = t['m']
        t0 = time.time()
        rows = psql(f"SELECT to_json(sources), profit FROM acq.subset_profits({task_args(t)})")
        land_secs = time.time() - t0
        land_by = {}
        for line in rows.splitlines():
            s, p = line.split('\t')
            land_by[frozenset(json.loads(s))] = float(p)
        land = np.array(list(land_by.values()))
        vals, counts = np.unique(np.round(land, 9), return_counts=True)
        kmax = min(3, m // 2)
        runs = []
        runs.append(run_acq(t, land_by, land, 'splice', ''))
        runs.append(run_acq(t, land_by, land, 'splice_none', ", tie_break => 'none'"))
        runs.append(run_acq(t, land_by, land, 'splice_r0', ", restarts => 0"))
        runs.append(run_acq(t, land_by, land, 'splice_paper', ", tie_break => 'none', restarts => 0"))
        for r_ in GRID:
            for tb in ('loss', 'none'):
                runs.append(run_acq(t, land_by, land, 'splice_r%d_%s' % (r_, tb), f", restarts => {r_}, tie_break => '{tb}'"))
        if STUDY:
            rec = dict(task=t, subsets=len(land), optimum=float(land.max()), plateau=int(counts.max()),
                       landscape_seconds=round(land_secs, 3), runs=runs)
            allres.append(rec)
            print(json.dumps(dict(task=t['name'], runs=[(r['method'], round(r['percentile'], 3), r['models']) for r in runs])), flush=True)
            json.dump(allres, open(os.path.join(OUT, 'restarts.json'), 'w'), indent=1)
            continue
        runs.append(run_acq(t, land_by, land, 'splice_k7', f", k_max => {min(7, m // 2)}"))
        runs.append(run_acq(t, land_by, land, 'splice_k7_r0', f", k_max => {min(7, m // 2)}, restarts => 0"))
        runs.append(run_acq(t, land_by, land, 'grasp', f", method => 'grasp', iterations => {GRASP_N}, rcl_size => {RCL}"))
        runs.append(run_acq(t, land_by, land, 'greedy', ", method => 'greedy'"))
        runs.append(run_acq(t, land_by, land, 'datamodels', f", method => 'datamodels', samples => {dm_samples(m)}"))
        runs.append(dict(who='acq', method='exhaustive', sources=[], profit=float(land.max()), percentile=percentile(land, land.max()),
                         optimum=True, models=len(land), seconds=land_secs))   # acq.subset_profits, timed by the client
        # the same rows for the authors' code
        names, Xs, ys = read_sources(f"SELECT source, x, y FROM ss.{t['name']}_src ORDER BY source COLLATE \"C\"", t['task'])
        Xv, yv, sv = read_validation(f"SELECT x, y, s FROM ss.{t['name']}_val", t['task'])
        if AUTHORS_FROM:
            old = {r['task']['name']: r for r in json.load(open(AUTHORS_FROM))}[t['name']]
            for r in old['runs']:
                if r['who'] == 'authors':
                    p_ = land_by[frozenset(r['sources'])]
                    runs.append(dict(r, profit=p_, percentile=percentile(land, p_),
                                     optimum=bool(p_ >= land.max() - 1e-9), from_run=AUTHORS_FROM))
                if r['who'] == 'acq' and r['method'] == 'splice_k7':
                    runs.append(dict(r, method='splice_k7_baseline'))
        else:
            runs += run_authors(mods, t, names, Xs, ys, Xv, yv, sv, land_by, land, m, min(7, m // 2))
        rec = dict(task=t, subsets=len(land), optimum=float(land.max()), plateau=int(counts.max()),
                   landscape_seconds=round(land_secs, 3), runs=runs)
        allres.append(rec)
        print(json.dumps(dict(task=t['name'], runs=[(r['who'], r['method'], round(r['percentile'], 3), r['models'], round(r['seconds'], 3)) for r in runs])), flush=True)
        json.dump(allres, open(os.path.join(OUT, 'suite.json' if not want else 'partial.json'), 'w'), indent=1)
    if STUDY:
        write_study(allres)
    elif not want:
        write_table(allres)


def get(rec, who, method):
    for r in rec['runs']:
        if r['who'] == who and r['method'] == method:
            return r
    return None


def write_study(allres):
    fmt = lambda r: '%.3f%s, %d' % (r['percentile'], ' (opt.)' if r['optimum'] else '', r['models'])
    L = ['| task | m | ' + ' | '.join('R=%d loss | R=%d none' % (r_, r_) for r_ in GRID) + ' |',
         '|' + '---|' * (2 + 2 * len(GRID))]
    for rec in allres:
        L.append('| %s | %d | ' % (rec['task']['name'], rec['task']['m']) + ' | '.join(
            fmt(get(rec, 'acq', 'splice_r%d_%s' % (r_, tb))) for r_ in GRID for tb in ('loss', 'none')) + ' |')
    L.append('')
    for r_ in GRID:
        for tb in ('loss', 'none'):
            rs = [get(rec, 'acq', 'splice_r%d_%s' % (r_, tb)) for rec in allres]
            L.append('R=%d %s: >= 99.9th or optimum %d/%d, optimum %d/%d, mean percentile %.3f, total models %d' % (
                r_, tb, sum(r['percentile'] >= 99.9 or r['optimum'] for r in rs), len(rs),
                sum(r['optimum'] for r in rs), len(rs), float(np.mean([r['percentile'] for r in rs])),
                sum(r['models'] for r in rs)))
    open(os.path.join(OUT, 'restarts.md'), 'w').write('\n'.join(L) + '\n')
    print('\n'.join(L))


def write_table(allres):
    fmt = lambda r: '—' if r is None else ('%.3f%s, %d, %.3g s' % (
        r['percentile'], ' (opt.)' if r['optimum'] else '', r['models'], r['seconds']))
    L = ['| task | data | task type | m | subsets (largest plateau) | acq splice, defaults: pct, models, s '
         '| acq, restarts 0 | acq, the paper (tie_break none, restarts 0) | authors get_best_subset, k_max 7 '
         '| speed, k_max 7, restarts 0: authors s / acq s; models/s acq vs authors | acq grasp | authors grasp '
         '| acq datamodels | authors DsDM | acq greedy | all subsets: acq s vs authors s |',
         '|' + '---|' * 16]
    ratios, ratios_def, ge, ge0, p999, opt, share15 = [], [], 0, 0, 0, 0, []
    for rec in allres:
        t = rec['task']
        a, a0, ap = get(rec, 'acq', 'splice'), get(rec, 'acq', 'splice_r0'), get(rec, 'acq', 'splice_paper')
        a7 = get(rec, 'acq', 'splice_k7_baseline') or get(rec, 'acq', 'splice_k7_r0') or get(rec, 'acq', 'splice_k7')
        au = get(rec, 'authors', 'splice_k7')
        ratio = au['seconds'] / a7['seconds']
        ratios.append(ratio); ratios_def.append(au['seconds'] / a['seconds'])
        ge += a['percentile'] >= au['percentile'] - 1e-9
        ge0 += a0 is not None and a0['percentile'] >= au['percentile'] - 1e-9
        p999 += a['percentile'] >= 99.9 or a['optimum']
        opt += a['optimum']
        if t['m'] == 15:
            share15.append(100.0 * a['models'] / rec['subsets'])
        ae, ue = get(rec, 'acq', 'exhaustive'), get(rec, 'authors', 'exhaustive')
        L.append('| %s | %s | %s | %d | %d (%d) | %s | %s | %s | %s | %.1f×; %.0f vs %.0f | %s | %s | %s | %s | %s | %.3g vs %s |' % (
            t['name'], t['data'], t['task'] + ('' if t.get('val_pos') is None else ' (%.0f%% pos.)' % (100 * t['val_pos'])),
            t['m'], rec['subsets'], rec['plateau'], fmt(a), fmt(a0), fmt(ap), fmt(au), ratio,
            a7['models'] / a7['seconds'], au['models'] / au['seconds'],
            fmt(get(rec, 'acq', 'grasp')), fmt(get(rec, 'authors', 'grasp')),
            fmt(get(rec, 'acq', 'datamodels')), fmt(get(rec, 'authors', 'datamodels')),
            fmt(get(rec, 'acq', 'greedy')), ae['seconds'], '—' if ue is None else '%.3g' % ue['seconds']))
    n = len(allres)
    summary = ('tasks %d. Speed, SourceSplice at the paper\'s k_max 7 and restarts 0 (the same search), acq vs the authors\' '
               'get_best_subset, end to end, same run: median ratio %.1f×; acq\'s defaults vs the authors at k_max 7: median %.1f×. '
               'Percentile of acq\'s default >= the authors\' on %d/%d tasks (restarts 0: %d/%d); '
               '>= 99.9th percentile (or the optimum) on %d/%d; the optimum on %d/%d; '
               'models trained at 15 sources: %s%% of the subsets.' % (
                   n, float(np.median(ratios)), float(np.median(ratios_def)), ge, n, ge0, n, p999, n, opt, n,
                   '/'.join('%.1f' % v for v in share15)))
    L += ['', summary]
    open(os.path.join(OUT, 'table.md'), 'w').write('\n'.join(L) + '\n')
    print('\n'.join(L))


if __name__ == '__main__':
    main()
