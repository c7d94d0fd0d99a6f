// Small helpers shared by the primitives: endian-independent loads/stores,
// secret wiping and constant-time comparison.
#ifndef WGCRYPTO_UTIL_H
#define WGCRYPTO_UTIL_H

#include <stddef.h>
#include <stdint.h>

// Byte-wise loads/stores work on any alignment and endianness; compilers turn
// them into single moves on little-endian targets that allow unaligned access.
static inline uint32_t wgc_load32_le(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void wgc_store32_le(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t wgc_load64_le(const uint8_t *p) {
    return (uint64_t)wgc_load32_le(p) | ((uint64_t)wgc_load32_le(p + 4) << 32);
}

static inline void wgc_store64_le(uint8_t *p, uint64_t v) {
    wgc_store32_le(p, (uint32_t)v);
    wgc_store32_le(p + 4, (uint32_t)(v >> 32));
}

// A plain memset of a buffer that is never read again may be removed by the
// optimiser; writing through a volatile pointer may not.
static inline void wgc_memzero(void *p, size_t n) {
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n--) {
        *v++ = 0;
    }
}

// The same a word per store, for word-aligned buffers wiped on every call
// (AEAD contexts and blocks): byte stores there cost about 1,500 instructions
// per message on Cortex-M.  p must be 4-byte aligned, n a multiple of 4.
static inline void wgc_wipe32(void *p, size_t n) {
    volatile uint32_t *v = (volatile uint32_t *)p;
    for (size_t i = 0; i < n / 4; i++) {
        v[i] = 0;
    }
}

// The constant-time check runs the library under valgrind memcheck with every
// secret marked undefined: any branch or index on a secret is then reported.
// A tag check's accept/reject outcome is public by design and is declared so here.
#ifdef WGCRYPTO_CT_CHECK
#include <valgrind/memcheck.h>
#define WGC_DECLASSIFY(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define WGC_DECLASSIFY(p, n) ((void)0)
#endif

// Returns 1 when equal, 0 otherwise; time depends only on n.
static inline int wgc_ct_equal(const uint8_t *a, const uint8_t *b, size_t n) {
    uint32_t d = 0;
    for (size_t i = 0; i < n; i++) {
        d |= (uint32_t)(a[i] ^ b[i]);
    }
    // d is in 0..255; (d - 1) >> 8 has its low bit set only when d == 0.
    return (int)(((d - 1) >> 8) & 1);
}

// Returns 1 when all n bytes are zero, 0 otherwise; time depends only on n.
static inline int wgc_ct_is_zero(const uint8_t *a, size_t n) {
    uint32_t d = 0;
    for (size_t i = 0; i < n; i++) {
        d |= a[i];
    }
    return (int)(((d - 1) >> 8) & 1);
}

#endif // WGCRYPTO_UTIL_H
