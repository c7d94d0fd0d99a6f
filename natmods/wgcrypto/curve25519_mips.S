// GF(2^255 - 19) multiplication for MIPS32r2 (o32 ABI), either endianness.
//
//   void wgc_fe32_mul_mips(uint32_t out[8], const uint32_t a[8], const uint32_t b[8]);
// Inputs: any values below 2^256 (eight 32-bit limbs, least significant
// first, native word order as used by curve25519_r32.c).
// Output: a value below 2^256 congruent to a * b mod 2^255 - 19.
//
// The 512-bit product is computed column by column (product scanning) with
// a, b in $8..$15, $16..$23.  A column is accumulated in HI:LO with maddu;
// a column of up to eight 64-bit products can exceed 2^64, so after each
// maddu the new HI is compared with the previous one: HI went down exactly
// when HI:LO wrapped (a single product is below 2^64 - 2^33 + 2), and those
// wraps are counted in $7, the third word of the column.  The column's low
// word is stored and (third word : HI) becomes the next column's HI:LO.
// The product is then folded with 2^256 = 38 mod p; every step is a
// multiply-accumulate that cannot overflow 64 bits.
// No branch or address depends on the operands.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_MIPS32R2) && defined(WGC_OPT_X25519) && WGC_OPT_X25519

    .text
    .set noreorder
    .set noat

#define FRAME 96        // p0..p14 at 0..56, saved $16..$23 at 64..92

    .globl wgc_fe32_mul_mips
    .type wgc_fe32_mul_mips, @function
    .ent wgc_fe32_mul_mips
wgc_fe32_mul_mips:
    addiu $sp, $sp, -FRAME
    sw $16, 64($sp)
    sw $17, 68($sp)
    sw $18, 72($sp)
    sw $19, 76($sp)
    sw $20, 80($sp)
    sw $21, 84($sp)
    sw $22, 88($sp)
    sw $23, 92($sp)
    lw $8, 0($5)
    lw $9, 4($5)
    lw $10, 8($5)
    lw $11, 12($5)
    lw $12, 16($5)
    lw $13, 20($5)
    lw $14, 24($5)
    lw $15, 28($5)
    lw $16, 0($6)
    lw $17, 4($6)
    lw $18, 8($6)
    lw $19, 12($6)
    lw $20, 16($6)
    lw $21, 20($6)
    lw $22, 24($6)
    lw $23, 28($6)
    mtlo $0
    mthi $0
    move $7, $0
    // $2/$3: HI after the last two products, $7: wraps in this column
    // column 0
    maddu $8, $16        // a0 b0
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    mflo $25
    sw $25, 0($sp)
    mtlo $2
    mthi $7
    // column 1
    maddu $8, $17        // a0 b1
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $16        // a1 b0
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $25
    sw $25, 4($sp)
    mtlo $3
    mthi $7
    // column 2
    maddu $8, $18        // a0 b2
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $17        // a1 b1
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $10, $16        // a2 b0
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    mflo $25
    sw $25, 8($sp)
    mtlo $2
    mthi $7
    // column 3
    maddu $8, $19        // a0 b3
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $18        // a1 b2
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $10, $17        // a2 b1
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $11, $16        // a3 b0
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $25
    sw $25, 12($sp)
    mtlo $3
    mthi $7
    // column 4
    maddu $8, $20        // a0 b4
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $19        // a1 b3
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $10, $18        // a2 b2
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $11, $17        // a3 b1
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $12, $16        // a4 b0
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    mflo $25
    sw $25, 16($sp)
    mtlo $2
    mthi $7
    // column 5
    maddu $8, $21        // a0 b5
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $20        // a1 b4
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $10, $19        // a2 b3
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $11, $18        // a3 b2
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $12, $17        // a4 b1
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $13, $16        // a5 b0
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $25
    sw $25, 20($sp)
    mtlo $3
    mthi $7
    // column 6
    maddu $8, $22        // a0 b6
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $21        // a1 b5
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $10, $20        // a2 b4
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $11, $19        // a3 b3
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $12, $18        // a4 b2
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $13, $17        // a5 b1
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $14, $16        // a6 b0
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    mflo $25
    sw $25, 24($sp)
    mtlo $2
    mthi $7
    // column 7
    maddu $8, $23        // a0 b7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $22        // a1 b6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $10, $21        // a2 b5
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $11, $20        // a3 b4
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $12, $19        // a4 b3
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $13, $18        // a5 b2
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $14, $17        // a6 b1
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $15, $16        // a7 b0
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $25
    sw $25, 28($sp)
    mtlo $3
    mthi $7
    // column 8
    maddu $9, $23        // a1 b7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $10, $22        // a2 b6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $11, $21        // a3 b5
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $12, $20        // a4 b4
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $13, $19        // a5 b3
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $14, $18        // a6 b2
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $15, $17        // a7 b1
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    mflo $25
    sw $25, 32($sp)
    mtlo $2
    mthi $7
    // column 9
    maddu $10, $23        // a2 b7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $11, $22        // a3 b6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $12, $21        // a4 b5
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $13, $20        // a5 b4
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $14, $19        // a6 b3
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $15, $18        // a7 b2
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $25
    sw $25, 36($sp)
    mtlo $3
    mthi $7
    // column 10
    maddu $11, $23        // a3 b7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $12, $22        // a4 b6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $13, $21        // a5 b5
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $14, $20        // a6 b4
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $15, $19        // a7 b3
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    mflo $25
    sw $25, 40($sp)
    mtlo $2
    mthi $7
    // column 11
    maddu $12, $23        // a4 b7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $13, $22        // a5 b6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $14, $21        // a6 b5
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $15, $20        // a7 b4
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $25
    sw $25, 44($sp)
    mtlo $3
    mthi $7
    // column 12
    maddu $13, $23        // a5 b7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $14, $22        // a6 b6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $15, $21        // a7 b5
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    mflo $25
    sw $25, 48($sp)
    mtlo $2
    mthi $7
    // column 13
    maddu $14, $23        // a6 b7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $15, $22        // a7 b6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $25
    sw $25, 52($sp)
    mtlo $3
    mthi $7
    // column 14
    maddu $15, $23        // a7 b7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    mflo $25
    sw $25, 56($sp)
    move $23, $2          // p15
    // fold: o_i = p_i + 38 p_(i+8) + carry, carries below 2^6 + 2
    lw $8, 0($sp)
    lw $9, 4($sp)
    lw $10, 8($sp)
    lw $11, 12($sp)
    lw $12, 16($sp)
    lw $13, 20($sp)
    lw $14, 24($sp)
    lw $15, 28($sp)
    lw $16, 32($sp)
    lw $17, 36($sp)
    lw $18, 40($sp)
    lw $19, 44($sp)
    lw $20, 48($sp)
    lw $21, 52($sp)
    lw $22, 56($sp)
    li $24, 38
    li $5, 1
    mtlo $8
    mthi $0
    maddu $16, $24
    mflo $8
    mfhi $2
    mtlo $9
    mthi $0
    maddu $17, $24
    maddu $2, $5
    mflo $9
    mfhi $2
    mtlo $10
    mthi $0
    maddu $18, $24
    maddu $2, $5
    mflo $10
    mfhi $2
    mtlo $11
    mthi $0
    maddu $19, $24
    maddu $2, $5
    mflo $11
    mfhi $2
    mtlo $12
    mthi $0
    maddu $20, $24
    maddu $2, $5
    mflo $12
    mfhi $2
    mtlo $13
    mthi $0
    maddu $21, $24
    maddu $2, $5
    mflo $13
    mfhi $2
    mtlo $14
    mthi $0
    maddu $22, $24
    maddu $2, $5
    mflo $14
    mfhi $2
    mtlo $15
    mthi $0
    maddu $23, $24
    maddu $2, $5
    mflo $15
    mfhi $2
    // the carry out of bit 256 re-enters as 38 * carry; if that carries out
    // again, the sum wrapped to a tiny value and one more 38 cannot carry
    mul $2, $2, $24
    addu $8, $8, $2
    sltu $1, $8, $2
    addu $9, $9, $1
    sltu $1, $9, $1
    addu $10, $10, $1
    sltu $1, $10, $1
    addu $11, $11, $1
    sltu $1, $11, $1
    addu $12, $12, $1
    sltu $1, $12, $1
    addu $13, $13, $1
    sltu $1, $13, $1
    addu $14, $14, $1
    sltu $1, $14, $1
    addu $15, $15, $1
    sltu $1, $15, $1
    subu $1, $0, $1
    andi $1, $1, 38
    addu $8, $8, $1
    sw $8, 0($4)
    sw $9, 4($4)
    sw $10, 8($4)
    sw $11, 12($4)
    sw $12, 16($4)
    sw $13, 20($4)
    sw $14, 24($4)
    sw $15, 28($4)
    lw $16, 64($sp)
    lw $17, 68($sp)
    lw $18, 72($sp)
    lw $19, 76($sp)
    lw $20, 80($sp)
    lw $21, 84($sp)
    lw $22, 88($sp)
    lw $23, 92($sp)
    jr $ra
    addiu $sp, $sp, FRAME     // delay slot
    .end wgc_fe32_mul_mips
    .size wgc_fe32_mul_mips, .-wgc_fe32_mul_mips

#endif
