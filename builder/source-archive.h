/* source-archive.h — internal interface between source.c (dispatch, the
 * directory source) and the archive readers: tar and .deb through
 * libarchive (source-archive.c) and the OCI image layout (source-oci.c).
 * Users of the library call builder/source.h instead.
 */
#ifndef UVM_SOURCE_ARCHIVE_H
#define UVM_SOURCE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "builder/source.h"

struct archive;

/* Whether an xattr name is on the allow-list shared by every source kind:
 * user.*, security.*, trusted.*, system.posix_acl_access/default. */
bool uvm_source_xattr_allowed(const char *name);

/* 0 if libarchive reads fd (from offset 0) as a tar archive, possibly
 * compressed; -EMEDIUMTYPE with a message otherwise. */
int uvm_archive_probe_tar_fd(int fd, const char *name, struct uvm_error *err);

/* Add a tar or .deb file / memory buffer (see source.h). */
int uvm_archive_add_file(struct uvm_tree *t, const char *path,
			 enum uvm_source_kind kind,
			 const struct uvm_source_opts *opts,
			 struct uvm_error *err);
int uvm_archive_add_memory(struct uvm_tree *t, const char *name,
			   const void *buf, size_t len,
			   enum uvm_source_kind kind,
			   const struct uvm_source_opts *opts,
			   struct uvm_error *err);

/* How an OCI layer is applied: first a pass that only applies the layer's
 * whiteouts to what lower layers left, then a pass that adds its entries
 * (whiteout files skipped). A plain tar source uses UVM_LAYER_PLAIN. */
enum uvm_layer_pass {
	UVM_LAYER_PLAIN = 0,
	UVM_LAYER_WHITEOUTS,
	UVM_LAYER_ENTRIES,
};

/* Add every entry of an opened libarchive reader (any tar format) to t.
 * name is used in messages. */
int uvm_archive_add_entries(struct uvm_tree *t, struct archive *a,
			    const char *name, enum uvm_layer_pass pass,
			    const struct uvm_source_opts *opts,
			    struct uvm_error *err);

/* Open fd (from offset 0) as a possibly compressed tar and add it. */
int uvm_archive_add_tar_fd(struct uvm_tree *t, int fd, const char *name,
			   enum uvm_layer_pass pass,
			   const struct uvm_source_opts *opts,
			   struct uvm_error *err);

/* One OCI content descriptor: media type, sha256 digest (64 lowercase hex
 * digits, validated), size. */
struct uvm_oci_desc {
	char media_type[128];
	char hex[65];
	uint64_t size;
};

/* Parse an image index (index.json or a nested index blob) and pick its
 * manifest: the only one, or the only linux/amd64 one. name is for
 * messages. */
int uvm_oci_parse_index(const void *buf, size_t len, const char *name,
			struct uvm_oci_desc *ret, struct uvm_error *err);

/* Parse an image manifest's layer descriptors (media types checked);
 * *ret_layers is malloc'd, owned by the caller. */
int uvm_oci_parse_manifest(const void *buf, size_t len, const char *name,
			   struct uvm_oci_desc **ret_layers, size_t *ret_n,
			   struct uvm_error *err);

/* The OCI image layout at path (source-oci.c). */
int uvm_oci_add(struct uvm_tree *t, const char *path,
		const struct uvm_source_opts *opts, struct uvm_error *err);

#endif
