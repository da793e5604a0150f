/* test-report-cert.c — unit tests for measure/amdcert.c and amdroots.c:
 * every case of shared/vectors/snp-reports/cases.json verified (chain links,
 * validity, X509_verify_cert at 2026-11-28, extensions, report signature)
 * with the results recorded there, including the two altered VCEKs and the
 * expired VLEK; the built-in roots against their pins; broken certificate
 * input refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include <openssl/pem.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "common/hex.h"
#include "measure/amdcert.h"
#include "measure/amdroots.h"
#include "measure/snpreport.h"

#define VEC "../shared/vectors/snp-reports"
#define AT_2026_11_28 ((time_t)1795824000) /* cases.json's reference time */
#define AT_2025_06_01 ((time_t)1748736000)

/* Generated for this test with `openssl req -x509 -newkey ec` (P-256 key
 * under CN=SEV-VCEK; P-384 key under CN=example.com). */
static const char p256vcek_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBezCCASGgAwIBAgIUUPywhulEO4XgiNzMI2Xxz4PGHzIwCgYIKoZIzj0EAwIw\n"
	"EzERMA8GA1UEAwwIU0VWLVZDRUswHhcNMjYxMTI4MDQyMjIyWhcNMzYxMTI1MDQy\n"
	"MjIyWjATMREwDwYDVQQDDAhTRVYtVkNFSzBZMBMGByqGSM49AgEGCCqGSM49AwEH\n"
	"A0IABDI8wGmIuQHySU+nQDfSey/Lt2DLRUOf07VhbUQgJgYoHEm3ExIy2L5ZTqIp\n"
	"r7QAGhJYNRLqzD7KDq+9lWekgq+jUzBRMB0GA1UdDgQWBBQaGiIYWh6Xy7/9I1TY\n"
	"HiOJ/fP7MTAfBgNVHSMEGDAWgBQaGiIYWh6Xy7/9I1TYHiOJ/fP7MTAPBgNVHRMB\n"
	"Af8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQDuSSMMq0sZ9VyRFJxTQH1Zk4ox\n"
	"G0A/XnDkQrn2EdtaswIgTBxzHa0CsD6QW/m/lIpR7Fd8irYveQNxkbf4JRphAX0=\n"
	"-----END CERTIFICATE-----\n";
static const char other_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBvjCCAUSgAwIBAgIUXa8vnPQgqdBchDzdrbUxa3GWZfYwCgYIKoZIzj0EAwIw\n"
	"FjEUMBIGA1UEAwwLZXhhbXBsZS5jb20wHhcNMjYxMTI4MDQyMjIyWhcNMzYxMTI1\n"
	"MDQyMjIyWjAWMRQwEgYDVQQDDAtleGFtcGxlLmNvbTB2MBAGByqGSM49AgEGBSuB\n"
	"BAAiA2IABAqKQ8Rk7uIgYYUUPnPQs4ZwHdl/UBlR614RZ7a1IVpiHKcpn9aGvRTb\n"
	"AQqO9mKMC1ImrkhSFtMGsQtmrdNeXpX/p2hShwATcS/0I6nC7zAzwfNB6VJL6rXb\n"
	"LYWSaHhg/KNTMFEwHQYDVR0OBBYEFCiebCN+i1TxaJuIg3Dm4Tu6DUAwMB8GA1Ud\n"
	"IwQYMBaAFCiebCN+i1TxaJuIg3Dm4Tu6DUAwMA8GA1UdEwEB/wQFMAMBAf8wCgYI\n"
	"KoZIzj0EAwIDaAAwZQIwftuEI/Z6FVcM/6eNhVdoeT5zu4HreQ5a86roLHvnOfl8\n"
	"VLT38hxbg7maQc2++gwGAjEA0Rfi21cyMJEOJ0vt3u7uc18gokYzU+1fZs0N+uZh\n"
	"oETPshiwOKdzKATWnR71+32E\n"
	"-----END CERTIFICATE-----\n";

static json_t *cases;

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	assert_non_null(s);
	return s;
}

static bool check_pass(const struct snp_checks *l, const char *name)
{
	const struct snp_check *c = snp_checks_find(l, name);
	if (!c)
		fail_msg("no check %s", name);
	return c->pass;
}

static void add(struct amd_certset *s, const char *rel)
{
	char path[512];
	struct uvm_error err = {};
	snprintf(path, sizeof(path), VEC "/%s", rel);
	int r = amd_certset_add_path(s, path, &err);
	if (r < 0)
		fail_msg("%s: %s", rel, err.msg);
}

/* Verify one case at time at; out gets the checks. */
static void verify_case(json_t *c, time_t at, struct snp_checks *out,
			struct snp_report *rep, bool *has_report)
{
	_cleanup_certset_ struct amd_certset set = {};
	struct uvm_error err = {};
	add(&set, jstr(c, "vek"));
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(c, "chain"), i, f)
		add(&set, json_string_value(f));
	*has_report = !json_is_null(json_object_get(c, "report"));
	if (*has_report) {
		char path[512];
		uint8_t *buf;
		size_t len;
		snprintf(path, sizeof(path), VEC "/%s", jstr(c, "report"));
		assert_int_equal(uvm_read_file(path, 1 << 20, &buf, &len, &err), 0);
		assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, rep, &err), 0);
		free(buf);
	}
	struct amd_verify_opts o = { .at = at };
	enum snp_product p;
	memset(out, 0, sizeof(*out));
	int r = amd_verify(*has_report ? rep : NULL, &set, &o, out, &p, &err);
	if (r < 0)
		fail_msg("%s: %s", jstr(c, "name"), err.msg);
	assert_int_equal(p, snp_product_parse(jstr(c, "generation")));
}

static void test_cases_verify(void **state)
{
	size_t i;
	json_t *c;
	int n = 0, neg = 0;
	json_array_foreach(cases, i, c)
	{
		struct snp_checks l;
		struct snp_report r;
		bool has_report;
		json_t *e = json_object_get(c, "expect");
		verify_case(c, AT_2026_11_28, &l, &r, &has_report);
		assert_true(check_pass(&l, "ark-pinned"));
		assert_int_equal(check_pass(&l, "ark-self-signed"),
				 json_is_true(json_object_get(e, "ark_self_signed_valid")));
		assert_int_equal(check_pass(&l, "ark-signs-ask"),
				 json_is_true(json_object_get(e, "ark_signs_ask_valid")));
		assert_int_equal(check_pass(&l, "ask-signs-vek"),
				 json_is_true(json_object_get(e, "ask_signs_vek_valid")));
		assert_int_equal(check_pass(&l, "chain-x509"),
				 json_is_true(json_object_get(
					 e, "openssl_verify_at_2026_11_28")));
		/* Validity dates as recorded ("2022-09-24 .. 2029-09-24"). */
		const struct snp_check *v = snp_checks_find(&l, "vek-validity");
		assert_non_null(v);
		assert_non_null(strstr(v->detail, jstr(e, "vek_validity")));
		if (has_report) {
			assert_int_equal(check_pass(&l, "report-signature"),
					 json_is_true(json_object_get(
						 e, "report_signature_valid")));
			assert_int_equal(check_pass(&l, "vek-tcb") &&
						 check_pass(&l, "vek-hwid"),
					 json_is_true(json_object_get(
						 e, "vek_ext_matches_report")));
			assert_true(check_pass(&l, "signing-key"));
		}
		if (json_is_true(json_object_get(c, "negative"))) {
			neg++;
			assert_true(snp_checks_failed(&l) > 0);
		}
		n++;
	}
	assert_int_equal(n, 11);
	assert_int_equal(neg, 2);
}

/* The AWS VLEK expired on 2025-12-10: valid at 2025-06-01, not at 2026-11-28. */
static void test_vlek_expiry(void **state)
{
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c)
	{
		if (strcmp(jstr(c, "name"), "trustee-milan-v3-vlek"))
			continue;
		struct snp_checks l;
		struct snp_report r;
		bool has;
		verify_case(c, AT_2026_11_28, &l, &r, &has);
		assert_false(check_pass(&l, "vek-validity"));
		assert_non_null(strstr(snp_checks_find(&l, "vek-validity")->detail,
				       "EXPIRED"));
		assert_false(check_pass(&l, "chain-x509"));
		assert_true(check_pass(&l, "report-signature"));
		assert_int_equal(snp_checks_failed(&l), 2);
		verify_case(c, AT_2025_06_01, &l, &r, &has);
		assert_int_equal(snp_checks_failed(&l), 0);
		/* Before its notBefore (2024-12-10). */
		verify_case(c, (time_t)1700000000, &l, &r, &has);
		assert_non_null(strstr(snp_checks_find(&l, "vek-validity")->detail,
				       "NOT YET VALID"));
		return;
	}
	fail();
}

/* Every VEK's extensions as cases.json decodes them. */
static void test_vek_extensions(void **state)
{
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c)
	{
		_cleanup_certset_ struct amd_certset set = {};
		add(&set, jstr(c, "vek"));
		struct amd_cert *vek = NULL;
		for (size_t k = 0; k < set.n; k++)
			if (set.c[k].kind == AMD_CERT_VCEK || set.c[k].kind == AMD_CERT_VLEK)
				vek = &set.c[k];
		assert_non_null(vek);
		assert_string_equal(vek->kind == AMD_CERT_VCEK ? "VCEK" : "VLEK",
				    jstr(c, "signing_key"));
		struct amd_vek_ext e;
		struct uvm_error err = {};
		assert_int_equal(amd_vek_ext_parse(vek->x509, &e, &err), 0);
		json_t *w = json_object_get(json_object_get(c, "expect"), "vek_ext");
		assert_true(e.has_struct_version);
		assert_int_equal(e.struct_version,
				 json_integer_value(json_object_get(w, "structVersion")));
		assert_string_equal(e.product_name, jstr(w, "productName"));
		assert_int_equal(e.bl, json_integer_value(json_object_get(w, "blSPL")));
		assert_int_equal(e.tee, json_integer_value(json_object_get(w, "teeSPL")));
		assert_int_equal(e.snp, json_integer_value(json_object_get(w, "snpSPL")));
		assert_int_equal(e.ucode,
				 json_integer_value(json_object_get(w, "ucodeSPL")));
		assert_int_equal(e.has_fmc, json_object_get(w, "fmcSPL") != NULL);
		if (e.has_fmc)
			assert_int_equal(e.fmc, json_integer_value(
							json_object_get(w, "fmcSPL")));
		json_t *hw = json_object_get(w, "hwID");
		if (hw) {
			char h[129];
			uvm_hex_encode(e.hwid, e.hwid_len, h);
			assert_string_equal(h, json_string_value(hw));
			assert_int_equal(e.hwid_octet_string,
					 !strcmp(jstr(w, "hwID_encoding"),
						 "DER OCTET STRING"));
		} else {
			assert_int_equal(e.hwid_len, 0);
			assert_string_equal(e.csp_id, jstr(w, "cspID"));
		}
	}
}

/* The built-in certificates hash to the pins of the vectors' README. */
static void test_builtin_pins(void **state)
{
	static const char *const readme_pins[] = {
		"69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd",
		"4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1",
		"1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a",
		"67d303bd3905fd38db8b20e0793699870e7fa612eaad5dec358293fd8c0bac1b",
		"5464738c1546aed5f2cecf1dc98c5c960a92e8913238a61711bc90ec6e828521",
		"5b77ef5fe7a7a004fd9032668fba9d0fda22f88c4442069a479636a6ae3b3185",
		"c5e081f59b7efab1fe2f8b505e159704e72f29cab7ef7cf628a05a42439082f5",
		"197e610743a917d6b9bb982a5a9226ccc0a15b611be0619e626aca9151457372",
		"104e10a8bd060a3c20a434261a57d0588fd65a88915b4f65b08bdecaf8df1a3c",
	};
	assert_int_equal(amd_roots_count, 9);
	for (size_t i = 0; i < amd_roots_count; i++) {
		_cleanup_certset_ struct amd_certset s = {};
		struct uvm_error err = {};
		const struct amd_root *a = &amd_roots[i];
		assert_int_equal(amd_certset_add_mem(&s, (const uint8_t *)a->pem,
						     strlen(a->pem), a->cn, &err),
				 1);
		assert_string_equal(s.c[0].cn, a->cn);
		assert_int_equal(s.c[0].product, a->product);
		unsigned char *der = NULL;
		int n = i2d_X509(s.c[0].x509, &der);
		uint8_t h[32];
		char hex[65];
		uvm_sha256(der, (size_t)n, h);
		OPENSSL_free(der);
		uvm_hex_encode(h, 32, hex);
		assert_string_equal(hex, a->der_sha256);
		bool found = false;
		for (size_t k = 0; k < ARRAY_SIZE(readme_pins); k++)
			found |= !strcmp(readme_pins[k], hex);
		assert_true(found);
	}
}

/* Verification with only the VCEK: the built-in ASK and ARK complete it. */
static void test_builtin_chain(void **state)
{
	_cleanup_certset_ struct amd_certset set = {};
	add(&set, "mstav-genoa-v3/vcek.pem");
	struct uvm_error err = {};
	struct snp_checks l = {};
	struct amd_verify_opts o = { .at = AT_2026_11_28 };
	assert_int_equal(amd_verify(NULL, &set, &o, &l, NULL, &err), 0);
	assert_int_equal(snp_checks_failed(&l), 0);
	assert_non_null(strstr(snp_checks_find(&l, "ark-signs-ask")->detail,
			       "built-in"));

	/* --ark given explicitly (the trust/ copy). */
	_cleanup_certset_ struct amd_certset ark = {};
	add(&ark, "trust/genoa_ark.pem");
	o.ark = &ark;
	memset(&l, 0, sizeof(l));
	assert_int_equal(amd_verify(NULL, &set, &o, &l, NULL, &err), 0);
	assert_int_equal(snp_checks_failed(&l), 0);
	assert_non_null(strstr(snp_checks_find(&l, "ark-pinned")->detail, "--ark"));
}

static int try_add(const char *buf, size_t len, struct uvm_error *err)
{
	_cleanup_certset_ struct amd_certset s = {};
	return amd_certset_add_mem(&s, (const uint8_t *)buf, len, "input", err);
}

/* Garbage PEM/DER, non-AMD certificates, wrong key types. */
static void test_bad_certs(void **state)
{
	struct uvm_error err = {};
	static const char garbage[] = "garbage\n";
	assert_int_equal(try_add(garbage, 0, &err), -EINVAL);
	assert_int_equal(try_add(garbage, sizeof(garbage) - 1, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a PEM or DER"));
	static const char badpem[] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
				     "-----END CERTIFICATE-----\n";
	assert_int_equal(try_add(badpem, sizeof(badpem) - 1, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "malformed"));
	assert_int_equal(try_add("-----BEGIN", 10, &err), -EINVAL);
	assert_int_equal(try_add(other_pem, strlen(other_pem), &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not an AMD SEV-SNP certificate"));

	/* Truncated DER at several lengths, and DER with trailing bytes. */
	char path[256];
	uint8_t *der;
	size_t len;
	snprintf(path, sizeof(path), VEC "/gosev-milan-v2/vcek.der");
	assert_int_equal(uvm_read_file(path, 1 << 20, &der, &len, &err), 0);
	for (size_t cut = 1; cut < len; cut += 97)
		assert_int_equal(try_add((const char *)der, cut, &err), -EINVAL);
	assert_int_equal(try_add((const char *)der, len, &err), 1);
	uint8_t *longer = malloc(len + 1);
	memcpy(longer, der, len);
	longer[len] = 0;
	assert_int_equal(try_add((const char *)longer, len + 1, &err), -EINVAL);
	free(longer);
	free(der);

	/* A bundle must list its chain leaf first; a CA bundle with both an
	 * ASK and an ASVK (trustee's) is a set. */
	{
		_cleanup_free_ uint8_t *vcek = NULL, *ask = NULL, *ark = NULL;
		size_t l1, l2, l3;
		assert_int_equal(uvm_read_file(VEC "/mstav-milan-v3/vcek.pem", 1 << 20, &vcek, &l1, &err), 0);
		assert_int_equal(uvm_read_file(VEC "/mstav-milan-v3/ask.pem", 1 << 20, &ask, &l2, &err), 0);
		assert_int_equal(uvm_read_file(VEC "/mstav-milan-v3/ark.pem", 1 << 20, &ark, &l3, &err), 0);
		char b[8192];
		static const int orders[][3] = { { 0, 1, 2 }, { 2, 1, 0 }, { 1, 0, 2 },
						 { 0, 2, 1 }, { 1, 2, 0 } };
		const uint8_t *parts[3] = { vcek, ask, ark };
		size_t lens[3] = { l1, l2, l3 };
		for (size_t o = 0; o < ARRAY_SIZE(orders); o++) {
			size_t n = 0;
			for (int i = 0; i < 3; i++) {
				memcpy(b + n, parts[orders[o][i]], lens[orders[o][i]]);
				n += lens[orders[o][i]];
			}
			int r = try_add(b, n, &err);
			if (o == 0)
				assert_int_equal(r, 3);
			else
				assert_int_equal(r, -EINVAL),
					assert_non_null(strstr(err.msg, "out of order"));
		}
		_cleanup_certset_ struct amd_certset t = {};
		add(&t, "trust/milan_ask_ark_asvk.pem");
		assert_int_equal(t.n, 3);
	}

	/* A "VCEK" with a P-256 key is refused by the verifier. */
	_cleanup_certset_ struct amd_certset s = {};
	assert_int_equal(amd_certset_add_mem(&s, (const uint8_t *)p256vcek_pem,
					     strlen(p256vcek_pem), "p256", &err),
			 1);
	struct snp_checks l = {};
	struct amd_verify_opts o = { .at = AT_2026_11_28, .product = SNP_PRODUCT_MILAN };
	assert_int_equal(amd_verify(NULL, &s, &o, &l, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not EC P-384"));
}

/* Chains that cannot be judged: one clear error, no checks. */
static void test_bad_chains(void **state)
{
	static const struct {
		const char *files[4];
		enum snp_product product;
		const char *ark;
		const char *msg;
	} v[] = {
		/* Another product's intermediate. */
		{ { "mstav-milan-v3/vcek.pem", "trust/genoa_ask.pem" }, 0, NULL,
		  "product mismatch" },
		/* Another product's ARK with a consistent ASK. */
		{ { "mstav-milan-v3/vcek.pem", "trust/milan_ask.pem",
		    "trust/genoa_ark.pem" }, 0, NULL, "product mismatch" },
		/* --product contradicts the certificates. */
		{ { "routex-turin-v5/vcek_ask_ark.pem" }, SNP_PRODUCT_GENOA, NULL,
		  "product mismatch" },
		/* No VEK at all. */
		{ { "trust/milan_ask_ark_asvk.pem" }, 0, NULL, "no VCEK or VLEK" },
		/* Two different VCEKs. */
		{ { "gosev-milan-v2/vcek.der", "virtee-milan-v2/vcek.der" }, 0, NULL,
		  "different VCEK" },
		/* An ASK passed as the trust anchor. */
		{ { "mstav-milan-v3/vcek.pem" }, 0, "trust/milan_ask.pem",
		  "exactly one ARK" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		_cleanup_certset_ struct amd_certset set = {}, ark = {};
		for (size_t k = 0; k < 4 && v[i].files[k]; k++)
			add(&set, v[i].files[k]);
		if (v[i].ark)
			add(&ark, v[i].ark);
		struct amd_verify_opts o = { .at = AT_2026_11_28,
					     .product = v[i].product,
					     .ark = v[i].ark ? &ark : NULL };
		struct snp_checks l = {};
		struct uvm_error err = {};
		assert_true(amd_verify(NULL, &set, &o, &l, NULL, &err) < 0);
		if (!strstr(err.msg, v[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, v[i].msg);
		assert_null(strchr(err.msg, '\n'));
	}

	/* A report of one generation, certificates of another. */
	uint8_t *buf;
	size_t len;
	struct uvm_error err = {};
	assert_int_equal(uvm_read_file(VEC "/mstav-genoa-v3/report.bin", 1 << 20,
				       &buf, &len, &err),
			 0);
	struct snp_report r;
	assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, &r, &err), 0);
	free(buf);
	_cleanup_certset_ struct amd_certset set = {};
	add(&set, "mstav-milan-v3/vcek.pem");
	struct amd_verify_opts o = { .at = AT_2026_11_28 };
	struct snp_checks l = {};
	assert_int_equal(amd_verify(&r, &set, &o, &l, NULL, &err), -EXDEV);
	assert_non_null(strstr(err.msg, "Genoa"));

	/* An unsigned report (SIGNING_KEY 7) fails the signing-key check. */
	assert_int_equal(uvm_read_file(VEC "/mstav-milan-v3/report.bin", 1 << 20,
				       &buf, &len, &err),
			 0);
	buf[0x48] = 7 << 2;
	assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, &r, &err), 0);
	free(buf);
	memset(&l, 0, sizeof(l));
	assert_int_equal(amd_verify(&r, &set, &o, &l, NULL, &err), 0);
	assert_false(check_pass(&l, "signing-key"));
	assert_false(check_pass(&l, "report-signature"));

	/* CHIP_ID zeroed (MaskChipId): hwID not comparable, not a mismatch;
	 * a different non-zero CHIP_ID is a mismatch. */
	assert_int_equal(uvm_read_file(VEC "/mstav-milan-v3/report.bin", 1 << 20,
				       &buf, &len, &err),
			 0);
	memset(buf + 0x1A0, 0, 64);
	assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, &r, &err), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(amd_verify(&r, &set, &o, &l, NULL, &err), 0);
	assert_true(check_pass(&l, "vek-hwid"));
	assert_non_null(strstr(snp_checks_find(&l, "vek-hwid")->detail, "MaskChipId"));
	buf[0x1A0 + 63] = 1;
	assert_int_equal(snp_report_parse(buf, len, SIZE_MAX, &r, &err), 0);
	free(buf);
	memset(&l, 0, sizeof(l));
	assert_int_equal(amd_verify(&r, &set, &o, &l, NULL, &err), 0);
	assert_false(check_pass(&l, "vek-hwid"));
}

/* One flipped bit anywhere in the signed part breaks the signature. */
static void test_signature_bits(void **state)
{
	uint8_t *buf;
	size_t len;
	struct uvm_error err = {};
	assert_int_equal(uvm_read_file(VEC "/routex-turin-v5/report.bin", 1 << 20,
				       &buf, &len, &err),
			 0);
	_cleanup_certset_ struct amd_certset set = {};
	add(&set, "routex-turin-v5/vcek_ask_ark.pem");
	X509 *vek = set.c[0].x509;
	assert_int_equal(set.c[0].kind, AMD_CERT_VCEK);
	struct snp_report r;
	assert_int_equal(snp_report_parse(buf, len, 0, &r, &err), 0);
	assert_int_equal(amd_report_signature_verify(&r, vek, &err), 1);
	static const size_t offs[] = { 0x08, 0x50, 0x90, 0xC0, 0x180, 0x1A0, 0x1F8, 0x200,
				       0x2A0, 0x2E8 };
	for (size_t i = 0; i < ARRAY_SIZE(offs); i++) {
		uint8_t b[SNP_REPORT_SIZE];
		struct snp_report m;
		memcpy(b, buf, sizeof(b));
		b[offs[i]] ^= 0x01;
		assert_int_equal(snp_report_parse(b, sizeof(b), 0, &m, &err), 0);
		assert_int_equal(amd_report_signature_verify(&m, vek, &err), 0);
	}
	free(buf);
}


/* A GHCB certificate table (SNP_GET_EXT_REPORT / configfs-tsm auxblob)
 * built from the Genoa VCEK, ASK and ARK: GUIDs in the UEFI byte order. */
static size_t build_table(uint8_t *out, size_t cap)
{
	static const char *const files[] = { "mstav-genoa-v3/vcek.pem",
					     "mstav-genoa-v3/ask.pem",
					     "mstav-genoa-v3/ark.pem" };
	static const uint8_t guids[3][16] = {
		{ 0x8d, 0x75, 0xda, 0x63, 0x64, 0xe6, 0x64, 0x45, 0xad, 0xc5,
		  0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd },
		{ 0x79, 0xb3, 0xb7, 0x4a, 0xac, 0xbb, 0xe4, 0x4f, 0xa0, 0x2f,
		  0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82 },
		{ 0xa4, 0x06, 0xb4, 0xc0, 0x03, 0xa8, 0x52, 0x49, 0x97, 0x43,
		  0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae },
	};
	size_t off = 4 * 24;
	memset(out, 0, cap);
	for (int i = 0; i < 3; i++) {
		_cleanup_certset_ struct amd_certset one = {};
		add(&one, files[i]);
		unsigned char *der = NULL;
		int n = i2d_X509(one.c[0].x509, &der);
		assert_true(n > 0 && off + (size_t)n <= cap);
		memcpy(out + off, der, (size_t)n);
		OPENSSL_free(der);
		memcpy(out + 24 * i, guids[i], 16);
		for (int k = 0; k < 4; k++) {
			out[24 * i + 16 + k] = (uint8_t)(off >> (8 * k));
			out[24 * i + 20 + k] = (uint8_t)((size_t)n >> (8 * k));
		}
		off += (size_t)n;
	}
	return off;
}

static void test_cert_table(void **state)
{
	static uint8_t t[8192];
	size_t len = build_table(t, sizeof(t));
	struct uvm_error err = {};
	_cleanup_certset_ struct amd_certset set = {};
	assert_int_equal(amd_certset_add_mem(&set, t, len, "auxblob", &err), 3);
	assert_int_equal(set.c[0].kind, AMD_CERT_VCEK);
	assert_int_equal(set.c[1].kind, AMD_CERT_ASK);
	assert_int_equal(set.c[2].kind, AMD_CERT_ARK);
	struct snp_checks l = {};
	struct amd_verify_opts o = { .at = AT_2026_11_28 };
	assert_int_equal(amd_verify(NULL, &set, &o, &l, NULL, &err), 0);
	assert_int_equal(snp_checks_failed(&l), 0);

	/* Broken tables: entry beyond the end, no terminator, not DER. */
	static uint8_t b[8192];
	_cleanup_certset_ struct amd_certset s2 = {};
	memcpy(b, t, len);
	b[24 + 20] = 0xff, b[24 + 21] = 0xff;
	assert_int_equal(amd_certset_add_mem(&s2, b, len, "t", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "outside the table"));
	memcpy(b, t, len);
	b[72] = 1; /* the terminating entry is not all zero any more */
	assert_int_equal(amd_certset_add_mem(&s2, b, len, "t", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "terminating entry"));
	memcpy(b, t, len);
	b[4 * 24] ^= 0xff; /* first DER byte */
	assert_int_equal(amd_certset_add_mem(&s2, b, len, "t", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a DER certificate"));
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
		cmocka_unit_test(test_cases_verify),  cmocka_unit_test(test_vlek_expiry),
		cmocka_unit_test(test_vek_extensions), cmocka_unit_test(test_builtin_pins),
		cmocka_unit_test(test_builtin_chain), cmocka_unit_test(test_bad_certs),
		cmocka_unit_test(test_bad_chains),    cmocka_unit_test(test_signature_bits),
		cmocka_unit_test(test_cert_table),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
