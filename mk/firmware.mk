# mk/firmware.mk — the firmware area's make targets (specs/firmware.md).
#
#   make fetch-edk2   download the pinned edk2 source tarballs (firmware/edk2.pin)
#                     into $(EDK2_DOWNLOADS), sha256-checked; a no-op when they
#                     are present, so it is offline-safe once done.
# `make check` runs it (through check-deps) before the tests, which never use
# the network.
EDK2_DOWNLOADS ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/uvmkit/downloads

.PHONY: fetch-edk2
fetch-edk2:
	$(Q)tools/install-deps.sh deps/check-firmware.txt
	$(Q)tools/fetch-edk2.sh $(EDK2_DOWNLOADS)

check-deps: fetch-edk2
