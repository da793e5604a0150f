#!/bin/sh
# uvmkit measure error handling (spec section 9 and "What uvmkit must do"
# items 4-5): where the reference tool errors, crashes or accepts nonsense,
# uvmkit prints one clear line naming the problem, exits 1 (bad input) or 2
# (usage), and never prints a digest.
. "$(dirname "$0")/test-lib.sh"
test_require python3
test_require_shared vectors/snp/upstream
A="$SHARED/vectors/snp/upstream/ovmf_AmdSev_suffix.bin"
Q="--mode snp --vcpus 1 --vcpu-type EPYC-v4"

RESET='{"guid":"00f771de-1a7e-4fcb-890e-68c77e2fb44e","data_hex":"04b08000"}'
RESET0='{"guid":"00f771de-1a7e-4fcb-890e-68c77e2fb44e","data_hex":"00000000"}'
META='{"guid":"dc886566-984a-4798-a75e-5585a7bf67cc","data_hex":"00300000"}'
HASHES='{"guid":"7255371f-3a3b-4b04-927b-1da6efa8d454","data_hex":"000c810000040000"}'
HASHES_CROSS='{"guid":"7255371f-3a3b-4b04-927b-1da6efa8d454","data_hex":"800f810000040000"}'
HASHES_END='{"guid":"7255371f-3a3b-4b04-927b-1da6efa8d454","data_hex":"500f810000040000"}'
SEC='{"gpa":8388608,"size":8192,"type":1}'
KH='{"gpa":8400896,"size":4096,"type":16}'

# fw NAME SECTIONS TABLE [METADATA-EXTRA] [TOP-EXTRA]: a 16 KiB synthetic
# OVMF (vectors/snp/README.md recipe) with its ASEV header at offset 4096.
fw() {
	python3 "$TOP/tests/snp-vectors.py" synth "{\"size\":16384,\"fill\":\"mod251\",
		\"metadata\":{\"offset\":4096,\"signature\":\"ASEV\",\"version\":1,
		\"sections\":[$2]${4-}},\"table\":[$3]${5-}}" "$1"
}
# fails CODE MESSAGE ARGS...: exit CODE, empty stdout, MESSAGE in the first
# stderr line; exit-1 errors are exactly one line.
fails() {
	code=$1 msg=$2
	shift 2
	test_expect_code "$code" uvmkit measure "$@" >out 2>err || { cat err; return 1; }
	test ! -s out || { echo "stdout not empty:"; cat out; return 1; }
	head -n 1 err >err1 && test_grep "$msg" err1 &&
	if [ "$code" = 1 ]; then test "$(wc -l <err)" = 1 || { cat err; return 1; }; fi
}

test_expect_success 'setup: firmware images' '
	fw good.fd "$SEC,$KH" "$HASHES,$META,$RESET" &&
	uvmkit measure $Q --ovmf good.fd --kernel /dev/null >out &&
	test "$(wc -c <out)" = 97 &&
	: >empty.fd && head -c 40 "$A" >short.fd && { cat "$A" && head -c 904 /dev/zero; } >odd.fd &&
	head -c 65536 /dev/zero >nofooter.fd &&
	fw badsig.fd "$SEC" "$META,$RESET" ",\"signature\":\"XSEV\"" &&
	fw badver.fd "$SEC" "$META,$RESET" ",\"version\":2" &&
	fw shortlen.fd "$SEC" "{\"guid\":\"4c2eb361-7d9b-4cc3-8081-127c90d3d294\",\"data_hex\":\"\",\"len\":10},$META,$RESET" &&
	fw pastlen.fd "$SEC" "{\"guid\":\"4c2eb361-7d9b-4cc3-8081-127c90d3d294\",\"data_hex\":\"00\",\"len\":300},$META,$RESET" &&
	fw pasttotal.fd "$SEC" "$META,$RESET" "" ",\"footer_total\":65000" &&
	fw dup.fd "$SEC" "$RESET,$META,$RESET" &&
	fw unknown.fd "$SEC,{\"gpa\":8400896,\"size\":4096,\"type\":7}" "$META,$RESET" &&
	fw smallhdr.fd "$SEC,$SEC" "$META,$RESET" ",\"size_field\":20" &&
	fw manyitems.fd "$SEC" "$META,$RESET" ",\"num_items\":100000,\"size_field\":2000000" &&
	fw hdrout.fd "$SEC" "{\"guid\":\"dc886566-984a-4798-a75e-5585a7bf67cc\",\"data_hex\":\"00000100\"},$RESET" &&
	fw nohashentry.fd "$SEC,$KH" "$META,$RESET" &&
	fw cross.fd "$SEC,$KH" "$HASHES_CROSS,$META,$RESET" &&
	fw tableend.fd "$SEC,$KH" "$HASHES_END,$META,$RESET" &&
	fw khsize.fd "$SEC,{\"gpa\":8400896,\"size\":8192,\"type\":16}" "$HASHES,$META,$RESET" &&
	fw oddsec.fd "{\"gpa\":8388608,\"size\":6000,\"type\":1}" "$META,$RESET" &&
	fw eip0.fd "$SEC" "$META,$RESET0" &&
	fw noreset.fd "$SEC,$KH" "$HASHES,$META"
'
# Clean errors of the reference tool (exit 1).
test_expect_success 'no footer table: missing reset block' '
	fails 1 "Can.t find SEV_ES_RESET_BLOCK_GUID entry in OVMF table" $Q --ovmf nofooter.fd &&
	fails 1 "Can.t find SEV_ES_RESET_BLOCK_GUID" $Q --ovmf noreset.fd &&
	fails 1 "Can.t find SEV_ES_RESET_BLOCK_GUID" --mode seves --vcpus 1 --vcpu-type EPYC --ovmf noreset.fd
'
test_expect_success 'kernel without SNP_KERNEL_HASHES section' '
	fw nokh.fd "$SEC" "$HASHES,$META,$RESET" &&
	fails 1 "Kernel specified but OVMF metadata doesn.t include SNP_KERNEL_HASHES section" \
		$Q --ovmf nokh.fd --kernel /dev/null
'
test_expect_success 'kernel, SNP_KERNEL_HASHES section but no hashes table entry' '
	fails 1 "Can.t find SEV_HASH_TABLE_RV_GUID entry in OVMF table" $Q --ovmf nohashentry.fd --kernel /dev/null &&
	uvmkit measure $Q --ovmf nohashentry.fd >out && test "$(wc -c <out)" = 97
'
test_expect_success 'wrong ASEV signature or version: in every mode, no digest' '
	fails 1 "Wrong SEV metadata signature" $Q --ovmf badsig.fd &&
	fails 1 "Wrong SEV metadata signature" --mode snp:ovmf-hash --ovmf badsig.fd &&
	fails 1 "Wrong SEV metadata signature" --mode sev --ovmf badsig.fd &&
	fails 1 "Wrong SEV metadata version" $Q --ovmf badver.fd &&
	fails 1 "Wrong SEV metadata version" --mode snp:ovmf-hash --ovmf badver.fd
'
test_expect_success 'footer entry length < 18' '
	fails 1 "Invalid entry size 10" $Q --ovmf shortlen.fd
'
# Where the reference tool crashes or accepts nonsense.
test_expect_success 'firmware empty, too short, not a multiple of 4096' '
	fails 1 "empty.fd: firmware image is empty" $Q --ovmf empty.fd &&
	fails 1 "short.fd: firmware image is 40 bytes, too short" $Q --ovmf short.fd &&
	fails 1 "odd.fd: firmware image size 5000 is not a multiple of 4096" $Q --ovmf odd.fd &&
	fails 1 "not a multiple of 4096" --mode snp:ovmf-hash --ovmf odd.fd &&
	fails 1 "not a multiple of 4096" --mode sev --ovmf odd.fd
'
test_expect_success 'unknown section type: error when measured, snp:ovmf-hash still works' '
	fails 1 "section 1 at 0x803000 has unknown type 7" $Q --ovmf unknown.fd &&
	uvmkit measure --mode snp:ovmf-hash --ovmf unknown.fd >out && test "$(wc -c <out)" = 97
'
test_expect_success 'metadata size too small, descriptors or header outside the file' '
	fails 1 "header size 20 is too small for its 2 sections" $Q --ovmf smallhdr.fd &&
	fails 1 "100000 section descriptors run past the end" $Q --ovmf manyitems.fd &&
	fails 1 "puts the header outside" $Q --ovmf hdrout.fd
'
test_expect_success 'footer entry or table length running past the table/image' '
	fails 1 "length 300 runs past the table" $Q --ovmf pastlen.fd &&
	fails 1 "footer table length 65000 runs past the start" $Q --ovmf pasttotal.fd
'
test_expect_success 'a GUID twice in the footer table' '
	fails 1 "has entry 00f771de-1a7e-4fcb-890e-68c77e2fb44e twice" $Q --ovmf dup.fd
'
test_expect_success 'hashes table crossing its page; ending exactly at the page end is fine' '
	fails 1 "crosses its page" $Q --ovmf cross.fd --kernel /dev/null &&
	uvmkit measure $Q --ovmf tableend.fd --kernel /dev/null >out && test "$(wc -c <out)" = 97
'
test_expect_success 'SNP_KERNEL_HASHES size != 4096: error with a kernel, ZERO pages without' '
	fails 1 "must be exactly 4096" $Q --ovmf khsize.fd --kernel /dev/null &&
	uvmkit measure $Q --ovmf khsize.fd >out && test "$(wc -c <out)" = 97
'
test_expect_success 'multi-page section size not a multiple of 4096' '
	fails 1 "size 0x1770 is not a multiple of 4096" $Q --ovmf oddsec.fd
'
test_expect_success 'AP reset EIP 0: fine with 1 vCPU, error with more' '
	uvmkit measure $Q --ovmf eip0.fd >out && test "$(wc -c <out)" = 97 &&
	fails 1 "AP reset EIP 0" --mode snp --vcpus 2 --vcpu-type EPYC --ovmf eip0.fd &&
	fails 1 "AP reset EIP 0" --mode seves --vcpus 2 --vcpu-type EPYC --ovmf eip0.fd
'
test_expect_success '--snp-ovmf-hash: wrong length, non-hex, other mode; case and spaces accepted' '
	H=086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74 &&
	fails 2 "not 48 bytes of hex" $Q --ovmf "$A" --snp-ovmf-hash 086e2e91 &&
	fails 2 "not 48 bytes of hex" $Q --ovmf "$A" --snp-ovmf-hash "${H}00" &&
	fails 2 "not 48 bytes of hex" $Q --ovmf "$A" --snp-ovmf-hash "$(echo $H | tr 0 g)" &&
	fails 2 "not 48 bytes of hex" $Q --ovmf "$A" --snp-ovmf-hash "0$H" &&
	fails 2 "only be used with --mode snp" --mode seves --vcpus 1 --vcpu-type EPYC --ovmf "$A" --snp-ovmf-hash $H &&
	fails 2 "only be used with --mode snp" --mode sev --ovmf "$A" --snp-ovmf-hash $H &&
	uvmkit measure $Q --ovmf "$A" --snp-ovmf-hash $H >a &&
	uvmkit measure $Q --ovmf "$A" --snp-ovmf-hash "$(echo $H | tr a-f A-F | sed "s/\(..\)/\1 /g")" >b &&
	test_cmp a b
'
test_expect_success 'vCPU count < 1, --vcpu-family without model and stepping' '
	fails 2 "vCPU count must be 1" $Q --ovmf "$A" --vcpus 0 &&
	fails 2 "vCPU count must be 1" --mode snp --vcpus -1 --vcpu-type EPYC --ovmf "$A" &&
	fails 2 "vCPU count must be 1" --mode snp --vcpus 0-4 --vcpu-type EPYC --ovmf "$A" &&
	fails 2 "invalid value" --mode snp --vcpus 4-1 --vcpu-type EPYC --ovmf "$A" &&
	fails 2 "invalid value" --mode snp --vcpus x --vcpu-type EPYC --ovmf "$A" &&
	fails 2 "needs --vcpu-model and --vcpu-stepping" --mode snp --vcpus 1 --vcpu-family 25 --ovmf "$A" &&
	fails 2 "needs --vcpu-model and --vcpu-stepping" --mode snp --vcpus 1 --vcpu-family 25 --vcpu-model 1 --ovmf "$A"
'
test_expect_success 'missing or unreadable files name the file' '
	fails 1 "nonexistent.fd: No such file" $Q --ovmf nonexistent.fd &&
	fails 1 "no-kernel: No such file" $Q --ovmf good.fd --kernel no-kernel &&
	fails 1 "no-initrd: No such file" $Q --ovmf good.fd --kernel /dev/null --initrd no-initrd &&
	mkdir dir.fd && fails 1 "dir.fd: is a directory" $Q --ovmf dir.fd &&
	fails 1 "no-svsm: No such file" --mode snp:svsm --vcpus 1 --vcpu-type EPYC --ovmf good.fd \
		--svsm no-svsm --vars-size 4096 &&
	fails 1 "no-vars: No such file" --mode snp:svsm --vcpus 1 --vcpu-type EPYC --ovmf good.fd \
		--svsm good.fd --vars-file no-vars
'
# Usage errors of the reference tool (exit 2).
test_expect_success 'usage errors: required options and choices' '
	fails 2 "required: --mode" --ovmf "$A" &&
	fails 2 "required: --ovmf" --mode snp &&
	fails 2 "invalid choice: .tdx." --mode tdx --ovmf "$A" &&
	fails 2 "missing --vcpus N in guest mode .snp." --mode snp --vcpu-type EPYC --ovmf "$A" &&
	fails 2 "missing --vcpus N in guest mode .seves." --mode seves --vcpu-type EPYC --ovmf "$A" &&
	fails 2 "missing --vcpu-type or --vcpu-sig or --vcpu-family" --mode snp --vcpus 1 --ovmf "$A" &&
	fails 2 "unknown VMM type .qemu." $Q --vmm-type qemu --ovmf "$A" &&
	fails 2 "unknown VMM type .EC2." $Q --vmm-type EC2 --ovmf "$A" &&
	fails 2 "invalid choice: .epyc-v4." --mode snp --vcpus 1 --vcpu-type epyc-v4 --ovmf "$A" &&
	fails 2 "invalid choice: .EPYC-Genoa-v2." --mode snp --vcpus 1 --vcpu-type EPYC-Genoa-v2 --ovmf "$A" &&
	fails 2 "invalid choice: .EPYC-X." --mode snp:ovmf-hash --vcpu-type EPYC-v4,EPYC-X --ovmf "$A" &&
	fails 2 "output-format: invalid choice" $Q --ovmf "$A" --output-format HEX &&
	fails 2 "vars-file: not allowed with argument --vars-size" --mode snp:svsm --vcpus 1 \
		--vcpu-type EPYC --ovmf "$A" --svsm "$A" --vars-size 1 --vars-file "$A"
'
test_expect_success 'usage errors: --initrd/--append without --kernel' '
	fails 2 "--kernel required when using --initrd" $Q --ovmf "$A" --initrd /dev/null &&
	fails 2 "--kernel required when using --append" $Q --ovmf "$A" --append x &&
	fails 2 "--kernel required when using --append" --mode sev --ovmf "$A" --append x
'
test_expect_success 'usage errors: numbers' '
	fails 2 "guest-features: invalid value: .abc." $Q --ovmf "$A" --guest-features abc &&
	fails 2 "guest-features: invalid value" $Q --ovmf "$A" --guest-features 0x &&
	fails 2 "guest-features: -1 is not a 64-bit value" $Q --ovmf "$A" --guest-features -1 &&
	fails 2 "vcpu-sig: invalid int value" --mode snp --vcpus 1 --vcpu-sig zz --ovmf "$A" &&
	fails 2 "vcpu-model: invalid int value" --mode snp --vcpus 1 --vcpu-family 25 \
		--vcpu-model 0x1 --vcpu-stepping 1 --ovmf "$A"
'
test_expect_success 'usage errors: svsm without vars, --vars-size 0, --dump-vmsa with sev' '
	fails 2 "needs --svsm and a non-zero --vars-size" --mode snp:svsm --vcpus 1 --vcpu-type EPYC \
		--ovmf "$A" --svsm "$A" &&
	fails 2 "needs --svsm and a non-zero --vars-size" --mode snp:svsm --vcpus 1 --vcpu-type EPYC \
		--ovmf "$A" --svsm "$A" --vars-size 0 &&
	fails 2 "--dump-vmsa is not available in --mode sev" --mode sev --ovmf "$A" --dump-vmsa
'
test_expect_success 'accepted as the reference tool does' '
	uvmkit measure --mode snp --vcpus 1 --vcpu-sig 0 --ovmf "$A" >out && test -s out &&
	uvmkit measure --mode snp --vcpus 1 --vcpu-family 0 --vcpu-model 0 --vcpu-stepping 0 --ovmf "$A" >out2 &&
	test_cmp out out2 &&
	uvmkit measure $Q --ovmf "$A" --guest-features 0x8000000000000021 >out && test -s out &&
	uvmkit measure $Q --ovmf "$A" --guest-features 33 >a &&
	uvmkit measure $Q --ovmf "$A" --guest-features 0x21 >b && test_cmp a b &&
	uvmkit measure $Q --ovmf "$A" --kernel /dev/null --append "" >a &&
	uvmkit measure $Q --ovmf "$A" --kernel /dev/null >b && test_cmp a b &&
	uvmkit measure --mode snp:ovmf-hash --ovmf "$A" --vcpus 0 --output-format base64 -v >out &&
	test_grep "^086e2e91" out &&
	uvmkit measure $Q --vmm-type ec2 --vcpu-sig 0x123 --ovmf "$A" >a &&
	uvmkit measure --mode snp --vcpus 1 --vmm-type ec2 --ovmf "$A" >b && test_cmp a b
'
test_done
