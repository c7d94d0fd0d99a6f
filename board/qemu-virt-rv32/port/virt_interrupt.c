// Ctrl-C on the REPL console (UART0) while a program runs, as boards with a
// UART interrupt have it, so a main.py that runs the tunnel forever can be
// stopped from the console (`mgtool status`, `mgtool provision`). The same
// scheme as the MPS2 boards' board/shared/qemu-mps2/interrupt.c, on this
// board's ns16550: no interrupt line is wired, so the console is polled
// whenever MicroPython waits for an event and every few thousand bytecodes
// (virtconfig.h). Other bytes are kept for the REPL's next reads
// (mp_hal_stdin_rx_chr is wrapped, -Wl,--wrap). While a script has set
// micropython.kbd_intr(-1) (the console carries its SLIP link) nothing is read.
#include "py/runtime.h"
#include "py/mphal.h"
#include "shared/runtime/interrupt_char.h"

#define UART0_RBR (*(volatile uint8_t *)0x10000000)
#define UART0_LSR (*(volatile uint8_t *)0x10000005)
#define LSR_DR    (0x01)

#define PENDING_SIZE 64
static uint8_t pending[PENDING_SIZE];
static unsigned int pending_head, pending_len;

void virt_poll_interrupt_char(void) {
    if (mp_interrupt_char < 0) {
        return;
    }
    while (UART0_LSR & LSR_DR) {
        int c = UART0_RBR;
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
