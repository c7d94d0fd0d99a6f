// Ctrl-C on the REPL console (UART0) while a program runs, as boards with a
// UART interrupt have it: without this, a main.py that runs the tunnel
// forever could never be stopped from the console, so `mgtool status` and
// `mgtool provision` would find no REPL. The UART has no interrupt line
// wired here, so the console is polled whenever MicroPython waits for an
// event (asyncio, select, sleep) and every few thousand bytecodes
// (MICROPY_INTERNAL_EVENT_HOOK and MICROPY_VM_HOOK_POLL in mps2config.h).
// Other bytes are kept for the REPL's next reads (mp_hal_stdin_rx_chr is
// wrapped, -Wl,--wrap).
#include "py/runtime.h"
#include "py/mphal.h"
#include "shared/runtime/interrupt_char.h"

#define UART0_DATA  (*(volatile uint32_t *)0x40004000)
#define UART0_STATE (*(volatile uint32_t *)0x40004004)
#define UART_STATE_RXFULL (1 << 1)

// Bytes that arrived while code ran and were not the interrupt character:
// kept (up to the buffer's size) for the REPL's next reads.
#define PENDING_SIZE 64
static uint8_t pending[PENDING_SIZE];
static unsigned int pending_head, pending_len;

void mps2_poll_interrupt_char(void) {
    // Only while code runs (the REPL sets the character then); the REPL
    // reads its own input otherwise.
    if (mp_interrupt_char < 0) {
        return;
    }
    while (UART0_STATE & UART_STATE_RXFULL) {
        int c = UART0_DATA & 0xff;
        if (c == mp_interrupt_char) {
            mp_sched_keyboard_interrupt();
        } else if (pending_len < PENDING_SIZE) {
            pending[(pending_head + pending_len++) % PENDING_SIZE] = c;
        }
    }
}

int __real_mp_hal_stdin_rx_chr(void);

int __wrap_mp_hal_stdin_rx_chr(void) {
    if (pending_len) {
        int c = pending[pending_head];
        pending_head = (pending_head + 1) % PENDING_SIZE;
        pending_len--;
        return c;
    }
    return __real_mp_hal_stdin_rx_chr();
}
