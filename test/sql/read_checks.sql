--
-- read_checks (issue 19): a wide row's finiteness and norm checks answered
-- in one pass when every element is small (base's acq_row_surely_fine), the
-- checks themselves otherwise; and the next row's array prefetched on the
-- guess that it lies below this one in the page.  Neither may change a
-- result or an error: NaN and infinities anywhere in a 144-wide array, an
-- element above the one-pass bound in a row whose norm is within the limit
-- (accepted, as before), a norm over the limit (refused, its norm named),
-- and rows whose physical order and widths defeat the prefetch's guess.
--
\set VERBOSITY default
CREATE FUNCTION rc_err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- 400 owner rows and 30 hard rows of 144 features, two labels
CREATE TABLE rc_owner AS
SELECT i AS id, ARRAY(SELECT round((sin(i * j * 0.37) + (i % 4) * 0.25)::numeric, 3)::float8
                      FROM generate_series(1, 144) j) AS x, (i % 2)::float8 AS y
FROM generate_series(1, 400) i;
CREATE TABLE rc_hard AS
SELECT 1000 + i AS id, ARRAY(SELECT round((cos(i * j * 0.41) + (i % 3) * 0.3)::numeric, 3)::float8
                             FROM generate_series(1, 144) j) AS x, (i % 2)::float8 AS y
FROM generate_series(1, 30) i;

-- the same owner rows in another physical order, with a text column of varying width before
-- the array: consecutive rows are not the bytes below each other
CREATE TABLE rc_shuffled (id int, pad text, x float8[], y float8);
INSERT INTO rc_shuffled SELECT id, repeat('p', (id * 37) % 300), x, y FROM rc_owner ORDER BY (id * 7919) % 401;
SELECT (SELECT array_agg(id ORDER BY rank) FROM acq.mycroft_select('rc_owner', 'rc_hard', 'id', 'x', 'y', 12))
     = (SELECT array_agg(id ORDER BY rank) FROM acq.mycroft_select('rc_shuffled', 'rc_hard', 'id', 'x', 'y', 12))
       AS same_selection;
SELECT rank, id, round(score::numeric, 6) AS score
  FROM acq.mycroft_select('rc_owner', 'rc_hard', 'id', 'x', 'y', 5);

-- an element far above the one-pass bound (sqrt(DBL_MAX / 8 / 144), about 5.6e152) in a row
-- whose norm is still within the limit (about 6.7e153): accepted, as the checks accept it
CREATE TABLE rc_big AS SELECT * FROM rc_owner;
UPDATE rc_big SET x[144] = 6e153 WHERE id = 7;
SELECT rc_err($$SELECT * FROM acq.mycroft_select('rc_big', 'rc_hard', 'id', 'x', 'y', 3, method => 'random')$$)
       AS big_element_within_norm;
-- over the limit: refused, naming the row and its norm
UPDATE rc_big SET x[143] = 6e153 WHERE id = 7;
SELECT rc_err($$SELECT * FROM acq.mycroft_select('rc_big', 'rc_hard', 'id', 'x', 'y', 3, method => 'random')$$)
       AS norm_over;
-- NaN and infinities at the first and the last element
UPDATE rc_big SET x = (SELECT x FROM rc_owner WHERE id = 7) WHERE id = 7;
UPDATE rc_big SET x[144] = 'NaN' WHERE id = 9;
SELECT rc_err($$SELECT * FROM acq.mycroft_select('rc_big', 'rc_hard', 'id', 'x', 'y', 3, method => 'random')$$)
       AS nan_last;
UPDATE rc_big SET x[144] = 0, x[1] = '-Infinity' WHERE id = 9;
SELECT rc_err($$SELECT * FROM acq.mycroft_select('rc_big', 'rc_hard', 'id', 'x', 'y', 3, method => 'random')$$)
       AS minus_infinity_first;
UPDATE rc_big SET x[1] = 'Infinity' WHERE id = 9;
SELECT rc_err($$SELECT * FROM acq.mycroft_select('rc_hard', 'rc_big', 'id', 'x', 'y', 3, method => 'random')$$)
       AS infinity_in_hard;

-- acquire's consumer (the same check): a NaN in the middle, then a norm over the limit
CREATE TABLE rc_cons AS SELECT id, x, y FROM rc_owner WHERE id <= 100;
CREATE TABLE rc_prov AS SELECT id, x, y FROM rc_owner WHERE id > 100;
UPDATE rc_cons SET x[72] = 'NaN' WHERE id = 50;
SELECT rc_err($$SELECT * FROM acq.acquire('rc_cons', 'rc_prov', 'rc_tgt', 'x', 'y', 5)$$) AS consumer_nan;
UPDATE rc_cons SET x[72] = 1e154, x[73] = -1e154 WHERE id = 50;
SELECT rc_err($$SELECT * FROM acq.acquire('rc_cons', 'rc_prov', 'rc_tgt', 'x', 'y', 5)$$) AS consumer_norm;

-- select_sources (its own reader, sources.c): a wide element within the norm is accepted,
-- NaN and a norm over the limit refused
CREATE TABLE rc_src AS SELECT id, 's' || (id % 3) AS src, x, y FROM rc_owner;
CREATE TABLE rc_val AS SELECT id, x, y FROM rc_hard;
UPDATE rc_src SET x[10] = 6e153 WHERE id = 11;
SELECT rc_err($$SELECT * FROM acq.select_sources('rc_src', 'rc_val', 'x', 'y', source_column => 'src')$$)
       AS sources_big_element;
UPDATE rc_src SET x[11] = 6e153 WHERE id = 11;
SELECT rc_err($$SELECT * FROM acq.select_sources('rc_src', 'rc_val', 'x', 'y', source_column => 'src')$$)
       AS sources_norm_over;
UPDATE rc_src SET x[11] = 0, x[144] = '-NaN' WHERE id = 11;
SELECT rc_err($$SELECT * FROM acq.select_sources('rc_src', 'rc_val', 'x', 'y', source_column => 'src')$$)
       AS sources_nan;
