// GF(2^255 - 19) addition, subtraction, multiplication by 121665 and
// conditional swap on radix 2^32 elements (eight little-endian limbs, any
// value below 2^256), for Thumb-2 (ARMv7-M, ARMv7E-M, ARMv7-A).  Carries and
// borrows out of bit 256 fold back in as 38 (2^256 = 38 mod p) through
// carry-flag arithmetic and masks: nothing branches on or indexes by data.
//
//   void wgc_fe32_add(uint32_t h[8], const uint32_t f[8], const uint32_t g[8]);
//   void wgc_fe32_sub(uint32_t h[8], const uint32_t f[8], const uint32_t g[8]);
//   void wgc_fe32_mul121665(uint32_t h[8], const uint32_t f[8]);
//   void wgc_fe32_cswap(uint32_t f[8], uint32_t g[8], uint32_t swap);  // swap 0 or 1

#include "wgcrypto_config.h"

#if defined(WGC_ASM_FE32_THUMB2)

    .syntax unified
    .thumb
    .text

// r3..r10 += r1 (below 2^32 - 38), then r3 += 38 if that carried out of
// bit 256: the sum then wrapped to a small value, so this cannot carry again.
// r2 holds 38.
.macro FOLD38_R1
    adds r3, r3, r1
    adcs r4, r4, #0
    adcs r5, r5, #0
    adcs r6, r6, #0
    adcs r7, r7, #0
    adcs r8, r8, #0
    adcs r9, r9, #0
    adcs r10, r10, #0
    sbc r1, r1, r1              // carry set: 0, clear: -1
    bic r1, r2, r1
    add r3, r3, r1
.endm

// r3..r10 -= r1 (0 or 38), then r3 -= 38 if that borrowed: the value was
// below 38 and is now near 2^256, so this cannot borrow again.  r2 holds 38.
.macro UNFOLD38_R1
    subs r3, r3, r1
    sbcs r4, r4, #0
    sbcs r5, r5, #0
    sbcs r6, r6, #0
    sbcs r7, r7, #0
    sbcs r8, r8, #0
    sbcs r9, r9, #0
    sbcs r10, r10, #0
    sbc r1, r1, r1              // borrow: -1, none: 0
    and r1, r1, r2
    sub r3, r3, r1
.endm

// Low halves of f (r3..r6) and g (r7..r10); r1 and r2 move on to the high
// halves, which are loaded mid-chain (LDM leaves the flags alone).
.macro LOAD_HALVES
    ldm r1!, {r3-r6}
    ldm r2!, {r7-r10}
.endm

    .global wgc_fe32_add
    .type wgc_fe32_add, %function
    .thumb_func
wgc_fe32_add:
    push {r4-r11}
    LOAD_HALVES
    adds r3, r3, r7
    adcs r4, r4, r8
    adcs r5, r5, r9
    adcs r6, r6, r10
    ldm r1, {r7-r10}
    ldm r2, {r1, r2, r11, r12}
    adcs r7, r7, r1
    adcs r8, r8, r2
    adcs r9, r9, r11
    adcs r10, r10, r12
    mov.w r2, #38
    sbc r1, r1, r1              // carry out of bit 256 -> 38
    bic r1, r2, r1
    FOLD38_R1
    stm r0, {r3-r10}
    pop {r4-r11}
    bx lr
    .size wgc_fe32_add, .-wgc_fe32_add

    .global wgc_fe32_sub
    .type wgc_fe32_sub, %function
    .thumb_func
wgc_fe32_sub:
    push {r4-r11}
    LOAD_HALVES
    subs r3, r3, r7
    sbcs r4, r4, r8
    sbcs r5, r5, r9
    sbcs r6, r6, r10
    ldm r1, {r7-r10}
    ldm r2, {r1, r2, r11, r12}
    sbcs r7, r7, r1
    sbcs r8, r8, r2
    sbcs r9, r9, r11
    sbcs r10, r10, r12
    mov.w r2, #38
    sbc r1, r1, r1              // borrow out of bit 256 -> 38
    and r1, r1, r2
    UNFOLD38_R1
    stm r0, {r3-r10}
    pop {r4-r11}
    bx lr
    .size wgc_fe32_sub, .-wgc_fe32_sub

// h_i = low word of f_i * 121665 + carry (r1); the high word is the next carry.
.macro MULK_LIMB r
    umull \r, r12, \r, r2
    adds \r, \r, r1
    adc r1, r12, #0
.endm

    .global wgc_fe32_mul121665
    .type wgc_fe32_mul121665, %function
    .thumb_func
wgc_fe32_mul121665:
    push {r4-r10}
    ldm r1, {r3-r10}
    movw r2, #0xdb41            // 121665 = 0x1db41
    movt r2, #0x0001
    umull r3, r1, r3, r2
    MULK_LIMB r4
    MULK_LIMB r5
    MULK_LIMB r6
    MULK_LIMB r7
    MULK_LIMB r8
    MULK_LIMB r9
    MULK_LIMB r10
    mov.w r2, #38
    mul r1, r1, r2              // top word < 2^17, times 38
    FOLD38_R1
    stm r0, {r3-r10}
    pop {r4-r10}
    bx lr
    .size wgc_fe32_mul121665, .-wgc_fe32_mul121665

// Four limbs of f (r3..r6) and g (r7..r10) exchanged under the mask in r2.
.macro CSWAP4
    ldm r0, {r3-r6}
    ldm r1, {r7-r10}
    eor r11, r3, r7
    eor r12, r4, r8
    and r11, r11, r2
    and r12, r12, r2
    eor r3, r3, r11
    eor r7, r7, r11
    eor r4, r4, r12
    eor r8, r8, r12
    eor r11, r5, r9
    eor r12, r6, r10
    and r11, r11, r2
    and r12, r12, r2
    eor r5, r5, r11
    eor r9, r9, r11
    eor r6, r6, r12
    eor r10, r10, r12
    stm r0!, {r3-r6}
    stm r1!, {r7-r10}
.endm

    .global wgc_fe32_cswap
    .type wgc_fe32_cswap, %function
    .thumb_func
wgc_fe32_cswap:
    push {r4-r11}
    rsb r2, r2, #0              // 0 or all ones
    CSWAP4
    CSWAP4
    pop {r4-r11}
    bx lr
    .size wgc_fe32_cswap, .-wgc_fe32_cswap

#endif
