/* test-sign-roundtrip.c — keygen, sign and verify through the library:
 * key files and modes, never overwriting, signing refuses a manifest that
 * does not describe the files or a P-384 key, and verify names each
 * tampering (artifact, manifest, signature, SUMS, wrong key) and drives the
 * launch-digest hook. The real-client checks are in tests/cli/t50*. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/pem.h>

#include "common/fileio.h"
#include "common/hex.h"
#include "common/json.h"
#include "releases/keys.h"
#include "releases/manifest.h"
#include "releases/sign.h"
#include "releases/verify.h"

static char root[256];

static void pathf(char *out, size_t n, const char *fmt, ...) _printf_(3, 4);
static void pathf(char *out, size_t n, const char *fmt, ...)
{
	char rel[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(out, n, "%s/%s", root, rel);
}

static void put(const char *rel, const char *text)
{
	char p[512];
	pathf(p, sizeof(p), "%s", rel);
	assert_int_equal(uvm_write_file_atomic(p, text, strlen(text), 0644, NULL), 0);
}

static void flip(const char *rel, size_t off)
{
	char p[512];
	uint8_t *buf;
	size_t len;
	pathf(p, sizeof(p), "%s", rel);
	assert_int_equal(uvm_read_file(p, 1 << 20, &buf, &len, NULL), 0);
	assert_true(off < len);
	buf[off] ^= 1;
	assert_int_equal(uvm_write_file_atomic(p, buf, len, 0644, NULL), 0);
	free(buf);
}

static void copy(const char *from, const char *to)
{
	char a[512], b[512];
	uint8_t *buf;
	size_t len;
	pathf(a, sizeof(a), "%s", from);
	pathf(b, sizeof(b), "%s", to);
	assert_int_equal(uvm_read_file(a, 1 << 20, &buf, &len, NULL), 0);
	assert_int_equal(uvm_write_file_atomic(b, buf, len, 0644, NULL), 0);
	free(buf);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "%s/test-sign-roundtrip.XXXXXX",
		 access("build", F_OK) == 0 ? "build" : "/tmp");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_keygen(void **state)
{
	char kd[512], p[512], id[65], msid[17];
	struct stat st;
	struct uvm_error e = {};
	pathf(kd, sizeof(kd), "keys");
	assert_int_equal(uvm_keygen(kd, id, msid, &e), 0);
	static const struct {
		const char *name;
		mode_t mode;
	} f[] = { { "dsse.key", 0600 }, { "dsse.pub", 0644 }, { "sums.key", 0600 },
		  { "minisign.pub", 0644 } };
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		pathf(p, sizeof(p), "keys/%s", f[i].name);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 07777, f[i].mode);
	}
	_cleanup_evp_pkey_ EVP_PKEY *pub = NULL;
	pathf(p, sizeof(p), "keys/dsse.pub");
	assert_int_equal(uvm_key_load_public(p, &pub, NULL), 0);
	assert_int_equal(uvm_key_kind(pub), UVM_KEY_P256);
	char id2[65];
	assert_int_equal(uvm_keyid(pub, id2), 0);
	assert_string_equal(id, id2);

	/* never overwritten: the keys stay byte for byte */
	uint8_t *before, *after;
	size_t bl, al;
	pathf(p, sizeof(p), "keys/sums.key");
	assert_int_equal(uvm_read_file(p, 4096, &before, &bl, NULL), 0);
	assert_int_equal(uvm_keygen(kd, NULL, NULL, &e), -EEXIST);
	assert_non_null(strstr(e.msg, "never overwritten"));
	assert_int_equal(uvm_read_file(p, 4096, &after, &al, NULL), 0);
	assert_int_equal(al, bl);
	assert_memory_equal(after, before, bl);
	free(before);
	free(after);
}

static int verify(const char *keys, json_t **rep, uvm_launch_digest_fn fn)
{
	char kd[512], dir[512];
	struct uvm_error e = {};
	pathf(kd, sizeof(kd), "%s", keys);
	pathf(dir, sizeof(dir), "rel");
	struct uvm_verify_opts o = { .keydir = kd, .launch_digest = fn };
	int r = uvm_release_verify(dir, &o, rep, &e);
	if (r < 0)
		fail_msg("verify: %s", e.msg);
	return r;
}

/* The report has a failed check of this kind on this file. */
static bool failed(json_t *rep, const char *check, const char *file)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(rep, "checks"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "status")), "fail") &&
		    !strcmp(json_string_value(json_object_get(c, "check")), check) &&
		    strstr(json_string_value(json_object_get(c, "file")), file))
			return true;
	return false;
}

static int sign(void)
{
	char kd[512], dir[512];
	struct uvm_error e = {};
	pathf(kd, sizeof(kd), "keys");
	pathf(dir, sizeof(dir), "rel");
	struct uvm_sign_opts o = { .keydir = kd, .create_manifest = true,
				   .tool_version = "test", .timestamp = 1764288000 };
	_cleanup_json_ json_t *rep = NULL;
	int r = uvm_release_sign(dir, &o, &rep, &e);
	if (r < 0)
		fail_msg("sign: %s", e.msg);
	assert_int_equal(json_array_size(json_object_get(rep, "files")), 6);
	return r;
}

static void test_sign_verify_tamper(void **state)
{
	char dir[512];
	pathf(dir, sizeof(dir), "rel");
	assert_int_equal(uvm_mkdir_p(dir, NULL), 0);
	put("rel/image.raw", "guest-os-image-bytes\n");
	put("rel/kernel.img", "second-artifact\n");
	sign();
	_cleanup_json_ json_t *ok = NULL;
	assert_int_equal(verify("keys", &ok, NULL), 0);
	assert_true(json_is_true(json_object_get(ok, "ok")));

	static const struct {
		const char *file;
		size_t off;
		const char *check, *named;
	} t[] = {
		{ "rel/image.raw", 3, "subject", "image.raw" },
		{ "rel/manifest.intoto.json", 200, "manifest", "manifest.intoto.json" },
		{ "rel/manifest.dsse.json", 1040, "dsse-signature", "manifest.dsse.json" },
		{ "rel/manifest.sigstore.json", 20, "bundle-signature", "manifest.sigstore.json" },
		{ "rel/SHA256SUMS", 5, "sums-signature", "SHA256SUMS.minisig" },
		{ "rel/SHA384SUMS.minisig", 200, "sums-signature", "SHA384SUMS.minisig" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		char save[64];
		snprintf(save, sizeof(save), "save%zu", i);
		copy(t[i].file, save);
		flip(t[i].file, t[i].off);
		_cleanup_json_ json_t *rep = NULL;
		assert_true(verify("keys", &rep, NULL) > 0);
		if (!failed(rep, t[i].check, t[i].named)) {
			char *s = json_dumps(rep, JSON_INDENT(1));
			fail_msg("%s: no failed %s check on %s:\n%s", t[i].file, t[i].check,
				 t[i].named, s);
		}
		copy(save, t[i].file);
	}
	_cleanup_json_ json_t *again = NULL;
	assert_int_equal(verify("keys", &again, NULL), 0);

	/* a wrong key: every signature check fails by name */
	char kd2[512];
	pathf(kd2, sizeof(kd2), "keys2");
	assert_int_equal(uvm_keygen(kd2, NULL, NULL, NULL), 0);
	_cleanup_json_ json_t *wrong = NULL;
	assert_int_equal(verify("keys2", &wrong, NULL), 5);
	assert_true(failed(wrong, "dsse-signature", "manifest.dsse.json"));
	assert_true(failed(wrong, "bundle-signature", "manifest.sigstore.json"));
	assert_true(failed(wrong, "sums-signature", "SHA256SUMS.minisig"));
	assert_true(failed(wrong, "sums-signature", "SHA384SUMS.minisig"));
	assert_true(failed(wrong, "manifest", "manifest.intoto.json"));

	/* signing refuses a manifest that no longer matches its files */
	put("rel/kernel.img", "changed\n");
	char kd[512];
	struct uvm_error e = {};
	pathf(kd, sizeof(kd), "keys");
	struct uvm_sign_opts o = { .keydir = kd, .create_manifest = true, .timestamp = 1 };
	assert_int_equal(uvm_release_sign(dir, &o, NULL, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "kernel.img"));
	put("rel/kernel.img", "second-artifact\n");
}

/* A launch digest "calculator" for exercising the hook only: SHA-384 of the
 * firmware file. The real one (measure/) is wired in by the CLI later. */
static int fake_measure(void *u, const char *dir, const json_t *pred,
			const json_t *entry, uint8_t out[48], struct uvm_error *err)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir,
		 json_string_value(json_object_get(entry, "firmware")));
	return uvm_file_digests(p, NULL, out, err);
}

static void test_launch_digest_hook(void **state)
{
	char dir[512], fw[512];
	uint8_t h[48];
	char hex[97];
	pathf(dir, sizeof(dir), "rel");
	pathf(fw, sizeof(fw), "rel/image.raw");
	assert_int_equal(uvm_file_digests(fw, NULL, h, NULL), 0);
	uvm_hex_encode(h, 48, hex);
	_cleanup_json_ json_t *pred = uvm_predicate_empty("test");
	json_array_append_new(json_object_get(pred, "launch_digests"),
			      json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:n}", "vcpus", 1,
					"vcpu_type", "EPYC-v4", "vmm_type", "QEMU",
					"guest_features", "0x1", "policy", "0x30000",
					"launch_digest", hex, "firmware", "image.raw",
					"initrd"));
	json_array_append_new(json_object_get(pred, "launch_digests"),
			      json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "vcpus", 2,
					"vcpu_type", "EPYC-v4", "vmm_type", "QEMU",
					"guest_features", "0x1", "policy", "0x30000",
					"launch_digest", hex, "firmware", "kernel.img"));
	assert_int_equal(uvm_manifest_write(dir, NULL, 0, UVM_PREDICATE_TYPE, pred, NULL, NULL), 0);
	sign();
	_cleanup_json_ json_t *skip = NULL, *rep = NULL;
	assert_int_equal(verify("keys", &skip, NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(skip, "skipped")), 2);
	assert_int_equal(verify("keys", &rep, fake_measure), 1);
	assert_true(failed(rep, "launch-digest", "launch_digests[1] (2 vCPU EPYC-v4 QEMU)"));
	assert_false(failed(rep, "launch-digest", "launch_digests[0]"));
}

static void test_p384_refused(void **state)
{
	char kd[512], p[512], dir[512];
	pathf(kd, sizeof(kd), "keys384");
	assert_int_equal(uvm_mkdir_p(kd, NULL), 0);
	copy("keys/sums.key", "keys384/sums.key");
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	assert_non_null(k);
	pathf(p, sizeof(p), "keys384/dsse.key");
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	EVP_PKEY_free(k);
	pathf(dir, sizeof(dir), "rel");
	struct uvm_error e = {};
	struct uvm_sign_opts o = { .keydir = kd, .timestamp = 1 };
	assert_int_equal(uvm_release_sign(dir, &o, NULL, &e), -EOPNOTSUPP);
	assert_non_null(strstr(e.msg, "P-384"));

	/* a dsse.pub that does not belong to dsse.key */
	copy("keys2/dsse.pub", "keys384/dsse.pub");
	copy("keys/dsse.key", "keys384/dsse.key");
	assert_int_equal(uvm_release_sign(dir, &o, NULL, &e), -EKEYREJECTED);
	assert_non_null(strstr(e.msg, "does not belong"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen),
		cmocka_unit_test(test_sign_verify_tamper),
		cmocka_unit_test(test_launch_digest_hook),
		cmocka_unit_test(test_p384_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
