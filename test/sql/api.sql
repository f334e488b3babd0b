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
