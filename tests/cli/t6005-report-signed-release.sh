#!/bin/sh
# uvmkit report verify --manifest DIR --pub KEYDIR: the release is verified
# first (signatures, SUMS, artifact digests, launch digests re-derived, as
# uvmkit verify does), then MEASUREMENT is looked up among the launch digests
# of its verified manifest. A tampered, re-keyed or forged release fails the
# "release" check; --manifest without keys is a usage error.
. "$(dirname "$0")/test-lib.sh"
# A sanitizer report must not pass for the "exit 1" the tests expect.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99" UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99"
test_require python3 xxd
test_require_shared vectors/snp-reports
test_require_shared vectors/snp/upstream
V=$SHARED/vectors/snp-reports
M=$V/mstav-milan-v3
AT=2026-11-28
REAL=5feee30d6d7e1a29f403d70a4198237ddfb13051a2d6976439487c609388ed7f98189887920ab2fa0096903a0c23fca1

# manifest DIR D4MILAN D4GENOA: DIR/manifest.intoto.json with two launch
# digests (4 vCPUs EPYC-Milan and EPYC-Genoa) of DIR's firmware/kernel/initrd.
manifest() {
	python3 - "$@" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
subj = []
for n in sorted(["OVMF.fd", "initrd.img", "vmlinuz"]):
    b = open(os.path.join(d, n), "rb").read()
    subj.append({"name": n, "digest": {"sha256": hashlib.sha256(b).hexdigest(),
                                       "sha384": hashlib.sha384(b).hexdigest()}})
def entry(t, dg):
    return {"vcpus": 4, "vcpu_type": t, "vmm_type": "QEMU", "guest_features": "0x1",
            "policy": "0x30000", "launch_digest": dg, "firmware": "OVMF.fd",
            "kernel": "vmlinuz", "initrd": "initrd.img", "cmdline": "console=ttyS0"}
st = {"_type": "https://in-toto.io/Statement/v1", "subject": subj,
      "predicateType": "https://uvmkit.dev/predicate/release/v0.1",
      "predicate": {"inputs": [], "launch_digests": [entry("EPYC-Milan", sys.argv[2]),
                                                     entry("EPYC-Genoa", sys.argv[3])],
                    "tool": {"name": "uvmkit", "version": "0.1.0"}}}
open(os.path.join(d, "manifest.intoto.json"), "w").write(
    json.dumps(st, separators=(",", ":"), sort_keys=True))
PY
}
digest() {
	uvmkit measure --mode snp --vcpus 4 --vcpu-type "$1" --ovmf rel/OVMF.fd \
		--kernel rel/vmlinuz --initrd rel/initrd.img --append console=ttyS0
}
# report_with DIGEST OUT: the real Milan report with MEASUREMENT replaced
# (its signature no longer verifies; every other check is unaffected).
report_with() {
	cp "$M/report.bin" "$2" && chmod u+w "$2" &&
	echo "$1" | xxd -r -p | dd of="$2" bs=1 seek=$((0x90)) conv=notrunc status=none
}
v() { r=$1; shift; uvmkit report verify "$r" --certs "$M" --at $AT --manifest rel --pub keys "$@"; }
fails() { # NAME...: exactly these checks failed (JSON output in j.json)
	python3 -c '
import json, sys
j = json.load(open("j.json"))
bad = sorted(c["name"] for c in j["checks"] if not c["pass"])
assert bad == sorted(sys.argv[1:]), bad' "$@"
}

test_expect_success 'setup: a signed release whose manifest holds two launch digests' '
	mkdir rel &&
	cp "$SHARED/vectors/snp/upstream/ovmf_AmdSev_suffix.bin" rel/OVMF.fd &&
	printf "kernel bytes" >rel/vmlinuz && printf "initrd bytes" >rel/initrd.img &&
	digest EPYC-Milan >d.milan && digest EPYC-Genoa >d.genoa &&
	manifest rel "$(cat d.milan)" "$(cat d.genoa)" &&
	uvmkit keygen -o keys >/dev/null && uvmkit sign --key keys rel >/dev/null &&
	uvmkit verify --pub keys rel >/dev/null &&
	report_with "$(cat d.milan)" r-milan.bin && report_with "$(cat d.genoa)" r-genoa.bin
'
test_expect_success 'release verified, MEASUREMENT found in it, vCPUs and type named' '
	test_expect_code 1 v r-milan.bin >out &&
	test_grep "^PASS  release .*rel verified with keys: .* launch digests re-derived" out &&
	test_grep "^PASS  manifest-measurement .*rel/manifest.intoto.json: vcpus=4 vcpu_type=EPYC-Milan vmm_type=QEMU guest_features=0x1$" out &&
	test_expect_code 1 v r-genoa.bin --json=short >j.json && fails report-signature &&
	test_expect_code 1 v r-genoa.bin >out &&
	test_grep "^PASS  manifest-measurement .*vcpu_type=EPYC-Genoa" out
'
test_expect_success 'a report of another image: MEASUREMENT matches none of the release digests' '
	test_expect_code 1 v "$M/report.bin" --json=short >j.json && fails manifest-measurement &&
	test_expect_code 1 v "$M/report.bin" >out &&
	test_grep "^FAIL  manifest-measurement .*$REAL matches none of the 2 launch digests" out
'
test_expect_success 'a forged digest (manifest edited after signing) fails the release check' '
	cp -r rel forged && cp -r rel save &&
	manifest forged "$REAL" "$(cat d.genoa)" &&
	test_expect_code 1 uvmkit report verify "$M/report.bin" --certs "$M" --at $AT \
		--manifest forged --pub keys --json=short >j.json && fails release &&
	test_expect_code 1 uvmkit report verify "$M/report.bin" --certs "$M" --at $AT \
		--manifest forged --pub keys >out &&
	test_grep "^FAIL  release .*does NOT verify.*differs from the signed payload" out
'
test_expect_success 'a changed artifact fails the release check (and its launch digest)' '
	printf X >>rel/vmlinuz &&
	test_expect_code 1 v r-milan.bin >out &&
	test_grep "^FAIL  release .*subject vmlinuz: sha256 is" out &&
	test_grep "^FAIL  release .*launch-digest" out &&
	rm -rf rel && cp -r save rel && v r-milan.bin --json=short >j.json; fails report-signature
'
test_expect_success 'keys of another signer fail the release check' '
	uvmkit keygen -o other >/dev/null &&
	test_expect_code 1 uvmkit report verify r-milan.bin --certs "$M" --at $AT --manifest rel \
		--pub other --json=short >j.json && fails release report-signature
'
test_expect_success 'usage: --manifest needs --pub, --pub needs --manifest' '
	test_expect_code 2 uvmkit report verify r-milan.bin --certs "$M" --manifest rel >out 2>err &&
	test ! -s out && test_grep "^uvmkit report: --manifest rel: give the release.s public keys with --pub KEYDIR" err &&
	test_expect_code 2 uvmkit report verify r-milan.bin --certs "$M" --pub keys 2>err &&
	test_grep "^uvmkit report: --pub needs --manifest DIR" err
'
test_expect_success 'missing public keys or release directory: one error line' '
	test_expect_code 1 uvmkit report verify r-milan.bin --certs "$M" --manifest rel --pub nokeys >out 2>err &&
	test ! -s out && test "$(wc -l <err)" = 1 && test_grep "nokeys" err &&
	test_expect_code 1 uvmkit report verify r-milan.bin --certs "$M" --at $AT --manifest norel --pub keys >out 2>err &&
	test_grep "^FAIL  release " out && test_grep "^FAIL  manifest-measurement .*no launch digests" out
'
test_done
