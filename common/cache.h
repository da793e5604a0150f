/* cache.h — a content-addressed cache of build outputs (the guest kernel,
 * the firmware), keyed by a digest of every input.
 *
 * Layout: CACHE/KIND/KEY/ is a complete entry (KEY = 64 lowercase hex, the
 * SHA-256 of everything that went into the build: source digest, config,
 * toolchain versions, uvmkit's build recipe version). An entry is built in
 * a temporary directory CACHE/KIND/.KEY.XXXXXX and renamed into place only
 * when complete, so a reader never sees a half-written entry, and two
 * builders racing for the same key both succeed (the loser's copy is
 * dropped). A cache miss just means "build it"; the cache is an
 * optimisation, never a source of truth: callers still record and check
 * the digests of what they take out of it.
 */
#ifndef UVM_CACHE_H
#define UVM_CACHE_H

#include <sys/types.h>

#include "error.h"

/* Is there an entry CACHE/KIND/KEY? Returns 1 and sets *ret_dir (malloc'd
 * path of the entry) on a hit, 0 on a miss (*ret_dir untouched), negative
 * errno on error (e.g. a bad key). */
int uvm_cache_lookup(const char *cache_dir, const char *kind, const char *key,
		     char **ret_dir, struct uvm_error *err);

/* Create an empty temporary entry directory to fill (mode 0755, parents
 * created). *ret_tmp is malloc'd. */
int uvm_cache_begin(const char *cache_dir, const char *kind, const char *key,
		    char **ret_tmp, struct uvm_error *err);

/* Rename a filled temporary entry to CACHE/KIND/KEY. If another builder got
 * there first, the temporary is removed and the existing entry kept.
 * *ret_dir (may be NULL) gets the entry's path. On failure the temporary is
 * removed. */
int uvm_cache_commit(const char *tmp, const char *cache_dir, const char *kind,
		     const char *key, char **ret_dir, struct uvm_error *err);

/* Remove a temporary entry (or any directory tree) recursively, without
 * following symlinks. Returns 0, or a negative errno. Safe on a NULL or
 * missing path. */
int uvm_rm_rf(const char *path);

/* Copy the regular file src to dst atomically (common/fileio.h rules: a
 * temporary beside dst, fsync, rename), with the given mode. */
int uvm_copy_file_atomic(const char *src, const char *dst, mode_t mode,
			 struct uvm_error *err);

#endif
