#!/bin/sh
# uvmkit rootfs at the edges: a file over 4 GiB (sparse: the image stays
# small), a directory big enough for a two-level hashed index, files with
# enough extents for index blocks (tree depth 1 and 2), --size.
. "$(dirname "$0")/test-lib.sh"
test_require debugfs e2fsck python3

SEED=$(printf "%064d" 23)
mkdir -p src/big src/frag src/huge || exit 1
truncate -s 5G src/big/over4g && printf "tail-of-5G" >>src/big/over4g &&
	printf "head" | dd of=src/big/over4g conv=notrunc status=none || exit 1
python3 - <<\EOT || exit 1
import os
for i in range(12000):  # 195-byte names, 20 a block: more than 507 leaves
    open("src/huge/%s%05d" % ("n" * 190, i), "w").close()
for name, runs in (("f1000", 1000), ("f2000", 2000)):
    with open("src/frag/" + name, "wb") as f:
        for i in range(runs):
            f.write(os.urandom(4096) + b"\0" * 4096)
EOT

test_expect_success 'build (sparse source holes cost nothing) and e2fsck clean' '
	uvmkit rootfs --layout none --seed $SEED -o o src >out.txt &&
	e2fsck -fn o/rootfs.img >fsck.out 2>&1 &&
	test $(stat -c %s o/rootfs.img) -lt $((200 << 20))
'
test_expect_success 'a 5 GiB file: size, first and last block read back' '
	debugfs -R "stat /big/over4g" o/rootfs.img 2>/dev/null >st &&
	test_grep "Size: 5368709130$" st &&
	test_grep "^(0):[0-9]*, (1310720):[0-9]*$" st &&
	P0=$(sed -n "s/^(0):\([0-9]*\), .*/\1/p" st) && P1=$(sed -n "s/.*(1310720):\([0-9]*\)$/\1/p" st) &&
	test "$(dd if=o/rootfs.img bs=4096 skip=$P0 count=1 status=none | head -c 4)" = head &&
	test "$(dd if=o/rootfs.img bs=4096 skip=$P1 count=1 status=none | head -c 10)" = tail-of-5G
'
test_expect_success 'two-level hashed index; every name is found' '
	debugfs -R "htree /huge" o/rootfs.img 2>/dev/null >h &&
	test_grep "Indirect levels: 1" h &&
	debugfs -R "ls -p /huge" o/rootfs.img 2>/dev/null | grep -c "/n\{190\}[0-9]\{5\}/" >count &&
	test "$(cat count)" = 12000 &&
	debugfs -R "stat /huge/$(printf "n%.0s" $(seq 190))04711" o/rootfs.img 2>/dev/null | test_grep "Type: regular" -
'
test_expect_success 'extent trees of depth 1 and 2 read back' '
	debugfs -R "dump /frag/f1000 f1000" o/rootfs.img 2>/dev/null && cmp f1000 src/frag/f1000 &&
	debugfs -R "dump /frag/f2000 f2000" o/rootfs.img 2>/dev/null && cmp f2000 src/frag/f2000 &&
	debugfs -R "ex /frag/f2000" o/rootfs.img 2>/dev/null | test_grep "^ 0/ 2 " - &&
	debugfs -R "ex /frag/f1000" o/rootfs.img 2>/dev/null | test_grep "^ 0/ 1 " -
'
test_expect_success 'a dense 400 MiB file: extents of at most 32768 blocks (longer = uninitialized)' '
	mkdir -p dense && yes abcdefgh | head -c 400M >dense/f &&
	uvmkit rootfs --layout none --seed $SEED -o od dense >/dev/null &&
	e2fsck -fn od/rootfs.img >fsck.out 2>&1 &&
	debugfs -R "ex /f" od/rootfs.img 2>/dev/null >ex &&
	awk "\$1 == \"1/\" && \$NF + 0 > 32768 { bad = 1 } \$NF == 32768 { full = 1 } END { exit bad || !full }" ex &&
	debugfs -R "dump /f f.out" od/rootfs.img 2>/dev/null && cmp f.out dense/f &&
	rm -rf od f.out dense
'
test_expect_success '--size gives exactly that filesystem; same tree + seed, same bytes' '
	uvmkit rootfs --layout none --seed $SEED --size 300M -o s1 src >/dev/null &&
	test $(stat -c %s s1/rootfs.img) = $((300 << 20)) &&
	e2fsck -fn s1/rootfs.img >fsck.out 2>&1 &&
	uvmkit rootfs --layout none --seed $SEED --size 307200K -o s2 src >/dev/null &&
	cmp s1/rootfs.img s2/rootfs.img
'
test_done
