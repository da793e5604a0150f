/* idblock.h — the SNP ID block and ID authentication information structure
 * (SNP_LAUNCH_FINISH), as the reference tool's snp-create-id-block builds
 * them (specs/snp-launch-digest.md §8). They do not change the launch
 * digest; they let the AMD-SP enforce an expected one.
 *
 * ID block (96 bytes): LD | FAMILY_ID (0) | IMAGE_ID (0) | VERSION 1 |
 * GUEST_SVN 0 | POLICY 0x30000. ID auth (4096 bytes): algorithms, the ID
 * block signed with the ID key, the ID public key, that key signed with the
 * author key, the author public key. Keys are ECDSA P-384 (PEM private keys);
 * signatures are ECDSA-SHA384 with R and S little-endian in 72-byte fields.
 * ECDSA is randomised: id_auth differs on every call, the rest does not.
 */
#ifndef UVM_MEASURE_IDBLOCK_H
#define UVM_MEASURE_IDBLOCK_H

#include <stdint.h>

#include "../common/error.h"

#define UVM_ID_BLOCK_LEN 96u
#define UVM_ID_AUTH_LEN 4096u
#define UVM_ID_PUBKEY_LEN 1028u
#define UVM_ID_SIG_LEN 512u
#define UVM_ID_POLICY 0x30000ull

/* Offsets inside the ID auth structure. */
#define UVM_ID_AUTH_ID_SIG 0x040u
#define UVM_ID_AUTH_ID_KEY 0x240u
#define UVM_ID_AUTH_ID_KEY_SIG 0x680u
#define UVM_ID_AUTH_AUTHOR_KEY 0x880u

struct uvm_id_block {
	uint8_t block[UVM_ID_BLOCK_LEN];
	uint8_t auth[UVM_ID_AUTH_LEN];
	uint8_t id_key_digest[48];     /* SHA-384 of the 1028-byte ID public key */
	uint8_t author_key_digest[48]; /* SHA-384 of the author public key */
};

/* The 96-byte ID block for launch digest ld (pure, cannot fail). */
void uvm_id_block_build(const uint8_t ld[48], uint8_t out[UVM_ID_BLOCK_LEN]);

/* Build block and auth from ld and two PEM private key files. Errors: file
 * unreadable, not a PEM private key, not an EC P-384 key (-EINVAL), signing
 * failure (-EIO). */
int uvm_id_block_sign(const uint8_t ld[48], const char *id_key_pem,
		      const char *author_key_pem, struct uvm_id_block *out,
		      struct uvm_error *err);

#endif
