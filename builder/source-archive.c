/* source-archive.c — tar archives (plain or compressed) and Debian packages
 * as tree sources, read with libarchive and never extracted.
 *
 * One loop, uvm_archive_add_entries(), turns every header into a tree
 * entry. Regular-file content is streamed into the tree's spool (an
 * archive stream cannot be re-read later); holes of sparse members stay
 * holes in the spool (ftruncate), so a sparse 1 TiB member costs no disk.
 * A .deb is an ar archive: its data.tar.* member is read by a second
 * libarchive reader whose input callback pulls from the first one, so the
 * package is streamed once.
 *
 * POSIX ACLs come out of libarchive as entries (it parses the pax
 * SCHILY.acl.* text); they are encoded here into the kernel's
 * posix_acl_xattr format (little-endian: u32 version 2, then per entry u16
 * tag, u16 perm, u32 id; sorted by tag then id), which is what an ext4
 * writer stores under system.posix_acl_access / system.posix_acl_default.
 */
#include "source-archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_BLOCK (64 * 1024)

static void cleanup_archive_readp(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}
#define _cleanup_archive_read_ _cleanup_(cleanup_archive_readp)

static const char *aerr(struct archive *a)
{
	const char *s = archive_error_string(a);
	return s ? s : "unknown libarchive error";
}

/* A reader for tar in any of its dialects, compressed or not. External
 * decompressor programs are never used: only the built-in filters. */
static struct archive *tar_reader_new(void)
{
	struct archive *a = archive_read_new();
	if (!a)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	return a;
}

int uvm_archive_probe_tar_fd(int fd, const char *name, struct uvm_error *err)
{
	_cleanup_archive_read_ struct archive *a = tar_reader_new();
	if (!a)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return uvm_errorf_errno(err, -errno, "%s", name);
	struct archive_entry *e;
	int r = archive_read_open_fd(a, fd, READ_BLOCK);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(a, &e);
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN && r != ARCHIVE_EOF)
		return uvm_errorf(err, -EMEDIUMTYPE,
				  "%s: not a directory, tar archive, OCI layout "
				  "or .deb (%s)",
				  name, aerr(a));
	return 0;
}

/* ---- spooling ------------------------------------------------------------ */

static int spool_begin(struct uvm_tree *t, uint64_t *ret_off,
		       struct uvm_error *err)
{
	return uvm_tree_spool_append(t, "", 0, ret_off, err);
}

/* Leave a hole of n bytes at the end of the spool (reads back as zeros). */
static int spool_hole(struct uvm_tree *t, uint64_t n, struct uvm_error *err)
{
	uint64_t end;
	if (ADD_OVERFLOW(t->spool_size, n, &end) || end > INT64_MAX)
		return uvm_errorf(err, -EFBIG, "spool too large");
	if (ftruncate(t->spool_fd, (off_t)end) < 0)
		return uvm_errorf_errno(err, -errno, "%s: spool", t->spool_dir);
	t->spool_size = end;
	return 0;
}

/* Stream the current member's data into the spool. */
static int spool_member(struct uvm_tree *t, struct archive *a,
			const char *name, const char *path, uint64_t size,
			uint64_t *ret_off, struct uvm_error *err)
{
	uint64_t start;
	int r = spool_begin(t, &start, err);
	if (r < 0)
		return r;
	uint64_t pos = 0;
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int ar = archive_read_data_block(a, &buf, &len, &off);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN)
			return uvm_errorf(err, -EIO,
					  "%s: entry '%s': truncated or corrupt "
					  "archive: %s",
					  name, path, aerr(a));
		if (off < 0 || (uint64_t)off < pos || (uint64_t)off > size ||
		    len > size - (uint64_t)off)
			return uvm_errorf(err, -EIO,
					  "%s: entry '%s': data outside the "
					  "member's size",
					  name, path);
		if ((uint64_t)off > pos) {
			r = spool_hole(t, (uint64_t)off - pos, err);
			if (r < 0)
				return r;
			pos = (uint64_t)off;
		}
		r = uvm_tree_spool_append(t, buf, len, NULL, err);
		if (r < 0)
			return r;
		pos += len;
	}
	if (pos < size) {
		/* A sparse member ending in a hole (libarchive reports the
		 * logical size in the header and no data for the tail). */
		r = spool_hole(t, size - pos, err);
		if (r < 0)
			return r;
	}
	*ret_off = start;
	return 0;
}

/* ---- ACLs ------------------------------------------------------------------ */

struct acl_ent {
	uint16_t tag, perm;
	uint32_t id;
};

static int acl_ent_cmp(const void *a, const void *b)
{
	const struct acl_ent *x = a, *y = b;
	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

/* The group bits of a file with an access ACL are its mask entry (the
 * kernel's rule); libarchive leaves the ACL's group:: entry there. */
static void apply_mask(const struct uvm_xattr *x, uint32_t *mode)
{
	if (x->size < 4 || (x->size - 4) % 8)
		return;
	for (size_t off = 4; off < x->size; off += 8) {
		const uint8_t *p = x->value + off;
		if ((p[0] | p[1] << 8) == 0x10)
			*mode = (*mode & ~(uint32_t)070) |
				((uint32_t)(p[2] & 7) << 3);
	}
}

/* Encode the entry's POSIX ACL of one type as the kernel's xattr value on
 * ino. *mode's group bits become the mask for an access ACL that has one
 * (the kernel's rule). */
static int acl_to_xattr(struct archive_entry *e, int type, uint32_t *mode,
			struct uvm_inode *ino, const char *name,
			const char *path, struct uvm_error *err)
{
	const char *xname = type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS
				    ? "system.posix_acl_access"
				    : "system.posix_acl_default";
	/* The archive also carries the kernel's binary value (GNU tar
	 * --xattrs --acls): it has the numeric ids, keep it as it is. */
	for (size_t i = 0; i < ino->n_xattrs; i++)
		if (strcmp(ino->xattrs[i].name, xname) == 0) {
			if (type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS)
				apply_mask(&ino->xattrs[i], mode);
			return 0;
		}
	int n = archive_entry_acl_reset(e, type);
	if (n <= 0)
		return 0;
	_cleanup_free_ struct acl_ent *v = calloc((size_t)n + 3, sizeof(*v));
	if (!v)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	size_t k = 0;
	int etype, permset, tag, qual;
	const char *qname;
	int mask = -1;
	while (k < (size_t)n + 3 &&
	       archive_entry_acl_next(e, type, &etype, &permset, &tag, &qual,
				      &qname) == ARCHIVE_OK) {
		struct acl_ent a = { .perm = (uint16_t)(permset & 7),
				     .id = UINT32_MAX };
		switch (tag) {
		case ARCHIVE_ENTRY_ACL_USER_OBJ:
			a.tag = 0x01;
			break;
		case ARCHIVE_ENTRY_ACL_USER:
			a.tag = 0x02;
			break;
		case ARCHIVE_ENTRY_ACL_GROUP_OBJ:
			a.tag = 0x04;
			break;
		case ARCHIVE_ENTRY_ACL_GROUP:
			a.tag = 0x08;
			break;
		case ARCHIVE_ENTRY_ACL_MASK:
			a.tag = 0x10;
			mask = a.perm;
			break;
		case ARCHIVE_ENTRY_ACL_OTHER:
			a.tag = 0x20;
			break;
		default:
			continue;
		}
		if (a.tag == 0x02 || a.tag == 0x08) {
			if (qual < 0)
				return uvm_errorf(
					err, -EINVAL,
					"%s: entry '%s': ACL entry for '%s' has "
					"no numeric id (the host's user "
					"database is never used; archive "
					"with tar --xattrs to keep the "
					"numeric value)",
					name, path, qname ? qname : "?");
			a.id = (uint32_t)qual;
		}
		v[k++] = a;
	}
	if (!k)
		return 0;
	qsort(v, k, sizeof(*v), acl_ent_cmp);
	size_t sz = 4 + 8 * k;
	_cleanup_free_ uint8_t *buf = malloc(sz);
	if (!buf)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	put_le32(buf, 2);
	for (size_t i = 0; i < k; i++) {
		put_le16(buf + 4 + 8 * i, v[i].tag);
		put_le16(buf + 6 + 8 * i, v[i].perm);
		put_le32(buf + 8 + 8 * i, v[i].id);
	}
	if (type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS && mask >= 0)
		*mode = (*mode & ~(uint32_t)070) | ((uint32_t)mask << 3);
	if (uvm_inode_set_xattr(ino, xname, buf, sz) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	return 0;
}

static int entry_xattrs(struct archive_entry *e, struct uvm_inode *ino,
			uint32_t *mode, const char *name, const char *path,
			struct uvm_error *err)
{
	const char *xn;
	const void *xv;
	size_t xs;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &xn, &xv, &xs) == ARCHIVE_OK) {
		if (!xn || !uvm_source_xattr_allowed(xn))
			continue;
		if (uvm_inode_set_xattr(ino, xn, xv, xs) < 0)
			return uvm_errorf(err, -ENOMEM, "out of memory");
	}
	int r = acl_to_xattr(e, ARCHIVE_ENTRY_ACL_TYPE_ACCESS, mode, ino, name,
			     path, err);
	if (r < 0)
		return r;
	if (S_ISDIR(*mode))
		r = acl_to_xattr(e, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT, mode, ino,
				 name, path, err);
	return r;
}

/* ---- entries --------------------------------------------------------------- */

static const char *entry_path(struct archive_entry *e)
{
	const char *p = archive_entry_pathname(e);
	return p ? p : archive_entry_pathname_utf8(e);
}

/* Apply a whiteout entry at norm ("dir/.wh.NAME" or "dir/.wh..wh..opq").
 * Returns 1 if norm is a whiteout (applied when apply is true), else 0. */
static int whiteout(struct uvm_tree *t, char *norm, bool apply,
		    struct uvm_error *err)
{
	char *slash = strrchr(norm, '/');
	char *base = slash ? slash + 1 : norm;
	if (strncmp(base, ".wh.", 4) != 0)
		return 0;
	if (!apply)
		return 1;
	const char *dir = slash ? norm : "";
	if (slash)
		*slash = 0;
	int r = 0;
	if (strcmp(base, ".wh..wh..opq") == 0)
		r = uvm_tree_clear_dir(t, dir, err);
	else if (strncmp(base, ".wh..wh.", 8) == 0 || !base[4])
		r = 0; /* other AUFS metadata (.wh..wh.plnk ...): ignored */
	else {
		/* Strictly shorter than norm: ".wh." is dropped. */
		char target[UVM_PATH_MAX + 1];
		size_t dl = strlen(dir), bl = strlen(base + 4);
		memcpy(target, dir, dl);
		if (slash)
			target[dl++] = '/';
		memcpy(target + dl, base + 4, bl + 1);
		r = uvm_tree_remove(t, target, err);
	}
	if (slash)
		*slash = '/';
	return r < 0 ? r : 1;
}

/* Names seen in one archive (opts->strict): an open-addressing set of
 * normalized paths. */
struct name_set {
	char **slot;
	size_t cap, n;
};

static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211u;
	return (size_t)h;
}

static void name_set_free(struct name_set *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	*s = (struct name_set){ 0 };
}

/* 1 if name was already in the set, 0 after adding it, -ENOMEM. */
static int name_set_add(struct name_set *s, const char *name)
{
	if (2 * (s->n + 1) > s->cap) {
		struct name_set g = { .cap = s->cap ? 2 * s->cap : 256 };
		g.slot = calloc(g.cap, sizeof(*g.slot));
		if (!g.slot)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->slot[i])
				continue;
			size_t j = name_hash(s->slot[i]) & (g.cap - 1);
			while (g.slot[j])
				j = (j + 1) & (g.cap - 1);
			g.slot[j] = s->slot[i];
		}
		g.n = s->n;
		free(s->slot);
		*s = g;
	}
	size_t j = name_hash(name) & (s->cap - 1);
	for (; s->slot[j]; j = (j + 1) & (s->cap - 1))
		if (strcmp(s->slot[j], name) == 0)
			return 1;
	s->slot[j] = strdup(name);
	if (!s->slot[j])
		return -ENOMEM;
	s->n++;
	return 0;
}

static int add_entry(struct uvm_tree *t, struct archive *a,
		     struct archive_entry *e, const char *name,
		     enum uvm_layer_pass pass,
		     const struct uvm_source_opts *opts, struct name_set *seen,
		     struct uvm_error *err)
{
	const char *raw = entry_path(e);
	if (!raw)
		return uvm_errorf(err, -EINVAL, "%s: entry without a name",
				  name);
	char norm[UVM_PATH_MAX + 1];
	int r = uvm_path_normalize(raw, norm, err);
	if (r < 0)
		return uvm_error_prefix(err, r, "%s: entry", name);

	if (pass != UVM_LAYER_PLAIN) {
		r = whiteout(t, norm, pass == UVM_LAYER_WHITEOUTS, err);
		if (r < 0)
			return uvm_error_prefix(err, r, "%s: entry '%s'", name,
						raw);
		if (r > 0 || pass == UVM_LAYER_WHITEOUTS)
			return 0;
	}
	if (opts->strict && raw[0] == '/')
		return uvm_errorf(err, -EINVAL, "%s: entry '%s': absolute path",
				  name, raw);
	if (seen) {
		r = name_set_add(seen, norm);
		if (r < 0)
			return uvm_errorf(err, r, "out of memory");
		if (r > 0)
			return uvm_errorf(err, -EEXIST,
					  "%s: entry '%s': duplicate entry", name,
					  raw);
	}

	uint32_t type = archive_entry_filetype(e);
	if (type == AE_IFSOCK)
		return 0; /* documented: sockets are skipped */
	la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
	if (opts->set_owner) {
		uid = opts->uid;
		gid = opts->gid;
	}
	if (uid < 0 || uid > UINT32_MAX || gid < 0 || gid > UINT32_MAX)
		return uvm_errorf(err, -ERANGE,
				  "%s: entry '%s': owner %lld:%lld out of range",
				  name, raw, (long long)uid, (long long)gid);

	const char *hl = archive_entry_hardlink(e);
	if (!hl)
		hl = archive_entry_hardlink_utf8(e);
	if (hl) {
		char tnorm[UVM_PATH_MAX + 1];
		if (opts->strict && hl[0] == '/')
			return uvm_errorf(err, -EINVAL, "%s: entry '%s': hard "
					  "link to an absolute path '%s'",
					  name, raw, hl);
		r = uvm_path_normalize(hl, tnorm, err);
		if (r < 0)
			return uvm_error_prefix(err, r,
						"%s: entry '%s': hard link to",
						name, raw);
		if (strcmp(tnorm, norm) == 0)
			return 0; /* a link to itself: nothing to do */
		r = uvm_tree_link(t, norm, tnorm, err);
		if (r < 0)
			return uvm_error_prefix(err, r, "%s", name);
		/* pax allows a hard link with data: it becomes the content
		 * of the shared inode. */
		if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0) {
			struct uvm_inode *ino = uvm_tree_lookup(t, norm)->inode;
			if (!S_ISREG(ino->mode))
				return 0;
			uint64_t off, size = (uint64_t)archive_entry_size(e);
			r = spool_member(t, a, name, raw, size, &off, err);
			if (r < 0)
				return r;
			ino->content = UVM_CONTENT_SPOOL;
			ino->spool_off = off;
			ino->size = size;
		}
		return 0;
	}

	uint32_t mode = type | ((uint32_t)archive_entry_perm(e) & 07777);
	if (!norm[0] && type != AE_IFDIR)
		return uvm_errorf(err, -EINVAL,
				  "%s: entry '%s' names the root but is not a "
				  "directory",
				  name, raw);
	struct uvm_inode *ino = uvm_inode_new(mode, (uint32_t)uid, (uint32_t)gid);
	if (!ino)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	switch (type) {
	case AE_IFREG: {
		la_int64_t size = archive_entry_size(e);
		if (size < 0) {
			r = uvm_errorf(err, -EINVAL,
				       "%s: entry '%s': negative size", name,
				       raw);
			goto fail;
		}
		if (size > 0) {
			r = spool_member(t, a, name, raw, (uint64_t)size,
					 &ino->spool_off, err);
			if (r < 0)
				goto fail;
			ino->content = UVM_CONTENT_SPOOL;
			ino->size = (uint64_t)size;
		}
		break;
	}
	case AE_IFDIR:
	case AE_IFIFO:
		break;
	case AE_IFCHR:
	case AE_IFBLK:
		ino->rdev_major = (uint32_t)archive_entry_rdevmajor(e);
		ino->rdev_minor = (uint32_t)archive_entry_rdevminor(e);
		break;
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(e);
		if (!target)
			target = archive_entry_symlink_utf8(e);
		size_t tl = target ? strlen(target) : 0;
		if (!tl || tl > UVM_SYMLINK_MAX) {
			r = uvm_errorf(err, -EINVAL,
				       "%s: entry '%s': symlink target %s",
				       name, raw, tl ? "too long" : "empty");
			goto fail;
		}
		ino->symlink = strdup(target);
		if (!ino->symlink) {
			r = uvm_errorf(err, -ENOMEM, "out of memory");
			goto fail;
		}
		ino->size = tl;
		break;
	}
	default:
		r = uvm_errorf(err, -EMEDIUMTYPE,
			       "%s: entry '%s': unsupported file type 0%o",
			       name, raw, type);
		goto fail;
	}
	r = entry_xattrs(e, ino, &ino->mode, name, raw, err);
	if (r < 0)
		goto fail;
	r = uvm_tree_put(t, norm, ino, UVM_PUT_REPLACE_PARENTS, NULL, err);
	if (r < 0)
		return uvm_error_prefix(err, r, "%s", name);
	return 0;
fail:
	uvm_inode_unref(ino);
	return r;
}

int uvm_archive_add_entries(struct uvm_tree *t, struct archive *a,
			    const char *name, enum uvm_layer_pass pass,
			    const struct uvm_source_opts *opts,
			    struct uvm_error *err)
{
	_cleanup_(name_set_free) struct name_set seen = { 0 };
	for (;;) {
		struct archive_entry *e;
		int ar = archive_read_next_header(a, &e);
		if (ar == ARCHIVE_EOF)
			return 0;
		if (ar < ARCHIVE_WARN)
			return uvm_errorf(err, -EIO,
					  "%s: truncated or corrupt archive: %s",
					  name, aerr(a));
		int r = add_entry(t, a, e, name, pass, opts,
				  opts->strict ? &seen : NULL, err);
		if (r < 0)
			return r;
	}
}

int uvm_archive_add_tar_fd(struct uvm_tree *t, int fd, const char *name,
			   enum uvm_layer_pass pass,
			   const struct uvm_source_opts *opts,
			   struct uvm_error *err)
{
	_cleanup_archive_read_ struct archive *a = tar_reader_new();
	if (!a)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return uvm_errorf_errno(err, -errno, "%s", name);
	if (archive_read_open_fd(a, fd, READ_BLOCK) != ARCHIVE_OK)
		return uvm_errorf(err, -EIO,
				  "%s: truncated or corrupt archive: %s", name,
				  aerr(a));
	return uvm_archive_add_entries(t, a, name, pass, opts, err);
}

/* ---- Debian packages ----------------------------------------------------- */

struct nested {
	struct archive *outer;
	uint8_t buf[READ_BLOCK];
};

static la_ssize_t nested_read(struct archive *inner, void *ud,
			      const void **buf)
{
	struct nested *n = ud;
	*buf = n->buf;
	la_ssize_t k = archive_read_data(n->outer, n->buf, sizeof(n->buf));
	if (k < 0)
		archive_set_error(inner, EIO, "%s", aerr(n->outer));
	return k;
}

static bool is_data_tar(const char *m)
{
	static const char *const names[] = {
		"data.tar",	"data.tar.gz",	"data.tar.xz",
		"data.tar.zst", "data.tar.bz2", "data.tar.lzma",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(m, names[i]) == 0)
			return true;
	return false;
}

static int add_deb(struct uvm_tree *t, struct archive *outer,
		   const char *name, const struct uvm_source_opts *opts,
		   struct uvm_error *err)
{
	bool first = true;
	for (;;) {
		struct archive_entry *e;
		int ar = archive_read_next_header(outer, &e);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN)
			return uvm_errorf(err, -EIO,
					  "%s: truncated or corrupt package: %s",
					  name, aerr(outer));
		const char *m = archive_entry_pathname(e);
		if (!m)
			m = "";
		if (first && strcmp(m, "debian-binary") != 0)
			return uvm_errorf(err, -EMEDIUMTYPE,
					  "%s: not a Debian package (first "
					  "member '%s', not debian-binary)",
					  name, m);
		first = false;
		if (!is_data_tar(m))
			continue;
		char label[UVM_PATH_MAX + 64];
		snprintf(label, sizeof(label), "%s: %s", name, m);
		_cleanup_free_ struct nested *n = calloc(1, sizeof(*n));
		_cleanup_archive_read_ struct archive *inner = tar_reader_new();
		if (!n || !inner)
			return uvm_errorf(err, -ENOMEM, "out of memory");
		n->outer = outer;
		if (archive_read_open(inner, n, NULL, nested_read, NULL) !=
		    ARCHIVE_OK)
			return uvm_errorf(err, -EIO,
					  "%s: truncated or corrupt archive: %s",
					  label, aerr(inner));
		return uvm_archive_add_entries(t, inner, label,
					       UVM_LAYER_PLAIN, opts, err);
	}
	if (first)
		return uvm_errorf(err, -EMEDIUMTYPE,
				  "%s: not a Debian package (empty ar archive)",
				  name);
	return uvm_errorf(err, -EMEDIUMTYPE,
			  "%s: Debian package without a data.tar member",
			  name);
}

static struct archive *deb_reader_new(void)
{
	struct archive *a = archive_read_new();
	if (a)
		archive_read_support_format_ar(a);
	return a;
}

int uvm_archive_add_file(struct uvm_tree *t, const char *path,
			 enum uvm_source_kind kind,
			 const struct uvm_source_opts *opts,
			 struct uvm_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s: cannot read", path);
	if (kind == UVM_SOURCE_TAR)
		return uvm_archive_add_tar_fd(t, fd, path, UVM_LAYER_PLAIN,
					      opts, err);
	_cleanup_archive_read_ struct archive *a = deb_reader_new();
	if (!a)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (archive_read_open_fd(a, fd, READ_BLOCK) != ARCHIVE_OK)
		return uvm_errorf(err, -EIO,
				  "%s: truncated or corrupt package: %s", path,
				  aerr(a));
	return add_deb(t, a, path, opts, err);
}

int uvm_archive_add_memory(struct uvm_tree *t, const char *name,
			   const void *buf, size_t len,
			   enum uvm_source_kind kind,
			   const struct uvm_source_opts *opts,
			   struct uvm_error *err)
{
	_cleanup_archive_read_ struct archive *a =
		kind == UVM_SOURCE_TAR ? tar_reader_new() : deb_reader_new();
	if (!a)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK)
		return uvm_errorf(err, -EIO, "%s: truncated or corrupt archive: %s",
				  name, aerr(a));
	if (kind == UVM_SOURCE_TAR)
		return uvm_archive_add_entries(t, a, name, UVM_LAYER_PLAIN,
					       opts, err);
	return add_deb(t, a, name, opts, err);
}
