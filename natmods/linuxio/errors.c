// Shared by every linuxio function: argument checks, and failures that surface as
// OSError carrying the errno of the failed system call, as in the os module.
#include <errno.h>

#include "linuxio.h"

NORETURN void linuxio_raise_errno(void) {
    mp_raise_OSError(errno);
}

// File descriptors are plain ints; anything else is a caller bug.
int linuxio_fd(mp_obj_t obj) {
    mp_int_t fd = mp_obj_get_int(obj);
    if (fd < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("negative file descriptor"));
    }
    return (int)fd;
}

// Batch calls take offsets and lengths as array('I'): their items and number.
uint32_t *linuxio_u32_array(mp_obj_t obj, size_t *len, mp_uint_t flags) {
    mp_buffer_info_t info;
    mp_get_buffer_raise(obj, &info, flags);
    if (info.typecode != 'I') {
        mp_raise_TypeError(MP_ERROR_TEXT("offsets and lengths must be array('I')"));
    }
    *len = info.len / sizeof(uint32_t);
    return info.buf;
}
