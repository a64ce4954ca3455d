/* ML-KEM internals shared by mlkem.c, mlkem_x86.c and the unit test that
 * compares the AVX2 path with the portable one (tests/unit/test_mlkem.c). */
#ifndef MOTE_MLKEM_INT_H
#define MOTE_MLKEM_INT_H

#include <stddef.h>
#include <stdint.h>

/* The polynomial arithmetic of mlkem.c on 256 coefficients, through the
 * same run-time choice as the KEM (AVX2 when crypto__cpu() reports it):
 * forward NTT (no final reduction), inverse NTT (times the Montgomery
 * factor), and the NTT-domain product r = a * b (FIPS 203 algorithms 9, 10,
 * 11, in the reference implementation's arithmetic). Both paths give the
 * same int16 results for every int16 input. */
void pk__mlkem_ntt(int16_t r[256]);
void pk__mlkem_invntt(int16_t r[256]);
void pk__mlkem_basemul(int16_t r[256], const int16_t a[256],
                       const int16_t b[256]);

/* The AVX2 versions (mlkem_x86.c); zetas is mlkem.c's table of 128. Only
 * called after crypto__cpu() reports AVX2. */
void crypto__mlkem_ntt_avx2(int16_t r[256], const int16_t zetas[128]);
void crypto__mlkem_invntt_avx2(int16_t r[256], const int16_t zetas[128]);
void crypto__mlkem_basemul_avx2(int16_t r[256], const int16_t a[256],
                                const int16_t b[256], const int16_t zetas[128]);

/* r = reduce(sum over i < k of a[i] * b[i]) in the NTT domain, a and b k
 * consecutive polynomials (mlkem.c's polyvec_dot), AVX2. */
void crypto__mlkem_dot_avx2(int16_t r[256], const int16_t *a, const int16_t *b,
                            unsigned k, const int16_t zetas[128]);

/* SamplePolyCBD_2 of 128 bytes (eta = 2), AVX2; same output as mlkem.c's. */
void crypto__mlkem_cbd2_avx2(int16_t r[256], const uint8_t buf[128]);

/* SampleNTT's rejection step with AVX2 on buf[*pos .. len): appends to c
 * from count k while 16 more fit below 256 and 32 bytes remain; returns
 * the count and advances *pos (by whole 24-byte steps). */
unsigned crypto__mlkem_rej_avx2(int16_t *c, unsigned k, const uint8_t *buf,
                                size_t len, size_t *pos);

/* Keccak (mlkem_keccak.c): the 24 round constants. Four states at once
 * with AVX2, eight with AVX-512F (mlkem_keccak_x86.c): s holds lane i of
 * stream j at s[w i + j] (w = 4 or 8; 25 w words). absorb_once zeroes s
 * and absorbs in[j] (len < rate bytes each), padded with pad (0x1f for
 * SHAKE) and the final 0x80; squeeze permutes and writes nblocks whole
 * blocks (rate bytes each) to every out[j]. Only called after crypto__cpu()
 * reports AVX2 (w = 4) or AVX-512 (w = 8). */
extern const uint64_t crypto__keccak_rc[24];
void crypto__keccak_x4_f1600(uint64_t s[100]);
void crypto__keccak_x8_f1600(uint64_t s[200]);
void crypto__keccak_xw_absorb_once(uint64_t *s, unsigned w, unsigned rate,
                                   const uint8_t *const *in, size_t len,
                                   uint8_t pad);
void crypto__keccak_xw_squeeze(uint64_t *s, unsigned w, unsigned rate,
                               uint8_t *const *out, size_t nblocks);
/* n (<= w) one-shot hashes at once: stream j absorbs in[j] (len[j] bytes)
 * with padding pad[j] (0x06 SHA3, 0x1f SHAKE) and gives outlen (<= rate)
 * bytes in out[j]. Every stream must take the same number of blocks,
 * len[j] / rate + 1. */
void crypto__keccak_xw_hash(unsigned w, unsigned rate, unsigned n,
                            const uint8_t *const *in, const size_t *len,
                            const uint8_t *pad, uint8_t *const *out,
                            size_t outlen);

#endif
