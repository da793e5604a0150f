/* source.c — source kind detection, dispatch, and the directory source.
 *
 * The directory walk holds one directory fd per level (openat + fdopendir,
 * never chdir), reads all names of a directory, sorts them with strcmp and
 * visits them in that order, so the first name of a hard-linked file is
 * the same one the tree's canonical walk reaches first. Nothing of the
 * host's stat except type, permission bits, size, device numbers and the
 * (dev, ino) hard-link key is used.
 */
#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "builder/source-archive.h"

static const char *const kind_names[] = {
	[UVM_SOURCE_AUTO] = "auto", [UVM_SOURCE_DIR] = "dir",
	[UVM_SOURCE_TAR] = "tar",   [UVM_SOURCE_OCI] = "oci",
	[UVM_SOURCE_DEB] = "deb",
};

const char *uvm_source_kind_name(enum uvm_source_kind kind)
{
	if ((size_t)kind >= ARRAY_SIZE(kind_names))
		return "?";
	return kind_names[kind];
}

int uvm_source_kind_from_name(const char *name, enum uvm_source_kind *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*ret = (enum uvm_source_kind)i;
			return 0;
		}
	return -EINVAL;
}

void uvm_source_parse_arg(const char *arg, enum uvm_source_kind *ret_kind,
			  const char **ret_path)
{
	const char *colon = strchr(arg, ':');
	*ret_kind = UVM_SOURCE_AUTO;
	*ret_path = arg;
	if (!colon || colon - arg > 4)
		return;
	char k[5];
	memcpy(k, arg, (size_t)(colon - arg));
	k[colon - arg] = 0;
	if (uvm_source_kind_from_name(k, ret_kind) == 0)
		*ret_path = colon + 1;
}

bool uvm_source_xattr_allowed(const char *name)
{
	return strncmp(name, "user.", 5) == 0 ||
	       strncmp(name, "security.", 9) == 0 ||
	       strncmp(name, "trusted.", 8) == 0 ||
	       strcmp(name, "system.posix_acl_access") == 0 ||
	       strcmp(name, "system.posix_acl_default") == 0;
}

/* ---- detection ---------------------------------------------------------- */

static bool is_deb_header(const uint8_t *b, size_t n)
{
	/* "!<arch>\n" then a 60-byte member header whose 16-byte name field
	 * starts with "debian-binary" (GNU ar may append '/'). */
	return n >= 8 + 60 && memcmp(b, "!<arch>\n", 8) == 0 &&
	       memcmp(b + 8, "debian-binary", 13) == 0 &&
	       (b[8 + 13] == ' ' || b[8 + 13] == '/');
}

int uvm_source_detect(const char *path, enum uvm_source_kind *ret,
		      struct uvm_error *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int fd =
			open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return uvm_errorf_errno(err, -errno,
						"%s: cannot open directory",
						path);
		struct stat s1, s2;
		if (fstatat(fd, "oci-layout", &s1, 0) == 0 &&
		    fstatat(fd, "index.json", &s2, 0) == 0 &&
		    S_ISREG(s1.st_mode) && S_ISREG(s2.st_mode))
			*ret = UVM_SOURCE_OCI;
		else
			*ret = UVM_SOURCE_DIR;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return uvm_errorf(err, -EMEDIUMTYPE,
				  "%s: not a directory or an archive file", path);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s: cannot read", path);
	uint8_t head[512];
	ssize_t n;
	do
		n = pread(fd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return uvm_errorf_errno(err, -errno, "%s: cannot read", path);
	if (is_deb_header(head, (size_t)n)) {
		*ret = UVM_SOURCE_DEB;
		return 0;
	}
	/* Compressed streams and ustar headers by magic, so a damaged
	 * archive is still read as one and reported as damaged. */
	static const struct {
		size_t off, len;
		const char *magic;
	} magics[] = {
		{ 0, 2, "\x1f\x8b" },		/* gzip */
		{ 0, 6, "\xfd" "7zXZ\0" },	/* xz */
		{ 0, 4, "\x28\xb5\x2f\xfd" }, /* zstd */
		{ 0, 3, "BZh" },		/* bzip2 */
		{ 257, 5, "ustar" },		/* POSIX/GNU tar */
	};
	for (size_t i = 0; i < ARRAY_SIZE(magics); i++)
		if ((size_t)n >= magics[i].off + magics[i].len &&
		    memcmp(head + magics[i].off, magics[i].magic,
			   magics[i].len) == 0) {
			*ret = UVM_SOURCE_TAR;
			return 0;
		}
	int r = uvm_archive_probe_tar_fd(fd, path, err);
	if (r < 0)
		return r;
	*ret = UVM_SOURCE_TAR;
	return 0;
}

/* ---- the directory source ----------------------------------------------- */

struct link_key {
	dev_t dev;
	ino_t ino;
	char *tree_path; /* first name, as put into the tree */
};

static int link_cmp(const void *a, const void *b)
{
	const struct link_key *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static void link_free(void *p)
{
	struct link_key *k = p;
	free(k->tree_path);
	free(k);
}

struct dir_walk {
	struct uvm_tree *t;
	uint32_t uid, gid;
	void *links; /* tsearch root of struct link_key */
	struct uvm_error *err;
	char *abs_root;			 /* realpath() of the source */
	char host[UVM_PATH_MAX * 2 + 2]; /* host path of the current entry */
	char rel[UVM_PATH_MAX + 1];	 /* tree path of the current entry */
};

/* Copy the allow-listed xattrs of host path w->host onto ino. */
static int dir_xattrs(struct dir_walk *w, struct uvm_inode *ino)
{
	ssize_t n = llistxattr(w->host, NULL, 0);
	if (n < 0) {
		if (errno == ENOTSUP || errno == ENOSYS)
			return 0;
		return uvm_errorf_errno(w->err, -errno,
					"%s: cannot list xattrs", w->host);
	}
	if (n == 0)
		return 0;
	_cleanup_free_ char *names = malloc((size_t)n);
	if (!names)
		return uvm_errorf(w->err, -ENOMEM, "out of memory");
	n = llistxattr(w->host, names, (size_t)n);
	if (n < 0)
		return uvm_errorf_errno(w->err, -errno,
					"%s: cannot list xattrs", w->host);
	for (char *p = names; p < names + n; p += strlen(p) + 1) {
		if (!uvm_source_xattr_allowed(p))
			continue;
		ssize_t vs = lgetxattr(w->host, p, NULL, 0);
		if (vs < 0) {
			/* trusted.* needs CAP_SYS_ADMIN; a value removed
			 * meanwhile is gone: both are "not readable". */
			if (errno == EPERM || errno == EACCES ||
			    errno == ENODATA || errno == ENOTSUP)
				continue;
			return uvm_errorf_errno(w->err, -errno,
						"%s: cannot read xattr %s",
						w->host, p);
		}
		_cleanup_free_ uint8_t *v = malloc(vs ? (size_t)vs : 1);
		if (!v)
			return uvm_errorf(w->err, -ENOMEM, "out of memory");
		vs = lgetxattr(w->host, p, v, (size_t)vs);
		if (vs < 0) {
			if (errno == EPERM || errno == EACCES ||
			    errno == ENODATA)
				continue;
			return uvm_errorf_errno(w->err, -errno,
						"%s: cannot read xattr %s",
						w->host, p);
		}
		if (uvm_inode_set_xattr(ino, p, v, (size_t)vs) < 0)
			return uvm_errorf(w->err, -ENOMEM, "out of memory");
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Read and sort the names of directory fd (not consumed). */
static int read_names(struct dir_walk *w, int fd, char ***ret, size_t *ret_n)
{
	int dfd = dup(fd);
	if (dfd < 0)
		return uvm_errorf_errno(w->err, -errno, "%s", w->host);
	DIR *d = fdopendir(dfd);
	if (!d) {
		int r = -errno;
		close(dfd);
		return uvm_errorf_errno(w->err, r,
					"%s: cannot read directory", w->host);
	}
	rewinddir(d);
	char **v = NULL;
	size_t n = 0, cap = 0;
	int r = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno)
				r = uvm_errorf_errno(w->err, -errno,
						     "%s: cannot read directory",
						     w->host);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				r = uvm_errorf(w->err, -ENOMEM, "out of memory");
				break;
			}
			v = nv;
		}
		if (!(v[n] = strdup(de->d_name))) {
			r = uvm_errorf(w->err, -ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (r < 0) {
		free_names(v, n);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), name_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
}

static int walk_dir(struct dir_walk *w, int fd, size_t hlen, size_t rlen);

/* Add the entry `name` of directory fd; w->host/w->rel already name it. */
static int walk_entry(struct dir_walk *w, int fd, const char *name,
		      size_t hlen, size_t rlen)
{
	struct stat st;
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return uvm_errorf_errno(w->err, -errno, "%s", w->host);
	uint32_t perm = st.st_mode & 07777;
	int r;

	if (S_ISSOCK(st.st_mode))
		return 0; /* documented: sockets are skipped */

	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int cfd = openat(
			fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			return uvm_errorf_errno(w->err, -errno,
						"%s: cannot open directory",
						w->host);
		struct uvm_inode *ino =
			uvm_inode_new(S_IFDIR | perm, w->uid, w->gid);
		if (!ino)
			return uvm_errorf(w->err, -ENOMEM, "out of memory");
		r = dir_xattrs(w, ino);
		if (r < 0) {
			uvm_inode_unref(ino);
			return r;
		}
		r = uvm_tree_put(w->t, w->rel, ino, UVM_PUT_REPLACE_PARENTS,
				 NULL, w->err);
		if (r < 0)
			return uvm_error_prefix(w->err, r, "%s", w->host);
		return walk_dir(w, cfd, hlen, rlen);
	}

	/* A hard link to a name already added by this source? */
	struct link_key key = { .dev = st.st_dev, .ino = st.st_ino };
	if (st.st_nlink > 1) {
		struct link_key **found = tfind(&key, &w->links, link_cmp);
		if (found) {
			r = uvm_tree_link(w->t, w->rel, (*found)->tree_path,
					  w->err);
			return r < 0 ? uvm_error_prefix(w->err, r, "%s", w->host)
				     : 0;
		}
	}

	struct uvm_inode *ino = uvm_inode_new(st.st_mode & (S_IFMT | 07777),
					      w->uid, w->gid);
	if (!ino)
		return uvm_errorf(w->err, -ENOMEM, "out of memory");
	if (S_ISREG(st.st_mode)) {
		/* Open once so an unreadable file fails here, by name. */
		_cleanup_close_ int ffd =
			openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (ffd < 0 || fstat(ffd, &st) < 0) {
			r = uvm_errorf_errno(w->err, -errno,
					     "%s: cannot read", w->host);
			uvm_inode_unref(ino);
			return r;
		}
		ino->size = (uint64_t)st.st_size;
		if (ino->size) {
			ino->content = UVM_CONTENT_PATH;
			/* Absolute, so a later chdir cannot break it. */
			if (asprintf(&ino->path, "%s/%s", w->abs_root,
				     w->rel) < 0)
				ino->path = NULL;
			if (!ino->path) {
				uvm_inode_unref(ino);
				return uvm_errorf(w->err, -ENOMEM,
						  "out of memory");
			}
		}
	} else if (S_ISLNK(st.st_mode)) {
		char target[UVM_SYMLINK_MAX + 2];
		ssize_t n = readlinkat(fd, name, target, sizeof(target));
		if (n < 0 || n > UVM_SYMLINK_MAX || n == 0) {
			r = n < 0 ? uvm_errorf_errno(w->err, -errno,
						     "%s: cannot read symlink",
						     w->host)
				  : uvm_errorf(w->err, -ENAMETOOLONG,
					       "%s: symlink target %s",
					       w->host,
					       n ? "too long" : "empty");
			uvm_inode_unref(ino);
			return r;
		}
		target[n] = 0;
		ino->symlink = strdup(target);
		ino->size = (uint64_t)n;
		if (!ino->symlink) {
			uvm_inode_unref(ino);
			return uvm_errorf(w->err, -ENOMEM, "out of memory");
		}
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		ino->rdev_major = major(st.st_rdev);
		ino->rdev_minor = minor(st.st_rdev);
	} else if (!S_ISFIFO(st.st_mode)) {
		uvm_inode_unref(ino);
		return uvm_errorf(w->err, -EMEDIUMTYPE,
				  "%s: unsupported file type 0%o", w->host,
				  (unsigned)(st.st_mode & S_IFMT));
	}
	r = dir_xattrs(w, ino);
	if (r < 0) {
		uvm_inode_unref(ino);
		return r;
	}
	r = uvm_tree_put(w->t, w->rel, ino, UVM_PUT_REPLACE_PARENTS, NULL,
			 w->err);
	if (r < 0)
		return uvm_error_prefix(w->err, r, "%s", w->host);

	if (st.st_nlink > 1) {
		struct link_key *k = malloc(sizeof(*k));
		if (!k || !(k->tree_path = strdup(w->rel))) {
			free(k);
			return uvm_errorf(w->err, -ENOMEM, "out of memory");
		}
		k->dev = key.dev;
		k->ino = key.ino;
		if (!tsearch(k, &w->links, link_cmp)) {
			link_free(k);
			return uvm_errorf(w->err, -ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int walk_dir(struct dir_walk *w, int fd, size_t hlen, size_t rlen)
{
	char **names = NULL;
	size_t n = 0;
	int r = read_names(w, fd, &names, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r >= 0; i++) {
		size_t nl = strlen(names[i]);
		size_t nh = hlen + 1 + nl, nr = rlen + (rlen ? 1 : 0) + nl;
		if (nh >= sizeof(w->host) || nr > UVM_PATH_MAX ||
		    nl > UVM_NAME_MAX) {
			w->host[hlen] = 0;
			r = uvm_errorf(w->err, -ENAMETOOLONG,
				       "%s/%s: path too long", w->host,
				       names[i]);
			break;
		}
		w->host[hlen] = '/';
		memcpy(w->host + hlen + 1, names[i], nl + 1);
		if (rlen)
			w->rel[rlen] = '/';
		memcpy(w->rel + rlen + (rlen ? 1 : 0), names[i], nl + 1);
		r = walk_entry(w, fd, names[i], nh, nr);
		w->host[hlen] = 0;
		w->rel[rlen] = 0;
	}
	free_names(names, n);
	return r;
}

static int add_dir_fd(struct dir_walk *w, size_t hlen)
{
	_cleanup_close_ int fd =
		open(w->host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return uvm_errorf_errno(w->err, -errno,
					"%s: cannot open directory", w->host);
	struct uvm_inode *root =
		uvm_inode_new(S_IFDIR | (st.st_mode & 07777), w->uid, w->gid);
	if (!root)
		return uvm_errorf(w->err, -ENOMEM, "out of memory");
	int r = dir_xattrs(w, root);
	if (r < 0) {
		uvm_inode_unref(root);
		return r;
	}
	r = uvm_tree_put(w->t, "", root, 0, NULL, w->err);
	if (r < 0)
		return r;
	return walk_dir(w, fd, hlen, 0);
}

static int add_dir(struct uvm_tree *t, const char *path,
		   const struct uvm_source_opts *opts, struct uvm_error *err)
{
	size_t hlen = strlen(path);
	while (hlen > 1 && path[hlen - 1] == '/')
		hlen--;
	struct dir_walk *w = calloc(1, sizeof(*w));
	if (!w)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (hlen >= sizeof(w->host)) {
		free(w);
		return uvm_errorf(err, -ENAMETOOLONG, "%s: path too long",
				  path);
	}
	w->t = t;
	w->uid = opts->uid;
	w->gid = opts->gid;
	w->err = err;
	memcpy(w->host, path, hlen);
	w->host[hlen] = 0;
	if (hlen == 1 && path[0] == '/')
		hlen = 0; /* children become "/name" */
	int r = 0;
	w->abs_root = realpath(w->host, NULL);
	if (!w->abs_root)
		r = uvm_errorf_errno(err, -errno, "%s: cannot open directory",
				     w->host);
	if (r >= 0)
		r = add_dir_fd(w, hlen);
	free(w->abs_root);
	tdestroy(w->links, link_free);
	free(w);
	return r;
}

/* ---- dispatch ------------------------------------------------------------ */

int uvm_source_add(struct uvm_tree *t, const char *path,
		   enum uvm_source_kind kind, const struct uvm_source_opts *opts,
		   struct uvm_error *err)
{
	static const struct uvm_source_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	int r;
	if (kind == UVM_SOURCE_AUTO) {
		r = uvm_source_detect(path, &kind, err);
		if (r < 0)
			return r;
	}
	switch (kind) {
	case UVM_SOURCE_DIR:
		return add_dir(t, path, opts, err);
	case UVM_SOURCE_TAR:
	case UVM_SOURCE_DEB:
		return uvm_archive_add_file(t, path, kind, opts, err);
	case UVM_SOURCE_OCI:
		return uvm_oci_add(t, path, opts, err);
	default:
		return uvm_errorf(err, -EINVAL, "%s: unknown source kind",
				  path);
	}
}

int uvm_source_add_memory(struct uvm_tree *t, const char *name,
			  const void *buf, size_t len,
			  enum uvm_source_kind kind,
			  const struct uvm_source_opts *opts,
			  struct uvm_error *err)
{
	static const struct uvm_source_opts defaults = { 0 };
	if (kind != UVM_SOURCE_TAR && kind != UVM_SOURCE_DEB)
		return uvm_errorf(err, -EINVAL,
				  "%s: only tar and deb sources can be read "
				  "from memory",
				  name);
	return uvm_archive_add_memory(t, name, buf, len, kind,
				      opts ? opts : &defaults, err);
}
