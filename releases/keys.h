/* keys.h — release signing keys: generation, loading, key ids.
 *
 * A key directory (KEYDIR) holds
 *   dsse.key      ECDSA P-256 private key, PKCS#8 PEM, mode 0600 (signs the
 *                 DSSE envelope / Sigstore bundle)
 *   dsse.pub      its SubjectPublicKeyInfo, PEM, mode 0644
 *   sums.key      Ed25519 private key, PKCS#8 PEM, mode 0600 (signs the SUMS
 *                 files in minisign format)
 *   minisign.pub  its public key in minisign/signify format, mode 0644
 * Verification needs only the two public files.
 *
 * Key id of a DSSE key: lowercase hex SHA-256 of the DER SPKI (the value of
 * `openssl pkey -pubin -outform DER | sha256sum`), specs/signing.md §3.
 * The minisign key number is derived, not random: the first 8 bytes of
 * SHA-256 of the raw 32-byte Ed25519 public key, so that sums.key alone is
 * enough to sign and minisign.pub can be re-derived from it.
 */
#ifndef UVM_KEYS_H
#define UVM_KEYS_H

#include <stdint.h>

#include <openssl/evp.h>

#include "../common/error.h"
#include "../common/macro.h"

#define UVM_KEY_DSSE_PRIVATE "dsse.key"
#define UVM_KEY_DSSE_PUBLIC "dsse.pub"
#define UVM_KEY_SUMS_PRIVATE "sums.key"
#define UVM_KEY_SUMS_PUBLIC "minisign.pub"

#define UVM_KEYID_HEX_LEN 64
#define UVM_KEY_MAX_FILE (64u << 10)

DEFINE_PTR_CLEANUP(evp_pkey, EVP_PKEY, EVP_PKEY_free)
#define _cleanup_evp_pkey_ _cleanup_(cleanup_evp_pkey)

/* The kinds of key uvmkit handles. */
enum uvm_key_kind {
	UVM_KEY_UNSUPPORTED = 0,
	UVM_KEY_P256,	 /* ECDSA P-256, signatures over SHA-256, DER */
	UVM_KEY_ED25519, /* pure Ed25519, 64-byte signatures */
	UVM_KEY_P384,	 /* recognised only to be refused by name */
};

enum uvm_key_kind uvm_key_kind(EVP_PKEY *pkey);
/* "ECDSA P-256", "Ed25519", "ECDSA P-384", "unsupported". */
const char *uvm_key_kind_name(enum uvm_key_kind k);

/* Write the four files into keydir (created if missing). Fails with -EEXIST
 * (naming the file) before writing anything if any of them exists, and a
 * key file is published with link(2), so a key is never overwritten even by
 * a concurrent writer. On success *ret_keyid gets the DSSE key id and
 * *ret_minisign_id the minisign key id (16 uppercase hex digits as minisign
 * prints it); both may be NULL. */
int uvm_keygen(const char *keydir, char ret_keyid[UVM_KEYID_HEX_LEN + 1],
	       char ret_minisign_id[17], struct uvm_error *err);

/* Load a PEM private key / SPKI public key (at most UVM_KEY_MAX_FILE
 * bytes). *ret is a new EVP_PKEY. 0, -ENOENT..., -EINVAL on bad PEM. */
int uvm_key_load_private(const char *path, EVP_PKEY **ret, struct uvm_error *err);
int uvm_key_load_public(const char *path, EVP_PKEY **ret, struct uvm_error *err);

/* Hex SHA-256 of the DER SPKI of pkey (public part). 0 or -EIO. */
int uvm_keyid(EVP_PKEY *pkey, char out[UVM_KEYID_HEX_LEN + 1]);

/* The minisign key number of an Ed25519 key (see above). 0, -EINVAL if not
 * Ed25519, -EIO. */
int uvm_minisign_keynum(EVP_PKEY *pkey, uint8_t keynum[8]);

/* Format a minisign key number the way minisign prints it (little-endian
 * u64, 16 uppercase hex digits). */
void uvm_minisign_keynum_format(const uint8_t keynum[8], char out[17]);

#endif
