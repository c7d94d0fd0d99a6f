// time.ticks_* for the MPS2 boards: the FPGAIO 25 MHz cycle counter gives the
// resolution, the FPGAIO 100 Hz counter (which does not wrap for 497 days)
// tells which lap of the 32-bit cycle counter we are on.
#include "py/runtime.h"
#include "py/mphal.h"

#define FPGAIO_CLK100HZ (*(volatile uint32_t *)0x40028014)
#define FPGAIO_COUNTER  (*(volatile uint32_t *)0x40028018)
#define CYCLES_PER_10MS (250000ULL)

static uint64_t mps2_cycles(void) {
    uint32_t lap, count;
    do {
        lap = FPGAIO_CLK100HZ;
        count = FPGAIO_COUNTER;
    } while (lap != FPGAIO_CLK100HZ);
    uint64_t approx = lap * CYCLES_PER_10MS;
    // The value congruent to `count` (mod 2^32) nearest the coarse estimate.
    uint64_t v = (approx & ~0xffffffffULL) | count;
    if (v + 0x80000000ULL < approx) {
        v += 0x100000000ULL;
    } else if (v > approx + 0x80000000ULL && v >= 0x100000000ULL) {
        v -= 0x100000000ULL;
    }
    return v;
}

// n / d for d < 2^16, in 16-bit steps: 64-bit division would pull libgcc's
// __aeabi_uldivmod and its unwind tables into a linker script without them.
static uint64_t div_small(uint64_t n, uint32_t d) {
    uint64_t q = 0;
    uint32_t r = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t cur = (r << 16) | (uint32_t)((n >> shift) & 0xffff);
        q = (q << 16) | (cur / d);
        r = cur % d;
    }
    return q;
}

// No real-time clock: file modification times read as the epoch. The
// handshake clock is kept in flash by mgboard.clock instead.
uint64_t mp_hal_time_ns(void) {
    return 0;
}

mp_uint_t mp_hal_ticks_cpu(void) {
    return FPGAIO_COUNTER;
}

mp_uint_t mp_hal_ticks_us(void) {
    return (mp_uint_t)div_small(mps2_cycles(), 25);
}

mp_uint_t mp_hal_ticks_ms(void) {
    return (mp_uint_t)div_small(mps2_cycles(), 25000);
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
