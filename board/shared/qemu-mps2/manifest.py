# Frozen into the MPS2 board firmware: the boot script, asyncio, the board's
# network bring-up, and the MicroGuard application packages (bytecode stays in
# flash instead of the heap). wgcrypto is a native .mpy: uploaded to /flash/lib.
freeze("$(BOARD_DIR)/../../shared/qemu-mps2", ("_boot.py", "boardnet.py"))
include("$(MPY_DIR)/extmod/asyncio")
package("wireguard", base_path="$(BOARD_DIR)/../../../firmware")
package("mgboard", base_path="$(BOARD_DIR)/../../../firmware")
