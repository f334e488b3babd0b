--
-- Fidelity on the real demo data (data/README.md):
--   * for given subsets, acq's models match scikit-learn's on the same rows
--     (test/fixtures/sklearn_reference.sql, made by make_sklearn_reference.py):
--     logistic accuracy within 0.5 points, linear regression MSE within 1e-6
--     relative;
--   * SourceSplice's subset is at the >= 99.9th percentile of all 2^15 - 1
--     subsets while training <= 5% of them, on Flights (regression,
--     arr_delay_min, 15 origin states) and Minneapolis stops (fairness on
--     person_search with race, 15 neighbourhoods).
--
\getenv abs_srcdir PG_ABS_SRCDIR
\set datadir :abs_srcdir '/../data'
\set ECHO none
\set QUIET on
\i :datadir/load.sql
\i :abs_srcdir/fixtures/sklearn_reference.sql
\set QUIET off
\set ECHO all

-- ---- acq vs scikit-learn, subset by subset -----------------------------------
SELECT r.sources, abs(g.mse - r.mse) / r.mse < 1e-6 AS mse_matches,
       abs(g.r2 - r.r2) < 1e-6 AS r2_matches
FROM acq_sklearn_ref r,
     LATERAL acq.subset_gain('acq_demo.flights', 'acq_demo.flights_validation', 'features',
                             'arr_delay_min', r.sources, task => 'regression') g
WHERE r.dataset = 'flights'
ORDER BY array_length(r.sources, 1), r.sources;

SELECT array_length(r.sources, 1) AS n_sources,
       abs(100 * g.accuracy - 100 * r.accuracy) <= 0.5 AS accuracy_within_half_point,
       abs(g.tpr_gap - r.tpr_gap) <= 0.02 AS tpr_gap_close
FROM acq_sklearn_ref r,
     LATERAL acq.subset_gain('acq_demo.stops', 'acq_demo.stops_validation', 'features',
                             'person_search', r.sources, task => 'fairness',
                             source_column => 'neighborhood', sensitive => 'race',
                             privileged => 'White') g
WHERE r.dataset = 'stops'
ORDER BY array_length(r.sources, 1), r.sources;

-- ---- SourceSplice against the whole landscape --------------------------------
CREATE TEMP TABLE flights_all AS
SELECT * FROM acq.subset_profits('acq_demo.flights', 'acq_demo.flights_validation',
                                 'features', 'arr_delay_min', task => 'regression');
CREATE TEMP TABLE flights_splice AS
SELECT * FROM acq.select_sources('acq_demo.flights', 'acq_demo.flights_validation',
                                 'features', 'arr_delay_min', task => 'regression');
SELECT (SELECT count(*) FROM flights_all) AS subsets,
       100.0 * (SELECT count(*) FROM flights_all a WHERE a.profit < s.profit)
             / (SELECT count(*) FROM flights_all) >= 99.9 AS at_least_99_9th_percentile,
       s.models_trained <= 0.05 * (SELECT count(*) FROM flights_all) AS trained_at_most_5_percent,
       abs(s.profit - (SELECT a.profit FROM flights_all a WHERE a.sources = s.sources)) < 1e-9
         AS same_profit_as_landscape
FROM flights_splice s;

CREATE TEMP TABLE stops_all AS
SELECT * FROM acq.subset_profits('acq_demo.stops', 'acq_demo.stops_validation', 'features',
                                 'person_search', task => 'fairness',
                                 source_column => 'neighborhood', sensitive => 'race',
                                 privileged => 'White');
CREATE TEMP TABLE stops_splice AS
SELECT * FROM acq.select_sources('acq_demo.stops', 'acq_demo.stops_validation', 'features',
                                 'person_search', task => 'fairness',
                                 source_column => 'neighborhood', sensitive => 'race',
                                 privileged => 'White');
SELECT (SELECT count(*) FROM stops_all) AS subsets,
       100.0 * (SELECT count(*) FROM stops_all a WHERE a.profit < s.profit)
             / (SELECT count(*) FROM stops_all) >= 99.9 AS at_least_99_9th_percentile,
       s.models_trained <= 0.05 * (SELECT count(*) FROM stops_all) AS trained_at_most_5_percent
FROM stops_splice s;

-- the baselines on the same landscapes, for the record (percentiles rounded)
SELECT method,
       round(100.0 * (SELECT count(*) FROM flights_all a WHERE a.profit < r.profit)
                   / (SELECT count(*) FROM flights_all), 1) >= 90 AS flights_above_90th
FROM unnest(ARRAY['greedy', 'grasp']) AS method,
     LATERAL acq.select_sources('acq_demo.flights', 'acq_demo.flights_validation', 'features',
                                'arr_delay_min', method => method, task => 'regression') r
ORDER BY method;

DROP SCHEMA acq_demo CASCADE;
