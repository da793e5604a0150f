/* dsse.h — DSSE envelopes and Sigstore bundles v0.3 (specs/signing.md
 * §2(ii), §2(iii), §3).
 *
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body,
 * LEN in ASCII decimal. The PAE is what gets signed: ECDSA P-256 over
 * SHA-256 (ASN.1 DER signature) or pure Ed25519. base64 is standard with
 * padding on output; on input the URL-safe alphabet and missing padding are
 * accepted too, as the DSSE spec asks.
 *
 * Envelope (manifest.dsse.json), canonical JSON plus a newline:
 *   {"payload":"<b64>","payloadType":"application/vnd.in-toto+json",
 *    "signatures":[{"keyid":"<hex sha256 of SPKI DER>","sig":"<b64 DER>"}]}
 * Bundle (manifest.sigstore.json):
 *   {"dsseEnvelope":{...the envelope...},
 *    "mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
 *    "verificationMaterial":{"publicKey":{"hint":"<keyid>"},"tlogEntries":[]}}
 *
 * uvmkit produces and accepts exactly one signature (two make
 * @sigstore/bundle reject a bundle) and refuses P-384 keys by name: sigstore-js
 * verifies every EC key over SHA-256, so a P-384/SHA-384 signature would
 * verify here and fail there.
 */
#ifndef UVM_DSSE_H
#define UVM_DSSE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "../common/error.h"
#include "keys.h"

#define UVM_SIGSTORE_BUNDLE_V03 "application/vnd.dev.sigstore.bundle.v0.3+json"
#define UVM_DSSE_MAX_SIZE (32u << 20)

/* A parsed envelope; owns its buffers. */
struct uvm_dsse {
	char *payload_type;
	uint8_t *payload;
	size_t payload_len;
	char *keyid; /* NULL when absent (it is only a hint) */
	uint8_t *sig;
	size_t sig_len;
	char *hint; /* bundles only: verificationMaterial.publicKey.hint */
};

void uvm_dsse_free(struct uvm_dsse *d);
DEFINE_PTR_CLEANUP(dsse, struct uvm_dsse, uvm_dsse_free)
#define _cleanup_dsse_ _cleanup_(cleanup_dsse)

/* The PAE bytes in a malloc'd buffer. 0 or -ENOMEM / -EOVERFLOW. */
int uvm_dsse_pae(const char *type, const void *body, size_t len, uint8_t **ret,
		 size_t *ret_len);

/* Sign payload with key (must be ECDSA P-256 or Ed25519; anything else is
 * -EOPNOTSUPP) and return the envelope (*ret_env) and the bundle
 * (*ret_bundle) as canonical JSON text with a final newline (malloc'd).
 * Both carry the same single signature. */
int uvm_dsse_sign(EVP_PKEY *key, const char *payload_type, const void *payload,
		  size_t len, char **ret_env, char **ret_bundle,
		  struct uvm_error *err);

/* Parse an envelope / a bundle (at most UVM_DSSE_MAX_SIZE bytes): JSON
 * without duplicate keys, the fields and their types, exactly one
 * signature, decodable base64, and for a bundle the v0.3 media type, a
 * publicKey hint, an empty or absent tlogEntries and a dsseEnvelope.
 * Returns 0 or -EINVAL naming the problem. */
int uvm_dsse_parse_envelope(const void *buf, size_t len, struct uvm_dsse **ret,
			    struct uvm_error *err);
int uvm_dsse_parse_bundle(const void *buf, size_t len, struct uvm_dsse **ret,
			  struct uvm_error *err);

/* Verify d with the pinned public key pub: payloadType must be
 * expected_type (if non-NULL), a keyid / hint present must equal pub's key
 * id (-EKEYREJECTED otherwise), the signature must verify over the PAE
 * (-EBADMSG). A P-384 or other key is -EOPNOTSUPP. */
int uvm_dsse_verify(const struct uvm_dsse *d, EVP_PKEY *pub,
		    const char *expected_type, struct uvm_error *err);

#endif
