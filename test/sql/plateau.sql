--
-- plateau: a task where every single source ties at the majority-class
-- accuracy, and a better subset exists (issue 14).  Built without random().
--
-- Rows i carry u = sin(1.3 i), w = cos(2.1 i); the label is u > 0.55 (34% of
-- the validation rows).  The features are [0.25 u, w]: the small scale of u
-- makes the ridge penalty of logistic regression (C = 1) matter, so a model
-- needs the rows of at least two signal sources to put a positive margin on
-- any validation row.
--   s1 .. s3  50 rows each of the true rule ("signal");
--   d1 .. d5  100 rows each, all labelled 0 ("dilutors"): a single class,
--             and any union with one of them predicts 0 everywhere.
-- So all 8 single sources (and most subsets) score exactly the majority
-- class accuracy, 66%; only unions of two or three signal sources, without
-- a dilutor, score more.  The dilutors sort first by name, so the paper's
-- tie-breaking by source index starts every splicing from them.
--
CREATE TABLE pl_src (src text, x float8[], y int);
INSERT INTO pl_src
SELECT 's' || k, ARRAY[0.25 * sin(i * 1.3), cos(i * 2.1)], (sin(i * 1.3) > 0.55)::int
FROM generate_series(1, 3) k, generate_series(100 + 97 * (k - 1), 100 + 97 * (k - 1) + 49) i;
INSERT INTO pl_src
SELECT 'd' || k, ARRAY[0.25 * sin(i * 1.3), cos(i * 2.1)], 0
FROM generate_series(1, 5) k, generate_series(1000 + 300 * (k - 1), 1000 + 300 * (k - 1) + 99) i;
CREATE TABLE pl_val AS
SELECT ARRAY[0.25 * sin(i * 1.3), cos(i * 2.1)] AS x, (sin(i * 1.3) > 0.55)::int AS y
FROM generate_series(5000, 5199) i;
SELECT avg(y) AS val_positive_rate FROM pl_val;

-- the landscape: every single source at the majority accuracy (66), and the
-- few better subsets
CREATE TABLE pl_all AS
SELECT * FROM acq.subset_profits('pl_src', 'pl_val', 'x', 'y', source_column => 'src');
SELECT count(*) AS subsets,
       count(*) FILTER (WHERE round(profit::numeric, 6) = 66) AS at_majority,
       count(*) FILTER (WHERE array_length(sources, 1) = 1) AS singles,
       count(*) FILTER (WHERE array_length(sources, 1) = 1 AND round(profit::numeric, 6) = 66) AS singles_at_majority
FROM pl_all;
SELECT sources, round(profit::numeric, 2) AS profit FROM pl_all
WHERE profit > 66.000001 ORDER BY profit DESC, sources;

-- the paper's pseudocode (tie_break => 'none', restarts => 0): every swap is
-- valued 0 and the search never leaves the plateau
SELECT sources, round(profit::numeric, 2) AS profit,
       round(profit::numeric, 6) = 66 AS on_plateau
FROM acq.select_sources('pl_src', 'pl_val', 'x', 'y', source_column => 'src',
                        tie_break => 'none', restarts => 0);

-- the default breaks ties by validation log-loss and moves off the plateau,
-- to the best subset of the landscape
SELECT r.sources, round(r.profit::numeric, 2) AS profit,
       round(r.profit::numeric, 6) = 66 AS on_plateau,
       r.profit = (SELECT max(profit) FROM pl_all) AS is_optimum
FROM acq.select_sources('pl_src', 'pl_val', 'x', 'y', source_column => 'src') r;

-- every method, both ways: the default never ends on the plateau here, and
-- the reported gain is the gain as defined (the landscape's, for that subset)
SET client_min_messages = warning;
SELECT m.method, t.tb,
       round(r.profit::numeric, 6) = 66 AS on_plateau,
       r.gain = a.gain AS gain_as_defined
FROM unnest(ARRAY['splice', 'grasp', 'greedy', 'random', 'exhaustive', 'datamodels']) m(method)
CROSS JOIN unnest(ARRAY['loss', 'none']) t(tb)
CROSS JOIN LATERAL acq.select_sources('pl_src', 'pl_val', 'x', 'y', source_column => 'src',
                                      method => m.method, tie_break => t.tb,
                                      samples => 60) r
JOIN pl_all a ON a.sources = r.sources
ORDER BY 1, 2;
RESET client_min_messages;

-- same call, same result (determinism)
SELECT a.sources = b.sources AND a.profit = b.profit AND a.models_trained = b.models_trained AS same
FROM acq.select_sources('pl_src', 'pl_val', 'x', 'y', source_column => 'src') a,
     acq.select_sources('pl_src', 'pl_val', 'x', 'y', source_column => 'src') b;

-- a background job runs the same search (tie_break is passed to the job)
SELECT acq.submit_select_sources('pl_src', 'pl_val', 'x', 'y', source_column => 'src',
                                 tie_break => 'none') AS paper_job \gset
SELECT acq.job_wait(:paper_job);
SELECT acq.submit_select_sources('pl_src', 'pl_val', 'x', 'y', source_column => 'src') AS default_job \gset
SELECT acq.job_wait(:default_job);
SELECT j.params ->> 'tie_break' AS tie_break, round(p.profit::numeric, 2) AS profit, p.sources,
       p.models_trained
FROM acq.jobs j JOIN acq.source_selection_plans p ON p.job_id = j.id
WHERE j.id IN (:paper_job, :default_job)
ORDER BY j.id;

-- a bad tie_break
SELECT acq.select_sources('pl_src', 'pl_val', 'x', 'y', source_column => 'src', tie_break => 'lowest');
SELECT acq.select_sources('pl_src', 'pl_val', 'x', 'y', source_column => 'src', tie_break => NULL);
SELECT acq.submit_select_sources('pl_src', 'pl_val', 'x', 'y', source_column => 'src', tie_break => 'lowest');

-- leave no jobs for later tests
DELETE FROM acq.source_selection_subsets WHERE job_id IN
    (SELECT id FROM acq.jobs WHERE params ->> 'sources_name' = 'pl_src');
DELETE FROM acq.source_selection_plans WHERE job_id IN
    (SELECT id FROM acq.jobs WHERE params ->> 'sources_name' = 'pl_src');
DELETE FROM acq.jobs WHERE params ->> 'sources_name' = 'pl_src';
DROP TABLE pl_src, pl_val, pl_all;
