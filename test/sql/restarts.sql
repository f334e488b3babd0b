--
-- restarts: SourceSplice's random restarts from the best set seen (issue 14).
-- restarts => 0 is the paper's Algorithm 2; NULL (the default) is
-- ACQ_SPLICE_RESTARTS.  The rows are the plateau task of plateau.sql (built
-- without random()): all 8 single sources and 251 of the 255 subsets score
-- the majority-class accuracy (66%), four unions of signal sources more.
--
CREATE TABLE rs_src (src text, x float8[], y int);
INSERT INTO rs_src
SELECT 's' || k, ARRAY[0.25 * sin(i * 1.3), cos(i * 2.1)], (sin(i * 1.3) > 0.55)::int
FROM generate_series(1, 3) k, generate_series(100 + 97 * (k - 1), 100 + 97 * (k - 1) + 49) i;
INSERT INTO rs_src
SELECT 'd' || k, ARRAY[0.25 * sin(i * 1.3), cos(i * 2.1)], 0
FROM generate_series(1, 5) k, generate_series(1000 + 300 * (k - 1), 1000 + 300 * (k - 1) + 99) i;
CREATE TABLE rs_val AS
SELECT ARRAY[0.25 * sin(i * 1.3), cos(i * 2.1)] AS x, (sin(i * 1.3) > 0.55)::int AS y
FROM generate_series(5000, 5199) i;
CREATE TABLE rs_all AS
SELECT * FROM acq.subset_profits('rs_src', 'rs_val', 'x', 'y', source_column => 'src');
SET client_min_messages = warning;

-- the paper's rule and the paper's search (tie_break => 'none', restarts => 0):
-- stuck on the plateau with one source
SELECT sources, round(profit::numeric, 2) AS profit, models_trained
FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src',
                        tie_break => 'none', restarts => 0);

-- the same rule with restarts: flipping two sources of the plateau set and
-- climbing by single flips leaves it, even without the loss tie-break
SELECT r.sources, round(r.profit::numeric, 2) AS profit,
       round(r.profit::numeric, 6) = 66 AS on_plateau,
       r.profit = (SELECT max(profit) FROM rs_all) AS is_optimum
FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src',
                        tie_break => 'none') r;

-- restarts only add models: the default trains at least as many as
-- restarts => 0 and ends at least as high; both are deterministic
WITH a AS (SELECT * FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src', restarts => 0)),
     b AS (SELECT * FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src')),
     c AS (SELECT * FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src', restarts => NULL))
SELECT b.profit >= a.profit AS no_worse, b.models_trained >= a.models_trained AS more_models,
       b.sources = c.sources AND b.models_trained = c.models_trained AS null_is_default
FROM a, b, c;
SELECT (SELECT row(r.*)::text FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src',
                                                      tie_break => 'none', restarts => 5, seed => 3) r)
     = (SELECT row(r.*)::text FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src',
                                                      tie_break => 'none', restarts => 5, seed => 3) r)
       AS same_seed_same_result;

-- every chosen subset's profit is the landscape's (the gain as defined)
SELECT n, (SELECT abs(r.profit - a.profit) < 1e-9 FROM rs_all a WHERE a.sources = r.sources) AS landscape_profit
FROM generate_series(0, 3) n,
     LATERAL acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src',
                                tie_break => 'none', restarts => n, seed => 11) r;

-- restarts keep to s_max: no set of more than s_max sources is trained or chosen
SELECT cardinality(r.sources) <= 2 AS within_s_max, r.models_trained
FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src',
                        tie_break => 'none', s_max => 2, restarts => 20) r;

-- other methods ignore restarts
SELECT (SELECT row(r.*)::text FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src',
                                                      method => 'greedy', restarts => 7) r)
     = (SELECT row(r.*)::text FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src',
                                                      method => 'greedy') r) AS greedy_ignores_restarts;

-- bad values
SELECT * FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src', restarts => -1);
SELECT * FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src', restarts => 100001);
SELECT acq.submit_select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src', restarts => -1);

-- as a job: the params keep restarts and the job runs with it
SELECT acq.submit_select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src',
                                 tie_break => 'none', restarts => 0) AS rs_job \gset
SELECT acq.job_wait(:rs_job);
SELECT params ->> 'restarts' AS restarts FROM acq.jobs WHERE id = :rs_job;
SELECT (SELECT row(r.sources, r.profit, r.models_trained)::text FROM acq.job_result(:rs_job) r)
     = (SELECT row(r.sources, r.profit, r.models_trained)::text
          FROM acq.select_sources('rs_src', 'rs_val', 'x', 'y', source_column => 'src',
                                  tie_break => 'none', restarts => 0) r) AS job_equals_call;
DELETE FROM acq.jobs WHERE id = :rs_job;
RESET client_min_messages;
DROP TABLE rs_src, rs_val, rs_all;
