/* snp.c — PAGE_INFO chain and SNP measurement order (see snp.h).
 *
 * PAGE_INFO (SEV-SNP firmware ABI, SNP_LAUNCH_UPDATE), 0x70 bytes:
 *   0x00 DIGEST_CUR(48) 0x30 CONTENTS(48) 0x60 LENGTH u16 = 0x70
 *   0x62 PAGE_TYPE 0x63 IMI_PAGE 0x64..0x66 VMPL3..1 perms 0x67 reserved
 *   0x68 GPA u64
 */
#include "snp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#define PAGE_INFO_LEN 0x70u
#define FOUR_GIB 0x100000000ull

static const uint8_t zero48[UVM_LD_LEN];

const char *uvm_page_type_name(unsigned type)
{
	static const char *const names[] = { "?", "NORMAL", "VMSA", "ZERO",
					     "UNMEASURED", "SECRETS", "CPUID" };
	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

int uvm_ld_init(struct uvm_ld *ld, const uint8_t *seed, uvm_ld_trace_fn trace,
		void *userdata)
{
	*ld = (struct uvm_ld){ .trace = trace, .userdata = userdata };
	memcpy(ld->digest, seed ? seed : zero48, UVM_LD_LEN);
	ld->md = EVP_MD_fetch(NULL, "SHA384", NULL);
	ld->md_ctx = EVP_MD_CTX_new();
	if (!ld->md || !ld->md_ctx) {
		uvm_ld_done(ld);
		return -ENOMEM;
	}
	return 0;
}

void uvm_ld_done(struct uvm_ld *ld)
{
	EVP_MD_CTX_free(ld->md_ctx);
	EVP_MD_free(ld->md);
	ld->md_ctx = NULL;
	ld->md = NULL;
}

static int sha384(struct uvm_ld *ld, const void *buf, size_t len, uint8_t out[48])
{
	unsigned n;
	if (EVP_DigestInit_ex2(ld->md_ctx, ld->md, NULL) != 1 ||
	    EVP_DigestUpdate(ld->md_ctx, buf, len) != 1 ||
	    EVP_DigestFinal_ex(ld->md_ctx, out, &n) != 1)
		return -EIO;
	return 0;
}

int uvm_ld_update(struct uvm_ld *ld, unsigned type, uint64_t gpa,
		  const uint8_t contents[UVM_LD_LEN])
{
	uint8_t info[PAGE_INFO_LEN] = { 0 };
	memcpy(info, ld->digest, UVM_LD_LEN);
	memcpy(info + 0x30, contents, UVM_LD_LEN);
	info[0x60] = PAGE_INFO_LEN;
	info[0x62] = (uint8_t)type;
	for (int i = 0; i < 8; i++)
		info[0x68 + i] = (uint8_t)(gpa >> (8 * i));
	int r = sha384(ld, info, sizeof(info), ld->digest);
	if (r < 0)
		return r;
	if (ld->trace)
		ld->trace(ld->userdata, &(struct uvm_ld_step){
			.gpa = gpa, .type = type, .contents = contents,
			.ld = ld->digest, .what = ld->what });
	return 0;
}

int uvm_ld_update_page(struct uvm_ld *ld, unsigned type, uint64_t gpa,
		       const uint8_t page[UVM_PAGE_SIZE])
{
	uint8_t h[UVM_LD_LEN];
	int r = sha384(ld, page, UVM_PAGE_SIZE, h);
	return r < 0 ? r : uvm_ld_update(ld, type, gpa, h);
}

int uvm_ld_update_data(struct uvm_ld *ld, uint64_t gpa, const uint8_t *data,
		       size_t len)
{
	for (size_t off = 0; off + UVM_PAGE_SIZE <= len; off += UVM_PAGE_SIZE) {
		int r = uvm_ld_update_page(ld, UVM_PAGE_NORMAL, gpa + off, data + off);
		if (r < 0)
			return r;
	}
	return 0;
}

int uvm_ld_update_empty(struct uvm_ld *ld, unsigned type, uint64_t gpa,
			uint64_t size)
{
	for (uint64_t off = 0; off < size; off += UVM_PAGE_SIZE) {
		int r = uvm_ld_update(ld, type, gpa + off, zero48);
		if (r < 0)
			return r;
	}
	return 0;
}

#define DESCRIBE(ld, ...)                                                      \
	do {                                                                   \
		if ((ld)->trace)                                               \
			snprintf((ld)->what, sizeof((ld)->what), __VA_ARGS__); \
	} while (0)

static int firmware_pages(struct uvm_ld *ld, const struct uvm_ovmf *o,
			  uint64_t base, const char *name, struct uvm_error *err)
{
	for (size_t off = 0; off < o->len; off += UVM_PAGE_SIZE) {
		DESCRIBE(ld, "%s offset 0x%zx", name, off);
		int r = uvm_ld_update_page(ld, UVM_PAGE_NORMAL, base + off, o->data + off);
		if (r < 0)
			return uvm_errorf(err, r, "SHA-384 failed");
	}
	return 0;
}

static int image_base(const struct uvm_ovmf *o, uint64_t top, uint64_t *ret,
		      const char *name, struct uvm_error *err)
{
	if (o->len > top)
		return uvm_errorf(err, -EINVAL, "%s image (%zu bytes) does not fit below 0x%llx",
				  name, o->len, (unsigned long long)top);
	*ret = top - o->len;
	return 0;
}

int uvm_snp_ovmf_hash(const struct uvm_ovmf *o, uvm_ld_trace_fn trace,
		      void *userdata, uint8_t out[UVM_LD_LEN], struct uvm_error *err)
{
	struct uvm_ld ld;
	uint64_t base = 0;
	int r = image_base(o, FOUR_GIB, &base, "firmware", err);
	if (r < 0)
		return r;
	if (uvm_ld_init(&ld, NULL, trace, userdata) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	r = firmware_pages(&ld, o, base, "firmware", err);
	if (r >= 0)
		memcpy(out, ld.digest, UVM_LD_LEN);
	uvm_ld_done(&ld);
	return r;
}

/* Pages of a multi-page section; its size must be whole pages. */
static int section_pages(struct uvm_ld *ld, const struct uvm_ovmf_section *s,
			 size_t i, unsigned type, struct uvm_error *err)
{
	if (s->size % UVM_PAGE_SIZE)
		return uvm_errorf(err, -EINVAL,
				  "SEV metadata section %zu (%s at 0x%x): size 0x%x is not a multiple of 4096",
				  i, uvm_ovmf_section_name(s->type), s->gpa, s->size);
	int r = uvm_ld_update_empty(ld, type, s->gpa, s->size);
	return r < 0 ? uvm_errorf(err, r, "SHA-384 failed") : 0;
}

static int kernel_hashes_page(struct uvm_ld *ld, const struct uvm_ovmf *o,
			      const struct uvm_ovmf_section *s, size_t i,
			      const struct uvm_sev_hashes *h, struct uvm_snp_prefix *p,
			      struct uvm_error *err)
{
	if (s->size != UVM_PAGE_SIZE)
		return uvm_errorf(err, -EINVAL,
				  "SNP_KERNEL_HASHES section %zu at 0x%x has size 0x%x; with a kernel it must be exactly 4096",
				  i, s->gpa, s->size);
	uint32_t gpa = 0, size = 0;
	int r = uvm_ovmf_hashes_table(o, &gpa, &size, err);
	if (r < 0)
		return r;
	uint8_t page[UVM_PAGE_SIZE];
	r = uvm_sev_hashes_page(h, gpa & 0xfff, page, err);
	if (r < 0)
		return r;
	p->hashes_measured = true;
	p->hashes_page_gpa = s->gpa;
	p->hashes_table_offset = gpa & 0xfff;
	r = uvm_ld_update_page(ld, UVM_PAGE_NORMAL, s->gpa, page);
	return r < 0 ? uvm_errorf(err, r, "SHA-384 failed") : 0;
}

/* One descriptor under the rules of §5 (CPUID for ec2 is handled by the
 * caller). */
static int measure_section(struct uvm_ld *ld, const struct uvm_ovmf *o, size_t i,
			   enum uvm_vmm_type vmm, const struct uvm_sev_hashes *h,
			   struct uvm_snp_prefix *p, struct uvm_error *err)
{
	const struct uvm_ovmf_section *s = &o->sections[i];
	const char *name = uvm_ovmf_section_name(s->type);
	if (!name)
		return uvm_errorf(err, -EINVAL,
				  "SEV metadata section %zu at 0x%x has unknown type %u",
				  i, s->gpa, s->type);
	DESCRIBE(ld, "section %zu %s%s", i, name,
		 s->type == UVM_SECTION_SNP_KERNEL_HASHES && h ? " (hashes page)" : "");
	int r;
	switch (s->type) {
	case UVM_SECTION_SNP_SEC_MEM:
		return section_pages(ld, s, i, vmm == UVM_VMM_GCE ? UVM_PAGE_UNMEASURED : UVM_PAGE_ZERO, err);
	case UVM_SECTION_SNP_SECRETS:
		r = uvm_ld_update(ld, UVM_PAGE_SECRETS, s->gpa, zero48);
		break;
	case UVM_SECTION_CPUID:
		r = uvm_ld_update(ld, UVM_PAGE_CPUID, s->gpa, zero48);
		break;
	case UVM_SECTION_SVSM_CAA:
		return section_pages(ld, s, i, UVM_PAGE_ZERO, err);
	default: /* UVM_SECTION_SNP_KERNEL_HASHES */
		if (h)
			return kernel_hashes_page(ld, o, s, i, h, p, err);
		return section_pages(ld, s, i, UVM_PAGE_ZERO, err);
	}
	return r < 0 ? uvm_errorf(err, r, "SHA-384 failed") : 0;
}

static int measure_sections(struct uvm_ld *ld, const struct uvm_ovmf *o,
			    enum uvm_vmm_type vmm, const struct uvm_sev_hashes *h,
			    struct uvm_snp_prefix *p, struct uvm_error *err)
{
	bool defer_cpuid = vmm == UVM_VMM_EC2;
	for (size_t i = 0; i < o->n_sections; i++) {
		if (defer_cpuid && o->sections[i].type == UVM_SECTION_CPUID)
			continue;
		int r = measure_section(ld, o, i, vmm, h, p, err);
		if (r < 0)
			return r;
	}
	/* EC2 measures its CPUID pages after every other section. */
	for (size_t i = 0; defer_cpuid && i < o->n_sections; i++) {
		if (o->sections[i].type != UVM_SECTION_CPUID)
			continue;
		int r = measure_section(ld, o, i, UVM_VMM_QEMU, h, p, err);
		if (r < 0)
			return r;
	}
	if (h && !uvm_ovmf_has_section(o, UVM_SECTION_SNP_KERNEL_HASHES)) {
		/* Say what the image has: the usual cause is a plain OvmfPkgX64
		 * build where the AmdSev flavour was meant. */
		char list[512] = "";
		size_t n = 0;
		for (size_t i = 0; i < o->n_sections && n < sizeof(list); i++) {
			const struct uvm_ovmf_section *s = &o->sections[i];
			const char *name = uvm_ovmf_section_name(s->type);
			int k = snprintf(list + n, sizeof(list) - n, "%s%s 0x%x/0x%x", i ? ", " : "",
					 name ? name : "?", s->gpa, s->size);
			if (k < 0)
				break;
			n += (size_t)k;
		}
		return uvm_errorf(err, -EINVAL,
				  "Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES section (%s%s)",
				  o->has_metadata ? "sections: " : "no SEV metadata",
				  o->has_metadata ? (o->n_sections ? list : "none") : "");
	}
	return 0;
}

int uvm_snp_prefix(const struct uvm_ovmf *o, const struct uvm_snp_config *cfg,
		   struct uvm_snp_prefix *ret, struct uvm_error *err)
{
	struct uvm_snp_prefix p = { 0 };
	struct uvm_ld ld;
	uint64_t base = 0;
	int r = image_base(o, FOUR_GIB, &base, "firmware", err);
	if (r < 0)
		return r;
	if (uvm_ld_init(&ld, cfg->seed, cfg->trace, cfg->userdata) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	if (!cfg->seed) {
		r = firmware_pages(&ld, o, base, "firmware", err);
		if (r < 0)
			goto out;
		p.firmware_measured = true;
	}
	memcpy(p.firmware_pages_digest, ld.digest, UVM_LD_LEN);
	r = measure_sections(&ld, o, cfg->vmm, cfg->hashes, &p, err);
	if (r < 0)
		goto out;
	r = uvm_ovmf_reset_eip(o, &p.ap_eip, err);
	if (r < 0)
		goto out;
	memcpy(p.ld, ld.digest, UVM_LD_LEN);
	*ret = p;
out:
	uvm_ld_done(&ld);
	return r;
}

int uvm_snp_svsm_prefix(const struct uvm_ovmf *ovmf, const struct uvm_ovmf *svsm,
			uint64_t vars_size, uvm_ld_trace_fn trace, void *userdata,
			struct uvm_snp_prefix *ret, struct uvm_error *err)
{
	struct uvm_snp_prefix p = { .svsm = true };
	struct uvm_ld ld;
	uint64_t ovmf_base = 0, svsm_base = 0;
	uint32_t entry = 0;
	int r = image_base(ovmf, FOUR_GIB, &ovmf_base, "OVMF", err);
	if (r < 0)
		return r;
	if (vars_size > ovmf_base)
		return uvm_errorf(err, -EINVAL, "OVMF_VARS size %llu does not fit below the OVMF image",
				  (unsigned long long)vars_size);
	r = image_base(svsm, ovmf_base - vars_size, &svsm_base, "SVSM", err);
	if (r < 0)
		return r;
	r = uvm_ovmf_svsm_entry(svsm, &entry, err);
	if (r < 0)
		return r;
	if (uvm_ld_init(&ld, NULL, trace, userdata) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	r = firmware_pages(&ld, ovmf, ovmf_base, "OVMF", err);
	if (r < 0)
		goto out;
	p.firmware_measured = true;
	memcpy(p.firmware_pages_digest, ld.digest, UVM_LD_LEN);
	r = firmware_pages(&ld, svsm, svsm_base, "SVSM", err);
	if (r < 0)
		goto out;
	r = measure_sections(&ld, svsm, UVM_VMM_QEMU, NULL, &p, err);
	if (r < 0)
		goto out;
	p.svsm_eip = svsm_base + entry;
	memcpy(p.ld, ld.digest, UVM_LD_LEN);
	*ret = p;
out:
	uvm_ld_done(&ld);
	return r;
}

void uvm_snp_vmsa_page(const struct uvm_snp_prefix *p, const struct uvm_snp_config *cfg,
		       uint32_t sig, unsigned i, uint8_t page[UVM_VMSA_SIZE])
{
	if (p->svsm) {
		uvm_vmsa_build_svsm(page, p->svsm_eip, sig);
		return;
	}
	struct uvm_vmsa_params v = {
		.vmm = cfg->vmm,
		.eip = i == 0 ? UVM_BSP_EIP : p->ap_eip,
		.vcpu_sig = sig,
		.sev_features = cfg->guest_features,
	};
	uvm_vmsa_build(page, &v);
}

int uvm_snp_vmsa_chain(const struct uvm_snp_prefix *p, const struct uvm_snp_config *cfg,
		       uint32_t sig, unsigned max_vcpus, uint8_t (*out)[UVM_LD_LEN],
		       uint8_t bsp_sha384[UVM_LD_LEN], uint8_t ap_sha384[UVM_LD_LEN],
		       struct uvm_error *err)
{
	if (max_vcpus > 1 && !p->svsm && p->ap_eip == 0)
		return uvm_errorf(err, -EINVAL,
				  "SEV-ES reset block gives AP reset EIP 0; cannot start %u vCPUs",
				  max_vcpus);
	struct uvm_ld ld;
	uint8_t page[UVM_VMSA_SIZE], h[2][UVM_LD_LEN];
	if (uvm_ld_init(&ld, p->ld, cfg->trace, cfg->userdata) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = 0;
	/* Hash the BSP and the (shared) AP page once each. */
	for (unsigned k = 0; k < 2 && k < MAX(max_vcpus, 1u); k++) {
		uvm_snp_vmsa_page(p, cfg, sig, k, page);
		r = sha384(&ld, page, sizeof(page), h[k]);
		if (r < 0)
			goto fail;
	}
	if (bsp_sha384)
		memcpy(bsp_sha384, h[0], UVM_LD_LEN);
	if (ap_sha384 && max_vcpus > 1)
		memcpy(ap_sha384, h[1], UVM_LD_LEN);
	for (unsigned i = 0; i < max_vcpus; i++) {
		DESCRIBE(&ld, "VMSA vCPU %u (%s, sig 0x%x)", i,
			 i == 0 ? "BSP" : "AP", sig);
		r = uvm_ld_update(&ld, UVM_PAGE_VMSA, UVM_VMSA_GPA, h[i == 0 ? 0 : 1]);
		if (r < 0)
			goto fail;
		memcpy(out[i], ld.digest, UVM_LD_LEN);
	}
	uvm_ld_done(&ld);
	return 0;
fail:
	uvm_ld_done(&ld);
	return uvm_errorf(err, r, "SHA-384 failed");
}
