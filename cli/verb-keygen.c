/* verb-keygen.c — `uvmkit keygen -o KEYDIR`: make the release signing keys
 * (releases/keys.h) and print their ids. */
#include <getopt.h>
#include <string.h>

#include "../releases/keys.h"
#include "cli.h"

static int run(int argc, char **argv)
{
	enum uvm_json_mode json = UVM_JSON_OFF;
	const char *out = NULL;
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'j':
			if (cli_parse_json(optarg, &json) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			puts("Usage: uvmkit keygen -o KEYDIR [--json[=pretty|short]]\n"
			     "Make the release signing keys in KEYDIR (created if missing):\n"
			     "  dsse.key, dsse.pub      ECDSA P-256 (DSSE / Sigstore bundle), PEM\n"
			     "  sums.key, minisign.pub  Ed25519 (SHA256SUMS.minisig)\n"
			     "Private keys are mode 0600; existing keys are never overwritten.\n"
			     "Prints dsse_keyid=<hex sha256 of the SPKI> and minisign_keyid=<id>.");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return log_usage("unexpected argument '%s'", argv[optind]);
	if (!out)
		return log_usage("-o KEYDIR is required");

	struct uvm_error err = {};
	char keyid[UVM_KEYID_HEX_LEN + 1], msid[17];
	int r = uvm_keygen(out, keyid, msid, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);
	if (json) {
		_cleanup_json_ json_t *o = json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "directory", out,
			"dsse_key", UVM_KEY_DSSE_PRIVATE, "dsse_pub", UVM_KEY_DSSE_PUBLIC,
			"dsse_keyid", keyid, "sums_key", UVM_KEY_SUMS_PRIVATE,
			"minisign_pub", UVM_KEY_SUMS_PUBLIC, "minisign_keyid", msid);
		return o && uvm_json_dump(o, stdout, json) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	printf("dsse_keyid=%s\nminisign_keyid=%s\n", keyid, msid);
	return EXIT_OK;
}

UVM_VERB(keygen, "keygen", "make release signing keys (ECDSA P-256 + Ed25519)", run);
