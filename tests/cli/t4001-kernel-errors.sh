#!/bin/sh
# uvmkit kernel: bad inputs fail with one clear message and leave nothing
# under the output name: a source tarball whose sha256 is not the pinned
# one, a bad pin file, a build that fails (the tail of the build log is
# shown), a config that does not survive olddefconfig. No real kernel
# build: the failing "kernel tree" is a directory with a broken Makefile.
. "$(dirname "$0")/test-lib.sh"
test_require make xz
kdir="$TOP/kernel-config"

test_expect_success 'setup: a tarball that is not the pinned one, a bad pin' '
	mkdir -p t/linux && echo "all:" >t/linux/Makefile &&
	tar -C t -cJf not-pinned.tar.xz linux &&
	sed "s/^sha256=.*/sha256=$(printf %064d 0)/" "$kdir/linux-source.pin" >zero.pin &&
	printf "package=x\nversion=1\nfile=/x\n" >short.pin &&
	printf "CONFIG_A=y\n" >a.conf
'

test_expect_success 'config: a tarball with another sha256 is refused before use' '
	test_expect_code 1 uvmkit kernel config --no-cache --source not-pinned.tar.xz \
		-o c.config a.conf 2>err &&
	test_grep "not-pinned.tar.xz: sha256 [0-9a-f]\{64\} does not match the pin [0-9a-f]\{64\} (linux-source-6.1 " err &&
	test $(wc -l <err) -eq 1 &&
	! test -e c.config && ! test -e c.config.sources
'

test_expect_success 'build: the same, and no output directory' '
	test_expect_code 1 uvmkit kernel build --no-cache --source not-pinned.tar.xz \
		--config a.conf -o out 2>err &&
	test_grep "does not match the pin" err &&
	! test -e out && ! ls -a | grep -q "^\.uvmkit-"
'

test_expect_success 'a pin whose sha256 does not match the installed tarball' '
	file=$(sed -n "s/^file=//p" zero.pin) &&
	if test -r "$file"; then
		test_expect_code 1 uvmkit kernel config --no-cache --pin zero.pin \
			-o z.config a.conf 2>err &&
		test_grep "does not match the pin 0000000000000000" err &&
		! test -e z.config
	fi
'

test_expect_success 'an incomplete pin file is refused' '
	test_expect_code 1 uvmkit kernel config --no-cache --pin short.pin -o s.config a.conf 2>err &&
	test_grep "short.pin: package, version, file and sha256 are all required" err
'

test_expect_success 'setup: a kernel tree whose build fails' '
	mkdir broken &&
	{ echo "# Stands in for kbuild: olddefconfig keeps .config, bzImage fails." &&
	  printf "olddefconfig:\n\t@true\n" &&
	  printf "bzImage:\n\t@echo \"  CC      drivers/uvmkit/broken.o\" >&2\n" &&
	  printf "\t@echo \"drivers/uvmkit/broken.c:1:1: error: expected declaration (uvmkit-test-marker)\" >&2\n" &&
	  printf "\t@false\n"; } >broken/Makefile &&
	printf "CONFIG_A=y\n# CONFIG_B is not set\n" >good.config
'

test_expect_success 'a failed build shows the log tail and leaves no output' '
	mkdir -p outp &&
	test_expect_code 1 uvmkit kernel build --source broken --config good.config \
		-o outp/kernel -j 1 2>err &&
	test_grep "make bzImage failed; last lines of the build log:" err &&
	test_grep "uvmkit-test-marker" err &&
	! test -e outp/kernel && test -z "$(ls -A outp)"
'

test_expect_success 'a failed build keeps nothing, not even an existing output' '
	mkdir -p outp/kernel && echo old >outp/kernel/vmlinuz &&
	test_expect_code 1 uvmkit kernel build --source broken --config good.config \
		-o outp/kernel --log build.log 2>err &&
	test_grep "uvmkit-test-marker" build.log &&
	echo old >expect && test_cmp expect outp/kernel/vmlinuz &&
	test "$(ls -A outp)" = kernel
'

test_expect_success 'a config the tree drops is refused before make bzImage' '
	{ printf "olddefconfig:\n\t@sed -i \"/^CONFIG_A=/d\" \$(O)/.config\n" &&
	  printf "bzImage:\n\t@echo \"bzImage must not run\" >&2; false\n"; } >broken/Makefile &&
	test_expect_code 1 uvmkit kernel build --source broken --config good.config \
		-o outp/k2 2>err &&
	test_grep "1 requested option did not survive olddefconfig: CONFIG_A=y (good.config:1) is gone" err &&
	! grep -q "must not run" err && ! test -e outp/k2
'

test_expect_success 'a missing config or source is one clear error' '
	test_expect_code 1 uvmkit kernel build --source broken --config nope.config -o o3 2>err &&
	test_grep "nope.config" err && ! test -e o3 &&
	test_expect_code 1 uvmkit kernel build --source nowhere --config good.config -o o3 2>err &&
	test_grep "nowhere" err && ! test -e o3
'
test_done
