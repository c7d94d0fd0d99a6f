// UDP sockets for the tunnel's outer packets. Addresses cross into Python as
// (host text, port) tuples, the engine's form; the conversion happens here
// so the per-packet path stays in C. One socket per family, like
// wireguard-go: the IPv6 one is IPV6_V6ONLY so both can share a port.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "py/objstr.h"
#include "py/objtuple.h"
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

// (host text, port) for a received address; link-local IPv6 keeps its zone.
static mp_obj_t address_tuple(const struct sockaddr_storage *ss) {
    char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
    uint16_t port;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
        port = ntohs(sin->sin_port);
    } else {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
        if (sin6->sin6_scope_id) {
            size_t n = strlen(text);
            text[n] = '%';
            if (!if_indextoname(sin6->sin6_scope_id, text + n + 1)) {
                text[n] = 0;
            }
        }
        port = ntohs(sin6->sin6_port);
    }
    mp_obj_t items[2] = {
        mp_obj_new_str(text, strlen(text)),
        MP_OBJ_NEW_SMALL_INT(port),
    };
    return mp_obj_new_tuple(2, items);
}

// recvfrom_into(fd, buf, src) -> bytes received, or -1 when nothing is ready.
// src is a 2-item list [raw sockaddr, (host, port)] the caller keeps per
// socket. It is only rewritten when the sender changes, so a steady stream
// from one peer allocates nothing and the engine sees the same tuple object.
static mp_obj_t linuxio_recvfrom_into(mp_obj_t fd_in, mp_obj_t buf_in, mp_obj_t src_in) {
    int fd = linuxio_fd(fd_in);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(buf_in, &buf, MP_BUFFER_WRITE);
    if (!mp_obj_is_type(src_in, &mp_type_list)) {
        mp_raise_TypeError(MP_ERROR_TEXT("src must be a list"));
    }
    mp_obj_list_t *src = MP_OBJ_TO_PTR(src_in);
    if (src->len != 2) {
        mp_raise_ValueError(MP_ERROR_TEXT("src must have 2 items"));
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    ssize_t n;
    do {
        n = recvfrom(fd, buf.buf, buf.len, 0, (struct sockaddr *)&ss, &len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return MP_OBJ_NEW_SMALL_INT(-1);
        }
        linuxio_raise_errno();
    }
    if (ss.ss_family == AF_INET6) {
        // flowinfo is not part of the sender's identity
        ((struct sockaddr_in6 *)&ss)->sin6_flowinfo = 0;
    }
    mp_buffer_info_t last;
    if (!mp_get_buffer(src->items[0], &last, MP_BUFFER_READ)
        || last.len != len || memcmp(last.buf, &ss, len) != 0) {
        src->items[0] = mp_obj_new_bytes((const byte *)&ss, len);
        src->items[1] = address_tuple(&ss);
    }
    return MP_OBJ_NEW_SMALL_INT(n);
}
MP_DEFINE_CONST_FUN_OBJ_3(linuxio_recvfrom_into_obj, linuxio_recvfrom_into);

// Text host + port -> sockaddr; "fe80::1%eth0" carries its zone.
static socklen_t parse_address(mp_obj_t addr_in, struct sockaddr_storage *ss) {
    size_t n_items;
    mp_obj_t *items;
    mp_obj_get_array(addr_in, &n_items, &items);
    if (n_items != 2) {
        mp_raise_ValueError(MP_ERROR_TEXT("address must be (host, port)"));
    }
    size_t host_len;
    const char *host = mp_obj_str_get_data(items[0], &host_len);
    mp_int_t port = mp_obj_get_int(items[1]);
    char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
    if (host_len >= sizeof(text) || port < 0 || port > 65535) {
        mp_raise_ValueError(MP_ERROR_TEXT("bad address"));
    }
    memcpy(text, host, host_len);
    text[host_len] = 0;
    memset(ss, 0, sizeof(*ss));
    if (memchr(text, ':', host_len) == NULL) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, text, &sin->sin_addr) != 1) {
            mp_raise_ValueError(MP_ERROR_TEXT("bad IPv4 address"));
        }
        return sizeof(*sin);
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    char *zone = strchr(text, '%');
    if (zone) {
        *zone++ = 0;
        sin6->sin6_scope_id = if_nametoindex(zone);
        if (!sin6->sin6_scope_id) {
            sin6->sin6_scope_id = (uint32_t)strtoul(zone, NULL, 10);
        }
    }
    if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1) {
        mp_raise_ValueError(MP_ERROR_TEXT("bad IPv6 address"));
    }
    return sizeof(*sin6);
}

// sendto(fd4, fd6, buf, (host, port)[, n]) -> bytes sent, or -1 when the
// socket buffer is full (the packet is dropped, as UDP may). The socket is
// picked by the address family; pass -1 for a family with no socket.
static mp_obj_t linuxio_sendto(size_t n_args, const mp_obj_t *args) {
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, MP_BUFFER_READ);
    size_t len = buf.len;
    if (n_args > 4) {
        mp_int_t want = mp_obj_get_int(args[4]);
        if (want < 0 || (size_t)want > buf.len) {
            mp_raise_ValueError(MP_ERROR_TEXT("length out of range"));
        }
        len = (size_t)want;
    }
    struct sockaddr_storage ss;
    socklen_t sslen = parse_address(args[3], &ss);
    mp_int_t fd = mp_obj_get_int(args[ss.ss_family == AF_INET ? 0 : 1]);
    if (fd < 0) {
        mp_raise_OSError(EAFNOSUPPORT);
    }
    ssize_t n;
    do {
        n = sendto((int)fd, buf.buf, len, 0, (struct sockaddr *)&ss, sslen);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
            return MP_OBJ_NEW_SMALL_INT(-1);
        }
        linuxio_raise_errno();
    }
    return MP_OBJ_NEW_SMALL_INT(n);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_sendto_obj, 4, 5, linuxio_sendto);
