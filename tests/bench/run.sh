#!/bin/sh
# run.sh — run every benchmark tests/bench/bench-*.sh; each prints its own
# figures (uvmkit against the standard tool, as a ratio, same run, same input).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
rc=0
for b in "$top"/tests/bench/bench-*.sh; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || rc=1
done
exit $rc
