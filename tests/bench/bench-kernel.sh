#!/bin/sh
# bench-kernel.sh — the guest kernel: wall and CPU time of an uncached
# `uvmkit kernel build` of the default fragments (-j$BENCH_JOBS, default 2),
# and the boot time of that kernel under QEMU TCG to the guest's marker
# line (an initrd of busybox and an /init that prints it), measured from
# QEMU's start, median of BENCH_BOOTS (default 5) boots.
# BENCH_KERNEL_CACHED=1 takes the kernel from the cache instead of timing
# a build (boot figures only).
set -eu
: "${UVMKIT:?UVMKIT must point at the uvmkit binary}"
: "${BENCH_JOBS:=2}" "${BENCH_BOOTS:=5}" "${BENCH_KERNEL_CACHED:=0}"
top=$(cd "$(dirname "$0")/../.." && pwd)
pin=$(sed -n 's/^file=//p' "$top/kernel-config/linux-source.pin")
[ -r "$pin" ] || { echo "skip: $pin missing"; exit 0; }
command -v qemu-system-x86_64 >/dev/null && command -v busybox >/dev/null ||
	{ echo "skip: qemu-system-x86_64 or busybox missing"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export LC_ALL=C TZ=UTC
cache=${XDG_CACHE_HOME:-$HOME/.cache}/uvmkit

if [ "$BENCH_KERNEL_CACHED" = 1 ]; then
	"$UVMKIT" kernel build --cache-dir "$cache" --epoch 1704067200 \
		-j "$BENCH_JOBS" -o k >/dev/null
else
	/usr/bin/time -f "%e %U %S" -o build.time "$UVMKIT" kernel build \
		--no-cache --epoch 1704067200 -j "$BENCH_JOBS" -o k >/dev/null
	read -r wall user sys <build.time
	echo "kernel build (default fragments, uncached, -j$BENCH_JOBS, $(nproc) CPUs):" \
		"wall ${wall}s, CPU $(echo "$user + $sys" | bc)s," \
		"vmlinuz $(stat -c %s k/vmlinuz) bytes," \
		"$(grep -c '=y$' k/kernel.config) options =y"
fi

mkdir -p g/bin g/proc g/sys g/dev
cp "$(command -v busybox)" g/bin/busybox
cat >g/init <<'EOT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "UVMKIT-BENCH-MARKER uptime=$(/bin/busybox cut -d' ' -f1 /proc/uptime)"
/bin/busybox poweroff -f
EOT
chmod 755 g/init
"$UVMKIT" initrd -o initrd.gz --epoch 1704067200 g >/dev/null

python3 - "$BENCH_BOOTS" <<'EOT'
import statistics, subprocess, sys, time
n = int(sys.argv[1])
marker, wall, uptime = [], [], []
for _ in range(n):
    t0 = time.monotonic()
    p = subprocess.Popen(["timeout", "300", "qemu-system-x86_64", "-accel", "tcg",
                          "-m", "512", "-smp", "1", "-nographic", "-no-reboot",
                          "-kernel", "k/vmlinuz", "-initrd", "initrd.gz",
                          "-append", "console=ttyS0 panic=-1 quiet"],
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    seen = None
    for line in p.stdout:
        if b"UVMKIT-BENCH-MARKER" in line and seen is None:
            seen = time.monotonic() - t0
            uptime.append(float(line.split(b"uptime=")[1].split()[0]))
    p.wait()
    wall.append(time.monotonic() - t0)
    if seen is None:
        sys.exit("boot: no marker (exit %d)" % p.returncode)
    marker.append(seen)
print("boot under TCG to the marker (initrd, median of %d): %.2fs from QEMU start"
      " (guest uptime %.2fs), QEMU start to exit %.2fs"
      % (n, statistics.median(marker), statistics.median(uptime), statistics.median(wall)))
EOT
