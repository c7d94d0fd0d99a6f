// Packet I/O on raw file descriptors (the tun device). Reads go into a
// caller-owned buffer and "would block" is a return value, not an
// exception, so the per-packet path allocates nothing.
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "linuxio.h"

// read_into(fd, buf) -> bytes read, or -1 when nothing is ready (EAGAIN).
static mp_obj_t linuxio_read_into(mp_obj_t fd_in, mp_obj_t buf_in) {
    int fd = linuxio_fd(fd_in);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(buf_in, &buf, MP_BUFFER_WRITE);
    ssize_t n;
    do {
        n = read(fd, buf.buf, buf.len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return MP_OBJ_NEW_SMALL_INT(-1);
        }
        linuxio_raise_errno();
    }
    return MP_OBJ_NEW_SMALL_INT(n);
}
MP_DEFINE_CONST_FUN_OBJ_2(linuxio_read_into_obj, linuxio_read_into);

// write(fd, buf[, n]) -> bytes written, or -1 when the fd would block.
static mp_obj_t linuxio_write(size_t n_args, const mp_obj_t *args) {
    int fd = linuxio_fd(args[0]);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[1], &buf, MP_BUFFER_READ);
    size_t len = buf.len;
    if (n_args > 2) {
        mp_int_t want = mp_obj_get_int(args[2]);
        if (want < 0 || (size_t)want > buf.len) {
            mp_raise_ValueError(MP_ERROR_TEXT("length out of range"));
        }
        len = (size_t)want;
    }
    ssize_t n;
    do {
        n = write(fd, buf.buf, len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return MP_OBJ_NEW_SMALL_INT(-1);
        }
        linuxio_raise_errno();
    }
    return MP_OBJ_NEW_SMALL_INT(n);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_write_obj, 2, 3, linuxio_write);

static mp_obj_t linuxio_close(mp_obj_t fd_in) {
    if (close(linuxio_fd(fd_in)) < 0 && errno != EINTR) {
        linuxio_raise_errno();
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_close_obj, linuxio_close);

static mp_obj_t linuxio_set_nonblocking(mp_obj_t fd_in) {
    int fd = linuxio_fd(fd_in);
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        linuxio_raise_errno();
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_set_nonblocking_obj, linuxio_set_nonblocking);
