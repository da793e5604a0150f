/* sev.c — SEV / SEV-ES launch digests (see sev.h). The VMSA chain reuses a
 * copy of the running SHA-256 context so N vCPU counts cost N page hashes. */
#include "sev.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

DEFINE_PTR_CLEANUP(evp_md_ctx, EVP_MD_CTX, EVP_MD_CTX_free)

static int start(EVP_MD_CTX *c, const struct uvm_ovmf *o,
		 const struct uvm_sev_hashes *h, struct uvm_error *err)
{
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(c, o->data, o->len) != 1)
		return uvm_errorf(err, -EIO, "SHA-256 failed");
	if (!h)
		return 0;
	uint32_t gpa = 0, size;
	if (uvm_ovmf_hashes_table(o, &gpa, &size, NULL) < 0 || gpa == 0)
		return uvm_errorf(err, -EINVAL,
				  "Kernel specified but OVMF doesn't support kernel/initrd/cmdline measurement");
	uint8_t table[UVM_SEV_HASHES_PADDED_LEN];
	uvm_sev_hashes_table(h, table);
	if (EVP_DigestUpdate(c, table, sizeof(table)) != 1)
		return uvm_errorf(err, -EIO, "SHA-256 failed");
	return 0;
}

static int finish(EVP_MD_CTX *c, uint8_t out[UVM_SEV_DIGEST_LEN], struct uvm_error *err)
{
	_cleanup_(cleanup_evp_md_ctx) EVP_MD_CTX *copy = EVP_MD_CTX_new();
	unsigned n;
	if (!copy || EVP_MD_CTX_copy_ex(copy, c) != 1 ||
	    EVP_DigestFinal_ex(copy, out, &n) != 1)
		return uvm_errorf(err, -EIO, "SHA-256 failed");
	return 0;
}

int uvm_sev_digest(const struct uvm_ovmf *o, const struct uvm_sev_hashes *h,
		   uint8_t out[UVM_SEV_DIGEST_LEN], struct uvm_error *err)
{
	_cleanup_(cleanup_evp_md_ctx) EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = start(c, o, h, err);
	return r < 0 ? r : finish(c, out, err);
}

void uvm_seves_vmsa_page(enum uvm_vmm_type vmm, uint32_t ap_eip, uint32_t sig,
			 unsigned i, uint8_t page[UVM_VMSA_SIZE])
{
	struct uvm_vmsa_params v = {
		.vmm = vmm,
		.eip = i == 0 ? UVM_BSP_EIP : ap_eip,
		.vcpu_sig = sig,
		.sev_features = 0,
	};
	uvm_vmsa_build(page, &v);
}

int uvm_seves_digests(const struct uvm_ovmf *o, const struct uvm_sev_hashes *h,
		      enum uvm_vmm_type vmm, uint32_t sig, unsigned max_vcpus,
		      uint8_t (*out)[UVM_SEV_DIGEST_LEN], struct uvm_error *err)
{
	_cleanup_(cleanup_evp_md_ctx) EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	int r = start(c, o, h, err);
	if (r < 0)
		return r;
	uint32_t ap_eip;
	r = uvm_ovmf_reset_eip(o, &ap_eip, err);
	if (r < 0)
		return r;
	if (max_vcpus > 1 && ap_eip == 0)
		return uvm_errorf(err, -EINVAL,
				  "SEV-ES reset block gives AP reset EIP 0; cannot start %u vCPUs",
				  max_vcpus);
	uint8_t page[UVM_VMSA_SIZE];
	for (unsigned i = 0; i < max_vcpus; i++) {
		if (i < 2)
			uvm_seves_vmsa_page(vmm, ap_eip, sig, i, page);
		if (EVP_DigestUpdate(c, page, sizeof(page)) != 1)
			return uvm_errorf(err, -EIO, "SHA-256 failed");
		r = finish(c, out[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}
