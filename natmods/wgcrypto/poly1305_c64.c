// Poly1305 arithmetic with three 44/44/42-bit limbs and 64x64->128-bit
// products.  Only built when wgcrypto_config.h selects the 64-bit path.

#include "poly1305.h"

#if WGCRYPTO_C64

#include "wgcrypto_util.h"

__extension__ typedef unsigned __int128 u128;

#define M44 ((uint64_t)0xfffffffffff)
#define M42 ((uint64_t)0x3ffffffffff)

void poly1305_core_init(struct poly1305_core *st, const uint8_t key[POLY1305_KEY_SIZE]) {
    // Clamp r (RFC 8439 §2.5): clear the top 4 bits of bytes 3, 7, 11, 15
    // and the low 2 bits of bytes 4, 8, 12.
    uint64_t t0 = wgc_load64_le(key) & 0x0ffffffc0fffffffULL;
    uint64_t t1 = wgc_load64_le(key + 8) & 0x0ffffffc0ffffffcULL;
    st->r[0] = t0 & M44;
    st->r[1] = ((t0 >> 44) | (t1 << 20)) & M44;
    st->r[2] = t1 >> 24;
    st->h[0] = 0;
    st->h[1] = 0;
    st->h[2] = 0;
    st->s[0] = wgc_load64_le(key + 16);
    st->s[1] = wgc_load64_le(key + 24);
}

void poly1305_core_blocks(struct poly1305_core *st, const uint8_t *m, size_t len, uint32_t hibit) {
    const uint64_t r0 = st->r[0], r1 = st->r[1], r2 = st->r[2];
    // Limb products that land at or above 2^130 wrap around multiplied by 5
    // (2^130 = 5 mod p); limbs are 44 bits apart, so 2^132 = 4 * 5 = 20.
    const uint64_t s1 = r1 * 20, s2 = r2 * 20;
    const uint64_t hb = (uint64_t)hibit << 40;  // 2^128 sits at bit 40 of limb 2
    uint64_t h0 = st->h[0], h1 = st->h[1], h2 = st->h[2];

    while (len >= POLY1305_BLOCK_SIZE) {
        uint64_t t0 = wgc_load64_le(m);
        uint64_t t1 = wgc_load64_le(m + 8);
        h0 += t0 & M44;
        h1 += ((t0 >> 44) | (t1 << 20)) & M44;
        h2 += (t1 >> 24) | hb;

        u128 d0 = (u128)h0 * r0 + (u128)h1 * s2 + (u128)h2 * s1;
        u128 d1 = (u128)h0 * r1 + (u128)h1 * r0 + (u128)h2 * s2;
        u128 d2 = (u128)h0 * r2 + (u128)h1 * r1 + (u128)h2 * r0;

        // Partial carry: leaves h0, h1 just above 44 bits, which the next
        // multiply tolerates.
        uint64_t c;
        h0 = (uint64_t)d0 & M44;
        d1 += (uint64_t)(d0 >> 44);
        h1 = (uint64_t)d1 & M44;
        d2 += (uint64_t)(d1 >> 44);
        h2 = (uint64_t)d2 & M42;
        c = (uint64_t)(d2 >> 42);
        h0 += c * 5;
        c = h0 >> 44;
        h0 &= M44;
        h1 += c;

        m += POLY1305_BLOCK_SIZE;
        len -= POLY1305_BLOCK_SIZE;
    }
    st->h[0] = h0;
    st->h[1] = h1;
    st->h[2] = h2;
}

void poly1305_core_emit(struct poly1305_core *st, uint8_t mac[POLY1305_MAC_SIZE]) {
    uint64_t h0 = st->h[0], h1 = st->h[1], h2 = st->h[2];
    uint64_t c;

    // Full carry so every limb is within its width.
    c = h1 >> 44; h1 &= M44; h2 += c;
    c = h2 >> 42; h2 &= M42; h0 += c * 5;
    c = h0 >> 44; h0 &= M44; h1 += c;
    c = h1 >> 44; h1 &= M44; h2 += c;
    c = h2 >> 42; h2 &= M42; h0 += c * 5;
    c = h0 >> 44; h0 &= M44; h1 += c;

    // g = h + 5 - 2^130; if that does not go negative, h >= p and g is the
    // reduced value.  Select with a mask instead of a branch.
    uint64_t g0 = h0 + 5;
    c = g0 >> 44; g0 &= M44;
    uint64_t g1 = h1 + c;
    c = g1 >> 44; g1 &= M44;
    uint64_t g2 = h2 + c - ((uint64_t)1 << 42);
    uint64_t mask = (g2 >> 63) - 1;  // all ones when g2 did not borrow
    h0 = (h0 & ~mask) | (g0 & mask);
    h1 = (h1 & ~mask) | (g1 & mask);
    h2 = (h2 & ~mask) | (g2 & mask);

    // tag = (h + s) mod 2^128
    uint64_t t0 = h0 | (h1 << 44);
    uint64_t t1 = (h1 >> 20) | (h2 << 24);
    u128 f = (u128)t0 + st->s[0];
    t0 = (uint64_t)f;
    f = (u128)t1 + st->s[1] + (uint64_t)(f >> 64);
    t1 = (uint64_t)f;
    wgc_store64_le(mac, t0);
    wgc_store64_le(mac + 8, t1);
}

#endif // WGCRYPTO_C64
