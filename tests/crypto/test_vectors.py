"""Every public vector on every target: Wycheproof AEAD/XAEAD/X25519, the BLAKE2s KAT,
HMAC-BLAKE2s and WireGuard's KDF against CPython, compare/all-zero checks, bad input.

Targets with an optimized (assembly) path run the vectors of the primitives
it covers a second time with wgcrypto.portable(True), which forces the
portable C code in the same build.
"""
import pytest

import cases
from runner import run_cases
from targets import CRYPTO_TARGETS, crypto_target

SUITES = {
    "chacha20poly1305": cases.chacha20poly1305_cases,
    "xchacha20poly1305": cases.xchacha20poly1305_cases,
    "x25519": cases.x25519_cases,
    "blake2s": cases.blake2s_cases,
    "hmac-kdf": cases.hmac_kdf_cases,
    "bad-input": cases.bad_input_cases,
}

# The code path each build must report: the optimized path where one is
# built in, else 64-bit limbs where the compiler has 128-bit products,
# 32-bit limbs elsewhere, "python" for the fallback.
EXPECTED_BACKEND = {
    "x64-builtin": "c64", "x64-mpy": "c64", "aarch64": "c64",
    "mips": "mips32r2-asm", "mipsel": "mips32r2-asm", "armhf": "armv7a-asm",
    "an385-armv6m": "armv6m-asm", "an385-armv7m": "armv7m-asm", "an386-armv7emsp": "armv7em-asm",
    "an386-builtin": "armv7em-asm",
    "virt-rv32imc": "c32",
    "x64-pure": "python",
    "x64-viper": "viper", "an385-viper": "viper", "an386-viper": "viper", "virt-rv32-viper": "viper",
}
# Targets with an optimized path: the name portable(True) must switch to.
PORTABLE_BACKEND = {t: "c32" for t, b in EXPECTED_BACKEND.items() if b.endswith("-asm")}
# Suites covering the optimized primitives (ChaCha20, Poly1305, X25519).
PORTABLE_SUITES = ["chacha20poly1305", "xchacha20poly1305", "x25519"]


# The viper fallback's Thumb-2 code is the same on the M3 as on the M4 (one emitter): the M3
# runs the differential test only.  RV32 runs every suite (X25519 is viper code too: ~11 s).
VIPER_THIN = {"an385-viper": set(SUITES)}
VECTOR_RUNS = [(t, s) for t in CRYPTO_TARGETS for s in SUITES if s not in VIPER_THIN.get(t, ())]


@pytest.mark.parametrize("target,suite", VECTOR_RUNS)
def test_vectors(target, suite):
    all_cases = SUITES[suite]()
    assert len(all_cases) > 30
    failures = run_cases(crypto_target(target), all_cases, portable=False if target in PORTABLE_BACKEND else None)
    assert not failures, "%d of %d failed:\n%s" % (len(failures), len(all_cases), "\n".join(failures[:25]))


@pytest.mark.parametrize("suite", PORTABLE_SUITES)
@pytest.mark.parametrize("target", list(PORTABLE_BACKEND))
def test_vectors_portable_path(target, suite):
    all_cases = SUITES[suite]()
    failures = run_cases(crypto_target(target), all_cases, portable=True)
    assert not failures, "%d of %d failed:\n%s" % (len(failures), len(all_cases), "\n".join(failures[:25]))


@pytest.mark.parametrize("target", list(CRYPTO_TARGETS))
def test_backend_names_the_path(target):
    out = crypto_target(target).run("import wgcrypto\nprint(repr(wgcrypto.backend))")
    assert out.strip() == repr(EXPECTED_BACKEND[target])


@pytest.mark.parametrize("target", list(PORTABLE_BACKEND))
def test_portable_switch(target):
    out = crypto_target(target).run("import wgcrypto\nprint(repr((wgcrypto.portable(True), wgcrypto.backend,"
                                    " wgcrypto.portable(False), wgcrypto.backend)))")
    assert out.strip() == repr((True, PORTABLE_BACKEND[target], False, EXPECTED_BACKEND[target]))
