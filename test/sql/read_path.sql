--
-- read_path (issue 19): every reader sees a float8[] where the executor left
-- it -- a short array's one-byte header read in place, a longer one used in
-- place, a compressed or out-of-line one detoasted -- and copies it once.
-- The results do not depend on how an array is stored, nor on
-- acq.retain_memory; the checks (NULL arrays and elements, ragged and
-- multi-dimensional arrays, NaN) give the same errors for a short array as
-- for a long one, and their messages carry no statement of acq's.
--
\set VERBOSITY default
CREATE FUNCTION rp_err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- ---- the same rows stored several ways ---------------------------------------------
-- 300 rows in 6 sources (partitions), 300 features of few distinct values, a 0/1 label y
-- and a numeric one t; the 2.4 kB arrays stored in place (plain), compressed (main) and out
-- of line (external)
CREATE TABLE rp_rows AS
SELECT i AS id, 'p' || (i % 6) AS src,
       ARRAY(SELECT round((sin(i * j) + (i % 3) * 0.5)::numeric, 1)::float8 FROM generate_series(1, 300) j) AS x,
       ((i * 7) % 11 > 4)::int AS y, sin(i) + 0.01 * i AS t
FROM generate_series(1, 300) i;
CREATE TABLE rp_val AS
SELECT i AS id, ARRAY(SELECT round((sin(i * j + 1) + (i % 3) * 0.5)::numeric, 1)::float8 FROM generate_series(1, 300) j) AS x,
       ((i * 5) % 11 > 4)::int AS y, cos(i) AS t
FROM generate_series(1, 80) i;

CREATE FUNCTION rp_store(name text, storage text, width int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I (id int, src text, x float8[], y int, t float8) PARTITION BY LIST (src)', name);
    FOR i IN 0..5 LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES IN (%L)', name || '_p' || i, name, 'p' || i);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN x SET STORAGE %s', name || '_p' || i, storage);
    END LOOP;
    EXECUTE format('INSERT INTO %I SELECT id, src, x[1:%s], y, t FROM rp_rows', name, width);
    EXECUTE format('CREATE TABLE %I (id int, x float8[], y int, t float8)', name || '_val');
    EXECUTE format('ALTER TABLE %I ALTER COLUMN x SET STORAGE %s', name || '_val', storage);
    EXECUTE format('INSERT INTO %I SELECT id, x[1:%s], y, t FROM rp_val', name || '_val', width);
END $$;
SELECT rp_store('rp_plain', 'plain', 300);
SELECT rp_store('rp_main', 'main', 300);
SELECT rp_store('rp_ext', 'external', 300);
-- short arrays: 12 features, 120 bytes, a one-byte header in the page
SELECT rp_store('rp_short', 'plain', 12);
-- the same short arrays computed by a view: a four-byte header, as the executor builds them
CREATE VIEW rp_short_v AS SELECT id, src, x || '{}'::float8[] AS x, y, t FROM rp_short;
CREATE VIEW rp_short_v_val AS SELECT id, x || '{}'::float8[] AS x, y, t FROM rp_short_val;
-- how the arrays are stored
SELECT 'rp_plain' AS t, min(pg_column_size(x)) AS bytes FROM rp_plain
UNION ALL SELECT 'rp_main', max(pg_column_size(x)) FROM rp_main
UNION ALL SELECT 'rp_ext', min(pg_column_size(x)) FROM rp_ext
UNION ALL SELECT 'rp_short', min(pg_column_size(x)) FROM rp_short
UNION ALL SELECT 'rp_short_v', min(pg_column_size(x)) FROM rp_short_v;

-- select_sources: the same subsets and profits, however the arrays are stored
CREATE FUNCTION rp_select(src text, task text, label text, srccol text DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
    SELECT array_to_string(sources, ',') || ' ' || round(profit::numeric, 8) || ' ' || models_trained || ' ' || n_rows
    FROM acq.select_sources(src::regclass, (src || '_val')::regclass, 'x', label, task => task,
                            source_column => srccol) $$;
SELECT t, rp_select(t, 'regression', 't') AS regression
FROM unnest('{rp_plain,rp_main,rp_ext}'::text[]) t;
SELECT t, rp_select(t, 'classification', 'y', 'src') AS classification, rp_select(t, 'regression', 't', 'src') AS regression
FROM unnest('{rp_short,rp_short_v}'::text[]) t;

-- acq.retain_memory: a setting of the backend's memory, not of the result
SELECT rp_select('rp_ext', 'regression', 't') AS before_reset \gset
SHOW acq.retain_memory;
SET acq.retain_memory = 0;
SELECT rp_select('rp_ext', 'regression', 't') = :'before_reset' AS same_without_retaining;
RESET acq.retain_memory;
SELECT rp_err($$SET acq.retain_memory = '2GB'$$) AS over_the_limit;

-- acquire and evaluate: the same plan from short arrays in the page and computed ones
CREATE TABLE rp_cons AS SELECT id, x, y FROM rp_short WHERE id % 5 = 0;
CREATE VIEW rp_cons_v AS SELECT id, x || '{}'::float8[] AS x, y FROM rp_cons;
CREATE TABLE rp_prov AS SELECT id, x, y FROM rp_short WHERE id % 5 <> 0;
ALTER TABLE rp_prov ADD PRIMARY KEY (id);
SELECT c, a.bought, a.rounds, a.counts
FROM unnest('{rp_cons,rp_cons_v}'::text[]) c,
     acq.acquire(c::regclass, 'rp_prov', c || '_tgt', 'x', 'y', 60,
                 strategy => 'sps', predicates => 'label', batch => 10, seed => 3) a;
SELECT (SELECT array_agg(id ORDER BY id) FROM rp_cons_tgt) = (SELECT array_agg(id ORDER BY id) FROM rp_cons_v_tgt) AS same_ids;
SELECT t, round(accuracy::numeric, 6) AS accuracy
FROM unnest('{rp_plain,rp_ext}'::text[]) t,
     acq.evaluate(ARRAY[t]::regclass[], (t || '_val')::regclass, 'x', 'y', model => 'softmax') e;

-- ---- the checks on short arrays: the same errors as on long ones ---------------------
CREATE TABLE rp_bad (src text, x float8[], y int, t float8) PARTITION BY LIST (src);
CREATE TABLE rp_bad_a PARTITION OF rp_bad FOR VALUES IN ('a');
CREATE TABLE rp_bad_b PARTITION OF rp_bad FOR VALUES IN ('b');
INSERT INTO rp_bad SELECT CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END, ARRAY[i, i * 0.5, 1.0], i % 2, i FROM generate_series(1, 10) i;
CREATE TABLE rp_bad_val AS SELECT x, y, t FROM rp_bad;
SELECT rp_err($$SELECT * FROM acq.select_sources('rp_bad', 'rp_bad_val', 'x', 'y')$$) AS fine;
-- a NULL element in a short array (its header has a NULL bitmap: the aligned copy)
UPDATE rp_bad SET x = ARRAY[1.0, NULL, 2.0] WHERE t = 4;
SELECT rp_err($$SELECT * FROM acq.select_sources('rp_bad', 'rp_bad_val', 'x', 'y')$$) AS null_element;
SELECT * FROM acq.select_sources('rp_bad', 'rp_bad_val', 'x', 'y');
UPDATE rp_bad SET x = ARRAY[1.0, 'NaN', 2.0] WHERE t = 4;
SELECT * FROM acq.select_sources('rp_bad', 'rp_bad_val', 'x', 'y');
UPDATE rp_bad SET x = ARRAY[1.0, 2.0] WHERE t = 4;
SELECT * FROM acq.select_sources('rp_bad', 'rp_bad_val', 'x', 'y');
UPDATE rp_bad SET x = ARRAY[[1.0, 2.0], [3.0, 4.0]] WHERE t = 4;
SELECT * FROM acq.select_sources('rp_bad', 'rp_bad_val', 'x', 'y');
UPDATE rp_bad SET x = NULL WHERE t = 4;
SELECT * FROM acq.select_sources('rp_bad', 'rp_bad_val', 'x', 'y');
-- the same in the validation table (a row numbered by its ctid there too)
UPDATE rp_bad SET x = ARRAY[t, t * 0.5, 1.0] WHERE t = 4;
UPDATE rp_bad_val SET x = ARRAY[1.0, NULL, 2.0] WHERE t = 7;
SELECT * FROM acq.select_sources('rp_bad', 'rp_bad_val', 'x', 'y');
-- acquire's and evaluate's checks on a short array with a NULL element
CREATE TABLE rp_bad_cons AS SELECT t::int AS id, x, y FROM rp_bad_val;
SELECT rp_err($$SELECT * FROM acq.acquire('rp_bad_cons', 'rp_prov', 'rp_bad_tgt', 'x', 'y', 5)$$) AS acquire_consumer;
SELECT rp_err($$SELECT * FROM acq.evaluate('{rp_bad_cons}', 'rp_bad_val', 'x', 'y')$$) AS evaluate_training;
