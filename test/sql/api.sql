--
-- The SQL API's twins must agree.  Each foreground function has a
-- background twin (acq.submit_*) with the same parameters and defaults.
-- The twin must also pass every parameter to the job: the job's params (a
-- jsonb) has a key per parameter.  A parameter added to one function and
-- not the other shows up here.
--
CREATE TEMP TABLE twins (fg regproc, bg regproc);
INSERT INTO twins VALUES
    ('acq.select_sources', 'acq.submit_select_sources'),
    ('acq.acquire', 'acq.submit_acquire'),
    ('acq.rank_owners', 'acq.submit_rank_owners');

-- same parameters, types and defaults in the foreground function and its twin
SELECT fg, bg,
       pg_get_function_arguments(fg) = pg_get_function_arguments(bg) AS same_arguments
FROM twins ORDER BY fg::text;

-- every parameter of a twin reaches the job's params: submit one of each
-- (rolled back: the jobs never run)
CREATE TABLE api_src (src text, x float8[], y int);
INSERT INTO api_src VALUES ('a', '{1,2}', 0), ('a', '{2,1}', 1), ('b', '{1,1}', 0), ('b', '{2,2}', 1);
CREATE TABLE api_rows (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO api_rows VALUES (1, '{1,2}', 0), (2, '{2,1}', 1), (3, '{1,1}', 0), (4, '{2,2}', 1);
CREATE TABLE api_cons AS SELECT id + 100 AS id, x, y FROM api_rows;
BEGIN;
CREATE TEMP TABLE twin_jobs (bg regproc, job bigint);
INSERT INTO twin_jobs
SELECT 'acq.submit_select_sources'::regproc, acq.submit_select_sources('api_src', 'api_src', 'x', 'y', source_column => 'src')
UNION ALL
SELECT 'acq.submit_acquire', acq.submit_acquire('api_cons', 'api_rows', 'api_target', 'x', 'y', 2)
UNION ALL
SELECT 'acq.submit_rank_owners', acq.submit_rank_owners('api_rows', 'api_rows', 'api_rows', '{api_rows}', 'x', 'y');
SELECT t.bg, a.name AS parameter_not_passed_to_the_job
FROM twin_jobs t
JOIN pg_proc p ON p.oid = t.bg
JOIN acq.jobs j ON j.id = t.job
CROSS JOIN LATERAL unnest(p.proargnames) AS a(name)
WHERE NOT j.params ? a.name
ORDER BY t.bg::text, 2;
SELECT count(*) AS parameters_checked
FROM twin_jobs t JOIN pg_proc p ON p.oid = t.bg CROSS JOIN LATERAL unnest(p.proargnames);
ROLLBACK;
DROP TABLE api_src, api_rows, api_cons;

-- every function in schema acq pins its search_path; none is SECURITY DEFINER.
-- Aggregates cannot (CREATE AGGREGATE has no SET), and their support functions
-- are C that looks no name up: a SET clause there would save and restore the
-- GUC on every row.  They are listed apart, all LANGUAGE c.
SELECT p.oid::regprocedure AS without_search_path
FROM pg_proc p
WHERE p.pronamespace = 'acq'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
  AND p.prokind <> 'a'
  AND NOT EXISTS (SELECT 1 FROM pg_aggregate a
                  WHERE p.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn,
                                  a.aggserialfn, a.aggdeserialfn))
ORDER BY 1;
SELECT a.aggfnoid::regprocedure AS aggregate,
       bool_and(l.lanname = 'c' AND p.provolatile = 'i' AND p.proparallel = 's') AS support_c_immutable_parallel_safe
FROM pg_aggregate a
JOIN pg_proc p ON p.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn)
JOIN pg_language l ON l.oid = p.prolang
WHERE a.aggfnoid::oid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'acq'::regnamespace)
GROUP BY 1 ORDER BY 1;
SELECT p.oid::regprocedure AS security_definer
FROM pg_proc p
WHERE p.pronamespace = 'acq'::regnamespace AND p.prosecdef
ORDER BY 1;

-- the owner's selection parameters (mycroft_select's, from method on) are
-- rank_owners' too, with the same types and defaults: the trainer asks each
-- owner for the selection mycroft_select makes.  (hard_features and
-- hard_label are mycroft_select's alone: rank_owners names one set of
-- columns for its trainer, hard and owner tables.)
WITH args AS (
    SELECT p.oid::regproc AS f, u.n, u.t, u.o,
           pg_get_function_arg_default(p.oid, u.o::int) AS d
    FROM pg_proc p
    CROSS JOIN LATERAL unnest(p.proargnames,
                              coalesce(p.proallargtypes, p.proargtypes::oid[]),
                              coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[p.pronargs])))
         WITH ORDINALITY AS u(n, t, m, o)
    WHERE p.oid IN ('acq.mycroft_select'::regproc, 'acq.rank_owners'::regproc)
      AND u.m IN ('i', 'b', 'v'))
SELECT s.n AS selection_parameter, format_type(s.t, NULL) AS in_mycroft_select,
       format_type(r.t, NULL) AS in_rank_owners, s.d AS default_in_mycroft_select,
       r.d AS default_in_rank_owners
FROM args s LEFT JOIN args r ON r.n = s.n AND r.f = 'acq.rank_owners'::regproc
WHERE s.f = 'acq.mycroft_select'::regproc AND s.d IS NOT NULL
  AND s.n NOT IN ('hard_features', 'hard_label')
  AND (r.n IS NULL OR r.t <> s.t OR r.d IS DISTINCT FROM s.d)
ORDER BY s.o;
SELECT count(*) AS selection_parameters_compared
FROM pg_proc p, unnest(p.proargnames) WITH ORDINALITY AS u(n, o)
WHERE p.oid = 'acq.mycroft_select'::regproc
  AND pg_get_function_arg_default(p.oid, u.o::int) IS NOT NULL;
