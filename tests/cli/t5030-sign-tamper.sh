#!/bin/sh
# Tampering: a changed artifact, manifest byte, signature byte, SUMS byte,
# a wrong key and a truncated bundle are each rejected by `uvmkit verify`
# (exit 1, the failure named) AND by the real client that checks that part.
. "$(dirname "$0")/test-lib.sh"
. "$TOP/tests/cli/lib-sign.sh"
test_require_shared vectors/signing
sign_require sha256sum sha384sum minisign signify-openbsd openssl jq node npm python3

# fresh NAME: a pristine copy of the signed release in NAME/
fresh() { rm -rf "$1" && cp -a rel "$1"; }

test_expect_success 'setup: keys, a signed release, @sigstore/verify' '
	uvmkit keygen -o keys >/dev/null &&
	uvmkit keygen -o other >/dev/null &&
	make_release rel &&
	uvmkit sign --key keys rel >/dev/null &&
	uvmkit verify --pub keys rel >/dev/null &&
	sigstore_setup
'
test_expect_success 'changed artifact: uvmkit names it; sha256sum -c and sha384sum -c fail' '
	fresh t && flip_byte t/image.raw 3 &&
	test_expect_code 1 uvmkit verify --pub keys t >out 2>err &&
	test_grep "^FAIL subject  *image.raw: sha256 is [0-9a-f]\{64\}, the manifest says d28cb163" out &&
	test "$(grep -c ^FAIL out)" = 1 &&
	test_grep "1 check FAILED" err &&
	! (cd t && sha256sum -c SHA256SUMS) >out 2>&1 && test_grep "image.raw: FAILED" out &&
	! (cd t && sha384sum -c SHA384SUMS) >out 2>&1 && test_grep "image.raw: FAILED" out
'
test_expect_success 'appended artifact bytes are caught by both digests' '
	fresh t && printf x >>"t/disk image.raw" &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL subject  *disk image.raw: sha256" out &&
	! (cd t && sha256sum -c SHA256SUMS) >/dev/null 2>&1
'
test_expect_success 'manifest byte (the file): uvmkit; it no longer equals the signed payload' '
	fresh t && flip_byte t/manifest.intoto.json 300 &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL manifest  *manifest.intoto.json: " out &&
	jq -r .payload t/manifest.dsse.json | base64 -d >payload &&
	! cmp -s payload t/manifest.intoto.json
'
test_expect_success 'manifest byte (the signed payload): uvmkit, openssl and @sigstore/verify fail' '
	fresh t && flip_dsse t/manifest.dsse.json payload && flip_dsse t/manifest.sigstore.json payload &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL dsse-signature   manifest.dsse.json: ECDSA P-256 signature does not verify" out &&
	test_grep "^FAIL bundle-signature manifest.sigstore.json: ECDSA P-256 signature does not verify" out &&
	! dsse_openssl t/manifest.dsse.json keys/dsse.pub sha256 >out 2>&1 &&
	test_grep "Verification failure" out &&
	test_expect_code 1 sigstore_verify keys/dsse.pub t/manifest.sigstore.json 2>out &&
	test_grep "^FAIL SIGNATURE_ERROR" out
'
test_expect_success 'DSSE signature byte: uvmkit and openssl fail' '
	fresh t && flip_dsse t/manifest.dsse.json sig &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL dsse-signature   manifest.dsse.json" out &&
	test "$(grep -c ^FAIL out)" = 2 &&
	! dsse_openssl t/manifest.dsse.json keys/dsse.pub sha256 >/dev/null 2>&1
'
test_expect_success 'bundle signature byte: uvmkit and @sigstore/verify fail' '
	fresh t && flip_dsse t/manifest.sigstore.json sig &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL bundle-signature manifest.sigstore.json" out &&
	test_expect_code 1 sigstore_verify keys/dsse.pub t/manifest.sigstore.json 2>out &&
	test_grep "^FAIL SIGNATURE_ERROR" out
'
test_expect_success 'minisig signature byte (line 2): uvmkit, minisign and signify fail' '
	fresh t && flip_minisig t/SHA256SUMS.minisig 2 &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL sums-signature   SHA256SUMS.minisig: signature verification failed" out &&
	! minisign -V -p keys/minisign.pub -m t/SHA256SUMS -x t/SHA256SUMS.minisig >/dev/null 2>&1 &&
	! signify-openbsd -V -p keys/minisign.pub -x t/SHA256SUMS.minisig -m t/SHA256SUMS >/dev/null 2>&1
'
test_expect_success 'trusted comment or its signature (lines 3-4): uvmkit and minisign fail' '
	fresh t && flip_minisig t/SHA256SUMS.minisig 4 &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL sums-signature   SHA256SUMS.minisig: trusted comment signature verification failed" out &&
	! minisign -V -p keys/minisign.pub -m t/SHA256SUMS -x t/SHA256SUMS.minisig >out 2>&1 &&
	test_grep "Comment signature verification failed" out &&
	fresh t && sed -i "3s/timestamp:/timestamp:1/" t/SHA256SUMS.minisig &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL sums-signature   SHA256SUMS.minisig: trusted comment" out &&
	! minisign -V -p keys/minisign.pub -m t/SHA256SUMS -x t/SHA256SUMS.minisig >/dev/null 2>&1
'
test_expect_success 'SUMS byte: uvmkit, minisign and signify fail' '
	fresh t && flip_byte t/SHA256SUMS 10 &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL sums-signature   SHA256SUMS.minisig: signature verification failed" out &&
	test_grep "^FAIL sums  *SHA256SUMS: digest of .disk image.raw. differs from the manifest" out &&
	! minisign -V -p keys/minisign.pub -m t/SHA256SUMS -x t/SHA256SUMS.minisig >/dev/null 2>&1 &&
	! signify-openbsd -V -p keys/minisign.pub -x t/SHA256SUMS.minisig -m t/SHA256SUMS >/dev/null 2>&1
'
test_expect_success 'wrong key: uvmkit, openssl, @sigstore/verify, minisign, signify all fail' '
	test_expect_code 1 uvmkit verify --pub other rel >out &&
	test_grep "^FAIL dsse-signature   manifest.dsse.json: signature keyid [0-9a-f]* is not the pinned key" out &&
	test_grep "^FAIL bundle-signature manifest.sigstore.json: publicKey.hint" out &&
	test_grep "^FAIL sums-signature   SHA256SUMS.minisig: signed by key [0-9A-F]* not by the pinned key\|^FAIL sums-signature   SHA256SUMS.minisig: signed by key" out &&
	! dsse_openssl rel/manifest.dsse.json other/dsse.pub sha256 >/dev/null 2>&1 &&
	test_expect_code 1 sigstore_verify other/dsse.pub rel/manifest.sigstore.json 2>out &&
	test_grep "^FAIL PUBLIC_KEY_ERROR" out &&
	! minisign -V -p other/minisign.pub -m rel/SHA256SUMS -x rel/SHA256SUMS.minisig >/dev/null 2>&1 &&
	! signify-openbsd -V -p other/minisign.pub -x rel/SHA256SUMS.minisig -m rel/SHA256SUMS >/dev/null 2>&1
'
test_expect_success 'wrong key without the key id hints: still rejected on the signature' '
	fresh t &&
	jq "del(.signatures[0].keyid)" rel/manifest.dsse.json >t/manifest.dsse.json &&
	test_expect_code 1 uvmkit verify --pub other t >out &&
	test_grep "^FAIL dsse-signature   manifest.dsse.json: ECDSA P-256 signature does not verify" out
'
test_expect_success 'truncated bundle: uvmkit and @sigstore/verify fail' '
	fresh t && size=$(stat -c %s rel/manifest.sigstore.json) &&
	head -c $((size / 2)) rel/manifest.sigstore.json >t/manifest.sigstore.json &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL bundle-signature manifest.sigstore.json: Sigstore bundle: invalid JSON" out &&
	! sigstore_verify keys/dsse.pub t/manifest.sigstore.json >/dev/null 2>&1
'
test_expect_success 'bundle with two signatures: uvmkit and @sigstore/bundle refuse it' '
	fresh t &&
	jq ".dsseEnvelope.signatures += .dsseEnvelope.signatures" rel/manifest.sigstore.json >t/manifest.sigstore.json &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL bundle-signature manifest.sigstore.json: .*2 signatures; exactly one is expected" out &&
	! sigstore_verify keys/dsse.pub t/manifest.sigstore.json >/dev/null 2>&1
'
test_expect_success 'wrong payloadType: uvmkit and openssl (PAE covers the type) fail' '
	fresh t &&
	jq ".payloadType = \"application/json\"" rel/manifest.dsse.json >t/manifest.dsse.json &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL dsse-signature   manifest.dsse.json: payloadType is \"application/json\"" out &&
	! dsse_openssl t/manifest.dsse.json keys/dsse.pub sha256 >/dev/null 2>&1
'
test_expect_success 'a removed artifact is named' '
	fresh t && rm t/kernel.img &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL subject  *kernel.img: .*kernel.img: No such file" out
'
test_expect_success 'an artifact replaced by a FIFO or a symlink is refused, not read' '
	fresh t && rm t/kernel.img && mkfifo t/kernel.img &&
	test_expect_code 1 timeout 20 "$UVMKIT" verify --pub keys t >out &&
	test_grep "^FAIL subject  *kernel.img: .*kernel.img: not a regular file" out &&
	fresh t && rm t/kernel.img && ln -s ../rel/kernel.img t/kernel.img &&
	test_expect_code 1 uvmkit verify --pub keys t >out &&
	test_grep "^FAIL subject  *kernel.img: .*not a regular file" out &&
	fresh t && rm t/manifest.sigstore.json && mkfifo t/manifest.sigstore.json &&
	test_expect_code 1 timeout 20 "$UVMKIT" verify --pub keys t >out &&
	test_grep "^FAIL bundle-signature manifest.sigstore.json: .*not a regular file" out
'
test_done
