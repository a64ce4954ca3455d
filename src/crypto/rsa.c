/* RSA signatures (RFC 8017): RSASSA-PKCS1-v1_5 and RSASSA-PSS, verify and
 * sign; signing uses CRT, message blinding and a fault check. */
#include <string.h>

#include <mote/error.h>

#include "pk_int.h"

#define RSA_MAXL  (MOTE_RSA_MAX_BITS / 64)
#define HALF_MAXL (RSA_MAXL / 2 + 1)

struct rsa_pub {
    size_t k;    /* modulus length in bytes */
    size_t bits; /* modulus length in bits */
    struct bn_mont n;
    pk_limb e[1];
};

static size_t bitlen_bytes(const uint8_t *b, size_t len)
{
    while (len && *b == 0)
        b++, len--;
    if (!len)
        return 0;
    return 8 * (len - 1) + 32 - (size_t)__builtin_clz(b[0]);
}

static int pub_setup(struct rsa_pub *rp, const struct mote_rsa_public *pub)
{
    pk_limb n[RSA_MAXL];
    size_t bits = bitlen_bytes(pub->n, pub->n_len);
    size_t ebits = bitlen_bytes(pub->e, pub->e_len);
    if (bits < MOTE_RSA_MIN_BITS || bits > MOTE_RSA_MAX_BITS)
        return MOTE_EINVAL;
    if (ebits < 2 || ebits > 32 || !(pub->e[pub->e_len - 1] & 1))
        return MOTE_EINVAL;
    size_t len = (bits + 63) / 64;
    if (bn_from_bytes(n, len, pub->n, pub->n_len) < 0)
        return MOTE_EINVAL;
    if (bn_mont_init(&rp->n, n, len) < 0)
        return MOTE_EINVAL; /* even modulus */
    bn_from_bytes(rp->e, 1, pub->e, pub->e_len);
    rp->bits = bits;
    rp->k = (bits + 7) / 8;
    return 0;
}

size_t mote_rsa_len(const struct mote_rsa_public *pub)
{
    struct rsa_pub rp;
    return pub_setup(&rp, pub) < 0 ? 0 : rp.k;
}

/* em (k bytes) = sig^e mod n; sig must be below n. */
static int rsa_public_op(const struct rsa_pub *rp, uint8_t *em,
                         const uint8_t *sig, size_t sig_len)
{
    pk_limb s[RSA_MAXL], m[RSA_MAXL];
    size_t len = rp->n.len;
    if (sig_len != rp->k)
        return MOTE_EINVAL;
    bn_from_bytes(s, len, sig, sig_len);
    if (!bn_lt_mask(s, rp->n.m, len))
        return MOTE_EPROTO;
    /* AVX-512 IFMA for 2048-bit moduli where present (public data) */
    if (bn_mod_exp_pub_ifma2048(m, s, rp->e, 1, &rp->n) < 0)
        bn_mod_exp_pub(m, s, rp->e, 1, &rp->n);
    bn_to_bytes(em, rp->k, m, len);
    return 0;
}

/* ---- EMSA-PKCS1-v1_5 (RFC 8017 9.2) -----------------------------------------
 */

static const uint8_t DI_SHA256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                    0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t DI_SHA384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                    0x02, 0x05, 0x00, 0x04, 0x30};
static const uint8_t DI_SHA512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                    0x03, 0x05, 0x00, 0x04, 0x40};

static int pkcs1_encode(uint8_t *em, size_t k, enum mote_hash_alg h,
                        const uint8_t *hash, size_t hash_len)
{
    const uint8_t *di;
    size_t dl = sizeof DI_SHA256, hl = mote_hash_len(h);
    if (h == MOTE_HASH_SHA256)
        di = DI_SHA256;
    else if (h == MOTE_HASH_SHA384)
        di = DI_SHA384;
    else if (h == MOTE_HASH_SHA512)
        di = DI_SHA512;
    else
        return MOTE_EINVAL;
    if (hash_len != hl || k < dl + hl + 11)
        return MOTE_EINVAL;
    em[0] = 0;
    em[1] = 1;
    memset(em + 2, 0xff, k - dl - hl - 3);
    em[k - dl - hl - 1] = 0;
    memcpy(em + k - dl - hl, di, dl);
    memcpy(em + k - hl, hash, hl);
    return 0;
}

int mote_rsa_pkcs1_verify(const struct mote_rsa_public *pub,
                          enum mote_hash_alg h, const uint8_t *hash,
                          size_t hash_len, const uint8_t *sig, size_t sig_len)
{
    struct rsa_pub rp;
    uint8_t em[MOTE_RSA_MAX_LEN], want[MOTE_RSA_MAX_LEN];
    int rc = pub_setup(&rp, pub);
    if (rc < 0)
        return rc;
    if ((rc = pkcs1_encode(want, rp.k, h, hash, hash_len)) < 0)
        return rc;
    if ((rc = rsa_public_op(&rp, em, sig, sig_len)) < 0)
        return rc;
    return memcmp(em, want, rp.k) ? MOTE_EPROTO : 0;
}

/* ---- EMSA-PSS (RFC 8017 9.1) -----------------------------------------------
 */

/* out ^= MGF1(seed, len). */
static void mgf1_xor(enum mote_hash_alg h, uint8_t *out, size_t len,
                     const uint8_t *seed, size_t seed_len)
{
    uint8_t t[64], ctr[4];
    size_t hl = mote_hash_len(h);
    struct mote_hash_ctx c;
    for (uint32_t i = 0; len; i++) {
        ctr[0] = (uint8_t)(i >> 24), ctr[1] = (uint8_t)(i >> 16);
        ctr[2] = (uint8_t)(i >> 8), ctr[3] = (uint8_t)i;
        mote_hash_init(&c, h);
        mote_hash_update(&c, seed, seed_len);
        mote_hash_update(&c, ctr, 4);
        mote_hash_final(&c, t);
        size_t n = len < hl ? len : hl;
        for (size_t j = 0; j < n; j++)
            out[j] ^= t[j];
        out += n, len -= n;
    }
}

/* H' = Hash(00 x 8 || mHash || salt). */
static void pss_hash(enum mote_hash_alg h, uint8_t *out, const uint8_t *mhash,
                     const uint8_t *salt, size_t salt_len)
{
    static const uint8_t zero8[8];
    struct mote_hash_ctx c;
    mote_hash_init(&c, h);
    mote_hash_update(&c, zero8, 8);
    mote_hash_update(&c, mhash, mote_hash_len(h));
    if (salt_len)
        mote_hash_update(&c, salt, salt_len);
    mote_hash_final(&c, out);
}

int mote_rsa_pss_verify(const struct mote_rsa_public *pub, enum mote_hash_alg h,
                        enum mote_hash_alg mgf_h, size_t salt_len,
                        const uint8_t *hash, size_t hash_len,
                        const uint8_t *sig, size_t sig_len)
{
    struct rsa_pub rp;
    uint8_t buf[MOTE_RSA_MAX_LEN], hh[64];
    size_t hl = mote_hash_len(h);
    int rc = pub_setup(&rp, pub);
    if (rc < 0)
        return rc;
    if (!hl || !mote_hash_len(mgf_h) || hash_len != hl)
        return MOTE_EINVAL;
    if ((rc = rsa_public_op(&rp, buf, sig, sig_len)) < 0)
        return rc;
    size_t em_bits = rp.bits - 1, em_len = (em_bits + 7) / 8;
    const uint8_t *em = buf + (rp.k - em_len);
    if (rp.k > em_len && buf[0] != 0)
        return MOTE_EPROTO;
    if (salt_len > em_len || em_len < hl + salt_len + 2)
        return MOTE_EPROTO; /* step 3: inconsistent */
    if (em[em_len - 1] != 0xbc)
        return MOTE_EPROTO;
    size_t db_len = em_len - hl - 1;
    uint8_t *db = (uint8_t *)em; /* buf is ours: unmask in place */
    const uint8_t *hp = em + db_len;
    uint8_t top = (uint8_t)(0xff << (8 - (8 * em_len - em_bits)));
    if (8 * em_len - em_bits && (db[0] & top))
        return MOTE_EPROTO;
    mgf1_xor(mgf_h, db, db_len, hp, hl);
    if (8 * em_len - em_bits)
        db[0] &= (uint8_t)~top;
    size_t ps = em_len - hl - salt_len - 2;
    for (size_t i = 0; i < ps; i++)
        if (db[i])
            return MOTE_EPROTO;
    if (db[ps] != 1)
        return MOTE_EPROTO;
    pss_hash(h, hh, hash, db + db_len - salt_len, salt_len);
    return memcmp(hh, hp, hl) ? MOTE_EPROTO : 0;
}

/* ---- Private operation ------------------------------------------------------
 */

/* r = a * b (plain), a: al limbs, b: bl limbs, r: al + bl limbs. */
static void bn_mul_plain(pk_limb *r, const pk_limb *a, size_t al,
                         const pk_limb *b, size_t bl)
{
    memset(r, 0, (al + bl) * sizeof *r);
    for (size_t i = 0; i < bl; i++) {
        pk_limb c = 0;
        for (size_t j = 0; j < al; j++) {
            pk_dlimb s = (pk_dlimb)a[j] * b[i] + r[i + j] + c;
            r[i + j] = (pk_limb)s;
            c = (pk_limb)(s >> 64);
        }
        r[i + al] = c;
    }
}

/* r = x mod m where x has xl limbs, xl <= 2 * m->len. */
static void reduce_any(pk_limb *r, const pk_limb *x, size_t xl,
                       const struct bn_mont *m)
{
    pk_limb w[2 * RSA_MAXL];
    memset(w, 0, 2 * m->len * sizeof *w);
    memcpy(w, x, xl * sizeof *x);
    bn_reduce_wide(r, w, m);
    mote_memzero_explicit(w, sizeof w);
}

/* The prepared private key (mote_rsa_prepared): the public and both
 * primes' Montgomery set-ups, the CRT exponents, and per prime a blinding
 * pair (r^e R, r^-1 R mod the prime) that is squared after every use and
 * drawn afresh from the rng every RSA_BLIND_USES uses. */
#define RSA_BLIND_USES 32

struct rsa_priv {
    struct rsa_pub pub;
    struct bn_mont p, q;
    pk_limb dp[HALF_MAXL], dq[HALF_MAXL], qinv[HALF_MAXL];
    pk_limb bp_e[HALF_MAXL], bp_i[HALF_MAXL]; /* r^e R, r^-1 R mod p */
    pk_limb bq_e[HALF_MAXL], bq_i[HALF_MAXL]; /* the same mod q */
    size_t uses;                              /* left before a redraw */
};

_Static_assert(sizeof(struct rsa_priv) <= sizeof(struct mote_rsa_prepared),
               "MOTE_RSA_PREPARED_WORDS too small");

static int priv_setup(struct rsa_priv *k, const struct mote_rsa_private *key)
{
    pk_limb t[HALF_MAXL];
    int rc = pub_setup(&k->pub, &key->pub);
    if (rc < 0)
        return rc;
    /* Sizes from the encoded lengths only: the primes' bit lengths are
     * not looked at (no branch on secret bytes). */
    size_t pl = (key->p_len + 7) / 8, ql = (key->q_len + 7) / 8;
    /* Both primes about half the modulus: m mod p uses one wide reduction. */
    if (pl == 0 || ql == 0 || pl > HALF_MAXL || ql > HALF_MAXL ||
        k->pub.n.len > 2 * pl || k->pub.n.len > 2 * ql)
        return MOTE_EINVAL;
    /* A modulus of exactly 64 (pl + ql) bits (public) means both primes
     * have their top bit set (p = n / q > 2^(64 (pl + ql) - 1) / 2^(64 ql)):
     * R^2 mod p then starts from 2^(64 pl - 1). Any other key takes the
     * slow set-up (2^0 doubled up). A key that is not what it claims
     * (n != p q) gives a wrong signature, which the fault check stops. */
    int top = k->pub.bits == 64 * (pl + ql);
    if (bn_from_bytes(t, pl, key->p, key->p_len) < 0)
        return MOTE_EINVAL;
    if (top)
        bn_mont_init_secret_top(&k->p, t, pl);
    else
        bn_mont_init_secret(&k->p, t, pl);
    if (bn_from_bytes(t, ql, key->q, key->q_len) < 0)
        return MOTE_EINVAL;
    if (top)
        bn_mont_init_secret_top(&k->q, t, ql);
    else
        bn_mont_init_secret(&k->q, t, ql);
    if (bn_from_bytes(k->dp, pl, key->dp, key->dp_len) < 0 ||
        bn_from_bytes(k->dq, ql, key->dq, key->dq_len) < 0 ||
        bn_from_bytes(k->qinv, pl, key->qinv, key->qinv_len) < 0)
        return MOTE_EINVAL;
    k->uses = 0;
    return 0;
}

/* Fresh blinding pairs, one per prime: for each, r = r1 r2 from two
 * random odd 63-bit words (126 bits of randomness), be = r^e R and bi =
 * r^-1 R (Montgomery form). r^-1 = r1^-1 r2^-1, each inverse of a word
 * modulo the prime by bn_mod_inv_word (a microsecond, where a full-size r
 * took 140 us per prime at 1024 bits), and both r^e in one IFMA loop when
 * the CPU has it, so that a one-shot signature can afford fresh pairs.
 * Blinding each prime with its own r is blinding with the r mod n that
 * has those residues. The primes must be above 2^126 (so r < pr) and are
 * prime, so the words are invertible; a bad key gives junk pairs, a wrong
 * signature and the fault check's error. */
static void blind_inverse(const struct bn_mont *pm, pk_limb *bi, pk_limb *r,
                          const uint8_t rb[16])
{
    pk_limb w[2], i1[HALF_MAXL], i2[HALF_MAXL];
    size_t pl = pm->len;
    bn_from_bytes(w, 2, rb, 16);
    w[0] = (w[0] >> 1) | 1;
    w[1] = (w[1] >> 1) | 1;
    bn_mod_inv_word(i1, w[0], pm->m, pl);
    bn_mod_inv_word(i2, w[1], pm->m, pl);
    bn_to_mont(i1, i1, pm);
    bn_to_mont(i2, i2, pm);
    bn_mont_mul(bi, i1, i2, pm); /* r^-1 R */
    pk_dlimb rw = (pk_dlimb)w[0] * w[1];
    memset(r, 0, pl * sizeof *r);
    r[0] = (pk_limb)rw;
    r[1] = (pk_limb)(rw >> 64);
    mote_memzero_explicit(i1, sizeof i1);
    mote_memzero_explicit(i2, sizeof i2);
    mote_memzero_explicit(w, sizeof w);
    mote_memzero_explicit(&rw, sizeof rw);
}

static int blind_draw(struct rsa_priv *k, mote_pk_rng_fn rng, void *rng_ctx)
{
    pk_limb rp[HALF_MAXL], rq[HALF_MAXL];
    uint8_t rb[32];
    if (rng(rng_ctx, rb, sizeof rb) < 0)
        return MOTE_EIO;
    blind_inverse(&k->p, k->bp_i, rp, rb);
    blind_inverse(&k->q, k->bq_i, rq, rb + 16);
    if (bn_mod_exp2_pub_ifma(k->bp_e, rp, &k->p, k->bq_e, rq, &k->q, k->pub.e,
                             1) < 0) {
        bn_mod_exp_pub(k->bp_e, rp, k->pub.e, 1, &k->p); /* r^e */
        bn_mod_exp_pub(k->bq_e, rq, k->pub.e, 1, &k->q);
    }
    bn_to_mont(k->bp_e, k->bp_e, &k->p);
    bn_to_mont(k->bq_e, k->bq_e, &k->q);
    mote_memzero_explicit(rp, sizeof rp);
    mote_memzero_explicit(rq, sizeof rq);
    mote_memzero_explicit(rb, sizeof rb);
    return 0;
}

/* CRT halves, blinded: ((m r^e)^d) r^-1 = m^d mod pr because e d = 1
 * mod (pr - 1). blind_in gives mp = (m mod pr) r^e; blind_out multiplies
 * by r^-1 and squares the pair: (r^2)^e and r^-2 blind the next
 * signature. */
static void blind_in(const struct bn_mont *pm, const pk_limb *be, pk_limb *mp,
                     const pk_limb *m, size_t len)
{
    reduce_any(mp, m, len, pm);
    bn_mont_mul(mp, mp, be, pm); /* m r^e */
}

static void blind_out(const struct bn_mont *pm, pk_limb *be, pk_limb *bi,
                      pk_limb *out, const pk_limb *t)
{
    bn_mont_mul(out, t, bi, pm); /* m^d */
    bn_mont_sqr(be, be, pm);
    bn_mont_sqr(bi, bi, pm);
}

/* sig = em^d mod n via CRT with blinding, checked with the public key. */
static int rsa_private_op(struct rsa_priv *k, uint8_t *sig, const uint8_t *em,
                          mote_pk_rng_fn rng, void *rng_ctx)
{
    const struct bn_mont *n = &k->pub.n;
    size_t len = n->len, pl = k->p.len, ql = k->q.len;
    pk_limb m[RSA_MAXL], t[RSA_MAXL], s[RSA_MAXL], chk[RSA_MAXL], s1[HALF_MAXL],
        s2[HALF_MAXL], hh[HALF_MAXL], w[2 * RSA_MAXL], mp1[HALF_MAXL],
        mp2[HALF_MAXL], x1[HALF_MAXL], x2[HALF_MAXL];
    int rc = 0;

    bn_from_bytes(m, len, em, k->pub.k);
    if (!bn_lt_mask(m, n->m, len))
        return MOTE_EINVAL;
    if (!rng)
        return MOTE_EINVAL;
    if (k->uses == 0) {
        if ((rc = blind_draw(k, rng, rng_ctx)) < 0)
            goto out;
        k->uses = RSA_BLIND_USES;
    }
    k->uses--;
    /* s1 = m^dp mod p, s2 = m^dq mod q, each blinded; both at once with
     * IFMA when the CPU has it (and both primes are 1024 bits). */
    blind_in(&k->p, k->bp_e, mp1, m, len);
    blind_in(&k->q, k->bq_e, mp2, m, len);
    if (bn_mod_exp2_ct_ifma(x1, mp1, k->dp, &k->p, x2, mp2, k->dq, &k->q) < 0) {
        bn_mod_exp_ct(x1, mp1, k->dp, pl, &k->p);
        bn_mod_exp_ct(x2, mp2, k->dq, ql, &k->q);
    }
    blind_out(&k->p, k->bp_e, k->bp_i, s1, x1);
    blind_out(&k->q, k->bq_e, k->bq_i, s2, x2);
    /* Garner: h = qinv (s1 - s2) mod p; s = s2 + q h. */
    reduce_any(t, s2, ql, &k->p);
    bn_mod_sub(hh, s1, t, k->p.m, pl);
    bn_mont_mul(hh, hh, k->qinv, &k->p);
    bn_mont_mul(hh, hh, k->p.rr, &k->p);
    bn_mul_plain(w, k->q.m, ql, hh, pl);
    memset(s, 0, len * sizeof *s);
    memcpy(s, s2, ql * sizeof *s2);
    memset(t, 0, len * sizeof *t);
    memcpy(t, w, (pl + ql < len ? pl + ql : len) * sizeof *w);
    bn_add(s, s, t, len);
    /* Fault check (the Bellcore attack): s^e must give back m. */
    bn_mod_exp_pub(chk, s, k->pub.e, 1, n);
    if (pk__declassify(bn_sub(t, chk, m, len) | ~bn_zero_mask(t, len))) {
        rc = MOTE_EINTERNAL;
        memset(sig, 0, k->pub.k);
        k->uses = 0; /* redraw the blinding after a fault */
    } else {
        bn_to_bytes(sig, k->pub.k, s, len);
    }
out:
    mote_memzero_explicit(m, sizeof m);
    mote_memzero_explicit(t, sizeof t);
    mote_memzero_explicit(s, sizeof s);
    mote_memzero_explicit(s1, sizeof s1);
    mote_memzero_explicit(s2, sizeof s2);
    mote_memzero_explicit(hh, sizeof hh);
    mote_memzero_explicit(w, sizeof w);
    mote_memzero_explicit(mp1, sizeof mp1);
    mote_memzero_explicit(mp2, sizeof mp2);
    mote_memzero_explicit(x1, sizeof x1);
    mote_memzero_explicit(x2, sizeof x2);
    return rc;
}

int mote_rsa_private_prepare(struct mote_rsa_prepared *ctx,
                             const struct mote_rsa_private *key)
{
    struct rsa_priv *k = (struct rsa_priv *)(void *)ctx->w;
    int rc = priv_setup(k, key);
    if (rc < 0)
        mote_memzero_explicit(ctx, sizeof *ctx);
    return rc;
}

void mote_rsa_prepared_wipe(struct mote_rsa_prepared *ctx)
{
    mote_memzero_explicit(ctx, sizeof *ctx);
}

size_t mote_rsa_prepared_len(const struct mote_rsa_prepared *ctx)
{
    return ((const struct rsa_priv *)(const void *)ctx->w)->pub.k;
}

static int pkcs1_sign(struct rsa_priv *k, enum mote_hash_alg h,
                      const uint8_t *hash, size_t hash_len, uint8_t *sig,
                      size_t cap, mote_pk_rng_fn rng, void *rng_ctx)
{
    uint8_t em[MOTE_RSA_MAX_LEN];
    int rc;
    if (k->pub.k == 0)
        return MOTE_EINVAL; /* not prepared */
    if (cap < k->pub.k)
        return MOTE_ENOSPC;
    if ((rc = pkcs1_encode(em, k->pub.k, h, hash, hash_len)) < 0)
        return rc;
    return rsa_private_op(k, sig, em, rng, rng_ctx);
}

static int pss_sign(struct rsa_priv *k, enum mote_hash_alg h, size_t salt_len,
                    const uint8_t *hash, size_t hash_len, uint8_t *sig,
                    size_t cap, mote_pk_rng_fn rng, void *rng_ctx)
{
    uint8_t buf[MOTE_RSA_MAX_LEN], salt[MOTE_RSA_MAX_LEN];
    size_t hl = mote_hash_len(h);
    if (k->pub.k == 0)
        return MOTE_EINVAL; /* not prepared */
    if (cap < k->pub.k)
        return MOTE_ENOSPC;
    size_t em_bits = k->pub.bits - 1, em_len = (em_bits + 7) / 8;
    if (!hl || hash_len != hl || salt_len > em_len ||
        em_len < hl + salt_len + 2 || !rng)
        return MOTE_EINVAL;
    if (salt_len && rng(rng_ctx, salt, salt_len) < 0)
        return MOTE_EIO;
    /* EM = maskedDB || H || 0xbc, left-padded with a zero byte to k. */
    memset(buf, 0, k->pub.k);
    uint8_t *em = buf + (k->pub.k - em_len);
    size_t db_len = em_len - hl - 1;
    pss_hash(h, em + db_len, hash, salt, salt_len);
    em[db_len - salt_len - 1] = 1;
    memcpy(em + db_len - salt_len, salt, salt_len);
    mgf1_xor(h, em, db_len, em + db_len, hl);
    em[0] &= (uint8_t)(0xff >> (8 * em_len - em_bits));
    em[em_len - 1] = 0xbc;
    return rsa_private_op(k, sig, buf, rng, rng_ctx);
}

int mote_rsa_prepared_pkcs1_sign(struct mote_rsa_prepared *ctx,
                                 enum mote_hash_alg h, const uint8_t *hash,
                                 size_t hash_len, uint8_t *sig, size_t cap,
                                 mote_pk_rng_fn rng, void *rng_ctx)
{
    return pkcs1_sign((struct rsa_priv *)(void *)ctx->w, h, hash, hash_len, sig,
                      cap, rng, rng_ctx);
}

int mote_rsa_prepared_pss_sign(struct mote_rsa_prepared *ctx,
                               enum mote_hash_alg h, size_t salt_len,
                               const uint8_t *hash, size_t hash_len,
                               uint8_t *sig, size_t cap, mote_pk_rng_fn rng,
                               void *rng_ctx)
{
    return pss_sign((struct rsa_priv *)(void *)ctx->w, h, salt_len, hash,
                    hash_len, sig, cap, rng, rng_ctx);
}

int mote_rsa_pkcs1_sign(const struct mote_rsa_private *key,
                        enum mote_hash_alg h, const uint8_t *hash,
                        size_t hash_len, uint8_t *sig, size_t cap,
                        mote_pk_rng_fn rng, void *rng_ctx)
{
    struct rsa_priv k;
    int rc = priv_setup(&k, key);
    if (rc == 0)
        rc = pkcs1_sign(&k, h, hash, hash_len, sig, cap, rng, rng_ctx);
    mote_memzero_explicit(&k, sizeof k);
    return rc;
}

int mote_rsa_pss_sign(const struct mote_rsa_private *key, enum mote_hash_alg h,
                      size_t salt_len, const uint8_t *hash, size_t hash_len,
                      uint8_t *sig, size_t cap, mote_pk_rng_fn rng,
                      void *rng_ctx)
{
    struct rsa_priv k;
    int rc = priv_setup(&k, key);
    if (rc == 0)
        rc = pss_sign(&k, h, salt_len, hash, hash_len, sig, cap, rng, rng_ctx);
    mote_memzero_explicit(&k, sizeof k);
    return rc;
}
