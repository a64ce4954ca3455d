# ---- tls ----
# bench/tls.c measures against OpenSSL's libssl in the same binary.
$(B)/obj/bench/tls: private LDLIBS += -lssl -lcrypto
