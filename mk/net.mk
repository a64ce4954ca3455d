# The direct stack (src/net): the program the netns harness runs.
NETNS_BINS := $(B)/obj/tests/netns/netpeer $(B)/obj/tests/netns/relay

# relay is a plain Linux program (the harness's lossy link), not Mote.
$(B)/obj/tests/netns/relay: tests/netns/relay.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) $< -o $@

$(B)/obj/tests/netns/%: tests/netns/%.c $(LIB_obj)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) $< $(LIB_obj) $(LDLIBS) -o $@

all: $(NETNS_BINS)
TEST_DEPS += $(NETNS_BINS)
