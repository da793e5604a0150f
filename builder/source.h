/* source.h — layering sources (a directory, a tar archive, an OCI image
 * layout, a Debian package) into a struct uvm_tree, never extracting them
 * onto the host filesystem.
 *
 * Every source kind keeps what the image needs and nothing from the host
 * that would make the output depend on where or when it was made:
 *
 *   DIR  walked with openat()/fdopendir() (never chdir), children sorted
 *        bytewise. Symlinks are stored, never followed (so a symlink loop is
 *        just two symlinks). Regular files are referenced by host path
 *        (UVM_CONTENT_PATH, read again by the writer; each file is opened
 *        once here so an unreadable file fails now, naming the path).
 *        Hard links are keyed on the source's (st_dev, st_ino); the first
 *        name in sorted order is the primary. Character/block devices and
 *        fifos are kept. Sockets are SKIPPED (as tar and mke2fs -d do: a
 *        socket is a runtime object with nothing to store). Permissions come
 *        from st_mode & 07777 (the source directory's own mode becomes the
 *        mode of the image root, as `tar -C DIR .` records it); owner and
 *        group of EVERY entry are opts->uid/gid (default 0:0), never the
 *        host's ids or user database. Timestamps are not read. xattrs: user.*,
 *        security.*, trusted.* (when the caller may read them) and
 *        system.posix_acl_access / system.posix_acl_default (the kernel's
 *        binary format, as lgetxattr returns it); other system.* are dropped.
 *   TAR  libarchive, plain or gzip/xz/zstd/bzip2 compressed: modes, numeric
 *        uid/gid (or opts->uid/gid with set_owner), device numbers,
 *        symlinks, hard links, xattrs (same allow-list) and POSIX ACLs
 *        (libarchive's ACL entries converted to the kernel's
 *        system.posix_acl_* xattr format, the file's group bits set to the
 *        ACL mask when there is one; NFSv4 ACLs are ignored). PAX
 *        atime/ctime/mtime are ignored. Content is spooled into the tree's
 *        spool (sparse members keep their holes). Paths: a leading '/' is
 *        dropped (absolute names are normalized), a ".." component is an
 *        error. With opts->strict an absolute name is an error too.
 *        Duplicate entries: the later one wins, as tar extraction
 *        does (with opts->strict: an error) (a directory over a directory keeps the children and takes the
 *        later metadata). A hard link names an entry already in the tree.
 *        Sockets are skipped.
 *   OCI  index.json -> manifest (a nested index is followed one level; with
 *        several manifests the linux/amd64 one is chosen) -> layers in
 *        order. Every blob (index, manifest, layer) is checked against its
 *        sha256 digest and size before it is used. Each layer is a TAR
 *        source with whiteouts applied as container runtimes do: ".wh.NAME"
 *        removes NAME and ".wh..wh..opq" empties its directory, both only
 *        for what LOWER layers put there (whiteouts of a layer are applied
 *        before its entries are added). Whiteout files are not added.
 *   DEB  an ar archive ("!<arch>\n", first member debian-binary) whose
 *        data.tar, data.tar.gz, data.tar.xz, data.tar.zst (or .bz2) member
 *        is read as a TAR source, streamed from the package. No data.tar is
 *        an error.
 *
 * Layering: sources are applied in the order uvm_source_add() is called;
 * a later entry replaces an earlier one at the same path (and, if needed,
 * a non-directory where a later source has a directory).
 *
 * Errors: one line naming the source and, where there is one, the entry:
 * "rootfs.tar: entry '../x': path has a '..' component",
 * "tree/etc/shadow: cannot read: Permission denied".
 * All functions return 0 or a negative errno.
 */
#ifndef UVM_SOURCE_H
#define UVM_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "builder/tree.h"
#include "common/error.h"

enum uvm_source_kind {
	UVM_SOURCE_AUTO = 0,
	UVM_SOURCE_DIR,
	UVM_SOURCE_TAR,
	UVM_SOURCE_OCI,
	UVM_SOURCE_DEB,
};

struct uvm_source_opts {
	uint32_t uid, gid; /* owner of every entry of a DIRECTORY source
			      (default 0:0); archives keep their headers'
			      numeric ids */
	bool set_owner;	   /* also force uid/gid on archive entries */
	bool strict;	   /* archives (tar, OCI layer, .deb data.tar): refuse
			      an absolute member name (also as a hard-link
			      target) and a name that appears twice in one
			      archive, instead of normalizing / letting the
			      later one win; `uvmkit rootfs` sets it */
};

/* "dir", "tar", "oci", "deb" ("auto" for UVM_SOURCE_AUTO). */
const char *uvm_source_kind_name(enum uvm_source_kind kind);
/* Parse one of the names above; -EINVAL if unknown. */
int uvm_source_kind_from_name(const char *name, enum uvm_source_kind *ret);

/* Split a command-line SOURCE "[KIND:]PATH" (KIND one of dir, tar, oci,
 * deb, auto). Without such a prefix the whole string is the path and the
 * kind is UVM_SOURCE_AUTO. *ret_path points into arg. */
void uvm_source_parse_arg(const char *arg, enum uvm_source_kind *ret_kind,
			  const char **ret_path);

/* Detect the kind of path: a directory with oci-layout and index.json ->
 * OCI, another directory -> DIR, an ar archive "!<arch>\n" whose first
 * member is debian-binary -> DEB, anything libarchive reads as tar (plain,
 * gzip, xz, zstd, bzip2) -> TAR. -ENOENT if path does not exist,
 * -EMEDIUMTYPE if it is none of these. */
int uvm_source_detect(const char *path, enum uvm_source_kind *ret,
		      struct uvm_error *err);

/* Layer one source into t (later sources override earlier ones, OCI
 * whiteouts applied). kind UVM_SOURCE_AUTO runs uvm_source_detect() first.
 * opts may be NULL (0:0, no set_owner). On failure t may hold part of the
 * source: throw it away. */
int uvm_source_add(struct uvm_tree *t, const char *path,
		   enum uvm_source_kind kind, const struct uvm_source_opts *opts,
		   struct uvm_error *err);

/* The same for a tar (kind UVM_SOURCE_TAR) or .deb (UVM_SOURCE_DEB) held in
 * memory; name is used in messages. For tests and fuzzing. */
int uvm_source_add_memory(struct uvm_tree *t, const char *name,
			  const void *buf, size_t len,
			  enum uvm_source_kind kind,
			  const struct uvm_source_opts *opts,
			  struct uvm_error *err);

#endif
