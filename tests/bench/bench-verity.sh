#!/bin/sh
# bench-verity.sh — `uvmkit verity format` against `veritysetup format` on the
# same ~300 MB file (page cache warm for both), and `uvmkit disk --layout
# kata` on a 300 MB filesystem-sized image. Best of 3 runs each; prints
# seconds, MB/s, peak RSS and the ratio uvmkit/veritysetup (< 1 is faster).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${UVMKIT:=$top/build/uvmkit}" "${BENCH_MB:=300}"
command -v veritysetup >/dev/null || { echo "skip: veritysetup not installed"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-verity.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
SALT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
UUID=6a2b0e7e-3d0c-4a39-9f3e-000000000003
head -c $((BENCH_MB * 1024 * 1024)) /dev/urandom >data.img
cat data.img >/dev/null

# best CMD...: best wall time of 3 runs in seconds (hash file recreated)
best() {
	b=
	for i in 1 2 3; do
		rm -f h.img && : >h.img
		s=$(date +%s.%N)
		"$@" >/dev/null
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	printf '%.3f' "$b"
}
rss() { # peak RSS in MiB, if GNU time is around
	if [ -x /usr/bin/time ]; then
		rm -f h.img && : >h.img
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1 | awk '{printf "%.1f", $1/1024}'
	else echo "n/a"; fi
}
ours=$(best "$UVMKIT" verity format --no-superblock --salt=$SALT data.img h.img)
cmp_h=$(cp h.img ours.h && echo ok)
ref=$(best veritysetup format --no-superblock --salt=$SALT data.img h.img)
cmp ours.h h.img || { echo "bench-verity: trees differ!"; exit 1; }
ours_rss=$(rss "$UVMKIT" verity format --no-superblock --salt=$SALT data.img h.img)
ref_rss=$(rss veritysetup format --no-superblock --salt=$SALT data.img h.img)
echo "verity format, ${BENCH_MB} MiB, sha256 4096/4096, no superblock (trees identical: $cmp_h)"
printf '  uvmkit verity format   %6.3f s  %6.0f MB/s  peak RSS %s MiB\n' "$ours" \
	"$(echo "$BENCH_MB * 1.048576 / $ours" | bc -l)" "$ours_rss"
printf '  veritysetup format     %6.3f s  %6.0f MB/s  peak RSS %s MiB\n' "$ref" \
	"$(echo "$BENCH_MB * 1.048576 / $ref" | bc -l)" "$ref_rss"
printf '  ratio uvmkit/veritysetup = %.2f\n' "$(echo "$ours / $ref" | bc -l)"

# The whole Kata disk (copy into p1 + tree + MBR) against the tool chain it
# replaces for the same work: veritysetup on the image + dd into a disk.
disk=$(best "$UVMKIT" disk --layout kata --seed $(printf %064d 1) -o out data.img)
chain() {
	rm -f d.img && truncate -s $(stat -c %s out/rootfs.img) d.img &&
	dd if=data.img of=d.img bs=1M seek=1 conv=notrunc,sparse status=none &&
	veritysetup format --no-superblock --salt=$SALT data.img h.img >/dev/null &&
	sync -f d.img
}
chn=$(best chain)
echo "disk --layout kata from a ${BENCH_MB} MiB image ($(stat -c %s out/rootfs.img) byte disk)"
printf '  uvmkit disk            %6.3f s\n' "$disk"
printf '  dd + veritysetup       %6.3f s\n' "$chn"
printf '  ratio = %.2f\n' "$(echo "$disk / $chn" | bc -l)"
