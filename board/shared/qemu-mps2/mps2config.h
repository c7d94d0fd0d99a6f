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

// Ctrl-C from the console while a program runs (interrupt.c).
void mps2_poll_interrupt_char(void);
#define MICROPY_INTERNAL_EVENT_HOOK mps2_poll_interrupt_char()
#define MICROPY_VM_HOOK_COUNT       (4000)
#define MICROPY_VM_HOOK_INIT        static unsigned int vm_hook_divisor = MICROPY_VM_HOOK_COUNT;
#define MICROPY_VM_HOOK_POLL        if (--vm_hook_divisor == 0) { \
        vm_hook_divisor = MICROPY_VM_HOOK_COUNT; \
        mps2_poll_interrupt_char(); \
}
#define MICROPY_VM_HOOK_LOOP        MICROPY_VM_HOOK_POLL
#define MICROPY_VM_HOOK_RETURN      MICROPY_VM_HOOK_POLL
