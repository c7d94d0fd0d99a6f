# The board application for this board, besides its crypto and main.py:
# the board package (with the engine it requires) and the board's network
# bring-up. Read by `mgtool provision` and by the mip package build.
require("mgboard")
module("boardnet.py")
