# The WireGuard protocol engine: pure protocol, no I/O. Its crypto is the
# `wgcrypto` module (native, or a fallback from wgcrypto_fallback), chosen
# per target by whoever installs it, so it is not required here.
# This manifest sits in the package's own folder: it names the modules beside
# it, not itself. Adding a module = adding its file here.
# The batched seam (batch.py, batchcrypto.py) is for the Linux daemon, which
# asks for it (require("wireguard", batch=True)); boards, whose file systems
# hold a few hundred KB, leave it out.
import os

options.defaults(batch=False)
BATCH = ("batch.py", "batchcrypto.py")

metadata(description="MicroGuard's WireGuard protocol engine (no I/O)", version="0.1.0")
package("wireguard", files=sorted(f for f in os.listdir(".") if f.endswith(".py") and f != "manifest.py"
                                  and (options.batch or f not in BATCH)),
        base_path="..")
