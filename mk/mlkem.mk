# ML-KEM-768 interop (tests/interop/mlkem.t): Mote's side as a command
# speaking hex on stdin/stdout; the peers (liboqs as WebAssembly, noble) run
# under node from the npm packages of tests/deps/npm.txt.
MLKEM_PEER := $(B)/obj/tests/mlkem_peer
$(MLKEM_PEER): tests/interop/mlkem_peer.c $(LIB_obj)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) $< $(LIB_obj) $(LDLIBS) -o $@
TEST_DEPS += $(MLKEM_PEER)
all: $(MLKEM_PEER)

# Constant-time check of ML-KEM on the portable level (tests/interop/
# mlkem_ct.t; tests/ct/ct_crypto_pk.c covers the best level).
MLKEM_CT := $(B)/obj/tests/mlkem_ct
$(MLKEM_CT): tests/interop/mlkem_ct.c $(LIB_obj)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) $< $(LIB_obj) $(LDLIBS) -o $@
TEST_DEPS += $(MLKEM_CT)
