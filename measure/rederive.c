/* rederive.c — one manifest launch-digest entry measured again from the
 * release directory's files (see rederive.h). */
#include "rederive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure.h"

static int file_in_dir(const char *dir, const json_t *entry, const char *key,
		       bool required, char **ret, struct uvm_error *err)
{
	const json_t *v = json_object_get(entry, key);
	*ret = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return uvm_errorf(err, -EINVAL, "launch digest entry has no \"%s\"", key);
		return 0;
	}
	const char *name = json_string_value(v);
	if (!name || !name[0] || strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
		return uvm_errorf(err, -EINVAL, "launch digest entry: \"%s\" is not a file name", key);
	if (asprintf(ret, "%s/%s", dir, name) < 0)
		return uvm_errorf(err, -ENOMEM, "out of memory");
	return 0;
}

int uvm_rederive_launch_digest(void *userdata, const char *dir,
			       const json_t *predicate, const json_t *entry,
			       uint8_t out[48], struct uvm_error *err)
{
	_cleanup_free_ char *fw = NULL, *kernel = NULL, *initrd = NULL;
	int r = file_in_dir(dir, entry, "firmware", true, &fw, err);
	if (r >= 0)
		r = file_in_dir(dir, entry, "kernel", false, &kernel, err);
	if (r >= 0)
		r = file_in_dir(dir, entry, "initrd", false, &initrd, err);
	if (r < 0)
		return r;

	json_int_t vcpus = json_integer_value(json_object_get(entry, "vcpus"));
	const char *type = json_string_value(json_object_get(entry, "vcpu_type"));
	const char *vmm = json_string_value(json_object_get(entry, "vmm_type"));
	const char *gf = json_string_value(json_object_get(entry, "guest_features"));
	const json_t *cl = json_object_get(entry, "cmdline");
	if (vcpus < 1 || vcpus > 4096)
		return uvm_errorf(err, -EINVAL, "launch digest entry: bad \"vcpus\"");
	const struct uvm_vcpu_type *vt = type ? uvm_vcpu_type_find(type) : NULL;
	if (!vt)
		return uvm_errorf(err, -EINVAL, "launch digest entry: unknown vcpu_type '%s'",
				  type ? type : "(none)");
	int vmm_type = vmm ? uvm_vmm_type_parse(vmm) : -EINVAL;
	if (vmm_type < 0)
		return uvm_errorf(err, -EINVAL, "launch digest entry: unknown vmm_type '%s'",
				  vmm ? vmm : "(none)");
	char *end = NULL;
	errno = 0;
	unsigned long long features = gf ? strtoull(gf, &end, 0) : 0;
	if (!gf || errno || !end || *end || end == gf)
		return uvm_errorf(err, -EINVAL, "launch digest entry: bad \"guest_features\"");
	if (cl && !json_is_null(cl) && !json_is_string(cl))
		return uvm_errorf(err, -EINVAL, "launch digest entry: bad \"cmdline\"");
	if (!kernel && (initrd || (cl && json_is_string(cl) && json_string_length(cl))))
		return uvm_errorf(err, -EINVAL,
				  "launch digest entry: initrd or cmdline without a kernel");

	const unsigned n = (unsigned)vcpus;
	const struct uvm_measure_vcpu vcpu = { .label = vt->name, .sig = vt->sig };
	const struct uvm_measure_request req = {
		.mode = UVM_MODE_SNP,
		.ovmf = fw,
		.kernel = kernel,
		.initrd = initrd,
		.cmdline = kernel && json_is_string(cl) ? json_string_value(cl) : NULL,
		.vmm = (enum uvm_vmm_type)vmm_type,
		.guest_features = features,
		.vcpus = &n,
		.n_vcpus = 1,
		.vcpu = &vcpu,
		.n_vcpu = 1,
	};
	struct uvm_measure_result res = { 0 };
	r = uvm_measure(&req, &res, err);
	if (r >= 0) {
		if (res.n_rows != 1 || res.digest_len != 48)
			r = uvm_errorf(err, -EIO, "unexpected measurement result");
		else
			memcpy(out, res.rows[0].digest, 48);
	}
	uvm_measure_result_done(&res);
	return r;
}
