// Poly1305 arithmetic in radix 2^13 for ARMv6-M (Cortex-M0/M0+).
//
// Why: the only multiply there is MULS (32x32->32).  The 26-bit limbs of
// poly1305_c32.c need 64-bit products, which become __aeabi_lmul calls.
// With ten 13-bit limbs (2^130 = 2^(13*10), and 2^130 = 5 mod p) every
// product and every column sum fits in 32 bits, so each product is a single
// MULS.  This file holds key setup, message limbs and the final reduction;
// the multiply is poly1305_r13_armv6m.S.  Empty unless wgcrypto_config.h
// selects WGC_ASM_ARMV6M.
//
// State (st[29], struct poly1305_core.a):
//   st[0..9]   h0..h9, the accumulator
//   st[10..28] R[0..18] with R[t] = 5*r(t+1) for t < 9, R[t] = r(t-9) for t >= 9,
// so that column k of h*r mod p is sum_{i=0..9} h_i * R[9 + k - i].
//
// Bounds (M = 2^13 - 1):
//   r: clamped, r < 2^124, so r0..r8 <= M and r9 < 2^7; 5*r_j <= 5M.
//   Before each multiply h0 <= M + 5 and h1..h9 <= M (see blocks()).
//   Largest column is column 0 (the most 5*r terms):
//     (M+5)*M + 8*M*5M + M*5*(2^7-1) < 41.1 * 2^26 < 2^31.4
//   and the others are smaller.  Carrying column k into k+1 adds at most
//   2^31.4 / 2^13 < 2^18.4, still < 2^32.  The top carry c9 < 2^18.5, so
//   after the multiply h0 = (d0 & M) + 5*c9 < 2^21.9 and h1..h9 <= M.
//   Adding a message block (limbs <= M, limb 9 <= 2^11 - 1 plus 2^11 for
//   hibit) and carrying h0..h9 once gives h1..h9 <= M; the carry out of
//   h9 is then at most 1 (h9 + m9 + carry < 2^14), so h0 <= M + 5.  The
//   hibit = 0 final block only makes limb 9 smaller.
//   emit(): two full carry passes reach h < 2^130 with every limb <= M
//   (see there), then h - p is selected with a mask when h >= p.

#include "poly1305.h"

#if WGC_OPT_POLY1305 && defined(WGC_ASM_ARMV6M)

#include "wgcrypto_util.h"

#define M13 (0x1fffu)

// Splits 128 bits (four little-endian words) into ten 13-bit limbs; limb 9
// gets bits 117..127 only.
static inline void split13(uint32_t l[10], uint32_t w0, uint32_t w1, uint32_t w2, uint32_t w3) {
    l[0] = w0 & M13;
    l[1] = (w0 >> 13) & M13;
    l[2] = ((w0 >> 26) | (w1 << 6)) & M13;
    l[3] = (w1 >> 7) & M13;
    l[4] = ((w1 >> 20) | (w2 << 12)) & M13;
    l[5] = (w2 >> 1) & M13;
    l[6] = (w2 >> 14) & M13;
    l[7] = ((w2 >> 27) | (w3 << 5)) & M13;
    l[8] = (w3 >> 8) & M13;
    l[9] = w3 >> 21;
}

void wgc_poly1305_r13_init(uint32_t *st, const uint8_t key[16]) {
    uint32_t r[10];
    split13(r,
        wgc_load32_le(key) & 0x0fffffffu,
        wgc_load32_le(key + 4) & 0x0ffffffcu,
        wgc_load32_le(key + 8) & 0x0ffffffcu,
        wgc_load32_le(key + 12) & 0x0ffffffcu);
    for (int i = 0; i < 10; i++) {
        st[i] = 0;
        st[19 + i] = r[i];
    }
    for (int t = 0; t < 9; t++) {
        st[10 + t] = 5 * r[t + 1];
    }
    wgc_wipe32(r, sizeof(r));
}

// h *= r, partially reduced (poly1305_r13_armv6m.S).
void wgc_poly1305_r13_mul(uint32_t *st);

void wgc_poly1305_r13_blocks(uint32_t *st, const uint8_t *m, size_t nblocks, uint32_t hibit) {
    uint32_t *h = st;
    const uint32_t hb = hibit << 11;  // 2^128 is bit 11 of limb 9
    uint32_t l[10];

    while (nblocks--) {
        uint32_t w0, w1, w2, w3;
        if (((uintptr_t)m & 3) == 0) {
            // Cortex-M0 faults on unaligned word loads; the test is on the
            // address, never on data.  Little-endian only, as is ARMv6-M here.
            const uint32_t *mw = (const uint32_t *)(const void *)m;
            w0 = mw[0]; w1 = mw[1]; w2 = mw[2]; w3 = mw[3];
        } else {
            w0 = wgc_load32_le(m); w1 = wgc_load32_le(m + 4);
            w2 = wgc_load32_le(m + 8); w3 = wgc_load32_le(m + 12);
        }
        split13(l, w0, w1, w2, w3);
        l[9] |= hb;
        // h += m, carried so that h0 <= M + 5 and h1..h9 <= M.
        uint32_t c = 0;
        #pragma GCC unroll 10
        for (int i = 0; i < 10; i++) {
            uint32_t t = h[i] + l[i] + c;
            c = t >> 13;
            h[i] = t & M13;
        }
        h[0] += 5 * c;

        wgc_poly1305_r13_mul(st);
        m += 16;
    }
    wgc_wipe32(l, sizeof(l));
}

// Tag = (h mod p + s) mod 2^128.
void wgc_poly1305_r13_emit(const uint32_t *st, const uint32_t s[4], uint8_t mac[16]) {
    uint32_t h[10], g[10];
    uint32_t c;
    for (int i = 0; i < 10; i++) {
        h[i] = st[i];
    }
    // Entering, h0 < 2^22 and h1..h9 <= M.  Pass 1 leaves h1..h9 <= M and a
    // carry out of h9 of at most 1, so h0 <= M + 5.  Pass 2: if h0 carries
    // (h0 & M) <= 4 remains, and a carry out of h9 adds 5 to that, so all
    // limbs end <= M: h < 2^130 < 2p.
    for (int pass = 0; pass < 2; pass++) {
        c = 0;
        for (int i = 0; i < 10; i++) {
            uint32_t t = h[i] + c;
            c = t >> 13;
            h[i] = t & M13;
        }
        h[0] += 5 * c;
    }
    // g = h + 5 - 2^130; bit 13 of g9 (before masking) is set exactly when
    // h >= p, and then g replaces h.  No branch on the value.
    c = 5;
    for (int i = 0; i < 10; i++) {
        uint32_t t = h[i] + c;
        c = t >> 13;
        g[i] = t & M13;
    }
    uint32_t mask = 0u - c;  // c is 0 or 1
    for (int i = 0; i < 10; i++) {
        h[i] = (h[i] & ~mask) | (g[i] & mask);
    }
    uint32_t w[4];
    w[0] = h[0] | (h[1] << 13) | (h[2] << 26);
    w[1] = (h[2] >> 6) | (h[3] << 7) | (h[4] << 20);
    w[2] = (h[4] >> 12) | (h[5] << 1) | (h[6] << 14) | (h[7] << 27);
    w[3] = (h[7] >> 5) | (h[8] << 8) | (h[9] << 21);
    poly1305_tag32(w, s, mac);
    wgc_wipe32(h, sizeof(h));
    wgc_wipe32(g, sizeof(g));
    wgc_wipe32(w, sizeof(w));
}

#endif // WGC_OPT_POLY1305 && WGC_ASM_ARMV6M
