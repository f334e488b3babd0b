--
-- Background jobs (docs/jobs.md): submit, wait, result, errors at
-- submission, and row-level security between roles.  Crash, restart, queueing
-- under acq.max_jobs and cancel timing are TAP tests (test/t/002_jobs.pl).
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- job ids in this file's messages count from 1, whatever earlier test files
-- submitted (and rolled back); none may have left a job behind
SELECT count(*) AS jobs_left_by_earlier_tests FROM acq.jobs;
SELECT setval('acq.jobs_id_seq', 1, false) IS NOT NULL AS ids_from_1;

CREATE TABLE job_src (src text, x float8[], y int);
INSERT INTO job_src
SELECT 's' || (i % 6), ARRAY[sin(i * 0.37), cos(i * 1.3)],
       CASE WHEN (sin(i * 0.37) + 0.5 * cos(i * 1.3) > 0.1) <> (i % 6 = 5) THEN 1 ELSE 0 END
FROM generate_series(1, 600) i;
CREATE TABLE job_val AS
SELECT ARRAY[sin(i * 0.37), cos(i * 1.3)] AS x,
       CASE WHEN sin(i * 0.37) + 0.5 * cos(i * 1.3) > 0.1 THEN 1 ELSE 0 END AS y
FROM generate_series(1001, 1200) i;

-- a job runs to the same result as the synchronous call, with its plan
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src',
                                 method => 'grasp', iterations => 3, seed => 7) AS job \gset
SELECT acq.job_wait(:job);
SELECT status, progress, error_message IS NULL AS no_error, elapsed IS NOT NULL AS timed,
       worker_pid IS NOT NULL AS had_worker
FROM acq.job_status WHERE id = :job;
SELECT (SELECT row(r.*)::text FROM acq.job_result(:job) r)
     = (SELECT row(s.*)::text FROM acq.select_sources('job_src', 'job_val', 'x', 'y',
                                   source_column => 'src', method => 'grasp',
                                   iterations => 3, seed => 7) s) AS same_as_synchronous;
SELECT (SELECT count(*) FROM acq.source_selection_subsets WHERE job_id = :job)
     = (SELECT models_trained FROM acq.job_result(:job)) AS every_subset_kept,
       (SELECT max(profit) FROM acq.source_selection_subsets WHERE job_id = :job)
     = (SELECT profit FROM acq.job_result(:job)) AS plan_is_best_subset;
-- a job_wait on a finished job returns at once; a zero timeout returns the status
SELECT acq.job_wait(:job, '0 s');
SELECT acq.job_wait(:job, NULL);
SELECT acq.cancel(:job) AS cancelled_a_finished_job;

-- bad arguments are refused at submission, not later in a worker
SELECT acq.submit_select_sources('no_such_table', 'job_val', 'x', 'y');
SELECT acq.submit_select_sources('job_src', 'job_val', 'nope', 'y', source_column => 'src');
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src', method => 'bogus');
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src', task => 'bogus');
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src', s_max => 0);
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src', lambda => -1);
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src', costs => '[1]');
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y');
SELECT acq.submit_select_sources('job_src', 'job_val', NULL, 'y', source_column => 'src');
SELECT count(*) AS jobs_after_bad_submissions FROM acq.jobs;
-- waiting in the submitting transaction would wait for ever: refused
BEGIN;
SELECT acq.job_wait(acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src'));
ROLLBACK;
-- bad job ids
SELECT acq.job_wait(-1);
SELECT acq.job_wait(NULL);
SELECT acq.cancel(123456);
SELECT * FROM acq.job_result(123456);

-- roles: a job runs as, and is seen by, the role that submitted it
CREATE ROLE regress_acq_alice LOGIN;
CREATE ROLE regress_acq_bob LOGIN;
CREATE ROLE regress_acq_nologin NOLOGIN;
CREATE ROLE regress_acq_admin_member LOGIN IN ROLE acq_admin;
GRANT USAGE ON SCHEMA acq TO regress_acq_alice, regress_acq_bob, regress_acq_nologin, regress_acq_admin_member;
GRANT SELECT ON job_src, job_val TO regress_acq_alice, regress_acq_nologin;
GRANT SELECT ON job_val TO regress_acq_bob;

SET ROLE regress_acq_alice;
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src',
                                 method => 'greedy') AS alice_job \gset
SELECT acq.job_wait(:alice_job);
SELECT owner, status FROM acq.job_status WHERE id = :alice_job;
-- a role deletes its ended jobs, not its queued or running ones (that would
-- free their slot while their worker runs on)
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src',
                                 method => 'exhaustive') AS alice_job2 \gset
DELETE FROM acq.jobs WHERE id = :alice_job2 AND status IN ('queued', 'running');
SELECT count(*) AS still_there FROM acq.jobs WHERE id = :alice_job2;
SELECT acq.job_wait(:alice_job2);
DELETE FROM acq.jobs WHERE id = :alice_job2;
SELECT count(*) AS deleted_once_ended FROM acq.jobs WHERE id = :alice_job2;
RESET ROLE;

SET ROLE regress_acq_bob;
SELECT count(*) AS bob_sees FROM acq.job_status;
SELECT count(*) AS bob_sees_plans FROM acq.source_selection_subsets;
SELECT acq.job_wait(:alice_job);
SELECT acq.cancel(:alice_job);
SELECT * FROM acq.job_result(:alice_job);
UPDATE acq.jobs SET status = 'failed' WHERE id = :alice_job;
-- bob cannot read the sources: refused at submission
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src');
RESET ROLE;

SET ROLE regress_acq_admin_member;
SELECT owner, status FROM acq.job_status WHERE id = :alice_job;
RESET ROLE;

-- a role that cannot log in cannot own a worker
SET ROLE regress_acq_nologin;
SELECT acq.submit_select_sources('job_src', 'job_val', 'x', 'y', source_column => 'src');
RESET ROLE;

DELETE FROM acq.jobs;
DROP OWNED BY regress_acq_alice, regress_acq_bob, regress_acq_nologin, regress_acq_admin_member;
DROP ROLE regress_acq_alice, regress_acq_bob, regress_acq_nologin, regress_acq_admin_member;
