# ---- crypto part B: public-key (X25519, Ed25519, P-256/384, RSA, ML-KEM) ----
# Wycheproof JSON -> one line per case, read by tests/unit/test_crypto_pk.c.
WYCHEPROOF ?= $(abspath ../shared/vectors/wycheproof)
PK_VECTOR_NAMES := x25519 ed25519 \
	ecdsa_secp256r1_sha256 ecdsa_secp256r1_sha256_p1363 \
	ecdsa_secp384r1_sha384 ecdsa_secp384r1_sha384_p1363 \
	ecdh_secp256r1 ecdh_secp256r1_ecpoint ecdh_secp384r1_ecpoint \
	rsa_signature_2048_sha256 rsa_signature_2048_sha384 \
	rsa_signature_2048_sha512 rsa_signature_3072_sha256 \
	rsa_signature_4096_sha256 rsa_pss_2048_sha256_mgf1_32 \
	rsa_pss_2048_sha384_mgf1_48 rsa_pss_3072_sha256_mgf1_32 \
	rsa_pss_4096_sha256_mgf1_32 rsa_pss_4096_sha512_mgf1_64 \
	mlkem_768 mlkem_768_encaps mlkem_768_keygen_seed
PK_VECTORS := $(addprefix $(B)/vectors-pk/,$(addsuffix .txt,$(PK_VECTOR_NAMES)))
$(B)/vectors-pk/%.txt: $(WYCHEPROOF)/%_test.json tests/unit/test_crypto_pk_vectors.py
	@mkdir -p $(@D)
	/usr/bin/python3 tests/unit/test_crypto_pk_vectors.py $< $@
TEST_DEPS += $(PK_VECTORS)
LDLIBS_test_crypto_pk := -lcrypto
LDLIBS_test_crypto_pk_diff := -lcrypto

# Constant-time check of the public-key code: tests/ct/ct_crypto_pk.c under
# valgrind (tests/interop/ct_check_pk.t, also `make ct-check`).
CT_CRYPTO_PK := $(B)/obj/tests/ct_crypto_pk
$(CT_CRYPTO_PK): tests/ct/ct_crypto_pk.c tests/ct/ct_pk_rsa_key.h $(LIB_obj)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) -Itests/ct $< $(LIB_obj) $(LDLIBS) -o $@
TEST_DEPS += $(CT_CRYPTO_PK)
.PHONY: ct-check-pk
ct-check-pk: $(CT_CRYPTO_PK)
	MOTE_BUILD=$(B) ./tests/interop/ct_check_pk.t
ct-check: ct-check-pk
# Signature-verifier fuzzers compare with libcrypto (as the AEAD one does).
$(B)/fuzz/tests/fuzz_crypto_ecdsa: private CFLAGS_fuzz += -lcrypto
$(B)/fuzz/tests/fuzz_crypto_ed25519: private CFLAGS_fuzz += -lcrypto
$(B)/fuzz/tests/fuzz_crypto_rsa: private CFLAGS_fuzz += -lcrypto
$(B)/fuzz/tests/fuzz_crypto_rsa: tests/ct/ct_pk_rsa_key.h
# bench/crypto_pk.c measures against libcrypto in the same binary.
$(B)/obj/bench/crypto_pk: private LDLIBS += -lcrypto

# ---- crypto part A: hashes, MACs, KDF, AEADs, randomness ----
# OpenSSL's libcrypto is an oracle for the unit tests, never linked into src/.
LDLIBS_test_crypto_hash := -lcrypto
LDLIBS_test_crypto_aead := -lcrypto
# The AEAD fuzzer compares with libcrypto too (the generic fuzz rule has no
# per-target libraries; a target-specific flag adds it).
$(B)/fuzz/tests/fuzz_crypto_aead: private CFLAGS_fuzz += -lcrypto
LDLIBS_test_crypto_random := -lcrypto

# Constant-time check (`make ct-check`, and in `make test` through
# tests/interop/ct_check.t): tests/ct/ct_crypto.c under valgrind memcheck
# with secrets marked undefined. Built with the normal -O2 flags, because
# that is the code that ships.
CT_CRYPTO := $(B)/obj/tests/ct_crypto
$(CT_CRYPTO): tests/ct/ct_crypto.c $(LIB_obj)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_obj) $< $(LIB_obj) $(LDLIBS) -o $@
TEST_DEPS += $(CT_CRYPTO)
ct-check: $(CT_CRYPTO)
	MOTE_BUILD=$(B) ./tests/interop/ct_check.t

# bench/crypto_sym.c measures against libcrypto in the same binary.
$(B)/obj/bench/crypto_sym: private LDLIBS += -lcrypto

# Fixed-base tables as const data, written at build time by a host program
# (tools/gen_ec_tables.c, sharing src/crypto/p256_fe.h and x25519_fe.c with
# the library)
# into $(B)/gen/ec_tables.c, which every library variant compiles like a
# file of src/ (normal, asan, clang, fuzz, free, freeclang, spt). Never
# committed.
EC_TABLES_GEN := $(B)/host/gen_ec_tables
EC_TABLES_SRC := $(B)/gen/ec_tables.c
$(EC_TABLES_GEN): tools/gen_ec_tables.c src/crypto/x25519_fe.c \
		src/crypto/p256_fe.h src/crypto/pk_int.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -O2 -Isrc/crypto tools/gen_ec_tables.c \
		src/crypto/x25519_fe.c -o $@
$(EC_TABLES_SRC): $(EC_TABLES_GEN)
	@mkdir -p $(@D)
	$(EC_TABLES_GEN) $@.tmp && mv $@.tmp $@
PORT_SRCS += $(EC_TABLES_SRC)
LIB_SRCS += $(EC_TABLES_SRC)
FREE_SRCS += $(EC_TABLES_SRC)
