/* snp.h — the SEV-SNP launch digest: the PAGE_INFO chain the AMD-SP extends
 * for every 4 KiB page at SNP_LAUNCH_UPDATE, and the order in which an OVMF
 * guest's pages are measured (specs/snp-launch-digest.md §1, §2, §5, §7.1).
 *
 * The computation is split so a matrix of vCPU counts and CPU types reuses
 * work: uvm_snp_prefix() measures the firmware pages (or takes a seed) and
 * the metadata sections once; uvm_snp_vmsa_chain() then extends that prefix
 * with one BSP and up to N-1 AP VMSAs, yielding the digest for every vCPU
 * count 1..N in one pass.
 *
 * Tracing: a struct uvm_ld may carry a callback that sees every PAGE_INFO
 * update (GPA, page type, CONTENTS, resulting LD and a description); the
 * library never prints, the CLI's --explain does.
 */
#ifndef UVM_MEASURE_SNP_H
#define UVM_MEASURE_SNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"
#include "ovmf.h"
#include "sevhashes.h"
#include "vmsa.h"

#define UVM_LD_LEN 48u

enum uvm_page_type {
	UVM_PAGE_NORMAL = 1,
	UVM_PAGE_VMSA = 2,
	UVM_PAGE_ZERO = 3,
	UVM_PAGE_UNMEASURED = 4,
	UVM_PAGE_SECRETS = 5,
	UVM_PAGE_CPUID = 6,
};

/* "NORMAL", "VMSA", ... */
const char *uvm_page_type_name(unsigned type);

/* One PAGE_INFO update, as seen by a trace callback. Pointers are valid
 * only during the call. */
struct uvm_ld_step {
	uint64_t gpa;
	unsigned type;
	const uint8_t *contents; /* 48 bytes */
	const uint8_t *ld;	 /* 48 bytes: the digest after this update */
	const char *what;	 /* e.g. "firmware offset 0x1000" */
};
typedef void (*uvm_ld_trace_fn)(void *userdata, const struct uvm_ld_step *step);

/* A running launch digest. Owns an OpenSSL digest context. */
struct uvm_ld {
	uint8_t digest[UVM_LD_LEN];
	void *md_ctx;	/* EVP_MD_CTX */
	void *md;	/* EVP_MD (SHA-384), fetched once */
	uvm_ld_trace_fn trace;
	void *userdata;
	char what[96];	/* description of the pages being added */
};

/* Start at 48 zero bytes (or at seed if non-NULL). 0 or -ENOMEM/-EIO. */
int uvm_ld_init(struct uvm_ld *ld, const uint8_t *seed, uvm_ld_trace_fn trace,
		void *userdata);
void uvm_ld_done(struct uvm_ld *ld);

/* LD = SHA-384(PAGE_INFO(LD, contents, type, gpa)). */
int uvm_ld_update(struct uvm_ld *ld, unsigned type, uint64_t gpa,
		  const uint8_t contents[UVM_LD_LEN]);
/* A NORMAL (or VMSA, with type) page: CONTENTS = SHA-384(page). */
int uvm_ld_update_page(struct uvm_ld *ld, unsigned type, uint64_t gpa,
		       const uint8_t page[UVM_PAGE_SIZE]);
/* NORMAL pages for data[0..len) (len a multiple of 4096) from gpa on. */
int uvm_ld_update_data(struct uvm_ld *ld, uint64_t gpa, const uint8_t *data,
		       size_t len);
/* size/4096 pages of a content-less type (ZERO, UNMEASURED, ...). */
int uvm_ld_update_empty(struct uvm_ld *ld, unsigned type, uint64_t gpa,
			uint64_t size);

struct uvm_snp_config {
	enum uvm_vmm_type vmm;
	uint64_t guest_features;
	const struct uvm_sev_hashes *hashes; /* NULL: no kernel given */
	const uint8_t *seed;		     /* --snp-ovmf-hash, or NULL */
	uvm_ld_trace_fn trace;
	void *userdata;
};

/* What every vCPU count and type shares. */
struct uvm_snp_prefix {
	bool firmware_measured;	/* false when seeded */
	uint8_t firmware_pages_digest[UVM_LD_LEN]; /* LD after the pages (or seed) */
	uint8_t ld[UVM_LD_LEN];	/* LD after the metadata sections */
	uint32_t ap_eip;	/* SEV-ES reset block EIP */
	bool svsm;		/* SVSM layout: all VMSAs alike, EIP = svsm_eip */
	uint64_t svsm_eip;
	bool hashes_measured;	/* the kernel hashes page was measured */
	uint64_t hashes_page_gpa;
	uint32_t hashes_table_offset;
};

/* The firmware-pages digest alone (`--mode snp:ovmf-hash`): every page of
 * the image, NORMAL, the image ending at 4 GiB. */
int uvm_snp_ovmf_hash(const struct uvm_ovmf *o, uvm_ld_trace_fn trace,
		      void *userdata, uint8_t out[UVM_LD_LEN], struct uvm_error *err);

/* Seed or firmware pages, then the metadata sections under the VMM's rules
 * (§5), then the reset block lookup. Errors: unknown section type, bad
 * section size, kernel without SNP_KERNEL_HASHES section, missing hashes
 * table entry, table crossing its page, missing reset block. */
int uvm_snp_prefix(const struct uvm_ovmf *o, const struct uvm_snp_config *cfg,
		   struct uvm_snp_prefix *ret, struct uvm_error *err);

/* `--mode snp:svsm`: OVMF pages, SVSM pages (ending vars_size below the
 * OVMF base), the SVSM image's sections (QEMU rules, no kernel). */
int uvm_snp_svsm_prefix(const struct uvm_ovmf *ovmf, const struct uvm_ovmf *svsm,
			uint64_t vars_size, uvm_ld_trace_fn trace, void *userdata,
			struct uvm_snp_prefix *ret, struct uvm_error *err);

/* Extend the prefix with VMSAs for vCPU signature sig: out[i] receives the
 * digest for i+1 vCPUs, i < max_vcpus. bsp_sha384/ap_sha384 (may be NULL)
 * receive the VMSA pages' SHA-384. Error if the AP reset EIP is 0 and
 * max_vcpus > 1. */
int uvm_snp_vmsa_chain(const struct uvm_snp_prefix *p, const struct uvm_snp_config *cfg,
		       uint32_t sig, unsigned max_vcpus, uint8_t (*out)[UVM_LD_LEN],
		       uint8_t bsp_sha384[UVM_LD_LEN], uint8_t ap_sha384[UVM_LD_LEN],
		       struct uvm_error *err);

/* The VMSA page of vCPU index i (0 = BSP) as measured after this prefix. */
void uvm_snp_vmsa_page(const struct uvm_snp_prefix *p, const struct uvm_snp_config *cfg,
		       uint32_t sig, unsigned i, uint8_t page[UVM_VMSA_SIZE]);

#endif
