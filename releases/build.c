/* build.c — `uvmkit build`: run every step of the pipeline from a checked
 * recipe into a temporary directory beside the output, then put it in
 * place in one rename (build.h has the contract).
 *
 * Each step is one function taking the shared struct build; they run in a
 * table so the progress callback and the per-step timings (--json) come for
 * free. Steps only write into b->tmp (release artifacts under their final
 * names, invisible until the directory is renamed) or b->work (scratch).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "builder/firmware.h"
#include "builder/initrd.h"
#include "builder/kbuild.h"
#include "builder/rootfs.h"
#include "builder/source.h"
#include "builder/tree.h"
#include "common/cache.h"
#include "common/canonjson.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/json.h"
#include "measure/measure.h"
#include "measure/vmsa.h"
#include "releases/build.h"
#include "releases/manifest.h"
#include "releases/sign.h"

struct build {
	const struct uvm_recipe *r;
	const struct uvm_build_opts *o;
	char *tmp;  /* the release being assembled */
	char *work; /* scratch, removed at the end */
	char *canon;
	uint8_t seed[32];
	struct uvm_recipe_digests dig;
	char *cmdline;
	bool have_config;
	uint8_t config_sha256[32];
	struct uvm_verity_params verity;
	json_t *launch;	  /* predicate launch_digests */
	json_t *measured; /* measurements.json "measurements" */
	json_t *steps;
	bool cached;	  /* set by a step that took its result from a cache */
	unsigned n_digests;
};

static char *path_join(const char *a, const char *b)
{
	char *s;

	return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

static int add_digest(struct build *b, const char *kind, const char *name,
		      const char *uri, const uint8_t sha[32])
{
	struct uvm_recipe_digest *v = reallocarray(b->dig.v, b->dig.n + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	b->dig.v = v;
	v += b->dig.n++;
	memset(v, 0, sizeof(*v));
	v->kind = strdup(kind);
	v->name = strdup(name);
	v->uri = uri ? strdup(uri) : NULL;
	memcpy(v->sha256, sha, 32);
	return v->kind && v->name && (!uri || v->uri) ? 0 : -ENOMEM;
}

/* Move work/NAME (or any path) to tmp/DEST. Same filesystem by design. */
static int take(struct build *b, const char *src, const char *dest, struct uvm_error *err)
{
	_cleanup_free_ char *to = path_join(b->tmp, dest);

	if (!to)
		return -ENOMEM;
	if (rename(src, to) < 0)
		return uvm_errorf_errno(err, -errno, "%s -> %s", src, to);
	return 0;
}

/* Copy a pinned input file into the release and check the copy against
 * the pin (the file may have changed since the input check). */
static int copy_pinned(struct build *b, const struct uvm_recipe_input *in, const char *dest,
		       struct uvm_error *err)
{
	_cleanup_free_ char *to = path_join(b->tmp, dest);
	uint8_t sha[32];
	int k;

	if (!to)
		return -ENOMEM;
	k = uvm_copy_file_atomic(in->resolved, to, 0644, err);
	if (k < 0)
		return k;
	k = uvm_file_digests(to, sha, NULL, err);
	if (k < 0)
		return k;
	if (memcmp(sha, in->sha256, 32) != 0)
		return uvm_errorf(err, -EBADMSG, "%s changed while it was copied (sha256 no longer the pin)",
				  in->resolved);
	return 0;
}

/* ---- kernel ------------------------------------------------------------ */

/* File=: the pinned bzImage (and its pinned Config=) as they are. */
static int kernel_file(struct build *b, struct uvm_error *err)
{
	const struct uvm_recipe *r = b->r;
	int k = copy_pinned(b, &r->kernel, "vmlinuz", err);

	if (k >= 0 && r->have_kernel_config) {
		k = copy_pinned(b, &r->kernel_config, "kernel.config", err);
		b->have_config = true;
		memcpy(b->config_sha256, r->kernel_config.sha256, 32);
	}
	return k;
}

/* Source=: the kernel pin + fragments -> .config -> bzImage (kbuild.h),
 * through the kernel cache. */
static int kernel_build(struct build *b, struct uvm_error *err)
{
	const struct uvm_recipe *r = b->r;
	struct uvm_kernel_pin pin = { 0 };
	struct uvm_kernel_result res = { 0 };
	_cleanup_free_ char *config = NULL, *outdir = NULL, *from = NULL, *uri = NULL;
	_cleanup_free_ const char **frags = NULL;
	int k;

	k = uvm_kernel_pin_load(r->kernel.resolved, &pin, err);
	if (k < 0)
		return k;
	if (asprintf(&uri, "deb:%s=%s", pin.package, pin.version) < 0 ||
	    add_digest(b, "kernel-source", pin.file, uri, pin.sha256) < 0) {
		uvm_kernel_pin_done(&pin);
		return -ENOMEM;
	}
	frags = calloc(r->fragments.n + 1, sizeof(char *));
	config = path_join(b->work, "kernel.config");
	outdir = path_join(b->work, "kernel");
	if (!frags || !config || !outdir) {
		uvm_kernel_pin_done(&pin);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->fragments.n; i++)
		frags[i] = r->fragments.v[i].resolved;

	struct uvm_kernel_env env = {
		.pin = &pin,
		.cache_dir = b->o->cache_dir,
		.work_dir = b->work,
		.epoch = r->epoch,
		.jobs = b->o->jobs,
	};
	struct uvm_kernel_config_opts co = {
		.env = env,
		.fragments = frags,
		.n_fragments = r->fragments.n,
		.output = config,
	};
	struct uvm_kernel_build_opts bo = { .env = env, .config = config, .output_dir = outdir };

	k = uvm_kernel_config(&co, err);
	if (k >= 0)
		k = uvm_kernel_build(&bo, &res, err);
	uvm_kernel_pin_done(&pin);
	if (k < 0)
		return k;
	b->cached = res.cached;
	b->have_config = true;
	memcpy(b->config_sha256, res.config_sha256, 32);
	static const char *const files[] = { "vmlinuz", "kernel.config", "kernel.config.sources",
					     "kernel.json" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		free(from);
		from = path_join(outdir, files[i]);
		if (!from)
			return -ENOMEM;
		if (i == 2 && access(from, F_OK) < 0)
			continue;
		k = take(b, from, files[i], err);
		if (k < 0)
			return k;
	}
	return 0;
}

static int step_kernel(struct build *b, struct uvm_error *err)
{
	return b->r->kernel_mode == UVM_RECIPE_FILE ? kernel_file(b, err) : kernel_build(b, err);
}

/* ---- rootfs, initrd ---------------------------------------------------- */

static int layer(struct build *b, const struct uvm_recipe_inputs *in, struct uvm_tree **ret,
		 struct uvm_error *err)
{
	struct uvm_tree *t = NULL;
	struct uvm_source_opts so = { .uid = b->r->uid, .gid = b->r->gid };
	int k = uvm_tree_new(b->work, &t, err);

	for (size_t i = 0; k >= 0 && i < in->n; i++) {
		k = uvm_source_add(t, in->v[i].resolved, in->v[i].kind, &so, err);
		if (k < 0)
			uvm_error_prefix(err, k, "%s:%u", b->r->file, in->v[i].line);
	}
	if (k < 0) {
		uvm_tree_free(t);
		return k;
	}
	*ret = t;
	return 0;
}

static int step_rootfs(struct build *b, struct uvm_error *err)
{
	struct uvm_tree *t = NULL;
	struct uvm_rootfs_opts ro = {
		.size = b->r->rootfs_size,
		.epoch = b->r->epoch,
		.have_seed = true,
		.align_mib = b->r->align_mib,
	};
	struct uvm_rootfs_result res;
	int k;

	memcpy(ro.seed, b->seed, 32);
	k = uvm_disk_layout_parse(b->r->disk_layout, &ro.layout);
	if (k < 0)
		return uvm_errorf(err, k, "unknown disk layout '%s'", b->r->disk_layout);
	k = layer(b, &b->r->rootfs, &t, err);
	if (k < 0)
		return k;
	k = uvm_rootfs_build_tree(t, &ro, b->tmp, &res, err);
	uvm_tree_free(t);
	if (k < 0)
		return k;
	b->verity = res.verity;
	return 0;
}

static int step_initrd(struct build *b, struct uvm_error *err)
{
	struct uvm_tree *t = NULL;
	_cleanup_free_ char *out = path_join(b->tmp, "initrd.img");
	int k;

	if (!b->r->have_initrd)
		return 0;
	if (!out)
		return -ENOMEM;
	k = layer(b, &b->r->initrd, &t, err);
	if (k < 0)
		return k;
	k = uvm_initrd_write(t, out, b->r->initrd_compress, b->r->epoch, err);
	uvm_tree_free(t);
	return k;
}

/* cmdline.txt: the disk's line (dm-mod.create=... root=...) and Extra=. */
static int step_cmdline(struct build *b, struct uvm_error *err)
{
	_cleanup_free_ char *path = path_join(b->tmp, "cmdline.txt");
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_free_ char *line = NULL;
	size_t len;
	int k;

	if (!path)
		return -ENOMEM;
	k = uvm_read_file(path, 64 * 1024, &buf, &len, err);
	if (k < 0)
		return k;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (memchr(buf, '\n', len))
		return uvm_errorf(err, -EINVAL, "%s: more than one line", path);
	if (asprintf(&b->cmdline, "%s%s%s", (char *)buf, *b->r->cmdline_extra ? " " : "",
		     b->r->cmdline_extra) < 0)
		return -ENOMEM;
	if (asprintf(&line, "%s\n", b->cmdline) < 0)
		return -ENOMEM;
	return uvm_write_file_atomic(path, line, strlen(line), 0644, err);
}

/* ---- firmware ---------------------------------------------------------- */

static int step_firmware(struct build *b, struct uvm_error *err)
{
	const struct uvm_recipe *r = b->r;
	struct uvm_firmware_pin pin = { 0 };
	struct uvm_firmware_result res = { 0 };
	_cleanup_free_ uint8_t *text = NULL;
	_cleanup_free_ char *outdir = NULL, *srcdir = NULL, *copy = NULL, *uri = NULL;
	size_t len;
	int k;

	if (r->firmware_mode == UVM_RECIPE_FILE)
		return copy_pinned(b, &r->firmware, "OVMF.fd", err);

	k = uvm_read_file(r->firmware.resolved, 64 * 1024, &text, &len, err);
	if (k < 0)
		return k;
	k = uvm_firmware_pin_parse((const char *)text, r->firmware.spec, &pin, err);
	if (k < 0)
		return k;
	if (asprintf(&uri, "deb-src:%s=%s", pin.package, pin.version) < 0 ||
	    add_digest(b, "firmware-source", pin.orig_name, uri, pin.orig_sha256) < 0 ||
	    add_digest(b, "firmware-source", pin.debian_name, uri, pin.debian_sha256) < 0) {
		uvm_firmware_pin_done(&pin);
		return -ENOMEM;
	}
	copy = strdup(r->firmware.resolved);
	outdir = path_join(b->work, "firmware");
	if (!copy || !outdir) {
		uvm_firmware_pin_done(&pin);
		return -ENOMEM;
	}
	if (b->o->downloads_dir)
		srcdir = strdup(b->o->downloads_dir);
	else
		srcdir = strdup(dirname(copy));
	struct uvm_firmware_opts fo = {
		.pin = &pin,
		.source_dir = srcdir,
		.out_dir = outdir,
		.cache_dir = b->o->cache_dir,
		.work_parent = b->work,
		.jobs = b->o->jobs,
	};
	k = srcdir ? uvm_firmware_build(&fo, &res, err) : -ENOMEM;
	uvm_firmware_pin_done(&pin);
	if (k < 0)
		return k;
	b->cached = res.cache_hit;
	k = take(b, res.ovmf_path, "OVMF.fd", err);
	if (k >= 0)
		k = take(b, res.json_path, "firmware.json", err);
	uvm_firmware_result_done(&res);
	return k;
}

/* ---- measure ----------------------------------------------------------- */

static int step_measure(struct build *b, struct uvm_error *err)
{
	const struct uvm_recipe *r = b->r;
	_cleanup_free_ char *ovmf = path_join(b->tmp, "OVMF.fd");
	_cleanup_free_ char *kernel = path_join(b->tmp, "vmlinuz");
	_cleanup_free_ char *initrd = path_join(b->tmp, "initrd.img");
	_cleanup_free_ struct uvm_measure_vcpu *vcpu = calloc(r->n_cpu_types, sizeof(*vcpu));
	struct uvm_measure_result res = { 0 };
	char feat[32], pol[32], hex[97];
	int k;

	if (!ovmf || !kernel || !initrd || !vcpu)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_cpu_types; i++) {
		const struct uvm_vcpu_type *t = uvm_vcpu_type_find(r->cpu_types[i]);

		if (!t)
			return uvm_errorf(err, -EINVAL, "unknown CPU type %s", r->cpu_types[i]);
		vcpu[i].label = r->cpu_types[i];
		vcpu[i].sig = t->sig;
	}
	struct uvm_measure_request req = {
		.mode = UVM_MODE_SNP,
		.ovmf = ovmf,
		.kernel = kernel,
		.initrd = r->have_initrd ? initrd : NULL,
		.cmdline = b->cmdline,
		.vmm = uvm_vmm_type_parse(r->vmm),
		.guest_features = r->guest_features,
		.vcpus = r->vcpus,
		.n_vcpus = r->n_vcpus,
		.vcpu = vcpu,
		.n_vcpu = r->n_cpu_types,
	};
	k = uvm_measure(&req, &res, err);
	if (k < 0)
		return k;
	snprintf(feat, sizeof(feat), "0x%" PRIx64, r->guest_features);
	snprintf(pol, sizeof(pol), "0x%" PRIx64, r->policy);
	for (size_t i = 0; i < res.n_rows; i++) {
		const struct uvm_measure_row *row = &res.rows[i];

		uvm_hex_encode(row->digest, 48, hex);
		json_t *m = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}", "vcpus", (int)row->vcpus,
				      "vcpu_type", r->cpu_types[row->vcpu], "vmm_type", r->vmm,
				      "guest_features", feat, "policy", pol, "launch_digest", hex);
		json_t *l = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s}",
				      "vcpus", (int)row->vcpus, "vcpu_type", r->cpu_types[row->vcpu],
				      "vmm_type", r->vmm, "guest_features", feat, "policy", pol,
				      "launch_digest", hex, "firmware", "OVMF.fd", "kernel", "vmlinuz",
				      "initrd", r->have_initrd ? json_string("initrd.img") : json_null(),
				      "cmdline", b->cmdline);
		if (!m || !l || json_array_append_new(b->measured, m) < 0 ||
		    json_array_append_new(b->launch, l) < 0) {
			json_decref(l);
			uvm_measure_result_done(&res);
			return -ENOMEM;
		}
	}
	uvm_measure_result_done(&res);
	return 0;
}

/* measurements.json: what pipelines and verifiers read (README-build.md). */
static int write_measurements(struct build *b, struct uvm_error *err)
{
	_cleanup_json_ json_t *o = NULL;
	_cleanup_free_ char *path = path_join(b->tmp, UVM_MEASUREMENTS_FILE), *text = NULL;
	_cleanup_free_ char *fw = path_join(b->tmp, "OVMF.fd"), *kern = path_join(b->tmp, "vmlinuz");
	_cleanup_free_ char *ird = path_join(b->tmp, "initrd.img");
	uint8_t s1[32], s2[32], s3[32];
	char h1[65], h2[65], h3[65];
	int k;

	if (!path || !fw || !kern || !ird)
		return -ENOMEM;
	if ((k = uvm_file_digests(fw, s1, NULL, err)) < 0 ||
	    (k = uvm_file_digests(kern, s2, NULL, err)) < 0 ||
	    (b->r->have_initrd && (k = uvm_file_digests(ird, s3, NULL, err)) < 0))
		return k;
	uvm_hex_encode(s1, 32, h1);
	uvm_hex_encode(s2, 32, h2);
	uvm_hex_encode(s3, 32, h3);
	o = json_pack("{s:s, s:s, s:o, s:s, s:O, s:s, s:I}", "firmware_sha256", h1,
		      "kernel_sha256", h2, "initrd_sha256",
		      b->r->have_initrd ? json_string(h3) : json_null(), "cmdline", b->cmdline,
		      "measurements", b->measured, "mode", "snp", "epoch", (json_int_t)b->r->epoch);
	if (!o)
		return -ENOMEM;
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		return -ENOMEM;
	size_t n = strlen(text);
	char *t2 = realloc(text, n + 2);
	if (!t2)
		return -ENOMEM;
	text = t2;
	memcpy(text + n, "\n", 2);
	return uvm_write_file_atomic(path, text, n + 1, 0644, err);
}

/* ---- manifest, sign ---------------------------------------------------- */

static int step_manifest(struct build *b, struct uvm_error *err)
{
	_cleanup_json_ json_t *pred = NULL;
	_cleanup_free_ char *rpath = path_join(b->tmp, UVM_RECIPE_ARTIFACT);
	json_t *inputs;
	char hex[65];
	int k;

	if (!rpath)
		return -ENOMEM;
	k = write_measurements(b, err);
	if (k < 0)
		return k;
	k = uvm_write_file_atomic(rpath, b->canon, strlen(b->canon), 0644, err);
	if (k < 0)
		return k;
	pred = uvm_predicate_empty(b->o->tool_version);
	inputs = json_array();
	if (!pred || !inputs)
		return json_decref(inputs), -ENOMEM;
	for (size_t i = 0; i < b->dig.n; i++) {
		const struct uvm_recipe_digest *d = &b->dig.v[i];
		json_t *e;

		uvm_hex_encode(d->sha256, 32, hex);
		e = json_pack("{s:s, s:s, s:{s:s}}", "name", d->name, "kind", d->kind,
			      "digest", "sha256", hex);
		if (!e || (d->uri && json_object_set_new(e, "uri", json_string(d->uri)) < 0) ||
		    (d->tree && json_object_set_new(e, "digest_type", json_string("tree")) < 0) ||
		    json_array_append_new(inputs, e) < 0) {
			json_decref(e);
			json_decref(inputs);
			return -ENOMEM;
		}
	}
	uvm_hex_encode(b->seed, 32, hex);
	char salt[2 * UVM_VERITY_SALT_MAX + 1], root[2 * UVM_VERITY_DIGEST_MAX + 1];

	uvm_hex_encode(b->verity.salt, b->verity.salt_size, salt);
	uvm_hex_encode(b->verity.root_hash, b->verity.root_hash_size, root);
	json_t *verity = json_pack("{s:s, s:s, s:I, s:i, s:i, s:s, s:I}", "root_hash", root,
				   "salt", salt, "data_blocks", (json_int_t)b->verity.data_blocks,
				   "data_block_size", (int)b->verity.data_block_size,
				   "hash_block_size", (int)b->verity.hash_block_size,
				   "hash_algorithm", b->verity.hash_name,
				   "hash_offset", (json_int_t)b->verity.hash_offset);
	if (json_object_set_new(pred, "inputs", inputs) < 0 ||
	    json_object_set(pred, "launch_digests", b->launch) < 0 ||
	    json_object_set_new(pred, "epoch", json_integer((json_int_t)b->r->epoch)) < 0 ||
	    json_object_set_new(pred, "seed", json_string(hex)) < 0 ||
	    json_object_set_new(pred, "cmdline", json_string(b->cmdline)) < 0 ||
	    json_object_set_new(pred, "recipe", json_string(b->canon)) < 0 ||
	    json_object_set_new(pred, "disk_layout", json_string(b->r->disk_layout)) < 0 ||
	    !verity || json_object_set_new(pred, "verity", verity) < 0)
		return -ENOMEM;
	if (b->have_config) {
		uvm_hex_encode(b->config_sha256, 32, hex);
		if (json_object_set_new(pred, "kernel_config_sha256", json_string(hex)) < 0)
			return -ENOMEM;
	}
	return uvm_manifest_write(b->tmp, NULL, 0, UVM_PREDICATE_TYPE, pred, NULL, err);
}

static int step_sign(struct build *b, struct uvm_error *err)
{
	struct uvm_sign_opts so = {
		.keydir = b->o->keydir,
		.tool_version = b->o->tool_version,
		.timestamp = (int64_t)b->r->epoch,
	};

	if (!b->o->keydir)
		return 0;
	return uvm_release_sign(b->tmp, &so, NULL, err);
}

/* ---- the driver -------------------------------------------------------- */

static const struct {
	const char *name;
	int (*run)(struct build *b, struct uvm_error *err);
} steps[] = {
	{ "kernel", step_kernel },     { "rootfs", step_rootfs },
	{ "initrd", step_initrd },     { "cmdline", step_cmdline },
	{ "firmware", step_firmware }, { "measure", step_measure },
	{ "manifest", step_manifest }, { "sign", step_sign },
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(struct build *b, const char *step, uint64_t done, uint64_t total,
		     const char *note)
{
	if (b->o->progress)
		b->o->progress(b->o->userdata, step, done, total, note);
}

/* Put tmp in place of out: rename when out does not exist, else exchange
 * the two atomically and remove the old content (now at tmp). */
static int install(const char *tmp, const char *out, struct uvm_error *err)
{
	if (rename(tmp, out) == 0)
		return 0;
	if (errno != EEXIST && errno != ENOTEMPTY && errno != EISDIR && errno != ENOTDIR)
		return uvm_errorf_errno(err, -errno, "%s", out);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_EXCHANGE) < 0)
		return uvm_errorf_errno(err, -errno, "cannot replace %s", out);
	uvm_rm_rf(tmp);
	return 0;
}

static int artifacts_json(const char *dir, json_t *arr, struct uvm_error *err)
{
	char **names = NULL;
	size_t n;
	int k = uvm_release_list_artifacts(dir, &names, &n, err);

	for (size_t i = 0; k >= 0 && i < n; i++) {
		_cleanup_free_ char *p = path_join(dir, names[i]);
		uint8_t sha[32];
		char hex[65];
		struct stat st;

		if (!p || stat(p, &st) < 0) {
			k = -ENOMEM;
			break;
		}
		k = uvm_file_digests(p, sha, NULL, err);
		if (k < 0)
			break;
		uvm_hex_encode(sha, 32, hex);
		if (json_array_append_new(arr, json_pack("{s:s, s:I, s:s}", "name", names[i], "size",
							 (json_int_t)st.st_size, "sha256", hex)) < 0)
			k = -ENOMEM;
	}
	uvm_strv_free(names);
	return k < 0 ? k : 0;
}

int uvm_build(const struct uvm_recipe *r, const struct uvm_build_opts *o, json_t **ret_summary,
	      struct uvm_error *err)
{
	struct build b = { .r = r, .o = o };
	_cleanup_free_ char *outcopy = NULL, *outdir = NULL, *tmpl = NULL;
	_cleanup_json_ json_t *summary = NULL;
	double t0 = now_seconds();
	char hex[65];
	int k;

	if (!o->out_dir || !*o->out_dir)
		return uvm_errorf(err, -EINVAL, "no output directory");
	b.launch = json_array();
	b.measured = json_array();
	b.steps = json_array();
	outcopy = strdup(o->out_dir);
	if (!b.launch || !b.measured || !b.steps || !outcopy) {
		k = -ENOMEM;
		goto out;
	}
	/* 1. inputs: before anything is created */
	progress(&b, "inputs", 0, 1, NULL);
	k = uvm_recipe_canonical(r, &b.canon, err);
	if (k >= 0)
		k = uvm_recipe_check_inputs(r, NULL, &b.dig, err);
	if (k >= 0)
		k = uvm_recipe_seed(b.canon, &b.dig, b.seed);
	if (k < 0) {
		uvm_error_prefix(err, k, "inputs");
		goto out;
	}
	json_array_append_new(b.steps, json_pack("{s:s, s:f}", "step", "inputs", "seconds",
						  now_seconds() - t0));
	progress(&b, "inputs", 1, 1, NULL);

	/* the temporary release directory, beside out_dir */
	{
		char *base = basename(outcopy);
		_cleanup_free_ char *c2 = strdup(o->out_dir);

		if (!c2) {
			k = -ENOMEM;
			goto out;
		}
		outdir = strdup(dirname(c2));
		if (!outdir) {
			k = -ENOMEM;
			goto out;
		}
		k = uvm_mkdir_p(outdir, err);
		if (k < 0)
			goto out;
		/* An absolute scratch path: the kernel and firmware builds
		 * point symlinks and make -C at it from other directories. */
		char *abs = realpath(outdir, NULL);
		if (!abs) {
			k = uvm_errorf_errno(err, -errno, "%s", outdir);
			goto out;
		}
		free(outdir);
		outdir = abs;
		if (asprintf(&tmpl, "%s/.%s.build-XXXXXX", outdir, base) < 0) {
			k = -ENOMEM;
			goto out;
		}
		if (!mkdtemp(tmpl)) {
			k = uvm_errorf_errno(err, -errno, "cannot create a directory beside %s",
					     o->out_dir);
			goto out;
		}
		b.tmp = TAKE_PTR(tmpl);
		if (chmod(b.tmp, 0755) < 0 || !(b.work = path_join(b.tmp, ".work")) ||
		    mkdir(b.work, 0700) < 0) {
			k = b.work ? uvm_errorf_errno(err, -errno, "%s", b.tmp) : -ENOMEM;
			goto out;
		}
	}

	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		double t = now_seconds();
		json_t *s;

		if (strcmp(steps[i].name, "sign") == 0 && !o->keydir)
			continue;
		if (strcmp(steps[i].name, "initrd") == 0 && !r->have_initrd)
			continue;
		b.cached = false;
		progress(&b, steps[i].name, 0, 1, NULL);
		if (strcmp(steps[i].name, "manifest") == 0)
			uvm_rm_rf(b.work); /* no scratch left in the release */
		k = steps[i].run(&b, err);
		if (k < 0) {
			if (err && !err->msg[0])
				uvm_errorf(err, k, "%s", strerror(-k));
			uvm_error_prefix(err, k, "%s", steps[i].name);
			goto out;
		}
		s = json_pack("{s:s, s:f}", "step", steps[i].name, "seconds", now_seconds() - t);
		if (s && b.cached)
			json_object_set_new(s, "cached", json_true());
		json_array_append_new(b.steps, s);
		progress(&b, steps[i].name, 1, 1, b.cached ? "cached" : NULL);
	}

	uvm_hex_encode(b.seed, 32, hex);
	summary = json_pack("{s:s, s:s, s:s, s:I, s:[], s:I, s:b, s:O}", "directory", o->out_dir,
			    "recipe", r->file, "seed", hex, "epoch", (json_int_t)r->epoch,
			    "artifacts", "launch_digests", (json_int_t)json_array_size(b.launch),
			    "signed", o->keydir != NULL, "steps", b.steps);
	if (!summary) {
		k = -ENOMEM;
		goto out;
	}
	k = artifacts_json(b.tmp, json_object_get(summary, "artifacts"), err);
	if (k < 0)
		goto out;
	k = install(b.tmp, o->out_dir, err);
	if (k < 0)
		goto out;
	free(b.tmp);
	b.tmp = NULL;
	json_object_set_new(summary, "seconds", json_real(now_seconds() - t0));
	if (ret_summary)
		*ret_summary = TAKE_PTR(summary);
	k = 0;
out:
	if (b.tmp)
		uvm_rm_rf(b.tmp);
	free(b.tmp);
	free(b.work);
	free(b.canon);
	free(b.cmdline);
	uvm_recipe_digests_done(&b.dig);
	json_decref(b.launch);
	json_decref(b.measured);
	json_decref(b.steps);
	return k;
}
