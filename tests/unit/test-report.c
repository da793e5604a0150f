/* test-report.c — unit tests for measure/snpreport.c and measure/reportcheck.c:
 * every report of shared/vectors/snp-reports/cases.json decoded field by
 * field against the values recorded there, TCB layouts and product lines
 * from spec tables, and malformed reports (truncated, wrong version,
 * reserved bits and ranges, broken Azure HCL wrapper) rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "common/hex.h"
#include "common/json.h"
#include "measure/snpreport.h"
#include "measure/reportcheck.h"

#define VEC "../shared/vectors/snp-reports"

static json_t *cases;

static uint8_t *load(const char *rel, size_t *len)
{
	char path[512];
	uint8_t *buf;
	snprintf(path, sizeof(path), VEC "/%s", rel);
	struct uvm_error err = {};
	assert_int_equal(uvm_read_file(path, 1 << 20, &buf, len, &err), 0);
	return buf;
}

static void assert_hex(const uint8_t *b, size_t n, const char *want)
{
	char s[257];
	assert_true(n * 2 < sizeof(s));
	uvm_hex_encode(b, n, s);
	assert_string_equal(s, want);
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	assert_non_null(s);
	return s;
}

/* Every case with a report: every field cases.json records. */
static void test_cases_decode(void **state)
{
	size_t i;
	json_t *c;
	int n = 0;
	json_array_foreach(cases, i, c)
	{
		if (json_is_null(json_object_get(c, "report")))
			continue;
		size_t len;
		_cleanup_free_ uint8_t *buf = load(jstr(c, "report"), &len);
		struct snp_report r, r2;
		struct uvm_error err = {};
		size_t off = (size_t)json_integer_value(
			json_object_get(c, "report_offset"));
		/* Recognised automatically, and at the explicit offset. */
		assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, &r, &err), 0);
		assert_int_equal(r.offset, off);
		assert_int_equal(snp_report_parse(buf, len, off, &r2, &err), 0);
		assert_memory_equal(r.raw, r2.raw, SNP_REPORT_SIZE);

		assert_int_equal(r.version,
				 json_integer_value(json_object_get(c, "version")));
		assert_int_equal(r.vmpl, json_integer_value(json_object_get(c, "vmpl")));
		assert_int_equal(r.guest_svn,
				 json_integer_value(json_object_get(c, "guest_svn")));
		char s[64];
		snprintf(s, sizeof(s), "0x%llx", (unsigned long long)r.policy);
		assert_string_equal(s, jstr(c, "policy"));
		snprintf(s, sizeof(s), "0x%llx", (unsigned long long)r.platform_info);
		assert_string_equal(s, jstr(c, "platform_info"));
		assert_hex(r.measurement, 48, jstr(c, "measurement"));
		assert_hex(r.report_data, 64, jstr(c, "report_data"));
		assert_hex(r.host_data, 32, jstr(c, "host_data"));
		assert_hex(r.chip_id, 64, jstr(c, "chip_id"));
		assert_hex(r.id_key_digest, 48, jstr(c, "id_key_digest"));
		assert_hex(r.author_key_digest, 48, jstr(c, "author_key_digest"));
		assert_hex(r.raw + 0x180, 8, jstr(c, "reported_tcb_hex"));
		snprintf(s, sizeof(s), "%u.%u.%u", r.current_fw[0], r.current_fw[1],
			 r.current_fw[2]);
		assert_string_equal(s, jstr(c, "current_fw"));
		snprintf(s, sizeof(s), "%u.%u.%u", r.committed_fw[0],
			 r.committed_fw[1], r.committed_fw[2]);
		assert_string_equal(s, jstr(c, "committed_fw"));
		assert_string_equal(snp_report_signing_key(&r) ? "VLEK" : "VCEK",
				    jstr(c, "signing_key"));

		/* The TCB decoded with the case's generation. */
		int p = snp_product_parse(jstr(c, "generation"));
		assert_true(p > 0);
		if (r.version >= 3)
			assert_int_equal(snp_report_product(&r), p);
		else
			assert_int_equal(snp_report_product(&r), SNP_PRODUCT_UNKNOWN);
		struct snp_tcb t;
		snp_tcb_decode(r.reported_tcb, (enum snp_product)p, &t);
		json_t *want = json_object_get(c, "reported_tcb");
		assert_int_equal(t.bl, json_integer_value(json_object_get(want, "bl")));
		assert_int_equal(t.tee, json_integer_value(json_object_get(want, "tee")));
		assert_int_equal(t.snp, json_integer_value(json_object_get(want, "snp")));
		assert_int_equal(t.ucode,
				 json_integer_value(json_object_get(want, "ucode")));
		assert_int_equal(t.has_fmc, json_object_get(want, "fmc") != NULL);
		if (t.has_fmc)
			assert_int_equal(t.fmc, json_integer_value(
							json_object_get(want, "fmc")));

		/* The JSON rendering carries the same values. */
		_cleanup_json_ json_t *j = snp_report_to_json(&r, (enum snp_product)p);
		assert_non_null(j);
		assert_string_equal(jstr(j, "measurement"), jstr(c, "measurement"));
		assert_string_equal(jstr(json_object_get(j, "reported_tcb"), "raw"),
				    jstr(c, "reported_tcb_hex"));
		assert_string_equal(jstr(json_object_get(j, "policy"), "value"),
				    jstr(c, "policy"));
		assert_string_equal(jstr(j, "generation"), jstr(c, "generation"));
		n++;
	}
	assert_int_equal(n, 10);
}

/* Spec §3 examples and the generation table. */
static void test_tcb_layouts(void **state)
{
	static const struct {
		uint8_t b[8];
		enum snp_product p;
		int fmc, bl, tee, snp, ucode;
	} v[] = {
		{ { 0x04, 0, 0, 0, 0, 0, 0x18, 0xdb }, SNP_PRODUCT_MILAN, -1, 4, 0, 24, 219 },
		{ { 0x04, 0, 0, 0, 0, 0, 0x18, 0xdb }, SNP_PRODUCT_UNKNOWN, -1, 4, 0, 24, 219 },
		{ { 0x0a, 0, 0, 0, 0, 0, 0x17, 0x54 }, SNP_PRODUCT_GENOA, -1, 10, 0, 23, 84 },
		{ { 0x00, 0x01, 0x00, 0x02, 0, 0, 0, 0x47 }, SNP_PRODUCT_TURIN, 0, 1, 0, 2, 71 },
		{ { 0x05, 0x06, 0x07, 0x08, 0, 0, 0, 0x09 }, SNP_PRODUCT_TURIN, 5, 6, 7, 8, 9 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint64_t raw = 0;
		for (int k = 0; k < 8; k++)
			raw |= (uint64_t)v[i].b[k] << (8 * k);
		struct snp_tcb t;
		snp_tcb_decode(raw, v[i].p, &t);
		assert_int_equal(t.has_fmc, v[i].fmc >= 0);
		if (v[i].fmc >= 0)
			assert_int_equal(t.fmc, v[i].fmc);
		assert_int_equal(t.bl, v[i].bl);
		assert_int_equal(t.tee, v[i].tee);
		assert_int_equal(t.snp, v[i].snp);
		assert_int_equal(t.ucode, v[i].ucode);
	}

	static const struct {
		uint8_t fam, mod;
		enum snp_product p;
	} g[] = {
		{ 0x19, 0x01, SNP_PRODUCT_MILAN }, { 0x19, 0x0f, SNP_PRODUCT_MILAN },
		{ 0x19, 0x11, SNP_PRODUCT_GENOA }, { 0x19, 0x1f, SNP_PRODUCT_GENOA },
		{ 0x19, 0xa0, SNP_PRODUCT_GENOA }, { 0x19, 0xaf, SNP_PRODUCT_GENOA },
		{ 0x19, 0x20, SNP_PRODUCT_UNKNOWN }, { 0x1a, 0x02, SNP_PRODUCT_TURIN },
		{ 0x1a, 0x11, SNP_PRODUCT_TURIN }, { 0x1a, 0x12, SNP_PRODUCT_UNKNOWN },
		{ 0x17, 0x01, SNP_PRODUCT_UNKNOWN },
	};
	for (size_t i = 0; i < ARRAY_SIZE(g); i++) {
		struct snp_report r = { .has_cpuid = true, .cpuid_fam = g[i].fam,
					.cpuid_mod = g[i].mod };
		assert_int_equal(snp_report_product(&r), g[i].p);
	}
	assert_int_equal(snp_product_parse("Milan-B0"), SNP_PRODUCT_MILAN);
	assert_int_equal(snp_product_parse("genoa"), SNP_PRODUCT_GENOA);
	assert_int_equal(snp_product_parse("TURIN"), SNP_PRODUCT_TURIN);
	assert_int_equal(snp_product_parse("Mila"), -EINVAL);
	assert_int_equal(snp_product_parse("Venice"), -EINVAL);
	assert_int_equal(snp_product_parse("Siena"), SNP_PRODUCT_GENOA);
	assert_int_equal(snp_product_parse("Bergamo"), SNP_PRODUCT_GENOA);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Malformed reports: each mutation of a real v2, v3 and v5 report fails. */
static void test_malformed(void **state)
{
	static const char *const files[] = { "gosev-milan-v2/report.bin",
					      "mstav-milan-v3/report.bin",
					      "routex-turin-v5/report.bin" };
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		size_t len;
		_cleanup_free_ uint8_t *good = load(files[f], &len);
		uint8_t b[SNP_REPORT_SIZE + 32];
		struct snp_report r;
		struct uvm_error err = {};
		assert_int_equal(len, SNP_REPORT_SIZE);
		uint32_t ver = good[0];

		/* Truncated at every interesting length. */
		static const size_t cut[] = { 0, 1, 4, 0x2A0, SNP_REPORT_SIZE - 1 };
		for (size_t i = 0; i < ARRAY_SIZE(cut); i++) {
			assert_int_equal(snp_report_parse(good, cut[i], SIZE_MAX, &r,
							  &err),
					 -EINVAL);
			assert_non_null(strstr(err.msg, "truncated"));
		}
		/* Offset beyond the end. */
		assert_int_equal(snp_report_parse(good, len, 8, &r, &err), -EINVAL);
		assert_int_equal(snp_report_parse(good, len, 5000, &r, &err), -EINVAL);
		/* Trailing bytes are allowed and counted. */
		memcpy(b, good, len);
		memset(b + len, 0xAA, 20);
		assert_int_equal(snp_report_parse(b, len + 20, SIZE_MAX, &r, &err), 0);
		assert_int_equal(r.trailing, 20);

		/* Wrong versions. */
		static const uint32_t bad_ver[] = { 0, 1, 6, 0xffffffff };
		for (size_t i = 0; i < ARRAY_SIZE(bad_ver); i++) {
			memcpy(b, good, len);
			put32(b, bad_ver[i]);
			assert_int_equal(snp_report_parse(b, len, 0, &r, &err),
					 -EBADMSG);
			assert_non_null(strstr(err.msg, "VERSION"));
		}
		/* SIGNATURE_ALGO other than 1. */
		memcpy(b, good, len);
		put32(b + 0x34, 2);
		assert_int_equal(snp_report_parse(b, len, 0, &r, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, "SIGNATURE_ALGO"));
		/* Key info: reserved bits, reserved SIGNING_KEY values. */
		for (uint32_t ki = 2; ki <= 6; ki++) {
			memcpy(b, good, len);
			put32(b + 0x48, ki << 2);
			assert_int_equal(snp_report_parse(b, len, 0, &r, &err),
					 -EBADMSG);
			assert_non_null(strstr(err.msg, "reserved"));
		}
		memcpy(b, good, len);
		put32(b + 0x48, 1u << 5);
		assert_int_equal(snp_report_parse(b, len, 0, &r, &err), -EBADMSG);
		/* SIGNING_KEY 7 (unsigned) parses; the verifier refuses it. */
		memcpy(b, good, len);
		put32(b + 0x48, 7u << 2);
		assert_int_equal(snp_report_parse(b, len, 0, &r, &err), 0);
		assert_int_equal(snp_report_signing_key(&r), SNP_SIGNING_KEY_NONE);

		/* Every must-be-zero byte of this version. */
		static const struct {
			uint16_t off, len;
			uint8_t vmin, vmax;
		} mbz[] = {
			{ 0x04C, 4, 2, 5 },   { 0x188, 3, 2, 2 },   { 0x18B, 21, 2, 5 },
			{ 0x1EB, 1, 2, 5 },   { 0x1EF, 1, 2, 5 },   { 0x1F8, 16, 2, 4 },
			{ 0x208, 0x98, 2, 5 }, { 0x2D0, 24, 2, 5 }, { 0x318, 24, 2, 5 },
			{ 0x330, 0x170, 2, 5 },
		};
		size_t tried = 0;
		for (size_t i = 0; i < ARRAY_SIZE(mbz); i++) {
			if (ver < mbz[i].vmin || ver > mbz[i].vmax)
				continue;
			for (size_t o = mbz[i].off; o < mbz[i].off + mbz[i].len; o++) {
				memcpy(b, good, len);
				b[o] ^= 0x01;
				assert_int_equal(snp_report_parse(b, len, 0, &r, &err),
						 -EBADMSG);
				assert_non_null(strstr(err.msg, "not zero"));
				tried++;
			}
		}
		assert_true(tried > 500);
		/* v3+ CPUID bytes and v5 mitigation vectors are fields, not MBZ. */
		if (ver >= 3) {
			memcpy(b, good, len);
			b[0x18A] ^= 1;
			assert_int_equal(snp_report_parse(b, len, 0, &r, &err), 0);
		}
		if (ver >= 5) {
			memcpy(b, good, len);
			b[0x1F8] = 3;
			b[0x200] = 5;
			assert_int_equal(snp_report_parse(b, len, 0, &r, &err), 0);
			assert_int_equal(r.launch_mit_vector, 3);
			assert_int_equal(r.current_mit_vector, 5);
		}
	}
}

/* Azure HCL wrapper: recognised, runtime data hashed, broken sizes refused. */
static void test_hcl(void **state)
{
	size_t len;
	_cleanup_free_ uint8_t *good = load("azure-milan-v2-hcl/hcl-report.bin", &len);
	struct snp_report r;
	struct uvm_error err = {};
	assert_int_equal(len, 2600);
	assert_int_equal(snp_report_parse(good, len, SIZE_MAX, &r, &err), 0);
	assert_int_equal(r.wrapper, SNP_WRAPPER_AZURE_HCL);
	assert_int_equal(r.offset, 0x20);
	assert_true(r.hcl_has_runtime);
	assert_int_equal(r.hcl_runtime_len, 1110);
	/* REPORT_DATA[0:32] = SHA-256(runtime JSON) (spec §1.1). */
	assert_memory_equal(r.report_data, r.hcl_runtime_sha256, 32);
	uint8_t h[32];
	uvm_sha256(good + 0x4D4, 1110, h);
	assert_memory_equal(h, r.hcl_runtime_sha256, 32);
	assert_int_equal(good[0x4D4], '{');
	/* At offset 0 the "HCLA" magic is no report version. */
	assert_int_equal(snp_report_parse(good, len, 0, &r, &err), -EBADMSG);

	_cleanup_free_ uint8_t *b = malloc(len);
	static const struct {
		size_t off;
		uint32_t v;
	} bad[] = {
		{ 0x08, 0x4BF },  /* report size smaller than header + report */
		{ 0x08, 2601 },	  /* report size beyond the file */
		{ 0x08, 0x4C0 + 10 }, /* runtime header cut */
		{ 0x4C0, 1131 },  /* data size inconsistent */
		{ 0x4D0, 1109 },  /* variable data size inconsistent */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memcpy(b, good, len);
		put32(b + bad[i].off, bad[i].v);
		assert_int_equal(snp_report_parse(b, len, SIZE_MAX, &r, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "HCL"));
	}
	/* Truncated wrapper. */
	assert_int_equal(snp_report_parse(good, 0x20 + 100, SIZE_MAX, &r, &err),
			 -EINVAL);
}

/* The same report as hex text (virtee's report_milan.hex). */
static void test_hex_text(void **state)
{
	size_t lb, lh;
	_cleanup_free_ uint8_t *bin = load("virtee-milan-v2/report.bin", &lb);
	_cleanup_free_ uint8_t *hex = load("virtee-milan-v2/report_milan.hex", &lh);
	struct snp_report a, b;
	struct uvm_error err = {};
	assert_int_equal(snp_report_parse(bin, lb, SIZE_MAX, &a, &err), 0);
	assert_int_equal(snp_report_parse(hex, lh, SIZE_MAX, &b, &err), 0);
	assert_int_equal(b.wrapper, SNP_WRAPPER_HEX);
	assert_memory_equal(a.raw, b.raw, SNP_REPORT_SIZE);
}

static void test_min_tcb_parse(void **state)
{
	struct snp_min_tcb t;
	struct uvm_error err = {};
	assert_int_equal(snp_min_tcb_parse("bl=3,ucode=115", &t, &err), 0);
	assert_false(t.is_raw);
	assert_int_equal(t.bl, 3);
	assert_int_equal(t.ucode, 115);
	assert_int_equal(t.tee, -1);
	assert_int_equal(t.fmc, -1);
	assert_int_equal(snp_min_tcb_parse("0300000000000873", &t, &err), 0);
	assert_true(t.is_raw);
	assert_int_equal(t.raw, 0x7308000000000003ULL);
	assert_int_equal(snp_min_tcb_parse("fmc=0,bl=0x1,tee=0,snp=2,ucode=71", &t,
					   &err),
			 0);
	assert_int_equal(t.bl, 1);
	static const char *const bad[] = { "", "bl", "bl=", "bl=256", "xx=1",
					   "bl=1,", "bl=1;tee=2", "030000000000087" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(snp_min_tcb_parse(bad[i], &t, &err), -EINVAL);
}

static const struct snp_check *run_release(const struct snp_report *r,
					   enum snp_product p,
					   const struct snp_release_opts *o,
					   struct snp_checks *l, const char *name)
{
	struct uvm_error err = {};
	memset(l, 0, sizeof(*l));
	assert_int_equal(snp_release_check(r, p, o, l, &err), 0);
	const struct snp_check *c = snp_checks_find(l, name);
	assert_non_null(c);
	return c;
}

/* Release checks against real report values (spec §7 step 6). */
static void test_release_checks(void **state)
{
	size_t len;
	_cleanup_free_ uint8_t *buf = load("mstav-milan-v3/report.bin", &len);
	struct snp_report r;
	struct uvm_error err = {};
	struct snp_checks l;
	assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, &r, &err), 0);

	struct snp_release_opts o = { .vmpl = -1 };
	/* Debug off: passes without options. */
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "policy-debug")->pass);
	assert_int_equal(l.n, 1);

	uvm_hex_decode("5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f98189887920ab2fa0096903a0c23fca1",
		       o.measurement, 48);
	o.has_measurement = true;
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "measurement")->pass);
	o.measurement[47] ^= 1;
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "measurement")->pass);
	o.has_measurement = false;

	uvm_hex_decode("4f4448c67f3c8dfc8de8a5e37125d807dadcc41f06cf23f615dbd52eec777d10",
		       o.host_data, 32);
	o.has_host_data = true;
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "host-data")->pass);
	o.host_data[0] ^= 1;
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "host-data")->pass);
	o.has_host_data = false;

	/* policy 0x3001f: ABI 0.31, SMT allowed; platform 0x25: SMT enabled. */
	o.has_min_abi = true;
	o.min_abi_major = 0;
	o.min_abi_minor = 31;
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "policy-abi")->pass);
	o.min_abi_minor = 32;
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "policy-abi")->pass);
	o.has_min_abi = false;
	o.no_smt = true;
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "smt")->pass);
	o.no_smt = false;

	/* REPORTED_TCB bl 4 tee 0 snp 24 ucode 219; firmware 1.55.29. */
	o.has_min_tcb = true;
	assert_int_equal(snp_min_tcb_parse("bl=4,tee=0,snp=24,ucode=219", &o.min_tcb, &err), 0);
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "min-tcb")->pass);
	assert_int_equal(snp_min_tcb_parse("04000000000018db", &o.min_tcb, &err), 0);
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "min-tcb")->pass);
	assert_int_equal(snp_min_tcb_parse("ucode=220", &o.min_tcb, &err), 0);
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "min-tcb")->pass);
	assert_int_equal(snp_min_tcb_parse("snp=25", &o.min_tcb, &err), 0);
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "min-tcb")->pass);
	/* fmc is no part of the Milan layout. */
	assert_int_equal(snp_min_tcb_parse("fmc=0", &o.min_tcb, &err), 0);
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "min-tcb")->pass);
	o.has_min_tcb = false;
	o.has_min_fw = true;
	memcpy(o.min_fw, (uint8_t[]){ 1, 55, 29 }, 3);
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "min-fw")->pass);
	memcpy(o.min_fw, (uint8_t[]){ 1, 55, 30 }, 3);
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "min-fw")->pass);
	memcpy(o.min_fw, (uint8_t[]){ 1, 56, 0 }, 3);
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "min-fw")->pass);
	o.has_min_fw = false;

	/* REPORT_DATA all zero: a short expected value is zero-padded. */
	o.report_data_len = 1;
	o.report_data[0] = 0;
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "report-data")->pass);
	o.report_data[0] = 1;
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "report-data")->pass);
	o.report_data_len = 0;
	o.vmpl = 0;
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "vmpl")->pass);
	o.vmpl = 1;
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "vmpl")->pass);
	o.vmpl = -1;

	/* The go-sev-guest sample allows debugging: refused unless allowed. */
	_cleanup_free_ uint8_t *dbg = load("gosev-milan-v2/report.bin", &len);
	assert_int_equal(snp_report_parse(dbg, len, SIZE_MAX, &r, &err), 0);
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "policy-debug")->pass);
	o.allow_debug = true;
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "policy-debug")->pass);

	/* Turin layout: fmc is checked. */
	_cleanup_free_ uint8_t *tb = load("routex-turin-v5/report.bin", &len);
	assert_int_equal(snp_report_parse(tb, len, SIZE_MAX, &r, &err), 0);
	o.has_min_tcb = true;
	assert_int_equal(snp_min_tcb_parse("fmc=0,bl=1,tee=0,snp=2,ucode=71", &o.min_tcb, &err), 0);
	assert_true(run_release(&r, SNP_PRODUCT_TURIN, &o, &l, "min-tcb")->pass);
	assert_int_equal(snp_min_tcb_parse("fmc=1", &o.min_tcb, &err), 0);
	assert_false(run_release(&r, SNP_PRODUCT_TURIN, &o, &l, "min-tcb")->pass);
	assert_int_equal(snp_min_tcb_parse("0001000200000047", &o.min_tcb, &err), 0);
	assert_true(run_release(&r, SNP_PRODUCT_TURIN, &o, &l, "min-tcb")->pass);
}

/* Policy file hashed like Kata/AKS: HOST_DATA = SHA-256(file). */
static void test_policy_file(void **state)
{
	size_t len;
	_cleanup_free_ uint8_t *buf = load("mstav-milan-v3/report.bin", &len);
	char dir[] = "/tmp/uvm-test-report-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/policy.rego", dir);
	static const char pol[] = "package policy\ndefault allow := true\n";
	struct uvm_error err = {};
	assert_int_equal(uvm_write_file_atomic(path, pol, strlen(pol), 0644, &err), 0);
	uvm_sha256(pol, strlen(pol), buf + 0xC0); /* unsigned change: fine here */
	struct snp_report r;
	assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, &r, &err), 0);
	struct snp_release_opts o = { .vmpl = -1, .policy_file = path };
	struct snp_checks l;
	assert_true(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "host-data")->pass);
	buf[0xC0] ^= 1;
	assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, &r, &err), 0);
	assert_false(run_release(&r, SNP_PRODUCT_MILAN, &o, &l, "host-data")->pass);
	unlink(path);
	rmdir(dir);
	o.policy_file = path;
	memset(&l, 0, sizeof(l));
	assert_int_equal(snp_release_check(&r, SNP_PRODUCT_MILAN, &o, &l, &err), -ENOENT);
}

/* show's TCB layout follows the CPU generation: Turin (fmc first) for the
 * v5 Turin report, Milan/Genoa for v2 (no CPUID) and family 0x19, and
 * Turin's for an unlisted CPU of family 0x1A or later (spec §3, "Turin and
 * later"), whose generation stays unknown. */
static void test_show_tcb_layout(void **state)
{
	static const struct {
		const char *file;
		int fam, mod; /* -1: as stored */
		const char *gen, *layout;
		int fmc, bl, snp, ucode;
	} v[] = {
		{ "routex-turin-v5/report.bin", -1, -1, "Turin", "turin", 0, 1, 2, 71 },
		{ "mstav-milan-v3/report.bin", -1, -1, "Milan", "milan-genoa", -1, 4, 24, 219 },
		{ "gosev-milan-v2/report.bin", -1, -1, "unknown", "milan-genoa", -1, 2, 5, 68 },
		{ "routex-turin-v5/report.bin", 0x1a, 0x50, "unknown", "turin", 0, 1, 2, 71 },
		{ "routex-turin-v5/report.bin", 0x1b, 0x00, "unknown", "turin", 0, 1, 2, 71 },
		{ "mstav-milan-v3/report.bin", 0x19, 0x30, "unknown", "milan-genoa", -1, 4, 24, 219 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		size_t len;
		_cleanup_free_ uint8_t *buf = load(v[i].file, &len);
		if (v[i].fam >= 0) {
			buf[0x188] = (uint8_t)v[i].fam;
			buf[0x189] = (uint8_t)v[i].mod;
		}
		struct uvm_error err = {};
		struct snp_report r;
		assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, &r, &err), 0);
		json_t *j = snp_report_to_json(&r, SNP_PRODUCT_UNKNOWN);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "generation")),
				    v[i].gen);
		assert_string_equal(json_string_value(json_object_get(j, "tcb_layout")),
				    v[i].layout);
		json_t *t = json_object_get(j, "reported_tcb");
		assert_int_equal(json_object_get(t, "fmc") != NULL, v[i].fmc >= 0);
		if (v[i].fmc >= 0)
			assert_int_equal(json_integer_value(json_object_get(t, "fmc")),
					 v[i].fmc);
		assert_int_equal(json_integer_value(json_object_get(t, "bl")), v[i].bl);
		assert_int_equal(json_integer_value(json_object_get(t, "snp")), v[i].snp);
		assert_int_equal(json_integer_value(json_object_get(t, "ucode")),
				 v[i].ucode);
		json_decref(j);
	}
}

/* A release directory is only trusted once verified: without public keys,
 * or with keys that cannot be read, the check cannot run (an error, and no
 * check is recorded as passed). The verification itself: t6005. */
static void test_release_needs_keys(void **state)
{
	size_t len;
	_cleanup_free_ uint8_t *buf = load("mstav-milan-v3/report.bin", &len);
	struct uvm_error err = {};
	struct snp_report r;
	assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, &r, &err), 0);
	struct snp_release_opts o = { .vmpl = -1, .release_dir = VEC };
	struct snp_checks l = {};
	assert_int_equal(snp_release_check(&r, SNP_PRODUCT_MILAN, &o, &l, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "public keys"));
	assert_int_equal(l.n, 0);
	o.keydir = "/nonexistent-uvmkit-keys";
	assert_true(snp_release_check(&r, SNP_PRODUCT_MILAN, &o, &l, &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent-uvmkit-keys"));
	assert_int_equal(l.n, 0);
}

static int setup(void **state)
{
	json_error_t je;
	cases = json_load_file(VEC "/cases.json", 0, &je);
	return cases ? 0 : -1;
}

static int teardown(void **state)
{
	json_decref(cases);
	return 0;
}

int main(void)
{
	if (access(VEC "/cases.json", R_OK) < 0) {
		printf("skip: " VEC " missing\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases_decode), cmocka_unit_test(test_tcb_layouts),
		cmocka_unit_test(test_malformed),    cmocka_unit_test(test_hcl),
		cmocka_unit_test(test_hex_text),     cmocka_unit_test(test_min_tcb_parse),
		cmocka_unit_test(test_release_checks),
		cmocka_unit_test(test_policy_file),
		cmocka_unit_test(test_release_needs_keys),
		cmocka_unit_test(test_show_tcb_layout),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
