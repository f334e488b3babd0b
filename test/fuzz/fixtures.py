"""test/fuzz/fixtures.py -- the fuzz suite's tables, in a schema of its own.

Everything is built from generate_series and sin/cos, so the same SQL gives
the same rows on every run.  The schema holds

- valid problems for each capability: partitioned sources and a source
  column table with a validation table (source selection), a provider, a
  consumer and a test table with integer ids (acquisition), a trainer, a
  test set, hard and held-back rows and owners (Mycroft);
- edge variants of those tables, named <base>__<edge> (NaN, +-Infinity,
  NULL, ragged, 2-D, empty and very long arrays, an array lower bound of 0,
  huge and tiny values, NULL, non-0/1, one-class and huge labels, 0 and 1
  rows, duplicate, NULL and near-overflow ids);
- relations of the wrong kind: views, materialised views, partitioned tables
  without partitions, a partition, temp tables (per session: see
  session_sql), a sequence, an index, a composite type, a foreign table
  (file_fdw, when the server has it), a TOAST table, names that need quotes;
- many sources (2,000 values of a source column; 30 values).

Roles: acq_fuzz_user owns the schema and runs most calls; acq_fuzz_nobody
may use the schema but reads only a few of its tables (some by column).
"""

SCHEMA = "acq_fuzz"
SCHEMA2 = "acq_fuzz_2"      # a second schema: a partition named like one in SCHEMA
USER = "acq_fuzz_user"
NOBODY = "acq_fuzz_nobody"

# feature width of the wide problem (rows << features); see docs/hardening.md
# for why the 10,000-wide case of issue 16 is not in the default run
WIDE = 300


def _x3(i, cls, off="0"):
    """a 3-d point around class cls's centre, deterministic in i"""
    return (f"ARRAY[({cls}) * 1.2 + sin(({i}) * 0.731 + {off}), "
            f"({cls}) * 0.8 + cos(({i}) * 1.127 + {off}), sin(({i}) * 0.071)]::float8[]")


def base_sql():
    """CREATE statements of the base tables, run as USER in SCHEMA"""
    s = []
    a = s.append
    # ---- source selection -------------------------------------------------
    # y: 0/1 with a little noise; t: a regression target; g: the sensitive
    # group; xn/xi/xr/xt/xs/xj: features of other types (numeric[], int[],
    # real[], text[], a scalar, jsonb)
    cols = """id bigint, src text, x float8[], y int, t float8, g text, b bool, lab text,
              xn numeric[], xi int[], xr real[], xt text[], xs float8, xj jsonb"""
    row = lambda i, srcexpr, off: f"""
        SELECT i, {srcexpr}, {_x3('i', 'i % 2', off)},
               ((i % 2) + (i % 7 = 0)::int) % 2, sin(i) * 2 + (i % 2) * 3,
               CASE WHEN i % 3 = 0 THEN 'B' ELSE 'W' END, i % 3 <> 0, 'r' || i,
               NULL, NULL, NULL, NULL, sin(i), NULL"""
    fill = """UPDATE {t} SET xn = x::numeric[], xi = ARRAY[round(x[1] * 10)::int, round(x[2] * 10)::int,
              round(x[3] * 10)::int], xr = x::real[], xt = x::text[], xj = to_jsonb(x)"""
    a(f"CREATE TABLE col_src ({cols})")
    src6, src30, src2000 = "'s' || (i % 6 + 1)", "lpad((i % 30)::text, 2, '0')", "'m' || (i % 2000)"
    a(f"INSERT INTO col_src {row('i', src6, '0')} FROM generate_series(1, 240) i")
    a(fill.format(t="col_src"))
    a("ALTER TABLE col_src ADD PRIMARY KEY (id)")
    a(f"CREATE TABLE val ({cols})")
    a(f"INSERT INTO val {row('i', 'NULL', '0.3')} FROM generate_series(1001, 1080) i")
    a(fill.format(t="val"))
    a(f"CREATE TABLE part ({cols}) PARTITION BY LIST (src)")
    a("CREATE TABLE part_a PARTITION OF part FOR VALUES IN ('s1', 's2')")
    a("CREATE TABLE part_b PARTITION OF part FOR VALUES IN ('s3')")
    a("CREATE TABLE part_c PARTITION OF part FOR VALUES IN ('s4')")
    a("CREATE TABLE part_d PARTITION OF part (PRIMARY KEY (id)) FOR VALUES IN ('s5', 's6')")
    a("INSERT INTO part SELECT * FROM col_src")
    # partitioned edge cases: no partition; one partition; one class; a
    # nested partition; a partition holding a NaN
    a(f"CREATE TABLE part_empty ({cols}) PARTITION BY LIST (src)")
    a(f"CREATE TABLE part_one ({cols}) PARTITION BY LIST (src)")
    a("CREATE TABLE part_one_a PARTITION OF part_one DEFAULT")
    a("INSERT INTO part_one SELECT * FROM col_src")
    a(f"CREATE TABLE part_oneclass ({cols}) PARTITION BY LIST (src)")
    a("CREATE TABLE part_oneclass_a PARTITION OF part_oneclass FOR VALUES IN ('s1', 's2', 's3')")
    a("CREATE TABLE part_oneclass_b PARTITION OF part_oneclass DEFAULT")
    a("INSERT INTO part_oneclass SELECT id, src, x, 1, t, g, b, lab, xn, xi, xr, xt, xs, xj FROM col_src")
    a(f"CREATE TABLE part_nested ({cols}) PARTITION BY LIST (src)")
    a("CREATE TABLE part_nested_a PARTITION OF part_nested FOR VALUES IN ('s1', 's2', 's3') PARTITION BY LIST (src)")
    a("CREATE TABLE part_nested_a1 PARTITION OF part_nested_a FOR VALUES IN ('s1')")
    a("CREATE TABLE part_nested_a2 PARTITION OF part_nested_a DEFAULT")
    a("CREATE TABLE part_nested_b PARTITION OF part_nested DEFAULT")
    a("INSERT INTO part_nested SELECT * FROM col_src")
    a(f"CREATE TABLE part_nan ({cols}) PARTITION BY LIST (src)")
    a("CREATE TABLE part_nan_a PARTITION OF part_nan FOR VALUES IN ('s1', 's2', 's3')")
    a("CREATE TABLE part_nan_b PARTITION OF part_nan DEFAULT")
    a("INSERT INTO part_nan SELECT * FROM col_src")
    a("UPDATE part_nan SET x[2] = 'NaN' WHERE id = 17")
    # a partition attached with its columns in another order and a dropped
    # column (its attribute numbers differ from the parent's); partitions
    # whose names need quotes; two partitions of one name in two schemas
    a(f"CREATE TABLE part_attach ({cols}) PARTITION BY LIST (src)")
    a("CREATE TABLE part_attach_a PARTITION OF part_attach FOR VALUES IN ('s1', 's2', 's3')")
    a("""CREATE TABLE part_attach_b (gone int, y int, xj jsonb, xs float8, xt text[], xr real[], xi int[],
          xn numeric[], lab text, b bool, g text, t float8, x float8[], src text, id bigint)""")
    a("ALTER TABLE part_attach_b DROP COLUMN gone")
    a("ALTER TABLE part_attach ATTACH PARTITION part_attach_b DEFAULT")
    a("INSERT INTO part_attach SELECT * FROM col_src")
    a(f"CREATE TABLE part_q ({cols}) PARTITION BY LIST (src)")
    a("""CREATE TABLE "P q" PARTITION OF part_q FOR VALUES IN ('s1', 's2', 's3')""")
    a("""CREATE TABLE "p""2" PARTITION OF part_q DEFAULT""")
    a("INSERT INTO part_q SELECT * FROM col_src")
    a(f"CREATE TABLE part_twins ({cols}) PARTITION BY LIST (src)")
    a("CREATE TABLE twin PARTITION OF part_twins FOR VALUES IN ('s1', 's2', 's3')")
    a(f"CREATE TABLE {SCHEMA2}.twin PARTITION OF part_twins DEFAULT")
    a("INSERT INTO part_twins SELECT * FROM col_src")
    # a table with a dropped column before the features; inheritance (not
    # partitioning): a provider and an owner whose rows are split over a
    # parent and a child (ctids repeat across them); domain-typed columns
    a(f"CREATE TABLE col_dropped (gone1 int, {cols}, gone2 text)")
    a("INSERT INTO col_dropped SELECT 0, *, 'z' FROM col_src")
    a("ALTER TABLE col_dropped DROP COLUMN gone1, DROP COLUMN gone2")
    a("CREATE DOMAIN vec AS float8[] CHECK (array_ndims(VALUE) = 1)")
    a("CREATE DOMAIN bit01 AS int CHECK (VALUE IN (0, 1))")
    a("CREATE TABLE col_domain (id bigint, src text, x vec, y bit01, t float8)")
    a("INSERT INTO col_domain SELECT id, src, x, y, t FROM col_src")
    # many sources: 30 (over acq.max_exhaustive_sources) and 2,000 (over 256)
    a(f"CREATE TABLE mid_src ({cols})")
    a(f"INSERT INTO mid_src {row('i', src30, '0.1')} FROM generate_series(1, 240) i")
    a(f"CREATE TABLE many_src ({cols})")
    a(f"INSERT INTO many_src {row('i', src2000, '0.2')} FROM generate_series(1, 4000) i")
    # the wide problem: 24 rows of WIDE features, two sources
    a("CREATE TABLE wide_src (id bigint, src text, x float8[], y int, t float8)")
    a(f"""INSERT INTO wide_src SELECT i, 's' || (i % 2), ARRAY(SELECT sin(i * 0.37 + j * 0.11) FROM generate_series(1, {WIDE}) j),
          i % 2, cos(i) FROM generate_series(1, 24) i""")
    a("CREATE TABLE wide_val AS SELECT id + 100 AS id, x, y, t FROM wide_src")
    # names that need quotes
    a("""CREATE TABLE "Q t; 'x" (id bigint, "S rc" text, "X col" float8[], "Y" int, "T" float8)""")
    a("""INSERT INTO "Q t; 'x" SELECT id, CASE WHEN src IN ('s1', 's2', 's3') THEN 'a b' ELSE 'C"d' END, x, y, t FROM col_src""")
    a("""CREATE TABLE "Q v" AS SELECT id, "X col", "Y", "T" FROM "Q t; 'x" """)
    # ---- acquisition ------------------------------------------------------
    # a provider of 4 classes on a plane (class c around (c, c)); the
    # consumer holds classes 0-2 and a corner of 3; t a regression target
    a("CREATE TABLE prov (id bigint PRIMARY KEY, x float8[], y int, t float8, lab text, xi int[], xt text[])")
    a("""INSERT INTO prov SELECT i, ARRAY[(i % 4) + sin(i * 0.731) * 0.9, (i % 4) + cos(i * 1.127) * 0.9],
          i % 4, (i % 4) * 10 + sin(i), 'r' || i, NULL, NULL FROM generate_series(1, 400) i""")
    a("CREATE TABLE cons (LIKE prov)")
    a("""INSERT INTO cons SELECT 10000 + i, ARRAY[(i % 3) + sin(i * 0.377) * 0.9, (i % 3) + cos(i * 0.913) * 0.9],
          i % 3, (i % 3) * 10 + cos(i), 'c' || i, NULL, NULL FROM generate_series(1, 72) i""")
    a("""INSERT INTO cons SELECT 10100 + i, ARRAY[3.5 + sin(i * 0.5) * 0.1, 3.5 + cos(i * 0.5) * 0.1], 3, 30,
          'c' || i, NULL, NULL FROM generate_series(1, 8) i""")
    a("CREATE TABLE test_acq (LIKE prov)")
    a("""INSERT INTO test_acq SELECT 20000 + i, ARRAY[(i % 4) + sin(i * 0.211) * 0.9, (i % 4) + cos(i * 0.619) * 0.9],
          i % 4, (i % 4) * 10 + sin(i * 3), 't' || i, NULL, NULL FROM generate_series(1, 120) i""")
    for t in ("prov", "cons", "test_acq"):
        a(f"UPDATE {t} SET xi = ARRAY[round(x[1] * 10)::int, round(x[2] * 10)::int], xt = x::text[]")
    # a partitioned provider; a target of the right shape; one of another
    a("CREATE TABLE prov_part (LIKE prov) PARTITION BY RANGE (id)")
    a("CREATE TABLE prov_part_1 PARTITION OF prov_part FOR VALUES FROM (1) TO (200)")
    a("CREATE TABLE prov_part_2 PARTITION OF prov_part FOR VALUES FROM (200) TO (MAXVALUE)")
    a("INSERT INTO prov_part SELECT * FROM prov")
    a("CREATE TABLE wrong_shape (id text, x int, extra int)")
    # ---- Mycroft ----------------------------------------------------------
    # class 0 around (0, 0), class 1 around (3, 3); the test set also holds
    # class 1 around (0, -4), which the trainer never saw (the hard rows)
    pt = lambda i, cx, cy: f"ARRAY[{cx} + sin({i} * 0.731) * 1.2, {cy} + cos({i} * 1.127) * 1.2, sin({i} * 0.071)]::float8[]"
    mcols = "id bigint, x float8[], y int, t float8, lab text, g float8[], xi int[]"
    a(f"CREATE TABLE mt_train ({mcols})")
    a(f"""INSERT INTO mt_train SELECT i, {pt('i', '(i % 2) * 3', '(i % 2) * 3')}, i % 2, sin(i), 'r' || i, NULL, NULL
          FROM generate_series(1, 200) i""")
    a(f"CREATE TABLE mt_test ({mcols})")
    a(f"""INSERT INTO mt_test SELECT 1000 + i,
          {pt('i * 7', 'CASE WHEN i % 3 = 1 THEN 3 ELSE 0 END', 'CASE i % 3 WHEN 0 THEN 0 WHEN 1 THEN 3 ELSE -4 END')},
          CASE WHEN i % 3 = 0 THEN 0 ELSE 1 END, sin(i), 't' || i, NULL, NULL FROM generate_series(1, 150) i""")
    a(f"CREATE TABLE hard ({mcols})")
    a("INSERT INTO hard SELECT * FROM mt_test WHERE id % 3 = 2 AND id % 2 = 0")
    a(f"CREATE TABLE held ({mcols})")
    a("INSERT INTO held SELECT * FROM mt_test WHERE id % 3 = 2 AND id % 2 = 1")
    a(f"CREATE TABLE owner_a ({mcols})")
    a(f"""INSERT INTO owner_a SELECT 5000 + i, {pt('i * 3', '0', 'CASE WHEN i % 2 = 0 THEN 0 ELSE -4 END')}, i % 2,
          sin(i), 'o' || i, NULL, NULL FROM generate_series(1, 300) i""")
    a(f"CREATE TABLE owner_b ({mcols})")
    a(f"""INSERT INTO owner_b SELECT 7000 + i, {pt('i * 5', '(i % 2) * 3', '(i % 2) * 3')}, i % 2,
          sin(i), 'o' || i, NULL, NULL FROM generate_series(1, 300) i""")
    for t in ("mt_train", "mt_test", "hard", "held", "owner_a", "owner_b"):
        a(f"UPDATE {t} SET g = x || ARRAY[y::float8], xi = ARRAY[round(x[1] * 10)::int, round(x[2] * 10)::int, 0]")
    # ---- large tables: calls on them run long enough to be cancelled or
    # timed out mid-flight (spec.HEAVY) -------------------------------------
    big = lambda i, c: f"ARRAY(SELECT ({c}) * 0.3 + sin(({i}) * (j * 0.37 + 0.11)) FROM generate_series(1, 16) j)"
    a("CREATE TABLE big_src (id bigint, src text, x float8[], y int, t float8)")
    a(f"""INSERT INTO big_src SELECT i, 'b' || lpad((i % 12)::text, 2, '0'), {big('i', '(i % 2)')},
          ((i % 2) + (i % 5 = 0)::int) % 2, sin(i) + (i % 2) FROM generate_series(1, 20000) i""")
    a(f"""CREATE TABLE big_val AS SELECT i AS id, {big('i', '(i % 2)')} AS x, i % 2 AS y, sin(i) + (i % 2) AS t
          FROM generate_series(100001, 102000) i""")
    for t, lo, n in (("big_prov", 1, 30000), ("big_cons", 100001, 3000), ("big_test", 200001, 3000),
                     ("big_owner", 300001, 40000), ("big_hard", 400001, 300), ("big_held", 500001, 300)):
        a(f"""CREATE TABLE {t} AS SELECT i::bigint AS id, {big('i', '(i % 10)')} AS x, i % 10 AS y,
              (i % 10) + sin(i) AS t FROM generate_series({lo}, {lo + n - 1}) i""")
    a("ALTER TABLE big_prov ADD PRIMARY KEY (id)")
    a("CREATE TABLE prov_inh (LIKE prov)")
    a("INSERT INTO prov_inh SELECT * FROM prov WHERE id <= 200")
    a("CREATE TABLE prov_inh_child () INHERITS (prov_inh)")
    a("INSERT INTO prov_inh_child SELECT * FROM prov WHERE id > 200")
    a("CREATE TABLE big_owner_inh (id bigint, x float8[], y int, g float8[])")
    a("""INSERT INTO big_owner_inh SELECT id, x, y, x || x || ARRAY[y::float8] FROM big_owner WHERE id % 2 = 0""")
    a("CREATE TABLE big_owner_inh_child () INHERITS (big_owner_inh)")
    a("""INSERT INTO big_owner_inh_child SELECT id, x, y, x || x || ARRAY[y::float8] FROM big_owner WHERE id % 2 = 1""")
    a("CREATE TABLE big_hard_g AS SELECT id, x, y, x || x || ARRAY[y::float8] AS g FROM big_hard")
    # ---- wrong kinds --------------------------------------------------------
    for t in ("col_src", "val", "prov", "cons", "owner_a", "hard"):
        a(f"CREATE VIEW v_{t} AS SELECT * FROM {t}")
        a(f"CREATE MATERIALIZED VIEW mv_{t} AS SELECT * FROM {t}")
    a("CREATE SEQUENCE seq1")
    a("CREATE INDEX col_src_x_idx ON col_src (lab)")
    a("CREATE TYPE ctype AS (id bigint, src text, x float8[], y int, t float8)")
    a("CREATE TABLE long_text (id bigint, x float8[], y int, note text)")
    a("INSERT INTO long_text SELECT id, x, y, repeat('z', 100000) FROM col_src WHERE id < 5")
    # role acq_fuzz_nobody: the schema, one table, and two columns of another
    a(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {NOBODY}")
    a(f"GRANT SELECT ON val, v_col_src, test_acq, hard TO {NOBODY}")
    a(f"GRANT SELECT (id, x) ON col_src, prov TO {NOBODY}")
    return s


# edge variants: name -> UPDATE/DELETE statements on table {t} (a copy of a
# base), with {d} the feature width and {y}/{l} the label columns present
EDGES = {
    "nan": ["UPDATE {t} SET x[1] = 'NaN' WHERE id = (SELECT min(id) FROM {t})"],
    "inf": ["UPDATE {t} SET x[2] = 'Infinity' WHERE id = (SELECT max(id) FROM {t})"],
    "ninf": ["UPDATE {t} SET x[1] = '-Infinity' WHERE id = (SELECT min(id) FROM {t})"],
    "nullx": ["UPDATE {t} SET x = NULL WHERE id = (SELECT max(id) FROM {t})"],
    "nullelem": ["UPDATE {t} SET x[2] = NULL WHERE id = (SELECT min(id) FROM {t})"],
    "ragged": ["UPDATE {t} SET x = x || 0.5::float8 WHERE id = (SELECT max(id) FROM {t})"],
    "short": ["UPDATE {t} SET x = x[1:1] WHERE id = (SELECT min(id) FROM {t})"],
    "empty": ["UPDATE {t} SET x = '{{}}' WHERE id = (SELECT min(id) FROM {t})"],
    "twod": ["UPDATE {t} SET x = ARRAY[x, x] WHERE id = (SELECT max(id) FROM {t})"],
    "lbound0": ["UPDATE {t} SET x = ('[0:' || (array_length(x, 1) - 1) || ']=' || x::text)::float8[]"],
    "longrow": ["UPDATE {t} SET x = array_fill(0.5::float8, ARRAY[100000]) WHERE id = (SELECT min(id) FROM {t})"],
    "huge": ["UPDATE {t} SET x = ARRAY(SELECT v * 1e306 FROM unnest(x) v)"],
    "tiny": ["UPDATE {t} SET x = ARRAY(SELECT v * 1e-310 FROM unnest(x) v)"],
    "const": ["UPDATE {t} SET x = array_fill(1::float8, ARRAY[array_length(x, 1)])"],
    "dup": ["UPDATE {t} SET x = (SELECT x FROM {t} ORDER BY id LIMIT 1)"],
    "nully": ["UPDATE {t} SET y = NULL WHERE id = (SELECT max(id) FROM {t})"],
    "y2": ["UPDATE {t} SET y = 2 WHERE id = (SELECT min(id) FROM {t}) AND y IN (0, 1)"],
    "oneclass": ["UPDATE {t} SET y = 1"],
    "hugelabel": ["UPDATE {t} SET t = CASE WHEN id % 2 = 0 THEN 1e308 ELSE -1e308 END, y = y * 100000000"],
    "nant": ["UPDATE {t} SET t = 'NaN' WHERE id = (SELECT min(id) FROM {t})"],
    "zero": ["DELETE FROM {t}"],
    "one": ["DELETE FROM {t} WHERE id <> (SELECT min(id) FROM {t})"],
    "dupid": ["UPDATE {t} SET id = (SELECT min(id) FROM {t}) WHERE id = (SELECT max(id) FROM {t})"],
    "nullid": ["UPDATE {t} SET id = NULL WHERE id = (SELECT max(id) FROM {t})"],
    "bigid": ["UPDATE {t} SET id = 9223372036854000000 + id"],
    # a NULL bitmap left behind on an array that no longer holds a NULL
    "nullbitmap": ["UPDATE {t} SET x[2] = NULL", "UPDATE {t} SET x[2] = 0.25"],
    # numeric labels, one beyond float8's range
    "numlabel": ["ALTER TABLE {t} ALTER COLUMN y TYPE numeric, ALTER COLUMN t TYPE numeric",
                 "UPDATE {t} SET t = 1e400, y = 1e400 WHERE id = (SELECT min(id) FROM {t})"],
}
# edges of the source-column table only: NULL, empty and odd source names
EDGES_SRC = {
    "nullsrc": ["UPDATE {t} SET src = NULL WHERE id % 7 = 0"],
    "weirdsrc": ["UPDATE {t} SET src = CASE id % 4 WHEN 0 THEN '' WHEN 1 THEN 'a\"b''c' WHEN 2 THEN repeat('s', 300) "
                 "ELSE src END"],
}


def edges_for(base):
    return sorted(EDGES) + (sorted(EDGES_SRC) if base == "col_src" else [])
EDGE_BASES = ["col_src", "val", "prov", "cons", "test_acq", "mt_train", "mt_test", "hard", "held", "owner_a"]


def edge_sql():
    s = []
    for base in EDGE_BASES:
        for edge in edges_for(base):
            stmts = EDGES.get(edge) or EDGES_SRC[edge]
            t = f"{base}__{edge}"
            s.append(f"CREATE TABLE {t} AS SELECT * FROM {base}")
            for st in stmts:
                s.append(st.format(t=t))
    return s


def roles_sql():
    """run as a superuser, before base_sql"""
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{USER}') THEN "
        f"CREATE ROLE {USER} LOGIN; END IF; "
        f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{NOBODY}') THEN "
        f"CREATE ROLE {NOBODY} LOGIN; END IF; END $$",
        f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE",
        f"DROP SCHEMA IF EXISTS {SCHEMA2} CASCADE",
        f"CREATE SCHEMA {SCHEMA} AUTHORIZATION {USER}",
        f"CREATE SCHEMA {SCHEMA2} AUTHORIZATION {USER}",
    ]


def superuser_sql():
    """superuser-only fixtures, after base_sql: a foreign table (file_fdw,
    if installed) and nothing else"""
    return [
        "CREATE EXTENSION IF NOT EXISTS file_fdw",
        "CREATE SERVER IF NOT EXISTS acq_fuzz_files FOREIGN DATA WRAPPER file_fdw",
        f"""CREATE FOREIGN TABLE {SCHEMA}.ft (id bigint, src text, x float8[], y int, t float8)
            SERVER acq_fuzz_files OPTIONS (filename '/dev/null', format 'csv')""",
        f"ALTER FOREIGN TABLE {SCHEMA}.ft OWNER TO {USER}",
    ]


def session_sql():
    """per-session fixtures (temp tables), run as USER in every connection
    that makes calls, so that a call repeated on another connection sees the
    same relations"""
    return [
        f"CREATE TEMP TABLE tmp_col_src AS SELECT * FROM {SCHEMA}.col_src",
        f"CREATE TEMP TABLE tmp_prov AS SELECT * FROM {SCHEMA}.prov",
        f"CREATE TEMP TABLE tmp_owner_a AS SELECT * FROM {SCHEMA}.owner_a",
    ]
