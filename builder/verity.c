/* verity.c — dm-verity hash trees (format 1) on regular files.
 *
 * Two engines produce the same bytes:
 *  - libcryptsetup (crypt_format(CRYPT_VERITY)) when the data starts at byte
 *    0 of its file — the reference, identical to `veritysetup format`;
 *  - our own writer when the data sits inside a larger file (a partition of
 *    a disk image): libcryptsetup has no data offset for verity.
 * Verification is ours: it walks the tree top-down like the kernel, so the
 * first block that fails is named exactly (hash before data).
 *
 * Tree layout (cryptsetup lib/verity/verity_hash.c, kernel dm-verity):
 * digest(block) = H(salt || block); each digest padded with zeros to a
 * power of two; hash_block_size / padded-digest digests per hash block,
 * zero-filled after the last one. Levels are stored from the top level down
 * starting at the first hash block after the (optional) superblock; with a
 * single data block there are no levels and the root is its digest.
 */
#include "verity.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libcryptsetup.h>
#include <openssl/evp.h>

#include "../common/hash.h"
#include "../common/hex.h"
#include "../common/fileio.h"
#include "../common/json.h"

#define VERITY_MAX_LEVELS 63
#define SB_SIGNATURE "verity\0\0"

/* On-disk superblock (cryptsetup's struct verity_sb), little-endian, 512 B. */
struct verity_sb {
	uint8_t signature[8];
	uint32_t version;
	uint32_t hash_type;
	uint8_t uuid[16];
	uint8_t algorithm[32];
	uint32_t data_block_size;
	uint32_t hash_block_size;
	uint64_t data_blocks;
	uint16_t salt_size;
	uint8_t _pad1[6];
	uint8_t salt[256];
	uint8_t _pad2[168];
} __attribute__((packed));
_Static_assert(sizeof(struct verity_sb) == 512, "verity superblock size");

struct tree {
	unsigned levels;
	uint64_t tree_start;			 /* hash block index of the tree */
	uint64_t level_block[VERITY_MAX_LEVELS]; /* absolute hash block index */
	uint64_t level_size[VERITY_MAX_LEVELS];	 /* blocks in each level */
	uint32_t digest_size, digest_full, per_block;
};

DEFINE_PTR_CLEANUP(md_ctx, EVP_MD_CTX, EVP_MD_CTX_free)
DEFINE_PTR_CLEANUP(crypt_dev, struct crypt_device, crypt_free)

void uvm_verity_params_init(struct uvm_verity_params *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->hash_name, sizeof(p->hash_name), "sha256");
	p->hash_type = 1;
	p->data_block_size = 4096;
	p->hash_block_size = 4096;
	p->superblock = true;
}

int uvm_verity_params_derive(struct uvm_verity_params *p,
			     const uint8_t seed[32])
{
	int r = uvm_derive(seed, "verity-salt", p->salt, 32);
	if (r < 0)
		return r;
	p->salt_size = 32;
	return uvm_derive_uuid(seed, "verity-uuid", p->uuid);
}

static bool is_pow2_between(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

static const EVP_MD *params_md(const struct uvm_verity_params *p)
{
	if (strcmp(p->hash_name, "sha256") && strcmp(p->hash_name, "sha1") &&
	    strcmp(p->hash_name, "sha512"))
		return NULL;
	return EVP_get_digestbyname(p->hash_name);
}

int uvm_verity_params_check(const struct uvm_verity_params *p,
			    struct uvm_error *err)
{
	if (!params_md(p))
		return uvm_errorf(err, -EINVAL,
				  "unsupported verity hash '%.16s' (sha256, "
				  "sha1, sha512)", p->hash_name);
	if (p->hash_type != 1)
		return uvm_errorf(err, -EINVAL,
				  "unsupported verity hash type %" PRIu32
				  " (only 1)", p->hash_type);
	if (!is_pow2_between(p->data_block_size, 512, 1 << 20) ||
	    !is_pow2_between(p->hash_block_size, 512, 1 << 20))
		return uvm_errorf(err, -EINVAL,
				  "verity block sizes %" PRIu32 "/%" PRIu32
				  " must be powers of two from 512 to 1 MiB",
				  p->data_block_size, p->hash_block_size);
	if (p->salt_size > UVM_VERITY_SALT_MAX)
		return uvm_errorf(err, -EINVAL, "verity salt of %zu bytes "
				  "(at most %d)", p->salt_size,
				  UVM_VERITY_SALT_MAX);
	if (p->hash_offset % p->hash_block_size)
		return uvm_errorf(err, -EINVAL,
				  "hash offset %" PRIu64 " is not a multiple "
				  "of the hash block size %" PRIu32,
				  p->hash_offset, p->hash_block_size);
	return 0;
}

static int tree_layout(const struct uvm_verity_params *p, struct tree *t)
{
	const EVP_MD *md = params_md(p);
	uint64_t start;
	unsigned bits;

	if (!md || p->data_blocks == 0)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->digest_size = (uint32_t)EVP_MD_get_size(md);
	t->digest_full = 1;
	while (t->digest_full < t->digest_size)
		t->digest_full <<= 1;
	t->per_block = p->hash_block_size / t->digest_full;
	if (t->per_block < 2)
		return -EINVAL;
	bits = (unsigned)__builtin_ctz(t->per_block);

	start = p->hash_offset / p->hash_block_size;
	if (p->superblock)
		start += (sizeof(struct verity_sb) + p->hash_block_size - 1) /
			 p->hash_block_size;
	t->tree_start = start;

	while (bits * t->levels < 64 &&
	       ((p->data_blocks - 1) >> (bits * t->levels)))
		t->levels++;
	if (t->levels > VERITY_MAX_LEVELS)
		return -EINVAL;
	for (int i = (int)t->levels - 1; i >= 0; i--) {
		unsigned shift = (unsigned)(i + 1) * bits;
		uint64_t s;
		if (shift > 63)
			return -EINVAL;
		s = (p->data_blocks >> shift) +
		    ((p->data_blocks & ((UINT64_C(1) << shift) - 1)) != 0);
		t->level_block[i] = start;
		t->level_size[i] = s;
		if (ADD_OVERFLOW(start, s, &start))
			return -EOVERFLOW;
	}
	return 0;
}

int uvm_verity_tree_blocks(const struct uvm_verity_params *p,
			   uint64_t *ret_blocks)
{
	struct tree t;
	uint64_t n = 0;
	int r = tree_layout(p, &t);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < t.levels; i++)
		n += t.level_size[i];
	*ret_blocks = n;
	return 0;
}

int uvm_verity_hash_area_size(const struct uvm_verity_params *p,
			      uint64_t *ret_bytes)
{
	struct tree t;
	uint64_t end;
	int r = tree_layout(p, &t);
	if (r < 0)
		return r;
	end = t.tree_start;
	for (unsigned i = 0; i < t.levels; i++)
		end += t.level_size[i];
	if (MUL_OVERFLOW(end, (uint64_t)p->hash_block_size, &end))
		return -EOVERFLOW;
	*ret_bytes = end - p->hash_offset;
	return 0;
}

/* digest = H(salt || block), zero-padded to t->digest_full into out. */
static int block_digest(EVP_MD_CTX *ctx, const EVP_MD *md,
			const struct uvm_verity_params *p, const struct tree *t,
			const uint8_t *block, size_t len, uint8_t *out)
{
	unsigned n = 0;
	if (!EVP_DigestInit_ex2(ctx, md, NULL) ||
	    !EVP_DigestUpdate(ctx, p->salt, p->salt_size) ||
	    !EVP_DigestUpdate(ctx, block, len) ||
	    !EVP_DigestFinal_ex(ctx, out, &n))
		return -EIO;
	memset(out + n, 0, t->digest_full - n);
	return 0;
}

static int open_data(const char *data_path, uint64_t data_offset,
		     const struct uvm_verity_params *p, struct uvm_error *err)
{
	_cleanup_close_ int fd = open(data_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint64_t need;

	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", data_path);
	if (fstat(fd, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", data_path);
	if (MUL_OVERFLOW(p->data_blocks, (uint64_t)p->data_block_size, &need) ||
	    ADD_OVERFLOW(need, data_offset, &need))
		return uvm_errorf(err, -EOVERFLOW, "%s: data size overflows",
				  data_path);
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < need)
		return uvm_errorf(err, -EINVAL,
				  "%s: %" PRIu64 " bytes, need %" PRIu64
				  " for %" PRIu64 " data blocks at offset %" PRIu64,
				  data_path, (uint64_t)st.st_size, need,
				  p->data_blocks, data_offset);
	return TAKE_FD(fd);
}

/* Fill p->data_blocks from the data size when it is 0. */
static int fill_data_blocks(const char *data_path, uint64_t data_offset,
			    struct uvm_verity_params *p, struct uvm_error *err)
{
	struct stat st;
	uint64_t avail;

	if (p->data_blocks)
		return 0;
	if (stat(data_path, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", data_path);
	if ((uint64_t)st.st_size <= data_offset)
		return uvm_errorf(err, -EINVAL, "%s: no data after offset %"
				  PRIu64, data_path, data_offset);
	avail = (uint64_t)st.st_size - data_offset;
	if (avail % p->data_block_size)
		return uvm_errorf(err, -EINVAL,
				  "%s: %" PRIu64 " data bytes is not a multiple "
				  "of the data block size %" PRIu32
				  " (give the number of data blocks)",
				  data_path, avail, p->data_block_size);
	p->data_blocks = avail / p->data_block_size;
	return 0;
}

static void sb_fill(const struct uvm_verity_params *p, struct verity_sb *sb)
{
	memset(sb, 0, sizeof(*sb));
	memcpy(sb->signature, SB_SIGNATURE, 8);
	sb->version = htole32(1);
	sb->hash_type = htole32(p->hash_type);
	memcpy(sb->uuid, p->uuid, 16);
	memcpy(sb->algorithm, p->hash_name, strnlen(p->hash_name, 16));
	sb->data_block_size = htole32(p->data_block_size);
	sb->hash_block_size = htole32(p->hash_block_size);
	sb->data_blocks = htole64(p->data_blocks);
	sb->salt_size = htole16((uint16_t)p->salt_size);
	memcpy(sb->salt, p->salt, p->salt_size);
}

int uvm_verity_read_superblock(const char *hash_path, uint64_t hash_offset,
			       struct uvm_verity_params *p,
			       struct uvm_error *err)
{
	_cleanup_close_ int fd = open(hash_path, O_RDONLY | O_CLOEXEC);
	struct verity_sb sb;
	int r;

	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", hash_path);
	r = uvm_pread_all(fd, &sb, sizeof(sb), hash_offset);
	if (r < 0)
		return uvm_errorf(err, r, "%s: no verity superblock at %" PRIu64
				  " (file too short)", hash_path, hash_offset);
	if (memcmp(sb.signature, SB_SIGNATURE, 8) || le32toh(sb.version) != 1)
		return uvm_errorf(err, -EBADMSG,
				  "%s: no verity superblock at offset %" PRIu64,
				  hash_path, hash_offset);
	if (le16toh(sb.salt_size) > UVM_VERITY_SALT_MAX ||
	    memchr(sb.algorithm, 0, sizeof(sb.algorithm)) == NULL ||
	    strlen((char *)sb.algorithm) >= sizeof(p->hash_name))
		return uvm_errorf(err, -EBADMSG, "%s: corrupt verity superblock",
				  hash_path);
	memset(p->hash_name, 0, sizeof(p->hash_name));
	memcpy(p->hash_name, sb.algorithm, strlen((char *)sb.algorithm));
	p->hash_type = le32toh(sb.hash_type);
	memcpy(p->uuid, sb.uuid, 16);
	p->data_block_size = le32toh(sb.data_block_size);
	p->hash_block_size = le32toh(sb.hash_block_size);
	p->data_blocks = le64toh(sb.data_blocks);
	p->salt_size = le16toh(sb.salt_size);
	memcpy(p->salt, sb.salt, p->salt_size);
	p->hash_offset = hash_offset;
	p->superblock = true;
	return uvm_verity_params_check(p, err);
}

/* ---- libcryptsetup engine ---------------------------------------------- */

static __thread char cs_log[512];

static void cs_log_cb(int level, const char *msg, void *usrptr)
{
	size_t n;
	if (level != CRYPT_LOG_ERROR || !msg)
		return;
	snprintf(cs_log, sizeof(cs_log), "%s", msg);
	n = strlen(cs_log);
	while (n && (cs_log[n - 1] == '\n' || cs_log[n - 1] == '.'))
		cs_log[--n] = 0;
}

static int format_libcryptsetup(const char *data_path, const char *hash_path,
				struct uvm_verity_params *p,
				struct uvm_error *err)
{
	_cleanup_(cleanup_crypt_dev) struct crypt_device *cd = NULL;
	char uuid[37];
	struct crypt_params_verity vp = {
		.hash_name = p->hash_name,
		.data_device = data_path,
		.salt = (const char *)p->salt,
		.salt_size = (uint32_t)p->salt_size,
		.hash_type = p->hash_type,
		.data_block_size = p->data_block_size,
		.hash_block_size = p->hash_block_size,
		.data_size = p->data_blocks,
		.hash_area_offset = p->hash_offset,
		.flags = CRYPT_VERITY_CREATE_HASH |
			 (p->superblock ? 0 : CRYPT_VERITY_NO_HEADER),
	};
	size_t len = sizeof(p->root_hash);
	int r;

	cs_log[0] = 0;
	crypt_set_log_callback(NULL, cs_log_cb, NULL);
	r = crypt_init(&cd, hash_path);
	if (r < 0)
		return uvm_errorf_errno(err, r, "%s: cannot open hash file",
					hash_path);
	crypt_set_log_callback(cd, cs_log_cb, NULL);
	uvm_uuid_format(p->uuid, uuid);
	/* uuid and salt are always given: NULL would make them random. */
	r = crypt_format(cd, CRYPT_VERITY, NULL, NULL, uuid, NULL, 0, &vp);
	if (r < 0)
		return uvm_errorf(err, r, "libcryptsetup verity format of %s "
				  "into %s failed: %s", data_path, hash_path,
				  cs_log[0] ? cs_log : strerror(-r));
	r = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, (char *)p->root_hash,
				 &len, NULL, 0);
	if (r < 0)
		return uvm_errorf(err, r, "libcryptsetup: no root hash: %s",
				  cs_log[0] ? cs_log : strerror(-r));
	p->root_hash_size = len;
	return 0;
}

/* ---- own engine (shared by format and verify) ---------------------------- */

struct walk {
	const struct uvm_verity_params *p;
	const struct tree *t;
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	int data_fd, hash_fd;
	uint64_t data_offset;
	uint64_t data_avail;	/* data bytes in the file from data_offset;
				   UINT64_MAX = all (reads past are errors) */
	uint8_t *in;	/* a chunk of input blocks */
	size_t in_blocks;
	uint8_t *out;	/* one hash block being filled */
	uint8_t *cmp;	/* stored hash block (verify) */
};

#define CHUNK_BYTES (1u << 20)

/* Hash `count` blocks of `bs` bytes read from fd at off; fn is called with
 * each digest (index i). */
typedef int (*digest_fn)(struct walk *w, uint64_t i, const uint8_t *d,
			 void *ud);

/* Read data bytes at file offset off; bytes past w->data_avail (relative to
 * w->data_offset) read as zeros (the padded writer). */
static int read_data(struct walk *w, uint8_t *buf, size_t n, uint64_t off)
{
	uint64_t rel = off - w->data_offset, have;
	if (w->data_avail == UINT64_MAX)
		return uvm_pread_all(w->data_fd, buf, n, off);
	have = rel >= w->data_avail ? 0 : MIN((uint64_t)n, w->data_avail - rel);
	memset(buf + have, 0, n - (size_t)have);
	return have ? uvm_pread_all(w->data_fd, buf, (size_t)have, off) : 0;
}

static int hash_blocks(struct walk *w, int fd, uint64_t off, uint32_t bs,
		       uint64_t count, digest_fn fn, void *ud)
{
	uint8_t d[UVM_VERITY_DIGEST_MAX];
	size_t per_chunk = MAX((size_t)1, CHUNK_BYTES / bs);
	uint64_t i = 0;
	int r;

	while (i < count) {
		size_t n = (size_t)MIN((uint64_t)per_chunk, count - i);
		r = fd == w->data_fd ? read_data(w, w->in, n * bs, off + i * bs)
				     : uvm_pread_all(fd, w->in, n * bs, off + i * bs);
		if (r < 0)
			return r;
		for (size_t k = 0; k < n; k++, i++) {
			r = block_digest(w->ctx, w->md, w->p, w->t,
					 w->in + k * bs, bs, d);
			if (r < 0)
				return r;
			r = fn(w, i, d, ud);
			if (r)
				return r;
		}
	}
	return 0;
}

struct write_state {
	uint64_t dest_block; /* absolute hash block index of the level */
	uint64_t count;
	uint8_t last[UVM_VERITY_DIGEST_MAX];
};

static int write_digest(struct walk *w, uint64_t i, const uint8_t *d,
			void *ud)
{
	struct write_state *s = ud;
	uint32_t slot = (uint32_t)(i % w->t->per_block);
	uint32_t hbs = w->p->hash_block_size;

	if (slot == 0)
		memset(w->out, 0, hbs);
	memcpy(w->out + (size_t)slot * w->t->digest_full, d,
	       w->t->digest_full);
	memcpy(s->last, d, w->t->digest_size);
	if (slot == w->t->per_block - 1 || i == s->count - 1) {
		uint64_t blk = s->dest_block + i / w->t->per_block;
		if (pwrite(w->hash_fd, w->out, hbs, (off_t)(blk * hbs)) !=
		    (ssize_t)hbs)
			return errno ? -errno : -EIO;
	}
	return 0;
}

static int walk_init(struct walk *w, const struct uvm_verity_params *p,
		     const struct tree *t)
{
	uint32_t bs = MAX(p->data_block_size, p->hash_block_size);
	memset(w, 0, sizeof(*w));
	w->p = p;
	w->t = t;
	w->md = params_md(p);
	w->ctx = EVP_MD_CTX_new();
	w->in_blocks = MAX((size_t)1, CHUNK_BYTES / bs);
	w->in = malloc(MAX((size_t)CHUNK_BYTES, (size_t)bs));
	w->out = malloc(p->hash_block_size);
	w->cmp = malloc(p->hash_block_size);
	w->data_fd = w->hash_fd = -1;
	w->data_avail = UINT64_MAX;
	if (!w->ctx || !w->in || !w->out || !w->cmp || !w->md)
		return -ENOMEM;
	return 0;
}

static void walk_done(struct walk *w)
{
	EVP_MD_CTX_free(w->ctx);
	free(w->in);
	free(w->out);
	free(w->cmp);
	if (w->data_fd >= 0)
		close(w->data_fd);
	if (w->hash_fd >= 0)
		close(w->hash_fd);
}

static int format_own(const char *data_path, uint64_t data_offset,
		      uint64_t data_avail, const char *hash_path,
		      struct uvm_verity_params *p, struct uvm_error *err)
{
	_cleanup_(walk_done) struct walk w = { .data_fd = -1, .hash_fd = -1 };
	struct write_state s = {};
	struct tree t;
	int r;

	r = tree_layout(p, &t);
	if (r < 0)
		return uvm_errorf(err, r, "bad verity geometry");
	r = walk_init(&w, p, &t);
	if (r < 0)
		return uvm_errorf(err, r, "out of memory");
	if (data_avail == UINT64_MAX) {
		w.data_fd = open_data(data_path, data_offset, p, err);
		if (w.data_fd < 0)
			return w.data_fd;
	} else {
		w.data_fd = open(data_path, O_RDONLY | O_CLOEXEC);
		if (w.data_fd < 0)
			return uvm_errorf_errno(err, -errno, "%s", data_path);
	}
	w.data_offset = data_offset;
	w.data_avail = data_avail;
	w.hash_fd = open(hash_path, O_RDWR | O_CLOEXEC);
	if (w.hash_fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", hash_path);

	if (t.levels == 0) {
		/* One data block: the root is its digest, no tree. */
		s.count = 1;
		r = read_data(&w, w.in, p->data_block_size, data_offset);
		if (r >= 0)
			r = block_digest(w.ctx, w.md, p, &t, w.in,
					 p->data_block_size, s.last);
	}
	for (unsigned l = 0; r >= 0 && l < t.levels; l++) {
		s.dest_block = t.level_block[l];
		if (l == 0) {
			s.count = p->data_blocks;
			r = hash_blocks(&w, w.data_fd, data_offset,
					p->data_block_size, s.count,
					write_digest, &s);
		} else {
			s.count = t.level_size[l - 1];
			r = hash_blocks(&w, w.hash_fd,
					t.level_block[l - 1] * p->hash_block_size,
					p->hash_block_size, s.count,
					write_digest, &s);
		}
	}
	if (r >= 0 && t.levels > 0) {
		/* Root: the digest of the single top-level block. */
		r = uvm_pread_all(w.hash_fd, w.in, p->hash_block_size,
				  t.level_block[t.levels - 1] * p->hash_block_size);
		if (r >= 0)
			r = block_digest(w.ctx, w.md, p, &t, w.in,
					 p->hash_block_size, s.last);
	}
	if (r >= 0 && p->superblock) {
		struct verity_sb sb;
		sb_fill(p, &sb);
		if (pwrite(w.hash_fd, &sb, sizeof(sb), (off_t)p->hash_offset) !=
		    (ssize_t)sizeof(sb))
			r = errno ? -errno : -EIO;
	}
	if (r < 0)
		return uvm_errorf_errno(err, r, "verity format of %s into %s",
					data_path, hash_path);
	memcpy(p->root_hash, s.last, t.digest_size);
	p->root_hash_size = t.digest_size;
	return 0;
}

static int format(const char *data_path, uint64_t data_offset,
		  bool padded, const char *hash_path,
		  struct uvm_verity_params *p, struct uvm_error *err)
{
	_cleanup_close_ int hfd = -1;
	uint64_t area, end, data_size = 0;
	struct stat st;
	int r;

	r = uvm_verity_params_check(p, err);
	if (r < 0)
		return r;
	if (data_offset % 512)
		return uvm_errorf(err, -EINVAL, "data offset %" PRIu64
				  " is not a multiple of 512", data_offset);
	if (padded) {
		if (stat(data_path, &st) < 0)
			return uvm_errorf_errno(err, -errno, "%s", data_path);
		data_size = (uint64_t)st.st_size;
		if (!p->data_blocks)
			return uvm_errorf(err, -EINVAL, "number of data blocks is 0");
	} else {
		r = fill_data_blocks(data_path, data_offset, p, err);
		if (r < 0)
			return r;
		r = open_data(data_path, data_offset, p, err);
		if (r < 0)
			return r;
		close(r);
	}
	r = uvm_verity_hash_area_size(p, &area);
	if (r < 0)
		return uvm_errorf(err, r, "bad verity geometry for %" PRIu64
				  " data blocks", p->data_blocks);

	/* The hash file must exist for crypt_init; make it long enough so
	 * both engines see the same file. */
	hfd = open(hash_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (hfd < 0)
		return uvm_errorf_errno(err, -errno, "%s", hash_path);
	if (fstat(hfd, &st) < 0)
		return uvm_errorf_errno(err, -errno, "%s", hash_path);
	end = p->hash_offset + area;
	{
		/* Data and hash in one file must not overlap. */
		struct stat ds;
		uint64_t dend = data_offset + p->data_blocks * p->data_block_size;
		if (stat(data_path, &ds) == 0 && ds.st_dev == st.st_dev &&
		    ds.st_ino == st.st_ino && data_offset < end &&
		    p->hash_offset < dend)
			return uvm_errorf(err, -EINVAL,
					  "hash area [%" PRIu64 ", %" PRIu64
					  ") overlaps the data [%" PRIu64 ", %"
					  PRIu64 ") in %s", p->hash_offset, end,
					  data_offset, dend, hash_path);
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < end &&
	    ftruncate(hfd, (off_t)end) < 0)
		return uvm_errorf_errno(err, -errno, "%s", hash_path);

	if (padded)
		return format_own(data_path, 0, data_size, hash_path, p, err);
	if (data_offset == 0)
		return format_libcryptsetup(data_path, hash_path, p, err);
	return format_own(data_path, data_offset, UINT64_MAX, hash_path, p, err);
}

int uvm_verity_format(const char *data_path, uint64_t data_offset,
		      const char *hash_path, struct uvm_verity_params *p,
		      struct uvm_error *err)
{
	return format(data_path, data_offset, false, hash_path, p, err);
}

int uvm_verity_format_padded(const char *data_path, const char *hash_path,
			     struct uvm_verity_params *p, struct uvm_error *err)
{
	return format(data_path, 0, true, hash_path, p, err);
}

/* ---- verify -------------------------------------------------------------- */

struct verify_state {
	uint64_t parent_block;	/* absolute index of the verified parent level */
	uint64_t child_base;	/* for messages: first index of the child level */
	int child_level;	/* -1 = data */
	uint64_t bad;		/* index of the first bad child */
	bool failed;
};

static int compare_digest(struct walk *w, uint64_t i, const uint8_t *d,
			  void *ud)
{
	struct verify_state *s = ud;
	uint32_t hbs = w->p->hash_block_size;
	uint32_t slot = (uint32_t)(i % w->t->per_block);
	int r;

	if (slot == 0 || i == 0) {
		r = uvm_pread_all(w->hash_fd, w->cmp, hbs,
				  (s->parent_block + i / w->t->per_block) * hbs);
		if (r < 0)
			return r;
	}
	if (memcmp(w->cmp + (size_t)slot * w->t->digest_full, d,
		   w->t->digest_full)) {
		s->bad = i;
		s->failed = true;
		return 1;
	}
	return 0;
}

int uvm_verity_verify(const char *data_path, uint64_t data_offset,
		      const char *hash_path, const struct uvm_verity_params *p,
		      struct uvm_error *err)
{
	_cleanup_(walk_done) struct walk w = { .data_fd = -1, .hash_fd = -1 };
	uint8_t root[UVM_VERITY_DIGEST_MAX];
	struct tree t;
	int r;

	r = uvm_verity_params_check(p, err);
	if (r < 0)
		return r;
	if (p->data_blocks == 0)
		return uvm_errorf(err, -EINVAL, "number of data blocks is 0");
	r = tree_layout(p, &t);
	if (r < 0)
		return uvm_errorf(err, r, "bad verity geometry");
	if (p->root_hash_size != t.digest_size)
		return uvm_errorf(err, -EINVAL, "root hash of %zu bytes, %s "
				  "needs %" PRIu32, p->root_hash_size,
				  p->hash_name, t.digest_size);
	r = walk_init(&w, p, &t);
	if (r < 0)
		return uvm_errorf(err, r, "out of memory");
	w.data_fd = open_data(data_path, data_offset, p, err);
	if (w.data_fd < 0)
		return w.data_fd;
	w.hash_fd = open(hash_path, O_RDONLY | O_CLOEXEC);
	if (w.hash_fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", hash_path);

	if (p->superblock) {
		struct verity_sb want, have;
		sb_fill(p, &want);
		r = uvm_pread_all(w.hash_fd, &have, sizeof(have), p->hash_offset);
		if (r < 0)
			return uvm_errorf(err, r, "%s: too short for the verity "
					  "superblock", hash_path);
		if (memcmp(&want, &have, sizeof(want)))
			return uvm_errorf(err, -EBADMSG,
					  "%s: verity superblock at offset %"
					  PRIu64 " does not match the parameters",
					  hash_path, p->hash_offset);
	}

	/* Top: the root covers the top-level block (or the only data block). */
	if (t.levels == 0)
		r = uvm_pread_all(w.data_fd, w.in, p->data_block_size,
				  data_offset);
	else
		r = uvm_pread_all(w.hash_fd, w.in, p->hash_block_size,
				  t.level_block[t.levels - 1] * p->hash_block_size);
	if (r < 0)
		return uvm_errorf(err, r, "%s: cannot read the tree's top block",
				  t.levels ? hash_path : data_path);
	r = block_digest(w.ctx, w.md, p, &t, w.in,
			 t.levels ? p->hash_block_size : p->data_block_size,
			 root);
	if (r < 0)
		return uvm_errorf(err, r, "hash failure");
	if (memcmp(root, p->root_hash, t.digest_size)) {
		if (t.levels == 0)
			return uvm_errorf(err, -EBADMSG,
					  "data block 0 is corrupted (root hash "
					  "mismatch)");
		return uvm_errorf(err, -EBADMSG,
				  "hash block 0 (level %u, top) is corrupted: "
				  "root hash mismatch", t.levels - 1);
	}

	/* Each verified level l vouches for level l-1, then level 0 for data. */
	for (int l = (int)t.levels - 1; l >= 0; l--) {
		struct verify_state s = { .parent_block = t.level_block[l],
					  .child_level = l - 1 };
		if (l > 0)
			r = hash_blocks(&w, w.hash_fd,
					t.level_block[l - 1] * p->hash_block_size,
					p->hash_block_size, t.level_size[l - 1],
					compare_digest, &s);
		else
			r = hash_blocks(&w, w.data_fd, data_offset,
					p->data_block_size, p->data_blocks,
					compare_digest, &s);
		if (r < 0)
			return uvm_errorf_errno(err, r, "reading %s",
						l > 0 ? hash_path : data_path);
		if (s.failed && l > 0)
			return uvm_errorf(err, -EBADMSG,
					  "hash block %" PRIu64 " (level %d) is "
					  "corrupted",
					  t.level_block[l - 1] - t.tree_start +
						  s.bad, l - 1);
		if (s.failed)
			return uvm_errorf(err, -EBADMSG,
					  "data block %" PRIu64 " is corrupted",
					  s.bad);
	}
	return 0;
}

/* ---- Kata strings -------------------------------------------------------- */

static bool kata_ok(const struct uvm_verity_params *p)
{
	return p->data_blocks > 0 && p->salt_size > 0 &&
	       p->root_hash_size > 0 && p->data_block_size % 512 == 0 &&
	       p->hash_block_size % 512 == 0 && p->data_block_size > 0 &&
	       p->hash_block_size > 0;
}

int uvm_verity_kata_root_hash_line(const struct uvm_verity_params *p,
				   char **ret)
{
	char root[2 * UVM_VERITY_DIGEST_MAX + 1], salt[2 * UVM_VERITY_SALT_MAX + 1];
	if (!kata_ok(p))
		return -EINVAL;
	uvm_hex_encode(p->root_hash, p->root_hash_size, root);
	uvm_hex_encode(p->salt, p->salt_size, salt);
	if (asprintf(ret,
		     "root_hash=%s,salt=%s,data_blocks=%" PRIu64
		     ",data_block_size=%" PRIu32 ",hash_block_size=%" PRIu32 "\n",
		     root, salt, p->data_blocks, p->data_block_size,
		     p->hash_block_size) < 0)
		return -ENOMEM;
	return 0;
}

static uint64_t hash_start_block(const struct uvm_verity_params *p)
{
	uint64_t b = p->hash_offset / p->hash_block_size;
	if (p->superblock)
		b += (sizeof(struct verity_sb) + p->hash_block_size - 1) /
		     p->hash_block_size;
	return b;
}

int uvm_verity_dm_cmdline(const struct uvm_verity_params *p,
			  const char *data_dev, const char *hash_dev,
			  const char *fstype, char **ret)
{
	char root[2 * UVM_VERITY_DIGEST_MAX + 1], salt[2 * UVM_VERITY_SALT_MAX + 1];
	uint64_t sectors;

	if (!kata_ok(p) || !data_dev || !hash_dev || strpbrk(data_dev, " \"") ||
	    strpbrk(hash_dev, " \""))
		return -EINVAL;
	if (!fstype || !*fstype)
		fstype = "ext4";
	if (MUL_OVERFLOW((uint64_t)(p->data_block_size / 512), p->data_blocks,
			 &sectors))
		return -EOVERFLOW;
	uvm_hex_encode(p->root_hash, p->root_hash_size, root);
	uvm_hex_encode(p->salt, p->salt_size, salt);
	if (asprintf(ret,
		     "dm-mod.create=\"dm-verity,,,ro,0 %" PRIu64
		     " verity 1 %s %s %" PRIu32 " %" PRIu32 " %" PRIu64
		     " %" PRIu64 " %s %s %s\" root=/dev/dm-0 rootflags=%s "
		     "rootfstype=%s",
		     sectors, data_dev, hash_dev, p->data_block_size,
		     p->hash_block_size, p->data_blocks, hash_start_block(p),
		     p->hash_name, root, salt,
		     strcmp(fstype, "ext4") ? "ro"
					    : "data=ordered,errors=remount-ro ro",
		     fstype) < 0)
		return -ENOMEM;
	return 0;
}

int uvm_verity_kata_cmdline(const struct uvm_verity_params *p, char **ret)
{
	return uvm_verity_dm_cmdline(p, "/dev/vda1", "/dev/vda2", "ext4", ret);
}

/* ---- kernel_verity_params parser (Kata's rules) -------------------------- */

static bool kspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

/* Trim [b, e) in place; returns the new begin, *e adjusted. */
static const char *trim(const char *b, const char **e)
{
	while (b < *e && kspace(*b))
		b++;
	while (*e > b && kspace((*e)[-1]))
		(*e)--;
	return b;
}

/* Unsigned decimal as Go's strconv.ParseUint(v, 10, 64): digits only (Rust's
 * u64::from_str would also take a leading '+'; we follow the stricter one). */
static int parse_u64(const char *b, const char *e, uint64_t *ret)
{
	uint64_t v = 0;
	if (b == e)
		return -EINVAL;
	for (; b < e; b++) {
		if (*b < '0' || *b > '9')
			return -EINVAL;
		if (MUL_OVERFLOW(v, (uint64_t)10, &v) ||
		    ADD_OVERFLOW(v, (uint64_t)(*b - '0'), &v))
			return -ERANGE;
	}
	*ret = v;
	return 0;
}

void uvm_kata_verity_done(struct uvm_kata_verity *v)
{
	free(v->root_hash);
	free(v->salt);
	memset(v, 0, sizeof(*v));
}

int uvm_kata_verity_parse(const char *s, struct uvm_kata_verity *ret,
			  struct uvm_error *err)
{
	static const char *const num_keys[3] = { "data_blocks",
						 "data_block_size",
						 "hash_block_size" };
	struct uvm_kata_verity v = {};
	bool have_num[3] = {};
	const char *p = s, *end = s + strlen(s);
	int r;

	memset(ret, 0, sizeof(*ret));
	{
		const char *e = end;
		if (trim(s, &e) == e)
			return 0; /* verity disabled */
	}
	while (p <= end) {
		const char *fe = memchr(p, ',', (size_t)(end - p));
		const char *next, *fb, *eq, *ke, *vb, *ve;
		char **str = NULL;
		if (!fe)
			fe = end;
		next = fe + 1;
		fb = trim(p, &fe);
		p = next;
		if (fb == fe)
			continue;
		eq = memchr(fb, '=', (size_t)(fe - fb));
		if (!eq) {
			r = uvm_errorf(err, -EINVAL, "kernel_verity_params: "
				       "field '%.*s' has no '='",
				       (int)MIN(fe - fb, 64), fb);
			goto fail;
		}
		/* Only the field is trimmed, not key and value (Rust
		 * parse_kernel_verity_params: "root_hash =x" is an unknown key). */
		ke = eq;
		vb = eq + 1, ve = fe;
		if (fb == ke) {
			r = uvm_errorf(err, -EINVAL,
				       "kernel_verity_params: empty key");
			goto fail;
		}
#define KEY_IS(k) ((size_t)(ke - fb) == strlen(k) && !memcmp(fb, k, strlen(k)))
		if (KEY_IS("root_hash"))
			str = &v.root_hash;
		else if (KEY_IS("salt"))
			str = &v.salt;
		if (str) {
			free(*str);
			*str = strndup(vb, (size_t)(ve - vb));
			if (!*str) {
				r = -ENOMEM;
				goto fail;
			}
			continue;
		}
		for (int k = 0; k < 3; k++) {
			uint64_t n;
			if (!KEY_IS(num_keys[k]))
				continue;
			if (parse_u64(vb, ve, &n) < 0) {
				r = uvm_errorf(err, -EINVAL,
					       "kernel_verity_params: %s='%.*s' "
					       "is not an unsigned decimal",
					       num_keys[k],
					       (int)MIN(ve - vb, 64), vb);
				goto fail;
			}
			have_num[k] = true;
			if (k == 0)
				v.data_blocks = n;
			else if (k == 1)
				v.data_block_size = n;
			else
				v.hash_block_size = n;
		}
#undef KEY_IS
		/* unknown keys are ignored */
	}
	if (!v.root_hash) {
		r = uvm_errorf(err, -EINVAL, "kernel_verity_params: missing "
			       "root_hash");
		goto fail;
	}
	if (!v.salt || !*v.salt) {
		r = uvm_errorf(err, -EINVAL, "kernel_verity_params: %s salt",
			       v.salt ? "empty" : "missing");
		goto fail;
	}
	for (int k = 0; k < 3; k++)
		if (!have_num[k]) {
			r = uvm_errorf(err, -EINVAL, "kernel_verity_params: "
				       "missing %s", num_keys[k]);
			goto fail;
		}
	if (v.data_blocks == 0 || v.data_block_size == 0 ||
	    v.hash_block_size == 0) {
		r = uvm_errorf(err, -EINVAL, "kernel_verity_params: %s is 0",
			       v.data_blocks == 0       ? "data_blocks"
			       : v.data_block_size == 0 ? "data_block_size"
							: "hash_block_size");
		goto fail;
	}
	if (v.data_block_size % 512 || v.hash_block_size % 512) {
		r = uvm_errorf(err, -EINVAL, "kernel_verity_params: %s %" PRIu64
			       " is not a multiple of 512",
			       v.data_block_size % 512 ? "data_block_size"
						       : "hash_block_size",
			       v.data_block_size % 512 ? v.data_block_size
						       : v.hash_block_size);
		goto fail;
	}
	*ret = v;
	return 1;
fail:
	uvm_kata_verity_done(&v);
	return r;
}

int uvm_kata_verity_to_params(const struct uvm_kata_verity *v,
			      struct uvm_verity_params *p,
			      struct uvm_error *err)
{
	size_t sl;
	uvm_verity_params_init(p);
	p->superblock = false;
	if (strlen(v->root_hash) != 64 ||
	    uvm_hex_decode(v->root_hash, p->root_hash, 32) < 0)
		return uvm_errorf(err, -EINVAL, "root_hash is not 64 hex digits");
	p->root_hash_size = 32;
	sl = strlen(v->salt);
	if (sl % 2 || sl / 2 > UVM_VERITY_SALT_MAX ||
	    uvm_hex_decode(v->salt, p->salt, sl / 2) < 0)
		return uvm_errorf(err, -EINVAL, "salt is not hex of at most %d "
				  "bytes", UVM_VERITY_SALT_MAX);
	p->salt_size = sl / 2;
	if (v->data_block_size > UINT32_MAX || v->hash_block_size > UINT32_MAX)
		return uvm_errorf(err, -EINVAL, "block size too large");
	p->data_block_size = (uint32_t)v->data_block_size;
	p->hash_block_size = (uint32_t)v->hash_block_size;
	p->data_blocks = v->data_blocks;
	return uvm_verity_params_check(p, err);
}

/* ---- verity.json ------------------------------------------------------- */

json_t *uvm_verity_params_json(const struct uvm_verity_params *p)
{
	_cleanup_json_ json_t *o = json_object();
	_cleanup_free_ char *line = NULL;
	uint64_t blocks = 0;
	char uuid[37];
	int r = 0;

	if (!o)
		return NULL;
	(void)uvm_verity_tree_blocks(p, &blocks);
	r |= json_object_set_new(o, "hash_name", json_string(p->hash_name));
	r |= json_object_set_new(o, "hash_type", json_integer(p->hash_type));
	r |= json_object_set_new(o, "data_block_size",
				 json_integer(p->data_block_size));
	r |= json_object_set_new(o, "hash_block_size",
				 json_integer(p->hash_block_size));
	r |= json_object_set_new(o, "data_blocks",
				 json_integer((json_int_t)p->data_blocks));
	r |= json_object_set_new(
		o, "data_sectors",
		json_integer((json_int_t)(p->data_blocks *
					  (p->data_block_size / 512))));
	r |= json_object_set_new(o, "hash_offset",
				 json_integer((json_int_t)p->hash_offset));
	r |= json_object_set_new(o, "hash_start_block",
				 json_integer((json_int_t)hash_start_block(p)));
	r |= json_object_set_new(o, "hash_blocks",
				 json_integer((json_int_t)blocks));
	r |= json_object_set_new(o, "superblock", json_boolean(p->superblock));
	uvm_uuid_format(p->uuid, uuid);
	r |= json_object_set_new(o, "uuid",
				 p->superblock ? json_string(uuid) : json_null());
	r |= uvm_json_set_hex(o, "salt", p->salt, p->salt_size);
	r |= uvm_json_set_hex(o, "root_hash", p->root_hash, p->root_hash_size);
	if (uvm_verity_kata_root_hash_line(p, &line) == 0) {
		line[strcspn(line, "\n")] = 0;
		r |= json_object_set_new(o, "kernel_verity_params",
					 json_string(line));
	}
	return r ? NULL : TAKE_PTR(o);
}
