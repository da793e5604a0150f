#!/bin/sh
# uvmkit verity cmdline: Kata's kernel_verity_params -> dm-mod.create command
# line, checked against vector pub-008 (shared/vectors/snp/public.json) and
# the parser rules of specs/kata-image.md §3.
. "$(dirname "$0")/test-lib.sh"
test_require python3
test_require_shared vectors/snp

test_expect_success 'pub-008: the command line starts with exactly our rendering' '
	python3 -c "
import json, re
d = json.load(open(\"$SHARED/vectors/snp/public.json\"))
app = [v for v in d[\"vectors\"] if \"dm-mod.create\" in ((v.get(\"inputs\") or {}).get(\"append\") or \"\")][0][\"inputs\"][\"append\"]
m = re.search(r\"verity 1 \\S+ \\S+ (\\d+) (\\d+) (\\d+) 0 sha256 ([0-9a-f]{64}) ([0-9a-f]{64})\", app)
dbs, hbs, n, root, salt = m.groups()
open(\"params\", \"w\").write(\"root_hash=%s,salt=%s,data_blocks=%s,data_block_size=%s,hash_block_size=%s\" % (root, salt, n, dbs, hbs))
open(\"append\", \"w\").write(app)
" &&
	uvmkit verity cmdline "$(cat params)" >out &&
	test $(wc -l <out) = 1 &&
	python3 -c "
ours = open(\"out\").read().rstrip(\"\\n\"); app = open(\"append\").read()
assert app.startswith(ours + \" \"), (ours, app)
assert \",ro,0 16384 verity 1 /dev/vda1 /dev/vda2 4096 4096 2048 0 sha256 \" in ours
"
'
test_expect_success 'the 128 MiB example: S = 8 * 32000 = 256000' '
	uvmkit verity cmdline "root_hash=$(printf %064d 1),salt=$(printf %064d 2),data_blocks=32000,data_block_size=4096,hash_block_size=4096" >out &&
	test_grep "^dm-mod.create=\"dm-verity,,,ro,0 256000 verity 1 /dev/vda1 /dev/vda2 4096 4096 32000 0 sha256 0*1 0*2\" root=/dev/dm-0 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4\$" out
'
test_expect_success 'a root_hash.txt file (with its newline) is accepted with @' '
	printf "root_hash=%s,salt=ab,data_blocks=2048,data_block_size=4096,hash_block_size=4096\n" $(printf %064d 3) >rh.txt &&
	uvmkit verity cmdline @rh.txt >out &&
	test_grep " 16384 verity 1 " out
'
test_expect_success 'empty params: verity off, root=/dev/vda1' '
	uvmkit verity cmdline "  " >out &&
	test_grep "^root=/dev/vda1 " out
'
test_expect_success 'Kata parser errors are one line, exit 1' '
	for p in "root_hash=ab,salt=,data_blocks=1,data_block_size=512,hash_block_size=512" \
		 "salt=ab,data_blocks=1,data_block_size=512,hash_block_size=512" \
		 "root_hash=ab,salt=cd,data_blocks=0,data_block_size=512,hash_block_size=512" \
		 "root_hash=ab,salt=cd,data_blocks=1,data_block_size=4000,hash_block_size=512" \
		 "root_hash=ab,salt=cd,data_blocks=1,data_block_size=512" \
		 "root_hash=ab,salt"; do
		test_expect_code 1 uvmkit verity cmdline "$p" 2>err || return 1
		test $(wc -l <err) = 1 || return 1
	done
'
test_expect_success 'uvmkit is stricter than Kata: the root hash must be 64 hex digits' '
	test_expect_code 1 uvmkit verity cmdline "root_hash=ab,salt=cd,data_blocks=1,data_block_size=512,hash_block_size=512" 2>err &&
	test_grep "64 hex digits" err
'
test_done
