/* test-ext4.c — uvm_ext4_write read back with libext2fs itself (ext2fs_open,
 * namei, read_inode, file_read, bmap, xattrs): superblock values derived
 * from the seed and the epoch, inode numbering, content with holes, device
 * encodings, fast/slow symlinks, hard links, xattrs, a hashed directory
 * whose every name is found, ENOSPC, and byte-identical output for the
 * same tree built in another insertion order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ext2fs/ext2fs.h>

#include "builder/ext4.h"
#include "common/fileio.h"
#include "common/hash.h"

#define EPOCH 1704067200u

static char dir[] = "/tmp/test-ext4.XXXXXX";

static struct uvm_inode *mem_file(const void *p, size_t n, uint32_t perm)
{
	struct uvm_inode *i = uvm_inode_new(S_IFREG | perm, 0, 0);
	i->content = UVM_CONTENT_MEM;
	i->mem = malloc(n ? n : 1);
	memcpy(i->mem, p, n);
	i->size = n;
	return i;
}

static void put(struct uvm_tree *t, const char *path, struct uvm_inode *i)
{
	assert_int_equal(uvm_tree_put(t, path, i, 0, NULL, NULL), 0);
}

static struct uvm_inode *symlink_to(const char *target)
{
	struct uvm_inode *s = uvm_inode_new(S_IFLNK | 0777, 0, 0);
	s->symlink = strdup(target);
	s->size = strlen(target);
	return s;
}

static struct uvm_inode *dev(uint32_t type, uint32_t ma, uint32_t mi)
{
	struct uvm_inode *d = uvm_inode_new(type | 0600, 0, 0);
	d->rdev_major = ma;
	d->rdev_minor = mi;
	return d;
}

/* The sample tree; step order reversed when reverse. */
static struct uvm_tree *sample(bool reverse)
{
	static uint8_t holes[5 * 4096];
	char name[64], longtarget[200];
	struct uvm_tree *t;
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	memset(holes, 0, sizeof(holes));
	memcpy(holes + 4096, "second", 6);
	memcpy(holes + 4 * 4096 + 100, "last", 4);
	memset(longtarget, 'y', sizeof(longtarget) - 1);
	longtarget[sizeof(longtarget) - 1] = 0;
	for (int k = 0; k < 3; k++) {
		switch (reverse ? 2 - k : k) {
		case 0:
			put(t, "etc/motd", mem_file("hello\n", 6, 0644));
			put(t, "etc/holes", mem_file(holes, sizeof(holes), 0600));
			put(t, "dev/null", dev(S_IFCHR, 1, 3));
			put(t, "dev/big", dev(S_IFBLK, 259, 70000));
			break;
		case 1:
			put(t, "etc/short", symlink_to("motd"));
			put(t, "etc/long", symlink_to(longtarget));
			put(t, "run/fifo", uvm_inode_new(S_IFIFO | 0620, 7, 8));
			break;
		case 2:
			for (int i = 0; i < 600; i++) {
				snprintf(name, sizeof(name), "many/file-%04d", reverse ? 599 - i : i);
				put(t, name, mem_file(name, strlen(name), 0644));
			}
			break;
		}
	}
	assert_int_equal(uvm_tree_link(t, "etc/motd-link", "etc/motd", NULL), 0);
	assert_int_equal(uvm_inode_set_xattr(uvm_tree_lookup(t, "etc/motd")->inode,
					     "user.color", "blue", 4), 0);
	return t;
}

static char *write_sample(bool reverse, uint64_t size, const char *name, int *ret)
{
	struct uvm_ext4_opts o = { .size = size, .epoch = EPOCH };
	struct uvm_error err = { 0 };
	char *path;
	struct uvm_tree *t = sample(reverse);
	memset(o.seed, 0x42, 32);
	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	*ret = uvm_ext4_write(t, path, &o, NULL, &err);
	uvm_tree_free(t);
	return path;
}

static ext2_ino_t lookup(ext2_filsys fs, const char *path)
{
	ext2_ino_t ino = 0;
	assert_int_equal(ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, &ino), 0);
	return ino;
}

static void read_inode(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode_large *in)
{
	assert_int_equal(ext2fs_read_inode_full(fs, ino, (struct ext2_inode *)in,
						sizeof(*in)), 0);
}

static void test_readback(void **state)
{
	int r;
	_cleanup_free_ char *path = write_sample(false, 0, "a.img", &r);
	ext2_filsys fs;
	struct ext2_inode_large in;
	uint8_t uuid[16], buf[5 * 4096];
	unsigned got;
	ext2_file_t f;
	blk64_t pblk;

	assert_int_equal(r, 0);
	assert_int_equal(ext2fs_open(path, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &fs), 0);
	/* Superblock: UUID and hash seed from the seed, times = epoch. */
	uint8_t seed[32];
	memset(seed, 0x42, 32);
	assert_int_equal(uvm_derive_uuid(seed, "ext4-uuid", uuid), 0);
	assert_memory_equal(fs->super->s_uuid, uuid, 16);
	assert_int_equal(uvm_derive_uuid(seed, "ext4-hash-seed", uuid), 0);
	assert_memory_equal(fs->super->s_hash_seed, uuid, 16);
	assert_int_equal(fs->super->s_mkfs_time, EPOCH);
	assert_int_equal(fs->super->s_wtime, EPOCH);
	assert_int_equal(fs->super->s_kbytes_written, 0);
	assert_true(ext2fs_has_feature_metadata_csum(fs->super));
	assert_false(ext2fs_has_feature_journal(fs->super));

	/* Inode numbers: tree order dev(2) dev/big dev/null etc ... -> 12.. */
	assert_int_equal(lookup(fs, "dev"), 12);
	assert_int_equal(lookup(fs, "lost+found"), 11);

	/* Content with holes: blocks 0, 2, 3 unallocated. */
	ext2_ino_t ino = lookup(fs, "etc/holes");
	read_inode(fs, ino, &in);
	assert_int_equal(in.i_mode, S_IFREG | 0600);
	assert_int_equal(in.i_atime, EPOCH);
	assert_int_equal(in.i_crtime, EPOCH);
	assert_int_equal(ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)&in), 2 * 8);
	for (blk64_t b = 0; b < 5; b++) {
		assert_int_equal(ext2fs_bmap2(fs, ino, NULL, NULL, 0, b, NULL, &pblk), 0);
		assert_true((pblk != 0) == (b == 1 || b == 4));
	}
	assert_int_equal(ext2fs_file_open(fs, ino, 0, &f), 0);
	assert_int_equal(ext2fs_file_read(f, buf, sizeof(buf), &got), 0);
	assert_int_equal(got, sizeof(buf));
	assert_memory_equal(buf + 4096, "second", 6);
	assert_memory_equal(buf + 4 * 4096 + 100, "last", 4);
	ext2fs_file_close(f);

	/* Hard link: one inode, two links; xattr. */
	assert_int_equal(lookup(fs, "etc/motd"), lookup(fs, "etc/motd-link"));
	read_inode(fs, lookup(fs, "etc/motd"), &in);
	assert_int_equal(in.i_links_count, 2);
	struct ext2_xattr_handle *h;
	void *val;
	size_t vlen;
	assert_int_equal(ext2fs_xattrs_open(fs, lookup(fs, "etc/motd"), &h), 0);
	assert_int_equal(ext2fs_xattrs_read(h), 0);
	assert_int_equal(ext2fs_xattr_get(h, "user.color", &val, &vlen), 0);
	assert_int_equal(vlen, 4);
	assert_memory_equal(val, "blue", 4);
	free(val);
	ext2fs_xattrs_close(&h);

	/* Devices: old encoding for 1:3, new for 259:70000. */
	read_inode(fs, lookup(fs, "dev/null"), &in);
	assert_int_equal(in.i_block[0], 0x103);
	read_inode(fs, lookup(fs, "dev/big"), &in);
	assert_int_equal(in.i_block[0], 0);
	assert_int_equal(in.i_block[1], (70000 & 0xff) | (259 << 8) | ((70000 & ~0xff) << 12));

	/* Symlinks: fast in i_block, slow in one block. */
	read_inode(fs, lookup(fs, "etc/short"), &in);
	assert_memory_equal(in.i_block, "motd", 4);
	assert_int_equal(in.i_flags & EXT4_EXTENTS_FL, 0);
	read_inode(fs, lookup(fs, "etc/long"), &in);
	assert_int_equal(in.i_size, 199);
	assert_true(in.i_flags & EXT4_EXTENTS_FL);

	/* fifo with its owner. */
	read_inode(fs, lookup(fs, "run/fifo"), &in);
	assert_int_equal(in.i_mode, S_IFIFO | 0620);
	assert_int_equal(in.i_uid, 7);
	assert_int_equal(in.i_gid, 8);

	/* The 600-entry directory is hashed; every name is found. */
	read_inode(fs, lookup(fs, "many"), &in);
	assert_true(in.i_flags & EXT2_INDEX_FL);
	assert_int_equal(in.i_links_count, 2);
	for (int i = 0; i < 600; i++) {
		char name[32];
		ext2_ino_t x;
		snprintf(name, sizeof(name), "file-%04d", i);
		assert_int_equal(ext2fs_lookup(fs, lookup(fs, "many"), name,
					       (int)strlen(name), NULL, &x), 0);
	}
	ext2fs_close_free(&fs);
	unlink(path);
}

static void test_order_invariant(void **state)
{
	int r1, r2;
	_cleanup_free_ char *a = write_sample(false, 8 << 20, "o1.img", &r1);
	_cleanup_free_ char *b = write_sample(true, 8 << 20, "o2.img", &r2);
	_cleanup_free_ uint8_t *x = NULL, *y = NULL;
	size_t nx, ny;
	assert_int_equal(r1, 0);
	assert_int_equal(r2, 0);
	assert_int_equal(uvm_read_file(a, 16 << 20, &x, &nx, NULL), 0);
	assert_int_equal(uvm_read_file(b, 16 << 20, &y, &ny, NULL), 0);
	assert_int_equal(nx, 8 << 20);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	unlink(a);
	unlink(b);
}

static void test_too_small(void **state)
{
	struct uvm_tree *t;
	struct uvm_error err = { 0 };
	struct uvm_ext4_opts o = { .size = 1 << 20 };
	static uint8_t big[2 << 20];
	_cleanup_free_ char *path = NULL;
	memset(big, 1, sizeof(big));
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	put(t, "a/big", mem_file(big, sizeof(big), 0644));
	assert_true(asprintf(&path, "%s/small.img", dir) > 0);
	assert_int_equal(uvm_ext4_write(t, path, &o, NULL, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "image too small for the content"));
	assert_non_null(strstr(err.msg, "/a/big"));
	/* The automatic size holds it. */
	uint64_t size;
	assert_int_equal(uvm_ext4_auto_size(t, NULL, &size, NULL), 0);
	assert_true(size > sizeof(big) && size % (1 << 20) == 0);
	o.size = size;
	assert_int_equal(uvm_ext4_write(t, path, &o, NULL, &err), 0);
	uvm_tree_free(t);
	unlink(path);
}

static void test_epoch_2106(void **state)
{
	struct uvm_tree *t;
	struct uvm_ext4_opts o = { .epoch = UINT32_MAX };
	struct ext2_inode_large in;
	_cleanup_free_ char *path = NULL;
	ext2_filsys fs;
	assert_int_equal(uvm_tree_new(NULL, &t, NULL), 0);
	put(t, "f", mem_file("x", 1, 0644));
	assert_true(asprintf(&path, "%s/e.img", dir) > 0);
	assert_int_equal(uvm_ext4_write(t, path, &o, NULL, NULL), 0);
	assert_int_equal(ext2fs_open(path, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &fs), 0);
	read_inode(fs, lookup(fs, "f"), &in);
	assert_int_equal(in.i_mtime, UINT32_MAX);
	assert_int_equal(in.i_mtime_extra, 1); /* epoch bits: 2^32 - 1 > 2^31 */
	ext2fs_close_free(&fs);
	o.epoch = (uint64_t)UINT32_MAX + 1;
	assert_int_equal(uvm_ext4_write(t, path, &o, NULL, NULL), -ERANGE);
	uvm_tree_free(t);
	unlink(path);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readback),
		cmocka_unit_test(test_order_invariant),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_epoch_2106),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
