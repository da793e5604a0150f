#!/bin/sh
# uvmkit report verify against reference values: MEASUREMENT vs an unverified
# measurements.json (--measurements, naming the matching vCPU count/type;
# signed releases: t6005), --measurement,
# HOST_DATA (--host-data, --policy FILE = SHA-256 of the file), POLICY bits
# (debug, SMT, minimum ABI), --min-tcb, --min-fw, --report-data, --vmpl.
. "$(dirname "$0")/test-lib.sh"
# A sanitizer report must not pass for the "exit 1" the tests expect.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99" UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99"
test_require python3 sha256sum xxd
test_require_shared vectors/snp-reports
V=$SHARED/vectors/snp-reports
M=$V/mstav-milan-v3
MEAS=5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f98189887920ab2fa0096903a0c23fca1
HOST=4f4448c67f3c8dfc8de8a5e37125d807dadcc41f06cf23f615dbd52eec777d10
AT=2026-11-28
v() { uvmkit report verify "$M/report.bin" --certs "$M" --at $AT "$@"; }

# A build's measurements.json, as the release engineer's tooling writes it.
mkdir rel bad-rel empty-rel
cat >rel/measurements.json <<JSON
{"firmware_sha256":"$(printf a | sha256sum | cut -c1-64)","kernel_sha256":"$(printf b | sha256sum | cut -c1-64)",
 "initrd_sha256":null,"cmdline":"console=ttyS0",
 "measurements":[
  {"vcpus":1,"vcpu_type":"EPYC-Milan","vmm_type":"QEMU","guest_features":"0x1","launch_digest":"$(printf %096d 0)"},
  {"vcpus":4,"vcpu_type":"EPYC-Milan","vmm_type":"QEMU","guest_features":"0x1","launch_digest":"$MEAS"},
  {"vcpus":4,"vcpu_type":"EPYC-Genoa","vmm_type":"QEMU","guest_features":"0x1","launch_digest":"$(echo $MEAS | tr a-f A-F)"}
 ]}
JSON

test_expect_success '--measurements: MEASUREMENT found, matching vCPUs and types named' '
	v --measurements rel >out &&
	test_grep "^PASS  measurements-file .*vcpus=4 vcpu_type=EPYC-Milan vmm_type=QEMU guest_features=0x1; vcpus=4 vcpu_type=EPYC-Genoa" out &&
	test_grep "^result: PASS" out
'
test_expect_success '--measurements: MEASUREMENT not in the release fails' '
	python3 -c "import json; d=json.load(open(\"rel/measurements.json\")); d[\"measurements\"]=d[\"measurements\"][:1]; json.dump(d, open(\"bad-rel/measurements.json\",\"w\"))" &&
	test_expect_code 1 v --measurements bad-rel >out &&
	test_grep "^FAIL  measurements-file .*matches none of the 1 launch digests" out &&
	test_grep "^result: FAIL (1 of" out
'
test_expect_success '--measurements: missing or malformed measurements.json is one error line' '
	test_expect_code 1 v --measurements empty-rel >out 2>err && test ! -s out &&
	test "$(wc -l <err)" = 1 && test_grep "measurements.json: No such file" err &&
	echo "{" >empty-rel/measurements.json &&
	test_expect_code 1 v --measurements empty-rel >out 2>err && test "$(wc -l <err)" = 1 &&
	echo "{\"measurements\":[{\"launch_digest\":\"abc\"}]}" >empty-rel/measurements.json &&
	test_expect_code 1 v --measurements empty-rel 2>err && test_grep "launch_digest is not 96 hex" err &&
	echo "{\"measurements\":{}}" >empty-rel/measurements.json &&
	test_expect_code 1 v --measurements empty-rel 2>err && test_grep "no \"measurements\" (or" err
'
test_expect_success '--measurements: the release predicate (launch_digests) of manifest.intoto.json, or a file' '
	mkdir intoto &&
	python3 -c "import json; m=json.load(open(\"rel/measurements.json\"))[\"measurements\"]; json.dump({\"_type\":\"https://in-toto.io/Statement/v1\",\"predicate\":{\"launch_digests\":m}}, open(\"intoto/manifest.intoto.json\",\"w\"))" &&
	v --measurements intoto >out && test_grep "^PASS  measurements-file .*intoto/manifest.intoto.json (unverified): vcpus=4 vcpu_type=EPYC-Milan" out &&
	v --measurements rel/measurements.json >out && test_grep "^PASS  measurements-file" out
'
test_expect_success '--measurement: equal passes, different fails' '
	v --measurement $MEAS >out && test_grep "^PASS  measurement " out &&
	v --measurement 0x$MEAS >out &&
	test_expect_code 1 v --measurement $(printf %096d 1) >out && test_grep "^FAIL  measurement " out
'
test_expect_success '--host-data and --policy FILE (SHA-256 of the file)' '
	v --host-data $HOST >out && test_grep "^PASS  host-data " out &&
	test_expect_code 1 v --host-data $(printf %064d 0) >out && test_grep "^FAIL  host-data " out &&
	printf "package policy\n" >policy.rego &&
	test_expect_code 1 v --policy policy.rego >out &&
	test_grep "^FAIL  host-data .* != SHA-256 of policy.rego $(sha256sum policy.rego | cut -c1-64)" out &&
	test_expect_code 1 v --policy missing.rego >out 2>err && test "$(wc -l <err)" = 1
'
test_expect_success '--policy: a report whose HOST_DATA is the policy hash passes that check' '
	printf "package policy\ndefault allow := true\n" >p2.rego &&
	cp "$M/report.bin" hd.bin && chmod u+w hd.bin &&
	sha256sum p2.rego | cut -c1-64 | xxd -r -p | dd of=hd.bin bs=1 seek=$((0xC0)) conv=notrunc status=none &&
	test_expect_code 1 uvmkit report verify hd.bin --certs "$M" --at $AT --policy p2.rego >out &&
	test_grep "^PASS  host-data " out &&
	test_grep "^FAIL  report-signature " out
'
test_expect_success 'POLICY.DEBUG refused unless --allow-debug' '
	G=$V/gosev-milan-v2 &&
	test_expect_code 1 uvmkit report verify "$G/report.bin" --certs "$G" --at $AT >out &&
	test_grep "^FAIL  policy-debug .*DEBUG=1" out &&
	uvmkit report verify "$G/report.bin" --certs "$G" --at $AT --allow-debug >out &&
	test_grep "^PASS  policy-debug .*accepted by --allow-debug" out &&
	v >out && test_grep "^PASS  policy-debug .*DEBUG=0" out
'
test_expect_success '--no-smt: SMT enabled on the host fails' '
	test_expect_code 1 v --no-smt >out && test_grep "^FAIL  smt .*SMT_EN=1" out
'
test_expect_success '--min-abi against POLICY (0x3001f = ABI 0.31)' '
	v --min-abi 0.31 >out && test_grep "^PASS  policy-abi .*0.31 >= 0.31" out &&
	test_expect_code 1 v --min-abi 0.32 >out && test_grep "^FAIL  policy-abi" out &&
	test_expect_code 1 v --min-abi 1.0 >out
'
test_expect_success '--min-tcb (REPORTED_TCB bl 4 tee 0 snp 24 ucode 219), names or raw bytes' '
	v --min-tcb bl=4,tee=0,snp=24,ucode=219 >out && test_grep "^PASS  min-tcb .*ucode 219 >= 219" out &&
	v --min-tcb 04000000000018db >out && test_grep "^PASS  min-tcb" out &&
	v --min-tcb ucode=200 >out &&
	test_expect_code 1 v --min-tcb ucode=220 >out && test_grep "^FAIL  min-tcb .*ucode 219 < 220" out &&
	test_expect_code 1 v --min-tcb snp=25 >out
'
test_expect_success '--min-tcb on Turin includes fmc' '
	T=$V/routex-turin-v5 &&
	uvmkit report verify "$T/report.bin" --certs "$T/vcek_ask_ark.pem" --at $AT --min-tcb fmc=0,bl=1,tee=0,snp=2,ucode=71 >out &&
	test_grep "^PASS  min-tcb .*Turin layout.*fmc 0 >= 0" out &&
	test_expect_code 1 uvmkit report verify "$T/report.bin" --certs "$T/vcek_ask_ark.pem" --at $AT --min-tcb fmc=1 >out
'
test_expect_success '--min-fw against CURRENT firmware 1.55.29' '
	v --min-fw 1.55 >out && test_grep "^PASS  min-fw .*1.55.29 >= 1.55.0" out &&
	v --min-fw 1.55.29 >out &&
	test_expect_code 1 v --min-fw 1.55.30 >out && test_expect_code 1 v --min-fw 2.0 >out
'
test_expect_success '--report-data (zero-padded to 64 bytes) and --vmpl' '
	G=$V/gosev-milan-v2 &&
	uvmkit report verify "$G/report.bin" --certs "$G" --at $AT --allow-debug --report-data 0102030405 >out &&
	test_grep "^PASS  report-data " out &&
	test_expect_code 1 uvmkit report verify "$G/report.bin" --certs "$G" --at $AT --allow-debug --report-data 01020304 >out &&
	test_grep "^FAIL  report-data " out &&
	L=$V/trustee-milan-v3-vlek &&
	uvmkit report verify "$L/report.bin" --certs "$L/vlek.der" --certs "$V/trust/milan_ask_ark_asvk.pem" --at 2025-06-01 --vmpl 1 >out &&
	test_grep "^PASS  vmpl .*VMPL 1 = 1" out &&
	test_expect_code 1 v --vmpl 1 >out
'
test_expect_success 'all release checks together, JSON output' '
	v --measurements rel --measurement $MEAS --host-data $HOST --min-abi 0.31 --min-fw 1.55 \
		--min-tcb bl=4,snp=24,ucode=219 --report-data 00 --vmpl 0 --json=short >all.json &&
	python3 -c "import json; j=json.load(open(\"all.json\")); n=[c[\"name\"] for c in j[\"checks\"]]; assert j[\"result\"]==\"pass\" and j[\"failed\"]==0, j; assert all(x in n for x in [\"measurements-file\",\"measurement\",\"host-data\",\"policy-debug\",\"policy-abi\",\"min-fw\",\"min-tcb\",\"report-data\",\"vmpl\"]), n"
'
test_done
