/* firmware.h — build the guest firmware, AmdSev OVMF
 * (OvmfPkg/AmdSev/AmdSevX64.dsc), reproducibly from the pinned Debian edk2
 * source (specs/firmware.md).
 *
 * Why this flavour and source: the SNP launch digest of a direct-boot guest
 * covers the kernel, initrd and command line only through the firmware's
 * SNP_KERNEL_HASHES page, which AmdSev OVMF has from edk2 2023 on; Debian
 * 12's own edk2 (2022.11) lacks it, Debian 13's 2025.02 source builds on
 * Debian 12 and has it. The pin (tarball names, sha256s, version) is
 * compiled in (uvm_firmware_default_pin, identical to firmware/edk2.pin in
 * the source tree) and can be overridden by a pin file.
 *
 * What a build does, in order:
 *   1. check the sha256 of both tarballs against the pin (before any use);
 *   2. record the toolchain versions (gcc, ld, nasm, iasl, python3, make,
 *      all run with PATH=/usr/bin:/bin);
 *   3. key = SHA-256 over a recipe version, the pin's digests, the
 *      toolchain versions, the fixed workspace path and the build command;
 *      with a cache dir, a hit copies OVMF.fd and firmware.json out of
 *      CACHE/firmware/KEY/ (after checking OVMF.fd against the sha256
 *      recorded in firmware.json) and nothing is built;
 *   4. otherwise unpack the orig tarball, then the debian tarball into it,
 *      apply debian/patches/series with `patch -p1`, create an empty
 *      OvmfPkg/AmdSev/Grub/grub.efi (GRUB is not built, as in Kata);
 *   5. under an exclusive flock on "<workspace>.lock", point the symlink
 *      <workspace> (default UVM_FIRMWARE_WORKSPACE) at the unpacked tree and
 *      run, in it, `. ./edksetup.sh; make -C BaseTools; build -a X64 -t GCC5
 *      -b RELEASE -p OvmfPkg/AmdSev/AmdSevX64.dsc` with exactly the
 *      environment PATH=/usr/bin:/bin PYTHON_COMMAND=/usr/bin/python3
 *      LC_ALL=C TZ=UTC HOME=<work> (nothing inherited) and umask 022.
 *      edk2 takes WORKSPACE from the logical working directory, so every
 *      build sees the same path and OVMF.fd does not depend on where the
 *      tree really is (the path length would otherwise shift the layout of
 *      every module, specs/firmware.md "Reproducibility");
 *   6. parse the result (measure/ovmf.h) and refuse it unless it has an
 *      SNP_KERNEL_HASHES section (the message lists the sections seen);
 *   7. write OVMF.fd (0644) and firmware.json into the cache entry (if any)
 *      and into out_dir, each atomically; out_dir is created (with parents)
 *      only then, so a failed build leaves nothing under it.
 *
 * firmware.json (keys in this order): "flavour" "OvmfPkg/AmdSev/AmdSevX64.dsc",
 * "target" "RELEASE", "toolchain_tag" "GCC5", "workspace" path,
 * "source" {"package","version","orig":{"name","sha256"},
 * "debian":{"name","sha256"},"patches":[names in series order]},
 * "toolchain" {"gcc","ld","nasm","iasl","python3","make": first version line},
 * "cache_key" hex, "ovmf" {"name":"OVMF.fd","size","sha256","sha384"},
 * "sections" [{"type","name","gpa","size"}...]. It holds no time, host or
 * user name, so it is itself reproducible.
 *
 * The library never prints or reads the environment: the caller passes
 * every path. Concurrent builds (threads or processes, any user) on one
 * workspace path take turns through the flock; a cache hit takes no lock.
 */
#ifndef UVM_BUILDER_FIRMWARE_H
#define UVM_BUILDER_FIRMWARE_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/error.h"
#include "../common/hash.h"

/* The fixed workspace path the build runs under (a symlink). */
#define UVM_FIRMWARE_WORKSPACE "/tmp/uvmkit-edk2"
/* Cache kind: entries are CACHE/firmware/KEY/{OVMF.fd,firmware.json}. */
#define UVM_FIRMWARE_CACHE_KIND "firmware"

/* A parsed pin: what source to build. Strings are malloc'd (see
 * uvm_firmware_pin_done). */
struct uvm_firmware_pin {
	char *package;	   /* "edk2" */
	char *version;	   /* "2025.02-8+deb13u1" */
	char *suite;	   /* "trixie" (where fetch-edk2.sh downloads from) */
	char *orig_name;   /* "edk2_2025.02.orig.tar.xz" */
	char *debian_name; /* "edk2_2025.02-8+deb13u1.debian.tar.xz" */
	uint8_t orig_sha256[UVM_SHA256_LEN];
	uint8_t debian_sha256[UVM_SHA256_LEN];
};

/* The compiled-in pin text (same bytes as firmware/edk2.pin). */
extern const char uvm_firmware_default_pin[];

/* Parse pin text: lines "KEY VALUE" ('#' comments, blank lines ignored),
 * keys package, version, suite, "orig NAME SHA256", "debian NAME SHA256";
 * each exactly once, unknown keys refused; names must be plain file names.
 * what names the text in messages ("firmware/edk2.pin"). Returns 0,
 * -EINVAL (message: "PIN:LINE: ...") or -ENOMEM; p is set only on success. */
int uvm_firmware_pin_parse(const char *text, const char *what,
			   struct uvm_firmware_pin *p, struct uvm_error *err);
void uvm_firmware_pin_done(struct uvm_firmware_pin *p);

struct uvm_firmware_opts {
	const struct uvm_firmware_pin *pin; /* required */
	const char *source_dir; /* holds pin->orig_name and pin->debian_name */
	const char *out_dir;	/* where OVMF.fd and firmware.json go */
	const char *cache_dir;	/* NULL: no cache (always build) */
	const char *work_parent; /* a scratch work dir is made in it; removed
				  * at the end unless keep_work */
	const char *workspace;	/* NULL: UVM_FIRMWARE_WORKSPACE. Absolute;
				  * must not exist or be a symlink. Part of
				  * the cache key (it shapes the output). */
	unsigned jobs;		/* parallel jobs, 0 means 1; not in the key */
	bool keep_work;		/* keep the work dir (its path in the result) */
};

struct uvm_firmware_result {
	bool cache_hit;
	char key[2 * UVM_SHA256_LEN + 1];
	uint8_t ovmf_sha256[UVM_SHA256_LEN];
	uint8_t ovmf_sha384[UVM_SHA384_LEN];
	uint64_t ovmf_size;
	char *ovmf_path; /* out_dir/OVMF.fd, malloc'd */
	char *json_path; /* out_dir/firmware.json, malloc'd */
	char *work_dir;	 /* malloc'd when keep_work and a build ran, else NULL */
};

/* Build (or take from the cache) the firmware as described above. Returns 0
 * and fills r; on failure a negative errno with one message on err, r
 * untouched and nothing written under out_dir:
 *   -EBADMSG  a tarball's sha256 does not match the pin ("NAME: sha256 X
 *             does not match the pin Y") or a cache entry is corrupt;
 *   -ENOENT   a tarball, tool or build output is missing;
 *   -EPROTO   a build step failed: the message names the step and ends with
 *             the last lines of its log;
 *   -EEXIST   the workspace path exists and is not a symlink;
 *   -EINVAL   the built image lacks SNP_KERNEL_HASHES (sections listed). */
int uvm_firmware_build(const struct uvm_firmware_opts *o,
		       struct uvm_firmware_result *r, struct uvm_error *err);
void uvm_firmware_result_done(struct uvm_firmware_result *r);

#endif
