// ARM semihosting file calls (SYS_OPEN, SYS_SEEK, SYS_READ, SYS_WRITE,
// SYS_FLEN, SYS_GET_CMDLINE), issued with the Thumb semihosting breakpoint.
#include <string.h>
#include "semihost.h"

#define SYS_OPEN        0x01
#define SYS_WRITE       0x05
#define SYS_READ        0x06
#define SYS_SEEK        0x0a
#define SYS_FLEN        0x0c
#define SYS_GET_CMDLINE 0x15

static uint32_t sh_call(uint32_t op, void *args) {
    register uint32_t r0 __asm__ ("r0") = op;
    register void *r1 __asm__ ("r1") = args;
    __asm__ __volatile__ ("bkpt 0xAB" : "+r" (r0) : "r" (r1) : "memory");
    return r0;
}

int sh_open(const char *path, int mode) {
    uint32_t args[3] = {(uint32_t)path, (uint32_t)mode, strlen(path)};
    return (int)sh_call(SYS_OPEN, args);
}

int sh_seek(int fd, uint32_t pos) {
    uint32_t args[2] = {(uint32_t)fd, pos};
    return (int)sh_call(SYS_SEEK, args);
}

// SYS_READ and SYS_WRITE return how many bytes were NOT transferred.
int sh_read(int fd, void *buf, size_t len) {
    uint32_t args[3] = {(uint32_t)fd, (uint32_t)buf, len};
    return (int)(len - sh_call(SYS_READ, args));
}

int sh_write(int fd, const void *buf, size_t len) {
    uint32_t args[3] = {(uint32_t)fd, (uint32_t)buf, len};
    return (int)(len - sh_call(SYS_WRITE, args));
}

int sh_flen(int fd) {
    uint32_t args[1] = {(uint32_t)fd};
    return (int)sh_call(SYS_FLEN, args);
}

int sh_get_cmdline(char *line, size_t len) {
    uint32_t args[2] = {(uint32_t)line, len};
    if (sh_call(SYS_GET_CMDLINE, args) != 0) {
        return -1;
    }
    line[len - 1] = 0;
    return 0;
}
