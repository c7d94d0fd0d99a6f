# Run once on the board through the raw REPL; mgtool then calls these by name.
# Kept small: it is sent over the serial line on every provisioning run.
import os
import binascii
try:
    import hashlib
    _mg_alg = "sha256"
except ImportError:
    hashlib = None
    _mg_alg = "fnv1a32"


def _mg_new():
    if hashlib:
        return hashlib.sha256()
    return [0x811C9DC5]


def _mg_upd(h, data):
    if hashlib:
        h.update(data)
    else:
        v = h[0]
        for b in data:
            v = ((v ^ b) * 0x01000193) & 0xFFFFFFFF
        h[0] = v


def _mg_hex(h):
    if hashlib:
        return binascii.hexlify(h.digest()).decode()
    return "%08x" % h[0]


def _mg_hash(path, n=-1):
    # Hash of the first n bytes of path (all when n < 0); None when it does not exist.
    try:
        f = open(path, "rb")
    except OSError:
        return None
    h = _mg_new()
    buf = bytearray(512)
    left = n
    while left != 0:
        k = f.readinto(buf)
        if not k:
            break
        if 0 < left < k:
            k = left
        _mg_upd(h, memoryview(buf)[:k])
        if left > 0:
            left -= k
    f.close()
    return _mg_hex(h)


def _mg_size(path):
    try:
        return os.stat(path)[6]
    except OSError:
        return -1


def _mg_state(items):
    # items: [(dest, tmp)] -> one line "STATE <dest hash or -> <tmp size> ..." (the host parses it strictly)
    out = ["STATE"]
    for d, t in items:
        out.append(_mg_hash(d) or "-")
        out.append(str(_mg_size(t)))
    print(" ".join(out))


def _mg_mkdirs(path):
    cur = ""
    for part in path.split("/")[1:-1]:
        cur += "/" + part
        try:
            os.mkdir(cur)
        except OSError:
            pass


def _mg_put(tmp, pos, b64, want):
    # Append one chunk to tmp at pos; the chunk's own hash must match what the host sent.
    data = binascii.a2b_base64(b64)
    h = _mg_new()
    _mg_upd(h, data)
    if _mg_hex(h) != want:
        print("BAD")
        return
    if pos == 0:
        f = open(tmp, "wb")
    elif _mg_size(tmp) == pos:
        f = open(tmp, "ab")
    else:
        print("POS", _mg_size(tmp))
        return
    try:
        f.write(data)
    finally:
        f.close()
    print("OK")


def _mg_commit(tmp, dest, want):
    got = _mg_hash(tmp)
    if got != want:
        os.remove(tmp)
        print("CORRUPT", got)
        return
    try:
        os.rename(tmp, dest)
    except OSError:
        os.remove(dest)
        os.rename(tmp, dest)
    print("DONE" if _mg_hash(dest) == want else "CHANGED")


def _mg_free(path):
    s = os.statvfs(path)
    print(s[0] * s[4])


def _mg_entropy():
    f = getattr(os, "urandom", None)
    if f is None:
        try:
            import mps2
            f = mps2.urandom
        except (ImportError, AttributeError):
            f = None
    return f


def _mg_key(path, new, cfg=None, run=None):
    # The private key is made and kept here; only its public key is printed.
    import wgcrypto
    k = None
    made = "KEPT"
    if not new:
        try:
            k = binascii.a2b_base64(open(path).read())
        except (OSError, ValueError):
            k = None
    if k is None or len(k) != 32:
        made = "NEW"
        rnd = _mg_entropy()
        if rnd is None:
            print("NOENTROPY")
            return
        k = bytearray(rnd(32))
        k[0] &= 248
        k[31] = (k[31] & 127) | 64
        f = open(path + ".part", "w")
        f.write(binascii.b2a_base64(k).decode().strip() + "\n")
        f.close()
        try:
            os.rename(path + ".part", path)
        except OSError:
            os.remove(path)
            os.rename(path + ".part", path)
    if cfg:
        # The app's config gets the key here, so it never crosses the serial line.
        import json
        c = json.load(open(cfg))
        c["private_key"] = binascii.b2a_base64(k).decode().strip()
        f = open(run + ".part", "w")
        f.write(json.dumps(c))
        f.close()
        try:
            os.rename(run + ".part", run)
        except OSError:
            os.remove(run)
            os.rename(run + ".part", run)
    print("PUB", binascii.b2a_base64(wgcrypto.x25519_base(bytes(k))).decode().strip(), made)


def _mg_rm(paths):
    # Stale files of an earlier install; prints how many were removed.
    n = 0
    for p in paths:
        try:
            os.remove(p)
            n += 1
        except OSError:
            pass
    print("RM", n)
