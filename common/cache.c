/* cache.c — the build-output cache (cache.h): directories filled under a
 * temporary name and renamed into place, so entries are all or nothing. */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

static int check_key(const char *kind, const char *key, struct uvm_error *err)
{
	if (strlen(key) != 64 || strspn(key, "0123456789abcdef") != 64)
		return uvm_errorf(err, -EINVAL, "cache key '%s' is not 64 hex digits",
				  key);
	if (!*kind || strchr(kind, '/') || kind[0] == '.')
		return uvm_errorf(err, -EINVAL, "bad cache kind '%s'", kind);
	return 0;
}

int uvm_cache_lookup(const char *cache_dir, const char *kind, const char *key,
		     char **ret_dir, struct uvm_error *err)
{
	int r = check_key(kind, key, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s/%s/%s", cache_dir, kind, key) < 0)
		return -ENOMEM;
	struct stat st;
	if (stat(dir, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return uvm_errorf_errno(err, -errno, "%s", dir);
	}
	if (!S_ISDIR(st.st_mode))
		return uvm_errorf(err, -ENOTDIR, "%s: not a directory", dir);
	*ret_dir = TAKE_PTR(dir);
	return 1;
}

int uvm_cache_begin(const char *cache_dir, const char *kind, const char *key,
		    char **ret_tmp, struct uvm_error *err)
{
	int r = check_key(kind, key, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *parent = NULL, *tmp = NULL;
	if (asprintf(&parent, "%s/%s", cache_dir, kind) < 0 ||
	    asprintf(&tmp, "%s/.%s.XXXXXX", parent, key) < 0)
		return -ENOMEM;
	r = uvm_mkdir_p(parent, err);
	if (r < 0)
		return r;
	if (!mkdtemp(tmp))
		return uvm_errorf_errno(err, -errno, "%s", tmp);
	if (chmod(tmp, 0755) < 0) {
		r = -errno;
		uvm_rm_rf(tmp);
		return uvm_errorf_errno(err, r, "%s", tmp);
	}
	*ret_tmp = TAKE_PTR(tmp);
	return 0;
}

int uvm_cache_commit(const char *tmp, const char *cache_dir, const char *kind,
		     const char *key, char **ret_dir, struct uvm_error *err)
{
	int r = check_key(kind, key, err);
	if (r < 0) {
		uvm_rm_rf(tmp);
		return r;
	}
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s/%s/%s", cache_dir, kind, key) < 0) {
		uvm_rm_rf(tmp);
		return -ENOMEM;
	}
	sync(); /* the entry's files must be on disk before its name is */
	if (rename(tmp, dir) < 0) {
		r = -errno;
		uvm_rm_rf(tmp);
		/* Another builder committed the same key first: keep theirs. */
		if (r != -ENOTEMPTY && r != -EEXIST)
			return uvm_errorf_errno(err, r, "%s", dir);
	}
	if (ret_dir)
		*ret_dir = TAKE_PTR(dir);
	return 0;
}

static int rm_rf_at(int dfd, const char *name)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int r = -errno;
		close(fd);
		return r;
	}
	int r = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int k = rm_rf_at(dirfd(d), de->d_name);
		if (k < 0 && r == 0)
			r = k;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

int uvm_rm_rf(const char *path)
{
	if (!path)
		return 0;
	return rm_rf_at(AT_FDCWD, path);
}

int uvm_copy_file_atomic(const char *src, const char *dst, mode_t mode,
			 struct uvm_error *err)
{
	_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return uvm_errorf_errno(err, -errno, "%s", src);
	struct uvm_atomic_file f = { .fd = -1 };
	int r = uvm_atomic_open(&f, dst, mode, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *buf = malloc(1 << 20);
	if (!buf) {
		uvm_atomic_abort(&f);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t k = read(in, buf, 1 << 20);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = uvm_errorf_errno(err, -errno, "%s", src);
			break;
		}
		if (k == 0) {
			r = uvm_atomic_commit(&f, err);
			break;
		}
		r = uvm_write_all(f.fd, buf, (size_t)k);
		if (r < 0) {
			uvm_errorf_errno(err, r, "%s", dst);
			break;
		}
	}
	uvm_atomic_abort(&f);
	return r;
}
