# mk/image.mk — the default guest image and the release (make image, make
# release), and the pinned downloads they need.

# Where pinned inputs (Debian packages of rootfs/*/packages.pin) are kept:
# the user's uvmkit cache, shared with the tests ($UVMKIT_TEST_CACHE).
DOWNLOADS ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/uvmkit/downloads

.PHONY: fetch-pinned

# Download (once) and check every pinned package; tests only read them.
fetch-pinned:
	$(Q)tools/fetch-pinned.sh -d "$(DOWNLOADS)"

check-deps: fetch-pinned

# The default recipe's paths are relative to the source tree.
$(BUILDDIR)/cli/verb-build.o $(BUILDDIR)/cli/verb-reproduce.o: \
	ALL_CFLAGS += -DUVMKIT_DATADIR='"$(abspath .)"'
