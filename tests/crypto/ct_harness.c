// Constant-time check: every secret input is marked undefined for valgrind
// memcheck, which then reports any branch or memory index that depends on it.
// `ct_harness leak` runs a deliberately leaky routine: the checker must catch it.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "blake2s.h"
#include "chacha20.h"
#include "chacha20poly1305.h"
#include "curve25519.h"
#include "hkdf_blake2s.h"
#include "poly1305.h"
#include "wgcrypto_util.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static void fill(uint8_t *p, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static volatile int sink;

// Leaks on purpose: a branch on a secret, which the checker must report.
static __attribute__((noinline)) int leaky(const uint8_t *secret) {
    if (secret[0] & 1) {
        sink = 1;
    }
    return 3;
}

int main(int argc, char **argv) {
    uint8_t key[32], nonce[24], msg[300], ad[21], sealed[316], opened[300], tag[16];
    uint8_t scalar[32], point[32], out[32];
    if (argc > 1 && strcmp(argv[1], "leak") == 0) {
        fill(key, 32, 1);
        SECRET(key, 32);
        int r = leaky(key);
        PUBLIC(&r, sizeof r);
        return r == 3 || r == 5 ? 0 : 1;
    }
    for (uint32_t round = 0; round < 4; round++) {
        fill(key, sizeof key, 10 + round);
        fill(nonce, sizeof nonce, 20 + round);
        fill(msg, sizeof msg, 30 + round);
        fill(ad, sizeof ad, 40 + round);
        SECRET(key, sizeof key);
        SECRET(msg, sizeof msg);

        chacha20poly1305_encrypt(sealed, msg, sizeof msg, ad, sizeof ad, nonce, key);
        PUBLIC(sealed, sizeof sealed);  // ciphertext and tag go on the wire
        sealed[round] ^= (uint8_t)(round & 1);  // odd rounds: a forged message
        (void)chacha20poly1305_decrypt(opened, sealed, sizeof sealed, ad, sizeof ad, nonce, key);
        xchacha20poly1305_encrypt(sealed, msg, sizeof msg, ad, sizeof ad, nonce, key);
        PUBLIC(sealed, sizeof sealed);
        (void)xchacha20poly1305_decrypt(opened, sealed, sizeof sealed, ad, sizeof ad, nonce, key);

        struct poly1305_ctx poly;
        poly1305_init(&poly, key);
        poly1305_update(&poly, msg, 77 + round);
        poly1305_update(&poly, msg + 100, 33);
        poly1305_final(&poly, tag);

        uint8_t sub[32];
        hchacha20(sub, key, nonce);
        blake2s(out, 32, msg, 200 + round, key, 32);
        blake2s(out, 17, msg, 64, NULL, 0);

        // WireGuard's HMAC and KDF: chaining key and input secret; long keys hashed first.
        uint8_t kdf_out[96];
        hmac_blake2s(out, key, 32, msg, 100 + round);
        hmac_blake2s(out, msg, 65 + round, key, 32);
        wg_kdf(kdf_out, 1 + round % 3, key, 32, msg, 32);
        wg_kdf(kdf_out, 3, key, 32, msg, 0);
        // Compare and all-zero check: only the final yes/no is public.
        int same = wgc_ct_equal(key, msg, 32) + wgc_ct_equal(key, key, 32);
        int zero = wgc_ct_is_zero(msg, 32) + wgc_ct_is_zero(kdf_out, 96);
        PUBLIC(&same, sizeof same);
        PUBLIC(&zero, sizeof zero);
        sink = same + zero;

        fill(scalar, sizeof scalar, 50 + round);
        fill(point, sizeof point, 60 + round);
        SECRET(scalar, sizeof scalar);
        curve25519_base(out, scalar);
        curve25519(out, scalar, point);
        SECRET(point, sizeof point);  // an ephemeral peer point is secret too
        curve25519(out, scalar, point);
    }
    printf("constant-time harness done\n");
    return 0;
}
