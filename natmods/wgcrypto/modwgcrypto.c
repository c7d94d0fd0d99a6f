// MicroPython bindings for the wgcrypto primitives.
//
// The same file builds two ways:
//  - as a dynamic native module (.mpy), when MICROPY_ENABLE_DYNRUNTIME is
//    defined by py/dynruntime.mk; globals are registered in mpy_init();
//  - as a built-in user C module (USER_C_MODULES), with a ROM globals dict.
//
// All functions take positional arguments only.  Inputs accept any object
// with the buffer protocol except str.

#include "wgcrypto_config.h"

#ifdef MICROPY_ENABLE_DYNRUNTIME
#include "py/dynruntime.h"
#include "py/objstr.h"
#else
#include "py/runtime.h"
#include "py/objint.h"
#include "py/objstr.h"
#endif

#include "blake2s.h"
#include "chacha20.h"
#include "chacha20poly1305.h"
#include "curve25519.h"
#include "hkdf_blake2s.h"
#include "poly1305.h"
#include "transport_batch.h"
#include "wgcrypto_util.h"

#ifdef MICROPY_ENABLE_DYNRUNTIME
// A native module is not linked against libc; the compiler may still emit
// calls to these for struct copies and zeroing loops.
void *memcpy(void *dst, const void *src, size_t n) {
    return mp_fun_table.memmove_(dst, src, n);
}
void *memset(void *s, int c, size_t n) {
    return mp_fun_table.memset_(s, c, n);
}
void *memmove(void *dst, const void *src, size_t n) {
    return mp_fun_table.memmove_(dst, src, n);
}
#endif

// RFC 8439 §2.8: at most 2^32 - 1 blocks of 64 bytes after the key block.
#define AEAD_MAX_LEN ((((uint64_t)1 << 32) - 1) * 64)

/******************************************************************************/
// Argument helpers

// Read-only view of a bytes-like argument.  str is refused even though
// MicroPython gives it the buffer protocol, to match CPython semantics.
static void get_in(mp_obj_t o, mp_buffer_info_t *bi) {
    if (mp_obj_is_str(o)) {
        mp_raise_TypeError(MP_ERROR_TEXT("expected a bytes-like object, not str"));
    }
    mp_get_buffer_raise(o, bi, MP_BUFFER_READ);
}

static const uint8_t *get_fixed(mp_obj_t o, size_t n, mp_rom_error_text_t msg) {
    mp_buffer_info_t bi;
    get_in(o, &bi);
    if (bi.len != n) {
        mp_raise_ValueError(msg);
    }
    return bi.buf;
}

static void get_out(mp_obj_t o, mp_buffer_info_t *bi, size_t need) {
    mp_get_buffer_raise(o, bi, MP_BUFFER_WRITE);
    if (bi->len < need) {
        mp_raise_ValueError(MP_ERROR_TEXT("output buffer too small"));
    }
}

static void check_aead_len(size_t len) {
    if ((uint64_t)len > AEAD_MAX_LEN) {
        mp_raise_ValueError(MP_ERROR_TEXT("data too long"));
    }
}

// Non-negative int up to 2^64 - 1.  Values beyond the small-int range are
// big ints (on 32-bit ports from 2^30 up), so those are converted through the
// int object itself.
uint64_t wgc_get_u64(mp_obj_t o, mp_rom_error_text_t range_msg) {
    if (mp_obj_is_small_int(o)) {
        mp_int_t v = MP_OBJ_SMALL_INT_VALUE(o);
        if (v < 0) {
            mp_raise_ValueError(range_msg);
        }
        return (uint64_t)v;
    }
    #ifdef MICROPY_ENABLE_DYNRUNTIME
    if (mp_obj_is_true(mp_binary_op(MP_BINARY_OP_LESS, o, MP_OBJ_NEW_SMALL_INT(0)))
        || mp_obj_is_true(mp_binary_op(MP_BINARY_OP_RSHIFT, o, MP_OBJ_NEW_SMALL_INT(64)))) {
        mp_raise_ValueError(range_msg);
    }
    mp_obj_t args[2] = { MP_OBJ_NEW_SMALL_INT(8), MP_OBJ_NEW_QSTR(MP_QSTR_little) };
    mp_obj_t b = mp_call_function_n_kw(mp_load_attr(o, MP_QSTR_to_bytes), 2, 0, args);
    mp_buffer_info_t bi;
    mp_get_buffer_raise(b, &bi, MP_BUFFER_READ);
    if (bi.len != 8) {
        mp_raise_ValueError(range_msg);
    }
    return wgc_load64_le(bi.buf);
    #elif MICROPY_LONGINT_IMPL != MICROPY_LONGINT_IMPL_NONE
    // Converts in place, without allocating.
    uint8_t b[8];
    if (mp_obj_int_sign(o) < 0 || !mp_obj_int_to_bytes_impl(o, false, sizeof(b), b)) {
        mp_raise_ValueError(range_msg);
    }
    return wgc_load64_le(b);
    #else
    mp_raise_ValueError(range_msg);
    #endif
}

// nonce: an int n (WireGuard counter -> 0^4 || le64(n)) or 12 raw bytes.
static void get_nonce12(mp_obj_t o, uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE]) {
    if (mp_obj_is_int(o)) {
        uint64_t n = wgc_get_u64(o, MP_ERROR_TEXT("nonce must be in 0..2**64-1"));
        wgc_store32_le(nonce, 0);
        wgc_store64_le(nonce + 4, n);
        return;
    }
    const uint8_t *p = get_fixed(o, CHACHA20POLY1305_NONCE_SIZE,
        MP_ERROR_TEXT("nonce must be an int or 12 bytes"));
    for (int i = 0; i < CHACHA20POLY1305_NONCE_SIZE; i++) {
        nonce[i] = p[i];
    }
}

static mp_int_t get_int_in(mp_obj_t o, mp_int_t lo, mp_int_t hi, mp_rom_error_text_t msg) {
    if (!mp_obj_is_int(o)) {
        mp_raise_TypeError(MP_ERROR_TEXT("expected an int"));
    }
    if (!mp_obj_is_small_int(o)) {
        mp_raise_ValueError(msg);
    }
    mp_int_t v = MP_OBJ_SMALL_INT_VALUE(o);
    if (v < lo || v > hi) {
        mp_raise_ValueError(msg);
    }
    return v;
}

#define KEY_MSG MP_ERROR_TEXT("key must be 32 bytes")

// Fresh bytes object filled in place: the data buffer is allocated first and
// wrapped in a bytes object once written.  The hash is left at 0, which
// MicroPython treats as "not computed yet" (it is computed on demand), so
// large outputs are not hashed for nothing.  The native-module API has no
// vstr, so this one path serves both builds.
typedef struct {
    uint8_t *buf;
    size_t len;
} outbytes_t;

static uint8_t *outbytes_init(outbytes_t *o, size_t len) {
    o->len = len;
    o->buf = m_malloc(len + 1);
    o->buf[len] = 0;  // bytes data is NUL-terminated by convention
    return o->buf;
}

static mp_obj_t outbytes_finish(outbytes_t *o) {
    mp_obj_str_t *s = mp_obj_malloc(mp_obj_str_t, &mp_type_bytes);
    s->hash = 0;
    s->len = o->len;
    s->data = o->buf;
    return MP_OBJ_FROM_PTR(s);
}

static void outbytes_discard(outbytes_t *o) {
    #ifdef MICROPY_ENABLE_DYNRUNTIME
    m_free(o->buf);
    #else
    m_del(uint8_t, o->buf, o->len + 1);
    #endif
}

/******************************************************************************/
// ChaCha20-Poly1305

// Parsed arguments shared by the AEAD entry points.
typedef struct {
    const uint8_t *key;
    mp_buffer_info_t data;
    mp_buffer_info_t ad;
} aead_args_t;

static void get_aead_args(aead_args_t *a, mp_obj_t key, mp_obj_t data, size_t n_ad, const mp_obj_t *ad) {
    a->key = get_fixed(key, CHACHA20POLY1305_KEY_SIZE, KEY_MSG);
    get_in(data, &a->data);
    if (n_ad > 0) {
        get_in(ad[0], &a->ad);
    } else {
        a->ad.buf = NULL;
        a->ad.len = 0;
    }
}

static mp_obj_t wgc_chacha20poly1305_encrypt(size_t n_args, const mp_obj_t *args) {
    uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE];
    aead_args_t a;
    get_aead_args(&a, args[0], args[2], n_args - 3, args + 3);
    get_nonce12(args[1], nonce);
    check_aead_len(a.data.len);
    outbytes_t o;
    uint8_t *dst = outbytes_init(&o, a.data.len + CHACHA20POLY1305_TAG_SIZE);
    chacha20poly1305_encrypt(dst, a.data.buf, a.data.len, a.ad.buf, a.ad.len, nonce, a.key);
    return outbytes_finish(&o);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_chacha20poly1305_encrypt_obj, 3, 4, wgc_chacha20poly1305_encrypt);

static size_t ct_payload_len(size_t len) {
    if (len < CHACHA20POLY1305_TAG_SIZE) {
        mp_raise_ValueError(MP_ERROR_TEXT("ciphertext shorter than the 16-byte tag"));
    }
    return len - CHACHA20POLY1305_TAG_SIZE;
}

static mp_obj_t wgc_chacha20poly1305_decrypt(size_t n_args, const mp_obj_t *args) {
    uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE];
    aead_args_t a;
    get_aead_args(&a, args[0], args[2], n_args - 3, args + 3);
    get_nonce12(args[1], nonce);
    size_t pt_len = ct_payload_len(a.data.len);
    outbytes_t o;
    uint8_t *dst = outbytes_init(&o, pt_len);
    if (!chacha20poly1305_decrypt(dst, a.data.buf, a.data.len, a.ad.buf, a.ad.len, nonce, a.key)) {
        outbytes_discard(&o);
        return mp_const_none;
    }
    return outbytes_finish(&o);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_chacha20poly1305_decrypt_obj, 3, 4, wgc_chacha20poly1305_decrypt);

// (out, key, nonce, plaintext, ad) -> bytes written.  out may be the same
// buffer as plaintext (in-place) but must not partially overlap it.
static mp_obj_t wgc_chacha20poly1305_encrypt_into(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE];
    aead_args_t a;
    mp_buffer_info_t out;
    get_aead_args(&a, args[1], args[3], 1, args + 4);
    get_nonce12(args[2], nonce);
    check_aead_len(a.data.len);
    size_t n = a.data.len + CHACHA20POLY1305_TAG_SIZE;
    get_out(args[0], &out, n);
    chacha20poly1305_encrypt(out.buf, a.data.buf, a.data.len, a.ad.buf, a.ad.len, nonce, a.key);
    return mp_obj_new_int_from_uint(n);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_chacha20poly1305_encrypt_into_obj, 5, 5, wgc_chacha20poly1305_encrypt_into);

// (out, key, nonce, ciphertext, ad) -> bytes written, or -1 when the tag does
// not verify (out is then left untouched).
static mp_obj_t wgc_chacha20poly1305_decrypt_into(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE];
    aead_args_t a;
    mp_buffer_info_t out;
    get_aead_args(&a, args[1], args[3], 1, args + 4);
    get_nonce12(args[2], nonce);
    size_t pt_len = ct_payload_len(a.data.len);
    get_out(args[0], &out, pt_len);
    if (!chacha20poly1305_decrypt(out.buf, a.data.buf, a.data.len, a.ad.buf, a.ad.len, nonce, a.key)) {
        return MP_OBJ_NEW_SMALL_INT(-1);
    }
    return mp_obj_new_int_from_uint(pt_len);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_chacha20poly1305_decrypt_into_obj, 5, 5, wgc_chacha20poly1305_decrypt_into);

/******************************************************************************/
// XChaCha20-Poly1305

#define XNONCE_MSG MP_ERROR_TEXT("nonce must be 24 bytes")

static mp_obj_t wgc_xchacha20poly1305_encrypt(size_t n_args, const mp_obj_t *args) {
    aead_args_t a;
    get_aead_args(&a, args[0], args[2], n_args - 3, args + 3);
    const uint8_t *nonce = get_fixed(args[1], XCHACHA20POLY1305_NONCE_SIZE, XNONCE_MSG);
    check_aead_len(a.data.len);
    outbytes_t o;
    uint8_t *dst = outbytes_init(&o, a.data.len + CHACHA20POLY1305_TAG_SIZE);
    xchacha20poly1305_encrypt(dst, a.data.buf, a.data.len, a.ad.buf, a.ad.len, nonce, a.key);
    return outbytes_finish(&o);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_xchacha20poly1305_encrypt_obj, 3, 4, wgc_xchacha20poly1305_encrypt);

static mp_obj_t wgc_xchacha20poly1305_decrypt(size_t n_args, const mp_obj_t *args) {
    aead_args_t a;
    get_aead_args(&a, args[0], args[2], n_args - 3, args + 3);
    const uint8_t *nonce = get_fixed(args[1], XCHACHA20POLY1305_NONCE_SIZE, XNONCE_MSG);
    size_t pt_len = ct_payload_len(a.data.len);
    outbytes_t o;
    uint8_t *dst = outbytes_init(&o, pt_len);
    if (!xchacha20poly1305_decrypt(dst, a.data.buf, a.data.len, a.ad.buf, a.ad.len, nonce, a.key)) {
        outbytes_discard(&o);
        return mp_const_none;
    }
    return outbytes_finish(&o);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_xchacha20poly1305_decrypt_obj, 3, 4, wgc_xchacha20poly1305_decrypt);

/******************************************************************************/
// Raw ChaCha20 / HChaCha20 / Poly1305

static mp_obj_t wgc_hchacha20(mp_obj_t key_in, mp_obj_t nonce_in) {
    const uint8_t *key = get_fixed(key_in, CHACHA20_KEY_SIZE, KEY_MSG);
    const uint8_t *nonce = get_fixed(nonce_in, HCHACHA20_NONCE_SIZE, MP_ERROR_TEXT("nonce must be 16 bytes"));
    uint8_t out[HCHACHA20_OUT_SIZE];
    hchacha20(out, key, nonce);
    mp_obj_t r = mp_obj_new_bytes(out, sizeof(out));
    wgc_memzero(out, sizeof(out));
    return r;
}
static MP_DEFINE_CONST_FUN_OBJ_2(wgc_hchacha20_obj, wgc_hchacha20);

// (key, nonce12, counter, data): RFC 8439 ChaCha20 with a 32-bit block
// counter.  Running past block 2^32 - 1 raises instead of wrapping.
static mp_obj_t wgc_chacha20(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    const uint8_t *key = get_fixed(args[0], CHACHA20_KEY_SIZE, KEY_MSG);
    const uint8_t *nonce = get_fixed(args[1], CHACHA20_NONCE_SIZE, MP_ERROR_TEXT("nonce must be 12 bytes"));
    mp_rom_error_text_t ctr_msg = MP_ERROR_TEXT("counter out of range");
    if (!mp_obj_is_int(args[2])) {
        mp_raise_TypeError(MP_ERROR_TEXT("counter must be an int"));
    }
    uint64_t counter = wgc_get_u64(args[2], ctr_msg);
    mp_buffer_info_t data;
    get_in(args[3], &data);
    uint64_t blocks = ((uint64_t)data.len + CHACHA20_BLOCK_SIZE - 1) / CHACHA20_BLOCK_SIZE;
    if (counter > 0xffffffffu || blocks > ((uint64_t)1 << 32) - counter) {
        mp_raise_ValueError(ctr_msg);
    }
    struct chacha20_ctx ctx;
    outbytes_t o;
    uint8_t *dst = outbytes_init(&o, data.len);
    chacha20_init(&ctx, key, nonce, (uint32_t)counter);
    chacha20_xor(&ctx, dst, data.buf, data.len);
    chacha20_wipe(&ctx);
    return outbytes_finish(&o);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_chacha20_obj, 4, 4, wgc_chacha20);

static mp_obj_t wgc_poly1305(mp_obj_t key_in, mp_obj_t data_in) {
    const uint8_t *key = get_fixed(key_in, POLY1305_KEY_SIZE, KEY_MSG);
    mp_buffer_info_t data;
    get_in(data_in, &data);
    struct poly1305_ctx ctx;
    uint8_t mac[POLY1305_MAC_SIZE];
    poly1305_init(&ctx, key);
    poly1305_update(&ctx, data.buf, data.len);
    poly1305_final(&ctx, mac);
    return mp_obj_new_bytes(mac, sizeof(mac));
}
static MP_DEFINE_CONST_FUN_OBJ_2(wgc_poly1305_obj, wgc_poly1305);

/******************************************************************************/
// BLAKE2s

// (data, digest_size=32, key=b"")
static mp_obj_t wgc_blake2s(size_t n_args, const mp_obj_t *args) {
    mp_buffer_info_t data, key;
    get_in(args[0], &data);
    size_t outlen = BLAKE2S_HASH_SIZE;
    if (n_args > 1) {
        outlen = (size_t)get_int_in(args[1], 1, BLAKE2S_HASH_SIZE,
            MP_ERROR_TEXT("digest_size must be 1..32"));
    }
    key.buf = NULL;
    key.len = 0;
    if (n_args > 2) {
        get_in(args[2], &key);
        if (key.len > BLAKE2S_KEY_SIZE) {
            mp_raise_ValueError(MP_ERROR_TEXT("key must be at most 32 bytes"));
        }
    }
    uint8_t out[BLAKE2S_HASH_SIZE];
    blake2s(out, outlen, data.buf, data.len, key.buf, key.len);
    mp_obj_t r = mp_obj_new_bytes(out, outlen);
    wgc_memzero(out, sizeof(out));
    return r;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_blake2s_obj, 1, 3, wgc_blake2s);

/******************************************************************************/
// HMAC-BLAKE2s, WireGuard's KDF, constant-time compare and all-zero check

// (key, data) -> 32 bytes; any key length (longer than 64 bytes: hashed first).
static mp_obj_t wgc_hmac_blake2s(mp_obj_t key_in, mp_obj_t data_in) {
    mp_buffer_info_t key, data;
    get_in(key_in, &key);
    get_in(data_in, &data);
    uint8_t out[HMAC_BLAKE2S_SIZE];
    hmac_blake2s(out, key.buf, key.len, data.buf, data.len);
    mp_obj_t r = mp_obj_new_bytes(out, sizeof(out));
    wgc_memzero(out, sizeof(out));
    return r;
}
static MP_DEFINE_CONST_FUN_OBJ_2(wgc_hmac_blake2s_obj, wgc_hmac_blake2s);

// (n, key32, input) -> tuple of n 32-byte outputs, n in 1..3.
static mp_obj_t wgc_kdf(mp_obj_t n_in, mp_obj_t key_in, mp_obj_t data_in) {
    size_t n = (size_t)get_int_in(n_in, 1, WG_KDF_MAX_OUTPUTS, MP_ERROR_TEXT("kdf outputs must be 1..3"));
    const uint8_t *key = get_fixed(key_in, HMAC_BLAKE2S_SIZE, KEY_MSG);
    mp_buffer_info_t data;
    get_in(data_in, &data);
    uint8_t out[WG_KDF_MAX_OUTPUTS * HMAC_BLAKE2S_SIZE];
    mp_obj_t items[WG_KDF_MAX_OUTPUTS];
    wg_kdf(out, n, key, HMAC_BLAKE2S_SIZE, data.buf, data.len);
    for (size_t i = 0; i < n; i++) {
        items[i] = mp_obj_new_bytes(out + i * HMAC_BLAKE2S_SIZE, HMAC_BLAKE2S_SIZE);
    }
    wgc_memzero(out, sizeof(out));
    return mp_obj_new_tuple(n, items);
}
static MP_DEFINE_CONST_FUN_OBJ_3(wgc_kdf_obj, wgc_kdf);

// (a, b) -> bool: same length and same bytes, read to the end whatever differs.
static mp_obj_t wgc_equal(mp_obj_t a_in, mp_obj_t b_in) {
    mp_buffer_info_t a, b;
    get_in(a_in, &a);
    get_in(b_in, &b);
    if (a.len != b.len) {
        return mp_const_false;      // lengths are public (MACs and keys have fixed ones)
    }
    return mp_obj_new_bool(wgc_ct_equal(a.buf, b.buf, a.len));
}
static MP_DEFINE_CONST_FUN_OBJ_2(wgc_equal_obj, wgc_equal);

static mp_obj_t wgc_is_zero(mp_obj_t a_in) {
    mp_buffer_info_t a;
    get_in(a_in, &a);
    return mp_obj_new_bool(wgc_ct_is_zero(a.buf, a.len));
}
static MP_DEFINE_CONST_FUN_OBJ_1(wgc_is_zero_obj, wgc_is_zero);

/******************************************************************************/
// X25519

static mp_obj_t wgc_x25519(mp_obj_t scalar_in, mp_obj_t point_in) {
    const uint8_t *scalar = get_fixed(scalar_in, CURVE25519_KEY_SIZE, MP_ERROR_TEXT("scalar must be 32 bytes"));
    const uint8_t *point = get_fixed(point_in, CURVE25519_KEY_SIZE, MP_ERROR_TEXT("point must be 32 bytes"));
    uint8_t out[CURVE25519_KEY_SIZE];
    curve25519(out, scalar, point);
    mp_obj_t r = mp_obj_new_bytes(out, sizeof(out));
    wgc_memzero(out, sizeof(out));
    return r;
}
static MP_DEFINE_CONST_FUN_OBJ_2(wgc_x25519_obj, wgc_x25519);

static mp_obj_t wgc_x25519_base(mp_obj_t scalar_in) {
    const uint8_t *scalar = get_fixed(scalar_in, CURVE25519_KEY_SIZE, MP_ERROR_TEXT("scalar must be 32 bytes"));
    uint8_t out[CURVE25519_KEY_SIZE];
    curve25519_base(out, scalar);
    return mp_obj_new_bytes(out, sizeof(out));
}
static MP_DEFINE_CONST_FUN_OBJ_1(wgc_x25519_base_obj, wgc_x25519_base);

/******************************************************************************/
// Code path selection

#define NEW_STR_LIT(s) mp_obj_new_str((s), sizeof(s) - 1)

static mp_obj_t backend_name(void) {
    #if WGC_HAVE_ASM
    if (WGC_USE_ASM) {
        return NEW_STR_LIT(WGC_ASM_BACKEND);
    }
    #endif
    return NEW_STR_LIT(WGCRYPTO_BACKEND);
}

// portable() -> bool; portable(flag) -> bool: with a true flag every
// primitive runs the portable C code even where an optimized path is built
// in (the tests run all vectors both ways).  Returns the setting in force.
static mp_obj_t wgc_portable_fn(size_t n_args, const mp_obj_t *args) {
    #if WGC_HAVE_ASM
    if (n_args > 0) {
        wgc_portable = mp_obj_is_true(args[0]);
    }
    return mp_obj_new_bool(wgc_portable != 0);
    #else
    (void)n_args;
    (void)args;
    return mp_const_true;
    #endif
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_portable_obj, 0, 1, wgc_portable_fn);

// Module attribute `backend`: the code path in use, which portable() changes.
// Only called for names not in the module's dict.
static mp_obj_t wgc_getattr(mp_obj_t attr) {
    if (attr == MP_OBJ_NEW_QSTR(MP_QSTR_backend)) {
        return backend_name();
    }
    // MP_OBJ_NULL: no such attribute (the caller raises AttributeError).
    // Raising here instead would break `import wgcrypto`: the import machinery
    // probes module attributes and expects NULL, not an exception.
    return MP_OBJ_NULL;
}
static MP_DEFINE_CONST_FUN_OBJ_1(wgc_getattr_obj, wgc_getattr);

/******************************************************************************/
// Module registration

#ifdef MICROPY_ENABLE_DYNRUNTIME

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args) {
    MP_DYNRUNTIME_INIT_ENTRY

    mp_store_global(MP_QSTR_chacha20poly1305_encrypt, MP_OBJ_FROM_PTR(&wgc_chacha20poly1305_encrypt_obj));
    mp_store_global(MP_QSTR_chacha20poly1305_decrypt, MP_OBJ_FROM_PTR(&wgc_chacha20poly1305_decrypt_obj));
    mp_store_global(MP_QSTR_chacha20poly1305_encrypt_into, MP_OBJ_FROM_PTR(&wgc_chacha20poly1305_encrypt_into_obj));
    mp_store_global(MP_QSTR_chacha20poly1305_decrypt_into, MP_OBJ_FROM_PTR(&wgc_chacha20poly1305_decrypt_into_obj));
    mp_store_global(MP_QSTR_xchacha20poly1305_encrypt, MP_OBJ_FROM_PTR(&wgc_xchacha20poly1305_encrypt_obj));
    mp_store_global(MP_QSTR_xchacha20poly1305_decrypt, MP_OBJ_FROM_PTR(&wgc_xchacha20poly1305_decrypt_obj));
    mp_store_global(MP_QSTR_hchacha20, MP_OBJ_FROM_PTR(&wgc_hchacha20_obj));
    mp_store_global(MP_QSTR_chacha20, MP_OBJ_FROM_PTR(&wgc_chacha20_obj));
    mp_store_global(MP_QSTR_poly1305, MP_OBJ_FROM_PTR(&wgc_poly1305_obj));
    mp_store_global(MP_QSTR_blake2s, MP_OBJ_FROM_PTR(&wgc_blake2s_obj));
    mp_store_global(MP_QSTR_hmac_blake2s, MP_OBJ_FROM_PTR(&wgc_hmac_blake2s_obj));
    mp_store_global(MP_QSTR_kdf, MP_OBJ_FROM_PTR(&wgc_kdf_obj));
    mp_store_global(MP_QSTR_equal, MP_OBJ_FROM_PTR(&wgc_equal_obj));
    mp_store_global(MP_QSTR_is_zero, MP_OBJ_FROM_PTR(&wgc_is_zero_obj));
    mp_store_global(MP_QSTR_x25519, MP_OBJ_FROM_PTR(&wgc_x25519_obj));
    mp_store_global(MP_QSTR_x25519_base, MP_OBJ_FROM_PTR(&wgc_x25519_base_obj));
    mp_store_global(MP_QSTR_portable, MP_OBJ_FROM_PTR(&wgc_portable_obj));
    mp_store_global(MP_QSTR___getattr__, MP_OBJ_FROM_PTR(&wgc_getattr_obj));

    MP_DYNRUNTIME_INIT_EXIT
}

#else

static const mp_rom_map_elem_t wgcrypto_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_wgcrypto) },
    { MP_ROM_QSTR(MP_QSTR_chacha20poly1305_encrypt), MP_ROM_PTR(&wgc_chacha20poly1305_encrypt_obj) },
    { MP_ROM_QSTR(MP_QSTR_chacha20poly1305_decrypt), MP_ROM_PTR(&wgc_chacha20poly1305_decrypt_obj) },
    { MP_ROM_QSTR(MP_QSTR_chacha20poly1305_encrypt_into), MP_ROM_PTR(&wgc_chacha20poly1305_encrypt_into_obj) },
    { MP_ROM_QSTR(MP_QSTR_chacha20poly1305_decrypt_into), MP_ROM_PTR(&wgc_chacha20poly1305_decrypt_into_obj) },
    { MP_ROM_QSTR(MP_QSTR_xchacha20poly1305_encrypt), MP_ROM_PTR(&wgc_xchacha20poly1305_encrypt_obj) },
    { MP_ROM_QSTR(MP_QSTR_xchacha20poly1305_decrypt), MP_ROM_PTR(&wgc_xchacha20poly1305_decrypt_obj) },
    { MP_ROM_QSTR(MP_QSTR_hchacha20), MP_ROM_PTR(&wgc_hchacha20_obj) },
    { MP_ROM_QSTR(MP_QSTR_chacha20), MP_ROM_PTR(&wgc_chacha20_obj) },
    { MP_ROM_QSTR(MP_QSTR_poly1305), MP_ROM_PTR(&wgc_poly1305_obj) },
    { MP_ROM_QSTR(MP_QSTR_blake2s), MP_ROM_PTR(&wgc_blake2s_obj) },
    { MP_ROM_QSTR(MP_QSTR_hmac_blake2s), MP_ROM_PTR(&wgc_hmac_blake2s_obj) },
    { MP_ROM_QSTR(MP_QSTR_kdf), MP_ROM_PTR(&wgc_kdf_obj) },
    { MP_ROM_QSTR(MP_QSTR_equal), MP_ROM_PTR(&wgc_equal_obj) },
    { MP_ROM_QSTR(MP_QSTR_is_zero), MP_ROM_PTR(&wgc_is_zero_obj) },
    { MP_ROM_QSTR(MP_QSTR_x25519), MP_ROM_PTR(&wgc_x25519_obj) },
    { MP_ROM_QSTR(MP_QSTR_x25519_base), MP_ROM_PTR(&wgc_x25519_base_obj) },
    { MP_ROM_QSTR(MP_QSTR_portable), MP_ROM_PTR(&wgc_portable_obj) },
    { MP_ROM_QSTR(MP_QSTR___getattr__), MP_ROM_PTR(&wgc_getattr_obj) },
    WGC_TRANSPORT_BATCH_GLOBALS
};
static MP_DEFINE_CONST_DICT(wgcrypto_module_globals, wgcrypto_module_globals_table);

const mp_obj_module_t wgcrypto_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&wgcrypto_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_wgcrypto, wgcrypto_user_cmodule);

#endif
