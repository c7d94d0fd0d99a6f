# Frozen into the RISC-V virt firmware: asyncio only, as stock ESP32 firmware
# freezes it. MicroGuard itself is loaded at run time.
include("$(MPY_DIR)/extmod/asyncio")
