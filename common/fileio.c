/* fileio.c — bounded whole-file reads and atomic (tmp + fsync + rename)
 * writes, so that an interrupted run never leaves a partial output under its
 * final name. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int uvm_read_file(const char *path, size_t max_size, uint8_t **ret,
		  size_t *ret_len, struct uvm_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	if (S_ISDIR(st.st_mode))
		return uvm_errorf(err, -EISDIR, "%s: is a directory", path);
	size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size : 65536;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_size)
		return uvm_errorf(err, -EFBIG,
				  "%s: file too large (%llu bytes, limit %zu)",
				  path, (unsigned long long)st.st_size,
				  max_size);
	_cleanup_free_ uint8_t *buf = malloc(cap + 1);
	if (!buf)
		return uvm_errorf(err, -ENOMEM, "%s: out of memory", path);
	size_t len = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= max_size + 1)
				return uvm_errorf(err, -EFBIG,
						  "%s: file too large (limit %zu)",
						  path, max_size);
			size_t ncap = MIN(cap * 2 + 1, max_size + 1);
			uint8_t *n = realloc(buf, ncap + 1);
			if (!n)
				return uvm_errorf(err, -ENOMEM,
						  "%s: out of memory", path);
			buf = n;
			cap = ncap;
		}
		ssize_t k = read(fd, buf + len, cap - len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return uvm_errorf_errno(err, -errno, "%s", path);
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	if (len > max_size)
		return uvm_errorf(err, -EFBIG, "%s: file too large (limit %zu)",
				  path, max_size);
	buf[len] = 0;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int uvm_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t k = write(fd, p, len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

int uvm_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t k = pread(fd, p, len, (off_t)off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO;
		p += k;
		len -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

int uvm_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *b = buf;
	while (len > 0) {
		ssize_t n = pwrite(fd, b, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		b += n, len -= (size_t)n, off += (uint64_t)n;
	}
	return 0;
}

int uvm_atomic_open(struct uvm_atomic_file *f, const char *path, mode_t mode,
		    struct uvm_error *err)
{
	*f = (struct uvm_atomic_file){ .fd = -1 };
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_free_ char *copy2 = strdup(path);
	if (!copy || !copy2)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	const char *dir = dirname(copy), *base = basename(copy2);
	size_t n = strlen(dir) + strlen(base) + 16;
	_cleanup_free_ char *tmp = malloc(n);
	if (!tmp)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	snprintf(tmp, n, "%s/.%s.XXXXXX", dir, base);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s: cannot create", path);
	if (fchmod(fd, mode) < 0) {
		int r = -errno;
		close(fd);
		unlink(tmp);
		return uvm_errorf_errno(err, r, "%s", path);
	}
	f->path = strdup(path);
	if (!f->path) {
		close(fd);
		unlink(tmp);
		return uvm_errorf(err, -ENOMEM, "out of memory");
	}
	f->fd = fd;
	f->tmp_path = TAKE_PTR(tmp);
	return 0;
}

int uvm_atomic_commit(struct uvm_atomic_file *f, struct uvm_error *err)
{
	if (!f->tmp_path)
		return uvm_errorf(err, -EINVAL, "file already closed");
	int r = 0;
	if (fsync(f->fd) < 0)
		r = -errno;
	if (close(f->fd) < 0 && r == 0)
		r = -errno;
	f->fd = -1;
	if (r == 0 && rename(f->tmp_path, f->path) < 0)
		r = -errno;
	if (r < 0) {
		uvm_errorf_errno(err, r, "%s", f->path);
		uvm_atomic_abort(f);
		return r;
	}
	free(f->tmp_path);
	f->tmp_path = NULL;
	free(f->path);
	f->path = NULL;
	return 0;
}

void uvm_atomic_abort(struct uvm_atomic_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp_path)
		unlink(f->tmp_path);
	free(f->tmp_path);
	f->tmp_path = NULL;
	free(f->path);
	f->path = NULL;
}

int uvm_write_file_atomic(const char *path, const void *buf, size_t len,
			  mode_t mode, struct uvm_error *err)
{
	struct uvm_atomic_file f;
	int r = uvm_atomic_open(&f, path, mode, err);
	if (r < 0)
		return r;
	r = uvm_write_all(f.fd, buf, len);
	if (r < 0) {
		uvm_errorf_errno(err, r, "%s", path);
		uvm_atomic_abort(&f);
		return r;
	}
	return uvm_atomic_commit(&f, err);
}

int uvm_mkdir_p(const char *path, struct uvm_error *err)
{
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == 0) {
			char c = *s;
			*s = 0;
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				return uvm_errorf_errno(err, -errno, "%s", p);
			*s = c;
			if (!c)
				break;
		}
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	if (!S_ISDIR(st.st_mode))
		return uvm_errorf(err, -ENOTDIR, "%s: not a directory", path);
	return 0;
}
