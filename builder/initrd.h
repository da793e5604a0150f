/* initrd.h — a tree as a Linux initramfs: newc cpio written by libarchive,
 * reproducibly.
 *
 * Entries are the tree's canonical walk (parents before children, siblings
 * by strcmp); the root is written as "." (so its mode/owner reach the
 * kernel's rootfs) and every other name without a "./" prefix. Header
 * fields: ino = uvm_tree_number()'s 1-based number (hard links share it),
 * nlink = the tree's link count, mode/uid/gid from the tree, mtime = epoch
 * for every entry, dev = 0:0, rdev only for devices. A hard-linked regular
 * file is written with size 0 under every name but its LAST one in walk
 * order, which carries the data (the new-cpio convention GNU cpio and the
 * kernel use). xattrs are not stored (newc has no place for them).
 *
 * Compression with fixed parameters, no clock and no host name:
 *   none  the cpio stream padded to a multiple of 512 bytes
 *   gzip  deflate level 9, no timestamp and no file name in the header
 *   zstd  level 19, single-threaded
 * Output depends only on the tree, the epoch, the compression and the
 * zlib/libzstd versions (deflate/zstd output may change between library
 * releases; record them with the build).
 */
#ifndef UVM_INITRD_H
#define UVM_INITRD_H

#include <stdint.h>

#include "builder/tree.h"
#include "common/error.h"

enum uvm_compress {
	UVM_COMPRESS_NONE = 0,
	UVM_COMPRESS_GZIP,
	UVM_COMPRESS_ZSTD,
};

/* "none", "gzip", "zstd". */
const char *uvm_compress_name(enum uvm_compress c);
/* Parse the names above; -EINVAL if unknown. */
int uvm_compress_from_name(const char *name, enum uvm_compress *ret);

/* Write t as an initramfs to out_path atomically (mode 0644; nothing is
 * left under out_path on failure). epoch must fit newc's 32-bit mtime
 * (-ERANGE otherwise). Renumbers the tree (uvm_tree_number). Returns 0 or a
 * negative errno with a message naming the output or the entry. */
int uvm_initrd_write(struct uvm_tree *t, const char *out_path,
		     enum uvm_compress c, uint64_t epoch,
		     struct uvm_error *err);

#endif
