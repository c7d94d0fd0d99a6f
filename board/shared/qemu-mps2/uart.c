// mps2.UART(n): a non-blocking, pollable byte stream on CMSDK APB UART n
// (n = 1..4; UART0 is the REPL console). QEMU connects UART n to its
// (n+1)-th -serial option. The data link (SLIP) to the host runs on UART1.
#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "py/mphal.h"

#define UART_STATE_TXFULL (1 << 0)
#define UART_STATE_RXFULL (1 << 1)
#define UART_CTRL_TX_EN   (1 << 0)
#define UART_CTRL_RX_EN   (1 << 1)

typedef struct {
    volatile uint32_t DATA;
    volatile uint32_t STATE;
    volatile uint32_t CTRL;
    volatile uint32_t INTSTATUS;
    volatile uint32_t BAUDDIV;
} cmsdk_uart_t;

static cmsdk_uart_t *const uart_base[] = {
    (cmsdk_uart_t *)0x40004000, (cmsdk_uart_t *)0x40005000, (cmsdk_uart_t *)0x40006000,
    (cmsdk_uart_t *)0x40007000, (cmsdk_uart_t *)0x40009000,
};

typedef struct _mps2_uart_obj_t {
    mp_obj_base_t base;
    cmsdk_uart_t *regs;
} mps2_uart_obj_t;

static mp_obj_t uart_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    mp_int_t n = mp_obj_get_int(args[0]);
    if (n < 1 || n > 4) {
        mp_raise_ValueError(MP_ERROR_TEXT("UART 1..4"));
    }
    mps2_uart_obj_t *self = mp_obj_malloc(mps2_uart_obj_t, type);
    self->regs = uart_base[n];
    self->regs->BAUDDIV = 16;
    self->regs->CTRL = UART_CTRL_TX_EN | UART_CTRL_RX_EN;
    return MP_OBJ_FROM_PTR(self);
}

static mp_uint_t uart_read(mp_obj_t self_in, void *buf_in, mp_uint_t size, int *errcode) {
    mps2_uart_obj_t *self = MP_OBJ_TO_PTR(self_in);
    uint8_t *buf = buf_in;
    if (size == 0) {
        return 0;
    }
    if (!(self->regs->STATE & UART_STATE_RXFULL)) {
        *errcode = MP_EAGAIN;
        return MP_STREAM_ERROR;
    }
    // The UART holds one byte; the emulator refills it a moment after each
    // read, so keep collecting while bytes keep coming (up to 200 us apart).
    mp_uint_t n = 0;
    mp_uint_t last = mp_hal_ticks_us();
    while (n < size) {
        if (self->regs->STATE & UART_STATE_RXFULL) {
            buf[n++] = self->regs->DATA;
            last = mp_hal_ticks_us();
        } else if (mp_hal_ticks_us() - last > 200) {
            break;
        }
    }
    return n;
}

static mp_uint_t uart_write(mp_obj_t self_in, const void *buf_in, mp_uint_t size, int *errcode) {
    mps2_uart_obj_t *self = MP_OBJ_TO_PTR(self_in);
    const uint8_t *buf = buf_in;
    for (mp_uint_t i = 0; i < size; i++) {
        while (self->regs->STATE & UART_STATE_TXFULL) {
        }
        self->regs->DATA = buf[i];
    }
    return size;
}

static mp_uint_t uart_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    mps2_uart_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (request == MP_STREAM_POLL) {
        mp_uint_t ret = 0;
        if ((arg & MP_STREAM_POLL_RD) && (self->regs->STATE & UART_STATE_RXFULL)) {
            ret |= MP_STREAM_POLL_RD;
        }
        if ((arg & MP_STREAM_POLL_WR) && !(self->regs->STATE & UART_STATE_TXFULL)) {
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
    mps2_uart_type,
    MP_QSTR_UART,
    MP_TYPE_FLAG_ITER_IS_STREAM,
    make_new, uart_make_new,
    protocol, &uart_stream_p,
    locals_dict, &uart_locals_dict
    );
