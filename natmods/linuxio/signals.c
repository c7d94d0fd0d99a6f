// Termination signals as a pollable fd (signalfd): the event loop sees
// SIGTERM/SIGINT like any other input and shuts down cleanly, with no
// asynchronous handler running inside the interpreter.
#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "linuxio.h"

// signal_fd(signums) -> fd. The signals are blocked for this process (and
// inherited as blocked by children), so they only arrive through the fd.
static mp_obj_t linuxio_signal_fd(mp_obj_t signums_in) {
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(signums_in, &n, &items);
    sigset_t mask;
    sigemptyset(&mask);
    for (size_t i = 0; i < n; i++) {
        if (sigaddset(&mask, (int)mp_obj_get_int(items[i])) < 0) {
            linuxio_raise_errno();
        }
    }
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
        linuxio_raise_errno();
    }
    int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) {
        linuxio_raise_errno();
    }
    return MP_OBJ_NEW_SMALL_INT(fd);
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_signal_fd_obj, linuxio_signal_fd);

// signal_read(fd) -> the next pending signal number, or -1 when none.
static mp_obj_t linuxio_signal_read(mp_obj_t fd_in) {
    struct signalfd_siginfo info;
    ssize_t n;
    do {
        n = read(linuxio_fd(fd_in), &info, sizeof(info));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN) {
            return MP_OBJ_NEW_SMALL_INT(-1);
        }
        linuxio_raise_errno();
    }
    if (n != sizeof(info)) {
        return MP_OBJ_NEW_SMALL_INT(-1);
    }
    return MP_OBJ_NEW_SMALL_INT(info.ssi_signo);
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_signal_read_obj, linuxio_signal_read);
