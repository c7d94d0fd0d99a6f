# The Linux router daemon (OpenWrt): tun device, UDP sockets, UAPI, clocks.
# Its native helpers (linuxio) and wgcrypto are built into the interpreter.
import os

metadata(description="MicroGuard Linux router daemon", version="0.1.0")
require("wireguard", batch=True)
package("microguard", files=sorted(f for f in os.listdir(".") if f.endswith(".py") and f != "manifest.py"),
        base_path="..")
