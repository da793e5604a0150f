/* rootfs.h — the reproducible dm-verity root filesystem: sources -> tree ->
 * ext4 (builder/ext4.h) -> verity disk + Kata artefacts (builder/disk.h).
 * What `uvmkit rootfs` runs and what the `uvmkit build` pipeline calls.
 *
 * Contract of uvm_rootfs_build() / uvm_rootfs_build_tree():
 *  inputs   the sources (layered in order, later ones win, see source.h) or
 *           an already layered tree, and struct uvm_rootfs_opts;
 *  outputs  in out_dir (created if missing), every file written atomically
 *           and all-or-nothing (uvm_disk_write_dir): rootfs.img (the disk
 *           of the layout; for UVM_LAYOUT_NONE the bare ext4 image, plus
 *           rootfs.verity, the hash tree), root_hash.txt (Kata's one line),
 *           cmdline.txt (dm-mod.create=... root=/dev/dm-0 rootflags=...
 *           rootfstype=ext4), verity.json. While building, one hidden
 *           temporary ".rootfs.ext4.XXXXXX" lives in out_dir; it is removed
 *           on success and on failure. On failure no file is left under a
 *           final name (an existing one is kept as it was);
 *  returns  0 and *ret (verity parameters incl. root hash and salt, the
 *           seed used, the tree digest, ext4 statistics), or a negative
 *           errno with a one-line message on err: -ENOSPC "image too small
 *           for the content" when opts->size cannot hold the tree, source
 *           errors as in source.h.
 *
 * Determinism: the output is a function of the tree's content (not of how
 * the sources were made), the options and the library versions. The build
 * seed is opts->seed when have_seed, else (version 1)
 *   SHA-256("uvmkit-rootfs-seed-v1\0" || tree digest (tree-digest.h) ||
 *           u32 layout || u64 size || u64 epoch || u32 align_mib), LE.
 * From the seed: ext4 UUID ("ext4-uuid"), directory hash seed
 * ("ext4-hash-seed"), verity salt ("verity-salt"), verity UUID
 * ("verity-uuid"), MBR signature / GPT disk GUID (disk.h).
 */
#ifndef UVM_ROOTFS_H
#define UVM_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "builder/disk.h"
#include "builder/ext4.h"
#include "builder/source.h"
#include "builder/tree.h"
#include "builder/verity.h"
#include "common/error.h"

struct uvm_rootfs_opts {
	enum uvm_disk_layout layout; /* UVM_LAYOUT_KATA (0) by default */
	uint64_t size;		/* filesystem bytes, multiple of 4096; 0 =
				   automatic (uvm_ext4_auto_size). Kata: the
				   filesystem then grows to fill p1 exactly
				   (the disk is a multiple of align_mib) */
	uint64_t epoch;		/* every timestamp (0 .. 2^32-1) */
	bool have_seed;
	uint8_t seed[32];	/* build seed when have_seed */
	uint32_t align_mib;	/* Kata disk alignment, 0 = 128 */
	bool verify;		/* re-read and verify the written disk */
};

struct uvm_rootfs_source {
	const char *path;
	enum uvm_source_kind kind; /* UVM_SOURCE_AUTO to detect */
};

struct uvm_rootfs_result {
	struct uvm_verity_params verity;
	uint8_t seed[32];
	bool have_tree_digest;	/* computed only for the default seed */
	uint8_t tree_digest[32];
	struct uvm_ext4_stats ext4;
	size_t entries;		/* names in the tree */
};

/* Layer the n sources into a new tree (spool_dir: where archive content is
 * spooled, NULL = /tmp; sopts: owner policy, may be NULL) and call
 * uvm_rootfs_build_tree(). */
int uvm_rootfs_build(const struct uvm_rootfs_source *src, size_t n,
		     const struct uvm_source_opts *sopts, const char *spool_dir,
		     const struct uvm_rootfs_opts *opts, const char *out_dir,
		     struct uvm_rootfs_result *ret, struct uvm_error *err);

/* Build from an already layered tree (numbered again here). */
int uvm_rootfs_build_tree(struct uvm_tree *t,
			  const struct uvm_rootfs_opts *opts,
			  const char *out_dir, struct uvm_rootfs_result *ret,
			  struct uvm_error *err);

/* The default build seed (version 1, see above). */
int uvm_rootfs_default_seed(const uint8_t tree_digest[32],
			    const struct uvm_rootfs_opts *opts,
			    uint8_t seed[32]);

#endif
