// virt.UART(): the board's one ns16550 UART (the REPL console) as a
// non-blocking, pollable byte stream, so a script can take the UART over for
// a data link (SLIP) while the REPL is not reading it. The REPL's own driver
// (ports/qemu/uart.c) polls the same registers; the FIFO switched on here
// serves it as well.
#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "py/mphal.h"

#define UART_BASE ((volatile uint8_t *)0x10000000)
#define UART_RBR  (0)       // receive buffer (read) / transmit holding (write)
#define UART_FCR  (2)       // FIFO control (write)
#define UART_LSR  (5)       // line status
#define LSR_DR    (0x01)
#define LSR_THRE  (0x20)

typedef struct _virt_uart_obj_t {
    mp_obj_base_t base;
} virt_uart_obj_t;

static mp_obj_t uart_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 0, false);
    virt_uart_obj_t *self = mp_obj_malloc(virt_uart_obj_t, type);
    UART_BASE[UART_FCR] = 0x07;     // 16-byte FIFOs on, both cleared
    return MP_OBJ_FROM_PTR(self);
}

static mp_uint_t uart_read(mp_obj_t self_in, void *buf_in, mp_uint_t size, int *errcode) {
    uint8_t *buf = buf_in;
    if (size == 0) {
        return 0;
    }
    if (!(UART_BASE[UART_LSR] & LSR_DR)) {
        *errcode = MP_EAGAIN;
        return MP_STREAM_ERROR;
    }
    // The emulator refills the FIFO a moment after it empties: keep
    // collecting while bytes keep coming (up to 200 us apart).
    mp_uint_t n = 0;
    mp_uint_t last = mp_hal_ticks_us();
    while (n < size) {
        if (UART_BASE[UART_LSR] & LSR_DR) {
            buf[n++] = UART_BASE[UART_RBR];
            last = mp_hal_ticks_us();
        } else if (mp_hal_ticks_us() - last > 200) {
            break;
        }
    }
    return n;
}

static mp_uint_t uart_write(mp_obj_t self_in, const void *buf_in, mp_uint_t size, int *errcode) {
    const uint8_t *buf = buf_in;
    for (mp_uint_t i = 0; i < size; i++) {
        while (!(UART_BASE[UART_LSR] & LSR_THRE)) {
        }
        UART_BASE[UART_RBR] = buf[i];
    }
    return size;
}

static mp_uint_t uart_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    if (request == MP_STREAM_POLL) {
        mp_uint_t ret = 0;
        uint8_t lsr = UART_BASE[UART_LSR];
        if ((arg & MP_STREAM_POLL_RD) && (lsr & LSR_DR)) {
            ret |= MP_STREAM_POLL_RD;
        }
        if ((arg & MP_STREAM_POLL_WR) && (lsr & LSR_THRE)) {
            ret |= MP_STREAM_POLL_WR;
        }
        return ret;
    }
    *errcode = MP_EINVAL;
    return MP_STREAM_ERROR;
}

static const mp_stream_p_t uart_stream_p = {
    .read = uart_read,
    .write = uart_write,
    .ioctl = uart_ioctl,
};

static const mp_rom_map_elem_t uart_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
};
static MP_DEFINE_CONST_DICT(uart_locals_dict, uart_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    virt_uart_type,
    MP_QSTR_UART,
    MP_TYPE_FLAG_ITER_IS_STREAM,
    make_new, uart_make_new,
    protocol, &uart_stream_p,
    locals_dict, &uart_locals_dict
    );
