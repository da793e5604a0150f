#!/bin/sh
# Two builds of the default kernel from different directories give an
# identical vmlinuz (and config, attribution, kernel.json, toolchain.txt).
# Build A is the shared cached build (built in its own scratch directory
# beside its output, source unpacked in the cache); build B runs with
# --no-cache: source unpacked and objects built under another, deeper path,
# with another umask, locale and TZ for the caller.
#
# B is a full kernel build (minutes). It runs in the plain `make check`; in
# the sanitizer run (SANITIZE set) it is skipped, explicitly: that run is
# there to check uvmkit's C code, which A (a cache hit) already exercises,
# and the kernel's bytes do not depend on how uvmkit was compiled.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TOP/tests/cli/lib-kernel.sh"
kernel_require
files="vmlinuz kernel.config kernel.config.sources toolchain.txt kernel.json"

test_expect_success 'build A: the default kernel through the shared cache' '
	default_kernel a >a.out && test -s a/vmlinuz
'
if [ -n "${SANITIZE:-}" ]; then
	test_done || exit 1
	echo "skip: uncached rebuild B not run under SANITIZE=$SANITIZE (runs in the plain make check)"
	exit 77
fi

test_expect_success 'build B: no cache, another directory, umask, locale, TZ' '
	mkdir -p w/a/much/deeper/work/path b/out/dir &&
	(umask 077 && cd b/out && LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=America/Los_Angeles \
		"$UVMKIT" kernel build --no-cache --epoch "$UVM_KERNEL_EPOCH" \
		-j "$UVM_KERNEL_JOBS" --work-dir "$TRASH/w/a/much/deeper/work/path" \
		-o dir/kernel >../../b.out) &&
	test_grep "^cached=no$" b.out
'

test_expect_success 'A and B are identical, byte for byte' '
	for f in $files; do cmp a/$f b/out/dir/kernel/$f || exit 1; done &&
	test -z "$(ls -A w/a/much/deeper/work/path)"
'
test_done
