--
-- select_sources: acq.select_sources, acq.subset_profits and acq.subset_gain
-- on a planted problem built without random(): every method, the cost
-- models, fairness and regression metrics.  Results are checked with
-- relationships and rounded values, not raw floats.
--

-- ---- data --------------------------------------------------------------------
-- Rows i = 1..2000 with 4 features in [-1, 1] and a group.  The true rule is
-- y = (x1 + x2 + x3 + x4 > 0), t = 2 x1 - x2 + 0.5 x3 + 1.5 x4.
CREATE TABLE sel_base AS
SELECT i, ARRAY[sin(i * 1.3), cos(i * 2.1), sin(i * 0.7 + 0.5), cos(i * 1.9 + 0.3)] AS v,
       CASE WHEN i % 3 = 0 THEN 'min' ELSE 'maj' END AS grp
FROM generate_series(1, 2000) i;

-- Six sources, one leaf partition each (60 rows each):
--   src_a .. src_d  see one feature each (the others are 0), true labels:
--                   each helps, and all four together are best;
--   src_flip        all features, flipped labels: hurts;
--   src_noise       all features, labels unrelated to them (75% ones): hurts.
CREATE TABLE sel_src (src text, x float8[], y int, t float8, grp text, flag bool, n int)
    PARTITION BY LIST (src);
CREATE TABLE src_a PARTITION OF sel_src FOR VALUES IN ('a');
CREATE TABLE src_b PARTITION OF sel_src FOR VALUES IN ('b');
CREATE TABLE src_c PARTITION OF sel_src FOR VALUES IN ('c');
CREATE TABLE src_d PARTITION OF sel_src FOR VALUES IN ('d');
CREATE TABLE src_flip PARTITION OF sel_src FOR VALUES IN ('flip');
CREATE TABLE src_noise PARTITION OF sel_src FOR VALUES IN ('noise');
INSERT INTO sel_src
SELECT s.src, xx.x, (xx.x[1] + xx.x[2] + xx.x[3] + xx.x[4] > 0)::int,
       2 * xx.x[1] - xx.x[2] + 0.5 * xx.x[3] + 1.5 * xx.x[4] + 0.05 * sin(b.i * 3.7),
       b.grp, b.grp = 'maj', (b.grp = 'maj')::int
FROM (VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4)) s(src, k)
JOIN sel_base b ON b.i BETWEEN 100 * s.k AND 100 * s.k + 59
CROSS JOIN LATERAL (SELECT ARRAY(SELECT CASE WHEN j = s.k THEN b.v[j] ELSE 0 END
                                 FROM generate_series(1, 4) j) AS x) xx;
INSERT INTO sel_src
SELECT 'flip', v, (v[1] + v[2] + v[3] + v[4] <= 0)::int,
       -(2 * v[1] - v[2] + 0.5 * v[3] + 1.5 * v[4]), grp, grp = 'maj', (grp = 'maj')::int
FROM sel_base WHERE i BETWEEN 500 AND 559;
INSERT INTO sel_src
SELECT 'noise', v, (i % 4 <> 0)::int, 3 * cos(i * 0.37), grp, grp = 'maj', (grp = 'maj')::int
FROM sel_base WHERE i BETWEEN 600 AND 659;

-- validation: 200 rows of the true rule
CREATE TABLE sel_val AS
SELECT v AS x, (v[1] + v[2] + v[3] + v[4] > 0)::int AS y,
       2 * v[1] - v[2] + 0.5 * v[3] + 1.5 * v[4] AS t, grp, grp = 'maj' AS flag,
       (grp = 'maj')::int AS n
FROM sel_base WHERE i BETWEEN 1001 AND 1200;

-- the same sources in a plain table, named by a column
CREATE TABLE sel_plain AS
SELECT tableoid::regclass::text AS source, x, y, t, grp, flag FROM sel_src;

SELECT source, count(*), sum(y) AS ones FROM sel_plain GROUP BY 1 ORDER BY 1;

-- ---- (a) classification: all subsets, and every method ------------------------
CREATE TABLE sel_all AS
SELECT * FROM acq.subset_profits('sel_src', 'sel_val', 'x', 'y');
SELECT count(*) = 2^6 - 1 AS all_subsets,
       count(DISTINCT sources) = 2^6 - 1 AS distinct_subsets,
       bool_and(n_rows = 60 * cardinality(sources)) AS n_rows_ok,
       bool_and(cost = 0 AND profit = gain) AS no_costs,
       bool_and(gain BETWEEN 0 AND 100) AS gain_in_range
FROM sel_all;
-- the planted optimum is unique, by 4 points; the bad sources hurt
SELECT sources, round(gain::numeric, 2) AS gain FROM sel_all ORDER BY gain DESC LIMIT 4;
SELECT sources, round(gain::numeric, 2) AS gain FROM sel_all
WHERE cardinality(sources) = 1 ORDER BY sources;

-- the plain table with a source column gives the very same subsets
SELECT count(*) AS matched,
       bool_and(abs(a.gain - p.gain) < 1e-9 AND a.n_rows = p.n_rows) AS same
FROM sel_all a
JOIN acq.subset_profits('sel_plain', 'sel_val', 'x', 'y', source_column => 'source') p
  USING (sources);

-- every method; each result is a subset whose figures subset_gain confirms
CREATE TABLE sel_methods AS
SELECT ord, m AS method, r.*
FROM unnest(ARRAY['splice', 'grasp', 'greedy', 'random', 'exhaustive', 'datamodels'])
     WITH ORDINALITY AS u(m, ord),
     LATERAL acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => m) r
ORDER BY ord;
SELECT method, sources, round(gain::numeric, 2) AS gain, cost, round(profit::numeric, 2) AS profit,
       n_rows,
       profit >= (SELECT max(profit) FROM sel_all) - 1e-9 AS optimal,
       models_trained BETWEEN 1 AND 2^6 - 1 AS models_ok
FROM sel_methods ORDER BY ord;
SELECT method,
       abs(m.gain - g.gain) < 1e-9 AND abs(m.profit - g.profit) < 1e-9
         AND m.n_rows = g.n_rows AS confirmed
FROM sel_methods m,
     LATERAL acq.subset_gain('sel_src', 'sel_val', 'x', 'y', m.sources) g
ORDER BY ord;
-- exhaustive trains every subset once and returns the best one
SELECT models_trained = 2^6 - 1 AS all_trained,
       sources = (SELECT sources FROM sel_all ORDER BY profit DESC LIMIT 1) AS argmax,
       abs(profit - (SELECT max(profit) FROM sel_all)) < 1e-9 AS max_profit
FROM sel_methods WHERE method = 'exhaustive';
-- splice finds exhaustive's best here, with fewer models
SELECT s.sources = e.sources AS same_subset, abs(s.profit - e.profit) < 1e-9 AS same_profit,
       s.models_trained < e.models_trained AS fewer_models
FROM sel_methods s, sel_methods e WHERE s.method = 'splice' AND e.method = 'exhaustive';
-- greedy trains the m singletons and the m - 1 longer prefixes
SELECT models_trained <= 2 * 6 AS greedy_models_ok FROM sel_methods WHERE method = 'greedy';

-- splice's parameters: s_max => 1 keeps a single source (the best one);
-- k_max => 1 still reaches the optimum
SELECT sources, round(gain::numeric, 2) AS gain
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', s_max => 1);
SELECT sources, round(gain::numeric, 2) AS gain
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', k_max => 1);
SELECT sources, round(gain::numeric, 2) AS gain
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', s_max => 6, k_max => 6);

-- the randomised methods: the same seed gives the same result
SELECT a = b AS grasp_same
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'grasp', iterations => 2,
                        rcl_size => 3, seed => 7) a,
     acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'grasp', iterations => 2,
                        rcl_size => 3, seed => 7) b;
SELECT a = b AS random_same, a.models_trained <= 6 AS one_order
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'random', iterations => 1,
                        seed => 42) a,
     acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'random', iterations => 1,
                        seed => 42) b;
SELECT a = b AS datamodels_same, a.models_trained <= 10 + 1 AS samples_plus_check,
       a.profit <= (SELECT max(profit) FROM sel_all) + 1e-9 AS not_above_best
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'datamodels', samples => 10,
                        seed => 3) a,
     acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'datamodels', samples => 10,
                        seed => 3) b;
-- more samples than subsets: each subset is trained at most once
SELECT models_trained <= 2^6 - 1 AS capped,
       abs(profit - (SELECT max(profit) FROM sel_all)) < 1e-9 AS optimal
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'datamodels', samples => 5000);

-- the F1 task: gain = 100 * F1
SELECT bool_and(abs(g.gain - 100 * g.f1) < 1e-9) AS f1_gain,
       bool_and(g.f1 BETWEEN 0 AND 1 AND g.accuracy BETWEEN 0 AND 1) AS in_range
FROM sel_all a,
     LATERAL acq.subset_gain('sel_src', 'sel_val', 'x', 'y', a.sources, task => 'f1') g;
SELECT method, sources
FROM unnest(ARRAY['splice', 'exhaustive']) method,
     LATERAL acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => method, task => 'f1');

-- tol: where the logistic fit stops (mean log-loss gradient); scikit-learn's looser 1e-4
-- gives the same best subset and gain on these sources
SELECT a.sources = b.sources AS same_subset, abs(a.gain - b.gain) < 1e-9 AS same_gain
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'exhaustive') a,
     acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'exhaustive', tol => 1e-4) b;

-- ---- (b) costs ----------------------------------------------------------------
-- per-source costs: sources not named cost 0
SELECT round(cost::numeric, 2) AS cost, round(profit::numeric, 2) AS profit,
       abs(profit - (gain - cost)) < 1e-9 AS profit_is_gain_minus_cost
FROM acq.subset_gain('sel_src', 'sel_val', 'x', 'y', '{src_a,src_b,src_flip}',
                     costs => '{"src_a": 1.25, "src_flip": 2, "src_d": 100}');
-- a cheap src_b stays in the best subset; an expensive one is dropped
SELECT sources, round(gain::numeric, 2) AS gain, round(cost::numeric, 2) AS cost,
       round(profit::numeric, 2) AS profit
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'exhaustive',
                        costs => '{"src_b": 5}');
SELECT method, sources, round(gain::numeric, 2) AS gain, round(cost::numeric, 2) AS cost,
       round(profit::numeric, 2) AS profit
FROM unnest(ARRAY['exhaustive', 'splice', 'greedy']) WITH ORDINALITY AS u(method, ord),
     LATERAL acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => method,
                                costs => '{"src_b": 20}')
ORDER BY ord;
-- a cost on every source: C(S) = sum of its sources' costs
SELECT bool_and(abs(p.cost - (SELECT sum(c.value::float8) FROM jsonb_each_text(
                    '{"src_a": 1, "src_b": 2, "src_c": 3, "src_d": 4, "src_flip": 0.5, "src_noise": 0.25}'
                    ) c WHERE c.key = ANY (p.sources))) < 1e-9) AS cost_is_sum,
       bool_and(abs(p.profit - (p.gain - p.cost)) < 1e-9) AS profit_ok,
       bool_and(abs(p.gain - a.gain) < 1e-9) AS gain_unchanged
FROM acq.subset_profits('sel_src', 'sel_val', 'x', 'y',
       costs => '{"src_a": 1, "src_b": 2, "src_c": 3, "src_d": 4, "src_flip": 0.5, "src_noise": 0.25}') p
JOIN sel_all a USING (sources);

-- gain-based costs C(s) = cost_scale * max(0, G({s}) - cost_offset)^cost_exponent,
-- from the singletons' gains
CREATE TABLE sel_single AS
SELECT a.sources[1] AS source, a.gain FROM sel_all a WHERE cardinality(a.sources) = 1;
CREATE TABLE sel_cost_models AS
SELECT * FROM (VALUES (0, 0.5::float8, 0::float8), (0, 0.5, 90), (1, 0.1, 60),
                      (1, 0.01, 0), (2, 0.001, 50), (2, 0.002, 0)) v(t, scale, off);
SELECT cm.t, cm.scale, cm.off, count(*) AS subsets,
       bool_and(abs(p.cost - (SELECT sum(cm.scale * CASE cm.t WHEN 0 THEN 1
                                                        ELSE greatest(0, s.gain - cm.off) ^ cm.t END)
                              FROM sel_single s WHERE s.source = ANY (p.sources))) < 1e-9) AS cost_ok,
       bool_and(abs(p.profit - (p.gain - p.cost)) < 1e-9) AS profit_ok,
       bool_and(abs(p.gain - a.gain) < 1e-9) AS gain_unchanged
FROM sel_cost_models cm,
     LATERAL acq.subset_profits('sel_src', 'sel_val', 'x', 'y', cost_exponent => cm.t,
                                cost_scale => cm.scale, cost_offset => cm.off) p
JOIN sel_all a USING (sources)
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
-- the singletons' costs, as subset_gain reports them
SELECT s.source, round(g.cost::numeric, 4) AS cost
FROM sel_single s,
     LATERAL acq.subset_gain('sel_src', 'sel_val', 'x', 'y', ARRAY[s.source], cost_exponent => 1,
                             cost_scale => 0.1, cost_offset => 60) g
ORDER BY 1;
-- select_sources under gain-based costs: the result is exhaustive's best, its
-- cost the sum of its sources' costs, and exhaustive still trains 2^m - 1 subsets
SELECT r.method, r.sources, round(r.gain::numeric, 2) AS gain, round(r.cost::numeric, 4) AS cost,
       abs(r.cost - (SELECT sum(0.1 * greatest(0, s.gain - 60)) FROM sel_single s
                     WHERE s.source = ANY (r.sources))) < 1e-9 AS cost_ok,
       abs(r.profit - (r.gain - r.cost)) < 1e-9 AS profit_ok,
       r.models_trained <= 2^6 - 1 AS models_ok
FROM unnest(ARRAY['exhaustive', 'splice', 'grasp', 'greedy', 'random', 'datamodels'])
     WITH ORDINALITY AS u(m, ord),
     LATERAL (SELECT m AS method, * FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => m,
                                     cost_exponent => 1, cost_scale => 0.1, cost_offset => 60)) r
ORDER BY ord;
SELECT models_trained = 2^6 - 1 AS exhaustive_all
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'exhaustive',
                        cost_exponent => 2, cost_scale => 0.001);
-- a steep cost, C(s) = 2 (G({s}) - 60), makes the good sources too dear:
-- src_b (62 alone) costs 4, src_noise (50.5 alone) costs nothing
SELECT method, sources, round(gain::numeric, 2) AS gain, round(cost::numeric, 2) AS cost,
       round(profit::numeric, 2) AS profit
FROM unnest(ARRAY['exhaustive', 'splice']) WITH ORDINALITY AS u(method, ord),
     LATERAL acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => method,
                                cost_exponent => 1, cost_scale => 2, cost_offset => 60)
ORDER BY ord;
-- cost_exponent 0 charges cost_scale per source, whatever the offset
SELECT sources, round(cost::numeric, 2) AS cost, round(profit::numeric, 2) AS profit
FROM acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => 'exhaustive',
                        cost_exponent => 0, cost_scale => 5, cost_offset => 1000);

-- ---- (c) fairness ---------------------------------------------------------------
-- a text sensitive column with a privileged value, a boolean and a 0/1 column
-- (true / 1 = privileged) describe the same groups
SELECT t = b AS text_eq_bool, t = n AS text_eq_int,
       round(t.accuracy::numeric, 3) AS accuracy, round(t.tpr_gap::numeric, 4) AS tpr_gap,
       abs(t.gain - (100 * t.accuracy + 25 * t.tpr_gap)) < 1e-9 AS gain_ok
FROM acq.subset_gain('sel_src', 'sel_val', 'x', 'y', '{src_a,src_c}', task => 'fairness',
                     sensitive => 'grp', privileged => 'maj', lambda => 25) t,
     acq.subset_gain('sel_src', 'sel_val', 'x', 'y', '{src_a,src_c}', task => 'fairness',
                     sensitive => 'flag', lambda => 25) b,
     acq.subset_gain('sel_src', 'sel_val', 'x', 'y', '{src_a,src_c}', task => 'fairness',
                     sensitive => 'n', lambda => 25) n;
-- naming the other group privileged flips the sign of the gap
SELECT abs(a.tpr_gap + b.tpr_gap) < 1e-12 AS gap_flips, a.accuracy = b.accuracy AS same_accuracy
FROM acq.subset_gain('sel_src', 'sel_val', 'x', 'y', '{src_a,src_c}', task => 'fairness',
                     sensitive => 'grp', privileged => 'maj') a,
     acq.subset_gain('sel_src', 'sel_val', 'x', 'y', '{src_a,src_c}', task => 'fairness',
                     sensitive => 'grp', privileged => 'min') b;
-- on every subset: gain = 100 * accuracy + lambda * tpr_gap, as subset_profits says
SELECT l AS lambda, count(*) AS subsets,
       bool_and(abs(g.gain - (100 * g.accuracy + l * coalesce(g.tpr_gap, 0))) < 1e-9) AS gain_ok,
       bool_and(abs(g.gain - p.gain) < 1e-9) AS same_as_profits,
       bool_and(g.tpr_gap BETWEEN -1 AND 1) AS gap_in_range,
       bool_and(g.mse IS NULL AND g.r2 IS NULL) AS no_regression_metrics
FROM unnest(ARRAY[0, 10, 50]::float8[]) l,
     LATERAL acq.subset_profits('sel_src', 'sel_val', 'x', 'y', task => 'fairness',
                                sensitive => 'grp', privileged => 'maj', lambda => l) p,
     LATERAL acq.subset_gain('sel_src', 'sel_val', 'x', 'y', p.sources, task => 'fairness',
                             sensitive => 'grp', privileged => 'maj', lambda => l) g
GROUP BY l ORDER BY l;
-- classification with a sensitive attribute reports the gap but ignores lambda
SELECT abs(gain - 100 * accuracy) < 1e-9 AS gain_is_accuracy, tpr_gap IS NOT NULL AS has_gap
FROM acq.subset_gain('sel_src', 'sel_val', 'x', 'y', '{src_a,src_c}', sensitive => 'flag',
                     lambda => 25);
-- without a sensitive attribute there is no gap
SELECT tpr_gap IS NULL AS no_gap
FROM acq.subset_gain('sel_src', 'sel_val', 'x', 'y', '{src_a,src_c}');
-- fairness with a large lambda: the best subset trades accuracy for the gap
SELECT method, sources, round(gain::numeric, 4) AS gain,
       profit >= (SELECT max(profit) FROM acq.subset_profits('sel_src', 'sel_val', 'x', 'y',
                    task => 'fairness', sensitive => 'grp', privileged => 'maj', lambda => 50)) - 1e-9
         AS optimal
FROM unnest(ARRAY['exhaustive', 'splice', 'greedy']) WITH ORDINALITY AS u(method, ord),
     LATERAL acq.select_sources('sel_src', 'sel_val', 'x', 'y', method => method, task => 'fairness',
                                sensitive => 'grp', privileged => 'maj', lambda => 50)
ORDER BY ord;

-- ---- (d) regression -------------------------------------------------------------
CREATE TABLE sel_reg AS
SELECT * FROM acq.subset_profits('sel_src', 'sel_val', 'x', 't', task => 'regression');
SELECT sources, round(gain::numeric, 2) AS gain FROM sel_reg ORDER BY gain DESC LIMIT 3;
-- gain = 100 / (1 + mse / Var(y_val)) and r2 = 1 - mse / Var(y_val), Var the
-- population variance of the validation labels
SELECT count(*) AS subsets,
       bool_and(abs(g.gain - 100 / (1 + g.mse / v.var)) < 1e-9) AS gain_ok,
       bool_and(abs(g.r2 - (1 - g.mse / v.var)) < 1e-9) AS r2_ok,
       bool_and(abs(g.gain - p.gain) < 1e-9) AS same_as_profits,
       bool_and(g.mse >= 0 AND g.gain > 0 AND g.gain <= 100) AS in_range,
       bool_and(g.accuracy IS NULL AND g.f1 IS NULL AND g.tpr_gap IS NULL) AS no_class_metrics
FROM sel_reg p,
     (SELECT var_pop(t) AS var FROM sel_val) v,
     LATERAL acq.subset_gain('sel_src', 'sel_val', 'x', 't', p.sources, task => 'regression') g;
-- the four good sources fit the rule (up to the 0.05 noise): r2 near 1
SELECT round(gain::numeric, 2) AS gain, r2 > 0.999 AS r2_near_1, mse < 0.01 AS small_mse
FROM acq.subset_gain('sel_src', 'sel_val', 'x', 't', '{src_a,src_b,src_c,src_d}',
                     task => 'regression');
-- one source fits one coefficient: its MSE is that of the least-squares line
-- t ~ x1 on src_a's rows (the other features are 0 there, so their
-- coefficients are 0, as scikit-learn's LinearRegression gives)
SELECT abs(g.mse - ols.mse) < 1e-9 AS mse_is_ols
FROM acq.subset_gain('sel_src', 'sel_val', 'x', 't', '{src_a}', task => 'regression') g,
     (SELECT avg((v.t - (f.b0 + f.b1 * v.x[1]))^2) AS mse
      FROM sel_val v,
           (SELECT regr_intercept(t, x[1]) AS b0, regr_slope(t, x[1]) AS b1
            FROM src_a) f) ols;
-- ... whatever the other sources in the table: a subset's gain depends on
-- its own rows only
CREATE TABLE sel_only_a AS SELECT * FROM sel_plain WHERE source = 'src_a';
SELECT abs(a.mse - b.mse) < 1e-9 AS independent_of_other_sources
FROM acq.subset_gain('sel_src', 'sel_val', 'x', 't', '{src_a}', task => 'regression') a,
     acq.subset_gain('sel_only_a', 'sel_val', 'x', 't', '{src_a}', task => 'regression',
                     source_column => 'source') b;
-- (with ridge, alpha > 0, the zero features get coefficient 0 either way)
SELECT abs(a.mse - b.mse) < 1e-9 AS ridge_independent
FROM acq.subset_gain('sel_src', 'sel_val', 'x', 't', '{src_a}', task => 'regression',
                     alpha => 0.1) a,
     acq.subset_gain('sel_only_a', 'sel_val', 'x', 't', '{src_a}', task => 'regression',
                     source_column => 'source', alpha => 0.1) b;
-- every method finds the planted optimum
SELECT method, sources, round(gain::numeric, 2) AS gain,
       abs(profit - (SELECT max(profit) FROM sel_reg)) < 1e-9 AS optimal
FROM unnest(ARRAY['splice', 'grasp', 'greedy', 'random', 'exhaustive', 'datamodels'])
     WITH ORDINALITY AS u(method, ord),
     LATERAL acq.select_sources('sel_src', 'sel_val', 'x', 't', method => method,
                                task => 'regression')
ORDER BY ord;
-- ridge: alpha > 0 shrinks the coefficients, so the fit is worse here
SELECT a.mse > b.mse AS ridge_worse
FROM acq.subset_gain('sel_src', 'sel_val', 'x', 't', '{src_a,src_b,src_c,src_d}',
                     task => 'regression', alpha => 10) a,
     acq.subset_gain('sel_src', 'sel_val', 'x', 't', '{src_a,src_b,src_c,src_d}',
                     task => 'regression') b;

-- ---- more sources than one 64-bit word: 70 sources, the first 5 corrupted ----------
CREATE TABLE sel_many AS
SELECT 's' || lpad((i % 70)::text, 2, '0') AS src,
       ARRAY[sin(i * 0.37), cos(i * 1.3), (i % 70)::float8 / 70] AS x,
       CASE WHEN (sin(i * 0.37) + 0.5 * cos(i * 1.3) > 0.1) <> (i % 70 < 5) THEN 1 ELSE 0 END AS y
FROM generate_series(1, 70 * 60) i;
CREATE TABLE sel_many_val AS
SELECT ARRAY[sin(i * 0.37), cos(i * 1.3), 0.5] AS x,
       CASE WHEN sin(i * 0.37) + 0.5 * cos(i * 1.3) > 0.1 THEN 1 ELSE 0 END AS y
FROM generate_series(100001, 100500) i;
SELECT method, cardinality(sources) > 0 AS chose,
       NOT sources && ARRAY['s00', 's01', 's02', 's03', 's04'] AS corrupted_left_out,
       gain > 95 AS good_gain
FROM unnest(ARRAY['splice', 'greedy']) AS method,
     LATERAL acq.select_sources('sel_many', 'sel_many_val', 'x', 'y', method => method,
                                source_column => 'src', s_max => 3)
ORDER BY method;
