// ChaCha20 stream XOR for MIPS32r2 (o32 ABI), big- and little-endian.
//
//   void wgc_chacha20_xor_mips(uint32_t state[16], uint8_t *dst,
//                              const uint8_t *src, size_t nblocks);
// XORs nblocks whole 64-byte blocks of keystream into dst and advances the
// block counter state[12] by nblocks.  src and dst may be unaligned.
//
// The 16 state words stay in $8..$23 for all 20 rounds, which are fully
// unrolled: each quarter-round step is addu, xor and one rotr (MIPS32r2).
// Keystream words are little-endian (RFC 8439); on big-endian CPUs they are
// byte-swapped with wsbh + rotr before the XOR.  The only branches are on
// the block count and on the public alignment of src and dst.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_MIPS32R2)

    .text
    .set noreorder
    .set noat

#define X0  $8
#define X1  $9
#define X2  $10
#define X3  $11
#define X4  $12
#define X5  $13
#define X6  $14
#define X7  $15
#define X8  $16
#define X9  $17
#define X10 $18
#define X11 $19
#define X12 $20
#define X13 $21
#define X14 $22
#define X15 $23

#define ST   $4
#define DST  $5
#define SRC  $6
#define NBLK $7

#define FRAME 48
#define S_ALIGN 44

.macro QR a, b, c, d
    addu \a, \a, \b
    xor  \d, \d, \a
    rotr \d, \d, 16
    addu \c, \c, \d
    xor  \b, \b, \c
    rotr \b, \b, 20
    addu \a, \a, \b
    xor  \d, \d, \a
    rotr \d, \d, 24
    addu \c, \c, \d
    xor  \b, \b, \c
    rotr \b, \b, 25
.endm

// Keystream word x (feed-forward with state word i), to native byte order.
.macro KS x, i
    lw   $2, 4*\i(ST)
    addu \x, \x, $2
#if defined(__MIPSEB__)
    wsbh \x, \x
    rotr \x, \x, 16
#endif
.endm

// dst word i = src word i ^ keystream, aligned src and dst.
.macro XA x, i
    KS \x, \i
    lw   $3, 4*\i(SRC)
    xor  $3, $3, \x
    sw   $3, 4*\i(DST)
.endm

// The same with unaligned word accesses (lwl/lwr, swl/swr).
.macro XU x, i
    KS \x, \i
#if defined(__MIPSEB__)
    lwl  $3, 4*\i(SRC)
    lwr  $3, 4*\i+3(SRC)
    xor  $3, $3, \x
    swl  $3, 4*\i(DST)
    swr  $3, 4*\i+3(DST)
#else
    lwr  $3, 4*\i(SRC)
    lwl  $3, 4*\i+3(SRC)
    xor  $3, $3, \x
    swr  $3, 4*\i(DST)
    swl  $3, 4*\i+3(DST)
#endif
.endm

.macro XALL m
    \m X0, 0
    \m X1, 1
    \m X2, 2
    \m X3, 3
    \m X4, 4
    \m X5, 5
    \m X6, 6
    \m X7, 7
    \m X8, 8
    \m X9, 9
    \m X10, 10
    \m X11, 11
    \m X12, 12
    \m X13, 13
    \m X14, 14
    \m X15, 15
.endm

    .globl wgc_chacha20_xor_mips
    .type wgc_chacha20_xor_mips, @function
    .ent wgc_chacha20_xor_mips
wgc_chacha20_xor_mips:
    beqz NBLK, .Lret
    nop
    addiu $sp, $sp, -FRAME
    sw $16, 0($sp)
    sw $17, 4($sp)
    sw $18, 8($sp)
    sw $19, 12($sp)
    sw $20, 16($sp)
    sw $21, 20($sp)
    sw $22, 24($sp)
    sw $23, 28($sp)
    or $1, DST, SRC
    andi $1, $1, 3
    sw $1, S_ALIGN($sp)
.Lblock:
    lw X0, 0(ST)
    lw X1, 4(ST)
    lw X2, 8(ST)
    lw X3, 12(ST)
    lw X4, 16(ST)
    lw X5, 20(ST)
    lw X6, 24(ST)
    lw X7, 28(ST)
    lw X8, 32(ST)
    lw X9, 36(ST)
    lw X10, 40(ST)
    lw X11, 44(ST)
    lw X12, 48(ST)
    lw X13, 52(ST)
    lw X14, 56(ST)
    lw X15, 60(ST)
    .rept 10
    QR X0, X4, X8, X12
    QR X1, X5, X9, X13
    QR X2, X6, X10, X14
    QR X3, X7, X11, X15
    QR X0, X5, X10, X15
    QR X1, X6, X11, X12
    QR X2, X7, X8, X13
    QR X3, X4, X9, X14
    .endr
    lw $1, S_ALIGN($sp)
    bnez $1, .Lunaligned
    nop
    XALL XA
    b .Lnext
    nop
.Lunaligned:
    XALL XU
.Lnext:
    lw $2, 48(ST)
    addiu NBLK, NBLK, -1
    addiu $2, $2, 1           // 32-bit counter, wraps like the C code
    sw $2, 48(ST)
    addiu DST, DST, 64
    bnez NBLK, .Lblock
    addiu SRC, SRC, 64        // delay slot
    lw $16, 0($sp)
    lw $17, 4($sp)
    lw $18, 8($sp)
    lw $19, 12($sp)
    lw $20, 16($sp)
    lw $21, 20($sp)
    lw $22, 24($sp)
    lw $23, 28($sp)
    addiu $sp, $sp, FRAME
.Lret:
    jr $ra
    nop
    .end wgc_chacha20_xor_mips
    .size wgc_chacha20_xor_mips, .-wgc_chacha20_xor_mips

#endif
