--
-- Wide feature arrays (300 float8s, 2.4 kB: stored toasted).  Every reader
-- detoasts each row, copies it and frees the copy at once
-- (acq_detoast_array / acq_free_detoasted); these calls read such tables
-- end to end.  The data are deterministic: label = id % 2, and the features
-- carry the label in their mean.
--
SET client_min_messages = warning;
CREATE TABLE wide_train AS
    SELECT id, ARRAY(SELECT sin(id * s * 0.37) + (id % 2) FROM generate_series(1, 300) s)::float8[] AS features,
           (id % 2)::float8 AS label
    FROM generate_series(1, 200) id;
CREATE TABLE wide_test AS
    SELECT id, ARRAY(SELECT sin(id * s * 0.41) + (id % 2) FROM generate_series(1, 300) s)::float8[] AS features,
           (id % 2)::float8 AS label
    FROM generate_series(1, 60) id;
CREATE TABLE wide_pool AS
    SELECT id + 1000 AS id, ARRAY(SELECT sin(id * s * 0.43) + (id % 2) FROM generate_series(1, 300) s)::float8[] AS features,
           (id % 2)::float8 AS label
    FROM generate_series(1, 400) id;
ALTER TABLE wide_pool ADD PRIMARY KEY (id);

-- the arrays are stored out of line or compressed, not inline
SELECT pg_column_size(features) < octet_length(features::text) AS toasted_smaller_than_text,
       pg_column_size(features) >= 2400 AS not_compressed_away
FROM wide_train LIMIT 1;

SELECT model, n_train, n_test, accuracy > 0.9 AS accurate FROM acq.evaluate('{wide_train}', 'wide_test', 'features', 'label', model => 'softmax');

SELECT bought, rounds, counts FROM acq.acquire('wide_train', 'wide_pool', 'wide_target', 'features', 'label', 100,
                                              strategy => 'ea', seed => 3);
SELECT count(*) AS bought_rows, count(DISTINCT id) AS distinct_ids,
       min(array_length(features, 1)) AS dims FROM wide_target;

SELECT count(*), count(DISTINCT id) FROM acq.mycroft_select('wide_pool', 'wide_test', 'id', 'features', 'label', 10,
                                                            method => 'feature');
-- omp with the wide arrays as supplied gradients (one row per candidate, 300 dims)
SELECT count(*), count(DISTINCT id) FROM acq.mycroft_select('wide_pool', 'wide_test', 'id', 'features', 'label', 10,
                                                            method => 'omp', gradients => 'features', lambda => 0);
DROP TABLE wide_train, wide_test, wide_pool, wide_target;
