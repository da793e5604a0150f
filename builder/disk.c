/* disk.c — the verity root disk: Kata's MBR layout, the systemd DPS GPT
 * layout, or bare files, assembled from an ext4 image without loop devices,
 * parted or sfdisk, byte-for-byte reproducibly.
 *
 * Kata: the MBR is what `parted -s -a optimal IMG -- mklabel msdos mkpart
 * primary 1MiB H MiB mkpart primary H MiB -1s set 1 boot on` writes for an
 * image file (CHS from parted's synthetic 4-head, 32-sector geometry of
 * image files, clamped at cylinder 1023), except that the disk signature
 * comes from the seed instead of random(). GPT: what sfdisk/libfdisk write
 * for the script in specs/kata-image.md §7 (first-lba 2048, 128 entries),
 * checked byte-for-byte in tests/cli/t2060.
 */
#include "disk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "../common/fileio.h"
#include "../common/hash.h"
#include "../common/json.h"
#include "../common/uuid.h"

#define MIB (UINT64_C(1) << 20)
#define SECTOR 512u
#define GPT_ENTRIES 128u
#define GPT_ENTRY_SIZE 128u
#define GPT_FIRST_LBA 2048u

static const char *const layout_names[] = {
	[UVM_LAYOUT_KATA] = "kata",
	[UVM_LAYOUT_GPT] = "gpt",
	[UVM_LAYOUT_NONE] = "none",
};

/* systemd Discoverable Partitions, x86-64 (kata-image.md §7). */
#define DPS_ROOT_X86_64 "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
#define DPS_ROOT_X86_64_VERITY "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5"

int uvm_disk_layout_parse(const char *s, enum uvm_disk_layout *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(layout_names); i++)
		if (strcmp(s, layout_names[i]) == 0) {
			*ret = (enum uvm_disk_layout)i;
			return 0;
		}
	return -EINVAL;
}

const char *uvm_disk_layout_name(enum uvm_disk_layout l)
{
	return (unsigned)l < ARRAY_SIZE(layout_names) ? layout_names[l] : "?";
}

int uvm_disk_kata_split(uint64_t n_mib, struct uvm_disk_geometry *ret)
{
	uint64_t h;
	if (n_mib < 3 || n_mib > (UINT64_MAX / MIB) / 100)
		return -EINVAL;
	/* Kata: awk '$1 * 0.99' cut at the point; exact in integers. */
	h = n_mib * 99 / 100;
	ret->disk_bytes = n_mib * MIB;
	ret->data_offset = MIB;
	ret->data_bytes = (h - 1) * MIB; /* parted ends p1 one sector before */
	ret->hash_offset = h * MIB;
	ret->hash_bytes = (n_mib - h) * MIB;
	return 0;
}

static int tree_bytes_for(uint64_t data_bytes, bool superblock,
			  uint64_t *ret)
{
	struct uvm_verity_params p;
	uvm_verity_params_init(&p);
	p.superblock = superblock;
	p.data_blocks = data_bytes / p.data_block_size;
	return uvm_verity_hash_area_size(&p, ret);
}

int uvm_disk_kata_geometry(uint64_t fs_bytes, uint32_t align_mib,
			   struct uvm_disk_geometry *ret,
			   struct uvm_error *err)
{
	uint64_t n, need;
	if (!align_mib)
		align_mib = 128;
	if (fs_bytes == 0 || fs_bytes > (UINT64_C(1) << 50))
		return uvm_errorf(err, -EINVAL, "filesystem size %" PRIu64
				  " out of range", fs_bytes);
	/* p1 = floor(.99 n) - 1 MiB >= fs: start just below and walk up. */
	n = (fs_bytes + MIB - 1) / MIB + 2;
	n = ALIGN_UP(n, (uint64_t)align_mib);
	for (;; n += align_mib) {
		int r = uvm_disk_kata_split(n, ret);
		if (r < 0)
			return uvm_errorf(err, r, "no Kata split for %" PRIu64
					  " MiB", n);
		if (ret->data_bytes < fs_bytes)
			continue;
		r = tree_bytes_for(ret->data_bytes, false, &need);
		if (r < 0)
			return uvm_errorf(err, r, "verity geometry");
		if (need <= ret->hash_bytes)
			return 0;
	}
}

/* ---- MBR ------------------------------------------------------------- */

/* parted's LBA -> CHS for image files (heads 4, sectors 32). */
static void chs(uint64_t lba, uint8_t out[3])
{
	const uint64_t heads = 4, sectors = 32;
	uint64_t c = lba / (heads * sectors);
	uint64_t h = (lba / sectors) % heads;
	uint64_t s = lba % sectors;
	if (c > 1023)
		c = 1023, h = heads - 1, s = sectors - 1;
	out[0] = (uint8_t)h;
	out[1] = (uint8_t)((s + 1) | ((c >> 8) << 6));
	out[2] = (uint8_t)(c & 0xff);
}

static void mbr_entry(uint8_t *e, bool boot, uint8_t type, uint64_t start,
		      uint64_t count)
{
	uint32_t v;
	e[0] = boot ? 0x80 : 0;
	chs(start, e + 1);
	e[4] = type;
	chs(start + count - 1, e + 5);
	v = htole32((uint32_t)start);
	memcpy(e + 8, &v, 4);
	v = htole32((uint32_t)count);
	memcpy(e + 12, &v, 4);
}

static int write_kata_mbr(int fd, const uint8_t seed[32],
			  const struct uvm_disk_geometry *g)
{
	uint8_t mbr[SECTOR] = {};
	int r = uvm_derive(seed, "mbr-disk-signature", mbr + 0x1b8, 4);
	if (r < 0)
		return r;
	mbr_entry(mbr + 0x1be, true, 0x83, g->data_offset / SECTOR,
		  g->data_bytes / SECTOR);
	mbr_entry(mbr + 0x1ce, false, 0x83, g->hash_offset / SECTOR,
		  g->hash_bytes / SECTOR);
	mbr[0x1fe] = 0x55;
	mbr[0x1ff] = 0xaa;
	return uvm_pwrite_all(fd, mbr, sizeof(mbr), 0);
}

/* ---- GPT ------------------------------------------------------------- */

struct gpt_header {
	uint8_t signature[8];
	uint32_t revision;
	uint32_t header_size;
	uint32_t header_crc32;
	uint32_t reserved;
	uint64_t my_lba;
	uint64_t alternate_lba;
	uint64_t first_usable_lba;
	uint64_t last_usable_lba;
	uint8_t disk_guid[16];
	uint64_t entries_lba;
	uint32_t num_entries;
	uint32_t entry_size;
	uint32_t entries_crc32;
} __attribute__((packed));
_Static_assert(sizeof(struct gpt_header) == 92, "GPT header size");

struct gpt_entry {
	uint8_t type_guid[16];
	uint8_t unique_guid[16];
	uint64_t first_lba;
	uint64_t last_lba;
	uint64_t attributes;
	uint16_t name[36];
} __attribute__((packed));
_Static_assert(sizeof(struct gpt_entry) == GPT_ENTRY_SIZE, "GPT entry size");

static void gpt_guid(const char *text, uint8_t out[16])
{
	uint8_t u[16];
	(void)uvm_uuid_parse(text, u); /* constants, known good */
	uvm_uuid_to_gpt(u, out);
}

static void gpt_set_entry(struct gpt_entry *e, const char *type,
			  const uint8_t uuid_text_order[16], uint64_t first,
			  uint64_t count, const char *name)
{
	gpt_guid(type, e->type_guid);
	uvm_uuid_to_gpt(uuid_text_order, e->unique_guid);
	e->first_lba = htole64(first);
	e->last_lba = htole64(first + count - 1);
	for (size_t i = 0; name[i] && i < 36; i++)
		e->name[i] = htole16((uint16_t)(unsigned char)name[i]);
}

/* The root hash halves as partition UUIDs (DPS; systemd-repart). */
static void roothash_uuids(const struct uvm_verity_params *p,
			   uint8_t data[16], uint8_t hash[16])
{
	memcpy(data, p->root_hash, 16);
	memcpy(hash, p->root_hash + p->root_hash_size - 16, 16);
}

static int write_gpt(int fd, const uint8_t seed[32],
		     const struct uvm_disk_geometry *g,
		     const struct uvm_verity_params *p)
{
	_cleanup_free_ struct gpt_entry *ents =
		calloc(GPT_ENTRIES, sizeof(struct gpt_entry));
	uint64_t total = g->disk_bytes / SECTOR;
	uint64_t ents_sectors = GPT_ENTRIES * GPT_ENTRY_SIZE / SECTOR;
	uint8_t u_data[16], u_hash[16], disk_guid[16];
	uint8_t sec[SECTOR];
	struct gpt_header h = {};
	uint32_t size;
	int r;

	if (!ents)
		return -ENOMEM;
	r = uvm_derive_uuid(seed, "gpt-disk-guid", disk_guid);
	if (r < 0)
		return r;
	roothash_uuids(p, u_data, u_hash);
	gpt_set_entry(&ents[0], DPS_ROOT_X86_64, u_data,
		      g->data_offset / SECTOR, g->data_bytes / SECTOR,
		      "root-x86-64");
	gpt_set_entry(&ents[1], DPS_ROOT_X86_64_VERITY, u_hash,
		      g->hash_offset / SECTOR, g->hash_bytes / SECTOR,
		      "root-x86-64-verity");

	/* Protective MBR, as libfdisk writes it. */
	memset(sec, 0, sizeof(sec));
	sec[0x1be + 1] = 0x00, sec[0x1be + 2] = 0x02, sec[0x1be + 3] = 0x00;
	sec[0x1be + 4] = 0xee;
	sec[0x1be + 5] = 0xff, sec[0x1be + 6] = 0xff, sec[0x1be + 7] = 0xff;
	{
		uint32_t v = htole32(1);
		memcpy(sec + 0x1be + 8, &v, 4);
		v = htole32((uint32_t)MIN(total - 1, (uint64_t)UINT32_MAX));
		memcpy(sec + 0x1be + 12, &v, 4);
	}
	sec[0x1fe] = 0x55, sec[0x1ff] = 0xaa;
	r = uvm_pwrite_all(fd, sec, sizeof(sec), 0);
	if (r < 0)
		return r;

	size = GPT_ENTRIES * GPT_ENTRY_SIZE;
	memcpy(h.signature, "EFI PART", 8);
	h.revision = htole32(0x00010000);
	h.header_size = htole32(sizeof(h));
	h.first_usable_lba = htole64(GPT_FIRST_LBA);
	h.last_usable_lba = htole64(total - 1 - ents_sectors - 1);
	uvm_uuid_to_gpt(disk_guid, h.disk_guid);
	h.num_entries = htole32(GPT_ENTRIES);
	h.entry_size = htole32(GPT_ENTRY_SIZE);
	h.entries_crc32 = htole32((uint32_t)crc32(0, (const Bytef *)ents, size));

	for (int backup = 0; backup < 2; backup++) {
		struct gpt_header hh = h;
		uint64_t my = backup ? total - 1 : 1;
		uint64_t elba = backup ? total - 1 - ents_sectors : 2;
		hh.my_lba = htole64(my);
		hh.alternate_lba = htole64(backup ? 1 : total - 1);
		hh.entries_lba = htole64(elba);
		hh.header_crc32 = 0;
		hh.header_crc32 = htole32(
			(uint32_t)crc32(0, (const Bytef *)&hh, sizeof(hh)));
		memset(sec, 0, sizeof(sec));
		memcpy(sec, &hh, sizeof(hh));
		r = uvm_pwrite_all(fd, sec, sizeof(sec), my * SECTOR);
		if (r < 0)
			return r;
		r = uvm_pwrite_all(fd, ents, size, elba * SECTOR);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- copying the filesystem, sparsely ---------------------------------- */

static bool all_zero(const uint8_t *b, size_t n)
{
	return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/* Copy all of src into dst at dst_off, leaving 4 KiB blocks that are zero
 * (or holes in src) as holes in dst (dst is a fresh sparse file). */
static int copy_sparse(int src, uint64_t len, int dst, uint64_t dst_off)
{
	const size_t chunk = 1 << 20, blk = 4096;
	_cleanup_free_ uint8_t *buf = malloc(chunk);
	uint64_t off = 0;

	if (!buf)
		return -ENOMEM;
	while (off < len) {
		off_t d = lseek(src, (off_t)off, SEEK_DATA);
		off_t hole;
		if (d < 0) {
			if (errno == ENXIO)
				break; /* only a hole remains */
			d = (off_t)off; /* no SEEK_DATA: copy everything */
		}
		off = (uint64_t)d;
		hole = lseek(src, d, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > len)
			hole = (off_t)len;
		while (off < (uint64_t)hole) {
			size_t n = (size_t)MIN((uint64_t)chunk, (uint64_t)hole - off);
			int r = uvm_pread_all(src, buf, n, off);
			if (r < 0)
				return r;
			for (size_t i = 0; i < n;) {
				size_t j = i, m;
				while (j < n && all_zero(buf + j, MIN(blk, n - j)))
					j += blk;
				i = j;
				while (j < n && !all_zero(buf + j, MIN(blk, n - j)))
					j += blk;
				m = MIN(j, n) - i;
				if (m) {
					r = uvm_pwrite_all(dst, buf + i, m,
							   dst_off + off + i);
					if (r < 0)
						return r;
				}
				i = MIN(j, n);
			}
			off += n;
		}
	}
	return 0;
}

/* ---- assembly ------------------------------------------------------------ */

/* The copy into p1 runs beside the tree computation (which reads the ext4
 * file itself): one is memory/I-O bound, the other hashing, so on two cores
 * the disk costs about as much as the tree alone. */
struct copy_job {
	int src, dst;
	uint64_t len, off;
	int r;
};

static void *copy_thread(void *arg)
{
	struct copy_job *j = arg;
	j->r = copy_sparse(j->src, j->len, j->dst, j->off);
	return NULL;
}

struct out_files {
	struct uvm_atomic_file img, hash;
};

static int fs_size(const char *path, int *ret_fd, uint64_t *ret_size,
		   struct uvm_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return uvm_errorf_errno(err, -errno, "%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return uvm_errorf(err, -EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size == 0 || st.st_size % 4096) {
		close(fd);
		return uvm_errorf(err, -EINVAL,
				  "%s: size %" PRIu64 " is not a positive "
				  "multiple of 4096", path, (uint64_t)st.st_size);
	}
	*ret_fd = fd;
	*ret_size = (uint64_t)st.st_size;
	return 0;
}

static int assemble(const char *ext4_path, enum uvm_disk_layout layout,
		    const uint8_t seed[32], const struct uvm_disk_opts *opts,
		    struct uvm_atomic_file *img, struct uvm_atomic_file *hash,
		    struct uvm_verity_params *ret_p,
		    struct uvm_disk_geometry *ret_g, struct uvm_error *err)
{
	_cleanup_close_ int src = -1;
	struct uvm_disk_geometry g = {};
	struct uvm_verity_params p;
	struct copy_job job = { .r = 0 };
	bool threaded = false;
	pthread_t th;
	uint64_t fs = 0, area;
	const char *hash_path;
	int r;

	r = fs_size(ext4_path, &src, &fs, err);
	if (r < 0)
		return r;
	uvm_verity_params_init(&p);
	r = uvm_verity_params_derive(&p, seed);
	if (r < 0)
		return uvm_errorf(err, r, "deriving verity salt");

	switch (layout) {
	case UVM_LAYOUT_KATA:
		r = uvm_disk_kata_geometry(fs, opts ? opts->align_mib : 0, &g, err);
		if (r < 0)
			return r;
		if (g.disk_bytes / SECTOR > UINT32_MAX)
			return uvm_errorf(err, -EFBIG, "a %" PRIu64 "-byte disk is "
					  "too large for an MBR (2 TiB); use "
					  "--layout gpt", g.disk_bytes);
		p.superblock = false;
		break;
	case UVM_LAYOUT_GPT:
		r = tree_bytes_for(fs, true, &area);
		if (r < 0)
			return uvm_errorf(err, r, "verity geometry");
		g.data_offset = GPT_FIRST_LBA * (uint64_t)SECTOR;
		g.data_bytes = fs;
		g.hash_offset = ALIGN_UP(g.data_offset + fs, MIB);
		g.hash_bytes = ALIGN_UP(area, MIB);
		/* 1 MiB at the end holds the backup table (33 sectors). */
		g.disk_bytes = g.hash_offset + g.hash_bytes + MIB;
		p.superblock = true;
		break;
	case UVM_LAYOUT_NONE:
		g.data_bytes = g.disk_bytes = fs;
		p.superblock = false;
		break;
	default:
		return uvm_errorf(err, -EINVAL, "unknown layout");
	}
	p.data_blocks = g.data_bytes / p.data_block_size;
	r = uvm_verity_hash_area_size(&p, &area);
	if (r < 0 || (layout != UVM_LAYOUT_NONE && area > g.hash_bytes))
		return uvm_errorf(err, r < 0 ? r : -ENOSPC,
				  "hash tree of %" PRIu64 " bytes does not fit "
				  "the %" PRIu64 "-byte hash partition", area,
				  g.hash_bytes);

	if (layout == UVM_LAYOUT_NONE && opts && opts->consume_input &&
	    rename(ext4_path, img->tmp_path) == 0) {
		/* The input becomes the output: no copy. */
		int fd = open(img->tmp_path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return uvm_errorf_errno(err, -errno, "%s", img->tmp_path);
		close(img->fd);
		img->fd = fd;
		if (fchmod(fd, 0644) < 0)
			return uvm_errorf_errno(err, -errno, "%s", img->tmp_path);
		ext4_path = img->tmp_path;
	} else {
		/* Fresh sparse file of the final size, data copied in. */
		if (ftruncate(img->fd, (off_t)g.disk_bytes) < 0)
			return uvm_errorf_errno(err, -errno, "%s", img->path);
		job = (struct copy_job){ .src = src, .dst = img->fd, .len = fs,
					 .off = g.data_offset };
		if (pthread_create(&th, NULL, copy_thread, &job) == 0)
			threaded = true;
		else
			copy_thread(&job);
	}

	/* The tree, from the ext4 file: libcryptsetup when the image fills p1,
	 * otherwise our writer with p1's zero padding. */
	if (layout == UVM_LAYOUT_NONE) {
		hash_path = hash->tmp_path;
		p.hash_offset = 0;
	} else {
		hash_path = img->tmp_path;
		p.hash_offset = g.hash_offset;
	}
	if (fs == g.data_bytes)
		r = uvm_verity_format(ext4_path, 0, hash_path, &p, err);
	else
		r = uvm_verity_format_padded(ext4_path, hash_path, &p, err);
	if (threaded)
		pthread_join(th, NULL);
	if (r < 0)
		return r;
	if (job.r < 0)
		return uvm_errorf_errno(err, job.r, "copying %s", ext4_path);
	if (layout != UVM_LAYOUT_NONE) {
		struct stat st;
		/* libcryptsetup must not have grown the disk. */
		if (fstat(img->fd, &st) < 0 || (uint64_t)st.st_size != g.disk_bytes)
			return uvm_errorf(err, -EIO, "%s: unexpected size after "
					  "the hash tree", img->path);
		p.hash_offset = 0; /* as the kernel sees the hash partition */
	}
	if (layout == UVM_LAYOUT_KATA)
		r = write_kata_mbr(img->fd, seed, &g);
	else if (layout == UVM_LAYOUT_GPT)
		r = write_gpt(img->fd, seed, &g, &p);
	if (r < 0)
		return uvm_errorf_errno(err, r, "writing the partition table");
	if (layout == UVM_LAYOUT_NONE)
		g.hash_bytes = area;
	*ret_p = p;
	if (ret_g)
		*ret_g = g;
	return 0;
}

int uvm_disk_write(const char *ext4_path, enum uvm_disk_layout layout,
		   const uint8_t seed[32], const struct uvm_disk_opts *opts,
		   const char *out_path, const char *hash_path,
		   struct uvm_verity_params *ret_params,
		   struct uvm_disk_geometry *ret_geo, struct uvm_error *err)
{
	_cleanup_(uvm_atomic_abort) struct uvm_atomic_file img = { .fd = -1 };
	_cleanup_(uvm_atomic_abort) struct uvm_atomic_file hash = { .fd = -1 };
	struct uvm_verity_params p;
	int r;

	if ((layout == UVM_LAYOUT_NONE) != (hash_path != NULL))
		return uvm_errorf(err, -EINVAL, "a separate hash file goes with "
				  "layout none only");
	r = uvm_atomic_open(&img, out_path, 0644, err);
	if (r < 0)
		return r;
	if (hash_path) {
		r = uvm_atomic_open(&hash, hash_path, 0644, err);
		if (r < 0)
			return r;
	}
	r = assemble(ext4_path, layout, seed, opts, &img, &hash, &p, ret_geo,
		     err);
	if (r < 0)
		return r;
	if (hash_path) {
		r = uvm_atomic_commit(&hash, err);
		if (r < 0)
			return r;
	}
	r = uvm_atomic_commit(&img, err);
	if (r < 0) {
		if (hash_path)
			unlink(hash_path);
		return r;
	}
	*ret_params = p;
	return 0;
}

/* ---- the output directory --------------------------------------------- */

json_t *uvm_disk_json(enum uvm_disk_layout layout, const uint8_t seed[32],
		      const struct uvm_verity_params *p,
		      const struct uvm_disk_geometry *g)
{
	_cleanup_json_ json_t *o = json_object();
	_cleanup_free_ char *cmd = NULL;
	json_t *v = uvm_verity_params_json(p);
	int r = 0;

	if (!o || !v) {
		json_decref(v);
		return NULL;
	}
	r |= json_object_set_new(o, "layout",
				 json_string(uvm_disk_layout_name(layout)));
	r |= json_object_set_new(o, "disk_size",
				 json_integer((json_int_t)g->disk_bytes));
	r |= json_object_set_new(o, "data",
				 json_pack("{s:I, s:I}", "offset",
					   (json_int_t)g->data_offset, "size",
					   (json_int_t)g->data_bytes));
	r |= json_object_set_new(o, "hash",
				 json_pack("{s:I, s:I}", "offset",
					   (json_int_t)g->hash_offset, "size",
					   (json_int_t)g->hash_bytes));
	if (layout == UVM_LAYOUT_GPT) {
		uint8_t d[16], h[16], disk[16];
		char s[37];
		(void)uvm_derive_uuid(seed, "gpt-disk-guid", disk);
		roothash_uuids(p, d, h);
		uvm_uuid_format(disk, s);
		r |= json_object_set_new(o, "disk_guid", json_string(s));
		uvm_uuid_format(d, s);
		r |= json_object_set_new(o, "data_partuuid", json_string(s));
		uvm_uuid_format(h, s);
		r |= json_object_set_new(o, "hash_partuuid", json_string(s));
	} else if (layout == UVM_LAYOUT_KATA) {
		uint8_t sig[4];
		char s[9];
		(void)uvm_derive(seed, "mbr-disk-signature", sig, 4);
		/* as blkid/sfdisk show it: the little-endian 32-bit value */
		snprintf(s, sizeof(s), "%02x%02x%02x%02x", sig[3], sig[2],
			 sig[1], sig[0]);
		r |= json_object_set_new(o, "disk_signature", json_string(s));
	}
	r |= json_object_set_new(o, "verity", v);
	if (layout == UVM_LAYOUT_NONE)
		r |= uvm_verity_dm_cmdline(p, "/dev/vda", "/dev/vdb", "ext4", &cmd) < 0;
	else
		r |= uvm_verity_kata_cmdline(p, &cmd) < 0;
	if (!r)
		r |= json_object_set_new(o, "cmdline", json_string(cmd));
	return r ? NULL : TAKE_PTR(o);
}

/* What Kata's runtime will read back must be what we built (the
 * stale-parameters "metadata block 0 is corrupted" boot failure, caught at
 * build time). */
static int self_check(enum uvm_disk_layout layout,
		      const struct uvm_verity_params *p,
		      const struct uvm_disk_geometry *g, const char *line,
		      const char *cmdline, bool full, const char *img_path,
		      const char *hash_path, struct uvm_error *err)
{
	struct uvm_kata_verity k;
	struct uvm_verity_params q;
	_cleanup_free_ char *again = NULL;
	int r;

	if (p->data_blocks * p->data_block_size != g->data_bytes)
		return uvm_errorf(err, -EINVAL, "self-check: %" PRIu64 " data "
				  "blocks do not cover the %" PRIu64 "-byte data "
				  "partition", p->data_blocks, g->data_bytes);
	r = uvm_kata_verity_parse(line, &k, err);
	if (r <= 0)
		return uvm_error_prefix(err, r < 0 ? r : -EINVAL,
					"self-check of root_hash.txt");
	r = uvm_kata_verity_to_params(&k, &q, err);
	uvm_kata_verity_done(&k);
	if (r < 0)
		return uvm_error_prefix(err, r, "self-check of root_hash.txt");
	if (q.data_blocks != p->data_blocks ||
	    q.data_block_size != p->data_block_size ||
	    q.hash_block_size != p->hash_block_size ||
	    q.salt_size != p->salt_size ||
	    memcmp(q.salt, p->salt, p->salt_size) ||
	    memcmp(q.root_hash, p->root_hash, p->root_hash_size))
		return uvm_errorf(err, -EIO, "self-check: root_hash.txt does "
				  "not parse back to the built parameters");
	q.superblock = p->superblock;
	r = layout == UVM_LAYOUT_NONE
		    ? uvm_verity_dm_cmdline(&q, "/dev/vda", "/dev/vdb", "ext4", &again)
		    : uvm_verity_kata_cmdline(&q, &again);
	if (r < 0 || strcmp(again, cmdline))
		return uvm_errorf(err, -EIO, "self-check: the command line "
				  "from root_hash.txt differs from cmdline.txt");
	if (full) {
		q = *p;
		q.hash_offset = layout == UVM_LAYOUT_NONE ? 0 : g->hash_offset;
		r = uvm_verity_verify(img_path, g->data_offset, hash_path, &q, err);
		if (r < 0)
			return uvm_error_prefix(err, r, "self-check");
	}
	return 0;
}

static char *path_join(const char *dir, const char *name)
{
	char *s;
	return asprintf(&s, "%s/%s", dir, name) < 0 ? NULL : s;
}

int uvm_disk_write_dir(const char *ext4_path, enum uvm_disk_layout layout,
		       const uint8_t seed[32], const struct uvm_disk_opts *opts,
		       const char *out_dir, struct uvm_verity_params *ret_params,
		       struct uvm_error *err)
{
	static const char *const names[4] = { "rootfs.verity", "root_hash.txt",
					      "cmdline.txt", "verity.json" };
	_cleanup_(uvm_atomic_abort) struct uvm_atomic_file img = { .fd = -1 };
	struct uvm_atomic_file f[4] = { { .fd = -1 }, { .fd = -1 }, { .fd = -1 },
					{ .fd = -1 } };
	char *final[5] = {};
	_cleanup_free_ char *line = NULL, *cmd = NULL, *json = NULL,
			    *img_path = NULL;
	_cleanup_json_ json_t *o = NULL;
	struct uvm_disk_geometry g;
	struct uvm_verity_params p;
	size_t committed = 0;
	int r;

	r = uvm_mkdir_p(out_dir, err);
	if (r < 0)
		return r;
	img_path = path_join(out_dir, "rootfs.img");
	for (int i = 0; i < 4; i++)
		final[i] = path_join(out_dir, names[i]);
	if (!img_path || !final[0] || !final[1] || !final[2] || !final[3]) {
		r = uvm_errorf(err, -ENOMEM, "out of memory");
		goto out;
	}
	r = uvm_atomic_open(&img, img_path, 0644, err);
	for (int i = 0; r >= 0 && i < 4; i++)
		if (i > 0 || layout == UVM_LAYOUT_NONE)
			r = uvm_atomic_open(&f[i], final[i], 0644, err);
	if (r < 0)
		goto out;
	r = assemble(ext4_path, layout, seed, opts, &img, &f[0], &p, &g, err);
	if (r < 0)
		goto out;

	o = uvm_disk_json(layout, seed, &p, &g);
	json = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (uvm_verity_kata_root_hash_line(&p, &line) < 0 || !json ||
	    !json_object_get(o, "cmdline")) {
		r = uvm_errorf(err, -ENOMEM, "rendering the verity parameters");
		goto out;
	}
	if (asprintf(&cmd, "%s\n",
		     json_string_value(json_object_get(o, "cmdline"))) < 0) {
		cmd = NULL;
		r = -ENOMEM;
		goto out;
	}
	r = self_check(layout, &p, &g, line,
		       json_string_value(json_object_get(o, "cmdline")),
		       opts && opts->verify, img.tmp_path,
		       layout == UVM_LAYOUT_NONE ? f[0].tmp_path : img.tmp_path,
		       err);
	if (r < 0)
		goto out;
	r = uvm_write_all(f[1].fd, line, strlen(line));
	if (r >= 0)
		r = uvm_write_all(f[2].fd, cmd, strlen(cmd));
	if (r >= 0)
		r = uvm_write_all(f[3].fd, json, strlen(json));
	if (r >= 0)
		r = uvm_write_all(f[3].fd, "\n", 1);
	if (r < 0) {
		r = uvm_errorf_errno(err, r, "writing into %s", out_dir);
		goto out;
	}

	/* Commit: everything or nothing under the final names. */
	for (int i = 0; i < 4; i++) {
		if (!f[i].tmp_path)
			continue;
		r = uvm_atomic_commit(&f[i], err);
		if (r < 0)
			goto out;
		committed |= 1u << i;
	}
	r = uvm_atomic_commit(&img, err);
	if (r < 0)
		goto out;
	*ret_params = p;
	r = 0;
out:
	for (int i = 0; i < 4; i++) {
		if (r < 0 && (committed & (1u << i)))
			unlink(final[i]);
		uvm_atomic_abort(&f[i]);
		free(final[i]);
	}
	return r;
}
