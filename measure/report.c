/* report.c — JSON form of a measurement (see report.h). jansson's
 * setters ignore NULL values, so an allocation failure deep inside yields
 * a missing key; the top-level object itself is checked. */
#include "report.h"

#include <stdio.h>

#include "../common/hex.h"
#include "../common/json.h"

static json_t *file_json(const char *path, const struct uvm_measure_file *f, bool size)
{
	json_t *o = json_object();
	json_object_set_new(o, "path", json_string(path));
	if (size)
		json_object_set_new(o, "size", json_integer((json_int_t)f->size));
	uvm_json_set_hex(o, "sha256", f->sha256, 32);
	uvm_json_set_hex(o, "sha384", f->sha384, 48);
	return o;
}

json_t *uvm_measure_json(const struct uvm_measure_request *req,
			 const struct uvm_measure_result *res,
			 const struct uvm_id_block *idb)
{
	json_t *o = json_object(), *in = json_object(), *rows = json_array();
	if (!o || !in || !rows) {
		json_decref(o);
		json_decref(in);
		json_decref(rows);
		return NULL;
	}
	char buf[32];
	json_object_set_new(o, "mode", json_string(uvm_measure_mode_name(req->mode)));
	json_object_set_new(o, "vmm_type", json_string(uvm_vmm_type_name(req->vmm)));
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)req->guest_features);
	json_object_set_new(o, "guest_features", json_string(buf));
	json_object_set_new(in, "ovmf", file_json(req->ovmf, &res->ovmf, true));
	if (res->svsm.present)
		json_object_set_new(in, "svsm", file_json(req->svsm, &res->svsm, true));
	if (res->kernel.present)
		json_object_set_new(in, "kernel", file_json(req->kernel, &res->kernel, false));
	if (res->initrd.present)
		json_object_set_new(in, "initrd", file_json(req->initrd, &res->initrd, false));
	if (res->have_hashes)
		json_object_set_new(in, "append", json_string(req->cmdline ? req->cmdline : ""));
	json_object_set_new(o, "inputs", in);
	if (req->seed)
		uvm_json_set_hex(o, "snp_ovmf_hash", req->seed, 48);
	if (res->have_firmware_pages_digest)
		uvm_json_set_hex(o, "firmware_pages_digest", res->firmware_pages_digest, 48);
	if (res->have_hashes) {
		json_t *h = json_object();
		uvm_json_set_hex(h, "cmdline_sha256", res->hashes.cmdline, 32);
		uvm_json_set_hex(h, "initrd_sha256", res->hashes.initrd, 32);
		uvm_json_set_hex(h, "kernel_sha256", res->hashes.kernel, 32);
		if (res->have_prefix && res->prefix.hashes_measured) {
			snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)res->prefix.hashes_page_gpa);
			json_object_set_new(h, "page_gpa", json_string(buf));
			snprintf(buf, sizeof(buf), "0x%x", res->prefix.hashes_table_offset);
			json_object_set_new(h, "table_offset", json_string(buf));
		}
		uvm_json_set_hex(h, "table", res->hashes_table, sizeof(res->hashes_table));
		json_object_set_new(o, "hashes_table", h);
	}
	if (res->have_prefix && !res->prefix.svsm) {
		snprintf(buf, sizeof(buf), "0x%x", res->prefix.ap_eip);
		json_object_set_new(o, "ap_reset_eip", json_string(buf));
	}
	if (res->have_prefix)
		uvm_json_set_hex(o, "pre_vmsa_digest", res->prefix.ld, 48);
	bool vmsas = req->mode == UVM_MODE_SNP || req->mode == UVM_MODE_SNP_SVSM ||
		     req->mode == UVM_MODE_SEVES;
	for (size_t i = 0; i < res->n_rows; i++) {
		const struct uvm_measure_row *row = &res->rows[i];
		json_t *r = json_object();
		if (vmsas) {
			json_object_set_new(r, "vcpus", json_integer(row->vcpus));
			json_object_set_new(r, "vcpu_type", json_string(req->vcpu[row->vcpu].label));
			/* The RDX value measured: ec2 and gce always use 0x600. */
			snprintf(buf, sizeof(buf), "0x%x",
				 req->vmm == UVM_VMM_QEMU ? req->vcpu[row->vcpu].sig : 0x600u);
			json_object_set_new(r, "vcpu_sig", json_string(buf));
			uvm_json_set_hex(r, "vmsa_bsp_sha384", res->vmsa_bsp_sha384[row->vcpu], 48);
			if (res->have_ap && row->vcpus > 1)
				uvm_json_set_hex(r, "vmsa_ap_sha384", res->vmsa_ap_sha384[row->vcpu], 48);
		}
		uvm_json_set_hex(r, "digest", row->digest, res->digest_len);
		_cleanup_free_ char *b64 = uvm_base64_encode(row->digest, res->digest_len);
		json_object_set_new(r, "digest_base64", json_string(b64 ? b64 : ""));
		json_array_append_new(rows, r);
	}
	json_object_set_new(o, "results", rows);
	if (idb) {
		json_t *j = json_object();
		_cleanup_free_ char *blk = uvm_base64_encode(idb->block, sizeof(idb->block));
		_cleanup_free_ char *auth = uvm_base64_encode(idb->auth, sizeof(idb->auth));
		_cleanup_free_ char *ik = uvm_base64_encode(idb->id_key_digest, 48);
		_cleanup_free_ char *ak = uvm_base64_encode(idb->author_key_digest, 48);
		json_object_set_new(j, "id_block", json_string(blk ? blk : ""));
		json_object_set_new(j, "id_auth", json_string(auth ? auth : ""));
		json_object_set_new(j, "id_key_digest", json_string(ik ? ik : ""));
		json_object_set_new(j, "author_key_digest", json_string(ak ? ak : ""));
		json_object_set_new(o, "id_block", j);
	}
	return o;
}

