// X25519 on radix 2^32 field elements with an optimized multiplication
// (curve25519_r32.c); curve25519() calls it unless the portable path is forced.
#ifndef WGCRYPTO_CURVE25519_R32_H
#define WGCRYPTO_CURVE25519_R32_H

#include <stdint.h>

void curve25519_r32(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]);

#endif // WGCRYPTO_CURVE25519_R32_H
