-- Load the prepared real data sets (data/README.md) into schema acq_demo.
--
--   psql -v ON_ERROR_STOP=1 -v datadir=/abs/path/to/data -f data/load.sql
--
-- Re-runnable: drops and re-creates schema acq_demo.  Reads the gzip'd CSVs on
-- the client side (psql \copy ... FROM PROGRAM 'gzip -dc ...'), so the server
-- needs no access to the files.  Creates:
--
--   acq_demo.flights             LIST-partitioned by origin_state; one leaf per
--                                state, acq_demo.flights_<state lower-case>
--                                (training rows; regression label arr_delay_min)
--   acq_demo.flights_validation  validation rows, same columns
--   acq_demo.stops               training rows; sources = distinct neighborhood
--                                (source_column), label person_search, race
--   acq_demo.stops_validation    validation rows, same columns

\set ON_ERROR_STOP on
\if :{?datadir}
\else
DO $$ BEGIN RAISE EXCEPTION 'data/load.sql: run psql with -v datadir=/abs/path/to/data'; END $$;
\endif

SET client_min_messages = warning;
DROP SCHEMA IF EXISTS acq_demo CASCADE;
RESET client_min_messages;
CREATE SCHEMA acq_demo;

-- staging (session-local)
CREATE TEMP TABLE acq_demo_flights_raw (
    origin_state  text   NOT NULL,
    split         text   NOT NULL,
    features      float8[] NOT NULL,
    arr_delay_min float8 NOT NULL
);
CREATE TEMP TABLE acq_demo_stops_raw (
    neighborhood  text   NOT NULL,
    split         text   NOT NULL,
    features      float8[] NOT NULL,
    person_search int    NOT NULL,
    race          text
);

-- psql does not expand variables inside \copy, so build the two \copy
-- commands in variables and run them.
\set copy_flights '\\copy acq_demo_flights_raw FROM PROGRAM ''gzip -dc "' :datadir '/flights15.csv.gz"'' WITH (FORMAT csv, HEADER true)'
\set copy_stops '\\copy acq_demo_stops_raw FROM PROGRAM ''gzip -dc "' :datadir '/mpls15.csv.gz"'' WITH (FORMAT csv, HEADER true)'
:copy_flights
:copy_stops

-- flights: one LIST partition per origin state
CREATE TABLE acq_demo.flights (
    origin_state  text     NOT NULL,
    features      float8[] NOT NULL,
    arr_delay_min float8   NOT NULL
) PARTITION BY LIST (origin_state);

DO $$
DECLARE st text;
BEGIN
    FOR st IN SELECT DISTINCT origin_state FROM acq_demo_flights_raw ORDER BY 1 LOOP
        EXECUTE format('CREATE TABLE acq_demo.%I PARTITION OF acq_demo.flights FOR VALUES IN (%L)',
                       'flights_' || lower(st), st);
    END LOOP;
END $$;

INSERT INTO acq_demo.flights (origin_state, features, arr_delay_min)
SELECT origin_state, features, arr_delay_min
FROM acq_demo_flights_raw WHERE split = 'train';

CREATE TABLE acq_demo.flights_validation (
    origin_state  text     NOT NULL,
    features      float8[] NOT NULL,
    arr_delay_min float8   NOT NULL
);
INSERT INTO acq_demo.flights_validation (origin_state, features, arr_delay_min)
SELECT origin_state, features, arr_delay_min
FROM acq_demo_flights_raw WHERE split = 'validation';

-- Minneapolis stops: plain tables, sources by neighborhood
CREATE TABLE acq_demo.stops (
    neighborhood  text     NOT NULL,
    features      float8[] NOT NULL,
    person_search int      NOT NULL,
    race          text
);
INSERT INTO acq_demo.stops (neighborhood, features, person_search, race)
SELECT neighborhood, features, person_search, race
FROM acq_demo_stops_raw WHERE split = 'train';

CREATE TABLE acq_demo.stops_validation (LIKE acq_demo.stops);
INSERT INTO acq_demo.stops_validation (neighborhood, features, person_search, race)
SELECT neighborhood, features, person_search, race
FROM acq_demo_stops_raw WHERE split = 'validation';

DROP TABLE acq_demo_flights_raw, acq_demo_stops_raw;

ANALYZE acq_demo.flights, acq_demo.flights_validation,
        acq_demo.stops, acq_demo.stops_validation;
