/* fuzz-manifest.c — libFuzzer harness for every parser `uvmkit verify`
 * runs on untrusted release files: the manifest (Statement + uvmkit
 * predicate), the DSSE envelope, the Sigstore bundle, SUMS lines and
 * minisign signatures / public keys. The first input byte picks the
 * parser; the rest is the file. Anything parsed is re-serialized or
 * verified against a fixed key to reach the code behind the parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/canonjson.h"
#include "releases/dsse.h"
#include "releases/manifest.h"
#include "releases/minisign.h"
#include "releases/sums.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The public key of ../shared/vectors/signing/release.pub. */
static const uint8_t release_pk[32] = {
	0x36, 0x72, 0xdd, 0x1a, 0x63, 0x86, 0x55, 0xbf, 0x94, 0x8c, 0x3b,
	0xbb, 0xc6, 0x2f, 0x61, 0x12, 0xe1, 0xc8, 0x6f, 0xf2, 0x0a, 0x16,
	0xb9, 0x9f, 0x4a, 0x6a, 0xbb, 0x5d, 0x9c, 0x35, 0xfe, 0x89,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t which = data[0] % 6;
	const uint8_t *buf = data + 1;
	size_t len = size - 1;
	struct uvm_error err = {};

	switch (which) {
	case 0: {
		struct uvm_manifest *m = NULL;
		if (uvm_manifest_parse(buf, len, &m, &err) == 0) {
			char *out = NULL;
			size_t n;
			if (uvm_canon_json(m->statement, &out, &n, &err) == 0)
				free(out);
			uvm_manifest_free(m);
		}
		break;
	}
	case 1:
	case 2: {
		struct uvm_dsse *d = NULL;
		int r = which == 1 ? uvm_dsse_parse_envelope(buf, len, &d, &err)
				   : uvm_dsse_parse_bundle(buf, len, &d, &err);
		if (r == 0) {
			uint8_t *pae = NULL;
			size_t n;
			if (uvm_dsse_pae(d->payload_type, d->payload, d->payload_len, &pae, &n) == 0)
				free(pae);
			struct uvm_manifest *m = NULL;
			if (uvm_manifest_parse(d->payload, d->payload_len, &m, &err) == 0)
				uvm_manifest_free(m);
			uvm_dsse_free(d);
		}
		break;
	}
	case 3:
	case 4: {
		struct uvm_sums_entry *e = NULL;
		size_t n = 0;
		if (uvm_sums_parse(buf, len, which == 3 ? UVM_SUMS_SHA256 : UVM_SUMS_SHA384,
				   &e, &n, &err) == 0)
			uvm_sums_free(e, n);
		break;
	}
	case 5: {
		struct uvm_minisign_pubkey pk;
		memcpy(pk.pk, release_pk, 32);
		memcpy(pk.keynum, "\x0d\x62\xcb\xc2\x4f\xbc\x48\x63", 8);
		char *tc = NULL;
		if (uvm_minisign_verify(&pk, "x", 1, buf, len, &tc, &err) == 0)
			free(tc);
		uvm_minisign_pubkey_parse(buf, len, &pk, &err);
		break;
	}
	}
	return 0;
}
