/* vmsa.c — VMSA pages and vCPU signatures (see vmsa.h). Field offsets are
 * those of the SEV-ES save area (AMD APM vol. 2, table B-4; Linux struct
 * sev_es_save_area); the per-VMM values are the table of spec §6.1/§6.2. */
#include "vmsa.h"

#include <errno.h>
#include <string.h>

/* Save-area offsets. */
enum {
	OFF_ES = 0x000, OFF_CS = 0x010, OFF_SS = 0x020, OFF_DS = 0x030,
	OFF_FS = 0x040, OFF_GS = 0x050, OFF_GDTR = 0x060, OFF_LDTR = 0x070,
	OFF_IDTR = 0x080, OFF_TR = 0x090,
	OFF_EFER = 0x0d0, OFF_CR4 = 0x148, OFF_CR0 = 0x158, OFF_DR7 = 0x160,
	OFF_DR6 = 0x168, OFF_RFLAGS = 0x170, OFF_RIP = 0x178, OFF_G_PAT = 0x268,
	OFF_RDX = 0x310, OFF_SEV_FEATURES = 0x3b0, OFF_XCR0 = 0x3e8,
	OFF_MXCSR = 0x408, OFF_X87_FCW = 0x410,
};

static void put(uint8_t *page, size_t off, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		page[off + i] = (uint8_t)(v >> (8 * i));
}

static void seg(uint8_t *page, size_t off, uint16_t sel, uint16_t attrib,
		uint32_t limit, uint64_t base)
{
	put(page, off, sel, 2);
	put(page, off + 2, attrib, 2);
	put(page, off + 4, limit, 4);
	put(page, off + 8, base, 8);
}

int uvm_vmm_type_parse(const char *s)
{
	if (strcmp(s, "QEMU") == 0)
		return UVM_VMM_QEMU;
	if (strcmp(s, "ec2") == 0)
		return UVM_VMM_EC2;
	if (strcmp(s, "gce") == 0)
		return UVM_VMM_GCE;
	return -EINVAL;
}

const char *uvm_vmm_type_name(enum uvm_vmm_type t)
{
	return t == UVM_VMM_EC2 ? "ec2" : t == UVM_VMM_GCE ? "gce" : "QEMU";
}

void uvm_vmsa_build(uint8_t page[UVM_VMSA_SIZE], const struct uvm_vmsa_params *p)
{
	bool ec2 = p->vmm == UVM_VMM_EC2, gce = p->vmm == UVM_VMM_GCE;
	/* EC2 marks the BSP's code segment as not accessed; it tests the EIP,
	 * so an AP whose reset EIP is the reset vector gets the same. */
	uint16_t cs_attr = ec2 && p->eip == UVM_BSP_EIP ? 0x9a : 0x9b;

	memset(page, 0, UVM_VMSA_SIZE);
	seg(page, OFF_ES, 0, 0x93, 0xffff, 0);
	seg(page, OFF_CS, 0xf000, cs_attr, 0xffff, p->eip & 0xffff0000u);
	seg(page, OFF_SS, 0, ec2 ? 0x92 : 0x93, 0xffff, 0);
	seg(page, OFF_DS, 0, 0x93, 0xffff, 0);
	seg(page, OFF_FS, 0, 0x93, 0xffff, 0);
	seg(page, OFF_GS, 0, 0x93, 0xffff, 0);
	seg(page, OFF_GDTR, 0, 0, 0xffff, 0);
	seg(page, OFF_LDTR, 0, 0x82, 0xffff, 0);
	seg(page, OFF_IDTR, 0, 0, 0xffff, 0);
	seg(page, OFF_TR, 0, ec2 ? 0x83 : 0x8b, 0xffff, 0);
	put(page, OFF_EFER, 0x1000, 8);
	put(page, OFF_CR4, 0x40, 8);
	put(page, OFF_CR0, 0x10, 8);
	put(page, OFF_DR7, 0x400, 8);
	put(page, OFF_DR6, 0xffff0ff0, 8);
	put(page, OFF_RFLAGS, 0x2, 8);
	put(page, OFF_RIP, p->eip & 0xffff, 8);
	put(page, OFF_G_PAT, gce ? 0x0000000000070106ull : 0x0007040600070406ull, 8);
	put(page, OFF_RDX, p->vmm == UVM_VMM_QEMU ? p->vcpu_sig : 0x600, 8);
	put(page, OFF_SEV_FEATURES, p->sev_features, 8);
	put(page, OFF_XCR0, 0x1, 8);
	put(page, OFF_MXCSR, p->vmm == UVM_VMM_QEMU ? 0x1f80 : 0, 4);
	put(page, OFF_X87_FCW, p->vmm == UVM_VMM_QEMU ? 0x037f : 0, 2);
}

void uvm_vmsa_build_svsm(uint8_t page[UVM_VMSA_SIZE], uint64_t eip, uint32_t vcpu_sig)
{
	memset(page, 0, UVM_VMSA_SIZE);
	seg(page, OFF_ES, 0x10, 0xc93, 0xffffffff, 0);
	seg(page, OFF_CS, 0x08, 0xc9b, 0xffffffff, 0);
	seg(page, OFF_SS, 0x10, 0xc93, 0xffffffff, 0);
	seg(page, OFF_DS, 0x10, 0xc93, 0xffffffff, 0);
	seg(page, OFF_FS, 0x10, 0xc93, 0xffffffff, 0);
	seg(page, OFF_GS, 0, 0x93, 0xffff, 0);
	seg(page, OFF_GDTR, 0, 0, 0xffff, 0);
	seg(page, OFF_LDTR, 0, 0x82, 0xffff, 0);
	seg(page, OFF_IDTR, 0, 0, 0xffff, 0);
	seg(page, OFF_TR, 0, 0x8b, 0xffff, 0);
	put(page, OFF_EFER, 0x1000, 8);
	put(page, OFF_CR4, 0x40, 8);
	put(page, OFF_CR0, 0x11, 8);
	put(page, OFF_DR7, 0x400, 8);
	put(page, OFF_DR6, 0xffff0ff0, 8);
	put(page, OFF_RFLAGS, 0x2, 8);
	put(page, OFF_RIP, eip, 8);
	put(page, OFF_G_PAT, 0x0007040600070406ull, 8);
	put(page, OFF_RDX, vcpu_sig, 8);
	put(page, OFF_SEV_FEATURES, 0x1, 8);
	put(page, OFF_XCR0, 0x1, 8);
	put(page, OFF_MXCSR, 0x1f80, 4);
	/* x87 FCW stays 0: the reference tool drops it for SVSM (§7.1). */
}

uint32_t uvm_cpu_sig(unsigned family, unsigned model, unsigned stepping)
{
	uint32_t base_family, ext_family;
	if (family > 0xf) {
		base_family = 0xf;
		ext_family = (family - 0xf) & 0xff;
	} else {
		base_family = family;
		ext_family = 0;
	}
	uint32_t base_model = model & 0xf, ext_model = (model >> 4) & 0xf;
	return ext_family << 20 | ext_model << 16 | base_family << 8 |
	       base_model << 4 | (stepping & 0xf);
}

const struct uvm_vcpu_type uvm_vcpu_types[] = {
	{ "EPYC", 0x00800f12 },		{ "EPYC-v1", 0x00800f12 },
	{ "EPYC-v2", 0x00800f12 },	{ "EPYC-IBPB", 0x00800f12 },
	{ "EPYC-v3", 0x00800f12 },	{ "EPYC-v4", 0x00800f12 },
	{ "EPYC-Rome", 0x00830f10 },	{ "EPYC-Rome-v1", 0x00830f10 },
	{ "EPYC-Rome-v2", 0x00830f10 }, { "EPYC-Rome-v3", 0x00830f10 },
	{ "EPYC-Milan", 0x00a00f11 },	{ "EPYC-Milan-v1", 0x00a00f11 },
	{ "EPYC-Milan-v2", 0x00a00f11 }, { "EPYC-Genoa", 0x00a10f10 },
	{ "EPYC-Genoa-v1", 0x00a10f10 }, { "EPYC-Turin", 0x00b00f00 },
};
const size_t uvm_n_vcpu_types = sizeof(uvm_vcpu_types) / sizeof(uvm_vcpu_types[0]);

const struct uvm_vcpu_type *uvm_vcpu_type_find(const char *name)
{
	for (size_t i = 0; i < uvm_n_vcpu_types; i++)
		if (strcmp(uvm_vcpu_types[i].name, name) == 0)
			return &uvm_vcpu_types[i];
	return NULL;
}
