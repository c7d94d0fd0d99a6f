// GF(2^255 - 19) multiplication for ARMv7-M (Cortex-M3: UMULL/UMLAL, no
// UMAAL), radix 2^32.
//
//   void wgc_fe32_mul_umlal(uint32_t out[8], const uint32_t a[8], const uint32_t b[8]);
// Inputs: any values below 2^256 (eight 32-bit little-endian limbs).
// Output: a value below 2^256 congruent to a * b mod 2^255 - 19.
//
// Same schedule as curve25519_umaal.S (two passes of operand scanning, four
// limbs of b in registers, pass two merging its row carries with an
// add-with-carry chain that runs from row to row), with each UMAAL
// (hi:lo = a * b + lo + hi) made of two UMLALs, the second adding hi * 1.
// UMLAL and MOV leave the flags alone, so the chain survives.  Then the
// product is folded with 2^256 = 38 mod p.  No branch or address depends on
// the operands.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_UMLAL)

    .syntax unified
    .thumb
    .text

#define S_OUT 64
#define FRAME 68

// hi:lo = a * b + lo + hi (never overflows).  r0 holds 1, lr is scratch.
.macro MADD2 lo, hi, a, b
    mov.w lr, #0
    umlal \lo, lr, \a, \b
    umlal \lo, lr, \hi, r0
    mov \hi, lr
.endm

// pass one row: window p_i..p_{i+3} in w0..w3; c is free; a_i -> r12;
// b0..b3 in r3..r6.  Afterwards the window is w1, w2, w3, c.
.macro P1ROW i, w0, w1, w2, w3, c
    ldr r12, [r1, #4*\i]
    mov.w \c, #0
    umlal \w0, \c, r12, r3
    MADD2 \w1, \c, r12, r4
    MADD2 \w2, \c, r12, r5
    MADD2 \w3, \c, r12, r6
    str \w0, [sp, #4*\i]
.endm

// pass two row: window p_{i+4}..p_{i+7}; b4..b7 in r3..r6.  The carry word
// c lands at p_{i+8}, where pass one left a word for i < 4 (loaded into t).
// Afterwards the window is w1, w2, w3, t (i < 4) or w1, w2, w3, c.
.macro P2ROW i, w0, w1, w2, w3, c, t
    ldr r12, [r1, #4*\i]
    mov.w \c, #0
    umlal \w0, \c, r12, r3
    MADD2 \w1, \c, r12, r4
    MADD2 \w2, \c, r12, r5
    MADD2 \w3, \c, r12, r6
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

// out limb = lo + 38 * x + carry word h_in, next carry word in h_out.  first:
// 0 no carry in, 1 starts the carry-flag chain, 2 continues it.  r9 holds 38.
.macro RED lo, x, h_in, h_out, first=0
    mov.w \h_out, #0
    umlal \lo, \h_out, \x, r9
    .if \first == 1
    adds \lo, \lo, \h_in
    .elseif \first == 2
    adcs \lo, \lo, \h_in
    .endif
.endm

    .global wgc_fe32_mul_umlal
    .type wgc_fe32_mul_umlal, %function
    .thumb_func
wgc_fe32_mul_umlal:
    push {r4-r11, lr}
    sub sp, sp, #FRAME
    str r0, [sp, #S_OUT]
    mov.w r0, #1
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
    // out = p[0..7] + 38 * p[8..15], limbs ending in r1, r2, r4, r5, r3, r6, r10, r12
    mov.w r9, #38
    ldrd r1, r2, [sp, #0]       // p0, p1
    ldrd r3, r4, [sp, #32]      // p8, p9
    RED r1, r3, r0, r0, 0       // (r0 is overwritten: the 1 is no longer needed)
    RED r2, r4, r0, r3, 1
    ldrd r4, r5, [sp, #8]       // p2, p3
    ldrd r0, r6, [sp, #40]      // p10, p11
    RED r4, r0, r3, r12, 2
    RED r5, r6, r12, r0, 2
    ldrd r3, r6, [sp, #16]      // p4, p5
    RED r3, r7, r0, r12, 2
    RED r6, r10, r12, r0, 2
    ldrd r10, r12, [sp, #24]    // p6, p7
    RED r10, r11, r0, lr, 2
    RED r12, r8, lr, r0, 2
    adc r0, r0, #0              // top word, at most 38
    mul r0, r0, r9
    adds r1, r1, r0
    adcs r2, r2, #0
    adcs r4, r4, #0
    adcs r5, r5, #0
    adcs r3, r3, #0
    adcs r6, r6, #0
    adcs r10, r10, #0
    adcs r12, r12, #0
    // a carry out here leaves a value below 2^11, so 38 more cannot carry
    sbc r0, r0, r0
    bic r0, r9, r0
    add r1, r1, r0
    ldr r0, [sp, #S_OUT]
    strd r1, r2, [r0]
    strd r4, r5, [r0, #8]
    strd r3, r6, [r0, #16]
    strd r10, r12, [r0, #24]
    add sp, sp, #FRAME
    pop {r4-r11, pc}
    .size wgc_fe32_mul_umlal, .-wgc_fe32_mul_umlal

#endif
