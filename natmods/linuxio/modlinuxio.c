// The linuxio module table. See linuxio.h for which file holds what.
#include "linuxio.h"

static const mp_rom_map_elem_t linuxio_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_linuxio) },
    { MP_ROM_QSTR(MP_QSTR_read_into), MP_ROM_PTR(&linuxio_read_into_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&linuxio_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&linuxio_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_nonblocking), MP_ROM_PTR(&linuxio_set_nonblocking_obj) },
    { MP_ROM_QSTR(MP_QSTR_udp_bind), MP_ROM_PTR(&linuxio_udp_bind_obj) },
    { MP_ROM_QSTR(MP_QSTR_udp_port), MP_ROM_PTR(&linuxio_udp_port_obj) },
    { MP_ROM_QSTR(MP_QSTR_udp_set_mark), MP_ROM_PTR(&linuxio_udp_set_mark_obj) },
    { MP_ROM_QSTR(MP_QSTR_recvfrom_into), MP_ROM_PTR(&linuxio_recvfrom_into_obj) },
    { MP_ROM_QSTR(MP_QSTR_sendto), MP_ROM_PTR(&linuxio_sendto_obj) },
    { MP_ROM_QSTR(MP_QSTR_udp_offloads), MP_ROM_PTR(&linuxio_udp_offloads_obj) },
    { MP_ROM_QSTR(MP_QSTR_udp_recv_batch), MP_ROM_PTR(&linuxio_udp_recv_batch_obj) },
    { MP_ROM_QSTR(MP_QSTR_udp_send_batch), MP_ROM_PTR(&linuxio_udp_send_batch_obj) },
    { MP_ROM_QSTR(MP_QSTR_tun_open), MP_ROM_PTR(&linuxio_tun_open_obj) },
    { MP_ROM_QSTR(MP_QSTR_if_index), MP_ROM_PTR(&linuxio_if_index_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_mtu), MP_ROM_PTR(&linuxio_get_mtu_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_mtu), MP_ROM_PTR(&linuxio_set_mtu_obj) },
    { MP_ROM_QSTR(MP_QSTR_tun_alive), MP_ROM_PTR(&linuxio_tun_alive_obj) },
    { MP_ROM_QSTR(MP_QSTR_tun_mtu), MP_ROM_PTR(&linuxio_tun_mtu_obj) },
    { MP_ROM_QSTR(MP_QSTR_tun_open_vnet), MP_ROM_PTR(&linuxio_tun_open_vnet_obj) },
    { MP_ROM_QSTR(MP_QSTR_tun_read_batch), MP_ROM_PTR(&linuxio_tun_read_batch_obj) },
    { MP_ROM_QSTR(MP_QSTR_tun_write_batch), MP_ROM_PTR(&linuxio_tun_write_batch_obj) },
    { MP_ROM_QSTR(MP_QSTR_tun_offload_stats), MP_ROM_PTR(&linuxio_tun_offload_stats_obj) },
    { MP_ROM_QSTR(MP_QSTR_daemonize), MP_ROM_PTR(&linuxio_daemonize_obj) },
    { MP_ROM_QSTR(MP_QSTR_getpid), MP_ROM_PTR(&linuxio_getpid_obj) },
    { MP_ROM_QSTR(MP_QSTR_umask), MP_ROM_PTR(&linuxio_umask_obj) },
    { MP_ROM_QSTR(MP_QSTR_chmod), MP_ROM_PTR(&linuxio_chmod_obj) },
    { MP_ROM_QSTR(MP_QSTR_signal_fd), MP_ROM_PTR(&linuxio_signal_fd_obj) },
    { MP_ROM_QSTR(MP_QSTR_signal_read), MP_ROM_PTR(&linuxio_signal_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_monotonic), MP_ROM_PTR(&linuxio_monotonic_obj) },
    { MP_ROM_QSTR(MP_QSTR_realtime), MP_ROM_PTR(&linuxio_realtime_obj) },
};
static MP_DEFINE_CONST_DICT(linuxio_module_globals, linuxio_module_globals_table);

const mp_obj_module_t linuxio_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&linuxio_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_linuxio, linuxio_user_cmodule);
