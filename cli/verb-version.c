/* verb-version.c — `uvmkit version`: the tool version and the versions of
 * the libraries it runs with, as recorded in release manifests. */
#include <getopt.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "cli.h"

#ifndef UVMKIT_VERSION
#define UVMKIT_VERSION "unknown"
#endif

static int run(int argc, char **argv)
{
	enum uvm_json_mode json = UVM_JSON_OFF;
	static const struct option opts[] = {
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			if (cli_parse_json(optarg, &json) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			puts("Usage: uvmkit version [--json[=pretty|short]]\n"
			     "Print uvmkit's version and its libraries' versions.");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return log_usage("unexpected argument '%s'", argv[optind]);
	if (json) {
		_cleanup_json_ json_t *o = json_pack(
			"{s:s, s:s, s:s}", "uvmkit", UVMKIT_VERSION, "openssl",
			OpenSSL_version(OPENSSL_VERSION), "jansson",
			jansson_version_str());
		return o && uvm_json_dump(o, stdout, json) == 0 ? EXIT_OK
								 : EXIT_FAIL;
	}
	printf("uvmkit=%s\nopenssl=%s\njansson=%s\n", UVMKIT_VERSION,
	       OpenSSL_version(OPENSSL_VERSION), jansson_version_str());
	return EXIT_OK;
}

UVM_VERB(version, "version", "print uvmkit's and its libraries' versions", run);
