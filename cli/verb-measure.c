/* verb-measure.c — `uvmkit measure`: the SEV/SEV-ES/SEV-SNP launch digest,
 * a drop-in for `sev-snp-measure` 0.0.13 (same options, same meaning, the
 * same line on stdout; specs/snp-launch-digest.md §10) plus vCPU matrices,
 * --json, --explain, --id-block and --dump-hashes-table.
 *
 * Option values are parsed the way the reference tool's argparse does
 * (Python int() rules for numbers, case-sensitive choices), then checked in
 * its order; where it would crash or silently accept nonsense this verb
 * prints one line and exits 2 (usage) or 1 (bad input). No digest is printed
 * on any error.
 */
#include <ctype.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/fileio.h"
#include "../common/hex.h"
#include "../common/pyparse.h"
#include "../measure/idblock.h"
#include "../measure/measure.h"
#include "../measure/report.h"
#include "cli.h"

#define MAX_VCPUS 4096u
#define REFERENCE_VERSION "sev-snp-measure 0.0.13"

static struct {
	int mode;
	bool verbose;
	const char *vcpus_arg;
	const char *vcpu_type_arg;
	bool have_sig, have_family, have_model, have_stepping;
	uint64_t sig;
	int64_t family, model, stepping;
	const char *vmm_arg;
	const char *ovmf, *kernel, *initrd, *append;
	uint64_t guest_features;
	bool base64;
	const char *ovmf_hash_arg;
	bool dump_vmsa;
	const char *svsm, *vars_file;
	bool have_vars_size;
	int64_t vars_size;
	enum uvm_json_mode json;
	bool explain;
	bool id_block;
	const char *id_key, *author_key;
	const char *dump_hashes_table;
} arg = { .mode = -1, .guest_features = 0x1 };

static void help(void)
{
	printf("Usage: uvmkit measure --mode MODE --ovmf PATH [OPTIONS]\n"
	       "Compute the AMD SEV/SEV-ES/SEV-SNP launch digest of an OVMF guest; accepts\n"
	       "the options of sev-snp-measure 0.0.13 and prints the same line.\n\n"
	       "  --mode {sev,seves,snp,snp:ovmf-hash,snp:svsm}   guest mode (required)\n"
	       "  --ovmf PATH              firmware image (required)\n"
	       "  --vcpus N|LIST           vCPU count, or a list of counts/ranges: 1-8,16\n"
	       "  --vcpu-type T[,T...]     vCPU model (EPYC, EPYC-v4, EPYC-Milan, EPYC-Genoa, ...)\n"
	       "  --vcpu-sig VALUE         CPUID 1 EAX signature (any base)\n"
	       "  --vcpu-family F --vcpu-model M --vcpu-stepping S\n"
	       "  --vmm-type {QEMU,ec2,gce}   default QEMU\n"
	       "  --kernel PATH --initrd PATH --append CMDLINE   measured direct boot\n"
	       "  --guest-features VALUE   SEV_FEATURES (default 0x1)\n"
	       "  --output-format {hex,base64}\n"
	       "  --snp-ovmf-hash HEX      precomputed firmware-pages digest (mode snp)\n"
	       "  --svsm PATH --vars-size N | --vars-file PATH   mode snp:svsm\n"
	       "  --dump-vmsa              write vmsa0.bin... into the current directory\n"
	       "  -v, --verbose            'Calculated MODE guest measurement: ...'\n"
	       "  --version                reference tool version emulated\n\n"
	       "uvmkit extensions:\n"
	       "  --json[=pretty|short]    inputs' digests, hashes table, intermediates, results\n"
	       "  --explain                page-by-page chain: step, GPA, type, what, CONTENTS, LD\n"
	       "  --id-block --id-key PEM --author-key PEM   ID block and ID auth (P-384)\n"
	       "  --dump-hashes-table FILE write the 176-byte SEV hashes table that is measured\n\n"
	       "A list in --vcpus or --vcpu-type prints one line per combination:\n"
	       "  vcpus=N vcpu_type=T DIGEST\n");
}

/* "4", "1-8,16" -> counts. Each count is a Python int(); the range 1..4096
 * is checked later, since snp:ovmf-hash ignores --vcpus entirely. */
static int parse_vcpus(const char *s, int64_t **ret, size_t *ret_n)
{
	_cleanup_free_ char *copy = strdup(s);
	_cleanup_free_ int64_t *v = NULL;
	size_t n = 0;
	if (!copy)
		return -ENOMEM;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int64_t lo, hi;
		char *dash = strchr(tok + 1, '-');
		if (dash) {
			*dash = 0;
			if (uvm_pyint_s64(tok, 10, &lo) < 0 || uvm_pyint_s64(dash + 1, 10, &hi) < 0 ||
			    hi < lo || hi - lo >= (int64_t)MAX_VCPUS)
				return -EINVAL;
		} else if (uvm_pyint_s64(tok, 10, &lo) < 0)
			return -EINVAL;
		else
			hi = lo;
		if (n + (size_t)(hi - lo) + 1 > 65536)
			return -EINVAL;
		int64_t *nv = realloc(v, (n + (size_t)(hi - lo) + 1) * sizeof(*v));
		if (!nv)
			return -ENOMEM;
		v = nv;
		for (int64_t k = lo; k <= hi; k++)
			v[n++] = k;
	}
	if (n == 0)
		return -EINVAL;
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

#define VCPU_TYPE_CHOICES                                                     \
	"EPYC, EPYC-v1, EPYC-v2, EPYC-IBPB, EPYC-v3, EPYC-v4, EPYC-Rome, "     \
	"EPYC-Rome-v1, EPYC-Rome-v2, EPYC-Rome-v3, EPYC-Milan, EPYC-Milan-v1, " \
	"EPYC-Milan-v2, EPYC-Genoa, EPYC-Genoa-v1, EPYC-Turin"

/* Split a --vcpu-type list; calls fn for each type. Logs a usage error and
 * returns -EINVAL on an unknown name. */
static int each_vcpu_type(const char *list, void (*fn)(void *, const struct uvm_vcpu_type *),
			  void *userdata)
{
	const char *p = list;
	for (;;) {
		size_t len = strcspn(p, ",");
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)MIN(len, sizeof(name) - 1), p);
		const struct uvm_vcpu_type *t = len < sizeof(name) ? uvm_vcpu_type_find(name) : NULL;
		if (!t) {
			log_usage("argument --vcpu-type: invalid choice: '%s' (choose from " VCPU_TYPE_CHOICES ")",
				  name);
			return -EINVAL;
		}
		if (fn)
			fn(userdata, t);
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static int check_vcpu_types(const char *list)
{
	return each_vcpu_type(list, NULL, NULL);
}

enum {
	OPT_MODE = 0x100, OPT_VCPUS, OPT_VCPU_TYPE, OPT_VCPU_SIG, OPT_VCPU_FAMILY,
	OPT_VCPU_MODEL, OPT_VCPU_STEPPING, OPT_VMM_TYPE, OPT_OVMF, OPT_KERNEL,
	OPT_INITRD, OPT_APPEND, OPT_GUEST_FEATURES, OPT_OUTPUT_FORMAT,
	OPT_SNP_OVMF_HASH, OPT_DUMP_VMSA, OPT_SVSM, OPT_VARS_SIZE, OPT_VARS_FILE,
	OPT_VERSION, OPT_JSON, OPT_EXPLAIN, OPT_ID_BLOCK, OPT_ID_KEY,
	OPT_AUTHOR_KEY, OPT_DUMP_HASHES_TABLE,
};

static int parse_int_opt(const char *name, const char *v, int base, int64_t *ret)
{
	if (uvm_pyint_s64(v, base, ret) < 0) {
		log_usage("argument %s: invalid int value: '%s'", name, v);
		return -EINVAL;
	}
	return 0;
}

/* Returns <0 usage error (already logged), 0 run, 1 exit 0 (help). */
static int parse_argv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "vcpus", required_argument, NULL, OPT_VCPUS },
		{ "vcpu-type", required_argument, NULL, OPT_VCPU_TYPE },
		{ "vcpu-sig", required_argument, NULL, OPT_VCPU_SIG },
		{ "vcpu-family", required_argument, NULL, OPT_VCPU_FAMILY },
		{ "vcpu-model", required_argument, NULL, OPT_VCPU_MODEL },
		{ "vcpu-stepping", required_argument, NULL, OPT_VCPU_STEPPING },
		{ "vmm-type", required_argument, NULL, OPT_VMM_TYPE },
		{ "ovmf", required_argument, NULL, OPT_OVMF },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "append", required_argument, NULL, OPT_APPEND },
		{ "guest-features", required_argument, NULL, OPT_GUEST_FEATURES },
		{ "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
		{ "snp-ovmf-hash", required_argument, NULL, OPT_SNP_OVMF_HASH },
		{ "dump-vmsa", no_argument, NULL, OPT_DUMP_VMSA },
		{ "svsm", required_argument, NULL, OPT_SVSM },
		{ "vars-size", required_argument, NULL, OPT_VARS_SIZE },
		{ "vars-file", required_argument, NULL, OPT_VARS_FILE },
		{ "json", optional_argument, NULL, OPT_JSON },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "id-block", no_argument, NULL, OPT_ID_BLOCK },
		{ "id-key", required_argument, NULL, OPT_ID_KEY },
		{ "author-key", required_argument, NULL, OPT_AUTHOR_KEY },
		{ "dump-hashes-table", required_argument, NULL, OPT_DUMP_HASHES_TABLE },
		{},
	};
	int c, r;
	int64_t v;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", opts, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return 1;
		case 'v':
			arg.verbose = true;
			break;
		case OPT_VERSION:
			/* The reference's exact line, so that a pipeline
			 * checking it sees no difference; uvmkit's own
			 * version is `uvmkit --version`. */
			puts(REFERENCE_VERSION);
			return 1;
		case OPT_MODE:
			arg.mode = uvm_measure_mode_parse(optarg);
			if (arg.mode < 0)
				return log_usage("argument --mode: invalid choice: '%s' (choose from sev, seves, snp, snp:ovmf-hash, snp:svsm)",
						 optarg), -EINVAL;
			break;
		case OPT_VCPUS:
			arg.vcpus_arg = optarg;
			break;
		case OPT_VCPU_TYPE:
			/* argparse checks choices whatever the mode. */
			if (check_vcpu_types(optarg) < 0)
				return -EINVAL;
			arg.vcpu_type_arg = optarg;
			break;
		case OPT_VCPU_SIG:
			if (parse_int_opt("--vcpu-sig", optarg, 0, &v) < 0)
				return -EINVAL;
			if (v < 0 || v > UINT32_MAX)
				return log_usage("argument --vcpu-sig: %s is not a 32-bit CPUID signature", optarg), -EINVAL;
			arg.sig = (uint64_t)v;
			arg.have_sig = true;
			break;
		case OPT_VCPU_FAMILY:
		case OPT_VCPU_MODEL:
		case OPT_VCPU_STEPPING: {
			const char *name = c == OPT_VCPU_FAMILY ? "--vcpu-family" :
					   c == OPT_VCPU_MODEL ? "--vcpu-model" : "--vcpu-stepping";
			if (parse_int_opt(name, optarg, 10, &v) < 0)
				return -EINVAL;
			if (v < 0 || v > 0xffff)
				return log_usage("argument %s: %s is out of range (0..65535)", name, optarg), -EINVAL;
			if (c == OPT_VCPU_FAMILY)
				arg.family = v, arg.have_family = true;
			else if (c == OPT_VCPU_MODEL)
				arg.model = v, arg.have_model = true;
			else
				arg.stepping = v, arg.have_stepping = true;
			break;
		}
		case OPT_VMM_TYPE:
			arg.vmm_arg = optarg;
			break;
		case OPT_OVMF:
			arg.ovmf = optarg;
			break;
		case OPT_KERNEL:
			arg.kernel = optarg;
			break;
		case OPT_INITRD:
			arg.initrd = optarg;
			break;
		case OPT_APPEND:
			arg.append = optarg;
			break;
		case OPT_GUEST_FEATURES:
			r = uvm_pyint_u64(optarg, 0, &arg.guest_features);
			if (r == -EINVAL)
				return log_usage("argument --guest-features: invalid value: '%s'", optarg), -EINVAL;
			if (r < 0)
				return log_usage("argument --guest-features: %s is not a 64-bit value", optarg), -EINVAL;
			break;
		case OPT_OUTPUT_FORMAT:
			if (strcmp(optarg, "hex") && strcmp(optarg, "base64"))
				return log_usage("argument --output-format: invalid choice: '%s' (choose from hex, base64)",
						 optarg), -EINVAL;
			arg.base64 = !strcmp(optarg, "base64");
			break;
		case OPT_SNP_OVMF_HASH:
			arg.ovmf_hash_arg = optarg;
			break;
		case OPT_DUMP_VMSA:
			arg.dump_vmsa = true;
			break;
		case OPT_SVSM:
			arg.svsm = optarg;
			break;
		case OPT_VARS_SIZE:
			if (parse_int_opt("--vars-size", optarg, 10, &arg.vars_size) < 0)
				return -EINVAL;
			if (arg.vars_size < 0)
				return log_usage("argument --vars-size: %s is negative", optarg), -EINVAL;
			arg.have_vars_size = true;
			break;
		case OPT_VARS_FILE:
			arg.vars_file = optarg;
			break;
		case OPT_JSON:
			if (cli_parse_json(optarg, &arg.json) < 0)
				return -EINVAL;
			break;
		case OPT_EXPLAIN:
			arg.explain = true;
			break;
		case OPT_ID_BLOCK:
			arg.id_block = true;
			break;
		case OPT_ID_KEY:
			arg.id_key = optarg;
			break;
		case OPT_AUTHOR_KEY:
			arg.author_key = optarg;
			break;
		case OPT_DUMP_HASHES_TABLE:
			arg.dump_hashes_table = optarg;
			break;
		case ':':
			return log_usage("option '%s' needs an argument", argv[optind - 1]), -EINVAL;
		default:
			return log_usage("unrecognized option '%s'", argv[optind - 1]), -EINVAL;
		}
	}
	if (optind != argc)
		return log_usage("unrecognized argument '%s'", argv[optind]), -EINVAL;
	if (arg.mode < 0 || !arg.ovmf)
		return log_usage("the following arguments are required:%s%s",
				 arg.mode < 0 ? " --mode" : "", !arg.ovmf ? " --ovmf" : ""), -EINVAL;
	if (arg.have_vars_size && arg.vars_file)
		return log_usage("argument --vars-file: not allowed with argument --vars-size"), -EINVAL;
	return 0;
}

/* --explain: one line per PAGE_INFO update on stdout (text) or into a JSON
 * array. */
struct explain {
	size_t step;
	json_t *array; /* JSON: the "chain" array */
	FILE *text;    /* text: buffered, printed only if the measurement succeeds */
};

static void explain_step(void *userdata, const struct uvm_ld_step *s)
{
	struct explain *e = userdata;
	char contents[97], ld[97];
	uvm_hex_encode(s->contents, 48, contents);
	uvm_hex_encode(s->ld, 48, ld);
	if (e->array) {
		char gpa[24];
		snprintf(gpa, sizeof(gpa), "0x%llx", (unsigned long long)s->gpa);
		json_array_append_new(e->array,
				      json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "step",
						(json_int_t)e->step, "gpa", gpa, "page_type",
						uvm_page_type_name(s->type), "what", s->what,
						"contents", contents, "ld", ld));
	} else {
		fprintf(e->text, "%6zu 0x%012llx %-10s %-42s %s %s\n", e->step,
		       (unsigned long long)s->gpa, uvm_page_type_name(s->type), s->what,
		       contents, ld);
	}
	e->step++;
}

static char *format_digest(const uint8_t *d, size_t len, bool base64)
{
	if (base64)
		return uvm_base64_encode(d, len);
	char *s = malloc(2 * len + 1);
	if (s)
		uvm_hex_encode(d, len, s);
	return s;
}

static int dump_vmsas(const struct uvm_measure_request *req, const struct uvm_measure_result *res)
{
	struct uvm_error err = { 0 };
	uint8_t page[UVM_VMSA_SIZE];
	for (unsigned i = 0; i < req->vcpus[0]; i++) {
		char name[32];
		snprintf(name, sizeof(name), "vmsa%u.bin", i);
		uvm_measure_vmsa_page(req, res, 0, i, page);
		int r = uvm_write_file_atomic(name, page, sizeof(page), 0644, &err);
		if (r < 0)
			return log_lib_error(&err, r, "--dump-vmsa");
	}
	return 0;
}

static int print_id_block(const struct uvm_id_block *idb)
{
	_cleanup_free_ char *blk = uvm_base64_encode(idb->block, sizeof(idb->block));
	_cleanup_free_ char *auth = uvm_base64_encode(idb->auth, sizeof(idb->auth));
	_cleanup_free_ char *ik = uvm_base64_encode(idb->id_key_digest, 48);
	_cleanup_free_ char *ak = uvm_base64_encode(idb->author_key_digest, 48);
	if (!blk || !auth || !ik || !ak)
		return log_error("out of memory"), EXIT_FAIL;
	printf("id-block=%s,id-auth=%s\nid_key_hash: %s\nauthor_key: %s\n", blk, auth, ik, ak);
	return EXIT_OK;
}

struct vlist_fill {
	struct uvm_measure_vcpu *v;
	size_t n;
};

static void add_vcpu_type(void *userdata, const struct uvm_vcpu_type *t)
{
	struct vlist_fill *f = userdata;
	f->v[f->n].label = t->name;
	f->v[f->n++].sig = t->sig;
}

/* Build the vCPU signature list (precedence: family/model/stepping, sig,
 * types). Returns 0, or an exit code after logging the problem. The
 * labels of sig/family entries are written into labels[0]. */
static int vcpu_list(enum uvm_vmm_type vmm, struct uvm_measure_vcpu **ret, size_t *ret_n,
		     char (*labels)[24])
{
	_cleanup_free_ struct uvm_measure_vcpu *v = NULL;
	size_t n = 0;
	if (arg.have_family) {
		if (!arg.have_model || !arg.have_stepping)
			return log_usage("--vcpu-family needs --vcpu-model and --vcpu-stepping");
		v = calloc(1, sizeof(*v));
		if (!v)
			return EXIT_FAIL;
		v[0].sig = uvm_cpu_sig((unsigned)arg.family, (unsigned)arg.model, (unsigned)arg.stepping);
		snprintf(labels[0], 24, "0x%x", v[0].sig);
		v[0].label = labels[0];
		n = 1;
	} else if (arg.have_sig) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return EXIT_FAIL;
		v[0].sig = (uint32_t)arg.sig;
		snprintf(labels[0], 24, "0x%x", v[0].sig);
		v[0].label = labels[0];
		n = 1;
	} else if (arg.vcpu_type_arg) {
		size_t max = 1;
		for (const char *p = arg.vcpu_type_arg; *p; p++)
			max += *p == ',';
		v = calloc(max, sizeof(*v));
		if (!v)
			return EXIT_FAIL;
		struct vlist_fill f = { v, 0 };
		if (each_vcpu_type(arg.vcpu_type_arg, add_vcpu_type, &f) < 0)
			return EXIT_USAGE;
		n = f.n;
	} else if (vmm == UVM_VMM_QEMU && arg.mode != UVM_MODE_SEV) {
		return log_usage("missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode '%s'",
				 uvm_measure_mode_name(arg.mode));
	} else {
		v = calloc(1, sizeof(*v));
		if (!v)
			return EXIT_FAIL;
		v[0].label = "-";
		n = 1;
	}
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

static int run(int argc, char **argv)
{
	int r = parse_argv(argc, argv);
	if (r != 0)
		return r > 0 ? EXIT_OK : EXIT_USAGE;

	struct uvm_measure_request req = {
		.mode = (enum uvm_measure_mode)arg.mode,
		.ovmf = arg.ovmf,
		.guest_features = arg.guest_features,
		.file_digests = arg.json != UVM_JSON_OFF,
	};
	_cleanup_free_ int64_t *vcpus_raw = NULL;
	_cleanup_free_ unsigned *vcpus = NULL;
	size_t n_vcpus = 0;
	if (arg.vcpus_arg) {
		r = parse_vcpus(arg.vcpus_arg, &vcpus_raw, &n_vcpus);
		if (r == -ENOMEM)
			return log_error("out of memory"), EXIT_FAIL;
		if (r < 0)
			return log_usage("argument --vcpus: invalid value '%s' (a count, or a list such as 1-8,16 with counts 1..%u)",
					 arg.vcpus_arg, MAX_VCPUS);
	}
	uint8_t seed[48];
	if (arg.ovmf_hash_arg && uvm_pyhex_decode(arg.ovmf_hash_arg, seed, sizeof(seed)) < 0)
		return log_usage("--snp-ovmf-hash: '%s' is not 48 bytes of hex", arg.ovmf_hash_arg);

	/* snp:ovmf-hash ignores every other option (as the reference tool). */
	bool ovmf_hash = req.mode == UVM_MODE_SNP_OVMF_HASH;
	if (!ovmf_hash) {
		if (arg.initrd && !arg.kernel)
			return log_usage("--kernel required when using --initrd");
		if (arg.append && arg.append[0] && !arg.kernel)
			return log_usage("--kernel required when using --append");
		if (req.mode != UVM_MODE_SEV && !arg.vcpus_arg)
			return log_usage("missing --vcpus N in guest mode '%s'", uvm_measure_mode_name(req.mode));
		if (arg.ovmf_hash_arg && req.mode != UVM_MODE_SNP)
			return log_usage("--snp-ovmf-hash can only be used with --mode snp");
		if (req.mode == UVM_MODE_SNP_SVSM && (!arg.svsm || (!arg.vars_file && arg.vars_size == 0)))
			return log_usage("--mode snp:svsm needs --svsm and a non-zero --vars-size or --vars-file");
		if (req.mode == UVM_MODE_SNP_SVSM && arg.kernel)
			return log_usage("--kernel is not measured in --mode snp:svsm");
		if (arg.dump_vmsa && req.mode == UVM_MODE_SEV)
			return log_usage("--dump-vmsa is not available in --mode sev (no VMSA)");
	}
	int vmm = UVM_VMM_QEMU;
	if (!ovmf_hash && arg.vmm_arg) {
		vmm = uvm_vmm_type_parse(arg.vmm_arg);
		if (vmm < 0)
			return log_usage("unknown VMM type '%s' (choose from QEMU, ec2, gce)", arg.vmm_arg);
	}
	if (!ovmf_hash && vmm != UVM_VMM_QEMU && req.mode == UVM_MODE_SNP_SVSM)
		return log_usage("--mode snp:svsm is QEMU only");
	req.vmm = (enum uvm_vmm_type)vmm;

	_cleanup_free_ struct uvm_measure_vcpu *vlist = NULL;
	char labels[1][24];
	size_t n_vlist = 0;
	static const struct uvm_measure_vcpu none = { .label = "-" };
	static const unsigned one = 1;
	if (ovmf_hash || req.mode == UVM_MODE_SEV) {
		req.vcpu = &none;
		req.n_vcpu = 1;
		req.vcpus = &one;
		req.n_vcpus = 1;
	} else {
		r = vcpu_list(req.vmm, &vlist, &n_vlist, labels);
		if (r)
			return r;
		vcpus = calloc(n_vcpus, sizeof(*vcpus));
		if (!vcpus)
			return log_error("out of memory"), EXIT_FAIL;
		for (size_t i = 0; i < n_vcpus; i++) {
			if (vcpus_raw[i] < 1 || vcpus_raw[i] > (int64_t)MAX_VCPUS)
				return log_usage("argument --vcpus: %s: the vCPU count must be 1..%u (a guest without a vCPU has no VMSA and cannot run)",
						 arg.vcpus_arg, MAX_VCPUS);
			vcpus[i] = (unsigned)vcpus_raw[i];
		}
		req.vcpu = vlist;
		req.n_vcpu = n_vlist;
		req.vcpus = vcpus;
		req.n_vcpus = n_vcpus;
	}
	bool matrix = req.n_vcpu * req.n_vcpus > 1;
	if (!ovmf_hash) {
		req.kernel = arg.kernel;
		req.initrd = arg.initrd;
		req.cmdline = arg.append;
		req.seed = arg.ovmf_hash_arg ? seed : NULL;
		req.svsm = arg.svsm;
		if (req.mode == UVM_MODE_SNP_SVSM) {
			if (arg.vars_file) {
				struct stat st;
				if (stat(arg.vars_file, &st) < 0)
					return log_error("--vars-file %s: %m", arg.vars_file), EXIT_FAIL;
				req.vars_size = (uint64_t)st.st_size;
				if (!req.vars_size)
					return log_usage("--vars-file %s is empty", arg.vars_file);
			} else
				req.vars_size = (uint64_t)arg.vars_size;
		}
		if (matrix && (arg.dump_vmsa || arg.id_block))
			return log_usage("--dump-vmsa and --id-block need a single vCPU count and type");
		if (arg.id_block && (!arg.id_key || !arg.author_key))
			return log_usage("--id-block needs --id-key and --author-key (EC P-384 PEM)");
		if (arg.id_block && req.mode != UVM_MODE_SNP && req.mode != UVM_MODE_SNP_SVSM)
			return log_usage("--id-block needs an SNP launch digest (--mode snp or snp:svsm)");
		if (arg.explain && (req.mode == UVM_MODE_SEV || req.mode == UVM_MODE_SEVES))
			return log_usage("--explain shows the SNP page chain; --mode %s is one SHA-256 stream",
					 uvm_measure_mode_name(req.mode));
		if (arg.dump_hashes_table && (!arg.kernel || req.mode == UVM_MODE_SNP_SVSM))
			return log_usage("--dump-hashes-table needs --kernel (measured direct boot)");
	}

	_cleanup_json_ json_t *chain = NULL;
	_cleanup_free_ char *text = NULL;
	size_t text_len = 0;
	_cleanup_fclose_ FILE *text_f = NULL;
	struct explain ex = { 0 };
	if (arg.explain) {
		if (arg.json) {
			chain = ex.array = json_array();
		} else {
			text_f = ex.text = open_memstream(&text, &text_len);
			if (!text_f)
				return log_error("out of memory"), EXIT_FAIL;
			fprintf(text_f, "%6s %-14s %-10s %-42s %-96s %s\n", "step", "gpa", "type",
				"what", "contents", "ld");
		}
		req.trace = explain_step;
		req.userdata = &ex;
	}

	struct uvm_error err = { 0 };
	struct uvm_measure_result res;
	r = uvm_measure(&req, &res, &err);
	if (r < 0)
		return log_lib_error(&err, r, NULL);

	struct uvm_id_block idb;
	if (arg.id_block) {
		r = uvm_id_block_sign(res.rows[0].digest, arg.id_key, arg.author_key, &idb, &err);
		if (r < 0) {
			uvm_measure_result_done(&res);
			return log_lib_error(&err, r, "--id-block");
		}
	}
	if (!ovmf_hash && arg.dump_vmsa && (r = dump_vmsas(&req, &res)) != 0)
		goto out;
	if (arg.dump_hashes_table && res.have_hashes) {
		r = uvm_write_file_atomic(arg.dump_hashes_table, res.hashes_table,
					  sizeof(res.hashes_table), 0644, &err);
		if (r < 0) {
			r = log_lib_error(&err, r, "--dump-hashes-table");
			goto out;
		}
	}
	r = EXIT_OK;
	if (arg.json) {
		_cleanup_json_ json_t *o = uvm_measure_json(&req, &res, arg.id_block ? &idb : NULL);
		if (o && chain)
			json_object_set(o, "chain", chain);
		if (!o || uvm_json_dump(o, stdout, arg.json) < 0)
			r = EXIT_FAIL;
		goto out;
	}
	if (text_f) {
		if (fflush(text_f) != 0 || ferror(text_f)) {
			log_error("--explain: out of memory");
			r = EXIT_FAIL;
			goto out;
		}
		fwrite(text, 1, text_len, stdout);
	}
	bool base64 = arg.base64 && !ovmf_hash;
	for (size_t i = 0; i < res.n_rows; i++) {
		_cleanup_free_ char *d = format_digest(res.rows[i].digest, res.digest_len, base64);
		if (!d) {
			r = EXIT_FAIL;
			goto out;
		}
		if (matrix)
			printf("vcpus=%u vcpu_type=%s %s\n", res.rows[i].vcpus,
			       req.vcpu[res.rows[i].vcpu].label, d);
		else if (arg.verbose && !ovmf_hash)
			printf("Calculated %s guest measurement: %s\n",
			       uvm_measure_mode_label(req.mode), d);
		else
			puts(d);
	}
	if (arg.id_block)
		r = print_id_block(&idb);
out:
	uvm_measure_result_done(&res);
	return r;
}

UVM_VERB(measure, "measure", "SEV-SNP launch digest (drop-in for sev-snp-measure)", run);
