/* verb-initrd.c — `uvmkit initrd`: layer SOURCEs into a tree and write it
 * as a reproducible newc cpio initramfs (builder/initrd.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builder/initrd.h"
#include "builder/source.h"
#include "builder/tree-digest.h"
#include "cli.h"
#include "source-args.h"
#include "common/hash.h"
#include "common/hex.h"

static void usage(void)
{
	puts("Usage: uvmkit initrd -o FILE [OPTIONS] SOURCE...\n"
	     "Layer the SOURCEs (later ones override earlier ones) and write them\n"
	     "as a reproducible newc cpio initramfs.\n\n"
	     "SOURCE is a directory, a tar archive (plain, gzip, xz, zstd), an OCI\n"
	     "image layout directory or a .deb; prefix dir:, tar:, oci: or deb: to\n"
	     "skip detection.\n\n"
	     "  -o, --output FILE       the initramfs to write (atomically)\n"
	     "  -c, --compress KIND     gzip (default), zstd or none\n"
	     "      --epoch N           every mtime (default: $SOURCE_DATE_EPOCH, else 0)\n"
	     "      --uid N, --gid N    owner of directory-source entries (default 0:0)\n"
	     "      --force-owner       also use --uid/--gid for archive entries\n"
	     "      --json[=MODE]       print the result as JSON (pretty, short)\n"
	     "  -h, --help              this text\n\n"
	     "Prints path, size, sha256, entry count and the tree digest.");
}

static int run(int argc, char **argv)
{
	const char *out = NULL;
	enum uvm_compress comp = UVM_COMPRESS_GZIP;
	enum uvm_json_mode json = UVM_JSON_OFF;
	struct cli_source_args sa = { 0 };
	enum { OPT_JSON = 256 };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "compress", required_argument, NULL, 'c' },
		CLI_SOURCE_OPTIONS,
		{ "json", optional_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, k;
	while ((c = getopt_long(argc, argv, "o:c:h", opts, NULL)) >= 0) {
		if ((k = cli_source_option(c, optarg, &sa)) != 0) {
			if (k < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'c':
			if (uvm_compress_from_name(optarg, &comp) < 0)
				return log_usage("--compress: expected gzip, "
						 "zstd or none, got '%s'",
						 optarg);
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
	uint64_t epoch = sa.epoch;

	struct uvm_error err = { 0 };
	const char *tmp = getenv("TMPDIR");
	_cleanup_(cleanup_tree) struct uvm_tree *t = NULL;
	int r = uvm_tree_new(tmp && *tmp ? tmp : NULL, &t, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);
	for (int i = optind; i < argc; i++) {
		enum uvm_source_kind kind;
		const char *path;
		uvm_source_parse_arg(argv[i], &kind, &path);
		r = uvm_source_add(t, path, kind, &sa.so, &err);
		if (r < 0)
			return log_lib_error(&err, r, NULL);
	}
	uint8_t tree_digest[32];
	r = uvm_tree_digest(t, tree_digest, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);
	r = uvm_initrd_write(t, out, comp, epoch, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);

	uint8_t sha[32];
	r = uvm_file_digests(out, sha, NULL, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);
	struct stat st;
	if (stat(out, &st) < 0)
		return log_lib_error(NULL, -errno, "%s", out);
	char shx[65], thx[65];
	uvm_hex_encode(sha, 32, shx);
	uvm_hex_encode(tree_digest, 32, thx);
	if (json) {
		_cleanup_json_ json_t *o = json_pack(
			"{s:s, s:s, s:I, s:s, s:I, s:I, s:s}", "path", out,
			"compress", uvm_compress_name(comp), "size",
			(json_int_t)st.st_size, "sha256", shx, "entries",
			(json_int_t)t->n_nodes, "epoch", (json_int_t)epoch,
			"tree_digest", thx);
		return o && uvm_json_dump(o, stdout, json) == 0 ? EXIT_OK
								 : EXIT_FAIL;
	}
	printf("path=%s\ncompress=%s\nsize=%lld\nsha256=%s\nentries=%zu\n"
	       "epoch=%" PRIu64 "\ntree_digest=%s\n",
	       out, uvm_compress_name(comp), (long long)st.st_size, shx,
	       t->n_nodes, epoch, thx);
	return EXIT_OK;
}

UVM_VERB(initrd, "initrd", "write SOURCEs as a reproducible newc cpio initramfs",
	 run);
