#!/bin/sh
# uvmkit verify on the spec's vectors (made with the openssl CLI, not by
# uvmkit): the positive P-256 and Ed25519 releases verify, the negative
# P-384/SHA-384 one is reported as unsupported; plus the verb's errors.
. "$(dirname "$0")/test-lib.sh"
. "$TOP/tests/cli/lib-sign.sh"
test_require_shared vectors/signing
sign_require jq

# vector_release DIR KEYDIR ALG: a release dir + key dir from the vectors.
vector_release() {
	mkdir -p "$1" "$2" &&
	cp "$VEC/image.raw" "$VEC/kernel.img" "$VEC/SHA256SUMS" "$VEC/SHA384SUMS" \
		"$VEC/SHA256SUMS.minisig" "$VEC/SHA384SUMS.minisig" "$1/" &&
	cp "$VEC/statement.json" "$1/manifest.intoto.json" &&
	cp "$VEC/manifest.$3.dsse.json" "$1/manifest.dsse.json" &&
	cp "$VEC/manifest.$3.sigstore.json" "$1/manifest.sigstore.json" &&
	cp "$VEC/release.pub" "$2/minisign.pub" &&
	cp "$VEC/${3#NEG-}.pub.pem" "$2/dsse.pub" 2>/dev/null ||
	cp "$VEC/p384.pub.pem" "$2/dsse.pub"
}

test_expect_success 'the P-256 vector release verifies' '
	vector_release rel k p256 &&
	uvmkit verify --pub k rel >out 2>err &&
	test "$(grep -c "^ok " out)" = 9 &&
	test_grep "^skip launch-digest  *manifest.intoto.json: predicate type https://example.invalid/attestation/snp-reference-values/v0.1 is not uvmkit" out &&
	test_grep "verified, 1 check skipped" err
'
test_expect_success 'the Ed25519 vector release verifies' '
	vector_release rel-ed k-ed ed25519 &&
	uvmkit verify --pub k-ed rel-ed >out &&
	test_grep "^ok   dsse-signature   manifest.dsse.json: Ed25519 signature" out &&
	! grep -q ^FAIL out
'
test_expect_success 'NEG P-384/SHA-384: reported as unsupported, exit 1' '
	vector_release rel-384 k-384 NEG-p384-sha384 &&
	test_expect_code 1 uvmkit verify --pub k-384 rel-384 >out 2>err &&
	test_grep "^FAIL dsse-signature   manifest.dsse.json: ECDSA P-384 keys are not supported" out &&
	test_grep "^FAIL bundle-signature manifest.sigstore.json: ECDSA P-384 keys are not supported" out &&
	test_grep "rel-384: 3 checks FAILED" err
'
test_expect_success 'NEG with the P-256 key: the hint names another key' '
	cp k/dsse.pub k-384/dsse.pub &&
	test_expect_code 1 uvmkit verify --pub k-384 rel-384 >out &&
	test_grep "^FAIL bundle-signature manifest.sigstore.json: publicKey.hint 4cc344f7fa5f9960ce885d56981fad083a64b77a8ec0f20abed63f984aed7bf6 is not the pinned key 5f564e24" out
'
test_expect_success 'verify --json' '
	uvmkit verify --pub k --json=short rel >j &&
	jq -e ".ok == true and .failed == 0 and .skipped == 1 and (.checks | length) == 10" j &&
	jq -e "[.checks[] | select(.check == \"subject\") | .file] == [\"image.raw\", \"kernel.img\"]" j
'
test_expect_success 'missing signature files are named failures' '
	vector_release rel-miss k-miss p256 &&
	rm rel-miss/manifest.sigstore.json rel-miss/SHA384SUMS.minisig rel-miss/SHA256SUMS &&
	test_expect_code 1 uvmkit verify --pub k-miss rel-miss >out &&
	test_grep "^FAIL bundle-signature manifest.sigstore.json: .*No such file" out &&
	test_grep "^skip sums-signature   SHA384SUMS.minisig: not present" out &&
	test_grep "^FAIL sums-signature   SHA256SUMS: .*No such file" out &&
	test_grep "^FAIL manifest         manifest.intoto.json: valid, but not covered by both a verified DSSE envelope and a verified bundle" out
'
test_expect_success 'errors: usage, missing public keys' '
	test_expect_code 2 uvmkit verify rel 2>err && test_grep "--pub KEYDIR is required" err &&
	test_expect_code 2 uvmkit verify --pub k 2>err &&
	test_expect_code 1 uvmkit verify --pub nokeys rel 2>err &&
	test_grep "nokeys/dsse.pub" err &&
	mkdir k2 && cp k/dsse.pub k2/ && echo garbage >k2/minisign.pub &&
	test_expect_code 1 uvmkit verify --pub k2 rel 2>err &&
	test_grep "k2/minisign.pub: minisign public key" err &&
	uvmkit verify --help >out && test_grep "Usage: uvmkit verify" out
'
test_done
