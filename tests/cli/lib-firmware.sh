# lib-firmware.sh — sourced by the firmware tests after test-lib.sh.
#
# The pinned edk2 tarballs are downloaded by `make fetch-edk2` (part of
# `make check`'s check-deps) into $UVMKIT_TEST_CACHE/downloads; tests never
# use the network and skip, saying so, when the source is not there.
# fw_cached DIR [ARGS...] builds the firmware into DIR through the shared
# cache: the first test of a run (or the first run) builds it, the others
# take it from CACHE/firmware/KEY.
EDK2_DOWNLOADS=$UVMKIT_TEST_CACHE/downloads

fw_require_source() {
	for kind in orig debian; do
		name=$(sed -n "s/^$kind \([^ ]*\) .*/\1/p" "$TOP/firmware/edk2.pin")
		[ -f "$EDK2_DOWNLOADS/$name" ] || {
			echo "skip: $EDK2_DOWNLOADS/$name missing (make fetch-edk2 downloads it)"
			exit 77
		}
	done
}

fw_cached() {
	dir=$1
	shift
	uvmkit firmware build --cache-dir "$UVMKIT_TEST_CACHE" \
		--source-dir "$EDK2_DOWNLOADS" -j 2 -o "$dir" "$@"
}

# Print the value of KEY from key=value output FILE.
kv() { sed -n "s/^$1=//p" "$2"; }
