/* idblock.c — ID block and ID auth info with OpenSSL (see idblock.h). */
#include "idblock.h"

#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../common/hash.h"

#define ALGO_ECDSA_P384_SHA384 1u
#define CURVE_P384 2u
#define COORD_LEN 72u /* each of QX, QY, R, S: 48 bytes zero-extended */

DEFINE_PTR_CLEANUP(evp_pkey, EVP_PKEY, EVP_PKEY_free)
DEFINE_PTR_CLEANUP(evp_md_ctx, EVP_MD_CTX, EVP_MD_CTX_free)
DEFINE_PTR_CLEANUP(bignum, BIGNUM, BN_free)
DEFINE_PTR_CLEANUP(ecdsa_sig, ECDSA_SIG, ECDSA_SIG_free)

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void uvm_id_block_build(const uint8_t ld[48], uint8_t out[UVM_ID_BLOCK_LEN])
{
	memset(out, 0, UVM_ID_BLOCK_LEN);
	memcpy(out, ld, 48);	/* FAMILY_ID, IMAGE_ID: 0x30, 0x40, zero */
	put32(out + 0x50, 1);	/* VERSION */
	put32(out + 0x54, 0);	/* GUEST_SVN */
	for (int i = 0; i < 8; i++)
		out[0x58 + i] = (uint8_t)(UVM_ID_POLICY >> (8 * i));
}

static int load_key(const char *path, EVP_PKEY **ret, struct uvm_error *err)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return uvm_errorf_errno(err, -errno, "%s", path);
	EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (!k)
		return uvm_errorf(err, -EINVAL, "%s: not a PEM private key", path);
	char group[64] = "";
	size_t glen;
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
	    EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
					   sizeof(group), &glen) != 1 ||
	    strcmp(group, "secp384r1") != 0) {
		EVP_PKEY_free(k);
		return uvm_errorf(err, -EINVAL, "%s: not an ECDSA P-384 key", path);
	}
	*ret = k;
	return 0;
}

/* CURVE | QX (72, LE) | QY (72, LE) | zeros. */
static int public_key(EVP_PKEY *k, uint8_t out[UVM_ID_PUBKEY_LEN])
{
	_cleanup_(cleanup_bignum) BIGNUM *x = NULL;
	_cleanup_(cleanup_bignum) BIGNUM *y = NULL;
	memset(out, 0, UVM_ID_PUBKEY_LEN);
	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
		return -EIO;
	put32(out, CURVE_P384);
	if (BN_bn2lebinpad(x, out + 4, COORD_LEN) < 0 ||
	    BN_bn2lebinpad(y, out + 4 + COORD_LEN, COORD_LEN) < 0)
		return -EIO;
	return 0;
}

/* ECDSA-SHA384 of msg: R (72, LE) | S (72, LE) | zeros. */
static int sign(EVP_PKEY *k, const uint8_t *msg, size_t len, uint8_t out[UVM_ID_SIG_LEN])
{
	_cleanup_(cleanup_evp_md_ctx) EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t der[256];
	size_t dlen = sizeof(der);
	if (!c || EVP_DigestSignInit(c, NULL, EVP_sha384(), NULL, k) != 1 ||
	    EVP_DigestSign(c, der, &dlen, msg, len) != 1)
		return -EIO;
	const uint8_t *p = der;
	_cleanup_(cleanup_ecdsa_sig) ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	if (!s)
		return -EIO;
	memset(out, 0, UVM_ID_SIG_LEN);
	if (BN_bn2lebinpad(ECDSA_SIG_get0_r(s), out, COORD_LEN) < 0 ||
	    BN_bn2lebinpad(ECDSA_SIG_get0_s(s), out + COORD_LEN, COORD_LEN) < 0)
		return -EIO;
	return 0;
}

int uvm_id_block_sign(const uint8_t ld[48], const char *id_key_pem,
		      const char *author_key_pem, struct uvm_id_block *out,
		      struct uvm_error *err)
{
	_cleanup_(cleanup_evp_pkey) EVP_PKEY *id = NULL;
	_cleanup_(cleanup_evp_pkey) EVP_PKEY *author = NULL;
	int r = load_key(id_key_pem, &id, err);
	if (r >= 0)
		r = load_key(author_key_pem, &author, err);
	if (r < 0)
		return r;

	uvm_id_block_build(ld, out->block);
	uint8_t *a = out->auth;
	memset(a, 0, UVM_ID_AUTH_LEN);
	put32(a, ALGO_ECDSA_P384_SHA384);     /* ID_KEY_ALGO */
	put32(a + 4, ALGO_ECDSA_P384_SHA384); /* AUTH_KEY_ALGO */
	if (public_key(id, a + UVM_ID_AUTH_ID_KEY) < 0 ||
	    public_key(author, a + UVM_ID_AUTH_AUTHOR_KEY) < 0 ||
	    sign(id, out->block, UVM_ID_BLOCK_LEN, a + UVM_ID_AUTH_ID_SIG) < 0 ||
	    sign(author, a + UVM_ID_AUTH_ID_KEY, UVM_ID_PUBKEY_LEN,
		 a + UVM_ID_AUTH_ID_KEY_SIG) < 0)
		return uvm_errorf(err, -EIO, "ECDSA P-384 signing failed");
	if (uvm_sha384(a + UVM_ID_AUTH_ID_KEY, UVM_ID_PUBKEY_LEN, out->id_key_digest) < 0 ||
	    uvm_sha384(a + UVM_ID_AUTH_AUTHOR_KEY, UVM_ID_PUBKEY_LEN, out->author_key_digest) < 0)
		return uvm_errorf(err, -EIO, "SHA-384 failed");
	return 0;
}
