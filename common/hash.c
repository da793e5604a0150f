/* hash.c — SHA-2 and HMAC wrappers over OpenSSL EVP. */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static int digest(const EVP_MD *md, const void *buf, size_t len, uint8_t *out)
{
	unsigned int n;
	return EVP_Digest(buf, len, out, &n, md, NULL) == 1 ? 0 : -EIO;
}

int uvm_sha256(const void *buf, size_t len, uint8_t out[UVM_SHA256_LEN])
{
	return digest(EVP_sha256(), buf, len, out);
}

int uvm_sha384(const void *buf, size_t len, uint8_t out[UVM_SHA384_LEN])
{
	return digest(EVP_sha384(), buf, len, out);
}

DEFINE_PTR_CLEANUP(md_ctx, EVP_MD_CTX, EVP_MD_CTX_free)

int uvm_file_digests(const char *path, uint8_t sha256[UVM_SHA256_LEN],
		     uint8_t sha384[UVM_SHA384_LEN], struct uvm_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	_cleanup_(cleanup_md_ctx) EVP_MD_CTX *c256 = EVP_MD_CTX_new();
	_cleanup_(cleanup_md_ctx) EVP_MD_CTX *c384 = EVP_MD_CTX_new();
	if (!c256 || !c384 || EVP_DigestInit_ex(c256, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(c384, EVP_sha384(), NULL) != 1)
		return uvm_errorf(err, -EIO, "%s: digest setup failed", path);
	_cleanup_free_ uint8_t *buf = malloc(1 << 20);
	if (!buf)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	for (;;) {
		ssize_t k = read(fd, buf, 1 << 20);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return uvm_errorf_errno(err, -errno, "%s", path);
		}
		if (k == 0)
			break;
		if ((sha256 && EVP_DigestUpdate(c256, buf, (size_t)k) != 1) ||
		    (sha384 && EVP_DigestUpdate(c384, buf, (size_t)k) != 1))
			return uvm_errorf(err, -EIO, "%s: digest failed", path);
	}
	unsigned int n;
	if ((sha256 && EVP_DigestFinal_ex(c256, sha256, &n) != 1) ||
	    (sha384 && EVP_DigestFinal_ex(c384, sha384, &n) != 1))
		return uvm_errorf(err, -EIO, "%s: digest failed", path);
	return 0;
}

int uvm_derive(const uint8_t seed[UVM_SHA256_LEN], const char *label,
	       uint8_t *out, size_t out_len)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (out_len > UVM_SHA256_LEN)
		return -EINVAL;
	if (!HMAC(EVP_sha256(), seed, UVM_SHA256_LEN,
		  (const unsigned char *)label, strlen(label), mac, &n))
		return -EIO;
	memcpy(out, mac, out_len);
	return 0;
}

int uvm_derive_uuid(const uint8_t seed[UVM_SHA256_LEN], const char *label,
		    uint8_t uuid[16])
{
	int r = uvm_derive(seed, label, uuid, 16);
	if (r < 0)
		return r;
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	return 0;
}

void uvm_uuid_format(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}
