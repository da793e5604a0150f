/* source-oci.c — an OCI image layout directory as a tree source.
 *
 * oci-layout + index.json -> (nested index ->) image manifest -> layers.
 * Every blob is addressed as blobs/sha256/<64 lowercase hex> (the digest is
 * validated before it becomes a path, so a digest cannot name a file outside
 * blobs/), and its size and sha256 are checked before its content is used:
 * JSON blobs are read into memory and hashed; a layer is hashed through the
 * same open fd it is then read from. Each layer is applied in two passes
 * (whiteouts against the lower layers, then its entries), which is the OCI
 * rule "whiteouts only apply to lower layers" without tracking which paths
 * a layer created.
 */
#include "source-archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common/fileio.h"
#include "common/hash.h"
#include "common/hex.h"
#include "common/json.h"

#define OCI_JSON_MAX (16u << 20)

static const char *const layer_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.oci.image.layer.nondistributable.v1.tar",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
	"application/vnd.docker.image.rootfs.diff.tar",
};

static bool is_index_type(const char *mt)
{
	return strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
	       strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0;
}

/* Fill d from a JSON descriptor object. */
static int parse_desc(json_t *o, const char *name, const char *what,
		      struct uvm_oci_desc *d, struct uvm_error *err)
{
	if (!json_is_object(o))
		return uvm_errorf(err, -EINVAL, "%s: %s is not a descriptor",
				  name, what);
	const char *mt = json_string_value(json_object_get(o, "mediaType"));
	const char *dg = json_string_value(json_object_get(o, "digest"));
	json_t *sz = json_object_get(o, "size");
	if (!dg)
		return uvm_errorf(err, -EINVAL, "%s: %s has no digest", name,
				  what);
	if (strncmp(dg, "sha256:", 7) != 0)
		return uvm_errorf(err, -EOPNOTSUPP,
				  "%s: %s: unsupported digest '%.80s' (only "
				  "sha256)",
				  name, what, dg);
	const char *hx = dg + 7;
	if (strlen(hx) != 64 || strspn(hx, "0123456789abcdef") != 64)
		return uvm_errorf(err, -EINVAL,
				  "%s: %s: malformed digest '%.80s'", name,
				  what, dg);
	if (!json_is_integer(sz) || json_integer_value(sz) < 0)
		return uvm_errorf(err, -EINVAL, "%s: %s has no valid size",
				  name, what);
	memset(d, 0, sizeof(*d));
	snprintf(d->media_type, sizeof(d->media_type), "%s", mt ? mt : "");
	memcpy(d->hex, hx, 65);
	d->size = (uint64_t)json_integer_value(sz);
	return 0;
}

static int load_json(const void *buf, size_t len, const char *name,
		     json_t **ret, struct uvm_error *err)
{
	json_error_t je;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return uvm_errorf(err, -EINVAL, "%s: invalid JSON: %s", name,
				  je.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return uvm_errorf(err, -EINVAL, "%s: not a JSON object", name);
	}
	*ret = j;
	return 0;
}

int uvm_oci_parse_index(const void *buf, size_t len, const char *name,
			struct uvm_oci_desc *ret, struct uvm_error *err)
{
	_cleanup_json_ json_t *j = NULL;
	int r = load_json(buf, len, name, &j, err);
	if (r < 0)
		return r;
	json_t *ms = json_object_get(j, "manifests");
	if (!json_is_array(ms) || json_array_size(ms) == 0)
		return uvm_errorf(err, -EINVAL, "%s: no manifests", name);
	json_t *pick = NULL;
	if (json_array_size(ms) == 1)
		pick = json_array_get(ms, 0);
	else {
		size_t i, n = 0;
		json_t *m;
		json_array_foreach(ms, i, m) {
			json_t *p = json_object_get(m, "platform");
			const char *os = json_string_value(json_object_get(p, "os"));
			const char *arch = json_string_value(
				json_object_get(p, "architecture"));
			if (os && arch && strcmp(os, "linux") == 0 &&
			    strcmp(arch, "amd64") == 0) {
				pick = m;
				n++;
			}
		}
		if (n != 1)
			return uvm_errorf(err, -EINVAL,
					  "%s: %zu manifests and %s linux/amd64 "
					  "one",
					  name, json_array_size(ms),
					  n ? "more than one" : "no");
	}
	return parse_desc(pick, name, "manifest descriptor", ret, err);
}

int uvm_oci_parse_manifest(const void *buf, size_t len, const char *name,
			   struct uvm_oci_desc **ret_layers, size_t *ret_n,
			   struct uvm_error *err)
{
	_cleanup_json_ json_t *j = NULL;
	int r = load_json(buf, len, name, &j, err);
	if (r < 0)
		return r;
	json_t *ls = json_object_get(j, "layers");
	if (!json_is_array(ls))
		return uvm_errorf(err, -EINVAL, "%s: no layers array", name);
	size_t n = json_array_size(ls);
	_cleanup_free_ struct uvm_oci_desc *v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char what[64];
		snprintf(what, sizeof(what), "layer %zu", i);
		r = parse_desc(json_array_get(ls, i), name, what, &v[i], err);
		if (r < 0)
			return r;
		bool known = false;
		for (size_t k = 0; k < ARRAY_SIZE(layer_types); k++)
			known |= strcmp(v[i].media_type, layer_types[k]) == 0;
		if (!known)
			return uvm_errorf(err, -EOPNOTSUPP,
					  "%s: layer %zu: unsupported media "
					  "type '%s'",
					  name, i, v[i].media_type);
	}
	*ret_layers = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

/* ---- blobs --------------------------------------------------------------- */

static int digest_check(const char *name, const struct uvm_oci_desc *d,
			const uint8_t got[32], uint64_t got_size,
			struct uvm_error *err)
{
	if (got_size != d->size)
		return uvm_errorf(err, -EBADMSG,
				  "%s: blob sha256:%s: size %llu, descriptor "
				  "says %llu",
				  name, d->hex, (unsigned long long)got_size,
				  (unsigned long long)d->size);
	char hx[65];
	uvm_hex_encode(got, 32, hx);
	if (strcmp(hx, d->hex) != 0)
		return uvm_errorf(err, -EBADMSG,
				  "%s: blob sha256:%s: digest mismatch (content "
				  "is sha256:%s)",
				  name, d->hex, hx);
	return 0;
}

/* Read a JSON blob, verified. */
static int read_blob(const char *layout, const struct uvm_oci_desc *d,
		     uint8_t **ret, size_t *ret_len, struct uvm_error *err)
{
	_cleanup_free_ char *p = NULL;
	if (asprintf(&p, "%s/blobs/sha256/%s", layout, d->hex) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (d->size > OCI_JSON_MAX)
		return uvm_errorf(err, -EFBIG, "%s: blob sha256:%s too large",
				  layout, d->hex);
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = uvm_read_file(p, OCI_JSON_MAX, &buf, &len, err);
	if (r < 0)
		return r;
	uint8_t h[32];
	r = uvm_sha256(buf, len, h);
	if (r < 0)
		return uvm_errorf(err, r, "sha256 failed");
	r = digest_check(layout, d, h, len, err);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

static void cleanup_md(EVP_MD_CTX **c)
{
	if (*c)
		EVP_MD_CTX_free(*c);
}

/* sha256 and size of fd's whole content. */
static int hash_fd(int fd, const char *what, uint8_t out[32],
		   uint64_t *ret_size, struct uvm_error *err)
{
	_cleanup_(cleanup_md) EVP_MD_CTX *c = EVP_MD_CTX_new();
	_cleanup_free_ uint8_t *buf = malloc(1 << 20);
	if (!c || !buf)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		return uvm_errorf(err, -EIO, "sha256 failed");
	uint64_t total = 0;
	for (;;) {
		ssize_t k = read(fd, buf, 1 << 20);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return uvm_errorf_errno(err, -errno, "%s", what);
		}
		if (k == 0)
			break;
		if (EVP_DigestUpdate(c, buf, (size_t)k) != 1)
			return uvm_errorf(err, -EIO, "sha256 failed");
		total += (uint64_t)k;
	}
	if (EVP_DigestFinal_ex(c, out, NULL) != 1)
		return uvm_errorf(err, -EIO, "sha256 failed");
	*ret_size = total;
	return 0;
}

static int add_layer(struct uvm_tree *t, const char *layout, size_t idx,
		     const struct uvm_oci_desc *d,
		     const struct uvm_source_opts *opts, struct uvm_error *err)
{
	_cleanup_free_ char *p = NULL, *label = NULL;
	if (asprintf(&p, "%s/blobs/sha256/%s", layout, d->hex) < 0 ||
	    asprintf(&label, "%s: layer %zu (sha256:%.12s)", layout, idx,
		     d->hex) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s: blob sha256:%s",
					layout, d->hex);
	uint8_t h[32];
	uint64_t size = 0;
	int r = hash_fd(fd, p, h, &size, err);
	if (r < 0)
		return r;
	r = digest_check(layout, d, h, size, err);
	if (r < 0)
		return r;
	r = uvm_archive_add_tar_fd(t, fd, label, UVM_LAYER_WHITEOUTS, opts,
				   err);
	if (r < 0)
		return r;
	return uvm_archive_add_tar_fd(t, fd, label, UVM_LAYER_ENTRIES, opts,
				      err);
}

int uvm_oci_add(struct uvm_tree *t, const char *path,
		const struct uvm_source_opts *opts, struct uvm_error *err)
{
	_cleanup_free_ char *lp = NULL, *ip = NULL;
	if (asprintf(&lp, "%s/oci-layout", path) < 0 ||
	    asprintf(&ip, "%s/index.json", path) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	_cleanup_free_ uint8_t *lbuf = NULL, *ibuf = NULL;
	size_t llen, ilen;
	int r = uvm_read_file(lp, 4096, &lbuf, &llen, err);
	if (r < 0)
		return r;
	_cleanup_json_ json_t *lj = NULL;
	r = load_json(lbuf, llen, lp, &lj, err);
	if (r < 0)
		return r;
	if (!json_is_string(json_object_get(lj, "imageLayoutVersion")))
		return uvm_errorf(err, -EINVAL,
				  "%s: no imageLayoutVersion", lp);
	r = uvm_read_file(ip, OCI_JSON_MAX, &ibuf, &ilen, err);
	if (r < 0)
		return r;
	struct uvm_oci_desc d;
	r = uvm_oci_parse_index(ibuf, ilen, ip, &d, err);
	if (r < 0)
		return r;
	/* Follow nested indexes (bounded). */
	_cleanup_free_ uint8_t *mbuf = NULL;
	size_t mlen = 0;
	for (int depth = 0;; depth++) {
		free(mbuf);
		mbuf = NULL;
		r = read_blob(path, &d, &mbuf, &mlen, err);
		if (r < 0)
			return r;
		if (!is_index_type(d.media_type))
			break;
		if (depth >= 4)
			return uvm_errorf(err, -ELOOP,
					  "%s: image indexes nested too deep",
					  path);
		char what[100];
		snprintf(what, sizeof(what), "%s: index sha256:%.12s", path,
			 d.hex);
		r = uvm_oci_parse_index(mbuf, mlen, what, &d, err);
		if (r < 0)
			return r;
	}
	char what[100];
	snprintf(what, sizeof(what), "%s: manifest sha256:%.12s", path, d.hex);
	_cleanup_free_ struct uvm_oci_desc *layers = NULL;
	size_t n;
	r = uvm_oci_parse_manifest(mbuf, mlen, what, &layers, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		r = add_layer(t, path, i, &layers[i], opts, err);
		if (r < 0)
			return r;
	}
	return 0;
}
