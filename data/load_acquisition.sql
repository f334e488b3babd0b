-- Load the data-acquisition demo sets (data/README.md) into schema acq_demo.
--
--   psql -v ON_ERROR_STOP=1 -v datadir=/abs/path/to/data -f data/load_acquisition.sql
--
-- Re-runnable (drops and re-creates its tables).  Reads the gzip'd CSVs on the
-- client side (psql \copy ... FROM PROGRAM), so the server needs no access to
-- the files.  Builds the paper's set-up (Li, Yu, Koudas, VLDB 2021, §6.1):
--
--   acq_demo.fashion_init   the consumer's D_init: 20% of the 60,000 Fashion-MNIST
--                           training images (HOG features) with the power-law
--                           class skew -- in a fixed random order of the 10
--                           classes, the i-th class gets round(12000 i / 55)
--   acq_demo.fashion_pool   the provider: the other training images (id PRIMARY KEY)
--   acq_demo.fashion_test   the 10,000 test images
--   acq_demo.relief_init    ETOPO5 North America (lon, lat -> elevation), all
--   acq_demo.relief_pool    three min-max scaled to [0, 1] as the authors scale
--   acq_demo.relief_test    RoadNet: test = 20% (by hash), D_init = 1% of the
--                           rest with the power-law skew over the 4 x 4 lon/lat
--                           cells (a cell gives at most half its rows)
--
-- Every choice is by a hash of the id, so the tables are the same on every load.

\set ON_ERROR_STOP on
\if :{?datadir}
\else
DO $$ BEGIN RAISE EXCEPTION 'data/load_acquisition.sql: run psql with -v datadir=/abs/path/to/data'; END $$;
\endif

SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS acq_demo;
DROP TABLE IF EXISTS acq_demo.fashion_init, acq_demo.fashion_pool, acq_demo.fashion_test,
    acq_demo.relief_init, acq_demo.relief_pool, acq_demo.relief_test;
RESET client_min_messages;

-- ---- Fashion-MNIST HOG: one CSV line per image -----------------------------
CREATE TEMP TABLE acq_fashion_raw (line text);
-- psql does not expand variables inside \copy: build the command, then run it
\set copy_fashion '\\copy acq_fashion_raw FROM PROGRAM ''gzip -dc "' :datadir '/fashion_mnist_hog.csv.gz" | tail -n +2'' WITH (FORMAT text, DELIMITER E''\\x01'')'
:copy_fashion
CREATE TEMP TABLE acq_fashion AS
SELECT a[1]::bigint AS id, a[2] AS split, a[3]::int AS label, a[5:148]::float8[] AS features
  FROM (SELECT string_to_array(line, ',') AS a FROM acq_fashion_raw) s;

-- the power-law D_init: class order by hash, class i gets round(12000 i / 55)
CREATE TEMP TABLE acq_fashion_init_ids AS
WITH ord AS (
  SELECT label, row_number() OVER (ORDER BY md5('acq-class-' || label)) AS i
    FROM (SELECT DISTINCT label FROM acq_fashion) l),
ranked AS (
  SELECT f.id, f.label, row_number() OVER (PARTITION BY f.label ORDER BY md5('acq-init-' || f.id)) AS r
    FROM acq_fashion f WHERE f.split = 'train')
SELECT r.id FROM ranked r JOIN ord o USING (label) WHERE r.r <= round(12000.0 * o.i / 55);

CREATE TABLE acq_demo.fashion_init AS
SELECT id, features, label FROM acq_fashion WHERE id IN (SELECT id FROM acq_fashion_init_ids);
CREATE TABLE acq_demo.fashion_pool AS
SELECT id, features, label FROM acq_fashion
 WHERE split = 'train' AND id NOT IN (SELECT id FROM acq_fashion_init_ids);
ALTER TABLE acq_demo.fashion_pool ADD PRIMARY KEY (id);
CREATE TABLE acq_demo.fashion_test AS
SELECT id, features, label FROM acq_fashion WHERE split = 'test';

-- ---- ETOPO5 relief: lon, lat -> elevation, min-max scaled ------------------
CREATE TEMP TABLE acq_relief_raw (lon float8, lat float8, elevation_m float8);
\set copy_relief '\\copy acq_relief_raw FROM PROGRAM ''gzip -dc "' :datadir '/etopo5_north_america_land.csv.gz"'' WITH (FORMAT csv, HEADER true)'
:copy_relief
CREATE TEMP TABLE acq_relief AS
WITH b AS (SELECT min(lon) lo0, max(lon) hi0, min(lat) lo1, max(lat) hi1,
                  min(elevation_m) lo2, max(elevation_m) hi2 FROM acq_relief_raw)
SELECT row_number() OVER (ORDER BY r.lat, r.lon) AS id,
       ARRAY[(r.lon - lo0) / (hi0 - lo0), (r.lat - lo1) / (hi1 - lo1)] AS features,
       (r.elevation_m - lo2) / (hi2 - lo2) AS elevation
  FROM acq_relief_raw r, b;
ALTER TABLE acq_relief ADD COLUMN test boolean;
UPDATE acq_relief SET test = ('x' || substr(md5('acq-test-' || id), 1, 8))::bit(32)::bigint % 5 = 0;
ALTER TABLE acq_relief ADD COLUMN cell int;
UPDATE acq_relief SET cell = least(floor(features[1] * 4), 3)::int + 4 * least(floor(features[2] * 4), 3)::int;

CREATE TEMP TABLE acq_relief_init_ids AS
WITH n AS (SELECT count(*) AS n FROM acq_relief WHERE NOT test),
ord AS (
  SELECT cell, row_number() OVER (ORDER BY md5('acq-cell-' || cell)) AS i, count AS rows
    FROM (SELECT cell, count(*) FROM acq_relief WHERE NOT test GROUP BY cell) c),
ranked AS (
  SELECT id, cell, row_number() OVER (PARTITION BY cell ORDER BY md5('acq-init-' || id)) AS r
    FROM acq_relief WHERE NOT test)
SELECT r.id FROM ranked r JOIN ord o USING (cell), n
 WHERE r.r <= least(round(0.01 * n.n * o.i / (SELECT sum(i) FROM ord)), o.rows / 2);

CREATE TABLE acq_demo.relief_init AS
SELECT id, features, elevation FROM acq_relief WHERE id IN (SELECT id FROM acq_relief_init_ids);
CREATE TABLE acq_demo.relief_pool AS
SELECT id, features, elevation FROM acq_relief
 WHERE NOT test AND id NOT IN (SELECT id FROM acq_relief_init_ids);
ALTER TABLE acq_demo.relief_pool ADD PRIMARY KEY (id);
CREATE TABLE acq_demo.relief_test AS
SELECT id, features, elevation FROM acq_relief WHERE test;

ANALYZE acq_demo.fashion_init, acq_demo.fashion_pool, acq_demo.fashion_test,
        acq_demo.relief_init, acq_demo.relief_pool, acq_demo.relief_test;
