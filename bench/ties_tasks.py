#!/usr/bin/python3
"""bench/ties_tasks.py -- where each source-selection method lands in the
exhaustive landscape, with the tie-break (issue 14) and without.

Builds the tasks (the two demo tasks of data/load.sql, two other tasks on the
demo rows, and three built from ../shared/data/flights_2001_us.csv.gz), then
for each: the landscape (acq.subset_profits), and for each method and
tie_break the chosen subset's profit, its percentile (% of all subsets with a
strictly lower profit), whether it is the optimum, and the models trained.

  /usr/bin/python3 bench/ties_tasks.py SHARED_DATA_DIR   # psql from PG* env

Prints a markdown table and writes bench/out/ties_tasks.json.
"""
import csv, gzip, json, os, subprocess, sys, time
import numpy as np

SHARED = sys.argv[1] if len(sys.argv) > 1 else '../shared/data'
METHODS = ['splice', 'grasp', 'greedy']
TIES = ['loss', 'none']


def psql(sql, *extra):
    r = subprocess.run(['psql', '-X', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', *extra, '-c', sql],
                       capture_output=True, text=True,
                       env=dict(os.environ, PGOPTIONS='-c client_min_messages=warning'))
    if r.returncode:
        raise SystemExit(r.stderr)
    return r.stdout


def load_table(name, rows, has_source=True):
    """rows: (source, features list, label) -> table name(source text, x float8[], y float8)"""
    psql(f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} (source text, x float8[], y float8)")
    path = f'/tmp/ties_{name.replace(".", "_")}.tsv'
    with open(path, 'w') as f:
        for s, x, y in rows:
            f.write('%s\t{%s}\t%r\n' % (s, ','.join('%.9g' % v for v in x), float(y)))
    subprocess.run(
        ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', f"\\copy {name} FROM '{path}'"], check=True)
    os.unlink(path)


def shared_flights():
    """the 500,000 flights: 9 standardised features (as the demo), per row"""
    feats = ['month', 'day_of_month', 'day_of_week', 'dep_hour', 'distance_mi',
             'origin_lat', 'origin_lon', 'dest_lat', 'dest_lon']
    rows = []
    with gzip.open(os.path.join(SHARED, 'flights_2001_us.csv.gz'), 'rt') as f:
        for r in csv.DictReader(f):
            try:
                x = [float(r[k]) for k in feats]
                rows.append((r['origin_state'], int(r['month']), int(r['day_of_week']), x,
                             float(r['arr_delay_min']), int(r['arr_delayed_15'])))
            except (ValueError, KeyError):
                continue
    X = np.array([r[3] for r in rows])
    X = (X - X.mean(0)) / X.std(0)
    return rows, X


def build_tasks():
    tasks = []
    # ---- the demo tables (data/load.sql)
    tasks.append(dict(name='demo flights: regression arr_delay_min, 15 origin states (demo)',
                      args="'acq_demo.flights', 'acq_demo.flights_validation', 'features', 'arr_delay_min', task => 'regression'"))
    tasks.append(dict(name='demo stops: fairness person_search/race, 15 neighbourhoods (demo)',
                      args="'acq_demo.stops', 'acq_demo.stops_validation', 'features', 'person_search', task => 'fairness', source_column => 'neighborhood', sensitive => 'race', privileged => 'White'"))
    # ---- other tasks on the demo rows
    psql("DROP TABLE IF EXISTS t_fl15c, t_fl15c_val;"
         "CREATE TABLE t_fl15c AS SELECT origin_state AS source, features AS x, (arr_delay_min >= 15)::int AS y FROM acq_demo.flights;"
         "CREATE TABLE t_fl15c_val AS SELECT features AS x, (arr_delay_min >= 15)::int AS y FROM acq_demo.flights_validation")
    tasks.append(dict(name='demo flights rows: classification arr_delay >= 15, 15 origin states',
                      args="'t_fl15c', 't_fl15c_val', 'x', 'y', source_column => 'source'"))
    tasks.append(dict(name='demo stops rows: classification person_search, 15 neighbourhoods',
                      args="'acq_demo.stops', 'acq_demo.stops_validation', 'features', 'person_search', source_column => 'neighborhood'"))
    # ---- ../shared/data flights
    rows, X = shared_flights()
    by_state = {}
    for i, r in enumerate(rows):
        by_state.setdefault(r[0], []).append(i)
    # (a) 12 mid-sized origin states (ranks 11..22 by flights), 600 rows each,
    #     delayed >= 15 min (~20%), validation: 3,000 later rows of the same states
    states = sorted(by_state, key=lambda s: -len(by_state[s]))[10:22]
    src, val = [], []
    for s in states:
        idx = by_state[s]
        src += [(s, X[i], rows[i][5]) for i in idx[:600]]
        val += [(s, X[i], rows[i][5]) for i in idx[600:850]]
    load_table('t_st12', src); load_table('t_st12_val', val)
    tasks.append(dict(name='shared flights: classification arr_delayed_15, 12 origin states (ranks 11-22)',
                      args="'t_st12', 't_st12_val', 'x', 'y', source_column => 'source'"))
    # (b) the same label, months as sources (the sample has Jan-Jun and 2 July rows), GA departures
    ga = by_state['GA']
    src, val = [], []
    for mo in range(1, 13):
        idx = [i for i in ga if rows[i][1] == mo]
        src += [('m%02d' % mo, X[i], rows[i][5]) for i in idx[:400]]
        val += [('m%02d' % mo, X[i], rows[i][5]) for i in idx[400:600]]
    load_table('t_ga12', src); load_table('t_ga12_val', val)
    tasks.append(dict(name='shared flights: classification arr_delayed_15, GA departures, 7 months (Jan-Jul; July has 2 rows)',
                      args="'t_ga12', 't_ga12_val', 'x', 'y', source_column => 'source'"))
    # (c) regression: arr_delay_min, day_of_week 1..6 as sources (0 is not taken), TX departures
    tx = by_state['TX']
    src, val = [], []
    for d in range(1, 8):
        idx = [i for i in tx if rows[i][2] == d]
        src += [('d%d' % d, X[i], rows[i][4]) for i in idx[:800]]
        val += [('d%d' % d, X[i], rows[i][4]) for i in idx[800:1100]]
    load_table('t_tx7', src); load_table('t_tx7_val', val)
    tasks.append(dict(name='shared flights: regression arr_delay_min, TX departures, 6 weekdays (day_of_week 1-6)',
                      args="'t_tx7', 't_tx7_val', 'x', 'y', task => 'regression', source_column => 'source'"))
    # (d) classification, 10 states, where the label is rarer: delayed >= 60 min
    states = sorted(by_state, key=lambda s: -len(by_state[s]))[:10]
    src, val = [], []
    for s in states:
        idx = by_state[s]
        src += [(s, X[i], int(rows[i][4] >= 60)) for i in idx[1000:1500]]
        val += [(s, X[i], int(rows[i][4] >= 60)) for i in idx[1500:1800]]
    load_table('t_st10', src); load_table('t_st10_val', val)
    tasks.append(dict(name='shared flights: classification arr_delay >= 60 (3.6% of validation rows), 10 largest origin states',
                      args="'t_st10', 't_st10_val', 'x', 'y', source_column => 'source'"))
    return tasks


def main():
    tasks = build_tasks()
    out = []
    for t in tasks:
        t0 = time.time()
        prof = psql(f"SELECT profit FROM acq.subset_profits({t['args']})")
        land = np.array([float(v) for v in prof.split()])
        rec = dict(task=t['name'], subsets=len(land), landscape_s=round(time.time() - t0, 2),
                   optimum=float(land.max()), at_max=int((land == land.max()).sum()),
                   at_mode=int(np.unique(land, return_counts=True)[1].max()), runs=[])
        for m in METHODS:
            for tb in TIES:
                t0 = time.time()
                r = psql(f"SELECT sources, profit, models_trained FROM acq.select_sources({t['args']}, method => '{m}', tie_break => '{tb}')")
                secs = time.time() - t0
                srcs, p, models = r.strip().split('\t')
                p = float(p)
                rec['runs'].append(dict(method=m, tie_break=tb, sources=srcs, profit=p,
                                        percentile=100.0 * (land < p - 1e-9).sum() / len(land),
                                        optimum=bool(p >= land.max() - 1e-9), models=int(models),
                                        seconds=round(secs, 3)))
        out.append(rec)
        print(json.dumps(rec), flush=True)
    os.makedirs('bench/out', exist_ok=True)
    json.dump(out, open('bench/out/ties_tasks.json', 'w'), indent=1)
    print()
    print('| task | subsets | method | tie_break | profit | percentile | optimum | models |')
    print('|---|---|---|---|---|---|---|---|')
    for rec in out:
        for r in rec['runs']:
            print('| %s | %d | %s | %s | %.4f | %.3f | %s | %d |' % (
                rec['task'], rec['subsets'], r['method'], r['tie_break'], r['profit'],
                r['percentile'], 'yes' if r['optimum'] else 'no', r['models']))


if __name__ == '__main__':
    main()
