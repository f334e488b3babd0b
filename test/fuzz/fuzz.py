#!/usr/bin/python3
"""test/fuzz/fuzz.py -- calls every function of schema acq with malformed and
edge-case arguments, and fails on a crash, an internal error, a hang, a
non-deterministic result or a silently non-finite one.

    /usr/bin/python3 test/fuzz/fuzz.py [--seed S] [--calls N] [--timeout SEC]

Connects with the libpq environment (PGHOST, PGPORT, PGUSER, PGDATABASE) as a
superuser; builds its fixtures in schema acq_fuzz (fixtures.py), creating the
extension if needed; enumerates the functions of schema acq from pg_proc (a
new function is called too); plans the calls from the seed (spec.py): first
NULL in each argument, every wrong relation kind in each table argument and
every profile as it is, then random mutations; runs each call in a
transaction of its own, under a statement_timeout, as one of several roles
and contexts (READ ONLY, a short statement_timeout, pg_cancel_backend from a
second connection after a random delay, an acq GUC set to an edge value),
and rolls it back.  Outcomes are classified; a sample of successful calls is
repeated on another connection and compared.  docs/hardening.md describes
what is checked; known.py lists known findings (reported, not failed on).

Exit status 0 when nothing failed; 1 otherwise (each offending call printed).
"""

import argparse
import collections
import decimal
import hashlib
import math
import os
import random
import re
import sys
import threading
import time

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402
import spec  # noqa: E402
from known import KNOWN  # noqa: E402

S = fixtures.SCHEMA
FAIL_KINDS = ("crash", "internal", "hang", "nondeterministic", "nonfinite", "open_internal", "memory")

# a backend's resident peak may exceed acq.max_memory by this much (the
# backend itself, its caches, the shared buffers it touched)
MEMORY_SLACK_KB = 512 * 1024


def backend_peak_kb(pid):
    """the peak resident size of backend pid (VmHWM, kB), or None (the server
    is on another machine, or the process is gone)"""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None

# Messages that are elog(ERROR, ...) texts of an internal failure, whatever
# their SQLSTATE: a user never should see them.
INTERNAL_TEXTS = [
    r"SPI_ERROR", r"SPI_OK_", r"failed: SPI", r"cache lookup failed", r"unrecognized node type",
    r"failed with status -?\d+", r"return type must be a row type", r"could not open relation with OID",
    r"invalid memory alloc request size", r"unexpected (?:status|result|return)", r"has no owner",
    r"wrong number of (?:columns|arguments)", r"tupdesc reference .* is not owned",
    r"unrecognized .*(?:kind|type|status) \d+", r"variable not found in subplan target list",
]
INTERNAL_RE = re.compile("|".join(INTERNAL_TEXTS))

# calling contexts and their weights in the random part of the plan
CONTEXTS = [("user", 58), ("super", 8), ("nobody", 8), ("readonly", 7), ("timeout", 8), ("cancel", 7),
            ("guc", 4)]
# mutation modes of the random part and their weights
MODES = [("base", 10), ("mutate", 52), ("null", 8), ("edge", 20), ("relkind", 5), ("generic", 4), ("heavy", 1)]


class Call:
    __slots__ = ("idx", "fn", "mode", "ctx", "ctx_arg", "sql", "repeat", "commit", "outcome", "state",
                 "message", "seconds", "digest", "nonfinite", "known", "latency", "peak_kb")

    def __init__(self, idx, fn, mode, ctx, ctx_arg, sql, repeat=False, commit=False):
        self.idx, self.fn, self.mode, self.ctx, self.ctx_arg, self.sql = idx, fn, mode, ctx, ctx_arg, sql
        self.repeat, self.commit = repeat, commit
        self.outcome = self.state = self.message = self.digest = self.known = None
        self.seconds = self.latency = 0.0
        self.nonfinite = []
        self.peak_kb = None

    def describe(self):
        c = f"{self.ctx}" + (f" ({self.ctx_arg})" if self.ctx_arg is not None else "")
        return f"call #{self.idx} [{self.fn}, {self.mode}, as {c}]\n    {self.sql}"


# ---------------------------------------------------------------------------
# functions of schema acq
# ---------------------------------------------------------------------------
class Fn:
    def __init__(self, name, kind, argnames, argtypes, ndefaults, setof, defaults):
        self.name, self.kind, self.argnames, self.argtypes = name, kind, argnames, argtypes
        self.ndefaults, self.setof = ndefaults, setof
        self.required = argnames[:len(argnames) - ndefaults]
        self.types = dict(zip(argnames, argtypes))
        self.defaults = dict(zip(argnames[len(argnames) - ndefaults:], defaults))


def split_exprs(text):
    """split pg_get_expr's list of default expressions at top-level commas"""
    out, depth, quote, cur = [], 0, False, ""
    for ch in text or "":
        if quote:
            quote = ch != "'"
        elif ch == "'":
            quote = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


UNCALLABLE_TYPES = {"internal", "cstring", "trigger", "event_trigger", "language_handler", "fdw_handler",
                    "index_am_handler", "tsm_handler", "table_am_handler"}


def load_functions(conn):
    """every function and procedure of schema acq, and those skipped (why)"""
    rows = conn.execute("""
        SELECT p.proname, p.prokind, coalesce(p.proargnames, '{}'),
               ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t),
               p.pronargdefaults, p.proretset, format_type(p.prorettype, NULL), p.pronargs,
               coalesce(p.proargmodes::text[], '{}'), pg_get_expr(p.proargdefaults, 0)
          FROM pg_proc p WHERE p.pronamespace = 'acq'::regnamespace
         ORDER BY p.proname, p.oid""").fetchall()
    fns, skipped = [], []
    for name, kind, argnames, argtypes, ndef, setof, rettype, nargs, modes, defaults in rows:
        # proargnames covers OUT parameters too; keep the input ones
        if modes:
            argnames = [n for n, m in zip(argnames, modes) if m in ("i", "b", "v")]
        argnames = list(argnames[:nargs]) + [f"${i + 1}" for i in range(len(argnames), nargs)]
        if kind not in ("f", "p"):
            skipped.append((name, f"prokind {kind}"))
        elif set(argtypes) & UNCALLABLE_TYPES or rettype in UNCALLABLE_TYPES:
            skipped.append((name, "takes or returns a pseudo-type"))
        elif any(n.startswith("$") for n in argnames):
            skipped.append((name, "unnamed arguments"))
        else:
            fns.append(Fn(name, kind, argnames, list(argtypes), ndef, setof, split_exprs(defaults)))
    return fns, skipped


# ---------------------------------------------------------------------------
# the plan: same seed, same calls
# ---------------------------------------------------------------------------
class Planner:
    def __init__(self, fns, gucs, seed, ncalls, repeat_share, max_commits):
        self.fns, self.gucs, self.rng = fns, gucs, random.Random(seed)
        self.ncalls, self.repeat_share, self.max_commits = ncalls, repeat_share, max_commits
        self.commits = 0
        self.calls = []

    def spec(self, fn):
        return spec.SPEC.get(fn.name, (spec.UNKNOWN_WEIGHT, [dict()], {}))

    def domain(self, fn, arg):
        doms = self.spec(fn)[2]
        if arg in doms:
            return doms[arg]
        t = fn.types[arg]
        if t == "regclass":
            return spec.TABLES + spec.WRONG_KINDS
        if t == "regclass[]":
            return spec.TABLE_ARRAYS + [spec.RelArray(w) for w in spec.WRONG_KINDS]
        return spec.TYPE_POOL.get(t, ["NULL"])

    def sibling_default(self, fn, arg):
        """an internal function has no defaults: take those of the public
        function that shares most of its arguments (acq._check_acquire:
        acq.acquire's)"""
        best, overlap = None, 0
        for other in self.fns:
            if other is not fn and arg in other.defaults:
                n = len(set(other.argnames) & set(fn.argnames))
                if n > overlap:
                    best, overlap = other, n
        return best.defaults[arg] if best else None

    def base_args(self, fn, profile):
        args = {a: v for a, v in profile.items() if a in fn.types}
        for a in fn.required:
            if a not in args:
                d = self.sibling_default(fn, a)
                args[a] = d if d is not None else self.rng.choice(self.domain(fn, a))
        return args

    def render(self, fn, args):
        parts = []
        for a in fn.argnames:
            if a in args:
                v = spec.render(args[a])
                parts.append(f'"{a}" => ({v})::{fn.types[a]}' if v != "NULL" else f'"{a}" => NULL::{fn.types[a]}')
        body = f"acq.{spec.qident(fn.name)}({', '.join(parts)})"
        return f"CALL {body}" if fn.kind == "p" else f"SELECT * FROM {body}"

    def context(self, ctx=None):
        if ctx is None:
            ctx = self.pick(CONTEXTS)
        arg = None
        if ctx == "timeout":
            arg = self.rng.choice([1, 2, 5, 10, 20, 50, 100, 200, 300])          # ms
        elif ctx == "cancel":
            arg = round(self.rng.uniform(0.001, 0.3), 4)                          # s
        elif ctx == "guc":
            if not self.gucs:
                return "user", None
            name, values = self.rng.choice(self.gucs)
            arg = (name, self.rng.choice(values))
        return ctx, arg

    def pick(self, weighted):
        total = sum(w for _, w in weighted)
        r = self.rng.uniform(0, total)
        for item, w in weighted:
            r -= w
            if r <= 0:
                return item
        return weighted[-1][0]

    def add(self, fn, mode, args, ctx="user", ctx_arg=None):
        repeat = (fn.name not in spec.STATEFUL and ctx in ("user", "super", "nobody", "readonly", "guc")
                  and self.rng.random() < self.repeat_share)
        commit = (fn.name in spec.COMMITTABLE and mode == "base" and ctx == "user"
                  and self.commits < self.max_commits)
        self.commits += commit
        if commit and "target" in args:
            # a committed acquisition job creates its target: a name of its own
            args = dict(args, target=spec.lit(f"{S}.committed_{len(self.calls) + 1}"))
        self.calls.append(Call(len(self.calls) + 1, fn.name, mode, ctx, ctx_arg, self.render(fn, args),
                               repeat, commit))

    def plan(self):
        # 1. systematic: each profile as it is; NULL in each argument; each
        #    wrong relation kind in each table argument
        for fn in self.fns:
            profiles = self.spec(fn)[1]
            for p in profiles:
                self.add(fn, "base", self.base_args(fn, p))
            for a in fn.argnames:
                args = self.base_args(fn, profiles[0])
                args[a] = "NULL"
                self.add(fn, "null", args)
            for a in fn.argnames:
                if fn.types[a] in ("regclass", "regclass[]"):
                    for w in spec.WRONG_KINDS:
                        args = self.base_args(fn, self.rng.choice(profiles))
                        args[a] = w if fn.types[a] == "regclass" else spec.RelArray(w)
                        self.add(fn, "relkind", args)
        # 2. random
        weights = [(fn, self.spec(fn)[0]) for fn in self.fns]
        while len(self.calls) < self.ncalls:
            fn = self.pick(weights)
            mode = self.pick(MODES)
            ctx, ctx_arg = self.context()
            if ctx in ("timeout", "cancel") and fn.name in spec.HEAVY and self.rng.random() < 0.8:
                mode = "heavy"
            if mode == "heavy" and fn.name not in spec.HEAVY:
                mode = "base"
            profiles = spec.HEAVY[fn.name] if mode == "heavy" else self.spec(fn)[1]
            args = self.base_args(fn, self.rng.choice(profiles))
            names = fn.argnames
            if not names:
                mode = "base"
            if mode == "mutate":
                for _ in range(self.rng.choice([1, 1, 1, 2, 2, 3])):
                    a = self.rng.choice(names)
                    args[a] = self.rng.choice(self.domain(fn, a))
            elif mode == "null":
                args[self.rng.choice(names)] = "NULL"
            elif mode == "edge":
                tables = [a for a, v in args.items()
                          if isinstance(v, spec.Rel) and v.name in spec.EDGE_FAMILY]
                if tables:
                    a = self.rng.choice(tables)
                    fam = spec.EDGE_FAMILY[args[a].name]
                    args[a] = spec.Rel(f"{fam}__{self.rng.choice(fixtures.edges_for(fam))}")
                else:
                    mode = "mutate"
                    a = self.rng.choice(names)
                    args[a] = self.rng.choice(self.domain(fn, a))
            elif mode == "relkind":
                tables = [a for a in names if fn.types[a] in ("regclass", "regclass[]")]
                if tables:
                    a = self.rng.choice(tables)
                    w = self.rng.choice(spec.WRONG_KINDS)
                    args[a] = w if fn.types[a] == "regclass" else spec.RelArray(w)
            elif mode == "generic":
                args = {}
                for a in names:
                    if a in fn.required or self.rng.random() < 0.4:
                        args[a] = self.rng.choice(self.domain(fn, a))
            self.add(fn, mode, args, ctx, ctx_arg)
        return self.calls


# ---------------------------------------------------------------------------
# running calls
# ---------------------------------------------------------------------------
def connect(dsn, **kw):
    return psycopg.connect(dsn, autocommit=True, **kw)


def finite_check(description, rows):
    """names of the result columns holding a NaN or an infinity"""
    bad = set()

    def walk(v):
        if isinstance(v, float):
            return not math.isfinite(v)
        if isinstance(v, decimal.Decimal):
            return not v.is_finite()
        if isinstance(v, (list, tuple)):
            return any(walk(x) for x in v)
        return False

    for row in rows:
        for col, v in zip(description, row):
            if walk(v):
                bad.add(col.name)
    return sorted(bad)


# Functions that compute on the rows of the tables they are given (not
# those that only check columns or queue a job).  Their successful results on
# the overflow edges are silently wrong (issue 18): every row of a "__huge"
# table has features near 1e306, whose squares overflow float8, and a
# regression on a "__hugelabel" table has labels of +-1e308; acq must refuse
# them (22003), never return a score computed from overflowed arithmetic.
COMPUTING = {"select_sources", "subset_gain", "subset_profits", "evaluate", "acquisition_curve",
             "hard_examples", "mycroft_select", "rank_owners", "acquire"}
HUGE_FEATURES = re.compile(r"__huge\b")
HUGE_LABELS = re.compile(r"__hugelabel\b")
# the edges change columns x (features) and t (the regression label) only: a
# call that reads other columns of those tables computes on ordinary values
READS_X = re.compile(r'"(hard_)?features" => \(\'x\'\)')
READS_T = re.compile(r'"label" => \(\'t\'\)')


def overflow_check(fn, sql):
    """why a successful call on an overflow edge is silently wrong, or []"""
    if fn not in COMPUTING:
        return []
    if HUGE_FEATURES.search(sql) and READS_X.search(sql):
        return ["<accepted features near 1e306>"]
    if HUGE_LABELS.search(sql) and READS_T.search(sql) and "'regression'" in sql and fn != "acquire":
        return ["<accepted regression labels of 1e308>"]
    return []


def digest(fn, description, rows):
    masked = spec.MASKED_COLUMNS.get(fn, set())
    keep = [i for i, c in enumerate(description or []) if c.name not in masked]
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(tuple(row[i] for i in keep)).encode())
        h.update(b"\n")
    return h.hexdigest()


class Runner:
    def __init__(self, args, dsn, subst):
        self.args, self.dsn, self.subst = args, dsn, subst
        self.subst_re = re.compile(r"\{(" + "|".join(map(re.escape, subst)) + r")\}")
        self.ctl = connect(dsn)
        self.ctl_lock = threading.Lock()
        self.conn = self.session()
        self.conn2 = None
        self.start_time = self.ctl.execute("SELECT pg_postmaster_start_time()").fetchone()[0]
        self.committed_jobs = []
        # acq.max_memory (kB) as the server has it: the bound of every call's peak
        self.ctl.execute("LOAD 'acq'")      # its settings appear once the library is loaded
        self.max_memory_kb = self.ctl.execute(
            "SELECT setting::bigint FROM pg_settings WHERE name = 'acq.max_memory'").fetchone()[0]
        self.peak_kb = {}           # function -> the largest backend peak seen after its calls

    def session(self):
        c = connect(self.dsn)
        c.execute(f"SET ROLE {fixtures.USER}")
        for st in fixtures.session_sql():
            c.execute(st)
        c.execute("RESET ROLE")
        return c

    def sql_of(self, call):
        return self.subst_re.sub(lambda m: self.subst[m.group(1)], call.sql)

    def server_restarted(self):
        try:
            with connect(self.dsn, connect_timeout=10) as c:
                t = c.execute("SELECT pg_postmaster_start_time()").fetchone()[0]
            return t != self.start_time
        except psycopg.Error:
            return True

    def run(self, call, conn, timeout):
        """run one call on conn; sets call.outcome (and the rest)"""
        sql = self.sql_of(call)
        cur = conn.cursor()
        pid = conn.info.backend_pid
        done = threading.Event()
        state = {"fired": None, "hang": False, "finished": False}
        lock = threading.Lock()
        timers = []

        def fire_cancel():
            with lock:
                if state["finished"]:
                    return
                with self.ctl_lock:
                    self.ctl.execute("SELECT pg_cancel_backend(%s)", (pid,))
                state["fired"] = time.monotonic()

        def watchdog():
            # the call outlived its statement_timeout by the grace: a hang.
            # Ask it to stop; if it will not, end the run here.
            with lock:
                if state["finished"]:
                    return
                state["hang"] = True
            try:
                with connect(self.dsn) as c:
                    c.execute("SELECT pg_cancel_backend(%s)", (pid,))
                    if not done.wait(10):
                        c.execute("SELECT pg_terminate_backend(%s)", (pid,))
            except psycopg.Error:
                pass
            if not done.wait(20):
                print(f"FAIL hang: the call ignored statement_timeout, cancel and terminate:\n{call.describe()}",
                      flush=True)
                os._exit(1)

        t0 = time.monotonic()
        limit_ms = int(timeout * 1000)
        rows, description = [], None
        try:
            try:
                cur.execute("BEGIN READ ONLY" if call.ctx == "readonly" else "BEGIN")
                if call.ctx == "timeout":
                    limit_ms = call.ctx_arg
                cur.execute(f"SET LOCAL statement_timeout = {limit_ms}")
                if call.ctx != "super":
                    cur.execute(f"SET LOCAL ROLE {fixtures.NOBODY if call.ctx == 'nobody' else fixtures.USER}")
                w = threading.Timer(limit_ms / 1000 + self.args.grace, watchdog)
                w.daemon = True
                timers.append(w)
                w.start()
                if call.ctx == "cancel":
                    c = threading.Timer(call.ctx_arg, fire_cancel)
                    c.daemon = True
                    timers.append(c)
                    c.start()
                t0 = time.monotonic()
                if call.ctx == "guc":
                    name, value = call.ctx_arg
                    cur.execute(f"SET LOCAL {name} = {spec.lit(value)}")
                cur.execute(sql)
                if cur.description is not None:
                    description = cur.description
                    rows = cur.fetchall()
                call.state = "ok"
            finally:
                with lock:
                    state["finished"] = True
                done.set()
                for t in timers:
                    t.cancel()
            call.seconds = time.monotonic() - t0
            call.outcome = "ok"
            call.nonfinite = finite_check(description or [], rows) + overflow_check(call.fn, call.sql)
            call.digest = digest(call.fn, description, rows)
            if call.commit and call.fn.startswith("submit_") and rows:
                self.committed_jobs.append(rows[0][0])
            cur.execute("COMMIT" if call.commit else "ROLLBACK")
        except psycopg.Error as e:
            call.seconds = time.monotonic() - t0
            self.classify_error(call, conn, e, state, limit_ms)
        if state["hang"]:
            call.outcome = "hang"
        if call.outcome in ("cancelled", "timeout", "hang"):
            start = state["fired"] if call.outcome == "cancelled" and state["fired"] else None
            call.latency = (time.monotonic() - start) if start else max(0.0, call.seconds - limit_ms / 1000)
        if call.outcome == "ok" and call.nonfinite:
            call.outcome = "nonfinite"
        # the backend's peak resident size never passes acq.max_memory (plus
        # the backend's own): the limit is checked before memory is taken
        peak = backend_peak_kb(pid)
        if peak is not None:
            call.peak_kb = peak
            self.peak_kb[call.fn] = max(self.peak_kb.get(call.fn, 0), peak)
            if peak > self.max_memory_kb + MEMORY_SLACK_KB and call.outcome not in FAIL_KINDS:
                call.outcome = "memory"
                call.message = (f"the backend's peak resident size reached {peak // 1024} MB, over "
                                f"acq.max_memory ({self.max_memory_kb // 1024} MB) + {MEMORY_SLACK_KB // 1024} MB")
        # acq's internal functions (acq._*) are the extension owner's alone
        # (issue 18): one that returns for another role is open to PUBLIC
        if call.outcome == "ok" and call.fn.startswith("_") and call.ctx != "super":
            call.outcome = "open_internal"
        return call

    def classify_error(self, call, conn, e, state, limit_ms):
        d = e.diag
        st = d.sqlstate or e.sqlstate
        call.message = (d.message_primary or str(e)).strip()
        call.state = st
        if conn.broken or st in ("57P01", "57P02", "57P03") or st is None:
            call.outcome = "crash"
            call.message = f"connection lost ({st}): {call.message}"
            return
        if st == "57014":
            call.outcome = "timeout" if "statement timeout" in call.message else "cancelled"
        elif st.startswith("XX") or INTERNAL_RE.search(call.message):
            call.outcome = "internal"
        else:
            call.outcome = "error:" + st[:2]
        try:
            conn.execute("ROLLBACK")
        except psycopg.Error:
            pass

    def repeat(self, call, timeout):
        """run call again on the second connection; a different result is a
        failure (same seed, same arguments, same tables)"""
        if self.conn2 is None:
            self.conn2 = self.session()
        again = Call(call.idx, call.fn, call.mode, call.ctx, call.ctx_arg, call.sql)
        self.run(again, self.conn2, timeout)
        if again.outcome in ("timeout", "cancelled"):
            return None          # inconclusive: the machine was busy
        if again.outcome != call.outcome or again.digest != call.digest:
            return again
        return None

    def cleanup_jobs(self):
        """cancel what the run's committed submissions left running"""
        with self.ctl_lock:
            for j in self.committed_jobs:
                try:
                    self.ctl.execute("SELECT acq.cancel(%s)", (j,))
                except psycopg.Error:
                    pass
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                n = self.ctl.execute("SELECT count(*) FROM acq.job_status WHERE status IN ('queued', 'running') "
                                     "AND id = ANY(%s)", (self.committed_jobs,)).fetchone()[0]
                if n == 0:
                    break
                time.sleep(0.5)
            return self.ctl.execute("SELECT status, count(*) FROM acq.job_status WHERE id = ANY(%s) "
                                    "GROUP BY 1 ORDER BY 1", (self.committed_jobs,)).fetchall()


def match_known(call):
    for k in KNOWN:
        if k["kind"] != call.outcome:
            continue
        if "function" in k and k["function"] != call.fn:
            continue
        if "sql" in k and not re.search(k["sql"], call.sql):
            continue
        if "message" in k and not re.search(k["message"], call.message or ""):
            continue
        if "columns" in k and not set(call.nonfinite) <= set(k["columns"]):
            continue
        return k
    return None


# ---------------------------------------------------------------------------
# set-up
# ---------------------------------------------------------------------------
def list_gucs(c):
    """acq's settings a session may change, each with edge values"""
    c.execute("SELECT acq._worker_alive(0)")      # loads the library: its settings appear
    gucs = []
    for name, vartype, lo, hi in c.execute(
            "SELECT name, vartype, min_val, max_val FROM pg_settings WHERE name LIKE 'acq.%' "
            "AND context IN ('user', 'superuser') ORDER BY name").fetchall():
        if vartype == "integer":
            lo, hi = int(lo), int(hi)
            vals = [str(v) for v in (lo, hi, lo - 1, hi + 1, (lo + hi) // 2)] + ["abc", ""]
        elif vartype == "real":
            vals = [lo, hi, "NaN", "-1", "abc"]
        elif vartype == "bool":
            vals = ["on", "off", "maybe"]
        else:
            vals = ["", "x" * 1000]
        gucs.append((name, vals))
    return gucs


def setup(dsn, log):
    t0 = time.monotonic()
    with connect(dsn) as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS acq")
        for st in fixtures.roles_sql():
            c.execute(st)
        c.execute("BEGIN")
        c.execute(f"SET LOCAL ROLE {fixtures.USER}")
        c.execute(f"SET LOCAL search_path = {S}")
        for st in fixtures.base_sql() + fixtures.edge_sql():
            c.execute(st)
        c.execute("COMMIT")
        try:
            c.execute("BEGIN")
            for st in fixtures.superuser_sql():
                c.execute(st)
            c.execute("COMMIT")
        except psycopg.Error as e:
            c.execute("ROLLBACK")
            log(f"no foreign table fixture ({e.diag.message_primary}); {S}.ft is then a missing relation")
        toast = c.execute(f"SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = '{S}.long_text'::regclass"
                          ).fetchone()[0]
        c.execute("ANALYZE")
        # jobs and plans the calls refer to, made as the fixtures' owner
        c.execute(f"SET ROLE {fixtures.USER}")
        q = lambda sql: c.execute(sql).fetchone()[0]
        ss = f"'{S}.col_src', '{S}.val', 'x', 'y', source_column => 'src'"
        ids = {}
        ids["J_ok"] = q(f"SELECT acq.submit_select_sources({ss})")
        ids["J_fail"] = q(f"SELECT acq.submit_select_sources({ss}, costs => '{{\"nosuch\": 1}}')")
        ids["J_cancelled"] = q(f"SELECT acq.submit_select_sources({ss}, method => 'grasp', iterations => 1000000)")
        c.execute(f"SELECT acq.cancel({ids['J_cancelled']})")
        ids["J_acq"] = q(f"SELECT acq.submit_acquire('{S}.cons', '{S}.prov', '{S}.job_bought', 'x', 'y', 40, "
                         f"batch => 10)")
        ids["J_rank"] = q(f"SELECT acq.submit_rank_owners('{S}.mt_train', '{S}.hard', '{S}.held', "
                          f"'{{{S}.owner_a,{S}.owner_b}}', 'x', 'y', k => 5)")
        ids["P_big"] = q(f"SELECT plan_id FROM acq.acquire('{S}.big_cons', '{S}.big_prov', '{S}.big_bought', 'x', "
                         f"'y', 5000)")
        ids["P_sync"] = q(f"SELECT plan_id FROM acq.acquire('{S}.cons', '{S}.prov', '{S}.target_ok', 'x', 'y', 40, "
                          f"batch => 20)")
        for k in ("J_ok", "J_fail", "J_cancelled", "J_acq", "J_rank"):
            st = q(f"SELECT acq.job_wait({ids[k]}, '120 s')")
            log(f"set-up job {k} = {ids[k]}: {st}")
        ids["P_job"] = q(f"SELECT plan_id FROM acq.acquisition_plans WHERE job_id = {ids['J_acq']}")
        params = q(f"SELECT params::text FROM acq.jobs WHERE id = {ids['J_ok']}")
        c.execute("RESET ROLE")
        gucs = list_gucs(c)
    subst = {k: str(v) for k, v in ids.items() if v is not None}
    subst["P_job"] = str(ids["P_job"]) if ids["P_job"] is not None else "NULL"
    subst["J_ok_params"] = spec.lit(params)
    subst["toast"] = toast
    log(f"set-up: {len(fixtures.base_sql()) + len(fixtures.edge_sql())} statements, "
        f"{time.monotonic() - t0:.1f} s")
    return subst, gucs


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------
# error columns: the SQLSTATE classes acq raises most (22 data, 42 names and
# rights, 55 state, 02 empty tables (no data), 54 limits, 25 read-only, 23 integrity)
COLUMNS = ["calls", "ok", "22", "42", "55", "02", "54", "25", "23", "other", "cancelled", "timeout", "known",
           "FAIL"]


def column_of(call):
    if call.known:
        return "known"
    if call.outcome in FAIL_KINDS:
        return "FAIL"
    if call.outcome.startswith("error:"):
        cls = call.outcome[6:]
        return cls if cls in COLUMNS else "other"
    return call.outcome


def tables(calls, fns_order):
    per = collections.OrderedDict((f, collections.Counter()) for f in fns_order)
    for c in calls:
        per.setdefault(c.fn, collections.Counter())
        per[c.fn]["calls"] += 1
        per[c.fn][column_of(c)] += 1
    total = collections.Counter()
    for cnt in per.values():
        total.update(cnt)
    return per, total


def report(calls, fns_order, args, extra, out):
    per, total = tables(calls, fns_order)
    w = max(len(f) for f in per) + 2
    out.write("per function (error columns: SQLSTATE class)\n")
    out.write(f"{'function':<{w}}" + "".join(f"{c:>10}" for c in COLUMNS) + "\n")
    for f, cnt in list(per.items()) + [("total", total)]:
        out.write(f"{f:<{w}}" + "".join(f"{cnt[c]:>10}" for c in COLUMNS) + "\n")
    states = collections.Counter(c.state for c in calls if c.state and c.state != "ok")
    out.write("SQLSTATEs: " + ", ".join(f"{s} {n}" for s, n in sorted(states.items())) + "\n")
    for line in extra:
        out.write(line + "\n")


def markdown(calls, fns_order, args, extra, path, elapsed):
    per, total = tables(calls, fns_order)
    with open(path, "w") as f:
        f.write(f"seed {args.seed}, {len(calls)} calls, timeout {args.timeout:g} s, {elapsed:.0f} s\n\n")
        f.write("| function | " + " | ".join(COLUMNS) + " |\n")
        f.write("|---|" + "---:|" * len(COLUMNS) + "\n")
        for fn, cnt in list(per.items()) + [("**total**", total)]:
            f.write(f"| `{fn}` | " + " | ".join(str(cnt[c]) for c in COLUMNS) + " |\n")
        states = collections.Counter(c.state for c in calls if c.state and c.state != "ok")
        f.write("\nSQLSTATEs: " + ", ".join(f"`{s}` {n}" for s, n in sorted(states.items())) + "\n")
        for line in extra:
            f.write("\n" + line + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--timeout", type=float, default=20, help="statement_timeout of a call, s")
    ap.add_argument("--grace", type=float, default=5, help="past its timeout a call is a hang, s")
    ap.add_argument("--repeat-share", type=float, default=0.15,
                    help="share of successful calls repeated for the determinism check")
    ap.add_argument("--max-commits", type=int, default=10, help="submissions committed (their jobs run)")
    ap.add_argument("--dsn", default="", help="libpq connection string (default: the environment)")
    ap.add_argument("--server-log", help="the server's log, searched for crashes at the end")
    ap.add_argument("--markdown", help="write the counts as a Markdown table to this file")
    ap.add_argument("--plan-only", action="store_true", help="print the plan's digest and calls, run nothing")
    ap.add_argument("--verbose", action="store_true", help="print every call and its outcome")
    args = ap.parse_args()
    log = lambda m: print(f"fuzz: {m}", flush=True)
    t_start = time.monotonic()

    if args.plan_only:
        # the plan needs the function list (and the settings) only
        with connect(args.dsn) as c:
            fns, skipped = load_functions(c)
            gucs = list_gucs(c)
    else:
        subst, gucs = setup(args.dsn, log)
        with connect(args.dsn) as c:
            fns, skipped = load_functions(c)
    for name, why in skipped:
        log(f"not called: acq.{name} ({why})")
    calls = Planner(fns, gucs, args.seed, args.calls, args.repeat_share, args.max_commits).plan()
    plan_digest = hashlib.sha256("\n".join(f"{c.ctx} {c.ctx_arg} {c.sql}" for c in calls).encode()).hexdigest()
    log(f"seed {args.seed}: {len(calls)} calls over {len(fns)} functions; plan {plan_digest[:16]}")
    if args.plan_only:
        for c in calls:
            print(c.describe())
        return 0

    log_start = 0
    if args.server_log:
        try:
            log_start = os.path.getsize(args.server_log)     # judge only what this run logs
        except OSError:
            pass
    runner = Runner(args, args.dsn, subst)
    failures, hits = [], collections.Counter()
    last_report = time.monotonic()

    def settle(call):
        if call.outcome in FAIL_KINDS:
            k = match_known(call)
            if k:
                call.known = k["name"]
                hits[k["name"]] += 1
            else:
                failures.append(call)
                extra = f" -> {call.state}: {call.message}" if call.message else ""
                if call.nonfinite:
                    extra = f" -> non-finite {', '.join(call.nonfinite)}"
                print(f"FAIL {call.outcome}: {call.describe()}{extra}", flush=True)

    for call in calls:
        runner.run(call, runner.conn, args.timeout)
        if args.verbose:
            print(f"#{call.idx} {call.fn} {call.ctx} {call.outcome} {call.state or ''} {call.seconds:.3f}s "
                  f"{(call.message or '')[:100]}", flush=True)
        if call.outcome == "crash":
            if runner.server_restarted():
                call.message += " (the server restarted)"
            settle(call)
            print("fuzz: stopping: the server crashed or the connection was lost", flush=True)
            break
        settle(call)
        if call.outcome == "hang" and runner.conn.broken:
            runner.conn = runner.session()      # it was terminated: go on with a new session
        if call.idx % 200 == 0 and runner.server_restarted():
            call.outcome = "crash"
            call.message = "the server restarted during or before this call"
            settle(call)
            break
        if time.monotonic() - last_report > 30:
            last_report = time.monotonic()
            log(f"{call.idx}/{len(calls)} calls, {len(failures)} failures")
    ran = [c for c in calls if c.outcome is not None]

    # determinism: repeat a sample of successful calls on another connection
    repeated = differ = 0
    if not any(c.outcome == "crash" for c in ran):
        for call in ran:
            if call.repeat and call.outcome == "ok":
                repeated += 1
                again = runner.repeat(call, args.timeout)
                if again is not None:
                    differ += 1
                    call.outcome = "nondeterministic"
                    call.message = f"again: {again.outcome} {again.state or ''} {again.message or ''}"
                    settle(call)
    jobs = runner.cleanup_jobs() if runner.committed_jobs else []

    extra = []
    if not any(c.outcome == "crash" for c in ran) and runner.server_restarted():
        failures.append(None)
        extra.append("FAIL crash: the server restarted during the run")
    if args.server_log:
        try:
            with open(args.server_log, errors="replace") as f:
                f.seek(log_start)
                bad = [l.rstrip() for l in f if re.search(r"terminated by signal|PANIC|TRAP:|was terminated", l)]
            for l in bad[:20]:
                extra.append(f"FAIL crash (server log): {l}")
            if bad:
                failures.append(None)
        except OSError as e:
            extra.append(f"server log not read: {e}")
    lat = collections.defaultdict(float)
    for c in ran:
        if c.outcome in ("cancelled", "timeout"):
            lat[c.fn] = max(lat[c.fn], c.latency)
    slow = sorted((c for c in ran if c.outcome == "ok"), key=lambda c: -c.seconds)[:5]
    extra.append(f"determinism: {repeated} successful calls repeated on another connection, {differ} differed")
    nf = [c for c in ran if c.outcome == "nonfinite"]
    extra.append(f"silently wrong (a NaN or infinity in a successful result): {len(nf)} calls, "
                 f"{sum(1 for c in nf if c.known)} of them known"
                 + (" (" + ", ".join(f"{f} {n}" for f, n in collections.Counter(c.fn for c in nf).items()) + ")"
                    if nf else ""))
    extra.append("slowest stop after a cancel or statement_timeout: "
                 + ", ".join(f"{f} {s:.2f} s" for f, s in sorted(lat.items(), key=lambda x: -x[1])[:6]))
    if runner.peak_kb:
        top = sorted(runner.peak_kb.items(), key=lambda x: -x[1])[:5]
        extra.append(f"peak backend memory (VmHWM, bound acq.max_memory {runner.max_memory_kb // 1024} MB + "
                     f"{MEMORY_SLACK_KB // 1024} MB): " + ", ".join(f"{f} {kb // 1024} MB" for f, kb in top))
    else:
        extra.append("peak backend memory: not measured (the server's /proc is not readable here)")
    extra.append("slowest successful calls: " + ", ".join(f"#{c.idx} {c.fn} {c.seconds:.1f} s" for c in slow))
    if jobs:
        extra.append("committed submissions' jobs: " + ", ".join(f"{s} {n}" for s, n in jobs))
    for k in KNOWN:
        extra.append(f"known finding {k['name']} (issue {k['issue']}): {hits[k['name']]} calls")
    elapsed = time.monotonic() - t_start
    print()
    report(ran, [f.name for f in fns], args, extra, sys.stdout)
    if args.markdown:
        markdown(ran, [f.name for f in fns], args, extra, args.markdown, elapsed)
    nfail = len(failures)
    print(f"fuzz: seed {args.seed}, plan {plan_digest[:16]}: {len(ran)} calls in {elapsed:.0f} s, "
          f"{nfail} failures")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
