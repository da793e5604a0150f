#!/bin/sh
# What uvmkit sign writes verifies with the real offline clients of
# specs/signing.md §4: sha256sum/sha384sum -c, minisign -V, signify-openbsd
# -V, the openssl + jq DSSE recipe, and @sigstore/verify on node.
. "$(dirname "$0")/test-lib.sh"
. "$TOP/tests/cli/lib-sign.sh"
test_require_shared vectors/signing
sign_require sha256sum sha384sum minisign signify-openbsd openssl jq node npm python3

test_expect_success 'setup: keys, a signed release' '
	uvmkit keygen -o keys >/dev/null &&
	make_release rel &&
	uvmkit sign --key keys rel >sign.json
'
test_expect_success 'sha256sum -c SHA256SUMS and sha384sum -c SHA384SUMS' '
	(cd rel && sha256sum --strict -c SHA256SUMS && sha384sum --strict -c SHA384SUMS) >out &&
	test "$(grep -c ": OK$" out)" = 8
'
test_expect_success 'minisign -V accepts both SUMS signatures and shows the trusted comment' '
	minisign -V -p keys/minisign.pub -m rel/SHA256SUMS -x rel/SHA256SUMS.minisig >out &&
	test_grep "Signature and comment signature verified" out &&
	test_grep "^Trusted comment: timestamp:[0-9]*	file:SHA256SUMS$" out &&
	minisign -V -p keys/minisign.pub -m rel/SHA384SUMS -x rel/SHA384SUMS.minisig >out &&
	test_grep "file:SHA384SUMS" out
'
test_expect_success 'signify-openbsd -V accepts the same .minisig files' '
	signify-openbsd -V -p keys/minisign.pub -x rel/SHA256SUMS.minisig -m rel/SHA256SUMS >out &&
	test_grep "Signature Verified" out &&
	signify-openbsd -V -p keys/minisign.pub -x rel/SHA384SUMS.minisig -m rel/SHA384SUMS
'
test_expect_success 'openssl + jq verify the DSSE envelope (PAE rebuilt by the spec recipe)' '
	dsse_openssl rel/manifest.dsse.json keys/dsse.pub sha256 >out &&
	test_grep "Verified OK" out
'
test_expect_success 'openssl + jq verify the envelope inside the Sigstore bundle' '
	jq .dsseEnvelope rel/manifest.sigstore.json >env.json &&
	dsse_openssl env.json keys/dsse.pub sha256 >out &&
	test_grep "Verified OK" out
'
test_expect_success 'install @sigstore/verify (npm, once, into the build directory)' '
	sigstore_setup
'
test_expect_success '@sigstore/verify accepts the bundle offline (key only, no tlog)' '
	sigstore_verify keys/dsse.pub rel/manifest.sigstore.json >out &&
	keyid=$(jq -r .dsse_keyid sign.json) &&
	test_grep "^OK keyid=$keyid predicateType=https://uvmkit.dev/predicate/release/v0.1$" out &&
	test "$(grep -c "^  subject " out)" = 4
'
test_expect_success 'the subjects @sigstore/verify prints match sha256sum of the files' '
	sed -n "s/^  subject \([^ ]*\) {\"sha256\":\"\([0-9a-f]*\)\".*/\2  \1/p" out >from-bundle &&
	(cd rel && sha256sum empty image.raw kernel.img) >expect &&
	test_cmp expect from-bundle
'
test_expect_success 'uvmkit verify accepts its own release' '
	uvmkit verify --pub keys rel >out &&
	test "$(grep -c "^ok " out)" = 11 &&
	! grep -q "^FAIL" out
'
test_done
