/* initrd.c — newc cpio writer over the tree (see initrd.h for the format
 * decisions). One pass over the tree; file content is streamed in 1 MiB
 * chunks, so memory does not depend on the size of the files. */
#include "initrd.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"

#define CHUNK (1u << 20)

static const char *const compress_names[] = {
	[UVM_COMPRESS_NONE] = "none",
	[UVM_COMPRESS_GZIP] = "gzip",
	[UVM_COMPRESS_ZSTD] = "zstd",
};

const char *uvm_compress_name(enum uvm_compress c)
{
	return (size_t)c < ARRAY_SIZE(compress_names) ? compress_names[c] : "?";
}

int uvm_compress_from_name(const char *name, enum uvm_compress *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(compress_names); i++)
		if (strcmp(name, compress_names[i]) == 0) {
			*ret = (enum uvm_compress)i;
			return 0;
		}
	return -EINVAL;
}

static void cleanup_archive_writep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
}

static void cleanup_entryp(struct archive_entry **e)
{
	if (*e)
		archive_entry_free(*e);
}

struct initrd_state {
	struct archive *a;
	struct archive_entry *e;
	struct uvm_tree *t;
	uint32_t *names_seen; /* by inode number */
	uint8_t *buf;
	int64_t epoch;
	const char *out;
	struct uvm_error *err;
};

static int aerr(struct initrd_state *s, const char *path)
{
	const char *m = archive_error_string(s->a);
	return uvm_errorf(s->err, -EIO, "%s: entry '%s': %s", s->out,
			  path[0] ? path : ".", m ? m : "libarchive error");
}

static int write_content(struct initrd_state *s, const struct uvm_inode *ino,
			 const char *path)
{
	struct uvm_reader rd;
	int r = uvm_reader_open(s->t, ino, &rd, s->err);
	if (r < 0)
		return r;
	uint64_t off = 0;
	while (off < ino->size) {
		int64_t k = uvm_reader_pread(&rd, s->buf, CHUNK, off);
		if (k <= 0) {
			uvm_reader_close(&rd);
			return uvm_errorf_errno(s->err, k < 0 ? (int)k : -EIO,
						"%s: cannot read content of '%s'",
						ino->path ? ino->path : s->out,
						path);
		}
		la_ssize_t w = archive_write_data(s->a, s->buf, (size_t)k);
		if (w != k) {
			uvm_reader_close(&rd);
			return aerr(s, path);
		}
		off += (uint64_t)k;
	}
	uvm_reader_close(&rd);
	return 0;
}

static int entry_cb(struct uvm_node *n, const char *path, void *ud)
{
	struct initrd_state *s = ud;
	const struct uvm_inode *ino = n->inode;
	struct archive_entry *e = archive_entry_clear(s->e);
	archive_entry_set_pathname(e, path[0] ? path : ".");
	archive_entry_set_mode(e, ino->mode);
	archive_entry_set_uid(e, ino->uid);
	archive_entry_set_gid(e, ino->gid);
	archive_entry_set_ino(e, ino->ino);
	archive_entry_set_nlink(e, ino->nlink);
	archive_entry_set_mtime(e, s->epoch, 0);
	archive_entry_set_dev(e, 0);
	bool data = false;
	archive_entry_set_size(e, 0);
	if (S_ISREG(ino->mode)) {
		/* New-cpio hard links: the last name carries the data. */
		uint32_t seen = ++s->names_seen[ino->ino];
		if (seen >= ino->nlink && ino->size) {
			archive_entry_set_size(e, (la_int64_t)ino->size);
			data = true;
		}
	} else if (S_ISLNK(ino->mode)) {
		archive_entry_set_symlink(e, ino->symlink);
	} else if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode)) {
		archive_entry_set_rdevmajor(e, ino->rdev_major);
		archive_entry_set_rdevminor(e, ino->rdev_minor);
	}
	if (archive_write_header(s->a, e) != ARCHIVE_OK)
		return aerr(s, path);
	if (data)
		return write_content(s, ino, path);
	return 0;
}

static int set_opt(struct archive *a, const char *opt, const char *out,
		   struct uvm_error *err)
{
	if (archive_write_set_options(a, opt) != ARCHIVE_OK)
		return uvm_errorf(err, -EIO, "%s: libarchive option %s: %s",
				  out, opt,
				  archive_error_string(a)
					  ? archive_error_string(a)
					  : "rejected");
	return 0;
}

static int setup_archive(struct archive *a, enum uvm_compress c,
			 const char *out, struct uvm_error *err)
{
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK)
		return uvm_errorf(err, -EIO, "%s: no newc support", out);
	int r = 0;
	switch (c) {
	case UVM_COMPRESS_NONE:
		/* Written in 64 KiB chunks, padded to 512 bytes at the end
		 * (as GNU cpio pads); the bytes do not depend on the chunk. */
		if (archive_write_set_bytes_per_block(a, 64 * 1024) != ARCHIVE_OK ||
		    archive_write_set_bytes_in_last_block(a, 512) != ARCHIVE_OK)
			return uvm_errorf(err, -EIO, "%s: libarchive block size",
					  out);
		return 0;
	case UVM_COMPRESS_GZIP:
		if (archive_write_add_filter_gzip(a) != ARCHIVE_OK)
			return uvm_errorf(err, -EIO, "%s: no gzip support", out);
		r = set_opt(a, "gzip:compression-level=9", out, err);
		if (r >= 0)
			r = set_opt(a, "gzip:!timestamp", out, err);
		break;
	case UVM_COMPRESS_ZSTD:
		if (archive_write_add_filter_zstd(a) != ARCHIVE_OK)
			return uvm_errorf(err, -EIO, "%s: no zstd support", out);
		r = set_opt(a, "zstd:compression-level=19", out, err);
		if (r >= 0)
			r = set_opt(a, "zstd:threads=0", out, err);
		break;
	default:
		return uvm_errorf(err, -EINVAL, "%s: unknown compression", out);
	}
	if (r < 0)
		return r;
	if (archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK)
		return uvm_errorf(err, -EIO, "%s: libarchive block size", out);
	return 0;
}

int uvm_initrd_write(struct uvm_tree *t, const char *out_path,
		     enum uvm_compress c, uint64_t epoch,
		     struct uvm_error *err)
{
	if (epoch > UINT32_MAX)
		return uvm_errorf(err, -ERANGE,
				  "epoch %llu does not fit the newc format's "
				  "32-bit mtime",
				  (unsigned long long)epoch);
	int r = uvm_tree_number(t);
	if (r < 0)
		return uvm_errorf_errno(err, r, "cannot number the tree");

	_cleanup_(uvm_atomic_abort) struct uvm_atomic_file f = { .fd = -1 };
	_cleanup_(cleanup_archive_writep) struct archive *a = archive_write_new();
	_cleanup_(cleanup_entryp) struct archive_entry *e = archive_entry_new();
	_cleanup_free_ uint32_t *seen = calloc(t->n_inodes + 1, sizeof(*seen));
	_cleanup_free_ uint8_t *buf = malloc(CHUNK);
	if (!a || !e || !seen || !buf)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	r = setup_archive(a, c, out_path, err);
	if (r < 0)
		return r;
	r = uvm_atomic_open(&f, out_path, 0644, err);
	if (r < 0)
		return r;
	if (archive_write_open_fd(a, f.fd) != ARCHIVE_OK)
		return uvm_errorf(err, -EIO, "%s: %s", out_path,
				  archive_error_string(a));
	struct initrd_state s = {
		.a = a, .e = e, .t = t, .names_seen = seen, .buf = buf,
		.epoch = (int64_t)epoch, .out = out_path, .err = err,
	};
	r = uvm_tree_walk(t, entry_cb, &s);
	if (r < 0)
		return r == -ENAMETOOLONG
			       ? uvm_errorf(err, r, "%s: path too long",
					    out_path)
			       : r;
	if (archive_write_close(a) != ARCHIVE_OK)
		return uvm_errorf(err, -EIO, "%s: %s", out_path,
				  archive_error_string(a)
					  ? archive_error_string(a)
					  : "write failed");
	return uvm_atomic_commit(&f, err);
}
