// X25519 Diffie-Hellman function (RFC 7748 §5).
#ifndef WGCRYPTO_CURVE25519_H
#define WGCRYPTO_CURVE25519_H

#include <stdint.h>

#define CURVE25519_KEY_SIZE (32)

// out = X25519(scalar, point).  The scalar is clamped and the top bit of the
// point ignored as RFC 7748 requires.  An all-zero result (low-order point)
// is returned as is; rejecting it is up to the caller.
void curve25519(uint8_t out[CURVE25519_KEY_SIZE], const uint8_t scalar[CURVE25519_KEY_SIZE],
    const uint8_t point[CURVE25519_KEY_SIZE]);

// out = X25519(scalar, 9), i.e. the public key for a private scalar.
void curve25519_base(uint8_t out[CURVE25519_KEY_SIZE], const uint8_t scalar[CURVE25519_KEY_SIZE]);

#endif // WGCRYPTO_CURVE25519_H
