// Cortex-M4F: grant full access to coprocessors 10 and 11 (the FPU) in CPACR.
// Without this the first VFP instruction raises a UsageFault (NOCP).
#include <stdint.h>

void __real_mp_semihosting_init(void);

void __wrap_mp_semihosting_init(void) {
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88;
    *cpacr |= (0xFu << 20);
    __asm volatile ("dsb\n isb");
    __real_mp_semihosting_init();
}
