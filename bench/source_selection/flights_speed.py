#!/usr/bin/python3
"""bench/source_selection/flights_speed.py -- SourceSplice on the flights demo rows, acq against
the authors' own get_best_subset (am-barish/Splice, unmodified), same rows, same run (issue 19).

  [SPLICE_DIR=/path/to/Splice] REPEAT=3 AUTH_REPEAT=1 [SIZES=7,15] [TASKS=regression,classification] \
      /usr/bin/python3 bench/source_selection/flights_speed.py

(PG* environment for psql; the server has acq and data/load.sql's acq_demo schema loaded.)
Called by bench/source_selection.sh.  Without SPLICE_DIR the authors' column is skipped (said so).

Tasks (15 sources = the 15 origin states, 3,000 training rows each, 5,000 validation rows, the
demo's standardised feature vectors):
  regression      acq_demo.flights (one leaf partition per state), label arr_delay_min;
  classification  the same rows with label (arr_delay_min >= 15)::int, in a plain table with a
                  source column (bench_fl.cls_src / cls_val, made here).
For s_max = k_max = 7 and 15:
  acq, the paper's search (restarts => 0) and acq's defaults (restarts 16): median of REPEAT calls
      of acq.select_sources, timed inside the server (end to end: reading both tables, training,
      searching), each call in a new session (as psql -c, as a new user would), and its
      models_trained; "warm": the median of REPEAT more calls in one session after a first one;
  the authors: splice.get_best_subset(ctx, sources, s_max) with ctx.k_max = k_max on the same rows
      (read once out of the same tables with psql; that read is timed apart), median of
      AUTH_REPEAT runs, each from an empty cache; models trained as their code counts them.
Ratio = the authors' get_best_subset seconds / acq's seconds (their reading of the rows not
counted: the ratio is in their favour); "with read" adds their read.
Prints a markdown table and writes bench/out/flights_speed.json and .md.
"""
import json, os, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run   # noqa: E402  (bench/source_selection/run.py: psql, the authors' imports and drivers)

OUT = os.path.normpath(os.path.join(HERE, '..', 'out'))
REPEAT = int(os.environ.get('REPEAT', '3'))
AUTH_REPEAT = int(os.environ.get('AUTH_REPEAT', '1'))
SIZES = [int(v) for v in os.environ.get('SIZES', '7,15').split(',')]

TASKS = [
    dict(name='regression', task='regression',
         args="'acq_demo.flights', 'acq_demo.flights_validation', 'features', 'arr_delay_min', task => 'regression'",
         src_sql="SELECT 'flights_' || lower(origin_state), features, arr_delay_min FROM acq_demo.flights",
         val_sql="SELECT features, arr_delay_min, NULL FROM acq_demo.flights_validation"),
    dict(name='classification', task='classification',
         args="'bench_fl.cls_src', 'bench_fl.cls_val', 'x', 'y', source_column => 'source'",
         src_sql="SELECT source, x, y FROM bench_fl.cls_src",
         val_sql="SELECT x, y, NULL FROM bench_fl.cls_val"),
]


def setup():
    run.psql("CREATE SCHEMA IF NOT EXISTS bench_fl;"
             "DROP TABLE IF EXISTS bench_fl.cls_src, bench_fl.cls_val;"
             "CREATE TABLE bench_fl.cls_src AS SELECT 'flights_' || lower(origin_state) AS source, features AS x,"
             " (arr_delay_min >= 15)::int AS y FROM acq_demo.flights;"
             "CREATE TABLE bench_fl.cls_val AS SELECT features AS x, (arr_delay_min >= 15)::int AS y"
             " FROM acq_demo.flights_validation;"
             "ANALYZE bench_fl.cls_src, bench_fl.cls_val;"
             "CREATE OR REPLACE FUNCTION bench_fl.timed(q text, OUT res text, OUT secs float8) LANGUAGE plpgsql AS $f$ "
             "DECLARE t0 timestamptz := clock_timestamp(); BEGIN EXECUTE q INTO res; "
             "secs := extract(epoch FROM clock_timestamp() - t0); END $f$")


def acq(t, size, extra):
    q = f"SELECT to_json(r)::text FROM acq.select_sources({t['args']}, s_max => {size}, k_max => {size}{extra}) r"
    secs, res = [], None
    for _ in range(REPEAT):
        out = run.psql(f"SELECT * FROM bench_fl.timed($q${q}$q$)").strip().split('\t')
        res = json.loads(out[0]); secs.append(float(out[1]))
    # the same call REPEAT + 1 times in one session, the first dropped: what a session that has
    # already called acq pays (the first call of a session costs more; docs/source-selection.md)
    timed = f"SELECT secs FROM bench_fl.timed($q${q}$q$)"
    argv = ['psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1']
    for _ in range(REPEAT + 1):
        argv += ['-c', timed]
    r = subprocess.run(argv, capture_output=True, text=True, check=True,
                       env=dict(os.environ, PGOPTIONS='-c client_min_messages=warning'))
    warm = [float(v) for v in r.stdout.split()][1:]
    return dict(seconds=statistics.median(secs), all_seconds=secs, models=res['models_trained'],
                warm_seconds=statistics.median(warm), all_warm_seconds=warm,
                sources=sorted(res['sources']), profit=res['profit'])


def main():
    setup()
    mods = None
    if os.environ.get('SPLICE_DIR'):
        mods = run.import_authors()
    else:
        print("SPLICE_DIR is not set: the authors' column is skipped "
              "(git clone https://github.com/am-barish/Splice; SPLICE_DIR=that checkout)", flush=True)
    results = []
    want = os.environ.get('TASKS', 'regression,classification').split(',')
    for t in [t for t in TASKS if t['name'] in want]:
        auth_in = None
        if mods:
            t0 = time.time()
            names, Xs, ys = run.read_sources(t['src_sql'], t['task'])
            Xv, yv, sv = run.read_validation(t['val_sql'], t['task'])
            read_s = time.time() - t0
            ctx = run.authors_context(mods, t['task'], None, Xs, ys, Xv, yv, sv)
            auth_in = (names, ctx, read_s)
        for size in SIZES:
            rec = dict(task=t['name'], s_max=size, k_max=size,
                       acq_paper=acq(t, size, ', restarts => 0'),
                       acq_default=acq(t, size, ''))
            if auth_in:
                names, ctx, read_s = auth_in
                runs = [run.authors_splice(mods, ctx, list(range(len(names))), size, size) for _ in range(AUTH_REPEAT)]
                rec['authors'] = dict(seconds=statistics.median(r[1] for r in runs), all_seconds=[r[1] for r in runs],
                                      models=runs[-1][2], sources=sorted(names[i] for i in runs[-1][0]),
                                      read_seconds=read_s)
            results.append(rec)
            print(json.dumps(rec), flush=True)
    os.makedirs(OUT, exist_ok=True)
    json.dump(dict(repeat=REPEAT, auth_repeat=AUTH_REPEAT, results=results),
              open(os.path.join(OUT, 'flights_speed.json'), 'w'), indent=1)
    table(results)


def table(results):
    f = lambda r: '%.3f s, %d models, %.0f models/s' % (r['seconds'], r['models'], r['models'] / r['seconds'])
    L = ['| task | s_max = k_max | acq, the paper\'s search (`restarts => 0`), new session | acq defaults (`restarts` 16), new session '
         '| authors `get_best_subset` | ratio, paper\'s search (target ≥ 30×) | ratio, acq defaults '
         '| authors with their read of the rows | warm session: acq paper / defaults, ratios '
         '| same subset (acq paper / authors) |',
         '|---|---|---|---|---|---|---|---|---|---|']
    for r in results:
        p, d, a = r['acq_paper'], r['acq_default'], r.get('authors')
        if a:
            ra, rd = a['seconds'] / p['seconds'], a['seconds'] / d['seconds']
            cells = [f(a), '%.1f×%s' % (ra, ' ✔' if ra >= 30 else ' (below)'), '%.1f×' % rd,
                     '%.3f s read + search → %.1f×' % (a['read_seconds'], (a['read_seconds'] + a['seconds']) / p['seconds']),
                     '%.4f s / %.4f s → %.0f× / %.0f×' % (p['warm_seconds'], d['warm_seconds'],
                                                        a['seconds'] / p['warm_seconds'], a['seconds'] / d['warm_seconds']),
                     'yes' if p['sources'] == a['sources'] else 'no: %s / %s' % (','.join(p['sources']), ','.join(a['sources']))]
        else:
            cells = ['skipped (SPLICE_DIR unset)', '—', '—', '—', '%.4f s / %.4f s' % (p['warm_seconds'], d['warm_seconds']), '—']
        L.append('| %s | %d | %s | %s | %s |' % (r['task'], r['s_max'], f(p), f(d), ' | '.join(cells)))
    txt = '\n'.join(L) + '\n'
    open(os.path.join(OUT, 'flights_speed.md'), 'w').write(txt)
    print(txt)


if __name__ == '__main__':
    main()
