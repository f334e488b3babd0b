-- Load the Mycroft demo set (data/README.md) into schema acq_demo.
--
--   psql -v ON_ERROR_STOP=1 -v datadir=/abs/path/to/data -f data/load_mycroft.sql
--
-- Statlog Shuttle (58,000 rows, 9 numeric features; class Rad.Flow is normal,
-- the six others are rare abnormal states).  Every split is by a hash of the
-- row number, so the tables are the same on every load.  Creates:
--
--   acq_demo.shuttle_train   the model trainer's data: a quarter of the normal rows
--                            and 2% of the abnormal ones (it has seen few failures)
--   acq_demo.shuttle_test    a fifth of all rows
--   acq_demo.owner_logs      a data owner with half of the remaining abnormal rows
--   acq_demo.owner_high      one with normal rows and the 'High' failures only
--   acq_demo.owner_normal    one with normal rows only
-- label: 0 = Rad.Flow (normal), 1 = High, 2 = Bypass, 3 = Fpv.Open,
-- 4 = Fpv.Close, 5 = Bpv.Open, 6 = Bpv.Close.

\set ON_ERROR_STOP on
\if :{?datadir}
\else
DO $$ BEGIN RAISE EXCEPTION 'data/load_mycroft.sql: run psql with -v datadir=/abs/path/to/data'; END $$;
\endif

SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS acq_demo;
DROP TABLE IF EXISTS acq_demo.shuttle_train, acq_demo.shuttle_test, acq_demo.owner_logs,
    acq_demo.owner_high, acq_demo.owner_normal;
RESET client_min_messages;

CREATE TEMP TABLE acq_shuttle_raw (v1 float8, v2 float8, v3 float8, v4 float8, v5 float8,
                                   v6 float8, v7 float8, v8 float8, v9 float8, cls text);
\set copy_shuttle '\\copy acq_shuttle_raw FROM PROGRAM ''gzip -dc "' :datadir '/statlog_shuttle.csv.gz"'' WITH (FORMAT csv, HEADER true)'
:copy_shuttle
CREATE TEMP TABLE acq_shuttle AS
SELECT row_number() OVER () AS id, ARRAY[v1, v2, v3, v4, v5, v6, v7, v8, v9] AS features,
       CASE cls WHEN 'Rad.Flow' THEN 0 WHEN 'High' THEN 1 WHEN 'Bypass' THEN 2 WHEN 'Fpv.Open' THEN 3
                WHEN 'Fpv.Close' THEN 4 WHEN 'Bpv.Open' THEN 5 ELSE 6 END AS label
  FROM acq_shuttle_raw;
-- a uniform number in [0, 1) per row, by hash
ALTER TABLE acq_shuttle ADD COLUMN u float8;
UPDATE acq_shuttle SET u = ('x' || substr(md5('acq-shuttle-' || id), 1, 8))::bit(32)::bigint / 4294967296.0;
ALTER TABLE acq_shuttle ADD COLUMN v float8;
UPDATE acq_shuttle SET v = ('x' || substr(md5('acq-owner-' || id), 1, 8))::bit(32)::bigint / 4294967296.0;

CREATE TABLE acq_demo.shuttle_test AS
SELECT id, features, label FROM acq_shuttle WHERE u < 0.2;
CREATE TABLE acq_demo.shuttle_train AS
SELECT id, features, label FROM acq_shuttle
 WHERE u >= 0.2 AND ((label = 0 AND u < 0.4) OR (label <> 0 AND u < 0.216));
CREATE TABLE acq_demo.owner_logs AS
SELECT id, features, label FROM acq_shuttle
 WHERE u >= 0.4 AND ((label <> 0 AND v < 0.5) OR (label = 0 AND v < 0.1));
CREATE TABLE acq_demo.owner_high AS
SELECT id, features, label FROM acq_shuttle
 WHERE u >= 0.4 AND ((label = 1 AND v >= 0.5) OR (label = 0 AND v >= 0.1 AND v < 0.2));
CREATE TABLE acq_demo.owner_normal AS
SELECT id, features, label FROM acq_shuttle
 WHERE u >= 0.4 AND label = 0 AND v >= 0.2 AND v < 0.35;
ALTER TABLE acq_demo.owner_logs ADD PRIMARY KEY (id);
ALTER TABLE acq_demo.owner_high ADD PRIMARY KEY (id);
ALTER TABLE acq_demo.owner_normal ADD PRIMARY KEY (id);
ANALYZE acq_demo.shuttle_train, acq_demo.shuttle_test, acq_demo.owner_logs,
        acq_demo.owner_high, acq_demo.owner_normal;
