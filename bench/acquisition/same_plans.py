#!/usr/bin/python3
"""Same plans with the paper's parameters (issue 15, second pass).

  PGPORT=<server with the old build> /usr/bin/python3 bench/acquisition/same_plans.py old > old.txt
  PGPORT=<server with this build>    /usr/bin/python3 bench/acquisition/same_plans.py new > new.txt
  diff old.txt new.txt

For Fashion (label predicates, batch 100, l 0.01) and ETOPO (4 x 4 grid, batch
30, l 0.001), seeds 0 and 1, run.sh's fidelity arguments (delta 0.001, tau 1,
allocation 'linear', scale false; 'new' adds separation => 1, which the old
build does not know): SPS, uniform and random at B = 10,000, EA at 2,000 and
10,000.  Prints, per plan, an md5 of the bought ids and one of the rounds
(predicate, records received, utility to 12 digits).  The consumers and
provider are evidence.py's.
"""
import sys, os, hashlib
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evidence, plans
new = sys.argv[1] == "new"
out = []
for dname, extra in (("fashion", "predicates => 'label', batch => 100, l => 0.01"),
                     ("etopo", "predicates => 'grid', grid_size => 4, task => 'regression', batch => 30, l => 0.001")):
    st = evidence.setup(dname)
    plans.load_table("f_rows", st.ids, st.X, st.y)
    pos = {int(i): k for k, i in enumerate(st.ids)}
    for seed in (0, 1):
        init = st.init_fn(seed); ii = np.array([pos[int(i)] for i in init])
        plans.load_table("f_init", st.ids[ii], st.X[ii], st.y[ii])
        for strat in ("sps", "ea", "uniform", "random"):
            for B in ((10000,) if strat != "ea" else (2000, 10000)):
                args = "strategy => '%s', %s, delta => 0.001, tau => 1, allocation => 'linear', scale => false, seed => %d" % (strat, extra, seed)
                if new:
                    args += ", separation => 1"
                plans.psql("DROP TABLE IF EXISTS f_t")
                plans.psql("SELECT 1 FROM acq.acquire('f_init','f_rows','f_t','features','label',%d,%s)" % (B, args))
                ids, _ = plans.psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM f_t")
                rnd, _ = plans.psql("SELECT string_agg(predicate || ':' || received || ':' || coalesce(round(utility::numeric, 12)::text, ''), ',' ORDER BY round) FROM acq.acquisition_rounds WHERE plan_id = (SELECT max(plan_id) FROM acq.acquisition_plans WHERE target = 'f_t'::regclass)")
                line = "%s seed %d %s B=%d ids %s rounds %s" % (dname, seed, strat, B, hashlib.md5(ids.encode()).hexdigest()[:12], hashlib.md5(rnd.encode()).hexdigest()[:12])
                print(line, flush=True); out.append(line)
