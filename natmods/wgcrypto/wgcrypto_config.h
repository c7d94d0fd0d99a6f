// Build-time selection of the arithmetic width used by Poly1305 and X25519,
// and of the CPU-specific code paths.
//
// The 64-bit path needs a 64x64->128 multiply, which portable C only gets
// through the compiler's unsigned __int128.  Everything else (Cortex-M,
// 32-bit x86, ...) uses 32x32->64 products.  Define WGCRYPTO_FORCE_C32 to
// exercise the 32-bit code on a 64-bit host.
//
// Optimized paths (assembly) are compiled in when the target CPU has them;
// WGCRYPTO_NO_ASM leaves them out.  They are chosen at run time unless
// wgc_portable is set (wgcrypto.portable(True)), which forces the portable
// C path so that tests can run every vector both ways on the same build.
#ifndef WGCRYPTO_CONFIG_H
#define WGCRYPTO_CONFIG_H

#if defined(__SIZEOF_INT128__) && !defined(WGCRYPTO_FORCE_C32)
#define WGCRYPTO_C64 (1)
#define WGCRYPTO_BACKEND "c64"
#else
#define WGCRYPTO_C64 (0)
#define WGCRYPTO_BACKEND "c32"
#endif

// WGC_ASM_<ARCH> names the optimized code set, WGC_OPT_<PRIMITIVE> what it covers.
#define WGC_OPT_CHACHA20 (0)
#define WGC_OPT_POLY1305 (0)
#define WGC_OPT_X25519 (0)

#if !defined(WGCRYPTO_NO_ASM) && !WGCRYPTO_C64

#if defined(__thumb2__) && (defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_7A__))
// Thumb-2 with umull/umlal: Cortex-M3/M4/M7 and ARMv7-A in Thumb state.
#define WGC_ASM_THUMB2 (1)
#undef WGC_OPT_CHACHA20
#define WGC_OPT_CHACHA20 (1)
#undef WGC_OPT_POLY1305
#define WGC_OPT_POLY1305 (1)
// Radix 2^32 X25519: add/sub/swap in curve25519_fe32_thumb2.S; multiply and
// square with UMAAL (ARMv7E-M DSP extension, all ARMv7-A) or, on ARMv7-M,
// with UMLAL (curve25519_umlal.S).
#define WGC_ASM_FE32_THUMB2 (1)
#undef WGC_OPT_X25519
#define WGC_OPT_X25519 (1)
#if defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_7A__)
#define WGC_ASM_UMAAL (1)
#else
#define WGC_ASM_UMLAL (1)
#endif
#if defined(__ARM_ARCH_7EM__)
#define WGC_ASM_BACKEND "armv7em-asm"
#elif defined(__ARM_ARCH_7M__)
#define WGC_ASM_BACKEND "armv7m-asm"
#else
#define WGC_ASM_BACKEND "armv7a-asm"
#endif
#endif

#if defined(__thumb__) && !defined(__thumb2__) && defined(__ARM_ARCH_6M__)
// ARMv6-M (Cortex-M0/M0+): Thumb-1 only, MULS 32x32->32 is the only multiply.
#define WGC_ASM_ARMV6M (1)
#undef WGC_OPT_CHACHA20
#define WGC_OPT_CHACHA20 (1)
// Poly1305 in radix 2^13 (poly1305_r13.c, multiply in poly1305_r13_armv6m.S):
// every product and column sum fits the 32-bit MULS.
#undef WGC_OPT_POLY1305
#define WGC_OPT_POLY1305 (1)
#undef WGC_OPT_X25519
#define WGC_OPT_X25519 (1)
#define WGC_ASM_BACKEND "armv6m-asm"
#endif

#if defined(__mips__) && !defined(__mips64) && defined(__mips_isa_rev) && __mips_isa_rev >= 2 && __mips_isa_rev < 6
// MIPS32r2..r5 (o32): rotr, wsbh, multu/maddu (OpenWrt's 24Kc/74Kc/1004Kc).
// r6 dropped lwl/lwr and the HI/LO multiply-accumulate, so it is left out.
#define WGC_ASM_MIPS32R2 (1)
#undef WGC_OPT_CHACHA20
#define WGC_OPT_CHACHA20 (1)
#undef WGC_OPT_POLY1305
#define WGC_OPT_POLY1305 (1)
#undef WGC_OPT_X25519
#define WGC_OPT_X25519 (1)
#define WGC_ASM_BACKEND "mips32r2-asm"
#endif

#endif // !WGCRYPTO_NO_ASM

#define WGC_HAVE_ASM (WGC_OPT_CHACHA20 || WGC_OPT_POLY1305 || WGC_OPT_X25519)

#if WGC_HAVE_ASM && !defined(__ASSEMBLER__)
// Nonzero forces the portable C path (set through wgcrypto.portable()).
// Not static: a native module's zero-initialised globals must be reachable
// through its GOT.
extern int wgc_portable;
#define WGC_USE_ASM (!wgc_portable)
#elif !WGC_HAVE_ASM
#define WGC_USE_ASM (0)
#endif

#endif // WGCRYPTO_CONFIG_H
