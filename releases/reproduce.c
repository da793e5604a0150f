/* reproduce.c — rebuild a release from its manifest and say where a rebuilt
 * artifact differs (reproduce.h).
 *
 * "Differs" alone is useless to an auditor, so each artifact kind has an
 * explainer that reads both files with the library that understands the
 * format: libext2fs for the root filesystem inside the disk, libarchive for
 * the initrd, the resolved kernel.config for the kernel. Each explainer
 * produces short lines ("usr/bin/x: content differs") into a JSON array.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <ext2fs/ext2fs.h>
#include <openssl/evp.h>

#include "builder/recipe.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/json.h"
#include "releases/manifest.h"
#include "releases/reproduce.h"

/* ---- a flat listing of a filesystem image or archive ------------------- */

struct fent {
	char *path;
	uint32_t mode, uid, gid;
	uint64_t size;
	int64_t mtime;
	uint8_t sha[32]; /* content (regular files) */
	char *target;	 /* symlink target */
};

struct flist {
	struct fent *v;
	size_t n, cap;
};

static void flist_done(struct flist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].target);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct fent *flist_add(struct flist *l, const char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct fent *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	l->v[l->n].path = strdup(path);
	if (!l->v[l->n].path)
		return NULL;
	return &l->v[l->n++];
}

static int fent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fent *)a)->path, ((const struct fent *)b)->path);
}

static int detail(json_t *details, const char *fmt, ...) _printf_(2, 3);
static int detail(json_t *details, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int k;

	if (json_array_size(details) >= UVM_REPRODUCE_MAX_DETAILS)
		return 0;
	va_start(ap, fmt);
	k = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (k < 0)
		return -ENOMEM;
	if (json_array_size(details) == UVM_REPRODUCE_MAX_DETAILS - 1) {
		free(s);
		s = strdup("... (more differences not listed)");
		if (!s)
			return -ENOMEM;
	}
	k = json_array_append_new(details, json_string(s));
	free(s);
	return k < 0 ? -ENOMEM : 0;
}

/* Compare two sorted listings; what: which fields matter (mtime for
 * archives, where it is a header field). */
static int flist_diff(struct flist *a, struct flist *b, const char *where, json_t *details)
{
	size_t i = 0, j = 0;
	int k = 0, n = 0;

	qsort(a->v, a->n, sizeof(a->v[0]), fent_cmp);
	qsort(b->v, b->n, sizeof(b->v[0]), fent_cmp);
	while (k >= 0 && (i < a->n || j < b->n)) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i].path, b->v[j].path);

		if (c < 0) {
			k = detail(details, "%s: %s: only in the reference", where, a->v[i++].path);
			n++;
		} else if (c > 0) {
			k = detail(details, "%s: %s: only in the rebuild", where, b->v[j++].path);
			n++;
		} else {
			const struct fent *x = &a->v[i++], *y = &b->v[j++];
			char what[128] = "";

			if (x->mode != y->mode)
				snprintf(what + strlen(what), sizeof(what) - strlen(what),
					 " mode %06o/%06o", x->mode, y->mode);
			if (x->uid != y->uid || x->gid != y->gid)
				snprintf(what + strlen(what), sizeof(what) - strlen(what),
					 " owner %u:%u/%u:%u", x->uid, x->gid, y->uid, y->gid);
			if (x->size != y->size)
				snprintf(what + strlen(what), sizeof(what) - strlen(what),
					 " size %" PRIu64 "/%" PRIu64, x->size, y->size);
			else if (memcmp(x->sha, y->sha, 32) != 0)
				snprintf(what + strlen(what), sizeof(what) - strlen(what), " content");
			if (x->mtime != y->mtime)
				snprintf(what + strlen(what), sizeof(what) - strlen(what),
					 " mtime %" PRId64 "/%" PRId64, x->mtime, y->mtime);
			if ((x->target || y->target) &&
			    (!x->target || !y->target || strcmp(x->target, y->target) != 0))
				snprintf(what + strlen(what), sizeof(what) - strlen(what),
					 " symlink target");
			if (*what) {
				k = detail(details, "%s: %s:%s differs (reference/rebuild)", where,
					   x->path, what);
				n++;
			}
		}
	}
	return k < 0 ? k : n;
}

/* ---- ext4 (libext2fs) -------------------------------------------------- */

struct walk {
	ext2_filsys fs;
	struct flist *l;
	const char *dir;
	errcode_t err;
	char **names;
	ext2_ino_t *inos;
	size_t n, cap;
};

static int dir_cb(struct ext2_dir_entry *de, int offset, int blocksize, char *buf, void *priv)
{
	struct walk *w = priv;
	int len = ext2fs_dirent_name_len(de);

	(void)offset, (void)blocksize, (void)buf;
	if ((len == 1 && de->name[0] == '.') || (len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		char **n = reallocarray(w->names, cap, sizeof(char *));
		ext2_ino_t *i;

		if (!n)
			goto oom;
		w->names = n;
		i = reallocarray(w->inos, cap, sizeof(ext2_ino_t));
		if (!i)
			goto oom;
		w->inos = i;
		w->cap = cap;
	}
	w->names[w->n] = strndup(de->name, len);
	if (!w->names[w->n])
		goto oom;
	w->inos[w->n++] = de->inode;
	return 0;
oom:
	w->err = ENOMEM;
	return DIRENT_ABORT;
}

static errcode_t hash_inode(ext2_filsys fs, ext2_ino_t ino, uint8_t out[32])
{
	ext2_file_t f;
	errcode_t e;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	static char buf[65536];
	unsigned int got, len = 32;

	if (!ctx)
		return ENOMEM;
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	e = ext2fs_file_open(fs, ino, 0, &f);
	if (e) {
		EVP_MD_CTX_free(ctx);
		return e;
	}
	do {
		e = ext2fs_file_read(f, buf, sizeof(buf), &got);
		if (!e)
			EVP_DigestUpdate(ctx, buf, got);
	} while (!e && got > 0);
	ext2fs_file_close(f);
	EVP_DigestFinal_ex(ctx, out, &len);
	EVP_MD_CTX_free(ctx);
	return e;
}

static errcode_t walk_dir(ext2_filsys fs, ext2_ino_t dir, const char *prefix, struct flist *l)
{
	struct walk w = { .fs = fs, .l = l };
	errcode_t e = ext2fs_dir_iterate(fs, dir, 0, NULL, dir_cb, &w);
	if (!e)
		e = w.err;
	for (size_t i = 0; !e && i < w.n; i++) {
		struct ext2_inode_large in;
		_cleanup_free_ char *path = NULL;
		struct fent *f;

		if (asprintf(&path, "%s%s%s", prefix, *prefix ? "/" : "", w.names[i]) < 0) {
			e = ENOMEM;
			break;
		}
		e = ext2fs_read_inode_full(fs, w.inos[i], (struct ext2_inode *)&in, sizeof(in));
		if (e)
			break;
		f = flist_add(l, path);
		if (!f) {
			e = ENOMEM;
			break;
		}
		f->mode = in.i_mode;
		f->uid = inode_uid(in);
		f->gid = inode_gid(in);
		f->size = EXT2_I_SIZE(&in);
		if (LINUX_S_ISREG(in.i_mode)) {
			e = hash_inode(fs, w.inos[i], f->sha);
		} else if (LINUX_S_ISLNK(in.i_mode)) {
			if (ext2fs_is_fast_symlink((struct ext2_inode *)&in)) {
				f->target = strndup((char *)in.i_block, f->size);
			} else {
				f->target = calloc(1, f->size + 1);
				if (f->target) {
					ext2_file_t file;
					unsigned int got = 0;

					e = ext2fs_file_open(fs, w.inos[i], 0, &file);
					if (!e) {
						e = ext2fs_file_read(file, f->target, f->size, &got);
						ext2fs_file_close(file);
					}
				}
			}
			if (!f->target && !e)
				e = ENOMEM;
		} else if (LINUX_S_ISDIR(in.i_mode)) {
			e = walk_dir(fs, w.inos[i], path, l);
		}
	}
	for (size_t i = 0; i < w.n; i++)
		free(w.names[i]);
	free(w.names);
	free(w.inos);
	return e;
}

static int ext4_list(const char *image, uint64_t offset, struct flist *l, struct uvm_error *err)
{
	ext2_filsys fs = NULL;
	char opts[64];
	errcode_t e;

	snprintf(opts, sizeof(opts), "offset=%" PRIu64, offset);
	e = ext2fs_open2(image, opts, 0, 0, 0, unix_io_manager, &fs);
	if (e)
		return uvm_errorf(err, -EIO, "%s: cannot open the ext4 filesystem at offset %" PRIu64 ": %s",
				  image, offset, error_message(e));
	e = ext2fs_read_inode_bitmap(fs);
	if (!e)
		e = walk_dir(fs, EXT2_ROOT_INO, "", l);
	ext2fs_close_free(&fs);
	if (e)
		return uvm_errorf(err, -EIO, "%s: reading the ext4 filesystem: %s", image,
				  error_message(e));
	return 0;
}

/* ---- initrd (libarchive) ------------------------------------------------ */

static int archive_list(const char *path, struct flist *l, struct uvm_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	static char buf[65536];
	int r = 0, ar;

	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		r = uvm_errorf(err, -EIO, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		struct fent *f = flist_add(l, archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
		EVP_MD_CTX *ctx;
		unsigned int len = 32;
		la_ssize_t n;

		if (!f) {
			r = -ENOMEM;
			goto out;
		}
		f->mode = archive_entry_mode(e);
		f->uid = archive_entry_uid(e);
		f->gid = archive_entry_gid(e);
		f->size = archive_entry_size(e);
		f->mtime = archive_entry_mtime(e);
		if (archive_entry_symlink(e) && !(f->target = strdup(archive_entry_symlink(e)))) {
			r = -ENOMEM;
			goto out;
		}
		ctx = EVP_MD_CTX_new();
		if (!ctx) {
			r = -ENOMEM;
			goto out;
		}
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
			EVP_DigestUpdate(ctx, buf, n);
		EVP_DigestFinal_ex(ctx, f->sha, &len);
		EVP_MD_CTX_free(ctx);
		if (n < 0) {
			r = uvm_errorf(err, -EIO, "%s: %s", path, archive_error_string(a));
			goto out;
		}
	}
	if (ar != ARCHIVE_EOF)
		r = uvm_errorf(err, -EIO, "%s: %s", path, archive_error_string(a));
out:
	archive_read_free(a);
	return r;
}

/* ---- bytes and lines --------------------------------------------------- */

static char *join(const char *a, const char *b)
{
	char *s;

	return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

/* First differing byte; returns 1 and *off, 0 if equal (up to the shorter
 * length), negative errno. */
static int first_diff(const char *a, const char *b, uint64_t *off, uint64_t *sa, uint64_t *sb)
{
	_cleanup_fclose_ FILE *fa = fopen(a, "rb");
	_cleanup_fclose_ FILE *fb = fopen(b, "rb");
	static uint8_t ba[65536], bb[65536];
	uint64_t pos = 0;
	struct stat st;

	if (!fa || !fb)
		return -errno;
	*sa = fstat(fileno(fa), &st) == 0 ? (uint64_t)st.st_size : 0;
	*sb = fstat(fileno(fb), &st) == 0 ? (uint64_t)st.st_size : 0;
	for (;;) {
		size_t na = fread(ba, 1, sizeof(ba), fa), nb = fread(bb, 1, sizeof(bb), fb);
		size_t n = MIN(na, nb);

		for (size_t i = 0; i < n; i++)
			if (ba[i] != bb[i]) {
				*off = pos + i;
				return 1;
			}
		pos += n;
		if (na != nb) {
			*off = pos;
			return 1;
		}
		if (na == 0)
			return 0;
	}
}

static int bytes_detail(const char *a, const char *b, const char *name, json_t *details)
{
	uint64_t off = 0, sa = 0, sb = 0;
	int k = first_diff(a, b, &off, &sa, &sb);

	if (k < 0)
		return detail(details, "%s: cannot read: %s", name, strerror(-k));
	if (k == 0)
		return detail(details, "%s: same bytes (sizes %" PRIu64 "/%" PRIu64 ")", name, sa, sb);
	return detail(details, "%s: first differing byte at offset %" PRIu64 " (0x%" PRIx64
		      "), sizes %" PRIu64 "/%" PRIu64, name, off, off, sa, sb);
}

/* Text: the lines present in one file and not the other (like comm -3),
 * for kernel.config, cmdline.txt, root_hash.txt, JSON files. */
static int lines_detail(const char *a, const char *b, const char *name, json_t *details)
{
	_cleanup_free_ uint8_t *ta = NULL, *tb = NULL;
	size_t la, lb;
	int k;

	if (uvm_read_file(a, 64u << 20, &ta, &la, NULL) < 0 ||
	    uvm_read_file(b, 64u << 20, &tb, &lb, NULL) < 0)
		return bytes_detail(a, b, name, details);
	for (int pass = 0; pass < 2; pass++) {
		char *x = (char *)(pass ? tb : ta), *y = (char *)(pass ? ta : tb);
		char *save = NULL;
		_cleanup_free_ char *copy = strdup(x);

		if (!copy)
			return -ENOMEM;
		for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			/* line present in y as a whole line? */
			size_t n = strlen(line);
			bool found = false;

			for (char *p = strstr(y, line); p && !found; p = strstr(p + 1, line))
				found = (p == y || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0');
			if (!found) {
				k = detail(details, "%s: %s %.160s", name,
					   pass ? "rebuild:  " : "reference:", line);
				if (k < 0)
					return k;
			}
		}
	}
	return 0;
}

/* ---- per-artifact explainers ------------------------------------------ */

/* The layout of a disk from verity.json beside it: "data" and "hash"
 * {"offset", "size"} (bytes). */
struct layout {
	uint64_t data_off, data_size, hash_off, hash_size;
};

static int disk_layout(const char *dir, struct layout *ret)
{
	_cleanup_free_ char *p = join(dir, "verity.json");
	json_t *j, *d, *h;
	int k = 0;

	if (!p)
		return -ENOMEM;
	j = json_load_file(p, 0, NULL);
	if (!j)
		return -ENOENT;
	d = json_object_get(j, "data");
	h = json_object_get(j, "hash");
	if (!json_is_integer(json_object_get(d, "offset")) ||
	    !json_is_integer(json_object_get(d, "size")))
		k = -EINVAL;
	else {
		ret->data_off = json_integer_value(json_object_get(d, "offset"));
		ret->data_size = json_integer_value(json_object_get(d, "size"));
		ret->hash_off = json_integer_value(json_object_get(h, "offset"));
		ret->hash_size = json_integer_value(json_object_get(h, "size"));
	}
	json_decref(j);
	return k;
}

static const char *region(const struct layout *l, uint64_t off)
{
	if (off >= l->data_off && off - l->data_off < l->data_size)
		return "in p1 (ext4 data)";
	if (l->hash_size && off >= l->hash_off && off - l->hash_off < l->hash_size)
		return "in p2 (verity hash tree)";
	if (off < 512)
		return "in the partition table (MBR/protective MBR)";
	return "outside the partitions (partition table, GPT or padding)";
}

static int explain_disk(const char *a, const char *b, json_t *details, struct uvm_error *err)
{
	_cleanup_free_ char *pa = join(a, "rootfs.img"), *pb = join(b, "rootfs.img");
	struct flist la = { 0 }, lb = { 0 };
	struct layout ya, yb;
	uint64_t off, sa, sb;
	int k, n;

	if (!pa || !pb)
		return -ENOMEM;
	if (disk_layout(a, &ya) < 0 || disk_layout(b, &yb) < 0)
		return bytes_detail(pa, pb, "rootfs.img", details);
	k = ext4_list(pa, ya.data_off, &la, err);
	if (k >= 0)
		k = ext4_list(pb, yb.data_off, &lb, err);
	if (k < 0) {
		flist_done(&la);
		flist_done(&lb);
		return detail(details, "rootfs.img: %s", err->msg);
	}
	n = flist_diff(&la, &lb, "rootfs.img p1 (ext4)", details);
	flist_done(&la);
	flist_done(&lb);
	if (n < 0)
		return n;
	if (n == 0)
		k = detail(details, "rootfs.img p1 (ext4): every file, mode, owner and content is the same: the difference is in filesystem metadata or elsewhere on the disk");
	if (k >= 0 && first_diff(pa, pb, &off, &sa, &sb) == 1)
		k = detail(details, "rootfs.img: first differing byte at offset %" PRIu64
			   " (0x%" PRIx64 ") %s; sizes %" PRIu64 "/%" PRIu64, off, off,
			   region(&ya, off), sa, sb);
	return k;
}

static int explain_initrd(const char *a, const char *b, json_t *details, struct uvm_error *err)
{
	_cleanup_free_ char *pa = join(a, "initrd.img"), *pb = join(b, "initrd.img");
	struct flist la = { 0 }, lb = { 0 };
	int k, n;

	if (!pa || !pb)
		return -ENOMEM;
	k = archive_list(pa, &la, err);
	if (k >= 0)
		k = archive_list(pb, &lb, err);
	if (k < 0) {
		flist_done(&la);
		flist_done(&lb);
		return detail(details, "initrd.img: %s", err->msg);
	}
	n = flist_diff(&la, &lb, "initrd.img", details);
	flist_done(&la);
	flist_done(&lb);
	if (n == 0)
		return detail(details, "initrd.img: same entries and contents: the difference is in the compression or archive framing");
	return n < 0 ? n : 0;
}

static int explain_kernel(const char *a, const char *b, json_t *details)
{
	_cleanup_free_ char *ca = join(a, "kernel.config"), *cb = join(b, "kernel.config");
	_cleanup_free_ char *pa = join(a, "vmlinuz"), *pb = join(b, "vmlinuz");
	uint64_t off, sa, sb;

	if (!ca || !cb || !pa || !pb)
		return -ENOMEM;
	if (access(ca, R_OK) == 0 && access(cb, R_OK) == 0 &&
	    first_diff(ca, cb, &off, &sa, &sb) == 1) {
		int k = detail(details, "vmlinuz: the kernel configurations differ:");

		return k < 0 ? k : lines_detail(ca, cb, "kernel.config", details);
	}
	/* Same configuration: the toolchain (recorded in kernel.json) is the
	 * usual suspect, then the bytes. */
	_cleanup_free_ char *ja = join(a, "kernel.json"), *jb = join(b, "kernel.json");
	int k = 0;

	if (!ja || !jb)
		return -ENOMEM;
	if (access(ja, R_OK) == 0 && access(jb, R_OK) == 0 &&
	    first_diff(ja, jb, &off, &sa, &sb) == 1)
		k = lines_detail(ja, jb, "kernel.json", details);
	return k < 0 ? k : bytes_detail(pa, pb, "vmlinuz (same kernel.config)", details);
}

static bool is_text(const char *name)
{
	static const char *const ext[] = { ".txt", ".json", ".ini", ".config", ".sources", "SUMS" };
	size_t n = strlen(name);

	for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
		size_t l = strlen(ext[i]);

		if (n >= l && strcmp(name + n - l, ext[i]) == 0)
			return true;
	}
	return false;
}

static int explain(const char *a, const char *b, const char *name, json_t *details,
		   struct uvm_error *err)
{
	_cleanup_free_ char *pa = join(a, name), *pb = join(b, name);

	if (!pa || !pb)
		return -ENOMEM;
	if (strcmp(name, "rootfs.img") == 0)
		return explain_disk(a, b, details, err);
	if (strcmp(name, "initrd.img") == 0)
		return explain_initrd(a, b, details, err);
	if (strcmp(name, "vmlinuz") == 0)
		return explain_kernel(a, b, details);
	if (is_text(name))
		return lines_detail(pa, pb, name, details);
	return bytes_detail(pa, pb, name, details);
}

int uvm_release_compare(const char *a, const char *b, json_t **ret_report, struct uvm_error *err)
{
	_cleanup_manifest_ struct uvm_manifest *m = NULL;
	_cleanup_json_ json_t *report = NULL, *subjects = json_array();
	unsigned same = 0, differ = 0;
	int k;

	if (!subjects)
		return -ENOMEM;
	k = uvm_manifest_load(a, &m, NULL, NULL, err);
	if (k < 0)
		return k;
	for (size_t i = 0; i < m->n_subjects; i++) {
		const struct uvm_subject *s = &m->subjects[i];
		uint8_t sha[32], sha384[48];
		struct uvm_error e2 = { 0 };
		json_t *details = json_array(), *entry;
		const char *status;

		if (!details)
			return -ENOMEM;
		k = uvm_subject_digests(b, s->name, sha, sha384, &e2);
		if (k < 0) {
			status = "missing";
			detail(details, "%s", e2.msg);
			differ++;
		} else if (memcmp(sha, s->sha256, 32) == 0 && memcmp(sha384, s->sha384, 48) == 0) {
			status = "same";
			same++;
		} else {
			status = "differs";
			differ++;
			k = explain(a, b, s->name, details, &e2);
			if (k < 0)
				detail(details, "%s: %s", s->name, e2.msg[0] ? e2.msg : strerror(-k));
		}
		entry = json_pack("{s:s, s:s, s:o}", "name", s->name, "status", status, "details",
				  details);
		if (!entry || json_array_append_new(subjects, entry) < 0)
			return -ENOMEM;
	}
	report = json_pack("{s:s, s:s, s:i, s:i, s:O}", "reference", a, "rebuilt", b, "same",
			   (int)same, "differ", (int)differ, "subjects", subjects);
	if (!report)
		return -ENOMEM;
	if (ret_report)
		*ret_report = TAKE_PTR(report);
	return (int)differ;
}

/* ---- reproduce --------------------------------------------------------- */

/* Every input the recipe check found must be recorded with the same digest
 * in the manifest (by kind and name). */
static int check_recorded(const struct uvm_recipe_digests *d, const json_t *inputs,
			  struct uvm_error *err)
{
	for (size_t i = 0; i < d->n; i++) {
		char hex[65];
		const char *rec = NULL;
		size_t j;
		json_t *e;

		uvm_hex_encode(d->v[i].sha256, 32, hex);
		json_array_foreach(inputs, j, e) {
			const char *kind = json_string_value(json_object_get(e, "kind"));
			const char *name = json_string_value(json_object_get(e, "name"));

			if (kind && name && strcmp(kind, d->v[i].kind) == 0 &&
			    strcmp(name, d->v[i].name) == 0)
				rec = json_string_value(json_object_get(json_object_get(e, "digest"), "sha256"));
		}
		if (!rec)
			return uvm_errorf(err, -EBADMSG, "input %s %s is not recorded in the manifest",
					  d->v[i].kind, d->v[i].name);
		if (strcmp(rec, hex) != 0)
			return uvm_errorf(err, -EBADMSG,
					  "input %s %s: %s %s here, the manifest records %s",
					  d->v[i].kind, d->v[i].name, d->v[i].tree ? "tree digest" : "sha256",
					  hex, rec);
	}
	return 0;
}

int uvm_reproduce(const char *release, const char *out_dir, const struct uvm_reproduce_opts *o,
		  json_t **ret_report, struct uvm_error *err)
{
	_cleanup_manifest_ struct uvm_manifest *m = NULL;
	_cleanup_recipe_ struct uvm_recipe *r = NULL;
	_cleanup_free_ char *dir = NULL;
	struct uvm_recipe_digests d = { 0 };
	struct stat st;
	const char *text;
	int k;

	if (stat(release, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", release);
	if (S_ISDIR(st.st_mode)) {
		dir = strdup(release);
	} else {
		_cleanup_free_ char *c = strdup(release);

		if (!c)
			return -ENOMEM;
		if (strcmp(basename(c), UVM_MANIFEST_FILE) != 0)
			return uvm_errorf(err, -EINVAL, "%s: expected a release directory or its %s",
					  release, UVM_MANIFEST_FILE);
		strcpy(c, release);
		dir = strdup(dirname(c));
	}
	if (!dir)
		return -ENOMEM;
	k = uvm_manifest_load(dir, &m, NULL, NULL, err);
	if (k < 0)
		return k;
	text = json_string_value(json_object_get(m->predicate, "recipe"));
	if (!m->uvmkit_predicate || !text)
		return uvm_errorf(err, -EINVAL, "%s: the manifest records no recipe (predicate.recipe): not made by uvmkit build",
				  dir);
	k = uvm_recipe_parse_text(text, strlen(text), "manifest recipe", o->base_dir,
				  o->downloads_dir, &r, err);
	if (k < 0)
		return k;
	k = uvm_recipe_check_inputs(r, NULL, &d, err);
	if (k >= 0)
		k = check_recorded(&d, json_object_get(m->predicate, "inputs"), err);
	uvm_recipe_digests_done(&d);
	if (k < 0)
		return uvm_error_prefix(err, k, "inputs");

	struct uvm_build_opts bo = {
		.out_dir = out_dir,
		.cache_dir = o->cache_dir,
		.downloads_dir = o->downloads_dir,
		.jobs = o->jobs,
		.tool_version = o->tool_version,
		.progress = o->progress,
		.userdata = o->userdata,
	};
	k = uvm_build(r, &bo, NULL, err);
	if (k < 0)
		return k;
	return uvm_release_compare(dir, out_dir, ret_report, err);
}
