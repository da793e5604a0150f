/* manifest.c — build, serialize and parse the release manifest (an in-toto
 * Statement v1, see manifest.h). The parser is the first thing to see
 * untrusted bytes during `uvmkit verify`, so it checks every type and bound
 * before anything else looks at the data; the builder goes through the same
 * validation so that uvmkit never writes a manifest it would not accept. */
#include "manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/canonjson.h"
#include "../common/fileio.h"
#include "../common/hex.h"
#include "../common/json.h"

static const char *const signature_files[] = {
	UVM_MANIFEST_FILE, "manifest.dsse.json", "manifest.sigstore.json",
	"SHA256SUMS",	   "SHA384SUMS",
};

bool uvm_release_is_signature_file(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(signature_files); i++)
		if (!strcmp(name, signature_files[i]))
			return true;
	size_t n = strlen(name);
	return n > 8 && !strcmp(name + n - 8, ".minisig");
}

bool uvm_subject_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 255 || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
			return false;
	}
	json_t *utf8 = json_string(name); /* NULL unless valid UTF-8 */
	json_decref(utf8);
	return utf8 != NULL;
}

void uvm_subjects_free(struct uvm_subject *s, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		free(s[i].name);
	free(s);
}

void uvm_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static int subject_cmp(const void *a, const void *b)
{
	return strcmp(((const struct uvm_subject *)a)->name,
		      ((const struct uvm_subject *)b)->name);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

const struct uvm_subject *uvm_subject_find(const struct uvm_subject *s,
					   size_t n, const char *name)
{
	struct uvm_subject key = { .name = (char *)name };
	return bsearch(&key, s, n, sizeof(*s), subject_cmp);
}

static char *path_join(const char *dir, const char *name)
{
	char *p;
	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

int uvm_subjects_from_files(const char *dir, char *const *names, size_t n,
			    struct uvm_subject **ret, size_t *ret_n,
			    struct uvm_error *err)
{
	if (n > UVM_MANIFEST_MAX_SUBJECTS)
		return uvm_errorf(err, -E2BIG, "%zu artifacts, at most %u", n,
				  UVM_MANIFEST_MAX_SUBJECTS);
	struct uvm_subject *s = calloc(n ? n : 1, sizeof(*s));
	if (!s)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (!uvm_subject_name_valid(names[i])) {
			r = uvm_errorf(err, -EINVAL,
				       "'%s' cannot be a release artifact name",
				       names[i]);
			break;
		}
		s[i].name = strdup(names[i]);
		if (!s[i].name) {
			r = uvm_errorf(err, -ENOMEM, "out of memory");
			break;
		}
		r = uvm_subject_digests(dir, names[i], s[i].sha256, s[i].sha384, err);
	}
	if (r == 0) {
		qsort(s, n, sizeof(*s), subject_cmp);
		for (size_t i = 1; i < n && r == 0; i++)
			if (!strcmp(s[i - 1].name, s[i].name))
				r = uvm_errorf(err, -EINVAL,
					       "artifact '%s' named twice",
					       s[i].name);
	}
	if (r < 0) {
		uvm_subjects_free(s, n);
		return r;
	}
	*ret = s;
	*ret_n = n;
	return 0;
}

int uvm_subject_digests(const char *dir, const char *name,
			uint8_t sha256[UVM_SHA256_LEN],
			uint8_t sha384[UVM_SHA384_LEN], struct uvm_error *err)
{
	_cleanup_free_ char *path = path_join(dir, name);
	struct stat st;
	if (!path)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (lstat(path, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return uvm_errorf(err, -EINVAL, "%s: not a regular file", path);
	return uvm_file_digests(path, sha256, sha384, err);
}

static void cleanup_dirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

int uvm_release_list_artifacts(const char *dir, char ***ret, size_t *ret_n,
			       struct uvm_error *err)
{
	_cleanup_(cleanup_dirp) DIR *d = opendir(dir);
	if (!d)
		return uvm_errorf_errno(err, -errno, "%s", dir);
	size_t n = 0, cap = 16;
	char **v = calloc(cap + 1, sizeof(*v));
	if (!v)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = 0;
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		const char *name = de->d_name;
		struct stat st;
		if (name[0] == '.' || uvm_release_is_signature_file(name))
			continue; /* ".", "..", atomic-write temporaries */
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = uvm_errorf_errno(err, -errno, "%s/%s", dir, name);
			break;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (!uvm_subject_name_valid(name)) {
			r = uvm_errorf(err, -EINVAL,
				       "%s: a file name with control characters "
				       "or a backslash cannot be a release artifact",
				       dir);
			break;
		}
		if (n == UVM_MANIFEST_MAX_SUBJECTS) {
			r = uvm_errorf(err, -E2BIG, "%s: more than %u artifacts",
				       dir, UVM_MANIFEST_MAX_SUBJECTS);
			break;
		}
		if (n == cap) {
			char **nv = realloc(v, (2 * cap + 1) * sizeof(*v));
			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
			cap *= 2;
		}
		if (!(v[n] = strdup(name))) {
			r = -ENOMEM;
			break;
		}
		v[++n] = NULL;
	}
	if (r == 0 && errno)
		r = uvm_errorf_errno(err, -errno, "%s", dir);
	if (r < 0) {
		if (r == -ENOMEM)
			uvm_errorf(err, r, "out of memory");
		uvm_strv_free(v);
		return r;
	}
	qsort(v, n, sizeof(*v), str_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
}

json_t *uvm_predicate_empty(const char *tool_version)
{
	return json_pack("{s:[], s:[], s:{s:s, s:s}}", "inputs", "launch_digests",
			 "tool", "name", "uvmkit", "version", tool_version);
}

/* ---- schema checks ------------------------------------------------------ */

static bool is_lower_hex(const char *s, size_t want_len)
{
	size_t n = strlen(s);
	if (want_len ? n != want_len : (n == 0 || n % 2))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

enum field_type {
	F_STR,	   /* any string */
	F_HEX64,   /* 64 lowercase hex digits */
	F_HEX96,   /* 96 lowercase hex digits */
	F_HEX,	   /* non-empty even-length lowercase hex */
	F_INT,	   /* integer >= 0 */
	F_OBJ,	   /* object (checked by its own table) */
	F_ARR,	   /* array (checked by the caller) */
	F_SUBJECT, /* string naming a subject */
	F_SUBJECT_OR_NULL,
};

struct field {
	const char *key;
	enum field_type type;
	bool required;
};

static const char *type_name(enum field_type t)
{
	static const char *const names[] = {
		[F_STR] = "a string",
		[F_HEX64] = "64 lowercase hex digits",
		[F_HEX96] = "96 lowercase hex digits",
		[F_HEX] = "lowercase hex",
		[F_INT] = "a non-negative integer",
		[F_OBJ] = "an object",
		[F_ARR] = "an array",
		[F_SUBJECT] = "the name of a subject",
		[F_SUBJECT_OR_NULL] = "the name of a subject or null",
	};
	return names[t];
}

static bool field_ok(const json_t *v, enum field_type t,
		     const struct uvm_subject *subjects, size_t n)
{
	switch (t) {
	case F_STR:
		return json_is_string(v);
	case F_HEX64:
		return json_is_string(v) && is_lower_hex(json_string_value(v), 64);
	case F_HEX96:
		return json_is_string(v) && is_lower_hex(json_string_value(v), 96);
	case F_HEX:
		return json_is_string(v) && is_lower_hex(json_string_value(v), 0);
	case F_INT:
		return json_is_integer(v) && json_integer_value(v) >= 0 &&
		       json_integer_value(v) <= UVM_CANON_INT_MAX;
	case F_OBJ:
		return json_is_object(v);
	case F_ARR:
		return json_is_array(v);
	case F_SUBJECT_OR_NULL:
		if (json_is_null(v))
			return true;
		/* fall through */
	case F_SUBJECT:
		if (!json_is_string(v))
			return false;
		return !subjects ||
		       uvm_subject_find(subjects, n, json_string_value(v));
	}
	return false;
}

static int check_fields(const json_t *obj, const char *where,
			const struct field *f, size_t nf,
			const struct uvm_subject *subjects, size_t n,
			struct uvm_error *err)
{
	if (!json_is_object(obj))
		return uvm_errorf(err, -EINVAL, "%s: expected an object", where);
	for (size_t i = 0; i < nf; i++) {
		json_t *v = json_object_get(obj, f[i].key);
		if (!v) {
			if (f[i].required)
				return uvm_errorf(err, -EINVAL, "%s.%s: missing",
						  where, f[i].key);
			continue;
		}
		if (!field_ok(v, f[i].type, subjects, n))
			return uvm_errorf(err, -EINVAL, "%s.%s: expected %s",
					  where, f[i].key, type_name(f[i].type));
	}
	return 0;
}

static const struct field predicate_fields[] = {
	{ "tool", F_OBJ, true },
	{ "inputs", F_ARR, true },
	{ "launch_digests", F_ARR, true },
	{ "epoch", F_INT, false },
	{ "seed", F_HEX64, false },
	{ "cmdline", F_STR, false },
	{ "kernel_config_sha256", F_HEX64, false },
	{ "verity", F_OBJ, false },
};
static const struct field tool_fields[] = {
	{ "name", F_STR, true },
	{ "version", F_STR, true },
};
static const struct field input_fields[] = {
	{ "name", F_STR, true },
	{ "kind", F_STR, true },
	{ "uri", F_STR, false },
	{ "digest", F_OBJ, true },
};
static const struct field input_digest_fields[] = {
	{ "sha256", F_HEX64, true },
	{ "sha384", F_HEX96, false },
};
static const struct field verity_fields[] = {
	{ "root_hash", F_HEX64, true },
	{ "salt", F_HEX, true },
	{ "data_blocks", F_INT, false },
	{ "data_block_size", F_INT, false },
	{ "hash_block_size", F_INT, false },
	{ "hash_algorithm", F_STR, false },
	{ "uuid", F_STR, false },
};
static const struct field launch_fields[] = {
	{ "vcpus", F_INT, true },
	{ "vcpu_type", F_STR, true },
	{ "vmm_type", F_STR, true },
	{ "guest_features", F_STR, true },
	{ "policy", F_STR, true },
	{ "launch_digest", F_HEX96, true },
	{ "firmware", F_SUBJECT, true },
	{ "kernel", F_SUBJECT_OR_NULL, false },
	{ "initrd", F_SUBJECT_OR_NULL, false },
	{ "cmdline", F_STR, false },
};

int uvm_predicate_validate(const json_t *p, const struct uvm_subject *subjects,
			   size_t n, struct uvm_error *err)
{
	char where[64];
	int r = check_fields(p, "predicate", predicate_fields,
			     ARRAY_SIZE(predicate_fields), NULL, 0, err);
	if (r < 0)
		return r;
	r = check_fields(json_object_get(p, "tool"), "predicate.tool",
			 tool_fields, ARRAY_SIZE(tool_fields), NULL, 0, err);
	if (r < 0)
		return r;
	json_t *v = json_object_get(p, "verity");
	if (v && (r = check_fields(v, "predicate.verity", verity_fields,
				   ARRAY_SIZE(verity_fields), NULL, 0, err)) < 0)
		return r;
	size_t i;
	json_array_foreach(json_object_get(p, "inputs"), i, v) {
		snprintf(where, sizeof(where), "predicate.inputs[%zu]", i);
		r = check_fields(v, where, input_fields, ARRAY_SIZE(input_fields),
				 NULL, 0, err);
		if (r < 0)
			return r;
		strncat(where, ".digest", sizeof(where) - strlen(where) - 1);
		r = check_fields(json_object_get(v, "digest"), where,
				 input_digest_fields,
				 ARRAY_SIZE(input_digest_fields), NULL, 0, err);
		if (r < 0)
			return r;
	}
	json_array_foreach(json_object_get(p, "launch_digests"), i, v) {
		snprintf(where, sizeof(where), "predicate.launch_digests[%zu]", i);
		r = check_fields(v, where, launch_fields,
				 ARRAY_SIZE(launch_fields), subjects, n, err);
		if (r < 0)
			return r;
		json_int_t vcpus = json_integer_value(json_object_get(v, "vcpus"));
		if (vcpus < 1 || vcpus > 512)
			return uvm_errorf(err, -EINVAL,
					  "%s.vcpus: %" JSON_INTEGER_FORMAT
					  " is not in 1..512", where, vcpus);
	}
	return 0;
}

/* ---- building ----------------------------------------------------------- */

static json_t *subject_json(const struct uvm_subject *s)
{
	char h256[2 * UVM_SHA256_LEN + 1], h384[2 * UVM_SHA384_LEN + 1];
	uvm_hex_encode(s->sha256, UVM_SHA256_LEN, h256);
	uvm_hex_encode(s->sha384, UVM_SHA384_LEN, h384);
	return json_pack("{s:{s:s, s:s}, s:s}", "digest", "sha256", h256,
			 "sha384", h384, "name", s->name);
}

int uvm_manifest_build(const struct uvm_subject *subjects, size_t n,
		       const char *predicate_type, json_t *predicate,
		       char **ret, size_t *ret_len, struct uvm_error *err)
{
	if (!predicate_type || !json_is_object(predicate))
		return uvm_errorf(err, -EINVAL,
				  "a predicate type and an object predicate are required");
	if (n > UVM_MANIFEST_MAX_SUBJECTS)
		return uvm_errorf(err, -E2BIG, "%zu subjects, at most %u", n,
				  UVM_MANIFEST_MAX_SUBJECTS);
	/* Sort a shallow copy; the caller's array is left alone. */
	_cleanup_free_ struct uvm_subject *s = calloc(n ? n : 1, sizeof(*s));
	if (!s)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (n)
		memcpy(s, subjects, n * sizeof(*s));
	qsort(s, n, sizeof(*s), subject_cmp);
	for (size_t i = 0; i < n; i++) {
		if (!uvm_subject_name_valid(s[i].name))
			return uvm_errorf(err, -EINVAL,
					  "'%s' cannot be a subject name", s[i].name);
		if (i && !strcmp(s[i - 1].name, s[i].name))
			return uvm_errorf(err, -EINVAL, "subject '%s' twice",
					  s[i].name);
	}
	if (!strcmp(predicate_type, UVM_PREDICATE_TYPE)) {
		int r = uvm_predicate_validate(predicate, s, n, err);
		if (r < 0)
			return r;
	}
	_cleanup_json_ json_t *arr = json_array();
	if (!arr)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(arr, subject_json(&s[i])) < 0)
			return uvm_errorf(err, -ENOMEM, "out of memory");
	_cleanup_json_ json_t *st = json_pack(
		"{s:s, s:O, s:s, s:O}", "_type", UVM_INTOTO_STATEMENT_TYPE,
		"predicate", predicate, "predicateType", predicate_type,
		"subject", arr);
	if (!st)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	return uvm_canon_json(st, ret, ret_len, err);
}

/* ---- parsing ------------------------------------------------------------ */

void uvm_manifest_free(struct uvm_manifest *m)
{
	if (!m)
		return;
	uvm_subjects_free(m->subjects, m->n_subjects);
	json_decref(m->statement);
	free(m);
}

static int parse_subject(const json_t *j, size_t i, struct uvm_subject *s,
			 struct uvm_error *err)
{
	const char *name;
	json_t *digest;
	if (!json_is_object(j) ||
	    !json_is_string(json_object_get(j, "name")) ||
	    !json_is_object(digest = json_object_get(j, "digest")))
		return uvm_errorf(err, -EINVAL,
				  "manifest: subject[%zu]: expected {\"name\": string, "
				  "\"digest\": object}", i);
	name = json_string_value(json_object_get(j, "name"));
	if (!uvm_subject_name_valid(name))
		return uvm_errorf(err, -EINVAL,
				  "manifest: subject[%zu]: '%s' is not a plain file name",
				  i, name);
	json_t *h256 = json_object_get(digest, "sha256");
	json_t *h384 = json_object_get(digest, "sha384");
	if (!json_is_string(h256) || !is_lower_hex(json_string_value(h256), 64) ||
	    !json_is_string(h384) || !is_lower_hex(json_string_value(h384), 96))
		return uvm_errorf(err, -EINVAL,
				  "manifest: subject '%s': needs a sha256 (64 lowercase "
				  "hex) and a sha384 (96 lowercase hex) digest", name);
	if (uvm_hex_decode(json_string_value(h256), s->sha256, UVM_SHA256_LEN) < 0 ||
	    uvm_hex_decode(json_string_value(h384), s->sha384, UVM_SHA384_LEN) < 0)
		return uvm_errorf(err, -EINVAL, "manifest: subject '%s': bad hex",
				  name);
	s->name = strdup(name);
	return s->name ? 0 : uvm_errorf(err, -ENOMEM, "out of memory");
}

int uvm_manifest_parse(const void *buf, size_t len, struct uvm_manifest **ret,
		       struct uvm_error *err)
{
	if (len > UVM_MANIFEST_MAX_SIZE)
		return uvm_errorf(err, -EFBIG, "manifest: %zu bytes, at most %u",
				  len, UVM_MANIFEST_MAX_SIZE);
	json_error_t je;
	_cleanup_json_ json_t *st =
		json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!st)
		return uvm_errorf(err, -EINVAL, "manifest: invalid JSON at byte %d: %s",
				  je.position, je.text);
	if (!json_is_object(st))
		return uvm_errorf(err, -EINVAL, "manifest: not a JSON object");
	json_t *t = json_object_get(st, "_type");
	if (!json_is_string(t) || strcmp(json_string_value(t), UVM_INTOTO_STATEMENT_TYPE))
		return uvm_errorf(err, -EINVAL, "manifest: _type is not \"%s\"",
				  UVM_INTOTO_STATEMENT_TYPE);
	json_t *pt = json_object_get(st, "predicateType");
	json_t *pred = json_object_get(st, "predicate");
	json_t *subj = json_object_get(st, "subject");
	if (!json_is_string(pt) || json_string_length(pt) == 0)
		return uvm_errorf(err, -EINVAL, "manifest: predicateType must be a string");
	if (!json_is_object(pred))
		return uvm_errorf(err, -EINVAL, "manifest: predicate must be an object");
	if (!json_is_array(subj) || json_array_size(subj) == 0)
		return uvm_errorf(err, -EINVAL,
				  "manifest: subject must be a non-empty array");
	size_t n = json_array_size(subj);
	if (n > UVM_MANIFEST_MAX_SUBJECTS)
		return uvm_errorf(err, -E2BIG, "manifest: %zu subjects, at most %u",
				  n, UVM_MANIFEST_MAX_SUBJECTS);

	_cleanup_(cleanup_manifest) struct uvm_manifest *m = calloc(1, sizeof(*m));
	if (!m || !(m->subjects = calloc(n, sizeof(*m->subjects))))
		return uvm_errorf(err, -ENOMEM, "out of memory");
	m->n_subjects = n;
	for (size_t i = 0; i < n; i++) {
		int r = parse_subject(json_array_get(subj, i), i, &m->subjects[i], err);
		if (r < 0)
			return r;
		if (i && strcmp(m->subjects[i - 1].name, m->subjects[i].name) >= 0)
			return uvm_errorf(err, -EINVAL,
					  "manifest: subjects not sorted by name or "
					  "duplicated at '%s'", m->subjects[i].name);
	}
	m->predicate_type = json_string_value(pt);
	m->predicate = pred;
	m->uvmkit_predicate = !strcmp(m->predicate_type, UVM_PREDICATE_TYPE);
	if (m->uvmkit_predicate) {
		int r = uvm_predicate_validate(pred, m->subjects, n, err);
		if (r < 0)
			return uvm_error_prefix(err, r, "manifest");
	}
	m->statement = TAKE_PTR(st);
	*ret = TAKE_PTR(m);
	return 0;
}

int uvm_manifest_load(const char *dir, struct uvm_manifest **ret,
		      uint8_t **ret_bytes, size_t *ret_len,
		      struct uvm_error *err)
{
	_cleanup_free_ char *path = path_join(dir, UVM_MANIFEST_FILE);
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	if (!path)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = uvm_read_file(path, UVM_MANIFEST_MAX_SIZE, &buf, &len, err);
	if (r < 0)
		return r;
	r = uvm_manifest_parse(buf, len, ret, err);
	if (r < 0)
		return uvm_error_prefix(err, r, "%s", path);
	if (ret_bytes)
		*ret_bytes = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int uvm_manifest_write(const char *dir, char *const *names, size_t n,
		       const char *predicate_type, json_t *predicate,
		       uint8_t ret_sha256[UVM_SHA256_LEN], struct uvm_error *err)
{
	char **all = NULL;
	struct uvm_subject *s = NULL;
	size_t ns = 0;
	_cleanup_free_ char *text = NULL, *path = NULL;
	size_t len;
	int r = 0;

	if (!names) {
		r = uvm_release_list_artifacts(dir, &all, &n, err);
		names = all;
	}
	if (r == 0)
		r = uvm_subjects_from_files(dir, names, n, &s, &ns, err);
	if (r == 0 && ns == 0)
		r = uvm_errorf(err, -ENOENT, "%s: no artifacts to list in a manifest",
			       dir);
	if (r == 0)
		r = uvm_manifest_build(s, ns, predicate_type, predicate, &text, &len,
				       err);
	if (r == 0 && !(path = path_join(dir, UVM_MANIFEST_FILE)))
		r = uvm_errorf(err, -ENOMEM, "out of memory");
	if (r == 0)
		r = uvm_write_file_atomic(path, text, len, 0644, err);
	if (r == 0 && ret_sha256)
		r = uvm_sha256(text, len, ret_sha256);
	uvm_subjects_free(s, ns);
	uvm_strv_free(all);
	return r;
}
