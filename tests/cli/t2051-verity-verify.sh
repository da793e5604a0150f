#!/bin/sh
# uvmkit verity verify: accepts trees from veritysetup and from uvmkit,
# veritysetup accepts ours, and a flipped byte in data or hash fails with
# exit 1 naming the block.
. "$(dirname "$0")/test-lib.sh"
test_require veritysetup python3

SALT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
UUID=6a2b0e7e-3d0c-4a39-9f3e-000000000003
python3 -c "
import os
with open('data.img','wb') as f: f.write(os.urandom(8*1024*1024))
"
# flip FILE OFFSET: xor one byte with 0x40
flip() {
	python3 -c "
import sys
f = open(sys.argv[1], 'r+b'); f.seek(int(sys.argv[2])); b = f.read(1)
f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0x40]))" "$1" "$2"
}
root() { sed -n "s/^Root hash: *\t//p" "$1"; }

uvmkit verity format --salt=$SALT --uuid=$UUID data.img sb.hash >sb.out || exit 1
uvmkit verity format --no-superblock --salt=$SALT data.img ns.hash >ns.out || exit 1
RH=$(root sb.out)

test_expect_success 'veritysetup verify accepts our trees' '
	veritysetup verify data.img sb.hash $RH &&
	veritysetup verify --no-superblock --salt=$SALT --data-blocks=2048 data.img ns.hash $RH
'
test_expect_success 'uvmkit verify accepts veritysetup trees' '
	veritysetup format --salt=$SALT --uuid=$UUID data.img ref.hash >ref.out &&
	uvmkit verity verify data.img ref.hash $(root ref.out) &&
	uvmkit verity verify --no-superblock --salt=$SALT data.img ns.hash $RH
'
test_expect_success 'flipped data byte: exit 1, names data block 635' '
	cp data.img bad.img && flip bad.img $((635 * 4096 + 123)) &&
	test_expect_code 1 uvmkit verity verify bad.img sb.hash $RH 2>err &&
	test_grep "data block 635 is corrupted" err &&
	test_expect_code 2 veritysetup verify bad.img sb.hash $RH 2>/dev/null
'
test_expect_success 'flipped hash byte: exit 1, names the hash block and level' '
	cp ns.hash bad.hash && flip bad.hash $((5 * 4096 + 9)) &&
	test_expect_code 1 uvmkit verity verify --no-superblock --salt=$SALT data.img bad.hash $RH 2>err &&
	test_grep "hash block 5 (level 0) is corrupted" err
'
test_expect_success 'flipped top block: root hash mismatch, as the kernel says block 0' '
	cp ns.hash top.hash && flip top.hash 77 &&
	test_expect_code 1 uvmkit verity verify --no-superblock --salt=$SALT data.img top.hash $RH 2>err &&
	test_grep "hash block 0 (level 1, top) is corrupted" err
'
test_expect_success 'wrong root hash is rejected' '
	test_expect_code 1 uvmkit verity verify data.img sb.hash $(printf "%064d" 0) 2>err &&
	test_grep "root hash mismatch" err
'
test_expect_success 'options that contradict the superblock are rejected' '
	test_expect_code 1 uvmkit verity verify --salt=ab data.img sb.hash $RH 2>err &&
	test_grep "disagree with the superblock" err
'
test_expect_success 'no superblock where one is expected' '
	test_expect_code 1 uvmkit verity verify data.img ns.hash $RH 2>err &&
	test_grep "no verity superblock" err
'
test_expect_success 'verify --json' '
	uvmkit verity verify --json=short data.img sb.hash $RH >v.json &&
	python3 -c "import json; d = json.load(open(\"v.json\")); assert d[\"verified\"] is True"
'
test_done
