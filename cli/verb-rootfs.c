/* verb-rootfs.c — `uvmkit rootfs`: layer SOURCEs into a tree and write the
 * reproducible dm-verity root filesystem (builder/rootfs.h) into a
 * directory: rootfs.img, root_hash.txt, cmdline.txt, verity.json. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "builder/rootfs.h"
#include "cli.h"
#include "source-args.h"
#include "common/hex.h"

/* "N", "NK", "NM", "NG", "NT" (powers of 1024). */
static int parse_size(const char *s, uint64_t *ret)
{
	static const char units[] = "KMGT";
	char num[32];
	size_t len = strlen(s), shift = 0;
	const char *u;
	uint64_t v;

	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	if ((u = strchr(units, num[len - 1])) && num[len - 1]) {
		shift = 10 * (size_t)(u - units + 1);
		num[len - 1] = 0;
	}
	if (cli_parse_u64(num, UINT64_MAX >> shift, &v) < 0)
		return -EINVAL;
	*ret = v << shift;
	return 0;
}

static void usage(void)
{
	puts("Usage: uvmkit rootfs -o DIR [OPTIONS] SOURCE...\n"
	     "Layer the SOURCEs (later ones override earlier ones) into an ext4\n"
	     "filesystem protected by dm-verity and write DIR/rootfs.img,\n"
	     "root_hash.txt, cmdline.txt and verity.json (atomically).\n\n"
	     "SOURCE is a directory, a tar archive (plain, gzip, xz, zstd), an OCI\n"
	     "image layout directory or a .deb; prefix dir:, tar:, oci: or deb: to\n"
	     "skip detection.\n\n"
	     "  -o, --output DIR        output directory (created)\n"
	     "  -l, --layout L          kata (default): MBR, p1 ext4 at 1 MiB, p2 tree;\n"
	     "                          gpt: Discoverable Partitions, verity superblock;\n"
	     "                          none: rootfs.img = ext4, rootfs.verity = tree\n"
	     "  -s, --size SIZE         filesystem size (bytes, or K/M/G/T; multiple of\n"
	     "                          4096); default: content + metadata + slack;\n"
	     "                          kata: at least this, the filesystem fills p1\n"
	     "      --seed HEX          build seed, 64 hex digits (default: a hash of the\n"
	     "                          tree's content and the options)\n"
	     "      --epoch N           every timestamp (default: $SOURCE_DATE_EPOCH, else 0)\n"
	     "      --uid N, --gid N    owner of directory-source entries (default 0:0)\n"
	     "      --force-owner       also use --uid/--gid for archive entries\n"
	     "      --align-mib N       Kata disk size alignment in MiB (default 128)\n"
	     "      --verify            re-read the written image and check its tree\n"
	     "      --json[=MODE]       print the result as JSON (pretty, short)\n"
	     "  -h, --help              this text\n\n"
	     "Prints layout, image path, root hash, salt, seed, tree digest (\"-\" with\n"
	     "--seed: it is computed only to derive the default seed) and sizes.");
}

static int print_result(const char *out, enum uvm_disk_layout layout,
			const struct uvm_rootfs_result *res, uint64_t epoch,
			enum uvm_json_mode json)
{
	char root[2 * UVM_VERITY_DIGEST_MAX + 1], salt[2 * UVM_VERITY_SALT_MAX + 1];
	char seed[65], digest[65];
	const struct uvm_ext4_stats *s = &res->ext4;

	uvm_hex_encode(res->verity.root_hash, res->verity.root_hash_size, root);
	uvm_hex_encode(res->verity.salt, res->verity.salt_size, salt);
	uvm_hex_encode(res->seed, 32, seed);
	if (res->have_tree_digest)
		uvm_hex_encode(res->tree_digest, 32, digest);
	else
		strcpy(digest, "-"); /* not computed with --seed */
	if (json) {
		_cleanup_json_ json_t *o = json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"layout", uvm_disk_layout_name(layout), "output", out,
			"root_hash", root, "salt", salt, "seed", seed,
			"tree_digest", digest, "epoch", (json_int_t)epoch,
			"entries", (json_int_t)res->entries,
			"fs_bytes", (json_int_t)s->fs_bytes,
			"fs_blocks_used", (json_int_t)s->blocks_used,
			"data_blocks", (json_int_t)res->verity.data_blocks,
			"inodes_used", (json_int_t)s->inodes_used,
			"htree_dirs", (json_int_t)s->htree_dirs);
		return o && uvm_json_dump(o, stdout, json) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	printf("layout=%s\nimage=%s/rootfs.img\nroot_hash=%s\nsalt=%s\nseed=%s\n"
	       "tree_digest=%s\nepoch=%" PRIu64 "\nentries=%zu\nfs_bytes=%" PRIu64
	       "\nfs_blocks_used=%" PRIu64 "\ndata_blocks=%" PRIu64 "\n",
	       uvm_disk_layout_name(layout), out, root, salt, seed, digest, epoch,
	       res->entries, s->fs_bytes, s->blocks_used, res->verity.data_blocks);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	enum { OPT_SEED = 256, OPT_ALIGN, OPT_VERIFY, OPT_JSON };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "layout", required_argument, NULL, 'l' },
		{ "size", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, OPT_SEED },
		CLI_SOURCE_OPTIONS,
		{ "align-mib", required_argument, NULL, OPT_ALIGN },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		{ "json", optional_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct uvm_rootfs_opts ro = { .layout = UVM_LAYOUT_KATA };
	struct cli_source_args sa = { .so = { .strict = true } };
	enum uvm_json_mode json = UVM_JSON_OFF;
	const char *out = NULL;
	uint64_t v;
	int c, k;

	while ((c = getopt_long(argc, argv, "o:l:s:h", opts, NULL)) >= 0) {
		if ((k = cli_source_option(c, optarg, &sa)) != 0) {
			if (k < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'l':
			if (uvm_disk_layout_parse(optarg, &ro.layout) < 0)
				return log_usage("--layout: expected kata, gpt or none, got '%s'",
						 optarg);
			break;
		case 's':
			if (parse_size(optarg, &ro.size) < 0 || ro.size == 0 ||
			    ro.size % UVM_EXT4_BLOCK_SIZE)
				return log_usage("--size: expected a multiple of 4096 "
						 "bytes (or K/M/G/T), got '%s'", optarg);
			break;
		case OPT_SEED:
			if (uvm_hex_decode(optarg, ro.seed, 32) < 0)
				return log_usage("--seed: expected 64 hex digits");
			ro.have_seed = true;
			break;
		case OPT_ALIGN:
			if (cli_parse_u64(optarg, 1u << 20, &v) < 0 || v == 0)
				return log_usage("--align-mib: '%s' is not a size in MiB",
						 optarg);
			ro.align_mib = (uint32_t)v;
			break;
		case OPT_VERIFY:
			ro.verify = true;
			break;
		case OPT_JSON:
			if (cli_parse_json(optarg, &json) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage();
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (cli_source_finish(out, argc - optind, &sa) < 0)
		return EXIT_USAGE;
	ro.epoch = sa.epoch;

	size_t n = (size_t)(argc - optind);
	_cleanup_free_ struct uvm_rootfs_source *src = calloc(n, sizeof(*src));
	if (!src)
		return log_lib_error(NULL, -ENOMEM, "rootfs");
	for (size_t i = 0; i < n; i++)
		uvm_source_parse_arg(argv[optind + (int)i], &src[i].kind, &src[i].path);

	struct uvm_error err = { 0 };
	struct uvm_rootfs_result res;
	const char *tmp = getenv("TMPDIR");
	int r = uvm_rootfs_build(src, n, &sa.so, tmp && *tmp ? tmp : NULL, &ro, out,
				 &res, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);
	return print_result(out, ro.layout, &res, ro.epoch, json);
}

UVM_VERB(rootfs, "rootfs",
	 "layer SOURCEs into a reproducible dm-verity ext4 root filesystem", run);
