"""Every public vector on every target: Wycheproof AEAD/XAEAD/X25519, the BLAKE2s KAT, bad input."""
import pytest

import cases
from runner import run_cases
from targets import CRYPTO_TARGETS, crypto_target

SUITES = {
    "chacha20poly1305": cases.chacha20poly1305_cases,
    "xchacha20poly1305": cases.xchacha20poly1305_cases,
    "x25519": cases.x25519_cases,
    "blake2s": cases.blake2s_cases,
    "bad-input": cases.bad_input_cases,
}

# The code path each build must report: 64-bit limbs where the compiler has
# 128-bit products, 32-bit limbs elsewhere, "python" for the fallback.
EXPECTED_BACKEND = {
    "x64-builtin": "c64", "x64-mpy": "c64", "aarch64": "c64",
    "mips": "c32", "mipsel": "c32", "armhf": "c32",
    "an385-armv6m": "c32", "an385-armv7m": "c32", "an386-armv7emsp": "c32",
    "x64-pure": "python",
}


@pytest.mark.parametrize("suite", list(SUITES))
@pytest.mark.parametrize("target", list(CRYPTO_TARGETS))
def test_vectors(target, suite):
    all_cases = SUITES[suite]()
    assert len(all_cases) > 30
    failures = run_cases(crypto_target(target), all_cases)
    assert not failures, "%d of %d failed:\n%s" % (len(failures), len(all_cases), "\n".join(failures[:25]))


@pytest.mark.parametrize("target", list(CRYPTO_TARGETS))
def test_backend_names_the_path(target):
    out = crypto_target(target).run("import wgcrypto\nprint(repr(wgcrypto.backend))")
    assert out.strip() == repr(EXPECTED_BACKEND[target])
