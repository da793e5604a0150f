/* firmware.c — the AmdSev OVMF build driver (see firmware.h for the
 * contract and specs/firmware.md for why each step is there).
 *
 * The edk2 build itself is edk2's: this file only prepares a source tree
 * from checked tarballs, runs edk2's own tools with a pinned environment
 * under a fixed workspace path, checks the result and stores it. */
#include "firmware.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cache.h"
#include "../common/fileio.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/spawn.h"
#include "../measure/ovmf.h"

/* Bump when anything about how the firmware is built changes (steps,
 * environment, outputs): it is part of the cache key. */
#define RECIPE_VERSION "uvmkit-firmware-build 1"
#define DSC "OvmfPkg/AmdSev/AmdSevX64.dsc"
#define OVMF_OUT "Build/AmdSev/RELEASE_GCC5/FV/OVMF.fd"
#define OVMF_MAX (64u << 20)
#define LOG_TAIL_LINES 20

/* Keep byte-identical to firmware/edk2.pin (tests/cli/t4100 compares). */
const char uvm_firmware_default_pin[] =
	"# firmware/edk2.pin — the edk2 source uvmkit firmware build uses\n"
	"# (specs/firmware.md): Debian 13 (trixie) edk2 2025.02-8+deb13u1, whose\n"
	"# AmdSev OVMF has the SNP_KERNEL_HASHES section (Debian 12's does not).\n"
	"# One \"KEY VALUE\" per line; '#' comments. The same text is compiled into\n"
	"# uvmkit (builder/firmware.c); tools/fetch-edk2.sh downloads from it.\n"
	"package edk2\n"
	"version 2025.02-8+deb13u1\n"
	"suite trixie\n"
	"orig edk2_2025.02.orig.tar.xz "
	"b63b6053d6d89c74d9291f9e96fde1584be99e6fb9c169ba9511505129d6b049\n"
	"debian edk2_2025.02-8+deb13u1.debian.tar.xz "
	"e2a7f6fc58640818416a028d6d5e9dfc255697a7cdc60c14566c236df6bd9b08\n";

/* The build, as a shell script run by /bin/bash with the workspace path and
 * the job count as $1 and $2. edksetup.sh parses "$@", hence `set --`. */
static const char build_script[] =
	"ws=$1 jobs=$2; set --\n"
	"cd \"$ws\" || exit 1\n"
	"echo \"== edksetup.sh in $(pwd)\"\n"
	". ./edksetup.sh || exit 1\n"
	"echo '== make -C BaseTools'\n"
	"make -C BaseTools -j\"$jobs\" || exit 1\n"
	"echo '== build " DSC "'\n"
	"exec build -a X64 -t GCC5 -b RELEASE -n \"$jobs\" -p " DSC "\n";

/* The pinned environment of every tool run (nothing inherited). */
static const char *const tool_path = "/usr/bin:/bin";

void uvm_firmware_pin_done(struct uvm_firmware_pin *p)
{
	if (!p)
		return;
	free(p->package);
	free(p->version);
	free(p->suite);
	free(p->orig_name);
	free(p->debian_name);
	memset(p, 0, sizeof(*p));
}

static bool plain_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static bool token_ok(const char *s)
{
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

int uvm_firmware_pin_parse(const char *text, const char *what,
			   struct uvm_firmware_pin *ret, struct uvm_error *err)
{
	_cleanup_(uvm_firmware_pin_done) struct uvm_firmware_pin p = { 0 };
	const char *line = text;
	for (unsigned no = 1; *line; no++) {
		size_t len = strcspn(line, "\n");
		_cleanup_free_ char *l = strndup(line, len);
		if (!l)
			return -ENOMEM;
		line += len + (line[len] == '\n');
		char *s = l + strspn(l, " \t");
		if (!*s || *s == '#')
			continue;
		char key[16], a[256], b[256], extra[2];
		int n = sscanf(s, "%15s %255s %255s %1s", key, a, b, extra);
		char **slot = NULL;
		uint8_t *sha = NULL;
		if (!strcmp(key, "package"))
			slot = &p.package;
		else if (!strcmp(key, "version"))
			slot = &p.version;
		else if (!strcmp(key, "suite"))
			slot = &p.suite;
		else if (!strcmp(key, "orig"))
			slot = &p.orig_name, sha = p.orig_sha256;
		else if (!strcmp(key, "debian"))
			slot = &p.debian_name, sha = p.debian_sha256;
		else
			return uvm_errorf(err, -EINVAL, "%s:%u: unknown key '%s'",
					  what, no, key);
		if (n != (sha ? 3 : 2))
			return uvm_errorf(err, -EINVAL,
					  "%s:%u: expected '%s %s'", what, no,
					  key, sha ? "NAME SHA256" : "VALUE");
		if (*slot)
			return uvm_errorf(err, -EINVAL, "%s:%u: '%s' given twice",
					  what, no, key);
		if (!token_ok(a) || (sha && !plain_name(a)))
			return uvm_errorf(err, -EINVAL, "%s:%u: bad %s '%s'", what,
					  no, key, a);
		if (sha && (strlen(b) != 64 ||
			    uvm_hex_decode(b, sha, UVM_SHA256_LEN) < 0))
			return uvm_errorf(err, -EINVAL,
					  "%s:%u: bad sha256 '%s' (64 hex digits)",
					  what, no, b);
		if (!(*slot = strdup(a)))
			return -ENOMEM;
	}
	static const char *const keys[] = { "package", "version", "suite",
					    "orig", "debian" };
	char *const vals[] = { p.package, p.version, p.suite, p.orig_name,
			       p.debian_name };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!vals[i])
			return uvm_errorf(err, -EINVAL, "%s: no '%s' line", what,
					  keys[i]);
	*ret = p;
	memset(&p, 0, sizeof(p));
	return 0;
}

void uvm_firmware_result_done(struct uvm_firmware_result *r)
{
	if (!r)
		return;
	free(r->ovmf_path);
	free(r->json_path);
	free(r->work_dir);
	memset(r, 0, sizeof(*r));
}

/* Per-build state. */
struct fw {
	const struct uvm_firmware_opts *o;
	const char *workspace;
	char *work;  /* scratch dir */
	char *log;   /* work/build.log */
	char **env;  /* the pinned environment */
	json_t *toolchain;
	char key[2 * UVM_SHA256_LEN + 1];
};

static void fw_done(struct fw *f)
{
	if (f->work && !f->o->keep_work)
		uvm_rm_rf(f->work);
	free(f->work);
	free(f->log);
	uvm_env_free(f->env);
	json_decref(f->toolchain);
}

/* Run argv in cwd with the pinned environment, appending to the build log.
 * On failure the message is "STEP failed (...): <log tail>". */
static int run_step(struct fw *f, const char *step, const char *const *argv,
		    const char *cwd, struct uvm_error *err)
{
	_cleanup_close_ int fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND |
						      O_CLOEXEC, 0644);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", f->log);
	dprintf(fd, "== %s\n", step);
	struct uvm_spawn s = {
		.argv = argv,
		.envp = (const char *const *)f->env,
		.cwd = cwd,
		.log_fd = fd,
		.umask = 022,
	};
	struct uvm_error e = { 0 };
	int r = uvm_spawn_run(&s, NULL, &e);
	if (r >= 0)
		return 0;
	_cleanup_free_ char *tail = NULL;
	if (uvm_log_tail(f->log, LOG_TAIL_LINES, &tail) < 0)
		tail = NULL;
	return uvm_errorf(err, r, "%s failed (%s); last lines of %s:\n%s",
			  step, e.msg, f->o->keep_work ? f->log : "the log",
			  tail ? tail : "(no log)");
}

/* The first line of `prog args` output that mentions a version (or the
 * first non-empty one), as the tool's version string. */
static int tool_version(struct fw *f, const char *name,
			const char *const *argv, struct uvm_error *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/version.txt", f->work) < 0)
		return -ENOMEM;
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC |
						    O_CLOEXEC, 0644);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	struct uvm_spawn s = {
		.argv = argv,
		.envp = (const char *const *)f->env,
		.log_fd = fd,
		.umask = 022,
	};
	int r = uvm_spawn_run(&s, NULL, err);
	if (r < 0)
		return uvm_error_prefix(err, r, "toolchain version of %s", name);
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	r = uvm_read_file(path, 1 << 16, &buf, &len, err);
	if (r < 0)
		return r;
	char *first = NULL, *pick = NULL;
	for (char *save = NULL, *l = strtok_r((char *)buf, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		while (*l && isspace((unsigned char)*l))
			l++;
		size_t n = strlen(l);
		while (n && isspace((unsigned char)l[n - 1]))
			l[--n] = '\0';
		if (!*l)
			continue;
		if (!first)
			first = l;
		if (!pick && strcasestr(l, "version"))
			pick = l;
	}
	if (!first)
		return uvm_errorf(err, -EPROTO, "%s printed no version", name);
	if (!strcmp(name, "iasl") && pick)
		first = pick; /* iasl starts with a banner line */
	return json_object_set_new(f->toolchain, name, json_string(first)) ? -ENOMEM
									   : 0;
}

static int collect_toolchain(struct fw *f, struct uvm_error *err)
{
	static const struct {
		const char *name;
		const char *argv[3];
	} tools[] = {
		{ "gcc", { "gcc", "--version", NULL } },
		{ "ld", { "ld", "--version", NULL } },
		{ "nasm", { "nasm", "-v", NULL } },
		{ "iasl", { "iasl", "-v", NULL } },
		{ "python3", { "/usr/bin/python3", "--version", NULL } },
		{ "make", { "make", "--version", NULL } },
	};
	if (!(f->toolchain = json_object()))
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		int r = tool_version(f, tools[i].name, tools[i].argv, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int compute_key(struct fw *f, struct uvm_error *err)
{
	const struct uvm_firmware_pin *p = f->o->pin;
	char o[65], d[65];
	uvm_hex_encode(p->orig_sha256, 32, o);
	uvm_hex_encode(p->debian_sha256, 32, d);
	_cleanup_free_ char *tc = uvm_json_compact(f->toolchain), *text = NULL;
	if (!tc ||
	    asprintf(&text,
		     "%s\norig %s\ndebian %s\nworkspace %s\nscript %s\n"
		     "toolchain %s\n",
		     RECIPE_VERSION, o, d, f->workspace, build_script, tc) < 0)
		return -ENOMEM;
	uint8_t key[UVM_SHA256_LEN];
	int r = uvm_sha256(text, strlen(text), key);
	if (r < 0)
		return uvm_errorf(err, r, "SHA-256 failed");
	uvm_hex_encode(key, sizeof(key), f->key);
	return 0;
}

static int check_tarball(const char *dir, const char *name,
			 const uint8_t want[UVM_SHA256_LEN],
			 struct uvm_error *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	uint8_t got[UVM_SHA256_LEN];
	int r = uvm_file_digests(path, got, NULL, err);
	if (r < 0)
		return r;
	if (memcmp(got, want, sizeof(got))) {
		char g[65], w[65];
		uvm_hex_encode(got, 32, g);
		uvm_hex_encode(want, 32, w);
		return uvm_errorf(err, -EBADMSG,
				  "%s: sha256 %s does not match the pin %s",
				  path, g, w);
	}
	return 0;
}

/* The single directory an orig tarball unpacked into (dir/NAME). */
static int single_subdir(const char *dir, char **ret, struct uvm_error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return uvm_errorf_errno(err, -errno, "%s", dir);
	char *found = NULL;
	int r = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (found) {
			r = uvm_errorf(err, -EINVAL,
				       "the orig tarball has more than one "
				       "top-level entry ('%s', '%s')",
				       strrchr(found, '/') + 1, de->d_name);
			break;
		}
		if (asprintf(&found, "%s/%s", dir, de->d_name) < 0) {
			found = NULL;
			r = -ENOMEM;
			break;
		}
	}
	closedir(d);
	if (r == 0 && !found)
		r = uvm_errorf(err, -EINVAL, "the orig tarball is empty");
	struct stat st;
	if (r == 0 && (stat(found, &st) < 0 || !S_ISDIR(st.st_mode)))
		r = uvm_errorf(err, -EINVAL,
			       "the orig tarball's top-level entry is not a directory");
	if (r < 0) {
		free(found);
		return r;
	}
	*ret = found;
	return 0;
}

/* Apply debian/patches/series in order; returns the patch names (JSON). */
static int apply_patches(struct fw *f, const char *tree, json_t *names,
			 struct uvm_error *err)
{
	_cleanup_free_ char *series = NULL;
	if (asprintf(&series, "%s/debian/patches/series", tree) < 0)
		return -ENOMEM;
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = uvm_read_file(series, 1 << 20, &buf, &len, err);
	if (r < 0)
		return r;
	for (char *save = NULL, *l = strtok_r((char *)buf, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		l += strspn(l, " \t");
		if (!*l || *l == '#')
			continue;
		l[strcspn(l, " \t")] = '\0'; /* options such as -p1 unsupported */
		if (strstr(l, ".."))
			return uvm_errorf(err, -EINVAL,
					  "debian/patches/series: bad name '%s'", l);
		_cleanup_free_ char *rel = NULL, *step = NULL;
		if (asprintf(&rel, "debian/patches/%s", l) < 0 ||
		    asprintf(&step, "patch %s", l) < 0)
			return -ENOMEM;
		const char *argv[] = { "patch", "-p1", "--forward",
				       "--no-backup-if-mismatch", "-s", "-i",
				       rel, NULL };
		r = run_step(f, step, argv, tree, err);
		if (r < 0)
			return r;
		if (json_array_append_new(names, json_string(l)))
			return -ENOMEM;
	}
	return 0;
}

static int unpack(struct fw *f, char **ret_tree, json_t *patches,
		  struct uvm_error *err)
{
	const struct uvm_firmware_opts *o = f->o;
	_cleanup_free_ char *src = NULL, *orig = NULL, *deb = NULL, *tree = NULL;
	if (asprintf(&src, "%s/src", f->work) < 0 ||
	    asprintf(&orig, "%s/%s", o->source_dir, o->pin->orig_name) < 0 ||
	    asprintf(&deb, "%s/%s", o->source_dir, o->pin->debian_name) < 0)
		return -ENOMEM;
	if (mkdir(src, 0755) < 0)
		return uvm_errorf_errno(err, -errno, "%s", src);
	const char *untar_orig[] = { "tar", "--no-same-owner", "-xf", orig,
				     "-C", src, NULL };
	int r = run_step(f, "unpack the orig tarball", untar_orig, NULL, err);
	if (r < 0)
		return r;
	r = single_subdir(src, &tree, err);
	if (r < 0)
		return r;
	const char *untar_deb[] = { "tar", "--no-same-owner", "-xf", deb,
				    "-C", tree, NULL };
	r = run_step(f, "unpack the debian tarball", untar_deb, NULL, err);
	if (r < 0)
		return r;
	r = apply_patches(f, tree, patches, err);
	if (r < 0)
		return r;
	/* GRUB is not built: an empty grub.efi satisfies the AmdSev .fdf. */
	_cleanup_free_ char *grub = NULL;
	if (asprintf(&grub, "%s/OvmfPkg/AmdSev/Grub", tree) < 0)
		return -ENOMEM;
	r = uvm_mkdir_p(grub, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *efi = NULL;
	if (asprintf(&efi, "%s/grub.efi", grub) < 0)
		return -ENOMEM;
	r = uvm_write_file_atomic(efi, "", 0, 0644, err);
	if (r < 0)
		return r;
	*ret_tree = TAKE_PTR(tree);
	return 0;
}

/* Point the fixed workspace symlink at tree and run the edk2 build there,
 * holding an exclusive lock on "<workspace>.lock" throughout. */
static int edk2_build(struct fw *f, const char *tree, struct uvm_error *err)
{
	_cleanup_free_ char *lock = NULL, *jobs = NULL;
	if (asprintf(&lock, "%s.lock", f->workspace) < 0 ||
	    asprintf(&jobs, "%u", f->o->jobs ? f->o->jobs : 1) < 0)
		return -ENOMEM;
	/* Read-only is enough for flock, and works on another user's lock file. */
	_cleanup_close_ int lfd = open(lock, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
	if (lfd < 0)
		return uvm_errorf_errno(err, -errno, "%s", lock);
	while (flock(lfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return uvm_errorf_errno(err, -errno, "flock %s", lock);
	struct stat st;
	if (lstat(f->workspace, &st) == 0) {
		if (!S_ISLNK(st.st_mode))
			return uvm_errorf(err, -EEXIST,
					  "%s exists and is not a symlink "
					  "(the fixed edk2 workspace path)",
					  f->workspace);
		if (unlink(f->workspace) < 0)
			return uvm_errorf_errno(err, -errno, "%s", f->workspace);
	} else if (errno != ENOENT)
		return uvm_errorf_errno(err, -errno, "%s", f->workspace);
	if (symlink(tree, f->workspace) < 0)
		return uvm_errorf_errno(err, -errno, "symlink %s", f->workspace);
	const char *argv[] = { "/bin/bash", "--noprofile", "--norc", "-c",
			       build_script, "uvmkit-edk2-build", f->workspace,
			       jobs, NULL };
	int r = run_step(f, "edk2 build", argv, f->work, err);
	unlink(f->workspace);
	return r;
}

static int section_list(const struct uvm_ovmf *ov, char **ret)
{
	char *s = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&s, &n);
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < ov->n_sections; i++) {
		const char *name = uvm_ovmf_section_name(ov->sections[i].type);
		if (name)
			fprintf(m, "%s%s", i ? ", " : "", name);
		else
			fprintf(m, "%stype 0x%x", i ? ", " : "",
				ov->sections[i].type);
		fprintf(m, " 0x%x/0x%x", ov->sections[i].gpa,
			ov->sections[i].size);
	}
	if (!ov->n_sections)
		fputs("none", m);
	if (fclose(m) != 0) {
		free(s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

/* Check the built image and describe its sections (JSON). */
static int check_ovmf(const char *path, json_t **ret_sections,
		      struct uvm_error *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = uvm_read_file(path, OVMF_MAX, &buf, &len, err);
	if (r < 0)
		return r;
	struct uvm_ovmf ov = { 0 };
	r = uvm_ovmf_parse(&ov, buf, len, err);
	if (r < 0)
		return uvm_error_prefix(err, r, "%s", path);
	if (!uvm_ovmf_has_section(&ov, UVM_SECTION_SNP_KERNEL_HASHES)) {
		_cleanup_free_ char *list = NULL;
		r = section_list(&ov, &list);
		uvm_ovmf_done(&ov);
		if (r < 0)
			return r;
		return uvm_errorf(err, -EINVAL,
				  "%s: no SNP_KERNEL_HASHES section, so it cannot "
				  "do measured direct boot (sections: %s)",
				  path, list);
	}
	json_t *a = json_array();
	for (size_t i = 0; a && i < ov.n_sections; i++) {
		const struct uvm_ovmf_section *s = &ov.sections[i];
		const char *name = uvm_ovmf_section_name(s->type);
		char gpa[16], size[16];
		snprintf(gpa, sizeof(gpa), "0x%x", s->gpa);
		snprintf(size, sizeof(size), "0x%x", s->size);
		if (json_array_append_new(
			    a, json_pack("{s:I, s:s, s:s, s:s}", "type",
					 (json_int_t)s->type, "name",
					 name ? name : "unknown", "gpa", gpa,
					 "size", size))) {
			json_decref(a);
			a = NULL;
		}
	}
	uvm_ovmf_done(&ov);
	if (!a)
		return -ENOMEM;
	*ret_sections = a;
	return 0;
}

static json_t *make_json(struct fw *f, json_t *patches, json_t *sections,
			 const struct uvm_firmware_result *r)
{
	const struct uvm_firmware_pin *p = f->o->pin;
	char o[65], d[65], s256[65], s384[97];
	uvm_hex_encode(p->orig_sha256, 32, o);
	uvm_hex_encode(p->debian_sha256, 32, d);
	uvm_hex_encode(r->ovmf_sha256, 32, s256);
	uvm_hex_encode(r->ovmf_sha384, 48, s384);
	return json_pack(
		"{s:s, s:s, s:s, s:s,"
		" s:{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:O},"
		" s:O, s:s, s:{s:s, s:I, s:s, s:s}, s:O}",
		"flavour", DSC, "target", "RELEASE", "toolchain_tag", "GCC5",
		"workspace", f->workspace, "source", "package", p->package,
		"version", p->version, "orig", "name", p->orig_name, "sha256", o,
		"debian", "name", p->debian_name, "sha256", d, "patches", patches,
		"toolchain", f->toolchain, "cache_key", f->key, "ovmf", "name",
		"OVMF.fd", "size", (json_int_t)r->ovmf_size, "sha256", s256,
		"sha384", s384, "sections", sections);
}

/* Write OVMF.fd (copied from ovmf) and firmware.json into dir. */
static int store(const char *dir, const char *ovmf, json_t *j,
		 struct uvm_error *err)
{
	int r = uvm_mkdir_p(dir, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *fd_path = NULL, *json_path = NULL, *text = NULL;
	if (asprintf(&fd_path, "%s/OVMF.fd", dir) < 0 ||
	    asprintf(&json_path, "%s/firmware.json", dir) < 0)
		return -ENOMEM;
	if (!(text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER)))
		return -ENOMEM;
	size_t n = strlen(text);
	text[n] = '\n'; /* replace the NUL: written with its length */
	r = uvm_copy_file_atomic(ovmf, fd_path, 0644, err);
	if (r < 0)
		return r;
	r = uvm_write_file_atomic(json_path, text, n + 1, 0644, err);
	if (r < 0)
		unlink(fd_path); /* both or neither */
	return r;
}

/* Take a cache entry out: check OVMF.fd against its firmware.json. */
static int from_cache(const char *entry, struct uvm_firmware_result *r,
		      json_t **ret_json, struct uvm_error *err)
{
	_cleanup_free_ char *fd_path = NULL, *json_path = NULL;
	if (asprintf(&fd_path, "%s/OVMF.fd", entry) < 0 ||
	    asprintf(&json_path, "%s/firmware.json", entry) < 0)
		return -ENOMEM;
	json_error_t je;
	_cleanup_json_ json_t *j = json_load_file(json_path, JSON_DECODE_ANY, &je);
	const char *want = NULL;
	if (!j || json_unpack(j, "{s:{s:s}}", "ovmf", "sha256", &want) < 0)
		return uvm_errorf(err, -EBADMSG, "cache entry %s: bad firmware.json",
				  entry);
	int k = uvm_file_digests(fd_path, r->ovmf_sha256, r->ovmf_sha384, err);
	if (k < 0)
		return uvm_error_prefix(err, -EBADMSG, "cache entry %s", entry);
	char got[65];
	uvm_hex_encode(r->ovmf_sha256, 32, got);
	if (strcmp(got, want))
		return uvm_errorf(err, -EBADMSG,
				  "cache entry %s: OVMF.fd has sha256 %s, "
				  "firmware.json says %s",
				  entry, got, want);
	struct stat st;
	if (stat(fd_path, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", fd_path);
	r->ovmf_size = (uint64_t)st.st_size;
	*ret_json = TAKE_PTR(j);
	return 0;
}

static int fw_build(struct fw *f, struct uvm_firmware_result *res,
		    struct uvm_error *err)
{
	const struct uvm_firmware_opts *o = f->o;
	int r;
	_cleanup_free_ char *tree = NULL, *built = NULL, *entry = NULL,
			    *tmp = NULL;
	_cleanup_json_ json_t *patches = json_array(), *sections = NULL,
			      *j = NULL;
	if (!patches)
		return -ENOMEM;

	if (o->cache_dir) {
		r = uvm_cache_lookup(o->cache_dir, UVM_FIRMWARE_CACHE_KIND, f->key,
				     &entry, err);
		if (r < 0)
			return r;
		if (r > 0) {
			r = from_cache(entry, res, &j, err);
			if (r < 0)
				return r;
			_cleanup_free_ char *cached = NULL;
			if (asprintf(&cached, "%s/OVMF.fd", entry) < 0)
				return -ENOMEM;
			res->cache_hit = true;
			return store(o->out_dir, cached, j, err);
		}
	}

	r = unpack(f, &tree, patches, err);
	if (r < 0)
		return r;
	r = edk2_build(f, tree, err);
	if (r < 0)
		return r;
	if (asprintf(&built, "%s/" OVMF_OUT, tree) < 0)
		return -ENOMEM;
	r = check_ovmf(built, &sections, err);
	if (r < 0)
		return r;
	r = uvm_file_digests(built, res->ovmf_sha256, res->ovmf_sha384, err);
	if (r < 0)
		return r;
	struct stat st;
	if (stat(built, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", built);
	res->ovmf_size = (uint64_t)st.st_size;
	if (!(j = make_json(f, patches, sections, res)))
		return -ENOMEM;

	if (o->cache_dir) {
		r = uvm_cache_begin(o->cache_dir, UVM_FIRMWARE_CACHE_KIND, f->key,
				    &tmp, err);
		if (r < 0)
			return r;
		r = store(tmp, built, j, err);
		if (r < 0) {
			uvm_rm_rf(tmp);
			return r;
		}
		r = uvm_cache_commit(tmp, o->cache_dir, UVM_FIRMWARE_CACHE_KIND,
				     f->key, NULL, err);
		if (r < 0)
			return r;
	}
	return store(o->out_dir, built, j, err);
}

int uvm_firmware_build(const struct uvm_firmware_opts *o,
		       struct uvm_firmware_result *ret, struct uvm_error *err)
{
	if (!o || !o->pin || !o->source_dir || !o->out_dir || !o->work_parent)
		return uvm_errorf(err, -EINVAL, "firmware build: missing option");
	struct fw f __attribute__((cleanup(fw_done))) = {
		.o = o,
		.workspace = o->workspace ? o->workspace : UVM_FIRMWARE_WORKSPACE,
	};
	if (f.workspace[0] != '/')
		return uvm_errorf(err, -EINVAL,
				  "workspace path '%s' is not absolute",
				  f.workspace);
	struct uvm_firmware_result res = { 0 };
	int r;

	/* 1. The sources, before anything else uses them. */
	r = check_tarball(o->source_dir, o->pin->orig_name, o->pin->orig_sha256,
			  err);
	if (r < 0)
		return r;
	r = check_tarball(o->source_dir, o->pin->debian_name,
			  o->pin->debian_sha256, err);
	if (r < 0)
		return r;

	/* 2., 3. Scratch dir, pinned environment, toolchain, key. */
	r = uvm_mkdir_p(o->work_parent, err);
	if (r < 0)
		return r;
	if (asprintf(&f.work, "%s/uvmkit-firmware.XXXXXX", o->work_parent) < 0) {
		f.work = NULL;
		return -ENOMEM;
	}
	if (!mkdtemp(f.work)) {
		r = -errno;
		free(f.work);
		f.work = NULL;
		return uvm_errorf_errno(err, r, "mkdtemp in %s", o->work_parent);
	}
	/* The workspace symlink must point at an absolute path: a relative
	 * work_parent would leave it dangling. */
	{
		char *abs = realpath(f.work, NULL);
		if (!abs) {
			r = -errno;
			rmdir(f.work);
			free(f.work);
			f.work = NULL;
			return uvm_errorf_errno(err, r, "%s", o->work_parent);
		}
		free(f.work);
		f.work = abs;
	}
	if (asprintf(&f.log, "%s/build.log", f.work) < 0) {
		f.log = NULL;
		return -ENOMEM;
	}
	if (uvm_env_set(&f.env, "PATH", tool_path) < 0 ||
	    uvm_env_set(&f.env, "PYTHON_COMMAND", "/usr/bin/python3") < 0 ||
	    uvm_env_set(&f.env, "LC_ALL", "C") < 0 ||
	    uvm_env_set(&f.env, "TZ", "UTC") < 0 ||
	    uvm_env_set(&f.env, "HOME", f.work) < 0)
		return -ENOMEM;
	r = collect_toolchain(&f, err);
	if (r < 0)
		return r;
	r = compute_key(&f, err);
	if (r < 0)
		return r;
	memcpy(res.key, f.key, sizeof(res.key));

	/* 4.-7. */
	r = fw_build(&f, &res, err);
	if (r < 0)
		return r;
	if (asprintf(&res.ovmf_path, "%s/OVMF.fd", o->out_dir) < 0 ||
	    asprintf(&res.json_path, "%s/firmware.json", o->out_dir) < 0) {
		uvm_firmware_result_done(&res);
		return -ENOMEM;
	}
	if (o->keep_work && !res.cache_hit)
		res.work_dir = TAKE_PTR(f.work);
	else if (o->keep_work)
		uvm_rm_rf(f.work); /* nothing worth keeping */
	*ret = res;
	return 0;
}
