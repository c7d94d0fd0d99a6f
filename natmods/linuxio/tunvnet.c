// Tun devices with a virtio_net_hdr in front of every frame (IFF_VNET_HDR),
// so TCP crosses the tun in 64 KB super-packets instead of MTU-sized ones.
// Reads cut the kernel's TSO super-packets into the IP packets the tunnel
// carries; writes merge runs of TCP segments of one flow into one GSO
// super-packet, as the kernel's GRO would. Either way one system call moves
// up to 64 segments. Batches use a caller-owned buffer cut into slots plus
// offset and length arrays ('I'), so the per-packet path allocates nothing.
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "linuxio.h"

#ifndef TUNSETVNETLE
#define TUNSETVNETLE _IOW('T', 220, int)
#endif

// struct virtio_net_hdr (linux/virtio_net.h): 10 bytes, little-endian here
// (TUNSETVNETLE). Kept as bytes so no CPU's layout or order matters.
#define VNET_HDR_LEN 10
#define VNET_F_NEEDS_CSUM 1
#define VNET_GSO_NONE 0
#define VNET_GSO_TCPV4 1
#define VNET_GSO_TCPV6 4
#define VNET_GSO_ECN 0x80

// The largest frame a tun hands over: header plus a 64 KB IP packet.
#define FRAME_MAX (VNET_HDR_LEN + 65535)
// Room a slot keeps after its packet (the caller's trailer, e.g. a tag).
#define SLOT_SPARE 32
// Most segments merged into one write; matches the kernel's GRO limit.
#define MERGE_MAX 64

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80

static inline uint16_t get16(const byte *p) {
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t get32(const byte *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void put16(byte *p, uint32_t v) {
    p[0] = (byte)(v >> 8);
    p[1] = (byte)v;
}
static inline void put32(byte *p, uint32_t v) {
    p[0] = (byte)(v >> 24);
    p[1] = (byte)(v >> 16);
    p[2] = (byte)(v >> 8);
    p[3] = (byte)v;
}
static inline uint16_t get_le16(const byte *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline void put_le16(byte *p, uint32_t v) {
    p[0] = (byte)v;
    p[1] = (byte)(v >> 8);
}

static uint32_t fold(uint64_t sum) {
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint32_t)sum;
}

// The one's complement sum of data (even start offset) added to sum, both
// as network-order 16-bit values. Words are summed in the CPU's own order
// and swapped once at the end (RFC 1071 2.B), 32 bits at a time.
static uint32_t csum_add(uint32_t sum, const byte *p, size_t len) {
    uint64_t acc = 0;
    while (len >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        acc += w;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t h;
        memcpy(&h, p, 2);
        acc += h;
        p += 2;
        len -= 2;
    }
    if (len) {
        byte tail[2] = { p[0], 0 };
        uint16_t h;
        memcpy(&h, tail, 2);
        acc += h;
    }
    uint32_t native = fold(acc);
    #if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    native = ((native & 0xff) << 8) | (native >> 8);
    #endif
    return fold((uint64_t)sum + native);
}

// TCP pseudo-header sum (RFC 793 / RFC 8200 8.1), folded, not inverted.
static uint32_t pseudo_sum(const byte *ip, bool v6, uint32_t tcp_len) {
    uint32_t sum = v6 ? csum_add(0, ip + 8, 32) : csum_add(0, ip + 12, 8);
    return fold((uint64_t)sum + 6 + (tcp_len >> 16) + (tcp_len & 0xffff));
}

static void ipv4_fix_checksum(byte *ip, size_t hlen) {
    put16(ip + 10, 0);
    put16(ip + 10, ~csum_add(0, ip, hlen) & 0xffff);
}

// tun_open_vnet(name) -> (fd, kernel's name, TUN_F_* offloads accepted).
static mp_obj_t linuxio_tun_open_vnet(mp_obj_t name_in) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    size_t len;
    const char *name = mp_obj_str_get_data(name_in, &len);
    if (len >= IFNAMSIZ) {
        mp_raise_ValueError(MP_ERROR_TEXT("interface name too long"));
    }
    memcpy(ifr.ifr_name, name, len);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        linuxio_raise_errno();
    }
    int hdr_len = VNET_HDR_LEN;
    int le = 1;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
        int e = errno;
        close(fd);
        mp_raise_OSError(e);
    }
    if (ioctl(fd, TUNSETVNETLE, &le) < 0) {
        #if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        // The header would stay big-endian: let the caller use a plain tun.
        int e = errno;
        close(fd);
        mp_raise_OSError(e);
        #endif
        // Little-endian CPUs already get a little-endian header.
    }
    static const unsigned int tries[] = { TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, TUN_F_CSUM, 0 };
    unsigned int offloads = 0;
    for (size_t i = 0; i < MP_ARRAY_SIZE(tries); i++) {
        if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)tries[i]) == 0) {
            offloads = tries[i];
            break;
        }
    }
    mp_obj_t items[3] = {
        MP_OBJ_NEW_SMALL_INT(fd),
        mp_obj_new_str(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ)),
        MP_OBJ_NEW_SMALL_INT(offloads),
    };
    return mp_obj_new_tuple(3, items);
}
MP_DEFINE_CONST_FUN_OBJ_1(linuxio_tun_open_vnet_obj, linuxio_tun_open_vnet);

static struct {
    uint32_t super_packets;
    uint32_t segments;
    uint32_t dropped;
} stats;

// The last frame read. A super-packet whose segments did not all fit the
// caller's slots stays here, with its cutting state, for the next call.
// The caller may lend a buffer of its own instead (a daemon's heap is
// resident anyway; these 64 KB would add to its RSS).
static byte own_frame[FRAME_MAX + 1];
static byte *frame = own_frame;
static struct {
    bool active;
    bool v6;
    int fd;
    const byte *frame;  // the buffer the super-packet waits in
    size_t len;         // bytes of the super-packet after its header
    size_t hdrs;        // IP + TCP header bytes
    size_t mss;         // gso_size
    size_t next;        // payload offset of the next segment
    uint32_t index;     // segments made so far
} cut;

static size_t cut_remaining(void) {
    size_t left = cut.len - cut.hdrs - cut.next;
    return (left + cut.mss - 1) / cut.mss;
}

// Segment cut.index of the pending super-packet into dst.
static size_t cut_segment(byte *dst) {
    const byte *ip = frame + VNET_HDR_LEN;
    size_t ip_hlen = cut.v6 ? 40 : (size_t)(ip[0] & 0x0f) * 4;
    size_t tcp_hlen = cut.hdrs - ip_hlen;
    size_t left = cut.len - cut.hdrs - cut.next;
    size_t payload = left < cut.mss ? left : cut.mss;
    bool first = cut.index == 0;
    bool last = payload == left;
    size_t total = cut.hdrs + payload;
    memcpy(dst, ip, cut.hdrs);
    memcpy(dst + cut.hdrs, ip + cut.hdrs + cut.next, payload);
    if (cut.v6) {
        put16(dst + 4, (uint32_t)(tcp_hlen + payload));
    } else {
        put16(dst + 2, (uint32_t)total);
        put16(dst + 4, get16(ip + 4) + cut.index);
        ipv4_fix_checksum(dst, ip_hlen);
    }
    byte *tcp = dst + ip_hlen;
    put32(tcp + 4, get32(ip + ip_hlen + 4) + (uint32_t)cut.next);
    if (!last) {
        tcp[13] &= ~(TCP_FIN | TCP_PSH);
    }
    if (!first) {
        tcp[13] &= ~TCP_CWR;
    }
    put16(tcp + 16, 0);
    uint32_t sum = csum_add(pseudo_sum(dst, cut.v6, (uint32_t)(tcp_hlen + payload)), tcp, tcp_hlen + payload);
    put16(tcp + 16, ~sum & 0xffff);
    cut.next += payload;
    cut.index++;
    if (last) {
        cut.active = false;
    }
    stats.segments++;
    return total;
}

// Checks a TSO super-packet just read (n bytes in frame) and sets up its
// cutting; false when it cannot be cut (then it is dropped).
static bool cut_start(int fd, size_t n, uint8_t gso) {
    const byte *ip = frame + VNET_HDR_LEN;
    size_t len = n - VNET_HDR_LEN;
    bool v6 = gso == VNET_GSO_TCPV6;
    size_t ip_hlen;
    if (v6) {
        if (len < 40 || (ip[0] >> 4) != 6 || ip[6] != 6) {
            return false;
        }
        ip_hlen = 40;
    } else {
        if (len < 20 || (ip[0] >> 4) != 4 || ip[9] != 6) {
            return false;
        }
        ip_hlen = (size_t)(ip[0] & 0x0f) * 4;
        if (ip_hlen < 20) {
            return false;
        }
    }
    if (len < ip_hlen + 20) {
        return false;
    }
    size_t tcp_hlen = (size_t)(ip[ip_hlen + 12] >> 4) * 4;
    size_t mss = get_le16(frame + 4);
    if (tcp_hlen < 20 || len < ip_hlen + tcp_hlen || mss == 0) {
        return false;
    }
    cut.active = true;
    cut.v6 = v6;
    cut.fd = fd;
    cut.frame = frame;
    cut.len = len;
    cut.hdrs = ip_hlen + tcp_hlen;
    cut.mss = mss;
    cut.next = 0;
    cut.index = 0;
    return true;
}

// Completes a checksum the kernel left partial (VIRTIO_NET_HDR_F_NEEDS_CSUM):
// the field already holds the pseudo-header sum; sum from csum_start to the
// end and store the result at csum_start + csum_offset.
static bool complete_checksum(byte *pkt, size_t len, const byte *hdr) {
    size_t start = get_le16(hdr + 6);
    size_t at = start + get_le16(hdr + 8);
    if (start > len || at + 2 > len || (start & 1)) {
        return false;
    }
    uint32_t sum = ~csum_add(0, pkt + start, len - start) & 0xffff;
    // 0 means "no checksum" to UDP; 0xffff is the same sum (RFC 768).
    put16(pkt + at, sum ? sum : 0xffff);
    return true;
}

// tun_read_batch(fd, buf, offs, lens, stride, headroom, vnet[, scratch]) -> packets
// (>= 1), or -1 when nothing was ready. Packet k sits at
// buf[offs[k] + headroom:][:lens[k]], offs[k] = k * stride. A full batch
// may leave segments pending: call again on the same fd before another.
static mp_obj_t linuxio_tun_read_batch(size_t n_args, const mp_obj_t *args) {
    int fd = linuxio_fd(args[0]);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[1], &buf, MP_BUFFER_WRITE);
    size_t n_offs, n_lens;
    uint32_t *offs = linuxio_u32_array(args[2], &n_offs, MP_BUFFER_WRITE);
    uint32_t *lens = linuxio_u32_array(args[3], &n_lens, MP_BUFFER_WRITE);
    mp_int_t stride = mp_obj_get_int(args[4]);
    mp_int_t headroom = mp_obj_get_int(args[5]);
    bool vnet = mp_obj_is_true(args[6]);
    frame = own_frame;
    if (n_args > 7) {
        mp_buffer_info_t scratch;
        mp_get_buffer_raise(args[7], &scratch, MP_BUFFER_WRITE);
        if (scratch.len < FRAME_MAX + 1) {
            mp_raise_ValueError(MP_ERROR_TEXT("scratch must hold 65546 bytes"));
        }
        frame = scratch.buf;
    }
    if (headroom < 0 || stride <= SLOT_SPARE || headroom >= stride - SLOT_SPARE || stride > 0x7fffffff) {
        mp_raise_ValueError(MP_ERROR_TEXT("stride must exceed headroom + 32"));
    }
    size_t slots = buf.len / (size_t)stride;
    if (n_offs < slots) {
        slots = n_offs;
    }
    if (n_lens < slots) {
        slots = n_lens;
    }
    if (slots == 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("no slot fits"));
    }
    // The most IP bytes a slot takes.
    size_t room = (size_t)(stride - headroom - SLOT_SPARE);
    if (cut.active && (cut.fd != fd || cut.frame != frame)) {
        stats.dropped += cut_remaining();
        cut.active = false;
    }
    // Frames that are dropped still cost a read: a flood of them must not
    // keep the caller here (it may then get -1 with more frames ready; the
    // fd stays readable, so the next poll comes straight back).
    size_t reads_left = slots + 64;
    size_t k = 0;
    while (k < slots) {
        byte *slot = (byte *)buf.buf + k * (size_t)stride;
        byte *dst = slot + headroom;
        if (cut.active) {
            offs[k] = (uint32_t)(k * (size_t)stride);
            lens[k] = (uint32_t)cut_segment(dst);
            k++;
            continue;
        }
        if (reads_left-- == 0) {
            break;
        }
        ssize_t n;
        do {
            n = vnet ? read(fd, frame, FRAME_MAX + 1) : read(fd, dst, (size_t)(stride - headroom));
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || k > 0) {
                // A real error returns on the next call, after these packets.
                break;
            }
            linuxio_raise_errno();
        }
        if (!vnet) {
            if ((size_t)n > room || n == 0) {
                stats.dropped++;
                continue;
            }
            offs[k] = (uint32_t)(k * (size_t)stride);
            lens[k] = (uint32_t)n;
            k++;
            continue;
        }
        if (n < VNET_HDR_LEN || (size_t)n > FRAME_MAX) {
            stats.dropped++;
            continue;
        }
        uint8_t gso = frame[1] & ~VNET_GSO_ECN;
        size_t len = (size_t)n - VNET_HDR_LEN;
        if (frame[1] != VNET_GSO_NONE) {
            if ((gso != VNET_GSO_TCPV4 && gso != VNET_GSO_TCPV6) || !cut_start(fd, (size_t)n, gso)) {
                stats.dropped++;
                continue;
            }
            stats.super_packets++;
            if (cut.hdrs + cut.mss > room) {
                stats.dropped += cut_remaining();
                cut.active = false;
            }
            continue;
        }
        if (len == 0 || len > room
            || ((frame[0] & VNET_F_NEEDS_CSUM) && !complete_checksum(frame + VNET_HDR_LEN, len, frame))) {
            stats.dropped++;
            continue;
        }
        memcpy(dst, frame + VNET_HDR_LEN, len);
        offs[k] = (uint32_t)(k * (size_t)stride);
        lens[k] = (uint32_t)len;
        k++;
    }
    return MP_OBJ_NEW_SMALL_INT(k ? (mp_int_t)k : -1);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_tun_read_batch_obj, 7, 8, linuxio_tun_read_batch);

// tun_offload_stats() -> (super-packets read, segments made, packets dropped).
static mp_obj_t linuxio_tun_offload_stats(void) {
    mp_obj_t items[3] = {
        mp_obj_new_int_from_uint(stats.super_packets),
        mp_obj_new_int_from_uint(stats.segments),
        mp_obj_new_int_from_uint(stats.dropped),
    };
    return mp_obj_new_tuple(3, items);
}
MP_DEFINE_CONST_FUN_OBJ_0(linuxio_tun_offload_stats_obj, linuxio_tun_offload_stats);

// A TCP segment that may take part in a merge.
typedef struct {
    const byte *ip;
    size_t len;
    size_t ip_hlen;
    size_t tcp_hlen;
    size_t payload;
    bool v6;
} segment_t;

// Whether pkt is a TCP segment GRO would look at: IPv4 without options or
// fragmentation and with a good header checksum, or IPv6 without extension
// headers; flags ACK or ACK|PSH; some payload.
static bool segment_parse(const byte *pkt, size_t len, segment_t *s) {
    s->ip = pkt;
    s->len = len;
    if (len >= 40 && pkt[0] == 0x45) {
        if (get16(pkt + 2) != len || (get16(pkt + 6) & 0x3fff) || pkt[9] != 6
            || csum_add(0, pkt, 20) != 0xffff) {
            return false;
        }
        s->v6 = false;
        s->ip_hlen = 20;
    } else if (len >= 60 && (pkt[0] >> 4) == 6) {
        if (get16(pkt + 4) + 40u != len || pkt[6] != 6) {
            return false;
        }
        s->v6 = true;
        s->ip_hlen = 40;
    } else {
        return false;
    }
    const byte *tcp = pkt + s->ip_hlen;
    s->tcp_hlen = (size_t)(tcp[12] >> 4) * 4;
    if (s->tcp_hlen < 20 || s->ip_hlen + s->tcp_hlen >= len) {
        return false;
    }
    if (tcp[13] != TCP_ACK && tcp[13] != (TCP_ACK | TCP_PSH)) {
        return false;
    }
    s->payload = len - s->ip_hlen - s->tcp_hlen;
    return true;
}

// Whether segment b may follow a (both parsed) in one flow's super-packet.
static bool segment_follows(const segment_t *a, const segment_t *b) {
    if (a->v6 != b->v6 || a->tcp_hlen != b->tcp_hlen) {
        return false;
    }
    const byte *x = a->ip, *y = b->ip;
    if (a->v6) {
        // version, traffic class, flow label; hop limit; addresses
        if (memcmp(x, y, 4) != 0 || x[7] != y[7] || memcmp(x + 8, y + 8, 32) != 0) {
            return false;
        }
    } else {
        // TOS, DF, TTL, addresses; without DF the IDs must count up
        if (x[1] != y[1] || (x[6] & 0x40) != (y[6] & 0x40) || x[8] != y[8]
            || memcmp(x + 12, y + 12, 8) != 0) {
            return false;
        }
        if (!(x[6] & 0x40) && (uint16_t)(get16(x + 4) + 1) != get16(y + 4)) {
            return false;
        }
    }
    const byte *t = x + a->ip_hlen, *u = y + b->ip_hlen;
    // ports; ACK number; reserved bits; window; options
    return memcmp(t, u, 4) == 0
           && get32(t + 4) + (uint32_t)a->payload == get32(u + 4)
           && memcmp(t + 8, u + 8, 4) == 0
           && (t[12] & 0x0f) == (u[12] & 0x0f)
           && memcmp(t + 14, u + 14, 2) == 0
           && memcmp(t + 20, u + 20, a->tcp_hlen - 20) == 0;
}

static ssize_t write_iov(int fd, struct iovec *iov, int n) {
    ssize_t r;
    do {
        r = writev(fd, iov, n);
    } while (r < 0 && errno == EINTR);
    return r;
}

// The header of a merged run: virtio_net_hdr, then the first segment's IP
// and TCP headers rewritten for the whole length.
static byte merged_head[VNET_HDR_LEN + 40 + 60];

static size_t merge_head(const segment_t *first, const segment_t *last, size_t payload) {
    size_t hdrs = first->ip_hlen + first->tcp_hlen;
    size_t total = hdrs + payload;
    byte *v = merged_head;
    byte *ip = v + VNET_HDR_LEN;
    memcpy(ip, first->ip, hdrs);
    v[0] = VNET_F_NEEDS_CSUM;
    v[1] = first->v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4;
    put_le16(v + 2, (uint32_t)hdrs);
    put_le16(v + 4, (uint32_t)first->payload);
    put_le16(v + 6, (uint32_t)first->ip_hlen);
    put_le16(v + 8, 16);
    if (first->v6) {
        put16(ip + 4, (uint32_t)(total - 40));
    } else {
        put16(ip + 2, (uint32_t)total);
        ipv4_fix_checksum(ip, 20);
    }
    byte *tcp = ip + first->ip_hlen;
    tcp[13] = last->ip[last->ip_hlen + 13];
    put16(tcp + 16, pseudo_sum(ip, first->v6, (uint32_t)(total - first->ip_hlen)));
    return VNET_HDR_LEN + hdrs;
}

// tun_write_batch(fd, buf, offs, lens, first, count, vnet, coalesce)
// -> (packets written, failed writes, last errno). Packet k is
// buf[offs[k]:offs[k] + lens[k]]. A failed write drops its packets.
static mp_obj_t linuxio_tun_write_batch(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    int fd = linuxio_fd(args[0]);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[1], &buf, MP_BUFFER_READ);
    size_t n_offs, n_lens;
    const uint32_t *offs = linuxio_u32_array(args[2], &n_offs, MP_BUFFER_READ);
    const uint32_t *lens = linuxio_u32_array(args[3], &n_lens, MP_BUFFER_READ);
    mp_int_t first = mp_obj_get_int(args[4]);
    mp_int_t count = mp_obj_get_int(args[5]);
    bool vnet = mp_obj_is_true(args[6]);
    bool coalesce = vnet && mp_obj_is_true(args[7]);
    if (first < 0 || count < 0 || (size_t)first > n_offs || (size_t)first > n_lens
        || (size_t)count > n_offs - (size_t)first || (size_t)count > n_lens - (size_t)first) {
        mp_raise_ValueError(MP_ERROR_TEXT("packets beyond offs/lens"));
    }
    size_t end = (size_t)first + (size_t)count;
    for (size_t k = (size_t)first; k < end; k++) {
        if (offs[k] > buf.len || lens[k] > buf.len - offs[k]) {
            mp_raise_ValueError(MP_ERROR_TEXT("packet beyond buf"));
        }
    }
    const byte *base = buf.buf;
    static const byte plain_hdr[VNET_HDR_LEN];
    size_t written = 0, failed = 0;
    int last_errno = 0;
    struct iovec iov[1 + MERGE_MAX];
    size_t k = (size_t)first;
    while (k < end) {
        size_t run = 1;
        int n_iov;
        segment_t head, prev, cur;
        if (coalesce && segment_parse(base + offs[k], lens[k], &head)
            && !(head.ip[head.ip_hlen + 13] & TCP_PSH)) {
            // Extend the run while the next segment continues the flow.
            size_t hdrs = head.ip_hlen + head.tcp_hlen;
            size_t payload = head.payload;
            iov[1].iov_base = (void *)(head.ip + hdrs);
            iov[1].iov_len = head.payload;
            prev = head;
            while (k + run < end && run < MERGE_MAX) {
                size_t j = k + run;
                if (!segment_parse(base + offs[j], lens[j], &cur) || !segment_follows(&prev, &cur)
                    || cur.payload > head.payload || hdrs + payload + cur.payload > 65535) {
                    break;
                }
                iov[1 + run].iov_base = (void *)(cur.ip + hdrs);
                iov[1 + run].iov_len = cur.payload;
                payload += cur.payload;
                run++;
                prev = cur;
                // A short segment or a push ends the run, as in GRO.
                if (cur.payload < head.payload || (cur.ip[cur.ip_hlen + 13] & TCP_PSH)) {
                    break;
                }
            }
            if (run > 1) {
                iov[0].iov_base = merged_head;
                iov[0].iov_len = merge_head(&head, &prev, payload);
                n_iov = 1 + (int)run;
            } else {
                iov[0].iov_base = (void *)plain_hdr;
                iov[0].iov_len = VNET_HDR_LEN;
                iov[1].iov_base = (void *)(base + offs[k]);
                iov[1].iov_len = lens[k];
                n_iov = 2;
            }
        } else if (vnet) {
            iov[0].iov_base = (void *)plain_hdr;
            iov[0].iov_len = VNET_HDR_LEN;
            iov[1].iov_base = (void *)(base + offs[k]);
            iov[1].iov_len = lens[k];
            n_iov = 2;
        } else {
            iov[0].iov_base = (void *)(base + offs[k]);
            iov[0].iov_len = lens[k];
            n_iov = 1;
        }
        if (write_iov(fd, iov, n_iov) < 0) {
            failed++;
            last_errno = errno;
        } else {
            written += run;
        }
        k += run;
    }
    mp_obj_t items[3] = {
        MP_OBJ_NEW_SMALL_INT(written),
        MP_OBJ_NEW_SMALL_INT(failed),
        MP_OBJ_NEW_SMALL_INT(last_errno),
    };
    return mp_obj_new_tuple(3, items);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_tun_write_batch_obj, 8, 8, linuxio_tun_write_batch);
