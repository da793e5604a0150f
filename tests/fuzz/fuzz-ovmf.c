/* fuzz-ovmf.c — libFuzzer harness for the OVMF footer-table / SEV metadata
 * parser and the SNP/SEV measurement steps that consume what it returns.
 *
 * Each input is parsed twice: as is (size checks, short images) and placed
 * at the end of a zero-filled image rounded up to 4 KiB (the footer table is
 * read from the end, so this reaches the table and metadata code with
 * arbitrary bytes). A parsed image is then measured the way the CLI would:
 * SNP for QEMU/ec2/gce with and without a kernel hashes table, SEV, SEV-ES.
 * The seeded SNP prefix skips hashing the pages; images whose sections
 * would add more than 4096 pages are not measured (time, not safety).
 * Seed corpus: tests/fuzz/corpus/fuzz-ovmf/ (see its README). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "measure/ovmf.h"
#include "measure/sev.h"
#include "measure/sevhashes.h"
#include "measure/snp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_entries(const struct uvm_ovmf *o)
{
	for (size_t i = 0; i < o->n_entries; i++) {
		const struct uvm_ovmf_entry *e = &o->entries[i];
		if (e->data < o->data || e->offset + e->len > o->len)
			abort();
	}
	if (o->has_metadata && o->metadata_offset + 16 + 12 * o->n_sections > o->len)
		abort();
}

static void measure(const struct uvm_ovmf *o)
{
	uint64_t pages = 0;
	for (size_t i = 0; i < o->n_sections; i++)
		pages += o->sections[i].size / 4096 + 1;
	if (pages > 4096)
		return;
	static const uint8_t seed[48] = { 1 };
	struct uvm_sev_hashes h = { .kernel = { 1 }, .initrd = { 2 }, .cmdline = { 3 } };
	struct uvm_error err;
	for (int vmm = UVM_VMM_QEMU; vmm <= UVM_VMM_GCE; vmm++) {
		for (int k = 0; k < 2; k++) {
			struct uvm_snp_config cfg = { .vmm = (enum uvm_vmm_type)vmm,
						      .guest_features = 1,
						      .hashes = k ? &h : NULL,
						      .seed = seed };
			struct uvm_snp_prefix p;
			uint8_t out[3][48];
			if (uvm_snp_prefix(o, &cfg, &p, &err) == 0)
				(void)uvm_snp_vmsa_chain(&p, &cfg, 0x800f12, 3, out, NULL, NULL, &err);
		}
	}
	uint8_t d[4][32];
	(void)uvm_sev_digest(o, &h, d[0], &err);
	(void)uvm_seves_digests(o, NULL, UVM_VMM_QEMU, 0x800f12, 2, d, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uvm_ovmf o;
	struct uvm_error err;
	if (uvm_ovmf_parse(&o, data, size, &err) == 0) {
		check_entries(&o);
		uvm_ovmf_done(&o);
	}
	size_t len = (size + 4095) / 4096 * 4096;
	if (len == 0 || len > (1u << 20))
		return 0;
	uint8_t *img = calloc(1, len);
	if (!img)
		return 0;
	memcpy(img + len - size, data, size);
	if (uvm_ovmf_parse(&o, img, len, &err) == 0) {
		check_entries(&o);
		measure(&o);
		uvm_ovmf_done(&o);
	}
	free(img);
	return 0;
}
