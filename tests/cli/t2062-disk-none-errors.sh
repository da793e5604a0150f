#!/bin/sh
# uvmkit disk --layout none (bare ext4 + hash tree) and bad input: one line,
# non-zero exit, nothing left under a final name.
. "$(dirname "$0")/test-lib.sh"
test_require mke2fs veritysetup python3

mkdir -p tree && echo hi >tree/hi || exit 1
mke2fs -q -t ext4 -b 4096 -d tree fs.ext4 8M >/dev/null || exit 1
field() { tr , '\n' <"$1" | sed -n "s/^$2=//p"; }

test_expect_success 'none: rootfs.img is the ext4 image, rootfs.verity the tree' '
	uvmkit disk --layout none --seed $(printf %064d 1) -o out fs.ext4 >/dev/null &&
	cmp out/rootfs.img fs.ext4 &&
	veritysetup verify --no-superblock --salt=$(field out/root_hash.txt salt) \
		out/rootfs.img out/rootfs.verity $(field out/root_hash.txt root_hash) &&
	test_grep " 16384 verity 1 /dev/vda /dev/vdb 4096 4096 2048 0 sha256 " out/cmdline.txt
'
test_expect_success '--json prints verity.json' '
	uvmkit disk --layout none --seed $(printf %064d 1) -o out2 --json=short fs.ext4 >j &&
	python3 -c "
import json; a = json.load(open(\"j\")); b = json.load(open(\"out2/verity.json\"))
assert a == b and a[\"layout\"] == \"none\" and a[\"verity\"][\"data_blocks\"] == 2048"
'
test_expect_success '--verify re-reads every layout and passes' '
	for l in kata gpt none; do
		uvmkit disk --verify --layout $l --seed $(printf %064d 2) -o v-$l fs.ext4 >/dev/null || return 1
	done
'
test_expect_success 'an image whose size is not a multiple of 4096: one line, no output' '
	head -c 10000 /dev/zero >odd.img &&
	test_expect_code 1 uvmkit disk -o bad odd.img 2>err &&
	test $(wc -l <err) = 1 && test_grep "not a positive multiple of 4096" err &&
	test -z "$(ls -A bad)"
'
test_expect_success 'a missing image: one line, no output' '
	test_expect_code 1 uvmkit disk -o bad2 missing.img 2>err &&
	test $(wc -l <err) = 1 && test_grep "missing.img" err &&
	! test -e bad2/rootfs.img
'
test_expect_success 'a failed run keeps the previous good output intact' '
	cp -r out keep && test_expect_code 1 uvmkit disk --layout none -o out odd.img 2>err &&
	for f in rootfs.img rootfs.verity root_hash.txt cmdline.txt verity.json; do
		cmp keep/$f out/$f || return 1
	done &&
	test -z "$(ls -A out | grep "^\\.")"
'
test_expect_success 'usage errors' '
	test_expect_code 2 uvmkit disk fs.ext4 2>err && test_grep "-o DIR" err &&
	test_expect_code 2 uvmkit disk --layout msdos -o x fs.ext4 2>err &&
	test_expect_code 2 uvmkit disk --seed 12 -o x fs.ext4 2>err &&
	test_expect_code 2 uvmkit disk -o x 2>err &&
	uvmkit disk --help >out.txt && test_grep "layout" out.txt
'
test_done
