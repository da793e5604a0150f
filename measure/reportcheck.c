/* reportcheck.c — compare a (verified) SEV-SNP report with a release's
 * reference values and a relying party's policy. Each comparison becomes one
 * named check whose detail shows both sides, so an auditor can see why.
 *
 * A launch digest is worth only what vouches for it: with a release
 * directory, the release is verified first with its public keys (the same
 * checks as `uvmkit verify`, launch digests re-derived from the artifacts)
 * and MEASUREMENT is compared with the digests of the manifest that was
 * just verified. A bare measurements.json is compared too, but its check
 * says that nothing vouches for it. */
#include "reportcheck.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "common/hex.h"
#include "common/json.h"
#include "releases/manifest.h"
#include "releases/verify.h"
#include "rederive.h"

#define MANIFEST_MAX (16u << 20)
#define POLICY_FILE_MAX (64u << 20)

int snp_min_tcb_parse(const char *s, struct snp_min_tcb *ret,
		      struct uvm_error *err)
{
	struct snp_min_tcb t = { .fmc = -1, .bl = -1, .tee = -1, .snp = -1,
				 .ucode = -1 };
	uint8_t b[8];
	if (strlen(s) == 16 && uvm_hex_decode(s, b, 8) == 0) {
		t.is_raw = true;
		for (int i = 0; i < 8; i++)
			t.raw |= (uint64_t)b[i] << (8 * i);
		*ret = t;
		return 0;
	}
	const char *p = s;
	if (!*p)
		return uvm_errorf(err, -EINVAL, "--min-tcb: empty");
	while (*p) {
		static const struct {
			const char *name;
			size_t off;
		} f[] = {
			{ "fmc", offsetof(struct snp_min_tcb, fmc) },
			{ "bl", offsetof(struct snp_min_tcb, bl) },
			{ "tee", offsetof(struct snp_min_tcb, tee) },
			{ "snp", offsetof(struct snp_min_tcb, snp) },
			{ "ucode", offsetof(struct snp_min_tcb, ucode) },
		};
		size_t n = strcspn(p, "=");
		int which = -1;
		for (size_t i = 0; i < ARRAY_SIZE(f); i++)
			if (strlen(f[i].name) == n && !strncmp(p, f[i].name, n))
				which = (int)i;
		if (which < 0 || p[n] != '=')
			return uvm_errorf(err, -EINVAL,
					  "--min-tcb '%s': expected fmc=, bl=, "
					  "tee=, snp=, ucode= (comma-separated) or "
					  "16 hex digits",
					  s);
		char *end;
		errno = 0;
		unsigned long v = strtoul(p + n + 1, &end, 0);
		if (errno || end == p + n + 1 || v > 255 ||
		    (*end && (*end != ',' || !end[1])) || p[n + 1] == '-' ||
		    p[n + 1] == '+' || p[n + 1] == ' ')
			return uvm_errorf(err, -EINVAL,
					  "--min-tcb '%s': %.*s needs a number "
					  "0..255",
					  s, (int)n, p);
		*(int *)((char *)&t + f[which].off) = (int)v;
		p = *end ? end + 1 : end;
	}
	*ret = t;
	return 0;
}

/* The launch-digest array of a release file: "measurements" of
 * measurements.json, or "launch_digests" of the release predicate (in an
 * in-toto Statement under "predicate"). NULL if none. */
static json_t *digest_array(json_t *root)
{
	json_t *a = json_object_get(root, "measurements");
	if (!a)
		a = json_object_get(root, "launch_digests");
	if (!a)
		a = json_object_get(json_object_get(root, "predicate"),
				    "launch_digests");
	return json_is_array(a) ? a : NULL;
}

/* MEASUREMENT among the entries of arr (launch-digest objects), naming
 * every matching vCPU count / type / VMM / guest features. */
static void check_digests(const struct snp_report *r, const char *name,
			  json_t *arr, const char *what, struct snp_checks *out)
{
	char m[97], matches[400] = "";
	size_t l = 0, total = 0, nmatch = 0;
	uvm_hex_encode(r->measurement, 48, m);
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		const char *d = json_string_value(json_object_get(e, "launch_digest"));
		total++;
		if (!d || strcasecmp(d, m))
			continue;
		nmatch++;
		const char *vt = json_string_value(json_object_get(e, "vcpu_type"));
		const char *vmm = json_string_value(json_object_get(e, "vmm_type"));
		const char *gf = json_string_value(
			json_object_get(e, "guest_features"));
		json_t *vc = json_object_get(e, "vcpus");
		if (l < sizeof(matches))
			l += (size_t)snprintf(
				matches + l, sizeof(matches) - l,
				"%svcpus=%lld vcpu_type=%s vmm_type=%s%s%s",
				nmatch > 1 ? "; " : "",
				json_is_integer(vc) ? (long long)json_integer_value(vc)
						    : -1LL,
				vt ? vt : "?", vmm ? vmm : "?",
				gf ? " guest_features=" : "", gf ? gf : "");
	}
	if (nmatch)
		snp_checks_add(out, name, true,
			       "MEASUREMENT %s is a launch digest of %s: %s", m,
			       what, matches);
	else
		snp_checks_add(out, name, false,
			       "MEASUREMENT %s matches none of the %zu launch "
			       "digests in %s",
			       m, total, what);
}

/* Read and validate the release's launch digests: DIR/measurements.json,
 * else DIR/manifest.intoto.json; or the file itself when dir is a file. */
static int load_manifest(const char *dir, char **ret_path, json_t **ret,
			 struct uvm_error *err)
{
	static const char *const names[] = { "measurements.json",
					     "manifest.intoto.json" };
	_cleanup_free_ char *path = NULL;
	struct stat st;
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		path = strdup(dir);
	} else {
		/* The first name that exists; measurements.json in the error
		 * message when neither does. */
		for (size_t i = 0; i < ARRAY_SIZE(names) && !path; i++) {
			_cleanup_free_ char *p = NULL;
			if (asprintf(&p, "%s/%s", dir, names[i]) < 0)
				return uvm_errorf(err, -ENOMEM, "out of memory");
			if (access(p, F_OK) == 0)
				path = TAKE_PTR(p);
		}
		if (!path && asprintf(&path, "%s/%s", dir, names[0]) < 0)
			path = NULL;
	}
	if (!path)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = uvm_read_file(path, MANIFEST_MAX, &buf, &len, err);
	if (r < 0)
		return r;
	json_error_t je;
	_cleanup_json_ json_t *root =
		json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return uvm_errorf(err, -EBADMSG, "%s: line %d: %s", path,
				  je.line, je.text);
	json_t *arr = digest_array(root);
	if (!arr)
		return uvm_errorf(err, -EBADMSG,
				  "%s: no \"measurements\" (or \"launch_digests\") "
				  "array",
				  path);
	size_t i;
	json_t *e;
	uint8_t d[48];
	json_array_foreach(arr, i, e)
	{
		const char *s = json_string_value(json_object_get(e, "launch_digest"));
		if (!s || uvm_hex_decode(s, d, sizeof(d)) < 0)
			return uvm_errorf(err, -EBADMSG,
					  "%s: entry %zu: launch_digest is not "
					  "96 hex digits",
					  path, i);
	}
	*ret = TAKE_PTR(root);
	*ret_path = TAKE_PTR(path);
	return 0;
}

/* The release directory, verified with the public keys of keydir (as
 * `uvmkit verify` does), then MEASUREMENT against the launch digests of its
 * verified manifest. Returns 0 (the outcome is in the checks) or a negative
 * errno when verification cannot run (no keydir, a key missing). */
static int check_release(const struct snp_report *r, const char *dir,
			 const char *keydir, struct snp_checks *out,
			 struct uvm_error *err)
{
	if (!keydir)
		return uvm_errorf(err, -EINVAL,
				  "%s: a release is verified with its public "
				  "keys: give the key directory",
				  dir);
	struct uvm_verify_opts vo = {
		.keydir = keydir,
		.launch_digest = uvm_rederive_launch_digest,
	};
	_cleanup_json_ json_t *rep = NULL;
	int failed = uvm_release_verify(dir, &vo, &rep, err);
	if (failed < 0)
		return uvm_error_prefix(err, failed, "release %s", dir);

	/* One line: the counts, then each failed check (as many as fit). */
	char d[sizeof(((struct snp_check *)0)->detail)];
	size_t total = json_array_size(json_object_get(rep, "checks"));
	size_t ld = 0, l;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(rep, "checks"), i, c)
	{
		const char *ck = json_string_value(json_object_get(c, "check"));
		if (ck && !strcmp(ck, "launch-digest") &&
		    !strcmp(json_string_value(json_object_get(c, "status")), "ok"))
			ld++;
	}
	json_int_t skipped = json_integer_value(json_object_get(rep, "skipped"));
	if (failed == 0) {
		snp_checks_add(out, "release", true,
			       "%s verified with %s: %zu checks, none failed, %"
			       JSON_INTEGER_FORMAT " skipped (DSSE and Sigstore "
			       "signatures, SUMS and minisign, every artifact's "
			       "sha256 and sha384, %zu launch digest%s "
			       "re-derived)",
			       dir, keydir, total, skipped, ld,
			       ld == 1 ? "" : "s");
	} else {
		l = (size_t)snprintf(d, sizeof(d),
				     "%s does NOT verify with %s: %d of %zu "
				     "checks failed",
				     dir, keydir, failed, total);
		json_array_foreach(json_object_get(rep, "checks"), i, c)
		{
			if (l >= sizeof(d))
				break;
			if (strcmp(json_string_value(json_object_get(c, "status")),
				   "fail"))
				continue;
			l += (size_t)snprintf(
				d + l, sizeof(d) - l, "; %s %s: %s",
				json_string_value(json_object_get(c, "check")),
				json_string_value(json_object_get(c, "file")),
				json_string_value(json_object_get(c, "message")));
		}
		snp_checks_add(out, "release", false, "%s", d);
	}

	/* The digests of the manifest just verified (its bytes were checked
	 * against both signed envelopes). */
	struct uvm_error e = {};
	_cleanup_manifest_ struct uvm_manifest *m = NULL;
	char what[400];
	int dl = (int)MIN(strlen(dir), (size_t)300);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	snprintf(what, sizeof(what), "%.*s/%s", dl, dir, UVM_MANIFEST_FILE);
	if (uvm_manifest_load(dir, &m, NULL, NULL, &e) < 0)
		snp_checks_add(out, "manifest-measurement", false,
			       "no launch digests: %s", e.msg);
	else if (!m->uvmkit_predicate)
		snp_checks_add(out, "manifest-measurement", false,
			       "no launch digests: %s has predicate type %s, "
			       "not uvmkit's",
			       what, m->predicate_type);
	else
		check_digests(r, "manifest-measurement",
			      json_object_get(m->predicate, "launch_digests"),
			      what, out);
	return 0;
}

static void check_bytes(struct snp_checks *out, const char *name,
			const char *field, const uint8_t *got,
			const uint8_t *want, size_t len, const char *source)
{
	char g[129], w[129];
	uvm_hex_encode(got, len, g);
	uvm_hex_encode(want, len, w);
	bool eq = !memcmp(got, want, len);
	if (eq)
		snp_checks_add(out, name, true, "%s %s = %s", field, g, source);
	else
		snp_checks_add(out, name, false, "%s %s != %s %s", field, g,
			       source, w);
}

static void check_min_tcb(const struct snp_report *r, enum snp_product product,
			  const struct snp_min_tcb *m, struct snp_checks *out)
{
	struct snp_tcb t, mt;
	snp_tcb_decode(r->reported_tcb, product, &t);
	struct snp_min_tcb want = *m;
	if (m->is_raw) {
		snp_tcb_decode(m->raw, product, &mt);
		want.fmc = mt.has_fmc ? mt.fmc : -1;
		want.bl = mt.bl;
		want.tee = mt.tee;
		want.snp = mt.snp;
		want.ucode = mt.ucode;
	}
	struct {
		const char *name;
		int want, got;
		bool present;
	} f[] = {
		{ "fmc", want.fmc, t.fmc, t.has_fmc },
		{ "bl", want.bl, t.bl, true },
		{ "tee", want.tee, t.tee, true },
		{ "snp", want.snp, t.snp, true },
		{ "ucode", want.ucode, t.ucode, true },
	};
	char d[300];
	size_t l = 0;
	bool ok = true;
	for (size_t i = 0; i < ARRAY_SIZE(f) && l < sizeof(d); i++) {
		if (f[i].want < 0)
			continue;
		bool pass = f[i].present && f[i].got >= f[i].want;
		ok &= pass;
		if (!f[i].present)
			l += (size_t)snprintf(d + l, sizeof(d) - l,
					      "%s%s: not in the %s TCB layout",
					      l ? ", " : "", f[i].name,
					      snp_product_name(product));
		else
			l += (size_t)snprintf(d + l, sizeof(d) - l,
					      "%s%s %d %s %d", l ? ", " : "",
					      f[i].name, f[i].got,
					      pass ? ">=" : "<", f[i].want);
	}
	if (l == 0)
		snprintf(d, sizeof(d), "no component constrained");
	snp_checks_add(out, "min-tcb", ok, "REPORTED_TCB (%s layout): %s",
		       product == SNP_PRODUCT_TURIN ? "Turin" : "Milan/Genoa", d);
}

int snp_release_check(const struct snp_report *r, enum snp_product product,
		      const struct snp_release_opts *o, struct snp_checks *out,
		      struct uvm_error *err)
{
	int k;
	if (o->release_dir) {
		k = check_release(r, o->release_dir, o->keydir, out, err);
		if (k < 0)
			return k;
	}
	if (o->measurements) {
		_cleanup_json_ json_t *root = NULL;
		_cleanup_free_ char *path = NULL;
		k = load_manifest(o->measurements, &path, &root, err);
		if (k < 0)
			return k;
		char what[400];
		snprintf(what, sizeof(what), "%.300s (unverified)", path);
		check_digests(r, "measurements-file", digest_array(root), what,
			      out);
	}
	if (o->has_measurement)
		check_bytes(out, "measurement", "MEASUREMENT", r->measurement,
			    o->measurement, 48, "--measurement");
	if (o->policy_file) {
		uint8_t h[32];
		_cleanup_free_ uint8_t *buf = NULL;
		size_t len;
		k = uvm_read_file(o->policy_file, POLICY_FILE_MAX, &buf, &len, err);
		if (k < 0)
			return k;
		if (uvm_sha256(buf, len, h) < 0)
			return uvm_errorf(err, -EIO, "SHA-256 failed");
		char src[300];
		snprintf(src, sizeof(src), "SHA-256 of %.250s", o->policy_file);
		check_bytes(out, "host-data", "HOST_DATA", r->host_data, h, 32, src);
	}
	if (o->has_host_data)
		check_bytes(out, "host-data", "HOST_DATA", r->host_data,
			    o->host_data, 32, "--host-data");

	bool debug = r->policy & SNP_POLICY_DEBUG;
	snp_checks_add(out, "policy-debug", !debug || o->allow_debug,
		       "POLICY 0x%llx: DEBUG=%d%s", (unsigned long long)r->policy,
		       debug,
		       !debug		 ? " (debugging disabled)"
		       : o->allow_debug ? ", accepted by --allow-debug"
					 : ": the host may debug the guest "
					   "(read/write its memory); "
					   "--allow-debug to accept");
	if (o->no_smt) {
		bool en = r->platform_info & SNP_PLATFORM_SMT_EN;
		snp_checks_add(out, "smt", !en,
			       "PLATFORM_INFO.SMT_EN=%d, POLICY.SMT=%d (SMT %s)",
			       en, !!(r->policy & SNP_POLICY_SMT),
			       en ? "ENABLED on the host, --no-smt given"
				  : "disabled on the host");
	}
	if (o->has_min_abi) {
		unsigned maj = (r->policy >> 8) & 0xff, min = r->policy & 0xff;
		bool ok = maj > o->min_abi_major ||
			  (maj == o->min_abi_major && min >= o->min_abi_minor);
		snp_checks_add(out, "policy-abi", ok,
			       "POLICY minimum ABI %u.%u %s %u.%u", maj, min,
			       ok ? ">=" : "<", o->min_abi_major,
			       o->min_abi_minor);
	}
	if (o->has_min_fw) {
		const uint8_t *f = r->current_fw;
		int c = memcmp(f, o->min_fw, 3); /* major, minor, build order */
		snp_checks_add(out, "min-fw", c >= 0,
			       "CURRENT firmware %u.%u.%u %s %u.%u.%u", f[0],
			       f[1], f[2], c >= 0 ? ">=" : "<", o->min_fw[0],
			       o->min_fw[1], o->min_fw[2]);
	}
	if (o->has_min_tcb)
		check_min_tcb(r, product, &o->min_tcb, out);
	if (o->report_data_len) {
		uint8_t want[64] = {};
		memcpy(want, o->report_data, MIN(o->report_data_len, 64));
		check_bytes(out, "report-data", "REPORT_DATA", r->report_data,
			    want, 64, "--report-data");
	}
	if (o->vmpl >= 0)
		snp_checks_add(out, "vmpl", r->vmpl == (uint32_t)o->vmpl,
			       "VMPL %u %s %d", r->vmpl,
			       r->vmpl == (uint32_t)o->vmpl ? "=" : "!=", o->vmpl);
	return 0;
}
