/* sev.h — the SEV and SEV-ES launch digests (SHA-256), kept for
 * completeness and drop-in compatibility (specs/snp-launch-digest.md §7.2).
 *
 * SEV:    SHA-256(firmware [|| padded hashes table if a kernel is given])
 * SEV-ES: the same stream, followed by one VMSA page per vCPU (§6 state,
 *         SEV_FEATURES 0).
 */
#ifndef UVM_MEASURE_SEV_H
#define UVM_MEASURE_SEV_H

#include <stdint.h>

#include "../common/error.h"
#include "ovmf.h"
#include "sevhashes.h"
#include "vmsa.h"

#define UVM_SEV_DIGEST_LEN 32u

/* SEV digest. With hashes (a kernel), the image needs a hashes table entry
 * with a non-zero GPA, else -EINVAL "Kernel specified but OVMF doesn't
 * support kernel/initrd/cmdline measurement". */
int uvm_sev_digest(const struct uvm_ovmf *o, const struct uvm_sev_hashes *h,
		   uint8_t out[UVM_SEV_DIGEST_LEN], struct uvm_error *err);

/* SEV-ES digests for 1..max_vcpus vCPUs: out[i] gets the digest with i+1
 * VMSAs. Needs the reset block entry. */
int uvm_seves_digests(const struct uvm_ovmf *o, const struct uvm_sev_hashes *h,
		      enum uvm_vmm_type vmm, uint32_t sig, unsigned max_vcpus,
		      uint8_t (*out)[UVM_SEV_DIGEST_LEN], struct uvm_error *err);

/* The SEV-ES VMSA page of vCPU i (0 = BSP). */
void uvm_seves_vmsa_page(enum uvm_vmm_type vmm, uint32_t ap_eip, uint32_t sig,
			 unsigned i, uint8_t page[UVM_VMSA_SIZE]);

#endif
