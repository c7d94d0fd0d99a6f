// Poly1305 message buffering; the arithmetic lives in poly1305_c32.c and
// poly1305_c64.c.  Lengths are public, so branching on them is fine.

#include "poly1305.h"
#include "wgcrypto_util.h"

void poly1305_init(struct poly1305_ctx *ctx, const uint8_t key[POLY1305_KEY_SIZE]) {
    poly1305_core_init(&ctx->core, key);
    ctx->num = 0;
}

void poly1305_update(struct poly1305_ctx *ctx, const uint8_t *m, size_t len) {
    if (ctx->num > 0) {
        size_t take = POLY1305_BLOCK_SIZE - ctx->num;
        if (take > len) {
            take = len;
        }
        for (size_t i = 0; i < take; i++) {
            ctx->buf[ctx->num + i] = m[i];
        }
        ctx->num += take;
        m += take;
        len -= take;
        if (ctx->num < POLY1305_BLOCK_SIZE) {
            return;
        }
        poly1305_core_blocks(&ctx->core, ctx->buf, POLY1305_BLOCK_SIZE, 1);
        ctx->num = 0;
    }
    size_t full = len & ~(size_t)(POLY1305_BLOCK_SIZE - 1);
    if (full > 0) {
        poly1305_core_blocks(&ctx->core, m, full, 1);
        m += full;
        len -= full;
    }
    for (size_t i = 0; i < len; i++) {
        ctx->buf[i] = m[i];
    }
    ctx->num = len;
}

void poly1305_final(struct poly1305_ctx *ctx, uint8_t mac[POLY1305_MAC_SIZE]) {
    if (ctx->num > 0) {
        // A short final block is padded with a single 1 byte and zeros, and
        // then processed without the implicit 2^128 bit.
        ctx->buf[ctx->num] = 1;
        for (size_t i = ctx->num + 1; i < POLY1305_BLOCK_SIZE; i++) {
            ctx->buf[i] = 0;
        }
        poly1305_core_blocks(&ctx->core, ctx->buf, POLY1305_BLOCK_SIZE, 0);
    }
    poly1305_core_emit(&ctx->core, mac);
    wgc_wipe32(ctx, sizeof(*ctx));
}
