/* minisign.h — minisign/signify Ed25519 public keys and signatures, the
 * signature format of SHA256SUMS (specs/signing.md §4b).
 *
 * Public key file (signify reads the same):
 *   untrusted comment: <text>\n
 *   base64("Ed" || keynum[8] || pk[32])\n
 * Signature file (.minisig), four lines each ending in \n:
 *   untrusted comment: <text>
 *   base64(alg[2] || keynum[8] || sig[64])   alg "Ed": sig = Ed25519(file)
 *                                            alg "ED": sig = Ed25519(BLAKE2b-512(file))
 *   trusted comment: <text>
 *   base64(Ed25519(sig[64] || text))         the "global" signature
 * uvmkit writes "Ed" (legacy), the variant both minisign and signify-openbsd
 * verify; it verifies both and always checks the trusted-comment signature,
 * as minisign does (signify reads only the first two lines).
 */
#ifndef UVM_MINISIGN_H
#define UVM_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../common/error.h"

#define UVM_MINISIG_MAX_SIZE 4096
#define UVM_MINISIGN_PUB_MAX_SIZE 4096

struct uvm_minisign_pubkey {
	uint8_t keynum[8];
	uint8_t pk[32];
};

struct uvm_minisig {
	char alg[3]; /* "Ed" or "ED" */
	uint8_t keynum[8];
	uint8_t sig[64];
	char trusted_comment[UVM_MINISIG_MAX_SIZE]; /* without prefix / newline */
	uint8_t global_sig[64];
};

/* The minisign.pub text of an Ed25519 key, with the key number of
 * uvm_minisign_keynum() and the untrusted comment
 * "minisign public key <ID>" (as minisign writes it). *ret is malloc'd. */
int uvm_minisign_pubkey_format(EVP_PKEY *pkey, char **ret, struct uvm_error *err);

/* Parse a public key file (two lines; a missing final newline is tolerated).
 * 0 or -EINVAL naming the problem. */
int uvm_minisign_pubkey_parse(const void *buf, size_t len,
			      struct uvm_minisign_pubkey *ret,
			      struct uvm_error *err);

/* Sign data ("Ed" legacy format) with Ed25519 key; trusted_comment must not
 * contain a newline. *ret is the malloc'd .minisig text. */
int uvm_minisign_sign(EVP_PKEY *key, const void *data, size_t len,
		      const char *trusted_comment, char **ret,
		      struct uvm_error *err);

/* Parse a .minisig file strictly (four lines as above, base64 of the exact
 * lengths, the comment prefixes, alg "Ed" or "ED"). */
int uvm_minisig_parse(const void *buf, size_t len, struct uvm_minisig *ret,
		      struct uvm_error *err);

/* Verify a .minisig over data with pk: key numbers match, the signature
 * over the data (or its BLAKE2b-512 for "ED"), and the trusted-comment
 * signature. Returns 0 or -EBADMSG (signature), -EKEYREJECTED (key number
 * mismatch: signed by another key), -EINVAL (malformed). The message names
 * which check failed. If ret_comment is non-NULL it gets a malloc'd copy of
 * the trusted comment on success. */
int uvm_minisign_verify(const struct uvm_minisign_pubkey *pk, const void *data,
			size_t len, const void *sig, size_t sig_len,
			char **ret_comment, struct uvm_error *err);

/* Ed25519 helpers on raw keys (shared with DSSE code paths that verify
 * Ed25519). 0 or -EBADMSG / -EIO. */
int uvm_ed25519_verify_raw(const uint8_t pk[32], const void *msg, size_t len,
			   const uint8_t sig[64]);

#endif
