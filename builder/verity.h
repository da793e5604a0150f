/* verity.h — dm-verity hash trees on regular files, offline verification,
 * and the Kata artefacts derived from the parameters (root_hash.txt line,
 * kernel_verity_params parser, dm-mod.create command line, verity.json).
 *
 * Format (specs/determinism.md §2): libcryptsetup on regular files, no
 * device-mapper, no root. Salt and superblock UUID always come from the
 * caller (never NULL: libcryptsetup would pick random ones). hash_type 1
 * ("format 1" of veritysetup), digests padded to a power of two.
 *
 * Verify: our own walk over data and tree (libcryptsetup's verify only
 * reports a byte position); it names the first bad block, data before hash,
 * lowest level first, as the kernel would meet it.
 *
 * Ownership: parameters are plain values; the string-returning functions
 * hand the caller a malloc'd string (*ret) to free(). All functions return
 * 0 (or a documented count) or a negative errno, with a message on err.
 */
#ifndef UVM_VERITY_H
#define UVM_VERITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../common/error.h"

#define UVM_VERITY_SALT_MAX 256	  /* libcryptsetup's VERITY_MAX_SALT_SIZE */
#define UVM_VERITY_DIGEST_MAX 64  /* sha512 */
#define UVM_VERITY_SB_SIZE 4096   /* superblock area (one 4 KiB block) */

struct uvm_verity_params {
	char hash_name[16];		/* "sha256" (also sha1, sha512) */
	uint32_t hash_type;		/* 1 (0 = Chrome OS legacy, format only) */
	uint32_t data_block_size;	/* 4096 */
	uint32_t hash_block_size;	/* 4096 */
	uint64_t data_blocks;		/* blocks of data covered */
	uint64_t hash_offset;		/* bytes into the hash file/partition where
					   the hash AREA starts (the superblock if
					   any, then the tree): veritysetup's
					   --hash-offset */
	uint8_t salt[UVM_VERITY_SALT_MAX];
	size_t salt_size;		/* 32 */
	uint8_t uuid[16];		/* superblock UUID (ignored without one) */
	bool superblock;		/* false for Kata's layout */
	uint8_t root_hash[UVM_VERITY_DIGEST_MAX];
	size_t root_hash_size;		/* 32 for sha256; set by format */
};

/* Fill p with the defaults (sha256, type 1, 4096/4096, superblock, no
 * offset, empty salt, zero UUID) — the caller still sets salt, uuid and
 * data_blocks. */
void uvm_verity_params_init(struct uvm_verity_params *p);

/* Derive salt (32 bytes, label "verity-salt") and superblock UUID (label
 * "verity-uuid") from a build seed with uvm_derive(). */
int uvm_verity_params_derive(struct uvm_verity_params *p,
			     const uint8_t seed[32]);

/* Check p for self-consistency (block sizes powers of two in 512..1 MiB,
 * known hash, salt size, data_blocks > 0, offsets aligned). 0 or -EINVAL. */
int uvm_verity_params_check(const struct uvm_verity_params *p,
			    struct uvm_error *err);

/* Size of the tree in hash blocks (levels summed, no superblock) for
 * data_blocks, and the whole hash area in bytes (superblock included). */
int uvm_verity_tree_blocks(const struct uvm_verity_params *p,
			   uint64_t *ret_blocks);
int uvm_verity_hash_area_size(const struct uvm_verity_params *p,
			      uint64_t *ret_bytes);

/* Compute the hash tree of data_path (its data_blocks blocks starting at
 * byte data_offset) into hash_path at p->hash_offset, with a superblock
 * when p->superblock. hash_path is created if missing, never truncated, and
 * extended when shorter than the area; data and hash may be one file if
 * they do not overlap (-EINVAL otherwise). data_offset 0 runs libcryptsetup;
 * another offset runs uvmkit's own writer (same bytes, checked in tests).
 * If p->data_blocks is 0 it is set from the data file size (which must
 * then be a multiple of the block size). Fills p->root_hash(_size). */
int uvm_verity_format(const char *data_path, uint64_t data_offset,
		      const char *hash_path, struct uvm_verity_params *p,
		      struct uvm_error *err);

/* Like uvm_verity_format at offset 0, but data_path may be shorter than
 * p->data_blocks (which must be set): the missing bytes are zeros, as in a
 * partition larger than the filesystem image copied into it. Own writer. */
int uvm_verity_format_padded(const char *data_path, const char *hash_path,
			     struct uvm_verity_params *p, struct uvm_error *err);

/* Offline check against p->root_hash (the superblock, if p->superblock,
 * must also match p). 0 if everything verifies; -EBADMSG on a mismatch with
 * a message naming the first bad block: "data block 635 is corrupted" or
 * "hash block 3 (level 1) is corrupted" (hash block index counted from the
 * tree's start, as the kernel does), or "root hash mismatch". */
int uvm_verity_verify(const char *data_path, uint64_t data_offset,
		      const char *hash_path, const struct uvm_verity_params *p,
		      struct uvm_error *err);

/* Read a verity superblock at hash_offset of hash_path into p (hash name,
 * type, block sizes, data_blocks, salt, uuid; superblock = true). */
int uvm_verity_read_superblock(const char *hash_path, uint64_t hash_offset,
			       struct uvm_verity_params *p,
			       struct uvm_error *err);

/* Kata's root_hash_<variant>.txt line, with the trailing newline:
 * "root_hash=H,salt=S,data_blocks=N,data_block_size=4096,hash_block_size=4096\n" */
int uvm_verity_kata_root_hash_line(const struct uvm_verity_params *p,
				   char **ret);

/* The dm-mod.create command line part, without trailing newline:
 *  dm-mod.create="dm-verity,,,ro,0 S verity 1 DATA HASH dbs hbs N START
 *  sha256 ROOT SALT" root=/dev/dm-0 rootflags=FLAGS rootfstype=FS
 * S = dbs/512 * N; START = hash_offset/hbs (+1 with a superblock);
 * rootflags "data=ordered,errors=remount-ro ro" for ext4, "ro" otherwise. */
int uvm_verity_dm_cmdline(const struct uvm_verity_params *p,
			  const char *data_dev, const char *hash_dev,
			  const char *fstype, char **ret);
/* The Kata one: /dev/vda1, /dev/vda2, ext4. */
int uvm_verity_kata_cmdline(const struct uvm_verity_params *p, char **ret);

/* kernel_verity_params as Kata's runtime parses it (specs/kata-image.md §3,
 * Go ParseKernelVerityParams / Rust parse_kernel_verity_params). */
struct uvm_kata_verity {
	char *root_hash;	/* malloc'd, as given (not decoded) */
	char *salt;		/* malloc'd, as given, non-empty */
	uint64_t data_blocks, data_block_size, hash_block_size;
};
/* Returns 1 with *ret filled, 0 when s is empty/all-whitespace (verity
 * disabled; *ret zeroed), or -EINVAL with a message. */
int uvm_kata_verity_parse(const char *s, struct uvm_kata_verity *ret,
			  struct uvm_error *err);
void uvm_kata_verity_done(struct uvm_kata_verity *v);
/* uvmkit's stricter reading (kata-image.md "What uvmkit must do" 4): root
 * hash 64 hex digits, salt hex of at most 256 bytes; fills p (sha256,
 * type 1, no superblock, hash_offset 0). */
int uvm_kata_verity_to_params(const struct uvm_kata_verity *v,
			      struct uvm_verity_params *p,
			      struct uvm_error *err);

/* verity.json: every parameter plus the derived strings. Keys in order:
 * hash_name, hash_type, data_block_size, hash_block_size, data_blocks,
 * data_sectors, hash_offset, hash_start_block, hash_blocks, superblock,
 * uuid (null without superblock), salt, root_hash, kernel_verity_params.
 * New reference or NULL (ENOMEM). */
json_t *uvm_verity_params_json(const struct uvm_verity_params *p);

#endif
