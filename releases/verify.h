/* verify.h — offline verification of a release directory with only the
 * public keys (`uvmkit verify --pub KEYDIR DIR`).
 *
 * Checks, in this order, each reported on its own so that every failure is
 * named (which file, which digest):
 *   dsse-signature    manifest.dsse.json verifies with KEYDIR/dsse.pub
 *   bundle-signature  manifest.sigstore.json verifies with the same key
 *   manifest          manifest.intoto.json parses and validates, and is
 *                     byte for byte the payload of both envelopes
 *   sums-signature    SHA256SUMS.minisig (and SHA384SUMS.minisig when
 *                     present) verify with KEYDIR/minisign.pub, including
 *                     the trusted-comment signature
 *   sums              SHA256SUMS / SHA384SUMS list exactly the manifest's
 *                     subjects and digests
 *   subject           every subject's file: sha256 AND sha384 re-computed
 *   launch-digest     every predicate.launch_digests[] entry re-derived from
 *                     the artifacts through the caller's callback
 */
#ifndef UVM_VERIFY_H
#define UVM_VERIFY_H

#include <stdint.h>

#include <jansson.h>

#include "../common/error.h"
#include "../common/hash.h"

/* Re-derive one launch digest. dir is the release directory, predicate the
 * manifest's (validated) uvmkit predicate, entry one element of its
 * "launch_digests" (its "firmware", "kernel", "initrd" name subjects in dir
 * whose digests were already checked, plus "cmdline", "vcpus", "vcpu_type",
 * "vmm_type", "guest_features"). Write the 48-byte SNP launch digest to out
 * and return 0, or return a negative errno with a message. */
typedef int (*uvm_launch_digest_fn)(void *userdata, const char *dir,
				    const json_t *predicate, const json_t *entry,
				    uint8_t out[UVM_SHA384_LEN],
				    struct uvm_error *err);

struct uvm_verify_opts {
	const char *keydir; /* holds dsse.pub and minisign.pub */
	/* NULL: launch digests are reported as "skip" (not re-derived), never
	 * as verified. */
	uvm_launch_digest_fn launch_digest;
	void *userdata;
};

/* Verify dir. *ret_report (optional) gets
 *   {"directory": DIR, "ok": bool, "failed": N, "skipped": N,
 *    "checks": [{"check": "...", "file": "...", "status": "ok"|"fail"|"skip",
 *                "message": "..."}]}
 * Returns the number of failed checks (0 = the release verifies), or a
 * negative errno when verification could not run at all (a public key is
 * missing or unreadable, out of memory); then err says why. */
int uvm_release_verify(const char *dir, const struct uvm_verify_opts *opts,
		       json_t **ret_report, struct uvm_error *err);

#endif
