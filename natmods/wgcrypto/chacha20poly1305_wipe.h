// Word-wise wiping for the AEAD's word-aligned buffers and contexts.
// wgc_memzero clears a byte per store; these buffers are wiped on every
// call, and on the AEAD hot path that cost about 1,500 instructions per
// message on Cortex-M.  Volatile stores so the compiler neither drops the
// wipe nor turns it into a (byte-wise, on some ports) memset call.
#ifndef WGCRYPTO_CHACHA20POLY1305_WIPE_H
#define WGCRYPTO_CHACHA20POLY1305_WIPE_H

#include <stddef.h>
#include <stdint.h>

// p must be 4-byte aligned; n is in bytes and a multiple of 4.
static inline void wgc_wipe32(void *p, size_t n) {
    volatile uint32_t *v = (volatile uint32_t *)p;
    for (size_t i = 0; i < n / 4; i++) {
        v[i] = 0;
    }
}

#endif // WGCRYPTO_CHACHA20POLY1305_WIPE_H
