#!/usr/bin/python3
"""strategy => 'curve' against 'sps' at B = 10,000 on the demo's Fashion-MNIST HOG
tables (issue 15's speed target: curve <= 10x sps on the same call).

  /usr/bin/python3 bench/acquisition/curve_speed.py [--repeat 3] [--out FILE.jsonl]

Needs a running server with acq and the demo tables of data/load_acquisition.sql
(acq_demo.fashion_init: the consumer, 12,000 images; fashion_pool: the provider,
48,000; 144 HOG features, 10 labels), PGHOST/PGPORT/PGUSER.  Validation for curve:
the test images with id % 10 = 0 (1,000; public.fashion_val, created if absent).
Both calls take acq.acquire's defaults otherwise (sps: batch 100; curve: softmax,
four allocation rounds, K = 5) and seed 0.  Per strategy, in one session: a first
call untimed, then --repeat calls; wall time (client) and the backend's CPU time
(/proc/<pid>/stat, user + system: the machine is shared, CPU time is the steadier
figure); medians, the ratios, and the load average.  For curve, the seconds from
the call's start to the first query of each allocation round (the log's `at`):
the model fits of that round.
"""
import argparse
import json
import os
import statistics
import time

import psycopg


def proc_cpu(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


CALL = ("SELECT plan_id FROM acq.acquire('acq_demo.fashion_init', 'acq_demo.fashion_pool', 'fashion_speed', "
        "'features', 'label', 10000, strategy => '%s'%s, seed => 0)")


def timed(c, pid, strategy, extra, repeat):
    walls, cpus, rounds = [], [], []
    for i in range(repeat + 1):
        c.execute("DROP TABLE IF EXISTS acq_demo.fashion_speed")
        c0, t0 = proc_cpu(pid), time.perf_counter()
        start = c.execute("SELECT clock_timestamp()").fetchone()[0]
        plan = c.execute(CALL % (strategy, extra)).fetchone()[0]
        wall, cpu = time.perf_counter() - t0, proc_cpu(pid) - c0
        if i == 0:
            continue
        walls.append(wall)
        cpus.append(cpu)
        if strategy == "curve":
            rounds.append([round((r[0] - start).total_seconds(), 2) for r in c.execute(
                "SELECT at FROM acq.acquisition_rounds WHERE plan_id = %s AND curve IS NOT NULL ORDER BY round",
                (plan,)).fetchall()])
    return {"strategy": strategy, "wall_s": walls, "cpu_s": cpus, "wall_median": statistics.median(walls),
            "cpu_median": statistics.median(cpus), "round_starts_s": rounds}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out")
    a = ap.parse_args()
    with psycopg.connect(autocommit=True) as c:
        pid = c.execute("SELECT pg_backend_pid()").fetchone()[0]
        c.execute("CREATE TABLE IF NOT EXISTS public.fashion_val AS "
                  "SELECT * FROM acq_demo.fashion_test WHERE id % 10 = 0")
        load0 = os.getloadavg()
        sps = timed(c, pid, "sps", "", a.repeat)
        curve = timed(c, pid, "curve", ", validation => 'public.fashion_val'", a.repeat)
        c.execute("DROP TABLE IF EXISTS acq_demo.fashion_speed")
    res = {"sps": sps, "curve": curve, "ratio_wall": curve["wall_median"] / sps["wall_median"],
           "ratio_cpu": curve["cpu_median"] / sps["cpu_median"], "load_before": load0, "load_after": os.getloadavg()}
    print(json.dumps(res, indent=1, default=str))
    if a.out:
        with open(a.out, "a") as fh:
            fh.write(json.dumps(res, default=str) + "\n")


if __name__ == "__main__":
    main()
