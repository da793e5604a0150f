/* report.h — the JSON form of a measurement (`uvmkit measure --json`).
 *
 * Keys, in this order (stable, documented in docs/README-measure.md):
 * mode, vmm_type, guest_features, inputs{ovmf,svsm,kernel,initrd,append},
 * snp_ovmf_hash, firmware_pages_digest, hashes_table{cmdline_sha256,
 * initrd_sha256, kernel_sha256, page_gpa, table_offset, table},
 * ap_reset_eip, pre_vmsa_digest, results[{vcpus, vcpu_type, vcpu_sig,
 * vmsa_bsp_sha384, vmsa_ap_sha384, digest, digest_base64}], id_block{...}.
 * vcpu_sig is the RDX value the VMSAs carry (0x600 for ec2 and gce).
 * Absent facts are omitted, never null. Digests are lowercase hex; ID block
 * values base64 as the reference tool prints them.
 */
#ifndef UVM_MEASURE_REPORT_H
#define UVM_MEASURE_REPORT_H

#include <jansson.h>

#include "idblock.h"
#include "measure.h"

/* A new JSON object (owned by the caller) or NULL on allocation failure.
 * idb may be NULL. */
json_t *uvm_measure_json(const struct uvm_measure_request *req,
			 const struct uvm_measure_result *res,
			 const struct uvm_id_block *idb);

#endif
