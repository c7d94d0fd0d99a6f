// Poly1305 one-time authenticator (RFC 8439 §2.5).
#ifndef WGCRYPTO_POLY1305_H
#define WGCRYPTO_POLY1305_H

#include <stddef.h>
#include <stdint.h>

#include "wgcrypto_config.h"
#include "wgcrypto_util.h"

#define POLY1305_KEY_SIZE (32)
#define POLY1305_BLOCK_SIZE (16)
#define POLY1305_MAC_SIZE (16)

// Width-specific accumulator state, implemented by poly1305_c32.c or
// poly1305_c64.c (only the one selected by wgcrypto_config.h has a body).
struct poly1305_core {
    #if WGCRYPTO_C64
    uint64_t r[3];  // clamped key r, 44/44/40-bit limbs
    uint64_t h[3];  // accumulator, 44/44/42-bit limbs
    uint64_t s[2];  // final pad s
    #else
    uint32_t r[5];  // 26-bit limbs
    uint32_t h[5];
    uint32_t s[4];
    #if WGC_OPT_POLY1305
    #if defined(WGC_ASM_ARMV6M)
    // Optimized path, radix 2^13 (poly1305_r13.c): h0..h9, 5*r1..5*r9, r0..r9.
    uint32_t a[29];
    #else
    // Optimized path, radix 2^32: h0..h4, r0..r3, s1..s3 (s_i = r_i + r_i / 4).
    uint32_t a[12];
    #endif
    uint32_t use_asm;  // path chosen at init, kept for the whole message
    #endif
    #endif
};

struct poly1305_ctx {
    struct poly1305_core core;
    uint8_t buf[POLY1305_BLOCK_SIZE];  // pending partial block
    size_t num;                        // bytes in buf
};

void poly1305_init(struct poly1305_ctx *ctx, const uint8_t key[POLY1305_KEY_SIZE]);
void poly1305_update(struct poly1305_ctx *ctx, const uint8_t *m, size_t len);
// Writes the tag and wipes the context.
void poly1305_final(struct poly1305_ctx *ctx, uint8_t mac[POLY1305_MAC_SIZE]);

// Core interface used by poly1305.c.
void poly1305_core_init(struct poly1305_core *st, const uint8_t key[POLY1305_KEY_SIZE]);
// len is a multiple of 16; hibit is 1 for full message blocks, 0 for the
// already padded final partial block.
void poly1305_core_blocks(struct poly1305_core *st, const uint8_t *m, size_t len, uint32_t hibit);
void poly1305_core_emit(struct poly1305_core *st, uint8_t mac[POLY1305_MAC_SIZE]);

#if !WGCRYPTO_C64
// Tag = (h + s) mod 2^128, from h mod p as four little-endian words; the
// last step of every 32-bit path (26-bit, radix 2^32 and radix 2^13 limbs).
static inline void poly1305_tag32(const uint32_t h[4], const uint32_t s[4], uint8_t mac[POLY1305_MAC_SIZE]) {
    uint64_t f = 0;
    for (int i = 0; i < 4; i++) {
        f += (uint64_t)h[i] + s[i];
        wgc_store32_le(mac + 4 * i, (uint32_t)f);
        f >>= 32;
    }
}
#endif

#endif // WGCRYPTO_POLY1305_H
