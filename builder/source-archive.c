/* source-archive.c — tar and .deb sources (NEEDSWORK: being written; this
 * first commit only carries the directory source). */
#include "source-archive.h"

#include <errno.h>

int uvm_archive_probe_tar_fd(int fd, const char *name, struct uvm_error *err)
{
	return uvm_errorf(err, -EOPNOTSUPP, "%s: archive sources not implemented yet", name);
}

int uvm_archive_add_file(struct uvm_tree *t, const char *path,
			 enum uvm_source_kind kind,
			 const struct uvm_source_opts *opts,
			 struct uvm_error *err)
{
	return uvm_errorf(err, -EOPNOTSUPP, "%s: archive sources not implemented yet", path);
}

int uvm_archive_add_memory(struct uvm_tree *t, const char *name,
			   const void *buf, size_t len,
			   enum uvm_source_kind kind,
			   const struct uvm_source_opts *opts,
			   struct uvm_error *err)
{
	return uvm_errorf(err, -EOPNOTSUPP, "%s: archive sources not implemented yet", name);
}

int uvm_oci_add(struct uvm_tree *t, const char *path,
		const struct uvm_source_opts *opts, struct uvm_error *err)
{
	return uvm_errorf(err, -EOPNOTSUPP, "%s: OCI sources not implemented yet", path);
}
