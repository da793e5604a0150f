#!/bin/sh
# uvmkit measure extensions: vCPU x type matrices, --json, --explain,
# --id-block and --dump-hashes-table. Every matrix line and JSON value is
# checked against a separate single-digest run or an independent tool
# (sha256sum, python3 json/base64), never against a recorded copy of itself.
. "$(dirname "$0")/test-lib.sh"
test_require python3
test_require_shared vectors/snp
F="$SHARED/vectors/snp/upstream"
A="$F/ovmf_AmdSev_suffix.bin"
K="$F/keyfile"

test_expect_success 'matrix: one line per combination, each equal to a single run' '
	uvmkit measure --mode snp --vcpus 1-3,16 --vcpu-type EPYC-v4,EPYC-Milan,EPYC-Turin \
		--ovmf "$A" --kernel /dev/null --append "ro quiet" >matrix &&
	test "$(wc -l <matrix)" = 12 &&
	head -n 3 matrix | cut -d" " -f1,2 >got &&
	printf "vcpus=1 vcpu_type=EPYC-v4\nvcpus=1 vcpu_type=EPYC-Milan\nvcpus=1 vcpu_type=EPYC-Turin\n" >want &&
	test_cmp want got &&
	while read -r v t d; do
		n=${v#vcpus=} && ty=${t#vcpu_type=} &&
		s=$(uvmkit measure --mode snp --vcpus $n --vcpu-type $ty --ovmf "$A" \
			--kernel /dev/null --append "ro quiet") &&
		test "$s" = "$d" || { echo "mismatch: $v $t"; exit 1; }
	done <matrix
'
test_expect_success 'matrix: ec2 without a type, base64 output, seves' '
	uvmkit measure --mode snp --vcpus 2,4 --vmm-type ec2 --ovmf "$A" --output-format base64 >m &&
	test "$(cut -d" " -f2 m | sort -u)" = "vcpu_type=-" &&
	test "$(sed -n 2p m | cut -d" " -f3)" = "$(uvmkit measure --mode snp --vcpus 4 --vmm-type ec2 \
		--ovmf "$A" --output-format base64)" &&
	uvmkit measure --mode seves --vcpus 1-4 --vcpu-type EPYC-v4 --ovmf "$A" --kernel /dev/null \
		--initrd /dev/null --append= >m &&
	test "$(sed -n 4p m)" = "vcpus=4 vcpu_type=EPYC-v4 0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91"
'
test_expect_success 'matrix: 1-64 x 4 CPU types = 256 lines; vCPU sig precedence kept' '
	uvmkit measure --mode snp --vcpus 1-64 --vcpu-type EPYC-v4,EPYC-Rome,EPYC-Milan,EPYC-Genoa \
		--ovmf "$A" >m &&
	test "$(wc -l <m)" = 256 && test "$(cut -d" " -f3 m | sort -u | wc -l)" = 256 &&
	uvmkit measure --mode snp --vcpus 2 --vcpu-type EPYC-v4,EPYC-Milan --vcpu-sig 0xa00f11 --ovmf "$A" >s &&
	test "$(cat s)" = "$(uvmkit measure --mode snp --vcpus 2 --vcpu-type EPYC-Milan --ovmf "$A")"
'
test_expect_success '--json: inputs, hashes table, intermediates and results' '
	printf "kernel-bytes" >k && printf "initrd-bytes" >i &&
	uvmkit measure --mode snp --vcpus 1,2 --vcpu-type EPYC-v4 --ovmf "$A" --kernel k --initrd i \
		--append "console=ttyS0 loglevel=7" --json >j &&
	uvmkit measure --mode snp:ovmf-hash --ovmf "$A" >fwhash &&
	uvmkit measure --mode snp --vcpus 2 --vcpu-type EPYC-v4 --ovmf "$A" --kernel k --initrd i \
		--append "console=ttyS0 loglevel=7" >d2 &&
	sha256sum k i "$A" | cut -d" " -f1 >sums &&
	python3 - <<-\EOF
	import base64, hashlib, json
	j = json.load(open("j"))
	s = open("sums").read().split()
	assert j["mode"] == "snp" and j["vmm_type"] == "QEMU" and j["guest_features"] == "0x1"
	assert j["inputs"]["kernel"]["sha256"] == s[0] and j["inputs"]["initrd"]["sha256"] == s[1]
	assert j["inputs"]["ovmf"]["sha256"] == s[2] and j["inputs"]["ovmf"]["size"] == 4096
	assert j["inputs"]["ovmf"]["sha384"] == hashlib.sha384(open("'"$A"'", "rb").read()).hexdigest()
	h = j["hashes_table"]
	assert h["kernel_sha256"] == s[0] and h["initrd_sha256"] == s[1]
	assert h["cmdline_sha256"] == hashlib.sha256(b"console=ttyS0 loglevel=7\0").hexdigest()
	assert h["page_gpa"] == "0x810000" and h["table_offset"] == "0xc00"
	t = bytes.fromhex(h["table"])
	assert len(t) == 176 and t[16:18] == b"\xa8\0" and t[-8:] == b"\0" * 8
	assert t[36:68].hex() == h["cmdline_sha256"] and t[0x88:0xa8].hex() == s[0]
	assert j["firmware_pages_digest"] == open("fwhash").read().strip()
	assert j["ap_reset_eip"] == "0x80b004"
	r = j["results"]
	assert [x["vcpus"] for x in r] == [1, 2] and r[0]["vcpu_sig"] == "0x800f12"
	assert r[1]["digest"] == open("d2").read().strip()
	assert base64.b64decode(r[1]["digest_base64"]).hex() == r[1]["digest"]
	assert "vmsa_ap_sha384" in r[1] and "vmsa_ap_sha384" not in r[0]
	EOF
'
test_expect_success '--json=short is one line; sev and snp:ovmf-hash have results too' '
	uvmkit measure --mode sev --ovmf "$A" --json=short >j && test "$(wc -l <j)" = 1 &&
	python3 -c "import json; j=json.load(open(\"j\")); assert j[\"results\"][0][\"digest\"] == \"$(sha256sum "$A" | cut -d" " -f1)\"" &&
	uvmkit measure --mode snp:ovmf-hash --ovmf "$A" --json=short >j &&
	python3 -c "import json; j=json.load(open(\"j\")); assert j[\"results\"][0][\"digest\"] == j[\"firmware_pages_digest\"]"
'
test_expect_success 'setup: pub-017 firmware (synthetic, 3 pages, AP EIP 0x12345678)' '
	python3 "$TOP/tests/snp-vectors.py" materialize "$SHARED/vectors/snp/public.json" in >/dev/null &&
	cp in/pub-017.FIRMWARE p17.fd
'
test_expect_success '--explain reproduces the worked example of spec section 1 (pub-017)' '
	uvmkit measure --mode snp --vcpus 2 --vcpu-family 25 --vcpu-model 17 --vcpu-stepping 0 \
		--ovmf p17.fd --explain >x &&
	test "$(wc -l <x)" = 7 &&
	sed -n 2p x | grep -q "^ *0 0x0000ffffd000 NORMAL .*firmware offset 0x0 *16ba747d8ef390d8476da05fc7b046e61205cd65ce0d63e11c270d9a289aa3e863caa5c7548cafa3bbbf0af80420b125 70ebcf976b917c9c0741a24d3da49db994cf01485a3c5638861f6cb4db48349172dd8c5b550c3eed66f76ee10d2cc4d8$" &&
	sed -n 3p x | grep -q " 2a6cb7ff" &&
	sed -n 4p x | grep -q " ed1a05f6" &&
	sed -n 5p x | grep -q "^ *3 0xfffffffff000 VMSA .*BSP.* 7d39672d[0-9a-f]* 15c6898f" &&
	sed -n 6p x | grep -q "^ *4 0xfffffffff000 VMSA .*AP.* 36958a72[0-9a-f]* 368c443e7dd74ffa315e74cbd698dc28d6369b3fe350d77f217a6054b9578d653f8de6306634f404cdd7df4874ec2534$" &&
	test "$(sed -n 7p x)" = 368c443e7dd74ffa315e74cbd698dc28d6369b3fe350d77f217a6054b9578d653f8de6306634f404cdd7df4874ec2534
'
test_expect_success '--explain shows where two measurements part ways' '
	uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$A" --kernel /dev/null \
		--append "a" --explain >x1 &&
	uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$A" --kernel /dev/null \
		--append "b" --explain >x2 &&
	diff x1 x2 | grep "^<" | head -n 1 >first &&
	test_grep "0x000000810000 NORMAL .*SNP_KERNEL_HASHES (hashes page)" first &&
	uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$A" --explain --json=short >xj &&
	python3 -c "import json; j=json.load(open(\"xj\")); c=j[\"chain\"]; assert len(c) == 33 and c[-1][\"ld\"] == j[\"results\"][0][\"digest\"] and c[0][\"page_type\"] == \"NORMAL\""
'
test_expect_success '--explain on a failing measurement prints nothing on stdout' '
	test_expect_code 1 uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 \
		--ovmf "$F/ovmf_OvmfX64_suffix.bin" --kernel /dev/null --explain >out 2>err &&
	test ! -s out && test_grep "SNP_KERNEL_HASHES" err
'
test_expect_success '--id-block: ID block of the digest, upstream key digests, signed auth' '
	uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$A" --id-block \
		--id-key "$K/id_key_test.pem" --author-key "$K/author_key_test.pem" >out &&
	test "$(wc -l <out)" = 4 &&
	d=$(head -n 1 out) &&
	test "$(sed -n 3p out)" = "id_key_hash: hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU" &&
	test "$(sed -n 4p out)" = "author_key: YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX" &&
	sed -n 2p out >line &&
	python3 - "$d" <<-\EOF
	import base64, sys
	line = open("line").read().strip()
	assert line.startswith("id-block=") and ",id-auth=" in line
	blk, auth = line[len("id-block="):].split(",id-auth=")
	b, a = base64.b64decode(blk), base64.b64decode(auth)
	assert len(b) == 96 and len(a) == 4096
	assert b[:48].hex() == sys.argv[1]
	assert b[48:80] == b"\0" * 32 and b[80:84] == b"\1\0\0\0" and b[88:96] == bytes.fromhex("0000030000000000")
	assert a[0:8] == b"\1\0\0\0\1\0\0\0" and a[0x240:0x244] == b"\2\0\0\0"
	EOF
'
test_expect_success '--id-block errors: keys missing, not P-384, matrix' '
	test_expect_code 2 uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC --ovmf "$A" --id-block \
		--id-key "$K/id_key_test.pem" >out 2>err && test ! -s out &&
	test_expect_code 1 uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC --ovmf "$A" --id-block \
		--id-key "$A" --author-key "$K/author_key_test.pem" >out 2>err && test ! -s out &&
	test_grep "not a PEM private key" err &&
	test_expect_code 2 uvmkit measure --mode snp --vcpus 1,2 --vcpu-type EPYC --ovmf "$A" --id-block \
		--id-key "$K/id_key_test.pem" --author-key "$K/author_key_test.pem" >out 2>err &&
	if command -v openssl >/dev/null; then
		openssl ecparam -name prime256v1 -genkey -noout -out p256.pem 2>/dev/null &&
		test_expect_code 1 uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC --ovmf "$A" \
			--id-block --id-key p256.pem --author-key "$K/author_key_test.pem" >out 2>err &&
		test ! -s out && test_grep "not an ECDSA P-384 key" err
	fi
'
test_expect_success '--dump-hashes-table writes the 176 measured bytes; nothing on error' '
	printf "kernel-bytes" >k &&
	uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$A" --kernel k \
		--append "console=ttyS0" --dump-hashes-table table.bin --json=short >j &&
	test "$(stat -c %s table.bin)" = 176 &&
	python3 -c "import json; assert json.load(open(\"j\"))[\"hashes_table\"][\"table\"] == open(\"table.bin\",\"rb\").read().hex()" &&
	test_expect_code 1 uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 \
		--ovmf "$F/ovmf_OvmfX64_suffix.bin" --kernel k --dump-hashes-table t2.bin 2>err &&
	test ! -e t2.bin && ls -a | grep -v -q "^\.t2" &&
	test_expect_code 2 uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf "$A" \
		--dump-hashes-table t3.bin 2>err && test ! -e t3.bin
'
test_expect_success '--help and --version' '
	uvmkit measure --help >out && test_grep "vcpus=N vcpu_type=T DIGEST" out &&
	uvmkit measure --version >out && echo "sev-snp-measure 0.0.13" >want && test_cmp want out
'
test_done
