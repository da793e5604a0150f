#!/bin/sh
# uvmkit kernel build of the default fragments (the shared cached build):
# the output directory's files, the pinned build environment visible in
# the image's version string, kernel.json's digests, and a second run
# served from the cache with identical bytes.
. "$(dirname "$0")/test-lib.sh"
. "$TOP/tests/cli/lib-kernel.sh"
kernel_require
test_require strings

test_expect_success 'the default kernel builds (or comes from the cache)' '
	default_kernel k >out &&
	for f in vmlinuz kernel.config kernel.config.sources toolchain.txt kernel.json; do
		test -s k/$f || { echo "missing k/$f"; exit 1; }
	done &&
	test_grep "^cache_key=[0-9a-f]\{64\}$" out
'

test_expect_success 'vmlinuz is a bzImage with the pinned version string' '
	test "$(dd if=k/vmlinuz bs=1 skip=514 count=4 2>/dev/null)" = HdrS &&
	strings k/vmlinuz | grep "^6\.1\.[0-9]* (uvmkit@uvmkit) #1 SMP Mon Jan  1 00:00:00 UTC 2024$"
'

test_expect_success 'kernel.config is the merged default config' '
	uvmkit kernel config --cache-dir "$UVMKIT_TEST_CACHE" -o default.config >/dev/null &&
	cmp default.config k/kernel.config &&
	cmp default.config.sources k/kernel.config.sources
'

test_expect_success 'kernel.json records the digests, source pin and toolchain' '
	sha=$(sha256sum <k/vmlinuz | cut -d" " -f1) &&
	csha=$(sha256sum <k/kernel.config | cut -d" " -f1) &&
	pin=$(sed -n "s/^sha256=//p" "$TOP/kernel-config/linux-source.pin") &&
	python3 - "$sha" "$csha" "$pin" <<-\EOT
	import json, subprocess, sys
	j = json.load(open("k/kernel.json"))
	assert j["vmlinuz_sha256"] == sys.argv[1], j
	assert j["config_sha256"] == sys.argv[2], j
	assert j["source"]["sha256"] == sys.argv[3], j
	assert j["source"]["package"] == "linux-source-6.1", j
	gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout
	assert j["toolchain"]["gcc"] == gcc.splitlines()[0], j
	env = j["environment"]
	assert env["KBUILD_BUILD_TIMESTAMP"] == "Mon Jan  1 00:00:00 UTC 2024", env
	assert env["SOURCE_DATE_EPOCH"] == "1704067200", env
	assert env["KBUILD_BUILD_USER"] == env["KBUILD_BUILD_HOST"] == "uvmkit", env
	assert env["PATH"] == "/usr/bin:/bin" and env["LC_ALL"] == "C", env
	assert j["release"].startswith("6.1."), j
	EOT
'

test_expect_success 'a second build is a cache hit with the same bytes' '
	default_kernel k2 >out2 &&
	test_grep "^cached=yes$" out2 &&
	for f in vmlinuz kernel.config kernel.config.sources toolchain.txt kernel.json; do
		cmp k/$f k2/$f || exit 1
	done &&
	cp k/kernel.config plain.config &&
	uvmkit kernel build --cache-dir "$UVMKIT_TEST_CACHE" --epoch 1704067200 \
		--config plain.config -o k3 --json=short >out3 &&
	test_grep "\"cached\":true" out3 && cmp k/vmlinuz k3/vmlinuz &&
	! test -e k3/kernel.config.sources
'

test_expect_success 'a tampered cache entry is refused, not used' '
	key=$(sed -n "s/^cache_key=//p" out) &&
	mkdir -p cache/kernel && cp -r "$UVMKIT_TEST_CACHE/kernel/$key" cache/kernel/ &&
	chmod -R u+w cache && printf X | dd of=cache/kernel/$key/vmlinuz bs=1 seek=600 conv=notrunc 2>/dev/null &&
	test_expect_code 1 uvmkit kernel build --cache-dir cache --epoch 1704067200 \
		--config k/kernel.config -o k4 2>err &&
	test_grep "vmlinuz does not match its recorded sha256" err && ! test -e k4
'
test_done
