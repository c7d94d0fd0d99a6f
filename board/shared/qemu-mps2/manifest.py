# Frozen into the MPS2 board firmware: the boot script, asyncio, and the
# board application as board/<board>/manifest.py names it (bytecode stays in
# flash instead of the heap). wgcrypto is a native .mpy: uploaded to /flash/lib.
# _boot.py puts /flash/lib before .frozen, so what `mgtool provision` uploads
# is what runs; the frozen copy serves a board nothing was uploaded to.
freeze("$(BOARD_DIR)/../../shared/qemu-mps2", "_boot.py")
include("$(MPY_DIR)/extmod/asyncio")
add_library("microguard", "$(BOARD_DIR)/../../../firmware")
include("$(BOARD_DIR)/../manifest.py")
