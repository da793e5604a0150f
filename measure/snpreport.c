/* snpreport.c — parse and decode AMD SEV-SNP attestation reports (VERSION 2, 3
 * and 5), recognise the Azure HCL wrapper, and keep named check results.
 *
 * Every offset comes from shared/specs/snp-report.md §1, which was checked
 * against go-sev-guest abi/abi.go and virtee/sev snp.rs. The parser rejects
 * rather than guesses: a field it does not understand (a reserved range that
 * is not zero, an unknown VERSION) stops it, because a verifier that skips
 * bytes it cannot explain is a verifier that can be fooled. */
#include "snpreport.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/hash.h"
#include "common/hex.h"
#include "common/json.h"

static const char *const product_names[] = {
	[SNP_PRODUCT_UNKNOWN] = "unknown",
	[SNP_PRODUCT_MILAN] = "Milan",
	[SNP_PRODUCT_GENOA] = "Genoa",
	[SNP_PRODUCT_TURIN] = "Turin",
};

const char *snp_product_name(enum snp_product p)
{
	return (unsigned)p < ARRAY_SIZE(product_names) ? product_names[p]
						       : "unknown";
}

int snp_product_parse(const char *s)
{
	if (!s)
		return -EINVAL;
	/* Bergamo and Siena certificates come from KDS product "Genoa". */
	static const struct {
		const char *name;
		enum snp_product p;
	} alias[] = { { "Bergamo", SNP_PRODUCT_GENOA }, { "Siena", SNP_PRODUCT_GENOA } };
	size_t n = strcspn(s, "-");
	for (int p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++)
		if (n == strlen(product_names[p]) &&
		    !strncasecmp(s, product_names[p], n))
			return p;
	for (size_t i = 0; i < ARRAY_SIZE(alias); i++)
		if (n == strlen(alias[i].name) && !strncasecmp(s, alias[i].name, n))
			return alias[i].p;
	return -EINVAL;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

void snp_tcb_decode(uint64_t raw, enum snp_product product,
		    struct snp_tcb *t)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(raw >> (8 * i));
	memset(t, 0, sizeof(*t));
	t->raw = raw;
	if (product == SNP_PRODUCT_TURIN) {
		t->has_fmc = true;
		t->fmc = b[0];
		t->bl = b[1];
		t->tee = b[2];
		t->snp = b[3];
	} else {
		t->bl = b[0];
		t->tee = b[1];
		t->snp = b[6];
	}
	t->ucode = b[7];
}

enum snp_product snp_report_product(const struct snp_report *r)
{
	if (!r->has_cpuid)
		return SNP_PRODUCT_UNKNOWN;
	uint8_t m = r->cpuid_mod;
	if (r->cpuid_fam == 0x19) {
		if (m <= 0x0F)
			return SNP_PRODUCT_MILAN;
		if ((m >= 0x10 && m <= 0x1F) || (m >= 0xA0 && m <= 0xAF))
			return SNP_PRODUCT_GENOA;
	} else if (r->cpuid_fam == 0x1A && m <= 0x11) {
		return SNP_PRODUCT_TURIN;
	}
	return SNP_PRODUCT_UNKNOWN;
}

/* A must-be-zero range of the report, by version. */
struct mbz_range {
	uint16_t off, len;
	uint8_t min_version, max_version; /* inclusive */
	const char *what;
};

static const struct mbz_range mbz_ranges[] = {
	{ 0x04C, 4, 2, 5, "reserved 0x04C" },
	{ 0x188, 24, 2, 2, "reserved 0x188..0x19F (v2)" },
	{ 0x18B, 21, 3, 5, "reserved 0x18B..0x19F" },
	{ 0x1EB, 1, 2, 5, "reserved byte of CURRENT version" },
	{ 0x1EF, 1, 2, 5, "reserved byte of COMMITTED version" },
	{ 0x1F8, 0xA8, 2, 4, "reserved 0x1F8..0x29F" },
	{ 0x208, 0x98, 5, 5, "reserved 0x208..0x29F (v5)" },
	{ 0x2A0 + 48, 24, 2, 5, "SIGNATURE.R bytes 48..71" },
	{ 0x2E8 + 48, 24, 2, 5, "SIGNATURE.S bytes 48..71" },
	{ 0x330, 0x170, 2, 5, "reserved 0x330..0x49F" },
};

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Hex text of exactly one report (whitespace allowed anywhere): decode it
 * into out. Returns 1 if it was, 0 if buf is not such text. */
static int decode_hex_text(const uint8_t *buf, size_t len,
			   uint8_t out[SNP_REPORT_SIZE])
{
	size_t digits = 0;
	for (size_t i = 0; i < len; i++) {
		if (isspace(buf[i]))
			continue;
		if (!isxdigit(buf[i]) || digits >= 2 * SNP_REPORT_SIZE)
			return 0;
		int v = isdigit(buf[i]) ? buf[i] - '0'
					: (tolower(buf[i]) - 'a' + 10);
		if (digits % 2 == 0)
			out[digits / 2] = (uint8_t)(v << 4);
		else
			out[digits / 2] |= (uint8_t)v;
		digits++;
	}
	return digits == 2 * SNP_REPORT_SIZE;
}

/* Azure HCL wrapper (spec §1.1): check the sizes and hash the runtime data. */
static int parse_hcl(const uint8_t *buf, size_t len, struct snp_report *r,
		     struct uvm_error *err)
{
	if (len < SNP_HCL_REPORT_OFFSET + SNP_REPORT_SIZE)
		return uvm_errorf(err, -EINVAL,
				  "Azure HCL report truncated: %zu bytes, the "
				  "SNP report needs %d",
				  len, SNP_HCL_REPORT_OFFSET + SNP_REPORT_SIZE);
	uint32_t total = le32(buf + 8);
	if (total < SNP_HCL_REPORT_OFFSET + SNP_REPORT_SIZE || total > len)
		return uvm_errorf(err, -EINVAL,
				  "Azure HCL header: report size %u inconsistent "
				  "with %d-byte SNP report and %zu-byte file",
				  total, SNP_REPORT_SIZE, len);
	size_t rt = SNP_HCL_REPORT_OFFSET + SNP_REPORT_SIZE; /* 0x4C0 */
	if (total == rt)
		return 0; /* no runtime data */
	if (total < rt + 20)
		return uvm_errorf(err, -EINVAL,
				  "Azure HCL header: runtime data header "
				  "truncated (report size %u)", total);
	uint32_t data_size = le32(buf + rt), var_size = le32(buf + rt + 16);
	if ((uint64_t)data_size != (uint64_t)var_size + 20 ||
	    rt + (uint64_t)data_size != total)
		return uvm_errorf(err, -EINVAL,
				  "Azure HCL runtime data: sizes inconsistent "
				  "(data %u, variable %u, report %u)",
				  data_size, var_size, total);
	if (uvm_sha256(buf + rt + 20, var_size, r->hcl_runtime_sha256) < 0)
		return uvm_errorf(err, -EIO, "SHA-256 failed");
	r->hcl_has_runtime = true;
	r->hcl_runtime_len = var_size;
	return 0;
}

/* Copy the byte-string fields out of r->raw. */
static void copy_fields(struct snp_report *r)
{
	static const struct {
		size_t field, off, len;
	} f[] = {
#define F(name, o) { offsetof(struct snp_report, name), o, sizeof(((struct snp_report *)0)->name) }
		F(family_id, 0x010),	 F(image_id, 0x020),
		F(report_data, 0x050),	 F(measurement, 0x090),
		F(host_data, 0x0C0),	 F(id_key_digest, 0x0E0),
		F(author_key_digest, 0x110), F(report_id, 0x140),
		F(report_id_ma, 0x160),	 F(chip_id, 0x1A0),
		F(sig_r, 0x2A0),	 F(sig_s, 0x2E8),
#undef F
	};
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		memcpy((uint8_t *)r + f[i].field, r->raw + f[i].off, f[i].len);
	r->vmpl = le32(r->raw + 0x030);
	r->current_tcb = le64(r->raw + 0x038);
	r->platform_info = le64(r->raw + 0x040);
}

int snp_report_parse(const uint8_t *buf, size_t len, size_t offset,
		     struct snp_report *ret, struct uvm_error *err)
{
	struct snp_report r = {};
	int k;

	if (offset == SIZE_MAX) {
		if (len >= 4 && !memcmp(buf, "HCLA", 4))
			offset = SNP_HCL_REPORT_OFFSET;
		else if (len >= 2 * SNP_REPORT_SIZE &&
			 decode_hex_text(buf, len, r.raw)) {
			r.wrapper = SNP_WRAPPER_HEX;
			offset = 0;
		} else
			offset = 0;
	}
	if (r.wrapper != SNP_WRAPPER_HEX) {
		if (offset == SNP_HCL_REPORT_OFFSET && len >= 4 &&
		    !memcmp(buf, "HCLA", 4)) {
			r.wrapper = SNP_WRAPPER_AZURE_HCL;
			k = parse_hcl(buf, len, &r, err);
			if (k < 0)
				return k;
		}
		if (offset > len || len - offset < SNP_REPORT_SIZE)
			return uvm_errorf(err, -EINVAL,
					  "truncated: %zu bytes from offset %zu, "
					  "an SNP report is %d bytes",
					  offset > len ? 0 : len - offset, offset,
					  SNP_REPORT_SIZE);
		memcpy(r.raw, buf + offset, SNP_REPORT_SIZE);
		r.offset = offset;
		r.trailing = len - offset - SNP_REPORT_SIZE;
		if (r.wrapper == SNP_WRAPPER_AZURE_HCL)
			r.trailing = 0; /* the wrapper's own data and padding */
	}

	const uint8_t *p = r.raw;
	r.version = le32(p + 0x000);
	if (r.version < 2 || r.version > 5)
		return uvm_errorf(err, -EBADMSG,
				  "unsupported report VERSION %u at offset %zu "
				  "(known: 2, 3, 4, 5)",
				  r.version, offset);
	r.sig_algo = le32(p + 0x034);
	if (r.sig_algo != 1)
		return uvm_errorf(err, -EBADMSG,
				  "unsupported SIGNATURE_ALGO %u (only 1 = "
				  "ECDSA P-384 with SHA-384 is defined)",
				  r.sig_algo);
	r.key_info = le32(p + 0x048);
	if (r.key_info >> 5)
		return uvm_errorf(err, -EBADMSG,
				  "key info 0x%x: reserved bits 31:5 are not zero",
				  r.key_info);
	unsigned sk = (r.key_info >> 2) & 7;
	if (sk >= 2 && sk <= 6)
		return uvm_errorf(err, -EBADMSG,
				  "key info 0x%x: SIGNING_KEY %u is reserved "
				  "(0 = VCEK, 1 = VLEK, 7 = none)",
				  r.key_info, sk);
	for (size_t i = 0; i < ARRAY_SIZE(mbz_ranges); i++) {
		const struct mbz_range *m = &mbz_ranges[i];
		if (r.version < m->min_version || r.version > m->max_version)
			continue;
		if (!all_zero(p + m->off, m->len))
			return uvm_errorf(err, -EBADMSG,
					  "VERSION %u report: %s is not zero",
					  r.version, m->what);
	}

	r.guest_svn = le32(p + 0x004);
	r.policy = le64(p + 0x008);
	r.reported_tcb = le64(p + 0x180);
	if (r.version >= 3) {
		r.has_cpuid = true;
		r.cpuid_fam = p[0x188];
		r.cpuid_mod = p[0x189];
		r.cpuid_step = p[0x18A];
	}
	r.committed_tcb = le64(p + 0x1E0);
	r.current_fw[0] = p[0x1EA];
	r.current_fw[1] = p[0x1E9];
	r.current_fw[2] = p[0x1E8];
	r.committed_fw[0] = p[0x1EE];
	r.committed_fw[1] = p[0x1ED];
	r.committed_fw[2] = p[0x1EC];
	r.launch_tcb = le64(p + 0x1F0);
	if (r.version >= 5) {
		r.launch_mit_vector = le64(p + 0x1F8);
		r.current_mit_vector = le64(p + 0x200);
	}

	copy_fields(&r);
	*ret = r;
	return 0;
}

/* ---- JSON ------------------------------------------------------------- */

static int set_hexstr(json_t *o, const char *key, const uint8_t *b, size_t n)
{
	return uvm_json_set_hex(o, key, b, n);
}

static int set_u64hex(json_t *o, const char *key, uint64_t v)
{
	char s[24];
	snprintf(s, sizeof(s), "0x%llx", (unsigned long long)v);
	return json_object_set_new(o, key, json_string(s));
}

static json_t *tcb_json(uint64_t raw, enum snp_product product)
{
	struct snp_tcb t;
	uint8_t b[8];
	snp_tcb_decode(raw, product, &t);
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(raw >> (8 * i));
	json_t *o = json_object();
	if (!o)
		return NULL;
	set_hexstr(o, "raw", b, 8);
	if (t.has_fmc)
		json_object_set_new(o, "fmc", json_integer(t.fmc));
	json_object_set_new(o, "bl", json_integer(t.bl));
	json_object_set_new(o, "tee", json_integer(t.tee));
	json_object_set_new(o, "snp", json_integer(t.snp));
	json_object_set_new(o, "ucode", json_integer(t.ucode));
	return o;
}

struct bitname {
	uint8_t bit;
	const char *name;
};

static json_t *bits_json(uint64_t v, const struct bitname *names, size_t n,
			 uint64_t reserved_mask)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	set_u64hex(o, "value", v);
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, names[i].name,
				    json_boolean(v >> names[i].bit & 1));
	set_u64hex(o, "reserved_bits", v & reserved_mask);
	return o;
}

static const struct bitname policy_bits[] = {
	{ 16, "smt" },
	{ 17, "reserved_must_be_one" },
	{ 18, "migrate_ma" },
	{ 19, "debug" },
	{ 20, "single_socket" },
	{ 21, "cxl_allow" },
	{ 22, "mem_aes_256_xts" },
	{ 23, "rapl_dis" },
	{ 24, "ciphertext_hiding_dram" },
	{ 25, "page_swap_disable" },
};

static const struct bitname platform_bits[] = {
	{ 0, "smt_en" },
	{ 1, "tsme_en" },
	{ 2, "ecc_en" },
	{ 3, "rapl_dis" },
	{ 4, "ciphertext_hiding_en" },
	{ 5, "alias_check_complete" },
	{ 6, "iommu_write_safe" }, /* name from newer parsers, unverified */
	{ 7, "tio_en" },
};

static const char *signing_key_name(unsigned sk)
{
	switch (sk) {
	case SNP_SIGNING_KEY_VCEK:
		return "VCEK";
	case SNP_SIGNING_KEY_VLEK:
		return "VLEK";
	case SNP_SIGNING_KEY_NONE:
		return "none";
	default:
		return "reserved";
	}
}

static const char *wrapper_name(enum snp_wrapper w)
{
	switch (w) {
	case SNP_WRAPPER_AZURE_HCL:
		return "azure-hcl";
	case SNP_WRAPPER_HEX:
		return "hex";
	default:
		return "none";
	}
}

/* Big-endian hex of a 72-byte little-endian signature half (low 48 bytes). */
static int set_sig_hex(json_t *o, const char *key, const uint8_t *le)
{
	uint8_t be[48];
	for (int i = 0; i < 48; i++)
		be[i] = le[47 - i];
	return set_hexstr(o, key, be, 48);
}

json_t *snp_report_to_json(const struct snp_report *r, enum snp_product product)
{
	enum snp_product own = snp_report_product(r);
	if (product == SNP_PRODUCT_UNKNOWN)
		product = own;
	/* The TCB layout is the product line's; a CPU of family 0x1A or later
	 * that no product line lists yet gets Turin's ("Turin and later",
	 * spec §3), everything else (v2, family 0x19) Milan/Genoa's. */
	enum snp_product layout = product;
	if (layout == SNP_PRODUCT_UNKNOWN && r->has_cpuid && r->cpuid_fam >= 0x1A)
		layout = SNP_PRODUCT_TURIN;
	char s[64];
	_cleanup_json_ json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "wrapper", json_string(wrapper_name(r->wrapper)));
	json_object_set_new(o, "offset", json_integer((json_int_t)r->offset));
	json_object_set_new(o, "version", json_integer(r->version));
	json_object_set_new(o, "generation", json_string(snp_product_name(product)));
	json_object_set_new(o, "tcb_layout",
			    json_string(layout == SNP_PRODUCT_TURIN
						? "turin"
						: "milan-genoa"));
	if (r->has_cpuid) {
		json_t *c = json_object();
		snprintf(s, sizeof(s), "0x%02x", r->cpuid_fam);
		json_object_set_new(c, "family", json_string(s));
		snprintf(s, sizeof(s), "0x%02x", r->cpuid_mod);
		json_object_set_new(c, "model", json_string(s));
		snprintf(s, sizeof(s), "0x%02x", r->cpuid_step);
		json_object_set_new(c, "stepping", json_string(s));
		json_object_set_new(c, "product",
				    json_string(snp_product_name(own)));
		json_object_set_new(o, "cpuid", c);
	}
	json_object_set_new(o, "guest_svn", json_integer(r->guest_svn));

	json_t *pol = bits_json(r->policy, policy_bits, ARRAY_SIZE(policy_bits),
				~((1ULL << 26) - 1));
	if (pol) {
		json_object_set_new(pol, "abi_major",
				    json_integer((r->policy >> 8) & 0xff));
		json_object_set_new(pol, "abi_minor",
				    json_integer(r->policy & 0xff));
	}
	json_object_set_new(o, "policy", pol);
	set_hexstr(o, "family_id", r->family_id, 16);
	set_hexstr(o, "image_id", r->image_id, 16);
	json_object_set_new(o, "vmpl", json_integer(r->vmpl));
	json_object_set_new(o, "signature_algo", json_integer(r->sig_algo));
	json_object_set_new(o, "current_tcb", tcb_json(r->current_tcb, layout));
	json_object_set_new(o, "platform_info",
			    bits_json(r->platform_info, platform_bits,
				      ARRAY_SIZE(platform_bits), ~0xffULL));
	json_t *ki = json_object();
	if (ki) {
		set_u64hex(ki, "value", r->key_info);
		json_object_set_new(ki, "author_key_en",
				    json_boolean(r->key_info & 1));
		json_object_set_new(ki, "mask_chip_key",
				    json_boolean(r->key_info >> 1 & 1));
		json_object_set_new(ki, "signing_key",
				    json_string(signing_key_name(
					    snp_report_signing_key(r))));
	}
	json_object_set_new(o, "key_info", ki);
	set_hexstr(o, "report_data", r->report_data, 64);
	set_hexstr(o, "measurement", r->measurement, 48);
	set_hexstr(o, "host_data", r->host_data, 32);
	set_hexstr(o, "id_key_digest", r->id_key_digest, 48);
	set_hexstr(o, "author_key_digest", r->author_key_digest, 48);
	set_hexstr(o, "report_id", r->report_id, 32);
	set_hexstr(o, "report_id_ma", r->report_id_ma, 32);
	json_object_set_new(o, "reported_tcb", tcb_json(r->reported_tcb, layout));
	set_hexstr(o, "chip_id", r->chip_id, 64);
	json_object_set_new(o, "committed_tcb",
			    tcb_json(r->committed_tcb, layout));
	snprintf(s, sizeof(s), "%u.%u.%u", r->current_fw[0], r->current_fw[1],
		 r->current_fw[2]);
	json_object_set_new(o, "current_fw", json_string(s));
	snprintf(s, sizeof(s), "%u.%u.%u", r->committed_fw[0],
		 r->committed_fw[1], r->committed_fw[2]);
	json_object_set_new(o, "committed_fw", json_string(s));
	json_object_set_new(o, "launch_tcb", tcb_json(r->launch_tcb, layout));
	if (r->version >= 5) {
		set_u64hex(o, "launch_mit_vector", r->launch_mit_vector);
		set_u64hex(o, "current_mit_vector", r->current_mit_vector);
	}
	json_t *sig = json_object();
	if (sig) {
		set_sig_hex(sig, "r", r->sig_r);
		set_sig_hex(sig, "s", r->sig_s);
	}
	json_object_set_new(o, "signature", sig);
	if (r->wrapper == SNP_WRAPPER_AZURE_HCL && r->hcl_has_runtime) {
		json_t *h = json_object();
		json_object_set_new(h, "runtime_data_len",
				    json_integer(r->hcl_runtime_len));
		set_hexstr(h, "runtime_data_sha256", r->hcl_runtime_sha256, 32);
		json_object_set_new(o, "hcl", h);
	}
	if (r->trailing)
		json_object_set_new(o, "trailing_bytes",
				    json_integer((json_int_t)r->trailing));
	return TAKE_PTR(o);
}

/* ---- check lists ------------------------------------------------------ */

bool snp_checks_add(struct snp_checks *l, const char *name, bool pass,
		    const char *fmt, ...)
{
	if (l->n >= SNP_CHECKS_MAX)
		return pass;
	struct snp_check *c = &l->c[l->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->pass = pass;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	return pass;
}

size_t snp_checks_failed(const struct snp_checks *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += !l->c[i].pass;
	return n;
}

const struct snp_check *snp_checks_find(const struct snp_checks *l,
					const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->c[i].name, name))
			return &l->c[i];
	return NULL;
}

json_t *snp_checks_to_json(const struct snp_checks *l)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < l->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:b, s:s}", "name",
						   l->c[i].name, "pass",
						   l->c[i].pass, "detail",
						   l->c[i].detail));
	return a;
}
