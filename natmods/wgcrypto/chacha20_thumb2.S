// ChaCha20 block function and stream XOR for Thumb-2 (ARMv7-M, ARMv7E-M,
// ARMv7-A in Thumb state), little-endian.
//
//   void wgc_chacha20_xor_thumb2(uint32_t state[16], uint8_t *dst,
//                                const uint8_t *src, size_t nblocks);
// XORs nblocks whole 64-byte blocks of keystream into dst and advances the
// block counter state[12] by nblocks.  src and dst may be unaligned; when
// both are word aligned the output pass moves four words per ldm/stm (the
// choice depends only on the addresses, which are public).
//
// The 16 state words live in 14 registers; two words of row 2 at a time are
// parked on the stack (swapped with ldrd/strd twice per double round).
// Rotations are deferred: rows 1 and 3 are kept unrotated and the pending
// rotation is applied for free through the shifted second operand of the
// next add or eor.  Row 1 enters each quarter round pending "ror 25" (a
// left rotation by 7) and row 3 pending "ror 24" (left by 8), so the loop
// body is uniform; the block's first column round (QRF) takes them unrotated.
// Pure add/rotate/xor: no data-dependent branch or address.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_THUMB2)

    .syntax unified
    .thumb
    .text

// Stack frame (after push {r4-r11, lr}):
#define S_X89   0       // x8, x9 while x10, x11 are in r8, r9
#define S_X1011 8       // x10, x11 while x8, x9 are in r8, r9
#define S_ROW1  16      // x4..x7, then x12..x15, for the output pass
#define S_STATE 48
#define S_DST   52
#define S_SRC   56
#define S_NBLK  60
#define S_LOOP  64
#define S_UNAL  68      // nonzero when src or dst is not word aligned
#define FRAME   76      // 36 + 76 = 112: sp stays 8-byte aligned

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

// The first quarter rounds of a block: b and d enter unrotated (as loaded),
// and leave pending ror 25 and ror 24 like QR's.
.macro QRF a, b, c, d
    add \a, \a, \b
    eor \d, \a, \d
    add \c, \c, \d, ror #16
    eor \b, \c, \b
    add \a, \a, \b, ror #20
    eor \d, \a, \d, ror #16
    add \c, \c, \d, ror #24
    eor \b, \c, \b, ror #20
.endm

// Register map: x0..x7 = r0..r7; r8, r9 = (x8, x9) or (x10, x11);
// x12 = r10, x13 = r11, x14 = r12, x15 = lr.
// first: the block's first double round (QRF for the columns).
// count: decrement the round loop count (flags set for bne) while r8 is free.
.macro DOUBLEROUND first=0, count=0
    // columns; r8, r9 hold x8, x9
    .if \first
    QRF r0, r4, r8, r10
    QRF r1, r5, r9, r11
    .else
    QR r0, r4, r8, r10
    QR r1, r5, r9, r11
    .endif
    strd r8, r9, [sp, #S_X89]
    ldrd r8, r9, [sp, #S_X1011]
    .if \first
    QRF r2, r6, r8, r12
    QRF r3, r7, r9, lr
    .else
    QR r2, r6, r8, r12
    QR r3, r7, r9, lr
    .endif
    // diagonals; r8, r9 hold x10, x11
    QR r0, r5, r8, lr
    QR r1, r6, r9, r10
    strd r8, r9, [sp, #S_X1011]
    .if \count
    ldr r8, [sp, #S_LOOP]
    subs r8, r8, #1
    str r8, [sp, #S_LOOP]
    .endif
    ldrd r8, r9, [sp, #S_X89]
    QR r2, r7, r8, r11
    QR r3, r4, r9, r12
.endm

// One output row: r0..r3 hold four state words (pending rotation rot),
// lr points at the matching input words, r12 at the source and r11 at the
// destination (all three advanced).  Aligned buffers move four words per
// ldm/stm; otherwise a word at a time (ldr/str allow unaligned addresses).
.macro ADDROT x, s, rot
    .if \rot
    add \x, \s, \x, ror #\rot
    .else
    add \x, \x, \s
    .endif
.endm

.macro ROW rot, aligned
    ldm lr!, {r4-r7}
    ADDROT r0, r4, \rot
    ADDROT r1, r5, \rot
    ADDROT r2, r6, \rot
    ADDROT r3, r7, \rot
    .if \aligned
    ldm r12!, {r4-r7}
    eor r0, r0, r4
    eor r1, r1, r5
    eor r2, r2, r6
    eor r3, r3, r7
    stm r11!, {r0-r3}
    .else
    ldr r4, [r12], #4
    ldr r5, [r12], #4
    ldr r6, [r12], #4
    ldr r7, [r12], #4
    eor r0, r0, r4
    eor r1, r1, r5
    eor r2, r2, r6
    eor r3, r3, r7
    str r0, [r11], #4
    str r1, [r11], #4
    str r2, [r11], #4
    str r3, [r11], #4
    .endif
.endm

// Rows 0..3 of the output; row 0 in r0..r3, the others on the stack.
.macro OUTPUT aligned
    ROW 0, \aligned
    ldm r8!, {r0-r3}
    ROW 25, \aligned
    ldm sp, {r0-r3}
    ROW 0, \aligned
    ldm r8, {r0-r3}
    ROW 24, \aligned
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
    orr r1, r1, r2
    and r1, r1, #3
    str r1, [sp, #S_UNAL]
.Lblock:
    movs r1, #3
    str r1, [sp, #S_LOOP]
    ldrd r1, r2, [r0, #40]
    strd r1, r2, [sp, #S_X1011]
    add r1, r0, #48
    ldm r1, {r10, r11, r12, lr}
    ldm r0, {r0-r9}
    // 1 + 3 x 3 double rounds
    DOUBLEROUND 1
.Lrounds:
    DOUBLEROUND
    DOUBLEROUND
    DOUBLEROUND 0, 1
    bne .Lrounds

    // feed-forward, XOR, store: rows 1..3 go to the stack (row 2 at sp,
    // rows 1 and 3 at S_ROW1) so that four registers are free for each row
    strd r8, r9, [sp, #S_X89]
    add r8, sp, #S_ROW1
    stm r8, {r4-r7, r10-r12, lr}
    ldr lr, [sp, #S_STATE]
    ldr r12, [sp, #S_SRC]
    ldr r11, [sp, #S_DST]
    ldr r9, [sp, #S_UNAL]
    cmp r9, #0
    bne .Lunaligned
    OUTPUT 1
    b .Lnext
.Lunaligned:
    OUTPUT 0
.Lnext:
    // lr = state + 64; the block counter is state[12]
    str r12, [sp, #S_SRC]
    str r11, [sp, #S_DST]
    ldr r1, [lr, #-16]
    adds r1, r1, #1
    str r1, [lr, #-16]
    sub r0, lr, #64
    ldr r1, [sp, #S_NBLK]
    subs r1, r1, #1
    str r1, [sp, #S_NBLK]
    bne .Lblock
    add sp, sp, #FRAME
    pop {r4-r11, pc}
    .size wgc_chacha20_xor_thumb2, .-wgc_chacha20_xor_thumb2

#endif
