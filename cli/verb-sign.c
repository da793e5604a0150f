/* verb-sign.c — `uvmkit sign --key KEYDIR DIR`: sign a release directory
 * (releases/sign.h). Always prints a JSON description of what it wrote. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../releases/sign.h"
#include "cli.h"

#ifndef UVMKIT_VERSION
#define UVMKIT_VERSION "unknown"
#endif

static int parse_epoch(const char *s, int64_t *ret)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int run(int argc, char **argv)
{
	enum uvm_json_mode json = UVM_JSON_PRETTY;
	struct uvm_sign_opts o = {
		.create_manifest = true,
		.tool_version = UVMKIT_VERSION,
		.timestamp = -1,
	};
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "timestamp", required_argument, NULL, 't' },
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;
	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'k':
			o.keydir = optarg;
			break;
		case 't':
			if (parse_epoch(optarg, &o.timestamp) < 0)
				return log_usage("--timestamp: expected seconds since the epoch, got '%s'",
						 optarg);
			break;
		case 'j':
			if (cli_parse_json(optarg, &json) < 0)
				return EXIT_USAGE;
			if (json == UVM_JSON_OFF)
				return log_usage("sign always prints JSON (--json=pretty or short)");
			break;
		case 'h':
			puts("Usage: uvmkit sign --key KEYDIR [--timestamp SECONDS] "
			     "[--json[=pretty|short]] DIR\n"
			     "Sign the release in DIR with the keys of `uvmkit keygen`. If DIR has\n"
			     "no manifest.intoto.json, one is created listing every regular file.\n"
			     "Writes manifest.dsse.json, manifest.sigstore.json, SHA256SUMS,\n"
			     "SHA384SUMS, SHA256SUMS.minisig, SHA384SUMS.minisig and prints JSON.\n"
			     "The minisign trusted-comment timestamp is --timestamp, else\n"
			     "SOURCE_DATE_EPOCH, else the manifest's epoch, else now.");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return log_usage("expected one release directory");
	if (!o.keydir)
		return log_usage("--key KEYDIR is required");
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (o.timestamp < 0 && sde && *sde && parse_epoch(sde, &o.timestamp) < 0)
		return log_usage("SOURCE_DATE_EPOCH: expected seconds, got '%s'", sde);
	o.fallback_timestamp = (int64_t)time(NULL);

	struct uvm_error err = {};
	_cleanup_json_ json_t *report = NULL;
	int r = uvm_release_sign(argv[optind], &o, &report, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);
	return uvm_json_dump(report, stdout, json) == 0 ? EXIT_OK : EXIT_FAIL;
}

UVM_VERB(sign, "sign", "sign a release directory (DSSE, Sigstore bundle, SUMS + minisign)", run);
