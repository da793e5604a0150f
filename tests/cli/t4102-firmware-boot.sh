#!/bin/sh
# Measured direct boot without SEV hardware (specs/firmware.md, "Booting it
# without SEV"): the built AmdSev OVMF boots our kernel and initrd under QEMU
# TCG when the SEV hashes table that `uvmkit measure --dump-hashes-table`
# computes is loaded at the table's address (0x810c00), and refuses to boot
# with a table for another command line or for the unpatched kernel. This
# shows that the table our launch digest covers is exactly what the firmware
# verifies.
#
# Without SEV, QEMU edits the kernel's setup header before the firmware
# hashes it (hw/i386/x86.c, x86_load_linux): type_of_loader 0x210 = 0xb0,
# loadflags 0x211 |= 0x80 (CAN_USE_HEAP), heap_end_ptr 0x224 = 0xfe00,
# cmd_line_ptr 0x228 = 0x20000, and with an initrd ramdisk_image 0x218 =
# (initrd_max - size) & ~4095 and ramdisk_size 0x21c = size, where
# initrd_max = min(initrd_addr_max (0x22c), below-4G RAM - 0x28000 (ACPI
# data) - 1). So the kernel measured here is a copy with those edits, for
# -machine q35 -m 512. (With SEV, QEMU leaves the header alone.)
#
# Kernel: $UVMKIT_TEST_KERNEL if set, else the default `uvmkit kernel build`
# through the shared cache (tests/cli/lib-kernel.sh: same epoch as the
# kernel tests, so the same cache entry); a failing build fails the test.
. "$(dirname "$0")/test-lib.sh"
. "$TOP/tests/cli/lib-firmware.sh"
test_require qemu-system-x86_64 timeout python3 gcc
fw_require_source

. "$TOP/tests/cli/lib-kernel.sh"
test_kernel kern

CMD="console=ttyS0 panic=-1"
MARK=UVMKIT-FW-BOOT

test_expect_success 'setup: firmware, an initrd whose /init prints a marker' '
	fw_cached fw >/dev/null &&
	mkdir -p root &&
	cat >init.c <<-EOT &&
	#include <stdio.h>
	int main(void)
	{
		printf("$MARK measured direct boot reached /init\n");
		fflush(stdout);
		return 0; /* init exits: panic=-1 reboots, -no-reboot ends QEMU */
	}
	EOT
	gcc -static -O2 -o root/init init.c && chmod 755 root &&
	uvmkit initrd -o initrd.img -c gzip --epoch 0 root >/dev/null
'

# qemu_setup_header KERNEL INITRD OUT: the copy of KERNEL that the firmware
# sees (header edits above).
qemu_setup_header() {
	python3 - "$@" <<-\EOT
	import os, struct, sys
	kernel, initrd, out = sys.argv[1:4]
	b = bytearray(open(kernel, "rb").read())
	assert b[0x202:0x206] == b"HdrS" and struct.unpack_from("<H", b, 0x206)[0] >= 0x203
	b[0x210] = 0xB0
	b[0x211] |= 0x80
	struct.pack_into("<H", b, 0x224, 0xFE00)
	struct.pack_into("<I", b, 0x228, 0x20000)
	size = os.path.getsize(initrd)
	initrd_max = struct.unpack_from("<I", b, 0x22C)[0]
	limit = (512 << 20) - 0x28000
	if initrd_max >= limit:
	    initrd_max = limit - 1
	struct.pack_into("<I", b, 0x218, (initrd_max - size) & ~4095)
	struct.pack_into("<I", b, 0x21C, size)
	open(out, "wb").write(b)
	EOT
}

# table KERNEL CMDLINE OUT
table() {
	uvmkit measure --mode snp --vcpus 1 --vcpu-type EPYC-v4 --ovmf fw/OVMF.fd \
		--kernel "$1" --initrd initrd.img --append "$2" --dump-hashes-table "$3" >/dev/null
}

# boot TABLE LOG SECONDS: boot our kernel + initrd + $CMD through the firmware
# with TABLE at 0x810c00; sets $first (seconds to the first kernel line, or
# empty; also written to LOG.first) and $total.
boot() {
	t0=$(date +%s.%N)
	timeout "$3" qemu-system-x86_64 -accel tcg -machine q35 -m 512 -smp 1 \
		-bios fw/OVMF.fd -kernel "$kernel" -initrd initrd.img -append "$CMD" \
		-device loader,file="$1",addr=0x810c00,force-raw=on \
		-nographic -no-reboot </dev/null >"$2" 2>&1 &
	pid=$!
	first=
	while kill -0 $pid 2>/dev/null; do
		if [ -z "$first" ] && grep -aq "Linux version" "$2"; then
			first=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
		fi
		sleep 0.2
	done
	wait $pid
	total=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
	echo "$first" >"$2.first"
	echo "$total" >"$2.total"
}

test_expect_success 'the firmware boots with the table uvmkit measure computed' '
	qemu_setup_header "$kernel" initrd.img kernel.patched &&
	table kernel.patched "$CMD" good.bin &&
	boot good.bin good.log 300 &&
	test_grep "$MARK measured direct boot reached /init" good.log &&
	test_grep "Command line: $CMD" good.log
'
# How long a refusal is watched: 3 times the good boot's time to the first
# kernel line, at least 20 s.
first=$(cat good.log.first 2>/dev/null)
echo "# direct boot through the firmware (TCG): first kernel line after ${first:-?}s, /init and QEMU exit after $(cat good.log.total 2>/dev/null || echo ?)s"
wait_s=$(python3 -c "print(max(20, int(3 * float('${first:-10}')) + 1))" 2>/dev/null || echo 30)

test_expect_success "a table for another command line: refused (no kernel output in ${wait_s}s)" '
	table kernel.patched "$CMD evil=1" cmdline.bin &&
	! cmp -s good.bin cmdline.bin &&
	boot cmdline.bin cmdline.log "$wait_s" &&
	test -z "$first" &&
	! grep -a -e "Linux version" -e "$MARK" cmdline.log
'

test_expect_success "a table for the kernel as given (header not as QEMU edits it): refused" '
	table "$kernel" "$CMD" unpatched.bin &&
	! cmp -s good.bin unpatched.bin &&
	boot unpatched.bin unpatched.log "$wait_s" &&
	test -z "$first" &&
	! grep -a -e "Linux version" -e "$MARK" unpatched.log
'
test_done
