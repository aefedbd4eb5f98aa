# sealdrop - a plain Makefile. `make` builds build/sealdrop and
# build/sealdrop-admin; `make check` installs what is missing, builds and
# runs every test, then runs the suite again under ASan+UBSan, then builds,
# checks and (in CI) installs the Debian packages. `make demo` installs
# only what building needs; `make deb` writes the packages to build/deb/.

CC      ?= cc
CFLAGS  ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
# `make WERROR=-Werror` (CI) turns every warning into an error.
WERROR  ?=
# Extra flags for instrumented builds (see the asan target).
SAN     ?=

# The one version, in the file VERSION; debian/changelog must agree
# (tests/integration/pkg_deb.sh checks it).
VERSION := $(shell cat VERSION)
# `make demo LISTEN=ADDR:PORT` serves the demo elsewhere.
LISTEN  ?= 127.0.0.1:8080

# What each program links: the offline tool needs no HTTP server and no
# QR codes, so its package does not pull them in. Test and tool binaries
# link the union.
PKGS    := libsodium libmicrohttpd sqlite3 libqrencode libseccomp
ADMIN_PKGS := libsodium sqlite3 libseccomp ncursesw
WARN    := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes
HARDEN  ?= -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
           -fstack-clash-protection -fPIE
LDHARD  := -pie -Wl,-z,relro,-z,now,-z,noexecstack

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ADMIN_LIBS = $(shell pkg-config --libs $(ADMIN_PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)
# review's screen: sealdrop-admin and its unit tests only.
CURSES_LIBS = $(shell pkg-config --libs ncursesw 2>/dev/null)

ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARN) $(WERROR) $(HARDEN) $(CPPFLAGS) \
              $(CFLAGS) $(SAN) $(PKG_CFLAGS) -Icrypto -I$(BUILD)/gen
ALL_LDFLAGS = $(LDHARD) $(LDFLAGS) $(SAN)

CRYPTO_SRC := $(wildcard crypto/*.c)
DROP_SRC   := $(wildcard drop/*.c)
ADMIN_SRC  := $(wildcard admin/*.c)
CRYPTO_OBJ := $(CRYPTO_SRC:%.c=$(BUILD)/obj/%.o)
DROP_OBJ   := $(DROP_SRC:%.c=$(BUILD)/obj/%.o)
ADMIN_OBJ  := $(ADMIN_SRC:%.c=$(BUILD)/obj/%.o)
# Everything but main(), so unit tests can link a program's modules.
DROP_LIB   := $(filter-out $(BUILD)/obj/drop/main.o,$(DROP_OBJ))
ADMIN_LIB  := $(filter-out $(BUILD)/obj/admin/main.o,$(ADMIN_OBJ))
# The file inspector parses submitted files' bytes inside a sandbox: a
# program of its own, never linked into sealdrop-admin, which holds the
# key. Debian ships no pkg-config file for libmagic.
INSPECT_SRC := $(wildcard inspect/*.c)
INSPECT_OBJ := $(INSPECT_SRC:%.c=$(BUILD)/obj/%.o)
INSPECT_LIB := $(filter-out $(BUILD)/obj/inspect/main.o,$(INSPECT_OBJ)) \
               $(BUILD)/obj/crypto/fileio.o
INSPECT_LIBS = $(shell pkg-config --libs libsodium 2>/dev/null) -lmagic
# sealdrop-admin finds it from its own directory: ../libexec/sealdrop/.
LIBEXECDIR := $(PREFIX)/libexec/sealdrop

# tests/unit/test_NAME.c links crypto/; test_drop_* also drop/,
# test_admin_* also admin/.
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC   := $(wildcard tests/tools/*.c)
TOOL_BIN   := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)
# tests/stress/NAME.c: helpers of the stress scripts (no project code).
STRESS_SRC := $(wildcard tests/stress/*.c)
TOOL_BIN   += $(STRESS_SRC:tests/stress/%.c=$(BUILD)/tests/%)

WORDLIST   := crypto/eff_large_wordlist.txt

# tests/fuzz/fuzz_NAME.c are libFuzzer targets (clang); fuzz_drop_* also
# link drop/. `make check` replays their corpora and fuzzes each briefly.
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/bin/%)
FUZZ_SECONDS ?= 10
FUZZ_MAKE  = $(MAKE) BUILD=build/fuzz CC=clang CFLAGS='-O1 -g' HARDEN='-fPIE' \
             SAN='-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all'

.PHONY: all check test deps deps-build deps-deb asan fuzz fuzz-check \
        fuzz-bins demo deb deb-check install uninstall clean stress bench
.DELETE_ON_ERROR:

all: $(BUILD)/sealdrop $(BUILD)/sealdrop-admin $(BUILD)/sealdrop-inspect

$(BUILD)/sealdrop: $(DROP_OBJ) $(CRYPTO_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(BUILD)/sealdrop-admin: $(ADMIN_OBJ) $(CRYPTO_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ADMIN_LIBS)

$(BUILD)/sealdrop-inspect: $(BUILD)/obj/inspect/main.o $(INSPECT_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(INSPECT_LIBS)

# --version: both programs print the VERSION file's version.
$(BUILD)/obj/drop/main.o $(BUILD)/obj/admin/main.o: VERSION
$(BUILD)/obj/drop/main.o $(BUILD)/obj/admin/main.o: \
	ALL_CFLAGS += -DSEALDROP_VERSION='"$(VERSION)"'

# The wordlist is compiled in: the program needs no data file at run time.
$(BUILD)/gen/wordlist.inc: $(WORDLIST)
	@mkdir -p $(@D)
	awk -F '\t' 'NF == 2 { printf "\t\"%s\",\n", $$2 }' $< > $@
	test "$$(wc -l < $@)" -eq 7776

$(BUILD)/obj/crypto/codename.o: $(BUILD)/gen/wordlist.inc

# So is the stylesheet, as one C string. (`?` is escaped: no trigraphs.)
CSTRING := sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' \
           -e 's/^/\t"/' -e 's/$$/\\n"/'
$(BUILD)/gen/style.inc: drop/style.css
	@mkdir -p $(@D)
	$(CSTRING) $< > $@

$(BUILD)/obj/drop/routes.o: $(BUILD)/gen/style.inc

# And so are the language catalogs, parsed at start: the template (the
# English) first, then po/CODE.po for each language.
CATALOGS   := po/sealdrop.pot $(sort $(wildcard po/*.po))
$(BUILD)/gen/catalogs.inc: $(CATALOGS)
	@mkdir -p $(@D)
	for f in $(CATALOGS); do printf '{ "%s",\n' "$$f"; \
	  $(CSTRING) "$$f"; printf '},\n'; done > $@

$(BUILD)/obj/drop/i18n.o: $(BUILD)/gen/catalogs.inc

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_drop_%: tests/unit/test_drop_%.c $(DROP_LIB) $(CRYPTO_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Idrop $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lpthread

$(BUILD)/tests/test_admin_%: tests/unit/test_admin_%.c $(ADMIN_LIB) $(CRYPTO_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iadmin $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CURSES_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/test_inspect_%: tests/unit/test_inspect_%.c $(INSPECT_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iinspect $(ALL_LDFLAGS) -o $@ $^ $(INSPECT_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(CRYPTO_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/%: tests/tools/%.c $(CRYPTO_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/stress/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

$(BUILD)/bin/fuzz_inspect_%: tests/fuzz/fuzz_inspect_%.c $(INSPECT_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iinspect -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $^ $(INSPECT_LIBS)

$(BUILD)/bin/fuzz_drop_%: tests/fuzz/fuzz_drop_%.c $(DROP_LIB) $(CRYPTO_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Idrop -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(BUILD)/bin/fuzz_%: tests/fuzz/fuzz_%.c $(CRYPTO_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

fuzz-bins: $(FUZZ_BIN)

# Replays every corpus, then fuzzes each target for FUZZ_SECONDS.
fuzz-check:
	$(FUZZ_MAKE) fuzz-bins
	sh tests/fuzz/run.sh build/fuzz/bin $(FUZZ_SECONDS)

# The same, for longer.
fuzz:
	$(MAKE) fuzz-check FUZZ_SECONDS=300

# The fault and load scripts at full size (minutes; not part of check).
stress: all $(TOOL_BIN) $(BUILD)/bench/bench
	sh tests/stress/run.sh $(BUILD)

# The benchmark: a table on stdout and $(BUILD)/bench.tsv.
bench: all $(BUILD)/bench/bench $(BUILD)/tests/sdtest
	bash bench/bench.sh $(BUILD)

$(BUILD)/bench/%: bench/%.c $(CRYPTO_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

# Installs missing Debian packages (as root) or prints the command:
# everything (deps), what building needs (deps-build), what building the
# packages needs (deps-deb).
deps:
	sh scripts/deps.sh

deps-build:
	sh scripts/deps.sh --build

deps-deb:
	sh scripts/deps.sh --deb

# Builds and runs the whole suite once in $(BUILD).
# stress_torspeed drives its uploads with the benchmark's client.
test: all $(UNIT_BIN) $(TOOL_BIN) $(BUILD)/bench/bench
	sh tests/run.sh $(BUILD)

# The same suite, instrumented. _FORTIFY_SOURCE is left out: it fights
# ASan's interceptors.
asan:
	$(MAKE) BUILD=build/asan CC=clang CFLAGS='-O1 -g -fno-omit-frame-pointer' \
	  HARDEN='-fstack-protector-strong -fPIE' \
	  SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' test

check: deps
	$(MAKE) test
	$(MAKE) asan
	$(MAKE) fuzz-check
	$(MAKE) deb-check

# Installs what building needs (not what testing needs), builds, and runs
# the demo on LISTEN.
demo: deps-build
	$(MAKE) all
	sh scripts/demo.sh $(BUILD) $(LISTEN)

# The Debian packages sealdrop and sealdrop-admin, built with debhelper
# (debian/) from a copy of the tree, so a packaging build never touches
# the tree's own build directories, then checked with lintian: any error
# or warning fails. They land in $(BUILD)/deb/ (build/deb/). The build
# sees none of this make's variables (BUILD, WERROR...): it is built as a
# distribution would build it, with dpkg-buildflags' flags.
DEB_SRC  = $(BUILD)/deb-src
DEB_OUT  = $(BUILD)/deb
DEB_JOBS ?= 2
deb: deps-deb
	rm -rf $(DEB_SRC) $(DEB_OUT)
	mkdir -p $(DEB_SRC)/sealdrop-$(VERSION) $(DEB_OUT)
	tar -cf - --exclude=./build --exclude=./demo --exclude=./.git \
	  --exclude=./node_modules --exclude=./tests/browser/node_modules \
	  . | tar -xf - -C $(DEB_SRC)/sealdrop-$(VERSION)
	cd $(DEB_SRC)/sealdrop-$(VERSION) && \
	  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u WERROR -u SAN \
	    -u HARDEN -u CC \
	  dpkg-buildpackage -b --no-sign -J$(DEB_JOBS) >../build.log 2>&1 || \
	  { tail -n 40 ../build.log; exit 1; }
	mv $(DEB_SRC)/*.deb $(DEB_SRC)/*.changes $(DEB_SRC)/*.buildinfo $(DEB_OUT)/
	lintian --fail-on error,warning --info $(DEB_OUT)/*.changes
	@ls -1 $(DEB_OUT)/*.deb

# The packages' test: builds them (make deb), then checks the version and, as
# root in CI only, installs them, runs the installed programs end to end
# and removes them again. A step of its own, not part of tests/run.sh's
# suites, so the packages are built once per `make check`.
deb-check: deb
	SEALDROP_PKG_TEST=1 SEALDROP_BUILD=$(BUILD) SEALDROP_TOP=$(CURDIR) \
	  bash tests/integration/pkg_deb.sh

# Man pages and documents install when they exist; the unit's ExecStart
# follows PREFIX.
MAN1       := $(wildcard docs/man/*.1)
MAN8       := $(wildcard docs/man/*.8)
DOCS       := README.md $(wildcard docs/*.md) deploy/torrc
UNITDIR    := $(PREFIX)/lib/systemd/system
SYSUSERSDIR := $(PREFIX)/lib/sysusers.d
DOCDIR     := $(PREFIX)/share/doc/sealdrop

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(BUILD)/sealdrop $(BUILD)/sealdrop-admin $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(BUILD)/sealdrop-inspect $(DESTDIR)$(LIBEXECDIR)/
	$(if $(MAN1),install -d $(DESTDIR)$(PREFIX)/share/man/man1)
	$(if $(MAN1),install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/)
	$(if $(MAN8),install -d $(DESTDIR)$(PREFIX)/share/man/man8)
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(PREFIX)/share/man/man8/)
	sed 's|/usr/bin/sealdrop|$(PREFIX)/bin/sealdrop|' deploy/sealdrop.service \
	  > $(DESTDIR)$(UNITDIR)/sealdrop.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sealdrop.service
	install -m 0644 deploy/sealdrop.sysusers $(DESTDIR)$(SYSUSERSDIR)/sealdrop.conf
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sealdrop $(DESTDIR)$(PREFIX)/bin/sealdrop-admin
	rm -rf $(DESTDIR)$(LIBEXECDIR)
	rm -f $(MAN1:docs/man/%=$(DESTDIR)$(PREFIX)/share/man/man1/%)
	rm -f $(MAN8:docs/man/%=$(DESTDIR)$(PREFIX)/share/man/man8/%)
	rm -f $(DESTDIR)$(UNITDIR)/sealdrop.service
	rm -f $(DESTDIR)$(SYSUSERSDIR)/sealdrop.conf
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*/*.d)
