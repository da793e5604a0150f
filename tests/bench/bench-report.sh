#!/bin/sh
# bench-report.sh — `uvmkit report verify` (chain + report signature + field
# bindings, one process) against the openssl command line doing the chain and
# the signature only (`openssl verify` + the vectors' README recipe: dd, xxd,
# asn1parse, x509 -pubkey, dgst -verify), on the same report, N times each.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${UVMKIT:=$top/build/uvmkit}" "${N:=30}"
V=$top/../shared/vectors/snp-reports/mstav-milan-v3
[ -d "$V" ] || { echo "skip: ../shared/vectors/snp-reports missing"; exit 0; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT && cd "$tmp" || exit 1

now_ms() { date +%s%3N; }
openssl_once() {
	openssl verify -CAfile "$V/ark.pem" -untrusted "$V/ask.pem" "$V/vcek.pem" >/dev/null &&
	head -c 672 "$V/report.bin" >body.bin &&
	le() { dd if="$V/report.bin" bs=1 skip="$1" count=72 status=none | xxd -p -c1 | tac | tr -d '\n'; } &&
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "$(le 672)" "$(le 744)" >sig.cnf &&
	openssl asn1parse -genconf sig.cnf -out sig.der -noout &&
	openssl x509 -in "$V/vcek.pem" -noout -pubkey >pub.pem &&
	openssl dgst -sha384 -verify pub.pem -signature sig.der body.bin >/dev/null
}

t0=$(now_ms)
i=0; while [ $i -lt "$N" ]; do "$UVMKIT" report verify "$V/report.bin" --certs "$V" >/dev/null || exit 1; i=$((i + 1)); done
t1=$(now_ms)
i=0; while [ $i -lt "$N" ]; do openssl_once || exit 1; i=$((i + 1)); done
t2=$(now_ms)
u=$(( (t1 - t0) * 1000 / N )) o=$(( (t2 - t1) * 1000 / N ))
echo "report verify, 1184-byte v3 Milan report + VCEK/ASK/ARK, $N runs each:"
echo "  uvmkit report verify: $((u / 1000)).$(printf %03d $((u % 1000))) ms/run (14 checks)"
echo "  openssl CLI (chain + signature): $((o / 1000)).$(printf %03d $((o % 1000))) ms/run"
echo "  ratio uvmkit/openssl: $(awk "BEGIN{printf \"%.2f\", $u/$o}")"
