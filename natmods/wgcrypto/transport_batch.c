// transport_seal_batch / transport_open_batch: WireGuard transport messages
// sealed and opened in place, many per call.  Each message lives in one
// shared buffer at offs[k]; lens[k] is its plaintext length (seal) or its
// message length (open).  Every argument and every message bound is checked
// before the first byte is written, so a bad call raises and changes nothing.

#include "wgcrypto_config.h"
#include "transport_batch.h"

#if WGC_TRANSPORT_BATCH

#include "py/runtime.h"
#include "py/objint.h"

#include "chacha20poly1305.h"
#include "wgcrypto_util.h"

// Message layout: type (u32 LE, 4), receiver index (u32 LE), counter
// (u64 LE), then the AEAD ciphertext and its tag.
#define MSG_TRANSPORT (4)
#define HEADER_LEN (16)
#define TAG_LEN (CHACHA20POLY1305_TAG_SIZE)
#define PADDING (16)

// Results of open: a message that does not verify, and one the caller has
// already rejected (left alone).
#define OPEN_BAD (-1)
#define OPEN_SKIP (-2)

typedef struct {
    mp_buffer_info_t bi;
    size_t n;           // elements
} u32_array_t;

static void get_array(mp_obj_t o, char typecode, mp_uint_t flags, u32_array_t *a) {
    mp_get_buffer_raise(o, &a->bi, flags);
    if (a->bi.typecode != typecode) {
        if (typecode == 'I') {
            mp_raise_TypeError(MP_ERROR_TEXT("expected array('I')"));
        }
        mp_raise_TypeError(MP_ERROR_TEXT("expected array('i')"));
    }
    if ((uintptr_t)a->bi.buf & 3) {
        mp_raise_ValueError(MP_ERROR_TEXT("array not aligned"));
    }
    a->n = a->bi.len / 4;
}

// Arrays written during the loop must not share bytes with what the loop
// reads afterwards, else a validated offset or length could change under it.
static void check_apart(const mp_buffer_info_t *a, const mp_buffer_info_t *b) {
    uintptr_t pa = (uintptr_t)a->buf, pb = (uintptr_t)b->buf;
    if (a->len > 0 && b->len > 0 && pa < pb + b->len && pb < pa + a->len) {
        mp_raise_ValueError(MP_ERROR_TEXT("buffers must not overlap"));
    }
}

static size_t get_size(mp_obj_t o, mp_rom_error_text_t msg) {
    if (!mp_obj_is_int(o)) {
        mp_raise_TypeError(MP_ERROR_TEXT("expected an int"));
    }
    if (!mp_obj_is_small_int(o) || MP_OBJ_SMALL_INT_VALUE(o) < 0) {
        mp_raise_ValueError(msg);
    }
    return (size_t)MP_OBJ_SMALL_INT_VALUE(o);
}

// An int in 0..2^64-1 (a big int on 32-bit ports from 2^30 up).
static uint64_t int_u64(mp_obj_t o, mp_rom_error_text_t msg) {
    if (!mp_obj_is_int(o)) {
        mp_raise_TypeError(MP_ERROR_TEXT("expected an int"));
    }
    return wgc_get_u64(o, msg);
}

// [first, first + count) must index every array.
static void get_range(mp_obj_t first_in, mp_obj_t count_in, size_t n_min, size_t *first, size_t *count) {
    *first = get_size(first_in, MP_ERROR_TEXT("first out of range"));
    *count = get_size(count_in, MP_ERROR_TEXT("count out of range"));
    if (*first > n_min || *count > n_min - *first) {
        mp_raise_ValueError(MP_ERROR_TEXT("first + count past the end of an array"));
    }
}

static const uint8_t *get_key(mp_obj_t o) {
    mp_buffer_info_t bi;
    if (mp_obj_is_str(o)) {
        mp_raise_TypeError(MP_ERROR_TEXT("expected a bytes-like object, not str"));
    }
    mp_get_buffer_raise(o, &bi, MP_BUFFER_READ);
    if (bi.len != CHACHA20POLY1305_KEY_SIZE) {
        mp_raise_ValueError(MP_ERROR_TEXT("key must be 32 bytes"));
    }
    return bi.buf;
}

// Taken once nothing can raise any more (no copy is left behind unwiped),
// and copied because the key may live in buf, which the loop rewrites.
static void copy_key(uint8_t key[CHACHA20POLY1305_KEY_SIZE], const uint8_t *src) {
    for (size_t i = 0; i < CHACHA20POLY1305_KEY_SIZE; i++) {
        key[i] = src[i];
    }
}

// The engine's padded_length(): up to a multiple of 16, but never past the
// MTU unless the packet itself is longer.
static uint64_t padded_length(uint64_t n, uint64_t mtu) {
    uint64_t m = (n + PADDING - 1) & ~(uint64_t)(PADDING - 1);
    if (m > mtu) {
        m = n > mtu ? n : mtu;
    }
    return m;
}

static void counter_nonce(uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE], uint64_t counter) {
    wgc_store32_le(nonce, 0);
    wgc_store64_le(nonce + 4, counter);
}

// (buf, offs, lens, first, count, key, receiver, counter, mtu) -> None
static mp_obj_t wgc_transport_seal_batch(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    mp_buffer_info_t buf;
    u32_array_t offs, lens;
    size_t first, count;
    uint8_t key[CHACHA20POLY1305_KEY_SIZE];
    mp_get_buffer_raise(args[0], &buf, MP_BUFFER_WRITE);
    get_array(args[1], 'I', MP_BUFFER_READ, &offs);
    get_array(args[2], 'I', MP_BUFFER_WRITE, &lens);
    get_range(args[3], args[4], offs.n < lens.n ? offs.n : lens.n, &first, &count);
    const uint8_t *key_in = get_key(args[5]);
    uint64_t receiver = int_u64(args[6], MP_ERROR_TEXT("receiver must be in 0..2**32-1"));
    if (receiver > 0xffffffffu) {
        mp_raise_ValueError(MP_ERROR_TEXT("receiver must be in 0..2**32-1"));
    }
    uint64_t counter = int_u64(args[7], MP_ERROR_TEXT("counter must be in 0..2**64-1"));
    if (count > 0 && (uint64_t)(count - 1) > UINT64_MAX - counter) {
        mp_raise_ValueError(MP_ERROR_TEXT("counter would pass 2**64-1"));
    }
    uint64_t mtu = get_size(args[8], MP_ERROR_TEXT("mtu out of range"));
    check_apart(&buf, &offs.bi);
    check_apart(&buf, &lens.bi);
    check_apart(&offs.bi, &lens.bi);

    const uint32_t *off = offs.bi.buf;
    uint32_t *len = lens.bi.buf;
    for (size_t k = first; k < first + count; k++) {
        uint64_t total = HEADER_LEN + padded_length(len[k], mtu) + TAG_LEN;
        if (total > 0xffffffffu || (uint64_t)off[k] + total > buf.len) {
            mp_raise_ValueError(MP_ERROR_TEXT("message does not fit in buf"));
        }
    }

    uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE];
    copy_key(key, key_in);
    for (size_t k = first; k < first + count; k++) {
        uint8_t *msg = (uint8_t *)buf.buf + off[k];
        uint8_t *payload = msg + HEADER_LEN;
        size_t n = len[k];
        size_t m = (size_t)padded_length(n, mtu);
        for (size_t i = n; i < m; i++) {
            payload[i] = 0;
        }
        uint64_t c = counter + (k - first);
        wgc_store32_le(msg, MSG_TRANSPORT);
        wgc_store32_le(msg + 4, (uint32_t)receiver);
        wgc_store64_le(msg + 8, c);
        counter_nonce(nonce, c);
        chacha20poly1305_encrypt(payload, payload, m, NULL, 0, nonce, key);
        len[k] = (uint32_t)(HEADER_LEN + m + TAG_LEN);
    }
    wgc_memzero(key, sizeof(key));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_transport_seal_batch_obj, 9, 9, wgc_transport_seal_batch);

// (buf, offs, lens, first, count, key, results) -> None
static mp_obj_t wgc_transport_open_batch(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    mp_buffer_info_t buf;
    u32_array_t offs, lens, res;
    size_t first, count;
    uint8_t key[CHACHA20POLY1305_KEY_SIZE];
    mp_get_buffer_raise(args[0], &buf, MP_BUFFER_WRITE);
    get_array(args[1], 'I', MP_BUFFER_READ, &offs);
    get_array(args[2], 'I', MP_BUFFER_READ, &lens);
    get_array(args[6], 'i', MP_BUFFER_WRITE, &res);
    size_t n_min = offs.n < lens.n ? offs.n : lens.n;
    get_range(args[3], args[4], n_min < res.n ? n_min : res.n, &first, &count);
    const uint8_t *key_in = get_key(args[5]);
    check_apart(&buf, &offs.bi);
    check_apart(&buf, &lens.bi);
    check_apart(&buf, &res.bi);
    check_apart(&res.bi, &offs.bi);
    check_apart(&res.bi, &lens.bi);

    const uint32_t *off = offs.bi.buf;
    const uint32_t *len = lens.bi.buf;
    int32_t *result = res.bi.buf;
    for (size_t k = first; k < first + count; k++) {
        if (result[k] == OPEN_SKIP) {
            continue;
        }
        if ((uint64_t)off[k] + len[k] > buf.len || len[k] > INT32_MAX) {
            mp_raise_ValueError(MP_ERROR_TEXT("message does not fit in buf"));
        }
    }

    uint8_t nonce[CHACHA20POLY1305_NONCE_SIZE];
    copy_key(key, key_in);
    for (size_t k = first; k < first + count; k++) {
        if (result[k] == OPEN_SKIP) {
            continue;
        }
        size_t l = len[k];
        if (l < HEADER_LEN + TAG_LEN) {
            result[k] = OPEN_BAD;
            continue;
        }
        uint8_t *msg = (uint8_t *)buf.buf + off[k];
        counter_nonce(nonce, wgc_load64_le(msg + 8));
        // Verified before decrypting: a bad tag leaves the ciphertext as it was.
        bool ok = chacha20poly1305_decrypt(msg + HEADER_LEN, msg + HEADER_LEN, l - HEADER_LEN,
            NULL, 0, nonce, key);
        result[k] = ok ? (int32_t)(l - HEADER_LEN - TAG_LEN) : OPEN_BAD;
    }
    wgc_memzero(key, sizeof(key));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(wgc_transport_open_batch_obj, 7, 7, wgc_transport_open_batch);

#endif // WGC_TRANSPORT_BATCH
