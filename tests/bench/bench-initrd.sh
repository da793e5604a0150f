#!/bin/sh
# bench-initrd.sh — `uvmkit initrd` against the standard pipeline
#   find . | LC_ALL=C sort | cpio -o -H newc --reproducible | gzip -n
# on the same generated tree (files in the page cache for both), in the
# same run; prints wall times, peak RSS, output sizes and the ratios.
# BENCH_MB (default 150) sets the approximate tree size.
set -eu
: "${UVMKIT:?UVMKIT must point at the uvmkit binary}"
: "${BENCH_MB:=100}"
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-initrd.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export LC_ALL=C TZ=UTC

# A tree of mixed sizes: many small text files, some medium, a few large
# ones half compressible, half random. Fixed seed: the same tree each run.
python3 - "$BENCH_MB" <<'EOT'
import os, random, sys
budget = int(sys.argv[1]) << 20
rnd = random.Random(1)
words = [bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9))) for _ in range(3000)]
def text(n):
    out, size = [], 0
    while size < n:
        w = rnd.choice(words); out.append(w); size += len(w) + 1
    return b" ".join(out)[:n]
made, i = 0, 0
plan = [(0.25, 1 << 10, 32 << 10), (0.35, 64 << 10, 2 << 20), (0.40, 8 << 20, 24 << 20)]
for share, lo, hi in plan:
    part = 0
    while part < share * budget:
        d = "tree/d%02d/s%02d" % (i % 37, i % 11)
        os.makedirs(d, exist_ok=True)
        n = rnd.randint(lo, hi)
        data = text(n // 2) + os.urandom(n - n // 2) if n > (1 << 20) else text(n)
        with open("%s/f%05d" % (d, i), "wb") as f: f.write(data)
        part += n; i += 1
    made += part
print("tree: %d files, %.1f MB" % (i, made / 1e6))
EOT
find tree -exec touch -h -d @0 {} +
chown -R 0:0 tree 2>/dev/null || true
cat $(find tree -type f) >/dev/null   # page cache, both runs alike

timeit() { # timeit NAME CMD... -> "seconds peak_kB" in NAME.t
	name=$1; shift
	/usr/bin/time -f "%e %M" -o "$name.t" "$@"
}
P="cd tree && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet"
SYNC="dd bs=1M conv=fsync status=none"   # uvmkit fsyncs its output (atomic rename)
timeit std6 sh -c "$P | gzip -n >../std6.cpio.gz"
timeit std9 sh -c "$P | gzip -n -9 | $SYNC of=../std9.cpio.gz"
timeit stdnone sh -c "$P >../std.cpio"
timeit stdnonesync sh -c "$P | $SYNC of=../stds.cpio"
timeit uvmgz "$UVMKIT" initrd -o uvm.cpio.gz tree >/dev/null
timeit uvmnone "$UVMKIT" initrd -c none -o uvm.cpio tree >/dev/null

# Same entries in both (names and content checked by extraction listing).
cpio -it --quiet <std.cpio | sed -e 's|^\./||' | LC_ALL=C sort >l1
cpio -it --quiet <uvm.cpio | LC_ALL=C sort >l2
cmp l1 l2 || { echo "bench-initrd: entry lists differ" >&2; exit 1; }

row() { # row LABEL UVM.t STD.t UVMOUT STDOUT
	set -- "$1" $(cat "$2") $(cat "$3") "$4" "$5"
	printf "%-32s uvmkit %6.2fs %6d kB RSS %10d B | std %6.2fs %6d kB RSS %10d B | time ratio %.2f\n" \
		"$1" "$2" "$3" "$(stat -c %s "$6")" "$4" "$5" "$(stat -c %s "$7")" \
		"$(echo "$2 $4" | awk '{ printf "%.3f", ($2 > 0 ? $1 / $2 : 0) }')"
}
row "gzip: vs | gzip -n" uvmgz.t std6.t uvm.cpio.gz std6.cpio.gz
row "gzip: vs | gzip -n -9, fsync'd" uvmgz.t std9.t uvm.cpio.gz std9.cpio.gz
row "none: vs cpio alone" uvmnone.t stdnone.t uvm.cpio std.cpio
row "none: vs cpio, fsync'd" uvmnone.t stdnonesync.t uvm.cpio stds.cpio
echo "ratio = uvmkit time / standard pipeline time (< 1: uvmkit faster). uvmkit compresses with"
echo "gzip -9 and fsyncs its output before the atomic rename; the fsync'd rows do the same."
