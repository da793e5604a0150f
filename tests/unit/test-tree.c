/* test-tree.c — the layered tree: normalization, canonical order, layering
 * (directory merge, replacement, whiteouts), hard links, numbering, content
 * readers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "builder/tree.h"

static struct uvm_inode *file(const char *content)
{
	struct uvm_inode *i = uvm_inode_new(S_IFREG | 0644, 0, 0);
	i->content = UVM_CONTENT_MEM;
	i->mem = (uint8_t *)strdup(content);
	i->size = strlen(content);
	return i;
}

static struct uvm_inode *dir(uint32_t perm)
{
	return uvm_inode_new(S_IFDIR | perm, 0, 0);
}

static void test_normalize(void **state)
{
	static const struct {
		const char *in, *out;
		int r;
	} v[] = {
		{ "a/b", "a/b", 0 },	  { "/a//b/", "a/b", 0 },
		{ "./a/./b", "a/b", 0 },  { "", "", 0 },
		{ "/", "", 0 },		  { "a/../b", NULL, -EINVAL },
		{ "../etc", NULL, -EINVAL }, { "..", NULL, -EINVAL },
		{ "a/..b", "a/..b", 0 },
	};
	char out[UVM_PATH_MAX + 1];
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct uvm_error err = { 0 };
		assert_int_equal(uvm_path_normalize(v[i].in, out, &err), v[i].r);
		if (v[i].out)
			assert_string_equal(out, v[i].out);
		else
			assert_non_null(strstr(err.msg, ".."));
	}
	char longname[300];
	memset(longname, 'x', 299);
	longname[299] = 0;
	assert_int_equal(uvm_path_normalize(longname, out, NULL), -ENAMETOOLONG);
}

struct collect {
	char buf[4096];
};

static int collect_cb(struct uvm_node *n, const char *path, void *ud)
{
	struct collect *c = ud;
	strcat(c->buf, path[0] ? path : "/");
	strcat(c->buf, " ");
	return 0;
}

static void test_order_and_layers(void **state)
{
	struct uvm_tree *t;
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	/* Inserted in a scrambled order; parents implied. */
	assert_int_equal(uvm_tree_put(t, "b/z", file("z"), 0, NULL, NULL), 0);
	assert_int_equal(uvm_tree_put(t, "a-c", file("1"), 0, NULL, NULL), 0);
	assert_int_equal(uvm_tree_put(t, "a/b", file("2"), 0, NULL, NULL), 0);
	assert_int_equal(uvm_tree_put(t, "B", file("3"), 0, NULL, NULL), 0);
	struct collect c = { "" };
	assert_int_equal(uvm_tree_walk(t, collect_cb, &c), 0);
	assert_string_equal(c.buf, "/ B a a/b a-c b b/z ");

	/* Directory over directory keeps children, takes metadata. */
	assert_int_equal(uvm_tree_put(t, "b", dir(0700), 0, NULL, NULL), 0);
	assert_non_null(uvm_tree_lookup(t, "b/z"));
	assert_int_equal(uvm_tree_lookup(t, "b")->inode->mode & 07777, 0700);
	/* A file over a directory replaces the subtree. */
	assert_int_equal(uvm_tree_put(t, "b", file("f"), 0, NULL, NULL), 0);
	assert_null(uvm_tree_lookup(t, "b/z"));
	/* A file as a parent: refused unless replacing parents. */
	assert_int_equal(uvm_tree_put(t, "b/y", file("y"), 0, NULL, NULL),
			 -ENOTDIR);
	assert_int_equal(uvm_tree_put(t, "b/y", file("y"),
				      UVM_PUT_REPLACE_PARENTS, NULL, NULL),
			 0);
	/* Whiteouts. */
	assert_int_equal(uvm_tree_remove(t, "a/b", NULL), 0);
	assert_null(uvm_tree_lookup(t, "a/b"));
	assert_int_equal(uvm_tree_remove(t, "nope/x", NULL), 0);
	assert_int_equal(uvm_tree_put(t, "a/x", file("x"), 0, NULL, NULL), 0);
	assert_int_equal(uvm_tree_clear_dir(t, "a", NULL), 0);
	assert_int_equal(uvm_tree_lookup(t, "a")->n_children, 0);
	assert_int_equal(uvm_tree_put(t, "../x", file("x"), 0, NULL, NULL),
			 -EINVAL);
	uvm_tree_free(t);
}

static void test_links_and_numbering(void **state)
{
	struct uvm_tree *t;
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	assert_int_equal(uvm_tree_put(t, "d/z", file("data"), 0, NULL, NULL), 0);
	assert_int_equal(uvm_tree_link(t, "a", "d/z", NULL), 0);
	assert_int_equal(uvm_tree_link(t, "x", "nope", NULL), -ENOENT);
	assert_int_equal(uvm_tree_link(t, "x", "d", NULL), -EPERM);
	assert_int_equal(uvm_tree_number(t), 0);
	/* Walk: / (1), a (2, primary of the shared inode), d (3), d/z (= 2). */
	assert_int_equal(t->n_inodes, 3);
	assert_int_equal(t->n_nodes, 4);
	struct uvm_node *a = uvm_tree_lookup(t, "a"), *z = uvm_tree_lookup(t, "d/z");
	assert_ptr_equal(a->inode, z->inode);
	assert_int_equal(a->inode->ino, 2);
	assert_int_equal(a->inode->nlink, 2);
	assert_int_equal(t->root->inode->nlink, 3); /* ".", "..", d's ".." */
	/* Removing one name keeps the other's content alive. */
	assert_int_equal(uvm_tree_remove(t, "a", NULL), 0);
	assert_int_equal(uvm_tree_number(t), 0);
	assert_int_equal(z->inode->nlink, 1);
	struct uvm_reader r;
	char buf[8];
	assert_int_equal(uvm_reader_open(t, z->inode, &r, NULL), 0);
	assert_int_equal(uvm_reader_pread(&r, buf, sizeof(buf), 1), 3);
	assert_memory_equal(buf, "ata", 3);
	uvm_reader_close(&r);
	uvm_tree_free(t);
}

static void test_spool_and_xattrs(void **state)
{
	struct uvm_tree *t;
	assert_int_equal(uvm_tree_new("/tmp", &t, NULL), 0);
	uint64_t off1, off2;
	assert_int_equal(uvm_tree_spool_append(t, "hello ", 6, &off1, NULL), 0);
	assert_int_equal(uvm_tree_spool_append(t, "world", 5, &off2, NULL), 0);
	assert_int_equal(off1, 0);
	assert_int_equal(off2, 6);
	struct uvm_inode *i = uvm_inode_new(S_IFREG | 0600, 1, 2);
	i->content = UVM_CONTENT_SPOOL;
	i->spool_off = off1;
	i->size = 11;
	assert_int_equal(uvm_inode_set_xattr(i, "user.b", "2", 1), 0);
	assert_int_equal(uvm_inode_set_xattr(i, "user.a", "1", 1), 0);
	assert_int_equal(uvm_inode_set_xattr(i, "user.b", "22", 2), 0);
	assert_int_equal(i->n_xattrs, 2);
	assert_string_equal(i->xattrs[0].name, "user.a");
	assert_int_equal(i->xattrs[1].size, 2);
	assert_int_equal(uvm_tree_put(t, "f", i, 0, NULL, NULL), 0);
	struct uvm_reader r;
	char buf[16] = "";
	assert_int_equal(uvm_reader_open(t, i, &r, NULL), 0);
	assert_int_equal(uvm_reader_pread(&r, buf, sizeof(buf), 0), 11);
	assert_memory_equal(buf, "hello world", 11);
	assert_int_equal(uvm_reader_pread(&r, buf, sizeof(buf), 11), 0);
	uvm_reader_close(&r);
	uvm_tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_order_and_layers),
		cmocka_unit_test(test_links_and_numbering),
		cmocka_unit_test(test_spool_and_xattrs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
