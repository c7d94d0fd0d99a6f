// The semihosting file calls the shared flash block device uses
// (board/shared/qemu-mps2/semihost.h), on RISC-V: MicroPython's own
// semihosting_rv32 calls underneath, so board/shared/qemu-mps2/flash.c serves
// this board unchanged.
#include <string.h>
#include "shared/runtime/semihosting_rv32.h"
#include "semihost.h"

int sh_open(const char *path, int mode) {
    // SYS_OPEN mode numbers map to ISO C fopen modes.
    const char *text = mode == SH_MODE_RB ? "rb" : mode == SH_MODE_RPLUSB ? "r+b" : "w+b";
    return mp_semihosting_open(path, text);
}

int sh_seek(int fd, uint32_t pos) {
    return mp_semihosting_seek(fd, pos);
}

// mp_semihosting_read/write return how many bytes were NOT transferred.
int sh_read(int fd, void *buf, size_t len) {
    return (int)len - mp_semihosting_read(fd, buf, len);
}

int sh_write(int fd, const void *buf, size_t len) {
    return (int)len - mp_semihosting_write(fd, buf, len);
}

int sh_flen(int fd) {
    return mp_semihosting_flen(fd);
}

int sh_get_cmdline(char *line, size_t len) {
    memset(line, 0, len);
    return mp_semihosting_get_cmdline(line, len - 1) != 0 ? -1 : 0;
}
