/* test-initrd.c — uvm_initrd_write read back with libarchive's cpio
 * reader: canonical order, header fields, hard-link data placement, device
 * numbers, epoch range, compression names; the tree digest's invariance
 * under insertion order and its sensitivity to every field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "builder/initrd.h"
#include "builder/tree-digest.h"

static struct uvm_inode *mem_file(const char *s, uint32_t perm)
{
	struct uvm_inode *i = uvm_inode_new(S_IFREG | perm, 0, 0);
	i->content = UVM_CONTENT_MEM;
	i->mem = (uint8_t *)strdup(s);
	i->size = strlen(s);
	return i;
}

/* Build the same tree in two insertion orders. */
static struct uvm_tree *sample(bool reverse)
{
	struct uvm_tree *t;
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	for (int k = 0; k < 2; k++) {
		int step = reverse ? 1 - k : k;
		if (step == 0) {
			assert_int_equal(uvm_tree_put(t, "b/data", mem_file("payload", 0640), 0, NULL, NULL), 0);
			struct uvm_inode *d = uvm_inode_new(S_IFCHR | 0666, 0, 0);
			d->rdev_major = 1;
			d->rdev_minor = 3;
			assert_int_equal(uvm_tree_put(t, "dev/null", d, 0, NULL, NULL), 0);
		} else {
			struct uvm_inode *s = uvm_inode_new(S_IFLNK | 0777, 0, 0);
			s->symlink = strdup("b/data");
			s->size = 6;
			assert_int_equal(uvm_tree_put(t, "a-link", s, 0, NULL, NULL), 0);
			assert_int_equal(uvm_tree_put(t, "a", uvm_inode_new(S_IFDIR | 0700, 5, 6), 0, NULL, NULL), 0);
		}
	}
	/* a/hard is a later name of b/data's inode in walk order? No: "a"
	 * sorts first, so a/hard is the first name and b/data the last. */
	assert_int_equal(uvm_tree_link(t, "a/hard", "b/data", NULL), 0);
	return t;
}

struct rd_ent {
	char path[64];
	unsigned mode;
	int64_t ino, nlink, size, mtime, uid;
	unsigned rmaj, rmin;
	char data[16];
};

static size_t read_back(const char *path, struct rd_ent *v, size_t cap)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_cpio(a);
	assert_int_equal(archive_read_open_filename(a, path, 4096), ARCHIVE_OK);
	struct archive_entry *e;
	size_t n = 0;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		assert_true(n < cap);
		struct rd_ent *x = &v[n++];
		memset(x, 0, sizeof(*x));
		snprintf(x->path, sizeof(x->path), "%s", archive_entry_pathname(e));
		x->mode = archive_entry_mode(e);
		x->ino = archive_entry_ino64(e);
		x->nlink = archive_entry_nlink(e);
		x->size = archive_entry_size(e);
		x->mtime = archive_entry_mtime(e);
		x->uid = archive_entry_uid(e);
		x->rmaj = archive_entry_rdevmajor(e);
		x->rmin = archive_entry_rdevminor(e);
		if (S_ISREG(x->mode))
			archive_read_data(a, x->data, sizeof(x->data) - 1);
	}
	archive_read_free(a);
	return n;
}

static void test_write_and_read_back(void **state)
{
	char dir[] = "/tmp/test-initrd.XXXXXX";
	assert_non_null(mkdtemp(dir));
	static const enum uvm_compress cs[] = { UVM_COMPRESS_NONE,
						UVM_COMPRESS_GZIP,
						UVM_COMPRESS_ZSTD };
	for (size_t c = 0; c < ARRAY_SIZE(cs); c++) {
		char p[64];
		snprintf(p, sizeof(p), "%s/i.%s", dir, uvm_compress_name(cs[c]));
		struct uvm_tree *t = sample(c % 2);
		struct uvm_error err = { 0 };
		assert_int_equal(uvm_initrd_write(t, p, cs[c], 1704067200, &err), 0);
		uvm_tree_free(t);
		struct rd_ent v[16];
		size_t n = read_back(p, v, 16);
		static const char *const order[] = { ".", "a", "a/hard", "a-link", "b", "b/data", "dev", "dev/null" };
		assert_int_equal(n, ARRAY_SIZE(order));
		static const int64_t inos[] = { 1, 2, 3, 4, 5, 3, 6, 7 };
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(v[i].path, order[i]);
			assert_int_equal(v[i].mtime, 1704067200);
			assert_int_equal(v[i].ino, inos[i]);
		}
		/* a/hard: first name, no data; b/data: last name, the data. */
		assert_int_equal(v[2].ino, v[5].ino);
		assert_int_equal(v[2].nlink, 2);
		assert_int_equal(v[2].size, 0);
		assert_int_equal(v[5].size, 7);
		assert_string_equal(v[5].data, "payload");
		assert_int_equal(v[1].mode, S_IFDIR | 0700);
		assert_int_equal(v[1].uid, 5);
		assert_int_equal(v[0].nlink, 5); /* ".", "..", a, b, dev */
		assert_int_equal(v[3].size, 6);
		assert_int_equal(v[7].mode, S_IFCHR | 0666);
		assert_int_equal(v[7].rmaj, 1);
		assert_int_equal(v[7].rmin, 3);
	}
	/* Same bytes from both insertion orders (none and gzip alike). */
	for (size_t c = 0; c < 2; c++) {
		char p1[64], p2[64], cmd[200];
		snprintf(p1, sizeof(p1), "%s/x1", dir);
		snprintf(p2, sizeof(p2), "%s/x2", dir);
		struct uvm_tree *t1 = sample(false), *t2 = sample(true);
		assert_int_equal(uvm_initrd_write(t1, p1, cs[c], 7, NULL), 0);
		assert_int_equal(uvm_initrd_write(t2, p2, cs[c], 7, NULL), 0);
		uvm_tree_free(t1);
		uvm_tree_free(t2);
		snprintf(cmd, sizeof(cmd), "cmp -s %s %s", p1, p2);
		assert_int_equal(system(cmd), 0);
	}
	char cmd[100];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_errors(void **state)
{
	struct uvm_tree *t = sample(false);
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_initrd_write(t, "/tmp/never-written.img", UVM_COMPRESS_NONE, 1ull << 32, &err), -ERANGE);
	assert_non_null(strstr(err.msg, "32-bit"));
	assert_int_equal(access("/tmp/never-written.img", F_OK), -1);
	assert_true(uvm_initrd_write(t, "/nonexistent-dir/x.img", UVM_COMPRESS_GZIP, 0, &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/x.img"));
	/* A host file that vanished after it was added. */
	char p[] = "/tmp/test-initrd-src.XXXXXX";
	int fd = mkstemp(p);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	struct uvm_inode *i = uvm_inode_new(S_IFREG | 0644, 0, 0);
	i->content = UVM_CONTENT_PATH;
	i->path = strdup(p);
	i->size = 3;
	assert_int_equal(uvm_tree_put(t, "host", i, 0, NULL, NULL), 0);
	unlink(p);
	assert_int_equal(uvm_initrd_write(t, "/tmp/test-initrd-out.img", UVM_COMPRESS_NONE, 0, &err), -ENOENT);
	assert_non_null(strstr(err.msg, p));
	assert_int_equal(access("/tmp/test-initrd-out.img", F_OK), -1);
	uvm_tree_free(t);

	enum uvm_compress c;
	assert_int_equal(uvm_compress_from_name("zstd", &c), 0);
	assert_int_equal(c, UVM_COMPRESS_ZSTD);
	assert_int_equal(uvm_compress_from_name("lz4", &c), -EINVAL);
}

static void test_digest(void **state)
{
	uint8_t d1[32], d2[32], d3[32];
	struct uvm_tree *t1 = sample(false), *t2 = sample(true);
	assert_int_equal(uvm_tree_digest(t1, d1, NULL), 0);
	assert_int_equal(uvm_tree_digest(t2, d2, NULL), 0);
	assert_memory_equal(d1, d2, 32);
	/* Every field counts. */
	struct uvm_inode *data = uvm_tree_lookup(t2, "b/data")->inode;
	struct {
		uint32_t *field;
		uint32_t value;
	} muts[] = {
		{ &data->mode, S_IFREG | 0644 },
		{ &data->uid, 1 },
		{ &data->gid, 1 },
		{ &uvm_tree_lookup(t2, "dev/null")->inode->rdev_minor, 5 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(muts); i++) {
		uint32_t old = *muts[i].field;
		*muts[i].field = muts[i].value;
		assert_int_equal(uvm_tree_digest(t2, d3, NULL), 0);
		assert_memory_not_equal(d1, d3, 32);
		*muts[i].field = old;
	}
	data->mem[0] = 'P';
	assert_int_equal(uvm_tree_digest(t2, d3, NULL), 0);
	assert_memory_not_equal(d1, d3, 32);
	data->mem[0] = 'p';
	assert_int_equal(uvm_inode_set_xattr(data, "user.x", "1", 1), 0);
	assert_int_equal(uvm_tree_digest(t2, d3, NULL), 0);
	assert_memory_not_equal(d1, d3, 32);
	/* Hard-link structure counts: a copy instead of a link. */
	struct uvm_tree *t3 = sample(false);
	assert_int_equal(uvm_tree_put(t3, "a/hard", mem_file("payload", 0640), 0, NULL, NULL), 0);
	assert_int_equal(uvm_tree_digest(t3, d3, NULL), 0);
	assert_memory_not_equal(d1, d3, 32);
	uvm_tree_free(t1);
	uvm_tree_free(t2);
	uvm_tree_free(t3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_and_read_back),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_digest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
