/* tree.h — the in-memory filesystem tree that every source (directory, tar,
 * OCI layout, .deb) is layered into and every writer (ext4, cpio) reads.
 *
 * Model: directory entries (struct uvm_node) point at inodes (struct
 * uvm_inode). Several entries may share one inode (hard links); directories
 * are never shared. Each directory keeps its children sorted bytewise
 * (strcmp) at all times, so a depth-first walk is the one canonical order:
 * parents before children, siblings by strcmp. Inode numbers are assigned
 * in that order by uvm_tree_number() (the first name reached is a hard
 * link's primary).
 *
 * What the tree deliberately does NOT hold: timestamps (every output sets
 * them to the build epoch), host inode numbers, host user names. Ownership
 * and modes are whatever the source said (tar headers) or the caller chose.
 *
 * File content is not copied into memory for large sources: an inode's
 * content is either inline bytes (small, e.g. symlink-free generated files),
 * a path on the host (directory sources; size checked again when read), or
 * a range of the tree's spool file (archive sources, whose streams cannot be
 * re-read; the spool is an unlinked temporary file in a caller-chosen
 * directory), or nothing (size 0).
 *
 * Ownership: the tree owns every node, inode and buffer reachable from
 * tree->root; uvm_tree_free() releases all of it and the spool.
 * Paths given to the API are relative to the image root, '/'-separated;
 * leading '/' and "./" components are dropped, "//" is folded; a ".."
 * component is refused (-EINVAL) so no source can name anything outside
 * the image tree.
 */
#ifndef UVM_TREE_H
#define UVM_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "common/error.h"

#define UVM_NAME_MAX 255   /* ext4's limit on one path component */
#define UVM_PATH_MAX 4095  /* longest path accepted */
#define UVM_SYMLINK_MAX 4095

enum uvm_content_kind {
	UVM_CONTENT_NONE = 0, /* empty file (or not a regular file) */
	UVM_CONTENT_MEM,      /* inode->mem, inode->size bytes */
	UVM_CONTENT_PATH,     /* host file inode->path, inode->size bytes */
	UVM_CONTENT_SPOOL,    /* tree spool [spool_off, spool_off + size) */
};

struct uvm_xattr {
	char *name;	/* full name, e.g. "user.foo", "system.posix_acl_access" */
	uint8_t *value; /* raw value as the kernel stores it (ACLs: the
			   little-endian posix_acl_xattr format) */
	size_t size;
};

struct uvm_inode {
	uint32_t mode;	/* S_IFMT type bits | permissions incl. 07000 */
	uint32_t uid, gid;
	uint64_t size;	/* regular file: content bytes; symlink: target length */
	uint32_t rdev_major, rdev_minor; /* character/block devices */
	char *symlink;	/* symlink target (NUL-terminated), else NULL */
	enum uvm_content_kind content;
	uint8_t *mem;	/* UVM_CONTENT_MEM */
	char *path;	/* UVM_CONTENT_PATH */
	uint64_t spool_off; /* UVM_CONTENT_SPOOL */
	struct uvm_xattr *xattrs; /* sorted by name, unique names */
	size_t n_xattrs;
	/* Filled by uvm_tree_number(): */
	uint32_t ino;	/* 1-based, in canonical walk order */
	uint32_t nlink; /* names (+ subdirectories' ".." for directories) */
	uint32_t refs;	/* internal: entries pointing here */
};

struct uvm_node {
	char *name;		 /* component; "" for the root */
	struct uvm_node *parent; /* NULL for the root */
	struct uvm_inode *inode;
	struct uvm_node **children; /* directories: sorted by strcmp(name) */
	size_t n_children, cap_children;
};

struct uvm_tree {
	struct uvm_node *root; /* always a directory, default 0755 0:0 */
	int spool_fd;	       /* -1 until first spooled content */
	uint64_t spool_size;
	char *spool_dir;
	size_t n_inodes; /* after uvm_tree_number() */
	size_t n_nodes;	 /* after uvm_tree_number() */
};

/* Create an empty tree (root directory 0755 owned by 0:0). spool_dir is
 * where archive content is spooled (an unlinked O_TMPFILE); NULL means
 * "/tmp". */
int uvm_tree_new(const char *spool_dir, struct uvm_tree **ret,
		 struct uvm_error *err);
void uvm_tree_free(struct uvm_tree *t);
DEFINE_PTR_CLEANUP(tree, struct uvm_tree, uvm_tree_free)

/* A fresh inode with the given mode/uid/gid and nothing else; to be filled
 * by the caller and handed to uvm_tree_put(). */
struct uvm_inode *uvm_inode_new(uint32_t mode, uint32_t uid, uint32_t gid);
/* Release an inode that was never handed to the tree. */
void uvm_inode_unref(struct uvm_inode *ino);

/* Set/replace one xattr on an inode (copies name and value). */
int uvm_inode_set_xattr(struct uvm_inode *ino, const char *name,
			const void *value, size_t size);

/* Normalize path (see above) into out (size UVM_PATH_MAX + 1). Returns 0,
 * or -EINVAL (".." component, empty component name too long) with a
 * message. The root is "". */
int uvm_path_normalize(const char *path, char *out, struct uvm_error *err);

/* Find the entry at path ("" or "/" is the root); NULL if absent. Does not
 * follow symlinks. */
struct uvm_node *uvm_tree_lookup(struct uvm_tree *t, const char *path);

/* Put an entry at path with the given inode, layering semantics:
 * - missing parent directories are created (0755, 0:0);
 * - a parent that exists but is not a directory is replaced by a directory
 *   (a later layer wins, as in overlay semantics) — only when
 *   UVM_PUT_REPLACE_PARENTS is set; otherwise -ENOTDIR;
 * - if path exists: directory over directory keeps the children and takes
 *   the new inode's metadata; anything else replaces the old entry (and its
 *   subtree).
 * The tree takes the caller's reference on inode in every case (on failure
 * too). Putting the root ("") with a directory inode sets its metadata. */
#define UVM_PUT_REPLACE_PARENTS 1u
int uvm_tree_put(struct uvm_tree *t, const char *path, struct uvm_inode *inode,
		 unsigned flags, struct uvm_node **ret, struct uvm_error *err);

/* Add a hard link at path to the existing entry target (not a directory).
 * -ENOENT if target does not exist, -EPERM if it is a directory. */
int uvm_tree_link(struct uvm_tree *t, const char *path, const char *target,
		  struct uvm_error *err);

/* Remove path and its subtree (OCI whiteout ".wh.NAME"). Absent is fine. */
int uvm_tree_remove(struct uvm_tree *t, const char *path,
		    struct uvm_error *err);

/* Remove every child of directory path (opaque whiteout ".wh..wh..opq"). */
int uvm_tree_clear_dir(struct uvm_tree *t, const char *path,
		       struct uvm_error *err);

/* Append len bytes to the spool; *ret_off gets their offset. Used while
 * streaming an archive member: call repeatedly for one member, the first
 * call's offset is the member's spool_off (appends are contiguous). */
int uvm_tree_spool_append(struct uvm_tree *t, const void *buf, size_t len,
			  uint64_t *ret_off, struct uvm_error *err);

/* Assign inode numbers and link counts in canonical walk order; sets
 * t->n_inodes and t->n_nodes. Call after the last change, before writing. */
int uvm_tree_number(struct uvm_tree *t);

/* Depth-first walk in canonical order: parents before children, siblings
 * by strcmp. cb gets the node and its full path ("" for the root); a
 * negative return stops the walk and is returned. */
typedef int (*uvm_tree_walk_fn)(struct uvm_node *node, const char *path,
				void *userdata);
int uvm_tree_walk(struct uvm_tree *t, uvm_tree_walk_fn cb, void *userdata);

/* Sequential/random access to a regular file's content. */
struct uvm_reader {
	int fd;		    /* -1 for MEM/NONE */
	bool own_fd;	    /* PATH: opened by the reader */
	uint64_t base;	    /* SPOOL offset */
	const uint8_t *mem; /* MEM */
	uint64_t size;
};
int uvm_reader_open(const struct uvm_tree *t, const struct uvm_inode *ino,
		    struct uvm_reader *r, struct uvm_error *err);
/* Read up to len bytes at off; returns the count (0 at end) or -errno. A
 * host file that shrank since it was added is -EIO. */
int64_t uvm_reader_pread(struct uvm_reader *r, void *buf, size_t len,
			 uint64_t off);
void uvm_reader_close(struct uvm_reader *r);

#endif
