// Build-time selection of the arithmetic width used by Poly1305 and X25519.
//
// The 64-bit path needs a 64x64->128 multiply, which portable C only gets
// through the compiler's unsigned __int128.  Everything else (Cortex-M,
// 32-bit x86, ...) uses 32x32->64 products.  Define WGCRYPTO_FORCE_C32 to
// exercise the 32-bit code on a 64-bit host.
#ifndef WGCRYPTO_CONFIG_H
#define WGCRYPTO_CONFIG_H

#if defined(__SIZEOF_INT128__) && !defined(WGCRYPTO_FORCE_C32)
#define WGCRYPTO_C64 (1)
#define WGCRYPTO_BACKEND "c64"
#else
#define WGCRYPTO_C64 (0)
#define WGCRYPTO_BACKEND "c32"
#endif

#endif // WGCRYPTO_CONFIG_H
