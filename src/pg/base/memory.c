/*
 * memory.c -- memory checked before it is taken: the GUC acq.max_memory and
 * the check a call makes with its estimate before it allocates, so that a
 * call too large for the server fails with an error that says what to
 * change instead of growing until the kernel kills the backend (which
 * restarts every backend of the server).  Every such error of acq is made
 * here: "<what> needs N MB, more than acq.max_memory (M MB)", SQLSTATE
 * 54000, with a hint naming what to lower and the setting that would let it
 * run.
 */
#include "postgres.h"

#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <stdint.h>
#include <sys/mman.h>
#endif

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#include "pg/base/base.h"

/* GUC acq.max_memory, in kB */
int			acq_max_memory = 1024 * 1024;

/* GUC acq.retain_memory, in MB */
int			acq_retain_memory = 128;

/*
 * A call's row blocks, novelty's sets and the model's work are large
 * allocations freed when the call ends.  glibc gives one past its mmap
 * threshold (128 kB, raised by itself up to 32 MB as such blocks are freed)
 * fresh pages from the kernel, and returns the top of its heap past its
 * trim threshold: every call then takes a page fault for each 4 kB it
 * writes -- on a virtual machine a third of reading a table of float8[]
 * rows (docs/architecture.md, "The read path").  acq.retain_memory keeps
 * up to that many MB freed for the backend's next call: blocks up to 32 MB
 * (glibc's largest mmap threshold) come from the heap, and the heap is
 * trimmed only past the setting.  0: glibc's defaults.  It changes no
 * result, only where memory comes from; the memory is the backend's until
 * it exits, as PostgreSQL's own caches are.
 */
/* the most acq_memory_prefault mapped since acq.retain_memory was last set */
static size_t prefaulted = 0;

static void
retain_memory_assign(int newval, void *extra)
{
	prefaulted = 0;				/* the heap may be trimmed from now on */
#ifdef __GLIBC__
	if (newval > 0)
	{
		mallopt(M_MMAP_THRESHOLD, Min(newval, 32) * 1024 * 1024);
		mallopt(M_TRIM_THRESHOLD, newval * 1024 * 1024);
	}
	else
	{
		mallopt(M_MMAP_THRESHOLD, 128 * 1024);
		mallopt(M_TRIM_THRESHOLD, 128 * 1024);
	}
#endif
}

/*
 * Memory a call is about to write, mapped before it writes it.  The first
 * call of a session finds the backend's heap small: every 4 kB page of its
 * rows is then a page fault when the reader first writes it, and on a
 * virtual machine a fault costs tens of microseconds (the flights demo's
 * 5 MB of rows took 50-85 ms of faults under load; bench/source_selection.sh,
 * docs/source-selection.md).  With acq.retain_memory set, blocks under
 * 32 MB come from the heap and stay there when freed; so a call that knows
 * its size grows the heap by that much at once here, asks the kernel for
 * huge pages on it (MADV_HUGEPAGE: transparent huge pages, where the
 * system allows them, one fault per 2 MB) and maps it in one system call
 * (MADV_POPULATE_WRITE, Linux 5.14; else a write per page), then frees it:
 * the call's blocks are then carved from memory already mapped.  A later
 * call of the session that needs no more finds that memory still there (the
 * heap is trimmed only past acq.retain_memory) and does nothing.  Nothing
 * is read from the memory; no result changes.  Below 1 MB,
 * or with acq.retain_memory = 0 (blocks then come from mmap, fresh), it
 * does nothing.
 */
void
acq_memory_prefault(double bytes)
{
#if defined(__GLIBC__) && defined(__linux__)
	const size_t page = 4096;
	const size_t huge = (size_t) 2 * 1024 * 1024;
	size_t		cap;
	size_t		n;
	char	   *mem;
	uintptr_t	lo,
				hi;

	if (acq_retain_memory <= 0 || !(bytes >= 1024.0 * 1024.0))
		return;
	/* under glibc's mmap threshold (retain_memory_assign), so from the heap */
	cap = (size_t) Min(acq_retain_memory, 32) * 1024 * 1024 - 64 * 1024;
	n = bytes < (double) cap ? (size_t) bytes : cap;
	if (n <= prefaulted)
		return;					/* the heap kept that much from an earlier call */
	mem = malloc(n);
	if (mem == NULL)
		return;					/* the call's own allocations will say so */
	lo = ((uintptr_t) mem + huge - 1) & ~(uintptr_t) (huge - 1);
	hi = ((uintptr_t) mem + n) & ~(uintptr_t) (huge - 1);
	if (hi > lo)
		(void) madvise((void *) lo, hi - lo, MADV_HUGEPAGE);
	lo = ((uintptr_t) mem + page - 1) & ~(uintptr_t) (page - 1);
	hi = ((uintptr_t) mem + n) & ~(uintptr_t) (page - 1);
#ifdef MADV_POPULATE_WRITE
	if (hi <= lo || madvise((void *) lo, hi - lo, MADV_POPULATE_WRITE) != 0)
#endif
		for (uintptr_t a = lo; a < hi; a += page)
			*(volatile char *) a = 0;
	free(mem);
	prefaulted = n;
#endif
}

void
acq_memory_init(void)
{
	DefineCustomIntVariable("acq.max_memory",
							"Most memory one acq call may plan to use (its rows and its working memory).",
							"A call estimates what it needs from the sizes of its tables before it allocates, "
							"and refuses with an error if the estimate is larger.",
							&acq_max_memory,
							1024 * 1024, 1024, MAX_KILOBYTES,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("acq.retain_memory",
							"Freed memory a backend keeps for its next acq call, in MB (0: the C library's defaults).",
							"Large blocks then come from the backend's heap, already mapped, rather than fresh "
							"from the kernel for every call.",
							&acq_retain_memory,
							128, 0, 1024,
							PGC_USERSET, GUC_UNIT_MB,
							NULL, retain_memory_assign, NULL);
}

bool
acq_memory_over(double bytes)
{
	return isnan(bytes) || bytes > (double) acq_max_memory * 1024.0;
}

void
acq_check_memory(double bytes, const char *what, const char *hint)
{
	double		mb;
	char	   *raise;

	if (!acq_memory_over(bytes))
		return;
	mb = isnan(bytes) ? INFINITY : ceil(bytes / (1024.0 * 1024.0));
	raise = psprintf("SET acq.max_memory = '%.0fMB'", mb);
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s needs %.0f MB, more than acq.max_memory (%d MB)",
					what, mb, acq_max_memory / 1024),
			 hint ? errhint("%s, or raise the limit: %s.", hint, raise) :
			 errhint("Raise the limit: %s.", raise)));
}

/*
 * The call already holds *held bytes and is about to allocate bytes more:
 * check the sum, then count them in *held.
 */
void
acq_memory_take(double *held, double bytes, const char *what, const char *hint)
{
	acq_check_memory(*held + bytes, what, hint);
	*held += bytes;
}

/* the planner's row count of a relation (pg_class.reltuples), -1 if unknown or 0 */
double
acq_rel_rows_estimate(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	double		n = -1.0;

	if (HeapTupleIsValid(tup))
	{
		n = ((Form_pg_class) GETSTRUCT(tup))->reltuples;
		ReleaseSysCache(tup);
	}
	return n > 0.0 ? n : -1.0;
}
