// mps2.Flash: a block device whose backing store is a host file reached
// through semihosting, so the board's filesystem survives a QEMU restart.
// The file is named by `flash=<path>` on the semihosting command line
// (QEMU: -append flash=/abs/path/flash.img); a new file is created erased
// (0xff) at `flash_size=<bytes>` or 1 MiB. Speaks the extended block
// protocol littlefs uses (block, buf, offset) and the simple one.
#include <string.h>
#include "py/runtime.h"
#include "py/mperrno.h"
#include "extmod/vfs.h"
#include "semihost.h"

#define FLASH_BLOCK_SIZE   (4096)
#define FLASH_DEFAULT_SIZE (1024 * 1024)

typedef struct _mps2_flash_obj_t {
    mp_obj_base_t base;
    int fd;
    uint32_t block_count;
} mps2_flash_obj_t;

static bool flash_fill_erased(int fd, uint32_t pos, uint32_t len) {
    static uint8_t ff[512];
    memset(ff, 0xff, sizeof(ff));
    if (sh_seek(fd, pos) != 0) {
        return false;
    }
    while (len) {
        uint32_t n = len < sizeof(ff) ? len : sizeof(ff);
        if (sh_write(fd, ff, n) != (int)n) {
            return false;
        }
        len -= n;
    }
    return true;
}

static uint32_t parse_uint(const char *s) {
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s++ - '0');
    }
    return v;
}

static mp_obj_t flash_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 0, false);
    char path[200];
    if (sh_cmdline_value("flash", path, sizeof(path)) < 0) {
        mp_raise_OSError(MP_ENODEV);  // no flash image attached to this run
    }
    int fd = sh_open(path, SH_MODE_RPLUSB);
    if (fd == -1) {
        fd = sh_open(path, SH_MODE_WPLUSB);
        if (fd == -1) {
            mp_raise_OSError(MP_EIO);
        }
    }
    int len = sh_flen(fd);
    char size_text[16];
    uint32_t want = FLASH_DEFAULT_SIZE;
    if (sh_cmdline_value("flash_size", size_text, sizeof(size_text)) > 0) {
        want = parse_uint(size_text);
    }
    if (len < 0) {
        mp_raise_OSError(MP_EIO);
    }
    if ((uint32_t)len < want) {
        // A new (or short) image: extend it with erased flash.
        if (!flash_fill_erased(fd, len, want - len)) {
            mp_raise_OSError(MP_EIO);
        }
        len = want;
    }
    mps2_flash_obj_t *self = mp_obj_malloc(mps2_flash_obj_t, type);
    self->fd = fd;
    self->block_count = (uint32_t)len / FLASH_BLOCK_SIZE;
    return MP_OBJ_FROM_PTR(self);
}

// (block, buf[, offset]) -> byte position, checked against the device size.
static uint32_t flash_pos(mps2_flash_obj_t *self, size_t n_args, const mp_obj_t *args, size_t len) {
    uint32_t block = mp_obj_get_int(args[1]);
    uint32_t off = n_args > 3 ? mp_obj_get_int(args[3]) : 0;
    uint64_t pos = (uint64_t)block * FLASH_BLOCK_SIZE + off;
    if (pos + len > (uint64_t)self->block_count * FLASH_BLOCK_SIZE) {
        mp_raise_OSError(MP_EINVAL);
    }
    return (uint32_t)pos;
}

static mp_obj_t flash_readblocks(size_t n_args, const mp_obj_t *args) {
    mps2_flash_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, MP_BUFFER_WRITE);
    uint32_t pos = flash_pos(self, n_args, args, buf.len);
    if (sh_seek(self->fd, pos) != 0 || sh_read(self->fd, buf.buf, buf.len) != (int)buf.len) {
        mp_raise_OSError(MP_EIO);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(flash_readblocks_obj, 3, 4, flash_readblocks);

static mp_obj_t flash_writeblocks(size_t n_args, const mp_obj_t *args) {
    mps2_flash_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, MP_BUFFER_READ);
    uint32_t pos = flash_pos(self, n_args, args, buf.len);
    if (n_args == 3) {
        // Simple protocol: whole blocks, erase implied.
        if (buf.len % FLASH_BLOCK_SIZE) {
            mp_raise_OSError(MP_EINVAL);
        }
    }
    if (sh_seek(self->fd, pos) != 0 || sh_write(self->fd, buf.buf, buf.len) != (int)buf.len) {
        mp_raise_OSError(MP_EIO);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(flash_writeblocks_obj, 3, 4, flash_writeblocks);

static mp_obj_t flash_ioctl(mp_obj_t self_in, mp_obj_t op_in, mp_obj_t arg_in) {
    mps2_flash_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (mp_obj_get_int(op_in)) {
        case MP_BLOCKDEV_IOCTL_INIT:
        case MP_BLOCKDEV_IOCTL_DEINIT:
        case MP_BLOCKDEV_IOCTL_SYNC:
            return MP_OBJ_NEW_SMALL_INT(0);
        case MP_BLOCKDEV_IOCTL_BLOCK_COUNT:
            return MP_OBJ_NEW_SMALL_INT(self->block_count);
        case MP_BLOCKDEV_IOCTL_BLOCK_SIZE:
            return MP_OBJ_NEW_SMALL_INT(FLASH_BLOCK_SIZE);
        case MP_BLOCKDEV_IOCTL_BLOCK_ERASE: {
            uint32_t block = mp_obj_get_int(arg_in);
            if (block >= self->block_count
                || !flash_fill_erased(self->fd, block * FLASH_BLOCK_SIZE, FLASH_BLOCK_SIZE)) {
                return MP_OBJ_NEW_SMALL_INT(-MP_EIO);
            }
            return MP_OBJ_NEW_SMALL_INT(0);
        }
        default:
            return mp_const_none;
    }
}
static MP_DEFINE_CONST_FUN_OBJ_3(flash_ioctl_obj, flash_ioctl);

static const mp_rom_map_elem_t flash_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_readblocks), MP_ROM_PTR(&flash_readblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_writeblocks), MP_ROM_PTR(&flash_writeblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&flash_ioctl_obj) },
};
static MP_DEFINE_CONST_DICT(flash_locals_dict, flash_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    mps2_flash_type,
    MP_QSTR_Flash,
    MP_TYPE_FLAG_NONE,
    make_new, flash_make_new,
    locals_dict, &flash_locals_dict
    );
