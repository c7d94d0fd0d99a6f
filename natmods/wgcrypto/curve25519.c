// X25519 (RFC 7748 §5): Montgomery ladder over the x-coordinate with a
// constant-time conditional swap, then one field inversion.  The scalar only
// ever feeds the swap mask, never a branch or an array index.

#include "curve25519.h"
#include "curve25519_fe.h"
#include "curve25519_r32.h"
#include "wgcrypto_config.h"
#include "wgcrypto_util.h"

static void fe_sq_n(fe *h, const fe *f, int n) {
    fe_sq(h, f);
    for (int i = 1; i < n; i++) {
        fe_sq(h, h);
    }
}

// out = z^(p - 2) = z^(2^255 - 21) = 1/z, by a fixed chain of 254 squarings
// and 11 multiplications (so timing does not depend on z).
static void fe_invert(fe *out, const fe *z) {
    fe t0, t1, t2, t3;
    fe_sq(&t0, z);                 // z^2
    fe_sq_n(&t1, &t0, 2);          // z^8
    fe_mul(&t1, z, &t1);           // z^9
    fe_mul(&t0, &t0, &t1);         // z^11
    fe_sq(&t2, &t0);               // z^22
    fe_mul(&t1, &t1, &t2);         // z^31 = z^(2^5 - 1)
    fe_sq_n(&t2, &t1, 5);
    fe_mul(&t1, &t2, &t1);         // z^(2^10 - 1)
    fe_sq_n(&t2, &t1, 10);
    fe_mul(&t2, &t2, &t1);         // z^(2^20 - 1)
    fe_sq_n(&t3, &t2, 20);
    fe_mul(&t2, &t3, &t2);         // z^(2^40 - 1)
    fe_sq_n(&t2, &t2, 10);
    fe_mul(&t1, &t2, &t1);         // z^(2^50 - 1)
    fe_sq_n(&t2, &t1, 50);
    fe_mul(&t2, &t2, &t1);         // z^(2^100 - 1)
    fe_sq_n(&t3, &t2, 100);
    fe_mul(&t2, &t3, &t2);         // z^(2^200 - 1)
    fe_sq_n(&t2, &t2, 50);
    fe_mul(&t1, &t2, &t1);         // z^(2^250 - 1)
    fe_sq_n(&t1, &t1, 5);          // z^(2^255 - 32)
    fe_mul(out, &t1, &t0);         // z^(2^255 - 21)
    wgc_memzero(&t0, sizeof(t0));
    wgc_memzero(&t1, sizeof(t1));
    wgc_memzero(&t2, sizeof(t2));
    wgc_memzero(&t3, sizeof(t3));
}

void curve25519(uint8_t out[CURVE25519_KEY_SIZE], const uint8_t scalar[CURVE25519_KEY_SIZE],
    const uint8_t point[CURVE25519_KEY_SIZE]) {
    #if WGC_OPT_X25519
    if (WGC_USE_ASM) {
        curve25519_r32(out, scalar, point);
        return;
    }
    #endif
    uint8_t e[32];
    fe x1, x2, z2, x3, z3, a, aa, b, bb, c, d, ee, da, cb;

    // Clamp: clear the cofactor bits and fix the top bit position.
    for (int i = 0; i < 32; i++) {
        e[i] = scalar[i];
    }
    e[0] &= 248;
    e[31] &= 127;
    e[31] |= 64;

    fe_frombytes(&x1, point);  // ignores the top bit of u
    fe_1(&x2);
    fe_0(&z2);
    fe_copy(&x3, &x1);
    fe_1(&z3);

    uint32_t swap = 0;
    for (int t = 254; t >= 0; t--) {
        uint32_t k_t = (e[t >> 3] >> (t & 7)) & 1;
        swap ^= k_t;
        fe_cswap(&x2, &x3, swap);
        fe_cswap(&z2, &z3, swap);
        swap = k_t;

        fe_add(&a, &x2, &z2);       // A = x2 + z2
        fe_sq(&aa, &a);             // AA = A^2
        fe_sub(&b, &x2, &z2);       // B = x2 - z2
        fe_sq(&bb, &b);             // BB = B^2
        fe_sub(&ee, &aa, &bb);      // E = AA - BB
        fe_add(&c, &x3, &z3);       // C = x3 + z3
        fe_sub(&d, &x3, &z3);       // D = x3 - z3
        fe_mul(&da, &d, &a);        // DA = D * A
        fe_mul(&cb, &c, &b);        // CB = C * B
        fe_add(&x3, &da, &cb);
        fe_sq(&x3, &x3);            // x3 = (DA + CB)^2
        fe_sub(&z3, &da, &cb);
        fe_sq(&z3, &z3);
        fe_mul(&z3, &x1, &z3);      // z3 = x1 * (DA - CB)^2
        fe_mul(&x2, &aa, &bb);      // x2 = AA * BB
        fe_mul121665(&a, &ee);
        fe_add(&a, &aa, &a);
        fe_mul(&z2, &ee, &a);       // z2 = E * (AA + a24 * E)
    }
    fe_cswap(&x2, &x3, swap);
    fe_cswap(&z2, &z3, swap);

    fe_invert(&z2, &z2);
    fe_mul(&x2, &x2, &z2);
    fe_tobytes(out, &x2);

    wgc_memzero(e, sizeof(e));
    wgc_memzero(&x2, sizeof(x2));
    wgc_memzero(&z2, sizeof(z2));
    wgc_memzero(&x3, sizeof(x3));
    wgc_memzero(&z3, sizeof(z3));
    wgc_memzero(&a, sizeof(a));
    wgc_memzero(&aa, sizeof(aa));
    wgc_memzero(&b, sizeof(b));
    wgc_memzero(&bb, sizeof(bb));
    wgc_memzero(&ee, sizeof(ee));
    wgc_memzero(&da, sizeof(da));
    wgc_memzero(&cb, sizeof(cb));
}

void curve25519_base(uint8_t out[CURVE25519_KEY_SIZE], const uint8_t scalar[CURVE25519_KEY_SIZE]) {
    static const uint8_t basepoint[32] = { 9 };
    curve25519(out, scalar, basepoint);
}
