/* ext4.c — populate an ext4 image from a struct uvm_tree with libext2fs.
 *
 * Why our own populate code: e2fsprogs' populate_fs() (misc/create_inode.c,
 * what `mke2fs -d` runs) is linked into mke2fs/debugfs only and not exported
 * by libext2fs; and it is the wrong policy for us anyway: it copies the host
 * file's atime/ctime (1.47.0 has no way to set them; 1.47.1+ only clamps
 * them to SOURCE_DATE_EPOCH), reads the host's ownership, walks a directory
 * with chdir(), and its tar reader drops user.* xattrs and ACLs
 * (specs/determinism.md §1.1, §1.2, §1.4). It is also slow where we need
 * speed: one libext2fs call per block (ext2fs_file_write -> bmap) and
 * ext2fs_link() per directory entry, which is quadratic for large
 * directories.
 *
 * What is done here instead, with only exported libext2fs calls:
 *  - ext2fs_initialize() with an explicit superblock template; UUID, hash
 *    seed and times set afterwards; inode tables never written (the output is
 *    a fresh sparse file, so they are zero: ITABLE_ZEROED on every group);
 *  - inode numbers decided up front (see ext4.h), so a directory's blocks
 *    can be laid out before its children are written;
 *  - data blocks: first-fit contiguous runs from ext2fs_new_range(), the
 *    file content streamed in 1 MiB chunks and written with pwrite(2) on our
 *    own descriptor (libext2fs never sees data blocks); all-zero 4 KiB
 *    blocks are not allocated (holes), and holes of the source are skipped
 *    with SEEK_DATA so a sparse 5 GiB file costs nothing;
 *  - extent trees written directly (inode root, then leaf/index blocks of
 *    340 entries with ext2fs_extent_block_csum_set());
 *  - directories laid out in memory in one go: linear blocks in strcmp
 *    order when they fit one block, otherwise an htree (dx_root, dx nodes
 *    when needed, leaves sorted by (hash, minor hash) with
 *    ext2fs_dirhash2(), as e2fsck -D builds them), checksummed with
 *    ext2fs_dir_block_csum_set();
 *  - xattrs and POSIX ACLs through ext2fs_xattrs_*() (which converts the
 *    kernel's ACL xattr format to ext4's on-disk one);
 *  - bitmaps and group descriptors flushed once, by ext2fs_close_free();
 *  - the superblock's write time: libext2fs writes time(NULL) when fs->now
 *    is 0 (epoch 0), so every superblock copy is patched afterwards.
 * Little-endian host assumed for the on-disk structures we write ourselves
 * (Debian x86-64).
 */
#include "builder/ext4.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include <ext2fs/ext3_extents.h>

#include "common/fileio.h"
#include "builder/tree-digest.h"
#include "common/hash.h"

#define BS UVM_EXT4_BLOCK_SIZE
#define CHUNK (1u << 20)
#define FIRST_INO 11u
#define LPF_INO 11u
#define MAX_EXT_LEN 32768u	/* longest initialized extent */
#define LEAF_MAX ((BS - sizeof(struct ext3_extent_header)) / 12) /* 340 */
#define DIRENT_TAIL 12u		/* struct ext2_dir_entry_tail */
#define DX_ROOT_LIMIT ((BS - 32) / 8 - 1) /* 507 with the dx tail */
#define DX_NODE_LIMIT ((BS - 8) / 8 - 1)  /* 510 */
#define LINK_MAX_EXT4 65000u

struct extent {
	uint32_t lblk;
	uint32_t len;
	uint64_t pblk;
};

struct dent {
	const char *name;
	uint32_t len;
	uint32_t ino;
	uint8_t type;
	uint32_t hash, minor;
};

struct ctx {
	ext2_filsys fs;
	int fd;
	struct uvm_tree *t;
	struct uvm_error *err;
	uint32_t epoch;
	uint32_t epoch_extra; /* ext4 extra time field: epoch bits */
	bool make_lpf;
	uint32_t written;     /* highest tree inode number written */
	blk64_t goal;
	uint8_t *buf;	      /* CHUNK bytes */
	struct extent *ext;
	size_t n_ext, cap_ext;
	struct uvm_ext4_stats st;
	const char *path;     /* entry being written, for messages */
};

static int fs_error(struct ctx *c, errcode_t e, const char *what)
{
	if (e == EXT2_ET_EA_NO_SPACE)
		return uvm_errorf(c->err, -E2BIG, "'/%s': xattrs do not fit in the "
				  "inode and one 4 KiB block", c->path ? c->path : "");
	if (e == EXT2_ET_BLOCK_ALLOC_FAIL || e == EXT2_ET_INODE_ALLOC_FAIL ||
	    e == EXT2_ET_DIR_NO_SPACE || e == EXT2_ET_TOOSMALL ||
	    e == EXT2_ET_TOO_MANY_INODES || e == ENOSPC)
		return uvm_errorf(c->err, -ENOSPC,
				  "image too small for the content (out of "
				  "space at '/%s')",
				  c->path ? c->path : "");
	if (e > 0 && e < 4096)
		return uvm_errorf_errno(c->err, -(int)e, "%s '/%s'", what,
					c->path ? c->path : "");
	return uvm_errorf(c->err, -EIO, "%s '/%s': %s", what,
			  c->path ? c->path : "", error_message(e));
}

static uint32_t map_ino(uint32_t tree_ino)
{
	return tree_ino == 1 ? EXT2_ROOT_INO : FIRST_INO + tree_ino - 1;
}

static uint8_t file_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG_FILE;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFCHR: return EXT2_FT_CHRDEV;
	case S_IFBLK: return EXT2_FT_BLKDEV;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFSOCK: return EXT2_FT_SOCK;
	case S_IFLNK: return EXT2_FT_SYMLINK;
	}
	return EXT2_FT_UNKNOWN;
}

static bool block_zero(const uint8_t *b)
{
	static const uint8_t zero[BS];
	return memcmp(b, zero, BS) == 0;
}

/* ---- block allocation and extents -------------------------------------- */

static int ext_push(struct ctx *c, uint32_t lblk, uint64_t pblk, uint32_t len)
{
	struct extent *e = c->n_ext ? &c->ext[c->n_ext - 1] : NULL;
	if (e && e->lblk + e->len == lblk && e->pblk + e->len == pblk &&
	    e->len + len <= MAX_EXT_LEN) {
		e->len += len;
		return 0;
	}
	if (c->n_ext == c->cap_ext) {
		size_t n = c->cap_ext ? 2 * c->cap_ext : 16;
		struct extent *p = reallocarray(c->ext, n, sizeof(*p));
		if (!p)
			return uvm_errorf(c->err, -ENOMEM, "out of memory");
		c->ext = p;
		c->cap_ext = n;
	}
	c->ext[c->n_ext++] = (struct extent){ lblk, len, pblk };
	return 0;
}

/* Allocate up to want blocks (first fit at the cursor); *got may be less. */
static int alloc_run(struct ctx *c, uint64_t want, blk64_t *ret, uint64_t *got)
{
	blk64_t pblk, plen;
	errcode_t e = ext2fs_new_range(c->fs, 0, c->goal,
				       MIN(want, (uint64_t)MAX_EXT_LEN), NULL,
				       &pblk, &plen);
	if (e)
		return fs_error(c, e, "allocating blocks for");
	ext2fs_block_alloc_stats_range(c->fs, pblk, (blk_t)plen, +1);
	c->goal = pblk + plen;
	*ret = pblk;
	*got = plen;
	return 0;
}

/* Place n blocks of data (logical blocks lblk..) on disk: allocate, write
 * with pwrite unless data is NULL (the caller writes them later), record the
 * extents. */
static int place(struct ctx *c, uint32_t lblk, const uint8_t *data, uint64_t n)
{
	while (n > 0) {
		blk64_t pblk;
		uint64_t got;
		int r = alloc_run(c, n, &pblk, &got);
		if (r < 0)
			return r;
		if (data) {
			r = uvm_pwrite_all(c->fd, data, got * BS, pblk * BS);
			if (r < 0)
				return uvm_errorf_errno(c->err, r, "writing the image");
			data += got * BS;
		}
		r = ext_push(c, lblk, pblk, (uint32_t)got);
		if (r < 0)
			return r;
		lblk += (uint32_t)got;
		n -= got;
	}
	return 0;
}

/* Physical block of logical block l in the current extent list. */
static uint64_t ext_pblk(const struct ctx *c, uint32_t l)
{
	for (size_t i = 0; i < c->n_ext; i++)
		if (l >= c->ext[i].lblk && l < c->ext[i].lblk + c->ext[i].len)
			return c->ext[i].pblk + (l - c->ext[i].lblk);
	return 0;
}

/* Extent tree blocks below the inode's root: allocated and filled by
 * build_extent_tree(), written by write_tree_blocks() once the inode is on
 * disk (their checksum reads the inode's generation). */
struct tree_blocks {
	uint8_t *buf;	/* n * BS */
	uint64_t *pblk;
	size_t n;
};

static void tree_blocks_free(struct tree_blocks *tb)
{
	free(tb->buf);
	free(tb->pblk);
	*tb = (struct tree_blocks){ 0 };
}

static void put_header(struct ext3_extent_header *h, uint16_t entries,
		       uint16_t max, uint16_t depth)
{
	h->eh_magic = EXT3_EXT_MAGIC;
	h->eh_entries = entries;
	h->eh_max = max;
	h->eh_depth = depth;
	h->eh_generation = 0;
}

/* The extent tree of c->ext: up to 4 extents in the inode (depth 0), else
 * leaves of 340 extents and index levels of 340 entries until the top level
 * fits the inode's 4 slots. tb->n blocks are counted into i_blocks by the
 * caller. */
static int build_extent_tree(struct ctx *c, struct ext2_inode_large *in,
			     struct tree_blocks *tb)
{
	struct ext3_extent_header *root = (void *)in->i_block;
	size_t n = c->n_ext, total = 0, level_n, depth = 0;
	struct { uint32_t lblk; uint64_t pblk; } *lvl = NULL, *next = NULL;
	int r = 0;

	in->i_flags |= EXT4_EXTENTS_FL;
	if (n <= 4) {
		struct ext3_extent *x = (void *)(root + 1);
		put_header(root, (uint16_t)n, 4, 0);
		for (size_t i = 0; i < n; i++) {
			x[i].ee_block = c->ext[i].lblk;
			x[i].ee_len = (uint16_t)c->ext[i].len;
			x[i].ee_start_hi = (uint16_t)(c->ext[i].pblk >> 32);
			x[i].ee_start = (uint32_t)c->ext[i].pblk;
		}
		return 0;
	}
	/* Count the blocks of every level below the root. */
	for (level_n = n; level_n > 4; level_n = (level_n + LEAF_MAX - 1) / LEAF_MAX)
		total += (level_n + LEAF_MAX - 1) / LEAF_MAX;
	tb->buf = calloc(total, BS);
	tb->pblk = calloc(total, sizeof(*tb->pblk));
	lvl = calloc(n, sizeof(*lvl));
	next = calloc((n + LEAF_MAX - 1) / LEAF_MAX, sizeof(*next));
	if (!tb->buf || !tb->pblk || !lvl || !next) {
		r = uvm_errorf(c->err, -ENOMEM, "out of memory");
		goto out;
	}
	tb->n = total;
	/* Leaves first, then index levels, each block allocated as we go. */
	level_n = n;
	for (size_t i = 0; i < n; i++)
		lvl[i].lblk = c->ext[i].lblk;
	size_t blk = 0;
	while (level_n > 4) {
		size_t nb = (level_n + LEAF_MAX - 1) / LEAF_MAX;
		for (size_t b = 0; b < nb; b++, blk++) {
			struct ext3_extent_header *h = (void *)(tb->buf + blk * BS);
			size_t first = b * LEAF_MAX;
			size_t cnt = MIN((size_t)LEAF_MAX, level_n - first);
			uint64_t got;
			blk64_t p;
			r = alloc_run(c, 1, &p, &got);
			if (r < 0)
				goto out;
			tb->pblk[blk] = p;
			put_header(h, (uint16_t)cnt, LEAF_MAX, (uint16_t)depth);
			for (size_t i = 0; i < cnt; i++) {
				if (depth == 0) {
					struct ext3_extent *x = (void *)(h + 1);
					const struct extent *e = &c->ext[first + i];
					x[i].ee_block = e->lblk;
					x[i].ee_len = (uint16_t)e->len;
					x[i].ee_start_hi = (uint16_t)(e->pblk >> 32);
					x[i].ee_start = (uint32_t)e->pblk;
				} else {
					struct ext3_extent_idx *x = (void *)(h + 1);
					x[i].ei_block = lvl[first + i].lblk;
					x[i].ei_leaf = (uint32_t)lvl[first + i].pblk;
					x[i].ei_leaf_hi = (uint16_t)(lvl[first + i].pblk >> 32);
					x[i].ei_unused = 0;
				}
			}
			next[b].lblk = lvl[first].lblk;
			next[b].pblk = p;
		}
		memcpy(lvl, next, nb * sizeof(*lvl));
		level_n = nb;
		depth++;
	}
	{
		struct ext3_extent_idx *x = (void *)(root + 1);
		put_header(root, (uint16_t)level_n, 4, (uint16_t)depth);
		for (size_t i = 0; i < level_n; i++) {
			x[i].ei_block = lvl[i].lblk;
			x[i].ei_leaf = (uint32_t)lvl[i].pblk;
			x[i].ei_leaf_hi = (uint16_t)(lvl[i].pblk >> 32);
			x[i].ei_unused = 0;
		}
	}
out:
	free(lvl);
	free(next);
	return r;
}

static int write_tree_blocks(struct ctx *c, ext2_ino_t ino,
			     struct tree_blocks *tb)
{
	for (size_t i = 0; i < tb->n; i++) {
		struct ext3_extent_header *h = (void *)(tb->buf + i * BS);
		errcode_t e = ext2fs_extent_block_csum_set(c->fs, ino, h);
		if (e)
			return fs_error(c, e, "extent block of");
		int r = uvm_pwrite_all(c->fd, h, BS, tb->pblk[i] * BS);
		if (r < 0)
			return uvm_errorf_errno(c->err, r, "writing the image");
	}
	return 0;
}

/* ---- inodes ------------------------------------------------------------- */

static void inode_init(struct ctx *c, struct ext2_inode_large *in,
		       const struct uvm_inode *u, uint32_t nlink)
{
	memset(in, 0, sizeof(*in));
	in->i_mode = (uint16_t)u->mode;
	in->i_uid = (uint16_t)u->uid;
	in->osd2.linux2.l_i_uid_high = (uint16_t)(u->uid >> 16);
	in->i_gid = (uint16_t)u->gid;
	in->osd2.linux2.l_i_gid_high = (uint16_t)(u->gid >> 16);
	in->i_links_count = (uint16_t)nlink;
	in->i_atime = in->i_ctime = in->i_mtime = in->i_crtime = c->epoch;
	in->i_extra_isize = sizeof(struct ext2_inode_large) -
			    EXT2_GOOD_OLD_INODE_SIZE;
	in->i_atime_extra = in->i_ctime_extra = in->i_mtime_extra =
		in->i_crtime_extra = c->epoch_extra;
}

static int inode_put(struct ctx *c, ext2_ino_t ino, struct ext2_inode_large *in,
		     uint64_t size, uint64_t blocks)
{
	errcode_t e;
	in->i_size = (uint32_t)size;
	in->i_size_high = (uint32_t)(size >> 32);
	e = ext2fs_iblk_set(c->fs, (struct ext2_inode *)in, blocks);
	if (!e)
		e = ext2fs_write_inode_full(c->fs, ino, (struct ext2_inode *)in,
					    sizeof(*in));
	return e ? fs_error(c, e, "writing the inode of") : 0;
}

static int put_xattrs(struct ctx *c, ext2_ino_t ino, const struct uvm_inode *u)
{
	struct ext2_xattr_handle *h = NULL;
	errcode_t e;
	if (!u->n_xattrs)
		return 0;
	e = ext2fs_xattrs_open(c->fs, ino, &h);
	if (!e)
		e = ext2fs_xattrs_read(h);
	for (size_t i = 0; !e && i < u->n_xattrs; i++)
		e = ext2fs_xattr_set(h, u->xattrs[i].name, u->xattrs[i].value,
				     u->xattrs[i].size);
	if (h) {
		errcode_t e2 = ext2fs_xattrs_close(&h);
		if (!e)
			e = e2;
	}
	return e ? fs_error(c, e, "writing the xattrs of") : 0;
}

/* Skip forward over a hole of the source (SEEK_DATA); returns the next
 * offset to read (block-aligned) or size when only a hole remains. */
static uint64_t next_data(const struct uvm_reader *rd, uint64_t off)
{
	if (rd->fd < 0)
		return off;
	off_t d = lseek(rd->fd, (off_t)(rd->base + off), SEEK_DATA);
	if (d < 0)
		return errno == ENXIO ? rd->size : off;
	if ((uint64_t)d <= rd->base + off)
		return off;
	uint64_t n = ((uint64_t)d - rd->base) / BS * BS;
	return MIN(n, rd->size);
}

static int write_regular(struct ctx *c, ext2_ino_t ino,
			 const struct uvm_inode *u, uint32_t nlink)
{
	struct ext2_inode_large in;
	struct tree_blocks tb = { 0 };
	struct uvm_reader rd;
	uint64_t off = 0, blocks = 0;
	int r;

	if (u->size > (uint64_t)UINT32_MAX * BS)
		return uvm_errorf(c->err, -EFBIG, "'/%s': file too large for "
				  "ext4 (16 TiB)", c->path);
	c->n_ext = 0;
	r = uvm_reader_open(c->t, u, &rd, c->err);
	if (r < 0)
		return r;
	while (off < u->size) {
		uint64_t d = next_data(&rd, off);
		c->st.hole_blocks += (d - off) / BS;
		off = d;
		if (off >= u->size)
			break;
		size_t n = (size_t)MIN((uint64_t)CHUNK, u->size - off);
		int64_t k = uvm_reader_pread(&rd, c->buf, n, off);
		if (k < 0 || (size_t)k != n) {
			r = uvm_errorf_errno(c->err, k < 0 ? (int)k : -EIO,
					     "%s", u->path ? u->path : c->path);
			goto out;
		}
		size_t nb = (n + BS - 1) / BS;
		memset(c->buf + n, 0, nb * BS - n);
		for (size_t i = 0; i < nb;) {
			size_t j = i;
			while (j < nb && block_zero(c->buf + j * BS))
				j++;
			c->st.hole_blocks += j - i;
			i = j;
			while (j < nb && !block_zero(c->buf + j * BS))
				j++;
			if (j > i) {
				r = place(c, (uint32_t)(off / BS + i),
					  c->buf + i * BS, j - i);
				if (r < 0)
					goto out;
				blocks += j - i;
			}
			i = j;
		}
		off += n;
	}
	c->st.data_blocks += blocks;
	inode_init(c, &in, u, nlink);
	r = build_extent_tree(c, &in, &tb);
	if (r >= 0)
		r = inode_put(c, ino, &in, u->size, blocks + tb.n);
	if (r >= 0)
		r = write_tree_blocks(c, ino, &tb);
	c->st.files++;
out:
	uvm_reader_close(&rd);
	tree_blocks_free(&tb);
	return r;
}

static int write_symlink(struct ctx *c, ext2_ino_t ino,
			 const struct uvm_inode *u, uint32_t nlink)
{
	struct ext2_inode_large in;
	size_t len = u->symlink ? strlen(u->symlink) : 0;
	struct tree_blocks tb = { 0 };
	int r;

	inode_init(c, &in, u, nlink);
	c->st.symlinks++;
	if (len < sizeof(in.i_block)) { /* fast symlink: target in i_block */
		memcpy(in.i_block, u->symlink, len);
		return inode_put(c, ino, &in, len, 0);
	}
	memset(c->buf, 0, BS);
	memcpy(c->buf, u->symlink, len);
	c->n_ext = 0;
	r = place(c, 0, c->buf, 1);
	if (r >= 0)
		r = build_extent_tree(c, &in, &tb);
	if (r >= 0)
		r = inode_put(c, ino, &in, len, 1);
	tree_blocks_free(&tb);
	return r;
}

static int write_special(struct ctx *c, ext2_ino_t ino,
			 const struct uvm_inode *u, uint32_t nlink)
{
	struct ext2_inode_large in;
	inode_init(c, &in, u, nlink);
	if (S_ISCHR(u->mode) || S_ISBLK(u->mode)) {
		uint32_t ma = u->rdev_major, mi = u->rdev_minor;
		if (ma < 256 && mi < 256) { /* old_encode_dev */
			in.i_block[0] = ma * 256 + mi;
		} else { /* new_encode_dev */
			in.i_block[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
		}
	}
	c->st.specials++;
	return inode_put(c, ino, &in, 0, 0);
}

/* ---- directories -------------------------------------------------------- */

struct dirbuf {
	uint8_t *b;
	size_t nblocks, cap;
};

static uint8_t *dirbuf_add(struct dirbuf *d)
{
	if (d->nblocks == d->cap) {
		size_t n = d->cap ? 2 * d->cap : 4;
		uint8_t *p = reallocarray(d->b, n, BS);
		if (!p)
			return NULL;
		d->b = p;
		d->cap = n;
	}
	uint8_t *blk = d->b + d->nblocks++ * BS;
	memset(blk, 0, BS);
	return blk;
}

static void put_dirent(uint8_t *p, uint32_t ino, uint32_t rec_len,
		       const char *name, uint32_t len, uint8_t type)
{
	struct ext2_dir_entry *d = (void *)p;
	d->inode = ino;
	d->rec_len = (uint16_t)rec_len;
	ext2fs_dirent_set_name_len(d, (int)len);
	ext2fs_dirent_set_file_type(d, type);
	memcpy(d->name, name, len);
}

static void put_tail(struct ctx *c, uint8_t *blk)
{
	ext2fs_initialize_dirent_tail(c->fs, EXT2_DIRENT_TAIL(blk, BS));
}

/* Pack entries into leaf blocks (in the given order). If first is not
 * NULL it is the already-started first block with *used bytes used.
 * hashes (optional) gets the dx hash of each new block. */
static int pack_leaves(struct dirbuf *d, const struct dent *e, size_t n,
		       uint8_t *first, size_t used, uint32_t *hashes,
		       size_t *n_hashes, struct ctx *c)
{
	const size_t usable = BS - DIRENT_TAIL;
	uint8_t *blk = first;
	uint8_t *last = NULL; /* last entry in blk */
	size_t off = used;
	uint32_t prev_hash = 0;

	if (blk && used)
		last = blk + used - 12; /* ".." of a linear first block */
	for (size_t i = 0; i < n; i++) {
		size_t rl = EXT2_DIR_REC_LEN(e[i].len);
		if (!blk || off + rl > usable) {
			if (blk) {
				if (last)
					((struct ext2_dir_entry *)last)->rec_len +=
						(uint16_t)(usable - off);
				put_tail(c, blk);
			}
			blk = dirbuf_add(d);
			if (!blk)
				return uvm_errorf(c->err, -ENOMEM, "out of memory");
			off = 0;
			if (hashes) {
				uint32_t h = e[i].hash;
				if (i > 0 && h == prev_hash)
					h |= 1; /* collision continues here */
				hashes[(*n_hashes)++] = h;
			}
		}
		put_dirent(blk + off, e[i].ino, (uint32_t)rl, e[i].name,
			   e[i].len, e[i].type);
		last = blk + off;
		off += rl;
		prev_hash = e[i].hash;
	}
	if (blk) {
		if (last)
			((struct ext2_dir_entry *)last)->rec_len += (uint16_t)(usable - off);
		else /* empty block */
			put_dirent(blk, 0, (uint32_t)usable, "", 0, 0);
		put_tail(c, blk);
	}
	return 0;
}

static int dent_hash_cmp(const void *a, const void *b)
{
	const struct dent *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->minor != y->minor)
		return x->minor < y->minor ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void put_countlimit(uint8_t *p, uint16_t limit, uint16_t count,
			   uint32_t block0)
{
	struct ext2_dx_countlimit *cl = (void *)p;
	cl->limit = limit;
	cl->count = count;
	((struct ext2_dx_entry *)p)->block = block0;
}

static void put_dx_entry(uint8_t *p, size_t i, uint32_t hash, uint32_t block)
{
	struct ext2_dx_entry *x = (struct ext2_dx_entry *)p + i;
	x->hash = hash;
	x->block = block;
}

/* Lay out an htree directory: block 0 dx_root, [dx nodes], leaves. */
static int build_htree(struct ctx *c, struct dirbuf *d, struct dent *e,
		       size_t n, uint32_t self, uint32_t parent)
{
	struct dirbuf leaves = { 0 };
	_cleanup_free_ uint32_t *hashes = NULL;
	size_t nh = 0, nl, nodes = 0;
	uint8_t *root;
	int r;

	for (size_t i = 0; i < n; i++) {
		errcode_t err = ext2fs_dirhash2(c->fs->super->s_def_hash_version,
						e[i].name, (int)e[i].len, NULL, 0,
						c->fs->super->s_hash_seed,
						&e[i].hash, &e[i].minor);
		if (err)
			return fs_error(c, err, "hashing the names of");
	}
	qsort(e, n, sizeof(*e), dent_hash_cmp);
	hashes = calloc(n + 1, sizeof(*hashes));
	if (!hashes)
		return uvm_errorf(c->err, -ENOMEM, "out of memory");
	r = pack_leaves(&leaves, e, n, NULL, 0, hashes, &nh, c);
	if (r < 0)
		goto out;
	nl = leaves.nblocks;
	if (nl > DX_ROOT_LIMIT) {
		nodes = (nl + DX_NODE_LIMIT - 1) / DX_NODE_LIMIT;
		if (nodes > DX_ROOT_LIMIT) {
			r = uvm_errorf(c->err, -EFBIG, "'/%s': directory too large",
				       c->path);
			goto out;
		}
	}
	root = dirbuf_add(d);
	if (!root) {
		r = uvm_errorf(c->err, -ENOMEM, "out of memory");
		goto out;
	}
	put_dirent(root, self, 12, ".", 1, EXT2_FT_DIR);
	put_dirent(root + 12, parent, BS - 12, "..", 2, EXT2_FT_DIR);
	{
		struct ext2_dx_root_info *ri = (void *)(root + 24);
		ri->reserved_zero = 0;
		ri->hash_version = c->fs->super->s_def_hash_version;
		ri->info_length = 8;
		ri->indirect_levels = nodes ? 1 : 0;
		ri->unused_flags = 0;
	}
	uint32_t first_leaf = 1 + (uint32_t)nodes;
	if (!nodes) {
		put_countlimit(root + 32, DX_ROOT_LIMIT, (uint16_t)nl, first_leaf);
		for (size_t i = 1; i < nl; i++)
			put_dx_entry(root + 32, i, hashes[i], first_leaf + (uint32_t)i);
	} else {
		put_countlimit(root + 32, DX_ROOT_LIMIT, (uint16_t)nodes, 1);
		for (size_t k = 0; k < nodes; k++) {
			size_t a = k * DX_NODE_LIMIT;
			size_t cnt = MIN((size_t)DX_NODE_LIMIT, nl - a);
			uint8_t *node = dirbuf_add(d);
			if (!node) {
				r = uvm_errorf(c->err, -ENOMEM, "out of memory");
				goto out;
			}
			if (k > 0)
				put_dx_entry(root + 32, k, hashes[a], 1 + (uint32_t)k);
			put_dirent(node, 0, BS, "", 0, 0);
			put_countlimit(node + 8, DX_NODE_LIMIT, (uint16_t)cnt,
				       first_leaf + (uint32_t)a);
			for (size_t i = 1; i < cnt; i++)
				put_dx_entry(node + 8, i, hashes[a + i],
					     first_leaf + (uint32_t)(a + i));
		}
	}
	for (size_t i = 0; i < nl; i++) {
		uint8_t *b = dirbuf_add(d);
		if (!b) {
			r = uvm_errorf(c->err, -ENOMEM, "out of memory");
			goto out;
		}
		memcpy(b, leaves.b + i * BS, BS);
	}
	c->st.htree_dirs++;
out:
	free(leaves.b);
	return r;
}

/* Directory entries of node (children, plus lost+found in the root). */
static int collect_dents(struct ctx *c, const struct uvm_node *node,
			 struct dent **ret, size_t *ret_n)
{
	size_t n = node->n_children, k = 0;
	bool lpf = c->make_lpf && !node->parent;
	struct dent *e = calloc(n + 1, sizeof(*e));
	if (!e)
		return uvm_errorf(c->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i <= n; i++) {
		if (lpf && (i == n || strcmp("lost+found", node->children[i]->name) < 0)) {
			e[k++] = (struct dent){ .name = "lost+found", .len = 10,
						.ino = LPF_INO, .type = EXT2_FT_DIR };
			lpf = false;
		}
		if (i == n)
			break;
		const struct uvm_node *ch = node->children[i];
		e[k++] = (struct dent){ .name = ch->name,
					.len = (uint32_t)strlen(ch->name),
					.ino = map_ino(ch->inode->ino),
					.type = file_type(ch->inode->mode) };
	}
	*ret = e;
	*ret_n = k;
	return 0;
}

/* Write a directory inode with the given entries (min_blocks: lost+found
 * gets 4 blocks, as mke2fs makes it, so e2fsck can reconnect files). */
static int write_dir(struct ctx *c, ext2_ino_t ino, ext2_ino_t parent,
		     const struct uvm_inode *u, struct dent *e, size_t n,
		     uint32_t nlink, size_t min_blocks)
{
	struct dirbuf d = { 0 };
	struct ext2_inode_large in;
	struct tree_blocks tb = { 0 };
	size_t used = 0;
	int r;

	/* Linear: ".", "..", entries in strcmp order. */
	uint8_t *b0 = dirbuf_add(&d);
	if (!b0)
		return uvm_errorf(c->err, -ENOMEM, "out of memory");
	put_dirent(b0, ino, 12, ".", 1, EXT2_FT_DIR);
	put_dirent(b0 + 12, parent, 12, "..", 2, EXT2_FT_DIR);
	used = 24;
	r = pack_leaves(&d, e, n, b0, used, NULL, NULL, c);
	if (r < 0)
		goto out;
	inode_init(c, &in, u, nlink);
	if (d.nblocks > 1 && ext2fs_has_feature_dir_index(c->fs->super)) {
		d.nblocks = 0;
		r = build_htree(c, &d, e, n, ino, parent);
		if (r < 0)
			goto out;
		in.i_flags |= EXT2_INDEX_FL;
	}
	while (d.nblocks < min_blocks) {
		uint8_t *b = dirbuf_add(&d);
		if (!b) {
			r = uvm_errorf(c->err, -ENOMEM, "out of memory");
			goto out;
		}
		put_dirent(b, 0, BS - DIRENT_TAIL, "", 0, 0);
		put_tail(c, b);
	}
	c->n_ext = 0;
	r = place(c, 0, NULL, d.nblocks);
	if (r >= 0)
		r = build_extent_tree(c, &in, &tb);
	if (r >= 0)
		r = inode_put(c, ino, &in, (uint64_t)d.nblocks * BS,
			      d.nblocks + tb.n);
	if (r >= 0)
		r = write_tree_blocks(c, ino, &tb);
	for (size_t i = 0; r >= 0 && i < d.nblocks; i++) {
		uint8_t *b = d.b + i * BS;
		errcode_t err = ext2fs_dir_block_csum_set(c->fs, ino,
							  (struct ext2_dir_entry *)b);
		if (err) {
			r = fs_error(c, err, "directory block of");
			break;
		}
		r = uvm_pwrite_all(c->fd, b, BS, ext_pblk(c, (uint32_t)i) * BS);
		if (r < 0)
			r = uvm_errorf_errno(c->err, r, "writing the image");
	}
	if (r >= 0)
		c->st.dirs++;
out:
	free(d.b);
	tree_blocks_free(&tb);
	return r;
}

static int write_node(struct uvm_node *node, const char *path, void *ud)
{
	struct ctx *c = ud;
	struct uvm_inode *u = node->inode;
	ext2_ino_t ino = map_ino(u->ino);
	int r;

	if (u->ino <= c->written)
		return 0; /* another name of a hard-linked inode */
	c->written = u->ino;
	c->path = path;
	if (S_ISDIR(u->mode)) {
		_cleanup_free_ struct dent *e = NULL;
		size_t n = 0;
		uint32_t nlink = 2;
		for (size_t i = 0; i < node->n_children; i++)
			nlink += S_ISDIR(node->children[i]->inode->mode);
		if (!node->parent && c->make_lpf)
			nlink++;
		if (nlink > LINK_MAX_EXT4)
			nlink = 1; /* dir_nlink */
		r = collect_dents(c, node, &e, &n);
		if (r < 0)
			return r;
		ext2fs_inode_alloc_stats2(c->fs, ino, +1, 1);
		r = write_dir(c, ino,
			      node->parent ? map_ino(node->parent->inode->ino) : ino,
			      u, e, n, nlink,
			      node->parent && !node->parent->parent &&
					      strcmp(node->name, "lost+found") == 0 ? 4 : 1);
		if (r < 0)
			return r;
		if (!node->parent && c->make_lpf) {
			struct uvm_inode lpf = { .mode = S_IFDIR | 0700 };
			c->path = "lost+found";
			ext2fs_inode_alloc_stats2(c->fs, LPF_INO, +1, 1);
			r = write_dir(c, LPF_INO, ino, &lpf, NULL, 0, 2, 4);
			c->path = path;
			if (r < 0)
				return r;
		}
		return put_xattrs(c, ino, u);
	}
	if (u->nlink > LINK_MAX_EXT4)
		return uvm_errorf(c->err, -EMLINK, "'/%s': more than %u hard links",
				  path, LINK_MAX_EXT4);
	ext2fs_inode_alloc_stats2(c->fs, ino, +1, 0);
	if (S_ISREG(u->mode))
		r = write_regular(c, ino, u, u->nlink);
	else if (S_ISLNK(u->mode))
		r = write_symlink(c, ino, u, u->nlink);
	else
		r = write_special(c, ino, u, u->nlink);
	if (r < 0)
		return r;
	return put_xattrs(c, ino, u);
}

/* ---- sizing ------------------------------------------------------------- */

struct size_state {
	const struct uvm_tree *t;
	bool count_content; /* read the content to count its blocks */
	uint8_t *buf;
	uint64_t blocks; /* content + directories + symlinks + xattrs */
	uint64_t extent_blocks;
	uint32_t seen;
	struct uvm_error *err;
};

/* Non-zero 4 KiB blocks of a regular file's content: exactly what the
 * writer stores, whatever holes the source has (holes are skipped with
 * SEEK_DATA only as a shortcut: they read as zeros). */
static int nonzero_blocks_of(const struct uvm_tree *t, const struct uvm_inode *u,
			     uint8_t *buf, uint64_t *ret, struct uvm_error *err)
{
	struct uvm_reader rd;
	uint64_t off = 0, n = 0;
	int r = uvm_reader_open(t, u, &rd, err);
	if (r < 0)
		return r;
	while ((off = next_data(&rd, off)) < u->size) {
		size_t len = (size_t)MIN((uint64_t)CHUNK, u->size - off);
		int64_t k = uvm_reader_pread(&rd, buf, len, off);
		if (k < 0 || (size_t)k != len) {
			uvm_reader_close(&rd);
			return uvm_errorf_errno(err, k < 0 ? (int)k : -EIO, "%s",
						u->path ? u->path : "spooled file");
		}
		n += uvm_nonzero_blocks(buf, len);
		off += len;
	}
	uvm_reader_close(&rd);
	*ret = n;
	return 0;
}

static int size_cb(struct uvm_node *node, const char *path, void *ud)
{
	struct size_state *s = ud;
	struct uvm_inode *u = node->inode;
	if (u->ino <= s->seen)
		return 0;
	s->seen = u->ino;
	if (S_ISREG(u->mode)) {
		uint64_t b = (u->size + BS - 1) / BS;
		if (b > 4 * MAX_EXT_LEN) /* extent tree blocks */
			s->extent_blocks += 1 + b / (MAX_EXT_LEN * LEAF_MAX);
		if (s->count_content) {
			int r = nonzero_blocks_of(s->t, u, s->buf, &b, s->err);
			if (r < 0)
				return r;
			s->blocks += b;
		}
	} else if (S_ISLNK(u->mode) && u->size >= 60) {
		s->blocks++;
	} else if (S_ISDIR(u->mode)) {
		uint64_t bytes = 24;
		for (size_t i = 0; i < node->n_children; i++)
			bytes += EXT2_DIR_REC_LEN(strlen(node->children[i]->name));
		uint64_t b = (bytes + BS - DIRENT_TAIL - 256 - 1) / (BS - DIRENT_TAIL - 256);
		s->blocks += b > 1 ? b + 1 + b / DX_NODE_LIMIT : 1;
	}
	size_t xa = 0;
	for (size_t i = 0; i < u->n_xattrs; i++)
		xa += strlen(u->xattrs[i].name) + u->xattrs[i].size + 24;
	if (xa > 80) /* does not fit in the inode's 92 bytes: one block */
		s->blocks += (xa + BS - 64) / (BS - 64);
	return 0;
}

static uint32_t inodes_for(const struct uvm_tree *t)
{
	uint64_t n = t->n_inodes + FIRST_INO + 1; /* + lost+found */
	n += n / 64 + 16;			 /* a little room */
	return n > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)n;
}

static errcode_t fs_init(const char *path, uint64_t blocks, uint32_t inodes,
			 ext2_filsys *ret)
{
	struct ext2_super_block p;
	memset(&p, 0, sizeof(p));
	ext2fs_blocks_count_set(&p, blocks);
	p.s_log_block_size = 2; /* 4096 */
	p.s_log_cluster_size = 2;
	p.s_rev_level = EXT2_DYNAMIC_REV;
	p.s_first_ino = FIRST_INO;
	p.s_inode_size = UVM_EXT4_INODE_SIZE;
	p.s_inodes_count = inodes;
	p.s_log_groups_per_flex = 4;
	p.s_desc_size = EXT2_MIN_DESC_SIZE_64BIT;
	p.s_max_mnt_count = -1;
	p.s_errors = EXT2_ERRORS_CONTINUE;
	p.s_feature_compat = EXT2_FEATURE_COMPAT_EXT_ATTR |
			     EXT2_FEATURE_COMPAT_DIR_INDEX;
	p.s_feature_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE |
			       EXT3_FEATURE_INCOMPAT_EXTENTS |
			       EXT4_FEATURE_INCOMPAT_64BIT |
			       EXT4_FEATURE_INCOMPAT_FLEX_BG;
	p.s_feature_ro_compat = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |
				EXT2_FEATURE_RO_COMPAT_LARGE_FILE |
				EXT4_FEATURE_RO_COMPAT_HUGE_FILE |
				EXT4_FEATURE_RO_COMPAT_DIR_NLINK |
				EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE |
				EXT4_FEATURE_RO_COMPAT_METADATA_CSUM;
	/* data=ordered as default journal mode: Kata (and cmdline.txt) mount
	 * the root with rootflags=data=ordered,...; without a journal the
	 * kernel accepts a data= option only when it equals this default
	 * ("can't mount with data=, fs mounted w/o journal" otherwise). */
	p.s_default_mount_opts = EXT2_DEFM_XATTR_USER | EXT2_DEFM_ACL | EXT3_DEFM_JMODE_ORDERED;
	return ext2fs_initialize(path, EXT2_FLAG_64BITS, &p, unix_io_manager, ret);
}

/* Metadata overhead of a filesystem of `blocks` blocks with `inodes`. */
static int overhead_of(const char *path, uint64_t blocks, uint32_t inodes,
		       uint64_t *ret_free, struct uvm_error *err)
{
	ext2_filsys fs = NULL;
	errcode_t e = fs_init(path, blocks, inodes, &fs);
	if (!e)
		e = ext2fs_allocate_tables(fs);
	if (e) {
		if (fs)
			ext2fs_free(fs);
		return uvm_errorf(err, -EIO, "sizing the filesystem: %s",
				  error_message(e));
	}
	*ret_free = ext2fs_free_blocks_count(fs->super);
	ext2fs_free(fs);
	return 0;
}

static int content_blocks(struct uvm_tree *t, const uint64_t *data_blocks,
			  uint64_t *ret, struct uvm_error *err)
{
	_cleanup_free_ uint8_t *buf = data_blocks ? NULL : malloc(CHUNK);
	struct size_state s = { .t = t, .count_content = !data_blocks,
				.buf = buf, .err = err };
	int r;
	if (!data_blocks && !buf)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	r = uvm_tree_number(t);
	if (r < 0)
		return uvm_errorf(err, r, "numbering the tree");
	r = uvm_tree_walk(t, size_cb, &s);
	if (r < 0)
		return r == -ENAMETOOLONG ? uvm_errorf(err, r, "path too long") : r;
	*ret = s.blocks + s.extent_blocks + (data_blocks ? *data_blocks : 0) +
	       4; /* lost+found */
	return 0;
}

int uvm_ext4_auto_size(struct uvm_tree *t, const uint64_t *data_blocks,
		       uint64_t *ret_bytes, struct uvm_error *err)
{
	uint64_t need = 0, blocks, avail = 0;
	int r = content_blocks(t, data_blocks, &need, err);
	if (r < 0)
		return r;
	need += need / 20 + (2u << 20) / BS; /* slack: 5 % + 2 MiB */
	/* Ask libext2fs what the metadata of a given size costs: a handle on
	 * /dev/null that is freed without a flush, so nothing is written. */
	blocks = need + need / 16 + 256;
	for (int i = 0; i < 64; i++) {
		blocks = ALIGN_UP(blocks, (uint64_t)256); /* 1 MiB */
		r = overhead_of("/dev/null", blocks, inodes_for(t), &avail, err);
		if (r < 0)
			return r;
		if (avail >= need)
			break;
		blocks += need - avail;
	}
	*ret_bytes = blocks * BS;
	return 0;
}

/* ---- the filesystem ----------------------------------------------------- */

static int write_reserved(struct ctx *c)
{
	struct ext2_inode_large in;
	for (ext2_ino_t i = 1; i < FIRST_INO; i++) {
		memset(&in, 0, sizeof(in));
		if (i == EXT2_BAD_INO)
			in.i_atime = in.i_ctime = in.i_mtime = c->epoch;
		if (i != EXT2_ROOT_INO) {
			errcode_t e = ext2fs_write_inode_full(
				c->fs, i, (struct ext2_inode *)&in, sizeof(in));
			if (e)
				return fs_error(c, e, "reserved inodes");
			ext2fs_inode_alloc_stats2(c->fs, i, +1, 0);
		}
	}
	return 0;
}

/* libext2fs stamps s_wtime with time(NULL) when fs->now is 0: set it in
 * every superblock copy (primary and sparse_super backups) and redo the
 * checksum. offs[] are the byte offsets of the copies. */
static int patch_wtime(int fd, const uint64_t *offs, size_t n, uint32_t epoch,
		       struct uvm_error *err)
{
	struct ext2_super_block sb;
	for (size_t i = 0; i < n; i++) {
		int r = uvm_pread_all(fd, &sb, sizeof(sb), offs[i]);
		if (r < 0)
			return uvm_errorf_errno(err, r, "reading the superblock");
		if (sb.s_magic != EXT2_SUPER_MAGIC)
			return uvm_errorf(err, -EIO, "superblock copy at %" PRIu64
					  " missing", offs[i]);
		sb.s_wtime = epoch;
		sb.s_wtime_hi = 0;
		sb.s_checksum = ext2fs_crc32c_le(~0u, (unsigned char *)&sb,
						 offsetof(struct ext2_super_block,
							  s_checksum));
		r = uvm_pwrite_all(fd, &sb, sizeof(sb), offs[i]);
		if (r < 0)
			return uvm_errorf_errno(err, r, "writing the superblock");
	}
	return 0;
}

static void cleanup_fs(ext2_filsys *fs)
{
	if (*fs)
		ext2fs_free(*fs);
}

int uvm_ext4_write(struct uvm_tree *t, const char *path,
		   const struct uvm_ext4_opts *opts,
		   struct uvm_ext4_stats *ret, struct uvm_error *err)
{
	_cleanup_(cleanup_fs) ext2_filsys fs = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_free_ uint64_t *sb_offs = NULL;
	struct ctx c = { .t = t, .err = err, .fd = -1 };
	uint64_t size = opts->size, blocks;
	size_t n_sb = 0;
	errcode_t e;
	int r;

	if (opts->epoch > UINT32_MAX)
		return uvm_errorf(err, -ERANGE, "epoch %" PRIu64 " out of range",
				  opts->epoch);
	r = uvm_tree_number(t);
	if (r < 0)
		return uvm_errorf(err, r, "numbering the tree");
	if (!S_ISDIR(t->root->inode->mode))
		return uvm_errorf(err, -ENOTDIR, "the tree's root is not a directory");
	if (!size) {
		r = uvm_ext4_auto_size(t, NULL, &size, err);
		if (r < 0)
			return r;
	}
	blocks = size / BS;
	if (blocks < 64 || blocks > (UINT64_C(1) << 40))
		return uvm_errorf(err, blocks < 64 ? -ENOSPC : -EFBIG,
				  "image too %s (%" PRIu64 " bytes)",
				  blocks < 64 ? "small for the content" : "large",
				  size);

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	if (ftruncate(fd, (off_t)(blocks * BS)) < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);

	e = fs_init(path, blocks, inodes_for(t), &fs);
	c.fs = fs;
	if (e)
		return fs_error(&c, e, "creating the filesystem");
	struct ext2_super_block *sb = fs->super;
	sb->s_flags &= ~(EXT2_FLAGS_SIGNED_HASH | EXT2_FLAGS_UNSIGNED_HASH);
	sb->s_flags |= EXT2_FLAGS_SIGNED_HASH; /* as mke2fs on x86 */
	sb->s_checksum_type = EXT2_CRC32C_CHKSUM;
	r = uvm_derive_uuid(opts->seed, "ext4-uuid", sb->s_uuid);
	if (r >= 0)
		r = uvm_derive_uuid(opts->seed, "ext4-hash-seed",
				    (uint8_t *)sb->s_hash_seed);
	if (r < 0)
		return uvm_errorf(err, r, "deriving the filesystem UUID");
	ext2fs_init_csum_seed(fs);
	sb->s_def_hash_version = EXT2_HASH_HALF_MD4;
	sb->s_mkfs_time = sb->s_lastcheck = sb->s_wtime = (uint32_t)opts->epoch;
	sb->s_checkinterval = 0;
	sb->s_max_mnt_count = -1;
	sb->s_kbytes_written = 0; /* 0: ext2fs_close does not count */
	sb->s_r_blocks_count = 0;
	memset(sb->s_volume_name, 0, sizeof(sb->s_volume_name));
	if (opts->label)
		strncpy((char *)sb->s_volume_name, opts->label,
			sizeof(sb->s_volume_name));
	fs->now = (time_t)opts->epoch;
	e = ext2fs_allocate_tables(fs);
	if (!e)
		e = ext2fs_convert_subcluster_bitmap(fs, &fs->block_map);
	if (e)
		return fs_error(&c, e, "creating the filesystem");
	for (dgrp_t g = 0; g < fs->group_desc_count; g++) {
		ext2fs_bg_flags_set(fs, g, EXT2_BG_INODE_ZEROED);
		ext2fs_group_desc_csum_set(fs, g);
	}
	sb_offs = calloc(fs->group_desc_count, sizeof(*sb_offs));
	buf = malloc(CHUNK + BS);
	if (!sb_offs || !buf)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	for (dgrp_t g = 0; g < fs->group_desc_count; g++)
		if (ext2fs_bg_has_super(fs, g))
			sb_offs[n_sb++] = g ? ext2fs_group_first_block2(fs, g) * BS
					    : SUPERBLOCK_OFFSET;

	c.fd = fd;
	c.buf = buf;
	c.epoch = (uint32_t)opts->epoch;
	/* ext4 time: low 32 bits signed + 2 epoch bits in *_extra. */
	c.epoch_extra = opts->epoch > INT32_MAX ? 1 : 0;
	/* e2fsck wants /lost+found to be a directory: the tree's, or ours. */
	const struct uvm_node *lpf = uvm_tree_lookup(t, "lost+found");
	if (lpf && !S_ISDIR(lpf->inode->mode))
		return uvm_errorf(err, -EEXIST, "'/lost+found' must be a directory");
	c.make_lpf = !lpf;
	r = write_reserved(&c);
	if (r >= 0)
		r = uvm_tree_walk(t, write_node, &c);
	free(c.ext);
	if (r < 0)
		return r;

	e = ext2fs_set_gdt_csum(fs);
	c.path = NULL;
	if (e)
		return fs_error(&c, e, "finishing the filesystem");
	c.st.fs_bytes = blocks * BS;
	c.st.blocks_used = ext2fs_blocks_count(sb) - ext2fs_free_blocks_count(sb);
	c.st.inodes_count = sb->s_inodes_count;
	c.st.inodes_used = sb->s_inodes_count - sb->s_free_inodes_count;
	e = ext2fs_close_free(&fs);
	if (e)
		return fs_error(&c, e, "writing the filesystem");
	r = patch_wtime(fd, sb_offs, n_sb, (uint32_t)opts->epoch, err);
	if (r < 0)
		return r;
	if (ret)
		*ret = c.st;
	return 0;
}
