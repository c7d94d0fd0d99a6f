// Clocks for the engine: a monotonic one in float seconds (timers), and the
// wall clock as (sec, nsec) (handshake timestamps, `wg show`). time.ticks_*
// wraps on 32-bit builds, hence this.
#include <time.h>

#include "linuxio.h"

static mp_obj_t linuxio_monotonic(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return mp_obj_new_float((mp_float_t)ts.tv_sec + (mp_float_t)ts.tv_nsec * 1e-9);
}
MP_DEFINE_CONST_FUN_OBJ_0(linuxio_monotonic_obj, linuxio_monotonic);

static mp_obj_t linuxio_realtime(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    mp_obj_t items[2] = {
        mp_obj_new_int_from_ll(ts.tv_sec),
        MP_OBJ_NEW_SMALL_INT(ts.tv_nsec),
    };
    return mp_obj_new_tuple(2, items);
}
MP_DEFINE_CONST_FUN_OBJ_0(linuxio_realtime_obj, linuxio_realtime);
