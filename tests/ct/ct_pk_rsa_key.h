/* A 2048-bit RSA test key (openssl genpkey; for tests only, never a real key).
 */
#define RSA_N                                                                  \
    "c108ff719af3c725c9e7649659bf72925b27f774181aec43a50c0c297c40775e"         \
    "92b337a99339b39635ad00feb9d8aa4df61af7aef50a8d14dbb9d91617188c0f"         \
    "1b09c391a5f8750cb2bc64e113c3c7256c442690d9d70f2e9d2be5e8895567d3"         \
    "12d54953716fbdd13b7fc78a6a9751a62802dbccb90d9031ca3f555554f00a92"         \
    "df2ea5e962a35fc84bff750f6156e73520e3603863744d4afc76ac344d2ba550"         \
    "856614736c74941bf2057a0cea04376476b0bb4a4da549cc02f38e9dcdc3deb8"         \
    "f5fe76079d8217b6fa3a839753aadda66a8230753d30f94f08599470f3f6522d"         \
    "fa969405cd7e4f544ecc1c738345b413cecb2ef3ba70d1901e280e277a36203b"
#define RSA_E "010001"
#define RSA_P                                                                  \
    "ebd7dbaced32d4f6ff7f5df6485bc22e1ecf8918569a0cae00c9a97d5cee0876"         \
    "d97c1c6c0645676777f7a30b3906784a0011b9c3bfe533c28ab46b1a8d4c8fe7"         \
    "73dc81990d9ac6fd52a2a59c3792983999b81009020cc54d6d3b95c66864ba78"         \
    "90b439ad16e8dbc8ee22904cfe62fd6490a55fff6e2d8b3d8cff5a63481925a1"
#define RSA_Q                                                                  \
    "d18884e3523be257cb14abd28f461120d003dbe6d98d81c3cb3863848771b6f9"         \
    "d759c9cc01183eb371879f4fcf22bbb6f58c1f2ad4e18bac38c21bc3798f31ae"         \
    "73ec7cdcf6f652c01948f4d9d9629b10f0bb0c3e359ecda273bab414e4cade37"         \
    "9a71312bba5b31d53f9b5b82218cdacdb89d5913590a69bfd904e002c7edc05b"
#define RSA_DP                                                                 \
    "5108ac0c30bc047c91b13ba1c19ef58b4f3ed3c62f0b634bee2d5c351cd714c5"         \
    "7158b9934c5c507936b939a64383bb95018d159cf2b4582281f217d2d9b5f2c3"         \
    "fe0547ea44c86792e6efc7a3735cc53d155a2ef8496205f0e2955493058f869a"         \
    "a26daa5b94c191b2ea4fa9f12a7eecbdbf0d737c9a68bfacf8634cb54c3287c1"
#define RSA_DQ                                                                 \
    "4b36ab25026ed697d7212b7060d7b0ec4b5f273f9d964b1f6242728eaf23e59f"         \
    "976af6a2113e87bb58246bce75372d94c65daf0e6bee2e79fac1cabf87521c6e"         \
    "57d46b19d258a769a769e5e29142f110caa90a0306b263744e009605edfed877"         \
    "b32bb08fd6cc477e19e005a017b4fd11dd9435d6591f00c8c9f913044c8a0e83"
#define RSA_QINV                                                               \
    "4b83ad693662ce09c26f4823e8768c2f4eab51fc4e3574bc98c449acbf25e80d"         \
    "1244850a2e8332c1339e4a2f8cf3987dcf7406413f00a64d5ad3babd00a6e8b7"         \
    "fa2a3285bfe05c5a3ff8ed2cf61ca1ce850b507f472a02420b3517defe53d37e"         \
    "97216f1cc54f942240b8a02ab24cc91cf0b2a09afe1bd4970c63ef43e6c38e8c"

/* The key as a struct mote_rsa_private, its bytes in buf (slots n, e, p,
 * q, dp, dq, qinv). */
#include <stdint.h>
#include <string.h>

#include <mote/crypto_pk.h>

__attribute__((unused)) static void
rsa_test_key_load(struct mote_rsa_private *k, uint8_t buf[7][256])
{
    static const char *const hex[7] = {RSA_N,  RSA_E,  RSA_P,   RSA_Q,
                                       RSA_DP, RSA_DQ, RSA_QINV};
    size_t len[7];
    for (int s = 0; s < 7; s++) {
        len[s] = strlen(hex[s]) / 2;
        for (size_t i = 0; i < len[s]; i++) {
            unsigned v = 0;
            for (int j = 0; j < 2; j++) {
                char c = hex[s][2 * i + (size_t)j];
                v = v << 4 | (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
            }
            buf[s][i] = (uint8_t)v;
        }
    }
    *k = (struct mote_rsa_private){
        .pub = {.n = buf[0], .n_len = len[0], .e = buf[1], .e_len = len[1]},
        .p = buf[2],
        .p_len = len[2],
        .q = buf[3],
        .q_len = len[3],
        .dp = buf[4],
        .dp_len = len[4],
        .dq = buf[5],
        .dq_len = len[5],
        .qinv = buf[6],
        .qinv_len = len[6]};
}
