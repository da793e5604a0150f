/* test-source-archive.c — tar and .deb sources read from memory: ACL
 * entries encoded in the kernel's xattr format (vector table), entry
 * types, whiteout passes, path refusal, duplicates, corrupt input, OCI
 * index/manifest parsing. Archives are written with libarchive's writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>

#include "builder/source-archive.h"
#include "builder/source.h"
#include "common/hex.h"

/* Vector tables below leave trailing fields out on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct ent {
	const char *path;
	unsigned mode; /* with type bits */
	const char *data;
	const char *link; /* symlink target, or hard link target if mode 0 */
	int uid, gid;
	const char *acl_text; /* POSIX.1e text (access), may be NULL */
	const char *dacl_text; /* default ACL text */
};

static size_t make_tar(const struct ent *e, size_t n, uint8_t *buf,
		       size_t cap)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax(a);
	size_t used = 0;
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used),
			 ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *x = archive_entry_new();
		archive_entry_set_pathname(x, e[i].path);
		archive_entry_set_uid(x, e[i].uid);
		archive_entry_set_gid(x, e[i].gid);
		if (!e[i].mode) {
			archive_entry_set_hardlink(x, e[i].link);
		} else {
			archive_entry_set_mode(x, e[i].mode);
			if (S_ISLNK(e[i].mode))
				archive_entry_set_symlink(x, e[i].link);
			if (e[i].data)
				archive_entry_set_size(x, strlen(e[i].data));
			if (e[i].acl_text)
				assert_int_equal(
					archive_entry_acl_from_text(
						x, e[i].acl_text,
						ARCHIVE_ENTRY_ACL_TYPE_ACCESS),
					ARCHIVE_OK);
			if (e[i].dacl_text)
				assert_int_equal(
					archive_entry_acl_from_text(
						x, e[i].dacl_text,
						ARCHIVE_ENTRY_ACL_TYPE_DEFAULT),
					ARCHIVE_OK);
		}
		assert_int_equal(archive_write_header(a, x), ARCHIVE_OK);
		if (e[i].data && e[i].mode)
			archive_write_data(a, e[i].data, strlen(e[i].data));
		archive_entry_free(x);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return used;
}

static uint8_t tarbuf[1 << 20];

static struct uvm_tree *tree_of(const struct ent *e, size_t n, int *ret,
				struct uvm_error *err)
{
	size_t len = make_tar(e, n, tarbuf, sizeof(tarbuf));
	struct uvm_tree *t;
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	*ret = uvm_source_add_memory(t, "mem.tar", tarbuf, len,
				     UVM_SOURCE_TAR, NULL, err);
	return t;
}

static const char *xattr_hex(const struct uvm_inode *ino, const char *name,
			     char *out)
{
	for (size_t i = 0; i < ino->n_xattrs; i++)
		if (strcmp(ino->xattrs[i].name, name) == 0) {
			uvm_hex_encode(ino->xattrs[i].value,
				       ino->xattrs[i].size, out);
			return out;
		}
	return NULL;
}

/* Expected values: the kernel's encoding, as `getfattr -e hex` prints it
 * for the same setfacl (checked against the host in t3002). */
static void test_acl_vectors(void **state)
{
	static const struct {
		const char *text, *dtext;
		unsigned mode, want_mode;
		const char *access, *def;
	} v[] = {
		{ "user::rw-,user:4242:r--,group::r--,group:4343:rw-,mask::rw-,"
		  "other::r--",
		  NULL, S_IFREG | 0664, S_IFREG | 0664,
		  "0200000001000600ffffffff0200040092100000"
		  "04000400ffffffff08000600f710000010000600ffffffff20000400"
		  "ffffffff",
		  NULL },
		/* mask narrower than group::, listed out of order */
		{ "other::---,mask::r--,group::rwx,user::rwx,user:7:rwx", NULL,
		  S_IFREG | 0740, S_IFREG | 0740,
		  "0200000001000700ffffffff020007000700000004000700ffffffff"
		  "10000400ffffffff20000000ffffffff",
		  NULL },
		{ NULL, "user::rwx,user:4244:rwx,group::r-x,mask::rwx,other::r-x",
		  S_IFDIR | 0755, S_IFDIR | 0755, NULL,
		  "0200000001000700ffffffff0200070094100000"
		  "04000500ffffffff10000700ffffffff20000500ffffffff" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ent e = { .path = "f", .mode = v[i].mode,
				 .acl_text = v[i].text,
				 .dacl_text = v[i].dtext };
		struct uvm_error err = { 0 };
		int r;
		struct uvm_tree *t = tree_of(&e, 1, &r, &err);
		if (r < 0)
			fail_msg("%zu: %s", i, err.msg);
		struct uvm_inode *ino = uvm_tree_lookup(t, "f")->inode;
		char hx[512];
		if (v[i].access)
			assert_string_equal(
				xattr_hex(ino, "system.posix_acl_access", hx),
				v[i].access);
		else
			assert_null(xattr_hex(ino, "system.posix_acl_access", hx));
		if (v[i].def)
			assert_string_equal(
				xattr_hex(ino, "system.posix_acl_default", hx),
				v[i].def);
		assert_int_equal(ino->mode, v[i].want_mode);
		uvm_tree_free(t);
	}
}

static void test_types_and_paths(void **state)
{
	static const struct ent e[] = {
		{ "/abs//dir/", S_IFDIR | 0700, .uid = 3, .gid = 4 },
		{ "./abs/dir/f", S_IFREG | 0640, "data", .uid = 1, .gid = 2 },
		{ "abs/dir/g", 0, .link = "/abs/dir/f" },
		{ "s", S_IFLNK | 0777, .link = "abs/dir/f" },
		{ "dup", S_IFREG | 0600, "one" },
		{ "dup", S_IFREG | 0644, "second" },
	};
	struct uvm_error err = { 0 };
	int r;
	struct uvm_tree *t = tree_of(e, ARRAY_SIZE(e), &r, &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	struct uvm_node *d = uvm_tree_lookup(t, "abs/dir");
	assert_int_equal(d->inode->mode, S_IFDIR | 0700);
	assert_int_equal(d->inode->uid, 3);
	struct uvm_node *f = uvm_tree_lookup(t, "abs/dir/f"),
			*g = uvm_tree_lookup(t, "abs/dir/g");
	assert_ptr_equal(f->inode, g->inode);
	assert_int_equal(f->inode->content, UVM_CONTENT_SPOOL);
	assert_int_equal(f->inode->size, 4);
	assert_string_equal(uvm_tree_lookup(t, "s")->inode->symlink,
			    "abs/dir/f");
	struct uvm_node *dup = uvm_tree_lookup(t, "dup");
	assert_int_equal(dup->inode->size, 6);
	assert_int_equal(dup->inode->mode, S_IFREG | 0644);
	struct uvm_reader rd;
	char buf[8];
	assert_int_equal(uvm_reader_open(t, dup->inode, &rd, NULL), 0);
	assert_int_equal(uvm_reader_pread(&rd, buf, sizeof(buf), 0), 6);
	assert_memory_equal(buf, "second", 6);
	uvm_reader_close(&rd);
	uvm_tree_free(t);
}

static void test_refused(void **state)
{
	static const struct {
		struct ent e;
		int r;
		const char *msg;
	} v[] = {
		{ { "../x", S_IFREG | 0644, "x" }, -EINVAL, "'..' component" },
		{ { "a/../../x", S_IFREG | 0644, "x" }, -EINVAL, "'..'" },
		{ { "x", 0, .link = "missing" }, -ENOENT, "does not exist" },
		{ { "x", 0, .link = "../y" }, -EINVAL, "hard link to" },
		{ { ".", S_IFREG | 0644, "x" }, -EINVAL, "names the root" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct uvm_error err = { 0 };
		int r;
		struct uvm_tree *t = tree_of(&v[i].e, 1, &r, &err);
		assert_int_equal(r, v[i].r);
		assert_non_null(strstr(err.msg, v[i].msg));
		assert_non_null(strstr(err.msg, "mem.tar"));
		uvm_tree_free(t);
	}
}

/* opts->strict (uvmkit rootfs): absolute names and duplicates refused;
 * without it they are normalized / the later entry wins. */
static void test_strict(void **state)
{
	static const struct {
		struct ent e[3];
		size_t n;
		int r;
		const char *msg;
	} v[] = {
		{ { { "/etc/x", S_IFREG | 0644, "x" } }, 1, -EINVAL,
		  "entry '/etc/x': absolute path" },
		{ { { "a", S_IFREG | 0644, "1" }, { "b", S_IFREG | 0644, "2" },
		    { "./a", S_IFREG | 0644, "3" } }, 3, -EEXIST,
		  "entry './a': duplicate entry" },
		{ { { "d/", S_IFDIR | 0755 }, { "d", S_IFDIR | 0700 } }, 2,
		  -EEXIST, "duplicate entry" },
		{ { { "f", S_IFREG | 0644, "1" }, { "g", 0, .link = "/f" } }, 2,
		  -EINVAL, "hard link to an absolute path '/f'" },
		{ { { "d/x", S_IFREG | 0644, "1" }, { "d/", S_IFDIR | 0755 } }, 2,
		  0, NULL }, /* an implied parent is no duplicate */
	};
	const struct uvm_source_opts strict = { .strict = true };
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct uvm_error err = { 0 };
		struct uvm_tree *t;
		size_t len = make_tar(v[i].e, v[i].n, tarbuf, sizeof(tarbuf));
		assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
		assert_int_equal(uvm_source_add_memory(t, "s.tar", tarbuf, len,
						       UVM_SOURCE_TAR, &strict, &err),
				 v[i].r);
		if (v[i].msg)
			assert_non_null(strstr(err.msg, v[i].msg));
		uvm_tree_free(t);
		/* Not strict: accepted. */
		assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
		assert_int_equal(uvm_source_add_memory(t, "s.tar", tarbuf, len,
						       UVM_SOURCE_TAR, NULL, &err),
				 0);
		uvm_tree_free(t);
	}
}

static void test_corrupt(void **state)
{
	static const struct ent e[] = {
		{ "f", S_IFREG | 0644,
		  "0123456789012345678901234567890123456789" },
	};
	size_t len = make_tar(e, 1, tarbuf, sizeof(tarbuf));
	struct uvm_error err = { 0 };
	struct uvm_tree *t;
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	/* Cut inside the member's data: header + 20 bytes (pax: the ustar
	 * header of f follows the pax extended header). */
	size_t cut = 0;
	for (size_t off = 0; off + 512 <= len; off += 512)
		if (memcmp(tarbuf + off + 257, "ustar", 5) == 0 &&
		    tarbuf[off + 156] == '0')
			cut = off + 512 + 20;
	assert_true(cut > 0);
	assert_int_equal(uvm_source_add_memory(t, "cut.tar", tarbuf, cut,
					       UVM_SOURCE_TAR, NULL, &err),
			 -EIO);
	assert_non_null(strstr(err.msg, "truncated or corrupt"));
	/* Not a package. */
	assert_int_equal(uvm_source_add_memory(t, "x.deb", tarbuf, len,
					       UVM_SOURCE_DEB, NULL, &err),
			 -EIO);
	assert_int_equal(uvm_source_add_memory(t, "x", tarbuf, len,
					       UVM_SOURCE_OCI, NULL, &err),
			 -EINVAL);
	uvm_tree_free(t);
}

static void test_whiteout_passes(void **state)
{
	static const struct ent lower[] = {
		{ "d/a", S_IFREG | 0644, "a" },
		{ "d/b", S_IFREG | 0644, "b" },
		{ "o/x", S_IFREG | 0644, "x" },
	};
	static const struct ent upper[] = {
		{ "o/new", S_IFREG | 0644, "n" },
		{ "o/.wh..wh..opq", S_IFREG | 0644, "" },
		{ "d/.wh.a", S_IFREG | 0644, "" },
		{ "d/.wh..wh.plnk", S_IFREG | 0644, "" },
	};
	struct uvm_tree *t;
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	size_t len = make_tar(lower, ARRAY_SIZE(lower), tarbuf, sizeof(tarbuf));
	assert_int_equal(uvm_source_add_memory(t, "l", tarbuf, len,
					       UVM_SOURCE_TAR, NULL, &err),
			 0);
	len = make_tar(upper, ARRAY_SIZE(upper), tarbuf, sizeof(tarbuf));
	for (int pass = UVM_LAYER_WHITEOUTS; pass <= UVM_LAYER_ENTRIES; pass++) {
		struct archive *a = archive_read_new();
		archive_read_support_format_tar(a);
		assert_int_equal(archive_read_open_memory(a, tarbuf, len), 0);
		static const struct uvm_source_opts o = { 0 };
		assert_int_equal(uvm_archive_add_entries(t, a, "u", pass, &o,
							 &err),
				 0);
		archive_read_free(a);
	}
	assert_null(uvm_tree_lookup(t, "d/a"));
	assert_non_null(uvm_tree_lookup(t, "d/b"));
	assert_null(uvm_tree_lookup(t, "o/x"));
	assert_non_null(uvm_tree_lookup(t, "o/new"));
	assert_null(uvm_tree_lookup(t, "o/.wh..wh..opq"));
	assert_null(uvm_tree_lookup(t, "d/.wh..wh.plnk"));
	uvm_tree_free(t);
}

static void test_oci_parse(void **state)
{
	static const char idx1[] =
		"{\"manifests\":[{\"mediaType\":\"application/vnd.oci.image."
		"manifest.v1+json\",\"digest\":\"sha256:"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"\",\"size\":7}]}";
	static const struct {
		const char *json;
		int r;
	} bad[] = {
		{ "{}", -EINVAL },
		{ "[]", -EINVAL },
		{ "{\"manifests\":[]}", -EINVAL },
		{ "{\"manifests\":[{\"digest\":\"sha512:00\",\"size\":1}]}",
		  -EOPNOTSUPP },
		{ "{\"manifests\":[{\"digest\":\"sha256:../../x\",\"size\":1}]}",
		  -EINVAL },
		{ "{\"manifests\":[{\"digest\":\"sha256:"
		  "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
		  "\",\"size\":1}]}",
		  -EINVAL },
		{ "{\"manifests\":[{\"digest\":\"sha256:"
		  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		  "\",\"size\":-1}]}",
		  -EINVAL },
		{ "{\"a\":1,\"a\":2}", -EINVAL },
	};
	struct uvm_oci_desc d;
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_oci_parse_index(idx1, strlen(idx1), "i", &d, &err),
			 0);
	assert_int_equal(d.size, 7);
	assert_string_equal(d.hex, "0123456789abcdef0123456789abcdef0123456789"
				   "abcdef0123456789abcdef");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(uvm_oci_parse_index(bad[i].json,
						     strlen(bad[i].json), "i",
						     &d, &err),
				 bad[i].r);
	static const char man[] =
		"{\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer."
		"v1.tar+gzip\",\"digest\":\"sha256:"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"\",\"size\":9}]}";
	struct uvm_oci_desc *l = NULL;
	size_t n;
	assert_int_equal(uvm_oci_parse_manifest(man, strlen(man), "m", &l, &n,
						&err),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].size, 9);
	free(l);
	static const char man_enc[] =
		"{\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer."
		"v1.tar+encrypted\",\"digest\":\"sha256:"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"\",\"size\":9}]}";
	assert_int_equal(uvm_oci_parse_manifest(man_enc, strlen(man_enc), "m",
						&l, &n, &err),
			 -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "unsupported media type"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_vectors),
		cmocka_unit_test(test_types_and_paths),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_whiteout_passes),
		cmocka_unit_test(test_oci_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
