"""mgtool keygen/pubkey/psk against the real `wg` from wireguard-tools."""
import base64
import subprocess

import pytest

from mgtool_run import assert_one_error_line, mgtool


def wg(*args, input=None):
    return subprocess.run(["wg", *args], input=input, capture_output=True, text=True)


def test_pubkey_of_wg_genkey_matches_wg_pubkey():
    for _ in range(5):
        priv = wg("genkey").stdout
        assert mgtool("pubkey", input=priv, check=0).stdout == wg("pubkey", input=priv).stdout


def test_wg_accepts_mgtool_keygen_and_agrees_on_the_public_key():
    for _ in range(5):
        priv = mgtool("keygen", check=0).stdout
        assert len(priv) == 45 and priv.endswith("=\n")
        raw = base64.b64decode(priv)
        assert raw[0] & 7 == 0 and raw[31] & 0x80 == 0 and raw[31] & 0x40   # clamped like wg genkey
        r = wg("pubkey", input=priv)
        assert r.returncode == 0
        assert mgtool("pubkey", input=priv, check=0).stdout == r.stdout


def test_psk_is_a_key_wg_accepts():
    psk = mgtool("psk", check=0).stdout
    assert len(psk) == 45 and len(base64.b64decode(psk)) == 32
    # wg pubkey parses any 32-byte key: it accepts exactly the same text forms.
    assert wg("pubkey", input=psk).returncode == 0
    assert mgtool("psk", check=0).stdout != psk


@pytest.mark.parametrize("text", ["", "hello\n", "AAAA\n", "  {k}\n", "{k}x\n", "{k} trailing\n",
                                  "{k_badlast}\n", "{k_nopad}\n"])
def test_bad_private_keys_are_rejected_like_wg(text):
    k = wg("genkey").stdout.strip()
    # The last base64 character carries 2 unused bits; 'B' sets one, so it is never a key.
    k_badlast = k[:42] + "B="
    text = text.format(k=k, k_badlast=k_badlast, k_nopad=k[:43])
    r_wg = wg("pubkey", input=text)
    r_mg = mgtool("pubkey", input=text)
    assert r_wg.returncode != 0
    assert_one_error_line(r_mg, "standard input")


def test_trailing_newlines_are_accepted_like_wg():
    k = wg("genkey").stdout.strip()
    text = k + "\n\n\n"
    assert wg("pubkey", input=text).returncode == 0
    assert mgtool("pubkey", input=text, check=0).stdout == wg("pubkey", input=text).stdout
