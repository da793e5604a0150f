/* rederive.h — recompute a launch digest recorded in a release manifest
 * from the artifacts of the release directory.
 *
 * This is what makes `uvmkit verify` check launch digests instead of
 * copying them: the firmware, kernel and initrd named by a manifest entry
 * are read from the release directory and measured again with the entry's
 * parameters (SNP mode, kernel hashes on when a kernel is named).
 */
#ifndef UVM_MEASURE_REDERIVE_H
#define UVM_MEASURE_REDERIVE_H

#include <stdint.h>

#include <jansson.h>

#include "../common/error.h"

/* Matches releases/verify.h's uvm_launch_digest_fn (userdata unused).
 * entry: {"vcpus", "vcpu_type", "vmm_type", "guest_features" ("0x…"),
 * "firmware", "kernel" (name or null), "initrd" (name or null), "cmdline"}.
 * Names are plain file names inside dir (no '/'). Writes the 48-byte SNP
 * launch digest. Returns 0, -EINVAL for a malformed entry (message names
 * the field), or the measure library's error. */
int uvm_rederive_launch_digest(void *userdata, const char *dir,
			       const json_t *predicate, const json_t *entry,
			       uint8_t out[48], struct uvm_error *err);

#endif
