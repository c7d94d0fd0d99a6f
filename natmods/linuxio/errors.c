// Error reporting shared by every linuxio function: failures surface as
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
