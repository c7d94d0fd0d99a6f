// BLAKE2s (RFC 7693 §3).  Message word selection uses the public round
// number only, so the function has no secret-dependent indexing.

#include "blake2s.h"
#include "wgcrypto_util.h"

// Same initial values as SHA-256 (RFC 7693 §2.6).
static const uint32_t blake2s_iv[8] = {
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};

// Message schedule permutations (RFC 7693 §2.7).
static const uint8_t blake2s_sigma[10][16] = {
    { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
    { 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
    { 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
    { 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
    { 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
    { 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
    { 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
    { 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
    { 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
    { 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

#define ROTR32(v, n) (((v) >> (n)) | ((v) << (32 - (n))))

#define G(a, b, c, d, x, y) \
    do { \
        a = a + b + (x); d = ROTR32(d ^ a, 16); \
        c = c + d;       b = ROTR32(b ^ c, 12); \
        a = a + b + (y); d = ROTR32(d ^ a, 8); \
        c = c + d;       b = ROTR32(b ^ c, 7); \
    } while (0)

static void blake2s_compress(struct blake2s_ctx *ctx, const uint8_t block[BLAKE2S_BLOCK_SIZE],
    uint32_t inc, int last) {
    uint32_t m[16], v[16];

    // The counter counts message bytes, including this block.
    ctx->t[0] += inc;
    ctx->t[1] += (ctx->t[0] < inc);

    for (int i = 0; i < 16; i++) {
        m[i] = wgc_load32_le(block + 4 * i);
    }
    for (int i = 0; i < 8; i++) {
        v[i] = ctx->h[i];
        v[8 + i] = blake2s_iv[i];
    }
    v[12] ^= ctx->t[0];
    v[13] ^= ctx->t[1];
    if (last) {
        v[14] = ~v[14];
    }
    for (int r = 0; r < 10; r++) {
        const uint8_t *s = blake2s_sigma[r];
        G(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
        G(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
        G(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
        G(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
        G(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
        G(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
        G(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
        G(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) {
        ctx->h[i] ^= v[i] ^ v[8 + i];
    }
    wgc_memzero(m, sizeof(m));
    wgc_memzero(v, sizeof(v));
}

void blake2s_init(struct blake2s_ctx *ctx, size_t outlen, const uint8_t *key, size_t keylen) {
    for (int i = 0; i < 8; i++) {
        ctx->h[i] = blake2s_iv[i];
    }
    // Parameter block word 0: digest length, key length, fanout 1, depth 1.
    ctx->h[0] ^= 0x01010000u ^ ((uint32_t)keylen << 8) ^ (uint32_t)outlen;
    ctx->t[0] = 0;
    ctx->t[1] = 0;
    ctx->buflen = 0;
    ctx->outlen = outlen;
    if (keylen > 0) {
        // The key, zero padded to a full block, is hashed as the first block.
        for (size_t i = 0; i < BLAKE2S_BLOCK_SIZE; i++) {
            ctx->buf[i] = i < keylen ? key[i] : 0;
        }
        ctx->buflen = BLAKE2S_BLOCK_SIZE;
    }
}

void blake2s_update(struct blake2s_ctx *ctx, const uint8_t *in, size_t inlen) {
    // A full buffer is only compressed once more input arrives, because the
    // final block must be compressed with the "last" flag.
    while (inlen > 0) {
        if (ctx->buflen == BLAKE2S_BLOCK_SIZE) {
            blake2s_compress(ctx, ctx->buf, BLAKE2S_BLOCK_SIZE, 0);
            ctx->buflen = 0;
        }
        if (ctx->buflen == 0) {
            // Compress directly from the input while more than a block remains.
            while (inlen > BLAKE2S_BLOCK_SIZE) {
                blake2s_compress(ctx, in, BLAKE2S_BLOCK_SIZE, 0);
                in += BLAKE2S_BLOCK_SIZE;
                inlen -= BLAKE2S_BLOCK_SIZE;
            }
        }
        size_t take = BLAKE2S_BLOCK_SIZE - ctx->buflen;
        if (take > inlen) {
            take = inlen;
        }
        for (size_t i = 0; i < take; i++) {
            ctx->buf[ctx->buflen + i] = in[i];
        }
        ctx->buflen += take;
        in += take;
        inlen -= take;
    }
}

void blake2s_final(struct blake2s_ctx *ctx, uint8_t *out) {
    uint8_t digest[BLAKE2S_HASH_SIZE];
    for (size_t i = ctx->buflen; i < BLAKE2S_BLOCK_SIZE; i++) {
        ctx->buf[i] = 0;
    }
    blake2s_compress(ctx, ctx->buf, (uint32_t)ctx->buflen, 1);
    for (int i = 0; i < 8; i++) {
        wgc_store32_le(digest + 4 * i, ctx->h[i]);
    }
    for (size_t i = 0; i < ctx->outlen; i++) {
        out[i] = digest[i];
    }
    wgc_memzero(digest, sizeof(digest));
    wgc_memzero(ctx, sizeof(*ctx));
}

void blake2s(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen,
    const uint8_t *key, size_t keylen) {
    struct blake2s_ctx ctx;
    blake2s_init(&ctx, outlen, key, keylen);
    blake2s_update(&ctx, in, inlen);
    blake2s_final(&ctx, out);
}
