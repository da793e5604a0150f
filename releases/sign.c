/* sign.c — sign a release directory (sign.h): one function that reads the
 * keys and the manifest, checks the manifest against the files, and writes
 * the five signature files through the format modules (dsse, sums,
 * minisign). Each output is atomic on its own; a failure part way leaves
 * earlier outputs complete and later ones absent, never a partial file. */
#include "sign.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/fileio.h"
#include "../common/hash.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "dsse.h"
#include "keys.h"
#include "manifest.h"
#include "minisign.h"
#include "sums.h"

static char *path_join(const char *dir, const char *name)
{
	char *p;
	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

static int load_key(const char *keydir, const char *name, bool private,
		    EVP_PKEY **ret, struct uvm_error *err)
{
	_cleanup_free_ char *p = path_join(keydir, name);
	if (!p)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	return private ? uvm_key_load_private(p, ret, err)
		       : uvm_key_load_public(p, ret, err);
}

/* If KEYDIR has the public halves, they must match the private keys. */
static int check_public_halves(const char *keydir, EVP_PKEY *dsse,
			       EVP_PKEY *sums, struct uvm_error *err)
{
	_cleanup_free_ char *pp = path_join(keydir, UVM_KEY_DSSE_PUBLIC);
	_cleanup_free_ char *mp = path_join(keydir, UVM_KEY_SUMS_PUBLIC);
	struct stat st;
	int r;
	if (!pp || !mp)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (stat(pp, &st) == 0) {
		_cleanup_evp_pkey_ EVP_PKEY *pub = NULL;
		if ((r = uvm_key_load_public(pp, &pub, err)) < 0)
			return r;
		if (EVP_PKEY_eq(pub, dsse) != 1)
			return uvm_errorf(err, -EKEYREJECTED,
					  "%s does not belong to %s", pp,
					  UVM_KEY_DSSE_PRIVATE);
	}
	if (stat(mp, &st) == 0) {
		_cleanup_free_ uint8_t *buf = NULL;
		size_t len;
		struct uvm_minisign_pubkey pk;
		uint8_t keynum[8], raw[32];
		size_t rl = sizeof(raw);
		if ((r = uvm_read_file(mp, UVM_MINISIGN_PUB_MAX_SIZE, &buf, &len, err)) < 0)
			return r;
		if ((r = uvm_minisign_pubkey_parse(buf, len, &pk, err)) < 0)
			return uvm_error_prefix(err, r, "%s", mp);
		if (uvm_minisign_keynum(sums, keynum) < 0 ||
		    !EVP_PKEY_get_raw_public_key(sums, raw, &rl) ||
		    memcmp(keynum, pk.keynum, 8) || memcmp(raw, pk.pk, 32))
			return uvm_errorf(err, -EKEYREJECTED,
					  "%s does not belong to %s", mp,
					  UVM_KEY_SUMS_PRIVATE);
	}
	return 0;
}

/* Every subject must be a file in dir with the recorded digests. */
static int check_subjects(const char *dir, const struct uvm_manifest *m,
			  struct uvm_error *err)
{
	for (size_t i = 0; i < m->n_subjects; i++) {
		const struct uvm_subject *s = &m->subjects[i];
		uint8_t h256[UVM_SHA256_LEN], h384[UVM_SHA384_LEN];
		int r = uvm_subject_digests(dir, s->name, h256, h384, err);
		if (r < 0)
			return uvm_error_prefix(err, r, "manifest subject");
		if (memcmp(h256, s->sha256, sizeof(h256)) ||
		    memcmp(h384, s->sha384, sizeof(h384)))
			return uvm_errorf(err, -EBADMSG,
					  "%s/%s: does not match its digest in %s; "
					  "refusing to sign", dir, s->name,
					  UVM_MANIFEST_FILE);
	}
	return 0;
}

/* Write one output atomically and record it in files[]. */
static int emit(const char *dir, const char *name, const void *buf, size_t len,
		json_t *files, struct uvm_error *err)
{
	_cleanup_free_ char *p = path_join(dir, name);
	uint8_t h[UVM_SHA256_LEN];
	if (!p)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = uvm_write_file_atomic(p, buf, len, 0644, err);
	if (r < 0)
		return r;
	if (uvm_sha256(buf, len, h) < 0)
		return uvm_errorf(err, -EIO, "SHA-256 failed");
	_cleanup_json_ json_t *o = json_pack("{s:s}", "name", name);
	if (!o || uvm_json_set_hex(o, "sha256", h, sizeof(h)) < 0 ||
	    json_array_append(files, o) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	return 0;
}

static int sign_sums(const char *dir, const struct uvm_manifest *m,
		     EVP_PKEY *sums_key, int64_t ts, json_t *files,
		     json_t *report, struct uvm_error *err)
{
	static const enum uvm_sums_alg algs[] = { UVM_SUMS_SHA256, UVM_SUMS_SHA384 };
	for (size_t i = 0; i < ARRAY_SIZE(algs); i++) {
		const char *name = uvm_sums_file_name(algs[i]);
		_cleanup_free_ char *text = NULL, *sig = NULL, *tc = NULL,
				    *signame = NULL;
		size_t len;
		int r = uvm_sums_format(m->subjects, m->n_subjects, algs[i], &text, &len);
		if (r < 0)
			return uvm_errorf(err, r, "out of memory");
		if (asprintf(&tc, "timestamp:%" PRId64 "\tfile:%s", ts, name) < 0 ||
		    asprintf(&signame, "%s.minisig", name) < 0)
			return uvm_errorf(err, -ENOMEM, "out of memory");
		if ((r = uvm_minisign_sign(sums_key, text, len, tc, &sig, err)) < 0 ||
		    (r = emit(dir, name, text, len, files, err)) < 0 ||
		    (r = emit(dir, signame, sig, strlen(sig), files, err)) < 0)
			return r;
		if (i == 0 && json_object_set_new(report, "trusted_comment",
						  json_string(tc)) < 0)
			return uvm_errorf(err, -ENOMEM, "out of memory");
	}
	return 0;
}

int uvm_release_sign(const char *dir, const struct uvm_sign_opts *o,
		     json_t **ret_report, struct uvm_error *err)
{
	_cleanup_evp_pkey_ EVP_PKEY *dsse = NULL, *sums = NULL;
	_cleanup_manifest_ struct uvm_manifest *m = NULL;
	_cleanup_free_ uint8_t *mbytes = NULL;
	_cleanup_free_ char *mpath = path_join(dir, UVM_MANIFEST_FILE);
	size_t mlen;
	bool created = false;
	struct stat st;
	int r;

	if (!mpath)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (stat(dir, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", dir);
	if (!S_ISDIR(st.st_mode))
		return uvm_errorf(err, -ENOTDIR, "%s: not a directory", dir);
	if ((r = load_key(o->keydir, UVM_KEY_DSSE_PRIVATE, true, &dsse, err)) < 0 ||
	    (r = load_key(o->keydir, UVM_KEY_SUMS_PRIVATE, true, &sums, err)) < 0)
		return r;
	if (uvm_key_kind(dsse) != UVM_KEY_P256)
		return uvm_errorf(err, -EOPNOTSUPP,
				  "%s/%s is an %s key; the DSSE key must be ECDSA "
				  "P-256 (specs/signing.md: P-384 breaks sigstore-js)",
				  o->keydir, UVM_KEY_DSSE_PRIVATE,
				  uvm_key_kind_name(uvm_key_kind(dsse)));
	if (uvm_key_kind(sums) != UVM_KEY_ED25519)
		return uvm_errorf(err, -EOPNOTSUPP,
				  "%s/%s is an %s key; the SUMS key must be Ed25519",
				  o->keydir, UVM_KEY_SUMS_PRIVATE,
				  uvm_key_kind_name(uvm_key_kind(sums)));
	if ((r = check_public_halves(o->keydir, dsse, sums, err)) < 0)
		return r;

	if (lstat(mpath, &st) < 0 && errno == ENOENT && o->create_manifest) {
		_cleanup_json_ json_t *pred =
			uvm_predicate_empty(o->tool_version ? o->tool_version : "unknown");
		if (!pred)
			return uvm_errorf(err, -ENOMEM, "out of memory");
		r = uvm_manifest_write(dir, NULL, 0, UVM_PREDICATE_TYPE, pred, NULL, err);
		if (r < 0)
			return r;
		created = true;
	}
	/* A manifest made just now was hashed from the files a moment ago;
	 * re-hashing (a multi-GB disk image) would double the work. */
	if ((r = uvm_manifest_load(dir, &m, &mbytes, &mlen, err)) < 0 ||
	    (!created && (r = check_subjects(dir, m, err)) < 0))
		return r;

	int64_t ts = o->timestamp;
	json_t *epoch = json_object_get(m->predicate, "epoch");
	if (ts < 0 && json_is_integer(epoch) && json_integer_value(epoch) >= 0)
		ts = json_integer_value(epoch);
	if (ts < 0)
		ts = o->fallback_timestamp;

	char keyid[UVM_KEYID_HEX_LEN + 1], msid[17];
	uint8_t keynum[8], mh[UVM_SHA256_LEN];
	if (uvm_keyid(dsse, keyid) < 0 || uvm_minisign_keynum(sums, keynum) < 0 ||
	    uvm_sha256(mbytes, mlen, mh) < 0)
		return uvm_errorf(err, -EIO, "cannot compute key ids");
	uvm_minisign_keynum_format(keynum, msid);

	_cleanup_json_ json_t *files = json_array();
	_cleanup_json_ json_t *report = json_object();
	_cleanup_json_ json_t *mj = json_pack(
		"{s:s, s:b, s:I, s:s}", "file", UVM_MANIFEST_FILE, "created", created,
		"subjects", (json_int_t)m->n_subjects, "predicate_type",
		m->predicate_type);
	if (!files || !report || !mj || uvm_json_set_hex(mj, "sha256", mh, sizeof(mh)) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");

	_cleanup_free_ char *env = NULL, *bundle = NULL;
	if ((r = uvm_dsse_sign(dsse, UVM_INTOTO_PAYLOAD_TYPE, mbytes, mlen, &env,
			       &bundle, err)) < 0 ||
	    (r = emit(dir, "manifest.dsse.json", env, strlen(env), files, err)) < 0 ||
	    (r = emit(dir, "manifest.sigstore.json", bundle, strlen(bundle), files,
		      err)) < 0)
		return r;
	if (json_object_set_new(report, "directory", json_string(dir)) < 0 ||
	    json_object_set(report, "manifest", mj) < 0 ||
	    json_object_set_new(report, "dsse_keyid", json_string(keyid)) < 0 ||
	    json_object_set_new(report, "dsse_key_type",
				json_string(uvm_key_kind_name(UVM_KEY_P256))) < 0 ||
	    json_object_set_new(report, "minisign_keyid", json_string(msid)) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if ((r = sign_sums(dir, m, sums, ts, files, report, err)) < 0)
		return r;
	if (json_object_set(report, "files", files) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (ret_report)
		*ret_report = TAKE_PTR(report);
	return 0;
}
