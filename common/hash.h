/* hash.h — SHA-2 digests of buffers and files, and the build-seed
 * derivation used for every UUID, hash seed and salt (DESIGN.md,
 * "Determinism"). Thin wrappers over OpenSSL's EVP interface.
 */
#ifndef UVM_HASH_H
#define UVM_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define UVM_SHA256_LEN 32
#define UVM_SHA384_LEN 48

/* One-shot digests. Return 0 or -EIO (OpenSSL failure). */
int uvm_sha256(const void *buf, size_t len, uint8_t out[UVM_SHA256_LEN]);
int uvm_sha384(const void *buf, size_t len, uint8_t out[UVM_SHA384_LEN]);

/* Stream a file through SHA-256 and SHA-384 at once (either out may be
 * NULL). Reads in 1 MiB chunks; memory use does not depend on file size. */
int uvm_file_digests(const char *path, uint8_t sha256[UVM_SHA256_LEN],
		     uint8_t sha384[UVM_SHA384_LEN], struct uvm_error *err);

/* HMAC-SHA256(seed, label) truncated to out_len (<= 32) bytes: the one way
 * uvmkit derives UUIDs, the ext4 hash seed and the verity salt from a build
 * seed. Labels are fixed strings such as "ext4-uuid", "verity-salt". */
int uvm_derive(const uint8_t seed[UVM_SHA256_LEN], const char *label,
	       uint8_t *out, size_t out_len);

/* Derive a 16-byte RFC 4122 version-4-shaped UUID (variant and version bits
 * set) from seed and label. */
int uvm_derive_uuid(const uint8_t seed[UVM_SHA256_LEN], const char *label,
		    uint8_t uuid[16]);

/* Format a 16-byte UUID as 36 lowercase characters + NUL. */
void uvm_uuid_format(const uint8_t uuid[16], char out[37]);

#endif
