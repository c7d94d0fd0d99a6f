// GF(2^255 - 19) multiplication for ARMv7E-M and ARMv7-A (Thumb-2), using
// UMAAL (RdHi:RdLo = Rn * Rm + RdLo + RdHi, which never overflows).
//
//   void wgc_fe32_mul_umaal(uint32_t out[8], const uint32_t a[8], const uint32_t b[8]);
// Inputs: any values below 2^256 (eight 32-bit little-endian limbs).
// Output: a value below 2^256 congruent to a * b mod 2^255 - 19.
//
// The 512-bit product is computed in two passes of operand scanning, each
// against four limbs of b held in registers: pass one adds a * b[0..3] into
// p[0..11], pass two adds a * b[4..7] into p[4..15].  Within a row the UMAAL
// chain carries by itself; the word each row of pass two pushes out on top
// is merged with pass one's word there by an add-with-carry chain whose
// carry flag runs from row to row (UMAAL, LDR and STR leave the flags
// alone).  The product is then folded with 2^256 = 38 mod p.
// No branch or address depends on the operands.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_UMAAL)

    .syntax unified
    .thumb
    .text

#define S_OUT 64
#define FRAME 68

// pass one row: window p_i..p_{i+3} in w0..w3; c is free; a_i -> r12;
// b0..b3 in r3..r6.  Afterwards the window is w1, w2, w3, c.
.macro P1ROW i, w0, w1, w2, w3, c
    ldr r12, [r1, #4*\i]
    mov.w \c, #0
    umaal \w0, \c, r12, r3
    umaal \w1, \c, r12, r4
    umaal \w2, \c, r12, r5
    umaal \w3, \c, r12, r6
    str \w0, [sp, #4*\i]
.endm

// pass two row: window p_{i+4}..p_{i+7}; b4..b7 in r3..r6.  The carry word
// c lands at p_{i+8}, where pass one left a word for i < 4 (loaded into t).
// Afterwards the window is w1, w2, w3, t (i < 4) or w1, w2, w3, c.
.macro P2ROW i, w0, w1, w2, w3, c, t
    ldr r12, [r1, #4*\i]
    mov.w \c, #0
    umaal \w0, \c, r12, r3
    umaal \w1, \c, r12, r4
    umaal \w2, \c, r12, r5
    umaal \w3, \c, r12, r6
    str \w0, [sp, #16+4*\i]
    .if \i == 0
    ldr \t, [sp, #32]
    adds \t, \t, \c
    .elseif \i < 4
    ldr \t, [sp, #32+4*\i]
    adcs \t, \t, \c
    .else
    adcs \c, \c, #0
    .endif
.endm

    .global wgc_fe32_mul_umaal
    .type wgc_fe32_mul_umaal, %function
    .thumb_func
wgc_fe32_mul_umaal:
    push {r4-r11, lr}
    sub sp, sp, #FRAME
    str r0, [sp, #S_OUT]
    ldm r2, {r3-r6}             // b0..b3
    mov.w r7, #0
    mov.w r8, #0
    mov.w r9, #0
    mov.w r10, #0
    P1ROW 0, r7, r8, r9, r10, r11
    P1ROW 1, r8, r9, r10, r11, r7
    P1ROW 2, r9, r10, r11, r7, r8
    P1ROW 3, r10, r11, r7, r8, r9
    P1ROW 4, r11, r7, r8, r9, r10
    P1ROW 5, r7, r8, r9, r10, r11
    P1ROW 6, r8, r9, r10, r11, r7
    P1ROW 7, r9, r10, r11, r7, r8
    // p8..p11 = r10, r11, r7, r8
    str r10, [sp, #32]
    str r11, [sp, #36]
    str r7, [sp, #40]
    str r8, [sp, #44]
    ldrd r3, r4, [r2, #16]      // b4..b7
    ldrd r5, r6, [r2, #24]
    ldrd r7, r8, [sp, #16]      // window p4..p7
    ldrd r9, r10, [sp, #24]
    P2ROW 0, r7, r8, r9, r10, r11, r2
    P2ROW 1, r8, r9, r10, r2, r7, r11
    P2ROW 2, r9, r10, r2, r11, r7, r8
    P2ROW 3, r10, r2, r11, r8, r7, r9
    P2ROW 4, r2, r11, r8, r9, r7, r7
    P2ROW 5, r11, r8, r9, r7, r10, r10
    P2ROW 6, r8, r9, r7, r10, r11, r11
    P2ROW 7, r9, r7, r10, r11, r8, r8
    // p12..p15 = r7, r10, r11, r8; p0..p11 on the stack.
    // out = p[0..7] + 38 * p[8..15]
    mov.w r9, #38
    ldrd r1, r2, [sp, #0]
    ldrd r3, r4, [sp, #32]
    mov.w r0, #0
    umaal r1, r0, r3, r9
    umaal r2, r0, r4, r9
    ldrd r3, r4, [sp, #8]
    ldrd r5, r6, [sp, #40]
    umaal r3, r0, r5, r9
    umaal r4, r0, r6, r9
    ldrd r5, r6, [sp, #16]
    umaal r5, r0, r7, r9
    umaal r6, r0, r10, r9
    ldrd r12, lr, [sp, #24]
    umaal r12, r0, r11, r9
    umaal lr, r0, r8, r9
    // the top word (at most 38) folds in again times 38
    mul r0, r0, r9
    adds r1, r1, r0
    adcs r2, r2, #0
    adcs r3, r3, #0
    adcs r4, r4, #0
    adcs r5, r5, #0
    adcs r6, r6, #0
    adcs r12, r12, #0
    adcs lr, lr, #0
    // a carry out here leaves a value below 2^11, so 38 more cannot carry
    mov.w r0, #0
    adc r0, r0, #0
    mul r0, r0, r9
    add r1, r1, r0
    ldr r0, [sp, #S_OUT]
    stm r0!, {r1-r6}
    strd r12, lr, [r0]
    add sp, sp, #FRAME
    pop {r4-r11, pc}
    .size wgc_fe32_mul_umaal, .-wgc_fe32_mul_umaal

#endif
