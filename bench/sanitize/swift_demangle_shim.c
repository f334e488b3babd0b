/*
 * swift_demangle_shim.c -- preloaded with libasan by bench/sanitize.sh.
 *
 * Preloaded libasan starts at the first malloc, which in postgres happens
 * inside libgpg-error's constructor (libsystemd -> libgcrypt ->
 * libgpg-error), within bindtextdomain(), which holds glibc's gettext lock.
 * The runtime's start-up looks up the optional symbol swift_demangle; the
 * failed dlsym leaves a dlerror() message, and translating it takes the same
 * lock: postgres hangs before main (gcc 12's libasan, glibc 2.36).  With the
 * symbol defined the lookup succeeds.  It demangles nothing (NULL: "cannot
 * demangle"), so no report changes.
 */
#include <stddef.h>

char	   *swift_demangle(const char *name, size_t len, char *out, size_t *outlen,
						   unsigned flags);

char *
swift_demangle(const char *name, size_t len, char *out, size_t *outlen,
			   unsigned flags)
{
	return NULL;
}
