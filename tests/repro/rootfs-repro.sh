#!/bin/sh
# tests/repro/rootfs-repro.sh — `uvmkit rootfs` twice from two copies of a
# varied source tree made differently: creation order (so other inode
# numbers and readdir order), umask, atimes/mtimes (and ctimes: made at
# another moment), directory path, TZ, locale, and (when run as root) the
# user: the second build runs as nobody. rootfs.img, root_hash.txt,
# cmdline.txt and verity.json must be identical (cmp), for the default
# seed (derived from the content) in the kata and none layouts. A zstd tar
# of the tree (made by GNU tar: other holes, PAX atimes/ctimes) gives the
# same bytes too.
. "$(dirname "$0")/../cli/test-lib.sh"
test_require python3 setfattr tar zstd

GEN="$TOP/tests/cli/lib-rootfs-tree.py"
(umask 022 && "$GEN" a/src --times 1) || exit 1
sleep 1 # other ctimes for the second copy
ASUSER=
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	ASUSER="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	echo "# not root: both copies are made and built as $(id -un); the user part is not varied"
fi
mkdir -p b/much/deeper/path && { [ -z "$ASUSER" ] || chown -R 65534:65534 b; } &&
	(umask 077 && $ASUSER "$GEN" b/much/deeper/path/tree --reverse --times 2) || exit 1

test_expect_success 'the two source copies differ on the host (inodes, times), not in content' '
	test "$(stat -c %i a/src/etc/motd)" != "$(stat -c %i b/much/deeper/path/tree/etc/motd)" &&
	test "$(stat -c %Y a/src/etc/motd)" != "$(stat -c %Y b/much/deeper/path/tree/etc/motd)" &&
	diff -r --no-dereference a/src/etc b/much/deeper/path/tree/etc &&
	{ [ -z "$ASUSER" ] || test "$(stat -c %u b/much/deeper/path/tree/etc/motd)" = 65534; }
'
for layout in kata none; do
	test_expect_success "$layout: identical outputs" '
		(cd a && TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=1704067200 \
			"$UVMKIT" rootfs --layout '$layout' -o out-'$layout' src >../a.out) &&
		(cd b/much/deeper && umask 077 && TZ=Asia/Tokyo LC_ALL=C.UTF-8 LANG=C.UTF-8 \
			$ASUSER "$UVMKIT" rootfs --layout '$layout' --epoch 1704067200 \
			-o ../../x/y/'$layout' path/tree >../../../b.out) &&
		for f in rootfs.img root_hash.txt cmdline.txt verity.json; do
			cmp a/out-'$layout'/$f b/x/y/'$layout'/$f || return 1
		done &&
		test "$(grep ^root_hash= a.out)" = "$(grep ^root_hash= b.out)"
	'
done
test_expect_success 'a zstd tar of the first copy (PAX xattrs, ACLs, times) gives the same image' '
	tar --xattrs --acls --xattrs-include="*" --zstd -cf tree.tar.zst -C a/src . &&
	"$UVMKIT" rootfs --layout none --force-owner --epoch 1704067200 -o from-tar tree.tar.zst >/dev/null &&
	cmp from-tar/rootfs.img a/out-none/rootfs.img &&
	cmp from-tar/root_hash.txt a/out-none/root_hash.txt
'
test_expect_success 'and a rebuild of the first copy later is identical too' '
	sleep 1 && (cd a && SOURCE_DATE_EPOCH=1704067200 "$UVMKIT" rootfs --layout none -o again src >/dev/null) &&
	cmp a/again/rootfs.img a/out-none/rootfs.img
'
test_done
