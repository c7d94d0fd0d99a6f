// ChaCha20 block function and stream XOR for Thumb-2 (ARMv7-M, ARMv7E-M,
// ARMv7-A in Thumb state), little-endian.
//
//   void wgc_chacha20_xor_thumb2(uint32_t state[16], uint8_t *dst,
//                                const uint8_t *src, size_t nblocks);
// XORs nblocks whole 64-byte blocks of keystream into dst and advances the
// block counter state[12] by nblocks.  src and dst may be unaligned.
//
// The 16 state words live in 14 registers; two words of row 2 at a time are
// parked on the stack (swapped with ldrd/strd twice per double round).
// Rotations are deferred: rows 1 and 3 are kept unrotated and the pending
// rotation is applied for free through the shifted second operand of the
// next add or eor.  Row 1 enters each quarter round pending "ror 25" (a
// left rotation by 7) and row 3 pending "ror 24" (left by 8), so the loop
// body is uniform; the rows are pre-rotated the other way before round one.
// Pure add/rotate/xor: no data-dependent branch or address.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_THUMB2)

    .syntax unified
    .thumb
    .text

// Stack frame (after push {r4-r11, lr}):
#define S_X89   0       // x8, x9 while x10, x11 are in r8, r9
#define S_X1011 8       // x10, x11 while x8, x9 are in r8, r9
#define S_STATE 16
#define S_DST   20
#define S_SRC   24
#define S_NBLK  28
#define S_LOOP  32
#define S_X1213 40
#define S_X1415 48
#define FRAME   60      // 36 + 60 = 96: sp stays 8-byte aligned

// One quarter round on a, b, c, d; b pending ror 25 and d pending ror 24
// on entry and on exit.
.macro QR a, b, c, d
    add \a, \a, \b, ror #25
    eor \d, \a, \d, ror #24
    add \c, \c, \d, ror #16
    eor \b, \c, \b, ror #25
    add \a, \a, \b, ror #20
    eor \d, \a, \d, ror #16
    add \c, \c, \d, ror #24
    eor \b, \c, \b, ror #20
.endm

// Register map: x0..x7 = r0..r7; r8, r9 = (x8, x9) or (x10, x11);
// x12 = r10, x13 = r11, x14 = r12, x15 = lr.
.macro DOUBLEROUND
    // columns; r8, r9 hold x8, x9
    QR r0, r4, r8, r10
    QR r1, r5, r9, r11
    strd r8, r9, [sp, #S_X89]
    ldrd r8, r9, [sp, #S_X1011]
    QR r2, r6, r8, r12
    QR r3, r7, r9, lr
    // diagonals; r8, r9 hold x10, x11
    QR r0, r5, r8, lr
    QR r1, r6, r9, r10
    strd r8, r9, [sp, #S_X1011]
    ldrd r8, r9, [sp, #S_X89]
    QR r2, r7, r8, r11
    QR r3, r4, r9, r12
.endm

// Output word: x (pending rotation rot) + input word s, XORed into the
// next source word and stored to the next destination word.
.macro FF x, s, rot
    .if \rot
    add \x, \s, \x, ror #\rot
    .else
    add \x, \x, \s
    .endif
    ldr \s, [r12], #4
    eor \x, \x, \s
    str \x, [r11], #4
.endm

    .global wgc_chacha20_xor_thumb2
    .type wgc_chacha20_xor_thumb2, %function
    .thumb_func
wgc_chacha20_xor_thumb2:
    cmp r3, #0
    it eq
    bxeq lr
    push {r4-r11, lr}
    sub sp, sp, #FRAME
    str r0, [sp, #S_STATE]
    str r1, [sp, #S_DST]
    str r2, [sp, #S_SRC]
    str r3, [sp, #S_NBLK]
.Lblock:
    movs r1, #2
    str r1, [sp, #S_LOOP]
    ldrd r1, r2, [r0, #40]
    strd r1, r2, [sp, #S_X1011]
    add r1, r0, #48
    ldm r1, {r10, r11, r12, lr}
    ldm r0, {r0-r9}
    ror r4, r4, #7
    ror r5, r5, #7
    ror r6, r6, #7
    ror r7, r7, #7
    ror r10, r10, #8
    ror r11, r11, #8
    ror r12, r12, #8
    ror lr, lr, #8
.Lrounds:
    DOUBLEROUND
    DOUBLEROUND
    DOUBLEROUND
    DOUBLEROUND
    // last quarter rounds of the fifth double round, with the loop count
    // updated while r8 is free
    QR r0, r4, r8, r10
    QR r1, r5, r9, r11
    strd r8, r9, [sp, #S_X89]
    ldrd r8, r9, [sp, #S_X1011]
    QR r2, r6, r8, r12
    QR r3, r7, r9, lr
    QR r0, r5, r8, lr
    QR r1, r6, r9, r10
    strd r8, r9, [sp, #S_X1011]
    ldr r8, [sp, #S_LOOP]
    subs r8, r8, #1
    str r8, [sp, #S_LOOP]
    ldrd r8, r9, [sp, #S_X89]
    QR r2, r7, r8, r11
    QR r3, r4, r9, r12
    bne .Lrounds

    // feed-forward, XOR, store
    strd r8, r9, [sp, #S_X89]
    strd r10, r11, [sp, #S_X1213]
    strd r12, lr, [sp, #S_X1415]
    ldr lr, [sp, #S_STATE]
    ldr r12, [sp, #S_SRC]
    ldr r11, [sp, #S_DST]
    ldm lr!, {r8, r9, r10}
    FF r0, r8, 0
    FF r1, r9, 0
    FF r2, r10, 0
    ldm lr!, {r8, r9, r10}
    FF r3, r8, 0
    FF r4, r9, 25
    FF r5, r10, 25
    ldm lr!, {r8, r9, r10}
    FF r6, r8, 25
    FF r7, r9, 25
    ldrd r0, r1, [sp, #S_X89]
    ldrd r2, r3, [sp, #S_X1011]
    FF r0, r10, 0
    ldm lr!, {r8, r9, r10}
    FF r1, r8, 0
    FF r2, r9, 0
    FF r3, r10, 0
    ldrd r4, r5, [sp, #S_X1213]
    ldrd r6, r7, [sp, #S_X1415]
    ldm lr!, {r8, r9, r10}
    FF r4, r8, 24
    FF r5, r9, 24
    FF r6, r10, 24
    ldr r8, [lr]
    FF r7, r8, 24
    // next block
    ldr r0, [sp, #S_STATE]
    str r12, [sp, #S_SRC]
    str r11, [sp, #S_DST]
    ldr r1, [r0, #48]
    adds r1, r1, #1
    str r1, [r0, #48]
    ldr r1, [sp, #S_NBLK]
    subs r1, r1, #1
    str r1, [sp, #S_NBLK]
    bne .Lblock
    add sp, sp, #FRAME
    pop {r4-r11, pc}
    .size wgc_chacha20_xor_thumb2, .-wgc_chacha20_xor_thumb2

#endif
