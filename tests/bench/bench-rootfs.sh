#!/bin/sh
# bench-rootfs.sh — `uvmkit rootfs --layout none` against `mke2fs -t ext4 -d`
# + `veritysetup format` (the same work with the standard tools: ext4 image
# of the same size from the same tree, hash tree without superblock) on a
# generated ~300 MB tree of mixed file sizes, page cache warm for both.
# Best of 3 wall-clock runs each, plus CPU time and peak RSS of one more.
# uvmkit is measured with --seed and with the default seed (the content is
# read twice either way: once to count its non-zero blocks for the
# automatic size — or, with the default seed, to hash it, in one thread per
# CPU —, once to write it); and once more with a 4x larger image of the
# same tree given by --size (content read once; peak RSS must not grow).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${UVMKIT:=$top/build/uvmkit}" "${BENCH_MB:=300}"
for c in mke2fs veritysetup python3 bc; do
	command -v $c >/dev/null || { echo "skip: $c not installed"; exit 0; }
done
[ -x /usr/bin/time ] || { echo "skip: GNU time not installed"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
SEED=$(printf %064d 1)
SALT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# The tree: many small files, some medium, a few large (random content).
python3 - "$BENCH_MB" <<\EOT
import os, random, sys
total, rnd = int(sys.argv[1]) << 20, random.Random(1)
sizes = [rnd.randrange(100, 8192) for _ in range(10000)]
sizes += [rnd.randrange(20000, 200000) for _ in range(1500)]
rest = max(total - sum(sizes), 0)
sizes += [rest // 20] * 20
for i, n in enumerate(sizes):
    d = "tree/d%02d/s%02d" % (i % 37, i % 11)
    os.makedirs(d, exist_ok=True)
    with open("%s/f%05d" % (d, i), "wb") as f:
        f.write(os.urandom(n))
for i in range(200):
    os.symlink("../f%05d" % i, "tree/d%02d/l%03d" % (i % 37, i))
EOT
ENTRIES=$(find tree | wc -l)
MB=$(du -sm --apparent-size tree | cut -f1)
cat $(find tree -type f) >/dev/null

measure() { # NAME CMD...: NAME_wall (best of 3), NAME_cpu, NAME_rss
	name=$1 && shift
	b=
	for i in 1 2 3; do
		rm -rf out fs.img h.img
		t=$(/usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -n 1)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	rm -rf out fs.img h.img
	set -- $(/usr/bin/time -f "%U %S %M" "$@" 2>&1 >/dev/null | tail -n 1)
	eval "${name}_wall=$b ${name}_cpu=$(echo "$1 + $2" | bc -l) ${name}_rss=$(echo "$3 / 1024" | bc -l)"
}
row() { # LABEL NAME
	eval "w=\$${2}_wall c=\$${2}_cpu m=\$${2}_rss"
	printf '  %-36s %6.2f s wall  %6.0f MB/s  %5.2f s CPU  %6.1f MiB RSS\n' "$1" "$w" \
		"$(echo "$MB / $w" | bc -l)" "$c" "$m"
}
ratio() { # NAME REF
	eval "a=\$${1}_wall b=\$${2}_wall c=\$${1}_cpu d=\$${2}_cpu"
	printf '  ratio %-10s wall %.2f, CPU %.2f\n' "$1" "$(echo "$a / $b" | bc -l)" "$(echo "$c / $d" | bc -l)"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
"$UVMKIT" rootfs --layout none --seed $SEED -o out tree >first.txt
SIZE=$(sed -n 's/^fs_bytes=//p' first.txt)
INODES=$(( ENTRIES + 64 ))
export SIZE INODES SALT
measure seed "$UVMKIT" rootfs --layout none --seed $SEED -o out tree
measure dflt "$UVMKIT" rootfs --layout none -o out tree
measure big "$UVMKIT" rootfs --layout none --seed $SEED --size $((SIZE * 4)) -o out tree
measure ref sh -c 'mke2fs -q -F -t ext4 -b 4096 -I 256 -N $INODES -O ^has_journal \
	-E lazy_itable_init=1,root_owner=0:0 -d tree fs.img $((SIZE / 4096)) &&
	veritysetup format --no-superblock --salt=$SALT fs.img h.img >/dev/null'
echo "rootfs --layout none vs mke2fs -d + veritysetup format: $ENTRIES entries, $MB MB," \
	"image $((SIZE >> 20)) MiB"
row "uvmkit rootfs --seed" seed
row "uvmkit rootfs (default seed)" dflt
row "uvmkit rootfs --seed, 4x image size" big
row "mke2fs -d + veritysetup format" ref
ratio seed ref
ratio dflt ref
