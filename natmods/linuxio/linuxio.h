// linuxio: Linux system calls the MicroPython unix port does not expose.
// Each .c file holds one job; this header lists the functions the module
// table in modlinuxio.c collects.
#ifndef LINUXIO_H
#define LINUXIO_H

#include <stdbool.h>
#include <sys/socket.h>

#include "py/runtime.h"
#include "py/objlist.h"

// errors.c: raise OSError(errno) for the errno left by a failed call.
NORETURN void linuxio_raise_errno(void);
int linuxio_fd(mp_obj_t obj);
uint32_t *linuxio_u32_array(mp_obj_t obj, size_t *len, mp_uint_t flags);

// fdio.c: read/write on raw file descriptors without allocating.
MP_DECLARE_CONST_FUN_OBJ_2(linuxio_read_into_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_write_obj);
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_close_obj);
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_set_nonblocking_obj);

// udp.c: UDP sockets for IPv4 and IPv6 with text (host, port) addresses.
MP_DECLARE_CONST_FUN_OBJ_2(linuxio_udp_bind_obj);
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_udp_port_obj);
MP_DECLARE_CONST_FUN_OBJ_2(linuxio_udp_set_mark_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_recvfrom_into_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_sendto_obj);

// udpaddr.c: addresses and sticky sources shared by udp.c and udpbatch.c.
// A local address as the source cache keeps it: 4 or 16 address bytes,
// then the interface index (needed to send from an IPv6 link-local one).
#define LINUXIO_LOCAL_MAX (16 + sizeof(uint32_t))
mp_obj_t linuxio_address_tuple(const struct sockaddr_storage *ss);
socklen_t linuxio_parse_address(mp_obj_t addr_in, struct sockaddr_storage *ss);
size_t linuxio_local_from_cmsg(struct msghdr *msg, byte *local);
void linuxio_source_cache_store(mp_obj_t cache, mp_obj_t key, mp_obj_t value);
bool linuxio_same_bytes(mp_obj_t obj, const void *data, size_t len);
bool linuxio_src_local(mp_obj_list_t *src, struct msghdr *msg, mp_obj_t cache);
size_t linuxio_source_cmsg(int af, mp_obj_t local_obj, char *control, size_t space);
mp_obj_t linuxio_source_lookup(mp_obj_t cache, mp_obj_t addr, mp_map_t **map);

// udpbatch.c: many datagrams per system call, UDP GSO/GRO.
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_udp_offloads_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_udp_recv_batch_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_udp_send_batch_obj);

// tun.c: tun devices and interface queries.
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_tun_open_obj);
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_if_index_obj);
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_get_mtu_obj);
MP_DECLARE_CONST_FUN_OBJ_2(linuxio_set_mtu_obj);
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_tun_alive_obj);
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_tun_mtu_obj);

// tunvnet.c: tun devices with virtio_net_hdr offloads, batched packet I/O.
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_tun_open_vnet_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_tun_read_batch_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(linuxio_tun_write_batch_obj);
MP_DECLARE_CONST_FUN_OBJ_0(linuxio_tun_offload_stats_obj);

// process.c: daemonizing and process attributes.
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_daemonize_obj);
MP_DECLARE_CONST_FUN_OBJ_0(linuxio_getpid_obj);
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_umask_obj);
MP_DECLARE_CONST_FUN_OBJ_2(linuxio_chmod_obj);

// signals.c: termination signals delivered through a pollable fd.
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_signal_fd_obj);
MP_DECLARE_CONST_FUN_OBJ_1(linuxio_signal_read_obj);

// clock.c: monotonic and wall-clock time.
MP_DECLARE_CONST_FUN_OBJ_0(linuxio_monotonic_obj);
MP_DECLARE_CONST_FUN_OBJ_0(linuxio_realtime_obj);

#endif
