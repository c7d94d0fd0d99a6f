"""RFC 7748 section 5.2: X25519 iterated on its own output, 1 and 1,000 times."""
import pytest

from targets import CRYPTO_TARGETS, crypto_target

EXPECTED = {
    1: "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079",
    1000: "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51",
}
SCRIPT = """
import wgcrypto
from binascii import hexlify
k = bytes([9] + [0] * 31)
u = k
for _ in range(%d):
    k, u = wgcrypto.x25519(k, u), k
print(hexlify(k).decode())
"""
# 1,000 iterations on the 64-bit host paths and on emulated 32-bit CPUs (one router, one board)
THOUSAND = ["x64-builtin", "x64-mpy", "mipsel", "an385-armv7m", "x64-pure"]


@pytest.mark.parametrize("target", list(CRYPTO_TARGETS))
def test_iterated_once(target):
    assert crypto_target(target).run(SCRIPT % 1).strip() == EXPECTED[1]


@pytest.mark.parametrize("target", THOUSAND)
def test_iterated_thousand(target):
    assert crypto_target(target).run(SCRIPT % 1000, timeout=1200).strip() == EXPECTED[1000]
