// X25519 with eight 32-bit limbs (radix 2^32) for CPUs with a fast
// assembly field multiplication (curve25519_umaal.S).  The ladder matches
// curve25519.c; elements are any value below 2^256, reduced mod
// p = 2^255 - 19 only in fe32_tobytes.  Additions and subtractions fold
// their carry or borrow out of bit 256 back in as 38 (2^256 = 38 mod p),
// with masks and arithmetic only: nothing branches on or indexes by data.

#include "curve25519.h"
#include "wgcrypto_config.h"
#include "wgcrypto_util.h"

#if WGC_OPT_X25519

#include "curve25519_r32.h"

#if defined(WGC_ASM_UMAAL)
void wgc_fe32_mul_umaal(uint32_t out[8], const uint32_t a[8], const uint32_t b[8]);
#define fe32_mul wgc_fe32_mul_umaal
#elif defined(WGC_ASM_ARMV6M)
// Cortex-M0: a dedicated square (curve25519_armv6m.S) saves about a third.
void wgc_fe32_mul_armv6m(uint32_t out[8], const uint32_t a[8], const uint32_t b[8]);
void wgc_fe32_sq_armv6m(uint32_t out[8], const uint32_t a[8]);
#define fe32_mul wgc_fe32_mul_armv6m
#define FE32_SQ_ASM wgc_fe32_sq_armv6m
#elif defined(WGC_ASM_UMLAL)
void wgc_fe32_mul_umlal(uint32_t out[8], const uint32_t a[8], const uint32_t b[8]);
#define fe32_mul wgc_fe32_mul_umlal
#elif defined(WGC_ASM_MIPS32R2)
void wgc_fe32_mul_mips(uint32_t out[8], const uint32_t a[8], const uint32_t b[8]);
#define fe32_mul wgc_fe32_mul_mips
// 36 products instead of 64 (curve25519_sq_mips.S): about 16% fewer instructions per square.
void wgc_fe32_sq_mips(uint32_t out[8], const uint32_t a[8]);
#define FE32_SQ_ASM wgc_fe32_sq_mips
#endif

#if defined(WGC_ASM_UMAAL) || defined(WGC_ASM_UMLAL)
// Thumb-2: 28 products instead of 64 (curve25519_sq32.S).
void wgc_fe32_sq_thumb2(uint32_t out[8], const uint32_t a[8]);
#define FE32_SQ_ASM wgc_fe32_sq_thumb2
#endif

typedef uint32_t fe32[8];

static void fe32_sq(uint32_t h[8], const uint32_t f[8]) {
    #if defined(FE32_SQ_ASM)
    FE32_SQ_ASM(h, f);
    #else
    fe32_mul(h, f, f);
    #endif
}

#if defined(WGC_ASM_FE32_THUMB2) || defined(WGC_ASM_ARMV6M)
// curve25519_fe32_thumb2.S (curve25519_armv6m.S on ARMv6-M), with the same
// contracts as the C versions below.
void wgc_fe32_add(uint32_t h[8], const uint32_t f[8], const uint32_t g[8]);
void wgc_fe32_sub(uint32_t h[8], const uint32_t f[8], const uint32_t g[8]);
void wgc_fe32_mul121665(uint32_t h[8], const uint32_t f[8]);
void wgc_fe32_cswap(uint32_t f[8], uint32_t g[8], uint32_t swap);
#define fe32_add wgc_fe32_add
#define fe32_sub wgc_fe32_sub
#define fe32_mul121665 wgc_fe32_mul121665
#define fe32_cswap wgc_fe32_cswap
#else

// Adds 38 * c (c small) into h; a carry out of bit 256 can only happen when
// the sum wraps to a tiny value, so a second fold of 38 cannot carry again.
static void fold38(uint32_t h[8], uint32_t c) {
    uint64_t t = (uint64_t)c * 38;
    for (int i = 0; i < 8; i++) {
        t += h[i];
        h[i] = (uint32_t)t;
        t >>= 32;
    }
    h[0] += (uint32_t)t * 38;
}

static void fe32_add(uint32_t h[8], const uint32_t f[8], const uint32_t g[8]) {
    uint64_t t = 0;
    for (int i = 0; i < 8; i++) {
        t += (uint64_t)f[i] + g[i];
        h[i] = (uint32_t)t;
        t >>= 32;
    }
    fold38(h, (uint32_t)t);
}

// h = f - g: a borrow out of bit 256 means 2^256 was added, so 38 is taken
// away (twice at most, the second time only from a value near 2^256).
static void fe32_sub(uint32_t h[8], const uint32_t f[8], const uint32_t g[8]) {
    int64_t t = 0;
    for (int i = 0; i < 8; i++) {
        t += (int64_t)f[i] - g[i];
        h[i] = (uint32_t)t;
        t >>= 32;  // arithmetic: 0 or -1
    }
    t = (int64_t)(uint32_t)h[0] - (38 & (uint32_t)t);
    h[0] = (uint32_t)t;
    t >>= 32;
    for (int i = 1; i < 8; i++) {
        t += h[i];
        h[i] = (uint32_t)t;
        t >>= 32;
    }
    h[0] -= 38 & (uint32_t)t;
}

static void fe32_mul121665(uint32_t h[8], const uint32_t f[8]) {
    uint64_t t = 0;
    for (int i = 0; i < 8; i++) {
        t += (uint64_t)f[i] * 121665;
        h[i] = (uint32_t)t;
        t >>= 32;
    }
    fold38(h, (uint32_t)t);
}

static void fe32_cswap(uint32_t f[8], uint32_t g[8], uint32_t swap) {
    const uint32_t mask = 0u - swap;
    for (int i = 0; i < 8; i++) {
        uint32_t x = (f[i] ^ g[i]) & mask;
        f[i] ^= x;
        g[i] ^= x;
    }
}

#endif // WGC_ASM_FE32_THUMB2 || WGC_ASM_ARMV6M

static void fe32_sq_n(uint32_t h[8], const uint32_t f[8], int n) {
    fe32_sq(h, f);
    for (int i = 1; i < n; i++) {
        fe32_sq(h, h);
    }
}

// z^(p - 2), the same fixed chain as curve25519.c.
static void fe32_invert(uint32_t out[8], const uint32_t z[8]) {
    fe32 t0, t1, t2, t3;
    fe32_sq(t0, z);
    fe32_sq_n(t1, t0, 2);
    fe32_mul(t1, z, t1);
    fe32_mul(t0, t0, t1);
    fe32_sq(t2, t0);
    fe32_mul(t1, t1, t2);
    fe32_sq_n(t2, t1, 5);
    fe32_mul(t1, t2, t1);
    fe32_sq_n(t2, t1, 10);
    fe32_mul(t2, t2, t1);
    fe32_sq_n(t3, t2, 20);
    fe32_mul(t2, t3, t2);
    fe32_sq_n(t2, t2, 10);
    fe32_mul(t1, t2, t1);
    fe32_sq_n(t2, t1, 50);
    fe32_mul(t2, t2, t1);
    fe32_sq_n(t3, t2, 100);
    fe32_mul(t2, t3, t2);
    fe32_sq_n(t2, t2, 50);
    fe32_mul(t1, t2, t1);
    fe32_sq_n(t1, t1, 5);
    fe32_mul(out, t1, t0);
    wgc_memzero(t0, sizeof(t0));
    wgc_memzero(t1, sizeof(t1));
    wgc_memzero(t2, sizeof(t2));
    wgc_memzero(t3, sizeof(t3));
}

// Fully reduced little-endian bytes of h < 2^256.
static void fe32_tobytes(uint8_t s[32], const uint32_t f[8]) {
    uint32_t h[8], g[8];
    uint64_t t;
    // Fold bit 255: h < 2^255 + 19 * 2 after this.
    t = (uint64_t)(f[7] >> 31) * 19;
    for (int i = 0; i < 8; i++) {
        t += (i == 7) ? (f[7] & 0x7fffffffu) : f[i];
        h[i] = (uint32_t)t;
        t >>= 32;
    }
    // Once more in case that carried into bit 255 (h then tiny).
    t = (uint64_t)(h[7] >> 31) * 19;
    h[7] &= 0x7fffffffu;
    for (int i = 0; i < 8; i++) {
        t += h[i];
        h[i] = (uint32_t)t;
        t >>= 32;
    }
    // h < 2^255; h >= p exactly when h + 19 reaches bit 255.
    t = 19;
    for (int i = 0; i < 8; i++) {
        t += h[i];
        g[i] = (uint32_t)t;
        t >>= 32;
    }
    uint32_t mask = 0u - (g[7] >> 31);
    g[7] &= 0x7fffffffu;
    for (int i = 0; i < 8; i++) {
        wgc_store32_le(s + 4 * i, (h[i] & ~mask) | (g[i] & mask));
    }
    wgc_memzero(h, sizeof(h));
    wgc_memzero(g, sizeof(g));
}

void curve25519_r32(uint8_t out[CURVE25519_KEY_SIZE], const uint8_t scalar[CURVE25519_KEY_SIZE],
    const uint8_t point[CURVE25519_KEY_SIZE]) {
    uint8_t e[32];
    fe32 x1, x2, z2, x3, z3, a, aa, b, bb, c, d, ee, da, cb;

    for (int i = 0; i < 32; i++) {
        e[i] = scalar[i];
    }
    e[0] &= 248;
    e[31] &= 127;
    e[31] |= 64;

    for (int i = 0; i < 8; i++) {
        x1[i] = wgc_load32_le(point + 4 * i);
        x2[i] = 0;
        z2[i] = 0;
        z3[i] = 0;
    }
    x1[7] &= 0x7fffffffu;  // the top bit of u is ignored
    x2[0] = 1;
    z3[0] = 1;
    for (int i = 0; i < 8; i++) {
        x3[i] = x1[i];
    }

    uint32_t swap = 0;
    for (int t = 254; t >= 0; t--) {
        uint32_t k_t = (e[t >> 3] >> (t & 7)) & 1;
        swap ^= k_t;
        fe32_cswap(x2, x3, swap);
        fe32_cswap(z2, z3, swap);
        swap = k_t;

        fe32_add(a, x2, z2);
        fe32_sq(aa, a);
        fe32_sub(b, x2, z2);
        fe32_sq(bb, b);
        fe32_sub(ee, aa, bb);
        fe32_add(c, x3, z3);
        fe32_sub(d, x3, z3);
        fe32_mul(da, d, a);
        fe32_mul(cb, c, b);
        fe32_add(x3, da, cb);
        fe32_sq(x3, x3);
        fe32_sub(z3, da, cb);
        fe32_sq(z3, z3);
        fe32_mul(z3, x1, z3);
        fe32_mul(x2, aa, bb);
        fe32_mul121665(a, ee);
        fe32_add(a, aa, a);
        fe32_mul(z2, ee, a);
    }
    fe32_cswap(x2, x3, swap);
    fe32_cswap(z2, z3, swap);

    fe32_invert(z2, z2);
    fe32_mul(x2, x2, z2);
    fe32_tobytes(out, x2);

    wgc_memzero(e, sizeof(e));
    wgc_memzero(x2, sizeof(x2));
    wgc_memzero(z2, sizeof(z2));
    wgc_memzero(x3, sizeof(x3));
    wgc_memzero(z3, sizeof(z3));
    wgc_memzero(a, sizeof(a));
    wgc_memzero(aa, sizeof(aa));
    wgc_memzero(b, sizeof(b));
    wgc_memzero(bb, sizeof(bb));
    wgc_memzero(ee, sizeof(ee));
    wgc_memzero(da, sizeof(da));
    wgc_memzero(cb, sizeof(cb));
}

#endif // WGC_OPT_X25519
