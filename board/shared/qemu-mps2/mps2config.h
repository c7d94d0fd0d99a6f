// Configuration of the MicroGuard MPS2 boards: the qemu port's settings
// (MP_CONFIGFILE points here) plus what the tunnel needs: time, select and
// asyncio. littlefs v2 is switched on by mps2.mk (MICROPY_VFS_LFS2).
#include <mpconfigport.h>

#undef MICROPY_PY_TIME
#define MICROPY_PY_TIME             (1)
#undef MICROPY_PY_SELECT
#define MICROPY_PY_SELECT           (1)
#undef MICROPY_PY_ASYNCIO
#define MICROPY_PY_ASYNCIO          (1)

// Ctrl-C from the console while a program runs: the CMSDK UART0's data and
// state registers (RX full is bit 1).
#define MG_CONSOLE_RX_READY()       ((*(volatile uint32_t *)0x40004004) & (1 << 1))
#define MG_CONSOLE_RX_BYTE()        ((*(volatile uint32_t *)0x40004000) & 0xff)
#include "console_intr.h"
