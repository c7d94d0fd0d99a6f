// Poly1305 block function for MIPS32r2 (o32 ABI), big- and little-endian,
// radix 2^32 with the HI:LO multiply-accumulator (multu/maddu).
//
//   void wgc_poly1305_blocks_mips(uint32_t st[12], const uint8_t *m,
//                                 size_t nblocks, uint32_t hibit);
// st: h0..h4 (h4 a few bits), r0..r3 (clamped key), s1..s3 (s_i = r_i + r_i/4).
// For each 16-byte block: h = (h + m + hibit * 2^128) * r, partially reduced.
//
// Column k of the product collects the terms h_i r_j with i + j = k; terms
// with i + j >= 4 sit at 2^128 * 2^(32 (i + j - 4)) and 2^128 = 5/4 mod
// 2^130 - 5, so they enter column i + j - 4 multiplied by s_j = 5/4 r_j
// (exact: clamping makes r1..r3 multiples of 4).  Clamping keeps every r_j
// below 2^28, so a column (five products plus the carry in) stays below
// 2^64 and HI:LO accumulates it without overflow.  The top column
// d4 = h4 r0 + carry is below 2^31; its bits from 2^130 up fold back times 5.
// Carries between words use sltu.  No branch or address depends on h, r or
// the message (only on the block count and the message's alignment).

#include "wgcrypto_config.h"

#if defined(WGC_ASM_MIPS32R2) && defined(WGC_OPT_POLY1305) && WGC_OPT_POLY1305

    .text
    .set noreorder
    .set noat

#define ST    $4
#define MSG   $5
#define NBLK  $6
#define HIBIT $7

#define H0 $8
#define H1 $9
#define H2 $10
#define H3 $11
#define H4 $12
#define R0 $13
#define R1 $14
#define R2 $15
#define R3 $16
#define S1 $17
#define S2 $18
#define S3 $19
#define W0 $20
#define W1 $21
#define W2 $22
#define W3 $23
#define C  $1
#define T  $2
#define U  $3
#define D4 $24

// Little-endian message word from an aligned (a = 1) or unaligned address.
.macro LDW w, off, a
.if \a
    lw   \w, \off(MSG)
.else
#if defined(__MIPSEB__)
    lwl  \w, \off(MSG)
    lwr  \w, \off+3(MSG)
#else
    lwr  \w, \off(MSG)
    lwl  \w, \off+3(MSG)
#endif
.endif
#if defined(__MIPSEB__)
    wsbh \w, \w
    rotr \w, \w, 16
#endif
.endm

// h += w + carry c (c in and out; the two carries cannot both be set).
.macro ADDC h, w
    addu \h, \h, \w
    sltu T, \h, \w
    addu \h, \h, C
    sltu C, \h, C
    or   C, C, T
.endm

// Carry in C (below 2^32) as the start of a column.
.macro COLSTART
    mtlo C
    mthi $0
.endm

.macro BLOCKS a
1:
    LDW W0, 0, \a
    LDW W1, 4, \a
    LDW W2, 8, \a
    LDW W3, 12, \a
    // h += m + hibit * 2^128
    addu H0, H0, W0
    sltu C, H0, W0
    ADDC H1, W1
    ADDC H2, W2
    ADDC H3, W3
    addu H4, H4, HIBIT
    addu H4, H4, C
    // column 0: h0 r0 + h1 s3 + h2 s2 + h3 s1
    multu H0, R0
    maddu H1, S3
    maddu H2, S2
    maddu H3, S1
    mflo W0
    mfhi C
    // column 1: carry + h0 r1 + h1 r0 + h2 s3 + h3 s2 + h4 s1
    COLSTART
    maddu H0, R1
    maddu H1, R0
    maddu H2, S3
    maddu H3, S2
    maddu H4, S1
    mflo W1
    mfhi C
    // column 2: carry + h0 r2 + h1 r1 + h2 r0 + h3 s3 + h4 s2
    COLSTART
    maddu H0, R2
    maddu H1, R1
    maddu H2, R0
    maddu H3, S3
    maddu H4, S2
    mflo W2
    mfhi C
    // column 3: carry + h0 r3 + h1 r2 + h2 r1 + h3 r0 + h4 s3
    COLSTART
    maddu H0, R3
    maddu H1, R2
    maddu H2, R1
    maddu H3, R0
    maddu H4, S3
    mflo W3
    mfhi C
    // column 4: carry + h4 r0
    mul  D4, H4, R0
    addu D4, D4, C
    // fold bits 130 and up: h = d mod 2^130 + 5 (d >> 130)
    andi H4, D4, 3
    srl  T, D4, 2
    xor  U, D4, H4
    addu U, U, T
    addu H0, W0, U
    sltu C, H0, U
    addu H1, W1, C
    sltu C, H1, C
    addu H2, W2, C
    sltu C, H2, C
    addu H3, W3, C
    sltu C, H3, C
    addiu NBLK, NBLK, -1
    addu H4, H4, C
    bnez NBLK, 1b
    addiu MSG, MSG, 16        // delay slot
.endm

    .globl wgc_poly1305_blocks_mips
    .type wgc_poly1305_blocks_mips, @function
    .ent wgc_poly1305_blocks_mips
wgc_poly1305_blocks_mips:
    beqz NBLK, .Lret
    nop
    addiu $sp, $sp, -32
    sw $16, 0($sp)
    sw $17, 4($sp)
    sw $18, 8($sp)
    sw $19, 12($sp)
    sw $20, 16($sp)
    sw $21, 20($sp)
    sw $22, 24($sp)
    sw $23, 28($sp)
    lw H0, 0(ST)
    lw H1, 4(ST)
    lw H2, 8(ST)
    lw H3, 12(ST)
    lw H4, 16(ST)
    lw R0, 20(ST)
    lw R1, 24(ST)
    lw R2, 28(ST)
    lw R3, 32(ST)
    lw S1, 36(ST)
    lw S2, 40(ST)
    lw S3, 44(ST)
    andi T, MSG, 3
    bnez T, .Lunaligned
    nop
    BLOCKS 1
    b .Ldone
    nop
.Lunaligned:
    BLOCKS 0
.Ldone:
    sw H0, 0(ST)
    sw H1, 4(ST)
    sw H2, 8(ST)
    sw H3, 12(ST)
    sw H4, 16(ST)
    lw $16, 0($sp)
    lw $17, 4($sp)
    lw $18, 8($sp)
    lw $19, 12($sp)
    lw $20, 16($sp)
    lw $21, 20($sp)
    lw $22, 24($sp)
    lw $23, 28($sp)
    addiu $sp, $sp, 32
.Lret:
    jr $ra
    nop
    .end wgc_poly1305_blocks_mips
    .size wgc_poly1305_blocks_mips, .-wgc_poly1305_blocks_mips

#endif
