// Field arithmetic modulo p = 2^255 - 19, used by curve25519.c.  One of
// curve25519_fe_c32.c / curve25519_fe_c64.c implements it, as chosen by
// wgcrypto_config.h.  All operations are branch-free and use no
// data-dependent memory indexing.
//
// Limb bound contract (what the ladder relies on):
//  - fe_frombytes, fe_mul, fe_sq, fe_mul121665 and fe_1/fe_0 return
//    "carried" elements (each limb at most a few bits above its width);
//  - fe_add and fe_sub accept carried inputs only, and their results may
//    only be used as inputs to fe_mul, fe_sq, fe_mul121665 or fe_tobytes.
#ifndef WGCRYPTO_CURVE25519_FE_H
#define WGCRYPTO_CURVE25519_FE_H

#include <stdint.h>

#include "wgcrypto_config.h"

#if WGCRYPTO_C64
// 5 limbs of 51 bits: value = sum v[i] * 2^(51 i)
typedef struct { uint64_t v[5]; } fe;
#else
// 10 limbs alternating 26 and 25 bits: limb i sits at bit ceil(25.5 i)
typedef struct { uint32_t v[10]; } fe;
#endif

void fe_0(fe *h);
void fe_1(fe *h);
void fe_copy(fe *h, const fe *f);
// Reads 255 bits; the top bit of s[31] is ignored.
void fe_frombytes(fe *h, const uint8_t s[32]);
// Writes the fully reduced value (0 <= h < p).
void fe_tobytes(uint8_t s[32], const fe *h);
void fe_add(fe *h, const fe *f, const fe *g);
void fe_sub(fe *h, const fe *f, const fe *g);
void fe_mul(fe *h, const fe *f, const fe *g);
void fe_sq(fe *h, const fe *f);
// h = f * 121665, the (A - 2) / 4 constant of the ladder step.
void fe_mul121665(fe *h, const fe *f);
// Swaps f and g when swap is 1, does nothing when 0, in constant time.
void fe_cswap(fe *f, fe *g, uint32_t swap);

#endif // WGCRYPTO_CURVE25519_FE_H
