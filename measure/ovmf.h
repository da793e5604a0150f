/* ovmf.h — parsing the parts of an OVMF (or COCONUT-SVSM) image that the
 * SEV/SNP launch digest depends on: the GUIDed footer table that ends 32
 * bytes before the end of the image, and the SEV metadata ("ASEV") section
 * descriptors it points to (specs/snp-launch-digest.md §3, §4).
 *
 * Every offset and length read from the image is bounds-checked before use;
 * a malformed image is an error with a one-line message, never a crash. The
 * parser is the target of tests/fuzz/fuzz-ovmf.c.
 *
 * Ownership: struct uvm_ovmf borrows the image bytes (they must outlive it)
 * and owns its entry and section arrays; release them with uvm_ovmf_done().
 */
#ifndef UVM_MEASURE_OVMF_H
#define UVM_MEASURE_OVMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"

#define UVM_PAGE_SIZE 4096u

/* A GUID in its binary (EFI mixed-endian) form from the textual groups
 * aabbccdd-eeff-gghh-iijj-kkllmmnnoopp. */
#define UVM_GUID(a, b, c, d0, d1, e0, e1, e2, e3, e4, e5)                      \
	{ (a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff, ((a) >> 24) & 0xff, \
	  (b) & 0xff, ((b) >> 8) & 0xff, (c) & 0xff, ((c) >> 8) & 0xff, (d0),   \
	  (d1), (e0), (e1), (e2), (e3), (e4), (e5) }

/* Footer table entries the digest uses (§3). */
extern const uint8_t uvm_guid_ovmf_footer[16];	    /* 96b582de-... */
extern const uint8_t uvm_guid_sev_es_reset_block[16]; /* 00f771de-... */
extern const uint8_t uvm_guid_sev_metadata[16];	    /* dc886566-... */
extern const uint8_t uvm_guid_sev_hash_table_rv[16];  /* 7255371f-... */
extern const uint8_t uvm_guid_svsm_info[16];	    /* a789a612-... */

/* SEV metadata section types (edk2 OvmfSevMetadata.asm). */
enum uvm_ovmf_section_type {
	UVM_SECTION_SNP_SEC_MEM = 1,
	UVM_SECTION_SNP_SECRETS = 2,
	UVM_SECTION_CPUID = 3,
	UVM_SECTION_SVSM_CAA = 4,
	UVM_SECTION_SNP_KERNEL_HASHES = 0x10,
};

struct uvm_ovmf_entry {
	uint8_t guid[16];
	const uint8_t *data; /* points into the image */
	size_t len;	     /* data length (entry length - 18) */
	size_t offset;	     /* file offset of data */
};

struct uvm_ovmf_section {
	uint32_t gpa;
	uint32_t size;
	uint32_t type; /* not validated by the parser: see uvm_ovmf_section_name */
};

struct uvm_ovmf {
	const uint8_t *data; /* borrowed image */
	size_t len;
	struct uvm_ovmf_entry *entries; /* in table order, highest address first */
	size_t n_entries;
	bool has_metadata; /* a dc886566 entry was present */
	size_t metadata_offset; /* file offset of the ASEV header */
	struct uvm_ovmf_section *sections; /* in file order */
	size_t n_sections;
};

/* Parse the image data[0..len). Checks: non-empty, a multiple of 4096, at
 * least 50 bytes; footer table and every entry inside the table, entry
 * lengths >= 18, no GUID twice; the metadata offset, header and descriptors
 * inside the image, signature "ASEV", version 1, header size large enough
 * for its descriptor count. A missing footer GUID or metadata entry is not
 * an error (the table or section list is then empty). Returns 0, -EINVAL
 * (malformed, message on err) or -ENOMEM. On failure o is left empty. */
int uvm_ovmf_parse(struct uvm_ovmf *o, const uint8_t *data, size_t len,
		   struct uvm_error *err);

/* Release what uvm_ovmf_parse allocated; o may be zero-initialised. */
void uvm_ovmf_done(struct uvm_ovmf *o);

/* The entry with this GUID, or NULL. */
const struct uvm_ovmf_entry *uvm_ovmf_find(const struct uvm_ovmf *o,
					   const uint8_t guid[16]);

/* The u32 at the start of the SEV-ES reset block entry (the AP reset EIP).
 * -ENOENT with "Can't find SEV_ES_RESET_BLOCK_GUID entry in OVMF table",
 * -EINVAL if the entry is shorter than 4 bytes. */
int uvm_ovmf_reset_eip(const struct uvm_ovmf *o, uint32_t *ret,
		       struct uvm_error *err);

/* GPA and size of the SEV hashes table (7255371f entry). -ENOENT with
 * "Can't find SEV_HASH_TABLE_RV_GUID entry in OVMF table", -EINVAL if the
 * entry is shorter than 8 bytes. */
int uvm_ovmf_hashes_table(const struct uvm_ovmf *o, uint32_t *ret_gpa,
			  uint32_t *ret_size, struct uvm_error *err);

/* The u32 of the SVSM info entry (entry point offset from the image base).
 * -ENOENT / -EINVAL as above. */
int uvm_ovmf_svsm_entry(const struct uvm_ovmf *o, uint32_t *ret,
			struct uvm_error *err);

/* True if the image has a section of that type. */
bool uvm_ovmf_has_section(const struct uvm_ovmf *o, uint32_t type);

/* "SNP_SEC_MEM", ..., or NULL for an unknown type. */
const char *uvm_ovmf_section_name(uint32_t type);

/* Format a binary GUID as 36 lowercase characters + NUL. */
void uvm_guid_format(const uint8_t guid[16], char out[37]);

#endif
