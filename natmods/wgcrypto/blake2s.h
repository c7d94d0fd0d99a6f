// BLAKE2s hash, unkeyed and keyed (RFC 7693).
#ifndef WGCRYPTO_BLAKE2S_H
#define WGCRYPTO_BLAKE2S_H

#include <stddef.h>
#include <stdint.h>

#define BLAKE2S_BLOCK_SIZE (64)
#define BLAKE2S_HASH_SIZE (32)
#define BLAKE2S_KEY_SIZE (32)

struct blake2s_ctx {
    uint32_t h[8];
    uint32_t t[2];  // 64-bit byte counter
    uint8_t buf[BLAKE2S_BLOCK_SIZE];
    size_t buflen;
    size_t outlen;
};

// outlen in 1..32, keylen in 0..32 (callers validate).
void blake2s_init(struct blake2s_ctx *ctx, size_t outlen, const uint8_t *key, size_t keylen);
void blake2s_update(struct blake2s_ctx *ctx, const uint8_t *in, size_t inlen);
// Writes ctx->outlen bytes and wipes the context.
void blake2s_final(struct blake2s_ctx *ctx, uint8_t *out);

void blake2s(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen,
    const uint8_t *key, size_t keylen);

#endif // WGCRYPTO_BLAKE2S_H
