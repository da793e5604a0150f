# test-lib.sh — sourced by tests/cli/tNNNN-*.sh (git t/test-lib.sh style).
#
# Gives each test a fixed environment (C locale, UTC, umask 022, HOME in the
# scratch directory) and a fresh scratch directory $TRASH, then:
#   test_expect_success 'what' 'commands'   commands must exit 0
#   test_expect_failure is not provided: write the expectation explicitly with
#   test_expect_code N cmd...              cmd must exit with N
#   test_cmp EXPECTED ACTUAL                diff -u, fails on any difference
#   test_grep PATTERN FILE                  grep with the file shown on failure
#   test_done                               exit status for run.sh
# $UVMKIT_TEST_CACHE is the shared build cache (kernel, firmware) to pass as
# --cache-dir. $UVMKIT is the binary under test, $SHARED the shared/ folder (specs,
# vectors), $TOP the source tree. UPDATE_GOLDEN=1 rewrites golden files passed
# to test_cmp_golden instead of comparing.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILDDIR:=build}"
: "${UVMKIT:=$TOP/$BUILDDIR/uvmkit}"
SHARED=$(cd "$TOP/../shared" 2>/dev/null && pwd) || SHARED=
export LC_ALL=C TZ=UTC LANG=C
unset SOURCE_DATE_EPOCH
umask 022
test_name=$(basename "$0" .sh)
TRASH="$TOP/$BUILDDIR/trash/$test_name"
rm -rf "$TRASH" && mkdir -p "$TRASH" || exit 1
# Long builds (guest kernel, firmware) are cached across tests and runs in
# the invoking user's cache, keyed by the hash of every input; a test that
# must not use it says --no-cache.
: "${UVMKIT_TEST_CACHE:=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/uvmkit}"
export UVMKIT_TEST_CACHE
export HOME="$TRASH/home" XDG_CACHE_HOME="$TRASH/home/.cache"
mkdir -p "$HOME"
cd "$TRASH" || exit 1
test_count=0 test_failures=0

uvmkit() { "$UVMKIT" "$@"; }

test_expect_success() {
	test_count=$((test_count + 1))
	if (eval "$2") >"$TRASH/.out" 2>&1; then
		echo "ok $test_count - $1"
	else
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH/.out"
	fi
}

test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "test_expect_code: '$*' exited $got, want $want" >&2
		return 1
	fi
}

test_cmp() { diff -u "$1" "$2"; }

test_cmp_golden() {
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp "$2" "$1"; else diff -u "$1" "$2"; fi
}

test_grep() {
	if ! grep -q -e "$1" "$2"; then
		echo "test_grep: no '$1' in $2:" >&2
		cat "$2" >&2
		return 1
	fi
}

# Require a command or skip the whole test file (run.sh shows the reason).
test_require() {
	for c; do
		command -v "$c" >/dev/null 2>&1 || { echo "skip: $c not installed"; exit 77; }
	done
}

# Run a command without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, so that a
# permission test holds when the tests run as root too.
test_noperm() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --bounding-set -dac_override,-dac_read_search --inh-caps -all "$@"
	else
		"$@"
	fi
}

test_require_shared() {
	[ -n "$SHARED" ] && [ -d "$SHARED/$1" ] || { echo "skip: ../shared/$1 missing"; exit 77; }
}

test_done() {
	echo "# $test_count tests, $test_failures failed"
	[ "$test_failures" -eq 0 ] && [ "$test_count" -gt 0 ]
}
