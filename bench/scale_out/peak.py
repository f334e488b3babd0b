#!/usr/bin/python3
"""bench/scale_out/peak.py -- the backend's peak memory during one statement.

usage: peak.py <host> <port> <acq.max_memory> <sql> [SET-clause ...]

Opens a session, loads acq, reads the backend's /proc/<pid>/status (the
baseline), runs <sql> while a thread polls that file every 2 ms, and prints
the peak of its private memory (RssAnon + RssFile: the heap and the files it
maps, such as LLVM's library when JIT runs) and its growth over the baseline,
next to VmHWM and RssShmem (shared buffers the scan touched, not the
backend's own).  Must run on the server's machine as a user that may read
the backend's /proc entry (root).  Parallel workers are other processes and
are not counted.
"""
import re
import sys
import threading
import time

import psycopg

host, port, limit, sql = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
c = psycopg.connect(host=host, port=port, user='postgres', dbname='postgres', autocommit=True)
pid = c.execute('SELECT pg_backend_pid()').fetchone()[0]
c.execute("LOAD 'acq'")
c.execute("SELECT set_config('acq.max_memory', %s, false)", (limit,))
for g in sys.argv[5:]:
    c.execute('SET ' + g)


def status():
    s = open('/proc/%d/status' % pid).read()
    return {k: int(re.search(k + r':\s+(\d+)', s).group(1))
            for k in ('VmHWM', 'RssAnon', 'RssFile', 'RssShmem')}


base = status()
peak = {'priv': base['RssAnon'] + base['RssFile']}
done = False


def poll():
    while not done:
        s = status()
        peak['priv'] = max(peak['priv'], s['RssAnon'] + s['RssFile'])
        time.sleep(0.002)


t = threading.Thread(target=poll)
t.start()
t0 = time.time()
try:
    rows = c.execute(sql).fetchall()
finally:
    done = True
    t.join()
el = time.time() - t0
end = status()
b = base['RssAnon'] + base['RssFile']
print('%s | %.1f s | private (RssAnon+RssFile) peak %d kB, baseline %d kB, growth %d kB | VmHWM %d kB, RssShmem %d kB'
      % (rows[0] if rows else '', el, peak['priv'], b, peak['priv'] - b, end['VmHWM'], end['RssShmem']))
