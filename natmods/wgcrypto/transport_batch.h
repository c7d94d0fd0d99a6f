// Batched WireGuard transport messages (the WireGuard paper section 5.4.6):
// seal or open many packets of one buffer in one call, so the router's
// per-packet cost is the AEAD and not the Python call around it.
//
// Only the Linux builds of the built-in module have it: the boards (the
// .mpy and the firmware with wgcrypto linked in) send a packet at a time and
// keep their flash and heap for other things.
#ifndef WGCRYPTO_TRANSPORT_BATCH_H
#define WGCRYPTO_TRANSPORT_BATCH_H

#if !defined(MICROPY_ENABLE_DYNRUNTIME) && defined(__linux__)
#define WGC_TRANSPORT_BATCH (1)
#else
#define WGC_TRANSPORT_BATCH (0)
#endif

// The module table entries.  They live here, not in modwgcrypto.c, because
// the .mpy build collects qstrs from its C sources without preprocessing:
// names written there would grow the .mpy even though the code is left out.
#if WGC_TRANSPORT_BATCH
#include "py/obj.h"

// modwgcrypto.c: an int in 0..2^64-1, else ValueError(range_msg).
uint64_t wgc_get_u64(mp_obj_t o, mp_rom_error_text_t range_msg);

MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_transport_seal_batch_obj);
MP_DECLARE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_transport_open_batch_obj);

#define WGC_TRANSPORT_BATCH_GLOBALS \
    { MP_ROM_QSTR(MP_QSTR_transport_seal_batch), MP_ROM_PTR(&wgc_transport_seal_batch_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_transport_open_batch), MP_ROM_PTR(&wgc_transport_open_batch_obj) },
#else
#define WGC_TRANSPORT_BATCH_GLOBALS
#endif

#endif // WGCRYPTO_TRANSPORT_BATCH_H
