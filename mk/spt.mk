# spt: the sandboxed unikernel target (docs/spt.md).
#
#   $(B)/spt/libmote-spt.a     every portable src/ file + src/platform/spt,
#                              compiled freestanding, non-PIE
#   $(B)/spt/bin/<app>.spt     an app linked into a static image (spt.lds)
#   $(B)/spt/tests/<t>.spt     the test guests in tests/spt/
#   $(B)/bin/mote-spt          the tender (a host program)
#   $(B)/bin/mote              the configure/build/run frontend
#
# Guest images link Mote's libc subset ($(LIBC_GUEST)) and libgcc (for the
# compiler's own helpers), nothing from the host.

# The direct stack backs mote_stack_default() once src/net provides
# mote_net_attach(); until then the "none" stack refuses every call.
SPT_HAVE_DIRECT := $(shell grep -lsE '^int mote_net_attach\>' src/net/*.c)
SPT_NETSTACK_OFF := src/platform/spt/netstack_$(if $(SPT_HAVE_DIRECT),none,direct).c
SPT_SRCS := $(filter-out $(SPT_NETSTACK_OFF),$(sort $(wildcard src/platform/spt/*.c)))
SPT_LIB := $(B)/spt/libmote-spt.a
SPT_LDS := src/platform/spt/spt.lds
SPT_CFLAGS := $(FREE_CFLAGS) -fno-pie -fno-pic -ffunction-sections \
	-fdata-sections -Isrc/platform/spt
# Applications are ordinary C programs: give them console streams.
SPT_APP_CFLAGS := -include src/platform/spt/spt_stdio.h
SPT_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,$(SPT_LDS) -Wl,--gc-sections \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--require-defined=spt__start \
	-Wl,-z,max-page-size=4096
SPT_LIBGCC := $(shell $(CC) -print-libgcc-file-name)
# Only apps whose mote.conf lists the spt target become images (an app
# using a unix-only backend would not link).
SPT_APPS := $(foreach a,$(APP_NAMES),$(if $(shell grep -sE '^targets *=.*\<spt\>' apps/$(a)/mote.conf),$(a)))
SPT_APP_IMAGES := $(foreach a,$(SPT_APPS),$(B)/spt/bin/$(a).spt)
SPT_TEST_SRCS := $(sort $(wildcard tests/spt/*.c))
SPT_TEST_IMAGES := $(patsubst tests/spt/%.c,$(B)/spt/tests/%.spt,$(SPT_TEST_SRCS))
SPT_TENDER := $(B)/bin/mote-spt
MOTE_CLI := $(B)/bin/mote
HOST_TOOL_CFLAGS := $(CFLAGS_obj)

.PHONY: spt
spt: $(SPT_LIB) $(SPT_APP_IMAGES) $(SPT_TEST_IMAGES) $(SPT_TENDER) $(if $(wildcard tools/mote/*.c),$(MOTE_CLI))
all: spt
TEST_DEPS += spt

$(B)/spt/%.o: %.c $(HEADERS) $(wildcard include/libc/*.h) $(wildcard src/*/*.h) \
		$(wildcard src/platform/spt/*.h)
	@mkdir -p $(@D)
	$(CC) $(SPT_CFLAGS) $(SPT_EXTRA) -c $< -o $@

$(B)/spt/apps/%.o: SPT_EXTRA := $(SPT_APP_CFLAGS)
$(B)/spt/tests/%.o: SPT_EXTRA := $(SPT_APP_CFLAGS)

$(SPT_LIB): $(call objs,spt,$(PORT_SRCS) $(SPT_SRCS))
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

# Link: the app's objects, then the libraries as one group (libc calls back
# into the platform for abort, the platform into libc for memcpy).
SPT_LINK = $(CC) $(SPT_LDFLAGS) -o $@ $(filter %.o,$^) -Wl,--start-group \
	$(SPT_LIB) $(LIBC_GUEST) $(SPT_LIBGCC) -Wl,--end-group

define spt_app_rule
$(B)/spt/bin/$(1).spt: $(call objs,spt,$(sort $(wildcard apps/$(1)/*.c))) \
		$(SPT_LIB) $(LIBC_GUEST) $(SPT_LDS)
	@mkdir -p $$(@D)
	$$(SPT_LINK)
endef
$(foreach a,$(SPT_APPS),$(eval $(call spt_app_rule,$(a))))

$(B)/spt/tests/%.spt: $(B)/spt/tests/spt/%.o $(SPT_LIB) $(LIBC_GUEST) $(SPT_LDS)
	@mkdir -p $(@D)
	$(SPT_LINK)

$(B)/spt/tests/spt/%.o: tests/spt/%.c $(HEADERS) $(wildcard include/libc/*.h) \
		$(wildcard src/platform/spt/*.h)
	@mkdir -p $(@D)
	$(CC) $(SPT_CFLAGS) $(SPT_APP_CFLAGS) -c $< -o $@

$(SPT_TENDER): $(wildcard tools/spt/*.c tools/spt/*.h) src/platform/spt/spt_abi.h
	@mkdir -p $(@D)
	$(CC) $(HOST_TOOL_CFLAGS) -Isrc/platform/spt $(filter %.c,$^) -o $@

$(MOTE_CLI): $(wildcard tools/mote/*.c tools/mote/*.h)
	@mkdir -p $(@D)
	$(CC) $(HOST_TOOL_CFLAGS) $(filter %.c,$^) -o $@

# The image checker is host code (tools/spt/elf.c): its fuzz target links
# that file instead of libmote.
$(B)/fuzz/tests/fuzz_spt_elf: tests/fuzz/fuzz_spt_elf.c tools/spt/elf.c \
		tools/spt/tender.h src/platform/spt/spt_abi.h
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_fuzz) -fsanitize=fuzzer -Itools/spt -Isrc/platform/spt \
	  $(filter %.c,$^) -o $@

# Benchmark probes (bench/spt.sh): the same source as an image and as a
# unix program.
SPT_BENCH := $(B)/spt/bench/boot.spt $(B)/obj/bench-spt/boot
spt: $(SPT_BENCH)
$(B)/spt/bench/boot.spt: $(B)/spt/bench/spt/boot.o $(SPT_LIB) $(LIBC_GUEST) $(SPT_LDS)
	@mkdir -p $(@D)
	$(SPT_LINK)
$(B)/spt/bench/spt/boot.o: SPT_EXTRA := $(SPT_APP_CFLAGS)
$(B)/obj/bench-spt/boot: bench/spt/boot.c $(LIB_obj)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) $< $(LIB_obj) $(LDLIBS) -o $@

# The host tools stay warning-free under clang too (make check-clang).
.PHONY: spt-check-clang
check-clang: spt-check-clang
spt-check-clang:
	$(CLANG) $(CFLAGS_clang) -fsyntax-only -Isrc/platform/spt tools/spt/*.c
	$(CLANG) $(CFLAGS_clang) -fsyntax-only tools/mote/*.c

$(B)/fuzz/tests/fuzz_spt_conf: tests/fuzz/fuzz_spt_conf.c tools/mote/conf.c \
		tools/mote/mote.h
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_fuzz) -fsanitize=fuzzer -Itools/mote \
	  $(filter %.c,$^) -o $@

# apps/www links the site mote-crunch baked into C (mk/http.mk generates
# $(B)/gen/www_site.c); the image gets the same file compiled for the guest.
$(B)/spt/gen/www_site.o: $(B)/gen/www_site.c include/mote/kv.h
	@mkdir -p $(@D)
	$(CC) $(SPT_CFLAGS) -c $< -o $@
$(B)/spt/bin/www.spt: $(B)/spt/gen/www_site.o
