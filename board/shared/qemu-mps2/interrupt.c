// Ctrl-C on the REPL console while a program runs, as boards with a UART
// interrupt have it: without this, a main.py that runs the tunnel forever
// could never be stopped from the console, so `mgtool status` and
// `mgtool provision` would find no REPL. Polled (console_intr.h) through the
// board's MG_CONSOLE_RX_READY()/MG_CONSOLE_RX_BYTE() (its config header).
// Other bytes are kept for the REPL's next reads (mp_hal_stdin_rx_chr is
// wrapped, -Wl,--wrap).
#include "py/runtime.h"
#include "py/mphal.h"
#include "shared/runtime/interrupt_char.h"

// Bytes that arrived while code ran and were not the interrupt character:
// kept (up to the buffer's size) for the REPL's next reads.
#define PENDING_SIZE 64
static uint8_t pending[PENDING_SIZE];
static unsigned int pending_head, pending_len;

void mg_poll_interrupt_char(void) {
    // Only while code runs (the REPL sets the character then); the REPL
    // reads its own input otherwise, and a script that carries its link on
    // the console sets micropython.kbd_intr(-1).
    if (mp_interrupt_char < 0) {
        return;
    }
    while (MG_CONSOLE_RX_READY()) {
        int c = MG_CONSOLE_RX_BYTE();
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
