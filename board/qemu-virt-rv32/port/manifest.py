# Frozen into the RISC-V virt firmware: the boot script that mounts the flash
# filesystem (firmware bring-up) and asyncio, as stock ESP32 firmware freezes
# them. MicroGuard itself is installed at run time (`mgtool provision`).
freeze("$(BOARD_DIR)/../../shared/qemu-mps2", "_boot.py")   # the MPS2 boards' boot script
include("$(MPY_DIR)/extmod/asyncio")
