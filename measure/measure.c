/* measure.c — `uvmkit measure` as one library call (see measure.h).
 *
 * Work sharing for a matrix: the firmware image is read and hashed once; the
 * prefix (pages + metadata sections) is computed once; for each vCPU
 * signature one VMSA chain up to the largest vCPU count yields every count's
 * digest. A 64 x 4 matrix therefore costs one prefix plus 4 x 64 PAGE_INFO
 * hashes.
 */
#include "measure.h"

#include <errno.h>
#include <string.h>

#include "../common/fileio.h"
#include "../common/hash.h"
#include "sev.h"

/* Largest firmware or SVSM image accepted (it must fit below 4 GiB). */
#define MAX_IMAGE_SIZE ((size_t)1 << 30)

static const char *const mode_names[] = {
	[UVM_MODE_SNP] = "snp",
	[UVM_MODE_SNP_OVMF_HASH] = "snp:ovmf-hash",
	[UVM_MODE_SNP_SVSM] = "snp:svsm",
	[UVM_MODE_SEVES] = "seves",
	[UVM_MODE_SEV] = "sev",
};

static const char *const mode_labels[] = {
	[UVM_MODE_SNP] = "SEV_SNP",
	[UVM_MODE_SNP_OVMF_HASH] = "SEV_SNP",
	[UVM_MODE_SNP_SVSM] = "SEV_SNP_SVSM",
	[UVM_MODE_SEVES] = "SEV_ES",
	[UVM_MODE_SEV] = "SEV",
};

int uvm_measure_mode_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (strcmp(s, mode_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

const char *uvm_measure_mode_name(enum uvm_measure_mode m)
{
	return (size_t)m < ARRAY_SIZE(mode_names) ? mode_names[m] : "?";
}

const char *uvm_measure_mode_label(enum uvm_measure_mode m)
{
	return (size_t)m < ARRAY_SIZE(mode_labels) ? mode_labels[m] : "?";
}

void uvm_measure_result_done(struct uvm_measure_result *res)
{
	free(res->vmsa_bsp_sha384);
	free(res->vmsa_ap_sha384);
	free(res->rows);
	*res = (struct uvm_measure_result){ 0 };
}

/* Read an image and parse its footer table and metadata. On success *buf
 * owns the bytes o borrows. */
static int load_image(const char *path, bool digests, uint8_t **buf, struct uvm_ovmf *o,
		      struct uvm_measure_file *f, struct uvm_error *err)
{
	size_t len;
	int r = uvm_read_file(path, MAX_IMAGE_SIZE, buf, &len, err);
	if (r < 0)
		return r;
	f->present = true;
	f->size = len;
	if (digests && (uvm_sha256(*buf, len, f->sha256) < 0 || uvm_sha384(*buf, len, f->sha384) < 0))
		return uvm_errorf(err, -EIO, "%s: SHA-2 failed", path);
	r = uvm_ovmf_parse(o, *buf, len, err);
	if (r < 0)
		return uvm_error_prefix(err, r, "%s", path);
	return 0;
}

static int file_digests(const char *path, bool sha384, struct uvm_measure_file *f,
			struct uvm_error *err)
{
	int r = uvm_file_digests(path, f->sha256, sha384 ? f->sha384 : NULL, err);
	if (r < 0)
		return r;
	f->present = true;
	return 0;
}

static unsigned max_vcpus(const struct uvm_measure_request *req)
{
	unsigned m = 0;
	for (size_t i = 0; i < req->n_vcpus; i++)
		m = MAX(m, req->vcpus[i]);
	return m;
}

/* Allocate rows and per-signature arrays. */
static int alloc_result(const struct uvm_measure_request *req,
			struct uvm_measure_result *res, struct uvm_error *err)
{
	size_t n;
	if (req->n_vcpu == 0 || req->n_vcpus == 0 || MUL_OVERFLOW(req->n_vcpus, req->n_vcpu, &n))
		return uvm_errorf(err, -EINVAL, "no vCPU count or signature given");
	res->rows = calloc(n, sizeof(*res->rows));
	res->vmsa_bsp_sha384 = calloc(req->n_vcpu, sizeof(*res->vmsa_bsp_sha384));
	res->vmsa_ap_sha384 = calloc(req->n_vcpu, sizeof(*res->vmsa_ap_sha384));
	if (!res->rows || !res->vmsa_bsp_sha384 || !res->vmsa_ap_sha384)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	res->n_rows = n;
	for (size_t v = 0; v < req->n_vcpus; v++)
		for (size_t s = 0; s < req->n_vcpu; s++) {
			struct uvm_measure_row *row = &res->rows[v * req->n_vcpu + s];
			row->vcpus = req->vcpus[v];
			row->vcpu = s;
		}
	return 0;
}

/* Fill the rows of signature s from chain[i] = digest with i+1 vCPUs. */
static void fill_rows(struct uvm_measure_result *res, size_t s, const uint8_t *zero_vcpus,
		      const uint8_t *chain, size_t dlen)
{
	for (size_t i = 0; i < res->n_rows; i++) {
		struct uvm_measure_row *row = &res->rows[i];
		if (row->vcpu != s)
			continue;
		if (row->vcpus == 0)
			memcpy(row->digest, zero_vcpus, dlen);
		else
			memcpy(row->digest, chain + (size_t)(row->vcpus - 1) * dlen, dlen);
	}
}

static int run_snp(const struct uvm_measure_request *req, const struct uvm_ovmf *o,
		   const struct uvm_ovmf *svsm, struct uvm_measure_result *res,
		   struct uvm_error *err)
{
	struct uvm_snp_config cfg = {
		.vmm = req->vmm,
		.guest_features = req->guest_features,
		.hashes = res->have_hashes ? &res->hashes : NULL,
		.seed = req->seed,
		.trace = req->trace,
		.userdata = req->userdata,
	};
	int r;
	if (req->mode == UVM_MODE_SNP_SVSM)
		r = uvm_snp_svsm_prefix(o, svsm, req->vars_size, req->trace,
					req->userdata, &res->prefix, err);
	else
		r = uvm_snp_prefix(o, &cfg, &res->prefix, err);
	if (r < 0)
		return r;
	res->have_prefix = true;
	res->ap_eip = res->prefix.ap_eip;
	if (res->prefix.firmware_measured) {
		res->have_firmware_pages_digest = true;
		memcpy(res->firmware_pages_digest, res->prefix.firmware_pages_digest, 48);
	}
	unsigned n = max_vcpus(req);
	_cleanup_free_ uint8_t(*chain)[48] = calloc(MAX(n, 1u), sizeof(*chain));
	if (!chain)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	for (size_t s = 0; s < req->n_vcpu; s++) {
		r = uvm_snp_vmsa_chain(&res->prefix, &cfg, req->vcpu[s].sig, n, chain,
				       res->vmsa_bsp_sha384[s], res->vmsa_ap_sha384[s], err);
		if (r < 0)
			return r;
		fill_rows(res, s, res->prefix.ld, chain[0], 48);
	}
	res->have_ap = n > 1;
	return 0;
}

static int run_sev(const struct uvm_measure_request *req, const struct uvm_ovmf *o,
		   struct uvm_measure_result *res, struct uvm_error *err)
{
	const struct uvm_sev_hashes *h = res->have_hashes ? &res->hashes : NULL;
	uint8_t base[32];
	int r = uvm_sev_digest(o, h, base, err);
	if (r < 0)
		return r;
	if (req->mode == UVM_MODE_SEV) {
		for (size_t i = 0; i < res->n_rows; i++)
			memcpy(res->rows[i].digest, base, 32);
		return 0;
	}
	unsigned n = max_vcpus(req);
	_cleanup_free_ uint8_t(*chain)[32] = calloc(MAX(n, 1u), sizeof(*chain));
	if (!chain)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	r = uvm_ovmf_reset_eip(o, &res->ap_eip, err);
	if (r < 0)
		return r;
	for (size_t s = 0; s < req->n_vcpu; s++) {
		r = uvm_seves_digests(o, h, req->vmm, req->vcpu[s].sig, n, chain, err);
		if (r < 0)
			return r;
		uint8_t page[UVM_VMSA_SIZE];
		uvm_seves_vmsa_page(req->vmm, res->ap_eip, req->vcpu[s].sig, 0, page);
		uvm_sha384(page, sizeof(page), res->vmsa_bsp_sha384[s]);
		uvm_seves_vmsa_page(req->vmm, res->ap_eip, req->vcpu[s].sig, 1, page);
		uvm_sha384(page, sizeof(page), res->vmsa_ap_sha384[s]);
		fill_rows(res, s, base, chain[0], 32);
	}
	res->have_ap = n > 1;
	return 0;
}

int uvm_measure(const struct uvm_measure_request *req, struct uvm_measure_result *res,
		struct uvm_error *err)
{
	*res = (struct uvm_measure_result){ 0 };
	_cleanup_free_ uint8_t *ovmf_buf = NULL, *svsm_buf = NULL;
	struct uvm_ovmf o = { 0 }, svsm = { 0 };
	int r;

	if ((req->initrd || (req->cmdline && req->cmdline[0])) && !req->kernel)
		return uvm_errorf(err, -EINVAL, "--initrd and --append need --kernel");
	if (req->seed && req->mode != UVM_MODE_SNP)
		return uvm_errorf(err, -EINVAL, "--snp-ovmf-hash only applies to --mode snp");

	r = alloc_result(req, res, err);
	if (r < 0)
		goto out;
	r = load_image(req->ovmf, req->file_digests, &ovmf_buf, &o, &res->ovmf, err);
	if (r < 0)
		goto out;
	res->digest_len = req->mode == UVM_MODE_SEV || req->mode == UVM_MODE_SEVES ? 32 : 48;

	if (req->mode == UVM_MODE_SNP_OVMF_HASH) {
		r = uvm_snp_ovmf_hash(&o, req->trace, req->userdata,
				      res->firmware_pages_digest, err);
		if (r < 0)
			goto out;
		res->have_firmware_pages_digest = true;
		for (size_t i = 0; i < res->n_rows; i++)
			memcpy(res->rows[i].digest, res->firmware_pages_digest, 48);
		goto out;
	}
	if (req->mode == UVM_MODE_SNP_SVSM) {
		if (!req->svsm)
			return uvm_errorf(err, -EINVAL, "--mode snp:svsm needs --svsm");
		r = load_image(req->svsm, req->file_digests, &svsm_buf, &svsm, &res->svsm, err);
		if (r < 0)
			goto out;
	}
	if (req->kernel && req->mode != UVM_MODE_SNP_SVSM) {
		r = file_digests(req->kernel, req->file_digests, &res->kernel, err);
		if (r >= 0 && req->initrd)
			r = file_digests(req->initrd, req->file_digests, &res->initrd, err);
		if (r < 0)
			goto out;
		memcpy(res->hashes.kernel, res->kernel.sha256, 32);
		if (req->initrd)
			memcpy(res->hashes.initrd, res->initrd.sha256, 32);
		else
			uvm_sha256("", 0, res->hashes.initrd);
		uvm_sev_hashes_cmdline(req->cmdline, res->hashes.cmdline);
		uvm_sev_hashes_table(&res->hashes, res->hashes_table);
		res->have_hashes = true;
	}
	if (req->mode == UVM_MODE_SEV || req->mode == UVM_MODE_SEVES)
		r = run_sev(req, &o, res, err);
	else
		r = run_snp(req, &o, &svsm, res, err);
	/* Name the image the problem is in (SVSM mode measures the SVSM
	 * image's metadata, not OVMF's). */
	if (r < 0) {
		const char *img = req->mode == UVM_MODE_SNP_SVSM ? req->svsm : req->ovmf;
		if (err && strncmp(err->msg, img, strlen(img)) != 0)
			uvm_error_prefix(err, r, "%s", img);
	}
out:
	uvm_ovmf_done(&o);
	uvm_ovmf_done(&svsm);
	if (r < 0)
		uvm_measure_result_done(res);
	return r;
}

void uvm_measure_vmsa_page(const struct uvm_measure_request *req,
			   const struct uvm_measure_result *res, size_t vcpu,
			   unsigned i, uint8_t page[UVM_VMSA_SIZE])
{
	if (req->mode == UVM_MODE_SEVES) {
		uvm_seves_vmsa_page(req->vmm, res->ap_eip, req->vcpu[vcpu].sig, i, page);
		return;
	}
	struct uvm_snp_config cfg = { .vmm = req->vmm, .guest_features = req->guest_features };
	uvm_snp_vmsa_page(&res->prefix, &cfg, req->vcpu[vcpu].sig, i, page);
}
