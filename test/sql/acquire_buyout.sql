--
-- Buying out the provider: a budget of everything for sale buys every
-- record, whatever the strategy, and a budget a little short of it is spent
-- whole.  A query that bought more than half of what its predicate had left
-- used to mark the predicate exhausted (its purchase was taken off the
-- planner's count twice), and the plan stopped with records and budget left:
-- uniform and random bought 400 of these 450, SPS 300, curve 339.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- 3 labels of 150 records each; the consumer holds 10 of each
CREATE TABLE bo_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO bo_prov
SELECT 1000 + g, ARRAY[(g * 7919) % 101, (g * 31) % 17]::float8[], g % 3
FROM generate_series(1, 450) g;
CREATE TABLE bo_cons (id bigint, x float8[], y int);
INSERT INTO bo_cons
SELECT g, ARRAY[(g * 13) % 101, (g * 7) % 17]::float8[], g % 3
FROM generate_series(1, 30) g;

-- B = 450, everything for sale: every strategy buys every record
SELECT s.name, s.allocation, a.bought, a.counts
FROM (VALUES (1, 'uniform', NULL), (2, 'random', NULL), (3, 'sps', NULL), (4, 'ea', 'fill'),
             (5, 'ea', 'linear'), (6, 'curve', NULL)) AS s(k, name, allocation),
     LATERAL acq.acquire('bo_cons', 'bo_prov', 'bo_all_' || s.k, 'x', 'y', 450,
                         strategy => s.name, allocation => coalesce(s.allocation, 'fill'),
                         validation => CASE WHEN s.name = 'curve' THEN 'bo_cons'::regclass END,
                         seed => 1) a
ORDER BY s.k;
SELECT count(*) AS left_for_sale FROM bo_prov p
WHERE NOT EXISTS (SELECT 1 FROM bo_all_1 t WHERE t.id = p.id);

-- B = 440: the budget is spent whole, and the log's last round leaves nothing
SELECT s.name, a.bought
FROM (VALUES (1, 'uniform'), (2, 'random'), (3, 'sps'), (4, 'ea'), (5, 'curve')) AS s(k, name),
     LATERAL acq.acquire('bo_cons', 'bo_prov', 'bo_most_' || s.k, 'x', 'y', 440,
                         strategy => s.name,
                         validation => CASE WHEN s.name = 'curve' THEN 'bo_cons'::regclass END,
                         seed => 2) a
ORDER BY s.k;
SELECT p.strategy, min(r.budget_left) AS budget_left, sum(r.received) AS received
FROM acq.acquisition_rounds r JOIN acq.acquisition_plans p USING (plan_id)
WHERE p.target::text LIKE 'bo_most_%'
GROUP BY p.target, p.strategy ORDER BY p.target::text;
