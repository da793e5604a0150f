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
# The guest is rootfs/minimal: its pinned busybox-static .deb (fetched into
# the cache's downloads/ by `make check-deps`, tools/fetch-pinned.sh) and its
# overlay; the disk comes from `uvmkit rootfs --layout kata`.
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
set -- $(grep -v '^#' "$minimal/packages.pin" | grep busybox-static)
deb="$UVMKIT_TEST_CACHE/downloads/$1_${2#*:}_$3.deb"
want_sha=$4

test_expect_success 'setup: the default kernel (cached build)' '
	default_kernel kernel >kernel.out &&
	test -s kernel/vmlinuz && cat kernel.out
'

test_expect_success 'setup: rootfs/minimal, its initrd and its Kata disk' '
	test -r "$deb" &&
	echo "$want_sha  $deb" | sha256sum -c - &&
	uvmkit initrd -o initrd.gz --epoch 1704067200 "deb:$deb" "dir:$minimal/overlay" >/dev/null &&
	uvmkit rootfs --layout kata -o disk --epoch 1704067200 "deb:$deb" "dir:$minimal/overlay" >/dev/null &&
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
