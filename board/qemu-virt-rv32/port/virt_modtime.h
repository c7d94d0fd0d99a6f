// Included by extmod/modtime.c: time.time() from the board's real-time clock.
#include "py/obj.h"

uint64_t mp_hal_time_ns(void);

static mp_obj_t mp_time_time_get(void) {
    return mp_obj_new_int_from_ull(mp_hal_time_ns() / 1000000000ULL);
}
