#!/bin/sh
# install-deps.sh LIST... — make sure the Debian packages named in the given
# lists (one per line, '#' comments) are installed. As root it installs the
# missing ones with apt-get and says which; otherwise it names them and fails.
set -eu
# One installer at a time (make -j runs deps and check-deps side by side, and
# several checkouts may build at once): apt would fail on its own lock.
if [ "$(id -u)" = 0 ] && command -v flock >/dev/null 2>&1; then
	exec 9>/run/lock/uvmkit-install-deps.lock
	flock 9
fi
missing=
for pkg in $(cat "$@" | sed -e 's/#.*//' | tr -s ' \t' '\n' | sort -u); do
	[ -n "$pkg" ] || continue
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) # A virtual package provided by an installed one counts (e.g. npm
	   # is provided by NodeSource's nodejs, which conflicts with Debian's npm).
	   dpkg-query -W -f='${db:Status-Abbrev} ${Provides}\n' 2>/dev/null |
		grep -Eq "^ii .*[ ,]$pkg( \(|,|\$)" || missing="$missing $pkg" ;;
	esac
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages:$missing (run as root or install them)" >&2
	exit 1
fi
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >&2
echo "install-deps: installed:$missing" >&2
