# The board application for the emulated RISC-V board, besides its crypto
# (wgcrypto.mpy for rv32imc) and main.py: the same as board/esp32-c3/manifest.py
# but for the network bring-up, which here is SLIP over the console UART
# instead of Wi-Fi. Read by `mgtool provision`.
require("mgboard")
module("boardnet.py")
