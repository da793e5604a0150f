/* test-measure-vectors.c — the library against every vector of
 * ../shared/vectors/snp/public.json, at the level of intermediates so a
 * failure names the stage that broke: each input is rebuilt in C from its
 * recipe (vectors/snp/README.md) and its sha256 checked; then uvm_measure()
 * runs and the firmware-pages digest, the three hashes-table SHA-256s, the
 * VMSA SHA-384s, every VMSA non-zero byte and the final digest are compared.
 * pub-edge-001 (0 vCPUs) is checked here, at the library level, since the
 * CLI rejects it. Debian's OVMF comes from the `ovmf` package
 * (deps/check-measure.txt); a missing or different file is a failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "common/hex.h"
#include "measure/measure.h"
#include "measure/ovmf.h"

#define VECTORS "../shared/vectors/snp/"

static json_t *doc;
static char tmpdir[] = "/tmp/uvm-vectors-XXXXXX";

struct buf {
	uint8_t *p;
	size_t len;
};

static void payload(json_t *r, struct buf *b)
{
	const char *kind = json_string_value(json_object_get(r, "recipe"));
	size_t size = (size_t)json_integer_value(json_object_get(r, "size"));
	assert_non_null(kind);
	if (!strcmp(kind, "empty"))
		size = 0;
	b->p = malloc(size + 1);
	b->len = size;
	assert_non_null(b->p);
	if (!strcmp(kind, "empty")) {
	} else if (!strcmp(kind, "fill")) {
		memset(b->p, (int)json_integer_value(json_object_get(r, "byte")), size);
	} else if (!strcmp(kind, "mod251")) {
		for (size_t i = 0; i < size; i++)
			b->p[i] = (uint8_t)(i % 251);
	} else if (!strcmp(kind, "sha256ctr")) {
		const char *seed = json_string_value(json_object_get(r, "seed"));
		size_t sl = strlen(seed);
		uint8_t in[256], h[32];
		assert_true(sl + 4 <= sizeof(in));
		memcpy(in, seed, sl);
		for (uint32_t i = 0; (size_t)i * 32 < size; i++) {
			for (int k = 0; k < 4; k++)
				in[sl + k] = (uint8_t)(i >> (8 * k));
			uvm_sha256(in, sl + 4, h);
			memcpy(b->p + (size_t)i * 32, h, MIN(32, size - (size_t)i * 32));
		}
	} else {
		fail_msg("unknown payload recipe %s", kind);
	}
}

static void put_guid(uint8_t *p, const char *s)
{
	/* aabbccdd-eeff-gghh-iijj-kkllmmnnoopp -> mixed-endian bytes */
	uint8_t raw[16];
	char hex[33];
	size_t n = 0;
	for (const char *c = s; *c; c++)
		if (*c != '-')
			hex[n++] = *c;
	hex[n] = 0;
	assert_int_equal(uvm_hex_decode(hex, raw, 16), 0);
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	for (int i = 0; i < 16; i++)
		p[i] = raw[order[i]];
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void firmware(json_t *r, struct buf *b);

static void named_firmware(const char *name, struct buf *b)
{
	firmware(json_object_get(json_object_get(doc, "firmwares"), name), b);
}

static void firmware(json_t *r, struct buf *b)
{
	const char *kind = json_string_value(json_object_get(r, "recipe"));
	assert_non_null(kind);
	struct uvm_error err = { 0 };
	if (!strcmp(kind, "file")) {
		const char *name = json_string_value(json_object_get(r, "name"));
		const char *path = !strcmp(name, "debian12-OVMF.fd") ? "/usr/share/ovmf/OVMF.fd" :
				   !strcmp(name, "debian12-OVMF_CODE.fd") ? "/usr/share/OVMF/OVMF_CODE.fd" :
				   !strcmp(name, "upstream-ovmf_AmdSev_suffix.bin") ?
									  VECTORS "upstream/ovmf_AmdSev_suffix.bin" :
									  NULL;
		assert_non_null(path);
		if (uvm_read_file(path, 64 << 20, &b->p, &b->len, &err) < 0)
			fail_msg("%s (install Debian 12 package ovmf 2022.11-6+deb12u2)", err.msg);
	} else if (!strcmp(kind, "synthetic-ovmf")) {
		size_t size = (size_t)json_integer_value(json_object_get(r, "size"));
		b->len = size;
		b->p = malloc(size + 1);
		assert_non_null(b->p);
		for (size_t i = 0; i < size; i++)
			b->p[i] = (uint8_t)(i % 251);
		json_t *md = json_object_get(r, "metadata");
		if (json_is_object(md)) {
			json_t *secs = json_object_get(md, "sections");
			size_t n = json_array_size(secs);
			uint8_t *p = b->p + json_integer_value(json_object_get(md, "offset"));
			memcpy(p, json_string_value(json_object_get(md, "signature")), 4);
			put32(p + 4, (uint32_t)(16 + 12 * n));
			put32(p + 8, (uint32_t)json_integer_value(json_object_get(md, "version")));
			put32(p + 12, (uint32_t)n);
			for (size_t i = 0; i < n; i++) {
				json_t *s = json_array_get(secs, i);
				put32(p + 16 + 12 * i, (uint32_t)json_integer_value(json_object_get(s, "gpa")));
				put32(p + 20 + 12 * i, (uint32_t)json_integer_value(json_object_get(s, "size")));
				put32(p + 24 + 12 * i, (uint32_t)json_integer_value(json_object_get(s, "type")));
			}
		}
		uint8_t table[1024];
		size_t tl = 0;
		json_t *e;
		size_t i;
		json_array_foreach(json_object_get(r, "table"), i, e) {
			uint8_t *d;
			size_t dl;
			assert_int_equal(uvm_hex_decode_alloc(json_string_value(json_object_get(e, "data_hex")),
							      &d, &dl),
					 0);
			assert_true(tl + dl + 18 < sizeof(table) - 18);
			memcpy(table + tl, d, dl);
			table[tl + dl] = (uint8_t)(dl + 18);
			table[tl + dl + 1] = (uint8_t)((dl + 18) >> 8);
			put_guid(table + tl + dl + 2, json_string_value(json_object_get(e, "guid")));
			tl += dl + 18;
			free(d);
		}
		table[tl] = (uint8_t)(tl + 18);
		table[tl + 1] = (uint8_t)((tl + 18) >> 8);
		put_guid(table + tl + 2, "96b582de-1fb2-45f7-baea-a366c55a082d");
		tl += 18;
		memcpy(b->p + size - 32 - tl, table, tl);
	} else if (!strcmp(kind, "truncate")) {
		named_firmware(json_string_value(json_object_get(json_object_get(r, "of"), "name")), b);
		size_t keep = (size_t)json_integer_value(json_object_get(r, "keep_bytes"));
		assert_true(keep <= b->len);
		b->len = keep;
	} else if (!strcmp(kind, "zero-tail")) {
		named_firmware(json_string_value(json_object_get(json_object_get(r, "of"), "name")), b);
		size_t n = (size_t)json_integer_value(json_object_get(r, "zeroed_tail_bytes"));
		memset(b->p + b->len - n, 0, n);
	} else if (!strcmp(kind, "payload")) {
		payload(json_object_get(r, "payload"), b);
	} else {
		fail_msg("unknown firmware recipe %s", kind);
	}
}

/* Write b to tmpdir/name after checking its sha256 against the recipe. */
static char *materialize(json_t *recipe, struct buf *b, const char *vid, const char *what)
{
	uint8_t h[32];
	char hex[65];
	uvm_sha256(b->p, b->len, h);
	uvm_hex_encode(h, 32, hex);
	const char *want = json_string_value(json_object_get(recipe, "sha256"));
	if (!want || strcmp(hex, want) != 0)
		fail_msg("%s %s: regenerated input has sha256 %s, recorded %s", vid, what, hex, want);
	char *path;
	assert_true(asprintf(&path, "%s/%s.%s", tmpdir, vid, what) > 0);
	struct uvm_error err = { 0 };
	assert_int_equal(uvm_write_file_atomic(path, b->p, b->len, 0644, &err), 0);
	return path;
}

static void hex_field(json_t *o, const char *key, const uint8_t *d, size_t len, const char *vid)
{
	const char *want = json_string_value(json_object_get(o, key));
	if (!want)
		return;
	char got[129];
	uvm_hex_encode(d, len, got);
	if (strcmp(got, want) != 0)
		fail_msg("%s: %s is %s, expected %s", vid, key, got, want);
}

static void check_nonzero(json_t *sparse, const uint8_t *page, const char *vid, const char *which)
{
	if (!json_is_object(sparse))
		return;
	size_t count = 0;
	for (size_t i = 0; i < 4096; i++) {
		if (!page[i])
			continue;
		char key[16], want[8];
		snprintf(key, sizeof(key), "0x%03zx", i);
		snprintf(want, sizeof(want), "0x%02x", page[i]);
		const char *w = json_string_value(json_object_get(sparse, key));
		if (!w || strcasecmp(w, want) != 0)
			fail_msg("%s: %s VMSA byte %s is %s, expected %s", vid, which, key, want,
				 w ? w : "0x0");
		count++;
	}
	assert_int_equal(count, json_object_size(sparse));
}

static uint64_t num(json_t *v)
{
	const char *s = json_string_value(v);
	return s ? strtoull(s, NULL, 0) : 0;
}

static void run_vector(json_t *v)
{
	const char *vid = json_string_value(json_object_get(v, "id"));
	json_t *in = json_object_get(v, "inputs"), *exp = json_object_get(v, "expected"),
	       *im = json_object_get(v, "intermediate");
	struct buf fw = { 0 }, kb = { 0 }, ib = { 0 };
	json_t *fr = json_object_get(in, "firmware");
	firmware(fr, &fw);
	char *fwp = materialize(fr, &fw, vid, "fw"), *kp = NULL, *ip = NULL;
	if (json_is_object(json_object_get(in, "kernel"))) {
		payload(json_object_get(in, "kernel"), &kb);
		kp = materialize(json_object_get(in, "kernel"), &kb, vid, "kernel");
	}
	if (json_is_object(json_object_get(in, "initrd"))) {
		payload(json_object_get(in, "initrd"), &ib);
		ip = materialize(json_object_get(in, "initrd"), &ib, vid, "initrd");
	}

	const char *mode = json_string_value(json_object_get(in, "mode"));
	const char *vmm = json_string_value(json_object_get(in, "vmm_type"));
	uint8_t seed[48];
	const char *seed_hex = json_string_value(json_object_get(in, "snp_ovmf_hash"));
	if (seed_hex)
		assert_int_equal(uvm_hex_decode(seed_hex, seed, 48), 0);
	unsigned vcpus = (unsigned)json_integer_value(json_object_get(in, "vcpus"));
	struct uvm_measure_vcpu cpu = { .label = "x",
					.sig = (uint32_t)num(json_object_get(in, "vcpu_sig_effective")) };
	struct uvm_measure_request req = {
		.mode = (enum uvm_measure_mode)uvm_measure_mode_parse(mode),
		.ovmf = fwp,
		.kernel = kp,
		.initrd = ip,
		.cmdline = json_string_value(json_object_get(in, "append")),
		.vmm = !vmm ? UVM_VMM_QEMU : !strcmp(vmm, "ec2") ? UVM_VMM_EC2 : !strcmp(vmm, "gce") ? UVM_VMM_GCE : UVM_VMM_QEMU,
		.guest_features = num(json_object_get(in, "guest_features")),
		.seed = seed_hex ? seed : NULL,
		.vcpus = &vcpus,
		.n_vcpus = 1,
		.vcpu = &cpu,
		.n_vcpu = 1,
	};
	if (req.mode == UVM_MODE_SNP_OVMF_HASH)
		vcpus = 1;
	if (!req.guest_features)
		req.guest_features = 1;
	struct uvm_measure_result res;
	struct uvm_error err = { 0 };
	int r = uvm_measure(&req, &res, &err);
	int want_exit = (int)json_integer_value(json_object_get(exp, "exit_code"));
	if (want_exit != 0) {
		const char *line = json_string_value(json_object_get(exp, "stderr_last_line"));
		if (r >= 0)
			fail_msg("%s: expected an error, got a digest", vid);
		if (line && !strncmp(line, "Error: ", 7) && !strstr(err.msg, line + 7))
			fail_msg("%s: message '%s' does not contain '%s'", vid, err.msg, line + 7);
	} else {
		if (r < 0)
			fail_msg("%s: %s", vid, err.msg);
		if (res.have_firmware_pages_digest || !seed_hex)
			hex_field(im, "firmware_pages_digest", res.firmware_pages_digest, 48, vid);
		if (res.have_hashes) {
			hex_field(im, "kernel_sha256", res.hashes.kernel, 32, vid);
			hex_field(im, "initrd_sha256", res.hashes.initrd, 32, vid);
			hex_field(im, "cmdline_sha256", res.hashes.cmdline, 32, vid);
		}
		if (req.mode == UVM_MODE_SNP && vcpus > 0) {
			hex_field(im, "vmsa_bsp_sha384", res.vmsa_bsp_sha384[0], 48, vid);
			uint8_t page[UVM_VMSA_SIZE];
			uvm_measure_vmsa_page(&req, &res, 0, 0, page);
			check_nonzero(json_object_get(im, "vmsa_bsp_nonzero_bytes"), page, vid, "BSP");
			if (vcpus > 1) {
				hex_field(im, "vmsa_ap_sha384", res.vmsa_ap_sha384[0], 48, vid);
				uvm_measure_vmsa_page(&req, &res, 0, 1, page);
				check_nonzero(json_object_get(im, "vmsa_ap_nonzero_bytes"), page, vid, "AP");
			}
		}
		hex_field(exp, "launch_digest_hex", res.rows[0].digest, res.digest_len, vid);
		uvm_measure_result_done(&res);
	}
	print_message("ok %s\n", vid);
	unlink(fwp);
	if (kp)
		unlink(kp);
	if (ip)
		unlink(ip);
	free(fwp);
	free(kp);
	free(ip);
	free(fw.p);
	free(kb.p);
	free(ib.p);
}

static void test_all_vectors(void **state)
{
	json_t *vs = json_object_get(doc, "vectors");
	assert_int_equal(json_array_size(vs), 21);
	size_t i;
	json_t *v;
	json_array_foreach(vs, i, v)
		run_vector(v);
}

/* Recorded firmware_pages_digests (= snp:ovmf-hash) for every firmware. */
static void test_firmware_pages_digests(void **state)
{
	const char *name;
	json_t *want;
	json_object_foreach(json_object_get(doc, "firmware_pages_digests"), name, want) {
		struct buf b = { 0 };
		named_firmware(name, &b);
		struct uvm_ovmf o;
		struct uvm_error err = { 0 };
		uint8_t d[48];
		char hex[97];
		assert_int_equal(uvm_ovmf_parse(&o, b.p, b.len, &err), 0);
		assert_int_equal(uvm_snp_ovmf_hash(&o, NULL, NULL, d, &err), 0);
		uvm_hex_encode(d, 48, hex);
		if (strcmp(hex, json_string_value(want)) != 0)
			fail_msg("%s: firmware pages digest %s, expected %s", name, hex,
				 json_string_value(want));
		uvm_ovmf_done(&o);
		free(b.p);
	}
}

static int setup(void **state)
{
	json_error_t e;
	doc = json_load_file(VECTORS "public.json", 0, &e);
	if (!doc) {
		fprintf(stderr, "%s: %s\n", VECTORS "public.json", e.text);
		return -1;
	}
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	json_decref(doc);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_firmware_pages_digests),
		cmocka_unit_test(test_all_vectors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
