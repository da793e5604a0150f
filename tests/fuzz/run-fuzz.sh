#!/bin/sh
# run-fuzz.sh — run every libFuzzer harness in $FUZZDIR for a bounded number
# of iterations (FUZZ_RUNS, default 20000) over its seed corpus
# tests/fuzz/corpus/NAME/ (copied to a scratch dir so the tree is untouched).
# A crash, leak or sanitizer report fails the test.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${FUZZDIR:=$top/build-fuzz}" "${FUZZ_RUNS:=20000}" "${BUILDDIR:=build}"
found=0
for f in "$FUZZDIR"/fuzz-*; do
	[ -x "$f" ] || continue
	found=1
	name=$(basename "$f")
	work="$top/$BUILDDIR/trash/fuzz/$name"
	rm -rf "$work" && mkdir -p "$work/corpus"
	[ -d "$top/tests/fuzz/corpus/$name" ] && cp -r "$top/tests/fuzz/corpus/$name/." "$work/corpus/"
	echo "== $name ($FUZZ_RUNS runs)"
	(cd "$work" && "$f" -runs="$FUZZ_RUNS" -max_len=65536 -timeout=20 corpus) >"$work/log" 2>&1 || {
		tail -n 40 "$work/log"
		echo "$name: failed"
		exit 1
	}
	tail -n 1 "$work/log"
done
if [ $found = 0 ]; then
	echo "skip: no fuzz harness built (make fuzz)"
	exit 77
fi
