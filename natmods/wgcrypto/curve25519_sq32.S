// GF(2^255 - 19) squaring for Thumb-2 with UMAAL (ARMv7E-M, ARMv7-A) or
// UMLAL only (ARMv7-M), radix 2^32.
//
//   void wgc_fe32_sq_thumb2(uint32_t out[8], const uint32_t a[8]);
// Input: any value below 2^256 (eight 32-bit little-endian limbs).
// Output: a value below 2^256 congruent to a^2 mod 2^255 - 19.
//
// a^2 = 2 U + D with U = sum_{i<j} a_i a_j 2^(32(i+j)) (28 products instead
// of 64) and D = sum a_i^2 2^(64 i).  U: the triangle of a0..a3, then rows
// a0..a3 times a4..a7, then the triangle of a4..a7, into p[0..15] on the
// stack.  2 U + D: a doubling chain and an adding chain per half, the
// carries between halves kept in registers.  Then the fold with
// 2^256 = 38 mod p.  No branch or address depends on the operand.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_UMAAL) || defined(WGC_ASM_UMLAL)

    .syntax unified
    .thumb
    .text

#define S_OUT 64
#define FRAME 68

// hi:lo = a * b + lo + hi.  Without UMAAL: r9 is scratch, flags clobbered
// (no carry chain is live while the products are formed).
.macro MADD lo, hi, a, b
#if defined(WGC_ASM_UMAAL)
    umaal \lo, \hi, \a, \b
#else
    mov.w r9, #0
    umlal \lo, r9, \a, \b
    adds \lo, \lo, \hi
    adc \hi, r9, #0
#endif
.endm

// hi:lo = a * b + lo (hi is set).
.macro MADD0 lo, hi, a, b
    mov.w \hi, #0
    umlal \lo, \hi, \a, \b
.endm

// row i of a_i (r12) times a4..a7 (r3..r6) into the window p_{i+4}..p_{i+7}
// (w0..w3); c becomes p_{i+8}.  p_{i+4} is final and goes to the stack.
.macro ROW i, w0, w1, w2, w3, c
    ldr r12, [r1, #4*\i]
    MADD0 \w0, \c, r12, r3
    MADD \w1, \c, r12, r4
    MADD \w2, \c, r12, r5
    MADD \w3, \c, r12, r6
    str \w0, [sp, #16+4*\i]
.endm

// Adds a_k^2 (k = limb index) into the register pair lo, hi with the carry flag.
.macro DIAG k, lo, hi
    ldr r12, [r1, #4*\k]
    umull r12, lr, r12, r12
    adcs \lo, \lo, r12
    adcs \hi, \hi, lr
.endm

    .global wgc_fe32_sq_thumb2
    .type wgc_fe32_sq_thumb2, %function
    .thumb_func
wgc_fe32_sq_thumb2:
    push {r4-r11, lr}
    sub sp, sp, #FRAME
    str r0, [sp, #S_OUT]
    // Triangle of a0..a3 (r3..r6): u1..u6 in r7, r8, r9, r10, r11, lr.
    ldm r1, {r3-r6}
    umull r7, r8, r3, r4        // a0 a1
    MADD0 r8, r9, r3, r5        // a0 a2
    MADD0 r9, r10, r3, r6       // a0 a3
    MADD0 r9, r11, r4, r5       // a1 a2
#if defined(WGC_ASM_UMAAL)
    umaal r10, r11, r4, r6      // a1 a3
#else
    mov.w r2, #0
    umlal r10, r2, r4, r6
    adds r10, r10, r11
    adc r11, r2, #0
#endif
    MADD0 r11, lr, r5, r6       // a2 a3
    mov.w r0, #0
    stm sp, {r0, r7, r8, r9}    // u0..u3 final
    // Rows a0..a3 times a4..a7: u4..u7 final, u8..u11 in r8, r10, r11, lr.
    ldrd r3, r4, [r1, #16]
    ldrd r5, r6, [r1, #24]
    mov.w r7, #0
    ROW 0, r10, r11, lr, r7, r8
    ROW 1, r11, lr, r7, r8, r10
    ROW 2, lr, r7, r8, r10, r11
    ROW 3, r7, r8, r10, r11, lr
    // Triangle of a4..a7 (r3..r6).
    str r8, [sp, #32]           // u8 final
    MADD0 r10, r7, r3, r4       // a4 a5: u9 final
    MADD r11, r7, r3, r5        // a4 a6: u10 final
    MADD lr, r7, r3, r6         // a4 a7
    MADD0 lr, r8, r4, r5        // a5 a6: u11 final
    MADD r7, r8, r4, r6         // a5 a7: u12 final
    MADD0 r8, r12, r5, r6       // a6 a7: u13, u14 final
    strd r10, r11, [sp, #36]
    strd lr, r7, [sp, #44]
    strd r8, r12, [sp, #52]
    str r0, [sp, #60]           // u15 = 0
    // Low half: p0..p7 = 2 u0..u7 + a0^2..a3^2, carries out kept in r11 and r2.
    ldm sp, {r3-r10}
    mov.w r11, #0
    mov.w r2, #0
    adds r4, r4, r4             // u0 = 0
    adcs r5, r5, r5
    adcs r6, r6, r6
    adcs r7, r7, r7
    adcs r8, r8, r8
    adcs r9, r9, r9
    adcs r10, r10, r10
    adc r11, r11, #0
    ldr r12, [r1]
    umull r3, lr, r12, r12
    adds r4, r4, lr
    DIAG 1, r5, r6
    DIAG 2, r7, r8
    DIAG 3, r9, r10
    adc r2, r2, #0
    stm sp, {r3-r10}
    // High half: p8..p15 = 2 u8..u15 + a4^2..a7^2 + carries (no carry out).
    add r12, sp, #32
    ldm r12, {r3-r10}
    lsrs r11, r11, #1           // doubling carry -> C
    adcs r3, r3, r3
    adcs r4, r4, r4
    adcs r5, r5, r5
    adcs r6, r6, r6
    adcs r7, r7, r7
    adcs r8, r8, r8
    adcs r9, r9, r9
    adc r10, r10, r10
    lsrs r2, r2, #1             // adding carry -> C
    DIAG 4, r3, r4
    DIAG 5, r5, r6
    DIAG 6, r7, r8
    DIAG 7, r9, r10
    // out = p0..p7 (stack) + 38 * p8..p15 (r3..r10); 38 in r11.
    mov.w r11, #38
#if defined(WGC_ASM_UMAAL)
    mov.w r2, #0
    ldrd r12, lr, [sp, #0]
    umaal r12, r2, r3, r11
    umaal lr, r2, r4, r11
    ldrd r3, r4, [sp, #8]
    umaal r3, r2, r5, r11
    umaal r4, r2, r6, r11
    ldrd r5, r6, [sp, #16]
    umaal r5, r2, r7, r11
    umaal r6, r2, r8, r11
    ldrd r7, r8, [sp, #24]
    umaal r7, r2, r9, r11
    umaal r8, r2, r10, r11
#else
    // limb = p_k + 38 p_{k+8} + carry word, the carry word alternating in
    // r2 and r0 and the addition chained through the carry flag.
    ldrd r12, lr, [sp, #0]
    MADD0 r12, r2, r3, r11
    MADD0 lr, r0, r4, r11
    adds lr, lr, r2
    ldrd r3, r4, [sp, #8]
    MADD0 r3, r2, r5, r11
    adcs r3, r3, r0
    MADD0 r4, r0, r6, r11
    adcs r4, r4, r2
    ldrd r5, r6, [sp, #16]
    MADD0 r5, r2, r7, r11
    adcs r5, r5, r0
    MADD0 r6, r0, r8, r11
    adcs r6, r6, r2
    ldrd r7, r8, [sp, #24]
    MADD0 r7, r2, r9, r11
    adcs r7, r7, r0
    MADD0 r8, r0, r10, r11
    adcs r8, r8, r2
    adc r2, r0, #0
#endif
    // the top word (at most 38) folds in again times 38
    mul r2, r2, r11
    adds r12, r12, r2
    adcs lr, lr, #0
    adcs r3, r3, #0
    adcs r4, r4, #0
    adcs r5, r5, #0
    adcs r6, r6, #0
    adcs r7, r7, #0
    adcs r8, r8, #0
    // a carry out here leaves a value below 2^11, so 38 more cannot carry
    sbc r2, r2, r2
    bic r2, r11, r2
    add r12, r12, r2
    ldr r0, [sp, #S_OUT]
    strd r12, lr, [r0], #8
    stm r0, {r3-r8}
    add sp, sp, #FRAME
    pop {r4-r11, pc}
    .size wgc_fe32_sq_thumb2, .-wgc_fe32_sq_thumb2

#endif
