#!/bin/sh
# uvmkit kernel config with the real pinned linux-source-6.1: the default
# fragments all survive olddefconfig and are attributed to their fragment
# line; later fragments override earlier ones; the result is the same from
# another directory; a dropped option (unknown, or with unmet dependencies)
# fails naming each one with FILE:LINE and leaves nothing behind.
# The unpacked source is shared through $UVMKIT_TEST_CACHE.
. "$(dirname "$0")/test-lib.sh"
test_require make gcc flex bison bc
kdir="$TOP/kernel-config"
pin_file=$(sed -n 's/^file=//p' "$kdir/linux-source.pin")
[ -r "$pin_file" ] || { echo "skip: $pin_file missing (apt-get install linux-source-6.1)"; exit 77; }
C="--cache-dir $UVMKIT_TEST_CACHE"

test_expect_success 'the default fragments merge and every option survives' '
	mkdir a && uvmkit kernel config $C -o a/.config >out &&
	test -s a/.config && test -s a/.config.sources &&
	test_grep "^options=" out &&
	for f in "$kdir"/*.conf; do
		grep "^CONFIG_[A-Za-z0-9_]*=" "$f" >want.set || :
		while read -r l; do grep -qFx "$l" a/.config ||
			{ echo "missing: $l ($f)"; exit 1; }; done <want.set &&
		sed -n "s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p" "$f" >want.unset &&
		while read -r o; do ! grep -q "^$o=" a/.config ||
			{ echo "set: $o ($f)"; exit 1; }; done <want.unset || exit 1
	done
'

test_expect_success 'attribution names the fragment line, the base or olddefconfig' '
	line=$(grep -n "^CONFIG_DM_VERITY=y" "$kdir/50-dm-verity.conf" | cut -d: -f1) &&
	printf "CONFIG_DM_VERITY=y\t50-dm-verity.conf:%s\n" "$line" >expect &&
	grep "^CONFIG_DM_VERITY=" a/.config.sources >got && test_cmp expect got &&
	grep -q "^# CONFIG_MODULES is not set	90-reproducible.conf:" a/.config.sources &&
	grep -q "^CONFIG_CC_IS_GCC=y	tinyconfig$" a/.config.sources &&
	grep -q "^CONFIG_DM_BUFIO=y	olddefconfig$" a/.config.sources &&
	test $(grep -c "	" a/.config.sources) -eq $(grep -c "^CONFIG_\|^# CONFIG_" a/.config)
'

test_expect_success 'reproducibility settings are in the resolved config' '
	grep -qx "CONFIG_RANDSTRUCT_NONE=y" a/.config &&
	grep -qx "CONFIG_DEBUG_INFO_NONE=y" a/.config &&
	! grep -q "^CONFIG_MODULE_SIG" a/.config &&
	! grep -q "^CONFIG_GCC_PLUGIN" a/.config &&
	! grep -q "^CONFIG_IKHEADERS=" a/.config &&
	grep -qx "CONFIG_SEV_GUEST=y" a/.config &&
	grep -qx "CONFIG_AMD_MEM_ENCRYPT=y" a/.config &&
	grep -qx "CONFIG_DM_INIT=y" a/.config &&
	grep -qx "CONFIG_EFI_STUB=y" a/.config
'

test_expect_success 'same fragments from another directory: same bytes' '
	mkdir -p deep/er && cp "$kdir"/*.conf deep/er/ &&
	(cd deep && umask 077 && LC_ALL=C.UTF-8 TZ=Asia/Tokyo \
		"$UVMKIT" kernel config $C -o ../b.config er/*.conf >/dev/null) &&
	cmp a/.config b.config && cmp a/.config.sources b.config.sources
'

test_expect_success 'later fragments override earlier ones (attributed to the last)' '
	printf "CONFIG_VIRTIO_BLK=y\n" >one.conf &&
	printf "# comment\n# CONFIG_VIRTIO_BLK is not set\n" >two.conf &&
	uvmkit kernel config $C --json=short -o o.config "$kdir"/*.conf one.conf two.conf >o.json &&
	python3 -c "import json,sys; j=json.load(open(\"o.json\")); assert j[\"sources\"] == \"o.config.sources\" and j[\"options\"] > 1000, j" &&
	! grep -q "^CONFIG_VIRTIO_BLK=" o.config &&
	grep -q "^# CONFIG_VIRTIO_BLK is not set	two.conf:2$" o.config.sources
'

test_expect_success 'unknown and dependency-less options fail, each named with FILE:LINE' '
	printf "CONFIG_EXT4_FS=y\nCONFIG_UVMKIT_NO_SUCH_OPTION=y\n" >bad.conf &&
	test_expect_code 1 uvmkit kernel config $C -o bad.config bad.conf 2>err &&
	test_grep "2 requested options did not survive olddefconfig" err &&
	test_grep "CONFIG_EXT4_FS=y (bad.conf:1) is gone" err &&
	test_grep "CONFIG_UVMKIT_NO_SUCH_OPTION=y (bad.conf:2) is gone" err &&
	test $(wc -l <err) -eq 1 &&
	! test -e bad.config && ! test -e bad.config.sources &&
	! ls -a | grep -q "^\.uvmkit-kernel"
'

test_expect_success 'a forced option (requested off, selected on) fails' '
	printf "# CONFIG_DM_BUFIO is not set\n" >force.conf &&
	test_expect_code 1 uvmkit kernel config $C -o f.config "$kdir"/*.conf force.conf 2>err &&
	test_grep "CONFIG_DM_BUFIO not set (force.conf:1) became y (selected or forced" err &&
	! test -e f.config
'

test_expect_success 'a malformed fragment line fails with FILE:LINE before any make' '
	printf "CONFIG_A=y\nCONFIG_B yes\n" >mal.conf &&
	test_expect_code 1 uvmkit kernel config $C -o m.config mal.conf 2>err &&
	test_grep "mal.conf:2: expected CONFIG_NAME=VALUE" err &&
	! test -e m.config
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 uvmkit kernel config one.conf 2>err &&
	test_grep "output is required" err &&
	test_expect_code 2 uvmkit kernel frobnicate 2>err &&
	test_expect_code 2 uvmkit kernel build -o x --base tinyconfig 2>err &&
	test_expect_code 2 uvmkit kernel config -o x --config y 2>err &&
	test_expect_code 2 uvmkit kernel config -o x --jobs 0 2>err &&
	test_expect_code 1 uvmkit kernel config $C -o x --base oldconfig one.conf 2>err &&
	test_grep "expected tinyconfig, allnoconfig, defconfig or none" err
'
test_done
