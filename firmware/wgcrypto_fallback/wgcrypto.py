# `wgcrypto` where no native wgcrypto.mpy was installed under this name.
# Tries, in order: a native build for this board's architecture installed
# as wgcrypto_<arch>.mpy (what a `mip` install carries; the arch comes from
# sys.implementation._mpy, so a module for another CPU or MicroPython
# version is never loaded), the viper fallback (machine words, no C
# toolchain needed), the pure-Python one. Says which, once, at import.
import sys

_ARCHS = ("", "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp",
          "xtensa", "xtensawin", "rv32imc", "rv64imc")
# Older ARM cores' code runs on the newer ones.
_ALSO = {"armv7m": ("armv6m",), "armv7em": ("armv7m", "armv6m"), "armv7emsp": ("armv7m", "armv6m"),
         "armv7emdp": ("armv7m", "armv6m")}


def _candidates():
    n = getattr(sys.implementation, "_mpy", 0) >> 10
    arch = _ARCHS[n] if n < len(_ARCHS) else ""
    names = ["wgcrypto_" + a for a in ((arch,) + _ALSO.get(arch, ())) if a]
    return arch or "unknown", names + ["wgcrypto_viper", "wgcrypto_pure"]


def _load():
    arch, names = _candidates()
    why = []
    for name in names:
        try:
            m = __import__(name)
        except (ImportError, SyntaxError, ValueError, NotImplementedError) as e:
            why.append("%s: %s" % (name, e))
            continue
        if name == "wgcrypto_pure":
            print("wgcrypto: no native module for %s and no viper: the pure-Python fallback "
                  "(slow, not constant-time)" % arch)
        elif name == "wgcrypto_viper":
            print("wgcrypto: no native module for %s: the viper fallback" % arch)
        return m
    raise ImportError("no wgcrypto for %s (%s)" % (arch, "; ".join(why)))


_m = _load()
for _k in dir(_m):
    if not _k.startswith("__"):
        globals()[_k] = getattr(_m, _k)
del _k, _m
