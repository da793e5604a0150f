#!/bin/sh
# uvmkit sign: the manifest it creates (subjects of every regular file,
# canonical bytes, digests equal to sha256sum/sha384sum), the JSON it
# prints, the files it writes, and its refusals.
. "$(dirname "$0")/test-lib.sh"
. "$TOP/tests/cli/lib-sign.sh"
sign_require openssl jq python3

test_expect_success 'setup' '
	uvmkit keygen -o keys >/dev/null &&
	make_release rel &&
	mkdir rel/subdir && ln -s image.raw rel/link &&
	printf x >rel/.hidden
'
test_expect_success 'sign creates the manifest and the signature files' '
	SOURCE_DATE_EPOCH=1764288000 uvmkit sign --key keys rel >out &&
	jq -e ".manifest.created == true and .manifest.subjects == 4" out &&
	jq -r ".files[].name" out >actual &&
	printf "%s\n" manifest.dsse.json manifest.sigstore.json SHA256SUMS \
		SHA256SUMS.minisig SHA384SUMS SHA384SUMS.minisig >expect &&
	test_cmp expect actual &&
	for f in $(cat expect) manifest.intoto.json; do test -f "rel/$f" || exit 1; done &&
	test "$(jq -r .trusted_comment out)" = "$(printf "timestamp:1764288000\tfile:SHA256SUMS")" &&
	test "$(jq -r .dsse_keyid out)" = "$(openssl pkey -pubin -in keys/dsse.pub -outform DER | sha256sum | cut -d" " -f1)"
'
test_expect_success 'the JSON lists the sha256 of each file written' '
	jq -r ".files[] | \"\(.sha256)  \(.name)\"" out >sums &&
	(cd rel && sha256sum -c ../sums) &&
	test "$(jq -r .manifest.sha256 out)" = "$(sha256sum <rel/manifest.intoto.json | cut -d" " -f1)"
'
test_expect_success 'subjects: every regular file but signatures, hidden files, links, dirs' '
	jq -r ".subject[].name" rel/manifest.intoto.json >actual &&
	printf "%s\n" "disk image.raw" empty image.raw kernel.img >expect &&
	test_cmp expect actual
'
test_expect_success 'subject digests equal sha256sum and sha384sum' '
	(cd rel && sha256sum "disk image.raw" empty image.raw kernel.img) >expect &&
	jq -r ".subject[] | \"\(.digest.sha256)  \(.name)\"" rel/manifest.intoto.json >actual &&
	test_cmp expect actual &&
	(cd rel && sha384sum "disk image.raw" empty image.raw kernel.img) >expect &&
	jq -r ".subject[] | \"\(.digest.sha384)  \(.name)\"" rel/manifest.intoto.json >actual &&
	test_cmp expect actual
'
test_expect_success 'SUMS files are exactly sha256sum / sha384sum output' '
	(cd rel && sha256sum "disk image.raw" empty image.raw kernel.img) >expect &&
	test_cmp expect rel/SHA256SUMS &&
	(cd rel && sha384sum "disk image.raw" empty image.raw kernel.img) >expect &&
	test_cmp expect rel/SHA384SUMS
'
test_expect_success 'the manifest is canonical JSON (python json.dumps, sorted, compact)' '
	python3 -c "
import json, sys
b = open(\"rel/manifest.intoto.json\", \"rb\").read()
c = json.dumps(json.loads(b), sort_keys=True, separators=(\",\", \":\"), ensure_ascii=False).encode()
sys.exit(0 if b == c else 1)" &&
	jq -e "._type == \"https://in-toto.io/Statement/v1\" and
	       .predicate.tool.name == \"uvmkit\" and .predicate.inputs == [] and
	       .predicate.launch_digests == []" rel/manifest.intoto.json
'
test_expect_success 'the envelope payload is the manifest; the bundle carries the same envelope' '
	jq -r .payload rel/manifest.dsse.json | base64 -d >payload &&
	cmp payload rel/manifest.intoto.json &&
	jq -c .dsseEnvelope rel/manifest.sigstore.json >a &&
	jq -c . rel/manifest.dsse.json >b &&
	test_cmp b a &&
	jq -e ".mediaType == \"application/vnd.dev.sigstore.bundle.v0.3+json\" and
	       .verificationMaterial.tlogEntries == [] and
	       .verificationMaterial.publicKey.hint == .dsseEnvelope.signatures[0].keyid and
	       (.dsseEnvelope.signatures | length) == 1" rel/manifest.sigstore.json
'
test_expect_success 'signing again keeps an existing manifest byte for byte' '
	cp rel/manifest.intoto.json m.before &&
	uvmkit sign --key keys --timestamp 5 --json=short rel >out2 &&
	jq -e ".manifest.created == false" out2 &&
	cmp m.before rel/manifest.intoto.json &&
	test_grep "timestamp:5	file:SHA256SUMS" rel/SHA256SUMS.minisig &&
	uvmkit verify --pub keys rel >v &&
	! grep -q "^FAIL" v
'
test_expect_success 'signing is deterministic except for the ECDSA signature' '
	mkdir d1 && cp rel/*.raw rel/*.img rel/empty d1/ && cp -a d1 d2 &&
	uvmkit sign --key keys --timestamp 7 d1 >/dev/null &&
	uvmkit sign --key keys --timestamp 7 d2 >/dev/null &&
	for f in manifest.intoto.json SHA256SUMS SHA384SUMS SHA256SUMS.minisig SHA384SUMS.minisig; do
		cmp d1/$f d2/$f || exit 1
	done &&
	! cmp -s d1/manifest.dsse.json d2/manifest.dsse.json
'
test_expect_success 'the manifest epoch is the default timestamp' '
	mkdir rel2 && printf a >rel2/a &&
	python3 -c "
import json
s = {\"_type\": \"https://in-toto.io/Statement/v1\", \"predicateType\": \"https://uvmkit.dev/predicate/release/v0.1\",
     \"predicate\": {\"tool\": {\"name\": \"uvmkit\", \"version\": \"t\"}, \"inputs\": [], \"launch_digests\": [], \"epoch\": 1234},
     \"subject\": [{\"name\": \"a\", \"digest\": {\"sha256\": \"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\",
                  \"sha384\": \"54a59b9f22b0b80880d8427e548b7c23abd873486e1f035dce9cd697e85175033caa88e6d57bc35efae0b5afd3145f31\"}}]}
open(\"rel2/manifest.intoto.json\", \"w\").write(json.dumps(s))" &&
	uvmkit sign --key keys rel2 >/dev/null &&
	test_grep "timestamp:1234	file:SHA256SUMS" rel2/SHA256SUMS.minisig
'
test_expect_success 'sign refuses a manifest that does not match the files' '
	cp rel/manifest.dsse.json dsse.before &&
	printf changed >rel/empty &&
	test_expect_code 1 uvmkit sign --key keys rel >out 2>err &&
	test_grep "rel/empty: does not match its digest in manifest.intoto.json" err &&
	test ! -s out &&
	cmp dsse.before rel/manifest.dsse.json &&
	printf "" >rel/empty
'
test_expect_success 'sign refuses an invalid manifest, naming the field' '
	mkdir rel3 && printf a >rel3/a &&
	echo "{\"_type\":\"https://in-toto.io/Statement/v1\"}" >rel3/manifest.intoto.json &&
	test_expect_code 1 uvmkit sign --key keys rel3 2>err &&
	test_grep "manifest.intoto.json: manifest: predicateType must be a string" err &&
	test ! -e rel3/manifest.dsse.json && test ! -e rel3/SHA256SUMS
'
test_expect_success 'a name sha256sum would escape is refused' '
	mkdir rel4 && printf a >"rel4/a
b" &&
	test_expect_code 1 uvmkit sign --key keys rel4 2>err &&
	test_grep "cannot be a release artifact" err &&
	test ! -e rel4/manifest.intoto.json
'
test_expect_success 'errors: usage, missing keys, no directory, empty directory' '
	test_expect_code 2 uvmkit sign rel 2>err && test_grep "--key KEYDIR is required" err &&
	test_expect_code 2 uvmkit sign --key keys 2>err &&
	test_expect_code 2 uvmkit sign --key keys --json=off rel 2>err &&
	test_expect_code 2 uvmkit sign --key keys --timestamp x rel 2>err &&
	test_expect_code 1 uvmkit sign --key nokeys rel 2>err && test_grep "nokeys/dsse.key" err &&
	test_expect_code 1 uvmkit sign --key keys nodir 2>err && test_grep "nodir" err &&
	mkdir emptydir &&
	test_expect_code 1 uvmkit sign --key keys emptydir 2>err && test_grep "no artifacts" err &&
	test "$(ls -A emptydir)" = "" &&
	uvmkit sign --help >out && test_grep "Usage: uvmkit sign" out
'
test_done
