/* verb-build.c — `uvmkit build [-c RECIPE] -o DIR [--key KEYDIR]`: the
 * whole pipeline (releases/build.h) from a recipe file or the built-in
 * default recipe. Progress on stderr, a summary on stdout (--json). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "../builder/recipe.h"
#include "../releases/build.h"
#include "builddirs.h"
#include "cli.h"

#ifndef UVMKIT_VERSION
#define UVMKIT_VERSION "unknown"
#endif
/* The source tree: base directory of the default recipe (mk/image.mk). */
#ifndef UVMKIT_DATADIR
#define UVMKIT_DATADIR "."
#endif

static bool arg_quiet;
static bool progress_tty;

/* On a terminal, a ticker thread rewrites the current step's line every
 * second with its elapsed time (kernel and firmware builds take minutes
 * and report nothing in between). Children are forked by the library with
 * only async-signal-safe calls after fork, so the thread is safe. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	const char *step; /* NULL: no step running */
	unsigned n;
	time_t start;
} tick = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, NULL, 0, 0 };

static void *ticker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&tick.lock);
	while (!tick.stop) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&tick.cond, &tick.lock, &ts);
		if (tick.step && !tick.stop)
			fprintf(stderr, "\r\033[K[%u] %s ... %lds", tick.n, tick.step,
				(long)(time(NULL) - tick.start));
	}
	pthread_mutex_unlock(&tick.lock);
	return NULL;
}

static void on_progress(void *userdata, const char *step, uint64_t done, uint64_t total,
			const char *note)
{
	(void)userdata, (void)total;
	if (arg_quiet)
		return;
	pthread_mutex_lock(&tick.lock);
	if (done == 0) {
		tick.step = step;
		tick.n++;
		tick.start = time(NULL);
		if (progress_tty)
			fprintf(stderr, "\r\033[K[%u] %s ...", tick.n, step);
		else
			fprintf(stderr, "uvmkit build: %s ...\n", step);
	} else {
		if (progress_tty)
			fprintf(stderr, "\r\033[K[%u] %s done in %lds%s%s\n", tick.n, step,
				(long)(time(NULL) - tick.start), note ? ", " : "", note ? note : "");
		else if (note)
			fprintf(stderr, "uvmkit build: %s done (%s)\n", step, note);
		tick.step = NULL;
	}
	pthread_mutex_unlock(&tick.lock);
}

/* SOURCE_DATE_EPOCH, for a recipe without Epoch=: 1 and *ret when set, 0
 * when unset, -EINVAL when malformed. */
static int parse_epoch_env(uint64_t *ret)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || *s == '-' || v > UINT32_MAX)
		return -EINVAL;
	*ret = v;
	return 1;
}

static int run(int argc, char **argv)
{
	enum uvm_json_mode json = UVM_JSON_OFF;
	const char *recipe = NULL, *data_dir = UVMKIT_DATADIR, *downloads = NULL;
	const char *cache = NULL;
	_cleanup_(cli_builddirs_done) struct cli_builddirs dirs = { 0 };
	bool no_cache = false, print_recipe = false;
	unsigned jobs = 1;
	struct uvm_build_opts o = {
		.tool_version = UVMKIT_VERSION,
		.progress = on_progress,
	};
	static const struct option opts[] = {
		{ "recipe", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "key", required_argument, NULL, 'k' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "downloads-dir", required_argument, NULL, 'D' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "print-recipe", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", optional_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	arg_quiet = false;
	while ((c = getopt_long(argc, argv, "c:o:k:j:qh", opts, NULL)) >= 0) {
		switch (c) {
		case 'c': recipe = optarg; break;
		case 'o': o.out_dir = optarg; break;
		case 'k': o.keydir = optarg; break;
		case 'C': cache = optarg; break;
		case 'N': no_cache = true; break;
		case 'D': downloads = optarg; break;
		case 'd': data_dir = optarg; break;
		case 'P': print_recipe = true; break;
		case 'q': arg_quiet = true; break;
		case 'j':
			if (cli_parse_jobs(optarg, &jobs) < 0)
				return EXIT_USAGE;
			break;
		case 'J':
			if (cli_parse_json(optarg, &json) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			puts("Usage: uvmkit build [-c RECIPE] -o DIR [--key KEYDIR] [--cache-dir DIR | --no-cache]\n"
			     "                    [--downloads-dir DIR] [--data-dir DIR] [-j N] [--quiet]\n"
			     "                    [--json[=pretty|short]] [--print-recipe]\n"
			     "Build the guest image of RECIPE (default: the built-in recipe, whose paths\n"
			     "are relative to --data-dir, the uvmkit source tree) into DIR: vmlinuz,\n"
			     "rootfs.img, root_hash.txt, cmdline.txt, OVMF.fd, kernel.config,\n"
			     "measurements.json, recipe.ini, manifest.intoto.json; with --key also the\n"
			     "signatures of `uvmkit sign`. DIR is replaced only when every step succeeded.\n"
			     "Kernel and firmware builds are cached in --cache-dir (default\n"
			     "~/.cache/uvmkit); Package= inputs are found in --downloads-dir (default\n"
			     "CACHE/downloads). The epoch is the recipe's, else SOURCE_DATE_EPOCH, else 0.\n"
			     "--print-recipe prints the recipe's canonical form and builds nothing.");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc != optind)
		return log_usage("unexpected argument '%s'", argv[optind]);
	if (cli_builddirs_init(&dirs, cache, downloads) < 0)
		return log_lib_error(NULL, -ENOMEM, "cache directory");
	o.cache_dir = no_cache ? NULL : dirs.cache;
	o.downloads_dir = dirs.downloads;
	o.jobs = jobs;

	struct uvm_error err = {};
	_cleanup_recipe_ struct uvm_recipe *r = NULL;
	int k;

	if (recipe)
		k = uvm_recipe_load(recipe, dirs.downloads, &r, &err);
	else
		k = uvm_recipe_parse_text(uvm_recipe_default_text, strlen(uvm_recipe_default_text),
					  "<default recipe>", data_dir, dirs.downloads, &r, &err);
	if (k < 0)
		return log_lib_error(&err, k, NULL);
	if (!r->have_epoch) {
		k = parse_epoch_env(&r->epoch);
		if (k < 0)
			return log_usage("SOURCE_DATE_EPOCH: expected seconds 0..4294967295");
	}
	if (print_recipe) {
		_cleanup_free_ char *text = NULL;

		k = uvm_recipe_canonical(r, &text, &err);
		if (k < 0)
			return log_lib_error(&err, k, NULL);
		fputs(text, stdout);
		return EXIT_OK;
	}
	if (!o.out_dir)
		o.out_dir = r->output_dir;
	if (!o.out_dir)
		return log_usage("no output directory: give -o DIR (or [Output] Directory= in the recipe)");

	progress_tty = isatty(STDERR_FILENO);
	_cleanup_json_ json_t *summary = NULL;
	pthread_t th;
	bool ticking = progress_tty && !arg_quiet && pthread_create(&th, NULL, ticker, NULL) == 0;

	k = uvm_build(r, &o, &summary, &err);
	if (ticking) {
		pthread_mutex_lock(&tick.lock);
		tick.stop = true;
		pthread_cond_signal(&tick.cond);
		pthread_mutex_unlock(&tick.lock);
		pthread_join(th, NULL);
		fputs("\r\033[K", stderr);
	}
	if (k < 0)
		return log_lib_error(&err, k, NULL);
	if (json != UVM_JSON_OFF)
		return uvm_json_dump(summary, stdout, json) == 0 ? EXIT_OK : EXIT_FAIL;
	printf("directory=%s\n", o.out_dir);
	printf("seed=%s\n", json_string_value(json_object_get(summary, "seed")));
	printf("launch_digests=%" JSON_INTEGER_FORMAT "\n",
	       json_integer_value(json_object_get(summary, "launch_digests")));
	printf("signed=%s\n", o.keydir ? "yes" : "no");
	printf("seconds=%.1f\n", json_real_value(json_object_get(summary, "seconds")));
	return EXIT_OK;
}

UVM_VERB(build, "build", "build a guest image from a recipe: kernel, rootfs, firmware, launch digests, manifest", run);
