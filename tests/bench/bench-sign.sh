#!/bin/sh
# bench-sign.sh — `uvmkit sign` and `uvmkit verify` on a release with one
# large artifact, against the standard tools doing the same hashing in the
# same run: sign (creates the manifest: SHA-256 + SHA-384 of every file)
# vs `sha256sum f; sha384sum f`, verify vs `sha256sum -c; sha384sum -c`.
# BENCH_SIGN_MIB sets the artifact size (default 512).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILDDIR:=build}" "${UVMKIT:=$top/$BUILDDIR/uvmkit}" "${BENCH_SIGN_MIB:=512}"
work="$top/$BUILDDIR/trash/bench-sign"
rm -rf "$work" && mkdir -p "$work/rel"
cd "$work"
head -c $((BENCH_SIGN_MIB * 1048576)) /dev/urandom >rel/disk.img
"$UVMKIT" keygen -o keys >/dev/null
cat rel/disk.img >/dev/null # warm the page cache for every contender

now() { date +%s.%N; }
secs() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }

t0=$(now); "$UVMKIT" sign --key keys --timestamp 0 rel >/dev/null; t1=$(now)
(cd rel && sha256sum disk.img >/dev/null && sha384sum disk.img >/dev/null); t2=$(now)
sign=$(secs "$t0" "$t1"); ref=$(secs "$t1" "$t2")
echo "sign ${BENCH_SIGN_MIB} MiB: uvmkit ${sign}s, sha256sum+sha384sum ${ref}s, ratio $(ratio "$sign" "$ref")"

t0=$(now); "$UVMKIT" verify --pub keys rel >/dev/null 2>&1; t1=$(now)
(cd rel && sha256sum -c SHA256SUMS >/dev/null && sha384sum -c SHA384SUMS >/dev/null); t2=$(now)
ver=$(secs "$t0" "$t1"); ref=$(secs "$t1" "$t2")
echo "verify ${BENCH_SIGN_MIB} MiB: uvmkit ${ver}s, sha256sum -c + sha384sum -c ${ref}s, ratio $(ratio "$ver" "$ref")"
rm -rf "$work"
