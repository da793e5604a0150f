#!/bin/sh
# fetch-pinned.sh [-d DIR] [PIN...] — make sure the Debian packages pinned in
# the PIN files (default: rootfs/*/packages.pin) are in DIR (default:
# ${XDG_CACHE_HOME:-$HOME/.cache}/uvmkit/downloads) with their pinned sha256.
#
# A PIN file has lines "NAME VERSION ARCH SHA256" ('#' comments); the file
# is NAME_VERSION_ARCH.deb with any epoch dropped from VERSION. Idempotent
# and offline when everything is present: a file already in DIR with the
# right digest is kept. Otherwise the package is taken from apt's archive
# cache if it is there, else downloaded with `apt-get download NAME=VERSION`
# (the system's apt sources); either way it is checked against the pin
# before it is moved into DIR, and a mismatch fails naming both digests.
# Tests never call this: `make check-deps` and `make image` do.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/uvmkit/downloads
if [ "${1:-}" = -d ]; then dir=$2; shift 2; fi
[ $# -gt 0 ] || set -- "$top"/rootfs/*/packages.pin

ok() { [ -f "$1" ] && echo "$2  $1" | sha256sum -c --status -; }

mkdir -p "$dir"
exec 9>"$dir/.fetch-pinned.lock"
flock 9
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0
for pin; do
	sed -e 's/#.*//' "$pin" | while read -r name version arch sha; do
		[ -n "$name" ] || continue
		file=${name}_${version#*:}_${arch}.deb
		ok "$dir/$file" "$sha" && continue
		# apt's cache names the epoch ':' as '%3a'.
		cached=/var/cache/apt/archives/${name}_$(echo "$version" | sed 's/:/%3a/')_${arch}.deb
		if ok "$cached" "$sha"; then
			cp "$cached" "$tmp/$file"
		else
			echo "fetch-pinned: downloading $name=$version ($arch) into $dir" >&2
			(cd "$tmp" && apt-get -o APT::Sandbox::User=root download -qq "$name:$arch=$version" >&2) || {
				echo "fetch-pinned: $pin: cannot download $name=$version (apt-get update?)" >&2
				exit 1
			}
			[ -f "$tmp/$file" ] || mv "$tmp/${name}_$(echo "$version" | sed 's/:/%3a/')_${arch}.deb" "$tmp/$file"
		fi
		if ! ok "$tmp/$file" "$sha"; then
			echo "fetch-pinned: $file: sha256 $(sha256sum <"$tmp/$file" | cut -d' ' -f1) does not match the pin $sha ($pin)" >&2
			exit 1
		fi
		mv -f "$tmp/$file" "$dir/$file"
		echo "fetch-pinned: $dir/$file" >&2
	done || status=1
done
exit $status
