/* manifest.h — the release manifest: an in-toto Statement v1
 * (manifest.intoto.json) whose subjects are the artifacts of a release
 * directory and whose predicate records how they were made.
 *
 * Bytes (specs/signing.md §3): canonical JSON (common/canonjson.h), no
 * trailing newline. The file is the exact DSSE payload that gets signed.
 *
 *   {"_type":"https://in-toto.io/Statement/v1",
 *    "predicate":{...},
 *    "predicateType":"<UVM_PREDICATE_TYPE>",
 *    "subject":[{"digest":{"sha256":"<hex>","sha384":"<hex>"},"name":"<file>"},...]}
 *
 * Subjects: every artifact of the directory, sorted by name (strcmp), each
 * with a lowercase sha256 AND sha384. A subject name is a plain file name in
 * the release directory (see uvm_subject_name_valid) so that it is also a
 * valid SHA256SUMS path and cannot point outside the directory.
 *
 * The uvmkit predicate (type UVM_PREDICATE_TYPE), snake_case keys like
 * measurements.json. Hex is lowercase. Keys marked "req" must be present;
 * every key present is type-checked; unknown keys are kept and ignored (later
 * versions may add fields):
 *
 *   tool           req  object  {"name":"uvmkit","version":"0.1.0"} (both strings)
 *   inputs         req  array   every input with its digest, in build order:
 *                               {"name": str (req), "kind": str (req: "recipe",
 *                                "kernel-source", "kernel-fragment", "package",
 *                                "rootfs-source", "firmware", ...),
 *                                "uri": str, "digest": {"sha256": hex64 (req),
 *                                "sha384": hex96}}
 *   launch_digests req  array   one per measured configuration:
 *                               {"vcpus": int 1..512 (req),
 *                                "vcpu_type": str (req, "EPYC-Milan"),
 *                                "vmm_type": str (req, "QEMU"),
 *                                "guest_features": str (req, "0x1"),
 *                                "policy": str (req, "0x30000"),
 *                                "launch_digest": hex96 (req),
 *                                "firmware": subject name (req),
 *                                "kernel": subject name or null,
 *                                "initrd": subject name or null,
 *                                "cmdline": str (the exact appended line)}
 *   epoch               int    the build epoch (SOURCE_DATE_EPOCH), >= 0
 *   seed                hex64  the build seed (DESIGN.md "Determinism")
 *   cmdline             str    the full kernel command line
 *   kernel_config_sha256 hex64 digest of the resolved kernel.config
 *   verity              object {"root_hash": hex64 (req), "salt": hex (req),
 *                               "data_blocks": int, "data_block_size": int,
 *                               "hash_block_size": int,
 *                               "hash_algorithm": str, "uuid": str}
 *
 * The smallest valid predicate (what `uvmkit sign` writes for a directory
 * that has no manifest yet) is
 *   {"inputs":[],"launch_digests":[],"tool":{"name":"uvmkit","version":"…"}}
 * A Statement with another predicateType is accepted by the parser with the
 * predicate unchecked beyond being an object (e.g. the spec's vectors).
 */
#ifndef UVM_MANIFEST_H
#define UVM_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../common/error.h"
#include "../common/hash.h"

#define UVM_INTOTO_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define UVM_INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"
/* NEEDSWORK: the lead should confirm the project-owned domain before the
 * first published release; the version suffix changes with the schema. */
#define UVM_PREDICATE_TYPE "https://uvmkit.dev/predicate/release/v0.1"

#define UVM_MANIFEST_FILE "manifest.intoto.json"
/* Upper bound for a manifest read back from disk. */
#define UVM_MANIFEST_MAX_SIZE (16u << 20)
/* Upper bound on the number of subjects (files in a release). */
#define UVM_MANIFEST_MAX_SUBJECTS 4096

struct uvm_subject {
	char *name; /* owned, a valid subject name */
	uint8_t sha256[UVM_SHA256_LEN];
	uint8_t sha384[UVM_SHA384_LEN];
};

/* A parsed, validated manifest. Everything is owned by the struct. */
struct uvm_manifest {
	json_t *statement;	    /* the whole Statement */
	const char *predicate_type; /* points into statement */
	json_t *predicate;	    /* borrowed from statement */
	struct uvm_subject *subjects; /* sorted by name, unique */
	size_t n_subjects;
	bool uvmkit_predicate; /* predicate_type == UVM_PREDICATE_TYPE */
};

/* True if name can be a subject: 1..255 bytes of UTF-8, no '/', no '\\',
 * no control characters (which sha256sum would escape), no leading '.'
 * (".", "..", and the temporaries of atomic writes start with '.'). */
bool uvm_subject_name_valid(const char *name);

/* True for the files uvm_release_sign() writes (signatures, SUMS, the
 * manifest itself): they are never subjects. */
bool uvm_release_is_signature_file(const char *name);

/* SHA-256 and SHA-384 of DIR/name, which must be a regular file (not a
 * symlink, FIFO or device: a FIFO planted in a release directory must not
 * hang a verifier). 0, or a negative errno with the path in the message. */
int uvm_subject_digests(const char *dir, const char *name,
			uint8_t sha256[UVM_SHA256_LEN],
			uint8_t sha384[UVM_SHA384_LEN], struct uvm_error *err);

/* Hash the files names[0..n) of directory dir into a malloc'd, sorted array
 * of subjects. Fails with -EINVAL on an invalid or duplicate name, -ENOENT /
 * -EISDIR / ... naming the file. */
int uvm_subjects_from_files(const char *dir, char *const *names, size_t n,
			    struct uvm_subject **ret, size_t *ret_n,
			    struct uvm_error *err);

/* The artifacts of dir: every regular file (symlinks and directories are
 * skipped) that is not a signature file and whose name is a valid subject
 * name, sorted. Returns a malloc'd NULL-terminated vector of malloc'd
 * names; *ret_n gets the count. A name that cannot be a subject (e.g. with a
 * newline) is an error, not silently dropped. */
int uvm_release_list_artifacts(const char *dir, char ***ret, size_t *ret_n,
			       struct uvm_error *err);

void uvm_subjects_free(struct uvm_subject *s, size_t n);
void uvm_strv_free(char **v);

/* The smallest valid uvmkit predicate (see above) with the given tool
 * version. Returns a new reference or NULL on allocation failure. */
json_t *uvm_predicate_empty(const char *tool_version);

/* Check a uvmkit predicate against the schema above; the message names the
 * field ("predicate.launch_digests[2].launch_digest: expected 96 hex
 * digits"). Launch digest entries must name files among subjects[] (pass
 * NULL to skip that check). Returns 0 or -EINVAL. */
int uvm_predicate_validate(const json_t *predicate,
			   const struct uvm_subject *subjects, size_t n,
			   struct uvm_error *err);

/* Build the Statement from subjects (any order; they are sorted, duplicates
 * rejected) and a predicate (a reference is taken; it is validated when
 * predicate_type is UVM_PREDICATE_TYPE). Returns the canonical bytes in a
 * malloc'd NUL-terminated buffer (NUL not counted). 0, -EINVAL, -ENOMEM. */
int uvm_manifest_build(const struct uvm_subject *subjects, size_t n,
		       const char *predicate_type, json_t *predicate,
		       char **ret, size_t *ret_len, struct uvm_error *err);

/* Parse and validate manifest bytes (at most UVM_MANIFEST_MAX_SIZE): JSON
 * without duplicate keys, _type, subject names and digests (64/96 lowercase
 * hex, both present, names sorted and unique), predicateType a string,
 * predicate an object (and the uvmkit schema for our type). On success
 * *ret is a new manifest to free with uvm_manifest_free. */
int uvm_manifest_parse(const void *buf, size_t len, struct uvm_manifest **ret,
		       struct uvm_error *err);

/* Read DIR/manifest.intoto.json and parse it; *ret_bytes (optional) gets the
 * exact bytes (malloc'd) and *ret_len their length. */
int uvm_manifest_load(const char *dir, struct uvm_manifest **ret,
		      uint8_t **ret_bytes, size_t *ret_len,
		      struct uvm_error *err);

/* The one call a build needs: hash the artifacts names[0..n) of dir (all
 * artifacts of uvm_release_list_artifacts() when names is NULL), build the
 * Statement with predicate (validated for UVM_PREDICATE_TYPE) and write
 * DIR/manifest.intoto.json atomically. ret_sha256 (optional) gets the
 * digest of the bytes written. */
int uvm_manifest_write(const char *dir, char *const *names, size_t n,
		       const char *predicate_type, json_t *predicate,
		       uint8_t ret_sha256[UVM_SHA256_LEN], struct uvm_error *err);

void uvm_manifest_free(struct uvm_manifest *m);
DEFINE_PTR_CLEANUP(manifest, struct uvm_manifest, uvm_manifest_free)
#define _cleanup_manifest_ _cleanup_(cleanup_manifest)

/* Look up a subject by name in a sorted array; NULL if absent. */
const struct uvm_subject *uvm_subject_find(const struct uvm_subject *s,
					   size_t n, const char *name);

#endif
