/* minisign.c — minisign/signify formats on OpenSSL Ed25519 (minisign.h).
 * The parsers work on byte buffers split at '\n' and never trust a length
 * they have not checked; base64 is decoded strictly (common/hex.h). */
#include "minisign.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "../common/hex.h"
#include "../common/macro.h"
#include "keys.h"

#define UNTRUSTED "untrusted comment: "
#define TRUSTED "trusted comment: "

DEFINE_PTR_CLEANUP(md_ctx, EVP_MD_CTX, EVP_MD_CTX_free)

struct line {
	const char *p;
	size_t len;
};

/* Split buf into at most max lines. Each line must end with '\n' except,
 * when allow_unterminated, the last. Returns the number of lines or
 * -EINVAL (NUL byte, '\r', too many lines). */
static int split_lines(const char *buf, size_t len, struct line *lines,
		       size_t max, bool allow_unterminated)
{
	size_t n = 0, start = 0;
	if (memchr(buf, 0, len) || memchr(buf, '\r', len))
		return -EINVAL;
	while (start < len) {
		const char *nl = memchr(buf + start, '\n', len - start);
		if (!nl && !allow_unterminated)
			return -EINVAL;
		size_t end = nl ? (size_t)(nl - buf) : len;
		if (n == max)
			return -EINVAL;
		lines[n++] = (struct line){ buf + start, end - start };
		start = end + 1;
	}
	return (int)n;
}

static bool has_prefix(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);
	return l->len >= n && !memcmp(l->p, prefix, n);
}

/* Decode a base64 line that must give exactly want bytes into out. */
static int decode_line(const struct line *l, uint8_t *out, size_t want)
{
	char tmp[256];
	if (l->len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, l->p, l->len);
	tmp[l->len] = 0;
	_cleanup_free_ uint8_t *d = NULL;
	size_t n;
	int r = uvm_base64_decode(tmp, &d, &n);
	if (r < 0)
		return r;
	if (n != want)
		return -EINVAL;
	memcpy(out, d, want);
	return 0;
}

int uvm_ed25519_verify_raw(const uint8_t pk[32], const void *msg, size_t len,
			   const uint8_t sig[64])
{
	_cleanup_evp_pkey_ EVP_PKEY *k =
		EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	_cleanup_(cleanup_md_ctx) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!k || !ctx) {
		ERR_clear_error();
		return -EIO;
	}
	int ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
		 EVP_DigestVerify(ctx, sig, 64, msg, len) == 1;
	ERR_clear_error();
	return ok ? 0 : -EBADMSG;
}

static int ed25519_sign(EVP_PKEY *key, const void *msg, size_t len, uint8_t sig[64])
{
	_cleanup_(cleanup_md_ctx) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = 64;
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
		 EVP_DigestSign(ctx, sig, &n, msg, len) == 1 && n == 64;
	ERR_clear_error();
	return ok ? 0 : -EIO;
}

int uvm_minisign_pubkey_format(EVP_PKEY *pkey, char **ret, struct uvm_error *err)
{
	uint8_t blob[42] = { 'E', 'd' };
	size_t pklen = 32;
	char id[17];
	if (uvm_key_kind(pkey) != UVM_KEY_ED25519)
		return uvm_errorf(err, -EINVAL, "a minisign key must be Ed25519");
	if (uvm_minisign_keynum(pkey, blob + 2) < 0 ||
	    !EVP_PKEY_get_raw_public_key(pkey, blob + 10, &pklen) || pklen != 32)
		return uvm_errorf(err, -EIO, "cannot read the Ed25519 public key");
	uvm_minisign_keynum_format(blob + 2, id);
	_cleanup_free_ char *b64 = uvm_base64_encode(blob, sizeof(blob));
	if (!b64 || asprintf(ret, UNTRUSTED "minisign public key %s\n%s\n", id, b64) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	return 0;
}

int uvm_minisign_pubkey_parse(const void *buf, size_t len,
			      struct uvm_minisign_pubkey *ret,
			      struct uvm_error *err)
{
	struct line l[2];
	uint8_t blob[42];
	if (len > UVM_MINISIGN_PUB_MAX_SIZE)
		return uvm_errorf(err, -EINVAL, "minisign public key: too large");
	int n = split_lines(buf, len, l, 2, true);
	if (n != 2 || !has_prefix(&l[0], UNTRUSTED))
		return uvm_errorf(err, -EINVAL,
				  "minisign public key: expected an untrusted "
				  "comment line and a base64 key line");
	if (decode_line(&l[1], blob, sizeof(blob)) < 0)
		return uvm_errorf(err, -EINVAL,
				  "minisign public key: the key line is not base64 "
				  "of 42 bytes");
	if (memcmp(blob, "Ed", 2))
		return uvm_errorf(err, -EINVAL,
				  "minisign public key: algorithm is not Ed");
	memcpy(ret->keynum, blob + 2, 8);
	memcpy(ret->pk, blob + 10, 32);
	return 0;
}

int uvm_minisign_sign(EVP_PKEY *key, const void *data, size_t len,
		      const char *trusted_comment, char **ret,
		      struct uvm_error *err)
{
	uint8_t blob[74] = { 'E', 'd' }, global[64];
	char id[17];
	size_t tc_len = strlen(trusted_comment);
	if (uvm_key_kind(key) != UVM_KEY_ED25519)
		return uvm_errorf(err, -EINVAL, "the SUMS key must be Ed25519");
	if (strchr(trusted_comment, '\n') || strchr(trusted_comment, '\r') ||
	    tc_len > 1024)
		return uvm_errorf(err, -EINVAL,
				  "trusted comment: one line of at most 1024 bytes");
	if (uvm_minisign_keynum(key, blob + 2) < 0 ||
	    ed25519_sign(key, data, len, blob + 10) < 0)
		return uvm_errorf(err, -EIO, "Ed25519 signing failed");
	_cleanup_free_ uint8_t *msg = malloc(64 + tc_len);
	if (!msg)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	memcpy(msg, blob + 10, 64);
	memcpy(msg + 64, trusted_comment, tc_len);
	if (ed25519_sign(key, msg, 64 + tc_len, global) < 0)
		return uvm_errorf(err, -EIO, "Ed25519 signing failed");
	uvm_minisign_keynum_format(blob + 2, id);
	_cleanup_free_ char *b1 = uvm_base64_encode(blob, sizeof(blob));
	_cleanup_free_ char *b2 = uvm_base64_encode(global, sizeof(global));
	if (!b1 || !b2 ||
	    asprintf(ret, UNTRUSTED "signature from uvmkit key %s\n%s\n" TRUSTED "%s\n%s\n",
		     id, b1, trusted_comment, b2) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	return 0;
}

int uvm_minisig_parse(const void *buf, size_t len, struct uvm_minisig *ret,
		      struct uvm_error *err)
{
	struct line l[4];
	uint8_t blob[74];
	if (len > UVM_MINISIG_MAX_SIZE)
		return uvm_errorf(err, -EINVAL, "minisig: larger than %d bytes",
				  UVM_MINISIG_MAX_SIZE);
	int n = split_lines(buf, len, l, 4, false);
	if (n != 4)
		return uvm_errorf(err, -EINVAL,
				  "minisig: expected exactly 4 newline-terminated lines");
	if (!has_prefix(&l[0], UNTRUSTED))
		return uvm_errorf(err, -EINVAL,
				  "minisig: line 1 is not an untrusted comment");
	if (decode_line(&l[1], blob, sizeof(blob)) < 0)
		return uvm_errorf(err, -EINVAL,
				  "minisig: line 2 is not base64 of 74 bytes");
	if (memcmp(blob, "Ed", 2) && memcmp(blob, "ED", 2))
		return uvm_errorf(err, -EINVAL,
				  "minisig: unknown signature algorithm '%.2s'",
				  (const char *)blob);
	if (!has_prefix(&l[2], TRUSTED))
		return uvm_errorf(err, -EINVAL,
				  "minisig: line 3 is not a trusted comment");
	if (decode_line(&l[3], ret->global_sig, 64) < 0)
		return uvm_errorf(err, -EINVAL,
				  "minisig: line 4 is not base64 of 64 bytes");
	size_t tc = l[2].len - strlen(TRUSTED);
	if (tc >= sizeof(ret->trusted_comment))
		return uvm_errorf(err, -EINVAL, "minisig: trusted comment too long");
	memcpy(ret->alg, blob, 2);
	ret->alg[2] = 0;
	memcpy(ret->keynum, blob + 2, 8);
	memcpy(ret->sig, blob + 10, 64);
	memcpy(ret->trusted_comment, l[2].p + strlen(TRUSTED), tc);
	ret->trusted_comment[tc] = 0;
	return 0;
}

int uvm_minisign_verify(const struct uvm_minisign_pubkey *pk, const void *data,
			size_t len, const void *sigbuf, size_t sig_len,
			char **ret_comment, struct uvm_error *err)
{
	_cleanup_free_ struct uvm_minisig *s = malloc(sizeof(*s));
	if (!s)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = uvm_minisig_parse(sigbuf, sig_len, s, err);
	if (r < 0)
		return r;
	if (memcmp(s->keynum, pk->keynum, 8)) {
		char a[17], b[17];
		uvm_minisign_keynum_format(s->keynum, a);
		uvm_minisign_keynum_format(pk->keynum, b);
		return uvm_errorf(err, -EKEYREJECTED,
				  "signed by key %s, not by the pinned key %s", a, b);
	}
	if (!strcmp(s->alg, "ED")) {
		uint8_t h[64];
		unsigned int hl = sizeof(h);
		if (!EVP_Digest(data, len, h, &hl, EVP_blake2b512(), NULL) || hl != 64)
			return uvm_errorf(err, -EIO, "BLAKE2b-512 failed");
		r = uvm_ed25519_verify_raw(pk->pk, h, sizeof(h), s->sig);
	} else {
		r = uvm_ed25519_verify_raw(pk->pk, data, len, s->sig);
	}
	if (r < 0)
		return uvm_errorf(err, r, "signature verification failed");
	size_t tc = strlen(s->trusted_comment);
	_cleanup_free_ uint8_t *msg = malloc(64 + tc);
	if (!msg)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	memcpy(msg, s->sig, 64);
	memcpy(msg + 64, s->trusted_comment, tc);
	r = uvm_ed25519_verify_raw(pk->pk, msg, 64 + tc, s->global_sig);
	if (r < 0)
		return uvm_errorf(err, r, "trusted comment signature verification failed");
	if (ret_comment && !(*ret_comment = strdup(s->trusted_comment)))
		return uvm_errorf(err, -ENOMEM, "out of memory");
	return 0;
}
