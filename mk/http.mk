# HTTP: an ASan+UBSan build of the serve app for the robustness test
# (tests/interop/http_robust.t), so hostile input runs under the sanitizers.
HTTP_SERVE_ASAN := $(B)/asan/bin/serve
$(HTTP_SERVE_ASAN): $(call objs,asan,$(sort $(wildcard apps/serve/*.c))) $(LIB_asan)
	@mkdir -p $(@D)
	$(CC_asan) $(CFLAGS_asan) $^ $(LDLIBS) -o $@
TEST_DEPS += $(HTTP_SERVE_ASAN)
