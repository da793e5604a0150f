/* rootfs.c — sources -> tree -> ext4 -> verity disk, all-or-nothing into
 * one output directory (contract in rootfs.h). The ext4 image is built in a
 * hidden temporary beside the outputs (same filesystem, so for
 * UVM_LAYOUT_NONE it is renamed into place instead of copied). */
#include "builder/rootfs.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <inttypes.h>

#include "builder/tree-digest.h"
#include "common/fileio.h"
#include "common/hash.h"

int uvm_rootfs_default_seed(const uint8_t tree_digest[32],
			    const struct uvm_rootfs_opts *opts,
			    uint8_t seed[32])
{
	static const char tag[] = "uvmkit-rootfs-seed-v1";
	uint8_t buf[sizeof(tag) + 32 + 4 + 8 + 8 + 4];
	uint8_t *p = buf;
	uint32_t v32;
	uint64_t v64;

	memcpy(p, tag, sizeof(tag)); /* with its NUL */
	p += sizeof(tag);
	memcpy(p, tree_digest, 32);
	p += 32;
	v32 = htole32((uint32_t)opts->layout);
	memcpy(p, &v32, 4), p += 4;
	v64 = htole64(opts->size);
	memcpy(p, &v64, 8), p += 8;
	v64 = htole64(opts->epoch);
	memcpy(p, &v64, 8), p += 8;
	v32 = htole32(opts->align_mib ? opts->align_mib : 128);
	memcpy(p, &v32, 4), p += 4;
	return uvm_sha256(buf, (size_t)(p - buf), seed);
}

static void unlink_tmp(char **path)
{
	if (*path) {
		unlink(*path);
		free(*path);
	}
}

static int build_into(struct uvm_tree *t, const struct uvm_ext4_opts *eo,
		      const struct uvm_rootfs_opts *opts,
		      const struct uvm_disk_opts *dopts, const char *out_dir,
		      struct uvm_rootfs_result *res, struct uvm_error *err)
{
	_cleanup_(unlink_tmp) char *tmp = NULL;
	int r, fd;

	if (asprintf(&tmp, "%s/.rootfs.ext4.XXXXXX", out_dir) < 0) {
		tmp = NULL;
		return uvm_errorf(err, -ENOMEM, "out of memory");
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = -errno;
		free(tmp);
		tmp = NULL;
		return uvm_errorf_errno(err, r, "%s: cannot create", out_dir);
	}
	close(fd);
	r = uvm_ext4_write(t, tmp, eo, &res->ext4, err);
	if (r < 0)
		return r;
	return uvm_disk_write_dir(tmp, opts->layout, res->seed, dopts, out_dir,
				  &res->verity, err);
}

int uvm_rootfs_build_tree(struct uvm_tree *t,
			  const struct uvm_rootfs_opts *opts,
			  const char *out_dir, struct uvm_rootfs_result *ret,
			  struct uvm_error *err)
{
	struct uvm_rootfs_result res = { 0 };
	struct uvm_ext4_opts eo = { .epoch = opts->epoch };
	struct uvm_disk_opts dopts = { .align_mib = opts->align_mib,
				       .consume_input = true,
				       .verify = opts->verify };
	uint64_t size = opts->size, data_blocks = 0;
	struct stat st;
	bool made_dir = stat(out_dir, &st) < 0;
	int r;

	if (size % UVM_EXT4_BLOCK_SIZE)
		return uvm_errorf(err, -EINVAL, "size %" PRIu64 " is not a "
				  "multiple of 4096", size);
	if (opts->have_seed) {
		/* The digest reads every byte of content: only for the seed. */
		memcpy(res.seed, opts->seed, 32);
		r = uvm_tree_number(t);
		if (r < 0)
			return uvm_errorf(err, r, "numbering the tree");
	} else {
		r = uvm_tree_digest_blocks(t, res.tree_digest, &data_blocks, err);
		if (r < 0)
			return r;
		res.have_tree_digest = true;
		r = uvm_rootfs_default_seed(res.tree_digest, opts, res.seed);
		if (r < 0)
			return uvm_errorf(err, r, "deriving the build seed");
	}
	res.entries = t->n_nodes;
	memcpy(eo.seed, res.seed, 32);

	if (!size) {
		r = uvm_ext4_auto_size(t, res.have_tree_digest ? &data_blocks : NULL,
				       &size, err);
		if (r < 0)
			return r;
	}
	if (opts->layout == UVM_LAYOUT_KATA) {
		/* Kata: the filesystem fills p1 of the smallest aligned disk. */
		struct uvm_disk_geometry g;
		r = uvm_disk_kata_geometry(size, opts->align_mib, &g, err);
		if (r < 0)
			return r;
		size = g.data_bytes;
	}
	eo.size = size;

	r = uvm_mkdir_p(out_dir, err);
	if (r < 0)
		return r;
	r = build_into(t, &eo, opts, &dopts, out_dir, &res, err);
	if (r < 0) {
		if (made_dir)
			rmdir(out_dir); /* only if empty: ours */
		return r;
	}
	if (ret)
		*ret = res;
	return 0;
}

int uvm_rootfs_build(const struct uvm_rootfs_source *src, size_t n,
		     const struct uvm_source_opts *sopts, const char *spool_dir,
		     const struct uvm_rootfs_opts *opts, const char *out_dir,
		     struct uvm_rootfs_result *ret, struct uvm_error *err)
{
	_cleanup_(cleanup_tree) struct uvm_tree *t = NULL;
	int r = uvm_tree_new(spool_dir, &t, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		r = uvm_source_add(t, src[i].path, src[i].kind, sopts, err);
		if (r < 0)
			return r;
	}
	return uvm_rootfs_build_tree(t, opts, out_dir, ret, err);
}
