#!/bin/sh
# run.sh [PATTERN...] — run every test of uvmkit and print one line per test
# and a closing "N passed, N failed, N skipped" line.
#
# A test is an executable that exits 0 (pass), 77 (skip, with its reason as
# the last line of its output) or anything else (fail):
#   $BUILDDIR/tests/test-*   cmocka unit tests
#   tests/cli/t*.sh          the real binary, git-style (tests/cli/test-lib.sh)
#   tests/repro/*.sh  tests/boot/*.sh  tests/fuzz/run-*.sh
# Logs go to $BUILDDIR/test-logs/; a failure prints the tail of its log.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
: "${BUILDDIR:=build}"
: "${TEST_TIMEOUT:=3600}"
export BUILDDIR UVMKIT="${UVMKIT:-$top/$BUILDDIR/uvmkit}"
logs="$top/$BUILDDIR/test-logs"
mkdir -p "$logs"

tests=$(
	ls "$BUILDDIR"/tests/test-* 2>/dev/null | grep -v '\.d$'
	ls tests/cli/t[0-9]*.sh tests/repro/*.sh tests/boot/*.sh tests/fuzz/run-*.sh 2>/dev/null
)
if [ $# -gt 0 ]; then
	sel=
	for t in $tests; do
		n=$(echo "$t" | sed -e "s|^$BUILDDIR/tests/|unit/|" -e 's|^tests/||')
		for p in "$@"; do
			case "$n" in *$p*) sel="$sel $t"; break ;; esac
		done
	done
	tests=$sel
fi

pass=0 fail=0 skip=0 failed=
for t in $tests; do
	name=$(echo "$t" | sed -e "s|^$BUILDDIR/tests/|unit/|" -e 's|^tests/||')
	log="$logs/$(echo "$name" | tr / _).log"
	start=$(date +%s)
	timeout "$TEST_TIMEOUT" "./$t" >"$log" 2>&1 </dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS  $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP  $name: $(tail -n 1 "$log")" ;;
	*) fail=$((fail + 1)); failed="$failed $name"
	   echo "FAIL  $name (exit $rc, ${secs}s) — last lines of $log:"
	   tail -n 25 "$log" | sed 's/^/    /' ;;
	esac
done
[ -z "$failed" ] || echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ $((pass + skip)) -gt 0 ]
