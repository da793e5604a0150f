/* sign.h — sign a release directory (`uvmkit sign`, `uvmkit build --key`).
 *
 * Given DIR with its artifacts and manifest.intoto.json, and KEYDIR (see
 * keys.h), writes, each atomically:
 *   manifest.dsse.json      DSSE envelope of the manifest bytes (dsse.h)
 *   manifest.sigstore.json  the same signature as a Sigstore bundle v0.3
 *   SHA256SUMS, SHA384SUMS  GNU format, the manifest's subjects (sums.h)
 *   SHA256SUMS.minisig, SHA384SUMS.minisig
 *                           minisign legacy "Ed" signatures (minisign.h),
 *                           trusted comment "timestamp:<T>\tfile:<NAME>"
 * Before signing it re-hashes every subject and refuses to sign a manifest
 * that does not describe the files in DIR, and checks that dsse.pub /
 * minisign.pub in KEYDIR (when present) belong to the private keys.
 */
#ifndef UVM_SIGN_H
#define UVM_SIGN_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "../common/error.h"

struct uvm_sign_opts {
	const char *keydir;
	/* When DIR has no manifest.intoto.json: create one listing every
	 * artifact (uvm_release_list_artifacts) with uvm_predicate_empty(). */
	bool create_manifest;
	const char *tool_version; /* for that predicate */
	/* Timestamp of the minisign trusted comment: `timestamp` if >= 0,
	 * else the manifest predicate's "epoch" if it has one, else
	 * `fallback_timestamp` (the CLI passes the current time). */
	int64_t timestamp;
	int64_t fallback_timestamp;
};

/* Sign dir. On success *ret_report (optional) gets a new JSON object:
 *   {"directory": DIR, "manifest": {"file", "created", "sha256",
 *    "subjects", "predicate_type"}, "dsse_keyid", "dsse_key_type",
 *    "minisign_keyid", "trusted_comment",
 *    "files": [{"name", "sha256"}, ...]}     (the files written, in order)
 * Returns 0 or a negative errno with the message naming the file. */
int uvm_release_sign(const char *dir, const struct uvm_sign_opts *opts,
		     json_t **ret_report, struct uvm_error *err);

#endif
