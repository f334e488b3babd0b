--
-- EA 'fill''s cap (fill_cap, docs/acquisition.md, "EA: estimation, then
-- allocation"): a predicate whose first records all looked held (a novelty of
-- exactly 0) counts as covered at most fill_cap times the records held for it.
-- Without the cap (fill_cap => 0, acq before it) such a predicate gets only its
-- equal share of half the budget, however few records the consumer holds.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Classes 0-2 spread around (c, c); every record of class 3 for sale is an
-- exact copy of one of the consumer's two class-3 records, so EA's first
-- round measures its novelty at exactly 0 (a distance tie goes to "held").
CREATE TABLE fc_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO fc_prov
SELECT i, CASE WHEN i % 4 < 3
               THEN ARRAY[(i % 4) + sin(i * 0.731) * 0.9, (i % 4) + cos(i * 1.127) * 0.9]
               ELSE ARRAY[3.0 + (i % 8 / 4), 3.0] END, i % 4
FROM generate_series(1, 4000) i;
CREATE TABLE fc_cons (id bigint, x float8[], y int);
INSERT INTO fc_cons
SELECT 100000 + i, ARRAY[(i % 4) + sin(i * 0.377) * 0.9, (i % 4) + cos(i * 0.913) * 0.9], i % 4
FROM generate_series(1, 600) i WHERE i % 4 < 3;
INSERT INTO fc_cons VALUES (200001, '{3, 3}', 3), (200002, '{4, 3}', 3);
SELECT y, count(*) AS held FROM fc_cons GROUP BY y ORDER BY y;

-- without the cap: class 3 measured at 0 is taken as covered, and gets its
-- equal share (600 / 8 = 75) and no more
SELECT bought, counts AS without_cap
FROM acq.acquire('fc_cons', 'fc_prov', 'fc_nocap', 'x', 'y', 600, strategy => 'ea', l => 0.02,
                 fill_cap => 0, seed => 1);

-- with it (the default, 4): class 3 counts as at most 4 x 2 = 8 records held,
-- the fewest of all, and the water-filling raises it first
SELECT bought, counts AS with_cap,
       counts[4] > 75 AS class3_beyond_equal_share,
       counts[4] = (SELECT max(c) FROM unnest(counts) c) AS class3_most
FROM acq.acquire('fc_cons', 'fc_prov', 'fc_cap', 'x', 'y', 600, strategy => 'ea', l => 0.02, seed => 1);

-- the plans keep it; a large cap is no cap here
SELECT target, allocation, fill_cap FROM acq.acquisition_plans
WHERE target IN ('fc_nocap', 'fc_cap') ORDER BY target DESC;
SELECT counts::bigint[] = (SELECT array_agg(n ORDER BY y) FROM (SELECT y, count(*) AS n FROM fc_nocap GROUP BY y) c)
       AS large_cap_as_none
FROM acq.acquire('fc_cons', 'fc_prov', 'fc_bigcap', 'x', 'y', 600, strategy => 'ea', l => 0.02,
                 fill_cap => 1e6, seed => 1);
-- the other allocations do not read it
SELECT bought FROM acq.acquire('fc_cons', 'fc_prov', 'fc_lin', 'x', 'y', 600, strategy => 'ea', l => 0.02,
                               allocation => 'linear', seed => 1);
SELECT bought FROM acq.acquire('fc_cons', 'fc_prov', 'fc_lin0', 'x', 'y', 600, strategy => 'ea', l => 0.02,
                               allocation => 'linear', fill_cap => 0, seed => 1);
SELECT (SELECT array_agg(id ORDER BY id) FROM fc_lin) = (SELECT array_agg(id ORDER BY id) FROM fc_lin0)
       AS linear_ignores_it;

-- bad values: 22023 with what fill_cap is (NULL: 22004)
SELECT * FROM acq.acquire('fc_cons', 'fc_prov', 'fc_bad', 'x', 'y', 600, strategy => 'ea', fill_cap => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM acq.acquire('fc_cons', 'fc_prov', 'fc_bad', 'x', 'y', 600, strategy => 'ea', fill_cap => 'NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM acq.acquire('fc_cons', 'fc_prov', 'fc_bad', 'x', 'y', 600, strategy => 'ea', fill_cap => 2e6);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM acq.acquire('fc_cons', 'fc_prov', 'fc_bad', 'x', 'y', 600, strategy => 'ea', fill_cap => NULL);
\echo :LAST_ERROR_SQLSTATE
-- and acq.submit_acquire checks it before queueing
SELECT acq.submit_acquire('fc_cons', 'fc_prov', 'fc_bad', 'x', 'y', 600, strategy => 'ea', fill_cap => -1);
\echo :LAST_ERROR_SQLSTATE

DROP TABLE fc_prov, fc_cons, fc_nocap, fc_cap, fc_bigcap, fc_lin, fc_lin0;
