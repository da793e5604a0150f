#!/bin/sh
# Tar sources: every entry type, numeric owners, xattrs, POSIX ACLs (checked
# against the kernel's own encoding via getfattr), hard links, sparse
# members, all compressions, absolute names, duplicates (later wins).
. "$(dirname "$0")/test-lib.sh"
test_require python3 xz zstd bzip2 gzip

sha() { sha256sum "$1" | cut -d" " -f1; }

test_expect_success 'setup: a tar with every entry type (python tarfile)' '
	python3 - <<-\EOT
	import tarfile, io
	t = tarfile.open("all.tar", "w", format=tarfile.PAX_FORMAT)
	def add(name, type, data=b"", **kw):
	    i = tarfile.TarInfo(name); i.type = type; i.size = len(data)
	    i.mtime = 123456789
	    for k, v in kw.items(): setattr(i, k, v)
	    t.addfile(i, io.BytesIO(data) if data else None)
	add("./", tarfile.DIRTYPE, mode=0o755)
	add("./etc/", tarfile.DIRTYPE, mode=0o750, uid=0, gid=42)
	add("./etc/passwd", tarfile.REGTYPE, b"root:x:0:0\n", mode=0o644, uid=7, gid=8)
	add("./etc/shadow", tarfile.LNKTYPE, linkname="./etc/passwd")
	add("./bin/", tarfile.DIRTYPE, mode=0o755)
	add("./bin/su", tarfile.REGTYPE, b"suid", mode=0o4755)
	add("./bin/sh", tarfile.SYMTYPE, linkname="busybox", mode=0o777)
	add("./dev/", tarfile.DIRTYPE, mode=0o755)
	add("./dev/null", tarfile.CHRTYPE, mode=0o666, devmajor=1, devminor=3)
	add("./dev/vda", tarfile.BLKTYPE, mode=0o660, gid=6, devmajor=254, devminor=0)
	add("./dev/fifo", tarfile.FIFOTYPE, mode=0o600)
	add("./tmp/", tarfile.DIRTYPE, mode=0o1777)
	add("./x/", tarfile.DIRTYPE, mode=0o755, pax_headers={"SCHILY.xattr.user.color": "blue", "SCHILY.xattr.security.capability2": "c", "SCHILY.xattr.unknown.ns": "dropped"})
	add("./x/big-uid", tarfile.REGTYPE, b"u", mode=0o400, uid=4000000000, gid=65534)
	add("./x/pax-atime", tarfile.REGTYPE, b"a", mode=0o644, pax_headers={"atime": "1.5", "ctime": "99"})
	t.close()
	EOT
'
test_expect_success 'tree: types, modes, owners, devices, links, xattrs' '
	uvmkit tree all.tar >out &&
	test_grep "^0040755 0:0 1 " out &&
	test_grep "^0040750 0:42 [0-9]* 2 0 - etc$" out &&
	test_grep "^0100644 7:8 \([0-9]*\) 2 11 $(printf "root:x:0:0\n" | sha256sum | cut -d" " -f1) etc/passwd$" out &&
	test_grep "^0100644 7:8 [0-9]* 2 11 .* etc/shadow$" out &&
	test_grep "^0104755 0:0 .* bin/su$" out &&
	test_grep "^0120777 0:0 [0-9]* 1 7 - bin/sh -> busybox$" out &&
	test_grep "^0020666 0:0 [0-9]* 1 1,3 - dev/null$" out &&
	test_grep "^0060660 0:6 [0-9]* 1 254,0 - dev/vda$" out &&
	test_grep "^0010600 0:0 [0-9]* 1 0 - dev/fifo$" out &&
	test_grep "^0041777 0:0 .* tmp$" out &&
	test_grep "^0100400 4000000000:65534 .* x/big-uid$" out &&
	test_grep "^  xattr user.color=626c7565$" out &&
	test_grep "^  xattr security.capability2=63$" out &&
	! grep -q unknown.ns out &&
	ino1=$(grep " etc/passwd$" out | cut -d" " -f3) &&
	ino2=$(grep " etc/shadow$" out | cut -d" " -f3) && test "$ino1" = "$ino2"
'
test_expect_success 'PAX atime/ctime/mtime do not reach the tree' '
	python3 - <<-\EOT &&
	import tarfile, io
	t = tarfile.open("times.tar", "w", format=tarfile.PAX_FORMAT)
	i = tarfile.TarInfo("x/pax-atime"); i.size = 1; i.mode = 0o644; i.mtime = 5
	i.pax_headers = {"atime": "777.5", "ctime": "888"}
	t.addfile(i, io.BytesIO(b"a")); t.close()
	EOT
	uvmkit tree --digest times.tar >d1 &&
	python3 -c "
import tarfile, io
t = tarfile.open(\"times2.tar\", \"w\", format=tarfile.GNU_FORMAT)
i = tarfile.TarInfo(\"x/pax-atime\"); i.size = 1; i.mode = 0o644; i.mtime = 99999
t.addfile(i, io.BytesIO(b\"a\")); t.close()" &&
	uvmkit tree --digest times2.tar >d2 && test_cmp d1 d2
'
test_expect_success 'POSIX ACL text (tar --acls) equals the kernel encoding' '
	mkdir acl && : >acl/f && mkdir acl/d &&
	setfacl -m u:4242:r,g:4343:rw acl/f &&
	setfacl -d -m u:4244:rwx,g::r-x acl/d &&
	tar --acls --numeric-owner -C acl -cf acl.tar . &&
	python3 -c "
import tarfile
h = [m.pax_headers for m in tarfile.open(\"acl.tar\")]
assert any(\"SCHILY.acl.access\" in x for x in h), h
assert not any(k.startswith(\"SCHILY.xattr\") for x in h for k in x), h" &&
	getfattr --absolute-names -n system.posix_acl_access -e hex acl/f | sed -n "s/^system.posix_acl_access=0x//p" >want_f &&
	getfattr --absolute-names -n system.posix_acl_default -e hex acl/d | sed -n "s/^system.posix_acl_default=0x//p" >want_d &&
	test -s want_f && test -s want_d &&
	uvmkit tree acl.tar >out &&
	sed -n "/ f$/{n;s/^  xattr system.posix_acl_access=//p}" out >got_f &&
	sed -n "/ d$/{n;s/^  xattr system.posix_acl_default=//p}" out >got_d &&
	test_cmp want_f got_f && test_cmp want_d got_d &&
	test_grep "^0100664 .* f$" out
'
test_expect_success 'POSIX ACL as binary xattr (tar --xattrs --acls) kept as is' '
	tar --xattrs --acls --numeric-owner -C acl -cf aclx.tar . &&
	uvmkit tree aclx.tar >outx &&
	sed -n "/ f$/{n;s/^  xattr system.posix_acl_access=//p}" outx >gotx_f &&
	test_cmp want_f gotx_f && test_grep "^0100664 .* f$" outx
'
test_expect_success 'a directory source carries the same ACL xattrs and mode' '
	uvmkit tree acl >outd &&
	sed -n "/ f$/{n;s/^  xattr system.posix_acl_access=//p}" outd >gotd_f &&
	test_cmp want_f gotd_f && test_grep "^0100664 .* f$" outd
'
test_expect_success 'sparse member: holes kept, content identical' '
	mkdir sp && truncate -s 20M sp/hole && printf end >>sp/hole &&
	printf start | dd of=sp/hole conv=notrunc status=none &&
	tar --sparse -C sp -cf sparse.tar hole &&
	uvmkit tree sparse.tar >out &&
	test_grep " $(sha sp/hole) hole$" out
'
for z in gzip xz zstd bzip2; do
	test_expect_success "compressed with $z: same tree as plain" '
		'$z' -c all.tar >all.tar.z && uvmkit tree all.tar.z >z.out &&
		uvmkit tree all.tar >p.out && test_cmp p.out z.out
	'
done
test_expect_success 'absolute names are normalized (leading / dropped)' '
	python3 -c "
import tarfile, io
t = tarfile.open(\"abs.tar\", \"w\")
i = tarfile.TarInfo(\"/abs/dir//file\"); i.size = 2
t.addfile(i, io.BytesIO(b\"ab\")); t.close()" &&
	uvmkit tree abs.tar >out && test_grep " abs/dir/file$" out
'
test_expect_success 'duplicate entries: the later one wins, as tar extraction' '
	python3 - <<-\EOT &&
	import tarfile, io
	t = tarfile.open("dup.tar", "w")
	def f(name, data, mode, type=tarfile.REGTYPE):
	    i = tarfile.TarInfo(name); i.size = len(data); i.mode = mode; i.type = type
	    t.addfile(i, io.BytesIO(data))
	f("d", b"", 0o700, tarfile.DIRTYPE); f("d/keep", b"k", 0o644)
	f("a", b"first", 0o600); f("a", b"second", 0o644)
	f("d", b"", 0o755, tarfile.DIRTYPE)
	t.close()
	EOT
	uvmkit tree dup.tar >out &&
	test_grep "^0100644 0:0 [0-9]* 1 6 $(printf second | sha256sum | cut -d" " -f1) a$" out &&
	test_grep "^0040755 0:0 .* d$" out && test_grep " d/keep$" out &&
	test "$(grep -c " a$" out)" = 1
'
test_expect_success '--force-owner overrides archive owners' '
	uvmkit tree --force-owner --uid 5 --gid 6 all.tar >out &&
	test_grep "^0100644 5:6 .* etc/passwd$" out && ! grep -q " 7:8 " out
'
test_expect_success 'later sources override earlier ones (tar over directory)' '
	mkdir base && echo old >base/a && echo keep >base/b &&
	python3 -c "
import tarfile, io
t = tarfile.open(\"over.tar\", \"w\")
i = tarfile.TarInfo(\"a\"); i.size = 4; i.mode = 0o600
t.addfile(i, io.BytesIO(b\"new\\n\")); t.close()" &&
	uvmkit tree base over.tar >out &&
	test_grep "^0100600 0:0 .* $(echo new | sha256sum | cut -d" " -f1) a$" out &&
	test_grep " b$" out
'
test_done
