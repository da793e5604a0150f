/* test-sign.c — the signing formats against the byte-exact vectors of
 * ../shared/vectors/signing (specs/signing.md): canonical JSON, the
 * Statement builder, PAE, DSSE envelopes and bundles (incl. the negative
 * P-384 one), minisign signatures, SUMS files and key ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/canonjson.h"
#include "common/fileio.h"
#include "common/json.h"
#include "releases/dsse.h"
#include "releases/keys.h"
#include "releases/manifest.h"
#include "releases/minisign.h"
#include "releases/sums.h"

/* The vector tables below are printf templates filled with digests. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#define VEC "../shared/vectors/signing"

static uint8_t *slurp(const char *name, size_t *len)
{
	char path[512];
	uint8_t *buf = NULL;
	snprintf(path, sizeof(path), VEC "/%s", name);
	assert_int_equal(uvm_read_file(path, 1 << 20, &buf, len, NULL), 0);
	return buf;
}

static EVP_PKEY *pub(const char *name)
{
	char path[512];
	EVP_PKEY *k = NULL;
	snprintf(path, sizeof(path), VEC "/%s", name);
	assert_int_equal(uvm_key_load_public(path, &k, NULL), 0);
	return k;
}

/* statement.json is canonical: parse + serialize gives the same bytes. */
static void test_canon_statement(void **state)
{
	size_t len, out_len;
	_cleanup_free_ uint8_t *buf = slurp("statement.json", &len);
	assert_int_equal(len, 921);
	_cleanup_json_ json_t *j = json_loadb((char *)buf, len, 0, NULL);
	assert_non_null(j);
	_cleanup_free_ char *out = NULL;
	assert_int_equal(uvm_canon_json(j, &out, &out_len, NULL), 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, buf, len);
}

/* Escaping and ordering, compared with Python's json.dumps(sort_keys=True,
 * separators=(",",":"), ensure_ascii=False). */
static void test_canon_table(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "{\"b\":1,\"a\":[true,false,null]}", "{\"a\":[true,false,null],\"b\":1}" },
		{ "\"a/b\\u00e9\\u2028\"", "\"a/b\xc3\xa9\xe2\x80\xa8\"" },
		{ "\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\\\u007f\"",
		  "\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\\x7f\"" },
		{ "{\"aa\":1,\"a\":2,\"B\":3,\"\\u00e9\":4}",
		  "{\"B\":3,\"a\":2,\"aa\":1,\"\xc3\xa9\":4}" },
		{ "[-9007199254740991,0,9007199254740991]",
		  "[-9007199254740991,0,9007199254740991]" },
		{ "{}", "{}" },
		{ "[]", "[]" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		_cleanup_json_ json_t *j = json_loads(v[i].in, JSON_DECODE_ANY, NULL);
		assert_non_null(j);
		_cleanup_free_ char *out = NULL;
		size_t n;
		assert_int_equal(uvm_canon_json(j, &out, &n, NULL), 0);
		assert_string_equal(out, v[i].out);
		assert_int_equal(n, strlen(v[i].out));
	}
	static const char *const bad[] = { "1.5", "[9007199254740992]", "{\"a\":1e3}" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		_cleanup_json_ json_t *j = json_loads(bad[i], JSON_DECODE_ANY, NULL);
		_cleanup_free_ char *out = NULL;
		size_t n;
		struct uvm_error e = {};
		assert_non_null(j);
		assert_int_equal(uvm_canon_json(j, &out, &n, &e), -EINVAL);
		assert_true(e.msg[0]);
	}
}

/* The builder makes statement.json from the two artifacts + the predicate. */
static void test_manifest_build(void **state)
{
	char *names[] = { "kernel.img", "image.raw" };
	struct uvm_subject *s = NULL;
	size_t n, len, out_len;
	assert_int_equal(uvm_subjects_from_files(VEC, names, 2, &s, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(s[0].name, "image.raw");

	_cleanup_free_ uint8_t *buf = slurp("statement.json", &len);
	_cleanup_json_ json_t *j = json_loadb((char *)buf, len, 0, NULL);
	_cleanup_free_ char *out = NULL;
	assert_int_equal(uvm_manifest_build(s, n,
					    json_string_value(json_object_get(j, "predicateType")),
					    json_object_get(j, "predicate"), &out,
					    &out_len, NULL),
			 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, buf, len);

	struct uvm_manifest *m = NULL;
	assert_int_equal(uvm_manifest_parse(out, out_len, &m, NULL), 0);
	assert_int_equal(m->n_subjects, 2);
	assert_false(m->uvmkit_predicate);
	assert_memory_equal(m->subjects[0].sha256, s[0].sha256, 32);
	assert_memory_equal(m->subjects[1].sha384, s[1].sha384, 48);
	uvm_manifest_free(m);
	uvm_subjects_free(s, n);
}

/* The uvmkit predicate: the empty one validates, and bad ones are named. */
static void test_predicate(void **state)
{
	struct uvm_subject s[] = { { .name = "OVMF.fd" }, { .name = "vmlinuz" } };
	_cleanup_json_ json_t *p = uvm_predicate_empty("0.1.0");
	assert_int_equal(uvm_predicate_validate(p, s, 2, NULL), 0);

	const char *ld = "{\"vcpus\":4,\"vcpu_type\":\"EPYC-Milan\",\"vmm_type\":\"QEMU\","
			 "\"guest_features\":\"0x1\",\"policy\":\"0x30000\","
			 "\"launch_digest\":\"%s\",\"firmware\":\"%s\",\"kernel\":%s}";
	static const struct {
		const char *digest, *fw, *kernel, *msg;
	} v[] = {
		{ "00", "OVMF.fd", "null", "launch_digests[0].launch_digest: expected 96" },
		{ NULL, "OVMF", "null", "launch_digests[0].firmware: expected the name of a subject" },
		{ NULL, "OVMF.fd", "\"bzImage\"", "launch_digests[0].kernel" },
		{ NULL, "OVMF.fd", "\"vmlinuz\"", NULL },
	};
	char d96[97];
	memset(d96, 'a', 96);
	d96[96] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		char text[1024];
		snprintf(text, sizeof(text), ld, v[i].digest ? v[i].digest : d96, v[i].fw,
			 v[i].kernel);
		_cleanup_json_ json_t *q = json_deep_copy(p);
		json_array_append_new(json_object_get(q, "launch_digests"),
				      json_loads(text, 0, NULL));
		struct uvm_error e = {};
		int r = uvm_predicate_validate(q, s, 2, &e);
		if (!v[i].msg) {
			assert_int_equal(r, 0);
			continue;
		}
		assert_int_equal(r, -EINVAL);
		assert_non_null(strstr(e.msg, v[i].msg));
	}
	_cleanup_json_ json_t *q = json_deep_copy(p);
	json_object_del(q, "tool");
	struct uvm_error e = {};
	assert_int_equal(uvm_predicate_validate(q, s, 2, &e), -EINVAL);
	assert_string_equal(e.msg, "predicate.tool: missing");
	json_object_set_new(q, "tool", json_pack("{s:s,s:i}", "name", "x", "version", 1));
	assert_int_equal(uvm_predicate_validate(q, s, 2, &e), -EINVAL);
	assert_string_equal(e.msg, "predicate.tool.version: expected a string");
}

static void test_manifest_parse_bad(void **state)
{
	static const char *const H256 =
		"d28cb163a40e83266e088f97f4c1a60717845b6febe8e135e3e343a7d81a8628";
	static const char *const H384 =
		"8650f051279219f52181667b0f9e75b857d305682f3e66ca97c9c8159cbace8ce55774b2d25a0096abb579037b9dfa08";
	static const struct {
		const char *fmt, *msg;
	} v[] = {
		{ "[]", "not a JSON object" },
		{ "{\"_type\":\"x\"}", "_type" },
		{ "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"t\","
		  "\"predicate\":{},\"subject\":[]}", "non-empty array" },
		{ "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"t\","
		  "\"predicate\":{},\"subject\":[{\"name\":\"../x\",\"digest\":{\"sha256\":\"%s\",\"sha384\":\"%s\"}}]}",
		  "not a plain file name" },
		{ "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"t\","
		  "\"predicate\":{},\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\"%s\"}}]}",
		  "needs a sha256" },
		{ "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"t\","
		  "\"predicate\":{},\"subject\":[{\"name\":\"b\",\"digest\":{\"sha256\":\"%s\",\"sha384\":\"%s\"}},"
		  "{\"name\":\"a\",\"digest\":{\"sha256\":\"%s\",\"sha384\":\"%s\"}}]}",
		  "not sorted" },
		{ "{\"_type\":\"https://in-toto.io/Statement/v1\",\"_type\":\"x\"}", "duplicate" },
		{ "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"" UVM_PREDICATE_TYPE "\","
		  "\"predicate\":{},\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\"%s\",\"sha384\":\"%s\"}}]}",
		  "predicate.tool: missing" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		char text[2048];
		snprintf(text, sizeof(text), v[i].fmt, H256, H384, H256, H384);
		struct uvm_manifest *m = NULL;
		struct uvm_error e = {};
		assert_int_equal(uvm_manifest_parse(text, strlen(text), &m, &e), -EINVAL);
		assert_null(m);
		if (!strstr(e.msg, v[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, v[i].msg);
	}
	/* uppercase hex is not canonical */
	char text[1024];
	char up[97];
	strcpy(up, H384);
	up[0] = 'A';
	snprintf(text, sizeof(text),
		 "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"t\","
		 "\"predicate\":{},\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\"%s\",\"sha384\":\"%s\"}}]}",
		 H256, up);
	struct uvm_manifest *m = NULL;
	assert_int_equal(uvm_manifest_parse(text, strlen(text), &m, NULL), -EINVAL);
}

static void test_subject_names(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} v[] = {
		{ "image.raw", true },	  { "disk image.raw", true }, { "\xc3\xa9t\xc3\xa9", true },
		{ "", false },		  { ".", false },	      { "..", false },
		{ ".hidden", false },	  { "a/b", false },	      { "a\\b", false },
		{ "a\nb", false },	  { "a\tb", false },	      { "\x7f", false },
		{ "\xff\xfe", false }, /* not UTF-8 */
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		if (uvm_subject_name_valid(v[i].name) != v[i].ok)
			fail_msg("case %zu: '%s'", i, v[i].name);
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	assert_false(uvm_subject_name_valid(longname));
	longname[255] = 0;
	assert_true(uvm_subject_name_valid(longname));
	assert_true(uvm_release_is_signature_file("SHA256SUMS.minisig"));
	assert_true(uvm_release_is_signature_file("manifest.intoto.json"));
	assert_false(uvm_release_is_signature_file("minisig"));
	assert_false(uvm_release_is_signature_file("vmlinuz"));
}

static void test_pae(void **state)
{
	size_t len, plen, pae_len;
	_cleanup_free_ uint8_t *body = slurp("statement.json", &len);
	_cleanup_free_ uint8_t *want = slurp("statement.pae.bin", &plen);
	_cleanup_free_ uint8_t *pae = NULL;
	assert_int_equal(uvm_dsse_pae(UVM_INTOTO_PAYLOAD_TYPE, body, len, &pae, &pae_len), 0);
	assert_int_equal(pae_len, 964);
	assert_int_equal(pae_len, plen);
	assert_memory_equal(pae, want, plen);
	_cleanup_free_ uint8_t *empty = NULL;
	assert_int_equal(uvm_dsse_pae("t", "", 0, &empty, &pae_len), 0);
	assert_int_equal(pae_len, 13);
	assert_memory_equal(empty, "DSSEv1 1 t 0 ", 13);
}

static void test_keyids(void **state)
{
	static const struct {
		const char *file, *keyid;
		enum uvm_key_kind kind;
	} v[] = {
		{ "p256.pub.pem", "5f564e249b3246febf5bbdcd14d616f2708ca68c9b2fec568c2366b429f8c299", UVM_KEY_P256 },
		{ "ed25519.pub.pem", "051a6313cb97f1ca0e9342336635dca1ee3f7e8f6a96f319693fda7444e8f905", UVM_KEY_ED25519 },
		{ "p384.pub.pem", "4cc344f7fa5f9960ce885d56981fad083a64b77a8ec0f20abed63f984aed7bf6", UVM_KEY_P384 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		_cleanup_evp_pkey_ EVP_PKEY *k = pub(v[i].file);
		char id[65];
		assert_int_equal(uvm_keyid(k, id), 0);
		assert_string_equal(id, v[i].keyid);
		assert_int_equal(uvm_key_kind(k), v[i].kind);
	}
}

/* Vector envelopes and bundles with the right, wrong and unsupported keys. */
static void test_dsse_vectors(void **state)
{
	static const struct {
		const char *file, *key;
		bool bundle;
		int want;
	} v[] = {
		{ "manifest.p256.dsse.json", "p256.pub.pem", false, 0 },
		{ "manifest.p256.sigstore.json", "p256.pub.pem", true, 0 },
		{ "manifest.ed25519.dsse.json", "ed25519.pub.pem", false, 0 },
		{ "manifest.ed25519.sigstore.json", "ed25519.pub.pem", true, 0 },
		/* NEG: P-384/SHA-384 is refused as unsupported, not accepted */
		{ "manifest.NEG-p384-sha384.dsse.json", "p384.pub.pem", false, -EOPNOTSUPP },
		{ "manifest.NEG-p384-sha384.sigstore.json", "p384.pub.pem", true, -EOPNOTSUPP },
		{ "manifest.NEG-p384-sha384.sigstore.json", "p256.pub.pem", true, -EKEYREJECTED },
		/* wrong key: the hint/keyid names another key */
		{ "manifest.p256.sigstore.json", "ed25519.pub.pem", true, -EKEYREJECTED },
		{ "manifest.ed25519.dsse.json", "p256.pub.pem", false, -EKEYREJECTED },
	};
	size_t slen;
	_cleanup_free_ uint8_t *stmt = slurp("statement.json", &slen);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		size_t len;
		_cleanup_free_ uint8_t *buf = slurp(v[i].file, &len);
		_cleanup_evp_pkey_ EVP_PKEY *k = pub(v[i].key);
		_cleanup_dsse_ struct uvm_dsse *d = NULL;
		struct uvm_error e = {};
		int r = v[i].bundle ? uvm_dsse_parse_bundle(buf, len, &d, &e)
				    : uvm_dsse_parse_envelope(buf, len, &d, &e);
		assert_int_equal(r, 0);
		assert_int_equal(d->payload_len, slen);
		assert_memory_equal(d->payload, stmt, slen);
		r = uvm_dsse_verify(d, k, UVM_INTOTO_PAYLOAD_TYPE, &e);
		if (r != v[i].want)
			fail_msg("%s with %s: %d (%s), want %d", v[i].file, v[i].key, r,
				 e.msg, v[i].want);
		/* without the keyid hints the wrong key still fails, on the signature */
		if (v[i].want == -EKEYREJECTED && uvm_key_kind(k) != UVM_KEY_P384) {
			free(d->keyid), d->keyid = NULL;
			free(d->hint), d->hint = NULL;
			assert_int_equal(uvm_dsse_verify(d, k, NULL, NULL), -EBADMSG);
		}
		/* one flipped payload bit breaks every valid one */
		if (v[i].want == 0) {
			d->payload[100] ^= 1;
			assert_int_equal(uvm_dsse_verify(d, k, NULL, NULL), -EBADMSG);
			d->payload[100] ^= 1;
			d->sig[d->sig_len - 1] ^= 1;
			assert_int_equal(uvm_dsse_verify(d, k, NULL, NULL), -EBADMSG);
			d->sig[d->sig_len - 1] ^= 1;
			assert_int_equal(uvm_dsse_verify(d, k, "application/json", NULL), -EINVAL);
		}
	}
}

static void test_dsse_malformed(void **state)
{
	size_t len;
	_cleanup_free_ uint8_t *buf = slurp("manifest.p256.sigstore.json", &len);
	static const struct {
		const char *from, *to, *msg;
	} v[] = {
		{ "v0.3+json", "v0.2+json", "mediaType" },
		{ "\"tlogEntries\": []", "\"tlogEntries\": [{}]", "tlogEntries" },
		{ "\"hint\"", "\"hunt\"", "hint" },
		{ "\"payload\": \"eyJ", "\"payload\": \"!yJ", "payload is not valid base64" },
		{ "\"sig\": \"MEU", "\"sig\": 5, \"x\": \"MEU", "sig must be a string" },
		{ "\"signatures\": [", "\"signatures\": [{\"sig\":\"AAAA\"},", "2 signatures" },
		{ "\"signatures\": [", "\"signatures\": [], \"x\": [", "0 signatures" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		char *p = strstr((char *)buf, v[i].from);
		assert_non_null(p);
		char text[4096];
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(p - (char *)buf), buf,
			 v[i].to, p + strlen(v[i].from));
		_cleanup_dsse_ struct uvm_dsse *d = NULL;
		struct uvm_error e = {};
		assert_int_equal(uvm_dsse_parse_bundle(text, strlen(text), &d, &e), -EINVAL);
		if (!strstr(e.msg, v[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, v[i].msg);
	}
	/* truncated at every length: never accepted */
	for (size_t n = 0; n < len - 2; n += 7) {
		_cleanup_dsse_ struct uvm_dsse *d = NULL;
		assert_int_not_equal(uvm_dsse_parse_bundle(buf, n, &d, NULL), 0);
	}
}

static void test_minisign_vectors(void **state)
{
	size_t plen, len, slen;
	_cleanup_free_ uint8_t *pkbuf = slurp("release.pub", &plen);
	struct uvm_minisign_pubkey pk;
	assert_int_equal(uvm_minisign_pubkey_parse(pkbuf, plen, &pk, NULL), 0);
	char id[17];
	uvm_minisign_keynum_format(pk.keynum, id);
	assert_string_equal(id, "6348BC4FC2CB620D");
	/* same key as ed25519.pub.der's last 32 bytes */
	size_t dlen;
	_cleanup_free_ uint8_t *der = slurp("ed25519.pub.der", &dlen);
	assert_memory_equal(pk.pk, der + dlen - 32, 32);

	static const char *const files[] = { "SHA256SUMS", "SHA384SUMS" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char sname[64];
		snprintf(sname, sizeof(sname), "%s.minisig", files[i]);
		_cleanup_free_ uint8_t *data = slurp(files[i], &len);
		_cleanup_free_ uint8_t *sig = slurp(sname, &slen);
		_cleanup_free_ char *tc = NULL;
		assert_int_equal(uvm_minisign_verify(&pk, data, len, sig, slen, &tc, NULL), 0);
		char want[80];
		snprintf(want, sizeof(want), "timestamp:1764288000\tfile:%s", files[i]);
		assert_string_equal(tc, want);

		struct uvm_error e = {};
		data[0] ^= 1;
		assert_int_equal(uvm_minisign_verify(&pk, data, len, sig, slen, NULL, &e), -EBADMSG);
		data[0] ^= 1;
		/* the trusted comment is covered (signify would not notice) */
		char *t = strstr((char *)sig, "1764288000");
		t[0] = '2';
		assert_int_equal(uvm_minisign_verify(&pk, data, len, sig, slen, NULL, &e), -EBADMSG);
		assert_non_null(strstr(e.msg, "trusted comment"));
		t[0] = '1';
		/* another key number */
		struct uvm_minisign_pubkey other = pk;
		other.keynum[0] ^= 1;
		assert_int_equal(uvm_minisign_verify(&other, data, len, sig, slen, NULL, &e),
				 -EKEYREJECTED);
		/* truncations never verify */
		for (size_t n = 0; n < slen; n++)
			assert_int_not_equal(uvm_minisign_verify(&pk, data, len, sig, n, NULL, NULL), 0);
	}
}

static void test_sums(void **state)
{
	char *names[] = { "image.raw", "kernel.img" };
	struct uvm_subject *s = NULL;
	size_t n;
	assert_int_equal(uvm_subjects_from_files(VEC, names, 2, &s, &n, NULL), 0);
	static const enum uvm_sums_alg algs[] = { UVM_SUMS_SHA256, UVM_SUMS_SHA384 };
	for (size_t i = 0; i < 2; i++) {
		size_t len, tlen, en;
		_cleanup_free_ uint8_t *want = slurp(uvm_sums_file_name(algs[i]), &len);
		_cleanup_free_ char *text = NULL;
		assert_int_equal(uvm_sums_format(s, n, algs[i], &text, &tlen), 0);
		assert_int_equal(tlen, len);
		assert_memory_equal(text, want, len);
		struct uvm_sums_entry *e = NULL;
		assert_int_equal(uvm_sums_parse(want, len, algs[i], &e, &en, NULL), 0);
		assert_int_equal(en, 2);
		assert_string_equal(e[1].name, "kernel.img");
		assert_memory_equal(e[0].digest, algs[i] == UVM_SUMS_SHA256 ? s[0].sha256 : s[0].sha384,
				    algs[i] == UVM_SUMS_SHA256 ? 32 : 48);
		uvm_sums_free(e, en);
	}
	uvm_subjects_free(s, n);

	static const char *const H = "d28cb163a40e83266e088f97f4c1a60717845b6febe8e135e3e343a7d81a8628";
	static const struct {
		const char *fmt, *msg;
	} bad[] = {
		{ "%s  a", "no final newline" },
		{ "%s *a\n", "not '<64 hex digits>  <name>'" },
		{ "%s a\n", "not '<64 hex digits>  <name>'" },
		{ "%s  b\n%s  a\n", "not sorted" },
		{ "%s  a\n%s  a\n", "not sorted" },
		{ "%s  a/b\n", "not a plain file name" },
		{ "%s  a\r\n", "not a plain file name" },
		{ "\n", "not '<64 hex digits>  <name>'" },
		{ "D%s  a\n", "not '<64 hex digits>  <name>'" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char text[512];
		snprintf(text, sizeof(text), bad[i].fmt, H, H);
		struct uvm_sums_entry *e = NULL;
		size_t en = 0;
		struct uvm_error err = {};
		assert_int_equal(uvm_sums_parse(text, strlen(text), UVM_SUMS_SHA256, &e, &en, &err),
				 -EINVAL);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
	}
	char upper[128];
	snprintf(upper, sizeof(upper), "%s  a\n", H);
	upper[0] = 'D';
	struct uvm_sums_entry *e = NULL;
	size_t en;
	assert_int_equal(uvm_sums_parse(upper, strlen(upper), UVM_SUMS_SHA256, &e, &en, NULL), -EINVAL);
}

int main(void)
{
	struct stat st;
	if (stat(VEC "/statement.json", &st) < 0) {
		printf("skip: " VEC " missing\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canon_statement),
		cmocka_unit_test(test_canon_table),
		cmocka_unit_test(test_manifest_build),
		cmocka_unit_test(test_predicate),
		cmocka_unit_test(test_manifest_parse_bad),
		cmocka_unit_test(test_subject_names),
		cmocka_unit_test(test_pae),
		cmocka_unit_test(test_keyids),
		cmocka_unit_test(test_dsse_vectors),
		cmocka_unit_test(test_dsse_malformed),
		cmocka_unit_test(test_minisign_vectors),
		cmocka_unit_test(test_sums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
