// Poly1305 h *= r (mod p, partially reduced) in radix 2^13 for ARMv6-M
// (Cortex-M0/M0+, Thumb-1), the inner step of poly1305_r13.c.
//
//   void wgc_poly1305_r13_mul(uint32_t st[29]);
// st[0..9] = h0..h9 (h0 <= 2^13 + 4, h1..h9 < 2^13 on entry),
// st[10..28] = R[0..18] with R[t] = 5*r(t+1) for t < 9, r(t-9) for t >= 9.
// Column k = sum_{i=0..9} h_i * R[9 + k - i] fits in 32 bits (bound in
// poly1305_r13.c), so every product is one MULS.  On return h1..h9 < 2^13
// and h0 < 2^22.
//
// Why assembly: Thumb-1 has eight low registers and MULS overwrites one
// operand; gcc spills the key limbs to the stack and reloads them.  Here
// the columns are summed in two halves, each with five h limbs held in
// r3-r7, so a product costs ldr/muls/adds.  The first half's partial column
// sums wait on the stack.  No branch; addresses depend only on st and sp.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_ARMV6M) && WGC_OPT_POLY1305

    .syntax unified
    .thumb
    .text

// Offset of R[t] from st.
#define ROFF(t) (40 + 4 * (t))

// r1 += R word at [r0, #off] * \h (r2 is scratch).
.macro MULADD off, h
    ldr r2, [r0, #(\off)]
    muls r2, \h
    adds r1, r2
.endm

// Half one, r0 = st + 20, h0..h4 in r3-r7: partial column k to [sp, #4k].
.macro LOCOL k
    ldr r1, [r0, #(ROFF(9 + \k) - 20)]
    muls r1, r3
    MULADD (ROFF(8 + \k) - 20), r4
    MULADD (ROFF(7 + \k) - 20), r5
    MULADD (ROFF(6 + \k) - 20), r6
    MULADD (ROFF(5 + \k) - 20), r7
    str r1, [sp, #(4 * \k)]
.endm

// Half two, r0 = st, h5..h9 in r3-r7, r1 = partial column k plus carry in:
// finishes column k, stores h_k = column & (2^13 - 1) and starts column
// k + 1 with the carry; after column 9 the carry out is left in r2.
.macro HICOL k
    MULADD ROFF(4 + \k), r3
    MULADD ROFF(3 + \k), r4
    MULADD ROFF(2 + \k), r5
    MULADD ROFF(1 + \k), r6
    MULADD ROFF(0 + \k), r7
    lsrs r2, r1, #13
    lsls r1, r1, #19
    lsrs r1, r1, #19
    str r1, [r0, #(4 * \k)]
    .if \k < 9
    ldr r1, [sp, #(4 * (\k + 1))]
    adds r1, r2
    .endif
.endm

    .global wgc_poly1305_r13_mul
    .type wgc_poly1305_r13_mul, %function
    .thumb_func
    .align 2
wgc_poly1305_r13_mul:
    push {r4-r7, lr}
    sub sp, #40
    ldmia r0!, {r3-r7}      // h0..h4, r0 = st + 20
    LOCOL 0
    LOCOL 1
    LOCOL 2
    LOCOL 3
    LOCOL 4
    LOCOL 5
    LOCOL 6
    LOCOL 7
    LOCOL 8
    LOCOL 9
    ldmia r0!, {r3-r7}      // h5..h9, r0 = st + 40
    subs r0, #40
    ldr r1, [sp, #0]
    HICOL 0
    HICOL 1
    HICOL 2
    HICOL 3
    HICOL 4
    HICOL 5
    HICOL 6
    HICOL 7
    HICOL 8
    HICOL 9
    // Bits 130 and up wrap around times 5: h0 += 5 * carry.
    lsls r1, r2, #2
    adds r1, r2
    ldr r2, [r0]
    adds r1, r2
    str r1, [r0]
    add sp, #40
    pop {r4-r7, pc}
    .size wgc_poly1305_r13_mul, .-wgc_poly1305_r13_mul

#endif // WGC_ASM_ARMV6M && WGC_OPT_POLY1305
