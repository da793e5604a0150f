/* tree-digest.c — the content digest of a tree (definition in the header).
 * Everything is length-prefixed so no two different trees serialize to the
 * same byte stream. The content hashes, the expensive part, are computed
 * first by a few threads (one per CPU, at most 4), each file by one thread;
 * the serial walk then only combines them, so the result does not depend
 * on the thread count, and an error names the first bad file in walk
 * order. */
#include "tree-digest.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define CHUNK (1u << 20)

static void cleanup_md(EVP_MD_CTX **c)
{
	if (*c)
		EVP_MD_CTX_free(*c);
}

uint64_t uvm_nonzero_blocks(const uint8_t *buf, size_t len)
{
	static const uint8_t zero[UVM_ZERO_BLOCK];
	uint64_t n = 0;
	for (size_t off = 0; off < len; off += UVM_ZERO_BLOCK) {
		size_t k = MIN((size_t)UVM_ZERO_BLOCK, len - off);
		n += memcmp(buf + off, zero, k) != 0;
	}
	return n;
}

/* buf: CHUNK bytes of scratch space. */
static int content_sha256(const struct uvm_tree *t, const struct uvm_inode *ino,
			  uint8_t *buf, uint8_t out[32], uint64_t *nonzero,
			  struct uvm_error *err)
{
	_cleanup_(cleanup_md) EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		return uvm_errorf(err, -ENOMEM, "sha256 init failed");
	if (S_ISREG(ino->mode) && ino->size) {
		struct uvm_reader rd;
		int r = uvm_reader_open(t, ino, &rd, err);
		if (r < 0)
			return r;
		uint64_t off = 0;
		while (off < ino->size) {
			int64_t k = uvm_reader_pread(&rd, buf, CHUNK, off);
			if (k <= 0) {
				uvm_reader_close(&rd);
				return uvm_errorf_errno(
					err, k < 0 ? (int)k : -EIO,
					"%s: cannot read content",
					ino->path ? ino->path : "spooled file");
			}
			if (EVP_DigestUpdate(c, buf, (size_t)k) != 1) {
				uvm_reader_close(&rd);
				return uvm_errorf(err, -EIO, "sha256 failed");
			}
			if (nonzero) /* chunks are block-aligned */
				*nonzero += uvm_nonzero_blocks(buf, (size_t)k);
			off += (uint64_t)k;
		}
		uvm_reader_close(&rd);
	}
	if (EVP_DigestFinal_ex(c, out, NULL) != 1)
		return uvm_errorf(err, -EIO, "sha256 failed");
	return 0;
}

int uvm_inode_content_sha256(const struct uvm_tree *t,
			     const struct uvm_inode *ino, uint8_t out[32],
			     struct uvm_error *err)
{
	_cleanup_free_ uint8_t *buf = malloc(CHUNK);
	if (!buf)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	return content_sha256(t, ino, buf, out, NULL, err);
}

/* ---- content hashes, in parallel ---------------------------------------- */

struct content {
	const struct uvm_tree *t;
	const struct uvm_inode **files; /* regular files, walk order */
	size_t n;
	uint8_t (*sha)[32];		/* per file */
	uint64_t *nonzero;		/* per file */
	_Atomic size_t next;
	pthread_mutex_t lock;
	size_t bad;			/* lowest failed index, n if none */
	int bad_r;
	struct uvm_error bad_err;
};

static void *content_worker(void *ud)
{
	struct content *c = ud;
	uint8_t *buf = malloc(CHUNK);
	struct uvm_error err;
	for (size_t i; (i = atomic_fetch_add(&c->next, 1)) < c->n;) {
		int r = buf ? content_sha256(c->t, c->files[i], buf, c->sha[i],
					     &c->nonzero[i], &err)
			    : uvm_errorf(&err, -ENOMEM, "out of memory");
		if (r < 0) {
			pthread_mutex_lock(&c->lock);
			if (i < c->bad) {
				c->bad = i;
				c->bad_r = r;
				c->bad_err = err;
			}
			pthread_mutex_unlock(&c->lock);
		}
	}
	free(buf);
	return NULL;
}

static int collect_cb(struct uvm_node *n, const char *path, void *ud)
{
	struct content *c = ud;
	const struct uvm_inode *i = n->inode;
	/* Inode numbers come in walk order: the first name is new. */
	if (S_ISREG(i->mode) && (!c->n || c->files[c->n - 1]->ino < i->ino))
		c->files[c->n++] = i;
	return 0;
}

static int hash_contents(struct uvm_tree *t, struct content *c,
			 struct uvm_error *err)
{
	pthread_t th[4];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nth = cpus < 1 ? 1 : MIN((size_t)cpus, ARRAY_SIZE(th)), started = 0;

	c->t = t;
	c->files = calloc(t->n_inodes + 1, sizeof(*c->files));
	c->sha = calloc(t->n_inodes + 1, sizeof(*c->sha));
	c->nonzero = calloc(t->n_inodes + 1, sizeof(*c->nonzero));
	if (!c->files || !c->sha || !c->nonzero)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = uvm_tree_walk(t, collect_cb, c);
	if (r < 0)
		return r == -ENAMETOOLONG ? uvm_errorf(err, r, "path too long in tree")
					  : r;
	c->bad = c->n;
	pthread_mutex_init(&c->lock, NULL);
	nth = MIN(nth, c->n);
	for (; started < nth; started++)
		if (pthread_create(&th[started], NULL, content_worker, c) != 0)
			break;
	if (started == 0)
		content_worker(c);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&c->lock);
	if (c->bad < c->n) {
		if (err)
			*err = c->bad_err;
		return c->bad_r;
	}
	return 0;
}

static void content_free(struct content *c)
{
	free(c->files);
	free(c->sha);
	free(c->nonzero);
}

struct digest_state {
	EVP_MD_CTX *md;
	struct content *c;
	size_t next;	/* next file of c->files */
	struct uvm_error *err;
};

static int put(struct digest_state *s, const void *p, size_t n)
{
	return EVP_DigestUpdate(s->md, p, n) == 1 ? 0 : -EIO;
}

static int put32(struct digest_state *s, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };
	return put(s, b, 4);
}

static int put64(struct digest_state *s, uint64_t v)
{
	int r = put32(s, (uint32_t)v);
	return r < 0 ? r : put32(s, (uint32_t)(v >> 32));
}

static int putstr(struct digest_state *s, const void *p, size_t n)
{
	int r = put32(s, (uint32_t)n);
	return r < 0 ? r : put(s, p, n);
}

static int digest_cb(struct uvm_node *n, const char *path, void *ud)
{
	struct digest_state *s = ud;
	const struct uvm_inode *i = n->inode;
	int r = 0;
	r |= putstr(s, path, strlen(path));
	r |= put32(s, i->mode);
	r |= put32(s, i->uid);
	r |= put32(s, i->gid);
	r |= put32(s, i->ino);
	r |= put32(s, i->rdev_major);
	r |= put32(s, i->rdev_minor);
	r |= put64(s, i->size);
	r |= putstr(s, i->symlink ? i->symlink : "",
		    i->symlink ? strlen(i->symlink) : 0);
	r |= put32(s, (uint32_t)i->n_xattrs);
	for (size_t k = 0; k < i->n_xattrs; k++) {
		r |= putstr(s, i->xattrs[k].name, strlen(i->xattrs[k].name));
		r |= putstr(s, i->xattrs[k].value, i->xattrs[k].size);
	}
	if (r)
		return uvm_errorf(s->err, -EIO, "sha256 failed");
	static const uint8_t none[32];
	const uint8_t *h = none;
	if (s->next < s->c->n && s->c->files[s->next] == i)
		h = s->c->sha[s->next++]; /* the first name of a file */
	return put(s, h, 32) < 0 ? uvm_errorf(s->err, -EIO, "sha256 failed")
				 : 0;
}

int uvm_tree_digest(struct uvm_tree *t, uint8_t out[32], struct uvm_error *err)
{
	return uvm_tree_digest_blocks(t, out, NULL, err);
}

int uvm_tree_digest_blocks(struct uvm_tree *t, uint8_t out[32],
			   uint64_t *ret_nonzero, struct uvm_error *err)
{
	_cleanup_(content_free) struct content c = { 0 };
	int r = uvm_tree_number(t);
	if (r < 0)
		return uvm_errorf_errno(err, r, "cannot number the tree");
	r = hash_contents(t, &c, err);
	if (r < 0)
		return r;
	_cleanup_(cleanup_md) EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	static const char tag[] = "uvmkit-tree-digest-v1";
	if (EVP_DigestUpdate(md, tag, sizeof(tag)) != 1)
		return uvm_errorf(err, -EIO, "sha256 failed");
	struct digest_state s = { .md = md, .c = &c, .err = err };
	r = uvm_tree_walk(t, digest_cb, &s);
	if (r < 0)
		return r == -ENAMETOOLONG
			       ? uvm_errorf(err, r, "path too long in tree")
			       : r;
	if (EVP_DigestFinal_ex(md, out, NULL) != 1)
		return uvm_errorf(err, -EIO, "sha256 failed");
	if (ret_nonzero) {
		*ret_nonzero = 0;
		for (size_t i = 0; i < c.n; i++)
			*ret_nonzero += c.nonzero[i];
	}
	return 0;
}
