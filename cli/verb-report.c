/* verb-report.c — `uvmkit report show|verify|chain`: decode an AMD SEV-SNP
 * attestation report, verify it against AMD's certificate chain and compare
 * it with a release. The work is in measure/snpreport.h, measure/amdcert.h and
 * measure/reportcheck.h; this file parses options and prints. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "measure/amdcert.h"
#include "measure/snpreport.h"
#include "measure/reportcheck.h"

#define REPORT_FILE_MAX (1u << 20)

static const char usage_text[] =
	"Usage: uvmkit report show REPORT [--offset N] [--product P] [--json[=pretty|short]]\n"
	"       uvmkit report verify REPORT --certs FILE|DIR [--certs ...] [OPTIONS]\n"
	"       uvmkit report chain --certs FILE|DIR [--certs ...] [--ark ARK.pem] [--product P] [--at TIME]\n"
	"\n"
	"Decode and verify an AMD SEV-SNP attestation report offline.\n"
	"REPORT is the raw 1184-byte report, an Azure HCL report (recognised by\n"
	"its HCLA header; the SNP report is at 0x20) or the report as hex text.\n"
	"\n"
	"Options:\n"
	"  --offset N          the report starts at byte N of the file\n"
	"  --product P         milan, genoa or turin (default: from the report's CPUID\n"
	"                      and the certificates; needed for v2 reports without certs)\n"
	"  --certs FILE|DIR    VCEK/VLEK, ASK/ASVK, ARK: PEM (bundles) or DER, any order;\n"
	"                      a DIR contributes its *.pem *.der *.crt *.cer files\n"
	"  --ark ARK.pem       trust this ARK instead of the built-in, pinned one\n"
	"  --at TIME           check validity at TIME: now (default), epoch seconds,\n"
	"                      @EPOCH, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)\n"
	"Release checks (verify):\n"
	"  --manifest DIR --pub KEYDIR\n"
	"                      DIR is a signed uvmkit release: verify it with KEYDIR's\n"
	"                      public keys (as uvmkit verify), then MEASUREMENT must be\n"
	"                      one of its manifest's launch digests\n"
	"  --measurements FILE MEASUREMENT must be a launch digest of an unverified\n"
	"                      measurements.json or manifest (FILE or DIR holding one)\n"
	"  --measurement HEX   MEASUREMENT must equal HEX (96 hex digits)\n"
	"  --host-data HEX     HOST_DATA must equal HEX (64 hex digits)\n"
	"  --policy FILE       HOST_DATA must equal SHA-256(FILE) (Kata initdata/AKS policy)\n"
	"  --allow-debug       accept POLICY.DEBUG=1 (refused by default)\n"
	"  --no-smt            require SMT disabled (PLATFORM_INFO.SMT_EN=0)\n"
	"  --min-abi M.N       POLICY's minimum ABI must be at least M.N\n"
	"  --min-fw M.N[.B]    CURRENT firmware version must be at least M.N.B\n"
	"  --min-tcb SPEC      REPORTED_TCB at least SPEC: bl=N,tee=N,snp=N,ucode=N[,fmc=N]\n"
	"                      (any subset) or 16 hex digits as stored in the report\n"
	"  --report-data HEX   REPORT_DATA must equal HEX (1..64 bytes, zero-padded)\n"
	"  --vmpl N            VMPL must equal N\n"
	"  --json[=MODE]       JSON output (pretty, short)\n"
	"\n"
	"verify and chain print one line per check (PASS/FAIL, name, detail) and\n"
	"exit 1 if any check fails; malformed input is one error line, exit 1.\n";

static struct {
	enum uvm_json_mode json;
	size_t offset;
	enum snp_product product;
	const char *certs[AMD_CERTSET_MAX];
	size_t n_certs;
	const char *ark;
	time_t at;
	struct snp_release_opts rel;
	const char *release_opt; /* the first release-check option given */
} arg;

static int parse_time(const char *s, time_t *ret)
{
	char *end;
	struct tm tm = {};
	if (!strcmp(s, "now")) {
		*ret = time(NULL);
		return 0;
	}
	const char *n = s[0] == '@' ? s + 1 : s;
	errno = 0;
	long long v = strtoll(n, &end, 10);
	if (!errno && end != n && !*end && (s[0] == '@' || strlen(n) > 8)) {
		*ret = (time_t)v;
		return 0;
	}
	static const char *const fmts[] = { "%Y-%m-%dT%H:%M:%SZ",
					    "%Y-%m-%dT%H:%M:%S",
					    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d" };
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, fmts[i], &tm);
		if (end && !*end) {
			*ret = timegm(&tm);
			return 0;
		}
	}
	return -EINVAL;
}

/* Hex with an optional 0x prefix into exactly len bytes. */
static int parse_hex_exact(const char *s, uint8_t *out, size_t len)
{
	if (!strncasecmp(s, "0x", 2))
		s += 2;
	return uvm_hex_decode(s, out, len);
}

static int parse_version(const char *s, unsigned n_min, uint8_t *out)
{
	unsigned v[3] = {};
	char tail;
	int k = sscanf(s, "%u.%u.%u%c", &v[0], &v[1], &v[2], &tail);
	if (k < (int)n_min || k > 3)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		if (v[i] > 255)
			return -EINVAL;
		out[i] = (uint8_t)v[i];
	}
	return 0;
}

enum {
	OPT_OFFSET = 0x100,
	OPT_PRODUCT,
	OPT_CERTS,
	OPT_ARK,
	OPT_AT,
	OPT_MANIFEST,
	OPT_PUB,
	OPT_MEASUREMENTS,
	OPT_MEASUREMENT,
	OPT_HOST_DATA,
	OPT_POLICY,
	OPT_ALLOW_DEBUG,
	OPT_NO_SMT,
	OPT_MIN_ABI,
	OPT_MIN_FW,
	OPT_MIN_TCB,
	OPT_REPORT_DATA,
	OPT_VMPL,
	OPT_JSON,
};

/* log_usage() for parse_argv, which returns a negative errno. */
#define usage_error(...) (log_usage(__VA_ARGS__), -EINVAL)

/* Returns <0 on a usage error (already logged), 0 to go on, 1 after --help. */
static int parse_argv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "product", required_argument, NULL, OPT_PRODUCT },
		{ "certs", required_argument, NULL, OPT_CERTS },
		{ "ark", required_argument, NULL, OPT_ARK },
		{ "at", required_argument, NULL, OPT_AT },
		{ "manifest", required_argument, NULL, OPT_MANIFEST },
		{ "pub", required_argument, NULL, OPT_PUB },
		{ "measurements", required_argument, NULL, OPT_MEASUREMENTS },
		{ "measurement", required_argument, NULL, OPT_MEASUREMENT },
		{ "host-data", required_argument, NULL, OPT_HOST_DATA },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "allow-debug", no_argument, NULL, OPT_ALLOW_DEBUG },
		{ "no-smt", no_argument, NULL, OPT_NO_SMT },
		{ "min-abi", required_argument, NULL, OPT_MIN_ABI },
		{ "min-fw", required_argument, NULL, OPT_MIN_FW },
		{ "min-tcb", required_argument, NULL, OPT_MIN_TCB },
		{ "report-data", required_argument, NULL, OPT_REPORT_DATA },
		{ "vmpl", required_argument, NULL, OPT_VMPL },
		{ "json", optional_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct uvm_error err = {};
	char *end;
	int c, p;

	arg.offset = SIZE_MAX;
	arg.at = time(NULL);
	arg.rel.vmpl = -1;
	int idx = -1;
	while ((c = getopt_long(argc, argv, "h", opts, &idx)) >= 0) {
		if (c >= OPT_MANIFEST && c <= OPT_VMPL && !arg.release_opt && idx >= 0)
			arg.release_opt = opts[idx].name;
		idx = -1;
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case OPT_OFFSET: {
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || optarg[0] == '-' ||
			    v > (1u << 20))
				return usage_error("--offset '%s': not a byte offset",
						 optarg);
			arg.offset = (size_t)v;
			break;
		}
		case OPT_PRODUCT:
			if ((p = snp_product_parse(optarg)) < 0)
				return usage_error("--product '%s': expected milan, "
						 "genoa or turin",
						 optarg);
			arg.product = (enum snp_product)p;
			break;
		case OPT_CERTS:
			if (arg.n_certs >= ARRAY_SIZE(arg.certs))
				return usage_error("too many --certs");
			arg.certs[arg.n_certs++] = optarg;
			break;
		case OPT_ARK:
			arg.ark = optarg;
			break;
		case OPT_AT:
			if (parse_time(optarg, &arg.at) < 0)
				return usage_error("--at '%s': expected now, epoch "
						 "seconds, @EPOCH, YYYY-MM-DD or "
						 "YYYY-MM-DDTHH:MM:SSZ",
						 optarg);
			break;
		case OPT_MANIFEST:
			arg.rel.release_dir = optarg;
			break;
		case OPT_PUB:
			arg.rel.keydir = optarg;
			break;
		case OPT_MEASUREMENTS:
			arg.rel.measurements = optarg;
			break;
		case OPT_MEASUREMENT:
			if (parse_hex_exact(optarg, arg.rel.measurement, 48) < 0)
				return usage_error("--measurement: expected 96 hex "
						 "digits");
			arg.rel.has_measurement = true;
			break;
		case OPT_HOST_DATA:
			if (parse_hex_exact(optarg, arg.rel.host_data, 32) < 0)
				return usage_error("--host-data: expected 64 hex "
						 "digits");
			arg.rel.has_host_data = true;
			break;
		case OPT_POLICY:
			arg.rel.policy_file = optarg;
			break;
		case OPT_ALLOW_DEBUG:
			arg.rel.allow_debug = true;
			break;
		case OPT_NO_SMT:
			arg.rel.no_smt = true;
			break;
		case OPT_MIN_ABI: {
			uint8_t v[3];
			if (parse_version(optarg, 2, v) < 0 || strchr(optarg, '.') !=
								      strrchr(optarg, '.'))
				return usage_error("--min-abi '%s': expected "
						 "MAJOR.MINOR",
						 optarg);
			arg.rel.has_min_abi = true;
			arg.rel.min_abi_major = v[0];
			arg.rel.min_abi_minor = v[1];
			break;
		}
		case OPT_MIN_FW:
			if (parse_version(optarg, 2, arg.rel.min_fw) < 0)
				return usage_error("--min-fw '%s': expected "
						 "MAJOR.MINOR[.BUILD]",
						 optarg);
			arg.rel.has_min_fw = true;
			break;
		case OPT_MIN_TCB:
			if (snp_min_tcb_parse(optarg, &arg.rel.min_tcb, &err) < 0)
				return usage_error("%s", err.msg);
			arg.rel.has_min_tcb = true;
			break;
		case OPT_REPORT_DATA: {
			const char *s = optarg;
			_cleanup_free_ uint8_t *b = NULL;
			size_t n;
			if (!strncasecmp(s, "0x", 2))
				s += 2;
			if (uvm_hex_decode_alloc(s, &b, &n) < 0 || n == 0 ||
			    n > 64)
				return usage_error("--report-data: expected 2 to "
						 "128 hex digits");
			memcpy(arg.rel.report_data, b, n);
			arg.rel.report_data_len = n;
			break;
		}
		case OPT_VMPL: {
			errno = 0;
			long v = strtol(optarg, &end, 0);
			if (errno || end == optarg || *end || v < 0 || v > 3)
				return usage_error("--vmpl '%s': expected 0..3",
						 optarg);
			arg.rel.vmpl = (int)v;
			break;
		}
		case OPT_JSON:
			if (cli_parse_json(optarg, &arg.json) < 0)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	if (arg.rel.release_dir && !arg.rel.keydir)
		return usage_error("--manifest %s: give the release's public keys "
				   "with --pub KEYDIR (the release is verified "
				   "first); for an unsigned measurements.json use "
				   "--measurements",
				   arg.rel.release_dir);
	if (arg.rel.keydir && !arg.rel.release_dir)
		return usage_error("--pub needs --manifest DIR");
	if (arg.rel.policy_file && arg.rel.has_host_data)
		return usage_error("--host-data and --policy both set HOST_DATA; "
				 "give one");
	return 0;
}

/* One key=value line per leaf of v, nested keys joined with '.'. */
static void print_flat(const char *prefix, json_t *v)
{
	const char *k;
	json_t *e;
	char key[256];
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach(v, k, e)
		{
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 prefix[0] ? "." : "", k);
			print_flat(key, e);
		}
		break;
	case JSON_STRING:
		printf("%s=%s\n", prefix, json_string_value(v));
		break;
	case JSON_INTEGER:
		printf("%s=%lld\n", prefix, (long long)json_integer_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		printf("%s=%s\n", prefix, json_is_true(v) ? "true" : "false");
		break;
	default:
		break;
	}
}

static int load_report(const char *path, struct snp_report *r)
{
	struct uvm_error err = {};
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int k = uvm_read_file(path, REPORT_FILE_MAX, &buf, &len, &err);
	if (k >= 0)
		k = snp_report_parse(buf, len, arg.offset, r, &err);
	if (k < 0) {
		log_lib_error(&err, k, "%s", path);
		return k;
	}
	return 0;
}

static int do_show(const char *path)
{
	struct snp_report r;
	if (load_report(path, &r) < 0)
		return EXIT_FAIL;
	_cleanup_json_ json_t *j = snp_report_to_json(&r, arg.product);
	if (!j)
		return log_lib_error(NULL, -ENOMEM, "%s", path);
	if (arg.json)
		return uvm_json_dump(j, stdout, arg.json) < 0 ? EXIT_FAIL : EXIT_OK;
	print_flat("", j);
	return EXIT_OK;
}

static int load_certs(struct amd_certset *certs, struct amd_certset *ark)
{
	struct uvm_error err = {};
	int k;
	if (arg.n_certs == 0)
		return log_usage("--certs is required"), -EINVAL;
	for (size_t i = 0; i < arg.n_certs; i++)
		if ((k = amd_certset_add_path(certs, arg.certs[i], &err)) < 0)
			return log_lib_error(&err, k, "--certs"), k;
	if (arg.ark && (k = amd_certset_add_path(ark, arg.ark, &err)) < 0)
		return log_lib_error(&err, k, "--ark"), k;
	return 0;
}

static int print_checks(const char *report_path, const struct snp_report *r,
			enum snp_product product, const struct snp_checks *l)
{
	size_t failed = snp_checks_failed(l);
	if (arg.json) {
		_cleanup_json_ json_t *o = json_object();
		if (!o)
			return EXIT_FAIL;
		if (report_path) {
			char m[97];
			uvm_hex_encode(r->measurement, 48, m);
			json_object_set_new(o, "report", json_string(report_path));
			json_object_set_new(o, "version", json_integer(r->version));
			json_object_set_new(o, "measurement", json_string(m));
		}
		json_object_set_new(o, "generation",
				    json_string(snp_product_name(product)));
		if (report_path)
			json_object_set_new(o, "fields",
					    snp_report_to_json(r, product));
		json_object_set_new(o, "checks", snp_checks_to_json(l));
		json_object_set_new(o, "failed", json_integer((json_int_t)failed));
		json_object_set_new(o, "result",
				    json_string(failed ? "fail" : "pass"));
		if (uvm_json_dump(o, stdout, arg.json) < 0)
			return EXIT_FAIL;
	} else {
		for (size_t i = 0; i < l->n; i++)
			printf("%s  %-20s %s\n", l->c[i].pass ? "PASS" : "FAIL",
			       l->c[i].name, l->c[i].detail);
		if (failed)
			printf("result: FAIL (%zu of %zu checks failed)\n",
			       failed, l->n);
		else
			printf("result: PASS (%zu checks)\n", l->n);
	}
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int do_verify(const char *path)
{
	struct uvm_error err = {};
	struct snp_report r;
	_cleanup_certset_ struct amd_certset certs = {}, ark = {};
	struct snp_checks checks = {};
	enum snp_product product = SNP_PRODUCT_UNKNOWN;
	int k;

	if (path && load_report(path, &r) < 0)
		return EXIT_FAIL;
	if (load_certs(&certs, &ark) < 0)
		return arg.n_certs ? EXIT_FAIL : EXIT_USAGE;
	struct amd_verify_opts o = {
		.at = arg.at,
		.product = arg.product,
		.ark = arg.ark ? &ark : NULL,
	};
	k = amd_verify(path ? &r : NULL, &certs, &o, &checks, &product, &err);
	if (k < 0)
		return log_lib_error(&err, k, "%s", path ? path : "certificates");
	if (path) {
		k = snp_release_check(&r, product, &arg.rel, &checks, &err);
		if (k < 0)
			return log_lib_error(&err, k, "release check");
	}
	return print_checks(path, &r, product, &checks);
}

static int run(int argc, char **argv)
{
	int k = parse_argv(argc, argv);
	if (k != 0)
		return k > 0 ? EXIT_OK : EXIT_USAGE;
	if (optind >= argc)
		return log_usage("expected show, verify or chain");
	const char *sub = argv[optind++];
	const char *path = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		return log_usage("unexpected argument '%s'", argv[optind]);
	if (strcmp(sub, "verify") && arg.release_opt)
		return log_usage("--%s is a release check: only with verify",
				 arg.release_opt);
	if (!strcmp(sub, "show")) {
		if (!path)
			return log_usage("show: expected a REPORT file");
		return do_show(path);
	}
	if (!strcmp(sub, "verify")) {
		if (!path)
			return log_usage("verify: expected a REPORT file");
		return do_verify(path);
	}
	if (!strcmp(sub, "chain")) {
		if (path)
			return log_usage("chain: takes no REPORT (use verify)");
		return do_verify(NULL);
	}
	return log_usage("unknown subcommand '%s' (show, verify, chain)", sub);
}

UVM_VERB(report, "report",
	 "decode an SEV-SNP attestation report; verify it and its AMD chain",
	 run);
