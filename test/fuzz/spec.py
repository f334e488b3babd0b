"""test/fuzz/spec.py -- what the fuzz suite passes to acq's functions.

A call is built from a *profile* (a coherent, valid set of arguments for one
function: tables that fit together, columns they have) and then mutated: an
argument set to NULL, replaced by a value from its *domain* (good
alternatives and bad values), a table replaced by an edge variant or a
relation of the wrong kind.

Values are SQL expressions; the suite casts each to the parameter's type.
Rel names a relation (rendered as a quoted, qualified name); values may hold
{placeholders} (ids of the jobs and plans the set-up made) that are filled
in when the call runs, so that the plan of calls does not depend on them.

A function of schema acq that is not listed in SPEC (a new one) is still
called: its arguments come from TYPE_POOL by type, tables from TABLES.
"""

from fixtures import SCHEMA

S = SCHEMA


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def qident(s):
    if s.isidentifier() and s == s.lower():
        return s
    return '"' + s.replace('"', '""') + '"'


class Rel:
    """a relation of the fixture schema (or, with schema=None, a name as
    given: temp tables, catalogs, OIDs)"""

    def __init__(self, name, schema=S):
        self.name, self.schema = name, schema

    def text(self):
        return self.name if self.schema is None else f"{self.schema}.{qident(self.name)}"

    def sql(self):
        return lit(self.text())

    def __repr__(self):
        return self.sql()


class RelArray:
    def __init__(self, *rels):
        self.rels = rels

    def sql(self):
        return "ARRAY[" + ", ".join(r.sql() + "::regclass" for r in self.rels) + "]::regclass[]" \
            if self.rels else "'{}'"


def render(v):
    return v.sql() if isinstance(v, (Rel, RelArray)) else v


def R(*names):
    return [Rel(n) for n in names]


# ---- relations of the wrong kind (each regclass argument meets all) --------
WRONG_KINDS = [
    Rel("v_col_src"),            # a view
    Rel("mv_col_src"),           # a materialised view
    Rel("part_empty"),           # partitioned, no partition
    Rel("part_a"),               # one partition
    Rel("tmp_col_src", None),    # a temp table
    Rel("seq1"),                 # a sequence
    Rel("col_src_x_idx"),        # an index
    Rel("ctype"),                # a composite type
    Rel("ft"),                   # a foreign table (file_fdw, 0 rows)
    Rel("{toast}", None),        # a TOAST table
    Rel("long_text"),            # a table without the columns
    Rel("wrong_shape"),
    Rel("Q t; 'x"),              # a name that needs quotes
    Rel("pg_class", None),       # a system catalog
    Rel("acq.jobs", None),       # acq's own catalog
    Rel("acq.job_status", None),
    Rel("0", None),              # InvalidOid
    Rel("4294967295", None),     # an OID nothing has
]

# ---- value pools ------------------------------------------------------------
NAMES = [lit(n) for n in ["x", "y", "t", "id", "src", "g", "b", "lab", "xn", "xi", "xr", "xt", "xs", "xj",
                          "X col", "Y", "nope", "", "ctid", "xmin", "tableoid", "a" * 63, 'x"y', "x'y",
                          "x) FROM pg_class --"]]
TEXTS = [lit(t) for t in ["", "bogus", "NULL", "x'; SELECT 1; --", "\u00e9", "a" * 5000]]
FLOATS = ["0", "1", "-1", "0.5", "2", "100", "1e9", "1e-300", "5e-324", "1e308", "-1e308",
          "'NaN'", "'Infinity'", "'-Infinity'"]
INTS = ["0", "1", "-1", "2", "3", "5", "10", "64", "100", "1000", "2147483647", "-2147483648"]
BIGINTS = ["0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808"]
BOOLS = ["true", "false"]
COSTS = [lit(c) for c in [
    '{}', '{"part_a": 1}', '{"s1": 2, "s2": 0.5}', '{"s1": -1}', '{"s1": "x"}', '{"s1": null}',
    '{"s1": [1]}', '{"s1": {"a": 1}}', '[]', '[1, 2]', '1', '"s1"', 'null', 'true', '{"nosuch": 1}',
    '{"s1": 1e308}', '{"s1": 1e400}', '{"s1": 1e-400}', '{"": 1}', '{"part_a": 1e308, "part_b": 1e308}',
    '{"s1": 1e308, "s2": 1e308, "s3": 1e308}', '{"s1": 1, "s1": 2}', '[[[[[[[[[[1]]]]]]]]]]',
    '{"s1": 1', '{"a b": 1, "C\\"d": 2}']]
FLOAT_ARRAYS = [lit(a) for a in ["{}", "{0}", "{1}", "{0,1}", "{3}", "{99}", "{NaN}", "{NULL}",
                                 "{{0,1},{2,3}}", "{0,0,1}", "{Infinity}", "{-1e308,1e308}", "[0:1]={0,1}"]] \
    + ["array_fill(1::float8, ARRAY[1000])"]
INT_ARRAYS = [lit(a) for a in ["{}", "{1}", "{2}", "{1,2}", "{2,1}", "{1,1}", "{0}", "{-1}", "{3}", "{4}",
                               "{NULL}", "{{1,2}}", "{1,2,1,2,1,2,1,2}", "{5,10,20,50,100,200}", "{10,5}",
                               "{1000000}", "{2147483647}", "[0:1]={1,2}"]]
TEXT_ARRAYS = [lit(a) for a in ["{}", "{NULL}", "{a}", '{""}', "{{a,b}}"]]
INTERVALS = [lit(i) for i in ["0 s", "10 ms", "100 ms", "-1 s", "1 s", "100 years"]]
TIMESTAMPS = ["now()", lit("infinity"), lit("-infinity"), lit("1970-01-01"), lit("2999-01-01")]
PIDS = ["0", "-1", "1", "pg_backend_pid()", "2147483647",
        "(SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer')"]
JOBS = ["{J_ok}", "{J_fail}", "{J_cancelled}", "{J_acq}", "{J_rank}", "0", "-1", "999999999",
        "9223372036854775807"]
PLANS = ["{P_sync}", "{P_job}", "0", "-1", "9223372036854775807"]

TYPE_POOL = {
    "name": NAMES, "text": TEXTS, "double precision": FLOATS, "real": FLOATS, "numeric": FLOATS,
    "integer": INTS, "smallint": ["0", "1", "-1", "32767"], "bigint": BIGINTS, "boolean": BOOLS,
    "jsonb": COSTS, "json": COSTS, "double precision[]": FLOAT_ARRAYS, "integer[]": INT_ARRAYS,
    "text[]": TEXT_ARRAYS, "name[]": TEXT_ARRAYS, "interval": INTERVALS,
    "timestamp with time zone": TIMESTAMPS,
}
# tables a function we know nothing about is given (with WRONG_KINDS)
TABLES = R("col_src", "part", "val", "prov", "cons", "test_acq", "mt_train", "mt_test", "hard", "owner_a")
TABLE_ARRAYS = [RelArray(*R("cons")), RelArray(*R("cons", "prov")), RelArray(), "'{NULL}'",
                RelArray(*R("owner_a", "owner_a")), RelArray(*R("owner_a", "owner_b")),
                RelArray(Rel("tmp_owner_a", None)), RelArray(*R("v_owner_a", "mv_owner_a")),
                RelArray(*R("part_empty")), RelArray(*R("hard")),
                RelArray(*(R("owner_a", "owner_b") * 40))]

# ---- source selection ---------------------------------------------------------
SEL_PROFILES = [
    dict(sources=Rel("part"), validation=Rel("val"), features="'x'", label="'y'", subset="'{part_a,part_b}'"),
    dict(sources=Rel("col_src"), validation=Rel("val"), features="'x'", label="'y'", source_column="'src'",
         subset="'{s1,s2}'"),
    dict(sources=Rel("part"), validation=Rel("val"), features="'x'", label="'t'", task="'regression'",
         subset="'{part_a,part_c,part_d}'"),
    dict(sources=Rel("col_src"), validation=Rel("val"), features="'x'", label="'y'", task="'fairness'",
         source_column="'src'", sensitive="'g'", privileged="'W'", subset="'{s1,s3}'"),
    dict(sources=Rel("col_src"), validation=Rel("val"), features="'xn'", label="'y'", task="'f1'",
         source_column="'src'", costs=lit('{"s1": 2, "s2": 0.5}'), subset="'{s1,s2,s3}'"),
    dict(sources=Rel("mid_src"), validation=Rel("val"), features="'x'", label="'y'", source_column="'src'",
         method="'greedy'", subset="'{00,01}'"),
    dict(sources=Rel("Q t; 'x"), validation=Rel("Q v"), features=lit("X col"), label=lit("Y"),
         source_column=lit("S rc"), subset=lit('{"a b"}')),
    dict(sources=Rel("wide_src"), validation=Rel("wide_val"), features="'x'", label="'t'",
         task="'regression'", source_column="'src'", subset="'{s0}'"),
    dict(sources=Rel("part_nested"), validation=Rel("val"), features="'x'", label="'y'", method="'exhaustive'",
         subset="'{part_nested_a1}'"),
    dict(sources=Rel("col_src"), validation=Rel("val"), features="'x'", label="'t'", task="'regression'",
         source_column="'src'", cost_exponent="1", cost_scale="0.1", subset="'{s4}'"),
    dict(sources=Rel("part_attach"), validation=Rel("val"), features="'x'", label="'y'",
         costs=lit('{"part_attach_b": 1}'), subset="'{part_attach_b}'"),
    dict(sources=Rel("part_q"), validation=Rel("val"), features="'x'", label="'t'", task="'regression'",
         costs=lit('{"P q": 1, "p\"2": 2}'), subset=lit('{"P q","p\"2"}')),
    dict(sources=Rel("part_twins"), validation=Rel("val"), features="'x'", label="'y'", subset="'{twin}'",
         costs=lit('{"twin": 1}')),
    dict(sources=Rel("col_dropped"), validation=Rel("val"), features="'x'", label="'y'", source_column="'src'",
         task="'fairness'", sensitive="'b'", subset="'{s1,s2}'"),
    dict(sources=Rel("col_domain"), validation=Rel("val"), features="'x'", label="'y'", source_column="'src'",
         subset="'{s1}'"),
]
SEL_DOMAINS = dict(
    sources=R("part", "col_src", "mid_src", "many_src", "part_empty", "part_one", "part_oneclass",
              "part_nested", "part_nan", "v_col_src", "mv_col_src", "wide_src", "val", "part_attach", "part_q",
              "part_twins", "col_dropped", "col_domain") + WRONG_KINDS,
    validation=R("val", "v_val", "mv_val", "wide_val", "Q v", "col_src", "part") + WRONG_KINDS,
    method=[lit(m) for m in ["splice", "grasp", "greedy", "random", "exhaustive", "datamodels", "bogus", "",
                             "SPLICE"]],
    task=[lit(t) for t in ["classification", "f1", "fairness", "regression", "bogus", ""]],
    privileged=[lit(p) for p in ["W", "B", "true", "1", "", "nosuch"]],
    cost_exponent=["0", "1", "2", "3", "-1", "2147483647"],
    s_max=["1", "2", "3", "6", "7", "0", "-1", "2147483647"],
    k_max=["1", "2", "3", "0", "-1", "2147483647"],
    iterations=["1", "2", "5", "0", "-1", "2147483647"],
    rcl_size=["1", "2", "5", "0", "-1", "2147483647"],
    samples=["1", "2", "10", "0", "-1", "2147483647"],
    subset=[lit(s) for s in ["{}", "{part_a}", "{s1}", "{s1,s1}", "{nosuch}", "{NULL}", "{{s1,s2}}",
                             "{s1,s2,s3,s4,s5,s6}", "{part_a,part_b,part_c,part_d}", '{""}']],
)

# ---- acquisition ---------------------------------------------------------------
ACQ = dict(consumer=Rel("cons"), provider=Rel("prov"), target=lit(f"{S}.bought"), features="'x'",
           label="'y'")
ACQ_PROFILES = [
    dict(ACQ, budget="60", batch="20"),
    dict(ACQ, budget="80", strategy="'ea'"),
    dict(ACQ, budget="40", strategy="'uniform'", batch="10"),
    dict(ACQ, budget="30", strategy="'random'"),
    dict(ACQ, budget="40", label="'t'", task="'regression'", predicates="'grid'", batch="10"),
    dict(ACQ, budget="40", predicates="'sql'", predicate_sql=lit('{"y = 0","y = 3","x[1] > 1"}')),
    dict(ACQ, budget="30", provider=Rel("v_prov")),
    dict(ACQ, budget="50", provider=Rel("prov_part"), strategy="'ea'"),
    dict(ACQ, budget="20", provider=Rel("mv_prov"), target=lit(f"{S}.target_ok")),
    dict(ACQ, budget="30", labels="'{1,3}'", novelty_k="3", novelty_splits="10"),
    dict(ACQ, budget="60", provider=Rel("prov_inh"), strategy="'ea'"),
    dict(ACQ, budget="80", strategy="'ea'", fill_cap="1"),
]
ACQ_DOMAINS = dict(
    consumer=R("cons", "v_cons", "mv_cons", "prov", "test_acq", "part", "hard") + WRONG_KINDS,
    provider=R("prov", "v_prov", "mv_prov", "prov_part", "prov_inh", "cons", "test_acq", "part_empty")
    + [Rel("tmp_prov", None)] + WRONG_KINDS,
    target=[lit(t) for t in [f"{S}.bought", f"{S}.bought2", "bought_unqualified", f"{S}.cons", f"{S}.prov",
                             f"{S}.wrong_shape", f"{S}.target_ok", "nosuch.t", "a.b.c", "", f"{S}." + "t" * 70,
                             f'{S}."Q t; \'x"', f'{S}."New T"', "pg_catalog.t", "acq.jobs", f"{S}.v_prov",
                             f"{S}.seq1", "tmp_prov", "pg_temp.t", f"{S}.bought; DROP TABLE x"]],
    budget=INTS + ["60", "400", "401", "100000"],
    strategy=[lit(s) for s in ["sps", "ea", "uniform", "random", "bogus", "SPS"]],
    predicates=[lit(p) for p in ["label", "grid", "sql", "bogus"]],
    task=[lit(t) for t in ["classification", "regression", "bogus"]],
    predicate_sql=[lit(p) for p in [
        '{"y = 0","y = 1"}', "{}", '{"x[1] > 0"}', '{"nosuchcol = 1"}', '{"1/0 = 1"}', '{"y"}', '{NULL}',
        '{"true"}', '{"false"}', '{"y = 0) OR (true"}', '{";DROP TABLE x"}', '{"pg_sleep(0.01) IS NULL"}',
        '{"random() < 0.5"}', '{"lab = \'r1\'"}', "{" + ",".join(f'"y = {i % 4} AND id > {i}"' for i in range(65)) + "}"]],
    grid_size=["1", "2", "4", "64", "65", "0", "-1", "2147483647"],
    batch=["1", "10", "50", "0", "-1", "100000", "2147483647"],
    tau=["1", "2", "1000", "1001", "0", "-1"],
    allocation=[lit(a) for a in ["fill", "mixed", "linear", "sqrt", "bogus"]],
    fill_cap=["0", "1", "4", "1e6", "1000001", "-1", "'NaN'", "'Infinity'", "NULL"],
    novelty_k=["1", "3", "100", "101", "0", "-1"],
    novelty_splits=["1", "50", "10000", "10001", "0", "-1"],
    job_id=JOBS,
)

# ---- evaluate, acquisition_curve --------------------------------------------------
EVAL_PROFILES = [
    dict(train=RelArray(*R("cons")), test=Rel("test_acq"), features="'x'", label="'y'"),
    dict(train=RelArray(*R("cons", "prov")), test=Rel("test_acq"), features="'x'", label="'y'", model="'knn'",
         k="3"),
    dict(train=RelArray(*R("cons")), test=Rel("test_acq"), features="'x'", label="'t'", task="'regression'"),
    dict(train=RelArray(*R("cons")), test=Rel("test_acq"), features="'x'", label="'t'", task="'regression'",
         model="'linear'"),
    dict(train=RelArray(*R("mt_train")), test=Rel("mt_test"), features="'x'", label="'y'", model="'softmax'",
         c="0.5"),
]
MODELS = [lit(m) for m in ["softmax", "knn", "linear", "tree", "bogus", ""]] + ["NULL"]
EVAL_DOMAINS = dict(
    train=[RelArray(*R("cons")), RelArray(*R("cons", "prov")), RelArray(*R("v_cons", "mv_prov")),
           RelArray(*R("part")), RelArray(*R("part_empty")), RelArray(Rel("tmp_prov", None))]
    + TABLE_ARRAYS + [RelArray(w) for w in WRONG_KINDS],
    test=R("test_acq", "mt_test", "cons", "v_prov") + WRONG_KINDS,
    model=MODELS,
    task=[lit(t) for t in ["classification", "regression", "bogus"]],
    budgets=[lit(b) for b in ["{0,20,60}", "{0}", "{60,0}", "{}", "{-1}", "{100000}", "{NULL}", "{{1,2}}",
                              "{0,0}", "{2147483647}"]],
    plan_id=PLANS,
    max_iter=["1", "10", "1000", "0", "-1", "2147483647"],
)
CURVE_PROFILES = [
    dict(plan_id="{P_sync}", test=Rel("test_acq"), budgets="'{0,20,60}'"),
    dict(plan_id="{P_job}", test=Rel("test_acq"), budgets="'{0,30}'", model="'knn'"),
    dict(plan_id="{P_sync}", test=Rel("test_acq"), budgets="'{60}'", model="'softmax'", max_iter="50"),
]

# ---- Mycroft -------------------------------------------------------------------------
HARD_PROFILES = [
    dict(train=Rel("mt_train"), test=Rel("mt_test"), features="'x'", label="'y'"),
    dict(train=Rel("mt_train"), test=Rel("mt_test"), features="'x'", label="'y'", model="'softmax'"),
    dict(train=Rel("mt_train"), test=Rel("mt_test"), features="'x'", label="'y'", model="'knn'", k="3"),
    dict(train=Rel("mt_train"), test=Rel("mt_test"), features="'x'", label="'y'", labels="'{1}'",
         share="0.3", seed="5"),
    dict(train=Rel("mt_train"), test=Rel("mt_test"), features="'x'", label="'y'", criterion="'entropy'",
         max_depth="3", min_samples_leaf="2"),
]
MY = dict(owner=Rel("owner_a"), hard=Rel("hard"), id="'id'", features="'x'", label="'y'", k="10")
MY_PROFILES = [
    MY, dict(MY, method="'binning'"), dict(MY, method="'omp'"), dict(MY, method="'combined'"),
    dict(MY, method="'random'", seed="3"), dict(MY, same_label="true"),
    dict(MY, method="'omp'", gradients="'g'", k="3"), dict(MY, owner=Rel("owner_b")),
    dict(MY, hard_features="'x'", hard_label="'y'", method="'binning'", bin_features="'{1,2}'"),
    # gradients over an inheritance tree: ctids repeat across parent and child
    dict(MY, owner=Rel("big_owner_inh"), hard=Rel("big_hard_g"), method="'omp'", gradients="'g'", k="20"),
]
RANK = dict(trainer=Rel("mt_train"), hard=Rel("hard"), held_out=Rel("held"),
            owners=RelArray(*R("owner_a", "owner_b")), features="'x'", label="'y'", k="5")
RANK_PROFILES = [
    RANK, dict(RANK, test=Rel("mt_test")), dict(RANK, method="'binning'"), dict(RANK, model="'softmax'"),
    dict(RANK, model="'knn'", positive="1", knn_k="3"), dict(RANK, method="'omp'", k="3"),
]
MY_DOMAINS = dict(
    train=R("mt_train", "mt_test", "owner_a", "hard") + WRONG_KINDS,
    trainer=R("mt_train", "owner_b", "hard") + WRONG_KINDS,
    test=R("mt_test", "held", "hard", "mt_train", "mt_test__zero") + WRONG_KINDS,
    owner=R("owner_a", "owner_b", "v_owner_a", "mv_owner_a", "hard", "mt_train") + [Rel("tmp_owner_a", None)]
    + WRONG_KINDS,
    hard=R("hard", "v_hard", "mv_hard", "held", "owner_a", "mt_test") + WRONG_KINDS,
    held_out=R("held", "hard", "mt_test") + WRONG_KINDS,
    owners=TABLE_ARRAYS + [RelArray(w) for w in WRONG_KINDS],
    model=[lit(m) for m in ["tree", "softmax", "knn", "linear", "bogus"]],
    method=[lit(m) for m in ["feature", "binning", "omp", "combined", "random", "bogus", ""]],
    criterion=[lit(c) for c in ["gini", "entropy", "bogus"]],
    share=FLOATS,
    gradients=[lit(g) for g in ["g", "x", "y", "nope", "xi", "lab"]] + ["NULL"],
    positive=["0", "1", "7", "'NaN'", "'Infinity'", "NULL"],
    max_depth=["0", "1", "3", "-1", "2147483647"],
    min_samples_leaf=["1", "2", "1000", "0", "-1"],
    min_bins=["2", "6", "1", "0", "-1", "1000000"],
    sample_rate=FLOATS,
)

# ---- jobs ----------------------------------------------------------------------------
JOB_DOMAINS = dict(job=JOBS, plan_id=PLANS, timeout=INTERVALS, pid=PIDS, started=TIMESTAMPS,
                   kind=[lit(k) for k in ["select_sources", "acquire", "rank_owners", "bogus", ""]],
                   params=[lit(p) for p in ['{}', '{"resume_plan": -1}', "null", "[]", '{"sources": 0}',
                                            '{"resume_plan": "x"}']] + ["{J_ok_params}"])

SPEC = {
    # function: (weight, profiles, domains)
    "select_sources": (3, SEL_PROFILES, SEL_DOMAINS),
    "subset_profits": (2, SEL_PROFILES, SEL_DOMAINS),
    "subset_gain": (2, SEL_PROFILES, SEL_DOMAINS),
    "submit_select_sources": (1.5, SEL_PROFILES, SEL_DOMAINS),
    "acquire": (3, ACQ_PROFILES, ACQ_DOMAINS),
    "submit_acquire": (1.5, ACQ_PROFILES, ACQ_DOMAINS),
    "evaluate": (2, EVAL_PROFILES, EVAL_DOMAINS),
    "acquisition_curve": (2, CURVE_PROFILES, EVAL_DOMAINS),
    "hard_examples": (2, HARD_PROFILES, MY_DOMAINS),
    "mycroft_select": (3, MY_PROFILES, MY_DOMAINS),
    "rank_owners": (2, RANK_PROFILES, MY_DOMAINS),
    "submit_rank_owners": (1.5, RANK_PROFILES, MY_DOMAINS),
    "job_wait": (0.7, [dict(job="{J_ok}", timeout="'1 s'"), dict(job="{J_fail}"), dict(job="{J_cancelled}")],
                 JOB_DOMAINS),
    "job_result": (0.7, [dict(job="{J_ok}"), dict(job="{J_fail}")], JOB_DOMAINS),
    "cancel": (0.5, [dict(job="{J_ok}")], JOB_DOMAINS),
    "resume_acquire": (0.7, [dict(plan_id="{P_job}"), dict(plan_id="{P_sync}")], JOB_DOMAINS),
    "_worker_alive": (0.5, [dict(pid="pg_backend_pid()")], JOB_DOMAINS),
    "job_live": (0.5, [dict(job="{J_ok}"), dict(job="{J_cancelled}"), dict(job="{J_acq}")], JOB_DOMAINS),
}
UNKNOWN_WEIGHT = 2

# Functions whose result depends on state (job and plan ids, workers, time):
# not repeated for the determinism check.  Columns of other functions that
# carry a sequence value are masked before results are compared.
STATEFUL = {"submit_select_sources", "submit_acquire", "submit_rank_owners",
            "_worker_alive", "job_live", "job_wait", "cancel", "resume_acquire"}
MASKED_COLUMNS = {"acquire": {"plan_id"}}
# Submissions that may commit (their jobs then run): only unmutated ones,
# so that no committed job runs for ever in the background
COMMITTABLE = {"submit_select_sources", "submit_acquire", "submit_rank_owners"}

# edge variants (fixtures.EDGES) that fit a table argument's family
EDGE_FAMILY = {
    "col_src": "col_src",
    "val": "val", "prov": "prov", "v_prov": "prov", "mv_prov": "prov", "prov_part": "prov",
    "cons": "cons", "test_acq": "test_acq", "mt_train": "mt_train", "mt_test": "mt_test",
    "hard": "hard", "held": "held", "owner_a": "owner_a", "owner_b": "owner_a",
}

# ---- long calls: in the cancel and timeout contexts a call is usually one of
# these (0.1-4 s each on the fixtures' large tables), so that the cancel or
# the timeout lands mid-flight: while reading, training, buying or writing ----
BIG_SEL = dict(sources=Rel("big_src"), validation=Rel("big_val"), features="'x'", label="'y'",
               source_column="'src'")
BIG_ACQ = dict(consumer=Rel("big_cons"), provider=Rel("big_prov"), target=lit(f"{S}.big_bought_new"),
               features="'x'", label="'y'", budget="5000")
BIG_RANK = dict(trainer=Rel("big_cons"), hard=Rel("big_hard"), held_out=Rel("big_held"),
                owners=RelArray(*R("big_owner", "big_prov")), features="'x'", label="'y'", k="100")
HEAVY = {
    "select_sources": [dict(BIG_SEL, method="'exhaustive'"), dict(BIG_SEL, method="'grasp'", iterations="50"),
                       dict(BIG_SEL, method="'datamodels'", samples="2000"), dict(BIG_SEL)],
    "subset_profits": [BIG_SEL, dict(BIG_SEL, task="'fairness'", sensitive="'y'")],
    "subset_gain": [dict(BIG_SEL, subset="'{b00,b01,b02,b03,b04,b05,b06,b07,b08,b09,b10,b11}'")],
    "acquire": [dict(BIG_ACQ, batch="50", novelty_splits="200"), dict(BIG_ACQ, strategy="'ea'", budget="8000"),
                dict(BIG_ACQ, novelty_splits="2000", novelty_k="5")],
    "evaluate": [dict(train=RelArray(*R("big_prov")), test=Rel("big_test"), features="'x'", label="'y'"),
                 dict(train=RelArray(*R("big_prov", "big_owner")), test=Rel("big_test"), features="'x'",
                      label="'y'", model="'knn'")],
    "acquisition_curve": [dict(plan_id="{P_big}", test=Rel("big_test"), budgets="'{0,1000,5000}'")],
    "hard_examples": [dict(train=Rel("big_prov"), test=Rel("big_test"), features="'x'", label="'y'",
                           model="'softmax'"),
                      dict(train=Rel("big_prov"), test=Rel("big_test"), features="'x'", label="'y'")],
    "mycroft_select": [dict(owner=Rel("big_owner"), hard=Rel("big_hard"), id="'id'", features="'x'", label="'y'",
                            k="300", method=m) for m in ("'omp'", "'combined'", "'feature'", "'binning'")],
    "rank_owners": [dict(BIG_RANK, method="'omp'"), BIG_RANK],
}
HEAVY["mycroft_select"].append(dict(owner=Rel("big_owner_inh"), hard=Rel("big_hard_g"), id="'id'", features="'x'",
                                    label="'y'", k="50", method="'omp'", gradients="'g'"))
