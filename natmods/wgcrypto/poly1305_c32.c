// Poly1305 arithmetic with five 26-bit limbs and 32x32->64-bit products,
// for CPUs without a 64x64->128 multiply.  Only built when
// wgcrypto_config.h selects the 32-bit path.

#include "poly1305.h"

#if !WGCRYPTO_C64

#include "wgcrypto_util.h"

#define M26 (0x3ffffffu)

#if WGC_OPT_POLY1305
#if defined(WGC_ASM_THUMB2)
void wgc_poly1305_blocks_thumb2(uint32_t st[12], const uint8_t *m, size_t nblocks, uint32_t hibit);
#define poly1305_blocks_asm wgc_poly1305_blocks_thumb2
#elif defined(WGC_ASM_MIPS32R2)
void wgc_poly1305_blocks_mips(uint32_t st[12], const uint8_t *m, size_t nblocks, uint32_t hibit);
#define poly1305_blocks_asm wgc_poly1305_blocks_mips
#elif defined(WGC_ASM_ARMV6M)
// Radix 2^13 in C (poly1305_r13.c): MULS keeps only the low 32 bits.
void wgc_poly1305_r13_init(uint32_t st[29], const uint8_t key[16]);
void wgc_poly1305_r13_blocks(uint32_t st[29], const uint8_t *m, size_t nblocks, uint32_t hibit);
void wgc_poly1305_r13_emit(const uint32_t st[29], const uint32_t s[4], uint8_t mac[16]);
#define poly1305_blocks_asm wgc_poly1305_r13_blocks
#define init_opt(st, key) wgc_poly1305_r13_init((st)->a, (key))
#define emit_opt(st, mac) wgc_poly1305_r13_emit((st)->a, (st)->s, (mac))
#endif

#if !defined(WGC_ASM_ARMV6M)
#define init_opt init_r32
#define emit_opt emit_r32

static void init_r32(struct poly1305_core *st, const uint8_t key[POLY1305_KEY_SIZE]) {
    uint32_t *a = st->a;
    for (int i = 0; i < 5; i++) {
        a[i] = 0;
    }
    a[5] = wgc_load32_le(key) & 0x0fffffffu;
    a[6] = wgc_load32_le(key + 4) & 0x0ffffffcu;
    a[7] = wgc_load32_le(key + 8) & 0x0ffffffcu;
    a[8] = wgc_load32_le(key + 12) & 0x0ffffffcu;
    for (int i = 1; i < 4; i++) {
        a[8 + i] = a[5 + i] + (a[5 + i] >> 2);
    }
}

// Final reduction of the radix 2^32 accumulator and tag = (h + s) mod 2^128.
static void emit_r32(struct poly1305_core *st, uint8_t mac[POLY1305_MAC_SIZE]) {
    uint32_t h[5], g[5];
    uint64_t t;
    for (int i = 0; i < 5; i++) {
        h[i] = st->a[i];
    }
    // Fold bits 130 and up, leaving h < 2^130 + 2^34 < 2p.
    uint32_t c = (h[4] >> 2) * 5;
    h[4] &= 3;
    t = c;
    for (int i = 0; i < 4; i++) {
        t += h[i];
        h[i] = (uint32_t)t;
        t >>= 32;
    }
    h[4] += (uint32_t)t;
    // g = h + 5 - 2^130 when h >= p, selected with a mask.
    t = 5;
    for (int i = 0; i < 4; i++) {
        t += h[i];
        g[i] = (uint32_t)t;
        t >>= 32;
    }
    g[4] = h[4] + (uint32_t)t;
    uint32_t mask = 0u - (g[4] >> 2);  // g[4] >> 2 is 0 or 1
    for (int i = 0; i < 4; i++) {
        h[i] = (h[i] & ~mask) | (g[i] & mask);
    }
    poly1305_tag32(h, st->s, mac);
    wgc_wipe32(h, sizeof(h));
    wgc_wipe32(g, sizeof(g));
}
#endif // !WGC_ASM_ARMV6M
#endif // WGC_OPT_POLY1305

void poly1305_core_init(struct poly1305_core *st, const uint8_t key[POLY1305_KEY_SIZE]) {
    #if WGC_OPT_POLY1305
    st->use_asm = WGC_USE_ASM;
    if (st->use_asm) {
        // The asm path keeps its own copy of r; only s is shared.
        init_opt(st, key);
        for (int i = 0; i < 4; i++) {
            st->s[i] = wgc_load32_le(key + 16 + 4 * i);
        }
        return;
    }
    #endif
    // Clamp r (RFC 8439 §2.5), then split the 128-bit value into 26-bit limbs.
    uint32_t w0 = wgc_load32_le(key) & 0x0fffffffu;
    uint32_t w1 = wgc_load32_le(key + 4) & 0x0ffffffcu;
    uint32_t w2 = wgc_load32_le(key + 8) & 0x0ffffffcu;
    uint32_t w3 = wgc_load32_le(key + 12) & 0x0ffffffcu;
    st->r[0] = w0 & M26;
    st->r[1] = ((w0 >> 26) | (w1 << 6)) & M26;
    st->r[2] = ((w1 >> 20) | (w2 << 12)) & M26;
    st->r[3] = ((w2 >> 14) | (w3 << 18)) & M26;
    st->r[4] = w3 >> 8;
    for (int i = 0; i < 5; i++) {
        st->h[i] = 0;
    }
    for (int i = 0; i < 4; i++) {
        st->s[i] = wgc_load32_le(key + 16 + 4 * i);
    }
}

void poly1305_core_blocks(struct poly1305_core *st, const uint8_t *m, size_t len, uint32_t hibit) {
    #if WGC_OPT_POLY1305
    if (st->use_asm) {
        poly1305_blocks_asm(st->a, m, len / POLY1305_BLOCK_SIZE, hibit);
        return;
    }
    #endif
    const uint32_t r0 = st->r[0], r1 = st->r[1], r2 = st->r[2], r3 = st->r[3], r4 = st->r[4];
    // Products at or above 2^130 wrap around times 5 (2^130 = 5 mod p).
    // Clamping keeps r limbs small enough that 5*r still fits in 32 bits.
    const uint32_t s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
    const uint32_t hb = hibit << 24;  // 2^128 sits at bit 24 of limb 4
    uint32_t h0 = st->h[0], h1 = st->h[1], h2 = st->h[2], h3 = st->h[3], h4 = st->h[4];

    while (len >= POLY1305_BLOCK_SIZE) {
        uint32_t w0 = wgc_load32_le(m);
        uint32_t w1 = wgc_load32_le(m + 4);
        uint32_t w2 = wgc_load32_le(m + 8);
        uint32_t w3 = wgc_load32_le(m + 12);
        h0 += w0 & M26;
        h1 += ((w0 >> 26) | (w1 << 6)) & M26;
        h2 += ((w1 >> 20) | (w2 << 12)) & M26;
        h3 += ((w2 >> 14) | (w3 << 18)) & M26;
        h4 += (w3 >> 8) | hb;

        uint64_t d0 = (uint64_t)h0 * r0 + (uint64_t)h1 * s4 + (uint64_t)h2 * s3 + (uint64_t)h3 * s2 + (uint64_t)h4 * s1;
        uint64_t d1 = (uint64_t)h0 * r1 + (uint64_t)h1 * r0 + (uint64_t)h2 * s4 + (uint64_t)h3 * s3 + (uint64_t)h4 * s2;
        uint64_t d2 = (uint64_t)h0 * r2 + (uint64_t)h1 * r1 + (uint64_t)h2 * r0 + (uint64_t)h3 * s4 + (uint64_t)h4 * s3;
        uint64_t d3 = (uint64_t)h0 * r3 + (uint64_t)h1 * r2 + (uint64_t)h2 * r1 + (uint64_t)h3 * r0 + (uint64_t)h4 * s4;
        uint64_t d4 = (uint64_t)h0 * r4 + (uint64_t)h1 * r3 + (uint64_t)h2 * r2 + (uint64_t)h3 * r1 + (uint64_t)h4 * r0;

        // Partial carry; limbs end up just above 26 bits, which is fine as
        // input to the next multiply.
        uint32_t c;
        c = (uint32_t)(d0 >> 26); h0 = (uint32_t)d0 & M26;
        d1 += c; c = (uint32_t)(d1 >> 26); h1 = (uint32_t)d1 & M26;
        d2 += c; c = (uint32_t)(d2 >> 26); h2 = (uint32_t)d2 & M26;
        d3 += c; c = (uint32_t)(d3 >> 26); h3 = (uint32_t)d3 & M26;
        d4 += c; c = (uint32_t)(d4 >> 26); h4 = (uint32_t)d4 & M26;
        h0 += c * 5; c = h0 >> 26; h0 &= M26;
        h1 += c;

        m += POLY1305_BLOCK_SIZE;
        len -= POLY1305_BLOCK_SIZE;
    }
    st->h[0] = h0;
    st->h[1] = h1;
    st->h[2] = h2;
    st->h[3] = h3;
    st->h[4] = h4;
}

void poly1305_core_emit(struct poly1305_core *st, uint8_t mac[POLY1305_MAC_SIZE]) {
    #if WGC_OPT_POLY1305
    if (st->use_asm) {
        emit_opt(st, mac);
        return;
    }
    #endif
    uint32_t h0 = st->h[0], h1 = st->h[1], h2 = st->h[2], h3 = st->h[3], h4 = st->h[4];
    uint32_t c;

    // Full carry so every limb is within 26 bits.
    c = h1 >> 26; h1 &= M26; h2 += c;
    c = h2 >> 26; h2 &= M26; h3 += c;
    c = h3 >> 26; h3 &= M26; h4 += c;
    c = h4 >> 26; h4 &= M26; h0 += c * 5;
    c = h0 >> 26; h0 &= M26; h1 += c;

    // g = h + 5 - 2^130; keep g when it did not borrow (h >= p), chosen
    // with masks rather than a branch.
    uint32_t g0 = h0 + 5; c = g0 >> 26; g0 &= M26;
    uint32_t g1 = h1 + c; c = g1 >> 26; g1 &= M26;
    uint32_t g2 = h2 + c; c = g2 >> 26; g2 &= M26;
    uint32_t g3 = h3 + c; c = g3 >> 26; g3 &= M26;
    uint32_t g4 = h4 + c - (1u << 26);
    uint32_t mask = (g4 >> 31) - 1;  // all ones when no borrow
    h0 = (h0 & ~mask) | (g0 & mask);
    h1 = (h1 & ~mask) | (g1 & mask);
    h2 = (h2 & ~mask) | (g2 & mask);
    h3 = (h3 & ~mask) | (g3 & mask);
    h4 = (h4 & ~mask) | (g4 & mask);

    // Repack into four 32-bit words (mod 2^128), then add s.
    uint32_t w[4] = {
        h0 | (h1 << 26), (h1 >> 6) | (h2 << 20), (h2 >> 12) | (h3 << 14), (h3 >> 18) | (h4 << 8),
    };
    poly1305_tag32(w, st->s, mac);
    wgc_wipe32(w, sizeof(w));
}

#endif // !WGCRYPTO_C64
