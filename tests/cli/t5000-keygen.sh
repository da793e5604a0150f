#!/bin/sh
# uvmkit keygen: the four key files, their modes and formats (checked with
# openssl), the key ids, and that keys are never overwritten.
. "$(dirname "$0")/test-lib.sh"
. "$TOP/tests/cli/lib-sign.sh"
sign_require openssl jq python3

test_expect_success 'keygen writes the key pair files' '
	uvmkit keygen -o keys >out &&
	test_grep "^dsse_keyid=[0-9a-f]\{64\}$" out &&
	test_grep "^minisign_keyid=[0-9A-F]\{16\}$" out &&
	echo "600 dsse.key
644 dsse.pub
644 minisign.pub
600 sums.key" >expect &&
	(cd keys && stat -c "%a %n" dsse.key dsse.pub minisign.pub sums.key) >actual &&
	test_cmp expect actual
'
test_expect_success 'dsse.key is ECDSA P-256, sums.key is Ed25519 (openssl)' '
	openssl pkey -in keys/dsse.key -noout -text >t &&
	test_grep "ASN1 OID: prime256v1" t &&
	openssl pkey -in keys/sums.key -noout -text >t &&
	test_grep "ED25519 Private-Key" t &&
	openssl pkey -in keys/dsse.key -pubout >pub.pem &&
	test_cmp pub.pem keys/dsse.pub
'
test_expect_success 'dsse_keyid is the SHA-256 of the DER SPKI' '
	openssl pkey -pubin -in keys/dsse.pub -outform DER >spki.der &&
	echo "dsse_keyid=$(sha256sum <spki.der | cut -d" " -f1)" >expect &&
	grep ^dsse_keyid= out >actual &&
	test_cmp expect actual
'
test_expect_success 'minisign.pub holds the Ed25519 public key in minisign format' '
	id=$(sed -n "s/^minisign_keyid=//p" out) &&
	echo "untrusted comment: minisign public key $id" >expect &&
	head -n 1 keys/minisign.pub >actual &&
	test_cmp expect actual &&
	test "$(wc -l <keys/minisign.pub)" = 2 &&
	sed -n 2p keys/minisign.pub | base64 -d >blob &&
	test "$(stat -c %s blob)" = 42 &&
	test "$(head -c 2 blob)" = Ed &&
	tail -c 32 blob >pk &&
	openssl pkey -in keys/sums.key -pubout -outform DER | tail -c 32 >pk.expect &&
	cmp pk.expect pk &&
	head -c 10 blob | tail -c 8 | od -An -tx1 | tr -d " \n" >keynum &&
	python3 -c "import sys; b=bytes.fromhex(open(\"keynum\").read()); print(\"%016X\" % int.from_bytes(b, \"little\"))" >id.actual &&
	echo "$id" >id.expect &&
	test_cmp id.expect id.actual
'
test_expect_success 'keys are never overwritten' '
	cp -p keys/dsse.key keys/sums.key . &&
	test_expect_code 1 uvmkit keygen -o keys 2>err &&
	test_grep "exists; keys are never overwritten" err &&
	cmp dsse.key keys/dsse.key && cmp sums.key keys/sums.key &&
	mkdir part && touch part/minisign.pub &&
	test_expect_code 1 uvmkit keygen -o part 2>err &&
	test ! -e part/dsse.key && test ! -e part/sums.key
'
test_expect_success 'private keys are 0600 whatever the umask' '
	(umask 000 && uvmkit keygen -o keys2 >/dev/null) &&
	test "$(stat -c %a keys2/dsse.key keys2/sums.key | tr "\n" " ")" = "600 600 " &&
	! cmp -s keys/dsse.key keys2/dsse.key
'
test_expect_success 'keygen --json' '
	uvmkit keygen -o keys3 --json=short >j &&
	test "$(jq -r .dsse_pub j)" = dsse.pub &&
	jq -r .dsse_keyid j | grep -q "^[0-9a-f]\{64\}$"
'
test_expect_success 'usage errors' '
	test_expect_code 2 uvmkit keygen 2>err &&
	test_grep "KEYDIR is required" err &&
	test_expect_code 2 uvmkit keygen -o a b 2>err &&
	uvmkit keygen --help >out && test_grep "Usage: uvmkit keygen" out
'
test_done
