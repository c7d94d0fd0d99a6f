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
// parked on the stack (swapped with strd/ldrd twice per double round).
// Columns 1..3 of a block's first round do not involve the block counter,
// so they are computed once per call; the round loop counts its passes by
// the stack pointer the swaps move (see S_E1..S_E3), not with a counter.
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

// Stack frame (after push {r4-r11, lr}), at the block's base sp:
#define S_CACHE 0       // the state after the first column round of columns
                        // 1..3 (pending rotations as QRF leaves them), with
                        // column 0 (x0, x4, x8, x12) as in the state; in the
                        // order x0..x9, x12..x15, x10, x11 for one ldm
#define S_E3    64      // round loop exits (see .Lrounds): the output pass
#define S_ROW1  68      // x4..x7, then x12..x15, for the output pass
#define S_STATE 100
#define S_DST   104     // dst, src: one ldrd/strd
#define S_SRC   108
#define S_E2    112     // round loop: go round again
#define S_END   116     // src + 64 nblocks
#define S_E1    160     // round loop: go round again
#define FRAME   164     // 36 + 164 = 200: sp stays 8-byte aligned

// The two state words not in registers are pushed below sp in each swap
// (strd with writeback), and the pair stored by the previous swap is
// reloaded from just above: sp walks down 8 bytes per swap, 16 per double
// round, and nothing is ever stored below sp.  The round loop's exit reads
// its branch target at a fixed offset from the walking sp, so each pass of
// the loop finds its own entry of a three-entry table in the frame.
#define WALK_LOOP 48    // sp change per pass of the round loop
#define WALK_OUT  168   // below the base sp in the output pass
#define E_OFF     (S_E3 + 16 + 3 * WALK_LOOP)

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

// Exchange r8, r9 with the pair the previous swap pushed.
.macro SWAP
    strd r8, r9, [sp, #-8]!
    ldrd r8, r9, [sp, #8]
.endm

// Register map: x0..x7 = r0..r7; r8, r9 = (x8, x9) or (x10, x11);
// x12 = r10, x13 = r11, x14 = r12, x15 = lr.
.macro DIAGONALS
    // r8, r9 hold x10, x11
    QR r0, r5, r8, lr
    QR r1, r6, r9, r10
    SWAP
    QR r2, r7, r8, r11
    QR r3, r4, r9, r12
.endm

.macro DOUBLEROUND
    // columns; r8, r9 hold x8, x9
    QR r0, r4, r8, r10
    QR r1, r5, r9, r11
    SWAP
    QR r2, r6, r8, r12
    QR r3, r7, r9, lr
    DIAGONALS
.endm

// One output row: r0..r3 hold four state words (pending rotation rot),
// lr points at the matching input words, r12 at the source and r11 at the
// destination (all three advanced).  Aligned buffers move four words per
// ldm/stm; otherwise a word at a time (ldr/str allow unaligned addresses).
// ctr: this is row 3; advance the block counter in the state and the cache.
.macro ADDROT x, s, rot
    .if \rot
    add \x, \s, \x, ror #\rot
    .else
    add \x, \x, \s
    .endif
.endm

.macro ROW rot, aligned, ctr=0
    ldm lr!, {r4-r7}
    ADDROT r0, r4, \rot
    ADDROT r1, r5, \rot
    ADDROT r2, r6, \rot
    ADDROT r3, r7, \rot
    .if \ctr
    adds r4, r4, #1
    str r4, [lr, #-16]
    str r4, [sp, #S_CACHE + 40 + WALK_OUT]
    .endif
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

// Feed-forward, XOR, store.  On entry r8, r9 = x8, x9 and x10, x11 just
// above sp.  Rows 1 and 3 go to S_ROW1 and row 2 next to x10, x11, so that
// four registers are free for each row; row 0 stays in r0..r3.
.macro OUTPUT aligned
    strd r8, r9, [sp, #-8]!
    add r8, sp, #S_ROW1 + WALK_OUT
    stm r8, {r4-r7, r10-r12, lr}
    ldr lr, [sp, #S_STATE + WALK_OUT]
    ldrd r11, r12, [sp, #S_DST + WALK_OUT]
    ROW 0, \aligned
    ldm r8!, {r0-r3}
    ROW 25, \aligned
    ldm sp, {r0-r3}
    ROW 0, \aligned
    ldm r8, {r0-r3}
    ROW 24, \aligned, 1
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
    strd r1, r2, [sp, #S_DST]
    add r3, r2, r3, lsl #6
    str r3, [sp, #S_END]
    adr r3, .Lrounds
    orr r3, r3, #1
    str r3, [sp, #S_E1]
    str r3, [sp, #S_E2]
    // The output pass depends only on the (public) buffer addresses.
    orr r1, r1, r2
    tst r1, #3
    adr r1, .Lout_aligned
    beq 1f
    adr r1, .Lout_unaligned
1:  orr r1, r1, #1
    str r1, [sp, #S_E3]

    // Columns 1..3 of the first round do not depend on the block counter
    // (x12): compute them once per call into the cache.
    add r1, r0, #48
    ldm r1, {r10, r11, r12, lr}
    ldm r0, {r0-r9}
    QRF r1, r5, r9, r11
    strd r8, r9, [sp, #S_CACHE + 32]
    ldr r8, [sp, #S_STATE]
    ldrd r8, r9, [r8, #40]
    QRF r2, r6, r8, r12
    QRF r3, r7, r9, lr
    strd r8, r9, [sp, #S_CACHE + 56]
    strd r10, r11, [sp, #S_CACHE + 40]
    strd r12, lr, [sp, #S_CACHE + 48]
    stm sp, {r0-r7}

.Lblock:
    ldm sp, {r0-r12, lr}
    // first double round: column 0, the cached columns, the diagonals
    QRF r0, r4, r8, r10
    strd r8, r9, [sp, #-8]!
    ldrd r8, r9, [sp, #8 + S_CACHE + 56]
    DIAGONALS
    // 3 x 3 double rounds; sp is WALK_LOOP lower after each pass
.Lrounds:
    DOUBLEROUND
    DOUBLEROUND
    DOUBLEROUND
    ldr pc, [sp, #E_OFF]

    .p2align 2
.Lout_unaligned:
    OUTPUT 0
    b .Lnext
    .p2align 2
.Lout_aligned:
    OUTPUT 1
.Lnext:
    add sp, sp, #WALK_OUT
    strd r11, r12, [sp, #S_DST]
    ldr r0, [sp, #S_END]
    cmp r12, r0
    bne .Lblock
    add sp, sp, #FRAME
    pop {r4-r11, pc}
    .size wgc_chacha20_xor_thumb2, .-wgc_chacha20_xor_thumb2

#endif
