// Configuration of the MicroGuard RISC-V virt board: the qemu port's settings
// (MP_CONFIGFILE points here) plus what stock ESP32 firmware has and the
// tunnel needs: time (ticks from the CLINT timer, time() from the host clock),
// select, asyncio and os.urandom (the host's /dev/urandom via semihosting).
#include <mpconfigport.h>

#undef MICROPY_PY_TIME
#define MICROPY_PY_TIME             (1)
#define MICROPY_PY_TIME_TIME_TIME_NS (1)
#define MICROPY_PY_TIME_INCLUDEFILE "virt_modtime.h"
#undef MICROPY_PY_SELECT
#define MICROPY_PY_SELECT           (1)
#undef MICROPY_PY_ASYNCIO
#define MICROPY_PY_ASYNCIO          (1)
#define MICROPY_PY_OS_URANDOM       (1)
#define MICROPY_PY_OS_INCLUDEFILE   "virt_modos.h"

// Ctrl-C from the console while a program runs (the MPS2 boards'
// interrupt.c): the ns16550 UART0's receive buffer and line status (data
// ready is bit 0).
#define MG_CONSOLE_RX_READY()       ((*(volatile uint8_t *)0x10000005) & 0x01)
#define MG_CONSOLE_RX_BYTE()        (*(volatile uint8_t *)0x10000000)
#include "console_intr.h"
