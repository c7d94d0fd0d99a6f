// ChaCha20 block function, stream XOR and HChaCha20.
// The cipher is pure add/rotate/xor on 32-bit words, so it is constant time
// by construction; there are no tables and no data-dependent branches.

#include "chacha20.h"
#include "wgcrypto_config.h"
#include "wgcrypto_util.h"

#if WGC_OPT_CHACHA20
#if defined(WGC_ASM_THUMB2)
void wgc_chacha20_xor_thumb2(uint32_t state[16], uint8_t *dst, const uint8_t *src, size_t nblocks);
#define chacha20_xor_asm wgc_chacha20_xor_thumb2
#elif defined(WGC_ASM_MIPS32R2)
void wgc_chacha20_xor_mips(uint32_t state[16], uint8_t *dst, const uint8_t *src, size_t nblocks);
#define chacha20_xor_asm wgc_chacha20_xor_mips
#elif defined(WGC_ASM_ARMV6M)
void wgc_chacha20_xor_armv6m(uint32_t state[16], uint8_t *dst, const uint8_t *src, size_t nblocks);
#define chacha20_xor_asm wgc_chacha20_xor_armv6m
#endif
#endif

// "expand 32-byte k" as four little-endian words.
#define CHACHA_C0 (0x61707865u)
#define CHACHA_C1 (0x3320646eu)
#define CHACHA_C2 (0x79622d32u)
#define CHACHA_C3 (0x6b206574u)

#define ROTL32(v, n) (((v) << (n)) | ((v) >> (32 - (n))))

#define QUARTERROUND(a, b, c, d) \
    do { \
        a += b; d ^= a; d = ROTL32(d, 16); \
        c += d; b ^= c; b = ROTL32(b, 12); \
        a += b; d ^= a; d = ROTL32(d, 8); \
        c += d; b ^= c; b = ROTL32(b, 7); \
    } while (0)

// 20 rounds over the state.  Working on sixteen named locals rather than an
// array lets the compiler keep the whole state in registers.
static void chacha20_permute(uint32_t x[16]) {
    uint32_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    uint32_t x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];
    uint32_t x8 = x[8], x9 = x[9], x10 = x[10], x11 = x[11];
    uint32_t x12 = x[12], x13 = x[13], x14 = x[14], x15 = x[15];
    for (int i = 0; i < 10; i++) {
        // column round
        QUARTERROUND(x0, x4, x8, x12);
        QUARTERROUND(x1, x5, x9, x13);
        QUARTERROUND(x2, x6, x10, x14);
        QUARTERROUND(x3, x7, x11, x15);
        // diagonal round
        QUARTERROUND(x0, x5, x10, x15);
        QUARTERROUND(x1, x6, x11, x12);
        QUARTERROUND(x2, x7, x8, x13);
        QUARTERROUND(x3, x4, x9, x14);
    }
    x[0] = x0; x[1] = x1; x[2] = x2; x[3] = x3;
    x[4] = x4; x[5] = x5; x[6] = x6; x[7] = x7;
    x[8] = x8; x[9] = x9; x[10] = x10; x[11] = x11;
    x[12] = x12; x[13] = x13; x[14] = x14; x[15] = x15;
}

static void chacha20_set_key(uint32_t s[16], const uint8_t key[CHACHA20_KEY_SIZE]) {
    s[0] = CHACHA_C0;
    s[1] = CHACHA_C1;
    s[2] = CHACHA_C2;
    s[3] = CHACHA_C3;
    for (int i = 0; i < 8; i++) {
        s[4 + i] = wgc_load32_le(key + 4 * i);
    }
}

void chacha20_init(struct chacha20_ctx *ctx, const uint8_t key[CHACHA20_KEY_SIZE],
    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint32_t counter) {
    chacha20_set_key(ctx->state, key);
    ctx->state[12] = counter;
    ctx->state[13] = wgc_load32_le(nonce);
    ctx->state[14] = wgc_load32_le(nonce + 4);
    ctx->state[15] = wgc_load32_le(nonce + 8);
}

// One block of keystream words: permute a copy, then add the input state
// back in (the feed-forward that makes the function non-invertible).
static void chacha20_block_words(struct chacha20_ctx *ctx, uint32_t ks[16]) {
    for (int i = 0; i < 16; i++) {
        ks[i] = ctx->state[i];
    }
    chacha20_permute(ks);
    for (int i = 0; i < 16; i++) {
        ks[i] += ctx->state[i];
    }
    // RFC 8439 uses a 32-bit counter; it wraps like the reference.
    ctx->state[12]++;
}

#if WGC_OPT_CHACHA20
// keystream = keystream XOR zeros, without clearing the output first.
static const uint32_t zero_block[16];
#endif

void chacha20_keystream_block(struct chacha20_ctx *ctx, uint8_t out[CHACHA20_BLOCK_SIZE]) {
    #if WGC_OPT_CHACHA20
    if (WGC_USE_ASM) {
        chacha20_xor_asm(ctx->state, out, (const uint8_t *)zero_block, 1);
        return;
    }
    #endif
    uint32_t ks[16];
    chacha20_block_words(ctx, ks);
    for (int i = 0; i < 16; i++) {
        wgc_store32_le(out + 4 * i, ks[i]);
    }
    wgc_wipe32(ks, sizeof(ks));
}

void chacha20_xor(struct chacha20_ctx *ctx, uint8_t *dst, const uint8_t *src, size_t len) {
    #if WGC_OPT_CHACHA20
    if (WGC_USE_ASM) {
        size_t n = len / CHACHA20_BLOCK_SIZE;
        chacha20_xor_asm(ctx->state, dst, src, n);
        len -= n * CHACHA20_BLOCK_SIZE;
        if (len > 0) {
            // Last partial block: one block of keystream into a buffer, then
            // XORed in a word at a time while four bytes are left.
            uint32_t buf32[CHACHA20_BLOCK_SIZE / 4];
            uint8_t *buf = (uint8_t *)buf32;
            dst += n * CHACHA20_BLOCK_SIZE;
            src += n * CHACHA20_BLOCK_SIZE;
            chacha20_xor_asm(ctx->state, buf, (const uint8_t *)zero_block, 1);
            size_t i = 0;
            for (; i + 4 <= len; i += 4) {
                wgc_store32_le(dst + i, wgc_load32_le(src + i) ^ wgc_load32_le(buf + i));
            }
            for (; i < len; i++) {
                dst[i] = src[i] ^ buf[i];
            }
            wgc_wipe32(buf32, sizeof(buf32));
        }
        return;
    }
    #endif
    uint32_t ks[16];
    // Whole blocks are XORed a word at a time.
    while (len >= CHACHA20_BLOCK_SIZE) {
        chacha20_block_words(ctx, ks);
        for (int i = 0; i < 16; i++) {
            wgc_store32_le(dst + 4 * i, wgc_load32_le(src + 4 * i) ^ ks[i]);
        }
        dst += CHACHA20_BLOCK_SIZE;
        src += CHACHA20_BLOCK_SIZE;
        len -= CHACHA20_BLOCK_SIZE;
    }
    if (len > 0) {
        uint32_t buf32[CHACHA20_BLOCK_SIZE / 4];
        uint8_t *buf = (uint8_t *)buf32;
        chacha20_block_words(ctx, ks);
        for (int i = 0; i < 16; i++) {
            wgc_store32_le(buf + 4 * i, ks[i]);
        }
        for (size_t i = 0; i < len; i++) {
            dst[i] = src[i] ^ buf[i];
        }
        wgc_wipe32(buf32, sizeof(buf32));
    }
    wgc_wipe32(ks, sizeof(ks));
}

void hchacha20(uint8_t out[HCHACHA20_OUT_SIZE], const uint8_t key[CHACHA20_KEY_SIZE],
    const uint8_t nonce[HCHACHA20_NONCE_SIZE]) {
    uint32_t x[16];
    chacha20_set_key(x, key);
    for (int i = 0; i < 4; i++) {
        x[12 + i] = wgc_load32_le(nonce + 4 * i);
    }
    chacha20_permute(x);
    // No feed-forward: the output is the first and last rows of the
    // permuted state, which keeps it a PRF of the nonce under the key.
    for (int i = 0; i < 4; i++) {
        wgc_store32_le(out + 4 * i, x[i]);
        wgc_store32_le(out + 16 + 4 * i, x[12 + i]);
    }
    wgc_wipe32(x, sizeof(x));
}

void chacha20_wipe(struct chacha20_ctx *ctx) {
    wgc_wipe32(ctx, sizeof(*ctx));
}
