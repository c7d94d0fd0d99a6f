// ChaCha20-Poly1305 AEAD (RFC 8439 §2.8) and XChaCha20-Poly1305
// (draft-irtf-cfrg-xchacha §2.3).
#ifndef WGCRYPTO_CHACHA20POLY1305_H
#define WGCRYPTO_CHACHA20POLY1305_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHACHA20POLY1305_KEY_SIZE (32)
#define CHACHA20POLY1305_NONCE_SIZE (12)
#define XCHACHA20POLY1305_NONCE_SIZE (24)
#define CHACHA20POLY1305_TAG_SIZE (16)

// dst receives src_len bytes of ciphertext followed by the 16-byte tag.
// dst may equal src; ad may live anywhere (it is read before dst is written).
void chacha20poly1305_encrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
    const uint8_t *ad, size_t ad_len,
    const uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE],
    const uint8_t key[CHACHA20POLY1305_KEY_SIZE]);

// src is ciphertext || tag (src_len >= 16); dst receives src_len - 16 bytes.
// The tag is checked before anything is written, so on failure (false) dst
// is untouched.
bool chacha20poly1305_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
    const uint8_t *ad, size_t ad_len,
    const uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE],
    const uint8_t key[CHACHA20POLY1305_KEY_SIZE]);

void xchacha20poly1305_encrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
    const uint8_t *ad, size_t ad_len,
    const uint8_t nonce[XCHACHA20POLY1305_NONCE_SIZE],
    const uint8_t key[CHACHA20POLY1305_KEY_SIZE]);

bool xchacha20poly1305_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
    const uint8_t *ad, size_t ad_len,
    const uint8_t nonce[XCHACHA20POLY1305_NONCE_SIZE],
    const uint8_t key[CHACHA20POLY1305_KEY_SIZE]);

#endif // WGCRYPTO_CHACHA20POLY1305_H
