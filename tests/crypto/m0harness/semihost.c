// ARM semihosting through BKPT 0xAB (the M-profile trap QEMU -semihosting serves).
#include <stdint.h>

#include "semihost.h"

#define SYS_OPEN (0x01)
#define SYS_CLOSE (0x02)
#define SYS_WRITE (0x05)
#define SYS_READ (0x06)
#define SYS_FLEN (0x0c)
#define SYS_EXIT (0x18)
#define SYS_EXIT_EXTENDED (0x20)
#define ADP_STOPPED_APPLICATION_EXIT (0x20026)

static int sh_call(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile ("bkpt 0xab" : "+r" (r0) : "r" (r1) : "memory");
    return r0;
}

static size_t str_len(const char *s) {
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

int sh_open(const char *path, int mode) {
    uint32_t a[3] = { (uint32_t)path, (uint32_t)mode, str_len(path) };
    return sh_call(SYS_OPEN, a);
}

size_t sh_read(int fd, void *buf, size_t len) {
    uint32_t a[3] = { (uint32_t)fd, (uint32_t)buf, len };
    // returns the number of bytes NOT read
    return len - (size_t)sh_call(SYS_READ, a);
}

void sh_write(int fd, const void *buf, size_t len) {
    uint32_t a[3] = { (uint32_t)fd, (uint32_t)buf, len };
    sh_call(SYS_WRITE, a);
}

void sh_close(int fd) {
    uint32_t a[1] = { (uint32_t)fd };
    sh_call(SYS_CLOSE, a);
}

void sh_exit(int status) {
    // SYS_EXIT_EXTENDED carries the status through to QEMU's exit code.
    uint32_t a[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status };
    sh_call(SYS_EXIT_EXTENDED, a);
    sh_call(SYS_EXIT, (const void *)ADP_STOPPED_APPLICATION_EXIT);
    for (;;) {
    }
}
