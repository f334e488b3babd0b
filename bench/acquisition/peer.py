#!/usr/bin/python3
"""Python peer for acq's data acquisition: EA, SPS, uniform and random the way
the EA/SPS authors' code runs them (scikit-learn + numpy), re-written from the
paper (Li et al., "Data Acquisition for Improving Machine Learning Models",
sections 3-5) and from reading their repository
(AwesomeYifan/Data-acquisition-for-ML: Seller.py, SPS.py, TS.py, EA.py,
Measure.py, Utils.py).  No line of theirs is copied.

  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 bench/acquisition/peer.py \
      --dataset fashion|etopo --seed S --strategy sps|ea|uniform|random \
      --budget B [--batch I] [--tau 1] [--l 0.01] [--delta 0.001] \
      [--allocation linear|sqrt] [--ids FILE]
  ... peer.py --dataset etopo --seller-bench N [--queries 200] [--batch 30]

Prints one JSON object on stdout; --ids writes the purchased ids, one a line,
in the order they were bought.  The data are bench/acquisition/prepare.py's
(imported, so the same rows, ids and doubles as the tables run.sh loads):
D_init = init_<seed>, D_pool = the other candidate rows.

Timing: "seconds" is the wall time of the acquisition itself -- set-up (the
seller's per-predicate lists, the consumer's per-predicate held vectors) plus
every round -- without reading the data.  BLAS and OpenMP get one thread each
(set here before numpy is imported): acq runs in one backend.

What is faithful to the authors' code
  Seller     keeps one list of (features, id) per predicate (label, or grid
             cell of the features) built from D_pool, and a list of the ids
             sold per predicate.  Every query rebuilds the set of the
             predicate's ids, subtracts the sold ones, and draws the requested
             number at random from what is left (all of it if fewer remain):
             a query costs O(|R_P|), as theirs does.
  novelty    U(old, new) = 0 if |new| < 5; else the mean over 50 random splits
             (train_test_split, test_size 0.2) of the accuracy, on the held-out
             20% of `new`, of KNeighborsClassifier(n_neighbors=1) fit on
             old (class 0) + the other 80% of new (class 1).  For the
             regression (grid) task the label is appended to the features.
  SPS        Beta(1, 1) per predicate; one initial batch per predicate (in
             predicate order); then Thompson sampling: a numpy beta draw per
             live predicate, the argmax is queried for I_delta records;
             alpha += U * n, beta += (1 - U) * n (n = records received); after
             the update the reward of the query tau queries back on that
             predicate is forgotten (subtracted the same way); a predicate
             whose records are exhausted leaves the draw.  The held set of a
             predicate is D_init's records in it plus everything bought for it.
  EA         initial max(5, ceil(l * |R_P|)) records per predicate; U_P =
             novelty of all records bought for P against D_init's records in
             P; estimation stage with the t-distribution (scipy.stats.t.ppf):
             eps_P = A_P S_P / sqrt(n_P), A_P = -t.ppf(delta/2, n_P - 1),
             eps_0 = max_P eps_P; candidate eps_b = 0.99 eps_0, 0.98 eps_0, ...,
             0.01 eps_0; Delta B_b = sum_P ceil((A_P S_P / eps_b)^2 - n_P)^+;
             heuristic reward (B' - Delta B_b)(1 - eps_b); buy the best eps_b's
             records while it beats B'(1 - eps_0); then allocation: targets
             proportional to U_P (linear) or sqrt(U_P) (sqrt), U_P floored at
             1e-5, of the whole budget, minus what P already has; then rounds
             of ceil(B' / sum u) * u_P over the live predicates until B' = 0.
  uniform    each round min(batch, budget left) is split equally over the
             live predicates; the remainder goes one each to the first live
             predicates counting from predicate (round mod |P|), as acq
             does; the ACS-Uniform baseline.
  random     records drawn at random from the whole pool, a batch per round.

Where this peer departs from the authors' code (each noted in README.md)
  * S_P = sqrt(U (1 - U)), the paper's sample standard deviation; the
    authors' EA.py uses U (1 - U) (the variance) in get_current_eps and decide.
  * The budget is a hard cap: the last query asks for min(I_delta, budget
    left) records (their SPS loop may overshoot by up to I_delta - 1).
  * Exhausted predicates are left out of EA's estimation stage (their loop
    would ask an exhausted predicate again and again) and of the draw at
    once (theirs wastes one empty query to notice).
  * EA's allocation visits predicates by descending estimated utility, as the
    paper says (section 4.3); their code walks them in index order.
  * Vectors are numpy arrays (their SPS builds Python lists of lists per
    query), and random.sample over a set (an error in Python 3.11) is a
    seeded numpy choice over the set's elements; both only help the peer.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse   # noqa: E402
import json       # noqa: E402
import math       # noqa: E402
import sys        # noqa: E402
import time       # noqa: E402

import numpy as np                                      # noqa: E402
from scipy.stats import t as student_t                  # noqa: E402
from sklearn.model_selection import train_test_split    # noqa: E402
from sklearn.neighbors import KNeighborsClassifier      # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prepare    # noqa: E402


# ---------------------------------------------------------------- the provider
class Seller:
    """The authors' provider: per-predicate lists, rescanned at every query."""

    def __init__(self, pred, ids, X, n_predicates, rng):
        self.rng = rng
        self.data = [[] for _ in range(n_predicates)]
        for k in range(len(ids)):
            self.data[pred[k]].append((X[k], int(ids[k])))
        self.sold = [[] for _ in range(n_predicates)]
        self.queries = 0

    def predicate_size(self, p):
        return len(self.data[p])

    def is_empty(self, p):
        return len(self.sold[p]) == len(self.data[p])

    def get(self, p, amount):
        self.queries += 1
        left = set(item[1] for item in self.data[p]).difference(set(self.sold[p]))
        items = list(left)
        if amount < len(items):
            pick = self.rng.choice(len(items), size=amount, replace=False)
            items = [items[j] for j in pick]
        self.sold[p].extend(items)
        return items


# ---------------------------------------------------------------- the utility
def novelty(old, new, rng, splits=50, k=1):
    """How well a 1-NN tells held-out new records from old + the rest of new."""
    if len(new) < 5:
        return 0.0
    total = 0.0
    n_old = len(old)
    for _ in range(splits):
        new_tr, new_te = train_test_split(new, test_size=0.2,
                                          random_state=int(rng.integers(2**31 - 1)))
        X = np.vstack([new_tr, old]) if n_old else new_tr
        y = np.concatenate([np.ones(len(new_tr), dtype=np.int64), np.zeros(n_old, dtype=np.int64)])
        clf = KNeighborsClassifier(n_neighbors=k).fit(X, y)
        total += clf.score(new_te, np.ones(len(new_te), dtype=np.int64))
    return total / splits


class Consumer:
    """Vectors of the records the consumer holds or buys, by id."""

    def __init__(self, ds, init, seed):
        self.ds = ds
        self.rng = np.random.default_rng([seed, 10])
        m = ds.n_predicates
        in_init = np.isin(ds.ids, init)
        self.pool_rows = np.flatnonzero(~in_init)
        pred = ds.predicate_of()
        vec = ds.X if ds.task == "classification" else np.hstack([ds.X, ds.y[:, None]])
        self.vec = vec
        init_rows = np.flatnonzero(in_init)
        self.init_vec = [vec[init_rows[pred[init_rows] == p]] for p in range(m)]
        self.pool_pred = pred[self.pool_rows]

    def vectors(self, ids):
        return self.vec[np.searchsorted(self.ds.ids, ids)]


# ---------------------------------------------------------------- strategies
def run_sps(c, seller, budget, batch, tau):
    m = c.ds.n_predicates
    alpha = np.ones(m)
    beta = np.ones(m)
    history = [[] for _ in range(m)]       # (U, n) per query on each predicate
    held = list(c.init_vec)
    live = [seller.predicate_size(p) > 0 for p in range(m)]
    bought = []

    def query(p):
        n_ask = min(batch, budget - len(bought))
        ids = seller.get(p, n_ask)
        if seller.is_empty(p):
            live[p] = False
        if not ids:
            return
        new = c.vectors(ids)
        u = novelty(held[p], new, c.rng)
        alpha[p] += u * len(ids)
        beta[p] += (1.0 - u) * len(ids)
        history[p].append((u, len(ids)))
        if len(history[p]) > tau:
            u0, n0 = history[p][-tau - 1]
            alpha[p] -= u0 * n0
            beta[p] -= (1.0 - u0) * n0
        held[p] = np.vstack([held[p], new])
        bought.extend(ids)

    for p in range(m):
        if live[p] and len(bought) < budget:
            query(p)
    while len(bought) < budget and any(live):
        best, best_theta = -1, -1.0
        for p in range(m):
            if live[p]:
                theta = c.rng.beta(alpha[p], beta[p])
                if theta > best_theta:
                    best, best_theta = p, theta
        query(best)
    return bought


def run_ea(c, seller, budget, l, delta, allocation):
    m = c.ds.n_predicates
    acquired = [[] for _ in range(m)]
    U = [0.0] * m
    bought = []

    def buy(p, amount):
        amount = min(amount, budget - len(bought))
        if amount <= 0 or seller.is_empty(p):
            return
        ids = seller.get(p, amount)
        acquired[p].extend(ids)
        bought.extend(ids)

    def utility(p):
        return novelty(c.init_vec[p], c.vectors(acquired[p]), c.rng)

    # initialisation: l of every predicate's records, at least 5
    for p in range(m):
        size = seller.predicate_size(p)
        if size == 0:
            continue
        buy(p, max(5, int(math.ceil(l * size))))
        if acquired[p]:
            U[p] = utility(p)

    # estimation stage
    def live_estimates():
        out = []
        for p in range(m):
            n = len(acquired[p])
            if n < 2 or seller.is_empty(p):
                continue
            a = -student_t.ppf(delta / 2.0, n - 1)
            s = math.sqrt(max(U[p] * (1.0 - U[p]), 0.0))
            out.append((p, n, a, s))
        return out

    while True:
        remaining = budget - len(bought)
        est = live_estimates()
        if remaining <= 0 or not est:
            break
        eps0 = max(a * s / math.sqrt(n) for _, n, a, s in est)
        if eps0 == 0:
            break
        reward0 = (1.0 - eps0) * remaining
        best_reward, best_amounts = 0.0, None
        for j in range(99, 0, -1):
            eps_b = eps0 * j / 100.0
            amounts = {}
            for p, n, a, s in est:
                d = (a * s / eps_b) ** 2 - n
                if d > 0:
                    amounts[p] = int(math.ceil(d))
            r = (1.0 - eps_b) * (remaining - sum(amounts.values()))
            if r > best_reward:
                best_reward, best_amounts = r, amounts
        if best_amounts is None or best_reward <= reward0 or sum(best_amounts.values()) == 0:
            break
        for p, d in best_amounts.items():
            buy(p, d)
            U[p] = utility(p)

    # allocation stage
    def weight(u):
        u = max(u, 1e-5)
        return math.sqrt(u) if allocation == "sqrt" else u

    have = [p for p in range(m) if seller.predicate_size(p) > 0]
    w = {p: weight(U[p]) for p in have}
    order = sorted(have, key=lambda p: (-w[p], p))
    unit = budget / sum(w.values())
    for p in order:
        target = min(int(unit * w[p]), budget - len(bought))
        if target - len(acquired[p]) > 0:
            buy(p, target - len(acquired[p]))
    while len(bought) < budget:
        live = [p for p in order if not seller.is_empty(p)]
        if not live:
            break
        unit = int(math.ceil((budget - len(bought)) / sum(w[p] for p in live)))
        for p in live:
            buy(p, int(math.ceil(unit * w[p])))
    return bought


def run_uniform(c, seller, budget, batch):
    m = c.ds.n_predicates
    bought = []
    rnd = 0
    while len(bought) < budget:
        live = [p for p in range(m) if seller.predicate_size(p) > 0 and not seller.is_empty(p)]
        if not live:
            break
        size = min(batch, budget - len(bought))
        base, extra = divmod(size, len(live))
        start = rnd % m
        rnd += 1
        j = 0
        for step in range(m):
            p = (start + step) % m
            if p not in live:
                continue
            n = base + (1 if j < extra else 0)
            j += 1
            if n > 0:
                bought.extend(seller.get(p, n))
    return bought


def run_random(c, budget, batch):
    perm = c.rng.permutation(len(c.pool_rows))
    bought = []
    pos = 0
    while len(bought) < budget and pos < len(perm):
        n = min(batch, budget - len(bought))
        rows = c.pool_rows[perm[pos:pos + n]]
        pos += n
        bought.extend(int(i) for i in c.ds.ids[rows])
    return bought


# ---------------------------------------------------------------- entry points
def acquire(a):
    ds = prepare.load(a.dataset)
    init = prepare.init_ids(ds, a.seed)
    t0 = time.perf_counter()
    c = Consumer(ds, init, a.seed)
    seller = Seller(c.pool_pred, ds.ids[c.pool_rows], ds.X[c.pool_rows], ds.n_predicates,
                    np.random.default_rng([a.seed, 11]))
    t_setup = time.perf_counter() - t0
    if a.strategy == "sps":
        bought = run_sps(c, seller, a.budget, a.batch, a.tau)
    elif a.strategy == "ea":
        bought = run_ea(c, seller, a.budget, a.l, a.delta, a.allocation)
    elif a.strategy == "uniform":
        bought = run_uniform(c, seller, a.budget, a.batch)
    else:
        bought = run_random(c, a.budget, a.batch)
    seconds = time.perf_counter() - t0
    if a.ids:
        with open(a.ids, "w") as fh:
            fh.writelines("%d\n" % i for i in bought)
    pred = ds.predicate_of()[np.searchsorted(ds.ids, np.array(bought, dtype=np.int64))]
    counts = np.bincount(pred, minlength=ds.n_predicates)
    for_sale = [p for p in range(ds.n_predicates) if seller.predicate_size(p) > 0]
    return {"dataset": a.dataset, "strategy": a.strategy, "seed": a.seed, "budget": a.budget,
            "batch": a.batch, "bought": len(bought), "distinct": len(set(bought)),
            "queries": seller.queries, "counts": counts.tolist(),
            "counts_for_sale": [int(counts[p]) for p in for_sale],
            "seconds": seconds, "setup_seconds": t_setup}


def seller_bench(a):
    """Per-query time of the authors' Seller over a provider of N rows (grid predicates)."""
    ds = prepare.load("etopo")
    init = prepare.init_ids(ds, 0)
    ids, X, _ = prepare.replicated_pool(ds, a.seller_bench, a.replicate_seed, init)
    pred = prepare.grid_cell(X)
    rng = np.random.default_rng([a.seed, 12])
    t0 = time.perf_counter()
    seller = Seller(pred, ids, X, ds.n_predicates, rng)
    t_setup = time.perf_counter() - t0
    live = [p for p in range(ds.n_predicates) if seller.predicate_size(p) > 0]
    times = []
    for q in range(a.queries):
        p = live[q % len(live)]
        t1 = time.perf_counter()
        seller.get(p, a.batch)
        times.append(time.perf_counter() - t1)
    return {"pool_rows": a.seller_bench, "queries": a.queries, "batch": a.batch,
            "setup_seconds": t_setup, "mean_query_seconds": float(np.mean(times)),
            "median_query_seconds": float(np.median(times))}


def main():
    ap = argparse.ArgumentParser(description="authors'-style EA/SPS/uniform/random in Python")
    ap.add_argument("--dataset", choices=["fashion", "etopo"], required=True)
    ap.add_argument("--strategy", choices=["sps", "ea", "uniform", "random"], default="sps")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=None, help="I_delta (default 100 fashion, 30 etopo)")
    ap.add_argument("--tau", type=int, default=1)
    ap.add_argument("--l", type=float, default=None, help="EA's l (default 0.01 fashion, 0.001 etopo)")
    ap.add_argument("--delta", type=float, default=0.001)
    ap.add_argument("--allocation", choices=["linear", "sqrt"], default="linear")
    ap.add_argument("--ids", default=None)
    ap.add_argument("--seller-bench", type=int, default=0, metavar="N")
    ap.add_argument("--replicate-seed", type=int, default=7)
    ap.add_argument("--queries", type=int, default=200)
    a = ap.parse_args()
    if a.batch is None:
        a.batch = 100 if a.dataset == "fashion" else 30
    if a.l is None:
        a.l = 0.01 if a.dataset == "fashion" else 0.001
    out = seller_bench(a) if a.seller_bench else acquire(a)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
