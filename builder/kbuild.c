/* kbuild.c — the guest kernel build driver (kbuild.h): pinned source,
 * olddefconfig with the survival check, and `make bzImage` out of tree in
 * a pinned environment, with a content-addressed cache of the results.
 *
 * Scratch layout (one directory, removed at the end whatever happens):
 *   WORK/src/linux-source-6.1   the unpacked tarball (unless cached)
 *   WORK/obj                    O= of every make run
 *   WORK/make.log               output of every make run (or env.log_path)
 *   WORK/probe.txt              output of `gcc --version` and friends
 *   WORK/out                    the result, before it moves to the cache
 *                               (or straight to the output)
 */
#include "kbuild.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "builder/kconfig.h"
#include "common/cache.h"
#include "common/canonjson.h"
#include "common/fileio.h"
#include "common/hash.h"
#include "common/hex.h"
#include "common/spawn.h"

#define LOG_TAIL_LINES 40

static inline void cleanup_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static inline void cleanup_json_decrefp(json_t **j)
{
	json_decref(*j);
}

/* ---- pin ---------------------------------------------------------------- */

void uvm_kernel_pin_done(struct uvm_kernel_pin *pin)
{
	free(pin->package);
	free(pin->version);
	free(pin->file);
	*pin = (struct uvm_kernel_pin){ 0 };
}

int uvm_kernel_pin_load(const char *path, struct uvm_kernel_pin *ret,
			struct uvm_error *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = uvm_read_file(path, 64 * 1024, &buf, &len, err);
	if (r < 0)
		return r;
	struct uvm_kernel_pin pin = { 0 };
	bool have_sha = false;
	unsigned lineno = 0;
	char *save = NULL;
	for (char *l = strtok_r((char *)buf, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (l[0] == '#' || l[0] == '\0')
			continue;
		char *eq = strchr(l, '=');
		if (!eq) {
			r = uvm_errorf(err, -EINVAL,
				       "%s:%u: expected key=value", path, lineno);
			goto fail;
		}
		*eq = '\0';
		const char *v = eq + 1;
		char **slot = strcmp(l, "package") == 0 ? &pin.package
			      : strcmp(l, "version") == 0 ? &pin.version
			      : strcmp(l, "file") == 0	  ? &pin.file
							  : NULL;
		if (slot) {
			free(*slot);
			if (!(*slot = strdup(v))) {
				r = -ENOMEM;
				goto fail;
			}
		} else if (strcmp(l, "sha256") == 0) {
			if (strlen(v) != 64 ||
			    uvm_hex_decode(v, pin.sha256, 32) < 0) {
				r = uvm_errorf(err, -EINVAL,
					       "%s:%u: sha256 is not 64 hex "
					       "digits",
					       path, lineno);
				goto fail;
			}
			have_sha = true;
		} else {
			r = uvm_errorf(err, -EINVAL, "%s:%u: unknown key '%s'",
				       path, lineno, l);
			goto fail;
		}
	}
	if (!pin.package || !pin.version || !pin.file || !have_sha) {
		r = uvm_errorf(err, -EINVAL,
			       "%s: package, version, file and sha256 are all "
			       "required",
			       path);
		goto fail;
	}
	*ret = pin;
	return 0;
fail:
	uvm_kernel_pin_done(&pin);
	return r;
}

/* ---- environment -------------------------------------------------------- */

int uvm_kernel_timestamp(uint64_t epoch, char buf[32])
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
					    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
					      "May", "Jun", "Jul", "Aug",
					      "Sep", "Oct", "Nov", "Dec" };
	if (epoch > 253402300799ull) /* 9999-12-31T23:59:59Z */
		return -ERANGE;
	time_t t = (time_t)epoch;
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return -ERANGE;
	snprintf(buf, 32, "%s %s %2d %02d:%02d:%02d UTC %d", days[tm.tm_wday],
		 months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, tm.tm_year + 1900);
	return 0;
}

/* The names and values of the pinned variables, in kernel.json order. */
struct pinned_env {
	char timestamp[32];
	char epoch[24];
};

static int build_env(const struct uvm_kernel_env *e, struct pinned_env *pe,
		     char ***ret, struct uvm_error *err)
{
	int r = uvm_kernel_timestamp(e->epoch, pe->timestamp);
	if (r < 0)
		return uvm_errorf(err, r, "epoch %llu is out of range",
				  (unsigned long long)e->epoch);
	snprintf(pe->epoch, sizeof(pe->epoch), "%llu",
		 (unsigned long long)e->epoch);
	_cleanup_(uvm_env_freep) char **env = NULL;
	const char *kv[][2] = {
		{ "PATH", e->path ? e->path : UVM_KERNEL_PATH },
		{ "LC_ALL", "C" },
		{ "TZ", "UTC" },
		{ "HOME", "/nonexistent" },
		{ "SOURCE_DATE_EPOCH", pe->epoch },
		{ "KBUILD_BUILD_TIMESTAMP", pe->timestamp },
		{ "KBUILD_BUILD_USER", "uvmkit" },
		{ "KBUILD_BUILD_HOST", "uvmkit" },
		{ "KBUILD_BUILD_VERSION", "1" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kv); i++)
		if (uvm_env_set(&env, kv[i][0], kv[i][1]) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(env);
	return 0;
}

/* ---- scratch ------------------------------------------------------------ */

struct work {
	char *dir;	/* removed by work_done */
	char **env;	/* pinned environment */
	int log_fd;	/* make's output */
	char *log_path; /* its path (for the tail in messages) */
	bool keep_log;	/* log_path is the caller's: name it in messages */
	struct pinned_env pe;
};

static void work_done(struct work *w)
{
	if (w->log_fd >= 0)
		close(w->log_fd);
	if (w->dir)
		uvm_rm_rf(w->dir);
	free(w->dir);
	free(w->log_path);
	uvm_env_free(w->env);
	*w = (struct work){ .log_fd = -1 };
}

/* The directory a new output path lives in (malloc'd). */
static char *parent_of(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return NULL;
	return strdup(dirname(copy));
}

static int work_begin(struct work *w, const struct uvm_kernel_env *e,
		      const char *output, struct uvm_error *err)
{
	*w = (struct work){ .log_fd = -1 };
	/* Absolute: make runs with -C and O= from another directory. */
	_cleanup_free_ char *rel = e->work_dir ? strdup(e->work_dir)
					       : parent_of(output);
	if (!rel)
		return -ENOMEM;
	_cleanup_free_ char *parent = realpath(rel, NULL);
	if (!parent)
		return uvm_errorf_errno(err, -errno, "%s", rel);
	if (asprintf(&w->dir, "%s/.uvmkit-kernel.XXXXXX", parent) < 0) {
		w->dir = NULL;
		return -ENOMEM;
	}
	if (!mkdtemp(w->dir)) {
		int r = -errno;
		free(w->dir);
		w->dir = NULL;
		return uvm_errorf_errno(err, r, "%s: cannot create a scratch "
					"directory", parent);
	}
	int r = build_env(e, &w->pe, &w->env, err);
	if (r < 0)
		return r;
	w->keep_log = e->log_path != NULL;
	if (e->log_path)
		w->log_path = strdup(e->log_path);
	else if (asprintf(&w->log_path, "%s/make.log", w->dir) < 0)
		w->log_path = NULL;
	if (!w->log_path)
		return -ENOMEM;
	w->log_fd = open(w->log_path,
			 O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
			 0644);
	if (w->log_fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", w->log_path);
	return 0;
}

static int run_in(struct work *w, const char *const *argv, int log_fd,
		  struct uvm_error *err)
{
	struct uvm_spawn s = {
		.argv = argv,
		.envp = (const char *const *)w->env,
		.cwd = w->dir,
		.log_fd = log_fd,
		.umask = 022,
	};
	return uvm_spawn_run(&s, NULL, err);
}

/* The part of a failed build's log tail that fits in a message (struct
 * uvm_error holds 1 KiB, and compiler lines with absolute paths are long):
 * the last lines that mention an error, else the last lines, each cut to
 * 200 bytes. */
static void log_excerpt(const char *tail, char *out, size_t size)
{
	const char *lines[LOG_TAIL_LINES * 2];
	size_t n = 0, nerr = 0;
	bool is_err[ARRAY_SIZE(lines)];
	for (const char *l = tail; *l && n < ARRAY_SIZE(lines);) {
		size_t len = strcspn(l, "\n");
		lines[n] = l;
		is_err[n] = memmem(l, len, "error", 5) ||
			    memmem(l, len, "Error", 5) != NULL;
		nerr += is_err[n];
		n++;
		l += len + (l[len] == '\n');
	}
	size_t want = nerr ? MIN(nerr, 4) : MIN(n, 6), used = 0, taken = 0;
	out[0] = '\0';
	/* Walk back to find the first line to show, then print forward. */
	size_t first = n;
	while (first > 0 && taken < want) {
		first--;
		if (!nerr || is_err[first])
			taken++;
	}
	for (size_t i = first; i < n && used + 1 < size; i++) {
		if (nerr && !is_err[i])
			continue;
		size_t len = strcspn(lines[i], "\n");
		int k = snprintf(out + used, size - used, "%s%.*s",
				 used ? "\n" : "", (int)MIN(len, 200), lines[i]);
		if (k < 0)
			break;
		used = MIN(used + (size_t)k, size - 1);
	}
}

/* Run make; on failure the message ends with the log's last lines. */
static int run_make(struct work *w, const char *src, const char *obj,
		    const char *const *args, struct uvm_error *err)
{
	_cleanup_free_ char *c = NULL, *o = NULL;
	if (asprintf(&c, "-C%s", src) < 0)
		return -ENOMEM;
	if (asprintf(&o, "O=%s", obj) < 0)
		return -ENOMEM;
	const char *argv[16] = { "make", "-s", c, o };
	size_t n = 4;
	for (size_t i = 0; args[i] && n < ARRAY_SIZE(argv) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	int r = run_in(w, argv, w->log_fd, err);
	if (r < 0 && r != -EPROTO)
		return r;
	if (r == -EPROTO) {
		_cleanup_free_ char *tail = NULL;
		char excerpt[720];
		fsync(w->log_fd);
		if (uvm_log_tail(w->log_path, LOG_TAIL_LINES, &tail) < 0)
			tail = NULL;
		log_excerpt(tail ? tail : "(no log)", excerpt, sizeof(excerpt));
		return uvm_errorf(err, r, "make %s failed; last lines of the "
				  "build log%s%s:\n%s",
				  args[0], w->keep_log ? " " : "",
				  w->keep_log ? w->log_path : "", excerpt);
	}
	return 0;
}

/* First line of `prog --version` in the pinned environment. */
static int probe_version(struct work *w, const char *prog, char **ret,
			 struct uvm_error *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/probe.txt", w->dir) < 0)
		return -ENOMEM;
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_TRUNC |
						    O_CLOEXEC,
				      0644);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	const char *argv[] = { prog, "--version", NULL };
	int r = run_in(w, argv, fd, err);
	if (r < 0)
		return uvm_error_prefix(err, r, "toolchain");
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	r = uvm_read_file(path, 1 << 20, &buf, &len, err);
	if (r < 0)
		return r;
	size_t l = strcspn((char *)buf, "\n");
	if (l == 0)
		return uvm_errorf(err, -EPROTO, "%s --version printed nothing",
				  prog);
	*ret = strndup((char *)buf, l);
	return *ret ? 0 : -ENOMEM;
}

struct toolchain {
	char *gcc, *ld, *make;
};

static void toolchain_done(struct toolchain *t)
{
	free(t->gcc);
	free(t->ld);
	free(t->make);
}

static int probe_toolchain(struct work *w, struct toolchain *t,
			   struct uvm_error *err)
{
	int r = probe_version(w, "gcc", &t->gcc, err);
	if (r >= 0)
		r = probe_version(w, "ld", &t->ld, err);
	if (r >= 0)
		r = probe_version(w, "make", &t->make, err);
	return r;
}

/* ---- source ------------------------------------------------------------- */

struct source {
	bool tarball;
	uint8_t sha256[32]; /* of the tarball */
	char *dir;	    /* the kernel tree (top Makefile) */
};

static void source_done(struct source *s)
{
	free(s->dir);
	*s = (struct source){ 0 };
}

/* Check a tarball against the pin; fill s->tarball/sha256. Directories
 * pass through (s->tarball false, s->dir their real path). */
static int source_identify(const struct uvm_kernel_env *e, struct source *s,
			   struct uvm_error *err)
{
	const char *src = e->source ? e->source : e->pin ? e->pin->file : NULL;
	if (!src)
		return uvm_errorf(err, -EINVAL, "no kernel source and no pin");
	struct stat st;
	if (stat(src, &st) < 0)
		return uvm_errorf_errno(err, -errno, "kernel source %s", src);
	if (S_ISDIR(st.st_mode)) {
		s->tarball = false;
		s->dir = realpath(src, NULL);
		if (!s->dir)
			return uvm_errorf_errno(err, -errno, "%s", src);
		return 0;
	}
	if (!e->pin)
		return uvm_errorf(err, -EINVAL,
				  "%s: a source tarball needs a pin (sha256)",
				  src);
	int r = uvm_file_digests(src, s->sha256, NULL, err);
	if (r < 0)
		return r;
	if (memcmp(s->sha256, e->pin->sha256, 32) != 0) {
		char got[65], want[65];
		uvm_hex_encode(s->sha256, 32, got);
		uvm_hex_encode(e->pin->sha256, 32, want);
		return uvm_errorf(err, -EBADMSG,
				  "%s: sha256 %s does not match the pin %s "
				  "(%s %s)",
				  src, got, want, e->pin->package,
				  e->pin->version);
	}
	s->tarball = true;
	return 0;
}

/* The one directory in dir that holds a kernel tree (a top Makefile). */
static int find_top(const char *dir, char **ret, struct uvm_error *err)
{
	_cleanup_(cleanup_closedirp) DIR *d = opendir(dir);
	if (!d)
		return uvm_errorf_errno(err, -errno, "%s", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *mk = NULL;
		if (asprintf(&mk, "%s/%s/Makefile", dir, de->d_name) < 0)
			return -ENOMEM;
		if (access(mk, F_OK) == 0) {
			if (asprintf(ret, "%s/%s", dir, de->d_name) < 0)
				return -ENOMEM;
			return 0;
		}
	}
	return uvm_errorf(err, -EINVAL,
			  "source tarball has no top directory with a Makefile");
}

static int untar(struct work *w, const char *tarball, const char *dest,
		 struct uvm_error *err)
{
	const char *argv[] = { "tar", "-x", "-f", tarball, "-C", dest,
			       "--no-same-owner", NULL };
	int r = run_in(w, argv, w->log_fd, err);
	return r < 0 ? uvm_error_prefix(err, r, "unpacking %s", tarball) : 0;
}

/* Make s->dir point at an unpacked tree of the (verified) tarball: from the
 * cache, or unpacked now (into the cache, or into WORK/src). */
static int source_unpack(const struct uvm_kernel_env *e, struct work *w,
			 struct source *s, struct uvm_error *err)
{
	if (!s->tarball)
		return 0;
	const char *tarball = e->source ? e->source : e->pin->file;
	_cleanup_free_ char *dir = NULL;
	int r;
	if (e->cache_dir) {
		char key[65];
		uvm_hex_encode(s->sha256, 32, key);
		r = uvm_cache_lookup(e->cache_dir, "kernel-source", key, &dir,
				     err);
		if (r < 0)
			return r;
		if (r == 0) {
			_cleanup_free_ char *tmp = NULL;
			r = uvm_cache_begin(e->cache_dir, "kernel-source", key,
					    &tmp, err);
			if (r < 0)
				return r;
			r = untar(w, tarball, tmp, err);
			if (r < 0) {
				uvm_rm_rf(tmp);
				return r;
			}
			r = uvm_cache_commit(tmp, e->cache_dir, "kernel-source",
					     key, &dir, err);
			if (r < 0)
				return r;
		}
	} else {
		if (asprintf(&dir, "%s/src", w->dir) < 0)
			return -ENOMEM;
		if (mkdir(dir, 0755) < 0)
			return uvm_errorf_errno(err, -errno, "%s", dir);
		r = untar(w, tarball, dir, err);
		if (r < 0)
			return r;
	}
	return find_top(dir, &s->dir, err);
}

/* ---- config ------------------------------------------------------------- */

static int make_obj(struct work *w, char **ret, struct uvm_error *err)
{
	if (asprintf(ret, "%s/obj", w->dir) < 0)
		return -ENOMEM;
	if (mkdir(*ret, 0755) < 0)
		return uvm_errorf_errno(err, -errno, "%s", *ret);
	return 0;
}

static int dropped_error(int bad, char *msg, struct uvm_error *err)
{
	int r = uvm_errorf(err, -EINVAL,
			   "%d requested option%s did not survive olddefconfig: "
			   "%s",
			   bad, bad == 1 ? "" : "s", msg);
	free(msg);
	return r;
}

/* make olddefconfig on OBJ/.config (cfg), load the result into resolved
 * and check that every option want's fragments set survived. */
static int olddefconfig_checked(struct work *w, const char *src,
				const char *obj, const char *cfg,
				const struct uvm_kconfig *want,
				struct uvm_kconfig *resolved,
				struct uvm_error *err)
{
	const char *args[] = { "olddefconfig", NULL };
	_cleanup_free_ char *msg = NULL;
	int r = run_make(w, src, obj, args, err);
	if (r >= 0)
		r = uvm_kconfig_load(resolved, cfg, true, err);
	if (r < 0)
		return r;
	int bad = uvm_kconfig_check(want, resolved, &msg);
	if (bad < 0)
		return -ENOMEM;
	if (bad > 0)
		return dropped_error(bad, TAKE_PTR(msg), err);
	return 0;
}

int uvm_kernel_config(const struct uvm_kernel_config_opts *o,
		      struct uvm_error *err)
{
	const char *base = o->base ? o->base : "tinyconfig";
	if (strcmp(base, "none") != 0 && strcmp(base, "tinyconfig") != 0 &&
	    strcmp(base, "allnoconfig") != 0 && strcmp(base, "defconfig") != 0)
		return uvm_errorf(err, -EINVAL,
				  "base '%s': expected tinyconfig, allnoconfig, "
				  "defconfig or none",
				  base);
	/* Parse the fragments first: a typo fails in milliseconds. */
	_cleanup_(uvm_kconfig_done) struct uvm_kconfig frag = { 0 };
	for (size_t i = 0; i < o->n_fragments; i++) {
		int r = uvm_kconfig_load(&frag, o->fragments[i], false, err);
		if (r < 0)
			return r;
	}

	_cleanup_(work_done) struct work w = { .log_fd = -1 };
	_cleanup_(source_done) struct source s = { 0 };
	_cleanup_free_ char *obj = NULL, *cfg = NULL, *sources = NULL,
			    *attr = NULL;
	int r = work_begin(&w, &o->env, o->output, err);
	if (r >= 0)
		r = source_identify(&o->env, &s, err);
	if (r >= 0)
		r = source_unpack(&o->env, &w, &s, err);
	if (r >= 0)
		r = make_obj(&w, &obj, err);
	if (r < 0)
		return r;
	if (asprintf(&cfg, "%s/.config", obj) < 0 ||
	    asprintf(&sources, "%s.sources", o->output) < 0)
		return -ENOMEM;

	_cleanup_(uvm_kconfig_done) struct uvm_kconfig merged = { 0 };
	if (strcmp(base, "none") != 0) {
		const char *args[] = { base, NULL };
		r = run_make(&w, s.dir, obj, args, err);
		if (r < 0)
			return r;
		r = uvm_kconfig_load(&merged, cfg, true, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < frag.n; i++) {
		const struct uvm_kconfig_entry *f = &frag.v[i];
		if (uvm_kconfig_set(&merged, f->name, f->value, f->file,
				    f->line) < 0)
			return -ENOMEM;
	}
	r = uvm_kconfig_write(&merged, cfg, err);
	if (r < 0)
		return r;
	_cleanup_(uvm_kconfig_done) struct uvm_kconfig resolved = { 0 };
	r = olddefconfig_checked(&w, s.dir, obj, cfg, &merged, &resolved, err);
	if (r < 0)
		return r;

	int alen = uvm_kconfig_attribution(&merged, &resolved, base, &attr);
	if (alen < 0)
		return -ENOMEM;
	r = uvm_write_file_atomic(sources, attr, (size_t)alen, 0644, err);
	if (r < 0)
		return r;
	r = uvm_copy_file_atomic(cfg, o->output, 0644, err);
	if (r < 0) {
		unlink(sources);
		return r;
	}
	return (int)MIN(resolved.n, (size_t)INT32_MAX);
}

/* ---- build -------------------------------------------------------------- */

static int cache_key(const struct source *s, const uint8_t cfg_sha[32],
		     const struct toolchain *t, const struct work *w,
		     char key[65])
{
	char src[65], cfg[65];
	uvm_hex_encode(s->sha256, 32, src);
	uvm_hex_encode(cfg_sha, 32, cfg);
	_cleanup_free_ char *text = NULL;
	int n = asprintf(&text,
			 "recipe %s\nsource-sha256 %s\nconfig-sha256 %s\n"
			 "gcc %s\nld %s\nmake %s\n",
			 UVM_KERNEL_RECIPE, src, cfg, t->gcc, t->ld, t->make);
	if (n < 0)
		return -ENOMEM;
	/* The environment, in full: it is part of what make sees. */
	for (char **e = w->env; *e; e++) {
		char *more = NULL;
		if (asprintf(&more, "%senv %s\n", text, *e) < 0)
			return -ENOMEM;
		free(text);
		text = more;
	}
	uint8_t d[32];
	int r = uvm_sha256(text, strlen(text), d);
	if (r < 0)
		return r;
	uvm_hex_encode(d, 32, key);
	return 0;
}

static int json_hex(json_t *o, const char *k, const uint8_t *d)
{
	char hex[65];
	uvm_hex_encode(d, 32, hex);
	return json_object_set_new(o, k, json_string(hex));
}

static int write_info(const char *dir, const struct uvm_kernel_env *e,
		      const struct source *s, const struct toolchain *t,
		      const struct work *w, const char *release,
		      const uint8_t cfg_sha[32], const uint8_t vmlinuz_sha[32],
		      struct uvm_error *err)
{
	_cleanup_(cleanup_json_decrefp) json_t *root = json_object();
	json_t *src = json_object(), *tc = json_object(), *env = json_object();
	if (!root || !src || !tc || !env) {
		json_decref(src);
		json_decref(tc);
		json_decref(env);
		return -ENOMEM;
	}
	json_object_set_new(root, "source", src);
	json_object_set_new(root, "toolchain", tc);
	json_object_set_new(root, "environment", env);
	if (s->tarball) {
		json_object_set_new(src, "package",
				    json_string(e->pin->package));
		json_object_set_new(src, "version",
				    json_string(e->pin->version));
		json_hex(src, "sha256", s->sha256);
	} else {
		json_object_set_new(src, "directory", json_true());
	}
	json_object_set_new(tc, "gcc", json_string(t->gcc));
	json_object_set_new(tc, "ld", json_string(t->ld));
	json_object_set_new(tc, "make", json_string(t->make));
	for (char **p = w->env; *p; p++) {
		const char *eq = strchr(*p, '=');
		_cleanup_free_ char *k = strndup(*p, (size_t)(eq - *p));
		if (!k)
			return -ENOMEM;
		json_object_set_new(env, k, json_string(eq + 1));
	}
	json_object_set_new(root, "recipe", json_string(UVM_KERNEL_RECIPE));
	json_object_set_new(root, "target", json_string("bzImage"));
	json_object_set_new(root, "release", json_string(release));
	json_hex(root, "config_sha256", cfg_sha);
	json_hex(root, "vmlinuz_sha256", vmlinuz_sha);

	_cleanup_free_ char *text = NULL, *path = NULL;
	size_t len;
	int r = uvm_canon_json(root, &text, &len, err);
	if (r < 0)
		return r;
	text[len] = '\n'; /* replaces the NUL: written with its length */
	if (asprintf(&path, "%s/kernel.json", dir) < 0)
		return -ENOMEM;
	return uvm_write_file_atomic(path, text, len + 1, 0644, err);
}

/* vmlinuz sha256 recorded in DIR/kernel.json (for checking a cache hit). */
static int recorded_vmlinuz(const char *dir, uint8_t out[32],
			    struct uvm_error *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/kernel.json", dir) < 0)
		return -ENOMEM;
	json_error_t je;
	_cleanup_(cleanup_json_decrefp) json_t *j = json_load_file(path, 0,
								   &je);
	const char *hex = j ? json_string_value(json_object_get(
				      j, "vmlinuz_sha256"))
			    : NULL;
	if (!hex || strlen(hex) != 64 || uvm_hex_decode(hex, out, 32) < 0)
		return uvm_errorf(err, -EBADMSG, "%s: no vmlinuz_sha256", path);
	return 0;
}

/* A cache hit: its vmlinuz must match the sha256 its kernel.json records
 * (the cache is never a source of truth). Fills the result's digests. */
static int check_entry(const char *entry, struct uvm_kernel_result *res,
		       struct uvm_error *err)
{
	uint8_t want[32];
	_cleanup_free_ char *v = NULL, *k = NULL;
	if (asprintf(&v, "%s/vmlinuz", entry) < 0 ||
	    asprintf(&k, "%s/kernel.config", entry) < 0)
		return -ENOMEM;
	int r = recorded_vmlinuz(entry, want, err);
	if (r >= 0)
		r = uvm_file_digests(v, res->vmlinuz_sha256, NULL, err);
	if (r < 0)
		return r;
	if (memcmp(want, res->vmlinuz_sha256, 32) != 0)
		return uvm_errorf(err, -EBADMSG,
				  "%s: vmlinuz does not match its recorded "
				  "sha256 (remove the cache entry)",
				  entry);
	return uvm_file_digests(k, res->config_sha256, NULL, err);
}

static int copy_into(const char *from_dir, const char *name,
		     const char *to_dir, const char *to_name,
		     struct uvm_error *err)
{
	_cleanup_free_ char *a = NULL, *b = NULL;
	if (asprintf(&a, "%s/%s", from_dir, name) < 0 ||
	    asprintf(&b, "%s/%s", to_dir, to_name ? to_name : name) < 0)
		return -ENOMEM;
	return uvm_copy_file_atomic(a, b, 0644, err);
}

static const char *const entry_files[] = { "vmlinuz", "kernel.config",
					   "toolchain.txt", "kernel.json" };

/* Run the build in WORK and leave the entry files in dest. */
static int build_into(const struct uvm_kernel_build_opts *o, struct work *w,
		      struct source *s, const struct toolchain *t,
		      const char *dest, uint8_t cfg_sha[32],
		      uint8_t vmlinuz_sha[32], struct uvm_error *err)
{
	_cleanup_free_ char *obj = NULL, *cfg = NULL, *kcflags = NULL,
			    *jobs = NULL, *tc = NULL,
			    *relpath = NULL;
	_cleanup_free_ uint8_t *release = NULL;
	int r = source_unpack(&o->env, w, s, err);
	if (r >= 0)
		r = make_obj(w, &obj, err);
	if (r < 0)
		return r;
	if (asprintf(&cfg, "%s/.config", obj) < 0)
		return -ENOMEM;
	r = uvm_copy_file_atomic(o->config, cfg, 0644, err);
	if (r < 0)
		return r;
	_cleanup_(uvm_kconfig_done) struct uvm_kconfig want = { 0 };
	_cleanup_(uvm_kconfig_done) struct uvm_kconfig got = { 0 };
	r = uvm_kconfig_load(&want, o->config, false, err);
	if (r >= 0)
		r = olddefconfig_checked(w, s->dir, obj, cfg, &want, &got, err);
	if (r < 0)
		return r;

	/* Map the two absolute paths kbuild uses (an out-of-tree build
	 * compiles $(srctree)/file.c) to fixed names. */
	if (asprintf(&kcflags,
		     "KCFLAGS=-ffile-prefix-map=%s/=linux/ "
		     "-ffile-prefix-map=%s/=obj/",
		     s->dir, obj) < 0 ||
	    asprintf(&jobs, "-j%u", o->env.jobs ? o->env.jobs : 1) < 0)
		return -ENOMEM;
	const char *args[] = { "bzImage", jobs, kcflags, NULL };
	r = run_make(w, s->dir, obj, args, err);
	if (r < 0)
		return r;

	size_t len;
	if (asprintf(&relpath, "%s/include/config/kernel.release", obj) < 0)
		return -ENOMEM;
	r = uvm_read_file(relpath, 256, &release, &len, err);
	if (r < 0)
		return r;
	release[strcspn((char *)release, "\n")] = '\0';

	_cleanup_free_ char *boot = NULL;
	if (asprintf(&boot, "%s/arch/x86/boot", obj) < 0)
		return -ENOMEM;
	r = copy_into(boot, "bzImage", dest, "vmlinuz", err);
	if (r >= 0)
		r = copy_into(obj, ".config", dest, "kernel.config", err);
	if (r < 0)
		return r;
	int n = asprintf(&tc, "gcc: %s\nld: %s\nmake: %s\n", t->gcc, t->ld,
			 t->make);
	if (n < 0)
		return -ENOMEM;
	_cleanup_free_ char *tcpath = NULL, *vpath = NULL, *kpath = NULL;
	if (asprintf(&tcpath, "%s/toolchain.txt", dest) < 0 ||
	    asprintf(&vpath, "%s/vmlinuz", dest) < 0 ||
	    asprintf(&kpath, "%s/kernel.config", dest) < 0)
		return -ENOMEM;
	r = uvm_write_file_atomic(tcpath, tc, (size_t)n, 0644, err);
	if (r >= 0)
		r = uvm_file_digests(vpath, vmlinuz_sha, NULL, err);
	if (r >= 0)
		r = uvm_file_digests(kpath, cfg_sha, NULL, err);
	if (r >= 0)
		r = write_info(dest, &o->env, s, t, w, (char *)release, cfg_sha,
			       vmlinuz_sha, err);
	return r;
}

/* Put the finished directory tmp at out: a plain rename, or an exchange
 * with an existing directory that is then removed. */
static int install_dir(const char *tmp, const char *out, struct uvm_error *err)
{
	if (rename(tmp, out) == 0)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return uvm_errorf_errno(err, -errno, "%s", out);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_EXCHANGE) < 0)
		return uvm_errorf_errno(err, -errno, "%s", out);
	uvm_rm_rf(tmp); /* now the old output */
	return 0;
}

int uvm_kernel_build(const struct uvm_kernel_build_opts *o,
		     struct uvm_kernel_result *ret, struct uvm_error *err)
{
	struct uvm_kernel_result res = { 0 };
	uint8_t in_sha[32];
	int r = uvm_file_digests(o->config, in_sha, NULL, err);
	if (r < 0)
		return r;

	_cleanup_(work_done) struct work w = { .log_fd = -1 };
	_cleanup_(source_done) struct source s = { 0 };
	_cleanup_(toolchain_done) struct toolchain t = { 0 };
	_cleanup_free_ char *entry = NULL, *out_tmp = NULL, *sources = NULL,
			    *cache_tmp = NULL, *parent = parent_of(o->output_dir);
	if (!parent)
		return -ENOMEM;
	r = uvm_mkdir_p(parent, err); /* the output's parent, like `uvmkit disk` */
	if (r >= 0)
		r = work_begin(&w, &o->env, o->output_dir, err);
	if (r >= 0)
		r = source_identify(&o->env, &s, err);
	if (r >= 0)
		r = probe_toolchain(&w, &t, err);
	if (r < 0)
		return r;

	bool use_cache = o->env.cache_dir && s.tarball;
	if (s.tarball) {
		r = cache_key(&s, in_sha, &t, &w, res.key);
		if (r < 0)
			return r;
	}
	if (use_cache) {
		r = uvm_cache_lookup(o->env.cache_dir, "kernel", res.key,
				     &entry, err);
		if (r < 0)
			return r;
		if (r > 0) {
			r = check_entry(entry, &res, err);
			if (r < 0)
				return r;
			res.cached = true;
		}
	}
	if (!res.cached) {
		if (use_cache)
			r = uvm_cache_begin(o->env.cache_dir, "kernel", res.key,
					    &cache_tmp, err);
		else if (asprintf(&cache_tmp, "%s/out", w.dir) < 0) {
			cache_tmp = NULL;
			r = -ENOMEM;
		}
		else if (mkdir(cache_tmp, 0755) < 0)
			r = uvm_errorf_errno(err, -errno, "%s", cache_tmp);
		if (r < 0)
			return r;
		r = build_into(o, &w, &s, &t, cache_tmp, res.config_sha256,
			       res.vmlinuz_sha256, err);
		if (r < 0) {
			if (use_cache)
				uvm_rm_rf(cache_tmp);
			return r;
		}
		if (use_cache)
			r = uvm_cache_commit(cache_tmp, o->env.cache_dir,
					     "kernel", res.key, &entry, err);
		else
			entry = TAKE_PTR(cache_tmp);
		if (r < 0)
			return r;
	}

	/* Assemble the output beside its final name, then rename. */
	if (asprintf(&out_tmp, "%s/.uvmkit-kernel-out.XXXXXX", parent) < 0)
		return -ENOMEM;
	if (!mkdtemp(out_tmp))
		return uvm_errorf_errno(err, -errno, "%s", parent);
	if (chmod(out_tmp, 0755) < 0)
		r = uvm_errorf_errno(err, -errno, "%s", out_tmp);
	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(entry_files); i++)
		r = copy_into(entry, entry_files[i], out_tmp, NULL, err);
	if (r >= 0 && asprintf(&sources, "%s.sources", o->config) < 0)
		r = -ENOMEM;
	if (r >= 0 && access(sources, F_OK) == 0) {
		_cleanup_free_ char *dst = NULL;
		if (asprintf(&dst, "%s/kernel.config.sources", out_tmp) < 0)
			r = -ENOMEM;
		else
			r = uvm_copy_file_atomic(sources, dst, 0644, err);
	}
	if (r >= 0)
		r = install_dir(out_tmp, o->output_dir, err);
	if (r < 0) {
		uvm_rm_rf(out_tmp);
		return r;
	}
	*ret = res;
	return 0;
}
