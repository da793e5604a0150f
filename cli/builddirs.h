/* builddirs.h — what the verbs that build (build, reproduce, kernel,
 * firmware) share on the command line: the cache and downloads directories
 * and --jobs. */
#ifndef UVM_CLI_BUILDDIRS_H
#define UVM_CLI_BUILDDIRS_H

#include <stdbool.h>

struct cli_builddirs {
	char *cache;	 /* --cache-dir, else ${XDG_CACHE_HOME:-$HOME/.cache}/uvmkit */
	char *downloads; /* --downloads-dir, else CACHE/downloads */
};

/* The user's cache: ${XDG_CACHE_HOME:-$HOME/.cache}/uvmkit, with "/SUB"
 * appended when sub is non-NULL ($HOME unset: /tmp/.cache/uvmkit).
 * malloc'd; NULL when out of memory. */
char *cli_user_cache(const char *sub);

/* Fill d from the options (either may be NULL). 0 or -ENOMEM. */
int cli_builddirs_init(struct cli_builddirs *d, const char *cache_opt,
		       const char *downloads_opt);
void cli_builddirs_done(struct cli_builddirs *d);

/* --jobs N: 1..256. Returns 0, or logs a usage error and returns -EINVAL. */
int cli_parse_jobs(const char *s, unsigned *ret);

#endif
