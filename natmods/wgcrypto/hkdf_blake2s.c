// HMAC-BLAKE2s (RFC 2104) and WireGuard's KDF_n (RFC 5869 HKDF as the
// WireGuard paper uses it).  Written from the RFCs; only public lengths and
// the output count steer the code, never key or data bytes.
#include "hkdf_blake2s.h"
#include "blake2s.h"
#include "wgcrypto_util.h"

#define IPAD (0x36)
#define OPAD (0x5c)

// HMAC(key, in1 || in2): the KDF's expand step MACs a previous output and a
// counter byte without copying them together first.
static void hmac2(uint8_t out[HMAC_BLAKE2S_SIZE], const uint8_t *key, size_t keylen,
    const uint8_t *in1, size_t len1, const uint8_t *in2, size_t len2) {
    struct blake2s_ctx ctx;
    uint8_t pad[BLAKE2S_BLOCK_SIZE];
    uint8_t inner[BLAKE2S_HASH_SIZE];
    uint8_t khash[BLAKE2S_HASH_SIZE];
    if (keylen > BLAKE2S_BLOCK_SIZE) {
        blake2s(khash, BLAKE2S_HASH_SIZE, key, keylen, NULL, 0);
        key = khash;
        keylen = BLAKE2S_HASH_SIZE;
    }
    for (size_t i = 0; i < keylen; i++) {
        pad[i] = key[i] ^ IPAD;
    }
    for (size_t i = keylen; i < BLAKE2S_BLOCK_SIZE; i++) {
        pad[i] = IPAD;
    }
    blake2s_init(&ctx, BLAKE2S_HASH_SIZE, NULL, 0);
    blake2s_update(&ctx, pad, BLAKE2S_BLOCK_SIZE);
    blake2s_update(&ctx, in1, len1);
    blake2s_update(&ctx, in2, len2);
    blake2s_final(&ctx, inner);
    // key ^ ipad ^ (ipad ^ opad) = key ^ opad, over the whole block.
    for (size_t i = 0; i < BLAKE2S_BLOCK_SIZE; i++) {
        pad[i] ^= IPAD ^ OPAD;
    }
    blake2s_init(&ctx, BLAKE2S_HASH_SIZE, NULL, 0);
    blake2s_update(&ctx, pad, BLAKE2S_BLOCK_SIZE);
    blake2s_update(&ctx, inner, BLAKE2S_HASH_SIZE);
    blake2s_final(&ctx, out);
    wgc_memzero(pad, sizeof(pad));
    wgc_memzero(inner, sizeof(inner));
    wgc_memzero(khash, sizeof(khash));
}

void hmac_blake2s(uint8_t out[HMAC_BLAKE2S_SIZE], const uint8_t *key, size_t keylen,
    const uint8_t *in, size_t inlen) {
    hmac2(out, key, keylen, in, inlen, NULL, 0);
}

void wg_kdf(uint8_t *out, size_t n, const uint8_t *key, size_t keylen, const uint8_t *in, size_t inlen) {
    uint8_t t0[HMAC_BLAKE2S_SIZE];
    uint8_t ctr;
    hmac2(t0, key, keylen, in, inlen, NULL, 0);
    for (size_t i = 1; i <= n; i++) {
        uint8_t *t = out + (i - 1) * HMAC_BLAKE2S_SIZE;
        ctr = (uint8_t)i;
        if (i == 1) {
            hmac2(t, t0, sizeof(t0), &ctr, 1, NULL, 0);
        } else {
            hmac2(t, t0, sizeof(t0), t - HMAC_BLAKE2S_SIZE, HMAC_BLAKE2S_SIZE, &ctr, 1);
        }
    }
    wgc_memzero(t0, sizeof(t0));
}
