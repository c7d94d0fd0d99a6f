// ARM semihosting file calls: the emulated boards reach host files (the
// persistent flash image, the host's entropy source) through QEMU -semihosting.
#ifndef MG_SEMIHOST_H
#define MG_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

// Open modes of SYS_OPEN (ISO C fopen modes in this order).
#define SH_MODE_RB     (1)  // "rb"
#define SH_MODE_RPLUSB (3)  // "r+b"
#define SH_MODE_WPLUSB (7)  // "w+b"

int sh_open(const char *path, int mode);                 // handle, or -1
int sh_seek(int fd, uint32_t pos);                       // 0 on success
int sh_read(int fd, void *buf, size_t len);              // bytes read
int sh_write(int fd, const void *buf, size_t len);       // bytes written
int sh_flen(int fd);                                     // length, or -1
// The semihosting command line, NUL-terminated within len; 0 on success.
int sh_get_cmdline(char *line, size_t len);
// The value of `key=value` in the semihosting command line (QEMU -append),
// copied into out; returns its length or -1 when absent (semihost_cmdline.c).
int sh_cmdline_value(const char *key, char *out, size_t out_len);

#endif
