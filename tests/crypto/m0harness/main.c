// Bare-metal Cortex-M0 test harness for the wgcrypto C sources and their
// ARMv6-M assembly, run on QEMU -M microbit with -semihosting.
//
// Reads m0_in.txt (one case per line) and writes m0_out.txt (one answer per
// line), in the encoding of tests/crypto/target_ops.py: "<id> <func> <args>"
// in, "<id> <answer>" out.  Arguments: h<hex> bytes, i<int>.  Answers:
// h<hex>, N (authentication failed), i<int>, s<text>, E<error>.
// Extra commands: "portable 0|1" (wgc_portable), "backend", "align 0..3"
// (offset of the message and output buffers), and
// "rep <n> <func> <args>" which runs a call n times, so the instruction
// count of one call is the difference of two whole runs.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chacha20poly1305.h"
#include "curve25519.h"
#include "poly1305.h"
#include "semihost.h"
#include "wgcrypto_config.h"

#define LINE_MAX (3072)
#define BUF_MAX (1472)
#define AAD_MAX (1024)

static char line[LINE_MAX];
static char outline[2 * BUF_MAX + 64];
static uint8_t msgbuf[BUF_MAX + 4], outbuf[BUF_MAX + 4], aad[AAD_MAX], key[32], nonce[24];
// Message and output start "align" bytes into their buffers: Cortex-M0
// faults on unaligned word access, so the byte paths need their own runs.
static uint8_t *msg = msgbuf, *out = outbuf;

// The compiler may emit calls to these for struct copies and zeroing.
void *memcpy(void *d, const void *s, size_t n) {
    uint8_t *dd = d;
    const uint8_t *ss = s;
    while (n--) {
        *dd++ = *ss++;
    }
    return d;
}

void *memset(void *d, int c, size_t n) {
    uint8_t *dd = d;
    while (n--) {
        *dd++ = (uint8_t)c;
    }
    return d;
}

// ---- input: buffered line reader over a semihosting file ----
static int in_fd;
static char rbuf[512];
static size_t rpos, rlen;

static int read_char(void) {
    if (rpos == rlen) {
        rlen = sh_read(in_fd, rbuf, sizeof(rbuf));
        rpos = 0;
        if (rlen == 0) {
            return -1;
        }
    }
    return (unsigned char)rbuf[rpos++];
}

// Reads one line without its newline; false at end of input.
static bool read_line(void) {
    size_t n = 0;
    int c;
    while ((c = read_char()) >= 0 && c != '\n') {
        if (n < LINE_MAX - 1) {
            line[n++] = (char)c;
        }
    }
    line[n] = 0;
    return c >= 0 || n > 0;
}

// ---- tokens and argument decoding ----
static char *next_token(char **p) {
    char *s = *p;
    while (*s == ' ') {
        s++;
    }
    if (!*s) {
        return NULL;
    }
    char *t = s;
    while (*s && *s != ' ') {
        s++;
    }
    if (*s) {
        *s++ = 0;
    }
    *p = s;
    return t;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// "h<hex>" into buf; the byte count, or -1 when malformed or too long.
static int get_bytes(const char *a, uint8_t *buf, size_t max) {
    if (!a || a[0] != 'h') {
        return -1;
    }
    a++;
    size_t n = 0;
    while (a[0] && a[1]) {
        int hi = hexval(a[0]), lo = hexval(a[1]);
        if (hi < 0 || lo < 0 || n >= max) {
            return -1;
        }
        buf[n++] = (uint8_t)(hi << 4 | lo);
        a += 2;
    }
    return a[0] ? -1 : (int)n;
}

static bool get_u64(const char *a, uint64_t *v) {
    if (!a || a[0] != 'i' || !a[1]) {
        return false;
    }
    *v = 0;
    for (a++; *a; a++) {
        if (*a < '0' || *a > '9') {
            return false;
        }
        *v = *v * 10 + (uint64_t)(*a - '0');
    }
    return true;
}

// ---- output ----
static size_t opos;

static void put_str(const char *s) {
    while (*s && opos < sizeof(outline) - 2) {
        outline[opos++] = *s++;
    }
}

static void put_hex(const uint8_t *b, size_t n) {
    static const char digits[] = "0123456789abcdef";
    put_str("h");
    for (size_t i = 0; i < n && opos < sizeof(outline) - 3; i++) {
        outline[opos++] = digits[b[i] >> 4];
        outline[opos++] = digits[b[i] & 15];
    }
}

// ---- the calls ----
// Runs func with the arguments in p, n times; writes the answer.
static void call(const char *func, char *p, uint32_t n) {
    const char *args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = next_token(&p);
    }
    if (func[0] == 'x' && func[1] == '2') {  // x25519
        if (get_bytes(args[0], key, 32) != 32 || get_bytes(args[1], msg, 32) != 32) {
            put_str("EValueError");
            return;
        }
        while (n--) {
            curve25519(out, key, msg);
        }
        put_hex(out, 32);
        return;
    }
    if (func[0] == 'p' && func[1] == 'o' && func[2] == 'l') {  // poly1305
        int len = get_bytes(args[1], msg, BUF_MAX);
        if (get_bytes(args[0], key, 32) != 32 || len < 0) {
            put_str("EValueError");
            return;
        }
        while (n--) {
            struct poly1305_ctx ctx;
            poly1305_init(&ctx, key);
            poly1305_update(&ctx, msg, (size_t)len);
            poly1305_final(&ctx, out);
        }
        put_hex(out, 16);
        return;
    }
    // [x]chacha20poly1305_{encrypt,decrypt}
    bool x = func[0] == 'x';
    const char *op = func + (x ? 1 : 0);
    bool enc = false;
    if (!(op[0] == 'c' && op[1] == 'h')) {
        put_str("Eunsupported");
        return;
    }
    for (const char *s = op; *s; s++) {
        if (*s == '_') {
            enc = s[1] == 'e';
            if (s[1] != 'e' && s[1] != 'd') {
                continue;
            }
            // no _into variants here: they test the module's buffer handling
            for (const char *t = s + 1; *t; t++) {
                if (*t == '_') {
                    put_str("Eunsupported");
                    return;
                }
            }
            break;
        }
    }
    size_t nlen = x ? 24 : 12;
    uint64_t ctr;
    if (!x && get_u64(args[1], &ctr)) {
        for (int i = 0; i < 4; i++) {
            nonce[i] = 0;
        }
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (uint8_t)(ctr >> (8 * i));
        }
    } else if (get_bytes(args[1], nonce, sizeof(nonce)) != (int)nlen) {
        put_str("EValueError");
        return;
    }
    int mlen = get_bytes(args[2], msg, BUF_MAX - 16);
    int alen = get_bytes(args[3], aad, AAD_MAX);
    if (get_bytes(args[0], key, 32) != 32 || mlen < 0 || alen < 0 || (!enc && mlen < 16)) {
        put_str("EValueError");
        return;
    }
    if (enc) {
        while (n--) {
            if (x) {
                xchacha20poly1305_encrypt(out, msg, (size_t)mlen, aad, (size_t)alen, nonce, key);
            } else {
                chacha20poly1305_encrypt(out, msg, (size_t)mlen, aad, (size_t)alen, nonce, key);
            }
        }
        put_hex(out, (size_t)mlen + 16);
        return;
    }
    bool ok = false;
    while (n--) {
        if (x) {
            ok = xchacha20poly1305_decrypt(out, msg, (size_t)mlen, aad, (size_t)alen, nonce, key);
        } else {
            ok = chacha20poly1305_decrypt(out, msg, (size_t)mlen, aad, (size_t)alen, nonce, key);
        }
    }
    if (ok) {
        put_hex(out, (size_t)mlen - 16);
    } else {
        put_str("N");
    }
}

static bool streq(const char *a, const char *b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

int main(void) {
    in_fd = sh_open("m0_in.txt", 0);
    int out_fd = sh_open("m0_out.txt", 4);
    if (in_fd < 0 || out_fd < 0) {
        return 2;
    }
    while (read_line()) {
        char *p = line;
        char *id = next_token(&p);
        char *func = next_token(&p);
        if (!id || !func) {
            continue;
        }
        opos = 0;
        put_str(id);
        put_str(" ");
        uint32_t n = 1;
        if (streq(func, "rep")) {
            uint64_t v = 0;
            char *c = next_token(&p);
            for (; c && *c >= '0' && *c <= '9'; c++) {
                v = v * 10 + (uint64_t)(*c - '0');
            }
            n = (uint32_t)v;
            func = next_token(&p);
            if (!func) {
                func = "";
            }
        }
        if (streq(func, "portable")) {
            char *a = next_token(&p);
            #if WGC_HAVE_ASM
            wgc_portable = a && a[0] == '1';
            put_str("i1");
            #else
            (void)a;
            put_str("i0");
            #endif
        } else if (streq(func, "align")) {
            char *a = next_token(&p);
            uint32_t off = a ? (uint32_t)(a[0] - '0') & 3 : 0;
            msg = msgbuf + off;
            out = outbuf + off;
            put_str("i1");
        } else if (streq(func, "backend")) {
            put_str("s");
            #if WGC_HAVE_ASM
            put_str(wgc_portable ? WGCRYPTO_BACKEND : WGC_ASM_BACKEND);
            #else
            put_str(WGCRYPTO_BACKEND);
            #endif
        } else {
            call(func, p, n);
        }
        put_str("\n");
        sh_write(out_fd, outline, opos);
    }
    sh_close(out_fd);
    sh_close(in_fd);
    return 0;
}
