// Ctrl-C from the console while a program runs (interrupt.c), for a board
// config header that has defined MG_CONSOLE_RX_READY() and MG_CONSOLE_RX_BYTE()
// for its console UART. The UART has no interrupt line wired, so it is polled
// whenever MicroPython waits for an event (asyncio, select, sleep) and every
// few thousand bytecodes.
#ifndef MG_CONSOLE_INTR_H
#define MG_CONSOLE_INTR_H

void mg_poll_interrupt_char(void);
#define MICROPY_INTERNAL_EVENT_HOOK mg_poll_interrupt_char()
#define MICROPY_VM_HOOK_COUNT       (4000)
#define MICROPY_VM_HOOK_INIT        static unsigned int vm_hook_divisor = MICROPY_VM_HOOK_COUNT;
#define MICROPY_VM_HOOK_POLL        if (--vm_hook_divisor == 0) { \
        vm_hook_divisor = MICROPY_VM_HOOK_COUNT; \
        mg_poll_interrupt_char(); \
}
#define MICROPY_VM_HOOK_LOOP        MICROPY_VM_HOOK_POLL
#define MICROPY_VM_HOOK_RETURN      MICROPY_VM_HOOK_POLL

#endif
