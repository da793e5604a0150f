/* disk.h — assemble the verity root disk from an ext4 image, and write the
 * artefacts beside it (specs/kata-image.md §1, §7; determinism.md §4).
 *
 * Layouts:
 *  - UVM_LAYOUT_KATA: MBR (disk signature from the seed), p1 = data at
 *    1 MiB .. floor(99 N/100) MiB - 1 sector, p2 = hash tree without
 *    superblock to the last sector; both 0x83, p1 bootable; N (MiB) the
 *    smallest multiple of align_mib (default 128) where the ext4 image fits
 *    p1 and the tree fits p2. data_blocks = size(p1)/4096: an ext4 image
 *    smaller than p1 is zero-padded (use uvm_disk_kata_geometry() to make
 *    the filesystem exactly p1, as Kata does).
 *  - UVM_LAYOUT_GPT: systemd Discoverable Partitions, x86-64 root + root-verity
 *    types, partition UUIDs = root hash halves, disk GUID from the seed,
 *    verity superblock (UUID from the seed), hash_start 1, 1 MiB alignment,
 *    128 entries, backup GPT at the end.
 *  - UVM_LAYOUT_NONE: rootfs.img is the ext4 image itself, rootfs.verity the
 *    hash tree without superblock (hash_offset 0).
 * Output is deterministic: same ext4 bytes + seed + options → same bytes.
 * Zero regions are left as holes (sparse output).
 */
#ifndef UVM_DISK_H
#define UVM_DISK_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "../common/error.h"
#include "verity.h"

enum uvm_disk_layout { UVM_LAYOUT_KATA, UVM_LAYOUT_GPT, UVM_LAYOUT_NONE };

/* "kata", "gpt", "none" <-> enum. parse returns 0 or -EINVAL. */
int uvm_disk_layout_parse(const char *s, enum uvm_disk_layout *ret);
const char *uvm_disk_layout_name(enum uvm_disk_layout l);

/* Where the two parts live in the output file (bytes). For NONE the data is
 * rootfs.img and the hash is the separate rootfs.verity (offsets 0). */
struct uvm_disk_geometry {
	uint64_t disk_bytes;
	uint64_t data_offset, data_bytes;	/* p1 */
	uint64_t hash_offset, hash_bytes;	/* p2 */
};

/* Kata split for an image of n_mib MiB: H = floor(99 n / 100),
 * p1 = [1 MiB, H MiB - 512), p2 = [H MiB, n MiB). -EINVAL if n_mib < 3. */
int uvm_disk_kata_split(uint64_t n_mib, struct uvm_disk_geometry *ret);

/* The smallest Kata disk (multiple of align_mib MiB, 0 = 128) whose p1
 * holds fs_bytes and whose p2 holds the tree of p1. ret->data_bytes is the
 * size to give the filesystem so that it fills p1 exactly. */
int uvm_disk_kata_geometry(uint64_t fs_bytes, uint32_t align_mib,
			   struct uvm_disk_geometry *ret,
			   struct uvm_error *err);

struct uvm_disk_opts {
	uint32_t align_mib;	/* Kata image size alignment; 0 = 128 */
	bool consume_input;	/* NONE: rename the ext4 file into place
				   instead of copying it when it is on the
				   same filesystem; it is then gone whether
				   the call succeeds or fails */
	bool verify;		/* after writing, re-read p1 and check it
				   against p2's tree with the emitted root
				   hash (a full extra read of the image) */
};

/* Assemble out_path (written atomically) from ext4_path. Computes the hash
 * tree into the disk's hash partition and fills *ret_params (hash_offset
 * relative to the hash partition, as the kernel sees it) and *ret_geo.
 * NONE writes out_path (= ext4 copy) and hash_path (tree); for the other
 * layouts hash_path must be NULL. seed drives salt, verity UUID, MBR
 * signature, GPT disk GUID. opts may be NULL. */
int uvm_disk_write(const char *ext4_path, enum uvm_disk_layout layout,
		   const uint8_t seed[32], const struct uvm_disk_opts *opts,
		   const char *out_path, const char *hash_path,
		   struct uvm_verity_params *ret_params,
		   struct uvm_disk_geometry *ret_geo, struct uvm_error *err);

/* What `uvmkit disk` and `uvmkit rootfs` write into out_dir (created if
 * missing): rootfs.img (+ rootfs.verity for NONE), root_hash.txt,
 * cmdline.txt (one line + newline), verity.json. Every file atomically;
 * on failure none of them is left under its final name (files of this
 * run already renamed are removed). Self-check before anything is renamed:
 * root_hash.txt goes back through Kata's parser and must give the same
 * parameters and command line, data_blocks · 4096 must equal the data
 * partition; with opts->verify also the whole tree (uvm_verity_verify on
 * the written image). */
int uvm_disk_write_dir(const char *ext4_path, enum uvm_disk_layout layout,
		       const uint8_t seed[32], const struct uvm_disk_opts *opts,
		       const char *out_dir, struct uvm_verity_params *ret_params,
		       struct uvm_error *err);

/* verity.json for a disk: {"layout", "disk_size", "data": {offset,size},
 * "hash": {offset,size}, "verity": uvm_verity_params_json(), "cmdline"}.
 * For GPT also "disk_guid", "data_partuuid", "hash_partuuid". NULL on
 * ENOMEM. */
json_t *uvm_disk_json(enum uvm_disk_layout layout, const uint8_t seed[32],
		      const struct uvm_verity_params *p,
		      const struct uvm_disk_geometry *g);

#endif
