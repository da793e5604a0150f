#!/bin/sh
# Reproducibility of `uvmkit firmware build` (specs/firmware.md): two builds
# without the cache, from real directories of different path lengths, with a
# different umask, locale and TZ for the caller, give the same OVMF.fd and
# firmware.json — and the same as the cached build the other tests use
# (itself built in a third, random directory).
#
# Under SANITIZE the second uncached build is skipped (CI time budget; the
# build runs edk2's tools, not sanitized code): the one uncached build is
# compared with the cached one instead, which is still two builds from
# different real directories. The test output says so.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TOP/tests/cli/lib-firmware.sh"
test_require cmp
fw_require_source

build_in() { # WORKDIR OUT [umask] [env...]
	dir=$1 out=$2 um=$3
	shift 3
	mkdir -p "$dir" &&
	(umask "$um" && env "$@" "$UVMKIT" firmware build --no-cache \
		--source-dir "$EDK2_DOWNLOADS" -j 2 --work-dir "$dir" -o "$out") >"$out.stdout" 2>"$out.stderr"
}

test_expect_success 'the cached build (reference)' '
	fw_cached ref >ref.stdout 2>/dev/null && cat ref.stdout
'

test_expect_success 'uncached build 1 (short path, umask 027, C locale)' '
	build_in "$TRASH/a" one 027 LC_ALL=C TZ=UTC &&
	test "$(kv cache one.stdout)" = miss
'

if [ -n "${SANITIZE:-}" ]; then
	echo "# SKIP the second uncached build under SANITIZE=$SANITIZE (CI budget); comparing build 1 with the cached build"
	test_expect_success 'uncached build 1 = the cached build (different real directories)' '
		cmp ref/OVMF.fd one/OVMF.fd && cmp ref/firmware.json one/firmware.json
	'
else
	test_expect_success 'uncached build 2 (long path, umask 077, other locale and TZ)' '
		build_in "$TRASH/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/x" two 077 \
			LC_ALL=C.UTF-8 TZ=Asia/Kolkata LANG=fr_FR.UTF-8 &&
		test "$(kv cache two.stdout)" = miss
	'
	test_expect_success 'both uncached builds and the cached one are identical' '
		cmp one/OVMF.fd two/OVMF.fd && cmp one/firmware.json two/firmware.json &&
		cmp ref/OVMF.fd one/OVMF.fd && cmp ref/firmware.json one/firmware.json
	'
fi
for b in one two; do
	[ -f $b.stdout ] && echo "# uncached build $b: $(kv seconds $b.stdout)s, sha256 $(kv sha256 $b.stdout)"
done
test_expect_success 'outputs are 0644 whatever the umask' '
	test "$(stat -c %a one/OVMF.fd one/firmware.json | sort -u)" = 644
'
test_done
