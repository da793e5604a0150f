#!/bin/sh
# uvmkit disk --layout gpt: Discoverable Partitions GPT, checked with sgdisk
# -v, sfdisk --verify, a byte-for-byte rebuild by sfdisk from the spec's
# script, veritysetup on the extracted partitions, PARTUUIDs = root hash halves.
. "$(dirname "$0")/test-lib.sh"
test_require mke2fs e2fsck veritysetup sfdisk sgdisk python3

SEED=$(printf "%064d" 9)
mkdir -p tree && echo hello >tree/hello || exit 1
E2FSPROGS_FAKE_TIME=1704067200 mke2fs -q -t ext4 -b 4096 -O ^has_journal \
	-U 6a2b0e7e-3d0c-4a39-9f3e-000000000001 -E hash_seed=6a2b0e7e-3d0c-4a39-9f3e-000000000002 \
	-d tree fs.ext4 64M >/dev/null || exit 1
uvmkit disk --layout gpt --seed $SEED -o out fs.ext4 >/dev/null || exit 1
j() { python3 -c "import json,sys; d=json.load(open('out/verity.json')); print(eval(sys.argv[1]))" "$1"; }
uuid() { echo "$1" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\)$/\1-\2-\3-\4-\5/'; }

test_expect_success 'sgdisk -v and sfdisk --verify find no problem' '
	sgdisk -v out/rootfs.img >v.out 2>&1 &&
	test_grep "No problems found" v.out &&
	sfdisk --verify out/rootfs.img >v2.out 2>&1 &&
	test_grep "No errors detected" v2.out
'
test_expect_success 'sfdisk rebuilds the same bytes from the spec script (§7)' '
	RH=$(j "d[\"verity\"][\"root_hash\"]") &&
	HS=$(( $(j "d[\"hash\"][\"offset\"]") / 512 )) && HN=$(( $(j "d[\"hash\"][\"size\"]") / 512 )) &&
	cat >script <<-EOS &&
	label: gpt
	label-id: $(j "d[\"disk_guid\"]")
	unit: sectors
	first-lba: 2048
	start=2048, size=131072, type=4f68bce3-e8cd-4db1-96e7-fbcaf984b709, uuid=$(uuid $(echo $RH | cut -c1-32)), name="root-x86-64"
	start=$HS, size=$HN, type=2c7357ed-ebd2-46d9-aec1-23d437ec2bf5, uuid=$(uuid $(echo $RH | cut -c33-64)), name="root-x86-64-verity"
	EOS
	truncate -s $(stat -c %s out/rootfs.img) ref.img &&
	sfdisk -q --wipe never ref.img <script >/dev/null &&
	SZ=$(stat -c %s out/rootfs.img) &&
	cmp -n 1048576 ref.img out/rootfs.img &&
	cmp -i $((SZ - 33 * 512)) ref.img out/rootfs.img
'
test_expect_success 'sgdisk -p lists both partitions with their names' '
	sgdisk -p out/rootfs.img >p.out 2>&1 &&
	test_grep "^   1 *2048 *133119 .*root-x86-64\$" p.out &&
	test_grep "^   2 .*root-x86-64-verity\$" p.out &&
	test_grep "Disk identifier (GUID): $(j "d[\"disk_guid\"]" | tr a-f A-F)" p.out
'
test_expect_success 'PARTUUIDs are the root hash halves, types are DPS x86-64' '
	RH=$(j "d[\"verity\"][\"root_hash\"]") &&
	sfdisk --json out/rootfs.img >pt.json &&
	python3 -c "
import json; p = json.load(open(\"pt.json\"))[\"partitiontable\"][\"partitions\"]
rh = \"$RH\"; u = lambda h: \"-\".join([h[:8], h[8:12], h[12:16], h[16:20], h[20:32]]).upper()
assert p[0][\"uuid\"] == u(rh[:32]) and p[1][\"uuid\"] == u(rh[32:]), p
assert p[0][\"type\"] == \"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709\"
assert p[1][\"type\"] == \"2C7357ED-EBD2-46D9-AEC1-23D437EC2BF5\"
assert p[0][\"name\"] == \"root-x86-64\" and p[1][\"name\"] == \"root-x86-64-verity\"
"
'
test_expect_success 'veritysetup verify (superblock) on the extracted partitions; e2fsck clean' '
	sfdisk --json out/rootfs.img >pt.json &&
	eval $(python3 -c "
import json; p = json.load(open(\"pt.json\"))[\"partitiontable\"][\"partitions\"]
print(\"S1=%d N1=%d S2=%d N2=%d\" % (p[0][\"start\"], p[0][\"size\"], p[1][\"start\"], p[1][\"size\"]))") &&
	dd if=out/rootfs.img of=p1 bs=512 skip=$S1 count=$N1 status=none &&
	dd if=out/rootfs.img of=p2 bs=512 skip=$S2 count=$N2 status=none &&
	veritysetup verify p1 p2 $(j "d[\"verity\"][\"root_hash\"]") &&
	veritysetup dump p2 >dump && test_grep "UUID:.*$(j "d[\"verity\"][\"uuid\"]")" dump &&
	e2fsck -fn p1 >/dev/null 2>&1 &&
	cmp p1 fs.ext4
'
test_expect_success 'cmdline: hash_start 1 (superblock), 64 MiB = 131072 sectors' '
	test_grep " 131072 verity 1 /dev/vda1 /dev/vda2 4096 4096 16384 1 sha256 " out/cmdline.txt
'
test_expect_success 'deterministic and sparse' '
	(umask 077 && cd .. && mkdir -p t2061-again && cd t2061-again &&
	 "$UVMKIT" disk --layout gpt --seed $SEED -o o "$TRASH/fs.ext4" >/dev/null) &&
	for f in rootfs.img root_hash.txt cmdline.txt verity.json; do
		cmp out/$f ../t2061-again/o/$f || return 1
	done && rm -rf ../t2061-again &&
	test $(( $(stat -c %b out/rootfs.img) * 512 )) -lt $((20 * 1024 * 1024))
'
test_done
