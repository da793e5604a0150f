/* verify.c — verify a release directory offline (verify.h).
 *
 * Every check appends one entry to the report and carries on, so that an
 * auditor sees all that is wrong at once; the result is "ok" only when no
 * check failed. Trust flows from the pinned public keys: the envelopes must
 * verify, the manifest file must be exactly their payload, and only then do
 * its subjects say anything about the files. */
#include "verify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/fileio.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "dsse.h"
#include "keys.h"
#include "manifest.h"
#include "minisign.h"
#include "sums.h"

struct ctx {
	const char *dir;
	json_t *checks;
	int failed, skipped;
	int oom;
};

static char *path_join(const char *dir, const char *name)
{
	char *p;
	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

enum status { OK, FAIL, SKIP };

static void add(struct ctx *c, const char *check, const char *file,
		enum status st, const char *fmt, ...) _printf_(5, 6);

static void add(struct ctx *c, const char *check, const char *file,
		enum status st, const char *fmt, ...)
{
	static const char *const names[] = { "ok", "fail", "skip" };
	char msg[1200] = "";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "check", check, "file", file,
			      "status", names[st], "message", msg);
	if (!o || json_array_append_new(c->checks, o) < 0)
		c->oom = 1;
	c->failed += st == FAIL;
	c->skipped += st == SKIP;
}

/* Read DIR/name; on failure record a failed check and return NULL. */
static uint8_t *read_in(struct ctx *c, const char *check, const char *name,
			size_t max, size_t *len)
{
	_cleanup_free_ char *p = path_join(c->dir, name);
	struct uvm_error e = {};
	uint8_t *buf = NULL;
	struct stat st;
	if (!p) {
		c->oom = 1;
		return NULL;
	}
	/* Only regular files: opening a planted FIFO would block for ever. */
	if (lstat(p, &st) < 0) {
		add(c, check, name, FAIL, "%s: %s", p, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		add(c, check, name, FAIL, "%s: not a regular file", p);
		return NULL;
	}
	if (uvm_read_file(p, max, &buf, len, &e) < 0) {
		add(c, check, name, FAIL, "%s", e.msg);
		return NULL;
	}
	return buf;
}

/* Verify one envelope file; on success *ret is its parsed envelope. */
static void check_envelope(struct ctx *c, const char *check, const char *name,
			   bool bundle, EVP_PKEY *pub, struct uvm_dsse **ret)
{
	size_t len;
	_cleanup_free_ uint8_t *buf = read_in(c, check, name, UVM_DSSE_MAX_SIZE, &len);
	_cleanup_dsse_ struct uvm_dsse *d = NULL;
	struct uvm_error e = {};
	if (!buf)
		return;
	int r = bundle ? uvm_dsse_parse_bundle(buf, len, &d, &e)
		       : uvm_dsse_parse_envelope(buf, len, &d, &e);
	if (r == 0)
		r = uvm_dsse_verify(d, pub, UVM_INTOTO_PAYLOAD_TYPE, &e);
	if (r < 0) {
		add(c, check, name, FAIL, "%s", e.msg);
		return;
	}
	add(c, check, name, OK, "%s signature over the PAE verifies",
	    uvm_key_kind_name(uvm_key_kind(pub)));
	*ret = TAKE_PTR(d);
}

static void check_minisig(struct ctx *c, const char *sums_name,
			  const struct uvm_minisign_pubkey *pk, bool required)
{
	char signame[32];
	snprintf(signame, sizeof(signame), "%s.minisig", sums_name);
	_cleanup_free_ char *sp = path_join(c->dir, signame);
	if (!sp) {
		c->oom = 1;
		return;
	}
	if (!required && access(sp, F_OK) < 0) {
		add(c, "sums-signature", signame, SKIP, "not present");
		return;
	}
	size_t slen, dlen;
	_cleanup_free_ uint8_t *sig = read_in(c, "sums-signature", signame,
					      UVM_MINISIG_MAX_SIZE, &slen);
	_cleanup_free_ uint8_t *data = sig ? read_in(c, "sums-signature", sums_name,
						     UVM_SUMS_MAX_SIZE, &dlen)
					   : NULL;
	_cleanup_free_ char *comment = NULL;
	struct uvm_error e = {};
	if (!sig || !data)
		return;
	if (uvm_minisign_verify(pk, data, dlen, sig, slen, &comment, &e) < 0)
		add(c, "sums-signature", signame, FAIL, "%s", e.msg);
	else
		add(c, "sums-signature", signame, OK,
		    "Ed25519 signature and trusted comment verify (%s)", comment);
}

static void check_sums(struct ctx *c, const struct uvm_manifest *m,
		       enum uvm_sums_alg alg)
{
	const char *name = uvm_sums_file_name(alg);
	size_t len, n = 0, dl = alg == UVM_SUMS_SHA256 ? UVM_SHA256_LEN : UVM_SHA384_LEN;
	_cleanup_free_ uint8_t *buf = read_in(c, "sums", name, UVM_SUMS_MAX_SIZE, &len);
	struct uvm_sums_entry *e = NULL;
	struct uvm_error err = {};
	if (!buf)
		return;
	if (uvm_sums_parse(buf, len, alg, &e, &n, &err) < 0) {
		add(c, "sums", name, FAIL, "%s", err.msg);
		return;
	}
	int bad = 0;
	for (size_t i = 0; i < n && !bad; i++) {
		const struct uvm_subject *s = uvm_subject_find(m->subjects, m->n_subjects,
							       e[i].name);
		if (!s) {
			add(c, "sums", name, FAIL, "lists '%s', which is not a manifest subject",
			    e[i].name);
			bad = 1;
		} else if (memcmp(e[i].digest, alg == UVM_SUMS_SHA256 ? s->sha256 : s->sha384,
				  dl)) {
			add(c, "sums", name, FAIL, "digest of '%s' differs from the manifest's",
			    e[i].name);
			bad = 1;
		}
	}
	if (!bad && n != m->n_subjects)
		add(c, "sums", name, FAIL, "%zu entries for %zu manifest subjects", n,
		    m->n_subjects), bad = 1;
	if (!bad)
		add(c, "sums", name, OK, "%zu entries match the manifest", n);
	uvm_sums_free(e, n);
}

static void check_subject(struct ctx *c, const struct uvm_subject *s)
{
	uint8_t h256[UVM_SHA256_LEN], h384[UVM_SHA384_LEN];
	char want[2 * UVM_SHA384_LEN + 1], got[2 * UVM_SHA384_LEN + 1];
	struct uvm_error e = {};
	if (uvm_subject_digests(c->dir, s->name, h256, h384, &e) < 0) {
		add(c, "subject", s->name, FAIL, "%s", e.msg);
		return;
	}
	if (memcmp(h256, s->sha256, sizeof(h256))) {
		uvm_hex_encode(s->sha256, sizeof(h256), want);
		uvm_hex_encode(h256, sizeof(h256), got);
		add(c, "subject", s->name, FAIL, "sha256 is %s, the manifest says %s",
		    got, want);
	} else if (memcmp(h384, s->sha384, sizeof(h384))) {
		uvm_hex_encode(s->sha384, sizeof(h384), want);
		uvm_hex_encode(h384, sizeof(h384), got);
		add(c, "subject", s->name, FAIL, "sha384 is %s, the manifest says %s",
		    got, want);
	} else {
		add(c, "subject", s->name, OK, "sha256 and sha384 match");
	}
}

static void check_launch_digests(struct ctx *c, const struct uvm_manifest *m,
				 const struct uvm_verify_opts *o)
{
	if (!m->uvmkit_predicate) {
		add(c, "launch-digest", UVM_MANIFEST_FILE, SKIP,
		    "predicate type %s is not uvmkit's: no launch digests to re-derive",
		    m->predicate_type);
		return;
	}
	size_t i;
	json_t *entry;
	json_array_foreach(json_object_get(m->predicate, "launch_digests"), i, entry) {
		char what[160];
		const char *want = json_string_value(json_object_get(entry, "launch_digest"));
		snprintf(what, sizeof(what), "launch_digests[%zu] (%" JSON_INTEGER_FORMAT
			 " vCPU %s %s)", i,
			 json_integer_value(json_object_get(entry, "vcpus")),
			 json_string_value(json_object_get(entry, "vcpu_type")),
			 json_string_value(json_object_get(entry, "vmm_type")));
		/* Without a callback (library callers that cannot measure) the
		 * digests are reported as skipped, never as verified; the CLI
		 * always passes measure/rederive.c's. */
		if (!o->launch_digest) {
			add(c, "launch-digest", what, SKIP,
			    "not re-derived: this uvmkit has no launch digest "
			    "calculator wired in");
			continue;
		}
		uint8_t d[UVM_SHA384_LEN];
		char got[2 * UVM_SHA384_LEN + 1];
		struct uvm_error e = {};
		if (o->launch_digest(o->userdata, c->dir, m->predicate, entry, d, &e) < 0) {
			add(c, "launch-digest", what, FAIL, "cannot re-derive: %s", e.msg);
			continue;
		}
		uvm_hex_encode(d, sizeof(d), got);
		if (strcmp(got, want))
			add(c, "launch-digest", what, FAIL,
			    "re-derived %s, the manifest says %s", got, want);
		else
			add(c, "launch-digest", what, OK, "re-derived %s", got);
	}
}

static bool same_payload(const struct uvm_dsse *d, const uint8_t *buf, size_t len)
{
	return d && d->payload_len == len && !memcmp(d->payload, buf, len);
}

int uvm_release_verify(const char *dir, const struct uvm_verify_opts *o,
		       json_t **ret_report, struct uvm_error *err)
{
	_cleanup_free_ char *pubpath = path_join(o->keydir, UVM_KEY_DSSE_PUBLIC);
	_cleanup_free_ char *mspath = path_join(o->keydir, UVM_KEY_SUMS_PUBLIC);
	_cleanup_evp_pkey_ EVP_PKEY *pub = NULL;
	_cleanup_free_ uint8_t *msbuf = NULL;
	size_t mslen;
	struct uvm_minisign_pubkey mspk;
	int r;

	if (!pubpath || !mspath)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if ((r = uvm_key_load_public(pubpath, &pub, err)) < 0 ||
	    (r = uvm_read_file(mspath, UVM_MINISIGN_PUB_MAX_SIZE, &msbuf, &mslen, err)) < 0)
		return r;
	if ((r = uvm_minisign_pubkey_parse(msbuf, mslen, &mspk, err)) < 0)
		return uvm_error_prefix(err, r, "%s", mspath);

	_cleanup_json_ json_t *checks = json_array();
	if (!checks)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	struct ctx c = { .dir = dir, .checks = checks };

	_cleanup_dsse_ struct uvm_dsse *env = NULL, *bundle = NULL;
	check_envelope(&c, "dsse-signature", "manifest.dsse.json", false, pub, &env);
	check_envelope(&c, "bundle-signature", "manifest.sigstore.json", true, pub,
		       &bundle);

	size_t mlen;
	_cleanup_free_ uint8_t *mbuf = read_in(&c, "manifest", UVM_MANIFEST_FILE,
					       UVM_MANIFEST_MAX_SIZE, &mlen);
	_cleanup_manifest_ struct uvm_manifest *m = NULL;
	struct uvm_error e = {};
	if (mbuf && uvm_manifest_parse(mbuf, mlen, &m, &e) < 0)
		add(&c, "manifest", UVM_MANIFEST_FILE, FAIL, "%s", e.msg);
	else if (mbuf && env && !same_payload(env, mbuf, mlen))
		add(&c, "manifest", UVM_MANIFEST_FILE, FAIL,
		    "differs from the signed payload of manifest.dsse.json");
	else if (mbuf && bundle && !same_payload(bundle, mbuf, mlen))
		add(&c, "manifest", UVM_MANIFEST_FILE, FAIL,
		    "differs from the signed payload of manifest.sigstore.json");
	else if (m && env && bundle)
		add(&c, "manifest", UVM_MANIFEST_FILE, OK,
		    "%zu subjects, predicate %s, signed", m->n_subjects,
		    m->predicate_type);
	else if (m)
		add(&c, "manifest", UVM_MANIFEST_FILE, FAIL,
		    "valid, but not covered by both a verified DSSE envelope "
		    "and a verified bundle");

	check_minisig(&c, "SHA256SUMS", &mspk, true);
	check_minisig(&c, "SHA384SUMS", &mspk, false);
	if (m) {
		check_sums(&c, m, UVM_SUMS_SHA256);
		check_sums(&c, m, UVM_SUMS_SHA384);
		for (size_t i = 0; i < m->n_subjects; i++)
			check_subject(&c, &m->subjects[i]);
		check_launch_digests(&c, m, o);
	}
	if (c.oom)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (ret_report) {
		json_t *rep = json_pack("{s:s, s:b, s:i, s:i, s:O}", "directory", dir,
					"ok", c.failed == 0, "failed", c.failed,
					"skipped", c.skipped, "checks", checks);
		if (!rep)
			return uvm_errorf(err, -ENOMEM, "out of memory");
		*ret_report = rep;
	}
	return c.failed;
}
