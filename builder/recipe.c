/* recipe.c — parse, check and canonicalize build recipes (recipe.h).
 *
 * libinih does the INI syntax; everything else is a table of known keys
 * (one row per section/key with its parser), so an unknown key or section
 * is an error by construction. libinih is fed through a line reader of our
 * own: that is how each handler call knows its line number (Debian's
 * libinih is built without INI_HANDLER_LINENO) and how an over-long line is
 * refused instead of being split silently at 200 bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "builder/recipe.h"
#include "builder/tree-digest.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "measure/vmsa.h"

/* ---- small helpers ---------------------------------------------------- */

static void inputs_free(struct uvm_recipe_inputs *in);

static void input_done(struct uvm_recipe_input *in)
{
	free(in->spec);
	free(in->path);
	free(in->resolved);
	free(in->pkg_name);
	free(in->pkg_version);
	free(in->pkg_arch);
	memset(in, 0, sizeof(*in));
}

static void inputs_free(struct uvm_recipe_inputs *in)
{
	for (size_t i = 0; i < in->n; i++)
		input_done(&in->v[i]);
	free(in->v);
	in->v = NULL;
	in->n = 0;
}

void uvm_recipe_free(struct uvm_recipe *r)
{
	if (!r)
		return;
	free(r->file);
	free(r->base_dir);
	free(r->name);
	input_done(&r->kernel);
	input_done(&r->kernel_config);
	inputs_free(&r->fragments);
	inputs_free(&r->rootfs);
	inputs_free(&r->initrd);
	free(r->disk_layout);
	free(r->cmdline_extra);
	input_done(&r->firmware);
	free(r->vcpus);
	for (size_t i = 0; i < r->n_cpu_types; i++)
		free(r->cpu_types[i]);
	free(r->cpu_types);
	free(r->vmm);
	free(r->output_dir);
	free(r);
}

/* Split s at runs of spaces/tabs into at most max words (pointers into a
 * copy the caller frees via *ret_buf). Returns the count, or -E2BIG. */
static int split_words(const char *s, char **words, int max, char **ret_buf)
{
	char *buf = strdup(s), *save = NULL;
	int n = 0;

	if (!buf)
		return -ENOMEM;
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == max) {
			free(buf);
			return -E2BIG;
		}
		words[n++] = w;
	}
	*ret_buf = buf;
	return n;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_sha256(const char *s, uint8_t out[UVM_SHA256_LEN])
{
	if (strncmp(s, "sha256:", 7) == 0)
		s += 7;
	if (strlen(s) != 64)
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return -EINVAL;
	return uvm_hex_decode(s, out, UVM_SHA256_LEN) < 0 ? -EINVAL : 0;
}

int uvm_recipe_parse_vcpus(const char *s, unsigned **ret, size_t *ret_n)
{
	bool set[513] = { false };
	_cleanup_free_ char *buf = strdup(s);
	_cleanup_free_ unsigned *v = NULL;
	char *save = NULL;
	size_t n = 0;

	if (!buf)
		return -ENOMEM;
	for (char *tok = strtok_r(buf, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		char *dash = strchr(tok, '-');
		uint64_t a, b;

		if (dash)
			*dash = '\0';
		if (parse_u64(tok, 512, &a) < 0 || a < 1)
			return -EINVAL;
		b = a;
		if (dash && (parse_u64(dash + 1, 512, &b) < 0 || b < a))
			return -EINVAL;
		for (uint64_t i = a; i <= b; i++)
			set[i] = true;
	}
	v = calloc(512, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (unsigned i = 1; i <= 512; i++)
		if (set[i])
			v[n++] = i;
	if (n == 0)
		return -EINVAL;
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

/* ---- the parse context ------------------------------------------------ */

struct ctx {
	struct uvm_recipe *r;
	const char *downloads_dir;
	/* the line reader */
	const char *text;
	size_t len, pos;
	unsigned line;
	/* the first error */
	unsigned err_line;
	char err_msg[512];
	bool oom;
	/* continuation handling: the key of the previous handler call */
	char last_section[64], last_key[64];
};

static int fail(struct ctx *c, const char *fmt, ...) _printf_(2, 3);
static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err_line == 0) {
		c->err_line = c->line;
		va_start(ap, fmt);
		vsnprintf(c->err_msg, sizeof(c->err_msg), fmt, ap);
		va_end(ap);
	}
	return 0; /* libinih: handler failed */
}

static char *reader(char *str, int num, void *stream)
{
	struct ctx *c = stream;
	size_t n = 0;

	if (c->pos >= c->len)
		return NULL;
	c->line++;
	while (c->pos + n < c->len && c->text[c->pos + n] != '\n')
		n++;
	if (n > UVM_RECIPE_MAX_LINE || n + 2 > (size_t)num) {
		fail(c, "line longer than %d bytes (continue a value on an indented line)",
		     UVM_RECIPE_MAX_LINE);
		return NULL;
	}
	memcpy(str, c->text + c->pos, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	c->pos += n + (c->pos + n < c->len);
	return str;
}

/* Resolve path against base (absolute paths stay). */
static char *resolve(const char *base, const char *path)
{
	char *s;

	if (path[0] == '/' || !base)
		return strdup(path);
	if (asprintf(&s, "%s/%s", base, path) < 0)
		return NULL;
	return s;
}

static struct uvm_recipe_input *inputs_push(struct ctx *c, struct uvm_recipe_inputs *in)
{
	struct uvm_recipe_input *v = reallocarray(in->v, in->n + 1, sizeof(*v));

	if (!v) {
		c->oom = true;
		return NULL;
	}
	in->v = v;
	memset(&v[in->n], 0, sizeof(v[0]));
	v[in->n].line = c->line;
	return &v[in->n++];
}

/* "[KIND:]PATH [sha256:HEX]" (with_kind) or "PATH [sha256:HEX]". */
static int set_source(struct ctx *c, struct uvm_recipe_input *in, const char *value,
		      bool with_kind, const char *key)
{
	char *w[3];
	_cleanup_free_ char *buf = NULL;
	const char *path;
	int n = split_words(value, w, 3, &buf);

	if (n == -ENOMEM)
		return c->oom = true, 0;
	if (n < 1 || n > 2)
		return fail(c, "%s: expected PATH [sha256:HEX], got '%s'", key, value);
	in->kind = UVM_SOURCE_AUTO;
	path = w[0];
	if (with_kind)
		uvm_source_parse_arg(w[0], &in->kind, &path);
	if (!*path)
		return fail(c, "%s: empty path", key);
	if (n == 2) {
		if (strncmp(w[1], "sha256:", 7) != 0 || parse_sha256(w[1], in->sha256) < 0)
			return fail(c, "%s: '%s' is not sha256: and 64 lowercase hex digits",
				    key, w[1]);
		in->pinned = true;
	}
	in->spec = strdup(w[0]);
	in->path = strdup(path);
	in->resolved = resolve(c->r->base_dir, path);
	if (!in->spec || !in->path || !in->resolved)
		c->oom = true;
	return 1;
}

/* "NAME VERSION ARCH sha256:HEX" -> DOWNLOADS/NAME_VERSION_ARCH.deb (the
 * epoch "N:" dropped from VERSION, as Debian's pool names files). */
static int set_package(struct ctx *c, struct uvm_recipe_input *in, const char *value)
{
	char *w[5];
	_cleanup_free_ char *buf = NULL;
	const char *ver;
	int n = split_words(value, w, 5, &buf);

	if (n == -ENOMEM)
		return c->oom = true, 0;
	if (n != 4)
		return fail(c, "Package: expected NAME VERSION ARCH sha256:HEX, got '%s'", value);
	if (parse_sha256(w[3], in->sha256) < 0 || strncmp(w[3], "sha256:", 7) != 0)
		return fail(c, "Package: '%s' is not sha256: and 64 lowercase hex digits", w[3]);
	for (int i = 0; i < 3; i++)
		if (strchr(w[i], '/'))
			return fail(c, "Package: '%s' may not contain '/'", w[i]);
	if (!c->downloads_dir)
		return fail(c, "Package: no downloads directory to find %s in", w[0]);
	in->pinned = true;
	in->kind = UVM_SOURCE_DEB;
	ver = strchr(w[1], ':') ? strchr(w[1], ':') + 1 : w[1];
	in->pkg_name = strdup(w[0]);
	in->pkg_version = strdup(w[1]);
	in->pkg_arch = strdup(w[2]);
	if (asprintf(&in->path, "%s_%s_%s.deb", w[0], ver, w[2]) < 0)
		in->path = NULL;
	if (!in->pkg_name || !in->pkg_version || !in->pkg_arch || !in->path)
		return c->oom = true, 0;
	in->spec = strdup(in->path);
	in->resolved = resolve(c->downloads_dir, in->path);
	if (!in->spec || !in->resolved)
		c->oom = true;
	return 1;
}

/* A single PATH (File=, Source=, Config= of [Kernel] and [Firmware]); its
 * pin is a separate Sha256= key. */
static int set_path(struct ctx *c, struct uvm_recipe_input *in, const char *value,
		    const char *key)
{
	if (strpbrk(value, " \t"))
		return fail(c, "%s: expected one PATH (the pin goes in its own Sha256= key)", key);
	in->line = c->line;
	in->kind = UVM_SOURCE_AUTO;
	in->spec = strdup(value);
	in->path = strdup(value);
	in->resolved = resolve(c->r->base_dir, value);
	if (!in->spec || !in->path || !in->resolved)
		c->oom = true;
	return 1;
}

static int set_string(struct ctx *c, char **dst, const char *value)
{
	free(*dst);
	*dst = strdup(value);
	if (!*dst)
		c->oom = true;
	return 1;
}

/* ---- the key table ----------------------------------------------------- */

enum key_id {
	K_NAME, K_EPOCH,
	K_KFILE, K_KSOURCE, K_KSHA, K_KCONFIG, K_KCONFIGSHA, K_KFRAG,
	K_RSOURCE, K_RPACKAGE, K_RSIZE, K_RUID, K_RGID,
	K_ISOURCE, K_IPACKAGE, K_ICOMPRESS,
	K_LAYOUT, K_ALIGN,
	K_EXTRA,
	K_FFILE, K_FSOURCE, K_FSHA,
	K_VCPUS, K_CPUTYPES, K_VMM, K_FEATURES, K_POLICY,
	K_OUTDIR,
};

struct key {
	const char *section, *name;
	enum key_id id;
	bool list; /* may repeat (each occurrence or continuation line adds) */
};

static const struct key keys[] = {
	{ "Recipe", "Name", K_NAME, false },
	{ "Recipe", "Epoch", K_EPOCH, false },
	{ "Kernel", "File", K_KFILE, false },
	{ "Kernel", "Source", K_KSOURCE, false },
	{ "Kernel", "Sha256", K_KSHA, false },
	{ "Kernel", "Config", K_KCONFIG, false },
	{ "Kernel", "ConfigSha256", K_KCONFIGSHA, false },
	{ "Kernel", "Fragment", K_KFRAG, true },
	{ "Rootfs", "Source", K_RSOURCE, true },
	{ "Rootfs", "Package", K_RPACKAGE, true },
	{ "Rootfs", "Size", K_RSIZE, false },
	{ "Rootfs", "Uid", K_RUID, false },
	{ "Rootfs", "Gid", K_RGID, false },
	{ "Initrd", "Source", K_ISOURCE, true },
	{ "Initrd", "Package", K_IPACKAGE, true },
	{ "Initrd", "Compress", K_ICOMPRESS, false },
	{ "Disk", "Layout", K_LAYOUT, false },
	{ "Disk", "AlignMiB", K_ALIGN, false },
	{ "Cmdline", "Extra", K_EXTRA, true },
	{ "Firmware", "File", K_FFILE, false },
	{ "Firmware", "Source", K_FSOURCE, false },
	{ "Firmware", "Sha256", K_FSHA, false },
	{ "Measure", "VCPUs", K_VCPUS, false },
	{ "Measure", "CPUTypes", K_CPUTYPES, false },
	{ "Measure", "VMM", K_VMM, false },
	{ "Measure", "GuestFeatures", K_FEATURES, false },
	{ "Measure", "Policy", K_POLICY, false },
	{ "Output", "Directory", K_OUTDIR, false },
};

static const char *const sections[] = {
	"Recipe", "Kernel", "Rootfs", "Initrd", "Disk", "Cmdline", "Firmware",
	"Measure", "Output",
};

static int parse_size(const char *v, uint64_t *ret)
{
	char *end;
	unsigned long long n;
	uint64_t mul = 1;

	if (strcmp(v, "auto") == 0) {
		*ret = 0;
		return 0;
	}
	if (!*v || *v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -EINVAL;
	if (strcmp(end, "K") == 0)
		mul = 1024;
	else if (strcmp(end, "M") == 0)
		mul = 1024 * 1024;
	else if (strcmp(end, "G") == 0)
		mul = 1024ull * 1024 * 1024;
	else if (*end)
		return -EINVAL;
	if (MUL_OVERFLOW((uint64_t)n, mul, ret) || *ret == 0 || *ret % 4096)
		return -EINVAL;
	return 0;
}

/* File= or Source= of [Kernel] / [Firmware]: one of the two, a PATH. */
static int set_mode_path(struct ctx *c, enum uvm_recipe_mode *mode, struct uvm_recipe_input *in,
			 const struct key *k, enum key_id file_id, const char *v)
{
	if (*mode != UVM_RECIPE_NONE)
		return fail(c, "[%s] has both File= and Source=", k->section);
	*mode = k->id == file_id ? UVM_RECIPE_FILE : UVM_RECIPE_BUILD;
	return set_path(c, in, v, k->name);
}

/* Sha256= / ConfigSha256=: the pin of a single-path input. */
static int set_pin(struct ctx *c, struct uvm_recipe_input *in, const struct key *k, const char *v)
{
	if (parse_sha256(v, in->sha256) < 0)
		return fail(c, "%s: expected 64 lowercase hex digits", k->name);
	in->pinned = true;
	return 1;
}

static int handle_key(struct ctx *c, const struct key *k, const char *v)
{
	struct uvm_recipe *r = c->r;
	struct uvm_recipe_input *in;
	uint64_t u;

	switch (k->id) {
	case K_NAME:
		if (!*v || strpbrk(v, " \t/"))
			return fail(c, "Name: expected a word without spaces or '/'");
		return set_string(c, &r->name, v);
	case K_EPOCH:
		if (parse_u64(v, UINT32_MAX, &r->epoch) < 0)
			return fail(c, "Epoch: '%s' is not a number of seconds 0..4294967295", v);
		r->have_epoch = true;
		return 1;
	case K_KFILE:
	case K_KSOURCE:
		return set_mode_path(c, &r->kernel_mode, &r->kernel, k, K_KFILE, v);
	case K_KSHA:
		return set_pin(c, &r->kernel, k, v);
	case K_KCONFIG:
		r->have_kernel_config = true;
		return set_path(c, &r->kernel_config, v, k->name);
	case K_KCONFIGSHA:
		return set_pin(c, &r->kernel_config, k, v);
	case K_KFRAG:
		in = inputs_push(c, &r->fragments);
		return in ? set_source(c, in, v, false, k->name) : 0;
	case K_RSOURCE:
	case K_ISOURCE:
		in = inputs_push(c, k->id == K_RSOURCE ? &r->rootfs : &r->initrd);
		return in ? set_source(c, in, v, true, k->name) : 0;
	case K_RPACKAGE:
	case K_IPACKAGE:
		in = inputs_push(c, k->id == K_RPACKAGE ? &r->rootfs : &r->initrd);
		return in ? set_package(c, in, v) : 0;
	case K_RSIZE:
		if (parse_size(v, &r->rootfs_size) < 0)
			return fail(c, "Size: expected 'auto' or a multiple of 4096 bytes (N, NK, NM, NG)");
		return 1;
	case K_RUID:
	case K_RGID:
		if (parse_u64(v, UINT32_MAX, &u) < 0)
			return fail(c, "%s: expected a number", k->name);
		*(k->id == K_RUID ? &r->uid : &r->gid) = (uint32_t)u;
		return 1;
	case K_ICOMPRESS:
		if (uvm_compress_from_name(v, &r->initrd_compress) < 0)
			return fail(c, "Compress: expected gzip, zstd or none, got '%s'", v);
		return 1;
	case K_LAYOUT:
		if (strcmp(v, "kata") && strcmp(v, "gpt") && strcmp(v, "none"))
			return fail(c, "Layout: expected kata, gpt or none, got '%s'", v);
		return set_string(c, &r->disk_layout, v);
	case K_ALIGN:
		if (parse_u64(v, 65536, &u) < 0 || u == 0)
			return fail(c, "AlignMiB: expected 1..65536");
		r->align_mib = (uint32_t)u;
		return 1;
	case K_EXTRA: {
		char *s;

		if (strchr(v, '"'))
			return fail(c, "Extra: quotes are not supported in kernel parameters");
		if (asprintf(&s, "%s%s%s", r->cmdline_extra ? r->cmdline_extra : "",
			     r->cmdline_extra && *r->cmdline_extra && *v ? " " : "", v) < 0)
			return c->oom = true, 0;
		free(r->cmdline_extra);
		r->cmdline_extra = s;
		return 1;
	}
	case K_FFILE:
	case K_FSOURCE:
		return set_mode_path(c, &r->firmware_mode, &r->firmware, k, K_FFILE, v);
	case K_FSHA:
		return set_pin(c, &r->firmware, k, v);
	case K_VCPUS:
		free(r->vcpus);
		r->vcpus = NULL;
		if (uvm_recipe_parse_vcpus(v, &r->vcpus, &r->n_vcpus) < 0)
			return fail(c, "VCPUs: expected counts 1..512 and ranges, e.g. 1-8,16");
		return 1;
	case K_CPUTYPES: {
		char *w[32];
		_cleanup_free_ char *buf = NULL;
		int n = split_words(v, w, 32, &buf);

		if (n <= 0)
			return fail(c, "CPUTypes: expected 1..32 CPU type names");
		r->cpu_types = calloc(n, sizeof(char *));
		if (!r->cpu_types)
			return c->oom = true, 0;
		for (int i = 0; i < n; i++) {
			if (!uvm_vcpu_type_find(w[i]))
				return fail(c, "CPUTypes: unknown CPU type '%s'", w[i]);
			for (int j = 0; j < i; j++)
				if (strcmp(w[i], w[j]) == 0)
					return fail(c, "CPUTypes: '%s' given twice", w[i]);
			r->cpu_types[i] = strdup(w[i]);
			if (!r->cpu_types[i])
				return c->oom = true, 0;
			r->n_cpu_types = i + 1;
		}
		return 1;
	}
	case K_VMM:
		if (uvm_vmm_type_parse(v) < 0)
			return fail(c, "VMM: expected QEMU, ec2 or gce, got '%s'", v);
		return set_string(c, &r->vmm, v);
	case K_FEATURES:
		if (parse_u64(v, UINT64_MAX, &r->guest_features) < 0)
			return fail(c, "GuestFeatures: expected a number (e.g. 0x1)");
		return 1;
	case K_POLICY:
		if (parse_u64(v, UINT64_MAX, &r->policy) < 0)
			return fail(c, "Policy: expected a number (e.g. 0x30000)");
		return 1;
	case K_OUTDIR:
		if (!*v)
			return fail(c, "Directory: empty");
		free(r->output_dir);
		r->output_dir = resolve(r->base_dir, v);
		if (!r->output_dir)
			c->oom = true;
		return 1;
	}
	return fail(c, "internal: unhandled key");
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct ctx *c = user;
	const struct key *k = NULL;
	bool known_section = false;

	if (c->err_line || c->oom)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		known_section |= strcmp(section, sections[i]) == 0;
	if (!*section)
		return fail(c, "key '%s' outside of a [Section]", name);
	if (!known_section)
		return fail(c, "unknown section [%s]", section);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			k = &keys[i];
	if (!k)
		return fail(c, "unknown key '%s' in [%s]", name, section);
	if (!k->list) {
		if (c->r->seen & (1ull << k->id))
			return fail(c, "%s= given more than once in [%s]", name, section);
		c->r->seen |= 1ull << k->id;
	}
	if (!*value && k->id != K_EXTRA)
		return fail(c, "%s: empty value", name);
	return handle_key(c, k, value);
}

/* libinih never calls the handler for a section without keys; find the
 * section headers ourselves so that an unknown one is still an error. */
static int check_sections(struct ctx *c)
{
	unsigned line = 0;

	for (size_t pos = 0; pos < c->len;) {
		size_t n = 0, i;
		const char *s = c->text + pos;
		bool known = false;

		line++;
		while (pos + n < c->len && s[n] != '\n')
			n++;
		pos += n + 1;
		for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		if (i > 0 || i >= n || s[i] != '[')
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(sections); j++) {
			size_t l = strlen(sections[j]);

			if (n >= l + 2 && strncmp(s + 1, sections[j], l) == 0 && s[l + 1] == ']')
				known = true;
		}
		if (!known) {
			const char *end = memchr(s, ']', n);

			c->line = line;
			fail(c, "unknown section %.*s", end ? (int)(end - s + 1) : (int)n, s);
			return -EINVAL;
		}
	}
	return 0;
}

/* What must hold for the recipe as a whole; the message names the section. */
static int check_recipe(struct ctx *c)
{
	struct uvm_recipe *r = c->r;

	c->line = 0;
#define NEED(cond, ...) do { if (!(cond)) { fail(c, __VA_ARGS__); return -EINVAL; } } while (0)
	NEED(r->kernel_mode != UVM_RECIPE_NONE, "[Kernel] needs File= (a bzImage) or Source= (kernel source to build)");
	NEED(r->kernel_mode == UVM_RECIPE_BUILD || r->kernel.pinned,
	     "[Kernel] File= needs Sha256=");
	NEED(r->kernel_mode == UVM_RECIPE_BUILD || r->fragments.n == 0,
	     "[Kernel] Fragment= only goes with Source= (a prebuilt kernel is not configured)");
	NEED(r->kernel_mode == UVM_RECIPE_FILE || !r->have_kernel_config,
	     "[Kernel] Config= only goes with File= (a built kernel has its own)");
	NEED(!r->have_kernel_config || r->kernel_config.pinned, "[Kernel] Config= needs ConfigSha256=");
	NEED(r->kernel_config.pinned == r->have_kernel_config, "[Kernel] ConfigSha256= without Config=");
	NEED(r->rootfs.n > 0, "[Rootfs] needs at least one Source= or Package=");
	NEED(r->firmware_mode != UVM_RECIPE_NONE,
	     "[Firmware] needs File= (an OVMF image) or Source= (the edk2 pin to build from)");
	NEED(r->firmware_mode == UVM_RECIPE_BUILD || r->firmware.pinned, "[Firmware] File= needs Sha256=");
	NEED(!(r->seen & (1ull << K_ICOMPRESS)) || r->have_initrd || r->initrd.n,
	     "[Initrd] Compress= without Source= or Package=");
#undef NEED
	r->have_initrd = r->initrd.n > 0;
	/* defaults, made explicit in the canonical form */
	if (!r->name && !(r->name = strdup("uvmkit")))
		return -ENOMEM;
	if (!r->disk_layout && !(r->disk_layout = strdup("kata")))
		return -ENOMEM;
	if (!r->align_mib)
		r->align_mib = 128;
	if (!r->cmdline_extra && !(r->cmdline_extra = strdup("")))
		return -ENOMEM;
	if (!r->vcpus) {
		if (!(r->vcpus = calloc(1, sizeof(unsigned))))
			return -ENOMEM;
		r->vcpus[0] = 1;
		r->n_vcpus = 1;
	}
	if (!r->cpu_types) {
		if (!(r->cpu_types = calloc(1, sizeof(char *))) ||
		    !(r->cpu_types[0] = strdup("EPYC-v4")))
			return -ENOMEM;
		r->n_cpu_types = 1;
	}
	if (!r->vmm && !(r->vmm = strdup("QEMU")))
		return -ENOMEM;
	if (!(r->seen & (1ull << K_FEATURES)))
		r->guest_features = 0x1;
	if (!(r->seen & (1ull << K_POLICY)))
		r->policy = 0x30000;
	return 0;
}

int uvm_recipe_parse_text(const char *text, size_t len, const char *name,
			  const char *base_dir, const char *downloads_dir,
			  struct uvm_recipe **ret, struct uvm_error *err)
{
	_cleanup_recipe_ struct uvm_recipe *r = calloc(1, sizeof(*r));
	struct ctx c = { .r = r, .downloads_dir = downloads_dir, .text = text, .len = len };
	int line, k;

	if (!r)
		return -ENOMEM;
	r->file = strdup(name);
	r->base_dir = strdup(base_dir ? base_dir : ".");
	if (!r->file || !r->base_dir)
		return -ENOMEM;
	r->initrd_compress = UVM_COMPRESS_GZIP;
	if (memchr(text, '\0', len))
		return uvm_errorf(err, -EINVAL, "%s: not a text file (NUL byte)", name);
	if (check_sections(&c) < 0)
		return uvm_errorf(err, -EINVAL, "%s:%u: %s", name, c.err_line, c.err_msg);
	c.line = 0;
	line = ini_parse_stream(reader, &c, handler, &c);
	if (c.oom || line == -2)
		return uvm_errorf(err, -ENOMEM, "%s: out of memory", name);
	if (c.err_line && (line <= 0 || (unsigned)line >= c.err_line))
		return uvm_errorf(err, -EINVAL, "%s:%u: %s", name, c.err_line, c.err_msg);
	if (line != 0)
		return uvm_errorf(err, -EINVAL, "%s:%d: expected [Section], Key=Value or a comment", name, line);
	k = check_recipe(&c);
	if (k == -ENOMEM)
		return uvm_errorf(err, k, "%s: out of memory", name);
	if (k < 0)
		return uvm_errorf(err, k, "%s: %s", name, c.err_msg);
	*ret = TAKE_PTR(r);
	return 0;
}

int uvm_recipe_load(const char *path, const char *downloads_dir,
		    struct uvm_recipe **ret, struct uvm_error *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_free_ char *copy = strdup(path);
	size_t len;
	int r;

	if (!copy)
		return -ENOMEM;
	r = uvm_read_file(path, UVM_RECIPE_MAX_SIZE, &buf, &len, err);
	if (r < 0)
		return r;
	return uvm_recipe_parse_text((const char *)buf, len, path, dirname(copy),
				     downloads_dir, ret, err);
}

/* ---- canonical form ---------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) _printf_(2, 3);
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *t, *n;
	int l;

	if (b->oom)
		return;
	va_start(ap, fmt);
	l = vasprintf(&t, fmt, ap);
	va_end(ap);
	if (l < 0 || !(n = realloc(b->s, b->len + l + 1))) {
		if (l >= 0)
			free(t);
		b->oom = true;
		return;
	}
	memcpy(n + b->len, t, l + 1);
	b->s = n;
	b->len += l;
	free(t);
}

static void sb_input(struct sbuf *b, const char *key, const struct uvm_recipe_input *in)
{
	char hex[65];

	if (in->pkg_name) {
		uvm_hex_encode(in->sha256, 32, hex);
		sb_printf(b, "%s=%s %s %s sha256:%s\n", key, in->pkg_name, in->pkg_version,
			  in->pkg_arch, hex);
		return;
	}
	sb_printf(b, "%s=%s", key, in->spec);
	if (in->pinned) {
		uvm_hex_encode(in->sha256, 32, hex);
		sb_printf(b, " sha256:%s", hex);
	}
	sb_printf(b, "\n");
}

static void sb_pin(struct sbuf *b, const char *key, const struct uvm_recipe_input *in)
{
	char hex[65];

	sb_printf(b, "%s=%s\n", key, in->spec);
	if (in->pinned) {
		uvm_hex_encode(in->sha256, 32, hex);
		sb_printf(b, "%s%s=%s\n", key, strcmp(key, "Config") == 0 ? "Sha256" : "", hex);
	}
}

int uvm_recipe_canonical(const struct uvm_recipe *r, char **ret, struct uvm_error *err)
{
	struct sbuf b = { 0 };
	char *extra, *save = NULL;

	sb_printf(&b, "[Recipe]\nName=%s\nEpoch=%" PRIu64 "\n", r->name, r->epoch);
	sb_printf(&b, "\n[Kernel]\n");
	if (r->kernel_mode == UVM_RECIPE_FILE) {
		sb_printf(&b, "File=%s\n", r->kernel.spec);
	} else {
		sb_printf(&b, "Source=%s\n", r->kernel.spec);
	}
	if (r->kernel.pinned) {
		char hex[65];

		uvm_hex_encode(r->kernel.sha256, 32, hex);
		sb_printf(&b, "Sha256=%s\n", hex);
	}
	if (r->have_kernel_config)
		sb_pin(&b, "Config", &r->kernel_config);
	for (size_t i = 0; i < r->fragments.n; i++)
		sb_input(&b, "Fragment", &r->fragments.v[i]);
	sb_printf(&b, "\n[Rootfs]\n");
	for (size_t i = 0; i < r->rootfs.n; i++)
		sb_input(&b, r->rootfs.v[i].pkg_name ? "Package" : "Source", &r->rootfs.v[i]);
	if (r->rootfs_size)
		sb_printf(&b, "Size=%" PRIu64 "\n", r->rootfs_size);
	else
		sb_printf(&b, "Size=auto\n");
	sb_printf(&b, "Uid=%" PRIu32 "\nGid=%" PRIu32 "\n", r->uid, r->gid);
	if (r->have_initrd) {
		sb_printf(&b, "\n[Initrd]\n");
		for (size_t i = 0; i < r->initrd.n; i++)
			sb_input(&b, r->initrd.v[i].pkg_name ? "Package" : "Source", &r->initrd.v[i]);
		sb_printf(&b, "Compress=%s\n", uvm_compress_name(r->initrd_compress));
	}
	sb_printf(&b, "\n[Disk]\nLayout=%s\nAlignMiB=%" PRIu32 "\n", r->disk_layout, r->align_mib);
	sb_printf(&b, "\n[Cmdline]\n");
	extra = strdup(r->cmdline_extra);
	if (!extra)
		b.oom = true;
	for (char *w = extra ? strtok_r(extra, " \t", &save) : NULL; w;
	     w = strtok_r(NULL, " \t", &save))
		sb_printf(&b, "Extra=%s\n", w);
	free(extra);
	sb_printf(&b, "\n[Firmware]\n%s=%s\n",
		  r->firmware_mode == UVM_RECIPE_FILE ? "File" : "Source", r->firmware.spec);
	if (r->firmware.pinned) {
		char hex[65];

		uvm_hex_encode(r->firmware.sha256, 32, hex);
		sb_printf(&b, "Sha256=%s\n", hex);
	}
	sb_printf(&b, "\n[Measure]\nVCPUs=");
	for (size_t i = 0; i < r->n_vcpus;) {
		size_t j = i;

		while (j + 1 < r->n_vcpus && r->vcpus[j + 1] == r->vcpus[j] + 1)
			j++;
		sb_printf(&b, "%s%u", i ? "," : "", r->vcpus[i]);
		if (j > i)
			sb_printf(&b, "-%u", r->vcpus[j]);
		i = j + 1;
	}
	sb_printf(&b, "\nCPUTypes=");
	for (size_t i = 0; i < r->n_cpu_types; i++)
		sb_printf(&b, "%s%s", i ? " " : "", r->cpu_types[i]);
	sb_printf(&b, "\nVMM=%s\nGuestFeatures=0x%" PRIx64 "\nPolicy=0x%" PRIx64 "\n",
		  r->vmm, r->guest_features, r->policy);
	/* [Output] is where to write, not what: it is not part of the form. */
	if (b.oom) {
		free(b.s);
		return uvm_errorf(err, -ENOMEM, "out of memory");
	}
	*ret = b.s;
	return 0;
}

/* ---- input checks and the seed ---------------------------------------- */

void uvm_recipe_digests_done(struct uvm_recipe_digests *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].kind);
		free(d->v[i].name);
		free(d->v[i].uri);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

static int digests_push(struct uvm_recipe_digests *d, const char *kind, const char *name,
			const char *uri, bool tree, const uint8_t sha[32])
{
	struct uvm_recipe_digest *v = reallocarray(d->v, d->n + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	d->v = v;
	v += d->n;
	memset(v, 0, sizeof(*v));
	v->kind = strdup(kind);
	v->name = strdup(name);
	v->uri = uri ? strdup(uri) : NULL;
	v->tree = tree;
	memcpy(v->sha256, sha, 32);
	d->n++;
	if (!v->kind || !v->name || (uri && !v->uri))
		return -ENOMEM;
	return 0;
}

/* Check one input and record its digest. need_pin: a file must be pinned. */
static int check_input(const struct uvm_recipe *r, const struct uvm_recipe_input *in,
		       const char *kind, bool source, bool need_pin, const char *spool_dir,
		       struct uvm_recipe_digests *d, struct uvm_error *err)
{
	struct stat st;
	uint8_t sha[32];
	char want[65], got[65];
	_cleanup_free_ char *uri = NULL;
	bool tree = false;
	int k;

	if (stat(in->resolved, &st) < 0) {
		k = -errno;
		if (in->pkg_name)
			return uvm_errorf(err, k, "%s:%u: package %s=%s (%s) is not in the downloads directory as %s (run tools/fetch-pinned.sh or make check-deps)",
					  r->file, in->line, in->pkg_name, in->pkg_version,
					  in->pkg_arch, in->resolved);
		return uvm_errorf_errno(err, k, "%s:%u: %s", r->file, in->line, in->resolved);
	}
	if (S_ISDIR(st.st_mode) && source) {
		struct uvm_tree *t = NULL;
		struct uvm_source_opts o = { .uid = r->uid, .gid = r->gid };

		k = uvm_tree_new(spool_dir ? spool_dir : "/tmp", &t, err);
		if (k >= 0)
			k = uvm_source_add(t, in->resolved, in->kind, &o, err);
		if (k >= 0)
			k = uvm_tree_digest(t, sha, err);
		uvm_tree_free(t);
		if (k < 0)
			return uvm_error_prefix(err, k, "%s:%u", r->file, in->line);
		tree = true;
	} else if (!S_ISREG(st.st_mode)) {
		return uvm_errorf(err, -EINVAL, "%s:%u: %s: not a regular file%s", r->file,
				  in->line, in->resolved, source ? " or directory" : "");
	} else {
		if (need_pin && !in->pinned)
			return uvm_errorf(err, -EINVAL, "%s:%u: %s: a file input needs a sha256: pin",
					  r->file, in->line, in->spec);
		k = uvm_file_digests(in->resolved, sha, NULL, err);
		if (k < 0)
			return uvm_error_prefix(err, k, "%s:%u", r->file, in->line);
	}
	if (in->pinned && memcmp(sha, in->sha256, 32) != 0) {
		uvm_hex_encode(sha, 32, got);
		uvm_hex_encode(in->sha256, 32, want);
		return uvm_errorf(err, -EBADMSG, "%s:%u: %s: %s %s does not match the pin %s",
				  r->file, in->line, in->resolved,
				  tree ? "tree digest" : "sha256", got, want);
	}
	if (in->pkg_name && asprintf(&uri, "deb:%s=%s/%s", in->pkg_name, in->pkg_version,
				     in->pkg_arch) < 0)
		return -ENOMEM;
	k = digests_push(d, in->pkg_name ? "package" : kind, in->pkg_name ? in->pkg_name : in->spec,
			 uri, tree, sha);
	return k < 0 ? uvm_errorf(err, k, "out of memory") : 0;
}

int uvm_recipe_check_inputs(const struct uvm_recipe *r, const char *spool_dir,
			    struct uvm_recipe_digests *ret, struct uvm_error *err)
{
	struct uvm_recipe_digests d = { 0 };
	_cleanup_free_ char *canon = NULL;
	uint8_t sha[32];
	int k;

#define CHECK(x) do { k = (x); if (k < 0) goto fail; } while (0)
	CHECK(uvm_recipe_canonical(r, &canon, err));
	CHECK(uvm_sha256(canon, strlen(canon), sha));
	CHECK(digests_push(&d, "recipe", "recipe.ini", NULL, false, sha));
	if (r->kernel_mode == UVM_RECIPE_FILE)
		CHECK(check_input(r, &r->kernel, "kernel", false, true, spool_dir, &d, err));
	else
		CHECK(check_input(r, &r->kernel, "kernel-source", false, false, spool_dir, &d, err));
	if (r->have_kernel_config)
		CHECK(check_input(r, &r->kernel_config, "kernel-config", false, true, spool_dir, &d, err));
	for (size_t i = 0; i < r->fragments.n; i++)
		CHECK(check_input(r, &r->fragments.v[i], "kernel-fragment", false, false, spool_dir, &d, err));
	for (size_t i = 0; i < r->rootfs.n; i++)
		CHECK(check_input(r, &r->rootfs.v[i], "rootfs-source", true, true, spool_dir, &d, err));
	for (size_t i = 0; i < r->initrd.n; i++)
		CHECK(check_input(r, &r->initrd.v[i], "initrd-source", true, true, spool_dir, &d, err));
	CHECK(check_input(r, &r->firmware,
			  r->firmware_mode == UVM_RECIPE_FILE ? "firmware" : "firmware-source",
			  false, r->firmware_mode == UVM_RECIPE_FILE, spool_dir, &d, err));
#undef CHECK
	*ret = d;
	return 0;
fail:
	uvm_recipe_digests_done(&d);
	if (k == -ENOMEM && err && !err->msg[0])
		uvm_errorf(err, k, "out of memory");
	return k;
}

int uvm_recipe_seed(const char *canonical, const struct uvm_recipe_digests *d,
		    uint8_t seed[UVM_SHA256_LEN])
{
	struct sbuf b = { 0 };
	char hex[65];
	int k;

	sb_printf(&b, "uvmkit-seed-v1\n%s", canonical);
	for (size_t i = 0; i < d->n; i++) {
		uvm_hex_encode(d->v[i].sha256, 32, hex);
		sb_printf(&b, "%s %s %s\n", d->v[i].kind, d->v[i].name, hex);
	}
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	k = uvm_sha256(b.s, b.len, seed);
	free(b.s);
	return k;
}

/* ---- the built-in default recipe -------------------------------------- */

/* Paths are relative to the uvmkit data directory (the source tree, or
 * PREFIX/share/uvmkit when installed); Package= is found in the downloads
 * directory. Keep in step with rootfs/minimal/packages.pin,
 * kernel-config/ and firmware/edk2.pin. */
const char uvm_recipe_default_text[] =
	"# uvmkit's built-in default recipe (uvmkit build without -c).\n"
	"[Recipe]\n"
	"Name=uvmkit-default\n"
	"# 2024-01-01T00:00:00Z\n"
	"Epoch=1704067200\n"
	"\n"
	"[Kernel]\n"
	"Source=kernel-config/linux-source.pin\n"
	"Fragment=kernel-config/00-base.conf\n"
	"Fragment=kernel-config/10-x86_64.conf\n"
	"Fragment=kernel-config/20-virtio.conf\n"
	"Fragment=kernel-config/30-filesystems.conf\n"
	"Fragment=kernel-config/40-container.conf\n"
	"Fragment=kernel-config/50-dm-verity.conf\n"
	"Fragment=kernel-config/60-sev-snp.conf\n"
	"Fragment=kernel-config/90-reproducible.conf\n"
	"\n"
	"[Rootfs]\n"
	"Package=busybox-static 1:1.35.0-4+deb12u1+b1 amd64 sha256:3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744\n"
	"Source=rootfs/minimal/overlay\n"
	"\n"
	"[Disk]\n"
	"Layout=kata\n"
	"\n"
	"[Cmdline]\n"
	"Extra=console=ttyS0 panic=-1\n"
	"\n"
	"[Firmware]\n"
	"Source=firmware/edk2.pin\n"
	"\n"
	"[Measure]\n"
	"VCPUs=1-8\n"
	"CPUTypes=EPYC-v4 EPYC-Milan EPYC-Genoa\n"
	"VMM=QEMU\n"
	"GuestFeatures=0x1\n"
	"Policy=0x30000\n";
