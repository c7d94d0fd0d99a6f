// Poly1305 block function for Thumb-2 (ARMv7-M, ARMv7E-M, ARMv7-A in Thumb
// state) with 32x32->64 multiply-accumulate (umull/umlal), radix 2^32.
//
//   void wgc_poly1305_blocks_thumb2(uint32_t st[12], const uint8_t *m,
//                                   size_t nblocks, uint32_t hibit);
// st: h0..h4 (h4 a few bits), r0..r3 (clamped key), s1..s3 (s_i = r_i + r_i/4).
// For each 16-byte block: h = (h + m + 2^128) * r, partially reduced; with
// hibit 0 the first block goes in without its 2^128 (the caller passes
// hibit 0 only for a single padded final block).
//
// Column k of the product collects the terms h_i r_j with i + j = k; terms
// with i + j >= 4 sit at 2^128 * 2^(32 (i + j - 4)) and 2^128 = 5/4 mod
// 2^130 - 5, so they enter column i + j - 4 multiplied by s_j = 5/4 r_j
// (exact: clamping makes r1..r3 multiples of 4).  Clamping also keeps every
// r_j below 2^28, so each column sum (five products plus the carry in) stays
// below 2^64 and umlal accumulates it without carry handling.  The top column
// d4 = h4 r0 + carry is below 2^31; its bits from 2^130 up fold back times 5.
// No branch or address depends on h, r or the message.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_THUMB2)

    .syntax unified
    .thumb
    .text

// stack frame (after push {r4-r11, lr}); the zero words let one ldrd
// clear a column's high word and load the next key word together
#define S_R0    0       // r0, s3, s2, s1 in this order for one ldm
#define S_Z1    16      // 0, r1
#define S_R1    20
#define S_Z2    24      // 0, r2
#define S_R2    28
#define S_R3    32
#define S_M     36      // message pointer, end pointer: one ldrd
#define S_END   40
#define S_ST    44
#define FRAME   52      // 36 + 52 = 88: sp stays 8-byte aligned

// One block; h0..h4 = r4..r8, r12 = message pointer on entry.  aligned:
// the message pointer is word aligned and the block is read with one ldm.
// On exit r12 = the next message pointer; test: flags Z = no more blocks.
.macro BLOCK aligned, test
    // h += m + 2^128
    .if \aligned
    ldm r12!, {r0-r3}
    .else
    ldr r0, [r12], #4
    ldr r1, [r12], #4
    ldr r2, [r12], #4
    ldr r3, [r12], #4
    .endif
    str r12, [sp, #S_M]
    adds r4, r4, r0
    adcs r5, r5, r1
    adcs r6, r6, r2
    adcs r7, r7, r3
    adc r8, r8, #1
    // column 0: h0 r0 + h1 s3 + h2 s2 + h3 s1 -> (r0, r1)
    ldm sp, {r9-r12}            // r9 = r0, r10 = s3, r11 = s2, r12 = s1
    umull r0, r1, r4, r9
    umlal r0, r1, r5, r10
    umlal r0, r1, r6, r11
    umlal r0, r1, r7, r12
    // column 1: carry + h0 r1 + h1 r0 + h2 s3 + h3 s2 + h4 s1 -> (r1, r2)
    ldrd r2, lr, [sp, #S_Z1]    // r2 = 0, lr = r1
    umlal r1, r2, r4, lr
    umlal r1, r2, r5, r9
    umlal r1, r2, r6, r10
    umlal r1, r2, r7, r11
    umlal r1, r2, r8, r12
    // column 2: carry + h0 r2 + h1 r1 + h2 r0 + h3 s3 + h4 s2 -> (r2, r3)
    ldrd r3, r12, [sp, #S_Z2]   // r3 = 0, r12 = r2
    umlal r2, r3, r4, r12
    umlal r2, r3, r5, lr
    umlal r2, r3, r6, r9
    umlal r2, r3, r7, r10
    umlal r2, r3, r8, r11
    // column 3: carry + h0 r3 + h1 r2 + h2 r1 + h3 r0 + h4 s3 -> (r3, r11)
    movs r11, #0
    umlal r3, r11, r8, r10
    ldr r10, [sp, #S_R3]
    umlal r3, r11, r4, r10
    umlal r3, r11, r5, r12
    umlal r3, r11, r6, lr
    umlal r3, r11, r7, r9
    // column 4: carry + h4 r0
    mla r11, r8, r9, r11
    // fold bits 130 and up: h = d mod 2^130 + 5 (d >> 130)
    bic r12, r11, #3
    add r12, r12, r11, lsr #2
    and r8, r11, #3
    adds r4, r0, r12
    adcs r5, r1, #0
    adcs r6, r2, #0
    adcs r7, r3, #0
    adc r8, r8, #0
    .if \test
    ldrd r12, r0, [sp, #S_M]
    cmp r12, r0
    .else
    ldr r12, [sp, #S_M]
    .endif
.endm

    .global wgc_poly1305_blocks_thumb2
    .type wgc_poly1305_blocks_thumb2, %function
    .thumb_func
wgc_poly1305_blocks_thumb2:
    cmp r2, #0
    it eq
    bxeq lr
    push {r4-r11, lr}
    sub sp, sp, #FRAME
    str r0, [sp, #S_ST]
    add r2, r1, r2, lsl #4
    str r2, [sp, #S_END]
    add r12, r0, #20
    ldm r12, {r4-r10}           // r0 r1 r2 r3 s1 s2 s3
    movs r12, #0
    str r4, [sp, #S_R0]
    str r10, [sp, #S_R0 + 4]
    str r9, [sp, #S_R0 + 8]
    str r8, [sp, #S_R0 + 12]
    strd r12, r5, [sp, #S_Z1]
    strd r12, r6, [sp, #S_Z2]
    str r7, [sp, #S_R3]
    ldm r0, {r4-r8}             // h0..h4
    // Every block adds 2^128 (as h4 + 1); hibit 0 takes it back once, up
    // front (h4 is a few bits, so h4 - 1 + 1 is exact in 32 bits).
    add r8, r8, r3
    sub r8, r8, #1
    mov r12, r1
    tst r1, #3
    bne .Lunaligned
    // aligned: two blocks per pass, an odd count enters at the second
    sub r2, r2, r1
    tst r2, #16
    bne .Lodd
.Lpair:
    BLOCK 1, 0
.Lodd:
    BLOCK 1, 1
    bne .Lpair
    b .Ldone
.Lunaligned:
    BLOCK 0, 1
    bne .Lunaligned
.Ldone:
    ldr r0, [sp, #S_ST]
    stm r0, {r4-r8}
    add sp, sp, #FRAME
    pop {r4-r11, pc}
    .size wgc_poly1305_blocks_thumb2, .-wgc_poly1305_blocks_thumb2

#endif
