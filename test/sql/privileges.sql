--
-- What PUBLIC may call (issue 18).  acq's internal functions are the
-- extension owner's alone; jobs, plans and kicks are reached only through
-- the public functions, which check the arguments, the caller's rights and
-- the plan's state first.  Every forged call of 0.1.0's internal API is
-- refused and changes nothing.
--
CREATE ROLE regress_acq_priv_a LOGIN;
CREATE ROLE regress_acq_priv_b LOGIN;
GRANT USAGE, CREATE ON SCHEMA public TO regress_acq_priv_a, regress_acq_priv_b;

-- no internal function (acq._*) is executable by PUBLIC, by a new role or
-- by acq_admin; the public ones are
SELECT p.oid::regprocedure AS internal_function_executable
FROM pg_proc p, (VALUES ('public'), ('regress_acq_priv_a'), ('acq_admin')) r(role)
WHERE p.pronamespace = 'acq'::regnamespace AND p.proname LIKE '\_%'
  AND CASE WHEN r.role = 'public'
           THEN EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                         WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
           ELSE has_function_privilege(r.role, p.oid, 'EXECUTE') END
ORDER BY 1;
SELECT count(*) AS internal_functions, bool_and(p.proacl IS NOT NULL) AS all_revoked
FROM pg_proc p WHERE p.pronamespace = 'acq'::regnamespace AND p.proname LIKE '\_%';
SELECT p.oid::regprocedure AS public_function_not_executable
FROM pg_proc p WHERE p.pronamespace = 'acq'::regnamespace AND p.proname NOT LIKE '\_%'
  AND NOT has_function_privilege('regress_acq_priv_a', p.oid, 'EXECUTE');

-- 0.1.0's internal API is gone (its forged calls have nothing to call)
SELECT f AS still_there
FROM unnest(ARRAY['acq._enqueue', 'acq._kick', 'acq._cancel', 'acq._job_dead', 'acq._job_progress',
                  'acq._check_select_sources', 'acq._check_acquire', 'acq._check_rank_owners',
                  'acq._create_acquisition_plan']) f
WHERE to_regproc(f) IS NOT NULL;

-- forged calls, as an ordinary role: refused, nothing written
CREATE TEMP TABLE jobs_before AS SELECT count(*) AS n FROM acq.jobs;
GRANT SELECT ON jobs_before TO regress_acq_priv_a;
SET ROLE regress_acq_priv_a;
SELECT acq._worker_alive(pg_backend_pid());
SELECT acq._enqueue('acquire', '{"resume_plan": 1}');
SELECT acq._kick();
SELECT acq._create_acquisition_plan(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1);
-- nor can it write the catalog directly
INSERT INTO acq.jobs (kind, params, owner) VALUES ('acquire', '{"resume_plan": 1}', 'regress_acq_priv_a');
UPDATE acq.acquisition_plans SET job_id = 1;
RESET ROLE;
SELECT (SELECT count(*) FROM acq.jobs) = n AS no_job_written FROM jobs_before;

-- resume_acquire: only a plan the caller can see, and only an interrupted one
-- (the outcome of a call, with ids masked: other tests create plans too)
CREATE FUNCTION pg_temp.outcome(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || regexp_replace(SQLERRM, '[0-9]+', 'N', 'g');
END $$;
CREATE TABLE priv_prov (id bigint PRIMARY KEY, x float8[], y int);
INSERT INTO priv_prov SELECT i, ARRAY[(i % 3) + sin(i), (i % 3) + cos(i)], i % 3 FROM generate_series(1, 60) i;
CREATE TABLE priv_cons AS SELECT 1000 + id AS id, x, y FROM priv_prov WHERE id % 6 = 0;
GRANT SELECT ON priv_prov, priv_cons TO regress_acq_priv_a, regress_acq_priv_b;
SET ROLE regress_acq_priv_a;
SELECT plan_id AS plan_a FROM acq.acquire('priv_cons', 'priv_prov', 'priv_bought_a', 'x', 'y', 6, batch => 3) \gset
SELECT status FROM acq.acquisitions WHERE plan_id = :plan_a;
SELECT pg_temp.outcome('SELECT acq.resume_acquire(' || :plan_a || ')');
SET ROLE regress_acq_priv_b;
SELECT pg_temp.outcome('SELECT acq.resume_acquire(' || :plan_a || ')');
SELECT count(*) AS plans_b_sees FROM acq.acquisitions;
SELECT acq.resume_acquire(NULL);
RESET ROLE;

-- job_live: a job you cannot see is (false, NULL), as is one not running
SET ROLE regress_acq_priv_b;
SELECT * FROM acq.job_live(NULL);
SELECT * FROM acq.job_live(-1);
RESET ROLE;

-- a role that cannot log in cannot submit (its worker could not connect)
CREATE ROLE regress_acq_priv_nologin NOLOGIN;
GRANT regress_acq_priv_nologin TO regress_acq_priv_a;
GRANT SELECT ON priv_prov, priv_cons TO regress_acq_priv_nologin;
SET ROLE regress_acq_priv_nologin;
SELECT acq.submit_acquire('priv_cons', 'priv_prov', 'priv_bought_n', 'x', 'y', 6);
RESET ROLE;

DROP TABLE priv_prov, priv_cons, priv_bought_a;
DELETE FROM acq.acquisition_plans;
DROP OWNED BY regress_acq_priv_a, regress_acq_priv_b, regress_acq_priv_nologin;
DROP ROLE regress_acq_priv_a, regress_acq_priv_b, regress_acq_priv_nologin;
