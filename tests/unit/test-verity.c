/* test-verity.c — dm-verity trees, verification, Kata strings and parser.
 *
 * Root hash vectors come from `veritysetup format` 2.6.1 (Debian 12) on the
 * pattern files made by pattern() below (block i, byte j = (31 i + j) & 0xff
 * repeating every 256 bytes), e.g.
 *   veritysetup format --no-superblock --salt=0001..1f pat2048.img h
 * Tree sizes and command line arithmetic: specs/kata-image.md §2 and §4.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "builder/verity.h"
#include "common/hex.h"
#include "common/uuid.h"

static const char SALT[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static char tmpdir[] = "/tmp/test-verity.XXXXXX";

static void path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

/* Write `lead` bytes of 0xa5, then `blocks` pattern blocks of `bs`. */
static void pattern(const char *p, uint64_t lead, uint64_t blocks, uint32_t bs)
{
	FILE *f = fopen(p, "wb");
	uint8_t b[4096];
	assert_non_null(f);
	for (uint64_t i = 0; i < lead; i++)
		fputc(0xa5, f);
	for (uint64_t i = 0; i < blocks * bs / 4096; i++) {
		/* the 4 KiB unit index in "4 KiB blocks" of the generator */
		for (int j = 0; j < 4096; j++)
			b[j] = (uint8_t)((i * 31 + (uint64_t)j) & 0xff);
		assert_int_equal(fwrite(b, 1, sizeof(b), f), sizeof(b));
	}
	assert_int_equal(fclose(f), 0);
}

static void flip(const char *p, uint64_t off)
{
	int fd = open(p, O_RDWR);
	uint8_t c;
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, (off_t)off), 1);
	c ^= 0x40;
	assert_int_equal(pwrite(fd, &c, 1, (off_t)off), 1);
	close(fd);
}

static bool files_equal(const char *a, const char *b)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

struct tree_vec {
	const char *hash;
	uint32_t dbs, hbs;
	uint64_t data_4k_blocks; /* size of the pattern file in 4 KiB units */
	const char *salt;
	bool superblock;
	uint64_t tree_blocks;
	const char *root;
};

static const struct tree_vec tree_vecs[] = {
	{ "sha256", 4096, 4096, 1, SALT, false, 0,
	  "b9745fe341e07d389b6d9f15707a533883430575f72e0ae47db41f1af82608a6" },
	{ "sha256", 4096, 4096, 2048, SALT, false, 17,
	  "70098ec2e1208bc73bb13191b6e1e790060aadd5e28b459b36725f2f8954ffa0" },
	{ "sha256", 4096, 4096, 16385, SALT, false, 132,
	  "a804a9a9ddf6c29d26283b24055f1700b70903dea5bd822d05c94e1ce58b127a" },
	{ "sha256", 4096, 4096, 300, SALT, false, 4,
	  "9c04034a0dde14420c48aab3a151a9cd9b3ae49eb01648c462760ca59bb67ac1" },
	{ "sha512", 4096, 512, 300, SALT, true, 44,
	  "4f7d77c4f95d04862669d9e500515bdaca46f534c9187d2ef9dbe0ee4c2af848"
	  "e9c05dc7c7574cf2f427251f5324b47ea48496a6121ff77341abe996c78f5d26" },
	{ "sha1", 1024, 1024, 300, "ab", true, 41,
	  "37187f8b203d7347395c1f5f113f91d76f0753e3" },
};

static void setup_params(const struct tree_vec *v, struct uvm_verity_params *p)
{
	uvm_verity_params_init(p);
	snprintf(p->hash_name, sizeof(p->hash_name), "%s", v->hash);
	p->data_block_size = v->dbs;
	p->hash_block_size = v->hbs;
	p->superblock = v->superblock;
	p->salt_size = strlen(v->salt) / 2;
	assert_int_equal(uvm_hex_decode(v->salt, p->salt, p->salt_size), 0);
	assert_int_equal(uvm_uuid_parse("6a2b0e7e-3d0c-4a39-9f3e-000000000003",
					p->uuid), 0);
}

/* libcryptsetup (offset 0) and our writer (data at an offset, hash after a
 * prefix) give veritysetup's root hash and the same tree bytes; verify
 * accepts both and names a flipped data / hash byte. */
static void test_tree_vectors(void **state)
{
	char data[256], data_off[256], h1[256], h2[256];
	struct uvm_error err = {};
	char hex[129];

	path(data, sizeof(data), "data");
	path(data_off, sizeof(data_off), "data-off");
	path(h1, sizeof(h1), "h1");
	path(h2, sizeof(h2), "h2");
	for (size_t i = 0; i < ARRAY_SIZE(tree_vecs); i++) {
		const struct tree_vec *v = &tree_vecs[i];
		struct uvm_verity_params p, q;
		uint64_t blocks, want_blocks = v->data_4k_blocks * 4096 / v->dbs;
		print_message("vector %zu: %s %u/%u %" PRIu64 " blocks\n", i,
			      v->hash, v->dbs, v->hbs, want_blocks);
		pattern(data, 0, v->data_4k_blocks, 4096);
		pattern(data_off, 8192, v->data_4k_blocks, 4096);
		unlink(h1);
		unlink(h2);

		setup_params(v, &p);
		assert_int_equal(uvm_verity_format(data, 0, h1, &p, &err), 0);
		assert_int_equal(p.data_blocks, want_blocks);
		uvm_hex_encode(p.root_hash, p.root_hash_size, hex);
		assert_string_equal(hex, v->root);
		assert_int_equal(uvm_verity_tree_blocks(&p, &blocks), 0);
		assert_int_equal(blocks, v->tree_blocks);

		setup_params(v, &q);
		q.data_blocks = want_blocks;
		assert_int_equal(uvm_verity_format(data_off, 8192, h2, &q, &err), 0);
		assert_memory_equal(q.root_hash, p.root_hash, p.root_hash_size);
		assert_true(files_equal(h1, h2));

		assert_int_equal(uvm_verity_verify(data, 0, h1, &p, &err), 0);
		assert_int_equal(uvm_verity_verify(data_off, 8192, h2, &p, &err), 0);

		/* a flipped byte in the last data block */
		flip(data, (want_blocks - 1) * v->dbs + 17);
		assert_int_equal(uvm_verity_verify(data, 0, h1, &p, &err), -EBADMSG);
		if (blocks) {
			char want[64];
			snprintf(want, sizeof(want), "data block %" PRIu64 " is corrupted",
				 want_blocks - 1);
			assert_string_equal(err.msg, want);
		} else {
			assert_non_null(strstr(err.msg, "data block 0 is corrupted"));
		}
		flip(data, (want_blocks - 1) * v->dbs + 17);

		/* a flipped byte in the last tree block (a level-0 block) */
		if (blocks) {
			struct stat st;
			assert_int_equal(stat(h1, &st), 0);
			flip(h1, (uint64_t)st.st_size - 1);
			assert_int_equal(uvm_verity_verify(data, 0, h1, &p, &err),
					 -EBADMSG);
			assert_non_null(strstr(err.msg, "hash block"));
			assert_non_null(strstr(err.msg, "is corrupted"));
		}
	}
}

static void test_verify_names_block(void **state)
{
	char data[256], h[256], want[80];
	struct uvm_error err = {};
	struct uvm_verity_params p;

	path(data, sizeof(data), "named");
	path(h, sizeof(h), "named.hash");
	unlink(h);
	pattern(data, 0, 2048, 4096);
	setup_params(&tree_vecs[1], &p);
	p.superblock = true;
	assert_int_equal(uvm_verity_format(data, 0, h, &p, &err), 0);
	/* Data block 635 (the kernel's example). */
	flip(data, 635 * 4096 + 100);
	assert_int_equal(uvm_verity_verify(data, 0, h, &p, &err), -EBADMSG);
	assert_string_equal(err.msg, "data block 635 is corrupted");
	flip(data, 635 * 4096 + 100);
	/* Superblock, then top block 0, then level-0 block 3 (tree index 4). */
	flip(h, 4096 + 5);
	assert_int_equal(uvm_verity_verify(data, 0, h, &p, &err), -EBADMSG);
	assert_string_equal(err.msg, "hash block 0 (level 1, top) is corrupted: "
				     "root hash mismatch");
	flip(h, 4096 + 5);
	flip(h, 5 * 4096 + 7);
	assert_int_equal(uvm_verity_verify(data, 0, h, &p, &err), -EBADMSG);
	snprintf(want, sizeof(want), "hash block 4 (level 0) is corrupted");
	assert_string_equal(err.msg, want);
	flip(h, 5 * 4096 + 7);
	flip(h, 40); /* in the superblock (hash name) */
	assert_int_equal(uvm_verity_verify(data, 0, h, &p, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "superblock"));
	flip(h, 40);
	assert_int_equal(uvm_verity_verify(data, 0, h, &p, &err), 0);

	/* The superblock reads back as the parameters. */
	{
		struct uvm_verity_params q;
		uvm_verity_params_init(&q);
		assert_int_equal(uvm_verity_read_superblock(h, 0, &q, &err), 0);
		assert_int_equal(q.data_blocks, 2048);
		assert_memory_equal(q.salt, p.salt, 32);
		assert_memory_equal(q.uuid, p.uuid, 16);
		assert_string_equal(q.hash_name, "sha256");
	}
	/* Too little data for the declared blocks. */
	p.data_blocks = 4096;
	assert_int_equal(uvm_verity_verify(data, 0, h, &p, &err), -EINVAL);
}

/* A filesystem shorter than its partition: the padded writer equals
 * libcryptsetup on an explicitly zero-padded copy. */
static void test_padded(void **state)
{
	char data[256], padded[256], h1[256], h2[256], cmd[1200];
	struct uvm_error err = {};
	struct uvm_verity_params p, q;

	path(data, sizeof(data), "short");
	path(padded, sizeof(padded), "padded");
	path(h1, sizeof(h1), "short.hash");
	path(h2, sizeof(h2), "padded.hash");
	pattern(data, 0, 300, 4096);
	pattern(padded, 0, 300, 4096);
	assert_int_equal(truncate(padded, 1000 * 4096), 0);
	setup_params(&tree_vecs[3], &p);
	p.data_blocks = 1000;
	q = p;
	assert_int_equal(uvm_verity_format_padded(data, h1, &p, &err), 0);
	assert_int_equal(uvm_verity_format(padded, 0, h2, &q, &err), 0);
	assert_memory_equal(p.root_hash, q.root_hash, 32);
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", h1, h2);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(uvm_verity_verify(padded, 0, h1, &p, &err), 0);
	/* the plain writer refuses the short file */
	q.data_blocks = 1000;
	assert_int_equal(uvm_verity_format(data, 0, h2, &q, &err), -EINVAL);
}

/* specs/kata-image.md §2: tree sizes (no superblock). */
static void test_tree_sizes(void **state)
{
	static const struct {
		uint64_t data_bytes, blocks, area_sb;
	} v[] = {
		{ UINT64_C(64) << 20, 129, 130 * 4096 },
		{ UINT64_C(1) << 30, 2065, 2066 * 4096 },
		{ UINT64_C(300) << 20, 606, 607 * 4096 },
		{ UINT64_C(10) << 30, 20643, 20644 * 4096 },
		{ 32000 * 4096, 253, 254 * 4096 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct uvm_verity_params p;
		uint64_t b, area;
		uvm_verity_params_init(&p);
		p.superblock = false;
		p.data_blocks = v[i].data_bytes / 4096;
		assert_int_equal(uvm_verity_tree_blocks(&p, &b), 0);
		assert_int_equal(b, v[i].blocks);
		assert_int_equal(uvm_verity_hash_area_size(&p, &area), 0);
		assert_int_equal(area, v[i].blocks * 4096);
		p.superblock = true;
		assert_int_equal(uvm_verity_hash_area_size(&p, &area), 0);
		assert_int_equal(area, v[i].area_sb);
	}
}

static void kata_params(struct uvm_verity_params *p, const char *root,
			const char *salt, uint64_t blocks)
{
	uvm_verity_params_init(p);
	p->superblock = false;
	p->data_blocks = blocks;
	p->root_hash_size = 32;
	p->salt_size = 32;
	assert_int_equal(uvm_hex_decode(root, p->root_hash, 32), 0);
	assert_int_equal(uvm_hex_decode(salt, p->salt, 32), 0);
}

/* The command line of vector pub-008 (shared/vectors/snp/public.json,
 * vectors[7].inputs.append) and the §4 arithmetic. */
static void test_kata_strings(void **state)
{
	static const char root[] =
		"5462aced25927147a1ab0cb35b4cd3c026004c35c4dc98787dcc6d5430ab18d3";
	static const char salt[] =
		"d58391a9a42f94367e7ec4174bc126442f830be9c4d8b069cd35f70369fa2230";
	static const char pub008[] =
		"dm-mod.create=\"dm-verity,,,ro,0 16384 verity 1 /dev/vda1 "
		"/dev/vda2 4096 4096 2048 0 sha256 "
		"5462aced25927147a1ab0cb35b4cd3c026004c35c4dc98787dcc6d5430ab18d3 "
		"d58391a9a42f94367e7ec4174bc126442f830be9c4d8b069cd35f70369fa2230\""
		" root=/dev/dm-0 rootflags=data=ordered,errors=remount-ro ro "
		"rootfstype=ext4";
	struct uvm_verity_params p;
	char *s = NULL;

	kata_params(&p, root, salt, 2048);
	assert_int_equal(uvm_verity_kata_cmdline(&p, &s), 0);
	assert_string_equal(s, pub008);
	free(s);
	assert_int_equal(uvm_verity_kata_root_hash_line(&p, &s), 0);
	assert_string_equal(s, "root_hash=5462aced25927147a1ab0cb35b4cd3c026004c35c4dc98787dcc6d5430ab18d3,"
			       "salt=d58391a9a42f94367e7ec4174bc126442f830be9c4d8b069cd35f70369fa2230,"
			       "data_blocks=2048,data_block_size=4096,hash_block_size=4096\n");
	free(s);

	/* S = 8 N: the 128 MiB image and Kata's source comment. */
	p.data_blocks = 32000;
	assert_int_equal(uvm_verity_kata_cmdline(&p, &s), 0);
	assert_non_null(strstr(s, ",ro,0 256000 verity 1 "));
	assert_non_null(strstr(s, " 4096 4096 32000 0 sha256 "));
	free(s);
	p.data_blocks = 92041;
	assert_int_equal(uvm_verity_kata_cmdline(&p, &s), 0);
	assert_non_null(strstr(s, ",ro,0 736328 verity 1 "));
	free(s);
	/* GPT/DPS: a superblock moves the tree to hash block 1; xfs flags. */
	p.superblock = true;
	assert_int_equal(uvm_verity_dm_cmdline(&p, "PARTUUID=a", "PARTUUID=b",
					       "xfs", &s), 0);
	assert_non_null(strstr(s, " PARTUUID=a PARTUUID=b 4096 4096 92041 1 sha256 "));
	assert_non_null(strstr(s, "\" root=/dev/dm-0 rootflags=ro rootfstype=xfs"));
	free(s);
	/* Refused: empty salt, zero blocks. */
	p.salt_size = 0;
	assert_int_equal(uvm_verity_kata_cmdline(&p, &s), -EINVAL);
	assert_int_equal(uvm_verity_kata_root_hash_line(&p, &s), -EINVAL);
	p.salt_size = 32;
	p.data_blocks = 0;
	assert_int_equal(uvm_verity_kata_root_hash_line(&p, &s), -EINVAL);
}

/* kernel_verity_params with Kata's parser rules (kata-image.md §3). */
static void test_kata_parser(void **state)
{
	static const struct {
		const char *in;
		int ret; /* 1 enabled, 0 disabled, <0 error */
		const char *root, *salt;
		uint64_t n, dbs, hbs;
		const char *err;
	} v[] = {
		{ "root_hash=ab,salt=cd,data_blocks=2048,data_block_size=4096,"
		  "hash_block_size=4096", 1, "ab", "cd", 2048, 4096, 4096, NULL },
		{ "", 0, NULL, NULL, 0, 0, 0, NULL },
		{ " \t\n ", 0, NULL, NULL, 0, 0, 0, NULL },
		{ " root_hash=ab , salt=cd,,data_blocks=1,data_block_size=512,"
		  "hash_block_size=1024,unknown=x, ", 1, "ab", "cd", 1, 512, 1024, NULL },
		/* key and value are not trimmed: "root_hash " is another key */
		{ "root_hash =ab,salt=cd,data_blocks=1,data_block_size=512,"
		  "hash_block_size=512", -EINVAL, NULL, NULL, 0, 0, 0,
		  "missing root_hash" },
		{ "root_hash=ab,salt=cd,data_blocks= 1,data_block_size=512,"
		  "hash_block_size=512", -EINVAL, NULL, NULL, 0, 0, 0,
		  "not an unsigned decimal" },
		{ "root_hash= ab,salt=cd,data_blocks=1,data_block_size=512,"
		  "hash_block_size=512", 1, " ab", "cd", 1, 512, 512, NULL },
		{ "salt=cd,root_hash=1,root_hash=2,data_blocks=3,data_block_size=512,"
		  "hash_block_size=512,salt=ef", 1, "2", "ef", 3, 512, 512, NULL },
		{ "root_hash=a=b,salt=c,data_blocks=1,data_block_size=512,"
		  "hash_block_size=512", 1, "a=b", "c", 1, 512, 512, NULL },
		{ "root_hash=ab,salt=,data_blocks=1,data_block_size=512,"
		  "hash_block_size=512", -EINVAL, NULL, NULL, 0, 0, 0, "empty salt" },
		{ "root_hash=ab,data_blocks=1,data_block_size=512,hash_block_size=512",
		  -EINVAL, NULL, NULL, 0, 0, 0, "missing salt" },
		{ "salt=ab,data_blocks=1,data_block_size=512,hash_block_size=512",
		  -EINVAL, NULL, NULL, 0, 0, 0, "missing root_hash" },
		{ "root_hash=ab,salt=c,data_block_size=512,hash_block_size=512",
		  -EINVAL, NULL, NULL, 0, 0, 0, "missing data_blocks" },
		{ "root_hash=ab,salt=c,data_blocks=0,data_block_size=512,"
		  "hash_block_size=512", -EINVAL, NULL, NULL, 0, 0, 0, "data_blocks is 0" },
		{ "root_hash=ab,salt=c,data_blocks=1,data_block_size=4000,"
		  "hash_block_size=512", -EINVAL, NULL, NULL, 0, 0, 0,
		  "data_block_size 4000 is not a multiple of 512" },
		{ "root_hash=ab,salt=c,data_blocks=1,data_block_size=512,"
		  "hash_block_size=100", -EINVAL, NULL, NULL, 0, 0, 0,
		  "hash_block_size 100 is not a multiple of 512" },
		{ "root_hash=ab,salt=c,data_blocks=-1,data_block_size=512,"
		  "hash_block_size=512", -EINVAL, NULL, NULL, 0, 0, 0,
		  "not an unsigned decimal" },
		{ "root_hash=ab,salt=c,data_blocks=18446744073709551616,"
		  "data_block_size=512,hash_block_size=512", -EINVAL, NULL, NULL, 0,
		  0, 0, "not an unsigned decimal" },
		{ "root_hash=ab,salt", -EINVAL, NULL, NULL, 0, 0, 0, "has no '='" },
		{ "=x,root_hash=ab", -EINVAL, NULL, NULL, 0, 0, 0, "empty key" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct uvm_kata_verity k;
		struct uvm_error err = {};
		int r = uvm_kata_verity_parse(v[i].in, &k, &err);
		print_message("parser case %zu: '%s'\n", i, v[i].in);
		assert_int_equal(r, v[i].ret);
		if (r == 1) {
			assert_string_equal(k.root_hash, v[i].root);
			assert_string_equal(k.salt, v[i].salt);
			assert_int_equal(k.data_blocks, v[i].n);
			assert_int_equal(k.data_block_size, v[i].dbs);
			assert_int_equal(k.hash_block_size, v[i].hbs);
		}
		if (v[i].err)
			assert_non_null(strstr(err.msg, v[i].err));
		uvm_kata_verity_done(&k);
	}
}

/* Our own root_hash.txt line goes through Kata's parser and back. */
static void test_kata_roundtrip(void **state)
{
	struct uvm_verity_params p, q;
	struct uvm_kata_verity k;
	struct uvm_error err = {};
	char *line = NULL;

	kata_params(&p, "5462aced25927147a1ab0cb35b4cd3c026004c35c4dc98787dcc6d5430ab18d3",
		    SALT, 32000);
	assert_int_equal(uvm_verity_kata_root_hash_line(&p, &line), 0);
	assert_int_equal(uvm_kata_verity_parse(line, &k, &err), 1);
	assert_int_equal(uvm_kata_verity_to_params(&k, &q, &err), 0);
	assert_memory_equal(q.root_hash, p.root_hash, 32);
	assert_memory_equal(q.salt, p.salt, 32);
	assert_int_equal(q.data_blocks, 32000);
	assert_false(q.superblock);
	uvm_kata_verity_done(&k);
	free(line);
	/* uvmkit's stricter reading: a 64-hex-digit root hash. */
	assert_int_equal(uvm_kata_verity_parse("root_hash=ab,salt=cd,data_blocks=1,"
					       "data_block_size=512,hash_block_size=512",
					       &k, &err), 1);
	assert_int_equal(uvm_kata_verity_to_params(&k, &q, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "64 hex digits"));
	uvm_kata_verity_done(&k);
}

static void test_params_check(void **state)
{
	struct uvm_verity_params p;
	struct uvm_error err = {};
	uvm_verity_params_init(&p);
	assert_int_equal(uvm_verity_params_check(&p, &err), 0);
	p.data_block_size = 3000;
	assert_int_equal(uvm_verity_params_check(&p, &err), -EINVAL);
	uvm_verity_params_init(&p);
	snprintf(p.hash_name, sizeof(p.hash_name), "md5");
	assert_int_equal(uvm_verity_params_check(&p, &err), -EINVAL);
	uvm_verity_params_init(&p);
	p.hash_offset = 1000;
	assert_int_equal(uvm_verity_params_check(&p, &err), -EINVAL);
	/* derivation is a pure function of the seed */
	{
		uint8_t seed[32] = { 1 };
		struct uvm_verity_params a, b;
		uvm_verity_params_init(&a);
		uvm_verity_params_init(&b);
		assert_int_equal(uvm_verity_params_derive(&a, seed), 0);
		assert_int_equal(uvm_verity_params_derive(&b, seed), 0);
		assert_int_equal(a.salt_size, 32);
		assert_memory_equal(a.salt, b.salt, 32);
		assert_memory_equal(a.uuid, b.uuid, 16);
		seed[0] = 2;
		assert_int_equal(uvm_verity_params_derive(&b, seed), 0);
		assert_memory_not_equal(a.salt, b.salt, 32);
	}
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
		cmocka_unit_test(test_tree_vectors),
		cmocka_unit_test(test_verify_names_block),
		cmocka_unit_test(test_padded),
		cmocka_unit_test(test_tree_sizes),
		cmocka_unit_test(test_kata_strings),
		cmocka_unit_test(test_kata_parser),
		cmocka_unit_test(test_kata_roundtrip),
		cmocka_unit_test(test_params_check),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
