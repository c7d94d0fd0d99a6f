// Included by extmod/modos.c: os.urandom(n), the emulated board's TRNG.
#include "py/obj.h"

mp_obj_t virt_urandom(mp_obj_t n_in);

static MP_DEFINE_CONST_FUN_OBJ_1(mp_os_urandom_obj, virt_urandom);
