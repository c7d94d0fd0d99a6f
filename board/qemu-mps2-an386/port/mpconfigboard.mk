# MicroPython qemu-port board: ARM MPS2 AN386 (Cortex-M4 with single-precision FPU).
# Hard-float ABI so it loads armv7emsp native modules (and armv7m ones).
QEMU_ARCH = arm
QEMU_MACHINE = mps2-an386

CFLAGS += -mthumb -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard
CFLAGS += -DQEMU_SOC_MPS2
CFLAGS += -DMICROPY_HW_MCU_NAME='"Cortex-M4F"'

LDSCRIPT = mcu/arm/mps2.ld
SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_thumb2.o
MPY_CROSS_FLAGS += -march=armv7emsp

# The FPU must be switched on before the first floating-point instruction; the
# port's startup has no hook for it, so the first call it makes is wrapped.
SRC_C += $(BOARD_DIR)/fpu_enable.c
LDFLAGS += -Wl,--wrap=mp_semihosting_init

MICROPY_HEAP_SIZE = 1048576

include $(BOARD_DIR)/../../shared/qemu-mps2/mps2.mk
