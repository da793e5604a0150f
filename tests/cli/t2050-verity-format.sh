#!/bin/sh
# uvmkit verity format against veritysetup format: same root hash, same hash
# file bytes, same report, with and without superblock, hash offset, data
# blocks; never a random salt.
. "$(dirname "$0")/test-lib.sh"
test_require veritysetup python3

SALT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
UUID=6a2b0e7e-3d0c-4a39-9f3e-000000000003
python3 -c "
import os
with open('data.img','wb') as f: f.write(os.urandom(9*1024*1024))
"

test_expect_success 'superblock: hash file and report equal veritysetup' '
	uvmkit verity format --salt=$SALT --uuid=$UUID data.img ours.hash >ours.out &&
	veritysetup format --salt=$SALT --uuid=$UUID data.img ref.hash >ref.out &&
	cmp ours.hash ref.hash &&
	sed "s/ours.hash/X/" ours.out >a && sed "s/ref.hash/X/" ref.out >b &&
	test_cmp b a
'
test_expect_success 'no superblock (Kata): equal to veritysetup --no-superblock' '
	uvmkit verity format --no-superblock --salt=$SALT data.img ours2.hash >ours.out &&
	veritysetup format --no-superblock --salt=$SALT data.img ref2.hash >ref.out &&
	cmp ours2.hash ref2.hash &&
	grep "^Root hash:" ours.out >a && grep "^Root hash:" ref.out >b && test_cmp b a
'
test_expect_success 'data and hash in one file (--hash-offset, --data-blocks)' '
	cp data.img one.img && cp data.img one-ref.img &&
	uvmkit verity format --salt=$SALT --uuid=$UUID --hash-offset=8388608 \
		--data-blocks=2048 one.img one.img >ours.out &&
	veritysetup format --salt=$SALT --uuid=$UUID --hash-offset=8388608 \
		--data-blocks=2048 one-ref.img one-ref.img >ref.out &&
	cmp one.img one-ref.img &&
	grep "^Root hash:" ours.out >a && grep "^Root hash:" ref.out >b && test_cmp b a
'
test_expect_success 'a hash area overlapping the data is refused' '
	cp data.img ov.img &&
	test_expect_code 1 uvmkit verity format --salt=$SALT --hash-offset=4194304 ov.img ov.img 2>err &&
	test_grep "overlaps the data" err && cmp ov.img data.img
'
test_expect_success 'other hashes and block sizes' '
	uvmkit verity format --salt=ab --uuid=$UUID --hash=sha512 --hash-block-size=512 \
		data.img o3.hash >ours.out &&
	veritysetup format --salt=ab --uuid=$UUID --hash=sha512 --hash-block-size=512 \
		data.img r3.hash >ref.out &&
	cmp o3.hash r3.hash
'
test_expect_success 'data at an offset (own writer) equals veritysetup on the bare data' '
	{ head -c 1048576 /dev/zero && cat data.img; } >lead.img &&
	uvmkit verity format --salt=$SALT --uuid=$UUID --data-offset=1048576 \
		lead.img o4.hash >ours.out &&
	cmp o4.hash ref.hash
'
test_expect_success '--seed derives salt and UUID deterministically' '
	uvmkit verity format --seed=$(printf "%064d" 42) data.img s1.hash >s1.out &&
	uvmkit verity format --seed=$(printf "%064d" 42) data.img s2.hash >s2.out &&
	cmp s1.hash s2.hash &&
	SALT2=$(sed -n "s/^Salt: *\t//p" s1.out) && UUID2=$(sed -n "s/^UUID: *\t//p" s1.out) &&
	veritysetup format --salt=$SALT2 --uuid=$UUID2 data.img s3.hash >s3.out &&
	cmp s1.hash s3.hash
'
test_expect_success '--json carries every parameter' '
	uvmkit verity format --no-superblock --salt=$SALT --json=short data.img j.hash >j.json &&
	python3 -c "
import json; d = json.load(open(\"j.json\"))
assert d[\"hash_name\"] == \"sha256\" and d[\"data_blocks\"] == 2304, d
assert d[\"salt\"] == \"$SALT\" and d[\"superblock\"] is False and d[\"uuid\"] is None
assert d[\"hash_start_block\"] == 0 and d[\"data_sectors\"] == 2304 * 8
assert d[\"kernel_verity_params\"].startswith(\"root_hash=\" + d[\"root_hash\"] + \",salt=\")
"
'
test_expect_success 'no salt and no seed is a usage error (never random)' '
	test_expect_code 2 uvmkit verity format data.img x.hash 2>err &&
	test_grep "never picks a random salt" err
'
test_expect_success 'bad options are usage errors' '
	test_expect_code 2 uvmkit verity format --salt=xyz data.img x.hash 2>err &&
	test_expect_code 2 uvmkit verity format --uuid=nope --salt=ab data.img x.hash 2>err &&
	test_expect_code 2 uvmkit verity format --salt=ab data.img 2>err &&
	test_expect_code 2 uvmkit verity 2>err
'
test_expect_success 'data not a multiple of the block size is refused, no hash file left' '
	head -c 5000 /dev/zero >odd.img &&
	test_expect_code 1 uvmkit verity format --salt=ab odd.img x.hash 2>err &&
	test_grep "not a multiple of the data block size" err &&
	! test -e x.hash &&
	test_expect_code 1 uvmkit verity format --salt=ab --data-blocks=9999 data.img y.hash 2>err &&
	test $(wc -l <err) = 1 && ! test -e y.hash && test -z "$(ls -A | grep "^\.y")"
'
test_done
