// GF(2^255 - 19) arithmetic with ten limbs of alternately 26 and 25 bits and
// 32x32->64-bit products, for CPUs without a 64x64->128 multiply.  Only
// built when wgcrypto_config.h selects the 32-bit path.
//
// Limb i holds bits [ceil(25.5 i), ceil(25.5 (i+1))).  Loops below have
// fixed trip counts and index only by loop counters, never by data.

#include "curve25519_fe.h"

#if !WGCRYPTO_C64

#include "wgcrypto_util.h"

#define M26 (0x3ffffffu)
#define M25 (0x1ffffffu)

// Limb widths and bit positions.
#define LIMB_BITS(i) (((i) & 1) ? 25 : 26)
#define LIMB_MASK(i) (((i) & 1) ? M25 : M26)

void fe_0(fe *h) {
    for (int i = 0; i < 10; i++) {
        h->v[i] = 0;
    }
}

void fe_1(fe *h) {
    fe_0(h);
    h->v[0] = 1;
}

void fe_copy(fe *h, const fe *f) {
    for (int i = 0; i < 10; i++) {
        h->v[i] = f->v[i];
    }
}

void fe_frombytes(fe *h, const uint8_t s[32]) {
    // Each limb fits in the 32-bit word starting at the byte holding its
    // first bit; the last limb's mask drops bit 255.
    int pos = 0;
    for (int i = 0; i < 10; i++) {
        h->v[i] = (wgc_load32_le(s + (pos >> 3)) >> (pos & 7)) & LIMB_MASK(i);
        pos += LIMB_BITS(i);
    }
}

// Carries 64-bit column sums into limbs; the overflow of the top limb
// (weight 2^255) re-enters limb 0 times 19.
static void fe_reduce64(fe *h, uint64_t d[10]) {
    for (int i = 0; i < 9; i++) {
        d[i + 1] += d[i] >> LIMB_BITS(i);
        d[i] &= LIMB_MASK(i);
    }
    d[0] += (d[9] >> 25) * 19;
    d[9] &= M25;
    d[1] += d[0] >> 26;
    d[0] &= M26;
    for (int i = 0; i < 10; i++) {
        h->v[i] = (uint32_t)d[i];
    }
}

void fe_tobytes(uint8_t s[32], const fe *f) {
    uint64_t d[10];
    fe t;
    for (int i = 0; i < 10; i++) {
        d[i] = f->v[i];
    }
    fe_reduce64(&t, d);
    for (int i = 0; i < 10; i++) {
        d[i] = t.v[i];
    }
    fe_reduce64(&t, d);
    // t < 2^255 + small < 2p.  q = 1 exactly when t >= p, found as the carry
    // out of bit 255 of t + 19.
    uint32_t q = (t.v[0] + 19) >> 26;
    for (int i = 1; i < 10; i++) {
        q = (t.v[i] + q) >> LIMB_BITS(i);
    }
    // t - q p = t + 19 q - q 2^255: add 19 q, carry, drop bit 255.
    t.v[0] += 19 * q;
    for (int i = 0; i < 9; i++) {
        t.v[i + 1] += t.v[i] >> LIMB_BITS(i);
        t.v[i] &= LIMB_MASK(i);
    }
    t.v[9] &= M25;

    // Pack the 255 bits little-endian.
    uint64_t acc = 0;
    int bits = 0;
    int o = 0;
    for (int i = 0; i < 10; i++) {
        acc |= (uint64_t)t.v[i] << bits;
        bits += LIMB_BITS(i);
        while (bits >= 8) {
            s[o++] = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
    s[o] = (uint8_t)acc;
    wgc_memzero(d, sizeof(d));
    wgc_memzero(&t, sizeof(t));
}

void fe_add(fe *h, const fe *f, const fe *g) {
    for (int i = 0; i < 10; i++) {
        h->v[i] = f->v[i] + g->v[i];
    }
}

void fe_sub(fe *h, const fe *f, const fe *g) {
    // Add 2p first so no limb can go negative (g is carried, so each g limb
    // is below the matching 2p limb).
    h->v[0] = f->v[0] + 2 * (M26 - 18) - g->v[0];
    for (int i = 1; i < 10; i++) {
        h->v[i] = f->v[i] + 2 * LIMB_MASK(i) - g->v[i];
    }
}

void fe_mul(fe *h, const fe *f, const fe *g) {
    // Schoolbook product.  Limb positions are ceil(25.5 i), so when both
    // indices are odd the product sits one bit above limb i+j and is doubled;
    // columns at or above 2^255 wrap around times 19.  With inputs obeying
    // the contract in curve25519_fe.h every factor fits in 32 bits and every
    // column sum stays below 2^63.
    uint32_t f2[10], g19[10];
    uint64_t d[10] = { 0 };
    for (int i = 0; i < 10; i++) {
        f2[i] = (i & 1) ? 2 * f->v[i] : f->v[i];
        g19[i] = 19 * g->v[i];
    }
    for (int i = 0; i < 10; i++) {
        const uint32_t fi = f->v[i], fi2 = f2[i];
        for (int j = 0; j < 10; j++) {
            uint32_t a = (i & j & 1) ? fi2 : fi;
            if (i + j < 10) {
                d[i + j] += (uint64_t)a * g->v[j];
            } else {
                d[i + j - 10] += (uint64_t)a * g19[j];
            }
        }
    }
    fe_reduce64(h, d);
}

void fe_sq(fe *h, const fe *f) {
    fe_mul(h, f, f);
}

void fe_mul121665(fe *h, const fe *f) {
    uint64_t d[10];
    for (int i = 0; i < 10; i++) {
        d[i] = (uint64_t)f->v[i] * 121665;
    }
    fe_reduce64(h, d);
}

void fe_cswap(fe *f, fe *g, uint32_t swap) {
    const uint32_t mask = 0u - swap;
    for (int i = 0; i < 10; i++) {
        uint32_t x = (f->v[i] ^ g->v[i]) & mask;
        f->v[i] ^= x;
        g->v[i] ^= x;
    }
}

#endif // !WGCRYPTO_C64
