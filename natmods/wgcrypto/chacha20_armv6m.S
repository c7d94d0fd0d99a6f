// ChaCha20 block function and stream XOR for ARMv6-M (Cortex-M0/M0+,
// Thumb-1), little-endian, from RFC 8439 section 2.3.
//
//   void wgc_chacha20_xor_armv6m(uint32_t state[16], uint8_t *dst,
//                                const uint8_t *src, size_t nblocks);
// XORs nblocks whole 64-byte blocks of keystream into dst and advances the
// block counter state[12] by nblocks.  dst may equal src.
//
// Thumb-1 has eight usable registers and only a register-operand rotate, so
// the working state lives on the stack: each quarter round loads its four
// words into r0-r3, and r4-r7 hold the four rotate amounts (right by 16, 20,
// 24, 25 = left by 16, 12, 8, 7).  Cortex-M0 faults on unaligned word
// access, so blocks are XORed by words when src and dst are both aligned
// and by bytes otherwise (the branch depends on addresses, not on data).
// Pure add/rotate/xor: no data-dependent branch or address.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_ARMV6M)

    .syntax unified
    .thumb
    .text

// Stack frame (after push {r4-r7, lr} and r8): x[16] at 0, then
#define S_STATE 64
#define S_DST   68
#define S_SRC   72
#define S_N     76
#define FRAME   80

.macro QR a, b, c, d
    ldr r0, [sp, #4*\a]
    ldr r1, [sp, #4*\b]
    ldr r2, [sp, #4*\c]
    ldr r3, [sp, #4*\d]
    adds r0, r0, r1
    eors r3, r0
    rors r3, r4
    adds r2, r2, r3
    eors r1, r2
    rors r1, r5
    adds r0, r0, r1
    eors r3, r0
    rors r3, r6
    adds r2, r2, r3
    eors r1, r2
    rors r1, r7
    str r0, [sp, #4*\a]
    str r1, [sp, #4*\b]
    str r2, [sp, #4*\c]
    str r3, [sp, #4*\d]
.endm

// word i: dst = src ^ (x[i] + state[i]); r0 = state, r1 = dst, r2 = src
.macro XORW i
    ldr r3, [sp, #4*\i]
    ldr r4, [r0, #4*\i]
    adds r3, r3, r4
    ldr r5, [r2, #4*\i]
    eors r3, r5
    str r3, [r1, #4*\i]
.endm

// x[i] += state[i] (keystream word kept on the stack for the byte path)
.macro FFW i
    ldr r3, [sp, #4*\i]
    ldr r4, [r0, #4*\i]
    adds r3, r3, r4
    str r3, [sp, #4*\i]
.endm

    .global wgc_chacha20_xor_armv6m
    .type wgc_chacha20_xor_armv6m, %function
    .thumb_func
    .align 2
wgc_chacha20_xor_armv6m:
    push {r4-r7, lr}
    mov r4, r8
    push {r4}
    sub sp, #FRAME
    str r0, [sp, #S_STATE]
    str r1, [sp, #S_DST]
    str r2, [sp, #S_SRC]
    str r3, [sp, #S_N]
    cmp r3, #0
    bne .Lblock
    b .Ldone
.Lblock:
    // x = state
    ldr r0, [sp, #S_STATE]
    mov r1, sp
    ldm r0!, {r2-r5}
    stm r1!, {r2-r5}
    ldm r0!, {r2-r5}
    stm r1!, {r2-r5}
    ldm r0!, {r2-r5}
    stm r1!, {r2-r5}
    ldm r0!, {r2-r5}
    stm r1!, {r2-r5}
    movs r4, #16
    movs r5, #20
    movs r6, #24
    movs r7, #25
    movs r0, #10
    mov r8, r0
.Lround:
    // column round
    QR 0, 4, 8, 12
    QR 1, 5, 9, 13
    QR 2, 6, 10, 14
    QR 3, 7, 11, 15
    // diagonal round
    QR 0, 5, 10, 15
    QR 1, 6, 11, 12
    QR 2, 7, 8, 13
    QR 3, 4, 9, 14
    mov r0, r8
    subs r0, #1
    mov r8, r0
    beq .Lrounds_done
    b .Lround
.Lrounds_done:
    ldr r0, [sp, #S_STATE]
    ldr r1, [sp, #S_DST]
    ldr r2, [sp, #S_SRC]
    movs r3, r1
    orrs r3, r2
    lsls r3, r3, #30
    beq .Laligned
    b .Lunaligned
.Laligned:
    .irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    XORW \i
    .endr
    b .Lnext
.Lunaligned:
    .irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    FFW \i
    .endr
    mov r6, sp
    movs r3, #0
.Lbyte:
    ldrb r4, [r6, r3]
    ldrb r5, [r2, r3]
    eors r4, r5
    strb r4, [r1, r3]
    adds r3, #1
    cmp r3, #64
    bne .Lbyte
.Lnext:
    // state[12]++ (32-bit counter, wraps as RFC 8439 specifies)
    ldr r3, [r0, #48]
    adds r3, #1
    str r3, [r0, #48]
    adds r1, #64
    adds r2, #64
    str r1, [sp, #S_DST]
    str r2, [sp, #S_SRC]
    ldr r3, [sp, #S_N]
    subs r3, #1
    str r3, [sp, #S_N]
    beq .Ldone
    b .Lblock
.Ldone:
    add sp, #FRAME
    pop {r4}
    mov r8, r4
    pop {r4-r7, pc}
    .size wgc_chacha20_xor_armv6m, .-wgc_chacha20_xor_armv6m

#endif // WGC_ASM_ARMV6M
