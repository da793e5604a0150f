/* measure.h — one call that computes the launch digests `uvmkit measure`
 * reports: reads the firmware (and SVSM), hashes kernel/initrd/cmdline,
 * runs the chosen mode for every (vCPU count, vCPU signature) combination of
 * the request, reusing the shared prefix, and returns every intermediate
 * the CLI shows with --json.
 *
 * Modes (specs/snp-launch-digest.md §7): snp, snp:ovmf-hash, snp:svsm,
 * seves, sev. The request is assumed to have passed the CLI's usage checks
 * (e.g. a kernel when initrd is set); the library re-checks what would
 * otherwise give a wrong digest silently and reports -EINVAL.
 *
 * Ownership: the result owns its arrays; free with uvm_measure_result_done().
 */
#ifndef UVM_MEASURE_MEASURE_H
#define UVM_MEASURE_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"
#include "ovmf.h"
#include "sevhashes.h"
#include "snp.h"
#include "vmsa.h"

enum uvm_measure_mode {
	UVM_MODE_SNP = 0,
	UVM_MODE_SNP_OVMF_HASH,
	UVM_MODE_SNP_SVSM,
	UVM_MODE_SEVES,
	UVM_MODE_SEV,
};

/* CLI names "snp", "snp:ovmf-hash", "snp:svsm", "seves", "sev" -> mode or
 * -EINVAL (exact match, as the reference tool's argparse choices). */
int uvm_measure_mode_parse(const char *s);
const char *uvm_measure_mode_name(enum uvm_measure_mode m);
/* The reference tool's internal name used by -v: SEV, SEV_ES, SEV_SNP,
 * SEV_SNP_SVSM. */
const char *uvm_measure_mode_label(enum uvm_measure_mode m);

/* One vCPU signature of the matrix. */
struct uvm_measure_vcpu {
	const char *label; /* shown in matrix output: type name or "0x..." */
	uint32_t sig;
};

struct uvm_measure_request {
	enum uvm_measure_mode mode;
	const char *ovmf;    /* required */
	const char *kernel;  /* NULL: no measured direct boot */
	const char *initrd;  /* NULL: none (hashes as "") */
	const char *cmdline; /* NULL: none (hashes as a lone NUL) */
	const char *svsm;    /* snp:svsm */
	uint64_t vars_size;  /* snp:svsm */
	enum uvm_vmm_type vmm;
	uint64_t guest_features;
	const uint8_t *seed; /* --snp-ovmf-hash (48 bytes) or NULL */
	const unsigned *vcpus; /* vCPU counts (0 allowed: no VMSA) */
	size_t n_vcpus;
	const struct uvm_measure_vcpu *vcpu; /* at least one entry */
	size_t n_vcpu;
	bool file_digests;   /* also fill sha256/sha384 of every input file
			      * (costs a pass over each; kernel/initrd
			      * SHA-256 are always computed) */
	uvm_ld_trace_fn trace; /* optional, SNP modes only */
	void *userdata;
};

struct uvm_measure_file {
	bool present;
	uint64_t size;
	uint8_t sha256[32];
	uint8_t sha384[48];
};

struct uvm_measure_row {
	unsigned vcpus;
	size_t vcpu; /* index into request.vcpu */
	uint8_t digest[48];
};

struct uvm_measure_result {
	size_t digest_len; /* 48 (SNP) or 32 (SEV, SEV-ES) */
	struct uvm_measure_file ovmf, svsm, kernel, initrd;
	bool have_hashes;
	struct uvm_sev_hashes hashes;
	uint8_t hashes_table[UVM_SEV_HASHES_PADDED_LEN];
	bool have_prefix; /* SNP modes except snp:ovmf-hash */
	struct uvm_snp_prefix prefix;
	bool have_firmware_pages_digest;
	uint8_t firmware_pages_digest[48];
	uint32_t ap_eip;
	/* per request.vcpu entry: SHA-384 of the BSP and AP VMSA pages */
	uint8_t (*vmsa_bsp_sha384)[48];
	uint8_t (*vmsa_ap_sha384)[48];
	bool have_ap;
	/* one row per combination: for each vcpus entry, for each vcpu entry */
	struct uvm_measure_row *rows;
	size_t n_rows;
};

int uvm_measure(const struct uvm_measure_request *req, struct uvm_measure_result *res,
		struct uvm_error *err);
void uvm_measure_result_done(struct uvm_measure_result *res);

/* The VMSA page of vCPU i (0 = BSP) for request.vcpu[vcpu] as measured
 * (for --dump-vmsa). Only valid after a successful uvm_measure() in a mode
 * with VMSAs (snp, snp:svsm, seves). */
void uvm_measure_vmsa_page(const struct uvm_measure_request *req,
			   const struct uvm_measure_result *res, size_t vcpu,
			   unsigned i, uint8_t page[UVM_VMSA_SIZE]);

#endif
