/* test-source-dir.c — the directory source: sorted walk, ownership from the
 * options, symlinks not followed (a loop is harmless), hard links keyed on
 * the source inode, fifos kept, sockets skipped, allow-listed xattrs,
 * layering of two directories, detection, errors naming the path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "builder/source.h"

static char base[256];

static void mkfile(const char *rel, const char *content, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)),
			 (ssize_t)strlen(content));
	close(fd);
	assert_int_equal(chmod(p, mode), 0);
}

static void mkd(const char *rel, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chmod(p, mode), 0);
}

static int setup(void **state)
{
	snprintf(base, sizeof(base), "/tmp/test-source-dir.XXXXXX");
	assert_non_null(mkdtemp(base));
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

struct collect {
	char buf[8192];
};

static int collect_cb(struct uvm_node *n, const char *path, void *ud)
{
	struct collect *c = ud;
	char line[600];
	const struct uvm_inode *i = n->inode;
	snprintf(line, sizeof(line), "%s %o %u:%u%s%s\n", path[0] ? path : "/",
		 i->mode, i->uid, i->gid, i->symlink ? " -> " : "",
		 i->symlink ? i->symlink : "");
	strcat(c->buf, line);
	return 0;
}

static void test_walk(void **state)
{
	assert_int_equal(chmod(base, 0755), 0);
	mkd("z", 0750);
	mkd("a", 0755);
	mkfile("z/b", "bee", 0644);
	mkfile("a-c", "ac", 0600);
	mkfile("a/x", "hello", 04755);
	char p[512], q[512];
	snprintf(p, sizeof(p), "%s/a/x", base);
	snprintf(q, sizeof(q), "%s/z/hard", base);
	assert_int_equal(link(p, q), 0);
	snprintf(p, sizeof(p), "%s/loop1", base);
	assert_int_equal(symlink("loop2", p), 0);
	snprintf(p, sizeof(p), "%s/loop2", base);
	assert_int_equal(symlink("loop1", p), 0);
	snprintf(p, sizeof(p), "%s/fifo", base);
	assert_int_equal(mkfifo(p, 0640), 0);
	/* A socket is skipped. */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	assert_true(strlen(base) + 6 < sizeof(sa.sun_path));
	memcpy(sa.sun_path, base, strlen(base));
	memcpy(sa.sun_path + strlen(base), "/sock", 6);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	/* xattrs (skipped where the filesystem has none). */
	snprintf(p, sizeof(p), "%s/a-c", base);
	bool have_xattr = setxattr(p, "user.test", "v1", 2, 0) == 0;

	struct uvm_tree *t;
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	struct uvm_source_opts o = { .uid = 1000, .gid = 100 };
	enum uvm_source_kind k;
	assert_int_equal(uvm_source_detect(base, &k, &err), 0);
	assert_int_equal(k, UVM_SOURCE_DIR);
	int r = uvm_source_add(t, base, UVM_SOURCE_AUTO, &o, &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	struct collect c = { "" };
	assert_int_equal(uvm_tree_walk(t, collect_cb, &c), 0);
	assert_string_equal(c.buf, "/ 40755 1000:100\n"
				   "a 40755 1000:100\n"
				   "a/x 104755 1000:100\n"
				   "a-c 100600 1000:100\n"
				   "fifo 10640 1000:100\n"
				   "loop1 120777 1000:100 -> loop2\n"
				   "loop2 120777 1000:100 -> loop1\n"
				   "z 40750 1000:100\n"
				   "z/b 100644 1000:100\n"
				   "z/hard 104755 1000:100\n");
	struct uvm_node *x = uvm_tree_lookup(t, "a/x"),
			*h = uvm_tree_lookup(t, "z/hard");
	assert_ptr_equal(x->inode, h->inode);
	assert_int_equal(x->inode->content, UVM_CONTENT_PATH);
	assert_int_equal(x->inode->path[0], '/');
	assert_int_equal(x->inode->size, 5);
	struct uvm_node *ac = uvm_tree_lookup(t, "a-c");
	if (have_xattr) {
		assert_int_equal(ac->inode->n_xattrs, 1);
		assert_string_equal(ac->inode->xattrs[0].name, "user.test");
		assert_memory_equal(ac->inode->xattrs[0].value, "v1", 2);
	}
	struct uvm_reader rd;
	char buf[8];
	assert_int_equal(uvm_reader_open(t, x->inode, &rd, NULL), 0);
	assert_int_equal(uvm_reader_pread(&rd, buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "hello", 5);
	uvm_reader_close(&rd);

	/* A second directory layered on top: overrides and adds. */
	char top[300];
	snprintf(top, sizeof(top), "%s/../%s.top", base, strrchr(base, '/') + 1);
	assert_int_equal(mkdir(top, 0755), 0);
	snprintf(p, sizeof(p), "%s/a-c", top);
	int fd = open(p, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(uvm_source_add(t, top, UVM_SOURCE_DIR, NULL, &err), 0);
	ac = uvm_tree_lookup(t, "a-c");
	assert_int_equal(ac->inode->uid, 0);
	assert_int_equal(ac->inode->size, 0);
	assert_int_equal(ac->inode->content, UVM_CONTENT_NONE);
	assert_non_null(uvm_tree_lookup(t, "z/b"));
	assert_int_equal(unlink(p), 0);
	assert_int_equal(rmdir(top), 0);
	uvm_tree_free(t);
}

static void test_errors(void **state)
{
	struct uvm_tree *t;
	struct uvm_error err = { 0 };
	enum uvm_source_kind k;
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	assert_int_equal(uvm_source_add(t, "/nonexistent/dir", UVM_SOURCE_AUTO,
					NULL, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/dir"));
	assert_int_equal(uvm_source_add(t, "/nonexistent/dir", UVM_SOURCE_DIR,
					NULL, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "cannot open directory"));
	assert_int_equal(uvm_source_detect("/dev/null", &k, &err), -EMEDIUMTYPE);
	if (geteuid() != 0) {
		mkd("closed", 0000);
		assert_int_equal(uvm_source_add(t, base, UVM_SOURCE_DIR, NULL,
						&err),
				 -EACCES);
		assert_non_null(strstr(err.msg, "closed: cannot open directory"));
		char p[512];
		snprintf(p, sizeof(p), "%s/closed", base);
		chmod(p, 0755);
		mkfile("secret", "x", 0000);
		assert_int_equal(uvm_source_add(t, base, UVM_SOURCE_DIR, NULL,
						&err),
				 -EACCES);
		assert_non_null(strstr(err.msg, "secret: cannot read"));
	}
	uvm_tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
