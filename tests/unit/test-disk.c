/* test-disk.c — Kata split arithmetic, MBR and GPT bytes, determinism,
 * sparseness, all-or-nothing output (specs/kata-image.md §1, §7).
 * External tools (parted, sfdisk, sgdisk, veritysetup) check the same
 * images in tests/cli/t2060-t2070. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cmocka.h>

#include "builder/disk.h"
#include "common/hex.h"
#include "common/uuid.h"

#define MIB (UINT64_C(1) << 20)

static char tmpdir[] = "/tmp/test-disk.XXXXXX";

static char *tpath(const char *name)
{
	static char buf[4][512];
	static int n;
	char *b = buf[n++ % 4];
	snprintf(b, 512, "%s/%s", tmpdir, name);
	return b;
}

/* A stand-in filesystem image: pattern blocks, with a zero region. */
static void fake_fs(const char *p, uint64_t bytes)
{
	FILE *f = fopen(p, "wb");
	uint8_t b[4096];
	assert_non_null(f);
	for (uint64_t i = 0; i < bytes / 4096; i++) {
		bool zero = i >= 16 && i < bytes / 4096 / 2;
		for (int j = 0; j < 4096; j++)
			b[j] = zero ? 0 : (uint8_t)(i * 7 + (uint64_t)j);
		assert_int_equal(fwrite(b, 1, sizeof(b), f), sizeof(b));
	}
	assert_int_equal(fclose(f), 0);
}

static void read_at(const char *p, void *buf, size_t n, uint64_t off)
{
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, n, (off_t)off), (ssize_t)n);
	close(fd);
}

static const uint8_t SEED[32] = { 0x5e, 0xed };

static void test_kata_split(void **state)
{
	static const struct {
		uint64_t n, p1_start, p1_sectors, p2_start, p2_sectors;
	} v[] = {
		/* §1's worked example, checked with parted and sfdisk */
		{ 128, 2048, 256000, 258048, 4096 },
		{ 256, 2048, 252 * 2048, 253 * 2048, 3 * 2048 },
		{ 101, 2048, 98 * 2048, 99 * 2048, 2 * 2048 },
		{ 100, 2048, 98 * 2048, 99 * 2048, 1 * 2048 },
		{ 10000, 2048, 9899 * 2048, 9900 * 2048, 100 * 2048 },
		{ 3, 2048, 1 * 2048, 2 * 2048, 1 * 2048 },
	};
	struct uvm_disk_geometry g;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		assert_int_equal(uvm_disk_kata_split(v[i].n, &g), 0);
		assert_int_equal(g.disk_bytes, v[i].n * MIB);
		assert_int_equal(g.data_offset / 512, v[i].p1_start);
		assert_int_equal(g.data_bytes / 512, v[i].p1_sectors);
		assert_int_equal(g.hash_offset / 512, v[i].p2_start);
		assert_int_equal(g.hash_bytes / 512, v[i].p2_sectors);
	}
	assert_int_equal(uvm_disk_kata_split(2, &g), -EINVAL);
}

static void test_kata_geometry(void **state)
{
	struct uvm_disk_geometry g;
	struct uvm_error err = {};
	assert_int_equal(uvm_disk_kata_geometry(16 * MIB, 0, &g, &err), 0);
	assert_int_equal(g.disk_bytes, 128 * MIB);
	assert_int_equal(uvm_disk_kata_geometry(125 * MIB, 0, &g, &err), 0);
	assert_int_equal(g.disk_bytes, 128 * MIB);
	assert_int_equal(g.data_bytes, 125 * MIB);
	assert_int_equal(uvm_disk_kata_geometry(125 * MIB + 4096, 0, &g, &err), 0);
	assert_int_equal(g.disk_bytes, 256 * MIB);
	/* AKS-style 2 MiB alignment */
	assert_int_equal(uvm_disk_kata_geometry(125 * MIB, 2, &g, &err), 0);
	assert_int_equal(g.disk_bytes, 128 * MIB);
	assert_int_equal(uvm_disk_kata_geometry(30 * MIB, 2, &g, &err), 0);
	assert_true(g.data_bytes >= 30 * MIB);
	assert_true(g.disk_bytes % (2 * MIB) == 0);
}

/* The MBR bytes of §1 for the 128 MiB example. */
static void test_kata_mbr_bytes(void **state)
{
	static const uint8_t p1[16] = { 0x80, 0x00, 0x01, 0x10, 0x83, 0x03, 0xe0,
					0xff, 0x00, 0x08, 0x00, 0x00, 0x00, 0xe8,
					0x03, 0x00 };
	static const uint8_t p2[16] = { 0x00, 0x03, 0xe0, 0xff, 0x83, 0x03, 0xe0,
					0xff, 0x00, 0xf0, 0x03, 0x00, 0x00, 0x10,
					0x00, 0x00 };
	struct uvm_verity_params p, q;
	struct uvm_disk_geometry g;
	struct uvm_error err = {};
	uint8_t mbr[512], zero[0x1b8] = {};
	struct stat st;

	fake_fs(tpath("fs16"), 16 * MIB);
	assert_int_equal(uvm_disk_write(tpath("fs16"), UVM_LAYOUT_KATA, SEED, NULL,
					tpath("kata.img"), NULL, &p, &g, &err), 0);
	read_at(tpath("kata.img"), mbr, sizeof(mbr), 0);
	assert_memory_equal(mbr, zero, sizeof(zero));
	assert_memory_not_equal(mbr + 0x1b8, zero, 4); /* signature from seed */
	assert_memory_equal(mbr + 0x1be, p1, 16);
	assert_memory_equal(mbr + 0x1ce, p2, 16);
	assert_memory_equal(mbr + 0x1de, zero, 32);
	assert_int_equal(mbr[0x1fe], 0x55);
	assert_int_equal(mbr[0x1ff], 0xaa);
	assert_int_equal(p.data_blocks, 32000);
	assert_false(p.superblock);
	assert_int_equal(p.hash_offset, 0);

	/* Sparse: far fewer blocks allocated than the 128 MiB size. */
	assert_int_equal(stat(tpath("kata.img"), &st), 0);
	assert_int_equal(st.st_size, 128 * MIB);
	assert_true((uint64_t)st.st_blocks * 512 < 12 * MIB);

	/* The tree verifies in place (own walk over the partitions). */
	q = p;
	q.hash_offset = g.hash_offset;
	assert_int_equal(uvm_verity_verify(tpath("kata.img"), g.data_offset,
					   tpath("kata.img"), &q, &err), 0);
	/* The data past the 16 MiB image is part of p1 and zero. */
	{
		uint8_t b[4096], z[4096] = {};
		read_at(tpath("kata.img"), b, sizeof(b), MIB + 16 * MIB);
		assert_memory_equal(b, z, sizeof(z));
	}

	/* Same inputs, same bytes; another seed, another signature only. */
	assert_int_equal(uvm_disk_write(tpath("fs16"), UVM_LAYOUT_KATA, SEED, NULL,
					tpath("kata2.img"), NULL, &q, NULL, &err), 0);
	{
		char cmd[1200];
		snprintf(cmd, sizeof(cmd), "cmp -s %s %s", tpath("kata.img"),
			 tpath("kata2.img"));
		assert_int_equal(system(cmd), 0);
	}
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static uint64_t le64(const uint8_t *b)
{
	return le32(b) | (uint64_t)le32(b + 4) << 32;
}

static void check_gpt_header(const char *img, uint64_t lba, uint64_t total,
			     const uint8_t *ents_expected)
{
	uint8_t h[512], ents[128 * 128];
	uint32_t crc;
	read_at(img, h, sizeof(h), lba * 512);
	assert_memory_equal(h, "EFI PART", 8);
	assert_int_equal(le32(h + 12), 92);
	crc = le32(h + 16);
	memset(h + 16, 0, 4);
	assert_int_equal((uint32_t)crc32(0, h, 92), crc);
	assert_int_equal(le64(h + 24), lba);
	assert_int_equal(le64(h + 32), lba == 1 ? total - 1 : 1);
	assert_int_equal(le64(h + 40), 2048);
	assert_int_equal(le64(h + 48), total - 34);
	read_at(img, ents, sizeof(ents), le64(h + 72) * 512);
	assert_int_equal((uint32_t)crc32(0, ents, sizeof(ents)), le32(h + 88));
	if (ents_expected)
		assert_memory_equal(ents, ents_expected, sizeof(ents));
}

static void test_gpt(void **state)
{
	struct uvm_verity_params p, q;
	struct uvm_disk_geometry g;
	struct uvm_error err = {};
	uint8_t ents[128 * 128], u[16], want[16];
	uint64_t total;

	fake_fs(tpath("fs8"), 8 * MIB);
	assert_int_equal(uvm_disk_write(tpath("fs8"), UVM_LAYOUT_GPT, SEED, NULL,
					tpath("gpt.img"), NULL, &p, &g, &err), 0);
	total = g.disk_bytes / 512;
	assert_int_equal(g.data_offset, MIB);
	assert_int_equal(g.data_bytes, 8 * MIB);
	assert_int_equal(g.hash_offset, 9 * MIB);
	assert_true(p.superblock);
	read_at(tpath("gpt.img"), ents, sizeof(ents), 2 * 512);
	check_gpt_header(tpath("gpt.img"), 1, total, NULL);
	check_gpt_header(tpath("gpt.img"), total - 1, total, ents);

	/* DPS types and UUIDs from the root hash halves (mixed-endian). */
	assert_int_equal(uvm_uuid_parse("4f68bce3-e8cd-4db1-96e7-fbcaf984b709", u), 0);
	uvm_uuid_to_gpt(u, want);
	assert_memory_equal(ents, want, 16);
	uvm_uuid_to_gpt(p.root_hash, want);
	assert_memory_equal(ents + 16, want, 16);
	assert_int_equal(uvm_uuid_parse("2c7357ed-ebd2-46d9-aec1-23d437ec2bf5", u), 0);
	uvm_uuid_to_gpt(u, want);
	assert_memory_equal(ents + 128, want, 16);
	uvm_uuid_to_gpt(p.root_hash + 16, want);
	assert_memory_equal(ents + 128 + 16, want, 16);
	assert_int_equal(le64(ents + 32), 2048);
	assert_int_equal(le64(ents + 40), 2048 + 8 * 2048 - 1);
	assert_int_equal(ents[56], 'r');
	assert_int_equal(ents[57], 0);

	/* The tree with its superblock verifies in place; hash_start 1. */
	q = p;
	q.hash_offset = g.hash_offset;
	assert_int_equal(uvm_verity_verify(tpath("gpt.img"), g.data_offset,
					   tpath("gpt.img"), &q, &err), 0);
	{
		char *cmd = NULL;
		assert_int_equal(uvm_verity_kata_cmdline(&p, &cmd), 0);
		assert_non_null(strstr(cmd, " 4096 4096 2048 1 sha256 "));
		free(cmd);
	}
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.'))
			n++;
	closedir(d);
	return n;
}

static void test_write_dir(void **state)
{
	struct uvm_verity_params p;
	struct uvm_error err = {};
	char line[400];
	FILE *f;

	fake_fs(tpath("fs4"), 4 * MIB);
	assert_int_equal(uvm_disk_write_dir(tpath("fs4"), UVM_LAYOUT_NONE, SEED,
					    NULL, tpath("out-none"), &p, &err), 0);
	assert_int_equal(count_files(tpath("out-none")), 5);
	assert_int_equal(uvm_verity_verify(tpath("out-none/rootfs.img"), 0,
					   tpath("out-none/rootfs.verity"), &p, &err), 0);
	f = fopen(tpath("out-none/root_hash.txt"), "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_non_null(strstr(line, ",data_blocks=1024,data_block_size=4096,"
				     "hash_block_size=4096\n"));

	/* consume_input: the ext4 file is renamed into place, not copied. */
	{
		struct uvm_disk_opts o = { .consume_input = true };
		struct uvm_verity_params q;
		struct stat st1, st2;
		fake_fs(tpath("fs4b"), 4 * MIB);
		assert_int_equal(stat(tpath("fs4b"), &st1), 0);
		assert_int_equal(uvm_disk_write_dir(tpath("fs4b"), UVM_LAYOUT_NONE,
						    SEED, &o, tpath("out-consume"),
						    &q, &err), 0);
		assert_int_equal(stat(tpath("out-consume/rootfs.img"), &st2), 0);
		assert_int_equal(st1.st_ino, st2.st_ino);
		assert_int_equal(st2.st_mode & 07777, 0644);
		assert_true(access(tpath("fs4b"), F_OK) < 0);
		assert_memory_equal(q.root_hash, p.root_hash, 32);
		assert_int_equal(count_files(tpath("out-consume")), 5);
	}

	/* A bad input leaves nothing behind. */
	f = fopen(tpath("odd"), "w");
	assert_non_null(f);
	fputs("not a multiple of 4096", f);
	fclose(f);
	assert_true(uvm_disk_write_dir(tpath("odd"), UVM_LAYOUT_KATA, SEED, NULL,
				       tpath("out-bad"), &p, &err) < 0);
	assert_non_null(strstr(err.msg, "not a positive multiple of 4096"));
	assert_int_equal(count_files(tpath("out-bad")), 0);
}

static void test_layout_names(void **state)
{
	enum uvm_disk_layout l;
	assert_int_equal(uvm_disk_layout_parse("gpt", &l), 0);
	assert_int_equal(l, UVM_LAYOUT_GPT);
	assert_string_equal(uvm_disk_layout_name(UVM_LAYOUT_KATA), "kata");
	assert_int_equal(uvm_disk_layout_parse("msdos", &l), -EINVAL);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kata_split),
		cmocka_unit_test(test_kata_geometry),
		cmocka_unit_test(test_kata_mbr_bytes),
		cmocka_unit_test(test_gpt),
		cmocka_unit_test(test_write_dir),
		cmocka_unit_test(test_layout_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
