/* ext4.h — write a struct uvm_tree as an ext4 filesystem image with
 * libext2fs, byte-for-byte reproducibly (specs/determinism.md §1).
 *
 * The image is a pure function of (tree, options, libext2fs version):
 *  - layout pinned: 4 KiB blocks, 256-byte inodes, no journal, no resize
 *    inode, features ext_attr dir_index filetype extent 64bit flex_bg
 *    sparse_super large_file huge_file dir_nlink extra_isize metadata_csum
 *    (nothing read from /etc/mke2fs.conf or the environment);
 *  - filesystem UUID = uvm_derive_uuid(seed, "ext4-uuid"), directory hash
 *    seed = uvm_derive_uuid(seed, "ext4-hash-seed");
 *  - every inode's atime, ctime, mtime and crtime and the superblock's
 *    mkfs, write and last-check times are opts->epoch;
 *  - inode numbers: the root is 2, lost+found 11 (created, 16 KiB, when the
 *    tree has none), the tree's inode number N (canonical walk order,
 *    uvm_tree_number) is 10 + N for N >= 2;
 *  - blocks are allocated first-fit in walk order; all-zero 4 KiB blocks of
 *    regular files are holes; directories whose entries need more than one
 *    block get a hashed (htree) index;
 *  - the output is a fresh sparse file: unwritten blocks are holes.
 *
 * Ownership: the tree is read, not changed (except uvm_tree_number()).
 */
#ifndef UVM_EXT4_H
#define UVM_EXT4_H

#include <stdint.h>

#include "builder/tree.h"
#include "common/error.h"

#define UVM_EXT4_BLOCK_SIZE 4096u
#define UVM_EXT4_INODE_SIZE 256u

struct uvm_ext4_opts {
	uint64_t size;	    /* filesystem bytes (multiple of 4096, or it is
			       rounded down); 0 = uvm_ext4_auto_size() */
	uint64_t epoch;	    /* every timestamp, 0 .. 2^32-1 */
	uint8_t seed[32];   /* build seed: UUID and hash seed */
	const char *label;  /* volume label (<= 16 bytes) or NULL */
};

struct uvm_ext4_stats {
	uint64_t fs_bytes;	 /* size of the filesystem */
	uint64_t blocks_used;	 /* blocks in use after writing (incl. metadata) */
	uint64_t inodes_count;	 /* inodes of the filesystem */
	uint64_t inodes_used;
	uint64_t files, dirs, symlinks, specials; /* inodes written per kind */
	uint64_t htree_dirs;	 /* directories given a hashed index */
	uint64_t data_blocks;	 /* file data blocks written */
	uint64_t hole_blocks;	 /* all-zero blocks left as holes */
};

/* The automatic filesystem size for t: content blocks (the non-zero 4 KiB
 * blocks of regular files, i.e. what is stored, so the size depends on the
 * content only, never on the holes of the host files), directory, symlink,
 * xattr and extent blocks, inode tables and group metadata, plus 5 % +
 * 2 MiB slack, rounded up to 1 MiB. data_blocks: the content block count
 * if the caller has it (uvm_tree_digest_blocks()), else NULL and the
 * content is read here. Calls uvm_tree_number(t). Returns 0 or a negative
 * errno (an unreadable source file, named). */
int uvm_ext4_auto_size(struct uvm_tree *t, const uint64_t *data_blocks,
		       uint64_t *ret_bytes, struct uvm_error *err);

/* Write t as ext4 into path, which is created or truncated to a fresh
 * sparse file of the filesystem's size. Calls uvm_tree_number(t).
 * -ENOSPC with "image too small for the content" when opts->size cannot
 * hold the tree; -EIO/-EACCES etc. naming the source file that could not
 * be read; -EMLINK for more than 65000 hard links. On failure path is left
 * behind (the caller owns it: it is normally a temporary). ret may be
 * NULL. */
int uvm_ext4_write(struct uvm_tree *t, const char *path,
		   const struct uvm_ext4_opts *opts,
		   struct uvm_ext4_stats *ret, struct uvm_error *err);

#endif
