# MicroPython qemu-port board: ARM MPS2 AN385 (Cortex-M3, no FPU).
# Used through BOARD_DIR=<this dir>; loads armv6m and armv7m native modules.
QEMU_ARCH = arm
QEMU_MACHINE = mps2-an385

CFLAGS += -mthumb -mcpu=cortex-m3 -mfloat-abi=soft
CFLAGS += -DQEMU_SOC_MPS2
CFLAGS += -DMICROPY_HW_MCU_NAME='"Cortex-M3"'

LDSCRIPT = mcu/arm/mps2.ld
SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_thumb2.o
MPY_CROSS_FLAGS += -march=armv7m

# The SSRAM is 4 MiB; a larger heap lets test batches and the tunnel fit comfortably.
MICROPY_HEAP_SIZE = 1048576

include $(BOARD_DIR)/../../shared/qemu-mps2/mps2.mk
