#!/bin/sh
# uvmkit rootfs: the three layouts from a varied source tree; e2fsck -fn
# clean, veritysetup verify accepts the partitions with the emitted
# parameters, uvmkit verity verify names a flipped block, Kata's one-line
# root_hash.txt and cmdline, --json, atomic output.
. "$(dirname "$0")/test-lib.sh"
test_require e2fsck debugfs veritysetup sfdisk python3 setfattr

"$TOP/tests/cli/lib-rootfs-tree.py" src || exit 1
SEED=$(printf "%064d" 21)
# field FILE KEY: a value of root_hash.txt
field() { tr , '\n' <"$1" | sed -n "s/^$2=//p"; }
# part DISK N: "start size" (sectors) of partition N
part() {
	sfdisk --json "$1" | python3 -c "
import json, sys
p = json.load(sys.stdin)['partitiontable']['partitions'][$2 - 1]
print(p['start'], p['size'])"
}
extract() { # DISK N OUT
	set -- "$1" "$2" "$3" $(part "$1" "$2") &&
	dd if="$1" of="$3" bs=512 skip=$4 count=$5 status=none
}

test_expect_success 'kata (default): the four files, nothing else' '
	uvmkit rootfs --epoch 1704067200 -o kata src >stdout &&
	ls -A kata >ls.out && printf "%s\n" cmdline.txt root_hash.txt rootfs.img verity.json >want &&
	test_cmp want ls.out &&
	test_grep "^layout=kata$" stdout && test_grep "^root_hash=[0-9a-f]\{64\}$" stdout &&
	test "$(stat -c %a kata/rootfs.img)" = 644
'
test_expect_success 'kata: root_hash.txt is Kata'"'"'s line; MBR p1 at 1 MiB, disk a multiple of 128 MiB' '
	test $(wc -l <kata/root_hash.txt) = 1 &&
	test_grep "^root_hash=[0-9a-f]\{64\},salt=[0-9a-f]\{64\},data_blocks=[0-9]*,data_block_size=4096,hash_block_size=4096\$" kata/root_hash.txt &&
	test "$(part kata/rootfs.img 1 | cut -d" " -f1)" = 2048 &&
	test $(( $(stat -c %s kata/rootfs.img) % (128 << 20) )) = 0 &&
	test $(( $(part kata/rootfs.img 1 | cut -d" " -f2) / 8 )) = $(field kata/root_hash.txt data_blocks)
'
test_expect_success 'kata: e2fsck -fn clean on p1 (the filesystem fills p1)' '
	extract kata/rootfs.img 1 p1 && extract kata/rootfs.img 2 p2 &&
	e2fsck -fn p1 >fsck.out 2>&1 &&
	dumpe2fs -h p1 2>/dev/null >sb &&
	test_grep "^Block count: *$(field kata/root_hash.txt data_blocks)$" sb &&
	test_grep "^Filesystem created: *Mon Jan  1 00:00:00 2024$" sb &&
	test_grep "^Last write time: *Mon Jan  1 00:00:00 2024$" sb &&
	test_grep "^Lifetime writes: *0\|^Filesystem features" sb
'
test_expect_success 'kata: veritysetup verify accepts p1/p2 with the emitted parameters' '
	veritysetup verify --no-superblock --salt=$(field kata/root_hash.txt salt) \
		--data-blocks=$(field kata/root_hash.txt data_blocks) \
		--data-block-size=4096 --hash-block-size=4096 --hash=sha256 \
		p1 p2 $(field kata/root_hash.txt root_hash)
'
test_expect_success 'kata: cmdline.txt is the dm-mod.create line for these parameters' '
	RH=$(field kata/root_hash.txt root_hash) && SALT=$(field kata/root_hash.txt salt) &&
	N=$(field kata/root_hash.txt data_blocks) &&
	printf "%s\n" "dm-mod.create=\"dm-verity,,,ro,0 $((N * 8)) verity 1 /dev/vda1 /dev/vda2 4096 4096 $N 0 sha256 $RH $SALT\" root=/dev/dm-0 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4" >want &&
	test_cmp want kata/cmdline.txt &&
	python3 -c "import json; d = json.load(open(\"kata/verity.json\")); assert d[\"layout\"] == \"kata\" and d[\"verity\"][\"root_hash\"] == \"$RH\""
'
test_expect_success 'none: bare ext4 + hash tree; veritysetup and e2fsck accept them' '
	uvmkit rootfs --layout none --seed $SEED -o none src >/dev/null &&
	ls -A none >ls.out && printf "%s\n" cmdline.txt root_hash.txt rootfs.img rootfs.verity verity.json >want &&
	test_cmp want ls.out &&
	e2fsck -fn none/rootfs.img >fsck.out 2>&1 &&
	veritysetup verify --no-superblock --salt=$(field none/root_hash.txt salt) \
		none/rootfs.img none/rootfs.verity $(field none/root_hash.txt root_hash) &&
	test "$(field none/root_hash.txt data_blocks)" = $(( $(stat -c %s none/rootfs.img) / 4096 ))
'
test_expect_success 'gpt: DPS partitions, superblock; veritysetup reads its parameters from it' '
	uvmkit rootfs --layout gpt --seed $SEED -o gpt src >/dev/null &&
	sfdisk --verify gpt/rootfs.img >v.out 2>&1 &&
	extract gpt/rootfs.img 1 g1 && extract gpt/rootfs.img 2 g2 &&
	e2fsck -fn g1 >fsck.out 2>&1 &&
	veritysetup verify g1 g2 $(field gpt/root_hash.txt root_hash) &&
	RH=$(field gpt/root_hash.txt root_hash) &&
	sfdisk --json gpt/rootfs.img >pt.json &&
	python3 -c "
import json; p = json.load(open(\"pt.json\"))[\"partitiontable\"][\"partitions\"]
rh = \"$RH\"; u = lambda h: \"-\".join([h[:8], h[8:12], h[12:16], h[16:20], h[20:32]]).upper()
assert p[0][\"uuid\"] == u(rh[:32]) and p[1][\"uuid\"] == u(rh[32:]), p
assert p[0][\"type\"] == \"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709\"
"
'
test_expect_success 'the same seed gives the same filesystem in every layout' '
	cmp none/rootfs.img g1 &&
	test "$(field none/root_hash.txt root_hash)" = "$(field gpt/root_hash.txt root_hash)"
'
test_expect_success 'uvmkit verity verify accepts the image, rejects a flipped byte and names the block' '
	uvmkit verity verify --no-superblock --salt=$(field none/root_hash.txt salt) \
		none/rootfs.img none/rootfs.verity $(field none/root_hash.txt root_hash) &&
	BLK=$(debugfs -R "bmap /etc/motd 0" none/rootfs.img 2>/dev/null) && test "$BLK" -gt 0 &&
	cp none/rootfs.img flipped.img &&
	printf "\\001" | dd of=flipped.img bs=1 seek=$((BLK * 4096 + 3)) conv=notrunc status=none &&
	test_expect_code 1 uvmkit verity verify --no-superblock --salt=$(field none/root_hash.txt salt) \
		flipped.img none/rootfs.verity $(field none/root_hash.txt root_hash) 2>err &&
	test_grep "data block $BLK is corrupted" err &&
	! veritysetup verify --no-superblock --salt=$(field none/root_hash.txt salt) \
		flipped.img none/rootfs.verity $(field none/root_hash.txt root_hash) 2>vs.err &&
	test_grep "Verification failed at position $((BLK * 4096))" vs.err
'
test_expect_success '--verify re-reads the written disk' '
	uvmkit rootfs --verify --seed $SEED -o verified src >/dev/null
'
test_expect_success 'default seed: the tree digest and the options; another epoch changes it' '
	uvmkit rootfs --layout none -o d1 src >s1 && uvmkit rootfs --layout none --epoch 5 -o d2 src >s2 &&
	test "$(sed -n "s/^tree_digest=//p" s1)" = "$(uvmkit tree --digest src | sed -n "s/^tree_digest=//p")" &&
	test "$(sed -n "s/^seed=//p" s1)" != "$(sed -n "s/^seed=//p" s2)" &&
	! cmp -s d1/rootfs.img d2/rootfs.img &&
	uvmkit rootfs --layout none --seed $SEED -o d4 src >s4 && test_grep "^tree_digest=-$" s4
'
test_expect_success 'SOURCE_DATE_EPOCH is the default epoch' '
	SOURCE_DATE_EPOCH=5 uvmkit rootfs --layout none -o d3 src >/dev/null &&
	cmp d2/rootfs.img d3/rootfs.img
'
test_expect_success '--json summary' '
	uvmkit rootfs --layout none --seed $SEED --json -o j src >j.json &&
	python3 -c "
import json; d = json.load(open(\"j.json\"))
assert d[\"layout\"] == \"none\" and d[\"seed\"] == \"$SEED\", d
assert d[\"root_hash\"] == \"$(field none/root_hash.txt root_hash)\"
assert d[\"entries\"] == 731 and d[\"htree_dirs\"] >= 1, d
assert d[\"fs_bytes\"] == $(stat -c %s none/rootfs.img)
"
'
test_expect_success 'an existing output directory: files replaced atomically, others kept' '
	mkdir -p keep && echo mine >keep/other && echo old >keep/root_hash.txt &&
	uvmkit rootfs --layout none --seed $SEED -o keep src >/dev/null &&
	test "$(cat keep/other)" = mine && cmp keep/root_hash.txt none/root_hash.txt &&
	! ls -A keep | grep -q "^\."
'
test_expect_success 'usage errors exit 2' '
	test_expect_code 2 uvmkit rootfs src 2>err && test_grep "required" err &&
	test_expect_code 2 uvmkit rootfs -o x 2>err &&
	test_expect_code 2 uvmkit rootfs -o x --layout zip src 2>err &&
	test_expect_code 2 uvmkit rootfs -o x --size 1000 src 2>err &&
	test_expect_code 2 uvmkit rootfs -o x --seed 12 src 2>err &&
	test_expect_code 2 uvmkit rootfs -o x --epoch -1 src 2>err &&
	test ! -e x && uvmkit rootfs --help >help && test_grep "^Usage: uvmkit rootfs" help
'
test_done
