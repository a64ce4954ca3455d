# x509 (issue 7): library-specific build rules.

# ---- x509 part 3: generation (src/x509/{gen,csr,keywrite}.c) and `mote cert`
# The cert tool is a host program linked with libmote; `mote cert ...` execs
# it (tools/mote/mote.c), as `mote serve` execs the serve app.
MOTE_CERT := $(B)/bin/mote-cert
$(MOTE_CERT): $(wildcard tools/mote/cert/*.c tools/mote/cert/*.h) $(LIB_obj)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) -Itools/mote/cert $(filter %.c,$^) $(LIB_obj) $(LDLIBS) -o $@
all: $(MOTE_CERT)
TEST_DEPS += $(MOTE_CERT)
.PHONY: x509-gen-check-clang
check-clang: x509-gen-check-clang
x509-gen-check-clang:
	$(CLANG) $(CFLAGS_clang) -fsyntax-only -Itools/mote/cert tools/mote/cert/*.c
# tests/unit/test_x509_gen.c checks what Mote makes with libcrypto.
LDLIBS_test_x509_gen := -lcrypto

# ---- x509 part 1: DER, PEM, keys, certificate parsing (src/x509/{der,pem,
# oid,key,cert,ext}*.c). libcrypto is the oracle for the key and PEM tests
# (tests/unit/test_x509_key.c also runs /usr/bin/openssl to make keys).
LDLIBS_test_pem := -lcrypto
LDLIBS_test_x509_key := -lcrypto

# ---- x509 part 2: verification ----
# bench/x509.c measures against libcrypto's X509_verify_cert in one binary.
$(B)/obj/bench/x509: private LDLIBS += -lcrypto
LDLIBS_test_x509_parse := -lcrypto
# bench/x509_gen.c measures generation against libcrypto in the same binary.
$(B)/obj/bench/x509_gen: private LDLIBS += -lcrypto
# bench/x509_parse.c measures parsing against libcrypto's d2i_X509.
$(B)/obj/bench/x509_parse: private LDLIBS += -lcrypto
# test_x509_verify compares signature checks on the system roots with libcrypto.
LDLIBS_test_x509_verify := -lcrypto
