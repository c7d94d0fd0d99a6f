# The board package: mgboard.Tunnel on asyncio, its links (SLIP over a UART,
# sockets), clocks, tiny IPv4 layer, config loader and the boot app. Needs
# asyncio, which MicroPython firmwares carry. The board's own bring-up
# (boardnet.py, main.py) is named by board/<board>/manifest.py.
import os

metadata(description="MicroGuard board package: Tunnel, links, clocks, app", version="0.1.0")
require("wireguard")
package("mgboard", files=sorted(f for f in os.listdir(".") if f.endswith(".py") and f != "manifest.py"),
        base_path="..")
