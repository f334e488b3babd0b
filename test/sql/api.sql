--
-- The SQL API's twins must agree.  Each foreground function has a
-- background twin (acq.submit_*) with the same parameters and defaults, and
-- an argument check (acq._check_*) that the twin calls before queueing,
-- with the same types in the same order.  The twin must also pass every
-- parameter to the job: its body builds the job's jsonb with a key 'name'.
-- A parameter added to one function and not the others shows up here.
--
CREATE TEMP TABLE twins (fg regproc, bg regproc, chk regproc);
INSERT INTO twins VALUES
    ('acq.select_sources', 'acq.submit_select_sources', 'acq._check_select_sources'),
    ('acq.acquire', 'acq.submit_acquire', 'acq._check_acquire'),
    ('acq.rank_owners', 'acq.submit_rank_owners', 'acq._check_rank_owners');

-- same parameters, types and defaults in the foreground function and its twin
SELECT fg, bg,
       pg_get_function_arguments(fg) = pg_get_function_arguments(bg) AS same_arguments
FROM twins ORDER BY fg::text;

-- the argument check takes exactly the foreground function's types
SELECT fg, chk,
       (SELECT proargtypes FROM pg_proc WHERE oid = fg) =
       (SELECT proargtypes FROM pg_proc WHERE oid = chk) AS same_types,
       (SELECT pronargdefaults FROM pg_proc WHERE oid = chk) AS check_defaults
FROM twins ORDER BY fg::text;

-- every parameter of a twin reaches the job's parameters (a key 'name',)
SELECT t.bg, a.name AS parameter_not_passed_to_the_job
FROM twins t
JOIN pg_proc p ON p.oid = t.bg
CROSS JOIN LATERAL unnest(p.proargnames) AS a(name)
WHERE position(format('''%s'',', a.name) IN p.prosrc) = 0
ORDER BY t.bg::text, 2;

-- ... and the twin calls its check with every parameter, in order
SELECT t.bg,
       position(format('%s(%s)', t.chk::text,
                       (SELECT string_agg(n, ', ' ORDER BY o)
                        FROM unnest(p.proargnames) WITH ORDINALITY AS u(n, o)))
                IN regexp_replace(p.prosrc, '\s+', ' ', 'g')) > 0 AS calls_check_with_all
FROM twins t JOIN pg_proc p ON p.oid = t.bg
ORDER BY t.bg::text;

-- every function in schema acq pins its search_path; none is SECURITY DEFINER
SELECT p.oid::regprocedure AS without_search_path
FROM pg_proc p
WHERE p.pronamespace = 'acq'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
ORDER BY 1;
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
