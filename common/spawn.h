/* spawn.h — run an external build tool (kbuild's make, edk2's build,
 * tar, patch) with an environment the caller states in full, its output
 * going to a log file.
 *
 * Why: the guest kernel and firmware are built by their own build systems.
 * Their output must not depend on the invoking user's environment (PATH,
 * locale, TZ, CFLAGS, MAKEFLAGS, ...), so the child gets exactly envp and
 * nothing inherited; the program is looked up in envp's PATH, not the
 * caller's. The library never reads the environment itself: a caller that
 * wants to pass something through (e.g. the CLI's PATH) puts it in envp.
 *
 * On failure the caller usually shows the last lines of the log
 * (uvm_log_tail) so that "the kernel build failed" comes with the reason.
 */
#ifndef UVM_SPAWN_H
#define UVM_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct uvm_spawn {
	const char *const *argv; /* argv[0] is the program, NULL-terminated */
	const char *const *envp; /* the complete environment, NULL-terminated;
				  * NULL means an empty environment */
	const char *cwd;	 /* working directory of the child, or NULL */
	int log_fd;		 /* stdout and stderr of the child; -1 means
				  * /dev/null. stdin is always /dev/null. */
	mode_t umask;		 /* the child's umask (e.g. 022) */
};

/* Run s->argv and wait for it. Returns 0 when it exited with status 0;
 * -EPROTO when it exited non-zero or was killed (message: "make exited with
 * status 2" / "make killed by signal 9"); -ENOENT when the program is not
 * found in envp's PATH; another negative errno when it could not be started.
 * ret_status (may be NULL) gets the raw wait status when the child ran. */
int uvm_spawn_run(const struct uvm_spawn *s, int *ret_status,
		  struct uvm_error *err);

/* Build a NULL-terminated environment from "KEY=VALUE" strings: a
 * convenience for callers assembling envp. The returned array and strings
 * are malloc'd; free with uvm_env_free(). Entries with the same KEY:
 * the later one wins. Returns 0 or -ENOMEM. */
int uvm_env_set(char ***env, const char *key, const char *value);
void uvm_env_free(char **env);
/* For _cleanup_(uvm_env_freep). */
static inline void uvm_env_freep(char ***env)
{
	uvm_env_free(*env);
}

/* The last max_lines lines (at most 4 KiB) of the file at path, as one
 * malloc'd string with lines joined by "\n" and no trailing newline ("" for
 * an empty file). For error messages after a failed build. */
int uvm_log_tail(const char *path, unsigned max_lines, char **ret);

#endif
