// Layer-3 tun devices (no packet-info header, so reads and writes are bare
// IP packets) and the interface queries the daemon needs: whether the
// interface still exists, and its MTU. Both go through the tun fd, so they
// follow the interface into another network namespace (ip link set netns).
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     // setns()
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "linuxio.h"

static void copy_ifname(char *dst, mp_obj_t name_in) {
    size_t len;
    const char *name = mp_obj_str_get_data(name_in, &len);
    if (len >= IFNAMSIZ) {
        mp_raise_ValueError(MP_ERROR_TEXT("interface name too long"));
    }
    memset(dst, 0, IFNAMSIZ);
    memcpy(dst, name, len);
}

// tun_open(name) -> (fd, kernel's interface name). The fd is non-blocking;
// the interface lives until the fd closes or someone deletes it.
static mp_obj_t linuxio_tun_open(mp_obj_t name_in) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    copy_ifname(ifr.ifr_name, name_in);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        linuxio_raise_errno();
    }
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        close(fd);
        mp_raise_OSError(e);
    }
    mp_obj_t items[2] = {
        MP_OBJ_NEW_SMALL_INT(fd),
        mp_obj_new_str(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ)),
    };
    return mp_obj_new_tuple(2, items);
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_tun_open_obj, linuxio_tun_open);

// if_index(name) -> interface index, 0 when there is no such interface.
static mp_obj_t linuxio_if_index(mp_obj_t name_in) {
    char name[IFNAMSIZ];
    copy_ifname(name, name_in);
    return MP_OBJ_NEW_SMALL_INT(if_nametoindex(name));
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_if_index_obj, linuxio_if_index);

// SIOCGIFMTU/SIOCSIFMTU need some socket to ride on.
static int mtu_ioctl(mp_obj_t name_in, unsigned long request, int mtu) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    copy_ifname(ifr.ifr_name, name_in);
    ifr.ifr_mtu = mtu;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        linuxio_raise_errno();
    }
    int r = ioctl(s, request, &ifr);
    int e = errno;
    close(s);
    if (r < 0) {
        mp_raise_OSError(e);
    }
    return ifr.ifr_mtu;
}

static mp_obj_t linuxio_get_mtu(mp_obj_t name_in) {
    return MP_OBJ_NEW_SMALL_INT(mtu_ioctl(name_in, SIOCGIFMTU, 0));
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_get_mtu_obj, linuxio_get_mtu);

static mp_obj_t linuxio_set_mtu(mp_obj_t name_in, mp_obj_t mtu_in) {
    mtu_ioctl(name_in, SIOCSIFMTU, (int)mp_obj_get_int(mtu_in));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(linuxio_set_mtu_obj, linuxio_set_mtu);

// tun_alive(fd) -> False once the interface behind the fd is deleted. A
// zero-length write never sends anything: the kernel answers EINVAL (or EIO
// while the link is down) as long as the device exists, wherever it lives,
// and EBADFD once it is gone (measured on 6.x; wireguard-go probes the same).
static mp_obj_t linuxio_tun_alive(mp_obj_t fd_in) {
    int fd = linuxio_fd(fd_in);
    ssize_t r;
    do {
        r = write(fd, "", 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && (errno == EBADFD || errno == ENODEV || errno == ENXIO || errno == EBADF)) {
        return mp_const_false;
    }
    return mp_const_true;
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_tun_alive_obj, linuxio_tun_alive);

#ifndef TUNGETDEVNETNS
#define TUNGETDEVNETNS _IO('T', 227)
#endif

// A datagram socket in the namespace the tun device lives in now: setns()
// there (TUNGETDEVNETNS, Linux 5.2+), socket(), setns() back. The daemon is
// single-threaded, so nothing else runs in the other namespace meanwhile.
// Without the ioctl or the privilege, a socket in our own namespace.
static int socket_near_tun(int tun_fd) {
    int ns = ioctl(tun_fd, TUNGETDEVNETNS);
    if (ns < 0) {
        return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    }
    int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int s = -1;
    if (home >= 0 && setns(ns, CLONE_NEWNET) == 0) {
        s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int e = errno;
        if (setns(home, CLONE_NEWNET) != 0) {
            // Stranded in the interface's namespace: new UDP sockets would
            // open there. Refuse to go on rather than misbehave quietly.
            mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("cannot return to the daemon's network namespace"));
        }
        errno = e;
    } else {
        s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    }
    int e = errno;
    if (home >= 0) {
        close(home);
    }
    close(ns);
    errno = e;
    return s;
}

// tun_mtu(fd) -> the MTU of the interface behind the fd, by its current
// name (TUNGETIFF), in whichever namespace it was moved to.
static mp_obj_t linuxio_tun_mtu(mp_obj_t fd_in) {
    int fd = linuxio_fd(fd_in);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
        linuxio_raise_errno();
    }
    int s = socket_near_tun(fd);
    if (s < 0) {
        linuxio_raise_errno();
    }
    int r = ioctl(s, SIOCGIFMTU, &ifr);
    int e = errno;
    close(s);
    if (r < 0) {
        mp_raise_OSError(e);
    }
    return MP_OBJ_NEW_SMALL_INT(ifr.ifr_mtu);
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_tun_mtu_obj, linuxio_tun_mtu);
