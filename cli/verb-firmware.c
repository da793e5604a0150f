/* verb-firmware.c — `uvmkit firmware build|pin`: AmdSev OVMF from the pinned
 * edk2 source, reproducibly (builder/firmware.h, specs/firmware.md). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builder/firmware.h"
#include "builddirs.h"
#include "cli.h"
#include "common/fileio.h"
#include "common/hex.h"

static void usage(void)
{
	puts("Usage: uvmkit firmware build -o DIR [OPTIONS]\n"
	     "       uvmkit firmware pin\n"
	     "Build AmdSev OVMF (OvmfPkg/AmdSev/AmdSevX64.dsc, RELEASE, GCC5) from the\n"
	     "pinned Debian edk2 source tarballs (sha256-checked first) under a fixed\n"
	     "workspace path, and write DIR/OVMF.fd and DIR/firmware.json (source\n"
	     "digests, patches, toolchain versions, output digests, sections).\n"
	     "`pin` prints the compiled-in pin (tarball names and sha256s).\n\n"
	     "  -o, --output DIR        output directory (created only on success)\n"
	     "      --source-dir DIR    where the tarballs are (default:\n"
	     "                          $XDG_CACHE_HOME/uvmkit/downloads, i.e. where\n"
	     "                          tools/fetch-edk2.sh puts them)\n"
	     "      --pin FILE          use this pin file instead of the built-in one\n"
	     "      --cache-dir DIR     build cache (default: $XDG_CACHE_HOME/uvmkit)\n"
	     "      --no-cache          always build, do not store the result\n"
	     "      --work-dir DIR      scratch parent (default: $TMPDIR or /var/tmp)\n"
	     "      --keep-work-dir     keep the unpacked tree and build.log\n"
	     "      --workspace PATH    the fixed edk2 workspace symlink (default\n"
	     "                          " UVM_FIRMWARE_WORKSPACE "); changes the output\n"
	     "  -j, --jobs N            parallel jobs (default 2)\n"
	     "      --json[=MODE]       print the result as JSON (pretty, short)\n"
	     "  -h, --help              this text\n\n"
	     "Prints ovmf, size, sha256, sha384, cache (hit/miss), key, seconds.");
}

static int load_pin(const char *file, struct uvm_firmware_pin *pin)
{
	struct uvm_error err = { 0 };
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r;
	if (file) {
		r = uvm_read_file(file, 1 << 16, &buf, &len, &err);
		if (r < 0)
			return log_lib_error(&err, r, "--pin");
	}
	r = uvm_firmware_pin_parse(file ? (const char *)buf
					: uvm_firmware_default_pin,
				   file ? file : "built-in pin", pin, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);
	return 0;
}

static int run_build(int argc, char **argv)
{
	const char *out = NULL, *pin_file = NULL, *workspace = NULL;
	_cleanup_free_ char *source_dir = NULL, *cache_dir = NULL,
			    *work_dir = NULL;
	bool no_cache = false, keep = false;
	unsigned jobs = 2;
	enum uvm_json_mode json = UVM_JSON_OFF;
	enum { OPT_SRC = 256, OPT_PIN, OPT_CACHE, OPT_NOCACHE, OPT_WORK,
	       OPT_KEEP, OPT_WS, OPT_JSON };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "source-dir", required_argument, NULL, OPT_SRC },
		{ "pin", required_argument, NULL, OPT_PIN },
		{ "cache-dir", required_argument, NULL, OPT_CACHE },
		{ "no-cache", no_argument, NULL, OPT_NOCACHE },
		{ "work-dir", required_argument, NULL, OPT_WORK },
		{ "keep-work-dir", no_argument, NULL, OPT_KEEP },
		{ "workspace", required_argument, NULL, OPT_WS },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", optional_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;
	while ((c = getopt_long(argc, argv, "o:j:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_SRC:
		case OPT_CACHE:
		case OPT_WORK: {
			char **slot = c == OPT_SRC	   ? &source_dir
				      : c == OPT_CACHE ? &cache_dir
						       : &work_dir;
			free(*slot);
			if (!(*slot = strdup(optarg)))
				return log_lib_error(NULL, -ENOMEM, NULL);
			break;
		}
		case OPT_PIN:
			pin_file = optarg;
			break;
		case OPT_NOCACHE:
			no_cache = true;
			break;
		case OPT_KEEP:
			keep = true;
			break;
		case OPT_WS:
			if (optarg[0] != '/')
				return log_usage("--workspace: expected an absolute "
						 "path, got '%s'",
						 optarg);
			workspace = optarg;
			break;
		case 'j':
			if (cli_parse_jobs(optarg, &jobs) < 0)
				return EXIT_USAGE;
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
	if (optind < argc)
		return log_usage("unexpected argument '%s'", argv[optind]);
	if (!out)
		return log_usage("-o/--output is required");
	if (no_cache && cache_dir)
		return log_usage("--cache-dir and --no-cache exclude each other");
	if (!source_dir && !(source_dir = cli_user_cache("downloads")))
		return log_lib_error(NULL, -ENOMEM, NULL);
	if (!no_cache && !cache_dir && !(cache_dir = cli_user_cache(NULL)))
		return log_lib_error(NULL, -ENOMEM, NULL);
	if (!work_dir) {
		const char *t = getenv("TMPDIR");
		if (!(work_dir = strdup(t && *t ? t : "/var/tmp")))
			return log_lib_error(NULL, -ENOMEM, NULL);
	}

	_cleanup_(uvm_firmware_pin_done) struct uvm_firmware_pin pin = { 0 };
	int r = load_pin(pin_file, &pin);
	if (r)
		return r;
	struct uvm_firmware_opts o = {
		.pin = &pin,
		.source_dir = source_dir,
		.out_dir = out,
		.cache_dir = no_cache ? NULL : cache_dir,
		.work_parent = work_dir,
		.workspace = workspace,
		.jobs = jobs,
		.keep_work = keep,
	};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_info("building AmdSev OVMF from %s %s (cache: %s)", pin.package,
		 pin.version, o.cache_dir ? o.cache_dir : "none");
	struct uvm_error err = { 0 };
	_cleanup_(uvm_firmware_result_done) struct uvm_firmware_result res = { 0 };
	r = uvm_firmware_build(&o, &res, &err);
	if (r < 0)
		return log_lib_error(&err, r, "firmware build");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (res.work_dir)
		log_info("work directory kept: %s", res.work_dir);

	char s256[65], s384[97];
	uvm_hex_encode(res.ovmf_sha256, 32, s256);
	uvm_hex_encode(res.ovmf_sha384, 48, s384);
	if (json) {
		_cleanup_json_ json_t *j = json_pack(
			"{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:f}", "ovmf",
			res.ovmf_path, "firmware_json", res.json_path, "size",
			(json_int_t)res.ovmf_size, "sha256", s256, "sha384", s384,
			"cache", res.cache_hit ? "hit" : "miss", "key", res.key,
			"seconds", secs);
		return j && uvm_json_dump(j, stdout, json) == 0 ? EXIT_OK
								: EXIT_FAIL;
	}
	printf("ovmf=%s\nfirmware_json=%s\nsize=%" PRIu64
	       "\nsha256=%s\nsha384=%s\ncache=%s\nkey=%s\nseconds=%.1f\n",
	       res.ovmf_path, res.json_path, res.ovmf_size, s256, s384,
	       res.cache_hit ? "hit" : "miss", res.key, secs);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	if (argc < 2)
		return log_usage("expected a subcommand: build or pin");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage();
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "pin")) {
		if (argc > 2)
			return log_usage("pin takes no arguments");
		fputs(uvm_firmware_default_pin, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "build"))
		return run_build(argc - 1, argv + 1);
	return log_usage("unknown subcommand '%s' (build or pin)", argv[1]);
}

UVM_VERB(firmware, "firmware",
	 "build AmdSev OVMF reproducibly from the pinned edk2 source", run);
