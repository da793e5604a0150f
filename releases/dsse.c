/* dsse.c — DSSE PAE, envelopes and Sigstore bundles on OpenSSL (dsse.h). */
#include "dsse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "../common/canonjson.h"
#include "../common/hex.h"
#include "../common/json.h"

DEFINE_PTR_CLEANUP(md_ctx, EVP_MD_CTX, EVP_MD_CTX_free)

void uvm_dsse_free(struct uvm_dsse *d)
{
	if (!d)
		return;
	free(d->payload_type);
	free(d->payload);
	free(d->keyid);
	free(d->sig);
	free(d->hint);
	free(d);
}

int uvm_dsse_pae(const char *type, const void *body, size_t len, uint8_t **ret,
		 size_t *ret_len)
{
	size_t tl = strlen(type);
	char head[96];
	int hn = snprintf(head, sizeof(head), "DSSEv1 %zu ", tl);
	char mid[32];
	int mn = snprintf(mid, sizeof(mid), " %zu ", len);
	size_t total;
	if (ADD_OVERFLOW((size_t)hn + tl + (size_t)mn, len, &total))
		return -EOVERFLOW;
	uint8_t *p = malloc(total ? total : 1);
	if (!p)
		return -ENOMEM;
	uint8_t *q = p;
	memcpy(q, head, (size_t)hn), q += hn;
	memcpy(q, type, tl), q += tl;
	memcpy(q, mid, (size_t)mn), q += mn;
	if (len)
		memcpy(q, body, len);
	*ret = p;
	*ret_len = total;
	return 0;
}

static int pkey_sign(EVP_PKEY *key, enum uvm_key_kind kind, const uint8_t *msg,
		     size_t len, uint8_t **ret, size_t *ret_len)
{
	_cleanup_(cleanup_md_ctx) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = 0;
	const EVP_MD *md = kind == UVM_KEY_P256 ? EVP_sha256() : NULL;
	if (!ctx || EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, msg, len) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	_cleanup_free_ uint8_t *sig = malloc(n);
	if (!sig)
		return -ENOMEM;
	if (EVP_DigestSign(ctx, sig, &n, msg, len) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	*ret = TAKE_PTR(sig);
	*ret_len = n;
	return 0;
}

static int to_text(json_t *j, char **ret, struct uvm_error *err)
{
	_cleanup_free_ char *s = NULL;
	size_t n;
	int r = uvm_canon_json(j, &s, &n, err);
	if (r < 0)
		return r;
	char *t = realloc(s, n + 2);
	if (!t)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	s = NULL;
	t[n] = '\n';
	t[n + 1] = 0;
	*ret = t;
	return 0;
}

int uvm_dsse_sign(EVP_PKEY *key, const char *payload_type, const void *payload,
		  size_t len, char **ret_env, char **ret_bundle,
		  struct uvm_error *err)
{
	enum uvm_key_kind kind = uvm_key_kind(key);
	char keyid[UVM_KEYID_HEX_LEN + 1];
	if (kind != UVM_KEY_P256 && kind != UVM_KEY_ED25519)
		return uvm_errorf(err, -EOPNOTSUPP,
				  "DSSE signing key is %s; uvmkit signs with ECDSA "
				  "P-256 (or Ed25519) only", uvm_key_kind_name(kind));
	if (uvm_keyid(key, keyid) < 0)
		return uvm_errorf(err, -EIO, "cannot compute the key id");
	_cleanup_free_ uint8_t *pae = NULL, *sig = NULL;
	size_t pae_len, sig_len;
	int r = uvm_dsse_pae(payload_type, payload, len, &pae, &pae_len);
	if (r < 0)
		return uvm_errorf(err, r, "cannot build the PAE");
	r = pkey_sign(key, kind, pae, pae_len, &sig, &sig_len);
	if (r < 0)
		return uvm_errorf(err, r, "%s signing failed", uvm_key_kind_name(kind));
	_cleanup_free_ char *b64p = uvm_base64_encode(payload, len);
	_cleanup_free_ char *b64s = uvm_base64_encode(sig, sig_len);
	if (!b64p || !b64s)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	_cleanup_json_ json_t *env = json_pack(
		"{s:s, s:s, s:[{s:s, s:s}]}", "payload", b64p, "payloadType",
		payload_type, "signatures", "keyid", keyid, "sig", b64s);
	_cleanup_json_ json_t *bundle = json_pack(
		"{s:s, s:{s:{s:s}, s:[]}, s:O}", "mediaType", UVM_SIGSTORE_BUNDLE_V03,
		"verificationMaterial", "publicKey", "hint", keyid, "tlogEntries",
		"dsseEnvelope", env);
	if (!env || !bundle)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	_cleanup_free_ char *e = NULL, *b = NULL;
	if ((r = to_text(env, &e, err)) < 0 || (r = to_text(bundle, &b, err)) < 0)
		return r;
	*ret_env = TAKE_PTR(e);
	*ret_bundle = TAKE_PTR(b);
	return 0;
}

/* Decode standard or URL-safe base64, padded or not. */
static int b64_decode_lenient(const char *in, uint8_t **ret, size_t *ret_len)
{
	size_t n = strlen(in);
	if (n % 4 == 1 || n > UVM_DSSE_MAX_SIZE)
		return -EINVAL;
	_cleanup_free_ char *t = malloc(n + 4);
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		t[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	while (n % 4)
		t[n++] = '=';
	t[n] = 0;
	return uvm_base64_decode(t, ret, ret_len);
}

static int parse_envelope_json(const json_t *env, const char *what,
			       struct uvm_dsse *d, struct uvm_error *err)
{
	if (!json_is_object(env))
		return uvm_errorf(err, -EINVAL, "%s: not a JSON object", what);
	json_t *payload = json_object_get(env, "payload");
	json_t *type = json_object_get(env, "payloadType");
	json_t *sigs = json_object_get(env, "signatures");
	if (!json_is_string(payload) || !json_is_string(type))
		return uvm_errorf(err, -EINVAL,
				  "%s: payload and payloadType must be strings", what);
	if (!json_is_array(sigs))
		return uvm_errorf(err, -EINVAL, "%s: signatures must be an array", what);
	if (json_array_size(sigs) != 1)
		return uvm_errorf(err, -EINVAL,
				  "%s: %zu signatures; exactly one is expected", what,
				  json_array_size(sigs));
	json_t *s = json_array_get(sigs, 0);
	json_t *sig = json_object_get(s, "sig");
	json_t *keyid = json_object_get(s, "keyid");
	if (!json_is_object(s) || !json_is_string(sig))
		return uvm_errorf(err, -EINVAL, "%s: signatures[0].sig must be a string",
				  what);
	if (keyid && !json_is_string(keyid))
		return uvm_errorf(err, -EINVAL,
				  "%s: signatures[0].keyid must be a string", what);
	if (b64_decode_lenient(json_string_value(payload), &d->payload,
			       &d->payload_len) < 0)
		return uvm_errorf(err, -EINVAL, "%s: payload is not valid base64", what);
	if (b64_decode_lenient(json_string_value(sig), &d->sig, &d->sig_len) < 0 ||
	    d->sig_len == 0 || d->sig_len > 512)
		return uvm_errorf(err, -EINVAL,
				  "%s: signature is not valid base64 of 1..512 bytes",
				  what);
	if (!(d->payload_type = strdup(json_string_value(type))))
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (keyid && json_string_length(keyid) &&
	    !(d->keyid = strdup(json_string_value(keyid))))
		return uvm_errorf(err, -ENOMEM, "out of memory");
	return 0;
}

static json_t *load_json(const void *buf, size_t len, const char *what,
			 struct uvm_error *err)
{
	json_error_t je;
	if (len > UVM_DSSE_MAX_SIZE) {
		uvm_errorf(err, -EFBIG, "%s: larger than %u bytes", what,
			   UVM_DSSE_MAX_SIZE);
		return NULL;
	}
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		uvm_errorf(err, -EINVAL, "%s: invalid JSON at byte %d: %s", what,
			   je.position, je.text);
	return j;
}

int uvm_dsse_parse_envelope(const void *buf, size_t len, struct uvm_dsse **ret,
			    struct uvm_error *err)
{
	_cleanup_json_ json_t *j = load_json(buf, len, "DSSE envelope", err);
	if (!j)
		return err && err->code ? err->code : -EINVAL;
	_cleanup_dsse_ struct uvm_dsse *d = calloc(1, sizeof(*d));
	if (!d)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = parse_envelope_json(j, "DSSE envelope", d, err);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(d);
	return 0;
}

int uvm_dsse_parse_bundle(const void *buf, size_t len, struct uvm_dsse **ret,
			  struct uvm_error *err)
{
	_cleanup_json_ json_t *j = load_json(buf, len, "Sigstore bundle", err);
	if (!j)
		return err && err->code ? err->code : -EINVAL;
	if (!json_is_object(j))
		return uvm_errorf(err, -EINVAL, "Sigstore bundle: not a JSON object");
	json_t *mt = json_object_get(j, "mediaType");
	if (!json_is_string(mt) || strcmp(json_string_value(mt), UVM_SIGSTORE_BUNDLE_V03))
		return uvm_errorf(err, -EINVAL,
				  "Sigstore bundle: mediaType is not %s",
				  UVM_SIGSTORE_BUNDLE_V03);
	json_t *vm = json_object_get(j, "verificationMaterial");
	json_t *pk = json_object_get(vm, "publicKey");
	json_t *hint = json_object_get(pk, "hint");
	json_t *tlog = json_object_get(vm, "tlogEntries");
	if (!json_is_object(vm) || !json_is_object(pk) || !json_is_string(hint))
		return uvm_errorf(err, -EINVAL,
				  "Sigstore bundle: verificationMaterial.publicKey.hint "
				  "missing (uvmkit bundles carry a public-key hint)");
	if (tlog && !(json_is_array(tlog) && json_array_size(tlog) == 0))
		return uvm_errorf(err, -EINVAL,
				  "Sigstore bundle: tlogEntries is not an empty array "
				  "(transparency-log entries are not supported)");
	json_t *env = json_object_get(j, "dsseEnvelope");
	if (!env)
		return uvm_errorf(err, -EINVAL, "Sigstore bundle: no dsseEnvelope");
	_cleanup_dsse_ struct uvm_dsse *d = calloc(1, sizeof(*d));
	if (!d)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = parse_envelope_json(env, "Sigstore bundle: dsseEnvelope", d, err);
	if (r < 0)
		return r;
	if (!(d->hint = strdup(json_string_value(hint))))
		return uvm_errorf(err, -ENOMEM, "out of memory");
	*ret = TAKE_PTR(d);
	return 0;
}

int uvm_dsse_verify(const struct uvm_dsse *d, EVP_PKEY *pub,
		    const char *expected_type, struct uvm_error *err)
{
	enum uvm_key_kind kind = uvm_key_kind(pub);
	char keyid[UVM_KEYID_HEX_LEN + 1];
	if (kind == UVM_KEY_P384)
		return uvm_errorf(err, -EOPNOTSUPP,
				  "ECDSA P-384 keys are not supported for DSSE "
				  "(sigstore-js verifies EC signatures over SHA-256 "
				  "only); use P-256");
	if (kind != UVM_KEY_P256 && kind != UVM_KEY_ED25519)
		return uvm_errorf(err, -EOPNOTSUPP,
				  "unsupported public key type (ECDSA P-256 or Ed25519)");
	if (expected_type && strcmp(d->payload_type, expected_type))
		return uvm_errorf(err, -EINVAL, "payloadType is \"%s\", not \"%s\"",
				  d->payload_type, expected_type);
	if (uvm_keyid(pub, keyid) < 0)
		return uvm_errorf(err, -EIO, "cannot compute the key id");
	if (d->hint && strcmp(d->hint, keyid))
		return uvm_errorf(err, -EKEYREJECTED,
				  "publicKey.hint %s is not the pinned key %s",
				  d->hint, keyid);
	if (d->keyid && strcmp(d->keyid, keyid))
		return uvm_errorf(err, -EKEYREJECTED,
				  "signature keyid %s is not the pinned key %s",
				  d->keyid, keyid);
	_cleanup_free_ uint8_t *pae = NULL;
	size_t pae_len;
	int r = uvm_dsse_pae(d->payload_type, d->payload, d->payload_len, &pae,
			     &pae_len);
	if (r < 0)
		return uvm_errorf(err, r, "cannot build the PAE");
	_cleanup_(cleanup_md_ctx) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	const EVP_MD *md = kind == UVM_KEY_P256 ? EVP_sha256() : NULL;
	int ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
		 EVP_DigestVerify(ctx, d->sig, d->sig_len, pae, pae_len) == 1;
	ERR_clear_error();
	if (!ok)
		return uvm_errorf(err, -EBADMSG,
				  "%s signature does not verify with key %s",
				  uvm_key_kind_name(kind), keyid);
	return 0;
}
