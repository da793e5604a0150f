#!/bin/sh
# bench-verity.sh — `uvmkit verity format` against `veritysetup format` on the
# same ~300 MB file (page cache warm for both), and `uvmkit disk --layout
# kata` against `dd` into a disk + `veritysetup format` + sync (the same work
# done with the standard tools). Best of 3 wall-clock runs each, plus the CPU
# time (user+sys) and peak RSS of one more run, which are less sensitive to
# other load on a shared machine. Ratios are uvmkit / standard (< 1 faster).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${UVMKIT:=$top/build/uvmkit}" "${BENCH_MB:=300}"
command -v veritysetup >/dev/null || { echo "skip: veritysetup not installed"; exit 0; }
[ -x /usr/bin/time ] || { echo "skip: GNU time not installed"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-verity.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
SALT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
SEED=$(printf %064d 1)
head -c $((BENCH_MB * 1024 * 1024)) /dev/urandom >data.img
cat data.img >/dev/null

# measure NAME CMD...: sets NAME_wall (best of 3), NAME_cpu, NAME_rss
measure() {
	name=$1 && shift
	b=
	for i in 1 2 3; do
		rm -rf h.img out && : >h.img
		t=$(/usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -n 1)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	rm -rf h.img out && : >h.img
	set -- $(/usr/bin/time -f "%U %S %M" "$@" 2>&1 >/dev/null | tail -n 1)
	eval "${name}_wall=$b ${name}_cpu=$(echo "$1 + $2" | bc -l) ${name}_rss=$(echo "$3 / 1024" | bc -l)"
}
row() { # LABEL NAME
	eval "w=\$${2}_wall c=\$${2}_cpu m=\$${2}_rss"
	printf '  %-28s %6.2f s wall  %6.0f MB/s  %5.2f s CPU  %5.1f MiB RSS\n' "$1" "$w" \
		"$(echo "$BENCH_MB * 1.048576 / $w" | bc -l)" "$c" "$m"
}
ratio() { # NAME REF
	eval "a=\$${1}_wall b=\$${2}_wall c=\$${1}_cpu d=\$${2}_cpu"
	printf '  ratio wall %.2f, CPU %.2f\n' "$(echo "$a / $b" | bc -l)" "$(echo "$c / $d" | bc -l)"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
measure ours "$UVMKIT" verity format --no-superblock --salt=$SALT data.img h.img
cp h.img ours.h
measure ref veritysetup format --no-superblock --salt=$SALT data.img h.img
cmp -s ours.h h.img || { echo "bench-verity: trees differ!"; exit 1; }
echo "verity format, ${BENCH_MB} MiB, sha256 4096/4096, no superblock (trees identical)"
row "uvmkit verity format" ours
row "veritysetup format" ref
ratio ours ref

measure disk "$UVMKIT" disk --layout kata --seed $SEED -o out data.img
DISK_SIZE=$(stat -c %s out/rootfs.img)
export SALT DISK_SIZE
measure chn sh -c 'rm -f d.img && truncate -s $DISK_SIZE d.img && dd if=data.img of=d.img bs=1M seek=1 conv=notrunc,sparse status=none && veritysetup format --no-superblock --salt=$SALT data.img h.img >/dev/null && sync -f d.img'
echo "Kata disk from a ${BENCH_MB} MiB image ($((DISK_SIZE >> 20)) MiB disk, written to stable storage)"
row "uvmkit disk --layout kata" disk
row "dd + veritysetup + sync" chn
ratio disk chn
