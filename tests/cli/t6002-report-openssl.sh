#!/bin/sh
# uvmkit report verify agrees with the openssl command line on every case of
# vectors/snp-reports: the report signature (the recipe of the vectors'
# README: r/s little-endian -> DER with asn1parse, `openssl dgst -sha384
# -verify`) and the chain (`openssl verify -attime` with the pinned ARK).
. "$(dirname "$0")/test-lib.sh"
# A sanitizer report must not pass for the "exit 1" the tests expect.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99" UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99"
test_require python3 openssl xxd tac
test_require_shared vectors/snp-reports
V=$SHARED/vectors/snp-reports
AT=1795824000 # 2026-11-28T00:00:00Z

# name report offset vek generation chain...
python3 - "$V/cases.json" >cases.txt <<'PY'
import json, sys
for c in json.load(open(sys.argv[1])):
    print(c["name"], c["report"] or "-", c["report_offset"] if c["report"] else "-",
          c["vek"], c["generation"].lower(), *[f for f in c["chain"] if f != c["vek"]])
PY

# The README's recipe, verbatim apart from variable names.
openssl_sig() { # REPORT OFF VEK -> "Verified OK" / "Verification failure"
	dd if="$1" of=r.bin bs=1 skip="$2" count=1184 status=none &&
	head -c 672 r.bin >body.bin &&
	le() { dd if=r.bin bs=1 skip="$1" count=72 status=none | xxd -p -c1 | tac | tr -d '\n'; } &&
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "$(le 672)" "$(le 744)" >sig.cnf &&
	openssl asn1parse -genconf sig.cnf -out sig.der -noout &&
	openssl x509 -in "$3" -noout -pubkey >pub.pem &&
	openssl dgst -sha384 -verify pub.pem -signature sig.der body.bin 2>/dev/null
}

ours() { # CHECK-NAME uvmkit-args... -> PASS / FAIL
	name=$1
	shift
	# --allow-debug is a release check: verify only (the chain has no policy).
	case $1 in verify) dbg=--allow-debug ;; *) dbg= ;; esac
	(cd "$V" && uvmkit report "$@" --at @$AT $dbg) >ours.out
	sed -n "s/^\(PASS\|FAIL\)  $name .*/\1/p" ours.out
}

while read -r name report off vek gen chain; do
	[ "$report" = - ] && continue
	test_expect_success "report signature agrees with openssl: $name" '
		want=$(openssl_sig "$V/$report" "$off" "$V/$vek") ;
		certs="--certs $vek" && for f in $chain; do certs="$certs --certs $f"; done &&
		got=$(ours report-signature verify "$report" $certs) &&
		echo "openssl: $want, uvmkit: $got" &&
		case "$want/$got" in "Verified OK/PASS"|"Verification failure/FAIL") true ;; *) false ;; esac
	'
done <cases.txt

while read -r name report off vek gen chain; do
	test_expect_success "chain agrees with openssl verify -attime: $name" '
		: >untrusted.pem && for f in $chain; do cat "$V/$f" >>untrusted.pem; done &&
		case "$vek" in *.pem) cat "$V/$vek" >>untrusted.pem ;; esac &&
		if [ -s untrusted.pem ]; then u="-untrusted untrusted.pem"; else u=; fi &&
		if openssl verify -attime $AT -CAfile "$V/trust/${gen}_ark.pem" $u "$V/$vek" >ov.out 2>&1
		then want=PASS; else want=FAIL; fi &&
		certs="--certs $vek" && for f in $chain; do certs="$certs --certs $f"; done &&
		if [ "$report" = - ]; then got=$(ours chain-x509 chain $certs)
		else got=$(ours chain-x509 verify "$report" $certs); fi &&
		echo "openssl verify: $want, uvmkit: $got" && cat ov.out &&
		test "$want" = "$got"
	'
done <cases.txt

test_expect_success 'a changed REPORT_DATA byte: openssl and uvmkit both reject' '
	cp "$V/mstav-milan-v3/report.bin" bad.bin && chmod u+w bad.bin &&
	printf "\377" | dd of=bad.bin bs=1 seek=$((0x50)) conv=notrunc status=none &&
	test "$(openssl_sig bad.bin 0 "$V/mstav-milan-v3/vcek.pem")" = "Verification failure" &&
	test_expect_code 1 uvmkit report verify bad.bin --certs "$V/mstav-milan-v3" >bad.out &&
	test_grep "^FAIL  report-signature" bad.out &&
	test_grep "^PASS  ask-signs-vek" bad.out
'
test_done
