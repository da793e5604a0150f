/* kbuild.h — the guest kernel: the pinned source, `.config` from fragments,
 * and a reproducible out-of-tree `bzImage` build with the real kbuild.
 *
 * Source. The default is Debian's linux-source-6.1 package, whose tarball
 * /usr/src/linux-source-6.1.tar.xz is described by a pin file
 * (kernel-config/linux-source.pin, "key=value" lines: package, version,
 * file, sha256). A tarball is always checked against the pin's sha256
 * before anything reads it. A directory source (an unpacked kernel tree,
 * e.g. with local patches) is used as is: it has no pin and is never
 * cached, since nothing cheap identifies its content.
 *
 * Environment. make runs through common/spawn.h with exactly: PATH (the
 * caller's choice, "/usr/bin:/bin" by default), LC_ALL=C, TZ=UTC,
 * HOME=/nonexistent, SOURCE_DATE_EPOCH and KBUILD_BUILD_TIMESTAMP from the
 * epoch, KBUILD_BUILD_USER=uvmkit, KBUILD_BUILD_HOST=uvmkit,
 * KBUILD_BUILD_VERSION=1; nothing else is inherited (no MAKEFLAGS, CFLAGS,
 * CROSS_COMPILE, ...). The compiler is told to map the source and object
 * directories to fixed names (-ffile-prefix-map) so nothing depends on
 * where the build ran. The toolchain's versions are recorded because the
 * kernel embeds them ("Linux version ... (gcc (Debian 12.2.0-14) ...").
 *
 * Cache. With a cache directory, a built kernel is kept under
 * CACHE/kernel/KEY (common/cache.h), KEY = SHA-256 over the recipe version
 * (UVM_KERNEL_RECIPE), the source tarball's sha256, the input config's
 * bytes, the toolchain versions and the pinned environment: every input of
 * the build. An unpacked source tree is kept under CACHE/kernel-source/SHA
 * (the tarball's sha256) and shared by config and build runs. A miss just
 * builds. A hit's vmlinuz is checked against the digest recorded in its
 * kernel.json before it is used.
 */
#ifndef UVM_KBUILD_H
#define UVM_KBUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* Bump when what a build does changes (options, environment, outputs):
 * it is part of the cache key and recorded in kernel.json. */
#define UVM_KERNEL_RECIPE "uvmkit-kernel-build-1"

/* The default PATH given to make and the compiler. */
#define UVM_KERNEL_PATH "/usr/bin:/bin"

struct uvm_kernel_pin {
	char *package; /* "linux-source-6.1" */
	char *version; /* "6.1.192-3" */
	char *file;    /* "/usr/src/linux-source-6.1.tar.xz" */
	uint8_t sha256[32];
};

/* Read a pin file: lines "key=value" for package, version, file and sha256
 * (64 hex digits); '#' comments and empty lines allowed; every key
 * required, unknown keys refused. Relative "file" stays as written. */
int uvm_kernel_pin_load(const char *path, struct uvm_kernel_pin *ret,
			struct uvm_error *err);
void uvm_kernel_pin_done(struct uvm_kernel_pin *pin);

/* Where the kernel source comes from and where scratch work goes; shared by
 * uvm_kernel_config() and uvm_kernel_build(). */
struct uvm_kernel_env {
	const char *source;		  /* tarball or directory; NULL: pin->file */
	const struct uvm_kernel_pin *pin; /* required for a tarball source */
	const char *cache_dir;		  /* NULL: no cache */
	const char *work_dir;		  /* scratch parent (unpacked source,
					   * objects), removed afterwards;
					   * NULL: beside the output */
	const char *path;		  /* PATH for make; NULL: UVM_KERNEL_PATH */
	uint64_t epoch;			  /* SOURCE_DATE_EPOCH / build timestamp */
	unsigned jobs;			  /* make -j; 0 means 1 */
	const char *log_path;		  /* keep the full make log here (written
					   * whatever the outcome); NULL: none */
};

struct uvm_kernel_config_opts {
	struct uvm_kernel_env env;
	const char *base;		   /* make target for the starting point:
					    * "tinyconfig" (NULL means this),
					    * "allnoconfig", "defconfig", or
					    * "none" (start empty) */
	const char *const *fragments;	   /* applied in order */
	size_t n_fragments;
	const char *output;		   /* the resolved .config */
};

/* Start from opts->base, apply the fragments in order, run the kernel's
 * olddefconfig, and check that every option a fragment set survived. On
 * success writes opts->output and OUTPUT.sources (uvm_kconfig_attribution,
 * fragments named by base name) atomically and returns the number of
 * resolved options. When options were dropped or changed, returns -EINVAL
 * with a message naming every one of them and the fragment line that asked
 * for it, and writes nothing. A malformed fragment: -EINVAL naming
 * FILE:LINE. Tarball sha256 not the pinned one: -EBADMSG. */
int uvm_kernel_config(const struct uvm_kernel_config_opts *opts,
		      struct uvm_error *err);

struct uvm_kernel_build_opts {
	struct uvm_kernel_env env;
	const char *config;	/* a complete .config (from uvm_kernel_config);
				 * CONFIG.sources, if present, is copied to
				 * the output as kernel.config.sources */
	const char *output_dir; /* created (or replaced) atomically */
};

struct uvm_kernel_result {
	uint8_t vmlinuz_sha256[32];
	uint8_t config_sha256[32]; /* of the resolved kernel.config */
	char key[65];		   /* cache key (hex); "" for a directory source */
	bool cached;		   /* taken from the cache, not built */
};

/* Build bzImage out of tree and write output_dir with:
 *   vmlinuz         arch/x86/boot/bzImage
 *   kernel.config   the resolved config (olddefconfig of the input)
 *   kernel.config.sources   attribution, when the input config had one
 *   toolchain.txt   first lines of `gcc --version`, `ld --version`,
 *                   `make --version`
 *   kernel.json     source (package, version, sha256), config and vmlinuz
 *                   sha256, toolchain, the pinned environment, recipe,
 *                   kernel release; canonical JSON, same bytes for the same
 *                   inputs whether built or taken from the cache
 * The input config must survive olddefconfig unchanged in every option it
 * sets (-EINVAL naming the ones that did not). A failed make: -EPROTO with
 * the last lines of the build log in the message; nothing is left under
 * output_dir (it is assembled beside it and renamed; an existing output_dir
 * is replaced only on success; its parent is created if missing). */
int uvm_kernel_build(const struct uvm_kernel_build_opts *opts,
		     struct uvm_kernel_result *ret, struct uvm_error *err);

/* KBUILD_BUILD_TIMESTAMP text for an epoch, in the C locale's date(1)
 * format: "Mon Jan  1 00:00:00 UTC 2024". buf needs 32 bytes. Returns 0 or
 * -ERANGE for an epoch beyond year 9999. */
int uvm_kernel_timestamp(uint64_t epoch, char buf[32]);

#endif
