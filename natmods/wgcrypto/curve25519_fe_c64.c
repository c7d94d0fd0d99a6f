// GF(2^255 - 19) arithmetic with five 51-bit limbs and 64x64->128-bit
// products.  Only built when wgcrypto_config.h selects the 64-bit path.

#include "curve25519_fe.h"

#if WGCRYPTO_C64

#include "wgcrypto_util.h"

__extension__ typedef unsigned __int128 u128;

#define M51 (((uint64_t)1 << 51) - 1)

void fe_0(fe *h) {
    for (int i = 0; i < 5; i++) {
        h->v[i] = 0;
    }
}

void fe_1(fe *h) {
    fe_0(h);
    h->v[0] = 1;
}

void fe_copy(fe *h, const fe *f) {
    for (int i = 0; i < 5; i++) {
        h->v[i] = f->v[i];
    }
}

void fe_frombytes(fe *h, const uint8_t s[32]) {
    // Limb i starts at bit 51 i; read 8 bytes around it and shift.  The last
    // limb is read from byte 24 so the load stays inside the 32 bytes, and
    // its mask drops bit 255.
    h->v[0] = wgc_load64_le(s) & M51;
    h->v[1] = (wgc_load64_le(s + 6) >> 3) & M51;
    h->v[2] = (wgc_load64_le(s + 12) >> 6) & M51;
    h->v[3] = (wgc_load64_le(s + 19) >> 1) & M51;
    h->v[4] = (wgc_load64_le(s + 24) >> 12) & M51;
}

// One carry pass, folding the overflow of the top limb back in times 19
// (2^255 = 19 mod p).
static void fe_carry(uint64_t v[5]) {
    uint64_t c;
    c = v[0] >> 51; v[0] &= M51; v[1] += c;
    c = v[1] >> 51; v[1] &= M51; v[2] += c;
    c = v[2] >> 51; v[2] &= M51; v[3] += c;
    c = v[3] >> 51; v[3] &= M51; v[4] += c;
    c = v[4] >> 51; v[4] &= M51; v[0] += c * 19;
    c = v[0] >> 51; v[0] &= M51; v[1] += c;
}

void fe_tobytes(uint8_t s[32], const fe *f) {
    uint64_t t[5];
    for (int i = 0; i < 5; i++) {
        t[i] = f->v[i];
    }
    fe_carry(t);
    fe_carry(t);
    // Now t < 2^255 + small < 2p.  q = 1 exactly when t >= p, found as the
    // carry out of bit 255 of t + 19.
    uint64_t q = (t[0] + 19) >> 51;
    q = (t[1] + q) >> 51;
    q = (t[2] + q) >> 51;
    q = (t[3] + q) >> 51;
    q = (t[4] + q) >> 51;
    // t - q p = t + 19 q - q 2^255: add 19 q and drop bit 255.
    t[0] += 19 * q;
    uint64_t c;
    c = t[0] >> 51; t[0] &= M51; t[1] += c;
    c = t[1] >> 51; t[1] &= M51; t[2] += c;
    c = t[2] >> 51; t[2] &= M51; t[3] += c;
    c = t[3] >> 51; t[3] &= M51; t[4] += c;
    t[4] &= M51;

    wgc_store64_le(s, t[0] | (t[1] << 51));
    wgc_store64_le(s + 8, (t[1] >> 13) | (t[2] << 38));
    wgc_store64_le(s + 16, (t[2] >> 26) | (t[3] << 25));
    wgc_store64_le(s + 24, (t[3] >> 39) | (t[4] << 12));
    wgc_memzero(t, sizeof(t));
}

void fe_add(fe *h, const fe *f, const fe *g) {
    for (int i = 0; i < 5; i++) {
        h->v[i] = f->v[i] + g->v[i];
    }
}

void fe_sub(fe *h, const fe *f, const fe *g) {
    // Add 2p first so no limb can go negative (g is carried, so each g limb
    // is below the matching 2p limb).
    h->v[0] = f->v[0] + (2 * (M51 - 18)) - g->v[0];
    for (int i = 1; i < 5; i++) {
        h->v[i] = f->v[i] + (2 * M51) - g->v[i];
    }
}

// Carries a 128-bit column result into 51-bit limbs.
static void fe_reduce128(fe *h, u128 d0, u128 d1, u128 d2, u128 d3, u128 d4) {
    uint64_t r0, r1, r2, r3, r4;
    r0 = (uint64_t)d0 & M51; d1 += d0 >> 51;
    r1 = (uint64_t)d1 & M51; d2 += d1 >> 51;
    r2 = (uint64_t)d2 & M51; d3 += d2 >> 51;
    r3 = (uint64_t)d3 & M51; d4 += d3 >> 51;
    r4 = (uint64_t)d4 & M51;
    u128 t = (u128)r0 + (d4 >> 51) * 19;
    r0 = (uint64_t)t & M51;
    r1 += (uint64_t)(t >> 51);
    h->v[0] = r0;
    h->v[1] = r1;
    h->v[2] = r2;
    h->v[3] = r3;
    h->v[4] = r4;
}

void fe_mul(fe *h, const fe *f, const fe *g) {
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
    // Terms at or above 2^255 wrap around times 19.
    const uint64_t g1_19 = g1 * 19, g2_19 = g2 * 19, g3_19 = g3 * 19, g4_19 = g4 * 19;

    u128 d0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 + (u128)f4 * g1_19;
    u128 d1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 + (u128)f4 * g2_19;
    u128 d2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 + (u128)f4 * g3_19;
    u128 d3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4_19;
    u128 d4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;
    fe_reduce128(h, d0, d1, d2, d3, d4);
}

void fe_sq(fe *h, const fe *f) {
    // Squaring needs only the 15 distinct products; cross terms are doubled.
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t f0_2 = f0 * 2, f1_2 = f1 * 2;
    const uint64_t f1_38 = f1 * 38, f2_38 = f2 * 38, f3_38 = f3 * 38;
    const uint64_t f3_19 = f3 * 19, f4_19 = f4 * 19;

    u128 d0 = (u128)f0 * f0 + (u128)f1_38 * f4 + (u128)f2_38 * f3;
    u128 d1 = (u128)f0_2 * f1 + (u128)f2_38 * f4 + (u128)f3_19 * f3;
    u128 d2 = (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)f3_38 * f4;
    u128 d3 = (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4_19 * f4;
    u128 d4 = (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2;
    fe_reduce128(h, d0, d1, d2, d3, d4);
}

void fe_mul121665(fe *h, const fe *f) {
    u128 d[5];
    for (int i = 0; i < 5; i++) {
        d[i] = (u128)f->v[i] * 121665;
    }
    fe_reduce128(h, d[0], d[1], d[2], d[3], d[4]);
}

void fe_cswap(fe *f, fe *g, uint32_t swap) {
    const uint64_t mask = (uint64_t)0 - (uint64_t)swap;
    for (int i = 0; i < 5; i++) {
        uint64_t x = (f->v[i] ^ g->v[i]) & mask;
        f->v[i] ^= x;
        g->v[i] ^= x;
    }
}

#endif // WGCRYPTO_C64
