// ChaCha20-Poly1305 AEAD construction on top of chacha20.c and poly1305.c.

#include "chacha20poly1305.h"
#include "chacha20.h"
#include "poly1305.h"
#include "wgcrypto_util.h"

static const uint8_t pad0[16] = { 0 };

// Block 0 of the keystream supplies the one-time Poly1305 key; the payload
// is encrypted starting from block 1.
static void aead_setup(struct chacha20_ctx *chacha, struct poly1305_ctx *poly,
    const uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE],
    const uint8_t key[CHACHA20POLY1305_KEY_SIZE]) {
    uint32_t block0[CHACHA20_BLOCK_SIZE / 4];
    chacha20_init(chacha, key, nonce, 0);
    chacha20_keystream_block(chacha, (uint8_t *)block0);
    poly1305_init(poly, (const uint8_t *)block0);
    wgc_wipe32(block0, sizeof(block0));
}

static void mac_padded(struct poly1305_ctx *poly, const uint8_t *m, size_t len) {
    if (len > 0) {
        poly1305_update(poly, m, len);
        poly1305_update(poly, pad0, (16 - (len & 15)) & 15);
    }
}

// The MAC input after the padded associated data: the whole 16-byte blocks
// of ciphertext straight from the buffer, then its last partial block
// zero-padded and the lengths block together in one update.
static void mac_ct_lengths(struct poly1305_ctx *poly, const uint8_t *ct, size_t ct_len,
    size_t ad_len) {
    uint32_t tail32[8];
    uint8_t *tail = (uint8_t *)tail32;
    size_t full = ct_len & ~(size_t)15;
    size_t n = 0;
    poly1305_update(poly, ct, full);
    if (full < ct_len) {
        tail32[0] = tail32[1] = tail32[2] = tail32[3] = 0;
        for (size_t i = 0; i < ct_len - full; i++) {
            tail[i] = ct[full + i];
        }
        n = 16;
    }
    wgc_store64_le(tail + n, (uint64_t)ad_len);
    wgc_store64_le(tail + n + 8, (uint64_t)ct_len);
    poly1305_update(poly, tail, n + 16);
}

void chacha20poly1305_encrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
    const uint8_t *ad, size_t ad_len,
    const uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE],
    const uint8_t key[CHACHA20POLY1305_KEY_SIZE]) {
    struct chacha20_ctx chacha;
    struct poly1305_ctx poly;
    aead_setup(&chacha, &poly, nonce, key);
    mac_padded(&poly, ad, ad_len);
    chacha20_xor(&chacha, dst, src, src_len);
    mac_ct_lengths(&poly, dst, src_len, ad_len);
    poly1305_final(&poly, dst + src_len);
    chacha20_wipe(&chacha);
}

bool chacha20poly1305_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
    const uint8_t *ad, size_t ad_len,
    const uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE],
    const uint8_t key[CHACHA20POLY1305_KEY_SIZE]) {
    struct chacha20_ctx chacha;
    struct poly1305_ctx poly;
    uint8_t tag[CHACHA20POLY1305_TAG_SIZE];
    if (src_len < CHACHA20POLY1305_TAG_SIZE) {
        return false;
    }
    size_t ct_len = src_len - CHACHA20POLY1305_TAG_SIZE;
    aead_setup(&chacha, &poly, nonce, key);
    mac_padded(&poly, ad, ad_len);
    mac_ct_lengths(&poly, src, ct_len, ad_len);
    poly1305_final(&poly, tag);
    // Authenticate first: unauthenticated plaintext is never released.
    bool ok = wgc_ct_equal(tag, src + ct_len, CHACHA20POLY1305_TAG_SIZE);
    WGC_DECLASSIFY(&ok, sizeof(ok));
    if (ok) {
        chacha20_xor(&chacha, dst, src, ct_len);
    }
    chacha20_wipe(&chacha);
    wgc_memzero(tag, sizeof(tag));
    return ok;
}

// XChaCha20: derive a subkey from the first 16 nonce bytes with HChaCha20,
// then run the normal AEAD with nonce = 0^4 || last 8 nonce bytes.
static void xchacha_derive(uint8_t subkey[CHACHA20POLY1305_KEY_SIZE],
    uint8_t nonce12[CHACHA20POLY1305_NONCE_SIZE],
    const uint8_t nonce[XCHACHA20POLY1305_NONCE_SIZE],
    const uint8_t key[CHACHA20POLY1305_KEY_SIZE]) {
    hchacha20(subkey, key, nonce);
    for (int i = 0; i < 4; i++) {
        nonce12[i] = 0;
    }
    for (int i = 0; i < 8; i++) {
        nonce12[4 + i] = nonce[16 + i];
    }
}

void xchacha20poly1305_encrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
    const uint8_t *ad, size_t ad_len,
    const uint8_t nonce[XCHACHA20POLY1305_NONCE_SIZE],
    const uint8_t key[CHACHA20POLY1305_KEY_SIZE]) {
    uint8_t subkey[CHACHA20POLY1305_KEY_SIZE];
    uint8_t nonce12[CHACHA20POLY1305_NONCE_SIZE];
    xchacha_derive(subkey, nonce12, nonce, key);
    chacha20poly1305_encrypt(dst, src, src_len, ad, ad_len, nonce12, subkey);
    wgc_memzero(subkey, sizeof(subkey));
}

bool xchacha20poly1305_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
    const uint8_t *ad, size_t ad_len,
    const uint8_t nonce[XCHACHA20POLY1305_NONCE_SIZE],
    const uint8_t key[CHACHA20POLY1305_KEY_SIZE]) {
    uint8_t subkey[CHACHA20POLY1305_KEY_SIZE];
    uint8_t nonce12[CHACHA20POLY1305_NONCE_SIZE];
    xchacha_derive(subkey, nonce12, nonce, key);
    bool ok = chacha20poly1305_decrypt(dst, src, src_len, ad, ad_len, nonce12, subkey);
    wgc_memzero(subkey, sizeof(subkey));
    return ok;
}
