/* verb-disk.c — `uvmkit disk`: turn an ext4 image into the verity root disk
 * (Kata MBR, DPS GPT or bare files) plus root_hash.txt, cmdline.txt and
 * verity.json — the same library call `uvmkit rootfs` ends with. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "../builder/disk.h"
#include "../common/hash.h"
#include "../common/hex.h"

static const char usage_text[] =
	"Usage: uvmkit disk [--layout kata|gpt|none] -o DIR EXT4IMAGE [OPTIONS]\n"
	"Write DIR/rootfs.img (+ rootfs.verity for --layout none), root_hash.txt,\n"
	"cmdline.txt and verity.json from an ext4 image.\n"
	"  -l, --layout L        kata (default): MBR p1 ext4 at 1 MiB, p2 tree;\n"
	"                        gpt: Discoverable Partitions with verity superblock;\n"
	"                        none: rootfs.img = the ext4 image, rootfs.verity\n"
	"  -o, --output DIR      output directory (created)\n"
	"  --seed HEX            64 hex digits: salt, UUIDs, disk signature\n"
	"                        (default: SHA-256 of EXT4IMAGE)\n"
	"  --align-mib N         Kata image size alignment (default 128)\n"
	"  --verify              re-read the written image and check its tree\n"
	"  --json[=pretty|short] print verity.json on stdout\n";

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "layout", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 'S' },
		{ "align-mib", required_argument, NULL, 'a' },
		{ "verify", no_argument, NULL, 'V' },
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum uvm_disk_layout layout = UVM_LAYOUT_KATA;
	enum uvm_json_mode json = UVM_JSON_OFF;
	struct uvm_disk_opts dopts = {};
	struct uvm_verity_params p;
	struct uvm_error err = {};
	const char *out = NULL;
	uint8_t seed[32];
	bool have_seed = false;
	char root[2 * UVM_VERITY_DIGEST_MAX + 1];
	char *end;
	unsigned long v;
	int c, r;

	while ((c = getopt_long(argc, argv, "hl:o:", opts, NULL)) >= 0) {
		switch (c) {
		case 'l':
			if (uvm_disk_layout_parse(optarg, &layout) < 0)
				return log_usage("--layout: expected kata, gpt or none");
			break;
		case 'o':
			out = optarg;
			break;
		case 'S':
			if (uvm_hex_decode(optarg, seed, 32) < 0)
				return log_usage("--seed: expected 64 hex digits");
			have_seed = true;
			break;
		case 'a':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || v > 1u << 20)
				return log_usage("--align-mib: '%s' is not a size in MiB",
						 optarg);
			dopts.align_mib = (uint32_t)v;
			break;
		case 'V':
			dopts.verify = true;
			break;
		case 'j':
			if (cli_parse_json(optarg, &json) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (!out)
		return log_usage("-o DIR is required");
	if (argc - optind != 1)
		return log_usage("expected one EXT4IMAGE");
	if (!have_seed) {
		r = uvm_file_digests(argv[optind], seed, NULL, &err);
		if (r < 0)
			return log_lib_error(&err, r, "%s", argv[optind]);
	}
	r = uvm_disk_write_dir(argv[optind], layout, seed, &dopts, out, &p, &err);
	if (r < 0)
		return log_lib_error(&err, r, "%s", argv[optind]);
	if (json) {
		_cleanup_free_ char *path = NULL;
		_cleanup_json_ json_t *o = NULL;
		if (asprintf(&path, "%s/verity.json", out) < 0)
			return log_lib_error(NULL, -ENOMEM, "json");
		o = json_load_file(path, 0, NULL);
		if (!o)
			return log_lib_error(NULL, -EIO, "%s", path);
		return uvm_json_dump(o, stdout, json) ? EXIT_FAIL : EXIT_OK;
	}
	uvm_hex_encode(p.root_hash, p.root_hash_size, root);
	printf("layout=%s\nimage=%s/rootfs.img\nroot_hash=%s\n",
	       uvm_disk_layout_name(layout), out, root);
	return EXIT_OK;
}

UVM_VERB(disk, "disk", "assemble the verity root disk from an ext4 image", run);
