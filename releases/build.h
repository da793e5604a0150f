/* build.h — the whole pipeline of `uvmkit build`: a recipe in, a release
 * directory out (DESIGN.md "Outputs of a build").
 *
 * Steps, in order, each a static function with one job (releases/build.c):
 *   inputs    check every input against its pin (uvm_recipe_check_inputs)
 *             before any work; compute the canonical recipe and the seed
 *   kernel    File=: copy the pinned bzImage (and its Config=);
 *             Source=: kernel-config pin + fragments -> .config -> bzImage
 *             (builder/kbuild.h, cached in cache_dir)
 *   rootfs    sources -> tree -> ext4 -> verity disk (builder/rootfs.h):
 *             rootfs.img, root_hash.txt, cmdline.txt, verity.json
 *   initrd    (when the recipe has [Initrd]) sources -> initrd.img
 *   cmdline   cmdline.txt = the disk's line + [Cmdline] Extra=
 *   firmware  File=: copy the pinned OVMF image; Source=: edk2 pin ->
 *             AmdSev OVMF (builder/firmware.h, cached) -> OVMF.fd
 *   measure   SNP launch digests of the vCPU x CPU-type matrix
 *             (measure/measure.h) -> measurements.json
 *   manifest  recipe.ini (the canonical recipe) and manifest.intoto.json
 *             (releases/manifest.h)
 *   sign      with a key: releases/sign.h
 *
 * Atomicity: everything is written into a fresh temporary directory
 * ".NAME.build-XXXXXX" beside out_dir, which replaces out_dir only when
 * every step succeeded (renameat2 RENAME_EXCHANGE when out_dir exists, so
 * there is never a moment without a complete out_dir; the old content is
 * then removed). On failure the temporary is removed and out_dir is left as
 * it was.
 *
 * The library does not print: progress goes to opts->progress.
 */
#ifndef UVM_RELEASES_BUILD_H
#define UVM_RELEASES_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "../builder/recipe.h"
#include "../common/error.h"

/* Progress of a step: step name ("kernel", ...), done/total in arbitrary
 * units (total 0: unknown), note may be NULL. Called at a step's start
 * (done 0) and end (done == total, total >= 1). */
typedef void (*uvm_build_progress_fn)(void *userdata, const char *step,
				      uint64_t done, uint64_t total,
				      const char *note);

struct uvm_build_opts {
	const char *out_dir;   /* required */
	const char *keydir;    /* sign with it when non-NULL */
	const char *cache_dir; /* kernel/firmware cache; NULL: no cache */
	/* where firmware Source= finds the edk2 tarballs (the downloads
	 * directory); NULL: beside the pin file */
	const char *downloads_dir;
	const char *work_dir;  /* scratch parent; NULL: beside out_dir */
	unsigned jobs;	       /* parallel jobs of kernel/firmware builds */
	const char *tool_version;
	uvm_build_progress_fn progress;
	void *userdata;
};

/* Run the pipeline for recipe r (its epoch must be final: the caller
 * applies SOURCE_DATE_EPOCH when the recipe has none). On success
 * *ret_summary (optional) gets
 *   {"directory", "recipe", "seed", "epoch", "artifacts": [{"name",
 *    "size", "sha256"}...], "launch_digests": N, "signed": bool,
 *    "steps": [{"step", "seconds", "cached"?}...], "seconds"}
 * Returns 0 or a negative errno with one message naming the step. */
int uvm_build(const struct uvm_recipe *r, const struct uvm_build_opts *opts,
	      json_t **ret_summary, struct uvm_error *err);

/* measurements.json of a release: the reference values as documented in
 * docs/README-build.md. Exposed for tests and `reproduce`. */
#define UVM_MEASUREMENTS_FILE "measurements.json"
#define UVM_RECIPE_ARTIFACT "recipe.ini"

#endif
