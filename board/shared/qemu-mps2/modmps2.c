// The `mps2` module: drivers for the emulated MPS2 boards (flash, UARTs,
// entropy). Protocol logic lives in Python (mgboard, wireguard).
#include "py/runtime.h"
#include "py/mperrno.h"
#include "semihost.h"

extern const mp_obj_type_t mps2_flash_type;
extern const mp_obj_type_t mps2_uart_type;

// urandom(n): bytes from the host's /dev/urandom, the emulated board's TRNG.
static mp_obj_t mps2_urandom(mp_obj_t n_in) {
    static int fd = -1;
    mp_int_t n = mp_obj_get_int(n_in);
    if (fd == -1) {
        fd = sh_open("/dev/urandom", SH_MODE_RB);
        if (fd == -1) {
            mp_raise_OSError(MP_ENODEV);
        }
    }
    vstr_t vstr;
    vstr_init_len(&vstr, n);
    if (sh_read(fd, vstr.buf, n) != n) {
        mp_raise_OSError(MP_EIO);
    }
    return mp_obj_new_bytes_from_vstr(&vstr);
}
static MP_DEFINE_CONST_FUN_OBJ_1(mps2_urandom_obj, mps2_urandom);

static const mp_rom_map_elem_t mps2_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_mps2) },
    { MP_ROM_QSTR(MP_QSTR_Flash), MP_ROM_PTR(&mps2_flash_type) },
    { MP_ROM_QSTR(MP_QSTR_UART), MP_ROM_PTR(&mps2_uart_type) },
    { MP_ROM_QSTR(MP_QSTR_urandom), MP_ROM_PTR(&mps2_urandom_obj) },
};
static MP_DEFINE_CONST_DICT(mps2_module_globals, mps2_module_globals_table);

const mp_obj_module_t mps2_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mps2_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_mps2, mps2_module);
