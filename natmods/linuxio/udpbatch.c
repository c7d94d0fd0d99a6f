// Batched UDP I/O for the tunnel's outer packets: many datagrams per system
// call (recvmmsg, sendmmsg) and, where the kernel offers them, UDP GSO (one
// send carries a run of equal-sized datagrams, cut up below us) and UDP GRO
// (one receive carries several datagrams of one sender, coalesced). Results
// go into caller-owned arrays (array('I') offsets and lengths, a list of
// senders), so a steady stream allocates nothing. Addresses and sticky
// sources work as in udp.c, with the helpers of udpaddr.c.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     // recvmmsg, sendmmsg, struct in6_pktinfo
#endif
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

#include "py/objlist.h"
#include "py/objtuple.h"
#include "linuxio.h"

// Linux uapi values (linux/udp.h); older libc headers lack them.
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

// Messages per recvmmsg/sendmmsg: their headers live on the stack.
#define BATCH_MAX 64
// Buffers per sendmmsg (a GSO run takes one per datagram).
#define SEND_IOV_MAX 256
// Datagrams one GRO receive can carry: the kernel's UDP_MAX_SEGMENTS (64,
// 128 since Linux 6.x), because a GSO send over loopback or veth reaches
// the socket whole. NIC GRO stops at 64.
#define GRO_SEGMENTS_MAX 128
// GSO runs: 64 segments is what every kernel with UDP_SEGMENT takes; the
// byte limit keeps the run inside one 64 KiB IP packet.
#define GSO_SEGMENTS_MAX 64
#define GSO_BYTES_MAX 65000

#define RECV_CONTROL (CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int)))
#define SOURCE_CONTROL CMSG_SPACE(sizeof(struct in6_pktinfo))
#define SEND_CONTROL (SOURCE_CONTROL + CMSG_SPACE(sizeof(uint16_t)))

static bool full(int e) {
    return e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS;
}

static mp_obj_list_t *list_arg(mp_obj_t obj, size_t min_len) {
    if (!mp_obj_is_type(obj, &mp_type_list)) {
        mp_raise_TypeError(MP_ERROR_TEXT("addrs and src must be lists"));
    }
    mp_obj_list_t *list = MP_OBJ_TO_PTR(obj);
    if (list->len < min_len) {
        mp_raise_ValueError(MP_ERROR_TEXT("list too short"));
    }
    return list;
}

// udp_offloads(fd) -> bits: 1 when the kernel takes UDP_SEGMENT (GSO)
// sends on this socket, 2 when GRO is now on for it. Once GRO is on, read
// the socket only with udp_recv_batch: a plain receive would get several
// coalesced datagrams as one.
static mp_obj_t linuxio_udp_offloads(mp_obj_t fd_in) {
    int fd = linuxio_fd(fd_in);
    mp_int_t bits = 0;
    int val = 0;
    socklen_t len = sizeof(val);
    if (getsockopt(fd, SOL_UDP, UDP_SEGMENT, &val, &len) == 0) {
        bits |= 1;
    } else if (errno == EBADF || errno == ENOTSOCK) {
        linuxio_raise_errno();
    }
    int on = 1;
    if (setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0) {
        bits |= 2;
    }
    return MP_OBJ_NEW_SMALL_INT(bits);
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_udp_offloads_obj, linuxio_udp_offloads);

// Whether a receive may return coalesced datagrams. A kernel too old to
// answer could still have GRO on (5.0 to 5.11): assume it does.
static bool gro_maybe_on(int fd) {
    int val = 0;
    socklen_t len = sizeof(val);
    return getsockopt(fd, SOL_UDP, UDP_GRO, &val, &len) != 0 || val != 0;
}

// The GRO segment size of a received message; 0 when it holds one datagram.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
static size_t gro_segment(struct msghdr *msg) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
            int size;
            memcpy(&size, CMSG_DATA(c), sizeof(size));
            return size > 0 ? (size_t)size : 0;
        }
    }
    return 0;
}
#pragma GCC diagnostic pop

// udp_recv_batch(fd, buf, slot, offs, lens, addrs, src, cache) -> count of
// datagrams, or -1 when nothing is ready. buf is cut into slots of `slot`
// bytes, one received message each; datagram k is
// buf[offs[k]:offs[k] + lens[k]], sent by addrs[k], a (host, port) tuple.
// src is the [raw sockaddr, (host, port), local address] list of
// recvfrom_into and cache the same source cache: a sender keeps one tuple
// object across datagrams and calls. A truncated message is dropped (with
// GRO on, a slot must hold 64 KiB), so the count can be 0.
//
// Slots taken per call: at most 64, and no more than offs can describe in
// the worst case: len(offs) without GRO; with GRO on, one slot may carry up
// to min(128, slot) datagrams, so len(offs) // min(128, slot). offs, lens
// and addrs need len(offs) entries, and room for at least one slot.
static mp_obj_t linuxio_udp_recv_batch(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    int fd = linuxio_fd(args[0]);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[1], &buf, MP_BUFFER_WRITE);
    mp_int_t slot = mp_obj_get_int(args[2]);
    size_t cap, n_lens;
    uint32_t *offs = linuxio_u32_array(args[3], &cap, MP_BUFFER_WRITE);
    uint32_t *lens = linuxio_u32_array(args[4], &n_lens, MP_BUFFER_WRITE);
    if (n_lens < cap) {
        mp_raise_ValueError(MP_ERROR_TEXT("lens shorter than offs"));
    }
    mp_obj_list_t *addrs = list_arg(args[5], cap);
    mp_obj_list_t *src = list_arg(args[6], 3);
    if (src->len != 3) {
        mp_raise_ValueError(MP_ERROR_TEXT("src must have 3 items"));
    }
    mp_obj_t cache = args[7];
    if (cache != mp_const_none && !mp_obj_is_type(cache, &mp_type_dict)) {
        mp_raise_TypeError(MP_ERROR_TEXT("cache must be a dict"));
    }
    if (slot <= 0 || (size_t)slot > buf.len || buf.len > UINT32_MAX) {
        mp_raise_ValueError(MP_ERROR_TEXT("slot must be 1..len(buf)"));
    }
    size_t slots = buf.len / (size_t)slot;
    if (slots > BATCH_MAX) {
        slots = BATCH_MAX;
    }
    size_t per_slot = (size_t)slot < GRO_SEGMENTS_MAX ? (size_t)slot : GRO_SEGMENTS_MAX;
    if (slots * per_slot > cap && !gro_maybe_on(fd)) {
        per_slot = 1;
    }
    if (slots > cap / per_slot) {
        slots = cap / per_slot;
    }
    if (slots == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("offs too short for one slot"));
    }

    struct mmsghdr msgs[BATCH_MAX];
    struct iovec iovs[BATCH_MAX];
    struct sockaddr_storage names[BATCH_MAX];
    union {
        struct cmsghdr align;
        char buf[RECV_CONTROL];
    } controls[BATCH_MAX];
    memset(msgs, 0, slots * sizeof(msgs[0]));
    for (size_t i = 0; i < slots; i++) {
        iovs[i].iov_base = (byte *)buf.buf + i * (size_t)slot;
        iovs[i].iov_len = (size_t)slot;
        struct msghdr *m = &msgs[i].msg_hdr;
        m->msg_name = &names[i];
        m->msg_namelen = sizeof(names[i]);
        m->msg_iov = &iovs[i];
        m->msg_iovlen = 1;
        m->msg_control = controls[i].buf;
        m->msg_controllen = sizeof(controls[i].buf);
    }
    int n;
    do {
        n = recvmmsg(fd, msgs, (unsigned int)slots, MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return MP_OBJ_NEW_SMALL_INT(-1);
        }
        linuxio_raise_errno();
    }

    // Senders met in this call (src's one first): interleaved senders each
    // keep a single tuple.
    mp_obj_t seen_raw[BATCH_MAX + 1];
    mp_obj_t seen_addr[BATCH_MAX + 1];
    size_t n_seen = 0;
    if (mp_obj_is_type(src->items[1], &mp_type_tuple)) {
        seen_raw[0] = src->items[0];
        seen_addr[0] = src->items[1];
        n_seen = 1;
    }
    // The cache entry written last: within one call it only changes with
    // the sender or its local address.
    mp_obj_t stored_key = MP_OBJ_NULL, stored_local = MP_OBJ_NULL;
    size_t count = 0;
    for (int i = 0; i < n; i++) {
        struct msghdr *m = &msgs[i].msg_hdr;
        if (m->msg_flags & MSG_TRUNC) {
            continue;
        }
        struct sockaddr_storage *ss = &names[i];
        socklen_t sslen = m->msg_namelen;
        if (ss->ss_family == AF_INET6) {
            // flowinfo is not part of the sender's identity
            ((struct sockaddr_in6 *)ss)->sin6_flowinfo = 0;
        }
        if (!linuxio_same_bytes(src->items[0], ss, sslen)) {
            size_t j = 0;
            while (j < n_seen && !linuxio_same_bytes(seen_raw[j], ss, sslen)) {
                j++;
            }
            if (j == n_seen) {
                seen_raw[j] = mp_obj_new_bytes((const byte *)ss, sslen);
                seen_addr[j] = linuxio_address_tuple(ss);
                n_seen++;
            }
            src->items[0] = seen_raw[j];
            src->items[1] = seen_addr[j];
        }
        if (linuxio_src_local(src, m, mp_const_none) && cache != mp_const_none
            && (src->items[1] != stored_key || src->items[2] != stored_local)) {
            // Every call: an entry dropped after a failed send comes back.
            linuxio_source_cache_store(cache, src->items[1], src->items[2]);
            stored_key = src->items[1];
            stored_local = src->items[2];
        }
        size_t left = msgs[i].msg_len;
        size_t seg = gro_segment(m);
        size_t off = (size_t)i * (size_t)slot;
        do {
            if (count == cap) {
                // Only a kernel exceeding GRO_SEGMENTS_MAX gets here: drop
                // the rest rather than write past the arrays.
                break;
            }
            size_t part = seg && seg < left ? seg : left;
            offs[count] = (uint32_t)off;
            lens[count] = (uint32_t)part;
            addrs->items[count] = src->items[1];
            count++;
            off += part;
            left -= part;
        } while (left > 0);
    }
    return MP_OBJ_NEW_SMALL_INT(count);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_udp_recv_batch_obj, 8, 8, linuxio_udp_recv_batch);

// How many datagrams from k on make one GSO run: equal lengths, the last
// may be shorter (not empty), within the segment and byte limits.
static size_t gso_run(const uint32_t *lens, size_t k, size_t end) {
    uint32_t seg = lens[k];
    if (seg == 0 || seg > GSO_BYTES_MAX / 2) {
        return 1;
    }
    size_t n = 1, bytes = seg;
    while (k + n < end && n < GSO_SEGMENTS_MAX) {
        uint32_t len = lens[k + n];
        if (len == 0 || len > seg || bytes + len > GSO_BYTES_MAX) {
            break;
        }
        bytes += len;
        n++;
        if (len < seg) {
            break;
        }
    }
    return n;
}

// udp_send_batch(fd4, fd6, addr, buf, offs, lens, first, count, cache, gso)
// -> (sent, gso_ok). Sends datagrams first .. first+count-1, each
// buf[offs[k]:offs[k] + lens[k]], to addr (host, port) through the socket
// of its family (-1 for a family with no socket), in order. With gso, runs
// of equal-sized datagrams go out as one UDP_SEGMENT send (pass gso only
// when udp_offloads said the kernel takes it: an older one would glue the
// run into one datagram); otherwise sendmmsg. A full socket buffer stops
// the batch: sent counts what the kernel took, the rest is dropped, as UDP
// may. Sticky sources as in sendto: a cached local address that fails is
// dropped from the cache and the rest goes out as the routes say. A GSO
// send the kernel refuses goes again without GSO and gso_ok is False, so
// the caller stops asking. OSError only when nothing could be sent.
static mp_obj_t linuxio_udp_send_batch(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    struct sockaddr_storage ss;
    socklen_t sslen = linuxio_parse_address(args[2], &ss);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[3], &buf, MP_BUFFER_READ);
    size_t n_offs, n_lens;
    const uint32_t *offs = linuxio_u32_array(args[4], &n_offs, MP_BUFFER_READ);
    const uint32_t *lens = linuxio_u32_array(args[5], &n_lens, MP_BUFFER_READ);
    size_t n_items = n_offs < n_lens ? n_offs : n_lens;
    mp_int_t first = mp_obj_get_int(args[6]);
    mp_int_t count = mp_obj_get_int(args[7]);
    if (first < 0 || count < 0 || (size_t)first > n_items || (size_t)count > n_items - (size_t)first) {
        mp_raise_ValueError(MP_ERROR_TEXT("first/count beyond offs or lens"));
    }
    size_t end = (size_t)first + (size_t)count;
    for (size_t k = (size_t)first; k < end; k++) {
        if (offs[k] > buf.len || lens[k] > buf.len - offs[k]) {
            mp_raise_ValueError(MP_ERROR_TEXT("datagram beyond buf"));
        }
    }
    mp_map_t *map;
    mp_obj_t local = linuxio_source_lookup(args[8], args[2], &map);
    bool gso = mp_obj_is_true(args[9]);
    mp_int_t fd = mp_obj_get_int(args[ss.ss_family == AF_INET ? 0 : 1]);
    if (fd < 0) {
        mp_raise_OSError(EAFNOSUPPORT);
    }
    union {
        struct cmsghdr align;
        char buf[SOURCE_CONTROL];
    } source;
    size_t source_len = 0;
    if (local != MP_OBJ_NULL) {
        source_len = linuxio_source_cmsg(ss.ss_family, local, source.buf, sizeof(source.buf));
    }

    struct mmsghdr msgs[BATCH_MAX];
    struct iovec iovs[SEND_IOV_MAX];
    union {
        struct cmsghdr align;
        char buf[SEND_CONTROL];
    } controls[BATCH_MAX];
    uint8_t segs[BATCH_MAX];    // datagrams in each message
    size_t k = (size_t)first, sent = 0;
    bool gso_ok = true;
    while (k < end) {
        size_t n_msgs = 0, n_iov = 0;
        for (size_t j = k; j < end && n_msgs < BATCH_MAX;) {
            size_t run = gso ? gso_run(lens, j, end) : 1;
            if (n_iov + run > SEND_IOV_MAX) {
                break;
            }
            for (size_t d = 0; d < run; d++) {
                iovs[n_iov + d].iov_base = (byte *)buf.buf + offs[j + d];
                iovs[n_iov + d].iov_len = lens[j + d];
            }
            struct msghdr *m = &msgs[n_msgs].msg_hdr;
            memset(&msgs[n_msgs], 0, sizeof(msgs[n_msgs]));
            m->msg_name = &ss;
            m->msg_namelen = sslen;
            m->msg_iov = &iovs[n_iov];
            m->msg_iovlen = run;
            if (run > 1) {
                char *c = controls[n_msgs].buf;
                memset(c, 0, sizeof(controls[n_msgs].buf));
                memcpy(c, source.buf, source_len);
                struct cmsghdr *h = (struct cmsghdr *)(c + source_len);
                uint16_t size = (uint16_t)lens[j];
                h->cmsg_level = SOL_UDP;
                h->cmsg_type = UDP_SEGMENT;
                h->cmsg_len = CMSG_LEN(sizeof(size));
                memcpy(CMSG_DATA(h), &size, sizeof(size));
                m->msg_control = c;
                m->msg_controllen = source_len + CMSG_SPACE(sizeof(size));
            } else if (source_len) {
                m->msg_control = source.buf;
                m->msg_controllen = source_len;
            }
            segs[n_msgs++] = (uint8_t)run;
            n_iov += run;
            j += run;
        }
        int r;
        do {
            r = sendmmsg((int)fd, msgs, (unsigned int)n_msgs, MSG_DONTWAIT);
        } while (r < 0 && errno == EINTR);
        if (r > 0) {
            for (int i = 0; i < r; i++) {
                sent += segs[i];
                k += segs[i];
            }
            continue;
        }
        int e = r < 0 ? errno : EAGAIN;
        if (full(e)) {
            break;
        }
        if (source_len) {
            // As in sendto: the cached source is gone, or at least suspect;
            // the next datagram from the endpoint teaches it again.
            mp_map_lookup(map, args[2], MP_MAP_LOOKUP_REMOVE_IF_FOUND);
            source_len = 0;
            continue;
        }
        if (segs[0] > 1) {
            gso = false;
            gso_ok = false;
            continue;
        }
        if (sent == 0) {
            mp_raise_OSError(e);
        }
        break;
    }
    mp_obj_t result[2] = { MP_OBJ_NEW_SMALL_INT(sent), mp_obj_new_bool(gso_ok) };
    return mp_obj_new_tuple(2, result);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_udp_send_batch_obj, 10, 10, linuxio_udp_send_batch);
