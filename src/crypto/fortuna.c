/* Fortuna (Ferguson, Schneier, Kohno: Cryptography Engineering, ch. 9), and
 * the process-wide mote_random() built on it. */
#include <mote/crypto.h>
#include <mote/error.h>
#include <mote/platform.h>
#include <string.h>

#include "crypto_int.h"

#define MIN_POOL_SIZE     64                     /* bytes in pool 0 */
#define RESEED_INTERVAL   (100ull * 1000 * 1000) /* 100 ms in ns */
#define MAX_REQUEST_BYTES (1u << 20)             /* per key, section 9.4.4 */

void mote_fortuna_init(struct mote_fortuna *f)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < MOTE_FORTUNA_POOLS; i++)
        mote_sha256_init(&f->pool[i]);
}

void mote_fortuna_release(struct mote_fortuna *f)
{
    mote_aes_gcm_release(&f->aes);
    mote_memzero_explicit(f, sizeof *f);
}

static void ctr_inc(uint8_t c[16])
{
    /* 128-bit big-endian increment; the carry chain depends only on the
     * (public) counter value. */
    for (int i = 15; i >= 0; i--)
        if (++c[i] != 0)
            break;
}

void mote_fortuna_reseed(struct mote_fortuna *f, const void *seed, size_t len)
{
    /* K = SHA-256d(K | s), C = C + 1 (section 9.4.2). */
    struct mote_sha256_ctx h;
    mote_sha256_init(&h);
    mote_sha256_update(&h, f->key, 32);
    mote_sha256_update(&h, seed, len);
    mote_sha256_final(&h, f->key);
    mote_sha256(f->key, 32, f->key);
    ctr_inc(f->ctr);
    mote_aes_gcm_init(&f->aes, f->key, 32);
    f->seeded = 1;
}

int mote_fortuna_add_event(struct mote_fortuna *f, unsigned source,
                           unsigned pool, const void *data, size_t len)
{
    if (len == 0 || len > 32)
        return MOTE_EINVAL;
    /* Section 9.5.6: each event is source, length, data. */
    uint8_t hdr[2] = {(uint8_t)source, (uint8_t)len};
    pool %= MOTE_FORTUNA_POOLS;
    mote_sha256_update(&f->pool[pool], hdr, 2);
    mote_sha256_update(&f->pool[pool], data, len);
    if (pool == 0)
        f->pool0_len += 2 + len;
    return 0;
}

static void reseed_from_pools(struct mote_fortuna *f, uint64_t now)
{
    uint8_t seed[MOTE_FORTUNA_POOLS * 32];
    size_t n = 0;
    f->reseeds++;
    for (int i = 0; i < MOTE_FORTUNA_POOLS; i++) {
        if (i > 0 && (f->reseeds & ((1ull << i) - 1)) != 0)
            break; /* 2^i does not divide reseeds: neither do larger ones */
        mote_sha256_final(&f->pool[i], seed + n);
        mote_sha256(seed + n, 32, seed + n); /* SHA-256d */
        n += 32;
        mote_sha256_init(&f->pool[i]);
    }
    f->pool0_len = 0;
    f->last_reseed = now;
    mote_fortuna_reseed(f, seed, n);
    mote_memzero_explicit(seed, sizeof seed);
}

/* Section 9.4.4: blocks of AES-256(K, C++), then two more blocks rekey. */
static void generate_chunk(struct mote_fortuna *f, uint8_t *out, size_t n)
{
    uint8_t block[16];
    while (n) {
        mote_aes_encrypt_block(&f->aes, f->ctr, block);
        ctr_inc(f->ctr);
        size_t take = n < 16 ? n : 16;
        memcpy(out, block, take);
        out += take;
        n -= take;
    }
    mote_aes_encrypt_block(&f->aes, f->ctr, f->key);
    ctr_inc(f->ctr);
    mote_aes_encrypt_block(&f->aes, f->ctr, f->key + 16);
    ctr_inc(f->ctr);
    mote_aes_gcm_init(&f->aes, f->key, 32);
    mote_memzero_explicit(block, sizeof block);
}

int mote_fortuna_generate(struct mote_fortuna *f, uint64_t now_ns, void *out,
                          size_t n)
{
    if (f->pool0_len >= MIN_POOL_SIZE &&
        (f->reseeds == 0 || now_ns - f->last_reseed >= RESEED_INTERVAL))
        reseed_from_pools(f, now_ns);
    if (!f->seeded)
        return MOTE_EAGAIN;
    /* Every request rekeys, even an empty one (section 9.4.4). */
    uint8_t *p = out;
    do {
        size_t take = n < MAX_REQUEST_BYTES ? n : MAX_REQUEST_BYTES;
        generate_chunk(f, p, take);
        if (take)
            p += take;
        n -= take;
    } while (n);
    return 0;
}

/* ---- mote_random ---------------------------------------------------------
 *
 * Fork safety: src/crypto is freestanding and cannot ask for a process id,
 * so it asks the platform for a "fork generation", a number that differs in
 * a forked child (unix: the process id; a platform that cannot fork, such
 * as the spt guest, answers 0). */

static struct mote_fortuna rng;
static int rng_ready;
static uint64_t rng_generation;
static uint64_t rng_calls;

static void seed_from_platform(uint64_t generation)
{
    uint8_t seed[40];
    if (mote_platform_entropy(seed, 32) != 0)
        mote_platform_abort(); /* no entropy: no safe way on */
    st64le(seed + 32, generation);
    if (!rng_ready)
        mote_fortuna_init(&rng);
    mote_fortuna_reseed(&rng, seed, sizeof seed);
    mote_memzero_explicit(seed, sizeof seed);
    rng_ready = 1;
    rng_generation = generation;
}

void mote_random(void *buf, size_t n)
{
    uint64_t gen = mote_platform_fork_generation();
    if (!rng_ready || gen != rng_generation)
        seed_from_platform(gen);
    uint64_t now = mote_platform_clock_monotonic();
    uint8_t ev[32];
    st64le(ev, now);
    mote_fortuna_add_event(&rng, 0, (unsigned)rng_calls, ev, 8);
    if (rng_calls % 32 == 0 && mote_platform_entropy(ev, 32) == 0)
        mote_fortuna_add_event(&rng, 1, (unsigned)(rng_calls / 32), ev, 32);
    rng_calls++;
    mote_memzero_explicit(ev, sizeof ev);
    if (n)
        mote_fortuna_generate(&rng, now, buf, n);
}
