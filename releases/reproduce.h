/* reproduce.h — `uvmkit reproduce`: rebuild a release from the recipe its
 * manifest records and compare every subject, explaining differences.
 *
 * The manifest's predicate carries the canonical recipe ("recipe") and the
 * digest of every input ("inputs"). The recipe is parsed again with paths
 * relative to opts->base_dir (the auditor's checkout of the uvmkit tree or
 * of wherever the original recipe lived; absolute paths stay absolute) and
 * Package= files looked up in opts->downloads_dir; every input is checked
 * against its pin AND against the digest the manifest recorded before
 * anything is built (a different input is reported, not rebuilt).
 *
 * Comparison (uvm_release_compare): subjects by name and sha256; for a
 * subject that differs, where:
 *   rootfs.img   verity root hash and salt; the ext4 data partition of both
 *                disks (offsets from verity.json) read with libext2fs:
 *                which files were added, removed or changed (content, mode,
 *                owner, size, symlink target); else the first differing
 *                byte offset and which partition it is in
 *   initrd.img   entry lists read with libarchive: which entries differ
 *   vmlinuz      kernel.config lines that differ, else the kernel.json lines
 *                that differ (toolchain, release) and the first differing
 *                byte offset
 *   other files  the first differing line (text) or byte offset
 * At most UVM_REPRODUCE_MAX_DETAILS details per subject.
 */
#ifndef UVM_REPRODUCE_H
#define UVM_REPRODUCE_H

#include <jansson.h>

#include "../common/error.h"
#include "build.h"

#define UVM_REPRODUCE_MAX_DETAILS 20

struct uvm_reproduce_opts {
	const char *base_dir;	   /* relative recipe paths; required */
	const char *downloads_dir; /* Package= files */
	const char *cache_dir;	   /* kernel/firmware cache, NULL: none */
	unsigned jobs;
	const char *tool_version;
	uvm_build_progress_fn progress;
	void *userdata;
};

/* Compare release directories a (reference) and b (rebuilt) subject by
 * subject (a's manifest.intoto.json lists the subjects; b's files are
 * hashed). *ret_report gets {"reference", "rebuilt", "same": N,
 * "differ": N, "subjects": [{"name", "status": "same"|"differs"|"missing",
 * "details": [str...]}]}. Returns the number of subjects that differ or
 * are missing (0: reproduced), or a negative errno. */
int uvm_release_compare(const char *a, const char *b, json_t **ret_report,
			struct uvm_error *err);

/* Rebuild the release at `release` (a directory, or the path of its
 * manifest.intoto.json) into out_dir and compare. Returns as
 * uvm_release_compare; *ret_report also has "inputs": "ok". An input that
 * differs from the manifest's record: -EBADMSG naming it, nothing built. */
int uvm_reproduce(const char *release, const char *out_dir,
		  const struct uvm_reproduce_opts *opts, json_t **ret_report,
		  struct uvm_error *err);

#endif
