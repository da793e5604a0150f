#!/bin/sh
# Bad input: each gives one clear line on stderr, exit 1, and nothing under
# the output name (nor a temporary beside it).
. "$(dirname "$0")/test-lib.sh"
test_require python3 gzip

# fails MESSAGE-REGEX SOURCE... : initrd must fail with one line matching.
fails() {
	pat=$1 && shift &&
	test_expect_code 1 uvmkit initrd -o out.img "$@" 2>err &&
	test_grep "$pat" err &&
	test "$(wc -l <err)" = 1 &&
	test ! -e out.img && ! ls -A | grep -q "^\.out\.img"
}
# mktar OUT NAME [TYPE [LINKNAME]]: a one-entry tar (python writes any name)
mktar() {
	python3 - "$@" <<-\EOT
	import sys, tarfile, io
	out, name = sys.argv[1], sys.argv[2]
	t = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
	i = tarfile.TarInfo(name)
	if len(sys.argv) > 3:
	    i.type = {"sym": tarfile.SYMTYPE, "link": tarfile.LNKTYPE}[sys.argv[3]]
	    i.linkname = sys.argv[4]
	    t.addfile(i)
	else:
	    i.size = 5; t.addfile(i, io.BytesIO(b"evil\n"))
	t.close()
	EOT
}

test_expect_success 'tar entry with a .. component is refused' '
	mktar dotdot.tar ../escape && fails "dotdot.tar: entry: ../escape: path has a .\.\.. component" dotdot.tar &&
	mktar dotdot2.tar a/../../b && fails "path has a .\.\.. component" dotdot2.tar
'
test_expect_success 'tar hard link whose target has .. is refused' '
	mktar hl.tar x link ../../etc/passwd && fails "hard link to: ../../etc/passwd: path has" hl.tar
'
test_expect_success 'tar hard link to an entry that does not exist' '
	mktar hl2.tar x link nothere && fails "hard link target .nothere. does not exist" hl2.tar
'
test_expect_success 'a symlink target may contain .. (it is never followed)' '
	mktar sym.tar x sym ../../etc/passwd && uvmkit tree sym.tar >out &&
	test_grep " x -> ../../etc/passwd$" out
'
test_expect_success 'empty symlink target is refused' '
	mktar sym0.tar x sym "" && fails "entry .x.: symlink target empty" sym0.tar
'
test_expect_success 'names longer than 255 bytes or paths over 4095 are refused' '
	long=$(printf "%0256d" 0) && mktar long.tar "d/$long" &&
	fails "name longer than 255 bytes" long.tar &&
	deep=$(python3 -c "print(\"/\".join([\"x\" * 200] * 21))") && mktar deep.tar "$deep" &&
	fails "path too long" deep.tar
'
test_expect_success 'truncated tar (inside a member) is an error' '
	head -c 100000 /dev/urandom >big && tar -cf good.tar big &&
	head -c 50000 good.tar >trunc.tar && fails "trunc.tar: entry .big.: truncated or corrupt archive" trunc.tar
'
test_expect_success 'truncated and corrupt gzip tar are errors' '
	gzip -c good.tar >good.tgz && head -c 30000 good.tgz >trunc.tgz &&
	fails "trunc.tgz: .*truncated or corrupt archive" trunc.tgz &&
	seq 1 200000 >text && tar -cf text.tar text big && gzip -n -c text.tar >text.tgz &&
	cp text.tgz bad.tgz && printf "XXXXXXXXXXXXXXXX" | dd of=bad.tgz bs=1 seek=2000 conv=notrunc status=none &&
	fails "bad.tgz: .*truncated or corrupt archive" bad.tgz
'
test_expect_success 'a damaged tar header (checksum) is an error' '
	cp good.tar badsum.tar && printf "Z" | dd of=badsum.tar bs=1 seek=10 conv=notrunc status=none &&
	fails "badsum.tar: .*corrupt archive" tar:badsum.tar
'
test_expect_success 'a file that is no archive at all' '
	head -c 5000 /dev/urandom >junk.bin && fails "junk.bin: not a directory, tar archive, OCI layout or .deb" junk.bin &&
	fails "junk.bin: .*truncated or corrupt archive" tar:junk.bin
'
test_expect_success 'a source that does not exist' '
	fails "nothere: No such file or directory" nothere
'
test_expect_success 'a source path that is a symlink loop' '
	ln -s loop2 loop1 && ln -s loop1 loop2 && fails "loop1: Too many levels of symbolic links" loop1
'
test_expect_success 'a symlink loop INSIDE a source directory is just two symlinks' '
	mkdir d && ln -s b d/a && ln -s a d/b && uvmkit tree d >out &&
	test_grep " a -> b$" out && test_grep " b -> a$" out
'
test_expect_success 'unreadable file in a source directory names the file' '
	mkdir src && echo ok >src/a && echo secret >src/secret && chmod 000 src/secret &&
	test_expect_code 1 test_noperm "$UVMKIT" initrd -o out.img src 2>err &&
	test_grep "src/secret: cannot read: Permission denied" err &&
	test "$(wc -l <err)" = 1 && test ! -e out.img
'
test_expect_success 'unreadable directory in a source directory names it' '
	chmod 644 src/secret && mkdir src/closed && chmod 000 src/closed &&
	test_expect_code 1 test_noperm "$UVMKIT" initrd -o out.img src 2>err &&
	test_grep "src/closed: cannot open directory: Permission denied" err &&
	test ! -e out.img && chmod 755 src/closed
'
test_expect_success 'unreadable archive' '
	cp good.tar noread.tar && chmod 000 noread.tar &&
	test_expect_code 1 test_noperm "$UVMKIT" initrd -o out.img tar:noread.tar 2>err &&
	test_grep "noread.tar: cannot read: Permission denied" err && test ! -e out.img
'
test_expect_success 'an existing output is kept when the build fails' '
	echo precious >out.img && test_expect_code 1 uvmkit initrd -o out.img dotdot.tar 2>err &&
	test "$(cat out.img)" = precious && rm out.img
'
test_expect_success 'output directory that does not exist' '
	test_expect_code 1 uvmkit initrd -o no/such/dir/x.img src 2>err &&
	test_grep "no/such/dir/x.img: cannot create" err
'
test_done
