# mk/image.mk — the default guest image and the release (make image, make
# release), and the pinned downloads they need.
#
#   make image     uvmkit build of the built-in default recipe into
#                  $(IMAGE_DIR); prints where the outputs are and the time
#                  of each step ($(IMAGE_DIR).build.json has them all)
#   make release RELEASE_KEY=KEYDIR
#                  the same, signed with KEYDIR (uvmkit keygen), verified,
#                  and recorded under releases/published/ (manifest,
#                  signatures, sums, measurements — not the images)
#   make fetch-pinned   the Debian packages of rootfs/*/packages.pin

# Where pinned inputs (Debian packages of rootfs/*/packages.pin) are kept:
# the user's uvmkit cache, shared with the tests ($UVMKIT_TEST_CACHE).
DOWNLOADS ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/uvmkit/downloads
IMAGE_DIR ?= out/image
RELEASE_DIR ?= out/release
UVMKIT_JOBS ?= 2

.PHONY: fetch-pinned

# Download (once) and check every pinned package; tests only read them.
fetch-pinned:
	$(Q)tools/fetch-pinned.sh -d "$(DOWNLOADS)"

check-deps: fetch-pinned

.PHONY: image-deps
image-deps: deps fetch-pinned fetch-edk2
	$(Q)tools/install-deps.sh deps/check-kernel.txt

image: image-deps $(BIN)
	$(Q)mkdir -p $(dir $(IMAGE_DIR))
	$(Q)$(BIN) build -o $(IMAGE_DIR) -j $(UVMKIT_JOBS) --downloads-dir "$(DOWNLOADS)" \
		--json >$(IMAGE_DIR).build.json.tmp && mv $(IMAGE_DIR).build.json.tmp $(IMAGE_DIR).build.json
	$(Q)tools/build-summary.sh $(IMAGE_DIR) $(IMAGE_DIR).build.json

release: image-deps $(BIN)
	$(Q)test -n "$(RELEASE_KEY)" || { echo "make release: set RELEASE_KEY=KEYDIR (uvmkit keygen -o KEYDIR)" >&2; exit 2; }
	$(Q)mkdir -p $(dir $(RELEASE_DIR))
	$(Q)$(BIN) build -o $(RELEASE_DIR) -j $(UVMKIT_JOBS) --downloads-dir "$(DOWNLOADS)" \
		--key "$(RELEASE_KEY)" --json >$(RELEASE_DIR).build.json.tmp && \
		mv $(RELEASE_DIR).build.json.tmp $(RELEASE_DIR).build.json
	$(Q)$(BIN) verify --pub "$(RELEASE_KEY)" $(RELEASE_DIR) >$(RELEASE_DIR).verify.txt
	$(Q)tools/record-release.sh $(RELEASE_DIR) "$(RELEASE_KEY)" releases/published
	$(Q)tools/build-summary.sh $(RELEASE_DIR) $(RELEASE_DIR).build.json

# The default recipe's paths are relative to the source tree.
$(BUILDDIR)/cli/verb-build.o $(BUILDDIR)/cli/verb-reproduce.o: \
	ALL_CFLAGS += -DUVMKIT_DATADIR='"$(abspath .)"'
