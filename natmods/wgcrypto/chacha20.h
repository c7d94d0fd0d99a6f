// ChaCha20 stream cipher (RFC 8439 §2.3-2.4) and HChaCha20
// (draft-irtf-cfrg-xchacha §2.2).
#ifndef WGCRYPTO_CHACHA20_H
#define WGCRYPTO_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY_SIZE (32)
#define CHACHA20_NONCE_SIZE (12)
#define CHACHA20_BLOCK_SIZE (64)
#define HCHACHA20_NONCE_SIZE (16)
#define HCHACHA20_OUT_SIZE (32)

struct chacha20_ctx {
    // constants, key, 32-bit block counter, 96-bit nonce
    uint32_t state[16];
};

void chacha20_init(struct chacha20_ctx *ctx, const uint8_t key[CHACHA20_KEY_SIZE],
    const uint8_t nonce[CHACHA20_NONCE_SIZE], uint32_t counter);

// Writes one 64-byte keystream block for the current counter and advances it.
void chacha20_keystream_block(struct chacha20_ctx *ctx, uint8_t out[CHACHA20_BLOCK_SIZE]);

// dst = src ^ keystream.  dst may equal src but must not otherwise overlap.
// Every call starts on a block boundary, so only the last call of a message
// may have a length that is not a multiple of 64.
void chacha20_xor(struct chacha20_ctx *ctx, uint8_t *dst, const uint8_t *src, size_t len);

void hchacha20(uint8_t out[HCHACHA20_OUT_SIZE], const uint8_t key[CHACHA20_KEY_SIZE],
    const uint8_t nonce[HCHACHA20_NONCE_SIZE]);

void chacha20_wipe(struct chacha20_ctx *ctx);

#endif // WGCRYPTO_CHACHA20_H
