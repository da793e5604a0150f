#!/bin/sh
# Reproducibility: two copies of a varied tree made differently (creation
# order, umask, mtimes/atimes, inode numbers, directory path, TZ, locale)
# give byte-identical initrds in every compression, the same tree digest;
# a tar of the tree gives the same initrd as the directory.
. "$(dirname "$0")/test-lib.sh"
test_require cpio zstd

# make_tree DIR forward|reverse
make_tree() {
	d=$1
	mkdir -p "$d"
	if [ "$2" = forward ]; then set -- a b c d e f g; else set -- g f e d c b a; fi
	for x; do
		case $x in
		a) mkdir -p "$d/usr/bin" "$d/usr/lib" && printf "binary\n" >"$d/usr/bin/tool" ;;
		b) mkdir -p "$d/etc" && echo "name=x" >"$d/etc/os-release" && : >"$d/etc/empty" ;;
		c) mkdir -p "$d/var/empty" "$d/var/tmp" ;;
		d) mkdir -p "$d/usr/lib" && seq 1 20000 >"$d/usr/lib/data.txt" ;;
		e) mkdir -p "$d/sbin" && ln -sf ../usr/bin/tool "$d/sbin/tool" && ln -sfn /proc/self/mounts "$d/sbin/mtab" ;;
		f) mkdir -p "$d/many" && for i in $(seq 1 60); do echo $i >"$d/many/f$i"; done ;;
		g) mkdir -p "$d/dev" && mkfifo "$d/dev/initctl" ;;
		esac
	done
	# hard link made after both copies have their target
	ln "$d/usr/bin/tool" "$d/usr/bin/tool-alias"
	# explicit modes: umask must not matter
	find "$d" -type d -exec chmod 0755 {} +
	find "$d" -type f -exec chmod 0644 {} +
	chmod 0755 "$d/usr/bin/tool" && chmod 1777 "$d/var/tmp" &&
	chmod 0600 "$d/etc/empty" && chmod 0620 "$d/dev/initctl"
}

test_expect_success 'two copies made differently' '
	(umask 022 && make_tree A forward) &&
	(umask 077 && make_tree deeper/path/B reverse) &&
	touch -h -d "2001-02-03 04:05:06" $(find A) &&
	touch -h -d @0 deeper/path/B/usr/lib/data.txt &&
	test "$(stat -c %i A/usr/bin/tool)" != "$(stat -c %i deeper/path/B/usr/bin/tool)"
'
for c in none gzip zstd; do
	test_expect_success "identical $c initrd from both copies" '
		uvmkit initrd -o a.$c -c '$c' --epoch 1704067200 A >a.out &&
		(cd deeper && export TZ=Asia/Tokyo LC_ALL=C.UTF-8 && umask 077 &&
		 uvmkit initrd -o ../b.'$c' -c '$c' --epoch 1704067200 path/B >../b.out) &&
		cmp a.'$c' b.'$c' &&
		grep -v "^path=" a.out >a.n && grep -v "^path=" b.out >b.n && test_cmp a.n b.n
	'
done
test_expect_success 'same tree digest (uvmkit tree) for both copies' '
	uvmkit tree --digest A >da && uvmkit tree --digest deeper/path/B >db &&
	test_cmp da db
'
test_expect_success 'a tar of the tree (GNU tar, any order) gives the same initrd' '
	(cd deeper/path/B && tar --numeric-owner --owner=0 --group=0 -cf ../../../t.tar .) &&
	uvmkit initrd -o t.gzip -c gzip --epoch 1704067200 t.tar >/dev/null &&
	cmp a.gzip t.gzip &&
	zstd -q -c t.tar >t.tar.zst && uvmkit initrd -o tz.gzip --epoch 1704067200 t.tar.zst >/dev/null &&
	cmp a.gzip tz.gzip
'
test_expect_success 'changing one mode or one byte changes the initrd' '
	chmod 0700 A/usr/lib/data.txt &&
	uvmkit initrd -o m.none -c none --epoch 1704067200 A >/dev/null &&
	! cmp -s a.none m.none && chmod 0644 A/usr/lib/data.txt &&
	echo 1 >>A/many/f1 &&
	uvmkit initrd -o c.none -c none --epoch 1704067200 A >/dev/null &&
	! cmp -s a.none c.none
'
test_done
