#!/bin/sh
# uvmkit firmware: the compiled-in pin equals firmware/edk2.pin; usage
# errors; a tarball whose sha256 does not match the pin; a malformed pin; a
# build failure (a tiny edk2-shaped source whose BaseTools build fails: the
# log tail is shown). Every failure: one clear message, non-zero exit,
# nothing under the output name. No edk2 build runs here (fast).
. "$(dirname "$0")/test-lib.sh"
test_require tar xz sha256sum bash make

test_expect_success 'firmware pin prints firmware/edk2.pin byte for byte' '
	uvmkit firmware pin >pin.out &&
	test_cmp "$TOP/firmware/edk2.pin" pin.out
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 uvmkit firmware 2>err &&
	test_grep "expected a subcommand" err &&
	test_expect_code 2 uvmkit firmware frob 2>err &&
	test_grep "unknown subcommand" err &&
	test_expect_code 2 uvmkit firmware build 2>err &&
	test_grep "output is required" err &&
	test_expect_code 2 uvmkit firmware build -o out -j 0 2>err &&
	test_grep "jobs" err &&
	test_expect_code 2 uvmkit firmware build -o out --workspace rel 2>err &&
	test_grep "absolute" err &&
	test_expect_code 2 uvmkit firmware build -o out --no-cache --cache-dir c 2>err &&
	test_grep "exclude" err &&
	test ! -e out
'

# A tiny source shaped like edk2's: edksetup.sh, a BaseTools whose build
# fails with a recognisable compiler-like error, a debian/ tarball with one
# real patch in its series.
test_expect_success 'setup: tiny sources and pins' '
	mkdir -p s/edk2-x/BaseTools s/debian/patches &&
	echo "echo edksetup ran" >s/edk2-x/edksetup.sh &&
	printf "all:\n\t@echo \"BrotliCompress.c:42: error: broken on purpose\" >&2; exit 1\n" \
		>s/edk2-x/BaseTools/GNUmakefile &&
	echo old >s/edk2-x/README &&
	printf -- "--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old\n+new\n" >s/debian/patches/fix.diff &&
	printf "# comment\nfix.diff\n" >s/debian/patches/series &&
	mkdir src &&
	tar -C s -cJf src/edk2_x.orig.tar.xz edk2-x &&
	tar -C s -cJf src/edk2_x.debian.tar.xz debian &&
	o=$(sha256sum <src/edk2_x.orig.tar.xz | cut -d" " -f1) &&
	d=$(sha256sum <src/edk2_x.debian.tar.xz | cut -d" " -f1) &&
	printf "package edk2\nversion x\nsuite trixie\norig edk2_x.orig.tar.xz %s\ndebian edk2_x.debian.tar.xz %s\n" \
		"$o" "$d" >good.pin &&
	printf "package edk2\nversion x\nsuite trixie\norig edk2_x.orig.tar.xz %s\ndebian edk2_x.debian.tar.xz %s\n" \
		"$(echo "$o" | tr 0-9a-f 1-9a-f0)" "$d" >wrong.pin
'

fw() { uvmkit firmware build --source-dir src --no-cache --work-dir "$TRASH/w" \
	--workspace "$TRASH/ws" "$@"; }

test_expect_success 'a tarball whose sha256 does not match the pin is refused before use' '
	test_expect_code 1 fw --pin wrong.pin -o out 2>err &&
	test_grep "edk2_x.orig.tar.xz: sha256 $(sha256sum <src/edk2_x.orig.tar.xz | cut -d" " -f1) does not match the pin" err &&
	test ! -e out && test ! -e ws &&
	test_expect_code 0 test -z "$(ls -A w 2>/dev/null)"
'

test_expect_success 'a tampered tarball is refused with the real pin too' '
	mkdir real && cp src/edk2_x.orig.tar.xz real/edk2_2025.02.orig.tar.xz &&
	cp src/edk2_x.debian.tar.xz real/edk2_2025.02-8+deb13u1.debian.tar.xz &&
	test_expect_code 1 uvmkit firmware build --source-dir real --no-cache \
		--work-dir "$TRASH/w" -o out 2>err &&
	test_grep "edk2_2025.02.orig.tar.xz: sha256 .* does not match the pin b63b6053" err &&
	test ! -e out
'

test_expect_success 'a missing tarball is named' '
	test_expect_code 1 uvmkit firmware build --source-dir empty --no-cache -o out 2>err &&
	test_grep "empty/edk2_2025.02.orig.tar.xz" err &&
	test ! -e out
'

test_expect_success 'malformed pins are refused with file and line' '
	sed "s/^version .*/version/" good.pin >p1 &&
	test_expect_code 1 fw --pin p1 -o out 2>err &&
	test_grep "p1:2: expected .version VALUE." err &&
	sed "s/ [0-9a-f]*\$/ abc/;/^debian/d" good.pin >p2 &&
	test_expect_code 1 fw --pin p2 -o out 2>err &&
	test_grep "p2:4: bad sha256" err &&
	grep -v "^debian" good.pin >p3 &&
	test_expect_code 1 fw --pin p3 -o out 2>err &&
	test_grep "p3: no .debian. line" err &&
	{ cat good.pin; echo "colour blue"; } >p4 &&
	test_expect_code 1 fw --pin p4 -o out 2>err &&
	test_grep "p4:6: unknown key .colour." err &&
	sed "s/^orig edk2_x/orig ..\/edk2_x/" good.pin >p5 &&
	test_expect_code 1 fw --pin p5 -o out 2>err &&
	test_grep "p5:4: bad orig" err &&
	test ! -e out
'

test_expect_success 'a build failure shows the tail of the build log and leaves nothing' '
	test_expect_code 1 fw --pin good.pin -o out 2>err &&
	test_grep "edk2 build failed (/bin/bash exited with status 1)" err &&
	test_grep "BrotliCompress.c:42: error: broken on purpose" err &&
	test_grep "edksetup ran" err &&
	test ! -e out && test ! -e ws &&
	test -z "$(ls -A w)"
'

test_expect_success 'the patches of debian/patches/series are applied (kept work dir)' '
	test_expect_code 1 fw --pin good.pin -o out --keep-work-dir 2>err &&
	test_grep "last lines of $TRASH/w/uvmkit-firmware" err &&
	cat w/uvmkit-firmware.*/src/edk2-x/README >readme &&
	echo new >expect && test_cmp expect readme &&
	test -f w/uvmkit-firmware.*/src/edk2-x/OvmfPkg/AmdSev/Grub/grub.efi &&
	test ! -e out
'

test_expect_success 'the workspace path must not be a real directory' '
	rm -rf w && mkdir wsdir &&
	test_expect_code 1 fw --pin good.pin -o out --workspace "$TRASH/wsdir" 2>err &&
	test_grep "wsdir exists and is not a symlink" err &&
	test -d wsdir && test ! -e out
'

test_expect_success 'a patch that does not apply fails the build' '
	printf -- "--- a/README\n+++ b/README\n@@ -1 +1 @@\n-nothere\n+new\n" >s/debian/patches/fix.diff &&
	tar -C s -cJf src/edk2_x.debian.tar.xz debian &&
	d=$(sha256sum <src/edk2_x.debian.tar.xz | cut -d" " -f1) &&
	sed "s/^\(debian [^ ]*\) .*/\1 $d/" good.pin >p6 &&
	test_expect_code 1 fw --pin p6 -o out 2>err &&
	test_grep "patch fix.diff failed" err &&
	test ! -e out
'
# A "build" that succeeds but yields firmware without SNP_KERNEL_HASHES
# (Debian 12's own OVMF, from the ovmf package): edksetup.sh puts a fake
# `build` first in PATH that copies it into place.
test_expect_success 'firmware without an SNP_KERNEL_HASHES section is refused, sections named' '
	test -r /usr/share/ovmf/OVMF.fd &&
	rm -rf s2 && mkdir -p s2/edk2-y/BaseTools s2/edk2-y/bin s2/debian/patches &&
	printf "PATH=\$PWD/bin:\$PATH\n" >s2/edk2-y/edksetup.sh &&
	printf "all:\n\t@echo basetools ok\n" >s2/edk2-y/BaseTools/GNUmakefile &&
	printf "#!/bin/sh\nmkdir -p Build/AmdSev/RELEASE_GCC5/FV &&\ncp /usr/share/ovmf/OVMF.fd Build/AmdSev/RELEASE_GCC5/FV/OVMF.fd\n" \
		>s2/edk2-y/bin/build && chmod +x s2/edk2-y/bin/build &&
	: >s2/debian/patches/series &&
	mkdir src2 &&
	tar -C s2 -cJf src2/edk2_y.orig.tar.xz edk2-y &&
	tar -C s2 -cJf src2/edk2_y.debian.tar.xz debian &&
	printf "package edk2\nversion y\nsuite trixie\norig edk2_y.orig.tar.xz %s\ndebian edk2_y.debian.tar.xz %s\n" \
		"$(sha256sum <src2/edk2_y.orig.tar.xz | cut -d" " -f1)" \
		"$(sha256sum <src2/edk2_y.debian.tar.xz | cut -d" " -f1)" >y.pin &&
	rm -rf w cache &&
	test_expect_code 1 uvmkit firmware build --source-dir src2 --pin y.pin \
		--cache-dir "$TRASH/cache" --work-dir "$TRASH/w" --workspace "$TRASH/ws" -o out 2>err &&
	test_grep "OVMF.fd: no SNP_KERNEL_HASHES section, so it cannot do measured direct boot (sections: SNP_SEC_MEM 0x" err &&
	test "$(wc -l <err)" = 2 &&
	test ! -e out && test -z "$(ls -A cache/firmware 2>/dev/null)"
'

# The workspace symlink points at the work dir: a relative --work-dir must
# still reach the build (it used to leave the symlink dangling).
test_expect_success 'a relative --work-dir reaches the build through the workspace' '
	rm -rf w out &&
	test_expect_code 1 uvmkit firmware build --source-dir src2 --pin y.pin \
		--no-cache --work-dir w --workspace "/tmp/uvmkit-t4100-ws.$$" -o out 2>err &&
	test_grep "OVMF.fd: no SNP_KERNEL_HASHES section" err &&
	test ! -e out && test ! -e "/tmp/uvmkit-t4100-ws.$$" &&
	rm -f "/tmp/uvmkit-t4100-ws.$$.lock"
'
test_done
