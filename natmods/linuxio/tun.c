// Layer-3 tun devices (no packet-info header, so reads and writes are bare
// IP packets) and the interface queries the daemon needs: whether the
// interface still exists, and its MTU.
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
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
