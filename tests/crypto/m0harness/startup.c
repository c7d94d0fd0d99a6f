// Vector table and reset handler for the bare-metal Cortex-M0 test harness.
#include <stdint.h>

#include "semihost.h"

extern uint32_t _data_start[], _data_end[], _data_load[], _bss_start[], _bss_end[], _stack_top[];
int main(void);

void reset_handler(void) {
    uint32_t *s = _data_load;
    for (uint32_t *d = _data_start; d < _data_end; d++) {
        *d = *s++;
    }
    for (uint32_t *d = _bss_start; d < _bss_end; d++) {
        *d = 0;
    }
    sh_exit(main());
}

// Any fault ends the run with a distinct status instead of hanging QEMU.
static void fault_handler(void) {
    sh_exit(99);
}

__attribute__((section(".vectors"), used))
static void *const vectors[16] = {
    _stack_top, reset_handler, fault_handler, fault_handler,
};
