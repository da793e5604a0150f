#!/bin/sh
# uvmkit disk --layout kata: Kata's MBR disk, checked with parted, sfdisk,
# veritysetup, e2fsck; the spec's worked example (N = 128 MiB); determinism.
. "$(dirname "$0")/test-lib.sh"
test_require mke2fs e2fsck veritysetup sfdisk parted python3

SEED=$(printf "%064d" 7)
mkdir -p tree/etc tree/bin && : >tree/etc/machine-id && echo hello >tree/etc/motd &&
	head -c 200000 /dev/urandom >tree/bin/blob || exit 1
mkfs() { # mkfs IMG SIZE
	E2FSPROGS_FAKE_TIME=1704067200 mke2fs -q -F -t ext4 -b 4096 -O ^has_journal \
		-U 6a2b0e7e-3d0c-4a39-9f3e-000000000001 \
		-E hash_seed=6a2b0e7e-3d0c-4a39-9f3e-000000000002,root_owner=0:0 \
		-d tree "$1" "$2" >/dev/null
}
mkfs small.ext4 16M && mkfs exact.ext4 125M || exit 1
# part DISK N: "start size" of partition N from sfdisk --json
part() {
	sfdisk --json "$1" | python3 -c "
import json, sys
p = json.load(sys.stdin)['partitiontable']['partitions'][$2 - 1]
print(p['start'], p['size'])"
}
# field FILE KEY: a value of root_hash.txt (Kata's one-line format)
field() { tr , '\n' <"$1" | sed -n "s/^$2=//p"; }

test_expect_success 'disk writes the four files' '
	uvmkit disk --layout kata --seed $SEED -o out small.ext4 >stdout &&
	test -f out/rootfs.img && test -f out/root_hash.txt &&
	test -f out/cmdline.txt && test -f out/verity.json &&
	test_grep "^root_hash=" stdout
'
test_expect_success 'worked example: 128 MiB, p1 2048+256000, p2 258048+4096' '
	test $(stat -c %s out/rootfs.img) = 134217728 &&
	test "$(part out/rootfs.img 1)" = "2048 256000" &&
	test "$(part out/rootfs.img 2)" = "258048 4096" &&
	sfdisk --json out/rootfs.img >pt.json &&
	python3 -c "
import json; t = json.load(open(\"pt.json\"))[\"partitiontable\"]
assert t[\"label\"] == \"dos\" and len(t[\"partitions\"]) == 2
p1, p2 = t[\"partitions\"]
assert p1[\"type\"] == \"83\" and p2[\"type\"] == \"83\"
assert p1.get(\"bootable\") is True and not p2.get(\"bootable\")
"
'
test_expect_success 'MBR entries byte-identical to parted (Kata image_builder.sh commands)' '
	truncate -s 128M parted.img &&
	parted -s -a optimal parted.img -- mklabel msdos mkpart primary ext4 1MiB 126MiB \
		mkpart primary ext4 126MiB -1s set 1 boot on 2>/dev/null &&
	cmp -i 444 -n 68 parted.img out/rootfs.img &&
	test "$(head -c 440 out/rootfs.img | tr -d "\\000" | wc -c)" = 0 &&
	parted -s -m out/rootfs.img unit s print >pp 2>/dev/null &&
	test_grep "^1:2048s:258047s:256000s:[a-z0-9]*::boot;" pp &&
	test_grep "^2:258048s:262143s:4096s:" pp
'
test_expect_success 'disk signature comes from the seed' '
	python3 -c "
import json; d = json.load(open(\"out/verity.json\"))
sig = open(\"out/rootfs.img\", \"rb\").read(0x1bc)[0x1b8:]
assert sig[::-1].hex() == d[\"disk_signature\"], (sig, d)
" &&
	sfdisk --dump out/rootfs.img | test_grep "label-id: 0x$(python3 -c "import json;print(json.load(open(\"out/verity.json\"))[\"disk_signature\"])")" -
'
test_expect_success 'root_hash.txt: Kata one-line format, parameters match the partitions' '
	test $(wc -l <out/root_hash.txt) = 1 &&
	test_grep "^root_hash=[0-9a-f]\{64\},salt=[0-9a-f]\{64\},data_blocks=32000,data_block_size=4096,hash_block_size=4096\$" out/root_hash.txt
'
test_expect_success 'veritysetup verify accepts p1/p2 extracted by the table offsets' '
	set -- $(part out/rootfs.img 1) && dd if=out/rootfs.img of=p1 bs=512 skip=$1 count=$2 status=none &&
	set -- $(part out/rootfs.img 2) && dd if=out/rootfs.img of=p2 bs=512 skip=$1 count=$2 status=none &&
	veritysetup verify --no-superblock --salt=$(field out/root_hash.txt salt) \
		--data-blocks=$(field out/root_hash.txt data_blocks) \
		--data-block-size=$(field out/root_hash.txt data_block_size) \
		--hash-block-size=$(field out/root_hash.txt hash_block_size) \
		p1 p2 $(field out/root_hash.txt root_hash) &&
	e2fsck -fn p1 >fsck.out 2>&1
'
test_expect_success 'cmdline.txt: the spec arithmetic, and the same as verity cmdline' '
	RH=$(field out/root_hash.txt root_hash) && SALT=$(field out/root_hash.txt salt) &&
	printf "%s\n" "dm-mod.create=\"dm-verity,,,ro,0 256000 verity 1 /dev/vda1 /dev/vda2 4096 4096 32000 0 sha256 $RH $SALT\" root=/dev/dm-0 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4" >want &&
	test_cmp want out/cmdline.txt &&
	uvmkit verity cmdline @out/root_hash.txt >again && test_cmp want again
'
test_expect_success 'an ext4 image that fills p1 (libcryptsetup path) gives the same layout' '
	uvmkit disk --seed $SEED -o out2 exact.ext4 >/dev/null &&
	test $(stat -c %s out2/rootfs.img) = 134217728 &&
	set -- $(part out2/rootfs.img 1) && dd if=out2/rootfs.img of=q1 bs=512 skip=$1 count=$2 status=none &&
	cmp q1 exact.ext4 &&
	set -- $(part out2/rootfs.img 2) && dd if=out2/rootfs.img of=q2 bs=512 skip=$1 count=$2 status=none &&
	veritysetup verify --no-superblock --salt=$(field out2/root_hash.txt salt) \
		--data-blocks=32000 q1 q2 $(field out2/root_hash.txt root_hash) &&
	e2fsck -fn q1 >fsck.out 2>&1
'
test_expect_success 'a filesystem one block too big for p1 moves to 256 MiB' '
	mkfs big.ext4 128004K &&
	uvmkit disk --seed $SEED -o out3 big.ext4 >/dev/null &&
	test $(stat -c %s out3/rootfs.img) = 268435456 &&
	test "$(part out3/rootfs.img 2)" = "$((253 * 2048)) $((3 * 2048))"
'
test_expect_success 'uvmkit verity verify on the disk itself; a flipped byte is named' '
	RH=$(field out/root_hash.txt root_hash) && SALT=$(field out/root_hash.txt salt) &&
	uvmkit verity verify --no-superblock --salt=$SALT --data-blocks=32000 \
		--data-offset=1048576 --hash-offset=$((258048 * 512)) \
		out/rootfs.img out/rootfs.img $RH &&
	cp out/rootfs.img flipped.img &&
	printf "\\377" | dd of=flipped.img bs=1 seek=$((1048576 + 40 * 4096 + 5)) conv=notrunc status=none &&
	test_expect_code 1 uvmkit verity verify --no-superblock --salt=$SALT --data-blocks=32000 \
		--data-offset=1048576 --hash-offset=$((258048 * 512)) \
		flipped.img flipped.img $RH 2>err &&
	test_grep "data block 40 is corrupted" err
'
test_expect_success 'sparse output' '
	test $(( $(stat -c %b out/rootfs.img) * 512 )) -lt $((24 * 1024 * 1024))
'
test_expect_success 'deterministic: another directory, umask, locale, TZ' '
	mkdir -p elsewhere/deeper && cp small.ext4 elsewhere/deeper/in.ext4 &&
	(cd elsewhere/deeper && umask 077 && LC_ALL=C.UTF-8 TZ=Asia/Tokyo \
		"$UVMKIT" disk --seed $SEED -o o in.ext4 >/dev/null) &&
	for f in rootfs.img root_hash.txt cmdline.txt verity.json; do
		cmp out/$f elsewhere/deeper/o/$f || return 1
	done &&
	test "$(stat -c %a elsewhere/deeper/o/rootfs.img)" = 644
'
test_expect_success 'the default seed is the image digest (stable), another seed changes salt' '
	uvmkit disk -o d1 small.ext4 >/dev/null && uvmkit disk -o d2 small.ext4 >/dev/null &&
	cmp d1/rootfs.img d2/rootfs.img &&
	! cmp -s d1/root_hash.txt out/root_hash.txt
'
test_done
