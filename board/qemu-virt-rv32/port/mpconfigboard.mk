# MicroPython qemu-port board: QEMU `virt` RISC-V 32 (the port's VIRT_RV32,
# rv32imac), standing in for an ESP32-C3/C6 running stock MicroPython. Added to
# VIRT_RV32: what stock ESP32 firmware also has (time with a real-time clock,
# select, asyncio frozen in, os.urandom, Ctrl-C on the console while code runs),
# pollable UART streams (`virt.UART`: the console, and a second UART when QEMU
# has a pci-serial) for the data link, and a flash filesystem (littlefs v2 on a
# host file through semihosting, the MPS2 boards' block device; mounted at
# /flash by the frozen _boot.py, which boot.c runs before boot.py and main.py).
# Nothing of
# MicroGuard is frozen in.
QEMU_ARCH = riscv32
QEMU_MACHINE = virt

# GCC 12 compiles the port's CSR instructions only with Zicsr, but links the
# 64-bit multilib when it sees "rv32imac_zicsr": ISA spec 2.2 puts Zicsr in the
# base ISA under the plain name, which the multilib matching knows.
RV32_ARCH = rv32imac -misa-spec=2.2

CFLAGS += -DQEMU_SOC_VIRT
CFLAGS += -DMICROPY_HW_MCU_NAME='"RISC-V rv32imac"'
CFLAGS += -I$(BOARD_DIR) -DMP_CONFIGFILE='"virtconfig.h"'

LDSCRIPT = mcu/rv32/virt.ld

SRC_BOARD_O += shared/runtime/gchelper_native.o shared/runtime/gchelper_rv32i.o

MPS2_SHARED := $(abspath $(BOARD_DIR)/../../shared/qemu-mps2)
CFLAGS += -I$(MPS2_SHARED)
MICROPY_VFS_LFS2 = 1
LDFLAGS += -Wl,--wrap=mp_init -Wl,--wrap=mp_hal_stdin_rx_chr

SRC_C += \
	shared/runtime/semihosting_rv32.c \
	$(BOARD_DIR)/semihost_rv32.c \
	$(MPS2_SHARED)/semihost_cmdline.c \
	$(MPS2_SHARED)/flash.c \
	$(MPS2_SHARED)/boot.c \
	$(BOARD_DIR)/virt_uart.c \
	$(MPS2_SHARED)/interrupt.c \
	$(BOARD_DIR)/modvirt.c \
	$(BOARD_DIR)/virt_time.c

MPY_CROSS_FLAGS += -march=rv32imc

# About the MicroPython heap of an ESP32-C3 (~200 KiB) plus room for the
# in-RAM files a board without a filesystem imports from.
MICROPY_HEAP_SIZE = 524288

FROZEN_MANIFEST = $(BOARD_DIR)/manifest.py
