#!/bin/sh
# uvmkit report verify/chain: every case of vectors/snp-reports/cases.json
# (including the two altered VCEKs, the expired VLEK and the chain-only Turin
# VCEK) gives the recorded result for every check, at 2026-11-28.
. "$(dirname "$0")/test-lib.sh"
# A sanitizer report must not pass for the "exit 1" the tests expect.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99" UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99"
test_require python3 openssl
test_require_shared vectors/snp-reports
V=$SHARED/vectors/snp-reports
G=$TOP/tests/cli/t6001-report-verify-cases.golden

test_expect_success 'every case verifies as cases.json records it' '
	UVMKIT=$UVMKIT SHARED=$SHARED python3 "$TOP/tests/cli/lib-report-cases.py" verify
'
test_expect_success 'golden verify output: routex-turin-v5 (pass)' '
	(cd "$V" && uvmkit report verify routex-turin-v5/report.bin \
		--certs routex-turin-v5/vcek_ask_ark.pem --at 2026-11-28) >turin.out &&
	test_cmp_golden "$G/routex-turin-v5.stdout.exact" turin.out
'
test_expect_success 'golden verify output: NEG-trustee-octet (fails, exit 1)' '
	(cd "$V" && test_expect_code 1 uvmkit report verify trustee-milan-v2-vcek/report.bin \
		--certs trustee-milan-v2-vcek/NEG-vcek-other-chip-octetstring-hwid.der \
		--certs trust/milan_ask.pem --certs trust/milan_ark.pem --at 2026-11-28) >neg.out 2>neg.err &&
	test_cmp_golden "$G/NEG-trustee-octet.stdout.exact" neg.out &&
	test ! -s neg.err
'
test_expect_success 'expired VLEK: FAIL now and on 2026-11-28, PASS on 2025-06-01' '
	(cd "$V" && test_expect_code 1 uvmkit report verify trustee-milan-v3-vlek/report.bin \
		--certs trustee-milan-v3-vlek/vlek.der --certs trust/milan_ask_ark_asvk.pem) >now.out &&
	test_grep "^FAIL  vek-validity .*EXPIRED" now.out &&
	test_grep "^FAIL  chain-x509 .*certificate has expired" now.out &&
	(cd "$V" && uvmkit report verify trustee-milan-v3-vlek/report.bin \
		--certs trustee-milan-v3-vlek/vlek.der --certs trust/milan_ask_ark_asvk.pem \
		--at 2025-06-01T12:00:00Z) >then.out &&
	test_grep "^result: PASS" then.out &&
	(cd "$V" && uvmkit report verify trustee-milan-v3-vlek/report.bin \
		--certs trustee-milan-v3-vlek/vlek.der --certs trust/milan_ask_ark_asvk.pem \
		--at @1748736000) >epoch.out &&
	test_grep "^result: PASS" epoch.out
'
test_expect_success 'a directory of certificates works like the files' '
	uvmkit report verify "$V/mstav-genoa-v3/report.bin" --certs "$V/mstav-genoa-v3" --at 2026-11-28 >dir.out &&
	test_grep "^result: PASS (14 checks)" dir.out
'
test_expect_success 'separate certificate files may come in any order' '
	(cd "$V" && uvmkit report verify mstav-milan-v3/report.bin --certs mstav-milan-v3/ark.pem \
		--certs mstav-milan-v3/ask.pem --certs mstav-milan-v3/vcek.pem --at 2026-11-28) >any.out &&
	test_grep "^result: PASS" any.out
'
test_expect_success 'VCEK alone: the built-in ASK and pinned ARK complete the chain' '
	uvmkit report verify "$V/mstav-milan-v3/report.bin" --certs "$V/mstav-milan-v3/vcek.pem" --at 2026-11-28 >alone.out &&
	test_grep "^PASS  ark-signs-ask .*(built-in)" alone.out &&
	test_grep "^result: PASS" alone.out
'
test_expect_success '--ark with the pinned ARK file, and --product matching' '
	uvmkit report verify "$V/mstav-milan-v3/report.bin" --certs "$V/mstav-milan-v3/vcek.pem" \
		--ark "$V/trust/milan_ark.pem" --product milan --at 2026-11-28 >ark.out &&
	test_grep "^PASS  ark-pinned .*given with --ark" ark.out
'
test_expect_success 'verify --json: checks, failed count, result' '
	(cd "$V" && test_expect_code 1 uvmkit report verify gosev-milan-v2/report.bin --certs gosev-milan-v2 --at 2026-11-28 --json) >g.json &&
	python3 -c "import json; j=json.load(open(\"g.json\")); assert j[\"result\"]==\"fail\" and j[\"failed\"]==1, j; assert [c[\"name\"] for c in j[\"checks\"] if not c[\"pass\"]]==[\"policy-debug\"]"
'
test_expect_success 'a GHCB certificate table (configfs-tsm auxblob) as --certs' '
	for c in vcek ask ark; do openssl x509 -in "$V/mstav-milan-v3/$c.pem" -outform DER -out $c.der || return 1; done &&
	python3 -c "
import struct, uuid
g = [uuid.UUID(u).bytes_le for u in (\"63da758d-e664-4564-adc5-f4b93be8accd\",
     \"4ab7b379-bbac-4fe4-a02f-05aef327c782\", \"c0b406a4-a803-4952-9743-3fb6014cd0ae\")]
ders = [open(f, \"rb\").read() for f in (\"vcek.der\", \"ask.der\", \"ark.der\")]
off, tab, data = 4 * 24, b\"\", b\"\"
for gu, d in zip(g, ders):
    tab += gu + struct.pack(\"<II\", off + len(data), len(d)); data += d
open(\"auxblob\", \"wb\").write(tab + bytes(24) + data)
" &&
	uvmkit report verify "$V/mstav-milan-v3/report.bin" --certs auxblob --at 2026-11-28 >aux.out &&
	test_grep "^PASS  ask-signs-vek .*VCEK (auxblob\[1\])" aux.out &&
	test_grep "^result: PASS (14 checks)" aux.out
'
test_expect_success 'a CRL in a certificate directory is skipped' '
	mkdir crldir && cp "$V/mstav-milan-v3/"*.pem crldir/ &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout ca.key -subj /CN=test-ca -days 30 -out ca.pem 2>/dev/null &&
	: >index.txt &&
	printf "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ndefault_md=sha256\ndefault_crl_days=30\n" >ca.cnf &&
	openssl ca -gencrl -config ca.cnf -keyfile ca.key -cert ca.pem -out crldir/crl.pem 2>/dev/null &&
	openssl crl -in crldir/crl.pem -outform DER -out crldir/crl.der &&
	uvmkit report verify "$V/mstav-milan-v3/report.bin" --certs crldir --at 2026-11-28 >crl.out &&
	test_grep "^result: PASS" crl.out &&
	test_expect_code 1 uvmkit report verify "$V/mstav-milan-v3/report.bin" --certs crldir/crl.der 2>crl.err &&
	test_grep "not a PEM or DER X.509 certificate" crl.err
'
test_done
