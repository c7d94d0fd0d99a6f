// HMAC-BLAKE2s and WireGuard's KDF (HKDF over HMAC-BLAKE2s, the WireGuard
// paper section 5.4), so the protocol engine needs no byte loops of its own.
#ifndef WGCRYPTO_HKDF_BLAKE2S_H
#define WGCRYPTO_HKDF_BLAKE2S_H

#include <stddef.h>
#include <stdint.h>

#define HMAC_BLAKE2S_SIZE (32)
#define WG_KDF_MAX_OUTPUTS (3)

// RFC 2104 HMAC with BLAKE2s-256 (64-byte block).  Keys longer than a block
// are hashed first, as RFC 2104 says.
void hmac_blake2s(uint8_t out[HMAC_BLAKE2S_SIZE], const uint8_t *key, size_t keylen,
    const uint8_t *in, size_t inlen);

// KDF_n(key, in): n (1..WG_KDF_MAX_OUTPUTS, callers validate) outputs of 32
// bytes written one after the other to out.  With t0 = HMAC(key, in):
// t1 = HMAC(t0, 0x1), t_i = HMAC(t0, t_{i-1} || i).
void wg_kdf(uint8_t *out, size_t n, const uint8_t *key, size_t keylen, const uint8_t *in, size_t inlen);

#endif // WGCRYPTO_HKDF_BLAKE2S_H
