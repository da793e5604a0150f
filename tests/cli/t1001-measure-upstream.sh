#!/bin/sh
# uvmkit measure on the upstream sev-snp-measure fixtures: every expected
# value of spec Appendix A (tests/test_guest.py, re-run through the CLI).
. "$(dirname "$0")/test-lib.sh"
test_require_shared vectors/snp/upstream
F="$SHARED/vectors/snp/upstream"
A="$F/ovmf_AmdSev_suffix.bin"
X="$F/ovmf_OvmfX64_suffix.bin"
H=086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74
S="--mode snp"
T="--vcpu-type EPYC-v4"
E="--kernel /dev/null --initrd /dev/null --append="

# expect DIGEST ARGS...: stdout is exactly DIGEST and a newline, exit 0.
expect() {
	want=$1
	shift
	uvmkit measure "$@" >out &&
	echo "$want" >want &&
	test_cmp want out
}
# expect_error MESSAGE ARGS...: exit 1, nothing on stdout, MESSAGE on stderr.
expect_error() {
	msg=$1
	shift
	test_expect_code 1 uvmkit measure "$@" >out 2>err &&
	test ! -s out && test_grep "$msg" err && test "$(wc -l <err)" = 1
}

test_expect_success 'fixtures are the recorded files' '
	sha256sum "$A" "$X" "$F/svsm.bin" "$F/svsm_ovmf.fd" >sums &&
	test_grep "^8f765dfabc127fc0a938a0744a3103ec15864d7d794eb4c398aa976b6d6ab16c " sums &&
	test_grep "^b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da " sums &&
	test_grep "^287fcee67b501b072e4953b5006059d088b454e9197bc318885385acb233d5d1 " sums &&
	test_grep "^50d1bf8676c7fb2ff6b8e50cf8fc0491534de27c12d6345a2dcefef51cbac97e " sums
'
test_expect_success 'test_snp_ovmf_hash_full_default (1)' '
	expect $H --mode snp:ovmf-hash --ovmf "$A"
'
test_expect_success 'snp:ovmf-hash of OvmfX64' '
	expect b91e6fec73d2bcc57ad5fd400a426ce02731c22ea92bc894ce675e7c9921a822977d6cf025b85f8ef4f264bff8839d20 \
		--mode snp:ovmf-hash --ovmf "$X"
'
test_expect_success 'test_snp_ovmf_hash_gen_default' '
	expect 329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa41179ef98a7ef198 \
		$S --vcpus 1 $T --ovmf "$A" $E --guest-features 0x21 --snp-ovmf-hash $H
'
test_expect_success 'test_snp_ovmf_hash_gen_feature_snp_only' '
	expect ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a9079397fa3852819b5 \
		$S --vcpus 1 $T --ovmf "$A" $E --guest-features 0x1 --snp-ovmf-hash $H
'
test_expect_success 'test_snp_default, with and without the seed' '
	D=803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977 &&
	expect $D $S --vcpus 1 $T --ovmf "$A" --kernel /dev/null --initrd /dev/null \
		"--append=console=ttyS0 loglevel=7" --guest-features 0x21 &&
	expect $D $S --vcpus 1 $T --ovmf "$A" --kernel /dev/null --initrd /dev/null \
		"--append=console=ttyS0 loglevel=7" --guest-features 0x21 --snp-ovmf-hash $H
'
test_expect_success 'test_snp_guest_feature_snp_only' '
	expect 6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa \
		$S --vcpus 1 $T --ovmf "$A" --kernel /dev/null --initrd /dev/null \
		"--append=console=ttyS0 loglevel=7" --guest-features 0x1
'
test_expect_success 'test_snp_ec2_default / feature_snp_only' '
	expect 0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b71052498ab52b2f1aa415db338033946ef93aa8278c0d67fb \
		$S --vcpus 1 $T --ovmf "$A" $E --guest-features 0x21 --vmm-type ec2 &&
	expect 0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5056 \
		$S --vcpus 1 $T --ovmf "$A" $E --guest-features 0x1 --vmm-type ec2
'
test_expect_success 'test_snp_gce_default / with_multiple_vcpus' '
	expect 5da7106cf14cf46b1725ebab123eb9e53bd46a1e9f400cd0c08e7827b04b688ea8b4e403c8404efed4397ea5d5d0722e \
		$S --vcpus 1 --ovmf "$A" $E --guest-features 0x1 --vmm-type gce &&
	expect 5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d \
		$S --vcpus 4 --ovmf "$A" $E --guest-features 0x1 --vmm-type gce
'
test_expect_success 'test_snp_without_kernel (0x21, 0x1)' '
	expect e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0e2b \
		$S --vcpus 1 $T --ovmf "$A" --guest-features 0x21 &&
	expect 19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d \
		$S --vcpus 1 $T --ovmf "$A" --guest-features 0x1
'
test_expect_success 'test_snp_with_multiple_vcpus (0x21, 0x1)' '
	expect 4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631942 \
		$S --vcpus 4 $T --ovmf "$A" $E --guest-features 0x21 &&
	expect 5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5 \
		$S --vcpus 4 $T --ovmf "$A" $E --guest-features 0x1
'
test_expect_success 'test_snp_with_ovmfx64_without_kernel (0x21, 0x1)' '
	expect 28797ae0afaba4005a81e629acebfb59e6687949d6be44007cd5506823b0dd66f146aaae26ff291eed7b493d8a64c385 \
		$S --vcpus 1 $T --ovmf "$X" --guest-features 0x21 &&
	expect da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4005 \
		$S --vcpus 1 $T --ovmf "$X" --guest-features 0x1
'
test_expect_success 'test_snp_with_ovmfx64_and_kernel_should_fail' '
	expect_error "Kernel specified but OVMF metadata doesn.t include SNP_KERNEL_HASHES section" \
		$S --vcpus 1 $T --ovmf "$X" $E
'
test_expect_success 'test_seves / with_multiple_vcpus' '
	expect 13810ae661ea11e2bb205621f582fee268f0367c8f97bc297b7fadef3e12002c \
		--mode seves --vcpus 1 $T --ovmf "$A" $E &&
	expect 0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91 \
		--mode seves --vcpus 4 $T --ovmf "$A" $E
'
test_expect_success 'test_seves_with_ovmfx64_and_kernel_should_fail' '
	expect_error "Kernel specified but OVMF doesn.t support kernel/initrd/cmdline measurement" \
		--mode seves --vcpus 1 $T --ovmf "$X" $E
'
test_expect_success 'test_sev, test_sev_with_kernel_without_initrd_and_append' '
	expect 82a3ee5d537c3620628270c292ae30cb40c3c878666a7890ee7ef2a08fb535ff \
		--mode sev --ovmf "$A" --kernel /dev/null --initrd /dev/null \
		"--append=console=ttyS0 loglevel=7" &&
	expect 77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898 \
		--mode sev --ovmf "$A" --kernel /dev/null
'
test_expect_success 'test_sev_with_ovmfx64: kernel fails, none = sha256 of the file' '
	expect_error "Kernel specified but OVMF doesn.t support" --mode sev --ovmf "$X" $E &&
	expect b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da --mode sev --ovmf "$X"
'
test_expect_success 'test_snp_svsm_4_vcpus / 2_vcpus' '
	expect 27d154c27b7b359c935e250ec6fee72aa0ae8c1225e3b0e1cf46a9567e938066d7d6f94bbdc4a857818bdb79277a44b2 \
		--mode snp:svsm --vcpus 4 $T --ovmf "$F/svsm_ovmf.fd" --svsm "$F/svsm.bin" --vars-size 540672 &&
	expect 9b94745036aafddf4f7f8b00c7513abb5b7703178cb95aaa57928bd963d68d3bfcb715d6019b9167ee2517b11b0d9be7 \
		--mode snp:svsm --vcpus 2 $T --ovmf "$F/svsm_ovmf.fd" --svsm "$F/svsm.bin" --vars-size 540672
'
test_expect_success 'snp:svsm --vars-file of 540672 bytes = --vars-size 540672' '
	head -c 540672 /dev/zero >vars.fd &&
	expect 9b94745036aafddf4f7f8b00c7513abb5b7703178cb95aaa57928bd963d68d3bfcb715d6019b9167ee2517b11b0d9be7 \
		--mode snp:svsm --vcpus 2 $T --ovmf "$F/svsm_ovmf.fd" --svsm "$F/svsm.bin" --vars-file vars.fd
'
test_expect_success '--dump-vmsa writes vmsa0.bin..vmsa{N-1}.bin and no more (snp, seves, svsm)' '
	mkdir d1 d2 d3 &&
	(cd d1 && uvmkit measure $S --vcpus 3 $T --ovmf "$A" --dump-vmsa >/dev/null) &&
	(cd d2 && uvmkit measure --mode seves --vcpus 2 $T --ovmf "$A" --dump-vmsa >/dev/null) &&
	(cd d3 && uvmkit measure --mode snp:svsm --vcpus 4 $T --ovmf "$F/svsm_ovmf.fd" \
		--svsm "$F/svsm.bin" --vars-size 540672 --dump-vmsa >/dev/null) &&
	test "$(ls d1)" = "$(printf "vmsa0.bin\nvmsa1.bin\nvmsa2.bin")" &&
	test "$(ls d2)" = "$(printf "vmsa0.bin\nvmsa1.bin")" &&
	test "$(ls d3 | wc -l)" = 4 &&
	test "$(stat -c %s d1/vmsa0.bin)" = 4096 &&
	cmp d1/vmsa1.bin d1/vmsa2.bin && ! cmp -s d1/vmsa0.bin d1/vmsa1.bin
'
test_expect_success 'Go port cross-check: img_1/img_2 seeds with Debian OVMF.fd, ec2 (0.0.13 RDX)' '
	test -r /usr/share/ovmf/OVMF.fd || { echo "Debian ovmf package missing (deps/check-measure.txt)"; false; } &&
	expect 1c146f3083d66ad1648f842a62a65ad99b9fa4c8fe5b151b677f4923c1686004ce9ce3d1d9eda527f72bba78e6ceef67 \
		$S --vcpus 2 --vmm-type ec2 --ovmf /usr/share/ovmf/OVMF.fd \
		--snp-ovmf-hash a58211791a556a630a4319dc9e2ea96cc0e9784dd9f20a4fadf81b26c98d163fcdcb6703884bbbb80d7b1de45b3d84d0 &&
	expect ef89452c1af43e29da35f8707836be26dbdb70654e46cd81368d7e130ab583018b70319e90b5890b63e2294eed84e63d \
		$S --vcpus 2 --vmm-type ec2 --ovmf /usr/share/ovmf/OVMF.fd \
		--snp-ovmf-hash 2027a27bb9f7acfd280e4c7bd68a73973b94bf0756e5b282e004b9395f597b8d0eb4defa7d8f6549375aa4d2b146f0f3
'
test_done
