/* mlkem_peer: Mote's ML-KEM-768 as a line-oriented command, for
 * tests/interop/mlkem.t (whose other side is a node script driving liboqs
 * and noble). One command per line on stdin, one answer line on stdout,
 * every byte string in lower-case hex:
 *
 *   keygen [SEED]      SEED = d || z (64 bytes)   -> "PK SK"
 *                      without SEED: mote_random() supplies d || z
 *   encaps PK [M]      M = 32 bytes               -> "CT SS"
 *                      without M: mote_random() supplies m
 *   decaps SK CT                                  -> "SS"
 *
 * MOTE_MLKEM_LEVEL=N in the environment runs Mote at implementation level
 * N (mote_crypto_disable_simd: 0 best, 1 no AVX-512, 2 no AVX2, 3
 * portable). A library error answers "ERR EINVAL" (MOTE_EINVAL: an
 * encapsulation key that fails the modulus check) or "ERR <code>"; a malformed
 * command "ERR parse". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mote/crypto.h>
#include <mote/crypto_pk.h>
#include <mote/error.h>

#define LINE_MAX_LEN 16384

static int rng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    mote_random(buf, len);
    return 0;
}

static int unhex(uint8_t *out, size_t len, const char *s)
{
    if (!s || strlen(s) != 2 * len)
        return -1;
    for (size_t i = 0; i < 2 * len; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0)
            return -1;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(v << 4);
        else
            out[i / 2] |= (uint8_t)v;
    }
    return 0;
}

static void hex(const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        printf("%02x", b[i]);
}

static void command(char *line)
{
    static uint8_t pk[MOTE_MLKEM768_PUB_LEN], sk[MOTE_MLKEM768_PRIV_LEN],
        ct[MOTE_MLKEM768_CT_LEN], ss[MOTE_MLKEM768_SS_LEN], seed[64], m[32];
    char *op = strtok(line, " \t\r\n");
    char *a = strtok(NULL, " \t\r\n");
    char *b = strtok(NULL, " \t\r\n");
    int rc;

    if (!op || strtok(NULL, " \t\r\n"))
        goto parse;
    if (strcmp(op, "keygen") == 0) {
        if (b)
            goto parse;
        if (a) {
            if (unhex(seed, sizeof seed, a))
                goto parse;
            mote_mlkem768_keygen_seed(pk, sk, seed);
            rc = 0;
        } else {
            rc = mote_mlkem768_keygen(pk, sk, rng, NULL);
        }
        if (rc)
            goto err;
        hex(pk, sizeof pk);
        putchar(' ');
        hex(sk, sizeof sk);
    } else if (strcmp(op, "encaps") == 0) {
        if (unhex(pk, sizeof pk, a))
            goto parse;
        if (b) {
            if (unhex(m, sizeof m, b))
                goto parse;
            rc = mote_mlkem768_encaps_seed(ct, ss, pk, m);
        } else {
            rc = mote_mlkem768_encaps(ct, ss, pk, rng, NULL);
        }
        if (rc)
            goto err;
        hex(ct, sizeof ct);
        putchar(' ');
        hex(ss, sizeof ss);
    } else if (strcmp(op, "decaps") == 0) {
        if (unhex(sk, sizeof sk, a) || unhex(ct, sizeof ct, b))
            goto parse;
        rc = mote_mlkem768_decaps(ss, ct, sk);
        if (rc)
            goto err;
        hex(ss, sizeof ss);
    } else {
        goto parse;
    }
    putchar('\n');
    return;
err:
    if (rc == MOTE_EINVAL)
        printf("ERR EINVAL\n");
    else
        printf("ERR %d\n", rc);
    return;
parse:
    printf("ERR parse\n");
}

int main(void)
{
    static char line[LINE_MAX_LEN];
    const char *level = getenv("MOTE_MLKEM_LEVEL");
    if (level)
        mote_crypto_disable_simd(atoi(level));
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            int c;
            while ((c = getchar()) != EOF && c != '\n')
                ;
            printf("ERR parse\n");
            continue;
        }
        command(line);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
