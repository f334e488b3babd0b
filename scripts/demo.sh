#!/usr/bin/env bash
# scripts/demo.sh -- install what is missing, build, start a throwaway
# cluster, load real data (US flights 2001, Minneapolis police stops 2017,
# Fashion-MNIST HOG, ETOPO5 relief, Statlog Shuttle; see data/README.md),
# choose sources, buy records and rank data owners with acq.  The cluster is
# removed on exit, even on failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ACQ_ROOT"

[ "$(id -u)" = 0 ] || { echo "run scripts/demo.sh as root (it installs packages and runs the server as postgres)" >&2; exit 2; }
acq_ensure_packages
acq_build_install
trap acq_stop_cluster EXIT
acq_start_cluster 55433

acq_log "loading the demo data"
acq_psql -c 'CREATE EXTENSION acq'
acq_psql -v datadir="$ACQ_ROOT/data" -f data/load.sql >/dev/null
acq_psql -v datadir="$ACQ_ROOT/data" -f data/load_acquisition.sql >/dev/null
acq_psql -v datadir="$ACQ_ROOT/data" -f data/load_mycroft.sql >/dev/null

psql -X -v ON_ERROR_STOP=1 <<'SQL'
\pset footer off
\echo
\echo '== Flights 2001: which origin states should train a linear model of arrival delay?'
SELECT count(*) AS sources, sum(n)::int AS training_rows
  FROM (SELECT count(*) AS n FROM acq_demo.flights GROUP BY tableoid) s;
\timing on
SELECT sources, round(gain::numeric, 3) AS gain, round(profit::numeric, 3) AS profit,
       models_trained, n_rows
  FROM acq.select_sources('acq_demo.flights', 'acq_demo.flights_validation',
                          'features', 'arr_delay_min', task => 'regression');
\timing off
\echo 'How good is that among all 2^15 - 1 subsets?'
WITH chosen AS (
  SELECT profit FROM acq.select_sources('acq_demo.flights', 'acq_demo.flights_validation',
                                        'features', 'arr_delay_min', task => 'regression')),
     every AS (
  SELECT profit FROM acq.subset_profits('acq_demo.flights', 'acq_demo.flights_validation',
                                        'features', 'arr_delay_min', task => 'regression'))
SELECT count(*) AS subsets,
       round(100.0 * count(*) FILTER (WHERE e.profit < c.profit) / count(*), 3) AS percentile
  FROM every e, chosen c;
\echo 'Each state on its own, and all fifteen together (R^2 on the validation flights):'
SELECT source, round(r2::numeric, 4) AS r2, round(gain::numeric, 3) AS gain
  FROM (SELECT c.relname::text AS source
          FROM pg_partition_tree('acq_demo.flights') t JOIN pg_class c ON c.oid = t.relid
         WHERE t.isleaf
        UNION ALL SELECT 'all') s,
       LATERAL acq.subset_gain('acq_demo.flights', 'acq_demo.flights_validation', 'features',
                               'arr_delay_min',
                               CASE WHEN source = 'all'
                                    THEN (SELECT array_agg(c.relname::text)
                                            FROM pg_partition_tree('acq_demo.flights') t
                                            JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf)
                                    ELSE ARRAY[source] END,
                               task => 'regression')
 ORDER BY r2 DESC;

\echo
\echo '== Minneapolis stops 2017: which neighbourhoods train a fair model of person searches?'
\echo '   (gain = accuracy + 10 x TPR gap between non-white and white people stopped)'
\timing on
SELECT sources, round(gain::numeric, 3) AS gain, models_trained, n_rows
  FROM acq.select_sources('acq_demo.stops', 'acq_demo.stops_validation', 'features',
                          'person_search', task => 'fairness', source_column => 'neighborhood',
                          sensitive => 'race', privileged => 'White');
\timing off
\echo 'The same with a price per neighbourhood: 0.05 points per 100 training rows'
SELECT sources, round(gain::numeric, 3) AS gain, round(cost::numeric, 3) AS cost,
       round(profit::numeric, 3) AS profit, models_trained
  FROM acq.select_sources('acq_demo.stops', 'acq_demo.stops_validation', 'features',
                          'person_search', task => 'fairness', source_column => 'neighborhood',
                          sensitive => 'race', privileged => 'White',
                          costs => (SELECT jsonb_object_agg(neighborhood, round(n / 2000.0, 3))
                                      FROM (SELECT neighborhood, count(*) AS n
                                              FROM acq_demo.stops GROUP BY 1) per_source));

\echo
\echo '== The same search as a background job (docs/jobs.md)'
SELECT acq.submit_select_sources('acq_demo.stops', 'acq_demo.stops_validation', 'features',
                                 'person_search', task => 'fairness', source_column => 'neighborhood',
                                 sensitive => 'race', privileged => 'White', method => 'grasp',
                                 iterations => 5) AS job \gset
SELECT pg_sleep(0.5);
SELECT id, method, status, round(progress::numeric, 2) AS progress, message FROM acq.job_status WHERE id = :job;
SELECT acq.job_wait(:job) AS final_status;
SELECT id, status, elapsed, message FROM acq.job_status WHERE id = :job;
SELECT sources, round(profit::numeric, 3) AS profit, models_trained FROM acq.job_result(:job);
SELECT count(*) AS subsets_in_the_plan FROM acq.source_selection_subsets WHERE job_id = :job;

\echo
\echo '== Data acquisition (docs/acquisition.md): a consumer holds 12,000 Fashion-MNIST images'
\echo '   (HOG features) with a power-law class skew and may buy 3,000 of the provider''s 48,000.'
SELECT label, count(*) AS held FROM acq_demo.fashion_init GROUP BY 1 ORDER BY 1;
\echo 'Test accuracy of a softmax regression on what it holds:'
SELECT n_train, round(accuracy::numeric, 4) AS accuracy
  FROM acq.evaluate('{acq_demo.fashion_init}', 'acq_demo.fashion_test', 'features', 'label');
\echo 'Each strategy buys 3,000 records (one predicate per class); the model is then retrained:'
\timing on
SELECT strategy, a.rounds, a.counts AS bought_per_class, round(c.accuracy::numeric, 4) AS accuracy
  FROM unnest('{sps,ea,uniform,random}'::text[]) WITH ORDINALITY s(strategy, o),
       LATERAL acq.acquire('acq_demo.fashion_init', 'acq_demo.fashion_pool',
                           'acq_demo.fashion_bought_' || strategy, 'features', 'label', 3000,
                           strategy => strategy, seed => 1) a,
       LATERAL acq.acquisition_curve(a.plan_id, 'acq_demo.fashion_test', '{3000}') c
 ORDER BY o;
\timing off
\echo 'SPS''s plan, round by round (the first ten): predicate, novelty of the batch, posterior'
SELECT r.round, r.stage, r.predicate_name, r.received, round(r.utility::numeric, 3) AS novelty,
       round(alpha::numeric, 1) AS alpha, round(beta::numeric, 1) AS beta, r.budget_left
  FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
 WHERE p.strategy = 'sps' AND p.target = 'acq_demo.fashion_bought_sps'::regclass
 ORDER BY round LIMIT 10;
\echo 'Its acquisition curve:'
SELECT budget, n_train, round(accuracy::numeric, 4) AS accuracy
  FROM acq.acquisition_curve((SELECT plan_id FROM acq.acquisition_plans
                               WHERE target = 'acq_demo.fashion_bought_sps'::regclass),
                             'acq_demo.fashion_test', '{0,1000,2000,3000}');

\echo
\echo '== The same in the background, one committed round at a time: ETOPO5 relief,'
\echo '   4 x 4 lon/lat grid cells as predicates, k-NN regression of elevation'
SELECT acq.submit_acquire('acq_demo.relief_init', 'acq_demo.relief_pool', 'acq_demo.relief_bought',
                          'features', 'elevation', 3000, predicates => 'grid', task => 'regression',
                          batch => 30, seed => 1) AS job \gset
SELECT acq.job_wait(:job) AS final_status;
SELECT plan_id, status, bought, rounds, budget_left FROM acq.acquisitions WHERE job_id = :job;
SELECT budget, n_train, round(r2::numeric, 4) AS r2
  FROM acq.acquisition_curve((SELECT plan_id FROM acq.acquisitions WHERE job_id = :job),
                             'acq_demo.relief_test', '{0,1000,3000}');

\echo
\echo '== Mycroft (docs/mycroft.md): a Space Shuttle sensor model trained on normal flights and a'
\echo '   handful of failures; which of three data owners holds the data it lacks?'
CREATE TEMP TABLE hard_all AS
SELECT * FROM acq.hard_examples('acq_demo.shuttle_train', 'acq_demo.shuttle_test', 'features', 'label', seed => 1);
\echo 'The test rows its decision tree gets wrong (label 0 = normal, 1-6 = failure states):'
SELECT label, count(*) FILTER (WHERE shared) AS shared_with_owners,
       count(*) FILTER (WHERE NOT shared) AS held_back
  FROM hard_all GROUP BY 1 ORDER BY 1;
CREATE TEMP TABLE hard AS SELECT id, features, label FROM hard_all WHERE shared;
CREATE TEMP TABLE held AS SELECT id, features, label FROM hard_all WHERE NOT shared;
\echo 'One owner, in its own database, picks its 5 rows nearest the hard examples:'
SELECT s.rank, s.id, round(s.score::numeric, 2) AS distance, o.label
  FROM acq.mycroft_select('acq_demo.owner_logs', 'hard', 'id', 'features', 'label', 5) s
  JOIN acq_demo.owner_logs o USING (id) ORDER BY s.rank;
SET client_min_messages = warning;   -- (each owner says which of D_hard's labels it lacks)
\echo 'The trainer ranks the owners by what their 20 rows do to the held-back hard examples:'
SELECT method, rank, owner, round(f1_hard::numeric, 3) AS f1_hard,
       round(accuracy_hard::numeric, 3) AS accuracy_hard, round(f1_test::numeric, 3) AS f1_test
  FROM unnest('{feature,binning,random}'::text[]) WITH ORDINALITY m(method, o),
       LATERAL acq.rank_owners('acq_demo.shuttle_train', 'hard', 'held',
                               '{acq_demo.owner_normal,acq_demo.owner_high,acq_demo.owner_logs}',
                               'features', 'label', k => 20, method => method,
                               test => 'acq_demo.shuttle_test')
 ORDER BY o, rank;
SQL
