/* recipe.h — the build recipe: an INI file (libinih) naming every input of
 * a guest image build, each pinned by digest, and the parameters of every
 * step (docs/README-build.md has the user's reference).
 *
 *   [Recipe]   Name=, Epoch= (seconds; SOURCE_DATE_EPOCH of the build)
 *   [Kernel]   File= + Sha256=         a prebuilt bzImage
 *              Config= + ConfigSha256=  its resolved .config (optional)
 *              Source= + Sha256=        or: kernel source to build from
 *              Fragment=... (list)      config fragments, in order
 *   [Rootfs]   Source=[KIND:]PATH [sha256:HEX]   (list, layered in order)
 *              Package=NAME VERSION ARCH sha256:HEX   (list; the .deb in
 *                                       the downloads directory)
 *              Size=auto|BYTES[K|M|G], Uid=, Gid=
 *   [Initrd]   Source=, Package= (as [Rootfs]), Compress=gzip|zstd|none
 *   [Disk]     Layout=kata|gpt|none, AlignMiB=
 *   [Cmdline]  Extra=... (list of parameters, joined with spaces)
 *   [Firmware] File= + Sha256=         an OVMF image
 *              Source= + Sha256=        or: the edk2 pin to build from
 *   [Measure]  VCPUs=1-8,16  CPUTypes=EPYC-v4 ...  VMM=QEMU
 *              GuestFeatures=0x1  Policy=0x30000
 *   [Output]   Directory=  (default output directory, relative to the
 *                           recipe; -o overrides)
 *
 * Rules: section and key names are case-sensitive; an unknown section or
 * key, a repeated single-valued key, a key outside a section, a malformed
 * value or a line longer than UVM_RECIPE_MAX_LINE is an error
 * "FILE:LINE: message". A line starting with whitespace continues the
 * previous key (libinih's multi-line values); for list keys each line is
 * one more item. ';' or '#' start a comment line, " ;" an inline comment.
 * Relative paths are relative to the recipe's directory (the base
 * directory given for a recipe passed as text). Every FILE input must be
 * pinned by sha256; a DIRECTORY source is recorded by its tree digest
 * (builder/tree-digest.h).
 *
 * Canonical form (uvm_recipe_canonical): the parsed recipe written back as
 * INI with sections and keys in the fixed order above, one key per line,
 * single spaces, defaults made explicit. It parses to the same recipe, it
 * is what the manifest records (predicate "recipe") and it is the first
 * input of the build seed.
 *
 * Ownership: struct uvm_recipe owns all its strings; free with
 * uvm_recipe_free().
 */
#ifndef UVM_RECIPE_H
#define UVM_RECIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "builder/initrd.h"
#include "builder/source.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/macro.h"

/* libinih reads lines of at most this many bytes (its INI_MAX_LINE, 200,
 * with the newline and NUL): longer lines are refused, not split. */
#define UVM_RECIPE_MAX_LINE 198
#define UVM_RECIPE_MAX_SIZE (1u << 20)

/* One input file or directory. */
struct uvm_recipe_input {
	char *spec;	/* as written (canonical): "deb:a.deb", "overlay" */
	enum uvm_source_kind kind; /* for sources; AUTO otherwise */
	char *path;	/* as written, without the kind prefix */
	char *resolved; /* absolute or base-relative path to open */
	bool pinned;	/* sha256 given */
	uint8_t sha256[UVM_SHA256_LEN];
	/* Package= entries: */
	char *pkg_name, *pkg_version, *pkg_arch;
	unsigned line;	/* recipe line, for messages */
};

enum uvm_recipe_mode {
	UVM_RECIPE_NONE = 0, /* section absent (initrd) */
	UVM_RECIPE_FILE,     /* a prebuilt file */
	UVM_RECIPE_BUILD,    /* built from pinned source */
};

struct uvm_recipe_inputs {
	struct uvm_recipe_input *v;
	size_t n;
};

struct uvm_recipe {
	char *file;	/* name used in messages ("recipe.ini", "<default>") */
	char *base_dir; /* relative paths are resolved against it */

	char *name;
	uint64_t epoch;
	bool have_epoch;

	enum uvm_recipe_mode kernel_mode;
	struct uvm_recipe_input kernel;	       /* File= or Source= */
	bool have_kernel_config;
	struct uvm_recipe_input kernel_config; /* Config= (FILE mode) */
	struct uvm_recipe_inputs fragments;    /* BUILD mode */

	struct uvm_recipe_inputs rootfs;
	uint64_t rootfs_size; /* 0 = auto */
	uint32_t uid, gid; /* owner of directory sources' entries */

	bool have_initrd;
	struct uvm_recipe_inputs initrd;
	enum uvm_compress initrd_compress;

	char *disk_layout; /* "kata", "gpt", "none" */
	uint32_t align_mib;

	char *cmdline_extra; /* "" when none */

	enum uvm_recipe_mode firmware_mode;
	struct uvm_recipe_input firmware;

	unsigned *vcpus;
	size_t n_vcpus;
	char **cpu_types;
	size_t n_cpu_types;
	char *vmm;
	uint64_t guest_features;
	uint64_t policy;

	char *output_dir; /* resolved; NULL: none given */

	/* bookkeeping of the parse (which single keys were seen) */
	uint64_t seen;
};

/* The built-in default recipe (rootfs/minimal, kernel-config/ fragments,
 * firmware from the pinned edk2 source, 1-8 vCPUs x EPYC-v4, EPYC-Milan,
 * EPYC-Genoa under QEMU); its paths are relative to the uvmkit source
 * (data) directory. */
extern const char uvm_recipe_default_text[];

/* Parse recipe text. name is used in messages, base_dir resolves relative
 * paths, downloads_dir resolves Package= entries (may be NULL: then
 * Package= is an error). Returns 0 and *ret, or -EINVAL with
 * "name:line: message" in err. Does not touch the inputs (see
 * uvm_recipe_check_inputs). */
int uvm_recipe_parse_text(const char *text, size_t len, const char *name,
			  const char *base_dir, const char *downloads_dir,
			  struct uvm_recipe **ret, struct uvm_error *err);
/* Read and parse a recipe file (base directory: the file's directory). */
int uvm_recipe_load(const char *path, const char *downloads_dir,
		    struct uvm_recipe **ret, struct uvm_error *err);
void uvm_recipe_free(struct uvm_recipe *r);
DEFINE_PTR_CLEANUP(recipe, struct uvm_recipe, uvm_recipe_free)
#define _cleanup_recipe_ _cleanup_(cleanup_recipe)

/* The canonical text (see above), malloc'd, NUL-terminated. */
int uvm_recipe_canonical(const struct uvm_recipe *r, char **ret,
			 struct uvm_error *err);

/* One checked input of a build, as the manifest records it. */
struct uvm_recipe_digest {
	char *kind; /* "recipe", "kernel", "kernel-config", "kernel-source",
		       "kernel-fragment", "package", "rootfs-source",
		       "initrd-source", "firmware", "firmware-source" */
	char *name; /* the path or package as written in the recipe */
	char *uri;  /* NULL, or "deb:NAME=VERSION/ARCH" for packages */
	bool tree;  /* a directory: sha256 is its tree digest */
	uint8_t sha256[UVM_SHA256_LEN];
};

struct uvm_recipe_digests {
	struct uvm_recipe_digest *v;
	size_t n;
};
void uvm_recipe_digests_done(struct uvm_recipe_digests *d);

/* Check every input before any work: each file exists, is a regular file
 * and has its pinned sha256 (message "FILE:LINE: PATH: sha256 X does not
 * match the pin Y" or "...: No such file or directory"); each directory
 * source exists (its tree digest is computed, in a tree spooled under
 * spool_dir, NULL = /tmp). Fills *ret with the digests in build order,
 * the recipe's canonical text first. Returns 0 or a negative errno. */
int uvm_recipe_check_inputs(const struct uvm_recipe *r, const char *spool_dir,
			    struct uvm_recipe_digests *ret,
			    struct uvm_error *err);

/* The build seed: SHA-256 over "uvmkit-seed-v1\n", the canonical text and,
 * for every digest, "KIND NAME SHA256HEX\n" (DESIGN.md "Determinism"). */
int uvm_recipe_seed(const char *canonical, const struct uvm_recipe_digests *d,
		    uint8_t seed[UVM_SHA256_LEN]);

/* Parse a vCPU list "1-8,16" or "1 2 4" into a sorted, duplicate-free
 * malloc'd array (each 1..512). -EINVAL on a malformed list. */
int uvm_recipe_parse_vcpus(const char *s, unsigned **ret, size_t *ret_n);

#endif
