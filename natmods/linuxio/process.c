// Becoming a daemon, and the few process attributes MicroPython's os lacks.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "linuxio.h"

static void to_devnull(int fd) {
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, fd);
        if (null != fd) {
            close(null);
        }
    }
}

// daemonize(keep_stderr) -> pid of the daemon. The parent exits 0 right
// here, so the caller must have finished everything the parent's exit
// status promises (device created, socket listening) before calling.
// stdin/stdout (and stderr unless kept) go to /dev/null: a daemon holding
// its starter's pipes open would make the starter wait forever.
static mp_obj_t linuxio_daemonize(mp_obj_t keep_stderr_in) {
    pid_t pid = fork();
    if (pid < 0) {
        linuxio_raise_errno();
    }
    if (pid > 0) {
        _exit(0);
    }
    if (setsid() < 0) {
        linuxio_raise_errno();
    }
    if (chdir("/") < 0) {
        linuxio_raise_errno();
    }
    to_devnull(0);
    to_devnull(1);
    if (!mp_obj_is_true(keep_stderr_in)) {
        to_devnull(2);
    }
    return MP_OBJ_NEW_SMALL_INT(getpid());
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_daemonize_obj, linuxio_daemonize);

static mp_obj_t linuxio_getpid(void) {
    return MP_OBJ_NEW_SMALL_INT(getpid());
}
MP_DEFINE_CONST_FUN_OBJ_0(linuxio_getpid_obj, linuxio_getpid);

// umask(mask) -> previous mask
static mp_obj_t linuxio_umask(mp_obj_t mask_in) {
    return MP_OBJ_NEW_SMALL_INT(umask((mode_t)mp_obj_get_int(mask_in)));
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_umask_obj, linuxio_umask);

static mp_obj_t linuxio_chmod(mp_obj_t path_in, mp_obj_t mode_in) {
    if (chmod(mp_obj_str_get_str(path_in), (mode_t)mp_obj_get_int(mode_in)) < 0) {
        linuxio_raise_errno();
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(linuxio_chmod_obj, linuxio_chmod);
