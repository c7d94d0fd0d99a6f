// virt.UART([id]): an ns16550 UART as a non-blocking, pollable byte stream.
// UART(0), the default, is the board's own UART (the REPL console), so a script
// can take it over for a data link (SLIP) while the REPL is not reading it; the
// REPL's own driver (ports/qemu/uart.c) polls the same registers, and the FIFO
// switched on here serves it as well. UART(1) is a second one, when QEMU was
// given one (-device pci-serial): found on the PCI bus and given its I/O
// address here, as the board's firmware would. ESP32-C3s have UART1 too.
#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "py/mphal.h"

#define UART0_BASE ((volatile uint8_t *)0x10000000)
#define UART_RBR  (0)       // receive buffer (read) / transmit holding (write)
#define UART_FCR  (2)       // FIFO control (write)
#define UART_LSR  (5)       // line status
#define LSR_DR    (0x01)
#define LSR_THRE  (0x20)

// QEMU virt's PCIe: configuration space (ECAM) and the window onto PCI I/O space.
#define PCI_ECAM        (0x30000000)
#define PCI_IO_WINDOW   (0x03000000)
#define PCI_SERIAL_ID   (0x00021b36)    // device 0x0002, vendor 0x1b36: QEMU's pci-serial
#define PCI_SERIAL_IO   (0x100)         // the I/O address given to its BAR0 (8 registers)

typedef struct _virt_uart_obj_t {
    mp_obj_base_t base;
    volatile uint8_t *regs;
} virt_uart_obj_t;

// The second UART's registers, or NULL when QEMU has no pci-serial on bus 0.
static volatile uint8_t *pci_serial(void) {
    for (uint32_t dev = 0; dev < 32; dev++) {
        volatile uint32_t *cfg = (volatile uint32_t *)(PCI_ECAM + (dev << 15));
        if (cfg[0] == PCI_SERIAL_ID) {
            cfg[4] = PCI_SERIAL_IO;                 // BAR0: an I/O BAR
            cfg[1] = (cfg[1] & 0xffff) | 0x1;       // command: I/O space on
            return (volatile uint8_t *)(PCI_IO_WINDOW + PCI_SERIAL_IO);
        }
    }
    return NULL;
}

static mp_obj_t uart_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, false);
    mp_int_t id = n_args ? mp_obj_get_int(args[0]) : 0;
    volatile uint8_t *regs;
    if (id == 0) {
        regs = UART0_BASE;
    } else if (id == 1) {
        regs = pci_serial();
        if (regs == NULL) {
            mp_raise_OSError(MP_ENODEV);
        }
    } else {
        mp_raise_ValueError(MP_ERROR_TEXT("no such UART"));
    }
    virt_uart_obj_t *self = mp_obj_malloc(virt_uart_obj_t, type);
    self->regs = regs;
    regs[UART_FCR] = 0x07;     // 16-byte FIFOs on, both cleared
    return MP_OBJ_FROM_PTR(self);
}

static mp_uint_t uart_read(mp_obj_t self_in, void *buf_in, mp_uint_t size, int *errcode) {
    volatile uint8_t *regs = ((virt_uart_obj_t *)MP_OBJ_TO_PTR(self_in))->regs;
    uint8_t *buf = buf_in;
    if (size == 0) {
        return 0;
    }
    if (!(regs[UART_LSR] & LSR_DR)) {
        *errcode = MP_EAGAIN;
        return MP_STREAM_ERROR;
    }
    // The emulator refills the FIFO a moment after it empties: keep
    // collecting while bytes keep coming (up to 200 us apart).
    mp_uint_t n = 0;
    mp_uint_t last = mp_hal_ticks_us();
    while (n < size) {
        if (regs[UART_LSR] & LSR_DR) {
            buf[n++] = regs[UART_RBR];
            last = mp_hal_ticks_us();
        } else if (mp_hal_ticks_us() - last > 200) {
            break;
        }
    }
    return n;
}

static mp_uint_t uart_write(mp_obj_t self_in, const void *buf_in, mp_uint_t size, int *errcode) {
    volatile uint8_t *regs = ((virt_uart_obj_t *)MP_OBJ_TO_PTR(self_in))->regs;
    const uint8_t *buf = buf_in;
    for (mp_uint_t i = 0; i < size; i++) {
        while (!(regs[UART_LSR] & LSR_THRE)) {
        }
        regs[UART_RBR] = buf[i];
    }
    return size;
}

static mp_uint_t uart_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    volatile uint8_t *regs = ((virt_uart_obj_t *)MP_OBJ_TO_PTR(self_in))->regs;
    if (request == MP_STREAM_POLL) {
        mp_uint_t ret = 0;
        uint8_t lsr = regs[UART_LSR];
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
