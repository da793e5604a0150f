#!/bin/sh
# A real kernel unpacks the initrd and runs its /init (QEMU, -accel tcg,
# bounded by timeout): every compression, a hard link, a symlink, setuid
# bits and the epoch as mtime seen from inside the guest.
# Kernel: $UVMKIT_TEST_KERNEL if set, else uvmkit's default guest kernel
# (kernel-config/, built through the shared cache: tests/cli/lib-kernel.sh).
. "$(dirname "$0")/test-lib.sh"
test_require qemu-system-x86_64 gcc timeout
. "$TOP/tests/cli/lib-kernel.sh"
test_kernel k

test_expect_success 'setup: a static /init that reports what it sees' '
	mkdir -p root/etc root/bin &&
	cat >init.c <<-\EOT &&
	#include <stdio.h>
	#include <string.h>
	#include <sys/reboot.h>
	#include <sys/stat.h>
	#include <unistd.h>
	int main(void)
	{
		char buf[64] = "", tgt[64] = "";
		FILE *f = fopen("/etc/msg", "r");
		if (f) { if (!fgets(buf, sizeof buf, f)) buf[0] = 0; fclose(f); }
		buf[strcspn(buf, "\n")] = 0;
		struct stat a = { 0 }, b = { 0 }, s = { 0 };
		stat("/etc/msg", &a); stat("/etc/msg-link", &b); stat("/bin/suid", &s);
		if (readlink("/etc/sym", tgt, sizeof tgt - 1) < 0) tgt[0] = 0;
		printf("UVMKIT-INITRD msg=%s same-inode=%d nlink=%lu sym=%s suid=%o mtime=%ld\n",
		       buf, a.st_ino == b.st_ino, (unsigned long)a.st_nlink, tgt,
		       (unsigned)(s.st_mode & 07777), (long)a.st_mtime);
		fflush(stdout);
		reboot(RB_POWER_OFF);
		return 0;
	}
	EOT
	gcc -static -O2 -o root/init init.c &&
	echo "hello from uvmkit" >root/etc/msg && ln root/etc/msg root/etc/msg-link &&
	ln -s msg root/etc/sym && cp root/init root/bin/suid && chmod 4755 root/bin/suid &&
	chmod 755 root root/etc root/bin &&
	echo "UVMKIT-INITRD msg=hello from uvmkit same-inode=1 nlink=2 sym=msg suid=4755 mtime=1704067200" >expect
'
for c in gzip zstd none; do
	test_expect_success "the kernel boots the $c initrd and runs /init" '
		uvmkit initrd -o initrd.'$c' -c '$c' --epoch 1704067200 root >/dev/null &&
		timeout 180 qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot \
			-kernel "$kernel" -initrd initrd.'$c' \
			-append "console=ttyS0 panic=-1 quiet" </dev/null >boot.'$c'.log 2>&1 &&
		grep -a -o "UVMKIT-INITRD .*" boot.'$c'.log | tr -d "\r" >got &&
		test_cmp expect got
	'
done
test_done
