/* verb-verify.c — `uvmkit verify --pub KEYDIR DIR`: check a release offline
 * with only the public keys (releases/verify.h). One line per check on
 * stdout ("ok|FAIL|skip CHECK FILE: message"), or the report as JSON;
 * exit 1 if any check failed. */
#include <getopt.h>
#include <string.h>

#include "../releases/verify.h"
#include "cli.h"
#include "../measure/rederive.h"

static void print_human(json_t *report)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(report, "checks"), i, c) {
		const char *st = json_string_value(json_object_get(c, "status"));
		printf("%-4s %-16s %s: %s\n", !strcmp(st, "fail") ? "FAIL" : st,
		       json_string_value(json_object_get(c, "check")),
		       json_string_value(json_object_get(c, "file")),
		       json_string_value(json_object_get(c, "message")));
	}
}

static int run(int argc, char **argv)
{
	enum uvm_json_mode json = UVM_JSON_OFF;
	/* Launch digests are measured again from the release's own files. */
	struct uvm_verify_opts o = { .launch_digest = uvm_rederive_launch_digest };
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;
	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'p':
			o.keydir = optarg;
			break;
		case 'j':
			if (cli_parse_json(optarg, &json) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			puts("Usage: uvmkit verify --pub KEYDIR [--json[=pretty|short]] DIR\n"
			     "Verify a signed release offline with KEYDIR/dsse.pub and\n"
			     "KEYDIR/minisign.pub: the DSSE envelope and Sigstore bundle, the\n"
			     "manifest, the SUMS files and their minisign signatures, every\n"
			     "artifact's sha256 and sha384, and the launch digests.\n"
			     "Exit status: 0 all checks passed, 1 a check failed, 2 usage.");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return log_usage("expected one release directory");
	if (!o.keydir)
		return log_usage("--pub KEYDIR is required");

	struct uvm_error err = {};
	_cleanup_json_ json_t *report = NULL;
	int r = uvm_release_verify(argv[optind], &o, &report, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);
	if (json) {
		if (uvm_json_dump(report, stdout, json) < 0)
			return EXIT_FAIL;
	} else {
		print_human(report);
	}
	json_int_t skipped = json_integer_value(json_object_get(report, "skipped"));
	if (r > 0) {
		log_error("%s: %d check%s FAILED", argv[optind], r, r == 1 ? "" : "s");
		return EXIT_FAIL;
	}
	if (skipped)
		log_info("%s: verified, %" JSON_INTEGER_FORMAT " check%s skipped (see 'skip' lines)",
			 argv[optind], skipped, skipped == 1 ? "" : "s");
	return EXIT_OK;
}

UVM_VERB(verify, "verify", "verify a signed release offline with the public keys", run);
