# lib-kernel.sh — sourced (after test-lib.sh) by the tests that need the
# default guest kernel: t40*-kernel-*, tests/repro/kernel-*, tests/boot/*,
# tests/bench/bench-kernel.sh.
#
# default_kernel DIR builds the default fragments (kernel-config/*.conf)
# from the pinned linux-source-6.1 through the shared cache
# $UVMKIT_TEST_CACHE: the first caller builds (minutes), every later one,
# in this run or the next (the sanitizer run), gets a cache hit. The epoch
# is the default recipe's (uvmkit build), so the pipeline's tests share the
# same cache entry.
UVM_KERNEL_EPOCH=1704067200
UVM_KERNEL_JOBS=${UVM_KERNEL_JOBS:-2}

kernel_require() {
	test_require make gcc flex bison bc xz
	kpin_file=$(sed -n 's/^file=//p' "$TOP/kernel-config/linux-source.pin")
	[ -r "$kpin_file" ] || { echo "skip: $kpin_file missing (apt-get install linux-source-6.1)"; exit 77; }
}

default_kernel() {
	"$UVMKIT" kernel build --cache-dir "$UVMKIT_TEST_CACHE" \
		--epoch "$UVM_KERNEL_EPOCH" -j "$UVM_KERNEL_JOBS" -o "$1"
}

# test_kernel DIR: set $kernel for a boot test: $UVMKIT_TEST_KERNEL when
# set, else the default kernel built (cached) into DIR; a failing build
# fails the test (exit 1), a missing kernel source skips it.
test_kernel() {
	kernel=${UVMKIT_TEST_KERNEL:-}
	if [ -z "$kernel" ]; then
		kernel_require
		default_kernel "$1" >"$1.out" 2>&1 ||
			{ cat "$1.out"; echo "default kernel build failed"; exit 1; }
		kernel=$TRASH/$1/vmlinuz
	fi
	echo "# kernel: $kernel"
}
