#!/usr/bin/env python3
"""Writes curve25519_armv6m.S: GF(2^255 - 19) multiply and square for ARMv6-M.

    python3 curve25519_armv6m_gen.py > curve25519_armv6m.S

Cortex-M0 has only MULS (32x32 -> low 32 bits), so the 256-bit operands are
read as sixteen 16-bit digits (LDRH) and multiplied digit by digit: each
16x16 product fits in 32 bits.  Product scanning builds the 512-bit result
one 32-bit word at a time: digit pairs with i + j = 2K land at bit 32K
(summed in lo:hi), pairs with i + j = 2K + 1 at bit 32K + 16 (summed apart
in olo:ohi, shifted in once per word).  The square sums each i < j pair once
and doubles.  Then 2^256 = 38 (mod p) folds the top half into the bottom.
The code is fully unrolled: straight-line, no branch, every address fixed.
"""

OUT = []


def e(s):
    OUT.append("    " + s)


def column_mul(K, lo, hi, P, Z, olo, ohi, x, y, first):
    """Word K of a * b (a digits at P + 2i, b digits at P + 32 + 2j)."""
    even = [(i, 2 * K - i) for i in range(16) if 0 <= 2 * K - i <= 15]
    odd = [(i, 2 * K + 1 - i) for i in range(16) if 0 <= 2 * K + 1 - i <= 15]
    for n, (i, j) in enumerate(even):
        if first and n == 0:
            e("ldrh %s, [%s, #%d]" % (lo, P, 2 * i))
            e("ldrh %s, [%s, #%d]" % (y, P, 32 + 2 * j))
            e("muls %s, %s, %s" % (lo, y, lo))
            e("movs %s, #0" % hi)
            continue
        e("ldrh %s, [%s, #%d]" % (x, P, 2 * i))
        e("ldrh %s, [%s, #%d]" % (y, P, 32 + 2 * j))
        e("muls %s, %s, %s" % (x, y, x))
        e("adds %s, %s, %s" % (lo, lo, x))
        e("adcs %s, %s" % (hi, Z))
    for n, (i, j) in enumerate(odd):
        if n == 0:
            e("ldrh %s, [%s, #%d]" % (olo, P, 2 * i))
            e("ldrh %s, [%s, #%d]" % (y, P, 32 + 2 * j))
            e("muls %s, %s, %s" % (olo, y, olo))
            if len(odd) > 1:
                e("movs %s, #0" % ohi)
            continue
        e("ldrh %s, [%s, #%d]" % (x, P, 2 * i))
        e("ldrh %s, [%s, #%d]" % (y, P, 32 + 2 * j))
        e("muls %s, %s, %s" % (x, y, x))
        e("adds %s, %s, %s" % (olo, olo, x))
        e("adcs %s, %s" % (ohi, Z))
    merge(odd, lo, hi, olo, ohi, x, 16)
    e("str %s, [sp, #%d]" % (lo, 4 * K))


def merge(odd, lo, hi, olo, ohi, x, sh):
    """lo:hi += (ohi:olo) << sh (sh = 16, or 17 to double as well)."""
    if not odd:
        return
    e("lsls %s, %s, #%d" % (x, olo, sh))
    e("lsrs %s, %s, #%d" % (olo, olo, 32 - sh))
    if len(odd) > 1:
        e("lsls %s, %s, #%d" % (ohi, ohi, sh))
        e("orrs %s, %s" % (olo, ohi))
    e("adds %s, %s, %s" % (lo, lo, x))
    e("adcs %s, %s" % (hi, olo))


def column_sq(K, P, Z, elo, ehi, olo, ohi, x, y):
    """Word K of a^2 (digits at P + 2i); carry in/out through r8."""
    even = [(i, 2 * K - i) for i in range(16) if 0 <= i < 2 * K - i <= 15]
    odd = [(i, 2 * K + 1 - i) for i in range(16) if 0 <= i < 2 * K + 1 - i <= 15]
    for n, (i, j) in enumerate(even):
        if n == 0:
            e("ldrh %s, [%s, #%d]" % (elo, P, 2 * i))
            e("ldrh %s, [%s, #%d]" % (y, P, 2 * j))
            e("muls %s, %s, %s" % (elo, y, elo))
            e("movs %s, #0" % ehi)
            continue
        e("ldrh %s, [%s, #%d]" % (x, P, 2 * i))
        e("ldrh %s, [%s, #%d]" % (y, P, 2 * j))
        e("muls %s, %s, %s" % (x, y, x))
        e("adds %s, %s, %s" % (elo, elo, x))
        e("adcs %s, %s" % (ehi, Z))
    if even:
        e("adds %s, %s, %s" % (elo, elo, elo))
        e("adcs %s, %s" % (ehi, ehi))
        e("ldrh %s, [%s, #%d]" % (x, P, 2 * K))
        e("muls %s, %s, %s" % (x, x, x))
        e("adds %s, %s, %s" % (elo, elo, x))
        e("adcs %s, %s" % (ehi, Z))
    else:
        e("ldrh %s, [%s, #%d]" % (elo, P, 2 * K))
        e("muls %s, %s, %s" % (elo, elo, elo))
        e("movs %s, #0" % ehi)
    if K > 0:
        e("mov %s, r8" % x)
        e("adds %s, %s, %s" % (elo, elo, x))
        e("adcs %s, %s" % (ehi, Z))
    for n, (i, j) in enumerate(odd):
        if n == 0:
            e("ldrh %s, [%s, #%d]" % (olo, P, 2 * i))
            e("ldrh %s, [%s, #%d]" % (y, P, 2 * j))
            e("muls %s, %s, %s" % (olo, y, olo))
            if len(odd) > 1:
                e("movs %s, #0" % ohi)
            continue
        e("ldrh %s, [%s, #%d]" % (x, P, 2 * i))
        e("ldrh %s, [%s, #%d]" % (y, P, 2 * j))
        e("muls %s, %s, %s" % (x, y, x))
        e("adds %s, %s, %s" % (olo, olo, x))
        e("adcs %s, %s" % (ohi, Z))
    merge(odd, elo, ehi, olo, ohi, x, 17)
    e("str %s, [sp, #%d]" % (elo, 4 * K))
    if K < 15:
        e("mov r8, %s" % ehi)


def reduce(out_off):
    """out = t[0..7] + 38 t[8..15] (t at sp), result below 2^256."""
    e("ldr r0, [sp, #%d]" % out_off)
    e("movs r1, #0")
    e("movs r2, #38")
    # r3 = carry word into the next limb
    for k in range(8):
        e("ldr r4, [sp, #%d]" % (4 * (k + 8)))
        e("uxth r5, r4")
        e("lsrs r4, r4, #16")
        e("muls r5, r2, r5")
        e("muls r4, r2, r4")
        e("lsls r6, r4, #16")
        e("lsrs r4, r4, #16")
        e("ldr r7, [sp, #%d]" % (4 * k))
        e("adds r7, r7, r5")
        e("adcs r4, r1")
        e("adds r7, r7, r6")
        e("adcs r4, r1")
        if k > 0:
            e("adds r7, r7, r3")
            e("adcs r4, r1")
        e("str r7, [sp, #%d]" % (4 * k))
        e("mov r3, r4")
    # Fold the carry (below 2^6) as 38 * carry; a carry out of that means
    # the sum wrapped to a value below 2^11, so the last fold of 38 is safe.
    e("muls r3, r2, r3")
    e("ldr r4, [sp, #0]")
    e("adds r4, r4, r3")
    for k in range(1, 8):
        e("ldr r5, [sp, #%d]" % (4 * k))
        e("adcs r5, r1")
        e("str r5, [r0, #%d]" % (4 * k))
    e("movs r6, #0")
    e("adcs r6, r6")
    e("muls r6, r2, r6")
    e("adds r4, r4, r6")
    e("str r4, [r0, #0]")


def fold_tail(h, h0, c, k38, z, t):
    """h[1..7] and h0 (held in a register) += c * 38 with c in a register
    (k38 = 38, z = 0); a carry out of bit 256 means the sum wrapped to below
    2^24, so a second 38 cannot carry again.  Stores h0 last."""
    e("muls %s, %s, %s" % (c, k38, c))
    e("adds %s, %s, %s" % (h0, h0, c))
    for k in range(1, 8):
        e("ldr %s, [%s, #%d]" % (t, h, 4 * k))
        e("adcs %s, %s" % (t, z))
        e("str %s, [%s, #%d]" % (t, h, 4 * k))
    e("movs %s, #0" % c)
    e("adcs %s, %s" % (c, c))
    e("muls %s, %s, %s" % (c, k38, c))
    e("adds %s, %s, %s" % (h0, h0, c))
    e("str %s, [%s, #0]" % (h0, h))


def func(name, body):
    print("""
    .global %s
    .type %s, %%function
    .thumb_func
    .align 2
%s:""" % (name, name, name))
    OUT.clear()
    body()
    print("\n".join(OUT))
    print("    .size %s, .-%s" % (name, name))


def fe_add():
    """h = f + g, a carry out of bit 256 folded back as 38."""
    e("push {r4-r7, lr}")
    for k in range(8):
        d = "r5" if k == 0 else "r3"
        e("ldr %s, [r1, #%d]" % (d, 4 * k))
        e("ldr r4, [r2, #%d]" % (4 * k))
        e("adds r5, r5, r4" if k == 0 else "adcs r3, r4")
        if k:
            e("str r3, [r0, #%d]" % (4 * k))
    e("movs r2, #0")
    e("movs r6, #0")
    e("adcs r6, r6")
    e("movs r7, #38")
    fold_tail("r0", "r5", "r6", "r7", "r2", "r3")
    e("pop {r4-r7, pc}")


def fe_sub():
    """h = f - g; a borrow out of bit 256 means 2^256 = 38 was added, so 38
    is taken away (a second time only from a value near 2^256)."""
    e("push {r4-r7, lr}")
    for k in range(8):
        d = "r5" if k == 0 else "r3"
        e("ldr %s, [r1, #%d]" % (d, 4 * k))
        e("ldr r4, [r2, #%d]" % (4 * k))
        e("subs r5, r5, r4" if k == 0 else "sbcs r3, r4")
        if k:
            e("str r3, [r0, #%d]" % (4 * k))
    e("movs r2, #0")
    e("movs r7, #38")
    for last in (False, True):
        e("sbcs r6, r6")            # -1 after a borrow, else 0
        e("ands r6, r7")
        e("subs r5, r5, r6")
        if last:
            break
        for k in range(1, 8):
            e("ldr r3, [r0, #%d]" % (4 * k))
            e("sbcs r3, r2")
            e("str r3, [r0, #%d]" % (4 * k))
    e("str r5, [r0, #0]")
    e("pop {r4-r7, pc}")


def fe_mul121665():
    """h = f * 121665, 121665 = 2^16 + 0xdb41: w * 0xdb41 from two 16-bit
    halves of w (each product below 2^32) plus w << 16; the word of carry
    passes from limb to limb through r8."""
    e("push {r4-r7, lr}")
    e("mov r4, r8")
    e("push {r4}")
    e("movs r2, #0")
    e("movs r6, #0xdb")
    e("lsls r6, r6, #8")
    e("adds r6, #0x41")
    for k in range(8):
        e("ldr r3, [r1, #%d]" % (4 * k))
        e("uxth r4, r3")
        e("lsrs r5, r3, #16")
        e("muls r4, r6, r4")
        e("muls r5, r6, r5")
        e("lsls r7, r3, #16")
        e("lsrs r3, r3, #16")
        e("adds r4, r4, r7")
        e("adcs r3, r2")
        e("lsls r7, r5, #16")
        e("lsrs r5, r5, #16")
        e("adds r4, r4, r7")
        e("adcs r3, r5")
        if k:
            e("mov r7, r8")
            e("adds r4, r4, r7")
            e("adcs r3, r2")
            e("str r4, [r0, #%d]" % (4 * k))
        else:
            e("mov r12, r4")  # h[0] is stored last, by fold_tail
        if k < 7:
            e("mov r8, r3")
    # r3 = carry word (below 2^18): fold it as 38 * r3
    e("mov r5, r12")
    e("movs r7, #38")
    fold_tail("r0", "r5", "r3", "r7", "r2", "r4")
    e("pop {r4}")
    e("mov r8, r4")
    e("pop {r4-r7, pc}")


def fe_cswap():
    """Swaps f and g when swap is 1 (mask = -swap), nothing when 0."""
    e("push {r4-r6, lr}")
    e("negs r2, r2")
    for k in range(8):
        e("ldr r3, [r0, #%d]" % (4 * k))
        e("ldr r4, [r1, #%d]" % (4 * k))
        e("movs r5, r3")
        e("eors r5, r4")
        e("ands r5, r2")
        e("eors r3, r5")
        e("eors r4, r5")
        e("str r3, [r0, #%d]" % (4 * k))
        e("str r4, [r1, #%d]" % (4 * k))
    e("pop {r4-r6, pc}")


def main():
    head = __doc__.split("\n\n", 2)
    print("// GENERATED by curve25519_armv6m_gen.py (edit that, not this file).")
    print("//")
    for line in head[2].strip().splitlines():
        print("// " + line if line else "//")
    print("""//
//   void wgc_fe32_mul_armv6m(uint32_t out[8], const uint32_t a[8], const uint32_t b[8]);
//   void wgc_fe32_sq_armv6m(uint32_t out[8], const uint32_t a[8]);
// and wgc_fe32_add, wgc_fe32_sub, wgc_fe32_mul121665, wgc_fe32_cswap with the
// contracts of the C versions in curve25519_r32.c.
// Inputs: any values below 2^256 (eight little-endian 32-bit limbs, word
// aligned).  Output: a value below 2^256 congruent to the product mod p.
// out may alias a or b: it is written only after every digit has been read.

#include "wgcrypto_config.h"

#if defined(WGC_ASM_ARMV6M)

    .syntax unified
    .thumb
    .text""")
    # multiply: frame t[16] at sp, a|b copy at sp + 64, out at sp + 128
    print("""
    .global wgc_fe32_mul_armv6m
    .type wgc_fe32_mul_armv6m, %function
    .thumb_func
    .align 2
wgc_fe32_mul_armv6m:""")
    OUT.clear()
    e("push {r4-r7, lr}")
    e("sub sp, #132")
    e("str r0, [sp, #128]")
    e("add r3, sp, #64")
    for src in ("r1", "r1", "r2", "r2"):
        e("ldm %s!, {r4-r7}" % src)
        e("stm r3!, {r4-r7}")
    e("add r0, sp, #64")
    e("movs r1, #0")
    lo, hi = "r2", "r3"
    for K in range(16):
        if K > 0:
            e("movs %s, #0" % hi)
        column_mul(K, lo, hi, "r0", "r1", "r4", "r5", "r6", "r7", K == 0)
        lo, hi = hi, lo
    reduce(128)
    e("add sp, #132")
    e("pop {r4-r7, pc}")
    print("\n".join(OUT))
    print("    .size wgc_fe32_mul_armv6m, .-wgc_fe32_mul_armv6m")
    # square: frame t[16] at sp, out at sp + 64
    print("""
    .global wgc_fe32_sq_armv6m
    .type wgc_fe32_sq_armv6m, %function
    .thumb_func
    .align 2
wgc_fe32_sq_armv6m:""")
    OUT.clear()
    e("push {r4-r7, lr}")
    e("mov r4, r8")
    e("push {r4}")
    e("sub sp, #68")
    e("str r0, [sp, #64]")
    e("movs r0, #0")
    for K in range(16):
        column_sq(K, "r1", "r0", "r2", "r3", "r4", "r5", "r6", "r7")
    reduce(64)
    e("add sp, #68")
    e("pop {r4}")
    e("mov r8, r4")
    e("pop {r4-r7, pc}")
    print("\n".join(OUT))
    print("""    .size wgc_fe32_sq_armv6m, .-wgc_fe32_sq_armv6m""")
    func("wgc_fe32_add", fe_add)
    func("wgc_fe32_sub", fe_sub)
    func("wgc_fe32_mul121665", fe_mul121665)
    func("wgc_fe32_cswap", fe_cswap)
    print("""

#endif // WGC_ASM_ARMV6M""")


if __name__ == "__main__":
    main()
