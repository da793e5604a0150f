#!/bin/sh
# uvmkit verify re-derives every launch digest of a manifest from the
# release's own firmware, kernel and initrd (measure/rederive.c): a correct
# digest verifies, a wrong one is named, a missing artifact fails.
. "$(dirname "$0")/test-lib.sh"
test_require python3
test_require_shared vectors/snp/upstream

# manifest DIGEST: write rel/manifest.intoto.json with one launch digest.
manifest() {
	python3 - "$1" <<'PY'
import hashlib, json, sys
names = ["OVMF.fd", "initrd.img", "vmlinuz"]
subj = []
for n in names:
    b = open("rel/" + n, "rb").read()
    subj.append({"name": n, "digest": {"sha256": hashlib.sha256(b).hexdigest(),
                                       "sha384": hashlib.sha384(b).hexdigest()}})
entry = {"vcpus": 2, "vcpu_type": "EPYC-Milan", "vmm_type": "QEMU",
         "guest_features": "0x1", "policy": "0x30000", "launch_digest": sys.argv[1],
         "firmware": "OVMF.fd", "kernel": "vmlinuz", "initrd": "initrd.img",
         "cmdline": "console=ttyS0 quiet"}
st = {"_type": "https://in-toto.io/Statement/v1", "subject": subj,
      "predicateType": "https://uvmkit.dev/predicate/release/v0.1",
      "predicate": {"inputs": [], "launch_digests": [entry],
                    "tool": {"name": "uvmkit", "version": "0.1.0"}}}
open("rel/manifest.intoto.json", "w").write(json.dumps(st, separators=(",", ":"), sort_keys=True))
PY
}

test_expect_success 'setup: a release with firmware, kernel and initrd' '
	mkdir rel &&
	cp "$SHARED/vectors/snp/upstream/ovmf_AmdSev_suffix.bin" rel/OVMF.fd &&
	printf "not really a kernel" >rel/vmlinuz &&
	printf "initrd bytes" >rel/initrd.img &&
	uvmkit keygen -o keys >/dev/null &&
	uvmkit measure --mode snp --vcpus 2 --vcpu-type EPYC-Milan --ovmf rel/OVMF.fd \
		--kernel rel/vmlinuz --initrd rel/initrd.img --append "console=ttyS0 quiet" >digest &&
	test "$(wc -c <digest)" = 97
'
test_expect_success 'the recorded digest is re-derived and verifies' '
	manifest "$(cat digest)" &&
	uvmkit sign --key keys rel >/dev/null &&
	uvmkit verify --pub keys rel >out 2>err &&
	test_grep "launch" out && ! grep -q skip out
'
test_expect_success 'a digest that does not match the artifacts is named' '
	rm -f rel/manifest.* rel/SHA*SUMS* &&
	manifest "$(tr 0-9a-f 1-9a-f0 <digest)" &&
	test "$(tr 0-9a-f 1-9a-f0 <digest)" != "$(cat digest)" &&
	uvmkit sign --key keys rel >/dev/null &&
	test_expect_code 1 uvmkit verify --pub keys rel >out 2>err &&
	test_grep "^FAIL launch-digest *launch_digests\[0\]" out &&
	test "$(grep -c ^FAIL out)" = 1
'
test_expect_success 'a firmware that cannot be measured is a failure, not a skip' '
	rm -f rel/manifest.* rel/SHA*SUMS* &&
	head -c 4095 "$SHARED/vectors/snp/upstream/ovmf_AmdSev_suffix.bin" >rel/OVMF.fd &&
	manifest "$(cat digest)" &&
	uvmkit sign --key keys rel >/dev/null &&
	test_expect_code 1 uvmkit verify --pub keys rel >out 2>err &&
	test_grep "launch_digests\[0\]" out
'
test_done
