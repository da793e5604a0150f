/* tree.c — the layered in-memory filesystem tree (see tree.h for the model).
 *
 * Directory children are kept in a sorted array (binary search on insert),
 * which gives O(log n) lookups and the canonical order for free. Inodes are
 * reference counted by the entries that point at them (hard links). */
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"

struct uvm_inode *uvm_inode_new(uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct uvm_inode *ino = calloc(1, sizeof(*ino));
	if (!ino)
		return NULL;
	ino->mode = mode;
	ino->uid = uid;
	ino->gid = gid;
	ino->refs = 1;
	return ino;
}

void uvm_inode_unref(struct uvm_inode *ino)
{
	if (!ino || --ino->refs > 0)
		return;
	for (size_t i = 0; i < ino->n_xattrs; i++) {
		free(ino->xattrs[i].name);
		free(ino->xattrs[i].value);
	}
	free(ino->xattrs);
	free(ino->symlink);
	free(ino->mem);
	free(ino->path);
	free(ino);
}

int uvm_inode_set_xattr(struct uvm_inode *ino, const char *name,
			const void *value, size_t size)
{
	size_t lo = 0, hi = ino->n_xattrs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(ino->xattrs[mid].name, name);
		if (c == 0) {
			lo = mid;
			goto replace;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	struct uvm_xattr *n =
		realloc(ino->xattrs, (ino->n_xattrs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	ino->xattrs = n;
	memmove(n + lo + 1, n + lo, (ino->n_xattrs - lo) * sizeof(*n));
	n[lo] = (struct uvm_xattr){ .name = strdup(name) };
	ino->n_xattrs++;
	if (!n[lo].name)
		return -ENOMEM;
replace:;
	uint8_t *v = malloc(size ? size : 1);
	if (!v)
		return -ENOMEM;
	memcpy(v, value, size);
	free(ino->xattrs[lo].value);
	ino->xattrs[lo].value = v;
	ino->xattrs[lo].size = size;
	return 0;
}

static void node_free(struct uvm_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_children; i++)
		node_free(n->children[i]);
	free(n->children);
	uvm_inode_unref(n->inode);
	free(n->name);
	free(n);
}

static struct uvm_node *node_new(const char *name, size_t len,
				 struct uvm_inode *inode)
{
	struct uvm_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->name = strndup(name, len);
	if (!n->name) {
		free(n);
		return NULL;
	}
	n->inode = inode;
	return n;
}

int uvm_tree_new(const char *spool_dir, struct uvm_tree **ret,
		 struct uvm_error *err)
{
	struct uvm_tree *t = calloc(1, sizeof(*t));
	if (!t)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	t->spool_fd = -1;
	t->spool_dir = strdup(spool_dir ? spool_dir : "/tmp");
	struct uvm_inode *ri = uvm_inode_new(S_IFDIR | 0755, 0, 0);
	t->root = ri ? node_new("", 0, ri) : NULL;
	if (!t->spool_dir || !t->root) {
		if (!t->root)
			uvm_inode_unref(ri);
		uvm_tree_free(t);
		return uvm_errorf(err, -ENOMEM, "out of memory");
	}
	*ret = t;
	return 0;
}

void uvm_tree_free(struct uvm_tree *t)
{
	if (!t)
		return;
	node_free(t->root);
	if (t->spool_fd >= 0)
		close(t->spool_fd);
	free(t->spool_dir);
	free(t);
}

int uvm_path_normalize(const char *path, char *out, struct uvm_error *err)
{
	size_t o = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchrnul(p, '/');
		size_t len = (size_t)(e - p);
		if (len == 1 && p[0] == '.') {
			p = e;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return uvm_errorf(err, -EINVAL,
					  "%s: path has a '..' component", path);
		if (len > UVM_NAME_MAX)
			return uvm_errorf(err, -ENAMETOOLONG,
					  "%s: name longer than %d bytes", path,
					  UVM_NAME_MAX);
		if (o + (o ? 1 : 0) + len > UVM_PATH_MAX)
			return uvm_errorf(err, -ENAMETOOLONG,
					  "path too long (%zu bytes)",
					  strlen(path));
		if (o)
			out[o++] = '/';
		memcpy(out + o, p, len);
		o += len;
		p = e;
	}
	out[o] = 0;
	return 0;
}

/* Index of name among dir's children, or -(insertion point) - 1. */
static ssize_t child_find(const struct uvm_node *dir, const char *name,
			  size_t len)
{
	size_t lo = 0, hi = dir->n_children;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *cn = dir->children[mid]->name;
		int c = strncmp(cn, name, len);
		if (c == 0 && cn[len])
			c = 1;
		if (c == 0)
			return (ssize_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(ssize_t)lo - 1;
}

static int child_insert(struct uvm_node *dir, size_t at, struct uvm_node *n)
{
	if (dir->n_children == dir->cap_children) {
		size_t cap = dir->cap_children ? dir->cap_children * 2 : 4;
		struct uvm_node **c =
			realloc(dir->children, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		dir->children = c;
		dir->cap_children = cap;
	}
	memmove(dir->children + at + 1, dir->children + at,
		(dir->n_children - at) * sizeof(*dir->children));
	dir->children[at] = n;
	dir->n_children++;
	n->parent = dir;
	return 0;
}

static void child_remove(struct uvm_node *dir, size_t at)
{
	node_free(dir->children[at]);
	memmove(dir->children + at, dir->children + at + 1,
		(dir->n_children - at - 1) * sizeof(*dir->children));
	dir->n_children--;
}

static bool is_dir(const struct uvm_node *n)
{
	return S_ISDIR(n->inode->mode);
}

struct uvm_node *uvm_tree_lookup(struct uvm_tree *t, const char *path)
{
	char norm[UVM_PATH_MAX + 1];
	if (uvm_path_normalize(path, norm, NULL) < 0)
		return NULL;
	struct uvm_node *n = t->root;
	const char *p = norm;
	while (*p) {
		const char *e = strchrnul(p, '/');
		if (!is_dir(n))
			return NULL;
		ssize_t i = child_find(n, p, (size_t)(e - p));
		if (i < 0)
			return NULL;
		n = n->children[i];
		p = *e ? e + 1 : e;
	}
	return n;
}

/* Walk to the parent directory of norm, creating directories as needed.
 * *ret_name points at the last component inside norm. */
static int walk_parent(struct uvm_tree *t, const char *norm, unsigned flags,
		       struct uvm_node **ret_dir, const char **ret_name,
		       struct uvm_error *err)
{
	struct uvm_node *d = t->root;
	const char *p = norm;
	for (;;) {
		const char *e = strchrnul(p, '/');
		if (!*e)
			break;
		size_t len = (size_t)(e - p);
		ssize_t i = child_find(d, p, len);
		if (i >= 0 && !is_dir(d->children[i])) {
			if (!(flags & UVM_PUT_REPLACE_PARENTS))
				return uvm_errorf(err, -ENOTDIR,
						  "%s: a parent is not a directory",
						  norm);
			child_remove(d, (size_t)i);
			i = -(ssize_t)i - 1;
		}
		if (i < 0) {
			struct uvm_inode *di = uvm_inode_new(S_IFDIR | 0755, 0, 0);
			struct uvm_node *n = di ? node_new(p, len, di) : NULL;
			if (!n || child_insert(d, (size_t)(-i - 1), n) < 0) {
				if (n)
					node_free(n);
				else
					uvm_inode_unref(di);
				return uvm_errorf(err, -ENOMEM, "out of memory");
			}
			d = n;
		} else
			d = d->children[i];
		p = e + 1;
	}
	*ret_dir = d;
	*ret_name = p;
	return 0;
}

int uvm_tree_put(struct uvm_tree *t, const char *path, struct uvm_inode *inode,
		 unsigned flags, struct uvm_node **ret, struct uvm_error *err)
{
	char norm[UVM_PATH_MAX + 1];
	int r = uvm_path_normalize(path, norm, err);
	if (r < 0)
		goto fail;
	if (!norm[0]) {
		if (!S_ISDIR(inode->mode)) {
			r = uvm_errorf(err, -EISDIR,
				       "the root must be a directory");
			goto fail;
		}
		uvm_inode_unref(t->root->inode);
		t->root->inode = inode;
		if (ret)
			*ret = t->root;
		return 0;
	}
	struct uvm_node *dir = NULL;
	const char *name = NULL;
	r = walk_parent(t, norm, flags, &dir, &name, err);
	if (r < 0)
		goto fail;
	size_t len = strlen(name);
	ssize_t i = child_find(dir, name, len);
	if (i >= 0) {
		struct uvm_node *old = dir->children[i];
		if (is_dir(old) && S_ISDIR(inode->mode)) {
			uvm_inode_unref(old->inode);
			old->inode = inode;
			if (ret)
				*ret = old;
			return 0;
		}
		child_remove(dir, (size_t)i);
		i = -(ssize_t)i - 1;
	}
	struct uvm_node *n = node_new(name, len, inode);
	if (!n) {
		r = uvm_errorf(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (child_insert(dir, (size_t)(-i - 1), n) < 0) {
		free(n->name);
		free(n);
		r = uvm_errorf(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (ret)
		*ret = n;
	return 0;
fail:
	uvm_inode_unref(inode);
	return r;
}

int uvm_tree_link(struct uvm_tree *t, const char *path, const char *target,
		  struct uvm_error *err)
{
	struct uvm_node *tn = uvm_tree_lookup(t, target);
	if (!tn)
		return uvm_errorf(err, -ENOENT,
				  "%s: hard link target '%s' does not exist",
				  path, target);
	if (is_dir(tn))
		return uvm_errorf(err, -EPERM,
				  "%s: hard link to directory '%s'", path,
				  target);
	tn->inode->refs++;
	return uvm_tree_put(t, path, tn->inode, 0, NULL, err);
}

int uvm_tree_remove(struct uvm_tree *t, const char *path,
		    struct uvm_error *err)
{
	char norm[UVM_PATH_MAX + 1];
	int r = uvm_path_normalize(path, norm, err);
	if (r < 0)
		return r;
	if (!norm[0])
		return uvm_errorf(err, -EINVAL, "cannot remove the root");
	char *slash = strrchr(norm, '/');
	struct uvm_node *dir = t->root;
	const char *name = norm;
	if (slash) {
		*slash = 0;
		dir = uvm_tree_lookup(t, norm);
		name = slash + 1;
		if (!dir || !is_dir(dir))
			return 0;
	}
	ssize_t i = child_find(dir, name, strlen(name));
	if (i >= 0)
		child_remove(dir, (size_t)i);
	return 0;
}

int uvm_tree_clear_dir(struct uvm_tree *t, const char *path,
		       struct uvm_error *err)
{
	struct uvm_node *d = uvm_tree_lookup(t, path);
	if (!d || !is_dir(d))
		return 0;
	for (size_t i = 0; i < d->n_children; i++)
		node_free(d->children[i]);
	d->n_children = 0;
	return 0;
}

int uvm_tree_spool_append(struct uvm_tree *t, const void *buf, size_t len,
			  uint64_t *ret_off, struct uvm_error *err)
{
	if (t->spool_fd < 0) {
		t->spool_fd = open(t->spool_dir, O_TMPFILE | O_RDWR | O_CLOEXEC,
				   0600);
		if (t->spool_fd < 0)
			return uvm_errorf_errno(err, -errno,
						"%s: cannot create spool file",
						t->spool_dir);
	}
	uint64_t off = t->spool_size;
	const uint8_t *p = buf;
	size_t left = len;
	while (left) {
		ssize_t k = pwrite(t->spool_fd, p, left, (off_t)t->spool_size);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return uvm_errorf_errno(err, -errno, "%s: spool write",
						t->spool_dir);
		}
		p += k;
		left -= (size_t)k;
		t->spool_size += (uint64_t)k;
	}
	if (ret_off)
		*ret_off = off;
	return 0;
}

struct number_state {
	uint32_t next;
	size_t nodes;
};

static int number_cb(struct uvm_node *n, const char *path, void *ud)
{
	struct number_state *s = ud;
	s->nodes++;
	struct uvm_inode *ino = n->inode;
	if (!ino->ino) {
		ino->ino = ++s->next;
		ino->nlink = 0;
	}
	ino->nlink++;
	if (S_ISDIR(ino->mode)) {
		ino->nlink++; /* "." */
		for (size_t i = 0; i < n->n_children; i++)
			if (is_dir(n->children[i]))
				ino->nlink++;
	}
	return 0;
}

static int reset_cb(struct uvm_node *n, const char *path, void *ud)
{
	n->inode->ino = 0;
	n->inode->nlink = 0;
	return 0;
}

int uvm_tree_number(struct uvm_tree *t)
{
	struct number_state s = { 0 };
	int r = uvm_tree_walk(t, reset_cb, NULL);
	if (r < 0)
		return r;
	r = uvm_tree_walk(t, number_cb, &s);
	if (r < 0)
		return r;
	/* The root's ".." is itself, not counted by a parent entry. */
	t->n_inodes = s.next;
	t->n_nodes = s.nodes;
	return 0;
}

static int walk_rec(struct uvm_node *n, char *path, size_t len,
		    uvm_tree_walk_fn cb, void *ud)
{
	int r = cb(n, path, ud);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n->n_children; i++) {
		struct uvm_node *c = n->children[i];
		size_t cl = strlen(c->name);
		size_t nl = len + (len ? 1 : 0) + cl;
		if (nl > UVM_PATH_MAX)
			return -ENAMETOOLONG;
		if (len)
			path[len] = '/';
		memcpy(path + len + (len ? 1 : 0), c->name, cl + 1);
		r = walk_rec(c, path, nl, cb, ud);
		path[len] = 0;
		if (r < 0)
			return r;
	}
	return 0;
}

int uvm_tree_walk(struct uvm_tree *t, uvm_tree_walk_fn cb, void *userdata)
{
	char path[UVM_PATH_MAX + 1] = "";
	return walk_rec(t->root, path, 0, cb, userdata);
}

int uvm_reader_open(const struct uvm_tree *t, const struct uvm_inode *ino,
		    struct uvm_reader *r, struct uvm_error *err)
{
	*r = (struct uvm_reader){ .fd = -1, .size = ino->size };
	switch (ino->content) {
	case UVM_CONTENT_NONE:
		r->size = 0;
		return 0;
	case UVM_CONTENT_MEM:
		r->mem = ino->mem;
		return 0;
	case UVM_CONTENT_SPOOL:
		r->fd = t->spool_fd;
		r->base = ino->spool_off;
		if (r->fd < 0 || ino->spool_off + ino->size > t->spool_size)
			return uvm_errorf(err, -EIO, "spooled content missing");
		return 0;
	case UVM_CONTENT_PATH:
		r->fd = open(ino->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (r->fd < 0)
			return uvm_errorf_errno(err, -errno, "%s", ino->path);
		r->own_fd = true;
		return 0;
	}
	return uvm_errorf(err, -EINVAL, "bad content kind");
}

int64_t uvm_reader_pread(struct uvm_reader *r, void *buf, size_t len,
			 uint64_t off)
{
	if (off >= r->size)
		return 0;
	if (len > r->size - off)
		len = (size_t)(r->size - off);
	if (r->mem) {
		memcpy(buf, r->mem + off, len);
		return (int64_t)len;
	}
	if (r->fd < 0)
		return 0;
	int k = uvm_pread_all(r->fd, buf, len, r->base + off);
	if (k < 0)
		return k;
	return (int64_t)len;
}

void uvm_reader_close(struct uvm_reader *r)
{
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->own_fd = false;
}
