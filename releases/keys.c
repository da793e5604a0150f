/* keys.c — key generation and loading for release signing (keys.h). All
 * cryptography is OpenSSL's EVP interface; the only randomness in uvmkit is
 * here, in key generation. */
#include "keys.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../common/fileio.h"
#include "../common/hash.h"
#include "../common/hex.h"
#include "minisign.h"

DEFINE_PTR_CLEANUP(bio, BIO, BIO_free)
DEFINE_PTR_CLEANUP(evp_pkey_ctx, EVP_PKEY_CTX, EVP_PKEY_CTX_free)

enum uvm_key_kind uvm_key_kind(EVP_PKEY *pkey)
{
	if (!pkey)
		return UVM_KEY_UNSUPPORTED;
	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return UVM_KEY_ED25519;
	if (EVP_PKEY_is_a(pkey, "EC")) {
		char curve[64];
		size_t len;
		if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
						    curve, sizeof(curve), &len))
			return UVM_KEY_UNSUPPORTED;
		if (!strcmp(curve, "prime256v1") || !strcmp(curve, "P-256"))
			return UVM_KEY_P256;
		if (!strcmp(curve, "secp384r1") || !strcmp(curve, "P-384"))
			return UVM_KEY_P384;
	}
	return UVM_KEY_UNSUPPORTED;
}

const char *uvm_key_kind_name(enum uvm_key_kind k)
{
	switch (k) {
	case UVM_KEY_P256:
		return "ECDSA P-256";
	case UVM_KEY_ED25519:
		return "Ed25519";
	case UVM_KEY_P384:
		return "ECDSA P-384";
	default:
		return "unsupported";
	}
}

int uvm_keyid(EVP_PKEY *pkey, char out[UVM_KEYID_HEX_LEN + 1])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pkey, &der);
	if (n <= 0)
		return -EIO;
	uint8_t h[UVM_SHA256_LEN];
	int r = uvm_sha256(der, (size_t)n, h);
	OPENSSL_free(der);
	if (r < 0)
		return r;
	uvm_hex_encode(h, sizeof(h), out);
	return 0;
}

int uvm_minisign_keynum(EVP_PKEY *pkey, uint8_t keynum[8])
{
	uint8_t pk[32], h[UVM_SHA256_LEN];
	size_t len = sizeof(pk);
	if (uvm_key_kind(pkey) != UVM_KEY_ED25519)
		return -EINVAL;
	if (!EVP_PKEY_get_raw_public_key(pkey, pk, &len) || len != sizeof(pk))
		return -EIO;
	int r = uvm_sha256(pk, sizeof(pk), h);
	if (r < 0)
		return r;
	memcpy(keynum, h, 8);
	return 0;
}

void uvm_minisign_keynum_format(const uint8_t keynum[8], char out[17])
{
	uint8_t be[8];
	for (int i = 0; i < 8; i++)
		be[i] = keynum[7 - i];
	uvm_hex_encode(be, 8, out);
	for (int i = 0; i < 16; i++)
		if (out[i] >= 'a' && out[i] <= 'f')
			out[i] = (char)(out[i] - 'a' + 'A');
}

static int load_pem(const char *path, bool private, EVP_PKEY **ret,
		    struct uvm_error *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = uvm_read_file(path, UVM_KEY_MAX_FILE, &buf, &len, err);
	if (r < 0)
		return r;
	_cleanup_(cleanup_bio) BIO *bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	EVP_PKEY *k = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
			      : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	ERR_clear_error();
	if (!k)
		return uvm_errorf(err, -EINVAL, "%s: not a PEM %s key", path,
				  private ? "private" : "public");
	*ret = k;
	return 0;
}

int uvm_key_load_private(const char *path, EVP_PKEY **ret, struct uvm_error *err)
{
	return load_pem(path, true, ret, err);
}

int uvm_key_load_public(const char *path, EVP_PKEY **ret, struct uvm_error *err)
{
	return load_pem(path, false, ret, err);
}

static EVP_PKEY *generate(const char *type, const char *curve)
{
	EVP_PKEY *k = NULL;
	if (curve)
		k = EVP_PKEY_Q_keygen(NULL, NULL, type, curve);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, type);
	ERR_clear_error();
	return k;
}

/* PEM text of a key: the PKCS#8 private key or the SPKI public key. */
static int pem_text(EVP_PKEY *k, bool private, char **ret, size_t *ret_len)
{
	_cleanup_(cleanup_bio) BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return -ENOMEM;
	int ok = private ? PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL)
			 : PEM_write_bio_PUBKEY(bio, k);
	if (!ok)
		return -EIO;
	char *p;
	long n = BIO_get_mem_data(bio, &p);
	if (n <= 0)
		return -EIO;
	char *copy = malloc((size_t)n + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, p, (size_t)n);
	copy[n] = 0;
	*ret = copy;
	*ret_len = (size_t)n;
	return 0;
}

/* Write path with mode, never replacing an existing file: the content goes
 * to an atomic temporary, which is then hard-linked to the final name
 * (link(2) fails with EEXIST instead of replacing) and removed. */
static int write_new_file(const char *path, const void *buf, size_t len,
			  mode_t mode, struct uvm_error *err)
{
	struct uvm_atomic_file f;
	int r = uvm_atomic_open(&f, path, mode, err);
	if (r < 0)
		return r;
	r = uvm_write_all(f.fd, buf, len);
	if (r == 0 && fsync(f.fd) < 0)
		r = -errno;
	if (r == 0 && link(f.tmp_path, path) < 0)
		r = -errno;
	uvm_atomic_abort(&f);
	if (r == -EEXIST)
		return uvm_errorf(err, r, "%s exists; keys are never overwritten",
				  path);
	return r < 0 ? uvm_errorf_errno(err, r, "%s", path) : 0;
}

static char *path_join(const char *dir, const char *name)
{
	char *p;
	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* _cleanup_free_ frees one pointer; these arrays need each element freed. */
static void free_strings4(char *(*v)[4])
{
	for (size_t i = 0; i < 4; i++)
		free((*v)[i]);
}

int uvm_keygen(const char *keydir, char ret_keyid[UVM_KEYID_HEX_LEN + 1],
	       char ret_minisign_id[17], struct uvm_error *err)
{
	static const char *const names[] = { UVM_KEY_DSSE_PRIVATE, UVM_KEY_DSSE_PUBLIC,
					     UVM_KEY_SUMS_PRIVATE, UVM_KEY_SUMS_PUBLIC };
	_cleanup_(free_strings4) char *paths[4] = {};
	struct stat st;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(paths[i] = path_join(keydir, names[i])))
			return uvm_errorf(err, -ENOMEM, "out of memory");
		if (lstat(paths[i], &st) == 0)
			return uvm_errorf(err, -EEXIST,
					  "%s exists; keys are never overwritten",
					  paths[i]);
	}
	_cleanup_evp_pkey_ EVP_PKEY *dsse = generate("EC", "P-256");
	_cleanup_evp_pkey_ EVP_PKEY *sums = generate("ED25519", NULL);
	if (!dsse || !sums)
		return uvm_errorf(err, -EIO, "OpenSSL key generation failed");

	_cleanup_(free_strings4) char *texts[4] = {};
	size_t lens[4];
	if ((r = pem_text(dsse, true, &texts[0], &lens[0])) < 0 ||
	    (r = pem_text(dsse, false, &texts[1], &lens[1])) < 0 ||
	    (r = pem_text(sums, true, &texts[2], &lens[2])) < 0)
		return uvm_errorf(err, r, "cannot encode the keys as PEM");
	r = uvm_minisign_pubkey_format(sums, &texts[3], err);
	if (r < 0)
		return r;
	lens[3] = strlen(texts[3]);

	r = uvm_mkdir_p(keydir, err);
	if (r < 0)
		return r;
	static const mode_t modes[] = { 0600, 0644, 0600, 0644 };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		r = write_new_file(paths[i], texts[i], lens[i], modes[i], err);
		if (r < 0)
			return r;
	}
	if (ret_keyid && (r = uvm_keyid(dsse, ret_keyid)) < 0)
		return uvm_errorf(err, r, "cannot compute the key id");
	if (ret_minisign_id) {
		uint8_t keynum[8];
		if ((r = uvm_minisign_keynum(sums, keynum)) < 0)
			return uvm_errorf(err, r, "cannot compute the minisign key id");
		uvm_minisign_keynum_format(keynum, ret_minisign_id);
	}
	return 0;
}
