/* fuzz-report.c — libFuzzer harness for the SEV-SNP report parser and the
 * AMD certificate parsing and verification (measure/snpreport.c, amdcert.c).
 *
 * The input is tried three ways: as a whole report file (raw, Azure HCL or
 * hex text), as a certificate file (PEM bundle or DER, then the AMD
 * extensions of every certificate and the chain), and, when longer than a
 * report, as a report followed by its certificates, verified together.
 * Seeds: the reports and certificates of shared/vectors/snp-reports. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "measure/amdcert.h"
#include "measure/snpreport.h"
#include "measure/reportcheck.h"

static void certs(const uint8_t *data, size_t size,
		  const struct snp_report *r)
{
	struct amd_certset s = {};
	struct uvm_error err = {};
	if (amd_certset_add_mem(&s, data, size, "fuzz", &err) >= 0) {
		for (size_t i = 0; i < s.n; i++) {
			struct amd_vek_ext e;
			amd_vek_ext_parse(s.c[i].x509, &e, &err);
		}
		struct snp_checks l = {};
		struct amd_verify_opts o = { .at = 1795824000 };
		amd_verify(r, &s, &o, &l, NULL, &err);
		if (r) {
			struct snp_release_opts ro = { .vmpl = 0, .no_smt = true,
						       .has_min_abi = true };
			snp_release_check(r, SNP_PRODUCT_UNKNOWN, &ro, &l, &err);
		}
	}
	amd_certset_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snp_report r;
	struct uvm_error err = {};
	if (snp_report_parse(data, size, SIZE_MAX, &r, &err) == 0) {
		json_t *j = snp_report_to_json(&r, SNP_PRODUCT_UNKNOWN);
		json_decref(j);
		j = snp_report_to_json(&r, SNP_PRODUCT_TURIN);
		json_decref(j);
	}
	certs(data, size, NULL);
	if (size > SNP_REPORT_SIZE &&
	    snp_report_parse(data, SNP_REPORT_SIZE, 0, &r, &err) == 0)
		certs(data + SNP_REPORT_SIZE, size - SNP_REPORT_SIZE, &r);
	return 0;
}
