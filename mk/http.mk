# HTTP: an ASan+UBSan build of the serve app for the robustness test
# (tests/interop/http_robust.t), so hostile input runs under the sanitizers.
HTTP_SERVE_ASAN := $(B)/asan/bin/serve
$(HTTP_SERVE_ASAN): $(call objs,asan,$(sort $(wildcard apps/serve/*.c))) $(LIB_asan)
	@mkdir -p $(@D)
	$(CC_asan) $(CFLAGS_asan) $^ $(LDLIBS) -o $@
TEST_DEPS += $(HTTP_SERVE_ASAN)

# mote-crunch: bakes a directory into C for the crunched mote_kv. A host
# tool; it reuses the HTTP library's MIME table so types match the server.
MOTE_CRUNCH := $(B)/bin/mote-crunch
$(MOTE_CRUNCH): tools/mote-crunch.c src/http/util.c src/http/parse.c src/kv/kv.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) tools/mote-crunch.c src/http/util.c src/http/parse.c src/kv/kv.c -o $@

# apps/www serves www/ baked in: the generated source is compiled like any
# portable file and linked into the app.
WWW_FILES := $(shell find www -type f 2>/dev/null)
$(B)/gen/www_site.c: $(MOTE_CRUNCH) $(WWW_FILES)
	@mkdir -p $(@D)
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct -- www 2>/dev/null || echo 0)} \
	  $(MOTE_CRUNCH) -n www -o $@ www
$(B)/obj/gen/www_site.o: $(B)/gen/www_site.c include/mote/kv.h
	@mkdir -p $(@D)
	$(CC) $(FREE_CFLAGS) -c $< -o $@
$(B)/bin/www: $(B)/obj/gen/www_site.o
all: $(MOTE_CRUNCH)

# http_fetch: the client as a command for tests/interop/http.t.
HTTP_FETCH := $(B)/obj/tests/http_fetch
$(HTTP_FETCH): tests/interop/http_fetch.c $(LIB_obj)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) $< $(LIB_obj) $(LDLIBS) -o $@
TEST_DEPS += $(HTTP_FETCH)
all: $(HTTP_FETCH)
