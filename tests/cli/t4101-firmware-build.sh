#!/bin/sh
# uvmkit firmware build with the real pinned edk2 source (through the shared
# cache, so the 2-5 minute edk2 build runs once for all tests and both CI
# runs): OVMF.fd has the SNP_KERNEL_HASHES section where the spec says,
# firmware.json records the sources, patches, toolchain and digests and
# nothing of the host; a second call is a cache hit with identical bytes; a
# corrupted cache entry is refused; `uvmkit measure --kernel` accepts the
# firmware and dumps the table the firmware will check.
. "$(dirname "$0")/test-lib.sh"
. "$TOP/tests/cli/lib-firmware.sh"
test_require python3 sha256sum base64
fw_require_source

test_expect_success 'firmware build writes OVMF.fd and firmware.json' '
	fw_cached fw >out 2>err &&
	cat out err &&
	test "$(kv size out)" = 4194304 &&
	test "$(kv ovmf out)" = fw/OVMF.fd &&
	test "$(kv sha256 out)" = "$(sha256sum <fw/OVMF.fd | cut -d" " -f1)" &&
	test "$(kv sha384 out)" = "$(sha384sum <fw/OVMF.fd | cut -d" " -f1)" &&
	test "$(ls fw)" = "$(printf "OVMF.fd\nfirmware.json")"
'

test_expect_success 'firmware.json: sources, patches, toolchain, digests, sections' '
	python3 - "$TOP/firmware/edk2.pin" fw <<-\EOT
	import hashlib, json, sys
	pin = dict(l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines()
	           if l and not l.startswith("#"))
	j = json.load(open(sys.argv[2] + "/firmware.json"))
	data = open(sys.argv[2] + "/OVMF.fd", "rb").read()
	assert j["flavour"] == "OvmfPkg/AmdSev/AmdSevX64.dsc", j["flavour"]
	assert (j["target"], j["toolchain_tag"]) == ("RELEASE", "GCC5")
	assert j["workspace"] == "/tmp/uvmkit-edk2"
	s = j["source"]
	assert s["version"] == pin["version"] == "2025.02-8+deb13u1"
	assert s["orig"]["name"] + " " + s["orig"]["sha256"] == pin["orig"]
	assert s["debian"]["name"] + " " + s["debian"]["sha256"] == pin["debian"]
	assert "x64-baseline-abi.patch" in s["patches"] and len(s["patches"]) >= 10
	assert sorted(j["toolchain"]) == ["gcc", "iasl", "ld", "make", "nasm", "python3"]
	assert j["toolchain"]["gcc"].startswith("gcc ") and "NASM" in j["toolchain"]["nasm"]
	o = j["ovmf"]
	assert o["size"] == len(data) == 4194304
	assert o["sha256"] == hashlib.sha256(data).hexdigest()
	assert o["sha384"] == hashlib.sha384(data).hexdigest()
	kh = [x for x in j["sections"] if x["name"] == "SNP_KERNEL_HASHES"]
	assert kh == [{"type": 16, "name": "SNP_KERNEL_HASHES", "gpa": "0x810000", "size": "0x1000"}], kh
	assert len(j["sections"]) == 7, j["sections"]
	assert len(j["cache_key"]) == 64
	EOT
'

test_expect_success 'firmware.json names nothing of the host or the build directory' '
	! grep -F -e "$TRASH" -e "$TOP" -e "$UVMKIT_TEST_CACHE" -e uvmkit-firmware. fw/firmware.json &&
	h=$(hostname) && { [ ${#h} -lt 4 ] || ! grep -Fw -e "$h" fw/firmware.json; }
'

test_expect_success 'a second build is a cache hit with the same bytes' '
	fw_cached fw2 >out2 2>/dev/null &&
	test "$(kv cache out2)" = hit &&
	test "$(kv key out2)" = "$(kv key out)" &&
	cmp fw/OVMF.fd fw2/OVMF.fd && cmp fw/firmware.json fw2/firmware.json
'

test_expect_success '--json output' '
	fw_cached fw3 --json=short >j 2>/dev/null &&
	python3 -c "import json,sys; j=json.load(open(\"j\")); assert j[\"cache\"] == \"hit\" and j[\"size\"] == 4194304 and j[\"ovmf\"] == \"fw3/OVMF.fd\", j"
'

test_expect_success 'a corrupted cache entry is refused and nothing is written' '
	key=$(kv key out) &&
	mkdir -p cache/firmware &&
	cp -r "$UVMKIT_TEST_CACHE/firmware/$key" cache/firmware/ &&
	python3 -c "import sys; f = open(sys.argv[1], \"r+b\"); b = f.read(1); f.seek(0); f.write(bytes([b[0] ^ 1]))" \
		"cache/firmware/$key/OVMF.fd" &&
	test_expect_code 1 uvmkit firmware build --cache-dir cache --source-dir "$EDK2_DOWNLOADS" -o bad 2>err &&
	test_grep "cache entry .*/$key: OVMF.fd has sha256 .*, firmware.json says $(kv sha256 out)" err &&
	test ! -e bad
'

# The measure tests: any bytes serve as kernel and initrd here (t4102 boots).
CMD="console=ttyS0 panic=-1"
test_expect_success 'uvmkit measure --kernel accepts it: one line of hex, like the reference tool' '
	head -c 100000 /dev/urandom >kernel && head -c 3000 /dev/urandom >initrd &&
	uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf fw/OVMF.fd \
		--kernel kernel --initrd initrd --append "$CMD" >digest &&
	test "$(wc -l <digest)" = 1 && grep -qx "[0-9a-f]\{96\}" digest &&
	uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf fw/OVMF.fd \
		--kernel kernel --initrd initrd --append "$CMD" --output-format base64 >b64 &&
	test "$(base64 -d <b64 | od -An -tx1 | tr -d " \n")" = "$(cat digest)" &&
	uvmkit measure --mode snp --vcpus 4 --vcpu-type EPYC-v4 --ovmf fw/OVMF.fd \
		--kernel kernel --initrd initrd --append "$CMD" >digest4 &&
	! cmp -s digest digest4
'

test_expect_success 'the dumped hashes table holds the three SHA-256s (spec §5.1)' '
	uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf fw/OVMF.fd \
		--kernel kernel --initrd initrd --append "$CMD" --dump-hashes-table table.bin >/dev/null &&
	python3 - "$CMD" <<-\EOT
	import hashlib, struct, sys, uuid
	t = open("table.bin", "rb").read()
	assert len(t) == 176 and t[168:] == bytes(8)
	def g(s): return uuid.UUID(s).bytes_le
	assert t[0:16] == g("9438d606-4f22-4cc9-b479-a793d411fd21")
	assert struct.unpack_from("<H", t, 16)[0] == 168
	want = [("97d02dd8-bd20-4c94-aa78-e7714d36ab2a", sys.argv[1].encode() + b"\0"),
	        ("44baf731-3a2f-4bd7-9af1-41e29169781d", open("initrd", "rb").read()),
	        ("4de79437-abd2-427f-b835-d5b172d2045b", open("kernel", "rb").read())]
	for i, (guid, data) in enumerate(want):
	    o = 0x12 + 50 * i
	    assert t[o:o + 16] == g(guid)
	    assert struct.unpack_from("<H", t, o + 16)[0] == 50
	    assert t[o + 18:o + 50] == hashlib.sha256(data).digest()
	EOT
'

test_expect_success 'Debian 12 OVMF (no SNP_KERNEL_HASHES) is refused with --kernel: why the pin is Debian 13' '
	test_expect_code 1 uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 \
		--ovmf /usr/share/ovmf/OVMF.fd --kernel kernel >out 2>err &&
	test ! -s out && test_grep "doesn.t include SNP_KERNEL_HASHES section" err
'
test_done
