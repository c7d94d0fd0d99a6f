// The `virt` module: drivers for the emulated RISC-V virt board (its UART as
// a stream; its flash; entropy behind os.urandom). Protocol logic lives in Python.
#include "py/runtime.h"
#include "py/mperrno.h"
#include "shared/runtime/semihosting_rv32.h"

extern const mp_obj_type_t virt_uart_type;
// The flash block device shared with the MPS2 boards (board/shared/qemu-mps2/flash.c).
extern const mp_obj_type_t mps2_flash_type;

// urandom(n): bytes from the host's /dev/urandom (semihosting), the emulated
// board's TRNG; os.urandom is this function.
mp_obj_t virt_urandom(mp_obj_t n_in) {
    static int fd = -1;
    mp_int_t n = mp_obj_get_int(n_in);
    if (n < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("negative length"));
    }
    if (fd == -1) {
        fd = mp_semihosting_open("/dev/urandom", "rb");
        if (fd == -1) {
            mp_raise_OSError(MP_ENODEV);
        }
    }
    vstr_t vstr;
    vstr_init_len(&vstr, n);
    // SYS_READ returns how many bytes were NOT read.
    if (n && mp_semihosting_read(fd, vstr.buf, n) != 0) {
        mp_raise_OSError(MP_EIO);
    }
    return mp_obj_new_bytes_from_vstr(&vstr);
}
static MP_DEFINE_CONST_FUN_OBJ_1(virt_urandom_obj, virt_urandom);

static const mp_rom_map_elem_t virt_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_virt) },
    { MP_ROM_QSTR(MP_QSTR_UART), MP_ROM_PTR(&virt_uart_type) },
    { MP_ROM_QSTR(MP_QSTR_Flash), MP_ROM_PTR(&mps2_flash_type) },
    { MP_ROM_QSTR(MP_QSTR_urandom), MP_ROM_PTR(&virt_urandom_obj) },
};
static MP_DEFINE_CONST_DICT(virt_module_globals, virt_module_globals_table);

const mp_obj_module_t virt_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&virt_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_virt, virt_module);
