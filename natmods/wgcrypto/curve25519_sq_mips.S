// GF(2^255 - 19) squaring for MIPS32r2 (o32 ABI), either endianness.
//
//   void wgc_fe32_sq_mips(uint32_t out[8], const uint32_t a[8]);
// Input: any value below 2^256 (eight 32-bit limbs, least significant
// first).  Output: a value below 2^256 congruent to a^2 mod 2^255 - 19.
//
// 36 products instead of the multiply's 64: the 28 cross products a_i a_j
// (i < j) are summed column by column as in curve25519_mips.S (HI:LO with
// maddu; a wrap of HI:LO shows as HI dropping, counted in $7), the sum is
// doubled with shifts, and the squares a_i^2 are added two words at a time.
// All 16 product words stay in registers; the product is then folded with
// 2^256 = 38 mod p.  No branch or address depends on the operand.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_MIPS32R2) && defined(WGC_OPT_X25519) && WGC_OPT_X25519

    .text
    .set noreorder
    .set noat

    .globl wgc_fe32_sq_mips
    .type wgc_fe32_sq_mips, @function
    .ent wgc_fe32_sq_mips
wgc_fe32_sq_mips:
    addiu $sp, $sp, -48
    sw $16, 0($sp)
    sw $17, 4($sp)
    sw $18, 8($sp)
    sw $19, 12($sp)
    sw $20, 16($sp)
    sw $21, 20($sp)
    sw $22, 24($sp)
    sw $23, 28($sp)
    sw $28, 32($sp)
    sw $30, 36($sp)
    sw $31, 40($sp)
    lw $8, 0($5)
    lw $9, 4($5)
    lw $10, 8($5)
    lw $11, 12($5)
    lw $12, 16($5)
    lw $13, 20($5)
    lw $14, 24($5)
    lw $15, 28($5)
    // 1. cross products C = sum a_i a_j 2^(32 (i + j)), i < j, into w1..w15
    mtlo $0
    mthi $0
    move $7, $0
    // column 1
    maddu $8, $9        // a0 a1
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    mflo $16             // w1
    mtlo $2
    mthi $7
    // column 2
    maddu $8, $10        // a0 a2
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    mflo $17             // w2
    mtlo $2
    mthi $7
    // column 3
    maddu $8, $11        // a0 a3
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $10        // a1 a2
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $18             // w3
    mtlo $3
    mthi $7
    // column 4
    maddu $8, $12        // a0 a4
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $11        // a1 a3
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $19             // w4
    mtlo $3
    mthi $7
    // column 5
    maddu $8, $13        // a0 a5
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $12        // a1 a4
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $10, $11        // a2 a3
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    mflo $20             // w5
    mtlo $2
    mthi $7
    // column 6
    maddu $8, $14        // a0 a6
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $13        // a1 a5
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $10, $12        // a2 a4
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    mflo $21             // w6
    mtlo $2
    mthi $7
    // column 7
    maddu $8, $15        // a0 a7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $9, $14        // a1 a6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $10, $13        // a2 a5
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    maddu $11, $12        // a3 a4
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $22             // w7
    mtlo $3
    mthi $7
    // column 8
    maddu $9, $15        // a1 a7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $10, $14        // a2 a6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $11, $13        // a3 a5
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    mflo $23             // w8
    mtlo $2
    mthi $7
    // column 9
    maddu $10, $15        // a2 a7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $11, $14        // a3 a6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    maddu $12, $13        // a4 a5
    mfhi $2
    sltu $1, $2, $3
    addu $7, $7, $1
    mflo $5             // w9
    mtlo $2
    mthi $7
    // column 10
    maddu $11, $15        // a3 a7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $12, $14        // a4 a6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $6             // w10
    mtlo $3
    mthi $7
    // column 11
    maddu $12, $15        // a4 a7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    maddu $13, $14        // a5 a6
    mfhi $3
    sltu $1, $3, $2
    addu $7, $7, $1
    mflo $24             // w11
    mtlo $3
    mthi $7
    // column 12
    maddu $13, $15        // a5 a7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    mflo $28             // w12
    mtlo $2
    mthi $7
    // column 13
    maddu $14, $15        // a6 a7
    mfhi $2
    sltu $1, $2, $7
    move $7, $1
    mflo $30             // w13
    move $31, $2          // w14
    move $25, $7          // w15
    // 2. D = 2 C, in place from the top word down
    sll $25, $25, 1
    srl $1, $31, 31
    or $25, $25, $1
    sll $31, $31, 1
    srl $1, $30, 31
    or $31, $31, $1
    sll $30, $30, 1
    srl $1, $28, 31
    or $30, $30, $1
    sll $28, $28, 1
    srl $1, $24, 31
    or $28, $28, $1
    sll $24, $24, 1
    srl $1, $6, 31
    or $24, $24, $1
    sll $6, $6, 1
    srl $1, $5, 31
    or $6, $6, $1
    sll $5, $5, 1
    srl $1, $23, 31
    or $5, $5, $1
    sll $23, $23, 1
    srl $1, $22, 31
    or $23, $23, $1
    sll $22, $22, 1
    srl $1, $21, 31
    or $22, $22, $1
    sll $21, $21, 1
    srl $1, $20, 31
    or $21, $21, $1
    sll $20, $20, 1
    srl $1, $19, 31
    or $20, $20, $1
    sll $19, $19, 1
    srl $1, $18, 31
    or $19, $19, $1
    sll $18, $18, 1
    srl $1, $17, 31
    or $18, $18, $1
    sll $17, $17, 1
    srl $1, $16, 31
    or $17, $17, $1
    sll $16, $16, 1
    // 3. P = D + sum a_i^2 2^(64 i): (d_2i+1 : d_2i) + a_i^2 + carry wraps
    //    at most once, seen as HI dropping below d_2i+1
    li $2, 1
    mtlo $0
    mthi $16
    maddu $8, $8        // a0^2
    mflo $8
    mfhi $3
    sltu $7, $3, $16
    mtlo $17
    mthi $18
    maddu $9, $9        // a1^2
    maddu $7, $2
    mflo $17
    mfhi $16
    sltu $7, $16, $18
    mtlo $19
    mthi $20
    maddu $10, $10        // a2^2
    maddu $7, $2
    mflo $19
    mfhi $18
    sltu $7, $18, $20
    mtlo $21
    mthi $22
    maddu $11, $11        // a3^2
    maddu $7, $2
    mflo $21
    mfhi $20
    sltu $7, $20, $22
    mtlo $23
    mthi $5
    maddu $12, $12        // a4^2
    maddu $7, $2
    mflo $23
    mfhi $22
    sltu $7, $22, $5
    mtlo $6
    mthi $24
    maddu $13, $13        // a5^2
    maddu $7, $2
    mflo $6
    mfhi $5
    sltu $7, $5, $24
    mtlo $28
    mthi $30
    maddu $14, $14        // a6^2
    maddu $7, $2
    mflo $28
    mfhi $24
    sltu $7, $24, $30
    mtlo $31
    mthi $25
    maddu $15, $15        // a7^2
    maddu $7, $2
    mflo $31
    mfhi $30
    // 4. fold: o_i = p_i + 38 p_(i+8) + carry, carries below 2^6 + 2
    li $25, 38
    mtlo $8
    mthi $0
    maddu $23, $25
    mflo $8
    mfhi $1
    mtlo $3
    mthi $0
    maddu $22, $25
    maddu $1, $2
    mflo $3
    mfhi $1
    mtlo $17
    mthi $0
    maddu $6, $25
    maddu $1, $2
    mflo $17
    mfhi $1
    mtlo $16
    mthi $0
    maddu $5, $25
    maddu $1, $2
    mflo $16
    mfhi $1
    mtlo $19
    mthi $0
    maddu $28, $25
    maddu $1, $2
    mflo $19
    mfhi $1
    mtlo $18
    mthi $0
    maddu $24, $25
    maddu $1, $2
    mflo $18
    mfhi $1
    mtlo $21
    mthi $0
    maddu $31, $25
    maddu $1, $2
    mflo $21
    mfhi $1
    mtlo $20
    mthi $0
    maddu $30, $25
    maddu $1, $2
    mflo $20
    mfhi $1
    // the carry out of bit 256 re-enters as 38 * carry; if that carries out
    // again, the sum wrapped to a tiny value and one more 38 cannot carry
    mul $1, $1, $25
    addu $8, $8, $1
    sltu $1, $8, $1
    addu $3, $3, $1
    sltu $1, $3, $1
    addu $17, $17, $1
    sltu $1, $17, $1
    addu $16, $16, $1
    sltu $1, $16, $1
    addu $19, $19, $1
    sltu $1, $19, $1
    addu $18, $18, $1
    sltu $1, $18, $1
    addu $21, $21, $1
    sltu $1, $21, $1
    addu $20, $20, $1
    sltu $1, $20, $1
    subu $1, $0, $1
    andi $1, $1, 38
    addu $8, $8, $1
    sw $8, 0($4)
    sw $3, 4($4)
    sw $17, 8($4)
    sw $16, 12($4)
    sw $19, 16($4)
    sw $18, 20($4)
    sw $21, 24($4)
    sw $20, 28($4)
    lw $16, 0($sp)
    lw $17, 4($sp)
    lw $18, 8($sp)
    lw $19, 12($sp)
    lw $20, 16($sp)
    lw $21, 20($sp)
    lw $22, 24($sp)
    lw $23, 28($sp)
    lw $28, 32($sp)
    lw $30, 36($sp)
    lw $31, 40($sp)
    jr $ra
    addiu $sp, $sp, 48        // delay slot
    .end wgc_fe32_sq_mips
    .size wgc_fe32_sq_mips, .-wgc_fe32_sq_mips

#endif
