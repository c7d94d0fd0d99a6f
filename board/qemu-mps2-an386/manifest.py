# The board application for this board, besides its crypto and main.py:
# the board package (with the engine it requires) and the board's network
# bring-up. Read by `mgtool provision` and frozen by this board's firmware.
require("mgboard")
module("boardnet.py", base_path="../shared/qemu-mps2")
