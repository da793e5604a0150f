/* vmsa.h — the initial register state (VMSA page) the SEV-ES/SNP firmware
 * measures for each vCPU, and the vCPU signature (CPUID 1 EAX) tables
 * (specs/snp-launch-digest.md §6, §7.1).
 *
 * A VMSA is the 4096-byte SEV-ES save area, all zero except the fields the
 * spec lists. The builder writes only those fields at their fixed offsets;
 * no C struct layout is involved, so padding can never move a field.
 */
#ifndef UVM_MEASURE_VMSA_H
#define UVM_MEASURE_VMSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UVM_VMSA_SIZE 4096u
/* GPA every VMSA page is measured at: (u64)-1, page bits clear, 48 bits. */
#define UVM_VMSA_GPA 0x0000FFFFFFFFF000ull
/* The architectural reset vector, the BSP's EIP. */
#define UVM_BSP_EIP 0xFFFFFFF0u

enum uvm_vmm_type {
	UVM_VMM_QEMU = 0,
	UVM_VMM_EC2,
	UVM_VMM_GCE,
};

/* "QEMU", "ec2", "gce" (case-sensitive, as the reference tool) -> type, or
 * -EINVAL. */
int uvm_vmm_type_parse(const char *s);
const char *uvm_vmm_type_name(enum uvm_vmm_type t);

struct uvm_vmsa_params {
	enum uvm_vmm_type vmm;
	uint32_t eip;		 /* BSP: UVM_BSP_EIP; AP: the reset block EIP */
	uint32_t vcpu_sig;	 /* RDX for QEMU; ec2/gce use 0x600 */
	uint64_t sev_features;	 /* SEV_FEATURES (0 for SEV-ES) */
};

/* Fill page[0..4096) with the real-mode reset state of §6. */
void uvm_vmsa_build(uint8_t page[UVM_VMSA_SIZE], const struct uvm_vmsa_params *p);

/* Fill page with the COCONUT-SVSM entry state of §7.1 (64-bit, flat
 * segments, RIP = eip, SEV_FEATURES fixed at 0x1, x87 FCW 0). */
void uvm_vmsa_build_svsm(uint8_t page[UVM_VMSA_SIZE], uint64_t eip, uint32_t vcpu_sig);

/* CPUID signature from family/model/stepping (§6.3). */
uint32_t uvm_cpu_sig(unsigned family, unsigned model, unsigned stepping);

struct uvm_vcpu_type {
	const char *name;
	uint32_t sig;
};
/* The --vcpu-type table of the reference tool, in its order. */
extern const struct uvm_vcpu_type uvm_vcpu_types[];
extern const size_t uvm_n_vcpu_types;

/* Look a type name up (exact, case-sensitive). NULL if unknown. */
const struct uvm_vcpu_type *uvm_vcpu_type_find(const char *name);

#endif
