# A stock firmware for the MPS2 boards, like the one a real board ships with:
# the boot script that mounts the flash filesystem (firmware bring-up) and
# asyncio, which MicroPython's own board firmwares freeze too. Nothing of
# MicroGuard: `mgtool provision` or `mip` installs the application.
freeze("$(BOARD_DIR)/../../shared/qemu-mps2", "_boot.py")
include("$(MPY_DIR)/extmod/asyncio")
