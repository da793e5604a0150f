/* test-measure.c — unit tests for measure/: GUID encoding, footer table and
 * ASEV parsing of the upstream fixtures (spec §4.1 table), the PAGE_INFO
 * worked example (§1), the hashes-table example (§5.1), vCPU signatures
 * (§6.3), VMSA field tables (§6), and the ID block / ID auth of §8 with the
 * upstream test keys (Appendix A), signatures verified with OpenSSL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "common/hex.h"
#include "measure/idblock.h"
#include "measure/ovmf.h"
#include "measure/sevhashes.h"
#include "measure/snp.h"
#include "measure/vmsa.h"

#define UPSTREAM "../shared/vectors/snp/upstream/"

static void hex_eq(const uint8_t *b, size_t len, const char *want)
{
	char s[2 * 4096 + 1];
	assert_true(len <= 4096);
	uvm_hex_encode(b, len, s);
	assert_string_equal(s, want);
}

static void test_guid(void **state)
{
	static const uint8_t g[16] = UVM_GUID(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3,
					      0x66, 0xc5, 0x5a, 0x08, 0x2d);
	hex_eq(g, 16, "de82b596b21ff745baeaa366c55a082d");
	char s[37];
	uvm_guid_format(g, s);
	assert_string_equal(s, "96b582de-1fb2-45f7-baea-a366c55a082d");
}

/* Spec §4.1 / Appendix A: what the parser must find in the fixtures. */
static void test_parse_fixtures(void **state)
{
	static const struct {
		const char *file;
		size_t n_sections;
		struct uvm_ovmf_section s[8];
		uint32_t eip, hashes_gpa, hashes_size;
	} v[] = {
		{ UPSTREAM "ovmf_AmdSev_suffix.bin", 7,
		  { { 0x800000, 0x9000, 1 }, { 0x80a000, 0x3000, 1 }, { 0x80d000, 0x1000, 2 },
		    { 0x80e000, 0x1000, 3 }, { 0x80f000, 0x1000, 4 }, { 0x810000, 0x1000, 0x10 },
		    { 0x811000, 0xf000, 1 } },
		  0x80b004, 0x810c00, 0x400 },
		{ UPSTREAM "ovmf_OvmfX64_suffix.bin", 6, { { 0 } }, 0x80b004, 0, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint8_t *buf;
		size_t len;
		struct uvm_error err = { 0 };
		assert_int_equal(uvm_read_file(v[i].file, 1 << 20, &buf, &len, &err), 0);
		struct uvm_ovmf o;
		assert_int_equal(uvm_ovmf_parse(&o, buf, len, &err), 0);
		assert_true(o.has_metadata);
		assert_int_equal(o.n_sections, v[i].n_sections);
		for (size_t k = 0; v[i].s[0].gpa && k < o.n_sections; k++) {
			assert_int_equal(o.sections[k].gpa, v[i].s[k].gpa);
			assert_int_equal(o.sections[k].size, v[i].s[k].size);
			assert_int_equal(o.sections[k].type, v[i].s[k].type);
		}
		uint32_t eip, gpa, size;
		assert_int_equal(uvm_ovmf_reset_eip(&o, &eip, &err), 0);
		assert_int_equal(eip, v[i].eip);
		assert_int_equal(uvm_ovmf_hashes_table(&o, &gpa, &size, &err), 0);
		assert_int_equal(gpa, v[i].hashes_gpa);
		assert_int_equal(size, v[i].hashes_size);
		assert_int_equal(uvm_ovmf_has_section(&o, UVM_SECTION_SNP_KERNEL_HASHES), i == 0);
		uvm_ovmf_done(&o);
		free(buf);
	}
}

/* Spec §4.1: Debian 12 ovmf 2022.11-6+deb12u2 (deps/check-measure.txt). */
static void test_parse_debian(void **state)
{
	static const struct {
		const char *file, *sha256;
		bool metadata;
		uint32_t eip;
	} v[] = {
		{ "/usr/share/ovmf/OVMF.fd",
		  "7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773", true, 0x80b004 },
		{ "/usr/share/OVMF/OVMF_CODE.fd",
		  "d9b568def24088c92f34b5479e0ed7e44d0a4d4cea8a0f5716719180bba48106", true, 0x80b004 },
		{ "/usr/share/OVMF/OVMF_CODE_4M.fd",
		  "b157d97b1f69729514feb7f201d2cbe4957f23ab77920e361fe9f822ba49ca4c", false, 0x808004 },
	};
	static const struct uvm_ovmf_section secs[] = {
		{ 0x800000, 0x9000, 1 }, { 0x80a000, 0x3000, 1 }, { 0x80d000, 0x1000, 2 },
		{ 0x80e000, 0x1000, 3 }, { 0x80f000, 0x11000, 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint8_t *buf, h[32];
		size_t len;
		struct uvm_error err = { 0 };
		if (uvm_read_file(v[i].file, 64 << 20, &buf, &len, &err) < 0)
			fail_msg("%s (Debian package ovmf 2022.11-6+deb12u2 needed)", err.msg);
		uvm_sha256(buf, len, h);
		hex_eq(h, 32, v[i].sha256);
		struct uvm_ovmf o;
		assert_int_equal(uvm_ovmf_parse(&o, buf, len, &err), 0);
		assert_int_equal(o.has_metadata, v[i].metadata);
		assert_int_equal(o.n_sections, v[i].metadata ? ARRAY_SIZE(secs) : 0);
		for (size_t k = 0; k < o.n_sections; k++)
			assert_memory_equal(&o.sections[k], &secs[k], sizeof(secs[k]));
		uint32_t eip, gpa, size;
		assert_int_equal(uvm_ovmf_reset_eip(&o, &eip, &err), 0);
		assert_int_equal(eip, v[i].eip);
		/* hashes entry present but zero: no measured direct boot */
		assert_int_equal(uvm_ovmf_hashes_table(&o, &gpa, &size, &err), 0);
		assert_int_equal(gpa, 0);
		assert_false(uvm_ovmf_has_section(&o, UVM_SECTION_SNP_KERNEL_HASHES));
		uvm_ovmf_done(&o);
		free(buf);
	}
}

static void test_parse_rejects(void **state)
{
	uint8_t page[4096] = { 0 };
	struct uvm_ovmf o;
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_ovmf_parse(&o, page, 0, &err), -EINVAL);
	assert_int_equal(uvm_ovmf_parse(&o, page, 49, &err), -EINVAL);
	assert_int_equal(uvm_ovmf_parse(&o, page, 100, &err), -EINVAL);
	/* A zero page has no footer: empty table, no sections, not an error. */
	assert_int_equal(uvm_ovmf_parse(&o, page, 4096, &err), 0);
	assert_int_equal(o.n_entries, 0);
	assert_false(o.has_metadata);
	uint32_t eip;
	assert_int_equal(uvm_ovmf_reset_eip(&o, &eip, &err), -ENOENT);
	assert_string_equal(err.msg, "Can't find SEV_ES_RESET_BLOCK_GUID entry in OVMF table");
	uvm_ovmf_done(&o);
	/* Footer with total length 18 + an entry of length 17. */
	memcpy(page + 4096 - 48, uvm_guid_ovmf_footer, 16);
	page[4096 - 50] = 18 + 18;
	page[4096 - 68] = 17;
	assert_int_equal(uvm_ovmf_parse(&o, page, 4096, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "Invalid entry size 17"));
}

/* §1 worked example: first PAGE_INFO of pub-017. */
static void test_page_info(void **state)
{
	struct uvm_ld ld;
	uint8_t contents[48];
	assert_int_equal(uvm_hex_decode("16ba747d8ef390d8476da05fc7b046e61205cd65ce0d63e11c270d9a289aa3e8"
					"63caa5c7548cafa3bbbf0af80420b125",
					contents, 48),
			 0);
	assert_int_equal(uvm_ld_init(&ld, NULL, NULL, NULL), 0);
	assert_int_equal(uvm_ld_update(&ld, UVM_PAGE_NORMAL, 0xffffd000, contents), 0);
	hex_eq(ld.digest, 48,
	       "70ebcf976b917c9c0741a24d3da49db994cf01485a3c5638861f6cb4db48349172dd8c5b550c3eed66f76ee10d2cc4d8");
	uvm_ld_done(&ld);
}

/* §5.1 example: kernel = empty file, no initrd, no cmdline. */
static void test_hashes_table(void **state)
{
	struct uvm_sev_hashes h;
	uint8_t t[UVM_SEV_HASHES_PADDED_LEN], page[4096];
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_sev_hashes_from_files(&h, "/dev/null", NULL, NULL, &err), 0);
	uvm_sev_hashes_table(&h, t);
	hex_eq(t, sizeof(t),
	       "06d63894224fc94cb479a793d411fd21a800d82dd09720bd944caa78e7714d36"
	       "ab2a32006e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a306"
	       "17afa01d31f7ba442f3ad74b9af141e29169781d3200e3b0c44298fc1c149afb"
	       "f4c8996fb92427ae41e4649b934ca495991b7852b8553794e74dd2ab7f42b835"
	       "d5b172d2045b3200e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
	       "a495991b7852b8550000000000000000");
	assert_int_equal(uvm_sev_hashes_page(&h, 0xc00, page, &err), 0);
	assert_memory_equal(page + 0xc00, t, sizeof(t));
	assert_int_equal(uvm_sev_hashes_page(&h, 4096 - 176, page, &err), 0);
	assert_int_equal(uvm_sev_hashes_page(&h, 4096 - 175, page, &err), -EINVAL);
	uint8_t c[32];
	uvm_sev_hashes_cmdline("", c);
	hex_eq(c, 32, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
	uvm_sev_hashes_cmdline("console=ttyS0 loglevel=7", c);
	hex_eq(c, 32, "321c8eec6a77bad179511397f913a083067ad8cb737bb260aacbfe8df70fc50a");
}

static void test_cpu_sig(void **state)
{
	static const struct {
		unsigned f, m, s;
		uint32_t sig;
	} v[] = { { 14, 1, 2, 0x0e12 }, { 23, 1, 2, 0x800f12 }, { 23, 49, 0, 0x830f10 },
		  { 25, 1, 1, 0xa00f11 }, { 25, 17, 0, 0xa10f10 }, { 26, 0, 0, 0xb00f00 },
		  { 0, 0, 0, 0 } };
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		assert_int_equal(uvm_cpu_sig(v[i].f, v[i].m, v[i].s), v[i].sig);
	assert_int_equal(uvm_n_vcpu_types, 16);
	assert_int_equal(uvm_vcpu_type_find("EPYC-v4")->sig, 0x800f12);
	assert_int_equal(uvm_vcpu_type_find("EPYC-Turin")->sig, 0xb00f00);
	assert_null(uvm_vcpu_type_find("epyc-v4"));
	assert_null(uvm_vcpu_type_find("EPYC-Genoa-v2"));
	assert_int_equal(uvm_vmm_type_parse("QEMU"), UVM_VMM_QEMU);
	assert_int_equal(uvm_vmm_type_parse("ec2"), UVM_VMM_EC2);
	assert_int_equal(uvm_vmm_type_parse("gce"), UVM_VMM_GCE);
	assert_int_equal(uvm_vmm_type_parse("qemu"), -EINVAL);
}

static uint64_t get(const uint8_t *p, size_t off, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[off + i] << (8 * i);
	return v;
}

/* §6.1/§6.2 per-VMM differences, field by field. */
static void test_vmsa_fields(void **state)
{
	static const struct {
		enum uvm_vmm_type vmm;
		uint32_t eip;
		uint64_t cs_attr, ss_attr, tr_attr, gpat, rdx, mxcsr, fcw;
	} v[] = {
		{ UVM_VMM_QEMU, UVM_BSP_EIP, 0x9b, 0x93, 0x8b, 0x0007040600070406ull, 0x800f12, 0x1f80, 0x37f },
		{ UVM_VMM_QEMU, 0x80b004, 0x9b, 0x93, 0x8b, 0x0007040600070406ull, 0x800f12, 0x1f80, 0x37f },
		{ UVM_VMM_EC2, UVM_BSP_EIP, 0x9a, 0x92, 0x83, 0x0007040600070406ull, 0x600, 0, 0 },
		{ UVM_VMM_EC2, 0x80b004, 0x9b, 0x92, 0x83, 0x0007040600070406ull, 0x600, 0, 0 },
		{ UVM_VMM_GCE, 0x80b004, 0x9b, 0x93, 0x8b, 0x70106, 0x600, 0, 0 },
	};
	uint8_t p[UVM_VMSA_SIZE];
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct uvm_vmsa_params prm = { .vmm = v[i].vmm, .eip = v[i].eip,
					       .vcpu_sig = 0x800f12, .sev_features = 0x21 };
		uvm_vmsa_build(p, &prm);
		assert_int_equal(get(p, 0x10, 2), 0xf000);
		assert_int_equal(get(p, 0x12, 2), v[i].cs_attr);
		assert_int_equal(get(p, 0x18, 8), v[i].eip & 0xffff0000u);
		assert_int_equal(get(p, 0x22, 2), v[i].ss_attr);
		assert_int_equal(get(p, 0x92, 2), v[i].tr_attr);
		assert_int_equal(get(p, 0x268, 8), v[i].gpat);
		assert_int_equal(get(p, 0x310, 8), v[i].rdx);
		assert_int_equal(get(p, 0x408, 4), v[i].mxcsr);
		assert_int_equal(get(p, 0x410, 2), v[i].fcw);
		assert_int_equal(get(p, 0x178, 8), v[i].eip & 0xffff);
		assert_int_equal(get(p, 0x3b0, 8), 0x21);
		assert_int_equal(get(p, 0x158, 8), 0x10);
		assert_int_equal(get(p, 0xd0, 8), 0x1000);
	}
	uvm_vmsa_build_svsm(p, 0xffe9f000ull, 0xa00f11);
	assert_int_equal(get(p, 0x178, 8), 0xffe9f000ull);
	assert_int_equal(get(p, 0x158, 8), 0x11);
	assert_int_equal(get(p, 0x3b0, 8), 1);
	assert_int_equal(get(p, 0x410, 2), 0);
	assert_int_equal(get(p, 0x10, 2), 0x08);
	assert_int_equal(get(p, 0x12, 2), 0xc9b);
	assert_int_equal(get(p, 0x14, 4), 0xffffffff);
}

/* Rebuild an ECDSA signature from the ID auth layout and verify it. */
static void verify(const uint8_t *pub, const uint8_t *sig, const uint8_t *msg, size_t len)
{
	BIGNUM *x = BN_lebin2bn(pub + 4, 72, NULL), *y = BN_lebin2bn(pub + 4 + 72, 72, NULL);
	uint8_t point[97] = { 4 };
	assert_int_equal(get(pub, 0, 4), 2);
	assert_int_equal(BN_bn2binpad(x, point + 1, 48), 48);
	assert_int_equal(BN_bn2binpad(y, point + 49, 48), 48);
	BN_free(x);
	BN_free(y);
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
		OSSL_PARAM_END,
	};
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *key = NULL;
	assert_int_equal(EVP_PKEY_fromdata_init(kc), 1);
	assert_int_equal(EVP_PKEY_fromdata(kc, &key, EVP_PKEY_PUBLIC_KEY, params), 1);
	ECDSA_SIG *s = ECDSA_SIG_new();
	ECDSA_SIG_set0(s, BN_lebin2bn(sig, 72, NULL), BN_lebin2bn(sig + 72, 72, NULL));
	unsigned char *der = NULL;
	int dlen = i2d_ECDSA_SIG(s, &der);
	assert_true(dlen > 0);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(c, NULL, EVP_sha384(), NULL, key), 1);
	assert_int_equal(EVP_DigestVerify(c, der, (size_t)dlen, msg, len), 1);
	for (size_t i = 0x90; i < 512; i++)
		assert_int_equal(sig[i], 0);
	EVP_MD_CTX_free(c);
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(kc);
}

/* Appendix A, tests/test_id_block.py. */
static void test_id_block(void **state)
{
	uint8_t *ld;
	size_t n;
	assert_int_equal(uvm_base64_decode("B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t",
					   &ld, &n),
			 0);
	assert_int_equal(n, 48);
	struct uvm_id_block b;
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_id_block_sign(ld, UPSTREAM "keyfile/id_key_test.pem",
					   UPSTREAM "keyfile/author_key_test.pem", &b, &err),
			 0);
	char *s = uvm_base64_encode(b.block, sizeof(b.block));
	assert_string_equal(s, "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t"
			       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAwAAAAAA");
	free(s);
	s = uvm_base64_encode(b.id_key_digest, 48);
	assert_string_equal(s, "hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU");
	free(s);
	s = uvm_base64_encode(b.author_key_digest, 48);
	assert_string_equal(s, "YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX");
	free(s);
	assert_int_equal(get(b.auth, 0, 4), 1);
	assert_int_equal(get(b.auth, 4, 4), 1);
	verify(b.auth + UVM_ID_AUTH_ID_KEY, b.auth + UVM_ID_AUTH_ID_SIG, b.block, 96);
	verify(b.auth + UVM_ID_AUTH_AUTHOR_KEY, b.auth + UVM_ID_AUTH_ID_KEY_SIG,
	       b.auth + UVM_ID_AUTH_ID_KEY, UVM_ID_PUBKEY_LEN);
	for (size_t i = UVM_ID_AUTH_AUTHOR_KEY + UVM_ID_PUBKEY_LEN; i < 4096; i++)
		assert_int_equal(b.auth[i], 0);
	/* Wrong key type / missing file. */
	assert_int_equal(uvm_id_block_sign(ld, "/dev/null", UPSTREAM "keyfile/author_key_test.pem",
					   &b, &err),
			 -EINVAL);
	assert_int_equal(uvm_id_block_sign(ld, "/nonexistent", "/nonexistent", &b, &err), -ENOENT);
	free(ld);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guid),	     cmocka_unit_test(test_parse_fixtures),
		cmocka_unit_test(test_parse_debian), cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_page_info),
		cmocka_unit_test(test_hashes_table), cmocka_unit_test(test_cpu_sig),
		cmocka_unit_test(test_vmsa_fields),  cmocka_unit_test(test_id_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
