#!/bin/sh
# Boot the default guest kernel (kernel-config/*.conf, built through the
# shared cache) under QEMU TCG, bounded by timeout, -no-reboot + panic=-1:
#  1. with an initrd from `uvmkit initrd` of the minimal guest;
#  2. from the Kata-layout dm-verity disk of the same guest with the kernel
#     command line from cmdline.txt and no initrd: / must be /dev/dm-0,
#     a verity target, mounted read-only;
#  3. the same disk with one flipped byte in a data block of /bin/busybox:
#     dm-verity must refuse it and the kernel report that very block.
# This is the proof that our disk, hash tree and command line are right.
#
# The guest is rootfs/minimal (busybox-static .deb + overlay) when it is in
# this tree, else a stand-in (the installed /bin/busybox, a small /init
# printing the same marker); the disk comes from `uvmkit rootfs --layout
# kata`, or (before that verb existed) mke2fs -d + `uvmkit disk`. Which
# ones were used is said in the output.
#
# NEEDSWORK: `uvmkit rootfs` writes ext4 without a journal while
# cmdline.txt carries Kata's rootflags=data=ordered,errors=remount-ro
# (specs/kata-image.md §4); the kernel refuses that mount ("EXT4-fs (dm-0):
# can't mount with data=, fs mounted w/o journal"), so boots 2 and 3 fail
# until the rootfs has a journal. With mke2fs's default ext4 (journal) all
# three boots pass.
. "$(dirname "$0")/../cli/test-lib.sh"
. "$TOP/tests/cli/lib-kernel.sh"
kernel_require
test_require qemu-system-x86_64 timeout python3 debugfs
QEMU_TIMEOUT=${QEMU_TIMEOUT:-300}

boot() { # LOG QEMU-ARGS... : run the guest, output to LOG
	log=$1; shift
	timeout "$QEMU_TIMEOUT" qemu-system-x86_64 -accel tcg -m 512 -smp 1 \
		-nographic -no-reboot -kernel kernel/vmlinuz "$@" \
		</dev/null >"$log" 2>&1
}

why() { # LOG: on a failure, the kernel lines that say what happened
	echo "--- $1 (root, verity, mount, panic lines):"
	tr -d '\r' <"$1" | grep -a -E "device-mapper|EXT4-fs|VFS|Kernel panic|UVMKIT|Run /" | head -12
	return 1
}

minimal="$TOP/rootfs/minimal"
deb=
if [ -f "$minimal/packages.pin" ] && [ -d "$minimal/overlay" ]; then
	set -- $(grep -v '^#' "$minimal/packages.pin" | grep busybox-static)
	deb="$UVMKIT_TEST_CACHE/downloads/$1_${2#*:}_$3.deb"
	want_sha=$4
	[ -r "$deb" ] && [ "$(sha256sum <"$deb" | cut -d" " -f1)" = "$want_sha" ] || deb=
fi
if [ -n "$deb" ]; then
	guest=minimal
	echo "# guest: rootfs/minimal ($deb + overlay)"
else
	guest=stand-in
	echo "# guest: stand-in: rootfs/minimal (or its pinned busybox .deb) is not in this tree"
	test_require busybox
fi
if "$UVMKIT" rootfs --help >/dev/null 2>&1; then
	disk=rootfs
	echo "# disk: uvmkit rootfs --layout kata"
else
	disk=mke2fs
	echo "# disk: mke2fs -d + uvmkit disk --layout kata (uvmkit rootfs is not in this tree)"
	test_require mke2fs
fi

test_expect_success 'setup: the default kernel (cached build)' '
	default_kernel kernel >kernel.out &&
	test -s kernel/vmlinuz && cat kernel.out
'

test_expect_success "setup: the guest ($guest), its initrd and its Kata disk ($disk)" '
	if test $guest = minimal; then
		set -- "deb:$deb" "dir:$minimal/overlay"
	else
		mkdir -p g/bin g/sbin g/proc g/sys g/dev &&
		cp "$(command -v busybox)" g/bin/busybox && ln -s busybox g/bin/sh &&
		cat >g/init <<-\EOT &&
		#!/bin/busybox sh
		# Stand-in for rootfs/minimal/overlay/init: same marker line.
		bb=/bin/busybox
		$bb mount -t proc proc /proc; $bb mount -t sysfs sysfs /sys
		[ -e /dev/console ] || $bb mount -t devtmpfs devtmpfs /dev
		root=none dm=- verity=no ro=rw mm=
		# busybox-static of Debian 12 has no mountpoint applet: mountinfo.
		while read -r id parent majmin root_ mp rest; do
			[ "$mp" = / ] && mm=$majmin
		done </proc/self/mountinfo
		if [ -n "$mm" ] && [ -e /sys/dev/block/$mm ]; then
			root=/dev/$($bb basename $($bb readlink -f /sys/dev/block/$mm))
			[ -r /sys/dev/block/$mm/dm/name ] && dm=$($bb cat /sys/dev/block/$mm/dm/name) &&
			$bb grep -q " verity " /proc/cmdline && verity=yes
		fi
		$bb grep -q "^[^ ]* / [^ ]* ro[, ]" /proc/mounts && ro=ro
		echo "UVMKIT-MINIMAL-OK root=$root dm=$dm verity=$verity mount=$ro"
		$bb poweroff -f
		EOT
		chmod 755 g/init && ln -s ../init g/sbin/init &&
		set -- "dir:g"
	fi &&
	uvmkit initrd -o initrd.gz --epoch 1704067200 "$@" >/dev/null &&
	if test $disk = rootfs; then
		uvmkit rootfs --layout kata -o disk --epoch 1704067200 "$@" >/dev/null
	else
		test $guest = stand-in &&
		mke2fs -q -t ext4 -b 4096 -E root_owner=0:0 -d g ext4.img 16M &&
		uvmkit disk --layout kata -o disk ext4.img >/dev/null
	fi &&
	test -s disk/rootfs.img && test -s disk/cmdline.txt
'

test_expect_success 'boot 1: initrd from uvmkit initrd reaches the marker' '
	boot boot1.log -initrd initrd.gz -append "console=ttyS0 panic=-1" &&
	grep -a "UVMKIT-MINIMAL-OK" boot1.log | tr -d "\r" >got &&
	echo "UVMKIT-MINIMAL-OK root=none dm=- verity=no mount=rw" >expect &&
	test_cmp expect got
'

test_expect_success 'boot 2: Kata disk + cmdline.txt, no initrd: / is dm-verity /dev/dm-0' '
	boot boot2.log -drive file=disk/rootfs.img,if=virtio,format=raw,readonly=on \
		-append "console=ttyS0 panic=-1 $(cat disk/cmdline.txt)" &&
	{ grep -a "UVMKIT-MINIMAL-OK" boot2.log | tr -d "\r" >got &&
	  name=$(sed -n "s/^dm-mod.create=\"\{0,1\}\([^,]*\),.*/\1/p" disk/cmdline.txt) &&
	  echo "UVMKIT-MINIMAL-OK root=/dev/dm-0 dm=$name verity=yes mount=ro" >expect &&
	  test_cmp expect got &&
	  grep -a -q "VFS: Mounted root (ext4 filesystem) readonly on device 253:0" boot2.log ||
	  why boot2.log; }
'

test_expect_success 'boot 3: one flipped data byte is refused and the block named' '
	cp disk/rootfs.img bad.img &&
	python3 - bad.img disk/root_hash.txt >flip.txt <<-\EOT &&
	import struct, subprocess, sys
	img, rh = sys.argv[1], open(sys.argv[2]).read()
	blocks = int(rh.split("data_blocks=")[1].split(",")[0])
	with open(img, "rb") as f:
	    mbr = f.read(512)
	start = struct.unpack_from("<I", mbr, 446 + 8)[0] * 512   # p1 (ext4)
	with open(img, "rb") as f, open("p1.img", "wb") as o:
	    f.seek(start); o.write(f.read(blocks * 4096))
	out = subprocess.run(["debugfs", "-R", "bmap /bin/busybox 0", "p1.img"],
	                     capture_output=True, text=True, check=True).stdout
	blk = int(out.split()[0])
	off = start + blk * 4096 + 100
	with open(img, "r+b") as f:
	    f.seek(off); b = f.read(1); f.seek(off); f.write(bytes([b[0] ^ 0xff]))
	print(blk)
	EOT
	blk=$(cat flip.txt) && ! cmp -s disk/rootfs.img bad.img &&
	boot boot3.log -drive file=bad.img,if=virtio,format=raw,readonly=on \
		-append "console=ttyS0 panic=-1 $(cat disk/cmdline.txt)" &&
	{ ! grep -a -q "UVMKIT-MINIMAL-OK" boot3.log &&
	  grep -a "device-mapper: verity: .*: data block $blk is corrupted" boot3.log ||
	  why boot3.log; }
'
test_done
