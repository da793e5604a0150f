/* verb-verity.c — `uvmkit verity format|verify`: dm-verity hash trees for
 * images made elsewhere, with veritysetup's options and output, but never a
 * random salt or UUID (they come from --salt/--uuid or --seed). */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "../builder/verity.h"
#include "../common/hash.h"
#include "../common/hex.h"
#include "../common/fileio.h"
#include <unistd.h>
#include "../common/uuid.h"

static const char usage_text[] =
	"Usage: uvmkit verity format DATA HASH [OPTIONS]\n"
	"       uvmkit verity verify DATA HASH ROOTHASH [OPTIONS]\n"
	"       uvmkit verity cmdline KERNEL_VERITY_PARAMS|@ROOT_HASH_TXT\n"
	"Compute (format) or check (verify) the dm-verity hash tree of DATA in\n"
	"HASH, as veritysetup does, reproducibly.\n"
	"  --salt HEX            salt (default: derived from --seed)\n"
	"  --uuid UUID           superblock UUID (default: derived from --seed)\n"
	"  --seed HEX            64 hex digits: derive salt and UUID\n"
	"  --no-superblock       no verity superblock (Kata's layout)\n"
	"  --hash-offset N       bytes into HASH where the hash area starts\n"
	"  --data-offset N       bytes into DATA where the data starts\n"
	"  --data-blocks N       blocks of DATA covered (default: all)\n"
	"  --hash ALG            sha256 (default), sha1, sha512\n"
	"  --data-block-size N   4096 (default)\n"
	"  --hash-block-size N   4096 (default)\n"
	"  --json[=pretty|short] print the parameters as JSON\n"
	"verify reads the parameters from the superblock unless --no-superblock;\n"
	"it exits 1 naming the first corrupted data or hash block.\n"
	"cmdline checks Kata's kernel_verity_params (or a root_hash.txt) with\n"
	"the Kata runtime's rules and prints the kernel command line it gives.\n";

struct args {
	bool have_salt, have_uuid, have_seed, have_blocks, have_alg, have_dbs,
		have_hbs;
	uint8_t seed[32];
	uint64_t data_offset;
	enum uvm_json_mode json;
	struct uvm_verity_params p;
};

static int parse_u64_arg(const char *name, const char *s, uint64_t *ret)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-' || (*ret = strtoull(s, &end, 0), errno) || *end)
		return log_usage("--%s: '%s' is not a number", name, s);
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "salt", required_argument, NULL, 's' },
		{ "uuid", required_argument, NULL, 'u' },
		{ "seed", required_argument, NULL, 'S' },
		{ "no-superblock", no_argument, NULL, 'n' },
		{ "hash-offset", required_argument, NULL, 'o' },
		{ "data-offset", required_argument, NULL, 'O' },
		{ "data-blocks", required_argument, NULL, 'b' },
		{ "hash", required_argument, NULL, 'a' },
		{ "data-block-size", required_argument, NULL, 'd' },
		{ "hash-block-size", required_argument, NULL, 'H' },
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	uint64_t v;
	_cleanup_free_ uint8_t *salt = NULL;
	size_t salt_len;
	int c;

	uvm_verity_params_init(&a->p);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		switch (c) {
		case 's':
			free(salt);
			salt = NULL;
			if (strcmp(optarg, "-") == 0) {
				salt_len = 0;
			} else if (uvm_hex_decode_alloc(optarg, &salt, &salt_len) < 0 ||
				   salt_len > UVM_VERITY_SALT_MAX)
				return log_usage("--salt: expected at most %d bytes "
						 "of hex", UVM_VERITY_SALT_MAX);
			memcpy(a->p.salt, salt, salt_len);
			a->p.salt_size = salt_len;
			a->have_salt = true;
			break;
		case 'u':
			if (uvm_uuid_parse(optarg, a->p.uuid) < 0)
				return log_usage("--uuid: '%s' is not a UUID", optarg);
			a->have_uuid = true;
			break;
		case 'S':
			if (uvm_hex_decode(optarg, a->seed, 32) < 0)
				return log_usage("--seed: expected 64 hex digits");
			a->have_seed = true;
			break;
		case 'n':
			a->p.superblock = false;
			break;
		case 'o':
			if (parse_u64_arg("hash-offset", optarg, &a->p.hash_offset))
				return EXIT_USAGE;
			break;
		case 'O':
			if (parse_u64_arg("data-offset", optarg, &a->data_offset))
				return EXIT_USAGE;
			break;
		case 'b':
			if (parse_u64_arg("data-blocks", optarg, &a->p.data_blocks))
				return EXIT_USAGE;
			if (!a->p.data_blocks)
				return log_usage("--data-blocks must not be 0");
			a->have_blocks = true;
			break;
		case 'a':
			if (strlen(optarg) >= sizeof(a->p.hash_name))
				return log_usage("--hash: unknown '%s'", optarg);
			snprintf(a->p.hash_name, sizeof(a->p.hash_name), "%s", optarg);
			a->have_alg = true;
			break;
		case 'd':
		case 'H':
			if (parse_u64_arg(c == 'd' ? "data-block-size" : "hash-block-size",
					  optarg, &v))
				return EXIT_USAGE;
			if (v > UINT32_MAX)
				return log_usage("block size %s too large", optarg);
			if (c == 'd')
				a->p.data_block_size = (uint32_t)v, a->have_dbs = true;
			else
				a->p.hash_block_size = (uint32_t)v, a->have_hbs = true;
			break;
		case 'j':
			if (cli_parse_json(optarg, &a->json) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	return 0;
}

static void print_params(const char *hash_path, const struct uvm_verity_params *p)
{
	char uuid[37] = "", salt[2 * UVM_VERITY_SALT_MAX + 1],
	     root[2 * UVM_VERITY_DIGEST_MAX + 1];
	uint64_t blocks = 0, area = 0;

	(void)uvm_verity_tree_blocks(p, &blocks);
	(void)uvm_verity_hash_area_size(p, &area);
	if (p->superblock)
		uvm_uuid_format(p->uuid, uuid);
	uvm_hex_encode(p->salt, p->salt_size, salt);
	uvm_hex_encode(p->root_hash, p->root_hash_size, root);
	/* veritysetup's layout, so scripts that parse it (Kata's
	 * image_builder.sh) read ours too. */
	printf("VERITY header information for %s\n", hash_path);
	printf("UUID:            \t%s\n", uuid);
	printf("Hash type:       \t%" PRIu32 "\n", p->hash_type);
	printf("Data blocks:     \t%" PRIu64 "\n", p->data_blocks);
	printf("Data block size: \t%" PRIu32 "\n", p->data_block_size);
	printf("Hash blocks:     \t%" PRIu64 "\n", blocks);
	printf("Hash block size: \t%" PRIu32 "\n", p->hash_block_size);
	printf("Hash algorithm:  \t%s\n", p->hash_name);
	printf("Salt:            \t%s\n", p->salt_size ? salt : "-");
	printf("Root hash:      \t%s\n", root);
	printf("Hash device size: \t%" PRIu64 " [bytes]\n", p->hash_offset + area);
}

static int do_format(struct args *a, char **pos)
{
	struct uvm_error err = {};
	int r;

	if (!a->have_salt && !a->have_seed)
		return log_usage("give --salt or --seed (uvmkit never picks a "
				 "random salt)");
	if (a->have_seed) {
		struct uvm_verity_params d = a->p;
		if (uvm_verity_params_derive(&d, a->seed) < 0)
			return log_lib_error(NULL, -EIO, "deriving from --seed");
		if (!a->have_salt)
			memcpy(a->p.salt, d.salt, d.salt_size),
				a->p.salt_size = d.salt_size;
		if (!a->have_uuid)
			memcpy(a->p.uuid, d.uuid, 16);
	} else if (!a->have_uuid && a->p.superblock) {
		/* No seed: the UUID follows from the salt, never random. */
		uint8_t s[32];
		if (uvm_sha256(a->p.salt, a->p.salt_size, s) < 0 ||
		    uvm_derive_uuid(s, "verity-uuid", a->p.uuid) < 0)
			return log_lib_error(NULL, -EIO, "deriving the UUID");
	}
	{
		/* A new HASH file is written atomically; an existing one (a
		 * device, or DATA itself with --hash-offset) in place, as
		 * veritysetup does. */
		_cleanup_(uvm_atomic_abort) struct uvm_atomic_file f = { .fd = -1 };
		const char *hash_path = pos[1];
		if (access(pos[1], F_OK) < 0 && errno == ENOENT) {
			r = uvm_atomic_open(&f, pos[1], 0644, &err);
			if (r < 0)
				return log_lib_error(&err, r, "format");
			hash_path = f.tmp_path;
		}
		r = uvm_verity_format(pos[0], a->data_offset, hash_path, &a->p, &err);
		if (r >= 0 && f.tmp_path)
			r = uvm_atomic_commit(&f, &err);
		if (r < 0)
			return log_lib_error(&err, r, "format");
	}
	if (a->json) {
		uint64_t area = 0;
		_cleanup_json_ json_t *o = uvm_verity_params_json(&a->p);
		(void)uvm_verity_hash_area_size(&a->p, &area);
		if (!o || json_object_set_new(o, "hash_device_size",
					      json_integer((json_int_t)(a->p.hash_offset + area))))
			return log_lib_error(NULL, -ENOMEM, "json");
		return uvm_json_dump(o, stdout, a->json) ? EXIT_FAIL : EXIT_OK;
	}
	print_params(pos[1], &a->p);
	return EXIT_OK;
}

static int do_verify(struct args *a, char **pos)
{
	struct uvm_error err = {};
	struct uvm_verity_params p = a->p;
	size_t len = strlen(pos[2]) / 2;
	int r;

	if (p.superblock) {
		r = uvm_verity_read_superblock(pos[1], p.hash_offset, &p, &err);
		if (r < 0)
			return log_lib_error(&err, r, "verify");
		if ((a->have_salt && (p.salt_size != a->p.salt_size ||
				      memcmp(p.salt, a->p.salt, p.salt_size))) ||
		    (a->have_uuid && memcmp(p.uuid, a->p.uuid, 16)) ||
		    (a->have_blocks && p.data_blocks != a->p.data_blocks) ||
		    (a->have_alg && strcmp(p.hash_name, a->p.hash_name)) ||
		    (a->have_dbs && p.data_block_size != a->p.data_block_size) ||
		    (a->have_hbs && p.hash_block_size != a->p.hash_block_size)) {
			log_error("verify: the options disagree with the "
				  "superblock of %s", pos[1]);
			return EXIT_FAIL;
		}
	} else {
		if (!a->have_salt)
			return log_usage("--no-superblock needs --salt");
		if (!p.data_blocks) {
			/* as format: all of DATA after the offset */
			struct stat st;
			if (stat(pos[0], &st) < 0 || (uint64_t)st.st_size <= a->data_offset ||
			    !p.data_block_size) {
				log_error("verify: %s: cannot size the data (give --data-blocks)",
					  pos[0]);
				return EXIT_FAIL;
			}
			p.data_blocks = ((uint64_t)st.st_size - a->data_offset) /
					p.data_block_size;
		}
	}
	if (len > UVM_VERITY_DIGEST_MAX || strlen(pos[2]) % 2 ||
	    uvm_hex_decode(pos[2], p.root_hash, len) < 0)
		return log_usage("ROOTHASH: '%s' is not hex", pos[2]);
	p.root_hash_size = len;
	r = uvm_verity_verify(pos[0], a->data_offset, pos[1], &p, &err);
	if (r < 0) {
		log_lib_error(&err, r, "verify %s", pos[0]);
		return EXIT_FAIL;
	}
	if (a->json) {
		_cleanup_json_ json_t *o = uvm_verity_params_json(&p);
		if (!o || json_object_set_new(o, "verified", json_true()))
			return log_lib_error(NULL, -ENOMEM, "json");
		return uvm_json_dump(o, stdout, a->json) ? EXIT_FAIL : EXIT_OK;
	}
	return EXIT_OK;
}

static int do_cmdline(const char *arg)
{
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_free_ char *cmd = NULL;
	struct uvm_verity_params p;
	struct uvm_kata_verity k;
	struct uvm_error err = {};
	const char *s = arg;
	int r;

	if (arg[0] == '@') {
		size_t len;
		r = uvm_read_file(arg + 1, 1 << 16, &buf, &len, &err);
		if (r < 0)
			return log_lib_error(&err, r, "cmdline");
		s = (const char *)buf;
	}
	r = uvm_kata_verity_parse(s, &k, &err);
	if (r < 0)
		return log_lib_error(&err, r, "cmdline");
	if (r == 0) {
		/* Kata without verity */
		puts("root=/dev/vda1 rootflags=data=ordered,errors=remount-ro ro "
		     "rootfstype=ext4");
		return EXIT_OK;
	}
	r = uvm_kata_verity_to_params(&k, &p, &err);
	uvm_kata_verity_done(&k);
	if (r < 0)
		return log_lib_error(&err, r, "cmdline");
	r = uvm_verity_kata_cmdline(&p, &cmd);
	if (r < 0)
		return log_lib_error(NULL, r, "cmdline");
	puts(cmd);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct args a = {};
	bool format;
	int r, npos;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc < 2)
			return log_usage("expected 'format' or 'verify'");
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "cmdline") == 0) {
		if (argc != 3)
			return log_usage("cmdline takes one argument");
		return do_cmdline(argv[2]);
	}
	if (strcmp(argv[1], "format") == 0)
		format = true, npos = 2;
	else if (strcmp(argv[1], "verify") == 0)
		format = false, npos = 3;
	else
		return log_usage("unknown action '%s' (format, verify or cmdline)", argv[1]);
	r = parse_args(argc - 1, argv + 1, &a);
	if (r < 0)
		return EXIT_OK; /* --help */
	if (r > 0)
		return r;
	if (argc - 1 - optind != npos)
		return log_usage("%s takes %d arguments", argv[1], npos);
	return format ? do_format(&a, argv + 1 + optind)
		      : do_verify(&a, argv + 1 + optind);
}

UVM_VERB(verity, "verity", "compute or check a dm-verity hash tree", run);
