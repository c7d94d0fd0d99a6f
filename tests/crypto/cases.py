"""Host side of the crypto tests: turns vectors into encoded calls and expected answers.

A case is (call, expected): `call` is "func arg..." in target_ops.py's codes and
`expected` is the exact line the target must print, or a tuple of acceptable ones.
"""
import binascii
import json
import os
import random

VECTORS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "..", "shared", "vectors")
VECTORS = os.path.normpath(VECTORS)


def load(name):
    with open(os.path.join(VECTORS, name)) as f:
        return json.load(f)


def h(b):
    return "h" + binascii.hexlify(b).decode()


def into(n, buf_len, written):
    """Expected answer of an _into call: count, then the whole buffer (0xAA past the result)."""
    return "i%d:%s" % (n, binascii.hexlify(written + b"\xaa" * (buf_len - len(written))).decode())


def wycheproof_aead(file, prefix, nonce_bytes):
    cases = []
    for g in load(file)["testGroups"]:
        for t in g["tests"]:
            tid = "%s#%d" % (prefix, t["tcId"])
            key, iv, aad, msg = (bytes.fromhex(t[k]) for k in ("key", "iv", "aad", "msg"))
            sealed = bytes.fromhex(t["ct"]) + bytes.fromhex(t["tag"])
            enc, dec = prefix + "_encrypt", prefix + "_decrypt"
            if len(iv) != nonce_bytes:
                cases.append((tid + "/enc", "%s %s %s %s %s" % (enc, h(key), h(iv), h(msg), h(aad)), "EValueError"))
                cases.append((tid + "/dec", "%s %s %s %s %s" % (dec, h(key), h(iv), h(sealed), h(aad)), "EValueError"))
                continue
            nonces = [h(iv)]
            if prefix == "chacha20poly1305" and iv[:4] == b"\0\0\0\0":
                # WireGuard's form of the same nonce: a 64-bit counter
                nonces.append("i%d" % int.from_bytes(iv[4:], "little"))
            for ni, nonce in enumerate(nonces):
                sid = "%s/n%d" % (tid, ni)
                if t["result"] == "valid":
                    cases.append((sid + "/enc", "%s %s %s %s %s" % (enc, h(key), nonce, h(msg), h(aad)), h(sealed)))
                    cases.append((sid + "/dec", "%s %s %s %s %s" % (dec, h(key), nonce, h(sealed), h(aad)), h(msg)))
                else:
                    cases.append((sid + "/dec", "%s %s %s %s %s" % (dec, h(key), nonce, h(sealed), h(aad)), "N"))
                if prefix != "chacha20poly1305":
                    continue
                if t["result"] == "valid":
                    n = len(sealed) + 5
                    cases.append((sid + "/enc_into", "%s_into z%d %s %s %s %s" % (enc, n, h(key), nonce, h(msg), h(aad)),
                                  into(len(sealed), n, sealed)))
                    n = len(msg) + 3
                    cases.append((sid + "/dec_into", "%s_into z%d %s %s %s %s" % (dec, n, h(key), nonce, h(sealed), h(aad)),
                                  into(len(msg), n, msg)))
                else:
                    # a failed tag leaves the buffer untouched: nothing unauthenticated is released
                    n = len(msg) + 3
                    cases.append((sid + "/dec_into", "%s_into z%d %s %s %s %s" % (dec, n, h(key), nonce, h(sealed), h(aad)),
                                  into(-1, n, b"")))
    return cases


def chacha20poly1305_cases():
    return wycheproof_aead("wycheproof_chacha20_poly1305_test.json", "chacha20poly1305", 12)


def xchacha20poly1305_cases():
    return wycheproof_aead("wycheproof_xchacha20_poly1305_test.json", "xchacha20poly1305", 24)


def x25519_cases(limit=None):
    cases = []
    for g in load("wycheproof_x25519_test.json")["testGroups"]:
        for t in g["tests"]:
            # valid and acceptable alike must give the listed result (an all-zero one as is)
            cases.append(("x25519#%d" % t["tcId"], "x25519 h%s h%s" % (t["private"], t["public"]), "h" + t["shared"]))
    return cases[:limit] if limit else cases


def blake2s_cases():
    cases = []
    for i, t in enumerate(load("blake2s_kat.json")):
        kind = "keyed" if t["key"] else "unkeyed"
        cases.append(("blake2s#%d/%s/%d" % (i, kind, len(t["in"]) // 2),
                      "blake2s h%s i32 h%s" % (t["in"], t["key"]), "h" + t["out"]))
    return cases


def hmac_kdf_cases():
    """HMAC-BLAKE2s against CPython's hmac + hashlib.blake2s; WireGuard's KDF_n against the
    paper's definition written out below; the constant-time compare and all-zero check."""
    import hashlib
    import hmac as std_hmac
    rnd = random.Random(7693)
    rb = lambda n: bytes(rnd.getrandbits(8) for _ in range(n))
    ref_hmac = lambda key, data: std_hmac.new(key, data, hashlib.blake2s).digest()

    def ref_kdf(n, key, data):
        # KDF_n (WireGuard paper 5.4): t0 = HMAC(key, input), t_i = HMAC(t0, t_{i-1} || i)
        t0, out, prev = ref_hmac(key, data), [], b""
        for i in range(1, n + 1):
            prev = ref_hmac(t0, prev + bytes((i,)))
            out.append(prev)
        return out

    cases = []
    # key lengths around the 64-byte block (longer keys are hashed first), data around it too
    for kl in (0, 1, 16, 31, 32, 33, 63, 64, 65, 100, 129):
        for dl in (0, 1, 32, 55, 64, 65, 200):
            key, data = rb(kl), rb(dl)
            cases.append(("hmac/k%d/d%d" % (kl, dl), "hmac_blake2s %s %s" % (h(key), h(data)), h(ref_hmac(key, data))))
    for n in (1, 2, 3):
        for dl in (0, 1, 32, 33, 64, 100):
            key, data = rb(32), rb(dl)
            want = "t" + ",".join(h(t) for t in ref_kdf(n, key, data))
            cases.append(("kdf%d/d%d" % (n, dl), "kdf i%d %s %s" % (n, h(key), h(data)), want))
    # other buffer types give the same answers
    key, data = rb(32), rb(40)
    cases.append(("hmac/bytearray", "hmac_blake2s a%s m%s" % (key.hex(), data.hex()), h(ref_hmac(key, data))))
    cases.append(("kdf/memoryview", "kdf i2 m%s a%s" % (key.hex(), data.hex()),
                  "t" + ",".join(h(t) for t in ref_kdf(2, key, data))))
    # compare and all-zero check: every position of a difference, lengths, empty buffers
    a = rb(32)
    cases.append(("equal/same", "equal %s a%s" % (h(a), a.hex()), "bT"))
    for i in (0, 1, 15, 31):
        for bit in (0x01, 0x80):
            b = bytearray(a)
            b[i] ^= bit
            cases.append(("equal/diff%d^%d" % (i, bit), "equal %s %s" % (h(a), h(bytes(b))), "bF"))
    cases.append(("equal/shorter", "equal %s %s" % (h(a), h(a[:31])), "bF"))
    cases.append(("equal/longer", "equal %s %s" % (h(a), h(a + b"\0")), "bF"))
    cases.append(("equal/empty", "equal h h", "bT"))
    cases.append(("equal/16", "equal m%s %s" % (a[:16].hex(), h(a[:16])), "bT"))
    for n in (0, 1, 32, 33):
        cases.append(("is_zero/%d" % n, "is_zero %s" % h(bytes(n)), "bT"))
    for i in (0, 1, 16, 31):
        for bit in (0x01, 0x80):
            z = bytearray(32)
            z[i] = bit
            cases.append(("is_zero/%d^%d" % (i, bit), "is_zero a%s" % bytes(z).hex(), "bF"))
    return cases


def bad_input_cases():
    k, n12, n24 = b"k" * 32, b"n" * 12, b"n" * 24
    V, T = "EValueError", "ETypeError"
    either = (V, T)
    c = [
        ("aead short key", "chacha20poly1305_encrypt %s %s h00 h" % (h(k[:31]), h(n12)), V),
        ("aead long key", "chacha20poly1305_encrypt %s %s h00 h" % (h(k + b"x"), h(n12)), V),
        ("aead nonce 11", "chacha20poly1305_encrypt %s %s h00 h" % (h(k), h(n12[:11])), V),
        ("aead nonce -1", "chacha20poly1305_encrypt %s i-1 h00 h" % h(k), either),
        ("aead nonce 2^64", "chacha20poly1305_encrypt %s i%d h00 h" % (h(k), 2 ** 64), either),
        ("aead nonce str", "chacha20poly1305_encrypt %s sabc h00 h" % h(k), either),
        ("aead pt str", "chacha20poly1305_encrypt %s %s sabc h" % (h(k), h(n12)), T),
        ("aead key int", "chacha20poly1305_encrypt i5 %s h00 h" % h(n12), T),
        ("aead ad str", "chacha20poly1305_encrypt %s %s h00 sxx" % (h(k), h(n12)), T),
        ("aead ct < tag", "chacha20poly1305_decrypt %s %s %s h" % (h(k), h(n12), h(b"\0" * 15)), V),
        ("aead ct empty", "chacha20poly1305_decrypt %s %s h h" % (h(k), h(n12)), V),
        ("into out small", "chacha20poly1305_encrypt_into z20 %s %s %s h" % (h(k), h(n12), h(b"p" * 5)), V),
        ("into out 0", "chacha20poly1305_encrypt_into z0 %s %s %s h" % (h(k), h(n12), h(b"p" * 5)), V),
        ("into out bytes", "chacha20poly1305_encrypt_into %s %s %s %s h" % (h(b"\0" * 64), h(k), h(n12), h(b"p" * 5)), either),
        ("into out str", "chacha20poly1305_encrypt_into s%s %s %s %s h" % ("x" * 64, h(k), h(n12), h(b"p" * 5)), either),
        ("dec_into out small", "chacha20poly1305_decrypt_into z4 %s %s %s h" % (h(k), h(n12), h(b"c" * 21)), V),
        ("dec_into ct < tag", "chacha20poly1305_decrypt_into z40 %s %s %s h" % (h(k), h(n12), h(b"c" * 15)), V),
        ("xaead nonce 12", "xchacha20poly1305_encrypt %s %s h00 h" % (h(k), h(n12)), V),
        ("xaead key 16", "xchacha20poly1305_encrypt %s %s h00 h" % (h(k[:16]), h(n24)), V),
        ("xaead ct < tag", "xchacha20poly1305_decrypt %s %s %s h" % (h(k), h(n24), h(b"c" * 3)), V),
        ("hchacha nonce 15", "hchacha20 %s %s" % (h(k), h(b"n" * 15)), V),
        ("hchacha key 0", "hchacha20 h %s" % h(b"n" * 16), V),
        ("chacha20 nonce 8", "chacha20 %s %s i0 h00" % (h(k), h(b"n" * 8)), V),
        ("chacha20 data int", "chacha20 %s %s i0 i7" % (h(k), h(n12)), T),
        ("poly1305 key 16", "poly1305 %s h00" % h(k[:16]), V),
        ("blake2s size 0", "blake2s h00 i0 h", V),
        ("blake2s size 33", "blake2s h00 i33 h", V),
        ("blake2s key 33", "blake2s h00 i32 %s" % h(b"k" * 33), V),
        ("blake2s data int", "blake2s i3", T),
        ("x25519 scalar 31", "x25519 %s %s" % (h(k[:31]), h(k)), V),
        ("x25519 point 33", "x25519 %s %s" % (h(k), h(k + b"x")), V),
        ("x25519 point int", "x25519 %s i9" % h(k), T),
        ("x25519_base scalar 0", "x25519_base h", V),
        ("hmac key int", "hmac_blake2s i5 h00", T),
        ("hmac key str", "hmac_blake2s sk h00", T),
        ("hmac data str", "hmac_blake2s %s sdata" % h(k), T),
        ("kdf n 0", "kdf i0 %s h00" % h(k), V),
        ("kdf n 4", "kdf i4 %s h00" % h(k), V),
        ("kdf n -1", "kdf i-1 %s h00" % h(k), V),
        ("kdf n str", "kdf s1 %s h00" % h(k), T),
        ("kdf key 31", "kdf i1 %s h00" % h(k[:31]), V),
        ("kdf key 33", "kdf i1 %s h00" % h(k + b"x"), V),
        ("kdf key int", "kdf i1 i5 h00", T),
        ("kdf input str", "kdf i1 %s sx" % h(k), T),
        ("equal str", "equal sab h6162", T),
        ("equal int", "equal h00 i0", T),
        ("is_zero str", "is_zero s", T),
        ("is_zero int", "is_zero i0", T),
    ]
    # valid calls through other buffer types must give the same answers as bytes
    c.append(("aead memoryview", "chacha20poly1305_encrypt m%s m%s a%s m" % (k.hex(), n12.hex(), b"pt".hex()),
              None))
    return c


def _cryptography():
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
    from cryptography.hazmat.primitives.poly1305 import Poly1305
    return ChaCha20Poly1305, X25519PrivateKey, X25519PublicKey, serialization, Cipher, algorithms, Poly1305


DIFF_LENGTHS = list(range(0, 1101)) + [2047, 2048, 2049, 4095, 4096, 4097, 8192, 16385, 65535, 65536, 65537]


def differential_cases(seed, lengths=DIFF_LENGTHS, x25519_count=64):
    """Random inputs, answers from CPython's cryptography (OpenSSL) and hashlib."""
    import hashlib
    ChaCha20Poly1305, X25519PrivateKey, X25519PublicKey, ser, Cipher, algorithms, Poly1305 = _cryptography()
    raw = dict(encoding=ser.Encoding.Raw, format=ser.PublicFormat.Raw)
    rnd = random.Random(seed)
    rb = lambda n: bytes(rnd.getrandbits(8) for _ in range(n))
    cases = []
    for n in lengths:
        key, nonce, msg, ad = rb(32), rb(12), rb(n), rb(rnd.choice((0, 1, 13, 16, 17, 64)))
        sealed = ChaCha20Poly1305(key).encrypt(nonce, msg, ad)
        cases.append(("aead/%d" % n, "chacha20poly1305_encrypt %s %s %s %s" % (h(key), h(nonce), h(msg), h(ad)), h(sealed)))
        cases.append(("aead-dec/%d" % n, "chacha20poly1305_decrypt %s %s %s %s" % (h(key), h(nonce), h(sealed), h(ad)), h(msg)))
        counter = rnd.getrandbits(64)
        wg_nonce = b"\0" * 4 + counter.to_bytes(8, "little")
        cases.append(("aead-ctr/%d" % n, "chacha20poly1305_encrypt %s i%d %s h" % (h(key), counter, h(msg)),
                      h(ChaCha20Poly1305(key).encrypt(wg_nonce, msg, b""))))
        # the 32-bit block counter must not wrap within the message (RFC 8439 leaves that undefined)
        ctr32 = rnd.randrange(0, 2 ** 32 - (n // 64 + 2))
        enc = Cipher(algorithms.ChaCha20(key, ctr32.to_bytes(4, "little") + nonce), mode=None).encryptor()
        cases.append(("chacha20/%d" % n, "chacha20 %s %s i%d %s" % (h(key), h(nonce), ctr32, h(msg)), h(enc.update(msg))))
        cases.append(("poly1305/%d" % n, "poly1305 %s %s" % (h(key), h(msg)), h(Poly1305.generate_tag(key, msg))))
        size = rnd.randint(1, 32)
        bkey = rb(rnd.choice((0, 1, 16, 32)))
        cases.append(("blake2s/%d" % n, "blake2s %s i%d %s" % (h(msg), size, h(bkey)),
                      h(hashlib.blake2s(msg, digest_size=size, key=bkey).digest())))
    for i in range(x25519_count):
        a, b = rb(32), rb(32)
        pa = X25519PrivateKey.from_private_bytes(a)
        pb = X25519PrivateKey.from_private_bytes(b).public_key().public_bytes(**raw)
        cases.append(("x25519-base/%d" % i, "x25519_base %s" % h(a), h(pa.public_key().public_bytes(**raw))))
        cases.append(("x25519/%d" % i, "x25519 %s %s" % (h(a), h(pb)), h(pa.exchange(X25519PublicKey.from_public_bytes(pb)))))
    return cases
