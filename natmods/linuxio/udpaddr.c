// UDP addresses and sticky sources, shared by the one-datagram calls
// (udp.c) and the batched ones (udpbatch.c): text (host, port) to and from
// sockaddrs, the local address a datagram arrived on, the source cache and
// the control message that sends from a cached address. See udp.c for what
// the source cache is for.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     // struct in6_pktinfo
#endif
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "py/objstr.h"
#include "py/objtuple.h"
#include "py/objlist.h"
#include "linuxio.h"

// Endpoints remembered in a source cache before it starts over: spoofed
// senders must not grow it without bound; real peers are learned again
// from their next datagram.
#define SOURCE_CACHE_MAX 1024

// (host text, port) for a received address; link-local IPv6 keeps its zone.
mp_obj_t linuxio_address_tuple(const struct sockaddr_storage *ss) {
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

// Text host + port -> sockaddr; "fe80::1%eth0" carries its zone.
socklen_t linuxio_parse_address(mp_obj_t addr_in, struct sockaddr_storage *ss) {
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

// The datagram's local address from its control messages; 0 when absent.
// (musl's CMSG_NXTHDR compares signed with unsigned.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
size_t linuxio_local_from_cmsg(struct msghdr *msg, byte *local) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo info;
            memcpy(&info, CMSG_DATA(c), sizeof(info));
            // ipi_spec_dst: the address a reply should come from (the
            // header's destination for unicast to a local address).
            uint32_t ifindex = (uint32_t)info.ipi_ifindex;
            memcpy(local, &info.ipi_spec_dst, 4);
            memcpy(local + 4, &ifindex, 4);
            return 8;
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo info;
            memcpy(&info, CMSG_DATA(c), sizeof(info));
            uint32_t ifindex = (uint32_t)info.ipi6_ifindex;
            memcpy(local, &info.ipi6_addr, 16);
            memcpy(local + 16, &ifindex, 4);
            return 20;
        }
    }
    return 0;
}
#pragma GCC diagnostic pop

// cache[key] = value, starting the cache over when it is full.
void linuxio_source_cache_store(mp_obj_t cache, mp_obj_t key, mp_obj_t value) {
    mp_map_t *map = mp_obj_dict_get_map(cache);
    mp_map_elem_t *elem = mp_map_lookup(map, key, MP_MAP_LOOKUP);
    if (elem == NULL) {
        if (map->used >= SOURCE_CACHE_MAX) {
            mp_map_clear(map);
        }
        elem = mp_map_lookup(map, key, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
    }
    elem->value = value;
}

// Whether obj holds exactly these bytes (a src list item against a new sockaddr or local address).
bool linuxio_same_bytes(mp_obj_t obj, const void *data, size_t len) {
    mp_buffer_info_t last;
    return mp_get_buffer(obj, &last, MP_BUFFER_READ)
           && last.len == len && memcmp(last.buf, data, len) == 0;
}

// src[2] = the datagram's local address (rewritten only when it changed);
// with a source cache (dict), cache[src[1]] = src[2]. False when the
// datagram carried no local address.
bool linuxio_src_local(mp_obj_list_t *src, struct msghdr *msg, mp_obj_t cache) {
    byte local[LINUXIO_LOCAL_MAX];
    size_t local_len = linuxio_local_from_cmsg(msg, local);
    if (local_len == 0) {
        return false;
    }
    if (!linuxio_same_bytes(src->items[2], local, local_len)) {
        src->items[2] = mp_obj_new_bytes(local, local_len);
    }
    if (cache != mp_const_none) {
        // Every datagram: an entry dropped after a failed send comes back.
        linuxio_source_cache_store(cache, src->items[1], src->items[2]);
    }
    return true;
}

// The control message that sends from a cached local address; its length,
// 0 when the cached value does not fit this family.
size_t linuxio_source_cmsg(int af, mp_obj_t local_obj, char *control, size_t space) {
    mp_buffer_info_t local;
    if (!mp_get_buffer(local_obj, &local, MP_BUFFER_READ)) {
        return 0;
    }
    memset(control, 0, space);
    struct cmsghdr *c = (struct cmsghdr *)control;
    const byte *p = local.buf;
    uint32_t ifindex;
    if (af == AF_INET && local.len == 8) {
        struct in_pktinfo info;
        memset(&info, 0, sizeof(info));
        // The source only: the routing table still picks the interface.
        memcpy(&info.ipi_spec_dst, p, 4);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(info));
        memcpy(CMSG_DATA(c), &info, sizeof(info));
        return CMSG_SPACE(sizeof(info));
    }
    if (af == AF_INET6 && local.len == 20) {
        struct in6_pktinfo info;
        memset(&info, 0, sizeof(info));
        memcpy(&info.ipi6_addr, p, 16);
        memcpy(&ifindex, p + 16, 4);
        if (IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr)) {
            // A link-local source only means something on its own link.
            info.ipi6_ifindex = ifindex;
        }
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(info));
        memcpy(CMSG_DATA(c), &info, sizeof(info));
        return CMSG_SPACE(sizeof(info));
    }
    return 0;
}

// The cached local address to send to addr from: the cache's value, or
// MP_OBJ_NULL when there is none (cache may be None). Raises TypeError
// for a cache that is not a dict; *map is set for a later removal.
mp_obj_t linuxio_source_lookup(mp_obj_t cache, mp_obj_t addr, mp_map_t **map) {
    *map = NULL;
    if (cache == mp_const_none) {
        return MP_OBJ_NULL;
    }
    if (!mp_obj_is_type(cache, &mp_type_dict)) {
        mp_raise_TypeError(MP_ERROR_TEXT("cache must be a dict"));
    }
    *map = mp_obj_dict_get_map(cache);
    if ((*map)->used && mp_obj_is_type(addr, &mp_type_tuple)) {
        mp_map_elem_t *elem = mp_map_lookup(*map, addr, MP_MAP_LOOKUP);
        if (elem) {
            return elem->value;
        }
    }
    return MP_OBJ_NULL;
}
