# Frozen into the MPS2 board firmware: the boot script, asyncio, and the
# MicroGuard application packages (bytecode in flash, not in the heap).
freeze("$(BOARD_DIR)/../../shared/qemu-mps2", "_boot.py")
include("$(MPY_DIR)/extmod/asyncio")
