// UDP sockets for the tunnel's outer packets. Addresses cross into Python as
// (host text, port) tuples, the engine's form; the conversion happens here
// so the per-packet path stays in C. One socket per family, like
// wireguard-go: the IPv6 one is IPV6_V6ONLY so both can share a port.
//
// Sticky source addresses: on a host with several addresses, a peer must
// get its replies from the address it sent to (with NAT in between, any
// other source breaks the tunnel). Receiving learns the local address of
// each datagram (IP_PKTINFO / IPV6_PKTINFO) into a source cache, a dict
// {(host, port): local} the caller owns; sending to an endpoint found there
// passes the same control message. A cached address that is gone (the
// send fails) is dropped and the routing table picks again.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     // struct in6_pktinfo
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "py/objlist.h"
#include "linuxio.h"

// Socket buffers big enough to ride out a burst while Python is busy.
#define UDP_BUFFER_BYTES (4 * 1024 * 1024)

static void set_buffer(int fd, int force_opt, int opt) {
    int size = UDP_BUFFER_BYTES;
    // The FORCE variants ignore rmem_max/wmem_max but need CAP_NET_ADMIN.
    if (setsockopt(fd, SOL_SOCKET, force_opt, &size, sizeof(size)) < 0) {
        setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
    }
}

// udp_bind(family 4|6, port) -> fd, non-blocking, bound to the wildcard address.
static mp_obj_t linuxio_udp_bind(mp_obj_t family_in, mp_obj_t port_in) {
    mp_int_t family = mp_obj_get_int(family_in);
    mp_int_t port = mp_obj_get_int(port_in);
    if ((family != 4 && family != 6) || port < 0 || port > 65535) {
        mp_raise_ValueError(MP_ERROR_TEXT("family must be 4 or 6, port 0..65535"));
    }
    int af = family == 4 ? AF_INET : AF_INET6;
    int fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        linuxio_raise_errno();
    }
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof(ss));
    if (af == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        len = sizeof(*sin);
    } else {
        int one = 1;
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) {
            int e = errno;
            close(fd);
            mp_raise_OSError(e);
        }
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        len = sizeof(*sin6);
    }
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;
        close(fd);
        mp_raise_OSError(e);
    }
    // Ask for each datagram's local address (the sticky source).
    int on = 1;
    if (af == AF_INET) {
        setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
    } else {
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
    }
    set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF);
    set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF);
    return MP_OBJ_NEW_SMALL_INT(fd);
}
MP_DEFINE_CONST_FUN_OBJ_2(linuxio_udp_bind_obj, linuxio_udp_bind);

// udp_set_mark(fd, mark): SO_MARK (the UAPI fwmark), so policy routing can
// keep the tunnel's own packets out of the tunnel (wg-quick's default route).
static mp_obj_t linuxio_udp_set_mark(mp_obj_t fd_in, mp_obj_t mark_in) {
    uint32_t mark = (uint32_t)mp_obj_get_int_truncated(mark_in);
    if (setsockopt(linuxio_fd(fd_in), SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
        linuxio_raise_errno();
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(linuxio_udp_set_mark_obj, linuxio_udp_set_mark);

// udp_port(fd) -> the local port (what port 0 turned into).
static mp_obj_t linuxio_udp_port(mp_obj_t fd_in) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(linuxio_fd(fd_in), (struct sockaddr *)&ss, &len) < 0) {
        linuxio_raise_errno();
    }
    uint16_t port = ss.ss_family == AF_INET
        ? ((struct sockaddr_in *)&ss)->sin_port
        : ((struct sockaddr_in6 *)&ss)->sin6_port;
    return MP_OBJ_NEW_SMALL_INT(ntohs(port));
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_udp_port_obj, linuxio_udp_port);

// recvfrom_into(fd, buf, src[, cache]) -> bytes received, or -1 when
// nothing is ready. src is a 3-item list [raw sockaddr, (host, port),
// local address] the caller keeps per socket. Its items are only rewritten
// when the sender or the local address changes, so a steady stream from one
// peer allocates nothing and the engine sees the same tuple object. With a
// source cache (dict), cache[(host, port)] = local address.
static mp_obj_t linuxio_recvfrom_into(size_t n_args, const mp_obj_t *args) {
    int fd = linuxio_fd(args[0]);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[1], &buf, MP_BUFFER_WRITE);
    if (!mp_obj_is_type(args[2], &mp_type_list)) {
        mp_raise_TypeError(MP_ERROR_TEXT("src must be a list"));
    }
    mp_obj_list_t *src = MP_OBJ_TO_PTR(args[2]);
    if (src->len != 3) {
        mp_raise_ValueError(MP_ERROR_TEXT("src must have 3 items"));
    }
    mp_obj_t cache = n_args > 3 ? args[3] : mp_const_none;
    if (cache != mp_const_none && !mp_obj_is_type(cache, &mp_type_dict)) {
        mp_raise_TypeError(MP_ERROR_TEXT("cache must be a dict"));
    }
    struct sockaddr_storage ss;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
    } control;
    struct iovec iov = { buf.buf, buf.len };
    struct msghdr msg;
    ssize_t n;
    do {
        memset(&msg, 0, sizeof(msg));
        msg.msg_name = &ss;
        msg.msg_namelen = sizeof(ss);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        n = recvmsg(fd, &msg, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return MP_OBJ_NEW_SMALL_INT(-1);
        }
        linuxio_raise_errno();
    }
    socklen_t len = msg.msg_namelen;
    if (ss.ss_family == AF_INET6) {
        // flowinfo is not part of the sender's identity
        ((struct sockaddr_in6 *)&ss)->sin6_flowinfo = 0;
    }
    if (!linuxio_same_bytes(src->items[0], &ss, len)) {
        src->items[0] = mp_obj_new_bytes((const byte *)&ss, len);
        src->items[1] = linuxio_address_tuple(&ss);
    }
    linuxio_src_local(src, &msg, cache);
    return MP_OBJ_NEW_SMALL_INT(n);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_recvfrom_into_obj, 3, 4, linuxio_recvfrom_into);

static ssize_t send_one(int fd, const void *data, size_t len, struct sockaddr_storage *ss,
                        socklen_t sslen, char *control, size_t control_len) {
    struct iovec iov = { (void *)data, len };
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_name = ss;
    msg.msg_namelen = sslen;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (control_len) {
        msg.msg_control = control;
        msg.msg_controllen = control_len;
    }
    ssize_t n;
    do {
        n = sendmsg(fd, &msg, 0);
    } while (n < 0 && errno == EINTR);
    return n;
}

// sendto(fd4, fd6, buf, (host, port)[, cache]) -> bytes sent, or -1 when
// the socket buffer is full (the packet is dropped, as UDP may). The socket
// is picked by the address family; pass -1 for a family with no socket.
// With a source cache (dict) holding the endpoint, the packet leaves from
// the cached local address; a cached address the kernel refuses (removed)
// is dropped from the cache and the packet goes out as the routes say.
static mp_obj_t linuxio_sendto(size_t n_args, const mp_obj_t *args) {
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, MP_BUFFER_READ);
    struct sockaddr_storage ss;
    socklen_t sslen = linuxio_parse_address(args[3], &ss);
    mp_int_t fd = mp_obj_get_int(args[ss.ss_family == AF_INET ? 0 : 1]);
    if (fd < 0) {
        mp_raise_OSError(EAFNOSUPPORT);
    }
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    } control;
    size_t control_len = 0;
    mp_map_t *map;
    mp_obj_t local = linuxio_source_lookup(n_args > 4 ? args[4] : mp_const_none, args[3], &map);
    if (local != MP_OBJ_NULL) {
        control_len = linuxio_source_cmsg(ss.ss_family, local, control.buf, sizeof(control.buf));
    }
    ssize_t n = send_one((int)fd, buf.buf, buf.len, &ss, sslen, control.buf, control_len);
    if (n < 0 && control_len && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
        // The cached source is gone (measured: IPv4 ENETUNREACH, IPv6
        // EINVAL; EADDRNOTAVAIL elsewhere): forget it, let the routing
        // table choose. Any other failure gets one plain retry too; the
        // next datagram from the endpoint teaches the source again.
        mp_map_lookup(map, args[3], MP_MAP_LOOKUP_REMOVE_IF_FOUND);
        n = send_one((int)fd, buf.buf, buf.len, &ss, sslen, NULL, 0);
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
            return MP_OBJ_NEW_SMALL_INT(-1);
        }
        linuxio_raise_errno();
    }
    return MP_OBJ_NEW_SMALL_INT(n);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_sendto_obj, 4, 5, linuxio_sendto);
