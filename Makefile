# uvmkit — build, test, install.
#
#   make                     build ./build/uvmkit (installs missing Debian packages as root)
#   make check               every test (unit, CLI, interop, repro, boot, bounded fuzzing)
#   make check SANITIZE=address,undefined   the same under sanitizers (in build-san/)
#   make image               build the default guest image into ./out/image
#   make bench               benchmarks against the standard tools
#   make fuzz                libFuzzer harnesses (clang) into build-fuzz/
#   make install PREFIX=/usr/local DESTDIR=
#   make DEVELOPER=1         warnings are errors;  V=1 shows commands
#   TESTS=pattern make check runs only matching tests

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CLANG ?= clang
PKG_CONFIG ?= pkg-config

ifdef SANITIZE
BUILDDIR ?= build-san
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILDDIR ?= build
SAN_FLAGS :=
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

PKGS := ext2fs com_err libcryptsetup libarchive libcrypto jansson inih
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter -Wvla -Wpointer-arith
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif

CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SAN_FLAGS) -D_GNU_SOURCE \
	-D_FILE_OFFSET_BITS=64 -DUVMKIT_VERSION='"$(VERSION)"' -I. $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)
LIBS = $(PKG_LIBS) -lz -lm

LIB_SRCS := $(sort $(wildcard common/*.c builder/*.c measure/*.c releases/*.c))
CLI_SRCS := $(sort $(wildcard cli/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILDDIR)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILDDIR)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILDDIR)/tests/%)
LIB := $(BUILDDIR)/libuvmkit.a
BIN := $(BUILDDIR)/uvmkit

.PHONY: all deps check-deps check bench fuzz install uninstall clean image release
.DEFAULT_GOAL := all
# Keep intermediate objects (the fuzz objects would otherwise be deleted).
.SECONDARY:

all: deps $(BIN)

# Install what a build needs (Debian packages, as root); prints what it did.
deps:
	$(Q)tools/install-deps.sh deps/build*.txt

check-deps:
	$(Q)tools/install-deps.sh deps/*.txt

$(BUILDDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(LIBS)

$(BUILDDIR)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) -MMD -MP \
		$(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

check: check-deps $(BIN) $(UNIT_BINS) fuzz
	$(Q)BUILDDIR=$(BUILDDIR) UVMKIT=$(abspath $(BIN)) FUZZDIR=$(abspath build-fuzz) \
		SANITIZE=$(SANITIZE) tests/run.sh $(TESTS)

# libFuzzer harnesses: library sources compiled again with clang and the
# fuzzer instrumentation; one binary per tests/fuzz/fuzz-*.c.
FUZZ_BUILDDIR := build-fuzz
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DUVMKIT_VERSION='"$(VERSION)"' -I. $(PKG_CFLAGS)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILDDIR)/%.o)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILDDIR)/%)

$(FUZZ_BUILDDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CLANG   $<")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILDDIR)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_LIB_OBJS)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJS) $(LIBS)

fuzz: deps $(FUZZ_BINS)

bench: check-deps $(BIN)
	$(Q)UVMKIT=$(abspath $(BIN)) tests/bench/run.sh

install: $(BIN) $(LIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/uvmkit
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/uvmkit
	install -m 0644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libuvmkit.a
	for d in common builder measure releases; do \
		ls $$d/*.h >/dev/null 2>&1 || continue; \
		install -d $(DESTDIR)$(PREFIX)/include/uvmkit/$$d; \
		install -m 0644 $$d/*.h $(DESTDIR)$(PREFIX)/include/uvmkit/$$d/; done
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@REQUIRES@|$(PKGS)|' uvmkit.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/uvmkit.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/uvmkit $(DESTDIR)$(PREFIX)/lib/libuvmkit.a \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/uvmkit.pc
	rm -rf $(DESTDIR)$(PREFIX)/include/uvmkit

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(UNIT_BINS:=.d) $(FUZZ_LIB_OBJS:.o=.d)
-include mk/*.mk
