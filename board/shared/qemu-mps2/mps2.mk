# Shared by the MicroGuard MPS2 board definitions (included from their
# mpconfigboard.mk): persistent semihosted flash with littlefs v2, time,
# select/asyncio, the UART data link, and the frozen boot script.
MPS2_SHARED := $(abspath $(BOARD_DIR)/../../shared/qemu-mps2)

CFLAGS += -I$(MPS2_SHARED) -DMP_CONFIGFILE='"mps2config.h"'
MICROPY_VFS_LFS2 = 1

SRC_C += \
	$(MPS2_SHARED)/semihost.c \
	$(MPS2_SHARED)/semihost_cmdline.c \
	$(MPS2_SHARED)/flash.c \
	$(MPS2_SHARED)/uart.c \
	$(MPS2_SHARED)/ticks.c \
	$(MPS2_SHARED)/modmps2.c \
	$(MPS2_SHARED)/boot.c \
	$(MPS2_SHARED)/interrupt.c

LDFLAGS += -Wl,--wrap=mp_init -Wl,--wrap=mp_hal_stdin_rx_chr

LDSCRIPT = $(MPS2_SHARED)/mps2.ld
