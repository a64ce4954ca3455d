# Mote: one non-recursive makefile. Objects go under _build/<variant>/.
#
# Variants (each a full, separate build of the same sources):
#   obj    the normal build, $(CC) (gcc by default), -O2
#   asan   $(CC) with AddressSanitizer + UBSan, for the unit tests
#   clang  clang, compile-only, so both compilers stay warning-free
#   fuzz   clang with libFuzzer instrumentation
#   free   src/ minus src/platform/unix compiled -ffreestanding -nostdinc:
#          proves no host header is reachable from portable code
#   guest  src/libc compiled freestanding into libmote-libc.a (guests only)

.SUFFIXES:
.DELETE_ON_ERROR:
SHELL := /bin/bash

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
CLANG ?= clang
AR ?= ar
PREFIX ?= /usr/local
DESTDIR ?=
B := _build
VERSION := 0.1.0

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASE_CFLAGS := -std=c11 $(WARN) -Iinclude -g -fno-strict-aliasing
OPT ?= -O2
CFLAGS ?=
CFLAGS_obj := $(BASE_CFLAGS) $(OPT) $(CFLAGS)
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS_asan := $(BASE_CFLAGS) -O1 $(SAN) $(CFLAGS)
CFLAGS_clang := $(BASE_CFLAGS) -O2
CFLAGS_fuzz := $(BASE_CFLAGS) -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
CC_asan := $(CC)
CC_obj := $(CC)
CC_clang := $(CLANG)
CC_fuzz := $(CLANG)

# Freestanding: only Mote's headers (include/ and the libc subset in
# include/libc) and the compiler's own stddef.h/stdint.h/stdarg.h.
CC_INCDIR := $(shell $(CC) -print-file-name=include)
FREE_CFLAGS := -std=c11 $(WARN) -g -O2 -ffreestanding -nostdinc \
	-isystem include/libc -isystem $(CC_INCDIR) -Iinclude -fno-strict-aliasing \
	-fno-stack-protector
CFLAGS_free := $(FREE_CFLAGS)
CC_free := $(CC)
CFLAGS_freeclang := $(subst $(CC_INCDIR),$(shell $(CLANG) -print-file-name=include),$(FREE_CFLAGS))
CC_freeclang := $(CLANG)

# ---- Sources -----------------------------------------------------------------

LIBC_SRCS := $(sort $(wildcard src/libc/*.c))
UNIX_SRCS := $(sort $(wildcard src/platform/unix/*.c))
# Every portable library directory under src/ (core, net, later crypto ...).
PORT_DIRS := $(filter-out src/libc src/platform,$(patsubst %/,%,$(sort $(dir $(wildcard src/*/*.c)))))
PORT_SRCS := $(sort $(foreach d,$(PORT_DIRS),$(wildcard $(d)/*.c)))
LIB_SRCS := $(PORT_SRCS) $(UNIX_SRCS)
# What must compile freestanding: all of src/ except the unix backend.
FREE_SRCS := $(PORT_SRCS) $(LIBC_SRCS) $(filter-out $(UNIX_SRCS),$(sort $(wildcard src/platform/*/*.c)))

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_NAMES := $(patsubst tests/unit/%.c,%,$(UNIT_SRCS))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
APP_NAMES := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard apps/*/*.c)))))
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_NAMES := $(patsubst bench/%.c,%,$(BENCH_SRCS))
HEADERS := $(sort $(wildcard include/mote/*.h))

objs = $(patsubst %.c,$(B)/$(1)/%.o,$(2))

LIB_obj := $(B)/obj/libmote.a
LIB_asan := $(B)/asan/libmote.a
LIB_fuzz := $(B)/fuzz/libmote.a
LIBC_GUEST := $(B)/guest/libmote-libc.a

UNIT_obj := $(addprefix $(B)/obj/tests/,$(UNIT_NAMES))
UNIT_asan := $(addprefix $(B)/asan/tests/,$(UNIT_NAMES))
FUZZ_BINS := $(addprefix $(B)/fuzz/tests/fuzz_,$(FUZZ_NAMES))
APP_BINS := $(foreach a,$(APP_NAMES),$(B)/bin/$(a))
BENCH_BINS := $(addprefix $(B)/obj/bench/,$(BENCH_NAMES))

LDLIBS := -lm

# Per-library additions live in mk/<lib>.mk so that libraries do not all
# edit this file: extra link flags for one unit test (LDLIBS_test_<name>),
# extra targets, extra steps for `make test` (TEST_DEPS += ...).
TEST_DEPS :=
-include $(sort $(wildcard mk/*.mk))

.PHONY: all test run run-echo bench soak install uninstall clean format format-check \
	check-freestanding check-clang unit unit-asan fuzz-smoke interop deps \
	ct-check
.DEFAULT_GOAL := all

all: $(LIB_obj) $(LIBC_GUEST) $(APP_BINS) $(UNIT_obj) $(BENCH_BINS)

# ---- Compilation ---------------------------------------------------------------

# -MMD -MP: each object also depends on the headers it really includes
# (an app's or a tool's own header too), read back from its .d file.
define variant_rules
$(B)/$(1)/%.o: %.c $(HEADERS) $(wildcard include/libc/*.h) $(wildcard src/*/*.h)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(CFLAGS_$(1)) -MMD -MP -c $$< -o $$@
endef
$(foreach v,obj asan clang fuzz free freeclang,$(eval $(call variant_rules,$(v))))

$(B)/guest/%.o: %.c $(wildcard include/libc/*.h) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(FREE_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(B) -name '*.d' 2>/dev/null)

define lib_rule
$(B)/$(1)/libmote.a: $(call objs,$(1),$(LIB_SRCS))
	@mkdir -p $$(@D)
	rm -f $$@ && $(AR) rcs $$@ $$^
endef
$(foreach v,obj asan fuzz,$(eval $(call lib_rule,$(v))))

$(LIBC_GUEST): $(call objs,guest,$(LIBC_SRCS))
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# The libc subset, renamed for tests: every symbol it defines gets the prefix
# mote_libc_ (definitions and the calls to them), so a test can hold both it
# and glibc and compare the two on the same inputs.
define libc_test_rule
$(B)/$(1)/libc-test.a: $(call objs,$(1)-libc,$(LIBC_SRCS))
	@mkdir -p $$(@D)
	$(NM) --defined-only -g $$^ | awk 'NF==3 && $$$$3 !~ /^mote_/ {print $$$$3" mote_libc_"$$$$3}' | sort -u > $$@.syms
	rm -f $$@ && $(AR) rcs $$@.tmp.a $$^ && objcopy --redefine-syms=$$@.syms $$@.tmp.a $$@ && rm -f $$@.tmp.a
$(B)/$(1)-libc/%.o: %.c $(wildcard include/libc/*.h)
	@mkdir -p $$(@D)
	$$(CC_$(1)) $(filter-out -O2,$(FREE_CFLAGS)) $$(filter -O% -fsanitize% -fno-sanitize% -fno-omit-frame-pointer,$$(CFLAGS_$(1))) -fno-builtin -c $$< -o $$@
endef
NM ?= nm
$(foreach v,obj asan,$(eval $(call libc_test_rule,$(v))))

# ---- Binaries -------------------------------------------------------------------

define unit_rule
$(B)/$(1)/tests/$(2): tests/unit/$(2).c $(B)/$(1)/libmote.a $(if $(filter test_libc,$(2)),$(B)/$(1)/libc-test.a) tests/unit/tap.h
	@mkdir -p $$(@D)
	$$(CC_$(1)) $$(CFLAGS_$(1)) -Itests/unit $$< $(if $(filter test_libc,$(2)),$(B)/$(1)/libc-test.a) $(B)/$(1)/libmote.a $$(LDLIBS_$(2)) $(LDLIBS) -o $$@
endef
$(foreach v,obj asan,$(foreach t,$(UNIT_NAMES),$(eval $(call unit_rule,$(v),$(t)))))

$(B)/fuzz/tests/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_fuzz)
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_fuzz) -fsanitize=fuzzer $< $(LIB_fuzz) -o $@

define app_rule
$(B)/bin/$(1): $(call objs,obj,$(sort $(wildcard apps/$(1)/*.c))) $(LIB_obj)
	@mkdir -p $$(@D)
	$(CC) $(CFLAGS_obj) $$^ $(LDLIBS) -o $$@
endef
$(foreach a,$(APP_NAMES),$(eval $(call app_rule,$(a))))

$(B)/obj/bench/%: bench/%.c $(LIB_obj)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) -D_GNU_SOURCE $< $(LIB_obj) $(LDLIBS) -o $@

# pkg-config file for PREFIX; written at install time so that it names the
# prefix actually installed to.
define mote_pc
prefix=$(PREFIX)
includedir=$${prefix}/include
libdir=$${prefix}/lib

Name: mote
Description: Mote library operating system (unix backend)
Version: $(VERSION)
Cflags: -I$${includedir}
Libs: -L$${libdir} -lmote -lm
endef
export mote_pc

# ---- Checks --------------------------------------------------------------------

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find include src apps tests bench tools -name '*.[ch]')

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: ok"

# Fails if any file in FREE_SRCS reaches a host header: -nostdinc leaves only
# Mote's include/ and the compiler's freestanding headers on the path.
check-freestanding: $(call objs,free,$(FREE_SRCS))
	@echo "check-freestanding: $(words $(FREE_SRCS)) files compile with -ffreestanding -nostdinc"

check-clang: $(call objs,clang,$(LIB_SRCS) $(foreach a,$(APP_NAMES),$(wildcard apps/$(a)/*.c))) \
	$(call objs,freeclang,$(FREE_SRCS))
	@echo "check-clang: ok"

# ---- Top-level jobs -------------------------------------------------------------

# The main job: `mote serve` on the demo site (apps/serve, www/), over
# HTTPS on 8443 and HTTP on 8080. The first run creates a local CA and a
# certificate for localhost under ~/.local/state/mote (or
# $XDG_STATE_HOME/mote) and says where: curl --cacert .../ca.pem.
run: $(B)/bin/serve
	$(B)/bin/serve --tls-listen 127.0.0.1:8443 --tls-listen [::1]:8443 \
	  --listen 127.0.0.1:8080 --listen [::1]:8080 www

run-echo: $(B)/bin/echo
	$(B)/bin/echo --listen=127.0.0.1:7007 --listen=[::1]:7007

deps:
	@./tests/deps.sh

TEST_LOG := $(B)/test.log

# The builds run on every core even when `make test` was started without
# -j (unless MAKEFLAGS already carries a -j).
JOBS := $(if $(findstring j,$(filter-out --%,$(MAKEFLAGS))),,-j$(shell nproc 2>/dev/null || echo 2))

test: deps
	@mkdir -p $(B) && : > $(TEST_LOG)
	$(MAKE) format-check
	$(MAKE) $(JOBS) check-freestanding
	$(MAKE) $(JOBS) all check-clang
	$(MAKE) $(JOBS) $(UNIT_asan) $(FUZZ_BINS) $(TEST_DEPS)
	@./tests/run-tests.sh $(B) "$(UNIT_obj)" "$(UNIT_asan)" "$(FUZZ_NAMES)"

bench: all
	./bench/run.sh $(B)

soak: all
	./tests/soak.sh $(B)

install: $(LIB_obj)
	install -d $(DESTDIR)$(PREFIX)/include/mote $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/mote/
	install -m 644 $(LIB_obj) $(DESTDIR)$(PREFIX)/lib/
	printf '%s\n' "$$mote_pc" > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mote.pc

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/include/mote $(DESTDIR)$(PREFIX)/lib/libmote.a \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/mote.pc

clean:
	rm -rf $(B)
