/* fileio.h — reading whole files with a size bound, and atomic output.
 *
 * Atomic output: every file uvmkit produces is written under a temporary
 * name in the destination directory (".NAME.XXXXXX"), fsync'd, then renamed
 * over NAME. A failure at any point unlinks the temporary; nothing is ever
 * left under the final name unless it is complete.
 */
#ifndef UVM_FILEIO_H
#define UVM_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Read all of path into a malloc'd buffer (NUL-terminated for convenience,
 * the NUL is not counted). Fails with -EFBIG if the file is larger than
 * max_size bytes, -EISDIR on a directory. ret and ret_len are set only on
 * success. */
int uvm_read_file(const char *path, size_t max_size, uint8_t **ret,
		  size_t *ret_len, struct uvm_error *err);

/* An output file being written atomically. */
struct uvm_atomic_file {
	int fd;		/* write to this */
	char *path;	/* final name */
	char *tmp_path; /* temporary name, NULL once committed/aborted */
};

/* Create a temporary beside path, opened O_RDWR with the given mode (before
 * umask is NOT applied: the mode is set with fchmod so output does not depend
 * on the caller's umask). */
int uvm_atomic_open(struct uvm_atomic_file *f, const char *path, mode_t mode,
		    struct uvm_error *err);

/* fsync and rename over the final name; closes fd. On failure the temporary
 * is removed. */
int uvm_atomic_commit(struct uvm_atomic_file *f, struct uvm_error *err);

/* Remove the temporary (if any) and release f. Safe to call after commit and
 * more than once; intended as a cleanup handler. */
void uvm_atomic_abort(struct uvm_atomic_file *f);

/* One-shot: write buf to path atomically with the given mode. */
int uvm_write_file_atomic(const char *path, const void *buf, size_t len,
			  mode_t mode, struct uvm_error *err);

/* write(2) all of buf, retrying on EINTR/short writes. */
int uvm_write_all(int fd, const void *buf, size_t len);

/* pread(2) exactly len bytes at off; -EIO on a short read (end of file). */
int uvm_pread_all(int fd, void *buf, size_t len, uint64_t off);

/* pwrite(2) all of buf at off, retrying on EINTR/short writes. */
int uvm_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

/* mkdir -p with mode 0755 for each missing component. */
int uvm_mkdir_p(const char *path, struct uvm_error *err);

#endif
