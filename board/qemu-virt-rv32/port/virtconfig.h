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

// Ctrl-C from the console while a program runs (virt_interrupt.c).
void virt_poll_interrupt_char(void);
#define MICROPY_INTERNAL_EVENT_HOOK virt_poll_interrupt_char()
#define MICROPY_VM_HOOK_COUNT       (4000)
#define MICROPY_VM_HOOK_INIT        static unsigned int vm_hook_divisor = MICROPY_VM_HOOK_COUNT;
#define MICROPY_VM_HOOK_POLL        if (--vm_hook_divisor == 0) { \
        vm_hook_divisor = MICROPY_VM_HOOK_COUNT; \
        virt_poll_interrupt_char(); \
}
#define MICROPY_VM_HOOK_LOOP        MICROPY_VM_HOOK_POLL
#define MICROPY_VM_HOOK_RETURN      MICROPY_VM_HOOK_POLL
