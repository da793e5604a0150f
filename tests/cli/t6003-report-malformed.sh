#!/bin/sh
# uvmkit report: malformed reports, certificates and chains get one clear
# line on stderr, nothing on stdout and exit 1 — never a crash.
. "$(dirname "$0")/test-lib.sh"
# A sanitizer report must not pass for the "exit 1" the tests expect.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99" UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99"
test_require openssl python3 xxd
test_require_shared vectors/snp-reports
V=$SHARED/vectors/snp-reports
M=$V/mstav-milan-v3

# fails_cleanly PATTERN uvmkit-args...: exit 1, one stderr line matching
# PATTERN, empty stdout.
fails_cleanly() {
	pat=$1
	shift
	uvmkit report "$@" >fc.out 2>fc.err
	rc=$?
	echo "exit $rc: $(cat fc.err)"
	test $rc = 1 && test ! -s fc.out && test "$(wc -l <fc.err)" = 1 &&
		grep -q -e "$pat" fc.err
}

# patch FILE OFFSET HEXBYTES: overwrite bytes in place.
patch() {
	echo "$3" | xxd -r -p | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}
mutant() { cp "$M/report.bin" "$1" && chmod u+w "$1" && patch "$@"; }

test_expect_success 'empty and truncated reports' '
	: >empty.bin && fails_cleanly "truncated" show empty.bin &&
	head -c 1183 "$M/report.bin" >short.bin && fails_cleanly "truncated: 1183 bytes" show short.bin &&
	fails_cleanly "truncated" verify short.bin --certs "$M" &&
	fails_cleanly "truncated" show --offset 8 "$M/report.bin" &&
	fails_cleanly "truncated" show --offset 0x10000 "$M/report.bin"
'
test_expect_success 'wrong versions' '
	for v in 00000000 01000000 06000000 ffffffff; do
		mutant v.bin 0 $v && fails_cleanly "unsupported report VERSION" show v.bin || return 1
	done
'
test_expect_success 'SIGNATURE_ALGO and key-info reserved values' '
	mutant a.bin 0x34 02000000 && fails_cleanly "SIGNATURE_ALGO 2" show a.bin &&
	mutant k.bin 0x48 08000000 && fails_cleanly "SIGNING_KEY 2 is reserved" show k.bin &&
	mutant k.bin 0x48 20000000 && fails_cleanly "reserved bits 31:5" verify k.bin --certs "$M"
'
test_expect_success 'non-zero reserved fields (v2, v3, v5 ranges)' '
	mutant r.bin 0x4c 01 && fails_cleanly "reserved 0x04C is not zero" show r.bin &&
	mutant r.bin 0x19f 01 && fails_cleanly "reserved 0x18B..0x19F" show r.bin &&
	mutant r.bin 0x1f8 01 && fails_cleanly "reserved 0x1F8..0x29F" show r.bin &&
	mutant r.bin 0x49f 80 && fails_cleanly "reserved 0x330..0x49F" verify r.bin --certs "$M" &&
	mutant r.bin 0x2d0 01 && fails_cleanly "SIGNATURE.R bytes 48..71" show r.bin &&
	cp "$V/gosev-milan-v2/report.bin" g.bin && chmod u+w g.bin && patch g.bin 0x188 19 &&
	fails_cleanly "reserved 0x188..0x19F (v2)" show g.bin &&
	cp "$V/routex-turin-v5/report.bin" t.bin && chmod u+w t.bin && patch t.bin 0x208 01 &&
	fails_cleanly "reserved 0x208..0x29F (v5)" show t.bin
'
test_expect_success 'broken Azure HCL wrappers' '
	H=$V/azure-milan-v2-hcl/hcl-report.bin &&
	head -c 100 "$H" >h1.bin && fails_cleanly "HCL report truncated" show h1.bin &&
	cp "$H" h2.bin && chmod u+w h2.bin && patch h2.bin 8 ffff0000 &&
	fails_cleanly "report size .* inconsistent" show h2.bin &&
	cp "$H" h3.bin && chmod u+w h3.bin && patch h3.bin 0x4c0 00010000 &&
	fails_cleanly "runtime data: sizes inconsistent" show h3.bin &&
	fails_cleanly "unsupported report VERSION" show --offset 0 "$H"
'
test_expect_success 'random bytes, a directory, a missing file' '
	head -c 4000 /dev/urandom >rnd.bin && uvmkit report show rnd.bin >o 2>e; test $? = 1 &&
	test "$(wc -l <e)" = 1 &&
	fails_cleanly "directory" show "$M" &&
	fails_cleanly "No such file" show missing.bin
'
test_expect_success 'garbage PEM and DER certificates' '
	echo "not a certificate" >g.pem && fails_cleanly "not a PEM or DER X.509" verify "$M/report.bin" --certs g.pem &&
	printf -- "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" >b.pem &&
	fails_cleanly "certificate 1: malformed" verify "$M/report.bin" --certs b.pem &&
	head -c 700 "$M/vcek.pem" >t.pem && fails_cleanly "malformed" verify "$M/report.bin" --certs t.pem &&
	head -c 600 "$V/gosev-milan-v2/vcek.der" >t.der && fails_cleanly "not a PEM or DER" verify "$M/report.bin" --certs t.der &&
	{ cat "$V/gosev-milan-v2/vcek.der"; echo x; } >x.der && fails_cleanly "not a PEM or DER" verify "$M/report.bin" --certs x.der &&
	: >e.pem && fails_cleanly "empty" verify "$M/report.bin" --certs e.pem &&
	head -c 1300 /dev/urandom >r.der && fails_cleanly "not a PEM or DER" chain --certs r.der &&
	{ cat "$M/vcek.pem"; echo "-----BEGIN CERTIFICATE-----"; echo "@@@@"; echo "-----END CERTIFICATE-----"; } >mix.pem &&
	fails_cleanly "certificate 2: malformed" verify "$M/report.bin" --certs mix.pem
'
test_expect_success 'certificates that are not AMD VCEKs' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -keyout k.pem \
		-subj "/CN=example.com" -days 30 -out other.pem 2>/dev/null &&
	fails_cleanly "CN=example.com is not an AMD SEV-SNP certificate" verify "$M/report.bin" --certs other.pem &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout k.pem \
		-subj "/CN=SEV-VCEK" -days 30 -out p256.pem 2>/dev/null &&
	fails_cleanly "key is not EC P-384" verify "$M/report.bin" --certs p256.pem --certs "$M/ask.pem" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -subj "/CN=SEV-VCEK" -days 30 -out rsa.pem 2>/dev/null &&
	fails_cleanly "key is not EC P-384" verify "$M/report.bin" --certs rsa.pem &&
	fails_cleanly "no VCEK or VLEK" verify "$M/report.bin" --certs "$M/ask.pem" --certs "$M/ark.pem"
'
test_expect_success 'chains for the wrong product, or out of order' '
	fails_cleanly "product mismatch.*Genoa" verify "$M/report.bin" --certs "$M/vcek.pem" --certs "$V/trust/genoa_ask.pem" &&
	fails_cleanly "product mismatch" verify "$M/report.bin" --certs "$M/vcek.pem" --certs "$M/ask.pem" --certs "$V/trust/turin_ark.pem" &&
	fails_cleanly "product mismatch.*Genoa" verify "$V/mstav-genoa-v3/report.bin" --certs "$M" &&
	fails_cleanly "product mismatch" verify "$M/report.bin" --certs "$M" --product turin &&
	fails_cleanly "product mismatch" verify "$M/report.bin" --certs "$M/vcek.pem" --ark "$V/trust/genoa_ark.pem" &&
	fails_cleanly "exactly one ARK" verify "$M/report.bin" --certs "$M/vcek.pem" --ark "$M/ask.pem" &&
	fails_cleanly "exactly one ARK" verify "$M/report.bin" --certs "$M/ask.pem" --certs "$M/ark.pem" --ark "$M/vcek.pem" &&
	fails_cleanly "different VCEK/VLEK" verify "$M/report.bin" --certs "$M/vcek.pem" --certs "$V/gosev-milan-v2/vcek.der" &&
	fails_cleanly "product mismatch" chain --certs "$V/virtee-turin-chain-only/vcek.der" --certs "$V/trust/milan_ask.pem"
'
test_expect_success 'a chain bundle out of order (not leaf first)' '
	awk "/BEGIN/{n++} {print > (\"c\" n \".pem\")}" "$V/azure-milan-v2-hcl/vcek_ask_ark.pem" &&
	H=$V/azure-milan-v2-hcl/hcl-report.bin &&
	cat c3.pem c2.pem c1.pem >rev.pem && fails_cleanly "rev.pem: certificates out of order: the ASK (certificate 2) comes after the ARK" verify "$H" --certs rev.pem &&
	cat c1.pem c3.pem c2.pem >mid.pem && fails_cleanly "out of order: the ASK (certificate 3)" verify "$H" --certs mid.pem &&
	cat c2.pem c1.pem >vek2.pem && fails_cleanly "out of order: the VCEK (certificate 2) comes after the ASK" verify "$H" --certs vek2.pem &&
	cat "$M/ark.pem" "$M/ask.pem" >kds-rev.pem && fails_cleanly "out of order" verify "$M/report.bin" --certs "$M/vcek.pem" --certs kds-rev.pem &&
	cat c1.pem c2.pem c3.pem >ok.pem && uvmkit report verify "$H" --certs ok.pem --at 2026-11-28 >ok.out
'
test_expect_success 'an ARK that is not the pinned one' '
	openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -days 30 -out fake-ark.pem \
		-subj "/OU=Engineering/C=US/L=Santa Clara/ST=CA/O=Advanced Micro Devices/CN=ARK-Milan" 2>/dev/null &&
	test_expect_code 1 uvmkit report verify "$M/report.bin" --certs "$M/vcek.pem" --certs "$M/ask.pem" --certs fake-ark.pem >f.out &&
	test_grep "^FAIL  ark-pinned .*DIFFERS" f.out &&
	test_expect_code 1 uvmkit report verify "$M/report.bin" --certs "$M/vcek.pem" --certs "$M/ask.pem" --ark fake-ark.pem >f2.out &&
	test_grep "^FAIL  ark-signs-ask .*signature INVALID" f2.out
'
test_expect_success 'certificate directory without certificates, missing path' '
	mkdir nocerts && : >nocerts/readme.txt &&
	fails_cleanly "no \*.pem" verify "$M/report.bin" --certs nocerts &&
	fails_cleanly "No such file" verify "$M/report.bin" --certs missing.pem &&
	fails_cleanly "No such file" verify "$M/report.bin" --certs "$M" --ark missing.pem
'
test_expect_success 'usage errors exit 2' '
	test_expect_code 2 uvmkit report verify "$M/report.bin" 2>e && test_grep "certs is required" e &&
	test_expect_code 2 uvmkit report verify 2>e &&
	test_expect_code 2 uvmkit report verify x --certs y --at yesterday 2>e &&
	test_expect_code 2 uvmkit report verify x --certs y --measurement abc 2>e &&
	test_expect_code 2 uvmkit report verify x --certs y --host-data 00 2>e &&
	test_expect_code 2 uvmkit report verify x --certs y --host-data 00 --policy p 2>e &&
	test_expect_code 2 uvmkit report verify x --certs y --min-tcb bl=999 2>e &&
	test_expect_code 2 uvmkit report verify x --certs y --min-abi 1 2>e &&
	test_expect_code 2 uvmkit report verify x --certs y --min-fw 1.x 2>e &&
	test_expect_code 2 uvmkit report verify x --certs y --report-data 0 2>e &&
	test_expect_code 2 uvmkit report verify x --certs y --vmpl 4 2>e &&
	test_expect_code 2 uvmkit report chain x --certs y 2>e &&
	test_expect_code 2 uvmkit report show "$M/report.bin" --vmpl 0 >o 2>e && test ! -s o &&
	test_grep "vmpl is a release check: only with verify" e &&
	test_expect_code 2 uvmkit report chain --certs "$M" --measurements m.json 2>e &&
	test_grep "measurements is a release check" e
'
test_done
