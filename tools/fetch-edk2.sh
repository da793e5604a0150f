#!/bin/sh
# fetch-edk2.sh [DIR] — download the pinned edk2 source tarballs named in
# firmware/edk2.pin into DIR (default: ${XDG_CACHE_HOME:-$HOME/.cache}/uvmkit/downloads)
# with apt-get source --download-only, without touching the system's apt
# configuration (a private sources list and lists directory), and check
# their sha256 against the pin. Idempotent and offline-safe: when both files
# are already present with the pinned digests it does nothing. A file with a
# wrong digest is removed and the script fails. Needs only Debian's archive.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
pin="$top/firmware/edk2.pin"
dir=${1:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/uvmkit/downloads}

field() { sed -n "s/^$1 //p" "$pin"; }
version=$(field version)
suite=$(field suite)
package=$(field package)

ok() { # NAME SHA256 — is DIR/NAME present with that digest?
	[ -f "$dir/$1" ] && echo "$2  $dir/$1" | sha256sum -c --status -
}
all_ok() {
	field orig | { read -r n s; ok "$n" "$s"; } &&
	field debian | { read -r n s; ok "$n" "$s"; }
}
all_ok && exit 0

mkdir -p "$dir"
exec 9>"$dir/.fetch-edk2.lock"
flock 9
all_ok && exit 0

tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/src"
cat >"$tmp/sources.list" <<EOS
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main
EOS
set -- -o Dir::Etc::sourcelist="$tmp/sources.list" -o Dir::Etc::sourceparts=- \
	-o Dir::State::Lists="$tmp/lists" -o Dir::Cache="$tmp/cache" \
	-o APT::Sandbox::User=root -qq
echo "fetch-edk2: downloading $package $version (Debian $suite) into $dir" >&2
apt-get "$@" update >&2 || echo "fetch-edk2: apt-get update failed; trying the pool directly" >&2
# The mirror may not serve the .dsc (specs/firmware.md): apt-get then fails
# after downloading the tarballs. Whatever is still missing is taken by name
# from the archive's pool; everything is checked against the pin below.
(cd "$tmp/src" && apt-get "$@" source --download-only "$package=$version" >&2) ||
	echo "fetch-edk2: apt-get source failed; taking the missing tarballs from the pool" >&2
pool="http://deb.debian.org/debian/pool/main/$(echo "$package" | cut -c1)/$package"
for f in $(field orig | cut -d' ' -f1) $(field debian | cut -d' ' -f1); do
	[ -f "$tmp/src/$f" ] && continue
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL -o "$tmp/src/$f" "$pool/$f" || rm -f "$tmp/src/$f"
	else
		python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
			"$pool/$f" "$tmp/src/$f" || rm -f "$tmp/src/$f"
	fi
done
for kind in orig debian; do
	field $kind | {
		read -r n s
		[ -f "$tmp/src/$n" ] || { echo "fetch-edk2: $n was not downloaded" >&2; exit 1; }
		if ! echo "$s  $tmp/src/$n" | sha256sum -c --status -; then
			echo "fetch-edk2: $n: sha256 $(sha256sum <"$tmp/src/$n" | cut -d' ' -f1) does not match the pin $s" >&2
			exit 1
		fi
		mv -f "$tmp/src/$n" "$dir/$n"
	}
done
echo "fetch-edk2: $dir has the pinned edk2 source" >&2
