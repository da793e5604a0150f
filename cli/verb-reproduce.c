/* verb-reproduce.c — `uvmkit reproduce DIR|MANIFEST -o NEWDIR`: rebuild a
 * release from the recipe and inputs its manifest records and compare every
 * subject (releases/reproduce.h). Exit 0 when every artifact is the same,
 * 1 when one differs (each named with where it differs). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../releases/reproduce.h"
#include "builddirs.h"
#include "cli.h"

#ifndef UVMKIT_VERSION
#define UVMKIT_VERSION "unknown"
#endif
#ifndef UVMKIT_DATADIR
#define UVMKIT_DATADIR "."
#endif

static bool arg_quiet;

static void on_progress(void *userdata, const char *step, uint64_t done, uint64_t total,
			const char *note)
{
	(void)userdata, (void)total;
	if (!arg_quiet && done == 0)
		fprintf(stderr, "uvmkit reproduce: %s ...\n", step);
	else if (!arg_quiet && note)
		fprintf(stderr, "uvmkit reproduce: %s done (%s)\n", step, note);
}

static int run(int argc, char **argv)
{
	enum uvm_json_mode json = UVM_JSON_OFF;
	const char *out = NULL, *downloads = NULL;
	const char *cache = NULL;
	_cleanup_(cli_builddirs_done) struct cli_builddirs dirs = { 0 };
	bool no_cache = false, compare_only = false;
	struct uvm_reproduce_opts o = {
		.base_dir = UVMKIT_DATADIR,
		.jobs = 1,
		.tool_version = UVMKIT_VERSION,
		.progress = on_progress,
	};
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "base-dir", required_argument, NULL, 'B' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "downloads-dir", required_argument, NULL, 'D' },
		{ "compare", no_argument, NULL, 'c' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", optional_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	arg_quiet = false;
	while ((c = getopt_long(argc, argv, "o:j:qh", opts, NULL)) >= 0) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'B': o.base_dir = optarg; break;
		case 'C': cache = optarg; break;
		case 'N': no_cache = true; break;
		case 'D': downloads = optarg; break;
		case 'c': compare_only = true; break;
		case 'q': arg_quiet = true; break;
		case 'j':
			if (cli_parse_jobs(optarg, &o.jobs) < 0)
				return EXIT_USAGE;
			break;
		case 'J':
			if (cli_parse_json(optarg, &json) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			puts("Usage: uvmkit reproduce [--base-dir DIR] [--cache-dir DIR | --no-cache]\n"
			     "                        [--downloads-dir DIR] [-j N] [--quiet] [--json[=MODE]]\n"
			     "                        DIR|MANIFEST -o NEWDIR\n"
			     "       uvmkit reproduce --compare DIR NEWDIR\n"
			     "Rebuild the release DIR from the recipe recorded in its manifest into NEWDIR\n"
			     "and compare every subject. Everything is rebuilt: the kernel and firmware\n"
			     "are taken from a build cache only with --cache-dir DIR (a rebuild that reads\n"
			     "the builder's own cache proves nothing). Relative input paths of the recipe are resolved\n"
			     "in --base-dir (default: the uvmkit source tree), packages in --downloads-dir\n"
			     "(default CACHE/downloads). Every input must have the digest the manifest\n"
			     "records. Prints one line per artifact (same/DIFFERS/MISSING) and where it\n"
			     "differs; exit 0 when everything is reproduced, 1 otherwise.\n"
			     "--compare only compares two existing release directories.");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (compare_only ? argc - optind != 2 : argc - optind != 1)
		return log_usage(compare_only ? "expected two release directories"
					      : "expected one release directory or manifest");
	if (!compare_only && !out)
		return log_usage("-o NEWDIR is required");
	if (cli_builddirs_init(&dirs, cache, downloads) < 0)
		return log_lib_error(NULL, -ENOMEM, "cache directory");
	/* An auditor's rebuild must not take the kernel or firmware out of a
	 * cache the original build may have filled: the cache is used only
	 * when named explicitly. */
	o.cache_dir = no_cache || !cache ? NULL : dirs.cache;
	o.downloads_dir = dirs.downloads;

	struct uvm_error err = {};
	_cleanup_json_ json_t *report = NULL;
	int k = compare_only ? uvm_release_compare(argv[optind], argv[optind + 1], &report, &err)
			     : uvm_reproduce(argv[optind], out, &o, &report, &err);
	if (k < 0)
		return log_lib_error(&err, k, NULL);
	if (json != UVM_JSON_OFF) {
		if (uvm_json_dump(report, stdout, json) < 0)
			return EXIT_FAIL;
		return k == 0 ? EXIT_OK : EXIT_FAIL;
	}
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(report, "subjects"), i, s) {
		const char *st = json_string_value(json_object_get(s, "status"));
		size_t j;
		json_t *d;

		printf("%-8s %s\n", strcmp(st, "same") == 0 ? "same" : strcmp(st, "missing") == 0 ? "MISSING" : "DIFFERS",
		       json_string_value(json_object_get(s, "name")));
		json_array_foreach(json_object_get(s, "details"), j, d)
			printf("         %s\n", json_string_value(d));
	}
	printf("reproduced=%s\n", k == 0 ? "yes" : "no");
	return k == 0 ? EXIT_OK : EXIT_FAIL;
}

UVM_VERB(reproduce, "reproduce", "rebuild a release from its manifest and compare every artifact", run);
