/* ovmf.c — footer GUID table and SEV metadata parser (see ovmf.h).
 *
 * The footer table is walked from its end downwards, the way QEMU and the
 * reference tool do: each entry is data || u16 length || GUID, the 18-byte
 * header at the entry's end. Unlike the reference tool, a length that runs
 * past the table and a GUID present twice are errors: the reference tool
 * would keep the lowest copy, QEMU the highest, so such an image has no
 * single meaning.
 */
#include "ovmf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const uint8_t uvm_guid_ovmf_footer[16] =
	UVM_GUID(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d);
const uint8_t uvm_guid_sev_es_reset_block[16] =
	UVM_GUID(0x00f771de, 0x1a7e, 0x4fcb, 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e);
const uint8_t uvm_guid_sev_metadata[16] =
	UVM_GUID(0xdc886566, 0x984a, 0x4798, 0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc);
const uint8_t uvm_guid_sev_hash_table_rv[16] =
	UVM_GUID(0x7255371f, 0x3a3b, 0x4b04, 0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54);
const uint8_t uvm_guid_svsm_info[16] =
	UVM_GUID(0xa789a612, 0x0597, 0x4c4b, 0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd);

/* Bytes from the end of the image to the footer entry's length field:
 * 32 bytes of reset-vector code, then GUID (16) and u16 length (2). */
#define FOOTER_FROM_END 50u
#define ENTRY_HDR 18u
#define METADATA_HDR 16u
#define DESCRIPTOR_SIZE 12u

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

void uvm_guid_format(const uint8_t g[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
		 g[10], g[11], g[12], g[13], g[14], g[15]);
}

void uvm_ovmf_done(struct uvm_ovmf *o)
{
	free(o->entries);
	free(o->sections);
	*o = (struct uvm_ovmf){ 0 };
}

const struct uvm_ovmf_entry *uvm_ovmf_find(const struct uvm_ovmf *o,
					   const uint8_t guid[16])
{
	for (size_t i = 0; i < o->n_entries; i++)
		if (memcmp(o->entries[i].guid, guid, 16) == 0)
			return &o->entries[i];
	return NULL;
}

static int parse_table(struct uvm_ovmf *o, struct uvm_error *err)
{
	const uint8_t *d = o->data;
	size_t len = o->len;
	size_t hdr = len - FOOTER_FROM_END;

	if (memcmp(d + hdr + 2, uvm_guid_ovmf_footer, 16) != 0)
		return 0; /* no table: not an error by itself */
	size_t total = get_u16(d + hdr);
	if (total < ENTRY_HDR)
		return 0;
	size_t area_len = total - ENTRY_HDR;
	if (area_len > hdr)
		return uvm_errorf(err, -EINVAL,
				  "OVMF footer table length %zu runs past the start of the image",
				  total);
	const uint8_t *area = d + hdr - area_len;

	/* At most area_len / 18 entries. */
	size_t max = area_len / ENTRY_HDR;
	if (max) {
		o->entries = calloc(max, sizeof(*o->entries));
		if (!o->entries)
			return -ENOMEM;
	}
	size_t end = area_len;
	while (end >= ENTRY_HDR) {
		const uint8_t *h = area + end - ENTRY_HDR;
		size_t elen = get_u16(h);
		char g[37];
		uvm_guid_format(h + 2, g);
		if (elen < ENTRY_HDR)
			return uvm_errorf(err, -EINVAL,
					  "Invalid entry size %zu of OVMF footer table entry %s (minimum 18)",
					  elen, g);
		if (elen > end)
			return uvm_errorf(err, -EINVAL,
					  "OVMF footer table entry %s: length %zu runs past the table",
					  g, elen);
		if (uvm_ovmf_find(o, h + 2))
			return uvm_errorf(err, -EINVAL,
					  "OVMF footer table has entry %s twice (ambiguous: QEMU uses the higher, sev-snp-measure the lower copy)",
					  g);
		struct uvm_ovmf_entry *e = &o->entries[o->n_entries++];
		memcpy(e->guid, h + 2, 16);
		e->len = elen - ENTRY_HDR;
		e->data = area + end - elen;
		e->offset = (size_t)(e->data - d);
		end -= elen;
	}
	return 0;
}

static int parse_metadata(struct uvm_ovmf *o, struct uvm_error *err)
{
	const struct uvm_ovmf_entry *e = uvm_ovmf_find(o, uvm_guid_sev_metadata);
	if (!e)
		return 0; /* no sections: the image measures pages and VMSAs only */
	if (e->len < 4)
		return uvm_errorf(err, -EINVAL,
				  "SEV metadata offset entry has %zu data bytes, expected 4",
				  e->len);
	uint32_t from_end = get_u32(e->data);
	if (from_end > o->len || o->len - from_end > o->len - METADATA_HDR)
		return uvm_errorf(err, -EINVAL,
				  "SEV metadata offset 0x%x (from the end) puts the header outside the %zu-byte image",
				  from_end, o->len);
	size_t h = o->len - from_end;
	const uint8_t *p = o->data + h;
	if (memcmp(p, "ASEV", 4) != 0)
		return uvm_errorf(err, -EINVAL, "Wrong SEV metadata signature at offset 0x%zx", h);
	uint32_t size = get_u32(p + 4), version = get_u32(p + 8), n = get_u32(p + 12);
	if (version != 1)
		return uvm_errorf(err, -EINVAL, "Wrong SEV metadata version %u (expected 1)",
				  version);
	uint64_t need = METADATA_HDR + (uint64_t)DESCRIPTOR_SIZE * n;
	if (size < need)
		return uvm_errorf(err, -EINVAL,
				  "SEV metadata header size %u is too small for its %u sections (needs %llu)",
				  size, n, (unsigned long long)need);
	if (need > o->len - h)
		return uvm_errorf(err, -EINVAL,
				  "SEV metadata: %u section descriptors run past the end of the image",
				  n);
	o->has_metadata = true;
	o->metadata_offset = h;
	if (n) {
		o->sections = calloc(n, sizeof(*o->sections));
		if (!o->sections)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *q = p + METADATA_HDR + (size_t)i * DESCRIPTOR_SIZE;
		o->sections[i] = (struct uvm_ovmf_section){
			.gpa = get_u32(q), .size = get_u32(q + 4), .type = get_u32(q + 8)
		};
	}
	o->n_sections = n;
	return 0;
}

int uvm_ovmf_parse(struct uvm_ovmf *o, const uint8_t *data, size_t len,
		   struct uvm_error *err)
{
	*o = (struct uvm_ovmf){ .data = data, .len = len };
	if (len == 0)
		return uvm_errorf(err, -EINVAL, "firmware image is empty");
	if (len < FOOTER_FROM_END)
		return uvm_errorf(err, -EINVAL,
				  "firmware image is %zu bytes, too short for an OVMF footer (minimum 50)",
				  len);
	if (len % UVM_PAGE_SIZE)
		return uvm_errorf(err, -EINVAL,
				  "firmware image size %zu is not a multiple of 4096", len);
	int r = parse_table(o, err);
	if (r >= 0)
		r = parse_metadata(o, err);
	if (r < 0) {
		if (r == -ENOMEM)
			uvm_errorf(err, r, "out of memory");
		uvm_ovmf_done(o);
		return r;
	}
	return 0;
}

static int entry_u32(const struct uvm_ovmf *o, const uint8_t guid[16],
		     const char *name, size_t need, const struct uvm_ovmf_entry **ret,
		     struct uvm_error *err)
{
	const struct uvm_ovmf_entry *e = uvm_ovmf_find(o, guid);
	if (!e)
		return uvm_errorf(err, -ENOENT, "Can't find %s entry in OVMF table", name);
	if (e->len < need)
		return uvm_errorf(err, -EINVAL, "%s entry has %zu data bytes, expected %zu",
				  name, e->len, need);
	*ret = e;
	return 0;
}

int uvm_ovmf_reset_eip(const struct uvm_ovmf *o, uint32_t *ret, struct uvm_error *err)
{
	const struct uvm_ovmf_entry *e;
	int r = entry_u32(o, uvm_guid_sev_es_reset_block, "SEV_ES_RESET_BLOCK_GUID", 4, &e, err);
	if (r < 0)
		return r;
	*ret = get_u32(e->data);
	return 0;
}

int uvm_ovmf_hashes_table(const struct uvm_ovmf *o, uint32_t *ret_gpa,
			  uint32_t *ret_size, struct uvm_error *err)
{
	const struct uvm_ovmf_entry *e;
	int r = entry_u32(o, uvm_guid_sev_hash_table_rv, "SEV_HASH_TABLE_RV_GUID", 8, &e, err);
	if (r < 0)
		return r;
	*ret_gpa = get_u32(e->data);
	*ret_size = get_u32(e->data + 4);
	return 0;
}

int uvm_ovmf_svsm_entry(const struct uvm_ovmf *o, uint32_t *ret, struct uvm_error *err)
{
	const struct uvm_ovmf_entry *e;
	int r = entry_u32(o, uvm_guid_svsm_info, "SVSM_INFO_GUID", 4, &e, err);
	if (r < 0)
		return r;
	*ret = get_u32(e->data);
	return 0;
}

bool uvm_ovmf_has_section(const struct uvm_ovmf *o, uint32_t type)
{
	for (size_t i = 0; i < o->n_sections; i++)
		if (o->sections[i].type == type)
			return true;
	return false;
}

const char *uvm_ovmf_section_name(uint32_t type)
{
	switch (type) {
	case UVM_SECTION_SNP_SEC_MEM: return "SNP_SEC_MEM";
	case UVM_SECTION_SNP_SECRETS: return "SNP_SECRETS";
	case UVM_SECTION_CPUID: return "CPUID";
	case UVM_SECTION_SVSM_CAA: return "SVSM_CAA";
	case UVM_SECTION_SNP_KERNEL_HASHES: return "SNP_KERNEL_HASHES";
	default: return NULL;
	}
}
