/* verb-kernel.c — `uvmkit kernel config|build`: merge kernel config
 * fragments with attribution and the survival check, and build the guest
 * kernel reproducibly (builder/kbuild.h). */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder/kbuild.h"
#include "builddirs.h"
#include "cli.h"
#include "source-args.h"
#include "common/cache.h"
#include "common/hex.h"

static void usage(void)
{
	puts("Usage: uvmkit kernel config -o FILE [OPTIONS] [FRAGMENT...]\n"
	     "       uvmkit kernel build -o DIR [--config FILE] [OPTIONS]\n\n"
	     "config: start from --base, apply the FRAGMENTs in order, run the\n"
	     "kernel's olddefconfig and fail naming every requested option that\n"
	     "did not survive. Writes FILE and FILE.sources (which fragment line\n"
	     "set each option). No FRAGMENT: the default set, kernel-config/*.conf.\n\n"
	     "build: out-of-tree `make bzImage` in a pinned environment; DIR gets\n"
	     "vmlinuz, kernel.config, toolchain.txt and kernel.json. Without\n"
	     "--config, the default fragments are merged first.\n\n"
	     "  -o, --output PATH         the config file (config) or directory (build)\n"
	     "      --base TARGET         tinyconfig (default), allnoconfig, defconfig, none\n"
	     "      --config FILE         a .config to build (from `kernel config`)\n"
	     "      --source TARBALL|DIR  kernel source (default: the pinned tarball);\n"
	     "                            a tarball must match the pin's sha256\n"
	     "      --pin FILE            default: kernel-config/linux-source.pin\n"
	     "      --kernel-config-dir DIR   fragments and pin (default: beside the\n"
	     "                            binary's source tree, ../kernel-config)\n"
	     "      --cache-dir DIR       build cache (default $XDG_CACHE_HOME/uvmkit\n"
	     "                            or ~/.cache/uvmkit)\n"
	     "      --no-cache            neither read nor write the cache\n"
	     "      --work-dir DIR        scratch parent (default: beside the output)\n"
	     "      --log FILE            keep make's full output\n"
	     "      --epoch N             build timestamp (default $SOURCE_DATE_EPOCH, else 0)\n"
	     "  -j, --jobs N              make -jN (default: online CPUs)\n"
	     "      --json[=MODE]         print the result as JSON (pretty, short)\n"
	     "  -h, --help                this text");
}

struct args {
	const char *out, *base, *config, *source, *pin, *kdir, *cache,
		*work, *log;
	bool no_cache;
	uint64_t epoch;
	unsigned jobs;
	enum uvm_json_mode json;
};

/* kernel-config/ of the source tree the binary was built in
 * (BUILDDIR/uvmkit -> ../kernel-config). */
static char *default_kdir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *p = NULL;
	if (asprintf(&p, "%s/../kernel-config", dirname(exe)) < 0)
		return NULL;
	char *real = realpath(p, NULL);
	free(p);
	return real;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	enum { O_BASE = 256, O_CONFIG, O_SOURCE, O_PIN, O_KDIR, O_CACHE,
	       O_NOCACHE, O_WORK, O_LOG, O_EPOCH, O_JSON };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "base", required_argument, NULL, O_BASE },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "pin", required_argument, NULL, O_PIN },
		{ "kernel-config-dir", required_argument, NULL, O_KDIR },
		{ "cache-dir", required_argument, NULL, O_CACHE },
		{ "no-cache", no_argument, NULL, O_NOCACHE },
		{ "work-dir", required_argument, NULL, O_WORK },
		{ "log", required_argument, NULL, O_LOG },
		{ "epoch", required_argument, NULL, O_EPOCH },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", optional_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool have_epoch = false;
	uint64_t v;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	a->jobs = ncpu > 0 ? (unsigned)MIN(ncpu, 256) : 1;
	int c;
	while ((c = getopt_long(argc, argv, "o:j:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'o': a->out = optarg; break;
		case O_BASE: a->base = optarg; break;
		case O_CONFIG: a->config = optarg; break;
		case O_SOURCE: a->source = optarg; break;
		case O_PIN: a->pin = optarg; break;
		case O_KDIR: a->kdir = optarg; break;
		case O_CACHE: a->cache = optarg; break;
		case O_NOCACHE: a->no_cache = true; break;
		case O_WORK: a->work = optarg; break;
		case O_LOG: a->log = optarg; break;
		case O_EPOCH:
			if (cli_parse_u64(optarg, UINT32_MAX, &a->epoch) < 0)
				return log_usage("--epoch: expected seconds "
						 "0..4294967295, got '%s'",
						 optarg);
			have_epoch = true;
			break;
		case 'j':
			if (cli_parse_u64(optarg, 256, &v) < 0 || v == 0)
				return log_usage("--jobs: expected 1..256, got "
						 "'%s'",
						 optarg);
			a->jobs = (unsigned)v;
			break;
		case O_JSON:
			if (cli_parse_json(optarg, &a->json) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage();
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	if (!a->out)
		return log_usage("-o/--output is required");
	if (a->no_cache && a->cache)
		return log_usage("--cache-dir and --no-cache exclude each other");
	if (!have_epoch) {
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		if (sde && cli_parse_u64(sde, UINT32_MAX, &a->epoch) < 0)
			return log_usage("SOURCE_DATE_EPOCH: expected seconds "
					 "0..4294967295, got '%s'",
					 sde);
	}
	return 0;
}

/* The shared part: pin, cache, PATH. Strings live in the returned
 * buffers, freed by the caller. */
struct ctx {
	struct uvm_kernel_pin pin;
	bool have_pin;
	char *kdir, *cache;
	const char *path;
	glob_t frags;
	bool have_frags;
};

static void ctx_done(struct ctx *x)
{
	if (x->have_pin)
		uvm_kernel_pin_done(&x->pin);
	if (x->have_frags)
		globfree(&x->frags);
	free(x->kdir);
	free(x->cache);
}

static int ctx_init(const struct args *a, struct ctx *x,
		    struct uvm_kernel_env *e)
{
	struct uvm_error err = { 0 };
	x->kdir = a->kdir ? strdup(a->kdir) : default_kdir();
	_cleanup_free_ char *pin = NULL;
	if (a->pin)
		pin = strdup(a->pin);
	else if (x->kdir && asprintf(&pin, "%s/linux-source.pin", x->kdir) < 0)
		pin = NULL;
	/* A directory source needs no pin; everything else does. */
	struct stat st;
	bool need_pin = !a->source || stat(a->source, &st) < 0 ||
			!S_ISDIR(st.st_mode);
	if (pin && (need_pin || a->pin)) {
		int r = uvm_kernel_pin_load(pin, &x->pin, &err);
		if (r < 0)
			return log_lib_error(&err, r, "pin");
		x->have_pin = true;
	} else if (need_pin) {
		log_error("no kernel-config directory found: give --pin or "
			  "--kernel-config-dir");
		return EXIT_USAGE;
	}
	if (!a->no_cache)
		x->cache = a->cache ? strdup(a->cache) : cli_user_cache(NULL);
	/* The caller's PATH would make the build depend on it: fixed. */
	x->path = UVM_KERNEL_PATH;
	*e = (struct uvm_kernel_env){
		.source = a->source,
		.pin = x->have_pin ? &x->pin : NULL,
		.cache_dir = x->cache,
		.work_dir = a->work,
		.path = x->path,
		.epoch = a->epoch,
		.jobs = a->jobs,
		.log_path = a->log,
	};
	return 0;
}

static int default_fragments(struct ctx *x)
{
	_cleanup_free_ char *pat = NULL;
	if (!x->kdir) {
		log_error("no kernel-config directory found: give FRAGMENTs or "
			  "--kernel-config-dir");
		return EXIT_USAGE;
	}
	if (asprintf(&pat, "%s/*.conf", x->kdir) < 0)
		return log_lib_error(NULL, -ENOMEM, NULL);
	if (glob(pat, 0, NULL, &x->frags) != 0 || x->frags.gl_pathc == 0) {
		log_error("no fragments match %s", pat);
		return EXIT_FAIL;
	}
	x->have_frags = true; /* glob sorts them: 00-base.conf first */
	return 0;
}

static int do_config(const struct args *a, int n, char **frags)
{
	_cleanup_(ctx_done) struct ctx x = { 0 };
	struct uvm_kernel_config_opts o = { .base = a->base, .output = a->out };
	int r = ctx_init(a, &x, &o.env);
	if (r != 0)
		return r;
	if (n == 0) {
		r = default_fragments(&x);
		if (r != 0)
			return r;
		frags = x.frags.gl_pathv;
		n = (int)x.frags.gl_pathc;
	}
	o.fragments = (const char *const *)frags;
	o.n_fragments = (size_t)n;
	struct uvm_error err = { 0 };
	r = uvm_kernel_config(&o, &err);
	if (r < 0)
		return log_lib_error(&err, r, "kernel config");
	if (a->json) {
		_cleanup_(cleanup_json) json_t *j = json_pack(
			"{s:s, s:s+, s:i}", "config", a->out, "sources",
			a->out, ".sources", "options", r);
		return j && uvm_json_dump(j, stdout, a->json) >= 0 ? EXIT_OK
								    : EXIT_FAIL;
	}
	printf("config=%s\nsources=%s.sources\noptions=%d\n", a->out, a->out,
	       r);
	return EXIT_OK;
}

static int do_build(const struct args *a)
{
	_cleanup_(ctx_done) struct ctx x = { 0 };
	struct uvm_kernel_build_opts o = { .config = a->config,
					   .output_dir = a->out };
	int r = ctx_init(a, &x, &o.env);
	if (r != 0)
		return r;
	struct uvm_error err = { 0 };
	_cleanup_free_ char *tmpdir = NULL, *cfg = NULL;
	if (!a->config) {
		/* Merge the default fragments into a scratch config first. */
		r = default_fragments(&x);
		if (r != 0)
			return r;
		_cleanup_free_ char *copy = strdup(a->out);
		if (!copy || asprintf(&tmpdir, "%s/.uvmkit-kconfig.XXXXXX",
				      a->work ? a->work : dirname(copy)) < 0)
			return log_lib_error(NULL, -ENOMEM, NULL);
		if (!mkdtemp(tmpdir)) {
			log_error("%s: %m", tmpdir);
			free(TAKE_PTR(tmpdir));
			return EXIT_FAIL;
		}
		if (asprintf(&cfg, "%s/kernel.config", tmpdir) < 0)
			return log_lib_error(NULL, -ENOMEM, NULL);
		struct uvm_kernel_config_opts co = {
			.env = o.env,
			.fragments = (const char *const *)x.frags.gl_pathv,
			.n_fragments = x.frags.gl_pathc,
			.output = cfg,
		};
		co.env.log_path = NULL;
		r = uvm_kernel_config(&co, &err);
		if (r < 0) {
			uvm_rm_rf(tmpdir);
			return log_lib_error(&err, r, "kernel config");
		}
		o.config = cfg;
	}
	struct uvm_kernel_result res;
	r = uvm_kernel_build(&o, &res, &err);
	if (tmpdir)
		uvm_rm_rf(tmpdir);
	if (r < 0)
		return log_lib_error(&err, r, "kernel build");
	char vsha[65], csha[65];
	uvm_hex_encode(res.vmlinuz_sha256, 32, vsha);
	uvm_hex_encode(res.config_sha256, 32, csha);
	if (a->json) {
		_cleanup_(cleanup_json) json_t *j = json_pack(
			"{s:s+, s:s, s:s, s:s, s:b}", "vmlinuz", a->out,
			"/vmlinuz", "vmlinuz_sha256", vsha, "config_sha256",
			csha, "cache_key", res.key, "cached", res.cached);
		return j && uvm_json_dump(j, stdout, a->json) >= 0 ? EXIT_OK
								    : EXIT_FAIL;
	}
	printf("vmlinuz=%s/vmlinuz\nvmlinuz_sha256=%s\nconfig_sha256=%s\n"
	       "cache_key=%s\ncached=%s\n",
	       a->out, vsha, csha, res.key, res.cached ? "yes" : "no");
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		usage();
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "config") != 0 && strcmp(sub, "build") != 0)
		return log_usage("unknown subcommand '%s' (config or build)",
				 sub);
	struct args a = { 0 };
	optind = 1;
	int r = parse_args(argc - 1, argv + 1, &a);
	if (r < 0)
		return EXIT_OK; /* --help */
	if (r > 0)
		return r;
	if (strcmp(sub, "config") == 0) {
		if (a.config)
			return log_usage("--config is for `kernel build`");
		return do_config(&a, argc - 1 - optind, argv + 1 + optind);
	}
	if (optind < argc - 1)
		return log_usage("kernel build takes no FRAGMENT (use "
				 "`kernel config`, then --config)");
	if (a.base)
		return log_usage("--base is for `kernel config`");
	return do_build(&a);
}

UVM_VERB(kernel, "kernel", "merge kernel config fragments; build the guest "
	 "kernel reproducibly", run);
