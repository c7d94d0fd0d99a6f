// time.ticks_* and the real-time clock of the RISC-V virt board. Ticks come
// from the CLINT's 64-bit mtime counter (10 MHz on QEMU virt). The wall clock
// is the host's time (semihosting SYS_TIME, whole seconds) read once at the
// first use, then carried forward by mtime, like an RTC set over NTP.
#include "py/runtime.h"
#include "py/mphal.h"
#include "shared/runtime/semihosting_rv32.h"

#define CLINT_MTIME_LO (*(volatile uint32_t *)0x0200BFF8)
#define CLINT_MTIME_HI (*(volatile uint32_t *)0x0200BFFC)
#define MTIME_HZ       (10000000ULL)

static uint64_t mtime(void) {
    uint32_t hi, lo;
    do {
        hi = CLINT_MTIME_HI;
        lo = CLINT_MTIME_LO;
    } while (hi != CLINT_MTIME_HI);
    return ((uint64_t)hi << 32) | lo;
}

mp_uint_t mp_hal_ticks_cpu(void) {
    return CLINT_MTIME_LO;
}

mp_uint_t mp_hal_ticks_us(void) {
    return (mp_uint_t)(mtime() / (MTIME_HZ / 1000000));
}

mp_uint_t mp_hal_ticks_ms(void) {
    return (mp_uint_t)(mtime() / (MTIME_HZ / 1000));
}

void mp_hal_delay_us(mp_uint_t us) {
    mp_uint_t start = mp_hal_ticks_us();
    while (mp_hal_ticks_us() - start < us) {
    }
}

void mp_hal_delay_ms(mp_uint_t ms) {
    mp_uint_t start = mp_hal_ticks_ms();
    while (mp_hal_ticks_ms() - start < ms) {
        mp_event_handle_nowait();
    }
}

uint64_t mp_hal_time_ns(void) {
    static uint64_t base_ns, base_mtime;
    static bool set;
    if (!set) {
        int sec = mp_semihosting_time();
        base_mtime = mtime();
        base_ns = sec > 0 ? (uint64_t)sec * 1000000000ULL : 0;
        set = true;
    }
    return base_ns + (mtime() - base_mtime) * (1000000000ULL / MTIME_HZ);
}
