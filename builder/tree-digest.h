/* tree-digest.h — one SHA-256 that identifies a tree's content, whatever
 * the sources it was built from looked like on the host (creation order,
 * umask-independent because modes are explicit, timestamps, inode numbers,
 * directory path, archive vs directory): the default build seed.
 *
 * Definition (version 1), all integers little-endian:
 *   SHA-256( "uvmkit-tree-digest-v1\0"
 *            for every entry in canonical order (uvm_tree_walk):
 *              u32 len, path bytes ("" for the root)
 *              u32 mode (type and permission bits), u32 uid, u32 gid
 *              u32 ino   (uvm_tree_number(): so hard-link structure counts)
 *              u32 rdev_major, u32 rdev_minor, u64 size
 *              u32 len, symlink target bytes (len 0 if not a symlink)
 *              u32 count; per xattr (sorted by name): u32 len, name,
 *                                                     u32 len, value
 *              32 bytes: sha256 of the content for the FIRST name of a
 *                        regular file; 32 zero bytes otherwise )
 */
#ifndef UVM_TREE_DIGEST_H
#define UVM_TREE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "builder/tree.h"
#include "common/error.h"

/* SHA-256 over the canonical walk of the tree: for every entry path, type,
 * mode, uid, gid, rdev, symlink target, xattrs (sorted) and content sha256.
 * Calls uvm_tree_number(t) first (so it renumbers the tree). Reads every
 * regular file's content once. Returns 0 or a negative errno (unreadable or
 * shrunken host file, named in err). */
int uvm_tree_digest(struct uvm_tree *t, uint8_t out[32], struct uvm_error *err);

/* The same, also counting the 4 KiB blocks of regular-file content (each
 * inode once; a last partial block counts as padded with zeros) that are
 * not all zero — what an image writer that turns zero blocks into holes
 * must store, independent of the holes of the host files. */
#define UVM_ZERO_BLOCK 4096u
int uvm_tree_digest_blocks(struct uvm_tree *t, uint8_t out[32],
			   uint64_t *ret_nonzero, struct uvm_error *err);

/* Number of UVM_ZERO_BLOCK blocks of buf that are not all zero (a short
 * last block counts as zero-padded). */
uint64_t uvm_nonzero_blocks(const uint8_t *buf, size_t len);

/* sha256 of one inode's content (regular files; other types hash ""). */
int uvm_inode_content_sha256(const struct uvm_tree *t,
			     const struct uvm_inode *ino, uint8_t out[32],
			     struct uvm_error *err);

#endif
